//! The TUI's state machine: one model, one message type, `update` returning commands.
//! Nothing here does I/O; the executor runs the commands.

pub mod keys;
pub mod model;
pub mod msg;
pub mod update;

pub use model::*;
pub use msg::{Cmd, Msg, Reply, UploadError};
pub use update::update;

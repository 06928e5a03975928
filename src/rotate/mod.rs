//! Rotation without an outage (SPEC section 8): the plan, worked out from each zone's
//! certificate list before anything is sent; the step machine that takes each zone
//! from checked to uploaded, active and old deleted; the journal that lets a rerun of
//! the same command finish an interrupted rotation; and the runner that sends the
//! calls within the budget. `originpull rotate` prints it; the TUI's `R` draws it.

pub mod describe;
pub mod journal;
pub mod plan;
pub mod run;
pub mod steps;

pub use journal::{Event, Journal, JournalDir, Memory};
pub use plan::{IssuerChange, Listed, NewCert, ZonePlan};
pub use steps::{
    Answer, Ask, Call, DEFAULT_WAIT, Entry, Failure, Options, Outcome, Progress, Rotation, Step,
    ZoneRotation,
};

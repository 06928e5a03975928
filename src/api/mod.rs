//! The Cloudflare API client. It knows nothing of the screen.

pub mod client;
pub mod error;
pub mod model;

pub use client::{Client, ClientConfig, Credentials, DEFAULT_BASE_URL, Page};
pub use error::ApiError;
pub use model::*;

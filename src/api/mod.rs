//! The Cloudflare API client. It knows nothing of the screen.

pub mod client;
pub mod error;
mod hostnames;
pub mod limit;
pub mod model;
pub mod paging;
pub mod retry;
mod settings;

pub use client::{CallNotice, Client, ClientConfig, Credentials, DEFAULT_BASE_URL};
pub use error::ApiError;
pub use hostnames::{
    Association, DnsRecord, HostnameSetting, MAX_ASSOCIATIONS_PER_CERT, MAX_HOSTNAME_CERTS,
};
pub use model::*;

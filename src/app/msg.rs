//! What flows into `update` (messages) and out of it (commands to run).

use std::path::PathBuf;
use std::time::Duration;

use crossterm::event::KeyEvent;

use crate::api::{ApiError, Certificate, Page, TokenInfo, Zone};

use super::model::Ticket;

// Each message is moved once through the loop; boxing replies would buy nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub enum Msg {
    /// Start-up: load what the first screen needs. A global API key cannot be
    /// checked with the token endpoint, so `verify_token` is false for one.
    Init {
        verify_token: bool,
    },
    Key(KeyEvent),
    Paste(String),
    /// The terminal changed size: only the frame changes.
    Resize,
    /// The spinner's clock; only runs while something loads.
    Tick,
    Reply {
        call: u64,
        reply: Reply,
    },
    /// A call is taking longer: it is being retried, or the rate limit holds it.
    Delayed {
        call: u64,
        /// For the status line, e.g. "retry 2/3 in 0.8 s: HTTP 503".
        note: String,
        /// Why it is retried, when it is; kept apart so nothing parses the note.
        retry_reason: Option<String>,
    },
}

/// A finished call, as the executor reports it.
#[derive(Debug)]
pub enum Reply {
    Token(Result<TokenInfo, ApiError>),
    /// The zone list of the last session, if there is one.
    Cached(Option<Vec<Zone>>),
    ZonePage {
        generation: u64,
        page: u64,
        result: Result<Page<Zone>, ApiError>,
    },
    SearchResult {
        generation: u64,
        result: Result<Page<Zone>, ApiError>,
    },
    Certificates {
        ticket: Ticket,
        result: Result<Vec<Certificate>, ApiError>,
    },
    Enablement {
        ticket: Ticket,
        result: Result<bool, ApiError>,
    },
    Toggled {
        ticket: Ticket,
        result: Result<bool, ApiError>,
    },
    Uploaded {
        ticket: Ticket,
        /// A local check failed (the message says which), or the API refused.
        result: Result<Certificate, String>,
    },
    Deleted {
        ticket: Ticket,
        cert_id: String,
        result: Result<Certificate, ApiError>,
    },
}

/// Work for the executor. Each carries the call number its reply will come back with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cmd {
    VerifyToken {
        call: u64,
    },
    LoadCache {
        call: u64,
    },
    SaveCache {
        zones: Vec<Zone>,
    },
    LoadZonePage {
        call: u64,
        generation: u64,
        page: u64,
    },
    /// Ask the server for zones matching `query`, after a pause in typing.
    SearchZones {
        call: u64,
        generation: u64,
        query: String,
        after: Duration,
    },
    LoadCertificates {
        call: u64,
        ticket: Ticket,
        /// Wait this long first: polling a certificate that is still pending.
        after: Option<Duration>,
    },
    LoadEnablement {
        call: u64,
        ticket: Ticket,
    },
    SetEnablement {
        call: u64,
        ticket: Ticket,
        enabled: bool,
    },
    Upload {
        call: u64,
        ticket: Ticket,
        cert_path: PathBuf,
        key_path: PathBuf,
    },
    Delete {
        call: u64,
        ticket: Ticket,
        cert_id: String,
    },
    /// Stop every read for zones other than this ticket's (or all, with `None`).
    /// Changes (toggle, upload, delete) are never stopped half sent.
    AbortStale {
        keep: Option<Ticket>,
    },
    Quit,
}

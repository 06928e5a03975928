//! What flows into `update` (messages) and out of it (commands to run).

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::Duration;

use crossterm::event::KeyEvent;

use crate::api::{
    ApiError, Association, Certificate, GlobalAop, HostnameSetting, Page, TokenInfo, Zone,
    ZoneSettings,
};
use crate::certinfo::{CertDetails, CertError};
use crate::hostnames::HostnameState;
use crate::rank::{Names, Ranked};
use crate::rotate;
use crate::survey::{self, ZoneState};

use super::model::{Drawn, RotateField, Ticket};

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
    /// A click or the wheel (when the mouse is on).
    Mouse(crossterm::event::MouseEvent),
    /// The terminal changed size: only the frame changes.
    Resize,
    /// What the frame just drawn had room for; it changes nothing on screen.
    Drawn(Drawn),
    /// The ranker's answer for the zone filter.
    Ranked(Ranked),
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
    /// The global switch and the SSL mode.
    Settings {
        ticket: Ticket,
        result: Result<ZoneSettings, ApiError>,
    },
    HostnameCertificates {
        ticket: Ticket,
        result: Result<Vec<Certificate>, ApiError>,
    },
    GlobalSet {
        ticket: Ticket,
        result: Result<GlobalAop, ApiError>,
    },
    Uploaded {
        ticket: Ticket,
        result: Result<Certificate, UploadError>,
        hostname: bool,
    },
    Deleted {
        ticket: Ticket,
        cert_id: String,
        result: Result<Certificate, ApiError>,
        hostname: bool,
    },
    /// What earlier surveys of this account found.
    SurveyCache(Vec<ZoneState>),
    /// One of the survey's calls came back.
    Surveyed {
        call: survey::Call,
        answer: survey::Answer,
    },
    /// File names that complete what was typed in a rotation form's field.
    Completed {
        pane: u64,
        field: RotateField,
        typed: String,
        candidates: Vec<String>,
    },
    /// The rotation form's certificate file, parsed.
    NewCertRead {
        pane: u64,
        path: String,
        result: Result<CertDetails, CertError>,
    },
    /// The rotation's files are checked (the key stays with the executor) and its
    /// journal read: what earlier runs recorded, per zone id.
    RotationReady {
        pane: u64,
        result: Result<(CertDetails, HashMap<String, rotate::Memory>), CertError>,
    },
    /// The answer to a PUT of hostname settings.
    HostnamesSet {
        ticket: Ticket,
        result: Result<Vec<Association>, ApiError>,
    },
    /// The associations of the open zone's known hostnames.
    Hostnames {
        ticket: Ticket,
        states: Vec<HostnameState>,
    },
    /// One of the rotation's calls came back.
    Rotated {
        pane: u64,
        step: rotate::Call,
        answer: rotate::Answer,
    },
}

/// Why an upload did not happen: refused before anything was sent, or by the API.
#[derive(Debug, thiserror::Error)]
pub enum UploadError {
    #[error(transparent)]
    Local(#[from] CertError),
    #[error(transparent)]
    Api(#[from] ApiError),
}

/// Work for the executor. Each carries the call number its reply will come back with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cmd {
    /// Put text on the clipboard, through the terminal (OSC 52).
    Copy {
        text: String,
    },
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
    LoadSettings {
        call: u64,
        ticket: Ticket,
    },
    LoadHostnameCertificates {
        call: u64,
        ticket: Ticket,
    },
    SetGlobal {
        call: u64,
        ticket: Ticket,
        on: bool,
    },
    Upload {
        call: u64,
        ticket: Ticket,
        cert_path: PathBuf,
        key_path: PathBuf,
        /// A hostname certificate, not a zone-level one.
        hostname: bool,
    },
    Delete {
        call: u64,
        ticket: Ticket,
        cert_id: String,
        /// A hostname certificate, not a zone-level one.
        hostname: bool,
    },
    /// Tell the ranker about new names; they take the next slots, or all of them.
    RankNames(Names),
    /// Rank the names for a query; the answer comes back as `Msg::Ranked`.
    Rank {
        generation: u64,
        query: String,
    },
    LoadSurveyCache {
        call: u64,
    },
    /// One call of the fleet view's survey.
    Survey {
        call: u64,
        ask: survey::Call,
    },
    /// A zone the survey finished, for the cache.
    SaveSurveyZone(Box<ZoneState>),
    /// List the directory of what is typed, for the names that complete it.
    CompletePath {
        call: u64,
        pane: u64,
        field: RotateField,
        typed: String,
    },
    /// Read and parse the certificate the rotation form names.
    ReadNewCert {
        call: u64,
        pane: u64,
        path: String,
    },
    /// One PUT of hostname settings, remembered among the known hostnames.
    SetHostnames {
        call: u64,
        ticket: Ticket,
        settings: Vec<HostnameSetting>,
    },
    /// Read the associations of the hostnames originpull knows in the ticket's zone.
    LoadHostnames {
        call: u64,
        ticket: Ticket,
    },
    /// Check the rotation's certificate and key, keep them for its uploads, and read
    /// its journal.
    StartRotation {
        call: u64,
        pane: u64,
        cert_path: PathBuf,
        key_path: PathBuf,
        /// A hostname certificate rotation: its journal is apart.
        hostnames: bool,
    },
    /// Append to the rotation's journal, before the calls that follow are sent.
    Journal(Vec<rotate::Entry>),
    /// One call of the rotation, sent after its delay.
    Rotate {
        call: u64,
        pane: u64,
        step: rotate::Call,
    },
    /// The rotation is over or dropped: its journal goes if every zone is done, and
    /// the key is forgotten.
    EndRotation,
    /// Stop every read for zones other than this ticket's (or all, with `None`).
    /// Changes (toggle, upload, delete) are never stopped half sent.
    AbortStale {
        keep: Option<Ticket>,
    },
    Quit,
}

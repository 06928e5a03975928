//! Everything the TUI knows, in one place. `update` changes it; the view only reads it.
//! The parts are split as the screen is: the zone list, the open zone, the overlays.

mod dialogs;
mod fleet;
mod open_zone;
mod rotation;
mod zones;

use std::collections::{BTreeSet, HashMap};
use std::ops::Range;

use chrono::{DateTime, Utc};

pub use dialogs::{
    AssociateForm, DeleteConfirm, HostnameChange, HostnameConfirm, Overlay, UploadField, UploadForm,
};
pub use fleet::{Fleet, FleetRow, FleetSurvey, Sort, Stats};
pub use open_zone::{CertRow, HostnameRow, OpenZone, Toggle, Watch, ZoneSummary};
pub use rotation::{NewCertView, RotateField, RotationPane, Stage};
pub use zones::{Ranking, Visible, ZoneList, ZonePane};

use super::keys::{Context, KeyMap, Mode};

/// Identifies one request's purpose at the time it was sent. A reply whose ticket is
/// no longer current (another zone opened, a refresh sent) is dropped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ticket {
    pub zone_id: String,
    pub generation: u64,
}

/// A call the status line reports until its reply arrives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InFlight {
    pub call: u64,
    pub label: String,
    /// The zone it is for; switching zones abandons it.
    pub ticket: Option<Ticket>,
    /// Why it is taking longer, e.g. "retry 2/3 in 0.8 s: HTTP 503".
    pub note: Option<String>,
    /// What made it retry, if it did: the status line mentions it on success.
    pub retried: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Loadable<T> {
    Loading,
    Loaded(T),
    Failed(String),
}

impl<T> Loadable<T> {
    pub fn loaded(&self) -> Option<&T> {
        match self {
            Self::Loaded(t) => Some(t),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Focus {
    Zones,
    Certs,
    Detail,
}

impl Focus {
    pub fn next(self) -> Self {
        match self {
            Self::Zones => Self::Certs,
            Self::Certs => Self::Detail,
            Self::Detail => Self::Zones,
        }
    }

    pub fn prev(self) -> Self {
        match self {
            Self::Zones => Self::Detail,
            Self::Certs => Self::Zones,
            Self::Detail => Self::Certs,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StatusMessage {
    Info(String),
    Error(String),
}

/// Which of the main screen's two views shows: the zones with the open zone, or the
/// fleet view of every zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum View {
    #[default]
    Zones,
    Fleet,
}

/// What the whole screen is showing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Screen {
    Main,
    /// Started without credentials: explain how to get going instead of failing.
    NoCredentials {
        config_path: Option<String>,
    },
}

/// What the last frame had room for, as the view measured it and reported it back
/// (`Msg::Drawn`): the keys that move by a page, or scroll, need it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Drawn {
    pub zone_rows: usize,
    pub cert_rows: usize,
    pub detail_rows: usize,
    /// How far the detail pane can scroll: its lines less the rows it shows.
    pub detail_hidden: usize,
    pub help_rows: usize,
    pub help_hidden: usize,
    pub fleet_rows: usize,
    /// Where the panes and their rows were drawn: a click or the wheel lands by these.
    pub zones_pane: Area,
    pub certs_pane: Area,
    pub detail_pane: Area,
    pub zone_list: ListArea,
    pub cert_list: ListArea,
    pub fleet_list: ListArea,
    /// The per-hostname view's two tables: its certificates, then its hostnames.
    pub hostname_lists: [ListArea; 2],
}

/// A rectangle of the screen, in cells.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Area {
    pub x: u16,
    pub y: u16,
    pub width: u16,
    pub height: u16,
}

impl Area {
    pub fn contains(&self, column: u16, row: u16) -> bool {
        column >= self.x
            && row >= self.y
            && u32::from(column) < u32::from(self.x) + u32::from(self.width)
            && u32::from(row) < u32::from(self.y) + u32::from(self.height)
    }
}

/// A list's rows as drawn: the lines they took and the index of the first one shown.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ListArea {
    pub rows: Area,
    pub first: usize,
}

impl ListArea {
    /// The index of the row at this cell, if a row was drawn there.
    pub fn index_at(&self, column: u16, row: u16) -> Option<usize> {
        self.rows
            .contains(column, row)
            .then(|| self.first + usize::from(row - self.rows.y))
    }
}

#[derive(Debug)]
pub struct Model {
    pub screen: Screen,
    pub keys: KeyMap,
    pub zones: ZonePane,
    pub open: Option<OpenZone>,
    pub view: View,
    /// Set up the first time the fleet view opens; its survey then runs on.
    pub fleet: Option<Fleet>,
    /// The rotation started with `R`: its overlay may be hidden while it runs.
    pub rotation: Option<RotationPane>,
    /// The survey cache's read, while it is out.
    pub fleet_cache_call: Option<u64>,
    /// Calls per 5 minutes the process may send: the survey's pace and its estimate.
    pub budget: usize,
    pub focus: Focus,
    pub overlays: Vec<Overlay>,
    /// Lines of the help overlay scrolled off its top.
    pub help_scroll: usize,
    pub summaries: HashMap<String, ZoneSummary>,
    /// Zones marked with `Space`, in the zone list or the fleet view, by id: what
    /// `R` rotates.
    pub marked: BTreeSet<String>,
    pub status: Option<StatusMessage>,
    /// How many messages the status line has been given: a new number means
    /// something new was said, even in the same words.
    pub messages: u64,
    /// Calls in flight, each with a short label for the status line.
    pub in_flight: Vec<InFlight>,
    pub drawn: Drawn,
    pub spinner: usize,
    /// Where the app talks to, for the header ("demo", or the API host).
    pub endpoint: String,
    /// The config profile in use, named in the header beside the account.
    pub profile: Option<String>,
    pub token_status: Option<String>,
    pub next_generation: u64,
    pub next_call: u64,
    pub quit: bool,
    /// Tests pin the clock so snapshots of "days left" do not drift.
    pub now: DateTime<Utc>,
    /// Off under `NO_COLOR`: the screen then relies on words and symbols alone.
    pub color: bool,
}

impl Model {
    pub fn new(screen: Screen, endpoint: impl Into<String>, now: DateTime<Utc>) -> Self {
        Self {
            screen,
            keys: KeyMap::default(),
            zones: ZonePane::default(),
            open: None,
            view: View::Zones,
            fleet: None,
            rotation: None,
            fleet_cache_call: None,
            budget: crate::api::client::DEFAULT_BUDGET,
            focus: Focus::Zones,
            overlays: Vec::new(),
            help_scroll: 0,
            summaries: HashMap::new(),
            marked: BTreeSet::new(),
            status: None,
            messages: 0,
            in_flight: Vec::new(),
            drawn: Drawn::default(),
            spinner: 0,
            endpoint: endpoint.into(),
            profile: None,
            token_status: None,
            next_generation: 1,
            next_call: 1,
            quit: false,
            now,
            color: true,
        }
    }

    /// Something is on its way: the spinner turns, and tests wait for it to settle.
    pub fn busy(&self) -> bool {
        !self.in_flight.is_empty()
            || self.zones.ranking.waiting
            || self.fleet_cache_call.is_some()
            || self
                .fleet
                .as_ref()
                .and_then(|f| f.survey.as_ref())
                .is_some_and(|s| s.in_flight > 0)
            || self.rotation.as_ref().is_some_and(|r| r.in_flight > 0)
    }

    /// Marks the zone, or unmarks it when it was marked.
    pub fn toggle_mark(&mut self, zone_id: String) {
        if !self.marked.remove(&zone_id) {
            self.marked.insert(zone_id);
        }
    }

    pub fn top_overlay(&self) -> Option<&Overlay> {
        self.overlays.last()
    }

    pub fn account_name(&self) -> Option<&str> {
        self.zones.account.as_deref()
    }

    /// Which key table is in force.
    pub fn mode(&self) -> Mode {
        if let Screen::NoCredentials { .. } = self.screen {
            return Mode::NoCredentials;
        }
        match self.top_overlay() {
            Some(Overlay::Help) => Mode::Help,
            Some(Overlay::ConfirmDelete(_)) => Mode::ConfirmDelete,
            Some(Overlay::ConfirmHostname(_)) => Mode::ConfirmHostname,
            Some(Overlay::Associate(_)) => Mode::AssociateForm,
            Some(Overlay::Upload(_)) => Mode::Upload,
            Some(Overlay::Rotate) => match self.rotation.as_ref().map(|r| r.stage) {
                Some(Stage::Form) => Mode::RotateForm,
                Some(Stage::Plan) => Mode::RotationPlan,
                _ => Mode::RotationProgress,
            },
            None if self.zones.filtering => Mode::Filter,
            None if self.view == View::Fleet => Mode::Fleet,
            None => Mode::Main,
        }
    }

    pub fn key_context(&self) -> Context {
        Context {
            focus: self.focus,
            zone_open: self.open.is_some(),
            hostnames: self.open.as_ref().is_some_and(|o| o.hostnames.is_some()),
        }
    }
}

/// The rows of a `len`-long list that fit in `height` rows with `selected` among them.
/// There is no stored scroll offset, so once the list scrolls the selection rides the
/// bottom edge; only these rows are ever laid out, however long the list.
pub fn window(selected: usize, len: usize, height: usize) -> Range<usize> {
    let start = (selected + 1)
        .saturating_sub(height)
        .min(len.saturating_sub(height));
    start..(start + height).min(len)
}

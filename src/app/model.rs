//! Everything the TUI knows, in one place. `update` changes it; `view` reads it, and
//! writes back only what it alone knows, the rows it drew (`DrawnRows`).

use std::cell::Cell;
use std::collections::HashMap;

use chrono::{DateTime, Utc};

use crate::api::{Certificate, Zone};
use crate::certinfo::CertDetails;
use crate::health::{Warning, zone_warnings};

use super::fuzzy::FuzzyFilter;
use super::input::TextInput;

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

/// The zone picker: every zone loaded so far, and the live filter over them.
#[derive(Debug, Default)]
pub struct ZonePane {
    pub zones: Vec<Zone>,
    pub loading: bool,
    pub error: Option<String>,
    pub filter: TextInput,
    pub fuzzy: FuzzyFilter,
    /// Typing goes to the filter while this is set.
    pub filtering: bool,
    /// Indices into `zones` of those matching the filter, in display order.
    pub visible: Vec<usize>,
    /// Index into `visible`.
    pub selected: usize,
    /// Zones load again on refresh; replies for an older load are dropped.
    pub generation: u64,
    /// Pages of the current load still to arrive.
    pub pages_left: u64,
    /// `zones` came from the disk cache and the network has not replaced it yet.
    pub cached: bool,
    /// While a list is already on screen (cached, or before a refresh), the new pages
    /// gather here and replace it whole at the end, so it never shrinks to one page.
    pub incoming: Option<Vec<Zone>>,
    /// Some page of the current load failed: the list is incomplete, so not cached.
    pub incomplete: bool,
    /// The latest server-side search; older results are dropped.
    pub search: u64,
    /// That search's call while it is out.
    pub search_call: Option<u64>,
    /// The account's name, from the first zone that carried it.
    pub account: Option<String>,
}

/// Name order, each zone once: pages and search results may overlap.
pub fn sort_zones(zones: &mut Vec<Zone>) {
    zones.sort_by(|a, b| a.name.cmp(&b.name).then_with(|| a.id.cmp(&b.id)));
    zones.dedup_by(|a, b| a.id == b.id);
}

impl ZonePane {
    pub fn selected_zone(&self) -> Option<&Zone> {
        self.visible
            .get(self.selected)
            .and_then(|&i| self.zones.get(i))
    }

    /// Replaces the list, keeping the selection on the same zone where it still
    /// shows (never on whatever now sits at the old position).
    pub fn set_zones(&mut self, mut zones: Vec<Zone>) {
        let keep = self.selected_zone().map(|z| z.id.clone());
        self.strip_accounts(&mut zones);
        self.zones = zones;
        self.fuzzy.index(&self.zones);
        self.rerank(keep);
    }

    /// Adds zones (a page, search results) in name order, each zone once.
    pub fn add_zones(&mut self, mut more: Vec<Zone>) {
        let keep = self.selected_zone().map(|z| z.id.clone());
        self.strip_accounts(&mut more);
        // Pages mostly arrive in order: then appending keeps the order for free.
        let in_order = match (self.zones.last(), more.first()) {
            (Some(last), Some(first)) => last.name < first.name,
            _ => true,
        };
        self.zones.extend(more);
        if in_order {
            self.fuzzy.index_more(&self.zones);
        } else {
            sort_zones(&mut self.zones);
            self.fuzzy.index(&self.zones);
        }
        self.rerank(keep);
    }

    /// Ranks the list afresh and selects `keep` where it shows.
    fn rerank(&mut self, keep: Option<String>) {
        self.fuzzy.set_query(self.filter.text());
        self.fuzzy.rank(&self.zones, &mut self.visible);
        self.selected = keep
            .and_then(|id| self.visible.iter().position(|&i| self.zones[i].id == id))
            .unwrap_or(0);
    }

    /// Every zone names its account; one copy is enough. With 100,000 zones the
    /// copies would cost more memory than the zones themselves.
    fn strip_accounts(&mut self, zones: &mut [Zone]) {
        for z in zones {
            if let Some(account) = z.account.take()
                && self.account.is_none()
            {
                self.account = account.name;
            }
        }
    }

    /// Re-ranks for the current filter, keeping the selection on the same zone
    /// where it still shows.
    pub fn refilter(&mut self) {
        let keep = self.selected_zone().map(|z| z.id.clone());
        self.rerank(keep);
    }

    /// After the query changed: the best match goes to the top and is selected.
    pub fn requery(&mut self) {
        self.fuzzy.set_query(self.filter.text());
        self.fuzzy.rank(&self.zones, &mut self.visible);
        self.selected = 0;
    }
}

/// A certificate with what was parsed from its PEM, parsed once when it arrived.
#[derive(Debug, Clone)]
pub struct CertRow {
    pub cert: Certificate,
    pub details: Option<CertDetails>,
}

/// Zone-level AOP enablement as the screen shows it: the server's last answer, and
/// what the user asked for while a change is in flight.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Enablement {
    /// The server's last word; `None` until it answers.
    pub server: Option<bool>,
    /// The state the user last asked for, while it differs from `server` or a PUT is out.
    pub wanted: Option<bool>,
    /// A PUT is in flight.
    pub in_flight: bool,
    /// The last read failed: `e` has nothing to toggle until `r` reads it again.
    pub read_failed: bool,
}

impl Enablement {
    /// What the toggle shows: the wanted state while pending, else the server's.
    pub fn shown(&self) -> Option<bool> {
        self.wanted.or(self.server)
    }

    pub fn pending(&self) -> bool {
        self.in_flight || self.wanted.is_some_and(|w| Some(w) != self.server)
    }
}

/// The zone whose certificates are shown.
#[derive(Debug)]
pub struct OpenZone {
    pub zone: Zone,
    pub generation: u64,
    pub certs: Loadable<Vec<CertRow>>,
    pub enablement: Enablement,
    pub selected: usize,
    /// The latest certificate listing asked for; only its reply is applied, so an
    /// older answer can never overwrite a newer one.
    pub certs_call: u64,
    /// The latest enablement read asked for, likewise.
    pub enablement_call: u64,
    /// How many polls in a row found a certificate still pending; sets the poll delay.
    pub polls: u32,
    /// Lines of the detail pane scrolled off its top; back to 0 for another
    /// certificate.
    pub detail_scroll: usize,
    /// The upload or delete the list is being polled for.
    pub watch: Option<Watch>,
}

/// A certificate change the list is polled for, and which status message said it
/// was sent ("…; watching until it is active"). When the list settles the line says
/// how it ended, unless something else has been said since.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Watch {
    pub cert_id: String,
    /// `Model::messages` when that message was shown.
    pub said: u64,
}

impl OpenZone {
    pub fn ticket(&self) -> Ticket {
        Ticket {
            zone_id: self.zone.id.clone(),
            generation: self.generation,
        }
    }

    pub fn rows(&self) -> &[CertRow] {
        self.certs.loaded().map_or(&[], Vec::as_slice)
    }

    pub fn selected_row(&self) -> Option<&CertRow> {
        self.rows().get(self.selected)
    }

    pub fn warnings(&self, now: DateTime<Utc>) -> Vec<Warning> {
        zone_warnings(
            self.rows().iter().map(|r| &r.cert),
            self.enablement.server,
            now,
        )
    }
}

/// What the zone list shows next to a zone once its state is known.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ZoneSummary {
    pub enabled: Option<bool>,
    pub certificates: Option<usize>,
    pub warning: bool,
}

/// The delete dialog names the certificate it will delete, and only that one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeleteConfirm {
    pub ticket: Ticket,
    pub zone_name: String,
    pub cert_id: String,
    pub issuer: String,
    pub expires: String,
    /// Deleting the zone's only active certificate while enablement is on.
    pub only_active_while_enabled: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UploadField {
    Certificate,
    Key,
}

#[derive(Debug, Clone)]
pub struct UploadForm {
    pub ticket: Ticket,
    pub zone_name: String,
    pub cert_path: TextInput,
    pub key_path: TextInput,
    pub field: UploadField,
    pub error: Option<String>,
    /// The upload call in flight, if one is: its reply belongs to this form, not to
    /// a form opened after this one was closed mid-upload.
    pub submitting: Option<u64>,
}

#[derive(Debug, Clone)]
pub enum Overlay {
    Help,
    ConfirmDelete(DeleteConfirm),
    Upload(UploadForm),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StatusMessage {
    Info(String),
    Error(String),
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

/// What the last frame showed, for the keys that move by a page or scroll: rows of
/// the zone list, the certificate list and the detail pane.
#[derive(Debug, Default)]
pub struct DrawnRows {
    pub zones: Cell<usize>,
    pub certs: Cell<usize>,
    pub detail: Cell<usize>,
    /// How far the detail pane could scroll: its lines less the rows it shows.
    pub detail_hidden: Cell<usize>,
}

#[derive(Debug)]
pub struct Model {
    pub screen: Screen,
    pub zones: ZonePane,
    pub open: Option<OpenZone>,
    pub focus: Focus,
    pub overlays: Vec<Overlay>,
    pub summaries: HashMap<String, ZoneSummary>,
    pub status: Option<StatusMessage>,
    /// How many messages the status line has been given: a new number means
    /// something new was said, even in the same words.
    pub messages: u64,
    /// Calls in flight, each with a short label for the status line.
    pub in_flight: Vec<InFlight>,
    /// Written by the view, which alone knows the layout, for paging.
    pub drawn_rows: DrawnRows,
    pub spinner: usize,
    /// Where the app talks to, for the header ("demo", or the API host).
    pub endpoint: String,
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
            zones: ZonePane::default(),
            open: None,
            focus: Focus::Zones,
            overlays: Vec::new(),
            summaries: HashMap::new(),
            status: None,
            messages: 0,
            in_flight: Vec::new(),
            drawn_rows: DrawnRows::default(),
            spinner: 0,
            endpoint: endpoint.into(),
            token_status: None,
            next_generation: 1,
            next_call: 1,
            quit: false,
            now,
            color: true,
        }
    }

    pub fn busy(&self) -> bool {
        !self.in_flight.is_empty()
    }

    pub fn top_overlay(&self) -> Option<&Overlay> {
        self.overlays.last()
    }

    pub fn account_name(&self) -> Option<&str> {
        self.zones.account.as_deref()
    }
}

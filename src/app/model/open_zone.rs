//! The open zone: its certificates, its enablement, and the change being watched.

use chrono::{DateTime, Utc};

use super::{Loadable, Ticket};
use crate::api::{Certificate, GlobalAop, SslMode, Zone};
use crate::certinfo::CertDetails;
use crate::hostnames::HostnameState;
use crate::survey::{Finding, Presented, Rules, ZoneState, findings};

/// A certificate with what was parsed from its PEM, parsed once when it arrived.
#[derive(Debug, Clone)]
pub struct CertRow {
    pub cert: Certificate,
    pub details: Option<CertDetails>,
}

/// An on/off switch as the screen shows it (zone-level enablement, the global switch):
/// the server's last answer, and what the user asked for while a change is in flight.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Toggle {
    /// The server's last word; `None` until it answers.
    pub server: Option<bool>,
    /// The state the user last asked for, while it differs from `server` or a change
    /// is out.
    pub wanted: Option<bool>,
    /// A change is in flight.
    pub in_flight: bool,
    /// The last read failed: there is nothing to toggle until `r` reads it again.
    pub read_failed: bool,
    /// The server says it cannot be changed here (the global switch on some plans).
    pub locked: bool,
}

impl Toggle {
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
    /// Zone-level AOP.
    pub enablement: Toggle,
    /// Global AOP: Cloudflare's shared certificate.
    pub global: Toggle,
    /// The SSL mode, read with the global switch: off and flexible void every level.
    pub ssl: Option<SslMode>,
    pub hostname_certs: Loadable<Vec<Certificate>>,
    pub selected: usize,
    /// The latest certificate listing asked for; only its reply is applied, so an
    /// older answer can never overwrite a newer one.
    pub certs_call: Option<u64>,
    /// The latest enablement read asked for, likewise; `None` while a change is out,
    /// so a read sent before it cannot answer with the state from before it.
    pub enablement_call: Option<u64>,
    /// The latest settings read (the global switch and the SSL mode), likewise.
    pub settings_call: Option<u64>,
    pub hostnames_call: Option<u64>,
    /// How many polls in a row found a certificate still pending; sets the poll delay.
    pub polls: u32,
    /// Lines of the detail pane scrolled off its top; back to 0 for another
    /// certificate.
    pub detail_scroll: usize,
    /// The upload or delete the list is being polled for.
    pub watch: Option<Watch>,
    /// The findings for what has been read, worked out when something lands (the view
    /// draws them every frame).
    pub findings: Vec<Finding>,
    /// Which certificate the edge presents, worked out likewise.
    pub presented: Presented,
    /// `H`: the per-hostname view in place of the certificate list, with the known
    /// hostnames' associations once read.
    pub hostnames: Option<Loadable<Vec<HostnameState>>>,
    /// The latest read of the known hostnames' associations.
    pub known_call: Option<u64>,
    /// The row selected in the hostnames view: the hostname certificates first,
    /// then the known hostnames.
    pub hostname_selected: usize,
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

/// A row of the per-hostname view.
#[derive(Debug, Clone, Copy)]
pub enum HostnameRow<'a> {
    Cert(&'a Certificate),
    Host(&'a HostnameState),
}

impl OpenZone {
    pub fn new(zone: Zone, generation: u64) -> Self {
        Self {
            zone,
            generation,
            certs: Loadable::Loading,
            enablement: Toggle::default(),
            global: Toggle::default(),
            ssl: None,
            hostname_certs: Loadable::Loading,
            selected: 0,
            certs_call: None,
            enablement_call: None,
            settings_call: None,
            hostnames_call: None,
            polls: 0,
            detail_scroll: 0,
            watch: None,
            hostnames: None,
            known_call: None,
            hostname_selected: 0,
            findings: Vec::new(),
            presented: Presented::Unknown,
        }
    }

    /// The per-hostname view's rows: the hostname certificates, then the known
    /// hostnames once read.
    pub fn hostname_rows(&self) -> Vec<HostnameRow<'_>> {
        let certs = self.hostname_certs.loaded().into_iter().flatten();
        let hosts = match &self.hostnames {
            Some(Loadable::Loaded(states)) => states.as_slice(),
            _ => &[],
        };
        certs
            .map(HostnameRow::Cert)
            .chain(hosts.iter().map(HostnameRow::Host))
            .collect()
    }

    pub fn selected_hostname_row(&self) -> Option<HostnameRow<'_>> {
        let rows = self.hostname_rows();
        let i = self.hostname_selected.min(rows.len().checked_sub(1)?);
        rows.get(i).copied()
    }

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

    /// What has been read of the zone, as the survey keeps it.
    pub fn state(&self) -> ZoneState {
        ZoneState {
            certificates: self
                .certs
                .loaded()
                .map(|rows| rows.iter().map(|r| r.cert.clone()).collect()),
            enabled: self.enablement.server,
            global: self.global.server.map(|on| GlobalAop {
                on,
                editable: Some(!self.global.locked),
                modified_on: None,
            }),
            ssl: self.ssl.clone(),
            hostname_certificates: self.hostname_certs.loaded().cloned(),
            ..ZoneState::new(&self.zone.id, &self.zone.name)
        }
    }

    /// Works the findings out again, for what has been read by `now`.
    pub fn assess(&mut self, now: DateTime<Utc>) {
        let state = self.state();
        self.findings = findings(&state, now, Rules::default());
        self.presented = state.presented();
    }
}

/// What the zone list shows next to a zone once its state is known.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ZoneSummary {
    pub enabled: Option<bool>,
    pub certificates: Option<usize>,
    pub warning: bool,
}

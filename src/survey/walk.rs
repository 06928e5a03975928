//! The survey as a walk over zones: which call to send next, what an answer means,
//! when a zone is done. No I/O here: the CLI's runner and the TUI's executor send the
//! calls and hand the answers back, so every decision is a unit test.

use std::collections::{HashMap, VecDeque};
use std::time::Duration;

use chrono::{DateTime, Utc};

use super::state::ZoneState;
use crate::api::{ApiError, CertStatus, Certificate, ZoneSettings};
use crate::hostnames::HostnameState;

/// The calls a zone needs, and no more: every finding's inputs come from these four.
/// One `GET /zones/{id}/settings` answers both the global switch and the SSL mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Ask {
    Settings,
    Certificates,
    Enablement,
    HostnameCertificates,
}

impl Ask {
    pub const ALL: [Ask; 4] = [
        Self::Settings,
        Self::Certificates,
        Self::Enablement,
        Self::HostnameCertificates,
    ];

    fn bit(self) -> u8 {
        1 << self as u8
    }

    fn what(self) -> &'static str {
        match self {
            Self::Settings => "settings",
            Self::Certificates => "zone-level certificates",
            Self::Enablement => "zone-level enablement",
            Self::HostnameCertificates => "hostname certificates",
        }
    }
}

/// Calls per zone, for estimates and the spending guard.
pub const CALLS_PER_ZONE: usize = Ask::ALL.len();

/// One call for the runner to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Call {
    /// Index of the zone in the survey.
    pub zone: usize,
    pub zone_id: String,
    pub ask: Ask,
}

/// What a call came back with.
#[derive(Debug)]
pub enum Answer {
    Settings(ZoneSettings),
    Certificates(Vec<Certificate>),
    Enablement(bool),
    HostnameCertificates(Vec<Certificate>),
    Failed(ApiError),
}

/// Counts for a progress line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Progress {
    pub zones: usize,
    pub done: usize,
    /// Zones taken from the cache without a call.
    pub cached: usize,
    pub calls_sent: usize,
    pub calls_left: usize,
}

impl Progress {
    /// How long the calls left take at `budget` calls per `window`, at best.
    pub fn eta(&self, budget: usize, window: Duration) -> Duration {
        window.mul_f64(self.calls_left as f64 / budget.max(1) as f64)
    }
}

#[derive(Debug)]
pub struct Survey {
    zones: Vec<ZoneState>,
    /// Per zone, the asks not yet sent.
    unsent: Vec<u8>,
    /// Per zone, the asks sent and not yet answered.
    out: Vec<u8>,
    done: Vec<bool>,
    /// Zones still to start, in the order they are surveyed.
    queue: VecDeque<usize>,
    /// The zone whose calls are being sent.
    current: Option<usize>,
    /// What an earlier survey knew of each zone, for what only history tells.
    earlier: HashMap<String, ZoneState>,
    progress: Progress,
}

impl Survey {
    /// A survey of `zones` (id, name). Those with a state in `cached` surveyed at most
    /// `max_age` before `now` are done at once, without a call.
    pub fn new(
        zones: impl IntoIterator<Item = (String, String)>,
        cached: impl IntoIterator<Item = ZoneState>,
        max_age: Duration,
        now: DateTime<Utc>,
    ) -> Self {
        let earlier: HashMap<String, ZoneState> =
            cached.into_iter().map(|s| (s.zone_id.clone(), s)).collect();
        let max_age = chrono::Duration::from_std(max_age).unwrap_or(chrono::Duration::MAX);
        let mut survey = Self {
            zones: Vec::new(),
            unsent: Vec::new(),
            out: Vec::new(),
            done: Vec::new(),
            queue: VecDeque::new(),
            current: None,
            earlier: HashMap::new(),
            progress: Progress::default(),
        };
        for (id, name) in zones {
            let i = survey.zones.len();
            let fresh = earlier
                .get(&id)
                .filter(|s| s.surveyed_at.is_some_and(|t| now - t <= max_age))
                .filter(|s| s.unreadable.is_empty());
            match fresh {
                Some(state) => {
                    let mut state = state.clone();
                    state.zone_name = name;
                    survey.zones.push(state);
                    survey.unsent.push(0);
                    survey.done.push(true);
                    survey.progress.cached += 1;
                    survey.progress.done += 1;
                }
                None => {
                    // The walk does not read associations: the last ones read (by an
                    // audit) stay until one reads them again.
                    let hostnames = earlier
                        .get(&id)
                        .map(|s| s.hostnames.clone())
                        .unwrap_or_default();
                    survey.zones.push(ZoneState {
                        hostnames,
                        ..ZoneState::new(id, name)
                    });
                    survey
                        .unsent
                        .push(Ask::ALL.iter().fold(0, |m, a| m | a.bit()));
                    survey.done.push(false);
                    survey.queue.push_back(i);
                    survey.progress.calls_left += CALLS_PER_ZONE;
                }
            }
            survey.out.push(0);
        }
        survey.progress.zones = survey.zones.len();
        survey.earlier = earlier;
        survey
    }

    pub fn progress(&self) -> Progress {
        self.progress
    }

    pub fn is_done(&self) -> bool {
        self.progress.done == self.zones.len()
    }

    /// Every zone's state as far as it is known, in the order given.
    pub fn zones(&self) -> &[ZoneState] {
        &self.zones
    }

    /// The zones already done, in the order given: cached ones among them.
    pub fn finished(&self) -> impl Iterator<Item = &ZoneState> {
        self.zones
            .iter()
            .zip(&self.done)
            .filter(|(_, d)| **d)
            .map(|(z, _)| z)
    }

    /// What the known hostnames of a zone are associated with, read outside the walk
    /// (per hostname, where originpull knows some): the findings read it.
    pub fn set_hostnames(&mut self, zone_id: &str, hostnames: Vec<HostnameState>) {
        if let Some(zone) = self.zones.iter_mut().find(|z| z.zone_id == zone_id) {
            zone.hostnames = hostnames;
        }
    }

    /// These zones go next, in this order (the rows on screen, say).
    pub fn prioritize<'a>(&mut self, zone_ids: impl IntoIterator<Item = &'a str>) {
        let wanted: Vec<usize> = zone_ids
            .into_iter()
            .filter_map(|id| self.zones.iter().position(|z| z.zone_id == id))
            .filter(|&i| self.queue.contains(&i))
            .collect();
        self.queue.retain(|i| !wanted.contains(i));
        for i in wanted.into_iter().rev() {
            self.queue.push_front(i);
        }
    }

    /// The next call to send: a zone's calls go out together, then the next zone's,
    /// so zones finish one after another and the first finding comes early.
    pub fn next_call(&mut self) -> Option<Call> {
        loop {
            let zone = match self.current {
                Some(z) if self.unsent[z] != 0 => z,
                _ => {
                    let z = self.queue.pop_front()?;
                    self.current = Some(z);
                    z
                }
            };
            let Some(ask) = Ask::ALL
                .into_iter()
                .find(|a| self.unsent[zone] & a.bit() != 0)
            else {
                continue;
            };
            self.unsent[zone] &= !ask.bit();
            self.out[zone] |= ask.bit();
            self.progress.calls_sent += 1;
            self.progress.calls_left -= 1;
            return Some(Call {
                zone,
                zone_id: self.zones[zone].zone_id.clone(),
                ask,
            });
        }
    }

    /// Takes an answer; returns the zone's state when this was its last call.
    pub fn answer(
        &mut self,
        call: &Call,
        answer: Answer,
        now: DateTime<Utc>,
    ) -> Option<&ZoneState> {
        let i = call.zone;
        if self.out.get(i).is_none_or(|m| m & call.ask.bit() == 0) {
            return None;
        }
        self.out[i] &= !call.ask.bit();
        let state = &mut self.zones[i];
        match answer {
            Answer::Settings(settings) => {
                state.global = settings.global;
                state.ssl = settings.ssl;
            }
            Answer::Certificates(certs) => state.certificates = Some(slim(certs)),
            Answer::Enablement(enabled) => state.enabled = Some(enabled),
            Answer::HostnameCertificates(certs) => {
                state.hostname_certificates = Some(slim(certs));
            }
            Answer::Failed(e) => {
                state
                    .unreadable
                    .push(format!("{}: {}", call.ask.what(), describe(&e)))
            }
        }
        if self.out[i] != 0 || self.unsent[i] != 0 {
            return None;
        }
        state.surveyed_at = Some(now);
        state.deleting_since = deleting_since(state, self.earlier.get(&state.zone_id), now);
        self.done[i] = true;
        self.progress.done += 1;
        Some(&self.zones[i])
    }
}

/// A failure in words, with what to do where there is something.
fn describe(e: &ApiError) -> String {
    match e.hint() {
        Some(hint) => format!("{e} ({hint})"),
        None => e.to_string(),
    }
}

/// The survey keeps what the findings read, not the PEM: a cache of thousands of
/// zones stays small.
fn slim(mut certs: Vec<Certificate>) -> Vec<Certificate> {
    for c in &mut certs {
        c.certificate = None;
    }
    certs
}

/// Certificates pending deletion now, with when a survey first saw each so.
fn deleting_since(
    state: &ZoneState,
    earlier: Option<&ZoneState>,
    now: DateTime<Utc>,
) -> Vec<(String, DateTime<Utc>)> {
    state
        .all_certificates()
        .filter(|(_, c)| c.status == Some(CertStatus::PendingDeletion))
        .filter_map(|(_, c)| c.id.clone())
        .map(|id| {
            let since = earlier
                .and_then(|e| e.deleting_since.iter().find(|(seen, _)| *seen == id))
                .map_or(now, |(_, since)| *since);
            (id, since)
        })
        .collect()
}

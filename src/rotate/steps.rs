//! One zone's rotation as a step machine, and the rotation of many zones built on it:
//! which call a zone needs next, what each answer means, when it is done. No I/O
//! here: the CLI's runner and the TUI's executor send the calls and hand the answers
//! back, so every decision is a unit test.
//!
//! checked → (plan approved) → uploaded → active → old deleted → done; or failed, with
//! the reason, the old certificates kept whenever the new one is not active.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use super::journal::{Event, Memory};
use super::plan::{NewCert, ZonePlan};
use crate::api::{ApiError, Association, CertStatus, Certificate, HostnameSetting};

/// A step's tries when the answer is a transient failure, on top of the client's own
/// retries of each call.
pub const STEP_TRIES: u32 = 4;
const STEP_BACKOFF: Duration = Duration::from_secs(1);
/// The first look at an upload, then twice as long each time, up to the last.
pub const FIRST_POLL: Duration = Duration::from_secs(2);
pub const LAST_POLL: Duration = Duration::from_secs(60);

/// How many looks a zone's wait for activation takes at most: 2 s, 4, 8… up to a
/// minute apart, and one as the wait ends. A command's spending guard counts on it.
pub fn polls_within(wait: Duration) -> u64 {
    let (mut waited, mut poll, mut polls) = (Duration::ZERO, FIRST_POLL, 1);
    while waited < wait {
        waited += poll.min(LAST_POLL);
        poll = poll.saturating_mul(2);
        polls += 1;
    }
    polls
}
/// How long a rotation waits for a certificate to turn active, unless `--wait` says.
pub const DEFAULT_WAIT: Duration = Duration::from_secs(15 * 60);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    /// How long to wait for the new certificate to turn active.
    pub wait: Duration,
    /// Delete nothing.
    pub keep_old: bool,
    /// Rotate the zone's hostname certificate instead, moving every known hostname
    /// that uses the old one.
    pub hostnames: bool,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            wait: DEFAULT_WAIT,
            keep_old: false,
            hostnames: false,
        }
    }
}

/// What a call asks of the zone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "call", rename_all = "snake_case")]
pub enum Ask {
    /// Its certificate list.
    List,
    /// The new certificate, uploaded.
    Upload,
    /// One certificate, to see its status.
    Get {
        cert_id: String,
    },
    Delete {
        cert_id: String,
    },
    /// `--hostnames`: the hostnames onto the new certificate, in one PUT.
    Move {
        settings: Vec<HostnameSetting>,
    },
    /// `--hostnames`: one moved hostname's association, to see it on the new one.
    ReadHostname {
        hostname: String,
    },
}

/// One call for the runner to send, `after` this long.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Call {
    /// Index of the zone in the rotation.
    pub zone: usize,
    pub zone_id: String,
    pub ask: Ask,
    pub after: Duration,
    /// The hostname certificate endpoints, not the zone-level ones.
    pub hostnames: bool,
}

/// What a call came back with.
#[derive(Debug)]
pub enum Answer {
    Listed(Vec<Certificate>),
    Uploaded(Certificate),
    Got(Certificate),
    Deleted,
    Moved(Vec<Association>),
    Hostname(Option<Association>),
    Failed(ApiError),
}

/// Where a zone stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// Its certificates are to be read: the plan's input.
    Check,
    /// Read; waits for the plan to be approved.
    Planned,
    Upload,
    /// The list is read again to find an upload whose answer was lost, or that the API
    /// refused as a duplicate (1406): the upload may be there already.
    Find {
        after_duplicate: bool,
    },
    /// Uploaded: its status is polled until it is active.
    Wait,
    /// `--hostnames`: active; the hostnames go onto it in one PUT.
    Move,
    /// `--hostnames`: moved; each is read until it reports the new certificate.
    Confirm,
    /// Active: what it replaces is deleted, one at a time.
    DeleteOld,
    Done(Outcome),
    Failed(Failure),
}

impl Step {
    pub fn is_final(&self) -> bool {
        matches!(self, Self::Done(_) | Self::Failed(_))
    }

    /// The step in a few words, for a progress line and the table.
    pub fn label(&self) -> &'static str {
        match self {
            Self::Check => "checking",
            Self::Planned => "planned",
            Self::Upload => "uploading",
            Self::Find { .. } => "looking for the upload",
            Self::Wait => "uploaded, waiting until it is active",
            Self::Move => "active, moving the hostnames",
            Self::Confirm => "moved, waiting for the hostnames to report it",
            Self::DeleteOld => "active, deleting what it replaces",
            Self::Done(Outcome::Rotated) => "rotated",
            Self::Done(Outcome::KeptOld) => "rotated, old kept",
            Self::Done(Outcome::Earlier) => "rotated earlier",
            Self::Failed(_) => "failed",
        }
    }
}

/// How a zone that ended well ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// The new certificate is active and what it replaces is deleted (or there was
    /// nothing to delete).
    Rotated,
    /// The new certificate is active; `--keep-old` kept what it replaces.
    KeptOld,
    /// An earlier run of the same rotation finished this zone.
    Earlier,
}

/// Why a zone did not rotate, and whether its old certificates are still in place.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Failure {
    pub reason: String,
    /// The old certificates are all still there (the new one never turned active, or
    /// was never uploaded).
    pub old_kept: bool,
}

/// One zone of a rotation.
#[derive(Debug, Clone)]
pub struct ZoneRotation {
    pub zone_id: String,
    pub zone: String,
    pub step: Step,
    /// Set once the zone's list has been read.
    pub plan: Option<ZonePlan>,
    /// The new certificate's id in this zone, once known.
    pub new_id: Option<String>,
    /// What is still to be deleted, in order.
    pub to_delete: Vec<String>,
    /// What this rotation deleted, in this run and earlier ones.
    pub deleted: Vec<String>,
    /// `--hostnames`: the zone's known hostnames and their associations, as read
    /// before the plan.
    pub hostnames: Vec<(String, Association)>,
    /// `--hostnames`: the hostnames to move, with whether each is enabled.
    pub to_move: Vec<(String, bool)>,
    /// `--hostnames`: moved, not yet seen on the new certificate.
    pub to_confirm: Vec<String>,
    /// `--hostnames`: the hostnames this run moved.
    pub moved: Vec<String>,
    /// What the new certificate replaces and `--keep-old` keeps.
    pub kept: Vec<String>,
    /// What an earlier run recorded.
    memory: Memory,
    /// Transient failures of the current step in a row.
    tries: u32,
    /// Looks at the new certificate so far.
    polls: u32,
    wait_started: Option<Instant>,
    /// A call for this zone is out.
    out: bool,
}

impl ZoneRotation {
    pub fn new(zone_id: String, zone: String, memory: Memory) -> Self {
        let step = if memory.done {
            Step::Done(Outcome::Earlier)
        } else {
            Step::Check
        };
        Self {
            zone_id,
            zone,
            step,
            plan: None,
            new_id: memory.new_id.clone(),
            to_delete: Vec::new(),
            deleted: memory.deleted.clone(),
            hostnames: Vec::new(),
            to_move: Vec::new(),
            to_confirm: Vec::new(),
            moved: Vec::new(),
            kept: Vec::new(),
            memory,
            tries: 0,
            polls: 0,
            wait_started: None,
            out: false,
        }
    }

    /// The call this zone needs now, if any, given whether the plan is approved.
    fn next(&self, approved: bool, options: &Options, now: Instant) -> Option<(Ask, Duration)> {
        let retry_in = if self.tries == 0 {
            Duration::ZERO
        } else {
            STEP_BACKOFF * 2u32.saturating_pow(self.tries - 1)
        };
        let ask = match &self.step {
            Step::Check | Step::Find { .. } => Ask::List,
            Step::Upload if approved => Ask::Upload,
            Step::Wait => {
                let poll = FIRST_POLL.saturating_mul(2u32.saturating_pow(self.polls.min(16)));
                // The last look comes as the wait ends, not a long poll after it.
                let left = self.wait_started.map_or(options.wait, |t| {
                    (t + options.wait).saturating_duration_since(now)
                });
                return Some((
                    Ask::Get {
                        cert_id: self.new_id.clone()?,
                    },
                    poll.min(LAST_POLL).min(left).max(retry_in),
                ));
            }
            Step::DeleteOld if approved => Ask::Delete {
                cert_id: self.to_delete.first()?.clone(),
            },
            Step::Move if approved => Ask::Move {
                settings: self
                    .to_move
                    .iter()
                    .map(|(hostname, enabled)| HostnameSetting {
                        hostname: hostname.clone(),
                        cert_id: self.new_id.clone(),
                        enabled: Some(*enabled),
                    })
                    .collect(),
            },
            Step::Confirm => {
                let poll = FIRST_POLL.saturating_mul(2u32.saturating_pow(self.polls.min(16)));
                return Some((
                    Ask::ReadHostname {
                        hostname: self.to_confirm.first()?.clone(),
                    },
                    poll.min(LAST_POLL).max(retry_in),
                ));
            }
            _ => return None,
        };
        Some((ask, retry_in))
    }

    /// Takes an answer to `ask`; returns what the journal should record.
    pub fn take(
        &mut self,
        ask: &Ask,
        answer: Answer,
        new: &NewCert,
        options: &Options,
        now: Instant,
    ) -> Vec<Event> {
        self.out = false;
        let mut events = Vec::new();
        match (self.step.clone(), ask, answer) {
            (Step::Check, Ask::List, Answer::Listed(certs)) => {
                self.tries = 0;
                let plan = ZonePlan::of(
                    &self.zone_id,
                    &self.zone,
                    &certs,
                    new,
                    self.memory.new_id.as_deref(),
                    self.memory.replaces.as_deref(),
                );
                let mut plan = plan;
                if options.hostnames {
                    self.plan_hostnames(&mut plan);
                }
                let replaces = plan.replaces.iter().map(|l| l.id.clone()).collect();
                if options.keep_old {
                    self.kept = replaces;
                } else {
                    self.to_delete = replaces;
                }
                events.push(Event::Checked {
                    replaces: plan.replaces.iter().map(|l| l.id.clone()).collect(),
                    new_id: plan.uploaded.as_ref().map(|l| l.id.clone()),
                });
                self.new_id = plan.uploaded.as_ref().map(|l| l.id.clone());
                let found = certs
                    .iter()
                    .find(|c| c.id.is_some() && c.id == self.new_id)
                    .cloned();
                self.plan = Some(plan);
                self.step = Step::Planned;
                match found {
                    Some(cert) if unusable(&cert).is_some() => {
                        self.fail(unusable(&cert).expect("checked"), &mut events);
                    }
                    // Active, nothing left to delete or move: nothing to do here.
                    Some(cert)
                        if cert.status == Some(CertStatus::Active)
                            && self.to_delete.is_empty()
                            && self.to_move.is_empty() =>
                    {
                        self.step = Step::Done(Outcome::Earlier);
                        events.push(Event::Done);
                    }
                    _ => {}
                }
            }
            (Step::Find { after_duplicate }, Ask::List, Answer::Listed(certs)) => {
                match certs.iter().find(|c| new.is(c, None)) {
                    Some(cert) => {
                        self.tries = 0;
                        self.new_id = cert.id.clone();
                        events.push(Event::Uploaded {
                            cert_id: cert.id.clone().unwrap_or_default(),
                        });
                        self.on_status(cert, options, now, &mut events);
                    }
                    None if after_duplicate => self.fail(
                        Failure {
                            reason: "Cloudflare answered that the certificate is already \
                                     uploaded (1406), but the zone's list does not show it"
                                .into(),
                            old_kept: true,
                        },
                        &mut events,
                    ),
                    None => {
                        // The upload that failed did not land: send it again.
                        self.step = Step::Upload;
                    }
                }
            }
            (Step::Upload, Ask::Upload, Answer::Uploaded(cert)) => {
                self.tries = 0;
                self.new_id = cert.id.clone();
                events.push(Event::Uploaded {
                    cert_id: cert.id.clone().unwrap_or_default(),
                });
                self.on_status(&cert, options, now, &mut events);
            }
            (Step::Upload, Ask::Upload, Answer::Failed(e)) if e.has_code(1406) => {
                self.step = Step::Find {
                    after_duplicate: true,
                };
            }
            (Step::Upload, Ask::Upload, Answer::Failed(e)) if transient(&e) => {
                events.push(Event::Retrying {
                    reason: e.to_string(),
                });
                // A reply lost on the way may hide an upload that landed: look first.
                if crate::api::retry::maybe_processed(&e) {
                    self.step = Step::Find {
                        after_duplicate: false,
                    };
                }
                self.retry(&e, &mut events);
            }
            (Step::Wait, Ask::Get { .. }, Answer::Got(cert)) => {
                self.tries = 0;
                self.polls += 1;
                self.on_status(&cert, options, now, &mut events);
            }
            (Step::Wait, Ask::Get { .. }, Answer::Failed(e)) if e.status() == Some(404) => {
                self.fail(
                    Failure {
                        reason: "the new certificate is gone from the zone: something else \
                                 deleted it"
                            .into(),
                        old_kept: true,
                    },
                    &mut events,
                );
            }
            (Step::Wait, Ask::Get { .. }, Answer::Failed(e)) if transient(&e) => {
                // Polling goes on until the wait is over.
                events.push(Event::Retrying {
                    reason: e.to_string(),
                });
                self.polls += 1;
                self.check_deadline(options, now, &mut events);
            }
            (Step::Move, Ask::Move { settings }, Answer::Moved(_)) => {
                self.tries = 0;
                let hostnames: Vec<String> = settings.iter().map(|s| s.hostname.clone()).collect();
                events.push(Event::Moved {
                    hostnames: hostnames.clone(),
                });
                self.to_move.clear();
                self.moved.extend(hostnames.iter().cloned());
                self.to_confirm = hostnames;
                self.polls = 0;
                self.wait_started = Some(now);
                self.step = Step::Confirm;
            }
            (Step::Move, Ask::Move { .. }, Answer::Failed(e)) if transient(&e) => {
                events.push(Event::Retrying {
                    reason: e.to_string(),
                });
                self.retry(&e, &mut events);
            }
            (Step::Confirm, Ask::ReadHostname { hostname }, Answer::Hostname(found)) => {
                self.tries = 0;
                let on_new = found.as_ref().is_none_or(|a| {
                    a.cert_id == self.new_id
                        && (a.enabled == Some(false) || a.status == Some(CertStatus::Active))
                });
                if on_new {
                    self.to_confirm.retain(|h| h != hostname);
                    events.push(Event::Confirmed {
                        hostname: hostname.clone(),
                    });
                    if self.to_confirm.is_empty() {
                        self.step = Step::DeleteOld;
                        self.finish_if_clear(&mut events);
                    }
                } else {
                    self.polls += 1;
                    self.check_deadline(options, now, &mut events);
                }
            }
            (Step::Confirm, Ask::ReadHostname { .. }, Answer::Failed(e)) if transient(&e) => {
                events.push(Event::Retrying {
                    reason: e.to_string(),
                });
                self.polls += 1;
                self.check_deadline(options, now, &mut events);
            }
            (Step::DeleteOld, Ask::Delete { cert_id }, Answer::Deleted) => {
                self.tries = 0;
                self.deleted_one(cert_id, &mut events);
            }
            (Step::DeleteOld, Ask::Delete { cert_id }, Answer::Failed(e))
                if e.status() == Some(404) =>
            {
                // Gone already: what the delete was for.
                self.tries = 0;
                self.to_delete.retain(|id| id != cert_id);
                self.finish_if_clear(&mut events);
            }
            (Step::DeleteOld, Ask::Delete { .. }, Answer::Failed(e)) if transient(&e) => {
                events.push(Event::Retrying {
                    reason: e.to_string(),
                });
                self.retry(&e, &mut events);
            }
            (Step::Check | Step::Find { .. }, Ask::List, Answer::Failed(e)) if transient(&e) => {
                events.push(Event::Retrying {
                    reason: e.to_string(),
                });
                self.retry(&e, &mut events);
            }
            (step, _, Answer::Failed(e)) => {
                let failure = Failure {
                    reason: describe(&e),
                    old_kept: !matches!(step, Step::DeleteOld),
                };
                self.fail(with_context(&step, failure), &mut events);
            }
            (_, _, answer) => {
                tracing::warn!(zone = %self.zone, ?answer, "an answer that fits no step");
            }
        }
        events
    }

    /// What the new certificate's status means.
    fn on_status(
        &mut self,
        cert: &Certificate,
        options: &Options,
        now: Instant,
        events: &mut Vec<Event>,
    ) {
        if let Some(failure) = unusable(cert) {
            self.fail(failure, events);
            return;
        }
        if cert.status == Some(CertStatus::Active) {
            events.push(Event::Active {
                cert_id: self.new_id.clone().unwrap_or_default(),
            });
            if self.to_move.is_empty() {
                self.step = Step::DeleteOld;
                self.finish_if_clear(events);
            } else {
                self.step = Step::Move;
            }
            return;
        }
        if self.step != Step::Wait {
            self.step = Step::Wait;
            self.wait_started = Some(now);
            self.polls = 0;
        }
        self.check_deadline(options, now, events);
    }

    /// `--hostnames`: the certificates replaced are those the known hostnames use (a
    /// certificate whose hostnames originpull does not know is left alone: deleting
    /// it could strand them), and those hostnames move.
    fn plan_hostnames(&mut self, plan: &mut ZonePlan) {
        let new_id = plan.uploaded.as_ref().map(|l| l.id.clone());
        let used: Vec<&str> = self
            .hostnames
            .iter()
            .filter_map(|(_, a)| a.cert_id.as_deref())
            .filter(|id| Some(*id) != new_id.as_deref())
            .collect();
        plan.replaces.retain(|l| used.contains(&l.id.as_str()));
        self.to_move = self
            .hostnames
            .iter()
            .filter(|(_, a)| {
                a.cert_id
                    .as_deref()
                    .is_some_and(|id| plan.replaces.iter().any(|l| l.id == id))
            })
            .map(|(h, a)| (h.clone(), a.enabled != Some(false)))
            .collect();
    }

    fn check_deadline(&mut self, options: &Options, now: Instant, events: &mut Vec<Event>) {
        let started = *self.wait_started.get_or_insert(now);
        if now.saturating_duration_since(started) >= options.wait {
            self.fail(
                Failure {
                    reason: format!(
                        "the new certificate was not active after {}; the old one stays; \
                         run the same command again to keep waiting",
                        humantime::format_duration(options.wait)
                    ),
                    old_kept: true,
                },
                events,
            );
        }
    }

    fn deleted_one(&mut self, cert_id: &str, events: &mut Vec<Event>) {
        events.push(Event::Deleted {
            cert_id: cert_id.to_owned(),
        });
        self.to_delete.retain(|id| id != cert_id);
        if !self.deleted.iter().any(|id| id == cert_id) {
            self.deleted.push(cert_id.to_owned());
        }
        self.finish_if_clear(events);
    }

    fn finish_if_clear(&mut self, events: &mut Vec<Event>) {
        // Never the new one, whatever the list said.
        let new_id = self.new_id.clone();
        self.to_delete.retain(|id| Some(id) != new_id.as_ref());
        if self.to_delete.is_empty() {
            self.step = Step::Done(if !self.kept.is_empty() {
                Outcome::KeptOld
            } else {
                Outcome::Rotated
            });
            events.push(Event::Done);
        }
    }

    fn retry(&mut self, e: &ApiError, events: &mut Vec<Event>) {
        self.tries += 1;
        if self.tries >= STEP_TRIES {
            let step = self.step.clone();
            let failure = Failure {
                reason: format!("{} (after {STEP_TRIES} tries)", describe(e)),
                old_kept: !matches!(step, Step::DeleteOld),
            };
            self.fail(with_context(&step, failure), events);
        }
    }

    fn fail(&mut self, failure: Failure, events: &mut Vec<Event>) {
        events.push(Event::Failed {
            reason: failure.reason.clone(),
        });
        self.step = Step::Failed(failure);
    }

    /// After the plan is approved: the step its list leads to.
    fn start(&mut self, options: &Options, now: Instant, events: &mut Vec<Event>) {
        if self.step != Step::Planned {
            return;
        }
        let uploaded = self.plan.as_ref().and_then(|p| p.uploaded.clone());
        match uploaded {
            None => self.step = Step::Upload,
            Some(listed) => {
                let cert = Certificate {
                    id: Some(listed.id),
                    status: listed.status.as_deref().map(CertStatus::from_api),
                    ..Default::default()
                };
                self.on_status(&cert, options, now, events);
            }
        }
    }
}

/// A new certificate that is there but will never do.
fn unusable(cert: &Certificate) -> Option<Failure> {
    let id = cert.id.as_deref().unwrap_or("?");
    match cert.status.as_ref()? {
        CertStatus::DeploymentTimedOut => Some(Failure {
            reason: format!(
                "the new certificate's deployment timed out ({id}); the old one stays; \
                 delete {id} and run the same command again to try once more"
            ),
            old_kept: true,
        }),
        CertStatus::PendingDeletion | CertStatus::Deleted | CertStatus::DeletionTimedOut => {
            Some(Failure {
                reason: format!(
                    "the new certificate ({id}) is being deleted; run the same command \
                     again once it is gone"
                ),
                old_kept: true,
            })
        }
        _ => None,
    }
}

/// A failure that trying again may cure: the network, a rate limit, a server error.
fn transient(e: &ApiError) -> bool {
    matches!(
        e,
        ApiError::Timeout { .. } | ApiError::Connect { .. } | ApiError::Transport { .. }
    ) || matches!(e.status(), Some(408 | 429 | 500..=599))
}

fn describe(e: &ApiError) -> String {
    match e.hint() {
        Some(hint) => format!("{e} ({hint})"),
        None => e.to_string(),
    }
}

/// What the step was, in front of why it failed.
fn with_context(step: &Step, failure: Failure) -> Failure {
    let what = match step {
        Step::Check | Step::Find { .. } => "reading the zone's certificates",
        Step::Upload => "uploading",
        Step::Wait => "waiting for the new certificate",
        Step::DeleteOld => {
            "deleting the old certificate (the new one is active; run the same command \
             again to finish)"
        }
        _ => "",
    };
    Failure {
        reason: format!("{what}: {}", failure.reason),
        ..failure
    }
}

/// Counts for a progress line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Progress {
    pub zones: usize,
    pub rotated: usize,
    pub failed: usize,
    pub calls: usize,
}

/// A journal entry for a zone, before the runner stamps and writes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub zone_id: String,
    pub event: Event,
}

/// The rotation of many zones: each its own step machine, all on one budget.
#[derive(Debug)]
pub struct Rotation {
    new: NewCert,
    options: Options,
    zones: Vec<ZoneRotation>,
    approved: bool,
    journal: Vec<Entry>,
    calls: usize,
}

impl Rotation {
    /// A rotation of `zones` (id, name) to `new`, resuming what `memory` recorded.
    pub fn new(
        new: NewCert,
        options: Options,
        zones: impl IntoIterator<Item = (String, String)>,
        mut memory: HashMap<String, Memory>,
    ) -> Self {
        let zones = zones
            .into_iter()
            .map(|(id, name)| {
                let m = memory.remove(&id).unwrap_or_default();
                ZoneRotation::new(id, name, m)
            })
            .collect();
        Self {
            new,
            options,
            zones,
            approved: false,
            journal: Vec::new(),
            calls: 0,
        }
    }

    /// `--hostnames`: each zone's known hostnames and their associations, by zone id.
    pub fn with_hostnames(
        mut self,
        mut known: HashMap<String, Vec<(String, Association)>>,
    ) -> Self {
        for zone in &mut self.zones {
            zone.hostnames = known.remove(&zone.zone_id).unwrap_or_default();
        }
        self
    }

    pub fn new_cert(&self) -> &NewCert {
        &self.new
    }

    pub fn options(&self) -> &Options {
        &self.options
    }

    pub fn zones(&self) -> &[ZoneRotation] {
        &self.zones
    }

    /// Every zone's list is read: the plan can be shown.
    pub fn is_planned(&self) -> bool {
        self.zones
            .iter()
            .all(|z| !matches!(z.step, Step::Check) && !z.out)
    }

    /// Whether anything is left to do once approved.
    pub fn has_work(&self) -> bool {
        self.zones.iter().any(|z| z.step == Step::Planned)
    }

    pub fn is_approved(&self) -> bool {
        self.approved
    }

    /// The plan is accepted: the zones go on from where their lists put them.
    pub fn approve(&mut self, now: Instant) {
        self.approved = true;
        for zone in &mut self.zones {
            let mut events = Vec::new();
            zone.start(&self.options, now, &mut events);
            let id = zone.zone_id.clone();
            self.journal.extend(events.into_iter().map(|event| Entry {
                zone_id: id.clone(),
                event,
            }));
        }
    }

    pub fn is_done(&self) -> bool {
        self.zones.iter().all(|z| z.step.is_final())
    }

    pub fn progress(&self) -> Progress {
        Progress {
            zones: self.zones.len(),
            rotated: self
                .zones
                .iter()
                .filter(|z| matches!(z.step, Step::Done(_)))
                .count(),
            failed: self
                .zones
                .iter()
                .filter(|z| matches!(z.step, Step::Failed(_)))
                .count(),
            calls: self.calls,
        }
    }

    /// Every call that can go now, one per zone at most; each is recorded in the
    /// journal (see [`take_journal`](Self::take_journal)) before it is handed out.
    pub fn next_calls(&mut self, now: Instant) -> Vec<Call> {
        let mut calls = Vec::new();
        for (i, zone) in self.zones.iter_mut().enumerate() {
            if zone.out {
                continue;
            }
            let Some((ask, after)) = zone.next(self.approved, &self.options, now) else {
                continue;
            };
            zone.out = true;
            self.journal.push(Entry {
                zone_id: zone.zone_id.clone(),
                event: Event::Sending { ask: ask.clone() },
            });
            calls.push(Call {
                zone: i,
                zone_id: zone.zone_id.clone(),
                ask,
                after,
                hostnames: self.options.hostnames,
            });
        }
        self.calls += calls.len();
        calls
    }

    /// Takes an answer; returns the zone when its step changed.
    pub fn answer(&mut self, call: &Call, answer: Answer, now: Instant) -> Option<&ZoneRotation> {
        let zone = self.zones.get_mut(call.zone)?;
        if !zone.out || zone.zone_id != call.zone_id {
            return None;
        }
        let before = zone.step.clone();
        let mut events = zone.take(&call.ask, answer, &self.new, &self.options, now);
        if self.approved {
            zone.start(&self.options, now, &mut events);
        }
        let changed = zone.step != before;
        self.journal.extend(events.into_iter().map(|event| Entry {
            zone_id: call.zone_id.clone(),
            event,
        }));
        changed.then_some(&self.zones[call.zone])
    }

    /// What the journal must record now, in order.
    pub fn take_journal(&mut self) -> Vec<Entry> {
        std::mem::take(&mut self.journal)
    }
}

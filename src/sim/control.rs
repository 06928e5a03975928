//! State shared by the server and its control handle: the account, the fault and
//! latency rules, and the request log.

use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use chrono::Utc;
use serde::{Deserialize, Serialize};
use tokio::sync::watch;

use super::RateLimit;
use super::dns::DnsEntry;
use super::faults::{FaultKind, FaultRule};
use super::hostnames::normalize_hostname;
use super::record::{RecordedRequest, RequestLog};
use super::state::{
    AssociationRecord, CertRecord, Countdown, Deployment, HostnameAssociation, HostnameRefusal,
    MAX_ASSOCIATIONS_PER_CERT, ZoneState, Zones, random_cert_id,
};
use crate::api::model::{CertStatus, Certificate, GlobalAop, SslMode};
use crate::certinfo;

/// What the simulated token may do with zone settings (`GET /zones/{id}/settings`,
/// `GET|PATCH .../settings/tls_client_auth`): Cloudflare's permission Zone → Zone
/// Settings. Without it those calls answer 403, code 10000, as Cloudflare does. Every
/// other call is unaffected.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ZoneSettingsAccess {
    /// No Zone Settings permission at all.
    #[serde(rename = "none")]
    NoAccess,
    Read,
    /// Read and Edit: the default.
    #[default]
    Edit,
}

/// What `GET .../hostnames/{hostname}` answers for a hostname without an association
/// (never made, or removed). The live answer is undocumented: either may come.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnassociatedAnswer {
    /// HTTP 404, code 1416 (`codes::HOSTNAME_NOT_ASSOCIATED`): the default.
    #[default]
    NotFound,
    /// HTTP 200, `success: true`, and a `result` whose fields are all `null`.
    NullFields,
}

pub struct Shared {
    pub token: String,
    /// The id `GET /user/tokens/verify` reports; random, so it says nothing of the token.
    pub token_id: String,
    pub deploy_delay: Duration,
    pub delete_delay: Duration,
    pub zones: Zones,
    state: Mutex<ZoneState>,
    faults: Mutex<Vec<FaultRule>>,
    /// Zones (by index) whose uploads time out instead of turning active.
    failing_deployments: Mutex<std::collections::HashSet<usize>>,
    latency: Mutex<Latency>,
    requests: Mutex<RequestLog>,
    zone_settings_access: Mutex<ZoneSettingsAccess>,
    unassociated: Mutex<UnassociatedAnswer>,
    rate_limit: Option<RateLimit>,
    /// Arrival times of the requests in the rate limit's window, and how many were
    /// answered 429.
    admitted: Mutex<(VecDeque<Instant>, usize)>,
    shutdown: Shutdown,
}

struct Latency {
    global: Duration,
    rules: Vec<(String, Duration)>,
}

pub struct SharedConfig {
    pub token: String,
    pub latency: Duration,
    pub deploy_delay: Duration,
    pub delete_delay: Duration,
    pub rate_limit: Option<RateLimit>,
}

impl Shared {
    pub fn new(config: SharedConfig, zones: Zones, state: ZoneState, shutdown: Shutdown) -> Self {
        Self {
            token: config.token,
            token_id: uuid::Uuid::new_v4().simple().to_string(),
            deploy_delay: config.deploy_delay,
            delete_delay: config.delete_delay,
            zones,
            state: Mutex::new(state),
            faults: Mutex::new(Vec::new()),
            failing_deployments: Mutex::new(std::collections::HashSet::new()),
            latency: Mutex::new(Latency {
                global: config.latency,
                rules: Vec::new(),
            }),
            requests: Mutex::new(RequestLog::default()),
            zone_settings_access: Mutex::new(ZoneSettingsAccess::default()),
            unassociated: Mutex::new(UnassociatedAnswer::default()),
            rate_limit: config.rate_limit,
            admitted: Mutex::new((VecDeque::new(), 0)),
            shutdown,
        }
    }

    /// Counts a request against the rate limit; `Err` with how long until one fits
    /// when the window is full.
    pub fn admit(&self) -> Result<(), Duration> {
        let Some(limit) = self.rate_limit else {
            return Ok(());
        };
        let mut admitted = self.admitted.lock().expect("rate limit lock");
        let now = Instant::now();
        let (times, refused) = &mut *admitted;
        while times.front().is_some_and(|&t| now - t >= limit.window) {
            times.pop_front();
        }
        if times.len() < limit.requests {
            times.push_back(now);
            return Ok(());
        }
        *refused += 1;
        Err(limit.window - (now - times[0]))
    }

    /// Requests answered 429 by the rate limit so far.
    pub fn rate_limited(&self) -> usize {
        self.admitted.lock().expect("rate limit lock").1
    }

    pub fn state(&self) -> MutexGuard<'_, ZoneState> {
        self.state.lock().expect("simulator state lock poisoned")
    }

    pub fn zone_settings_access(&self) -> ZoneSettingsAccess {
        *self
            .zone_settings_access
            .lock()
            .expect("permission lock poisoned")
    }

    pub fn unassociated_answer(&self) -> UnassociatedAnswer {
        *self.unassociated.lock().expect("answer lock poisoned")
    }

    pub fn shutdown(&self) -> Shutdown {
        self.shutdown.clone()
    }

    pub fn record(&self, request: RecordedRequest) {
        self.requests
            .lock()
            .expect("request log lock poisoned")
            .push(request);
    }

    pub fn latency_for(&self, path: &str) -> Duration {
        let latency = self.latency.lock().expect("latency lock poisoned");
        latency
            .rules
            .iter()
            .filter(|(needle, _)| path.contains(needle.as_str()))
            .fold(latency.global, |total, (_, extra)| {
                total.saturating_add(*extra)
            })
    }

    /// Whether this zone's uploads are set to time out.
    pub fn deployment_fails(&self, zone: usize) -> bool {
        self.failing_deployments
            .lock()
            .expect("deployment lock poisoned")
            .contains(&zone)
    }

    /// Consumes one use of the first matching rule.
    pub fn take_fault(&self, method: &str, path: &str) -> Option<FaultKind> {
        let mut faults = self.faults.lock().expect("fault lock poisoned");
        let index = faults.iter().position(|r| r.matches(method, path))?;
        let rule = faults.get_mut(index)?;
        rule.times -= 1;
        let kind = rule.kind.clone();
        if rule.times == 0 {
            faults.remove(index);
        }
        Some(kind)
    }
}

/// Resolves once the simulator is told to stop (or its handle is gone), so that hanging
/// and sleeping requests end and graceful shutdown can finish.
#[derive(Clone)]
pub struct Shutdown(watch::Receiver<bool>);

impl Shutdown {
    pub fn new(receiver: watch::Receiver<bool>) -> Self {
        Self(receiver)
    }

    pub async fn wait(mut self) {
        // An error means the sender is gone, which is a shutdown too.
        let _ = self.0.wait_for(|stop| *stop).await;
    }

    /// Sleeps for `delay`; false when shutdown cut the sleep short.
    pub async fn sleep(self, delay: Duration) -> bool {
        tokio::select! {
            () = tokio::time::sleep(delay) => true,
            () = self.wait() => false,
        }
    }
}

/// A cheap, cloneable handle on a running simulator's state, for tests and the CLI.
#[derive(Clone)]
pub struct SimControl {
    shared: Arc<Shared>,
}

impl SimControl {
    pub(super) fn new(shared: Arc<Shared>) -> Self {
        Self { shared }
    }

    /// From now on, uploads to this zone stay `pending_deployment` for the deploy
    /// delay and then turn `deployment_timed_out` (with `false`, they deploy again).
    /// Returns whether the zone exists.
    pub fn fail_deployments(&self, zone_id: &str, fail: bool) -> bool {
        let Some(zone) = self.shared.zones.index_of(zone_id) else {
            return false;
        };
        let mut failing = self
            .shared
            .failing_deployments
            .lock()
            .expect("deployment lock poisoned");
        if fail {
            failing.insert(zone);
        } else {
            failing.remove(&zone);
        }
        true
    }

    /// Adds a fault rule; rules are tried in the order they were added.
    pub fn inject(&self, rule: FaultRule) {
        self.shared
            .faults
            .lock()
            .expect("fault lock poisoned")
            .push(rule);
    }

    /// Extra latency for requests whose path contains `path_contains`, on top of the
    /// global latency. Setting it again for the same text replaces it.
    pub fn add_latency_rule(&self, path_contains: &str, latency: Duration) {
        let mut state = self.shared.latency.lock().expect("latency lock poisoned");
        state.rules.retain(|(needle, _)| needle != path_contains);
        state.rules.push((path_contains.to_owned(), latency));
    }

    pub fn set_latency(&self, latency: Duration) {
        self.shared
            .latency
            .lock()
            .expect("latency lock poisoned")
            .global = latency;
    }

    /// Removes every fault rule and per-path latency rule; the global latency, part of
    /// the configuration, stays.
    pub fn clear_faults(&self) {
        self.shared
            .faults
            .lock()
            .expect("fault lock poisoned")
            .clear();
        self.shared
            .latency
            .lock()
            .expect("latency lock poisoned")
            .rules
            .clear();
    }

    /// Requests the rate limit (`SimConfig::rate_limit`) answered 429.
    pub fn rate_limited(&self) -> usize {
        self.shared.rate_limited()
    }

    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.shared
            .requests
            .lock()
            .expect("request log lock poisoned")
            .snapshot()
    }

    pub fn clear_requests(&self) {
        self.shared
            .requests
            .lock()
            .expect("request log lock poisoned")
            .clear();
    }

    /// The id of the zone with this name (any case).
    pub fn zone_id(&self, name: &str) -> Option<String> {
        let zones = &self.shared.zones;
        zones
            .index_by_name(name)
            .and_then(|i| zones.get(i))
            .map(|z| z.id_hex())
    }

    /// The zone's certificates as the API would list them now; empty for an unknown zone.
    pub fn certificates(&self, zone_id: &str) -> Vec<Certificate> {
        match self.shared.zones.index_of(zone_id) {
            Some(zone) => self.shared.state().certificates(zone, Instant::now()),
            None => Vec::new(),
        }
    }

    /// The zone's AOP enablement; `None` for an unknown zone.
    pub fn enabled(&self, zone_id: &str) -> Option<bool> {
        let zone = self.shared.zones.index_of(zone_id)?;
        Some(self.shared.state().enabled(zone))
    }

    /// The zone's global AOP setting as the API would answer now; `None` for an
    /// unknown zone.
    pub fn global(&self, zone_id: &str) -> Option<GlobalAop> {
        let zone = self.shared.zones.index_of(zone_id)?;
        Some(self.shared.state().settings(zone).global_aop())
    }

    /// Sets the global switch, as a PATCH would but whether or not it is editable;
    /// `modified_on` moves when the value changes. False for an unknown zone.
    pub fn set_global(&self, zone_id: &str, on: bool) -> bool {
        self.with_settings(zone_id, |s| s.set_global(on, Utc::now()))
    }

    /// Whether the API may change the zone's global switch. False for an unknown zone.
    pub fn set_global_editable(&self, zone_id: &str, editable: bool) -> bool {
        self.with_settings(zone_id, |s| s.editable = editable)
    }

    /// The zone's SSL mode; `None` for an unknown zone.
    pub fn ssl_mode(&self, zone_id: &str) -> Option<SslMode> {
        let zone = self.shared.zones.index_of(zone_id)?;
        Some(self.shared.state().settings(zone).ssl)
    }

    /// Sets the zone's SSL mode. `SslMode::Unknown(text)` is served as `text`, as a mode
    /// Cloudflare might add. False for an unknown zone.
    pub fn set_ssl_mode(&self, zone_id: &str, mode: SslMode) -> bool {
        self.with_settings(zone_id, |s| s.ssl = mode)
    }

    /// What the simulated token may do with zone settings; see [`ZoneSettingsAccess`].
    pub fn set_zone_settings_access(&self, access: ZoneSettingsAccess) {
        *self
            .shared
            .zone_settings_access
            .lock()
            .expect("permission lock poisoned") = access;
    }

    /// The zone's hostname certificates as the API would list them now; empty for an
    /// unknown zone.
    pub fn hostname_certificates(&self, zone_id: &str) -> Vec<Certificate> {
        match self.shared.zones.index_of(zone_id) {
            Some(zone) => self
                .shared
                .state()
                .hostname_certificates(zone, Instant::now()),
            None => Vec::new(),
        }
    }

    /// Adds a hostname certificate (a PEM leaf; no key is needed, none is kept) in the
    /// given state, until the API's upload is simulated: `Active`, `PendingDeployment`
    /// (active after the configured deploy delay), `PendingDeletion` (gone after the
    /// delete delay) or `DeploymentTimedOut`. Refused for an unknown zone, another
    /// state, a PEM that does not parse, a duplicate, or an 11th certificate.
    pub fn add_hostname_certificate(
        &self,
        zone_id: &str,
        pem: &str,
        status: CertStatus,
    ) -> Result<Certificate, String> {
        let zone = self
            .shared
            .zones
            .index_of(zone_id)
            .ok_or_else(|| format!("no zone {zone_id}"))?;
        let details = certinfo::parse_certificate(pem).map_err(|e| e.to_string())?;
        let now = Instant::now();
        let countdown = |delay| Countdown { start: now, delay };
        let (deployment, deletion) = match status {
            CertStatus::Active => (Deployment::Deploying(countdown(Duration::ZERO)), None),
            CertStatus::PendingDeployment => (
                Deployment::Deploying(countdown(self.shared.deploy_delay)),
                None,
            ),
            CertStatus::PendingDeletion => (
                Deployment::Deploying(countdown(Duration::ZERO)),
                Some(countdown(self.shared.delete_delay)),
            ),
            CertStatus::DeploymentTimedOut => (Deployment::TimedOut, None),
            other => return Err(format!("cannot add a hostname certificate as {other}")),
        };
        let mut record = CertRecord::new(
            random_cert_id(),
            &details,
            pem.to_owned(),
            Utc::now(),
            deployment,
        );
        record.deletion = deletion;
        self.shared
            .state()
            .add_hostname(zone, record, now)
            .map_err(|refusal| match refusal {
                HostnameRefusal::Duplicate => "this certificate is already in the zone".to_owned(),
                HostnameRefusal::Full => {
                    "the zone already holds 10 hostname certificates".to_owned()
                }
            })
    }

    /// What `GET .../hostnames/{hostname}` answers for a hostname without an
    /// association; see [`UnassociatedAnswer`].
    pub fn set_unassociated_answer(&self, answer: UnassociatedAnswer) {
        *self
            .shared
            .unassociated
            .lock()
            .expect("answer lock poisoned") = answer;
    }

    /// The zone's associations as `GET .../hostnames/{hostname}` would show each now,
    /// by hostname (lower case); empty for an unknown zone.
    pub fn associations(&self, zone_id: &str) -> BTreeMap<String, HostnameAssociation> {
        match self.shared.zones.index_of(zone_id) {
            Some(zone) => self.shared.state().associations(zone, Instant::now()),
            None => BTreeMap::new(),
        }
    }

    /// One hostname's association as the API would show it now; `None` when it has
    /// none or the zone is unknown.
    pub fn association(&self, zone_id: &str, hostname: &str) -> Option<HostnameAssociation> {
        let zone = self.shared.zones.index_of(zone_id)?;
        let hostname = normalize_hostname(hostname)?;
        self.shared
            .state()
            .association(zone, &hostname, Instant::now())
    }

    /// Associates a hostname with one of the zone's hostname certificates directly,
    /// the change already deployed (so `status` is `active` when enabled and the
    /// certificate is active, `deleted` when not enabled), replacing any association it
    /// had. Unlike the API it accepts a certificate in any state,
    /// one being deleted included. Refused for an unknown zone or certificate, a
    /// malformed hostname, and a certificate that already has 100 associations.
    pub fn add_association(
        &self,
        zone_id: &str,
        hostname: &str,
        cert_id: &str,
        enabled: bool,
    ) -> Result<HostnameAssociation, String> {
        let zone = self
            .shared
            .zones
            .index_of(zone_id)
            .ok_or_else(|| format!("no zone {zone_id}"))?;
        let hostname = normalize_hostname(hostname)
            .ok_or_else(|| format!("{hostname:?} is not a hostname"))?;
        let now = Instant::now();
        let mut state = self.shared.state();
        let cert_id = state
            .hostname_cert_id(zone, cert_id)
            .ok_or_else(|| format!("no hostname certificate {cert_id} in the zone"))?;
        let existing = state.association(zone, &hostname, now);
        let already = existing
            .as_ref()
            .is_some_and(|a| a.cert_id.as_deref() == Some(cert_id.as_str()));
        if !already && state.association_count(zone, &cert_id) >= MAX_ASSOCIATIONS_PER_CERT {
            return Err(format!(
                "certificate {cert_id} already has {MAX_ASSOCIATIONS_PER_CERT} associations"
            ));
        }
        let stamp = state.now_utc(now);
        let created_at = existing
            .and_then(|a| a.created_at)
            .and_then(|t| t.datetime())
            .unwrap_or(stamp);
        let record = AssociationRecord {
            cert_id,
            enabled,
            created_at,
            updated_at: stamp,
            changed: Countdown {
                start: now,
                delay: Duration::ZERO,
            },
        };
        state.insert_association(zone, hostname.clone(), record);
        state
            .association(zone, &hostname, now)
            .ok_or_else(|| "the association did not stick".to_owned())
    }

    /// How many DNS records the zone has, `proxied` ones only or unproxied ones only if
    /// given; `None` for an unknown zone.
    pub fn dns_record_count(&self, zone_id: &str, proxied: Option<bool>) -> Option<usize> {
        let zone = self.shared.zones.index_of(zone_id)?;
        let record = self.shared.zones.get(zone)?;
        let records = self.shared.state().dns_records(record, zone);
        Some(
            records
                .iter()
                .filter(|r| proxied.is_none_or(|p| r.proxied == p))
                .count(),
        )
    }

    /// Adds a DNS record (`kind` is its type: `A`, `CNAME`, …; a proxied one gets the
    /// automatic TTL). False for an unknown zone, a malformed name, or a record with
    /// the same name, type and content already there.
    pub fn add_dns_record(
        &self,
        zone_id: &str,
        name: &str,
        kind: &str,
        content: &str,
        proxied: bool,
    ) -> bool {
        let Some(zone) = self.shared.zones.index_of(zone_id) else {
            return false;
        };
        let Some(record) = self.shared.zones.get(zone) else {
            return false;
        };
        if normalize_hostname(name).is_none() || kind.is_empty() {
            return false;
        }
        let mut entry = DnsEntry::new(name, kind, content, proxied);
        let mut state = self.shared.state();
        entry.created_on = Some(state.now_utc(Instant::now()));
        state.add_dns_record(record, zone, entry)
    }

    fn with_settings(
        &self,
        zone_id: &str,
        change: impl FnOnce(&mut super::state::SettingsRecord),
    ) -> bool {
        let Some(zone) = self.shared.zones.index_of(zone_id) else {
            return false;
        };
        change(self.shared.state().settings_mut(zone));
        true
    }
}

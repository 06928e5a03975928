//! The simulated account: zones (fixed at start) and, per zone, AOP enablement,
//! certificates and hostname associations whose statuses follow from timestamps rather
//! than background tasks, and the DNS records added to the ones every zone has.

use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, Instant};

use chrono::{DateTime, SubsecRound, TimeDelta, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::dns::{self, DnsEntry};
use crate::api::model::{ApiTime, CertStatus, Certificate, GlobalAop, SslMode, is_zone_id};
use crate::certinfo::CertDetails;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ZoneStatus {
    Active,
    Pending,
}

impl ZoneStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Pending => "pending",
        }
    }
}

pub struct ZoneRecord {
    /// The 32-hex id as a number, so 100,000 zones need no extra allocation per id.
    pub id: u128,
    pub name: String,
    pub status: ZoneStatus,
    pub created_on: DateTime<Utc>,
}

impl ZoneRecord {
    pub fn id_hex(&self) -> String {
        format!("{:032x}", self.id)
    }
}

/// Ids are derived from names so that a zone keeps its id across restarts.
pub fn id_of(seed: &str) -> u128 {
    let digest = Sha256::digest(seed.as_bytes());
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    u128::from_be_bytes(bytes)
}

/// The zones, which never change after start, so reading them takes no lock.
pub struct Zones {
    /// Sorted by name: the default listing order, served without sorting per request.
    list: Vec<ZoneRecord>,
    by_id: HashMap<u128, usize>,
    pub account_id: String,
}

impl Zones {
    pub fn new(mut list: Vec<ZoneRecord>, account_name: &str) -> Self {
        list.sort_unstable_by(|a, b| a.name.cmp(&b.name));
        let by_id = list.iter().enumerate().map(|(i, z)| (z.id, i)).collect();
        Self {
            list,
            by_id,
            account_id: format!("{:032x}", id_of(&format!("account:{account_name}"))),
        }
    }

    pub fn all(&self) -> &[ZoneRecord] {
        &self.list
    }

    pub fn get(&self, index: usize) -> Option<&ZoneRecord> {
        self.list.get(index)
    }

    /// Resolves a zone id as it appears in a path; `None` for a malformed or unknown one.
    pub fn index_of(&self, id: &str) -> Option<usize> {
        if !is_zone_id(id) {
            return None;
        }
        let id = u128::from_str_radix(id, 16).ok()?;
        self.by_id.get(&id).copied()
    }

    pub fn index_by_name(&self, name: &str) -> Option<usize> {
        self.list
            .iter()
            .position(|z| z.name.eq_ignore_ascii_case(name))
    }
}

/// A delay that started at some instant. Kept as start plus length, so no instant
/// arithmetic can overflow whatever delay is configured.
#[derive(Debug, Clone, Copy)]
pub struct Countdown {
    pub start: Instant,
    pub delay: Duration,
}

impl Countdown {
    pub fn done(&self, now: Instant) -> bool {
        now.saturating_duration_since(self.start) >= self.delay
    }
}

#[derive(Debug, Clone, Copy)]
pub enum Deployment {
    /// `pending_deployment` until the countdown ends, `active` after.
    Deploying(Countdown),
    /// `pending_deployment` until the countdown ends, `deployment_timed_out` after.
    Failing(Countdown),
    TimedOut,
}

#[derive(Debug, Clone)]
pub struct CertRecord {
    pub id: String,
    /// SHA-256 of the leaf, in `certinfo`'s spelling: what makes two uploads duplicates.
    pub fingerprint: String,
    pub issuer: String,
    pub signature: String,
    pub serial_number: String,
    pub expires_on: DateTime<Utc>,
    pub uploaded_on: DateTime<Utc>,
    pub pem: String,
    pub deployment: Deployment,
    /// Set by a delete: `pending_deletion` until it ends, gone after.
    pub deletion: Option<Countdown>,
}

impl CertRecord {
    /// `id` is a hyphenated UUID, as the live API issues ([`random_cert_id`] for uploads).
    pub fn new(
        id: String,
        details: &CertDetails,
        pem: String,
        uploaded_on: DateTime<Utc>,
        deployment: Deployment,
    ) -> Self {
        Self {
            id,
            fingerprint: details.sha256.clone(),
            issuer: details
                .issuer_common_name
                .clone()
                .unwrap_or_else(|| details.issuer.clone()),
            signature: details.signature.clone(),
            serial_number: decimal_serial(&details.serial),
            expires_on: details.not_after,
            uploaded_on: api_precision(uploaded_on),
            pem,
            deployment,
            deletion: None,
        }
    }

    /// `Deleted` once a deletion has run its course; the API then no longer lists it.
    pub fn status(&self, now: Instant) -> CertStatus {
        match (self.deletion, self.deployment) {
            (Some(deletion), _) if deletion.done(now) => CertStatus::Deleted,
            (Some(_), _) => CertStatus::PendingDeletion,
            (None, Deployment::Deploying(countdown)) if countdown.done(now) => CertStatus::Active,
            (None, Deployment::Deploying(_)) => CertStatus::PendingDeployment,
            (None, Deployment::Failing(countdown)) if countdown.done(now) => {
                CertStatus::DeploymentTimedOut
            }
            (None, Deployment::Failing(_)) => CertStatus::PendingDeployment,
            (None, Deployment::TimedOut) => CertStatus::DeploymentTimedOut,
        }
    }

    pub fn gone(&self, now: Instant) -> bool {
        self.status(now) == CertStatus::Deleted
    }

    /// The fields a GET of the live API returns. The schema also names `enabled` and
    /// `private_key`, which it does not return (cloudflare-api.md), so neither is here:
    /// a client must not come to rely on them.
    pub fn to_api(&self, now: Instant) -> Certificate {
        Certificate {
            id: Some(self.id.clone()),
            status: Some(self.status(now)),
            issuer: Some(self.issuer.clone()),
            signature: Some(self.signature.clone()),
            serial_number: Some(self.serial_number.clone()),
            expires_on: Some(ApiTime::from_datetime(self.expires_on)),
            uploaded_on: Some(ApiTime::from_datetime(self.uploaded_on)),
            certificate: Some(self.pem.clone()),
            extra: serde_json::Map::new(),
        }
    }

    /// When the status last changed: the upload, the end of the deployment, the start
    /// or the end of the deletion. Settled demo certificates (no delay) count from
    /// their upload.
    fn updated_at(&self, now: Instant, clock: &Clock) -> DateTime<Utc> {
        if let Some(deletion) = self.deletion {
            let started = clock.wall(deletion.start);
            return if deletion.done(now) {
                later(started, deletion.delay)
            } else {
                started
            };
        }
        match self.deployment {
            Deployment::Deploying(c) | Deployment::Failing(c) if c.done(now) => {
                later(self.uploaded_on, c.delay)
            }
            _ => self.uploaded_on,
        }
    }
}

fn later(t: DateTime<Utc>, delay: Duration) -> DateTime<Utc> {
    TimeDelta::from_std(delay)
        .ok()
        .and_then(|d| t.checked_add_signed(d))
        .unwrap_or(t)
}

/// Wall-clock times for the simulator's instants, from one reading of both clocks, so
/// the same instant always gives the same time.
#[derive(Debug, Clone, Copy)]
pub struct Clock {
    instant: Instant,
    utc: DateTime<Utc>,
}

impl Clock {
    pub fn new(instant: Instant, utc: DateTime<Utc>) -> Self {
        Self { instant, utc }
    }

    pub fn wall(&self, at: Instant) -> DateTime<Utc> {
        let t = if at >= self.instant {
            later(self.utc, at - self.instant)
        } else {
            TimeDelta::from_std(self.instant - at)
                .ok()
                .and_then(|d| self.utc.checked_sub_signed(d))
                .unwrap_or(self.utc)
        };
        api_precision(t)
    }
}

/// The live API's times go to the microsecond: held so, what the simulator holds is
/// what a client reads back.
fn api_precision(t: DateTime<Utc>) -> DateTime<Utc> {
    t.trunc_subsecs(6)
}

/// A fresh certificate id in the live API's form, e.g. `2458ce5a-0c35-4c7f-82c7-8e9487d3ff60`.
pub fn random_cert_id() -> String {
    uuid::Uuid::new_v4().hyphenated().to_string()
}

/// The live API gives serial numbers in decimal (the schema's example is
/// `6743787633689793699141714808227354901`); `certinfo` gives colon-separated hex.
fn decimal_serial(colon_hex: &str) -> String {
    let digits: String = colon_hex.chars().filter(|c| *c != ':').collect();
    if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_hexdigit()) {
        return colon_hex.to_owned();
    }
    // Base conversion on little-endian base-10^9 limbs: serials are at most 20 bytes.
    let mut limbs: Vec<u64> = vec![0];
    for c in digits.chars() {
        let mut carry = u64::from(c.to_digit(16).unwrap_or(0));
        for limb in &mut limbs {
            let value = *limb * 16 + carry;
            *limb = value % 1_000_000_000;
            carry = value / 1_000_000_000;
        }
        if carry > 0 {
            limbs.push(carry);
        }
    }
    let mut out = String::new();
    for (i, limb) in limbs.iter().rev().enumerate() {
        if i == 0 {
            out.push_str(&limb.to_string());
        } else {
            out.push_str(&format!("{limb:09}"));
        }
    }
    out
}

/// Why an upload was not added.
pub struct Duplicate;

/// A zone's settings that bear on AOP: the global switch and the SSL mode.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettingsRecord {
    /// `tls_client_auth`.
    pub global: bool,
    /// Whether `tls_client_auth` may be changed through the API.
    pub editable: bool,
    /// When `tls_client_auth` last changed; `None` (sent as `null`) for never.
    pub modified_on: Option<DateTime<Utc>>,
    /// `ssl`; the simulator serves whatever it holds, `Unknown` included.
    pub ssl: SslMode,
}

/// What a zone that nobody changed has: global off, SSL `full`.
impl Default for SettingsRecord {
    fn default() -> Self {
        Self {
            global: false,
            editable: true,
            modified_on: None,
            ssl: SslMode::Full,
        }
    }
}

impl SettingsRecord {
    pub fn global_aop(&self) -> GlobalAop {
        GlobalAop {
            on: self.global,
            editable: Some(self.editable),
            modified_on: self.modified_on.map(ApiTime::from_datetime),
        }
    }

    /// Sets the switch; `modified_on` moves only when the value does.
    pub fn set_global(&mut self, on: bool, now: DateTime<Utc>) {
        if self.global != on {
            self.global = on;
            self.modified_on = Some(api_precision(now));
        }
    }
}

/// Per-zone mutable state, behind the simulator's one lock.
pub struct ZoneState {
    enabled: Vec<bool>,
    certs: HashMap<usize, Vec<CertRecord>>,
    /// Only zones whose settings differ from [`SettingsRecord::default`]: a million
    /// zones must not cost a million records.
    settings: HashMap<usize, SettingsRecord>,
    /// A certificate that is gone stays here, unlisted, while associations point at
    /// it, so they can still show it (`cert_status` `deleted`).
    hostname_certs: HashMap<usize, Vec<CertRecord>>,
    /// Per zone, hostname (lower case) to its association; only zones that have any.
    associations: HashMap<usize, BTreeMap<String, AssociationRecord>>,
    /// DNS records beyond the ones every zone has ([`dns::base_records`]).
    dns_extra: HashMap<usize, Vec<DnsEntry>>,
    clock: Clock,
}

impl ZoneState {
    pub fn new(zone_count: usize) -> Self {
        Self {
            enabled: vec![false; zone_count],
            certs: HashMap::new(),
            settings: HashMap::new(),
            hostname_certs: HashMap::new(),
            associations: HashMap::new(),
            dns_extra: HashMap::new(),
            clock: Clock::new(Instant::now(), Utc::now()),
        }
    }

    /// Reads instants as wall-clock times from this pair on: the demo's start.
    pub fn set_clock(&mut self, clock: Clock) {
        self.clock = clock;
    }

    pub fn settings(&self, zone: usize) -> SettingsRecord {
        self.settings.get(&zone).cloned().unwrap_or_default()
    }

    pub fn settings_mut(&mut self, zone: usize) -> &mut SettingsRecord {
        self.settings.entry(zone).or_default()
    }

    pub fn hostname_certificates(&self, zone: usize, now: Instant) -> Vec<Certificate> {
        listed(self.hostname_certs.get(&zone), now)
    }

    /// One hostname certificate, unless unknown or gone.
    pub fn hostname_certificate(&self, zone: usize, id: &str, now: Instant) -> Option<Certificate> {
        self.hostname_certs
            .get(&zone)?
            .iter()
            .find(|c| !c.gone(now) && c.id.eq_ignore_ascii_case(id))
            .map(|c| c.to_api(now))
    }

    /// Adds a hostname certificate, refusing a duplicate and an 11th (the API's limit).
    /// Certificates that are gone count for neither.
    pub fn add_hostname(
        &mut self,
        zone: usize,
        record: CertRecord,
        now: Instant,
    ) -> Result<Certificate, HostnameRefusal> {
        self.purge_hostname_certs(zone, now);
        let certs = self.hostname_certs.entry(zone).or_default();
        let present = || certs.iter().filter(|c| !c.gone(now));
        if present().any(|c| c.fingerprint == record.fingerprint) {
            return Err(HostnameRefusal::Duplicate);
        }
        if present().count() >= MAX_HOSTNAME_CERTS {
            return Err(HostnameRefusal::Full);
        }
        let answer = record.to_api(now);
        certs.push(record);
        Ok(answer)
    }

    /// Seeds a hostname certificate as it stands, for demo data.
    pub fn insert_hostname(&mut self, zone: usize, record: CertRecord) {
        self.hostname_certs.entry(zone).or_default().push(record);
    }

    /// Starts the deletion of a hostname certificate, or repeats it for one already being
    /// deleted. Associations pointing at it are left as they are, as the API does.
    pub fn delete_hostname(
        &mut self,
        zone: usize,
        id: &str,
        now: Instant,
        delay: Duration,
    ) -> Option<Certificate> {
        self.purge_hostname_certs(zone, now);
        let cert = self
            .hostname_certs
            .get_mut(&zone)?
            .iter_mut()
            .find(|c| !c.gone(now) && c.id.eq_ignore_ascii_case(id))?;
        cert.deletion.get_or_insert(Countdown { start: now, delay });
        Some(cert.to_api(now))
    }

    /// Drops the hostname certificates that are gone and that no association names.
    fn purge_hostname_certs(&mut self, zone: usize, now: Instant) {
        let Some(certs) = self.hostname_certs.get_mut(&zone) else {
            return;
        };
        let associations = self.associations.get(&zone);
        let named = |id: &str| associations.is_some_and(|a| a.values().any(|a| a.cert_id == id));
        certs.retain(|c| !c.gone(now) || named(&c.id));
    }

    /// A hostname certificate an association may name: in the zone, neither gone nor
    /// being deleted. Its id as the zone holds it.
    fn associable(&self, zone: usize, id: &str, now: Instant) -> Option<String> {
        self.hostname_certs
            .get(&zone)?
            .iter()
            .find(|c| !c.gone(now) && c.deletion.is_none() && c.id.eq_ignore_ascii_case(id))
            .map(|c| c.id.clone())
    }

    /// The hostname's association as `GET .../hostnames/{hostname}` shows it; `None`
    /// when it has none.
    pub fn association(
        &self,
        zone: usize,
        hostname: &str,
        now: Instant,
    ) -> Option<HostnameAssociation> {
        let record = self.associations.get(&zone)?.get(hostname)?;
        Some(self.association_view(zone, hostname, record, now))
    }

    /// Every association of the zone, by hostname.
    pub fn associations(&self, zone: usize, now: Instant) -> BTreeMap<String, HostnameAssociation> {
        self.associations
            .get(&zone)
            .into_iter()
            .flatten()
            .map(|(host, record)| (host.clone(), self.association_view(zone, host, record, now)))
            .collect()
    }

    /// Applies a `PUT .../hostnames` batch, all of it or nothing: every certificate a
    /// change names must be [associable](Self::associable), and no certificate may end
    /// up with more than [`MAX_ASSOCIATIONS_PER_CERT`] associations (one that already
    /// had more, set up directly, may keep them but gain none). Returns one object per
    /// change, in order; a removal's reads `enabled: null`, `status: deleted`.
    pub fn set_hostnames(
        &mut self,
        zone: usize,
        changes: &[HostnameChange],
        now: Instant,
        deploy_delay: Duration,
    ) -> Result<Vec<HostnameAssociation>, AssociationRefusal> {
        let mut targets = Vec::with_capacity(changes.len());
        for (index, change) in changes.iter().enumerate() {
            targets.push(match &change.target {
                None => None,
                Some((id, enabled)) => {
                    let id = self
                        .associable(zone, id, now)
                        .ok_or(AssociationRefusal::InvalidCertificate { index })?;
                    Some((id, *enabled))
                }
            });
        }

        let current = self.associations.get(&zone);
        let mut next = current.cloned().unwrap_or_default();
        let stamp = self.clock.wall(now);
        let mut removed = Vec::with_capacity(changes.len());
        for (change, target) in changes.iter().zip(&targets) {
            let host = &change.hostname;
            let Some((cert_id, enabled)) = target else {
                removed.push(next.remove(host));
                continue;
            };
            removed.push(None);
            let changed = Countdown {
                start: now,
                delay: deploy_delay,
            };
            match next.get_mut(host) {
                Some(a) if a.cert_id == *cert_id && a.enabled == *enabled => {}
                Some(a) => {
                    a.cert_id = cert_id.clone();
                    a.enabled = *enabled;
                    a.updated_at = stamp;
                    a.changed = changed;
                }
                None => {
                    next.insert(
                        host.clone(),
                        AssociationRecord {
                            cert_id: cert_id.clone(),
                            enabled: *enabled,
                            created_at: stamp,
                            updated_at: stamp,
                            changed,
                        },
                    );
                }
            }
        }

        let count = |map: Option<&BTreeMap<String, AssociationRecord>>, id: &str| {
            map.into_iter()
                .flatten()
                .filter(|(_, a)| a.cert_id == id)
                .count()
        };
        for (cert_id, _) in targets.iter().flatten() {
            let after = count(Some(&next), cert_id);
            if after > MAX_ASSOCIATIONS_PER_CERT && after > count(current, cert_id) {
                return Err(AssociationRefusal::TooMany {
                    cert_id: cert_id.clone(),
                    count: after,
                });
            }
        }

        if next.is_empty() {
            self.associations.remove(&zone);
        } else {
            self.associations.insert(zone, next);
        }
        let answer = changes
            .iter()
            .zip(removed)
            .map(|(change, old)| match old {
                Some(old) => {
                    let mut view = self.association_view(zone, &change.hostname, &old, now);
                    view.enabled = None;
                    view.status = Some(CertStatus::Deleted);
                    view.updated_at = Some(ApiTime::from_datetime(stamp));
                    view
                }
                None => match self.association(zone, &change.hostname, now) {
                    Some(view) => view,
                    // Removing what was not there: only the hostname to show.
                    None => HostnameAssociation {
                        hostname: Some(change.hostname.clone()),
                        status: Some(CertStatus::Deleted),
                        ..HostnameAssociation::default()
                    },
                },
            })
            .collect();
        self.purge_hostname_certs(zone, now);
        Ok(answer)
    }

    /// Seeds an association as it stands, for demo data and the control handle.
    pub fn insert_association(&mut self, zone: usize, hostname: String, record: AssociationRecord) {
        self.associations
            .entry(zone)
            .or_default()
            .insert(hostname, record);
    }

    /// How many associations name this certificate (by its exact id).
    pub fn association_count(&self, zone: usize, cert_id: &str) -> usize {
        self.associations
            .get(&zone)
            .into_iter()
            .flatten()
            .filter(|(_, a)| a.cert_id == cert_id)
            .count()
    }

    /// The zone's hostname certificate with this id, gone or not: what an association
    /// may be set up with directly.
    pub fn hostname_cert_id(&self, zone: usize, id: &str) -> Option<String> {
        self.hostname_certs
            .get(&zone)?
            .iter()
            .find(|c| c.id.eq_ignore_ascii_case(id))
            .map(|c| c.id.clone())
    }

    pub fn now_utc(&self, now: Instant) -> DateTime<Utc> {
        self.clock.wall(now)
    }

    fn association_view(
        &self,
        zone: usize,
        hostname: &str,
        record: &AssociationRecord,
        now: Instant,
    ) -> HostnameAssociation {
        let cert = self
            .hostname_certs
            .get(&zone)
            .and_then(|certs| certs.iter().find(|c| c.id == record.cert_id));
        // A certificate no longer held at all reads as deleted.
        let cert_status = cert.map_or(CertStatus::Deleted, |c| c.status(now));
        HostnameAssociation {
            hostname: Some(hostname.to_owned()),
            cert_id: Some(record.cert_id.clone()),
            enabled: Some(record.enabled),
            status: Some(record.status(&cert_status, now)),
            cert_status: Some(cert_status),
            cert_updated_at: cert.map(|c| ApiTime::from_datetime(c.updated_at(now, &self.clock))),
            cert_uploaded_on: cert.map(|c| ApiTime::from_datetime(c.uploaded_on)),
            created_at: Some(ApiTime::from_datetime(record.created_at)),
            updated_at: Some(ApiTime::from_datetime(record.updated_at)),
            certificate: cert.map(|c| c.pem.clone()),
            issuer: cert.map(|c| c.issuer.clone()),
            serial_number: cert.map(|c| c.serial_number.clone()),
            signature: cert.map(|c| c.signature.clone()),
            expires_on: cert.map(|c| ApiTime::from_datetime(c.expires_on)),
        }
    }

    /// The zone's DNS records, in listing order.
    pub fn dns_records(&self, zone: &ZoneRecord, index: usize) -> Vec<DnsEntry> {
        dns::zone_records(zone, self.dns_extra.get(&index))
    }

    /// Adds a DNS record; false when the zone already has one with this name, type and
    /// content.
    pub fn add_dns_record(&mut self, zone: &ZoneRecord, index: usize, entry: DnsEntry) -> bool {
        if !dns::is_new(zone, self.dns_extra.get(&index), &entry) {
            return false;
        }
        self.dns_extra.entry(index).or_default().push(entry);
        true
    }

    pub fn enabled(&self, zone: usize) -> bool {
        self.enabled.get(zone).copied().unwrap_or(false)
    }

    pub fn set_enabled(&mut self, zone: usize, enabled: bool) {
        if let Some(slot) = self.enabled.get_mut(zone) {
            *slot = enabled;
        }
    }

    pub fn certificates(&self, zone: usize, now: Instant) -> Vec<Certificate> {
        listed(self.certs.get(&zone), now)
    }

    pub fn certificate(&self, zone: usize, id: &str, now: Instant) -> Option<Certificate> {
        self.certs
            .get(&zone)?
            .iter()
            .find(|c| !c.gone(now) && c.id.eq_ignore_ascii_case(id))
            .map(|c| c.to_api(now))
    }

    pub fn add(
        &mut self,
        zone: usize,
        record: CertRecord,
        now: Instant,
    ) -> Result<Certificate, Duplicate> {
        let certs = self.certs.entry(zone).or_default();
        certs.retain(|c| !c.gone(now));
        if certs.iter().any(|c| c.fingerprint == record.fingerprint) {
            return Err(Duplicate);
        }
        let answer = record.to_api(now);
        certs.push(record);
        Ok(answer)
    }

    /// Starts the deletion, or repeats it for a certificate already being deleted.
    pub fn delete(
        &mut self,
        zone: usize,
        id: &str,
        now: Instant,
        delay: Duration,
    ) -> Option<Certificate> {
        let certs = self.certs.get_mut(&zone)?;
        certs.retain(|c| !c.gone(now));
        let cert = certs.iter_mut().find(|c| c.id.eq_ignore_ascii_case(id))?;
        cert.deletion.get_or_insert(Countdown { start: now, delay });
        Some(cert.to_api(now))
    }

    /// Seeds a certificate as it stands, for demo data.
    pub fn insert(&mut self, zone: usize, record: CertRecord) {
        self.certs.entry(zone).or_default().push(record);
    }
}

/// Hostname certificates a zone may hold at once.
pub const MAX_HOSTNAME_CERTS: usize = 10;

/// Associations (enabled or not) one hostname certificate may have.
pub const MAX_ASSOCIATIONS_PER_CERT: usize = 100;

/// Why a hostname certificate was not added.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HostnameRefusal {
    Duplicate,
    /// The zone already holds [`MAX_HOSTNAME_CERTS`].
    Full,
}

/// One entry of a `PUT .../hostnames` batch, checked for form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostnameChange {
    /// Lower case, without a trailing dot.
    pub hostname: String,
    /// `Some((cert_id, enabled))`; `None` (`enabled: null`) removes the association.
    pub target: Option<(String, bool)>,
}

/// Why a `PUT .../hostnames` batch was refused; nothing of it was applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AssociationRefusal {
    /// `config[index]` names no certificate an association may use.
    InvalidCertificate { index: usize },
    /// The batch would give this certificate `count` associations.
    TooMany { cert_id: String, count: usize },
}

/// A hostname's association with a hostname certificate. `enabled` is a `bool`: an
/// association set to `null` is removed, not kept.
#[derive(Debug, Clone)]
pub struct AssociationRecord {
    pub cert_id: String,
    pub enabled: bool,
    pub created_at: DateTime<Utc>,
    /// Moves when `cert_id` or `enabled` changes, not on a `PUT` that changes nothing.
    pub updated_at: DateTime<Utc>,
    /// From the last change: the deployment of that change to the edge.
    pub changed: Countdown,
}

impl AssociationRecord {
    /// The association's own `status`, which the docs leave undefined; the simulator's
    /// reading is the deployment of the hostname's setting to the edge:
    ///
    /// - `enabled: true`: `pending_deployment` for the deploy delay after a change, and
    ///   while the certificate itself is still deploying; then `active`. A certificate
    ///   that timed out makes it `deployment_timed_out`; one being deleted or gone
    ///   (the API allows deleting a certificate hostnames still use) makes it
    ///   `pending_deletion` / `deleted` too, since it can no longer be presented.
    /// - `enabled: false`: no certificate is to be presented, so the hostname's one is
    ///   being taken off: `pending_deletion` for the deploy delay after a change, then
    ///   `deleted`. The association itself stays (a `GET` answers 200, `enabled:
    ///   false`); a removed one answers 404.
    pub fn status(&self, cert_status: &CertStatus, now: Instant) -> CertStatus {
        let settled = self.changed.done(now);
        if !self.enabled {
            return if settled {
                CertStatus::Deleted
            } else {
                CertStatus::PendingDeletion
            };
        }
        match cert_status {
            CertStatus::PendingDeletion | CertStatus::Deleted => cert_status.clone(),
            CertStatus::DeploymentTimedOut if settled => CertStatus::DeploymentTimedOut,
            CertStatus::Active if settled => CertStatus::Active,
            _ => CertStatus::PendingDeployment,
        }
    }
}

/// An association as the API shows it. Every field but `enabled` is left out when
/// unknown (the published schema types none of them as nullable); `enabled` is always
/// sent, `null` for a removed association. `private_key`, which the documented
/// examples echo, is never here.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HostnameAssociation {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hostname: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cert_id: Option<String>,
    #[serde(default)]
    pub enabled: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<CertStatus>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cert_status: Option<CertStatus>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cert_updated_at: Option<ApiTime>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cert_uploaded_on: Option<ApiTime>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<ApiTime>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<ApiTime>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificate: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issuer: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub serial_number: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_on: Option<ApiTime>,
}

impl HostnameAssociation {
    /// The field names, in the order the API sends them: for the answer whose fields
    /// are all `null`.
    pub const FIELDS: [&'static str; 14] = [
        "hostname",
        "cert_id",
        "enabled",
        "status",
        "cert_status",
        "cert_updated_at",
        "cert_uploaded_on",
        "created_at",
        "updated_at",
        "certificate",
        "issuer",
        "serial_number",
        "signature",
        "expires_on",
    ];
}

/// Certificates as a list call shows them: those not yet gone, in upload order.
fn listed(certs: Option<&Vec<CertRecord>>, now: Instant) -> Vec<Certificate> {
    certs
        .into_iter()
        .flatten()
        .filter(|c| !c.gone(now))
        .map(|c| c.to_api(now))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn association_status_follows_the_change_and_the_certificate() {
        use CertStatus::{Active, Deleted, DeploymentTimedOut, PendingDeletion, PendingDeployment};
        let now = Instant::now();
        let record = |enabled: bool, delay: Duration| AssociationRecord {
            cert_id: "x".into(),
            enabled,
            created_at: Utc::now(),
            updated_at: Utc::now(),
            changed: Countdown { start: now, delay },
        };
        let long = Duration::from_secs(60);
        let (on, turning_on) = (record(true, Duration::ZERO), record(true, long));
        assert_eq!(on.status(&Active, now), Active);
        assert_eq!(turning_on.status(&Active, now), PendingDeployment);
        assert_eq!(on.status(&PendingDeployment, now), PendingDeployment);
        assert_eq!(on.status(&DeploymentTimedOut, now), DeploymentTimedOut);
        assert_eq!(
            turning_on.status(&DeploymentTimedOut, now),
            PendingDeployment
        );
        assert_eq!(on.status(&PendingDeletion, now), PendingDeletion);
        assert_eq!(turning_on.status(&Deleted, now), Deleted);
        let (off, turning_off) = (record(false, Duration::ZERO), record(false, long));
        for cert in [Active, PendingDeployment, PendingDeletion, Deleted] {
            assert_eq!(off.status(&cert, now), Deleted);
            assert_eq!(turning_off.status(&cert, now), PendingDeletion);
        }
    }

    #[test]
    fn the_clock_maps_instants_to_the_same_times_every_time() {
        let start = Instant::now();
        let utc = Utc::now();
        let clock = Clock::new(start, utc);
        assert_eq!(clock.wall(start), api_precision(utc));
        let later = start + Duration::from_millis(1500);
        assert_eq!(
            clock.wall(later),
            api_precision(utc + TimeDelta::milliseconds(1500))
        );
        assert_eq!(clock.wall(later), clock.wall(later));
        if let Some(earlier) = start.checked_sub(Duration::from_secs(2)) {
            assert_eq!(
                clock.wall(earlier),
                api_precision(utc - TimeDelta::seconds(2))
            );
        }
    }

    #[test]
    fn serials_convert_to_decimal() {
        assert_eq!(decimal_serial("01"), "1");
        assert_eq!(decimal_serial("FF"), "255");
        assert_eq!(decimal_serial("01:00"), "256");
        assert_eq!(
            decimal_serial("05:12:C1:D0:C0:FE:4F:1C:6C:3A:9B:7E:5D:4A:3F:15"),
            u128::from_str_radix("0512C1D0C0FE4F1C6C3A9B7E5D4A3F15", 16)
                .unwrap()
                .to_string()
        );
        // 20 bytes, the longest serial RFC 5280 allows: 2^159 - 1.
        assert_eq!(
            decimal_serial(
                &["7F"]
                    .into_iter()
                    .chain(["FF"; 19])
                    .collect::<Vec<_>>()
                    .join(":")
            ),
            "730750818665451459101842416358141509827966271487"
        );
        assert_eq!(decimal_serial("not hex"), "not hex");
    }
}

//! The simulated account: zones (fixed at start) and, per zone, AOP enablement and
//! certificates whose statuses follow from timestamps rather than background tasks.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use chrono::{DateTime, SubsecRound, Utc};
use sha2::{Digest, Sha256};

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
#[derive(Default)]
pub struct ZoneState {
    enabled: Vec<bool>,
    certs: HashMap<usize, Vec<CertRecord>>,
    /// Only zones whose settings differ from [`SettingsRecord::default`]: a million
    /// zones must not cost a million records.
    settings: HashMap<usize, SettingsRecord>,
    hostname_certs: HashMap<usize, Vec<CertRecord>>,
}

impl ZoneState {
    pub fn new(zone_count: usize) -> Self {
        Self {
            enabled: vec![false; zone_count],
            ..Self::default()
        }
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

    /// Adds a hostname certificate, refusing a duplicate and an 11th (the API's limit).
    pub fn add_hostname(
        &mut self,
        zone: usize,
        record: CertRecord,
        now: Instant,
    ) -> Result<Certificate, HostnameRefusal> {
        let certs = self.hostname_certs.entry(zone).or_default();
        certs.retain(|c| !c.gone(now));
        if certs.iter().any(|c| c.fingerprint == record.fingerprint) {
            return Err(HostnameRefusal::Duplicate);
        }
        if certs.len() >= MAX_HOSTNAME_CERTS {
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

/// Why a hostname certificate was not added.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HostnameRefusal {
    Duplicate,
    /// The zone already holds [`MAX_HOSTNAME_CERTS`].
    Full,
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

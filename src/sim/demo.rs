//! The demo account, generated at start relative to now so that it never goes stale.
//! `assets/demo-data.md` describes it; keep the two in step.

use std::io;
use std::time::{Duration, Instant};

use chrono::{DateTime, Datelike, SubsecRound, TimeDelta, Utc};
use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
    Issuer, KeyPair, KeyUsagePurpose, PKCS_ECDSA_P256_SHA256, SerialNumber,
};
use sha2::{Digest, Sha256};

use super::dns::DnsEntry;
use super::state::{
    AssociationRecord, CertRecord, Clock, Countdown, Deployment, SettingsRecord, ZoneRecord,
    ZoneState, ZoneStatus, Zones, id_of,
};
use super::zones::ACCOUNT_NAME;
use crate::api::model::SslMode;
use crate::certinfo;

pub const CA_NAME: &str = "Example Origin CA";

/// More would only exhaust memory: each zone costs about a hundred bytes.
pub const MAX_ZONES: usize = 1_000_000;

/// How long the demo's transient states last: long enough to be seen in a demo.
const SHOW_FOR: Duration = Duration::from_secs(600);

struct DemoZone {
    name: &'static str,
    status: ZoneStatus,
    /// Zone-level AOP enablement.
    enabled: bool,
    certs: &'static [DemoCert],
    /// Global AOP (`tls_client_auth`).
    global: bool,
    /// Whether the API may change `tls_client_auth`.
    editable: bool,
    ssl: DemoSsl,
    hostname_certs: &'static [DemoHostnameCert],
    /// Proxied `A` records beyond the six every zone has (`dns::base_records`).
    proxied_hosts: &'static [&'static str],
    associations: &'static [DemoAssociation],
}

impl DemoZone {
    const fn ssl(mut self, ssl: DemoSsl) -> Self {
        self.ssl = ssl;
        self
    }

    const fn global_on(mut self) -> Self {
        self.global = true;
        self
    }

    /// The global switch cannot be changed through the API.
    const fn locked(mut self) -> Self {
        self.editable = false;
        self
    }

    const fn hostname_certs(mut self, certs: &'static [DemoHostnameCert]) -> Self {
        self.hostname_certs = certs;
        self
    }

    const fn proxied_hosts(mut self, hosts: &'static [&'static str]) -> Self {
        self.proxied_hosts = hosts;
        self
    }

    const fn associations(mut self, associations: &'static [DemoAssociation]) -> Self {
        self.associations = associations;
        self
    }
}

/// A hostname associated with the zone's `cert`th hostname certificate, set up
/// `days_ago` and last changed `changed_days_ago`; long deployed.
struct DemoAssociation {
    host: &'static str,
    cert: usize,
    enabled: bool,
    days_ago: i64,
    changed_days_ago: i64,
}

const fn associated(
    host: &'static str,
    enabled: bool,
    days_ago: i64,
    changed_days_ago: i64,
) -> DemoAssociation {
    DemoAssociation {
        host,
        cert: 0,
        enabled,
        days_ago,
        changed_days_ago,
    }
}

#[derive(Clone, Copy)]
enum DemoSsl {
    Off,
    Flexible,
    Full,
    Strict,
}

impl DemoSsl {
    fn mode(self) -> SslMode {
        match self {
            Self::Off => SslMode::Off,
            Self::Flexible => SslMode::Flexible,
            Self::Full => SslMode::Full,
            Self::Strict => SslMode::Strict,
        }
    }
}

/// A per-hostname AOP certificate, issued for `host`.
struct DemoHostnameCert {
    host: &'static str,
    cert: DemoCert,
}

/// Days are relative to today: negative is in the past.
struct DemoCert {
    not_before: i64,
    not_after: i64,
    uploaded_days_ago: i64,
    state: DemoState,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum DemoState {
    Active,
    PendingDeployment,
    PendingDeletion,
    DeploymentTimedOut,
}

const fn cert(
    not_before: i64,
    not_after: i64,
    uploaded_days_ago: i64,
    state: DemoState,
) -> DemoCert {
    DemoCert {
        not_before,
        not_after,
        uploaded_days_ago,
        state,
    }
}

const fn hostname_cert(host: &'static str, cert: DemoCert) -> DemoHostnameCert {
    DemoHostnameCert { host, cert }
}

/// Global AOP off and SSL `full` unless said otherwise, as for zones made by `--zones`.
const fn zone(name: &'static str, enabled: bool, certs: &'static [DemoCert]) -> DemoZone {
    DemoZone {
        name,
        status: ZoneStatus::Active,
        enabled,
        certs,
        global: false,
        editable: true,
        ssl: DemoSsl::Full,
        hostname_certs: &[],
        proxied_hosts: &[],
        associations: &[],
    }
}

const fn pending_zone(name: &'static str) -> DemoZone {
    let mut zone = zone(name, false, &[]);
    zone.status = ZoneStatus::Pending;
    zone
}

use DemoSsl::{Flexible, Off, Strict};
use DemoState::{Active, DeploymentTimedOut, PendingDeletion, PendingDeployment};

/// The interesting zones come first: `zones: Some(n)` keeps the first n.
const DEMO_ZONES: &[DemoZone] = &[
    zone("shop.example", true, &[cert(-275, 90, 274, Active)]).ssl(Strict),
    zone(
        "shop-eu.example",
        true,
        &[cert(-300, 65, 299, Active), cert(-2, 363, 1, Active)],
    )
    .ssl(Strict),
    zone("api.example", true, &[cert(-356, 9, 355, Active)]),
    zone("legacy.example", true, &[cert(-377, -12, 376, Active)]).ssl(Flexible),
    zone(
        "checkout.example",
        false,
        &[cert(-1, 364, 0, PendingDeployment)],
    )
    .ssl(Strict)
    .global_on(),
    zone(
        "media.example",
        true,
        &[
            cert(-330, 35, 329, PendingDeletion),
            cert(-6, 359, 5, Active),
        ],
    )
    .ssl(Strict),
    zone(
        "status.example",
        false,
        &[cert(-3, 362, 2, DeploymentTimedOut)],
    ),
    zone("blog.example", false, &[cert(-340, 25, 339, Active)]),
    zone("docs.example", true, &[]),
    pending_zone("launch.test"),
    pending_zone("brand-new.test"),
    zone("shop-us.example", false, &[]).global_on(),
    zone("api-staging.example", false, &[]),
    zone("app.example", false, &[])
        .ssl(Strict)
        .global_on()
        .hostname_certs(&[hostname_cert("www.app.example", cert(-20, 345, 19, Active))])
        .proxied_hosts(&["static.app.example"])
        .associations(&[
            associated("www.app.example", true, 19, 19),
            associated("api.app.example", false, 19, 4),
        ]),
    zone("auth.example", false, &[]).ssl(Strict),
    zone("billing.example", false, &[]),
    zone("cdn.example", false, &[]),
    zone("downloads.example", false, &[]),
    zone("events.example", false, &[]),
    zone("forum.example", false, &[]),
    zone("help.example", false, &[]),
    zone("images.example", false, &[]),
    zone("intranet.example", false, &[]).ssl(Off).global_on(),
    zone("jobs.example", false, &[]),
    zone("mail.example", false, &[]).global_on().locked(),
    zone("news.example", false, &[]),
    zone("partners.example", false, &[])
        .hostname_certs(&[hostname_cert(
            "api.partners.example",
            cert(-370, -5, 369, Active),
        )])
        .associations(&[associated("api.partners.example", true, 369, 369)]),
    zone("payments.example", false, &[])
        .ssl(Flexible)
        .global_on(),
    zone("portal.example", false, &[])
        .hostname_certs(&[hostname_cert(
            "login.portal.example",
            cert(-353, 12, 352, Active),
        )])
        .proxied_hosts(&["login.portal.example"])
        .associations(&[associated("login.portal.example", true, 352, 352)]),
    zone("search.example", false, &[]),
    zone("static.example", false, &[]),
    zone("support.example", false, &[]).ssl(Strict),
    zone("videos.example", false, &[]),
    zone("www.example", false, &[]).ssl(Strict),
    zone("acme-widgets.test", false, &[]),
    zone("example-labs.test", false, &[]),
];

/// `zone_count`: `None` for the demo zones alone; `Some(n)` for exactly n zones, the
/// demo ones first and then plain generated ones without certificates.
pub fn build(
    zone_count: Option<usize>,
    now: DateTime<Utc>,
    start: Instant,
) -> io::Result<(Zones, ZoneState)> {
    let total = zone_count.unwrap_or(DEMO_ZONES.len());
    if total > MAX_ZONES {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("at most {MAX_ZONES} zones, not {total}"),
        ));
    }
    let demo = DEMO_ZONES
        .get(..total.min(DEMO_ZONES.len()))
        .unwrap_or_default();

    let record = |name: String, status: ZoneStatus| {
        let id = id_of(&name);
        ZoneRecord {
            id,
            name,
            status,
            created_on: created_on(id, now),
        }
    };
    let mut records = Vec::with_capacity(total);
    records.extend(demo.iter().map(|z| record(z.name.to_owned(), z.status)));
    records.extend(
        (1..=total - demo.len())
            .map(|i| record(format!("site-{i:05}.example"), ZoneStatus::Active)),
    );
    let zones = Zones::new(records, ACCOUNT_NAME);

    let mut state = ZoneState::new(total);
    state.set_clock(Clock::new(start, now));
    let ca = demo_ca()?;
    for demo_zone in demo {
        let Some(index) = zones.index_of(&format!("{:032x}", id_of(demo_zone.name))) else {
            continue;
        };
        state.set_enabled(index, demo_zone.enabled);
        for (k, spec) in demo_zone.certs.iter().enumerate() {
            let identity = DemoIdentity::of(demo_zone.name, k);
            let host = format!("edge.{}", demo_zone.name);
            let record = demo_cert(&ca, identity, &host, spec, k, now, start)?;
            state.insert(index, record);
        }
        let mut hostname_cert_ids = Vec::new();
        for (k, spec) in demo_zone.hostname_certs.iter().enumerate() {
            let identity = DemoIdentity::of_hostname_cert(demo_zone.name, k);
            let record = demo_cert(&ca, identity, spec.host, &spec.cert, k, now, start)?;
            hostname_cert_ids.push(record.id.clone());
            state.insert_hostname(index, record);
        }
        for spec in demo_zone.associations {
            let cert_id = hostname_cert_ids.get(spec.cert).cloned().ok_or_else(|| {
                other(format!(
                    "{}: no hostname certificate {}",
                    spec.host, spec.cert
                ))
            })?;
            // `days` ago plus an hour (after the certificate's upload), to the
            // microsecond as the API's times are.
            let at = |days: i64| {
                (now - TimeDelta::days(days) + TimeDelta::seconds(3600)).trunc_subsecs(6)
            };
            let record = AssociationRecord {
                cert_id,
                enabled: spec.enabled,
                created_at: at(spec.days_ago),
                updated_at: at(spec.changed_days_ago),
                changed: Countdown {
                    start,
                    delay: Duration::ZERO,
                },
            };
            state.insert_association(index, spec.host.to_owned(), record);
        }
        if let Some(zone_record) = zones.get(index) {
            for host in demo_zone.proxied_hosts {
                let address = format!("192.0.2.{}", 100 + id_of(host) % 100);
                state.add_dns_record(zone_record, index, DnsEntry::new(host, "A", &address, true));
            }
        }
        let settings = SettingsRecord {
            global: demo_zone.global,
            editable: demo_zone.editable,
            // A switch turned on was turned on some time ago; one never touched is null.
            modified_on: demo_zone
                .global
                .then(|| now - TimeDelta::days(global_days_ago(demo_zone.name))),
            ssl: demo_zone.ssl.mode(),
        };
        if settings != SettingsRecord::default() {
            *state.settings_mut(index) = settings;
        }
    }
    Ok((zones, state))
}

/// When a demo zone's global switch was turned on: 20 to 419 days ago, fixed per zone.
fn global_days_ago(zone: &str) -> i64 {
    20 + (id_of(&format!("demo-global:{zone}")) % 400) as i64
}

/// Years ago, spread out per zone, with sub-second digits like the live API's.
fn created_on(id: u128, now: DateTime<Utc>) -> DateTime<Utc> {
    let seed = (id >> 64) as u64;
    now - TimeDelta::days(420 + (seed % 1500) as i64)
        - TimeDelta::seconds(((seed >> 12) % 86_400) as i64)
        - TimeDelta::microseconds(((seed >> 40) % 1_000_000) as i64)
}

fn other(e: impl std::fmt::Display) -> io::Error {
    io::Error::other(format!("demo data: {e}"))
}

fn demo_ca() -> io::Result<Issuer<'static, KeyPair>> {
    let mut params = CertificateParams::default();
    params.distinguished_name = DistinguishedName::new();
    params.distinguished_name.push(DnType::CommonName, CA_NAME);
    params
        .distinguished_name
        .push(DnType::OrganizationName, ACCOUNT_NAME);
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    let key = KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256).map_err(other)?;
    Ok(Issuer::new(params, key))
}

/// The id and serial number of a zone's `k`th demo certificate. They depend on nothing
/// else, so the demo account's ids are the same on every start and every date, and the
/// README's examples can name one.
struct DemoIdentity {
    id: String,
    serial: SerialNumber,
}

impl DemoIdentity {
    /// A zone-level certificate's.
    fn of(zone: &str, k: usize) -> Self {
        Self::derived(&format!("demo-cert:{zone}:{k}"))
    }

    /// A hostname certificate's: derived the same way, from another seed.
    fn of_hostname_cert(zone: &str, k: usize) -> Self {
        Self::derived(&format!("demo-hostname-cert:{zone}:{k}"))
    }

    fn derived(seed: &str) -> Self {
        let digest = Sha256::digest(seed.as_bytes());
        let (id_bytes, serial_bytes) = digest.split_at(16);
        let mut random = [0u8; 16];
        random.copy_from_slice(id_bytes);
        let mut serial = serial_bytes.to_vec();
        // A serial is a positive INTEGER: with the top bit set, DER would need a 17th byte.
        serial[0] &= 0x7f;
        Self {
            id: uuid::Builder::from_random_bytes(random)
                .into_uuid()
                .hyphenated()
                .to_string(),
            serial: SerialNumber::from(serial),
        }
    }
}

/// A certificate for `host` (CN and SAN), the `k`th of its zone and kind.
fn demo_cert(
    ca: &Issuer<'static, KeyPair>,
    identity: DemoIdentity,
    host: &str,
    spec: &DemoCert,
    k: usize,
    now: DateTime<Utc>,
    start: Instant,
) -> io::Result<CertRecord> {
    let mut params = CertificateParams::new(vec![host.to_owned()]).map_err(other)?;
    params.serial_number = Some(identity.serial);
    params.distinguished_name = DistinguishedName::new();
    params.distinguished_name.push(DnType::CommonName, host);
    params
        .distinguished_name
        .push(DnType::OrganizationName, ACCOUNT_NAME);
    // Whole days: certificates are issued for dates, and rcgen takes no finer time
    // without the `time` crate.
    let day = |offset: i64| {
        let date = (now + TimeDelta::days(offset)).date_naive();
        rcgen::date_time_ymd(date.year(), date.month() as u8, date.day() as u8)
    };
    params.not_before = day(spec.not_before);
    params.not_after = day(spec.not_after);
    params.is_ca = IsCa::ExplicitNoCa;
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
    params.use_authority_key_identifier_extension = true;
    let key = KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256).map_err(other)?;
    let pem = params.signed_by(&key, ca).map_err(other)?.pem();
    // Parsed the way uploads are, so listed fields match what the client parses.
    let details = certinfo::parse_certificate(&pem).map_err(other)?;

    let k = k as i64;
    let uploaded_on = now
        - TimeDelta::days(spec.uploaded_days_ago)
        - TimeDelta::seconds(40 + 3607 * k)
        - TimeDelta::microseconds(374_110 + 1_000 * k);
    let settled = Countdown {
        start,
        delay: Duration::ZERO,
    };
    let showing = Countdown {
        start,
        delay: SHOW_FOR,
    };
    let deployment = match spec.state {
        PendingDeployment => Deployment::Deploying(showing),
        DeploymentTimedOut => Deployment::TimedOut,
        Active | PendingDeletion => Deployment::Deploying(settled),
    };
    let mut record = CertRecord::new(identity.id, &details, pem, uploaded_on, deployment);
    if spec.state == PendingDeletion {
        record.deletion = Some(showing);
    }
    Ok(record)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (zone, id, serial number) of every demo certificate, in listing order.
    fn identities(now: DateTime<Utc>) -> Vec<(String, String, String)> {
        let start = Instant::now();
        let (zones, state) = build(None, now, start).expect("demo builds");
        let mut out = Vec::new();
        for (index, zone) in zones.all().iter().enumerate() {
            let certs = state.certificates(index, start);
            for cert in certs
                .into_iter()
                .chain(state.hostname_certificates(index, start))
            {
                out.push((
                    zone.name.clone(),
                    cert.id.expect("an id"),
                    cert.serial_number.expect("a serial"),
                ));
            }
        }
        out
    }

    #[test]
    fn certificate_ids_and_serials_are_the_same_on_every_start_and_date() {
        let now = Utc::now();
        let first = identities(now);
        let demo_certs: usize = DEMO_ZONES
            .iter()
            .map(|z| z.certs.len() + z.hostname_certs.len())
            .sum();
        assert_eq!(first.len(), demo_certs);
        assert_eq!(first, identities(now + TimeDelta::days(400)));
        for (zone, id, _) in &first {
            let uuid = uuid::Uuid::try_parse(id).unwrap_or_else(|e| panic!("{zone}: {id}: {e}"));
            assert_eq!(uuid.get_version_num(), 4, "{id}");
            assert_eq!(
                *id,
                uuid.hyphenated().to_string(),
                "the live API's spelling"
            );
        }
        let mut serials: Vec<&str> = first.iter().map(|(_, _, s)| s.as_str()).collect();
        serials.sort_unstable();
        serials.dedup();
        assert_eq!(serials.len(), first.len(), "serials are distinct");
        let mut ids: Vec<&str> = first.iter().map(|(_, id, _)| id.as_str()).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), first.len(), "ids are distinct");
    }

    /// Discovery over the proxied records must find every demo association, and the
    /// demo's description must name each.
    #[test]
    fn every_demo_association_is_a_proxied_record_and_described() {
        let start = Instant::now();
        let (zones, state) = build(None, Utc::now(), start).expect("demo builds");
        let doc = include_str!("../../assets/demo-data.md");
        let mut found = 0;
        for (index, zone) in zones.all().iter().enumerate() {
            let proxied: Vec<String> = state
                .dns_records(zone, index)
                .into_iter()
                .filter(|r| r.proxied)
                .map(|r| r.name)
                .collect();
            for (host, association) in state.associations(index, start) {
                assert!(proxied.contains(&host), "{host} is not a proxied record");
                assert!(
                    doc.contains(&format!("| `{host}` |")),
                    "{host} is not described"
                );
                let certs = state.hostname_certificates(index, start);
                assert_eq!(association.cert_id, certs[0].id, "{host}");
                found += 1;
            }
        }
        let expected: usize = DEMO_ZONES.iter().map(|z| z.associations.len()).sum();
        assert_eq!(found, expected);
        assert!(found >= 2);
    }

    #[test]
    fn demo_data_lists_every_fixed_certificate_id() {
        let doc = include_str!("../../assets/demo-data.md");
        for zone in DEMO_ZONES {
            let zone_level = (0..zone.certs.len()).map(|k| DemoIdentity::of(zone.name, k));
            let hostname = (0..zone.hostname_certs.len())
                .map(|k| DemoIdentity::of_hostname_cert(zone.name, k));
            for id in zone_level.chain(hostname).map(|i| i.id) {
                assert!(
                    doc.contains(&format!("`{id}`")),
                    "assets/demo-data.md lacks {}'s {id}",
                    zone.name
                );
            }
        }
    }
}

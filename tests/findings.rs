//! The audit's rules as a table: each case a zone's state and the findings it must
//! give, every code and level of SPEC section 6 among them, with the edges.

use chrono::{DateTime, Duration, TimeZone, Utc};
use originpull::api::{ApiTime, CertStatus, Certificate, GlobalAop, SslMode};
use originpull::survey::{Code, Level, Rules, ZoneState, findings};

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 30, 12, 0, 0).unwrap()
}

fn cert(id: &str, status: CertStatus, expires_in: Duration) -> Certificate {
    Certificate {
        id: Some(id.into()),
        status: Some(status),
        expires_on: Some(ApiTime::from_datetime(now() + expires_in)),
        uploaded_on: Some(ApiTime::from_datetime(now() - Duration::days(10))),
        ..Default::default()
    }
}

fn active(id: &str) -> Certificate {
    cert(id, CertStatus::Active, Duration::days(200))
}

fn global(on: bool) -> Option<GlobalAop> {
    Some(GlobalAop {
        on,
        editable: Some(true),
        modified_on: None,
    })
}

/// A zone with everything read: global off, SSL strict, zone-level off, no
/// certificates of either level.
fn quiet() -> ZoneState {
    ZoneState {
        global: global(false),
        ssl: Some(SslMode::Strict),
        enabled: Some(false),
        certificates: Some(Vec::new()),
        hostname_certificates: Some(Vec::new()),
        ..ZoneState::new("z", "z.example")
    }
}

fn codes(zone: &ZoneState) -> Vec<Code> {
    codes_with(zone, Rules::default())
}

fn codes_with(zone: &ZoneState, rules: Rules) -> Vec<Code> {
    findings(zone, now(), rules)
        .iter()
        .map(|f| f.code)
        .collect()
}

#[test]
fn every_code_has_the_level_the_spec_gives_it() {
    let table = [
        ("expired", Level::Error),
        ("enabled-without-certificate", Level::Error),
        ("deployment-failed", Level::Error),
        ("expiring", Level::Warning),
        ("multiple-active", Level::Warning),
        ("stuck-pending", Level::Warning),
        ("shared-certificate-only", Level::Warning),
        ("ssl-mode-voids-aop", Level::Warning),
        ("certificate-unused", Level::Notice),
        ("unreadable", Level::Error),
        // Issue 15's, beyond SPEC section 6's table: a known hostname on a certificate
        // that is gone.
        ("hostname-certificate-gone", Level::Error),
    ];
    assert_eq!(Code::ALL.len(), table.len());
    for (code, (name, level)) in Code::ALL.iter().zip(table) {
        assert_eq!((code.as_str(), code.level()), (name, level));
    }
}

#[test]
fn a_zone_with_nothing_on_and_no_certificates_has_no_finding() {
    assert_eq!(codes(&quiet()), []);
}

#[test]
fn expiry_of_either_level_with_its_edges() {
    let rules = Rules::default();
    let with = |zone_level: Vec<Certificate>, hostname: Vec<Certificate>| ZoneState {
        certificates: Some(zone_level),
        hostname_certificates: Some(hostname),
        enabled: Some(true),
        ..quiet()
    };
    let day = Duration::days(1);
    let cases = [
        // Past `expires_on`, and at its very second.
        (
            with(vec![cert("a", CertStatus::Active, -day)], vec![]),
            vec![Code::Expired],
        ),
        (
            with(
                vec![cert("a", CertStatus::Active, Duration::zero())],
                vec![],
            ),
            vec![Code::Expired],
        ),
        // Within 30 days, exactly 30 days included; a second more is not.
        (
            with(vec![cert("a", CertStatus::Active, day * 30)], vec![]),
            vec![Code::Expiring],
        ),
        (
            with(
                vec![cert(
                    "a",
                    CertStatus::Active,
                    day * 30 + Duration::seconds(1),
                )],
                vec![],
            ),
            vec![],
        ),
        // Hostname certificates count too.
        (
            with(vec![active("a")], vec![cert("h", CertStatus::Active, -day)]),
            vec![Code::Expired],
        ),
        (
            with(
                vec![active("a")],
                vec![cert("h", CertStatus::Active, day * 3)],
            ),
            vec![Code::Expiring],
        ),
    ];
    for (zone, want) in cases {
        assert_eq!(codes_with(&zone, rules), want, "{zone:?}");
    }
    // --expiring-within moves the threshold.
    let zone = with(vec![cert("a", CertStatus::Active, day * 10)], vec![]);
    assert_eq!(
        codes_with(
            &zone,
            Rules {
                expiring_within_days: 7
            }
        ),
        []
    );
    assert_eq!(
        codes_with(
            &zone,
            Rules {
                expiring_within_days: 10
            }
        ),
        [Code::Expiring]
    );
    // The finding names its certificate and level.
    let f = &findings(
        &with(vec![], vec![cert("h", CertStatus::Active, -day)]),
        now(),
        rules,
    )[0];
    assert_eq!(f.certificate.as_deref(), Some("h"));
    assert_eq!(f.cert_level.map(|l| l.as_str()), Some("hostname"));
    assert_eq!(f.level, Level::Error);
}

#[test]
fn zone_level_enablement_against_its_certificates() {
    let pending = Certificate {
        uploaded_on: Some(ApiTime::from_datetime(now() - Duration::hours(1))),
        ..cert("p", CertStatus::PendingDeployment, Duration::days(300))
    };
    let cases = [
        (
            Some(true),
            Some(vec![]),
            vec![Code::EnabledWithoutCertificate],
        ),
        (
            Some(true),
            Some(vec![pending.clone()]),
            vec![Code::EnabledWithoutCertificate],
        ),
        (Some(true), Some(vec![active("a")]), vec![]),
        // The list did not read: no guess.
        (Some(true), None, vec![]),
        (
            Some(false),
            Some(vec![active("a")]),
            vec![Code::CertificateUnused],
        ),
        (Some(false), Some(vec![pending]), vec![]),
        (
            Some(true),
            Some(vec![active("a"), active("b")]),
            vec![Code::MultipleActive],
        ),
        (
            Some(false),
            Some(vec![active("a"), active("b")]),
            vec![Code::MultipleActive, Code::CertificateUnused],
        ),
    ];
    for (enabled, certs, want) in cases {
        let zone = ZoneState {
            enabled,
            certificates: certs,
            ..quiet()
        };
        assert_eq!(codes(&zone), want, "{zone:?}");
    }
    let unused = findings(
        &ZoneState {
            certificates: Some(vec![active("a")]),
            ..quiet()
        },
        now(),
        Rules::default(),
    );
    assert_eq!(unused[0].level, Level::Notice);
}

#[test]
fn failed_and_stuck_deployments() {
    let old = |status: CertStatus, hours: i64| Certificate {
        uploaded_on: Some(ApiTime::from_datetime(now() - Duration::hours(hours))),
        ..cert("c", status, Duration::days(300))
    };
    let cases = [
        (
            old(CertStatus::DeploymentTimedOut, 1),
            vec![Code::DeploymentFailed],
        ),
        (
            old(CertStatus::DeletionTimedOut, 1),
            vec![Code::DeploymentFailed],
        ),
        (
            old(CertStatus::PendingDeployment, 25),
            vec![Code::StuckPending],
        ),
        (old(CertStatus::PendingDeployment, 23), vec![]),
        (old(CertStatus::Initializing, 25), vec![Code::StuckPending]),
        // The API does not say when a deletion began: uploaded long ago is not enough.
        (old(CertStatus::PendingDeletion, 2000), vec![]),
    ];
    for (c, want) in cases {
        let zone = ZoneState {
            hostname_certificates: Some(vec![c.clone()]),
            ..quiet()
        };
        assert_eq!(codes(&zone), want, "{c:?}");
    }
    // A deletion a survey saw begin more than a day ago is stuck.
    let deleting = old(CertStatus::PendingDeletion, 2000);
    for (hours, want) in [(25, vec![Code::StuckPending]), (23, vec![])] {
        let zone = ZoneState {
            certificates: Some(vec![deleting.clone()]),
            deleting_since: vec![("c".into(), now() - Duration::hours(hours))],
            ..quiet()
        };
        assert_eq!(codes(&zone), want);
    }
}

#[test]
fn the_shared_certificate_alone_and_ssl_modes_that_void_aop() {
    let hostname_active = vec![active("h")];
    let cases = [
        // Global on, nothing of the account's own in use.
        (
            quiet_with(true, Some(false), vec![], vec![], SslMode::Strict),
            vec![Code::SharedCertificateOnly],
        ),
        // Zone-level enabled with an active certificate: the account's own.
        (
            quiet_with(true, Some(true), vec![active("a")], vec![], SslMode::Full),
            vec![],
        ),
        // Zone-level enabled without one: not "shared only", but its own error.
        (
            quiet_with(true, Some(true), vec![], vec![], SslMode::Full),
            vec![Code::EnabledWithoutCertificate, Code::SharedCertificateOnly],
        ),
        // An active hostname certificate is the account's own.
        (
            quiet_with(
                true,
                Some(false),
                vec![],
                hostname_active.clone(),
                SslMode::Full,
            ),
            vec![],
        ),
        // Flexible or Off with any level on voids it; with none on it does not matter.
        (
            quiet_with(
                true,
                Some(false),
                vec![],
                hostname_active.clone(),
                SslMode::Flexible,
            ),
            vec![Code::SslModeVoidsAop],
        ),
        (
            quiet_with(false, Some(true), vec![active("a")], vec![], SslMode::Off),
            vec![Code::SslModeVoidsAop],
        ),
        (
            quiet_with(false, Some(false), vec![], hostname_active, SslMode::Off),
            vec![Code::SslModeVoidsAop],
        ),
        (
            quiet_with(false, Some(false), vec![], vec![], SslMode::Flexible),
            vec![],
        ),
    ];
    for (zone, want) in cases {
        assert_eq!(codes(&zone), want, "{zone:?}");
    }
    // Hostname certificates not read: no claim that only the shared one is in use.
    let unknown = ZoneState {
        hostname_certificates: None,
        ..quiet_with(true, Some(false), vec![], vec![], SslMode::Strict)
    };
    assert_eq!(codes(&unknown), []);
}

fn quiet_with(
    global_on: bool,
    enabled: Option<bool>,
    zone_level: Vec<Certificate>,
    hostname: Vec<Certificate>,
    ssl: SslMode,
) -> ZoneState {
    ZoneState {
        global: global(global_on),
        enabled,
        certificates: Some(zone_level),
        hostname_certificates: Some(hostname),
        ssl: Some(ssl),
        ..quiet()
    }
}

#[test]
fn an_unreadable_zone_says_why_and_keeps_what_was_read() {
    let zone = ZoneState {
        unreadable: vec![
            "settings: Cloudflare error 10000 (HTTP 403)".into(),
            "zone-level enablement: no answer within 30 s".into(),
        ],
        global: None,
        ssl: None,
        enabled: None,
        certificates: Some(vec![cert("a", CertStatus::Active, -Duration::days(1))]),
        ..quiet()
    };
    let found = findings(&zone, now(), Rules::default());
    let codes: Vec<Code> = found.iter().map(|f| f.code).collect();
    assert_eq!(codes, [Code::Expired, Code::Unreadable, Code::Unreadable]);
    assert!(found[1].message.contains("10000"), "{}", found[1].message);
    assert_eq!(found[1].level, Level::Error);
}

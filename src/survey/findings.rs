//! The findings: what an operator must not miss about a zone, each with a stable code
//! and a level (SPEC section 6). Pure functions of a zone's state and the clock, one
//! set of rules for the audit, the fleet view and the open zone.

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

use super::state::{CertLevel, ZoneState};
use crate::api::{CertStatus, Certificate};
use crate::text::short_id;

/// Cloudflare alerts at 30 and 14 days before expiry; `expiring` starts at 30 unless
/// `--expiring-within` says otherwise.
pub const EXPIRING_WITHIN_DAYS: i64 = 30;

/// A certificate still pending after this is stuck.
pub const STUCK_AFTER: Duration = Duration::hours(24);

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Notice,
    Warning,
    Error,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Notice => "notice",
            Self::Warning => "warning",
            Self::Error => "error",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [Self::Notice, Self::Warning, Self::Error]
            .into_iter()
            .find(|l| l.as_str() == text)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Code {
    Expired,
    EnabledWithoutCertificate,
    DeploymentFailed,
    Expiring,
    MultipleActive,
    StuckPending,
    SharedCertificateOnly,
    SslModeVoidsAop,
    CertificateUnused,
    Unreadable,
    /// A known hostname associated with a hostname certificate that is gone or going.
    HostnameCertificateGone,
}

impl Code {
    pub const ALL: [Code; 11] = [
        Self::Expired,
        Self::EnabledWithoutCertificate,
        Self::DeploymentFailed,
        Self::Expiring,
        Self::MultipleActive,
        Self::StuckPending,
        Self::SharedCertificateOnly,
        Self::SslModeVoidsAop,
        Self::CertificateUnused,
        Self::Unreadable,
        Self::HostnameCertificateGone,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Expired => "expired",
            Self::EnabledWithoutCertificate => "enabled-without-certificate",
            Self::DeploymentFailed => "deployment-failed",
            Self::Expiring => "expiring",
            Self::MultipleActive => "multiple-active",
            Self::StuckPending => "stuck-pending",
            Self::SharedCertificateOnly => "shared-certificate-only",
            Self::SslModeVoidsAop => "ssl-mode-voids-aop",
            Self::CertificateUnused => "certificate-unused",
            Self::Unreadable => "unreadable",
            Self::HostnameCertificateGone => "hostname-certificate-gone",
        }
    }

    /// The SPEC fixes each code's level.
    pub fn level(self) -> Level {
        match self {
            Self::Expired
            | Self::EnabledWithoutCertificate
            | Self::DeploymentFailed
            | Self::Unreadable
            | Self::HostnameCertificateGone => Level::Error,
            Self::Expiring
            | Self::MultipleActive
            | Self::StuckPending
            | Self::SharedCertificateOnly
            | Self::SslModeVoidsAop => Level::Warning,
            Self::CertificateUnused => Level::Notice,
        }
    }
}

/// One finding: its code, its level, what it is about, and what to do, in words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub code: Code,
    pub level: Level,
    /// The certificate it is about, if one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub certificate: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cert_level: Option<CertLevel>,
    pub message: String,
}

impl Finding {
    fn zone(code: Code, message: String) -> Self {
        Self {
            code,
            level: code.level(),
            certificate: None,
            cert_level: None,
            message,
        }
    }

    fn cert(code: Code, level: CertLevel, cert: &Certificate, message: String) -> Self {
        Self {
            certificate: cert.id.clone(),
            cert_level: Some(level),
            ..Self::zone(code, message)
        }
    }
}

/// The settings the rules take from the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rules {
    pub expiring_within_days: i64,
}

impl Default for Rules {
    fn default() -> Self {
        Self {
            expiring_within_days: EXPIRING_WITHIN_DAYS,
        }
    }
}

/// How a certificate's expiry stands, in whole days.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expiry {
    Expired { days_ago: i64 },
    Soon { days_left: i64 },
    Fine { days_left: i64 },
    Unknown,
}

impl Expiry {
    pub fn of(cert: &Certificate, now: DateTime<Utc>) -> Self {
        Self::within(cert, now, EXPIRING_WITHIN_DAYS)
    }

    fn within(cert: &Certificate, now: DateTime<Utc>, soon_days: i64) -> Self {
        match cert.expires_on.as_ref().and_then(|t| t.datetime()) {
            Some(expires) => Self::at_within(expires, now, soon_days),
            None => Self::Unknown,
        }
    }

    /// For an expiry time: the list and the detail pane count days alike.
    pub fn at(expires: DateTime<Utc>, now: DateTime<Utc>) -> Self {
        Self::at_within(expires, now, EXPIRING_WITHIN_DAYS)
    }

    /// Expired from the very second of `expires_on`; "within N days" includes a
    /// certificate expiring exactly N days from now.
    fn at_within(expires: DateTime<Utc>, now: DateTime<Utc>, soon_days: i64) -> Self {
        let left = expires - now;
        if left <= Duration::zero() {
            return Self::Expired {
                days_ago: (-left).num_days(),
            };
        }
        let days_left = left.num_days();
        if left <= Duration::days(soon_days) {
            Self::Soon { days_left }
        } else {
            Self::Fine { days_left }
        }
    }

    /// A short label that does not depend on colour, e.g. `92 d`, `12 d SOON`, `EXPIRED 3 d ago`.
    pub fn label(&self) -> String {
        match self {
            Self::Expired { days_ago } => format!("EXPIRED {days_ago} d ago"),
            Self::Soon { days_left } => format!("{days_left} d SOON"),
            Self::Fine { days_left } => format!("{days_left} d"),
            Self::Unknown => "?".to_owned(),
        }
    }
}

/// Every finding for `zone` at `now`, in the SPEC's order of codes.
pub fn findings(zone: &ZoneState, now: DateTime<Utc>, rules: Rules) -> Vec<Finding> {
    let mut out = Vec::new();
    for reason in &zone.unreadable {
        out.push(Finding::zone(
            Code::Unreadable,
            format!("could not be surveyed: {reason}"),
        ));
    }
    for (level, cert) in zone.all_certificates() {
        certificate_findings(zone, level, cert, now, rules, &mut out);
    }
    zone_findings(zone, &mut out);
    hostname_findings(zone, &mut out);
    out.sort_by_key(|f| f.code);
    out
}

fn certificate_findings(
    zone: &ZoneState,
    level: CertLevel,
    cert: &Certificate,
    now: DateTime<Utc>,
    rules: Rules,
    out: &mut Vec<Finding>,
) {
    let id = cert.id.as_deref().map(short_id).unwrap_or_default();
    let what = format!("{} {id}", level.noun());
    match Expiry::within(cert, now, rules.expiring_within_days) {
        Expiry::Expired { days_ago } => out.push(Finding::cert(
            Code::Expired,
            level,
            cert,
            format!(
                "{what} expired {}: origins checking it refuse Cloudflare; upload a new one and delete it",
                ago(days_ago)
            ),
        )),
        Expiry::Soon { days_left } => out.push(Finding::cert(
            Code::Expiring,
            level,
            cert,
            format!("{what} expires in {days_left} days: rotate it"),
        )),
        Expiry::Fine { .. } | Expiry::Unknown => {}
    }
    match cert.status {
        Some(CertStatus::DeploymentTimedOut | CertStatus::DeletionTimedOut) => {
            let status = cert.status.as_ref().map_or("", |s| s.as_str());
            out.push(Finding::cert(
                Code::DeploymentFailed,
                level,
                cert,
                format!("{what} is {status}: Cloudflare gave up; delete it and try again"),
            ));
        }
        Some(
            CertStatus::Initializing | CertStatus::PendingDeployment | CertStatus::PendingDeletion,
        ) if pending_since(zone, cert).is_some_and(|since| now - since > STUCK_AFTER) => {
            let status = cert.status.as_ref().map_or("", |s| s.as_str());
            out.push(Finding::cert(
                Code::StuckPending,
                level,
                cert,
                format!("{what} has been {status} for over 24 hours"),
            ));
        }
        _ => {}
    }
}

/// Since when a certificate has been pending: a deployment since its upload; a
/// deletion since a survey first saw it (the API does not say when it began).
fn pending_since(zone: &ZoneState, cert: &Certificate) -> Option<DateTime<Utc>> {
    if cert.status == Some(CertStatus::PendingDeletion) {
        let id = cert.id.as_deref()?;
        zone.deleting_since
            .iter()
            .find(|(seen, _)| seen == id)
            .map(|(_, since)| *since)
    } else {
        cert.uploaded_on.as_ref()?.datetime()
    }
}

/// Known hostnames (read by the audit where originpull knows some) pointing at a
/// hostname certificate the zone no longer holds, or is deleting.
fn hostname_findings(zone: &ZoneState, out: &mut Vec<Finding>) {
    let Some(certs) = &zone.hostname_certificates else {
        return;
    };
    for h in &zone.hostnames {
        let Some(id) = h.association.as_ref().and_then(|a| a.cert_id.as_deref()) else {
            continue;
        };
        let live = certs.iter().any(|c| {
            c.id.as_deref() == Some(id)
                && !matches!(
                    c.status,
                    Some(CertStatus::PendingDeletion | CertStatus::Deleted)
                )
        });
        if !live {
            out.push(Finding {
                certificate: Some(id.to_owned()),
                cert_level: Some(CertLevel::Hostname),
                ..Finding::zone(
                    Code::HostnameCertificateGone,
                    format!(
                        "hostname {} is associated with hostname certificate {}, which is gone \
                         or being deleted: move it to another (hostnames set) or clear it",
                        h.hostname,
                        short_id(id)
                    ),
                )
            });
        }
    }
}

fn zone_findings(zone: &ZoneState, out: &mut Vec<Finding>) {
    let active = zone.active_certificates().count();
    let listed = zone.certificates.is_some();
    match zone.enabled {
        Some(true) if listed && active == 0 => out.push(Finding::zone(
            Code::EnabledWithoutCertificate,
            "zone-level AOP is enabled but no certificate is active: upload one, or origins \
             requiring it will refuse Cloudflare"
                .to_owned(),
        )),
        Some(false) if active > 0 => out.push(Finding::zone(
            Code::CertificateUnused,
            format!(
                "{active} active zone-level certificate{} while zone-level AOP is disabled: \
                 enable it, or delete {}",
                plural(active),
                if active == 1 { "it" } else { "them" }
            ),
        )),
        _ => {}
    }
    if active > 1 {
        out.push(Finding::zone(
            Code::MultipleActive,
            format!(
                "{active} zone-level certificates active: the newest is used; delete the older \
                 once the new one works"
            ),
        ));
    }
    let global = zone.global.as_ref().map(|g| g.on);
    let hostname_on = zone
        .hostname_certificates
        .as_ref()
        .map(|c| c.iter().any(|c| c.status == Some(CertStatus::Active)));
    if global == Some(true) && zone.zone_level_in_use() == Some(false) && hostname_on == Some(false)
    {
        out.push(Finding::zone(
            Code::SharedCertificateOnly,
            "only Cloudflare's shared certificate is presented: any Cloudflare account passes \
             the origin's check; upload a certificate of your own"
                .to_owned(),
        ));
    }
    let any_on = [global, zone.enabled, hostname_on].contains(&Some(true));
    if let Some(ssl) = zone.ssl.as_ref().filter(|s| s.voids_aop())
        && any_on
    {
        out.push(Finding::zone(
            Code::SslModeVoidsAop,
            format!(
                "AOP is on but the SSL mode is {}: Cloudflare does not connect to the origin \
                 over TLS, so no client certificate is presented; set it to Full (strict)",
                ssl.as_str()
            ),
        ));
    }
}

fn ago(days: i64) -> String {
    match days {
        0 => "today".to_owned(),
        1 => "1 day ago".to_owned(),
        n => format!("{n} days ago"),
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// The highest level among `findings`, if any.
pub fn worst(findings: &[Finding]) -> Option<Level> {
    findings.iter().map(|f| f.level).max()
}

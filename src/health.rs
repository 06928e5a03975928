//! What an operator must not miss about a zone's certificates, decided once for both
//! the CLI and the TUI.

use chrono::{DateTime, Utc};

use crate::api::{CertStatus, Certificate};

/// Cloudflare warns at 30 and 14 days; so does originpull.
pub const EXPIRING_SOON_DAYS: i64 = 30;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expiry {
    Expired { days_ago: i64 },
    Soon { days_left: i64 },
    Fine { days_left: i64 },
    Unknown,
}

impl Expiry {
    pub fn of(cert: &Certificate, now: DateTime<Utc>) -> Self {
        match cert.expires_on.as_ref().and_then(|t| t.datetime()) {
            Some(expires) => Self::at(expires, now),
            None => Self::Unknown,
        }
    }

    /// For an expiry time: the list and the detail pane count days alike.
    pub fn at(expires: DateTime<Utc>, now: DateTime<Utc>) -> Self {
        let secs = (expires - now).num_seconds();
        if secs <= 0 {
            return Self::Expired {
                days_ago: -secs / 86_400,
            };
        }
        let days_left = secs / 86_400;
        if days_left < EXPIRING_SOON_DAYS {
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

/// A zone-wide condition worth a warning.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Warning {
    /// More than one active certificate: the newest deployed is used.
    SeveralActive(usize),
    /// Enablement is on but no certificate is active.
    EnabledWithoutActive,
    /// An active certificate has expired: origins checking it will refuse Cloudflare.
    ActiveExpired(usize),
    /// An active certificate expires within [`EXPIRING_SOON_DAYS`].
    ActiveExpiringSoon(usize),
}

impl std::fmt::Display for Warning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::SeveralActive(n) => write!(
                f,
                "{n} certificates active: the newest is used; delete the older once the new one works"
            ),
            Self::EnabledWithoutActive => f.write_str(
                "enabled but no certificate is active: upload one, or origins requiring it will refuse Cloudflare",
            ),
            Self::ActiveExpired(1) => {
                f.write_str("an active certificate has EXPIRED: upload a new one and delete it")
            }
            Self::ActiveExpired(n) => {
                write!(f, "{n} active certificates have EXPIRED: replace them")
            }
            Self::ActiveExpiringSoon(n) => write!(
                f,
                "{n} active certificate{} expire{} within {EXPIRING_SOON_DAYS} days: rotate soon",
                if *n == 1 { "" } else { "s" },
                if *n == 1 { "s" } else { "" }
            ),
        }
    }
}

/// The warnings for a zone. `enabled` is `None` when enablement is not known yet.
/// Takes borrowed certificates so the TUI, which calls this every frame, need not
/// copy its rows (each with its PEM) to ask.
pub fn zone_warnings<'a>(
    certs: impl IntoIterator<Item = &'a Certificate>,
    enabled: Option<bool>,
    now: DateTime<Utc>,
) -> Vec<Warning> {
    let active: Vec<&Certificate> = certs
        .into_iter()
        .filter(|c| c.status == Some(CertStatus::Active))
        .collect();
    let mut out = Vec::new();
    if active.len() > 1 {
        out.push(Warning::SeveralActive(active.len()));
    }
    if enabled == Some(true) && active.is_empty() {
        out.push(Warning::EnabledWithoutActive);
    }
    let count = |f: fn(&Expiry) -> bool| active.iter().filter(|c| f(&Expiry::of(c, now))).count();
    let expired = count(|e| matches!(e, Expiry::Expired { .. }));
    if expired > 0 {
        out.push(Warning::ActiveExpired(expired));
    }
    let soon = count(|e| matches!(e, Expiry::Soon { .. }));
    if soon > 0 {
        out.push(Warning::ActiveExpiringSoon(soon));
    }
    out
}

/// Whether `cert` is the zone's only active certificate: deleting it while enablement
/// is on leaves Cloudflare with no client certificate to present.
pub fn is_only_active<'a>(certs: impl IntoIterator<Item = &'a Certificate>, cert_id: &str) -> bool {
    let mut active = certs
        .into_iter()
        .filter(|c| c.status == Some(CertStatus::Active));
    matches!(
        (active.next(), active.next()),
        (Some(c), None) if c.id.as_deref() == Some(cert_id)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::ApiTime;
    use chrono::Duration;

    fn cert(id: &str, status: CertStatus, expires: DateTime<Utc>) -> Certificate {
        Certificate {
            id: Some(id.into()),
            status: Some(status),
            expires_on: Some(ApiTime::from_datetime(expires)),
            ..Default::default()
        }
    }

    #[test]
    fn expiry_buckets() {
        let now = Utc::now();
        let c = |d: Duration| cert("a", CertStatus::Active, now + d);
        assert_eq!(
            Expiry::of(&c(Duration::days(92) + Duration::hours(1)), now),
            Expiry::Fine { days_left: 92 }
        );
        assert_eq!(
            Expiry::of(&c(Duration::days(10)), now),
            Expiry::Soon { days_left: 10 }
        );
        assert_eq!(
            Expiry::of(&c(-Duration::hours(1)), now),
            Expiry::Expired { days_ago: 0 }
        );
        assert_eq!(
            Expiry::of(&c(-Duration::days(3) - Duration::hours(2)), now),
            Expiry::Expired { days_ago: 3 }
        );
        assert_eq!(Expiry::of(&Certificate::default(), now), Expiry::Unknown);
    }

    #[test]
    fn warnings_cover_what_operators_miss() {
        let now = Utc::now();
        let certs = vec![
            cert("old", CertStatus::Active, now - Duration::days(1)),
            cert("new", CertStatus::Active, now + Duration::days(10)),
            cert(
                "p",
                CertStatus::PendingDeployment,
                now + Duration::days(300),
            ),
        ];
        let w = zone_warnings(&certs, Some(true), now);
        assert_eq!(
            w,
            vec![
                Warning::SeveralActive(2),
                Warning::ActiveExpired(1),
                Warning::ActiveExpiringSoon(1)
            ]
        );
        assert_eq!(
            zone_warnings(&certs[2..], Some(true), now),
            vec![Warning::EnabledWithoutActive]
        );
        assert!(zone_warnings(&certs[2..], Some(false), now).is_empty());
    }

    #[test]
    fn only_active() {
        let now = Utc::now();
        let certs = vec![
            cert("a", CertStatus::Active, now + Duration::days(90)),
            cert("p", CertStatus::PendingDeployment, now + Duration::days(90)),
        ];
        assert!(is_only_active(&certs, "a"));
        assert!(!is_only_active(&certs, "p"));
        let mut two = certs.clone();
        two.push(cert("b", CertStatus::Active, now + Duration::days(90)));
        assert!(!is_only_active(&two, "a"));
    }
}

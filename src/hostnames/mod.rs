//! Per-hostname AOP beyond single calls: which hostnames a zone has (the known ones,
//! those named, those discovered from proxied DNS records) and each one's association,
//! read within the budget. `originpull hostnames` prints it.

pub mod known;

use futures::StreamExt;
use serde::{Deserialize, Serialize};

pub use known::{KnownHostnames, Seen, Source, normalize};

use chrono::{DateTime, Utc};

use crate::api::{ApiError, Association, CertStatus, Certificate, Client};
use crate::text::short_id;

/// Associations read at once: the budget, not this, sets the pace.
pub const CONCURRENCY: usize = 8;

/// One hostname and its association, as far as it could be read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HostnameState {
    pub hostname: String,
    pub source: Source,
    /// `None`: the hostname has no association (or it could not be read: see `error`).
    pub association: Option<Association>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl HostnameState {
    /// What is wrong with the association, in words: a certificate that is gone (or
    /// going, or not among the zone's `certs`) or expired while the hostname is enabled.
    pub fn problem(&self, certs: &[Certificate], now: DateTime<Utc>) -> Option<String> {
        let a = self.association.as_ref()?;
        let id = a.cert_id.as_deref()?;
        let listed = certs.iter().find(|c| c.id.as_deref() == Some(id));
        let going = |s: Option<&CertStatus>| {
            matches!(
                s,
                Some(
                    CertStatus::PendingDeletion
                        | CertStatus::Deleted
                        | CertStatus::DeletionTimedOut
                )
            )
        };
        if listed.is_none()
            || going(a.cert_status.as_ref())
            || going(listed.and_then(|c| c.status.as_ref()))
        {
            return Some(format!(
                "associated with certificate {}, which is gone or being deleted: move it \
                 (hostnames set … --cert NEW --enable) or clear it",
                short_id(id)
            ));
        }
        let expired = listed
            .and_then(|c| c.expires_on.as_ref())
            .and_then(|t| t.datetime())
            .is_some_and(|t| t <= now);
        (expired && a.enabled == Some(true)).then(|| {
            format!(
                "its certificate {} has expired: origins checking it refuse Cloudflare for it",
                short_id(id)
            )
        })
    }

    /// Whether it points at this certificate: enabled, or disabled but kept.
    pub fn uses(&self, cert_id: &str) -> bool {
        self.association
            .as_ref()
            .is_some_and(|a| a.cert_id.as_deref() == Some(cert_id))
    }
}

/// Each hostname's association, `CONCURRENCY` at a time, in the order given: one call
/// per hostname, and nothing more.
pub async fn associations(
    client: &Client,
    zone_id: &str,
    hostnames: Vec<(String, Source)>,
) -> Vec<HostnameState> {
    client.expect_more(hostnames.len() as u64);
    futures::stream::iter(hostnames)
        .map(|(hostname, source)| async move {
            let read = client.get_hostname(zone_id, &hostname).await;
            state(hostname, source, read)
        })
        .buffered(CONCURRENCY)
        .collect()
        .await
}

fn state(
    hostname: String,
    source: Source,
    read: Result<Option<Association>, ApiError>,
) -> HostnameState {
    match read {
        Ok(association) => HostnameState {
            hostname,
            source,
            association,
            error: None,
        },
        Err(e) => HostnameState {
            hostname,
            source,
            association: None,
            error: Some(match e.hint() {
                Some(hint) => format!("{e} ({hint})"),
                None => e.to_string(),
            }),
        },
    }
}

/// What to remember of the states read: each hostname with the certificate it was
/// seen on (none without an association); an unread one is not remembered.
pub fn seen(states: &[HostnameState], at: DateTime<Utc>) -> Vec<(String, Seen)> {
    states
        .iter()
        .filter(|s| s.error.is_none())
        .map(|s| {
            let seen = Seen {
                source: s.source,
                cert_id: s.association.as_ref().and_then(|a| a.cert_id.clone()),
                at,
            };
            (s.hostname.clone(), seen)
        })
        .collect()
}

/// The hostnames to ask about, each once: those named first, then the known ones,
/// then the discovered ones, each with how it became known.
pub fn merge(
    named: &[String],
    known: impl IntoIterator<Item = (String, Source)>,
    discovered: &[String],
) -> Vec<(String, Source)> {
    let mut out: Vec<(String, Source)> = Vec::new();
    let mut add = |name: &str, source: Source| {
        let name = normalize(name);
        if !name.is_empty() && !out.iter().any(|(n, _)| *n == name) {
            out.push((name, source));
        }
    };
    for name in named {
        add(name, Source::Named);
    }
    for (name, source) in known {
        add(&name, source);
    }
    for name in discovered {
        add(name, Source::Discovered);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_association_with_a_certificate_that_is_gone_is_a_problem() {
        let now = Utc::now();
        let state = |cert_id: &str, cert_status| HostnameState {
            hostname: "www.a.example".into(),
            source: Source::Associated,
            association: Some(Association {
                cert_id: Some(cert_id.into()),
                enabled: Some(true),
                cert_status,
                ..Default::default()
            }),
            error: None,
        };
        let live = Certificate {
            id: Some("live".into()),
            status: Some(CertStatus::Active),
            expires_on: Some(crate::api::ApiTime::from_datetime(
                now + chrono::Duration::days(9),
            )),
            ..Default::default()
        };
        let certs = [live];
        assert_eq!(
            state("live", Some(CertStatus::Active)).problem(&certs, now),
            None
        );
        assert!(
            state("gone", None)
                .problem(&certs, now)
                .unwrap()
                .contains("gone")
        );
        assert!(
            state("live", Some(CertStatus::PendingDeletion))
                .problem(&certs, now)
                .is_some()
        );
        assert!(
            state("live", None)
                .problem(&certs, now + chrono::Duration::days(10))
                .unwrap()
                .contains("expired")
        );
    }

    #[test]
    fn each_hostname_is_asked_about_once_named_first() {
        let merged = merge(
            &["WWW.a.example.".into(), "api.a.example".into()],
            [("www.a.example".into(), Source::Associated)],
            &["shop.a.example".into(), "api.a.example".into()],
        );
        assert_eq!(
            merged,
            [
                ("www.a.example".to_owned(), Source::Named),
                ("api.a.example".to_owned(), Source::Named),
                ("shop.a.example".to_owned(), Source::Discovered),
            ]
        );
    }
}

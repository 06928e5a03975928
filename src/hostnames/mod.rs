//! Per-hostname AOP beyond single calls: which hostnames a zone has (the known ones,
//! those named, those discovered from proxied DNS records) and each one's association,
//! read within the budget. `originpull hostnames` prints it.

pub mod known;

use futures::StreamExt;
use serde::Serialize;

pub use known::{KnownHostnames, Seen, Source, normalize};

use crate::api::{ApiError, Association, Client};

/// Associations read at once: the budget, not this, sets the pace.
pub const CONCURRENCY: usize = 8;

/// One hostname and its association, as far as it could be read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HostnameState {
    pub hostname: String,
    pub source: Source,
    /// `None`: the hostname has no association (or it could not be read: see `error`).
    pub association: Option<Association>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl HostnameState {
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

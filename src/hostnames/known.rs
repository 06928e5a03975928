//! The hostnames originpull has seen in each zone: named by the user, associated by
//! originpull, or found by discovery. No call lists a zone's associations, so this is
//! how `hostnames status` and `hostnames delete` know which hostnames to ask about.
//! One file per account and credential in the state dir; hostnames and certificate ids
//! only, never a secret.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::api::Credentials;
use crate::cache::{account_key, open_private};

const VERSION: u32 = 1;

/// How originpull came to know a hostname.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// The user named it.
    Named,
    /// originpull associated it (or cleared it).
    Associated,
    /// A proxied DNS record of the zone.
    Discovered,
}

/// What is known of one hostname.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Seen {
    pub source: Source,
    /// The certificate it was last seen associated with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cert_id: Option<String>,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct File {
    version: u32,
    /// Zone id → hostname → what is known.
    zones: BTreeMap<String, BTreeMap<String, Seen>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownHostnames {
    path: PathBuf,
}

impl KnownHostnames {
    pub fn new(dir: &Path, base_url: &str, credentials: &Credentials) -> Self {
        Self {
            path: dir.join(format!(
                "hostnames-{}.json",
                account_key(base_url, credentials)
            )),
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn read(&self) -> File {
        std::fs::read(&self.path)
            .ok()
            .and_then(|bytes| serde_json::from_slice::<File>(&bytes).ok())
            .filter(|f| f.version == VERSION)
            .unwrap_or_default()
    }

    /// The zone's known hostnames, by name.
    pub fn zone(&self, zone_id: &str) -> BTreeMap<String, Seen> {
        self.read().zones.remove(zone_id).unwrap_or_default()
    }

    /// Records what was seen of these hostnames: the latest certificate (none, once an
    /// association is gone) wins. A hostname keeps the first way it became known
    /// unless originpull itself associated it since.
    pub fn record(
        &self,
        zone_id: &str,
        seen: impl IntoIterator<Item = (String, Seen)>,
    ) -> std::io::Result<()> {
        let mut file = self.read();
        file.version = VERSION;
        let zone = file.zones.entry(zone_id.to_owned()).or_default();
        for (hostname, new) in seen {
            let hostname = normalize(&hostname);
            match zone.get_mut(&hostname) {
                Some(old) => {
                    if new.source == Source::Associated {
                        old.source = Source::Associated;
                    }
                    old.cert_id = new.cert_id;
                    old.at = new.at;
                }
                None => {
                    zone.insert(hostname, new);
                }
            }
        }
        if let Some(dir) = self.path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        // Written whole, then renamed: a reader never sees half a file.
        let tmp = self.path.with_extension("json.tmp");
        {
            use std::io::Write;
            let mut out = open_private(&tmp, false)?;
            out.write_all(&serde_json::to_vec_pretty(&file)?)?;
        }
        std::fs::rename(&tmp, &self.path)
    }
}

/// Hostnames compare without case and without a trailing dot.
pub fn normalize(hostname: &str) -> String {
    hostname.trim().trim_end_matches('.').to_ascii_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostnames_are_kept_per_zone_and_the_association_wins_over_how_they_were_found() {
        let dir = tempfile::tempdir().unwrap();
        let credentials = Credentials::Token("secret-token".to_owned().into());
        let known = KnownHostnames::new(dir.path(), "https://api.test", &credentials);
        assert!(known.zone("z").is_empty());
        let at = Utc::now();
        let seen = |source, cert: Option<&str>| Seen {
            source,
            cert_id: cert.map(str::to_owned),
            at,
        };
        known
            .record(
                "z",
                [
                    (
                        "WWW.Example.com.".to_owned(),
                        seen(Source::Discovered, None),
                    ),
                    ("api.example.com".to_owned(), seen(Source::Named, None)),
                ],
            )
            .unwrap();
        known
            .record(
                "z",
                [(
                    "www.example.com".to_owned(),
                    seen(Source::Associated, Some("c1")),
                )],
            )
            .unwrap();
        known
            .record(
                "other",
                [("x.example".to_owned(), seen(Source::Named, None))],
            )
            .unwrap();
        let zone = known.zone("z");
        assert_eq!(zone.len(), 2);
        // A later look that found no association forgets the certificate: a clear must
        // not name one that may be gone.
        known
            .record(
                "z",
                [("api.example.com".to_owned(), seen(Source::Discovered, None))],
            )
            .unwrap();
        assert_eq!(known.zone("z")["api.example.com"].cert_id, None);
        assert_eq!(zone["www.example.com"].source, Source::Associated);
        assert_eq!(zone["www.example.com"].cert_id.as_deref(), Some("c1"));
        assert_eq!(zone["api.example.com"].source, Source::Named);
        let text = std::fs::read_to_string(known.path()).unwrap();
        assert!(!text.contains("secret-token"));
    }
}

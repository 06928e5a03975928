//! The rotation's journal: one JSON line per step, appended before each call and after
//! its answer, in the state dir. A rotation killed between any two steps is finished
//! by running the same command again: the journal says which certificate the new one
//! is in each zone, what the plan said it replaces, and which zones are done. It is
//! removed once every zone it names has rotated.
//!
//! It holds zone and certificate ids, step names and reasons: never a key, never PEM.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::steps::{Ask, Entry};
use crate::api::Credentials;
use crate::cache::{account_key, open_private};

/// One step of one zone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    /// A call is about to go.
    Sending {
        #[serde(flatten)]
        ask: Ask,
    },
    /// The zone's list was read: what the new certificate replaces, and its id when it
    /// is there already.
    Checked {
        replaces: Vec<String>,
        new_id: Option<String>,
    },
    Uploaded {
        cert_id: String,
    },
    Active {
        cert_id: String,
    },
    Deleted {
        cert_id: String,
    },
    /// `--hostnames`: these hostnames were put on the new certificate.
    Moved {
        hostnames: Vec<String>,
    },
    /// `--hostnames`: this one reported the new certificate.
    Confirmed {
        hostname: String,
    },
    /// A call failed in a way that may pass; it is tried again.
    Retrying {
        reason: String,
    },
    Done,
    Failed {
        reason: String,
    },
}

#[derive(Debug, Serialize, Deserialize)]
struct Line {
    at: DateTime<Utc>,
    zone_id: String,
    #[serde(flatten)]
    event: Event,
}

/// What the journal recorded of one zone.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Memory {
    /// What the plan said the new certificate replaces.
    pub replaces: Option<Vec<String>>,
    /// The new certificate's id in the zone.
    pub new_id: Option<String>,
    pub deleted: Vec<String>,
    pub done: bool,
    /// A call was about to go when the journal ends: the run stopped there.
    pub interrupted: bool,
    /// An upload or a delete was sent: the zone may have changed.
    pub changed: bool,
}

impl Memory {
    fn record(&mut self, event: Event) {
        self.interrupted = false;
        match event {
            Event::Sending { ask } => {
                self.interrupted = true;
                self.changed |= matches!(ask, Ask::Upload | Ask::Delete { .. });
            }
            Event::Checked { replaces, new_id } => {
                self.replaces = Some(replaces);
                if new_id.is_some() {
                    self.new_id = new_id;
                }
            }
            Event::Uploaded { cert_id } | Event::Active { cert_id } => {
                self.new_id = Some(cert_id);
            }
            Event::Deleted { cert_id } => {
                if !self.deleted.contains(&cert_id) {
                    self.deleted.push(cert_id);
                }
            }
            Event::Done => self.done = true,
            Event::Retrying { .. }
            | Event::Failed { .. }
            | Event::Moved { .. }
            | Event::Confirmed { .. } => {}
        }
    }
}

/// Where one account's rotation journals live: the state dir, and a one-way hash of
/// the base URL and credential, so two accounts never share a journal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JournalDir {
    dir: PathBuf,
    account: String,
}

impl JournalDir {
    pub fn new(dir: &Path, base_url: &str, credentials: &Credentials) -> Self {
        Self {
            dir: dir.to_path_buf(),
            account: account_key(base_url, credentials),
        }
    }

    /// The journal of the rotation of hostname certificates (`--hostnames`) to the
    /// certificate with this fingerprint: apart from a zone-level one's.
    pub fn hostnames_journal(&self, fingerprint: &str) -> Journal {
        let zone_level = self.journal(fingerprint);
        Journal {
            path: zone_level.path.with_extension("hostnames.jsonl"),
        }
    }

    /// The journal of the rotation to the certificate with this SHA-256 `fingerprint`.
    pub fn journal(&self, fingerprint: &str) -> Journal {
        let fp: String = fingerprint
            .chars()
            .filter(char::is_ascii_hexdigit)
            .take(16)
            .collect::<String>()
            .to_ascii_lowercase();
        Journal {
            path: self.dir.join(format!("rotate-{}-{fp}.jsonl", self.account)),
        }
    }
}

/// One rotation's journal: per account and credential, per new certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Journal {
    path: PathBuf,
}

impl Journal {
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// What it recorded, per zone id; nothing when there is no journal. A line that
    /// does not read (a write cut short by a crash) is skipped.
    pub fn load(&self) -> HashMap<String, Memory> {
        let mut zones: HashMap<String, Memory> = HashMap::new();
        let Ok(file) = std::fs::File::open(&self.path) else {
            return zones;
        };
        for line in BufReader::new(file).lines().map_while(Result::ok) {
            if let Ok(line) = serde_json::from_str::<Line>(&line) {
                zones.entry(line.zone_id).or_default().record(line.event);
            }
        }
        zones
    }

    /// Appends `entries` in one write, so a kill leaves whole lines behind.
    pub fn append(&self, entries: Vec<Entry>, at: DateTime<Utc>) -> std::io::Result<()> {
        if entries.is_empty() {
            return Ok(());
        }
        let mut text = Vec::new();
        for Entry { zone_id, event } in entries {
            serde_json::to_writer(&mut text, &Line { at, zone_id, event })?;
            text.push(b'\n');
        }
        if let Some(dir) = self.path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        if ends_mid_line(&self.path) {
            // A write cut short by a kill: the next line must not join it.
            text.insert(0, b'\n');
        }
        open_private(&self.path, true)?.write_all(&text)
    }

    /// The rotation is over: with every zone of the journal done, or none changed
    /// (a plan declined), it goes.
    pub fn close(&self) -> std::io::Result<bool> {
        let zones = self.load();
        if zones.values().all(|m| m.done) || zones.values().all(|m| !m.changed) {
            match std::fs::remove_file(&self.path) {
                Ok(()) => Ok(true),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(true),
                Err(e) => Err(e),
            }
        } else {
            Ok(false)
        }
    }
}

fn ends_mid_line(path: &Path) -> bool {
    use std::io::{Read, Seek, SeekFrom};
    let Ok(mut file) = std::fs::File::open(path) else {
        return false;
    };
    let mut last = [0u8; 1];
    file.seek(SeekFrom::End(-1)).is_ok() && file.read_exact(&mut last).is_ok() && last[0] != b'\n'
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(zone: &str, event: Event) -> Entry {
        Entry {
            zone_id: zone.into(),
            event,
        }
    }

    #[test]
    fn it_reads_back_what_it_wrote_and_skips_a_line_cut_short() {
        let dir = tempfile::tempdir().unwrap();
        let credentials = Credentials::Token("secret-token".to_owned().into());
        let journal =
            JournalDir::new(dir.path(), "https://api.test", &credentials).journal("AB:CD:EF");
        assert!(journal.load().is_empty());
        journal
            .append(
                vec![
                    entry("a", Event::Sending { ask: Ask::List }),
                    entry(
                        "a",
                        Event::Checked {
                            replaces: vec!["old".into()],
                            new_id: None,
                        },
                    ),
                    entry("a", Event::Sending { ask: Ask::Upload }),
                    entry(
                        "a",
                        Event::Uploaded {
                            cert_id: "new".into(),
                        },
                    ),
                    entry(
                        "a",
                        Event::Sending {
                            ask: Ask::Delete {
                                cert_id: "old".into(),
                            },
                        },
                    ),
                    entry("b", Event::Done),
                ],
                Utc::now(),
            )
            .unwrap();
        std::fs::OpenOptions::new()
            .append(true)
            .open(journal.path())
            .unwrap()
            .write_all(b"{\"at\":\"2026-01-01T00:00:00Z\",\"zone_id\":\"a\",\"ev")
            .unwrap();
        let zones = journal.load();
        assert_eq!(
            zones["a"],
            Memory {
                replaces: Some(vec!["old".into()]),
                new_id: Some("new".into()),
                deleted: vec![],
                done: false,
                interrupted: true,
                changed: true,
            }
        );
        assert!(zones["b"].done);
        let text = std::fs::read_to_string(journal.path()).unwrap();
        assert!(!text.contains("secret-token"));
        assert!(!journal.close().unwrap(), "a is not done");
        journal
            .append(vec![entry("a", Event::Done)], Utc::now())
            .unwrap();
        assert!(journal.close().unwrap());
        assert!(!journal.path().exists());
    }
}

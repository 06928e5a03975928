//! What earlier surveys found, per account and credential, each zone with its time:
//! a survey run again within `--max-age` resumes instead of starting over. One JSON
//! line per surveyed zone is appended as it finishes, so an interrupted survey loses
//! at most the zone it was on; the last line for a zone wins.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};

use super::state::ZoneState;
use crate::api::Credentials;
use crate::cache::{account_key, open_private};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SurveyCache {
    path: PathBuf,
}

impl SurveyCache {
    pub fn new(dir: &Path, base_url: &str, credentials: &Credentials) -> Self {
        Self {
            path: dir.join(format!(
                "survey-{}.jsonl",
                account_key(base_url, credentials)
            )),
        }
    }

    /// The cache in this file.
    pub fn at(path: PathBuf) -> Self {
        Self { path }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Every zone's latest state; nothing when there is no file. A line that does not
    /// read (a write cut short, an older format) is skipped: a cache is only a head
    /// start.
    pub fn load(&self) -> Vec<ZoneState> {
        let Ok(file) = std::fs::File::open(&self.path) else {
            return Vec::new();
        };
        let mut latest: HashMap<String, ZoneState> = HashMap::new();
        for line in BufReader::new(file).lines().map_while(Result::ok) {
            if let Ok(state) = serde_json::from_str::<ZoneState>(&line) {
                latest.insert(state.zone_id.clone(), state);
            }
        }
        latest.into_values().collect()
    }

    /// Adds one zone's state.
    pub fn append(&self, state: &ZoneState) -> std::io::Result<()> {
        if let Some(dir) = self.path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let mut line = serde_json::to_vec(state)?;
        line.push(b'\n');
        open_private(&self.path, true)?.write_all(&line)
    }

    /// Rewrites the file with one line per zone, so it does not grow without end
    /// across surveys.
    pub fn compact(&self, states: &[ZoneState]) -> std::io::Result<()> {
        let tmp = self.path.with_extension("jsonl.tmp");
        let mut out = std::io::BufWriter::new(open_private(&tmp, false)?);
        for state in states {
            serde_json::to_writer(&mut out, state)?;
            out.write_all(b"\n")?;
        }
        out.into_inner().map_err(|e| e.into_error())?.sync_all()?;
        std::fs::rename(&tmp, &self.path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_last_line_for_a_zone_wins_and_a_cut_line_is_skipped() {
        let dir = tempfile::tempdir().unwrap();
        let cache = SurveyCache::new(
            dir.path(),
            "https://api.test",
            &Credentials::Token("secret-token".to_owned().into()),
        );
        assert!(cache.load().is_empty());
        let mut a = ZoneState::new("a", "a.example");
        cache.append(&a).unwrap();
        a.enabled = Some(true);
        a.global = Some(crate::api::GlobalAop {
            on: true,
            editable: Some(false),
            modified_on: None,
        });
        a.ssl = Some(crate::api::SslMode::Flexible);
        a.certificates = Some(vec![crate::api::Certificate {
            id: Some("c1".into()),
            status: Some(crate::api::CertStatus::Active),
            expires_on: Some(crate::api::ApiTime::parse("2027-01-01T00:00:00Z")),
            ..Default::default()
        }]);
        cache.append(&a).unwrap();
        cache.append(&ZoneState::new("b", "b.example")).unwrap();
        // A write cut short by a crash.
        std::fs::OpenOptions::new()
            .append(true)
            .open(cache.path())
            .unwrap()
            .write_all(b"{\"zone_id\":\"c\",\"zone_na")
            .unwrap();
        let mut loaded = cache.load();
        loaded.sort_by(|x, y| x.zone_id.cmp(&y.zone_id));
        assert_eq!(loaded.len(), 2);
        assert_eq!(loaded[0], a, "a state reads back as it was written");
        cache.compact(&loaded).unwrap();
        let text = std::fs::read_to_string(cache.path()).unwrap();
        assert_eq!(text.lines().count(), 2);
        assert!(!text.contains("secret-token"));
    }
}

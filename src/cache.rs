//! The zone list of the last session, on disk, so a second start shows zones before
//! the network answers. It holds zone ids, names and statuses: never a token, never
//! a key. The file name is derived from the base URL and a one-way hash of the
//! credential, so two accounts never see each other's list.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::api::{Credentials, Zone};

const VERSION: u32 = 1;

#[derive(Serialize, Deserialize)]
struct CacheFile {
    version: u32,
    zones: Vec<Zone>,
}

/// Where one account's zone list is kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZoneCache {
    path: PathBuf,
}

impl ZoneCache {
    /// The cache for this API and these credentials, under `dir`.
    pub fn new(dir: &Path, base_url: &str, credentials: &Credentials) -> Self {
        Self {
            path: dir.join(format!("zones-{}.json", account_key(base_url, credentials))),
        }
    }

    /// The cache in this file.
    pub fn at(path: PathBuf) -> Self {
        Self { path }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The saved list, or `None` when there is none or it cannot be read (a cache is
    /// only ever a head start, never a reason to fail).
    pub fn load(&self) -> Option<Vec<Zone>> {
        // Streamed, not read whole first: a big account's list is megabytes.
        let reader = std::io::BufReader::new(std::fs::File::open(&self.path).ok()?);
        let file: CacheFile = serde_json::from_reader(reader).ok()?;
        (file.version == VERSION).then_some(file.zones)
    }

    /// Saves the list atomically (write, then rename), readable by the user only.
    pub fn save(&self, zones: &[Zone]) -> std::io::Result<()> {
        let dir = self.path.parent().unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir)?;
        let tmp = self.path.with_extension("json.tmp");
        let body = serde_json::to_vec(&CacheFile {
            version: VERSION,
            zones: zones.to_vec(),
        })?;
        write_private(&tmp, &body)?;
        std::fs::rename(&tmp, &self.path)
    }
}

/// The most recently written file in `dir` named `PREFIX…SUFFIX`. Completion knows the
/// profile but not the credential (it runs no token command), so it takes the
/// account used last.
pub fn latest_file(dir: &Path, prefix: &str, suffix: &str) -> Option<PathBuf> {
    std::fs::read_dir(dir)
        .ok()?
        .filter_map(Result::ok)
        .filter(|e| {
            let name = e.file_name();
            let name = name.to_string_lossy();
            name.starts_with(prefix) && name.ends_with(suffix)
        })
        .filter_map(|e| Some((e.metadata().ok()?.modified().ok()?, e.path())))
        .max()
        .map(|(_, path)| path)
}

/// A name for one account's files: the base URL and a one-way hash of the credential,
/// so two accounts never share a file and no secret is in its name or contents.
pub fn account_key(base_url: &str, credentials: &Credentials) -> String {
    use secrecy::ExposeSecret;
    let mut h = Sha256::new();
    h.update(b"originpull zone cache\0");
    h.update(base_url.trim_end_matches('/').as_bytes());
    h.update(b"\0");
    match credentials {
        Credentials::Token(token) => h.update(token.expose_secret().trim().as_bytes()),
        Credentials::GlobalKey { email, key } => {
            h.update(email.trim().as_bytes());
            h.update(b"\0");
            h.update(key.expose_secret().trim().as_bytes());
        }
    }
    let digest = h.finalize();
    digest[..12].iter().map(|b| format!("{b:02x}")).collect()
}

/// Opens `path` for writing, readable by the user only.
#[cfg(unix)]
pub fn open_private(path: &Path, append: bool) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .append(append)
        .truncate(!append)
        .mode(0o600)
        .open(path)
}

#[cfg(not(unix))]
pub fn open_private(path: &Path, append: bool) -> std::io::Result<std::fs::File> {
    std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .append(append)
        .truncate(!append)
        .open(path)
}

fn write_private(path: &Path, body: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    open_private(path, false)?.write_all(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn zone(name: &str) -> Zone {
        Zone {
            id: format!("{:032x}", name.len()),
            name: name.into(),
            ..Default::default()
        }
    }

    #[test]
    fn round_trips_and_is_keyed_by_account_without_the_secret() {
        let dir = tempfile::tempdir().unwrap();
        let token = Credentials::Token("secret-token-123".to_owned().into());
        let cache = ZoneCache::new(dir.path(), "https://api.test/client/v4", &token);
        assert_eq!(cache.load(), None);
        cache
            .save(&[zone("a.example"), zone("bb.example")])
            .unwrap();
        assert_eq!(cache.load().unwrap().len(), 2);

        let other = Credentials::Token("another-token".to_owned().into());
        let elsewhere = ZoneCache::new(dir.path(), "https://api.test/client/v4", &other);
        assert_ne!(elsewhere.path(), cache.path());
        assert_eq!(elsewhere.load(), None);

        let on_disk = std::fs::read_to_string(cache.path()).unwrap();
        assert!(!on_disk.contains("secret-token-123"));
        assert!(!cache.path().to_string_lossy().contains("secret"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(cache.path())
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o077, 0);
        }
    }

    #[test]
    fn a_damaged_file_is_ignored() {
        let dir = tempfile::tempdir().unwrap();
        let cache = ZoneCache::new(
            dir.path(),
            "https://api.test",
            &Credentials::Token("t".to_owned().into()),
        );
        std::fs::write(cache.path(), b"{ not json").unwrap();
        assert_eq!(cache.load(), None);
    }
}

//! Writing the files the origin commands make: created afresh, never over a file that
//! exists, with their mode set from the start.

use std::fs::{self, OpenOptions};
use std::io::{self, Write};
use std::path::Path;

/// A certificate is public.
pub const PUBLIC: u32 = 0o644;
/// A key is the owner's alone.
pub const PRIVATE: u32 = 0o600;

/// Creates `path` with `body`, failing with `AlreadyExists` rather than replacing a file;
/// a failure part way removes the file.
pub fn create_new(path: &Path, mode: u32, body: &[u8]) -> io::Result<()> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(mode);
    }
    let mut file = options.open(path)?;
    let result = file
        .write_all(body)
        .and_then(|()| set_mode(&file, mode))
        .and_then(|()| file.sync_all());
    if result.is_err() {
        let _ = fs::remove_file(path);
    }
    result
}

/// The exact mode, whatever the umask: a certificate is public (644), a key private (600).
#[cfg(unix)]
fn set_mode(file: &fs::File, mode: u32) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    file.set_permissions(fs::Permissions::from_mode(mode))
}

#[cfg(not(unix))]
fn set_mode(_: &fs::File, _: u32) -> io::Result<()> {
    Ok(())
}

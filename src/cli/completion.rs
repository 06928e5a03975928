//! Shell completion: `originpull completions SHELL` prints the registration, and the
//! shell then asks the binary itself (clap_complete's `COMPLETE=SHELL originpull -- …`
//! protocol) for candidates. Zone names and certificate ids come from the caches of
//! the profile in the words being completed: no call is made, no token command runs.

use std::ffi::OsStr;
use std::io::{self, Write};
use std::path::PathBuf;

use clap::ValueEnum;
use clap_complete::CompletionCandidate;
use clap_complete::env::Shells;

use crate::cache::{ZoneCache, latest_file};
use crate::survey::{SurveyCache, ZoneState};

/// The shells clap_complete knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Shell {
    Bash,
    Zsh,
    Fish,
    Elvish,
    Powershell,
}

/// The script that makes `SHELL` ask originpull for completions.
pub fn registration(shell: Shell, out: &mut dyn Write) -> io::Result<()> {
    let name = shell
        .to_possible_value()
        .map(|v| v.get_name().to_owned())
        .unwrap_or_default();
    let shells = Shells::builtins();
    let Some(completer) = shells.completer(&name) else {
        return Err(io::Error::other(format!("no completer for {name}")));
    };
    completer.write_registration("COMPLETE", "originpull", "originpull", &program(), out)
}

/// How the script calls originpull back: by name when it was found on the PATH (a
/// later install elsewhere still answers), else by its full path.
fn program() -> String {
    let argv0 = std::env::args().next().unwrap_or_default();
    if !argv0.contains(std::path::MAIN_SEPARATOR) {
        return argv0;
    }
    std::env::current_exe()
        .map(|p| p.to_string_lossy().into_owned())
        .unwrap_or(argv0)
}

/// Zone names from the profile's zone cache (`originpull zones` and the TUI refresh it).
pub fn zone_names(current: &OsStr) -> Vec<CompletionCandidate> {
    let Some(current) = current.to_str() else {
        return Vec::new();
    };
    let Some(zones) =
        cache_dir().and_then(|dir| ZoneCache::at(latest_file(&dir, "zones-", ".json")?).load())
    else {
        return Vec::new();
    };
    zones
        .into_iter()
        .filter(|z| z.name.starts_with(current))
        .map(|z| CompletionCandidate::new(z.name))
        .collect()
}

/// Zone-level certificate ids from the last survey (`audit`, the fleet view).
pub fn certificate_ids(current: &OsStr) -> Vec<CompletionCandidate> {
    certificates(current, |s| s.certificates.as_deref())
}

/// Hostname certificate ids from the last survey.
pub fn hostname_certificate_ids(current: &OsStr) -> Vec<CompletionCandidate> {
    certificates(current, |s| s.hostname_certificates.as_deref())
}

fn certificates(
    current: &OsStr,
    list: impl Fn(&ZoneState) -> Option<&[crate::api::Certificate]>,
) -> Vec<CompletionCandidate> {
    let Some(current) = current.to_str() else {
        return Vec::new();
    };
    let Some(path) = cache_dir().and_then(|dir| latest_file(&dir, "survey-", ".jsonl")) else {
        return Vec::new();
    };
    let states = SurveyCache::at(path).load();
    // The zone named earlier on the line, if any, narrows the ids to its own.
    let words = words();
    let named: Vec<&ZoneState> = states
        .iter()
        .filter(|s| words.iter().any(|w| *w == s.zone_name || *w == s.zone_id))
        .collect();
    let zones = if named.is_empty() {
        states.iter().collect()
    } else {
        named
    };
    zones
        .into_iter()
        .flat_map(|s| list(s).unwrap_or_default())
        .filter_map(|c| {
            let id = c.id.as_deref().filter(|id| id.starts_with(current))?;
            let help = c
                .issuer
                .as_deref()
                .map(|i| crate::text::sanitize(i).into_owned());
            Some(CompletionCandidate::new(id).help(help.map(Into::into)))
        })
        .collect()
}

/// The words of the line being completed (after the `--` the registration passes).
fn words() -> Vec<String> {
    std::env::args().skip_while(|a| a != "--").skip(1).collect()
}

/// The cache dir of the profile the line names (`--profile NAME`), else of
/// `ORIGINPULL_PROFILE`, else of no profile.
fn cache_dir() -> Option<PathBuf> {
    let words = words();
    let from_words = words.iter().enumerate().find_map(|(i, w)| {
        if w == "--profile" {
            words.get(i + 1).cloned()
        } else {
            w.strip_prefix("--profile=").map(str::to_owned)
        }
    });
    let profile = from_words.or_else(|| std::env::var("ORIGINPULL_PROFILE").ok());
    let profile = profile.filter(|p| crate::config::is_profile_name(p));
    crate::config::cache_dir(profile.as_deref())
}

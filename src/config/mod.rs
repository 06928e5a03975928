//! Configuration: the config file, environment variables and credential resolution.
//!
//! Secrets are only ever read from the environment or the config file, never from the
//! command line (where `ps` and shell history would show them).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use secrecy::SecretString;
use serde::Deserialize;

use crate::api::client::{DEFAULT_BASE_URL, DEFAULT_TIMEOUT};
use crate::api::{ApiError, Client, ClientConfig, Credentials};
use crate::cache::ZoneCache;
use crate::hostnames::KnownHostnames;
use crate::rotate::JournalDir;
use crate::survey::SurveyCache;

mod token_command;

/// The config file's contents. Every key is optional. `Debug` shows no secret: the
/// token is a `SecretString`, the command line shows its program only.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
    pub api_token: Option<SecretString>,
    /// A command whose output is the token (a password manager): see [`token_command`].
    pub api_token_command: Option<CommandLine>,
    pub base_url: Option<String>,
    /// Only this account's zones are listed.
    pub account_id: Option<String>,
    /// `[profiles.NAME]`: one account each; `--profile NAME` picks one.
    #[serde(default)]
    pub profiles: BTreeMap<String, Profile>,
    /// Whole-request timeout in seconds.
    pub timeout: Option<u64>,
    pub log_level: Option<String>,
    pub log_file: Option<PathBuf>,
    /// Calls per 5 minutes this process may send (the survey's pace).
    pub budget: Option<usize>,
    /// `false` leaves the mouse to the terminal (selecting text).
    pub mouse: Option<bool>,
    /// `[keys]`: an action's name, and a key or a list of keys for it.
    #[serde(default)]
    pub keys: BTreeMap<String, KeyList>,
}

/// `[profiles.NAME]`: an account's keys, each overriding the top level's.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    pub api_token: Option<SecretString>,
    pub api_token_command: Option<CommandLine>,
    pub base_url: Option<String>,
    pub account_id: Option<String>,
}

/// `toggle = "t"` or `delete = ["d", "delete"]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum KeyList {
    One(String),
    Many(Vec<String>),
}

impl KeyList {
    fn into_vec(self) -> Vec<String> {
        match self {
            Self::One(key) => vec![key],
            Self::Many(keys) => keys,
        }
    }
}

/// Command-line values that override the environment and the config file.
#[derive(Debug, Default, Clone)]
pub struct Overrides {
    pub profile: Option<String>,
    pub base_url: Option<String>,
    pub config: Option<PathBuf>,
    pub timeout: Option<u64>,
    pub log_level: Option<String>,
    pub log_file: Option<PathBuf>,
}

/// Where credentials came from, for messages that must not show the secret itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CredentialSource {
    Env(&'static str),
    /// `api_token` in the config file: at the top level, or in this profile.
    ConfigFile(Option<String>),
    /// `api_token_command`'s output: at the top level, or in this profile.
    Command(Option<String>),
}

impl std::fmt::Display for CredentialSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (key, profile) = match self {
            Self::Env(name) => return write!(f, "${name}"),
            Self::ConfigFile(profile) => ("api_token", profile),
            Self::Command(profile) => ("api_token_command", profile),
        };
        match profile {
            Some(name) => write!(f, "{key} of profile {name} in the config file"),
            None => write!(f, "{key} in the config file"),
        }
    }
}

/// Everything resolved, ready to build a client.
#[derive(Debug)]
pub struct Settings {
    /// The profile picked (`--profile`, `ORIGINPULL_PROFILE`), if any.
    pub profile: Option<String>,
    pub base_url: String,
    /// Zone listings are limited to this account.
    pub account_id: Option<String>,
    pub timeout: Duration,
    pub credentials: Option<(Credentials, CredentialSource)>,
    /// Where the token comes from when it is a command's output: run only when an
    /// account is used ([`Settings::run_token_command`]), never for the demo or completion.
    pub token_command: Option<TokenCommand>,
    pub config_path: Option<PathBuf>,
    pub log_level: Option<String>,
    pub log_file: Option<PathBuf>,
    /// Calls per 5 minutes the whole process may send, every caller together.
    pub budget: usize,
    /// `[keys]` as written: the TUI checks it against its key table at start.
    pub keys: BTreeMap<String, Vec<String>>,
    /// The TUI takes mouse events (`mouse = false`, `--no-mouse` turn it off).
    pub mouse: bool,
    /// Things the user should know about their setup, e.g. a world-readable token file.
    pub warnings: Vec<String>,
}

impl Settings {
    /// The API client these settings describe, or why there is none.
    pub fn client(&self) -> Result<Client, ClientSetupError> {
        self.client_with_budget(self.budget)
    }

    /// The client, sending at most `budget` calls per 5 minutes.
    pub fn client_with_budget(&self, budget: usize) -> Result<Client, ClientSetupError> {
        let Some((credentials, _)) = &self.credentials else {
            return Err(ClientSetupError::NoCredentials {
                config_path: self.config_path.clone(),
            });
        };
        let mut config = ClientConfig::new(self.base_url.clone(), credentials.clone());
        config.timeout = self.timeout;
        config.budget = budget;
        config.account_id = self.account_id.clone();
        Ok(Client::new(&config)?)
    }

    /// Runs `api_token_command` when it is where the token comes from (and nothing in
    /// the environment won over it).
    pub fn run_token_command(&mut self) -> Result<(), ConfigError> {
        if self.credentials.is_none()
            && let Some(command) = self.token_command.take()
        {
            let token = command.run()?;
            self.credentials = Some((
                Credentials::Token(token),
                CredentialSource::Command(self.profile.clone()),
            ));
        }
        Ok(())
    }

    /// The cache dir for this profile's files (zone list, survey).
    pub fn cache_dir(&self) -> Option<PathBuf> {
        cache_dir(self.profile.as_deref())
    }

    /// The state dir for this profile's files (rotation journals, known hostnames).
    fn state_dir(&self) -> Option<PathBuf> {
        Some(per_profile(&state_dir()?, self.profile.as_deref()))
    }

    /// This account's zone list of the last run. Like every file below, kept per
    /// profile, and within it per base URL and credential.
    pub fn zone_cache(&self) -> Option<ZoneCache> {
        self.account_file(self.cache_dir(), ZoneCache::new)
    }

    /// The zones' latest surveyed states.
    pub fn survey_cache(&self) -> Option<SurveyCache> {
        self.account_file(self.cache_dir(), SurveyCache::new)
    }

    /// Where rotations keep their journals.
    pub fn journals(&self) -> Option<JournalDir> {
        self.account_file(self.state_dir(), JournalDir::new)
    }

    /// The hostnames originpull knows of, per zone.
    pub fn known_hostnames(&self) -> Option<KnownHostnames> {
        self.account_file(self.state_dir(), KnownHostnames::new)
    }

    /// One of this account's files in `dir`: none without credentials or a dir.
    fn account_file<T>(
        &self,
        dir: Option<PathBuf>,
        make: impl FnOnce(&Path, &str, &Credentials) -> T,
    ) -> Option<T> {
        let (credentials, _) = self.credentials.as_ref()?;
        Some(make(&dir?, &self.base_url, credentials))
    }
}

/// The cache dir of a profile (or of no profile): completion reads it knowing only the
/// profile's name.
pub fn cache_dir(profile: Option<&str>) -> Option<PathBuf> {
    Some(per_profile(project_dirs()?.cache_dir(), profile))
}

/// A profile's files live in `profiles/NAME` under the dir; without one, in the dir.
fn per_profile(dir: &Path, profile: Option<&str>) -> PathBuf {
    match profile {
        Some(name) => dir.join("profiles").join(name),
        None => dir.to_path_buf(),
    }
}

pub use token_command::{CommandLine, TokenCommand};

/// Why [`Settings::client`] gives no client.
#[derive(Debug, thiserror::Error)]
pub enum ClientSetupError {
    #[error("no Cloudflare credentials found")]
    NoCredentials { config_path: Option<PathBuf> },
    /// The base URL or the credentials cannot be used.
    #[error(transparent)]
    Api(#[from] ApiError),
}

impl ClientSetupError {
    pub fn hint(&self) -> Option<String> {
        match self {
            Self::NoCredentials { config_path } => Some(format!(
                "set CLOUDFLARE_API_TOKEN to an API token with the permissions Zone:Read and \
                 SSL and Certificates:Read and Edit (create one at \
                 https://dash.cloudflare.com/profile/api-tokens), or put api_token = \"…\" (or \
                 api_token_command = \"pass show cloudflare\") in {} (mode 600); to try \
                 originpull without an account, run `originpull --demo`",
                config_path
                    .as_deref()
                    .map_or("the config file".into(), Path::to_string_lossy)
            )),
            Self::Api(e) => e.hint().map(str::to_owned),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config file {path}: {reason}")]
    Read { path: PathBuf, reason: String },
    #[error("config file {path} is not valid: {reason}")]
    Parse { path: PathBuf, reason: String },
    #[error("{set} is set but {missing} is not: a global API key needs both (or use an API token)")]
    HalfKey {
        set: &'static str,
        missing: &'static str,
    },
    #[error("{}", unknown_profile(name, known, path.as_deref()))]
    UnknownProfile {
        name: String,
        known: Vec<String>,
        path: Option<PathBuf>,
    },
    #[error(
        "profile name {name:?} cannot be used: a name is letters, digits, '-', '_' and '.' (it names a directory)"
    )]
    BadProfileName { name: String },
    #[error("{}both api_token and api_token_command are set: keep one", where_(profile.as_deref()))]
    TwoTokens { profile: Option<String> },
    #[error(transparent)]
    TokenCommand(#[from] token_command::TokenCommandError),
}

fn where_(profile: Option<&str>) -> String {
    profile.map_or(String::new(), |p| format!("profile {p}: "))
}

fn unknown_profile(name: &str, known: &[String], path: Option<&Path>) -> String {
    let file = path.map_or("the config file".to_owned(), |p| p.display().to_string());
    if known.is_empty() {
        format!("no profile named {name:?}: {file} defines no [profiles.NAME] table")
    } else {
        format!(
            "no profile named {name:?} in {file}; the profiles are: {}",
            known.join(", ")
        )
    }
}

/// Resolves settings from overrides, the environment (through `env`, so tests need not
/// touch the process environment) and the config file.
pub fn resolve(
    overrides: &Overrides,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Settings, ConfigError> {
    let var = |name: &str| env(name).filter(|v| !v.trim().is_empty());
    let explicit_path = overrides
        .config
        .clone()
        .or_else(|| var("ORIGINPULL_CONFIG").map(PathBuf::from));
    let config_path = explicit_path.clone().or_else(|| default_config_path(&var));
    let mut warnings = Vec::new();
    let mut file = match &config_path {
        Some(path) if path.exists() || explicit_path.is_some() => {
            let file = load_config_file(path)?;
            let holds_token =
                file.api_token.is_some() || file.profiles.values().any(|p| p.api_token.is_some());
            if holds_token && let Some(w) = permission_warning(path) {
                warnings.push(w);
            }
            file
        }
        _ => ConfigFile::default(),
    };
    let profile_name = overrides
        .profile
        .clone()
        .or_else(|| var("ORIGINPULL_PROFILE"))
        .map(|p| p.trim().to_owned());
    let account = select_profile(&mut file, profile_name.as_deref(), config_path.as_deref())?;

    let env_credentials = credentials_from(&var)?;
    if let (Some(name), Some((_, source))) = (&profile_name, &env_credentials)
        && (account.token.is_some() || account.token_command.is_some())
    {
        warnings.push(format!(
            "{source} is set and wins over profile {name}'s token; unset it to use the profile's"
        ));
    }
    let (credentials, token_command) = match env_credentials {
        Some(found) => (Some(found), None),
        None => match account.token_command {
            Some(command) => (
                None,
                Some(TokenCommand::parse(command.as_str(), profile_name.clone())?),
            ),
            None => (
                account.token.map(|t| {
                    (
                        Credentials::Token(t),
                        CredentialSource::ConfigFile(profile_name.clone()),
                    )
                }),
                None,
            ),
        },
    };
    let base_url = overrides
        .base_url
        .clone()
        .or_else(|| var("CLOUDFLARE_BASE_URL"))
        .or(account.base_url)
        .unwrap_or_else(|| DEFAULT_BASE_URL.to_owned());
    let timeout = overrides
        .timeout
        .or(file.timeout)
        .filter(|&s| s > 0)
        .map(Duration::from_secs)
        .unwrap_or(DEFAULT_TIMEOUT);
    Ok(Settings {
        profile: profile_name,
        base_url,
        account_id: account.account_id,
        timeout,
        credentials,
        token_command,
        config_path,
        log_level: overrides
            .log_level
            .clone()
            .or_else(|| var("ORIGINPULL_LOG"))
            .or(file.log_level),
        log_file: overrides.log_file.clone().or(file.log_file),
        budget: file
            .budget
            .filter(|&b| b > 0)
            .unwrap_or(crate::api::client::DEFAULT_BUDGET),
        keys: file
            .keys
            .into_iter()
            .map(|(action, keys)| (action, keys.into_vec()))
            .collect(),
        mouse: file.mouse.unwrap_or(true),
        warnings,
    })
}

/// The account keys in force: the profile's where it sets them, else the top level's.
/// A profile's token (or command) replaces the top level's as one: the two are never
/// mixed.
struct AccountKeys {
    token: Option<SecretString>,
    token_command: Option<CommandLine>,
    base_url: Option<String>,
    account_id: Option<String>,
}

fn select_profile(
    file: &mut ConfigFile,
    name: Option<&str>,
    path: Option<&Path>,
) -> Result<AccountKeys, ConfigError> {
    let top = AccountKeys {
        token: file.api_token.take(),
        token_command: file.api_token_command.take(),
        base_url: file.base_url.take(),
        account_id: file.account_id.take(),
    };
    let Some(name) = name else {
        return checked(top, None);
    };
    if !is_profile_name(name) {
        return Err(ConfigError::BadProfileName {
            name: name.to_owned(),
        });
    }
    let Some(profile) = file.profiles.get_mut(name) else {
        return Err(ConfigError::UnknownProfile {
            name: name.to_owned(),
            known: file.profiles.keys().cloned().collect(),
            path: path.map(Path::to_path_buf),
        });
    };
    let own_token = profile.api_token.is_some() || profile.api_token_command.is_some();
    let keys = AccountKeys {
        token: if own_token {
            profile.api_token.take()
        } else {
            top.token
        },
        token_command: if own_token {
            profile.api_token_command.take()
        } else {
            top.token_command
        },
        base_url: profile.base_url.take().or(top.base_url),
        account_id: profile.account_id.take().or(top.account_id),
    };
    checked(keys, Some(name))
}

/// A profile's name names a directory: letters, digits, `-`, `_` and `.`, not first.
pub fn is_profile_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with('.')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

fn checked(keys: AccountKeys, profile: Option<&str>) -> Result<AccountKeys, ConfigError> {
    if keys.token.is_some() && keys.token_command.is_some() {
        return Err(ConfigError::TwoTokens {
            profile: profile.map(str::to_owned),
        });
    }
    Ok(keys)
}

/// First found wins: the SDKs' token name, flarectl's, a global key pair (either
/// naming); the config file comes after these.
fn credentials_from(
    var: &dyn Fn(&str) -> Option<String>,
) -> Result<Option<(Credentials, CredentialSource)>, ConfigError> {
    for name in ["CLOUDFLARE_API_TOKEN", "CF_API_TOKEN"] {
        if let Some(token) = var(name) {
            return Ok(Some((
                Credentials::Token(token.into()),
                CredentialSource::Env(name),
            )));
        }
    }
    for (email_var, key_var) in [
        ("CLOUDFLARE_EMAIL", "CLOUDFLARE_API_KEY"),
        ("CF_API_EMAIL", "CF_API_KEY"),
    ] {
        match (var(email_var), var(key_var)) {
            (Some(email), Some(key)) => {
                return Ok(Some((
                    Credentials::GlobalKey {
                        email,
                        key: key.into(),
                    },
                    CredentialSource::Env(key_var),
                )));
            }
            (Some(_), None) => {
                return Err(ConfigError::HalfKey {
                    set: email_var,
                    missing: key_var,
                });
            }
            (None, Some(_)) => {
                return Err(ConfigError::HalfKey {
                    set: key_var,
                    missing: email_var,
                });
            }
            (None, None) => {}
        }
    }
    Ok(None)
}

/// `$XDG_CONFIG_HOME/originpull/config.toml`, else `~/.config/originpull/config.toml`
/// (on macOS too, where CLI users expect it), else the platform's config dir.
fn default_config_path(var: &dyn Fn(&str) -> Option<String>) -> Option<PathBuf> {
    if let Some(xdg) = var("XDG_CONFIG_HOME") {
        return Some(PathBuf::from(xdg).join("originpull/config.toml"));
    }
    if let Some(home) = var("HOME") {
        return Some(PathBuf::from(home).join(".config/originpull/config.toml"));
    }
    project_dirs().map(|d| d.config_dir().join("config.toml"))
}

pub fn project_dirs() -> Option<directories::ProjectDirs> {
    directories::ProjectDirs::from("", "", "originpull")
}

/// The state dir where the platform has one (`~/.local/state/originpull`), else the
/// local data dir: logs and rotation journals live here.
pub fn state_dir() -> Option<PathBuf> {
    let dirs = project_dirs()?;
    Some(
        dirs.state_dir()
            .unwrap_or_else(|| dirs.data_local_dir())
            .to_path_buf(),
    )
}

/// Where logs go by default.
pub fn default_log_path() -> Option<PathBuf> {
    Some(state_dir()?.join("originpull.log"))
}

fn load_config_file(path: &Path) -> Result<ConfigFile, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|e| ConfigError::Read {
        path: path.to_owned(),
        reason: e.to_string(),
    })?;
    // toml's messages quote the offending line, which may be the token itself.
    toml::from_str(&text).map_err(|e| ConfigError::Parse {
        path: path.to_owned(),
        reason: match e.span() {
            Some(span) => format!(
                "{} (line {})",
                e.message(),
                text[..span.start.min(text.len())].lines().count().max(1)
            ),
            None => e.message().to_owned(),
        },
    })
}

#[cfg(unix)]
fn permission_warning(path: &Path) -> Option<String> {
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(path).ok()?.permissions().mode();
    (mode & 0o077 != 0).then(|| {
        format!(
            "config file {} holds an API token and is readable by others (mode {:o}); fix with: chmod 600 {}",
            path.display(),
            mode & 0o777,
            path.display()
        )
    })
}

#[cfg(not(unix))]
fn permission_warning(_path: &Path) -> Option<String> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| map.get(k).cloned()
    }

    fn resolve_with(pairs: &[(&str, &str)]) -> Result<Settings, ConfigError> {
        resolve(&Overrides::default(), &env_of(pairs))
    }

    #[test]
    fn token_precedence_follows_the_spec() {
        let s = resolve_with(&[
            ("HOME", "/nonexistent"),
            ("CF_API_TOKEN", "b"),
            ("CLOUDFLARE_API_TOKEN", "a"),
            ("CLOUDFLARE_EMAIL", "e@x.test"),
            ("CLOUDFLARE_API_KEY", "k"),
        ])
        .unwrap();
        assert_eq!(
            s.credentials.unwrap().1,
            CredentialSource::Env("CLOUDFLARE_API_TOKEN")
        );
        let s = resolve_with(&[
            ("HOME", "/nonexistent"),
            ("CF_API_EMAIL", "e@x.test"),
            ("CF_API_KEY", "k"),
        ])
        .unwrap();
        assert!(matches!(
            s.credentials.unwrap().0,
            Credentials::GlobalKey { .. }
        ));
    }

    #[test]
    fn settings_give_a_client_or_say_why_not() {
        let mut settings = resolve_with(&[("HOME", "/nonexistent")]).unwrap();
        settings.config_path = Some(PathBuf::from("/etc/originpull.toml"));
        let e = settings.client().unwrap_err();
        assert!(
            matches!(&e, ClientSetupError::NoCredentials { config_path: Some(p) } if p == Path::new("/etc/originpull.toml")),
            "{e:?}"
        );
        let hint = e.hint().unwrap();
        assert!(
            hint.contains("CLOUDFLARE_API_TOKEN") && hint.contains("/etc/originpull.toml"),
            "{hint}"
        );

        let mut settings = resolve_with(&[
            ("HOME", "/nonexistent"),
            ("CLOUDFLARE_API_TOKEN", "t"),
            ("CLOUDFLARE_BASE_URL", "http://api.example.test/client/v4"),
        ])
        .unwrap();
        let e = settings.client().unwrap_err();
        assert!(
            matches!(e, ClientSetupError::Api(ApiError::BadBaseUrl(_))),
            "{e:?}"
        );
        settings.base_url = "http://127.0.0.1:1/client/v4".to_owned();
        assert_eq!(settings.client().unwrap().host(), "127.0.0.1");
    }

    #[test]
    fn half_a_key_pair_is_an_error() {
        let e = resolve_with(&[("HOME", "/nonexistent"), ("CLOUDFLARE_EMAIL", "e@x.test")])
            .unwrap_err();
        assert!(e.to_string().contains("CLOUDFLARE_API_KEY"));
    }

    #[test]
    fn config_file_token_base_url_and_timeout() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        std::fs::write(
            &path,
            "api_token = \"file-token\"\nbase_url = \"http://127.0.0.1:9/client/v4\"\ntimeout = 5\n",
        )
        .unwrap();
        let p = path.to_str().unwrap();
        let s = resolve_with(&[("ORIGINPULL_CONFIG", p)]).unwrap();
        assert_eq!(s.credentials.unwrap().1, CredentialSource::ConfigFile(None));
        assert_eq!(s.base_url, "http://127.0.0.1:9/client/v4");
        assert_eq!(s.timeout, Duration::from_secs(5));
        // The environment and flags beat the file.
        let s = resolve(
            &Overrides {
                timeout: Some(7),
                ..Default::default()
            },
            &env_of(&[
                ("ORIGINPULL_CONFIG", p),
                ("CLOUDFLARE_BASE_URL", "https://x.test"),
            ]),
        )
        .unwrap();
        assert_eq!(s.base_url, "https://x.test");
        assert_eq!(s.timeout, Duration::from_secs(7));
    }

    fn profiles_file(dir: &Path) -> PathBuf {
        let path = dir.join("config.toml");
        std::fs::write(
            &path,
            "api_token = \"top\"\naccount_id = \"a-top\"\n\
             [profiles.work]\napi_token = \"work-token\"\nbase_url = \"http://127.0.0.1:1/client/v4\"\n\
             [profiles.home]\napi_token_command = \"printf home-token\"\naccount_id = \"a-home\"\n\
             [profiles.bare]\nbase_url = \"http://127.0.0.1:2/client/v4\"\n",
        )
        .unwrap();
        path
    }

    fn token_of(s: &Settings) -> String {
        use secrecy::ExposeSecret;
        match &s.credentials.as_ref().unwrap().0 {
            Credentials::Token(t) => t.expose_secret().to_owned(),
            Credentials::GlobalKey { .. } => panic!("a key"),
        }
    }

    #[test]
    fn a_profile_overrides_the_top_level_key_by_key() {
        let dir = tempfile::tempdir().unwrap();
        let path = profiles_file(dir.path());
        let p = path.to_str().unwrap();
        let pick = |profile: &str, extra: &[(&str, &str)]| {
            let mut env = vec![("ORIGINPULL_CONFIG", p), ("ORIGINPULL_PROFILE", profile)];
            env.extend_from_slice(extra);
            resolve_with(&env)
        };
        let work = pick("work", &[]).unwrap();
        assert_eq!(work.profile.as_deref(), Some("work"));
        assert_eq!(token_of(&work), "work-token");
        assert_eq!(work.base_url, "http://127.0.0.1:1/client/v4");
        // Not set in the profile: the top level's.
        assert_eq!(work.account_id.as_deref(), Some("a-top"));
        assert_eq!(
            work.credentials.as_ref().unwrap().1.to_string(),
            "api_token of profile work in the config file"
        );

        // The command runs only when asked to, and its token is the profile's.
        let mut home = pick("home", &[]).unwrap();
        assert!(home.credentials.is_none() && home.token_command.is_some());
        home.run_token_command().unwrap();
        assert_eq!(token_of(&home), "home-token");
        assert_eq!(home.account_id.as_deref(), Some("a-home"));

        // No token of its own: the top level's.
        assert_eq!(token_of(&pick("bare", &[]).unwrap()), "top");

        // The environment's credentials win, with a warning that says so; the
        // profile's other keys still apply.
        let env = pick("home", &[("CLOUDFLARE_API_TOKEN", "env-token")]).unwrap();
        assert_eq!(token_of(&env), "env-token");
        assert!(env.token_command.is_none());
        assert!(
            env.warnings
                .iter()
                .any(|w| w.contains("wins over profile home")),
            "{:?}",
            env.warnings
        );
        assert_eq!(env.account_id.as_deref(), Some("a-home"));

        // --profile beats ORIGINPULL_PROFILE.
        let s = resolve(
            &Overrides {
                profile: Some("work".into()),
                ..Default::default()
            },
            &env_of(&[("ORIGINPULL_CONFIG", p), ("ORIGINPULL_PROFILE", "home")]),
        )
        .unwrap();
        assert_eq!(s.profile.as_deref(), Some("work"));
    }

    #[test]
    fn an_unknown_or_unusable_profile_is_an_error_that_lists_the_known_ones() {
        let dir = tempfile::tempdir().unwrap();
        let path = profiles_file(dir.path());
        let p = path.to_str().unwrap();
        let e =
            resolve_with(&[("ORIGINPULL_CONFIG", p), ("ORIGINPULL_PROFILE", "wrok")]).unwrap_err();
        assert_eq!(
            e.to_string(),
            format!("no profile named \"wrok\" in {p}; the profiles are: bare, home, work")
        );
        let e =
            resolve_with(&[("ORIGINPULL_CONFIG", p), ("ORIGINPULL_PROFILE", "../x")]).unwrap_err();
        assert!(matches!(e, ConfigError::BadProfileName { .. }), "{e}");
        let e =
            resolve_with(&[("HOME", "/nonexistent"), ("ORIGINPULL_PROFILE", "work")]).unwrap_err();
        assert!(e.to_string().contains("defines no [profiles.NAME]"), "{e}");

        std::fs::write(
            &path,
            "[profiles.x]\napi_token = \"a\"\napi_token_command = \"b\"\n",
        )
        .unwrap();
        let e = resolve_with(&[("ORIGINPULL_CONFIG", p), ("ORIGINPULL_PROFILE", "x")]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "profile x: both api_token and api_token_command are set: keep one"
        );
    }

    #[test]
    fn each_profile_keeps_its_own_files() {
        let dir = tempfile::tempdir().unwrap();
        let path = profiles_file(dir.path());
        let p = path.to_str().unwrap();
        let none = resolve_with(&[("ORIGINPULL_CONFIG", p)]).unwrap();
        let work =
            resolve_with(&[("ORIGINPULL_CONFIG", p), ("ORIGINPULL_PROFILE", "work")]).unwrap();
        let (Some(a), Some(b)) = (none.cache_dir(), work.cache_dir()) else {
            return; // no home dir on this machine: nothing is kept anyway
        };
        assert_eq!(b, a.join("profiles/work"));
        assert_eq!(cache_dir(Some("work")), Some(b));
        assert_ne!(none.journals(), work.journals());
        assert_ne!(none.known_hostnames(), work.known_hostnames());
    }

    #[test]
    fn the_mouse_is_on_unless_the_file_says_otherwise() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        let p = path.to_str().unwrap();
        std::fs::write(&path, "").unwrap();
        assert!(resolve_with(&[("ORIGINPULL_CONFIG", p)]).unwrap().mouse);
        std::fs::write(&path, "mouse = false\n").unwrap();
        assert!(!resolve_with(&[("ORIGINPULL_CONFIG", p)]).unwrap().mouse);
    }

    #[test]
    fn keys_take_one_key_or_a_list() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        std::fs::write(
            &path,
            "[keys]\ntoggle = \"t\"\ndelete = [\"x\", \"delete\"]\n",
        )
        .unwrap();
        let s = resolve_with(&[("ORIGINPULL_CONFIG", path.to_str().unwrap())]).unwrap();
        assert_eq!(s.keys["toggle"], ["t"]);
        assert_eq!(s.keys["delete"], ["x", "delete"]);
        std::fs::write(&path, "[keys]\ntoggle = 5\n").unwrap();
        let e = resolve_with(&[("ORIGINPULL_CONFIG", path.to_str().unwrap())]).unwrap_err();
        assert!(matches!(e, ConfigError::Parse { .. }), "{e}");
    }

    #[cfg(unix)]
    #[test]
    fn readable_token_file_warns_with_the_fix() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        std::fs::write(&path, "api_token = \"t\"\n").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let s = resolve_with(&[("ORIGINPULL_CONFIG", path.to_str().unwrap())]).unwrap();
        assert!(s.warnings[0].contains("chmod 600"), "{:?}", s.warnings);
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        let s = resolve_with(&[("ORIGINPULL_CONFIG", path.to_str().unwrap())]).unwrap();
        assert!(s.warnings.is_empty());
    }

    #[test]
    fn parse_errors_do_not_quote_the_token() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        std::fs::write(&path, "api_token = \"s3cr3t-value\" extra\n").unwrap();
        let e = resolve_with(&[("ORIGINPULL_CONFIG", path.to_str().unwrap())]).unwrap_err();
        assert!(!e.to_string().contains("s3cr3t"), "{e}");
        assert!(!format!("{e:?}").contains("s3cr3t"), "{e:?}");
    }

    #[test]
    fn debug_shows_no_argument_of_a_token_command() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        std::fs::write(
            &path,
            "api_token_command = \"echo tok-in-argv\"\n[profiles.p]\napi_token_command = \"echo tok-2\"\n",
        )
        .unwrap();
        let s = resolve_with(&[("ORIGINPULL_CONFIG", path.to_str().unwrap())]).unwrap();
        let debug = format!("{s:?}");
        assert!(
            debug.contains("echo") && !debug.contains("tok-in-argv"),
            "{debug}"
        );
        let file = load_config_file(&path).unwrap();
        let debug = format!("{file:?}");
        assert!(
            !debug.contains("tok-in-argv") && !debug.contains("tok-2"),
            "{debug}"
        );
    }

    #[test]
    fn debug_of_settings_hides_the_token() {
        let s = resolve_with(&[
            ("HOME", "/nonexistent"),
            ("CLOUDFLARE_API_TOKEN", "tok-xyz"),
        ])
        .unwrap();
        assert!(!format!("{s:?}").contains("tok-xyz"));
    }
}

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

/// The config file's contents. Every key is optional.
#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
    pub api_token: Option<SecretString>,
    pub base_url: Option<String>,
    /// Whole-request timeout in seconds.
    pub timeout: Option<u64>,
    pub log_level: Option<String>,
    pub log_file: Option<PathBuf>,
    /// Calls per 5 minutes this process may send (the survey's pace).
    pub budget: Option<usize>,
    /// `[keys]`: an action's name, and a key or a list of keys for it.
    #[serde(default)]
    pub keys: BTreeMap<String, KeyList>,
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

impl std::fmt::Debug for ConfigFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConfigFile")
            .field("api_token", &self.api_token.as_ref().map(|_| "[redacted]"))
            .field("base_url", &self.base_url)
            .field("timeout", &self.timeout)
            .field("log_level", &self.log_level)
            .field("log_file", &self.log_file)
            .field("budget", &self.budget)
            .field("keys", &self.keys)
            .finish()
    }
}

/// Command-line values that override the environment and the config file.
#[derive(Debug, Default, Clone)]
pub struct Overrides {
    pub base_url: Option<String>,
    pub config: Option<PathBuf>,
    pub timeout: Option<u64>,
    pub log_level: Option<String>,
    pub log_file: Option<PathBuf>,
}

/// Where credentials came from, for messages that must not show the secret itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CredentialSource {
    Env(&'static str),
    ConfigFile,
}

impl std::fmt::Display for CredentialSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Env(name) => write!(f, "${name}"),
            Self::ConfigFile => f.write_str("api_token in the config file"),
        }
    }
}

/// Everything resolved, ready to build a client.
#[derive(Debug)]
pub struct Settings {
    pub base_url: String,
    pub timeout: Duration,
    pub credentials: Option<(Credentials, CredentialSource)>,
    pub config_path: Option<PathBuf>,
    pub log_level: Option<String>,
    pub log_file: Option<PathBuf>,
    /// Calls per 5 minutes the whole process may send, every caller together.
    pub budget: usize,
    /// `[keys]` as written: the TUI checks it against its key table at start.
    pub keys: BTreeMap<String, Vec<String>>,
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
        Ok(Client::new(&config)?)
    }
}

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
                 https://dash.cloudflare.com/profile/api-tokens), or put api_token = \"…\" in {} \
                 (mode 600); to try originpull without an account, run `originpull --demo`",
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
    let file = match &config_path {
        Some(path) if path.exists() || explicit_path.is_some() => {
            let file = load_config_file(path)?;
            if file.api_token.is_some()
                && let Some(w) = permission_warning(path)
            {
                warnings.push(w);
            }
            file
        }
        _ => ConfigFile::default(),
    };

    let credentials = credentials_from(&var, file.api_token.clone())?;
    let base_url = overrides
        .base_url
        .clone()
        .or_else(|| var("CLOUDFLARE_BASE_URL"))
        .or(file.base_url)
        .unwrap_or_else(|| DEFAULT_BASE_URL.to_owned());
    let timeout = overrides
        .timeout
        .or(file.timeout)
        .filter(|&s| s > 0)
        .map(Duration::from_secs)
        .unwrap_or(DEFAULT_TIMEOUT);
    Ok(Settings {
        base_url,
        timeout,
        credentials,
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
        warnings,
    })
}

/// First found wins: the SDKs' token name, flarectl's, a global key pair (either
/// naming), then the config file.
fn credentials_from(
    var: &dyn Fn(&str) -> Option<String>,
    file_token: Option<SecretString>,
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
    Ok(file_token.map(|t| (Credentials::Token(t), CredentialSource::ConfigFile)))
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
        assert_eq!(s.credentials.unwrap().1, CredentialSource::ConfigFile);
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
    fn debug_of_settings_hides_the_token() {
        let s = resolve_with(&[
            ("HOME", "/nonexistent"),
            ("CLOUDFLARE_API_TOKEN", "tok-xyz"),
        ])
        .unwrap();
        assert!(!format!("{s:?}").contains("tok-xyz"));
    }
}

//! From settings to a running TUI: the key table checked, the client built (or the
//! demo's simulator started), the first screen chosen.

use crate::api::{ApiError, Client, ClientConfig, Credentials};
use crate::app::Screen;
use crate::app::keys::{KeyError, KeyMap};
use crate::config::{ClientSetupError, Settings};
use crate::sim::{SimConfig, Simulator};

use super::Launch;

/// Why the TUI did not start, or ended badly.
#[derive(Debug, thiserror::Error)]
pub enum TuiError {
    /// `[keys]` in the config: refused before the terminal is taken.
    #[error(transparent)]
    Keys(#[from] KeyError),
    #[error("cannot start the demo simulator: {0}")]
    Demo(std::io::Error),
    #[error(transparent)]
    Client(#[from] ClientSetupError),
    #[error(transparent)]
    DemoClient(#[from] ApiError),
    #[error("the terminal failed: {0}")]
    Terminal(#[from] std::io::Error),
    /// A background task panicked: the app ended the normal way, status 101.
    #[error("internal error at {location}")]
    Panicked { location: String },
}

impl TuiError {
    pub fn hint(&self) -> Option<String> {
        match self {
            Self::Keys(_) => Some(
                "fix [keys] in the config file; `?` in the app lists every action and its keys"
                    .to_owned(),
            ),
            Self::Client(e) => e.hint(),
            _ => None,
        }
    }
}

/// The TUI against the configured API, or against the embedded simulator (`demo`).
pub async fn start(demo: bool, settings: &Settings) -> Result<(), TuiError> {
    let keys = KeyMap::new(&settings.keys)?;
    let mut demo_sim = None;
    let launch = if demo {
        let token = format!("demo-{}", uuid::Uuid::new_v4().simple());
        let sim = Simulator::start(SimConfig::demo(token.clone()))
            .await
            .map_err(TuiError::Demo)?;
        let config = ClientConfig::new(sim.base_url(), Credentials::Token(token.into()));
        let client = Client::new(&config)?;
        demo_sim = Some(sim);
        Launch {
            client: Some(client),
            screen: Screen::Main,
            verify_token: true,
            endpoint: "demo (simulated account)".to_owned(),
            // The demo's account is made anew each start: nothing worth caching.
            cache: None,
            warnings: Vec::new(),
            keys,
            survey_cache: None,
            journals: None,
            known: None,
            budget: settings.budget,
            profile: settings.profile.clone(),
            mouse: settings.mouse,
        }
    } else if let Some((credentials, _)) = &settings.credentials {
        let client = settings.client()?;
        Launch {
            verify_token: matches!(credentials, Credentials::Token(_)),
            endpoint: client.host().to_owned(),
            client: Some(client),
            screen: Screen::Main,
            cache: settings.zone_cache(),
            warnings: settings.warnings.clone(),
            keys,
            survey_cache: settings.survey_cache(),
            journals: settings.journals(),
            known: settings.known_hostnames(),
            budget: settings.budget,
            profile: settings.profile.clone(),
            mouse: settings.mouse,
        }
    } else {
        Launch {
            client: None,
            screen: Screen::NoCredentials {
                config_path: settings
                    .config_path
                    .as_deref()
                    .map(|p| p.display().to_string()),
            },
            verify_token: false,
            endpoint: String::new(),
            cache: None,
            warnings: settings.warnings.clone(),
            keys,
            survey_cache: None,
            journals: None,
            known: None,
            budget: settings.budget,
            profile: settings.profile.clone(),
            mouse: settings.mouse,
        }
    };
    let result = super::run(launch).await;
    if let Some(sim) = demo_sim {
        sim.shutdown().await;
    }
    result
}

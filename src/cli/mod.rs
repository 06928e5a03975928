//! The scriptable subcommands: one API call sequence each, printed for people or as JSON.

pub mod args;
mod audit;
mod completion;
mod hostnames;
mod man;
mod origin;
mod output;
mod report;
mod rotate;

use std::io::{self, IsTerminal, Write};

use chrono::Utc;

pub use args::{Cli, Command, GlobalArgs, Switch};

use crate::api::{ApiError, Certificate, Client, GlobalAop, NameFilter, Zone};
use crate::certinfo::{self, CertError};
use crate::config::{ClientSetupError, ConfigError, Settings};
use crate::sim::{SimConfig, Simulator};
use crate::survey::{Expiry, Level, is_only_active};
use crate::text::sanitize;

/// Everything a subcommand can fail with, each with what to do about it.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error(transparent)]
    Api(#[from] ApiError),
    #[error(transparent)]
    Cert(#[from] CertError),
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Setup(#[from] ClientSetupError),
    #[error("{0}")]
    Refused(String),
    #[error("{0}")]
    Io(#[from] io::Error),
    #[error(transparent)]
    NewCert(#[from] crate::origin::new_cert::NewCertError),
    #[error(transparent)]
    ServerConfig(#[from] crate::origin::server_config::ServerConfigError),
    #[error(transparent)]
    Verify(#[from] crate::origin::verify::VerifyError),
    /// `verify-origin` found the origin not requiring the certificate, or not accepting
    /// it: its report says which; the exit status is 3.
    #[error("the origin does not enforce AOP")]
    NotEnforced,
    /// The output is printed but incomplete: what could not be read says why.
    #[error("{0}")]
    Partial(String),
    /// Some zones did not rotate: the result table says why.
    #[error("{failed} of {zones} zone(s) did not rotate")]
    NotRotated {
        failed: usize,
        zones: usize,
        journal: Option<std::path::PathBuf>,
    },
    /// The audit found something at or above `--fail-on`: not a failure of the run,
    /// the summary line says what; the exit status is 3.
    #[error("a finding reached level {}", worst.as_str())]
    Findings { worst: Level },
}

impl CliError {
    /// A stable name for the kind of failure: `--json` errors carry it as `code`.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Api(e) => e.kind(),
            Self::Cert(_) => "bad_certificate",
            Self::Config(_) => "config",
            Self::Setup(ClientSetupError::NoCredentials { .. }) => "no_credentials",
            Self::Setup(ClientSetupError::Api(e)) => e.kind(),
            Self::Refused(_) => "refused",
            Self::Io(_) => "io",
            Self::NewCert(_) => "new_cert",
            Self::ServerConfig(_) => "origin_config",
            Self::Verify(_) => "verify_failed",
            Self::NotEnforced => "not_enforced",
            Self::Partial(_) => "partial",
            Self::NotRotated { .. } => "not_rotated",
            Self::Findings { .. } => "findings",
        }
    }

    /// `{"error": {"code", "message", "hint"}}`, what `--json` prints on stderr; an
    /// API error adds Cloudflare's codes and the HTTP status.
    pub fn to_json(&self) -> serde_json::Value {
        let mut error = serde_json::json!({
            "code": self.code(),
            "message": self.to_string(),
            "hint": self.hint(),
        });
        let api = match self {
            Self::Api(e) | Self::Setup(ClientSetupError::Api(e)) => Some(e),
            _ => None,
        };
        if let Some(e) = api {
            error["cloudflare_codes"] = e.codes().into();
            error["http_status"] = e.status().into();
        }
        serde_json::json!({ "error": error })
    }

    pub fn hint(&self) -> Option<String> {
        match self {
            Self::Api(e) => e.hint().map(str::to_owned),
            Self::Setup(e) => e.hint(),
            Self::NotRotated { journal, .. } => Some(rotate::resume_hint(journal.as_ref())),
            _ => None,
        }
    }
}

/// Runs a subcommand, writing its result to `out`.
pub async fn run(
    command: Command,
    settings: &Settings,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    // The simulator and the origin's end use no account.
    let command = match command {
        Command::Sim {
            port,
            token,
            zones,
            latency_ms,
            json,
        } => {
            let latency = std::time::Duration::from_millis(latency_ms);
            return run_sim(port, token, zones, latency, json, out).await;
        }
        Command::NewCert(args) => return origin::new_cert(args, out),
        Command::Completions { shell } => return Ok(completion::registration(shell, out)?),
        Command::Man => return Ok(man::print(out)?),
        Command::OriginConfig(args) => return origin::origin_config(args, out),
        Command::VerifyOrigin(args) => {
            return origin::verify_origin(args, settings.timeout, out).await;
        }
        command => command,
    };
    if let Command::Delete { yes: false, .. } = command
        && !io::stdin().is_terminal()
    {
        return Err(CliError::Refused(
            "refusing to delete without confirmation: standard input is not a terminal; \
             add --yes to delete from a script"
                .into(),
        ));
    }
    if let Command::Rotate(args) = &command
        && !args.yes
        && !io::stdin().is_terminal()
    {
        return Err(CliError::Refused(
            "refusing to rotate without confirmation: standard input is not a terminal; \
             add --yes to rotate from a script (nothing was sent)"
                .into(),
        ));
    }
    let budget = match &command {
        Command::Audit(args) => args.budget.map_or(settings.budget, |b| b as usize),
        _ => settings.budget,
    };
    let client = settings
        .client_with_budget(budget)?
        .guarded(expected_calls(&command));
    let now = Utc::now();
    match command {
        Command::Zones { filter, json } => {
            let filter = filter.as_deref().and_then(name_filter);
            let zones = client.list_zones(filter.as_ref()).await?;
            // The whole list refreshes the cache the TUI starts from and completion reads.
            if filter.is_none()
                && let Some(cache) = settings.zone_cache()
                && let Err(e) = cache.save(&zones)
            {
                tracing::warn!(path = %cache.path().display(), error = %e, "zone cache not saved");
            }
            if json {
                output::json(out, settings.profile.as_deref(), &zones)?;
            } else {
                output::zones(out, &zones)?;
            }
        }
        Command::Certs { zone, json } => {
            let zone = client.resolve_zone(&zone).await?;
            if json {
                output::json(
                    out,
                    settings.profile.as_deref(),
                    &client.list_certificates(&zone.id).await?,
                )?;
            } else {
                let (certs, enabled) = tokio::try_join!(
                    client.list_certificates(&zone.id),
                    client.get_enablement(&zone.id)
                )?;
                writeln!(out, "{}", sanitize(&zone.name))?;
                output::certificates(out, &certs, Some(enabled), now)?;
            }
        }
        Command::Show {
            zone,
            cert_id,
            json,
        } => {
            let zone = client.resolve_zone(&zone).await?;
            let cert = client.get_certificate(&zone.id, &cert_id).await?;
            let details = cert
                .certificate
                .as_deref()
                .and_then(|pem| certinfo::parse_certificate(pem).ok());
            if json {
                output::json(
                    out,
                    settings.profile.as_deref(),
                    &output::ShownCertificate {
                        certificate: &cert,
                        details: details.as_ref().map(|d| output::DetailsJson::new(d, now)),
                    },
                )?;
            } else {
                output::certificate_detail(out, &cert, details.as_ref(), now)?;
            }
        }
        Command::Status { zone, json } => {
            let zone = client.resolve_zone(&zone).await?;
            let enabled = client.get_enablement(&zone.id).await?;
            print_enablement(out, &zone, enabled, json, settings.profile.as_deref())?;
        }
        Command::Enable { zone, json } => {
            set_enablement(&client, &zone, true, json, settings, out).await?
        }
        Command::Disable { zone, json } => {
            set_enablement(&client, &zone, false, json, settings, out).await?
        }
        Command::Upload {
            zone,
            cert,
            key,
            json,
        } => {
            // Local checks come first: a bad file is refused before any request is sent.
            let upload = certinfo::load_upload(&cert, &key)?;
            let zone = client.resolve_zone(&zone).await?;
            let created = client
                .upload_certificate(&zone.id, &upload.certificate, &upload.private_key)
                .await?;
            drop(upload);
            if json {
                output::json(out, settings.profile.as_deref(), &created)?;
            } else {
                writeln!(
                    out,
                    "uploaded to {}; Cloudflare is deploying it (status {})",
                    sanitize(&zone.name),
                    sanitize(created.status.as_ref().map_or("?", |s| s.as_str()))
                )?;
                let summary = Certificate {
                    certificate: None,
                    ..created
                };
                output::certificate_detail(out, &summary, None, now)?;
            }
        }
        Command::Delete {
            zone,
            cert_id,
            yes,
            json,
        } => {
            let zone = client.resolve_zone(&zone).await?;
            if !yes {
                confirm_delete(&client, &zone, &cert_id, now).await?;
            }
            let cert = client.delete_certificate(&zone.id, &cert_id).await?;
            let profile = settings.profile.as_deref();
            output::deleted(out, "certificate", &zone, &cert_id, &cert, json, profile)?;
        }
        Command::Global { zone, value, json } => {
            let zone = client.resolve_zone(&zone).await?;
            let global = match value {
                Some(value) => client.set_global(&zone.id, value == Switch::On).await?,
                None => client.get_global(&zone.id).await?,
            };
            print_global(out, &zone, &global, json, settings.profile.as_deref())?;
        }
        Command::Audit(mut args) => {
            if args.json {
                args.format = args::Format::Json;
            }
            let (cache, known) = (settings.survey_cache(), settings.known_hostnames());
            let profile = settings.profile.as_deref();
            audit::run(&client, args, budget, cache, known, profile, out).await?;
        }
        Command::Rotate(args) => rotate::rotate(&client, settings, args, out).await?,
        Command::Hostnames { command } => hostnames::run(&client, settings, command, out).await?,
        Command::Sim { .. }
        | Command::Completions { .. }
        | Command::Man
        | Command::NewCert(_)
        | Command::OriginConfig(_)
        | Command::VerifyOrigin(_) => unreachable!("handled above"),
    }
    Ok(())
}

/// The calls a command's work needs before it knows more (a listing's pages, the zones
/// to survey or rotate, the hostnames to read add theirs as they are learnt): its
/// spending guard stops it at several times the total.
fn expected_calls(command: &Command) -> u64 {
    use args::HostnamesCommand as H;
    match command {
        // A zone found by name is a one-page listing, which adds its own page.
        Command::Certs { .. } => 2,
        Command::Delete { .. } => 4,
        Command::Hostnames {
            command: H::Delete { .. },
        } => 3,
        Command::Hostnames {
            command: H::Status { .. },
        } => 2,
        Command::Zones { .. } | Command::Audit(_) | Command::Rotate(_) => 0,
        _ => 1,
    }
}

/// `--filter shop` means "contains shop"; the API's own forms pass through.
fn name_filter(text: &str) -> Option<NameFilter> {
    match NameFilter::parse(text)? {
        NameFilter::Exact(x) => Some(NameFilter::Contains(x)),
        other => Some(other),
    }
}

fn print_enablement(
    out: &mut dyn Write,
    zone: &Zone,
    enabled: bool,
    json: bool,
    profile: Option<&str>,
) -> io::Result<()> {
    if json {
        #[derive(serde::Serialize)]
        struct Status<'a> {
            zone: &'a str,
            enabled: bool,
        }
        output::json(
            out,
            profile,
            &Status {
                zone: &zone.name,
                enabled,
            },
        )
    } else {
        writeln!(
            out,
            "{}: zone-level AOP {}",
            sanitize(&zone.name),
            output::enablement_word(enabled)
        )
    }
}

fn print_global(
    out: &mut dyn Write,
    zone: &Zone,
    global: &GlobalAop,
    json: bool,
    profile: Option<&str>,
) -> io::Result<()> {
    if json {
        #[derive(serde::Serialize)]
        struct Global<'a> {
            zone: &'a str,
            value: &'static str,
            editable: Option<bool>,
        }
        output::json(
            out,
            profile,
            &Global {
                zone: &zone.name,
                value: if global.on { "on" } else { "off" },
                editable: global.editable,
            },
        )
    } else {
        writeln!(
            out,
            "{}: global AOP (Cloudflare's shared certificate) {}{}",
            sanitize(&zone.name),
            if global.on { "on" } else { "off" },
            if global.editable == Some(false) {
                " (not editable on this zone)"
            } else {
                ""
            }
        )
    }
}

async fn set_enablement(
    client: &Client,
    zone: &str,
    enabled: bool,
    json: bool,
    settings: &Settings,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    let zone = client.resolve_zone(zone).await?;
    let now_enabled = client.set_enablement(&zone.id, enabled).await?;
    print_enablement(out, &zone, now_enabled, json, settings.profile.as_deref())?;
    Ok(())
}

/// Names the certificate and asks on the terminal; anything but yes cancels.
async fn confirm_delete(
    client: &Client,
    zone: &Zone,
    cert_id: &str,
    now: chrono::DateTime<Utc>,
) -> Result<(), CliError> {
    let (cert, certs, enabled) = tokio::try_join!(
        client.get_certificate(&zone.id, cert_id),
        client.list_certificates(&zone.id),
        client.get_enablement(&zone.id)
    )?;
    let mut prompt = format!(
        "Delete certificate {} from {}?\n  issuer   {}\n  expires  {} ({})\n  status   {}\n",
        sanitize(cert_id),
        sanitize(&zone.name),
        sanitize(cert.issuer.as_deref().unwrap_or("-")),
        sanitize(cert.expires_on.as_ref().map_or("-", |t| t.raw())),
        Expiry::of(&cert, now).label(),
        sanitize(cert.status.as_ref().map_or("-", |s| s.as_str())),
    );
    if enabled && is_only_active(&certs, cert_id) {
        prompt.push_str(
            "WARNING: this is the zone's only active certificate and zone-level AOP is enabled: \
             origins that trust only its CA will start rejecting Cloudflare.\n",
        );
    }
    prompt.push_str("Type y to delete, anything else cancels: ");
    if ask_yes(prompt).await? {
        Ok(())
    } else {
        Err(CliError::Refused("cancelled: nothing was deleted".into()))
    }
}

/// Asks on the terminal (the prompt on stderr); only y or yes is a yes.
async fn ask_yes(prompt: String) -> Result<bool, CliError> {
    let answer = tokio::task::spawn_blocking(move || -> io::Result<String> {
        let mut err = io::stderr().lock();
        err.write_all(prompt.as_bytes())?;
        err.flush()?;
        let mut line = String::new();
        io::stdin().read_line(&mut line)?;
        Ok(line)
    })
    .await
    .map_err(|e| CliError::Io(io::Error::other(e)))??;
    Ok(matches!(
        answer.trim().to_ascii_lowercase().as_str(),
        "y" | "yes"
    ))
}

async fn run_sim(
    port: u16,
    token: Option<String>,
    zones: Option<usize>,
    latency: std::time::Duration,
    json: bool,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    let token = token.unwrap_or_else(|| format!("sim-{}", uuid::Uuid::new_v4().simple()));
    let mut config = SimConfig::demo(token);
    config.port = port;
    config.zones = zones;
    config.latency = latency;
    let sim = Simulator::start(config).await.map_err(|e| {
        CliError::Refused(format!(
            "cannot start the simulator on 127.0.0.1:{port}: {e}; try --port 0"
        ))
    })?;
    if json {
        // One line, so a script can read it and go on while the simulator serves.
        let line = serde_json::json!({ "base_url": sim.base_url(), "token": sim.token() });
        writeln!(out, "{line}")?;
    } else {
        writeln!(
            out,
            "originpull simulator listening (Ctrl-C stops it)\n\n  export CLOUDFLARE_BASE_URL={}\n  export CLOUDFLARE_API_TOKEN={}\n",
            sim.base_url(),
            sim.token()
        )?;
    }
    out.flush()?;
    tokio::signal::ctrl_c().await?;
    sim.shutdown().await;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filter_defaults_to_contains() {
        assert_eq!(
            name_filter("shop"),
            Some(NameFilter::Contains("shop".into()))
        );
        assert_eq!(
            name_filter("starts_with:dev"),
            Some(NameFilter::StartsWith("dev".into()))
        );
        assert_eq!(name_filter(" "), None);
    }
}

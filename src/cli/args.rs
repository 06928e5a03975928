//! The command line, as SPEC section 2 names it.

use std::path::PathBuf;

use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};

use clap_complete::ArgValueCompleter;

use super::completion::{self, Shell};
use crate::origin::new_cert::{KeyType, MAX_DAYS};
use crate::origin::server_config::Server;
use crate::origin::verify::Target;
use crate::survey::{EXPIRING_WITHIN_DAYS, Level};

#[derive(Debug, Parser)]
#[command(
    name = "originpull",
    version,
    about = "Cloudflare Authenticated Origin Pulls at all three levels, from a terminal",
    long_about = "Cloudflare Authenticated Origin Pulls at all three levels (global, zone-level, \
        per-hostname), from a terminal: certificates, enablement, audit, rotation, and the \
        origin's end.\n\n\
        Without a subcommand it opens the interactive TUI. Credentials come from \
        CLOUDFLARE_API_TOKEN (or CF_API_TOKEN), CLOUDFLARE_EMAIL + CLOUDFLARE_API_KEY, \
        or the config file (api_token, or api_token_command for a password manager; \
        per [profiles.NAME] with --profile); never from the command line.",
    after_help = "A ZONE is a zone name (shop.example) or its 32-hex id."
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,

    /// Run against the embedded API simulator: no credentials, no network
    #[arg(long)]
    pub demo: bool,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Args, Clone, Default)]
pub struct GlobalArgs {
    /// Use the account of [profiles.NAME] in the config [env: ORIGINPULL_PROFILE]
    #[arg(long, global = true, value_name = "NAME")]
    pub profile: Option<String>,

    /// API base URL [env: CLOUDFLARE_BASE_URL] [default: https://api.cloudflare.com/client/v4]
    #[arg(long, global = true, value_name = "URL")]
    pub base_url: Option<String>,

    /// Config file [env: ORIGINPULL_CONFIG] [default: ~/.config/originpull/config.toml]
    #[arg(long, global = true, value_name = "PATH")]
    pub config: Option<PathBuf>,

    /// Whole-request timeout in seconds; for verify-origin, each step's [default: 30]
    #[arg(long, global = true, value_name = "SECS", value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub timeout: Option<u64>,

    /// Log to a file at this level: error, warn, info, debug, trace [env: ORIGINPULL_LOG]
    #[arg(
        long,
        global = true,
        value_name = "LEVEL",
        ignore_case = true,
        value_parser = ["error", "warn", "info", "debug", "trace"],
        hide_possible_values = true
    )]
    pub log_level: Option<String>,

    /// Log file [default: originpull.log in the state dir]
    #[arg(long, global = true, value_name = "PATH")]
    pub log_file: Option<PathBuf>,

    /// Leave the mouse to the terminal, for selecting text (config: mouse = false)
    #[arg(long, global = true)]
    pub no_mouse: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// List zones
    Zones {
        /// Only zones whose name contains TEXT (or an API form: starts_with:x, ends_with:x)
        #[arg(long, value_name = "TEXT")]
        filter: Option<String>,
        /// Print JSON with the API's field names
        #[arg(long)]
        json: bool,
    },
    /// List a zone's certificates
    Certs {
        /// The zone: its name, or its 32-hex id
        #[arg(add = ArgValueCompleter::new(completion::zone_names))]
        zone: String,
        /// Print JSON for scripts (errors too, on stderr)
        #[arg(long)]
        json: bool,
    },
    /// Show one certificate, with details parsed locally from its PEM
    Show {
        /// The zone: its name, or its 32-hex id
        #[arg(add = ArgValueCompleter::new(completion::zone_names))]
        zone: String,
        /// The certificate's id (`certs ZONE` lists them)
        #[arg(add = ArgValueCompleter::new(completion::certificate_ids))]
        cert_id: String,
        /// Print JSON for scripts (errors too, on stderr)
        #[arg(long)]
        json: bool,
    },
    /// Show whether zone-level AOP is enabled
    Status {
        /// The zone: its name, or its 32-hex id
        #[arg(add = ArgValueCompleter::new(completion::zone_names))]
        zone: String,
        /// Print JSON for scripts (errors too, on stderr)
        #[arg(long)]
        json: bool,
    },
    /// Enable zone-level AOP
    Enable {
        /// The zone: its name, or its 32-hex id
        #[arg(add = ArgValueCompleter::new(completion::zone_names))]
        zone: String,
        /// Print JSON for scripts (errors too, on stderr)
        #[arg(long)]
        json: bool,
    },
    /// Disable zone-level AOP
    Disable {
        /// The zone: its name, or its 32-hex id
        #[arg(add = ArgValueCompleter::new(completion::zone_names))]
        zone: String,
        /// Print JSON for scripts (errors too, on stderr)
        #[arg(long)]
        json: bool,
    },
    /// Check a certificate and key locally, then upload them
    Upload {
        /// The zone: its name, or its 32-hex id
        #[arg(add = ArgValueCompleter::new(completion::zone_names))]
        zone: String,
        /// PEM certificate (the leaf first; a chain after it is fine)
        #[arg(long, value_name = "FILE")]
        cert: PathBuf,
        /// PEM private key, unencrypted
        #[arg(long, value_name = "FILE")]
        key: PathBuf,
        /// Print JSON for scripts (errors too, on stderr)
        #[arg(long)]
        json: bool,
    },
    /// Delete a certificate (asks first unless --yes)
    Delete {
        /// The zone: its name, or its 32-hex id
        #[arg(add = ArgValueCompleter::new(completion::zone_names))]
        zone: String,
        /// The certificate's id (`certs ZONE` lists them)
        #[arg(add = ArgValueCompleter::new(completion::certificate_ids))]
        cert_id: String,
        /// Delete without asking (required when stdin is not a terminal)
        #[arg(long, short = 'y')]
        yes: bool,
        /// Print JSON for scripts (errors too, on stderr)
        #[arg(long)]
        json: bool,
    },
    /// Read, or set, a zone's global AOP switch (Cloudflare's shared certificate)
    Global {
        /// The zone: its name, or its 32-hex id
        #[arg(add = ArgValueCompleter::new(completion::zone_names))]
        zone: String,
        /// Turn it on or off; without this, print it
        #[arg(value_enum)]
        value: Option<Switch>,
        /// Print JSON for scripts (errors too, on stderr)
        #[arg(long)]
        json: bool,
    },
    /// Survey zones across all three AOP levels and print every finding
    Audit(AuditArgs),
    /// Rotate zones to a new certificate without an outage: upload, wait until active, delete what it replaces
    Rotate(RotateArgs),
    /// Per-hostname AOP: hostname certificates and each hostname's association
    Hostnames {
        #[command(subcommand)]
        command: HostnamesCommand,
    },
    /// Make a client certificate for AOP, signed by your CA or by a new private CA
    NewCert(NewCertArgs),
    /// Print the server configuration that requires and verifies the client certificate
    OriginConfig(OriginConfigArgs),
    /// Connect straight to an origin: does it require a client certificate, and accept yours?
    VerifyOrigin(VerifyOriginArgs),
    /// Print a shell's completion script: `source <(originpull completions bash)`
    Completions {
        #[arg(value_enum)]
        shell: Shell,
    },
    /// Print the manual page (roff): `originpull man | man -l -`
    Man,
    /// Run the API simulator alone, for trying other clients against it
    Sim {
        /// Port on 127.0.0.1 (0 picks a free one)
        #[arg(long, default_value_t = 8787)]
        port: u16,
        /// The API token it accepts [default: a random one, printed]
        #[arg(long, value_name = "T")]
        token: Option<String>,
        /// Number of zones [default: the demo account]
        #[arg(long, value_name = "N")]
        zones: Option<usize>,
        /// Latency added to every request
        #[arg(long, value_name = "N", default_value_t = 0)]
        latency_ms: u64,
        /// Print the base URL and token as one JSON line (then serve until Ctrl-C)
        #[arg(long)]
        json: bool,
    },
}

impl Command {
    /// Whether the output is for a script (`--json`, `audit --format json`): errors
    /// are then JSON too.
    pub fn json(&self) -> bool {
        match self {
            Self::Zones { json, .. }
            | Self::Certs { json, .. }
            | Self::Show { json, .. }
            | Self::Status { json, .. }
            | Self::Enable { json, .. }
            | Self::Disable { json, .. }
            | Self::Upload { json, .. }
            | Self::Delete { json, .. }
            | Self::Global { json, .. }
            | Self::Sim { json, .. } => *json,
            Self::Audit(args) => args.json || args.format == Format::Json,
            Self::Rotate(args) => args.json,
            Self::NewCert(args) => args.json,
            Self::VerifyOrigin(args) => args.json,
            Self::Hostnames { command } => match command {
                HostnamesCommand::Certs { json, .. }
                | HostnamesCommand::Upload { json, .. }
                | HostnamesCommand::Delete { json, .. }
                | HostnamesCommand::Status { json, .. }
                | HostnamesCommand::Set { json, .. }
                | HostnamesCommand::Clear { json, .. } => *json,
            },
            Self::OriginConfig(_) | Self::Completions { .. } | Self::Man => false,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Switch {
    On,
    Off,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Table,
    Json,
    Csv,
    Prometheus,
}

/// `originpull audit`.
#[derive(Debug, Args, Clone)]
pub struct AuditArgs {
    /// Zones to survey (names or ids) [default: every zone]
    #[arg(add = ArgValueCompleter::new(completion::zone_names))]
    pub zones: Vec<String>,
    /// Only zones whose name contains TEXT
    #[arg(long, value_name = "TEXT", conflicts_with = "zones")]
    pub filter: Option<String>,
    /// A certificate expiring within this many days is `expiring`
    #[arg(long, value_name = "DAYS", default_value_t = EXPIRING_WITHIN_DAYS, value_parser = clap::value_parser!(i64).range(0..=3650))]
    pub expiring_within: i64,
    /// Exit with status 3 when a finding reaches this level: error, warning, notice
    #[arg(long, value_name = "LEVEL", default_value = "warning", value_parser = parse_level)]
    pub fail_on: Level,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// The same as --format json
    #[arg(long, conflicts_with = "format")]
    pub json: bool,
    /// Reuse a zone surveyed within this long ago: 90s, 15m, 1h, 2d
    #[arg(long, value_name = "DURATION", default_value = "1h", value_parser = parse_duration)]
    pub max_age: Duration,
    /// Calls per 5 minutes, shared with everything else this run sends [default: 960, 80% of Cloudflare's 1200]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=1200))]
    pub budget: Option<u64>,
}

/// `originpull hostnames …`.
#[derive(Debug, Subcommand, Clone)]
pub enum HostnamesCommand {
    /// List the zone's hostname certificates
    Certs {
        /// The zone: its name, or its 32-hex id
        #[arg(add = ArgValueCompleter::new(completion::zone_names))]
        zone: String,
        /// Print JSON for scripts (errors too, on stderr)
        #[arg(long)]
        json: bool,
    },
    /// Check a certificate and key locally, then upload them as a hostname certificate
    Upload {
        /// The zone: its name, or its 32-hex id
        #[arg(add = ArgValueCompleter::new(completion::zone_names))]
        zone: String,
        /// PEM certificate (the leaf first; a chain after it is fine)
        #[arg(long, value_name = "FILE")]
        cert: PathBuf,
        /// PEM private key, unencrypted
        #[arg(long, value_name = "FILE")]
        key: PathBuf,
        /// Print JSON for scripts (errors too, on stderr)
        #[arg(long)]
        json: bool,
    },
    /// Delete a hostname certificate (refused while a known hostname still uses it)
    Delete {
        /// The zone: its name, or its 32-hex id
        #[arg(add = ArgValueCompleter::new(completion::zone_names))]
        zone: String,
        /// The hostname certificate's id (`hostnames certs ZONE` lists them)
        #[arg(add = ArgValueCompleter::new(completion::hostname_certificate_ids))]
        cert_id: String,
        /// Delete without asking (required when stdin is not a terminal)
        #[arg(long, short = 'y')]
        yes: bool,
        /// Delete even though known hostnames still use it: they lose their certificate
        #[arg(long)]
        force: bool,
        /// Print JSON for scripts (errors too, on stderr)
        #[arg(long)]
        json: bool,
    },
    /// Each hostname's association: those named, those originpull knows, and with --discover the zone's proxied DNS records
    Status {
        /// The zone: its name, or its 32-hex id
        #[arg(add = ArgValueCompleter::new(completion::zone_names))]
        zone: String,
        hostnames: Vec<String>,
        /// Also ask about every proxied DNS record of the zone (one call per hostname)
        #[arg(long)]
        discover: bool,
        /// Print JSON for scripts (errors too, on stderr)
        #[arg(long)]
        json: bool,
    },
    /// Associate hostnames with a hostname certificate, in one PUT
    #[command(group = clap::ArgGroup::new("state").required(true).args(["enable", "disable"]))]
    Set {
        /// The zone: its name, or its 32-hex id
        #[arg(add = ArgValueCompleter::new(completion::zone_names))]
        zone: String,
        #[arg(required = true, value_name = "HOSTNAME")]
        hostnames: Vec<String>,
        /// The hostname certificate's id
        #[arg(long = "cert", value_name = "CERT_ID", add = ArgValueCompleter::new(completion::hostname_certificate_ids))]
        cert_id: String,
        /// Present the certificate to these hostnames
        #[arg(long)]
        enable: bool,
        /// Keep the association but present no certificate to these hostnames, even with zone-level AOP on
        #[arg(long)]
        disable: bool,
        /// Print JSON for scripts (errors too, on stderr)
        #[arg(long)]
        json: bool,
    },
    /// Remove hostnames' associations (enabled: null), in one PUT: zone-level AOP applies to them again
    Clear {
        /// The zone: its name, or its 32-hex id
        #[arg(add = ArgValueCompleter::new(completion::zone_names))]
        zone: String,
        #[arg(required = true, value_name = "HOSTNAME")]
        hostnames: Vec<String>,
        /// Print JSON for scripts (errors too, on stderr)
        #[arg(long)]
        json: bool,
    },
}

/// `originpull rotate`.
#[derive(Debug, Args, Clone)]
pub struct RotateArgs {
    /// Zones to rotate (names or ids)
    #[arg(required = true, value_name = "ZONE", add = ArgValueCompleter::new(completion::zone_names))]
    pub zones: Vec<String>,
    /// The new PEM certificate (the leaf first; a chain after it is fine)
    #[arg(long, value_name = "FILE")]
    pub cert: PathBuf,
    /// Its PEM private key, unencrypted
    #[arg(long, value_name = "FILE")]
    pub key: PathBuf,
    /// How long to wait for the new certificate to turn active: 90s, 15m, 1h
    #[arg(long, value_name = "DURATION", default_value = "15m", value_parser = parse_wait)]
    pub wait: Duration,
    /// Delete nothing: leave the certificates the new one replaces in place
    #[arg(long)]
    pub keep_old: bool,
    /// First check that this origin accepts the new certificate (verify-origin's check)
    #[arg(long, value_name = "HOST[:PORT]", value_parser = Target::parse)]
    pub origin: Option<Target>,
    /// Rotate the zones' hostname certificate: every known hostname using the old one moves to the new one in one PUT
    #[arg(long)]
    pub hostnames: bool,
    /// Rotate without asking (required when stdin is not a terminal)
    #[arg(long, short = 'y')]
    pub yes: bool,
    /// Print JSON for scripts (errors too, on stderr)
    #[arg(long)]
    pub json: bool,
}

/// `originpull new-cert`.
#[derive(Debug, Args, Clone)]
pub struct NewCertArgs {
    /// The certificate's common name, also its subject alternative name (a DNS name, or an IP address)
    #[arg(long, value_name = "NAME")]
    pub cn: String,
    /// Days the certificate is valid
    #[arg(long, value_name = "N", default_value_t = 365, value_parser = clap::value_parser!(u32).range(1..=i64::from(MAX_DAYS)))]
    pub days: u32,
    /// The key's type and size
    #[arg(long, value_enum, default_value_t = KeyType::P256)]
    pub key_type: KeyType,
    /// Sign with this CA certificate (PEM) [default: a new private CA, written beside]
    #[arg(long, value_name = "FILE", requires = "ca_key")]
    pub ca_cert: Option<PathBuf>,
    /// The CA's private key (PEM)
    #[arg(long, value_name = "FILE", requires = "ca_cert")]
    pub ca_key: Option<PathBuf>,
    /// Directory to write into (created if missing; no file in it is ever overwritten)
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Print JSON for scripts (errors too, on stderr)
    #[arg(long)]
    pub json: bool,
}

/// `originpull origin-config`.
#[derive(Debug, Args, Clone)]
#[command(group = clap::ArgGroup::new("trust").required(true).args(["ca", "shared"]))]
pub struct OriginConfigArgs {
    /// The web server to configure
    #[arg(long, value_enum)]
    pub server: Server,
    /// Trust this CA (the one that signed the client certificate you upload)
    #[arg(long, value_name = "FILE")]
    pub ca: Option<PathBuf>,
    /// Trust Cloudflare's shared CA (global AOP): any Cloudflare account passes it
    #[arg(long)]
    pub shared: bool,
    /// With --shared: write Cloudflare's shared CA to FILE and point the server there
    #[arg(long, value_name = "FILE", requires = "shared")]
    pub write_ca: Option<PathBuf>,
}

/// `originpull verify-origin`.
#[derive(Debug, Args, Clone)]
pub struct VerifyOriginArgs {
    /// The origin itself, not its Cloudflare address: HOST or HOST:PORT [port: 443]
    #[arg(value_name = "HOST[:PORT]", value_parser = Target::parse)]
    pub target: Target,
    /// The site's name, sent in the handshake and checked against the origin's certificate [default: HOST]
    #[arg(long, value_name = "NAME")]
    pub sni: Option<String>,
    /// The client certificate to try (PEM), as uploaded to Cloudflare
    #[arg(long, value_name = "FILE", requires = "key")]
    pub cert: Option<PathBuf>,
    /// Its private key (PEM): it signs the handshake and goes nowhere else
    #[arg(long, value_name = "FILE", requires = "cert")]
    pub key: Option<PathBuf>,
    /// Take any origin certificate (self-signed, Cloudflare Origin CA); the report says so
    #[arg(long)]
    pub insecure: bool,
    /// Print JSON for scripts (errors too, on stderr)
    #[arg(long)]
    pub json: bool,
}

fn parse_level(text: &str) -> Result<Level, String> {
    Level::parse(text).ok_or_else(|| format!("{text:?} is not a level: error, warning or notice"))
}

/// How long a rotation waits for activation: deployment takes minutes, so less than
/// ten seconds can only fail.
fn parse_wait(text: &str) -> Result<Duration, String> {
    let wait = parse_duration(text)?;
    if wait < Duration::from_secs(10) {
        return Err(format!(
            "{text:?} is too short to wait for a certificate to deploy (it takes minutes); give 10s or more"
        ));
    }
    Ok(wait)
}

/// A number with a unit: `90s`, `15m`, `1h`, `2d`.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    humantime::parse_duration(text)
        .map_err(|e| format!("{text:?} is not a duration like 90s, 15m, 1h or 2d: {e}"))
}

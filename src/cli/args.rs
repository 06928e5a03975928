//! The command line, as SPEC section 2 names it.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "originpull",
    version,
    about = "Cloudflare zone-level Authenticated Origin Pulls certificates, from a terminal",
    long_about = "Cloudflare zone-level Authenticated Origin Pulls certificates, from a terminal.\n\n\
        Without a subcommand it opens the interactive TUI. Credentials come from \
        CLOUDFLARE_API_TOKEN (or CF_API_TOKEN), CLOUDFLARE_EMAIL + CLOUDFLARE_API_KEY, \
        or api_token in the config file; never from the command line.",
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
    /// API base URL [env: CLOUDFLARE_BASE_URL] [default: https://api.cloudflare.com/client/v4]
    #[arg(long, global = true, value_name = "URL")]
    pub base_url: Option<String>,

    /// Config file [env: ORIGINPULL_CONFIG] [default: ~/.config/originpull/config.toml]
    #[arg(long, global = true, value_name = "PATH")]
    pub config: Option<PathBuf>,

    /// Whole-request timeout in seconds [default: 30]
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
        zone: String,
        #[arg(long)]
        json: bool,
    },
    /// Show one certificate, with details parsed locally from its PEM
    Show {
        zone: String,
        cert_id: String,
        #[arg(long)]
        json: bool,
    },
    /// Show whether zone-level AOP is enabled
    Status {
        zone: String,
        #[arg(long)]
        json: bool,
    },
    /// Enable zone-level AOP
    Enable {
        zone: String,
        #[arg(long)]
        json: bool,
    },
    /// Disable zone-level AOP
    Disable {
        zone: String,
        #[arg(long)]
        json: bool,
    },
    /// Check a certificate and key locally, then upload them
    Upload {
        zone: String,
        /// PEM certificate (the leaf first; a chain after it is fine)
        #[arg(long, value_name = "FILE")]
        cert: PathBuf,
        /// PEM private key, unencrypted
        #[arg(long, value_name = "FILE")]
        key: PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// Delete a certificate (asks first unless --yes)
    Delete {
        zone: String,
        cert_id: String,
        /// Delete without asking (required when stdin is not a terminal)
        #[arg(long, short = 'y')]
        yes: bool,
    },
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
    },
}

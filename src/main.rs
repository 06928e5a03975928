use std::io::Write;
use std::process::ExitCode;

use clap::Parser;

use originpull::cli::{self, Cli, CliError};
use originpull::config::{self, Overrides};

fn main() -> ExitCode {
    install_panic_hook();
    let cli = Cli::parse();
    let g = &cli.global;
    let overrides = Overrides {
        base_url: g.base_url.clone(),
        config: g.config.clone(),
        timeout: g.timeout,
        log_level: g.log_level.clone(),
        log_file: g.log_file.clone(),
    };
    let settings = match config::resolve(&overrides, &|k| std::env::var(k).ok()) {
        Ok(s) => s,
        Err(e) => return fail(&CliError::Config(e)),
    };
    let _log_guard = match &settings.log_level {
        Some(level) => match originpull::logging::init(level, settings.log_file.clone()) {
            Ok((guard, _)) => Some(guard),
            Err(e) => {
                eprintln!("originpull: warning: logging is off: {e}");
                None
            }
        },
        None => None,
    };
    for w in &settings.warnings {
        eprintln!("originpull: warning: {w}");
    }
    let Some(command) = cli.command else {
        eprintln!(
            "originpull: the interactive TUI arrives in the next release.\n\
             Meanwhile `originpull sim` runs the API simulator the demo will use, and every \
             subcommand works against it or against Cloudflare (originpull --help)."
        );
        return ExitCode::SUCCESS;
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => return fail(&CliError::Io(e)),
    };
    let mut stdout = std::io::stdout();
    let result = runtime.block_on(cli::run(command, &settings, &mut stdout));
    let _ = stdout.flush();
    match result {
        Ok(()) => ExitCode::SUCCESS,
        // A closed pipe (`originpull zones | head`) is the reader's choice, not a failure.
        Err(CliError::Io(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => fail(&e),
    }
}

fn fail(e: &CliError) -> ExitCode {
    eprintln!("originpull: error: {e}");
    if let Some(hint) = e.hint() {
        eprintln!("  hint: {hint}");
    }
    ExitCode::FAILURE
}

/// A panic is a bug: say so briefly and where, without a backtrace, and without the
/// payload's arguments beyond the message itself.
fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        let location = info
            .location()
            .map(|l| format!("{}:{}", l.file(), l.line()))
            .unwrap_or_default();
        tracing::error!(%location, "panic");
        eprintln!("originpull: internal error at {location}; this is a bug, please report it");
    }));
}

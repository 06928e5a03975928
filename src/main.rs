use std::io::Write;
use std::process::ExitCode;

use clap::error::ErrorKind;
use clap::{CommandFactory, Parser};

use originpull::cli::{self, Cli, CliError};
use originpull::config::{self, Overrides};
use originpull::{logging, tui};

fn main() -> ExitCode {
    install_panic_hook();
    // A shell asking for completions (COMPLETE=bash): answered from the caches, then exit.
    clap_complete::CompleteEnv::with_factory(Cli::command).complete();
    let cli = Cli::parse();
    if cli.demo && cli.command.is_some() {
        // Otherwise `originpull --demo zones` would quietly run against the real API.
        Cli::command()
            .error(
                ErrorKind::ArgumentConflict,
                "--demo opens the TUI on a simulated account and takes no subcommand; to script \
                 against a simulator, run `originpull sim` and point CLOUDFLARE_BASE_URL at it",
            )
            .exit();
    }
    // A script that asked for JSON gets its errors and warnings as JSON too.
    let json = cli.command.as_ref().is_some_and(cli::Command::json);
    // The demo, the simulator and the local commands use no account: a config they
    // would not read must not stop them, and no token command runs for them.
    let needs_account = !cli.demo
        && !matches!(
            cli.command,
            Some(
                cli::Command::Sim { .. }
                    | cli::Command::Completions { .. }
                    | cli::Command::Man
                    | cli::Command::NewCert(_)
                    | cli::Command::OriginConfig(_)
                    | cli::Command::VerifyOrigin(_)
            )
        );
    let g = &cli.global;
    let overrides = Overrides {
        profile: g.profile.clone(),
        base_url: g.base_url.clone(),
        config: g.config.clone(),
        timeout: g.timeout,
        log_level: g.log_level.clone(),
        log_file: g.log_file.clone(),
    };
    let mut settings = match config::resolve(&overrides, &|k| std::env::var(k).ok()) {
        Ok(s) => s,
        Err(e) if !needs_account => {
            warn(&format!("{e} (ignored: no account is used)"), json);
            let flags_only = Overrides {
                config: None,
                profile: None,
                ..overrides
            };
            match config::resolve(&flags_only, &|_| None) {
                Ok(s) => s,
                Err(e) => return fail(&CliError::Config(e), json),
            }
        }
        Err(e) => return fail(&CliError::Config(e), json),
    };
    if g.no_mouse {
        settings.mouse = false;
    }
    if needs_account && let Err(e) = settings.run_token_command() {
        return fail(&CliError::Config(e), json);
    }
    let _log_guard = match &settings.log_level {
        Some(level) => match logging::init(level, settings.log_file.clone()) {
            Ok((guard, _)) => Some(guard),
            Err(e) => {
                warn(&format!("logging is off: {e}"), json);
                None
            }
        },
        None => None,
    };
    for w in &settings.warnings {
        warn(w, json);
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => return fail(&CliError::Io(e), json),
    };
    let Some(command) = cli.command else {
        return match runtime.block_on(tui::start(cli.demo, &settings)) {
            Ok(()) => ExitCode::SUCCESS,
            // The terminal is back and the loop has ended; the log flushes as `main`
            // returns. The exit status is a panic's.
            Err(tui::TuiError::Panicked { location }) => {
                eprintln!("{}", logging::panic_line(&location));
                ExitCode::from(101)
            }
            Err(e) => report(&e, e.hint()),
        };
    };
    let mut stdout = std::io::stdout();
    let result = runtime.block_on(cli::run(command, &settings, &mut stdout));
    let _ = stdout.flush();
    match result {
        Ok(()) => ExitCode::SUCCESS,
        // A closed pipe (`originpull zones | head`) is the reader's choice, not a failure.
        Err(CliError::Io(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        // The audit's summary line, or verify-origin's verdict, has said what it found.
        Err(CliError::Findings { .. } | CliError::NotEnforced) => ExitCode::from(3),
        Err(e) => fail(&e, json),
    }
}

fn fail(e: &CliError, json: bool) -> ExitCode {
    if json {
        eprintln!("{}", e.to_json());
        return ExitCode::FAILURE;
    }
    report(e, e.hint())
}

/// A warning on stderr: a line for people, a JSON line under `--json`.
fn warn(message: &str, json: bool) {
    if json {
        eprintln!(
            "{}",
            serde_json::json!({ "warning": { "message": message } })
        );
    } else {
        eprintln!("originpull: warning: {message}");
    }
}

/// What went wrong and what to do about it, on stderr.
fn report(e: &dyn std::fmt::Display, hint: Option<String>) -> ExitCode {
    eprintln!("originpull: error: {e}");
    if let Some(hint) = hint {
        eprintln!("  hint: {hint}");
    }
    ExitCode::FAILURE
}

/// A panic is a bug: say so briefly, where, and where the log is; no backtrace. The
/// TUI's own hook restores the terminal before this runs, and takes over for a panic
/// in a background task while it holds the terminal.
fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        let location = logging::panic_location(info);
        tracing::error!(%location, "panic");
        eprintln!("{}", logging::panic_line(&location));
    }));
}

//! Logging to a file, off unless asked for. Never to the terminal, which belongs to
//! the TUI and to command output.

use std::path::PathBuf;
use std::sync::OnceLock;

use tracing_appender::non_blocking::WorkerGuard;
use tracing_subscriber::EnvFilter;

/// Starts logging at `level` to `file` (or the default log path). The guard flushes
/// the log when dropped, so it lives as long as `main`. Only originpull's own events
/// are logged: dependencies at their most verbose would write request internals.
pub fn init(level: &str, file: Option<PathBuf>) -> Result<(WorkerGuard, PathBuf), String> {
    let level = level.trim().to_ascii_lowercase();
    if !matches!(
        level.as_str(),
        "error" | "warn" | "info" | "debug" | "trace"
    ) {
        return Err(format!(
            "log level {level:?} is not one of error, warn, info, debug, trace"
        ));
    }
    let path = file
        .or_else(crate::config::default_log_path)
        .ok_or("no directory for the log file: pass --log-file PATH")?;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create log directory {}: {e}", dir.display()))?;
    }
    let file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .map_err(|e| format!("cannot open log file {}: {e}", path.display()))?;
    let (writer, guard) = tracing_appender::non_blocking(file);
    let filter = EnvFilter::new(format!("warn,originpull={level}"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer)
        .with_ansi(false)
        .try_init()
        .map_err(|e| e.to_string())?;
    let _ = LOG_PATH.set(path.clone());
    Ok((guard, path))
}

/// Where the log goes, once logging is on: a panic's message points there.
static LOG_PATH: OnceLock<PathBuf> = OnceLock::new();

/// The one line a panic leaves on stderr: a bug, where, and where the log is. No
/// backtrace, and nothing of the panic's own message (it may quote data).
pub fn panic_line(location: &str) -> String {
    let log = match LOG_PATH.get() {
        Some(path) => format!("the log is at {}", path.display()),
        None => "run again with --log-level debug to keep a log".to_owned(),
    };
    format!("originpull: internal error at {location}; this is a bug, please report it ({log})")
}

/// Where a panic happened, as `file:line`.
pub fn panic_location(info: &std::panic::PanicHookInfo<'_>) -> String {
    info.location()
        .map(|l| format!("{}:{}", l.file(), l.line()))
        .unwrap_or_default()
}

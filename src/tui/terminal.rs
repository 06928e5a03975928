//! Terminal setup and its restoration on every way out: quit, error and panic.

use std::io::{self, Stdout};
use std::sync::OnceLock;

use crossterm::event::{
    DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture,
};
use crossterm::execute;
use crossterm::terminal::{
    Clear, ClearType, EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use tokio::sync::Notify;

pub type Tui = Terminal<CrosstermBackend<Stdout>>;

/// Raw mode, the alternate screen, bracketed paste (so a pasted path arrives as one
/// event) and, with `mouse`, mouse capture. A panic restores the terminal before its message is printed, and ends
/// the app wherever it happened.
pub fn init(mouse: bool) -> io::Result<Tui> {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        // On the main thread the panic unwinds out of `main` by itself.
        if std::thread::current().name() == Some("main") {
            restore();
            previous(info);
            return;
        }
        // tokio catches a task's panic and the loop would draw on: it is told to end
        // instead, the normal way (terminal restored, log flushed, exit status 101),
        // and `main` prints the line once the screen is the user's again.
        let location = crate::logging::panic_location(info);
        tracing::error!(%location, "panic in a background task");
        let _ = BACKGROUND_PANIC.set(location);
        PANICKED.notify_one();
    }));
    enable_raw_mode()?;
    let mut stdout = io::stdout();
    // Cleared here rather than with `Terminal::clear`, which asks the terminal for the
    // cursor position: not every terminal (or pty harness) answers that.
    if let Err(e) = execute!(
        stdout,
        EnterAlternateScreen,
        EnableBracketedPaste,
        Clear(ClearType::All)
    ) {
        restore();
        return Err(e);
    }
    if mouse && let Err(e) = execute!(stdout, EnableMouseCapture) {
        restore();
        return Err(e);
    }
    Terminal::new(CrosstermBackend::new(stdout))
}

/// Where a background task panicked, once one has.
static BACKGROUND_PANIC: OnceLock<String> = OnceLock::new();
static PANICKED: Notify = Notify::const_new();

/// Resolves once a background task has panicked (at once if one already has).
pub async fn background_panic() -> String {
    loop {
        if let Some(location) = BACKGROUND_PANIC.get() {
            return location.clone();
        }
        PANICKED.notified().await;
    }
}

/// Undoes everything `init` did. Safe to call twice (a panic during shutdown).
pub fn restore() {
    // Turning off a capture that was never on is harmless: one path for every way out.
    let _ = execute!(
        io::stdout(),
        DisableMouseCapture,
        DisableBracketedPaste,
        LeaveAlternateScreen,
        crossterm::cursor::Show
    );
    let _ = disable_raw_mode();
}

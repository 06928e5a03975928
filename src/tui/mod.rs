//! The interactive app: terminal, event loop and executor around `app::update` and
//! `ui::view`.

mod driver;
mod executor;
mod start;
pub mod terminal;

use std::time::Duration;

use chrono::Utc;
use crossterm::event::{Event, EventStream, KeyEventKind};
use futures::StreamExt;

use crate::api::Client;
use crate::app::keys::KeyMap;
use crate::app::{Msg, Screen};
use crate::cache::ZoneCache;
use crate::hostnames::KnownHostnames;
use crate::rotate::JournalDir;
use crate::survey::SurveyCache;
pub use driver::Driver;
pub use start::{TuiError, start};

/// How the app starts: what it talks to and what the first screen is.
pub struct Launch {
    /// `None` shows the no-credentials screen.
    pub client: Option<Client>,
    pub screen: Screen,
    /// A token can be verified; a global API key cannot.
    pub verify_token: bool,
    /// Shown in the header: "demo" or the API's host.
    pub endpoint: String,
    /// The last session's zone list, shown until the network answers.
    pub cache: Option<ZoneCache>,
    /// Problems with the setup (a token file others can read) for the status line:
    /// printed to stderr they would vanish behind the alternate screen.
    pub warnings: Vec<String>,
    /// The key table, with the user's `[keys]` applied.
    pub keys: KeyMap,
    /// What earlier surveys found, for the fleet view.
    pub survey_cache: Option<SurveyCache>,
    /// Where rotations keep their journals, shared with `originpull rotate`.
    pub journals: Option<JournalDir>,
    /// The hostnames originpull has seen per zone, shared with `originpull hostnames`.
    pub known: Option<KnownHostnames>,
    /// Calls per 5 minutes the client may send: the fleet view's estimates use it.
    pub budget: usize,
    /// The config profile in use, for the header.
    pub profile: Option<String>,
    /// Take mouse events (clicks, the wheel); off, the terminal keeps them for
    /// selecting text.
    pub mouse: bool,
}

/// The spinner's pace; the tick only runs while a call is in flight.
const TICK: Duration = Duration::from_millis(100);

pub async fn run(launch: Launch) -> Result<(), TuiError> {
    let mut terminal = terminal::init(launch.mouse)?;
    let result = event_loop(&mut terminal, launch).await;
    terminal::restore();
    match result? {
        None => Ok(()),
        Some(location) => Err(TuiError::Panicked { location }),
    }
}

/// Runs until the user quits (`None`), or a background task panics (where).
async fn event_loop(
    terminal: &mut terminal::Tui,
    launch: Launch,
) -> std::io::Result<Option<String>> {
    let verify_token = launch.verify_token;
    let mut app = Driver::new(launch);
    app.model.color = std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    let mut pending = vec![Msg::Init { verify_token }];
    let mut events = EventStream::new();
    let mut tick = tokio::time::interval(TICK);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);

    loop {
        if !pending.is_empty() {
            // The clock moves for "days left" and expiry, but only when there is
            // something to draw anyway.
            app.model.now = Utc::now();
            for msg in pending.drain(..) {
                app.dispatch(msg);
            }
            for text in app.take_clipboard() {
                // OSC 52: the terminal puts it on the clipboard, locally or over SSH.
                crossterm::execute!(
                    terminal.backend_mut(),
                    crossterm::clipboard::CopyToClipboard::to_clipboard_from(text)
                )?;
            }
            if app.model.quit {
                return Ok(None);
            }
            app.draw(terminal)?;
        }
        let busy = app.model.busy();
        tokio::select! {
            event = events.next() => match event {
                Some(Ok(event)) => pending.extend(to_msg(event)),
                Some(Err(e)) => return Err(e),
                None => return Ok(None),
            },
            location = terminal::background_panic() => return Ok(Some(location)),
            Some(msg) = app.next_reply() => pending.push(msg),
            _ = tick.tick(), if busy => pending.push(Msg::Tick),
        }
        // Take every reply already waiting, then draw once. (Terminal events are not
        // drained the same way: polling EventStream without a real waker would leave
        // its reader thread waking nobody.)
        while let Some(msg) = app.ready_reply() {
            pending.push(msg);
        }
    }
}

fn to_msg(event: Event) -> Option<Msg> {
    match event {
        Event::Key(key) if key.kind == KeyEventKind::Press => Some(Msg::Key(key)),
        Event::Paste(text) => Some(Msg::Paste(text)),
        Event::Mouse(mouse) => Some(Msg::Mouse(mouse)),
        Event::Resize(..) => Some(Msg::Resize),
        _ => None,
    }
}

//! The app without a terminal: the model, `update` and the executor wired together.
//! The event loop drives it from terminal events; tests drive it with keys and wait
//! on its replies, against a simulator, with the very same code path.

use std::time::Duration;

use chrono::Utc;
use tokio::sync::mpsc;

use super::Launch;
use super::executor::Executor;
use crate::app::{Cmd, Model, Msg, StatusMessage, update};

pub struct Driver {
    pub model: Model,
    executor: Option<Executor>,
    replies: mpsc::UnboundedReceiver<Msg>,
    /// Text for the clipboard, until whoever holds the terminal writes it there.
    clipboard: Vec<String>,
}

impl Driver {
    pub fn new(launch: Launch) -> Self {
        let (tx, replies) = mpsc::unbounded_channel();
        let mut model = Model::new(launch.screen, launch.endpoint, Utc::now());
        model.keys = launch.keys;
        model.budget = launch.budget;
        model.profile = launch.profile;
        model.status = launch
            .warnings
            .first()
            .map(|w| StatusMessage::Error(format!("warning: {w}")));
        Self {
            model,
            executor: launch.client.map(|client| {
                Executor::new(
                    client,
                    launch.cache,
                    launch.survey_cache,
                    launch.journals,
                    launch.known,
                    tx,
                )
            }),
            replies,
            clipboard: Vec::new(),
        }
    }

    /// Runs one message through `update` and hands its commands to the executor.
    pub fn dispatch(&mut self, msg: Msg) {
        for cmd in update(&mut self.model, msg) {
            if let Cmd::Copy { text } = cmd {
                self.clipboard.push(text);
            } else if let Some(executor) = &mut self.executor {
                executor.run(cmd);
            }
        }
    }

    /// What `update` asked to put on the clipboard since the last call: the event loop
    /// writes it to the terminal it holds.
    pub fn take_clipboard(&mut self) -> Vec<String> {
        std::mem::take(&mut self.clipboard)
    }

    /// The next reply from a finished call, waiting for it.
    pub async fn next_reply(&mut self) -> Option<Msg> {
        self.replies.recv().await
    }

    /// A reply that has already arrived, if any.
    pub fn ready_reply(&mut self) -> Option<Msg> {
        self.replies.try_recv().ok()
    }

    /// Processes replies until no call the status line reports is in flight (a
    /// scheduled poll does not count), or `limit` passes. Returns whether it settled.
    pub async fn settle(&mut self, limit: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + limit;
        while self.model.busy() {
            match tokio::time::timeout_at(deadline, self.replies.recv()).await {
                Ok(Some(msg)) => self.dispatch(msg),
                Ok(None) | Err(_) => return false,
            }
        }
        while let Some(msg) = self.ready_reply() {
            self.dispatch(msg);
        }
        true
    }

    /// Draws a frame and tells `update` what it had room for, as every frame does.
    pub fn draw<B: ratatui::backend::Backend>(
        &mut self,
        terminal: &mut ratatui::Terminal<B>,
    ) -> Result<(), B::Error> {
        let mut drawn = None;
        terminal.draw(|frame| drawn = Some(crate::ui::view(&self.model, frame)))?;
        if let Some(drawn) = drawn {
            self.dispatch(Msg::Drawn(drawn));
        }
        Ok(())
    }

    /// The screen as text, drawn by the real view at `width`x`height`.
    pub fn render(&mut self, width: u16, height: u16) -> String {
        let backend = ratatui::backend::TestBackend::new(width, height);
        let mut terminal = ratatui::Terminal::new(backend).expect("a test backend never fails");
        self.draw(&mut terminal)
            .expect("a test backend never fails");
        let buffer = terminal.backend().buffer();
        let mut out = String::new();
        for y in 0..buffer.area.height {
            for x in 0..buffer.area.width {
                out.push_str(buffer[(x, y)].symbol());
            }
            out.push('\n');
        }
        out
    }
}

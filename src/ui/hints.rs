//! Key hints as every part of the screen writes them, and the spinner.

use ratatui::text::{Line, Span};

use super::theme::Theme;
use crate::app::Model;
use crate::app::keys::{Action, Hint, Mode};

const SPINNER: [char; 10] = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

pub fn spinner(tick: usize) -> char {
    SPINNER[tick % SPINNER.len()]
}

/// `key desc · key desc`, keys bold so they read as keys without colour.
pub fn line(hints: &[Hint], theme: Theme) -> Line<'static> {
    let mut spans = Vec::with_capacity(hints.len() * 3);
    for (i, hint) in hints.iter().enumerate() {
        if i > 0 {
            spans.push(Span::styled(" · ", theme.dim()));
        }
        spans.push(Span::styled(hint.keys.clone(), theme.key()));
        spans.push(Span::raw(format!(" {}", hint.text)));
    }
    Line::from(spans)
}

/// Shown in the header at all times, so the main screens' footers leave them out.
const IN_HEADER: [Action; 2] = [Action::Help, Action::Quit];

/// The keys that work in `mode`, as the user has them bound.
pub fn for_mode(model: &Model, mode: Mode) -> Vec<Hint> {
    let mut hints = model.keys.footer(mode, model.key_context());
    if matches!(mode, Mode::Main | Mode::Fleet) {
        let header = header(model);
        hints.retain(|h| !header.contains(h));
    }
    hints
}

/// The footer's hints for whatever has the keys now.
pub fn now(model: &Model) -> Vec<Hint> {
    for_mode(model, model.mode())
}

/// The few hints the header always shows: help and quit, as bound on the main screen.
pub fn header(model: &Model) -> Vec<Hint> {
    IN_HEADER
        .into_iter()
        .filter_map(|action| model.keys.hint(Mode::Main, action))
        .collect()
}

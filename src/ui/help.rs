//! The help overlay: every mode's keys, generated from the key table the dispatcher
//! uses (the user's bindings included), so it cannot drift from what the keys do. It
//! scrolls when the terminal is shorter than the list.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Padding, Paragraph};

use super::fit::{centered, fit, pad, width};
use super::theme::Theme;
use crate::app::Model;
use crate::app::keys::{Action, Mode};

/// The key column never takes more than this; longer bindings are cut.
const MAX_KEY: usize = 14;
const MAX_WIDTH: usize = 96;

/// Draws the overlay between the header and the footer, which stay readable (the
/// footer says how to close it); returns the rows of lines it showed and how many
/// did not fit.
pub fn render(model: &Model, frame: &mut Frame, area: Rect, theme: Theme) -> (usize, usize) {
    let area = Rect {
        y: area.y.saturating_add(1),
        height: area.height.saturating_sub(2),
        ..area
    };
    let sections = model.keys.help();
    let key_width = sections
        .iter()
        .flat_map(|(_, hints)| hints)
        .map(|h| width(&h.keys))
        .max()
        .unwrap_or(0)
        .min(MAX_KEY)
        + 2;
    let width_all = MAX_WIDTH.min(usize::from(area.width).saturating_sub(4));
    // Borders, padding and the indented key column.
    let text_width = width_all.saturating_sub(6 + key_width);
    let mut lines = Vec::new();
    for (title, hints) in sections {
        if !lines.is_empty() {
            lines.push(Line::default());
        }
        lines.push(Line::styled(title, theme.bold()));
        for hint in hints {
            lines.push(Line::from(vec![
                Span::styled(format!("  {}", pad(&hint.keys, key_width)), theme.key()),
                Span::raw(fit(hint.text, text_width)),
            ]));
        }
    }

    let boxed = centered(area, width_all, lines.len() + 2);
    let rows = usize::from(boxed.height.saturating_sub(2));
    let hidden = lines.len().saturating_sub(rows);
    let scroll = model.help_scroll.min(hidden);
    let close = model
        .keys
        .keys_label(Action::Cancel, Mode::Help)
        .map_or_else(String::new, |keys| format!(" · {keys} closes"));
    let title = if hidden > 0 {
        format!(
            " Keys · {}–{} of {}{close} ",
            scroll + 1,
            scroll + rows,
            lines.len()
        )
    } else {
        format!(" Keys{close} ")
    };
    let block = theme
        .dialog(Line::styled(title, theme.bold()), theme.key())
        .padding(Padding::horizontal(1));
    frame.render_widget(Clear, boxed);
    let scroll = u16::try_from(scroll).unwrap_or(u16::MAX);
    frame.render_widget(
        Paragraph::new(lines).block(block).scroll((scroll, 0)),
        boxed,
    );
    (rows, hidden)
}

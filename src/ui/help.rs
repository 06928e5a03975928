//! The help overlay, generated from the key table the dispatcher uses, so it cannot
//! drift from what the keys do.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};

use super::fit::{centered, fit, pad};
use super::theme::Theme;
use crate::app::keys::{BINDINGS, Scope};

/// The order sections appear in: the broadest first.
const SCOPES: [Scope; 5] = [
    Scope::Global,
    Scope::Lists,
    Scope::Zones,
    Scope::Certs,
    Scope::ZoneOpen,
];
const KEY: usize = 8;
const MAX_WIDTH: usize = 76;

pub fn render(frame: &mut Frame, area: Rect, theme: Theme) {
    let width = MAX_WIDTH.min(usize::from(area.width).saturating_sub(4));
    // Borders, padding and the indented key column.
    let text_width = width.saturating_sub(6 + KEY);
    let mut lines = Vec::new();
    for scope in SCOPES {
        if !lines.is_empty() {
            lines.push(Line::default());
        }
        lines.push(Line::styled(scope.title(), theme.bold()));
        for b in BINDINGS.iter().filter(|b| b.scope == scope) {
            lines.push(Line::from(vec![
                Span::styled(format!("  {}", pad(b.label, KEY)), theme.key()),
                Span::raw(fit(b.help, text_width)),
            ]));
        }
    }
    lines.push(Line::default());
    lines.push(Line::styled("Esc closes this help.", theme.dim()));

    let boxed = centered(area, width, lines.len() + 2);
    let block = theme
        .dialog(
            Line::styled(" Keys · Esc closes ", theme.bold()),
            theme.key(),
        )
        .padding(ratatui::widgets::Padding::horizontal(1));
    frame.render_widget(Clear, boxed);
    frame.render_widget(Paragraph::new(lines).block(block), boxed);
}

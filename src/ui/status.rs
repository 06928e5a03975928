//! The bottom of the screen: what is in flight and the last message, then the keys
//! that work right now. One line when both fit; a long error wraps above the hints.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::Line;

use super::fit::{fit, wrap};
use super::theme::Theme;
use super::{hints, inset};
use crate::app::{Model, StatusMessage};
use crate::text::sanitize;

/// Long errors wrap, but never push the panes off a small screen.
const MAX_MESSAGE_LINES: usize = 3;

fn message(model: &Model, theme: Theme) -> Vec<(String, Style)> {
    let mut segments = Vec::new();
    // A call being retried is the one worth naming: the user should know why it waits.
    let shown = model
        .in_flight
        .iter()
        .find(|f| f.note.is_some())
        .or(model.in_flight.first());
    if let Some(call) = shown {
        let more = match model.in_flight.len() - 1 {
            0 => String::new(),
            n => format!(" (+{n} more)"),
        };
        let note = call
            .note
            .as_deref()
            .map_or_else(String::new, |n| format!(" ({})", sanitize(n)));
        segments.push((
            format!(
                "{} {}…{note}{more}",
                hints::spinner(model.spinner),
                sanitize(&call.label)
            ),
            theme.accent(),
        ));
    }
    if !segments.is_empty() && model.status.is_some() {
        segments.push(("·".to_owned(), theme.dim()));
    }
    match &model.status {
        Some(StatusMessage::Info(text)) => {
            segments.push((sanitize(text).into_owned(), Style::new()));
        }
        Some(StatusMessage::Error(text)) => {
            segments.push((format!("✗ {}", sanitize(text)), theme.error()));
        }
        None => {}
    }
    segments
}

/// What the bottom shows at a width: the message lines, the hints, and whether they
/// share one line.
struct Bottom {
    message: Vec<Line<'static>>,
    footer: Line<'static>,
    one_line: bool,
}

fn layout(model: &Model, cols: u16, theme: Theme) -> Bottom {
    let room = usize::from(inset(Rect::new(0, 0, cols, 1)).width);
    // The keys that work now, from the table of the mode in force.
    let footer = hints::line(&hints::now(model), theme);
    let segments = message(model, theme);
    let segments: Vec<(&str, Style)> = segments.iter().map(|(t, s)| (t.as_str(), *s)).collect();
    let mut message = wrap(&segments, room);
    let one_line =
        message.len() <= 1 && message.first().map_or(0, Line::width) + 2 + footer.width() <= room;
    if message.len() > MAX_MESSAGE_LINES {
        message.truncate(MAX_MESSAGE_LINES);
        if let Some(last) = message.last_mut() {
            let style = last.spans.last().map_or(Style::new(), |s| s.style);
            *last = Line::styled(fit(&format!("{last} …"), room), style);
        }
    }
    Bottom {
        message,
        footer,
        one_line,
    }
}

/// Rows the bottom needs at this width.
pub fn height(model: &Model, cols: u16, theme: Theme) -> u16 {
    let bottom = layout(model, cols, theme);
    if bottom.one_line {
        1
    } else {
        u16::try_from(bottom.message.len() + 1).unwrap_or(u16::MAX)
    }
}

pub fn render(model: &Model, frame: &mut Frame, area: Rect, theme: Theme) {
    let bottom = layout(model, area.width, theme);
    let mut row = inset(Rect { height: 1, ..area });
    for line in bottom.message {
        if row.y >= area.bottom() {
            break;
        }
        frame.render_widget(line, row);
        row.y += 1;
    }
    row.y = area.bottom().saturating_sub(1);
    frame.render_widget(bottom.footer.right_aligned(), row);
}

//! A labelled path field, as the upload and rotation forms show it: the label (marked
//! when the field has the keys), then the text underlined, with a cursor when active.

use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use tui_input::Input;

use super::fit::{pad, tail, with_cursor};
use super::theme::Theme;
use crate::text::sanitize;

pub fn lines(
    label: &str,
    input: &Input,
    active: bool,
    cols: usize,
    theme: Theme,
) -> [Line<'static>; 2] {
    let (marker, style) = if active {
        ("▶ ", theme.bold())
    } else {
        ("  ", theme.dim())
    };
    let room = cols.saturating_sub(2);
    let shown = if active {
        with_cursor(input, room)
    } else {
        // The end of a long path: the file name matters more than the directories.
        tail(&sanitize(input.value()), room)
    };
    [
        Line::styled(format!("{marker}{label}"), style),
        Line::from(vec![
            Span::raw("  "),
            Span::styled(
                pad(&shown, room),
                theme.accent().add_modifier(Modifier::UNDERLINED),
            ),
        ]),
    ]
}

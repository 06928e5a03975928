//! The upload form: two file paths, the active one with a cursor, and what went wrong
//! in words.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Clear, Padding, Paragraph};

use super::fit::{centered, fit, wrap};
use super::hints::{self, spinner};
use super::theme::Theme;
use crate::app::keys::Hint;
use crate::app::{UploadField, UploadForm};
use crate::text::sanitize;

const MAX_WIDTH: usize = 76;

pub fn render(
    form: &UploadForm,
    keys: &[Hint],
    tick: usize,
    frame: &mut Frame,
    area: Rect,
    theme: Theme,
) {
    let width = MAX_WIDTH.min(usize::from(area.width).saturating_sub(4));
    // Borders and one column of padding each side.
    let cols = width.saturating_sub(4);
    let mut lines = Vec::new();
    for (field, label, input) in [
        (
            UploadField::Certificate,
            "Certificate (PEM)",
            &form.cert_path,
        ),
        (UploadField::Key, "Private key (PEM)", &form.key_path),
    ] {
        lines.extend(super::field::lines(
            label,
            input,
            form.field == field,
            cols,
            theme,
        ));
        lines.push(Line::default());
    }
    if let Some(error) = &form.error {
        lines.extend(wrap(
            &[("✗", theme.error()), (&sanitize(error), theme.error())],
            cols,
        ));
        lines.push(Line::default());
    }
    if form.submitting.is_some() {
        lines.push(Line::styled(
            format!("{} checking and uploading…", spinner(tick)),
            theme.pending(),
        ));
        lines.push(Line::default());
    }
    lines.push(hints::line(keys, theme).centered());

    let what = if form.hostname {
        "a hostname certificate to"
    } else {
        "to"
    };
    let title = format!(
        " Upload {what} {} ",
        fit(&sanitize(&form.zone_name), cols.saturating_sub(36))
    );
    let boxed = centered(area, width, lines.len() + 2);
    let block = theme
        .dialog(Line::styled(title, theme.bold()), theme.key())
        .padding(Padding::horizontal(1));
    frame.render_widget(Clear, boxed);
    frame.render_widget(Paragraph::new(lines).block(block), boxed);
}

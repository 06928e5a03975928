//! The associate form (`A` in the per-hostname view): the hostnames to put on one
//! hostname certificate, typed on one line.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Clear, Padding, Paragraph};

use super::fit::{centered, fit, wrap};
use super::theme::Theme;
use crate::app::AssociateForm;
use crate::app::keys::Hint;
use crate::text::{sanitize, short_id};

const MAX_WIDTH: usize = 76;

pub fn render(form: &AssociateForm, keys: &[Hint], frame: &mut Frame, area: Rect, theme: Theme) {
    let width = MAX_WIDTH.min(usize::from(area.width).saturating_sub(4));
    let cols = width.saturating_sub(4);
    let mut lines = Vec::new();
    lines.extend(super::field::lines(
        "Hostnames (separated by spaces), enabled on this certificate",
        &form.hostnames,
        true,
        cols,
        theme,
    ));
    lines.push(Line::default());
    if let Some(error) = &form.error {
        lines.extend(wrap(
            &[("✗ ", theme.error()), (&sanitize(error), theme.error())],
            cols,
        ));
        lines.push(Line::default());
    }
    lines.push(super::hints::line(keys, theme).centered());
    let title = format!(
        " Associate with {} in {} ",
        short_id(&form.cert_id),
        fit(&sanitize(&form.zone_name), cols.saturating_sub(30))
    );
    let boxed = centered(area, width, lines.len() + 2);
    let block = theme
        .dialog(Line::styled(title, theme.bold()), theme.key())
        .padding(Padding::horizontal(1));
    frame.render_widget(Clear, boxed);
    frame.render_widget(Paragraph::new(lines).block(block), boxed);
}

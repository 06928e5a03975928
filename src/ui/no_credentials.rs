//! Started without credentials: say how to get going instead of failing.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::{Padding, Paragraph};

use super::fit::{centered, wrap};
use super::hints;
use super::theme::Theme;
use crate::app::keys::Hint;
use crate::text::sanitize;

const MAX_WIDTH: usize = 84;

pub fn render(
    config_path: Option<&str>,
    keys: &[Hint],
    frame: &mut Frame,
    area: Rect,
    theme: Theme,
) {
    let width = MAX_WIDTH.min(usize::from(area.width).saturating_sub(2));
    // Borders and two columns of padding each side.
    let cols = width.saturating_sub(6);
    let plain = Style::new();
    let code = theme.key();
    let config = config_path.map_or_else(
        || "the config file".to_owned(),
        |p| sanitize(p).into_owned(),
    );
    let paragraphs: [&[(&str, Style)]; 4] = [
        &[("No Cloudflare credentials found.", theme.warn())],
        &[
            ("Set", plain),
            ("CLOUDFLARE_API_TOKEN", code),
            ("(or", plain),
            ("CF_API_TOKEN,", code),
            ("or", plain),
            ("CLOUDFLARE_EMAIL", code),
            ("+", plain),
            ("CLOUDFLARE_API_KEY)", code),
            ("in the environment, or put", plain),
            ("api_token = \"…\"", code),
            ("in", plain),
            (&config, code),
            ("and make it private with", plain),
            ("chmod 600.", code),
        ],
        &[
            ("The token needs these permissions:", plain),
            ("Zone → Zone → Read", theme.bold()),
            ("and", plain),
            ("Zone → SSL and Certificates → Read and Edit.", theme.bold()),
        ],
        &[
            ("To look around first, run", plain),
            ("originpull --demo", code),
            ("to explore a simulated account.", plain),
        ],
    ];
    let mut lines = Vec::new();
    for paragraph in paragraphs {
        if !lines.is_empty() {
            lines.push(Line::default());
        }
        lines.extend(wrap(paragraph, cols));
    }
    lines.push(Line::default());
    lines.push(hints::line(keys, theme));

    let boxed = centered(area, width, lines.len() + 4);
    let block = theme
        .dialog(Line::styled(" originpull ", theme.bold()), theme.key())
        .padding(Padding::new(2, 2, 1, 1));
    frame.render_widget(Paragraph::new(lines).block(block), boxed);
}

//! The confirming dialogs: delete names the one certificate it will delete, in full,
//! and says plainly when deleting it would break the zone; disable and clear name the
//! hostname and what the origin will see afterwards.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::{Clear, Padding, Paragraph};

use super::fit::{centered, labelled, wrap};
use super::theme::Theme;
use crate::app::keys::Hint;
use crate::app::{DeleteConfirm, HostnameChange, HostnameConfirm};
use crate::text::sanitize;

const MAX_WIDTH: usize = 72;
const LABEL: usize = 9;

pub fn render(confirm: &DeleteConfirm, keys: &[Hint], frame: &mut Frame, area: Rect, theme: Theme) {
    let width = MAX_WIDTH.min(usize::from(area.width).saturating_sub(4));
    // Borders and one column of padding each side.
    let cols = width.saturating_sub(4);
    let mut lines = Vec::new();
    for (label, value) in [
        ("Zone", &confirm.zone_name),
        ("ID", &confirm.cert_id),
        ("Issuer", &confirm.issuer),
        ("Expires", &confirm.expires),
    ] {
        lines.extend(labelled(
            (label, theme.dim()),
            LABEL,
            (&sanitize(value), Style::new()),
            cols,
        ));
    }
    if confirm.only_active_while_enabled {
        lines.push(Line::default());
        lines.extend(wrap(
            &[(
                "⚠ This is the zone's only active certificate and zone-level AOP is enabled: \
                 origins that trust only its CA will start rejecting Cloudflare.",
                theme.error(),
            )],
            cols,
        ));
    }
    lines.push(Line::default());
    lines.push(super::hints::line(keys, theme).centered());

    let boxed = centered(area, width, lines.len() + 2);
    let block = theme
        .dialog(
            Line::styled(
                if confirm.hostname {
                    " Delete hostname certificate? "
                } else {
                    " Delete certificate? "
                },
                theme.error(),
            ),
            theme.error(),
        )
        .padding(Padding::horizontal(1));
    frame.render_widget(Clear, boxed);
    frame.render_widget(Paragraph::new(lines).block(block), boxed);
}

/// The dialog before a hostname is disabled or cleared: the hostname, the change in
/// words, and what the origin will see afterwards.
pub fn render_hostname(
    confirm: &HostnameConfirm,
    keys: &[Hint],
    frame: &mut Frame,
    area: Rect,
    theme: Theme,
) {
    let width = MAX_WIDTH.min(usize::from(area.width).saturating_sub(4));
    let cols = width.saturating_sub(4);
    let (title, change) = match confirm.change {
        HostnameChange::Disable => (
            " Disable this hostname? ",
            "disable: keep the association, send no client certificate",
        ),
        HostnameChange::Clear => (
            " Clear this hostname? ",
            "clear: remove the association (enabled: null)",
        ),
    };
    let cert = confirm.cert_id.as_deref().unwrap_or("-");
    let mut lines = Vec::new();
    for (label, value) in [
        ("Zone", confirm.zone_name.as_str()),
        ("Hostname", confirm.hostname.as_str()),
        ("Cert", cert),
        ("Change", change),
    ] {
        lines.extend(labelled(
            (label, theme.dim()),
            LABEL,
            (&sanitize(value), Style::new()),
            cols,
        ));
    }
    lines.push(Line::default());
    lines.extend(wrap(
        &[
            ("⚠ ", theme.warn()),
            (&sanitize(&confirm.consequence), theme.warn()),
        ],
        cols,
    ));
    lines.push(Line::default());
    lines.push(super::hints::line(keys, theme).centered());
    let boxed = centered(area, width, lines.len() + 2);
    let block = theme
        .dialog(Line::styled(title, theme.warn()), theme.warn())
        .padding(Padding::horizontal(1));
    frame.render_widget(Clear, boxed);
    frame.render_widget(Paragraph::new(lines).block(block), boxed);
}

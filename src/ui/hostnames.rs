//! `H`: the open zone's per-hostname AOP in place of its certificate list: the
//! hostname certificates, then the hostnames originpull knows with their associations,
//! the three states in words.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

use super::fit::{fit, ranked_table, table, wrap};
use super::theme::Theme;
use crate::api::Association;
use crate::app::{Focus, ListArea, Loadable, Model, OpenZone};
use crate::hostnames::{HostnameState, Source};
use crate::survey::Expiry;
use crate::text::{sanitize, short_id};

/// Draws the view, scrolled so the selected row shows; returns how many lines it had
/// room for, and where the certificate rows and the hostname rows went.
pub fn render(
    model: &Model,
    open: &OpenZone,
    frame: &mut Frame,
    area: Rect,
    theme: Theme,
) -> (usize, [ListArea; 2]) {
    let focused = model.focus == Focus::Certs && model.overlays.is_empty();
    let selected_style = if focused {
        theme.selected()
    } else {
        theme.bold()
    };
    // One selection over both lists: the certificates, then the known hostnames.
    let rows_len = open.hostname_rows().len();
    let selected = open.hostname_selected.min(rows_len.saturating_sub(1));
    let cert_count = open.hostname_certs.loaded().map_or(0, Vec::len);
    let room = usize::from(area.width).saturating_sub(4);
    let title = Line::styled(
        format!(
            " {} · per-hostname AOP ",
            fit(&sanitize(&open.zone.name), room.saturating_sub(20))
        ),
        theme.bold(),
    );
    let block = theme.pane(title, focused);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let cols = usize::from(inner.width);
    // Where each table's rows start among the lines, and how many it has.
    let mut cert_run = (0, 0);
    let mut host_run = (0, 0);

    // The three levels first, the hostnames' states counted in once they are read.
    let mut lines = super::levels::lines(model, open, cols, theme);
    lines.push(Line::default());
    lines.push(Line::styled("HOSTNAME CERTIFICATES", theme.bold()));
    match &open.hostname_certs {
        Loadable::Loading => lines.push(Line::styled("loading…", theme.pending())),
        Loadable::Failed(e) => lines.extend(wrap(&[(e, theme.error())], cols)),
        Loadable::Loaded(certs) if certs.is_empty() => {
            lines.push(Line::styled("none", theme.dim()));
        }
        Loadable::Loaded(certs) => {
            let rows: Vec<Vec<String>> = certs
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    vec![
                        format!(
                            "{}{}",
                            if i == selected { "▶ " } else { "  " },
                            sanitize(c.status.as_ref().map_or("?", |s| s.as_str()))
                        ),
                        sanitize(c.issuer.as_deref().unwrap_or("-")).into_owned(),
                        c.expires_on
                            .as_ref()
                            .map_or_else(|| "-".to_owned(), |t| sanitize(&t.date()).into_owned()),
                        Expiry::of(c, model.now).label(),
                        sanitize(c.id.as_deref().unwrap_or("-")).into_owned(),
                    ]
                })
                .collect();
            let mut table_lines = table(
                &["  STATUS", "ISSUER", "EXPIRES", "LEFT", "ID"],
                &rows,
                cols,
                theme,
            );
            if let Some(line) = table_lines
                .get_mut(1 + selected)
                .filter(|_| selected < cert_count)
            {
                *line = std::mem::take(line).style(selected_style);
            }
            cert_run = (lines.len() + 1, certs.len());
            lines.extend(table_lines);
        }
    }
    lines.push(Line::default());
    lines.push(Line::styled("KNOWN HOSTNAMES", theme.bold()));
    match &open.hostnames {
        Some(Loadable::Loaded(states)) if states.is_empty() => {
            lines.extend(wrap(
                &[(
                    &format!(
                        "no hostname known, and no proxied DNS record found: no call lists a \
                         zone's associations. `originpull hostnames status {} HOSTNAME...` \
                         asks about the hostnames you name, and remembers them.",
                        sanitize(&open.zone.name)
                    ),
                    theme.dim(),
                )],
                cols,
            ));
        }
        Some(Loadable::Loaded(states)) => {
            let selected = selected.checked_sub(cert_count);
            let rows: Vec<Vec<String>> = states
                .iter()
                .enumerate()
                .map(|(i, s)| row(s, Some(i) == selected))
                .collect();
            // On a narrow screen the hostname and its state stay whole; where it was
            // learnt goes first.
            let mut table_lines = ranked_table(
                &[
                    "  HOSTNAME",
                    "ASSOCIATION",
                    "CERT",
                    "STATUS",
                    "CERT STATUS",
                    "EXPIRES",
                    "KNOWN FROM",
                ],
                &rows,
                &[0, 1, 3, 2, 5, 4, 6],
                cols,
                theme,
            );
            if let Some(line) = selected.and_then(|i| table_lines.get_mut(i + 1)) {
                *line = std::mem::take(line).style(selected_style);
            }
            host_run = (lines.len() + 1, states.len());
            lines.extend(table_lines);
            let certs = open.hostname_certs.loaded().map_or(&[][..], Vec::as_slice);
            for s in states {
                if let Some(problem) = s
                    .problem(certs, model.now)
                    .filter(|_| open.hostname_certs.loaded().is_some())
                {
                    lines.extend(wrap(
                        &[(
                            &format!("⚠ {}: {}", sanitize(&s.hostname), sanitize(&problem)),
                            theme.warn(),
                        )],
                        cols,
                    ));
                }
                if let Some(e) = &s.error {
                    lines.extend(wrap(
                        &[(
                            &format!("✗ {}: {}", sanitize(&s.hostname), sanitize(e)),
                            theme.error(),
                        )],
                        cols,
                    ));
                }
            }
        }
        Some(Loadable::Failed(e)) => lines.extend(wrap(&[(e, theme.error())], cols)),
        _ => lines.push(Line::styled("reading their associations…", theme.pending())),
    }
    lines.push(Line::default());
    lines.extend(wrap(
        &[(
            "enabled: this certificate is sent to the hostname · disabled: none is sent, even \
             with zone-level AOP on · none: the zone level applies",
            theme.dim(),
        )],
        cols,
    ));
    // Scrolled no further than the selected row needs, so the levels stay in view while
    // they can.
    let height = usize::from(inner.height);
    let selected_line = if selected < cert_run.1 {
        cert_run.0 + selected
    } else {
        host_run.0 + selected.saturating_sub(cert_count)
    };
    let scroll = (selected_line + 1).saturating_sub(height);
    let shown = |(start, len): (usize, usize), first: usize| {
        let from = start.max(scroll);
        let to = (start + len).min(scroll + height);
        if from >= to {
            return ListArea::default();
        }
        let rows = Rect {
            y: inner.y + u16::try_from(from - scroll).unwrap_or(u16::MAX),
            height: u16::try_from(to - from).unwrap_or(u16::MAX),
            ..inner
        };
        super::list_area(rows, first + (from - start))
    };
    let lists = [shown(cert_run, 0), shown(host_run, cert_count)];
    let scroll = u16::try_from(scroll).unwrap_or(u16::MAX);
    frame.render_widget(Paragraph::new(lines).scroll((scroll, 0)), inner);
    (height, lists)
}

fn row(s: &HostnameState, selected: bool) -> Vec<String> {
    let a = s.association.as_ref();
    let text = |v: Option<&str>| sanitize(v.unwrap_or("-")).into_owned();
    vec![
        format!(
            "{}{}",
            if selected { "▶ " } else { "  " },
            sanitize(&s.hostname)
        ),
        match &s.error {
            Some(_) => "unreadable".to_owned(),
            None => state_word(a).to_owned(),
        },
        a.and_then(|a| a.cert_id.as_deref())
            .map_or_else(|| "-".to_owned(), short_id),
        text(a.and_then(|a| a.status.as_ref()).map(|s| s.as_str())),
        text(a.and_then(|a| a.cert_status.as_ref()).map(|s| s.as_str())),
        a.and_then(|a| a.expires_on.as_ref())
            .map_or_else(|| "-".to_owned(), |t| sanitize(&t.date()).into_owned()),
        match s.source {
            Source::Named => "named",
            Source::Associated => "associated here",
            Source::Discovered => "proxied DNS record",
        }
        .to_owned(),
    ]
}

/// The three states, worded as the help and the CLI word them.
fn state_word(a: Option<&Association>) -> &'static str {
    match a.and_then(|a| a.enabled) {
        Some(true) => "enabled",
        Some(false) => "disabled",
        None => "none",
    }
}

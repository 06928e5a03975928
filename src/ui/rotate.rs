//! The rotation overlay (`R`): the form with the new certificate beside the zone's
//! current one, then the plan, then each zone's progress as it happens.

use chrono::{DateTime, Utc};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Padding, Paragraph};

use super::fit::{centered, fit, pad, table, wrap};
use super::hints::{self, spinner};
use super::theme::Theme;
use crate::api::CertStatus;
use crate::app::keys::Hint;
use crate::app::{NewCertView, RotateField, RotationPane, Stage};
use crate::certinfo::CertDetails;
use crate::rotate::{IssuerChange, NewCert, Rotation, describe};
use crate::text::{sanitize, short_id};

const MAX_WIDTH: usize = 132;

pub fn render(
    pane: &RotationPane,
    keys: &[Hint],
    tick: usize,
    now: DateTime<Utc>,
    frame: &mut Frame,
    area: Rect,
    theme: Theme,
) {
    let width = MAX_WIDTH.min(usize::from(area.width).saturating_sub(4));
    let cols = width.saturating_sub(4);
    let room = usize::from(area.height).saturating_sub(4);
    let mut lines = match (pane.stage, &pane.rotation) {
        (Stage::Form, _) => form(pane, cols, now, theme),
        (Stage::Checking, rotation) => {
            let read = rotation
                .as_ref()
                .map_or(0, |r| r.zones().iter().filter(|z| z.plan.is_some()).count());
            vec![Line::styled(
                format!(
                    "{} checking the files, then reading the certificates of {} zone(s): {read} read…",
                    spinner(tick),
                    pane.zones.len()
                ),
                theme.pending(),
            )]
        }
        (Stage::Plan, Some(rotation)) => plan(rotation, cols, now, theme),
        (_, Some(rotation)) => progress(pane, rotation, cols, tick, theme),
        (_, None) => Vec::new(),
    };
    if let Some(error) = &pane.error {
        lines.push(Line::default());
        lines.extend(wrap(
            &[("✗ ", theme.error()), (&sanitize(error), theme.error())],
            cols,
        ));
    }
    // Scrolling keeps the title lines and the hints; the rest moves.
    let body = room.saturating_sub(2);
    if lines.len() > body {
        let skip = pane.scroll.min(lines.len() - body);
        lines = lines.into_iter().skip(skip).take(body).collect();
    }
    lines.push(Line::default());
    lines.push(hints::line(keys, theme).centered());

    let zones = match pane.zones.as_slice() {
        [(_, name)] if pane.hostnames.is_some() => {
            format!("{}'s hostname certificate", sanitize(name))
        }
        [(_, name)] => sanitize(name).into_owned(),
        more => format!("{} zones", more.len()),
    };
    let title = format!(
        " Rotate {} · {} ",
        fit(&zones, cols.saturating_sub(24)),
        match pane.stage {
            Stage::Form => "the new certificate",
            Stage::Checking => "checking",
            Stage::Plan => "the plan",
            Stage::Running => "rotating",
            Stage::Finished => "done",
        }
    );
    let boxed = centered(area, width, lines.len() + 2);
    let block = theme
        .dialog(Line::styled(title, theme.bold()), theme.key())
        .padding(Padding::horizontal(1));
    frame.render_widget(Clear, boxed);
    frame.render_widget(Paragraph::new(lines).block(block), boxed);
}

fn form(pane: &RotationPane, cols: usize, now: DateTime<Utc>, theme: Theme) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    for (field, label, input) in [
        (
            RotateField::Certificate,
            "New certificate (PEM)",
            &pane.cert_path,
        ),
        (RotateField::Key, "Its private key (PEM)", &pane.key_path),
    ] {
        let active = pane.field == field;
        lines.extend(super::field::lines(label, input, active, cols, theme));
        if active && !pane.completions.is_empty() {
            // The names alone: the directory is what is typed already.
            let names: Vec<String> = pane
                .completions
                .iter()
                .map(|c| {
                    let name = c.trim_end_matches('/').rsplit('/').next().unwrap_or(c);
                    let slash = if c.ends_with('/') { "/" } else { "" };
                    format!("{}{slash}", sanitize(name))
                })
                .collect();
            lines.extend(
                wrap(&[(&names.join("  "), theme.dim())], cols.saturating_sub(2))
                    .into_iter()
                    .map(|mut line| {
                        line.spans.insert(0, Span::raw("  "));
                        line
                    }),
            );
        }
    }
    lines.push(Line::default());

    // The new certificate beside what the zone presents now.
    let half = cols.saturating_sub(3) / 2;
    let new_details = match &pane.new_cert {
        Some((_, NewCertView::Read(d))) => Some(d),
        _ => None,
    };
    let mut left = vec!["NEW CERTIFICATE".to_owned()];
    match &pane.new_cert {
        Some((_, NewCertView::Read(d))) => left.extend(details_lines(d, now)),
        Some((_, NewCertView::Unreadable(e))) => left.push(format!("✗ {}", sanitize(e))),
        None => left.push("(read when you leave the field)".to_owned()),
    }
    let mut right = Vec::new();
    let active = pane.current.as_ref().map(|(zone, certs)| {
        let active: Vec<_> = certs
            .iter()
            .filter(|c| c.status == Some(CertStatus::Active))
            .collect();
        (zone, active)
    });
    match &active {
        Some((zone, certs)) => {
            right.push(format!("NOW ACTIVE ON {}", sanitize(zone).to_uppercase()));
            if certs.is_empty() {
                right.push("nothing".to_owned());
            }
            for cert in certs {
                right.push(format!(
                    "{}  {}",
                    short_id(cert.id.as_deref().unwrap_or("?")),
                    sanitize(cert.issuer.as_deref().unwrap_or("?"))
                ));
                right.push(format!(
                    "  expires {}",
                    sanitize(cert.expires_on.as_ref().map_or("?", |t| t.raw()))
                        .get(..10)
                        .unwrap_or("?")
                ));
            }
        }
        None => {
            right.push(format!("{} ZONES", pane.zones.len()));
            right.push("their certificates are read for the plan".to_owned());
        }
    }
    for i in 0..left.len().max(right.len()) {
        let l = left.get(i).map_or("", String::as_str);
        let r = right.get(i).map_or("", String::as_str);
        let style = if i == 0 { theme.bold() } else { theme.accent() };
        lines.push(Line::from(vec![
            Span::styled(pad(l, half), style),
            Span::raw("   "),
            Span::styled(fit(r, half), style),
        ]));
    }
    if let (Some(details), Some((_, certs))) = (new_details, &active) {
        let new = NewCert::of(details);
        let change = IssuerChange::of(&new, certs);
        if let Some(warning) = change.warning(&new.issuer)
            && change != IssuerChange::Same
        {
            lines.push(Line::default());
            lines.extend(wrap(
                &[("⚠ ", theme.warn()), (&sanitize(&warning), theme.warn())],
                cols,
            ));
        }
    }
    lines
}

fn details_lines(d: &CertDetails, now: DateTime<Utc>) -> Vec<String> {
    vec![
        format!("subject  {}", sanitize(&d.subject)),
        format!("issuer   {}", sanitize(&d.issuer)),
        format!(
            "expires  {} ({} days)",
            d.not_after.format("%Y-%m-%d"),
            d.days_left(now)
        ),
    ]
}

fn plan(rotation: &Rotation, cols: usize, now: DateTime<Utc>, theme: Theme) -> Vec<Line<'static>> {
    let new = rotation.new_cert();
    let mut lines = vec![Line::styled(
        format!("to {}", sanitize(&new.subject)),
        theme.bold(),
    )];
    let issuer = format!(
        "issuer {} · expires {} ({} days)",
        sanitize(&new.issuer),
        new.expires.format("%Y-%m-%d"),
        (new.expires - now).num_days()
    );
    lines.extend(wrap(&[(&issuer, ratatui::style::Style::new())], cols));
    lines.push(Line::default());
    lines.extend(table(
        &describe::PLAN_HEADER,
        &describe::plan_rows(rotation),
        cols,
        theme,
    ));
    lines.extend(failures(rotation, "will not rotate: ", cols, theme));
    for (warning, zones) in describe::issuer_warnings(rotation) {
        lines.push(Line::default());
        lines.extend(wrap(
            &[
                ("⚠ ", theme.warn()),
                (&format!("{}: {warning}", zones.join(", ")), theme.warn()),
            ],
            cols,
        ));
    }
    lines
}

fn progress(
    pane: &RotationPane,
    rotation: &Rotation,
    cols: usize,
    tick: usize,
    theme: Theme,
) -> Vec<Line<'static>> {
    let p = rotation.progress();
    let mut head = format!("{}, {} calls", describe::summary(&p), p.calls);
    if pane.stage == Stage::Running {
        head = format!("{} {head}", spinner(tick));
    }
    let style = if p.failed > 0 {
        theme.error()
    } else if pane.stage == Stage::Finished {
        theme.ok()
    } else {
        theme.pending()
    };
    let mut lines = vec![Line::styled(head, style), Line::default()];
    let rows: Vec<Vec<String>> = rotation
        .zones()
        .iter()
        .map(|z| {
            vec![
                sanitize(&z.zone).into_owned(),
                z.new_id.as_deref().map_or("-".into(), short_id),
                if z.deleted.is_empty() {
                    "-".into()
                } else {
                    z.deleted
                        .iter()
                        .map(|id| short_id(id))
                        .collect::<Vec<_>>()
                        .join(", ")
                },
                describe::outcome(z),
            ]
        })
        .collect();
    lines.extend(table(
        &["ZONE", "NEW", "OLD DELETED", "STEP"],
        &rows,
        cols,
        theme,
    ));
    lines.extend(failures(rotation, "", cols, theme));
    lines
}

/// Why each failed zone failed, wrapped under the table.
fn failures(rotation: &Rotation, lead: &str, cols: usize, theme: Theme) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    for (zone, reason) in describe::failures(rotation) {
        lines.push(Line::default());
        lines.extend(wrap(
            &[
                ("✗ ", theme.error()),
                (&format!("{zone}: {lead}{reason}"), theme.error()),
            ],
            cols,
        ));
    }
    lines
}

//! The fleet view: above, what an operator reads at a glance (certificate expiries by
//! month, zones per level and per worst finding); below, every zone a row. Only the
//! rows on screen are laid out, whatever the size of the account.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Bar, BarChart, BarGroup, Paragraph};

use super::fit::{fit, pad, window, wrap};
use super::theme::Theme;
use crate::app::keys::{Action, Mode};
use crate::app::{Fleet, FleetRow, ListArea, Model};
use crate::survey::{Expiry, Level, LevelState};
use crate::text::sanitize;

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];
const CHARTS_HEIGHT: u16 = 9;

/// Draws the view in `area`; returns how many table rows it had room for, and where
/// they went.
pub fn render(model: &Model, frame: &mut Frame, area: Rect, theme: Theme) -> (usize, ListArea) {
    let Some(fleet) = &model.fleet else {
        let block = theme.pane(Line::styled(" Fleet ", theme.bold()), true);
        let inner = block.inner(area);
        frame.render_widget(block, area);
        let text = if model.zones.loading {
            "Waiting for the whole zone list: the survey starts once it is in."
        } else {
            "Reading what earlier surveys found…"
        };
        frame.render_widget(Line::styled(text, theme.dim()), inner);
        return (0, ListArea::default());
    };
    let [charts, table] =
        Layout::vertical([Constraint::Length(CHARTS_HEIGHT), Constraint::Fill(1)]).areas(area);
    render_charts(fleet, frame, charts, theme);
    render_table(model, fleet, frame, table, theme)
}

fn render_charts(fleet: &Fleet, frame: &mut Frame, area: Rect, theme: Theme) {
    let [left, right] = Layout::horizontal([Constraint::Fill(3), Constraint::Fill(2)]).areas(area);
    let s = &fleet.stats;
    let mut bars = vec![
        Bar::with_label("exp", s.expired as u64)
            .style(theme.error())
            .value_style(theme.error().patch(theme.bold())),
    ];
    let (year, month) = fleet.month;
    for (i, n) in s.by_month.iter().enumerate() {
        let label = MONTHS[(month as usize - 1 + i) % 12];
        let style = if i == 0 { theme.warn() } else { Style::new() };
        bars.push(Bar::with_label(label, *n as u64).style(style));
    }
    // The year goes in the title: a bar is three cells, too narrow for "Jan 27".
    let last = month as i32 - 1 + s.by_month.len() as i32 - 1;
    let block = theme.pane(
        Line::styled(
            format!(
                " Certificates expiring by month, {} {year} – {} {} (both levels) ",
                MONTHS[month as usize - 1],
                MONTHS[(last % 12) as usize],
                year + last / 12,
            ),
            theme.bold(),
        ),
        false,
    );
    let chart = BarChart::default()
        .block(block)
        .bar_width(3)
        .bar_gap(1)
        .data(BarGroup::new(bars));
    frame.render_widget(chart, left);

    let count = |label: &str, n: usize, style: Style| {
        vec![
            Span::styled(format!("{n:>7} "), style.patch(theme.bold())),
            Span::raw(format!("{label:<11}")),
        ]
    };
    let lines = vec![
        Line::styled("Zones per level", theme.dim()),
        Line::from(
            [
                count("global", s.levels[0], theme.warn()),
                count("zone-level", s.levels[1], theme.ok()),
            ]
            .concat(),
        ),
        Line::from(
            [
                count("hostname", s.levels[2], theme.ok()),
                count("none", s.levels[3], Style::new()),
            ]
            .concat(),
        ),
        Line::styled("Zones by worst finding", theme.dim()),
        Line::from(
            [
                count("error", s.worst[0], theme.error()),
                count("warning", s.worst[1], theme.warn()),
            ]
            .concat(),
        ),
        Line::from(
            [
                count("notice", s.worst[2], Style::new()),
                count("clean", s.worst[3], theme.ok()),
            ]
            .concat(),
        ),
        Line::from(count("not yet surveyed", s.unknown, theme.dim())),
    ];
    let block = theme.pane(Line::styled(" At a glance ", theme.bold()), false);
    frame.render_widget(Paragraph::new(lines).block(block), right);
}

fn render_table(
    model: &Model,
    fleet: &Fleet,
    frame: &mut Frame,
    area: Rect,
    theme: Theme,
) -> (usize, ListArea) {
    let block = theme.pane(title(model, fleet, area.width, theme), true);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if let Some(eta) = fleet.survey.as_ref().and_then(|s| s.confirm) {
        let progress = fleet.survey.as_ref().map(|s| s.walk.progress());
        let calls = progress.map_or(0, |p| p.calls_left);
        let start = key(model, Action::Accept);
        let back = key(model, Action::Cancel);
        let text = format!(
            "Surveying the {} zones not in the cache takes {calls} calls: about {} at {} calls \
             per 5 minutes, shared with everything else this app sends. Rows from the cache \
             show meanwhile. {start} starts the survey; {back} goes back.",
            calls / crate::survey::CALLS_PER_ZONE,
            humanize(eta),
            model.budget,
        );
        let lines = wrap(&[(&text, theme.warn())], usize::from(inner.width));
        let height = u16::try_from(lines.len())
            .unwrap_or(u16::MAX)
            .min(inner.height);
        frame.render_widget(Paragraph::new(lines), Rect { height, ..inner });
        return (0, ListArea::default());
    }
    let width = usize::from(inner.width);
    let rows = usize::from(inner.height).saturating_sub(1);
    // The longest name, within what leaves the findings some room.
    let name_width = fleet
        .name_width
        .min(width.saturating_sub(2 + 8 + 12 + 10 + 8 + 29 + 24))
        .max(12);
    let header = format!(
        "  {}  GLOBAL  ZONE-LEVEL  HOSTNAME  ACTIVE  SOONEST EXPIRY               FINDINGS",
        pad("ZONE", name_width)
    );
    let mut lines = vec![Line::styled(fit(&header, width), theme.dim())];
    let shown = window(fleet.selected, fleet.shown.len(), rows);
    let rows_area = Rect {
        y: inner.y.saturating_add(1),
        height: u16::try_from(shown.len())
            .unwrap_or(u16::MAX)
            .min(inner.height.saturating_sub(1)),
        ..inner
    };
    let list = super::list_area(rows_area, shown.start);
    for i in shown {
        let r = fleet.shown[i];
        let row = &fleet.rows[r as usize];
        let selected = i == fleet.selected;
        let marked = model.marked.contains(&row.state.zone_id);
        let line = row_line(model, row, marked, name_width, width, theme);
        lines.push(if selected {
            line.style(theme.selected())
        } else {
            line
        });
    }
    if fleet.shown.is_empty() {
        lines.push(Line::styled("No zone matches the filter.", theme.dim()));
    }
    frame.render_widget(Paragraph::new(lines), inner);
    (rows, list)
}

fn title(model: &Model, fleet: &Fleet, cols: u16, theme: Theme) -> Line<'static> {
    let mut text = format!(
        " Fleet · {}/{} zones · sorted by {}",
        fleet.shown.len(),
        fleet.rows.len(),
        fleet.sort.label()
    );
    if !model.marked.is_empty() {
        text.push_str(&format!(" · {} marked", model.marked.len()));
    }
    if let Some(survey) = &fleet.survey
        && survey.confirm.is_none()
    {
        let p = survey.walk.progress();
        if p.done < p.zones {
            text.push_str(&format!(
                " · surveying {}/{} ({} calls, ETA {})",
                p.done,
                p.zones,
                p.calls_sent,
                humanize(p.eta(model.budget, crate::api::limit::WINDOW)),
            ));
        } else {
            text.push_str(&format!(" · surveyed ({} calls)", p.calls_sent));
        }
    }
    if !model.zones.filter.value().is_empty() {
        text.push_str(&format!("  /{}", sanitize(model.zones.filter.value())));
    }
    text.push(' ');
    Line::styled(
        fit(&text, usize::from(cols).saturating_sub(4)),
        theme.bold(),
    )
}

fn row_line(
    model: &Model,
    row: &FleetRow,
    marked: bool,
    name_width: usize,
    width: usize,
    theme: Theme,
) -> Line<'static> {
    let s = &row.state;
    let mut spans = vec![Span::raw(if marked { "✓ " } else { "  " })];
    spans.push(Span::raw(pad(&sanitize(&s.zone_name), name_width)));
    if row.unknown {
        spans.push(Span::styled("  not surveyed yet", theme.dim()));
        return Line::from(spans);
    }
    let level = |state: LevelState, width: usize| {
        let style = match state {
            LevelState::On => theme.ok(),
            LevelState::Off => Style::new(),
            LevelState::Unknown => theme.dim(),
        };
        Span::styled(format!("  {}", pad(state.as_str(), width)), style)
    };
    spans.push(level(s.global_state(), 6));
    spans.push(level(s.zone_level_state(), 10));
    let count = |certs: &Option<Vec<_>>| {
        certs
            .as_ref()
            .map_or("?".to_owned(), |c: &Vec<_>| c.len().to_string())
    };
    spans.push(Span::raw(format!(
        "  {}",
        pad(&count(&s.hostname_certificates), 8)
    )));
    let active = s.certificates.as_ref().map_or("?".to_owned(), |_| {
        s.active_certificates().count().to_string()
    });
    spans.push(Span::raw(format!("  {}", pad(&active, 6))));
    let (soonest, style) = match s.soonest_expiry() {
        Some(t) => {
            let expiry = Expiry::at(t, model.now);
            let style = match expiry {
                Expiry::Expired { .. } => theme.error(),
                Expiry::Soon { .. } => theme.warn(),
                _ => Style::new(),
            };
            (
                format!("{} {}", t.format("%Y-%m-%d"), expiry.label()),
                style,
            )
        }
        None => ("-".to_owned(), theme.dim()),
    };
    spans.push(Span::styled(format!("  {}", pad(&soonest, 27)), style));
    let (findings, style) = match row.worst() {
        Some(level) => {
            let mut codes: Vec<&str> = row.findings.iter().map(|f| f.code.as_str()).collect();
            codes.dedup();
            let style = match level {
                Level::Error => theme.error(),
                Level::Warning => theme.warn(),
                Level::Notice => Style::new(),
            };
            (format!("{} {}", marker(level), codes.join(", ")), style)
        }
        None => ("✓ none".to_owned(), theme.ok()),
    };
    let used: usize = spans.iter().map(Span::width).sum();
    let mut tail = findings;
    if !row.fresh
        && let Some(age) = s.age(model.now)
    {
        tail.push_str(&format!(" (cached {age})"));
    }
    spans.push(Span::styled(
        format!("  {}", fit(&tail, width.saturating_sub(used + 2))),
        style,
    ));
    Line::from(spans)
}

/// A finding's level by more than colour.
fn marker(level: Level) -> &'static str {
    match level {
        Level::Error => "✗",
        Level::Warning => "⚠",
        Level::Notice => "·",
    }
}

fn key(model: &Model, action: Action) -> String {
    model
        .keys
        .keys_label(action, Mode::Fleet)
        .unwrap_or_else(|| action.name().to_owned())
}

/// `40 s`, `12 min`, `3 h 20 min`, `2 d`.
fn humanize(d: std::time::Duration) -> String {
    let secs = d.as_secs();
    match secs {
        0..60 => format!("{secs} s"),
        60..3600 => format!("{} min", secs.div_ceil(60)),
        3600..86400 => format!("{} h {} min", secs / 3600, (secs % 3600) / 60),
        _ => format!("{} d", secs.div_ceil(86400)),
    }
}

//! The zone picker: the visible window of the (filtered) zone list, with markers for
//! the zones whose state is already known.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::fit::{fit, pad, window, with_cursor, wrap};
use super::theme::Theme;
use crate::app::{Focus, ListArea, Model, ZoneSummary};
use crate::rank::Highlighter;
use crate::text::sanitize;

/// How many lines a long error may take before the list.
const MAX_ERROR_LINES: usize = 3;

/// Draws the pane; returns how many zone rows it had room for, and where they went.
pub fn render(model: &Model, frame: &mut Frame, area: Rect, theme: Theme) -> (usize, ListArea) {
    let pane = &model.zones;
    let focused = model.focus == Focus::Zones && model.overlays.is_empty();
    let block = theme.pane(title(model, area.width, theme), focused);
    let mut inner = block.inner(area);
    frame.render_widget(block, area);

    if let Some(error) = &pane.error {
        let mut lines = wrap(
            &[("✗", theme.error()), (&sanitize(error), theme.error())],
            usize::from(inner.width),
        );
        lines.truncate(MAX_ERROR_LINES);
        let height = u16::try_from(lines.len()).unwrap_or(0).min(inner.height);
        frame.render_widget(Paragraph::new(lines), Rect { height, ..inner });
        inner.y += height;
        inner.height -= height;
    }

    if pane.visible_len() == 0 {
        let hint = if pane.loading {
            "loading zones…"
        } else if pane.list.is_empty() {
            "No zones."
        } else {
            "No zone matches the filter."
        };
        frame.render_widget(Line::styled(hint, theme.dim()), inner);
        return (usize::from(inner.height), ListArea::default());
    }

    let rows = window(pane.selected, pane.visible_len(), usize::from(inner.height));
    let drawn_rows = Rect {
        height: u16::try_from(rows.len()).unwrap_or(u16::MAX),
        ..inner
    };
    let list = super::list_area(drawn_rows, rows.start);
    // Marks are for the query the rows were ranked for, not one still being ranked.
    let mut highlighter = Highlighter::new(&pane.shown_query);
    for (y, i) in (inner.y..).zip(rows) {
        let Some(zone) = pane.visible_zone(i) else {
            continue;
        };
        let summary = model.summaries.get(&zone.id);
        let selected = i == pane.selected;
        let row = Rect {
            y,
            height: 1,
            ..inner
        };
        let matched = highlighter
            .as_mut()
            .map(|h| h.positions(&zone.name))
            .unwrap_or_default();
        let row_state = RowState {
            selected,
            focused,
            marked: model.marked.contains(&zone.id),
        };
        frame.render_widget(
            zone_row(&zone.name, &matched, summary, row_state, row.width, theme),
            row,
        );
    }
    (usize::from(inner.height), list)
}

fn title(model: &Model, cols: u16, theme: Theme) -> Line<'static> {
    let pane = &model.zones;
    let mut spans = vec![Span::styled(
        format!(" Zones {}/{}", pane.visible_len(), pane.list.len()),
        theme.bold(),
    )];
    if pane.cached {
        spans.push(Span::styled(" · cached", theme.pending()));
    }
    if pane.loading {
        spans.push(Span::styled(" · loading…", theme.pending()));
    }
    if pane.filtering || !pane.filter.value().is_empty() {
        let used: usize = spans.iter().map(Span::width).sum();
        let room = usize::from(cols).saturating_sub(used + 6);
        let shown = if pane.filtering {
            with_cursor(&pane.filter, room)
        } else {
            fit(&sanitize(pane.filter.value()), room)
        };
        spans.push(Span::styled(format!("  /{shown}"), theme.accent()));
    }
    spans.push(Span::raw(" "));
    Line::from(spans)
}

/// How a row stands: under the cursor, in the focused pane, marked with `Space`.
#[derive(Clone, Copy)]
struct RowState {
    selected: bool,
    focused: bool,
    marked: bool,
}

fn zone_row(
    name: &str,
    matched: &[usize],
    summary: Option<&ZoneSummary>,
    state: RowState,
    cols: u16,
    theme: Theme,
) -> Line<'static> {
    let RowState {
        selected,
        focused,
        marked,
    } = state;
    let markers = summary.map(|s| markers(s, theme)).unwrap_or_default();
    let markers_width: usize = markers.iter().map(Span::width).sum();
    let name_width = usize::from(cols).saturating_sub(2 + markers_width + 1);
    let mut spans = vec![Span::raw(match (selected, marked) {
        (true, true) => "▶✓",
        (true, false) => "▶ ",
        (false, true) => " ✓",
        (false, false) => "  ",
    })];
    let shown = sanitize(name);
    // Positions index the name's characters; an escaped name has moved them.
    let matched = if shown == name { matched } else { &[] };
    spans.extend(highlight(pad(&shown, name_width), matched, theme.matched()));
    spans.push(Span::raw(" "));
    spans.extend(markers);
    let line = Line::from(spans);
    match (selected, focused) {
        (true, true) => line.style(theme.selected()),
        (true, false) => line.style(theme.bold()),
        _ => line,
    }
}

/// `● 2 ⚠`: enablement, certificate count, warning; a blank where not known.
fn markers(summary: &ZoneSummary, theme: Theme) -> Vec<Span<'static>> {
    let (dot, dot_style) = match summary.enabled {
        Some(true) => ("●", theme.ok()),
        Some(false) => ("○", Style::new()),
        None => (" ", Style::new()),
    };
    let count = summary
        .certificates
        .map_or_else(|| " ".to_owned(), |n| n.to_string());
    let warn = if summary.warning { "⚠" } else { " " };
    vec![
        Span::styled(dot, dot_style),
        Span::raw(format!(" {count} ")),
        Span::styled(warn, theme.warn()),
    ]
}

/// Splits `text` into spans, styling the characters at `positions` (the filter's
/// matches) so they stand out by more than colour.
fn highlight(text: String, positions: &[usize], style: Style) -> Vec<Span<'static>> {
    if positions.is_empty() {
        return vec![Span::raw(text)];
    }
    let mut spans = Vec::new();
    let mut run = String::new();
    let mut run_matched = false;
    for (i, c) in text.chars().enumerate() {
        let matched = positions.binary_search(&i).is_ok();
        if matched != run_matched && !run.is_empty() {
            let done = std::mem::take(&mut run);
            spans.push(if run_matched {
                Span::styled(done, style)
            } else {
                Span::raw(done)
            });
        }
        run_matched = matched;
        run.push(c);
    }
    spans.push(if run_matched {
        Span::styled(run, style)
    } else {
        Span::raw(run)
    });
    spans
}

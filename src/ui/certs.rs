//! The open zone's certificates: enablement in the title, a table whose columns give
//! way on narrow screens, and the zone's warnings beneath.

use chrono::{DateTime, Utc};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::fit::{fit, pad, width, window, wrap};
use super::theme::Theme;
use crate::api::{ApiTime, CertStatus};
use crate::app::keys::{Action, Mode};
use crate::app::{CertRow, Focus, ListArea, Loadable, Model, OpenZone};
use crate::survey::{Expiry, Level};
use crate::text::{sanitize, sanitize_owned};

const MARKER: usize = 2;
const DATE: usize = "YYYY-MM-DD".len();
/// Enough of an id to tell certificates apart; the detail pane has it whole.
const ID_MIN: usize = 8;
const ISSUER_MIN: usize = 12;

/// Draws the pane; returns how many certificate rows it had room for, and where the
/// rows went.
pub fn render(model: &Model, frame: &mut Frame, area: Rect, theme: Theme) -> (usize, ListArea) {
    let focused = model.focus == Focus::Certs && model.overlays.is_empty();
    let Some(open) = &model.open else {
        let block = theme.pane(Line::styled(" Certificates ", theme.bold()), focused);
        let inner = block.inner(area);
        frame.render_widget(block, area);
        let hint = Line::styled(
            format!("Select a zone and press {}", key(model, Action::Accept)),
            theme.dim(),
        );
        frame.render_widget(hint, inner);
        return (0, ListArea::default());
    };
    let block = theme.pane(title(open, area.width, theme), focused);
    let inner = block.inner(area);
    frame.render_widget(block, area);

    let cols = usize::from(inner.width);
    let (mut lines, mut warnings) = messages(model, open, cols, theme);
    // On a short pane the warnings share it with the rows rather than crowd them out.
    warnings.truncate(usize::from(inner.height / 2).max(1));
    let height = usize::from(inner.height)
        .saturating_sub(1 + warnings.len())
        .max(1);
    let mut list = ListArea::default();
    if let Loadable::Loaded(rows) = &open.certs
        && !rows.is_empty()
    {
        let columns = Columns::new(rows, model.now, cols);
        lines.push(columns.header(theme));
        let shown = window(open.selected, rows.len(), height);
        let top = inner
            .y
            .saturating_add(u16::try_from(lines.len()).unwrap_or(u16::MAX));
        let rows_area = Rect {
            y: top,
            height: u16::try_from(shown.len())
                .unwrap_or(u16::MAX)
                .min(inner.bottom().saturating_sub(top)),
            ..inner
        };
        list = super::list_area(rows_area, shown.start);
        for i in shown {
            let selected = i == open.selected;
            let line = columns.row(&rows[i], selected, model.now, theme);
            lines.push(match (selected, focused) {
                (true, true) => line.style(theme.selected()),
                (true, false) => line.style(theme.bold()),
                _ => line,
            });
        }
    }
    lines.extend(warnings);
    frame.render_widget(Paragraph::new(lines), inner);
    (height, list)
}

/// Rows the pane would take to show every certificate and warning.
pub fn wanted_height(model: &Model, cols: u16, theme: Theme) -> usize {
    let Some(open) = &model.open else {
        return 3;
    };
    let (lines, warnings) = messages(model, open, usize::from(cols.saturating_sub(2)), theme);
    let rows = open.rows().len();
    let table = if rows == 0 { 0 } else { rows + 1 };
    lines.len() + table + warnings.len() + 2
}

/// What shows instead of (or with no) table, and the warnings under it.
fn messages(
    model: &Model,
    open: &OpenZone,
    cols: usize,
    theme: Theme,
) -> (Vec<Line<'static>>, Vec<Line<'static>>) {
    let mut lines = super::levels::lines(model, open, cols, theme);
    lines.extend(match &open.certs {
        Loadable::Loading => vec![Line::styled("loading certificates…", theme.dim())],
        Loadable::Failed(message) => wrap(
            &[("✗", theme.error()), (&sanitize(message), theme.error())],
            cols,
        ),
        Loadable::Loaded(rows) if rows.is_empty() => vec![Line::styled(
            format!(
                "No certificates. Press {} to upload one.",
                key(model, Action::Upload)
            ),
            theme.dim(),
        )],
        Loadable::Loaded(_) => Vec::new(),
    });
    // Until the list has loaded, "no active certificate" would be a false alarm.
    let warnings = match open.certs {
        Loadable::Loaded(_) => open
            .findings
            .iter()
            .flat_map(|f| {
                let style = match f.level {
                    Level::Error => theme.error(),
                    Level::Warning | Level::Notice => theme.warn(),
                };
                wrap(&[("⚠", style), (&sanitize(&f.message), style)], cols)
            })
            .collect(),
        _ => Vec::new(),
    };
    (lines, warnings)
}

/// How the main screen's `action` is bound, for a sentence.
fn key(model: &Model, action: Action) -> String {
    model
        .keys
        .keys_label(action, Mode::Main)
        .unwrap_or_else(|| format!("({} is unbound)", action.name()))
}

/// ` shop.example `: the levels, in the pane, have more room than the title.
fn title(open: &OpenZone, cols: u16, theme: Theme) -> Line<'static> {
    let room = usize::from(cols).saturating_sub(4);
    Line::styled(
        format!(" {} ", fit(&sanitize(&open.zone.name), room)),
        theme.bold(),
    )
}

fn status_text(row: &CertRow) -> String {
    row.cert
        .status
        .as_ref()
        .map_or_else(|| "?".to_owned(), |s| sanitize(s.as_str()).into_owned())
}

fn issuer_text(row: &CertRow) -> String {
    sanitize(row.cert.issuer.as_deref().unwrap_or("—")).into_owned()
}

fn id_text(row: &CertRow) -> String {
    sanitize(row.cert.id.as_deref().unwrap_or("—")).into_owned()
}

fn status_style(status: Option<&CertStatus>, theme: Theme) -> Style {
    match status {
        Some(CertStatus::Active) => theme.ok(),
        Some(s) if s.is_transient() => theme.pending(),
        Some(CertStatus::DeploymentTimedOut | CertStatus::DeletionTimedOut) => theme.error(),
        _ => Style::new(),
    }
}

/// An API time as a date, or the API's own text when it did not parse.
fn date(t: Option<&ApiTime>) -> String {
    match t {
        Some(t) => sanitize_owned(t.date()),
        None => "—".to_owned(),
    }
}

fn left_style(expiry: Expiry, theme: Theme) -> Style {
    match expiry {
        Expiry::Expired { .. } => theme.error(),
        Expiry::Soon { .. } => theme.warn(),
        Expiry::Fine { .. } => Style::new(),
        Expiry::Unknown => theme.dim(),
    }
}

/// Column widths for this table at this width. Status and days-left are sized to what
/// they hold; the issuer shows whole when it can. As room runs out the gaps narrow, the
/// id shortens, then UPLOADED and the EXPIRES date go (LEFT still says when), and last
/// the id (the detail pane has it whole).
struct Columns {
    gap: usize,
    status: usize,
    issuer: usize,
    expires: bool,
    left: usize,
    uploaded: bool,
    /// Zero when there is no room for it.
    id: usize,
}

impl Columns {
    fn new(rows: &[CertRow], now: DateTime<Utc>, cols: usize) -> Self {
        let widest = |f: &dyn Fn(&CertRow) -> usize, min: usize| {
            rows.iter().map(f).max().unwrap_or(0).max(min)
        };
        let status = widest(&|r| width(&status_text(r)), "STATUS".len());
        let left = widest(&|r| width(&Expiry::of(&r.cert, now).label()), "LEFT".len());
        let issuer_need = widest(&|r| width(&issuer_text(r)), "ISSUER".len());
        let id_need = widest(&|r| width(&id_text(r)), "ID".len());
        let layout = |gap: usize, expires: bool, uploaded: bool| {
            let dates = usize::from(expires) + usize::from(uploaded);
            let fixed = MARKER + status + left + dates * DATE + (3 + dates) * gap;
            let rest = cols.saturating_sub(fixed);
            let issuer = issuer_need.min(rest.saturating_sub(ID_MIN));
            Self {
                gap,
                status,
                issuer,
                expires,
                left,
                uploaded,
                id: (rest - issuer).min(id_need),
            }
        };
        let roomy = |c: &Self| c.issuer == issuer_need && c.id >= ID_MIN;
        let fits = |c: &Self| c.issuer >= ISSUER_MIN.min(issuer_need) && c.id >= ID_MIN;
        [layout(2, true, true), layout(1, true, true)]
            .into_iter()
            .find(roomy)
            .or_else(|| {
                [
                    layout(1, true, true),
                    layout(1, true, false),
                    layout(1, false, false),
                ]
                .into_iter()
                .find(fits)
            })
            .unwrap_or_else(|| {
                let mut c = layout(1, false, false);
                c.issuer += c.id;
                c.id = 0;
                c
            })
    }

    fn cells(&self, marker: &str, cells: [(String, Style); 6]) -> Line<'static> {
        let [status, issuer, expires, left, uploaded, id] = cells;
        let gap = || Span::raw(" ".repeat(self.gap));
        let mut spans = vec![
            Span::raw(marker.to_owned()),
            Span::styled(pad(&status.0, self.status), status.1),
            gap(),
            Span::styled(pad(&issuer.0, self.issuer), issuer.1),
        ];
        if self.expires {
            spans.extend([gap(), Span::styled(pad(&expires.0, DATE), expires.1)]);
        }
        spans.extend([gap(), Span::styled(pad(&left.0, self.left), left.1)]);
        if self.uploaded {
            spans.extend([gap(), Span::styled(pad(&uploaded.0, DATE), uploaded.1)]);
        }
        if self.id > 0 {
            spans.extend([gap(), Span::styled(fit(&id.0, self.id), id.1)]);
        }
        Line::from(spans)
    }

    fn header(&self, theme: Theme) -> Line<'static> {
        let h = |s: &str| (s.to_owned(), theme.bold());
        self.cells(
            "  ",
            [
                h("STATUS"),
                h("ISSUER"),
                h("EXPIRES"),
                h("LEFT"),
                h("UPLOADED"),
                h("ID"),
            ],
        )
    }

    fn row(
        &self,
        row: &CertRow,
        selected: bool,
        now: DateTime<Utc>,
        theme: Theme,
    ) -> Line<'static> {
        let cert = &row.cert;
        let expiry = Expiry::of(cert, now);
        let plain = |s: String| (s, Style::new());
        self.cells(
            if selected { "▶ " } else { "  " },
            [
                (status_text(row), status_style(cert.status.as_ref(), theme)),
                plain(issuer_text(row)),
                plain(date(cert.expires_on.as_ref())),
                (expiry.label(), left_style(expiry, theme)),
                plain(date(cert.uploaded_on.as_ref())),
                plain(id_text(row)),
            ],
        )
    }
}

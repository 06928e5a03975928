//! The selected certificate in full: every field the API sent, untruncated, then what
//! was parsed locally from its PEM. There is no private key to show: the model has none.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::fit::labelled;
use super::theme::Theme;
use crate::api::ApiTime;
use crate::app::{Focus, Model, OpenZone};
use crate::certinfo::CertDetails;
use crate::survey::Expiry;
use crate::text::sanitize;

/// Wide enough for the longest label, `serial_number`, and a space.
const LABEL: usize = 14;
const BAR: usize = 20;

/// Draws the pane; returns the rows it showed and how many lines did not fit.
pub fn render(
    model: &Model,
    lines: Vec<Line<'static>>,
    frame: &mut Frame,
    area: Rect,
    theme: Theme,
) -> (usize, usize) {
    let focused = model.focus == Focus::Detail && model.overlays.is_empty();
    let rows = usize::from(area.height.saturating_sub(2));
    let hidden = lines.len().saturating_sub(rows);
    let scroll = model
        .open
        .as_ref()
        .map_or(0, |o| o.detail_scroll)
        .min(hidden);
    // When the lines do not fit, the title says which are shown.
    let title = if hidden > 0 && rows > 0 {
        format!(
            " Certificate detail · {}–{} of {} ",
            scroll + 1,
            scroll + rows,
            lines.len()
        )
    } else {
        " Certificate detail ".to_owned()
    };
    let block = theme.pane(Line::styled(title, theme.bold()), focused);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let scroll = u16::try_from(scroll).unwrap_or(u16::MAX);
    frame.render_widget(Paragraph::new(lines).scroll((scroll, 0)), inner);
    (rows, hidden)
}

/// The pane's lines at an inner width of `cols`; the layout sizes the pane from them.
pub fn lines(model: &Model, cols: u16, theme: Theme) -> Vec<Line<'static>> {
    let Some(row) = model.open.as_ref().and_then(OpenZone::selected_row) else {
        return vec![Line::styled("No certificate selected.", theme.dim())];
    };
    let cols = usize::from(cols);
    let cert = &row.cert;
    let mut out = Vec::new();
    let time = |t: &Option<ApiTime>| t.as_ref().map(|t| t.raw().to_owned());
    let api_fields = [
        ("id", cert.id.clone()),
        (
            "status",
            cert.status.as_ref().map(|s| s.as_str().to_owned()),
        ),
        ("issuer", cert.issuer.clone()),
        ("signature", cert.signature.clone()),
        ("serial_number", cert.serial_number.clone()),
        ("expires_on", time(&cert.expires_on)),
        ("uploaded_on", time(&cert.uploaded_on)),
        // The PEM itself is long: say what it is and where to get it whole.
        (
            "certificate",
            cert.certificate.as_ref().map(|pem| {
                format!(
                    "PEM, {} lines; `originpull show ZONE ID` prints it",
                    pem.lines().count()
                )
            }),
        ),
    ];
    for (label, value) in api_fields {
        match value {
            Some(v) => field(&mut out, label, &sanitize(&v), Style::new(), cols, theme),
            None => field(&mut out, label, "—", theme.dim(), cols, theme),
        }
    }
    out.push(Line::styled(
        "── parsed from the certificate ──",
        theme.dim(),
    ));
    match &row.details {
        Some(details) => parsed(&mut out, details, model.now, cols, theme),
        None if cert.certificate.is_none() => {
            out.push(Line::styled("the API sent no certificate PEM", theme.dim()));
        }
        None => out.push(Line::styled(
            "the certificate PEM could not be parsed",
            theme.warn(),
        )),
    }
    out
}

fn parsed(
    out: &mut Vec<Line<'static>>,
    d: &CertDetails,
    now: chrono::DateTime<chrono::Utc>,
    cols: usize,
    theme: Theme,
) {
    let plain = Style::new();
    let sans: Vec<String> = d.sans.iter().map(|s| sanitize(s).into_owned()).collect();
    let sans = if sans.is_empty() {
        "none".to_owned()
    } else {
        sans.join(", ")
    };
    field(out, "subject", &sanitize(&d.subject), plain, cols, theme);
    field(out, "issuer DN", &sanitize(&d.issuer), plain, cols, theme);
    field(out, "SANs", &sans, plain, cols, theme);
    field(out, "serial", &sanitize(&d.serial), plain, cols, theme);
    field(out, "sha256", &sanitize(&d.sha256), plain, cols, theme);
    field(out, "key", &sanitize(&d.key), plain, cols, theme);
    let validity = format!(
        "{} → {}",
        d.not_before.format("%Y-%m-%d %H:%M"),
        d.not_after.format("%Y-%m-%d %H:%M UTC")
    );
    field(out, "validity", &validity, plain, cols, theme);
    out.push(remaining(d, now, theme));
    if d.is_ca {
        field(
            out,
            "",
            "⚠ a CA certificate, not a leaf: Cloudflare presents a leaf client certificate",
            theme.warn(),
            cols,
            theme,
        );
    }
}

/// How much of the validity window has passed, as a bar, and the days left in words.
fn remaining(d: &CertDetails, now: chrono::DateTime<chrono::Utc>, theme: Theme) -> Line<'static> {
    let total = (d.not_after - d.not_before).num_seconds();
    let elapsed = (now - d.not_before).num_seconds().clamp(0, total.max(0));
    let filled = match usize::try_from(total) {
        Ok(total) if total > 0 => usize::try_from(elapsed).unwrap_or(0) * BAR / total,
        _ => BAR,
    };
    let (words, style) = match Expiry::at(d.not_after, now) {
        Expiry::Expired { days_ago } => (format!("EXPIRED {days_ago} days ago"), theme.error()),
        Expiry::Soon { days_left } => (format!("{days_left} days left · SOON"), theme.warn()),
        Expiry::Fine { days_left } => (format!("{days_left} days left"), Style::new()),
        Expiry::Unknown => (Expiry::Unknown.label(), Style::new()),
    };
    Line::from(vec![
        Span::raw(" ".repeat(LABEL)),
        Span::styled("█".repeat(filled), style),
        Span::styled("░".repeat(BAR - filled), theme.dim()),
        Span::raw("  "),
        Span::styled(words, style),
    ])
}

fn field(
    out: &mut Vec<Line<'static>>,
    label: &str,
    value: &str,
    style: Style,
    cols: usize,
    theme: Theme,
) {
    out.extend(labelled((label, theme.dim()), LABEL, (value, style), cols));
}

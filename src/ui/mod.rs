//! The screen, drawn from the model alone. `view` only reads the model: it never
//! assigns to it, and what only drawing can know (the rows each pane had room for)
//! it returns as [`Drawn`], which the loop hands to `update` as a message. No clock
//! (it uses `model.now`), no I/O, and no work proportional to the whole zone list, so
//! it can run on every event and be snapshot-tested. It imports nothing from `tui`
//! or `app::update`.
//!
//! Every string that came from the API or a certificate passes through
//! [`crate::text::sanitize`] before it is drawn.

mod associate;
mod certs;
mod confirm;
mod detail;
mod field;
mod fit;
mod fleet;
mod header;
mod help;
mod hints;
mod hostnames;
mod levels;
mod no_credentials;
mod rotate;
mod status;
mod theme;
mod upload;
mod zones;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::widgets::Paragraph;

use crate::app::keys::Mode;
use crate::app::{Area, Drawn, ListArea, Model, Overlay, Screen, View};
use theme::Theme;

/// Below this the three panes and the certificate columns no longer make sense.
pub const MIN_WIDTH: u16 = 80;
pub const MIN_HEIGHT: u16 = 20;

/// The certificate list keeps at least this many rows: borders, header, a few rows.
const MIN_CERTS_HEIGHT: usize = 6;

/// Draws the whole screen and says what it had room for.
pub fn view(model: &Model, frame: &mut Frame) -> Drawn {
    let area = frame.area();
    let theme = Theme::new(model.color);
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        too_small(frame, area, theme);
        return Drawn::default();
    }
    match &model.screen {
        Screen::NoCredentials { config_path } => {
            let keys = hints::for_mode(model, Mode::NoCredentials);
            no_credentials::render(config_path.as_deref(), &keys, frame, area, theme);
            Drawn::default()
        }
        Screen::Main => main_screen(model, frame, area, theme),
    }
}

fn main_screen(model: &Model, frame: &mut Frame, area: Rect, theme: Theme) -> Drawn {
    let bottom_height = status::height(model, area.width, theme);
    let [top, body, bottom] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Fill(1),
        Constraint::Length(bottom_height),
    ])
    .areas(area);
    header::render(model, frame, top, theme);
    status::render(model, frame, bottom, theme);
    if model.view == View::Fleet {
        let (fleet_rows, fleet_list) = fleet::render(model, frame, body, theme);
        let drawn = Drawn {
            fleet_rows,
            fleet_list,
            ..Drawn::default()
        };
        return overlays(model, drawn, frame, area, theme);
    }

    let [left, right] = Layout::horizontal([
        Constraint::Length(zones_width(area.width)),
        Constraint::Fill(1),
    ])
    .areas(body);
    let (zone_rows, zone_list) = zones::render(model, frame, left, theme);
    let mut drawn = Drawn {
        zone_rows,
        zone_list,
        zones_pane: to_area(left),
        ..Drawn::default()
    };

    // The per-hostname view takes the whole side: the detail is a zone-level one's.
    if let Some(open) = model.open.as_ref().filter(|o| o.hostnames.is_some()) {
        (drawn.cert_rows, drawn.hostname_lists) =
            hostnames::render(model, open, frame, right, theme);
        drawn.certs_pane = to_area(right);
        return overlays(model, drawn, frame, area, theme);
    }

    // The certificate list gets what it needs, or at least half; the detail the rest.
    let detail = detail::lines(model, right.width.saturating_sub(2), theme);
    let certs_height = certs::wanted_height(model, right.width, theme)
        .min(usize::from(right.height / 2))
        .max(MIN_CERTS_HEIGHT);
    let detail_height =
        (detail.len() + 2).min(usize::from(right.height).saturating_sub(certs_height));
    let detail_height = u16::try_from(detail_height).unwrap_or(u16::MAX);
    let [certs_area, detail_area] =
        Layout::vertical([Constraint::Fill(1), Constraint::Length(detail_height)]).areas(right);
    (drawn.cert_rows, drawn.cert_list) = certs::render(model, frame, certs_area, theme);
    (drawn.detail_rows, drawn.detail_hidden) =
        detail::render(model, detail, frame, detail_area, theme);
    drawn.certs_pane = to_area(certs_area);
    drawn.detail_pane = to_area(detail_area);
    overlays(model, drawn, frame, area, theme)
}

/// A screen rectangle as the model keeps it, for the mouse.
fn to_area(r: Rect) -> Area {
    Area {
        x: r.x,
        y: r.y,
        width: r.width,
        height: r.height,
    }
}

/// The rows of a list drawn in `rows`, the first of them showing item `first`.
fn list_area(rows: Rect, first: usize) -> ListArea {
    ListArea {
        rows: to_area(rows),
        first,
    }
}

/// The overlays, over whichever view: help, the delete dialog, the upload form.
fn overlays(model: &Model, mut drawn: Drawn, frame: &mut Frame, area: Rect, theme: Theme) -> Drawn {
    for overlay in &model.overlays {
        match overlay {
            Overlay::Help => {
                (drawn.help_rows, drawn.help_hidden) = help::render(model, frame, area, theme)
            }
            Overlay::ConfirmDelete(confirm) => {
                let keys = hints::for_mode(model, Mode::ConfirmDelete);
                confirm::render(confirm, &keys, frame, area, theme);
            }
            Overlay::Upload(form) => {
                let keys = hints::for_mode(model, Mode::Upload);
                upload::render(form, &keys, model.spinner, frame, area, theme);
            }
            Overlay::Associate(form) => {
                let keys = hints::for_mode(model, Mode::AssociateForm);
                associate::render(form, &keys, frame, area, theme);
            }
            Overlay::ConfirmHostname(confirm) => {
                let keys = hints::for_mode(model, Mode::ConfirmHostname);
                confirm::render_hostname(confirm, &keys, frame, area, theme);
            }
            Overlay::Rotate => {
                if let Some(pane) = &model.rotation {
                    let keys = hints::for_mode(model, model.mode());
                    rotate::render(pane, &keys, model.spinner, model.now, frame, area, theme);
                }
            }
        }
    }
    drawn
}

/// The zone picker takes about a quarter of the width: room for long zone names
/// without starving the certificate columns.
fn zones_width(cols: u16) -> u16 {
    (cols / 4).clamp(28, 44)
}

fn too_small(frame: &mut Frame, area: Rect, theme: Theme) {
    let notice = format!(
        "Terminal too small: {}x{}, need at least {MIN_WIDTH}x{MIN_HEIGHT}",
        area.width, area.height
    );
    let lines = fit::wrap(&[(&notice, theme.warn())], usize::from(area.width));
    let height = u16::try_from(lines.len())
        .unwrap_or(u16::MAX)
        .min(area.height);
    let [_, middle, _] = Layout::vertical([
        Constraint::Fill(1),
        Constraint::Length(height),
        Constraint::Fill(1),
    ])
    .areas(area);
    frame.render_widget(Paragraph::new(lines).centered(), middle);
}

/// One column of air at each edge of a full-width line.
fn inset(row: Rect) -> Rect {
    Rect {
        x: row.x.saturating_add(1).min(row.right()),
        width: row.width.saturating_sub(2),
        ..row
    }
}

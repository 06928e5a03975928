//! The mouse, where people expect it: a click focuses a pane and selects a row (a
//! click on the selected zone opens it), the wheel scrolls the list or the detail under
//! it. Each gesture does what the matching key does, through the same functions.

use crossterm::event::{MouseButton, MouseEvent, MouseEventKind};

use super::{Cmd, Model, dialogs, fleet, move_selection, open_selected};
use crate::app::keys::{Action, Mode};
use crate::app::model::Focus;

pub(super) fn on_mouse(model: &mut Model, event: MouseEvent, cmds: &mut Vec<Cmd>) {
    let wheel = match event.kind {
        MouseEventKind::ScrollDown => Some(Action::Down),
        MouseEventKind::ScrollUp => Some(Action::Up),
        _ => None,
    };
    let click = event.kind == MouseEventKind::Down(MouseButton::Left);
    let (column, row) = (event.column, event.row);
    match model.mode() {
        Mode::Help if wheel.is_some() => dialogs::on_help(model, wheel, cmds),
        Mode::Main => {
            let drawn = model.drawn;
            let pane = if drawn.zones_pane.contains(column, row) {
                Focus::Zones
            } else if drawn.certs_pane.contains(column, row) {
                Focus::Certs
            } else if drawn.detail_pane.contains(column, row) {
                Focus::Detail
            } else {
                return;
            };
            if let Some(action) = wheel {
                model.focus = pane;
                move_selection(model, action);
            } else if click {
                model.focus = pane;
                click_row(model, pane, column, row, cmds);
            }
        }
        Mode::Fleet => {
            if let Some(action) = wheel {
                fleet::on_key(model, action, cmds);
            } else if click && let Some(i) = model.drawn.fleet_list.index_at(column, row) {
                let selected = model.fleet.as_ref().map(|f| f.selected);
                if selected == Some(i) {
                    fleet::on_key(model, Action::Accept, cmds);
                } else {
                    fleet::select(model, i, cmds);
                }
            }
        }
        // A dialog or a form holds the keys: the mouse leaves it alone.
        _ => {}
    }
}

fn click_row(model: &mut Model, pane: Focus, column: u16, row: u16, cmds: &mut Vec<Cmd>) {
    let drawn = model.drawn;
    match pane {
        Focus::Zones => {
            if let Some(i) = drawn.zone_list.index_at(column, row) {
                if i == model.zones.selected {
                    open_selected(model, cmds);
                } else {
                    model.zones.selected = i;
                }
            }
        }
        Focus::Certs if model.open.as_ref().is_some_and(|o| o.hostnames.is_some()) => {
            let at = drawn
                .hostname_lists
                .iter()
                .find_map(|l| l.index_at(column, row));
            if let Some(i) = at
                && let Some(open) = model.open.as_mut()
            {
                open.hostname_selected = i;
            }
        }
        Focus::Certs => {
            if let Some(i) = drawn.cert_list.index_at(column, row)
                && let Some(open) = model.open.as_mut().filter(|o| o.hostnames.is_none())
                && i < open.rows().len()
                && i != open.selected
            {
                open.selected = i;
                open.detail_scroll = 0;
            }
        }
        Focus::Detail => {}
    }
}

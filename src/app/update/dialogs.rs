//! The overlays: help, the delete dialog and the upload form, and the text-field
//! editing the upload form shares with the zone filter.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use tui_input::{Input, InputRequest};

use super::{changes, moved, quit, short_id};
use crate::app::keys::Action;
use crate::app::model::*;
use crate::app::msg::Cmd;
use crate::survey::{Expiry, is_only_active};

pub(super) fn on_help(model: &mut Model, action: Option<Action>, cmds: &mut Vec<Cmd>) {
    match action {
        Some(Action::Cancel | Action::Help) => {
            model.overlays.pop();
        }
        Some(Action::Quit) => quit(model, cmds),
        Some(action) => {
            let positions = model.drawn.help_hidden + 1;
            let at = model.help_scroll.min(positions - 1);
            model.help_scroll = moved(action, at, positions, model.drawn.help_rows);
        }
        None => {}
    }
}

pub(super) fn ask_delete(model: &mut Model) {
    let Some(open) = &model.open else { return };
    let Some(row) = open.selected_row() else {
        return;
    };
    let Some(cert_id) = row.cert.id.clone() else {
        model.say(StatusMessage::Error(
            "this certificate has no id, so it cannot be deleted".into(),
        ));
        return;
    };
    let expires = match row.cert.expires_on.as_ref() {
        Some(t) => format!(
            "{} ({})",
            t.date(),
            Expiry::of(&row.cert, model.now).label()
        ),
        None => "unknown".to_owned(),
    };
    let confirm = DeleteConfirm {
        ticket: open.ticket(),
        zone_name: open.zone.name.clone(),
        only_active_while_enabled: open.enablement.server == Some(true)
            && is_only_active(open.rows().iter().map(|r| &r.cert), &cert_id),
        issuer: row.cert.issuer.clone().unwrap_or_else(|| "unknown".into()),
        expires,
        cert_id,
        hostname: false,
    };
    model.overlays.push(Overlay::ConfirmDelete(confirm));
}

pub(super) fn on_confirm(model: &mut Model, action: Option<Action>, cmds: &mut Vec<Cmd>) {
    match action {
        Some(Action::Yes) => {
            if let Some(Overlay::ConfirmDelete(confirm)) = model.overlays.pop() {
                changes::delete(model, confirm, cmds);
            }
        }
        Some(Action::No | Action::Cancel) => {
            model.overlays.pop();
            model.info("delete cancelled: nothing was sent");
        }
        _ => {}
    }
}

/// A delete dialog whose certificate a refresh no longer lists would only end in
/// "already gone": close it and say why.
pub(super) fn close_stale_delete(model: &mut Model) {
    let Some(open) = &model.open else { return };
    let gone = model.overlays.iter().position(|o| {
        matches!(o, Overlay::ConfirmDelete(c)
            if c.ticket == open.ticket()
                && !open.rows().iter().any(|r| r.cert.id.as_deref() == Some(&c.cert_id)))
    });
    if let Some(i) = gone
        && let Overlay::ConfirmDelete(c) = model.overlays.remove(i)
    {
        model.info(format!(
            "{} is no longer listed (deleted elsewhere?); nothing was sent",
            short_id(&c.cert_id)
        ));
    }
}

pub(super) fn open_upload_form(model: &mut Model) {
    if let Some(open) = &model.open {
        let mut form = UploadForm::new(open.ticket(), open.zone.name.clone());
        // From the per-hostname view, the upload is a hostname certificate.
        form.hostname = open.hostnames.is_some();
        model.overlays.push(Overlay::Upload(form));
    }
}

pub(super) fn on_upload(
    model: &mut Model,
    action: Option<Action>,
    key: KeyEvent,
    cmds: &mut Vec<Cmd>,
) {
    let Some(Overlay::Upload(form)) = model.overlays.last_mut() else {
        return;
    };
    if action == Some(Action::Cancel) {
        model.overlays.pop();
        return;
    }
    // While the upload is out the form only waits: its answer fills it in.
    if form.submitting.is_some() {
        return;
    }
    match action {
        Some(Action::FocusNext | Action::FocusPrev | Action::Up | Action::Down) => {
            form.field = match form.field {
                UploadField::Certificate => UploadField::Key,
                UploadField::Key => UploadField::Certificate,
            }
        }
        Some(Action::Accept) => changes::upload(model, cmds),
        other => edit(form.active_field(), other, key),
    }
}

/// A text field's keys: the editing actions, and any key that types a character.
pub(super) fn edit(input: &mut Input, action: Option<Action>, key: KeyEvent) {
    let request = match action {
        Some(Action::Left) => InputRequest::GoToPrevChar,
        Some(Action::Right) => InputRequest::GoToNextChar,
        Some(Action::Top) => InputRequest::GoToStart,
        Some(Action::Bottom) => InputRequest::GoToEnd,
        Some(Action::Backspace) => InputRequest::DeletePrevChar,
        Some(Action::Delete) => InputRequest::DeleteNextChar,
        Some(Action::DeleteWord) => InputRequest::DeletePrevWord,
        Some(Action::ClearLine) => InputRequest::DeleteLine,
        Some(_) => return,
        None => match key.code {
            KeyCode::Char(c)
                if !key
                    .modifiers
                    .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT) =>
            {
                InputRequest::InsertChar(c)
            }
            _ => return,
        },
    };
    input.handle(request);
}

/// A pasted path goes into the form's field, on one line.
pub(super) fn paste(model: &mut Model, text: &str) {
    if let Some(Overlay::Upload(form)) = model.overlays.last_mut()
        && form.submitting.is_none()
    {
        insert(form.active_field(), text.trim());
    }
}

/// Typed or pasted text, on one line: a path or a query has no line breaks.
pub(super) fn insert(input: &mut Input, text: &str) {
    for c in text.chars().filter(|c| !c.is_control()) {
        input.handle(InputRequest::InsertChar(c));
    }
}

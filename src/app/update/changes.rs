//! The changes a user makes to a zone: toggling enablement, uploading, deleting. A
//! change is never abandoned half sent: its answer lands on the zone it was for,
//! open or not, and the screen then shows what the server holds.

use std::path::PathBuf;

use super::open_zone::{load_certificates, refresh_summary, watch};
use super::{describe_error, short_id};
use crate::api::{ApiError, Certificate};
use crate::app::model::*;
use crate::app::msg::{Cmd, UploadError};

/// The open zone, if it is the one a change was sent for. A change's answer is
/// about the zone, not the reading of it that was on screen: it belongs to the pane
/// even if the zone was opened again meanwhile. Reads, by contrast, match their
/// ticket exactly.
fn changed_zone<'m>(model: &'m mut Model, ticket: &Ticket) -> Option<&'m mut OpenZone> {
    model.open.as_mut().filter(|o| o.zone.id == ticket.zone_id)
}

pub(super) fn toggle(model: &mut Model, cmds: &mut Vec<Cmd>) {
    let Some(open) = &mut model.open else { return };
    let Some(current) = open.enablement.shown() else {
        let why = if open.enablement.read_failed {
            "enablement could not be read, so there is nothing to toggle: press r to read it again"
        } else {
            "enablement is still loading; try again in a moment"
        };
        model.info(why);
        return;
    };
    let target = !current;
    open.enablement.wanted = Some(target);
    // One PUT at a time; when it answers, a differing last wish is sent then.
    if !open.enablement.in_flight {
        send_toggle(model, target, cmds);
    }
}

fn send_toggle(model: &mut Model, enabled: bool, cmds: &mut Vec<Cmd>) {
    let Some(open) = &mut model.open else { return };
    open.enablement.in_flight = true;
    // A read already out may answer after the change does, with the old state.
    open.enablement_call = None;
    let ticket = open.ticket();
    let label = format!(
        "{} {}",
        if enabled { "enabling" } else { "disabling" },
        open.zone.name
    );
    let call = model.start_call(label, None);
    cmds.push(Cmd::SetEnablement {
        call,
        ticket,
        enabled,
    });
}

/// What the status line says of a toggle that landed.
fn aop_changed(zone: &str, enabled: bool) -> String {
    let now = if enabled { "enabled" } else { "disabled" };
    format!("zone-level AOP {now} on {zone}")
}

pub(super) fn toggled(
    model: &mut Model,
    ticket: Ticket,
    result: Result<bool, ApiError>,
    cmds: &mut Vec<Cmd>,
) {
    let Some(open) = changed_zone(model, &ticket) else {
        // The user moved on while the change was out; it still gets its answer.
        let name = model.zone_name(&ticket.zone_id);
        let summary = model.summaries.entry(ticket.zone_id).or_default();
        match result {
            Ok(enabled) => {
                summary.enabled = Some(enabled);
                model.info(aop_changed(&name, enabled));
            }
            Err(e) => {
                // It may or may not have landed; the zone shows the truth when opened.
                summary.enabled = None;
                model.error(&format!("could not change enablement of {name}"), &e);
            }
        }
        return;
    };
    open.enablement.in_flight = false;
    // A read sent while the change was out (the zone opened again) may answer
    // later with the state from before it.
    open.enablement_call = None;
    match result {
        Ok(enabled) => {
            open.enablement.server = Some(enabled);
            match open.enablement.wanted {
                Some(wanted) if wanted != enabled => {
                    // Pressed again while the first change was out: send the last wish.
                    send_toggle(model, wanted, cmds);
                    return;
                }
                _ => open.enablement.wanted = None,
            }
            let name = open.zone.name.clone();
            refresh_summary(model);
            model.info(aop_changed(&name, enabled));
        }
        Err(e) => {
            open.enablement.wanted = None;
            let what = format!("could not change enablement of {}", open.zone.name);
            let ticket = open.ticket();
            model.error(&what, &e);
            // The change may or may not have landed: read the server's answer back.
            let call = model.start_call("reading enablement", Some(ticket.clone()));
            if let Some(open) = &mut model.open {
                open.enablement_call = Some(call);
            }
            cmds.push(Cmd::LoadEnablement { call, ticket });
        }
    }
}

/// Sends the top upload form's files; both paths must be filled in.
pub(super) fn upload(model: &mut Model, cmds: &mut Vec<Cmd>) {
    let Some(Overlay::Upload(form)) = model.overlays.last_mut() else {
        return;
    };
    let cert = form.cert_path.value().trim().to_owned();
    let key = form.key_path.value().trim().to_owned();
    if cert.is_empty() || key.is_empty() {
        form.error = Some("enter both paths: the certificate's and the private key's".into());
        form.field = if cert.is_empty() {
            UploadField::Certificate
        } else {
            UploadField::Key
        };
        return;
    }
    form.error = None;
    let ticket = form.ticket.clone();
    let label = format!("uploading to {}", form.zone_name);
    // A change is not tied to the open zone: switching zones must not abandon it.
    let call = model.start_call(label, None);
    if let Some(Overlay::Upload(form)) = model.overlays.last_mut() {
        form.submitting = Some(call);
    }
    cmds.push(Cmd::Upload {
        call,
        ticket,
        cert_path: PathBuf::from(cert),
        key_path: PathBuf::from(key),
    });
}

pub(super) fn uploaded(
    model: &mut Model,
    call: u64,
    ticket: Ticket,
    result: Result<Certificate, UploadError>,
    cmds: &mut Vec<Cmd>,
) {
    let form_index = model
        .overlays
        .iter()
        .rposition(|o| matches!(o, Overlay::Upload(f) if f.submitting == Some(call)));
    let cert = match result {
        Ok(cert) => cert,
        Err(e) => {
            let message = match &e {
                UploadError::Local(e) => e.to_string(),
                UploadError::Api(e) => describe_error("the upload failed", e),
            };
            // The form keeps its input so the user can fix one path and retry.
            match form_index.and_then(|i| model.overlays.get_mut(i)) {
                Some(Overlay::Upload(form)) => {
                    form.submitting = None;
                    form.error = Some(message);
                }
                _ => model.say(StatusMessage::Error(message)),
            }
            return;
        }
    };
    if let Some(i) = form_index {
        model.overlays.remove(i);
    }
    let id = cert.id.as_deref().map(short_id).unwrap_or_default();
    if changed_zone(model, &ticket).is_none() {
        let name = model.zone_name(&ticket.zone_id);
        model.info(format!("uploaded {id} to {name}"));
        model.summaries.remove(&ticket.zone_id);
        return;
    }
    model.info(format!(
        "uploaded {id}: {}; watching until it is active",
        cert.status.as_ref().map_or("sent", |s| s.as_str())
    ));
    if let Some(cert_id) = &cert.id {
        watch(model, &ticket.zone_id, cert_id);
    }
    if let Some(open) = &mut model.open {
        open.polls = 0;
    }
    load_certificates(model, None, cmds);
}

/// The delete dialog said yes.
pub(super) fn delete(model: &mut Model, confirm: DeleteConfirm, cmds: &mut Vec<Cmd>) {
    let call = model.start_call(format!("deleting {}", short_id(&confirm.cert_id)), None);
    cmds.push(Cmd::Delete {
        call,
        ticket: confirm.ticket,
        cert_id: confirm.cert_id,
    });
}

pub(super) fn deleted(
    model: &mut Model,
    ticket: Ticket,
    cert_id: &str,
    result: Result<Certificate, ApiError>,
    cmds: &mut Vec<Cmd>,
) {
    let id = short_id(cert_id);
    match result {
        Ok(_) => {
            model.info(format!("deleted {id}: Cloudflare is removing it"));
            watch(model, &ticket.zone_id, cert_id);
        }
        Err(e) if e.status() == Some(404) => {
            model.info(format!("{id} was already gone; the list is refreshed"))
        }
        Err(e) => model.error(&format!("could not delete {id}"), &e),
    }
    if changed_zone(model, &ticket).is_some() {
        // Whatever happened, show what the server now holds.
        load_certificates(model, None, cmds);
    } else {
        // Its counts are out of date until the zone is opened again.
        model.summaries.remove(&ticket.zone_id);
    }
}

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

/// The two switches of the open zone a key flips.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Switch {
    ZoneLevel,
    Global,
}

impl Switch {
    fn of(self, open: &mut OpenZone) -> &mut Toggle {
        match self {
            Self::ZoneLevel => &mut open.enablement,
            Self::Global => &mut open.global,
        }
    }

    /// The read that tells this switch's state: voided while a change is out.
    fn read_call(self, open: &mut OpenZone) -> &mut Option<u64> {
        match self {
            Self::ZoneLevel => &mut open.enablement_call,
            Self::Global => &mut open.settings_call,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Self::ZoneLevel => "zone-level AOP",
            Self::Global => "global AOP",
        }
    }

    fn change(self, call: u64, ticket: Ticket, on: bool) -> Cmd {
        match self {
            Self::ZoneLevel => Cmd::SetEnablement {
                call,
                ticket,
                enabled: on,
            },
            Self::Global => Cmd::SetGlobal { call, ticket, on },
        }
    }

    fn read(self, call: u64, ticket: Ticket) -> Cmd {
        match self {
            Self::ZoneLevel => Cmd::LoadEnablement { call, ticket },
            Self::Global => Cmd::LoadSettings { call, ticket },
        }
    }
}

pub(super) fn toggle(model: &mut Model, switch: Switch, cmds: &mut Vec<Cmd>) {
    let Some(open) = &mut model.open else { return };
    let toggle = switch.of(open);
    if toggle.locked {
        model.info(format!(
            "{} cannot be changed on this zone (Cloudflare says it is not editable: the plan,              or a lock on the account)",
            switch.name()
        ));
        return;
    }
    let Some(current) = toggle.shown() else {
        let why = if toggle.read_failed {
            format!(
                "{} could not be read, so there is nothing to toggle: press r to read it again",
                switch.name()
            )
        } else {
            format!("{} is still loading; try again in a moment", switch.name())
        };
        model.info(why);
        return;
    };
    let target = !current;
    toggle.wanted = Some(target);
    // One change at a time; when it answers, a differing last wish is sent then.
    if !toggle.in_flight {
        send_toggle(model, switch, target, cmds);
    }
}

fn send_toggle(model: &mut Model, switch: Switch, on: bool, cmds: &mut Vec<Cmd>) {
    let Some(open) = &mut model.open else { return };
    switch.of(open).in_flight = true;
    // A read already out may answer after the change does, with the old state.
    *switch.read_call(open) = None;
    let ticket = open.ticket();
    let zone = &open.zone.name;
    let label = match (switch, on) {
        (Switch::ZoneLevel, true) => format!("enabling {zone}"),
        (Switch::ZoneLevel, false) => format!("disabling {zone}"),
        (Switch::Global, on) => {
            format!(
                "turning global AOP {} for {zone}",
                if on { "on" } else { "off" }
            )
        }
    };
    let call = model.start_call(label, None);
    cmds.push(switch.change(call, ticket, on));
}

/// What the status line says of a toggle that landed.
fn switched(switch: Switch, zone: &str, on: bool) -> String {
    let now = match (switch, on) {
        (Switch::ZoneLevel, true) => "enabled",
        (Switch::ZoneLevel, false) => "disabled",
        (Switch::Global, true) => "on",
        (Switch::Global, false) => "off",
    };
    format!("{} {now} on {zone}", switch.name())
}

pub(super) fn toggled(
    model: &mut Model,
    switch: Switch,
    ticket: Ticket,
    result: Result<bool, ApiError>,
    cmds: &mut Vec<Cmd>,
) {
    let Some(open) = changed_zone(model, &ticket) else {
        // The user moved on while the change was out; it still gets its answer.
        let name = model.zone_name(&ticket.zone_id);
        match result {
            Ok(on) => {
                if switch == Switch::ZoneLevel {
                    model.summaries.entry(ticket.zone_id).or_default().enabled = Some(on);
                }
                model.info(switched(switch, &name, on));
            }
            Err(e) => {
                // It may or may not have landed; the zone shows the truth when opened.
                model.summaries.remove(&ticket.zone_id);
                let what = format!("could not change {} of {name}", switch.name());
                model.error(&what, &e);
            }
        }
        return;
    };
    let toggle = switch.of(open);
    toggle.in_flight = false;
    // A read sent while the change was out (the zone opened again) may answer
    // later with the state from before it.
    *switch.read_call(open) = None;
    let toggle = switch.of(open);
    match result {
        Ok(on) => {
            toggle.server = Some(on);
            match toggle.wanted {
                Some(wanted) if wanted != on => {
                    // Pressed again while the first change was out: send the last wish.
                    send_toggle(model, switch, wanted, cmds);
                    return;
                }
                _ => toggle.wanted = None,
            }
            let name = open.zone.name.clone();
            refresh_summary(model);
            model.info(switched(switch, &name, on));
        }
        Err(e) => {
            toggle.wanted = None;
            let what = format!("could not change {} of {}", switch.name(), open.zone.name);
            let ticket = open.ticket();
            model.error(&what, &e);
            // The change may or may not have landed: read the server's answer back.
            let call = model.start_call(format!("reading {}", switch.name()), Some(ticket.clone()));
            if let Some(open) = &mut model.open {
                *switch.read_call(open) = Some(call);
            }
            cmds.push(switch.read(call, ticket));
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
    let hostname = form.hostname;
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
        hostname,
    });
}

pub(super) fn uploaded(
    model: &mut Model,
    call: u64,
    ticket: Ticket,
    result: Result<Certificate, UploadError>,
    hostname: bool,
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
    if hostname {
        model.info(format!(
            "uploaded hostname certificate {id} to {} ({}); associate hostnames with \
             `originpull hostnames set`",
            model.zone_name(&ticket.zone_id),
            cert.status.as_ref().map_or("sent", |s| s.as_str())
        ));
        if changed_zone(model, &ticket).is_some() {
            super::open_zone::load_hostname_certificates(model, cmds);
        }
        return;
    }
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
        hostname: confirm.hostname,
    });
}

pub(super) fn deleted(
    model: &mut Model,
    ticket: Ticket,
    cert_id: &str,
    result: Result<Certificate, ApiError>,
    hostname: bool,
    cmds: &mut Vec<Cmd>,
) {
    let id = short_id(cert_id);
    if hostname {
        match result {
            Ok(_) => model.info(format!("deleted hostname certificate {id}")),
            Err(e) if e.status() == Some(404) => {
                model.info(format!("{id} was already gone; the list is refreshed"));
            }
            Err(e) => model.error(&format!("could not delete {id}"), &e),
        }
        if changed_zone(model, &ticket).is_some() {
            super::open_zone::load_hostname_certificates(model, cmds);
        }
        return;
    }
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

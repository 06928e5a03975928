//! `R`: the rotation form, its plan and its progress. The engine (`crate::rotate`)
//! decides every step; this file hands its calls to the executor and its answers
//! back, so the screen keeps answering keys while zones wait to turn active.

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::Instant;

use crossterm::event::KeyEvent;

use super::dialogs::{edit, insert};
use super::open_zone;
use crate::app::keys::Action;
use crate::app::model::*;
use crate::app::msg::Cmd;
use crate::certinfo::{CertDetails, CertError};
use crate::rotate::{self, NewCert, Options, Rotation};

/// `R`: shows a rotation that is running or done, or opens the form for the marked
/// zones, else the zone the fleet view selects, else the open zone.
pub(super) fn open(model: &mut Model) {
    if model
        .rotation
        .as_ref()
        .is_some_and(|r| matches!(r.stage, Stage::Running | Stage::Finished))
    {
        show(model);
        return;
    }
    // From the per-hostname view, with nothing marked: the open zone's hostname
    // certificate, its known hostnames moving along.
    if model.marked.is_empty()
        && let Some(open) = model.open.as_ref().filter(|o| o.hostnames.is_some())
    {
        let Some(Loadable::Loaded(states)) = &open.hostnames else {
            model.info("the hostnames are still being read: R once they show");
            return;
        };
        let associated: Vec<_> = states
            .iter()
            .filter_map(|s| Some((s.hostname.clone(), s.association.clone()?)))
            .collect();
        let current = open
            .hostname_certs
            .loaded()
            .map(|certs| (open.zone.name.clone(), certs.clone()));
        let zones = vec![(open.zone.id.clone(), open.zone.name.clone())];
        let id = model.new_call_id();
        let mut pane = RotationPane::new(id, zones, current);
        pane.hostnames = Some(associated);
        model.rotation = Some(pane);
        show(model);
        return;
    }
    let zones = targets(model);
    if zones.is_empty() {
        model.info(
            "R rotates the open zone, or the zones marked with Space: open or mark one first",
        );
        return;
    }
    let current = model.open.as_ref().and_then(|open| {
        let certs = open.certs.loaded()?;
        (zones.len() == 1 && zones[0].0 == open.zone.id).then(|| {
            (
                open.zone.name.clone(),
                certs.iter().map(|r| r.cert.clone()).collect(),
            )
        })
    });
    let id = model.new_call_id();
    model.rotation = Some(RotationPane::new(id, zones, current));
    show(model);
}

fn show(model: &mut Model) {
    if !matches!(model.top_overlay(), Some(Overlay::Rotate)) {
        model.overlays.push(Overlay::Rotate);
    }
}

fn targets(model: &Model) -> Vec<(String, String)> {
    let name_of = |id: &str| {
        model
            .zones
            .list
            .find(id)
            .map(|z| z.name.clone())
            .or_else(|| {
                let fleet = model.fleet.as_ref()?;
                let row = fleet.rows.iter().find(|r| r.state.zone_id == id)?;
                Some(row.state.zone_name.clone())
            })
    };
    if !model.marked.is_empty() {
        return model
            .marked
            .iter()
            .filter_map(|id| Some((id.clone(), name_of(id)?)))
            .collect();
    }
    if model.view == View::Fleet {
        let selected = model.fleet.as_ref().and_then(|f| {
            let (_, row) = f.selected_row()?;
            Some((row.state.zone_id.clone(), row.state.zone_name.clone()))
        });
        return selected.into_iter().collect();
    }
    model
        .open
        .as_ref()
        .map(|o| (o.zone.id.clone(), o.zone.name.clone()))
        .into_iter()
        .collect()
}

/// Keys in the form.
pub(super) fn on_form(
    model: &mut Model,
    action: Option<Action>,
    key: KeyEvent,
    cmds: &mut Vec<Cmd>,
) {
    let Some(pane) = model.rotation.as_mut() else {
        return;
    };
    match action {
        Some(Action::Cancel) => {
            model.overlays.pop();
            model.rotation = None;
            model.info("rotation cancelled: nothing was sent");
        }
        Some(Action::Up | Action::Down | Action::FocusPrev) => {
            pane.field = match pane.field {
                RotateField::Certificate => RotateField::Key,
                RotateField::Key => RotateField::Certificate,
            };
            pane.completions.clear();
            read_new_cert(model, cmds);
        }
        Some(Action::FocusNext) => {
            let typed = pane.active_field().value().to_owned();
            let (id, field) = (pane.id, pane.field);
            let call = model.new_call_id();
            cmds.push(Cmd::CompletePath {
                call,
                pane: id,
                field,
                typed,
            });
        }
        Some(Action::Accept) => start(model, cmds),
        other => {
            edit(pane.active_field(), other, key);
            pane.completions.clear();
            pane.error = None;
        }
    }
}

/// A pasted path goes into the form's field.
pub(super) fn paste(model: &mut Model, text: &str) {
    if let Some(pane) = model.rotation.as_mut() {
        insert(pane.active_field(), text.trim());
        pane.completions.clear();
    }
}

/// The form's certificate is read as soon as its field is left, so its subject,
/// issuer and expiry show beside the zone's current certificate.
fn read_new_cert(model: &mut Model, cmds: &mut Vec<Cmd>) {
    let Some(pane) = model.rotation.as_ref() else {
        return;
    };
    let path = pane.cert_path.value().trim().to_owned();
    let known = pane.new_cert.as_ref().is_some_and(|(p, _)| *p == path);
    if path.is_empty() || known {
        return;
    }
    let id = pane.id;
    let call = model.new_call_id();
    cmds.push(Cmd::ReadNewCert {
        call,
        pane: id,
        path,
    });
}

pub(super) fn completed(
    model: &mut Model,
    id: u64,
    field: RotateField,
    typed: &str,
    mut candidates: Vec<String>,
    cmds: &mut Vec<Cmd>,
) {
    let Some(pane) = model.rotation.as_mut().filter(|p| p.id == id) else {
        return;
    };
    if pane.field != field || pane.active_field().value() != typed {
        return;
    }
    candidates.sort();
    let single = candidates.len() == 1;
    let common = common_prefix(&candidates);
    if common.len() > typed.len() {
        let input = pane.active_field();
        *input = tui_input::Input::new(common.clone());
    }
    pane.completions = if candidates.len() > 1 {
        candidates
    } else {
        Vec::new()
    };
    if field == RotateField::Certificate && single && !common.ends_with('/') {
        read_new_cert(model, cmds);
    }
}

fn common_prefix(names: &[String]) -> String {
    let Some(first) = names.first() else {
        return String::new();
    };
    let mut end = first.len();
    for name in &names[1..] {
        end = first
            .char_indices()
            .zip(name.chars())
            .take_while(|((_, a), b)| a == b)
            .last()
            .map_or(0, |((i, a), _)| i + a.len_utf8())
            .min(end);
    }
    first[..end].to_owned()
}

pub(super) fn new_cert_read(
    model: &mut Model,
    id: u64,
    path: String,
    result: Result<CertDetails, CertError>,
) {
    let Some(pane) = model.rotation.as_mut().filter(|p| p.id == id) else {
        return;
    };
    let view = match result {
        Ok(details) => NewCertView::Read(details),
        Err(e) => NewCertView::Unreadable(e.to_string()),
    };
    pane.new_cert = Some((path, view));
}

/// `Enter` in the form: the files are checked by the executor, which keeps the key.
fn start(model: &mut Model, cmds: &mut Vec<Cmd>) {
    let Some(pane) = model.rotation.as_mut() else {
        return;
    };
    let cert = pane.cert_path.value().trim().to_owned();
    let key = pane.key_path.value().trim().to_owned();
    if cert.is_empty() || key.is_empty() {
        pane.error = Some("give the new certificate's file and its key's file".into());
        return;
    }
    pane.error = None;
    pane.stage = Stage::Checking;
    pane.completions.clear();
    let id = pane.id;
    let hostnames = pane.hostnames.is_some();
    let call = model.start_call("checking the new certificate", None);
    cmds.push(Cmd::StartRotation {
        call,
        pane: id,
        cert_path: PathBuf::from(cert),
        key_path: PathBuf::from(key),
        hostnames,
    });
}

pub(super) fn ready(
    model: &mut Model,
    id: u64,
    result: Result<(CertDetails, HashMap<String, rotate::Memory>), CertError>,
    cmds: &mut Vec<Cmd>,
) {
    let Some(pane) = model.rotation.as_mut().filter(|p| p.id == id) else {
        return;
    };
    match result {
        Ok((details, memory)) => {
            let path = pane.cert_path.value().trim().to_owned();
            pane.new_cert = Some((path, NewCertView::Read(details.clone())));
            let options = Options {
                hostnames: pane.hostnames.is_some(),
                ..Options::default()
            };
            let known: HashMap<_, _> = pane
                .zones
                .iter()
                .map(|(id, _)| (id.clone(), pane.hostnames.clone().unwrap_or_default()))
                .collect();
            pane.rotation = Some(
                Rotation::new(NewCert::of(&details), options, pane.zones.clone(), memory)
                    .with_hostnames(known),
            );
            pump(model, cmds);
        }
        Err(e) => {
            pane.stage = Stage::Form;
            pane.error = Some(e.to_string());
        }
    }
}

/// Keys over the plan and the progress table.
pub(super) fn on_rotation(model: &mut Model, action: Option<Action>, cmds: &mut Vec<Cmd>) {
    let Some(pane) = model.rotation.as_mut() else {
        return;
    };
    match (pane.stage, action) {
        (Stage::Plan, Some(Action::Yes)) => {
            if let Some(rotation) = pane.rotation.as_mut() {
                rotation.approve(Instant::now());
            }
            pane.stage = Stage::Running;
            pane.scroll = 0;
            pump(model, cmds);
        }
        (Stage::Plan | Stage::Checking, Some(Action::No | Action::Cancel)) => {
            model.overlays.pop();
            model.rotation = None;
            cmds.push(Cmd::EndRotation);
            model.info("rotation cancelled: nothing was uploaded or deleted");
        }
        (Stage::Running, Some(Action::Cancel)) => {
            model.overlays.pop();
            model.info("the rotation goes on; R shows it again");
        }
        (Stage::Finished, Some(Action::Cancel | Action::Accept)) => {
            model.overlays.pop();
            model.rotation = None;
        }
        (_, Some(Action::Down)) => pane.scroll += 1,
        (_, Some(Action::Up)) => pane.scroll = pane.scroll.saturating_sub(1),
        _ => {}
    }
}

pub(super) fn rotated(
    model: &mut Model,
    id: u64,
    step: rotate::Call,
    answer: rotate::Answer,
    cmds: &mut Vec<Cmd>,
) {
    let Some(pane) = model.rotation.as_mut().filter(|p| p.id == id) else {
        return;
    };
    pane.in_flight = pane.in_flight.saturating_sub(1);
    let Some(rotation) = pane.rotation.as_mut() else {
        return;
    };
    let finished_zone = rotation
        .answer(&step, answer, Instant::now())
        .filter(|z| z.step.is_final())
        .map(|z| z.zone_id.clone());
    pump(model, cmds);
    // The open zone shows the server's state once its rotation ends.
    if let Some(zone_id) = finished_zone
        && let Some(open) = model.open.as_ref().filter(|o| o.zone.id == zone_id)
    {
        if open.hostnames.is_some() {
            let ticket = open.ticket();
            open_zone::load_hostname_certificates(model, cmds);
            let call = model.new_call_id();
            if let Some(open) = &mut model.open {
                open.known_call = Some(call);
            }
            cmds.push(Cmd::LoadHostnames { call, ticket });
        } else {
            open_zone::load_certificates(model, None, cmds);
        }
    }
}

/// Sends what the engine wants sent (its journal first), and moves the pane on when
/// the plan is ready or the rotation is over.
fn pump(model: &mut Model, cmds: &mut Vec<Cmd>) {
    let Some(pane) = model.rotation.as_mut() else {
        return;
    };
    let Some(rotation) = pane.rotation.as_mut() else {
        return;
    };
    let calls = rotation.next_calls(Instant::now());
    let entries = rotation.take_journal();
    if !entries.is_empty() {
        cmds.push(Cmd::Journal(entries));
    }
    let id = pane.id;
    pane.in_flight += calls.len();
    let planned = rotation.is_planned() && pane.in_flight == 0;
    let done = rotation.is_approved() && rotation.is_done() && pane.in_flight == 0;
    let has_work = rotation.has_work();
    let progress = rotation.progress();
    for step in calls {
        let call = model.new_call_id();
        cmds.push(Cmd::Rotate {
            call,
            pane: id,
            step,
        });
    }
    let Some(pane) = model.rotation.as_mut() else {
        return;
    };
    match pane.stage {
        Stage::Checking if planned => {
            pane.stage = if has_work {
                Stage::Plan
            } else {
                // Nothing to upload or delete anywhere: no question to ask.
                Stage::Finished
            };
            if !has_work {
                cmds.push(Cmd::EndRotation);
            }
        }
        Stage::Running if done => {
            pane.stage = Stage::Finished;
            cmds.push(Cmd::EndRotation);
            let mut summary = format!("rotation: {}", rotate::describe::summary(&progress));
            if progress.failed > 0 {
                summary.push_str(" (R shows why)");
            }
            if progress.failed > 0 {
                model.say(StatusMessage::Error(summary));
            } else {
                model.info(summary);
            }
        }
        _ => {}
    }
}

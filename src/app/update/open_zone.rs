//! The open zone: opening it, loading its certificates and enablement together,
//! polling while a certificate is pending, and saying how a watched change ended.

use std::time::Duration;

use super::{describe_error, short_id, zones};
use crate::api::{ApiError, Certificate, Zone, ZoneSettings};
use crate::app::model::*;
use crate::app::msg::Cmd;
use crate::certinfo;
use crate::hostnames::HostnameState;

/// Polling a pending certificate starts quick (a simulator or a fast deploy is done
/// in seconds) and backs off, so a slow deploy costs few calls against the rate limit.
pub fn poll_delay(polls: u32) -> Duration {
    Duration::from_secs(POLL_STEPS[(polls as usize).min(POLL_STEPS.len() - 1)])
}

const POLL_STEPS: [u64; 6] = [2, 3, 5, 8, 15, 30];

/// The most looks at a pending certificate before the app stops looking (about 18
/// minutes, four times what a slow deployment takes): Cloudflare ends a deployment
/// that runs longer as `deployment_timed_out`, so more looks would only spend the
/// account's rate limit. `r` looks again.
pub const MAX_POLLS: u32 = 40;

pub(super) fn open(model: &mut Model, zone: Zone, cmds: &mut Vec<Cmd>) {
    let generation = model.next_generation;
    model.next_generation += 1;
    let mut open = OpenZone::new(zone, generation);
    let ticket = open.ticket();
    // Whatever was loading for another zone is abandoned: its replies would be dropped.
    model
        .in_flight
        .retain(|f| f.ticket.as_ref().is_none_or(|t| *t == ticket));
    cmds.push(Cmd::AbortStale { keep: Some(ticket) });
    // Opened again: a toggle still out, and a change being watched, carry over, so
    // `e` does not send a second PUT beside the first and the answers land here.
    if let Some(before) = model.open.take().filter(|b| b.zone.id == open.zone.id) {
        if before.enablement.in_flight {
            open.enablement = before.enablement;
        }
        if before.global.in_flight {
            open.global = before.global;
        }
        open.watch = before.watch;
    }
    model.open = Some(open);
    model.focus = Focus::Certs;
    load(model, cmds);
}

/// Loads the open zone's certificates, enablement, settings (the global switch and
/// the SSL mode) and hostname certificates, concurrently: the three levels at once.
fn load(model: &mut Model, cmds: &mut Vec<Cmd>) {
    let Some(open) = &model.open else { return };
    let ticket = open.ticket();
    let label = format!("loading {}", open.zone.name);
    let mut call = || model.start_call(label.clone(), Some(ticket.clone()));
    let calls = [call(), call(), call(), call()];
    if let Some(open) = &mut model.open {
        open.certs_call = Some(calls[0]);
        open.enablement_call = Some(calls[1]);
        open.settings_call = Some(calls[2]);
        open.hostnames_call = Some(calls[3]);
    }
    cmds.extend([
        Cmd::LoadCertificates {
            call: calls[0],
            ticket: ticket.clone(),
            after: None,
        },
        Cmd::LoadEnablement {
            call: calls[1],
            ticket: ticket.clone(),
        },
        Cmd::LoadSettings {
            call: calls[2],
            ticket: ticket.clone(),
        },
        Cmd::LoadHostnameCertificates {
            call: calls[3],
            ticket,
        },
    ]);
}

pub(super) fn refresh(model: &mut Model, cmds: &mut Vec<Cmd>) {
    // A listing still loading is as fresh as a new one would be; starting another
    // would send every page twice.
    if !model.zones.loading {
        zones::load(model, cmds);
    }
    load(model, cmds);
}

/// Lists the open zone's certificates again, after `after` when polling.
pub(super) fn load_certificates(model: &mut Model, after: Option<Duration>, cmds: &mut Vec<Cmd>) {
    let Some(open) = &model.open else { return };
    let ticket = open.ticket();
    let label = format!("loading {}", open.zone.name);
    // A poll waits quietly; only a load the user is waiting for shows in the status line.
    let call = if after.is_some() {
        model.new_call_id()
    } else {
        model.start_call(label, Some(ticket.clone()))
    };
    if let Some(open) = &mut model.open {
        open.certs_call = Some(call);
    }
    cmds.push(Cmd::LoadCertificates {
        call,
        ticket,
        after,
    });
}

pub(super) fn certificates(
    model: &mut Model,
    call: u64,
    ticket: Ticket,
    result: Result<Vec<Certificate>, ApiError>,
    cmds: &mut Vec<Cmd>,
) {
    let Some(open) = model.open.as_mut().filter(|o| o.ticket() == ticket) else {
        return;
    };
    if open.certs_call != Some(call) {
        return;
    }
    let certs = match result {
        Ok(certs) => certs,
        Err(e) => {
            let what = format!("could not load certificates of {}", open.zone.name);
            // A failed refresh keeps the last list on screen, marked by the error.
            if !matches!(open.certs, Loadable::Loaded(_)) {
                open.certs = Loadable::Failed(describe_error(&what, &e));
            }
            model.error(&what, &e);
            return;
        }
    };
    let keep = open.selected_row().and_then(|r| r.cert.id.clone());
    let rows: Vec<CertRow> = certs
        .into_iter()
        .map(|cert| CertRow {
            details: cert
                .certificate
                .as_deref()
                .and_then(|pem| certinfo::parse_certificate(pem).ok()),
            cert,
        })
        .collect();
    let kept_at = keep.and_then(|id| rows.iter().position(|r| r.cert.id.as_deref() == Some(&id)));
    if kept_at.is_none() {
        // Another certificate is selected now: its detail starts at the top.
        open.detail_scroll = 0;
    }
    open.selected = kept_at
        .unwrap_or(open.selected)
        .min(rows.len().saturating_sub(1));
    let pending = rows
        .iter()
        .any(|r| r.cert.status.as_ref().is_some_and(|s| s.is_transient()));
    open.certs = Loadable::Loaded(rows);
    let polls = open.polls;
    let gave_up = pending && polls + 1 >= MAX_POLLS;
    open.polls = if pending && !gave_up { polls + 1 } else { 0 };
    super::dialogs::close_stale_delete(model);
    refresh_summary(model);
    if gave_up {
        let minutes = (0..MAX_POLLS).map(|p| poll_delay(p).as_secs()).sum::<u64>() / 60;
        model.say(StatusMessage::Error(format!(
            "a certificate is still pending after {MAX_POLLS} looks (about {minutes} minutes): \
             stopped looking, so the account's rate limit is not spent on it; r looks again"
        )));
    } else if pending {
        load_certificates(model, Some(poll_delay(polls)), cmds);
    } else {
        say_how_it_ended(model);
    }
}

pub(super) fn enablement(
    model: &mut Model,
    call: u64,
    ticket: Ticket,
    result: Result<bool, ApiError>,
) {
    let Some(open) = model.open.as_mut().filter(|o| o.ticket() == ticket) else {
        return;
    };
    // A read that raced a change in flight says nothing reliable.
    if open.enablement_call != Some(call) || open.enablement.in_flight {
        return;
    }
    open.enablement.read_failed = result.is_err();
    match result {
        Ok(enabled) => {
            open.enablement.server = Some(enabled);
            open.enablement.wanted = None;
            refresh_summary(model);
        }
        Err(e) => model.error("could not read enablement", &e),
    }
}

/// The global switch and the SSL mode arrived.
pub(super) fn settings(
    model: &mut Model,
    call: u64,
    ticket: Ticket,
    result: Result<ZoneSettings, ApiError>,
) {
    let Some(open) = model.open.as_mut().filter(|o| o.ticket() == ticket) else {
        return;
    };
    if open.settings_call != Some(call) || open.global.in_flight {
        return;
    }
    open.global.read_failed = result.is_err();
    match result {
        Ok(settings) => {
            open.ssl = settings.ssl;
            if let Some(global) = settings.global {
                open.global.server = Some(global.on);
                open.global.wanted = None;
                open.global.locked = global.editable == Some(false);
            }
            refresh_summary(model);
        }
        Err(e) => model.error("could not read the global switch and the SSL mode", &e),
    }
}

pub(super) fn hostname_certificates(
    model: &mut Model,
    call: u64,
    ticket: Ticket,
    result: Result<Vec<Certificate>, ApiError>,
) {
    let Some(open) = model.open.as_mut().filter(|o| o.ticket() == ticket) else {
        return;
    };
    if open.hostnames_call != Some(call) {
        return;
    }
    match result {
        Ok(certs) => {
            open.hostname_certs = Loadable::Loaded(certs);
            refresh_summary(model);
        }
        Err(e) => {
            let what = "could not list the hostname certificates";
            if !matches!(open.hostname_certs, Loadable::Loaded(_)) {
                open.hostname_certs = Loadable::Failed(describe_error(what, &e));
            }
            model.error(what, &e);
        }
    }
}

/// Remembers that the open zone's list is polled for `cert_id`, and that the status
/// line's message now says so.
pub(super) fn watch(model: &mut Model, zone_id: &str, cert_id: &str) {
    if !matches!(model.status, Some(StatusMessage::Info(_))) {
        return;
    }
    let said = model.messages;
    if let Some(open) = model.open.as_mut().filter(|o| o.zone.id == zone_id) {
        open.watch = Some(Watch {
            cert_id: cert_id.to_owned(),
            said,
        });
    }
}

/// The list has settled: the certificate a watch was for is active (or whatever the
/// server says now) or gone. Said only while the status line still shows the
/// watch's own message.
fn say_how_it_ended(model: &mut Model) {
    let Some(open) = &mut model.open else { return };
    let Some(watch) = open.watch.take() else {
        return;
    };
    if model.messages != watch.said {
        return;
    }
    let id = short_id(&watch.cert_id);
    let outcome = match open
        .rows()
        .iter()
        .find(|r| r.cert.id.as_deref() == Some(&watch.cert_id))
    {
        Some(row) => format!(
            "{id} is {} on {}",
            row.cert.status.as_ref().map_or("listed", |s| s.as_str()),
            open.zone.name
        ),
        None => format!("{id} is gone from {}", open.zone.name),
    };
    model.info(outcome);
}

/// Works out the open zone's findings again, and keeps the zone list's markers in
/// step with what loaded.
pub(super) fn refresh_summary(model: &mut Model) {
    let now = model.now;
    let Some(open) = &mut model.open else { return };
    open.assess(now);
    let summary = ZoneSummary {
        enabled: open.enablement.server,
        certificates: open.certs.loaded().map(Vec::len),
        warning: open.certs.loaded().is_some() && !open.findings.is_empty(),
    };
    model.summaries.insert(open.zone.id.clone(), summary);
}

/// `H`: the open zone's per-hostname view, reading its known hostnames'
/// associations (one call each); `H` again goes back to the certificate list.
pub(super) fn toggle_hostnames(model: &mut Model, cmds: &mut Vec<Cmd>) {
    let Some(open) = &model.open else { return };
    if open.hostnames.is_some() {
        if let Some(open) = &mut model.open {
            open.hostnames = None;
            open.known_call = None;
        }
        return;
    }
    let ticket = open.ticket();
    let label = format!("reading the hostnames of {}", open.zone.name);
    let call = model.start_call(label, Some(ticket.clone()));
    if let Some(open) = &mut model.open {
        open.hostnames = Some(Loadable::Loading);
        open.known_call = Some(call);
    }
    cmds.push(Cmd::LoadHostnames { call, ticket });
}

pub(super) fn hostnames(model: &mut Model, call: u64, ticket: Ticket, states: Vec<HostnameState>) {
    let Some(open) = model.open.as_mut().filter(|o| o.ticket() == ticket) else {
        return;
    };
    if open.known_call != Some(call) || open.hostnames.is_none() {
        return;
    }
    let unread = states.iter().filter(|s| s.error.is_some()).count();
    open.hostnames = Some(Loadable::Loaded(states));
    if unread > 0 {
        model.say(StatusMessage::Error(format!(
            "the association of {unread} hostname(s) could not be read: the view says why"
        )));
    }
}

/// `x` / `X` in the hostnames view: the dialog naming the hostname and what the
/// origin will see once it is disabled or cleared.
pub(super) fn ask_hostname(model: &mut Model, change: HostnameChange) {
    let Some(open) = &model.open else { return };
    let Some(HostnameRow::Host(state)) = open.selected_hostname_row() else {
        model.info("x and X act on a hostname: select one among the known hostnames");
        return;
    };
    let Some(association) = state.association.as_ref() else {
        model.info(format!(
            "{} has no association: nothing to disable or clear",
            state.hostname
        ));
        return;
    };
    if change == HostnameChange::Disable && association.enabled == Some(false) {
        model.info(format!("{} is disabled already", state.hostname));
        return;
    }
    let zone_level = open.presented.to_string();
    let consequence = match change {
        HostnameChange::Disable => format!(
            "Cloudflare will send no client certificate to the origin for {}, even with \
             zone-level AOP on: an origin that requires one will refuse it.",
            state.hostname
        ),
        HostnameChange::Clear => format!(
            "The association goes; the zone level applies to {} again: {zone_level}.",
            state.hostname
        ),
    };
    let confirm = HostnameConfirm {
        ticket: open.ticket(),
        zone_name: open.zone.name.clone(),
        hostname: state.hostname.clone(),
        cert_id: association.cert_id.clone(),
        change,
        consequence,
    };
    model.overlays.push(Overlay::ConfirmHostname(confirm));
}

pub(super) fn on_confirm_hostname(
    model: &mut Model,
    action: Option<crate::app::keys::Action>,
    cmds: &mut Vec<Cmd>,
) {
    use crate::app::keys::Action;
    match action {
        Some(Action::Yes) => {
            let Some(Overlay::ConfirmHostname(confirm)) = model.overlays.pop() else {
                return;
            };
            let setting = crate::api::HostnameSetting {
                hostname: confirm.hostname.clone(),
                cert_id: confirm.cert_id.clone(),
                enabled: match confirm.change {
                    HostnameChange::Disable => Some(false),
                    HostnameChange::Clear => None,
                },
            };
            let verb = match confirm.change {
                HostnameChange::Disable => "disabling",
                HostnameChange::Clear => "clearing",
            };
            let call = model.start_call(
                format!("{verb} {}", confirm.hostname),
                Some(confirm.ticket.clone()),
            );
            cmds.push(Cmd::SetHostnames {
                call,
                ticket: confirm.ticket,
                settings: vec![setting],
            });
        }
        Some(Action::No | Action::Cancel) => {
            model.overlays.pop();
            model.info("cancelled: nothing was sent");
        }
        _ => {}
    }
}

pub(super) fn hostnames_set(
    model: &mut Model,
    ticket: Ticket,
    result: Result<Vec<crate::api::Association>, ApiError>,
    cmds: &mut Vec<Cmd>,
) {
    match result {
        Ok(associations) => {
            let names: Vec<String> = associations
                .iter()
                .filter_map(|a| a.hostname.clone())
                .collect();
            model.info(format!("{}: changed", names.join(", ")));
        }
        Err(e) => model.error("the hostname was not changed", &e),
    }
    // Either way the view shows the server's state again.
    if let Some(open) = model.open.as_ref().filter(|o| o.ticket() == ticket)
        && open.hostnames.is_some()
    {
        let call = model.new_call_id();
        if let Some(open) = &mut model.open {
            open.known_call = Some(call);
        }
        cmds.push(Cmd::LoadHostnames { call, ticket });
    }
}

/// Lists the open zone's hostname certificates again (after an upload from the
/// per-hostname view).
pub(super) fn load_hostname_certificates(model: &mut Model, cmds: &mut Vec<Cmd>) {
    let Some(open) = &model.open else { return };
    let ticket = open.ticket();
    let call = model.new_call_id();
    if let Some(open) = &mut model.open {
        open.hostnames_call = Some(call);
    }
    cmds.push(Cmd::LoadHostnameCertificates { call, ticket });
}

/// `d` in the per-hostname view on a hostname certificate: refused while a known
/// hostname still uses it (Cloudflare would delete it and leave them on nothing);
/// otherwise the delete dialog, naming it.
pub(super) fn ask_delete_hostname_certificate(model: &mut Model) {
    let Some(open) = &model.open else { return };
    let Some(HostnameRow::Cert(cert)) = open.selected_hostname_row() else {
        model.info("d deletes a hostname certificate: select one among the certificates");
        return;
    };
    let Some(cert_id) = cert.id.clone() else {
        return;
    };
    let (users, unread): (Vec<&str>, usize) = match &open.hostnames {
        Some(Loadable::Loaded(states)) => (
            states
                .iter()
                .filter(|s| s.uses(&cert_id))
                .map(|s| s.hostname.as_str())
                .collect(),
            states.iter().filter(|s| s.error.is_some()).count(),
        ),
        _ => (Vec::new(), 1),
    };
    if !users.is_empty() {
        let message = format!(
            "not deleting {}: {} known hostname(s) still use it ({}); clear them, or move \
             them with R (a rotation) first",
            short_id(&cert_id),
            users.len(),
            users.join(", ")
        );
        model.say(StatusMessage::Error(message));
        return;
    }
    if unread > 0 {
        model.say(StatusMessage::Error(format!(
            "not deleting {}: not every known hostname could be read, so it is not known \
             whether one uses it; refresh with H, H",
            short_id(&cert_id)
        )));
        return;
    }
    let confirm = DeleteConfirm {
        ticket: open.ticket(),
        zone_name: open.zone.name.clone(),
        cert_id,
        issuer: cert.issuer.clone().unwrap_or_else(|| "unknown".into()),
        expires: cert
            .expires_on
            .as_ref()
            .map_or_else(|| "unknown".to_owned(), |t| t.date()),
        only_active_while_enabled: false,
        hostname: true,
    };
    model.overlays.push(Overlay::ConfirmDelete(confirm));
}

/// `A` on a hostname certificate: the form for the hostnames to associate with it.
pub(super) fn open_associate(model: &mut Model) {
    let Some(open) = &model.open else { return };
    let Some(HostnameRow::Cert(cert)) = open.selected_hostname_row() else {
        model.info("A associates hostnames with a hostname certificate: select one");
        return;
    };
    let Some(cert_id) = cert.id.clone() else {
        return;
    };
    let form = AssociateForm {
        ticket: open.ticket(),
        zone_name: open.zone.name.clone(),
        cert_id,
        hostnames: tui_input::Input::default(),
        error: None,
    };
    model.overlays.push(Overlay::Associate(form));
}

pub(super) fn on_associate(
    model: &mut Model,
    action: Option<crate::app::keys::Action>,
    key: crossterm::event::KeyEvent,
    cmds: &mut Vec<Cmd>,
) {
    use crate::app::keys::Action;
    let Some(Overlay::Associate(form)) = model.overlays.last_mut() else {
        return;
    };
    match action {
        Some(Action::Cancel) => {
            model.overlays.pop();
        }
        Some(Action::Accept) => {
            let hostnames: Vec<String> = form
                .hostnames
                .value()
                .split([' ', ',', ';'])
                .map(crate::hostnames::normalize)
                .filter(|h| !h.is_empty())
                .collect();
            if hostnames.is_empty() {
                form.error = Some("type one hostname or more, separated by spaces".into());
                return;
            }
            let settings: Vec<crate::api::HostnameSetting> = hostnames
                .iter()
                .map(|h| crate::api::HostnameSetting {
                    hostname: h.clone(),
                    cert_id: Some(form.cert_id.clone()),
                    enabled: Some(true),
                })
                .collect();
            let ticket = form.ticket.clone();
            model.overlays.pop();
            let call = model.start_call(
                format!("associating {}", hostnames.join(", ")),
                Some(ticket.clone()),
            );
            cmds.push(Cmd::SetHostnames {
                call,
                ticket,
                settings,
            });
        }
        other => {
            super::dialogs::edit(&mut form.hostnames, other, key);
            form.error = None;
        }
    }
}

//! `update`: the only place the model changes. No I/O: effects leave as [`Cmd`]s.

use std::path::PathBuf;
use std::time::Duration;

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use crate::api::client::ZONES_PER_PAGE;
use crate::api::{ApiError, Certificate, Page, Zone, ZoneAccount};
use crate::certinfo;
use crate::health::{Expiry, is_only_active};
use crate::text::sanitize;

use super::input::TextInput;
use super::keys::{Action, action_for};
use super::model::*;
use super::msg::{Cmd, Msg, Reply};

/// Polling a pending certificate starts quick (a simulator or a fast deploy is done
/// in seconds) and backs off, so a slow deploy costs few calls against the rate limit.
pub fn poll_delay(polls: u32) -> Duration {
    const STEPS: [u64; 6] = [2, 3, 5, 8, 15, 30];
    Duration::from_secs(STEPS[(polls as usize).min(STEPS.len() - 1)])
}

pub fn update(model: &mut Model, msg: Msg) -> Vec<Cmd> {
    let mut cmds = Vec::new();
    match msg {
        Msg::Init { verify_token } => {
            if model.screen == Screen::Main {
                if verify_token {
                    let call = model.start_call("checking the token", None);
                    cmds.push(Cmd::VerifyToken { call });
                }
                let call = model.new_call_id();
                cmds.push(Cmd::LoadCache { call });
                load_zones(model, &mut cmds);
            }
        }
        Msg::Key(key) => {
            // Only presses count: a release or repeat report would act twice.
            if key.kind == KeyEventKind::Press {
                on_key(model, key, &mut cmds);
            }
        }
        Msg::Paste(text) => on_paste(model, &text, &mut cmds),
        Msg::Resize => {}
        Msg::Tick => model.spinner = model.spinner.wrapping_add(1),
        Msg::Delayed {
            call,
            note,
            retry_reason,
        } => {
            if let Some(f) = model.in_flight.iter_mut().find(|f| f.call == call) {
                f.note = Some(note);
                f.retried = retry_reason.or(f.retried.take());
            }
        }
        Msg::Reply { call, reply } => {
            let retried = model
                .in_flight
                .iter()
                .find(|f| f.call == call)
                .and_then(|f| Some((f.label.clone(), f.retried.clone()?)));
            model.in_flight.retain(|f| f.call != call);
            let before = model.messages;
            on_reply(model, call, reply, &mut cmds);
            // A fault that a retry got past still deserves a word: it may come back.
            // Added to what the reply itself had to say, not in its place.
            if let Some((label, why)) = retried {
                let said = model.messages != before;
                match &mut model.status {
                    Some(StatusMessage::Error(_)) => {}
                    Some(StatusMessage::Info(text)) if said => {
                        text.push_str(&format!(" (after a retry: {why})"));
                    }
                    _ => model.info(format!("{label}: done after a retry ({why})")),
                }
            }
        }
    }
    cmds
}

impl Model {
    /// Registers a call the status line reports until its reply arrives.
    fn start_call(&mut self, label: impl Into<String>, ticket: Option<Ticket>) -> u64 {
        let call = self.new_call_id();
        self.in_flight.push(InFlight {
            call,
            label: label.into(),
            ticket,
            note: None,
            retried: None,
        });
        call
    }

    /// A call id for work the status line does not report (a scheduled poll).
    fn new_call_id(&mut self) -> u64 {
        let call = self.next_call;
        self.next_call += 1;
        call
    }

    /// Shows `message` on the status line.
    fn say(&mut self, message: StatusMessage) {
        self.status = Some(message);
        self.messages += 1;
    }

    fn info(&mut self, text: impl Into<String>) {
        self.say(StatusMessage::Info(text.into()));
    }

    fn error(&mut self, what: &str, e: &ApiError) {
        self.say(StatusMessage::Error(describe_error(what, e)));
    }

    /// PgUp/PgDn move by the rows the focused list showed, less one so the row at
    /// the edge stays in view.
    fn page_size(&self) -> usize {
        let rows = match self.focus {
            Focus::Zones => &self.drawn_rows.zones,
            Focus::Certs => &self.drawn_rows.certs,
            Focus::Detail => &self.drawn_rows.detail,
        };
        rows.get().saturating_sub(1).max(1)
    }
}

/// "could not load certificates: Cloudflare error 10000: … (HTTP 403) — check the …"
pub fn describe_error(what: &str, e: &ApiError) -> String {
    match e.hint() {
        Some(hint) => format!("{what}: {e} — {hint}"),
        None => format!("{what}: {e}"),
    }
}

fn load_zones(model: &mut Model, cmds: &mut Vec<Cmd>) {
    let zones = &mut model.zones;
    zones.generation += 1;
    zones.loading = true;
    zones.error = None;
    zones.incomplete = false;
    zones.incoming = (!zones.zones.is_empty()).then(Vec::new);
    zones.pages_left = 1;
    let generation = zones.generation;
    let call = model.start_call("loading zones", None);
    cmds.push(Cmd::LoadZonePage {
        call,
        generation,
        page: 1,
    });
}

fn zone_open(model: &Model) -> bool {
    model.open.is_some()
}

fn on_key(model: &mut Model, key: KeyEvent, cmds: &mut Vec<Cmd>) {
    let ctrl_c = key.code == KeyCode::Char('c') && key.modifiers.contains(KeyModifiers::CONTROL);
    if ctrl_c {
        quit(model, cmds);
        return;
    }
    if let Screen::NoCredentials { .. } = model.screen {
        if matches!(key.code, KeyCode::Char('q') | KeyCode::Esc) {
            quit(model, cmds);
        }
        return;
    }
    if let Some(overlay) = model.overlays.last_mut() {
        match overlay {
            Overlay::Help => on_help_key(model, key, cmds),
            Overlay::ConfirmDelete(_) => on_confirm_key(model, key, cmds),
            Overlay::Upload(_) => on_upload_key(model, key, cmds),
        }
        return;
    }
    if model.zones.filtering {
        on_filter_key(model, key, cmds);
        return;
    }
    if key.code == KeyCode::Esc
        && model.focus == Focus::Zones
        && !model.zones.filter.text().is_empty()
    {
        model.zones.filter.clear();
        model.zones.refilter();
        return;
    }
    if let Some(action) = action_for(&key, model.focus, zone_open(model)) {
        on_action(model, action, cmds);
    }
}

fn quit(model: &mut Model, cmds: &mut Vec<Cmd>) {
    model.quit = true;
    cmds.push(Cmd::Quit);
}

fn on_action(model: &mut Model, action: Action, cmds: &mut Vec<Cmd>) {
    match action {
        Action::Quit => quit(model, cmds),
        Action::Help => model.overlays.push(Overlay::Help),
        Action::FocusNext => model.focus = model.focus.next(),
        Action::FocusPrev => model.focus = model.focus.prev(),
        Action::Up => move_selection(model, |_, i| i.saturating_sub(1)),
        Action::Down => move_selection(model, |len, i| (i + 1).min(len.saturating_sub(1))),
        Action::Top => move_selection(model, |_, _| 0),
        Action::Bottom => move_selection(model, |len, _| len.saturating_sub(1)),
        Action::PageUp => {
            let page = model.page_size();
            move_selection(model, move |_, i| i.saturating_sub(page));
        }
        Action::PageDown => {
            let page = model.page_size();
            move_selection(model, move |len, i| (i + page).min(len.saturating_sub(1)));
        }
        Action::Filter => model.zones.filtering = true,
        Action::OpenZone => {
            if let Some(zone) = model.zones.selected_zone().cloned() {
                open_zone(model, zone, cmds);
            }
        }
        Action::Toggle => toggle(model, cmds),
        Action::Upload => {
            if let Some(open) = &model.open {
                model.overlays.push(Overlay::Upload(UploadForm {
                    ticket: open.ticket(),
                    zone_name: open.zone.name.clone(),
                    cert_path: TextInput::default(),
                    key_path: TextInput::default(),
                    field: UploadField::Certificate,
                    error: None,
                    submitting: None,
                }));
            }
        }
        Action::Delete => ask_delete(model),
        Action::Refresh => refresh(model, cmds),
    }
}

fn move_selection(model: &mut Model, step: impl Fn(usize, usize) -> usize) {
    match model.focus {
        Focus::Zones => {
            let len = model.zones.visible.len();
            model.zones.selected = step(len, model.zones.selected);
        }
        Focus::Certs => {
            if let Some(open) = &mut model.open {
                let len = open.rows().len();
                let selected = step(len, open.selected);
                if selected != open.selected {
                    open.selected = selected;
                    open.detail_scroll = 0;
                }
            }
        }
        // The detail pane is one certificate's lines: the keys scroll it.
        Focus::Detail => {
            if let Some(open) = &mut model.open {
                let positions = model.drawn_rows.detail_hidden.get() + 1;
                open.detail_scroll = step(positions, open.detail_scroll.min(positions - 1));
            }
        }
    }
}

fn on_filter_key(model: &mut Model, key: KeyEvent, cmds: &mut Vec<Cmd>) {
    let zones = &mut model.zones;
    let before = zones.filter.text().to_owned();
    match key.code {
        KeyCode::Enter => zones.filtering = false,
        KeyCode::Esc => {
            zones.filtering = false;
            zones.filter.clear();
            zones.refilter();
            return;
        }
        KeyCode::Backspace => zones.filter.backspace(),
        KeyCode::Delete => zones.filter.delete(),
        KeyCode::Left => zones.filter.left(),
        KeyCode::Right => zones.filter.right(),
        KeyCode::Up => zones.selected = zones.selected.saturating_sub(1),
        KeyCode::Down => {
            zones.selected = (zones.selected + 1).min(zones.visible.len().saturating_sub(1))
        }
        KeyCode::Char(c) if !key.modifiers.contains(KeyModifiers::CONTROL) => {
            zones.filter.insert(c)
        }
        _ => {}
    }
    if zones.filter.text() != before {
        query_changed(model, cmds);
    }
}

/// How long typing must pause before the server is asked: one request per word,
/// not per keystroke.
pub const SEARCH_DEBOUNCE: Duration = Duration::from_millis(250);

/// Re-ranks for a new query and, while the list is still loading, also asks the
/// server, so a zone can be found before its page arrives.
fn query_changed(model: &mut Model, cmds: &mut Vec<Cmd>) {
    model.zones.requery();
    let query = model.zones.fuzzy.query().to_owned();
    // The previous search is superseded: the executor aborts it.
    if let Some(old) = model.zones.search_call.take() {
        model.in_flight.retain(|f| f.call != old);
    }
    model.zones.search += 1;
    if !model.zones.loading || query.is_empty() {
        return;
    }
    let call = model.start_call(format!("searching zones for {query}"), None);
    model.zones.search_call = Some(call);
    cmds.push(Cmd::SearchZones {
        call,
        generation: model.zones.search,
        query,
        after: SEARCH_DEBOUNCE,
    });
}

fn on_paste(model: &mut Model, text: &str, cmds: &mut Vec<Cmd>) {
    if let Some(Overlay::Upload(form)) = model.overlays.last_mut() {
        if form.submitting.is_none() {
            active_field(form).insert_str(text.trim());
        }
    } else if model.zones.filtering {
        model.zones.filter.insert_str(text);
        query_changed(model, cmds);
    }
}

fn on_help_key(model: &mut Model, key: KeyEvent, cmds: &mut Vec<Cmd>) {
    match key.code {
        KeyCode::Esc | KeyCode::Char('?') | KeyCode::Enter => {
            model.overlays.pop();
        }
        KeyCode::Char('q') => quit(model, cmds),
        _ => {}
    }
}

fn on_confirm_key(model: &mut Model, key: KeyEvent, cmds: &mut Vec<Cmd>) {
    match key.code {
        KeyCode::Char('y') | KeyCode::Char('Y') => {
            if let Some(Overlay::ConfirmDelete(confirm)) = model.overlays.pop() {
                // A change is not tied to the open zone: switching zones must not
                // abandon it half sent.
                let call =
                    model.start_call(format!("deleting {}", short_id(&confirm.cert_id)), None);
                cmds.push(Cmd::Delete {
                    call,
                    ticket: confirm.ticket,
                    cert_id: confirm.cert_id,
                });
            }
        }
        KeyCode::Char('n') | KeyCode::Char('N') | KeyCode::Esc => {
            model.overlays.pop();
            model.info("delete cancelled: nothing was sent");
        }
        _ => {}
    }
}

fn active_field(form: &mut UploadForm) -> &mut TextInput {
    match form.field {
        UploadField::Certificate => &mut form.cert_path,
        UploadField::Key => &mut form.key_path,
    }
}

fn on_upload_key(model: &mut Model, key: KeyEvent, cmds: &mut Vec<Cmd>) {
    let Some(Overlay::Upload(form)) = model.overlays.last_mut() else {
        return;
    };
    if key.code == KeyCode::Esc {
        model.overlays.pop();
        return;
    }
    if form.submitting.is_some() {
        return;
    }
    match key.code {
        KeyCode::Tab | KeyCode::BackTab | KeyCode::Up | KeyCode::Down => {
            form.field = match form.field {
                UploadField::Certificate => UploadField::Key,
                UploadField::Key => UploadField::Certificate,
            }
        }
        KeyCode::Enter => submit_upload(model, cmds),
        KeyCode::Backspace => active_field(form).backspace(),
        KeyCode::Delete => active_field(form).delete(),
        KeyCode::Left => active_field(form).left(),
        KeyCode::Right => active_field(form).right(),
        KeyCode::Home => active_field(form).home(),
        KeyCode::End => active_field(form).end(),
        KeyCode::Char(c) if !key.modifiers.contains(KeyModifiers::CONTROL) => {
            active_field(form).insert(c)
        }
        _ => {}
    }
}

fn submit_upload(model: &mut Model, cmds: &mut Vec<Cmd>) {
    let Some(Overlay::Upload(form)) = model.overlays.last_mut() else {
        return;
    };
    let cert = form.cert_path.text().trim().to_owned();
    let key = form.key_path.text().trim().to_owned();
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

fn ask_delete(model: &mut Model) {
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
    };
    model.overlays.push(Overlay::ConfirmDelete(confirm));
}

fn open_zone(model: &mut Model, zone: Zone, cmds: &mut Vec<Cmd>) {
    let generation = model.next_generation;
    model.next_generation += 1;
    let ticket = Ticket {
        zone_id: zone.id.clone(),
        generation,
    };
    // Whatever was loading for another zone is abandoned: its replies would be dropped.
    model
        .in_flight
        .retain(|f| f.ticket.as_ref().is_none_or(|t| *t == ticket));
    cmds.push(Cmd::AbortStale {
        keep: Some(ticket.clone()),
    });
    // Opened again: a toggle still out, and a change being watched, carry over, so
    // `e` does not send a second PUT beside the first and the answers land here.
    let (enablement, watch) = match model.open.take() {
        Some(before) if before.zone.id == zone.id && before.enablement.in_flight => {
            (before.enablement, before.watch)
        }
        Some(before) if before.zone.id == zone.id => (Enablement::default(), before.watch),
        _ => (Enablement::default(), None),
    };
    model.open = Some(OpenZone {
        zone,
        generation,
        certs: Loadable::Loading,
        enablement,
        selected: 0,
        certs_call: 0,
        enablement_call: 0,
        polls: 0,
        detail_scroll: 0,
        watch,
    });
    model.focus = Focus::Certs;
    load_open_zone(model, cmds);
}

/// Loads the open zone's certificates and enablement, concurrently.
fn load_open_zone(model: &mut Model, cmds: &mut Vec<Cmd>) {
    let Some(open) = &model.open else { return };
    let ticket = open.ticket();
    let label = format!("loading {}", open.zone.name);
    let certs_call = model.start_call(label.clone(), Some(ticket.clone()));
    let enablement_call = model.start_call(label, Some(ticket.clone()));
    if let Some(open) = &mut model.open {
        open.certs_call = certs_call;
        open.enablement_call = enablement_call;
    }
    cmds.push(Cmd::LoadCertificates {
        call: certs_call,
        ticket: ticket.clone(),
        after: None,
    });
    cmds.push(Cmd::LoadEnablement {
        call: enablement_call,
        ticket,
    });
}

fn refresh(model: &mut Model, cmds: &mut Vec<Cmd>) {
    // A listing still loading is as fresh as a new one would be; starting another
    // would send every page twice.
    if !model.zones.loading {
        load_zones(model, cmds);
    }
    load_open_zone(model, cmds);
}

fn toggle(model: &mut Model, cmds: &mut Vec<Cmd>) {
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
    open.enablement_call = 0;
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

/// The open zone, if it is the one a change was sent for. A change's answer is
/// about the zone, not the reading of it that was on screen: it belongs to the pane
/// even if the zone was opened again meanwhile. Reads, by contrast, match their
/// ticket exactly.
fn changed_zone<'m>(model: &'m mut Model, ticket: &Ticket) -> Option<&'m mut OpenZone> {
    model.open.as_mut().filter(|o| o.zone.id == ticket.zone_id)
}

fn on_reply(model: &mut Model, call: u64, reply: Reply, cmds: &mut Vec<Cmd>) {
    match reply {
        Reply::Token(result) => {
            model.token_status = Some(match result {
                Ok(info) => format!("token {}", sanitize(&info.status)),
                Err(e) => {
                    model.error("the API token did not verify", &e);
                    "token not verified".to_owned()
                }
            });
        }
        Reply::Cached(zones) => {
            // Only a head start: the network's first answer wins if it came first.
            if let Some(zones) = zones
                && model.zones.zones.is_empty()
                && model.zones.loading
            {
                model.zones.set_zones(zones);
                model.zones.cached = true;
                model.zones.incoming = Some(Vec::new());
            }
        }
        Reply::ZonePage {
            generation,
            page,
            result,
        } => on_zone_page(model, generation, page, result, cmds),
        Reply::SearchResult { generation, result } => {
            if generation != model.zones.search {
                return;
            }
            model.zones.search_call = None;
            match result {
                Ok(page) => {
                    model.zones.add_zones(page.items);
                }
                Err(e) => model.error("could not search zones", &e),
            }
        }
        Reply::Certificates { ticket, result } => {
            on_certificates(model, call, ticket, result, cmds)
        }
        Reply::Enablement { ticket, result } => {
            let Some(open) = model.open.as_mut().filter(|o| o.ticket() == ticket) else {
                return;
            };
            // A read that raced a change in flight says nothing reliable.
            if call != open.enablement_call || open.enablement.in_flight {
                return;
            }
            open.enablement.read_failed = result.is_err();
            match result {
                Ok(enabled) => {
                    open.enablement.server = Some(enabled);
                    open.enablement.wanted = None;
                    let zone_id = open.zone.id.clone();
                    model.summaries.entry(zone_id).or_default().enabled = Some(enabled);
                    refresh_summary(model);
                }
                Err(e) => model.error("could not read enablement", &e),
            }
        }
        Reply::Toggled { ticket, result } => on_toggled(model, ticket, result, cmds),
        Reply::Uploaded { ticket, result } => on_uploaded(model, call, ticket, result, cmds),
        Reply::Deleted {
            ticket,
            cert_id,
            result,
        } => {
            let id = short_id(&cert_id);
            match result {
                Ok(_) => {
                    model.info(format!("deleted {id}: Cloudflare is removing it"));
                    watch(model, &ticket, &cert_id);
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
    }
}

fn on_zone_page(
    model: &mut Model,
    generation: u64,
    page: u64,
    result: Result<Page<Zone>, ApiError>,
    cmds: &mut Vec<Cmd>,
) {
    if generation != model.zones.generation {
        return;
    }
    model.zones.pages_left = model.zones.pages_left.saturating_sub(1);
    match result {
        Ok(p) => {
            let next = p.next_pages(page, ZONES_PER_PAGE);
            let pane = &mut model.zones;
            if let Some(incoming) = &mut pane.incoming {
                incoming.extend(p.items);
            } else if page == 1 {
                pane.set_zones(p.items);
            } else {
                pane.add_zones(p.items);
            }
            for page in next {
                model.zones.pages_left += 1;
                let call = model.start_call("loading zones", None);
                cmds.push(Cmd::LoadZonePage {
                    call,
                    generation,
                    page,
                });
            }
        }
        Err(e) => {
            let text = describe_error("could not load zones", &e);
            model.zones.error = Some(text.clone());
            model.zones.incomplete = true;
            model.say(StatusMessage::Error(text));
        }
    }
    let pane = &mut model.zones;
    pane.loading = pane.pages_left > 0;
    if pane.loading || pane.incomplete {
        return;
    }
    if let Some(mut zones) = pane.incoming.take() {
        sort_zones(&mut zones);
        pane.set_zones(zones);
        pane.cached = false;
    }
    let mut zones = pane.zones.clone();
    // The list keeps the account once, not per zone; so does the cache, on its
    // first zone, where loading it back finds it.
    if let (Some(first), Some(name)) = (zones.first_mut(), &pane.account) {
        first.account = Some(Box::new(ZoneAccount {
            id: None,
            name: Some(name.clone()),
        }));
    }
    cmds.push(Cmd::SaveCache { zones });
}

fn load_certificates(model: &mut Model, after: Option<Duration>, cmds: &mut Vec<Cmd>) {
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
        open.certs_call = call;
    }
    cmds.push(Cmd::LoadCertificates {
        call,
        ticket,
        after,
    });
}

fn on_certificates(
    model: &mut Model,
    call: u64,
    ticket: Ticket,
    result: Result<Vec<Certificate>, ApiError>,
    cmds: &mut Vec<Cmd>,
) {
    let Some(open) = model.open.as_mut().filter(|o| o.ticket() == ticket) else {
        return;
    };
    if call != open.certs_call {
        return;
    }
    match result {
        Ok(certs) => {
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
            let kept_at =
                keep.and_then(|id| rows.iter().position(|r| r.cert.id.as_deref() == Some(&id)));
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
            close_stale_dialog(model);
            refresh_summary(model);
            if pending {
                let polls = model.open.as_ref().map_or(0, |o| o.polls);
                if let Some(open) = &mut model.open {
                    open.polls += 1;
                }
                load_certificates(model, Some(poll_delay(polls)), cmds);
            } else {
                if let Some(open) = &mut model.open {
                    open.polls = 0;
                }
                say_how_it_ended(model);
            }
        }
        Err(e) => {
            let what = format!("could not load certificates of {}", open.zone.name);
            // A failed refresh keeps the last list on screen, marked by the error.
            if !matches!(open.certs, Loadable::Loaded(_)) {
                open.certs = Loadable::Failed(describe_error(&what, &e));
            }
            model.error(&what, &e);
        }
    }
}

/// Remembers that the open zone's list is polled for `cert_id`, and that the status
/// line's message now says so.
fn watch(model: &mut Model, ticket: &Ticket, cert_id: &str) {
    if !matches!(model.status, Some(StatusMessage::Info(_))) {
        return;
    }
    let said = model.messages;
    if let Some(open) = changed_zone(model, ticket) {
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

/// A delete dialog whose certificate a refresh no longer lists would only end in
/// "already gone": close it and say why.
fn close_stale_dialog(model: &mut Model) {
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

/// Keeps the zone list's markers for the open zone in step with what loaded.
fn refresh_summary(model: &mut Model) {
    let Some(open) = &model.open else { return };
    let now = model.now;
    let summary = ZoneSummary {
        enabled: open.enablement.server,
        certificates: open.certs.loaded().map(Vec::len),
        warning: open.certs.loaded().is_some() && !open.warnings(now).is_empty(),
    };
    model.summaries.insert(open.zone.id.clone(), summary);
}

/// What the status line says of a toggle that landed.
fn aop_changed(zone: &str, enabled: bool) -> String {
    let now = if enabled { "enabled" } else { "disabled" };
    format!("zone-level AOP {now} on {zone}")
}

fn on_toggled(
    model: &mut Model,
    ticket: Ticket,
    result: Result<bool, ApiError>,
    cmds: &mut Vec<Cmd>,
) {
    let Some(open) = changed_zone(model, &ticket) else {
        // The user moved on while the change was out; it still gets its answer.
        let name = zone_name(model, &ticket.zone_id);
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
    open.enablement_call = 0;
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
                open.enablement_call = call;
            }
            cmds.push(Cmd::LoadEnablement { call, ticket });
        }
    }
}

fn on_uploaded(
    model: &mut Model,
    call: u64,
    ticket: Ticket,
    result: Result<Certificate, String>,
    cmds: &mut Vec<Cmd>,
) {
    let form_index = model
        .overlays
        .iter()
        .rposition(|o| matches!(o, Overlay::Upload(f) if f.submitting == Some(call)));
    match result {
        Err(message) => {
            // The form keeps its input so the user can fix one path and retry.
            if let Some(Overlay::Upload(form)) = form_index.and_then(|i| model.overlays.get_mut(i))
            {
                form.submitting = None;
                form.error = Some(message);
            } else {
                model.say(StatusMessage::Error(message));
            }
        }
        Ok(cert) => {
            if let Some(i) = form_index {
                model.overlays.remove(i);
            }
            let id = cert.id.as_deref().map(short_id).unwrap_or_default();
            if changed_zone(model, &ticket).is_none() {
                let name = zone_name(model, &ticket.zone_id);
                model.info(format!("uploaded {id} to {name}"));
                model.summaries.remove(&ticket.zone_id);
                return;
            }
            model.info(format!(
                "uploaded {id}: {}; watching until it is active",
                cert.status.as_ref().map_or("sent", |s| s.as_str())
            ));
            if let Some(cert_id) = &cert.id {
                watch(model, &ticket, cert_id);
            }
            if let Some(open) = &mut model.open {
                open.polls = 0;
            }
            load_certificates(model, None, cmds);
        }
    }
}

/// A zone's name for a message, from the list (its id while the list lacks it).
fn zone_name(model: &Model, zone_id: &str) -> String {
    model
        .zones
        .zones
        .iter()
        .find(|z| z.id == zone_id)
        .map_or_else(|| short_id(zone_id), |z| z.name.clone())
}

/// The first block of a UUID-like id: enough to tell certificates apart in a message.
fn short_id(id: &str) -> String {
    let head: String = sanitize(id).chars().take(8).collect();
    if id.chars().count() > 8 {
        format!("{head}…")
    } else {
        head
    }
}

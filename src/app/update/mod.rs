//! `update`: the only place the model changes. No I/O: effects leave as [`Cmd`]s.
//!
//! One file per part of the screen: the zone list and its filter, the open zone and
//! its polling, the changes a user makes to a zone, and the overlays. This file
//! routes messages and keys to them and keeps the bookkeeping they share.

mod changes;
mod copy;
mod dialogs;
mod fleet;
mod mouse;
mod open_zone;
mod rotation;
mod zones;

use crossterm::event::{KeyEvent, KeyEventKind};

use super::model::window;

pub use open_zone::{MAX_POLLS, poll_delay};
pub use zones::SEARCH_DEBOUNCE;

use super::keys::{Action, Mode};
use super::model::*;
use super::msg::{Cmd, Msg, Reply};
use crate::api::ApiError;
use crate::text::{sanitize, short_id};

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
                zones::load(model, &mut cmds);
            }
        }
        Msg::Key(key) => {
            // Only presses count: a release or repeat report would act twice.
            if key.kind == KeyEventKind::Press {
                on_key(model, key, &mut cmds);
            }
        }
        Msg::Paste(text) => match model.mode() {
            Mode::Upload => dialogs::paste(model, &text),
            Mode::AssociateForm => {
                if let Some(Overlay::Associate(form)) = model.overlays.last_mut() {
                    dialogs::insert(&mut form.hostnames, text.trim());
                }
            }
            Mode::RotateForm => rotation::paste(model, &text),
            Mode::Filter => zones::paste(model, &text, &mut cmds),
            _ => {}
        },
        Msg::Mouse(event) => mouse::on_mouse(model, event, &mut cmds),
        Msg::Resize => {}
        Msg::Drawn(drawn) => model.drawn = drawn,
        Msg::Ranked(ranked) => zones::ranked(model, ranked, &mut cmds),
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

/// A key goes to the table of the mode in force; in a text field, what no binding
/// takes is typed.
fn on_key(model: &mut Model, key: KeyEvent, cmds: &mut Vec<Cmd>) {
    // Typed ahead of a ranking, `Enter` waits for it; any later key is a new intent.
    model.zones.ranking.then_open = false;
    let mode = model.mode();
    let action = model.keys.action(mode, model.key_context(), &key);
    if action == Some(Action::ForceQuit) {
        quit(model, cmds);
        return;
    }
    match mode {
        Mode::NoCredentials => {
            if matches!(action, Some(Action::Quit | Action::Cancel)) {
                quit(model, cmds);
            }
        }
        Mode::Help => dialogs::on_help(model, action, cmds),
        Mode::ConfirmDelete => dialogs::on_confirm(model, action, cmds),
        Mode::ConfirmHostname => open_zone::on_confirm_hostname(model, action, cmds),
        Mode::AssociateForm => open_zone::on_associate(model, action, key, cmds),
        Mode::Upload => dialogs::on_upload(model, action, key, cmds),
        Mode::RotateForm => rotation::on_form(model, action, key, cmds),
        Mode::RotationPlan | Mode::RotationProgress => rotation::on_rotation(model, action, cmds),
        Mode::Filter => zones::on_filter(model, action, key, cmds),
        Mode::Fleet => {
            if let Some(action) = action {
                fleet::on_key(model, action, cmds);
            }
        }
        Mode::Main => {
            if let Some(action) = action {
                on_main(model, action, cmds);
            }
        }
    }
}

fn on_main(model: &mut Model, action: Action, cmds: &mut Vec<Cmd>) {
    match action {
        Action::Quit | Action::ForceQuit => quit(model, cmds),
        Action::Help => {
            model.help_scroll = 0;
            model.overlays.push(Overlay::Help);
        }
        Action::FocusNext => model.focus = model.focus.next(),
        Action::FocusPrev => model.focus = model.focus.prev(),
        Action::Up
        | Action::Down
        | Action::Top
        | Action::Bottom
        | Action::PageUp
        | Action::PageDown => move_selection(model, action),
        Action::Filter => model.zones.filtering = true,
        Action::Cancel => zones::clear_filter(model),
        Action::Accept => open_selected(model, cmds),
        Action::Toggle => changes::toggle(model, changes::Switch::ZoneLevel, cmds),
        Action::ToggleGlobal => changes::toggle(model, changes::Switch::Global, cmds),
        Action::Upload => dialogs::open_upload_form(model),
        Action::Delete if model.open.as_ref().is_some_and(|o| o.hostnames.is_some()) => {
            open_zone::ask_delete_hostname_certificate(model)
        }
        Action::Delete => dialogs::ask_delete(model),
        Action::Refresh => open_zone::refresh(model, cmds),
        Action::Fleet => fleet::open(model, cmds),
        Action::Rotate => rotation::open(model),
        Action::Hostnames => open_zone::toggle_hostnames(model, cmds),
        Action::Disable => open_zone::ask_hostname(model, HostnameChange::Disable),
        Action::Clear => open_zone::ask_hostname(model, HostnameChange::Clear),
        Action::Associate => open_zone::open_associate(model),
        Action::CopyId => copy::copy(model, copy::What::Id, cmds),
        Action::CopyPem => copy::copy(model, copy::What::Pem, cmds),
        Action::Mark => {
            if model.focus == Focus::Zones
                && let Some(zone) = model.zones.selected_zone()
            {
                let id = zone.id.clone();
                model.toggle_mark(id);
            }
        }
        // Keys of other modes' tables: the main screen's table does not offer them.
        Action::Left
        | Action::Right
        | Action::Backspace
        | Action::DeleteWord
        | Action::ClearLine
        | Action::Yes
        | Action::No
        | Action::Sort => {}
    }
}

/// Opens the zone selected in the list, or, while the list is being ranked for
/// what was typed, the best match once the ranking lands.
fn open_selected(model: &mut Model, cmds: &mut Vec<Cmd>) {
    if model.zones.ranking.waiting {
        model.zones.ranking.then_open = true;
    } else if let Some(zone) = model.zones.selected_zone().cloned() {
        open_zone::open(model, zone, cmds);
    }
}

/// Where a movement key leaves a selection in a list of `len` rows, `page` of which
/// show at once.
fn moved(action: Action, selected: usize, len: usize, page: usize) -> usize {
    let last = len.saturating_sub(1);
    // Paging keeps the row at the edge in view.
    let page = page.saturating_sub(1).max(1);
    match action {
        Action::Up => selected.saturating_sub(1),
        Action::Down => (selected + 1).min(last),
        Action::Top => 0,
        Action::Bottom => last,
        Action::PageUp => selected.saturating_sub(page),
        Action::PageDown => (selected + page).min(last),
        _ => selected,
    }
}

fn move_selection(model: &mut Model, action: Action) {
    let drawn = model.drawn;
    match model.focus {
        Focus::Zones => {
            let pane = &mut model.zones;
            pane.selected = moved(action, pane.selected, pane.visible_len(), drawn.zone_rows);
        }
        Focus::Certs => {
            if let Some(open) = model.open.as_mut().filter(|o| o.hostnames.is_some()) {
                let len = open.hostname_rows().len();
                open.hostname_selected =
                    moved(action, open.hostname_selected, len, drawn.cert_rows);
                return;
            }
            if let Some(open) = &mut model.open {
                let selected = moved(action, open.selected, open.rows().len(), drawn.cert_rows);
                if selected != open.selected {
                    open.selected = selected;
                    open.detail_scroll = 0;
                }
            }
        }
        // The detail pane is one certificate's lines: the keys scroll it.
        Focus::Detail => {
            if let Some(open) = &mut model.open {
                let positions = drawn.detail_hidden + 1;
                let at = open.detail_scroll.min(positions - 1);
                open.detail_scroll = moved(action, at, positions, drawn.detail_rows);
            }
        }
    }
}

fn quit(model: &mut Model, cmds: &mut Vec<Cmd>) {
    model.quit = true;
    cmds.push(Cmd::Quit);
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
        Reply::Cached(zones) => zones::cached(model, zones, cmds),
        Reply::ZonePage {
            generation,
            page,
            result,
        } => zones::page(model, generation, page, result, cmds),
        Reply::SearchResult { generation, result } => {
            zones::searched(model, generation, result, cmds)
        }
        Reply::Certificates { ticket, result } => {
            open_zone::certificates(model, call, ticket, result, cmds)
        }
        Reply::Enablement { ticket, result } => open_zone::enablement(model, call, ticket, result),
        Reply::Toggled { ticket, result } => {
            changes::toggled(model, changes::Switch::ZoneLevel, ticket, result, cmds)
        }
        Reply::GlobalSet { ticket, result } => changes::toggled(
            model,
            changes::Switch::Global,
            ticket,
            result.map(|g| g.on),
            cmds,
        ),
        Reply::Settings { ticket, result } => open_zone::settings(model, call, ticket, result),
        Reply::HostnameCertificates { ticket, result } => {
            open_zone::hostname_certificates(model, call, ticket, result)
        }
        Reply::Uploaded {
            ticket,
            result,
            hostname,
        } => changes::uploaded(model, call, ticket, result, hostname, cmds),
        Reply::Deleted {
            ticket,
            cert_id,
            result,
            hostname,
        } => changes::deleted(model, ticket, &cert_id, result, hostname, cmds),
        Reply::SurveyCache(states) => fleet::cached(model, call, states, cmds),
        Reply::Surveyed { call, answer } => fleet::surveyed(model, call, answer, cmds),
        Reply::Completed {
            pane,
            field,
            typed,
            candidates,
        } => rotation::completed(model, pane, field, &typed, candidates, cmds),
        Reply::NewCertRead { pane, path, result } => {
            rotation::new_cert_read(model, pane, path, result)
        }
        Reply::RotationReady { pane, result } => rotation::ready(model, pane, result, cmds),
        Reply::Rotated { pane, step, answer } => rotation::rotated(model, pane, step, answer, cmds),
        Reply::Hostnames { ticket, states } => open_zone::hostnames(model, call, ticket, states),
        Reply::HostnamesSet { ticket, result } => {
            open_zone::hostnames_set(model, ticket, result, cmds)
        }
    }
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

    /// A zone's name for a message, from the list (its id while the list lacks it).
    fn zone_name(&self, zone_id: &str) -> String {
        self.zones
            .list
            .find(zone_id)
            .map_or_else(|| short_id(zone_id), |z| z.name.clone())
    }
}

/// "could not load certificates: Cloudflare error 10000: … (HTTP 403) — check the …"
pub fn describe_error(what: &str, e: &ApiError) -> String {
    match e.hint() {
        Some(hint) => format!("{what}: {e} — {hint}"),
        None => format!("{what}: {e}"),
    }
}

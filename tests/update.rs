//! `update` on its own: keys and replies in, model and commands out. No I/O anywhere.

use chrono::{DateTime, TimeZone, Utc};
use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use originpull::api::{
    ApiError, ApiMessage, ApiTime, CertStatus, Certificate, Page, ResultInfo, Zone,
};
use originpull::app::*;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 29, 12, 0, 0).unwrap()
}

fn zone(i: usize) -> Zone {
    Zone {
        id: format!("{i:032x}"),
        name: format!("zone{i:02}.example"),
        status: Some("active".into()),
        account: None,
    }
}

fn cert(id: &str, status: CertStatus, days: i64) -> Certificate {
    Certificate {
        id: Some(id.into()),
        status: Some(status),
        issuer: Some("Example Origin CA".into()),
        expires_on: Some(ApiTime::from_datetime(now() + chrono::Duration::days(days))),
        ..Default::default()
    }
}

fn key(code: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

fn ch(c: char) -> Msg {
    key(KeyCode::Char(c))
}

fn api_error(status: u16, code: i64) -> ApiError {
    ApiError::Api {
        status,
        errors: vec![ApiMessage {
            code: Some(code),
            message: "simulated".into(),
            ..Default::default()
        }],
    }
}

/// A fresh model after `Init`, and the commands it sent.
fn started() -> (Model, Vec<Cmd>) {
    let mut model = Model::new(Screen::Main, "test", now());
    let cmds = send(
        &mut model,
        Msg::Init {
            verify_token: false,
        },
    );
    (model, cmds)
}

/// The call and generation of the first zone page `cmds` ask for.
fn first_page(cmds: &[Cmd]) -> (u64, u64) {
    match zone_page(cmds) {
        Cmd::LoadZonePage {
            call, generation, ..
        } => (call, generation),
        _ => unreachable!(),
    }
}

/// The first zone page a batch of commands asks for.
fn zone_page(cmds: &[Cmd]) -> Cmd {
    cmds.iter()
        .find(|c| matches!(c, Cmd::LoadZonePage { .. }))
        .cloned()
        .unwrap_or_else(|| panic!("no zone page in {cmds:?}"))
}

/// Page `page` of a listing of `total` zones, answering `call`.
fn page_reply(call: u64, generation: u64, page: u64, zones: Vec<Zone>, total: u64) -> Msg {
    Msg::Reply {
        call,
        reply: Reply::ZonePage {
            generation,
            page,
            result: Ok(Page {
                items: zones,
                info: Some(ResultInfo {
                    per_page: Some(50),
                    total_count: Some(total),
                    ..Default::default()
                }),
            }),
        },
    }
}

/// The first page of a listing failing with `error`.
fn page_failed(call: u64, generation: u64, error: ApiError) -> Msg {
    Msg::Reply {
        call,
        reply: Reply::ZonePage {
            generation,
            page: 1,
            result: Err(error),
        },
    }
}

/// The answer to an enablement read.
fn enablement_read(call: u64, ticket: Ticket, result: Result<bool, ApiError>) -> Msg {
    Msg::Reply {
        call,
        reply: Reply::Enablement { ticket, result },
    }
}

/// The answer to an upload.
fn upload_answer(call: u64, ticket: Ticket, result: Result<Certificate, String>) -> Msg {
    Msg::Reply {
        call,
        reply: Reply::Uploaded { ticket, result },
    }
}

/// The status line holds an information message with every one of `words`.
fn assert_info(model: &Model, words: &[&str]) {
    match &model.status {
        Some(StatusMessage::Info(text)) => {
            assert!(words.iter().all(|w| text.contains(w)), "{text}")
        }
        other => panic!("not an information message: {other:?}"),
    }
}

/// Feeds a message, returning the commands.
fn send(model: &mut Model, msg: Msg) -> Vec<Cmd> {
    update(model, msg)
}

/// A model with `n` zones loaded (one page) and nothing open.
fn with_zones(n: usize) -> Model {
    let (mut model, cmds) = started();
    let (call, generation) = first_page(&cmds);
    send(
        &mut model,
        page_reply(call, generation, 1, (0..n).map(zone).collect(), n as u64),
    );
    model
}

struct Opened {
    certs_call: u64,
    enablement_call: u64,
    ticket: Ticket,
}

/// Opens the selected zone and returns what it asked for.
fn open(model: &mut Model) -> Opened {
    let cmds = send(model, key(KeyCode::Enter));
    let mut opened = Opened {
        certs_call: 0,
        enablement_call: 0,
        ticket: model.open.as_ref().unwrap().ticket(),
    };
    for cmd in cmds {
        match cmd {
            Cmd::LoadCertificates { call, after, .. } => {
                assert_eq!(after, None);
                opened.certs_call = call;
            }
            Cmd::LoadEnablement { call, .. } => opened.enablement_call = call,
            Cmd::AbortStale { .. } => {}
            other => panic!("unexpected {other:?}"),
        }
    }
    assert!(opened.certs_call > 0 && opened.enablement_call > 0);
    opened
}

/// The answer to a certificate listing of the zone `o` opened.
fn certificates(call: u64, o: &Opened, certs: Vec<Certificate>) -> Msg {
    Msg::Reply {
        call,
        reply: Reply::Certificates {
            ticket: o.ticket.clone(),
            result: Ok(certs),
        },
    }
}

fn load(model: &mut Model, o: &Opened, certs: Vec<Certificate>, enabled: bool) -> Vec<Cmd> {
    let mut cmds = send(model, certificates(o.certs_call, o, certs));
    cmds.extend(send(
        model,
        enablement_read(o.enablement_call, o.ticket.clone(), Ok(enabled)),
    ));
    cmds
}

fn open_loaded(model: &mut Model, certs: Vec<Certificate>, enabled: bool) -> Opened {
    let o = open(model);
    load(model, &o, certs, enabled);
    o
}

#[test]
fn init_loads_zones_then_every_other_page_at_once() {
    let mut model = Model::new(Screen::Main, "test", now());
    let cmds = send(&mut model, Msg::Init { verify_token: true });
    assert!(matches!(cmds[0], Cmd::VerifyToken { .. }));
    let Cmd::LoadZonePage {
        call,
        generation,
        page: 1,
    } = zone_page(&cmds)
    else {
        panic!("{cmds:?}")
    };
    assert!(model.busy() && model.zones.loading);
    let cmds = send(
        &mut model,
        page_reply(call, generation, 1, (0..50).map(zone).collect(), 120),
    );
    let pages: Vec<u64> = cmds
        .iter()
        .filter_map(|c| match c {
            Cmd::LoadZonePage { page, .. } => Some(*page),
            _ => None,
        })
        .collect();
    assert_eq!(pages, vec![2, 3]);
    assert_eq!(
        model.zones.visible.len(),
        50,
        "the first page shows at once"
    );
    assert!(model.zones.loading);
}

#[test]
fn r_while_the_zone_list_loads_does_not_send_its_pages_twice() {
    let (mut model, cmds) = started();
    let (call, generation) = first_page(&cmds);
    send(
        &mut model,
        page_reply(call, generation, 1, (0..50).map(zone).collect(), 120),
    );
    assert!(model.zones.loading);
    let cmds = send(&mut model, ch('r'));
    assert!(
        !cmds.iter().any(|c| matches!(c, Cmd::LoadZonePage { .. })),
        "{cmds:?}"
    );
}

#[test]
fn the_filter_narrows_as_you_type_enter_keeps_it_esc_clears_it() {
    let mut model = with_zones(30);
    send(&mut model, ch('/'));
    assert!(model.zones.filtering);
    for c in "zone1".chars() {
        send(&mut model, ch(c));
    }
    // Fuzzy: zone10..zone19 match as they are, best first; zone01 and zone21 match
    // with a gap, after them.
    let names = |m: &Model| -> Vec<String> {
        m.zones
            .visible
            .iter()
            .map(|&i| m.zones.zones[i].name.clone())
            .collect()
    };
    let shown = names(&model);
    assert_eq!(shown.len(), 12, "{shown:?}");
    assert!(
        shown[..10].iter().all(|n| n.starts_with("zone1")),
        "{shown:?}"
    );
    assert_eq!(model.zones.selected, 0, "the best match is selected");
    // q is text while filtering, not quit.
    send(&mut model, ch('q'));
    assert!(!model.quit);
    assert_eq!(model.zones.visible.len(), 0);
    send(&mut model, key(KeyCode::Backspace));
    send(&mut model, key(KeyCode::Enter));
    assert!(!model.zones.filtering);
    assert_eq!(model.zones.filter.text(), "zone1");
    assert_eq!(names(&model), shown);
    send(&mut model, key(KeyCode::Esc));
    assert_eq!(model.zones.filter.text(), "");
    assert_eq!(model.zones.visible.len(), 30);

    send(&mut model, ch('/'));
    send(&mut model, ch('x'));
    send(&mut model, key(KeyCode::Esc));
    assert!(!model.zones.filtering);
    assert_eq!(model.zones.visible.len(), 30);
}

#[test]
fn lists_move_with_vim_keys_and_arrows() {
    let mut model = with_zones(30);
    send(&mut model, ch('j'));
    send(&mut model, key(KeyCode::Down));
    assert_eq!(model.zones.selected, 2);
    send(&mut model, ch('k'));
    assert_eq!(model.zones.selected, 1);
    send(&mut model, ch('G'));
    assert_eq!(model.zones.selected, 29);
    send(&mut model, key(KeyCode::Down));
    assert_eq!(model.zones.selected, 29);
    send(&mut model, ch('g'));
    assert_eq!(model.zones.selected, 0);
    // A page is what the list showed in the last frame, less the row kept in view.
    model.drawn_rows.zones.set(10);
    send(&mut model, key(KeyCode::PageDown));
    assert_eq!(model.zones.selected, 9);
    send(&mut model, key(KeyCode::PageDown));
    assert_eq!(model.zones.selected, 18);
    send(&mut model, key(KeyCode::PageUp));
    assert_eq!(model.zones.selected, 9);
    for _ in 0..3 {
        send(&mut model, key(KeyCode::PageDown));
    }
    assert_eq!(model.zones.selected, 29, "stops at the last");
}

#[test]
fn enter_opens_a_zone_and_loads_certificates_and_enablement_together() {
    let mut model = with_zones(3);
    send(&mut model, ch('j'));
    let o = open(&mut model);
    assert_eq!(model.focus, Focus::Certs);
    assert_eq!(o.ticket.zone_id, zone(1).id);
    load(
        &mut model,
        &o,
        vec![
            cert("a", CertStatus::Active, 90),
            cert("b", CertStatus::Active, 10),
        ],
        true,
    );
    let open = model.open.as_ref().unwrap();
    assert_eq!(open.rows().len(), 2);
    assert_eq!(open.enablement.shown(), Some(true));
    assert!(!model.busy());
    let summary = model.summaries[&zone(1).id];
    assert_eq!(summary.enabled, Some(true));
    assert_eq!(summary.certificates, Some(2));
    assert!(summary.warning, "two active certificates");
}

#[test]
fn a_reply_for_a_zone_no_longer_open_is_dropped() {
    let mut model = with_zones(3);
    let first = open(&mut model);
    send(&mut model, key(KeyCode::BackTab));
    assert_eq!(model.focus, Focus::Zones);
    send(&mut model, ch('j'));
    let cmds = send(&mut model, key(KeyCode::Enter));
    assert!(cmds.contains(&Cmd::AbortStale {
        keep: Some(model.open.as_ref().unwrap().ticket())
    }));
    assert!(
        model
            .in_flight
            .iter()
            .all(|f| f.ticket.as_ref() != Some(&first.ticket)),
        "the first zone's calls no longer show as in flight"
    );
    // The slow first zone answers late: its certificates must not appear here.
    load(
        &mut model,
        &first,
        vec![cert("old", CertStatus::Active, 90)],
        true,
    );
    let open = model.open.as_ref().unwrap();
    assert_eq!(open.zone.id, zone(1).id);
    assert!(matches!(open.certs, Loadable::Loading));
    assert_eq!(open.enablement.server, None);
}

#[test]
fn a_change_out_when_its_zone_is_opened_again_lands_on_the_new_pane() {
    let mut model = with_zones(1);
    open_loaded(&mut model, vec![], false);
    let put = send(&mut model, ch('e'));
    // Back to the list and into the same zone while the PUT is out.
    send(&mut model, key(KeyCode::BackTab));
    let again = open(&mut model);
    // Pressed again: one PUT at a time, the last wish sent when the first lands.
    assert!(
        send(&mut model, ch('e'))
            .iter()
            .all(|c| !matches!(c, Cmd::SetEnablement { .. })),
        "no second PUT beside the first"
    );
    let last_wish = toggled(&mut model, &put, Ok(true));
    assert!(
        last_wish
            .iter()
            .any(|c| matches!(c, Cmd::SetEnablement { enabled: false, .. })),
        "{last_wish:?}"
    );
    toggled(&mut model, &last_wish, Ok(false));
    // The fresh read, taken while the first PUT was out, answers last: too late.
    load(&mut model, &again, vec![], true);
    let open = model.open.as_ref().unwrap();
    assert_eq!(
        open.enablement.shown(),
        Some(false),
        "{:?}",
        open.enablement
    );
    assert_info(&model, &["AOP disabled on"]);
}

#[test]
fn an_older_listing_never_overwrites_a_newer_one() {
    let mut model = with_zones(1);
    let o = open_loaded(&mut model, vec![cert("a", CertStatus::Active, 90)], false);
    let cmds = send(&mut model, ch('r'));
    let newer = cmds
        .iter()
        .find_map(|c| match c {
            Cmd::LoadCertificates { call, .. } => Some(*call),
            _ => None,
        })
        .unwrap();
    send(&mut model, certificates(newer, &o, vec![]));
    // The first listing's reply, arriving again late, is ignored.
    send(
        &mut model,
        certificates(o.certs_call, &o, vec![cert("a", CertStatus::Active, 90)]),
    );
    assert!(model.open.as_ref().unwrap().rows().is_empty());
}

fn toggled(model: &mut Model, cmds: &[Cmd], result: Result<bool, ApiError>) -> Vec<Cmd> {
    let (call, ticket) = cmds
        .iter()
        .find_map(|c| match c {
            Cmd::SetEnablement { call, ticket, .. } => Some((*call, ticket.clone())),
            _ => None,
        })
        .expect("a PUT was sent");
    send(
        model,
        Msg::Reply {
            call,
            reply: Reply::Toggled { ticket, result },
        },
    )
}

#[test]
fn e_toggles_with_a_pending_state_then_the_servers_answer() {
    let mut model = with_zones(1);
    open_loaded(&mut model, vec![cert("a", CertStatus::Active, 90)], false);
    let cmds = send(&mut model, ch('e'));
    assert!(matches!(
        cmds[..],
        [Cmd::SetEnablement { enabled: true, .. }]
    ));
    let e = &model.open.as_ref().unwrap().enablement;
    assert!(e.pending());
    assert_eq!(e.shown(), Some(true));
    let after = toggled(&mut model, &cmds, Ok(true));
    assert!(after.is_empty());
    let e = &model.open.as_ref().unwrap().enablement;
    assert!(!e.pending());
    assert_eq!(e.server, Some(true));
    assert_eq!(model.summaries[&zone(0).id].enabled, Some(true));
    // And back.
    let cmds = send(&mut model, ch('e'));
    assert!(matches!(
        cmds[..],
        [Cmd::SetEnablement { enabled: false, .. }]
    ));
    toggled(&mut model, &cmds, Ok(false));
    assert_eq!(model.open.as_ref().unwrap().enablement.shown(), Some(false));
}

#[test]
fn a_failed_toggle_rolls_back_shows_the_error_and_rereads_the_truth() {
    let mut model = with_zones(1);
    open_loaded(&mut model, vec![], false);
    let cmds = send(&mut model, ch('e'));
    let after = toggled(&mut model, &cmds, Err(api_error(500, 10001)));
    let e = &model.open.as_ref().unwrap().enablement;
    assert_eq!(e.shown(), Some(false), "rolled back to the server's state");
    assert!(!e.pending());
    match &model.status {
        Some(StatusMessage::Error(text)) => assert!(text.contains("10001"), "{text}"),
        other => panic!("{other:?}"),
    }
    let Cmd::LoadEnablement { call, ticket } = after[0].clone() else {
        panic!("{after:?}")
    };
    // The server had in fact applied it: the screen follows the server.
    send(&mut model, enablement_read(call, ticket, Ok(true)));
    assert_eq!(model.open.as_ref().unwrap().enablement.shown(), Some(true));
}

#[test]
fn e_after_a_failed_enablement_read_says_to_read_it_again() {
    let mut model = with_zones(1);
    let o = open(&mut model);
    assert!(send(&mut model, ch('e')).is_empty());
    assert_info(&model, &["still loading"]);
    send(
        &mut model,
        enablement_read(
            o.enablement_call,
            o.ticket.clone(),
            Err(api_error(500, 10001)),
        ),
    );
    assert!(send(&mut model, ch('e')).is_empty(), "nothing to toggle");
    assert_info(&model, &["press r"]);
}

#[test]
fn a_change_that_needed_a_retry_still_says_what_it_did() {
    let mut model = with_zones(1);
    open_loaded(&mut model, vec![], false);
    let cmds = send(&mut model, ch('e'));
    let Some(Cmd::SetEnablement { call, .. }) = cmds.first().cloned() else {
        panic!("{cmds:?}")
    };
    send(
        &mut model,
        Msg::Delayed {
            call,
            note: "retry 2/3 in 0.4 s: HTTP 503".into(),
            retry_reason: Some("HTTP 503".into()),
        },
    );
    toggled(&mut model, &cmds, Ok(true));
    assert_info(&model, &["enabled on", "after a retry: HTTP 503"]);
}

#[test]
fn a_read_sent_before_a_toggle_cannot_undo_it_by_answering_late() {
    let mut model = with_zones(1);
    open_loaded(&mut model, vec![], false);
    let refresh = send(&mut model, ch('r'));
    let (read, ticket) = refresh
        .iter()
        .find_map(|c| match c {
            Cmd::LoadEnablement { call, ticket } => Some((*call, ticket.clone())),
            _ => None,
        })
        .expect("r reads enablement again");
    let cmds = send(&mut model, ch('e'));
    toggled(&mut model, &cmds, Ok(true));
    send(&mut model, enablement_read(read, ticket, Ok(false)));
    assert_eq!(model.open.as_ref().unwrap().enablement.shown(), Some(true));
}

#[test]
fn a_change_still_out_when_another_zone_opens_is_kept_and_reported() {
    let mut model = with_zones(2);
    let first = open_loaded(&mut model, vec![], false);
    let cmds = send(&mut model, ch('e'));
    send(&mut model, key(KeyCode::BackTab));
    send(&mut model, ch('j'));
    open(&mut model);
    assert!(
        model
            .in_flight
            .iter()
            .any(|f| f.label.starts_with("enabling")),
        "a zone switch abandons reads, not changes: {:?}",
        model.in_flight
    );
    toggled(&mut model, &cmds, Ok(true));
    assert_eq!(model.summaries[&first.ticket.zone_id].enabled, Some(true));
    assert_info(&model, &["enabled on"]);
}

#[test]
fn e_pressed_twice_quickly_ends_in_the_state_of_the_last_press() {
    let mut model = with_zones(1);
    open_loaded(&mut model, vec![], false);
    let first = send(&mut model, ch('e'));
    let second = send(&mut model, ch('e'));
    assert!(second.is_empty(), "one PUT at a time");
    assert_eq!(model.open.as_ref().unwrap().enablement.shown(), Some(false));
    // The first PUT lands (enabled); the last wish (disabled) goes out next.
    let next = toggled(&mut model, &first, Ok(true));
    assert!(
        matches!(next[..], [Cmd::SetEnablement { enabled: false, .. }]),
        "{next:?}"
    );
    assert!(model.open.as_ref().unwrap().enablement.pending());
    toggled(&mut model, &next, Ok(false));
    let e = &model.open.as_ref().unwrap().enablement;
    assert_eq!((e.server, e.pending()), (Some(false), false));
}

#[test]
fn delete_asks_first_and_n_or_esc_send_nothing() {
    let mut model = with_zones(1);
    open_loaded(&mut model, vec![cert("only", CertStatus::Active, 90)], true);
    for cancel in [ch('n'), key(KeyCode::Esc)] {
        assert!(send(&mut model, ch('d')).is_empty());
        let Some(Overlay::ConfirmDelete(confirm)) = model.top_overlay() else {
            panic!("no dialog")
        };
        assert_eq!(confirm.cert_id, "only");
        assert!(confirm.only_active_while_enabled);
        assert!(send(&mut model, cancel).is_empty());
        assert!(model.overlays.is_empty());
    }
    // Keys other than y/n/Esc do nothing while the dialog is up.
    send(&mut model, key(KeyCode::Delete));
    assert!(send(&mut model, ch('q')).is_empty());
    assert!(!model.quit);
    let cmds = send(&mut model, ch('y'));
    assert!(
        matches!(&cmds[..], [Cmd::Delete { cert_id, .. }] if cert_id == "only"),
        "{cmds:?}"
    );
    assert!(model.overlays.is_empty());
}

#[test]
fn the_dialog_names_the_selected_certificate_and_warns_only_when_it_matters() {
    let mut model = with_zones(1);
    open_loaded(
        &mut model,
        vec![
            cert("a", CertStatus::Active, 90),
            cert("b", CertStatus::Active, 300),
        ],
        true,
    );
    send(&mut model, ch('j'));
    send(&mut model, ch('d'));
    let Some(Overlay::ConfirmDelete(confirm)) = model.top_overlay() else {
        panic!()
    };
    assert_eq!(confirm.cert_id, "b");
    assert!(!confirm.only_active_while_enabled, "another one is active");
}

#[test]
fn a_delete_of_a_certificate_already_gone_says_so_and_refreshes() {
    let mut model = with_zones(1);
    let o = open_loaded(
        &mut model,
        vec![cert("gone", CertStatus::Active, 90)],
        false,
    );
    send(&mut model, ch('d'));
    let cmds = send(&mut model, ch('y'));
    let Cmd::Delete { call, .. } = cmds[0] else {
        panic!()
    };
    let after = send(
        &mut model,
        Msg::Reply {
            call,
            reply: Reply::Deleted {
                ticket: o.ticket.clone(),
                cert_id: "gone".into(),
                result: Err(api_error(404, 1404)),
            },
        },
    );
    assert!(matches!(
        after[..],
        [Cmd::LoadCertificates { after: None, .. }]
    ));
    assert_info(&model, &["already gone"]);
}

/// The server's answer to an upload whose key does not fit its certificate.
fn key_refused(call: u64, ticket: Ticket) -> Msg {
    upload_answer(
        call,
        ticket,
        Err("the private key does not match the certificate".into()),
    )
}

/// The upload form on top of the screen.
fn open_form(model: &Model) -> &UploadForm {
    let Some(Overlay::Upload(form)) = model.top_overlay() else {
        panic!("no upload form on top: {:?}", model.overlays)
    };
    form
}

/// Opens the upload form, pastes both paths and submits: the upload's call id.
fn submit_upload(model: &mut Model) -> u64 {
    send(model, ch('u'));
    send(model, Msg::Paste("/tmp/cert.pem".into()));
    send(model, key(KeyCode::Tab));
    send(model, Msg::Paste("/tmp/key.pem".into()));
    let cmds = send(model, key(KeyCode::Enter));
    let Cmd::Upload { call, .. } = cmds[0].clone() else {
        panic!("{cmds:?}")
    };
    call
}

#[test]
fn upload_errors_keep_the_form_and_its_input() {
    let mut model = with_zones(1);
    let o = open_loaded(&mut model, vec![], false);
    send(&mut model, ch('u'));
    // Enter with nothing typed asks for both paths, sending nothing.
    assert!(send(&mut model, key(KeyCode::Enter)).is_empty());
    for c in "/tmp/cert.pem".chars() {
        send(&mut model, ch(c));
    }
    send(&mut model, key(KeyCode::Tab));
    send(&mut model, Msg::Paste("/tmp/key.pem\n".into()));
    let cmds = send(&mut model, key(KeyCode::Enter));
    let Cmd::Upload {
        call,
        cert_path,
        key_path,
        ..
    } = cmds[0].clone()
    else {
        panic!("{cmds:?}")
    };
    assert_eq!(cert_path.to_str(), Some("/tmp/cert.pem"));
    assert_eq!(key_path.to_str(), Some("/tmp/key.pem"));
    send(&mut model, key_refused(call, o.ticket.clone()));
    let form = open_form(&model);
    assert_eq!(form.cert_path.text(), "/tmp/cert.pem");
    assert_eq!(form.key_path.text(), "/tmp/key.pem");
    assert!(form.error.as_deref().unwrap().contains("does not match"));
    assert!(form.submitting.is_none());
}

#[test]
fn an_upload_closed_mid_flight_answers_in_the_status_line_not_in_a_newer_form() {
    let mut model = with_zones(1);
    let o = open_loaded(&mut model, vec![], false);
    let call = submit_upload(&mut model);
    send(&mut model, key(KeyCode::Esc));
    send(&mut model, ch('u'));
    send(&mut model, key_refused(call, o.ticket.clone()));
    let form = open_form(&model);
    assert!(form.error.is_none() && form.submitting.is_none());
    assert!(
        matches!(&model.status, Some(StatusMessage::Error(t)) if t.contains("does not match")),
        "{:?}",
        model.status
    );
}

#[test]
fn a_successful_upload_closes_the_form_and_polls_until_active() {
    let mut model = with_zones(1);
    let o = open_loaded(&mut model, vec![], false);
    let call = submit_upload(&mut model);
    let new = cert("new", CertStatus::PendingDeployment, 365);
    let after = send(
        &mut model,
        upload_answer(call, o.ticket.clone(), Ok(new.clone())),
    );
    assert!(model.overlays.is_empty());
    let Cmd::LoadCertificates { call, .. } = after[0] else {
        panic!("{after:?}")
    };
    // Still pending: a poll is scheduled, without a key press.
    let after = send(&mut model, certificates(call, &o, vec![new]));
    let Cmd::LoadCertificates {
        call,
        after: Some(_),
        ..
    } = after[0]
    else {
        panic!("{after:?}")
    };
    assert!(!model.busy(), "a scheduled poll does not spin the spinner");
    let after = send(
        &mut model,
        certificates(call, &o, vec![cert("new", CertStatus::Active, 365)]),
    );
    assert!(after.is_empty(), "no more polling once active");
    assert_eq!(
        model.open.as_ref().unwrap().rows()[0].cert.status,
        Some(CertStatus::Active)
    );
    // The line no longer says it is watching: it says how it ended.
    assert_info(&model, &["new", "is active on"]);
}

#[test]
fn an_upload_that_needed_a_retry_still_says_how_it_ended() {
    let mut model = with_zones(1);
    let o = open_loaded(&mut model, vec![], false);
    let call = submit_upload(&mut model);
    send(
        &mut model,
        Msg::Delayed {
            call,
            note: "retry 2/3 in 0.4 s: HTTP 503".into(),
            retry_reason: Some("HTTP 503".into()),
        },
    );
    let new = cert("new", CertStatus::PendingDeployment, 365);
    let after = send(&mut model, upload_answer(call, o.ticket.clone(), Ok(new)));
    // The retry is added to what the upload said, which is still the message
    // the poll reports on.
    assert_info(&model, &["uploaded", "watching", "after a retry: HTTP 503"]);
    let Cmd::LoadCertificates { call, .. } = after[0] else {
        panic!("{after:?}")
    };
    send(
        &mut model,
        certificates(call, &o, vec![cert("new", CertStatus::Active, 365)]),
    );
    assert_info(&model, &["new", "is active on"]);
}

#[test]
fn a_delete_says_when_the_certificate_is_gone_unless_something_else_was_said_since() {
    let pending_deletion = || cert("old", CertStatus::PendingDeletion, 90);
    for toggled_meanwhile in [false, true] {
        let mut model = with_zones(1);
        let o = open_loaded(&mut model, vec![cert("old", CertStatus::Active, 90)], false);
        send(&mut model, ch('d'));
        let cmds = send(&mut model, ch('y'));
        let Cmd::Delete { call, .. } = cmds[0] else {
            panic!("{cmds:?}")
        };
        let deleted = Msg::Reply {
            call,
            reply: Reply::Deleted {
                ticket: o.ticket.clone(),
                cert_id: "old".into(),
                result: Ok(pending_deletion()),
            },
        };
        let Cmd::LoadCertificates { call, .. } = send(&mut model, deleted)[0] else {
            panic!()
        };
        assert_info(&model, &["deleted", "removing it"]);
        let Cmd::LoadCertificates { call, .. } =
            send(&mut model, certificates(call, &o, vec![pending_deletion()]))[0]
        else {
            panic!()
        };
        if toggled_meanwhile {
            let cmds = send(&mut model, ch('e'));
            toggled(&mut model, &cmds, Ok(true));
        }
        assert!(send(&mut model, certificates(call, &o, vec![])).is_empty());
        if toggled_meanwhile {
            assert_info(&model, &["AOP enabled"]);
        } else {
            assert_info(&model, &["old", "is gone from"]);
        }
    }
}

#[test]
fn help_opens_anywhere_and_closes_with_esc() {
    let mut model = with_zones(1);
    send(&mut model, ch('?'));
    assert!(matches!(model.top_overlay(), Some(Overlay::Help)));
    send(&mut model, ch('j'));
    assert_eq!(model.zones.selected, 0, "keys go to the overlay");
    send(&mut model, key(KeyCode::Esc));
    assert!(model.overlays.is_empty());
}

#[test]
fn tab_cycles_focus_and_keys_outside_their_pane_do_nothing() {
    let mut model = with_zones(2);
    assert!(send(&mut model, ch('e')).is_empty(), "no zone open");
    assert!(send(&mut model, ch('u')).is_empty());
    assert!(model.overlays.is_empty());
    send(&mut model, key(KeyCode::Tab));
    assert_eq!(model.focus, Focus::Certs);
    send(&mut model, key(KeyCode::Tab));
    assert_eq!(model.focus, Focus::Detail);
    send(&mut model, key(KeyCode::Tab));
    assert_eq!(model.focus, Focus::Zones);
}

#[test]
fn the_list_keys_scroll_the_detail_pane_and_another_certificate_starts_at_the_top() {
    let mut model = with_zones(1);
    let certs = vec![
        cert("c1", CertStatus::Active, 90),
        cert("c2", CertStatus::Active, 60),
    ];
    let o = open_loaded(&mut model, certs.clone(), true);
    let scroll = |m: &Model| m.open.as_ref().unwrap().detail_scroll;
    // The view found 6 lines that do not fit, with 4 rows to show them.
    model.drawn_rows.detail_hidden.set(6);
    model.drawn_rows.detail.set(4);
    send(&mut model, key(KeyCode::Tab));
    assert_eq!(model.focus, Focus::Detail);
    send(&mut model, ch('j'));
    send(&mut model, key(KeyCode::Down));
    assert_eq!(scroll(&model), 2);
    assert_eq!(model.open.as_ref().unwrap().selected, 0, "the list stays");
    send(&mut model, key(KeyCode::PageDown));
    assert_eq!(scroll(&model), 5);
    send(&mut model, ch('G'));
    assert_eq!(scroll(&model), 6, "no further than the last line");
    send(&mut model, ch('j'));
    assert_eq!(scroll(&model), 6);
    send(&mut model, ch('k'));
    assert_eq!(scroll(&model), 5);
    // A reload that keeps the certificate keeps the place; one without it does not.
    load(&mut model, &o, certs.clone(), true);
    assert_eq!(scroll(&model), 5);
    load(&mut model, &o, certs[1..].to_vec(), true);
    assert_eq!(scroll(&model), 0);
    // Another certificate starts at the top. (The reload kept c2 selected.)
    load(&mut model, &o, certs, true);
    assert_eq!(model.open.as_ref().unwrap().selected, 1);
    send(&mut model, ch('j'));
    assert_eq!(scroll(&model), 1);
    send(&mut model, key(KeyCode::BackTab));
    send(&mut model, ch('k'));
    assert_eq!(model.open.as_ref().unwrap().selected, 0);
    assert_eq!(scroll(&model), 0);
}

#[test]
fn quit_with_q_or_ctrl_c_and_only_key_presses_count() {
    let mut model = with_zones(1);
    let mut release = KeyEvent::new(KeyCode::Char('q'), KeyModifiers::NONE);
    release.kind = KeyEventKind::Release;
    send(&mut model, Msg::Key(release));
    assert!(!model.quit);
    assert_eq!(send(&mut model, ch('q')), vec![Cmd::Quit]);
    assert!(model.quit);

    let mut model = with_zones(1);
    send(&mut model, ch('/'));
    send(
        &mut model,
        Msg::Key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL)),
    );
    assert!(model.quit, "Ctrl-C quits even from a text field");
}

#[test]
fn errors_show_cloudflares_code_and_message() {
    let (mut model, cmds) = started();
    let (call, generation) = first_page(&cmds);
    send(
        &mut model,
        page_failed(call, generation, api_error(403, 10000)),
    );
    assert!(!model.zones.loading);
    match &model.status {
        Some(StatusMessage::Error(text)) => {
            assert!(
                text.contains("10000") && text.contains("HTTP 403"),
                "{text}"
            )
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn the_no_credentials_screen_only_quits() {
    let mut model = Model::new(Screen::NoCredentials { config_path: None }, "", now());
    assert!(send(&mut model, Msg::Init { verify_token: true }).is_empty());
    assert!(send(&mut model, ch('r')).is_empty());
    send(&mut model, ch('q'));
    assert!(model.quit);
}

#[test]
fn a_retry_notice_annotates_its_call_until_the_reply() {
    let (mut model, cmds) = started();
    let (call, _) = first_page(&cmds);
    send(
        &mut model,
        Msg::Delayed {
            call,
            note: "retry 2/3 in 0.4 s: HTTP 503".into(),
            retry_reason: Some("HTTP 503".into()),
        },
    );
    assert_eq!(
        model.in_flight[0].note.as_deref(),
        Some("retry 2/3 in 0.4 s: HTTP 503")
    );
    // When it then succeeds, the status line says a retry got it through.
    send(&mut model, page_reply(call, 1, 1, vec![zone(0)], 1));
    assert_eq!(
        model.status,
        Some(StatusMessage::Info(
            "loading zones: done after a retry (HTTP 503)".into()
        ))
    );
    // A notice for a call no longer in flight changes nothing.
    send(
        &mut model,
        Msg::Delayed {
            call: 999,
            note: "x".into(),
            retry_reason: None,
        },
    );
    assert!(model.in_flight.is_empty());
}

fn cache_call(cmds: &[Cmd]) -> u64 {
    cmds.iter()
        .find_map(|c| match c {
            Cmd::LoadCache { call } => Some(*call),
            _ => None,
        })
        .expect("the cache is read at start")
}

#[test]
fn the_cached_list_shows_first_and_is_replaced_whole_then_saved() {
    let (mut model, cmds) = started();
    let (call, generation) = first_page(&cmds);
    send(
        &mut model,
        Msg::Reply {
            call: cache_call(&cmds),
            reply: Reply::Cached(Some((0..80).map(zone).collect())),
        },
    );
    assert!(model.zones.cached);
    assert_eq!(model.zones.visible.len(), 80);

    // The network's first page does not shrink the list to 50.
    let more = send(
        &mut model,
        page_reply(call, generation, 1, (0..50).map(zone).collect(), 60),
    );
    assert_eq!(model.zones.zones.len(), 80);
    assert!(model.zones.cached);
    let Cmd::LoadZonePage { call, .. } = zone_page(&more) else {
        unreachable!()
    };
    let done = send(
        &mut model,
        page_reply(call, generation, 2, (50..60).map(zone).collect(), 60),
    );
    assert!(!model.zones.cached && !model.zones.loading);
    assert_eq!(model.zones.zones.len(), 60);
    assert!(
        matches!(&done[..], [Cmd::SaveCache { zones }] if zones.len() == 60),
        "{done:?}"
    );
}

#[test]
fn a_cache_that_arrives_after_the_network_is_ignored() {
    let (mut model, cmds) = started();
    let (call, generation) = first_page(&cmds);
    send(
        &mut model,
        page_reply(call, generation, 1, (0..3).map(zone).collect(), 3),
    );
    send(
        &mut model,
        Msg::Reply {
            call: cache_call(&cmds),
            reply: Reply::Cached(Some((0..80).map(zone).collect())),
        },
    );
    assert_eq!(model.zones.zones.len(), 3);
    assert!(!model.zones.cached);
}

#[test]
fn a_failed_page_keeps_the_old_list_and_saves_nothing() {
    let mut model = with_zones(5);
    let cmds = send(&mut model, ch('r'));
    let (call, generation) = first_page(&cmds);
    let after = send(
        &mut model,
        page_failed(call, generation, api_error(500, 10001)),
    );
    assert!(
        after.is_empty(),
        "an incomplete list is not cached: {after:?}"
    );
    assert_eq!(model.zones.zones.len(), 5);
}

#[test]
fn typing_while_zones_load_also_asks_the_server_once_typing_pauses() {
    let (mut model, cmds) = started();
    let (call, generation) = first_page(&cmds);
    // The first of 200 pages is in; the rest are still loading.
    send(
        &mut model,
        page_reply(call, generation, 1, (0..50).map(zone).collect(), 10_000),
    );
    assert!(model.zones.loading);
    send(&mut model, ch('/'));
    let first = send(&mut model, ch('z'));
    let second = send(&mut model, ch('z'));
    let search = |cmds: &[Cmd]| {
        cmds.iter()
            .find_map(|c| match c {
                Cmd::SearchZones {
                    call,
                    generation,
                    query,
                    after,
                } => Some((*call, *generation, query.clone(), *after)),
                _ => None,
            })
            .expect("a search")
    };
    let (old_call, old_generation, _, _) = search(&first);
    let (call, generation, query, after) = search(&second);
    assert_eq!(query, "zz");
    assert!(model.zones.visible.is_empty(), "no loaded zone has two z's");
    assert_eq!(after, originpull::app::update::SEARCH_DEBOUNCE);
    assert!(
        model.in_flight.iter().all(|f| f.call != old_call),
        "the superseded search no longer spins"
    );

    let far = Zone {
        id: format!("{:032x}", 9999),
        name: "zz9-far-away.example".into(),
        status: None,
        account: None,
    };
    // A late answer to the superseded search is dropped.
    send(
        &mut model,
        Msg::Reply {
            call: old_call,
            reply: Reply::SearchResult {
                generation: old_generation,
                result: Ok(Page {
                    items: vec![zone(7777)],
                    info: None,
                }),
            },
        },
    );
    assert!(!model.zones.zones.iter().any(|z| z.name == zone(7777).name));
    send(
        &mut model,
        Msg::Reply {
            call,
            reply: Reply::SearchResult {
                generation,
                result: Ok(Page {
                    items: vec![far.clone()],
                    info: None,
                }),
            },
        },
    );
    let top = model.zones.selected_zone().unwrap();
    assert_eq!(top.name, far.name, "found before its page arrived");
}

#[test]
fn once_everything_is_loaded_typing_asks_nothing() {
    let mut model = with_zones(30);
    send(&mut model, ch('/'));
    assert!(send(&mut model, ch('z')).is_empty());
}

#[test]
fn the_account_name_survives_the_cache() {
    let (mut model, cmds) = started();
    let (call, generation) = first_page(&cmds);
    let mut zones: Vec<Zone> = (0..3).map(zone).collect();
    for z in &mut zones {
        z.account = Some(Box::new(originpull::api::ZoneAccount {
            id: None,
            name: Some("Example Ltd".into()),
        }));
    }
    let done = send(&mut model, page_reply(call, generation, 1, zones, 3));
    assert_eq!(model.account_name(), Some("Example Ltd"));
    let [Cmd::SaveCache { zones }] = &done[..] else {
        panic!("{done:?}")
    };
    assert!(
        zones[1..].iter().all(|z| z.account.is_none()),
        "one copy is kept"
    );

    let (mut next, cmds) = started();
    send(
        &mut next,
        Msg::Reply {
            call: cache_call(&cmds),
            reply: Reply::Cached(Some(zones.clone())),
        },
    );
    assert_eq!(next.account_name(), Some("Example Ltd"));
}

#[test]
fn a_rate_limit_wait_is_shown_but_is_not_called_a_retry() {
    let (mut model, cmds) = started();
    let (call, generation) = first_page(&cmds);
    send(
        &mut model,
        Msg::Delayed {
            call,
            note: "held 12 s by the rate limit (1200 calls per 5 minutes)".into(),
            retry_reason: None,
        },
    );
    assert!(
        model.in_flight[0]
            .note
            .as_deref()
            .unwrap()
            .contains("rate limit")
    );
    send(
        &mut model,
        page_reply(call, generation, 1, vec![zone(0)], 1),
    );
    assert_eq!(model.status, None);
}

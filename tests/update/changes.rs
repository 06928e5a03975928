//! The changes a user makes: toggling enablement, uploading, deleting.

use super::*;

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
    assert_error(&model, &["10001"]);
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
    send(&mut model, retry_notice(call));
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
                hostname: false,
            },
        },
    );
    assert!(matches!(
        after[..],
        [Cmd::LoadCertificates { after: None, .. }]
    ));
    assert_info(&model, &["already gone"]);
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
    send(&mut model, retry_notice(call));
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
                hostname: false,
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

/// The answer to the global PATCH among `cmds`.
fn global_set(model: &mut Model, cmds: &[Cmd], result: Result<bool, ApiError>) -> Vec<Cmd> {
    let (call, ticket) = cmds
        .iter()
        .find_map(|c| match c {
            Cmd::SetGlobal { call, ticket, .. } => Some((*call, ticket.clone())),
            _ => None,
        })
        .expect("a PATCH was sent");
    send(
        model,
        Msg::Reply {
            call,
            reply: Reply::GlobalSet {
                ticket,
                result: result.map(|on| GlobalAop {
                    on,
                    editable: Some(true),
                    modified_on: None,
                }),
            },
        },
    )
}

#[test]
fn shift_e_toggles_the_global_switch_with_a_pending_state_and_the_last_press_wins() {
    let mut model = with_zones(1);
    open_loaded(&mut model, vec![], false);
    let first = send(&mut model, ch('E'));
    assert!(
        matches!(first[..], [Cmd::SetGlobal { on: true, .. }]),
        "{first:?}"
    );
    let global = &model.open.as_ref().unwrap().global;
    assert!(global.pending() && global.shown() == Some(true));
    // Pressed again while the PATCH is out: nothing more goes, the last wish waits.
    assert!(send(&mut model, ch('E')).is_empty());
    let next = global_set(&mut model, &first, Ok(true));
    assert!(
        matches!(next[..], [Cmd::SetGlobal { on: false, .. }]),
        "{next:?}"
    );
    global_set(&mut model, &next, Ok(false));
    let global = &model.open.as_ref().unwrap().global;
    assert_eq!((global.server, global.pending()), (Some(false), false));
    assert_info(&model, &["global AOP off on"]);
    // zone-level was never touched.
    assert_eq!(model.open.as_ref().unwrap().enablement.server, Some(false));
}

#[test]
fn a_refused_global_change_rolls_back_says_why_and_rereads_the_settings() {
    let mut model = with_zones(1);
    open_loaded(&mut model, vec![], false);
    let cmds = send(&mut model, ch('E'));
    let after = global_set(&mut model, &cmds, Err(api_error(400, 1010)));
    assert_error(&model, &["could not change global AOP", "1010"]);
    let global = &model.open.as_ref().unwrap().global;
    assert_eq!((global.shown(), global.pending()), (Some(false), false));
    let [Cmd::LoadSettings { call, ticket }] = after.as_slice() else {
        panic!("{after:?}")
    };
    // The server says it is locked: `E` then says so and sends nothing.
    let mut locked = settings(false);
    locked.global.as_mut().unwrap().editable = Some(false);
    send(
        &mut model,
        Msg::Reply {
            call: *call,
            reply: Reply::Settings {
                ticket: ticket.clone(),
                result: Ok(locked),
            },
        },
    );
    assert!(send(&mut model, ch('E')).is_empty());
    assert_info(&model, &["global AOP cannot be changed on this zone"]);
}

#[test]
fn a_settings_read_sent_before_the_global_change_cannot_undo_it() {
    let mut model = with_zones(1);
    let o = open(&mut model);
    load(&mut model, &o, vec![], false);
    let refresh = send(&mut model, ch('r'));
    let (read, ticket) = refresh
        .iter()
        .find_map(|c| match c {
            Cmd::LoadSettings { call, ticket } => Some((*call, ticket.clone())),
            _ => None,
        })
        .expect("r reads the settings again");
    let cmds = send(&mut model, ch('E'));
    global_set(&mut model, &cmds, Ok(true));
    send(
        &mut model,
        Msg::Reply {
            call: read,
            reply: Reply::Settings {
                ticket,
                result: Ok(settings(false)),
            },
        },
    );
    assert_eq!(model.open.as_ref().unwrap().global.shown(), Some(true));
}

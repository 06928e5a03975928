//! The open zone: opening it, reads that race, polling, the detail pane.

use super::*;

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

#[test]
fn a_pending_certificate_is_polled_with_backoff_until_it_settles() {
    let mut model = with_zones(1);
    let o = open(&mut model);
    let pending = || vec![cert("p", CertStatus::PendingDeployment, 365)];
    let mut call = o.certs_call;
    let mut delays = Vec::new();
    for _ in 0..4 {
        let after = send(&mut model, certificates(call, &o, pending()));
        let [
            Cmd::LoadCertificates {
                call: next,
                after: Some(delay),
                ..
            },
        ] = after[..]
        else {
            panic!("{after:?}")
        };
        call = next;
        delays.push(delay);
    }
    assert!(delays.windows(2).all(|w| w[0] < w[1]), "{delays:?}");
    assert_eq!(delays[0], originpull::app::update::poll_delay(0));
    let after = send(
        &mut model,
        certificates(call, &o, vec![cert("p", CertStatus::Active, 365)]),
    );
    assert!(after.is_empty(), "settled: no more polls");
}

#[test]
fn a_certificate_pending_for_ever_is_looked_at_a_bounded_number_of_times() {
    use originpull::app::update::MAX_POLLS;
    let mut model = with_zones(1);
    let o = open(&mut model);
    let pending = || vec![cert("p", CertStatus::PendingDeployment, 365)];
    let mut call = o.certs_call;
    let mut looks = 0;
    loop {
        let after = send(&mut model, certificates(call, &o, pending()));
        match after[..] {
            [Cmd::LoadCertificates { call: next, .. }] => {
                call = next;
                looks += 1;
                assert!(looks < 100, "it never stops");
            }
            [] => break,
            _ => panic!("{after:?}"),
        }
    }
    assert_eq!(looks + 1, MAX_POLLS, "the first read, then the polls");
    let Some(StatusMessage::Error(text)) = &model.status else {
        panic!("{:?}", model.status)
    };
    assert!(
        text.contains("stopped looking") && text.contains("r looks again"),
        "{text}"
    );
    // r looks again.
    let after = send(&mut model, ch('r'));
    assert!(
        after
            .iter()
            .any(|c| matches!(c, Cmd::LoadCertificates { after: None, .. })),
        "{after:?}"
    );
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
    drawn(
        &mut model,
        Drawn {
            detail_rows: 4,
            detail_hidden: 6,
            ..Drawn::default()
        },
    );
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
fn h_shows_the_hostnames_view_reads_the_known_hostnames_and_goes_back() {
    use originpull::api::Association;
    use originpull::hostnames::{HostnameState, Source};
    let mut model = with_zones(2);
    let o = open_loaded(&mut model, vec![cert("zl", CertStatus::Active, 90)], true);
    let cmds = send(&mut model, ch('H'));
    let (call, ticket) = match &cmds[..] {
        [Cmd::LoadHostnames { call, ticket }] => (*call, ticket.clone()),
        other => panic!("{other:?}"),
    };
    assert_eq!(ticket, o.ticket);
    // d does not act on a zone-level certificate that is not shown; u uploads a
    // hostname certificate here.
    model.focus = Focus::Certs;
    assert!(send(&mut model, ch('d')).is_empty());
    assert!(model.overlays.is_empty());
    send(&mut model, ch('u'));
    assert!(matches!(model.top_overlay(), Some(Overlay::Upload(f)) if f.hostname));
    send(&mut model, key(KeyCode::Esc));
    let states = vec![HostnameState {
        hostname: "www.zone00.example".into(),
        source: Source::Associated,
        association: Some(Association {
            hostname: Some("www.zone00.example".into()),
            cert_id: Some("h1".into()),
            enabled: Some(false),
            ..Default::default()
        }),
        error: None,
    }];
    send(
        &mut model,
        Msg::Reply {
            call,
            reply: Reply::Hostnames {
                ticket,
                states: states.clone(),
            },
        },
    );
    assert_eq!(
        model.open.as_ref().unwrap().hostnames,
        Some(Loadable::Loaded(states))
    );
    send(&mut model, ch('H'));
    assert_eq!(model.open.as_ref().unwrap().hostnames, None);
    // Back on the certificates, d asks about the zone-level one again.
    send(&mut model, ch('d'));
    assert!(matches!(
        model.top_overlay(),
        Some(Overlay::ConfirmDelete(_))
    ));
}

#[test]
fn x_disables_and_shift_x_clears_the_selected_hostname_each_after_a_dialog() {
    use originpull::api::{Association, HostnameSetting};
    use originpull::hostnames::{HostnameState, Source};
    let mut model = with_zones(2);
    open_loaded(&mut model, vec![cert("zl", CertStatus::Active, 90)], true);
    model.focus = Focus::Certs;
    let cmds = send(&mut model, ch('H'));
    let Cmd::LoadHostnames { call, ticket } = cmds[0].clone() else {
        panic!("{cmds:?}")
    };
    let state = |host: &str, enabled: Option<bool>| HostnameState {
        hostname: host.into(),
        source: Source::Associated,
        association: enabled.map(|e| Association {
            hostname: Some(host.into()),
            cert_id: Some("h1".into()),
            enabled: Some(e),
            ..Default::default()
        }),
        error: None,
    };
    send(
        &mut model,
        Msg::Reply {
            call,
            reply: Reply::Hostnames {
                ticket: ticket.clone(),
                states: vec![
                    state("a.zone00.example", Some(true)),
                    state("b.zone00.example", None),
                ],
            },
        },
    );
    // x on a.zone00.example: the dialog names it; n sends nothing.
    send(&mut model, ch('x'));
    let Some(Overlay::ConfirmHostname(confirm)) = model.top_overlay() else {
        panic!("no dialog: {:?}", model.overlays)
    };
    assert_eq!(confirm.hostname, "a.zone00.example");
    assert_eq!(confirm.change, HostnameChange::Disable);
    assert!(confirm.consequence.contains("no client certificate"));
    assert!(send(&mut model, ch('n')).is_empty());
    assert!(model.overlays.is_empty());
    // y sends false for it, with its certificate.
    send(&mut model, ch('x'));
    let cmds = send(&mut model, ch('y'));
    let expected = |enabled| {
        vec![HostnameSetting {
            hostname: "a.zone00.example".into(),
            cert_id: Some("h1".into()),
            enabled,
        }]
    };
    assert!(
        matches!(&cmds[..], [Cmd::SetHostnames { settings, .. }] if *settings == expected(Some(false))),
        "{cmds:?}"
    );
    // X clears: an explicit null.
    send(&mut model, key(KeyCode::Char('X')));
    let Some(Overlay::ConfirmHostname(confirm)) = model.top_overlay() else {
        panic!("no dialog")
    };
    assert_eq!(confirm.change, HostnameChange::Clear);
    let cmds = send(&mut model, ch('y'));
    assert!(
        matches!(&cmds[..], [Cmd::SetHostnames { settings, .. }] if *settings == expected(None)),
        "{cmds:?}"
    );
    // A hostname with no association has nothing to disable or clear.
    send(&mut model, ch('j'));
    send(&mut model, ch('x'));
    assert!(model.overlays.is_empty());
    // The answer re-reads the view.
    let cmds = send(
        &mut model,
        Msg::Reply {
            call: 999,
            reply: Reply::HostnamesSet {
                ticket,
                result: Ok(vec![]),
            },
        },
    );
    assert!(matches!(&cmds[..], [Cmd::LoadHostnames { .. }]), "{cmds:?}");
}

#[test]
fn u_in_the_hostnames_view_uploads_a_hostname_certificate_and_lists_them_again() {
    let mut model = with_zones(2);
    open_loaded(&mut model, vec![cert("zl", CertStatus::Active, 90)], true);
    send(&mut model, ch('H'));
    send(&mut model, ch('u'));
    let Some(Overlay::Upload(form)) = model.top_overlay() else {
        panic!("no form: {:?}", model.overlays)
    };
    assert!(form.hostname);
    for c in "/c.pem".chars() {
        send(&mut model, ch(c));
    }
    send(&mut model, key(KeyCode::Tab));
    for c in "/k.pem".chars() {
        send(&mut model, ch(c));
    }
    let cmds = send(&mut model, key(KeyCode::Enter));
    let (call, ticket) = match &cmds[..] {
        [
            Cmd::Upload {
                call,
                ticket,
                hostname: true,
                ..
            },
        ] => (*call, ticket.clone()),
        other => panic!("{other:?}"),
    };
    let cmds = send(
        &mut model,
        Msg::Reply {
            call,
            reply: Reply::Uploaded {
                ticket,
                result: Ok(cert("h2", CertStatus::PendingDeployment, 365)),
                hostname: true,
            },
        },
    );
    assert!(
        matches!(&cmds[..], [Cmd::LoadHostnameCertificates { .. }]),
        "{cmds:?}"
    );
    assert!(model.overlays.is_empty());
    assert!(
        matches!(&model.status, Some(StatusMessage::Info(t)) if t.contains("hostname certificate"))
    );
}

#[test]
fn d_in_the_hostnames_view_deletes_a_hostname_certificate_only_when_no_known_hostname_uses_it() {
    use originpull::api::Association;
    use originpull::hostnames::{HostnameState, Source};
    let mut model = with_zones(2);
    let o = open_loaded(&mut model, vec![cert("zl", CertStatus::Active, 90)], true);
    // The zone's hostname certificates: "used" and "free".
    send(
        &mut model,
        Msg::Reply {
            call: o.hostnames_call,
            reply: Reply::HostnameCertificates {
                ticket: o.ticket.clone(),
                result: Ok(vec![
                    cert("used", CertStatus::Active, 90),
                    cert("free", CertStatus::Active, 90),
                ]),
            },
        },
    );
    model.focus = Focus::Certs;
    let cmds = send(&mut model, ch('H'));
    let Cmd::LoadHostnames { call, ticket } = cmds[0].clone() else {
        panic!("{cmds:?}")
    };
    send(
        &mut model,
        Msg::Reply {
            call,
            reply: Reply::Hostnames {
                ticket,
                states: vec![HostnameState {
                    hostname: "www.zone00.example".into(),
                    source: Source::Associated,
                    association: Some(Association {
                        cert_id: Some("used".into()),
                        enabled: Some(false),
                        ..Default::default()
                    }),
                    error: None,
                }],
            },
        },
    );
    // "used": refused, naming the hostname; nothing sent.
    assert!(send(&mut model, ch('d')).is_empty());
    assert!(model.overlays.is_empty());
    assert!(
        matches!(&model.status, Some(StatusMessage::Error(t)) if t.contains("www.zone00.example"))
    );
    // "free": the dialog, then a hostname certificate delete.
    send(&mut model, ch('j'));
    send(&mut model, ch('d'));
    let Some(Overlay::ConfirmDelete(confirm)) = model.top_overlay() else {
        panic!("no dialog")
    };
    assert!(confirm.hostname && confirm.cert_id == "free");
    let cmds = send(&mut model, ch('y'));
    assert!(
        matches!(&cmds[..], [Cmd::Delete { cert_id, hostname: true, .. }] if cert_id == "free"),
        "{cmds:?}"
    );
    // On a hostname row, d says what it is for.
    send(&mut model, ch('j'));
    assert!(send(&mut model, ch('d')).is_empty());
    assert!(model.overlays.is_empty());
}

#[test]
fn shift_a_on_a_hostname_certificate_associates_the_hostnames_typed_in_one_put() {
    use originpull::api::HostnameSetting;
    let mut model = with_zones(2);
    let o = open_loaded(&mut model, vec![cert("zl", CertStatus::Active, 90)], true);
    send(
        &mut model,
        Msg::Reply {
            call: o.hostnames_call,
            reply: Reply::HostnameCertificates {
                ticket: o.ticket.clone(),
                result: Ok(vec![cert("h1", CertStatus::Active, 90)]),
            },
        },
    );
    model.focus = Focus::Certs;
    send(&mut model, ch('H'));
    send(&mut model, key(KeyCode::Char('A')));
    assert!(matches!(model.top_overlay(), Some(Overlay::Associate(f)) if f.cert_id == "h1"));
    // Nothing typed: said, nothing sent.
    assert!(send(&mut model, key(KeyCode::Enter)).is_empty());
    for c in "WWW.zone00.example, api.zone00.example.".chars() {
        send(&mut model, ch(c));
    }
    let cmds = send(&mut model, key(KeyCode::Enter));
    let expected: Vec<HostnameSetting> = ["www.zone00.example", "api.zone00.example"]
        .iter()
        .map(|h| HostnameSetting {
            hostname: (*h).to_owned(),
            cert_id: Some("h1".into()),
            enabled: Some(true),
        })
        .collect();
    assert!(
        matches!(&cmds[..], [Cmd::SetHostnames { settings, .. }] if *settings == expected),
        "{cmds:?}"
    );
    assert!(model.overlays.is_empty());
}

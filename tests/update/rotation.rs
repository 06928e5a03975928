//! `R`: the rotation form, its plan and its progress, driven by keys and replies.

use std::collections::HashMap;

use originpull::certinfo::CertDetails;
use originpull::rotate::{self, Answer, Ask};

use super::*;

fn details() -> CertDetails {
    CertDetails {
        subject: "CN=new.example".into(),
        issuer: "CN=Second CA".into(),
        issuer_common_name: Some("Second CA".into()),
        sans: vec!["new.example".into()],
        serial: "0a:1b".into(),
        sha256: "AA:BB".into(),
        key: "ECDSA P-256".into(),
        signature: "ECDSAWithSHA256".into(),
        not_before: now(),
        not_after: now() + chrono::Duration::days(365),
        is_ca: false,
    }
}

fn mine(status: CertStatus) -> Certificate {
    Certificate {
        id: Some("new".into()),
        status: Some(status),
        issuer: Some("CN=Second CA".into()),
        serial_number: Some("0a1b".into()),
        ..Default::default()
    }
}

fn pane(model: &Model) -> &RotationPane {
    model.rotation.as_ref().expect("a rotation")
}

fn typed(model: &mut Model, text: &str) {
    for c in text.chars() {
        send(model, ch(c));
    }
}

/// The form filled in and Enter pressed: the files go to the executor.
fn submitted(model: &mut Model) -> (u64, u64) {
    send(model, ch('R'));
    typed(model, "/certs/new.pem");
    send(model, key(KeyCode::Down));
    typed(model, "/certs/new.key");
    let cmds = send(model, key(KeyCode::Enter));
    match &cmds[..] {
        [
            Cmd::StartRotation {
                call,
                pane,
                cert_path,
                key_path,
                hostnames: false,
            },
        ] => {
            assert_eq!(cert_path.to_str(), Some("/certs/new.pem"));
            assert_eq!(key_path.to_str(), Some("/certs/new.key"));
            (*call, *pane)
        }
        other => panic!("{other:?}"),
    }
}

fn rotate_calls(cmds: &[Cmd]) -> Vec<(u64, u64, rotate::Call)> {
    cmds.iter()
        .filter_map(|c| match c {
            Cmd::Rotate { call, pane, step } => Some((*call, *pane, step.clone())),
            _ => None,
        })
        .collect()
}

fn answer(
    model: &mut Model,
    (call, pane, step): (u64, u64, rotate::Call),
    answer: Answer,
) -> Vec<Cmd> {
    send(
        model,
        Msg::Reply {
            call,
            reply: Reply::Rotated { pane, step, answer },
        },
    )
}

/// A zone open with one active certificate, the files checked, the list read: the
/// plan is on screen.
fn planned() -> Model {
    let mut model = with_zones(2);
    open_loaded(&mut model, vec![cert("old", CertStatus::Active, 30)], true);
    let (call, id) = submitted(&mut model);
    assert_eq!(pane(&model).stage, Stage::Checking);
    let cmds = send(
        &mut model,
        Msg::Reply {
            call,
            reply: Reply::RotationReady {
                pane: id,
                result: Ok((details(), HashMap::new())),
            },
        },
    );
    assert!(
        matches!(cmds.first(), Some(Cmd::Journal(entries)) if !entries.is_empty()),
        "the journal is written before the call: {cmds:?}"
    );
    let calls = rotate_calls(&cmds);
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].2.ask, Ask::List);
    answer(
        &mut model,
        calls[0].clone(),
        Answer::Listed(vec![cert("old", CertStatus::Active, 30)]),
    );
    assert_eq!(pane(&model).stage, Stage::Plan);
    model
}

#[test]
fn r_without_a_zone_says_what_to_do() {
    let mut model = with_zones(2);
    assert!(send(&mut model, ch('R')).is_empty());
    assert!(model.rotation.is_none());
    assert!(matches!(&model.status, Some(StatusMessage::Info(t)) if t.contains("Space")));
}

#[test]
fn the_form_needs_both_files_and_shows_the_current_certificate() {
    let mut model = with_zones(2);
    open_loaded(&mut model, vec![cert("old", CertStatus::Active, 30)], true);
    send(&mut model, ch('R'));
    assert_eq!(model.mode(), originpull::app::keys::Mode::RotateForm);
    let current = pane(&model).current.as_ref().unwrap();
    assert_eq!(current.1[0].id.as_deref(), Some("old"));
    // q types: it does not quit from a text field.
    send(&mut model, ch('q'));
    assert!(!model.quit);
    assert!(send(&mut model, key(KeyCode::Enter)).is_empty());
    assert!(pane(&model).error.as_deref().unwrap().contains("key"));
    // Leaving the certificate field reads it, once.
    let cmds = send(&mut model, key(KeyCode::Down));
    assert!(
        matches!(&cmds[..], [Cmd::ReadNewCert { path, .. }] if path == "q"),
        "{cmds:?}"
    );
    send(&mut model, key(KeyCode::Esc));
    assert!(model.rotation.is_none() && model.overlays.is_empty());
}

#[test]
fn tab_asks_for_completions_and_a_single_one_fills_the_field() {
    let mut model = with_zones(2);
    open_loaded(&mut model, vec![], true);
    send(&mut model, ch('R'));
    typed(&mut model, "/certs/ne");
    let cmds = send(&mut model, key(KeyCode::Tab));
    let (call, id, field) = match &cmds[..] {
        [
            Cmd::CompletePath {
                call,
                pane,
                field,
                typed,
            },
        ] if typed == "/certs/ne" => (*call, *pane, *field),
        other => panic!("{other:?}"),
    };
    let reply = |candidates: &[&str]| Msg::Reply {
        call,
        reply: Reply::Completed {
            pane: id,
            field,
            typed: "/certs/ne".into(),
            candidates: candidates.iter().map(|s| (*s).to_owned()).collect(),
        },
    };
    send(&mut model, reply(&["/certs/new.key", "/certs/new.pem"]));
    assert_eq!(pane(&model).cert_path.value(), "/certs/new.");
    assert_eq!(pane(&model).completions.len(), 2);
    // A later answer for text no longer typed is dropped.
    send(&mut model, reply(&["/certs/new.pem"]));
    assert_eq!(pane(&model).cert_path.value(), "/certs/new.");
}

#[test]
fn files_that_fail_their_checks_go_back_to_the_form_with_the_reason() {
    let mut model = with_zones(2);
    open_loaded(&mut model, vec![], true);
    let (call, id) = submitted(&mut model);
    send(
        &mut model,
        Msg::Reply {
            call,
            reply: Reply::RotationReady {
                pane: id,
                result: Err(CertError::EncryptedKey),
            },
        },
    );
    assert_eq!(pane(&model).stage, Stage::Form);
    assert!(pane(&model).error.is_some());
}

#[test]
fn the_plan_waits_for_y_and_cancelling_it_changes_nothing() {
    let mut model = planned();
    let plan = pane(&model).rotation.as_ref().unwrap().zones()[0]
        .plan
        .clone()
        .unwrap();
    assert_eq!(plan.replaces[0].id, "old");
    // Any other key: nothing goes.
    assert!(rotate_calls(&send(&mut model, ch('j'))).is_empty());
    let cmds = send(&mut model, ch('n'));
    assert_eq!(cmds, [Cmd::EndRotation]);
    assert!(model.rotation.is_none());
}

#[test]
fn y_runs_it_the_progress_hides_and_comes_back_and_the_end_closes_the_journal() {
    let mut model = planned();
    let cmds = send(&mut model, ch('y'));
    assert_eq!(pane(&model).stage, Stage::Running);
    let upload = rotate_calls(&cmds).pop().unwrap();
    assert_eq!(upload.2.ask, Ask::Upload);
    // Hidden while it runs: the main screen's keys work again.
    send(&mut model, key(KeyCode::Esc));
    assert!(model.overlays.is_empty());
    assert_eq!(model.mode(), originpull::app::keys::Mode::Main);
    send(&mut model, ch('j'));
    let cmds = answer(
        &mut model,
        upload,
        Answer::Uploaded(mine(CertStatus::Active)),
    );
    let delete = rotate_calls(&cmds).pop().unwrap();
    assert_eq!(
        delete.2.ask,
        Ask::Delete {
            cert_id: "old".into()
        }
    );
    send(&mut model, ch('R'));
    assert!(matches!(model.top_overlay(), Some(Overlay::Rotate)));
    let cmds = answer(&mut model, delete, Answer::Deleted);
    assert!(cmds.contains(&Cmd::EndRotation), "{cmds:?}");
    assert!(
        cmds.iter()
            .any(|c| matches!(c, Cmd::LoadCertificates { .. })),
        "the open zone shows the server's state after: {cmds:?}"
    );
    assert_eq!(pane(&model).stage, Stage::Finished);
    assert!(matches!(&model.status, Some(StatusMessage::Info(t)) if t.contains("1 of 1")));
    send(&mut model, key(KeyCode::Esc));
    assert!(model.rotation.is_none());
}

#[test]
fn space_marks_zones_and_r_rotates_the_marked_ones() {
    let mut model = with_zones(3);
    send(&mut model, ch(' '));
    send(&mut model, ch('j'));
    send(&mut model, ch('j'));
    send(&mut model, ch(' '));
    assert_eq!(model.marked.len(), 2);
    send(&mut model, ch('R'));
    let names: Vec<&str> = pane(&model).zones.iter().map(|(_, n)| n.as_str()).collect();
    assert_eq!(names, ["zone00.example", "zone02.example"]);
    assert!(pane(&model).current.is_none());
}

#[test]
fn r_in_the_hostnames_view_rotates_the_hostname_certificate_with_its_hostnames() {
    use originpull::api::Association;
    use originpull::hostnames::{HostnameState, Source};
    let mut model = with_zones(2);
    open_loaded(&mut model, vec![cert("old", CertStatus::Active, 30)], true);
    let cmds = send(&mut model, ch('H'));
    let Cmd::LoadHostnames { call, ticket } = cmds[0].clone() else {
        panic!("{cmds:?}")
    };
    // Not before the hostnames are read.
    send(&mut model, ch('R'));
    assert!(model.rotation.is_none());
    let www = Association {
        cert_id: Some("h-old".into()),
        enabled: Some(true),
        ..Default::default()
    };
    send(
        &mut model,
        Msg::Reply {
            call,
            reply: Reply::Hostnames {
                ticket,
                states: vec![
                    HostnameState {
                        hostname: "www.zone00.example".into(),
                        source: Source::Associated,
                        association: Some(www.clone()),
                        error: None,
                    },
                    HostnameState {
                        hostname: "none.zone00.example".into(),
                        source: Source::Discovered,
                        association: None,
                        error: None,
                    },
                ],
            },
        },
    );
    send(&mut model, ch('R'));
    assert_eq!(
        pane(&model).hostnames,
        Some(vec![("www.zone00.example".to_owned(), www)])
    );
    typed(&mut model, "/certs/new.pem");
    send(&mut model, key(KeyCode::Down));
    typed(&mut model, "/certs/new.key");
    let cmds = send(&mut model, key(KeyCode::Enter));
    assert!(
        matches!(
            &cmds[..],
            [Cmd::StartRotation {
                hostnames: true,
                ..
            }]
        ),
        "{cmds:?}"
    );
}

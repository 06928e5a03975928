//! The overlays: the delete dialog, the upload form, help; and quitting.

use super::*;

/// The upload form on top of the screen.
fn open_form(model: &Model) -> &UploadForm {
    let Some(Overlay::Upload(form)) = model.top_overlay() else {
        panic!("no upload form on top: {:?}", model.overlays)
    };
    form
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
    assert_eq!(form.cert_path.value(), "/tmp/cert.pem");
    assert_eq!(form.key_path.value(), "/tmp/key.pem");
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
fn the_no_credentials_screen_only_quits() {
    let mut model = Model::new(Screen::NoCredentials { config_path: None }, "", now());
    assert!(send(&mut model, Msg::Init { verify_token: true }).is_empty());
    assert!(send(&mut model, ch('r')).is_empty());
    send(&mut model, ch('q'));
    assert!(model.quit);
}

#[test]
fn the_upload_forms_fields_edit_like_a_shell_line() {
    let mut model = with_zones(1);
    open_loaded(&mut model, vec![], false);
    send(&mut model, ch('u'));
    for c in "/tmp/certs/x.pem".chars() {
        send(&mut model, ch(c));
    }
    // Letters bound elsewhere (j, k, g, q, d…) type here; editing keys edit.
    assert_eq!(open_form(&model).cert_path.value(), "/tmp/certs/x.pem");
    send(&mut model, ctrl('w'));
    assert_eq!(open_form(&model).cert_path.value(), "/tmp/certs/");
    send(&mut model, key(KeyCode::Home));
    send(&mut model, key(KeyCode::Delete));
    send(&mut model, key(KeyCode::End));
    send(&mut model, key(KeyCode::Left));
    send(&mut model, key(KeyCode::Backspace));
    assert_eq!(open_form(&model).cert_path.value(), "tmp/cert/");
    send(&mut model, ctrl('u'));
    assert_eq!(open_form(&model).cert_path.value(), "");
    // Down (like Tab) switches to the key's field.
    send(&mut model, key(KeyCode::Down));
    assert_eq!(open_form(&model).field, UploadField::Key);
}

#[test]
fn help_scrolls_when_it_does_not_fit_and_opens_at_the_top() {
    let mut model = with_zones(1);
    send(&mut model, ch('?'));
    drawn(
        &mut model,
        Drawn {
            help_rows: 10,
            help_hidden: 30,
            ..Drawn::default()
        },
    );
    send(&mut model, ch('j'));
    send(&mut model, key(KeyCode::PageDown));
    assert_eq!(model.help_scroll, 10);
    send(&mut model, ch('G'));
    assert_eq!(model.help_scroll, 30);
    send(&mut model, ch('?'));
    assert!(model.overlays.is_empty(), "? closes it as it opened it");
    send(&mut model, ch('?'));
    assert_eq!(model.help_scroll, 0);
}

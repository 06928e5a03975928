//! The user's `[keys]`: a rebound action answers to its new key, in every mode.

use super::*;
use originpull::app::keys::KeyMap;

fn rebound(pairs: &[(&str, &[&str])]) -> Model {
    let mut model = with_zones(2);
    let map = pairs
        .iter()
        .map(|(a, keys)| (a.to_string(), keys.iter().map(|k| k.to_string()).collect()))
        .collect();
    model.keys = KeyMap::new(&map).unwrap();
    model
}

#[test]
fn a_rebound_toggle_answers_to_its_new_key_and_no_longer_to_the_old() {
    let mut model = rebound(&[("toggle", &["t"])]);
    open_loaded(&mut model, vec![], false);
    assert!(send(&mut model, ch('e')).is_empty());
    let cmds = send(&mut model, ch('t'));
    assert!(
        matches!(cmds[..], [Cmd::SetEnablement { enabled: true, .. }]),
        "{cmds:?}"
    );
}

#[test]
fn a_rebound_action_is_rebound_in_every_mode_that_offers_it() {
    // `cancel` closes help, leaves the filter and cancels the delete dialog.
    let mut model = rebound(&[("cancel", &["ctrl-g"])]);
    send(&mut model, ch('?'));
    send(&mut model, key(KeyCode::Esc));
    assert!(matches!(model.top_overlay(), Some(Overlay::Help)));
    send(&mut model, ctrl('g'));
    assert!(model.overlays.is_empty());
    open_loaded(&mut model, vec![cert("a", CertStatus::Active, 30)], false);
    send(&mut model, ch('d'));
    send(&mut model, ctrl('g'));
    assert!(model.overlays.is_empty());
    assert_info(&model, &["nothing was sent"]);
}

#[test]
fn ctrl_c_quits_from_every_mode() {
    for setup in ["", "/", "?", "u", "d"] {
        let mut model = with_zones(1);
        open_loaded(&mut model, vec![cert("a", CertStatus::Active, 30)], false);
        for c in setup.chars() {
            send(&mut model, ch(c));
        }
        assert_eq!(
            send(&mut model, ctrl('c')),
            vec![Cmd::Quit],
            "after {setup:?}"
        );
        assert!(model.quit);
    }
}

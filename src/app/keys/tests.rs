//! The key table's dispatch, footers, help and rebinding.

use crossterm::event::{KeyCode, KeyModifiers};

use super::*;

fn press(code: KeyCode, modifiers: KeyModifiers) -> KeyEvent {
    KeyEvent::new(code, modifiers)
}

const LIST: Context = Context {
    focus: Focus::Zones,
    zone_open: false,
    hostnames: false,
};
const CERTS: Context = Context {
    focus: Focus::Certs,
    zone_open: true,
    hostnames: false,
};

fn rebind(pairs: &[(&str, &[&str])]) -> Result<KeyMap, KeyError> {
    let map = pairs
        .iter()
        .map(|(a, keys)| (a.to_string(), keys.iter().map(|k| k.to_string()).collect()))
        .collect();
    KeyMap::new(&map)
}

#[test]
fn keys_resolve_by_mode_and_focus() {
    let keys = KeyMap::default();
    let none = KeyModifiers::NONE;
    assert_eq!(
        keys.action(Mode::Main, LIST, &press(KeyCode::Enter, none)),
        Some(Action::Accept)
    );
    assert_eq!(
        keys.action(Mode::Main, LIST, &press(KeyCode::Char('d'), none)),
        None
    );
    assert_eq!(
        keys.action(Mode::Main, CERTS, &press(KeyCode::Delete, none)),
        Some(Action::Delete)
    );
    // In a text field, letters type; arrows still move.
    assert_eq!(
        keys.action(Mode::Filter, LIST, &press(KeyCode::Char('j'), none)),
        None
    );
    assert_eq!(
        keys.action(Mode::Filter, LIST, &press(KeyCode::Down, none)),
        Some(Action::Down)
    );
    let ctrl_c = press(KeyCode::Char('c'), KeyModifiers::CONTROL);
    for mode in [
        Mode::Main,
        Mode::Filter,
        Mode::Upload,
        Mode::ConfirmDelete,
        Mode::Help,
    ] {
        assert_eq!(keys.action(mode, CERTS, &ctrl_c), Some(Action::ForceQuit));
    }
}

#[test]
fn what_terminals_send_for_shifted_keys_matches_the_table() {
    let keys = KeyMap::default();
    for modifiers in [KeyModifiers::NONE, KeyModifiers::SHIFT] {
        assert_eq!(
            keys.action(Mode::Main, LIST, &press(KeyCode::Char('?'), modifiers)),
            Some(Action::Help)
        );
        assert_eq!(
            keys.action(Mode::Main, LIST, &press(KeyCode::Char('G'), modifiers)),
            Some(Action::Bottom)
        );
        assert_eq!(
            keys.action(Mode::Main, LIST, &press(KeyCode::BackTab, modifiers)),
            Some(Action::FocusPrev)
        );
    }
    assert_eq!(
        keys.action(
            Mode::Main,
            LIST,
            &press(KeyCode::Char('g'), KeyModifiers::NONE)
        ),
        Some(Action::Top)
    );
}

#[test]
fn footers_follow_the_focus_and_help_covers_every_mode() {
    let keys = KeyMap::default();
    let labels = |cx| -> Vec<String> {
        keys.footer(Mode::Main, cx)
            .into_iter()
            .map(|h| h.keys)
            .collect()
    };
    let zones = labels(LIST);
    assert!(zones.contains(&"/".into()) && !zones.contains(&"d/Del".into()));
    let certs = labels(CERTS);
    assert!(certs.contains(&"d/Del".into()) && certs.contains(&"e".into()));
    assert!(!certs.contains(&"/".into()));
    let help = keys.help();
    for mode in [
        Mode::Main,
        Mode::Filter,
        Mode::Upload,
        Mode::ConfirmDelete,
        Mode::Help,
    ] {
        assert!(tables::SECTIONS.iter().any(|s| s.modes.contains(&mode)));
    }
    assert_eq!(help.len(), tables::SECTIONS.len());
    // Letters do not show as keys of a text field.
    let filter = help.iter().find(|(t, _)| t.starts_with("Filter")).unwrap();
    assert!(filter.1.iter().any(|h| h.keys == "↓"));
}

#[test]
fn a_rebound_action_changes_dispatch_footer_and_help() {
    let keys = rebind(&[("toggle", &["t"])]).unwrap();
    let t = press(KeyCode::Char('t'), KeyModifiers::NONE);
    let e = press(KeyCode::Char('e'), KeyModifiers::NONE);
    assert_eq!(keys.action(Mode::Main, CERTS, &t), Some(Action::Toggle));
    assert_eq!(keys.action(Mode::Main, CERTS, &e), None);
    assert!(
        keys.footer(Mode::Main, CERTS)
            .iter()
            .any(|h| h.keys == "t" && h.text == "toggle")
    );
    let open = keys
        .help()
        .into_iter()
        .find(|(t, _)| *t == "Once a zone is open")
        .unwrap();
    assert!(open.1.iter().any(|h| h.keys == "t"));
}

#[test]
fn a_colliding_binding_is_refused_naming_both() {
    let err = rebind(&[("toggle", &["g"])]).unwrap_err();
    assert_eq!(
        err,
        KeyError::Collision {
            key: "g".into(),
            first: "toggle",
            second: "top",
            mode: "the main screen",
        }
    );
    assert!(err.to_string().contains("toggle") && err.to_string().contains("top"));
    // The same key in two modes is no collision: `y` means nothing on the main screen.
    assert!(rebind(&[("refresh", &["y"])]).is_ok());
}

#[test]
fn bad_names_and_keys_are_refused() {
    assert!(matches!(
        rebind(&[("tggle", &["t"])]),
        Err(KeyError::UnknownAction { .. })
    ));
    assert!(matches!(
        rebind(&[("toggle", &["ctrl-"])]),
        Err(KeyError::BadKey { .. })
    ));
    assert!(matches!(
        rebind(&[("toggle", &[])]),
        Err(KeyError::NoKey { .. })
    ));
}

//! The one key table: the dispatcher, the footer and the help overlay all read it, so
//! what the screen says a key does is what it does.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::model::Focus;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Quit,
    Help,
    FocusNext,
    FocusPrev,
    Up,
    Down,
    Top,
    Bottom,
    PageUp,
    PageDown,
    Filter,
    OpenZone,
    Toggle,
    Upload,
    Delete,
    Refresh,
}

/// Where a binding works.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Anywhere on the main screen.
    Global,
    /// Any focused list (zones, certificates), or the detail pane, which scrolls.
    Lists,
    Zones,
    Certs,
    /// Once a zone is open, whatever has focus.
    ZoneOpen,
}

impl Scope {
    pub fn title(self) -> &'static str {
        match self {
            Self::Global => "Anywhere",
            Self::Lists => "Lists and the detail pane",
            Self::Zones => "Zone list",
            Self::Certs => "Certificate list",
            Self::ZoneOpen => "Once a zone is open",
        }
    }
}

pub struct Binding {
    pub keys: &'static [(KeyCode, KeyModifiers)],
    /// How the keys are written in the footer and help.
    pub label: &'static str,
    pub action: Action,
    pub scope: Scope,
    pub help: &'static str,
    /// Worth a place in the footer (space is short; help lists everything).
    pub footer: bool,
}

const NONE: KeyModifiers = KeyModifiers::NONE;
const SHIFT: KeyModifiers = KeyModifiers::SHIFT;
const CTRL: KeyModifiers = KeyModifiers::CONTROL;

pub const BINDINGS: &[Binding] = &[
    Binding {
        keys: &[(KeyCode::Enter, NONE)],
        label: "Enter",
        action: Action::OpenZone,
        scope: Scope::Zones,
        help: "open the zone: load its certificates and enablement",
        footer: true,
    },
    Binding {
        keys: &[(KeyCode::Char('/'), NONE)],
        label: "/",
        action: Action::Filter,
        scope: Scope::Zones,
        help: "filter zones as you type (Enter keeps it, Esc clears it)",
        footer: true,
    },
    Binding {
        keys: &[(KeyCode::Char('d'), NONE), (KeyCode::Delete, NONE)],
        label: "d/Del",
        action: Action::Delete,
        scope: Scope::Certs,
        help: "delete the selected certificate (asks first)",
        footer: true,
    },
    Binding {
        keys: &[(KeyCode::Char('u'), NONE)],
        label: "u",
        action: Action::Upload,
        scope: Scope::ZoneOpen,
        help: "upload a certificate and key",
        footer: true,
    },
    Binding {
        keys: &[(KeyCode::Char('e'), NONE)],
        label: "e",
        action: Action::Toggle,
        scope: Scope::ZoneOpen,
        help: "toggle zone-level AOP enablement",
        footer: true,
    },
    Binding {
        keys: &[(KeyCode::Char('j'), NONE), (KeyCode::Down, NONE)],
        label: "j/↓",
        action: Action::Down,
        scope: Scope::Lists,
        help: "move down",
        footer: false,
    },
    Binding {
        keys: &[(KeyCode::Char('k'), NONE), (KeyCode::Up, NONE)],
        label: "k/↑",
        action: Action::Up,
        scope: Scope::Lists,
        help: "move up",
        footer: false,
    },
    Binding {
        keys: &[(KeyCode::Char('g'), NONE), (KeyCode::Home, NONE)],
        label: "g/Home",
        action: Action::Top,
        scope: Scope::Lists,
        help: "go to the top",
        footer: false,
    },
    Binding {
        keys: &[
            (KeyCode::Char('G'), NONE),
            (KeyCode::Char('G'), SHIFT),
            (KeyCode::End, NONE),
        ],
        label: "G/End",
        action: Action::Bottom,
        scope: Scope::Lists,
        help: "go to the bottom",
        footer: false,
    },
    Binding {
        keys: &[(KeyCode::PageDown, NONE)],
        label: "PgDn",
        action: Action::PageDown,
        scope: Scope::Lists,
        help: "page down",
        footer: false,
    },
    Binding {
        keys: &[(KeyCode::PageUp, NONE)],
        label: "PgUp",
        action: Action::PageUp,
        scope: Scope::Lists,
        help: "page up",
        footer: false,
    },
    Binding {
        keys: &[(KeyCode::Tab, NONE)],
        label: "Tab",
        action: Action::FocusNext,
        scope: Scope::Global,
        help: "focus the next pane (zones → certificates → detail)",
        footer: true,
    },
    Binding {
        keys: &[(KeyCode::BackTab, NONE), (KeyCode::BackTab, SHIFT)],
        label: "S-Tab",
        action: Action::FocusPrev,
        scope: Scope::Global,
        help: "focus the previous pane",
        footer: false,
    },
    Binding {
        keys: &[(KeyCode::Char('r'), NONE)],
        label: "r",
        action: Action::Refresh,
        scope: Scope::Global,
        help: "refresh the open zone and the zone list",
        footer: true,
    },
    Binding {
        keys: &[(KeyCode::Char('?'), NONE), (KeyCode::Char('?'), SHIFT)],
        label: "?",
        action: Action::Help,
        scope: Scope::Global,
        help: "this help",
        footer: true,
    },
    Binding {
        keys: &[(KeyCode::Char('q'), NONE), (KeyCode::Char('c'), CTRL)],
        label: "q",
        action: Action::Quit,
        scope: Scope::Global,
        help: "quit (also Ctrl-C)",
        footer: true,
    },
];

/// Whether a binding applies given the focus and whether a zone is open.
pub fn in_scope(scope: Scope, focus: Focus, zone_open: bool) -> bool {
    match scope {
        Scope::Global | Scope::Lists => true,
        Scope::Zones => focus == Focus::Zones,
        Scope::Certs => focus == Focus::Certs && zone_open,
        Scope::ZoneOpen => zone_open,
    }
}

/// The action a key press means here, if any.
pub fn action_for(key: &KeyEvent, focus: Focus, zone_open: bool) -> Option<Action> {
    BINDINGS
        .iter()
        .filter(|b| in_scope(b.scope, focus, zone_open))
        .find(|b| {
            b.keys
                .iter()
                .any(|&(code, mods)| code == key.code && mods == key.modifiers)
        })
        .map(|b| b.action)
}

/// The footer's hints for the current focus, most specific first.
pub fn footer(focus: Focus, zone_open: bool) -> Vec<(&'static str, &'static str)> {
    let mut hints: Vec<&Binding> = BINDINGS
        .iter()
        .filter(|b| b.footer && in_scope(b.scope, focus, zone_open))
        .collect();
    hints.sort_by_key(|b| b.scope == Scope::Global);
    hints
        .into_iter()
        .map(|b| (b.label, short_help(b.action)))
        .collect()
}

/// The footer's one-word names; the help overlay uses the full sentence.
fn short_help(action: Action) -> &'static str {
    match action {
        Action::Quit => "quit",
        Action::Help => "help",
        Action::FocusNext => "focus",
        Action::FocusPrev => "focus back",
        Action::Up | Action::Down => "move",
        Action::Top => "top",
        Action::Bottom => "bottom",
        Action::PageUp | Action::PageDown => "page",
        Action::Filter => "filter",
        Action::OpenZone => "open",
        Action::Toggle => "toggle",
        Action::Upload => "upload",
        Action::Delete => "delete",
        Action::Refresh => "refresh",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    #[test]
    fn keys_resolve_by_scope() {
        assert_eq!(
            action_for(&key(KeyCode::Enter), Focus::Zones, false),
            Some(Action::OpenZone)
        );
        assert_eq!(
            action_for(&key(KeyCode::Char('d')), Focus::Zones, true),
            None
        );
        assert_eq!(
            action_for(&key(KeyCode::Delete), Focus::Certs, true),
            Some(Action::Delete)
        );
        assert_eq!(
            action_for(&key(KeyCode::Char('e')), Focus::Zones, false),
            None
        );
        assert_eq!(
            action_for(
                &KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL),
                Focus::Detail,
                true
            ),
            Some(Action::Quit)
        );
    }

    #[test]
    fn footer_follows_the_focus() {
        let zones: Vec<_> = footer(Focus::Zones, false)
            .into_iter()
            .map(|h| h.0)
            .collect();
        assert!(zones.contains(&"/") && !zones.contains(&"d/Del") && !zones.contains(&"e"));
        let certs: Vec<_> = footer(Focus::Certs, true)
            .into_iter()
            .map(|h| h.0)
            .collect();
        assert!(certs.contains(&"d/Del") && certs.contains(&"e") && !certs.contains(&"/"));
    }
}

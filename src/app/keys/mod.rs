//! The key tables: one per mode, all in [`tables`], read by the dispatcher, the
//! footers and the help overlay, so what the screen says a key does is what it does.
//! `[keys]` in the config rebinds any action; a binding that would make one key mean
//! two things in the same mode is refused before the app starts.

mod combo;
mod tables;

pub use combo::label;
use combo::{canonical, parse, types};

use std::collections::BTreeMap;

use crokey::KeyCombination;
use crossterm::event::KeyEvent;

use super::model::Focus;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Action {
    ForceQuit,
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
    Left,
    Right,
    Backspace,
    DeleteWord,
    ClearLine,
    Filter,
    Accept,
    Cancel,
    Yes,
    No,
    Toggle,
    ToggleGlobal,
    Fleet,
    Sort,
    Mark,
    Upload,
    Delete,
    Refresh,
    Rotate,
    Hostnames,
    Disable,
    Clear,
    Associate,
    CopyId,
    CopyPem,
}

impl Action {
    /// Its name in `[keys]`.
    pub fn name(self) -> &'static str {
        tables::DEFAULTS
            .iter()
            .find(|(a, ..)| *a == self)
            .map_or("?", |(_, name, _)| name)
    }
}

/// What the keys drive right now: the screen, or whatever sits on top of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Main,
    /// The fleet view: every zone a row.
    Fleet,
    /// Typing into the zone filter.
    Filter,
    Upload,
    /// The rotation form: two paths to type.
    RotateForm,
    /// The rotation's plan, waiting for `y`.
    RotationPlan,
    /// The rotation's files being checked, its zones read, or its progress.
    RotationProgress,
    ConfirmDelete,
    /// The dialog before a hostname is disabled or cleared.
    ConfirmHostname,
    /// Typing the hostnames to associate with a hostname certificate.
    AssociateForm,
    Help,
    NoCredentials,
}

impl Mode {
    pub const ALL: [Mode; 12] = [
        Self::Main,
        Self::Fleet,
        Self::Filter,
        Self::Upload,
        Self::RotateForm,
        Self::RotationPlan,
        Self::RotationProgress,
        Self::ConfirmDelete,
        Self::ConfirmHostname,
        Self::AssociateForm,
        Self::Help,
        Self::NoCredentials,
    ];

    /// In a text field a key that types a character types it: bindings to such keys
    /// do not apply there.
    pub fn is_text(self) -> bool {
        matches!(
            self,
            Self::Filter | Self::Upload | Self::RotateForm | Self::AssociateForm
        )
    }

    fn title(self) -> &'static str {
        match self {
            Self::Main => "the main screen",
            Self::Fleet => "the fleet view",
            Self::Filter => "the filter",
            Self::Upload => "the upload form",
            Self::RotateForm => "the rotation form",
            Self::RotationPlan => "the rotation's plan",
            Self::RotationProgress => "the rotation's progress",
            Self::ConfirmDelete => "the delete dialog",
            Self::ConfirmHostname => "the disable/clear dialog",
            Self::AssociateForm => "the associate form",
            Self::Help => "the help",
            Self::NoCredentials => "the no-credentials screen",
        }
    }
}

/// Within a mode, where a section's keys work.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum When {
    Always,
    ZonesFocused,
    /// The certificate list has focus and a zone is open (not its hostnames view).
    CertsFocused,
    ZoneOpen,
    /// A zone is open and its zone-level certificates show (not its hostnames view).
    CertsShown,
    /// The open zone's hostnames view shows (`H`).
    HostnamesShown,
}

/// What the main screen shows, for the sections that depend on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Context {
    pub focus: Focus,
    pub zone_open: bool,
    /// The open zone shows its per-hostname view (`H`) in place of its certificates.
    pub hostnames: bool,
}

impl When {
    fn holds(self, cx: Context) -> bool {
        match self {
            Self::Always => true,
            Self::ZonesFocused => cx.focus == Focus::Zones,
            Self::CertsFocused => cx.focus == Focus::Certs && cx.zone_open && !cx.hostnames,
            Self::ZoneOpen => cx.zone_open,
            Self::CertsShown => cx.zone_open && !cx.hostnames,
            Self::HostnamesShown => cx.zone_open && cx.hostnames,
        }
    }
}

/// One action as a mode offers it.
#[derive(Debug)]
pub struct Entry {
    pub action: Action,
    /// What it does here, for the help overlay.
    pub help: &'static str,
    /// Its word in the footer, for the few worth the room there.
    pub footer: Option<&'static str>,
}

/// A group of entries: a heading in help, and a unit of the key table.
#[derive(Debug)]
pub struct Section {
    pub title: &'static str,
    pub modes: &'static [Mode],
    pub when: When,
    pub entries: &'static [Entry],
}

/// A line of the help overlay or a footer hint: the keys as the user has them bound.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hint {
    pub keys: String,
    pub text: &'static str,
}

/// The keys in force: the defaults with the user's `[keys]` applied.
#[derive(Debug, Clone)]
pub struct KeyMap {
    /// Indexed like [`tables::DEFAULTS`].
    keys: Vec<Vec<KeyCombination>>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    #[error("[keys]: there is no action {name:?}; the actions are {known}")]
    UnknownAction { name: String, known: String },
    #[error(
        "[keys]: {action} = {key:?} is not a key (write e.g. \"t\", \"shift-t\", \"ctrl-t\", \"f5\", \"enter\", \"pagedown\")"
    )]
    BadKey { action: String, key: String },
    #[error("[keys]: {action} has no key; give it at least one")]
    NoKey { action: String },
    #[error(
        "[keys]: {key} would mean both {first} and {second} in {mode}; bind one of them to another key"
    )]
    Collision {
        key: String,
        first: &'static str,
        second: &'static str,
        mode: &'static str,
    },
}

impl Default for KeyMap {
    fn default() -> Self {
        Self::new(&BTreeMap::new()).expect("the default key table has no collisions")
    }
}

impl KeyMap {
    /// The defaults, with `rebind` (an action's name → its keys) applied and checked.
    pub fn new(rebind: &BTreeMap<String, Vec<String>>) -> Result<Self, KeyError> {
        let mut keys: Vec<Vec<KeyCombination>> = tables::DEFAULTS
            .iter()
            .map(|(_, _, defaults)| {
                defaults
                    .iter()
                    .map(|k| parse(k).expect("the default keys parse"))
                    .collect()
            })
            .collect();
        for (name, wanted) in rebind {
            let Some(i) = tables::DEFAULTS.iter().position(|(_, n, _)| n == name) else {
                return Err(KeyError::UnknownAction {
                    name: name.clone(),
                    known: tables::DEFAULTS
                        .iter()
                        .map(|(_, n, _)| *n)
                        .collect::<Vec<_>>()
                        .join(", "),
                });
            };
            if wanted.is_empty() {
                return Err(KeyError::NoKey {
                    action: name.clone(),
                });
            }
            keys[i] = wanted
                .iter()
                .map(|k| {
                    parse(k).ok_or_else(|| KeyError::BadKey {
                        action: name.clone(),
                        key: k.clone(),
                    })
                })
                .collect::<Result<_, _>>()?;
        }
        let map = Self { keys };
        map.check()?;
        Ok(map)
    }

    /// Within a mode no key may mean two actions. Sections of the main screen that
    /// depend on focus are checked together: a key is not safe because two panes
    /// rarely both show.
    fn check(&self) -> Result<(), KeyError> {
        for mode in Mode::ALL {
            let mut seen: Vec<(KeyCombination, Action)> = Vec::new();
            for entry in sections(mode).flat_map(|s| s.entries) {
                for &key in self.effective(entry.action, mode) {
                    match seen.iter().find(|(k, _)| *k == key) {
                        Some(&(_, other)) if other != entry.action => {
                            return Err(KeyError::Collision {
                                key: label(key),
                                first: other.name(),
                                second: entry.action.name(),
                                mode: mode.title(),
                            });
                        }
                        Some(_) => {}
                        None => seen.push((key, entry.action)),
                    }
                }
            }
        }
        Ok(())
    }

    fn bound(&self, action: Action) -> &[KeyCombination] {
        tables::DEFAULTS
            .iter()
            .position(|(a, ..)| *a == action)
            .map_or(&[], |i| &self.keys[i])
    }

    /// The keys that trigger `action` in `mode`: in a text field, not those that type.
    fn effective(&self, action: Action, mode: Mode) -> impl Iterator<Item = &KeyCombination> {
        self.bound(action)
            .iter()
            .filter(move |k| !(mode.is_text() && types(**k)))
    }

    /// The action `key` means in `mode`, if any.
    pub fn action(&self, mode: Mode, cx: Context, key: &KeyEvent) -> Option<Action> {
        let key = canonical(KeyCombination::from(*key));
        sections(mode)
            .filter(|s| s.when.holds(cx))
            .flat_map(|s| s.entries)
            .find(|e| self.effective(e.action, mode).any(|k| *k == key))
            .map(|e| e.action)
    }

    /// The footer's hints for `mode`, most specific first; entries that say the same
    /// word share it: `n/Esc cancel`.
    pub fn footer(&self, mode: Mode, cx: Context) -> Vec<Hint> {
        let mut hints: Vec<Hint> = Vec::new();
        for e in sections(mode)
            .filter(|s| s.when.holds(cx))
            .flat_map(|s| s.entries)
        {
            let (Some(text), Some(keys)) = (e.footer, self.keys_label(e.action, mode)) else {
                continue;
            };
            match hints.iter_mut().find(|h| h.text == text) {
                Some(same) => {
                    same.keys.push('/');
                    same.keys.push_str(&keys);
                }
                None => hints.push(Hint { keys, text }),
            }
        }
        hints
    }

    /// `action`'s footer hint in `mode`, wherever on the screen it works.
    pub fn hint(&self, mode: Mode, action: Action) -> Option<Hint> {
        let entry = sections(mode)
            .flat_map(|s| s.entries)
            .find(|e| e.action == action)?;
        Some(Hint {
            keys: self.keys_label(action, mode)?,
            text: entry.footer?,
        })
    }

    /// Every section with its hints, for the help overlay. Entries that say the same
    /// thing one after another share a line: `Esc/? close it`.
    pub fn help(&self) -> Vec<(&'static str, Vec<Hint>)> {
        tables::SECTIONS
            .iter()
            .map(|s| {
                let mode = s.modes[0];
                let mut hints: Vec<Hint> = Vec::new();
                for e in s.entries {
                    let Some(keys) = self.keys_label(e.action, mode) else {
                        hints.push(Hint {
                            keys: "(unbound)".to_owned(),
                            text: e.help,
                        });
                        continue;
                    };
                    match hints.last_mut() {
                        Some(last) if last.text == e.help => {
                            last.keys.push('/');
                            last.keys.push_str(&keys);
                        }
                        _ => hints.push(Hint { keys, text: e.help }),
                    }
                }
                (s.title, hints)
            })
            .collect()
    }

    /// `j/↓`: the keys bound to `action` in `mode`, as the footer and help show them.
    pub fn keys_label(&self, action: Action, mode: Mode) -> Option<String> {
        let mut labels: Vec<String> = Vec::new();
        for key in self.effective(action, mode) {
            let text = label(*key);
            if !labels.contains(&text) {
                labels.push(text);
            }
        }
        (!labels.is_empty()).then(|| labels.join("/"))
    }
}

fn sections(mode: Mode) -> impl Iterator<Item = &'static Section> {
    tables::SECTIONS
        .iter()
        .filter(move |s| s.modes.contains(&mode))
}

#[cfg(test)]
mod tests;

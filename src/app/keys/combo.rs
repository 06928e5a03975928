//! One key as the tables and `[keys]` write it (crokey's syntax) and as the screen
//! shows it, and the one spelling a key press is compared in.

use crokey::{KeyCombination, OneToThree};
use crossterm::event::{KeyCode, KeyModifiers};

/// crokey's syntax, except that a lone capital means that letter with Shift (crokey
/// would read `G` as `g`).
pub(super) fn parse(text: &str) -> Option<KeyCombination> {
    let shifted;
    let text = match text.chars().collect::<Vec<_>>()[..] {
        [c] if c.is_ascii_uppercase() => {
            shifted = format!("shift-{}", c.to_ascii_lowercase());
            shifted.as_str()
        }
        _ => text,
    };
    let key = crokey::parse(text).ok()?;
    key.is_ansi_compatible().then(|| canonical(key))
}

/// One spelling per key, whatever the terminal sent: a character that is not a
/// letter already says whether Shift was down (`?` arrives with or without it), and
/// Shift-Tab arrives as BackTab, with or without Shift.
pub(super) fn canonical(key: KeyCombination) -> KeyCombination {
    let mut key = key.normalized();
    let shift_implied = match key.codes {
        OneToThree::One(KeyCode::Char(c)) => !c.is_alphabetic(),
        OneToThree::One(KeyCode::BackTab) => true,
        _ => false,
    };
    if shift_implied {
        key.modifiers.remove(KeyModifiers::SHIFT);
    }
    key
}

/// Whether the key, in a text field, types a character.
pub(super) fn types(key: KeyCombination) -> bool {
    matches!(key.codes, OneToThree::One(KeyCode::Char(_)))
        && !key
            .modifiers
            .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT | KeyModifiers::SUPER)
}

/// A key as the screen writes it: `j`, `G`, `↓`, `PgDn`, `Ctrl-C`.
pub fn label(key: KeyCombination) -> String {
    let OneToThree::One(code) = key.codes else {
        return key.to_string();
    };
    let mut out = String::new();
    for (flag, name) in [
        (KeyModifiers::CONTROL, "Ctrl-"),
        (KeyModifiers::ALT, "Alt-"),
        (KeyModifiers::SUPER, "Cmd-"),
    ] {
        if key.modifiers.contains(flag) {
            out.push_str(name);
        }
    }
    let control = key.modifiers.contains(KeyModifiers::CONTROL);
    match code {
        KeyCode::Char(' ') => out.push_str("Space"),
        // Ctrl-C reads better than Ctrl-c; a capital alone already says Shift.
        KeyCode::Char(c) if control => out.extend(c.to_uppercase()),
        KeyCode::Char(c) => out.push(c),
        KeyCode::Up => out.push('↑'),
        KeyCode::Down => out.push('↓'),
        KeyCode::Left => out.push('←'),
        KeyCode::Right => out.push('→'),
        KeyCode::PageUp => out.push_str("PgUp"),
        KeyCode::PageDown => out.push_str("PgDn"),
        KeyCode::Delete => out.push_str("Del"),
        KeyCode::BackTab => out.push_str("S-Tab"),
        KeyCode::Backspace => out.push_str("Bksp"),
        KeyCode::F(n) => out.push_str(&format!("F{n}")),
        other => {
            if key.modifiers.contains(KeyModifiers::SHIFT) {
                out.push_str("Shift-");
            }
            out.push_str(&KeyCombination::from(other).to_string());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_read_as_keys() {
        let l = |s: &str| label(parse(s).unwrap());
        assert_eq!(l("j"), "j");
        assert_eq!(l("G"), "G");
        assert_eq!(l("shift-g"), "G");
        assert_eq!(l("ctrl-c"), "Ctrl-C");
        assert_eq!(l("pagedown"), "PgDn");
        assert_eq!(l("backtab"), "S-Tab");
        assert_eq!(l("enter"), "Enter");
        assert_eq!(l("esc"), "Esc");
        assert_eq!(l("space"), "Space");
    }
}

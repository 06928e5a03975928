//! The open zone's three AOP levels side by side, the SSL mode when it voids them,
//! and in words which certificate the edge presents to the origin.

use ratatui::style::Style;
use ratatui::text::Line;

use super::fit::wrap;
use super::theme::Theme;
use crate::app::keys::{Action, Mode};
use crate::app::{Loadable, Model, OpenZone, Toggle};
use crate::survey::Presented;
use crate::text::sanitize;

/// The lines, wrapped at `cols`.
pub fn lines(model: &Model, open: &OpenZone, cols: usize, theme: Theme) -> Vec<Line<'static>> {
    let key = |action: Action| model.keys.keys_label(action, Mode::Main);
    let mut segments: Vec<(String, Style)> = Vec::new();
    let mut push = |text: String, style: Style| segments.push((text, style));
    push("global".to_owned(), theme.dim());
    let (text, style) = switch(&open.global, ["● on", "○ off"], "turning", theme);
    push(text, style);
    push(hint(&open.global, key(Action::ToggleGlobal)), theme.dim());
    push("· zone-level".to_owned(), theme.dim());
    let (text, style) = switch(&open.enablement, ["● Enabled", "○ Disabled"], "", theme);
    push(text, style);
    push(hint(&open.enablement, key(Action::Toggle)), theme.dim());
    push("· per-hostname".to_owned(), theme.dim());
    let hostnames = match &open.hostname_certs {
        Loadable::Loading => ("…".to_owned(), theme.dim()),
        Loadable::Failed(_) => ("✗ unread".to_owned(), theme.error()),
        Loadable::Loaded(certs) => match certs.len() {
            0 => ("none".to_owned(), Style::new()),
            1 => ("1 certificate".to_owned(), theme.bold()),
            n => (format!("{n} certificates"), theme.bold()),
        },
    };
    push(hostnames.0, hostnames.1);
    // Once the known hostnames are read (H): how many each state has.
    if let Some(Loadable::Loaded(states)) = &open.hostnames
        && !states.is_empty()
    {
        let count = |enabled: Option<bool>| {
            states
                .iter()
                .filter(|s| {
                    s.association.as_ref().and_then(|a| a.enabled) == enabled
                        && s.association.is_some()
                })
                .count()
        };
        let (on, off) = (count(Some(true)), count(Some(false)));
        push(
            format!(
                "({on} hostname(s) enabled, {off} disabled of {} known)",
                states.len()
            ),
            theme.dim(),
        );
    }
    push(hint_key(key(Action::Hostnames)), theme.dim());
    if let Some(ssl) = open.ssl.as_ref().filter(|s| s.voids_aop()) {
        push(
            format!(
                "· ⚠ SSL {}: no level has any effect",
                sanitize(ssl.as_str())
            ),
            theme.warn(),
        );
    }
    let first: Vec<(&str, Style)> = segments.iter().map(|(t, s)| (t.as_str(), *s)).collect();
    let mut out = wrap(&first, cols);
    let style = match open.presented {
        Presented::ZoneLevel { .. } => theme.ok(),
        Presented::Unknown => theme.dim(),
        Presented::Shared | Presented::Nothing { .. } | Presented::Undocumented => theme.warn(),
    };
    let voided = open.ssl.as_ref().is_some_and(|s| s.voids_aop());
    let own = !voided && matches!(&open.hostname_certs, Loadable::Loaded(c) if !c.is_empty());
    let presented = format!(
        "→ {}{}",
        open.presented,
        if own {
            "; hostnames associated with a hostname certificate get that one"
        } else {
            ""
        }
    );
    out.extend(wrap(&[(&presented, style)], cols));
    out
}

/// `(H)`: the key that shows the per-hostname view.
fn hint_key(key: Option<String>) -> String {
    key.map_or_else(String::new, |k| format!("({k})"))
}

/// A switch's state in words and symbols: `● on`, `◌ turning off…`, `? unknown`.
fn switch(t: &Toggle, words: [&str; 2], moving: &str, theme: Theme) -> (String, Style) {
    if t.pending() {
        let text = match (t.shown(), moving) {
            (Some(true), "") => "◌ Enabling…".to_owned(),
            (Some(false), "") => "◌ Disabling…".to_owned(),
            (Some(on), verb) => format!("◌ {verb} {}…", if on { "on" } else { "off" }),
            (None, _) => "◌ Changing…".to_owned(),
        };
        return (text, theme.pending());
    }
    match t.server {
        Some(true) => (words[0].to_owned(), theme.ok().patch(theme.bold())),
        Some(false) => (words[1].to_owned(), theme.bold()),
        None if t.read_failed => ("✗ unread".to_owned(), theme.error()),
        None => ("…".to_owned(), theme.dim()),
    }
}

/// `(e)`, the key that flips it; `(locked)` where the server says it cannot be;
/// nothing while there is no state to flip.
fn hint(t: &Toggle, key: Option<String>) -> String {
    match (t.locked, t.shown(), key) {
        (true, _, _) => "(locked)".to_owned(),
        (false, Some(_), Some(k)) => format!("({k})"),
        _ => String::new(),
    }
}

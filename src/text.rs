//! Making untrusted text safe to print.
//!
//! Zone names, issuers and error messages come from the API. Printed raw, an escape
//! sequence in one of them could move the cursor, rewrite other lines or retitle the
//! terminal, so every such string passes through [`sanitize`] before it is shown.

use std::borrow::Cow;

/// Replaces control characters (C0, DEL, C1) and bidirectional overrides with visible
/// escapes, so the text shows exactly what it holds and cannot drive the terminal.
pub fn sanitize(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_unsafe) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if is_unsafe(c) {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// [`sanitize`] for a string already owned: kept as it is when safe, not copied.
pub fn sanitize_owned(s: String) -> String {
    match sanitize(&s) {
        Cow::Borrowed(_) => s,
        Cow::Owned(safe) => safe,
    }
}

fn is_unsafe(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// At most `max` characters of `s` (plus an ellipsis), sanitized and with whitespace
/// runs collapsed, for quoting untrusted text in an error without flooding the screen.
pub fn excerpt(s: &str, max: usize) -> String {
    let mut out = String::new();
    let mut taken = 0;
    for word in s.split_whitespace() {
        let word = sanitize(word);
        let len = word.chars().count() + usize::from(!out.is_empty());
        if taken + len > max {
            let room = max.saturating_sub(taken + usize::from(!out.is_empty()));
            if room > 0 {
                if !out.is_empty() {
                    out.push(' ');
                }
                out.extend(word.chars().take(room));
            }
            out.push('…');
            break;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(&word);
        taken += len;
    }
    out
}

/// The first block of a UUID-like id, made safe to print: enough to tell
/// certificates apart in a message.
pub fn short_id(id: &str) -> String {
    let head: String = sanitize(id).chars().take(8).collect();
    if id.chars().count() > 8 {
        format!("{head}…")
    } else {
        head
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_is_borrowed() {
        assert!(matches!(sanitize("shop.example"), Cow::Borrowed(_)));
    }

    #[test]
    fn escape_sequences_become_visible() {
        let s = sanitize("evil\u{1b}[2J\u{1b}]0;pwned\u{7}.example\r\n");
        assert!(!s.chars().any(char::is_control), "{s:?}");
        assert!(s.contains("\\u{1b}[2J"));
    }

    #[test]
    fn an_owned_string_is_kept_when_safe_and_escaped_when_not() {
        let safe = String::from("2026-09-01");
        let at = safe.as_ptr();
        let kept = sanitize_owned(safe);
        assert_eq!(kept.as_ptr(), at, "not copied");
        let evil = String::from("2026\u{1b}[2J");
        assert_eq!(sanitize_owned(evil.clone()), sanitize(&evil));
        assert!(!sanitize_owned(evil).chars().any(char::is_control));
    }

    #[test]
    fn bidi_overrides_are_neutralised() {
        assert!(!sanitize("a\u{202E}b").contains('\u{202E}'));
    }

    #[test]
    fn excerpt_is_short_and_single_line() {
        let body = "<html>\n<head><title>502 Bad Gateway</title></head>\n".repeat(50);
        let e = excerpt(&body, 60);
        assert!(e.chars().count() <= 61, "{e}");
        assert!(!e.contains('\n'));
        assert!(e.ends_with('…'));
        assert_eq!(excerpt("  a \n b ", 60), "a b");
        // Escapes count against the limit: what is shown is what is bounded.
        assert!(excerpt(&"\u{1b}".repeat(100), 10).chars().count() <= 11);
    }
}

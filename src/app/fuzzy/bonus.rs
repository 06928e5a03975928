//! What a place in a name is worth to a match starting there, as nucleo counts it.
//!
//! The shortcuts beside nucleo must give its scores exactly, or the list would
//! reorder as a query grows past them. nucleo keeps these rules private, so they are
//! restated here for ASCII under its default configuration, and the proptests in
//! this module's siblings hold them to nucleo's own answers.

/// Points for each matched character.
pub(super) const SCORE_MATCH: u32 = 16;
/// A character continuing a run of matches earns at least this much.
const BONUS_CONSECUTIVE: u8 = 4;
/// The first character of the query counts its place this many times.
const FIRST_CHAR_MULTIPLIER: u32 = 2;

/// Character classes, ordered as nucleo orders them (a word class ranks above
/// `Delimiter`).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Class {
    Whitespace,
    NonWord,
    Delimiter,
    Lower,
    Upper,
    Number,
}

fn class(b: u8) -> Class {
    match b {
        b'a'..=b'z' => Class::Lower,
        b'A'..=b'Z' => Class::Upper,
        b'0'..=b'9' => Class::Number,
        _ if b.is_ascii_whitespace() => Class::Whitespace,
        b'/' | b',' | b':' | b';' | b'|' => Class::Delimiter,
        _ => Class::NonWord,
    }
}

/// The worth of `cur` following a character of class `prev`.
fn worth(prev: Class, cur: Class) -> u8 {
    if cur > Class::Delimiter {
        match prev {
            Class::Whitespace => return 10,
            Class::Delimiter => return 9,
            Class::NonWord => return 8,
            _ => {}
        }
    }
    match (prev, cur) {
        (Class::Lower, Class::Upper) => 5,
        (prev, Class::Number) if prev != Class::Number => 5,
        (_, Class::Whitespace) => 10,
        (_, Class::NonWord) => 8,
        _ => 0,
    }
}

/// The worth of position `at` in the ASCII name `name`; the start of a name counts
/// as following whitespace.
pub(super) fn at(name: &[u8], at: usize) -> u8 {
    let prev = at
        .checked_sub(1)
        .map_or(Class::Whitespace, |p| class(name[p]));
    worth(prev, class(name[at]))
}

/// The most any place after the first is worth in `name`.
pub(super) fn peak_after_first(name: &[u8]) -> u8 {
    name.windows(2)
        .map(|pair| worth(class(pair[0]), class(pair[1])))
        .max()
        .unwrap_or(0)
}

/// nucleo's score for `len` query characters matched in one run that starts at a
/// place worth `worth`, when no place the match could use is worth more: the first
/// character counts its place twice, and each later one is lifted to the run's
/// start.
pub(super) fn run(len: usize, worth: u8) -> u32 {
    let later = u32::from(worth.max(BONUS_CONSECUTIVE));
    SCORE_MATCH * len as u32 + FIRST_CHAR_MULTIPLIER * u32::from(worth) + (len as u32 - 1) * later
}

/// nucleo's score for a one-character query matched at a place worth `worth`.
pub(super) fn single(worth: u8) -> u32 {
    run(1, worth)
}

//! What a place in a name is worth to a match starting there, as nucleo counts it.
//!
//! The shortcuts beside nucleo must give its scores exactly, or the list would
//! reorder as a query grows past them. nucleo keeps these rules private, so they are
//! restated here for ASCII under its default configuration, and the proptests in
//! this module's siblings hold them to nucleo's own answers.

/// Points for each matched character.
pub(super) const SCORE_MATCH: u32 = 16;
/// A character continuing a run of matches earns at least this much.
pub(super) const BONUS_CONSECUTIVE: u8 = 4;
/// The first character of the query counts its place this many times.
const FIRST_CHAR_MULTIPLIER: u32 = 2;
/// What a word's first character is worth after whitespace (or at the start of a
/// name), after a delimiter (`/,:;|`), and after any other non-word character. A
/// place worth `BOUNDARY` or more also lifts the rest of a run.
const BOUNDARY_WHITE: u8 = 10;
const BOUNDARY_DELIMITER: u8 = 9;
pub(super) const BOUNDARY: u8 = 8;
/// A capital after a small letter, or a digit after a non-digit.
const CAMEL: u8 = 5;
/// A non-word character itself.
const NON_WORD: u8 = 8;

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

const CLASSES: usize = 6;

const fn class(b: u8) -> Class {
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
const fn worth(prev: Class, cur: Class) -> u8 {
    if cur as u8 > Class::Delimiter as u8 {
        match prev {
            Class::Whitespace => return BOUNDARY_WHITE,
            Class::Delimiter => return BOUNDARY_DELIMITER,
            Class::NonWord => return BOUNDARY,
            _ => {}
        }
    }
    match (prev, cur) {
        (Class::Lower, Class::Upper) => CAMEL,
        (Class::Number, Class::Number) => 0,
        (_, Class::Number) => CAMEL,
        (_, Class::Whitespace) => BOUNDARY_WHITE,
        (_, Class::NonWord) => NON_WORD,
        _ => 0,
    }
}

/// Every byte's class, and every pair's worth, worked out at compile time: the
/// names are read a byte at a time, and branching on each byte costs more than the
/// rest of the work.
const CLASS_OF: [Class; 256] = {
    let mut table = [Class::NonWord; 256];
    let mut b = 0;
    while b < 128 {
        table[b] = class(b as u8);
        b += 1;
    }
    table
};
const WORTH: [[u8; CLASSES]; CLASSES] = {
    const ALL: [Class; CLASSES] = [
        Class::Whitespace,
        Class::NonWord,
        Class::Delimiter,
        Class::Lower,
        Class::Upper,
        Class::Number,
    ];
    let mut table = [[0; CLASSES]; CLASSES];
    let mut p = 0;
    while p < CLASSES {
        let mut c = 0;
        while c < CLASSES {
            table[p][c] = worth(ALL[p], ALL[c]);
            c += 1;
        }
        p += 1;
    }
    table
};

/// Appends the worth of every position in `name` to `out`.
pub(super) fn each(name: &[u8], out: &mut Vec<u8>) {
    let mut prev = Class::Whitespace;
    out.extend(name.iter().map(|&b| {
        let class = CLASS_OF[usize::from(b)];
        let w = WORTH[prev as usize][class as usize];
        prev = class;
        w
    }));
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

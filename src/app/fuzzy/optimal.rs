//! nucleo's score for one fuzzy word in an ASCII name, without nucleo's per-call
//! setup.
//!
//! A query every name matches only with gaps (`eampl` against `*.example`) leaves no
//! shortcut: each keystroke scores all 100,000 names. This works out the same
//! matrix as nucleo, by the same rules, straight from the packed names, with what
//! each place is worth worked out when the names arrived instead of on every
//! keystroke. It must agree with nucleo to the point (the proptest below holds it
//! to nucleo's answers), or a list would reorder as a query grows from a word
//! nucleo scores into one this scores.

use super::bonus::{self, BONUS_CONSECUTIVE, BOUNDARY, SCORE_MATCH};

const PENALTY_GAP_START: i32 = 3;
const PENALTY_GAP_EXTENSION: i32 = 1;

/// Past these sizes nucleo may score greedily instead of at its best (its limits
/// apply to the stretch of the name a match can use, and to its scratch space);
/// names past them are left to nucleo. Zone names stop at 253 bytes.
const LONGEST_NAME: usize = 2048;
const LARGEST_MATRIX: usize = 100 * 1024;

/// A cell of nucleo's matrix: the best score of the query's first `i + 1`
/// characters with character `i` at `place`, and the bonus a run continuing from
/// there carries.
#[derive(Clone, Copy)]
struct Cell {
    place: usize,
    score: u16,
    run_bonus: u8,
}

/// Buffers reused from name to name: the cells of the row last filled, and of the
/// row being filled.
#[derive(Default)]
pub(super) struct Scratch {
    row: Vec<Cell>,
    next: Vec<Cell>,
}

/// Whether a name of `len` bytes is certainly small enough for nucleo to fill its
/// matrix, as `score` does, rather than settle for a greedy match.
pub(super) fn fits(len: usize, needle_len: usize) -> bool {
    len <= LONGEST_NAME && len * needle_len <= LARGEST_MATRIX
}

/// nucleo's score for `needle` (lower case, two or more characters) as one fuzzy
/// word in `name`, case ignored; `None` where it does not match. `name` must be
/// ASCII and pass [`fits`]; `worth` is what each of its places is worth
/// (`bonus::each`).
///
/// nucleo fills a cell for every place of the name in every row; only the places
/// holding the row's character can hold a match, and a zone name holds each letter
/// of a query a few times at most. So each row here keeps just those cells, in
/// order of place, found eight bytes at a time: the cost follows how often the
/// query's characters occur, not the name's length times the query's.
pub(super) fn score(
    name: &[u8],
    worth: &[u8],
    needle: &[u8],
    scratch: &mut Scratch,
) -> Option<u32> {
    let n = needle.len();
    if n > name.len() {
        return None;
    }
    // The last place the final character occurs bounds the match on the right, and
    // row `i` ends where the rest of the query still has room before that.
    let end = rfind(name, needle[n - 1])? + 1;
    let Scratch { row, next } = scratch;
    row.clear();
    let first = needle[0];
    each_place(name, 0, (end + 1).checked_sub(n)?, first, |place| {
        let worth = worth[place];
        row.push(Cell {
            place,
            score: bonus::single(worth) as u16,
            run_bonus: worth,
        });
    });
    for (i, &c) in needle.iter().enumerate().skip(1) {
        next.clear();
        // `best` is the most a cell of the row before could still give after a gap
        // (nucleo's gap costs PENALTY_GAP_START, then PENALTY_GAP_EXTENSION a
        // place): the cells at least two places back, ranked by score plus place,
        // since every one of them pays the same for each place since.
        let (mut k, mut best) = (0, i32::MIN);
        let from = row.first()?.place + 1;
        each_place(name, from, end - n + i + 1, c, |place| {
            while let Some(cell) = row.get(k).filter(|cell| cell.place + 2 <= place) {
                best = best.max(i32::from(cell.score) + cell.place as i32);
                k += 1;
            }
            let after_gap = best
                .saturating_sub(PENALTY_GAP_START)
                .saturating_sub(PENALTY_GAP_EXTENSION * (place as i32 - 2));
            let skipped = u16::try_from(after_gap.max(0)).unwrap_or(u16::MAX);
            let run = row.get(k).filter(|cell| cell.place + 1 == place);
            next.push(extend(run, skipped, place, worth[place]));
        });
        std::mem::swap(row, next);
    }
    row.iter().map(|cell| u32::from(cell.score)).max()
}

/// Calls `found` with each place in `hay[from..to]` holding `c` (lower case) in
/// either case, in order.
fn each_place(hay: &[u8], from: usize, to: usize, c: u8, mut found: impl FnMut(usize)) {
    let Some(part) = hay.get(from..to) else {
        return;
    };
    let mut words = part.chunks_exact(8);
    let mut at = from;
    for word in &mut words {
        let mut hit = hits(word.try_into().expect("8 bytes"), c);
        while hit != 0 {
            found(at + hit.trailing_zeros() as usize / 8);
            hit &= hit - 1;
        }
        at += 8;
    }
    for (p, b) in words.remainder().iter().enumerate() {
        if b.to_ascii_lowercase() == c {
            found(at + p);
        }
    }
}

const ONES: u64 = u64::from_ne_bytes([1; 8]);
const LOW7: u64 = u64::from_ne_bytes([0x7f; 8]);
const HIGH: u64 = u64::from_ne_bytes([0x80; 8]);
const CASE_BIT: u64 = u64::from_ne_bytes([0x20; 8]);

/// A high bit set in each byte of `word` that is zero, and nowhere else.
fn zero_bytes(word: u64) -> u64 {
    !(((word & LOW7) + LOW7) | word | LOW7)
}

/// Which bytes of `word` are `c` in either case (`c` lower case), as high bits.
fn hits(word: [u8; 8], c: u8) -> u64 {
    let word = u64::from_le_bytes(word);
    // Setting the case bit turns a capital into its small letter, and nothing
    // else into a small letter; other characters have no case to fold.
    let word = if c.is_ascii_lowercase() {
        word | CASE_BIT
    } else {
        word
    };
    zero_bytes(word ^ (ONES * u64::from(c)))
}

/// The first place in `hay` holding `c` in either case.
pub(super) fn find(hay: &[u8], c: u8) -> Option<usize> {
    // Query characters typed in a row are often in a row in the name too.
    if hay.first()?.to_ascii_lowercase() == c {
        return Some(0);
    }
    let mut words = hay.chunks_exact(8);
    for (k, word) in (&mut words).enumerate() {
        let hit = hits(word.try_into().expect("8 bytes"), c);
        if hit != 0 {
            return Some(8 * k + hit.trailing_zeros() as usize / 8);
        }
    }
    let done = hay.len() - words.remainder().len();
    words
        .remainder()
        .iter()
        .position(|b| b.to_ascii_lowercase() == c)
        .map(|p| done + p)
}

/// Whether `idle` holds at every place where the two sides of any of `pairs` (all
/// of one length) differ: compared eight bytes at a time, the last eight
/// overlapping those before.
pub(super) fn differ_only_where<const N: usize>(
    pairs: [(&[u8], &[u8]); N],
    mut idle: impl FnMut(usize) -> bool,
) -> bool {
    let len = pairs[0].0.len();
    let Some(last) = len.checked_sub(8) else {
        return (0..len).all(|p| pairs.iter().all(|(a, b)| a[p] == b[p]) || idle(p));
    };
    let word =
        |hay: &[u8], at: usize| u64::from_le_bytes(hay[at..at + 8].try_into().expect("8 bytes"));
    let mut at = 0;
    loop {
        let base = at.min(last);
        let mut differ = pairs.iter().fold(0, |differ, (a, b)| {
            differ | (!zero_bytes(word(a, base) ^ word(b, base)) & HIGH)
        });
        while differ != 0 {
            if !idle(base + differ.trailing_zeros() as usize / 8) {
                return false;
            }
            differ &= differ - 1;
        }
        if base == last {
            return true;
        }
        at = base + 8;
    }
}

/// The last place in `hay` holding `c` in either case.
fn rfind(hay: &[u8], c: u8) -> Option<usize> {
    let mut words = hay.rchunks_exact(8);
    for (k, word) in (&mut words).enumerate() {
        let hit = hits(word.try_into().expect("8 bytes"), c);
        if hit != 0 {
            return Some(hay.len() - 8 * (k + 1) + 7 - hit.leading_zeros() as usize / 8);
        }
    }
    words
        .remainder()
        .iter()
        .rposition(|b| b.to_ascii_lowercase() == c)
}

/// The cell for the next query character at `place`, worth `worth`: continuing
/// `run` (the cell one place back), or starting anew after a gap whose best is
/// `skipped`, whichever scores more (a tie starts anew, as nucleo does).
fn extend(run: Option<&Cell>, skipped: u16, place: usize, worth: u8) -> Cell {
    let fresh = Cell {
        place,
        score: skipped + u16::from(worth) + SCORE_MATCH as u16,
        run_bonus: worth,
    };
    let Some(run) = run else {
        return fresh;
    };
    let mut run_bonus = run.run_bonus.max(BONUS_CONSECUTIVE);
    if worth >= BOUNDARY && worth > run_bonus {
        run_bonus = worth;
    }
    let continued = run.score + u16::from(run_bonus.max(worth));
    if continued > skipped + u16::from(worth) {
        Cell {
            place,
            score: continued + SCORE_MATCH as u16,
            run_bonus,
        }
    } else {
        fresh
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::fuzzy::bonus;
    use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
    use nucleo_matcher::{Matcher, Utf32Str};

    fn nucleo(name: &str, query: &str) -> Option<u32> {
        let pattern = Pattern::parse(query, CaseMatching::Ignore, Normalization::Never);
        pattern.score(Utf32Str::Ascii(name.as_bytes()), &mut Matcher::default())
    }

    fn ours(name: &str, needle: &[u8]) -> Option<u32> {
        assert!(name.is_ascii() && fits(name.len(), needle.len()));
        let mut worth = Vec::new();
        bonus::each(name.as_bytes(), &mut worth);
        score(name.as_bytes(), &worth, needle, &mut Scratch::default())
    }

    #[test]
    fn agrees_on_names_an_account_holds() {
        for (name, query) in [
            ("api-000001.example", "eampl"),
            ("shop-eu-000421.example", "eampl"),
            ("shop-eu-000421.example", "shpeu"),
            ("shop-eu-000421.example", "s0421"),
            ("blog.example.com", "bec"),
            ("media-dev-000007.example", "mdev7"),
            ("a-b.ab", "ab"),
            ("shop", "shop"),
            ("shop", "shops"),
            ("ShopEU.Example", "seu"),
        ] {
            let needle = query.to_ascii_lowercase();
            assert_eq!(
                ours(name, needle.as_bytes()),
                nucleo(name, query),
                "{query} in {name}"
            );
        }
    }

    #[test]
    fn names_too_long_for_nucleos_matrix_are_left_to_it() {
        assert!(fits(253, 40));
        assert!(!fits(3000, 2));
        assert!(!fits(1024, 101));
    }

    proptest::proptest! {
        /// Eight bytes at a time finds what one at a time does.
        #[test]
        fn find_and_rfind_agree_with_a_plain_search(hay in "[aAbB\\x00\\x7f\\xff.-]{0,40}", c in "[ab.]") {
            let (hay, c) = (hay.as_bytes(), c.as_bytes()[0]);
            let is = |b: &u8| b.to_ascii_lowercase() == c;
            proptest::prop_assert_eq!(find(hay, c), hay.iter().position(is));
            proptest::prop_assert_eq!(rfind(hay, c), hay.iter().rposition(is));
        }
    }

    proptest::proptest! {
        /// Eight bytes at a time sees every place where two names differ, in
        /// either of two pairs.
        #[test]
        fn differ_only_where_sees_every_difference(
            a in "[ab]{0,30}",
            flips in proptest::collection::vec(0u8..3, 30),
            idle in proptest::collection::vec(proptest::bool::ANY, 30),
        ) {
            let a = a.as_bytes();
            // Flip 1 changes the first pair at a place, flip 2 the second.
            let flip = |which: u8| -> Vec<u8> {
                a.iter().zip(&flips).map(|(&x, &f)| if f == which { x ^ 1 } else { x }).collect()
            };
            let (b, c) = (flip(1), flip(2));
            let expected = (0..a.len()).all(|p| flips[p] == 0 || idle[p]);
            proptest::prop_assert_eq!(differ_only_where([(a, &b), (a, &c)], |p| idle[p]), expected);
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(5_000))]
        /// Random names over every character class, queries random or cut from
        /// the name with letters dropped (the gapped case this exists for).
        #[test]
        fn scores_as_nucleo_does(
            name in "[abcAB09 ._/:|-]{0,16}",
            random in "[abcAB0._-]{2,5}",
            keep in proptest::collection::vec(proptest::bool::ANY, 16),
            cut: bool,
        ) {
            let query: String = if cut {
                name.chars().zip(&keep).filter(|(_, k)| **k).map(|(c, _)| c).collect()
            } else {
                random
            };
            let pattern = Pattern::parse(&query, CaseMatching::Ignore, Normalization::Never);
            let [atom] = pattern.atoms.as_slice() else {
                return Ok(());
            };
            let Utf32Str::Ascii(needle) = atom.needle_text() else {
                return Ok(());
            };
            if needle.len() < 2 || atom.negative || atom.kind != nucleo_matcher::pattern::AtomKind::Fuzzy {
                return Ok(());
            }
            let expected = pattern.score(Utf32Str::Ascii(name.as_bytes()), &mut Matcher::default());
            let got = ours(&name, needle);
            proptest::prop_assert_eq!(got, expected, "{:?} in {:?}", query, name);
        }
    }
}

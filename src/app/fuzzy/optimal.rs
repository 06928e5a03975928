//! nucleo's score for one fuzzy word in an ASCII name, without nucleo's per-call
//! setup.
//!
//! A query every name matches only with gaps (`eampl` against `*.example`) leaves no
//! shortcut: each keystroke scores all 100,000 names. This fills the same matrix as
//! nucleo, by the same rules, straight from the packed names, with what each place
//! is worth worked out when the names arrived instead of on every keystroke. It
//! must agree with nucleo to the point (the proptest below holds it to nucleo's
//! answers), or a list would reorder as a query grows from a word nucleo scores
//! into one this scores.

use super::bonus::{self, BONUS_CONSECUTIVE, BOUNDARY, SCORE_MATCH};

const PENALTY_GAP_START: u16 = 3;
const PENALTY_GAP_EXTENSION: u16 = 1;

/// Past these sizes nucleo may score greedily instead of at its best (its limits
/// apply to the stretch of the name a match can use, and to its scratch space);
/// names past them are left to nucleo. Zone names stop at 253 bytes.
const LONGEST_NAME: usize = 2048;
const LARGEST_MATRIX: usize = 100 * 1024;

/// The best score of the query's first `i + 1` characters with character `i` at a
/// given place, and the bonus a run continuing from there carries. A score of 0
/// marks a place where character `i` is not (a real cell scores at least 16).
#[derive(Clone, Copy, Default)]
struct Cell {
    score: u16,
    run_bonus: u8,
}

const NONE: Cell = Cell {
    score: 0,
    run_bonus: 0,
};

/// Buffers reused from name to name.
#[derive(Default)]
pub(super) struct Scratch {
    /// Per query character, where it first fits after the one before.
    firsts: Vec<usize>,
    /// One row of the matrix: see `score`.
    row: Vec<Cell>,
}

/// Whether a name of `len` bytes is certainly small enough for nucleo to fill its
/// matrix, as `score` does, rather than settle for a greedy match.
pub(super) fn fits(len: usize, needle_len: usize) -> bool {
    len <= LONGEST_NAME && len * needle_len <= LARGEST_MATRIX
}

/// nucleo's score for `needle` (lower case, two or more characters) as one fuzzy
/// word in `name`, case ignored, and where the stretch of `name` it scored starts
/// (the query's first character's first place); `None` where it does not match. `name` must be
/// ASCII and pass [`fits`]; `worth` is what each of its places is worth
/// (`bonus::each`).
pub(super) fn score(
    name: &[u8],
    worth: &[u8],
    needle: &[u8],
    scratch: &mut Scratch,
) -> Option<(u32, usize)> {
    let n = needle.len();
    if n > name.len() {
        return None;
    }
    // Where the match can start, and the earliest place for each later character.
    let firsts = &mut scratch.firsts;
    firsts.clear();
    let mut at = find(&name[..=name.len() - n], needle[0])?;
    firsts.push(at);
    for &c in &needle[1..] {
        at += 1 + find(&name[at + 1..], c)?;
        firsts.push(at);
    }
    let start = firsts[0];
    // The last place the final character occurs bounds the match on the right.
    let end = at + 1 + rfind(&name[at + 1..], needle[n - 1]).map_or(0, |p| p + 1);
    let (hay, worth) = (&name[start..end], &worth[start..end]);

    // Row `i` covers the places from `firsts[i]` to `end - n + i`: later ones leave
    // no room for the rest of the query. Cell `k` of a row is place `firsts[i] + k`;
    // stored by `place - i`, every row fits the same buffer.
    let width = end - start + 1 - n;
    let row = &mut scratch.row;
    row.clear();
    row.resize(width, NONE);
    for i in 0..n - 1 {
        let (from, next_from) = (firsts[i] - start, firsts[i + 1] - start);
        let last = end - start - n + i;
        let next = needle[i + 1];
        // A gap after a cell costs PENALTY_GAP_START, then PENALTY_GAP_EXTENSION a
        // place (never below 0): so the best score still reachable after a gap is
        // fixed by the best `reach` of the cells before it, and the places before
        // the next row can start matter only through their cells' reach.
        let reach = |cell: Cell, place: usize| {
            if cell.score == 0 {
                i32::MIN
            } else {
                i32::from(cell.score) + i32::from(PENALTY_GAP_EXTENSION) * place as i32
            }
        };
        let mut best = i32::MIN;
        let split = next_from - 1;
        if i == 0 {
            // Row 0 is not stored: its cells follow from the place alone, and before
            // `split` only those holding the query's first character count.
            let mut at = from;
            while let Some(p) = find(&hay[at..split], needle[0]) {
                at += p;
                best = best.max(reach(first_cell(hay[at], needle[0], worth[at]), at));
                at += 1;
            }
        } else {
            for place in from..split {
                best = best.max(reach(row[place - i], place));
            }
        }
        for place in split..=last {
            let k = place - i;
            let here = if i == 0 {
                first_cell(hay[place], needle[0], worth[place])
            } else {
                row[k]
            };
            // The best score of the first `i + 1` characters ending before `place`,
            // less what the gap since costs.
            let after_gap = best
                .saturating_sub(i32::from(PENALTY_GAP_START))
                .saturating_sub(i32::from(PENALTY_GAP_EXTENSION) * (place as i32 - 1));
            let skipped = u16::try_from(after_gap.max(0)).unwrap_or(u16::MAX);
            row[k] = if hay[place + 1].to_ascii_lowercase() == next {
                extend(here, skipped, worth[place + 1])
            } else {
                NONE
            };
            best = best.max(reach(here, place));
        }
    }
    let last_from = firsts[n - 1] - start - (n - 1);
    row[last_from..]
        .iter()
        .map(|c| c.score)
        .max()
        .filter(|&s| s > 0)
        .map(|s| (u32::from(s), start))
}

const ONES: u64 = u64::from_ne_bytes([1; 8]);
const LOW7: u64 = u64::from_ne_bytes([0x7f; 8]);

/// A high bit set in each byte of `word` that is zero, and nowhere else.
fn zero_bytes(word: u64) -> u64 {
    !(((word & LOW7) + LOW7) | word | LOW7)
}

/// Which bytes of `word` are `c` in either case (`c` lower case), as high bits.
fn hits(word: [u8; 8], c: u8) -> u64 {
    let word = u64::from_le_bytes(word);
    zero_bytes(word ^ (ONES * u64::from(c)))
        | zero_bytes(word ^ (ONES * u64::from(c.to_ascii_uppercase())))
}

/// The first place in `hay` holding `c` in either case. Eight bytes at a time: a
/// zone name is read in three steps instead of twenty, and the branch that ends
/// the search is taken once.
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

/// Row 0's cell at a place holding `byte` worth `worth`.
fn first_cell(byte: u8, first: u8, worth: u8) -> Cell {
    if byte.to_ascii_lowercase() == first {
        Cell {
            score: bonus::single(worth) as u16,
            run_bonus: worth,
        }
    } else {
        NONE
    }
}

/// The cell for the next query character at a place worth `worth`: continuing
/// `run` (the cell one place back), or starting anew after a gap whose
/// best is `skipped`, whichever scores more (a tie starts anew, as nucleo does).
fn extend(run: Cell, skipped: u16, worth: u8) -> Cell {
    let fresh = Cell {
        score: skipped + u16::from(worth) + SCORE_MATCH as u16,
        run_bonus: worth,
    };
    if run.score == 0 {
        return fresh;
    }
    let mut run_bonus = run.run_bonus.max(BONUS_CONSECUTIVE);
    if worth >= BOUNDARY && worth > run_bonus {
        run_bonus = worth;
    }
    let continued = run.score + u16::from(run_bonus.max(worth));
    if continued > skipped + u16::from(worth) {
        Cell {
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
        score(name.as_bytes(), &worth, needle, &mut Scratch::default()).map(|(s, _)| s)
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

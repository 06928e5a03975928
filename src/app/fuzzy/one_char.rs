//! The first keystroke's shortcut: a one-character query scored in one pass.

use memchr::memchr2_iter;
use nucleo_matcher::pattern::Pattern;

use super::names::NameIndex;
use super::{NO_MATCH, Scorer, bonus, keep_matches, score_all};

/// The first keystroke scores every name, the one ranking with no earlier matches
/// to narrow it. For one character nucleo's score depends only on the best place it
/// occurs, and what a place is worth was worked out when the names arrived; so this
/// finds every occurrence in one pass over the names, several times quicker than
/// scoring name by name.
#[derive(Debug)]
pub(super) struct OneChar {
    /// The character as typed in lower and upper case (the same byte for a digit).
    cases: [u8; 2],
}

impl OneChar {
    /// For a query that is one letter or digit (`needle`, from `single_word`).
    pub(super) fn new(needle: &[u8]) -> Option<Self> {
        let &[c] = needle else {
            return None;
        };
        c.is_ascii_alphanumeric().then(|| Self {
            cases: [c.to_ascii_lowercase(), c.to_ascii_uppercase()],
        })
    }

    /// Scores every name, as `score_each` would: `matched` holds every name (one
    /// character narrows no earlier query), and keeps the matches in list order,
    /// their scores in `scores`.
    pub(super) fn scan(
        &self,
        pattern: &Pattern,
        names: &NameIndex,
        matched: &mut Vec<usize>,
        scores: &mut Vec<u32>,
    ) {
        debug_assert!(matched.iter().copied().eq(0..names.len()), "every name");
        score_all(matched, scores, |_: &mut (), part, out| {
            self.scan_part(names, part, out);
        });
        // Bytes past ASCII only occur in odd names: nucleo has the last word there.
        let mut scorer = Scorer::default();
        for &i in &names.odd {
            scores[i] = scorer.score(pattern, names, i);
        }
        keep_matches(matched, scores);
    }

    /// Scores the run of consecutive names `part` into `out`.
    fn scan_part(&self, names: &NameIndex, part: &[usize], out: &mut [u32]) {
        let (Some(&first), Some(&last)) = (part.first(), part.last()) else {
            return;
        };
        debug_assert_eq!(last - first + 1, part.len(), "consecutive names");
        let from = names.start(first);
        let text = names.text.as_bytes();
        let mut name = first;
        for at in memchr2_iter(self.cases[0], self.cases[1], &text[from..names.end(last)]) {
            let at = from + at;
            while names.end(name) <= at {
                name += 1;
            }
            let score = bonus::single(names.worth_at(at));
            let best = &mut out[name - first];
            *best = if *best == NO_MATCH {
                score
            } else {
                (*best).max(score)
            };
        }
    }
}

//! The first keystroke's shortcut: a one-character query scored in one pass.

use memchr::memchr2_iter;
use nucleo_matcher::pattern::Pattern;

use super::names::NameIndex;
use super::{bonus, score_each};

/// The first keystroke scores every name, the one ranking with no earlier matches
/// to narrow it. For one character nucleo's score depends only on the best place it
/// occurs, and a place's worth only on the character before it; so this tabulates
/// those scores once per query, then finds every occurrence in one pass over the
/// names, several times quicker than scoring name by name.
#[derive(Debug)]
pub(super) struct OneChar {
    /// The character as typed in lower and upper case (the same byte for a digit).
    cases: [u8; 2],
    /// Score of an occurrence (per case) at the start of a name.
    first: [u32; 2],
    /// Score of an occurrence (per case) after each ASCII byte.
    after: [[u32; 2]; 128],
}

impl OneChar {
    /// For a query of one letter or digit.
    pub(super) fn new(query: &str) -> Option<Self> {
        let &[c] = query.as_bytes() else {
            return None;
        };
        if !c.is_ascii_alphanumeric() {
            return None;
        }
        let cases = [c.to_ascii_lowercase(), c.to_ascii_uppercase()];
        let mut first = [0; 2];
        let mut after = [[0; 2]; 128];
        for (k, &case) in cases.iter().enumerate() {
            first[k] = bonus::single(bonus::at(&[case], 0));
            for p in 0..128u8 {
                after[usize::from(p)][k] = bonus::single(bonus::at(&[p, case], 1));
            }
        }
        Some(Self {
            cases,
            first,
            after,
        })
    }

    /// Scores every name, as `score_each` would: the matches in list order into
    /// `matched`, their scores into `scores`.
    pub(super) fn scan(
        &self,
        pattern: &Pattern,
        names: &NameIndex,
        matched: &mut Vec<usize>,
        scores: &mut Vec<u32>,
    ) {
        matched.clear();
        scores.clear();
        let text = names.text.as_bytes();
        let mut name = 0;
        for at in memchr2_iter(self.cases[0], self.cases[1], text) {
            while names.end(name) <= at {
                name += 1;
            }
            let case = usize::from(text[at] != self.cases[0]);
            let score = if at == names.start(name) {
                self.first[case]
            } else {
                // Bytes past ASCII only occur in odd names, rescored below.
                self.after
                    .get(usize::from(text[at - 1]))
                    .map_or(0, |s| s[case])
            };
            match (matched.last(), scores.last_mut()) {
                (Some(&last), Some(best)) if last == name => *best = (*best).max(score),
                _ => {
                    matched.push(name);
                    scores.push(score);
                }
            }
        }
        if !names.odd.is_empty() {
            rescore_odd(pattern, names, matched, scores);
        }
    }
}

/// Replaces what the scan made of odd names with nucleo's own scores.
fn rescore_odd(
    pattern: &Pattern,
    names: &NameIndex,
    matched: &mut Vec<usize>,
    scores: &mut Vec<u32>,
) {
    let mut odd = names.odd.clone();
    let mut odd_scores = Vec::new();
    score_each(pattern, names, &mut odd, &mut odd_scores);
    let mut merged: Vec<(usize, u32)> = matched
        .iter()
        .copied()
        .zip(scores.iter().copied())
        .filter(|(i, _)| names.odd.binary_search(i).is_err())
        .chain(odd.into_iter().zip(odd_scores))
        .collect();
    merged.sort_unstable_by_key(|&(i, _)| i);
    (*matched, *scores) = merged.into_iter().unzip();
}

//! Fuzzy zone search: ranking for the filter, match positions for highlighting.

use std::thread;

use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Matcher, Utf32Str};

use crate::api::Zone;

/// Below this many names one thread is quicker than starting more.
const PARALLEL_FROM: usize = 20_000;

/// A parsed query and what the last ranking found, kept between keystrokes: typing
/// one more character only re-scores the zones that matched before.
#[derive(Debug, Default)]
pub struct FuzzyFilter {
    pattern: Pattern,
    query: String,
    /// The last ranking's query and matches, while the zone list is unchanged.
    last: Option<(String, Vec<usize>)>,
}

impl FuzzyFilter {
    pub fn query(&self) -> &str {
        &self.query
    }

    pub fn set_query(&mut self, query: &str) {
        let query = query.trim();
        if query != self.query {
            self.query = query.to_owned();
            self.pattern
                .reparse(query, CaseMatching::Ignore, Normalization::Smart);
        }
    }

    /// The zone list changed: the next ranking starts from scratch.
    pub fn forget(&mut self) {
        self.last = None;
    }

    /// Indices of the zones that match, best first (ties keep list order); all of
    /// them, in order, for an empty query.
    pub fn rank(&mut self, zones: &[Zone]) -> Vec<usize> {
        if self.query.is_empty() {
            self.last = None;
            return (0..zones.len()).collect();
        }
        // A query that extends the last one can only match a subset of what it did.
        let candidates = match self.last.take() {
            Some((last, matched)) if self.query.starts_with(&last) && !last.is_empty() => matched,
            _ => (0..zones.len()).collect(),
        };
        let mut scored = score_all(&self.pattern, zones, &candidates);
        // Best score first, then list order: one u64 key sorts fastest.
        scored.sort_unstable_by_key(|&(score, i)| (u64::from(u32::MAX - score) << 32) | i as u64);
        let ranked: Vec<usize> = scored.into_iter().map(|(_, i)| i).collect();
        let mut matched = ranked.clone();
        matched.sort_unstable();
        self.last = Some((self.query.clone(), matched));
        ranked
    }

    /// Character positions in `name` that the query matched, for highlighting.
    /// `matcher` is the caller's scratch space: rendering keeps one per frame.
    pub fn positions(&self, name: &str, matcher: &mut Matcher) -> Vec<usize> {
        if self.query.is_empty() {
            return Vec::new();
        }
        let mut buf = Vec::new();
        let mut indices = Vec::new();
        self.pattern
            .indices(Utf32Str::new(name, &mut buf), matcher, &mut indices);
        indices.sort_unstable();
        indices.dedup();
        indices.into_iter().map(|i| i as usize).collect()
    }
}

/// Scores the candidates, on every core for a large list.
fn score_all(pattern: &Pattern, zones: &[Zone], candidates: &[usize]) -> Vec<(u32, usize)> {
    let score = |chunk: &[usize]| {
        let mut matcher = Matcher::default();
        let mut buf = Vec::new();
        chunk
            .iter()
            .filter_map(|&i| {
                let s = pattern.score(Utf32Str::new(&zones[i].name, &mut buf), &mut matcher)?;
                Some((s, i))
            })
            .collect::<Vec<_>>()
    };
    let threads = thread::available_parallelism().map_or(1, |n| n.get());
    if candidates.len() < PARALLEL_FROM || threads < 2 {
        return score(candidates);
    }
    let chunk = candidates.len().div_ceil(threads);
    thread::scope(|s| {
        let handles: Vec<_> = candidates
            .chunks(chunk)
            .map(|c| s.spawn(move || score(c)))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_default())
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn zones(names: &[&str]) -> Vec<Zone> {
        names
            .iter()
            .map(|n| Zone {
                name: (*n).into(),
                ..Default::default()
            })
            .collect()
    }

    #[test]
    fn ranks_best_first_and_tolerates_gaps() {
        let list = zones(&[
            "api.example",
            "shop-eu.example",
            "shop.example",
            "docs.test",
        ]);
        let mut f = FuzzyFilter::default();
        f.set_query("shpeu");
        assert_eq!(f.rank(&list), vec![1]);
        f.set_query("shop");
        let ranked = f.rank(&list);
        assert_eq!(ranked.len(), 2);
        f.set_query("");
        assert_eq!(f.rank(&list), vec![0, 1, 2, 3]);
    }

    #[test]
    fn narrowing_gives_what_a_fresh_ranking_gives() {
        let names: Vec<String> = (0..50_000)
            .map(|i| format!("shop-{i:05}.example"))
            .collect();
        let refs: Vec<&str> = names.iter().map(String::as_str).collect();
        let list = zones(&refs);
        let mut typed = FuzzyFilter::default();
        for q in ["s", "sh", "sh1", "sh12", "sh12e"] {
            typed.set_query(q);
            let narrowed = typed.rank(&list);
            let mut fresh = FuzzyFilter::default();
            fresh.set_query(q);
            assert_eq!(narrowed, fresh.rank(&list), "{q}");
        }
    }

    #[test]
    fn positions_point_at_the_matched_characters() {
        let mut f = FuzzyFilter::default();
        f.set_query("SEU");
        let mut m = Matcher::default();
        let p = f.positions("shop-eu.example", &mut m);
        assert_eq!(p.len(), 3);
        assert_eq!(p[0], 0);
    }
}

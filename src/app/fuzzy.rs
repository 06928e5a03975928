//! Fuzzy zone search: ranking for the filter, match positions for highlighting.

use std::thread;

use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Matcher, Utf32Str};

use crate::api::Zone;

/// Below this many names one thread is quicker than starting more.
const PARALLEL_FROM: usize = 5_000;

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
                .reparse(query, CaseMatching::Ignore, Normalization::Never);
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
        // Candidates are in list order, and scoring keeps it: that order is both the
        // next keystroke's candidates and the tie-break of the ranking.
        let scored = score_all(&self.pattern, zones, &candidates);
        let ranked = by_score(&scored);
        self.last = Some((
            self.query.clone(),
            scored.into_iter().map(|(_, i)| i).collect(),
        ));
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

/// Best score first, list order among equals: a counting sort, since scores are
/// small integers and 100,000 of them must be ordered within a keystroke.
fn by_score(scored: &[(u32, usize)]) -> Vec<usize> {
    let max = scored.iter().map(|&(s, _)| s).max().unwrap_or(0) as usize;
    if max > 1 << 20 {
        let mut sorted = scored.to_vec();
        sorted.sort_by_key(|&(s, _)| std::cmp::Reverse(s));
        return sorted.into_iter().map(|(_, i)| i).collect();
    }
    // Start offsets per score, highest score first.
    let mut starts = vec![0usize; max + 2];
    for &(s, _) in scored {
        starts[max - s as usize + 1] += 1;
    }
    for k in 1..starts.len() {
        starts[k] += starts[k - 1];
    }
    let mut out = vec![0; scored.len()];
    for &(s, i) in scored {
        let slot = &mut starts[max - s as usize];
        out[*slot] = i;
        *slot += 1;
    }
    out
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

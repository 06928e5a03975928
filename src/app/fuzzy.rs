//! Fuzzy zone search: ranking for the filter, match positions for highlighting.

use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Matcher, Utf32Str};

use crate::api::Zone;

/// A parsed query and the matcher's scratch space, kept between keystrokes so
/// filtering allocates almost nothing per key.
#[derive(Debug, Default)]
pub struct FuzzyFilter {
    pattern: Pattern,
    matcher: Matcher,
    query: String,
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

    /// Indices of the zones that match, best first (ties keep list order); all of
    /// them, in order, for an empty query.
    pub fn rank(&mut self, zones: &[Zone]) -> Vec<usize> {
        if self.query.is_empty() {
            return (0..zones.len()).collect();
        }
        let mut buf = Vec::new();
        let mut scored: Vec<(u32, usize)> = zones
            .iter()
            .enumerate()
            .filter_map(|(i, z)| {
                let score = self
                    .pattern
                    .score(Utf32Str::new(&z.name, &mut buf), &mut self.matcher)?;
                Some((score, i))
            })
            .collect();
        scored.sort_unstable_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        scored.into_iter().map(|(_, i)| i).collect()
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
    fn positions_point_at_the_matched_characters() {
        let mut f = FuzzyFilter::default();
        f.set_query("SEU");
        let mut m = Matcher::default();
        let p = f.positions("shop-eu.example", &mut m);
        assert_eq!(p.len(), 3);
        assert_eq!(p[0], 0);
    }
}

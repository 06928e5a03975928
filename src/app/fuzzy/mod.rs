//! Fuzzy zone search: ranking for the filter, match positions for highlighting.

mod bonus;
mod cores;
mod names;
mod one_char;
mod optimal;
mod word;

use nucleo_matcher::pattern::{AtomKind, CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Matcher, Utf32Str};

use crate::api::Zone;
use names::NameIndex;
use one_char::OneChar;
use word::Word;

/// Marks a name the query does not match. Scores are sums of one `u16` per word of
/// the query, so none comes near it.
const NO_MATCH: u32 = u32::MAX;

/// A parsed query and what the last ranking found, kept between keystrokes: typing
/// one more character only re-scores the zones that matched before.
#[derive(Debug, Default)]
pub struct FuzzyFilter {
    pattern: Pattern,
    query: String,
    shortcut: Shortcut,
    /// The query `matched` answers, while the zone list is unchanged.
    matched_for: Option<String>,
    /// The zones that matched it, in list order, and their scores. The buffers are
    /// reused: fresh memory for 100,000 entries costs a keystroke about a millisecond.
    matched: Vec<usize>,
    scores: Vec<u32>,
    names: Option<NameIndex>,
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
            self.shortcut = Shortcut::for_query(&self.pattern);
        }
    }

    /// The zone list changed: the next ranking starts from scratch. The names are
    /// copied now, not on the first keystroke, which has the least time to spare.
    pub fn index(&mut self, zones: &[Zone]) {
        self.matched_for = None;
        self.names = Some(NameIndex::new(zones));
    }

    /// Zones were appended to the list, the rest unchanged: only the new names are
    /// copied, so a list loading page by page is not copied whole per page.
    pub fn index_more(&mut self, zones: &[Zone]) {
        self.matched_for = None;
        match &mut self.names {
            Some(names) if names.len() <= zones.len() => names.extend(&zones[names.len()..]),
            _ => self.names = Some(NameIndex::new(zones)),
        }
    }

    /// Puts into `ranked` the indices of the zones that match, best first (ties
    /// keep list order); all of them, in order, for an empty query.
    pub fn rank(&mut self, zones: &[Zone], ranked: &mut Vec<usize>) {
        ranked.clear();
        if self.query.is_empty() {
            self.matched_for = None;
            ranked.extend(0..zones.len());
            return;
        }
        // The same query over the same list: the last scores still hold.
        if self.matched_for.as_deref() == Some(self.query.as_str()) {
            by_score(&self.matched, &self.scores, ranked);
            return;
        }
        // A query that extends the last one can only match a subset of what it did,
        // unless it negates (`!sh` lets through names `!s` kept out), escapes (the
        // `\` of `foo\` turns into part of `foo\ bar`) or anchors (`a$` is "ends in
        // a", but `a$b` a word with a `$` in it).
        let mut narrowing = self.matched_for.take().is_some_and(|last| {
            self.query.starts_with(&last) && !self.query.contains(['!', '\\', '$'])
        });
        // The length check catches a list replaced without `index`; the last
        // matches then index a list that is gone.
        let names = match self.names {
            Some(ref names) if names.len() == zones.len() => names,
            _ => {
                narrowing = false;
                self.names.insert(NameIndex::new(zones))
            }
        };
        let (matched, scores) = (&mut self.matched, &mut self.scores);
        if !narrowing {
            matched.clear();
            matched.extend(0..names.len());
        }
        match &self.shortcut {
            Shortcut::OneChar(one) => one.scan(&self.pattern, names, matched, scores),
            Shortcut::Word(word) => word.score(&self.pattern, names, matched, scores),
            Shortcut::None => score_each(&self.pattern, names, matched, scores),
        }
        by_score(matched, scores, ranked);
        self.matched_for = Some(self.query.clone());
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

/// How a query is scored: by a shortcut for the usual kinds, by nucleo otherwise.
#[derive(Debug, Default)]
enum Shortcut {
    /// One letter or digit.
    OneChar(OneChar),
    /// One fuzzy word of several ASCII characters (boxed: it carries a table).
    Word(Box<Word>),
    #[default]
    None,
}

impl Shortcut {
    fn for_query(pattern: &Pattern) -> Self {
        let Some(word) = single_word(pattern) else {
            return Self::None;
        };
        OneChar::new(word)
            .map(Self::OneChar)
            .or_else(|| Word::new(word).map(|word| Self::Word(Box::new(word))))
            .unwrap_or_default()
    }
}

/// Scores the `candidates` (in list order) with nucleo and keeps those that match,
/// in place, with their scores in `scores`.
fn score_each(
    pattern: &Pattern,
    names: &NameIndex,
    candidates: &mut Vec<usize>,
    scores: &mut Vec<u32>,
) {
    score_all(candidates, scores, |scorer: &mut Scorer, part, out| {
        for (&i, slot) in part.iter().zip(out) {
            *slot = scorer.score(pattern, names, i);
        }
    });
    keep_matches(candidates, scores);
}

/// Sets `scores` to one `NO_MATCH` per candidate, then lets `work` score them
/// piece by piece, on every core for a long list.
fn score_all<S: Default>(
    candidates: &[usize],
    scores: &mut Vec<u32>,
    work: impl Fn(&mut S, &[usize], &mut [u32]) + Sync,
) {
    scores.clear();
    scores.resize(candidates.len(), NO_MATCH);
    cores::in_chunks(candidates, scores, work);
}

/// The needle of a query that parses to one plain fuzzy word of ASCII characters,
/// in lower case (it is parsed with case ignored): the only queries the shortcuts
/// take.
fn single_word(pattern: &Pattern) -> Option<&[u8]> {
    let [atom] = pattern.atoms.as_slice() else {
        return None;
    };
    if atom.negative || atom.kind != AtomKind::Fuzzy {
        return None;
    }
    match atom.needle_text() {
        Utf32Str::Ascii(needle) => Some(needle),
        Utf32Str::Unicode(_) => None,
    }
}

/// One core's scratch space for scoring names one at a time. nucleo's matcher
/// takes 135 KB of zeroed memory, so it is made only for a name that needs it.
#[derive(Default)]
struct Scorer {
    matcher: Option<Matcher>,
    matrix: optimal::Scratch,
    buf: Vec<char>,
}

impl Scorer {
    /// nucleo's score for name `i`, or `NO_MATCH`.
    fn score(&mut self, pattern: &Pattern, names: &NameIndex, i: usize) -> u32 {
        let matcher = self.matcher.get_or_insert_default();
        pattern
            .score(Utf32Str::new(names.name(i), &mut self.buf), matcher)
            .unwrap_or(NO_MATCH)
    }
}

/// Drops the candidates scored `NO_MATCH`, in place, keeping order.
fn keep_matches(candidates: &mut Vec<usize>, scores: &mut Vec<u32>) {
    let mut kept = 0;
    for k in 0..candidates.len() {
        if scores[k] != NO_MATCH {
            candidates[kept] = candidates[k];
            scores[kept] = scores[k];
            kept += 1;
        }
    }
    candidates.truncate(kept);
    scores.truncate(kept);
}

/// Orders `matched` best score first, list order among equals, into `ranked`: a
/// counting sort, since scores are small integers and 100,000 of them must be
/// ordered within a keystroke.
fn by_score(matched: &[usize], scores: &[u32], ranked: &mut Vec<usize>) {
    let max = scores.iter().copied().max().unwrap_or(0) as usize;
    if max > 1 << 20 {
        let mut order: Vec<(u32, usize)> = scores
            .iter()
            .copied()
            .zip(matched.iter().copied())
            .collect();
        order.sort_by_key(|&(s, _)| std::cmp::Reverse(s));
        ranked.extend(order.into_iter().map(|(_, i)| i));
        return;
    }
    // Start offsets per score, highest score first.
    let mut starts = vec![0usize; max + 2];
    for &s in scores {
        starts[max - s as usize + 1] += 1;
    }
    for k in 1..starts.len() {
        starts[k] += starts[k - 1];
    }
    ranked.resize(matched.len(), 0);
    for (&i, &s) in matched.iter().zip(scores) {
        let slot = &mut starts[max - s as usize];
        ranked[*slot] = i;
        *slot += 1;
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

    fn rank(filter: &mut FuzzyFilter, zones: &[Zone]) -> Vec<usize> {
        let mut ranked = vec![usize::MAX; 3];
        filter.rank(zones, &mut ranked);
        ranked
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
        assert_eq!(rank(&mut f, &list), vec![1]);
        f.set_query("shop");
        let ranked = rank(&mut f, &list);
        assert_eq!(ranked.len(), 2);
        f.set_query("");
        assert_eq!(rank(&mut f, &list), vec![0, 1, 2, 3]);
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
            let narrowed = rank(&mut typed, &list);
            let mut fresh = FuzzyFilter::default();
            fresh.set_query(q);
            assert_eq!(narrowed, rank(&mut fresh, &list), "{q}");
        }
    }

    #[test]
    fn the_readme_syntax_anchors_excludes_and_joins() {
        let list = zones(&["shop.net", "eu-shop.org", "shop-staging.net", "blog.net"]);
        let matches = |q: &str| {
            let mut f = FuzzyFilter::default();
            f.set_query(q);
            let mut ranked = rank(&mut f, &list);
            ranked.sort_unstable();
            ranked
        };
        assert_eq!(matches("^shop"), vec![0, 2]);
        assert_eq!(matches(".net$"), vec![0, 2, 3]);
        assert_eq!(matches("bt"), vec![3]);
        assert_eq!(matches("'bt"), Vec::<usize>::new());
        assert_eq!(matches("!staging"), vec![0, 1, 3]);
        assert_eq!(matches("shop net"), vec![0, 2]);
    }

    #[test]
    fn typing_a_negation_an_escape_or_an_anchor_ranks_as_a_fresh_filter_does() {
        let list = zones(&[
            "s-only.org",
            "abc.org",
            "shop.org",
            "foo bar.org",
            "foo\\.org",
            "a$b.test",
            "shopa",
        ]);
        for typed in [
            ["!s", "!sh", "!sh x"],
            ["foo\\", "foo\\ ", "foo\\ b"],
            ["a", "a$", "a$b"],
        ] {
            let mut f = FuzzyFilter::default();
            for q in typed {
                f.set_query(q);
                let mut fresh = FuzzyFilter::default();
                fresh.set_query(q);
                assert_eq!(rank(&mut f, &list), rank(&mut fresh, &list), "{q}");
            }
        }
        // The cases that need it: `!sh` lets through a name `!s` kept out, and
        // `a$b` a name `a$` kept out.
        let mut f = FuzzyFilter::default();
        f.set_query("!s");
        rank(&mut f, &list);
        f.set_query("!sh");
        assert!(rank(&mut f, &list).contains(&0));
        f.set_query("a$");
        assert_eq!(rank(&mut f, &list), vec![6]);
        f.set_query("a$b");
        assert_eq!(rank(&mut f, &list), vec![5]);
    }

    #[test]
    fn ranking_again_with_nothing_changed_gives_the_same_order() {
        let list = zones(&["shop.example", "api.example", "sh.example"]);
        let mut f = FuzzyFilter::default();
        for q in ["s", "sh", "sh", "shx", "shx"] {
            f.set_query(q);
            let first = rank(&mut f, &list);
            assert_eq!(rank(&mut f, &list), first, "{q}");
            let mut fresh = FuzzyFilter::default();
            fresh.set_query(q);
            assert_eq!(rank(&mut fresh, &list), first, "{q}");
        }
    }

    #[test]
    fn names_appended_page_by_page_rank_as_a_list_indexed_whole() {
        let list = zones(&["api.example", "blog.example", "shop.example", "sé.example"]);
        let mut paged = FuzzyFilter::default();
        paged.index(&list[..1]);
        paged.index_more(&list[..3]);
        paged.index_more(&list);
        let mut whole = FuzzyFilter::default();
        whole.index(&list);
        assert_eq!(paged.names, whole.names);
        for q in ["e", "s", "pe"] {
            paged.set_query(q);
            whole.set_query(q);
            assert_eq!(rank(&mut paged, &list), rank(&mut whole, &list), "{q}");
        }
    }

    #[test]
    fn a_list_swapped_without_index_is_ranked_afresh() {
        let before = zones(&["a.test", "b.test", "shop.test"]);
        let after = zones(&["shop.test"]);
        let mut f = FuzzyFilter::default();
        f.index(&before);
        f.set_query("s");
        assert_eq!(rank(&mut f, &before), vec![2, 0, 1]);
        f.set_query("sh");
        assert_eq!(rank(&mut f, &after), vec![0]);
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

    #[test]
    fn every_core_scores_a_long_list_as_nucleo_does() {
        // Long enough to be shared between the cores, with odd names among them.
        let names: Vec<String> = (0..30_000)
            .map(|i| match i % 1_000 {
                0 => format!("sé-{i}.example"),
                1 => "s".to_owned(),
                _ => format!("shop-{i:05}.ex-ample"),
            })
            .collect();
        let refs: Vec<&str> = names.iter().map(String::as_str).collect();
        let list = zones(&refs);
        for q in ["s", "e", "ex", "eap", "shop 5", "^shop"] {
            let mut f = FuzzyFilter::default();
            f.set_query(q);
            let mut ranked = Vec::new();
            f.rank(&list, &mut ranked);
            let pattern = Pattern::parse(q, CaseMatching::Ignore, Normalization::Never);
            let mut matcher = Matcher::default();
            let mut expected: Vec<(u32, usize)> = refs
                .iter()
                .enumerate()
                .filter_map(|(i, n)| {
                    let mut buf = Vec::new();
                    let s = pattern.score(Utf32Str::new(n, &mut buf), &mut matcher)?;
                    Some((s, i))
                })
                .collect();
            expected.sort_by_key(|&(s, i)| (std::cmp::Reverse(s), i));
            let expected: Vec<usize> = expected.into_iter().map(|(_, i)| i).collect();
            assert_eq!(ranked, expected, "{q}");
        }
    }

    proptest::proptest! {
        /// The one-character scan is a shortcut, not a second opinion: it must give
        /// nucleo's own scores, for every case, neighbour and odd name.
        #[test]
        fn one_character_scan_scores_as_nucleo_does(
            names in proptest::collection::vec("[aAbBsSzZ09 ._/-]{0,8}|[sé\u{212A}k-]{1,4}", 0..40),
            query in "[aAbBsSkK09z]",
        ) {
            let refs: Vec<&str> = names.iter().map(String::as_str).collect();
            let index = NameIndex::new(&zones(&refs));
            let pattern = Pattern::parse(&query, CaseMatching::Ignore, Normalization::Never);
            let one = single_word(&pattern).and_then(OneChar::new).expect("a letter or digit");
            let (mut scanned, mut scanned_scores) = ((0..index.len()).collect(), vec![7]);
            one.scan(&pattern, &index, &mut scanned, &mut scanned_scores);
            let (mut each, mut each_scores) = ((0..index.len()).collect(), Vec::new());
            score_each(&pattern, &index, &mut each, &mut each_scores);
            proptest::prop_assert_eq!((scanned, scanned_scores), (each, each_scores));
        }
    }
}

//! Fuzzy zone search: ranking for the filter, match positions for highlighting.

use std::thread;

use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Matcher, Utf32Str};

use crate::api::Zone;

/// Below this many names one thread is quicker than starting more (measured on two
/// cores: 12,500 names split took 1.8 ms instead of 3.5).
const PARALLEL_FROM: usize = 8_000;

/// A parsed query and what the last ranking found, kept between keystrokes: typing
/// one more character only re-scores the zones that matched before.
#[derive(Debug, Default)]
pub struct FuzzyFilter {
    pattern: Pattern,
    query: String,
    /// Set while the query is one letter or digit.
    one_char: Option<OneChar>,
    /// The last ranking's query and matches, while the zone list is unchanged.
    last: Option<(String, Vec<usize>)>,
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
            self.one_char = OneChar::new(query, &self.pattern);
        }
    }

    /// The zone list changed: the next ranking starts from scratch. The names are
    /// copied now, not on the first keystroke, which has the least time to spare.
    pub fn index(&mut self, zones: &[Zone]) {
        self.last = None;
        self.names = Some(NameIndex::new(zones));
    }

    /// Zones were appended to the list, the rest unchanged: only the new names are
    /// copied, so a list loading page by page is not copied whole per page.
    pub fn index_more(&mut self, zones: &[Zone]) {
        self.last = None;
        match &mut self.names {
            Some(names) if names.len() <= zones.len() => names.extend(&zones[names.len()..]),
            _ => self.names = Some(NameIndex::new(zones)),
        }
    }

    /// Indices of the zones that match, best first (ties keep list order); all of
    /// them, in order, for an empty query.
    pub fn rank(&mut self, zones: &[Zone]) -> Vec<usize> {
        if self.query.is_empty() {
            self.last = None;
            return (0..zones.len()).collect();
        }
        // The length check catches a list replaced without `index`.
        let names = match self.names {
            Some(ref names) if names.len() == zones.len() => names,
            _ => self.names.insert(NameIndex::new(zones)),
        };
        // Scored in list order, which is both the next keystroke's candidates and
        // the tie-break of the ranking.
        let scored = match (self.last.take(), &self.one_char) {
            // A query that extends the last one can only match a subset of what it did.
            (Some((last, matched)), _) if self.query.starts_with(&last) && !last.is_empty() => {
                score_each(&self.pattern, names, &matched)
            }
            (_, Some(one)) => one.score_all(&self.pattern, names),
            _ => score_each(&self.pattern, names, &(0..names.len()).collect::<Vec<_>>()),
        };
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

/// Every zone name in one buffer, in list order: scoring then reads memory front to
/// back instead of following a pointer per zone, which is most of the cost of
/// scoring 100,000 names.
#[derive(Debug, PartialEq)]
struct NameIndex {
    text: String,
    ends: Vec<usize>,
    /// Names the one-character scan cannot score (not ASCII, or one byte long),
    /// in list order. Zone names are ASCII (IDNs come as punycode), so rarely any.
    odd: Vec<usize>,
}

impl NameIndex {
    fn new(zones: &[Zone]) -> Self {
        let mut names = Self {
            text: String::with_capacity(zones.iter().map(|z| z.name.len()).sum()),
            ends: Vec::with_capacity(zones.len()),
            odd: Vec::new(),
        };
        names.extend(zones);
        names
    }

    fn extend(&mut self, zones: &[Zone]) {
        for z in zones {
            if !z.name.is_ascii() || z.name.len() < 2 {
                self.odd.push(self.ends.len());
            }
            self.text.push_str(&z.name);
            self.ends.push(self.text.len());
        }
    }

    fn len(&self) -> usize {
        self.ends.len()
    }

    fn start(&self, i: usize) -> usize {
        i.checked_sub(1).map_or(0, |p| self.ends[p])
    }

    fn name(&self, i: usize) -> &str {
        &self.text[self.start(i)..self.ends[i]]
    }
}

/// Scores the candidates with nucleo, on every core for a long list.
fn score_each(pattern: &Pattern, names: &NameIndex, candidates: &[usize]) -> Vec<(u32, usize)> {
    let score = |chunk: &[usize]| {
        let mut matcher = Matcher::default();
        let mut buf = Vec::new();
        chunk
            .iter()
            .filter_map(|&i| {
                let name = Utf32Str::new(names.name(i), &mut buf);
                Some((pattern.score(name, &mut matcher)?, i))
            })
            .collect::<Vec<_>>()
    };
    let threads = thread::available_parallelism().map_or(1, |n| n.get());
    if candidates.len() < PARALLEL_FROM || threads < 2 {
        return score(candidates);
    }
    // This thread takes the first share rather than sit waiting on the others.
    let mut chunks = candidates.chunks(candidates.len().div_ceil(threads));
    let mine = chunks.next().unwrap_or_default();
    thread::scope(|s| {
        let others: Vec<_> = chunks.map(|c| s.spawn(move || score(c))).collect();
        let mut scored = score(mine);
        for other in others {
            scored.extend(other.join().unwrap_or_default());
        }
        scored
    })
}

/// The first keystroke scores every name, the one ranking with no earlier matches
/// to narrow it. For one character nucleo's score depends only on the best place it
/// occurs, and a place's worth only on the character before it; so this reads those
/// scores off nucleo once per query, then finds every occurrence in one pass over
/// the names, several times quicker than scoring name by name.
#[derive(Debug)]
struct OneChar {
    /// The character as typed in lower and upper case (the same byte for a digit).
    cases: [u8; 2],
    /// Score of an occurrence (per case) at the start of a name.
    first: [u32; 2],
    /// Score of an occurrence (per case) after each ASCII byte.
    after: [[u32; 2]; 128],
}

impl OneChar {
    fn new(query: &str, pattern: &Pattern) -> Option<Self> {
        let &[c] = query.as_bytes() else {
            return None;
        };
        if !c.is_ascii_alphanumeric() {
            return None;
        }
        let cases = [c.to_ascii_lowercase(), c.to_ascii_uppercase()];
        // A byte of the same kind that is not the query: it stands in for a
        // preceding occurrence, and ends the probe for the start of a name.
        let other = |b: u8| match b {
            b'a'..=b'z' => {
                if c.eq_ignore_ascii_case(&b'a') {
                    b'b'
                } else {
                    b'a'
                }
            }
            b'A'..=b'Z' => {
                if c.eq_ignore_ascii_case(&b'a') {
                    b'B'
                } else {
                    b'A'
                }
            }
            _ => {
                if c == b'0' {
                    b'1'
                } else {
                    b'0'
                }
            }
        };
        let mut matcher = Matcher::default();
        let mut probe = |haystack: [u8; 2]| pattern.score(Utf32Str::Ascii(&haystack), &mut matcher);
        let mut first = [0; 2];
        let mut after = [[0; 2]; 128];
        for (k, &o) in cases.iter().enumerate() {
            first[k] = probe([o, other(c)])?;
            for p in 0..128u8 {
                let before = if cases.contains(&p) { other(p) } else { p };
                after[usize::from(p)][k] = probe([before, o])?;
            }
        }
        Some(Self {
            cases,
            first,
            after,
        })
    }

    fn score_all(&self, pattern: &Pattern, names: &NameIndex) -> Vec<(u32, usize)> {
        let text = names.text.as_bytes();
        let mut scored: Vec<(u32, usize)> = Vec::new();
        let mut name = 0;
        for at in memchr::memchr2_iter(self.cases[0], self.cases[1], text) {
            while names.ends[name] <= at {
                name += 1;
            }
            let case = usize::from(text[at] != self.cases[0]);
            let score = if at == names.start(name) {
                self.first[case]
            } else {
                // Bytes past ASCII only occur in odd names, dropped below.
                self.after
                    .get(usize::from(text[at - 1]))
                    .map_or(0, |s| s[case])
            };
            match scored.last_mut() {
                Some((best, i)) if *i == name => *best = (*best).max(score),
                _ => scored.push((score, name)),
            }
        }
        if !names.odd.is_empty() {
            scored.retain(|(_, i)| names.odd.binary_search(i).is_err());
            scored.extend(score_each(pattern, names, &names.odd));
            scored.sort_unstable_by_key(|&(_, i)| i);
        }
        scored
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
            assert_eq!(paged.rank(&list), whole.rank(&list), "{q}");
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
            let one = OneChar::new(&query, &pattern).expect("a letter or digit");
            let all: Vec<usize> = (0..index.len()).collect();
            proptest::prop_assert_eq!(
                one.score_all(&pattern, &index),
                score_each(&pattern, &index, &all)
            );
        }
    }
}

//! A query of one fuzzy word, the usual kind: scored by a shortcut where the word
//! occurs whole in a name (`example` in `shop-eu.example`), by the matrix in
//! `optimal` elsewhere, and by nucleo only for names that are not ASCII.

use memchr::memmem;
use nucleo_matcher::pattern::Pattern;

use super::names::NameIndex;
use super::{NO_MATCH, Scorer, bonus, keep_matches, optimal, score_all};

/// Where a query of several characters occurs whole, at a place worth at least any
/// other place a match could use, no scattered match can beat that run: nucleo's
/// best score is the run's score, worked out directly. One pass over all names
/// finds such runs, quicker than filling even `optimal`'s matrix name by name; the
/// names it cannot settle go to that matrix.
#[derive(Debug)]
pub(super) struct Word {
    needle: Vec<u8>,
    finder: memmem::Finder<'static>,
    /// Which bytes are the query's characters, in either case.
    holds: [bool; 256],
}

/// How many of the names the matrix scored last are kept to score others from:
/// enough for a list that interleaves several families of names.
const RECENT: usize = 8;

/// Comparing a name with those scored lately costs a good part of scoring it
/// afresh, and pays only where names come in families: after this many names in a
/// row unlike any, only one name in `SAMPLE` is compared, until one is alike again.
const MISSES: usize = 32;
const SAMPLE: usize = 64;

/// Runs found before `settle` judges whether finding them pays.
const RUNS_TRIED: usize = 64;

/// A name the matrix scored: where its scored stretch starts, counted from the
/// name's end, and the score.
#[derive(Clone, Copy)]
struct Scored {
    name: usize,
    from_end: usize,
    score: u32,
}

/// The names the matrix scored lately, for one core's piece of the list.
#[derive(Default)]
struct Recent {
    scored: [Option<Scored>; RECENT],
    /// How many it has been given: the next replaces the oldest.
    given: usize,
    /// Names compared in a row and found unlike any.
    misses: usize,
}

impl Recent {
    /// The score of name `i`, whose stretch starts `from_end` places before its
    /// end, from a name scored lately that `alike` says gives it its score.
    fn score(
        &mut self,
        i: usize,
        from_end: usize,
        alike: impl Fn(Scored) -> Option<u32>,
    ) -> Option<u32> {
        if self.misses >= MISSES && !i.is_multiple_of(SAMPLE) {
            return None;
        }
        let score = self
            .scored
            .iter()
            .flatten()
            .filter(|scored| scored.from_end == from_end)
            .find_map(|&scored| alike(scored));
        self.misses = if score.is_some() { 0 } else { self.misses + 1 };
        score
    }

    fn remember(&mut self, scored: Scored) {
        self.scored[self.given % RECENT] = Some(scored);
        self.given += 1;
    }
}

impl Word {
    /// For a query that is one word of two or more characters (`needle`, from
    /// `single_word`).
    pub(super) fn new(needle: &[u8]) -> Option<Self> {
        (needle.len() >= 2).then(|| Self {
            needle: needle.to_vec(),
            finder: memmem::Finder::new(needle).into_owned(),
            holds: std::array::from_fn(|b| needle.contains(&(b as u8).to_ascii_lowercase())),
        })
    }

    /// Scores the `candidates` (in list order) as `score_each` would, and keeps
    /// those that match, in place, with their scores in `scores`.
    pub(super) fn score(
        &self,
        pattern: &Pattern,
        names: &NameIndex,
        candidates: &mut Vec<usize>,
        scores: &mut Vec<u32>,
    ) {
        score_all(candidates, scores, |scorer: &mut Scorer, part, out| {
            self.settle(names, part, out);
            let mut recent = Recent::default();
            for (&i, slot) in part.iter().zip(out) {
                if *slot == NO_MATCH {
                    *slot = self.score_name(pattern, names, i, scorer, &mut recent);
                }
            }
        });
        keep_matches(candidates, scores);
    }

    /// Scores a name no run settled: with `optimal`'s matrix if it is ASCII (or
    /// from a name it scored lately that looks alike to the query), else with
    /// nucleo.
    fn score_name(
        &self,
        pattern: &Pattern,
        names: &NameIndex,
        i: usize,
        scorer: &mut Scorer,
        recent: &mut Recent,
    ) -> u32 {
        let name = names.bytes(i);
        if !(names.ascii(i) && optimal::fits(name.len(), self.needle.len())) {
            return scorer.score(pattern, names, i);
        }
        // nucleo scores the stretch from the query's first character's first place.
        let Some(start) = optimal::find(name, self.needle[0]) else {
            return NO_MATCH;
        };
        let from_end = name.len() - start;
        if let Some(score) = recent.score(i, from_end, |scored| {
            self.same_stretch(names, i, start, scored)
        }) {
            return score;
        }
        match optimal::score(name, names.worth(i), &self.needle, &mut scorer.matrix) {
            Some(score) => {
                recent.remember(Scored {
                    name: i,
                    from_end,
                    score,
                });
                score
            }
            None => NO_MATCH,
        }
    }

    /// nucleo's score depends only on the stretch of a name from the query's first
    /// character to its end: on where in it the query's characters are, and on what
    /// those places are worth. Names in an account come in families
    /// (`shop-eu-000421.example`, `shop-eu-000422.example`): where name `i`'s
    /// stretch, from `start`, differs from `last`'s only at places holding none of
    /// the query's characters in either name, the score is the same.
    fn same_stretch(&self, names: &NameIndex, i: usize, start: usize, last: Scored) -> Option<u32> {
        let there = names.bytes(last.name).len() - last.from_end;
        let (here, worth) = (&names.bytes(i)[start..], &names.worth(i)[start..]);
        let before = &names.bytes(last.name)[there..];
        let worth_before = &names.worth(last.name)[there..];
        let idle = |p: usize| !self.holds(here[p]) && !self.holds(before[p]);
        optimal::differ_only_where([(here, before), (worth, worth_before)], idle)
            .then_some(last.score)
    }

    /// Whether `byte` is one of the query's characters, in either case.
    fn holds(&self, byte: u8) -> bool {
        self.holds[usize::from(byte)]
    }

    /// Scores the candidates (in list order) holding a run this can vouch for,
    /// leaving `NO_MATCH` for the rest.
    fn settle(&self, names: &NameIndex, candidates: &[usize], scores: &mut [u32]) {
        let (Some(&first), Some(&last)) = (candidates.first(), candidates.last()) else {
            return;
        };
        let text = names.text.as_bytes();
        let len = self.needle.len();
        let end = names.end(last);
        let (mut name, mut k) = (first, 0);
        // Only the names asked about are searched, each until a run settles it.
        // Runs may overlap (`aa` in `aaa`): one that cannot settle its name is
        // followed by a search from the next byte, not past the run.
        let mut pos = names.start(first);
        let (mut runs, mut settled_names) = (0, 0);
        while let Some(found) = self.finder.find(&text[pos..end]) {
            // Where runs seldom settle their names (`o.` in `kamiro.io`: the dot
            // is worth more than the `o`, so the run cannot be shown best), the
            // search costs more than it saves; the matrix scores them anyway.
            runs += 1;
            if runs >= RUNS_TRIED && settled_names * 8 < runs {
                return;
            }
            let at = pos + found;
            while names.end(name) <= at {
                name += 1;
            }
            while k < candidates.len() && candidates[k] < name {
                k += 1;
            }
            let Some(&candidate) = candidates.get(k) else {
                break;
            };
            if candidate != name {
                pos = names.start(candidate);
                continue;
            }
            let start = names.start(name);
            let settled = (at + len <= names.end(name))
                .then(|| {
                    let bytes = &text[start..names.end(name)];
                    self.run_score(bytes, names.worth(name), at - start, names.peak(name))
                })
                .flatten();
            match settled {
                Some(score) => {
                    scores[k] = score;
                    settled_names += 1;
                    pos = names.end(name);
                }
                // A run across two names, or one a better place could beat.
                None => pos = at + 1,
            }
        }
    }

    /// The score of the run at `at` in `name` if nothing can beat it. `worth` is
    /// what each place in `name` is worth, `peak` the most any after the first is.
    fn run_score(&self, name: &[u8], worth: &[u8], at: usize, peak: u8) -> Option<u32> {
        // Where nucleo would not look for the best match, neither may this.
        if !optimal::fits(name.len(), self.needle.len()) {
            return None;
        }
        // A match can use the first place only when the name begins with the
        // query's first character.
        let best_place = if name[0].eq_ignore_ascii_case(&self.needle[0]) {
            peak.max(worth[0])
        } else {
            peak
        };
        let here = worth[at];
        (here >= best_place).then(|| bonus::run(self.needle.len(), here))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::Zone;
    use crate::app::fuzzy::{score_each, single_word};
    use nucleo_matcher::pattern::{CaseMatching, Normalization};

    fn index(names: &[String]) -> NameIndex {
        let zones: Vec<Zone> = names
            .iter()
            .map(|n| Zone {
                name: n.clone(),
                ..Default::default()
            })
            .collect();
        NameIndex::new(&zones)
    }

    fn parse(query: &str) -> Pattern {
        Pattern::parse(query, CaseMatching::Ignore, Normalization::Never)
    }

    fn word(pattern: &Pattern) -> Option<Word> {
        single_word(pattern).and_then(Word::new)
    }

    /// Every name of `index` ranked by the word and by nucleo: (matches, scores).
    type Ranked = (Vec<usize>, Vec<u32>);
    fn ours_and_nucleos(word: &Word, pattern: &Pattern, index: &NameIndex) -> (Ranked, Ranked) {
        let (mut ours, mut ours_scores) = ((0..index.len()).collect(), Vec::new());
        word.score(pattern, index, &mut ours, &mut ours_scores);
        let (mut each, mut each_scores) = ((0..index.len()).collect(), Vec::new());
        score_each(pattern, index, &mut each, &mut each_scores);
        ((ours, ours_scores), (each, each_scores))
    }

    #[test]
    fn takes_only_a_single_fuzzy_word_of_several_characters() {
        for query in ["ex", "EXample", "a.b", "shop-eu"] {
            assert!(word(&parse(query)).is_some(), "{query}");
        }
        for query in ["e", "shop eu", "^shop", "'shop", "shop$", "!shop", "sé"] {
            assert!(word(&parse(query)).is_none(), "{query}");
        }
    }

    #[test]
    fn settles_every_name_of_a_typical_account_in_one_pass() {
        // Names as agencies hold them, the query as users type it: a label, or the
        // start of one.
        let names: Vec<String> = (0..2_000)
            .map(|i| format!("shop-eu-{i:06}.example.com"))
            .collect();
        let index = index(&names);
        let all: Vec<usize> = (0..names.len()).collect();
        for query in [
            "ex",
            "example",
            "shop",
            "shop-eu",
            "eu-0",
            ".com",
            "example.com",
        ] {
            let c = word(&parse(query)).unwrap();
            let mut scores = vec![NO_MATCH; all.len()];
            c.settle(&index, &all, &mut scores);
            assert!(!scores.contains(&NO_MATCH), "{query}");
            // A piece of the list, as one core gets it, and a sparse one, as
            // narrowing leaves it, settle to the same scores.
            for part in [&all[700..1300], &[3, 10, 1999][..]] {
                let mut part_scores = vec![NO_MATCH; part.len()];
                c.settle(&index, part, &mut part_scores);
                let expected: Vec<u32> = part.iter().map(|&i| scores[i]).collect();
                assert_eq!(part_scores, expected, "{query}");
            }
        }
    }

    #[test]
    fn a_run_across_two_names_does_not_hide_one_in_the_second() {
        // In the packed names `a` + `aab.x`, the search first meets `aa` across the
        // two; the run at the start of `aab.x` overlaps it.
        let index = index(&["a".to_owned(), "aab.x".to_owned()]);
        let c = word(&parse("aa")).unwrap();
        let mut scores = vec![NO_MATCH; 2];
        c.settle(&index, &[0, 1], &mut scores);
        assert_eq!(scores[0], NO_MATCH);
        assert_ne!(scores[1], NO_MATCH);
    }

    #[test]
    fn leaves_to_the_matrix_a_run_that_a_better_place_could_beat() {
        let names = [
            // `ab` inside `xab` is worth less than a match after a `-`.
            ("xab-a-b", "ab"),
            // The name starts with `e`, worth more than the run after the dot.
            ("e-x.example", "ex"),
            // Here the start wins: `a` first, `b` after the `-` beats the run `ab`.
            ("a-b.ab", "ab"),
        ];
        for (name, query) in names {
            let index = index(&[name.to_owned()]);
            let pattern = parse(query);
            let c = word(&pattern).unwrap();
            let mut scores = vec![NO_MATCH];
            c.settle(&index, &[0], &mut scores);
            assert_eq!(scores, [NO_MATCH], "{name}");
            let (ours, nucleos) = ours_and_nucleos(&c, &pattern, &index);
            assert_eq!(ours, nucleos, "{name}");
        }
    }

    #[test]
    fn unrelated_names_past_the_back_off_score_as_nucleo_does() {
        // Enough names unlike each other for the comparison with lately scored
        // names to back off and then sample, with a few families in between.
        let mut state = 7u64;
        let mut next = |below: u64| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1);
            (state >> 33) % below
        };
        let names: Vec<String> = (0..2_000)
            .map(|i| {
                if i % 300 < 40 {
                    return format!("shop-{i:04}.example");
                }
                let len = 3 + next(10) as usize;
                let body: String = (0..len)
                    .map(|_| b"abeoxs.-"[next(8) as usize] as char)
                    .collect();
                format!("{body}.io")
            })
            .collect();
        let index = index(&names);
        for query in ["so", "e.o", "ax", "s-e"] {
            let pattern = parse(query);
            let c = word(&pattern).unwrap();
            let (ours, nucleos) = ours_and_nucleos(&c, &pattern, &index);
            assert_eq!(ours, nucleos, "{query}");
        }
    }

    #[test]
    fn gives_up_on_runs_that_seldom_settle_their_names() {
        // 200 names whose run `o.` cannot be shown best, then 100 where it can (at
        // the start of the name).
        let names: Vec<String> = (0..200)
            .map(|i| format!("ka{i:03}miro.io"))
            .chain((0..100).map(|i| format!("o.{i:03}.io")))
            .collect();
        let all_names = index(&names);
        let pattern = parse("o.");
        let c = word(&pattern).unwrap();
        let all: Vec<usize> = (0..names.len()).collect();
        let mut scores = vec![NO_MATCH; all.len()];
        c.settle(&all_names, &all, &mut scores);
        assert!(
            scores.iter().all(|&s| s == NO_MATCH),
            "stopped before the last 100"
        );
        // Settled or not, every name gets nucleo's score.
        let (ours, nucleos) = ours_and_nucleos(&c, &pattern, &all_names);
        assert_eq!(ours, nucleos);
        let settled = &names[200..];
        let mut scores = vec![NO_MATCH; settled.len()];
        c.settle(&index(settled), &all[..settled.len()], &mut scores);
        assert!(
            !scores.contains(&NO_MATCH),
            "each of these settles on its own"
        );
    }

    proptest::proptest! {
        /// Names of a few families, as an account's are: alike but for a head and
        /// a few places, which may hold a query character, a capital, or a
        /// delimiter that changes what the next place is worth. Queries with gaps:
        /// the names scored from the one scored before must get nucleo's own
        /// scores.
        #[test]
        fn names_of_a_family_score_as_nucleo_does(
            heads in proptest::collection::vec("[abAB0.-]{0,6}", 1..40),
            family in proptest::collection::vec(0usize..3, 40),
            holes in proptest::collection::vec("[abAB0x.-]{2}", 40),
            query in "[abeAx.-]{2,4}",
        ) {
            let families = [".a?-x.ex?mple", "-?.be?x", "a??b"];
            let names: Vec<String> = heads
                .iter()
                .zip(&family)
                .zip(&holes)
                .map(|((head, &f), holes)| {
                    let mut holes = holes.chars();
                    let body: String = families[f]
                        .chars()
                        .map(|c| if c == '?' { holes.next().unwrap() } else { c })
                        .collect();
                    format!("{head}{body}")
                })
                .collect();
            let pattern = parse(&query);
            let Some(c) = word(&pattern) else {
                return Ok(());
            };
            let (ours, nucleos) = ours_and_nucleos(&c, &pattern, &index(&names));
            proptest::prop_assert_eq!(ours, nucleos, "{:?}", query);
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2_000))]
        /// The shortcut must give nucleo's own scores for every name, settled or
        /// not: queries cut from the names find runs, random ones mostly do not.
        #[test]
        fn scores_as_nucleo_does(
            names in proptest::collection::vec("[abAB09 ._/:|-]{0,10}|[aé.-]{1,5}", 1..30),
            cut in (0usize..30, 0usize..10, 2usize..6),
            random in "[abAB0._-]{2,4}",
            use_cut: bool,
        ) {
            let (which, from, len) = cut;
            let source = names[which % names.len()].as_bytes();
            let query = if use_cut && source.is_ascii() && source.len() >= 2 {
                let from = from % (source.len() - 1);
                let to = (from + len).min(source.len());
                String::from_utf8(source[from..to].to_vec()).unwrap()
            } else {
                random
            };
            let pattern = parse(&query);
            let Some(c) = word(&pattern) else {
                return Ok(());
            };
            let (ours, nucleos) = ours_and_nucleos(&c, &pattern, &index(&names));
            proptest::prop_assert_eq!(ours, nucleos, "{:?}", query);
        }
    }
}

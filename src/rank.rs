//! Ranking zone names for the filter: nucleo does it in its own worker threads, fed
//! and asked from one thread of ours, so neither the event loop nor `update` ever
//! scores a name. fzf's syntax comes with nucleo: `^shop`, `.net$`, `'eu`, `!staging`,
//! and spaces between terms.
//!
//! The names are numbered by their place in the list the app keeps (their slot), and a
//! ranking answers with slots, best first: ties go to the shorter name, then the
//! earlier slot.

use std::sync::Arc;
use std::sync::mpsc;
use std::thread::JoinHandle;

use nucleo::pattern::{CaseMatching, Normalization, Pattern};
use nucleo::{Config, Matcher, Nucleo, Utf32Str};

/// Names are matched ignoring case and as written: zone names are ASCII, or
/// punycode, so folding accents would only cost time.
const CASE: CaseMatching = CaseMatching::Ignore;
const NORMALIZATION: Normalization = Normalization::Never;

/// A change to the names the ranker holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Names {
    /// A new list: these names take slots 0, 1, 2, …
    Replace(Vec<String>),
    /// More names, taking the next slots.
    Append(Vec<String>),
}

/// An answer: the slots of the names the query matched, best first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ranked {
    pub generation: u64,
    pub slots: Vec<u32>,
}

enum Job {
    Names(Names),
    Rank {
        generation: u64,
        query: String,
    },
    /// nucleo's workers have news.
    Wake,
    Stop,
}

/// The handle the app keeps; dropping it stops the thread and nucleo's workers.
pub struct Ranker {
    jobs: mpsc::Sender<Job>,
    thread: Option<JoinHandle<()>>,
}

impl Ranker {
    /// Starts the ranking thread; `deliver` gets each answer, from that thread.
    pub fn spawn(deliver: impl Fn(Ranked) + Send + 'static) -> Self {
        let (jobs, rx) = mpsc::channel();
        let wake = jobs.clone();
        let thread = std::thread::Builder::new()
            .name("originpull-rank".into())
            .spawn(move || run(&rx, wake, &deliver))
            .expect("a thread starts");
        Self {
            jobs,
            thread: Some(thread),
        }
    }

    pub fn names(&self, names: Names) {
        let _ = self.jobs.send(Job::Names(names));
    }

    /// Asks for a ranking; any ranking still running is abandoned for it.
    pub fn rank(&self, generation: u64, query: String) {
        let _ = self.jobs.send(Job::Rank { generation, query });
    }
}

impl Drop for Ranker {
    fn drop(&mut self) {
        let _ = self.jobs.send(Job::Stop);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn run(jobs: &mpsc::Receiver<Job>, wake: mpsc::Sender<Job>, deliver: &dyn Fn(Ranked)) {
    let notify = Arc::new(move || {
        let _ = wake.send(Job::Wake);
    });
    let mut nucleo: Nucleo<u32> = Nucleo::new(Config::DEFAULT, notify, None, 1);
    let mut injector = nucleo.injector();
    let mut count: u32 = 0;
    let mut last_query = String::new();
    // The ranking asked for and not yet delivered.
    let mut asked: Option<u64> = None;
    while let Ok(first) = jobs.recv() {
        // Take everything already waiting, so typing ahead costs one ranking.
        for job in std::iter::once(first).chain(jobs.try_iter()) {
            match job {
                Job::Names(Names::Replace(names)) => {
                    nucleo.restart(true);
                    injector = nucleo.injector();
                    count = 0;
                    inject(&injector, &mut count, names);
                }
                Job::Names(Names::Append(names)) => inject(&injector, &mut count, names),
                Job::Rank { generation, query } => {
                    // nucleo may then rescore only what the last query matched; it
                    // checks negation itself. An escape at the end is a character
                    // waiting for its partner, so what follows may change its meaning.
                    let append = query.starts_with(&last_query) && !last_query.ends_with('\\');
                    nucleo
                        .pattern
                        .reparse(0, &query, CASE, NORMALIZATION, append);
                    last_query = query;
                    asked = Some(generation);
                }
                Job::Wake => {}
                Job::Stop => return,
            }
        }
        let Some(generation) = asked else { continue };
        if nucleo.tick(0).running {
            // The workers call `notify` when done, which wakes this loop again.
            continue;
        }
        let snapshot = nucleo.snapshot();
        let slots = snapshot.matched_items(..).map(|item| *item.data).collect();
        asked = None;
        deliver(Ranked { generation, slots });
    }
}

fn inject(injector: &nucleo::Injector<u32>, count: &mut u32, names: Vec<String>) {
    for name in names {
        injector.push(*count, |_, columns| columns[0] = name.into());
        *count += 1;
    }
}

/// The characters of `name` the query matched, for marking them on screen. Cheap
/// enough per row drawn: it parses the query and matches one name.
pub struct Highlighter {
    pattern: Pattern,
    matcher: Matcher,
    chars: Vec<char>,
    indices: Vec<u32>,
}

impl Highlighter {
    /// `None` for an empty query: nothing to mark.
    pub fn new(query: &str) -> Option<Self> {
        (!query.trim().is_empty()).then(|| Self {
            pattern: Pattern::parse(query, CASE, NORMALIZATION),
            matcher: Matcher::new(Config::DEFAULT),
            chars: Vec::new(),
            indices: Vec::new(),
        })
    }

    /// Character positions in `name`, in order.
    pub fn positions(&mut self, name: &str) -> Vec<usize> {
        self.indices.clear();
        self.pattern.indices(
            Utf32Str::new(name, &mut self.chars),
            &mut self.matcher,
            &mut self.indices,
        );
        self.indices.sort_unstable();
        self.indices.dedup();
        self.indices.iter().map(|&i| i as usize).collect()
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn ranker() -> (Ranker, mpsc::Receiver<Ranked>) {
        let (tx, rx) = mpsc::channel();
        let ranker = Ranker::spawn(move |r| {
            let _ = tx.send(r);
        });
        (ranker, rx)
    }

    fn answer(rx: &mpsc::Receiver<Ranked>) -> Ranked {
        rx.recv_timeout(Duration::from_secs(10))
            .expect("the ranker answers")
    }

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn ranks_best_first_with_fzf_syntax() {
        let (ranker, rx) = ranker();
        ranker.names(Names::Replace(names(&[
            "shop-staging.example",
            "shop.example",
            "api.example",
            "shop-eu.net",
        ])));
        ranker.rank(1, "shop".into());
        let r = answer(&rx);
        assert_eq!(r.generation, 1);
        // Equal scores: the shorter name first.
        assert_eq!(r.slots, [3, 1, 0]);
        ranker.rank(2, "shop !staging .net$".into());
        assert_eq!(answer(&rx).slots, [3]);
        ranker.rank(3, "^api".into());
        assert_eq!(answer(&rx).slots, [2]);
        ranker.rank(4, "'hop.".into());
        assert_eq!(answer(&rx).slots, [1]);
    }

    #[test]
    fn names_added_after_a_ranking_are_ranked_next_time_and_replace_starts_over() {
        let (ranker, rx) = ranker();
        ranker.names(Names::Append(names(&["a.example", "b.example"])));
        ranker.rank(1, "b".into());
        assert_eq!(answer(&rx).slots, [1]);
        ranker.names(Names::Append(names(&["bb.example"])));
        ranker.rank(2, "b".into());
        assert_eq!(answer(&rx).slots, [1, 2]);
        ranker.names(Names::Replace(names(&["zb.example"])));
        ranker.rank(3, "b".into());
        assert_eq!(answer(&rx).slots, [0]);
    }

    #[test]
    fn typing_ahead_answers_the_last_query() {
        let (ranker, rx) = ranker();
        let many: Vec<String> = (0..50_000)
            .map(|i| format!("zone-{i:05}.example"))
            .collect();
        ranker.names(Names::Replace(many));
        for (generation, query) in ["z", "zo", "zon", "zone-0", "zone-04", "zone-04242"]
            .iter()
            .enumerate()
        {
            ranker.rank(generation as u64, (*query).into());
        }
        // Earlier queries may answer too, but the last one does, with its own result.
        let last = loop {
            let r = answer(&rx);
            if r.generation == 5 {
                break r;
            }
        };
        assert_eq!(last.slots, [4242]);
    }

    #[test]
    fn highlights_the_matched_characters() {
        let mut h = Highlighter::new("shp").unwrap();
        assert_eq!(h.positions("shop.example"), [0, 1, 3]);
        assert!(Highlighter::new("  ").is_none());
    }
}

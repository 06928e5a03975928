//! Ranking zone names for the filter: frizbee scores them on every core, in a thread
//! of ours, so neither the event loop nor `update` ever scores a name. frizbee reads
//! fzf's syntax: `^shop`, `.net$`, `'eu`, `!staging`, and spaces between terms.
//!
//! The names are numbered by their place in the list the app keeps (their slot), and a
//! ranking answers with slots, best first; of equal scores the shorter name first, as
//! fzf does (`api` puts `api.example` before `api-staging.example`), then slot order.

use std::sync::mpsc;
use std::thread::JoinHandle;

use frizbee::{CaseMatching, Config, Match, Matcher, SortStrategy};

/// Names are matched ignoring case: zone names are lowercase anyway, and a capital
/// typed by accident should not hide them. frizbee leaves the matches in slot order:
/// [`best_first`] sorts them once, with the length as tie-break.
fn config() -> Config {
    Config {
        casing: CaseMatching::Ignore,
        sort: SortStrategy::IndexAsc,
        ..Config::default()
    }
}

/// The slots of `matches`, best score first, then the shorter name, then the earlier
/// slot: all three packed in one integer, so it is one sort of plain numbers.
fn best_first(matches: &[Match], names: &[String]) -> Vec<u32> {
    let mut keys: Vec<u64> = matches
        .iter()
        .map(|m| {
            let worse = u64::from(u16::MAX - m.score);
            let len = names[m.index as usize].len().min(0xFFFF) as u64;
            (worse << 48) | (len << 32) | u64::from(m.index)
        })
        .collect();
    keys.sort_unstable();
    keys.into_iter().map(|k| k as u32).collect()
}

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
    Rank { generation: u64, query: String },
    Stop,
}

/// The handle the app keeps; dropping it stops the thread.
pub struct Ranker {
    jobs: mpsc::Sender<Job>,
    thread: Option<JoinHandle<()>>,
}

impl Ranker {
    /// Starts the ranking thread; `deliver` gets each answer, from that thread.
    pub fn spawn(deliver: impl Fn(Ranked) + Send + 'static) -> Self {
        let (jobs, rx) = mpsc::channel();
        let thread = std::thread::Builder::new()
            .name("originpull-rank".into())
            .spawn(move || run(&rx, &deliver))
            .expect("a thread starts");
        Self {
            jobs,
            thread: Some(thread),
        }
    }

    pub fn names(&self, names: Names) {
        let _ = self.jobs.send(Job::Names(names));
    }

    /// Asks for a ranking; one asked for earlier and not yet started is skipped.
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

fn run(jobs: &mpsc::Receiver<Job>, deliver: &dyn Fn(Ranked)) {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let config = config();
    let mut names: Vec<String> = Vec::new();
    while let Ok(first) = jobs.recv() {
        // Take everything already waiting, so typing ahead costs one ranking.
        let mut asked = None;
        for job in std::iter::once(first).chain(jobs.try_iter()) {
            match job {
                Job::Names(Names::Replace(list)) => names = list,
                Job::Names(Names::Append(mut more)) => names.append(&mut more),
                Job::Rank { generation, query } => asked = Some((generation, query)),
                Job::Stop => return,
            }
        }
        let Some((generation, query)) = asked else {
            continue;
        };
        let matches = Matcher::from_query(&query, &config).match_list_parallel(&names, threads);
        deliver(Ranked {
            generation,
            slots: best_first(&matches, &names),
        });
    }
}

/// The characters of `name` the query matched, for marking them on screen. Cheap
/// enough per row drawn: it matches one name.
pub struct Highlighter {
    matcher: Matcher,
}

impl Highlighter {
    /// `None` for an empty query: nothing to mark.
    pub fn new(query: &str) -> Option<Self> {
        (!query.trim().is_empty()).then(|| Self {
            matcher: Matcher::from_query(query, &config()),
        })
    }

    /// Character positions in `name`, in order.
    pub fn positions(&mut self, name: &str) -> Vec<usize> {
        let Some(found) = self.matcher.match_list_indices(&[name]).pop() else {
            return Vec::new();
        };
        // frizbee answers with byte offsets; the screen counts characters.
        let mut positions: Vec<usize> = name
            .char_indices()
            .enumerate()
            .filter(|(_, (byte, _))| found.indices.contains(&(*byte as u32)))
            .map(|(i, _)| i)
            .collect();
        positions.dedup();
        positions
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

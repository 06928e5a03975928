//! Paging that believes the data, not the header. Every paged listing (zones, DNS
//! records; in the CLI, the survey and the TUI alike) asks for its pages through a
//! [`Pager`]: a window of outstanding pages that grows only while pages come back full
//! of new items, and an end at the first page that is short, empty, or brings nothing
//! new. `result_info` is a hint for how far to look ahead, never a reason to go on:
//! a server that claims 5,000 pages and then answers empty ones costs two requests past
//! the first, not 5,000. The account's rate limit is shared with everything else the
//! user runs; a listing must not spend it on pages the data does not need.

use std::collections::{BTreeSet, HashMap};

use super::model::ResultInfo;

/// A listing may make this many requests at least before the guard stops it…
pub const MIN_REQUEST_LIMIT: u64 = 20;
/// …and otherwise this many times the pages its first page claimed…
pub const REQUEST_LIMIT_FACTOR: u64 = 4;
/// …but never more than this, whatever is claimed: more pages than any account fills
/// (5,000,000 zones at 50 a page).
pub const MAX_PAGES: u64 = 100_000;

/// Which pages of one listing to ask for, as the answers arrive.
#[derive(Debug, Clone)]
pub struct Pager {
    /// Items per page as asked for (or as the server says it serves them).
    per_page: u64,
    /// The most pages ever out at once.
    max_window: u64,
    /// How many may be out now: 1 at first, doubling with each full page.
    window: u64,
    outstanding: BTreeSet<u64>,
    /// The next page not yet asked for.
    next: u64,
    /// The page that ended the listing: no page after it is asked for or kept.
    end: Option<u64>,
    /// What the first page's `result_info` claimed.
    claimed_pages: Option<u64>,
    sent: u64,
    limit: u64,
}

/// A zone listing's pager, before its first request.
impl Default for Pager {
    fn default() -> Self {
        Self::new(
            super::model::ZONES_PER_PAGE,
            super::model::ZONE_PAGE_CONCURRENCY,
        )
    }
}

/// Why a listing stopped before its data ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Runaway {
    pub requests: u64,
    pub claimed_pages: Option<u64>,
}

impl Pager {
    pub fn new(per_page: u32, max_window: usize) -> Self {
        Self {
            per_page: u64::from(per_page.max(1)),
            max_window: (max_window as u64).max(1),
            window: 1,
            outstanding: BTreeSet::new(),
            next: 1,
            end: None,
            claimed_pages: None,
            sent: 0,
            limit: MIN_REQUEST_LIMIT,
        }
    }

    /// The first request: page 1 alone, which tells how big the pages are.
    pub fn start(&mut self) -> Vec<u64> {
        self.ask_up_to(1)
    }

    /// Whether an answer for `page` still counts: not once an earlier page ended the
    /// listing.
    pub fn wanted(&self, page: u64) -> bool {
        self.end.is_none_or(|end| page <= end)
    }

    /// Every page that counts has answered.
    pub fn done(&self) -> bool {
        let pending = match self.end {
            Some(end) => self.outstanding.range(..=end).next().is_some(),
            None => !self.outstanding.is_empty(),
        };
        !pending
    }

    /// What the first page's `result_info` claimed.
    pub fn claimed_pages(&self) -> Option<u64> {
        self.claimed_pages
    }

    /// Page `page` answered with `items` items, `new` of them not seen on an earlier
    /// page: the pages to ask for now, or why the listing must stop.
    pub fn answered(
        &mut self,
        page: u64,
        items: usize,
        new: usize,
        info: Option<&ResultInfo>,
    ) -> Result<Vec<u64>, Runaway> {
        self.outstanding.remove(&page);
        if !self.wanted(page) {
            return Ok(Vec::new());
        }
        self.check(page, info);
        let items = items as u64;
        if page == 1 {
            // A server that serves fewer than asked says so; its pages are full at that.
            if let Some(served) = info.and_then(|i| i.per_page).filter(|&p| p > 0) {
                self.per_page = self.per_page.min(served);
            }
            self.claimed_pages = info.and_then(claimed_pages);
            self.limit = self
                .claimed_pages
                .unwrap_or(1)
                .saturating_mul(REQUEST_LIMIT_FACTOR)
                .clamp(MIN_REQUEST_LIMIT, MAX_PAGES);
        }
        if items < self.per_page || new == 0 {
            if items > 0 && new == 0 {
                tracing::warn!(
                    page,
                    items,
                    "a page held nothing new: the listing ends here"
                );
            }
            if self.claimed_pages.is_some_and(|c| page < c) {
                tracing::warn!(
                    page,
                    claimed_pages = self.claimed_pages,
                    "the data ended before result_info said it would"
                );
            }
            self.end = Some(self.end.map_or(page, |e| e.min(page)));
            return Ok(Vec::new());
        }
        self.window = (self.window * 2).min(self.max_window);
        // Ahead of what the header claims, look; past it, only one page at a time,
        // and only while the data keeps coming (a header that understates).
        let claimed = self.claimed_pages.unwrap_or(0);
        let up_to = if self.next <= claimed {
            claimed
        } else if self.outstanding.is_empty() {
            self.next
        } else {
            0
        };
        let asked = self.ask_up_to(up_to);
        if self.sent > self.limit {
            return Err(Runaway {
                requests: self.sent,
                claimed_pages: self.claimed_pages,
            });
        }
        Ok(asked)
    }

    /// The listing failed at `page`: nothing more is asked.
    pub fn failed(&mut self, page: u64) {
        self.outstanding.remove(&page);
        self.end = Some(self.end.map_or(page, |e| e.min(page)));
    }

    fn ask_up_to(&mut self, last: u64) -> Vec<u64> {
        let mut asked = Vec::new();
        while (self.outstanding.len() as u64) < self.window
            && self.next <= last
            && self.wanted(self.next)
        {
            asked.push(self.next);
            self.outstanding.insert(self.next);
            self.next += 1;
            self.sent += 1;
        }
        asked
    }

    /// A page whose `result_info` contradicts the first is worth a line in the log: it
    /// is how a listing that changes underneath, or a broken proxy, shows itself.
    fn check(&self, page: u64, info: Option<&ResultInfo>) {
        let Some(info) = info else { return };
        if info.page.is_some_and(|p| p != page) {
            tracing::warn!(
                asked = page,
                answered = info.page,
                "result_info names another page"
            );
        }
        if page > 1
            && let (Some(first), Some(now)) = (self.claimed_pages, claimed_pages(info))
            && first != now
        {
            tracing::warn!(
                page,
                first,
                now,
                "result_info's total changed during the listing"
            );
        }
    }
}

fn claimed_pages(info: &ResultInfo) -> Option<u64> {
    info.total_pages.or_else(|| {
        let per_page = info.per_page.filter(|&p| p > 0)?;
        Some(info.total_count?.div_ceil(per_page))
    })
}

/// Items gathered across pages, each kept once by id: a repeat replaces the earlier
/// copy in its place (offset paging over a list that changes can show an item twice).
#[derive(Debug)]
pub struct Collected<T> {
    items: Vec<T>,
    index: HashMap<String, usize>,
}

impl<T> Default for Collected<T> {
    fn default() -> Self {
        Self {
            items: Vec::new(),
            index: HashMap::new(),
        }
    }
}

impl<T> Collected<T> {
    /// Adds `item`; whether its id was new.
    pub fn add(&mut self, id: String, item: T) -> bool {
        match self.index.get(&id) {
            Some(&i) => {
                self.items[i] = item;
                false
            }
            None => {
                self.index.insert(id, self.items.len());
                self.items.push(item);
                true
            }
        }
    }

    pub fn into_vec(self) -> Vec<T> {
        self.items
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info(total_pages: u64) -> ResultInfo {
        ResultInfo {
            total_pages: Some(total_pages),
            ..Default::default()
        }
    }

    /// Drives a pager against pages of the given sizes, every item new unless `new`
    /// says otherwise, answering in order; returns the pages asked for.
    fn run(
        claimed: Option<u64>,
        sizes: &dyn Fn(u64) -> (usize, usize),
    ) -> Result<Vec<u64>, Runaway> {
        let mut pager = Pager::new(50, 8);
        let mut asked = pager.start();
        let mut queue = asked.clone();
        while let Some(page) = (!queue.is_empty()).then(|| queue.remove(0)) {
            if !pager.wanted(page) {
                continue;
            }
            let (items, new) = sizes(page);
            let first = claimed.map(info);
            let more = pager.answered(page, items, new, first.as_ref())?;
            asked.extend(&more);
            queue.extend(more);
            if pager.done() {
                break;
            }
        }
        Ok(asked)
    }

    /// What is written to the log while `f` runs.
    fn logged(f: impl FnOnce()) -> String {
        use std::sync::{Arc, Mutex};
        #[derive(Clone, Default)]
        struct Shared(Arc<Mutex<Vec<u8>>>);
        impl std::io::Write for Shared {
            fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
                self.0.lock().unwrap().extend_from_slice(bytes);
                Ok(bytes.len())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let log = Shared::default();
        let writer = log.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_writer(move || writer.clone())
            .with_ansi(false)
            .finish();
        tracing::subscriber::with_default(subscriber, f);
        String::from_utf8(log.0.lock().unwrap().clone()).unwrap()
    }

    #[test]
    fn result_info_that_contradicts_the_first_page_is_logged() {
        let listing = |second: ResultInfo| {
            logged(|| {
                let mut pager = Pager::new(50, 8);
                pager.start();
                pager.answered(1, 50, 50, Some(&info(3))).unwrap();
                pager.answered(2, 50, 50, Some(&second)).unwrap();
            })
        };
        let log = listing(ResultInfo {
            page: Some(7),
            ..info(9)
        });
        assert!(
            log.contains("result_info's total changed during the listing"),
            "{log}"
        );
        assert!(log.contains("first=3") && log.contains("now=9"), "{log}");
        assert!(log.contains("result_info names another page"), "{log}");
        assert!(
            log.contains("asked=2") && log.contains("answered=7"),
            "{log}"
        );
        let quiet = listing(ResultInfo {
            page: Some(2),
            ..info(3)
        });
        assert_eq!(quiet, "", "a consistent listing logs nothing");
    }

    #[test]
    fn an_overstated_total_costs_a_window_not_the_total() {
        let asked = run(Some(5000), &|p| if p == 1 { (50, 50) } else { (0, 0) }).unwrap();
        assert_eq!(asked, [1, 2, 3]);
    }

    #[test]
    fn an_understated_total_is_read_on_one_page_at_a_time() {
        let asked = run(Some(1), &|p| match p {
            1 | 2 => (50, 50),
            3 => (20, 20),
            _ => (0, 0),
        })
        .unwrap();
        assert_eq!(asked, [1, 2, 3]);
    }

    #[test]
    fn an_accurate_total_is_read_with_a_growing_window_and_one_look_past_it() {
        let asked = run(Some(200), &|p| if p <= 200 { (50, 50) } else { (0, 0) }).unwrap();
        assert_eq!(asked, (1..=201).collect::<Vec<_>>());
        let asked = run(Some(3), &|p| if p < 3 { (50, 50) } else { (7, 7) }).unwrap();
        assert_eq!(asked, [1, 2, 3], "a short last page needs no look past it");
    }

    #[test]
    fn repeats_end_the_listing_and_an_empty_first_page_ends_it_at_once() {
        let asked = run(Some(3), &|p| if p == 1 { (50, 50) } else { (50, 0) }).unwrap();
        assert_eq!(asked, [1, 2, 3]);
        let asked = run(Some(40), &|_| (0, 0)).unwrap();
        assert_eq!(asked, [1]);
    }

    #[test]
    fn a_server_that_never_ends_is_stopped_by_the_guard() {
        let stop = run(Some(2), &|_| (50, 50)).unwrap_err();
        assert_eq!(stop.claimed_pages, Some(2));
        assert!(stop.requests > MIN_REQUEST_LIMIT && stop.requests <= MIN_REQUEST_LIMIT + 1);
        let stop = run(Some(100), &|_| (50, 50)).unwrap_err();
        assert!(stop.requests <= 400 + 8, "{stop:?}");
    }

    #[test]
    fn no_claim_or_an_absurd_one_still_has_a_limit() {
        let stop = run(Some(u64::MAX), &|_| (50, 50)).unwrap_err();
        assert!(stop.requests <= MAX_PAGES + 8, "{stop:?}");
        let stop = run(None, &|_| (50, 50)).unwrap_err();
        assert!(stop.requests <= MIN_REQUEST_LIMIT + 1, "{stop:?}");
        // A per_page of 0 says nothing: a short page still ends the listing.
        let mut pager = Pager::new(50, 8);
        pager.start();
        let zero = ResultInfo {
            per_page: Some(0),
            ..Default::default()
        };
        assert_eq!(pager.answered(1, 3, 3, Some(&zero)), Ok(vec![]));
        assert!(pager.done());
    }

    #[test]
    fn the_window_never_passes_its_maximum() {
        let mut pager = Pager::new(50, 8);
        pager.start();
        let more = pager.answered(1, 50, 50, Some(&info(1000))).unwrap();
        assert_eq!(more, [2, 3]);
        let more = pager.answered(2, 50, 50, None).unwrap();
        assert_eq!(more, [4, 5, 6]);
        let more = pager.answered(3, 50, 50, None).unwrap();
        assert_eq!(more, [7, 8, 9, 10, 11]);
        assert!(!pager.done());
    }

    #[test]
    fn collected_keeps_one_of_each_the_later_winning() {
        let mut c = Collected::default();
        assert!(c.add("a".into(), 1));
        assert!(c.add("b".into(), 2));
        assert!(!c.add("a".into(), 3));
        assert_eq!(c.into_vec(), [3, 2]);
    }
}

//! The zone picker's state: the zones loaded so far, the filter, and the ranked view
//! of them the screen shows. Ranking happens elsewhere (see [`crate::rank`]); this
//! only keeps its latest answer.

use tui_input::Input;

use crate::api::Zone;

/// Zones in the order they arrived, each once, and their order by name. A zone's
/// place in `zones` (its slot) never changes while the list lives, so a ranking
/// computed for it stays valid however many pages arrive after it.
#[derive(Debug, Default)]
pub struct ZoneList {
    zones: Vec<Zone>,
    by_name: Vec<u32>,
}

impl ZoneList {
    /// A list from zones in any order; duplicates (by id) are kept once.
    pub fn new(zones: Vec<Zone>) -> Self {
        let mut list = Self::default();
        list.extend(zones);
        list
    }

    pub fn len(&self) -> usize {
        self.zones.len()
    }

    pub fn is_empty(&self) -> bool {
        self.zones.is_empty()
    }

    pub fn get(&self, slot: u32) -> Option<&Zone> {
        self.zones.get(slot as usize)
    }

    /// The slot shown at `i` in name order.
    pub fn by_name(&self, i: usize) -> Option<u32> {
        self.by_name.get(i).copied()
    }

    /// Where in name order `slot` stands.
    pub fn name_rank(&self, slot: u32) -> Option<usize> {
        self.by_name.iter().position(|&s| s == slot)
    }

    pub fn in_name_order(&self) -> impl Iterator<Item = &Zone> {
        self.by_name.iter().map(|&s| &self.zones[s as usize])
    }

    pub fn find(&self, zone_id: &str) -> Option<&Zone> {
        self.zones.iter().find(|z| z.id == zone_id)
    }

    /// Adds the zones not already listed and returns how many were new: they take
    /// the slots at the end. Pages mostly arrive in name order, so the new zones
    /// usually go after the last; otherwise one merge puts them in place, so a list
    /// arriving in any order costs one pass per page, never one per zone.
    pub fn extend(&mut self, mut more: Vec<Zone>) -> usize {
        more.sort_by(|a, b| key(a).cmp(&key(b)));
        more.dedup_by(|a, b| key(a) == key(b));
        // Pages overlap when the account changes under them, and a search finds
        // zones a page brings again.
        more.retain(|z| {
            self.by_name
                .binary_search_by(|&s| key(&self.zones[s as usize]).cmp(&key(z)))
                .is_err()
        });
        let Some(first) = more.first() else {
            return 0;
        };
        let after_last = self
            .by_name
            .last()
            .is_none_or(|&s| key(&self.zones[s as usize]) < key(first));
        let start = self.zones.len();
        let added = more.len();
        u32::try_from(start + added).expect("fewer than 4 billion zones");
        self.zones.extend(more);
        let fresh = (start..start + added).map(|s| s as u32);
        if after_last {
            self.by_name.extend(fresh);
        } else {
            let old = std::mem::take(&mut self.by_name);
            let zones = &self.zones;
            let by_key = |s: &u32| key(&zones[*s as usize]);
            self.by_name = merge(old, fresh, by_key);
        }
        added
    }

    /// The names of the zones from `slot` on, for the ranker.
    pub fn names_from(&self, slot: usize) -> Vec<String> {
        self.zones[slot.min(self.zones.len())..]
            .iter()
            .map(|z| z.name.clone())
            .collect()
    }
}

/// The order of the list: by name, then id (two accounts may hold the same name).
fn key(zone: &Zone) -> (&str, &str) {
    (&zone.name, &zone.id)
}

/// Two runs in `key` order, as one.
fn merge<'z>(
    a: Vec<u32>,
    b: impl Iterator<Item = u32>,
    key: impl Fn(&u32) -> (&'z str, &'z str),
) -> Vec<u32> {
    let mut out = Vec::with_capacity(a.len() + b.size_hint().0);
    let mut a = a.into_iter().peekable();
    let mut b = b.peekable();
    while let (Some(x), Some(y)) = (a.peek(), b.peek()) {
        if key(x) <= key(y) {
            out.extend(a.next());
        } else {
            out.extend(b.next());
        }
    }
    out.extend(a);
    out.extend(b);
    out
}

/// What the list shows: every zone by name, or a ranking's answer (best first).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Visible {
    #[default]
    All,
    Ranked(Vec<u32>),
}

/// The filter's ranking: what was last asked of the ranker, and whether the list has
/// changed since, so the answer is out of date when it lands.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Ranking {
    /// The generation of the latest request; only its answer is applied.
    pub asked: u64,
    /// A request is out.
    pub waiting: bool,
    /// Zones arrived while it was out: ask again when it answers.
    pub stale: bool,
    /// `Enter` was pressed on the list while it was out: the zone to open is the
    /// best match of what was typed, not whatever the old list had selected.
    pub then_open: bool,
}

/// The zone picker: every zone loaded so far, and the live filter over them.
#[derive(Debug, Default)]
pub struct ZonePane {
    pub list: ZoneList,
    pub loading: bool,
    pub error: Option<String>,
    pub filter: Input,
    /// Typing goes to the filter while this is set.
    pub filtering: bool,
    pub visible: Visible,
    /// The query `visible` answers: the matched letters are marked for it.
    pub shown_query: String,
    /// Index into the visible rows.
    pub selected: usize,
    pub ranking: Ranking,
    /// Zones load again on refresh; replies for an older load are dropped.
    pub generation: u64,
    /// Which pages of the current load to ask for, and when it is done.
    pub pager: crate::api::paging::Pager,
    /// The list came from the disk cache and the network has not replaced it yet.
    pub cached: bool,
    /// While a list is already on screen (cached, or before a refresh), the new pages
    /// gather here and replace it whole at the end, so it never shrinks to one page.
    pub incoming: Option<ZoneList>,
    /// The list that replaces the shown one once the ranking of it lands, so a
    /// filtered view never shows rows ranked for another list.
    pub replacing: Option<ZoneList>,
    /// Some page of the current load failed: the list is incomplete, so not cached.
    pub incomplete: bool,
    /// The latest server-side search; older results are dropped.
    pub search: u64,
    /// That search's call while it is out.
    pub search_call: Option<u64>,
    /// The account's name, from the first zone that carried it.
    pub account: Option<String>,
}

impl ZonePane {
    /// The query as typed, without the spaces at its ends.
    pub fn query(&self) -> &str {
        self.filter.value().trim()
    }

    pub fn visible_len(&self) -> usize {
        match &self.visible {
            Visible::All => self.list.len(),
            Visible::Ranked(slots) => slots.len(),
        }
    }

    /// The slot of the zone shown at row `i`.
    pub fn visible_slot(&self, i: usize) -> Option<u32> {
        match &self.visible {
            Visible::All => self.list.by_name(i),
            Visible::Ranked(slots) => slots.get(i).copied(),
        }
    }

    pub fn visible_zone(&self, i: usize) -> Option<&Zone> {
        self.list.get(self.visible_slot(i)?)
    }

    pub fn selected_zone(&self) -> Option<&Zone> {
        self.visible_zone(self.selected)
    }

    /// Every zone names its account; one copy is enough. With 100,000 zones the
    /// copies would cost more memory than the zones themselves.
    pub fn strip_accounts(&mut self, zones: &mut [Zone]) {
        for z in zones {
            if let Some(account) = z.account.take()
                && self.account.is_none()
            {
                self.account = account.name;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn zone(id: &str, name: &str) -> Zone {
        Zone {
            id: id.into(),
            name: name.into(),
            ..Default::default()
        }
    }

    #[test]
    fn slots_stay_put_while_name_order_takes_every_page() {
        let mut list = ZoneList::new(vec![zone("1", "b.example"), zone("2", "d.example")]);
        assert_eq!(
            list.extend(vec![zone("3", "a.example"), zone("2", "d.example")]),
            1
        );
        assert_eq!(
            list.extend(vec![zone("4", "e.example"), zone("5", "c.example")]),
            2
        );
        let names: Vec<&str> = list.in_name_order().map(|z| z.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "a.example",
                "b.example",
                "c.example",
                "d.example",
                "e.example"
            ]
        );
        assert_eq!(list.get(0).unwrap().id, "1");
        assert_eq!(list.get(2).unwrap().id, "3");
        // Within a page, slots follow name order.
        assert_eq!(list.names_from(3), ["c.example", "e.example"]);
    }

    #[test]
    fn pages_in_any_order_and_overlapping_list_each_zone_once_by_name() {
        // 1,000 zones in pages of 50, the pages and the zones in them shuffled, a
        // tenth of them sent twice.
        let mut state: u64 = 7;
        let mut next = move |below: usize| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1);
            (state >> 33) as usize % below
        };
        let mut all: Vec<Zone> = (0..1000)
            .map(|i| {
                zone(
                    &format!("{i}"),
                    &format!("z{:04}.example", (i * 7919) % 1000),
                )
            })
            .collect();
        let again: Vec<Zone> = (0..100).map(|_| all[next(1000)].clone()).collect();
        all.extend(again);
        for i in (1..all.len()).rev() {
            all.swap(i, next(i + 1));
        }
        let mut list = ZoneList::default();
        for page in all.chunks(50) {
            list.extend(page.to_vec());
        }
        assert_eq!(list.len(), 1000);
        let names: Vec<&str> = list.in_name_order().map(|z| z.name.as_str()).collect();
        assert!(names.windows(2).all(|w| w[0] < w[1]), "{names:?}");
    }
}

//! The fleet view's state: every zone a row, from the survey as it runs (and from the
//! cache before that), in the order the user sorts by, and the counts the charts
//! above the table draw. Kept up to date a row at a time, so neither a frame nor a
//! finished zone costs work proportional to the account.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use chrono::{DateTime, Datelike, Utc};

use crate::survey::{Finding, Level, LevelState, Rules, Survey, ZoneState, findings};

/// How the rows are ordered; `s` cycles through them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sort {
    /// The worst finding first, then the soonest expiry, then the name.
    #[default]
    Findings,
    Expiry,
    Name,
}

impl Sort {
    pub fn next(self) -> Self {
        match self {
            Self::Findings => Self::Expiry,
            Self::Expiry => Self::Name,
            Self::Name => Self::Findings,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Findings => "findings first",
            Self::Expiry => "soonest expiry",
            Self::Name => "name",
        }
    }
}

/// One zone's row: its state as last known, and what follows from it.
#[derive(Debug, Clone, Default)]
pub struct FleetRow {
    pub state: ZoneState,
    pub findings: Vec<Finding>,
    /// Surveyed in this run; otherwise the state is the cache's, shown with its age.
    pub fresh: bool,
    /// Nothing is known yet: not in the cache, not surveyed.
    pub unknown: bool,
}

impl FleetRow {
    pub fn worst(&self) -> Option<Level> {
        self.findings.iter().map(|f| f.level).max()
    }
}

/// The picture above the table.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stats {
    /// Certificates (either level) already expired.
    pub expired: usize,
    /// Certificates expiring in each of the next 12 calendar months, this one first.
    pub by_month: [usize; 12],
    /// Zones with each level on: global, zone-level, per-hostname; and with none.
    pub levels: [usize; 4],
    /// Zones whose worst finding is an error, a warning, a notice; and with none.
    pub worst: [usize; 4],
    /// Zones with nothing known yet.
    pub unknown: usize,
}

/// What one row adds to [`Stats`]; kept per row so a change subtracts the old.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Share {
    expired: usize,
    by_month: [usize; 12],
    levels: [bool; 4],
    worst: Option<usize>,
    unknown: bool,
}

/// The survey's decisions as the fleet view runs them: the walk itself, and what it
/// costs before it starts.
#[derive(Debug)]
pub struct FleetSurvey {
    pub walk: Survey,
    /// Calls out now; the view keeps a few in flight.
    pub in_flight: usize,
    /// The survey waits for `Enter`: it would take this long within the budget.
    pub confirm: Option<Duration>,
}

#[derive(Debug, Default)]
pub struct Fleet {
    /// One per zone, in name order: a row's index is its zone's place by name.
    pub rows: Vec<FleetRow>,
    shares: Vec<Share>,
    pub stats: Stats,
    pub sort: Sort,
    /// Row indices in the sort order, all of them.
    pub order: Vec<u32>,
    /// The rows shown: `order`, less what the filter leaves out.
    pub shown: Vec<u32>,
    /// Index into `shown`.
    pub selected: usize,
    /// Each zone's row, by zone id.
    row_of: HashMap<String, u32>,
    /// The widest zone name, in columns, for the table's first column.
    pub name_width: usize,
    /// `None` until the cache is read and the survey set up.
    pub survey: Option<FleetSurvey>,
    /// The calendar month the chart's first bar is.
    pub month: (i32, u32),
}

impl Fleet {
    /// Rows for `zones` (id, name, in name order), from the cached states where there
    /// are some.
    pub fn new(
        zones: &[(String, String)],
        cached: &[ZoneState],
        rules: Rules,
        now: DateTime<Utc>,
    ) -> Self {
        let by_id: HashMap<&str, &ZoneState> =
            cached.iter().map(|s| (s.zone_id.as_str(), s)).collect();
        let mut fleet = Self {
            month: (now.year(), now.month()),
            ..Self::default()
        };
        for (id, name) in zones {
            let row = match by_id.get(id.as_str()) {
                Some(state) => FleetRow {
                    findings: findings(state, now, rules),
                    state: (*state).clone(),
                    fresh: false,
                    unknown: false,
                },
                None => FleetRow {
                    state: ZoneState::new(id.clone(), name.clone()),
                    unknown: true,
                    ..FleetRow::default()
                },
            };
            let share = fleet.share_of(&row, now);
            fleet.add(share);
            fleet.shares.push(share);
            fleet.row_of.insert(id.clone(), fleet.rows.len() as u32);
            fleet.name_width = fleet
                .name_width
                .max(unicode_width::UnicodeWidthStr::width(name.as_str()));
            fleet.rows.push(row);
        }
        fleet.resort();
        fleet
    }

    pub fn selected_row(&self) -> Option<(u32, &FleetRow)> {
        let i = *self.shown.get(self.selected)?;
        Some((i, &self.rows[i as usize]))
    }

    /// A zone the survey finished: its row takes the new state and moves to its place
    /// in the order (one removal and one insertion, not a sort).
    pub fn update(&mut self, i: usize, state: ZoneState, rules: Rules, now: DateTime<Utc>) {
        let keep = self.selected_row().map(|(r, _)| r);
        let old = self.shares[i];
        self.remove(old);
        self.rows[i] = FleetRow {
            findings: findings(&state, now, rules),
            state,
            fresh: true,
            unknown: false,
        };
        let share = self.share_of(&self.rows[i], now);
        self.add(share);
        self.shares[i] = share;
        let row = i as u32;
        if let Some(at) = self.order.iter().position(|&r| r == row) {
            self.order.remove(at);
        }
        let key = self.key(row);
        let at = self.order.partition_point(|&r| self.key(r) < key);
        self.order.insert(at, row);
        self.refilter(keep);
    }

    /// Sorts afresh, by `self.sort`.
    pub fn resort(&mut self) {
        let keep = self.selected_row().map(|(r, _)| r);
        let mut keyed: Vec<(u128, u32)> = (0..self.rows.len() as u32)
            .map(|r| (self.key(r), r))
            .collect();
        keyed.sort_unstable();
        self.order = keyed.into_iter().map(|(_, r)| r).collect();
        self.refilter(keep);
    }

    /// The row of each zone among `zone_ids`, as a mask over the rows.
    pub fn mask<'a>(&self, zone_ids: impl IntoIterator<Item = &'a str>) -> Vec<bool> {
        let mut mask = vec![false; self.rows.len()];
        for id in zone_ids {
            if let Some(&r) = self.row_of.get(id) {
                mask[r as usize] = true;
            }
        }
        mask
    }

    /// Keeps only the rows `allowed` lets through (the zone filter's matches), in the
    /// sort order; the selection stays on the same row where it still shows.
    pub fn filter(&mut self, allowed: Option<&[bool]>) {
        let keep = self.selected_row().map(|(r, _)| r);
        self.shown = match allowed {
            Some(allowed) => self
                .order
                .iter()
                .copied()
                .filter(|&r| allowed.get(r as usize).copied().unwrap_or(false))
                .collect(),
            None => self.order.clone(),
        };
        self.select(keep);
    }

    fn refilter(&mut self, keep: Option<u32>) {
        if self.shown.len() == self.order.len() {
            self.shown.clone_from(&self.order);
        } else {
            let allowed: HashSet<u32> = self.shown.iter().copied().collect();
            self.shown = self
                .order
                .iter()
                .copied()
                .filter(|r| allowed.contains(r))
                .collect();
        }
        self.select(keep);
    }

    fn select(&mut self, row: Option<u32>) {
        self.selected = row
            .and_then(|r| self.shown.iter().position(|&s| s == r))
            .unwrap_or(self.selected)
            .min(self.shown.len().saturating_sub(1));
    }

    /// One integer per row orders it: packed, so sorting 100,000 rows is a sort of
    /// plain numbers. The row index, last, is the name order.
    fn key(&self, row: u32) -> u128 {
        let r = &self.rows[row as usize];
        // Soonest expiry first; none after any.
        let expiry = r
            .state
            .soonest_expiry()
            .map_or(u64::MAX, |t| (t.timestamp() as u64) ^ (1 << 63));
        let worst = match r.worst() {
            Some(Level::Error) => 0u128,
            Some(Level::Warning) => 1,
            Some(Level::Notice) => 2,
            None if r.unknown => 4,
            None => 3,
        };
        let row = u128::from(row);
        match self.sort {
            Sort::Findings => (worst << 96) | (u128::from(expiry) << 32) | row,
            Sort::Expiry => (u128::from(expiry) << 32) | row,
            Sort::Name => row,
        }
    }

    fn share_of(&self, row: &FleetRow, now: DateTime<Utc>) -> Share {
        let mut share = Share {
            unknown: row.unknown,
            ..Share::default()
        };
        if row.unknown {
            return share;
        }
        for (_, cert) in row.state.all_certificates() {
            let Some(expires) = cert.expires_on.as_ref().and_then(|t| t.datetime()) else {
                continue;
            };
            if expires <= now {
                share.expired += 1;
            } else {
                let months = (expires.year() - self.month.0) * 12 + expires.month() as i32
                    - self.month.1 as i32;
                if let Some(bar) = usize::try_from(months).ok().filter(|&m| m < 12) {
                    share.by_month[bar] += 1;
                }
            }
        }
        let on = [
            row.state.global_state(),
            row.state.zone_level_state(),
            row.state.hostname_state(),
        ]
        .map(|l| l == LevelState::On);
        share.levels = [on[0], on[1], on[2], !on.contains(&true)];
        share.worst = Some(match row.worst() {
            Some(Level::Error) => 0,
            Some(Level::Warning) => 1,
            Some(Level::Notice) => 2,
            None => 3,
        });
        share
    }

    fn add(&mut self, share: Share) {
        self.apply(share, |total, n| *total += n);
    }

    fn remove(&mut self, share: Share) {
        self.apply(share, |total, n| *total -= n);
    }

    fn apply(&mut self, share: Share, op: impl Fn(&mut usize, usize)) {
        let s = &mut self.stats;
        op(&mut s.expired, share.expired);
        for (total, n) in s.by_month.iter_mut().zip(share.by_month) {
            op(total, n);
        }
        for (total, on) in s.levels.iter_mut().zip(share.levels) {
            op(total, usize::from(on));
        }
        if let Some(w) = share.worst {
            op(&mut s.worst[w], 1);
        }
        op(&mut s.unknown, usize::from(share.unknown));
    }
}

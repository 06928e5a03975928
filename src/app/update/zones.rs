//! The zone list: loading it page by page (or from the cache), the server-side search
//! while it loads, and the filter, whose ranking `update` asks for and applies but
//! never computes.

use std::time::Duration;

use crossterm::event::KeyEvent;

use super::{describe_error, dialogs};
use crate::api::paging::Pager;
use crate::api::{ApiError, Page, ZONE_PAGE_CONCURRENCY, ZONES_PER_PAGE, Zone, ZoneAccount};
use crate::app::keys::Action;
use crate::app::model::*;
use crate::app::msg::Cmd;
use crate::rank::{Names, Ranked};

/// How long typing must pause before the server is asked: one request per word,
/// not per keystroke.
pub const SEARCH_DEBOUNCE: Duration = Duration::from_millis(250);

/// Starts a fresh listing; while a list is on screen, the pages gather beside it.
pub(super) fn load(model: &mut Model, cmds: &mut Vec<Cmd>) {
    let zones = &mut model.zones;
    zones.generation += 1;
    zones.loading = true;
    zones.error = None;
    zones.incomplete = false;
    zones.incoming = (!zones.list.is_empty()).then(ZoneList::default);
    zones.pager = Pager::new(ZONES_PER_PAGE, ZONE_PAGE_CONCURRENCY);
    let first = zones.pager.start();
    ask_pages(model, first, cmds);
}

fn ask_pages(model: &mut Model, pages: Vec<u64>, cmds: &mut Vec<Cmd>) {
    let generation = model.zones.generation;
    for page in pages {
        let call = model.start_call("loading zones", None);
        cmds.push(Cmd::LoadZonePage {
            call,
            generation,
            page,
        });
    }
}

/// The last session's list: only a head start, so the network's first answer wins
/// if it came first.
pub(super) fn cached(model: &mut Model, zones: Option<Vec<Zone>>, cmds: &mut Vec<Cmd>) {
    let Some(mut zones) = zones else { return };
    let pane = &mut model.zones;
    if !pane.list.is_empty() || !pane.loading {
        return;
    }
    pane.strip_accounts(&mut zones);
    replace_list(model, ZoneList::new(zones), cmds);
    model.zones.cached = true;
    model.zones.incoming = Some(ZoneList::default());
}

pub(super) fn page(
    model: &mut Model,
    generation: u64,
    page: u64,
    result: Result<Page<Zone>, ApiError>,
    cmds: &mut Vec<Cmd>,
) {
    // A page after the one that ended the listing is not believed.
    if generation != model.zones.generation || !model.zones.pager.wanted(page) {
        return;
    }
    let failed = match result {
        Ok(p) => {
            let count = p.items.len();
            let mut items = p.items;
            model.zones.strip_accounts(&mut items);
            let new = match &mut model.zones.incoming {
                Some(incoming) => incoming.extend(items),
                None => add(model, items, cmds),
            };
            match model
                .zones
                .pager
                .answered(page, count, new, p.info.as_ref())
            {
                Ok(next) => {
                    ask_pages(model, next, cmds);
                    None
                }
                Err(runaway) => Some(ApiError::from(runaway)),
            }
        }
        Err(e) => Some(e),
    };
    if let Some(e) = failed {
        // That job stops; the app and the zones already listed stay.
        model.zones.pager.failed(page);
        let text = describe_error("could not load zones", &e);
        model.zones.error = Some(text.clone());
        model.zones.incomplete = true;
        model.say(StatusMessage::Error(text));
    }
    let pane = &mut model.zones;
    pane.loading = !pane.pager.done();
    if pane.loading || pane.incomplete {
        return;
    }
    if let Some(incoming) = pane.incoming.take() {
        replace_list(model, incoming, cmds);
        model.zones.cached = false;
    }
    cmds.push(Cmd::SaveCache {
        zones: to_cache(&model.zones),
    });
    // The fleet view waits for the whole list.
    super::fleet::start(model, cmds);
}

/// The list as the cache keeps it: in name order (so loading it back needs no
/// sort), the account named once, on the first zone, where loading finds it.
fn to_cache(pane: &ZonePane) -> Vec<Zone> {
    let list = pane.replacing.as_ref().unwrap_or(&pane.list);
    let mut zones: Vec<Zone> = list.in_name_order().cloned().collect();
    if let (Some(first), Some(name)) = (zones.first_mut(), &pane.account) {
        first.account = Some(Box::new(ZoneAccount {
            id: None,
            name: Some(name.clone()),
        }));
    }
    zones
}

pub(super) fn searched(
    model: &mut Model,
    generation: u64,
    result: Result<Page<Zone>, ApiError>,
    cmds: &mut Vec<Cmd>,
) {
    if generation != model.zones.search {
        return;
    }
    model.zones.search_call = None;
    match result {
        Ok(page) => {
            let mut items = page.items;
            model.zones.strip_accounts(&mut items);
            add(model, items, cmds);
        }
        Err(e) => model.error("could not search zones", &e),
    }
}

/// Zones for the list on screen (or the one about to replace it): the ranker hears
/// of them, and a filtered view is ranked again.
/// Returns how many were new.
fn add(model: &mut Model, zones: Vec<Zone>, cmds: &mut Vec<Cmd>) -> usize {
    let pane = &mut model.zones;
    let keep = selected_slot(pane);
    let list = pane.replacing.as_mut().unwrap_or(&mut pane.list);
    let added = list.extend(zones);
    if added == 0 {
        return 0;
    }
    cmds.push(Cmd::RankNames(Names::Append(
        list.names_from(list.len() - added),
    )));
    if pane.replacing.is_some() {
        // Its ranking is out, and the ranker has these names before it answers.
        return added;
    }
    if pane.visible == Visible::All {
        // Zones may have gone in above the selected one: it stays selected.
        select_slot(pane, keep);
    } else if pane.ranking.waiting {
        pane.ranking.stale = true;
    } else {
        ask(model, cmds);
    }
    added
}

/// Puts `list` on screen in place of the current one. Unfiltered, at once; filtered,
/// once the ranking of the new list lands, so no row is ever ranked for another list.
fn replace_list(model: &mut Model, list: ZoneList, cmds: &mut Vec<Cmd>) {
    cmds.push(Cmd::RankNames(Names::Replace(list.names_from(0))));
    if model.zones.query().is_empty() {
        show_whole(&mut model.zones, list);
    } else {
        model.zones.replacing = Some(list);
        ask(model, cmds);
    }
}

/// Shows `list` unfiltered, keeping the selection on the same zone where it is.
fn show_whole(pane: &mut ZonePane, list: ZoneList) {
    let keep = pane.selected_zone().map(|z| z.id.clone());
    pane.list = list;
    pane.visible = Visible::All;
    pane.shown_query.clear();
    let slot = keep.and_then(|id| {
        (0..pane.list.len())
            .filter_map(|i| pane.list.by_name(i))
            .find(|&s| pane.list.get(s).is_some_and(|z| z.id == id))
    });
    select_slot(pane, slot);
}

fn selected_slot(pane: &ZonePane) -> Option<u32> {
    pane.visible_slot(pane.selected)
}

/// Selects the row showing `slot`, or the first row.
fn select_slot(pane: &mut ZonePane, slot: Option<u32>) {
    pane.selected = slot
        .and_then(|slot| match &pane.visible {
            Visible::All => pane.list.name_rank(slot),
            Visible::Ranked(slots) => slots.iter().position(|&s| s == slot),
        })
        .unwrap_or(0);
}

/// Asks the ranker for the current query; an answer to an earlier request is stale.
fn ask(model: &mut Model, cmds: &mut Vec<Cmd>) {
    let ranking = &mut model.zones.ranking;
    ranking.asked += 1;
    ranking.waiting = true;
    ranking.stale = false;
    cmds.push(Cmd::Rank {
        generation: ranking.asked,
        query: model.zones.query().to_owned(),
    });
}

pub(super) fn ranked(model: &mut Model, ranked: Ranked, cmds: &mut Vec<Cmd>) {
    let pane = &mut model.zones;
    if ranked.generation != pane.ranking.asked || !pane.ranking.waiting {
        return;
    }
    pane.ranking.waiting = false;
    // A new query selects its best match; the same query, ranked again for more
    // zones or a new list, keeps the selection on the same zone.
    let keep = (pane.shown_query == pane.query())
        .then(|| pane.selected_zone().map(|z| z.id.clone()))
        .flatten();
    if let Some(list) = pane.replacing.take() {
        pane.list = list;
    }
    let slot = keep.and_then(|id| {
        ranked
            .slots
            .iter()
            .copied()
            .find(|&s| pane.list.get(s).is_some_and(|z| z.id == id))
    });
    pane.visible = Visible::Ranked(ranked.slots);
    pane.shown_query = pane.query().to_owned();
    select_slot(pane, slot);
    super::fleet::filter(model);
    let pane = &mut model.zones;
    if pane.ranking.stale {
        ask(model, cmds);
    } else if std::mem::take(&mut pane.ranking.then_open) {
        super::open_selected(model, cmds);
    }
}

/// The query changed: rank afresh and, while the list is still loading, also ask
/// the server, so a zone can be found before its page arrives.
fn query_changed(model: &mut Model, cmds: &mut Vec<Cmd>) {
    if model.zones.query().is_empty() {
        show_unfiltered(&mut model.zones);
        super::fleet::filter(model);
    } else {
        ask(model, cmds);
    }
    // The previous search is superseded: the executor aborts it.
    if let Some(old) = model.zones.search_call.take() {
        model.in_flight.retain(|f| f.call != old);
    }
    model.zones.search += 1;
    let query = model.zones.query().to_owned();
    if !model.zones.loading || query.is_empty() {
        return;
    }
    let call = model.start_call(format!("searching zones for {query}"), None);
    model.zones.search_call = Some(call);
    cmds.push(Cmd::SearchZones {
        call,
        generation: model.zones.search,
        query,
        after: SEARCH_DEBOUNCE,
    });
}

/// No query: every zone by name, at once; a ranking still out is of no use now.
fn show_unfiltered(pane: &mut ZonePane) {
    pane.ranking.asked += 1;
    pane.ranking.waiting = false;
    pane.ranking.stale = false;
    let list = pane
        .replacing
        .take()
        .unwrap_or_else(|| std::mem::take(&mut pane.list));
    show_whole(pane, list);
}

/// `Esc` on the zone list: the kept filter goes.
pub(super) fn clear_filter(model: &mut Model) {
    if !model.zones.filter.value().is_empty() {
        model.zones.filter.reset();
        show_unfiltered(&mut model.zones);
        super::fleet::filter(model);
    }
}

pub(super) fn on_filter(
    model: &mut Model,
    action: Option<Action>,
    key: KeyEvent,
    cmds: &mut Vec<Cmd>,
) {
    let pane = &mut model.zones;
    let before = pane.query().to_owned();
    match action {
        Some(Action::Accept) => pane.filtering = false,
        Some(Action::Cancel) => {
            pane.filtering = false;
            clear_filter(model);
            return;
        }
        Some(Action::Up) => pane.selected = pane.selected.saturating_sub(1),
        Some(Action::Down) => {
            pane.selected = (pane.selected + 1).min(pane.visible_len().saturating_sub(1))
        }
        other => dialogs::edit(&mut pane.filter, other, key),
    }
    if model.zones.query() != before {
        query_changed(model, cmds);
    }
}

pub(super) fn paste(model: &mut Model, text: &str, cmds: &mut Vec<Cmd>) {
    let before = model.zones.query().to_owned();
    dialogs::insert(&mut model.zones.filter, text);
    if model.zones.query() != before {
        query_changed(model, cmds);
    }
}

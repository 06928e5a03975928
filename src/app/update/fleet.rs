//! The fleet view: opening it, setting up its survey from the cache, running that
//! survey a few calls at a time (the rows on screen first), and its keys.

use std::time::Duration;

use super::{moved, open_zone, window, zones};
use crate::app::keys::Action;
use crate::app::model::*;
use crate::app::msg::Cmd;
use crate::survey::run::CONCURRENCY;
use crate::survey::{self, Rules, Survey, ZoneState};

/// A survey the budget lets finish within this starts at once; a longer one waits for
/// `Enter`, having said what it costs.
pub const ASK_FIRST_BEYOND: Duration = Duration::from_secs(60);

/// How old a cached zone may be and still not be surveyed again.
pub const MAX_AGE: Duration = Duration::from_secs(3600);

/// `a`: the fleet view, set up the first time (its survey needs the zone list whole).
pub(super) fn open(model: &mut Model, cmds: &mut Vec<Cmd>) {
    model.view = View::Fleet;
    start(model, cmds);
}

/// Reads the survey cache, once the zone list is whole and if nothing has yet.
pub(super) fn start(model: &mut Model, cmds: &mut Vec<Cmd>) {
    if model.view != View::Fleet
        || model.fleet.is_some()
        || model.fleet_cache_call.is_some()
        || model.zones.loading
    {
        return;
    }
    let call = model.new_call_id();
    model.fleet_cache_call = Some(call);
    cmds.push(Cmd::LoadSurveyCache { call });
}

/// The cache is read: a row for every zone, the cached ones filled in; the survey
/// starts, or waits for `Enter` when it would take long.
pub(super) fn cached(model: &mut Model, call: u64, cached: Vec<ZoneState>, cmds: &mut Vec<Cmd>) {
    if model.fleet_cache_call != Some(call) {
        return;
    }
    model.fleet_cache_call = None;
    let zones: Vec<(String, String)> = model
        .zones
        .list
        .in_name_order()
        .map(|z| (z.id.clone(), z.name.clone()))
        .collect();
    let now = model.now;
    let mut fleet = Fleet::new(&zones, &cached, Rules::default(), now);
    let walk = Survey::new(zones, cached, MAX_AGE, now);
    let eta = walk.progress().eta(model.budget, crate::api::limit::WINDOW);
    fleet.survey = Some(FleetSurvey {
        walk,
        in_flight: 0,
        confirm: (eta > ASK_FIRST_BEYOND).then_some(eta),
    });
    model.fleet = Some(fleet);
    filter(model);
    pump(model, cmds);
}

/// Keeps the survey's calls in flight, the rows on screen first.
pub(super) fn pump(model: &mut Model, cmds: &mut Vec<Cmd>) {
    let rows = model.drawn.fleet_rows;
    let Some(fleet) = &mut model.fleet else {
        return;
    };
    let visible: Vec<String> = window(fleet.selected, fleet.shown.len(), rows)
        .filter_map(|i| fleet.shown.get(i))
        .map(|&r| fleet.rows[r as usize].state.zone_id.clone())
        .collect();
    let Some(survey) = &mut fleet.survey else {
        return;
    };
    if survey.confirm.is_some() {
        return;
    }
    survey.walk.prioritize(visible.iter().map(String::as_str));
    let mut asks = Vec::new();
    while survey.in_flight < CONCURRENCY {
        let Some(ask) = survey.walk.next_call() else {
            break;
        };
        survey.in_flight += 1;
        asks.push(ask);
    }
    for ask in asks {
        let call = model.new_call_id();
        cmds.push(Cmd::Survey { call, ask });
    }
}

/// One of the survey's calls came back.
pub(super) fn surveyed(
    model: &mut Model,
    call: survey::Call,
    answer: survey::Answer,
    cmds: &mut Vec<Cmd>,
) {
    let now = model.now;
    let Some(fleet) = &mut model.fleet else {
        return;
    };
    let Some(survey) = &mut fleet.survey else {
        return;
    };
    survey.in_flight = survey.in_flight.saturating_sub(1);
    let Some(state) = survey.walk.answer(&call, answer, now).cloned() else {
        pump(model, cmds);
        return;
    };
    fleet.update(call.zone, state.clone(), Rules::default(), now);
    let row = &fleet.rows[call.zone];
    model
        .summaries
        .insert(state.zone_id.clone(), summary(&state, row));
    cmds.push(Cmd::SaveSurveyZone(Box::new(state)));
    pump(model, cmds);
}

/// The zone list's markers, from what the survey found.
fn summary(state: &ZoneState, row: &FleetRow) -> ZoneSummary {
    ZoneSummary {
        enabled: state.enabled,
        certificates: state.certificates.as_ref().map(Vec::len),
        warning: !row.findings.is_empty(),
    }
}

/// The zone filter changed (or its ranking landed): the fleet shows the same zones.
pub(super) fn filter(model: &mut Model) {
    let pane = &model.zones;
    let Some(fleet) = &mut model.fleet else {
        return;
    };
    match &pane.visible {
        Visible::All => fleet.filter(None),
        Visible::Ranked(slots) => {
            let ids = slots
                .iter()
                .filter_map(|&s| pane.list.get(s))
                .map(|z| z.id.as_str());
            let mask = fleet.mask(ids);
            fleet.filter(Some(&mask));
        }
    }
}

/// Selects row `i` of the table, as moving there with the keys would.
pub(super) fn select(model: &mut Model, i: usize, cmds: &mut Vec<Cmd>) {
    if let Some(fleet) = &mut model.fleet {
        fleet.selected = i.min(fleet.shown.len().saturating_sub(1));
    }
    pump(model, cmds);
}

pub(super) fn on_key(model: &mut Model, action: Action, cmds: &mut Vec<Cmd>) {
    match action {
        Action::Accept => {
            if let Some(survey) = model.fleet.as_mut().and_then(|f| f.survey.as_mut())
                && survey.confirm.take().is_some()
            {
                pump(model, cmds);
                return;
            }
            let zone = model.fleet.as_ref().and_then(|f| {
                let (_, row) = f.selected_row()?;
                model.zones.list.find(&row.state.zone_id).cloned()
            });
            if let Some(zone) = zone {
                model.view = View::Zones;
                open_zone::open(model, zone, cmds);
            }
        }
        Action::Cancel if !model.zones.filter.value().is_empty() => {
            zones::clear_filter(model);
            filter(model);
        }
        Action::Cancel | Action::Fleet => model.view = View::Zones,
        Action::Sort => {
            if let Some(fleet) = &mut model.fleet {
                fleet.sort = fleet.sort.next();
                fleet.resort();
            }
            pump(model, cmds);
        }
        Action::Mark => {
            let zone = model
                .fleet
                .as_ref()
                .and_then(|f| Some(f.selected_row()?.1.state.zone_id.clone()));
            if let Some(zone) = zone {
                model.toggle_mark(zone);
            }
        }
        Action::Filter => model.zones.filtering = true,
        Action::Up
        | Action::Down
        | Action::Top
        | Action::Bottom
        | Action::PageUp
        | Action::PageDown => {
            let rows = model.drawn.fleet_rows;
            if let Some(fleet) = &mut model.fleet {
                fleet.selected = moved(action, fleet.selected, fleet.shown.len(), rows);
            }
            pump(model, cmds);
        }
        Action::Refresh => open_zone::refresh(model, cmds),
        Action::Rotate => super::rotation::open(model),
        _ => {}
    }
}

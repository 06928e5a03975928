//! The fleet view: set up from the cache, its survey a few calls at a time, its keys.

use super::*;
use originpull::survey::{Answer, Ask, Call, ZoneState};

/// The fleet view opened on a model with `n` zones; the cache held `cached`.
fn fleet_with(n: usize, cached: Vec<ZoneState>) -> (Model, Vec<Cmd>) {
    let mut model = with_zones(n);
    let mut cmds = send(&mut model, ch('a'));
    assert_eq!(model.view, View::Fleet);
    let [call] = take(&mut cmds, |c| match c {
        Cmd::LoadSurveyCache { call } => Some(*call),
        _ => None,
    })[..] else {
        panic!("the cache is read first: {cmds:?}")
    };
    let cmds = send(
        &mut model,
        Msg::Reply {
            call,
            reply: Reply::SurveyCache(cached),
        },
    );
    (model, cmds)
}

fn survey_calls(cmds: &[Cmd]) -> Vec<Call> {
    cmds.iter()
        .filter_map(|c| match c {
            Cmd::Survey { ask, .. } => Some(ask.clone()),
            _ => None,
        })
        .collect()
}

/// What the simulator would answer: zone-level on with no certificate for zone 0,
/// nothing of note for the rest.
fn answer(call: &Call) -> Answer {
    match call.ask {
        Ask::Settings => Answer::Settings(settings(false)),
        Ask::Certificates => Answer::Certificates(Vec::new()),
        Ask::Enablement => Answer::Enablement(call.zone == 0),
        Ask::HostnameCertificates => Answer::HostnameCertificates(Vec::new()),
    }
}

#[test]
fn the_survey_waits_for_the_whole_zone_list_then_reads_the_cache() {
    let (mut model, cmds) = started();
    let (call, generation) = first_page(&cmds);
    let more = send(
        &mut model,
        page_reply(call, generation, 1, (0..50).map(zone).collect(), 60),
    );
    // Half the list is in: the view opens, the survey waits.
    assert!(send(&mut model, ch('a')).is_empty());
    assert!(model.fleet.is_none() && model.view == View::Fleet);
    let Cmd::LoadZonePage { call, page: 2, .. } = zone_page(&more) else {
        panic!()
    };
    let done = send(
        &mut model,
        page_reply(call, generation, 2, (50..60).map(zone).collect(), 60),
    );
    assert!(
        done.iter()
            .any(|c| matches!(c, Cmd::LoadSurveyCache { .. })),
        "{done:?}"
    );
}

#[test]
fn a_few_calls_at_a_time_and_each_finished_zone_fills_its_row_the_markers_and_the_cache() {
    let (mut model, cmds) = fleet_with(10, Vec::new());
    let calls = survey_calls(&cmds);
    assert_eq!(calls.len(), originpull::survey::run::CONCURRENCY);
    assert!(model.busy());
    let fleet = model.fleet.as_ref().unwrap();
    assert_eq!(fleet.rows.len(), 10);
    assert!(fleet.rows.iter().all(|r| r.unknown));
    assert_eq!(fleet.stats.unknown, 10);
    // Zone 0's four answers finish it.
    let mut saved = Vec::new();
    let mut next = Vec::new();
    for call in calls.iter().filter(|c| c.zone == 0) {
        let mut out = send(
            &mut model,
            Msg::Reply {
                call: 0,
                reply: Reply::Surveyed {
                    call: call.clone(),
                    answer: answer(call),
                },
            },
        );
        saved.extend(take(&mut out, |c| match c {
            Cmd::SaveSurveyZone(state) => Some(state.zone_id.clone()),
            _ => None,
        }));
        next.extend(survey_calls(&out));
    }
    assert_eq!(saved, [zone(0).id]);
    assert_eq!(next.len(), 4, "each answer lets one more call out");
    let fleet = model.fleet.as_ref().unwrap();
    let row = &fleet.rows[0];
    assert!(row.fresh && !row.unknown);
    assert_eq!(row.findings[0].code.as_str(), "enabled-without-certificate");
    // Findings first: the zone with an error tops the list.
    assert_eq!(fleet.shown[0], 0);
    assert_eq!(fleet.stats.worst[0], 1);
    assert_eq!(model.summaries[&zone(0).id].enabled, Some(true));
    assert!(model.summaries[&zone(0).id].warning);
}

#[test]
fn cached_rows_show_at_once_and_a_long_survey_waits_for_enter() {
    let cached = vec![ZoneState {
        surveyed_at: Some(now() - chrono::Duration::minutes(5)),
        enabled: Some(false),
        certificates: Some(Vec::new()),
        ..ZoneState::new(zone(1).id, zone(1).name)
    }];
    let mut model = with_zones(50);
    // 49 zones at 4 calls, 100 calls per 5 minutes: about 10 minutes.
    model.budget = 100;
    let mut cmds = send(&mut model, ch('a'));
    let [call] = take(&mut cmds, |c| match c {
        Cmd::LoadSurveyCache { call } => Some(*call),
        _ => None,
    })[..] else {
        panic!()
    };
    let cmds = send(
        &mut model,
        Msg::Reply {
            call,
            reply: Reply::SurveyCache(cached),
        },
    );
    assert!(
        survey_calls(&cmds).is_empty(),
        "nothing is sent before Enter"
    );
    let fleet = model.fleet.as_ref().unwrap();
    assert!(fleet.survey.as_ref().unwrap().confirm.is_some());
    assert!(!fleet.rows[1].unknown, "the cached row shows");
    let cmds = send(&mut model, key(KeyCode::Enter));
    assert_eq!(
        survey_calls(&cmds).len(),
        originpull::survey::run::CONCURRENCY
    );
    assert_eq!(
        model.view,
        View::Fleet,
        "Enter started the survey, opened nothing"
    );
}

#[test]
fn sort_mark_filter_and_enter_opens_the_zone() {
    let ranker = TestRanker::new();
    let (mut model, _) = ranked_with_zones(&ranker, (0..30).map(zone).collect(), 30);
    let mut cmds = ranker.send(&mut model, ch('a'));
    let [call] = take(&mut cmds, |c| match c {
        Cmd::LoadSurveyCache { call } => Some(*call),
        _ => None,
    })[..] else {
        panic!()
    };
    ranker.send(
        &mut model,
        Msg::Reply {
            call,
            reply: Reply::SurveyCache(Vec::new()),
        },
    );
    let name_of = |m: &Model, i: usize| {
        let f = m.fleet.as_ref().unwrap();
        f.rows[f.shown[i] as usize].state.zone_name.clone()
    };
    send(&mut model, ch('s'));
    send(&mut model, ch('s'));
    assert_eq!(model.fleet.as_ref().unwrap().sort, Sort::Name);
    assert_eq!(name_of(&model, 0), zone(0).name);
    send(&mut model, ch('j'));
    send(&mut model, ch(' '));
    let second = model.fleet.as_ref().unwrap().rows[1].state.zone_id.clone();
    assert!(model.marked.contains(&second));
    // The zone filter narrows the fleet too.
    ranker.send(&mut model, ch('/'));
    for c in "zone2".chars() {
        ranker.send(&mut model, ch(c));
    }
    ranker.send(&mut model, key(KeyCode::Enter));
    let shown = model.fleet.as_ref().unwrap().shown.len();
    assert_eq!(
        shown, 12,
        "zone20..zone29, and with a gap zone02 and zone12"
    );
    let selected = name_of(&model, model.fleet.as_ref().unwrap().selected);
    let cmds = send(&mut model, key(KeyCode::Enter));
    assert_eq!(model.view, View::Zones);
    let open = model.open.as_ref().expect("Enter opened the zone");
    assert_eq!(open.zone.name, selected);
    assert!(
        cmds.iter()
            .any(|c| matches!(c, Cmd::LoadCertificates { .. }))
    );
    // Esc, back in the fleet view with the filter kept, clears it; again, leaves.
    send(&mut model, ch('a'));
    send(&mut model, key(KeyCode::Esc));
    assert_eq!(model.fleet.as_ref().unwrap().shown.len(), 30);
    send(&mut model, key(KeyCode::Esc));
    assert_eq!(model.view, View::Zones);
}

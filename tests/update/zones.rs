//! The zone list: loading, the cache, the server-side search, and the filter.

use super::*;

#[test]
fn init_loads_zones_then_every_other_page_at_once() {
    let mut model = Model::new(Screen::Main, "test", now());
    let cmds = send(&mut model, Msg::Init { verify_token: true });
    assert!(matches!(cmds[0], Cmd::VerifyToken { .. }));
    let Cmd::LoadZonePage {
        call,
        generation,
        page: 1,
    } = zone_page(&cmds)
    else {
        panic!("{cmds:?}")
    };
    assert!(model.busy() && model.zones.loading);
    let cmds = send(
        &mut model,
        page_reply(call, generation, 1, (0..50).map(zone).collect(), 120),
    );
    let pages: Vec<u64> = zone_pages(&cmds).iter().map(|&(_, _, page)| page).collect();
    assert_eq!(pages, vec![2, 3]);
    assert_eq!(
        model.zones.visible_len(),
        50,
        "the first page shows at once"
    );
    assert!(model.zones.loading);
}

#[test]
fn every_page_reaches_the_ranker_and_pages_out_of_order_still_list_by_name() {
    let (mut model, cmds) = started();
    let (call, generation) = first_page(&cmds);
    let all = update(
        &mut model,
        page_reply(call, generation, 1, (10..20).map(zone).collect(), 20),
    );
    assert!(
        all.iter().any(
            |c| matches!(c, Cmd::RankNames(originpull::rank::Names::Append(n)) if n.len() == 10)
        ),
        "{all:?}"
    );
    // A search brings zones from before the first page, and one already listed.
    model.zones.search = 1;
    let all = update(
        &mut model,
        Msg::Reply {
            call: 99,
            reply: Reply::SearchResult {
                generation: 1,
                result: Ok(Page {
                    items: vec![zone(3), zone(12)],
                    info: None,
                }),
            },
        },
    );
    let names: Vec<&Cmd> = all.iter().filter(|c| is_ranking(c)).collect();
    assert!(
        matches!(names[..], [Cmd::RankNames(originpull::rank::Names::Append(n))] if n == &[zone(3).name]),
        "only the new zone: {all:?}"
    );
    assert_eq!(shown_names(&model)[0], zone(3).name);
    assert_eq!(model.zones.list.len(), 11);
}

#[test]
fn r_while_the_zone_list_loads_does_not_send_its_pages_twice() {
    let (mut model, cmds) = started();
    let (call, generation) = first_page(&cmds);
    send(
        &mut model,
        page_reply(call, generation, 1, (0..50).map(zone).collect(), 120),
    );
    assert!(model.zones.loading);
    let cmds = send(&mut model, ch('r'));
    assert!(
        !cmds.iter().any(|c| matches!(c, Cmd::LoadZonePage { .. })),
        "{cmds:?}"
    );
}

#[test]
fn the_filter_narrows_as_you_type_enter_keeps_it_esc_clears_it() {
    let ranker = TestRanker::new();
    let (mut model, _) = ranked_with_zones(&ranker, (0..30).map(zone).collect(), 30);
    ranker.send(&mut model, ch('/'));
    assert!(model.zones.filtering);
    for c in "zone1".chars() {
        ranker.send(&mut model, ch(c));
    }
    // Fuzzy: zone10..zone19 match as they are, best first; zone01 and zone21 match
    // with a gap, after them.
    let shown = shown_names(&model);
    assert_eq!(shown.len(), 12, "{shown:?}");
    assert!(
        shown[..10].iter().all(|n| n.starts_with("zone1")),
        "{shown:?}"
    );
    assert_eq!(model.zones.selected, 0, "the best match is selected");
    assert_eq!(model.zones.shown_query, "zone1");
    // q is text while filtering, not quit.
    ranker.send(&mut model, ch('q'));
    assert!(!model.quit);
    assert_eq!(model.zones.visible_len(), 0);
    ranker.send(&mut model, key(KeyCode::Backspace));
    ranker.send(&mut model, key(KeyCode::Enter));
    assert!(!model.zones.filtering);
    assert_eq!(model.zones.filter.value(), "zone1");
    assert_eq!(shown_names(&model), shown);
    ranker.send(&mut model, key(KeyCode::Esc));
    assert_eq!(model.zones.filter.value(), "");
    assert_eq!(model.zones.visible_len(), 30);

    ranker.send(&mut model, ch('/'));
    ranker.send(&mut model, ch('x'));
    ranker.send(&mut model, key(KeyCode::Esc));
    assert!(!model.zones.filtering);
    assert_eq!(model.zones.visible_len(), 30);
}

#[test]
fn typing_asks_for_a_ranking_and_only_the_latest_answer_is_applied() {
    let mut model = with_zones(30);
    update(&mut model, ch('/'));
    let first = update(&mut model, ch('z'));
    let second = update(&mut model, ch('o'));
    let asked = |cmds: &[Cmd]| {
        cmds.iter()
            .find_map(|c| match c {
                Cmd::Rank { generation, query } => Some((*generation, query.clone())),
                _ => None,
            })
            .expect("a ranking is asked for")
    };
    let (old, _) = asked(&first);
    let (new, query) = asked(&second);
    assert_eq!(query, "zo");
    assert!(model.busy(), "waiting for the ranking");
    // Until it lands the list on screen stays as it was.
    assert_eq!(model.zones.visible, Visible::All);
    // The answer to the superseded query arrives late: dropped.
    update(
        &mut model,
        Msg::Ranked(Ranked {
            generation: old,
            slots: vec![5],
        }),
    );
    assert_eq!(model.zones.visible, Visible::All);
    update(
        &mut model,
        Msg::Ranked(Ranked {
            generation: new,
            slots: vec![7, 3],
        }),
    );
    assert_eq!(model.zones.visible, Visible::Ranked(vec![7, 3]));
    assert_eq!(model.zones.selected_zone().unwrap().name, zone(7).name);
    assert!(!model.busy());
    // Clearing the query shows every zone at once; a ranking still out is dropped.
    let late = update(&mut model, ch('x'));
    let (late, _) = asked(&late);
    update(&mut model, ctrl('u'));
    assert_eq!(model.zones.visible, Visible::All);
    update(
        &mut model,
        Msg::Ranked(Ranked {
            generation: late,
            slots: vec![],
        }),
    );
    assert_eq!(model.zones.visible, Visible::All);
}

#[test]
fn zones_that_arrive_while_filtered_are_ranked_again_keeping_the_selection() {
    let ranker = TestRanker::new();
    let (mut model, more) = ranked_with_zones(&ranker, (0..50).map(zone).collect(), 100);
    ranker.send(&mut model, ch('/'));
    for c in "zone4".chars() {
        ranker.send(&mut model, ch(c));
    }
    ranker.send(&mut model, key(KeyCode::Down));
    let before = model.zones.selected_zone().unwrap().clone();
    let Cmd::LoadZonePage {
        call,
        generation,
        page: 2,
    } = zone_page(&more)
    else {
        panic!("{more:?}")
    };
    ranker.send(
        &mut model,
        page_reply(call, generation, 2, (50..100).map(zone).collect(), 100),
    );
    assert_eq!(model.zones.list.len(), 100);
    // zone04 and zone40..zone49 from the first page, zone94 from the second…
    assert!(shown_names(&model).contains(&zone(94).name));
    assert_eq!(model.zones.selected_zone(), Some(&before));
}

#[test]
fn a_refresh_under_a_filter_shows_the_new_list_only_once_it_is_ranked() {
    let ranker = TestRanker::new();
    let (mut model, _) = ranked_with_zones(&ranker, (0..20).map(zone).collect(), 20);
    ranker.send(&mut model, ch('/'));
    ranker.send(&mut model, ch('1'));
    ranker.send(&mut model, key(KeyCode::Enter));
    let filtered = shown_names(&model);
    let cmds = send(&mut model, ch('r'));
    let (call, generation) = first_page(&cmds);
    // The refresh finds zone11 gone and zone31 new.
    let fresh: Vec<Zone> = (0..32).filter(|&i| i != 11).map(zone).collect();
    let all = update(&mut model, page_reply(call, generation, 1, fresh, 31));
    assert!(all.iter().any(|c| matches!(c, Cmd::SaveCache { .. })));
    // The old list stays, consistently ranked, until the new ranking lands.
    assert_eq!(shown_names(&model), filtered);
    assert_eq!(model.zones.list.len(), 20);
    ranker.forward(all);
    ranker.settle(&mut model);
    assert_eq!(model.zones.list.len(), 31);
    let shown = shown_names(&model);
    assert!(
        shown.contains(&zone(31).name) && !shown.contains(&zone(11).name),
        "{shown:?}"
    );
}

#[test]
fn lists_move_with_vim_keys_and_arrows() {
    let mut model = with_zones(30);
    send(&mut model, ch('j'));
    send(&mut model, key(KeyCode::Down));
    assert_eq!(model.zones.selected, 2);
    send(&mut model, ch('k'));
    assert_eq!(model.zones.selected, 1);
    send(&mut model, ch('G'));
    assert_eq!(model.zones.selected, 29);
    send(&mut model, key(KeyCode::Down));
    assert_eq!(model.zones.selected, 29);
    send(&mut model, ch('g'));
    assert_eq!(model.zones.selected, 0);
    // A page is what the list showed in the last frame, less the row kept in view.
    drawn(
        &mut model,
        Drawn {
            zone_rows: 10,
            ..Drawn::default()
        },
    );
    send(&mut model, key(KeyCode::PageDown));
    assert_eq!(model.zones.selected, 9);
    send(&mut model, key(KeyCode::PageDown));
    assert_eq!(model.zones.selected, 18);
    send(&mut model, key(KeyCode::PageUp));
    assert_eq!(model.zones.selected, 9);
    for _ in 0..3 {
        send(&mut model, key(KeyCode::PageDown));
    }
    assert_eq!(model.zones.selected, 29, "stops at the last");
}

#[test]
fn errors_show_cloudflares_code_and_message() {
    let (mut model, cmds) = started();
    let (call, generation) = first_page(&cmds);
    send(
        &mut model,
        page_failed(call, generation, api_error(403, 10000)),
    );
    assert!(!model.zones.loading);
    assert_error(&model, &["10000", "HTTP 403"]);
}

#[test]
fn a_retry_notice_annotates_its_call_until_the_reply() {
    let (mut model, cmds) = started();
    let (call, _) = first_page(&cmds);
    send(&mut model, retry_notice(call));
    assert_eq!(
        model.in_flight[0].note.as_deref(),
        Some("retry 2/3 in 0.4 s: HTTP 503")
    );
    // When it then succeeds, the status line says a retry got it through.
    send(&mut model, page_reply(call, 1, 1, vec![zone(0)], 1));
    assert_eq!(
        model.status,
        Some(StatusMessage::Info(
            "loading zones: done after a retry (HTTP 503)".into()
        ))
    );
    // A notice for a call no longer in flight changes nothing.
    send(
        &mut model,
        Msg::Delayed {
            call: 999,
            note: "x".into(),
            retry_reason: None,
        },
    );
    assert!(model.in_flight.is_empty());
}

#[test]
fn a_rate_limit_wait_is_shown_but_is_not_called_a_retry() {
    let (mut model, cmds) = started();
    let (call, generation) = first_page(&cmds);
    send(
        &mut model,
        Msg::Delayed {
            call,
            note: "held 12 s by the rate limit (1200 calls per 5 minutes)".into(),
            retry_reason: None,
        },
    );
    assert!(
        model.in_flight[0]
            .note
            .as_deref()
            .unwrap()
            .contains("rate limit")
    );
    send(
        &mut model,
        page_reply(call, generation, 1, vec![zone(0)], 1),
    );
    assert_eq!(model.status, None);
}

fn cache_call(cmds: &[Cmd]) -> u64 {
    cmds.iter()
        .find_map(|c| match c {
            Cmd::LoadCache { call } => Some(*call),
            _ => None,
        })
        .expect("the cache is read at start")
}

#[test]
fn the_cached_list_shows_first_and_is_replaced_whole_then_saved() {
    let (mut model, cmds) = started();
    let (call, generation) = first_page(&cmds);
    send(
        &mut model,
        Msg::Reply {
            call: cache_call(&cmds),
            reply: Reply::Cached(Some((0..80).map(zone).collect())),
        },
    );
    assert!(model.zones.cached);
    assert_eq!(model.zones.visible_len(), 80);

    // The network's first page does not shrink the list to 50.
    let more = send(
        &mut model,
        page_reply(call, generation, 1, (0..50).map(zone).collect(), 60),
    );
    assert_eq!(model.zones.list.len(), 80);
    assert!(model.zones.cached);
    let Cmd::LoadZonePage { call, .. } = zone_page(&more) else {
        unreachable!()
    };
    let done = send(
        &mut model,
        page_reply(call, generation, 2, (50..60).map(zone).collect(), 60),
    );
    assert!(!model.zones.cached && !model.zones.loading);
    assert_eq!(model.zones.list.len(), 60);
    assert!(
        matches!(&done[..], [Cmd::SaveCache { zones }] if zones.len() == 60),
        "{done:?}"
    );
}

#[test]
fn a_cache_that_arrives_after_the_network_is_ignored() {
    let (mut model, cmds) = started();
    let (call, generation) = first_page(&cmds);
    send(
        &mut model,
        page_reply(call, generation, 1, (0..3).map(zone).collect(), 3),
    );
    send(
        &mut model,
        Msg::Reply {
            call: cache_call(&cmds),
            reply: Reply::Cached(Some((0..80).map(zone).collect())),
        },
    );
    assert_eq!(model.zones.list.len(), 3);
    assert!(!model.zones.cached);
}

#[test]
fn a_failed_page_keeps_the_old_list_and_saves_nothing() {
    let mut model = with_zones(5);
    let cmds = send(&mut model, ch('r'));
    let (call, generation) = first_page(&cmds);
    let after = send(
        &mut model,
        page_failed(call, generation, api_error(500, 10001)),
    );
    assert!(
        after.is_empty(),
        "an incomplete list is not cached: {after:?}"
    );
    assert_eq!(model.zones.list.len(), 5);
}

#[test]
fn typing_while_zones_load_also_asks_the_server_once_typing_pauses() {
    let ranker = TestRanker::new();
    // The first of 200 pages is in; the rest are still loading.
    let (mut model, _) = ranked_with_zones(&ranker, (0..50).map(zone).collect(), 10_000);
    assert!(model.zones.loading);
    ranker.send(&mut model, ch('/'));
    let first = ranker.send(&mut model, ch('z'));
    let second = ranker.send(&mut model, ch('z'));
    let search = |cmds: &[Cmd]| {
        cmds.iter()
            .find_map(|c| match c {
                Cmd::SearchZones {
                    call,
                    generation,
                    query,
                    after,
                } => Some((*call, *generation, query.clone(), *after)),
                _ => None,
            })
            .expect("a search")
    };
    let (old_call, old_generation, _, _) = search(&first);
    let (call, generation, query, after) = search(&second);
    assert_eq!(query, "zz");
    assert_eq!(model.zones.visible_len(), 0, "no loaded zone has two z's");
    assert_eq!(after, originpull::app::update::SEARCH_DEBOUNCE);
    assert!(
        model.in_flight.iter().all(|f| f.call != old_call),
        "the superseded search no longer spins"
    );

    let far = Zone {
        id: format!("{:032x}", 9999),
        name: "zz9-far-away.example".into(),
        status: None,
        account: None,
    };
    // A late answer to the superseded search is dropped.
    ranker.send(
        &mut model,
        Msg::Reply {
            call: old_call,
            reply: Reply::SearchResult {
                generation: old_generation,
                result: Ok(Page {
                    items: vec![zone(7777)],
                    info: None,
                }),
            },
        },
    );
    assert!(
        !model
            .zones
            .list
            .in_name_order()
            .any(|z| z.name == zone(7777).name)
    );
    ranker.send(
        &mut model,
        Msg::Reply {
            call,
            reply: Reply::SearchResult {
                generation,
                result: Ok(Page {
                    items: vec![far.clone()],
                    info: None,
                }),
            },
        },
    );
    let top = model.zones.selected_zone().unwrap();
    assert_eq!(top.name, far.name, "found before its page arrived");
}

#[test]
fn once_everything_is_loaded_typing_asks_the_server_nothing() {
    let mut model = with_zones(30);
    send(&mut model, ch('/'));
    assert!(send(&mut model, ch('z')).is_empty());
}

#[test]
fn the_account_name_survives_the_cache() {
    let (mut model, cmds) = started();
    let (call, generation) = first_page(&cmds);
    let mut zones: Vec<Zone> = (0..3).map(zone).collect();
    for z in &mut zones {
        z.account = Some(Box::new(originpull::api::ZoneAccount {
            id: None,
            name: Some("Example Ltd".into()),
        }));
    }
    let done = send(&mut model, page_reply(call, generation, 1, zones, 3));
    assert_eq!(model.account_name(), Some("Example Ltd"));
    let [Cmd::SaveCache { zones }] = &done[..] else {
        panic!("{done:?}")
    };
    assert!(
        zones[1..].iter().all(|z| z.account.is_none()),
        "one copy is kept"
    );

    let (mut next, cmds) = started();
    send(
        &mut next,
        Msg::Reply {
            call: cache_call(&cmds),
            reply: Reply::Cached(Some(zones.clone())),
        },
    );
    assert_eq!(next.account_name(), Some("Example Ltd"));
}

#[test]
fn enter_typed_ahead_of_the_ranking_opens_the_best_match_once_it_lands() {
    let mut model = with_zones(30);
    update(&mut model, ch('/'));
    for c in "zone17".chars() {
        update(&mut model, ch(c));
    }
    let asked = model.zones.ranking.asked;
    // Keep the filter and open, before the ranking is back: nothing opens yet.
    update(&mut model, key(KeyCode::Enter));
    assert!(update(&mut model, key(KeyCode::Enter)).is_empty());
    assert!(model.open.is_none());
    let opened = update(
        &mut model,
        Msg::Ranked(Ranked {
            generation: asked,
            slots: vec![17],
        }),
    );
    assert!(
        opened
            .iter()
            .any(|c| matches!(c, Cmd::LoadCertificates { .. }))
    );
    assert_eq!(model.open.as_ref().unwrap().zone.name, zone(17).name);

    // A key pressed after Enter is a new intent: the answer then opens nothing.
    let mut model = with_zones(30);
    update(&mut model, ch('/'));
    update(&mut model, ch('3'));
    let asked = model.zones.ranking.asked;
    update(&mut model, key(KeyCode::Enter));
    update(&mut model, key(KeyCode::Enter));
    update(&mut model, ch('j'));
    update(
        &mut model,
        Msg::Ranked(Ranked {
            generation: asked,
            slots: vec![3, 13, 23],
        }),
    );
    assert!(model.open.is_none());
}

#[test]
fn a_listing_that_never_ends_is_stopped_and_the_app_keeps_what_it_has() {
    // Every page full of new zones, while result_info claims 2 pages (100 zones).
    let (mut model, mut cmds) = started();
    let mut asked = 0u64;
    let mut next = 0usize;
    loop {
        let pages = zone_pages(&cmds);
        if pages.is_empty() {
            break;
        }
        cmds = Vec::new();
        for (call, generation, page) in pages {
            asked += 1;
            let zones = (next..next + 50).map(zone).collect();
            next += 50;
            cmds.extend(send(
                &mut model,
                page_reply(call, generation, page, zones, 100),
            ));
        }
        assert!(asked < 100, "the listing never stops");
    }
    assert!(asked <= 21, "{asked} pages asked for");
    assert!(!model.zones.loading);
    let error = model.zones.error.as_deref().unwrap_or_default();
    assert!(error.contains("stopped a listing after"), "{error}");
    assert!(
        matches!(&model.status, Some(StatusMessage::Error(t)) if t.contains("stopped a listing"))
    );
    // What was listed stays on screen.
    assert!(model.zones.list.len() >= 50 * 20);
}

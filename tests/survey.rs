//! The survey engine: its decisions without a network, then whole surveys against the
//! simulator, with latency, faults and a budget.

mod common;

use std::time::Duration;

use chrono::{TimeZone, Utc};
use originpull::api::{ApiError, CertStatus, Certificate, ZoneSettings};
use originpull::survey::{Answer, Ask, CALLS_PER_ZONE, Survey, ZoneState};

fn zones(n: usize) -> Vec<(String, String)> {
    (0..n)
        .map(|i| (format!("{i:032x}"), format!("zone{i:02}.example")))
        .collect()
}

fn answer_for(ask: Ask) -> Answer {
    match ask {
        Ask::Settings => Answer::Settings(ZoneSettings::default()),
        Ask::Certificates => Answer::Certificates(Vec::new()),
        Ask::Enablement => Answer::Enablement(false),
        Ask::HostnameCertificates => Answer::HostnameCertificates(Vec::new()),
    }
}

#[test]
fn a_zone_takes_four_calls_sent_together_and_then_the_next_zone() {
    let now = Utc::now();
    let mut survey = Survey::new(zones(3), Vec::new(), Duration::from_secs(3600), now);
    assert_eq!(survey.progress().calls_left, 3 * CALLS_PER_ZONE);
    let first: Vec<_> = (0..CALLS_PER_ZONE)
        .map(|_| survey.next_call().unwrap())
        .collect();
    assert!(first.iter().all(|c| c.zone == 0));
    let asks: Vec<Ask> = first.iter().map(|c| c.ask).collect();
    assert_eq!(asks, Ask::ALL);
    // Answers in any order; the zone is done with the last.
    for (i, call) in first.iter().rev().enumerate() {
        let done = survey.answer(call, answer_for(call.ask), now).is_some();
        assert_eq!(done, i + 1 == CALLS_PER_ZONE);
    }
    // The same answer twice counts once.
    assert!(
        survey
            .answer(&first[0], answer_for(first[0].ask), now)
            .is_none()
    );
    assert_eq!(survey.progress().done, 1);
    assert_eq!(survey.next_call().unwrap().zone, 1);
}

#[test]
fn fresh_cached_zones_cost_nothing_and_stale_ones_are_surveyed_again() {
    let now = Utc.with_ymd_and_hms(2026, 11, 30, 12, 0, 0).unwrap();
    let cached = |i: usize, minutes_ago: i64| ZoneState {
        surveyed_at: Some(now - chrono::Duration::minutes(minutes_ago)),
        enabled: Some(true),
        ..ZoneState::new(format!("{i:032x}"), format!("zone{i:02}.example"))
    };
    let mut unreadable = cached(2, 5);
    unreadable.unreadable.push("settings: HTTP 500".into());
    let survey = Survey::new(
        zones(4),
        vec![cached(0, 30), cached(1, 90), unreadable],
        Duration::from_secs(3600),
        now,
    );
    let p = survey.progress();
    assert_eq!((p.cached, p.done, p.calls_left), (1, 1, 3 * CALLS_PER_ZONE));
    let fresh: Vec<&str> = survey.finished().map(|z| z.zone_id.as_str()).collect();
    assert_eq!(fresh, [format!("{:032x}", 0)]);
}

#[test]
fn the_rows_on_screen_go_first() {
    let mut survey = Survey::new(zones(10), Vec::new(), Duration::ZERO, Utc::now());
    survey.prioritize([format!("{:032x}", 7).as_str(), &format!("{:032x}", 3)]);
    let order: Vec<usize> = std::iter::from_fn(|| survey.next_call())
        .map(|c| c.zone)
        .step_by(CALLS_PER_ZONE)
        .take(3)
        .collect();
    assert_eq!(order, [7, 3, 0]);
}

#[test]
fn a_failed_call_makes_the_zone_unreadable_and_keeps_the_rest() {
    let now = Utc::now();
    let mut survey = Survey::new(zones(1), Vec::new(), Duration::ZERO, now);
    let calls: Vec<_> = std::iter::from_fn(|| survey.next_call()).collect();
    let mut done = None;
    for call in &calls {
        let answer = match call.ask {
            Ask::Settings => Answer::Failed(ApiError::Timeout {
                after: Duration::from_secs(30),
            }),
            other => answer_for(other),
        };
        done = survey.answer(call, answer, now).cloned();
    }
    let zone = done.expect("the zone finished");
    assert_eq!(zone.enabled, Some(false));
    assert_eq!(zone.global, None);
    assert_eq!(zone.unreadable.len(), 1);
    assert!(
        zone.unreadable[0].starts_with("settings: "),
        "{:?}",
        zone.unreadable
    );
}

#[test]
fn a_deletion_seen_before_keeps_its_start_and_no_pem_is_kept() {
    let then = Utc.with_ymd_and_hms(2026, 11, 28, 12, 0, 0).unwrap();
    let now = Utc.with_ymd_and_hms(2026, 11, 30, 12, 0, 0).unwrap();
    let earlier = ZoneState {
        surveyed_at: Some(then),
        deleting_since: vec![("old".into(), then)],
        ..ZoneState::new(format!("{:032x}", 0), "zone00.example")
    };
    let mut survey = Survey::new(zones(1), vec![earlier], Duration::from_secs(60), now);
    let calls: Vec<_> = std::iter::from_fn(|| survey.next_call()).collect();
    let deleting = |id: &str| Certificate {
        id: Some(id.into()),
        status: Some(CertStatus::PendingDeletion),
        certificate: Some("-----BEGIN CERTIFICATE-----".into()),
        ..Default::default()
    };
    let mut done = None;
    for call in &calls {
        let answer = match call.ask {
            Ask::Certificates => Answer::Certificates(vec![deleting("old"), deleting("new")]),
            other => answer_for(other),
        };
        done = survey.answer(call, answer, now).cloned();
    }
    let zone = done.unwrap();
    assert_eq!(
        zone.deleting_since,
        [("old".to_owned(), then), ("new".to_owned(), now)]
    );
    assert!(
        zone.certificates
            .unwrap()
            .iter()
            .all(|c| c.certificate.is_none())
    );
}

// ---- Whole surveys against the simulator ----------------------------------------------

use common::{TOKEN, sim};
use originpull::api::{Client, ClientConfig, Credentials};
use originpull::sim::{FaultKind, FaultRule, Simulator};
use originpull::survey::run::{CONCURRENCY, run};
use originpull::survey::{Rules, SurveyCache, findings};

fn client(sim: &Simulator, budget: usize, window: Duration) -> Client {
    let mut config = ClientConfig::new(sim.base_url(), Credentials::Token(TOKEN.into()));
    config.budget = budget;
    config.budget_window = window;
    Client::new(&config).unwrap()
}

async fn all_zones(client: &Client) -> Vec<(String, String)> {
    client
        .list_zones(None)
        .await
        .unwrap()
        .into_iter()
        .map(|z| (z.id, z.name))
        .collect()
}

/// Every zone surveyed, as (name, finding codes), sorted by name.
async fn survey_all(
    client: &Client,
    cache: Option<&SurveyCache>,
) -> (Vec<(String, Vec<&'static str>)>, usize) {
    let zones = all_zones(client).await;
    let earlier = cache.map(SurveyCache::load).unwrap_or_default();
    let mut survey = Survey::new(zones, earlier, Duration::from_secs(3600), Utc::now());
    run(client, &mut survey, CONCURRENCY, |done, _| {
        if let (Some(state), Some(cache)) = (done, cache) {
            cache.append(state).unwrap();
        }
    })
    .await;
    assert!(survey.is_done());
    let mut out: Vec<(String, Vec<&'static str>)> = survey
        .zones()
        .iter()
        .map(|z| {
            let codes = findings(z, Utc::now(), Rules::default())
                .iter()
                .map(|f| f.code.as_str())
                .collect();
            (z.zone_name.clone(), codes)
        })
        .collect();
    out.sort();
    (out, survey.progress().calls_sent)
}

/// Calls to one zone's endpoints, not the zone listing or the token check.
fn zone_calls(sim: &Simulator) -> usize {
    sim.control()
        .requests()
        .iter()
        .filter(|r| r.path.contains("/zones/"))
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_zone_takes_four_calls_and_the_demo_gives_every_finding_it_implies() {
    let sim = sim(None).await;
    let client = client(&sim, 960, Duration::from_secs(300));
    sim.control().clear_requests();
    let (found, calls) = survey_all(&client, None).await;
    assert_eq!(found.len(), 36);
    assert_eq!(calls, 36 * CALLS_PER_ZONE);
    assert_eq!(
        zone_calls(&sim),
        36 * CALLS_PER_ZONE,
        "the fewest calls: four a zone"
    );
    let of = |name: &str| found.iter().find(|(n, _)| n == name).unwrap().1.clone();
    assert_eq!(of("legacy.example"), ["expired", "ssl-mode-voids-aop"]);
    assert_eq!(of("docs.example"), ["enabled-without-certificate"]);
    assert_eq!(of("status.example"), ["deployment-failed"]);
    assert_eq!(of("api.example"), ["expiring"]);
    assert_eq!(of("shop-eu.example"), ["multiple-active"]);
    assert_eq!(of("shop-us.example"), ["shared-certificate-only"]);
    assert_eq!(of("blog.example"), ["expiring", "certificate-unused"]);
    assert_eq!(of("partners.example"), ["expired"]);
    assert_eq!(of("portal.example"), ["expiring"]);
    assert_eq!(of("shop.example"), Vec::<&str>::new());
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_429_in_the_middle_slows_the_survey_and_loses_nothing() {
    let sim = sim(Some(60)).await;
    sim.control().set_latency(Duration::from_millis(10));
    let client = client(&sim, 960, Duration::from_secs(300));
    let (reference, _) = survey_all(&client, None).await;

    let control = sim.control();
    control.clear_requests();
    let started = std::time::Instant::now();
    let survey = tokio::spawn({
        let client = client.clone();
        async move { survey_all(&client, None).await }
    });
    // Once a third of the calls are out, Cloudflare says 429 once.
    while control.requests().len() < 80 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    control.inject(FaultRule {
        method: None,
        path_contains: "/zones/".into(),
        times: 1,
        kind: FaultKind::RateLimited {
            retry_after_secs: 1,
        },
    });
    let (found, _) = survey.await.unwrap();
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "the 429 paused it"
    );
    assert_eq!(found, reference, "the same findings, every zone complete");
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_window_holds_more_calls_than_the_budget() {
    let sim = sim(Some(30)).await;
    let (budget, window) = (40, Duration::from_millis(1500));
    let client = client(&sim, budget, window);
    let zones = all_zones(&client).await;
    sim.control().clear_requests();
    let mut survey = Survey::new(zones, Vec::new(), Duration::ZERO, Utc::now());
    run(&client, &mut survey, CONCURRENCY, |_, _| {}).await;
    let times: Vec<_> = sim
        .control()
        .requests()
        .iter()
        .map(|r| r.received_at)
        .collect();
    assert_eq!(times.len(), 30 * CALLS_PER_ZONE);
    // Requests arrive a little after the client sends them; a few milliseconds off
    // the window keeps that jitter from counting one call twice.
    let span = chrono::Duration::from_std(window).unwrap() - chrono::Duration::milliseconds(50);
    let busiest = times
        .iter()
        .map(|&t| times.iter().filter(|&&u| u >= t && u < t + span).count())
        .max()
        .unwrap();
    assert!(busiest <= budget, "{busiest} calls in one window");
    assert!(
        busiest * 10 >= budget * 9,
        "the budget was used: {busiest} of {budget}"
    );
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_interrupted_survey_resumes_from_its_cache() {
    let sim = sim(Some(40)).await;
    let client = client(&sim, 960, Duration::from_secs(300));
    let dir = tempfile::tempdir().unwrap();
    let cache = SurveyCache::new(
        dir.path(),
        &sim.base_url(),
        &Credentials::Token(TOKEN.into()),
    );
    let zones = all_zones(&client).await;
    let mut survey = Survey::new(
        zones.clone(),
        Vec::new(),
        Duration::from_secs(3600),
        Utc::now(),
    );
    // Cut short once ten zones are done, as a Ctrl-C would.
    let mut done = 0;
    let _ = tokio::time::timeout(Duration::from_secs(30), async {
        let (tx, mut stop) = tokio::sync::mpsc::unbounded_channel::<()>();
        tokio::select! {
            _ = run(&client, &mut survey, 4, |state, _| {
                if let Some(state) = state {
                    cache.append(state).unwrap();
                    done += 1;
                    if done == 10 {
                        let _ = tx.send(());
                    }
                }
            }) => {}
            _ = stop.recv() => {}
        }
    })
    .await;
    assert!(cache.load().len() >= 10);
    let fresh = cache.load().len();
    sim.control().clear_requests();
    let (found, calls) = survey_all(&client, Some(&cache)).await;
    assert_eq!(found.len(), 40);
    assert_eq!(
        calls,
        (40 - fresh) * CALLS_PER_ZONE,
        "only the zones not done"
    );
    assert_eq!(zone_calls(&sim), calls);
    sim.shutdown().await;
}

//! Measured performance: every figure the README quotes comes from here.
//!
//! Run with: `cargo test --release --test perf -- --ignored --nocapture --test-threads 1`
//! Each test prints a `perf:` line and fails if its goal is missed.

mod common;

use std::time::{Duration, Instant};

use chrono::Utc;
use common::pty::Session;
use common::{TOKEN, bare, client_with};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use originpull::api::{Credentials, Zone};
use originpull::app::{Model, Msg, Screen, Visible, ZoneList};
use originpull::cache::ZoneCache;
use originpull::sim::{SimConfig, Simulator};
use originpull::tui::{Driver, Launch};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Runtime::new().unwrap()
}

async fn sim(zones: usize, latency: Duration) -> Simulator {
    let mut config = SimConfig::demo(TOKEN);
    config.zones = Some(zones);
    config.latency = latency;
    Simulator::start(config).await.unwrap()
}

/// The app in a pty against `sim`, with every file it writes kept in `home`.
fn app(sim: &Simulator, home: &std::path::Path) -> Session {
    let base = sim.base_url();
    let h = home.display().to_string();
    let cache = home.join("cache").display().to_string();
    let state = home.join("state").display().to_string();
    Session::start(
        &[],
        &[
            ("HOME", &h),
            ("XDG_CACHE_HOME", &cache),
            ("XDG_STATE_HOME", &state),
            ("CLOUDFLARE_BASE_URL", &base),
            ("CLOUDFLARE_API_TOKEN", TOKEN),
        ],
    )
}

/// Polls the screen every millisecond: fine-grained enough for frame timings.
fn wait_fast(s: &Session, text: &str, limit: Duration) -> Duration {
    let start = Instant::now();
    while start.elapsed() < limit {
        if s.screen().contains(text) {
            return start.elapsed();
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    panic!("no {text:?} within {limit:?}:\n{}", s.screen());
}

/// Polls until `text` is off the screen.
fn wait_gone(s: &Session, text: &str, limit: Duration) {
    let start = Instant::now();
    while s.screen().contains(text) {
        assert!(
            start.elapsed() < limit,
            "{text:?} still on screen after {limit:?}"
        );
        std::thread::sleep(Duration::from_millis(1));
    }
}

fn zones(n: usize) -> Vec<Zone> {
    // Varied names, like an agency's account: brands, regions, environments.
    let words = [
        "shop", "api", "cdn", "blog", "mail", "portal", "media", "docs",
    ];
    let envs = ["", "-staging", "-eu", "-us", "-dev"];
    (0..n)
        .map(|i| Zone {
            id: format!("{i:032x}"),
            name: format!(
                "{}{}-{i:06}.example",
                words[i % words.len()],
                envs[(i / 8) % envs.len()]
            ),
            status: Some("active".into()),
            account: None,
        })
        .collect()
}

#[test]
#[ignore]
fn first_frame_whatever_the_network_does() {
    let rt = runtime();
    // Every call takes 5 s: the first frame must not wait for any of them.
    let sim = rt.block_on(sim(50, Duration::from_secs(5)));
    let home = tempfile::tempdir().unwrap();
    let mut worst = Duration::ZERO;
    for _ in 0..5 {
        let started = Instant::now();
        let mut s = app(&sim, home.path());
        wait_fast(&s, "Zones", Duration::from_secs(5));
        let took = started.elapsed();
        worst = worst.max(took);
        s.keys("q");
        s.wait_exit();
    }
    println!(
        "perf: first frame {} ms (worst of 5, process start included; goal 50 ms)",
        worst.as_millis()
    );
    assert!(worst < Duration::from_millis(50));
}

#[test]
#[ignore]
fn ten_thousand_zones_at_50_ms_per_call() {
    let rt = runtime();
    rt.block_on(async {
        let rtt = Duration::from_millis(50);
        let sim = sim(10_000, rtt).await;
        let mut app = Driver::new(Launch {
            client: Some(client_with(&sim.base_url(), TOKEN, Duration::from_secs(30))),
            screen: Screen::Main,
            verify_token: false,
            endpoint: "perf".into(),
            cache: None,
            warnings: Vec::new(),
            keys: Default::default(),
        survey_cache: None,
        journals: None,
        known: None,
        budget: originpull::api::client::DEFAULT_BUDGET,
        profile: None,
        mouse: true,
        });
        let started = Instant::now();
        app.dispatch(Msg::Init {
            verify_token: false,
        });
        let mut first = None;
        while app.model.zones.loading {
            let msg = app.next_reply().await.unwrap();
            app.dispatch(msg);
            if first.is_none() && !app.model.zones.list.is_empty() {
                first = Some(started.elapsed());
            }
        }
        let all = started.elapsed();
        let first = first.unwrap();
        assert_eq!(app.model.zones.list.len(), 10_000);
        let trips = |d: Duration| d.as_secs_f64() / rtt.as_secs_f64();
        let goal = (199f64 / 8.0).ceil() + 1.0;
        println!(
            "perf: 10,000 zones at 50 ms per call: first page on screen after {} ms ({:.1} round trips), all 200 pages after {} ms ({:.1} round trips; goal about {goal})",
            first.as_millis(),
            trips(first),
            all.as_millis(),
            trips(all)
        );
        assert!(trips(first) < 2.0);
        assert!(trips(all) < goal * 1.3);
    });
}

#[test]
#[ignore]
fn cli_zones_json_against_sequential_paging() {
    let rt = runtime();
    let rtt = Duration::from_millis(50);
    let sim = rt.block_on(sim(10_000, rtt));
    let base = sim.base_url();

    let started = Instant::now();
    let home = tempfile::tempdir().unwrap();
    let h = home.path().display().to_string();
    let out = bare(
        &["zones", "--json"],
        &[
            ("CLOUDFLARE_BASE_URL", &base),
            ("CLOUDFLARE_API_TOKEN", TOKEN),
            ("HOME", &h),
        ],
    )
    .output()
    .unwrap();
    let ours = started.elapsed();
    assert!(out.status.success());
    let listed: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(listed.len(), 10_000);

    // How the official SDKs page: one page after another until an empty one.
    let client = client_with(&base, TOKEN, Duration::from_secs(30));
    let started = Instant::now();
    let sequential = rt.block_on(async {
        let mut n = 0;
        for page in 1.. {
            let p = client.zones_page(page, 50, None).await.unwrap();
            if p.items.is_empty() {
                break;
            }
            n += p.items.len();
        }
        n
    });
    let theirs = started.elapsed();
    assert_eq!(sequential, 10_000);
    let speedup = theirs.as_secs_f64() / ours.as_secs_f64();
    println!(
        "perf: zones --json, 10,000 zones at 50 ms per call: {} ms; sequential paging (50 a page): {} ms; {speedup:.1}x faster (goal 5x)",
        ours.as_millis(),
        theirs.as_millis()
    );
    assert!(speedup >= 5.0);
}

/// 100,000 names that share nothing but their endings, as an agency's customer
/// domains: syllables, a hyphen now and then, one of a few top-level domains.
fn unrelated_zones(n: usize) -> Vec<Zone> {
    let syllables = [
        "ka", "lo", "mi", "ne", "ro", "ta", "vu", "zi", "be", "co", "du", "fa", "gi", "ho", "ju",
        "pe", "qu", "sa", "we", "xy",
    ];
    let tlds = [".com", ".net", ".io", ".co.uk", ".de", ".org"];
    // A fixed linear congruential generator: the same names every run.
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move |below: usize| {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (state >> 33) as usize % below
    };
    (0..n)
        .map(|i| {
            let mut name = String::new();
            for _ in 0..2 + next(4) {
                name.push_str(syllables[next(syllables.len())]);
                if next(5) == 0 {
                    name.push('-');
                }
            }
            name.push_str(tlds[next(tlds.len())]);
            Zone {
                id: format!("{i:032x}"),
                name,
                status: Some("active".into()),
                account: None,
            }
        })
        .collect()
}

/// The headless app (the real update, executor and ranker) with `zones` on screen
/// from the cache, and their refresh held back by a slow server so the list stays put.
async fn app_with_cached(zones: &[Zone], home: &std::path::Path) -> (Driver, Simulator) {
    let sim = sim(10, Duration::from_secs(600)).await;
    let cache = ZoneCache::new(
        home,
        &sim.base_url(),
        &Credentials::Token(TOKEN.to_owned().into()),
    );
    cache.save(zones).unwrap();
    let mut app = Driver::new(Launch {
        client: Some(client_with(
            &sim.base_url(),
            TOKEN,
            Duration::from_secs(600),
        )),
        screen: Screen::Main,
        verify_token: false,
        endpoint: "perf".into(),
        cache: Some(cache),
        warnings: Vec::new(),
        keys: Default::default(),
        survey_cache: None,
        journals: None,
        known: None,
        budget: originpull::api::client::DEFAULT_BUDGET,
        profile: None,
        mouse: true,
    });
    app.dispatch(Msg::Init {
        verify_token: false,
    });
    while app.model.zones.list.len() < zones.len() {
        let msg = app.next_reply().await.unwrap();
        app.dispatch(msg);
    }
    (app, sim)
}

/// What typing one query cost: each key's press to its frame, and the last key's
/// press to the frame that shows the list ranked for the whole query.
struct Typed {
    key_to_frame: Vec<Duration>,
    to_ranked: Duration,
    matches: usize,
}

const FRAME: (u16, u16) = (160, 48);

fn press(app: &mut Driver, terminal: &mut Terminal<TestBackend>, code: KeyCode) -> Duration {
    let pressed = Instant::now();
    app.dispatch(Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)));
    app.draw(terminal).unwrap();
    pressed.elapsed()
}

/// Handles replies as the event loop does (each followed by a frame) until the list
/// on screen is ranked for `query`.
async fn until_ranked(app: &mut Driver, terminal: &mut Terminal<TestBackend>, query: &str) {
    while app.model.zones.ranking.waiting || app.model.zones.shown_query != query {
        let msg = tokio::time::timeout(Duration::from_secs(10), app.next_reply())
            .await
            .expect("the ranking answers")
            .unwrap();
        app.dispatch(msg);
        app.draw(terminal).unwrap();
    }
}

async fn pump_for(app: &mut Driver, terminal: &mut Terminal<TestBackend>, time: Duration) {
    let until = tokio::time::Instant::now() + time;
    while let Ok(Some(msg)) = tokio::time::timeout_at(until, app.next_reply()).await {
        app.dispatch(msg);
        app.draw(terminal).unwrap();
    }
}

/// Types `query` into a cleared filter, `gap` between keys (handling what arrives
/// meanwhile, as the loop does), or each key once the last one's ranking showed.
async fn type_query(
    app: &mut Driver,
    terminal: &mut Terminal<TestBackend>,
    query: &str,
    gap: Option<Duration>,
) -> Typed {
    if !app.model.zones.filtering {
        press(app, terminal, KeyCode::Char('/'));
    }
    // Ctrl-U clears the field: the list shows every zone again, at once.
    app.dispatch(Msg::Key(KeyEvent::new(
        KeyCode::Char('u'),
        KeyModifiers::CONTROL,
    )));
    assert_eq!(app.model.zones.visible, Visible::All);
    let mut key_to_frame = Vec::new();
    let mut last = Instant::now();
    for (i, c) in query.char_indices() {
        last = Instant::now();
        key_to_frame.push(press(app, terminal, KeyCode::Char(c)));
        let typed = &query[..i + c.len_utf8()];
        if typed == query {
            break;
        }
        match gap {
            Some(gap) => pump_for(app, terminal, gap).await,
            None => until_ranked(app, terminal, typed).await,
        }
    }
    until_ranked(app, terminal, query).await;
    Typed {
        key_to_frame,
        to_ranked: last.elapsed(),
        matches: app.model.zones.visible_len(),
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn percentile(sorted: &[Duration], p: usize) -> Duration {
    sorted[(sorted.len() * p / 100).min(sorted.len() - 1)]
}

/// Typing into the filter over 100,000 zones: every key draws a frame within 16 ms
/// (ranking never runs in `update`), and the list ranked for the last key is on
/// screen within 50 ms of it, 99th percentile over every query of 9 runs.
#[test]
#[ignore]
fn filter_over_100_000_zones() {
    let runs: usize = std::env::var("ORIGINPULL_PERF_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(9);
    runtime().block_on(async {
        let home = tempfile::tempdir().unwrap();
        let mut terminal = Terminal::new(TestBackend::new(FRAME.0, FRAME.1)).unwrap();
        let mut keys = Vec::new();
        let mut last_keys = Vec::new();
        let mut family_worst = [Duration::ZERO; 3];
        let mut pairs_p99 = Vec::new();
        {
            let (mut app, sim) = app_with_cached(&zones(100_000), home.path()).await;
            for _ in 0..runs {
                // Typed at 30 ms a key, a fast typist: narrowing to one zone, a word
                // every name matches, and one every name matches only with gaps.
                for (i, query) in ["shop-eu-0421", "example", "eampl"].iter().enumerate() {
                    let gap = Some(Duration::from_millis(30));
                    let typed = type_query(&mut app, &mut terminal, query, gap).await;
                    assert!(typed.matches > 0, "{query}");
                    family_worst[i] = family_worst[i].max(typed.to_ranked);
                    keys.extend(typed.key_to_frame);
                    last_keys.push(typed.to_ranked);
                }
            }
            sim.shutdown().await;
        }
        let (mut app, sim) = app_with_cached(&unrelated_zones(100_000), home.path()).await;
        // Over unrelated names the second key is the dear one: most names match only
        // with gaps. Every two-character query, its second key typed once the first
        // key's ranking showed.
        let chars: Vec<char> = ('a'..='z').chain(['.', '-']).collect();
        for _ in 0..runs {
            let mut run = Vec::new();
            for a in &chars {
                for b in &chars {
                    let query = format!("{a}{b}");
                    let typed = type_query(&mut app, &mut terminal, &query, None).await;
                    keys.extend(typed.key_to_frame);
                    run.push(typed.to_ranked);
                }
            }
            run.sort();
            pairs_p99.push(percentile(&run, 99));
            last_keys.extend(run);
        }
        sim.shutdown().await;

        keys.sort();
        last_keys.sort();
        pairs_p99.sort();
        let worst_key = *keys.last().unwrap();
        let p99 = percentile(&last_keys, 99);
        println!(
            "perf: filter over 100,000 zones, {runs} runs, {} keys: key to frame worst {:.2} ms (goal 16 ms); last key to ranked list on screen: p99 {:.1} ms, worst {:.1} ms over {} queries (goal p99 50 ms); slowest per query, family names: narrowing {:.1} ms, `example` {:.1} ms, gapped `eampl` {:.1} ms; two characters over unrelated names, p99 per run {:.1}-{:.1} ms",
            keys.len(),
            ms(worst_key),
            ms(p99),
            ms(*last_keys.last().unwrap()),
            last_keys.len(),
            ms(family_worst[0]),
            ms(family_worst[1]),
            ms(family_worst[2]),
            ms(pairs_p99[0]),
            ms(*pairs_p99.last().unwrap()),
        );
        assert!(worst_key < Duration::from_millis(16));
        assert!(p99 < Duration::from_millis(50));
    });
}

/// Why frizbee: the two maintained rankers DESIGN.md names, timed on this machine over
/// the same 100,000 names and queries, each on both cores, from query to ranked list.
#[test]
#[ignore]
fn ranking_libraries_compared() {
    use nucleo::pattern::{CaseMatching, Normalization};
    let family: Vec<String> = zones(100_000).into_iter().map(|z| z.name).collect();
    let unrelated: Vec<String> = unrelated_zones(100_000)
        .into_iter()
        .map(|z| z.name)
        .collect();
    let cases = [
        (&family, "s"),
        (&family, "shop-eu-0421"),
        (&family, "example"),
        (&family, "eampl"),
        (&unrelated, "o."),
        (&unrelated, "ka"),
    ];
    let median = |mut times: Vec<Duration>| {
        times.sort();
        times[times.len() / 2]
    };
    let reparse = |nucleo: &mut nucleo::Nucleo<u32>, query: &str| {
        let (case, norm) = (CaseMatching::Ignore, Normalization::Never);
        nucleo.pattern.reparse(0, query, case, norm, false);
        while nucleo.tick(10).running {}
    };
    for (names, query) in cases {
        // nucleo as helix uses it: its own worker pool, the names injected once.
        let notify = std::sync::Arc::new(|| {});
        let mut nucleo: nucleo::Nucleo<u32> =
            nucleo::Nucleo::new(nucleo::Config::DEFAULT, notify, None, 1);
        let injector = nucleo.injector();
        for (i, name) in names.iter().enumerate() {
            injector.push(i as u32, |_, cols| cols[0] = name.as_str().into());
        }
        let mut nucleo_times = Vec::new();
        let mut nucleo_matches = 0;
        for _ in 0..9 {
            reparse(&mut nucleo, "");
            let started = Instant::now();
            reparse(&mut nucleo, query);
            let slots: Vec<u32> = nucleo
                .snapshot()
                .matched_items(..)
                .map(|i| *i.data)
                .collect();
            nucleo_times.push(started.elapsed());
            nucleo_matches = slots.len();
        }
        // frizbee: SIMD Smith-Waterman, a thread per core per query, sorted by score.
        let mut frizbee_times = Vec::new();
        let mut frizbee_matches = 0;
        for _ in 0..9 {
            let started = Instant::now();
            let mut matcher = frizbee::Matcher::from_query(query, &frizbee::Config::default());
            let slots: Vec<u32> = matcher
                .match_list_parallel(names, 2)
                .iter()
                .map(|m| m.index)
                .collect();
            frizbee_times.push(started.elapsed());
            frizbee_matches = slots.len();
        }
        println!(
            "perf: ranking 100,000 names for {query:?}: nucleo {:.2} ms ({nucleo_matches} matches), frizbee {:.2} ms ({frizbee_matches} matches), median of 9",
            ms(median(nucleo_times)),
            ms(median(frizbee_times)),
        );
    }
}

#[test]
#[ignore]
fn a_frame_with_100_000_zones() {
    let mut model = Model::new(Screen::Main, "perf", Utc::now());
    model.zones.list = ZoneList::new(zones(100_000));
    model.zones.selected = 54_321;
    let backend = ratatui::backend::TestBackend::new(160, 48);
    let mut terminal = ratatui::Terminal::new(backend).unwrap();
    let frames = 200;
    let started = Instant::now();
    for _ in 0..frames {
        terminal
            .draw(|f| {
                originpull::ui::view(&model, f);
            })
            .unwrap();
    }
    let per_frame = started.elapsed() / frames;
    println!(
        "perf: a full 160x48 frame with 100,000 zones: {:.3} ms (goal 2 ms)",
        per_frame.as_secs_f64() * 1000.0
    );
    assert!(per_frame < Duration::from_millis(2));
}

/// User plus system CPU time of a process so far, from /proc.
fn cpu_time(pid: u32) -> Duration {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    // Fields after the command name, which is in parentheses and may hold spaces.
    let rest = &stat[stat.rfind(')').unwrap() + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks: u64 = fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap();
    // The kernel reports in USER_HZ, 100 on Linux.
    Duration::from_millis(ticks * 10)
}

fn peak_rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap()
}

#[test]
#[ignore]
fn idle_costs_nothing() {
    let rt = runtime();
    let sim = rt.block_on(sim(500, Duration::ZERO));
    let home = tempfile::tempdir().unwrap();
    let mut s = app(&sim, home.path());
    s.wait_for("500/500");
    s.wait_for("token active");
    std::thread::sleep(Duration::from_millis(500));
    let pid = s.pid();
    let (cpu_before, bytes_before) = (
        cpu_time(pid),
        s.bytes.load(std::sync::atomic::Ordering::SeqCst),
    );
    std::thread::sleep(Duration::from_secs(10));
    let cpu = cpu_time(pid) - cpu_before;
    let written = s.bytes.load(std::sync::atomic::Ordering::SeqCst) - bytes_before;
    println!(
        "perf: idle for 10 s after loading: {} ms of CPU, {written} bytes written to the terminal (goal under 50 ms, no redraws)",
        cpu.as_millis()
    );
    s.keys("q");
    s.wait_exit();
    assert!(cpu < Duration::from_millis(50));
    assert_eq!(written, 0);
}

#[test]
#[ignore]
fn keys_answer_within_a_frame_while_the_listing_is_in_flight() {
    let rt = runtime();
    let sim = rt.block_on(sim(10_000, Duration::from_millis(50)));
    let control = sim.control();
    let home = tempfile::tempdir().unwrap();
    let mut s = app(&sim, home.path());
    // Eight pages answer, so the pager's window is at its widest; from then on every
    // call takes 20 s, and the window of pages stays out.
    let listed = |s: &Session| -> usize {
        let screen = s.screen();
        let Some(at) = screen.find("Zones ") else {
            return 0;
        };
        let digits: String = screen[at + 6..]
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        digits.parse().unwrap_or(0)
    };
    let started = Instant::now();
    while listed(&s) < 400 {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "{}",
            s.screen()
        );
        std::thread::sleep(Duration::from_millis(1));
    }
    control.set_latency(Duration::from_secs(20));
    s.wait_for("more)");
    let in_flight = s.screen().lines().last().unwrap_or_default().to_owned();
    let mut worst = Duration::ZERO;
    for _ in 0..5 {
        s.keys("?");
        worst = worst.max(wait_fast(&s, "Esc closes", Duration::from_secs(2)));
        s.keys("\u{1b}");
        wait_gone(&s, "Esc closes", Duration::from_secs(2));
    }
    println!(
        "perf: key press to frame with the zone listing in flight ({}): {} ms worst of 5, pty round trip included (goal 16 ms)",
        in_flight.split("  ").next().unwrap_or_default().trim(),
        worst.as_millis()
    );
    s.keys("q");
    assert!(worst < Duration::from_millis(16));
}

#[test]
#[ignore]
fn peak_memory_with_100_000_zones() {
    // 100,000 zones are 2000 pages: more than Cloudflare's 1200 calls per 5 minutes,
    // so a big account is loaded once and then starts from the cache. Measure that
    // start: the cached list on screen while the refresh is out (slow, so its pages
    // do not land during the measurement).
    let rt = runtime();
    let sim = rt.block_on(sim(100_000, Duration::from_secs(10)));
    let home = tempfile::tempdir().unwrap();
    let cache = ZoneCache::new(
        &home.path().join("cache/originpull"),
        &sim.base_url(),
        &Credentials::Token(TOKEN.to_owned().into()),
    );
    // As the app saves it: zones without their account (see ZonePane::strip_accounts).
    cache.save(&zones(100_000)).unwrap();
    let mut s = app(&sim, home.path());
    wait_fast(&s, "100000/100000", Duration::from_secs(20));
    // Filter and scroll as a user would, then read the high-water mark.
    s.keys("/shop-eu\rG");
    std::thread::sleep(Duration::from_secs(1));
    let kib = peak_rss_kib(s.pid());
    println!(
        "perf: peak RSS with 100,000 zones loaded (from the cache, filtered, refresh in flight): {:.1} MB (goal under 40 MB)",
        kib as f64 / 1024.0
    );
    s.keys("q");
    s.wait_exit();
    assert!(kib < 40 * 1024);
}

// ---- The survey -------------------------------------------------------------------

/// A client with a budget of `budget` calls per `window`.
fn budgeted(sim: &Simulator, budget: usize, window: Duration) -> originpull::api::Client {
    let mut config = originpull::api::ClientConfig::new(
        sim.base_url(),
        Credentials::Token(TOKEN.to_owned().into()),
    );
    config.budget = budget;
    config.budget_window = window;
    originpull::api::Client::new(&config).unwrap()
}

/// Surveys every zone `client` lists; returns the survey, when the first zone was
/// done, and how long it all took.
async fn survey_all(
    client: &originpull::api::Client,
    cache: Option<&originpull::survey::SurveyCache>,
) -> (originpull::survey::Survey, Duration, Duration) {
    use originpull::survey::{Survey, run};
    let started = Instant::now();
    let zones = client
        .list_zones(None)
        .await
        .unwrap()
        .into_iter()
        .map(|z| (z.id, z.name));
    let earlier = cache.map(|c| c.load()).unwrap_or_default();
    let mut survey = Survey::new(zones, earlier, Duration::from_secs(3600), Utc::now());
    let mut first = None;
    run::run(client, &mut survey, run::CONCURRENCY, |done, _| {
        if let Some(state) = done {
            first.get_or_insert(started.elapsed());
            if let Some(cache) = cache {
                cache.append(state).unwrap();
            }
        }
    })
    .await;
    assert!(survey.is_done());
    (survey, first.unwrap_or_default(), started.elapsed())
}

/// 1,000 zones at 50 ms a call within a test budget of 1,200 calls a minute (the
/// simulator enforces the same limit, as Cloudflare does, and counts its 429s): the
/// survey uses at least 90% of the budget, meets no 429, and the first zone is done
/// within a second.
#[test]
#[ignore]
fn survey_of_1000_zones_within_a_test_budget() {
    runtime().block_on(async {
        let window = Duration::from_secs(60);
        let budget = 1200;
        let mut config = SimConfig::demo(TOKEN);
        config.zones = Some(1000);
        config.latency = Duration::from_millis(50);
        config.rate_limit = Some(originpull::sim::RateLimit {
            requests: budget,
            window,
        });
        let sim = Simulator::start(config).await.unwrap();
        let client = budgeted(&sim, budget, window);
        let (survey, first, took) = survey_all(&client, None).await;
        let calls = sim.control().requests().len();
        // What the budget allowed over the run: a budget a window, for as many
        // windows as it lasted. A survey that left it idle (too few calls in flight,
        // waits it need not make) falls short of it.
        let allowed = budget as f64 * took.as_secs_f64() / window.as_secs_f64();
        let used = calls as f64 / allowed;
        println!(
            "perf: survey of 1,000 zones at 50 ms per call, budget 1,200 calls a minute: {calls} calls in {:.1} s, {:.0}% of the {allowed:.0} calls the budget allowed in that time, {} answered 429, first zone done after {} ms (goals: 90%, no 429, 1 s)",
            took.as_secs_f64(),
            used * 100.0,
            sim.control().rate_limited(),
            first.as_millis(),
        );
        assert_eq!(survey.progress().zones, 1000);
        assert_eq!(sim.control().rate_limited(), 0);
        assert!(used >= 0.9);
        assert!(first < Duration::from_secs(1));
        sim.shutdown().await;
    });
}

/// With a budget that is not the limit, 1,000 zones at 50 ms a call take at most 1.5
/// times calls ÷ concurrency × 50 ms; a second survey within `--max-age` then makes no
/// call for a zone and finds the same.
#[test]
#[ignore]
fn survey_of_1000_zones_unhindered_then_again_from_the_cache() {
    use originpull::survey::{Rules, SurveyCache, findings, run::CONCURRENCY};
    runtime().block_on(async {
        let sim = sim(1000, Duration::from_millis(50)).await;
        let client = budgeted(&sim, 1_000_000, Duration::from_secs(300));
        let home = tempfile::tempdir().unwrap();
        let cache = SurveyCache::new(
            home.path(),
            &sim.base_url(),
            &Credentials::Token(TOKEN.to_owned().into()),
        );
        let (first_run, _, took) = survey_all(&client, Some(&cache)).await;
        let calls = first_run.progress().calls_sent;
        let bound = Duration::from_millis(50).mul_f64(calls as f64 / CONCURRENCY as f64);
        let ratio = took.as_secs_f64() / bound.as_secs_f64();

        sim.control().clear_requests();
        let (second, _, again) = survey_all(&client, Some(&cache)).await;
        let zone_calls = sim
            .control()
            .requests()
            .iter()
            .filter(|r| r.path.contains("/zones/"))
            .count();
        let codes = |s: &originpull::survey::Survey| -> Vec<Vec<&'static str>> {
            let mut zones: Vec<_> = s.zones().iter().collect();
            zones.sort_by(|a, b| a.zone_id.cmp(&b.zone_id));
            zones
                .iter()
                .map(|z| {
                    findings(z, Utc::now(), Rules::default())
                        .iter()
                        .map(|f| f.code.as_str())
                        .collect()
                })
                .collect()
        };
        println!(
            "perf: survey of 1,000 zones at 50 ms per call, budget not the limit: {calls} calls in {:.2} s, {ratio:.2}x of calls ÷ {CONCURRENCY} × 50 ms = {:.2} s (goal 1.5x); again within --max-age: {zone_calls} calls to zones, {:.2} s",
            took.as_secs_f64(),
            bound.as_secs_f64(),
            again.as_secs_f64(),
        );
        assert!(ratio <= 1.5);
        assert_eq!(zone_calls, 0);
        assert_eq!(second.progress().calls_sent, 0);
        assert_eq!(codes(&first_run), codes(&second));
        sim.shutdown().await;
    });
}

/// `audit` through the real binary: the first finding is on stdout within a second of
/// the start, 1,000 zones at 50 ms a call.
#[test]
#[ignore]
fn audit_prints_its_first_finding_within_a_second() {
    use std::io::BufRead;
    let rt = runtime();
    let sim = rt.block_on(sim(1000, Duration::from_millis(50)));
    let home = tempfile::tempdir().unwrap();
    let h = home.path().display().to_string();
    let started = Instant::now();
    let mut child = bare(
        &["audit"],
        &[
            ("CLOUDFLARE_BASE_URL", &sim.base_url()),
            ("CLOUDFLARE_API_TOKEN", TOKEN),
            ("HOME", &h),
        ],
    )
    .stdout(std::process::Stdio::piped())
    .stderr(std::process::Stdio::null())
    .spawn()
    .unwrap();
    let mut lines = std::io::BufReader::new(child.stdout.take().unwrap()).lines();
    let header = lines.next().unwrap().unwrap();
    assert!(header.starts_with("ZONE"));
    // The demo zones come first; the first of them has findings.
    let first = lines
        .map(Result::unwrap)
        .find(|l| l.starts_with("    "))
        .unwrap();
    let took = started.elapsed();
    child.kill().unwrap();
    let _ = child.wait();
    println!(
        "perf: audit of 1,000 zones at 50 ms per call: first finding printed after {} ms, process start and zone listing included (goal 1 s): {first:?}",
        took.as_millis()
    );
    assert!(took < Duration::from_secs(1));
}

/// The fleet view over 100,000 zones from the cache: a frame within 2 ms, and each
/// sort within 50 ms.
#[test]
#[ignore]
fn fleet_view_with_100_000_zones() {
    use originpull::api::{ApiTime, CertStatus, Certificate, GlobalAop};
    use originpull::app::{Fleet, FleetSurvey, Sort, View};
    use originpull::survey::{Rules, Survey, ZoneState};
    let now = Utc::now();
    let list = zones(100_000);
    let mut model = Model::new(Screen::Main, "perf", now);
    model.zones.list = ZoneList::new(list);
    let named: Vec<(String, String)> = model
        .zones
        .list
        .in_name_order()
        .map(|z| (z.id.clone(), z.name.clone()))
        .collect();
    // Every zone surveyed a minute ago: a certificate expiring somewhere in the next
    // two years (some already expired), a tenth with the global switch on.
    let cached: Vec<ZoneState> = named
        .iter()
        .enumerate()
        .map(|(i, (id, name))| ZoneState {
            surveyed_at: Some(now - chrono::Duration::minutes(1)),
            global: Some(GlobalAop {
                on: i % 10 == 0,
                editable: Some(true),
                modified_on: None,
            }),
            enabled: Some(i % 3 != 0),
            certificates: Some(vec![Certificate {
                id: Some(format!("{i:08x}-0000-4000-8000-000000000000")),
                status: Some(CertStatus::Active),
                expires_on: Some(ApiTime::from_datetime(
                    now + chrono::Duration::days((i * 7919 % 760) as i64 - 30),
                )),
                ..Default::default()
            }]),
            hostname_certificates: Some(Vec::new()),
            ..ZoneState::new(id.clone(), name.clone())
        })
        .collect();
    let started = Instant::now();
    let mut fleet = Fleet::new(&named, &cached, Rules::default(), now);
    let built = started.elapsed();
    fleet.survey = Some(FleetSurvey {
        walk: Survey::new(named, cached, Duration::from_secs(3600), now),
        in_flight: 0,
        confirm: None,
    });
    fleet.filter(None);
    let mut sorts = Vec::new();
    for sort in [Sort::Expiry, Sort::Name, Sort::Findings] {
        fleet.sort = sort;
        let started = Instant::now();
        fleet.resort();
        sorts.push((sort, started.elapsed()));
    }
    fleet.selected = 54_321;
    model.fleet = Some(fleet);
    model.view = View::Fleet;
    let mut terminal = Terminal::new(TestBackend::new(160, 48)).unwrap();
    let frames = 200;
    let started = Instant::now();
    for _ in 0..frames {
        terminal
            .draw(|f| {
                originpull::ui::view(&model, f);
            })
            .unwrap();
    }
    let per_frame = started.elapsed() / frames;
    let slowest = sorts.iter().map(|(_, d)| *d).max().unwrap();
    println!(
        "perf: fleet view with 100,000 zones from the cache: a 160x48 frame {:.3} ms (goal 2 ms); sorting {} (goal 50 ms); rows built in {} ms",
        ms(per_frame),
        sorts
            .iter()
            .map(|(s, d)| format!("by {} {:.1} ms", s.label(), ms(*d)))
            .collect::<Vec<_>>()
            .join(", "),
        built.as_millis(),
    );
    assert!(per_frame < Duration::from_millis(2));
    assert!(slowest < Duration::from_millis(50));
}

// ---- Rotation -----------------------------------------------------------------------

/// 100 zones at 50 ms a call, certificates turning active 2 s after upload, a test
/// budget of 100 calls a second that the simulator enforces as Cloudflare would: the
/// rotation ends within 1.5× of what the budget and one activation wait allow (calls ÷
/// budget + 2 s), not 100 activation waits in a row, and meets no 429.
#[test]
#[ignore]
fn rotation_of_100_zones_within_the_budget_and_one_activation_wait() {
    use std::collections::HashMap;

    use originpull::rotate::{NewCert, Options, Rotation, Step, run};
    runtime().block_on(async {
        let window = Duration::from_secs(1);
        let budget = 100;
        let activation = Duration::from_secs(2);
        let mut config = SimConfig::demo(TOKEN);
        config.zones = Some(100);
        config.latency = Duration::from_millis(50);
        config.deploy_delay = activation;
        config.rate_limit = Some(originpull::sim::RateLimit {
            requests: budget,
            window,
        });
        let sim = Simulator::start(config).await.unwrap();
        let client = budgeted(&sim, budget, window);
        let zones = client.list_zones(None).await.unwrap();
        let dir = tempfile::tempdir().unwrap();
        let (cert, key) = common::leaf_pair("rotated.example");
        std::fs::write(dir.path().join("c.pem"), cert).unwrap();
        std::fs::write(dir.path().join("c.key"), key).unwrap();
        let upload = originpull::certinfo::load_upload(
            &dir.path().join("c.pem"),
            &dir.path().join("c.key"),
        )
        .unwrap();
        // Every zone starts with an old certificate of its own, active, to replace.
        let (old_cert, old_key) = common::leaf_pair("old.example");
        let old_key = old_key.into();
        for zone in &zones {
            let certs = client.list_certificates(&zone.id).await.unwrap();
            if !certs.iter().any(|c| c.status == Some(originpull::api::CertStatus::Active)) {
                client
                    .upload_certificate(&zone.id, &old_cert, &old_key)
                    .await
                    .unwrap();
            }
        }
        // The old ones turn active, and the budget's window is fresh.
        tokio::time::sleep(activation + window).await;
        sim.control().clear_requests();

        let started = Instant::now();
        let mut rotation = Rotation::new(
            NewCert::of(&upload.details),
            Options::default(),
            zones.iter().map(|z| (z.id.clone(), z.name.clone())),
            HashMap::new(),
        );
        run::run(&client, &mut rotation, &upload, None, run::CONCURRENCY, |_| {})
            .await
            .unwrap();
        rotation.approve(std::time::Instant::now());
        run::run(&client, &mut rotation, &upload, None, run::CONCURRENCY, |_| {})
            .await
            .unwrap();
        let took = started.elapsed();
        let calls = sim.control().requests().len();
        let rotated = rotation
            .zones()
            .iter()
            .filter(|z| matches!(z.step, Step::Done(_)))
            .count();
        let bound = window.mul_f64(calls as f64 / budget as f64) + activation;
        let ratio = took.as_secs_f64() / bound.as_secs_f64();
        println!(
            "perf: rotation of 100 zones at 50 ms per call, activation after 2 s, budget 100 calls a second: {rotated} rotated with {calls} calls in {:.2} s against {:.2} s (calls ÷ budget + one activation wait): {ratio:.2}×, {} answered 429 (goal 1.5×, no 429; 100 waits in a row would be 200 s)",
            took.as_secs_f64(),
            bound.as_secs_f64(),
            sim.control().rate_limited(),
        );
        assert_eq!(rotated, 100);
        assert_eq!(sim.control().rate_limited(), 0);
        assert!(ratio <= 1.5);
        sim.shutdown().await;
    });
}

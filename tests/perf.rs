//! Measured performance: every figure the README quotes comes from here.
//!
//! Run with: `cargo test --release --test perf -- --ignored --nocapture --test-threads 1`
//! Each test prints a `perf:` line and fails if its goal is missed.

mod common;

use std::time::{Duration, Instant};

use chrono::Utc;
use common::pty::Session;
use common::{TOKEN, bare, client_with};
use originpull::api::{Credentials, Zone};
use originpull::app::{Model, Msg, Screen};
use originpull::cache::ZoneCache;
use originpull::sim::{SimConfig, Simulator};
use originpull::tui::{Driver, Launch};

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
        });
        let started = Instant::now();
        app.dispatch(Msg::Init {
            verify_token: false,
        });
        let mut first = None;
        while app.model.zones.loading {
            let msg = app.next_reply().await.unwrap();
            app.dispatch(msg);
            if first.is_none() && !app.model.zones.zones.is_empty() {
                first = Some(started.elapsed());
            }
        }
        let all = started.elapsed();
        let first = first.unwrap();
        assert_eq!(app.model.zones.zones.len(), 10_000);
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

/// Types `query` one character at a time into the filter over `model`'s zones and
/// returns the slowest keystroke.
fn type_into_filter(model: &mut Model, query: &str) -> Duration {
    let mut worst = Duration::ZERO;
    for end in 1..=query.len() {
        model.zones.filter = originpull::app::input::TextInput::from(&query[..end]);
        let started = Instant::now();
        model.zones.requery();
        let took = started.elapsed();
        println!(
            "  {:>14} {:.2} ms, {} matches",
            &query[..end],
            took.as_secs_f64() * 1000.0,
            model.zones.visible.len()
        );
        worst = worst.max(took);
    }
    assert!(!model.zones.visible.is_empty());
    worst
}

#[test]
#[ignore]
fn fuzzy_filter_over_100_000_names() {
    let mut model = Model::new(Screen::Main, "perf", Utc::now());
    model.zones.set_zones(zones(100_000));
    // Narrowing to one zone: the first key scores every name, later ones only the
    // names that still match.
    let narrowing = type_into_filter(&mut model, "shop-eu-0421");
    // A query every name matches, so every key scores all 100,000: typed as it
    // appears in the names, and typed with gaps (no name holds `eampl` whole).
    let everything = type_into_filter(&mut model, "example");
    let gapped = type_into_filter(&mut model, "eampl");
    println!(
        "perf: fuzzy filter over 100,000 names, slowest keystroke: {:.2} ms narrowing to one zone, {:.2} ms for a query every name matches, {:.2} ms for one every name matches only with gaps (goal 5 ms)",
        narrowing.as_secs_f64() * 1000.0,
        everything.as_secs_f64() * 1000.0,
        gapped.as_secs_f64() * 1000.0,
    );
    assert!(narrowing < Duration::from_millis(5));
    assert!(everything < Duration::from_millis(5));
    assert!(gapped < Duration::from_millis(5));
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

#[test]
#[ignore]
fn fuzzy_filter_over_100_000_unrelated_names() {
    let mut model = Model::new(Screen::Main, "perf", Utc::now());
    model.zones.set_zones(unrelated_zones(100_000));
    // Over unrelated names the second key is the dear one: the first narrows little,
    // and two characters match many names only with gaps, each scored afresh. Every
    // two-character query, each timed after its first character.
    let second_key = |model: &mut Model, query: &str| {
        model.zones.filter = originpull::app::input::TextInput::from(&query[..1]);
        model.zones.requery();
        model.zones.filter = originpull::app::input::TextInput::from(query);
        let started = Instant::now();
        model.zones.requery();
        (started.elapsed(), model.zones.visible.len())
    };
    let chars: Vec<char> = ('a'..='z').chain(['.', '-']).collect();
    let mut timed: Vec<(Duration, String, usize)> = Vec::new();
    for a in &chars {
        for b in &chars {
            let query = format!("{a}{b}");
            let (took, matches) = second_key(&mut model, &query);
            timed.push((took, query, matches));
        }
    }
    timed.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let median = timed[timed.len() / 2].0;
    let p99 = timed[timed.len() * 99 / 100].0;
    // One slow key may be the VM pausing: the five slowest queries are timed
    // again, five times each, and the figure is the highest of their medians.
    let retimed = |query: &str, model: &mut Model| {
        let mut again: Vec<Duration> = (0..5).map(|_| second_key(model, query).0).collect();
        again.sort();
        again[2]
    };
    let (worst, took, matches) = timed[timed.len() - 5..]
        .iter()
        .map(|(_, query, matches)| (query.clone(), retimed(query, &mut model), *matches))
        .max_by_key(|&(_, took, _)| took)
        .unwrap();
    println!(
        "perf: fuzzy filter over 100,000 unrelated names, second key of all {} two-character queries: median {:.2} ms, 99th percentile {:.2} ms, slowest query {worst:?} ({matches} matches) {:.2} ms, median of 5 (goal 5 ms)",
        timed.len(),
        ms(median),
        ms(p99),
        ms(took),
    );
    assert!(took < Duration::from_millis(5));
}

/// Why the second core helps the filter less than half: how long a thread takes to
/// start after the machine has sat idle (the filter starts one per keystroke).
#[test]
#[ignore]
fn a_thread_started_after_idle() {
    let mut waits = Vec::new();
    for _ in 0..8 {
        std::thread::sleep(Duration::from_millis(200));
        let asked = Instant::now();
        let started = std::thread::spawn(move || asked.elapsed());
        // Busy meanwhile, as the filter's own thread is.
        while asked.elapsed() < Duration::from_millis(5) {
            std::hint::spin_loop();
        }
        waits.push(started.join().unwrap());
    }
    waits.sort();
    println!(
        "perf: a thread started after 200 ms idle: {:.2}-{:.2} ms (8 starts)",
        waits[0].as_secs_f64() * 1000.0,
        waits[7].as_secs_f64() * 1000.0,
    );
    // Past a frame, sharing the filter's work would be pointless.
    assert!(waits[7] < Duration::from_millis(16));
}

#[test]
#[ignore]
fn a_frame_with_100_000_zones() {
    let mut model = Model::new(Screen::Main, "perf", Utc::now());
    model.zones.set_zones(zones(100_000));
    model.zones.selected = 54_321;
    model.zones.filter = originpull::app::input::TextInput::from("");
    let backend = ratatui::backend::TestBackend::new(160, 48);
    let mut terminal = ratatui::Terminal::new(backend).unwrap();
    let frames = 200;
    let started = Instant::now();
    for _ in 0..frames {
        terminal.draw(|f| originpull::ui::view(&model, f)).unwrap();
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
fn keys_answer_within_a_frame_while_200_requests_are_in_flight() {
    let rt = runtime();
    let sim = rt.block_on(sim(10_000, Duration::from_millis(50)));
    let control = sim.control();
    let home = tempfile::tempdir().unwrap();
    let mut s = app(&sim, home.path());
    // Page 1 answers; from then on every call takes 20 s, so 199 pages stay out.
    s.wait_for("Zones 50/");
    control.set_latency(Duration::from_secs(20));
    std::thread::sleep(Duration::from_millis(300));
    let mut worst = Duration::ZERO;
    for _ in 0..5 {
        s.keys("?");
        worst = worst.max(wait_fast(&s, "Esc closes", Duration::from_secs(2)));
        s.keys("\u{1b}");
        wait_fast(&s, "Tab focus", Duration::from_secs(2));
    }
    println!(
        "perf: key press to frame with 199 zone pages in flight: {} ms worst of 5, pty round trip included (goal 16 ms)",
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
    // As the app saves it: zones without their account (see ZonePane::set_zones).
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

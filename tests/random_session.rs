//! A randomized session: thousands of random keys against the simulator, with random
//! faults and latencies, checking invariants after every step.
//!
//! `ORIGINPULL_SESSION_SEED=N` replays a session (`random` picks a fresh seed);
//! `ORIGINPULL_SESSION_STEPS=N` changes its length. Run with `-- --nocapture` to see
//! the summary line.
//!
//! After every step: nothing panicked; the screen draws at 120x40 with no control
//! character in it; the certificate pane's title names the open zone; the open zone's
//! rows are certificates of that zone; a delete dialog on top names a certificate of
//! the open zone; and every DELETE the simulator receives targets a certificate some
//! dialog named and the user confirmed (so no dialog ever acts on a certificate it
//! did not name). Every 200 steps: faults cleared, `r`, and the open zone's list and
//! enablement equal the server's.

mod common;

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use common::*;
use crossterm::event::KeyCode;
use originpull::app::{Focus, Loadable, Model, Msg, Overlay};
use originpull::sim::{FaultKind, FaultRule, SimControl, Simulator};
use originpull::tui::Driver;
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};

const DEFAULT_SEED: u64 = 0x0a0f_2026_0004;
const DEFAULT_STEPS: u64 = 3000;
const ZONES: usize = 60;
const SETTLE_EVERY: u64 = 25;
const SYNC_EVERY: u64 = 200;
const TIMEOUT: Duration = Duration::from_millis(500);
const LIMIT: Duration = Duration::from_secs(20);
const W: u16 = 120;
/// Requests one app makes before the session starts a new one (see `sync`).
const REQUEST_BUDGET: usize = 900;
const H: u16 = 40;

#[derive(Debug, Default)]
struct Stats {
    steps: u64,
    keys: u64,
    faults: u64,
    latency_changes: u64,
    dialogs: u64,
    deletes_confirmed: u64,
    uploads_submitted: u64,
    toggles: u64,
    zones_opened: u64,
    syncs: u64,
    /// Dialogs whose certificate vanished from the list (deleted meanwhile) while open.
    dialogs_outlived: u64,
    errors_seen: u64,
    restarts: u64,
    /// New apps started to stay within the client-side rate limit.
    fresh_apps: u64,
}

/// PEM files for the upload form: good pairs, and ways to get it wrong.
struct Files {
    _dir: tempfile::TempDir,
    pairs: Vec<(PathBuf, PathBuf)>,
    bad: Vec<PathBuf>,
}

fn files() -> Files {
    let dir = tempfile::tempdir().unwrap();
    let mut pairs = Vec::new();
    for i in 0..6 {
        let (cert, key) = leaf_pair(&format!("edge-{i}.session.example"));
        let c = dir.path().join(format!("cert{i}.pem"));
        let k = dir.path().join(format!("key{i}.pem"));
        std::fs::write(&c, cert).unwrap();
        std::fs::write(&k, key).unwrap();
        pairs.push((c, k));
    }
    let garbage = dir.path().join("garbage.pem");
    std::fs::write(&garbage, "-----BEGIN CERTIFICATE-----\nnot base64\n").unwrap();
    let bad = vec![
        dir.path().join("missing.pem"),
        garbage,
        dir.path().to_owned(),
    ];
    Files {
        _dir: dir,
        pairs,
        bad,
    }
}

fn env_var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

struct Session {
    sim: Simulator,
    control: SimControl,
    app: Driver,
    rng: StdRng,
    files: Files,
    stats: Stats,
    seed: u64,
    step: u64,
    /// Confirmed deletes not yet seen at the simulator: (zone id, certificate id).
    awaited: Vec<(String, String)>,
    /// Confirmed deletes the simulator has seen; a retry may repeat one.
    sent: HashSet<(String, String)>,
    /// How far the simulator's request log has been read.
    log_read: usize,
    /// Every certificate id each zone has held while the session watched it.
    known: HashMap<String, HashSet<String>>,
    last_error: Option<String>,
    /// The simulator's request count when the current app started.
    requests_at_start: usize,
}

impl Session {
    fn ctx(&self) -> String {
        format!(
            "seed {} step {} (replay: ORIGINPULL_SESSION_SEED={} ORIGINPULL_SESSION_STEPS={})",
            self.seed, self.step, self.seed, self.step
        )
    }

    fn start_app(&mut self) {
        self.requests_at_start = self.control.requests().len();
        self.app = driver_for(&self.sim, TIMEOUT);
        self.app.dispatch(Msg::Init { verify_token: true });
    }

    fn learn(&mut self, zone_id: &str) {
        let ids = server_ids(&self.control, zone_id);
        self.known
            .entry(zone_id.to_owned())
            .or_default()
            .extend(ids);
    }

    fn top_confirm(&self) -> Option<(String, String)> {
        match self.app.model.top_overlay() {
            Some(Overlay::ConfirmDelete(c)) => Some((c.ticket.zone_id.clone(), c.cert_id.clone())),
            _ => None,
        }
    }

    fn upload_open(&self) -> bool {
        matches!(self.app.model.top_overlay(), Some(Overlay::Upload(_)))
    }

    /// One random action.
    async fn step(&mut self) {
        let roll = self.rng.random_range(0..1000);
        if roll < 15 {
            self.inject_fault();
            return;
        }
        if roll < 19 {
            let ms = self.rng.random_range(0..=5);
            self.control.set_latency(Duration::from_millis(ms));
            self.stats.latency_changes += 1;
            return;
        }
        if self.upload_open() {
            self.form_step();
        } else {
            let code = self.pick_key();
            self.key(code);
        }
    }

    fn inject_fault(&mut self) {
        let kinds = [
            FaultKind::Status(500),
            FaultKind::Status(502),
            FaultKind::Status(503),
            FaultKind::Status(408),
            FaultKind::Html(502),
            FaultKind::Malformed,
            FaultKind::SuccessFalse,
            FaultKind::RateLimited {
                retry_after_secs: 1,
            },
            FaultKind::Hang,
            FaultKind::Status(404),
        ];
        let mut kind = kinds.choose(&mut self.rng).unwrap().clone();
        if self.rng.random_ratio(1, 40) {
            kind = FaultKind::Oversized;
        }
        // A path and a method that go together (or any method).
        let targets: &[(&str, &[&str])] = &[
            ("/client/v4/zones", &["GET"]),
            ("/origin_tls_client_auth", &["GET", "POST", "DELETE"]),
            ("/settings", &["GET", "PUT"]),
            ("/user/tokens/verify", &["GET"]),
        ];
        let (path, methods) = *targets.choose(&mut self.rng).unwrap();
        let method = if self.rng.random_ratio(2, 5) {
            None
        } else {
            methods.choose(&mut self.rng).map(|m| (*m).to_owned())
        };
        self.control.inject(FaultRule {
            method,
            path_contains: path.to_owned(),
            times: self.rng.random_range(1..=3),
            kind,
        });
        self.stats.faults += 1;
    }

    /// Keys for the main screen and its dialogs, weighted toward moving and opening.
    fn pick_key(&mut self) -> KeyCode {
        let table: &[(u32, KeyCode)] = &[
            (10, KeyCode::Char('j')),
            (7, KeyCode::Char('k')),
            (3, KeyCode::Down),
            (2, KeyCode::Up),
            (2, KeyCode::Char('g')),
            (2, KeyCode::Char('G')),
            (5, KeyCode::Tab),
            (3, KeyCode::BackTab),
            (8, KeyCode::Enter),
            (2, KeyCode::Char('/')),
            (4, KeyCode::Null), // a random letter
            (5, KeyCode::Esc),
            (2, KeyCode::Backspace),
            (4, KeyCode::Char('e')),
            (5, KeyCode::Char('d')),
            (1, KeyCode::Delete),
            (6, KeyCode::Char('y')),
            (2, KeyCode::Char('n')),
            (3, KeyCode::Char('u')),
            (3, KeyCode::Char('r')),
            (2, KeyCode::Char('?')),
            (1, KeyCode::PageUp),
            (1, KeyCode::PageDown),
            (1, KeyCode::Home),
            (1, KeyCode::End),
        ];
        let total: u32 = table.iter().map(|(w, _)| w).sum();
        let mut pick = self.rng.random_range(0..total);
        for &(weight, code) in table {
            if pick < weight {
                if code == KeyCode::Null {
                    // Any letter but `q`, which would quit.
                    let c = loop {
                        let c = self.rng.random_range(b'a'..=b'z') as char;
                        if c != 'q' {
                            break c;
                        }
                    };
                    return KeyCode::Char(c);
                }
                return code;
            }
            pick -= weight;
        }
        unreachable!()
    }

    /// In the upload form: fill in paths (mostly a good pair), edit, submit, cancel.
    fn form_step(&mut self) {
        let roll = self.rng.random_range(0..100);
        let Some(Overlay::Upload(form)) = self.app.model.top_overlay() else {
            return;
        };
        let lens = [
            form.cert_path.value().chars().count(),
            form.key_path.value().chars().count(),
        ];
        let on_key_field = form.field == originpull::app::UploadField::Key;
        match roll {
            0..40 => {
                // Clear both fields and paste a pair.
                let (cert, key) = if self.rng.random_ratio(5, 6) {
                    self.files.pairs.choose(&mut self.rng).unwrap().clone()
                } else {
                    let pair = self.files.pairs.choose(&mut self.rng).unwrap().0.clone();
                    let bad = self.files.bad.choose(&mut self.rng).unwrap().clone();
                    if self.rng.random_bool(0.5) {
                        (pair, bad)
                    } else {
                        (bad, pair)
                    }
                };
                self.fill_form(lens, on_key_field, &cert, &key);
            }
            40..55 => {
                // A mismatched pair: certificate of one, key of another.
                let a = self.files.pairs.choose(&mut self.rng).unwrap().0.clone();
                let b = self.files.pairs.choose(&mut self.rng).unwrap().1.clone();
                self.fill_form(lens, on_key_field, &a, &b);
            }
            55..75 => self.key(KeyCode::Enter),
            75..82 => self.key(KeyCode::Tab),
            82..88 => self.key(KeyCode::Backspace),
            88..93 => {
                let c = self.rng.random_range(b'a'..=b'z') as char;
                self.key(KeyCode::Char(c));
            }
            _ => self.key(KeyCode::Esc),
        }
    }

    /// Empties both fields with `End` and `Backspace`, and pastes the two paths.
    fn fill_form(&mut self, lens: [usize; 2], on_key_field: bool, cert: &Path, key: &Path) {
        if on_key_field {
            self.key(KeyCode::Tab);
        }
        for (i, path) in [cert, key].into_iter().enumerate() {
            self.key(KeyCode::End);
            for _ in 0..lens[i] {
                self.key(KeyCode::Backspace);
            }
            self.app
                .dispatch(Msg::Paste(path.to_string_lossy().into_owned()));
            if i == 0 {
                self.key(KeyCode::Tab);
            }
        }
    }

    /// Presses a key, keeping the books on what it did.
    fn key(&mut self, code: KeyCode) {
        let confirm = self.top_confirm();
        let had_dialog = confirm.is_some();
        let selected = selected_cert_id(&self.app.model);
        let submitting = |m: &Model| matches!(m.top_overlay(), Some(Overlay::Upload(f)) if f.submitting.is_some());
        let was_submitting = submitting(&self.app.model);
        let put_before = self.app.model.open.as_ref().map(|o| o.enablement.wanted);
        let open_before = self.app.model.open.as_ref().map(|o| o.generation);

        press(&mut self.app, code);
        self.stats.keys += 1;

        if let Some(named) = confirm
            && matches!(code, KeyCode::Char('y') | KeyCode::Char('Y'))
        {
            // The dialog is gone and its delete is out: it must be for this id.
            assert!(self.top_confirm().is_none(), "{}", self.ctx());
            self.awaited.push(named);
            self.stats.deletes_confirmed += 1;
        }
        if !had_dialog && let Some((zone, id)) = self.top_confirm() {
            self.stats.dialogs += 1;
            let open = self.app.model.open.as_ref().expect("a dialog needs a zone");
            assert_eq!(zone, open.zone.id, "{}", self.ctx());
            assert_eq!(
                Some(&id),
                selected.as_ref(),
                "{}: the dialog names the selected certificate",
                self.ctx()
            );
        }
        if !was_submitting && submitting(&self.app.model) {
            self.stats.uploads_submitted += 1;
        }
        if code == KeyCode::Char('e')
            && self.app.model.open.as_ref().map(|o| o.enablement.wanted) != put_before
        {
            self.stats.toggles += 1;
        }
        if self.app.model.open.as_ref().map(|o| o.generation) != open_before {
            self.stats.zones_opened += 1;
        }
    }

    /// The invariants that hold after every step.
    fn check(&mut self) {
        let ctx = self.ctx();
        let screen = self.app.render(W, H);
        if let Some(c) = screen.chars().find(|&c| c.is_control() && c != '\n') {
            panic!("{ctx}: control character {c:?} on screen:\n{screen}");
        }
        let error = match (&self.app.model.status, self.app.model.top_overlay()) {
            (_, Some(Overlay::Upload(form))) if form.error.is_some() => form.error.clone(),
            (Some(originpull::app::StatusMessage::Error(text)), _) => Some(text.clone()),
            _ => None,
        };
        if error.is_some() && error != self.last_error {
            self.stats.errors_seen += 1;
        }
        self.last_error = error;

        let model = &self.app.model;
        let levels = screen.contains("· per-hostname ");
        match &model.open {
            // The fleet view shows every zone instead; the open zone waits behind it.
            _ if model.view == originpull::app::View::Fleet => {
                assert!(
                    !levels,
                    "{ctx}: the fleet view shows the open zone's levels:\n{screen}"
                );
            }
            Some(open) if model.overlays.is_empty() => {
                assert!(levels, "{ctx}: no levels line:\n{screen}");
                assert!(
                    common::pane_titled(&screen, &open.zone.name),
                    "{ctx}: the title does not name {}:\n{screen}",
                    open.zone.name
                );
            }
            None => assert!(!levels, "{ctx}: levels with no zone open"),
            _ => {}
        }

        // The rows are the open zone's certificates, never another zone's.
        if let Some(open) = &model.open {
            let zone_id = open.zone.id.clone();
            let rows: Vec<String> = open
                .rows()
                .iter()
                .filter_map(|r| r.cert.id.clone())
                .collect();
            self.learn(&zone_id);
            let known = &self.known[&zone_id];
            for id in &rows {
                assert!(
                    known.contains(id),
                    "{ctx}: {id} is not a certificate of {}",
                    self.app.model.open.as_ref().unwrap().zone.name
                );
            }
        }

        // A delete dialog names a certificate of the open zone.
        if let Some((zone, id)) = self.top_confirm() {
            let open = self.app.model.open.as_ref().expect("a dialog needs a zone");
            assert_eq!(zone, open.zone.id, "{ctx}: the dialog is for another zone");
            let in_rows = open
                .rows()
                .iter()
                .any(|r| r.cert.id.as_deref() == Some(&id));
            if !in_rows {
                // Only when the list was reloaded meanwhile and the server no longer
                // has it (a certificate already being deleted, then gone).
                assert!(
                    !server_ids(&self.control, &zone).contains(&id),
                    "{ctx}: the dialog names {id}, not in the list but on the server"
                );
                self.stats.dialogs_outlived += 1;
            }
        }
    }

    /// Every DELETE the simulator got targets a certificate a dialog named and the user
    /// confirmed.
    fn check_deletes(&mut self) {
        let requests = self.control.requests();
        for r in &requests[self.log_read.min(requests.len())..] {
            if r.method != "DELETE" {
                continue;
            }
            let rest = r
                .path
                .strip_prefix("/client/v4/zones/")
                .unwrap_or_else(|| panic!("{}: DELETE {}", self.ctx(), r.path));
            let (zone, id) = rest
                .split_once("/origin_tls_client_auth/")
                .unwrap_or_else(|| panic!("{}: DELETE {}", self.ctx(), r.path));
            let target = (zone.to_owned(), id.to_owned());
            if let Some(i) = self.awaited.iter().position(|a| *a == target) {
                self.awaited.remove(i);
                self.sent.insert(target);
            } else {
                assert!(
                    self.sent.contains(&target),
                    "{}: DELETE {} was never named by a confirmed dialog (awaiting {:?})",
                    self.ctx(),
                    r.path,
                    self.awaited
                );
            }
        }
        self.log_read = requests.len();
    }

    /// Waits for every call the status line reports; they all end once faults are off.
    async fn settle(&mut self) {
        if !self.app.settle(LIMIT).await {
            let model = &self.app.model;
            panic!(
                "{}: did not settle ({} requests so far): in flight {:?}, status {:?}, open {:?}",
                self.ctx(),
                self.control.requests().len(),
                model.in_flight,
                model.status,
                model
                    .open
                    .as_ref()
                    .map(|o| (&o.zone.name, &o.enablement, o.certs_call, &o.certs))
            );
        }
    }

    /// Faults off, dialogs closed, a zone open, `r`: the open zone's list and
    /// enablement equal the server's.
    async fn sync(&mut self) {
        self.control.clear_faults();
        for _ in 0..6 {
            if self.app.model.overlays.is_empty() && !self.app.model.zones.filtering {
                break;
            }
            press(&mut self.app, KeyCode::Esc);
        }
        assert!(self.app.model.overlays.is_empty(), "{}", self.ctx());
        self.settle().await;
        if self.app.model.zones.list.is_empty() || self.app.model.zones.error.is_some() {
            press_char(&mut self.app, 'r');
            self.settle().await;
        }
        if self.app.model.open.is_none() {
            while self.app.model.focus != Focus::Zones {
                press(&mut self.app, KeyCode::BackTab);
            }
            press(&mut self.app, KeyCode::Enter);
            self.stats.zones_opened += 1;
        }
        self.settle().await;
        // Past the simulator's deploy and delete delays, so no status is mid-change.
        tokio::time::sleep(Duration::from_millis(350)).await;
        press_char(&mut self.app, 'r');
        self.settle().await;
        let ok = pump_until(&mut self.app, LIMIT, open_zone_loaded).await;
        let ctx = self.ctx();
        assert!(
            ok,
            "{ctx}: the open zone did not load: {:?}",
            self.app.model.status
        );
        self.check_deletes();
        assert!(
            self.awaited.is_empty(),
            "{ctx}: confirmed deletes never sent: {:?}",
            self.awaited
        );

        let model = &self.app.model;
        assert_eq!(model.zones.list.len(), ZONES, "{ctx}");
        let open = model.open.as_ref().unwrap();
        let zone_id = open.zone.id.clone();
        assert!(matches!(open.certs, Loadable::Loaded(_)), "{ctx}");
        assert_eq!(
            shown_ids(model),
            server_ids(&self.control, &zone_id),
            "{ctx}: {}'s list differs from the server's",
            open.zone.name
        );
        assert_eq!(
            open.enablement.shown(),
            self.control.enabled(&zone_id),
            "{ctx}: {}'s enablement differs from the server's",
            open.zone.name
        );
        self.stats.syncs += 1;

        // The client keeps (rightly) within Cloudflare's 1200 requests per 5 minutes,
        // and a session this fast would reach that and wait: start a new app, with a
        // new client, well before.
        if self.control.requests().len() - self.requests_at_start > REQUEST_BUDGET {
            self.start_app();
            self.settle().await;
            self.stats.fresh_apps += 1;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn random_session_keeps_its_invariants() {
    let seed = match env_var("ORIGINPULL_SESSION_SEED").as_deref() {
        None => DEFAULT_SEED,
        Some("random") => rand::random(),
        Some(v) => v
            .parse()
            .expect("ORIGINPULL_SESSION_SEED is a number or `random`"),
    };
    let steps: u64 = env_var("ORIGINPULL_SESSION_STEPS")
        .map(|v| v.parse().expect("ORIGINPULL_SESSION_STEPS is a number"))
        .unwrap_or(DEFAULT_STEPS);
    println!("random session: seed {seed}, {steps} steps");
    let started = Instant::now();

    let sim = sim(Some(ZONES)).await;
    let control = sim.control();
    let app = driver_for(&sim, TIMEOUT);
    let mut s = Session {
        control,
        app,
        rng: StdRng::seed_from_u64(seed),
        files: files(),
        stats: Stats::default(),
        seed,
        step: 0,
        awaited: Vec::new(),
        sent: HashSet::new(),
        log_read: 0,
        known: HashMap::new(),
        last_error: None,
        requests_at_start: 0,
        sim,
    };
    s.start_app();
    assert!(s.app.settle(LIMIT).await);
    for name in ["shop.example", "shop-eu.example", "media.example"] {
        let id = s.control.zone_id(name).unwrap();
        s.learn(&id);
    }

    for step in 1..=steps {
        s.step = step;
        s.step().await;
        if s.app.model.quit {
            s.stats.restarts += 1;
            s.start_app();
        }
        tokio::task::yield_now().await;
        drain(&mut s.app);
        s.check();
        if !s.awaited.is_empty() {
            s.check_deletes();
        }
        if step % SETTLE_EVERY == 0 {
            s.app.settle(Duration::from_secs(1)).await;
            s.check_deletes();
            s.check();
        }
        if step % SYNC_EVERY == 0 || step == steps {
            s.sync().await;
            s.check();
        }
    }
    s.stats.steps = steps;

    let requests = s.control.requests();
    let count = |m: &str| requests.iter().filter(|r| r.method == m).count();
    let st = &s.stats;
    println!(
        "random session: seed {seed}, {} steps ({} keys) in {:.1} s: {} faults injected, \
         {} latency changes, {} zones opened, {} delete dialogs, {} deletes confirmed \
         ({} DELETE requests), {} uploads submitted ({} POST requests), {} toggles \
         ({} PUT requests), {} error messages shown, {} dialogs outlived their certificate, \
         {} syncs with the server, {} API requests, {} fresh apps: all invariants held",
        st.steps,
        st.keys,
        started.elapsed().as_secs_f64(),
        st.faults,
        st.latency_changes,
        st.zones_opened,
        st.dialogs,
        st.deletes_confirmed,
        count("DELETE"),
        st.uploads_submitted,
        count("POST"),
        st.toggles,
        count("PUT"),
        st.errors_seen,
        st.dialogs_outlived,
        st.syncs,
        requests.len(),
        st.fresh_apps,
    );
    assert_eq!(st.restarts, 0, "the session quit");
    s.sim.shutdown().await;
}

/// Found by the session: with more zones than one page, refreshing while a zone past
/// the first page is selected must not panic (page 1 replaces the list while the
/// filter's indices still point into the old, longer one), and the selection stays on
/// the zone it was on.
#[tokio::test]
async fn refresh_with_a_zone_selected_past_the_first_page() {
    let sim = sim(Some(ZONES)).await;
    let mut app = driver_for(&sim, Duration::from_secs(5));
    app.dispatch(Msg::Init { verify_token: true });
    assert!(app.settle(LIMIT).await);
    assert_eq!(app.model.zones.list.len(), ZONES);
    press_char(&mut app, 'G');
    let selected = app.model.zones.selected_zone().unwrap().id.clone();
    press_char(&mut app, 'r');
    assert!(app.settle(LIMIT).await);
    assert_eq!(app.model.zones.list.len(), ZONES);
    assert_eq!(
        app.model.zones.selected_zone().map(|z| &z.id),
        Some(&selected),
        "the selection stays on the same zone"
    );
    sim.shutdown().await;
}

/// The same hazard by another road: the zone list from the cache is longer than the
/// server's (zones were removed since), a zone past the server's count is selected,
/// and the network's list replaces the cached one. No panic, and the list is the
/// server's.
#[tokio::test]
async fn a_cached_zone_list_longer_than_the_servers_is_replaced_safely() {
    let old = sim(Some(ZONES)).await;
    let cached = client_for(&old).list_zones(None).await.unwrap();
    assert_eq!(cached.len(), ZONES);
    old.shutdown().await;

    let sim = sim(Some(40)).await;
    sim.control()
        .add_latency_rule("/client/v4/zones", Duration::from_millis(300));
    let mut app = driver_for(&sim, Duration::from_secs(5));
    app.dispatch(Msg::Init { verify_token: true });
    // The cache answers first, as it does from disk.
    app.dispatch(Msg::Reply {
        call: 0,
        reply: originpull::app::Reply::Cached(Some(cached)),
    });
    assert_eq!(app.model.zones.list.len(), ZONES);
    press_char(&mut app, 'G');
    assert_eq!(app.model.zones.selected, ZONES - 1);
    assert!(app.settle(LIMIT).await);
    assert_eq!(app.model.zones.list.len(), 40);
    assert!(app.model.zones.selected_zone().is_some());
    sim.shutdown().await;
}

/// When the network's list replaces the cached one, the selection stays on the zone
/// the user chose, not on whichever zone now has its old index (`Enter` would open
/// that one).
#[tokio::test]
async fn replacing_the_zone_list_keeps_the_selection_on_the_same_zone() {
    let sim = sim(Some(ZONES)).await;
    let mut cached = client_for(&sim).list_zones(None).await.unwrap();
    cached.remove(0); // a zone added since the cache was written
    sim.control()
        .add_latency_rule("/client/v4/zones", Duration::from_millis(300));
    let mut app = driver_for(&sim, Duration::from_secs(5));
    app.dispatch(Msg::Init { verify_token: true });
    app.dispatch(Msg::Reply {
        call: 0,
        reply: originpull::app::Reply::Cached(Some(cached)),
    });
    for _ in 0..30 {
        press_char(&mut app, 'j');
    }
    let chosen = app.model.zones.selected_zone().unwrap().name.clone();
    assert!(app.settle(LIMIT).await);
    assert_eq!(app.model.zones.list.len(), ZONES);
    assert_eq!(
        app.model.zones.selected_zone().map(|z| z.name.as_str()),
        Some(chosen.as_str())
    );
    sim.shutdown().await;
}

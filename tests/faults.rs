//! The fault matrix: every operation the TUI performs against every way the API can
//! fail, driven headless against the simulator (behind a relay that can refuse
//! connections). For each pair: the error reaches the screen in words, keys are
//! answered while the call is out and after, and once the fault is gone the screen
//! matches the server. Then the races of issue 4: switching zones quickly, `e` pressed
//! repeatedly, deleting a certificate that is already gone.

mod common;

use std::time::Duration;

use common::*;
use crossterm::event::KeyCode;
use originpull::app::{Loadable, Model, Msg, Overlay, StatusMessage};
use originpull::sim::{FaultKind, FaultRule, SimControl, Simulator};
use originpull::tui::Driver;

/// Short, so a hung call ends quickly (each try waits this long).
const TIMEOUT: Duration = Duration::from_millis(700);
/// Long enough for three tries at [`TIMEOUT`] plus backoff, or three 1 s `Retry-After`s.
const LIMIT: Duration = Duration::from_secs(20);
const W: u16 = 160;
const H: u16 = 48;

/// The ways a call can fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fault {
    Status500,
    Html502,
    Malformed,
    SuccessFalse,
    RateLimited,
    Hang,
    Refused,
    Oversized,
}

const ALL: [Fault; 8] = [
    Fault::Status500,
    Fault::Html502,
    Fault::Malformed,
    Fault::SuccessFalse,
    Fault::RateLimited,
    Fault::Hang,
    Fault::Refused,
    Fault::Oversized,
];

/// What a retrying client gets past by itself when it happens once on an idempotent call.
const TRANSIENT: [Fault; 4] = [
    Fault::Status500,
    Fault::Html502,
    Fault::RateLimited,
    Fault::Hang,
];

impl Fault {
    fn kind(self) -> Option<FaultKind> {
        Some(match self {
            Self::Status500 => FaultKind::Status(500),
            Self::Html502 => FaultKind::Html(502),
            Self::Malformed => FaultKind::Malformed,
            Self::SuccessFalse => FaultKind::SuccessFalse,
            Self::RateLimited => FaultKind::RateLimited {
                retry_after_secs: 1,
            },
            Self::Hang => FaultKind::Hang,
            Self::Oversized => FaultKind::Oversized,
            Self::Refused => return None,
        })
    }

    /// Something the error message must say.
    fn says(self) -> &'static str {
        match self {
            Self::Status500 => "HTTP 500",
            Self::Html502 => "HTTP 502",
            Self::Malformed => "unreadable",
            Self::SuccessFalse => "Cloudflare error 10001",
            Self::RateLimited => "HTTP 429",
            Self::Hang => "no answer",
            Self::Refused => "cannot connect",
            Self::Oversized => "MiB",
        }
    }
}

/// The operations of the TUI.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    LoadZones,
    OpenZone,
    Toggle,
    Upload,
    Delete,
    Refresh,
}

impl Op {
    /// The requests it makes, as fault rules see them: (method, path text), the most
    /// specific first, since the simulator applies the first rule that matches.
    fn targets(self) -> &'static [(&'static str, &'static str)] {
        match self {
            Self::LoadZones => &[("GET", "/client/v4/zones")],
            Self::OpenZone => &[("GET", "/settings"), ("GET", "/origin_tls_client_auth")],
            Self::Toggle => &[("PUT", "/settings")],
            Self::Upload => &[("POST", "/origin_tls_client_auth")],
            Self::Delete => &[("DELETE", "/origin_tls_client_auth/")],
            Self::Refresh => &[
                ("GET", "/settings"),
                ("GET", "/origin_tls_client_auth"),
                ("GET", "/client/v4/zones"),
            ],
        }
    }

    /// The zone it works on.
    fn zone(self) -> &'static str {
        match self {
            Self::LoadZones | Self::Toggle => "shop.example",
            Self::Upload => "docs.example",
            Self::OpenZone | Self::Delete | Self::Refresh => "shop-eu.example",
        }
    }
}

/// One fresh world per case: a simulator, a relay in front of it, the app and a
/// directory for PEM files.
struct Env {
    sim: Simulator,
    relay: Relay,
    app: Driver,
    dir: tempfile::TempDir,
    op: Op,
    /// The certificate the delete dialog named.
    named: Option<String>,
    /// A line for assertion messages.
    case: String,
}

impl Env {
    async fn new(op: Op, case: String) -> Env {
        let sim = sim(None).await;
        let relay = Relay::start(&sim).await;
        let app = driver_at(&relay.base_url(), TIMEOUT);
        Env {
            sim,
            relay,
            app,
            dir: tempfile::tempdir().unwrap(),
            op,
            named: None,
            case,
        }
    }

    fn control(&self) -> SimControl {
        self.sim.control()
    }

    fn zone_id(&self) -> String {
        self.control().zone_id(self.op.zone()).unwrap()
    }

    async fn inject(&mut self, fault: Fault, times: u32) {
        match fault.kind() {
            None => self.relay.refuse().await,
            Some(kind) => {
                for &(method, path) in self.op.targets() {
                    self.control().inject(FaultRule {
                        method: Some(method.to_owned()),
                        path_contains: path.to_owned(),
                        times,
                        kind: kind.clone(),
                    });
                }
            }
        }
    }

    async fn clear(&mut self) {
        self.control().clear_faults();
        self.relay.resume().await;
    }

    async fn settle(&mut self) {
        let case = self.case.clone();
        assert!(self.app.settle(LIMIT).await, "{case}: did not settle");
    }

    /// Zones listed, and (for every operation but loading zones) its zone open, and the
    /// form or dialog the trigger key acts on.
    async fn prepare(&mut self) {
        if self.op == Op::LoadZones {
            return;
        }
        self.app.dispatch(Msg::Init { verify_token: true });
        self.settle().await;
        assert!(!self.app.model.zones.list.is_empty(), "{}", self.case);
        select_zone(&mut self.app, self.op.zone(), self.op != Op::OpenZone);
        if self.op == Op::OpenZone {
            return;
        }
        self.settle().await;
        assert!(
            pump_until(&mut self.app, LIMIT, open_zone_loaded).await,
            "{}: zone did not load",
            self.case
        );
        match self.op {
            Op::Upload => {
                let (cert, key) = leaf_pair(&format!("edge.{}", self.op.zone()));
                let cert_path = self.dir.path().join("origin.pem");
                let key_path = self.dir.path().join("origin.key");
                std::fs::write(&cert_path, cert).unwrap();
                std::fs::write(&key_path, key).unwrap();
                self.open_upload_form(&cert_path, &key_path);
            }
            Op::Delete => self.ask_delete(),
            _ => {}
        }
    }

    fn open_upload_form(&mut self, cert: &std::path::Path, key: &std::path::Path) {
        press_char(&mut self.app, 'u');
        assert!(matches!(
            self.app.model.top_overlay(),
            Some(Overlay::Upload(_))
        ));
        self.app
            .dispatch(Msg::Paste(cert.to_string_lossy().into_owned()));
        press(&mut self.app, KeyCode::Tab);
        for c in key.to_string_lossy().chars() {
            press_char(&mut self.app, c);
        }
    }

    /// `d` on the first certificate; the dialog must name the selected row's id.
    fn ask_delete(&mut self) {
        press_char(&mut self.app, 'g');
        let selected = selected_cert_id(&self.app.model).expect("a certificate to delete");
        press_char(&mut self.app, 'd');
        let Some(Overlay::ConfirmDelete(confirm)) = self.app.model.top_overlay() else {
            panic!("{}: no delete dialog", self.case);
        };
        assert_eq!(
            confirm.cert_id, selected,
            "the dialog names the selected row"
        );
        if let Some(named) = &self.named {
            assert_eq!(&confirm.cert_id, named, "the same certificate as before");
        }
        self.named = Some(confirm.cert_id.clone());
    }

    fn trigger(&mut self) {
        match self.op {
            Op::LoadZones => self.app.dispatch(Msg::Init { verify_token: true }),
            Op::OpenZone => press(&mut self.app, KeyCode::Enter),
            Op::Toggle => press_char(&mut self.app, 'e'),
            Op::Upload => press(&mut self.app, KeyCode::Enter),
            Op::Delete => press_char(&mut self.app, 'y'),
            Op::Refresh => press_char(&mut self.app, 'r'),
        }
    }

    /// The error the operation shows: the upload form's while it is open, else the
    /// status line's.
    fn error(&self) -> Option<String> {
        error_of(&self.app.model)
    }

    /// Keys work while the call is out: `?` opens help (the upload form, busy
    /// submitting, ignores keys but keeps drawing), `Esc` closes it.
    fn keys_answered_during(&mut self, fault: Fault) {
        if fault == Fault::Hang {
            assert!(self.app.model.busy(), "{}: the hung call shows", self.case);
        }
        match self.app.model.top_overlay() {
            Some(Overlay::Upload(form)) if form.submitting.is_some() => {
                press_char(&mut self.app, '?');
                let screen = self.app.render(W, H);
                assert!(
                    screen.contains("checking and uploading"),
                    "{}:\n{screen}",
                    self.case
                );
            }
            // Already answered: `?` would be typed into a path.
            Some(Overlay::Upload(_)) => self.keys_answered_after(),
            _ => self.help_opens_and_closes(),
        }
    }

    fn help_opens_and_closes(&mut self) {
        let before = self.app.model.overlays.len();
        press_char(&mut self.app, '?');
        assert!(
            matches!(self.app.model.top_overlay(), Some(Overlay::Help)),
            "{}: ? opens help",
            self.case
        );
        let screen = self.app.render(W, H);
        assert!(screen.contains("Esc closes"), "{}:\n{screen}", self.case);
        press(&mut self.app, KeyCode::Esc);
        assert_eq!(self.app.model.overlays.len(), before, "{}", self.case);
    }

    /// After the error: help still works, or in the upload form, Tab still moves.
    fn keys_answered_after(&mut self) {
        if let Some(Overlay::Upload(form)) = self.app.model.top_overlay() {
            let field = form.field;
            press(&mut self.app, KeyCode::Tab);
            let Some(Overlay::Upload(form)) = self.app.model.top_overlay() else {
                panic!("{}: the form closed on Tab", self.case);
            };
            assert_ne!(form.field, field, "{}: Tab switches field", self.case);
            press(&mut self.app, KeyCode::Tab);
        } else {
            self.help_opens_and_closes();
        }
    }

    /// Does the operation again, or refreshes, once the fault is gone.
    fn redo(&mut self) {
        match self.op {
            Op::LoadZones | Op::OpenZone | Op::Refresh => press_char(&mut self.app, 'r'),
            Op::Toggle => press_char(&mut self.app, 'e'),
            // The form keeps its paths after an error.
            Op::Upload => press(&mut self.app, KeyCode::Enter),
            Op::Delete => {
                self.ask_delete();
                press_char(&mut self.app, 'y');
            }
        }
    }

    /// The operation took effect, and the screen shows what the server holds.
    async fn assert_done(&mut self) {
        let case = self.case.clone();
        self.settle().await;
        match self.op {
            Op::LoadZones => {
                let server = client_for(&self.sim).list_zones(None).await.unwrap();
                let zones = &self.app.model.zones;
                assert_eq!(zones.list.len(), server.len(), "{case}");
                assert!(zones.error.is_none(), "{case}: {:?}", zones.error);
                for zone in zones.list.in_name_order() {
                    assert_eq!(
                        self.control().zone_id(&zone.name).as_deref(),
                        Some(zone.id.as_str()),
                        "{case}"
                    );
                }
                // And a zone opens and shows the server's state.
                select_zone(&mut self.app, self.op.zone(), true);
                self.settle().await;
            }
            Op::Toggle => {
                // Recovery and single-shot cases both press `e` once on an enabled zone.
                assert_eq!(
                    self.control().enabled(&self.zone_id()),
                    Some(false),
                    "{case}"
                );
            }
            Op::Upload => {
                assert!(
                    !matches!(self.app.model.top_overlay(), Some(Overlay::Upload(_))),
                    "{case}: the form closes after an upload"
                );
                assert_eq!(
                    self.control().certificates(&self.zone_id()).len(),
                    1,
                    "{case}: the upload reached the server"
                );
            }
            Op::Delete => {
                let named = self.named.clone().unwrap();
                let still_active = self
                    .control()
                    .certificates(&self.zone_id())
                    .iter()
                    .any(|c| {
                        c.id.as_deref() == Some(named.as_str())
                            && c.status.as_ref().is_some_and(|s| s.as_str() == "active")
                    });
                assert!(!still_active, "{case}: {named} was not deleted");
                // Past the simulator's deletion delay, then the list once more.
                tokio::time::sleep(Duration::from_millis(400)).await;
                press_char(&mut self.app, 'r');
                self.settle().await;
                assert!(!server_ids(&self.control(), &self.zone_id()).contains(&named));
            }
            Op::OpenZone | Op::Refresh => {}
        }
        self.assert_screen_matches_server().await;
    }

    /// The open zone's certificate ids and enablement equal the simulator's, in the
    /// model and on screen.
    async fn assert_screen_matches_server(&mut self) {
        let case = self.case.clone();
        assert!(
            pump_until(&mut self.app, LIMIT, open_zone_loaded).await,
            "{case}: the open zone never loaded: {:?}",
            self.app.model.status
        );
        let open = self.app.model.open.as_ref().unwrap();
        let zone_id = open.zone.id.clone();
        assert_eq!(open.zone.name, self.op.zone(), "{case}");
        let server = server_ids(&self.control(), &zone_id);
        assert_eq!(shown_ids(&self.app.model), server, "{case}");
        let enabled = self.control().enabled(&zone_id).unwrap();
        assert_eq!(open.enablement.shown(), Some(enabled), "{case}");
        let screen = self.app.render(W, H);
        let word = if enabled {
            "● Enabled"
        } else {
            "○ Disabled"
        };
        assert!(screen.contains(word), "{case}: expected {word}\n{screen}");
        for id in &server {
            assert!(
                screen.contains(&id[..8]),
                "{case}: {id} not on screen\n{screen}"
            );
        }
    }
}

fn error_of(model: &Model) -> Option<String> {
    if let Some(Overlay::Upload(form)) = model.top_overlay() {
        return form.error.clone();
    }
    match &model.status {
        Some(StatusMessage::Error(text)) => Some(text.clone()),
        _ => None,
    }
}

/// The whole matrix row for one operation: each fault, more often than any client
/// retries, must end in an error on screen, keys answered, then recovery.
async fn matrix(op: Op) {
    for fault in ALL {
        let case = format!("{op:?} × {fault:?}");
        eprintln!("case: {case}");
        let started = std::time::Instant::now();
        let mut env = Env::new(op, case.clone()).await;
        env.prepare().await;
        env.inject(fault, 20).await;
        env.trigger();
        // Let the request reach the simulator (and hang there, for a hang).
        tokio::time::sleep(Duration::from_millis(100)).await;
        drain(&mut env.app);
        env.keys_answered_during(fault);

        let shown = pump_until(&mut env.app, LIMIT, |m| {
            error_of(m).is_some_and(|e| e.contains(fault.says()))
        })
        .await;
        assert!(
            shown,
            "{case}: no error saying {:?}; status {:?}, error {:?}",
            fault.says(),
            env.app.model.status,
            env.error()
        );
        env.settle().await;
        let error = env.error().unwrap_or_default();
        assert!(error.contains(fault.says()), "{case}: {error}");
        assert!(
            error.chars().count() < 600,
            "{case}: a long message: {error}"
        );
        let screen = env.app.render(W, H);
        assert!(screen.contains('✗'), "{case}: no error line\n{screen}");
        match op {
            // A failed refresh keeps the last list, marked by the error.
            Op::Refresh => assert!(
                matches!(
                    env.app.model.open.as_ref().unwrap().certs,
                    Loadable::Loaded(_)
                ),
                "{case}"
            ),
            Op::OpenZone if fault != Fault::Refused => assert!(
                matches!(
                    env.app.model.open.as_ref().unwrap().certs,
                    Loadable::Failed(_)
                ),
                "{case}"
            ),
            // The upload form keeps its input for another try.
            Op::Upload => assert!(
                matches!(env.app.model.top_overlay(), Some(Overlay::Upload(f)) if f.submitting.is_none()),
                "{case}"
            ),
            _ => {}
        }
        if op == Op::Toggle && fault != Fault::Refused {
            // A failed change reads the server's answer back: still enabled.
            assert!(
                pump_until(&mut env.app, LIMIT, |m| !m.busy()
                    && m.open
                        .as_ref()
                        .is_some_and(|o| o.enablement.shown() == Some(true)))
                .await,
                "{case}: {:?}",
                env.app.model.open.as_ref().map(|o| &o.enablement)
            );
            assert_eq!(env.control().enabled(&env.zone_id()), Some(true));
        }
        env.keys_answered_after();

        env.clear().await;
        env.redo();
        env.assert_done().await;
        eprintln!("case: {case} ok in {:?}", started.elapsed());
    }
}

#[tokio::test]
async fn fault_matrix_load_zones() {
    matrix(Op::LoadZones).await;
}

#[tokio::test]
async fn fault_matrix_open_zone() {
    matrix(Op::OpenZone).await;
}

#[tokio::test]
async fn fault_matrix_toggle() {
    matrix(Op::Toggle).await;
}

#[tokio::test]
async fn fault_matrix_upload() {
    matrix(Op::Upload).await;
}

#[tokio::test]
async fn fault_matrix_delete() {
    matrix(Op::Delete).await;
}

#[tokio::test]
async fn fault_matrix_refresh() {
    matrix(Op::Refresh).await;
}

/// A fault that happens once on an idempotent call (and a 429 with `Retry-After: 1`
/// on any call) is retried away: the operation succeeds without a key press, and no
/// error is left on screen.
async fn recovers_by_itself(op: Op, faults: &[Fault]) {
    for &fault in faults {
        let case = format!("{op:?} × one {fault:?}");
        eprintln!("case: {case}");
        let mut env = Env::new(op, case.clone()).await;
        env.prepare().await;
        env.inject(fault, 1).await;
        env.trigger();
        if fault == Fault::RateLimited {
            // While it waits out `Retry-After`, the status line says why.
            let note = note_shown(&mut env.app).await;
            assert!(
                note.as_deref().is_some_and(|n| n.contains("retry 2/3")),
                "{case}: {note:?}"
            );
            let screen = env.app.render(W, H);
            assert!(screen.contains("retry 2/3"), "{case}:\n{screen}");
        }
        env.assert_done().await;
        assert_eq!(env.error(), None, "{case}");
    }
}

/// The retry note on an in-flight call, watching one reply at a time so a note that
/// is soon replaced by the call's answer is still seen.
async fn note_shown(app: &mut Driver) -> Option<String> {
    let note = |m: &Model| m.in_flight.iter().find_map(|f| f.note.clone());
    let until = tokio::time::Instant::now() + Duration::from_secs(5);
    loop {
        if let Some(n) = note(&app.model) {
            return Some(n);
        }
        match tokio::time::timeout_at(until, app.next_reply()).await {
            Ok(Some(msg)) => app.dispatch(msg),
            _ => return None,
        }
    }
}

#[tokio::test]
async fn single_faults_are_retried_away_loading_zones() {
    recovers_by_itself(Op::LoadZones, &TRANSIENT).await;
}

#[tokio::test]
async fn single_faults_are_retried_away_opening_a_zone() {
    recovers_by_itself(Op::OpenZone, &TRANSIENT).await;
}

#[tokio::test]
async fn single_faults_are_retried_away_toggling() {
    recovers_by_itself(Op::Toggle, &TRANSIENT).await;
}

#[tokio::test]
async fn single_faults_are_retried_away_deleting() {
    recovers_by_itself(Op::Delete, &TRANSIENT).await;
}

#[tokio::test]
async fn single_faults_are_retried_away_refreshing() {
    recovers_by_itself(Op::Refresh, &TRANSIENT).await;
}

#[tokio::test]
async fn an_upload_rate_limited_once_is_retried() {
    recovers_by_itself(Op::Upload, &[Fault::RateLimited]).await;
}

/// An upload that may have been processed is never sent twice: one fault, one POST,
/// and the error on the form.
#[tokio::test]
async fn an_upload_that_may_have_landed_is_not_retried() {
    for fault in [
        Fault::Status500,
        Fault::Html502,
        Fault::Malformed,
        Fault::SuccessFalse,
        Fault::Hang,
    ] {
        let case = format!("Upload × one {fault:?}");
        let mut env = Env::new(Op::Upload, case.clone()).await;
        env.prepare().await;
        env.control().clear_requests();
        env.inject(fault, 1).await;
        env.trigger();
        env.settle().await;
        let error = env.error().unwrap_or_default();
        assert!(error.contains(fault.says()), "{case}: {error}");
        let posts = env
            .control()
            .requests()
            .iter()
            .filter(|r| r.method == "POST")
            .count();
        assert_eq!(posts, 1, "{case}: the upload was sent {posts} times");
    }
}

/// A malformed body or `success: false` in a 200 is an answer, not a glitch: no retry,
/// the error shows at once.
#[tokio::test]
async fn malformed_and_success_false_are_not_retried() {
    for fault in [Fault::Malformed, Fault::SuccessFalse] {
        let case = format!("OpenZone × one {fault:?}");
        let mut env = Env::new(Op::OpenZone, case.clone()).await;
        env.prepare().await;
        env.control().clear_requests();
        // The lists and the enablement all get the fault once.
        let zone_id = env.zone_id();
        env.control().inject(FaultRule {
            method: Some("GET".into()),
            path_contains: format!("{zone_id}/origin_tls_client_auth"),
            times: 3,
            kind: fault.kind().unwrap(),
        });
        env.trigger();
        env.settle().await;
        let error = env.error().unwrap_or_default();
        assert!(error.contains(fault.says()), "{case}: {error}");
        // Give a retry, were there one, time to go out.
        pump_for(&mut env.app, Duration::from_millis(1500)).await;
        let gets = env
            .control()
            .requests()
            .iter()
            .filter(|r| r.method == "GET" && r.path.contains(&zone_id))
            .count();
        assert_eq!(
            gets, 4,
            "{case}: {gets} GETs for the two lists, the enablement and the settings"
        );
    }
}

/// Opening a slow zone, then at once a fast one, ends with the fast zone's
/// certificates under the fast zone's name; the slow zone's late reply never shows.
#[tokio::test]
async fn switching_zones_quickly_shows_only_the_last_zone() {
    let sim = sim(None).await;
    let control = sim.control();
    let mut app = driver_for(&sim, Duration::from_secs(5));
    app.dispatch(Msg::Init { verify_token: true });
    assert!(app.settle(LIMIT).await);
    let (slow, fast) = ("shop.example", "shop-eu.example");
    let slow_id = control.zone_id(slow).unwrap();
    let fast_id = control.zone_id(fast).unwrap();
    let slow_certs = server_ids(&control, &slow_id);
    assert!(!slow_certs.is_empty());
    control.add_latency_rule(&slow_id, Duration::from_millis(1500));

    select_zone(&mut app, slow, true);
    tokio::time::sleep(Duration::from_millis(50)).await;
    drain(&mut app);
    select_zone(&mut app, fast, true);
    assert!(app.settle(LIMIT).await);
    assert!(pump_until(&mut app, LIMIT, open_zone_loaded).await);
    // Past the slow zone's latency: its replies, had they survived, are in by now.
    pump_for(&mut app, Duration::from_millis(1800)).await;

    let open = app.model.open.as_ref().unwrap();
    assert_eq!(open.zone.name, fast);
    assert_eq!(shown_ids(&app.model), server_ids(&control, &fast_id));
    assert_eq!(
        open.enablement.shown(),
        control.enabled(&fast_id),
        "enablement is the fast zone's"
    );
    let screen = app.render(W, H);
    assert!(common::pane_titled(&screen, fast), "{screen}");
    assert!(!common::pane_titled(&screen, slow), "{screen}");
    for id in &slow_certs {
        assert!(!screen.contains(&id[..8]), "{slow}'s {id} shows:\n{screen}");
    }
    sim.shutdown().await;
}

/// The demo account in the app, with `zone` open and loaded.
async fn opened(zone: &str) -> (Simulator, SimControl, Driver) {
    let sim = sim(None).await;
    let control = sim.control();
    let mut app = driver_for(&sim, Duration::from_secs(5));
    app.dispatch(Msg::Init { verify_token: true });
    assert!(app.settle(LIMIT).await);
    select_zone(&mut app, zone, true);
    assert!(pump_until(&mut app, LIMIT, open_zone_loaded).await);
    (sim, control, app)
}

/// A change still out when the user opens another zone is finished, not dropped with
/// the old zone's reads: the server ends in the state asked for, and the status line
/// says so.
#[tokio::test]
async fn a_toggle_still_out_when_another_zone_opens_lands_and_is_reported() {
    let (sim, control, mut app) = opened("shop.example").await;
    let zone_id = control.zone_id("shop.example").unwrap();
    assert_eq!(control.enabled(&zone_id), Some(true));
    control.add_latency_rule("/settings", Duration::from_millis(300));
    press_char(&mut app, 'e');
    tokio::time::sleep(Duration::from_millis(20)).await;
    drain(&mut app);
    select_zone(&mut app, "shop-eu.example", true);
    assert!(app.settle(LIMIT).await);
    assert_eq!(control.enabled(&zone_id), Some(false));
    assert!(
        matches!(&app.model.status, Some(StatusMessage::Info(t)) if t.contains("disabled on shop.example")),
        "{:?}",
        app.model.status
    );
    sim.shutdown().await;
}

/// `e` pressed several times while the first change is out ends in the state of the
/// last press, on the server and on screen.
#[tokio::test]
async fn toggle_pressed_repeatedly_ends_in_the_last_wish() {
    for presses in 1..=4usize {
        let (sim, control, mut app) = opened("shop.example").await;
        let zone_id = control.zone_id("shop.example").unwrap();
        assert_eq!(control.enabled(&zone_id), Some(true));
        control.add_latency_rule("/settings", Duration::from_millis(300));
        for _ in 0..presses {
            press_char(&mut app, 'e');
            tokio::time::sleep(Duration::from_millis(20)).await;
            drain(&mut app);
        }
        let wanted = presses % 2 == 0;
        assert!(app.settle(LIMIT).await);
        assert!(pump_until(&mut app, LIMIT, open_zone_loaded).await);
        assert_eq!(control.enabled(&zone_id), Some(wanted), "{presses} presses");
        let open = app.model.open.as_ref().unwrap();
        assert_eq!(open.enablement.shown(), Some(wanted), "{presses} presses");
        let screen = app.render(W, H);
        let word = if wanted {
            "● Enabled"
        } else {
            "○ Disabled"
        };
        assert!(screen.contains(word), "{presses} presses:\n{screen}");
        sim.shutdown().await;
    }
}

/// A certificate deleted elsewhere, then deleted in the app: "already gone", and the
/// list shows the server's.
#[tokio::test]
async fn deleting_a_certificate_already_gone_says_so_and_refreshes() {
    let (sim, control, mut app) = opened("shop-eu.example").await;
    let zone_id = control.zone_id("shop-eu.example").unwrap();
    press_char(&mut app, 'g');
    let id = selected_cert_id(&app.model).unwrap();

    client_for(&sim)
        .delete_certificate(&zone_id, &id)
        .await
        .unwrap();
    // Deleted elsewhere: gone from the server once its removal completes.
    assert!(
        eventually(LIMIT, || {
            let gone = !server_ids(&control, &zone_id).contains(&id);
            async move { gone }
        })
        .await
    );

    press_char(&mut app, 'd');
    assert!(matches!(app.model.top_overlay(), Some(Overlay::ConfirmDelete(c)) if c.cert_id == id));
    press_char(&mut app, 'y');
    assert!(app.settle(LIMIT).await);
    match &app.model.status {
        Some(StatusMessage::Info(text)) => assert!(text.contains("already gone"), "{text}"),
        other => panic!("{other:?}"),
    }
    assert_eq!(shown_ids(&app.model), server_ids(&control, &zone_id));
    assert!(!shown_ids(&app.model).contains(&id));
    let screen = app.render(W, H);
    assert!(screen.contains("already gone"), "{screen}");
    sim.shutdown().await;
}

/// A driver pointed at a port nobody listens on: the error says so, keys still work.
#[tokio::test]
async fn a_closed_port_says_cannot_connect() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let mut app = driver_at(&format!("http://127.0.0.1:{port}/client/v4"), TIMEOUT);
    app.dispatch(Msg::Init { verify_token: true });
    assert!(app.settle(LIMIT).await);
    let error = error_of(&app.model).unwrap_or_default();
    assert!(error.contains("cannot connect"), "{error}");
    assert!(app.render(W, H).contains('✗'));
    press_char(&mut app, '?');
    assert!(matches!(app.model.top_overlay(), Some(Overlay::Help)));
    press(&mut app, KeyCode::Esc);
    assert!(app.model.overlays.is_empty());
}

//! The TUI's `R` against the simulator: the whole app without a terminal (real update,
//! executor, client and view), driven by keys; and a rotation the TUI began, cut
//! short, finished by `originpull rotate` from the same journal.

mod common;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use common::{TOKEN, bare, launch_at, leaf_pair, pump_until};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use originpull::api::{CertStatus, Credentials};
use originpull::app::{Msg, Overlay, Stage};
use originpull::certinfo;
use originpull::rotate::{JournalDir, Step};
use originpull::sim::{SimConfig, Simulator};
use originpull::tui::{Driver, Launch};

fn key(code: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

fn typed(app: &mut Driver, text: &str) {
    for c in text.chars() {
        app.dispatch(key(KeyCode::Char(c)));
    }
}

async fn sim_with_deploy(deploy: Duration) -> Simulator {
    let mut config = SimConfig::demo(TOKEN);
    config.zones = Some(6);
    config.deploy_delay = deploy;
    config.delete_delay = Duration::from_millis(200);
    Simulator::start(config).await.unwrap()
}

/// The app with its rotation journals in `state/originpull`, where the binary run with
/// `XDG_STATE_HOME=state` keeps them.
fn app(sim: &Simulator, state: &Path) -> Driver {
    let credentials = Credentials::Token(TOKEN.to_owned().into());
    Driver::new(Launch {
        journals: Some(JournalDir::new(
            &state.join("originpull"),
            &sim.base_url(),
            &credentials,
        )),
        ..launch_at(&sim.base_url(), Duration::from_secs(5))
    })
}

fn new_pair(dir: &Path) -> (PathBuf, PathBuf, String) {
    let (cert, key) = leaf_pair("rotated.example");
    let (c, k) = (dir.join("new.pem"), dir.join("new.key"));
    std::fs::write(&c, &cert).unwrap();
    std::fs::write(&k, key).unwrap();
    let sha = certinfo::parse_certificate(&cert).unwrap().sha256;
    (c, k, sha)
}

/// Opens `zone`, fills in the form and waits for the plan.
async fn to_the_plan(app: &mut Driver, zone: &str, cert: &Path, key_path: &Path) {
    app.dispatch(Msg::Init { verify_token: true });
    assert!(app.settle(Duration::from_secs(5)).await);
    app.dispatch(key(KeyCode::Char('/')));
    typed(app, zone);
    assert!(app.settle(Duration::from_secs(5)).await);
    app.dispatch(key(KeyCode::Enter));
    app.dispatch(key(KeyCode::Enter));
    assert!(app.settle(Duration::from_secs(5)).await);
    app.dispatch(key(KeyCode::Char('R')));
    typed(app, cert.to_str().unwrap());
    app.dispatch(key(KeyCode::Down));
    typed(app, key_path.to_str().unwrap());
    app.dispatch(key(KeyCode::Enter));
    let planned = pump_until(app, Duration::from_secs(10), |m| {
        m.rotation.as_ref().is_some_and(|r| r.stage == Stage::Plan)
    })
    .await;
    assert!(planned, "no plan:\n{}", app.render(160, 48));
}

fn active_ids(sim: &Simulator, zone_id: &str) -> Vec<String> {
    sim.control()
        .certificates(zone_id)
        .into_iter()
        .filter(|c| c.status == Some(CertStatus::Active))
        .filter_map(|c| c.id)
        .collect()
}

fn fingerprints(sim: &Simulator, zone_id: &str) -> Vec<String> {
    sim.control()
        .certificates(zone_id)
        .into_iter()
        .filter_map(|c| certinfo::parse_certificate(c.certificate.as_deref()?).ok())
        .map(|d| d.sha256)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn r_rotates_the_open_zone_with_keys_answering_throughout() {
    let sim = sim_with_deploy(Duration::from_millis(1500)).await;
    let dir = tempfile::tempdir().unwrap();
    let (cert, key_path, sha) = new_pair(dir.path());
    let mut app = app(&sim, dir.path());
    let zone_id = sim.control().zone_id("shop.example").unwrap();
    let old = active_ids(&sim, &zone_id);
    assert_eq!(old.len(), 1);
    to_the_plan(&mut app, "shop.example", &cert, &key_path).await;
    let plan = app.render(160, 48);
    assert!(
        plan.contains("the new certificate") && plan.contains(&old[0]),
        "{plan}"
    );

    app.dispatch(key(KeyCode::Char('y')));
    // While it waits for the certificate to turn active, every key is answered at once:
    // the progress hides, help opens and closes, the selection moves, R brings it back.
    let mut slowest = Duration::ZERO;
    let mut keys = 0;
    let started = Instant::now();
    while app
        .model
        .rotation
        .as_ref()
        .is_some_and(|r| r.stage != Stage::Finished)
    {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the rotation never ended"
        );
        for code in [
            KeyCode::Esc,
            KeyCode::Char('?'),
            KeyCode::Esc,
            KeyCode::Char('j'),
            KeyCode::Char('k'),
            KeyCode::Char('R'),
        ] {
            let t = Instant::now();
            app.dispatch(key(code));
            app.render(160, 48);
            slowest = slowest.max(t.elapsed());
            keys += 1;
        }
        assert!(matches!(app.model.top_overlay(), Some(Overlay::Rotate)));
        pump_until(&mut app, Duration::from_millis(200), |_| false).await;
    }
    assert!(keys >= 12, "keys were pressed while it ran: {keys}");
    assert!(
        slowest < Duration::from_millis(50),
        "a key took {slowest:?}"
    );
    let rotation = app
        .model
        .rotation
        .as_ref()
        .unwrap()
        .rotation
        .as_ref()
        .unwrap();
    assert!(matches!(rotation.zones()[0].step, Step::Done(_)));
    assert_eq!(rotation.zones()[0].deleted, old);
    let screen = app.render(160, 48);
    assert!(screen.contains("1 of 1 zone(s) rotated"), "{screen}");

    // The server: only the new certificate is active, uploaded once.
    let active = active_ids(&sim, &zone_id);
    assert_eq!(active.len(), 1);
    assert_eq!(
        fingerprints(&sim, &zone_id)
            .iter()
            .filter(|f| **f == sha)
            .count(),
        1
    );
    assert_ne!(active, old);
    // Done: the journal is gone.
    assert!(app.settle(Duration::from_secs(5)).await);
    let journals = std::fs::read_dir(dir.path().join("originpull"))
        .map(|d| d.count())
        .unwrap_or(0);
    assert_eq!(journals, 0);
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rotation_begun_in_the_tui_and_cut_short_is_finished_by_the_cli() {
    let sim = sim_with_deploy(Duration::from_secs(3)).await;
    let dir = tempfile::tempdir().unwrap();
    let (cert, key_path, sha) = new_pair(dir.path());
    let zone_id = sim.control().zone_id("shop.example").unwrap();
    let old = active_ids(&sim, &zone_id);
    {
        let mut app = app(&sim, dir.path());
        to_the_plan(&mut app, "shop.example", &cert, &key_path).await;
        app.dispatch(key(KeyCode::Char('y')));
        let uploaded = pump_until(&mut app, Duration::from_secs(10), |m| {
            m.rotation
                .as_ref()
                .and_then(|r| r.rotation.as_ref())
                .is_some_and(|r| r.zones()[0].step == Step::Wait)
        })
        .await;
        assert!(uploaded);
        // The app ends here, mid-rotation: its tasks go with it.
    }
    let posts = |sim: &Simulator| {
        sim.control()
            .requests()
            .iter()
            .filter(|r| r.method == "POST")
            .count()
    };
    assert_eq!(posts(&sim), 1);
    assert_eq!(
        active_ids(&sim, &zone_id),
        old,
        "not active yet: nothing deleted"
    );

    let home = dir.path().display().to_string();
    let mut cmd = bare(
        &[
            "rotate",
            "shop.example",
            "--cert",
            cert.to_str().unwrap(),
            "--key",
            key_path.to_str().unwrap(),
            "--yes",
            "--json",
        ],
        &[
            ("CLOUDFLARE_BASE_URL", &sim.base_url()),
            ("CLOUDFLARE_API_TOKEN", TOKEN),
            ("HOME", &home),
            ("XDG_STATE_HOME", &home),
        ],
    );
    let out = tokio::task::spawn_blocking(move || cmd.output().unwrap())
        .await
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("resuming"), "{stderr}");
    assert!(stderr.contains("uploaded earlier"), "{stderr}");
    assert_eq!(
        posts(&sim),
        1,
        "the CLI found the TUI's upload: no second one"
    );
    let active = active_ids(&sim, &zone_id);
    assert_eq!(active.len(), 1);
    assert_ne!(active, old);
    assert_eq!(
        fingerprints(&sim, &zone_id)
            .iter()
            .filter(|f| **f == sha)
            .count(),
        1
    );
    sim.shutdown().await;
}

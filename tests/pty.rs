//! The real binary in a pseudo-terminal: start the demo, open a zone, toggle, delete
//! with confirmation, quit, and check the terminal was given back.

use std::time::{Duration, Instant};

mod common;

use common::pty::Session;

#[test]
fn demo_open_toggle_delete_and_quit() {
    let mut s = Session::start(&["--demo"], &[]);
    s.wait_for("shop.example");
    // Filter to the zone mid-rotation, open it.
    s.keys("/shop-eu");
    s.wait_for("/shop-eu");
    s.keys("\r\r");
    s.wait_for("2 zone-level certificates active");
    s.wait_for("Enabled");

    s.keys("e");
    s.wait_for("Disabled");
    s.keys("e");
    s.wait_for("Enabled");

    s.keys("d");
    s.wait_for("Delete certificate?");
    s.keys("n");
    s.wait_for("nothing was sent");
    s.keys("d");
    s.wait_for("Delete certificate?");
    s.keys("y");
    s.wait_for("pending_deletion");

    {
        let parser = s.parser.lock().unwrap();
        assert!(
            parser.screen().alternate_screen(),
            "the TUI runs in the alternate screen"
        );
    }
    s.keys("q");
    let status = s.wait_exit();
    assert!(status.success(), "{status:?}");
    // Give the reader thread a moment to take the last bytes: wait on the condition.
    let deadline = Instant::now() + Duration::from_secs(5);
    while s.parser.lock().unwrap().screen().alternate_screen() {
        assert!(
            Instant::now() < deadline,
            "the alternate screen was not left"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn a_resized_terminal_is_redrawn_at_its_new_size() {
    let mut s = Session::start(&["--demo"], &[]);
    s.wait_for("shop.example");
    s.resize(60, 15);
    s.wait_for("Terminal too small: 60x15, need at least 80x20");
    s.resize(100, 30);
    s.wait_for("acme-widgets.test");
    // The header's right-hand hints end one column short of the new right edge.
    let header = s.screen().lines().next().unwrap_or_default().to_owned();
    assert!(header.trim_end().ends_with("q quit"), "{header:?}");
    assert_eq!(header.trim_end().chars().count(), 99, "{header:?}");
    s.keys("q");
    assert!(s.wait_exit().success());
}

#[test]
fn without_credentials_a_screen_explains_what_to_do() {
    let mut s = Session::start(&[], &[]);
    s.wait_for("CLOUDFLARE_API_TOKEN");
    s.wait_for("--demo");
    s.keys("q");
    assert!(s.wait_exit().success());
}

/// Every file under `dir`, recursively, as bytes.
fn files_under(dir: &std::path::Path) -> Vec<(std::path::PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(files_under(&path));
        } else {
            out.push((path.clone(), std::fs::read(&path).unwrap()));
        }
    }
    out
}

/// A client certificate and its key, written to `c.pem` and `k.pem` in a directory of
/// their own; the key's text, to look for afterwards.
fn pems() -> (tempfile::TempDir, String) {
    let (cert, key) = common::leaf_pair("edge.shop.example");
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("c.pem"), &cert).unwrap();
    std::fs::write(dir.path().join("k.pem"), &key).unwrap();
    (dir, key)
}

/// Neither the token nor any line of `key` on `screen` or in any of `files`.
fn assert_no_secret(screen: &str, files: &[(std::path::PathBuf, Vec<u8>)], key: &str) {
    let key_lines: Vec<&str> = key.lines().filter(|l| !l.starts_with("-----")).collect();
    assert!(!screen.contains(common::TOKEN));
    for line in &key_lines {
        assert!(!screen.contains(line), "key material is on screen");
    }
    for (path, bytes) in files {
        let text = String::from_utf8_lossy(bytes);
        assert!(!text.contains(common::TOKEN), "the token is in {path:?}");
        for line in &key_lines {
            assert!(!text.contains(line), "key material is in {path:?}");
        }
    }
}

/// The app at `--log-level trace` against `sim`, every file it writes under `home`,
/// shop.example open.
fn traced_session(sim: &originpull::sim::Simulator, home: &std::path::Path) -> Session {
    let dir = |sub: &str| home.join(sub).display().to_string();
    let mut s = Session::start(
        &["--log-level", "trace"],
        &[
            ("HOME", &home.display().to_string()),
            ("XDG_STATE_HOME", &dir("state")),
            ("XDG_CACHE_HOME", &dir("cache")),
            ("XDG_CONFIG_HOME", &dir("config")),
            ("CLOUDFLARE_BASE_URL", &sim.base_url()),
            ("CLOUDFLARE_API_TOKEN", common::TOKEN),
        ],
    );
    s.wait_for("shop.example");
    s.keys("/shop.example\r\r");
    s.wait_for("· zone-level ");
    s
}

#[test]
fn secrets_reach_no_file_and_no_screen_even_with_trace_logging() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let sim = runtime.block_on(common::sim(None));
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let (pems, key) = pems();

    let mut s = traced_session(&sim, h);
    s.keys("u");
    s.wait_for("Certificate (PEM)");
    s.keys(&format!(
        "{}\t{}\r",
        pems.path().join("c.pem").display(),
        pems.path().join("k.pem").display()
    ));
    s.wait_for("watching until it is active");
    let screen = s.screen();
    s.keys("q");
    assert!(s.wait_exit().success());

    let written = files_under(h);
    assert!(
        written
            .iter()
            .any(|(p, _)| p.extension().is_some_and(|e| e == "log")),
        "trace logging wrote a log under {h:?}: {:?}",
        written.iter().map(|(p, _)| p).collect::<Vec<_>>()
    );
    assert_no_secret(&screen, &written, &key);
    runtime.block_on(sim.shutdown());
}

#[cfg(unix)]
#[test]
fn a_token_file_others_can_read_is_flagged_on_screen() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.toml");
    // A closed port: the warning must show whatever the network does.
    std::fs::write(
        &config,
        "api_token = \"t\"\nbase_url = \"http://127.0.0.1:9/client/v4\"\n",
    )
    .unwrap();
    std::fs::set_permissions(&config, std::fs::Permissions::from_mode(0o644)).unwrap();
    let config = config.display().to_string();
    let mut s = Session::start(&[], &[("ORIGINPULL_CONFIG", &config)]);
    s.wait_for("chmod 600");
    s.keys("q");
    assert!(s.wait_exit().success());
}

/// A config whose `[keys]` table holds `keys`, in a directory the test keeps.
fn keys_config(keys: &str) -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.toml");
    std::fs::write(&path, format!("[keys]\n{keys}\n")).unwrap();
    let path = path.display().to_string();
    (dir, path)
}

#[test]
fn a_rebound_toggle_shows_in_the_footer_and_help_and_answers() {
    let (_dir, config) = keys_config("toggle = \"t\"");
    let mut s = Session::start(&["--demo"], &[("ORIGINPULL_CONFIG", &config)]);
    s.wait_for("shop.example");
    s.keys("/shop.ex\r\r");
    s.wait_for("zone-level ● Enabled (t)");
    s.wait_for("t toggle");
    s.keys("?");
    s.wait_for("Once a zone is open");
    let help = s.screen();
    let line = help
        .lines()
        .find(|l| l.contains("toggle zone-level AOP enablement"))
        .unwrap_or_else(|| panic!("{help}"));
    assert!(line.contains("  t  "), "{line}");
    s.keys("\u{1b}");
    // Help closed (its footer gave way to the main one): an `e` right after the Esc
    // would reach the app as Alt-e.
    s.wait_for("t toggle");
    // The old key does nothing now; the new one toggles.
    s.keys("e");
    s.keys("t");
    s.wait_for("○ Disabled (t)");
    s.keys("q");
    assert!(s.wait_exit().success());
}

#[test]
fn a_binding_that_collides_is_refused_at_start_naming_both() {
    let (_dir, config) = keys_config("toggle = \"g\"");
    let out = common::bare(&["--demo"], &[("ORIGINPULL_CONFIG", &config)])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("toggle") && stderr.contains("top") && stderr.contains("[keys]"),
        "{stderr}"
    );
    // Refused before the terminal was taken: nothing drew on stdout.
    assert!(out.stdout.is_empty());
}

#[test]
fn audit_on_a_terminal_shows_progress_on_stderr_and_never_in_the_output() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let sim = rt.block_on(async {
        let mut config = originpull::sim::SimConfig::demo(common::TOKEN);
        config.zones = Some(200);
        config.latency = Duration::from_millis(30);
        originpull::sim::Simulator::start(config).await.unwrap()
    });
    let home = tempfile::tempdir().unwrap();
    let out = home.path().join("audit.json");
    let base = sim.base_url();
    let h = home.path().display().to_string();
    // stdout to a file, stderr to the terminal: the bar goes where a person looks.
    let mut s = Session::start_program(
        "/bin/sh",
        &[
            "-c",
            &format!(
                "{} audit --format json > {}",
                env!("CARGO_BIN_EXE_originpull"),
                out.display()
            ),
        ],
        &[
            ("CLOUDFLARE_BASE_URL", &base),
            ("CLOUDFLARE_API_TOKEN", common::TOKEN),
            ("HOME", &h),
        ],
    );
    s.wait_for("zones ·");
    s.wait_for("surveyed 200 zones");
    s.wait_exit();
    let json = std::fs::read_to_string(&out).unwrap();
    let records: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(records.as_array().unwrap().len(), 200);
    assert!(!json.contains("zones ·"), "no progress in the output");
}

/// `R` in a real terminal, at `--log-level trace`: the form, the plan, `y`, the
/// progress; while the rotation waits for activation its journal is on disk, and
/// neither the token nor any line of the key is in it, in the log or on screen.
#[test]
fn r_rotates_in_a_real_terminal_and_the_journal_holds_no_secret() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let sim = runtime.block_on(async {
        let mut config = originpull::sim::SimConfig::demo(common::TOKEN);
        config.deploy_delay = std::time::Duration::from_secs(3);
        originpull::sim::Simulator::start(config).await.unwrap()
    });
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let (pems, key) = pems();
    let mut s = traced_session(&sim, h);
    s.keys("R");
    s.wait_for("New certificate (PEM)");
    s.keys(&format!(
        "{}\x1b[B{}\r",
        pems.path().join("c.pem").display(),
        pems.path().join("k.pem").display()
    ));
    s.wait_for("THEN DELETE");
    s.keys("y");
    s.wait_for("uploaded, waiting until it is active");
    let journals: Vec<_> = files_under(h)
        .into_iter()
        .filter(|(p, _)| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("rotate-")
        })
        .collect();
    assert_eq!(journals.len(), 1, "the journal is on disk while it runs");
    let mut seen = files_under(h);
    s.wait_for("1 of 1 zone(s) rotated");
    let screen = s.screen();
    // Esc alone (followed at once by q it would read as Alt-q) closes the table; q
    // once the table is gone from the screen.
    s.keys("\x1b");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while s.screen().contains("Rotate shop.example") {
        assert!(
            std::time::Instant::now() < deadline,
            "the table stayed:\n{}",
            s.screen()
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    s.keys("q");
    assert!(s.wait_exit().success());
    seen.extend(files_under(h));

    assert_no_secret(&screen, &seen, &key);
    assert!(
        !files_under(h).iter().any(|(p, _)| p
            .file_name()
            .unwrap()
            .to_string_lossy()
            .starts_with("rotate-")),
        "a finished rotation leaves no journal"
    );
    runtime.block_on(sim.shutdown());
}

#[test]
fn the_mouse_is_taken_unless_no_mouse_says_not_and_is_given_back_on_quit() {
    use vt100::MouseProtocolMode;
    let mode = |s: &Session| s.parser.lock().unwrap().screen().mouse_protocol_mode();

    let mut s = Session::start(&["--demo"], &[]);
    s.wait_for("shop.example");
    assert_ne!(
        mode(&s),
        MouseProtocolMode::None,
        "the TUI takes mouse events"
    );
    // Two clicks (SGR reports, as a terminal sends them) on a zone's row open it.
    let row = s
        .screen()
        .lines()
        .position(|l| l.contains("  shop.example "))
        .unwrap();
    let click = format!("\x1b[<0;6;{}M\x1b[<0;6;{}m", row + 1, row + 1);
    s.keys(&click);
    s.wait_for("▶ shop.example");
    s.keys(&click);
    s.wait_for("shop.example ━");
    s.keys("q");
    assert!(s.wait_exit().success());
    let deadline = Instant::now() + Duration::from_secs(5);
    while mode(&s) != MouseProtocolMode::None {
        assert!(Instant::now() < deadline, "mouse reporting was left on");
        std::thread::sleep(Duration::from_millis(20));
    }

    let mut s = Session::start(&["--demo", "--no-mouse"], &[]);
    s.wait_for("shop.example");
    assert_eq!(
        mode(&s),
        MouseProtocolMode::None,
        "--no-mouse leaves it alone"
    );
    s.keys("q");
    assert!(s.wait_exit().success());
}

#[test]
fn a_panic_in_a_background_task_ends_the_app_the_normal_way() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("panic.log");
    let log_arg = log.to_str().unwrap().to_owned();
    // A hidden hook makes the executor's first task panic (it is the token check).
    let mut s = Session::start(
        &["--demo", "--log-level", "debug", "--log-file", &log_arg],
        &[("ORIGINPULL_TEST_PANIC", "1")],
    );
    let status = s.wait_exit();
    assert_eq!(status.exit_code(), 101, "{status:?}");
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let screen = s.screen();
        let restored = !s.parser.lock().unwrap().screen().alternate_screen();
        if restored && screen.contains("internal error at") {
            assert!(screen.contains("src/tui/executor.rs:"), "{screen}");
            assert!(
                screen.contains(&format!("the log is at {log_arg}")),
                "{screen}"
            );
            let lines = screen.lines().filter(|l| l.contains("originpull:")).count();
            assert_eq!(lines, 1, "one line on stderr: {screen}");
            break;
        }
        assert!(
            Instant::now() < deadline,
            "terminal not restored, or no message: {screen}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    // The log was flushed on the way out, with where it happened.
    let logged = std::fs::read_to_string(&log).unwrap();
    assert!(logged.contains("panic in a background task"), "{logged}");
    assert!(logged.contains("src/tui/executor.rs:"), "{logged}");
}

//! Rotation against the simulator over loopback: many zones with random faults, the
//! real binary killed at every point and run again, a deployment that times out, the
//! refusals, and the origin check that stops a rotation before any upload.

mod common;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use common::test_origin::{ClientAuth, Pki, TestOrigin, Versions};
use common::{TOKEN, bare, client_for, leaf_pair};
use originpull::api::CertStatus;
use originpull::certinfo;
use originpull::rotate::{self, NewCert, Options, Rotation, Step};
use originpull::sim::{FaultKind, FaultRule, SimConfig, SimControl, Simulator};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// A simulator whose uploads turn active after `deploy`.
async fn sim_with(zones: usize, deploy: Duration, latency: Duration) -> Simulator {
    let mut config = SimConfig::demo(TOKEN);
    config.zones = Some(zones);
    config.deploy_delay = deploy;
    config.delete_delay = Duration::from_millis(200);
    config.latency = latency;
    Simulator::start(config).await.expect("simulator starts")
}

/// A new certificate and key on disk.
fn new_pair(dir: &Path, name: &str) -> (PathBuf, PathBuf) {
    let (cert, key) = leaf_pair(&format!("{name}.example"));
    let cert_path = dir.join(format!("{name}.pem"));
    let key_path = dir.join(format!("{name}.key"));
    std::fs::write(&cert_path, cert).unwrap();
    std::fs::write(&key_path, key).unwrap();
    (cert_path, key_path)
}

fn sha256_of(pem_path: &Path) -> String {
    let pem = std::fs::read_to_string(pem_path).unwrap();
    certinfo::parse_certificate(&pem).unwrap().sha256
}

fn fingerprint(cert: &originpull::api::Certificate) -> Option<String> {
    certinfo::parse_certificate(cert.certificate.as_deref()?)
        .ok()
        .map(|d| d.sha256)
}

/// Exactly one certificate is active in the zone, and it is the new one, uploaded once.
fn rotated_to(control: &SimControl, zone_id: &str, sha256: &str) -> Result<(), String> {
    let certs = control.certificates(zone_id);
    let active: Vec<_> = certs
        .iter()
        .filter(|c| c.status == Some(CertStatus::Active))
        .collect();
    let copies = certs
        .iter()
        .filter(|c| fingerprint(c).as_deref() == Some(sha256))
        .count();
    if active.len() != 1 || fingerprint(active[0]).as_deref() != Some(sha256) || copies != 1 {
        return Err(format!(
            "zone {zone_id}: {} active, {copies} copies of the new one: {:?}",
            active.len(),
            certs
                .iter()
                .map(|c| (c.id.clone(), c.status.clone()))
                .collect::<Vec<_>>()
        ));
    }
    Ok(())
}

/// The binary, with its state dir (where the journal lives) kept across runs.
struct Bin {
    home: tempfile::TempDir,
    base_url: String,
}

impl Bin {
    fn new(sim: &Simulator) -> Self {
        Self {
            home: tempfile::tempdir().unwrap(),
            base_url: sim.base_url(),
        }
    }

    fn command(&self, args: &[&str]) -> Command {
        let home = self.home.path();
        let state = home.join("state");
        let cache = home.join("cache");
        bare(
            args,
            &[
                ("CLOUDFLARE_BASE_URL", self.base_url.as_str()),
                ("CLOUDFLARE_API_TOKEN", TOKEN),
                ("HOME", home.to_str().unwrap()),
                ("XDG_STATE_HOME", state.to_str().unwrap()),
                ("XDG_CACHE_HOME", cache.to_str().unwrap()),
            ],
        )
    }

    async fn run(&self, args: &[&str]) -> Output {
        let mut cmd = self.command(args);
        tokio::task::spawn_blocking(move || cmd.output().unwrap())
            .await
            .unwrap()
    }

    fn journals(&self) -> Vec<PathBuf> {
        let dir = self.home.path().join("state/originpull");
        std::fs::read_dir(dir)
            .map(|d| {
                d.filter_map(Result::ok)
                    .map(|e| e.path())
                    .filter(|p| {
                        p.file_name()
                            .unwrap()
                            .to_string_lossy()
                            .starts_with("rotate-")
                    })
                    .collect()
            })
            .unwrap_or_default()
    }
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn rotate_args<'a>(
    zones: &[&'a str],
    cert: &'a str,
    key: &'a str,
    extra: &[&'a str],
) -> Vec<&'a str> {
    let mut args = vec!["rotate"];
    args.extend_from_slice(zones);
    args.extend_from_slice(&["--cert", cert, "--key", key]);
    args.extend_from_slice(extra);
    args
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twenty_zones_with_random_faults_end_with_exactly_the_new_certificate_active() {
    let sim = sim_with(20, Duration::from_millis(400), Duration::ZERO).await;
    let control = sim.control();
    let client = client_for(&sim);
    let dir = tempfile::tempdir().unwrap();
    let (cert, key) = new_pair(dir.path(), "rotated");
    let upload = certinfo::load_upload(&cert, &key).unwrap();
    let zones = client.list_zones(None).await.unwrap();
    assert_eq!(zones.len(), 20);

    let mut rng = StdRng::seed_from_u64(0x20_7a7e);
    for _ in 0..30 {
        let method = ["GET", "POST", "DELETE"][rng.random_range(0..3)];
        let kind = match rng.random_range(0..4) {
            0 => FaultKind::Status(503),
            1 => FaultKind::ReplyLost(502),
            2 => FaultKind::RateLimited {
                retry_after_secs: 1,
            },
            _ => FaultKind::Html(500),
        };
        control.inject(FaultRule {
            method: Some(method.into()),
            path_contains: "/origin_tls_client_auth".into(),
            times: rng.random_range(1..=2),
            kind,
        });
    }

    let mut rotation = Rotation::new(
        NewCert::of(&upload.details),
        Options {
            wait: Duration::from_secs(60),
            ..Options::default()
        },
        zones.iter().map(|z| (z.id.clone(), z.name.clone())),
        HashMap::new(),
    );
    rotate::run::run(&client, &mut rotation, &upload, None, 16, |_| {})
        .await
        .unwrap();
    assert!(rotation.is_planned());
    rotation.approve(std::time::Instant::now());
    rotate::run::run(&client, &mut rotation, &upload, None, 16, |_| {})
        .await
        .unwrap();
    let failed: Vec<_> = rotation
        .zones()
        .iter()
        .filter(|z| matches!(z.step, Step::Failed(_)))
        .map(|z| (&z.zone, &z.step))
        .collect();
    assert!(failed.is_empty(), "{failed:?}");
    let sha = upload.details.sha256.clone();
    for zone in &zones {
        rotated_to(&control, &zone.id, &sha).unwrap();
    }
    let posts = control
        .requests()
        .iter()
        .filter(|r| r.method == "POST")
        .count();
    assert!(posts >= 20, "every zone got its upload");
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_at_any_point_and_run_again_it_finishes_with_no_duplicate() {
    // Requests take a while, so a kill lands between a request's arrival and its answer.
    let sim = sim_with(2, Duration::from_millis(300), Duration::from_millis(60)).await;
    let control = sim.control();
    let bin = Bin::new(&sim);
    let dir = tempfile::tempdir().unwrap();
    let zones: Vec<String> = client_for(&sim)
        .list_zones(None)
        .await
        .unwrap()
        .into_iter()
        .map(|z| z.name)
        .collect();
    let zone_refs: Vec<&str> = zones.iter().map(String::as_str).collect();
    let mut killed = Vec::new();

    // Kill points: as request N arrives (after it is sent, before its answer), and as
    // journal line N is written (after an answer, before the next call).
    let points: Vec<(&str, usize)> = (1..=10)
        .map(|n| ("request", n))
        .chain([3, 6, 9, 12].map(|n| ("journal line", n)))
        .collect();
    for (i, (kind, n)) in points.iter().enumerate() {
        let (cert, key) = new_pair(dir.path(), &format!("kill{i}"));
        let sha = sha256_of(&cert);
        let (cert, key) = (cert.to_str().unwrap(), key.to_str().unwrap());
        let args = rotate_args(&zone_refs, cert, key, &["--yes", "--json"]);
        let before = control.requests().len();
        let mut child = bin.command(&args).spawn().unwrap();
        let deadline = Instant::now() + Duration::from_secs(30);
        let reached = loop {
            let now_at = match *kind {
                "request" => control.requests().len() - before,
                _ => bin
                    .journals()
                    .iter()
                    .map(|p| {
                        std::fs::read_to_string(p)
                            .unwrap_or_default()
                            .lines()
                            .count()
                    })
                    .sum(),
            };
            if now_at >= *n {
                break true;
            }
            if child.try_wait().unwrap().is_some() || Instant::now() > deadline {
                break false;
            }
            tokio::time::sleep(Duration::from_millis(2)).await;
        };
        if reached {
            child.kill().unwrap();
            killed.push(format!("{kind} {n}"));
        }
        child.wait().unwrap();

        let out = bin.run(&args).await;
        assert!(
            out.status.success(),
            "the rerun after a kill at {kind} {n} failed: {}{}",
            text(&out.stdout),
            text(&out.stderr)
        );
        for zone in &zones {
            let id = control.zone_id(zone).unwrap();
            rotated_to(&control, &id, &sha)
                .unwrap_or_else(|e| panic!("after a kill at {kind} {n}: {e}"));
        }
        assert!(
            bin.journals().is_empty(),
            "a finished rotation leaves no journal"
        );
    }
    assert!(killed.len() >= 10, "killed at {killed:?}");
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deployment_that_times_out_keeps_the_old_certificate_and_exits_1() {
    let sim = sim_with(3, Duration::from_millis(300), Duration::ZERO).await;
    let control = sim.control();
    let bin = Bin::new(&sim);
    let dir = tempfile::tempdir().unwrap();
    let zones = client_for(&sim).list_zones(None).await.unwrap();
    let (good, bad) = (&zones[0], &zones[1]);
    // Give the failing zone an old certificate of its own to keep.
    let (old_cert, old_key) = new_pair(dir.path(), "old");
    let old = client_for(&sim)
        .upload_certificate(
            &bad.id,
            &std::fs::read_to_string(&old_cert).unwrap(),
            &std::fs::read_to_string(&old_key).unwrap().into(),
        )
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert!(control.fail_deployments(&bad.id, true));

    let (cert, key) = new_pair(dir.path(), "new");
    let sha = sha256_of(&cert);
    let args = rotate_args(
        &[&good.name, &bad.name],
        cert.to_str().unwrap(),
        key.to_str().unwrap(),
        &["--yes", "--json"],
    );
    let out = bin.run(&args).await;
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["rotated"], 1);
    assert_eq!(report["failed"], 1);
    let bad_row = &report["zones"][1];
    assert_eq!(bad_row["outcome"], "failed");
    assert_eq!(bad_row["failure"]["old_kept"], true);
    assert!(
        bad_row["failure"]["reason"]
            .as_str()
            .unwrap()
            .contains("deployment timed out"),
        "{bad_row}"
    );
    rotated_to(&control, &good.id, &sha).unwrap();
    let certs = control.certificates(&bad.id);
    assert!(
        certs
            .iter()
            .any(|c| c.id == old.id && c.status == Some(CertStatus::Active)),
        "the old certificate is still active: {certs:?}"
    );
    let stderr = text(&out.stderr);
    assert!(stderr.contains("1 of 2 zone(s) did not rotate"), "{stderr}");
    assert!(stderr.contains("run the same command again"), "{stderr}");
    assert_eq!(bin.journals().len(), 1, "the journal stays for the rerun");
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_terminal_and_without_yes_it_refuses_and_sends_nothing() {
    let sim = sim_with(2, Duration::from_millis(100), Duration::ZERO).await;
    let bin = Bin::new(&sim);
    let dir = tempfile::tempdir().unwrap();
    let (cert, key) = new_pair(dir.path(), "new");
    let zone = client_for(&sim).list_zones(None).await.unwrap()[0]
        .name
        .clone();
    sim.control().clear_requests();
    let out = bin
        .run(&rotate_args(
            &[&zone],
            cert.to_str().unwrap(),
            key.to_str().unwrap(),
            &[],
        ))
        .await;
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("add --yes"), "{stderr}");
    assert!(sim.control().requests().is_empty(), "nothing was sent");
    assert!(bin.journals().is_empty());
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_origin_that_rejects_the_new_certificate_stops_it_before_any_upload() {
    let sim = sim_with(2, Duration::from_millis(100), Duration::ZERO).await;
    let bin = Bin::new(&sim);
    let root = tempfile::tempdir().unwrap();
    let trusted = Pki::new(root.path(), "trusted");
    let stranger = Pki::new(root.path(), "stranger");
    let origin = TestOrigin::start(ClientAuth::Required(&trusted), Versions::Both).await;
    let zone = client_for(&sim).list_zones(None).await.unwrap()[0]
        .name
        .clone();
    sim.control().clear_requests();

    let target = origin.target();
    let refused = bin
        .run(&rotate_args(
            &[&zone],
            stranger.cert().to_str().unwrap(),
            stranger.key().to_str().unwrap(),
            &["--yes", "--origin", &target],
        ))
        .await;
    assert_eq!(refused.status.code(), Some(1));
    let stderr = text(&refused.stderr);
    assert!(stderr.contains("refused the new certificate"), "{stderr}");
    assert!(stderr.contains("Nothing was uploaded"), "{stderr}");
    assert!(
        sim.control().requests().is_empty(),
        "not a call to the API: {:?}",
        sim.control().requests()
    );

    // A certificate the origin trusts goes ahead, and the plan says it was checked.
    let accepted = bin
        .run(&rotate_args(
            &[&zone],
            trusted.cert().to_str().unwrap(),
            trusted.key().to_str().unwrap(),
            &["--yes", "--origin", &target],
        ))
        .await;
    let stdout = text(&accepted.stdout);
    assert!(
        accepted.status.success(),
        "{stdout}{}",
        text(&accepted.stderr)
    );
    assert!(
        stdout.contains("requires a client certificate and accepts this one"),
        "{stdout}"
    );
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rerun_after_it_finished_changes_nothing_and_keep_old_deletes_nothing() {
    let sim = sim_with(2, Duration::from_millis(200), Duration::ZERO).await;
    let control = sim.control();
    let bin = Bin::new(&sim);
    let dir = tempfile::tempdir().unwrap();
    let zone = client_for(&sim).list_zones(None).await.unwrap()[0].clone();

    let (cert, key) = new_pair(dir.path(), "first");
    let (cert, key) = (cert.to_str().unwrap(), key.to_str().unwrap());
    let first = bin
        .run(&rotate_args(&[&zone.name], cert, key, &["--yes"]))
        .await;
    assert!(first.status.success(), "{}", text(&first.stderr));
    control.clear_requests();
    let again = bin
        .run(&rotate_args(&[&zone.name], cert, key, &["--yes", "--json"]))
        .await;
    assert!(again.status.success(), "{}", text(&again.stderr));
    let report: serde_json::Value = serde_json::from_slice(&again.stdout).unwrap();
    assert_eq!(report["zones"][0]["outcome"], "earlier");
    let changes: Vec<_> = control
        .requests()
        .into_iter()
        .filter(|r| r.method != "GET")
        .collect();
    assert!(changes.is_empty(), "a rerun changed something: {changes:?}");

    // --keep-old: the new one turns active beside the old, which stays.
    let (cert2, key2) = new_pair(dir.path(), "second");
    let kept = bin
        .run(&rotate_args(
            &[&zone.name],
            cert2.to_str().unwrap(),
            key2.to_str().unwrap(),
            &["--yes", "--json", "--keep-old"],
        ))
        .await;
    assert!(kept.status.success(), "{}", text(&kept.stderr));
    let report: serde_json::Value = serde_json::from_slice(&kept.stdout).unwrap();
    assert_eq!(report["zones"][0]["outcome"], "kept_old");
    assert_eq!(report["zones"][0]["deleted"], serde_json::json!([]));
    let active = control
        .certificates(&zone.id)
        .iter()
        .filter(|c| c.status == Some(CertStatus::Active))
        .count();
    assert_eq!(active, 2, "old and new are both active");
    sim.shutdown().await;
}

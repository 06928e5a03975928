//! `originpull audit` and `originpull global` through the real binary, against the
//! simulator's demo account: exit statuses, every format, the cache, the permission a
//! token lacks.

mod common;

use std::path::Path;
use std::process::Output;

use common::{TOKEN, bare, sim};
use originpull::sim::{Simulator, ZoneSettingsAccess};

/// Runs `originpull ARGS` against `sim` with HOME (so the survey cache) in `home`.
async fn run_in(sim: &Simulator, home: &Path, args: &[&str]) -> Output {
    let mut cmd = bare(
        args,
        &[
            ("CLOUDFLARE_BASE_URL", &sim.base_url()),
            ("CLOUDFLARE_API_TOKEN", TOKEN),
        ],
    );
    cmd.env("HOME", home);
    tokio::task::spawn_blocking(move || cmd.output().unwrap())
        .await
        .unwrap()
}

async fn run(sim: &Simulator, args: &[&str]) -> Output {
    let home = tempfile::tempdir().unwrap();
    run_in(sim, home.path(), args).await
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).unwrap()
}

/// The zones of a JSON audit, each with its finding codes, by name (records come in
/// the order zones finish).
fn codes_by_zone(stdout: &[u8]) -> Vec<(String, Vec<String>)> {
    let records: serde_json::Value = serde_json::from_slice(stdout).unwrap();
    let mut zones: Vec<(String, Vec<String>)> = records
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let codes = r["findings"]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| f["code"].as_str().unwrap().to_owned())
                .collect();
            (r["zone"].as_str().unwrap().to_owned(), codes)
        })
        .collect();
    zones.sort();
    zones
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_has_a_record_per_zone_and_the_exit_status_follows_fail_on() {
    let sim = sim(None).await;
    let out = run(&sim, &["audit", "--format", "json"]).await;
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
    let zones = codes_by_zone(&out.stdout);
    assert_eq!(zones.len(), 36);
    let every: std::collections::BTreeSet<&str> = zones
        .iter()
        .flat_map(|(_, c)| c.iter().map(String::as_str))
        .collect();
    for code in [
        "expired",
        "enabled-without-certificate",
        "deployment-failed",
        "expiring",
        "multiple-active",
        "shared-certificate-only",
        "ssl-mode-voids-aop",
        "certificate-unused",
    ] {
        assert!(every.contains(code), "the demo shows {code}: {every:?}");
    }
    let summary = text(&out.stderr);
    assert!(
        summary.contains("surveyed 36 zones") && summary.contains("144 calls"),
        "{summary}"
    );

    // A zone with nothing to say passes at any level.
    let quiet = run(&sim, &["audit", "www.example", "--fail-on", "notice"]).await;
    assert_eq!(quiet.status.code(), Some(0), "{}", text(&quiet.stdout));
    // blog.example has a warning and a notice: --fail-on decides.
    for (level, status) in [("error", 0), ("warning", 3), ("notice", 3)] {
        let out = run(&sim, &["audit", "blog.example", "--fail-on", level]).await;
        assert_eq!(out.status.code(), Some(status), "--fail-on {level}");
    }
    // A usage error is 2; a failure that is not a finding, 1.
    let usage = run(&sim, &["audit", "--fail-on", "critical"]).await;
    assert_eq!(usage.status.code(), Some(2));
    let missing = run(&sim, &["audit", "no-such-zone.example"]).await;
    assert_eq!(missing.status.code(), Some(1));
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn csv_and_the_table_carry_every_zone() {
    let sim = sim(None).await;
    let out = run(&sim, &["audit", "--format", "csv", "--filter", "shop"]).await;
    let mut reader = csv::Reader::from_reader(out.stdout.as_slice());
    let header = reader.headers().unwrap().clone();
    assert_eq!(&header[0], "zone");
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let names: Vec<&str> = rows.iter().map(|r| &r[0]).collect();
    assert_eq!(names.len(), 3, "shop, shop-eu, shop-us: {names:?}");
    let eu = rows.iter().find(|r| &r[0] == "shop-eu.example").unwrap();
    let findings = &eu[header.iter().position(|h| h == "findings").unwrap()];
    assert_eq!(findings, "warning:multiple-active");

    let table = text(&run(&sim, &["audit", "legacy.example"]).await.stdout);
    assert!(table.starts_with("ZONE"), "{table}");
    assert!(table.contains("error    expired:"), "{table}");
    assert!(table.contains("ssl-mode-voids-aop"), "{table}");
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn prometheus_output_parses_and_names_every_metric() {
    let sim = sim(None).await;
    let out = run(&sim, &["audit", "--format", "prometheus"]).await;
    let body = text(&out.stdout);
    let lines = body.lines().map(|l| Ok(l.to_owned()));
    let scrape = prometheus_parse::Scrape::parse(lines).expect("the text format parses");
    let names: std::collections::BTreeSet<&str> =
        scrape.samples.iter().map(|s| s.metric.as_str()).collect();
    assert_eq!(
        names.into_iter().collect::<Vec<_>>(),
        [
            "originpull_aop_enabled",
            "originpull_certificate_expiry_timestamp_seconds",
            "originpull_findings",
            "originpull_survey_timestamp_seconds",
        ]
    );
    let expired = scrape
        .samples
        .iter()
        .find(|s| {
            s.metric == "originpull_findings"
                && s.labels.get("zone") == Some("legacy.example")
                && s.labels.get("code") == Some("expired")
        })
        .expect("legacy.example's expired certificate is counted");
    assert_eq!(expired.labels.get("level"), Some("error"));
    assert_eq!(
        scrape
            .samples
            .iter()
            .filter(|s| s.metric == "originpull_survey_timestamp_seconds")
            .count(),
        36
    );
    // Every metric family is written in one block, HELP and TYPE first.
    for name in ["originpull_aop_enabled", "originpull_findings"] {
        let at: Vec<usize> = body
            .lines()
            .enumerate()
            .filter(|(_, l)| l.starts_with(name))
            .map(|(i, _)| i)
            .collect();
        assert!(
            at.windows(2).all(|w| w[1] == w[0] + 1),
            "{name} is not contiguous"
        );
    }
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_audit_within_max_age_calls_no_zone_and_says_the_same() {
    let sim = sim(None).await;
    let home = tempfile::tempdir().unwrap();
    let first = run_in(&sim, home.path(), &["audit", "--format", "json"]).await;
    sim.control().clear_requests();
    let second = run_in(&sim, home.path(), &["audit", "--format", "json"]).await;
    let zone_calls = sim
        .control()
        .requests()
        .iter()
        .filter(|r| r.path.contains("/zones/"))
        .count();
    assert_eq!(zone_calls, 0, "only the zone list is read again");
    assert_eq!(codes_by_zone(&first.stdout), codes_by_zone(&second.stdout));
    assert!(text(&second.stderr).contains("36 from the cache"));
    // --max-age 0s surveys again.
    sim.control().clear_requests();
    run_in(
        &sim,
        home.path(),
        &["audit", "--max-age", "0s", "shop.example"],
    )
    .await;
    assert!(sim.control().requests().len() > 1);
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_without_zone_settings_makes_zones_unreadable_naming_the_permission() {
    let sim = sim(None).await;
    sim.control()
        .set_zone_settings_access(ZoneSettingsAccess::NoAccess);
    let out = run(&sim, &["audit", "--format", "json", "shop.example"]).await;
    assert_eq!(out.status.code(), Some(3));
    let records: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let finding = &records[0]["findings"][0];
    assert_eq!(finding["code"], "unreadable");
    assert!(
        finding["message"]
            .as_str()
            .unwrap()
            .contains("Zone Settings"),
        "{finding}"
    );
    // What could be read still counts.
    assert_eq!(records[0]["levels"]["zone"], true);
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn global_reads_and_sets_the_switch_with_one_patch() {
    let sim = sim(None).await;
    let out = run(&sim, &["global", "shop.example", "--json"]).await;
    let read: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(read["zone"], "shop.example");
    assert_eq!(read["value"], "off");
    assert_eq!(read["editable"], true);

    sim.control().clear_requests();
    let out = run(&sim, &["global", "shop.example", "on"]).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let patches: Vec<_> = sim
        .control()
        .requests()
        .into_iter()
        .filter(|r| r.method == "PATCH")
        .collect();
    assert_eq!(patches.len(), 1);
    assert_eq!(patches[0].body, Some(serde_json::json!({"value": "on"})));
    let zone = sim.control().zone_id("shop.example").unwrap();
    assert_eq!(sim.control().global(&zone).map(|g| g.on), Some(true));

    let locked = run(&sim, &["global", "mail.example", "off"]).await;
    assert_eq!(locked.status.code(), Some(1));
    assert!(text(&locked.stderr).contains("not editable"));
    sim.shutdown().await;
}

//! The real binary's subcommands against a simulator started by the test.

mod common;

use std::path::Path;
use std::process::{Output, Stdio};

use common::{TOKEN, bare, key_hash, leaf_pair, sim};
use originpull::sim::Simulator;
use tokio::task::JoinHandle;

async fn run(base_url: &str, token: Option<&str>, args: &[&str]) -> Output {
    common::run_binary(base_url, token, args).await
}

async fn ok(sim: &Simulator, args: &[&str]) -> String {
    let out = run(&sim.base_url(), Some(TOKEN), args).await;
    assert!(
        out.status.success(),
        "originpull {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

async fn fails(sim: &Simulator, args: &[&str]) -> String {
    let out = run(&sim.base_url(), Some(TOKEN), args).await;
    assert!(!out.status.success(), "originpull {args:?} should fail");
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(!stderr.contains("panicked"), "{stderr}");
    stderr
}

fn json(s: &str) -> serde_json::Value {
    serde_json::from_str(s).unwrap_or_else(|e| panic!("not JSON ({e}): {s}"))
}

/// A demo zone that has certificates, and one of its certificate ids.
async fn zone_with_certs(sim: &Simulator) -> (String, String) {
    let zones = json(&ok(sim, &["zones", "--json"]).await);
    for z in zones.as_array().unwrap() {
        let name = z["name"].as_str().unwrap().to_owned();
        let certs = json(&ok(sim, &["certs", &name, "--json"]).await);
        if let Some(c) = certs.as_array().unwrap().first() {
            return (name, c["id"].as_str().unwrap().to_owned());
        }
    }
    panic!("the demo has no zone with certificates");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn zones_json_lists_every_zone_with_api_field_names() {
    let sim = sim(Some(120)).await;
    let zones = json(&ok(&sim, &["zones", "--json"]).await);
    let zones = zones.as_array().unwrap();
    assert_eq!(zones.len(), 120);
    assert!(zones[0]["id"].as_str().unwrap().len() == 32);
    assert!(zones[0]["name"].is_string() && zones[0]["status"].is_string());

    let table = ok(&sim, &["zones", "--filter", "site-0006"]).await;
    let mut lines = table.lines();
    assert!(lines.next().unwrap().starts_with("NAME"));
    let rows: Vec<&str> = lines.collect();
    // site-00060 to site-00069: 120 zones are the 36 demo ones and site-00001..00084.
    assert_eq!(rows.len(), 10, "{table}");
    assert!(rows.iter().all(|l| l.contains("site-0006")), "{table}");
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn certs_show_and_status_print_what_the_api_holds() {
    let sim = sim(None).await;
    let (zone, cert_id) = zone_with_certs(&sim).await;
    let zone_id = sim.control().zone_id(&zone).unwrap();
    let truth = sim.control().certificates(&zone_id);

    let listed = json(&ok(&sim, &["certs", &zone, "--json"]).await);
    assert_eq!(listed.as_array().unwrap().len(), truth.len());
    for field in [
        "id",
        "status",
        "issuer",
        "signature",
        "expires_on",
        "uploaded_on",
        "certificate",
    ] {
        assert!(listed[0].get(field).is_some(), "{field} missing: {listed}");
    }
    assert!(listed[0].get("private_key").is_none());

    // By id as well as by name.
    let human = ok(&sim, &["certs", &zone_id]).await;
    assert!(
        human.contains("STATUS") && human.contains(&cert_id),
        "{human}"
    );

    let shown = json(&ok(&sim, &["show", &zone, &cert_id, "--json"]).await);
    assert_eq!(shown["id"], cert_id.as_str());
    let fp = shown["details"]["sha256_fingerprint"].as_str().unwrap();
    assert_eq!(fp.len(), 32 * 3 - 1, "{fp}");
    let human = ok(&sim, &["show", &zone, &cert_id]).await;
    assert!(human.contains("-----BEGIN CERTIFICATE-----") && human.contains("sha256"));

    let status = json(&ok(&sim, &["status", &zone, "--json"]).await);
    assert_eq!(status["zone"], zone.as_str());
    assert_eq!(status["enabled"].as_bool(), sim.control().enabled(&zone_id));
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn enable_disable_upload_delete_send_the_documented_requests() {
    let sim = sim(Some(40)).await;
    let control = sim.control();
    let zones = json(&ok(&sim, &["zones", "--json", "--filter", "starts_with:site-"]).await);
    let zone = zones[0]["name"].as_str().unwrap().to_owned();
    let zone_id = zones[0]["id"].as_str().unwrap().to_owned();

    ok(&sim, &["enable", &zone]).await;
    assert_eq!(control.enabled(&zone_id), Some(true));
    let out = ok(&sim, &["disable", &zone]).await;
    assert!(out.contains("Disabled"), "{out}");
    assert_eq!(control.enabled(&zone_id), Some(false));

    let dir = tempfile::tempdir().unwrap();
    let (cert, key) = leaf_pair(&format!("origin.{zone}"));
    let (cert_path, key_path) = write_pair(dir.path(), &cert, &key);
    control.clear_requests();
    let created = json(
        &ok(
            &sim,
            &[
                "upload", &zone, "--cert", &cert_path, "--key", &key_path, "--json",
            ],
        )
        .await,
    );
    let id = created["id"].as_str().unwrap().to_owned();
    let posts: Vec<_> = control
        .requests()
        .into_iter()
        .filter(|r| r.method == "POST")
        .collect();
    assert_eq!(posts.len(), 1);
    // Exactly the files' contents (the simulator keeps only a hash of the key).
    let body = posts[0].body.as_ref().unwrap();
    assert_eq!(body["certificate"], cert.as_str());
    assert_eq!(body["private_key"], key_hash(&key).as_str());
    assert_eq!(posts[0].content_type.as_deref(), Some("application/json"));

    // Without --yes and without a terminal, nothing is sent.
    control.clear_requests();
    let err = fails(&sim, &["delete", &zone, &id]).await;
    assert!(err.contains("--yes"), "{err}");
    assert!(control.requests().is_empty());

    ok(&sim, &["delete", &zone, &id, "--yes"]).await;
    let deletes: Vec<_> = control
        .requests()
        .into_iter()
        .filter(|r| r.method == "DELETE")
        .collect();
    assert_eq!(deletes.len(), 1);
    assert!(
        deletes[0]
            .path
            .ends_with(&format!("/origin_tls_client_auth/{id}"))
    );
    assert_eq!(deletes[0].body, None);
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_local_input_is_refused_before_any_request() {
    let sim = sim(Some(5)).await;
    let control = sim.control();
    let zone = "site-00001.example";
    let dir = tempfile::tempdir().unwrap();
    let (cert, key) = leaf_pair("a.example");
    let (_, other_key) = leaf_pair("b.example");
    let garbage = dir.path().join("garbage.pem");
    std::fs::write(&garbage, "hello, not a certificate").unwrap();
    let (cert_path, key_path) = write_pair(dir.path(), &cert, &key);
    let other_key_path = dir.path().join("other.key");
    std::fs::write(&other_key_path, other_key).unwrap();
    let missing = dir.path().join("missing.pem");
    let cases: [(&str, &str, &str); 4] = [
        (garbage.to_str().unwrap(), &key_path, "PEM"),
        (&cert_path, other_key_path.to_str().unwrap(), "match"),
        (missing.to_str().unwrap(), &key_path, "missing.pem"),
        (&cert_path, &cert_path, "certificate"),
    ];
    control.clear_requests();
    for (c, k, expect) in cases {
        let err = fails(&sim, &["upload", zone, "--cert", c, "--key", k]).await;
        assert!(err.contains(expect), "expected {expect:?} in: {err}");
        for line in key.lines().filter(|l| !l.starts_with("-----")) {
            assert!(!err.contains(line), "the key leaked: {err}");
        }
    }
    assert!(control.requests().is_empty(), "{:?}", control.requests());
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_token_fails_with_cloudflares_code_and_is_not_printed() {
    let sim = sim(Some(5)).await;
    let out = run(&sim.base_url(), Some("very-secret-wrong-token"), &["zones"]).await;
    assert!(!out.status.success());
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("10000") && stderr.contains("Authentication error"),
        "{stderr}"
    );
    assert!(stderr.contains("hint:"), "{stderr}");
    let all = format!("{stderr}{}", String::from_utf8_lossy(&out.stdout));
    assert!(!all.contains("very-secret-wrong-token"));
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plain_http_to_another_host_and_missing_credentials_are_refused() {
    let out = run("http://api.example.test/client/v4", Some(TOKEN), &["zones"]).await;
    assert!(!out.status.success());
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("refusing plain http://"), "{stderr}");

    let out = run("http://127.0.0.1:9/client/v4", None, &["zones"]).await;
    assert!(!out.status.success());
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("CLOUDFLARE_API_TOKEN") && stderr.contains("--demo"),
        "{stderr}"
    );
}

/// A stand-in for the API with one zone, `zone_id`, whose every certificate call
/// answers `cert`: the simulator only sends fields this client knows.
async fn stand_in(zone_id: &'static str, cert: serde_json::Value) -> (String, JoinHandle<()>) {
    use axum::http::{Method, Uri};
    let envelope = |result| {
        axum::Json(serde_json::json!({
            "success": true, "errors": [], "messages": [], "result": result
        }))
    };
    let router = axum::Router::new().fallback(move |method: Method, uri: Uri| async move {
        let path = uri.path();
        if path == format!("/client/v4/zones/{zone_id}") {
            envelope(serde_json::json!({"id": zone_id, "name": "extra.example"}))
        } else if method == Method::GET && path.ends_with("/origin_tls_client_auth") {
            envelope(serde_json::json!([cert]))
        } else {
            envelope(cert)
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base_url = format!("http://{}/client/v4", listener.local_addr().unwrap());
    let server = tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    (base_url, server)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_output_keeps_fields_the_api_added_but_never_a_private_key() {
    const ZONE_ID: &str = "0123456789abcdef0123456789abcdef";
    const CERT_ID: &str = "2458ce5a-0c35-4c7f-82c7-8e9487d3ff60";
    const KEY_BODY: &str = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQDB";
    let (pem, _) = leaf_pair("edge.extra.example");
    // As the schema's own list example does, this one echoes a private key.
    let cert = serde_json::json!({
        "id": CERT_ID,
        "status": "active",
        "certificate": pem,
        "enabled": true,
        "added_later": {"nested": [1, "two"]},
        "private_key": format!("-----BEGIN PRIVATE KEY-----\n{KEY_BODY}\n-----END PRIVATE KEY-----\n"),
    });
    let (base_url, server) = stand_in(ZONE_ID, cert).await;
    let dir = tempfile::tempdir().unwrap();
    let (upload_cert, upload_key) = leaf_pair("origin.extra.example");
    let (cert_path, key_path) = write_pair(dir.path(), &upload_cert, &upload_key);

    let commands: [&[&str]; 3] = [
        &["certs", ZONE_ID, "--json"],
        &["show", ZONE_ID, CERT_ID, "--json"],
        &[
            "upload", ZONE_ID, "--cert", &cert_path, "--key", &key_path, "--json",
        ],
    ];
    for args in commands {
        let out = run(&base_url, Some(TOKEN), args).await;
        let stdout = String::from_utf8(out.stdout).unwrap();
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert!(out.status.success(), "{args:?}: {stderr}");
        let printed = json(&stdout);
        let printed = printed.get(0).unwrap_or(&printed);
        assert_eq!(printed["id"], CERT_ID, "{args:?}: {stdout}");
        assert_eq!(printed["enabled"], true, "{args:?}: {stdout}");
        assert_eq!(
            printed["added_later"],
            serde_json::json!({"nested": [1, "two"]}),
            "{args:?}: {stdout}"
        );
        for printed in [&stdout, &stderr] {
            assert!(
                !printed.contains("private_key") && !printed.contains(KEY_BODY),
                "{args:?}: {printed}"
            );
        }
    }
    server.abort();
}

fn write_pair(dir: &Path, cert: &str, key: &str) -> (String, String) {
    let c = dir.join("cert.pem");
    let k = dir.join("key.pem");
    std::fs::write(&c, cert).unwrap();
    std::fs::write(&k, key).unwrap();
    (c.display().to_string(), k.display().to_string())
}

#[test]
fn demo_with_a_subcommand_is_a_usage_error_not_a_call_to_the_real_api() {
    let out = bare(&["--demo", "zones"], &[("CLOUDFLARE_API_TOKEN", TOKEN)])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    // clap's usage lines follow the message after a blank line.
    let message = stderr.split("\n\n").next().unwrap();
    assert!(
        message.contains("--demo") && message.contains("originpull sim"),
        "{stderr}"
    );
    assert!(message.ends_with("CLOUDFLARE_BASE_URL at it"), "{stderr}");
    assert!(!message.contains("  "), "a run of spaces in {message:?}");
}

#[test]
fn the_simulator_starts_despite_a_config_it_does_not_use() {
    use std::io::{BufRead, BufReader};
    let home = tempfile::tempdir().unwrap();
    // A half global-key pair is an error for every command that calls the API.
    let home = home.path().to_str().unwrap();
    let mut sim = bare(
        &["sim", "--port", "0"],
        &[("HOME", home), ("CLOUDFLARE_EMAIL", "ops@example.test")],
    )
    .stdout(Stdio::piped())
    .stderr(Stdio::piped())
    .spawn()
    .unwrap();
    let stdout = BufReader::new(sim.stdout.take().unwrap());
    let listening = stdout
        .lines()
        .map_while(Result::ok)
        .any(|l| l.contains("CLOUDFLARE_BASE_URL=http://127.0.0.1:"));
    sim.kill().unwrap();
    let out = sim.wait_with_output().unwrap();
    assert!(listening, "{}", String::from_utf8_lossy(&out.stderr));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("CLOUDFLARE_API_KEY") && stderr.contains("ignored"),
        "{stderr}"
    );
}

#[test]
fn an_unknown_log_level_is_a_usage_error() {
    let out = bare(&["--log-level", "verbose", "zones"], &[])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("possible values"));
}

//! Per-hostname AOP: the client against the simulator over loopback for every call and
//! error, the three `enabled` states and the bodies that carry them, discovery within
//! its calls, and `originpull hostnames` through the real binary.

mod common;

use std::process::Output;

use common::{TOKEN, bare, client_for, leaf_pair, sim};
use originpull::api::{CertStatus, HostnameSetting};
use originpull::sim::{FaultKind, FaultRule, RecordedRequest, Simulator};
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair, KeyUsagePurpose};
use serde_json::{Value, json};

/// A self-signed CA: what a user uploads by mistake instead of the leaf.
fn ca_pair() -> (String, String) {
    let key = KeyPair::generate().unwrap();
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign];
    params
        .distinguished_name
        .push(DnType::CommonName, "Oops CA");
    (params.self_signed(&key).unwrap().pem(), key.serialize_pem())
}

/// A zone of the demo account with no hostname certificate yet.
fn plain_zone(sim: &Simulator) -> String {
    sim.control().zone_id("blog.example").unwrap()
}

fn puts(sim: &Simulator) -> Vec<RecordedRequest> {
    sim.control()
        .requests()
        .into_iter()
        .filter(|r| r.method == "PUT" && r.path.ends_with("/origin_tls_client_auth/hostnames"))
        .collect()
}

fn setting(hostname: &str, cert_id: &str, enabled: Option<bool>) -> HostnameSetting {
    HostnameSetting {
        hostname: hostname.to_owned(),
        cert_id: Some(cert_id.to_owned()),
        enabled,
    }
}

#[tokio::test]
async fn hostname_certificates_upload_list_get_delete() {
    let sim = sim(None).await;
    let client = client_for(&sim);
    let zone = plain_zone(&sim);
    let (cert, key) = leaf_pair("www.blog.example");
    let created = client
        .upload_hostname_certificate(&zone, &cert, &key.clone().into())
        .await
        .unwrap();
    let id = created.id.clone().unwrap();
    assert_eq!(created.status, Some(CertStatus::PendingDeployment));
    let listed = client.list_hostname_certificates(&zone).await.unwrap();
    assert!(listed.iter().any(|c| c.id.as_deref() == Some(id.as_str())));
    let got = client.get_hostname_certificate(&zone, &id).await.unwrap();
    assert_eq!(got.certificate.as_deref(), Some(cert.as_str()));
    let deleted = client
        .delete_hostname_certificate(&zone, &id)
        .await
        .unwrap();
    assert_eq!(deleted.status, Some(CertStatus::PendingDeletion));
    // The key went up once, and the simulator keeps only its hash.
    let upload = sim
        .control()
        .requests()
        .into_iter()
        .find(|r| r.method == "POST")
        .unwrap();
    assert_eq!(
        upload.body.unwrap()["private_key"],
        Value::String(common::key_hash(&key))
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn the_three_enabled_states_and_the_bodies_that_carry_them() {
    let sim = sim(None).await;
    let client = client_for(&sim);
    let zone = plain_zone(&sim);
    let (cert, key) = leaf_pair("www.blog.example");
    let id = client
        .upload_hostname_certificate(&zone, &cert, &key.into())
        .await
        .unwrap()
        .id
        .unwrap();
    let hosts = ["www.blog.example", "api.blog.example"];

    // true: both in one PUT, with the documented body.
    let settings: Vec<_> = hosts.iter().map(|h| setting(h, &id, Some(true))).collect();
    let answer = client.set_hostnames(&zone, &settings).await.unwrap();
    assert_eq!(answer.len(), 2);
    assert!(answer.iter().all(|a| a.enabled == Some(true)));
    let sent = puts(&sim);
    assert_eq!(sent.len(), 1, "one PUT for both");
    assert_eq!(
        sent[0].body.as_ref().unwrap(),
        &json!({"config": [
            {"hostname": "www.blog.example", "cert_id": id, "enabled": true},
            {"hostname": "api.blog.example", "cert_id": id, "enabled": true},
        ]})
    );
    let www = client.get_hostname(&zone, hosts[0]).await.unwrap().unwrap();
    assert_eq!(
        (www.enabled, www.cert_id.as_deref()),
        (Some(true), Some(id.as_str()))
    );

    // false: the association stays, no certificate is sent.
    client
        .set_hostnames(&zone, &[setting(hosts[0], &id, Some(false))])
        .await
        .unwrap();
    let www = client.get_hostname(&zone, hosts[0]).await.unwrap().unwrap();
    assert_eq!(
        (www.enabled, www.cert_id.as_deref()),
        (Some(false), Some(id.as_str()))
    );

    // null: the association goes; the body says `"enabled": null`, not false or nothing.
    client
        .set_hostnames(&zone, &[setting(hosts[0], &id, None)])
        .await
        .unwrap();
    let last = puts(&sim).pop().unwrap().body.unwrap();
    let entry = &last["config"][0];
    assert!(
        entry.as_object().unwrap().contains_key("enabled") && entry["enabled"].is_null(),
        "{last}"
    );
    assert_eq!(client.get_hostname(&zone, hosts[0]).await.unwrap(), None);
    assert!(
        client
            .get_hostname(&zone, hosts[1])
            .await
            .unwrap()
            .is_some()
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn a_hostname_never_associated_reads_as_none_whether_404_or_nulls() {
    let sim = sim(None).await;
    let client = client_for(&sim);
    let zone = plain_zone(&sim);
    assert_eq!(
        client
            .get_hostname(&zone, "nobody.blog.example")
            .await
            .unwrap(),
        None
    );
    sim.control().inject(FaultRule {
        method: Some("GET".into()),
        path_contains: "/hostnames/nobody".into(),
        times: 1,
        kind: FaultKind::Reply {
            status: 200,
            body: json!({"success": true, "errors": [], "messages": [], "result": {
                "hostname": null, "cert_id": null, "enabled": null, "status": null,
                "cert_status": null, "private_key": "-----BEGIN PRIVATE KEY-----"
            }}),
        },
    });
    assert_eq!(
        client
            .get_hostname(&zone, "nobody.blog.example")
            .await
            .unwrap(),
        None
    );
    // A route the API does not know is a fault, not "no association".
    sim.control().inject(FaultRule {
        method: Some("GET".into()),
        path_contains: "/hostnames/nobody".into(),
        times: 1,
        kind: FaultKind::Reply {
            status: 404,
            body: json!({"success": false, "errors": [{"code": 7003, "message": "Could not route"}], "messages": [], "result": null}),
        },
    });
    assert!(
        client
            .get_hostname(&zone, "nobody.blog.example")
            .await
            .is_err()
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn errors_1412_and_1415_are_explained() {
    let sim = sim(None).await;
    let client = client_for(&sim);
    let zone = plain_zone(&sim);
    let (ca, ca_key) = ca_pair();
    let e = client
        .upload_hostname_certificate(&zone, &ca, &ca_key.into())
        .await
        .unwrap_err();
    assert!(e.has_code(1412), "{e}");
    assert!(e.hint().unwrap().contains("leaf"), "{:?}", e.hint());
    let e = client
        .set_hostnames(
            &zone,
            &[setting(
                "www.blog.example",
                "00000000-0000-4000-8000-000000000000",
                Some(true),
            )],
        )
        .await
        .unwrap_err();
    assert!(e.has_code(1415), "{e}");
    assert!(
        e.hint().unwrap().contains("hostnames certs"),
        "{:?}",
        e.hint()
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn discovery_costs_the_dns_pages_and_one_call_per_hostname() {
    let sim = sim(None).await;
    let client = client_for(&sim);
    let zone = sim.control().zone_id("app.example").unwrap();
    sim.control().clear_requests();
    let proxied = client.proxied_hostnames(&zone).await.unwrap();
    assert!(!proxied.is_empty(), "the demo zone has proxied records");
    let pages = sim.control().requests().len();
    let asked = originpull::hostnames::merge(&[], [], &proxied);
    let states = originpull::hostnames::associations(&client, &zone, asked).await;
    assert_eq!(states.len(), proxied.len());
    assert_eq!(
        sim.control().requests().len(),
        pages + proxied.len(),
        "one call per hostname"
    );
    assert!(states.iter().all(|s| s.error.is_none()));
    sim.shutdown().await;
}

// ---- through the binary -------------------------------------------------------------

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

    async fn run(&self, args: &[&str]) -> Output {
        let home = self.home.path();
        let mut cmd = bare(
            args,
            &[
                ("CLOUDFLARE_BASE_URL", self.base_url.as_str()),
                ("CLOUDFLARE_API_TOKEN", TOKEN),
                ("HOME", home.to_str().unwrap()),
                ("XDG_STATE_HOME", home.join("state").to_str().unwrap()),
            ],
        );
        tokio::task::spawn_blocking(move || cmd.output().unwrap())
            .await
            .unwrap()
    }

    async fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args).await;
        assert!(
            out.status.success(),
            "originpull {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cli_set_status_clear_and_delete_refused_while_in_use() {
    let sim = sim(None).await;
    let bin = Bin::new(&sim);
    let dir = tempfile::tempdir().unwrap();
    let (cert, key) = leaf_pair("www.blog.example");
    std::fs::write(dir.path().join("h.pem"), cert).unwrap();
    std::fs::write(dir.path().join("h.key"), key).unwrap();
    let (c, k) = (
        dir.path().join("h.pem").display().to_string(),
        dir.path().join("h.key").display().to_string(),
    );
    let created: Value = serde_json::from_str(
        &bin.ok(&[
            "hostnames",
            "upload",
            "blog.example",
            "--cert",
            &c,
            "--key",
            &k,
            "--json",
        ])
        .await,
    )
    .unwrap();
    let id = created["id"].as_str().unwrap().to_owned();
    let listed = bin.ok(&["hostnames", "certs", "blog.example"]).await;
    assert!(listed.contains(&id), "{listed}");

    sim.control().clear_requests();
    let set = bin
        .ok(&[
            "hostnames",
            "set",
            "blog.example",
            "www.blog.example",
            "api.blog.example",
            "--cert",
            &id,
            "--enable",
        ])
        .await;
    assert!(
        set.contains("www.blog.example") && set.contains("enabled"),
        "{set}"
    );
    assert_eq!(puts(&sim).len(), 1, "many hostnames, one PUT");

    // The two hostnames are known now: status asks about them without being told.
    let status: Value = serde_json::from_str(
        &bin.ok(&["hostnames", "status", "blog.example", "--json"])
            .await,
    )
    .unwrap();
    let names: Vec<&str> = status
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["hostname"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["api.blog.example", "www.blog.example"]);
    assert!(
        status
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["association"]["enabled"] == json!(true))
    );

    // Still in use: refused without --force, and nothing deleted.
    let refused = bin
        .run(&["hostnames", "delete", "blog.example", &id, "--yes"])
        .await;
    assert_eq!(refused.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(
        stderr.contains("still use it") && stderr.contains("--force"),
        "{stderr}"
    );
    assert!(
        !sim.control()
            .requests()
            .iter()
            .any(|r| r.method == "DELETE")
    );

    // Cleared: `"enabled": null` in one PUT; then the delete goes through.
    bin.ok(&[
        "hostnames",
        "clear",
        "blog.example",
        "www.blog.example",
        "api.blog.example",
    ])
    .await;
    let last = puts(&sim).pop().unwrap().body.unwrap();
    assert!(
        last["config"].as_array().unwrap().iter().all(|e| e
            .as_object()
            .unwrap()
            .contains_key("enabled")
            && e["enabled"].is_null()),
        "{last}"
    );
    let deleted = bin
        .ok(&["hostnames", "delete", "blog.example", &id, "--yes"])
        .await;
    assert!(deleted.contains("pending_deletion"), "{deleted}");
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cli_status_discover_finds_the_associations_of_proxied_hostnames() {
    let sim = sim(None).await;
    let client = client_for(&sim);
    let zone = sim.control().zone_id("app.example").unwrap();
    let proxied = client.proxied_hostnames(&zone).await.unwrap();
    let cert = client.list_hostname_certificates(&zone).await.unwrap()[0]
        .id
        .clone()
        .unwrap();
    // Associate the first proxied hostname behind originpull's back.
    client
        .set_hostnames(&zone, &[setting(&proxied[0], &cert, Some(true))])
        .await
        .unwrap();
    let bin = Bin::new(&sim);
    let plain = bin.ok(&["hostnames", "status", "app.example"]).await;
    assert!(plain.contains("no hostname known"), "{plain}");
    let found: Value = serde_json::from_str(
        &bin.ok(&["hostnames", "status", "app.example", "--discover", "--json"])
            .await,
    )
    .unwrap();
    let row = found
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["hostname"] == json!(proxied[0]))
        .unwrap();
    assert_eq!(row["association"]["cert_id"], json!(cert));
    assert_eq!(row["source"], "discovered");
    // Known from now on, without --discover.
    let again = bin.ok(&["hostnames", "status", "app.example"]).await;
    assert!(again.contains(&proxied[0]), "{again}");
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rotate_hostnames_moves_every_known_hostname_then_deletes_the_old_certificate() {
    let sim = sim(None).await;
    let client = client_for(&sim);
    let bin = Bin::new(&sim);
    let zone = plain_zone(&sim);
    let (old_cert, old_key) = leaf_pair("old.blog.example");
    let old = client
        .upload_hostname_certificate(&zone, &old_cert, &old_key.into())
        .await
        .unwrap()
        .id
        .unwrap();
    // Known through originpull: one enabled, one disabled.
    bin.ok(&[
        "hostnames",
        "set",
        "blog.example",
        "www.blog.example",
        "--cert",
        &old,
        "--enable",
    ])
    .await;
    bin.ok(&[
        "hostnames",
        "set",
        "blog.example",
        "api.blog.example",
        "--cert",
        &old,
        "--disable",
    ])
    .await;
    let dir = tempfile::tempdir().unwrap();
    let (cert, key) = leaf_pair("new.blog.example");
    std::fs::write(dir.path().join("n.pem"), &cert).unwrap();
    std::fs::write(dir.path().join("n.key"), key).unwrap();
    let (c, k) = (
        dir.path().join("n.pem").display().to_string(),
        dir.path().join("n.key").display().to_string(),
    );
    sim.control().clear_requests();
    let out = bin
        .run(&[
            "rotate",
            "blog.example",
            "--hostnames",
            "--cert",
            &c,
            "--key",
            &k,
            "--yes",
            "--json",
        ])
        .await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let row = &report["zones"][0];
    assert_eq!(row["outcome"], "rotated", "{report}");
    assert_eq!(row["deleted"], json!([old]));
    assert_eq!(
        row["moved"],
        json!(["api.blog.example", "www.blog.example"])
    );
    let new_id = row["new_id"].as_str().unwrap().to_owned();

    assert_eq!(puts(&sim).len(), 1, "both hostnames moved in one PUT");
    let www = client
        .get_hostname(&zone, "www.blog.example")
        .await
        .unwrap()
        .unwrap();
    let api = client
        .get_hostname(&zone, "api.blog.example")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (www.cert_id.as_deref(), www.enabled),
        (Some(new_id.as_str()), Some(true))
    );
    assert_eq!(
        (api.cert_id.as_deref(), api.enabled),
        (Some(new_id.as_str()), Some(false))
    );
    // The old one was deleted only after the move; the new one is never deleted.
    let requests = sim.control().requests();
    let put_at = requests.iter().position(|r| r.method == "PUT").unwrap();
    let delete_at = requests.iter().position(|r| r.method == "DELETE").unwrap();
    assert!(delete_at > put_at);
    assert!(requests[delete_at].path.ends_with(&old));
    let certs = client.list_hostname_certificates(&zone).await.unwrap();
    assert!(
        certs
            .iter()
            .any(|c| c.id.as_deref() == Some(new_id.as_str())
                && c.status == Some(CertStatus::Active))
    );
    assert!(
        certs.iter().all(|c| c.id.as_deref() != Some(old.as_str())
            || c.status == Some(CertStatus::PendingDeletion))
    );
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn audit_finds_a_known_hostname_on_a_certificate_that_is_gone() {
    let sim = sim(None).await;
    let client = client_for(&sim);
    let bin = Bin::new(&sim);
    let zone = plain_zone(&sim);
    let (cert, key) = leaf_pair("www.blog.example");
    let id = client
        .upload_hostname_certificate(&zone, &cert, &key.into())
        .await
        .unwrap()
        .id
        .unwrap();
    bin.ok(&[
        "hostnames",
        "set",
        "blog.example",
        "www.blog.example",
        "--cert",
        &id,
        "--enable",
    ])
    .await;
    let clean: Value = serde_json::from_str(
        &bin.ok(&[
            "audit",
            "blog.example",
            "--format",
            "json",
            "--fail-on",
            "error",
        ])
        .await,
    )
    .unwrap();
    let codes = |audit: &Value| -> Vec<String> {
        audit[0]["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["code"].as_str().unwrap().to_owned())
            .collect()
    };
    assert!(!codes(&clean).contains(&"hostname-certificate-gone".to_owned()));
    bin.ok(&[
        "hostnames",
        "delete",
        "blog.example",
        &id,
        "--yes",
        "--force",
    ])
    .await;
    let out = bin
        .run(&[
            "audit",
            "blog.example",
            "--format",
            "json",
            "--max-age",
            "0s",
        ])
        .await;
    assert_eq!(out.status.code(), Some(3), "an error-level finding");
    let audit: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        codes(&audit).contains(&"hostname-certificate-gone".to_owned()),
        "{audit}"
    );
    sim.shutdown().await;
}

//! `verify-origin` against origins whose behaviour is known: rustls servers (with
//! `WebPkiClientVerifier`) that require a client certificate, request one, ignore it, or
//! trust a different CA; over TLS 1.3 (the refusal comes after the handshake) and TLS 1.2
//! (within it). Then the bad inputs, and the binary's exit statuses and JSON.

mod common;

use std::path::Path;
use std::time::Duration;

use common::test_origin::{ClientAuth, ORIGIN_NAME, Pki, TestOrigin, Versions};
use originpull::origin::verify::{
    self, Identity, Outcome, Probe, Refusal, Target, Verdict, VerifyError,
};

const STEP: Duration = Duration::from_secs(5);

fn probe(target: &str, identity: Option<(&Path, &Path)>) -> Probe {
    Probe {
        target: Target::parse(target).unwrap(),
        sni: Some(ORIGIN_NAME.to_owned()),
        identity: identity.map(|(cert, key)| Identity::load(cert, key).unwrap()),
        timeout: STEP,
        insecure: true,
    }
}

async fn verdict(origin: &TestOrigin, pki: &Pki) -> verify::Report {
    verify::verify(&probe(&origin.target(), Some((&pki.cert(), &pki.key()))))
        .await
        .unwrap()
}

#[tokio::test]
async fn an_origin_that_requires_the_certificate_and_trusts_its_ca() {
    let dir = tempfile::tempdir().unwrap();
    let pki = Pki::new(dir.path(), "ours");
    for versions in [Versions::Both, Versions::Tls12Only] {
        let origin = TestOrigin::start(ClientAuth::Required(&pki), versions).await;
        let report = verdict(&origin, &pki).await;
        assert_eq!(report.verdict, Verdict::RequiredAndAccepted, "{report:#?}");
        assert!(report.required);
        assert_eq!(report.accepted, Some(true));
        let without = &report.without_certificate;
        assert!(without.asked);
        assert_eq!(
            without.acceptable_cas,
            vec!["CN=originpull AOP CA for ours.example".to_owned()]
        );
        assert!(
            matches!(without.outcome, Outcome::Refused { .. }),
            "{without:?}"
        );
        let with = report.with_certificate.as_ref().unwrap();
        assert_eq!(
            with.outcome,
            Outcome::Admitted {
                http_status: Some(200)
            }
        );
        let server = report.server_certificate.as_ref().unwrap();
        assert_eq!(server.subject, format!("CN={ORIGIN_NAME}"));
        assert!(!server.checked, "--insecure is reported");
        assert!(!report.trusts_shared_ca);
        match versions {
            // TLS 1.3's refusal follows the handshake: rustls names it.
            Versions::Both => {
                assert_eq!(report.tls_version.as_deref(), Some("TLS 1.3"));
                assert_eq!(
                    without.outcome,
                    Outcome::Refused {
                        refusal: Refusal::Alert {
                            alert: "certificate_required".to_owned()
                        }
                    }
                );
            }
            Versions::Tls12Only => assert_eq!(report.tls_version.as_deref(), Some("TLS 1.2")),
        }
    }
}

#[tokio::test]
async fn an_origin_that_only_asks_does_not_require() {
    let dir = tempfile::tempdir().unwrap();
    let pki = Pki::new(dir.path(), "ours");
    let origin = TestOrigin::start(ClientAuth::Optional(&pki), Versions::Both).await;
    let report = verdict(&origin, &pki).await;
    assert_eq!(report.verdict, Verdict::NotRequired, "{report:#?}");
    assert!(report.without_certificate.asked);
    assert_eq!(
        report.without_certificate.outcome,
        Outcome::Admitted {
            http_status: Some(200)
        }
    );
    assert_eq!(report.accepted, Some(true));
    assert!(!report.verdict.passed());
}

#[tokio::test]
async fn an_origin_that_never_asks_does_not_require() {
    let dir = tempfile::tempdir().unwrap();
    let pki = Pki::new(dir.path(), "ours");
    let origin = TestOrigin::start(ClientAuth::Off, Versions::Both).await;
    let report = verdict(&origin, &pki).await;
    assert_eq!(report.verdict, Verdict::NotRequired);
    assert!(!report.without_certificate.asked);
    assert!(!report.with_certificate.as_ref().unwrap().asked);
}

#[tokio::test]
async fn an_origin_that_trusts_another_ca_turns_the_certificate_away() {
    let dir = tempfile::tempdir().unwrap();
    let ours = Pki::new(dir.path(), "ours");
    let theirs = Pki::new(dir.path(), "theirs");
    for versions in [Versions::Both, Versions::Tls12Only] {
        let origin = TestOrigin::start(ClientAuth::Required(&theirs), versions).await;
        let report = verdict(&origin, &ours).await;
        assert_eq!(report.verdict, Verdict::NotAccepted, "{report:#?}");
        assert_eq!(report.accepted, Some(false));
        let version = match versions {
            Versions::Both => "TLS 1.3",
            Versions::Tls12Only => "TLS 1.2",
        };
        assert_eq!(report.tls_version.as_deref(), Some(version));
        assert_eq!(
            report.without_certificate.acceptable_cas,
            vec!["CN=originpull AOP CA for theirs.example".to_owned()]
        );
        assert_eq!(
            report.with_certificate.unwrap().outcome,
            Outcome::Refused {
                refusal: Refusal::Alert {
                    alert: "unknown_ca".to_owned()
                }
            }
        );
    }
}

#[tokio::test]
async fn another_certificate_of_the_trusted_ca_is_accepted_and_no_certificate_only_checks_the_requirement()
 {
    let dir = tempfile::tempdir().unwrap();
    let pki = Pki::new(dir.path(), "ours");
    let origin = TestOrigin::start(ClientAuth::Required(&pki), Versions::Both).await;
    let sibling = pki.another(dir.path(), "sibling");
    let report = verify::verify(&probe(
        &origin.target(),
        Some((&sibling.join("client.pem"), &sibling.join("client.key"))),
    ))
    .await
    .unwrap();
    assert_eq!(report.verdict, Verdict::RequiredAndAccepted);

    let report = verify::verify(&probe(&origin.target(), None))
        .await
        .unwrap();
    assert_eq!(report.verdict, Verdict::Required);
    assert!(report.verdict.passed());
    assert!(report.with_certificate.is_none() && report.accepted.is_none());
}

#[tokio::test]
async fn an_untrusted_origin_certificate_stops_the_check_unless_insecure() {
    let dir = tempfile::tempdir().unwrap();
    let pki = Pki::new(dir.path(), "ours");
    let origin = TestOrigin::start(ClientAuth::Required(&pki), Versions::Both).await;
    let mut checked = probe(&origin.target(), None);
    checked.insecure = false;
    let err = verify::verify(&checked).await.unwrap_err();
    assert!(
        matches!(err, VerifyError::ServerCertificate { .. }),
        "{err:?}"
    );
    let message = err.to_string();
    assert!(
        message.contains("CN=origin.test") && message.contains("--insecure"),
        "{message}"
    );
}

#[tokio::test]
async fn what_cannot_be_reached_is_said_plainly() {
    // A port nobody listens on.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = closed.local_addr().unwrap();
    drop(closed);
    let err = verify::verify(&probe(&addr.to_string(), None))
        .await
        .unwrap_err();
    assert!(matches!(err, VerifyError::Refused { .. }), "{err:?}");
    assert!(err.to_string().contains("nothing listens"), "{err}");

    // A plain HTTP port.
    let http = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let http_addr = http.local_addr().unwrap();
    let server = tokio::spawn(async move {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        while let Ok((mut tcp, _)) = http.accept().await {
            let mut buf = [0u8; 512];
            let _ = tcp.read(&mut buf).await;
            let _ = tcp
                .write_all(
                    b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                )
                .await;
        }
    });
    let err = verify::verify(&probe(&http_addr.to_string(), None))
        .await
        .unwrap_err();
    assert!(matches!(err, VerifyError::NotTls { .. }), "{err:?}");
    assert!(err.to_string().contains("does not speak TLS"), "{err}");
    server.abort();

    // A port that accepts and then says nothing.
    let silent = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let silent_addr = silent.local_addr().unwrap();
    let held = tokio::spawn(async move {
        let mut open = Vec::new();
        while let Ok((tcp, _)) = silent.accept().await {
            open.push(tcp);
        }
    });
    let mut quick = probe(&silent_addr.to_string(), None);
    quick.timeout = Duration::from_millis(300);
    let err = verify::verify(&quick).await.unwrap_err();
    assert!(
        matches!(
            err,
            VerifyError::Timeout {
                step: "the TLS handshake",
                ..
            }
        ),
        "{err:?}"
    );
    held.abort();

    // A name that cannot resolve (.invalid never does).
    let mut nowhere = probe("origin.invalid:443", None);
    nowhere.sni = None;
    nowhere.timeout = Duration::from_secs(3);
    let err = verify::verify(&nowhere).await.unwrap_err();
    assert!(matches!(err, VerifyError::DoesNotResolve { .. }), "{err:?}");
}

#[test]
fn targets_parse_as_people_write_them() {
    let t = |s: &str| Target::parse(s).map(|t| (t.host, t.port));
    assert_eq!(t("origin.example"), Ok(("origin.example".into(), 443)));
    assert_eq!(
        t("origin.example:8443"),
        Ok(("origin.example".into(), 8443))
    );
    assert_eq!(t("203.0.113.7:8443"), Ok(("203.0.113.7".into(), 8443)));
    assert_eq!(t("[2001:db8::1]:8443"), Ok(("2001:db8::1".into(), 8443)));
    assert_eq!(t("2001:db8::1"), Ok(("2001:db8::1".into(), 443)));
    for bad in [
        "",
        "origin.example:",
        "origin.example:0",
        "origin.example:99999",
        "[::1",
        "a b",
    ] {
        assert!(t(bad).is_err(), "{bad:?}");
    }
}

#[test]
fn the_identity_debug_output_hides_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let pki = Pki::new(dir.path(), "ours");
    let identity = Identity::load(&pki.cert(), &pki.key()).unwrap();
    let debug = format!("{identity:?}");
    let key = std::fs::read_to_string(pki.key()).unwrap();
    let body: String = key.lines().filter(|l| !l.starts_with("-----")).collect();
    assert!(debug.contains("[REDACTED]"), "{debug}");
    assert!(!debug.contains(&body[..20]), "{debug}");
}

/// The binary: words, JSON, and the exit statuses scripts rely on.
#[tokio::test(flavor = "multi_thread")]
async fn the_binary_exits_0_3_and_1_and_prints_json() {
    let dir = tempfile::tempdir().unwrap();
    let ours = Pki::new(dir.path(), "ours");
    let theirs = Pki::new(dir.path(), "theirs");
    let required = TestOrigin::start(ClientAuth::Required(&ours), Versions::Both).await;
    let optional = TestOrigin::start(ClientAuth::Optional(&ours), Versions::Both).await;
    let foreign = TestOrigin::start(ClientAuth::Required(&theirs), Versions::Both).await;
    let cert = ours.cert().display().to_string();
    let key = ours.key().display().to_string();
    let run = |target: String, extra: Vec<String>| {
        let mut args = vec![
            "verify-origin".to_owned(),
            target,
            "--sni".into(),
            ORIGIN_NAME.into(),
            "--insecure".into(),
            "--timeout".into(),
            "5".into(),
        ];
        args.extend(extra);
        tokio::task::spawn_blocking(move || {
            let refs: Vec<&str> = args.iter().map(String::as_str).collect();
            common::bare(&refs, &[]).output().unwrap()
        })
    };
    let with_cert = || {
        vec![
            "--cert".to_owned(),
            cert.clone(),
            "--key".to_owned(),
            key.clone(),
        ]
    };

    let out = run(required.target(), with_cert()).await.unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("✓ required and accepted"), "{stdout}");
    assert!(
        stdout.contains("TLS alert certificate_required"),
        "{stdout}"
    );
    assert!(stdout.contains("NOT checked (--insecure)"), "{stdout}");
    let key_text = std::fs::read_to_string(ours.key()).unwrap();
    assert!(
        !stdout.contains(key_text.lines().nth(1).unwrap()),
        "the key was printed"
    );

    let out = run(optional.target(), with_cert()).await.unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(3), "{stdout}");
    assert!(stdout.contains("✗ not required"), "{stdout}");
    assert!(stdout.contains("does not insist"), "{stdout}");

    let mut json = with_cert();
    json.push("--json".into());
    let out = run(foreign.target(), json).await.unwrap();
    assert_eq!(out.status.code(), Some(3));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["verdict"], "not_accepted");
    assert_eq!(report["required"], true);
    assert_eq!(report["accepted"], false);
    assert_eq!(report["without_certificate"]["asked"], true);
    assert_eq!(report["without_certificate"]["result"], "refused");
    assert_eq!(report["with_certificate"]["result"], "refused");
    assert_eq!(report["with_certificate"]["refusal"]["by"], "alert");
    assert_eq!(report["with_certificate"]["refusal"]["alert"], "unknown_ca");
    assert_eq!(report["server_certificate"]["checked"], false);

    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let nobody = closed.local_addr().unwrap().to_string();
    drop(closed);
    let out = run(nobody, Vec::new()).await.unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("nothing listens"));

    // A key that is not the certificate's: refused before any connection.
    let out = run(
        required.target(),
        vec![
            "--cert".into(),
            cert.clone(),
            "--key".into(),
            theirs.key().display().to_string(),
        ],
    )
    .await
    .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("does not match the certificate"),
        "{stderr}"
    );

    let out = run(
        required.target(),
        vec![
            "--cert".into(),
            dir.path().join("missing.pem").display().to_string(),
            "--key".into(),
            key.clone(),
        ],
    )
    .await
    .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("does not exist"));

    let out = run(required.target(), vec!["--cert".into(), cert.clone()])
        .await
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(2),
        "--cert without --key is a usage error"
    );
}

//! `new-cert` and `origin-config` through the real binary: what they write, what they
//! refuse, and that what `new-cert` makes passes originpull's upload checks and the
//! simulator's.

mod common;

use std::fs;
use std::path::Path;

use originpull::certinfo;
use originpull::origin::shared_ca;

fn run(args: &[&str]) -> std::process::Output {
    common::bare(args, &[]).output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// Every file in `dir`, with its bytes: to show that a refusal changed nothing.
fn snapshot(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<_> = match fs::read_dir(dir) {
        Ok(entries) => entries
            .map(|e| {
                let e = e.unwrap();
                (
                    e.file_name().to_string_lossy().into_owned(),
                    fs::read(e.path()).unwrap(),
                )
            })
            .collect(),
        Err(_) => Vec::new(),
    };
    files.sort();
    files
}

#[cfg(unix)]
fn mode(p: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    fs::metadata(p).unwrap().permissions().mode() & 0o777
}

#[test]
fn new_cert_makes_a_leaf_and_a_private_ca_with_private_keys() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("aop");
    let run = run(&["new-cert", "--cn", "origin.example", "--out", path(&out)]);
    assert!(run.status.success(), "{}", text(&run.stderr));
    let stdout = text(&run.stdout);
    for name in ["ca.pem", "ca.key", "client.pem", "client.key"] {
        assert!(
            stdout.contains(&out.join(name).display().to_string()),
            "{stdout}"
        );
    }
    assert!(
        stdout.contains("origin-config --server nginx --ca"),
        "{stdout}"
    );
    assert!(stdout.contains("upload ZONE --cert"), "{stdout}");
    #[cfg(unix)]
    {
        assert_eq!(mode(&out.join("ca.key")), 0o600);
        assert_eq!(mode(&out.join("client.key")), 0o600);
        assert_eq!(mode(&out.join("ca.pem")), 0o644);
        assert_eq!(mode(&out.join("client.pem")), 0o644);
    }
    let cert = fs::read_to_string(out.join("client.pem")).unwrap();
    let key = fs::read_to_string(out.join("client.key")).unwrap();
    assert!(!stdout.contains(key.trim()), "the key was printed");
    // The upload's own checks: a leaf, unexpired, with its key.
    let leaf = certinfo::check_pair(&cert, &key).expect("passes the upload checks");
    assert!(!leaf.is_ca);
    assert_eq!(leaf.subject, "CN=origin.example");
    assert_eq!(leaf.sans, vec!["origin.example".to_owned()]);
    assert_eq!(leaf.key, "ECDSA P-256");
    let days = (leaf.not_after - leaf.not_before).num_hours();
    assert_eq!(days, 365 * 24 + 1, "a year, from an hour ago");
    let ca = certinfo::parse_certificate(&fs::read_to_string(out.join("ca.pem")).unwrap()).unwrap();
    assert!(ca.is_ca);
    assert_eq!(leaf.issuer, ca.subject);
}

#[test]
fn new_cert_signs_with_a_given_ca_and_every_key_type() {
    let dir = tempfile::tempdir().unwrap();
    let ca_dir = dir.path().join("ca");
    assert!(
        run(&["new-cert", "--cn", "ca.example", "--out", path(&ca_dir)])
            .status
            .success()
    );
    let ca_cert = ca_dir.join("ca.pem");
    let ca_key = ca_dir.join("ca.key");
    for (kind, described) in [
        ("p256", "ECDSA P-256"),
        ("p384", "ECDSA P-384"),
        ("rsa2048", "RSA 2048"),
    ] {
        let out = dir.path().join(kind);
        let made = run(&[
            "new-cert",
            "--cn",
            "o.example",
            "--days",
            "30",
            "--key-type",
            kind,
            "--ca-cert",
            path(&ca_cert),
            "--ca-key",
            path(&ca_key),
            "--out",
            path(&out),
        ]);
        assert!(made.status.success(), "{kind}: {}", text(&made.stderr));
        assert!(!out.join("ca.pem").exists() && !out.join("ca.key").exists());
        let cert = fs::read_to_string(out.join("client.pem")).unwrap();
        let key = fs::read_to_string(out.join("client.key")).unwrap();
        let leaf = certinfo::check_pair(&cert, &key).unwrap();
        assert_eq!(leaf.key, described);
        assert_eq!(leaf.issuer, "CN=originpull AOP CA for ca.example");
        assert_eq!((leaf.not_after - leaf.not_before).num_hours(), 30 * 24 + 1);
    }
}

#[test]
fn new_cert_refuses_bad_input_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let first = dir.path().join("first");
    assert!(
        run(&["new-cert", "--cn", "a.example", "--out", path(&first)])
            .status
            .success()
    );
    let other = dir.path().join("other");
    assert!(
        run(&["new-cert", "--cn", "b.example", "--out", path(&other)])
            .status
            .success()
    );
    let before = snapshot(&first);
    let target = dir.path().join("target");
    let f = |name: &str| first.join(name).display().to_string();
    let o = |name: &str| other.join(name).display().to_string();
    let t = path(&target).to_owned();
    let cases: Vec<(Vec<String>, &str)> = vec![
        // An existing file: named, nothing replaced.
        (
            vec!["--cn".into(), "a.example".into(), "--out".into(), f("")],
            "refusing to overwrite",
        ),
        (
            vec![
                "--cn".into(),
                "not a name".into(),
                "--out".into(),
                t.clone(),
            ],
            "is not a host name",
        ),
        (
            vec![
                "--cn".into(),
                "a.example".into(),
                "--days".into(),
                "0".into(),
                "--out".into(),
                t.clone(),
            ],
            "0 is not in 1..=3650",
        ),
        (
            vec![
                "--cn".into(),
                "a.example".into(),
                "--ca-cert".into(),
                f("missing.pem"),
                "--ca-key".into(),
                f("ca.key"),
                "--out".into(),
                t.clone(),
            ],
            "does not exist",
        ),
        // A CA key that is not the CA certificate's.
        (
            vec![
                "--cn".into(),
                "a.example".into(),
                "--ca-cert".into(),
                f("ca.pem"),
                "--ca-key".into(),
                o("ca.key"),
                "--out".into(),
                t.clone(),
            ],
            "the CA key: the private key does not match",
        ),
        // A CA certificate that is not a CA.
        (
            vec![
                "--cn".into(),
                "a.example".into(),
                "--ca-cert".into(),
                f("client.pem"),
                "--ca-key".into(),
                f("client.key"),
                "--out".into(),
                t.clone(),
            ],
            "is not a CA",
        ),
        // A CA that would die before the leaf.
        (
            vec![
                "--cn".into(),
                "a.example".into(),
                "--days".into(),
                "3650".into(),
                "--ca-cert".into(),
                f("ca.pem"),
                "--ca-key".into(),
                f("ca.key"),
                "--out".into(),
                t.clone(),
            ],
            "before a 3650-day certificate",
        ),
        // A file where the directory should be.
        (
            vec![
                "--cn".into(),
                "a.example".into(),
                "--out".into(),
                f("ca.pem"),
            ],
            "is a file, not a directory",
        ),
        // Half a CA.
        (
            vec![
                "--cn".into(),
                "a.example".into(),
                "--ca-cert".into(),
                f("ca.pem"),
                "--out".into(),
                t.clone(),
            ],
            "--ca-key",
        ),
    ];
    for (args, expected) in cases {
        let mut full = vec!["new-cert".to_owned()];
        full.extend(args.iter().cloned());
        let refs: Vec<&str> = full.iter().map(String::as_str).collect();
        let out = run(&refs);
        let stderr = text(&out.stderr);
        assert!(
            matches!(out.status.code(), Some(1 | 2)),
            "{args:?}: {:?}",
            out.status
        );
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
        assert!(!target.exists(), "{args:?} wrote {}", target.display());
        assert_eq!(
            snapshot(&first),
            before,
            "{args:?} changed {}",
            first.display()
        );
    }
}

#[tokio::test]
async fn what_new_cert_makes_uploads_to_the_simulator() {
    let sim = common::sim(None).await;
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("aop");
    assert!(
        run(&["new-cert", "--cn", "origin.example", "--out", path(&out)])
            .status
            .success()
    );
    let zone_id = sim.control().zone_id("shop.example").unwrap();
    let before = sim.control().certificates(&zone_id).len();
    let uploaded = common::run_binary(
        &sim.base_url(),
        Some(common::TOKEN),
        &[
            "upload",
            "shop.example",
            "--cert",
            path(&out.join("client.pem")),
            "--key",
            path(&out.join("client.key")),
        ],
    )
    .await;
    assert!(uploaded.status.success(), "{}", text(&uploaded.stderr));
    let certs = sim.control().certificates(&zone_id);
    assert_eq!(certs.len(), before + 1);
    let pem = fs::read_to_string(out.join("client.pem")).unwrap();
    assert!(
        certs
            .iter()
            .any(|c| c.certificate.as_deref() == Some(pem.as_str()))
    );
}

#[test]
fn origin_config_names_the_ca_and_refuses_what_is_not_one() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("aop");
    assert!(
        run(&["new-cert", "--cn", "o.example", "--out", path(&out)])
            .status
            .success()
    );
    let ca = out.join("ca.pem");
    for server in ["nginx", "apache", "caddy", "haproxy", "traefik", "envoy"] {
        let printed = run(&["origin-config", "--server", server, "--ca", path(&ca)]);
        assert!(
            printed.status.success(),
            "{server}: {}",
            text(&printed.stderr)
        );
        let snippet = text(&printed.stdout);
        assert!(snippet.contains(path(&ca)), "{server}:\n{snippet}");
        assert!(
            snippet.starts_with(&format!("# originpull origin-config, for {server}: ")),
            "{server}:\n{snippet}"
        );
        assert!(!snippet.contains("shared CA"), "{server}:\n{snippet}");
    }
    let leaf = run(&[
        "origin-config",
        "--server",
        "nginx",
        "--ca",
        path(&out.join("client.pem")),
    ]);
    assert_eq!(leaf.status.code(), Some(1));
    assert!(
        text(&leaf.stderr).contains("is not a CA certificate"),
        "{}",
        text(&leaf.stderr)
    );
    let neither = run(&["origin-config", "--server", "nginx"]);
    assert_eq!(neither.status.code(), Some(2));
    let both = run(&[
        "origin-config",
        "--server",
        "nginx",
        "--shared",
        "--ca",
        path(&ca),
    ]);
    assert_eq!(both.status.code(), Some(2));
}

#[test]
fn origin_config_shared_says_what_the_shared_ca_proves_and_writes_it_on_request() {
    let printed = run(&["origin-config", "--server", "nginx", "--shared"]);
    assert!(printed.status.success());
    // Comments wrap with a hanging indent: read them unwrapped.
    let snippet = text(&printed.stdout).replace("\n#   ", " ");
    assert!(snippet.contains(shared_ca::DEFAULT_PATH), "{snippet}");
    assert!(snippet.contains("from any Cloudflare account"), "{snippet}");
    assert!(snippet.contains("--write-ca"), "{snippet}");

    let dir = tempfile::tempdir().unwrap();
    let ca = dir.path().join("cf").join("origin-pull-ca.pem");
    for _ in 0..2 {
        // The second run finds the same CA there and leaves it.
        let written = run(&[
            "origin-config",
            "--server",
            "nginx",
            "--shared",
            "--write-ca",
            path(&ca),
        ]);
        assert!(written.status.success(), "{}", text(&written.stderr));
        let snippet = text(&written.stdout);
        assert!(
            snippet.contains(&format!("ssl_client_certificate {};", ca.display())),
            "{snippet}"
        );
        assert!(!snippet.contains("--write-ca"), "{snippet}");
        let details = certinfo::parse_certificate(&fs::read_to_string(&ca).unwrap()).unwrap();
        assert_eq!(details.sha256, shared_ca::SHA256);
    }
    let other = dir.path().join("other.pem");
    fs::write(&other, "something else").unwrap();
    let refused = run(&[
        "origin-config",
        "--server",
        "nginx",
        "--shared",
        "--write-ca",
        path(&other),
    ]);
    assert_eq!(refused.status.code(), Some(1));
    assert!(text(&refused.stderr).contains("refusing to overwrite"));
    assert_eq!(fs::read_to_string(&other).unwrap(), "something else");
}

/// The shipped CA is Cloudflare's: its fingerprint is the one `cloudflare-api.md` gives.
#[test]
fn the_shipped_shared_ca_has_cloudflares_fingerprint() {
    let api_notes = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/cloudflare-api.md");
    let documented = match fs::read_to_string(&api_notes) {
        Ok(notes) => {
            let at = notes
                .find("SHA-256 fingerprint `")
                .expect("the notes give a fingerprint");
            let rest = &notes[at + "SHA-256 fingerprint `".len()..];
            let end = rest.find('`').unwrap();
            rest[..end].split_whitespace().collect::<String>()
        }
        // Outside this workspace the notes are not beside the checkout: the constant was
        // copied from them.
        Err(_) => shared_ca::SHA256.to_owned(),
    };
    assert_eq!(documented, shared_ca::SHA256);
    let shipped = fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/cloudflare-origin-pull-ca.pem"),
    )
    .unwrap();
    assert_eq!(
        certinfo::parse_certificate(&shipped).unwrap().sha256,
        documented
    );
}

//! `origin-config` checked by the real servers, and `verify-origin` against a real nginx.
//!
//! Each snippet goes into a minimal configuration of its server, and the server's own
//! check (`nginx -t`, `apache2 -t`, `haproxy -c`, `caddy validate`) must accept it. Then
//! nginx runs with `ssl_verify_client on`, `optional`, `off`, and trusting a foreign CA,
//! and `verify-origin` must judge each. `tests/servers/install.sh` (run by CI) installs
//! the servers from Debian; where one is missing, its test says so on stderr and passes.

mod common;

use std::fs;
use std::io::Write;
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use common::servers::{Nginx, find, free_port, nginx_args, nginx_config, skip};
use common::test_origin::{ORIGIN_NAME, Pki, server_identity};

fn originpull(args: &[&str]) -> String {
    let out = common::bare(args, &[]).output().unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn snippet(server: &str, ca: &Path) -> String {
    originpull(&[
        "origin-config",
        "--server",
        server,
        "--ca",
        ca.to_str().unwrap(),
    ])
}

fn assert_ok(what: &str, out: &Output, config: &str) {
    assert!(
        out.status.success(),
        "{what} rejected the configuration:\n{}{}\n--- configuration ---\n{config}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A directory with a private CA, its client certificate, and the origin's own
/// certificate and key.
struct Site {
    dir: tempfile::TempDir,
    pki: Pki,
}

impl Site {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let pki = Pki::new(dir.path(), "ours");
        let (cert, key) = server_identity();
        fs::write(dir.path().join("server.pem"), &cert).unwrap();
        fs::write(dir.path().join("server.key"), &key).unwrap();
        fs::write(
            dir.path().join("server-combined.pem"),
            format!("{cert}{key}"),
        )
        .unwrap();
        Self { dir, pki }
    }

    fn path(&self, name: &str) -> String {
        self.dir.path().join(name).display().to_string()
    }

    /// The site's server block, listening on `addr`, with `snippet` in it.
    fn server_block(&self, addr: SocketAddr, snippet: &str) -> String {
        let d = self.dir.path().display();
        format!(
            "  server {{\n    listen {addr} ssl;\n    server_name {ORIGIN_NAME};\n    \
             ssl_certificate {d}/server.pem;\n    ssl_certificate_key {d}/server.key;\n\
             {snippet}\n    location / {{ return 200 \"ok\\n\"; }}\n  }}"
        )
    }

    fn nginx(&self, binary: &Path, snippet: &str) -> Nginx {
        let addr = SocketAddr::from(([127, 0, 0, 1], free_port()));
        Nginx::start(
            binary,
            self.dir.path(),
            addr,
            &self.server_block(addr, snippet),
        )
    }
}

fn verify(nginx: &Nginx, cert: &Path, key: &Path) -> (Option<i32>, serde_json::Value) {
    let out = common::bare(
        &[
            "verify-origin",
            &nginx.addr.to_string(),
            "--sni",
            ORIGIN_NAME,
            "--insecure",
            "--timeout",
            "5",
            "--cert",
            cert.to_str().unwrap(),
            "--key",
            key.to_str().unwrap(),
            "--json",
        ],
        &[],
    )
    .output()
    .unwrap();
    let report = serde_json::from_slice(&out.stdout).unwrap_or_else(|_| {
        panic!(
            "no report: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code(), report)
}

#[test]
fn verify_origin_judges_a_real_nginx() {
    let Some(nginx) = find(&["nginx"]) else {
        return skip(
            "verify_origin_judges_a_real_nginx",
            "nginx is not installed (apt install nginx)",
        );
    };
    let site = Site::new();
    let theirs = Pki::new(site.dir.path(), "theirs");
    let ours = snippet("nginx", &site.pki.ca());
    assert!(ours.contains("ssl_verify_client on;"), "{ours}");
    let (cert, key) = (site.pki.cert(), site.pki.key());

    // As printed: required, and our certificate accepted.
    let server = site.nginx(&nginx, &ours);
    let (code, report) = verify(&server, &cert, &key);
    assert_eq!(code, Some(0), "{report:#}");
    assert_eq!(report["verdict"], "required_and_accepted", "{report:#}");
    assert_eq!(report["without_certificate"]["refusal"]["by"], "http");
    assert_eq!(
        report["without_certificate"]["refusal"]["message"],
        "No required SSL certificate was sent"
    );
    assert_eq!(report["with_certificate"]["http_status"], 200);
    assert_eq!(
        report["without_certificate"]["acceptable_cas"][0],
        "CN=originpull AOP CA for ours.example"
    );
    drop(server);

    // A certificate of another CA: not accepted, by nginx's 400 page.
    let server = site.nginx(&nginx, &ours);
    let (code, report) = verify(&server, &theirs.cert(), &theirs.key());
    assert_eq!(code, Some(3), "{report:#}");
    assert_eq!(report["verdict"], "not_accepted", "{report:#}");
    assert_eq!(
        report["with_certificate"]["refusal"]["message"],
        "The SSL certificate error"
    );
    drop(server);

    // The rollout step the docs suggest: `optional` asks but serves anyone.
    let optional = ours.replace("ssl_verify_client on;", "ssl_verify_client optional;");
    let server = site.nginx(&nginx, &optional);
    let (code, report) = verify(&server, &cert, &key);
    assert_eq!(code, Some(3), "{report:#}");
    assert_eq!(report["verdict"], "not_required", "{report:#}");
    assert_eq!(report["without_certificate"]["asked"], true);
    drop(server);

    // No client certificate configured at all.
    let server = site.nginx(&nginx, "");
    let (code, report) = verify(&server, &cert, &key);
    assert_eq!(code, Some(3), "{report:#}");
    assert_eq!(report["verdict"], "not_required");
    assert_eq!(report["without_certificate"]["asked"], false);
    drop(server);

    // Configured for a foreign CA: ours is turned away.
    let foreign = snippet("nginx", &theirs.ca());
    let server = site.nginx(&nginx, &foreign);
    let (code, report) = verify(&server, &cert, &key);
    assert_eq!(code, Some(3), "{report:#}");
    assert_eq!(report["verdict"], "not_accepted", "{report:#}");
}

#[test]
fn nginx_accepts_the_snippets() {
    let Some(nginx) = find(&["nginx"]) else {
        return skip(
            "nginx_accepts_the_snippets",
            "nginx is not installed (apt install nginx)",
        );
    };
    let site = Site::new();
    let shared = site.path("cloudflare-ca.pem");
    for text in [
        snippet("nginx", &site.pki.ca()),
        originpull(&[
            "origin-config",
            "--server",
            "nginx",
            "--shared",
            "--write-ca",
            &shared,
        ]),
    ] {
        let addr = SocketAddr::from(([127, 0, 0, 1], free_port()));
        let config = nginx_config(site.dir.path(), &site.server_block(addr, &text));
        fs::write(site.path("nginx.conf"), &config).unwrap();
        let out = Command::new(&nginx)
            .arg("-t")
            .args(nginx_args(site.dir.path()))
            .output()
            .unwrap();
        assert_ok("nginx -t", &out, &config);
    }
}

#[test]
fn apache_accepts_the_snippet() {
    let Some(apache) = find(&["apache2", "httpd"]) else {
        return skip(
            "apache_accepts_the_snippet",
            "Apache is not installed (apt install apache2)",
        );
    };
    let modules = [
        "/usr/lib/apache2/modules",
        "/usr/lib64/httpd/modules",
        "/usr/lib/httpd/modules",
    ]
    .into_iter()
    .find(|dir| Path::new(dir).join("mod_ssl.so").is_file());
    let Some(modules) = modules else {
        return skip(
            "apache_accepts_the_snippet",
            "Apache's mod_ssl is not installed",
        );
    };
    let site = Site::new();
    let port = free_port();
    let d = site.dir.path().display();
    let config = format!(
        "ServerRoot {d}\nServerName {ORIGIN_NAME}\nPidFile {d}/httpd.pid\nErrorLog {d}/error.log\n\
         DefaultRuntimeDir {d}\nLoadModule mpm_event_module {modules}/mod_mpm_event.so\n\
         LoadModule ssl_module {modules}/mod_ssl.so\nListen 127.0.0.1:{port}\n\
         <VirtualHost 127.0.0.1:{port}>\n  SSLEngine on\n  SSLCertificateFile {d}/server.pem\n  \
         SSLCertificateKeyFile {d}/server.key\n{}</VirtualHost>\n",
        snippet("apache", &site.pki.ca())
    );
    fs::write(site.path("httpd.conf"), &config).unwrap();
    let out = Command::new(apache)
        .args(["-t", "-f", &site.path("httpd.conf")])
        .output()
        .unwrap();
    assert_ok("apache -t", &out, &config);
}

#[test]
fn haproxy_accepts_the_snippet() {
    let Some(haproxy) = find(&["haproxy"]) else {
        return skip(
            "haproxy_accepts_the_snippet",
            "HAProxy is not installed (apt install haproxy)",
        );
    };
    let site = Site::new();
    // What the comment asks of the reader: their own address and certificate.
    let bind = snippet("haproxy", &site.pki.ca())
        .replace("bind :443", &format!("bind 127.0.0.1:{}", free_port()))
        .replace(
            "/etc/haproxy/certs/site.pem",
            &site.path("server-combined.pem"),
        );
    let config = format!(
        "defaults\n    mode http\n    timeout connect 5s\n    timeout client 5s\n    \
         timeout server 5s\n\nfrontend origin\n{bind}    http-request return status 200\n"
    );
    fs::write(site.path("haproxy.cfg"), &config).unwrap();
    let out = Command::new(haproxy)
        .args(["-c", "-f", &site.path("haproxy.cfg")])
        .output()
        .unwrap();
    assert_ok("haproxy -c", &out, &config);
}

#[test]
fn caddy_accepts_the_snippet() {
    let Some(caddy) = find(&["caddy"]) else {
        return skip(
            "caddy_accepts_the_snippet",
            "Caddy is not installed (apt install caddy)",
        );
    };
    let site = Site::new();
    let ca = site.pki.ca().display().to_string();
    let mut text = snippet("caddy", &site.pki.ca());
    let version = Command::new(&caddy).arg("version").output().unwrap();
    let version = String::from_utf8_lossy(&version.stdout).trim().to_owned();
    let numbers: Vec<u32> = version
        .trim_start_matches('v')
        .split(|c: char| !c.is_ascii_digit())
        .take(2)
        .filter_map(|n| n.parse().ok())
        .collect();
    if numbers.as_slice() < [2, 8].as_slice() {
        // The snippet's own comment says what a Caddy before 2.8 takes instead.
        let older = format!("trusted_ca_cert_file {ca}");
        assert!(
            text.contains(&format!("write `{older}` in its place")),
            "{text}"
        );
        text = text.replace(&format!("trust_pool file {ca}"), &older);
        skip(
            "caddy_accepts_the_snippet (trust_pool)",
            &format!(
                "Caddy {version} predates trust_pool: checked the pre-2.8 form the snippet gives"
            ),
        );
    }
    let config = format!(
        "{{\n\tadmin off\n\tskip_install_trust\n}}\n\nhttps://{ORIGIN_NAME}:{} {{\n{text}\trespond \"ok\"\n}}\n",
        free_port()
    );
    fs::write(site.path("Caddyfile"), &config).unwrap();
    let out = Command::new(caddy)
        .args([
            "validate",
            "--adapter",
            "caddyfile",
            "--config",
            &site.path("Caddyfile"),
        ])
        .env("HOME", site.path(""))
        .env("XDG_DATA_HOME", site.path("data"))
        .env("XDG_CONFIG_HOME", site.path("config"))
        .output()
        .unwrap();
    assert_ok("caddy validate", &out, &config);
}

/// Neither Traefik nor Envoy is packaged by Debian, so their snippets are read as YAML
/// (by Python's PyYAML, where installed) and their structure checked against the
/// documented keys.
#[test]
fn traefik_and_envoy_snippets_are_yaml_of_the_documented_shape() {
    let yaml_ok = Command::new("python3")
        .args(["-c", "import yaml"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !yaml_ok {
        return skip(
            "traefik_and_envoy_snippets_are_yaml_of_the_documented_shape",
            "python3 with PyYAML is not installed (apt install python3-yaml)",
        );
    }
    for server in ["traefik", "envoy"] {
        if find(&[server]).is_none() {
            skip(
                &format!("{server} config check"),
                &format!("{server} is not packaged by Debian: its snippet is checked as YAML only"),
            );
        }
    }
    let site = Site::new();
    let ca = site.pki.ca().display().to_string();
    let read = |server: &str| -> serde_json::Value {
        let mut python = Command::new("python3")
            .args([
                "-c",
                "import json, sys, yaml; print(json.dumps(yaml.safe_load(sys.stdin)))",
            ])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let text = snippet(server, &site.pki.ca());
        python
            .stdin
            .take()
            .unwrap()
            .write_all(text.as_bytes())
            .unwrap();
        let out = python.wait_with_output().unwrap();
        assert!(out.status.success(), "{server}: not YAML:\n{text}");
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let traefik = read("traefik");
    let auth = &traefik["tls"]["options"]["originpull-aop"]["clientAuth"];
    assert_eq!(
        auth["clientAuthType"], "RequireAndVerifyClientCert",
        "{traefik:#}"
    );
    assert_eq!(auth["caFiles"], serde_json::json!([ca]), "{traefik:#}");
    let envoy = read("envoy");
    let tls = &envoy["transport_socket"]["typed_config"];
    assert_eq!(
        tls["@type"],
        "type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext"
    );
    assert_eq!(tls["require_client_certificate"], true, "{envoy:#}");
    assert_eq!(
        tls["common_tls_context"]["validation_context"]["trusted_ca"]["filename"],
        ca.as_str(),
        "{envoy:#}"
    );
}

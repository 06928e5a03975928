//! `origin-config`: the lines that make a web server require a client certificate and
//! verify it against the CA that signed Cloudflare's, for each server people run.
//!
//! The printed text is a valid fragment of the server's configuration as it stands
//! (comments in `#`, which all six formats share), so it can be redirected into a file
//! that the server includes.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};

use super::files::{PUBLIC, create_new};
use super::shared_ca;
use crate::certinfo::{self, CertError, PemInput};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Server {
    Nginx,
    Apache,
    Caddy,
    Haproxy,
    Traefik,
    Envoy,
}

/// The CA a server is told to trust.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trust {
    /// Absolute: the server resolves a relative path against its own directory.
    pub path: PathBuf,
    /// The subjects of the CA file's certificates (a bundle may hold an old and a new CA
    /// while a rotation is under way).
    pub subjects: Vec<String>,
    /// Cloudflare's shared CA is among them.
    pub shared: bool,
    /// The shared CA was not written: the configuration names where it must go.
    pub needs_placing: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum ServerConfigError {
    #[error("the CA file: {0}")]
    Ca(#[source] CertError),

    #[error(
        "{} is not a CA certificate (subject {subject}): the server must trust the CA that \
         signed the client certificate (ca.pem from `originpull new-cert`), not the \
         certificate itself",
        .path.display()
    )]
    NotCa { path: PathBuf, subject: String },

    #[error(
        "the CA {subject} in {} expired on {}: a server that trusts only it rejects every \
         client certificate; renew the CA and sign a new client certificate with it",
        .path.display(),
        .not_after.format("%Y-%m-%d")
    )]
    Expired {
        path: PathBuf,
        subject: String,
        not_after: DateTime<Utc>,
    },

    #[error(
        "the CA's path {} holds {what}, which the configuration would need quoted and escaped: \
         move the CA to a plain path such as /etc/ssl/aop/ca.pem",
        .path.display()
    )]
    PathNeedsQuoting { path: PathBuf, what: String },

    #[error(
        "{} exists and is not Cloudflare's shared CA: refusing to overwrite it; choose another \
         --write-ca path",
        .0.display()
    )]
    WouldOverwrite(PathBuf),

    #[error("cannot write {}: {source}", .path.display())]
    Write {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
}

/// Reads and checks a CA file: every certificate in it a CA, none expired.
pub fn trust_file(path: &Path, now: DateTime<Utc>) -> Result<Trust, ServerConfigError> {
    let path = absolute(path)?;
    let pem = certinfo::read_pem(&path, PemInput::Certificate).map_err(ServerConfigError::Ca)?;
    let cas = certinfo::parse_certificates(&pem).map_err(ServerConfigError::Ca)?;
    for ca in &cas {
        if !ca.is_ca {
            return Err(ServerConfigError::NotCa {
                path,
                subject: ca.subject.clone(),
            });
        }
        if ca.not_after <= now {
            return Err(ServerConfigError::Expired {
                path,
                subject: ca.subject.clone(),
                not_after: ca.not_after,
            });
        }
    }
    Ok(Trust {
        shared: cas.iter().any(shared_ca::is_shared),
        subjects: cas.into_iter().map(|ca| ca.subject).collect(),
        path,
        needs_placing: false,
    })
}

/// Cloudflare's shared CA: written to `write_to` when given (a file already holding it is
/// left as it is), or expected at [`shared_ca::DEFAULT_PATH`].
pub fn shared(write_to: Option<&Path>) -> Result<Trust, ServerConfigError> {
    let subject = certinfo::parse_certificate(shared_ca::PEM)
        .map(|d| d.subject)
        .unwrap_or_else(|_| shared_ca::COMMON_NAME.to_owned());
    let (path, needs_placing) = match write_to {
        Some(path) => (write_shared(path)?, false),
        None => (PathBuf::from(shared_ca::DEFAULT_PATH), true),
    };
    Ok(Trust {
        path,
        subjects: vec![subject],
        shared: true,
        needs_placing,
    })
}

fn write_shared(path: &Path) -> Result<PathBuf, ServerConfigError> {
    let path = absolute(path)?;
    let write_error = |source| ServerConfigError::Write {
        path: path.clone(),
        source,
    };
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir).map_err(write_error)?;
    }
    match create_new(&path, PUBLIC, shared_ca::PEM.as_bytes()) {
        Ok(()) => Ok(path),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
            let same = fs::read_to_string(&path)
                .ok()
                .and_then(|text| certinfo::parse_certificates(&text).ok())
                .is_some_and(|cas| cas.len() == 1 && shared_ca::is_shared(&cas[0]));
            if same {
                Ok(path)
            } else {
                Err(ServerConfigError::WouldOverwrite(path))
            }
        }
        Err(e) => Err(write_error(e)),
    }
}

fn absolute(path: &Path) -> Result<PathBuf, ServerConfigError> {
    let path = std::path::absolute(path).map_err(|source| ServerConfigError::Write {
        path: path.to_path_buf(),
        source,
    })?;
    let text = path.to_string_lossy();
    let awkward = text
        .chars()
        .find(|c| c.is_whitespace() || c.is_control() || "\"'`;{}#\\$".contains(*c));
    match awkward {
        Some(c) => Err(ServerConfigError::PathNeedsQuoting {
            what: if c.is_whitespace() {
                "a space".to_owned()
            } else {
                format!("{c:?}")
            },
            path,
        }),
        None => Ok(path),
    }
}

/// Comment lines are kept to this width, so the snippet reads well in any editor.
const COMMENT_WIDTH: usize = 92;

/// The configuration for `server` that requires and verifies a client certificate
/// signed by the CA in `trust`.
pub fn snippet(server: Server, trust: &Trust) -> String {
    let ca = trust.path.display();
    let (place, body) = match server {
        Server::Nginx => (
            "goes in the server block that serves the site over TLS (the one with `listen 443 \
             ssl`); then nginx -t && nginx -s reload",
            format!("ssl_client_certificate {ca};\nssl_verify_client on;\n"),
        ),
        Server::Apache => (
            "goes in the <VirtualHost *:443> block that serves the site (mod_ssl on); then \
             apachectl configtest && apachectl graceful",
            format!("SSLCACertificateFile {ca}\nSSLVerifyClient require\nSSLVerifyDepth 1\n"),
        ),
        Server::Caddy => (
            "goes in the site's block (example.com { ... }), merged into its tls directive if \
             it has one; then caddy validate && caddy reload",
            format!(
                "tls {{\n\tclient_auth {{\n\t\tmode require_and_verify\n\t\ttrust_pool file {ca}\n\t}}\n}}\n\
                 # Caddy before 2.8 has no trust_pool: write `trusted_ca_cert_file {ca}` in its place.\n"
            ),
        ),
        Server::Haproxy => (
            "the bind line of the frontend that terminates TLS: keep your own address and crt, \
             add the rest; then haproxy -c -f /etc/haproxy/haproxy.cfg",
            format!(
                "    bind :443 ssl crt /etc/haproxy/certs/site.pem ca-file {ca} verify required\n"
            ),
        ),
        Server::Traefik => (
            "goes in Traefik's dynamic configuration (the file provider); then set \
             `tls.options: originpull-aop@file` on the router that serves the site",
            format!(
                "tls:\n  options:\n    originpull-aop:\n      clientAuth:\n        caFiles:\n          \
                 - {ca}\n        clientAuthType: RequireAndVerifyClientCert\n"
            ),
        ),
        Server::Envoy => (
            "the transport_socket of the listener's filter chain that serves the site (keep \
             your own certificate and key)",
            format!(
                "transport_socket:\n  name: envoy.transport_sockets.tls\n  typed_config:\n    \
                 \"@type\": type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext\n    \
                 require_client_certificate: true\n    common_tls_context:\n      tls_certificates:\n        \
                 - certificate_chain: {{ filename: /etc/envoy/site.pem }}\n          \
                 private_key: {{ filename: /etc/envoy/site.key }}\n      validation_context:\n        \
                 trusted_ca: {{ filename: {ca} }}\n"
            ),
        ),
    };
    let mut out = comment(&format!(
        "originpull origin-config, for {}: {place}.",
        server_name(server)
    ));
    out.push_str(&body);
    if trust.shared {
        out.push_str(&comment(shared_ca::WHAT_IT_PROVES));
    }
    if trust.needs_placing {
        out.push_str(&comment(&format!(
            "Cloudflare's CA must be at {ca} first; this puts it there:"
        )));
        // A command on a line of its own, so that it can be copied whole.
        out.push_str(&format!(
            "#   originpull origin-config --server {} --shared --write-ca {ca}\n",
            server_name(server)
        ));
    }
    out
}

fn server_name(server: Server) -> String {
    clap::ValueEnum::to_possible_value(&server)
        .map(|v| v.get_name().to_owned())
        .unwrap_or_default()
}

fn comment(text: &str) -> String {
    let options = textwrap::Options::new(COMMENT_WIDTH)
        .initial_indent("# ")
        .subsequent_indent("#   ")
        // A path or a command broken across lines could not be copied whole.
        .break_words(false);
    let mut out = textwrap::fill(text, options);
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn private(path: &str) -> Trust {
        Trust {
            path: PathBuf::from(path),
            subjects: vec!["CN=originpull AOP CA for origin.example".to_owned()],
            shared: false,
            needs_placing: false,
        }
    }

    #[test]
    fn every_server_gets_its_documented_directives() {
        let servers = [
            Server::Nginx,
            Server::Apache,
            Server::Caddy,
            Server::Haproxy,
            Server::Traefik,
            Server::Envoy,
        ];
        for server in servers {
            insta::assert_snapshot!(
                format!("snippet_{}", server_name(server)),
                snippet(server, &private("/etc/ssl/aop/ca.pem"))
            );
        }
        insta::assert_snapshot!(
            "snippet_nginx_shared_unplaced",
            snippet(Server::Nginx, &shared(None).unwrap())
        );
    }

    #[test]
    fn a_path_the_configuration_would_need_quoted_is_refused() {
        for awkward in [
            "/etc/my ssl/ca.pem",
            "/etc/ssl/ca;rm.pem",
            "/etc/ssl/{ca}.pem",
        ] {
            let err = trust_file(Path::new(awkward), Utc::now()).unwrap_err();
            assert!(
                matches!(err, ServerConfigError::PathNeedsQuoting { .. }),
                "{awkward}: {err}"
            );
        }
    }
}

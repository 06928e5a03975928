//! `verify-origin`: connect straight to the origin, once without a client certificate and
//! once with the operator's, and judge from the handshake and the answer whether the
//! origin requires one and accepts this one.
//!
//! The key signs the second handshake and goes nowhere else.

mod answer;
mod tls;

use std::fmt;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::{Arc, PoisonError};
use std::time::Duration;

use chrono::{DateTime, Utc};
use rustls::ProtocolVersion;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use rustls::sign::CertifiedKey;
use secrecy::ExposeSecret;
use serde::Serialize;
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;

use self::answer::{Ending, alert_name, tls_error};
use super::shared_ca;
use crate::certinfo::{self, CertDetails, CertError, PemInput};

/// `HOST[:PORT]`, the port 443 when not given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub host: String,
    pub port: u16,
}

impl Target {
    pub fn parse(text: &str) -> Result<Self, String> {
        let bad = || {
            format!(
                "{text:?} is not HOST or HOST:PORT (an IPv6 address goes in brackets: \
                 [2001:db8::1]:443)"
            )
        };
        let (host, port) = if let Some(rest) = text.strip_prefix('[') {
            let (host, after) = rest.split_once(']').ok_or_else(bad)?;
            match after {
                "" => (host, None),
                _ => (host, Some(after.strip_prefix(':').ok_or_else(bad)?)),
            }
        } else if text.parse::<IpAddr>().is_ok() {
            (text, None)
        } else {
            match text.rsplit_once(':') {
                Some((host, port)) => (host, Some(port)),
                None => (text, None),
            }
        };
        let port = match port {
            Some(p) => p.parse::<u16>().ok().filter(|p| *p > 0).ok_or_else(bad)?,
            None => 443,
        };
        if host.is_empty() || host.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(bad());
        }
        Ok(Self {
            host: host.to_owned(),
            port,
        })
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.host.contains(':') {
            write!(f, "[{}]:{}", self.host, self.port)
        } else {
            write!(f, "{}:{}", self.host, self.port)
        }
    }
}

/// The operator's client certificate and key, checked to belong together.
pub struct Identity {
    pub path: PathBuf,
    pub details: CertDetails,
    key: Arc<CertifiedKey>,
}

impl fmt::Debug for Identity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Identity")
            .field("path", &self.path)
            .field("details", &self.details)
            .field("key", &format_args!("[REDACTED]"))
            .finish()
    }
}

impl Identity {
    pub fn load(cert: &Path, key: &Path) -> Result<Self, CertError> {
        let pair = certinfo::load_upload(cert, key)?;
        let malformed = |input| CertError::MalformedPem {
            input,
            reason: "it could not be read a second time".to_owned(),
        };
        let chain = CertificateDer::pem_slice_iter(pair.certificate.as_bytes())
            .collect::<Result<Vec<_>, _>>()
            .map_err(|_| malformed(PemInput::Certificate))?;
        let der = PrivateKeyDer::from_pem_slice(pair.private_key.expose_secret().as_bytes())
            .map_err(|_| malformed(PemInput::PrivateKey))?;
        let signing_key = tls::provider()
            .key_provider
            .load_private_key(der)
            .map_err(|_| CertError::UnsupportedKey {
                algorithm: pair.details.key.clone(),
            })?;
        Ok(Self {
            path: cert.to_path_buf(),
            details: pair.details,
            key: Arc::new(CertifiedKey::new(chain, signing_key)),
        })
    }
}

#[derive(Debug)]
pub struct Probe {
    pub target: Target,
    /// The name sent in the handshake and checked against the origin's certificate; the
    /// host when it is a name, none for an address.
    pub sni: Option<String>,
    pub identity: Option<Identity>,
    pub timeout: Duration,
    /// Take any server certificate (self-signed, Cloudflare Origin CA).
    pub insecure: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    #[error("--sni {0:?} is not a host name")]
    BadSni(String),

    #[error(
        "{host} does not resolve ({reason}): check the name, or give the origin's address and \
         its name with --sni NAME"
    )]
    DoesNotResolve { host: String, reason: String },

    #[error(
        "nothing listens on {addr} (connection refused): check the host and the port; the \
         origin's HTTPS port is usually 443"
    )]
    Refused { addr: SocketAddr },

    #[error("cannot reach {addr}: {reason}")]
    Unreachable { addr: SocketAddr, reason: String },

    #[error(
        "no answer from {addr} within {} s during {step}: check that this machine may reach \
         the origin (a firewall that admits only Cloudflare's addresses drops everyone else), \
         or raise --timeout",
        .timeout.as_secs_f64()
    )]
    Timeout {
        addr: SocketAddr,
        step: &'static str,
        timeout: Duration,
    },

    #[error(
        "{addr} does not speak TLS (it answered like a plain HTTP port): give the origin's \
         HTTPS port, usually 443"
    )]
    NotTls { addr: SocketAddr },

    #[error(
        "the origin's certificate ({subject}) does not check out: {reason}; an origin behind \
         Cloudflare often has a self-signed or Cloudflare Origin CA certificate: add --insecure \
         to skip this check (the report says it was skipped)"
    )]
    ServerCertificate { subject: String, reason: String },

    #[error(
        "the TLS handshake with {addr} failed before any client certificate was asked for: \
         {reason}"
    )]
    Handshake { addr: SocketAddr, reason: String },

    #[error("the client certificate: {0}")]
    Identity(#[from] CertError),

    #[error("TLS setup failed: {0}")]
    Setup(#[from] rustls::Error),
}

/// The origin's own certificate.
#[derive(Debug, Clone, Serialize)]
pub struct ServerCertificate {
    pub subject: String,
    pub issuer: String,
    pub not_after: DateTime<Utc>,
    pub days_left: i64,
    /// Checked against the public roots (false: `--insecure` skipped the check).
    pub checked: bool,
}

/// How the origin took one connection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "result", rename_all = "snake_case")]
pub enum Outcome {
    /// It kept the connection and answered (with an HTTP status when it spoke HTTP).
    Admitted { http_status: Option<u16> },
    /// It turned the connection away.
    Refused { refusal: Refusal },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "by", rename_all = "snake_case")]
pub enum Refusal {
    /// A TLS alert, named as the RFCs name it (`certificate_required`, `unknown_ca`).
    Alert { alert: String },
    /// nginx's HTTP 400 page.
    Http { status: u16, message: String },
    /// It closed the connection without a word.
    Closed,
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Alert { alert } => write!(f, "TLS alert {alert}"),
            Self::Http { status, message } => write!(f, "HTTP {status} \"{message}\""),
            Self::Closed => f.write_str("the connection closed without a word"),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Attempt {
    /// The origin asked for a client certificate.
    pub asked: bool,
    /// The CAs it named when asking (none named: any CA, as far as the request says).
    pub acceptable_cas: Vec<String>,
    #[serde(flatten)]
    pub outcome: Outcome,
}

impl Attempt {
    fn refused(&self) -> bool {
        matches!(self.outcome, Outcome::Refused { .. })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// A connection without a certificate is refused, and this one is accepted.
    RequiredAndAccepted,
    /// A connection without a certificate is refused (no certificate was given to try).
    Required,
    /// A connection without a certificate is served: AOP is not enforced.
    NotRequired,
    /// A certificate is required, and this one is refused.
    NotAccepted,
}

impl Verdict {
    /// What `verify-origin` exits 0 for.
    pub fn passed(self) -> bool {
        matches!(self, Self::RequiredAndAccepted | Self::Required)
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub origin: String,
    pub address: SocketAddr,
    pub sni: Option<String>,
    pub tls_version: Option<String>,
    pub server_certificate: Option<ServerCertificate>,
    pub without_certificate: Attempt,
    pub with_certificate: Option<Attempt>,
    /// The certificate tried, when one was.
    pub client_certificate: Option<ClientCertificate>,
    /// Among the CAs the origin names is Cloudflare's shared one: any Cloudflare account
    /// passes it.
    pub trusts_shared_ca: bool,
    pub required: bool,
    pub accepted: Option<bool>,
    pub verdict: Verdict,
}

#[derive(Debug, Clone, Serialize)]
pub struct ClientCertificate {
    pub file: PathBuf,
    pub subject: String,
    pub issuer: String,
}

/// What one connection learned besides its outcome.
struct Session {
    attempt: Attempt,
    tls_version: Option<ProtocolVersion>,
    server_certificate: Option<CertificateDer<'static>>,
}

pub async fn verify(probe: &Probe) -> Result<Report, VerifyError> {
    let name = server_name(probe)?;
    let addr = reachable(&probe.target, probe.timeout).await?;
    let without = attempt(probe, addr, &name, None).await?;
    let with = match &probe.identity {
        Some(identity) => Some(attempt(probe, addr, &name, Some(identity.key.clone())).await?),
        None => None,
    };
    let required = without.attempt.asked && without.attempt.refused();
    let accepted = with.as_ref().map(|s| !s.attempt.refused());
    let verdict = match (required, accepted) {
        (false, _) => Verdict::NotRequired,
        (true, None) => Verdict::Required,
        (true, Some(true)) => Verdict::RequiredAndAccepted,
        (true, Some(false)) => Verdict::NotAccepted,
    };
    let shared_subject = certinfo::parse_certificate(shared_ca::PEM)
        .map(|d| d.subject)
        .ok();
    let trusts_shared_ca = [Some(&without), with.as_ref()]
        .into_iter()
        .flatten()
        .flat_map(|s| &s.attempt.acceptable_cas)
        .any(|ca| Some(ca) == shared_subject.as_ref());
    let last = with.as_ref().unwrap_or(&without);
    let server_certificate = [with.as_ref(), Some(&without)]
        .into_iter()
        .flatten()
        .find_map(|s| s.server_certificate.as_ref())
        .and_then(|der| certinfo::parse_der(der).ok())
        .map(|d| ServerCertificate {
            days_left: d.days_left(Utc::now()),
            subject: d.subject,
            issuer: d.issuer,
            not_after: d.not_after,
            checked: !probe.insecure,
        });
    Ok(Report {
        origin: probe.target.to_string(),
        address: addr,
        sni: probe.sni.clone().or_else(|| match &name {
            ServerName::DnsName(dns) => Some(dns.as_ref().to_owned()),
            _ => None,
        }),
        tls_version: last.tls_version.or(without.tls_version).map(version_name),
        server_certificate,
        client_certificate: probe.identity.as_ref().map(|i| ClientCertificate {
            file: i.path.clone(),
            subject: i.details.subject.clone(),
            issuer: i.details.issuer.clone(),
        }),
        without_certificate: without.attempt,
        with_certificate: with.map(|s| s.attempt),
        trusts_shared_ca,
        required,
        accepted,
        verdict,
    })
}

fn server_name(probe: &Probe) -> Result<ServerName<'static>, VerifyError> {
    match &probe.sni {
        Some(sni) => ServerName::try_from(sni.clone())
            .ok()
            .filter(|n| matches!(n, ServerName::DnsName(_)))
            .ok_or_else(|| VerifyError::BadSni(sni.clone())),
        None => ServerName::try_from(probe.target.host.clone()).map_err(|_| {
            VerifyError::DoesNotResolve {
                host: probe.target.host.clone(),
                reason: "it is not a valid host name".to_owned(),
            }
        }),
    }
}

/// The first of the target's addresses that takes a connection (an IPv6 address listed
/// first may well not), or why none did.
async fn reachable(target: &Target, timeout: Duration) -> Result<SocketAddr, VerifyError> {
    let not_found = |reason: String| VerifyError::DoesNotResolve {
        host: target.host.clone(),
        reason,
    };
    let lookup = tokio::net::lookup_host((target.host.as_str(), target.port));
    let addrs = match tokio::time::timeout(timeout, lookup).await {
        Ok(Ok(addrs)) => addrs,
        Ok(Err(e)) => return Err(not_found(e.to_string())),
        Err(_) => {
            return Err(not_found(format!(
                "no answer from DNS within {} s",
                timeout.as_secs_f64()
            )));
        }
    };
    let mut last = not_found("no address".to_owned());
    for addr in addrs {
        match connect(addr, timeout).await {
            Ok(_) => return Ok(addr),
            Err(e) => last = e,
        }
    }
    Err(last)
}

async fn connect(addr: SocketAddr, timeout: Duration) -> Result<TcpStream, VerifyError> {
    match tokio::time::timeout(timeout, TcpStream::connect(addr)).await {
        Ok(Ok(tcp)) => Ok(tcp),
        Ok(Err(e)) if e.kind() == io::ErrorKind::ConnectionRefused => {
            Err(VerifyError::Refused { addr })
        }
        Ok(Err(e)) => Err(VerifyError::Unreachable {
            addr,
            reason: e.to_string(),
        }),
        Err(_) => Err(VerifyError::Timeout {
            addr,
            step: "the TCP connection",
            timeout,
        }),
    }
}

async fn attempt(
    probe: &Probe,
    addr: SocketAddr,
    name: &ServerName<'static>,
    identity: Option<Arc<CertifiedKey>>,
) -> Result<Session, VerifyError> {
    let timeout = probe.timeout;
    let tcp = connect(addr, timeout).await?;
    let (config, seen) = tls::client_config(identity, probe.insecure)?;
    let handshake = TlsConnector::from(config).connect(name.clone(), tcp);
    let result = tokio::time::timeout(timeout, handshake).await;
    let take_seen = || std::mem::take(&mut *seen.lock().unwrap_or_else(PoisonError::into_inner));
    let (ending, tls_version) = match result {
        Err(_) => {
            return Err(VerifyError::Timeout {
                addr,
                step: "the TLS handshake",
                timeout,
            });
        }
        Ok(Err(e)) => {
            let seen = take_seen();
            match tls_error(&e) {
                Some(rustls::Error::InvalidCertificate(reason)) => {
                    let subject = seen
                        .server_certificate
                        .as_ref()
                        .and_then(|der| certinfo::parse_der(der).ok())
                        .map_or_else(|| "unreadable".to_owned(), |d| d.subject);
                    return Err(VerifyError::ServerCertificate {
                        subject,
                        reason: certificate_problem(reason),
                    });
                }
                Some(rustls::Error::InvalidMessage(_)) if seen.server_certificate.is_none() => {
                    return Err(VerifyError::NotTls { addr });
                }
                _ if seen.asked.is_none() => {
                    let reason = match answer::from_error(&e) {
                        Ending::Alert(alert) => {
                            format!("the origin sent TLS alert {}", alert_name(alert))
                        }
                        _ => e.to_string(),
                    };
                    return Err(VerifyError::Handshake { addr, reason });
                }
                // Asked, then refused within the handshake: TLS 1.2's way.
                _ => {
                    let attempt = judge(&seen, answer::from_error(&e));
                    return Ok(Session {
                        attempt,
                        tls_version: seen.version,
                        server_certificate: seen.server_certificate,
                    });
                }
            }
        }
        Ok(Ok(mut stream)) => {
            let version = stream.get_ref().1.protocol_version();
            let host = match name {
                ServerName::DnsName(dns) => dns.as_ref().to_owned(),
                _ => probe.target.host.clone(),
            };
            let host = match probe.target.port {
                443 => host,
                port if host.contains(':') => format!("[{host}]:{port}"),
                port => format!("{host}:{port}"),
            };
            (answer::exchange(&mut stream, &host, timeout).await, version)
        }
    };
    let seen = take_seen();
    Ok(Session {
        attempt: judge(&seen, ending),
        tls_version: tls_version.or(seen.version),
        server_certificate: seen.server_certificate,
    })
}

fn judge(seen: &tls::Seen, ending: Ending) -> Attempt {
    let outcome = match ending {
        Ending::Answered {
            refusal: Some(page),
            status,
        } => Outcome::Refused {
            refusal: Refusal::Http {
                status: status.unwrap_or(400),
                message: page.message().to_owned(),
            },
        },
        Ending::Answered { status, .. } => Outcome::Admitted {
            http_status: status,
        },
        Ending::Silent => Outcome::Admitted { http_status: None },
        Ending::Alert(alert) => Outcome::Refused {
            refusal: Refusal::Alert {
                alert: alert_name(alert),
            },
        },
        Ending::Closed => Outcome::Refused {
            refusal: Refusal::Closed,
        },
    };
    Attempt {
        asked: seen.asked.is_some(),
        acceptable_cas: seen
            .asked
            .iter()
            .flatten()
            .map(|der| certinfo::name_from_der(der))
            .collect(),
        outcome,
    }
}

fn certificate_problem(error: &rustls::CertificateError) -> String {
    use rustls::CertificateError as E;
    match error {
        // webpki reports a self-signed certificate (a CA used as its own server
        // certificate, as `openssl req -x509` makes) as an "other" error.
        E::UnknownIssuer | E::Other(_) => "it is not issued by a publicly trusted CA (it is \
            self-signed, from Cloudflare's Origin CA, or from a private CA)"
            .to_owned(),
        E::NotValidForName | E::NotValidForNameContext { .. } => {
            "it is not valid for this name (give the site's name with --sni)".to_owned()
        }
        E::Expired | E::ExpiredContext { .. } => "it has expired".to_owned(),
        E::NotValidYet | E::NotValidYetContext { .. } => "it is not valid yet".to_owned(),
        other => format!("{other:?}"),
    }
}

fn version_name(version: ProtocolVersion) -> String {
    match version {
        ProtocolVersion::TLSv1_3 => "TLS 1.3".to_owned(),
        ProtocolVersion::TLSv1_2 => "TLS 1.2".to_owned(),
        other => format!("{other:?}"),
    }
}

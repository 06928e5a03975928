//! Origins for `verify-origin` to judge: rustls servers that require, request or ignore
//! a client certificate, and the certificates to try against them.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::Utc;
use originpull::origin::new_cert::{self, CaFiles, KeyType, Request};
use rcgen::{CertificateParams, DnType, KeyPair};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::server::WebPkiClientVerifier;
use rustls::{RootCertStore, ServerConfig};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tokio_rustls::TlsAcceptor;

/// The name the test origins answer to.
pub const ORIGIN_NAME: &str = "origin.test";

/// A private CA and a client certificate it signed, made by `new-cert`'s engine.
pub struct Pki {
    pub dir: PathBuf,
}

impl Pki {
    pub fn new(root: &Path, name: &str) -> Self {
        Self {
            dir: make(root, name, KeyType::P256, None),
        }
    }

    /// Another client certificate from the same CA.
    pub fn another(&self, root: &Path, name: &str) -> PathBuf {
        let ca = CaFiles {
            cert: self.ca(),
            key: self.dir.join("ca.key"),
        };
        make(root, name, KeyType::Rsa2048, Some(ca))
    }

    pub fn ca(&self) -> PathBuf {
        self.dir.join("ca.pem")
    }

    pub fn cert(&self) -> PathBuf {
        self.dir.join("client.pem")
    }

    pub fn key(&self) -> PathBuf {
        self.dir.join("client.key")
    }

    fn roots(&self) -> RootCertStore {
        let mut roots = RootCertStore::empty();
        for cert in CertificateDer::pem_file_iter(self.ca()).unwrap() {
            roots.add(cert.unwrap()).unwrap();
        }
        roots
    }
}

/// `new-cert --cn NAME.example --days 30 --out ROOT/NAME`, by its engine.
fn make(root: &Path, name: &str, key_type: KeyType, ca: Option<CaFiles>) -> PathBuf {
    let dir = root.join(name);
    let request = Request {
        cn: format!("{name}.example"),
        days: 30,
        key_type,
        ca,
        out: dir.clone(),
    };
    new_cert::new_cert(&request, Utc::now()).expect("new-cert makes the files");
    dir
}

/// What the origin does about client certificates.
pub enum ClientAuth<'a> {
    /// Requires one signed by this CA (`ssl_verify_client on`).
    Required(&'a Pki),
    /// Asks for one signed by this CA and serves a connection without
    /// (`ssl_verify_client optional`).
    Optional(&'a Pki),
    /// Never asks.
    Off,
}

/// The protocol versions the origin speaks.
#[derive(Clone, Copy)]
pub enum Versions {
    Both,
    Tls12Only,
}

/// A self-signed certificate for [`ORIGIN_NAME`] and 127.0.0.1, PEM, and its key.
pub fn server_identity() -> (String, String) {
    let key = KeyPair::generate().unwrap();
    let mut params =
        CertificateParams::new(vec![ORIGIN_NAME.to_owned(), "127.0.0.1".to_owned()]).unwrap();
    params
        .distinguished_name
        .push(DnType::CommonName, ORIGIN_NAME);
    let cert = params.self_signed(&key).unwrap();
    (cert.pem(), key.serialize_pem())
}

/// A rustls origin on 127.0.0.1 that answers `GET /` with 200 to whoever it admits.
pub struct TestOrigin {
    pub addr: SocketAddr,
    task: JoinHandle<()>,
}

impl Drop for TestOrigin {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl TestOrigin {
    pub async fn start(auth: ClientAuth<'_>, versions: Versions) -> Self {
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let verifier = match auth {
            ClientAuth::Required(pki) => Some(
                WebPkiClientVerifier::builder_with_provider(
                    Arc::new(pki.roots()),
                    provider.clone(),
                )
                .build()
                .unwrap(),
            ),
            ClientAuth::Optional(pki) => Some(
                WebPkiClientVerifier::builder_with_provider(
                    Arc::new(pki.roots()),
                    provider.clone(),
                )
                .allow_unauthenticated()
                .build()
                .unwrap(),
            ),
            ClientAuth::Off => None,
        };
        let builder = ServerConfig::builder_with_provider(provider);
        let builder = match versions {
            Versions::Both => builder.with_safe_default_protocol_versions(),
            Versions::Tls12Only => builder.with_protocol_versions(&[&rustls::version::TLS12]),
        }
        .unwrap();
        let builder = match verifier {
            Some(v) => builder.with_client_cert_verifier(v),
            None => builder.with_no_client_auth(),
        };
        let (cert, key) = server_identity();
        let config = builder
            .with_single_cert(
                vec![CertificateDer::from_pem_slice(cert.as_bytes()).unwrap()],
                PrivateKeyDer::from_pem_slice(key.as_bytes()).unwrap(),
            )
            .unwrap();
        let acceptor = TlsAcceptor::from(Arc::new(config));
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let task = tokio::spawn(async move {
            loop {
                let Ok((tcp, _)) = listener.accept().await else {
                    return;
                };
                let acceptor = acceptor.clone();
                tokio::spawn(async move {
                    // A refused handshake ends here; rustls has sent its alert.
                    let Ok(mut tls) = acceptor.accept(tcp).await else {
                        return;
                    };
                    let mut head = Vec::new();
                    let mut buf = [0u8; 1024];
                    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                        match tls.read(&mut buf).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => head.extend_from_slice(&buf[..n]),
                        }
                    }
                    let _ = tls
                        .write_all(
                            b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok",
                        )
                        .await;
                    let _ = tls.shutdown().await;
                });
            }
        });
        Self { addr, task }
    }

    pub fn target(&self) -> String {
        self.addr.to_string()
    }
}

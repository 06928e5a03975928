//! The client side of a probe's handshake: a rustls configuration that presents the
//! operator's certificate only when asked, and remembers what the origin asked for and
//! which certificate it showed.

use std::sync::{Arc, Mutex, PoisonError};

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::{ResolvesClientCert, Resumption, WebPkiServerVerifier};
use rustls::crypto::{CryptoProvider, aws_lc_rs};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::sign::CertifiedKey;
use rustls::{
    ClientConfig, DigitallySignedStruct, ProtocolVersion, RootCertStore, SignatureScheme,
};

/// What one handshake saw: filled in by rustls's callbacks as the handshake runs.
#[derive(Debug, Default)]
pub struct Seen {
    /// The origin sent a CertificateRequest, naming these CAs (DER names; maybe none).
    pub asked: Option<Vec<Vec<u8>>>,
    /// The origin's own certificate.
    pub server_certificate: Option<CertificateDer<'static>>,
    /// The version whose handshake signature was checked: known even when the handshake
    /// then fails, as a TLS 1.2 origin's refusal does.
    pub version: Option<ProtocolVersion>,
}

pub type SeenCell = Arc<Mutex<Seen>>;

fn record(seen: &SeenCell, f: impl FnOnce(&mut Seen)) {
    f(&mut seen.lock().unwrap_or_else(PoisonError::into_inner));
}

/// Presents `identity` (or, with none, an empty certificate list) when the origin asks.
#[derive(Debug)]
struct Presenter {
    identity: Option<Arc<CertifiedKey>>,
    seen: SeenCell,
}

impl ResolvesClientCert for Presenter {
    fn resolve(
        &self,
        root_hint_subjects: &[&[u8]],
        _sigschemes: &[SignatureScheme],
    ) -> Option<Arc<CertifiedKey>> {
        record(&self.seen, |s| {
            s.asked = Some(root_hint_subjects.iter().map(|n| n.to_vec()).collect());
        });
        self.identity.clone()
    }

    // True even with no identity: rustls then keeps the transcript a CertificateRequest
    // needs, and answers one with an empty certificate list, which is the question asked.
    fn has_certs(&self) -> bool {
        true
    }
}

/// Checks the origin's certificate as `inner` does, noting the certificate first so that
/// the report can describe it even when the handshake fails later.
#[derive(Debug)]
struct Noting {
    inner: Arc<dyn ServerCertVerifier>,
    seen: SeenCell,
}

impl ServerCertVerifier for Noting {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        record(&self.seen, |s| {
            s.server_certificate = Some(end_entity.clone().into_owned());
        });
        self.inner
            .verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        record(&self.seen, |s| s.version = Some(ProtocolVersion::TLSv1_2));
        self.inner.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        record(&self.seen, |s| s.version = Some(ProtocolVersion::TLSv1_3));
        self.inner.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.inner.supported_verify_schemes()
    }
}

/// `--insecure`: any certificate chain is taken, but the handshake's signatures are still
/// checked against it, so the connection is at least to whoever holds that key.
#[derive(Debug)]
struct AnyCertificate(Arc<CryptoProvider>);

impl ServerCertVerifier for AnyCertificate {
    fn verify_server_cert(
        &self,
        _: &CertificateDer<'_>,
        _: &[CertificateDer<'_>],
        _: &ServerName<'_>,
        _: &[u8],
        _: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

pub fn provider() -> Arc<CryptoProvider> {
    Arc::new(aws_lc_rs::default_provider())
}

/// A configuration for one attempt, and the cell its callbacks fill in.
pub fn client_config(
    identity: Option<Arc<CertifiedKey>>,
    insecure: bool,
) -> Result<(Arc<ClientConfig>, SeenCell), rustls::Error> {
    let provider = provider();
    let seen = SeenCell::default();
    let inner: Arc<dyn ServerCertVerifier> = if insecure {
        Arc::new(AnyCertificate(provider.clone()))
    } else {
        let roots = RootCertStore {
            roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
        };
        WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider.clone())
            .build()
            .map_err(|e| rustls::Error::General(e.to_string()))?
    };
    let mut config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(Noting {
            inner,
            seen: seen.clone(),
        }))
        .with_client_cert_resolver(Arc::new(Presenter {
            identity,
            seen: seen.clone(),
        }));
    // Each attempt must be a full handshake: on a resumed session the origin would not
    // ask for a certificate again, and the second attempt would prove nothing.
    config.resumption = Resumption::disabled();
    Ok((Arc::new(config), seen))
}

//! Local PEM / X.509 checks, so that a bad certificate or key is refused before any
//! request and API-returned certificates can be shown in readable form.
//!
//! The private key's text and bytes never go into an error, a `Debug` output or a panic:
//! errors carry short reasons and labels only.

use std::fmt;
use std::fs::File;
use std::io::{ErrorKind, Read};
use std::net::IpAddr;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use rustls::crypto::aws_lc_rs::sign::any_supported_type;
use rustls_pki_types::pem::{self, PemObject};
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use secrecy::SecretString;
use sha2::{Digest, Sha256};
use x509_parser::asn1_rs::{Any, FromDer, Oid, Sequence};
use x509_parser::certificate::X509Certificate;
use x509_parser::extensions::GeneralName;
use x509_parser::objects::{oid_registry, oid2sn};
use x509_parser::oid_registry::{
    OID_EC_P256, OID_KEY_TYPE_EC_PUBLIC_KEY, OID_NIST_EC_P384, OID_NIST_EC_P521,
    OID_PKCS1_RSAENCRYPTION, OID_PKCS1_RSASSAPSS, OID_PKCS1_SHA1WITHRSA, OID_PKCS1_SHA256WITHRSA,
    OID_PKCS1_SHA384WITHRSA, OID_PKCS1_SHA512WITHRSA, OID_SIG_ECDSA_WITH_SHA256,
    OID_SIG_ECDSA_WITH_SHA384, OID_SIG_ECDSA_WITH_SHA512, OID_SIG_ED448, OID_SIG_ED25519,
};
use x509_parser::public_key::PublicKey;
use x509_parser::x509::{AlgorithmIdentifier, SubjectPublicKeyInfo, X509Name};
use zeroize::Zeroizing;

/// Files larger than this are refused before parsing: no real PEM pair comes close.
pub const MAX_PEM_FILE_BYTES: u64 = 1024 * 1024;

/// Which of the two inputs of an upload a problem is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PemInput {
    Certificate,
    PrivateKey,
}

impl fmt::Display for PemInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Certificate => "certificate",
            Self::PrivateKey => "private key",
        })
    }
}

/// A file named in an error: its role in the upload, and its path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileRef {
    pub input: PemInput,
    pub path: PathBuf,
}

impl fmt::Display for FileRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} file '{}'", self.input, self.path.display())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CertError {
    #[error("{file} does not exist: check the path")]
    FileNotFound { file: FileRef },

    #[error(
        "{file} is {size} bytes, over the {limit} byte limit: a PEM certificate or key is a few \
         kilobytes, so check that the path names the right file",
        limit = MAX_PEM_FILE_BYTES
    )]
    FileTooLarge { file: FileRef, size: u64 },

    #[error("{file} is not UTF-8 text, so not PEM: {}", not_text_hint(.file.input))]
    FileNotText { file: FileRef },

    #[error("{file} cannot be read ({reason}): check that it is a file you may read")]
    FileUnreadable { file: FileRef, reason: String },

    #[error(
        "the {input} text holds no PEM block (no '-----BEGIN ...-----' line): {}",
        no_pem_hint(.input)
    )]
    NoPemBlock { input: PemInput },

    #[error("the {input} PEM is malformed: {reason}; copy or export the file again in full")]
    MalformedPem { input: PemInput, reason: String },

    #[error(
        "the certificate text holds no CERTIFICATE block (it holds {}): give the PEM \
         certificate ('-----BEGIN CERTIFICATE-----'); were the certificate and key swapped?",
        label_list(.found)
    )]
    NoCertificate { found: Vec<String> },

    #[error(
        "the certificate is not a valid X.509 certificate ({reason}): export it again from \
         your CA as PEM"
    )]
    InvalidCertificate { reason: String },

    #[error(
        "the certificate is a CA certificate (basicConstraints CA:TRUE, subject {subject}): \
         Cloudflare presents a leaf client certificate; upload the leaf signed by your CA, not \
         the CA itself"
    )]
    CaCertificate { subject: String },

    #[error(
        "the certificate expired on {}: origins would reject it; issue a new client \
         certificate from your CA and upload that",
        .not_after.format("%Y-%m-%d %H:%M:%S UTC")
    )]
    Expired { not_after: DateTime<Utc> },

    #[error(
        "the private key is encrypted: decrypt it first, e.g. \
         `openssl pkey -in key.pem -out key-plain.pem`, and give the decrypted file \
         (keep it private)"
    )]
    EncryptedKey,

    #[error(
        "the private key text holds only certificates, no private key: give the private key \
         file ('-----BEGIN PRIVATE KEY-----'); were the certificate and key swapped?"
    )]
    CertificateGivenAsKey,

    #[error(
        "the private key text holds no private key block (it holds {}): give the PEM private \
         key ('PRIVATE KEY', 'RSA PRIVATE KEY' or 'EC PRIVATE KEY')",
        label_list(.found)
    )]
    NoPrivateKey { found: Vec<String> },

    #[error(
        "the private key ({algorithm}) cannot be used: its type or size is not supported, or it \
         is damaged; use an RSA (2048 bits or more) or ECDSA P-256/P-384 key"
    )]
    UnsupportedKey { algorithm: String },

    #[error(
        "the private key does not match the certificate (certificate key: {certificate_key}, \
         private key: {private_key}): give the private key the certificate was issued for"
    )]
    KeyMismatch {
        certificate_key: String,
        private_key: String,
    },

    #[error(
        "the private key's public half could not be worked out, so it cannot be checked \
         against the certificate: convert the key to PKCS#8 with \
         `openssl pkey -in key.pem -out key-pkcs8.pem` and try again"
    )]
    KeyNotVerifiable,
}

impl CertError {
    /// Which input the problem is in; a key that does not match its certificate counts
    /// as the key's.
    pub fn input(&self) -> PemInput {
        match self {
            Self::FileNotFound { file }
            | Self::FileTooLarge { file, .. }
            | Self::FileNotText { file }
            | Self::FileUnreadable { file, .. } => file.input,
            Self::NoPemBlock { input } | Self::MalformedPem { input, .. } => *input,
            Self::NoCertificate { .. }
            | Self::InvalidCertificate { .. }
            | Self::CaCertificate { .. }
            | Self::Expired { .. } => PemInput::Certificate,
            Self::EncryptedKey
            | Self::CertificateGivenAsKey
            | Self::NoPrivateKey { .. }
            | Self::UnsupportedKey { .. }
            | Self::KeyMismatch { .. }
            | Self::KeyNotVerifiable => PemInput::PrivateKey,
        }
    }
}

fn not_text_hint(input: PemInput) -> &'static str {
    match input {
        PemInput::PrivateKey => {
            "if it is a DER key, convert it with `openssl pkey -inform der -in key.der -out key.pem`"
        }
        PemInput::Certificate => {
            "if it is a DER certificate, convert it with \
             `openssl x509 -inform der -in cert.der -out cert.pem`"
        }
    }
}

fn no_pem_hint(input: &PemInput) -> &'static str {
    match input {
        PemInput::Certificate => {
            "give the PEM certificate; convert a DER one with \
             `openssl x509 -inform der -in cert.der -out cert.pem`"
        }
        PemInput::PrivateKey => {
            "give the PEM private key; convert a DER one with \
             `openssl pkey -inform der -in key.der -out key.pem`"
        }
    }
}

fn label_list(found: &[String]) -> String {
    if found.is_empty() {
        "no PEM block of a known kind".to_owned()
    } else {
        found.join(", ")
    }
}

/// What is parsed locally from a certificate's PEM, for display and checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertDetails {
    pub subject: String,
    pub issuer: String,
    pub issuer_common_name: Option<String>,
    pub sans: Vec<String>,
    pub serial: String,
    pub sha256: String,
    pub key: String,
    pub signature: String,
    pub not_before: DateTime<Utc>,
    pub not_after: DateTime<Utc>,
    pub is_ca: bool,
}

impl CertDetails {
    /// Whole days until expiry, rounded down, so the last day before expiry reads 0 and
    /// any time after it reads negative.
    pub fn days_left(&self, now: DateTime<Utc>) -> i64 {
        (self.not_after - now).num_seconds().div_euclid(86_400)
    }
}

/// A checked certificate and key, ready to send: both texts exactly as read from
/// their files (see [`load_upload`]).
pub struct Upload {
    pub certificate: String,
    pub private_key: SecretString,
    pub details: CertDetails,
}

impl fmt::Debug for Upload {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Upload")
            .field(
                "certificate",
                &format_args!("<{} bytes of PEM>", self.certificate.len()),
            )
            .field("private_key", &format_args!("[REDACTED]"))
            .field("details", &self.details)
            .finish()
    }
}

/// Parses the first certificate of a PEM text, for display.
pub fn parse_certificate(pem: &str) -> Result<CertDetails, CertError> {
    let input = PemInput::Certificate;
    let blocks = scan_blocks(pem, input)?;
    let leaf = first_certificate(&blocks)?;
    let der = decode_certificate(leaf, input)?;
    let (_, cert) = parse_x509(&der)?;
    details_of(&cert, &der)
}

/// Parses a certificate from its DER bytes (as a TLS handshake carries it).
pub fn parse_der(der: &[u8]) -> Result<CertDetails, CertError> {
    let (_, cert) = parse_x509(der)?;
    details_of(&cert, der)
}

/// A distinguished name from its DER bytes (as a TLS CertificateRequest lists the CAs it
/// accepts), in the same form as a certificate's subject.
pub fn name_from_der(der: &[u8]) -> String {
    match X509Name::from_der(der) {
        Ok((_, name)) => name_string(&name),
        Err(_) => "(unreadable name)".to_owned(),
    }
}

/// Parses every certificate of a PEM text (a CA bundle, say), in order.
pub fn parse_certificates(pem: &str) -> Result<Vec<CertDetails>, CertError> {
    let input = PemInput::Certificate;
    let blocks = scan_blocks(pem, input)?;
    first_certificate(&blocks)?;
    blocks
        .iter()
        .filter(|b| b.label == "CERTIFICATE")
        .map(|b| {
            let der = decode_certificate(b, input)?;
            let (_, cert) = parse_x509(&der)?;
            details_of(&cert, &der)
        })
        .collect()
}

/// Reads, checks and holds an upload. The texts are sent exactly as read: what was
/// checked is what goes up.
pub fn load_upload(cert_path: &Path, key_path: &Path) -> Result<Upload, CertError> {
    let cert_text = read_pem(cert_path, PemInput::Certificate)?;
    let key_text = Zeroizing::new(read_pem(key_path, PemInput::PrivateKey)?);
    let details = check_pair(&cert_text, &key_text)?;
    Ok(Upload {
        certificate: cert_text,
        // An exact-size copy, so that boxing it as a secret does not reallocate and leave
        // an unzeroized copy behind; `key_text` wipes the original when it drops.
        private_key: SecretString::from(key_text.as_str().to_owned()),
        details,
    })
}

/// Reads a PEM file as text, refusing what cannot be one (missing, over 1 MiB, binary).
/// A private key's text comes back in a plain `String`: wrap it in `Zeroizing` at once.
pub fn read_pem(path: &Path, input: PemInput) -> Result<String, CertError> {
    let file = || FileRef {
        input,
        path: path.to_path_buf(),
    };
    let io_error = |e: std::io::Error| match e.kind() {
        ErrorKind::NotFound => CertError::FileNotFound { file: file() },
        _ => CertError::FileUnreadable {
            file: file(),
            reason: e.to_string(),
        },
    };

    let meta = std::fs::metadata(path).map_err(io_error)?;
    if meta.is_dir() {
        return Err(CertError::FileUnreadable {
            file: file(),
            reason: "it is a directory".to_owned(),
        });
    }
    if meta.len() > MAX_PEM_FILE_BYTES {
        return Err(CertError::FileTooLarge {
            file: file(),
            size: meta.len(),
        });
    }

    // The read is capped as well: pipes and special files report no size up front, and a
    // file may grow between the check and the read.
    let mut bytes = Zeroizing::new(Vec::with_capacity(
        usize::try_from(meta.len()).unwrap_or(0).saturating_add(1),
    ));
    File::open(path)
        .and_then(|f| f.take(MAX_PEM_FILE_BYTES + 1).read_to_end(&mut bytes))
        .map_err(io_error)?;
    let size = u64::try_from(bytes.len()).unwrap_or(u64::MAX);
    if size > MAX_PEM_FILE_BYTES {
        return Err(CertError::FileTooLarge { file: file(), size });
    }
    match std::str::from_utf8(&bytes) {
        Ok(text) => Ok(text.to_owned()),
        Err(_) => Err(CertError::FileNotText { file: file() }),
    }
}

/// One `-----BEGIN X----- ... -----END X-----` block, as it stands in the text.
struct Block<'a> {
    label: &'a str,
    text: &'a str,
    /// A legacy OpenSSL `Proc-Type: 4,ENCRYPTED` header: the body is ciphertext, so
    /// decoding it would only report bad base64 and hide the real problem.
    encrypted: bool,
}

/// Checks the block structure of a PEM text. The PEM decoder silently skips blocks with
/// labels it does not know (such as `ENCRYPTED PRIVATE KEY`) and merges a block missing its
/// END line into the next one, so it cannot tell us those things itself.
fn scan_blocks(text: &str, input: PemInput) -> Result<Vec<Block<'_>>, CertError> {
    let malformed = |reason: String| CertError::MalformedPem { input, reason };
    let mut blocks = Vec::new();
    let mut open: Option<(usize, &str, bool)> = None;
    let mut offset = 0;

    for raw_line in text.split_inclusive('\n') {
        let start = offset;
        offset += raw_line.len();
        let line = raw_line.trim_end();

        if let Some(rest) = line.strip_prefix("-----BEGIN ") {
            let Some(label) = rest.strip_suffix("-----") else {
                return Err(malformed("a BEGIN line is damaged".to_owned()));
            };
            if let Some((_, open_label, _)) = open {
                return Err(malformed(format!(
                    "the {} block has no END line before the next BEGIN line",
                    shown_label(open_label)
                )));
            }
            open = Some((start, label, false));
        } else if let Some(rest) = line.strip_prefix("-----END ") {
            let Some((begin, label, encrypted)) = open.take() else {
                return Err(malformed("an END line has no BEGIN line".to_owned()));
            };
            if rest.strip_suffix("-----") != Some(label) {
                return Err(malformed(format!(
                    "the {} block's END line does not match its BEGIN line",
                    shown_label(label)
                )));
            }
            let Some(block_text) = text.get(begin..offset) else {
                return Err(malformed("a block could not be cut out".to_owned()));
            };
            blocks.push(Block {
                label,
                text: block_text,
                encrypted,
            });
        } else if let Some((_, _, encrypted)) = open.as_mut()
            && line.starts_with("Proc-Type:")
            && line.contains("ENCRYPTED")
        {
            *encrypted = true;
        }
    }

    if let Some((_, label, _)) = open {
        return Err(malformed(format!(
            "the {} block has no END line (the text may be cut short)",
            shown_label(label)
        )));
    }
    if blocks.is_empty() {
        return Err(CertError::NoPemBlock { input });
    }
    Ok(blocks)
}

/// Labels come from user text: show them only when they look like a PEM label.
fn shown_label(label: &str) -> String {
    let plain = label.len() <= 40
        && label
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == ' ');
    if plain && !label.is_empty() {
        label.to_owned()
    } else {
        "(unrecognized)".to_owned()
    }
}

fn found_labels(blocks: &[Block<'_>]) -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    for block in blocks {
        let label = shown_label(block.label);
        if !found.contains(&label) {
            found.push(label);
        }
    }
    found
}

fn first_certificate<'b, 'a>(blocks: &'b [Block<'a>]) -> Result<&'b Block<'a>, CertError> {
    blocks
        .iter()
        .find(|b| b.label == "CERTIFICATE")
        .ok_or_else(|| CertError::NoCertificate {
            found: found_labels(blocks),
        })
}

/// Maps a PEM decoding failure to a short reason; the decoder's own messages may quote
/// the offending line or byte, which for a key would be secret.
fn pem_error(input: PemInput, label: &str, error: &pem::Error) -> CertError {
    let label = shown_label(label);
    let reason = match error {
        pem::Error::Base64Decode(_) => format!("the {label} block holds invalid base64"),
        pem::Error::MissingSectionEnd { .. } => format!("the {label} block has no END line"),
        pem::Error::IllegalSectionStart { .. } => "a BEGIN line is damaged".to_owned(),
        _ => format!("the {label} block could not be decoded"),
    };
    CertError::MalformedPem { input, reason }
}

fn decode_certificate(
    block: &Block<'_>,
    input: PemInput,
) -> Result<CertificateDer<'static>, CertError> {
    CertificateDer::from_pem_slice(block.text.as_bytes())
        .map_err(|e| pem_error(input, block.label, &e))
}

fn parse_x509(der: &[u8]) -> Result<(&[u8], X509Certificate<'_>), CertError> {
    X509Certificate::from_der(der).map_err(|e| CertError::InvalidCertificate {
        reason: match e {
            x509_parser::nom::Err::Incomplete(_) => "the data is cut short".to_owned(),
            x509_parser::nom::Err::Error(e) | x509_parser::nom::Err::Failure(e) => e.to_string(),
        },
    })
}

const KEY_LABELS: [&str; 3] = ["PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY"];

/// Everything that must hold before a pair is uploaded: a parseable, unexpired leaf
/// (not a CA), an unencrypted private key, and the two belonging together.
pub fn check_pair(cert_pem: &str, key_pem: &str) -> Result<CertDetails, CertError> {
    let cert_blocks = scan_blocks(cert_pem, PemInput::Certificate)?;
    let certificates: Vec<&Block<'_>> = cert_blocks
        .iter()
        .filter(|b| b.label == "CERTIFICATE")
        .collect();
    // Every block is decoded so that damage further down a chain is caught here, not
    // by Cloudflare.
    let ders = certificates
        .iter()
        .map(|b| decode_certificate(b, PemInput::Certificate))
        .collect::<Result<Vec<_>, _>>()?;
    let Some(leaf_der) = ders.first() else {
        return Err(CertError::NoCertificate {
            found: found_labels(&cert_blocks),
        });
    };
    let (_, leaf) = parse_x509(leaf_der)?;
    let details = details_of(&leaf, leaf_der)?;
    if details.is_ca {
        return Err(CertError::CaCertificate {
            subject: details.subject.clone(),
        });
    }
    if details.not_after <= Utc::now() {
        return Err(CertError::Expired {
            not_after: details.not_after,
        });
    }

    matching_key(&leaf, key_pem)?;
    Ok(details)
}

/// A certificate that signs, and its key: the first certificate of `cert_pem` and the key
/// in `key_pem`, checked to belong together, with no rule on what kind of certificate it
/// is (the caller has its own: a CA must be one, say). Returns the certificate's details
/// and the key, which zeroizes itself on drop.
pub fn check_signing_pair(
    cert_pem: &str,
    key_pem: &str,
) -> Result<(CertDetails, Zeroizing<PrivateKeyDer<'static>>), CertError> {
    let input = PemInput::Certificate;
    let blocks = scan_blocks(cert_pem, input)?;
    let der = decode_certificate(first_certificate(&blocks)?, input)?;
    let (_, cert) = parse_x509(&der)?;
    let details = details_of(&cert, &der)?;
    let key = matching_key(&cert, key_pem)?;
    Ok((details, key))
}

/// The private key in `key_pem`, if it is the one `cert` was issued for.
fn matching_key(
    cert: &X509Certificate<'_>,
    key_pem: &str,
) -> Result<Zeroizing<PrivateKeyDer<'static>>, CertError> {
    let key_blocks = scan_blocks(key_pem, PemInput::PrivateKey)?;
    let key_block = find_key_block(&key_blocks)?;
    // Zeroized on drop like the key text; the signing key zeroizes its own copy.
    let key = Zeroizing::new(
        PrivateKeyDer::from_pem_slice(key_block.text.as_bytes())
            .map_err(|e| pem_error(PemInput::PrivateKey, key_block.label, &e))?,
    );
    let signing_key = any_supported_type(&key).map_err(|_| CertError::UnsupportedKey {
        algorithm: private_key_algorithm(&key),
    })?;
    let key_spki_der = signing_key
        .public_key()
        .ok_or(CertError::KeyNotVerifiable)?;
    let (_, key_spki) = SubjectPublicKeyInfo::from_der(key_spki_der.as_ref())
        .map_err(|_| CertError::KeyNotVerifiable)?;
    let cert_spki = cert.public_key();
    if !same_public_key(cert_spki, &key_spki) {
        return Err(CertError::KeyMismatch {
            certificate_key: describe_public_key(cert_spki),
            private_key: describe_public_key(&key_spki),
        });
    }
    Ok(key)
}

fn find_key_block<'b, 'a>(blocks: &'b [Block<'a>]) -> Result<&'b Block<'a>, CertError> {
    let is_encrypted = |b: &Block<'_>| {
        b.label == "ENCRYPTED PRIVATE KEY" || (b.encrypted && b.label.ends_with("PRIVATE KEY"))
    };
    if blocks.iter().any(is_encrypted) {
        return Err(CertError::EncryptedKey);
    }
    if let Some(block) = blocks.iter().find(|b| KEY_LABELS.contains(&b.label)) {
        return Ok(block);
    }
    if let Some(other) = blocks.iter().find(|b| b.label.ends_with("PRIVATE KEY")) {
        let algorithm = match other.label.strip_suffix(" PRIVATE KEY") {
            Some("DSA") => "DSA".to_owned(),
            Some("OPENSSH") => "OpenSSH format".to_owned(),
            _ => shown_label(other.label),
        };
        return Err(CertError::UnsupportedKey { algorithm });
    }
    if blocks.iter().all(|b| b.label == "CERTIFICATE") {
        return Err(CertError::CertificateGivenAsKey);
    }
    Err(CertError::NoPrivateKey {
        found: found_labels(blocks),
    })
}

/// Names the key type for an error, from the key's encoding alone (it could not be loaded).
fn private_key_algorithm(key: &PrivateKeyDer<'_>) -> String {
    match key {
        PrivateKeyDer::Pkcs1(_) => "RSA".to_owned(),
        PrivateKeyDer::Sec1(_) => "EC".to_owned(),
        PrivateKeyDer::Pkcs8(pkcs8) => {
            pkcs8_algorithm(pkcs8.secret_pkcs8_der()).unwrap_or_else(|| "unknown type".to_owned())
        }
        _ => "unknown type".to_owned(),
    }
}

/// PrivateKeyInfo ::= SEQUENCE { version INTEGER, privateKeyAlgorithm AlgorithmIdentifier, ... }
fn pkcs8_algorithm(der: &[u8]) -> Option<String> {
    let (_, info) = Sequence::from_der(der).ok()?;
    let (rest, _version) = Any::from_der(&info.content).ok()?;
    let (_, algorithm) = AlgorithmIdentifier::from_der(rest).ok()?;
    Some(describe_algorithm(&algorithm, None))
}

fn same_public_key(a: &SubjectPublicKeyInfo<'_>, b: &SubjectPublicKeyInfo<'_>) -> bool {
    // Compared field by field rather than as DER: encoders differ on whether RSA's
    // AlgorithmIdentifier carries an explicit NULL parameter.
    a.algorithm.algorithm == b.algorithm.algorithm
        && ec_curve(&a.algorithm) == ec_curve(&b.algorithm)
        && a.subject_public_key.data == b.subject_public_key.data
}

fn ec_curve<'a>(algorithm: &'a AlgorithmIdentifier<'_>) -> Option<Oid<'a>> {
    if algorithm.algorithm != OID_KEY_TYPE_EC_PUBLIC_KEY {
        return None;
    }
    algorithm.parameters.as_ref().and_then(|p| p.as_oid().ok())
}

fn describe_public_key(spki: &SubjectPublicKeyInfo<'_>) -> String {
    let rsa_bits = match spki.parsed() {
        Ok(PublicKey::RSA(rsa)) => Some(significant_bits(rsa.modulus)),
        _ => None,
    };
    describe_algorithm(&spki.algorithm, rsa_bits)
}

fn describe_algorithm(algorithm: &AlgorithmIdentifier<'_>, rsa_bits: Option<usize>) -> String {
    let oid = &algorithm.algorithm;
    if *oid == OID_PKCS1_RSAENCRYPTION {
        match rsa_bits {
            Some(bits) => format!("RSA {bits}"),
            None => "RSA".to_owned(),
        }
    } else if *oid == OID_KEY_TYPE_EC_PUBLIC_KEY {
        match ec_curve(algorithm) {
            Some(curve) if curve == OID_EC_P256 => "ECDSA P-256".to_owned(),
            Some(curve) if curve == OID_NIST_EC_P384 => "ECDSA P-384".to_owned(),
            Some(curve) if curve == OID_NIST_EC_P521 => "ECDSA P-521".to_owned(),
            Some(curve) => format!("ECDSA {}", oid_name(&curve)),
            None => "ECDSA".to_owned(),
        }
    } else if *oid == OID_SIG_ED25519 {
        "Ed25519".to_owned()
    } else if *oid == OID_SIG_ED448 {
        "Ed448".to_owned()
    } else {
        oid_name(oid)
    }
}

/// Bit length of a big-endian unsigned integer, ignoring DER's leading zero bytes.
fn significant_bits(bytes: &[u8]) -> usize {
    let trimmed: &[u8] = match bytes.iter().position(|b| *b != 0) {
        Some(first) => bytes.get(first..).unwrap_or_default(),
        None => &[],
    };
    match trimmed.first() {
        Some(top) => trimmed.len() * 8 - top.leading_zeros() as usize,
        None => 0,
    }
}

fn oid_name(oid: &Oid<'_>) -> String {
    oid2sn(oid, oid_registry())
        .map(str::to_owned)
        .unwrap_or_else(|_| oid.to_id_string())
}

/// Cloudflare's API spells signature algorithms like Go's `x509.SignatureAlgorithm`
/// constants; showing the same spelling lets local and remote details be compared.
fn signature_name(oid: &Oid<'_>) -> String {
    let known = [
        (OID_PKCS1_SHA1WITHRSA, "SHA1WithRSA"),
        (OID_PKCS1_SHA256WITHRSA, "SHA256WithRSA"),
        (OID_PKCS1_SHA384WITHRSA, "SHA384WithRSA"),
        (OID_PKCS1_SHA512WITHRSA, "SHA512WithRSA"),
        (OID_SIG_ECDSA_WITH_SHA256, "ECDSAWithSHA256"),
        (OID_SIG_ECDSA_WITH_SHA384, "ECDSAWithSHA384"),
        (OID_SIG_ECDSA_WITH_SHA512, "ECDSAWithSHA512"),
        (OID_SIG_ED25519, "Ed25519"),
        (OID_PKCS1_RSASSAPSS, "RSASSA-PSS"),
    ];
    known
        .iter()
        .find(|(known_oid, _)| known_oid == oid)
        .map(|(_, name)| (*name).to_owned())
        .unwrap_or_else(|| oid_name(oid))
}

fn colon_hex(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(":")
}

/// Certificate strings end up on a terminal: a control character in a name must not be
/// able to move the cursor or change colours.
fn printable(text: &str) -> String {
    crate::text::sanitize(text).into_owned()
}

fn name_string(name: &X509Name<'_>) -> String {
    match name.to_string_with_registry(oid_registry()) {
        Ok(text) => printable(&text),
        Err(_) => "(unreadable name)".to_owned(),
    }
}

fn details_of(cert: &X509Certificate<'_>, der: &[u8]) -> Result<CertDetails, CertError> {
    let time = |t: &x509_parser::time::ASN1Time| {
        DateTime::<Utc>::from_timestamp(t.timestamp(), 0).ok_or_else(|| {
            CertError::InvalidCertificate {
                reason: "a validity date is out of range".to_owned(),
            }
        })
    };
    let validity = cert.validity();

    let sans = match cert.subject_alternative_name() {
        Ok(Some(ext)) => ext
            .value
            .general_names
            .iter()
            .filter_map(|name| match name {
                GeneralName::DNSName(s) | GeneralName::RFC822Name(s) | GeneralName::URI(s) => {
                    Some(printable(s))
                }
                GeneralName::IPAddress(bytes) => Some(ip_string(bytes)),
                _ => None,
            })
            .collect(),
        // A damaged or duplicated extension only hides the names; the rest is still worth
        // showing.
        Ok(None) | Err(_) => Vec::new(),
    };

    Ok(CertDetails {
        subject: name_string(cert.subject()),
        issuer: name_string(cert.issuer()),
        issuer_common_name: cert
            .issuer()
            .iter_common_name()
            .next()
            .and_then(|cn| cn.as_str().ok())
            .map(printable),
        sans,
        serial: colon_hex(cert.raw_serial()),
        sha256: colon_hex(&Sha256::digest(der)),
        key: describe_public_key(cert.public_key()),
        signature: signature_name(&cert.signature_algorithm.algorithm),
        not_before: time(&validity.not_before)?,
        not_after: time(&validity.not_after)?,
        is_ca: cert.is_ca(),
    })
}

fn ip_string(bytes: &[u8]) -> String {
    if let Ok(v4) = <[u8; 4]>::try_from(bytes) {
        IpAddr::from(v4).to_string()
    } else if let Ok(v6) = <[u8; 16]>::try_from(bytes) {
        IpAddr::from(v6).to_string()
    } else {
        colon_hex(bytes)
    }
}

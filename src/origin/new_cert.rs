//! `new-cert`: a client certificate for AOP, signed by the operator's CA or by a new
//! private CA made beside it.
//!
//! Everything is made in memory and checked before the first byte is written, and no
//! file is ever overwritten: a failure leaves the directory as it was.

use std::fmt;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Duration, Utc};
use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
    Issuer, KeyPair, KeyUsagePurpose, RsaKeySize, SerialNumber,
};
use zeroize::Zeroizing;

use super::files::{PRIVATE, PUBLIC, create_new};
use crate::certinfo::{self, CertDetails, CertError, PemInput};

/// Days a new private CA lives at least: long enough that the next few leaves it signs do
/// not need a new CA, which every origin would have to be told about.
const NEW_CA_DAYS: u32 = 3650;

/// The longest life `--days` allows a leaf.
pub const MAX_DAYS: u32 = 3650;

/// Both certificates start an hour in the past: an origin or edge whose clock runs a
/// little behind would otherwise reject a certificate that is "not yet valid".
const BACKDATE: Duration = Duration::hours(1);

pub const CLIENT_CERT: &str = "client.pem";
pub const CLIENT_KEY: &str = "client.key";
pub const CA_CERT: &str = "ca.pem";
pub const CA_KEY: &str = "ca.key";

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum KeyType {
    P256,
    P384,
    Rsa2048,
    Rsa4096,
}

impl KeyType {
    fn generate(self) -> Result<KeyPair, rcgen::Error> {
        match self {
            Self::P256 => KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256),
            Self::P384 => KeyPair::generate_for(&rcgen::PKCS_ECDSA_P384_SHA384),
            Self::Rsa2048 => KeyPair::generate_rsa_for(&rcgen::PKCS_RSA_SHA256, RsaKeySize::_2048),
            Self::Rsa4096 => KeyPair::generate_rsa_for(&rcgen::PKCS_RSA_SHA256, RsaKeySize::_4096),
        }
    }
}

/// The operator's own CA, to sign with instead of a new one.
#[derive(Debug, Clone)]
pub struct CaFiles {
    pub cert: PathBuf,
    pub key: PathBuf,
}

#[derive(Debug, Clone)]
pub struct Request {
    pub cn: String,
    pub days: u32,
    pub key_type: KeyType,
    pub ca: Option<CaFiles>,
    pub out: PathBuf,
}

#[derive(Debug, thiserror::Error)]
pub enum NewCertError {
    #[error(
        "--cn {0:?} is not a host name: it goes into the certificate's subject alternative \
         name as a DNS name, so use letters, digits, hyphens and dots (origin.example.com)"
    )]
    BadName(String),

    #[error("the CA {which}: {source}")]
    CaFile {
        which: &'static str,
        #[source]
        source: CertError,
    },

    #[error(
        "the CA certificate is not a CA (subject {subject}, basicConstraints CA:FALSE or \
         absent): give the certificate of the CA that signs, with --ca-cert, or leave out \
         --ca-cert and --ca-key to make a new private CA"
    )]
    NotCa { subject: String },

    #[error(
        "the CA certificate (subject {subject}) may not sign certificates: its key usage \
         lacks keyCertSign; use a CA made for issuing, or leave out --ca-cert and --ca-key"
    )]
    CaCannotSign { subject: String },

    #[error(
        "the CA certificate expired on {}: it can sign nothing an origin would accept; \
         renew the CA, or leave out --ca-cert and --ca-key to make a new one",
        .not_after.format("%Y-%m-%d")
    )]
    CaExpired { not_after: DateTime<Utc> },

    #[error(
        "the CA expires on {} ({ca_days} days from now), before a {days}-day certificate \
         would: origins stop accepting it when its CA expires; use --days {ca_days} or less, \
         or renew the CA",
        .not_after.format("%Y-%m-%d")
    )]
    CaExpiresFirst {
        not_after: DateTime<Utc>,
        ca_days: i64,
        days: u32,
    },

    #[error(
        "--out {} is a file, not a directory: name a directory (it is created if missing)",
        .0.display()
    )]
    OutNotDirectory(PathBuf),

    #[error(
        "refusing to overwrite {}: choose another --out directory, or move {} away; nothing \
         was written",
        list(.0),
        if .0.len() == 1 { "it" } else { "them" }
    )]
    WouldOverwrite(Vec<PathBuf>),

    #[error("cannot write {}: {source}; nothing was left behind", .path.display())]
    Write {
        path: PathBuf,
        #[source]
        source: io::Error,
    },

    #[error("the certificate could not be made: {0}")]
    Generate(#[from] rcgen::Error),
}

fn list(paths: &[PathBuf]) -> String {
    paths
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

/// One file `new-cert` made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    pub path: PathBuf,
    pub what: &'static str,
    pub mode: u32,
}

/// What was made: where, and what the certificates say.
#[derive(Debug, Clone)]
pub struct Made {
    pub files: Vec<Written>,
    pub leaf: CertDetails,
    pub ca: CertDetails,
    pub new_ca: bool,
}

/// A file's content before it is written: a key's text zeroizes when dropped.
struct Pending {
    path: PathBuf,
    what: &'static str,
    text: Zeroizing<String>,
    mode: u32,
}

impl fmt::Debug for Pending {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pending")
            .field("path", &self.path)
            .field("what", &self.what)
            .finish_non_exhaustive()
    }
}

/// Makes the certificate (and the CA, when none is given) and writes them under
/// `request.out`, or writes nothing and says why.
pub fn new_cert(request: &Request, now: DateTime<Utc>) -> Result<Made, NewCertError> {
    if !is_host_name(&request.cn) {
        return Err(NewCertError::BadName(request.cn.clone()));
    }
    let out = &request.out;
    if out.exists() && !out.is_dir() {
        return Err(NewCertError::OutNotDirectory(out.clone()));
    }
    let mut pending = Vec::new();
    if request.ca.is_none() {
        pending.push((
            out.join(CA_CERT),
            "the new private CA's certificate",
            PUBLIC,
        ));
        pending.push((out.join(CA_KEY), "the new private CA's key", PRIVATE));
    }
    pending.push((out.join(CLIENT_CERT), "the client certificate", PUBLIC));
    pending.push((
        out.join(CLIENT_KEY),
        "the client certificate's key",
        PRIVATE,
    ));
    let taken: Vec<PathBuf> = pending
        .iter()
        .map(|(path, _, _)| path.clone())
        .filter(|path| fs::symlink_metadata(path).is_ok())
        .collect();
    if !taken.is_empty() {
        return Err(NewCertError::WouldOverwrite(taken));
    }

    let not_after = now + Duration::days(i64::from(request.days));
    let leaf_key = request.key_type.generate()?;
    let mut leaf = CertificateParams::new(vec![request.cn.clone()])?;
    leaf.distinguished_name = common_name(&request.cn);
    leaf.is_ca = IsCa::ExplicitNoCa;
    leaf.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    leaf.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
    leaf.use_authority_key_identifier_extension = true;
    validity(&mut leaf, now, not_after);

    let (leaf_pem, ca_pem, ca_key_pem) = match &request.ca {
        Some(files) => {
            let (ca_pem, ca_key) = given_ca(files, now, not_after, request.days)?;
            let issuer = Issuer::from_ca_cert_pem(&ca_pem, ca_key)?;
            if !issuer.key_usages().is_empty()
                && !issuer.key_usages().contains(&KeyUsagePurpose::KeyCertSign)
            {
                let subject = certinfo::parse_certificate(&ca_pem)
                    .map(|d| d.subject)
                    .unwrap_or_default();
                return Err(NewCertError::CaCannotSign { subject });
            }
            (leaf.signed_by(&leaf_key, &issuer)?.pem(), ca_pem, None)
        }
        None => {
            let ca_key = request.key_type.generate()?;
            let mut ca = CertificateParams::default();
            ca.distinguished_name = common_name(&format!("originpull AOP CA for {}", request.cn));
            ca.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
            ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
            // A year beyond the leaf at least: the next leaf it signs needs room too.
            let ca_days = NEW_CA_DAYS.max(request.days + 365);
            validity(&mut ca, now, now + Duration::days(i64::from(ca_days)));
            let ca_pem = ca.self_signed(&ca_key)?.pem();
            let ca_key_pem = Zeroizing::new(ca_key.serialize_pem());
            let issuer = Issuer::new(ca, ca_key);
            (
                leaf.signed_by(&leaf_key, &issuer)?.pem(),
                ca_pem,
                Some(ca_key_pem),
            )
        }
    };
    let leaf_details = certinfo::parse_certificate(&leaf_pem).map_err(|e| {
        NewCertError::Generate(rcgen::Error::X509(format!(
            "made an unreadable certificate: {e}"
        )))
    })?;
    let ca_details = certinfo::parse_certificate(&ca_pem).map_err(|e| {
        NewCertError::Generate(rcgen::Error::X509(format!(
            "unreadable CA certificate: {e}"
        )))
    })?;

    let mut contents = Vec::new();
    if let Some(key) = ca_key_pem {
        contents.push(Zeroizing::new(ca_pem));
        contents.push(key);
    }
    contents.push(Zeroizing::new(leaf_pem));
    contents.push(Zeroizing::new(leaf_key.serialize_pem()));
    let pending: Vec<Pending> = pending
        .into_iter()
        .zip(contents)
        .map(|((path, what, mode), text)| Pending {
            path,
            what,
            text,
            mode,
        })
        .collect();
    let files = write_all(out, &pending)?;
    Ok(Made {
        files,
        leaf: leaf_details,
        ca: ca_details,
        new_ca: request.ca.is_none(),
    })
}

/// Reads and checks the operator's CA: a CA, its key, valid for as long as the leaf.
fn given_ca(
    files: &CaFiles,
    now: DateTime<Utc>,
    leaf_not_after: DateTime<Utc>,
    days: u32,
) -> Result<(String, KeyPair), NewCertError> {
    let cert_error = |source| NewCertError::CaFile {
        which: "certificate",
        source,
    };
    let key_error = |source| NewCertError::CaFile {
        which: "key",
        source,
    };
    let ca_pem = certinfo::read_pem(&files.cert, PemInput::Certificate).map_err(cert_error)?;
    let key_pem =
        Zeroizing::new(certinfo::read_pem(&files.key, PemInput::PrivateKey).map_err(key_error)?);
    let (details, key_der) =
        certinfo::check_signing_pair(&ca_pem, &key_pem).map_err(|e| match e.input() {
            PemInput::Certificate => cert_error(e),
            PemInput::PrivateKey => key_error(e),
        })?;
    if !details.is_ca {
        return Err(NewCertError::NotCa {
            subject: details.subject,
        });
    }
    if details.not_after <= now {
        return Err(NewCertError::CaExpired {
            not_after: details.not_after,
        });
    }
    if details.not_after < leaf_not_after {
        return Err(NewCertError::CaExpiresFirst {
            not_after: details.not_after,
            ca_days: (details.not_after - now).num_days(),
            days,
        });
    }
    let key = KeyPair::try_from(&*key_der).map_err(|_| {
        key_error(CertError::UnsupportedKey {
            algorithm: details.key.clone(),
        })
    })?;
    Ok((ca_pem, key))
}

fn common_name(cn: &str) -> DistinguishedName {
    let mut name = DistinguishedName::new();
    name.push(DnType::CommonName, cn);
    name
}

fn validity(params: &mut CertificateParams, now: DateTime<Utc>, not_after: DateTime<Utc>) {
    params.not_before = offset_date_time(now - BACKDATE);
    params.not_after = offset_date_time(not_after);
    // Random and positive: a serial must be unique per CA, and a CA that signed two
    // leaves with one serial makes revocation ambiguous.
    let mut serial: [u8; 16] = rand::random();
    serial[0] = (serial[0] & 0x7f) | 0x40;
    params.serial_number = Some(SerialNumber::from_slice(&serial));
}

fn offset_date_time(t: DateTime<Utc>) -> time::OffsetDateTime {
    time::OffsetDateTime::from_unix_timestamp(t.timestamp())
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH)
}

/// A DNS name a certificate's SAN can carry: labels of letters, digits and hyphens, a
/// leading `*.` allowed.
pub fn is_host_name(name: &str) -> bool {
    let name = name.strip_prefix("*.").unwrap_or(name);
    !name.is_empty()
        && name.len() <= 253
        && name.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
}

/// Writes every file or none: each is created afresh (never over an existing file) with
/// its mode from the start, and a failure removes what this call wrote.
fn write_all(out: &Path, pending: &[Pending]) -> Result<Vec<Written>, NewCertError> {
    let write_error = |path: &Path, source| NewCertError::Write {
        path: path.to_path_buf(),
        source,
    };
    let created_dir = !out.exists();
    fs::create_dir_all(out).map_err(|e| write_error(out, e))?;
    let mut written: Vec<Written> = Vec::new();
    for file in pending {
        if let Err(e) = create_new(&file.path, file.mode, file.text.as_bytes()) {
            for done in &written {
                let _ = fs::remove_file(&done.path);
            }
            if created_dir {
                let _ = fs::remove_dir(out);
            }
            return Err(match e.kind() {
                io::ErrorKind::AlreadyExists => {
                    NewCertError::WouldOverwrite(vec![file.path.clone()])
                }
                _ => write_error(&file.path, e),
            });
        }
        written.push(Written {
            path: file.path.clone(),
            what: file.what,
            mode: file.mode,
        });
    }
    Ok(written)
}

//! Local certificate and key checks, against certificates made on the spot with rcgen.

use std::io::Write;
use std::path::Path;

use chrono::{Duration, TimeZone, Utc};
use originpull::certinfo::*;
use rcgen::{
    BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, SanType, SerialNumber,
    date_time_ymd,
};
use secrecy::ExposeSecret;
use sha2::{Digest, Sha256};

struct Ca {
    params: CertificateParams,
    key: KeyPair,
    pem: String,
}

fn make_ca() -> Ca {
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    params.distinguished_name = rcgen::DistinguishedName::new();
    params
        .distinguished_name
        .push(DnType::CommonName, "Test CA");
    params
        .distinguished_name
        .push(DnType::OrganizationName, "Example");
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let key = KeyPair::generate().unwrap();
    let pem = params.self_signed(&key).unwrap().pem();
    Ca { params, key, pem }
}

fn leaf_params() -> CertificateParams {
    let mut params = CertificateParams::new(vec![
        "edge.shop.example".to_owned(),
        "192.0.2.10".to_owned(),
    ])
    .unwrap();
    params
        .subject_alt_names
        .push(SanType::Rfc822Name("ops@shop.example".try_into().unwrap()));
    params.distinguished_name = rcgen::DistinguishedName::new();
    params
        .distinguished_name
        .push(DnType::CommonName, "edge.shop.example");
    params
        .distinguished_name
        .push(DnType::OrganizationName, "Example");
    params.serial_number = Some(SerialNumber::from_slice(&[0x01, 0xAB, 0xCD]));
    params.not_before = date_time_ymd(2024, 1, 1);
    params.not_after = date_time_ymd(2099, 1, 1);
    params
}

/// Returns (certificate PEM, private key PEM).
fn sign_leaf(ca: &Ca, params: &CertificateParams, key: &KeyPair) -> (String, String) {
    let issuer = Issuer::from_params(&ca.params, &ca.key);
    let cert = params.signed_by(key, &issuer).unwrap();
    (cert.pem(), key.serialize_pem())
}

fn leaf(ca: &Ca) -> (String, String) {
    sign_leaf(ca, &leaf_params(), &KeyPair::generate().unwrap())
}

/// The base64 lines of a PEM text: none of them may ever show up in output.
fn body_lines(pem: &str) -> Vec<&str> {
    pem.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with("-----") && !l.contains(':'))
        .collect()
}

fn assert_no_secret(text: &str, key_pem: &str) {
    for line in body_lines(key_pem) {
        assert!(
            !text.contains(line),
            "output leaks a key line: {text}\nline: {line}"
        );
    }
}

fn write_temp(dir: &Path, name: &str, contents: &[u8]) -> std::path::PathBuf {
    let path = dir.join(name);
    std::fs::File::create(&path)
        .unwrap()
        .write_all(contents)
        .unwrap();
    path
}

// ---- minimal DER / base64, to re-encode PKCS#8 keys as PKCS#1 and SEC1 ----

/// Splits one DER TLV off the front: (tag, content, rest).
fn tlv(der: &[u8]) -> (u8, &[u8], &[u8]) {
    let tag = der[0];
    let (len, header) = match der[1] {
        n if n < 0x80 => (n as usize, 2),
        n => {
            let count = (n & 0x7f) as usize;
            let len = der[2..2 + count]
                .iter()
                .fold(0usize, |acc, b| (acc << 8) | *b as usize);
            (len, 2 + count)
        }
    };
    (tag, &der[header..header + len], &der[header + len..])
}

/// The privateKey OCTET STRING of a PKCS#8 PrivateKeyInfo: PKCS#1 for RSA, SEC1 for EC.
fn pkcs8_inner(pkcs8: &[u8]) -> Vec<u8> {
    let (_, info, _) = tlv(pkcs8);
    let (_, _version, rest) = tlv(info);
    let (_, _algorithm, rest) = tlv(rest);
    let (tag, key, _) = tlv(rest);
    assert_eq!(tag, 0x04);
    key.to_vec()
}

fn pem_encode(label: &str, der: &[u8]) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut b64 = String::new();
    for chunk in der.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |acc, (i, b)| acc | (*b as u32) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                b64.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                b64.push('=');
            }
        }
    }
    let mut out = format!("-----BEGIN {label}-----\n");
    for line in b64.as_bytes().chunks(64) {
        out.push_str(std::str::from_utf8(line).unwrap());
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

// ---- accepted ----

#[test]
fn valid_leaf_and_matching_key() {
    let ca = make_ca();
    let (cert, key) = leaf(&ca);
    let details = check_pair(&cert, &key).unwrap();

    assert!(details.subject.contains("CN=edge.shop.example"));
    assert!(details.subject.contains("O=Example"));
    assert!(details.issuer.contains("CN=Test CA"));
    assert_eq!(details.issuer_common_name.as_deref(), Some("Test CA"));
    assert_eq!(
        details.sans,
        vec!["edge.shop.example", "192.0.2.10", "ops@shop.example"]
    );
    assert_eq!(details.key, "ECDSA P-256");
    assert_eq!(details.signature, "ECDSAWithSHA256");
    assert_eq!(details.serial, "01:AB:CD");
    assert!(!details.is_ca);
    assert_eq!(
        details.not_before,
        Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap()
    );
    let not_after = Utc.with_ymd_and_hms(2099, 1, 1, 0, 0, 0).unwrap();
    assert_eq!(details.not_after, not_after);

    let der = rustls_pki_types_der(&cert);
    let expected: Vec<String> = Sha256::digest(&der)
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect();
    assert_eq!(details.sha256, expected.join(":"));
    assert_eq!(details.sha256.len(), 32 * 3 - 1);

    // The same certificate as the API would return it.
    assert_eq!(parse_certificate(&cert).unwrap(), details);
}

fn rustls_pki_types_der(pem: &str) -> Vec<u8> {
    use rustls_pki_types::CertificateDer;
    use rustls_pki_types::pem::PemObject;
    CertificateDer::from_pem_slice(pem.as_bytes())
        .unwrap()
        .to_vec()
}

#[test]
fn days_left_rounds_down() {
    let ca = make_ca();
    let (cert, _) = leaf(&ca);
    let details = parse_certificate(&cert).unwrap();
    let end = details.not_after;
    assert_eq!(details.days_left(end - Duration::days(30)), 30);
    assert_eq!(details.days_left(end - Duration::hours(25)), 1);
    assert_eq!(details.days_left(end - Duration::hours(1)), 0);
    assert_eq!(details.days_left(end), 0);
    assert_eq!(details.days_left(end + Duration::hours(1)), -1);
    assert_eq!(details.days_left(end + Duration::days(2)), -2);
}

#[test]
fn chain_file_is_accepted_and_first_block_is_the_leaf() {
    let ca = make_ca();
    let (cert, key) = leaf(&ca);
    let chain = format!("{cert}{}", ca.pem);
    let details = check_pair(&chain, &key).unwrap();
    assert_eq!(details.issuer_common_name.as_deref(), Some("Test CA"));
    assert!(details.subject.contains("CN=edge.shop.example"));

    // With the CA first, the CA is taken as the leaf and refused.
    let reversed = format!("{}{cert}", ca.pem);
    assert!(matches!(
        check_pair(&reversed, &key),
        Err(CertError::CaCertificate { .. })
    ));
}

#[test]
fn load_upload_sends_the_files_exactly_as_read() {
    let ca = make_ca();
    let (cert, key) = leaf(&ca);
    let dir = tempfile::tempdir().unwrap();
    let cert_text = format!("Bag Attributes\n    friendlyName: edge\n{cert}{}", ca.pem);
    let key_text = format!(
        "-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n{key}"
    );
    let cert_path = write_temp(dir.path(), "cert.pem", cert_text.as_bytes());
    let key_path = write_temp(dir.path(), "key.pem", key_text.as_bytes());

    let upload = load_upload(&cert_path, &key_path).unwrap();
    // Stray text around the blocks is tolerated by the checks and sent untouched.
    assert_eq!(upload.certificate, cert_text);
    assert_eq!(upload.private_key.expose_secret(), key_text);
    assert_eq!(upload.details.key, "ECDSA P-256");

    let debug = format!("{upload:?}");
    assert!(debug.contains("REDACTED"));
    assert!(debug.contains("edge.shop.example"));
    assert_no_secret(&debug, &key);
}

#[test]
fn rsa_key_in_pkcs8_and_pkcs1() {
    let ca = make_ca();
    let key = KeyPair::generate_for(&rcgen::PKCS_RSA_SHA256).unwrap();
    let (cert, key_pem) = sign_leaf(&ca, &leaf_params(), &key);
    assert!(key_pem.starts_with("-----BEGIN PRIVATE KEY-----"));

    let details = check_pair(&cert, &key_pem).unwrap();
    assert_eq!(details.key, "RSA 2048");
    // The leaf's signature comes from the (ECDSA) CA, so make an RSA-signed one too.
    assert_eq!(details.signature, "ECDSAWithSHA256");

    let pkcs1 = pem_encode("RSA PRIVATE KEY", &pkcs8_inner(key.serialized_der()));
    assert_eq!(check_pair(&cert, &pkcs1).unwrap(), details);

    let self_signed = leaf_params().self_signed(&key).unwrap().pem();
    let details = check_pair(&self_signed, &pkcs1).unwrap();
    assert_eq!(details.signature, "SHA256WithRSA");
    assert_eq!(details.key, "RSA 2048");
}

#[test]
fn ec_key_in_sec1() {
    let ca = make_ca();
    let key = KeyPair::generate().unwrap();
    let (cert, _) = sign_leaf(&ca, &leaf_params(), &key);
    let sec1 = pem_encode("EC PRIVATE KEY", &pkcs8_inner(key.serialized_der()));
    check_pair(&cert, &sec1).unwrap();
}

#[test]
fn p384_and_ed25519_keys() {
    let ca = make_ca();
    let key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P384_SHA384).unwrap();
    let (cert, key_pem) = sign_leaf(&ca, &leaf_params(), &key);
    assert_eq!(check_pair(&cert, &key_pem).unwrap().key, "ECDSA P-384");

    let key = KeyPair::generate_for(&rcgen::PKCS_ED25519).unwrap();
    let cert = leaf_params().self_signed(&key).unwrap().pem();
    let details = check_pair(&cert, &key.serialize_pem()).unwrap();
    assert_eq!(details.key, "Ed25519");
    assert_eq!(details.signature, "Ed25519");
}

// ---- refused: certificate ----

#[test]
fn expired_leaf_is_refused() {
    let ca = make_ca();
    let mut params = leaf_params();
    params.not_before = date_time_ymd(2019, 1, 1);
    params.not_after = date_time_ymd(2020, 1, 1);
    let (cert, key) = sign_leaf(&ca, &params, &KeyPair::generate().unwrap());
    let err = check_pair(&cert, &key).unwrap_err();
    assert!(matches!(err, CertError::Expired { .. }), "{err:?}");
    let msg = err.to_string();
    assert!(msg.contains("expired on 2020-01-01"), "{msg}");
    assert!(msg.contains("issue a new"), "{msg}");
    // Display of an expired certificate still works.
    assert!(parse_certificate(&cert).unwrap().days_left(Utc::now()) < 0);
}

#[test]
fn ca_certificate_is_refused() {
    let ca = make_ca();
    let err = check_pair(&ca.pem, &ca.key.serialize_pem()).unwrap_err();
    assert!(matches!(err, CertError::CaCertificate { .. }), "{err:?}");
    let msg = err.to_string();
    assert!(msg.contains("CA:TRUE"), "{msg}");
    assert!(msg.contains("upload the leaf signed by your CA"), "{msg}");
    assert!(parse_certificate(&ca.pem).unwrap().is_ca);
}

#[test]
fn key_given_as_certificate_is_refused() {
    let ca = make_ca();
    let (_, key) = leaf(&ca);
    let err = check_pair(&key, &key).unwrap_err();
    assert!(
        matches!(&err, CertError::NoCertificate { found } if found == &["PRIVATE KEY"]),
        "{err:?}"
    );
    let msg = err.to_string();
    assert!(msg.contains("no CERTIFICATE block"), "{msg}");
    assert!(msg.contains("swapped"), "{msg}");
    assert_no_secret(&msg, &key);
    assert_no_secret(&format!("{err:?}"), &key);
}

#[test]
fn garbage_text_is_refused() {
    let ca = make_ca();
    let (cert, key) = leaf(&ca);
    let err = check_pair("hello, this is not a certificate", &key).unwrap_err();
    assert_eq!(
        err,
        CertError::NoPemBlock {
            input: PemInput::Certificate
        }
    );
    assert!(err.to_string().contains("no PEM block"));

    let err = check_pair(&cert, "not a key either").unwrap_err();
    assert_eq!(
        err,
        CertError::NoPemBlock {
            input: PemInput::PrivateKey
        }
    );
    assert!(err.to_string().contains("private key"));

    let err = parse_certificate("").unwrap_err();
    assert!(matches!(err, CertError::NoPemBlock { .. }));
}

#[test]
fn malformed_base64_is_refused() {
    let ca = make_ca();
    let (cert, key) = leaf(&ca);
    let bad_cert = cert.replacen("MII", "M!I", 1);
    let err = check_pair(&bad_cert, &key).unwrap_err();
    assert!(
        matches!(
            &err,
            CertError::MalformedPem {
                input: PemInput::Certificate,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("invalid base64"), "{err}");

    let bad_key = key.replacen("MI", "M%", 1);
    let err = check_pair(&cert, &bad_key).unwrap_err();
    assert!(
        matches!(
            &err,
            CertError::MalformedPem {
                input: PemInput::PrivateKey,
                ..
            }
        ),
        "{err:?}"
    );
    let msg = err.to_string();
    assert!(msg.contains("invalid base64"), "{msg}");
    assert_no_secret(&msg, &bad_key);
    assert_no_secret(&format!("{err:?}"), &bad_key);
}

#[test]
fn truncated_pem_is_refused() {
    let ca = make_ca();
    let (cert, key) = leaf(&ca);
    let cut = |pem: &str| pem.lines().take(3).collect::<Vec<_>>().join("\n");

    let err = check_pair(&cut(&cert), &key).unwrap_err();
    assert!(
        matches!(
            &err,
            CertError::MalformedPem {
                input: PemInput::Certificate,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("no END line"), "{err}");

    let err = check_pair(&cert, &cut(&key)).unwrap_err();
    assert!(
        matches!(
            &err,
            CertError::MalformedPem {
                input: PemInput::PrivateKey,
                ..
            }
        ),
        "{err:?}"
    );
    assert_no_secret(&err.to_string(), &key);

    // A truncated leaf followed by a whole CA certificate must not be merged into one.
    let err = check_pair(&format!("{}\n{}", cut(&cert), ca.pem), &key).unwrap_err();
    assert!(matches!(err, CertError::MalformedPem { .. }), "{err:?}");
}

#[test]
fn damaged_der_is_refused() {
    let ca = make_ca();
    let (_, key) = leaf(&ca);
    let not_x509 = pem_encode("CERTIFICATE", b"definitely not DER");
    let err = check_pair(&not_x509, &key).unwrap_err();
    assert!(
        matches!(err, CertError::InvalidCertificate { .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("not a valid X.509"));
}

// ---- refused: key ----

#[test]
fn mismatched_key_is_refused() {
    let ca = make_ca();
    let (cert, _) = leaf(&ca);
    let other = KeyPair::generate().unwrap().serialize_pem();
    let err = check_pair(&cert, &other).unwrap_err();
    assert!(matches!(err, CertError::KeyMismatch { .. }), "{err:?}");
    let msg = err.to_string();
    assert!(msg.contains("does not match"), "{msg}");
    assert!(msg.contains("ECDSA P-256"), "{msg}");
    assert_no_secret(&msg, &other);
    assert_no_secret(&format!("{err:?}"), &other);

    // Different key types mismatch too.
    let rsa = KeyPair::generate_for(&rcgen::PKCS_RSA_SHA256)
        .unwrap()
        .serialize_pem();
    let err = check_pair(&cert, &rsa).unwrap_err();
    assert!(
        matches!(&err, CertError::KeyMismatch { private_key, .. } if private_key == "RSA 2048"),
        "{err:?}"
    );
}

const ENCRYPTED_PKCS8: &str = "-----BEGIN ENCRYPTED PRIVATE KEY-----
MIIFHDBOBgkqhkiG9w0BBQ0wQTApBgkqhkiG9w0BBQwwHAQIc2VjcmV0c2VjcmV0
c2VjcmV0AgIIADAMBggqhkiG9w0CCQUAMBQGCCqGSIb3DQMHBAhhYmNkZWZnaA==
-----END ENCRYPTED PRIVATE KEY-----
";

const ENCRYPTED_LEGACY: &str = "-----BEGIN RSA PRIVATE KEY-----
Proc-Type: 4,ENCRYPTED
DEK-Info: AES-128-CBC,8A1F6E3C0D2B4F5A6978C0D1E2F3A4B5

c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0
-----END RSA PRIVATE KEY-----
";

#[test]
fn encrypted_keys_are_refused() {
    let ca = make_ca();
    let (cert, _) = leaf(&ca);
    for key in [ENCRYPTED_PKCS8, ENCRYPTED_LEGACY] {
        let err = check_pair(&cert, key).unwrap_err();
        assert_eq!(err, CertError::EncryptedKey);
        let msg = err.to_string();
        assert!(msg.contains("encrypted"), "{msg}");
        assert!(
            msg.contains("openssl pkey -in key.pem -out key-plain.pem"),
            "{msg}"
        );
        assert_no_secret(&msg, key);
    }
}

#[test]
fn certificate_given_as_key_is_refused() {
    let ca = make_ca();
    let (cert, _) = leaf(&ca);
    let err = check_pair(&cert, &format!("{cert}{}", ca.pem)).unwrap_err();
    assert_eq!(err, CertError::CertificateGivenAsKey);
    assert!(err.to_string().contains("swapped"));
}

#[test]
fn key_text_without_a_private_key_is_refused() {
    let ca = make_ca();
    let key = KeyPair::generate().unwrap();
    let (cert, _) = sign_leaf(&ca, &leaf_params(), &key);
    let err = check_pair(&cert, &key.public_key_pem()).unwrap_err();
    assert!(
        matches!(&err, CertError::NoPrivateKey { found } if found == &["PUBLIC KEY"]),
        "{err:?}"
    );
    assert!(err.to_string().contains("PUBLIC KEY"));
}

#[test]
fn unsupported_keys_are_refused() {
    let ca = make_ca();
    let (cert, _) = leaf(&ca);

    let dsa = pem_encode("DSA PRIVATE KEY", b"\x30\x03\x02\x01\x00");
    let err = check_pair(&cert, &dsa).unwrap_err();
    assert!(
        matches!(&err, CertError::UnsupportedKey { algorithm } if algorithm == "DSA"),
        "{err:?}"
    );
    assert!(err.to_string().contains("not supported"));

    // Valid base64 and a known label, but not a key inside.
    let junk = pem_encode("PRIVATE KEY", b"secret junk that is no key");
    let err = check_pair(&cert, &junk).unwrap_err();
    assert!(matches!(err, CertError::UnsupportedKey { .. }), "{err:?}");
    assert_no_secret(&format!("{err} {err:?}"), &junk);
}

#[test]
fn no_error_carries_the_key() {
    let ca = make_ca();
    let key = KeyPair::generate().unwrap();
    let (cert, key_pem) = sign_leaf(&ca, &leaf_params(), &key);
    let key_body = body_lines(&key_pem).join("\n");
    let cases = [
        (cert.clone(), key_body.clone()),
        (key_pem.clone(), key_pem.clone()),
        (
            cert.clone(),
            key_pem.replace("-----END PRIVATE KEY-----", ""),
        ),
        (cert.clone(), key_pem.replacen('M', "*", 1)),
        (cert.clone(), key_pem.replace("PRIVATE KEY", "PRIVATE KEYS")),
        (
            cert.clone(),
            KeyPair::generate().unwrap().serialize_pem() + &key_pem,
        ),
        (key_pem.clone() + &cert, cert.clone()),
    ];
    for (cert_text, key_text) in cases {
        let err = check_pair(&cert_text, &key_text).unwrap_err();
        let shown = format!("{err} {err:?}");
        assert_no_secret(&shown, &key_pem);
    }
}

// ---- files ----

/// A valid pair, written to `dir` as `cert.pem` and `key.pem`.
fn pair_files(dir: &Path) -> (std::path::PathBuf, std::path::PathBuf) {
    let (cert, key) = leaf(&make_ca());
    (
        write_temp(dir, "cert.pem", cert.as_bytes()),
        write_temp(dir, "key.pem", key.as_bytes()),
    )
}

#[test]
fn missing_file_is_refused_with_its_path() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nope.pem");
    let (cert_path, key_path) = pair_files(dir.path());

    let err = load_upload(&cert_path, &path).unwrap_err();
    assert!(
        matches!(&err, CertError::FileNotFound { file } if file.input == PemInput::PrivateKey),
        "{err:?}"
    );
    let msg = err.to_string();
    assert!(msg.starts_with("private key file"), "{msg}");
    assert!(msg.contains(&path.display().to_string()), "{msg}");
    assert!(msg.contains("does not exist"), "{msg}");

    let err = load_upload(&path, &key_path).unwrap_err();
    assert!(
        matches!(&err, CertError::FileNotFound { file } if file.input == PemInput::Certificate),
        "{err:?}"
    );
    assert!(err.to_string().starts_with("certificate file"), "{err}");
}

#[test]
fn oversized_file_is_refused_and_the_limit_itself_is_not() {
    let dir = tempfile::tempdir().unwrap();
    let (cert_path, key_path) = pair_files(dir.path());
    let limit = MAX_PEM_FILE_BYTES as usize;
    // Text outside the PEM blocks is allowed, so padding keeps the certificate valid.
    let padded = |len: usize| {
        let mut text = std::fs::read(&cert_path).unwrap();
        text.resize(len, b'\n');
        text
    };

    let exact = write_temp(dir.path(), "exact.pem", &padded(limit));
    let upload = load_upload(&exact, &key_path).unwrap();
    assert_eq!(upload.certificate.len(), limit);

    let big = write_temp(dir.path(), "big.pem", &padded(limit + 1));
    let err = load_upload(&big, &key_path).unwrap_err();
    assert!(
        matches!(&err, CertError::FileTooLarge { file, size }
            if *size == MAX_PEM_FILE_BYTES + 1 && file.input == PemInput::Certificate),
        "{err:?}"
    );
    assert!(err.to_string().contains("big.pem"), "{err}");

    let err = load_upload(&cert_path, &big).unwrap_err();
    assert!(
        matches!(&err, CertError::FileTooLarge { file, .. } if file.input == PemInput::PrivateKey),
        "{err:?}"
    );
}

#[test]
fn binary_file_and_directory_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (cert_path, key_path) = pair_files(dir.path());
    let der = write_temp(dir.path(), "cert.der", &[0x30, 0x82, 0xff, 0xfe, 0x00]);
    let err = load_upload(&der, &key_path).unwrap_err();
    assert!(matches!(err, CertError::FileNotText { .. }), "{err:?}");
    assert!(
        err.to_string().contains("openssl x509 -inform der"),
        "{err}"
    );
    let err = load_upload(&cert_path, &der).unwrap_err();
    assert!(
        err.to_string().contains("openssl pkey -inform der"),
        "{err}"
    );

    let err = load_upload(dir.path(), &key_path).unwrap_err();
    assert!(
        matches!(&err, CertError::FileUnreadable { reason, .. } if reason.contains("directory")),
        "{err:?}"
    );
}

#[test]
fn crlf_line_endings_are_accepted() {
    let ca = make_ca();
    let (cert, key) = leaf(&ca);
    let details = check_pair(&cert.replace('\n', "\r\n"), &key.replace('\n', "\r\n")).unwrap();
    assert_eq!(details, check_pair(&cert, &key).unwrap());
}

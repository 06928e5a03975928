//! Property tests: whatever bytes the API (or something posing as it) sends back, and
//! whatever text is given as PEM, nothing panics, and what ends up in an error message
//! is sanitized, bounded and free of key material.

use std::sync::OnceLock;

use originpull::api::client::decode;
use originpull::api::{
    ApiError, CertStatus, Certificate, Enablement, GlobalAop, NameFilter, SslMode, TokenInfo, Zone,
    ZoneSettings,
};
use originpull::certinfo::{check_pair, parse_certificate};
use originpull::text::{excerpt, sanitize};
use proptest::prelude::*;
use reqwest::StatusCode;
use serde_json::{Map, Value};

/// A modest case count, and no regression files written into the tree on failure.
/// `PROPTEST_CASES` overrides the count for a longer hunt.
fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases: std::env::var("PROPTEST_CASES")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(cases),
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// The longest error text a 1 MiB body may turn into.
const DISPLAY_BOUND: usize = 4096;

fn is_unsafe(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

// ---------------------------------------------------------------------------------------
// Helpers: deterministic filler for large bodies, base64, a real certificate and key.
// ---------------------------------------------------------------------------------------

/// SplitMix64: large bodies are built from a seed, so proptest need not shrink a
/// million-element vector.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn byte(&mut self) -> u8 {
        self.next() as u8
    }

    fn pick<T: Copy>(&mut self, from: &[T]) -> T {
        from[(self.next() % from.len() as u64) as usize]
    }
}

fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn pem_wrap(label: &str, der: &[u8], line_len: usize, eol: &str) -> String {
    let b64 = base64(der);
    let mut out = format!("-----BEGIN {label}-----{eol}");
    for line in b64.as_bytes().chunks(line_len.max(1)) {
        out.push_str(std::str::from_utf8(line).unwrap());
        out.push_str(eol);
    }
    out.push_str(&format!("-----END {label}-----{eol}"));
    out
}

/// Real material for the parsers to chew on: `certs[0]` is a good leaf whose key is
/// `keys[0]`; `certs[1]` is a CA whose names carry escape sequences; the other keys are
/// of other types, and match no certificate.
struct Real {
    certs: Vec<(Vec<u8>, String)>,
    keys: Vec<(Vec<u8>, String)>,
}

fn real() -> &'static Real {
    static REAL: OnceLock<Real> = OnceLock::new();
    REAL.get_or_init(|| {
        let mut params =
            rcgen::CertificateParams::new(vec!["edge.shop.example".to_owned()]).expect("params");
        params.not_before = rcgen::date_time_ymd(2024, 1, 1);
        params.not_after = rcgen::date_time_ymd(2099, 1, 1);
        let key = rcgen::KeyPair::generate().expect("key");
        let leaf = params.self_signed(&key).expect("cert");

        let mut params = rcgen::CertificateParams::new(vec![
            "evil\u{1b}[31m.example".to_owned(),
            "a\u{7}b.example".to_owned(),
        ])
        .expect("params");
        params.distinguished_name = rcgen::DistinguishedName::new();
        params.distinguished_name.push(
            rcgen::DnType::CommonName,
            "evil\u{1b}[2J\u{1b}]0;pwned\u{7}\u{202e}\u{9b}CA",
        );
        params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        let ca_key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P384_SHA384).expect("key");
        let ca = params.self_signed(&ca_key).expect("cert");

        let ed = rcgen::KeyPair::generate_for(&rcgen::PKCS_ED25519).expect("key");
        let rsa = rcgen::KeyPair::generate_for(&rcgen::PKCS_RSA_SHA256).expect("key");
        Real {
            certs: [leaf, ca]
                .iter()
                .map(|c| (c.der().to_vec(), c.pem()))
                .collect(),
            keys: [key, ca_key, ed, rsa]
                .iter()
                .map(|k| (k.serialize_der(), k.serialize_pem()))
                .collect(),
        }
    })
}

// ---------------------------------------------------------------------------------------
// 1. `decode` of arbitrary bytes.
// ---------------------------------------------------------------------------------------

fn check_error(err: &ApiError, bound: Option<usize>) -> String {
    let text = err.to_string();
    let _ = err.hint();
    let _ = err.codes();
    let _ = err.status();
    let _ = format!("{err:?}");
    assert!(
        !text.chars().any(is_unsafe),
        "unsanitized error text: {text:?}"
    );
    if let Some(bound) = bound {
        let len = text.chars().count();
        assert!(
            len < bound,
            "error text of {len} chars: {:?}…",
            text.chars().take(200).collect::<String>()
        );
    }
    text
}

/// Decodes `body` as every response type the client reads; returns the error texts.
fn decode_all(status: StatusCode, body: &[u8], bound: Option<usize>) -> Vec<String> {
    fn one<T: serde::de::DeserializeOwned>(
        status: StatusCode,
        body: &[u8],
        bound: Option<usize>,
        out: &mut Vec<String>,
    ) {
        if let Err(e) = decode::<T>(status, body) {
            out.push(check_error(&e, bound));
        }
    }
    let mut out = Vec::new();
    one::<Vec<Zone>>(status, body, bound, &mut out);
    one::<Vec<Certificate>>(status, body, bound, &mut out);
    one::<Certificate>(status, body, bound, &mut out);
    one::<Enablement>(status, body, bound, &mut out);
    one::<TokenInfo>(status, body, bound, &mut out);
    one::<Zone>(status, body, bound, &mut out);
    one::<GlobalAop>(status, body, bound, &mut out);
    one::<ZoneSettings>(status, body, bound, &mut out);
    out
}

fn arb_status() -> impl Strategy<Value = StatusCode> {
    prop_oneof![
        3 => prop::sample::select(vec![200u16, 201, 204, 400, 401, 403, 404, 429, 500, 502, 503]),
        2 => 100u16..=599,
    ]
    .prop_map(|s| StatusCode::from_u16(s).expect("100..=599 is a valid status"))
}

/// Small bodies: raw bytes, or bytes from JSON's own alphabet so that the parser gets
/// further than the first byte.
fn arb_small_body() -> impl Strategy<Value = Vec<u8>> {
    let json_bytes: Vec<u8> =
        b"{}[]\",:0123456789-+.eE truefalsnul\\/u\x1b\x00\n\r\t\xc3\xa9\xe2\x80\xae\xff".to_vec();
    let fragments = prop::sample::select(vec![
        "{",
        "}",
        "[",
        "]",
        ",",
        ":",
        "\"success\"",
        "\"errors\"",
        "\"result\"",
        "\"result_info\"",
        "\"messages\"",
        "\"code\"",
        "\"message\"",
        "\"error_chain\"",
        "\"status\"",
        "\"enabled\"",
        "\"expires_on\"",
        "true",
        "false",
        "null",
        "0",
        "-1",
        "1e999",
        "18446744073709551616",
        "\"\\u001b[2J\"",
        "\"\\ud800\"",
        "\"x\"",
    ]);
    prop_oneof![
        prop::collection::vec(any::<u8>(), 0..2048),
        prop::collection::vec(prop::sample::select(json_bytes), 0..512),
        prop::collection::vec(fragments, 0..64).prop_map(|f| f.concat().into_bytes()),
    ]
}

/// Bodies up to 1 MiB, of kinds whose decode error must still be short.
fn large_body(kind: u8, seed: u64, len: usize) -> Vec<u8> {
    let mut rng = Rng(seed);
    let hostile: &[&[u8]] = &[
        b"\x1b[2J",
        b"\x1b]0;pwned\x07",
        b"\xc2\x9b31m",
        "\u{202E}".as_bytes(),
        "\u{2066}".as_bytes(),
        b"\r\n",
        b" ",
        b"\t",
        b"\x00",
        b"\x7f",
        b"<td>",
        b"A",
        b"\xff",
        "\u{85}".as_bytes(),
        "\u{2028}".as_bytes(),
    ];
    let mut body = Vec::with_capacity(len + 64);
    match kind {
        // Random bytes.
        0 => {}
        // A proxy's HTML page full of escape sequences.
        1 => body.extend_from_slice(b"<html><head><title>502 Bad Gateway</title></head>"),
        // JSON cut short (a truncated transfer), then junk.
        2 => body.extend_from_slice(b"{\"success\":true,\"errors\":[],\"result\":[{\"id\":"),
        // An unterminated error message.
        3 => {
            body.extend_from_slice(b"{\"success\":false,\"errors\":[{\"code\":1000,\"message\":\"")
        }
        // Nesting past serde_json's recursion limit.
        4 => body.extend(std::iter::repeat_n(b'[', len.min(100_000))),
        // Only whitespace.
        5 => body.extend(std::iter::repeat_n(b' ', len)),
        // One giant word of control characters (no whitespace to break on).
        6 => body.extend(std::iter::repeat_n(0x1b, len)),
        _ => unreachable!(),
    }
    while body.len() < len {
        match kind {
            0 | 2 => body.push(rng.byte()),
            1 | 3 => body.extend_from_slice(rng.pick(hostile)),
            _ => body.push(rng.pick(b"\x1b\x9b[]{},:\" ")),
        }
    }
    body
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn decode_never_panics_on_arbitrary_bytes(status in arb_status(), body in arb_small_body()) {
        decode_all(status, &body, Some(DISPLAY_BOUND));
    }
}

proptest! {
    #![proptest_config(config(24))]

    #[test]
    fn decode_errors_stay_short_for_large_bodies(
        status in arb_status(),
        kind in 0u8..7,
        seed in any::<u64>(),
        len in prop_oneof![1usize..4096, Just(1 << 20), (1usize << 16)..=(1 << 20)],
    ) {
        let body = large_body(kind, seed, len);
        decode_all(status, &body, Some(DISPLAY_BOUND));
    }
}

/// Found by the properties above, and fixed: well-formed JSON could make an unbounded
/// error text (serde_json's "invalid type" message quotes the whole offending string,
/// and `ApiError::Api` showed every message in full).
#[test]
fn error_text_is_bounded_for_large_well_formed_bodies() {
    let big = "A".repeat(5000);
    let cases = [
        (200, format!("\"{big}\"")),
        (
            200,
            format!(r#"{{"success":true,"result":{{"enabled":"{big}"}}}}"#),
        ),
        (200, format!(r#"{{"success":true,"result_info":"{big}"}}"#)),
        (
            400,
            format!(r#"{{"success":false,"errors":[{{"code":1,"message":"{big}"}}]}}"#),
        ),
        (
            400,
            format!(
                r#"{{"success":false,"errors":[{}]}}"#,
                vec![r#"{"code":1,"message":"x"}"#; 1000].join(",")
            ),
        ),
    ];
    let mut failures = Vec::new();
    for (status, body) in &cases {
        let status = StatusCode::from_u16(*status).unwrap();
        if let Err(e) = decode::<Enablement>(status, body.as_bytes()) {
            let len = e.to_string().chars().count();
            if len >= DISPLAY_BOUND {
                failures.push(format!("{len} chars from {:.60}…", body));
            }
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

// ---------------------------------------------------------------------------------------
// 2. Structured but hostile JSON envelopes.
// ---------------------------------------------------------------------------------------

fn hostile_string() -> impl Strategy<Value = String> {
    prop_oneof![
        2 => any::<String>(),
        2 => "[a-z_ ]{0,24}",
        1 => prop::sample::select(vec![
            "initializing",
            "pending_deployment",
            "pending_deletion",
            "active",
            "deleted",
            "deployment_timed_out",
            "deletion_timed_out",
            "quantum",
            "",
            "ACTIVE",
            "2019-10-28T18:11:23.37411Z",
            "+275760-09-13T00:00:00Z",
            "9999-12-31T23:59:60Z",
            "0000-00-00T00:00:00Z",
            "2024-02-30T25:61:61+99:99",
            "evil\u{1b}[2J\u{1b}]0;pwned\u{7}.example",
            "\u{9b}31mred",
            "a\u{202E}b\u{2066}c",
            "line\r\nbreak\u{85}\u{2028}",
            "\u{0}\u{7f}\u{1}",
            "\\u001b[2J",
        ])
        .prop_map(str::to_owned),
        1 => prop::collection::vec(
            prop::sample::select(vec!['\u{1b}', '[', '\u{7}', '\u{9b}', '\u{202e}', 'x', '\n', '\u{0}', '\u{2069}']),
            0..40,
        )
        .prop_map(|v| v.into_iter().collect()),
    ]
}

fn arb_key() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => prop::sample::select(vec![
            "id", "name", "status", "account", "issuer", "signature", "serial_number",
            "expires_on", "uploaded_on", "certificate", "private_key", "enabled",
            "not_before", "code", "message", "error_chain", "documentation_url", "page",
            "per_page", "count", "total_count", "total_pages", "success", "errors",
            "result", "result_info", "messages",
        ])
        .prop_map(str::to_owned),
        1 => hostile_string(),
    ]
}

fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        prop::sample::select(vec![
            0i64,
            -1,
            1,
            i64::MIN,
            i64::MAX,
            1406,
            6003,
            10000,
            7003
        ])
        .prop_map(Value::from),
        any::<f64>().prop_map(Value::from), // NaN and infinities become null
        hostile_string().prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((arb_key(), inner), 0..6)
                .prop_map(|kv| Value::Object(kv.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// A certificate-shaped object with hostile field values, so that decodes succeed often.
fn arb_certificate_json() -> impl Strategy<Value = Value> {
    (
        prop::option::of(hostile_string()),
        prop::option::of(prop_oneof![
            3 => hostile_string().prop_map(Value::String),
            1 => arb_json(),
        ]),
        prop::option::of(hostile_string()),
        prop::option::of(hostile_string()),
        prop::collection::vec(
            (
                prop_oneof![3 => hostile_string(), 1 => arb_key()],
                arb_json(),
            ),
            0..3,
        ),
    )
        .prop_map(|(id, status, issuer, expires_on, extra)| {
            let mut m: Map<String, Value> = extra.into_iter().collect();
            let mut put = |k: &str, v: Option<Value>| {
                if let Some(v) = v {
                    m.insert(k.to_owned(), v);
                }
            };
            put("id", id.map(Value::String));
            put("status", status);
            put("issuer", issuer.map(Value::String));
            put("expires_on", expires_on.map(Value::String));
            Value::Object(m)
        })
}

/// A zone setting object: mostly the two originpull reads, with hostile values.
fn arb_setting_json() -> impl Strategy<Value = Value> {
    (
        prop_oneof![
            2 => Just("ssl".to_owned()),
            2 => Just("tls_client_auth".to_owned()),
            1 => hostile_string(),
        ],
        prop_oneof![
            2 => prop::sample::select(vec!["on", "off", "full", "strict", "flexible"])
                .prop_map(|v| Value::String(v.to_owned())),
            2 => hostile_string().prop_map(Value::String),
            1 => arb_json(),
        ],
        prop::option::of(prop_oneof![any::<bool>().prop_map(Value::Bool), arb_json()]),
        prop::option::of(hostile_string()),
    )
        .prop_map(|(id, value, editable, modified_on)| {
            let mut m = Map::new();
            m.insert("id".to_owned(), Value::String(id));
            m.insert("value".to_owned(), value);
            if let Some(e) = editable {
                m.insert("editable".to_owned(), e);
            }
            m.insert(
                "modified_on".to_owned(),
                modified_on.map_or(Value::Null, Value::String),
            );
            Value::Object(m)
        })
}

/// The raw JSON text of an error code: ints, strings, null, and numbers no i64 holds.
fn arb_code() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => any::<i64>().prop_map(|c| c.to_string()),
        1 => prop::sample::select(vec![1406i64, 6003, 6111, 10000, 9109, 7003])
            .prop_map(|c| c.to_string()),
        1 =>
        prop::sample::select(vec![
            "null",
            "1406",
            "6003",
            "\"1000\"",
            "\"\"",
            "true",
            "1.5",
            "-0",
            "1e3",
            "1e400",
            "-1e400",
            "9223372036854775808",
            "-9223372036854775809",
            "18446744073709551616",
            "123456789012345678901234567890",
            "[]",
            "{}",
        ])
        .prop_map(str::to_owned),
    ]
}

fn arb_error_text(depth: u32) -> BoxedStrategy<String> {
    let chain = if depth == 0 {
        Just(None).boxed()
    } else {
        prop::option::of(prop::collection::vec(arb_error_text(depth - 1), 0..3)).boxed()
    };
    (
        prop::option::of(arb_code()),
        prop::option::of(prop_oneof![
            3 => hostile_string().prop_map(|s| Value::String(s).to_string()),
            1 => arb_json().prop_map(|v| v.to_string()),
        ]),
        chain,
        prop::option::of(prop_oneof![
            3 => hostile_string().prop_map(Value::String),
            1 => arb_json(),
        ]),
    )
        .prop_map(|(code, message, chain, extra)| {
            let mut fields = Vec::new();
            if let Some(code) = code {
                fields.push(format!("\"code\":{code}"));
            }
            if let Some(message) = message {
                fields.push(format!("\"message\":{message}"));
            }
            if let Some(chain) = chain {
                fields.push(format!("\"error_chain\":[{}]", chain.join(",")));
            }
            if let Some(extra) = extra {
                fields.push(format!("\"documentation_url\":{extra}"));
            }
            format!("{{{}}}", fields.join(","))
        })
        .boxed()
}

fn arb_envelope() -> impl Strategy<Value = (String, Option<Value>)> {
    let result = prop_oneof![
        2 => prop::collection::vec(arb_certificate_json(), 0..4).prop_map(Value::Array),
        1 => arb_certificate_json(),
        1 => prop::collection::vec(arb_setting_json(), 0..4).prop_map(Value::Array),
        1 => arb_setting_json(),
        2 => arb_json(),
    ];
    let result_info = prop_oneof![
        1 => Just(Value::Null),
        2 => (any::<u64>(), 0u64..100, any::<u64>()).prop_map(|(a, b, c)| {
            serde_json::json!({"page": a, "per_page": b, "total_count": c})
        }),
        1 => arb_json(),
    ];
    // Weighted towards envelopes that decode, so the typed results are checked too.
    (
        prop::option::weighted(
            0.9,
            prop_oneof![
                4 => Just("true".to_owned()),
                2 => Just("false".to_owned()),
                1 => arb_json().prop_map(|v| v.to_string()),
            ],
        ),
        prop::option::of(prop_oneof![
            2 => Just("[]".to_owned()),
            3 => prop::collection::vec(arb_error_text(2), 1..4)
                .prop_map(|e| format!("[{}]", e.join(","))),
            1 => arb_json().prop_map(|v| v.to_string()),
        ]),
        prop::option::weighted(0.9, result),
        prop::option::of(result_info),
        prop::option::of(prop_oneof![
            3 => prop::collection::vec(arb_json(), 0..3).prop_map(Value::Array),
            1 => arb_json(),
        ]),
    )
        .prop_map(|(success, errors, result, result_info, messages)| {
            let mut fields = Vec::new();
            if let Some(s) = success {
                fields.push(format!("\"success\":{s}"));
            }
            if let Some(e) = errors {
                fields.push(format!("\"errors\":{e}"));
            }
            if let Some(r) = &result {
                fields.push(format!("\"result\":{r}"));
            }
            if let Some(i) = result_info {
                fields.push(format!("\"result_info\":{i}"));
            }
            if let Some(m) = messages {
                fields.push(format!("\"messages\":{m}"));
            }
            (format!("{{{}}}", fields.join(",")), result)
        })
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn hostile_envelopes_decode_without_panics(
        (body, result) in arb_envelope(),
        status in prop_oneof![2 => Just(StatusCode::OK), 1 => arb_status()],
    ) {
        let texts = decode_all(status, body.as_bytes(), None);
        for text in &texts {
            prop_assert!(!text.contains('\u{1b}'), "escape in {text:?}");
        }

        if let Ok((Some(certs), _)) = decode::<Vec<Certificate>>(status, body.as_bytes()) {
            let sent = match &result {
                Some(Value::Array(items)) => items,
                other => panic!("decoded a list from {other:?}"),
            };
            prop_assert_eq!(certs.len(), sent.len());
            for (cert, sent) in certs.iter().zip(sent) {
                if let Some(status) = &cert.status {
                    prop_assert_eq!(&CertStatus::from_api(status.as_str()), status);
                    prop_assert_eq!(Some(status.as_str()), sent["status"].as_str());
                    prop_assert_eq!(status.to_string(), status.as_str());
                    let _ = status.is_transient();
                }
                let again = serde_json::to_string(cert).expect("a certificate serializes");
                let back: Certificate = serde_json::from_str(&again).expect("and reads back");
                prop_assert_eq!(&back, cert);
                if let Some(t) = &cert.expires_on {
                    prop_assert_eq!(Some(t.raw()), sent["expires_on"].as_str());
                    let _ = t.datetime();
                }
            }
        }
        if let Ok((Some(info), _)) = decode::<Enablement>(status, body.as_bytes()) {
            let _ = info.enabled;
        }
        if let Ok((Some(settings), _)) = decode::<ZoneSettings>(status, body.as_bytes()) {
            if let Some(ssl) = &settings.ssl {
                prop_assert_eq!(&SslMode::from_api(ssl.as_str()), ssl);
                let _ = ssl.voids_aop();
            }
            let again = serde_json::to_value(&settings).expect("settings serialize");
            let back: ZoneSettings = serde_json::from_value(again).expect("and read back");
            prop_assert_eq!(back, settings);
        }
    }
}

/// A well-formed certificate: every known field a string or null, plus unknown fields.
fn arb_good_certificate_json() -> impl Strategy<Value = Value> {
    let field = || {
        prop_oneof![
            4 => hostile_string().prop_map(Value::String),
            1 => Just(Value::Null),
        ]
    };
    (
        prop::collection::vec(
            (
                prop::sample::select(vec![
                    "id",
                    "status",
                    "issuer",
                    "signature",
                    "serial_number",
                    "expires_on",
                    "uploaded_on",
                    "certificate",
                ]),
                field(),
            ),
            0..8,
        ),
        prop::collection::vec(
            (
                prop_oneof![
                    Just("private_key".to_owned()),
                    "[a-z_]{1,12}".prop_filter("not a known field", |k| {
                        !matches!(
                            k.as_str(),
                            "id" | "status"
                                | "issuer"
                                | "signature"
                                | "serial_number"
                                | "expires_on"
                                | "uploaded_on"
                                | "certificate"
                        )
                    }),
                ],
                arb_json(),
            ),
            0..3,
        ),
    )
        .prop_map(|(known, unknown)| {
            let mut m: Map<String, Value> = unknown.into_iter().collect();
            m.extend(known.into_iter().map(|(k, v)| (k.to_owned(), v)));
            Value::Object(m)
        })
}

proptest! {
    #![proptest_config(config(256))]

    /// Any status text, known or not, comes through and round-trips; odd values in
    /// other fields or unknown fields never make the listing unreadable.
    #[test]
    fn certificate_lists_keep_every_status(
        certs in prop::collection::vec(arb_good_certificate_json(), 0..5),
        messages in prop::collection::vec(arb_json(), 0..2),
    ) {
        let body = serde_json::json!({
            "success": true,
            "errors": [],
            "messages": messages,
            "result": certs,
        })
        .to_string();
        let (decoded, _) = decode::<Vec<Certificate>>(StatusCode::OK, body.as_bytes())
            .map_err(|e| TestCaseError::fail(format!("{e}: {body}")))?;
        let decoded = decoded.expect("a result was sent");
        prop_assert_eq!(decoded.len(), certs.len());
        for (cert, sent) in decoded.iter().zip(&certs) {
            prop_assert_eq!(cert.id.as_deref(), sent["id"].as_str());
            prop_assert_eq!(cert.issuer.as_deref(), sent["issuer"].as_str());
            prop_assert_eq!(cert.expires_on.as_ref().map(|t| t.raw()), sent["expires_on"].as_str());
            match &cert.status {
                Some(status) => {
                    prop_assert_eq!(Some(status.as_str()), sent["status"].as_str());
                    prop_assert_eq!(&CertStatus::from_api(status.as_str()), status);
                    prop_assert_eq!(status.to_string(), status.as_str());
                }
                None => prop_assert!(sent["status"].is_null()),
            }
            // `private_key` is never kept, and what is kept serializes back the same.
            let again = serde_json::to_string(cert).expect("a certificate serializes");
            let again_value: Value = serde_json::from_str(&again).expect("JSON");
            prop_assert!(again_value.get("private_key").is_none());
            let back: Certificate = serde_json::from_str(&again).expect("and reads back");
            prop_assert_eq!(&back, cert);
        }
    }
}

// ---------------------------------------------------------------------------------------
// 3. PEM parsing.
// ---------------------------------------------------------------------------------------

const LABELS: [&str; 6] = [
    "CERTIFICATE",
    "PRIVATE KEY",
    "EC PRIVATE KEY",
    "RSA PRIVATE KEY",
    "ENCRYPTED PRIVATE KEY",
    "X509 CRL",
];

fn arb_label() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => prop::sample::select(LABELS.to_vec()).prop_map(str::to_owned),
        1 => "[A-Z0-9 ]{0,50}",
        1 => "[^\n]{0,20}",
        1 => Just("DSA PRIVATE KEY".to_owned()),
        1 => Just("OPENSSH PRIVATE KEY".to_owned()),
    ]
}

/// Base64-ish body lines: mostly the alphabet, sometimes junk, random lengths.
fn arb_body_lines() -> impl Strategy<Value = Vec<String>> {
    prop::collection::vec(
        prop_oneof![
            8 => "[A-Za-z0-9+/]{0,80}",
            1 => "[A-Za-z0-9+/]{0,70}={0,3}",
            1 => "[A-Za-z0-9+/=*!. \t-]{0,80}",
        ],
        0..12,
    )
}

#[derive(Debug, Clone)]
struct PemBlock {
    label: String,
    end_label: Option<String>, // None: no END line
    headers: Vec<String>,
    body: Vec<String>,
}

fn arb_block() -> impl Strategy<Value = PemBlock> {
    (
        arb_label(),
        prop_oneof![
            6 => Just(Some(None)), // END line matching BEGIN
            1 => Just(None),       // missing END line
            1 => arb_label().prop_map(|l| Some(Some(l))),
        ],
        prop::collection::vec(
            prop::sample::select(vec![
                "Proc-Type: 4,ENCRYPTED".to_owned(),
                "DEK-Info: AES-128-CBC,0123456789ABCDEF0123456789ABCDEF".to_owned(),
                "Proc-Type: 4,MIC-ONLY".to_owned(),
                "Bag Attributes".to_owned(),
                "".to_owned(),
            ]),
            0..3,
        ),
        arb_body_lines(),
    )
        .prop_map(|(label, end, headers, body)| PemBlock {
            end_label: end.map(|e| e.unwrap_or_else(|| label.clone())),
            label,
            headers,
            body,
        })
}

fn render(blocks: &[PemBlock], eol: &str, prefix: &str, suffix: &str) -> String {
    let mut out = prefix.to_owned();
    for b in blocks {
        out.push_str(&format!("-----BEGIN {}-----{eol}", b.label));
        for h in &b.headers {
            out.push_str(h);
            out.push_str(eol);
        }
        for l in &b.body {
            out.push_str(l);
            out.push_str(eol);
        }
        if let Some(end) = &b.end_label {
            out.push_str(&format!("-----END {end}-----{eol}"));
        }
    }
    out.push_str(suffix);
    out
}

/// Cuts `s` short at a char boundary near `at` (per mille of its length), or not at all.
fn truncate(mut s: String, at: Option<u16>) -> String {
    if let Some(at) = at {
        let mut cut = s.len() * usize::from(at.min(1000)) / 1000;
        while !s.is_char_boundary(cut) {
            cut -= 1;
        }
        s.truncate(cut);
    }
    s
}

fn arb_pemish() -> impl Strategy<Value = String> {
    (
        prop::collection::vec(arb_block(), 0..4),
        prop::sample::select(vec!["\n", "\r\n", "\r", "\n\n"]),
        prop_oneof![Just(String::new()), "[^-]{0,30}\n"],
        prop_oneof![Just(String::new()), any::<String>()],
        prop::option::weighted(0.2, 0u16..1000),
    )
        .prop_map(|(blocks, eol, prefix, suffix, cut)| {
            truncate(render(&blocks, eol, &prefix, &suffix), cut)
        })
}

/// DER-ish bytes: a SEQUENCE header (short or long length form, right or wrong) and
/// random content.
fn arb_derish() -> impl Strategy<Value = Vec<u8>> {
    (
        prop::sample::select(vec![0x30u8, 0x31, 0x02, 0x04, 0xa0, 0x00, 0xff]),
        prop_oneof![
            Just(None),
            any::<u8>().prop_map(|b| Some(vec![b])),
            (0x81u8..=0x84, prop::collection::vec(any::<u8>(), 1..4))
                .prop_map(|(h, rest)| Some([vec![h], rest].concat())),
        ],
        prop::collection::vec(any::<u8>(), 0..600),
        any::<bool>(),
    )
        .prop_map(|(tag, len, content, exact_len)| {
            let mut out = vec![tag];
            match len {
                _ if exact_len => {
                    let n = content.len();
                    if n < 0x80 {
                        out.push(n as u8);
                    } else if n < 0x100 {
                        out.extend([0x81, n as u8]);
                    } else {
                        out.extend([0x82, (n >> 8) as u8, n as u8]);
                    }
                }
                Some(len) => out.extend(len),
                None => {}
            }
            out.extend(content);
            out
        })
}

/// Real DER with a few bytes changed, or cut off, so that parsers get deep.
fn arb_mutated(from: &'static [(Vec<u8>, String)]) -> impl Strategy<Value = Vec<u8>> {
    (
        any::<prop::sample::Index>(),
        prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..6),
        prop::option::of(any::<prop::sample::Index>()),
    )
        .prop_map(move |(which, flips, cut)| {
            let mut out = which.get(from).0.clone();
            for (i, b) in flips {
                let i = i.index(out.len());
                out[i] = b;
            }
            if let Some(cut) = cut {
                out.truncate(cut.index(out.len() + 1));
            }
            out
        })
}

fn arb_der_pem(label_for_keys: bool) -> impl Strategy<Value = String> {
    let labels: Vec<&'static str> = if label_for_keys {
        LABELS[1..4].to_vec()
    } else {
        vec!["CERTIFICATE"]
    };
    (
        prop::sample::select(labels),
        prop_oneof![
            arb_derish(),
            arb_mutated(if label_for_keys {
                &real().keys
            } else {
                &real().certs
            }),
        ],
        prop::sample::select(vec![64usize, 76, 17, 1000]),
        prop::sample::select(vec!["\n", "\r\n"]),
    )
        .prop_map(|(label, der, width, eol)| pem_wrap(label, &der, width, eol))
}

fn arb_cert_input() -> impl Strategy<Value = String> {
    prop_oneof![
        1 => any::<String>(),
        3 => arb_pemish(),
        3 => arb_der_pem(false),
        1 => prop::sample::select(real().certs.iter().map(|c| c.1.clone()).collect::<Vec<_>>()),
    ]
}

fn arb_key_input() -> impl Strategy<Value = String> {
    prop_oneof![
        1 => any::<String>(),
        3 => arb_pemish(),
        3 => arb_der_pem(true),
        1 => prop::sample::select(real().keys.iter().map(|k| k.1.clone()).collect::<Vec<_>>()),
    ]
}

/// The base64 body lines of a PEM-ish text.
fn body_lines(text: &str) -> Vec<&str> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.starts_with("-----") && !l.contains(':'))
        .collect()
}

/// No window of more than 16 characters of any body line shows up in `message`.
fn assert_no_echo(message: &str, inputs: &[&str]) {
    for input in inputs {
        for line in body_lines(input) {
            let chars: Vec<char> = line.chars().collect();
            for w in chars.windows(17) {
                let w: String = w.iter().collect();
                assert!(
                    !message.contains(&w),
                    "error {message:?} echoes input text {w:?}"
                );
            }
        }
    }
}

fn check_cert_error(err: &originpull::certinfo::CertError, inputs: &[&str]) {
    let text = err.to_string();
    let _ = format!("{err:?}");
    assert!(
        !text.chars().any(is_unsafe),
        "unsanitized error text: {text:?}"
    );
    assert_no_echo(&text, inputs);
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn parse_certificate_never_panics(text in arb_cert_input()) {
        match parse_certificate(&text) {
            Ok(details) => {
                let shown = [&details.subject, &details.issuer, &details.key, &details.signature]
                    .into_iter()
                    .chain(&details.sans)
                    .chain(&details.issuer_common_name);
                for s in shown {
                    prop_assert!(!s.chars().any(is_unsafe), "{s:?}");
                }
                let _ = details.days_left(chrono::Utc::now());
            }
            Err(e) => check_cert_error(&e, &[&text]),
        }
    }

    #[test]
    fn check_pair_never_panics(cert in arb_cert_input(), key in arb_key_input()) {
        if let Err(e) = check_pair(&cert, &key) {
            check_cert_error(&e, &[&cert, &key]);
        }
    }

    /// With a good certificate, every key-side path is reached.
    #[test]
    fn check_pair_with_a_good_certificate_never_panics(key in arb_key_input()) {
        match check_pair(&real().certs[0].1, &key) {
            Ok(_) => {}
            Err(e) => check_cert_error(&e, &[&key]),
        }
    }
}

// ---------------------------------------------------------------------------------------
// 4. sanitize and excerpt.
// ---------------------------------------------------------------------------------------

fn arb_text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        prop::collection::vec(
            prop::sample::select(vec![
                '\u{1b}', '\u{9b}', '\u{7}', '\u{0}', '\u{7f}', '\u{85}', '\u{202a}', '\u{202e}',
                '\u{2066}', '\u{2069}', '\u{2028}', '\n', '\r', '\t', ' ', 'a', 'é', '漢', '\\',
            ]),
            0..200,
        )
        .prop_map(|v| v.into_iter().collect()),
    ]
}

proptest! {
    #![proptest_config(config(512))]

    #[test]
    fn sanitize_leaves_nothing_unsafe(s in arb_text()) {
        let out = sanitize(&s);
        prop_assert!(!out.chars().any(is_unsafe), "{out:?}");
        let again = sanitize(&out);
        prop_assert_eq!(again.as_ref(), out.as_ref());
        if !s.chars().any(is_unsafe) {
            prop_assert_eq!(out.as_ref(), s.as_str());
        }
    }

    #[test]
    fn excerpt_is_short_and_single_line(s in arb_text(), n in 0usize..300) {
        let out = excerpt(&s, n);
        prop_assert!(!out.contains('\n') && !out.contains('\r'), "{out:?}");
        prop_assert!(!out.chars().any(is_unsafe), "{out:?}");
        // Escapes of unsafe characters count against the limit too.
        let len = out.chars().count();
        prop_assert!(len <= n + 1, "{len} > {n} + 1: {out:?}");
    }
}

// ---------------------------------------------------------------------------------------
// 5. Zone name filters.
// ---------------------------------------------------------------------------------------

fn arb_filter_text() -> impl Strategy<Value = String> {
    (
        prop::sample::select(vec![
            "",
            "contains:",
            "starts_with:",
            "ends_with:",
            "CONTAINS:",
            "Starts_With:",
            "  ends_with:",
            "contains",
            "exact:",
        ]),
        prop_oneof![
            any::<String>(),
            "[a-zA-Z0-9.\\- ]{0,20}",
            prop::sample::select(vec!["İ", "ẞ", "Σ", "ΑΣ", "ǅ", "K", "ß", "𝐀", " \t\n"])
                .prop_map(str::to_owned),
        ],
    )
        .prop_map(|(p, s)| format!("{p}{s}"))
}

proptest! {
    #![proptest_config(config(512))]

    #[test]
    fn name_filters_never_panic_and_round_trip(raw in arb_filter_text(), name in arb_filter_text()) {
        let Some(f) = NameFilter::parse(&raw) else {
            prop_assert!(raw.trim().is_empty());
            return Ok(());
        };
        let _ = f.matches(&name);
        let q = f.query_value();
        prop_assert_eq!(NameFilter::parse(&q), Some(f.clone()), "query {:?}", q);
        let (NameFilter::Exact(x)
        | NameFilter::Contains(x)
        | NameFilter::StartsWith(x)
        | NameFilter::EndsWith(x)) = &f;
        let around = format!("a{x}z");
        let own = match &f {
            NameFilter::Exact(_) => x.as_str(),
            NameFilter::Contains(_) => around.as_str(),
            NameFilter::StartsWith(_) => &around[1..],
            NameFilter::EndsWith(_) => &around[..around.len() - 1],
        };
        prop_assert!(f.matches(own), "{f:?} does not match {own:?}");
        if name.is_ascii() {
            prop_assert_eq!(f.matches(&name), f.matches(&name.to_ascii_uppercase()));
        }
    }
}

//! The log of API requests tests inspect, with private keys replaced by their hash.

use std::collections::VecDeque;

use axum::http::header;
use axum::http::request::Parts;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};

/// One API request as received. A JSON body is kept with every `private_key` value
/// replaced by `"sha256:<hex of the key text>"`, so a test can check the key was sent
/// exactly while the key itself is never kept; any other body is kept only as
/// `"sha256:<hex of the bytes>"`, since it might hold a key in some other encoding.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecordedRequest {
    pub method: String,
    /// The full path, `/client/v4` included.
    pub path: String,
    /// The raw query string, without `?`.
    pub query: Option<String>,
    pub content_type: Option<String>,
    pub body: Option<Value>,
    /// When it arrived: tests count the calls in any window of time.
    pub received_at: chrono::DateTime<chrono::Utc>,
}

impl RecordedRequest {
    pub fn new(parts: &Parts, body: &[u8]) -> Self {
        Self {
            method: parts.method.as_str().to_owned(),
            path: parts.uri.path().to_owned(),
            query: parts.uri.query().map(str::to_owned),
            content_type: parts
                .headers
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned),
            body: recorded_body(body),
            received_at: chrono::Utc::now(),
        }
    }
}

/// The recorded requests, oldest first. A long-running `originpull sim` must not grow
/// without bound: past either limit the oldest entries go. Both are far more than any
/// test or benchmark looks at.
#[derive(Debug, Default)]
pub struct RequestLog {
    entries: VecDeque<(RecordedRequest, usize)>,
    bytes: usize,
}

impl RequestLog {
    const MAX_ENTRIES: usize = 100_000;
    /// Uploads can be 4 MiB each; 100,000 of them would not fit in memory.
    const MAX_BYTES: usize = 64 * 1024 * 1024;

    pub fn push(&mut self, request: RecordedRequest) {
        let size = request.size();
        self.bytes += size;
        self.entries.push_back((request, size));
        while self.entries.len() > Self::MAX_ENTRIES
            || (self.bytes > Self::MAX_BYTES && self.entries.len() > 1)
        {
            if let Some((_, size)) = self.entries.pop_front() {
                self.bytes -= size;
            }
        }
    }

    pub fn snapshot(&self) -> Vec<RecordedRequest> {
        self.entries.iter().map(|(r, _)| r.clone()).collect()
    }

    pub fn clear(&mut self) {
        self.entries.clear();
        self.bytes = 0;
    }
}

impl RecordedRequest {
    /// Roughly what the entry holds in memory, in bytes.
    fn size(&self) -> usize {
        let text = |s: &Option<String>| s.as_ref().map_or(0, String::len);
        self.method.len()
            + self.path.len()
            + text(&self.query)
            + text(&self.content_type)
            + self.body.as_ref().map_or(0, value_size)
    }
}

/// Every value costs its own node besides what it holds: a body of a million empty
/// arrays must not count as nothing.
fn value_size(value: &Value) -> usize {
    std::mem::size_of::<Value>()
        + match value {
            Value::String(s) => s.len(),
            Value::Array(items) => items.iter().map(value_size).sum(),
            Value::Object(map) => map
                .iter()
                .map(|(k, v)| std::mem::size_of::<String>() + k.len() + value_size(v))
                .sum(),
            _ => 0,
        }
}

fn recorded_body(body: &[u8]) -> Option<Value> {
    if body.is_empty() {
        return None;
    }
    Some(match serde_json::from_slice::<Value>(body) {
        Ok(mut value) => {
            redact(&mut value);
            value
        }
        Err(_) => Value::String(sha256_tag(body)),
    })
}

pub fn sha256_tag(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let mut out = String::with_capacity(7 + 64);
    out.push_str("sha256:");
    for b in digest {
        out.push_str(&format!("{b:02x}"));
    }
    out
}

/// Redacts at any depth: a client could nest the upload in some wrapper.
fn redact(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (key, inner) in map.iter_mut() {
                if key == "private_key" {
                    let tag = match &*inner {
                        Value::String(text) => sha256_tag(text.as_bytes()),
                        other => sha256_tag(other.to_string().as_bytes()),
                    };
                    *inner = Value::String(tag);
                } else {
                    redact(inner);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(redact),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_keys_are_hashed_at_any_depth() {
        let mut v = serde_json::json!({
            "certificate": "C",
            "private_key": "K",
            "nested": [{"private_key": {"pem": "K2"}}]
        });
        redact(&mut v);
        assert_eq!(v["certificate"], "C");
        assert_eq!(v["private_key"], sha256_tag(b"K"));
        assert_eq!(
            v["nested"][0]["private_key"],
            sha256_tag(br#"{"pem":"K2"}"#)
        );
        assert!(!v.to_string().contains("K2"));
    }

    fn request(body_bytes: usize) -> RecordedRequest {
        RecordedRequest {
            method: "POST".into(),
            path: "/client/v4/zones/z/origin_tls_client_auth".into(),
            query: None,
            content_type: Some("application/json".into()),
            body: Some(Value::String("c".repeat(body_bytes))),
            received_at: chrono::Utc::now(),
        }
    }

    #[test]
    fn the_log_drops_the_oldest_past_its_byte_limit() {
        let mut log = RequestLog::default();
        // 100 uploads of 1 MiB: the log keeps the newest that fit in 64 MiB.
        for n in 0..100 {
            let mut r = request(1024 * 1024);
            r.query = Some(format!("n={n}"));
            log.push(r);
        }
        let kept = log.snapshot();
        assert!(kept.len() < 64, "{} kept", kept.len());
        assert!(log.bytes <= RequestLog::MAX_BYTES);
        assert_eq!(kept.last().unwrap().query.as_deref(), Some("n=99"));
        // Empty values still count.
        let mut empty = request(0);
        empty.body = Some(Value::Array(vec![Value::Array(Vec::new()); 1000]));
        assert!(empty.size() > 1000 * std::mem::size_of::<Value>());
        // One entry over the limit on its own is still kept.
        log.clear();
        log.push(request(RequestLog::MAX_BYTES + 1));
        assert_eq!(log.snapshot().len(), 1);
    }

    #[test]
    fn non_json_bodies_keep_only_a_hash() {
        assert_eq!(
            recorded_body(b"private_key=K"),
            Some(Value::String(sha256_tag(b"private_key=K")))
        );
        assert_eq!(recorded_body(b""), None);
    }
}

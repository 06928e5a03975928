//! Injected misbehaviour: the rules tests set, and the responses they produce.

use std::convert::Infallible;

use axum::body::{Body, Bytes};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use super::control::Shutdown;
use super::envelope::ApiFailure;
use super::envelope::codes::{RATE_LIMITED, SIMULATED_FAILURE};

/// Replaces the next `times` matching API requests' answers with `kind`. Over HTTP
/// (`POST /__sim/faults`) it reads e.g.
/// `{"method": "GET", "path_contains": "/origin_tls_client_auth", "times": 2, "kind": {"status": 503}}`;
/// `method` (any case) and `path_contains` may be left out to match everything, and
/// `times` defaults to 1.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FaultRule {
    #[serde(default)]
    pub method: Option<String>,
    #[serde(default)]
    pub path_contains: String,
    #[serde(default = "one")]
    pub times: u32,
    pub kind: FaultKind,
}

fn one() -> u32 {
    1
}

impl FaultRule {
    pub fn matches(&self, method: &str, path: &str) -> bool {
        self.times > 0
            && self
                .method
                .as_deref()
                .is_none_or(|m| m.eq_ignore_ascii_case(method))
            && path.contains(&self.path_contains)
    }
}

/// Cloudflare's 429: code 971 and a `Retry-After`.
pub fn rate_limited(retry_after_secs: u64) -> Response {
    let mut response = ApiFailure::new(
        StatusCode::TOO_MANY_REQUESTS,
        RATE_LIMITED,
        "Please wait and consider throttling your request speed",
    )
    .into_response();
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs));
    response
}

/// In JSON: `{"status": 503}`, `{"html": 502}`, `{"reply_lost": 502}`, `"malformed"`,
/// `"success_false"`, `{"rate_limited": {"retry_after_secs": 30}}`, `"hang"`,
/// `"oversized"`, `{"reply": {"status": 200, "body": {...}}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FaultKind {
    /// The failure envelope, code 10001, with this HTTP status.
    Status(u16),
    /// A proxy's HTML error page with this HTTP status.
    Html(u16),
    /// The request is carried out, then its reply is lost on the way: the client gets
    /// a proxy's HTML error page with this HTTP status instead.
    ReplyLost(u16),
    /// HTTP 200, `application/json`, cut-off JSON.
    Malformed,
    /// HTTP 200 with `success: false`, code 10001.
    SuccessFalse,
    /// HTTP 429 with `Retry-After` and code 971.
    RateLimited { retry_after_secs: u64 },
    /// No answer until the simulator shuts down.
    Hang,
    /// This status and this JSON body, exactly: a response the simulator would not give
    /// by itself (a value Cloudflare may send one day, a field left out).
    Reply {
        status: u16,
        body: serde_json::Value,
    },
    /// HTTP 200 and a valid JSON envelope over 11 MiB, sent chunked (no Content-Length),
    /// so a client has to cap the body while reading it.
    Oversized,
}

const OVERSIZED_BYTES: usize = 11 * 1024 * 1024 + 1;
const PAD_CHUNK: usize = 64 * 1024;
static PADDING: [u8; PAD_CHUNK] = [b'x'; PAD_CHUNK];

pub async fn respond(kind: &FaultKind, shutdown: Shutdown) -> Response {
    match kind {
        FaultKind::Status(code) => {
            let status = any_status(*code);
            ApiFailure::new(
                status,
                SIMULATED_FAILURE,
                format!("Simulated failure (HTTP {})", status.as_u16()),
            )
            .into_response()
        }
        FaultKind::Html(code) | FaultKind::ReplyLost(code) => {
            let status = any_status(*code);
            let title = format!(
                "{} {}",
                status.as_u16(),
                status.canonical_reason().unwrap_or("Error")
            );
            let page = format!(
                "<html>\r\n<head><title>{title}</title></head>\r\n<body>\r\n\
                 <center><h1>{title}</h1></center>\r\n<hr><center>cloudflare</center>\r\n\
                 </body>\r\n</html>\r\n"
            );
            (
                status,
                [(header::CONTENT_TYPE, "text/html; charset=UTF-8")],
                page,
            )
                .into_response()
        }
        FaultKind::Malformed => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "application/json")],
            r#"{"success":true,"errors":[],"messages":[],"result":[{"id":"7c1f0b52"#,
        )
            .into_response(),
        FaultKind::SuccessFalse => {
            let failure = ApiFailure::new(
                StatusCode::OK,
                SIMULATED_FAILURE,
                "Simulated failure reported with HTTP 200",
            );
            failure.into_response()
        }
        FaultKind::RateLimited { retry_after_secs } => rate_limited(*retry_after_secs),
        FaultKind::Reply { status, body } => {
            (any_status(*status), axum::Json(body.clone())).into_response()
        }
        FaultKind::Oversized => oversized(),
        FaultKind::Hang => {
            shutdown.wait().await;
            shutting_down()
        }
    }
}

/// What a request cut short by shutdown gets, should its connection still be open.
pub fn shutting_down() -> Response {
    ApiFailure::new(
        StatusCode::SERVICE_UNAVAILABLE,
        SIMULATED_FAILURE,
        "The simulator is shutting down",
    )
    .into_response()
}

/// Statuses outside 100..=999 cannot go on the wire; they become 500.
fn any_status(code: u16) -> StatusCode {
    StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

fn oversized() -> Response {
    let head =
        Bytes::from_static(br#"{"success":true,"errors":[],"messages":[],"result":[],"padding":""#);
    let tail = Bytes::from_static(br#""}"#);
    let chunks = OVERSIZED_BYTES.div_ceil(PAD_CHUNK);
    let body = std::iter::once(head)
        .chain(std::iter::repeat_n(Bytes::from_static(&PADDING), chunks))
        .chain(std::iter::once(tail))
        .map(Ok::<_, Infallible>);
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/json")],
        Body::from_stream(futures::stream::iter(body)),
    )
        .into_response()
}

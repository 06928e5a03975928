//! Cloudflare's response envelope, and every error code the simulator answers with,
//! kept in one place so the list can be read (and documented) at a glance.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use self::codes::{AUTH_ERROR, INVALID_REQUEST, NO_ROUTE, NO_ROUTE_DETAIL};
use crate::api::model::{ApiMessage, Envelope, ResultInfo};

/// Every `errors[].code` the simulator answers with.
pub mod codes {
    /// Missing or wrong credentials (HTTP 403).
    pub const AUTH_ERROR: i64 = 10000;
    /// An `Authorization` header that is not `Bearer <token>` (HTTP 400), with
    /// [`BAD_AUTHORIZATION_FORMAT`] in its `error_chain`.
    pub const INVALID_HEADERS: i64 = 6003;
    pub const BAD_AUTHORIZATION_FORMAT: i64 = 6111;
    /// A request body that is not JSON at all (HTTP 400).
    pub const MALFORMED_JSON: i64 = 6007;
    /// A query parameter or body field that is missing, of the wrong type or out of range,
    /// and a body over 4 MiB (HTTP 400 / 413).
    pub const INVALID_REQUEST: i64 = 1001;
    /// A certificate that cannot be used, including a CA given where a leaf is expected.
    pub const INVALID_CERTIFICATE: i64 = 1002;
    /// A private key that cannot be used.
    pub const INVALID_KEY: i64 = 2106;
    /// A private key that is not the certificate's.
    pub const KEY_MISMATCH: i64 = 2200;
    /// The same leaf certificate is already in the zone (HTTP 400): Cloudflare's code
    /// for zone-level uploads, "This certificate already exists for this zone.". The
    /// simulator answers a duplicate hostname certificate the same way (the live code
    /// for that one is unknown).
    pub const DUPLICATE_CERTIFICATE: i64 = 1406;
    /// A well-formed certificate id the zone does not hold (HTTP 404), zone-level or
    /// hostname certificate. The live code is unknown; this one is the simulator's choice.
    pub const CERTIFICATE_NOT_FOUND: i64 = 1404;
    /// A CA certificate uploaded as a hostname certificate (HTTP 400): Cloudflare's code
    /// and message, "Only leaf certificate is allowed.".
    pub const ONLY_LEAF_ALLOWED: i64 = 1412;
    /// An 11th hostname certificate in a zone (HTTP 400). The live code is unknown; this
    /// one is the simulator's choice.
    pub const HOSTNAME_CERTIFICATE_LIMIT: i64 = 1413;
    /// A `PUT .../hostnames` that would give one hostname certificate more than 100
    /// associations (HTTP 400); nothing of the batch is applied. The live code is
    /// unknown; this one is the simulator's choice.
    pub const ASSOCIATION_LIMIT: i64 = 1414;
    /// A `PUT .../hostnames` whose `cert_id` is not a hostname certificate of the zone,
    /// or one deleted or being deleted (HTTP 400); nothing of the batch is applied.
    /// Cloudflare's code and message: "Certificate ID in request is either invalid or
    /// the certificate has been deleted".
    pub const INVALID_CERTIFICATE_ID: i64 = 1415;
    /// `GET .../hostnames/{hostname}` for a hostname without an association, never made
    /// or removed (HTTP 404). The live answer is undocumented (a 404, or a 200 whose
    /// fields are all `null`); this code is the simulator's choice, and
    /// `SimControl::set_unassociated_answer` switches to the other answer.
    pub const HOSTNAME_NOT_ASSOCIATED: i64 = 1416;
    /// A zone setting given a value it does not take, or none (HTTP 400), as
    /// Cloudflare answers: "Invalid value for zone setting tls_client_auth".
    pub const INVALID_SETTING_VALUE: i64 = 1007;
    /// A change to a zone setting whose `editable` is false (HTTP 400). The live code is
    /// unknown; this one is the simulator's choice. Not a 403, which would read as a
    /// missing permission.
    pub const SETTING_NOT_EDITABLE: i64 = 1010;
    /// Unknown route or object id (HTTP 400), always followed by [`NO_ROUTE_DETAIL`].
    pub const NO_ROUTE: i64 = 7003;
    pub const NO_ROUTE_DETAIL: i64 = 7000;
    /// A known path with a method it does not take (HTTP 405).
    pub const METHOD_NOT_ALLOWED: i64 = 7001;
    /// Rate limited (HTTP 429).
    pub const RATE_LIMITED: i64 = 971;
    /// Failures the simulator makes up: injected `Status` and `SuccessFalse` faults, and
    /// requests cut short by shutdown.
    pub const SIMULATED_FAILURE: i64 = 10001;
}

/// Request bodies over this are refused with HTTP 413. An upload holds at most two PEM
/// files of `certinfo::MAX_PEM_FILE_BYTES` each, plus JSON escaping.
pub const MAX_BODY_BYTES: usize = 4 * 1024 * 1024;

/// A failure answer: an HTTP status and the envelope's `errors`.
#[derive(Debug)]
pub struct ApiFailure {
    status: StatusCode,
    errors: Vec<ApiMessage>,
}

impl ApiFailure {
    pub fn new(status: StatusCode, code: i64, message: impl Into<String>) -> Self {
        Self {
            status,
            errors: vec![message_of(code, message)],
        }
    }

    pub fn bad_request(code: i64, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, message)
    }

    /// Adds a nested cause to the first error, as Cloudflare does for header problems.
    pub fn with_chain(mut self, code: i64, message: impl Into<String>) -> Self {
        if let Some(first) = self.errors.first_mut() {
            first.error_chain.push(message_of(code, message));
        }
        self
    }

    /// Adds a second top-level error.
    pub fn and(mut self, code: i64, message: impl Into<String>) -> Self {
        self.errors.push(message_of(code, message));
        self
    }

    pub fn auth() -> Self {
        Self::new(StatusCode::FORBIDDEN, AUTH_ERROR, "Authentication error")
    }

    /// `path` is the request path; the `/client/v4` prefix is left out, as Cloudflare does.
    pub fn no_route(path: &str) -> Self {
        let path = path.strip_prefix("/client/v4").unwrap_or(path);
        Self::bad_request(
            NO_ROUTE,
            format!("Could not route to {path}, perhaps your object identifier is invalid?"),
        )
        .and(NO_ROUTE_DETAIL, "No route for that URI")
    }

    pub fn invalid(message: impl Into<String>) -> Self {
        Self::bad_request(
            INVALID_REQUEST,
            format!("Invalid request: {}", message.into()),
        )
    }
}

impl IntoResponse for ApiFailure {
    fn into_response(self) -> Response {
        let envelope: Envelope<()> = Envelope {
            success: Some(false),
            errors: self.errors,
            messages: Vec::new(),
            result: None,
            result_info: None,
        };
        (self.status, Json(envelope)).into_response()
    }
}

fn message_of(code: i64, message: impl Into<String>) -> ApiMessage {
    ApiMessage {
        code: Some(code),
        message: message.into(),
        ..ApiMessage::default()
    }
}

pub fn success<T: Serialize>(result: T, result_info: Option<ResultInfo>) -> Response {
    success_with_messages(result, result_info, Vec::new())
}

pub fn success_with_messages<T: Serialize>(
    result: T,
    result_info: Option<ResultInfo>,
    messages: Vec<serde_json::Value>,
) -> Response {
    Json(Envelope {
        success: Some(true),
        errors: Vec::new(),
        messages,
        result: Some(result),
        result_info,
    })
    .into_response()
}

//! The API routes besides `/zones`: token check, zone-level certificates and
//! enablement, and what the other route modules share (path extractors, body checks,
//! the mapping of certificate errors to API codes).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

use axum::body::Bytes;
use axum::extract::{FromRequestParts, Path, State};
use axum::http::request::Parts;
use axum::http::{Method, StatusCode, Uri};
use axum::response::Response;
use chrono::Utc;
use serde_json::{Map, Value, json};

use super::control::Shared;
use super::envelope::codes::{
    CERTIFICATE_NOT_FOUND, DUPLICATE_CERTIFICATE, INVALID_CERTIFICATE, INVALID_KEY, KEY_MISMATCH,
    MALFORMED_JSON, METHOD_NOT_ALLOWED,
};
use super::envelope::{ApiFailure, success, success_with_messages};
use super::state::{CertRecord, Countdown, Deployment, random_cert_id};
use crate::api::model::{Enablement, ResultInfo, TokenInfo};
use crate::certinfo::{self, CertError, PemInput};

/// The certificate list has no paging of its own; this is the page size it reports.
pub const CERT_LIST_PER_PAGE: usize = 50;

/// A zone named in the path that exists. Anything else is Cloudflare's "could not route".
pub struct InZone(pub usize);

/// A zone that exists and a well-formed certificate id (which may not exist).
pub struct InZoneCert {
    pub zone: usize,
    pub cert_id: String,
}

impl FromRequestParts<Arc<Shared>> for InZone {
    type Rejection = ApiFailure;

    async fn from_request_parts(
        parts: &mut Parts,
        shared: &Arc<Shared>,
    ) -> Result<Self, ApiFailure> {
        let (zone, _) = resolve_path(parts, shared).await?;
        Ok(Self(zone))
    }
}

impl FromRequestParts<Arc<Shared>> for InZoneCert {
    type Rejection = ApiFailure;

    async fn from_request_parts(
        parts: &mut Parts,
        shared: &Arc<Shared>,
    ) -> Result<Self, ApiFailure> {
        match resolve_path(parts, shared).await? {
            (zone, Some(cert_id)) => Ok(Self { zone, cert_id }),
            (_, None) => Err(ApiFailure::no_route(parts.uri.path())),
        }
    }
}

async fn resolve_path(
    parts: &mut Parts,
    shared: &Arc<Shared>,
) -> Result<(usize, Option<String>), ApiFailure> {
    let path = parts.uri.path().to_owned();
    let no_route = || ApiFailure::no_route(&path);
    let Path(params) = Path::<HashMap<String, String>>::from_request_parts(parts, shared)
        .await
        .map_err(|_| no_route())?;
    let zone = params
        .get("zone_id")
        .and_then(|id| shared.zones.index_of(id))
        .ok_or_else(no_route)?;
    let cert_id = match params.get("certificate_id") {
        Some(id) if is_cert_id(id) => Some(id.clone()),
        Some(_) => return Err(no_route()),
        None => None,
    };
    Ok((zone, cert_id))
}

/// Up to 36 characters of hex and dashes: a UUID in either spelling.
fn is_cert_id(id: &str) -> bool {
    (1..=36).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-')
}

pub async fn verify_token(State(shared): State<Arc<Shared>>) -> Response {
    let info = TokenInfo {
        id: shared.token_id.clone(),
        status: "active".to_owned(),
        ..TokenInfo::default()
    };
    let message =
        json!({"code": 10000, "message": "This API Token is valid and active", "type": null});
    success_with_messages(info, None, vec![message])
}

pub async fn list_certificates(
    State(shared): State<Arc<Shared>>,
    InZone(zone): InZone,
) -> Response {
    let certs = shared.state().certificates(zone, Instant::now());
    let count = certs.len() as u64;
    let info = ResultInfo {
        page: Some(1),
        per_page: Some(count.max(CERT_LIST_PER_PAGE as u64)),
        count: Some(count),
        total_count: Some(count),
        total_pages: None,
    };
    success(certs, Some(info))
}

pub async fn get_certificate(
    State(shared): State<Arc<Shared>>,
    cert: InZoneCert,
) -> Result<Response, ApiFailure> {
    shared
        .state()
        .certificate(cert.zone, &cert.cert_id, Instant::now())
        .map(|c| success(c, None))
        .ok_or_else(not_found)
}

pub async fn delete_certificate(
    State(shared): State<Arc<Shared>>,
    cert: InZoneCert,
) -> Result<Response, ApiFailure> {
    let delay = shared.delete_delay;
    shared
        .state()
        .delete(cert.zone, &cert.cert_id, Instant::now(), delay)
        .map(|c| success(c, None))
        .ok_or_else(not_found)
}

pub fn not_found() -> ApiFailure {
    ApiFailure::new(
        StatusCode::NOT_FOUND,
        CERTIFICATE_NOT_FOUND,
        "Certificate not found",
    )
}

pub async fn upload_certificate(
    State(shared): State<Arc<Shared>>,
    InZone(zone): InZone,
    body: Bytes,
) -> Result<Response, ApiFailure> {
    let body = json_object(&body)?;
    let certificate = string_field(&body, "certificate")?;
    let private_key = string_field(&body, "private_key")?;
    // The key is only checked against the certificate; nothing keeps it.
    let details = certinfo::check_pair(certificate, private_key).map_err(|e| refusal(&e))?;

    let now = Instant::now();
    let record = uploaded(&shared, zone, &details, certificate, now);
    let added = shared.state().add(zone, record, now);
    match added {
        Ok(cert) => Ok(success(cert, None)),
        Err(_) => Err(ApiFailure::bad_request(
            DUPLICATE_CERTIFICATE,
            "This certificate already exists for this zone.",
        )),
    }
}

/// A certificate just uploaded to the zone: `pending_deployment` for the deploy delay,
/// then `active`, or `deployment_timed_out` where deployments are set to fail.
pub fn uploaded(
    shared: &Shared,
    zone: usize,
    details: &certinfo::CertDetails,
    pem: &str,
    now: Instant,
) -> CertRecord {
    let deploying = Countdown {
        start: now,
        delay: shared.deploy_delay,
    };
    let deployment = if shared.deployment_fails(zone) {
        Deployment::Failing(deploying)
    } else {
        Deployment::Deploying(deploying)
    };
    CertRecord::new(
        random_cert_id(),
        details,
        pem.to_owned(),
        Utc::now(),
        deployment,
    )
}

/// The one place local certificate errors become API codes.
pub fn refusal(error: &CertError) -> ApiFailure {
    enum Fault {
        Certificate,
        Key,
        Mismatch,
    }
    let input_fault = |input: PemInput| match input {
        PemInput::PrivateKey => Fault::Key,
        PemInput::Certificate => Fault::Certificate,
    };
    let fault = match error {
        // What the live API says when given a CA.
        CertError::CaCertificate { .. } => {
            return ApiFailure::bad_request(INVALID_CERTIFICATE, "missing leaf certificate");
        }
        CertError::NoPemBlock { input } | CertError::MalformedPem { input, .. } => {
            input_fault(*input)
        }
        CertError::FileNotFound { file }
        | CertError::FileTooLarge { file, .. }
        | CertError::FileNotText { file }
        | CertError::FileUnreadable { file, .. } => input_fault(file.input),
        CertError::NoCertificate { .. }
        | CertError::InvalidCertificate { .. }
        | CertError::Expired { .. } => Fault::Certificate,
        CertError::EncryptedKey
        | CertError::CertificateGivenAsKey
        | CertError::NoPrivateKey { .. }
        | CertError::UnsupportedKey { .. } => Fault::Key,
        CertError::KeyMismatch { .. } | CertError::KeyNotVerifiable => Fault::Mismatch,
    };
    match fault {
        Fault::Certificate => ApiFailure::bad_request(
            INVALID_CERTIFICATE,
            format!("The certificate is invalid: {error}"),
        ),
        Fault::Key => {
            ApiFailure::bad_request(INVALID_KEY, format!("The private key is invalid: {error}"))
        }
        Fault::Mismatch => ApiFailure::bad_request(
            KEY_MISMATCH,
            format!("The certificate and private key do not match: {error}"),
        ),
    }
}

pub async fn get_settings(State(shared): State<Arc<Shared>>, InZone(zone): InZone) -> Response {
    let enabled = shared.state().enabled(zone);
    success(Enablement { enabled }, None)
}

pub async fn put_settings(
    State(shared): State<Arc<Shared>>,
    InZone(zone): InZone,
    body: Bytes,
) -> Result<Response, ApiFailure> {
    let body = json_object(&body)?;
    let enabled = match body.get("enabled") {
        Some(Value::Bool(enabled)) => *enabled,
        Some(_) => return Err(ApiFailure::invalid("enabled must be true or false")),
        None => return Err(ApiFailure::invalid("enabled is required (true or false)")),
    };
    shared.state().set_enabled(zone, enabled);
    Ok(success(Enablement { enabled }, None))
}

/// Fields are checked by hand rather than by serde, whose messages quote the offending
/// value: for an upload that could be the private key.
pub fn json_object(body: &[u8]) -> Result<Map<String, Value>, ApiFailure> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(ApiFailure::invalid(
            "the request body must be a JSON object",
        )),
        Err(e) => Err(ApiFailure::bad_request(
            MALFORMED_JSON,
            format!("Malformed JSON in request body: {e}"),
        )),
    }
}

pub fn string_field<'a>(body: &'a Map<String, Value>, name: &str) -> Result<&'a str, ApiFailure> {
    match body.get(name) {
        Some(Value::String(text)) => Ok(text),
        Some(_) => Err(ApiFailure::invalid(format!(
            "{name} must be a string of PEM text"
        ))),
        None => Err(ApiFailure::invalid(format!("{name} is required"))),
    }
}

pub async fn no_route(uri: Uri) -> ApiFailure {
    ApiFailure::no_route(uri.path())
}

pub async fn method_not_allowed(method: Method) -> ApiFailure {
    ApiFailure::new(
        StatusCode::METHOD_NOT_ALLOWED,
        METHOD_NOT_ALLOWED,
        format!("Method {method} not available for that URI."),
    )
}

//! What every API request goes through before its handler: recording, latency, injected
//! faults and authentication, in that order. The `/__sim` control routes bypass it.

use std::sync::Arc;

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::control::Shared;
use super::envelope::codes::{BAD_AUTHORIZATION_FORMAT, INVALID_HEADERS, INVALID_REQUEST};
use super::envelope::{ApiFailure, MAX_BODY_BYTES};
use super::faults::{self, FaultKind};
use super::record::RecordedRequest;

pub const ADMIN_PREFIX: &str = "/__sim/";

pub async fn gate(State(shared): State<Arc<Shared>>, request: Request, next: Next) -> Response {
    if request.uri().path().starts_with(ADMIN_PREFIX) {
        return next.run(request).await;
    }
    let (parts, body) = request.into_parts();
    // Method and path only: headers carry credentials and bodies carry keys.
    tracing::debug!(method = %parts.method, path = parts.uri.path(), "sim request");

    let Ok(body) = to_bytes(body, MAX_BODY_BYTES).await else {
        shared.record(RecordedRequest::new(&parts, &[]));
        return ApiFailure::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            INVALID_REQUEST,
            format!(
                "Invalid request: the request body is over {} MiB or was cut off",
                MAX_BODY_BYTES / (1024 * 1024)
            ),
        )
        .into_response();
    };
    shared.record(RecordedRequest::new(&parts, &body));
    if let Err(wait) = shared.admit() {
        return faults::rate_limited(wait.as_secs().max(1));
    }

    let delay = shared.latency_for(parts.uri.path());
    if !delay.is_zero() && !shared.shutdown().sleep(delay).await {
        return faults::shutting_down();
    }
    let fault = shared.take_fault(parts.method.as_str(), parts.uri.path());
    if let Some(kind) = fault
        .as_ref()
        .filter(|k| !matches!(k, FaultKind::ReplyLost(_)))
    {
        return faults::respond(kind, shared.shutdown()).await;
    }
    if let Err(failure) = authenticate(&parts.headers, &shared.token) {
        return failure.into_response();
    }
    let response = next.run(Request::from_parts(parts, Body::from(body))).await;
    match fault {
        Some(lost) => faults::respond(&lost, shared.shutdown()).await,
        None => response,
    }
}

/// A bearer token, or an email plus a global key (the key being the configured token).
fn authenticate(headers: &HeaderMap, token: &str) -> Result<(), ApiFailure> {
    if let Some(value) = headers.get(header::AUTHORIZATION) {
        let presented = value
            .to_str()
            .ok()
            .and_then(|v| v.trim().split_once(' '))
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
            .map(|(_, credential)| credential.trim())
            .filter(|credential| !credential.is_empty());
        return match presented {
            Some(credential) if credential == token => Ok(()),
            Some(_) => Err(ApiFailure::auth()),
            None => Err(
                ApiFailure::bad_request(INVALID_HEADERS, "Invalid request headers").with_chain(
                    BAD_AUTHORIZATION_FORMAT,
                    "Invalid format for Authorization header",
                ),
            ),
        };
    }
    let text = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
            .filter(|v| !v.is_empty())
    };
    match (text("x-auth-email"), text("x-auth-key")) {
        (Some(_), Some(key)) if key == token => Ok(()),
        _ => Err(ApiFailure::auth()),
    }
}

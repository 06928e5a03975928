//! `/__sim/...`: the control handle over HTTP, for tests that drive the binary from
//! outside. Unauthenticated, never recorded, never faulted.

use std::time::Duration;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;

use super::control::{SimControl, UnassociatedAnswer, ZoneSettingsAccess};
use super::faults::FaultRule;
use super::record::RecordedRequest;

pub async fn add_fault(
    State(control): State<SimControl>,
    Json(rule): Json<FaultRule>,
) -> StatusCode {
    control.inject(rule);
    StatusCode::NO_CONTENT
}

pub async fn clear_faults(State(control): State<SimControl>) -> StatusCode {
    control.clear_faults();
    StatusCode::NO_CONTENT
}

#[derive(Deserialize)]
pub struct LatencyRequest {
    /// Empty sets the global latency.
    #[serde(default)]
    path_contains: String,
    latency_ms: u64,
}

pub async fn set_latency(
    State(control): State<SimControl>,
    Json(request): Json<LatencyRequest>,
) -> StatusCode {
    let latency = Duration::from_millis(request.latency_ms);
    if request.path_contains.is_empty() {
        control.set_latency(latency);
    } else {
        control.add_latency_rule(&request.path_contains, latency);
    }
    StatusCode::NO_CONTENT
}

pub async fn requests(State(control): State<SimControl>) -> Json<Vec<RecordedRequest>> {
    Json(control.requests())
}

pub async fn clear_requests(State(control): State<SimControl>) -> StatusCode {
    control.clear_requests();
    StatusCode::NO_CONTENT
}

#[derive(Deserialize)]
pub struct PermissionsRequest {
    zone_settings: ZoneSettingsAccess,
}

/// `{"zone_settings": "none" | "read" | "edit"}`.
pub async fn set_permissions(
    State(control): State<SimControl>,
    Json(request): Json<PermissionsRequest>,
) -> StatusCode {
    control.set_zone_settings_access(request.zone_settings);
    StatusCode::NO_CONTENT
}

#[derive(Deserialize)]
pub struct DeploymentsRequest {
    /// A zone name or id.
    zone: String,
    /// `true`: its uploads time out (`deployment_timed_out`); `false`: they deploy.
    fail: bool,
}

pub async fn set_deployments(
    State(control): State<SimControl>,
    Json(request): Json<DeploymentsRequest>,
) -> StatusCode {
    let id = control
        .zone_id(&request.zone)
        .unwrap_or_else(|| request.zone.clone());
    if control.fail_deployments(&id, request.fail) {
        StatusCode::NO_CONTENT
    } else {
        StatusCode::NOT_FOUND
    }
}

#[derive(Deserialize)]
pub struct HostnamesRequest {
    unassociated: UnassociatedAnswer,
}

/// `{"unassociated": "not_found" | "null_fields"}`: what `GET .../hostnames/{hostname}`
/// answers for a hostname without an association.
pub async fn set_hostnames(
    State(control): State<SimControl>,
    Json(request): Json<HostnamesRequest>,
) -> StatusCode {
    control.set_unassociated_answer(request.unassociated);
    StatusCode::NO_CONTENT
}

//! Zone settings: `GET /zones/{id}/settings` (every setting, in one array) and
//! `GET|PATCH /zones/{id}/settings/tls_client_auth` (the global AOP switch). Both need
//! the simulated token's Zone Settings permission ([`ZoneSettingsAccess`]).

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::response::Response;
use chrono::Utc;
use serde_json::{Value, json};

use super::control::{Shared, ZoneSettingsAccess};
use super::envelope::codes::{INVALID_SETTING_VALUE, SETTING_NOT_EDITABLE};
use super::envelope::{ApiFailure, success};
use super::handlers::{InZone, json_object};
use super::state::SettingsRecord;
use crate::api::model::{SSL, TLS_CLIENT_AUTH};

/// Cloudflare's answer to a token without the permission: the generic 403.
fn require(shared: &Shared, needed: ZoneSettingsAccess) -> Result<(), ApiFailure> {
    if shared.zone_settings_access() >= needed {
        Ok(())
    } else {
        Err(ApiFailure::auth())
    }
}

pub async fn list_settings(
    State(shared): State<Arc<Shared>>,
    InZone(zone): InZone,
) -> Result<Response, ApiFailure> {
    require(&shared, ZoneSettingsAccess::Read)?;
    let settings = shared.state().settings(zone);
    Ok(success(all_settings(&settings), None))
}

pub async fn get_global(
    State(shared): State<Arc<Shared>>,
    InZone(zone): InZone,
) -> Result<Response, ApiFailure> {
    require(&shared, ZoneSettingsAccess::Read)?;
    let global = shared.state().settings(zone).global_aop();
    Ok(success(global, None))
}

/// The body must be `{"value": "on"|"off"}` (other fields are ignored); a setting that
/// is not editable refuses any change, the same value included.
pub async fn patch_global(
    State(shared): State<Arc<Shared>>,
    InZone(zone): InZone,
    body: Bytes,
) -> Result<Response, ApiFailure> {
    require(&shared, ZoneSettingsAccess::Edit)?;
    let body = json_object(&body)?;
    let on = match body.get("value").and_then(Value::as_str) {
        Some("on") => true,
        Some("off") => false,
        _ => {
            return Err(ApiFailure::bad_request(
                INVALID_SETTING_VALUE,
                format!("Invalid value for zone setting {TLS_CLIENT_AUTH}"),
            ));
        }
    };
    let mut state = shared.state();
    let settings = state.settings_mut(zone);
    if !settings.editable {
        return Err(ApiFailure::bad_request(
            SETTING_NOT_EDITABLE,
            format!(
                "Zone setting {TLS_CLIENT_AUTH} is not editable on this zone (editable: false)"
            ),
        ));
    }
    settings.set_global(on, Utc::now());
    Ok(success(settings.global_aop(), None))
}

/// The settings array: `ssl` and `tls_client_auth` from the zone's state, among a few
/// other real settings with plausible, fixed values, sorted by id as Cloudflare's is.
fn all_settings(settings: &SettingsRecord) -> Vec<Value> {
    let other = |id: &str, value: Value| json!({"id": id, "value": value, "editable": true, "modified_on": null});
    vec![
        other("always_online", json!("off")),
        other("always_use_https", json!("on")),
        other("automatic_https_rewrites", json!("on")),
        other("brotli", json!("on")),
        other("browser_cache_ttl", json!(14400)),
        json!({"id": "development_mode", "value": "off", "editable": true,
               "modified_on": null, "time_remaining": 0}),
        other("http3", json!("on")),
        other("min_tls_version", json!("1.2")),
        other("opportunistic_encryption", json!("on")),
        other(
            "security_header",
            json!({"strict_transport_security": {"enabled": false, "max_age": 0,
                   "include_subdomains": false, "preload": false, "nosniff": false}}),
        ),
        other(SSL, json!(settings.ssl.as_str())),
        other("tls_1_3", json!("on")),
        json!(settings.global_aop()),
        other("websockets", json!("on")),
        other("zero_rtt", json!("off")),
    ]
}

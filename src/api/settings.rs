//! Zone settings: the global AOP switch (`tls_client_auth`, Cloudflare's shared
//! certificate) and the SSL mode that can void every AOP level.
//!
//! These calls need the token permission Zone → Zone Settings (Read, and Edit to
//! change the switch), which a token made for the other AOP calls may lack: a 403 here
//! is reported as [`ApiError::MissingPermission`], naming it.

use reqwest::Method;
use serde::Serialize;

use super::client::{Client, json_body, required};
use super::error::ApiError;
use super::error::permissions::{ZONE_SETTINGS_EDIT, ZONE_SETTINGS_READ};
use super::model::{GlobalAop, TLS_CLIENT_AUTH, ZoneSettings};

impl Client {
    /// `GET /zones/{zone_id}/settings/tls_client_auth`.
    pub async fn get_global(&self, zone_id: &str) -> Result<GlobalAop, ApiError> {
        self.get(&global_path(zone_id), &[])
            .await
            .map_err(|e| e.needing(ZONE_SETTINGS_READ))
    }

    /// `PATCH /zones/{zone_id}/settings/tls_client_auth` with `{"value": "on"|"off"}`;
    /// returns the setting as the server now has it. Setting a value is idempotent, so
    /// it is retried as the enablement PUT is.
    pub async fn set_global(&self, zone_id: &str, on: bool) -> Result<GlobalAop, ApiError> {
        #[derive(Serialize)]
        struct Value {
            value: &'static str,
        }
        let body = json_body(&Value {
            value: if on { "on" } else { "off" },
        })?;
        let (result, _) = self
            .send::<GlobalAop>(Method::PATCH, &global_path(zone_id), &[], Some(body))
            .await
            .map_err(|e| e.needing(ZONE_SETTINGS_EDIT))?;
        required(result)
    }

    /// `GET /zones/{zone_id}/settings`: every zone setting in one array, of which the
    /// global switch and the SSL mode are kept. One call where a survey needs both.
    pub async fn zone_settings(&self, zone_id: &str) -> Result<ZoneSettings, ApiError> {
        let (result, _) = self
            .send::<ZoneSettings>(Method::GET, &["zones", zone_id, "settings"], &[], None)
            .await
            .map_err(|e| e.needing(ZONE_SETTINGS_READ))?;
        // A `null` result, like an empty array, holds neither setting.
        Ok(result.unwrap_or_default())
    }
}

fn global_path(zone_id: &str) -> [&str; 4] {
    ["zones", zone_id, "settings", TLS_CLIENT_AUTH]
}

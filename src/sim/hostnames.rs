//! Per-hostname AOP: the zone's hostname certificates
//! (`.../origin_tls_client_auth/hostnames/certificates[/{certificate_id}]`) and each
//! hostname's association with one (`PUT .../hostnames`, `GET .../hostnames/{hostname}`).
//!
//! The simulator's readings of what the docs leave open:
//!
//! - `PUT .../hostnames`: each `config` entry needs `hostname` and `enabled`. `enabled`
//!   `true` or `false` needs a `cert_id` naming a hostname certificate of the zone that
//!   is neither deleted nor being deleted (else HTTP 400, code 1415); `null` removes the
//!   association, and then `cert_id` may be left out and is not checked (an association
//!   with a deleted certificate can always be removed). An `enabled` left out is refused
//!   (HTTP 400, code 1001) rather than read as `null` or `true`: the published schema
//!   marks no field of an entry required, `hostname` included, so it does not decide
//!   this, and a client that means "remove" must say `null` (one official client's bug
//!   was dropping it). A hostname named twice in one batch is refused the same way. A
//!   batch is applied whole or not at all.
//! - The answer is an array with one association object per entry, in order; a removed
//!   one reads `enabled: null` and `status: deleted`.
//! - An association's `status` moves with time; see [`AssociationRecord::status`].
//! - A hostname without an association: HTTP 404, code 1416, or the other documented
//!   possibility, see [`UnassociatedAnswer`].

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Instant;

use axum::body::Bytes;
use axum::extract::{FromRequestParts, Path, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::Response;
use serde_json::{Map, Value};

use super::control::{Shared, UnassociatedAnswer};
use super::envelope::codes::{
    ASSOCIATION_LIMIT, DUPLICATE_CERTIFICATE, HOSTNAME_CERTIFICATE_LIMIT, HOSTNAME_NOT_ASSOCIATED,
    INVALID_CERTIFICATE_ID, ONLY_LEAF_ALLOWED,
};
use super::envelope::{ApiFailure, success};
use super::handlers::{
    CERT_LIST_PER_PAGE, InZone, InZoneCert, json_object, not_found, refusal, string_field, uploaded,
};
#[cfg(doc)]
use super::state::AssociationRecord;
use super::state::{
    AssociationRefusal, HostnameAssociation, HostnameChange, HostnameRefusal,
    MAX_ASSOCIATIONS_PER_CERT, MAX_HOSTNAME_CERTS,
};
use crate::api::model::ResultInfo;
use crate::certinfo::{self, CertError};

/// A zone that exists and a well-formed hostname (lower case, without a trailing dot),
/// which may have no association. A malformed one does not route, as a malformed
/// certificate id does not.
pub struct InZoneHostname {
    zone: usize,
    hostname: String,
}

impl FromRequestParts<Arc<Shared>> for InZoneHostname {
    type Rejection = ApiFailure;

    async fn from_request_parts(
        parts: &mut Parts,
        shared: &Arc<Shared>,
    ) -> Result<Self, ApiFailure> {
        let InZone(zone) = InZone::from_request_parts(parts, shared).await?;
        let path = parts.uri.path().to_owned();
        let Path(params) = Path::<HashMap<String, String>>::from_request_parts(parts, shared)
            .await
            .map_err(|_| ApiFailure::no_route(&path))?;
        let hostname = params
            .get("hostname")
            .and_then(|h| normalize_hostname(h))
            .ok_or_else(|| ApiFailure::no_route(&path))?;
        Ok(Self { zone, hostname })
    }
}

/// A hostname as the simulator keys it: lower case, without a trailing dot; `None`
/// unless it is dot-separated labels of letters, digits, `-` and `_` (1 to 63 each, no
/// `-` at either end), at most 253 characters, optionally after a leading `*.`.
pub fn normalize_hostname(raw: &str) -> Option<String> {
    let name = raw.strip_suffix('.').unwrap_or(raw).to_ascii_lowercase();
    if name.is_empty() || name.len() > 253 {
        return None;
    }
    let labels = name.strip_prefix("*.").unwrap_or(&name);
    let well_formed = labels.split('.').all(|label| {
        (1..=63).contains(&label.len())
            && !label.starts_with('-')
            && !label.ends_with('-')
            && label
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    });
    well_formed.then_some(name)
}

/// The hostname certificates; like the zone-level list, one page holds them all.
pub async fn list_hostname_certificates(
    State(shared): State<Arc<Shared>>,
    InZone(zone): InZone,
) -> Response {
    let certs = shared.state().hostname_certificates(zone, Instant::now());
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

/// The same local checks as a zone-level upload; a CA given as the leaf gets the
/// per-hostname API's own code (1412), a duplicate 1406, an 11th certificate 1413.
pub async fn upload_hostname_certificate(
    State(shared): State<Arc<Shared>>,
    InZone(zone): InZone,
    body: Bytes,
) -> Result<Response, ApiFailure> {
    let body = json_object(&body)?;
    let certificate = string_field(&body, "certificate")?;
    let private_key = string_field(&body, "private_key")?;
    // The key is only checked against the certificate; nothing keeps it.
    let details = certinfo::check_pair(certificate, private_key).map_err(|e| match e {
        CertError::CaCertificate { .. } => {
            ApiFailure::bad_request(ONLY_LEAF_ALLOWED, "Only leaf certificate is allowed.")
        }
        other => refusal(&other),
    })?;
    let now = Instant::now();
    let record = uploaded(&shared, zone, &details, certificate, now);
    let added = shared.state().add_hostname(zone, record, now);
    match added {
        Ok(cert) => Ok(success(cert, None)),
        Err(HostnameRefusal::Duplicate) => Err(ApiFailure::bad_request(
            DUPLICATE_CERTIFICATE,
            "This certificate already exists for this zone.",
        )),
        Err(HostnameRefusal::Full) => Err(ApiFailure::bad_request(
            HOSTNAME_CERTIFICATE_LIMIT,
            format!(
                "This zone already has {MAX_HOSTNAME_CERTS} hostname certificates, the most \
                 allowed. Delete one before uploading another."
            ),
        )),
    }
}

pub async fn get_hostname_certificate(
    State(shared): State<Arc<Shared>>,
    cert: InZoneCert,
) -> Result<Response, ApiFailure> {
    shared
        .state()
        .hostname_certificate(cert.zone, &cert.cert_id, Instant::now())
        .map(|c| success(c, None))
        .ok_or_else(not_found)
}

/// `pending_deletion`, gone after the delete delay. Allowed while hostnames are still
/// associated with it, as the API allows it: their associations stay, pointing at it.
pub async fn delete_hostname_certificate(
    State(shared): State<Arc<Shared>>,
    cert: InZoneCert,
) -> Result<Response, ApiFailure> {
    let delay = shared.delete_delay;
    shared
        .state()
        .delete_hostname(cert.zone, &cert.cert_id, Instant::now(), delay)
        .map(|c| success(c, None))
        .ok_or_else(not_found)
}

pub async fn put_hostnames(
    State(shared): State<Arc<Shared>>,
    InZone(zone): InZone,
    body: Bytes,
) -> Result<Response, ApiFailure> {
    let body = json_object(&body)?;
    let changes = parse_config(&body)?;
    let answer = shared
        .state()
        .set_hostnames(zone, &changes, Instant::now(), shared.deploy_delay)
        .map_err(|refused| match refused {
            AssociationRefusal::InvalidCertificate { .. } => ApiFailure::bad_request(
                INVALID_CERTIFICATE_ID,
                "Certificate ID in request is either invalid or the certificate has been deleted",
            ),
            AssociationRefusal::TooMany { cert_id, count } => ApiFailure::bad_request(
                ASSOCIATION_LIMIT,
                format!(
                    "Certificate {cert_id} would be associated with {count} hostnames; a \
                     certificate may be associated with at most {MAX_ASSOCIATIONS_PER_CERT}."
                ),
            ),
        })?;
    Ok(success(answer, None))
}

/// `{"config": [{"hostname", "cert_id", "enabled"}, …]}`, checked for form only.
fn parse_config(body: &Map<String, Value>) -> Result<Vec<HostnameChange>, ApiFailure> {
    const SHAPE: &str = "an array of {hostname, cert_id, enabled}";
    let items = match body.get("config") {
        Some(Value::Array(items)) => items,
        Some(_) => return Err(ApiFailure::invalid(format!("config must be {SHAPE}"))),
        None => return Err(ApiFailure::invalid(format!("config is required: {SHAPE}"))),
    };
    let mut seen = HashSet::with_capacity(items.len());
    let mut changes = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let invalid = |what: &str| ApiFailure::invalid(format!("config[{i}].{what}"));
        let Value::Object(item) = item else {
            return Err(ApiFailure::invalid(format!(
                "config[{i}] must be an object with hostname, cert_id and enabled"
            )));
        };
        let hostname = match item.get("hostname") {
            Some(Value::String(raw)) => normalize_hostname(raw)
                .ok_or_else(|| invalid(&format!("hostname {raw:?} is not a hostname")))?,
            Some(_) => return Err(invalid("hostname must be a string")),
            None => return Err(invalid("hostname is required")),
        };
        if !seen.insert(hostname.clone()) {
            return Err(invalid(&format!(
                "hostname {hostname} is named twice: name each hostname once"
            )));
        }
        let enabled = match item.get("enabled") {
            Some(Value::Bool(enabled)) => Some(*enabled),
            Some(Value::Null) => None,
            Some(_) => return Err(invalid("enabled must be true, false or null")),
            None => {
                return Err(invalid(
                    "enabled is required: true, false, or null to remove the association",
                ));
            }
        };
        let cert_id = match item.get("cert_id") {
            Some(Value::String(id)) => Some(id.as_str()),
            Some(Value::Null) | None => None,
            Some(_) => return Err(invalid("cert_id must be a string")),
        };
        let target = match (enabled, cert_id) {
            (None, _) => None,
            (Some(enabled), Some(id)) => Some((id.to_owned(), enabled)),
            (Some(_), None) => {
                return Err(invalid("cert_id is required unless enabled is null"));
            }
        };
        changes.push(HostnameChange { hostname, target });
    }
    Ok(changes)
}

pub async fn get_hostname(
    State(shared): State<Arc<Shared>>,
    target: InZoneHostname,
) -> Result<Response, ApiFailure> {
    let found = shared
        .state()
        .association(target.zone, &target.hostname, Instant::now());
    match (found, shared.unassociated_answer()) {
        (Some(association), _) => Ok(success(association, None)),
        (None, UnassociatedAnswer::NotFound) => Err(ApiFailure::new(
            StatusCode::NOT_FOUND,
            HOSTNAME_NOT_ASSOCIATED,
            format!(
                "Hostname {} is not associated with a certificate",
                target.hostname
            ),
        )),
        (None, UnassociatedAnswer::NullFields) => {
            let nulls: Map<String, Value> = HostnameAssociation::FIELDS
                .iter()
                .map(|field| ((*field).to_owned(), Value::Null))
                .collect();
            Ok(success(nulls, None))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostnames_are_normalized_or_refused() {
        assert_eq!(
            normalize_hostname("WWW.App.Example."),
            Some("www.app.example".into())
        );
        assert_eq!(
            normalize_hostname("*.app.example"),
            Some("*.app.example".into())
        );
        assert_eq!(
            normalize_hostname("_dmarc.x.test"),
            Some("_dmarc.x.test".into())
        );
        for bad in [
            "",
            ".",
            "a..b",
            "-a.example",
            "a-.example",
            "a b.example",
            "a/b",
            "*",
            "x.*.example",
        ] {
            assert_eq!(normalize_hostname(bad), None, "{bad:?}");
        }
        assert!(normalize_hostname(&format!("{}.example", "a".repeat(64))).is_none());
        let long = vec!["a".repeat(63); 4].join(".");
        assert_eq!(long.len(), 255);
        assert!(normalize_hostname(&long).is_none());
    }

    #[test]
    fn config_entries_are_checked_for_form() {
        let parse = |body: Value| parse_config(body.as_object().unwrap());
        let ok = parse(serde_json::json!({"config": [
            {"hostname": "A.example", "cert_id": "x", "enabled": true},
            {"hostname": "b.example", "cert_id": "y", "enabled": false},
            {"hostname": "c.example", "enabled": null},
            {"hostname": "d.example", "cert_id": "z", "enabled": null},
        ]}))
        .unwrap();
        assert_eq!(
            ok,
            [
                HostnameChange {
                    hostname: "a.example".into(),
                    target: Some(("x".into(), true))
                },
                HostnameChange {
                    hostname: "b.example".into(),
                    target: Some(("y".into(), false))
                },
                HostnameChange {
                    hostname: "c.example".into(),
                    target: None
                },
                HostnameChange {
                    hostname: "d.example".into(),
                    target: None
                },
            ]
        );
        for bad in [
            serde_json::json!({}),
            serde_json::json!({"config": {}}),
            serde_json::json!({"config": [1]}),
            serde_json::json!({"config": [{"cert_id": "x", "enabled": true}]}),
            serde_json::json!({"config": [{"hostname": 1, "cert_id": "x", "enabled": true}]}),
            serde_json::json!({"config": [{"hostname": "a b", "cert_id": "x", "enabled": true}]}),
            serde_json::json!({"config": [{"hostname": "a.example", "cert_id": "x"}]}),
            serde_json::json!({"config": [{"hostname": "a.example", "cert_id": "x", "enabled": "yes"}]}),
            serde_json::json!({"config": [{"hostname": "a.example", "enabled": true}]}),
            serde_json::json!({"config": [{"hostname": "a.example", "cert_id": 7, "enabled": true}]}),
            serde_json::json!({"config": [
                {"hostname": "a.example", "enabled": null},
                {"hostname": "A.example.", "enabled": null},
            ]}),
        ] {
            assert!(parse(bad.clone()).is_err(), "{bad}");
        }
    }
}

//! Per-hostname AOP: for now, the zone's hostname certificates.

use reqwest::Method;

use super::client::Client;
use super::error::ApiError;
use super::model::Certificate;

impl Client {
    /// `GET /zones/{zone_id}/origin_tls_client_auth/hostnames/certificates`; a `null`
    /// result reads as empty. The objects are the zone-level certificate's. A zone holds
    /// at most 10, and like the zone-level list this one does not page (the official
    /// SDKs read it as a single page), so one request reads them all.
    pub async fn list_hostname_certificates(
        &self,
        zone_id: &str,
    ) -> Result<Vec<Certificate>, ApiError> {
        let path = [
            "zones",
            zone_id,
            "origin_tls_client_auth",
            "hostnames",
            "certificates",
        ];
        let (items, _) = self
            .send::<Vec<Certificate>>(Method::GET, &path, &[], None)
            .await?;
        Ok(items.unwrap_or_default())
    }
}

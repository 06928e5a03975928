//! Per-hostname AOP: the zone's hostname certificates, each hostname's association
//! with one, and the proxied DNS records that say which hostnames a zone serves (no
//! call lists a zone's associations; see `cloudflare-api.md`).

use reqwest::Method;
use secrecy::SecretString;
use serde::{Deserialize, Serialize};

use super::client::{Client, json_body, required, upload_body};
use super::error::ApiError;
use super::model::{ApiTime, CertStatus, Certificate, Page};

/// Hostname certificates a zone may hold; associations a certificate may have.
pub const MAX_HOSTNAME_CERTS: usize = 10;
pub const MAX_ASSOCIATIONS_PER_CERT: usize = 100;
/// DNS records per page: the API's largest.
pub const DNS_PER_PAGE: u32 = 100;

/// One hostname's association with a hostname certificate, as the API reports it.
/// `private_key`, which the documented examples echo, is not a field here, so it is
/// skipped unread.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Association {
    #[serde(default)]
    pub hostname: Option<String>,
    #[serde(default)]
    pub cert_id: Option<String>,
    /// `true`: this certificate goes to the hostname; `false`: none does, whatever the
    /// zone level says; `None`: no association.
    #[serde(default)]
    pub enabled: Option<bool>,
    #[serde(default)]
    pub status: Option<CertStatus>,
    #[serde(default)]
    pub cert_status: Option<CertStatus>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issuer: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub serial_number: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_on: Option<ApiTime>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cert_updated_at: Option<ApiTime>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cert_uploaded_on: Option<ApiTime>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<ApiTime>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<ApiTime>,
}

impl Association {
    /// Whether the API says anything holds for this hostname: the answer for one never
    /// associated (or cleared) may be a 200 whose fields are all `null`.
    pub fn exists(&self) -> bool {
        self.cert_id.is_some() || self.enabled.is_some()
    }
}

/// What a hostname should be, for the one `PUT` that changes many. `enabled: None`
/// goes out as an explicit JSON `null`: that, not `false`, removes the association.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HostnameSetting {
    pub hostname: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cert_id: Option<String>,
    #[serde(default)]
    pub enabled: Option<bool>,
}

/// A DNS record, as far as discovery reads it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DnsRecord {
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default)]
    pub name: String,
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
    #[serde(default)]
    pub proxied: Option<bool>,
}

fn hostnames_path<'a>(zone_id: &'a str, rest: &[&'a str]) -> Vec<&'a str> {
    let mut p = vec!["zones", zone_id, "origin_tls_client_auth", "hostnames"];
    p.extend_from_slice(rest);
    p
}

impl Client {
    /// `GET /zones/{zone_id}/origin_tls_client_auth/hostnames/certificates`; a `null`
    /// result reads as empty. The objects are the zone-level certificate's. A zone holds
    /// at most 10, and like the zone-level list this one does not page (the official
    /// SDKs read it as a single page), so one request reads them all.
    pub async fn list_hostname_certificates(
        &self,
        zone_id: &str,
    ) -> Result<Vec<Certificate>, ApiError> {
        let path = hostnames_path(zone_id, &["certificates"]);
        let (items, _) = self
            .send::<Vec<Certificate>>(Method::GET, &path, &[], None)
            .await?;
        Ok(items.unwrap_or_default())
    }

    /// `GET .../hostnames/certificates/{certificate_id}`.
    pub async fn get_hostname_certificate(
        &self,
        zone_id: &str,
        cert_id: &str,
    ) -> Result<Certificate, ApiError> {
        self.get(&hostnames_path(zone_id, &["certificates", cert_id]), &[])
            .await
    }

    /// `POST .../hostnames/certificates`, `{certificate, private_key}`. As with the
    /// zone-level upload, the body holding the key is wiped once the transport drops it.
    pub async fn upload_hostname_certificate(
        &self,
        zone_id: &str,
        certificate: &str,
        private_key: &SecretString,
    ) -> Result<Certificate, ApiError> {
        let body = upload_body(certificate, private_key)?;
        let (result, _) = self
            .send::<Certificate>(
                Method::POST,
                &hostnames_path(zone_id, &["certificates"]),
                &[],
                Some(body),
            )
            .await?;
        required(result)
    }

    /// `DELETE .../hostnames/certificates/{certificate_id}`, no body.
    pub async fn delete_hostname_certificate(
        &self,
        zone_id: &str,
        cert_id: &str,
    ) -> Result<Certificate, ApiError> {
        let (result, _) = self
            .send::<Certificate>(
                Method::DELETE,
                &hostnames_path(zone_id, &["certificates", cert_id]),
                &[],
                None,
            )
            .await?;
        Ok(result.unwrap_or_else(|| Certificate {
            id: Some(cert_id.to_owned()),
            status: Some(CertStatus::Deleted),
            ..Default::default()
        }))
    }

    /// `PUT /zones/{zone_id}/origin_tls_client_auth/hostnames` with every setting in
    /// one `config` array; returns the associations as the API now has them.
    pub async fn set_hostnames(
        &self,
        zone_id: &str,
        settings: &[HostnameSetting],
    ) -> Result<Vec<Association>, ApiError> {
        #[derive(Serialize)]
        struct Config<'a> {
            config: &'a [HostnameSetting],
        }
        let body = json_body(&Config { config: settings })?;
        let (result, _) = self
            .send::<Vec<Association>>(Method::PUT, &hostnames_path(zone_id, &[]), &[], Some(body))
            .await?;
        Ok(result.unwrap_or_default())
    }

    /// `GET .../hostnames/{hostname}`: the hostname's association, or `None` when it
    /// has none. The API's answer for a hostname never associated is undocumented: a
    /// 404 and a 200 whose fields are `null` both read as none.
    pub async fn get_hostname(
        &self,
        zone_id: &str,
        hostname: &str,
    ) -> Result<Option<Association>, ApiError> {
        let path = hostnames_path(zone_id, &[hostname]);
        match self
            .send::<Association>(Method::GET, &path, &[], None)
            .await
        {
            Ok((result, _)) => Ok(result.filter(Association::exists)),
            // A 404 about the route or an id (7000, 7003) is a fault, not an answer.
            Err(e) if e.status() == Some(404) && !e.has_code(7000) && !e.has_code(7003) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// One page of `GET /zones/{zone_id}/dns_records?proxied=true`.
    pub async fn proxied_dns_page(
        &self,
        zone_id: &str,
        page: u64,
    ) -> Result<Page<DnsRecord>, ApiError> {
        let query = [
            ("proxied", "true".to_owned()),
            ("page", page.to_string()),
            ("per_page", DNS_PER_PAGE.to_string()),
        ];
        let (items, info) = self
            .send::<Vec<DnsRecord>>(
                Method::GET,
                &["zones", zone_id, "dns_records"],
                &query,
                None,
            )
            .await?;
        Ok(Page {
            items: items.unwrap_or_default(),
            info,
        })
    }

    /// The zone's proxied hostnames, each once, in the order the API lists them: the
    /// hostnames whose associations discovery asks about. Paged as every listing is
    /// (`api::paging`): until a page comes back short, empty or with nothing new.
    pub async fn proxied_hostnames(&self, zone_id: &str) -> Result<Vec<String>, ApiError> {
        let fetch = |page| self.proxied_dns_page(zone_id, page);
        let key = |r: &DnsRecord| r.id.clone().unwrap_or_else(|| r.name.clone());
        let records = self.collect(DNS_PER_PAGE, fetch, key).await?;
        let mut names: Vec<String> = Vec::new();
        for record in records {
            // The filter is the server's; a server that ignores it is not believed.
            if record.proxied == Some(false) || record.name.is_empty() {
                continue;
            }
            let name = record.name.trim_end_matches('.').to_ascii_lowercase();
            if !names.contains(&name) {
                names.push(name);
            }
        }
        Ok(names)
    }
}

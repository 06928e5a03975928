//! What a rotation will do to one zone, worked out from the zone's certificate list
//! before anything is sent: which certificate is the new one (it may be there
//! already), which ones it replaces, and whether its CA differs from the one the
//! origin trusts today.

use serde::Serialize;

use crate::api::{CertStatus, Certificate};
use crate::certinfo::{self, CertDetails};

/// The certificate being rotated in, as parsed from its file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewCert {
    pub subject: String,
    pub issuer: String,
    pub serial: String,
    pub sha256: String,
    pub expires: chrono::DateTime<chrono::Utc>,
}

impl NewCert {
    pub fn of(details: &CertDetails) -> Self {
        Self {
            subject: details.subject.clone(),
            issuer: details.issuer.clone(),
            serial: details.serial.clone(),
            sha256: details.sha256.clone(),
            expires: details.not_after,
        }
    }

    /// Whether a listed certificate is this one. The PEM's fingerprint decides when
    /// the API returns the PEM; otherwise the serial number and issuer do, as they
    /// name one certificate between honest CAs. `known_id` is an id an earlier run
    /// recorded for it.
    pub fn is(&self, listed: &Certificate, known_id: Option<&str>) -> bool {
        if known_id.is_some_and(|id| listed.id.as_deref() == Some(id)) {
            return true;
        }
        if let Some(details) = listed_details(listed) {
            return details.sha256 == self.sha256;
        }
        match (&listed.serial_number, &listed.issuer) {
            (Some(serial), Some(issuer)) => {
                same_serial(serial, &self.serial) && same_name(issuer, &self.issuer)
            }
            _ => false,
        }
    }
}

/// The new certificate's CA against the CA of what the zone presents today.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum IssuerChange {
    /// Signed by the CA the zone's active certificates come from.
    Same,
    /// A different CA: the origin must trust it before the upload.
    Changed { from: String },
    /// Nothing is active: whatever the origin trusts, the new CA must be among it.
    NothingActive,
}

impl IssuerChange {
    pub fn of(new: &NewCert, active: &[&Certificate]) -> Self {
        let issuers: Vec<String> = active
            .iter()
            .filter_map(|c| {
                listed_details(c)
                    .map(|d| d.issuer)
                    .or_else(|| c.issuer.clone())
            })
            .collect();
        match issuers.iter().find(|i| !same_name(i, &new.issuer)) {
            _ if active.is_empty() => Self::NothingActive,
            Some(other) => Self::Changed {
                from: other.clone(),
            },
            None => Self::Same,
        }
    }

    /// The plan's sentence for it, when there is something to say.
    pub fn warning(&self, new_issuer: &str) -> Option<String> {
        match self {
            Self::Same => None,
            Self::Changed { from } => Some(format!(
                "the new certificate's CA ({new_issuer}) is not the CA of the active one \
                 ({from}): the origin must trust the new CA before the upload, because \
                 Cloudflare presents the new certificate the moment it is active"
            )),
            Self::NothingActive => Some(format!(
                "no certificate is active: the origin must trust {new_issuer} before \
                 zone-level AOP is enabled"
            )),
        }
    }
}

/// A certificate the plan names: enough to recognise it, never its PEM.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Listed {
    pub id: String,
    pub status: Option<String>,
    pub issuer: Option<String>,
    pub expires_on: Option<String>,
}

impl Listed {
    pub fn of(cert: &Certificate) -> Option<Self> {
        Some(Self {
            id: cert.id.clone()?,
            status: cert.status.as_ref().map(|s| s.as_str().to_owned()),
            issuer: cert.issuer.clone(),
            expires_on: cert.expires_on.as_ref().map(|t| t.raw().to_owned()),
        })
    }
}

/// One zone's plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ZonePlan {
    pub zone_id: String,
    pub zone: String,
    /// The new certificate as the zone holds it already, from an earlier run.
    pub uploaded: Option<Listed>,
    /// What is deleted once the new certificate is active (nothing with --keep-old).
    pub replaces: Vec<Listed>,
    pub issuer_change: IssuerChange,
}

impl ZonePlan {
    /// The plan for a zone whose certificates are `certs`. `replaces`, when an earlier
    /// run recorded it, is what that run's plan said it would delete: a rerun keeps to
    /// it, less what is gone.
    pub fn of(
        zone_id: &str,
        zone: &str,
        certs: &[Certificate],
        new: &NewCert,
        known_id: Option<&str>,
        recorded: Option<&[String]>,
    ) -> Self {
        let uploaded = certs.iter().find(|c| new.is(c, known_id));
        let new_id = uploaded.and_then(|c| c.id.as_deref());
        let others: Vec<&Certificate> = certs
            .iter()
            .filter(|c| c.id.is_some() && c.id.as_deref() != new_id)
            .collect();
        let active: Vec<&Certificate> = others
            .iter()
            .copied()
            .filter(|c| c.status == Some(CertStatus::Active))
            .collect();
        let replaces = match recorded {
            Some(ids) => others
                .iter()
                .filter(|c| ids.iter().any(|id| c.id.as_deref() == Some(id)))
                .filter(|c| !gone(c))
                .filter_map(|c| Listed::of(c))
                .collect(),
            None => others
                .iter()
                .filter(|c| presented_soon(c))
                .filter_map(|c| Listed::of(c))
                .collect(),
        };
        Self {
            zone_id: zone_id.to_owned(),
            zone: zone.to_owned(),
            uploaded: uploaded.and_then(Listed::of),
            replaces,
            issuer_change: IssuerChange::of(new, &active),
        }
    }
}

/// Active, or on its way there: once the new certificate is active, another such one
/// would only stay beside it (several active, the newest presented) for good.
fn presented_soon(cert: &Certificate) -> bool {
    matches!(
        cert.status,
        Some(CertStatus::Active | CertStatus::PendingDeployment | CertStatus::Initializing)
    )
}

/// Already deleted, or on its way: nothing for a rotation to do to it.
fn gone(cert: &Certificate) -> bool {
    matches!(
        cert.status,
        Some(CertStatus::PendingDeletion | CertStatus::Deleted)
    )
}

fn listed_details(cert: &Certificate) -> Option<CertDetails> {
    cert.certificate
        .as_deref()
        .and_then(|pem| certinfo::parse_certificate(pem).ok())
}

/// Serial numbers as hex, whatever their spelling: `0A:1b`, `0a1b`, `a1b`.
fn same_serial(a: &str, b: &str) -> bool {
    let norm = |s: &str| {
        let hex: String = s
            .chars()
            .filter(char::is_ascii_hexdigit)
            .map(|c| c.to_ascii_lowercase())
            .collect();
        hex.trim_start_matches('0').to_owned()
    };
    norm(a) == norm(b)
}

/// Distinguished names compared without regard to spacing and case, which differ
/// between the API's spelling and ours.
fn same_name(a: &str, b: &str) -> bool {
    let norm = |s: &str| -> String {
        s.chars()
            .filter(|c| !c.is_whitespace())
            .flat_map(char::to_lowercase)
            .collect()
    };
    norm(a) == norm(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn new_cert() -> NewCert {
        NewCert {
            subject: "CN=new".into(),
            issuer: "CN=Second CA, O=Example".into(),
            serial: "0a:1b".into(),
            sha256: "AA".into(),
            expires: chrono::Utc::now(),
        }
    }

    fn listed(id: &str, status: CertStatus, issuer: &str, serial: &str) -> Certificate {
        Certificate {
            id: Some(id.into()),
            status: Some(status),
            issuer: Some(issuer.into()),
            serial_number: Some(serial.into()),
            ..Default::default()
        }
    }

    #[test]
    fn the_new_certificate_is_found_by_serial_and_issuer_without_a_pem() {
        let new = new_cert();
        assert!(new.is(
            &listed("x", CertStatus::Active, "cn=second ca,o=example", "A1B"),
            None
        ));
        assert!(!new.is(
            &listed("x", CertStatus::Active, "CN=First CA", "0a1b"),
            None
        ));
        assert!(new.is(
            &listed("x", CertStatus::Active, "CN=First CA", "ff"),
            Some("x")
        ));
    }

    #[test]
    fn the_plan_replaces_the_other_active_or_deploying_certificates_only() {
        let new = new_cert();
        let certs = [
            listed("old", CertStatus::Active, "CN=First CA", "01"),
            listed("stale", CertStatus::PendingDeletion, "CN=First CA", "02"),
            listed(
                "failed",
                CertStatus::DeploymentTimedOut,
                "CN=First CA",
                "03",
            ),
            listed("coming", CertStatus::PendingDeployment, "CN=First CA", "04"),
            listed(
                "mine",
                CertStatus::PendingDeployment,
                "CN=Second CA, O=Example",
                "0a1b",
            ),
        ];
        let plan = ZonePlan::of("z", "a.example", &certs, &new, None, None);
        assert_eq!(plan.uploaded.as_ref().map(|l| l.id.as_str()), Some("mine"));
        let ids: Vec<&str> = plan.replaces.iter().map(|l| l.id.as_str()).collect();
        assert_eq!(ids, ["old", "coming"]);
        assert_eq!(
            plan.issuer_change,
            IssuerChange::Changed {
                from: "CN=First CA".into()
            }
        );
    }

    #[test]
    fn a_rerun_keeps_to_what_the_first_plan_said_less_what_is_gone() {
        let new = new_cert();
        let certs = [
            listed(
                "a",
                CertStatus::PendingDeletion,
                "CN=Second CA, O=Example",
                "01",
            ),
            listed("b", CertStatus::Active, "CN=Second CA, O=Example", "02"),
            listed("c", CertStatus::Active, "CN=Second CA, O=Example", "03"),
            listed(
                "mine",
                CertStatus::Active,
                "CN=Second CA, O=Example",
                "0a1b",
            ),
        ];
        let recorded = ["a".to_owned(), "b".to_owned(), "mine".to_owned()];
        let plan = ZonePlan::of("z", "a.example", &certs, &new, None, Some(&recorded));
        let ids: Vec<&str> = plan.replaces.iter().map(|l| l.id.as_str()).collect();
        assert_eq!(ids, ["b"], "never the new one, never one already going");
        assert_eq!(plan.issuer_change, IssuerChange::Same);
    }

    #[test]
    fn nothing_active_is_said() {
        let plan = ZonePlan::of("z", "a.example", &[], &new_cert(), None, None);
        assert_eq!(plan.issuer_change, IssuerChange::NothingActive);
        assert!(plan.replaces.is_empty() && plan.uploaded.is_none());
    }
}

//! What a survey learns about one zone, and what follows from it without a rule:
//! the state of each AOP level, and the certificate the edge presents.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::api::{CertStatus, Certificate, GlobalAop, SslMode};
use crate::text::short_id;

/// A zone as the survey knows it: what each call answered, or why it could not.
/// Every part is optional so that what was read still counts when another part
/// failed; a rule whose inputs are missing says nothing.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ZoneState {
    pub zone_id: String,
    pub zone_name: String,
    /// When the last of its calls answered.
    pub surveyed_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub global: Option<GlobalAop>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ssl: Option<SslMode>,
    /// Zone-level enablement.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificates: Option<Vec<Certificate>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hostname_certificates: Option<Vec<Certificate>>,
    /// What could not be read, and why: "settings: …".
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unreadable: Vec<String>,
    /// When each certificate was first seen pending deletion: the API does not say
    /// when a deletion started, so only a survey that saw it earlier can tell one
    /// stuck from one just begun.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub deleting_since: Vec<(String, DateTime<Utc>)>,
    /// The hostnames originpull knows in the zone, with their associations, where
    /// the audit read them (no call lists a zone's associations).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hostnames: Vec<crate::hostnames::HostnameState>,
}

/// One AOP level's state, as a column of the audit shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum LevelState {
    On,
    Off,
    /// The call that would tell failed.
    Unknown,
}

impl LevelState {
    fn of(value: Option<bool>) -> Self {
        match value {
            Some(true) => Self::On,
            Some(false) => Self::Off,
            None => Self::Unknown,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::On => "on",
            Self::Off => "off",
            Self::Unknown => "?",
        }
    }
}

fn active(certs: &[Certificate]) -> impl Iterator<Item = &Certificate> {
    certs
        .iter()
        .filter(|c| c.status == Some(CertStatus::Active))
}

impl ZoneState {
    pub fn new(zone_id: impl Into<String>, zone_name: impl Into<String>) -> Self {
        Self {
            zone_id: zone_id.into(),
            zone_name: zone_name.into(),
            ..Self::default()
        }
    }

    pub fn global_state(&self) -> LevelState {
        LevelState::of(self.global.as_ref().map(|g| g.on))
    }

    pub fn zone_level_state(&self) -> LevelState {
        LevelState::of(self.enabled)
    }

    /// Per-hostname AOP is on for a zone with an active hostname certificate. No call
    /// lists which hostnames use one, so an active certificate counts as in use.
    pub fn hostname_state(&self) -> LevelState {
        LevelState::of(
            self.hostname_certificates
                .as_ref()
                .map(|c| active(c).next().is_some()),
        )
    }

    /// The zone-level certificates in the `active` state.
    pub fn active_certificates(&self) -> impl Iterator<Item = &Certificate> {
        self.certificates.as_deref().into_iter().flat_map(active)
    }

    /// Every certificate of both levels that was read, with its level.
    pub fn all_certificates(&self) -> impl Iterator<Item = (CertLevel, &Certificate)> {
        let zone = self.certificates.iter().flatten();
        let host = self.hostname_certificates.iter().flatten();
        zone.map(|c| (CertLevel::Zone, c))
            .chain(host.map(|c| (CertLevel::Hostname, c)))
    }

    /// Zone-level AOP presents a certificate: enabled, with one active.
    pub fn zone_level_in_use(&self) -> Option<bool> {
        let enabled = self.enabled?;
        self.certificates.as_ref()?;
        Some(enabled && self.active_certificates().next().is_some())
    }

    /// How long ago it was surveyed: `40 s`, `12 min`, `3 h`, `2 d`.
    pub fn age(&self, now: DateTime<Utc>) -> Option<String> {
        let secs = (now - self.surveyed_at?).num_seconds().max(0);
        Some(match secs {
            0..60 => format!("{secs} s"),
            60..3600 => format!("{} min", secs / 60),
            3600..86400 => format!("{} h", secs / 3600),
            _ => format!("{} d", secs / 86400),
        })
    }

    /// The soonest expiry of any certificate of either level.
    pub fn soonest_expiry(&self) -> Option<DateTime<Utc>> {
        self.all_certificates()
            .filter_map(|(_, c)| c.expires_on.as_ref()?.datetime())
            .min()
    }

    /// What the edge presents to the origin for a hostname without an association of
    /// its own, from the table in `cloudflare-api.md`.
    pub fn presented(&self) -> Presented {
        if self.ssl.as_ref().is_some_and(SslMode::voids_aop) {
            return Presented::Nothing {
                why: "the SSL mode voids AOP",
            };
        }
        let (Some(enabled), Some(_)) = (self.enabled, &self.certificates) else {
            return Presented::Unknown;
        };
        if enabled {
            return match self.newest_active() {
                Some(cert) => Presented::ZoneLevel {
                    id: cert.id.clone().unwrap_or_default(),
                },
                None => Presented::Undocumented,
            };
        }
        match self.global.as_ref().map(|g| g.on) {
            Some(true) => Presented::Shared,
            Some(false) => Presented::Nothing {
                why: "no level is on",
            },
            None => Presented::Unknown,
        }
    }

    /// Of several active certificates the most recently deployed is presented;
    /// the upload time is the nearest the API says to that.
    fn newest_active(&self) -> Option<&Certificate> {
        self.active_certificates()
            .max_by_key(|c| c.uploaded_on.as_ref().and_then(|t| t.datetime()))
    }
}

/// Which list a certificate came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CertLevel {
    Zone,
    Hostname,
}

impl CertLevel {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Zone => "zone",
            Self::Hostname => "hostname",
        }
    }

    /// For a sentence: `zone-level certificate`.
    pub fn noun(self) -> &'static str {
        match self {
            Self::Zone => "zone-level certificate",
            Self::Hostname => "hostname certificate",
        }
    }
}

/// The client certificate Cloudflare's edge presents to the origin, for hostnames
/// without a per-hostname association.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Presented {
    ZoneLevel {
        id: String,
    },
    /// Cloudflare's shared certificate: any Cloudflare account's traffic carries it.
    Shared,
    Nothing {
        why: &'static str,
    },
    /// Zone-level on with no active certificate: the docs do not say.
    Undocumented,
    /// Not everything needed was read.
    Unknown,
}

impl std::fmt::Display for Presented {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::ZoneLevel { id } => write!(
                f,
                "the edge presents the zone-level certificate {}",
                short_id(id)
            ),
            Self::Shared => f.write_str(
                "the edge presents Cloudflare's shared certificate: any Cloudflare account passes",
            ),
            Self::Nothing { why } => write!(f, "the edge presents no client certificate ({why})"),
            Self::Undocumented => f.write_str(
                "zone-level AOP is on with no active certificate: what the edge presents is undocumented",
            ),
            Self::Unknown => f.write_str("what the edge presents is not known yet"),
        }
    }
}

/// Whether `cert_id` is the only active certificate among `certs`: deleting it while
/// enablement is on leaves Cloudflare with no client certificate to present.
pub fn is_only_active<'a>(certs: impl IntoIterator<Item = &'a Certificate>, cert_id: &str) -> bool {
    let mut active = certs
        .into_iter()
        .filter(|c| c.status == Some(CertStatus::Active));
    matches!(
        (active.next(), active.next()),
        (Some(c), None) if c.id.as_deref() == Some(cert_id)
    )
}

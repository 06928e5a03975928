//! Typed views of the Cloudflare objects originpull reads and writes, and how a listing
//! of them is paged.
//!
//! Every field is optional: the live API omits fields the schema promises and adds
//! fields it does not, and one odd field must never make a whole listing unreadable.

use std::fmt;

use chrono::{DateTime, Utc};
use serde::de::{IgnoredAny, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A timestamp as the API sent it. The raw text is kept so `--json` output repeats the
/// API's own value; the parsed form is `None` when the text is not RFC 3339.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiTime {
    raw: String,
    parsed: Option<DateTime<Utc>>,
}

/// A time as the live API writes it: UTC, microseconds with trailing zeros dropped
/// (`2019-10-28T18:11:23.37411Z`), and no fraction at all on a whole second.
pub fn api_text(t: DateTime<Utc>) -> String {
    let text = t.to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
    let Some(body) = text.strip_suffix('Z') else {
        return text;
    };
    let trimmed = body.trim_end_matches('0').trim_end_matches('.');
    format!("{trimmed}Z")
}

impl ApiTime {
    pub fn parse(raw: impl Into<String>) -> Self {
        let raw = raw.into();
        let parsed = DateTime::parse_from_rfc3339(&raw)
            .ok()
            .map(|t| t.with_timezone(&Utc));
        Self { raw, parsed }
    }

    pub fn from_datetime(t: DateTime<Utc>) -> Self {
        Self {
            raw: api_text(t),
            parsed: Some(t),
        }
    }

    pub fn raw(&self) -> &str {
        &self.raw
    }

    pub fn datetime(&self) -> Option<DateTime<Utc>> {
        self.parsed
    }

    /// The day, e.g. `2026-09-01`; the API's own text when it did not parse (not yet
    /// sanitized: it came from the server).
    pub fn date(&self) -> String {
        self.parsed
            .map_or_else(|| self.raw.clone(), |d| d.format("%Y-%m-%d").to_string())
    }
}

impl Serialize for ApiTime {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.raw)
    }
}

impl<'de> Deserialize<'de> for ApiTime {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(ApiTime::parse)
    }
}

/// `null` where a string belongs reads as empty: one odd field must not sink a listing.
fn null_as_empty<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Option::<String>::deserialize(d).map(Option::unwrap_or_default)
}

/// The status of a zone-level AOP certificate. Values Cloudflare adds later are kept
/// verbatim in `Unknown` rather than failing the decode.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum CertStatus {
    Initializing,
    PendingDeployment,
    PendingDeletion,
    Active,
    Deleted,
    DeploymentTimedOut,
    DeletionTimedOut,
    Unknown(String),
}

impl CertStatus {
    pub fn as_str(&self) -> &str {
        match self {
            Self::Initializing => "initializing",
            Self::PendingDeployment => "pending_deployment",
            Self::PendingDeletion => "pending_deletion",
            Self::Active => "active",
            Self::Deleted => "deleted",
            Self::DeploymentTimedOut => "deployment_timed_out",
            Self::DeletionTimedOut => "deletion_timed_out",
            Self::Unknown(s) => s,
        }
    }

    pub fn from_api(s: &str) -> Self {
        match s {
            "initializing" => Self::Initializing,
            "pending_deployment" => Self::PendingDeployment,
            "pending_deletion" => Self::PendingDeletion,
            "active" => Self::Active,
            "deleted" => Self::Deleted,
            "deployment_timed_out" => Self::DeploymentTimedOut,
            "deletion_timed_out" => Self::DeletionTimedOut,
            other => Self::Unknown(other.to_owned()),
        }
    }

    /// A state the server will move out of by itself, so it is worth polling.
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            Self::Initializing | Self::PendingDeployment | Self::PendingDeletion
        )
    }
}

impl fmt::Display for CertStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for CertStatus {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for CertStatus {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(|s| CertStatus::from_api(&s))
    }
}

/// A zone-level AOP certificate. Fields beyond these that the API sends are kept in
/// `extra`, so `--json` repeats everything the API said, fields added after this was
/// written included. `private_key`, which the schema names, is the exception: it is
/// skipped while decoding, so it is never held, shown, or printed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Certificate {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<CertStatus>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issuer: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signature: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub serial_number: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires_on: Option<ApiTime>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uploaded_on: Option<ApiTime>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub certificate: Option<String>,
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

/// Written out rather than derived: a derived decoder with a flattened map first
/// buffers the whole object, `private_key` included, and then sorts the fields out.
impl<'de> Deserialize<'de> for Certificate {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Fields;

        impl<'de> Visitor<'de> for Fields {
            type Value = Certificate;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a certificate object")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Certificate, A::Error> {
                let mut cert = Certificate::default();
                while let Some(key) = map.next_key::<String>()? {
                    match key.as_str() {
                        "id" => cert.id = map.next_value()?,
                        "status" => cert.status = map.next_value()?,
                        "issuer" => cert.issuer = map.next_value()?,
                        "signature" => cert.signature = map.next_value()?,
                        "serial_number" => cert.serial_number = map.next_value()?,
                        "expires_on" => cert.expires_on = map.next_value()?,
                        "uploaded_on" => cert.uploaded_on = map.next_value()?,
                        "certificate" => cert.certificate = map.next_value()?,
                        "private_key" => {
                            map.next_value::<IgnoredAny>()?;
                        }
                        _ => {
                            let value = map.next_value()?;
                            cert.extra.insert(key, value);
                        }
                    }
                }
                Ok(cert)
            }
        }

        d.deserialize_map(Fields)
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ZoneAccount {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// A zone as the picker needs it; the API's many other zone fields are ignored.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Zone {
    #[serde(default, deserialize_with = "null_as_empty")]
    pub id: String,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// Boxed: it is the same for every zone, and a large account holds many zones.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<Box<ZoneAccount>>,
}

/// Zone-level AOP enablement: `GET|PUT .../origin_tls_client_auth/settings`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Enablement {
    #[serde(default)]
    pub enabled: bool,
}

/// A zone's SSL mode, the `ssl` zone setting. Values Cloudflare adds later are kept
/// verbatim in `Unknown`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum SslMode {
    Off,
    Flexible,
    Full,
    Strict,
    Unknown(String),
}

impl SslMode {
    pub fn as_str(&self) -> &str {
        match self {
            Self::Off => "off",
            Self::Flexible => "flexible",
            Self::Full => "full",
            Self::Strict => "strict",
            Self::Unknown(s) => s,
        }
    }

    pub fn from_api(s: &str) -> Self {
        match s {
            "off" => Self::Off,
            "flexible" => Self::Flexible,
            "full" => Self::Full,
            "strict" => Self::Strict,
            other => Self::Unknown(other.to_owned()),
        }
    }

    /// Whether the mode leaves no TLS between Cloudflare and the origin (`off`), or
    /// plain HTTP to it (`flexible`): then no AOP level has any effect.
    pub fn voids_aop(&self) -> bool {
        matches!(self, Self::Off | Self::Flexible)
    }
}

impl fmt::Display for SslMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for SslMode {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for SslMode {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(|s| SslMode::from_api(&s))
    }
}

/// The id of the global AOP switch among a zone's settings.
pub const TLS_CLIENT_AUTH: &str = "tls_client_auth";
/// The id of the SSL mode among a zone's settings.
pub const SSL: &str = "ssl";

/// Global AOP, the zone setting `tls_client_auth`: whether the edge presents
/// Cloudflare's shared certificate. Read from `{"id": "tls_client_auth", "value":
/// "on"|"off", "editable": bool, "modified_on": date-time|null}`, and written back in
/// that form. A `value` other than `on` or `off` is a decode error that names it: a
/// switch read wrong is worse than one not read.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(try_from = "RawGlobalAop")]
pub struct GlobalAop {
    pub on: bool,
    /// `false` when the account cannot change it (plan, or a lock); trust this over the
    /// schema, which calls the setting "Enterprise only".
    pub editable: Option<bool>,
    pub modified_on: Option<ApiTime>,
}

#[derive(Deserialize)]
struct RawGlobalAop {
    #[serde(default)]
    value: Option<String>,
    #[serde(default)]
    editable: Option<bool>,
    #[serde(default)]
    modified_on: Option<ApiTime>,
}

impl TryFrom<RawGlobalAop> for GlobalAop {
    type Error = String;

    fn try_from(raw: RawGlobalAop) -> Result<Self, String> {
        let on = match raw.value.as_deref() {
            Some("on") => true,
            Some("off") => false,
            Some(other) => {
                // The text ends up in an error message: bounded and escaped there too.
                let shown: String = other.chars().take(40).collect();
                return Err(format!(
                    "{TLS_CLIENT_AUTH} value {shown:?} is neither \"on\" nor \"off\""
                ));
            }
            None => return Err(format!("{TLS_CLIENT_AUTH} has no value")),
        };
        Ok(Self {
            on,
            editable: raw.editable,
            modified_on: raw.modified_on,
        })
    }
}

impl GlobalAop {
    /// `"on"` or `"off"`, as the API spells the value.
    pub fn value(&self) -> &'static str {
        if self.on { "on" } else { "off" }
    }
}

impl Serialize for GlobalAop {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct as _;
        let mut out = s.serialize_struct("GlobalAop", 4)?;
        out.serialize_field("id", TLS_CLIENT_AUTH)?;
        out.serialize_field("value", self.value())?;
        if let Some(editable) = self.editable {
            out.serialize_field("editable", &editable)?;
        }
        out.serialize_field("modified_on", &self.modified_on)?;
        out.end()
    }
}

/// What a survey needs of `GET /zones/{zone_id}/settings`, the array of every zone
/// setting: the global AOP switch and the SSL mode. Every other setting is ignored; a
/// setting missing from the array is `None`. A `tls_client_auth` whose value is neither
/// `on` nor `off` fails the decode, as [`GlobalAop`] does; an `ssl` value that is not a
/// string is kept, as JSON text, in [`SslMode::Unknown`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ZoneSettings {
    pub global: Option<GlobalAop>,
    pub ssl: Option<SslMode>,
}

impl<'de> Deserialize<'de> for ZoneSettings {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error as _;
        let items = Vec::<serde_json::Value>::deserialize(d)?;
        let mut settings = ZoneSettings::default();
        for item in items {
            match item.get("id").and_then(serde_json::Value::as_str) {
                Some(TLS_CLIENT_AUTH) if settings.global.is_none() => {
                    let global = GlobalAop::deserialize(item).map_err(D::Error::custom)?;
                    settings.global = Some(global);
                }
                Some(SSL) if settings.ssl.is_none() => {
                    settings.ssl = Some(match item.get("value") {
                        Some(serde_json::Value::String(s)) => SslMode::from_api(s),
                        Some(other) => SslMode::Unknown(other.to_string()),
                        // No value at all reads as no setting.
                        None => continue,
                    });
                }
                _ => {}
            }
        }
        Ok(settings)
    }
}

/// Written back as the API's array, holding only the two settings it knows.
impl Serialize for ZoneSettings {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq as _;
        #[derive(Serialize)]
        struct Ssl<'a> {
            id: &'static str,
            value: &'a SslMode,
        }
        let len = usize::from(self.global.is_some()) + usize::from(self.ssl.is_some());
        let mut out = s.serialize_seq(Some(len))?;
        if let Some(ssl) = &self.ssl {
            out.serialize_element(&Ssl {
                id: SSL,
                value: ssl,
            })?;
        }
        if let Some(global) = &self.global {
            out.serialize_element(global)?;
        }
        out.end()
    }
}

/// Paging facts from `result_info`. `total_pages` only comes from newer API versions.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResultInfo {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub per_page: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_count: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_pages: Option<u64>,
}

/// The largest page `GET /zones` accepts.
pub const ZONES_PER_PAGE: u32 = 50;
/// The most pages of one listing out at once (the pager's window at its widest):
/// enough to hide latency, few enough to stay polite to the rate limit.
pub const ZONE_PAGE_CONCURRENCY: usize = 8;

/// One page of a paginated listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub info: Option<ResultInfo>,
}

/// `GET /user/tokens/verify`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenInfo {
    #[serde(default, deserialize_with = "null_as_empty")]
    pub id: String,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub status: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_on: Option<ApiTime>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_before: Option<ApiTime>,
}

/// One entry of `errors` (or `messages`), with the nested `error_chain` some errors carry.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiMessage {
    #[serde(default)]
    pub code: Option<i64>,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub message: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub error_chain: Vec<ApiMessage>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub documentation_url: Option<String>,
}

/// The envelope around every response.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Envelope<T> {
    /// Absent means the body is not Cloudflare's envelope at all (a proxy's JSON).
    #[serde(default)]
    pub success: Option<bool>,
    #[serde(default)]
    pub errors: Vec<ApiMessage>,
    #[serde(default)]
    pub messages: Vec<serde_json::Value>,
    /// `null` and absent both read as `None`; list calls treat that as empty.
    #[serde(default = "Option::default")]
    pub result: Option<T>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result_info: Option<ResultInfo>,
}

/// A zone id is 32 lowercase hex characters; anything else is taken as a zone name.
pub fn is_zone_id(s: &str) -> bool {
    s.len() == 32 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// The `name` filter of `GET /zones`: an exact name, or `contains:`, `starts_with:` or
/// `ends_with:` a text. Matching ignores case, as the API does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NameFilter {
    Exact(String),
    Contains(String),
    StartsWith(String),
    EndsWith(String),
}

impl NameFilter {
    /// Reads the API's syntax; `None` for an empty filter.
    pub fn parse(value: &str) -> Option<Self> {
        let lower = value.trim().to_lowercase();
        let filter = if let Some(x) = lower.strip_prefix("contains:") {
            Self::Contains(x.to_owned())
        } else if let Some(x) = lower.strip_prefix("starts_with:") {
            Self::StartsWith(x.to_owned())
        } else if let Some(x) = lower.strip_prefix("ends_with:") {
            Self::EndsWith(x.to_owned())
        } else if lower.is_empty() {
            return None;
        } else {
            Self::Exact(lower)
        };
        Some(filter)
    }

    pub fn matches(&self, name: &str) -> bool {
        // Zone names are almost always lower case already: skip the copy then.
        let name: std::borrow::Cow<'_, str> = if name.chars().any(char::is_uppercase) {
            name.to_lowercase().into()
        } else {
            name.into()
        };
        match self {
            Self::Exact(x) => name == *x,
            Self::Contains(x) => name.contains(x.as_str()),
            Self::StartsWith(x) => name.starts_with(x.as_str()),
            Self::EndsWith(x) => name.ends_with(x.as_str()),
        }
    }

    /// The value of the `name` query parameter.
    pub fn query_value(&self) -> String {
        match self {
            Self::Exact(x) => x.clone(),
            Self::Contains(x) => format!("contains:{x}"),
            Self::StartsWith(x) => format!("starts_with:{x}"),
            Self::EndsWith(x) => format!("ends_with:{x}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn name_filters_round_trip_and_ignore_case() {
        for raw in [
            "shop.example",
            "contains:shop",
            "starts_with:dev",
            "ends_with:.test",
        ] {
            assert_eq!(NameFilter::parse(raw).unwrap().query_value(), raw);
        }
        assert_eq!(NameFilter::parse("  "), None);
        let f = NameFilter::parse("Contains:SHOP").unwrap();
        assert!(f.matches("eu.Shop.example"));
        assert!(!f.matches("api.example"));
        assert!(
            NameFilter::parse("Shop.Example")
                .unwrap()
                .matches("shop.example")
        );
    }

    #[test]
    fn times_keep_the_raw_text_and_parse_when_they_can() {
        let t = ApiTime::parse("2019-10-28T18:11:23.37411Z");
        assert_eq!(t.raw(), "2019-10-28T18:11:23.37411Z");
        assert!(t.datetime().is_some());
        assert!(ApiTime::parse("yesterday").datetime().is_none());
        assert_eq!(t.date(), "2019-10-28");
        assert_eq!(ApiTime::parse("yesterday").date(), "yesterday");
        let whole = DateTime::parse_from_rfc3339("2019-10-28T18:11:23Z").unwrap();
        assert_eq!(api_text(whole.with_timezone(&Utc)), "2019-10-28T18:11:23Z");
        assert_eq!(ApiTime::from_datetime(t.datetime().unwrap()).raw(), t.raw());
    }

    #[test]
    fn every_certificate_field_decodes_into_its_own_place() {
        let cert = Certificate {
            id: Some("2458ce5a-0c35-4c7f-82c7-8e9487d3ff60".into()),
            status: Some(CertStatus::PendingDeployment),
            issuer: Some("GlobalSign".into()),
            signature: Some("SHA256WithRSA".into()),
            serial_number: Some("6743787633689793699141714808227354901".into()),
            expires_on: Some(ApiTime::parse("2100-01-01T05:20:00Z")),
            uploaded_on: Some(ApiTime::parse("2019-10-28T18:11:23.37411Z")),
            certificate: Some("-----BEGIN CERTIFICATE-----".into()),
            extra: serde_json::Map::from_iter([("enabled".to_owned(), true.into())]),
        };
        let text = serde_json::to_string(&cert).unwrap();
        assert_eq!(serde_json::from_str::<Certificate>(&text).unwrap(), cert);
        let nulls: Certificate = serde_json::from_str(r#"{"id": null, "issuer": null}"#).unwrap();
        assert_eq!(nulls, Certificate::default());
    }

    #[test]
    fn null_strings_read_as_empty() {
        let z: Zone = serde_json::from_str(r#"{"id": null, "name": "a.example"}"#).unwrap();
        assert_eq!((z.id.as_str(), z.name.as_str()), ("", "a.example"));
        let m: ApiMessage = serde_json::from_str(r#"{"code": 1, "message": null}"#).unwrap();
        assert_eq!(m.message, "");
    }

    #[test]
    fn ssl_modes_round_trip_and_unknown_ones_are_kept() {
        for (text, mode, voids) in [
            ("off", SslMode::Off, true),
            ("flexible", SslMode::Flexible, true),
            ("full", SslMode::Full, false),
            ("strict", SslMode::Strict, false),
            ("origin_pull", SslMode::Unknown("origin_pull".into()), false),
        ] {
            let read: SslMode = serde_json::from_value(text.into()).unwrap();
            assert_eq!(read, mode);
            assert_eq!(read.as_str(), text);
            assert_eq!(read.voids_aop(), voids, "{text}");
            assert_eq!(serde_json::to_value(&read).unwrap(), text);
        }
    }

    #[test]
    fn the_global_switch_reads_on_off_and_names_any_other_value() {
        let on: GlobalAop = serde_json::from_str(
            r#"{"id":"tls_client_auth","value":"on","editable":true,"modified_on":"2026-01-02T03:04:05.6Z"}"#,
        )
        .unwrap();
        assert!(on.on);
        assert_eq!(on.editable, Some(true));
        assert_eq!(
            on.modified_on.as_ref().unwrap().raw(),
            "2026-01-02T03:04:05.6Z"
        );
        assert_eq!(
            serde_json::to_value(&on).unwrap(),
            serde_json::json!({"id": "tls_client_auth", "value": "on", "editable": true,
                "modified_on": "2026-01-02T03:04:05.6Z"})
        );
        let off: GlobalAop =
            serde_json::from_str(r#"{"value":"off","editable":null,"modified_on":null}"#).unwrap();
        assert_eq!(
            off,
            GlobalAop {
                on: false,
                editable: None,
                modified_on: None
            }
        );
        let err = serde_json::from_str::<GlobalAop>(r#"{"value":"maybe"}"#).unwrap_err();
        assert!(err.to_string().contains(r#""maybe""#), "{err}");
        let err = serde_json::from_str::<GlobalAop>(r#"{"editable":true}"#).unwrap_err();
        assert!(err.to_string().contains("no value"), "{err}");
    }

    #[test]
    fn zone_settings_take_the_two_they_need_and_ignore_the_rest() {
        let settings: ZoneSettings = serde_json::from_str(
            r#"[{"id":"always_use_https","value":"off","editable":true,"modified_on":null},
                {"id":"security_header","value":{"strict_transport_security":{"enabled":false}}},
                {"id":"browser_cache_ttl","value":14400,"editable":"odd"},
                "not an object", {"value":"no id"},
                {"id":"ssl","value":"strict","editable":true,"modified_on":null},
                {"id":"tls_client_auth","value":"on","editable":false,"modified_on":null}]"#,
        )
        .unwrap();
        assert_eq!(settings.ssl, Some(SslMode::Strict));
        assert_eq!(
            settings.global.as_ref().map(|g| (g.on, g.editable)),
            Some((true, Some(false)))
        );
        let again: ZoneSettings =
            serde_json::from_value(serde_json::to_value(&settings).unwrap()).unwrap();
        assert_eq!(again, settings);

        let none: ZoneSettings =
            serde_json::from_str(r#"[{"id":"tls_1_3","value":"on"}]"#).unwrap();
        assert_eq!(none, ZoneSettings::default());
        let odd: ZoneSettings = serde_json::from_str(r#"[{"id":"ssl","value":3}]"#).unwrap();
        assert_eq!(odd.ssl, Some(SslMode::Unknown("3".into())));
        let err =
            serde_json::from_str::<ZoneSettings>(r#"[{"id":"tls_client_auth","value":"auto"}]"#)
                .unwrap_err();
        assert!(err.to_string().contains(r#""auto""#), "{err}");
    }

    #[test]
    fn zone_ids_are_32_lowercase_hex() {
        assert!(is_zone_id("0123456789abcdef0123456789abcdef"));
        assert!(!is_zone_id("0123456789ABCDEF0123456789abcdef"));
        assert!(!is_zone_id("shop.example"));
    }
}

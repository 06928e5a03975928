//! `GET /zones/{zone_id}/dns_records`: what per-hostname discovery reads to learn a
//! zone's proxied hostnames (no call lists a zone's associations).
//!
//! Every zone has the same six records, made from its name on each request and never
//! stored, so 100,000 zones cost nothing: the apex (`A`, proxied), `www` (`CNAME` to the
//! apex, proxied), `api` (`A`, proxied), `mail` (`A`, not proxied), and at the apex an
//! `MX` and a `TXT` (not proxied: Cloudflare proxies neither type). A zone may hold more:
//! the demo's extra records and those tests add ([`super::SimControl::add_dns_record`])
//! are stored per zone. Records are listed by name, then type, then content.
//!
//! Query: `proxied=true|false` filters, `page` (from 1, default 1), `per_page` (5 to
//! 5000, default 100); a bad value of any of these is refused (HTTP 400, code 1001), and
//! other parameters are ignored. `result_info` has `page`, `per_page`, `count`,
//! `total_count` and `total_pages`, as Cloudflare's paged lists do; a page past the end
//! is empty.

use std::sync::Arc;

use axum::extract::{RawQuery, State};
use axum::response::Response;
use chrono::{DateTime, TimeDelta, Utc};
use serde::Serialize;

use super::control::Shared;
use super::envelope::{ApiFailure, success};
use super::handlers::InZone;
use super::state::{ZoneRecord, id_of};
use crate::api::model::{ResultInfo, api_text};

const PER_PAGE_DEFAULT: usize = 100;
const PER_PAGE_RANGE: std::ops::RangeInclusive<usize> = 5..=5000;
/// Cloudflare's "automatic" TTL, which every proxied record has.
const TTL_AUTO: u32 = 1;
const TTL_PLAIN: u32 = 3600;

/// A DNS record as the simulator holds it; the zone it is in is implied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DnsEntry {
    /// Fully qualified, lower case, without a trailing dot.
    pub name: String,
    /// `A`, `AAAA`, `CNAME`, `MX`, `TXT`, …
    pub kind: String,
    pub content: String,
    pub proxied: bool,
    pub ttl: u32,
    /// `None`: derived from the zone's creation (the records every zone has and the
    /// demo's); `Some`: when a test added it.
    pub created_on: Option<DateTime<Utc>>,
}

impl DnsEntry {
    /// A record as the demo and tests add them: proxied ones get the automatic TTL.
    pub fn new(name: &str, kind: &str, content: &str, proxied: bool) -> Self {
        Self {
            name: name.trim_end_matches('.').to_ascii_lowercase(),
            kind: kind.to_ascii_uppercase(),
            content: content.to_owned(),
            proxied,
            ttl: if proxied { TTL_AUTO } else { TTL_PLAIN },
            created_on: None,
        }
    }

    fn same_record(&self, other: &Self) -> bool {
        self.name == other.name && self.kind == other.kind && self.content == other.content
    }
}

/// The records every zone has, from its name alone.
pub fn base_records(zone: &ZoneRecord) -> Vec<DnsEntry> {
    let apex = zone.name.as_str();
    // One byte of the id per address, so zones differ but stay the same across starts.
    let octet = |shift: u32| ((zone.id >> shift) & 0xff) as u8 % 254 + 1;
    vec![
        DnsEntry::new(apex, "A", &format!("192.0.2.{}", octet(0)), true),
        DnsEntry::new(&format!("www.{apex}"), "CNAME", apex, true),
        DnsEntry::new(
            &format!("api.{apex}"),
            "A",
            &format!("198.51.100.{}", octet(8)),
            true,
        ),
        DnsEntry::new(
            &format!("mail.{apex}"),
            "A",
            &format!("203.0.113.{}", octet(16)),
            false,
        ),
        DnsEntry::new(apex, "MX", &format!("mail.{apex}"), false),
        DnsEntry::new(apex, "TXT", "\"v=spf1 mx -all\"", false),
    ]
}

/// A zone's records in listing order: its base records plus `extra`.
pub fn zone_records(zone: &ZoneRecord, extra: Option<&Vec<DnsEntry>>) -> Vec<DnsEntry> {
    let mut records = base_records(zone);
    records.extend(extra.into_iter().flatten().cloned());
    records.sort_by(|a, b| {
        (a.name.as_str(), a.kind.as_str(), a.content.as_str()).cmp(&(
            b.name.as_str(),
            b.kind.as_str(),
            b.content.as_str(),
        ))
    });
    records
}

/// Whether `entry` may join a zone holding `base` and `extra`: not the same name, type
/// and content as a record already there.
pub fn is_new(zone: &ZoneRecord, extra: Option<&Vec<DnsEntry>>, entry: &DnsEntry) -> bool {
    !base_records(zone)
        .iter()
        .chain(extra.into_iter().flatten())
        .any(|r| r.same_record(entry))
}

/// A record as the live API lists it, cut to the fields tools read (the live one has
/// more, e.g. `proxiable`, `comment`, `tags`, `meta`).
#[derive(Serialize)]
struct DnsRecordJson<'a> {
    id: String,
    zone_id: String,
    zone_name: &'a str,
    name: &'a str,
    #[serde(rename = "type")]
    kind: &'a str,
    content: &'a str,
    proxied: bool,
    ttl: u32,
    created_on: String,
    modified_on: String,
}

impl<'a> DnsRecordJson<'a> {
    fn new(zone: &'a ZoneRecord, zone_id: &str, entry: &'a DnsEntry) -> Self {
        let seed = id_of(&format!(
            "dns:{zone_id}:{}:{}:{}",
            entry.name, entry.kind, entry.content
        ));
        let (created, modified) = match entry.created_on {
            Some(at) => (at, at),
            None => {
                // Some days after the zone, and changed some days after that; all of it
                // in the past, since zones are at least 420 days old.
                let created = zone.created_on
                    + TimeDelta::days(1 + (seed % 30) as i64)
                    + TimeDelta::seconds(((seed >> 8) % 86_400) as i64);
                (
                    created,
                    created + TimeDelta::days(((seed >> 32) % 200) as i64),
                )
            }
        };
        Self {
            id: format!("{seed:032x}"),
            zone_id: zone_id.to_owned(),
            zone_name: &zone.name,
            name: &entry.name,
            kind: &entry.kind,
            content: &entry.content,
            proxied: entry.proxied,
            ttl: entry.ttl,
            created_on: api_text(created),
            modified_on: api_text(modified),
        }
    }
}

struct DnsQuery {
    proxied: Option<bool>,
    page: usize,
    per_page: usize,
}

impl DnsQuery {
    fn parse(raw: &str) -> Result<Self, ApiFailure> {
        let mut query = Self {
            proxied: None,
            page: 1,
            per_page: PER_PAGE_DEFAULT,
        };
        for (key, value) in url::form_urlencoded::parse(raw.as_bytes()) {
            match key.as_ref() {
                "proxied" => {
                    query.proxied = Some(match value.as_ref() {
                        "true" => true,
                        "false" => false,
                        other => {
                            return Err(ApiFailure::invalid(format!(
                                "proxied must be true or false, got {other:?}"
                            )));
                        }
                    });
                }
                "page" => {
                    query.page = value.parse().ok().filter(|p| *p >= 1).ok_or_else(|| {
                        ApiFailure::invalid(format!(
                            "page must be a whole number from 1, got {value:?}"
                        ))
                    })?;
                }
                "per_page" => {
                    query.per_page = value
                        .parse()
                        .ok()
                        .filter(|n| PER_PAGE_RANGE.contains(n))
                        .ok_or_else(|| {
                            ApiFailure::invalid(format!(
                                "per_page must be a whole number from {} to {}, got {value:?}",
                                PER_PAGE_RANGE.start(),
                                PER_PAGE_RANGE.end()
                            ))
                        })?;
                }
                _ => {}
            }
        }
        Ok(query)
    }
}

pub async fn list_dns_records(
    State(shared): State<Arc<Shared>>,
    InZone(zone): InZone,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiFailure> {
    let query = DnsQuery::parse(query.as_deref().unwrap_or(""))?;
    let record = shared
        .zones
        .get(zone)
        .ok_or_else(|| ApiFailure::invalid("unknown zone"))?;
    let records = shared.state().dns_records(record, zone);
    let zone_id = record.id_hex();
    let skip = query.page.saturating_sub(1).saturating_mul(query.per_page);
    let matching = records
        .iter()
        .filter(|r| query.proxied.is_none_or(|p| r.proxied == p));
    let total = matching.clone().count();
    let page: Vec<DnsRecordJson> = matching
        .skip(skip)
        .take(query.per_page)
        .map(|r| DnsRecordJson::new(record, &zone_id, r))
        .collect();
    let info = ResultInfo {
        page: Some(query.page as u64),
        per_page: Some(query.per_page as u64),
        count: Some(page.len() as u64),
        total_count: Some(total as u64),
        total_pages: Some(total.div_ceil(query.per_page) as u64),
    };
    Ok(success(page, Some(info)))
}

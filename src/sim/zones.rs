//! `GET /zones` and `GET /zones/{zone_id}`: filtering, ordering and paging in one pass
//! over the zone list, so 100,000 zones cost no per-request copy of the list.

use std::sync::Arc;

use axum::extract::{RawQuery, State};
use axum::http::Uri;
use axum::response::Response;
use chrono::{DateTime, TimeDelta, Utc};
use serde::Serialize;

use super::control::Shared;
use super::envelope::{ApiFailure, success};
use super::handlers::InZone;
use super::state::{ZoneRecord, ZoneStatus, Zones};
use crate::api::model::{NameFilter, ResultInfo, api_text};

pub const ACCOUNT_NAME: &str = "Example Ltd";
const PER_PAGE_DEFAULT: usize = 20;
const PER_PAGE_RANGE: std::ops::RangeInclusive<usize> = 5..=50;

pub async fn list_zones(
    State(shared): State<Arc<Shared>>,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiFailure> {
    let zones = &shared.zones;
    let query = ZoneQuery::parse(query.as_deref().unwrap_or(""), zones)?;
    let all = zones.all();
    let ordered: Box<dyn Iterator<Item = &ZoneRecord>> = match (query.order, query.descending) {
        (Order::Name, false) => Box::new(all.iter()),
        (Order::Name, true) => Box::new(all.iter().rev()),
        (Order::Status, descending) => {
            // Only this order needs a copy; the stable sort keeps names in order per status.
            let mut matched: Vec<&ZoneRecord> = all.iter().filter(|z| query.matches(z)).collect();
            matched.sort_by_key(|z| z.status);
            if descending {
                matched.reverse();
            }
            Box::new(matched.into_iter())
        }
    };

    let skip = query.page.saturating_sub(1).saturating_mul(query.per_page);
    let mut page = Vec::with_capacity(query.per_page);
    let mut total = 0usize;
    for zone in ordered.filter(|z| query.matches(z)) {
        if total >= skip && page.len() < query.per_page {
            page.push(ZoneJson::new(zone, zones));
        }
        total += 1;
    }
    let info = ResultInfo {
        page: Some(query.page as u64),
        per_page: Some(query.per_page as u64),
        count: Some(page.len() as u64),
        total_count: Some(total as u64),
        total_pages: Some(total.div_ceil(query.per_page) as u64),
    };
    Ok(success(page, Some(info)))
}

pub async fn get_zone(
    State(shared): State<Arc<Shared>>,
    InZone(zone): InZone,
    uri: Uri,
) -> Result<Response, ApiFailure> {
    let zones = &shared.zones;
    let record = zones
        .get(zone)
        .ok_or_else(|| ApiFailure::no_route(uri.path()))?;
    Ok(success(ZoneJson::new(record, zones), None))
}

#[derive(Debug, Clone, Copy)]
enum Order {
    Name,
    Status,
}

struct ZoneQuery {
    page: usize,
    per_page: usize,
    name: Option<NameFilter>,
    status: Option<String>,
    /// Every zone is in the one account, so the account filters pass all or nothing.
    account_matches: bool,
    order: Order,
    descending: bool,
}

impl ZoneQuery {
    /// Unknown parameters are ignored, as the live API does; known ones with bad values
    /// are refused.
    fn parse(raw: &str, zones: &Zones) -> Result<Self, ApiFailure> {
        let account_name = ACCOUNT_NAME.to_lowercase();
        let mut query = Self {
            page: 1,
            per_page: PER_PAGE_DEFAULT,
            name: None,
            status: None,
            account_matches: true,
            order: Order::Name,
            descending: false,
        };
        for (key, value) in url::form_urlencoded::parse(raw.as_bytes()) {
            match key.as_ref() {
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
                "name" => query.name = NameFilter::parse(&value),
                "status" => query.status = Some(value.into_owned()),
                "account.id" => query.account_matches &= value == zones.account_id,
                "account.name" => {
                    query.account_matches &=
                        NameFilter::parse(&value).is_none_or(|f| f.matches(&account_name));
                }
                "order" => {
                    query.order = match value.as_ref() {
                        "name" | "account.id" | "account.name" => Order::Name,
                        "status" => Order::Status,
                        other => {
                            return Err(ApiFailure::invalid(format!(
                                "order must be one of name, status, account.id, account.name; \
                                 got {other:?}"
                            )));
                        }
                    };
                }
                "direction" => {
                    query.descending = match value.as_ref() {
                        "asc" => false,
                        "desc" => true,
                        other => {
                            return Err(ApiFailure::invalid(format!(
                                "direction must be asc or desc, got {other:?}"
                            )));
                        }
                    };
                }
                _ => {}
            }
        }
        Ok(query)
    }

    fn matches(&self, zone: &ZoneRecord) -> bool {
        self.account_matches
            && self.name.as_ref().is_none_or(|f| f.matches(&zone.name))
            && self
                .status
                .as_deref()
                .is_none_or(|s| s == zone.status.as_str())
    }
}

/// A zone as the live API returns it, with the fields the published schema requires.
#[derive(Serialize)]
struct ZoneJson<'a> {
    id: String,
    name: &'a str,
    status: &'static str,
    paused: bool,
    #[serde(rename = "type")]
    kind: &'static str,
    development_mode: u32,
    name_servers: [String; 2],
    original_name_servers: [&'static str; 2],
    original_registrar: Option<&'static str>,
    original_dnshost: Option<&'static str>,
    created_on: String,
    modified_on: String,
    activated_on: Option<String>,
    meta: Empty,
    owner: Owner,
    account: Account<'a>,
    plan: Plan,
    permissions: [&'static str; 0],
}

#[derive(Serialize)]
struct Empty {}

/// Zones in accounts have an owner without an id; the id is left out rather than
/// `null` because the published schema types it as a string.
#[derive(Serialize)]
struct Owner {
    #[serde(rename = "type")]
    kind: &'static str,
    email: Option<&'static str>,
}

#[derive(Serialize)]
struct Account<'a> {
    id: &'a str,
    name: &'static str,
}

#[derive(Serialize)]
struct Plan {
    id: &'static str,
    name: &'static str,
}

const NAME_SERVERS: [&str; 8] = ["ada", "bob", "cruz", "dina", "elle", "finn", "gina", "hugo"];

impl<'a> ZoneJson<'a> {
    fn new(zone: &'a ZoneRecord, zones: &'a Zones) -> Self {
        // Per-zone variety that stays the same from request to request.
        let seed = zone.id as u64;
        let first = (seed % 8) as usize;
        let second = (first + 1 + ((seed >> 8) % 7) as usize) % 8;
        let activated = (zone.status == ZoneStatus::Active)
            .then(|| zone.created_on + TimeDelta::seconds(60 + (seed >> 16) as i64 % 3600));
        let modified: DateTime<Utc> =
            activated.unwrap_or(zone.created_on) + TimeDelta::days((seed >> 32) as i64 % 28);
        Self {
            id: zone.id_hex(),
            name: &zone.name,
            status: zone.status.as_str(),
            paused: false,
            kind: "full",
            development_mode: 0,
            name_servers: [
                format!("{}.ns.cloudflare.com", NAME_SERVERS[first]),
                format!("{}.ns.cloudflare.com", NAME_SERVERS[second]),
            ],
            original_name_servers: ["ns1.registrar.test", "ns2.registrar.test"],
            original_registrar: Some("example registrar, inc."),
            original_dnshost: None,
            created_on: api_text(zone.created_on),
            modified_on: api_text(modified),
            activated_on: activated.map(api_text),
            meta: Empty {},
            owner: Owner {
                kind: "user",
                email: None,
            },
            account: Account {
                id: &zones.account_id,
                name: ACCOUNT_NAME,
            },
            plan: Plan {
                // The id Cloudflare's Free plan has in every account.
                id: "0feeeeeeeeeeeeeeeeeeeeeeeeeeeeee",
                name: "Free Website",
            },
            permissions: [],
        }
    }
}

//! The HTTP client for the Cloudflare API calls originpull makes.

use std::fmt;
use std::net::IpAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use bytes::Bytes;
use futures::stream::{self, FuturesOrdered};
use futures::{StreamExt, TryStreamExt};
use reqwest::header::{self, HeaderMap, HeaderValue};
use reqwest::{Method, StatusCode, Url};
use secrecy::{ExposeSecret, SecretString};
use serde::Serialize;
use serde::de::{DeserializeOwned, IgnoredAny};
use zeroize::Zeroizing;

use super::error::ApiError;
use super::limit::{self, RateLimiter};
use super::model::{
    CertStatus, Certificate, Enablement, Envelope, NameFilter, Page, ResultInfo, TokenInfo,
    ZONE_PAGE_CONCURRENCY, ZONES_PER_PAGE, Zone, is_zone_id,
};
use super::paging::{Collected, Pager};
use super::retry::{self, Kind, RetryNotice};
use crate::text::excerpt;

pub const DEFAULT_BASE_URL: &str = "https://api.cloudflare.com/client/v4";
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// 80% of Cloudflare's 1200 calls per 5 minutes: the rest is left to the dashboard and
/// other tools on the same account.
pub const DEFAULT_BUDGET: usize = 960;
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// No legitimate response comes near this; a body that does is refused unread.
pub const MAX_BODY_BYTES: usize = 10 * 1024 * 1024;
const EXCERPT_CHARS: usize = 160;

/// How requests are authenticated. `Debug` never shows a secret.
#[derive(Clone)]
pub enum Credentials {
    /// An API token, sent as `Authorization: Bearer …`.
    Token(SecretString),
    /// The legacy global API key, sent as `X-Auth-Email` / `X-Auth-Key`.
    GlobalKey { email: String, key: SecretString },
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Token(_) => f.write_str("Credentials::Token([redacted])"),
            Self::GlobalKey { email, .. } => {
                write!(
                    f,
                    "Credentials::GlobalKey {{ email: {email:?}, key: [redacted] }}"
                )
            }
        }
    }
}

impl Credentials {
    fn headers(&self) -> Result<HeaderMap, ApiError> {
        fn secret_header(value: &str) -> Result<HeaderValue, ApiError> {
            let mut v = HeaderValue::from_str(value).map_err(|_| ApiError::BadCredentials)?;
            v.set_sensitive(true);
            Ok(v)
        }
        let mut h = HeaderMap::new();
        match self {
            Self::Token(token) => {
                let value = Zeroizing::new(format!("Bearer {}", token.expose_secret().trim()));
                h.insert(header::AUTHORIZATION, secret_header(&value)?);
            }
            Self::GlobalKey { email, key } => {
                h.insert("X-Auth-Email", secret_header(email.trim())?);
                h.insert("X-Auth-Key", secret_header(key.expose_secret().trim())?);
            }
        }
        Ok(h)
    }
}

#[derive(Debug, Clone)]
pub struct ClientConfig {
    pub base_url: String,
    pub credentials: Credentials,
    pub timeout: Duration,
    pub connect_timeout: Duration,
    /// Calls the client may send per `budget_window`, every caller together.
    pub budget: usize,
    /// Cloudflare counts over 5 minutes; tests shorten it.
    pub budget_window: Duration,
    /// Every zone listing is limited to this account (`account.id`): a token that sees
    /// several accounts lists only the profile's.
    pub account_id: Option<String>,
}

impl ClientConfig {
    pub fn new(base_url: impl Into<String>, credentials: Credentials) -> Self {
        Self {
            base_url: base_url.into(),
            credentials,
            timeout: DEFAULT_TIMEOUT,
            connect_timeout: CONNECT_TIMEOUT,
            budget: DEFAULT_BUDGET,
            budget_window: limit::WINDOW,
            account_id: None,
        }
    }
}

/// Why a call is taking longer than one round trip.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallNotice {
    /// It failed and is about to be tried again.
    Retrying(RetryNotice),
    /// The client holds it this long first: the budget is spent (`budget` says how
    /// many calls per 5 minutes it allows), or, with `None`, a 429 paused every call.
    RateLimited {
        wait: Duration,
        budget: Option<usize>,
    },
}

impl fmt::Display for CallNotice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Retrying(n) => n.fmt(f),
            Self::RateLimited {
                wait,
                budget: Some(budget),
            } => write!(
                f,
                "held {:.0} s by the budget ({budget} calls per 5 minutes)",
                wait.as_secs_f64().ceil()
            ),
            Self::RateLimited { wait, budget: None } => write!(
                f,
                "held {:.0} s: Cloudflare answered 429, and every call waits it out",
                wait.as_secs_f64().ceil()
            ),
        }
    }
}

/// Told why a call takes longer: retries and rate-limit waits.
pub type CallObserver = Arc<dyn Fn(&CallNotice) + Send + Sync>;

/// A cheap-to-clone client: clones share one connection pool and one rate limit.
#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
    base: Url,
    timeout: Duration,
    limiter: Arc<RateLimiter>,
    observer: Option<CallObserver>,
    account_id: Option<String>,
    /// A command's spending guard (see [`Client::guarded`]); none in the TUI, whose
    /// jobs guard themselves.
    spending: Option<Arc<Spending>>,
}

/// What a command's work needs, what it has sent, and what the server last did.
#[derive(Debug)]
struct Spending {
    expected: AtomicU64,
    sent: AtomicU64,
    last_failure: std::sync::Mutex<Option<String>>,
}

/// A command may send this many times what its work needs…
pub const SPENDING_FACTOR: u64 = 4;
/// …and at least this many calls, retries included.
pub const MIN_SPENDING: u64 = 20;

impl Spending {
    fn spend(&self) -> Result<(), ApiError> {
        let sent = self.sent.fetch_add(1, Ordering::SeqCst) + 1;
        let expected = self.expected.load(Ordering::SeqCst);
        if sent > expected.saturating_mul(SPENDING_FACTOR).max(MIN_SPENDING) {
            let last = self.last_failure.lock().ok().and_then(|l| l.clone());
            return Err(ApiError::Overspent {
                sent: sent - 1,
                expected,
                last,
            });
        }
        Ok(())
    }
}

/// A failed attempt, with the server's word on when to try again.
struct Failure {
    error: ApiError,
    server_wait: Option<Duration>,
}

impl From<ApiError> for Failure {
    fn from(error: ApiError) -> Self {
        Self {
            error,
            server_wait: None,
        }
    }
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base", &self.base.as_str())
            .finish_non_exhaustive()
    }
}

impl Client {
    pub fn new(config: &ClientConfig) -> Result<Self, ApiError> {
        let base = parse_base_url(&config.base_url)?;
        let http = reqwest::Client::builder()
            .user_agent(concat!("originpull/", env!("CARGO_PKG_VERSION")))
            .default_headers(config.credentials.headers()?)
            .connect_timeout(config.connect_timeout)
            .timeout(config.timeout)
            // The API never redirects; following one could carry credentials elsewhere.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| ApiError::Transport {
                reason: e.without_url().to_string(),
            })?;
        Ok(Self {
            http,
            base,
            timeout: config.timeout,
            limiter: Arc::new(RateLimiter::new(config.budget, config.budget_window)),
            observer: None,
            account_id: config.account_id.clone(),
            spending: None,
        })
    }

    /// This client for one command whose work needs about `expected` calls: past
    /// [`SPENDING_FACTOR`] times that (and at least [`MIN_SPENDING`]), every further
    /// call fails with [`ApiError::Overspent`], saying what the server last did. The
    /// account's rate limit is shared with everything on it; a server that keeps a
    /// command calling (retries, pages, polls) is stopped, not followed.
    pub fn guarded(&self, expected: u64) -> Self {
        let mut client = self.clone();
        client.spending = Some(Arc::new(Spending {
            expected: AtomicU64::new(expected),
            sent: AtomicU64::new(0),
            last_failure: std::sync::Mutex::new(None),
        }));
        client
    }

    /// The work turned out bigger (a listing's pages, the zones to survey): `calls`
    /// more are expected.
    pub fn expect_more(&self, calls: u64) {
        if let Some(spending) = &self.spending {
            spending.expected.fetch_add(calls, Ordering::SeqCst);
        }
    }

    /// Tells `observer` whenever a call waits: before a retry, and when the rate
    /// limit holds it.
    pub fn observe(mut self, observer: CallObserver) -> Self {
        self.observer = Some(observer);
        self
    }

    fn notify(&self, notice: CallNotice) {
        tracing::info!(%notice, "call delayed");
        if let Some(observer) = &self.observer {
            observer(&notice);
        }
    }

    /// The API's host, for showing where the app is connected.
    pub fn host(&self) -> &str {
        self.base.host_str().unwrap_or_default()
    }

    /// `GET /user/tokens/verify`.
    pub async fn verify_token(&self) -> Result<TokenInfo, ApiError> {
        self.get(&["user", "tokens", "verify"], &[]).await
    }

    /// One page of `GET /zones`, optionally filtered by name.
    pub async fn zones_page(
        &self,
        page: u64,
        per_page: u32,
        name: Option<&NameFilter>,
    ) -> Result<Page<Zone>, ApiError> {
        let mut query = vec![
            ("page", page.to_string()),
            ("per_page", per_page.clamp(5, ZONES_PER_PAGE).to_string()),
            ("order", "name".to_owned()),
        ];
        if let Some(name) = name {
            query.push(("name", name.query_value()));
        }
        if let Some(account) = &self.account_id {
            query.push(("account.id", account.clone()));
        }
        let (items, info) = self
            .send::<Vec<Zone>>(Method::GET, &["zones"], &query, None)
            .await?;
        Ok(Page {
            items: items.unwrap_or_default(),
            info,
        })
    }

    /// Every zone the credentials can see, in the server's order, each once. The filter
    /// is applied here too, so a server that ignores `name` still gives the right answer.
    pub async fn list_zones(&self, name: Option<&NameFilter>) -> Result<Vec<Zone>, ApiError> {
        let fetch = |page| self.zones_page(page, ZONES_PER_PAGE, name);
        let mut zones = self
            .collect(ZONES_PER_PAGE, fetch, |z: &Zone| z.id.clone())
            .await?;
        if let Some(filter) = name {
            zones.retain(|z| filter.matches(&z.name));
        }
        Ok(zones)
    }

    /// Every item of a paged listing, each once (by `id`), in page order. The pages are
    /// asked for as the [`Pager`] says, a window of them at once; once the data ends, the
    /// requests still out are dropped (cancelled), and their answers never counted.
    pub(crate) async fn collect<T, F, Fut>(
        &self,
        per_page: u32,
        fetch: F,
        id: impl Fn(&T) -> String,
    ) -> Result<Vec<T>, ApiError>
    where
        F: Fn(u64) -> Fut,
        Fut: Future<Output = Result<Page<T>, ApiError>>,
    {
        let mut pager = Pager::new(per_page, ZONE_PAGE_CONCURRENCY);
        let mut collected = Collected::default();
        let ask = |page: u64| {
            let answer = fetch(page);
            async move { (page, answer.await) }
        };
        let mut pending: FuturesOrdered<_> = pager.start().into_iter().map(&ask).collect();
        while let Some((page, answer)) = pending.next().await {
            if !pager.wanted(page) {
                continue;
            }
            let listed = answer?;
            let count = listed.items.len();
            let mut new = 0;
            for item in listed.items {
                new += usize::from(collected.add(id(&item), item));
            }
            let asked = pager.answered(page, count, new, listed.info.as_ref())?;
            if page == 1 {
                // The command's guard learns how big the listing says it is; the pager
                // keeps its own guard against a claim that the data then contradicts.
                self.expect_more(pager.claimed_pages().unwrap_or(1));
            }
            for next in asked {
                pending.push_back(ask(next));
            }
            if pager.done() {
                break;
            }
        }
        Ok(collected.into_vec())
    }

    /// `GET /zones/{zone_id}`.
    pub async fn get_zone(&self, zone_id: &str) -> Result<Zone, ApiError> {
        self.get(&["zones", zone_id], &[]).await
    }

    /// Finds a zone by its exact name, or takes a 32-hex id as it is.
    pub async fn resolve_zone(&self, name_or_id: &str) -> Result<Zone, ApiError> {
        if is_zone_id(name_or_id) {
            return self.get_zone(name_or_id).await;
        }
        let wanted = name_or_id.trim().trim_end_matches('.').to_ascii_lowercase();
        self.list_zones(Some(&NameFilter::Exact(wanted.clone())))
            .await?
            .into_iter()
            .next()
            .ok_or(ApiError::ZoneNotFound { name: wanted })
    }

    /// Resolves each of `names` (names or ids) as [`resolve_zone`](Self::resolve_zone)
    /// does, a few at a time, in their order; a name given twice counts once.
    pub async fn resolve_zones(&self, names: &[String]) -> Result<Vec<Zone>, ApiError> {
        let mut seen = std::collections::HashSet::new();
        let unique: Vec<&String> = names
            .iter()
            .filter(|n| seen.insert(n.trim().trim_end_matches('.').to_ascii_lowercase()))
            .collect();
        let zones: Vec<Zone> = stream::iter(unique)
            .map(|name| self.resolve_zone(name))
            .buffered(ZONE_PAGE_CONCURRENCY)
            .try_collect()
            .await?;
        let mut ids = std::collections::HashSet::new();
        Ok(zones
            .into_iter()
            .filter(|z| ids.insert(z.id.clone()))
            .collect())
    }

    /// `GET /zones/{zone_id}/origin_tls_client_auth`; a `null` result reads as empty.
    pub async fn list_certificates(&self, zone_id: &str) -> Result<Vec<Certificate>, ApiError> {
        let (items, _) = self
            .send::<Vec<Certificate>>(Method::GET, &aop(zone_id, None), &[], None)
            .await?;
        Ok(items.unwrap_or_default())
    }

    pub async fn get_certificate(
        &self,
        zone_id: &str,
        cert_id: &str,
    ) -> Result<Certificate, ApiError> {
        self.get(&aop(zone_id, Some(cert_id)), &[]).await
    }

    /// `POST /zones/{zone_id}/origin_tls_client_auth`. The request body holding the
    /// private key is wiped from memory once the transport drops it.
    pub async fn upload_certificate(
        &self,
        zone_id: &str,
        certificate: &str,
        private_key: &SecretString,
    ) -> Result<Certificate, ApiError> {
        let body = upload_body(certificate, private_key)?;
        let (result, _) = self
            .send::<Certificate>(Method::POST, &aop(zone_id, None), &[], Some(body))
            .await?;
        required(result)
    }

    /// `DELETE /zones/{zone_id}/origin_tls_client_auth/{certificate_id}`, no body.
    pub async fn delete_certificate(
        &self,
        zone_id: &str,
        cert_id: &str,
    ) -> Result<Certificate, ApiError> {
        let (result, _) = self
            .send::<Certificate>(Method::DELETE, &aop(zone_id, Some(cert_id)), &[], None)
            .await?;
        // No result: the API sent none, or a retry found it gone after a lost reply.
        Ok(result.unwrap_or_else(|| Certificate {
            id: Some(cert_id.to_owned()),
            status: Some(CertStatus::Deleted),
            ..Default::default()
        }))
    }

    /// `GET .../origin_tls_client_auth/settings`.
    pub async fn get_enablement(&self, zone_id: &str) -> Result<bool, ApiError> {
        let e: Enablement = self.get(&aop(zone_id, Some("settings")), &[]).await?;
        Ok(e.enabled)
    }

    /// `PUT .../origin_tls_client_auth/settings`; returns the server's new value.
    pub async fn set_enablement(&self, zone_id: &str, enabled: bool) -> Result<bool, ApiError> {
        let body = json_body(&Enablement { enabled })?;
        let (result, _) = self
            .send::<Enablement>(
                Method::PUT,
                &aop(zone_id, Some("settings")),
                &[],
                Some(body),
            )
            .await?;
        Ok(required(result)?.enabled)
    }

    pub(super) async fn get<T: DeserializeOwned>(
        &self,
        path: &[&str],
        query: &[(&str, String)],
    ) -> Result<T, ApiError> {
        let (result, _) = self.send::<T>(Method::GET, path, query, None).await?;
        required(result)
    }

    /// Sends a request within the rate limit, retrying what is safe to retry (see
    /// [`retry`](super::retry)), and decodes Cloudflare's envelope. `json_body`, when
    /// given, is already-encoded JSON.
    pub(super) async fn send<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &[&str],
        query: &[(&str, String)],
        json_body: Option<Bytes>,
    ) -> Result<(Option<T>, Option<ResultInfo>), ApiError> {
        let kind = Kind::of(&method);
        let started = tokio::time::Instant::now();
        let mut lost_reply = false;
        let mut attempt = 1;
        loop {
            if let Some(spending) = &self.spending {
                spending.spend()?;
            }
            self.limiter
                .acquire(|wait, paused| {
                    // A short wait is not worth a word; one the user would notice is.
                    if wait >= Duration::from_millis(500) {
                        let budget = (!paused).then(|| self.limiter.budget());
                        self.notify(CallNotice::RateLimited { wait, budget });
                    }
                })
                .await;
            let Failure { error, server_wait } = match self
                .send_once(method.clone(), path, query, json_body.clone())
                .await
            {
                Ok(decoded) => return Ok(decoded),
                Err(failure) => failure,
            };
            if let Some(spending) = &self.spending
                && let Ok(mut last) = spending.last_failure.lock()
            {
                *last = Some(error.to_string());
            }
            let wait = server_wait.unwrap_or_else(|| retry::backoff(attempt));
            if error.status() == Some(429) {
                self.limiter.pause_for(wait);
            }
            if kind == Kind::Delete && lost_reply && error.status() == Some(404) {
                // An earlier try went through though its reply was lost.
                return Ok((None, None));
            }
            lost_reply |= retry::maybe_processed(&error);
            if attempt >= retry::MAX_TRIES
                || !retry::retryable(kind, &error)
                || started.elapsed() + wait > retry::BUDGET
            {
                return Err(error);
            }
            attempt += 1;
            self.notify(CallNotice::Retrying(RetryNotice {
                attempt,
                of: retry::MAX_TRIES,
                wait,
                reason: retry::reason(&error),
            }));
            tokio::time::sleep(wait).await;
        }
    }

    async fn send_once<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &[&str],
        query: &[(&str, String)],
        json_body: Option<Bytes>,
    ) -> Result<(Option<T>, Option<ResultInfo>), Failure> {
        let url = self.url(path);
        tracing::debug!(%method, path = url.path(), "request");
        let mut req = self.http.request(method, url);
        if !query.is_empty() {
            req = req.query(query);
        }
        if let Some(body) = json_body {
            req = req
                .header(header::CONTENT_TYPE, "application/json")
                .body(body);
        }
        let mut resp = req.send().await.map_err(|e| self.transport_error(e))?;
        let status = resp.status();
        let server_wait = retry::server_wait(resp.headers());
        if resp
            .content_length()
            .is_some_and(|len| len > MAX_BODY_BYTES as u64)
        {
            return Err(too_large().into());
        }
        let mut body = Vec::new();
        while let Some(chunk) = resp.chunk().await.map_err(|e| self.transport_error(e))? {
            if body.len() + chunk.len() > MAX_BODY_BYTES {
                return Err(too_large().into());
            }
            body.extend_from_slice(&chunk);
        }
        tracing::debug!(status = status.as_u16(), bytes = body.len(), "response");
        decode(status, &body).map_err(|error| Failure { error, server_wait })
    }

    fn url(&self, path: &[&str]) -> Url {
        let mut url = self.base.clone();
        if let Ok(mut segments) = url.path_segments_mut() {
            segments.pop_if_empty().extend(path);
        }
        url
    }

    fn transport_error(&self, e: reqwest::Error) -> ApiError {
        let reason = error_chain_text(&e);
        if e.is_timeout() {
            ApiError::Timeout {
                after: self.timeout,
            }
        } else if e.is_connect() {
            ApiError::Connect { reason }
        } else {
            ApiError::Transport { reason }
        }
    }
}

pub(super) fn aop<'a>(zone_id: &'a str, rest: Option<&'a str>) -> Vec<&'a str> {
    let mut p = vec!["zones", zone_id, "origin_tls_client_auth"];
    p.extend(rest);
    p
}

/// An upload's body, `{certificate, private_key}`, in memory that is wiped once the
/// transport drops it. Sized for the worst case (every character escaped as \u00XX)
/// so encoding never reallocates: a reallocation would free a copy of the key unwiped.
pub(super) fn upload_body(
    certificate: &str,
    private_key: &SecretString,
) -> Result<Bytes, ApiError> {
    #[derive(Serialize)]
    struct Upload<'a> {
        certificate: &'a str,
        private_key: &'a str,
    }
    let key = private_key.expose_secret();
    let mut body = Zeroizing::new(Vec::with_capacity(6 * (certificate.len() + key.len()) + 64));
    serde_json::to_writer(
        &mut *body,
        &Upload {
            certificate,
            private_key: key,
        },
    )
    .map_err(|e| ApiError::Transport {
        reason: format!("cannot encode the upload: {e}"),
    })?;
    Ok(Bytes::from_owner(body))
}

/// A small request body, encoded. (An upload, which holds a key, has its own.)
pub(super) fn json_body(value: &impl Serialize) -> Result<Bytes, ApiError> {
    serde_json::to_vec(value)
        .map(Bytes::from)
        .map_err(|e| ApiError::Transport {
            reason: format!("cannot encode the request: {e}"),
        })
}

pub(super) fn required<T>(result: Option<T>) -> Result<T, ApiError> {
    result.ok_or_else(|| ApiError::Decode {
        status: 200,
        reason: "the response has no result".into(),
        excerpt: String::new(),
    })
}

fn too_large() -> ApiError {
    ApiError::TooLarge {
        limit_mib: MAX_BODY_BYTES / (1024 * 1024),
    }
}

/// A bounded quote of what the server sent, for an error. A certificate object may
/// carry `private_key` (the schema allows it), so a text holding one is not quoted.
fn quoted(text: &str) -> String {
    if text.contains("PRIVATE KEY") {
        "(not quoted: it holds a private key)".to_owned()
    } else {
        excerpt(text, EXCERPT_CHARS)
    }
}

/// Reads Cloudflare's envelope, turning every way it can go wrong into an [`ApiError`].
pub fn decode<T: DeserializeOwned>(
    status: StatusCode,
    body: &[u8],
) -> Result<(Option<T>, Option<ResultInfo>), ApiError> {
    let code = status.as_u16();
    let text = || quoted(&String::from_utf8_lossy(body));
    // A body that is not Cloudflare's envelope (an HTML page, a proxy's own JSON) is
    // best told by its status when that is an error, else as a decode failure.
    let foreign = |reason: String| {
        if status.is_success() {
            ApiError::Decode {
                status: code,
                reason,
                excerpt: text(),
            }
        } else {
            ApiError::Http {
                status: code,
                excerpt: text(),
            }
        }
    };
    match serde_json::from_slice::<Envelope<T>>(body) {
        Ok(env) if env.success == Some(true) && status.is_success() => {
            Ok((env.result, env.result_info))
        }
        Ok(env) if env.success.is_some() => Err(ApiError::Api {
            status: code,
            errors: env.errors,
        }),
        Ok(_) => Err(foreign(
            "not Cloudflare's response envelope (no `success` field)".to_owned(),
        )),
        // The result did not fit; the envelope may still say what went wrong.
        Err(err) => match serde_json::from_slice::<Envelope<IgnoredAny>>(body) {
            Ok(env)
                if env.success.is_some()
                    && (env.success == Some(false) || !status.is_success()) =>
            {
                Err(ApiError::Api {
                    status: code,
                    errors: env.errors,
                })
            }
            // serde's message can quote a whole string value from the body.
            _ => Err(foreign(quoted(&err.to_string()))),
        },
    }
}

/// reqwest's own message is terse ("error sending request"); the cause chain says why.
fn error_chain_text(e: &reqwest::Error) -> String {
    use std::error::Error as _;
    let mut parts = vec![e.to_string()];
    let mut source = e.source();
    while let Some(s) = source {
        let text = s.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        source = s.source();
    }
    parts.join(": ")
}

/// Accepts `https://…`, and plain `http://` only to a loopback host (the simulator,
/// a local stand-in): a token must never cross a network in the clear.
pub fn parse_base_url(raw: &str) -> Result<Url, ApiError> {
    let url = Url::parse(raw.trim()).map_err(|e| {
        ApiError::BadBaseUrl(format!(
            "base URL {raw:?} is not a URL ({e}); expected e.g. {DEFAULT_BASE_URL}"
        ))
    })?;
    let loopback = match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        None => false,
    };
    match url.scheme() {
        "https" => {}
        "http" if loopback => {}
        "http" => {
            return Err(ApiError::BadBaseUrl(format!(
                "refusing plain http:// to {}: credentials would cross the network unencrypted; use https:// (http is allowed only for loopback addresses)",
                url.host_str().unwrap_or("?")
            )));
        }
        other => {
            return Err(ApiError::BadBaseUrl(format!(
                "base URL scheme {other:?} is not supported; use https://"
            )));
        }
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(ApiError::BadBaseUrl(
            "the base URL must not carry a user name or password".into(),
        ));
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::model::{GlobalAop, ZoneSettings};

    #[test]
    fn plain_http_only_to_loopback() {
        for ok in [
            "https://api.cloudflare.com/client/v4",
            "http://127.0.0.1:8080/client/v4",
            "http://127.9.9.9/",
            "http://[::1]:9/x",
            "http://localhost:1/",
        ] {
            assert!(parse_base_url(ok).is_ok(), "{ok}");
        }
        for bad in [
            "http://api.cloudflare.com/client/v4",
            "http://10.0.0.1/",
            "http://127.0.0.1.evil.test/",
            "ftp://127.0.0.1/",
            "not a url",
        ] {
            assert!(parse_base_url(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn url_joins_segments_onto_the_base_path() {
        let c = Client::new(&ClientConfig::new(
            "http://127.0.0.1:1/client/v4/",
            Credentials::Token("t".to_owned().into()),
        ))
        .unwrap();
        assert_eq!(
            c.url(&aop("abc", Some("settings"))).as_str(),
            "http://127.0.0.1:1/client/v4/zones/abc/origin_tls_client_auth/settings"
        );
    }

    #[test]
    fn a_body_holding_a_private_key_is_never_quoted() {
        let body = br#"{"success":true,"errors":[],"messages":[],"result":{"id":5,
            "private_key":"-----BEGIN PRIVATE KEY-----\nMIIEsecretbody\n-----END PRIVATE KEY-----"}}"#;
        let e = decode::<Certificate>(StatusCode::OK, body).unwrap_err();
        assert!(matches!(e, ApiError::Decode { .. }), "{e:?}");
        let shown = format!("{e} {e:?}");
        assert!(!shown.contains("MIIEsecretbody"), "{shown}");
    }

    #[test]
    fn certificates_keep_unknown_fields_but_never_the_private_key() {
        let body = br#"{"success":true,"errors":[],"messages":[],"result":[{
            "id":"2458ce5a-0c35-4c7f-82c7-8e9487d3ff60","status":"active","enabled":true,
            "private_key":"-----BEGIN PRIVATE KEY-----\nMIIEsecretbody\n-----END PRIVATE KEY-----",
            "added_later":{"nested":[1,"two",null]}}]}"#;
        let (certs, _) = decode::<Vec<Certificate>>(StatusCode::OK, body).unwrap();
        let cert = &certs.unwrap()[0];
        assert_eq!(cert.status, Some(CertStatus::Active));
        let printed: serde_json::Value = serde_json::to_value(cert).unwrap();
        assert_eq!(
            printed,
            serde_json::json!({
                "id": "2458ce5a-0c35-4c7f-82c7-8e9487d3ff60",
                "status": "active",
                "enabled": true,
                "added_later": {"nested": [1, "two", null]},
            })
        );
        let shown = format!("{cert:?}");
        assert!(shown.contains("added_later"), "{shown}");
        assert!(
            !shown.contains("private_key") && !shown.contains("MIIEsecretbody"),
            "{shown}"
        );
    }

    #[test]
    fn decode_reads_null_result_and_failures() {
        let (r, _) = decode::<Vec<Certificate>>(
            StatusCode::OK,
            br#"{"success":true,"errors":[],"messages":[],"result":null}"#,
        )
        .unwrap();
        assert!(r.is_none());
        let e = decode::<Vec<Certificate>>(
            StatusCode::OK,
            br#"{"success":false,"errors":[{"code":1000,"message":"nope"}],"messages":[],"result":null}"#,
        )
        .unwrap_err();
        assert_eq!(e.codes(), vec![1000]);
        let e =
            decode::<Zone>(StatusCode::BAD_GATEWAY, b"<html>502 Bad Gateway</html>").unwrap_err();
        assert!(matches!(e, ApiError::Http { status: 502, .. }), "{e:?}");
        let e = decode::<Zone>(StatusCode::OK, br#"{"success": tru"#).unwrap_err();
        assert!(matches!(e, ApiError::Decode { status: 200, .. }), "{e:?}");
        // JSON that is not Cloudflare's envelope: a proxy's error, or something else.
        let e =
            decode::<Zone>(StatusCode::BAD_GATEWAY, br#"{"message":"Bad gateway"}"#).unwrap_err();
        assert!(matches!(e, ApiError::Http { status: 502, .. }), "{e:?}");
        let e = decode::<Zone>(StatusCode::OK, b"{}").unwrap_err();
        assert!(matches!(e, ApiError::Decode { status: 200, .. }), "{e:?}");
        // A result of the wrong shape inside a failure envelope: the envelope's word.
        let e = decode::<Vec<Zone>>(
            StatusCode::FORBIDDEN,
            br#"{"success":false,"errors":[{"code":10000,"message":"no"}],"result":7}"#,
        )
        .unwrap_err();
        assert_eq!(e.codes(), vec![10000]);
    }

    #[test]
    fn a_global_switch_neither_on_nor_off_is_an_error_naming_the_value() {
        let e = decode::<GlobalAop>(
            StatusCode::OK,
            br#"{"success":true,"errors":[],"messages":[],"result":{"id":"tls_client_auth","value":"sometimes","editable":true,"modified_on":null}}"#,
        )
        .unwrap_err();
        assert!(matches!(e, ApiError::Decode { status: 200, .. }), "{e:?}");
        assert!(e.to_string().contains(r#""sometimes""#), "{e}");
        // The same inside the settings array.
        let e = decode::<ZoneSettings>(
            StatusCode::OK,
            br#"{"success":true,"errors":[],"messages":[],"result":[{"id":"tls_client_auth","value":"\u001b[2Jx"}]}"#,
        )
        .unwrap_err();
        let shown = e.to_string();
        assert!(shown.contains("tls_client_auth value"), "{shown}");
        assert!(!shown.contains('\u{1b}'), "{shown}");
    }

    #[test]
    fn unknown_status_values_are_kept() {
        let (r, _) = decode::<Vec<Certificate>>(
            StatusCode::OK,
            br#"{"success":true,"errors":[],"messages":[],"result":[{"id":"x","status":"quantum","private_key":"SECRET"}]}"#,
        )
        .unwrap();
        let c = &r.unwrap()[0];
        assert_eq!(c.status.as_ref().unwrap().as_str(), "quantum");
        assert!(!serde_json::to_string(c).unwrap().contains("SECRET"));
    }

    #[test]
    fn credentials_debug_hides_secrets() {
        let c = Credentials::GlobalKey {
            email: "a@b.test".into(),
            key: "hunter2".to_owned().into(),
        };
        assert!(!format!("{c:?}").contains("hunter2"));
        let t = Credentials::Token("tok-123".to_owned().into());
        assert!(!format!("{t:?}").contains("tok-123"));
    }
}

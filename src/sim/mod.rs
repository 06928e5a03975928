//! The embedded Cloudflare API simulator: the zone-level AOP endpoints, per-hostname
//! AOP (hostname certificates and associations), the zone settings (the global AOP
//! switch, the SSL mode), DNS records (for discovering hostnames), `/zones` and token
//! verification over real HTTP on 127.0.0.1, with demo data, time-driven certificate
//! and association statuses, latency, fault injection and a token whose Zone Settings
//! permission can be taken away.
//!
//! It serves `originpull --demo`, `originpull sim` and the tests. Error codes are listed
//! in [`codes`]; the demo account is described in `assets/demo-data.md`.

mod admin;
mod control;
mod demo;
mod dns;
mod envelope;
mod faults;
mod gate;
mod handlers;
mod hostnames;
mod record;
mod settings;
mod state;
mod zones;

use std::fmt;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{DefaultBodyLimit, FromRef};
use axum::middleware;
use axum::routing::{get, post, put};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

pub use control::{SimControl, UnassociatedAnswer, ZoneSettingsAccess};
pub use demo::MAX_ZONES;
pub use envelope::codes;
pub use faults::{FaultKind, FaultRule};
pub use record::RecordedRequest;
pub use state::HostnameAssociation;

use control::{Shared, SharedConfig, Shutdown};

/// How long `shutdown` waits for open connections before dropping them.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

#[derive(Clone)]
pub struct SimConfig {
    /// 0 picks any free port.
    pub port: u16,
    /// The one accepted API token (also accepted as `X-Auth-Key` with any `X-Auth-Email`).
    pub token: String,
    /// `None`: the demo account. `Some(n)`: exactly n zones (at most [`MAX_ZONES`]), the
    /// demo ones first.
    pub zones: Option<usize>,
    /// Added to every API request.
    pub latency: Duration,
    /// `pending_deployment` turns `active` after this.
    pub deploy_delay: Duration,
    /// `pending_deletion` is gone after this.
    pub delete_delay: Duration,
    /// Cloudflare's limit, enforced as it does: past `requests` in `window`, every
    /// request is answered 429 until the window has room. `None`: no limit.
    pub rate_limit: Option<RateLimit>,
}

/// How many requests the simulator accepts per window before it answers 429.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    pub requests: usize,
    pub window: Duration,
}

impl RateLimit {
    /// Cloudflare's: 1200 requests per 5 minutes.
    pub const CLOUDFLARE: Self = Self {
        requests: 1200,
        window: Duration::from_secs(300),
    };
}

impl SimConfig {
    pub fn demo(token: impl Into<String>) -> Self {
        Self {
            port: 0,
            token: token.into(),
            zones: None,
            latency: Duration::ZERO,
            deploy_delay: Duration::from_secs(3),
            delete_delay: Duration::from_secs(3),
            rate_limit: None,
        }
    }
}

impl fmt::Debug for SimConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SimConfig")
            .field("port", &self.port)
            .field("token", &"[REDACTED]")
            .field("zones", &self.zones)
            .field("latency", &self.latency)
            .field("deploy_delay", &self.deploy_delay)
            .field("delete_delay", &self.delete_delay)
            .field("rate_limit", &self.rate_limit)
            .finish()
    }
}

/// A running simulator. Dropping it stops it too, without waiting.
pub struct Simulator {
    addr: SocketAddr,
    shared: Arc<Shared>,
    stop: watch::Sender<bool>,
    server: Option<JoinHandle<std::io::Result<()>>>,
}

impl Simulator {
    pub async fn start(config: SimConfig) -> std::io::Result<Simulator> {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, config.port)).await?;
        let addr = listener.local_addr()?;
        let zone_count = config.zones;
        // Key generation and 100,000 zones are CPU work: keep it off the async workers.
        let (zones, state) = tokio::task::spawn_blocking(move || {
            demo::build(zone_count, chrono::Utc::now(), Instant::now())
        })
        .await
        .map_err(std::io::Error::other)??;

        let (stop, stopped) = watch::channel(false);
        let shared = Arc::new(Shared::new(
            SharedConfig {
                token: config.token,
                latency: config.latency,
                deploy_delay: config.deploy_delay,
                delete_delay: config.delete_delay,
                rate_limit: config.rate_limit,
            },
            zones,
            state,
            Shutdown::new(stopped.clone()),
        ));
        let app = router(shared.clone());
        let signal = Shutdown::new(stopped);
        let server = tokio::spawn(async move {
            axum::serve(listener, app)
                .with_graceful_shutdown(signal.wait())
                .await
        });
        tracing::info!(%addr, "simulator listening");
        Ok(Simulator {
            addr,
            shared,
            stop,
            server: Some(server),
        })
    }

    /// `http://127.0.0.1:PORT/client/v4`, the simulator's counterpart of
    /// `https://api.cloudflare.com/client/v4`.
    pub fn base_url(&self) -> String {
        format!("http://{}/client/v4", self.addr)
    }

    pub fn token(&self) -> &str {
        &self.shared.token
    }

    pub fn control(&self) -> SimControl {
        SimControl::new(self.shared.clone())
    }

    /// Stops accepting connections (the port then refuses them), ends hanging and
    /// sleeping requests, and waits a few seconds at most for the rest.
    pub async fn shutdown(mut self) {
        self.stop.send_replace(true);
        if let Some(mut server) = self.server.take()
            && tokio::time::timeout(SHUTDOWN_GRACE, &mut server)
                .await
                .is_err()
        {
            server.abort();
        }
    }
}

impl Drop for Simulator {
    fn drop(&mut self) {
        self.stop.send_replace(true);
    }
}

impl FromRef<Arc<Shared>> for SimControl {
    fn from_ref(shared: &Arc<Shared>) -> Self {
        SimControl::new(shared.clone())
    }
}

fn router(shared: Arc<Shared>) -> Router {
    const AOP: &str = "/client/v4/zones/{zone_id}/origin_tls_client_auth";
    Router::new()
        .route("/client/v4/user/tokens/verify", get(handlers::verify_token))
        .route("/client/v4/zones", get(zones::list_zones))
        .route("/client/v4/zones/{zone_id}", get(zones::get_zone))
        .route(
            AOP,
            get(handlers::list_certificates).post(handlers::upload_certificate),
        )
        // A static segment wins over `{certificate_id}` in axum's router, whatever the
        // order of these lines.
        .route(
            &format!("{AOP}/settings"),
            get(handlers::get_settings).put(handlers::put_settings),
        )
        .route(
            &format!("{AOP}/{{certificate_id}}"),
            get(handlers::get_certificate).delete(handlers::delete_certificate),
        )
        // Likewise `hostnames` over `{certificate_id}`, and `certificates` over
        // `{hostname}`.
        .route(&format!("{AOP}/hostnames"), put(hostnames::put_hostnames))
        .route(
            &format!("{AOP}/hostnames/certificates"),
            get(hostnames::list_hostname_certificates).post(hostnames::upload_hostname_certificate),
        )
        .route(
            &format!("{AOP}/hostnames/certificates/{{certificate_id}}"),
            get(hostnames::get_hostname_certificate).delete(hostnames::delete_hostname_certificate),
        )
        .route(
            &format!("{AOP}/hostnames/{{hostname}}"),
            get(hostnames::get_hostname),
        )
        .route(
            "/client/v4/zones/{zone_id}/dns_records",
            get(dns::list_dns_records),
        )
        .route(
            "/client/v4/zones/{zone_id}/settings",
            get(settings::list_settings),
        )
        .route(
            "/client/v4/zones/{zone_id}/settings/tls_client_auth",
            get(settings::get_global).patch(settings::patch_global),
        )
        .route(
            "/__sim/faults",
            post(admin::add_fault).delete(admin::clear_faults),
        )
        .route("/__sim/latency", post(admin::set_latency))
        .route("/__sim/deployments", post(admin::set_deployments))
        .route("/__sim/permissions", post(admin::set_permissions))
        .route("/__sim/hostnames", post(admin::set_hostnames))
        .route(
            "/__sim/requests",
            get(admin::requests).delete(admin::clear_requests),
        )
        .fallback(handlers::no_route)
        .method_not_allowed_fallback(handlers::method_not_allowed)
        .layer(DefaultBodyLimit::max(envelope::MAX_BODY_BYTES))
        .layer(middleware::from_fn_with_state(shared.clone(), gate::gate))
        .with_state(shared)
}

//! Shared test fixtures: a simulator on loopback and certificates made on the spot.
#![allow(dead_code)] // each test binary uses its own subset

pub mod pty;
pub mod servers;
pub mod test_origin;

use std::time::Duration;

use originpull::api::{Client, ClientConfig, Credentials};
use originpull::sim::{SimConfig, Simulator};
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, KeyUsagePurpose};

pub const TOKEN: &str = "test-token-0123456789";

/// A simulator with fast state transitions, so tests can watch them happen.
pub async fn sim(zones: Option<usize>) -> Simulator {
    let mut config = SimConfig::demo(TOKEN);
    config.zones = zones;
    config.deploy_delay = Duration::from_millis(300);
    config.delete_delay = Duration::from_millis(300);
    Simulator::start(config).await.expect("simulator starts")
}

pub fn client_for(sim: &Simulator) -> Client {
    client_with(&sim.base_url(), TOKEN, Duration::from_secs(5))
}

pub fn client_with(base_url: &str, token: &str, timeout: Duration) -> Client {
    let mut config = ClientConfig::new(base_url, Credentials::Token(token.to_owned().into()));
    config.timeout = timeout;
    Client::new(&config).expect("client builds")
}

/// A PEM leaf certificate for `cn`, signed by a throwaway CA, and its PKCS#8 key.
pub fn leaf_pair(cn: &str) -> (String, String) {
    let ca_key = KeyPair::generate().unwrap();
    let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.key_usages = vec![KeyUsagePurpose::KeyCertSign];
    ca.distinguished_name
        .push(DnType::CommonName, "Test Origin CA");
    let issuer = Issuer::new(ca, ca_key);

    let key = KeyPair::generate().unwrap();
    let mut params = CertificateParams::new(vec![cn.to_owned()]).unwrap();
    params.distinguished_name.push(DnType::CommonName, cn);
    let cert = params.signed_by(&key, &issuer).unwrap();
    (cert.pem(), key.serialize_pem())
}

/// Polls `check` until it holds or `deadline` passes; for states that move with time.
pub async fn eventually<F, Fut>(deadline: Duration, mut check: F) -> bool
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let until = tokio::time::Instant::now() + deadline;
    loop {
        if check().await {
            return true;
        }
        if tokio::time::Instant::now() >= until {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

/// How the simulator records a private key: its SHA-256, never the key itself.
pub fn key_hash(key_pem: &str) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(key_pem.as_bytes());
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256:{hex}")
}

/// The whole app, headless, against `sim`: keys in, the real view's text out.
pub fn driver_for(sim: &Simulator, timeout: Duration) -> originpull::tui::Driver {
    driver_at(&sim.base_url(), timeout)
}

// ---- Driving the headless app, and a relay that can refuse connections ----------------

/// The whole app, headless, against any base URL (a [`Relay`], a closed port).
pub fn driver_at(base_url: &str, timeout: Duration) -> originpull::tui::Driver {
    originpull::tui::Driver::new(launch_at(base_url, timeout))
}

/// What the app starts with against `base_url`: no caches, no journals, the defaults.
pub fn launch_at(base_url: &str, timeout: Duration) -> originpull::tui::Launch {
    originpull::tui::Launch {
        client: Some(client_with(base_url, TOKEN, timeout)),
        screen: originpull::app::Screen::Main,
        verify_token: true,
        endpoint: "test".to_owned(),
        cache: None,
        warnings: Vec::new(),
        keys: Default::default(),
        survey_cache: None,
        journals: None,
        known: None,
        budget: originpull::api::client::DEFAULT_BUDGET,
        profile: None,
        mouse: true,
    }
}

pub fn key_msg(code: crossterm::event::KeyCode) -> originpull::app::Msg {
    originpull::app::Msg::Key(crossterm::event::KeyEvent::new(
        code,
        crossterm::event::KeyModifiers::NONE,
    ))
}

pub fn press(app: &mut originpull::tui::Driver, code: crossterm::event::KeyCode) {
    app.dispatch(key_msg(code));
}

pub fn press_char(app: &mut originpull::tui::Driver, c: char) {
    press(app, crossterm::event::KeyCode::Char(c));
}

/// Dispatches every reply that has already arrived.
pub fn drain(app: &mut originpull::tui::Driver) {
    while let Some(msg) = app.ready_reply() {
        app.dispatch(msg);
    }
}

/// Dispatches replies as they come until `check` holds or `limit` passes.
pub async fn pump_until(
    app: &mut originpull::tui::Driver,
    limit: Duration,
    mut check: impl FnMut(&originpull::app::Model) -> bool,
) -> bool {
    let until = tokio::time::Instant::now() + limit;
    loop {
        drain(app);
        if check(&app.model) {
            return true;
        }
        match tokio::time::timeout_at(until, app.next_reply()).await {
            Ok(Some(msg)) => app.dispatch(msg),
            Ok(None) | Err(_) => return check(&app.model),
        }
    }
}

/// Dispatches whatever arrives during `time`.
pub async fn pump_for(app: &mut originpull::tui::Driver, time: Duration) {
    pump_until(app, time, |_| false).await;
}

/// Moves the selection in the zone picker to `name` with keys (`BackTab`, `g`, `j`…)
/// and presses `Enter` when `open`. Panics if the zone is not listed.
pub fn select_zone(app: &mut originpull::tui::Driver, name: &str, open: bool) {
    use crossterm::event::KeyCode;
    for _ in 0..3 {
        if app.model.focus == originpull::app::Focus::Zones {
            break;
        }
        press(app, KeyCode::BackTab);
    }
    assert_eq!(app.model.focus, originpull::app::Focus::Zones);
    let zones = &app.model.zones;
    let index = (0..zones.visible_len())
        .position(|i| zones.visible_zone(i).is_some_and(|z| z.name == name))
        .unwrap_or_else(|| panic!("zone {name} is not listed"));
    press_char(app, 'g');
    for _ in 0..index {
        press_char(app, 'j');
    }
    assert_eq!(
        app.model.zones.selected_zone().map(|z| z.name.as_str()),
        Some(name)
    );
    if open {
        press(app, KeyCode::Enter);
    }
}

/// Whether the certificate pane's title, focused or not, names `zone`.
pub fn pane_titled(screen: &str, zone: &str) -> bool {
    screen.contains(&format!("┏ {zone} ━")) || screen.contains(&format!("┌ {zone} ─"))
}

/// The ids of the open zone's certificates as the app holds them, sorted.
pub fn shown_ids(model: &originpull::app::Model) -> Vec<String> {
    let mut ids: Vec<String> = model
        .open
        .as_ref()
        .map(|o| o.rows().iter().filter_map(|r| r.cert.id.clone()).collect())
        .unwrap_or_default();
    ids.sort();
    ids
}

/// The id of the certificate selected in the open zone.
pub fn selected_cert_id(model: &originpull::app::Model) -> Option<String> {
    model
        .open
        .as_ref()
        .and_then(|o| o.selected_row())
        .and_then(|r| r.cert.id.clone())
}

/// The ids of a zone's certificates as the simulator holds them now, sorted.
pub fn server_ids(control: &originpull::sim::SimControl, zone_id: &str) -> Vec<String> {
    let mut ids: Vec<String> = control
        .certificates(zone_id)
        .into_iter()
        .filter_map(|c| c.id)
        .collect();
    ids.sort();
    ids
}

/// The open zone is fully loaded: its certificates and its enablement, nothing pending.
pub fn open_zone_loaded(model: &originpull::app::Model) -> bool {
    model.open.as_ref().is_some_and(|o| {
        matches!(o.certs, originpull::app::Loadable::Loaded(_))
            && o.enablement.server.is_some()
            && !o.enablement.pending()
    })
}

/// A TCP relay in front of a simulator that can refuse connections (its port closed,
/// its open connections cut) and later listen again on the same port, so a test can
/// see "connection refused" and then recover from it.
pub struct Relay {
    addr: std::net::SocketAddr,
    target: std::net::SocketAddr,
    accept: Option<tokio::task::JoinHandle<()>>,
    conns: std::sync::Arc<std::sync::Mutex<Vec<tokio::task::JoinHandle<()>>>>,
}

impl Relay {
    pub async fn start(sim: &Simulator) -> Relay {
        let base = sim.base_url();
        let host = base
            .strip_prefix("http://")
            .and_then(|rest| rest.split('/').next())
            .expect("the simulator's base URL is http://HOST:PORT/…");
        let target: std::net::SocketAddr = host.parse().expect("the simulator listens on an IP");
        let listener = tokio::net::TcpListener::bind((std::net::Ipv4Addr::LOCALHOST, 0))
            .await
            .expect("relay binds");
        let mut relay = Relay {
            addr: listener.local_addr().expect("relay address"),
            target,
            accept: None,
            conns: Default::default(),
        };
        relay.serve(listener);
        relay
    }

    fn serve(&mut self, listener: tokio::net::TcpListener) {
        let target = self.target;
        let conns = self.conns.clone();
        self.accept = Some(tokio::spawn(async move {
            loop {
                let Ok((mut inbound, _)) = listener.accept().await else {
                    tokio::time::sleep(Duration::from_millis(5)).await;
                    continue;
                };
                let handle = tokio::spawn(async move {
                    if let Ok(mut outbound) = tokio::net::TcpStream::connect(target).await {
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                    }
                });
                let mut conns = conns.lock().expect("relay lock");
                conns.retain(|h| !h.is_finished());
                conns.push(handle);
            }
        }));
    }

    /// `http://127.0.0.1:PORT/client/v4` through the relay.
    pub fn base_url(&self) -> String {
        format!("http://{}/client/v4", self.addr)
    }

    /// Closes the port, so new connections are refused, and cuts the open ones.
    pub async fn refuse(&mut self) {
        if let Some(accept) = self.accept.take() {
            accept.abort();
            let _ = accept.await;
        }
        let conns = std::mem::take(&mut *self.conns.lock().expect("relay lock"));
        for conn in &conns {
            conn.abort();
        }
        for conn in conns {
            let _ = conn.await;
        }
        // Let the client's pooled connections see their end.
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    /// Listens again on the same port, if refusing.
    pub async fn resume(&mut self) {
        if self.accept.is_some() {
            return;
        }
        let mut tries = 0;
        let listener = loop {
            match tokio::net::TcpListener::bind(self.addr).await {
                Ok(listener) => break listener,
                Err(e) if tries < 100 => {
                    tries += 1;
                    let _ = e;
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
                Err(e) => panic!("the relay cannot listen on {} again: {e}", self.addr),
            }
        };
        self.serve(listener);
    }
}

impl Drop for Relay {
    fn drop(&mut self) {
        if let Some(accept) = self.accept.take() {
            accept.abort();
        }
        if let Ok(conns) = self.conns.lock() {
            for conn in conns.iter() {
                conn.abort();
            }
        }
    }
}

/// `originpull ARGS` with nothing in its environment but `env`: no setting of the
/// machine it runs on leaks in.
/// Runs `originpull ARGS` with a clean environment pointed at `base_url` (and the
/// token, when given), HOME in a directory of its own, off the async runtime.
pub async fn run_binary(
    base_url: &str,
    token: Option<&str>,
    args: &[&str],
) -> std::process::Output {
    let home = tempfile::tempdir().unwrap();
    let mut cmd = bare(args, &[("CLOUDFLARE_BASE_URL", base_url)]);
    cmd.env("HOME", home.path())
        .env("PATH", std::env::var("PATH").unwrap_or_default());
    if let Some(token) = token {
        cmd.env("CLOUDFLARE_API_TOKEN", token);
    }
    tokio::task::spawn_blocking(move || {
        let out = cmd.output().unwrap();
        drop(home);
        out
    })
    .await
    .unwrap()
}

pub fn bare(args: &[&str], env: &[(&str, &str)]) -> std::process::Command {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_originpull"));
    cmd.args(args)
        .env_clear()
        .envs(env.iter().copied())
        .stdin(std::process::Stdio::null());
    cmd
}

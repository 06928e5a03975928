//! Shared test fixtures: a simulator on loopback and certificates made on the spot.
#![allow(dead_code)] // each test binary uses its own subset

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
    originpull::tui::Driver::new(originpull::tui::Launch {
        client: Some(client_with(&sim.base_url(), TOKEN, timeout)),
        screen: originpull::app::Screen::Main,
        verify_token: true,
        endpoint: "test".to_owned(),
    })
}

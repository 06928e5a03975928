//! The API client against the simulator over loopback: every operation, every error class.

mod common;

use std::time::{Duration, Instant};

use common::{TOKEN, client_for, client_with, eventually, key_hash, leaf_pair, sim};
use originpull::api::error::permissions::{ZONE_SETTINGS_EDIT, ZONE_SETTINGS_READ};
use originpull::api::{
    ApiError, CallNotice, CertStatus, Client, ClientConfig, Credentials, GlobalAop, NameFilter,
    SslMode, Zone, ZoneSettings,
};
use originpull::sim::{FaultKind, FaultRule, SimConfig, Simulator, ZoneSettingsAccess};

/// A fault that outlasts every retry, so the error itself comes back.
fn fault(path: &str, kind: FaultKind) -> FaultRule {
    FaultRule {
        method: None,
        path_contains: path.to_owned(),
        times: 10,
        kind,
    }
}

fn once(method: Option<&str>, path: &str, kind: FaultKind) -> FaultRule {
    FaultRule {
        method: method.map(str::to_owned),
        path_contains: path.to_owned(),
        times: 1,
        kind,
    }
}

/// A demo zone that starts with no certificates (the `site-` ones).
async fn bare_zone(client: &Client) -> Zone {
    client
        .list_zones(NameFilter::parse("starts_with:site-").as_ref())
        .await
        .unwrap()
        .remove(0)
}

#[tokio::test]
async fn lists_all_zones_in_pages_of_at_most_fifty() {
    let sim = sim(Some(120)).await;
    let client = client_for(&sim);
    let zones = client.list_zones(None).await.unwrap();
    assert_eq!(zones.len(), 120);
    let mut names: Vec<_> = zones.iter().map(|z| z.name.clone()).collect();
    names.dedup();
    assert_eq!(names.len(), 120, "no zone twice");

    let requests = sim.control().requests();
    assert_eq!(requests.len(), 3, "{requests:?}");
    for r in &requests {
        assert_eq!(
            (r.method.as_str(), r.path.as_str()),
            ("GET", "/client/v4/zones")
        );
        let query = r.query.as_deref().unwrap_or_default();
        let per_page: u32 = query
            .split('&')
            .find_map(|kv| kv.strip_prefix("per_page="))
            .and_then(|v| v.parse().ok())
            .expect("per_page sent");
        assert!((5..=50).contains(&per_page), "{query}");
    }
    sim.shutdown().await;
}

#[tokio::test]
async fn pages_after_the_first_are_fetched_concurrently() {
    let sim = sim(Some(500)).await;
    sim.control().set_latency(Duration::from_millis(100));
    let client = client_for(&sim);
    let started = Instant::now();
    let zones = client.list_zones(None).await.unwrap();
    let took = started.elapsed();
    assert_eq!(zones.len(), 500);
    // 10 pages: the first, then 9 with at most 8 at once, is 3 round trips; one after
    // another would be 10.
    assert!(took < Duration::from_millis(700), "took {took:?}");
    sim.shutdown().await;
}

#[tokio::test]
async fn zone_filter_and_resolution() {
    let sim = sim(None).await;
    let client = client_for(&sim);
    let shop = client
        .list_zones(NameFilter::parse("contains:shop").as_ref())
        .await
        .unwrap();
    assert!(!shop.is_empty());
    assert!(shop.iter().all(|z| z.name.contains("shop")));

    let zone = client.resolve_zone(&shop[0].name).await.unwrap();
    assert_eq!(zone.id, shop[0].id);
    let by_id = client.resolve_zone(&zone.id).await.unwrap();
    assert_eq!(by_id.name, zone.name);
    let err = client
        .resolve_zone("no-such-zone.example")
        .await
        .unwrap_err();
    assert!(matches!(err, ApiError::ZoneNotFound { .. }), "{err:?}");
    sim.shutdown().await;
}

#[tokio::test]
async fn token_verify() {
    let sim = sim(Some(5)).await;
    let info = client_for(&sim).verify_token().await.unwrap();
    assert_eq!(info.status, "active");
    sim.shutdown().await;
}

#[tokio::test]
async fn certificate_lifecycle_and_enablement() {
    let sim = sim(Some(60)).await;
    let control = sim.control();
    let client = client_for(&sim);
    let zone = bare_zone(&client).await;
    assert!(client.list_certificates(&zone.id).await.unwrap().is_empty());

    let (cert_pem, key_pem) = leaf_pair("origin.site-00050.example");
    control.clear_requests();
    let created = client
        .upload_certificate(&zone.id, &cert_pem, &key_pem.clone().into())
        .await
        .unwrap();
    assert_eq!(created.status, Some(CertStatus::PendingDeployment));
    let id = created.id.clone().unwrap();

    // Exactly the documented request: POST, JSON content type, both PEMs as given.
    let requests = control.requests();
    assert_eq!(requests.len(), 1);
    let post = &requests[0];
    assert_eq!(post.method, "POST");
    assert_eq!(
        post.path,
        format!("/client/v4/zones/{}/origin_tls_client_auth", zone.id)
    );
    assert_eq!(post.content_type.as_deref(), Some("application/json"));
    let body = post.body.as_ref().unwrap();
    assert_eq!(body["certificate"], cert_pem.as_str());
    assert_eq!(body["private_key"], key_hash(&key_pem).as_str());

    // The same certificate again is refused with Cloudflare's code.
    let dup = client
        .upload_certificate(&zone.id, &cert_pem, &key_pem.clone().into())
        .await
        .unwrap_err();
    assert!(dup.has_code(1406), "{dup}");
    assert_eq!(dup.status(), Some(400));

    // It turns active by itself.
    assert!(
        eventually(Duration::from_secs(5), || async {
            client.get_certificate(&zone.id, &id).await.unwrap().status == Some(CertStatus::Active)
        })
        .await
    );
    let listed = client.list_certificates(&zone.id).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].id.as_deref(), Some(id.as_str()));
    assert!(listed[0].expires_on.as_ref().unwrap().datetime().is_some());

    // Enablement, each way.
    assert!(!client.get_enablement(&zone.id).await.unwrap());
    control.clear_requests();
    assert!(client.set_enablement(&zone.id, true).await.unwrap());
    let put = &control.requests()[0];
    assert_eq!(put.method, "PUT");
    assert_eq!(put.content_type.as_deref(), Some("application/json"));
    assert_eq!(put.body, Some(serde_json::json!({"enabled": true})));
    assert!(client.get_enablement(&zone.id).await.unwrap());
    assert!(!client.set_enablement(&zone.id, false).await.unwrap());

    // Delete: no body, pending_deletion, then gone.
    control.clear_requests();
    let deleted = client.delete_certificate(&zone.id, &id).await.unwrap();
    assert_eq!(deleted.status, Some(CertStatus::PendingDeletion));
    let del = &control.requests()[0];
    assert_eq!(del.method, "DELETE");
    assert_eq!(del.body, None);
    assert_eq!(del.content_type, None);
    assert!(
        eventually(Duration::from_secs(5), || async {
            matches!(
                client.get_certificate(&zone.id, &id).await,
                Err(e) if e.status() == Some(404)
            )
        })
        .await
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn api_errors_keep_status_codes_and_messages() {
    let sim = sim(Some(5)).await;
    let client = client_for(&sim);
    let zone = &client.list_zones(None).await.unwrap()[0];

    let wrong = client_with(&sim.base_url(), "wrong-token", Duration::from_secs(5));
    let e = wrong.list_zones(None).await.unwrap_err();
    assert_eq!(e.status(), Some(403));
    assert!(e.has_code(10000), "{e}");
    assert!(!e.to_string().contains("wrong-token"));

    let e = client
        .get_certificate(&zone.id, "not a valid id!")
        .await
        .unwrap_err();
    assert!(e.has_code(7003), "{e}");
    let e = client
        .get_certificate(&zone.id, "00000000-0000-4000-8000-000000000000")
        .await
        .unwrap_err();
    assert_eq!(e.status(), Some(404), "{e}");
    let e = client
        .list_certificates("0123456789abcdef0123456789abcdef")
        .await
        .unwrap_err();
    assert!(e.has_code(7003), "{e}");
    assert!(e.hint().is_some());
    sim.shutdown().await;
}

#[tokio::test]
async fn faults_become_typed_errors() {
    let sim = sim(Some(5)).await;
    let control = sim.control();
    let client = client_with(&sim.base_url(), TOKEN, Duration::from_millis(800));
    let zone = client.list_zones(None).await.unwrap()[0].clone();
    let path = format!("/zones/{}/origin_tls_client_auth", zone.id);

    control.clear_faults();
    control.inject(fault(&path, FaultKind::Status(500)));
    let e = client.list_certificates(&zone.id).await.unwrap_err();
    assert!(matches!(e, ApiError::Api { status: 500, .. }), "{e:?}");

    control.clear_faults();
    control.inject(fault(&path, FaultKind::Html(502)));
    let e = client.list_certificates(&zone.id).await.unwrap_err();
    assert!(matches!(e, ApiError::Http { status: 502, .. }), "{e:?}");
    assert!(
        e.to_string().len() < 400,
        "a short excerpt, not the page: {e}"
    );

    control.clear_faults();
    control.inject(fault(&path, FaultKind::Malformed));
    let e = client.list_certificates(&zone.id).await.unwrap_err();
    assert!(matches!(e, ApiError::Decode { status: 200, .. }), "{e:?}");

    control.clear_faults();
    control.inject(fault(&path, FaultKind::SuccessFalse));
    let e = client.list_certificates(&zone.id).await.unwrap_err();
    assert!(matches!(e, ApiError::Api { status: 200, .. }), "{e:?}");

    control.clear_faults();
    control.inject(fault(
        &path,
        FaultKind::RateLimited {
            retry_after_secs: 1,
        },
    ));
    let e = client.list_certificates(&zone.id).await.unwrap_err();
    assert_eq!(e.status(), Some(429), "{e:?}");
    assert!(e.hint().unwrap().contains("rate limit"));

    control.clear_faults();
    control.inject(fault(&path, FaultKind::Oversized));
    let e = client.list_certificates(&zone.id).await.unwrap_err();
    assert!(matches!(e, ApiError::TooLarge { .. }), "{e:?}");

    control.clear_faults();
    control.inject(fault(&path, FaultKind::Hang));
    let started = Instant::now();
    let e = client.list_certificates(&zone.id).await.unwrap_err();
    assert!(matches!(e, ApiError::Timeout { .. }), "{e:?}");
    // Three tries of 0.8 s and two short backoffs: bounded, not a hang.
    assert!(
        started.elapsed() < Duration::from_secs(6),
        "{:?}",
        started.elapsed()
    );

    control.clear_faults();
    assert!(client.list_certificates(&zone.id).await.is_ok());

    let base = sim.base_url();
    sim.shutdown().await;
    let e = client_with(&base, TOKEN, Duration::from_secs(2))
        .list_zones(None)
        .await
        .unwrap_err();
    assert!(matches!(e, ApiError::Connect { .. }), "{e:?}");
}

#[tokio::test]
async fn idempotent_calls_retry_through_passing_faults() {
    let sim = sim(Some(5)).await;
    let control = sim.control();
    let client = client_with(&sim.base_url(), TOKEN, Duration::from_millis(800));
    let zone = client.list_zones(None).await.unwrap()[0].clone();
    let path = format!("/zones/{}/origin_tls_client_auth", zone.id);
    for kind in [
        FaultKind::Status(500),
        FaultKind::Status(503),
        FaultKind::Status(408),
        FaultKind::Html(502),
        FaultKind::Hang,
    ] {
        control.clear_requests();
        control.inject(once(None, &path, kind.clone()));
        assert!(
            client.list_certificates(&zone.id).await.is_ok(),
            "{kind:?} once is retried"
        );
        assert_eq!(control.requests().len(), 2, "{kind:?}: one retry");
    }
    // A PUT of a setting is idempotent too.
    control.inject(once(Some("PUT"), &path, FaultKind::Status(502)));
    assert!(client.set_enablement(&zone.id, true).await.unwrap());
    // A malformed body or success:false is an answer, not a hiccup: no retry.
    control.clear_requests();
    control.inject(once(None, &path, FaultKind::Malformed));
    assert!(client.list_certificates(&zone.id).await.is_err());
    assert_eq!(control.requests().len(), 1);
    sim.shutdown().await;
}

#[tokio::test]
async fn a_429_waits_out_retry_after_and_holds_every_other_call() {
    let sim = sim(Some(5)).await;
    let control = sim.control();
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let sink = seen.clone();
    let client = client_for(&sim).observe(std::sync::Arc::new(move |n| {
        sink.lock().unwrap().push(n.clone())
    }));
    let zone = client.list_zones(None).await.unwrap()[0].clone();
    let path = format!("/zones/{}/origin_tls_client_auth", zone.id);
    control.inject(once(
        None,
        &path,
        FaultKind::RateLimited {
            retry_after_secs: 1,
        },
    ));
    let started = Instant::now();
    let other = client.clone();
    let zone_id = zone.id.clone();
    let (listed, enabled) = tokio::join!(client.list_certificates(&zone.id), async move {
        // Sent just after the 429 came back: it must wait too.
        tokio::time::sleep(Duration::from_millis(200)).await;
        let t = Instant::now();
        let r = other.get_enablement(&zone_id).await;
        (r, t.elapsed())
    });
    assert!(listed.is_ok());
    assert!(started.elapsed() >= Duration::from_secs(1));
    assert!(enabled.0.is_ok());
    assert!(
        enabled.1 >= Duration::from_millis(600),
        "the other call waited out the pause too: {:?}",
        enabled.1
    );
    // The held call said why it waited; the one that got the 429 called it a retry.
    let seen = seen.lock().unwrap().clone();
    assert!(
        seen.iter().any(
            |n| matches!(n, CallNotice::RateLimited { wait, budget: None } if *wait >= Duration::from_millis(500))
        ),
        "{seen:?}"
    );
    assert!(
        seen.iter().any(|n| matches!(n, CallNotice::Retrying(_))),
        "{seen:?}"
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn an_upload_is_retried_only_when_provably_not_processed() {
    let sim = sim(Some(40)).await;
    let control = sim.control();
    let client = client_with(&sim.base_url(), TOKEN, Duration::from_millis(800));
    let zone = bare_zone(&client).await;
    let path = format!("/zones/{}/origin_tls_client_auth", zone.id);

    // A 500 may have been processed: not retried, the error comes back.
    let (cert, key) = leaf_pair("a.site.example");
    control.clear_requests();
    control.inject(once(Some("POST"), &path, FaultKind::Status(500)));
    let e = client
        .upload_certificate(&zone.id, &cert, &key.clone().into())
        .await
        .unwrap_err();
    assert_eq!(e.status(), Some(500));
    assert_eq!(control.requests().len(), 1);

    // A 429 was not processed: retried, and it succeeds.
    control.inject(once(
        Some("POST"),
        &path,
        FaultKind::RateLimited {
            retry_after_secs: 1,
        },
    ));
    assert!(
        client
            .upload_certificate(&zone.id, &cert, &key.into())
            .await
            .is_ok()
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn a_delete_whose_reply_was_lost_is_done_when_the_retry_finds_it_gone() {
    // Deletions complete at once, so the retry finds the certificate gone.
    let mut config = SimConfig::demo(TOKEN);
    config.zones = Some(40);
    config.delete_delay = Duration::ZERO;
    let sim = Simulator::start(config).await.unwrap();
    let control = sim.control();
    let client = client_with(&sim.base_url(), TOKEN, Duration::from_millis(800));
    let zone = bare_zone(&client).await;
    let (cert, key) = leaf_pair("b.site.example");
    let id = client
        .upload_certificate(&zone.id, &cert, &key.into())
        .await
        .unwrap()
        .id
        .unwrap();
    // The simulator deletes, then the reply is lost (a 502 from a proxy on the way).
    // The retry gets 404: that is success.
    let cert_path = format!("origin_tls_client_auth/{id}");
    control.clear_requests();
    control.inject(once(Some("DELETE"), &cert_path, FaultKind::ReplyLost(502)));
    let deleted = client.delete_certificate(&zone.id, &id).await.unwrap();
    assert_eq!(deleted.id.as_deref(), Some(id.as_str()));
    assert_eq!(
        deleted.status,
        Some(CertStatus::Deleted),
        "taken from the 404"
    );
    let deletes = control
        .requests()
        .iter()
        .filter(|r| r.method == "DELETE")
        .count();
    assert_eq!(
        deletes, 2,
        "the first try's reply was lost; the retry found it gone"
    );
    assert!(control.certificates(&zone.id).is_empty());
    sim.shutdown().await;
}

#[tokio::test]
async fn retries_are_reported_to_an_observer() {
    let sim = sim(Some(5)).await;
    let control = sim.control();
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let sink = seen.clone();
    let client = client_for(&sim).observe(std::sync::Arc::new(move |n| {
        sink.lock().unwrap().push(n.to_string())
    }));
    control.inject(once(None, "/zones", FaultKind::Status(503)));
    client.list_zones(None).await.unwrap();
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 1);
    assert!(
        seen[0].starts_with("retry 2/3 in") && seen[0].ends_with("HTTP 503"),
        "{seen:?}"
    );
}

#[test]
fn a_token_that_cannot_be_a_header_is_named_as_the_credentials_fault() {
    let token = "abc\u{7}def";
    let config = ClientConfig::new(
        "https://api.cloudflare.com/client/v4",
        Credentials::Token(token.to_owned().into()),
    );
    let Err(e) = Client::new(&config) else {
        panic!("a client with that token was built");
    };
    assert!(matches!(e, ApiError::BadCredentials), "{e:?}");
    let told = format!("{e} — {}", e.hint().unwrap());
    assert!(
        told.contains("credentials") && told.contains("stray character"),
        "{told}"
    );
    assert!(!told.contains("abc"), "{told}");
}

// ---- The global switch, zone settings and hostname certificates ----------------------

#[tokio::test]
async fn the_global_switch_is_read_and_set_with_one_patch() {
    let sim = sim(None).await;
    let control = sim.control();
    let client = client_for(&sim);
    let zone = control.zone_id("shop.example").unwrap();

    let global = client.get_global(&zone).await.unwrap();
    assert_eq!(
        global,
        GlobalAop {
            on: false,
            editable: Some(true),
            modified_on: None
        }
    );

    control.clear_requests();
    let set = client.set_global(&zone, true).await.unwrap();
    assert!(set.on);
    assert!(set.modified_on.as_ref().unwrap().datetime().is_some());
    let requests = control.requests();
    assert_eq!(requests.len(), 1, "{requests:?}");
    let patch = &requests[0];
    assert_eq!(patch.method, "PATCH");
    assert_eq!(
        patch.path,
        format!("/client/v4/zones/{zone}/settings/tls_client_auth")
    );
    assert_eq!(patch.content_type.as_deref(), Some("application/json"));
    assert_eq!(patch.body, Some(serde_json::json!({"value": "on"})));
    assert_eq!(client.get_global(&zone).await.unwrap(), set);
    assert_eq!(control.global(&zone), Some(set));

    let off = client.set_global(&zone, false).await.unwrap();
    assert!(!off.on);
    assert_eq!(
        control.requests().last().unwrap().body,
        Some(serde_json::json!({"value": "off"}))
    );

    // A switch the API may not change: Cloudflare's refusal, and nothing changed.
    let locked = control.zone_id("mail.example").unwrap();
    let before = client.get_global(&locked).await.unwrap();
    assert_eq!((before.on, before.editable), (true, Some(false)));
    let e = client.set_global(&locked, false).await.unwrap_err();
    assert!(matches!(e, ApiError::Api { status: 400, .. }), "{e:?}");
    assert!(e.has_code(1010), "{e}");
    assert!(e.to_string().contains("not editable"), "{e}");
    assert_eq!(client.get_global(&locked).await.unwrap(), before);
    sim.shutdown().await;
}

#[tokio::test]
async fn the_global_patch_is_retried_through_a_503_and_sends_the_same_body() {
    let sim = sim(None).await;
    let control = sim.control();
    let client = client_for(&sim);
    let zone = control.zone_id("shop-us.example").unwrap();
    control.clear_requests();
    control.inject(once(
        Some("PATCH"),
        "/settings/tls_client_auth",
        FaultKind::Status(503),
    ));
    let set = client.set_global(&zone, false).await.unwrap();
    assert!(!set.on);
    let requests = control.requests();
    assert_eq!(requests.len(), 2, "one retry: {requests:?}");
    for r in &requests {
        assert_eq!(r.method, "PATCH");
        assert_eq!(r.body, Some(serde_json::json!({"value": "off"})));
    }
    assert_eq!(control.global(&zone).map(|g| g.on), Some(false));

    // A refusal is an answer, not a hiccup: sent once.
    control.clear_requests();
    let locked = control.zone_id("mail.example").unwrap();
    assert!(client.set_global(&locked, false).await.is_err());
    assert_eq!(control.requests().len(), 1);
    sim.shutdown().await;
}

#[tokio::test]
async fn zone_settings_read_the_switch_and_the_ssl_mode_in_one_call() {
    let sim = sim(None).await;
    let control = sim.control();
    let client = client_for(&sim);
    for (name, on, editable, ssl) in [
        ("shop.example", false, true, SslMode::Strict),
        ("payments.example", true, true, SslMode::Flexible),
        ("intranet.example", true, true, SslMode::Off),
        ("mail.example", true, false, SslMode::Full),
        ("api-staging.example", false, true, SslMode::Full),
    ] {
        let zone = control.zone_id(name).unwrap();
        control.clear_requests();
        let settings = client.zone_settings(&zone).await.unwrap();
        assert_eq!(control.requests().len(), 1, "{name}: one call");
        let global = settings.global.expect(name);
        assert_eq!((global.on, global.editable), (on, Some(editable)), "{name}");
        assert_eq!(
            global.modified_on.is_some(),
            on,
            "{name}: on since some day"
        );
        assert_eq!(settings.ssl.as_ref(), Some(&ssl), "{name}");
        assert_eq!(
            ssl.voids_aop(),
            matches!(ssl, SslMode::Off | SslMode::Flexible)
        );
        assert_eq!(client.get_global(&zone).await.unwrap(), global, "{name}");
    }

    // A mode Cloudflare adds later is kept as it came.
    let zone = control.zone_id("www.example").unwrap();
    control.set_ssl_mode(&zone, SslMode::Unknown("strict_plus".into()));
    let settings = client.zone_settings(&zone).await.unwrap();
    assert_eq!(settings.ssl, Some(SslMode::Unknown("strict_plus".into())));
    assert!(!settings.ssl.unwrap().voids_aop());
    sim.shutdown().await;
}

/// A success envelope around `result`, as a fault the simulator answers with once.
fn reply(method: &str, path: &str, result: serde_json::Value) -> FaultRule {
    once(
        Some(method),
        path,
        FaultKind::Reply {
            status: 200,
            body: serde_json::json!({"success": true, "errors": [], "messages": [], "result": result}),
        },
    )
}

#[tokio::test]
async fn settings_decode_what_the_simulator_would_not_send() {
    let sim = sim(None).await;
    let control = sim.control();
    let client = client_for(&sim);
    let zone = control.zone_id("shop.example").unwrap();

    // No `ssl` in the array (and no `tls_client_auth`): both None, not an error.
    control.inject(reply(
        "GET",
        "/settings",
        serde_json::json!([
            {"id": "always_use_https", "value": "on", "editable": true, "modified_on": null},
            {"id": "min_tls_version", "value": "1.2", "editable": true, "modified_on": null}
        ]),
    ));
    assert_eq!(
        client.zone_settings(&zone).await.unwrap(),
        ZoneSettings::default()
    );
    control.inject(reply(
        "GET",
        "/settings",
        serde_json::json!([{"id": "tls_client_auth", "value": "on", "editable": true, "modified_on": null}]),
    ));
    let only_global = client.zone_settings(&zone).await.unwrap();
    assert_eq!(
        (only_global.global.map(|g| g.on), only_global.ssl),
        (Some(true), None)
    );
    control.inject(reply("GET", "/settings", serde_json::Value::Null));
    assert_eq!(
        client.zone_settings(&zone).await.unwrap(),
        ZoneSettings::default()
    );

    // A value that is neither on nor off is an error that names it, never a guess.
    let odd = serde_json::json!({"id": "tls_client_auth", "value": "auto", "editable": true, "modified_on": null});
    control.inject(reply("GET", "/settings/tls_client_auth", odd.clone()));
    let e = client.get_global(&zone).await.unwrap_err();
    assert!(matches!(e, ApiError::Decode { status: 200, .. }), "{e:?}");
    assert!(e.to_string().contains(r#""auto""#), "{e}");
    control.inject(reply("GET", "/settings", serde_json::json!([odd])));
    let e = client.zone_settings(&zone).await.unwrap_err();
    assert!(e.to_string().contains(r#""auto""#), "{e}");
    control.inject(reply(
        "PATCH",
        "/settings/tls_client_auth",
        serde_json::json!({"value": 1}),
    ));
    let e = client.set_global(&zone, true).await.unwrap_err();
    assert!(matches!(e, ApiError::Decode { .. }), "{e:?}");
    sim.shutdown().await;
}

#[tokio::test]
async fn a_403_on_the_settings_calls_names_the_missing_permission() {
    let sim = sim(None).await;
    let control = sim.control();
    let client = client_for(&sim);
    let zone = control.zone_id("shop.example").unwrap();
    let hint_for = |e: &ApiError, permission: &str| {
        let hint = e.hint().unwrap_or_default();
        assert!(hint.contains(permission), "{hint}");
        assert!(
            hint.contains("https://dash.cloudflare.com/profile/api-tokens"),
            "{hint}"
        );
    };

    control.set_zone_settings_access(ZoneSettingsAccess::NoAccess);
    for e in [
        client.get_global(&zone).await.unwrap_err(),
        client.zone_settings(&zone).await.unwrap_err(),
    ] {
        assert!(
            matches!(
                e,
                ApiError::MissingPermission {
                    permission: ZONE_SETTINGS_READ,
                    status: 403,
                    ..
                }
            ),
            "{e:?}"
        );
        let text = e.to_string();
        assert!(text.contains("Zone → Zone Settings → Read"), "{text}");
        assert!(
            text.contains("Cloudflare error 10000: Authentication error"),
            "{text}"
        );
        assert!(text.contains("HTTP 403"), "{text}");
        assert!(e.has_code(10000));
        hint_for(&e, "Zone → Zone Settings → Read");
    }
    // The other calls need other permissions and still work.
    assert!(client.list_certificates(&zone).await.is_ok());
    assert!(client.list_hostname_certificates(&zone).await.is_ok());

    // Read but not Edit: reading works, the PATCH names Edit.
    control.set_zone_settings_access(ZoneSettingsAccess::Read);
    assert!(client.get_global(&zone).await.is_ok());
    let e = client.set_global(&zone, true).await.unwrap_err();
    assert!(
        matches!(
            e,
            ApiError::MissingPermission {
                permission: ZONE_SETTINGS_EDIT,
                ..
            }
        ),
        "{e:?}"
    );
    assert!(e.to_string().contains("Zone → Zone Settings → Edit"), "{e}");
    hint_for(&e, "Zone → Zone Settings → Edit");
    assert_eq!(control.global(&zone).map(|g| g.on), Some(false));

    // A 403 elsewhere is not put down to Zone Settings.
    let wrong = client_with(&sim.base_url(), "wrong-token", Duration::from_secs(5));
    let e = wrong.list_hostname_certificates(&zone).await.unwrap_err();
    assert!(matches!(e, ApiError::Api { status: 403, .. }), "{e:?}");
    control.set_zone_settings_access(ZoneSettingsAccess::Edit);
    assert!(client.set_global(&zone, true).await.unwrap().on);
    sim.shutdown().await;
}

#[tokio::test]
async fn hostname_certificates_are_listed() {
    let sim = sim(None).await;
    let control = sim.control();
    let client = client_for(&sim);

    let app = control.zone_id("app.example").unwrap();
    let certs = client.list_hostname_certificates(&app).await.unwrap();
    assert_eq!(certs.len(), 1);
    assert_eq!(
        certs[0].id.as_deref(),
        Some("3cf564a0-8dea-4e00-8f3e-a823fd5f3743")
    );
    assert_eq!(certs[0].status, Some(CertStatus::Active));
    assert_eq!(certs, control.hostname_certificates(&app));
    let requests = control.requests();
    assert_eq!(
        requests.last().unwrap().path,
        format!("/client/v4/zones/{app}/origin_tls_client_auth/hostnames/certificates")
    );

    // None, and a null result, read as empty; zone-level certificates are not in it.
    let shop = control.zone_id("shop.example").unwrap();
    assert!(
        client
            .list_hostname_certificates(&shop)
            .await
            .unwrap()
            .is_empty()
    );
    control.inject(reply(
        "GET",
        "/hostnames/certificates",
        serde_json::Value::Null,
    ));
    assert!(
        client
            .list_hostname_certificates(&app)
            .await
            .unwrap()
            .is_empty()
    );

    // One added (as an upload will) is listed with the others, as it stands.
    let (pem, _) = leaf_pair("login.shop.example");
    let added = control
        .add_hostname_certificate(&shop, &pem, CertStatus::PendingDeployment)
        .unwrap();
    let listed = client.list_hostname_certificates(&shop).await.unwrap();
    assert_eq!(listed, [added]);
    assert_eq!(listed[0].status, Some(CertStatus::PendingDeployment));
    assert!(
        eventually(Duration::from_secs(5), || async {
            client.list_hostname_certificates(&shop).await.unwrap()[0].status
                == Some(CertStatus::Active)
        })
        .await
    );
    assert!(client.list_certificates(&shop).await.unwrap().len() == 1);

    // An unknown zone is Cloudflare's "could not route".
    let e = client
        .list_hostname_certificates("0123456789abcdef0123456789abcdef")
        .await
        .unwrap_err();
    assert!(e.has_code(7003), "{e}");
    sim.shutdown().await;
}

//! The simulator over loopback HTTP, driven with a plain HTTP client: envelope, auth,
//! zones, certificates, enablement, per-hostname AOP (hostname certificates and
//! associations), DNS records, faults, latency, request log and demo data.

mod common;

use std::time::{Duration, Instant};

use chrono::{DateTime, SubsecRound, Utc};
use originpull::api::{CertStatus, SslMode};
use originpull::certinfo;
use originpull::sim::{
    FaultKind, FaultRule, HostnameAssociation, RecordedRequest, SimConfig, Simulator,
    UnassociatedAnswer, ZoneSettingsAccess,
};
use rcgen::{
    BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, KeyUsagePurpose,
    SerialNumber,
};
use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, RETRY_AFTER};
use reqwest::{Method, RequestBuilder, StatusCode};
use serde_json::{Value, json};

use common::{TOKEN, eventually, key_hash, sim as start};

/// A thin HTTP client: the point is to see the wire, not a typed client's view of it.
struct Api {
    base: String,
    root: String,
    http: reqwest::Client,
}

impl Api {
    fn new(sim: &Simulator) -> Self {
        let base = sim.base_url();
        let root = base.trim_end_matches("/client/v4").to_owned();
        Self {
            base,
            root,
            http: reqwest::Client::new(),
        }
    }

    fn request(&self, method: Method, path: &str) -> RequestBuilder {
        self.http.request(method, format!("{}{path}", self.base))
    }

    fn authed(&self, method: Method, path: &str) -> RequestBuilder {
        self.request(method, path).bearer_auth(TOKEN)
    }

    async fn get(&self, path: &str) -> (StatusCode, Value) {
        send(self.authed(Method::GET, path)).await
    }

    async fn post(&self, path: &str, body: &Value) -> (StatusCode, Value) {
        send(self.authed(Method::POST, path).json(body)).await
    }

    async fn put(&self, path: &str, body: &Value) -> (StatusCode, Value) {
        send(self.authed(Method::PUT, path).json(body)).await
    }

    async fn delete(&self, path: &str) -> (StatusCode, Value) {
        send(self.authed(Method::DELETE, path)).await
    }

    async fn zones(&self, query: &str) -> (StatusCode, Value) {
        self.get(&format!("/zones?{query}")).await
    }

    async fn zone_names(&self, query: &str) -> Vec<String> {
        let (status, body) = self.zones(query).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body["result"]
            .as_array()
            .unwrap()
            .iter()
            .map(|z| z["name"].as_str().unwrap().to_owned())
            .collect()
    }

    async fn upload(&self, zone_id: &str, cert: &str, key: &str) -> (StatusCode, Value) {
        let body = json!({"certificate": cert, "private_key": key});
        self.post(&aop(zone_id, ""), &body).await
    }
}

async fn send(request: RequestBuilder) -> (StatusCode, Value) {
    let response = request.send().await.expect("request is answered");
    let status = response.status();
    let text = response.text().await.unwrap();
    let body = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"));
    (status, body)
}

fn aop(zone_id: &str, rest: &str) -> String {
    format!("/zones/{zone_id}/origin_tls_client_auth{rest}")
}

fn assert_success(body: &Value) {
    assert_eq!(body["success"], true, "{body}");
    assert_eq!(body["errors"], json!([]), "{body}");
    assert!(body["messages"].is_array(), "{body}");
    assert!(body.get("result").is_some(), "{body}");
}

/// The failure envelope exactly, and the codes of its errors.
fn failure_codes(body: &Value) -> Vec<i64> {
    let keys: Vec<&str> = body
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(keys.len(), 4, "only the four envelope fields: {body}");
    assert_eq!(body["success"], false, "{body}");
    assert_eq!(body["messages"], json!([]), "{body}");
    assert_eq!(body["result"], Value::Null, "{body}");
    let errors = body["errors"].as_array().unwrap();
    assert!(!errors.is_empty(), "{body}");
    errors
        .iter()
        .map(|e| {
            assert!(
                e["message"].as_str().is_some_and(|m| !m.is_empty()),
                "{body}"
            );
            e["code"].as_i64().unwrap()
        })
        .collect()
}

fn first_message(body: &Value) -> &str {
    body["errors"][0]["message"].as_str().unwrap()
}

/// A line of the key's base64: what must never come back.
fn key_body(pem: &str) -> &str {
    pem.lines().nth(1).unwrap()
}

struct TestCa {
    issuer: Issuer<'static, KeyPair>,
    cert_pem: String,
    key_pem: String,
}

fn test_ca() -> TestCa {
    let key = KeyPair::generate().unwrap();
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign];
    params
        .distinguished_name
        .push(DnType::CommonName, "Sim Test CA");
    let cert_pem = params.self_signed(&key).unwrap().pem();
    let key_pem = key.serialize_pem();
    TestCa {
        issuer: Issuer::new(params, key),
        cert_pem,
        key_pem,
    }
}

/// A leaf for `cn` with the given serial, and its key.
fn leaf(ca: &TestCa, cn: &str, serial: u128) -> (String, String) {
    let key = KeyPair::generate().unwrap();
    let mut params = CertificateParams::new(vec![cn.to_owned()]).unwrap();
    params.distinguished_name.push(DnType::CommonName, cn);
    params.serial_number = Some(SerialNumber::from_slice(&serial.to_be_bytes()));
    params.not_before = rcgen::date_time_ymd(2024, 1, 1);
    params.not_after = rcgen::date_time_ymd(2099, 1, 1);
    let cert = params.signed_by(&key, &ca.issuer).unwrap();
    (cert.pem(), key.serialize_pem())
}

#[tokio::test]
async fn token_verify_and_the_envelope_on_both_sides() {
    let sim = start(Some(5)).await;
    let api = Api::new(&sim);

    let (status, body) = api.get("/user/tokens/verify").await;
    assert_eq!(status, StatusCode::OK);
    assert_success(&body);
    assert_eq!(body["result"]["status"], "active");
    assert_eq!(body["result"]["id"].as_str().unwrap().len(), 32);
    assert_eq!(
        body["messages"],
        json!([{"code": 10000, "message": "This API Token is valid and active", "type": null}])
    );
    assert!(!body.to_string().contains(TOKEN));

    let (status, body) = send(
        api.request(Method::GET, "/user/tokens/verify")
            .bearer_auth("nope"),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(failure_codes(&body), [10000]);
    assert_eq!(first_message(&body), "Authentication error");
    sim.shutdown().await;
}

#[tokio::test]
async fn authentication_forms_and_failures() {
    let sim = start(Some(5)).await;
    let api = Api::new(&sim);
    let verify = |b: RequestBuilder| send(b);
    let get = || api.request(Method::GET, "/zones");

    let (status, body) = verify(get()).await;
    assert_eq!(
        (status, failure_codes(&body)),
        (StatusCode::FORBIDDEN, vec![10000])
    );

    let (status, body) = verify(get().bearer_auth("wrong")).await;
    assert_eq!(
        (status, failure_codes(&body)),
        (StatusCode::FORBIDDEN, vec![10000])
    );

    for malformed in ["Basic dXNlcjpwdw==", "Bearer", "Bearer   ", TOKEN] {
        let (status, body) = verify(get().header(AUTHORIZATION, malformed)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{malformed}");
        assert_eq!(failure_codes(&body), [6003]);
        assert_eq!(first_message(&body), "Invalid request headers");
        assert_eq!(
            body["errors"][0]["error_chain"],
            json!([{"code": 6111, "message": "Invalid format for Authorization header"}])
        );
    }

    let (status, _) = verify(get().header(AUTHORIZATION, format!("bearer {TOKEN}"))).await;
    assert_eq!(status, StatusCode::OK, "the scheme is case-insensitive");

    let global_key = |email: &str, key: &str| {
        get()
            .header("X-Auth-Email", email)
            .header("X-Auth-Key", key)
    };
    let (status, body) = verify(global_key("ops@example.test", TOKEN)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, _) = verify(global_key("ops@example.test", "wrong")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = verify(global_key("", TOKEN)).await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "an email is required with a key"
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn zones_come_in_pages_and_a_page_past_the_end_is_empty() {
    let sim = start(Some(120)).await;
    let api = Api::new(&sim);

    let mut seen = Vec::new();
    for (page, expected) in [(1, 50), (2, 50), (3, 20)] {
        let (status, body) = api.zones(&format!("page={page}&per_page=50")).await;
        assert_eq!(status, StatusCode::OK);
        assert_success(&body);
        assert_eq!(
            body["result_info"],
            json!({"page": page, "per_page": 50, "count": expected, "total_count": 120, "total_pages": 3})
        );
        let names = body["result"].as_array().unwrap();
        assert_eq!(names.len(), expected);
        seen.extend(names.iter().map(|z| z["name"].as_str().unwrap().to_owned()));
    }
    let mut sorted = seen.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted, seen, "every zone once, in name order");

    let (status, body) = api.zones("page=4&per_page=50").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["result"], json!([]));
    assert_eq!(body["result_info"]["count"], 0);
    assert_eq!(body["result_info"]["total_count"], 120);

    let (_, body) = api.zones("").await;
    assert_eq!(body["result_info"]["per_page"], 20, "the default page size");
    assert_eq!(body["result"].as_array().unwrap().len(), 20);
    sim.shutdown().await;
}

#[tokio::test]
async fn zones_refuse_page_sizes_outside_five_to_fifty() {
    let sim = start(Some(60)).await;
    let api = Api::new(&sim);
    for bad in [
        "per_page=4",
        "per_page=51",
        "per_page=0",
        "per_page=many",
        "page=0",
        "page=-1",
    ] {
        let (status, body) = api.zones(bad).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}");
        assert_eq!(failure_codes(&body), [1001], "{bad}");
        let param = bad.split('=').next().unwrap();
        assert!(first_message(&body).contains(param), "{body}");
    }
    for good in ["per_page=5", "per_page=50", "order=status&direction=desc"] {
        let (status, _) = api.zones(good).await;
        assert_eq!(status, StatusCode::OK, "{good}");
    }
    for bad in ["order=size", "direction=up"] {
        let (status, body) = api.zones(bad).await;
        assert_eq!(
            (status, failure_codes(&body)),
            (StatusCode::BAD_REQUEST, vec![1001])
        );
    }
    sim.shutdown().await;
}

#[tokio::test]
async fn zones_filter_by_name_status_and_account() {
    let sim = start(None).await;
    let api = Api::new(&sim);

    assert_eq!(api.zone_names("name=shop.example").await, ["shop.example"]);
    assert_eq!(api.zone_names("name=SHOP.Example").await, ["shop.example"]);
    assert_eq!(api.zone_names("name=shop").await, Vec::<String>::new());
    assert_eq!(
        api.zone_names("name=contains:shop").await,
        ["shop-eu.example", "shop-us.example", "shop.example"]
    );
    assert_eq!(
        api.zone_names("name=starts_with:API").await,
        ["api-staging.example", "api.example"]
    );
    assert_eq!(
        api.zone_names("name=ends_with:.test").await,
        [
            "acme-widgets.test",
            "brand-new.test",
            "example-labs.test",
            "launch.test"
        ]
    );
    assert_eq!(
        api.zone_names("status=pending").await,
        ["brand-new.test", "launch.test"]
    );

    let (_, body) = api.zones("per_page=50").await;
    assert_eq!(body["result_info"]["total_count"], 36);
    let account = body["result"][0]["account"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(body["result"][0]["account"]["name"], "Example Ltd");
    assert_eq!(
        api.zone_names(&format!("account.id={account}&per_page=50"))
            .await
            .len(),
        36
    );
    assert!(
        api.zone_names("account.id=0123456789abcdef0123456789abcdef")
            .await
            .is_empty()
    );
    assert_eq!(
        api.zone_names("account.name=contains:example&per_page=50")
            .await
            .len(),
        36
    );

    let desc = api.zone_names("order=name&direction=desc&per_page=5").await;
    assert_eq!(desc[0], "www.example");
    let by_status = api
        .zone_names("order=status&direction=desc&per_page=5")
        .await;
    assert_eq!(&by_status[..2], ["launch.test", "brand-new.test"]);
    assert_eq!(
        api.zone_names("name=shop.example&match=any&frobnicate=1")
            .await,
        ["shop.example"],
        "unknown parameters are ignored"
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn zone_objects_carry_the_schema_fields_and_stable_ids() {
    let sim = start(None).await;
    let api = Api::new(&sim);
    let (_, body) = api.zones("name=shop.example").await;
    let zone = &body["result"][0];
    let id = zone["id"].as_str().unwrap();
    assert!(originpull::api::is_zone_id(id), "{id}");
    for field in [
        "id",
        "name",
        "status",
        "paused",
        "type",
        "development_mode",
        "name_servers",
        "original_name_servers",
        "original_registrar",
        "original_dnshost",
        "created_on",
        "modified_on",
        "activated_on",
        "meta",
        "owner",
        "account",
        "plan",
        "permissions",
    ] {
        assert!(zone.get(field).is_some(), "{field} missing: {zone}");
    }
    assert_eq!(zone["status"], "active");
    assert_eq!(zone["type"], "full");
    assert_eq!(zone["plan"]["name"], "Free Website");
    assert_eq!(zone["owner"]["type"], "user");
    let created = zone["created_on"].as_str().unwrap();
    assert!(created.contains('.') && created.ends_with('Z'), "{created}");
    for time in ["created_on", "modified_on", "activated_on"] {
        let text = zone[time].as_str().unwrap();
        let parsed = DateTime::parse_from_rfc3339(text).unwrap();
        assert!(parsed < Utc::now(), "{time} {text}");
    }

    let (_, pending) = api.zones("name=launch.test").await;
    assert_eq!(pending["result"][0]["status"], "pending");
    assert_eq!(pending["result"][0]["activated_on"], Value::Null);

    let (status, one) = api.get(&format!("/zones/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(&one["result"], zone);

    // Ids come from names, so they survive a restart.
    let again = start(None).await;
    assert_eq!(again.control().zone_id("shop.example").as_deref(), Some(id));
    again.shutdown().await;
    sim.shutdown().await;
}

#[tokio::test]
async fn certificates_are_listed_and_fetched_and_bad_ids_do_not_route() {
    let sim = start(None).await;
    let control = sim.control();
    let api = Api::new(&sim);
    let zone = control.zone_id("shop.example").unwrap();

    let (status, body) = api.get(&aop(&zone, "")).await;
    assert_eq!(status, StatusCode::OK);
    assert_success(&body);
    let certs = body["result"].as_array().unwrap();
    assert_eq!(certs.len(), 1);
    assert_eq!(body["result_info"]["count"], 1);
    assert_eq!(body["result_info"]["total_count"], 1);
    assert_eq!(body["result_info"]["page"], 1);
    let cert = &certs[0];
    assert_eq!(cert["status"], "active");
    assert_eq!(cert["issuer"], "Example Origin CA");
    assert!(cert.get("private_key").is_none());
    let id = cert["id"].as_str().unwrap();

    let (status, one) = api.get(&aop(&zone, &format!("/{id}"))).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(&one["result"], cert);

    let (status, empty) = api
        .get(&aop(&control.zone_id("www.example").unwrap(), ""))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(empty["result"], json!([]));

    let (status, body) = api
        .get(&aop(&zone, "/2458ce5a-0c35-4c7f-82c7-8e9487d3ff60"))
        .await;
    assert_eq!(
        (status, failure_codes(&body)),
        (StatusCode::NOT_FOUND, vec![1404])
    );

    let not_routed = [
        aop(&zone, "/not-a-cert-id!"),
        aop(&zone, &format!("/{}", "a".repeat(37))),
        aop(&zone.to_uppercase(), ""),
        aop(&zone[..31], ""),
        aop("0123456789abcdef0123456789abcdef", ""),
        aop("0123456789abcdef0123456789abcdef", "/settings"),
        format!("/zones/{zone}/nothing_here"),
        "/zones/0123456789abcdef0123456789abcdef".to_owned(),
        "/no/such/route".to_owned(),
    ];
    for path in &not_routed {
        let (status, body) = api.get(path).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{path}");
        assert_eq!(failure_codes(&body), [7003, 7000], "{path}");
        assert!(
            first_message(&body).starts_with("Could not route to /"),
            "{body}"
        );
        assert!(first_message(&body).ends_with("perhaps your object identifier is invalid?"));
        assert_eq!(body["errors"][1]["message"], "No route for that URI");
    }

    let (status, body) = send(api.authed(Method::PATCH, &aop(&zone, ""))).await;
    assert_eq!(
        (status, failure_codes(&body)),
        (StatusCode::METHOD_NOT_ALLOWED, vec![7001])
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn an_upload_is_pending_then_active_and_a_duplicate_is_refused() {
    let sim = start(Some(40)).await;
    let control = sim.control();
    let api = Api::new(&sim);
    let zone = control.zone_id("site-00001.example").unwrap();
    let ca = test_ca();
    let serial = 0x0102_0304_0506_0708_090a_0b0c_0d0e_0f10_u128;
    let (cert, key) = leaf(&ca, "origin.site-00001.example", serial);

    let before = Utc::now();
    let (status, body) = api.upload(&zone, &cert, &key).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_success(&body);
    let created = &body["result"];
    assert_eq!(created["status"], "pending_deployment");
    assert_eq!(created["issuer"], "Sim Test CA");
    assert_eq!(created["signature"], "ECDSAWithSHA256");
    assert_eq!(
        created["serial_number"],
        serial.to_string(),
        "decimal, as the API gives it"
    );
    assert_eq!(created["expires_on"], "2099-01-01T00:00:00Z");
    assert_eq!(created["certificate"], cert.as_str());
    assert!(created.get("private_key").is_none());
    assert!(!body.to_string().contains(key_body(&key)));
    let uploaded = created["uploaded_on"].as_str().unwrap();
    let uploaded_at = DateTime::parse_from_rfc3339(uploaded).unwrap();
    assert!(
        uploaded_at >= before && uploaded_at <= Utc::now(),
        "{uploaded}"
    );
    let id = created["id"].as_str().unwrap().to_owned();
    let uuid = uuid::Uuid::try_parse(&id).unwrap_or_else(|e| panic!("{id}: {e}"));
    assert_eq!(
        (id.as_str(), uuid.get_version_num()),
        (uuid.hyphenated().to_string().as_str(), 4),
        "a random UUID in the live API's spelling"
    );

    let path = aop(&zone, &format!("/{id}"));
    assert!(
        eventually(Duration::from_secs(5), || async {
            api.get(&path).await.1["result"]["status"] == "active"
        })
        .await,
        "turns active after the deploy delay"
    );
    let truth = control.certificates(&zone);
    assert_eq!(truth.len(), 1);
    assert_eq!(truth[0].status, Some(CertStatus::Active));

    let (status, body) = api.upload(&zone, &cert, &key).await;
    assert_eq!(
        (status, failure_codes(&body)),
        (StatusCode::BAD_REQUEST, vec![1406])
    );
    assert_eq!(
        first_message(&body),
        "This certificate already exists for this zone."
    );

    // Another zone may hold the same certificate.
    let other = control.zone_id("site-00002.example").unwrap();
    assert_eq!(api.upload(&other, &cert, &key).await.0, StatusCode::OK);
    sim.shutdown().await;
}

#[tokio::test]
async fn bad_uploads_are_refused_with_their_own_codes() {
    let sim = start(Some(40)).await;
    let control = sim.control();
    let api = Api::new(&sim);
    let zone = control.zone_id("site-00003.example").unwrap();
    let ca = test_ca();
    let (cert, key) = leaf(&ca, "a.site-00003.example", 1);
    let (_, other_key) = leaf(&ca, "b.site-00003.example", 2);

    let upload_path = aop(&zone, "");
    let (api, upload_path) = (&api, &upload_path);
    let refused = |body: Value| async move { api.post(upload_path, &body).await };
    let check = |status: StatusCode, body: &Value, code: i64| {
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(failure_codes(body), [code], "{body}");
        for secret in [&key, &other_key] {
            assert!(
                !body.to_string().contains(key_body(secret)),
                "key echoed: {body}"
            );
        }
    };

    let (status, body) = refused(json!({"certificate": "not a pem", "private_key": key})).await;
    check(status, &body, 1002);
    assert!(
        first_message(&body).starts_with("The certificate is invalid: "),
        "{body}"
    );

    let (status, body) = refused(json!({"certificate": cert, "private_key": other_key})).await;
    check(status, &body, 2200);

    let (status, body) = refused(json!({"certificate": cert, "private_key": "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"})).await;
    check(status, &body, 2106);

    let (status, body) = refused(json!({"certificate": cert, "private_key": cert})).await;
    check(status, &body, 2106);

    let (status, body) =
        refused(json!({"certificate": ca.cert_pem, "private_key": ca.key_pem})).await;
    check(status, &body, 1002);
    assert_eq!(first_message(&body), "missing leaf certificate");

    for (body, field) in [
        (json!({"private_key": key}), "certificate"),
        (json!({"certificate": cert}), "private_key"),
        (json!({"certificate": 7, "private_key": key}), "certificate"),
        (
            json!({"certificate": cert, "private_key": null}),
            "private_key",
        ),
    ] {
        let (status, body) = refused(body).await;
        check(status, &body, 1001);
        assert!(first_message(&body).contains(field), "{body}");
    }
    let (status, body) = refused(json!([cert, key])).await;
    check(status, &body, 1001);

    let (status, body) = send(
        api.authed(Method::POST, &aop(&zone, ""))
            .header(CONTENT_TYPE, "application/json")
            .body("{\"certificate\": "),
    )
    .await;
    check(status, &body, 6007);
    assert!(first_message(&body).starts_with("Malformed JSON in request body"));

    let huge = "x".repeat(5 * 1024 * 1024);
    let (status, body) = refused(json!({"certificate": huge, "private_key": key})).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(failure_codes(&body), [1001]);

    assert!(control.certificates(&zone).is_empty(), "nothing was added");
    sim.shutdown().await;
}

#[tokio::test]
async fn a_delete_passes_through_pending_deletion_then_the_certificate_is_gone() {
    let sim = start(Some(40)).await;
    let control = sim.control();
    let api = Api::new(&sim);
    let zone = control.zone_id("site-00004.example").unwrap();
    let (cert, key) = leaf(&test_ca(), "origin.site-00004.example", 4);
    let (_, body) = api.upload(&zone, &cert, &key).await;
    let id = body["result"]["id"].as_str().unwrap().to_owned();
    let path = aop(&zone, &format!("/{id}"));

    let (status, body) = send(api.authed(Method::DELETE, &path)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["result"]["id"], id.as_str());
    assert_eq!(body["result"]["status"], "pending_deletion");
    let (_, again) = send(api.authed(Method::DELETE, &path)).await;
    assert_eq!(
        again["result"], body["result"],
        "deleting again returns it again"
    );
    let (_, listed) = api.get(&aop(&zone, "")).await;
    assert_eq!(listed["result"][0]["status"], "pending_deletion");

    assert!(
        eventually(Duration::from_secs(5), || async {
            api.get(&path).await.0 == StatusCode::NOT_FOUND
        })
        .await,
        "gone after the delete delay"
    );
    let (_, listed) = api.get(&aop(&zone, "")).await;
    assert_eq!(listed["result"], json!([]));
    assert!(control.certificates(&zone).is_empty());
    let (status, body) = send(api.authed(Method::DELETE, &path)).await;
    assert_eq!(
        (status, failure_codes(&body)),
        (StatusCode::NOT_FOUND, vec![1404])
    );

    // Once gone, the same certificate may be uploaded again.
    assert_eq!(api.upload(&zone, &cert, &key).await.0, StatusCode::OK);
    sim.shutdown().await;
}

#[tokio::test]
async fn enablement_is_read_and_set() {
    let sim = start(Some(40)).await;
    let control = sim.control();
    let api = Api::new(&sim);
    let zone = control.zone_id("site-00001.example").unwrap();
    let settings = aop(&zone, "/settings");

    let (status, body) = api.get(&settings).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["result"], json!({"enabled": false}));
    assert_eq!(control.enabled(&zone), Some(false));

    let put = |body: Value| send(api.authed(Method::PUT, &settings).json(&body));
    let (status, body) = put(json!({"enabled": true, "extra": "ignored"})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["result"], json!({"enabled": true}));
    assert_eq!(
        api.get(&settings).await.1["result"],
        json!({"enabled": true})
    );
    assert_eq!(control.enabled(&zone), Some(true));

    for bad in [json!({}), json!({"enabled": "yes"}), json!(true)] {
        let (status, body) = put(bad.clone()).await;
        assert_eq!(
            (status, failure_codes(&body)),
            (StatusCode::BAD_REQUEST, vec![1001]),
            "{bad}"
        );
    }
    let (status, body) = send(api.authed(Method::PUT, &settings).body("enabled=true")).await;
    assert_eq!(
        (status, failure_codes(&body)),
        (StatusCode::BAD_REQUEST, vec![6007])
    );
    assert_eq!(
        control.enabled(&zone),
        Some(true),
        "a refused change changes nothing"
    );
    assert_eq!(control.enabled("0123456789abcdef0123456789abcdef"), None);
    sim.shutdown().await;
}

/// The setting with this id in a `GET /zones/{id}/settings` answer.
fn setting<'a>(body: &'a Value, id: &str) -> &'a Value {
    body["result"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == id)
        .unwrap_or_else(|| panic!("no {id} in {body}"))
}

#[tokio::test]
async fn zone_settings_are_listed_with_the_global_switch_and_the_ssl_mode() {
    let sim = start(None).await;
    let control = sim.control();
    let api = Api::new(&sim);
    let zone = control.zone_id("payments.example").unwrap();
    let (status, body) = api.get(&format!("/zones/{zone}/settings")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_success(&body);
    let ids: Vec<&str> = body["result"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    for id in [
        "always_use_https",
        "min_tls_version",
        "ssl",
        "tls_1_3",
        "tls_client_auth",
    ] {
        assert!(ids.contains(&id), "{id} in {ids:?}");
    }
    let mut sorted = ids.clone();
    sorted.sort_unstable();
    assert_eq!(ids, sorted, "sorted by id");
    for item in body["result"].as_array().unwrap() {
        assert!(item["editable"].is_boolean(), "{item}");
        assert!(item.get("modified_on").is_some(), "{item}");
        assert!(item.get("value").is_some(), "{item}");
    }
    assert_eq!(setting(&body, "ssl")["value"], "flexible");
    let global = setting(&body, "tls_client_auth");
    assert_eq!(global["value"], "on");
    assert_eq!(global["editable"], true);
    assert!(global["modified_on"].is_string(), "{global}");
    assert_eq!(
        api.get(&format!("/zones/{zone}/settings/tls_client_auth"))
            .await
            .1["result"],
        *global
    );

    // The control handle changes what is served.
    control.set_ssl_mode(&zone, SslMode::Strict);
    control.set_global_editable(&zone, false);
    let (_, body) = api.get(&format!("/zones/{zone}/settings")).await;
    assert_eq!(setting(&body, "ssl")["value"], "strict");
    assert_eq!(setting(&body, "tls_client_auth")["editable"], false);
    assert!(!control.set_ssl_mode("0123456789abcdef0123456789abcdef", SslMode::Off));

    let (status, body) = api
        .get("/zones/0123456789abcdef0123456789abcdef/settings")
        .await;
    assert_eq!(
        (status, failure_codes(&body)),
        (StatusCode::BAD_REQUEST, vec![7003, 7000])
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn the_global_switch_is_patched_with_on_or_off_only_where_editable() {
    let sim = start(None).await;
    let control = sim.control();
    let api = Api::new(&sim);
    let zone = control.zone_id("shop.example").unwrap();
    let path = format!("/zones/{zone}/settings/tls_client_auth");
    let patch = |body: Value| send(api.authed(Method::PATCH, &path).json(&body));

    let (status, body) = api.get(&path).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        body["result"],
        json!({"id": "tls_client_auth", "value": "off", "editable": true, "modified_on": null})
    );

    let before = Utc::now();
    let (status, body) = patch(json!({"value": "on", "extra": "ignored"})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["result"]["value"], "on");
    let modified: DateTime<Utc> = body["result"]["modified_on"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        modified >= before.trunc_subsecs(6) && modified <= Utc::now(),
        "{modified}"
    );
    assert_eq!(api.get(&path).await.1["result"], body["result"]);
    assert_eq!(control.global(&zone).map(|g| g.on), Some(true));

    // The same value again changes nothing, `modified_on` included.
    let (_, again) = patch(json!({"value": "on"})).await;
    assert_eq!(again["result"], body["result"]);

    for bad in [
        json!({}),
        json!({"value": "yes"}),
        json!({"value": true}),
        json!({"value": "ON"}),
        json!({"value": null}),
        json!(["on"]),
    ] {
        let (status, body) = patch(bad.clone()).await;
        let codes = failure_codes(&body);
        if bad.is_object() {
            assert_eq!(
                (status, codes),
                (StatusCode::BAD_REQUEST, vec![1007]),
                "{bad}"
            );
            assert_eq!(
                first_message(&body),
                "Invalid value for zone setting tls_client_auth"
            );
        } else {
            assert_eq!(
                (status, codes),
                (StatusCode::BAD_REQUEST, vec![1001]),
                "{bad}"
            );
        }
    }
    let (status, body) = send(api.authed(Method::PATCH, &path).body("value=off")).await;
    assert_eq!(
        (status, failure_codes(&body)),
        (StatusCode::BAD_REQUEST, vec![6007])
    );
    assert_eq!(
        control.global(&zone).map(|g| g.on),
        Some(true),
        "refusals change nothing"
    );

    // Not editable: refused with a 400 (a 403 would read as a missing permission).
    let locked = control.zone_id("mail.example").unwrap();
    let locked_path = format!("/zones/{locked}/settings/tls_client_auth");
    for value in ["off", "on"] {
        let (status, body) = send(
            api.authed(Method::PATCH, &locked_path)
                .json(&json!({"value": value})),
        )
        .await;
        assert_eq!(
            (status, failure_codes(&body)),
            (StatusCode::BAD_REQUEST, vec![1010])
        );
        assert!(first_message(&body).contains("not editable"), "{body}");
    }
    assert_eq!(control.global(&locked).map(|g| g.on), Some(true));
    assert!(
        control.set_global(&locked, false),
        "the control handle is not refused"
    );
    assert_eq!(control.global(&locked).map(|g| g.on), Some(false));

    let (status, body) = send(api.authed(Method::PUT, &path).json(&json!({"value": "on"}))).await;
    assert_eq!(
        (status, failure_codes(&body)),
        (StatusCode::METHOD_NOT_ALLOWED, vec![7001])
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn without_zone_settings_permission_the_settings_answer_403() {
    let sim = start(None).await;
    let control = sim.control();
    let api = Api::new(&sim);
    let zone = control.zone_id("shop.example").unwrap();
    let global = format!("/zones/{zone}/settings/tls_client_auth");
    let all = format!("/zones/{zone}/settings");
    let patch = || {
        send(
            api.authed(Method::PATCH, &global)
                .json(&json!({"value": "on"})),
        )
    };
    let forbidden = |(status, body): (StatusCode, Value)| {
        assert_eq!(
            (status, failure_codes(&body)),
            (StatusCode::FORBIDDEN, vec![10000])
        );
        assert_eq!(first_message(&body), "Authentication error");
    };

    control.set_zone_settings_access(ZoneSettingsAccess::NoAccess);
    forbidden(api.get(&global).await);
    forbidden(api.get(&all).await);
    forbidden(patch().await);
    // SSL and Certificates calls are another permission.
    assert_eq!(api.get(&aop(&zone, "")).await.0, StatusCode::OK);
    assert_eq!(
        api.get(&aop(&zone, "/hostnames/certificates")).await.0,
        StatusCode::OK
    );

    control.set_zone_settings_access(ZoneSettingsAccess::Read);
    assert_eq!(api.get(&global).await.0, StatusCode::OK);
    assert_eq!(api.get(&all).await.0, StatusCode::OK);
    forbidden(patch().await);
    assert_eq!(control.global(&zone).map(|g| g.on), Some(false));

    // Over HTTP too, for tests that drive the binary.
    let response = api
        .http
        .post(format!("{}/__sim/permissions", api.root))
        .json(&json!({"zone_settings": "edit"}))
        .send()
        .await
        .unwrap();
    assert!(response.status().is_success());
    assert_eq!(patch().await.0, StatusCode::OK);
    let bad = api
        .http
        .post(format!("{}/__sim/permissions", api.root))
        .json(&json!({"zone_settings": "admin"}))
        .send()
        .await
        .unwrap();
    assert!(bad.status().is_client_error());
    sim.shutdown().await;
}

#[tokio::test]
async fn hostname_certificates_are_listed_and_added_by_the_control_handle() {
    let sim = start(None).await;
    let control = sim.control();
    let api = Api::new(&sim);
    let zone = control.zone_id("portal.example").unwrap();
    let path = aop(&zone, "/hostnames/certificates");

    let (status, body) = api.get(&path).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_success(&body);
    let listed = body["result"].as_array().unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["id"], "7658aef6-cc3a-41f6-8388-ac32880d5724");
    for field in [
        "certificate",
        "issuer",
        "signature",
        "serial_number",
        "expires_on",
        "uploaded_on",
        "status",
    ] {
        assert!(listed[0][field].is_string(), "{field}: {body}");
    }
    assert!(listed[0].get("private_key").is_none());
    assert_eq!(body["result_info"]["count"], 1);
    assert_eq!(body["result_info"]["total_count"], 1);
    assert_eq!(body["result_info"]["page"], 1);

    let ca = test_ca();
    let mut added = Vec::new();
    for (k, status) in [
        CertStatus::Active,
        CertStatus::PendingDeployment,
        CertStatus::PendingDeletion,
        CertStatus::DeploymentTimedOut,
    ]
    .into_iter()
    .enumerate()
    {
        let (pem, _) = leaf(&ca, &format!("h{k}.portal.example"), 100 + k as u128);
        let cert = control
            .add_hostname_certificate(&zone, &pem, status.clone())
            .unwrap();
        assert_eq!(cert.status, Some(status));
        assert!(uuid::Uuid::try_parse(cert.id.as_deref().unwrap()).is_ok());
        added.push(pem);
    }
    assert_eq!(control.hostname_certificates(&zone).len(), 5);
    let refused = control.add_hostname_certificate(&zone, &added[0], CertStatus::Active);
    assert!(refused.unwrap_err().contains("already"));
    assert!(
        control
            .add_hostname_certificate(&zone, "not a pem", CertStatus::Active)
            .is_err()
    );
    let (pem, _) = leaf(&ca, "x.portal.example", 200);
    assert!(
        control
            .add_hostname_certificate(&zone, &pem, CertStatus::Deleted)
            .is_err()
    );
    assert!(
        control
            .add_hostname_certificate("0123456789abcdef0123456789abcdef", &pem, CertStatus::Active)
            .is_err()
    );

    // They move on as uploads do: the pending deletion goes, the deployment lands.
    assert!(
        eventually(Duration::from_secs(5), || async {
            let statuses: Vec<CertStatus> = control
                .hostname_certificates(&zone)
                .into_iter()
                .map(|c| c.status.unwrap())
                .collect();
            statuses
                == [
                    CertStatus::Active,
                    CertStatus::Active,
                    CertStatus::Active,
                    CertStatus::DeploymentTimedOut,
                ]
        })
        .await
    );
    // At most 10 per zone.
    for k in 0..6 {
        let (pem, _) = leaf(&ca, &format!("f{k}.portal.example"), 300 + k as u128);
        control
            .add_hostname_certificate(&zone, &pem, CertStatus::Active)
            .unwrap();
    }
    let (pem, _) = leaf(&ca, "full.portal.example", 400);
    let full = control.add_hostname_certificate(&zone, &pem, CertStatus::Active);
    assert!(full.unwrap_err().contains("10"));
    assert_eq!(api.get(&path).await.1["result_info"]["count"], 10);
    // Zone-level certificates are another list.
    assert!(control.certificates(&zone).is_empty());

    let (status, body) = api
        .get(&aop(
            "0123456789abcdef0123456789abcdef",
            "/hostnames/certificates",
        ))
        .await;
    assert_eq!(
        (status, failure_codes(&body)),
        (StatusCode::BAD_REQUEST, vec![7003, 7000])
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn a_reply_fault_answers_exactly_what_it_holds() {
    let sim = start(Some(5)).await;
    let control = sim.control();
    let api = Api::new(&sim);
    let canned =
        json!({"success": true, "errors": [], "messages": [], "result": {"odd": [1, null]}});
    control.inject(rule(
        Some("GET"),
        "/zones",
        1,
        FaultKind::Reply {
            status: 202,
            body: canned.clone(),
        },
    ));
    assert_eq!(api.zones("").await, (StatusCode::ACCEPTED, canned));
    assert_eq!(api.zones("").await.0, StatusCode::OK, "once");
    sim.shutdown().await;
}

fn rule(method: Option<&str>, path: &str, times: u32, kind: FaultKind) -> FaultRule {
    FaultRule {
        method: method.map(str::to_owned),
        path_contains: path.to_owned(),
        times,
        kind,
    }
}

#[tokio::test]
async fn each_fault_kind_answers_as_documented() {
    let sim = start(Some(40)).await;
    let control = sim.control();
    let api = Api::new(&sim);
    let raw = |path: &str| api.authed(Method::GET, path).send();

    // Status: consumed `times` times, only for its method, before authentication.
    control.inject(rule(Some("get"), "/zones", 2, FaultKind::Status(503)));
    let (status, _) = send(api.authed(Method::POST, "/zones")).await;
    assert_eq!(
        status,
        StatusCode::METHOD_NOT_ALLOWED,
        "another method is not faulted"
    );
    for _ in 0..2 {
        let (status, body) = send(api.request(Method::GET, "/zones")).await;
        assert_eq!(
            (status, failure_codes(&body)),
            (StatusCode::SERVICE_UNAVAILABLE, vec![10001])
        );
    }
    assert_eq!(api.zones("").await.0, StatusCode::OK, "used up");

    control.inject(rule(None, "/zones", 1, FaultKind::Html(502)));
    let response = raw("/zones").await.unwrap();
    assert_eq!(response.status(), StatusCode::BAD_GATEWAY);
    assert!(
        response.headers()[CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    assert!(response.text().await.unwrap().contains("502 Bad Gateway"));

    control.inject(rule(None, "/zones", 1, FaultKind::Malformed));
    let response = raw("/zones").await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()[CONTENT_TYPE], "application/json");
    assert!(serde_json::from_str::<Value>(&response.text().await.unwrap()).is_err());

    control.inject(rule(None, "/zones", 1, FaultKind::SuccessFalse));
    let (status, body) = api.zones("").await;
    assert_eq!(
        (status, failure_codes(&body)),
        (StatusCode::OK, vec![10001])
    );

    control.inject(rule(
        None,
        "/zones",
        1,
        FaultKind::RateLimited {
            retry_after_secs: 7,
        },
    ));
    let response = raw("/zones").await.unwrap();
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(response.headers()[RETRY_AFTER], "7");
    let body: Value = response.json().await.unwrap();
    assert_eq!(failure_codes(&body), [971]);

    control.inject(rule(None, "/zones", 1, FaultKind::Oversized));
    let response = raw("/zones").await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let bytes = response.bytes().await.unwrap();
    assert!(bytes.len() > 11 * 1024 * 1024, "{}", bytes.len());
    let body: Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(body["success"], true);

    control.inject(rule(None, "/zones", 1, FaultKind::Hang));
    let started = Instant::now();
    let err = api
        .authed(Method::GET, "/zones")
        .timeout(Duration::from_millis(300))
        .send()
        .await
        .unwrap_err();
    assert!(err.is_timeout(), "{err}");
    assert!(started.elapsed() < Duration::from_secs(3));

    // The first matching rule wins; clear_faults drops the rest.
    control.inject(rule(None, "/zones", 1, FaultKind::Status(500)));
    control.inject(rule(None, "/zones", 1, FaultKind::Status(501)));
    assert_eq!(api.zones("").await.0, StatusCode::INTERNAL_SERVER_ERROR);
    control.clear_faults();
    assert_eq!(api.zones("").await.0, StatusCode::OK);
    sim.shutdown().await;
}

#[tokio::test]
async fn shutdown_ends_hanging_requests_and_closes_the_port() {
    let sim = start(Some(5)).await;
    let api = Api::new(&sim);
    sim.control().inject(rule(None, "", 1, FaultKind::Hang));
    let hanging = tokio::spawn(api.authed(Method::GET, "/zones").send());
    assert!(
        eventually(Duration::from_secs(5), || async {
            !sim.control().requests().is_empty()
        })
        .await
    );
    let started = Instant::now();
    sim.shutdown().await;
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    // The hanging request ends one way or another, but it ends.
    let _ = tokio::time::timeout(Duration::from_secs(2), hanging)
        .await
        .unwrap();
    let err = api.authed(Method::GET, "/zones").send().await.unwrap_err();
    assert!(err.is_connect(), "{err}");
}

#[tokio::test]
async fn latency_applies_globally_and_per_path() {
    let sim = start(Some(40)).await;
    let control = sim.control();
    let api = Api::new(&sim);
    let slow = control.zone_id("site-00001.example").unwrap();
    let fast = control.zone_id("site-00002.example").unwrap();

    control.add_latency_rule(&slow, Duration::from_millis(400));
    let timed = |path: String| {
        let api = &api;
        async move {
            let started = Instant::now();
            assert_eq!(api.get(&path).await.0, StatusCode::OK);
            started.elapsed()
        }
    };
    assert!(timed(aop(&slow, "")).await >= Duration::from_millis(400));
    assert!(timed(aop(&fast, "")).await < Duration::from_millis(400));

    control.set_latency(Duration::from_millis(250));
    assert!(timed(aop(&fast, "")).await >= Duration::from_millis(250));
    assert!(timed(aop(&slow, "")).await >= Duration::from_millis(650));
    control.clear_faults();
    let plain = timed(aop(&slow, "")).await;
    assert!(
        plain >= Duration::from_millis(250) && plain < Duration::from_millis(650),
        "{plain:?}"
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn requests_are_recorded_in_order_with_private_keys_hashed() {
    let sim = start(Some(40)).await;
    let control = sim.control();
    let api = Api::new(&sim);
    let zone = control.zone_id("site-00001.example").unwrap();
    let (cert, key) = leaf(&test_ca(), "origin.site-00001.example", 9);

    control.clear_requests();
    api.zones("page=1&per_page=5").await;
    api.upload(&zone, &cert, &key).await;
    send(api.request(Method::GET, "/user/tokens/verify")).await;

    let requests = control.requests();
    assert_eq!(requests.len(), 3, "{requests:?}");
    assert_eq!(
        requests[0],
        RecordedRequest {
            method: "GET".into(),
            path: "/client/v4/zones".into(),
            query: Some("page=1&per_page=5".into()),
            content_type: None,
            body: None,
            received_at: requests[0].received_at,
        }
    );
    assert!(
        requests
            .windows(2)
            .all(|w| w[0].received_at <= w[1].received_at)
    );
    let upload = &requests[1];
    assert_eq!(upload.method, "POST");
    assert_eq!(upload.path, format!("/client/v4{}", aop(&zone, "")));
    assert_eq!(upload.content_type.as_deref(), Some("application/json"));
    let body = upload.body.as_ref().unwrap();
    assert_eq!(body["certificate"], cert.as_str());
    assert_eq!(body["private_key"], key_hash(&key));
    assert_eq!(
        requests[2].path, "/client/v4/user/tokens/verify",
        "unauthenticated ones too"
    );

    let everything = serde_json::to_string(&requests).unwrap();
    assert!(!everything.contains(key_body(&key)));
    assert!(!everything.contains(TOKEN));

    control.clear_requests();
    assert!(control.requests().is_empty());
    sim.shutdown().await;
}

#[tokio::test]
async fn the_control_routes_work_over_http_and_are_not_recorded() {
    let sim = start(Some(40)).await;
    let api = Api::new(&sim);
    let admin = |method: Method, path: &str| {
        api.http
            .request(method, format!("{}/__sim/{path}", api.root))
    };

    let fault =
        json!({"method": "GET", "path_contains": "/zones", "times": 1, "kind": {"status": 502}});
    let response = admin(Method::POST, "faults")
        .json(&fault)
        .send()
        .await
        .unwrap();
    assert!(response.status().is_success());
    assert_eq!(api.zones("").await.0, StatusCode::BAD_GATEWAY);

    // Defaults: any method, any path, once.
    let hang = json!({"kind": "hang"});
    admin(Method::POST, "faults")
        .json(&hang)
        .send()
        .await
        .unwrap();
    let rate = json!({"kind": {"rate_limited": {"retry_after_secs": 3}}, "times": 5});
    admin(Method::POST, "faults")
        .json(&rate)
        .send()
        .await
        .unwrap();
    admin(Method::DELETE, "faults").send().await.unwrap();
    assert_eq!(api.zones("").await.0, StatusCode::OK);

    let latency = json!({"path_contains": "", "latency_ms": 300});
    admin(Method::POST, "latency")
        .json(&latency)
        .send()
        .await
        .unwrap();
    let started = Instant::now();
    api.zones("").await;
    assert!(started.elapsed() >= Duration::from_millis(300));
    let latency = json!({"path_contains": "", "latency_ms": 0});
    admin(Method::POST, "latency")
        .json(&latency)
        .send()
        .await
        .unwrap();

    let recorded: Vec<RecordedRequest> = admin(Method::GET, "requests")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(recorded.len(), 3, "only API requests: {recorded:?}");
    assert!(recorded.iter().all(|r| r.path == "/client/v4/zones"));
    admin(Method::DELETE, "requests").send().await.unwrap();
    assert!(sim.control().requests().is_empty());

    let bad = admin(Method::POST, "faults")
        .json(&json!({"kind": "explode"}))
        .send()
        .await
        .unwrap();
    assert!(bad.status().is_client_error());
    sim.shutdown().await;
}

/// What the demo must show, zone by zone: AOP enabled, and each certificate's status
/// with a range for its days left.
#[tokio::test]
async fn the_demo_account_has_every_interesting_state() {
    use CertStatus::{Active, DeploymentTimedOut, PendingDeletion, PendingDeployment};
    let sim = start(None).await;
    let control = sim.control();
    let api = Api::new(&sim);
    let now = Utc::now();
    type Expect = &'static [(CertStatus, std::ops::Range<i64>)];
    let expected: [(&str, bool, Expect); 10] = [
        ("shop.example", true, &[(Active, 85..92)]),
        (
            "shop-eu.example",
            true,
            &[(Active, 60..66), (Active, 355..365)],
        ),
        ("api.example", true, &[(Active, 0..14)]),
        ("legacy.example", true, &[(Active, -30..0)]),
        ("checkout.example", false, &[(PendingDeployment, 300..366)]),
        (
            "media.example",
            true,
            &[(PendingDeletion, 30..36), (Active, 300..366)],
        ),
        ("status.example", false, &[(DeploymentTimedOut, 300..366)]),
        ("blog.example", false, &[(Active, 14..30)]),
        ("docs.example", true, &[]),
        ("www.example", false, &[]),
    ];
    for (name, enabled, certs) in expected {
        let zone = control.zone_id(name).unwrap_or_else(|| panic!("{name}"));
        assert_eq!(control.enabled(&zone), Some(enabled), "{name}");
        let listed = control.certificates(&zone);
        let got: Vec<_> = listed.iter().map(|c| c.status.clone().unwrap()).collect();
        let want: Vec<_> = certs.iter().map(|(s, _)| s.clone()).collect();
        assert_eq!(got, want, "{name}");
        for (cert, (_, days)) in listed.iter().zip(certs.iter()) {
            // The PEM parses locally and agrees with the API fields.
            let pem = cert.certificate.as_deref().unwrap();
            let details = certinfo::parse_certificate(pem).unwrap();
            assert_eq!(cert.issuer.as_deref(), Some("Example Origin CA"));
            assert_eq!(
                details.issuer_common_name.as_deref(),
                Some("Example Origin CA")
            );
            assert_eq!(cert.signature.as_deref(), Some(details.signature.as_str()));
            assert_eq!(details.key, "ECDSA P-256");
            assert!(!details.is_ca);
            assert_eq!(details.sans, [format!("edge.{name}")]);
            assert_eq!(
                cert.expires_on.as_ref().unwrap().datetime(),
                Some(details.not_after)
            );
            let serial_hex = details.serial.replace(':', "");
            let serial = cert.serial_number.as_deref().unwrap();
            assert!(serial.bytes().all(|b| b.is_ascii_digit()), "{serial}");
            if serial_hex.len() <= 32 {
                assert_eq!(
                    serial,
                    u128::from_str_radix(&serial_hex, 16).unwrap().to_string()
                );
            }
            let left = details.days_left(now);
            assert!(
                days.contains(&left),
                "{name}: {left} days left, wanted {days:?}"
            );
            let uploaded = cert.uploaded_on.as_ref().unwrap().datetime().unwrap();
            assert!(uploaded >= details.not_before && uploaded <= now, "{name}");
        }
    }

    let (_, body) = api.zones("per_page=50").await;
    assert_eq!(body["result_info"]["total_count"], 36);
    assert_eq!(api.zone_names("status=pending").await.len(), 2);

    // The other levels: (zone, global on, editable, SSL mode, hostname certificates
    // with their days left). Every zone not named here: global off and editable,
    // SSL full or strict, no hostname certificate.
    type Hostnames = &'static [(&'static str, std::ops::Range<i64>)];
    let levels: [(&str, bool, bool, SslMode, Hostnames); 9] = [
        ("legacy.example", false, true, SslMode::Flexible, &[]),
        ("checkout.example", true, true, SslMode::Strict, &[]),
        ("shop-us.example", true, true, SslMode::Full, &[]),
        (
            "app.example",
            true,
            true,
            SslMode::Strict,
            &[("www.app.example", 300..366)],
        ),
        (
            "portal.example",
            false,
            true,
            SslMode::Full,
            &[("login.portal.example", 1..30)],
        ),
        (
            "partners.example",
            false,
            true,
            SslMode::Full,
            &[("api.partners.example", -30..0)],
        ),
        ("payments.example", true, true, SslMode::Flexible, &[]),
        ("intranet.example", true, true, SslMode::Off, &[]),
        ("mail.example", true, false, SslMode::Full, &[]),
    ];
    for (name, on, editable, ssl, hostnames) in &levels {
        let zone = control.zone_id(name).unwrap();
        let global = control.global(&zone).unwrap();
        assert_eq!(
            (global.on, global.editable),
            (*on, Some(*editable)),
            "{name}"
        );
        // A switch turned on was turned on some days ago; one never touched, never.
        let changed = global.modified_on.and_then(|t| t.datetime());
        assert_eq!(changed.is_some(), *on, "{name}");
        if let Some(changed) = changed {
            assert!((20..420).contains(&(now - changed).num_days()), "{name}");
        }
        assert_eq!(control.ssl_mode(&zone).as_ref(), Some(ssl), "{name}");
        let listed = control.hostname_certificates(&zone);
        assert_eq!(listed.len(), hostnames.len(), "{name}");
        for (cert, (host, days)) in listed.iter().zip(hostnames.iter()) {
            assert_eq!(cert.status, Some(Active), "{name}");
            let details =
                certinfo::parse_certificate(cert.certificate.as_deref().unwrap()).unwrap();
            assert_eq!(details.sans, [host.to_string()]);
            assert_eq!(cert.issuer.as_deref(), Some("Example Origin CA"));
            let left = details.days_left(now);
            assert!(
                days.contains(&left),
                "{name}: {left} days left, wanted {days:?}"
            );
            assert_eq!(
                cert.expires_on.as_ref().unwrap().datetime(),
                Some(details.not_after)
            );
        }
    }
    // Most zones are full or strict, and most have global AOP off.
    let all: Vec<String> = body["result"]
        .as_array()
        .unwrap()
        .iter()
        .map(|z| z["name"].as_str().unwrap().to_owned())
        .collect();
    let mut on = 0;
    let mut voided = 0;
    for name in &all {
        let zone = control.zone_id(name).unwrap();
        let ssl = control.ssl_mode(&zone).unwrap();
        let global = control.global(&zone).unwrap();
        on += usize::from(global.on);
        voided += usize::from(ssl.voids_aop());
        if !levels.iter().any(|(n, ..)| n == name) {
            assert!(!global.on && global.editable == Some(true), "{name}");
            assert!(matches!(ssl, SslMode::Full | SslMode::Strict), "{name}");
            assert!(control.hostname_certificates(&zone).is_empty(), "{name}");
        }
    }
    assert_eq!((on, voided), (6, 3));

    // Every zone without a listed expectation has no certificate and AOP off.
    let names: Vec<String> = body["result"]
        .as_array()
        .unwrap()
        .iter()
        .map(|z| z["name"].as_str().unwrap().to_owned())
        .collect();
    let plain: Vec<_> = names
        .iter()
        .filter(|n| !expected.iter().any(|(e, _, _)| e == n))
        .collect();
    assert!(plain.len() >= 20);
    for name in plain {
        let zone = control.zone_id(name).unwrap();
        assert!(control.certificates(&zone).is_empty(), "{name}");
        assert_eq!(control.enabled(&zone), Some(false), "{name}");
    }
    sim.shutdown().await;
}

#[tokio::test]
async fn generated_zones_have_global_off_ssl_full_and_no_hostname_certificates() {
    let sim = start(Some(60)).await;
    let control = sim.control();
    let api = Api::new(&sim);
    for name in ["site-00001.example", "site-00024.example"] {
        let zone = control.zone_id(name).unwrap();
        let global = control.global(&zone).unwrap();
        assert_eq!(
            (global.on, global.editable, global.modified_on),
            (false, Some(true), None)
        );
        assert_eq!(control.ssl_mode(&zone), Some(SslMode::Full));
        assert!(control.hostname_certificates(&zone).is_empty());
        let (status, body) = api.get(&format!("/zones/{zone}/settings")).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(setting(&body, "ssl")["value"], "full");
        assert_eq!(setting(&body, "tls_client_auth")["value"], "off");
    }
    sim.shutdown().await;
}

#[tokio::test]
async fn a_few_zones_are_the_first_demo_zones() {
    let sim = start(Some(3)).await;
    let api = Api::new(&sim);
    assert_eq!(
        api.zone_names("").await,
        ["api.example", "shop-eu.example", "shop.example"]
    );
    let zone = sim.control().zone_id("shop-eu.example").unwrap();
    assert_eq!(sim.control().certificates(&zone).len(), 2);
    sim.shutdown().await;
}

#[tokio::test]
async fn a_hundred_thousand_zones_start_fast_and_page_fast() {
    let started = Instant::now();
    let sim = start(Some(100_000)).await;
    let took = started.elapsed();
    assert!(took < Duration::from_secs(2), "start took {took:?}");
    let api = Api::new(&sim);

    let started = Instant::now();
    let (_, body) = api.zones("page=2000&per_page=50").await;
    assert_eq!(body["result_info"]["total_count"], 100_000);
    assert_eq!(body["result_info"]["total_pages"], 2000);
    assert_eq!(body["result"].as_array().unwrap().len(), 50);
    let last = sim.control().zone_id("site-99964.example").unwrap();
    assert_eq!(
        api.zone_names("name=site-99964.example").await,
        ["site-99964.example"]
    );
    assert_eq!(api.get(&aop(&last, "")).await.1["result"], json!([]));
    assert_eq!(
        api.zone_names("name=ends_with:99964.example").await.len(),
        1
    );
    let took = started.elapsed();
    assert!(took < Duration::from_secs(2), "queries took {took:?}");
    assert!(
        sim.control().zone_id("site-99965.example").is_none(),
        "exactly 100,000"
    );
    // Generated zones' DNS records are made from their names, not stored.
    let (status, body) = api
        .get(&format!("/zones/{last}/dns_records?proxied=true"))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let names: Vec<&str> = body["result"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "api.site-99964.example",
            "site-99964.example",
            "www.site-99964.example"
        ]
    );
    assert_eq!(sim.control().dns_record_count(&last, None), Some(6));
    sim.shutdown().await;

    let mut config = SimConfig::demo(TOKEN);
    config.zones = Some(originpull::sim::MAX_ZONES + 1);
    let err = Simulator::start(config).await.err().unwrap();
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
}

#[tokio::test]
async fn a_rate_limit_answers_429_past_its_window_until_there_is_room() {
    let mut config = SimConfig::demo(TOKEN);
    config.rate_limit = Some(originpull::sim::RateLimit {
        requests: 3,
        window: Duration::from_millis(600),
    });
    let sim = Simulator::start(config).await.unwrap();
    let api = Api::new(&sim);
    // Taken once the first answer is in, so it is no earlier than the server's admission
    // of that request: the window is measured from there.
    let mut first_answered = None;
    for _ in 0..3 {
        assert_eq!(api.zones("per_page=5").await.0, StatusCode::OK);
        first_answered.get_or_insert_with(Instant::now);
    }
    let started = first_answered.unwrap();
    let response = api.authed(Method::GET, "/zones").send().await.unwrap();
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(response.headers().contains_key(RETRY_AFTER));
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["errors"][0]["code"], 971);
    assert_eq!(sim.control().rate_limited(), 1);
    // Once the oldest request leaves the window, one more fits.
    tokio::time::sleep(Duration::from_millis(600).saturating_sub(started.elapsed())).await;
    assert_eq!(api.zones("per_page=5").await.0, StatusCode::OK);
    sim.shutdown().await;
}

// Per-hostname AOP.

/// Every field of an association object the API sends.
const ASSOCIATION_FIELDS: [&str; 14] = [
    "hostname",
    "cert_id",
    "enabled",
    "status",
    "cert_status",
    "cert_updated_at",
    "cert_uploaded_on",
    "created_at",
    "updated_at",
    "certificate",
    "issuer",
    "serial_number",
    "signature",
    "expires_on",
];

const INVALID_CERT_ID_MESSAGE: &str =
    "Certificate ID in request is either invalid or the certificate has been deleted";

/// A simulator like `start`'s whose deletions take long enough (1.5 s) for a test to
/// see `pending_deletion` without racing it on a busy machine.
async fn start_slow_deletes(zones: Option<usize>) -> Simulator {
    let mut config = SimConfig::demo(TOKEN);
    config.zones = zones;
    config.deploy_delay = Duration::from_millis(300);
    config.delete_delay = Duration::from_millis(1500);
    Simulator::start(config).await.expect("simulator starts")
}

/// `PUT .../hostnames` with this `config`.
async fn associate(api: &Api, zone: &str, config: Value) -> (StatusCode, Value) {
    api.put(&aop(zone, "/hostnames"), &json!({ "config": config }))
        .await
}

async fn upload_hostname_cert(api: &Api, zone: &str, cert: &str, key: &str) -> (StatusCode, Value) {
    let body = json!({"certificate": cert, "private_key": key});
    api.post(&aop(zone, "/hostnames/certificates"), &body).await
}

/// Uploads a fresh hostname certificate for `cn` and returns its id.
async fn new_hostname_cert(api: &Api, zone: &str, ca: &TestCa, cn: &str, serial: u128) -> String {
    let (cert, key) = leaf(ca, cn, serial);
    let (status, body) = upload_hostname_cert(api, zone, &cert, &key).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["result"]["id"].as_str().unwrap().to_owned()
}

/// `GET .../hostnames/{hostname}`.
async fn hostname(api: &Api, zone: &str, host: &str) -> (StatusCode, Value) {
    api.get(&aop(zone, &format!("/hostnames/{host}"))).await
}

fn time(value: &Value) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(value.as_str().unwrap_or_else(|| panic!("{value}")))
        .unwrap()
        .with_timezone(&Utc)
}

#[tokio::test]
async fn a_hostname_certificate_upload_is_pending_then_active_and_a_delete_removes_it() {
    let sim = start_slow_deletes(Some(50)).await;
    let control = sim.control();
    let api = Api::new(&sim);
    let zone = control.zone_id("site-00001.example").unwrap();
    let certs = aop(&zone, "/hostnames/certificates");
    let ca = test_ca();
    let (cert, key) = leaf(&ca, "www.site-00001.example", 77);

    let (status, body) = upload_hostname_cert(&api, &zone, &cert, &key).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_success(&body);
    let created = &body["result"];
    assert_eq!(created["status"], "pending_deployment");
    assert_eq!(created["issuer"], "Sim Test CA");
    assert_eq!(created["signature"], "ECDSAWithSHA256");
    assert_eq!(created["serial_number"], "77");
    assert_eq!(created["expires_on"], "2099-01-01T00:00:00Z");
    assert_eq!(created["certificate"], cert.as_str());
    assert!(created["uploaded_on"].is_string());
    assert!(created.get("private_key").is_none());
    assert!(!body.to_string().contains(key_body(&key)));
    let id = created["id"].as_str().unwrap().to_owned();
    assert_eq!(uuid::Uuid::try_parse(&id).unwrap().get_version_num(), 4);

    let one = format!("{certs}/{id}");
    let (status, fetched) = api.get(&one).await;
    assert_eq!(status, StatusCode::OK, "{fetched}");
    assert_eq!(fetched["result"]["id"], id.as_str());
    assert!(
        eventually(Duration::from_secs(5), || async {
            api.get(&one).await.1["result"]["status"] == "active"
        })
        .await,
        "turns active after the deploy delay"
    );
    let (_, listed) = api.get(&certs).await;
    assert_eq!(listed["result"].as_array().unwrap().len(), 1);
    assert_eq!(listed["result"][0]["status"], "active");
    assert!(
        control.certificates(&zone).is_empty(),
        "not a zone-level one"
    );

    let (status, body) = upload_hostname_cert(&api, &zone, &cert, &key).await;
    assert_eq!(
        (status, failure_codes(&body)),
        (StatusCode::BAD_REQUEST, vec![1406])
    );
    assert_eq!(
        first_message(&body),
        "This certificate already exists for this zone."
    );
    // The zone level is another list, which may hold the same certificate.
    let (status, body) = api.upload(&zone, &cert, &key).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let zone_level_id = body["result"]["id"].as_str().unwrap().to_owned();

    for unknown in ["2458ce5a-0c35-4c7f-82c7-8e9487d3ff60", &zone_level_id] {
        let path = format!("{certs}/{unknown}");
        for (status, body) in [api.get(&path).await, api.delete(&path).await] {
            assert_eq!(
                (status, failure_codes(&body)),
                (StatusCode::NOT_FOUND, vec![1404]),
                "{path}"
            );
        }
    }
    let (status, body) = api.get(&format!("{certs}/not-an-id!")).await;
    assert_eq!(
        (status, failure_codes(&body)),
        (StatusCode::BAD_REQUEST, vec![7003, 7000])
    );

    let (status, body) = api.delete(&one).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["result"]["id"], id.as_str());
    assert_eq!(body["result"]["status"], "pending_deletion");
    let (_, again) = api.delete(&one).await;
    assert_eq!(
        again["result"], body["result"],
        "deleting again returns it again"
    );
    assert_eq!(
        api.get(&certs).await.1["result"][0]["status"],
        "pending_deletion"
    );
    assert!(
        eventually(Duration::from_secs(5), || async {
            api.get(&one).await.0 == StatusCode::NOT_FOUND
        })
        .await,
        "gone after the delete delay"
    );
    assert_eq!(api.get(&certs).await.1["result"], json!([]));
    assert!(control.hostname_certificates(&zone).is_empty());
    let (status, body) = api.delete(&one).await;
    assert_eq!(
        (status, failure_codes(&body)),
        (StatusCode::NOT_FOUND, vec![1404])
    );
    // Once gone, the same certificate may be uploaded again, under a new id.
    let (status, body) = upload_hostname_cert(&api, &zone, &cert, &key).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_ne!(body["result"]["id"], id.as_str());
    sim.shutdown().await;
}

#[tokio::test]
async fn hostname_uploads_refuse_a_ca_with_1412_bad_input_and_an_eleventh_certificate() {
    let sim = start_slow_deletes(Some(50)).await;
    let control = sim.control();
    let api = Api::new(&sim);
    let zone = control.zone_id("site-00003.example").unwrap();
    let ca = test_ca();
    let (cert, key) = leaf(&ca, "a.site-00003.example", 1);
    let (_, other_key) = leaf(&ca, "b.site-00003.example", 2);

    let refused = [
        (
            json!({"certificate": ca.cert_pem, "private_key": ca.key_pem}),
            1412,
        ),
        (
            json!({"certificate": "not a pem", "private_key": key}),
            1002,
        ),
        (json!({"certificate": cert, "private_key": other_key}), 2200),
        (json!({"certificate": cert, "private_key": cert}), 2106),
        (json!({"certificate": cert}), 1001),
        (json!({"certificate": 7, "private_key": key}), 1001),
        (json!([cert, key]), 1001),
    ];
    for (body, code) in refused {
        let (status, answer) = api
            .post(&aop(&zone, "/hostnames/certificates"), &body)
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
        assert_eq!(failure_codes(&answer), [code], "{answer}");
        for secret in [&key, &other_key, &ca.key_pem] {
            assert!(!answer.to_string().contains(key_body(secret)), "{answer}");
        }
        if code == 1412 {
            assert_eq!(first_message(&answer), "Only leaf certificate is allowed.");
        }
    }
    assert!(control.hostname_certificates(&zone).is_empty());

    // Ten per zone; an eleventh is refused.
    let mut ids = Vec::new();
    for k in 0..10 {
        ids.push(
            new_hostname_cert(
                &api,
                &zone,
                &ca,
                &format!("h{k}.site-00003.example"),
                10 + k,
            )
            .await,
        );
    }
    let (eleventh, eleventh_key) = leaf(&ca, "h10.site-00003.example", 20);
    let (status, body) = upload_hostname_cert(&api, &zone, &eleventh, &eleventh_key).await;
    assert_eq!(
        (status, failure_codes(&body)),
        (StatusCode::BAD_REQUEST, vec![1413])
    );
    assert!(
        first_message(&body).contains("10 hostname certificates"),
        "{body}"
    );
    assert_eq!(control.hostname_certificates(&zone).len(), 10);
    // Another zone has its own ten.
    let other = control.zone_id("site-00004.example").unwrap();
    let (status, body) = upload_hostname_cert(&api, &other, &eleventh, &eleventh_key).await;
    assert_eq!(status, StatusCode::OK, "{body}");

    // One being deleted still counts; once it is gone there is room.
    let (status, _) = api
        .delete(&aop(&zone, &format!("/hostnames/certificates/{}", ids[0])))
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = upload_hostname_cert(&api, &zone, &eleventh, &eleventh_key).await;
    assert_eq!(
        (status, failure_codes(&body)),
        (StatusCode::BAD_REQUEST, vec![1413])
    );
    assert!(
        eventually(Duration::from_secs(5), || async {
            upload_hostname_cert(&api, &zone, &eleventh, &eleventh_key)
                .await
                .0
                == StatusCode::OK
        })
        .await
    );
    assert_eq!(control.hostname_certificates(&zone).len(), 10);
    sim.shutdown().await;
}

#[tokio::test]
async fn hostname_certificate_deployments_fail_where_told_and_so_do_their_associations() {
    let sim = start(Some(50)).await;
    let control = sim.control();
    let api = Api::new(&sim);
    let zone = control.zone_id("site-00002.example").unwrap();
    assert!(control.fail_deployments(&zone, true));
    let ca = test_ca();
    let id = new_hostname_cert(&api, &zone, &ca, "www.site-00002.example", 5).await;
    let (status, body) = associate(
        &api,
        &zone,
        json!([{"hostname": "www.site-00002.example", "cert_id": id, "enabled": true}]),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["result"][0]["status"], "pending_deployment");
    assert!(
        eventually(Duration::from_secs(5), || async {
            let (_, body) = hostname(&api, &zone, "www.site-00002.example").await;
            body["result"]["cert_status"] == "deployment_timed_out"
                && body["result"]["status"] == "deployment_timed_out"
        })
        .await
    );
    assert_eq!(
        control.hostname_certificates(&zone)[0].status,
        Some(CertStatus::DeploymentTimedOut)
    );
    // A certificate that timed out is still the zone's: hostnames may name it.
    let (status, body) = associate(
        &api,
        &zone,
        json!([{"hostname": "api.site-00002.example", "cert_id": id, "enabled": false}]),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    sim.shutdown().await;
}

#[tokio::test]
async fn an_association_is_enabled_disabled_and_removed_by_an_explicit_null() {
    let sim = start(Some(50)).await;
    let control = sim.control();
    let api = Api::new(&sim);
    let zone = control.zone_id("site-00005.example").unwrap();
    let ca = test_ca();
    let (cert, key) = leaf(&ca, "www.site-00005.example", 55);
    let (status, body) = upload_hostname_cert(&api, &zone, &cert, &key).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let id = body["result"]["id"].as_str().unwrap().to_owned();
    let host = "www.site-00005.example";

    let (status, body) = hostname(&api, &zone, host).await;
    assert_eq!(
        (status, failure_codes(&body)),
        (StatusCode::NOT_FOUND, vec![1416]),
        "never associated"
    );
    assert!(first_message(&body).contains(host), "{body}");

    // true: the certificate goes to the hostname.
    let before = Utc::now().trunc_subsecs(6);
    let (status, body) = associate(
        &api,
        &zone,
        json!([{"hostname": "WWW.Site-00005.example.", "cert_id": id, "enabled": true}]),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_success(&body);
    let result = body["result"].as_array().expect("an array");
    assert_eq!(result.len(), 1);
    let made = &result[0];
    for field in ASSOCIATION_FIELDS {
        assert!(
            made.get(field).is_some_and(|v| !v.is_null()),
            "{field}: {made}"
        );
    }
    assert!(made.get("private_key").is_none());
    assert!(!body.to_string().contains(key_body(&key)));
    assert_eq!(made["hostname"], host, "lower case, no trailing dot");
    assert_eq!(made["cert_id"], id.as_str());
    assert_eq!(made["enabled"], true);
    assert_eq!(made["status"], "pending_deployment");
    assert_eq!(made["certificate"], cert.as_str());
    assert_eq!(made["issuer"], "Sim Test CA");
    assert_eq!(made["serial_number"], "55");
    assert_eq!(made["signature"], "ECDSAWithSHA256");
    assert_eq!(made["expires_on"], "2099-01-01T00:00:00Z");
    let created_at = time(&made["created_at"]);
    assert_eq!(made["created_at"], made["updated_at"]);
    assert!(created_at >= before && created_at <= Utc::now(), "{made}");

    let (status, got) = hostname(&api, &zone, host).await;
    assert_eq!(status, StatusCode::OK, "{got}");
    assert_success(&got);
    assert_eq!(got["result"]["cert_id"], id.as_str());
    assert_eq!(got["result"]["enabled"], true);
    assert_eq!(
        got["result"]["created_at"], made["created_at"],
        "the same association"
    );
    let (status, upper) = hostname(&api, &zone, "WWW.SITE-00005.EXAMPLE").await;
    assert_eq!(
        status,
        StatusCode::OK,
        "hostnames match in any case: {upper}"
    );

    // Active once the change and the certificate are both deployed.
    assert!(
        eventually(Duration::from_secs(5), || async {
            let (_, body) = hostname(&api, &zone, host).await;
            body["result"]["status"] == "active" && body["result"]["cert_status"] == "active"
        })
        .await
    );
    let held = control.association(&zone, host).expect("held");
    assert_eq!(
        (held.cert_id.as_deref(), held.enabled, held.status.clone()),
        (Some(id.as_str()), Some(true), Some(CertStatus::Active))
    );
    let (_, got) = hostname(&api, &zone, host).await;
    assert_eq!(serde_json::to_value(&held).unwrap(), got["result"]);

    // The same again changes nothing: no new deployment, the same updated_at.
    let (_, same) = associate(
        &api,
        &zone,
        json!([{"hostname": host, "cert_id": id, "enabled": true}]),
    )
    .await;
    assert_eq!(same["result"][0]["status"], "active");
    assert_eq!(same["result"][0]["updated_at"], made["updated_at"]);

    // false: the association stays; no certificate goes to the hostname.
    let (status, body) = associate(
        &api,
        &zone,
        json!([{"hostname": host, "cert_id": id, "enabled": false}]),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let off = &body["result"][0];
    assert_eq!(off["enabled"], false);
    assert_eq!(off["cert_id"], id.as_str());
    assert_eq!(off["status"], "pending_deletion");
    assert_eq!(off["cert_status"], "active");
    assert_eq!(off["created_at"], made["created_at"]);
    assert!(
        time(&off["updated_at"]) > time(&made["updated_at"]),
        "{off}"
    );
    assert!(
        eventually(Duration::from_secs(5), || async {
            let (status, body) = hostname(&api, &zone, host).await;
            status == StatusCode::OK
                && body["result"]["enabled"] == false
                && body["result"]["status"] == "deleted"
        })
        .await,
        "kept, and nothing deployed for it"
    );
    assert_eq!(
        control.associations(&zone).get(host).map(|a| a.enabled),
        Some(Some(false))
    );

    // An explicit null removes it; cert_id may be left out.
    let (status, body) = associate(&api, &zone, json!([{"hostname": host, "enabled": null}])).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let gone = &body["result"][0];
    assert!(
        gone.get("enabled").is_some_and(Value::is_null),
        "enabled is sent, as null: {gone}"
    );
    assert_eq!(gone["hostname"], host);
    assert_eq!(gone["cert_id"], id.as_str());
    assert_eq!(gone["status"], "deleted");
    let (status, body) = hostname(&api, &zone, host).await;
    assert_eq!(
        (status, failure_codes(&body)),
        (StatusCode::NOT_FOUND, vec![1416])
    );
    assert!(control.associations(&zone).is_empty());
    assert!(control.association(&zone, host).is_none());

    // Removing what is not there is no error.
    let (status, body) = associate(&api, &zone, json!([{"hostname": host, "enabled": null}])).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        body["result"],
        json!([{"hostname": host, "enabled": null, "status": "deleted"}])
    );
    // The certificate itself is untouched.
    assert_eq!(
        control.hostname_certificates(&zone)[0].status,
        Some(CertStatus::Active)
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn one_put_changes_many_hostnames_and_answers_for_each_in_order() {
    let sim = start(Some(50)).await;
    let control = sim.control();
    let api = Api::new(&sim);
    let zone = control.zone_id("site-00010.example").unwrap();
    let ca = test_ca();
    let old = new_hostname_cert(&api, &zone, &ca, "old.site-00010.example", 1).await;
    let new = new_hostname_cert(&api, &zone, &ca, "new.site-00010.example", 2).await;
    let hosts = [
        "a.site-00010.example",
        "b.site-00010.example",
        "c.site-00010.example",
    ];
    let config: Vec<Value> = hosts
        .iter()
        .map(|h| json!({"hostname": h, "cert_id": old, "enabled": true}))
        .collect();
    assert_eq!(
        associate(&api, &zone, json!(config)).await.0,
        StatusCode::OK
    );

    // A rotation: every hostname moves to the new certificate at once; one is dropped.
    let (status, body) = associate(
        &api,
        &zone,
        json!([
            {"hostname": hosts[2], "cert_id": new, "enabled": true},
            {"hostname": hosts[0], "cert_id": new, "enabled": true},
            {"hostname": hosts[1], "cert_id": old, "enabled": null},
        ]),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let answered: Vec<(&str, &Value)> = body["result"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| (a["hostname"].as_str().unwrap(), &a["enabled"]))
        .collect();
    assert_eq!(
        answered,
        [
            (hosts[2], &json!(true)),
            (hosts[0], &json!(true)),
            (hosts[1], &Value::Null)
        ]
    );
    let held = control.associations(&zone);
    assert_eq!(
        held.iter()
            .map(|(h, a)| (h.as_str(), a.cert_id.as_deref().unwrap()))
            .collect::<Vec<_>>(),
        [(hosts[0], new.as_str()), (hosts[2], new.as_str())]
    );

    // An empty batch is a batch.
    let (status, body) = associate(&api, &zone, json!([])).await;
    assert_eq!((status, &body["result"]), (StatusCode::OK, &json!([])));
    sim.shutdown().await;
}

#[tokio::test]
async fn a_batch_naming_an_unusable_certificate_is_refused_with_1415_and_nothing_is_applied() {
    let sim = start(Some(50)).await;
    let control = sim.control();
    let api = Api::new(&sim);
    let zone = control.zone_id("site-00006.example").unwrap();
    let other = control.zone_id("site-00007.example").unwrap();
    let ca = test_ca();
    let id = new_hostname_cert(&api, &zone, &ca, "a.site-00006.example", 1).await;
    let elsewhere = new_hostname_cert(&api, &other, &ca, "a.site-00007.example", 2).await;
    let leaving = new_hostname_cert(&api, &zone, &ca, "b.site-00006.example", 3).await;
    let (cert, key) = leaf(&ca, "edge.site-00006.example", 4);
    let (_, body) = api.upload(&zone, &cert, &key).await;
    let zone_level = body["result"]["id"].as_str().unwrap().to_owned();
    let (status, _) = api
        .delete(&aop(&zone, &format!("/hostnames/certificates/{leaving}")))
        .await;
    assert_eq!(status, StatusCode::OK);

    let (status, _) = associate(
        &api,
        &zone,
        json!([{"hostname": "a.site-00006.example", "cert_id": id, "enabled": true}]),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let before = control.associations(&zone);

    for bad in [
        elsewhere.as_str(),
        zone_level.as_str(),
        leaving.as_str(),
        "2458ce5a-0c35-4c7f-82c7-8e9487d3ff60",
        "not-an-id",
        "",
    ] {
        let (status, body) = associate(
            &api,
            &zone,
            json!([
                {"hostname": "b.site-00006.example", "cert_id": id, "enabled": true},
                {"hostname": "a.site-00006.example", "enabled": null},
                {"hostname": "c.site-00006.example", "cert_id": bad, "enabled": false},
            ]),
        )
        .await;
        assert_eq!(
            (status, failure_codes(&body)),
            (StatusCode::BAD_REQUEST, vec![1415]),
            "{bad:?}: {body}"
        );
        assert_eq!(first_message(&body), INVALID_CERT_ID_MESSAGE);
        assert_eq!(
            control.associations(&zone),
            before,
            "{bad:?}: nothing applied"
        );
    }

    // Ids match in any case; the association keeps the zone's spelling.
    let (status, body) = associate(
        &api,
        &zone,
        json!([{"hostname": "b.site-00006.example", "cert_id": id.to_uppercase(), "enabled": true}]),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["result"][0]["cert_id"], id.as_str());
    sim.shutdown().await;
}

#[tokio::test]
async fn a_malformed_hostnames_batch_is_refused_and_nothing_is_applied() {
    let sim = start(Some(50)).await;
    let control = sim.control();
    let api = Api::new(&sim);
    let zone = control.zone_id("site-00011.example").unwrap();
    let id = new_hostname_cert(&api, &zone, &test_ca(), "a.site-00011.example", 1).await;
    let host = "a.site-00011.example";
    let path = aop(&zone, "/hostnames");

    let refused = [
        (json!({}), "config is required"),
        (
            json!({"config": {"hostname": host}}),
            "config must be an array",
        ),
        (json!({"config": "all"}), "config must be an array"),
        (json!([]), "JSON object"),
        (json!({"config": [1]}), "config[0] must be an object"),
        (
            json!({"config": [{"cert_id": id, "enabled": true}]}),
            "config[0].hostname is required",
        ),
        (
            json!({"config": [{"hostname": 7, "cert_id": id, "enabled": true}]}),
            "config[0].hostname",
        ),
        (
            json!({"config": [{"hostname": "not a host", "cert_id": id, "enabled": true}]}),
            "not a hostname",
        ),
        (
            json!({"config": [{"hostname": host, "cert_id": id}]}),
            "null to remove",
        ),
        (
            json!({"config": [{"hostname": host, "cert_id": id, "enabled": "yes"}]}),
            "config[0].enabled",
        ),
        (
            json!({"config": [{"hostname": host, "enabled": true}]}),
            "cert_id is required",
        ),
        (
            json!({"config": [{"hostname": host, "cert_id": null, "enabled": false}]}),
            "cert_id is required",
        ),
        (
            json!({"config": [{"hostname": host, "cert_id": 5, "enabled": true}]}),
            "cert_id must be a string",
        ),
        (
            json!({"config": [
                {"hostname": host, "cert_id": id, "enabled": true},
                {"hostname": "A.site-00011.example", "enabled": null},
            ]}),
            "config[1].hostname a.site-00011.example is named twice",
        ),
    ];
    for (body, says) in refused {
        let (status, answer) = api.put(&path, &body).await;
        assert_eq!(
            (status, failure_codes(&answer)),
            (StatusCode::BAD_REQUEST, vec![1001]),
            "{body}: {answer}"
        );
        let message = first_message(&answer);
        assert!(message.starts_with("Invalid request: "), "{message}");
        assert!(message.contains(says), "{body}: {message}");
        assert!(control.associations(&zone).is_empty(), "{body}");
    }
    let (status, body) = send(
        api.authed(Method::PUT, &path)
            .header(CONTENT_TYPE, "application/json")
            .body("{\"config\": ["),
    )
    .await;
    assert_eq!(
        (status, failure_codes(&body)),
        (StatusCode::BAD_REQUEST, vec![6007])
    );

    // The collection takes PUT only; a hostname's path GET only.
    let (status, body) = api.get(&path).await;
    assert_eq!(
        (status, failure_codes(&body)),
        (StatusCode::METHOD_NOT_ALLOWED, vec![7001])
    );
    let (status, _) = api.delete(&format!("{path}/{host}")).await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    let (status, body) = send(api.request(Method::PUT, &path).json(&json!({"config": []}))).await;
    assert_eq!(
        (status, failure_codes(&body)),
        (StatusCode::FORBIDDEN, vec![10000]),
        "authenticated like every call"
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn a_certificate_takes_at_most_100_associations() {
    let sim = start(Some(50)).await;
    let control = sim.control();
    let api = Api::new(&sim);
    let zone = control.zone_id("site-00008.example").unwrap();
    let ca = test_ca();
    let id = new_hostname_cert(&api, &zone, &ca, "a.site-00008.example", 1).await;
    let id2 = new_hostname_cert(&api, &zone, &ca, "b.site-00008.example", 2).await;
    let host = |k: usize| format!("h{k}.site-00008.example");

    // Enabled or not, they count.
    let config: Vec<Value> = (0..100)
        .map(|k| json!({"hostname": host(k), "cert_id": id, "enabled": k % 2 == 0}))
        .collect();
    let (status, body) = associate(&api, &zone, json!(config)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["result"].as_array().unwrap().len(), 100);
    assert_eq!(control.associations(&zone).len(), 100);

    let (status, body) = associate(
        &api,
        &zone,
        json!([
            {"hostname": "other.site-00008.example", "cert_id": id2, "enabled": true},
            {"hostname": host(100), "cert_id": id, "enabled": false},
        ]),
    )
    .await;
    assert_eq!(
        (status, failure_codes(&body)),
        (StatusCode::BAD_REQUEST, vec![1414])
    );
    let message = first_message(&body);
    assert!(
        message.contains(&id) && message.contains("at most 100"),
        "{message}"
    );
    let held = control.associations(&zone);
    assert_eq!(held.len(), 100, "nothing applied");
    assert!(!held.contains_key("other.site-00008.example"));

    // Room made in the same batch counts: one removed, one moved away.
    let (status, body) = associate(
        &api,
        &zone,
        json!([
            {"hostname": host(0), "enabled": null},
            {"hostname": host(1), "cert_id": id2, "enabled": true},
            {"hostname": host(100), "cert_id": id, "enabled": true},
            {"hostname": host(101), "cert_id": id, "enabled": true},
        ]),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let held = control.associations(&zone);
    assert_eq!(held.len(), 101);
    let on_first = held
        .values()
        .filter(|a| a.cert_id.as_deref() == Some(id.as_str()))
        .count();
    assert_eq!(on_first, 100);

    // Direct adds keep to the limit too.
    let refused = control.add_association(&zone, &host(102), &id, true);
    assert!(refused.unwrap_err().contains("100"));
    assert!(
        eventually(Duration::from_secs(5), || async {
            control
                .hostname_certificates(&zone)
                .iter()
                .all(|c| c.status == Some(CertStatus::Active))
        })
        .await
    );
    let added = control
        .add_association(&zone, &host(102), &id2, true)
        .unwrap();
    assert_eq!(
        (added.status, added.enabled),
        (Some(CertStatus::Active), Some(true)),
        "direct adds are deployed at once"
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn deleting_a_certificate_hostnames_use_is_allowed_and_their_associations_keep_pointing_at_it()
 {
    let sim = start_slow_deletes(Some(50)).await;
    let control = sim.control();
    let api = Api::new(&sim);
    let zone = control.zone_id("site-00009.example").unwrap();
    let ca = test_ca();
    let id = new_hostname_cert(&api, &zone, &ca, "www.site-00009.example", 1).await;
    let (www, app) = ("www.site-00009.example", "api.site-00009.example");
    let (status, _) = associate(
        &api,
        &zone,
        json!([
            {"hostname": www, "cert_id": id, "enabled": true},
            {"hostname": app, "cert_id": id, "enabled": false},
        ]),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        eventually(Duration::from_secs(5), || async {
            hostname(&api, &zone, www).await.1["result"]["status"] == "active"
        })
        .await
    );

    let cert_path = aop(&zone, &format!("/hostnames/certificates/{id}"));
    let (status, body) = api.delete(&cert_path).await;
    assert_eq!(status, StatusCode::OK, "the API allows it: {body}");
    assert_eq!(body["result"]["status"], "pending_deletion");
    let (_, body) = hostname(&api, &zone, www).await;
    let a = &body["result"];
    assert_eq!(
        (
            &a["cert_id"],
            &a["enabled"],
            &a["cert_status"],
            &a["status"]
        ),
        (
            &json!(id),
            &json!(true),
            &json!("pending_deletion"),
            &json!("pending_deletion")
        )
    );
    assert_eq!(
        hostname(&api, &zone, app).await.1["result"]["cert_status"],
        "pending_deletion"
    );
    // While it is being deleted, no hostname may be moved onto it.
    let (status, body) = associate(
        &api,
        &zone,
        json!([{"hostname": "new.site-00009.example", "cert_id": id, "enabled": true}]),
    )
    .await;
    assert_eq!(
        (status, failure_codes(&body)),
        (StatusCode::BAD_REQUEST, vec![1415])
    );

    assert!(
        eventually(Duration::from_secs(5), || async {
            api.get(&cert_path).await.0 == StatusCode::NOT_FOUND
        })
        .await
    );
    assert!(control.hostname_certificates(&zone).is_empty());
    let (status, body) = hostname(&api, &zone, www).await;
    assert_eq!(status, StatusCode::OK, "still associated: {body}");
    let a = &body["result"];
    assert_eq!(a["cert_id"], id.as_str());
    assert_eq!(a["cert_status"], "deleted");
    assert_eq!(a["status"], "deleted");
    assert_eq!(a["issuer"], "Sim Test CA", "the certificate is still shown");
    let held = control.associations(&zone);
    assert_eq!(held.len(), 2);
    assert!(
        held.values()
            .all(|a| a.cert_status == Some(CertStatus::Deleted))
    );
    let (status, body) = associate(
        &api,
        &zone,
        json!([{"hostname": www, "cert_id": id, "enabled": true}]),
    )
    .await;
    assert_eq!(
        (status, failure_codes(&body)),
        (StatusCode::BAD_REQUEST, vec![1415])
    );

    // Moving the hostname to a new certificate heals it; the other is removed with an
    // explicit null, the deleted certificate's id in hand.
    let id2 = new_hostname_cert(&api, &zone, &ca, "www2.site-00009.example", 2).await;
    let (status, body) = associate(
        &api,
        &zone,
        json!([
            {"hostname": www, "cert_id": id2, "enabled": true},
            {"hostname": app, "cert_id": id, "enabled": null},
        ]),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["result"][0]["cert_status"], "pending_deployment");
    assert_eq!(body["result"][1]["cert_status"], "deleted");
    assert_eq!(
        hostname(&api, &zone, www).await.1["result"]["cert_id"],
        id2.as_str()
    );
    assert_eq!(hostname(&api, &zone, app).await.0, StatusCode::NOT_FOUND);
    assert_eq!(control.associations(&zone).len(), 1);
    sim.shutdown().await;
}

#[tokio::test]
async fn a_hostname_without_an_association_answers_404_or_all_nulls_when_told() {
    let sim = start(None).await;
    let control = sim.control();
    let api = Api::new(&sim);
    let zone = control.zone_id("app.example").unwrap();
    let bare = "static.app.example";

    let (status, body) = hostname(&api, &zone, bare).await;
    assert_eq!(
        (status, failure_codes(&body)),
        (StatusCode::NOT_FOUND, vec![1416])
    );
    assert_eq!(
        first_message(&body),
        "Hostname static.app.example is not associated with a certificate"
    );

    // The other possibility the docs leave open.
    control.set_unassociated_answer(UnassociatedAnswer::NullFields);
    let (status, body) = hostname(&api, &zone, bare).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_success(&body);
    let result = body["result"].as_object().unwrap();
    assert_eq!(result.len(), ASSOCIATION_FIELDS.len());
    for field in ASSOCIATION_FIELDS {
        assert!(result[field].is_null(), "{field}: {body}");
    }
    let reread: HostnameAssociation = serde_json::from_value(body["result"].clone()).unwrap();
    assert_eq!(reread, HostnameAssociation::default());
    // An association still answers for itself.
    let (status, body) = hostname(&api, &zone, "www.app.example").await;
    assert_eq!(
        (status, &body["result"]["enabled"]),
        (StatusCode::OK, &json!(true))
    );

    // Over HTTP too.
    let response = api
        .http
        .post(format!("{}/__sim/hostnames", api.root))
        .json(&json!({"unassociated": "not_found"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert_eq!(hostname(&api, &zone, bare).await.0, StatusCode::NOT_FOUND);
    let response = api
        .http
        .post(format!("{}/__sim/hostnames", api.root))
        .json(&json!({"unassociated": "maybe"}))
        .send()
        .await
        .unwrap();
    assert!(response.status().is_client_error());

    // Any other answer, for a request or a few, is a `Reply` fault.
    let odd = json!({"success": true, "errors": [], "messages": [], "result": null});
    control.inject(rule(
        Some("GET"),
        &format!("/hostnames/{bare}"),
        1,
        FaultKind::Reply {
            status: 200,
            body: odd.clone(),
        },
    ));
    assert_eq!(hostname(&api, &zone, bare).await, (StatusCode::OK, odd));
    assert_eq!(hostname(&api, &zone, bare).await.0, StatusCode::NOT_FOUND);

    // Malformed hostnames and unknown zones do not route.
    for path in [
        aop(&zone, "/hostnames/a..app.example"),
        aop(&zone, "/hostnames/-x.app.example"),
        aop(&zone, "/hostnames/a%20b.app.example"),
        aop(
            "0123456789abcdef0123456789abcdef",
            "/hostnames/www.app.example",
        ),
        aop("0123456789abcdef0123456789abcdef", "/hostnames"),
    ] {
        let (status, body) = if path.ends_with("/hostnames") {
            api.put(&path, &json!({"config": []})).await
        } else {
            api.get(&path).await
        };
        assert_eq!(
            (status, failure_codes(&body)),
            (StatusCode::BAD_REQUEST, vec![7003, 7000]),
            "{path}"
        );
    }
    sim.shutdown().await;
}

#[tokio::test]
async fn dns_records_are_paged_and_filtered_by_proxied() {
    let sim = start(None).await;
    let control = sim.control();
    let api = Api::new(&sim);
    let zone = control.zone_id("app.example").unwrap();
    let path = format!("/zones/{zone}/dns_records");
    let names = |body: &Value| -> Vec<String> {
        body["result"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["name"].as_str().unwrap().to_owned())
            .collect()
    };

    let (status, all) = api.get(&path).await;
    assert_eq!(status, StatusCode::OK, "{all}");
    assert_success(&all);
    assert_eq!(
        all["result_info"],
        json!({"page": 1, "per_page": 100, "count": 7, "total_count": 7, "total_pages": 1})
    );
    let records = all["result"].as_array().unwrap();
    let now = Utc::now();
    let mut ids = Vec::new();
    for record in records {
        let id = record["id"].as_str().unwrap();
        assert!(
            id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit()),
            "{record}"
        );
        ids.push(id);
        assert_eq!(record["zone_id"], zone.as_str());
        assert_eq!(record["zone_name"], "app.example");
        for field in ["name", "type", "content"] {
            assert!(record[field].is_string(), "{field}: {record}");
        }
        assert!(record["proxied"].is_boolean(), "{record}");
        assert!(record["ttl"].is_u64(), "{record}");
        let (created, modified) = (time(&record["created_on"]), time(&record["modified_on"]));
        assert!(created <= modified && modified <= now, "{record}");
    }
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 7, "ids are distinct");
    let mut sorted = names(&all);
    sorted.sort();
    assert_eq!(names(&all), sorted, "listed by name");
    assert_eq!(api.get(&path).await.1, all, "the same on every request");

    let (_, proxied) = api.get(&format!("{path}?proxied=true")).await;
    assert_eq!(
        names(&proxied),
        [
            "api.app.example",
            "app.example",
            "static.app.example",
            "www.app.example"
        ]
    );
    assert!(
        proxied["result"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["proxied"] == true && r["ttl"] == 1)
    );
    let (_, plain) = api.get(&format!("{path}?proxied=false")).await;
    let kinds: Vec<&str> = plain["result"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["type"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["MX", "TXT", "A"], "apex MX and TXT, then mail");
    assert_eq!(control.dns_record_count(&zone, None), Some(7));
    assert_eq!(control.dns_record_count(&zone, Some(true)), Some(4));
    assert_eq!(control.dns_record_count(&zone, Some(false)), Some(3));

    // Pages.
    let (_, first) = api.get(&format!("{path}?per_page=5")).await;
    let (_, second) = api.get(&format!("{path}?per_page=5&page=2")).await;
    let (_, past) = api.get(&format!("{path}?per_page=5&page=3")).await;
    assert_eq!(
        (
            &first["result_info"]["count"],
            &second["result_info"]["count"],
            &past["result_info"]["count"]
        ),
        (&json!(5), &json!(2), &json!(0))
    );
    assert_eq!(first["result_info"]["total_pages"], 2);
    assert_eq!(past["result"], json!([]));
    assert_eq!(past["result_info"]["total_count"], 7);
    assert_eq!([names(&first), names(&second)].concat(), names(&all));

    for query in [
        "per_page=4",
        "per_page=5001",
        "per_page=x",
        "page=0",
        "proxied=yes",
    ] {
        let (status, body) = api.get(&format!("{path}?{query}")).await;
        assert_eq!(
            (status, failure_codes(&body)),
            (StatusCode::BAD_REQUEST, vec![1001]),
            "{query}"
        );
    }
    let (status, body) = api
        .get("/zones/0123456789abcdef0123456789abcdef/dns_records")
        .await;
    assert_eq!(
        (status, failure_codes(&body)),
        (StatusCode::BAD_REQUEST, vec![7003, 7000])
    );

    // Enough records for several pages at the default size.
    for k in 0..250 {
        assert!(control.add_dns_record(
            &zone,
            &format!("h{k:03}.app.example"),
            "A",
            "192.0.2.9",
            true
        ));
    }
    assert!(
        !control.add_dns_record(&zone, "h000.app.example", "A", "192.0.2.9", true),
        "a duplicate"
    );
    assert!(!control.add_dns_record(&zone, "not a name", "A", "192.0.2.9", true));
    assert!(!control.add_dns_record(
        "0123456789abcdef0123456789abcdef",
        "x.example",
        "A",
        "192.0.2.9",
        true
    ));
    assert_eq!(control.dns_record_count(&zone, Some(true)), Some(254));
    let mut seen = Vec::new();
    for page in 1..=3 {
        let (_, body) = api.get(&format!("{path}?proxied=true&page={page}")).await;
        assert_eq!(body["result_info"]["total_pages"], 3);
        assert_eq!(body["result_info"]["total_count"], 254);
        seen.extend(names(&body));
    }
    assert_eq!(seen.len(), 254);
    seen.dedup();
    assert_eq!(seen.len(), 254, "no record on two pages");
    let (_, everything) = api.get(&format!("{path}?per_page=5000")).await;
    assert_eq!(everything["result_info"]["count"], 257);
    let added = everything["result"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "h000.app.example")
        .unwrap();
    assert_eq!(added["created_on"], added["modified_on"]);
    assert!((Utc::now() - time(&added["created_on"])).num_seconds() < 60);
    sim.shutdown().await;
}

#[tokio::test]
async fn the_demo_account_has_associations_for_discovery_to_find() {
    let sim = start(None).await;
    let control = sim.control();
    let api = Api::new(&sim);
    let now = Utc::now();
    // (zone, [(hostname, enabled, status)]), each with the zone's one hostname
    // certificate; every other zone has none.
    type Expected = &'static [(&'static str, bool, &'static str)];
    let expected: [(&str, Expected); 3] = [
        (
            "app.example",
            &[
                ("api.app.example", false, "deleted"),
                ("www.app.example", true, "active"),
            ],
        ),
        (
            "partners.example",
            &[("api.partners.example", true, "active")],
        ),
        (
            "portal.example",
            &[("login.portal.example", true, "active")],
        ),
    ];
    for (name, hosts) in expected {
        let zone = control.zone_id(name).unwrap();
        let cert = control.hostname_certificates(&zone).remove(0);
        let held = control.associations(&zone);
        assert_eq!(
            held.keys().map(String::as_str).collect::<Vec<_>>(),
            hosts.iter().map(|(h, ..)| *h).collect::<Vec<_>>(),
            "{name}"
        );
        let (_, proxied) = api
            .get(&format!("/zones/{zone}/dns_records?proxied=true"))
            .await;
        let proxied: Vec<&str> = proxied["result"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["name"].as_str().unwrap())
            .collect();
        for (host, enabled, status) in hosts {
            assert!(
                proxied.contains(host),
                "{host} is a proxied record: {proxied:?}"
            );
            let (code, body) = hostname(&api, &zone, host).await;
            assert_eq!(code, StatusCode::OK, "{body}");
            let a = &body["result"];
            assert_eq!(a["cert_id"], cert.id.as_deref().unwrap(), "{host}");
            assert_eq!(a["enabled"], *enabled, "{host}");
            assert_eq!(a["status"], *status, "{host}");
            assert_eq!(a["cert_status"], "active", "{host}");
            assert_eq!(
                a["expires_on"],
                json!(cert.expires_on.as_ref().unwrap().raw())
            );
            let (created, updated) = (time(&a["created_at"]), time(&a["updated_at"]));
            assert!(created <= updated && updated < now, "{host}: {a}");
            assert!(time(&a["cert_uploaded_on"]) < created, "{host}: {a}");
        }
        // Discovery also meets proxied hostnames without an association.
        let bare: Vec<&&str> = proxied.iter().filter(|p| !held.contains_key(**p)).collect();
        assert!(!bare.is_empty(), "{name}");
        assert_eq!(
            hostname(&api, &zone, bare[0]).await.0,
            StatusCode::NOT_FOUND
        );
    }
    let (_, zones) = api.zones("per_page=50").await;
    for zone in zones["result"].as_array().unwrap() {
        let name = zone["name"].as_str().unwrap();
        if !expected.iter().any(|(n, _)| *n == name) {
            let id = zone["id"].as_str().unwrap();
            assert!(control.associations(id).is_empty(), "{name}");
            assert_eq!(control.dns_record_count(id, Some(true)), Some(3), "{name}");
        }
    }
    sim.shutdown().await;
}

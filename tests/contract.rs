//! The contract: what the simulator answers on every endpoint originpull uses, and what
//! the client sends, checked against Cloudflare's published OpenAPI schema.
//!
//! `tests/fixtures/cloudflare-openapi-aop.json` is a copy, without changes, of the
//! schema the project was given (Cloudflare's own, cut to these paths). It is OpenAPI
//! 3.0, whose schema objects are almost JSON Schema: [`translate`] turns them into
//! draft 2020-12 (`nullable` into a `null` type, `$ref`s into `$defs`) and the
//! `jsonschema` crate validates, formats (`date-time`) included.
//!
//! One known fault of the published schema is corrected, explicitly and only where it
//! applies (see [`CERTIFICATE_OBJECTS`] and [`ASSOCIATION_OBJECTS`]);
//! `GET /zones/{id}/settings`, which the schema does not have, is checked against the
//! schema's own setting objects (see [`Contract::check_settings_list`]), and
//! `GET /zones/{id}/dns_records`, which it does not have either, against its envelopes
//! alone (see [`Contract::check_dns_records`]).

mod common;

use std::collections::HashMap;
use std::sync::Mutex;

use jsonschema::Validator;
use jsonschema::error::ValidationErrorKind;
use originpull::api::{CertStatus, HostnameSetting};
use originpull::sim::{SimConfig, SimControl, Simulator, UnassociatedAnswer, ZoneSettingsAccess};
use reqwest::{Method, StatusCode};
use serde_json::{Map, Value, json};

use common::{TOKEN, client_for, leaf_pair, sim};

const FIXTURE: &str = include_str!("fixtures/cloudflare-openapi-aop.json");

/// The certificate objects whose `id` the published schema types as
/// `tls-certificates-and-hostnames_identifier`, a string of at most 32 characters (a
/// zone id's shape). The live API issues 36-character UUIDs
/// (`2458ce5a-0c35-4c7f-82c7-8e9487d3ff60`, the schema's own example for `cert_id`),
/// and so does the simulator. For these objects' `id`, and nothing else, the test
/// uses the schema's `tls-certificates-and-hostnames_cert_id` (at most 36) instead;
/// zone ids keep their 32.
const CERTIFICATE_OBJECTS: [&str; 4] = [
    "tls-certificates-and-hostnames_certificateObject",
    "tls-certificates-and-hostnames_schemas-certificateObject",
    "tls-certificates-and-hostnames_zone-authenticated-origin-pull",
    "tls-certificates-and-hostnames_hostname-authenticated-origin-pull",
];
/// The association objects (the answers of `PUT .../hostnames` and
/// `GET .../hostnames/{hostname}`), whose `cert_id` has the same fault: it names a
/// hostname certificate, a 36-character UUID, yet refers to the 32-character
/// identifier. The request's `cert_id` (`hostname_certid_input`) already refers to
/// `cert_id` and needs nothing. For these objects' `cert_id`, and nothing else, the
/// test uses `tls-certificates-and-hostnames_cert_id` too.
const ASSOCIATION_OBJECTS: [&str; 2] = [
    "tls-certificates-and-hostnames_hostname_certid_object",
    "tls-certificates-and-hostnames_hostname-authenticated-origin-pull",
];
const IDENTIFIER: &str = "#/$defs/tls-certificates-and-hostnames_identifier";
const CERT_ID: &str = "#/$defs/tls-certificates-and-hostnames_cert_id";

/// An OpenAPI 3.0 schema object as JSON Schema 2020-12. Only schema-valued keywords
/// are walked into, so data (`enum`, `default`, `example`) and property names are never
/// mistaken for schema.
fn translate(schema: &Value) -> Value {
    let Value::Object(map) = schema else {
        return schema.clone();
    };
    let each = |v: &Value| match v {
        Value::Array(items) => Value::Array(items.iter().map(translate).collect()),
        other => translate(other),
    };
    let mut out = Map::new();
    for (key, value) in map {
        let value = match key.as_str() {
            "$ref" => Value::String(
                value
                    .as_str()
                    .expect("a $ref is a string")
                    .replace("#/components/schemas/", "#/$defs/"),
            ),
            "properties" => Value::Object(
                value
                    .as_object()
                    .expect("properties is an object")
                    .iter()
                    .map(|(name, s)| (name.clone(), translate(s)))
                    .collect(),
            ),
            "items" | "not" | "additionalProperties" | "allOf" | "anyOf" | "oneOf" => each(value),
            // OpenAPI's, handled below; and an annotation JSON Schema spells `examples`.
            "nullable" | "example" => continue,
            _ => value.clone(),
        };
        out.insert(key.clone(), value);
    }
    if map.get("nullable") == Some(&Value::Bool(true)) {
        if let Some(Value::String(t)) = out.get("type").cloned() {
            out.insert("type".into(), json!([t, "null"]));
        }
        if let Some(Value::Array(values)) = out.get_mut("enum")
            && !values.contains(&Value::Null)
        {
            values.push(Value::Null);
        }
    }
    Value::Object(out)
}

struct Contract {
    doc: Value,
    /// `components.schemas`, translated, as `$defs`.
    defs: Map<String, Value>,
    validators: Mutex<HashMap<String, std::sync::Arc<Validator>>>,
    checked: Mutex<Vec<String>>,
}

impl Contract {
    /// The schema as published, with the certificate id fault corrected.
    fn load() -> Self {
        let mut contract = Self::published();
        let objects = CERTIFICATE_OBJECTS
            .iter()
            .map(|name| (*name, "id"))
            .chain(ASSOCIATION_OBJECTS.iter().map(|name| (*name, "cert_id")));
        for (name, field) in objects {
            let id = &mut contract.defs[name]["properties"][field];
            assert_eq!(
                id["$ref"], IDENTIFIER,
                "{name}.{field} no longer refers to the 32-character identifier: the fault may be fixed"
            );
            *id = json!({"$ref": CERT_ID});
        }
        contract
    }

    /// The schema exactly as published.
    fn published() -> Self {
        let doc: Value = serde_json::from_str(FIXTURE).expect("the fixture is JSON");
        assert_eq!(doc["openapi"], "3.0.3");
        let defs = doc["components"]["schemas"]
            .as_object()
            .expect("components.schemas")
            .iter()
            .map(|(name, s)| (name.clone(), translate(s)))
            .collect();
        Self {
            doc,
            defs,
            validators: Mutex::default(),
            checked: Mutex::default(),
        }
    }

    /// A validator for an OpenAPI schema object found at `key` (cached by it).
    fn validator(&self, key: &str, schema: &Value) -> std::sync::Arc<Validator> {
        let mut cache = self.validators.lock().unwrap();
        cache
            .entry(key.to_owned())
            .or_insert_with(|| {
                let document = json!({
                    "$schema": "https://json-schema.org/draft/2020-12/schema",
                    "$defs": self.defs,
                    "allOf": [translate(schema)],
                });
                std::sync::Arc::new(
                    jsonschema::draft202012::options()
                        .should_validate_formats(true)
                        .build(&document)
                        .unwrap_or_else(|e| panic!("{key}: the schema compiles: {e}")),
                )
            })
            .clone()
    }

    fn operation(&self, template: &str, method: &Method) -> &Value {
        let op = &self.doc["paths"][template][method.as_str().to_ascii_lowercase()];
        assert!(op.is_object(), "{method} {template} is not in the schema");
        op
    }

    /// The errors of a response body against the schema for its path, method and status.
    fn errors(
        &self,
        template: &str,
        method: &Method,
        status: StatusCode,
        body: &Value,
    ) -> Vec<String> {
        let responses = &self.operation(template, method)["responses"];
        let key = if status.is_client_error() {
            "4XX".to_owned()
        } else {
            status.as_str().to_owned()
        };
        let schema = &responses[&key]["content"]["application/json"]["schema"];
        assert!(
            schema.is_object(),
            "{method} {template}: the schema has no {key} response, got {body}"
        );
        let validator = self.validator(&format!("{method} {template} {key}"), schema);
        validator
            .iter_errors(body)
            .map(|e| format!("{} at {:?}", e, e.instance_path().to_string()))
            .collect()
    }

    /// Asserts that the response validates, and counts it.
    fn check(&self, template: &str, method: Method, (status, body): (StatusCode, Value)) -> Value {
        let errors = self.errors(template, &method, status, &body);
        assert!(
            errors.is_empty(),
            "{method} {template} ({status}) does not match the schema:\n  {}\nbody: {body}",
            errors.join("\n  ")
        );
        self.checked
            .lock()
            .unwrap()
            .push(format!("{method} {template} {status}"));
        body
    }

    /// Asserts that a request body the client sent validates against the operation's
    /// `requestBody` schema.
    fn check_request(&self, template: &str, method: &Method, body: &Value) {
        let schema = &self.operation(template, method)["requestBody"]["content"]["application/json"]
            ["schema"];
        let validator = self.validator(&format!("{method} {template} request"), schema);
        let errors: Vec<String> = validator.iter_errors(body).map(|e| e.to_string()).collect();
        assert!(
            errors.is_empty(),
            "{method} {template} request {body}: {errors:?}"
        );
        self.checked
            .lock()
            .unwrap()
            .push(format!("request {method} {template}"));
    }

    /// `GET /zones/{zone_id}/settings` is not in the schema. Its envelope is checked
    /// against the zones family's common envelope; every element of its array against
    /// `zones_base`, the schema's shape of any zone setting (`id`, `value`, `editable`,
    /// `modified_on`); and the element whose id is `tls_client_auth`, and only that one,
    /// against `zones_tls_client_auth`, the schema of `GET .../settings/tls_client_auth`.
    fn check_settings_list(&self, (status, body): (StatusCode, Value)) -> Value {
        assert_eq!(status, StatusCode::OK, "{body}");
        let mut errors = Vec::new();
        let mut against = |name: &str, instance: &Value| {
            let schema = json!({"$ref": format!("#/components/schemas/{name}")});
            let validator = self.validator(name, &schema);
            errors.extend(
                validator
                    .iter_errors(instance)
                    .map(|e| format!("{name}: {e}")),
            );
        };
        against("zones_api-response-common", &body);
        let items = body["result"].as_array().expect("result is an array");
        for item in items {
            against("zones_base", item);
            if item["id"] == "tls_client_auth" {
                against("zones_tls_client_auth", item);
            }
        }
        assert!(
            errors.is_empty(),
            "GET /zones/{{id}}/settings: {errors:?}\n{body}"
        );
        assert_eq!(
            items
                .iter()
                .filter(|i| i["id"] == "tls_client_auth")
                .count(),
            1,
            "{body}"
        );
        self.checked
            .lock()
            .unwrap()
            .push("GET /zones/{zone_id}/settings 200".into());
        body
    }
}

impl Contract {
    /// `GET /zones/{zone_id}/dns_records` is not in the schema (it is in Cloudflare's DNS
    /// family, left out of the cut). A success is checked against this family's
    /// collection envelope (`result` an array, `result_info` numbers), a failure against
    /// its failure envelope; the records themselves are not checked.
    fn check_dns_records(&self, (status, body): (StatusCode, Value)) -> Value {
        let name = if status.is_success() {
            "tls-certificates-and-hostnames_api-response-collection"
        } else {
            "tls-certificates-and-hostnames_api-response-common-failure"
        };
        let schema = json!({"$ref": format!("#/components/schemas/{name}")});
        let errors: Vec<String> = self
            .validator(name, &schema)
            .iter_errors(&body)
            .map(|e| format!("{e} at {}", e.instance_path()))
            .collect();
        assert!(
            errors.is_empty(),
            "GET /zones/{{id}}/dns_records ({status}) against {name}: {errors:?}\n{body}"
        );
        if status.is_success() {
            assert!(body["result"].is_array(), "{body}");
            assert!(body["result_info"]["total_pages"].is_u64(), "{body}");
        }
        self.checked
            .lock()
            .unwrap()
            .push(format!("GET /zones/{{zone_id}}/dns_records {status}"));
        body
    }
}

struct Wire {
    base: String,
    http: reqwest::Client,
    token: String,
}

impl Wire {
    fn new(sim: &Simulator) -> Self {
        Self {
            base: sim.base_url(),
            http: reqwest::Client::new(),
            token: TOKEN.to_owned(),
        }
    }

    async fn send(&self, method: Method, path: &str, body: Option<Value>) -> (StatusCode, Value) {
        let mut request = self
            .http
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(&self.token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("answered");
        let status = response.status();
        let text = response.text().await.unwrap();
        let body = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"));
        (status, body)
    }

    async fn get(&self, path: &str) -> (StatusCode, Value) {
        self.send(Method::GET, path, None).await
    }
}

const ZONES: &str = "/zones";
const ZONE: &str = "/zones/{zone_id}";
const VERIFY: &str = "/user/tokens/verify";
const CERTS: &str = "/zones/{zone_id}/origin_tls_client_auth";
const CERT: &str = "/zones/{zone_id}/origin_tls_client_auth/{certificate_id}";
const ENABLEMENT: &str = "/zones/{zone_id}/origin_tls_client_auth/settings";
const HOSTNAME_CERTS: &str = "/zones/{zone_id}/origin_tls_client_auth/hostnames/certificates";
const HOSTNAME_CERT: &str =
    "/zones/{zone_id}/origin_tls_client_auth/hostnames/certificates/{certificate_id}";
const HOSTNAMES: &str = "/zones/{zone_id}/origin_tls_client_auth/hostnames";
const HOSTNAME: &str = "/zones/{zone_id}/origin_tls_client_auth/hostnames/{hostname}";
const GLOBAL: &str = "/zones/{zone_id}/settings/tls_client_auth";

#[tokio::test]
async fn every_read_of_the_demo_account_matches_the_schema() {
    let sim = sim(None).await;
    let wire = Wire::new(&sim);
    let contract = Contract::load();

    contract.check(VERIFY, Method::GET, wire.get("/user/tokens/verify").await);
    let page = contract.check(ZONES, Method::GET, wire.get("/zones?per_page=50").await);
    let zones: Vec<String> = page["result"]
        .as_array()
        .unwrap()
        .iter()
        .map(|z| z["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(zones.len(), 36);
    contract.check(
        ZONES,
        Method::GET,
        wire.get("/zones?name=contains:shop&page=1&per_page=5")
            .await,
    );

    let (mut certs, mut hostname_certs, mut globals_on) = (0, 0, 0);
    let (mut associations, mut enabled) = (0, 0);
    for zone in &zones {
        contract.check(ZONE, Method::GET, wire.get(&format!("/zones/{zone}")).await);
        let list = contract.check(
            CERTS,
            Method::GET,
            wire.get(&format!("/zones/{zone}/origin_tls_client_auth"))
                .await,
        );
        for cert in list["result"].as_array().unwrap() {
            let id = cert["id"].as_str().unwrap();
            contract.check(
                CERT,
                Method::GET,
                wire.get(&format!("/zones/{zone}/origin_tls_client_auth/{id}"))
                    .await,
            );
            certs += 1;
        }
        contract.check(
            ENABLEMENT,
            Method::GET,
            wire.get(&format!("/zones/{zone}/origin_tls_client_auth/settings"))
                .await,
        );
        let hostnames = contract.check(
            HOSTNAME_CERTS,
            Method::GET,
            wire.get(&format!(
                "/zones/{zone}/origin_tls_client_auth/hostnames/certificates"
            ))
            .await,
        );
        for cert in hostnames["result"].as_array().unwrap() {
            let id = cert["id"].as_str().unwrap();
            contract.check(
                HOSTNAME_CERT,
                Method::GET,
                wire.get(&format!(
                    "/zones/{zone}/origin_tls_client_auth/hostnames/certificates/{id}"
                ))
                .await,
            );
            hostname_certs += 1;
        }
        // Discovery's reads: the proxied records, then each of their hostnames, which
        // answers an association or a 404.
        let records = contract.check_dns_records(
            wire.get(&format!(
                "/zones/{zone}/dns_records?proxied=true&per_page=5000"
            ))
            .await,
        );
        for record in records["result"].as_array().unwrap() {
            let host = record["name"].as_str().unwrap();
            let answer = wire
                .get(&format!(
                    "/zones/{zone}/origin_tls_client_auth/hostnames/{host}"
                ))
                .await;
            match answer.0 {
                StatusCode::OK => {
                    associations += 1;
                    enabled += usize::from(answer.1["result"]["enabled"] == true);
                }
                status => assert_eq!(status, StatusCode::NOT_FOUND, "{}", answer.1),
            }
            contract.check(HOSTNAME, Method::GET, answer);
        }
        let global = contract.check(
            GLOBAL,
            Method::GET,
            wire.get(&format!("/zones/{zone}/settings/tls_client_auth"))
                .await,
        );
        globals_on += usize::from(global["result"]["value"] == "on");
        contract.check_settings_list(wire.get(&format!("/zones/{zone}/settings")).await);
    }
    // The demo's every kind of certificate and switch went through.
    assert_eq!((certs, hostname_certs, globals_on), (10, 3, 6));
    assert_eq!((associations, enabled), (4, 3));
    assert!(contract.checked.lock().unwrap().len() > 36 * 6);
    sim.shutdown().await;
}

#[tokio::test]
async fn every_change_and_refusal_matches_the_schema_and_so_do_the_clients_requests() {
    let sim = sim(None).await;
    let control: SimControl = sim.control();
    let wire = Wire::new(&sim);
    let contract = Contract::load();
    let client = client_for(&sim);
    let zone = control.zone_id("docs.example").unwrap();
    let locked = control.zone_id("mail.example").unwrap();
    let certs = format!("/zones/{zone}/origin_tls_client_auth");

    // Changes, through the client, so its requests are checked too.
    control.clear_requests();
    let (pem, key) = leaf_pair("edge.docs.example");
    let uploaded = client
        .upload_certificate(&zone, &pem, &key.clone().into())
        .await
        .unwrap();
    assert!(client.set_enablement(&zone, true).await.unwrap());
    assert!(client.set_global(&zone, true).await.unwrap().on);
    for request in control.requests() {
        let template = match request.method.as_str() {
            "POST" => CERTS,
            "PUT" => ENABLEMENT,
            "PATCH" => GLOBAL,
            other => panic!("unexpected {other} {}", request.path),
        };
        let method = Method::from_bytes(request.method.as_bytes()).unwrap();
        contract.check_request(template, &method, request.body.as_ref().unwrap());
    }

    // The same changes on the wire: answers to upload, PUT, PATCH, DELETE.
    let (pem2, key2) = leaf_pair("edge2.docs.example");
    let upload = json!({"certificate": pem2, "private_key": key2});
    let created = contract.check(
        CERTS,
        Method::POST,
        wire.send(Method::POST, &certs, Some(upload.clone())).await,
    );
    assert_eq!(created["result"]["status"], "pending_deployment");
    contract.check(
        CERTS,
        Method::POST,
        wire.send(Method::POST, &certs, Some(upload)).await,
    );
    contract.check(
        ENABLEMENT,
        Method::PUT,
        wire.send(
            Method::PUT,
            &format!("{certs}/settings"),
            Some(json!({"enabled": false})),
        )
        .await,
    );
    let global = format!("/zones/{zone}/settings/tls_client_auth");
    contract.check(
        GLOBAL,
        Method::PATCH,
        wire.send(Method::PATCH, &global, Some(json!({"value": "off"})))
            .await,
    );
    let id = uploaded.id.unwrap();
    let deleted = contract.check(
        CERT,
        Method::DELETE,
        wire.send(Method::DELETE, &format!("{certs}/{id}"), None)
            .await,
    );
    assert_eq!(
        deleted["result"]["status"],
        CertStatus::PendingDeletion.as_str()
    );

    // Refusals: every 4XX body is the failure envelope.
    let refusals: Vec<(&str, Method, String, Option<Value>, StatusCode)> = vec![
        (
            CERTS,
            Method::POST,
            certs.clone(),
            Some(json!({"certificate": "nope", "private_key": "nope"})),
            StatusCode::BAD_REQUEST,
        ),
        (
            CERT,
            Method::GET,
            format!("{certs}/00000000-0000-4000-8000-000000000000"),
            None,
            StatusCode::NOT_FOUND,
        ),
        (
            CERT,
            Method::GET,
            format!("{certs}/not-an-id!"),
            None,
            StatusCode::BAD_REQUEST,
        ),
        (
            ENABLEMENT,
            Method::PUT,
            format!("{certs}/settings"),
            Some(json!({"enabled": "yes"})),
            StatusCode::BAD_REQUEST,
        ),
        (
            GLOBAL,
            Method::PATCH,
            global.clone(),
            Some(json!({"value": "maybe"})),
            StatusCode::BAD_REQUEST,
        ),
        (
            GLOBAL,
            Method::PATCH,
            format!("/zones/{locked}/settings/tls_client_auth"),
            Some(json!({"value": "off"})),
            StatusCode::BAD_REQUEST,
        ),
        (
            HOSTNAME_CERTS,
            Method::GET,
            "/zones/0123456789abcdef0123456789abcdef/origin_tls_client_auth/hostnames/certificates"
                .into(),
            None,
            StatusCode::BAD_REQUEST,
        ),
    ];
    for (template, method, path, body, expected) in refusals {
        let answer = wire.send(method.clone(), &path, body).await;
        assert_eq!(answer.0, expected, "{method} {path}: {}", answer.1);
        contract.check(template, method, answer);
    }

    // Without Zone Settings, and with a wrong token.
    control.set_zone_settings_access(ZoneSettingsAccess::NoAccess);
    let answer = wire.get(&global).await;
    assert_eq!(answer.0, StatusCode::FORBIDDEN);
    contract.check(GLOBAL, Method::GET, answer);
    let answer = wire
        .send(Method::PATCH, &global, Some(json!({"value": "on"})))
        .await;
    assert_eq!(answer.0, StatusCode::FORBIDDEN);
    contract.check(GLOBAL, Method::PATCH, answer);
    let wrong = Wire {
        token: "wrong-token".into(),
        ..Wire::new(&sim)
    };
    for (template, path) in [
        (ZONES, "/zones".to_owned()),
        (HOSTNAME_CERTS, format!("{certs}/hostnames/certificates")),
    ] {
        let answer = wrong.get(&path).await;
        assert_eq!(answer.0, StatusCode::FORBIDDEN);
        contract.check(template, Method::GET, answer);
    }
    sim.shutdown().await;
}

/// A CA certificate and its key: what per-hostname uploads refuse as a leaf (1412).
fn ca_pair() -> (String, String) {
    use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair, KeyUsagePurpose};
    let key = KeyPair::generate().unwrap();
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign];
    params
        .distinguished_name
        .push(DnType::CommonName, "Contract Test CA");
    (params.self_signed(&key).unwrap().pem(), key.serialize_pem())
}

#[tokio::test]
async fn every_per_hostname_answer_and_refusal_matches_the_schema_and_so_do_the_clients_requests() {
    // Deletions slow enough to see `pending_deletion` on a busy machine.
    let mut config = SimConfig::demo(TOKEN);
    config.zones = Some(40);
    config.deploy_delay = std::time::Duration::from_millis(300);
    config.delete_delay = std::time::Duration::from_millis(1500);
    let sim = Simulator::start(config).await.unwrap();
    let control: SimControl = sim.control();
    let wire = Wire::new(&sim);
    let contract = Contract::load();
    let client = client_for(&sim);
    let zone = control.zone_id("site-00001.example").unwrap();
    let base = format!("/zones/{zone}/origin_tls_client_auth/hostnames");
    let certs = format!("{base}/certificates");
    let host = |name: &str| format!("{name}.site-00001.example");

    // Through the client, so its requests are checked too: an upload, and one PUT with
    // the three `enabled` states, `null` sent explicitly.
    control.clear_requests();
    let (pem, key) = leaf_pair(&host("www"));
    let uploaded = client
        .upload_hostname_certificate(&zone, &pem, &key.clone().into())
        .await
        .unwrap();
    let id = uploaded.id.unwrap();
    let setting = |name: &str, cert_id: Option<&str>, enabled: Option<bool>| HostnameSetting {
        hostname: host(name),
        cert_id: cert_id.map(str::to_owned),
        enabled,
    };
    let answered = client
        .set_hostnames(
            &zone,
            &[
                setting("www", Some(&id), Some(true)),
                setting("api", Some(&id), Some(false)),
                setting("old", None, None),
            ],
        )
        .await
        .unwrap();
    assert_eq!(answered.len(), 3);
    let requests = control.requests();
    assert_eq!(requests.len(), 2, "{requests:?}");
    for request in requests {
        let template = match request.method.as_str() {
            "POST" => HOSTNAME_CERTS,
            "PUT" => HOSTNAMES,
            other => panic!("unexpected {other} {}", request.path),
        };
        let method = Method::from_bytes(request.method.as_bytes()).unwrap();
        let body = request.body.unwrap();
        if template == HOSTNAMES {
            assert_eq!(body["config"][2]["enabled"], Value::Null);
            assert!(
                body["config"][2].get("enabled").is_some(),
                "null, not left out"
            );
        }
        contract.check_request(template, &method, &body);
    }

    // The same on the wire: upload, list, one, PUT (true, false, null, and null for a
    // hostname that had nothing), GET of each hostname.
    let (pem2, key2) = leaf_pair(&host("app"));
    let upload = json!({"certificate": pem2, "private_key": key2});
    let created = contract.check(
        HOSTNAME_CERTS,
        Method::POST,
        wire.send(Method::POST, &certs, Some(upload.clone())).await,
    );
    assert_eq!(created["result"]["status"], "pending_deployment");
    let id2 = created["result"]["id"].as_str().unwrap().to_owned();
    let listed = contract.check(HOSTNAME_CERTS, Method::GET, wire.get(&certs).await);
    assert_eq!(listed["result"].as_array().unwrap().len(), 2);
    contract.check(
        HOSTNAME_CERT,
        Method::GET,
        wire.get(&format!("{certs}/{id2}")).await,
    );
    let config = json!({"config": [
        {"hostname": host("app"), "cert_id": id2, "enabled": true},
        {"hostname": host("api"), "cert_id": id2, "enabled": false},
        {"hostname": host("www"), "enabled": null},
        {"hostname": host("never"), "enabled": null},
    ]});
    contract.check_request(HOSTNAMES, &Method::PUT, &config);
    let put = contract.check(
        HOSTNAMES,
        Method::PUT,
        wire.send(Method::PUT, &base, Some(config)).await,
    );
    assert_eq!(put["result"].as_array().unwrap().len(), 4);
    for name in ["app", "api"] {
        let answer = wire.get(&format!("{base}/{}", host(name))).await;
        assert_eq!(answer.0, StatusCode::OK, "{}", answer.1);
        contract.check(HOSTNAME, Method::GET, answer);
    }

    // A certificate deleted while hostnames use it: the answers about them still hold.
    let one = format!("{certs}/{id2}");
    let deleted = contract.check(
        HOSTNAME_CERT,
        Method::DELETE,
        wire.send(Method::DELETE, &one, None).await,
    );
    assert_eq!(
        deleted["result"]["status"],
        CertStatus::PendingDeletion.as_str()
    );
    let app = format!("{base}/{}", host("app"));
    let during = contract.check(HOSTNAME, Method::GET, wire.get(&app).await);
    assert_eq!(during["result"]["cert_status"], "pending_deletion");
    assert!(
        common::eventually(std::time::Duration::from_secs(5), || async {
            wire.get(&one).await.0 == StatusCode::NOT_FOUND
        })
        .await
    );
    let after = contract.check(HOSTNAME, Method::GET, wire.get(&app).await);
    assert_eq!(after["result"]["cert_status"], "deleted");

    // Refusals: every 4XX body is the failure envelope.
    let (ca, ca_key) = ca_pair();
    let missing = "2458ce5a-0c35-4c7f-82c7-8e9487d3ff60";
    /// Template, method, path, body, and the status and code expected.
    type Refusal = (&'static str, Method, String, Option<Value>, StatusCode, i64);
    let refusals: Vec<Refusal> = vec![
        (
            HOSTNAME_CERTS,
            Method::POST,
            certs.clone(),
            Some(json!({"certificate": ca, "private_key": ca_key})),
            StatusCode::BAD_REQUEST,
            1412,
        ),
        (
            HOSTNAME_CERTS,
            Method::POST,
            certs.clone(),
            Some(json!({"certificate": pem, "private_key": key})),
            StatusCode::BAD_REQUEST,
            1406,
        ),
        (
            HOSTNAME_CERTS,
            Method::POST,
            certs.clone(),
            Some(json!({"certificate": "nope", "private_key": "nope"})),
            StatusCode::BAD_REQUEST,
            1002,
        ),
        (
            HOSTNAME_CERT,
            Method::GET,
            format!("{certs}/{missing}"),
            None,
            StatusCode::NOT_FOUND,
            1404,
        ),
        (
            HOSTNAME_CERT,
            Method::DELETE,
            one.clone(),
            None,
            StatusCode::NOT_FOUND,
            1404,
        ),
        (
            HOSTNAME_CERT,
            Method::GET,
            format!("{certs}/not-an-id!"),
            None,
            StatusCode::BAD_REQUEST,
            7003,
        ),
        (
            HOSTNAMES,
            Method::PUT,
            base.clone(),
            Some(json!({"config": [{"hostname": host("x"), "cert_id": missing, "enabled": true}]})),
            StatusCode::BAD_REQUEST,
            1415,
        ),
        (
            HOSTNAMES,
            Method::PUT,
            base.clone(),
            Some(json!({"config": [{"hostname": host("x"), "cert_id": id2, "enabled": true}]})),
            StatusCode::BAD_REQUEST,
            1415,
        ),
        (
            HOSTNAMES,
            Method::PUT,
            base.clone(),
            Some(json!({})),
            StatusCode::BAD_REQUEST,
            1001,
        ),
        (
            HOSTNAMES,
            Method::PUT,
            base.clone(),
            Some(json!({"config": [{"hostname": host("x"), "cert_id": id}]})),
            StatusCode::BAD_REQUEST,
            1001,
        ),
        (
            HOSTNAME,
            Method::GET,
            format!("{base}/{}", host("never")),
            None,
            StatusCode::NOT_FOUND,
            1416,
        ),
        (
            HOSTNAME,
            Method::GET,
            format!("{base}/a..b.site-00001.example"),
            None,
            StatusCode::BAD_REQUEST,
            7003,
        ),
    ];
    for (template, method, path, body, expected, code) in refusals {
        let answer = wire.send(method.clone(), &path, body).await;
        assert_eq!(answer.0, expected, "{method} {path}: {}", answer.1);
        assert_eq!(
            answer.1["errors"][0]["code"], code,
            "{method} {path}: {}",
            answer.1
        );
        contract.check(template, method, answer);
    }

    // The limits: an 11th certificate, a 101st association.
    let full = control.zone_id("site-00002.example").unwrap();
    let full_certs = format!("/zones/{full}/origin_tls_client_auth/hostnames/certificates");
    for k in 0..11 {
        let (pem, key) = leaf_pair(&format!("h{k}.site-00002.example"));
        let answer = wire
            .send(
                Method::POST,
                &full_certs,
                Some(json!({"certificate": pem, "private_key": key})),
            )
            .await;
        let expected = if k < 10 {
            StatusCode::OK
        } else {
            StatusCode::BAD_REQUEST
        };
        assert_eq!(answer.0, expected, "{k}: {}", answer.1);
        if k == 10 {
            assert_eq!(answer.1["errors"][0]["code"], 1413);
        }
        contract.check(HOSTNAME_CERTS, Method::POST, answer);
    }
    let config: Vec<Value> = (0..101)
        .map(|k| json!({"hostname": format!("h{k}.site-00001.example"), "cert_id": id, "enabled": true}))
        .collect();
    let answer = wire
        .send(Method::PUT, &base, Some(json!({ "config": config })))
        .await;
    assert_eq!(answer.0, StatusCode::BAD_REQUEST, "{}", answer.1);
    assert_eq!(answer.1["errors"][0]["code"], 1414);
    contract.check(HOSTNAMES, Method::PUT, answer);

    // With a wrong token.
    let wrong = Wire {
        token: "wrong-token".into(),
        ..Wire::new(&sim)
    };
    let answer = wrong
        .send(Method::PUT, &base, Some(json!({"config": []})))
        .await;
    assert_eq!(answer.0, StatusCode::FORBIDDEN);
    contract.check(HOSTNAMES, Method::PUT, answer);
    let answer = wrong.get(&app).await;
    assert_eq!(answer.0, StatusCode::FORBIDDEN);
    contract.check(HOSTNAME, Method::GET, answer);

    // The other documented answer for a hostname without an association, a 200 whose
    // fields are all null, is outside the published schema (`status` and `cert_id`
    // are not nullable there): a client has to take it all the same. The simulator
    // gives it only when told.
    control.set_unassociated_answer(UnassociatedAnswer::NullFields);
    let (status, nulls) = wire.get(&format!("{base}/{}", host("never"))).await;
    assert_eq!(status, StatusCode::OK, "{nulls}");
    assert!(
        !contract
            .errors(HOSTNAME, &Method::GET, status, &nulls)
            .is_empty()
    );

    // DNS records: the success and failure envelopes.
    let dns = format!("/zones/{zone}/dns_records");
    contract.check_dns_records(wire.get(&format!("{dns}?page=2&per_page=5")).await);
    let answer = wire.get(&format!("{dns}?per_page=1")).await;
    assert_eq!(answer.0, StatusCode::BAD_REQUEST);
    contract.check_dns_records(answer);
    let answer = wire
        .get("/zones/0123456789abcdef0123456789abcdef/dns_records")
        .await;
    assert_eq!(answer.0, StatusCode::BAD_REQUEST);
    contract.check_dns_records(answer);
    sim.shutdown().await;
}

/// The fault the corrections above are for, shown: against the schema as published, a
/// certificate list fails on each certificate's `id` and on nothing else, and an
/// association on its `cert_id` and on nothing else.
#[tokio::test]
async fn the_published_schema_refuses_uuid_certificate_ids_and_only_those() {
    use std::collections::BTreeSet;
    let sim = sim(None).await;
    let wire = Wire::new(&sim);
    let zone = sim.control().zone_id("shop-eu.example").unwrap();
    let answer = wire
        .get(&format!("/zones/{zone}/origin_tls_client_auth"))
        .await;
    let hostnames = sim.control().zone_id("app.example").unwrap();
    let hostname_answer = wire
        .get(&format!(
            "/zones/{hostnames}/origin_tls_client_auth/hostnames/certificates"
        ))
        .await;
    let base = format!("/zones/{hostnames}/origin_tls_client_auth/hostnames");
    let association = wire.get(&format!("{base}/www.app.example")).await;
    let cert_id = association.1["result"]["cert_id"].clone();
    // The same again: a PUT that changes nothing, for the PUT's answer.
    let put_answer = wire
        .send(
            Method::PUT,
            &base,
            Some(json!({"config": [
                {"hostname": "www.app.example", "cert_id": cert_id, "enabled": true},
                {"hostname": "api.app.example", "cert_id": cert_id, "enabled": false},
            ]})),
        )
        .await;

    let published = Contract::published();
    let ids = |body: &Value| -> BTreeSet<String> {
        (0..body["result"].as_array().unwrap().len())
            .map(|i| format!("/result/{i}/id"))
            .collect()
    };
    let cert_ids = |body: &Value| -> BTreeSet<String> {
        (0..body["result"].as_array().unwrap().len())
            .map(|i| format!("/result/{i}/cert_id"))
            .collect()
    };
    for (template, method, (status, body), expected) in [
        (CERTS, Method::GET, answer.clone(), ids(&answer.1)),
        (
            HOSTNAME_CERTS,
            Method::GET,
            hostname_answer.clone(),
            ids(&hostname_answer.1),
        ),
        (
            HOSTNAME,
            Method::GET,
            association.clone(),
            BTreeSet::from(["/result/cert_id".to_owned()]),
        ),
        (
            HOSTNAMES,
            Method::PUT,
            put_answer.clone(),
            cert_ids(&put_answer.1),
        ),
    ] {
        let schema = &published.operation(template, &method)["responses"]["200"]["content"]["application/json"]
            ["schema"];
        let validator = published.validator(template, schema);
        assert_eq!(status, StatusCode::OK, "{body}");
        assert!(!expected.is_empty(), "{template}: {body}");
        let failed: BTreeSet<String> = validator
            .iter_errors(&body)
            .map(|e| {
                assert!(
                    matches!(e.kind(), ValidationErrorKind::MaxLength { limit: 32 }),
                    "{template}: {e}"
                );
                e.instance_path().to_string()
            })
            .collect();
        assert_eq!(failed, expected, "{method} {template}");
    }
    let corrected = Contract::load();
    corrected.check(CERTS, Method::GET, answer);
    corrected.check(HOSTNAME_CERTS, Method::GET, hostname_answer);
    corrected.check(HOSTNAME, Method::GET, association);
    corrected.check(HOSTNAMES, Method::PUT, put_answer);
    sim.shutdown().await;
}

/// The checks can fail: what breaks the contract is caught, formats included.
#[test]
fn the_checks_have_teeth() {
    let contract = Contract::load();
    let ok = json!({"success": true, "errors": [], "messages": [],
        "result": {"id": "tls_client_auth", "value": "on", "editable": true, "modified_on": null}});
    assert!(
        contract
            .errors(GLOBAL, &Method::GET, StatusCode::OK, &ok)
            .is_empty()
    );
    for (pointer, bad) in [
        ("/result/value", json!("maybe")),
        ("/result/modified_on", json!("yesterday")),
        ("/result/editable", json!("yes")),
        ("/success", json!("true")),
    ] {
        let mut body = ok.clone();
        *body.pointer_mut(pointer).unwrap() = bad.clone();
        assert!(
            !contract
                .errors(GLOBAL, &Method::GET, StatusCode::OK, &body)
                .is_empty(),
            "{pointer} = {bad} passed"
        );
    }
    let cert = json!({"success": true, "errors": [], "messages": [], "result": [{
        "id": "2458ce5a-0c35-4c7f-82c7-8e9487d3ff60", "status": "quantum"}]});
    assert!(
        !contract
            .errors(CERTS, &Method::GET, StatusCode::OK, &cert)
            .is_empty()
    );
    let long_id = json!({"success": true, "errors": [], "messages": [], "result": [{
        "id": "2458ce5a-0c35-4c7f-82c7-8e9487d3ff60-and-more", "status": "active"}]});
    assert!(
        !contract
            .errors(CERTS, &Method::GET, StatusCode::OK, &long_id)
            .is_empty()
    );
    let failure = json!({"success": true, "errors": [], "messages": [], "result": null});
    assert!(
        !contract
            .errors(GLOBAL, &Method::PATCH, StatusCode::BAD_REQUEST, &failure)
            .is_empty()
    );
}

#[test]
fn translation_turns_nullable_into_a_null_type_and_leaves_data_alone() {
    let openapi = json!({
        "type": "object",
        "properties": {
            "modified_on": {"type": "string", "format": "date-time", "nullable": true},
            "result": {"enum": [null], "nullable": true, "type": "object"},
            "nullable": {"type": "boolean", "example": true},
            "anything": {"nullable": true},
        },
        "allOf": [{"$ref": "#/components/schemas/x"}],
        "example": {"nullable": true, "$ref": "#/components/schemas/not-a-ref"},
    });
    assert_eq!(
        translate(&openapi),
        json!({
            "type": "object",
            "properties": {
                "modified_on": {"type": ["string", "null"], "format": "date-time"},
                "result": {"enum": [null], "type": ["object", "null"]},
                "nullable": {"type": "boolean"},
                "anything": {},
            },
            "allOf": [{"$ref": "#/$defs/x"}],
        })
    );
}

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
//! applies (see [`CERTIFICATE_OBJECTS`]); `GET /zones/{id}/settings`, which the schema
//! does not have, is checked against the schema's own setting objects (see
//! [`Contract::check_settings_list`]).

mod common;

use std::collections::HashMap;
use std::sync::Mutex;

use jsonschema::Validator;
use jsonschema::error::ValidationErrorKind;
use originpull::api::CertStatus;
use originpull::sim::{SimControl, Simulator, ZoneSettingsAccess};
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
/// zone ids keep their 32. (The association objects' `cert_id` has the same fault;
/// the simulator serves no association yet.)
const CERTIFICATE_OBJECTS: [&str; 4] = [
    "tls-certificates-and-hostnames_certificateObject",
    "tls-certificates-and-hostnames_schemas-certificateObject",
    "tls-certificates-and-hostnames_zone-authenticated-origin-pull",
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
        for name in CERTIFICATE_OBJECTS {
            let id = &mut contract.defs[name]["properties"]["id"];
            assert_eq!(
                id["$ref"], IDENTIFIER,
                "{name}.id no longer refers to the 32-character identifier: the fault may be fixed"
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
        hostname_certs += hostnames["result"].as_array().unwrap().len();
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

/// The fault the correction above is for, shown: against the schema as published, a
/// certificate list fails on each certificate's `id` and on nothing else.
#[tokio::test]
async fn the_published_schema_refuses_uuid_certificate_ids_and_only_those() {
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

    let published = Contract::published();
    for (template, (status, body)) in [
        (CERTS, answer.clone()),
        (HOSTNAME_CERTS, hostname_answer.clone()),
    ] {
        let schema = &published.operation(template, &Method::GET)["responses"]["200"]["content"]["application/json"]
            ["schema"];
        let validator = published.validator(template, schema);
        assert_eq!(status, StatusCode::OK);
        let mut failed: Vec<String> = validator
            .iter_errors(&body)
            .map(|e| {
                assert!(
                    matches!(e.kind(), ValidationErrorKind::MaxLength { limit: 32 }),
                    "{template}: {e}"
                );
                e.instance_path().to_string()
            })
            .collect();
        failed.sort_unstable();
        failed.dedup();
        let ids: Vec<String> = (0..body["result"].as_array().unwrap().len())
            .map(|i| format!("/result/{i}/id"))
            .collect();
        assert_eq!(failed, ids, "{template}");
    }
    let corrected = Contract::load();
    corrected.check(CERTS, Method::GET, answer);
    corrected.check(HOSTNAME_CERTS, Method::GET, hostname_answer);
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

//! Issue 17 from outside: small broken servers, started here, that lie in
//! `result_info`, repeat pages, or trickle their bodies. Each test counts the requests
//! they received: the account's rate limit is the user's, and originpull must not
//! spend it on pages the data does not need.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::body::Body;
use axum::extract::Query;
use axum::http::{Method, Uri};
use axum::response::{IntoResponse, Response};
use common::TOKEN;
use serde_json::{Value, json};

/// How the server lies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Lie {
    /// 50 zones on page 1, `result_info` claiming 5,000 pages, every later page empty.
    Overstated,
    /// 120 zones (50, 50, 20), `result_info` claiming one page.
    Understated,
    /// The same 50 zones on every page, claiming 3 pages (a server ignoring `page`).
    Repeats,
    /// An empty first page that claims 10 pages.
    EmptyFirst,
    /// The zone listing, and a zone's certificates, trickled a byte a second.
    Trickle,
    /// Every answer a 503.
    Failing,
}

struct Broken {
    base_url: String,
    /// Requests for `/zones` listings.
    listings: Arc<AtomicUsize>,
    /// Every request.
    all: Arc<AtomicUsize>,
    server: tokio::task::JoinHandle<()>,
}

fn zone(i: usize) -> Value {
    json!({"id": format!("{i:032x}"), "name": format!("zone{i:05}.example"), "status": "active"})
}

fn envelope(result: Value, info: Option<Value>) -> Value {
    let mut body = json!({"success": true, "errors": [], "messages": [], "result": result});
    if let Some(info) = info {
        body["result_info"] = info;
    }
    body
}

fn page_of(lie: Lie, page: usize) -> Value {
    let info = |count: usize, total_pages: usize, total_count: usize| json!({"page": page, "per_page": 50, "count": count, "total_pages": total_pages, "total_count": total_count});
    let zones = |range: std::ops::Range<usize>| Value::Array(range.map(zone).collect());
    match lie {
        Lie::Overstated if page == 1 => envelope(zones(0..50), Some(info(50, 5000, 250_000))),
        Lie::Overstated => envelope(json!([]), Some(info(0, 5000, 250_000))),
        Lie::Understated => {
            let start = (page - 1) * 50;
            let end = (start + 50).min(120);
            let range = start.min(end)..end;
            envelope(zones(range.clone()), Some(info(range.len(), 1, 50)))
        }
        Lie::Repeats => envelope(zones(0..50), Some(info(50, 3, 150))),
        Lie::EmptyFirst => envelope(json!([]), Some(info(0, 10, 500))),
        Lie::Trickle => envelope(zones(0..3), Some(info(3, 1, 3))),
        Lie::Failing => unreachable!("answered before"),
    }
}

/// A body that arrives a byte a second.
fn trickled(body: Value) -> Response {
    let bytes = body.to_string().into_bytes();
    let stream = futures::stream::unfold(bytes.into_iter(), |mut rest| async move {
        let byte = rest.next()?;
        tokio::time::sleep(Duration::from_secs(1)).await;
        Some((Ok::<_, std::io::Error>(vec![byte]), rest))
    });
    Response::builder()
        .header("content-type", "application/json")
        .body(Body::from_stream(stream))
        .unwrap()
}

async fn start(lie: Lie) -> Broken {
    let listings = Arc::new(AtomicUsize::new(0));
    let all = Arc::new(AtomicUsize::new(0));
    let (l, a) = (listings.clone(), all.clone());
    let router = axum::Router::new().fallback(
        move |method: Method, uri: Uri, Query(query): Query<Vec<(String, String)>>| {
            let (l, a) = (l.clone(), a.clone());
            async move {
                a.fetch_add(1, Ordering::SeqCst);
                if lie == Lie::Failing {
                    let body = json!({"success": false, "errors": [{"code": 10001, "message": "service unavailable"}], "messages": [], "result": null});
                    return (axum::http::StatusCode::SERVICE_UNAVAILABLE, axum::Json(body)).into_response();
                }
                let path = uri.path().trim_end_matches('/');
                let page = query
                    .iter()
                    .find(|(k, _)| k == "page")
                    .and_then(|(_, v)| v.parse().ok())
                    .unwrap_or(1);
                if path.ends_with("/user/tokens/verify") {
                    return axum::Json(envelope(json!({"id": "t", "status": "active"}), None))
                        .into_response();
                }
                if path.ends_with("/zones") && method == Method::GET {
                    l.fetch_add(1, Ordering::SeqCst);
                    let body = page_of(lie, page);
                    return if lie == Lie::Trickle {
                        trickled(body)
                    } else {
                        axum::Json(body).into_response()
                    };
                }
                if path.ends_with("/origin_tls_client_auth") {
                    // The upload (POST) and the list (GET) of a zone's certificates.
                    let body = envelope(json!([]), None);
                    return trickled(body);
                }
                // GET /zones/{id}: a zone looked up by id.
                axum::Json(envelope(zone(0), None)).into_response()
            }
        },
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    Broken {
        base_url: format!("http://{addr}/client/v4"),
        listings,
        all,
        server,
    }
}

impl Drop for Broken {
    fn drop(&mut self) {
        self.server.abort();
    }
}

async fn zones_json(server: &Broken) -> (Vec<String>, std::process::Output) {
    let out = common::run_binary(&server.base_url, Some(TOKEN), &["zones", "--json"]).await;
    let ids = serde_json::from_slice::<Value>(&out.stdout)
        .ok()
        .and_then(|v| v.as_array().cloned())
        .unwrap_or_default()
        .iter()
        .map(|z| z["id"].as_str().unwrap_or_default().to_owned())
        .collect();
    (ids, out)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_overstated_total_lists_the_zones_there_are_with_a_few_requests() {
    let server = start(Lie::Overstated).await;
    let (ids, out) = zones_json(&server).await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(ids.len(), 50);
    let requests = server.listings.load(Ordering::SeqCst);
    assert!(requests <= 20, "{requests} requests for 50 zones");
    // Page 1, then a window of two that ends at the empty page 2: page 3 is cancelled,
    // before or after it reaches the server.
    assert!((2..=3).contains(&requests), "{requests} requests");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_understated_total_is_not_believed_either() {
    let server = start(Lie::Understated).await;
    let (ids, out) = zones_json(&server).await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(ids.len(), 120, "every zone the data holds");
    assert_eq!(server.listings.load(Ordering::SeqCst), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn zones_repeated_across_pages_are_listed_once() {
    let server = start(Lie::Repeats).await;
    let (ids, out) = zones_json(&server).await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut distinct = ids.clone();
    distinct.sort();
    distinct.dedup();
    assert_eq!(ids.len(), 50, "{} rows", ids.len());
    assert_eq!(distinct.len(), 50);
    assert!(server.listings.load(Ordering::SeqCst) <= 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_empty_first_page_ends_the_listing_whatever_it_claims() {
    let server = start(Lie::EmptyFirst).await;
    let (ids, out) = zones_json(&server).await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(ids.is_empty());
    assert_eq!(server.listings.load(Ordering::SeqCst), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_tui_spends_no_more_against_an_overstated_total() {
    for lie in [
        Lie::Overstated,
        Lie::Repeats,
        Lie::Understated,
        Lie::EmptyFirst,
    ] {
        let server = start(lie).await;
        let mut app = common::driver_at(&server.base_url, Duration::from_secs(5));
        app.dispatch(originpull::app::Msg::Init { verify_token: true });
        assert!(
            app.settle(Duration::from_secs(5)).await,
            "{lie:?}: the load settles"
        );
        // Whatever is still out has 5 seconds to arrive and be counted.
        common::pump_for(&mut app, Duration::from_secs(1)).await;
        let requests = server.all.load(Ordering::SeqCst);
        assert!(requests <= 25, "{lie:?}: {requests} requests");
        let listed = app.model.zones.list.len();
        let expected = match lie {
            Lie::Overstated | Lie::Repeats => 50,
            Lie::Understated => 120,
            _ => 0,
        };
        assert_eq!(listed, expected, "{lie:?}");
        assert!(!app.model.zones.loading, "{lie:?}: the load is over");
    }
}

/// Runs the binary against `server`; it must fail within `limit`, saying the timeout
/// cut the call. Returns its stderr.
async fn cut_by_the_timeout(server: &Broken, args: &[&str], limit: Duration) -> String {
    let started = std::time::Instant::now();
    let out = common::run_binary(&server.base_url, Some(TOKEN), args).await;
    let took = started.elapsed();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(
        stderr.contains("no answer from the API within 2 s"),
        "{stderr}"
    );
    assert!(took < limit, "{args:?} took {took:?}");
    stderr
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_trickling_body_is_cut_by_the_timeout_for_a_list_and_an_upload() {
    let server = start(Lie::Trickle).await;
    // Three tries at most, each cut at 2 s: never the minutes the body would take.
    let args = ["--timeout", "2", "zones"];
    let stderr = cut_by_the_timeout(&server, &args, Duration::from_secs(15)).await;
    assert!(
        stderr.contains("--timeout"),
        "the hint says how to allow longer: {stderr}"
    );

    let (cert, key) = common::leaf_pair("trickle.example");
    let dir = tempfile::tempdir().unwrap();
    let (cert_path, key_path) = (dir.path().join("c.pem"), dir.path().join("k.pem"));
    std::fs::write(&cert_path, cert).unwrap();
    std::fs::write(&key_path, key).unwrap();
    let zone = format!("{:032x}", 0);
    let (cert_arg, key_arg) = (cert_path.to_str().unwrap(), key_path.to_str().unwrap());
    let args = [
        "--timeout",
        "2",
        "upload",
        &zone,
        "--cert",
        cert_arg,
        "--key",
        key_arg,
    ];
    // An upload that timed out is not sent again (it may have been processed).
    cut_by_the_timeout(&server, &args, Duration::from_secs(6)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_command_is_stopped_at_four_times_what_its_work_needs() {
    use originpull::api::ApiError;
    use originpull::api::client::{MIN_SPENDING, SPENDING_FACTOR};
    let server = start(Lie::Failing).await;
    let zone = format!("{:032x}", 0);
    // A command that needs 2 calls may send 20 (retries included), no more.
    let client = common::client_with(&server.base_url, TOKEN, Duration::from_secs(5)).guarded(2);
    let mut stopped = None;
    for _ in 0..20 {
        match client.get_enablement(&zone).await {
            Err(e @ ApiError::Overspent { .. }) => {
                stopped = Some(e);
                break;
            }
            Err(_) => {}
            Ok(_) => panic!("the server only fails"),
        }
    }
    let e = stopped.expect("the guard stops the command");
    let sent = server.all.load(Ordering::SeqCst) as u64;
    assert_eq!(
        sent,
        MIN_SPENDING.max(2 * SPENDING_FACTOR),
        "requests that reached the server"
    );
    let text = e.to_string();
    assert!(text.contains("stopped after 20 calls"), "{text}");
    assert!(
        text.contains("its last failure: Cloudflare error 10001: service unavailable (HTTP 503)"),
        "{text}"
    );
    assert_eq!(e.kind(), "overspent");
    assert!(e.hint().unwrap().contains("rate limit"));

    // A bigger job raises what is expected: the same client may go on.
    let before = server.all.load(Ordering::SeqCst);
    client.expect_more(10);
    assert!(!matches!(
        client.get_enablement(&zone).await,
        Err(ApiError::Overspent { .. })
    ));
    assert!(server.all.load(Ordering::SeqCst) > before);
}

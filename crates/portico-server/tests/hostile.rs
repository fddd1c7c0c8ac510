//! Hostile input, generated (proptest): random bodies, paths, methods and headers to the API,
//! and random fields to every form of the portal, against a seeded account. Nothing may answer
//! 5xx or panic: the API answers a Stripe error (JSON with `error.type`), the pages a page or a
//! redirect. Text with markup and SQL in it is stored and shown escaped.
//!
//! `PROPTEST_CASES` sets how many inputs each property tries (256 by default; scripts/fuzz.sh
//! runs many more). Each property prints how many it tried.

use axum::body::{to_bytes, Body};
use axum::http::{Request, StatusCode};
use axum::Router;
use portico_server::state::{App, ManualClock, Settings};
use portico_server::{router, KeyPolicy};
use portico_store::Store;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use serde_json::Value;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use tower::ServiceExt;

const KEY: &str = "sk_test_hostile";

/// The server and what the seeding made, shared by every property.
struct World {
    rt: tokio::runtime::Runtime,
    router: Router,
    ids: Vec<String>,
    session: String,
    cookie: String,
    csrf: String,
    sub: String,
}

fn world() -> &'static World {
    static WORLD: OnceLock<World> = OnceLock::new();
    WORLD.get_or_init(|| {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let dir = std::env::temp_dir().join(format!("portico-hostile-{}", rand::random::<u64>()));
        std::fs::create_dir_all(&dir).unwrap();
        let router = rt.block_on(async {
            let store: Arc<dyn Store> =
                portico_store::open(&format!("sqlite://{}/p.db", dir.display()))
                    .await
                    .unwrap();
            let app = App::new(
                store,
                KeyPolicy::new(&[], true),
                Arc::new(ManualClock::at(1_790_000_000)),
                Settings::dev("http://127.0.0.1:12111"),
            );
            router(app)
        });
        let mut w = World {
            rt,
            router,
            ids: Vec::new(),
            session: String::new(),
            cookie: String::new(),
            csrf: String::new(),
            sub: String::new(),
        };
        seed(&mut w);
        w
    })
}

fn call(
    w: &World,
    method: &str,
    path: &str,
    body: Vec<u8>,
    headers: &[(&str, String)],
) -> (StatusCode, Vec<u8>, axum::http::HeaderMap) {
    w.rt.block_on(async {
        let mut req = Request::builder()
            .method(method)
            .uri(path)
            .header("content-type", "application/x-www-form-urlencoded");
        for (h, v) in headers {
            req = req.header(*h, v.as_str());
        }
        let resp = w
            .router
            .clone()
            .oneshot(req.body(Body::from(body)).unwrap())
            .await
            .unwrap();
        let status = resp.status();
        let headers = resp.headers().clone();
        let bytes = to_bytes(resp.into_body(), usize::MAX).await.unwrap();
        (status, bytes.to_vec(), headers)
    })
}

fn api(w: &World, path: &str, body: &str) -> Value {
    let (status, bytes, _) = call(
        w,
        "POST",
        path,
        body.as_bytes().to_vec(),
        &[("authorization", format!("Bearer {KEY}"))],
    );
    assert_eq!(
        status,
        StatusCode::OK,
        "{path}: {}",
        String::from_utf8_lossy(&bytes)
    );
    serde_json::from_slice(&bytes).unwrap()
}

fn seed(w: &mut World) {
    let product = api(
        w,
        "/v1/products",
        "name=%3Cscript%3Ealert(1)%3C%2Fscript%3E%27%3B%20DROP%20TABLE%20objects%3B--",
    );
    let pid = product["id"].as_str().unwrap().to_owned();
    let price = api(
        w,
        "/v1/prices",
        &format!("product={pid}&currency=usd&unit_amount=1500&recurring[interval]=month"),
    );
    let price2 = api(
        w,
        "/v1/prices",
        &format!("product={pid}&currency=usd&unit_amount=4000&recurring[interval]=month"),
    );
    let customer = api(w, "/v1/customers", "name=%22%3E%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E&email=a%40example.com&payment_method=pm_card_visa&invoice_settings[default_payment_method]=pm_card_visa&address[line1]=%27%20OR%201%3D1%20--");
    let cid = customer["id"].as_str().unwrap().to_owned();
    let sub = api(
        w,
        "/v1/subscriptions",
        &format!(
            "customer={cid}&items[0][price]={}",
            price["id"].as_str().unwrap()
        ),
    );
    let config = api(w, "/v1/billing_portal/configurations", &format!(
        "features[customer_update][enabled]=true&features[customer_update][allowed_updates][0]=email&features[customer_update][allowed_updates][1]=address&features[customer_update][allowed_updates][2]=name&features[customer_update][allowed_updates][3]=shipping&features[invoice_history][enabled]=true&features[payment_method_update][enabled]=true&features[subscription_cancel][enabled]=true&features[subscription_cancel][cancellation_reason][enabled]=true&features[subscription_cancel][cancellation_reason][options][0]=other&features[subscription_update][enabled]=true&features[subscription_update][default_allowed_updates][0]=price&features[subscription_update][default_allowed_updates][1]=quantity&features[subscription_update][default_allowed_updates][2]=promotion_code&features[subscription_update][products][0][product]={pid}&features[subscription_update][products][0][prices][0]={}&features[subscription_update][products][0][prices][1]={}&features[subscription_update][products][0][adjustable_quantity][enabled]=true&login_page[enabled]=true",
        price["id"].as_str().unwrap(),
        price2["id"].as_str().unwrap()
    ));
    let session = api(
        w,
        "/v1/billing_portal/sessions",
        &format!(
            "customer={cid}&configuration={}&return_url=https%3A%2F%2Fapp.example.com%2F",
            config["id"].as_str().unwrap()
        ),
    );
    let url = session["url"].as_str().unwrap();
    let path = url
        .split("http://127.0.0.1:12111")
        .nth(1)
        .unwrap()
        .to_owned();
    let (status, body, headers) = call(w, "GET", &path, Vec::new(), &[]);
    assert_eq!(status, StatusCode::OK);
    let cookie = headers
        .get("set-cookie")
        .unwrap()
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let page = String::from_utf8(body).unwrap();
    // Stored markup and SQL are shown as text.
    assert!(
        !page.contains("<script>alert(1)</script>") && page.contains("&#60;script&#62;alert(1)"),
        "{}",
        &page[page.find("<main").unwrap_or(0)..]
    );
    assert!(!page.contains("<img src=x"));
    let (_, billing, _) = call(
        w,
        "GET",
        &format!("{path}/billing"),
        Vec::new(),
        &[("cookie", cookie.clone())],
    );
    let billing = String::from_utf8(billing).unwrap();
    let start = billing.find("name=\"csrf\" value=\"").unwrap() + 19;
    let csrf = billing[start..start + 32].to_owned();
    w.ids = vec![
        pid,
        cid,
        sub["id"].as_str().unwrap().to_owned(),
        price["id"].as_str().unwrap().to_owned(),
        config["id"].as_str().unwrap().to_owned(),
        sub["items"]["data"][0]["id"].as_str().unwrap().to_owned(),
        sub["latest_invoice"].as_str().unwrap().to_owned(),
        "cus_nope".into(),
        "%00".into(),
        "..%2F..%2Fetc".into(),
    ];
    w.sub = sub["id"].as_str().unwrap().to_owned();
    w.session = path;
    w.cookie = cookie;
    w.csrf = csrf;
}

/// Values with everything a hostile client tries: markup, SQL, NUL, control and wide
/// characters, very long strings, percent escapes that decode to invalid UTF-8.
fn value() -> impl Strategy<Value = String> {
    prop_oneof![
        "\\PC{0,40}",
        Just("<script>alert(1)</script>".to_owned()),
        Just("'; DROP TABLE objects; --".to_owned()),
        Just("\" OR \"1\"=\"1".to_owned()),
        Just("%00".to_owned()),
        Just("%ff%fe%fd".to_owned()),
        Just("%C0%AF".to_owned()),
        "[a-z]{1,5}".prop_map(|s| s.repeat(4000)),
        Just("-99999999999999999999".to_owned()),
        Just("1e309".to_owned()),
        Just("".to_owned()),
        Just("\u{202e}\u{0}\u{7}\u{1b}[31m".to_owned()),
    ]
}

/// Keys: real parameter names, with brackets (and broken brackets), nested deep.
fn key() -> impl Strategy<Value = String> {
    let names = prop::sample::select(vec![
        "email",
        "name",
        "customer",
        "items",
        "price",
        "quantity",
        "metadata",
        "flow_data",
        "type",
        "subscription",
        "features",
        "expand",
        "limit",
        "starting_after",
        "csrf",
        "number",
        "expiry",
        "cvc",
        "action",
        "reason",
        "comment",
        "promotion_code",
        "address_line1",
        "next",
        "outcome",
        "step",
        "discounts",
        "configuration",
        "locale",
        "return_url",
    ]);
    (
        prop::collection::vec(names, 1..10),
        prop::option::weighted(
            0.25,
            prop::sample::select(vec!["[", "]", "[]", "][", "[0]", "[99999999999]"]),
        ),
    )
        .prop_map(|(parts, odd)| {
            let mut k = parts[0].to_owned();
            for p in &parts[1..] {
                k.push('[');
                k.push_str(p);
                k.push(']');
            }
            if let Some(odd) = odd {
                k.push_str(odd);
            }
            k
        })
}

fn form() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        prop::collection::vec((key(), value()), 0..12).prop_map(|pairs| {
            let enc = |s: &str| -> String {
                if s.starts_with('%') {
                    s.to_owned()
                } else {
                    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
                }
            };
            pairs
                .iter()
                .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
                .collect::<Vec<_>>()
                .join("&")
                .into_bytes()
        }),
        prop::collection::vec(any::<u8>(), 0..600),
        Just(b"a[".repeat(200)),
        Just([b"x=".as_slice(), &vec![b'y'; 2 * 1024 * 1024]].concat()),
    ]
}

fn count(name: &str, n: &AtomicUsize) {
    eprintln!(
        "{name}: {} inputs tried, none answered 5xx",
        n.load(Ordering::Relaxed)
    );
}

fn runner() -> TestRunner {
    TestRunner::new(Config {
        failure_persistence: None,
        ..Config::default()
    })
}

#[test]
fn the_api_answers_garbage_with_stripe_errors() {
    let w = world();
    let n = AtomicUsize::new(0);
    let paths = prop::sample::select(vec![
        "/v1/customers",
        "/v1/customers/{}",
        "/v1/products/{}",
        "/v1/prices",
        "/v1/subscriptions",
        "/v1/subscriptions/{}",
        "/v1/subscription_items/{}",
        "/v1/invoices/{}/pay",
        "/v1/invoices/create_preview",
        "/v1/billing_portal/sessions",
        "/v1/billing_portal/configurations",
        "/v1/billing_portal/configurations/{}",
        "/v1/payment_methods",
        "/v1/setup_intents",
        "/v1/coupons",
        "/v1/promotion_codes",
        "/v1/webhook_endpoints",
        "/v1/events",
        "/v1/test_helpers/test_clocks",
        "/v1/{}",
    ]);
    let ids = prop::sample::select(w.ids.clone());
    let methods = prop::sample::select(vec!["GET", "POST", "DELETE"]);
    runner()
        .run(
            &(methods, paths, ids, form(), value()),
            |(method, path, id, body, version)| {
                n.fetch_add(1, Ordering::Relaxed);
                let mut path = path.replace("{}", &id);
                if method == "GET" && !body.is_empty() && body.len() < 4000 {
                    path = format!(
                        "{path}?{}",
                        String::from_utf8_lossy(&body).replace(['#', ' '], "")
                    );
                }
                let Ok(uri) = path.parse::<axum::http::Uri>() else {
                    return Ok(());
                };
                let mut headers = vec![("authorization", format!("Bearer {KEY}"))];
                if let Ok(v) = axum::http::HeaderValue::from_str(&version) {
                    if let Ok(s) = v.to_str() {
                        headers.push(("stripe-version", s.to_owned()));
                        headers.push(("idempotency-key", s.to_owned()));
                    }
                }
                let (status, bytes, _) = call(w, method, &uri.to_string(), body, &headers);
                prop_assert!(
                    status.as_u16() < 500,
                    "{method} {path}: {status} {}",
                    String::from_utf8_lossy(&bytes)
                );
                let json: Value = serde_json::from_slice(&bytes)
                    .map_err(|_| TestCaseError::fail(format!("{method} {path}: not JSON")))?;
                if status.as_u16() >= 400 {
                    prop_assert!(json["error"]["type"].is_string(), "{method} {path}: {json}");
                    prop_assert!(json["error"]["message"].is_string());
                }
                Ok(())
            },
        )
        .unwrap();
    count("API", &n);
}

#[test]
fn every_portal_form_answers_garbage_with_a_page() {
    let w = world();
    let n = AtomicUsize::new(0);
    let s = &w.session;
    let sub = &w.sub;
    let routes = prop::sample::select(vec![
        format!("{s}/billing"),
        format!("{s}/payment-methods"),
        format!("{s}/subscriptions/{sub}/cancel"),
        format!("{s}/subscriptions/{sub}/update"),
        format!("{s}/subscriptions/{sub}/renew"),
        format!("{s}/subscriptions/nope/cancel"),
        format!("{s}/payment-methods/pm_nope/remove"),
        format!("{s}/payment-methods/pm_nope/default"),
        "/p/authenticate/nope".to_owned(),
        "/p/login/nope".to_owned(),
        format!(
            "{s}/subscriptions/{sub}/update/preview?price=%00&quantity=-1&promotion_code=%3Cb%3E"
        ),
    ]);
    // Half the inputs carry the session's real CSRF token, so the handlers behind it run.
    let with_csrf = any::<bool>();
    runner()
        .run(&(routes, form(), with_csrf), |(route, body, with_csrf)| {
            n.fetch_add(1, Ordering::Relaxed);
            let body = if with_csrf {
                [format!("csrf={}&", w.csrf).as_bytes(), &body].concat()
            } else {
                body
            };
            let method = if route.contains('?') { "GET" } else { "POST" };
            let (status, bytes, _) = call(w, method, &route, body, &[("cookie", w.cookie.clone())]);
            prop_assert!(
                status.as_u16() < 500,
                "{route}: {status} {}",
                String::from_utf8_lossy(&bytes)
            );
            if status != StatusCode::SEE_OTHER {
                let text = String::from_utf8_lossy(&bytes);
                prop_assert!(
                    text.starts_with("<!doctype html>") || status == StatusCode::PAYLOAD_TOO_LARGE,
                    "{route}: {status} is not a page: {}",
                    text.chars().take(200).collect::<String>()
                );
                prop_assert!(!text.contains("<script>"), "{route}: markup leaked");
            }
            Ok(())
        })
        .unwrap();
    count("portal forms", &n);
}

#[test]
fn portal_pages_answer_garbage_paths_with_a_page() {
    let w = world();
    let n = AtomicUsize::new(0);
    let tails = prop::collection::vec(value(), 1..4);
    runner()
        .run(&tails, |tails| {
            n.fetch_add(1, Ordering::Relaxed);
            let tail: Vec<String> = tails
                .iter()
                .map(|t| url::form_urlencoded::byte_serialize(t.as_bytes()).collect())
                .collect();
            let path = format!("{}/{}", w.session, tail.join("/"));
            let Ok(uri) = path.parse::<axum::http::Uri>() else {
                return Ok(());
            };
            let (status, bytes, _) = call(
                w,
                "GET",
                &uri.to_string(),
                Vec::new(),
                &[("cookie", w.cookie.clone())],
            );
            prop_assert!(status.as_u16() < 500, "{path}: {status}");
            prop_assert!(
                status == StatusCode::SEE_OTHER
                    || String::from_utf8_lossy(&bytes).starts_with("<!doctype html>")
            );
            Ok(())
        })
        .unwrap();
    count("portal paths", &n);
}

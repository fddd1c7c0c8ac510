//! In-process API tests: the router driven with `oneshot`, on SQLite and on PostgreSQL
//! (`PORTICO_TEST_POSTGRES_URL`). They pin down the wire conventions every resource shares.

use axum::body::{to_bytes, Body};
use axum::http::{Request, StatusCode};
use axum::Router;
use portico_server::state::{Clock, ManualClock, Settings};
use portico_server::{router, KeyPolicy};
use portico_store::Store;
use serde_json::Value;
use std::sync::Arc;
use tower::ServiceExt;

struct Env {
    router: Router,
    app: portico_server::state::App,
    store: Arc<dyn Store>,
    clock: Arc<ManualClock>,
    _dir: Option<TempDir>,
}

struct TempDir(std::path::PathBuf);
impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

async fn env_with(url: String, dir: Option<TempDir>) -> Env {
    let store: Arc<dyn Store> = portico_store::open(&url).await.expect("open store");
    let clock = Arc::new(ManualClock::at(1_790_000_000));
    let app = portico_server::state::App::new(
        store.clone(),
        KeyPolicy::new(&[], true),
        clock.clone(),
        Settings::dev("http://127.0.0.1:12111"),
    );
    Env {
        router: router(app.clone()),
        app,
        store,
        clock,
        _dir: dir,
    }
}

async fn sqlite() -> Env {
    let dir = std::env::temp_dir().join(format!("portico-api-test-{}", rand::random::<u64>()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}/p.db", dir.display());
    env_with(url, Some(TempDir(dir))).await
}

async fn postgres() -> Option<Env> {
    match std::env::var("PORTICO_TEST_POSTGRES_URL") {
        Ok(url) if !url.is_empty() => Some(env_with(url, None).await),
        _ => {
            assert!(
                std::env::var("PORTICO_REQUIRE_POSTGRES").as_deref() != Ok("1"),
                "PostgreSQL required but not configured"
            );
            None
        }
    }
}

/// A fresh test key: its own empty account.
fn key() -> String {
    format!("sk_test_{}", rand::random::<u64>())
}

struct Resp {
    status: StatusCode,
    headers: axum::http::HeaderMap,
    json: Value,
}

async fn send(
    env: &Env,
    method: &str,
    path: &str,
    key: Option<&str>,
    body: impl Into<Body>,
    extra: &[(&str, &str)],
) -> Resp {
    let mut req = Request::builder()
        .method(method)
        .uri(path)
        .header("content-type", "application/x-www-form-urlencoded");
    if let Some(k) = key {
        req = req.header("authorization", format!("Bearer {k}"));
    }
    for (h, v) in extra {
        req = req.header(*h, *v);
    }
    let resp = env
        .router
        .clone()
        .oneshot(req.body(body.into()).unwrap())
        .await
        .unwrap();
    let status = resp.status();
    let headers = resp.headers().clone();
    let bytes = to_bytes(resp.into_body(), usize::MAX).await.unwrap();
    let json = serde_json::from_slice(&bytes)
        .unwrap_or_else(|_| panic!("not JSON: {}", String::from_utf8_lossy(&bytes)));
    Resp {
        status,
        headers,
        json,
    }
}

async fn post(env: &Env, path: &str, key: &str, body: &str) -> Resp {
    send(env, "POST", path, Some(key), body.to_owned(), &[]).await
}

async fn get(env: &Env, path: &str, key: &str) -> Resp {
    send(env, "GET", path, Some(key), Body::empty(), &[]).await
}

fn assert_error(r: &Resp, status: u16, kind: &str) {
    assert_eq!(r.status.as_u16(), status, "{}", r.json);
    assert_eq!(r.json["error"]["type"], kind, "{}", r.json);
    assert!(r.json["error"]["message"]
        .as_str()
        .is_some_and(|m| !m.is_empty()));
}

async fn malformed_input_is_a_4xx_stripe_error(env: Env) {
    let k = key();
    let cases: Vec<(&str, Vec<u8>, u16)> = vec![
        ("unbalanced bracket", b"address[city=Paris".to_vec(), 400),
        ("stray bracket", b"address]city=Paris".to_vec(), 400),
        ("text after bracket", b"address[city]x=Paris".to_vec(), 400),
        ("unknown param", b"foo=bar".to_vec(), 400),
        ("unknown nested param", b"address[foo]=bar".to_vec(), 400),
        ("wrong type: object for string", b"email[a]=b".to_vec(), 400),
        (
            "wrong type: string for object",
            b"address=Paris".to_vec(),
            400,
        ),
        ("wrong type: integer", b"balance=ten".to_vec(), 400),
        ("non-UTF-8 value", b"name=%FF%FE%FD".to_vec(), 400),
        (
            "non-UTF-8 raw bytes",
            vec![b'n', b'a', b'm', b'e', b'=', 0xC3, 0x28],
            400,
        ),
        ("non-UTF-8 key", b"na%FFme=x".to_vec(), 400),
        (
            "value and object at once",
            b"metadata=x&metadata[a]=b".to_vec(),
            400,
        ),
        (
            "100-deep nesting",
            format!("metadata{}=1", "[a]".repeat(100)).into_bytes(),
            400,
        ),
        ("10 MB body", vec![b'a'; 10 * 1024 * 1024], 413),
        ("NUL bytes", b"name=a%00b&foo%00=1".to_vec(), 400),
    ];
    for (what, body, status) in cases {
        let r = send(&env, "POST", "/v1/customers", Some(&k), body, &[]).await;
        assert_eq!(r.status.as_u16(), status, "{what}: {}", r.json);
        assert_eq!(r.json["error"]["type"], "invalid_request_error", "{what}");
    }
    // A JSON body is refused, not misread.
    let r = send(
        &env,
        "POST",
        "/v1/customers",
        Some(&k),
        "{\"email\":\"a@b.c\"}",
        &[("content-type", "application/json")],
    )
    .await;
    assert_error(&r, 400, "invalid_request_error");
    // Malformed query strings on GET too.
    let r = get(&env, "/v1/customers?limit[=3", &k).await;
    assert_error(&r, 400, "invalid_request_error");
    let r = get(&env, "/v1/customers?limit=abc", &k).await;
    assert_eq!(r.json["error"]["code"], "parameter_invalid_integer");
    // Nothing was created by any of it.
    let r = get(&env, "/v1/customers", &k).await;
    assert_eq!(r.json["data"].as_array().unwrap().len(), 0);
}

async fn error_shapes_match_stripe(env: Env) {
    let k = key();
    let r = post(&env, "/v1/customers", &k, "foo=bar").await;
    assert_eq!(r.json["error"]["code"], "parameter_unknown");
    assert_eq!(r.json["error"]["param"], "foo");
    assert_eq!(
        r.json["error"]["message"],
        "Received unknown parameter: foo"
    );
    assert_eq!(
        r.json["error"]["doc_url"],
        "https://stripe.com/docs/error-codes/parameter-unknown"
    );
    let r = post(&env, "/v1/customers", &k, "address[foo]=bar").await;
    assert_eq!(r.json["error"]["param"], "address[foo]");
    let r = post(&env, "/v1/products", &k, "").await;
    assert_eq!(
        (
            r.json["error"]["code"].as_str(),
            r.json["error"]["param"].as_str()
        ),
        (Some("parameter_missing"), Some("name"))
    );
    let r = post(
        &env,
        "/v1/prices",
        &k,
        "currency=usd&unit_amount=5&recurring[interval_count]=2&product_data[name]=x",
    )
    .await;
    assert_eq!(r.json["error"]["param"], "recurring[interval]");
    let r = post(&env, "/v1/products", &k, "name=").await;
    assert_eq!(r.json["error"]["code"], "parameter_invalid_empty");
    let r = post(&env, "/v1/customers", &k, "tax_exempt=sometimes").await;
    assert_eq!(
        r.json["error"]["message"],
        "Invalid tax_exempt: must be one of none, reverse, or exempt"
    );
    let r = get(&env, "/v1/customers/cus_nope", &k).await;
    assert_eq!(r.status, 404);
    assert_eq!(r.json["error"]["code"], "resource_missing");
    assert_eq!(r.json["error"]["message"], "No such customer: 'cus_nope'");
    let r = post(
        &env,
        "/v1/prices",
        &k,
        "currency=usd&unit_amount=5&product=prod_nope",
    )
    .await;
    assert_eq!(
        (r.status.as_u16(), r.json["error"]["param"].as_str()),
        (400, Some("product"))
    );
    // Unknown routes and methods.
    let r = get(&env, "/v1/foo", &k).await;
    assert_eq!(r.status, 404);
    assert!(r.json["error"]["message"]
        .as_str()
        .unwrap()
        .starts_with("Unrecognized request URL (GET: /v1/foo)."));
    let r = send(
        &env,
        "DELETE",
        "/v1/prices/price_x",
        Some(&k),
        Body::empty(),
        &[],
    )
    .await;
    assert_eq!(r.status, 404);
    assert!(r.json["error"]["message"]
        .as_str()
        .unwrap()
        .starts_with("Unrecognized request URL (DELETE: /v1/prices/price_x)."));
    // Authentication.
    let r = send(&env, "GET", "/v1/customers", None, Body::empty(), &[]).await;
    assert_error(&r, 401, "invalid_request_error");
    let r = send(
        &env,
        "GET",
        "/v1/customers",
        Some("sk_live_nope"),
        Body::empty(),
        &[],
    )
    .await;
    assert_eq!(r.status, 401);
    assert_eq!(r.headers["www-authenticate"], "Bearer realm=\"Stripe\"");
    // Every response carries a request id and the API version.
    assert!(r.headers["request-id"]
        .to_str()
        .unwrap()
        .starts_with("req_"));
    let r = send(
        &env,
        "GET",
        "/v1/customers",
        Some(&k),
        Body::empty(),
        &[("stripe-version", "2024-06-20")],
    )
    .await;
    assert_eq!(r.headers["stripe-version"], "2024-06-20");
}

async fn keys_are_isolated_accounts(env: Env) {
    let (a, b) = (key(), key());
    let c = post(&env, "/v1/customers", &a, "email=a%40x.io").await;
    let id = c.json["id"].as_str().unwrap().to_owned();
    let p = post(&env, "/v1/products", &a, "name=Secret").await;
    let pid = p.json["id"].as_str().unwrap().to_owned();
    assert_eq!(
        get(&env, &format!("/v1/customers/{id}"), &b).await.status,
        404
    );
    assert_eq!(
        get(&env, &format!("/v1/products/{pid}"), &b).await.status,
        404
    );
    assert_eq!(
        post(&env, &format!("/v1/customers/{id}"), &b, "name=x")
            .await
            .status,
        404
    );
    assert_eq!(
        send(
            &env,
            "DELETE",
            &format!("/v1/customers/{id}"),
            Some(&b),
            Body::empty(),
            &[]
        )
        .await
        .status,
        404
    );
    assert_eq!(
        get(&env, "/v1/customers", &b).await.json["data"]
            .as_array()
            .unwrap()
            .len(),
        0
    );
    assert_eq!(
        get(&env, "/v1/products", &b).await.json["data"]
            .as_array()
            .unwrap()
            .len(),
        0
    );
    let r = post(
        &env,
        "/v1/prices",
        &b,
        &format!("currency=usd&unit_amount=5&product={pid}"),
    )
    .await;
    assert_eq!(r.json["error"]["code"], "resource_missing");
    // The owner still sees everything.
    assert_eq!(
        get(&env, "/v1/customers", &a).await.json["data"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

async fn idempotent_replay_and_mismatch(env: Env) {
    let k = key();
    let h = [("idempotency-key", "idem-1")];
    let first = send(
        &env,
        "POST",
        "/v1/customers",
        Some(&k),
        "email=a%40x.io",
        &h,
    )
    .await;
    let again = send(
        &env,
        "POST",
        "/v1/customers",
        Some(&k),
        "email=a%40x.io",
        &h,
    )
    .await;
    assert_eq!(first.json, again.json);
    assert_eq!(again.headers["idempotent-replayed"], "true");
    assert!(!first.headers.contains_key("idempotent-replayed"));
    let other = send(
        &env,
        "POST",
        "/v1/customers",
        Some(&k),
        "email=b%40x.io",
        &h,
    )
    .await;
    assert_error(&other, 400, "idempotency_error");
    let elsewhere = send(&env, "POST", "/v1/products", Some(&k), "name=x", &h).await;
    assert_error(&elsewhere, 400, "idempotency_error");
    assert_eq!(
        get(&env, "/v1/customers", &k).await.json["data"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    // A validation error is not saved: the corrected request with the same key runs.
    let h2 = [("idempotency-key", "idem-2")];
    let bad = send(&env, "POST", "/v1/products", Some(&k), "name=", &h2).await;
    assert_eq!(bad.status, 400);
    let good = send(&env, "POST", "/v1/products", Some(&k), "name=Pro", &h2).await;
    assert_eq!(good.status, 200);
    // Keys are per account.
    let k2 = key();
    let mine = send(
        &env,
        "POST",
        "/v1/customers",
        Some(&k2),
        "email=z%40x.io",
        &h,
    )
    .await;
    assert_eq!(mine.status, 200);
    assert_ne!(mine.json["id"], first.json["id"]);
}

async fn concurrent_duplicates_execute_once(env: Env) {
    let k = key();
    let mut tasks = Vec::new();
    for _ in 0..12 {
        let router = env.router.clone();
        let k = k.clone();
        tasks.push(tokio::spawn(async move {
            let req = Request::builder()
                .method("POST")
                .uri("/v1/customers")
                .header("authorization", format!("Bearer {k}"))
                .header("idempotency-key", "race")
                .body(Body::from("email=race%40x.io"))
                .unwrap();
            router.oneshot(req).await.unwrap().status().as_u16()
        }));
    }
    let mut statuses = Vec::new();
    for t in tasks {
        statuses.push(t.await.unwrap());
    }
    assert!(
        statuses.iter().all(|s| *s == 200 || *s == 409),
        "{statuses:?}"
    );
    assert!(statuses.contains(&200));
    let list = get(&env, "/v1/customers", &k).await;
    assert_eq!(
        list.json["data"].as_array().unwrap().len(),
        1,
        "{statuses:?}"
    );
}

async fn pagination_walks_every_object_once(env: Env) {
    let k = key();
    let mut created = Vec::new();
    for i in 0..25 {
        created.push(
            post(&env, "/v1/customers", &k, &format!("name=c{i}"))
                .await
                .json["id"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    let mut seen = Vec::new();
    let mut url = "/v1/customers?limit=7".to_owned();
    loop {
        let page = get(&env, &url, &k).await;
        assert_eq!(page.json["url"], "/v1/customers");
        let data = page.json["data"].as_array().unwrap();
        seen.extend(data.iter().map(|c| c["id"].as_str().unwrap().to_owned()));
        if !page.json["has_more"].as_bool().unwrap() {
            break;
        }
        url = format!(
            "/v1/customers?limit=7&starting_after={}",
            seen.last().unwrap()
        );
    }
    created.reverse();
    assert_eq!(seen, created, "newest first, each once");
    // Backwards from the oldest.
    let page = get(
        &env,
        &format!("/v1/customers?limit=3&ending_before={}", created[24]),
        &k,
    )
    .await;
    let ids: Vec<&str> = page.json["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        created[21..24]
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>()
    );
    // Limits.
    for bad in ["0", "101", "-1"] {
        let r = get(&env, &format!("/v1/customers?limit={bad}"), &k).await;
        assert_eq!(
            (r.status.as_u16(), r.json["error"]["param"].as_str()),
            (400, Some("limit"))
        );
    }
    let r = get(&env, "/v1/customers?starting_after=cus_gone", &k).await;
    assert_eq!(
        (r.status.as_u16(), r.json["error"]["param"].as_str()),
        (400, Some("starting_after"))
    );
}

async fn brackets_expand_and_unset(env: Env) {
    let k = key();
    let body = "name=Pro&default_price_data%5Bcurrency%5D=usd&default_price_data%5Bunit_amount%5D=1500\
                &default_price_data%5Brecurring%5D%5Binterval%5D=month&expand%5B%5D=default_price&metadata%5Btier%5D=gold";
    let p = post(&env, "/v1/products", &k, body).await;
    assert_eq!(p.status, 200, "{}", p.json);
    assert_eq!(p.json["default_price"]["unit_amount"], 1500);
    assert_eq!(p.json["metadata"]["tier"], "gold");
    let pid = p.json["id"].as_str().unwrap();
    let list = get(
        &env,
        &format!("/v1/prices?expand[0]=data.product&product={pid}"),
        &k,
    )
    .await;
    assert_eq!(list.json["data"][0]["product"]["id"], pid);
    let q = get(&env, "/v1/products?expand%5B%5D=data.default_price", &k).await;
    assert_eq!(q.json["data"][0]["default_price"]["object"], "price");
    let r = get(&env, &format!("/v1/products/{pid}?expand[]=name"), &k).await;
    assert_eq!(
        r.json["error"]["message"],
        "This property cannot be expanded (name)."
    );
    // Nullable references expand to null, as Stripe's do.
    let c = post(
        &env,
        "/v1/customers",
        &k,
        "expand[]=invoice_settings.default_payment_method&expand[]=test_clock",
    )
    .await;
    assert_eq!(c.status, 200, "{}", c.json);
    assert_eq!(
        c.json["invoice_settings"]["default_payment_method"],
        Value::Null
    );
    let r = post(&env, "/v1/customers", &k, "expand[]=invoice_settings").await;
    assert_eq!(
        r.json["error"]["message"],
        "This property cannot be expanded (invoice_settings)."
    );
    let r = get(&env, "/v1/products?expand[]=default_price", &k).await;
    assert!(r.json["error"]["message"]
        .as_str()
        .unwrap()
        .contains("data.default_price"));
    let r = get(
        &env,
        "/v1/products?expand[]=data.default_price.product.default_price.product",
        &k,
    )
    .await;
    assert_eq!(r.json["error"]["code"], "property_expansion_max_depth");
    // Unset one metadata key, then all, then a nullable field.
    let c = post(
        &env,
        "/v1/customers",
        &k,
        "metadata[a]=1&metadata[b]=2&description=hi&name=A+B",
    )
    .await;
    assert_eq!(c.json["name"], "A B");
    let id = c.json["id"].as_str().unwrap();
    let c = post(
        &env,
        &format!("/v1/customers/{id}"),
        &k,
        "metadata[a]=&description=",
    )
    .await;
    assert_eq!(c.json["metadata"], serde_json::json!({"b": "2"}));
    assert_eq!(c.json["description"], Value::Null);
    let c = post(&env, &format!("/v1/customers/{id}"), &k, "metadata=").await;
    assert_eq!(c.json["metadata"], serde_json::json!({}));
}

async fn nothing_is_written_when_the_request_is_refused(env: Env) {
    let k = key();
    // A bad expand path is refused before the customer is created, so a retry cannot duplicate it.
    for body in [
        "email=a%40x.io&expand[]=nope",
        "email=a%40x.io&expand[]=a.b.c.d.e",
    ] {
        let h = [("idempotency-key", "refused")];
        let r = send(&env, "POST", "/v1/customers", Some(&k), body.to_owned(), &h).await;
        assert_eq!(r.status, 400, "{}", r.json);
        let again = send(&env, "POST", "/v1/customers", Some(&k), body.to_owned(), &h).await;
        assert_eq!(again.status, 400);
    }
    let r = post(&env, "/v1/products", &k, "name=P&default_price_data[currency]=usd&default_price_data[unit_amount]=5&expand[]=default_price.nope").await;
    assert_eq!(r.status, 400);
    assert_eq!(
        get(&env, "/v1/customers", &k).await.json["data"]
            .as_array()
            .unwrap()
            .len(),
        0
    );
    assert_eq!(
        get(&env, "/v1/products", &k).await.json["data"]
            .as_array()
            .unwrap()
            .len(),
        0
    );
    // Parameters in a POST's query string, and Connect's header, are refused rather than ignored.
    let r = post(&env, "/v1/customers?email=a%40x.io", &k, "").await;
    assert_eq!(r.status, 400);
    let r = send(
        &env,
        "POST",
        "/v1/customers",
        Some(&k),
        "name=x",
        &[("stripe-account", "acct_other")],
    )
    .await;
    assert_eq!(r.status, 400);
    assert_eq!(
        get(&env, "/v1/customers", &k).await.json["data"]
            .as_array()
            .unwrap()
            .len(),
        0
    );
}

async fn idempotency_ignores_parameter_order(env: Env) {
    let k = key();
    let h = [("idempotency-key", "order")];
    let a = send(
        &env,
        "POST",
        "/v1/customers",
        Some(&k),
        "email=a%40x.io&name=Ada",
        &h,
    )
    .await;
    let b = send(
        &env,
        "POST",
        "/v1/customers",
        Some(&k),
        "name=Ada&email=a%40x.io",
        &h,
    )
    .await;
    assert_eq!(b.headers["idempotent-replayed"], "true");
    assert_eq!(a.json["id"], b.json["id"]);
}

async fn racing_lookup_keys_never_500(env: Env) {
    let k = key();
    let p = post(&env, "/v1/products", &k, "name=P").await.json["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut prices = Vec::new();
    for _ in 0..6 {
        prices.push(
            post(
                &env,
                "/v1/prices",
                &k,
                &format!("currency=usd&unit_amount=5&product={p}"),
            )
            .await
            .json["id"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    let mut tasks = Vec::new();
    for (i, price) in prices.iter().enumerate() {
        let router = env.router.clone();
        let (k, price) = (k.clone(), price.clone());
        let body = if i % 2 == 0 {
            "lookup_key=std&transfer_lookup_key=true"
        } else {
            "lookup_key=std"
        };
        tasks.push(tokio::spawn(async move {
            let req = Request::builder()
                .method("POST")
                .uri(format!("/v1/prices/{price}"))
                .header("authorization", format!("Bearer {k}"))
                .body(Body::from(body))
                .unwrap();
            router.oneshot(req).await.unwrap().status().as_u16()
        }));
    }
    for t in tasks {
        let status = t.await.unwrap();
        assert!(status == 200 || status == 400 || status == 409, "{status}");
    }
    // Exactly one price holds the key.
    let holders = get(&env, "/v1/prices?lookup_keys[]=std", &k).await;
    assert_eq!(holders.json["data"].as_array().unwrap().len(), 1);
}

async fn no_price_outlives_its_product(env: Env) {
    let k = key();
    for round in 0..4 {
        let p = post(&env, "/v1/products", &k, &format!("name=P{round}"))
            .await
            .json["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let mut tasks = Vec::new();
        for i in 0..5 {
            let router = env.router.clone();
            let (k, p) = (k.clone(), p.clone());
            tasks.push(tokio::spawn(async move {
                let (method, uri, body) = if i == 2 {
                    ("DELETE", format!("/v1/products/{p}"), String::new())
                } else {
                    (
                        "POST",
                        "/v1/prices".to_owned(),
                        format!("currency=usd&unit_amount=5&product={p}"),
                    )
                };
                let req = Request::builder()
                    .method(method)
                    .uri(uri)
                    .header("authorization", format!("Bearer {k}"))
                    .body(Body::from(body))
                    .unwrap();
                router.oneshot(req).await.unwrap().status().as_u16()
            }));
        }
        for t in tasks {
            let status = t.await.unwrap();
            assert!(status < 500, "{status}");
        }
        let product = get(&env, &format!("/v1/products/{p}"), &k).await;
        let prices = get(&env, &format!("/v1/prices?product={p}"), &k).await;
        let n = prices.json["data"].as_array().unwrap().len();
        if product.status == 404 {
            assert_eq!(n, 0, "a price points at a deleted product");
        } else {
            assert!(n >= 1, "the delete was refused, so a price exists");
        }
    }
}

/// The URL of a new portal session (homepage) for `customer`.
async fn session_url(env: &Env, k: &str, customer: &str) -> String {
    let made = post(
        env,
        "/v1/billing_portal/sessions",
        k,
        &format!("customer={customer}&return_url=https%3A%2F%2Fapp.example.com%2F"),
    )
    .await;
    assert_eq!(made.status, StatusCode::OK, "{}", made.json);
    made.json["url"].as_str().unwrap().to_owned()
}

/// The status of a hosted page at `url` (under the test server's public URL), opened without
/// cookies.
async fn page_status(env: &Env, url: String) -> StatusCode {
    let path = url
        .strip_prefix("http://127.0.0.1:12111")
        .unwrap()
        .to_owned();
    let req = Request::builder().uri(path).body(Body::empty()).unwrap();
    env.router.clone().oneshot(req).await.unwrap().status()
}

/// A session link opens its page whether its lookup is stored under the current key (the
/// link's head, then its hash) or, as links made by earlier versions are, under the hash alone.
async fn session_links_open_by_new_and_old_keys(env: Env) {
    let k = key();
    let cus = post(&env, "/v1/customers", &k, "email=links@example.com").await;
    let cus = cus.json["id"].as_str().unwrap().to_owned();
    let open = |url: String| page_status(&env, url);
    let session = || session_url(&env, &k, &cus);
    assert_eq!(open(session().await).await, StatusCode::OK);

    // A link stored the old way: its lookup moved to the plain hash.
    let url = session().await;
    let token = url.rsplit('/').next().unwrap().to_owned();
    let new_key = portico_server::pages::portal::link_key(&token);
    let old_key = portico_server::api::setup_intent::token_hash(&token);
    assert_ne!(new_key, old_key);
    let record = env.store.find_token(&new_key).await.unwrap().unwrap();
    let account = record.account.clone();
    env.store
        .commit(
            &account,
            vec![
                portico_store::Write::DeleteToken(new_key.clone()),
                portico_store::Write::Token(portico_store::TokenRecord {
                    token_hash: old_key,
                    ..record
                }),
            ],
        )
        .await
        .unwrap();
    assert!(env.store.find_token(&new_key).await.unwrap().is_none());
    assert_eq!(open(url.clone()).await, StatusCode::OK);
    // A link nobody made opens nothing.
    let forged = format!("{}{}", &url[..url.len() - 4], "AAAA");
    assert_eq!(open(forged).await, StatusCode::NOT_FOUND);
}

/// A link's lookup is kept while its session can still be used: made, it lasts as long as an
/// unopened link; opened and used, it moves with each recorded use. Pruning takes only links
/// whose sessions are over, and such a link then opens nothing.
async fn link_lookups_last_while_their_sessions_do(env: Env) {
    let k = key();
    let cus = post(&env, "/v1/customers", &k, "email=prune@example.com").await;
    let cus = cus.json["id"].as_str().unwrap().to_owned();
    let session = || async {
        let url = session_url(&env, &k, &cus).await;
        let token = url.rsplit('/').next().unwrap().to_owned();
        let path = url
            .strip_prefix("http://127.0.0.1:12111")
            .unwrap()
            .to_owned();
        (path, portico_server::pages::portal::link_key(&token))
    };
    let open = |path: String, cookie: Option<String>| {
        let router = env.router.clone();
        async move {
            let mut req = Request::builder().uri(path);
            if let Some(c) = cookie {
                req = req.header("cookie", c);
            }
            let res = router
                .oneshot(req.body(Body::empty()).unwrap())
                .await
                .unwrap();
            let cookie = res
                .headers()
                .get_all("set-cookie")
                .iter()
                .filter_map(|v| v.to_str().ok()?.split(';').next().map(str::to_owned))
                .collect::<Vec<_>>()
                .join("; ");
            (res.status(), cookie)
        }
    };
    let expiry = |key: String| {
        let store = env.store.clone();
        async move { store.find_token(&key).await.unwrap().map(|t| t.expires_at) }
    };
    // Years before the time the other stories run at: pruning, which forgets expired tokens
    // of every account, takes none of theirs on a shared PostgreSQL database.
    let start = 1_000_000_000;
    env.clock.set(start);
    let (used, used_key) = session().await;
    let (unopened, unopened_key) = session().await;
    assert_eq!(expiry(used_key.clone()).await, Some(start + 300));

    let (status, cookie) = open(used.clone(), None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(expiry(used_key.clone()).await, Some(start + 3_600));
    // Fifty minutes on, the same browser comes back: the use is recorded, the lookup moves.
    env.clock.set(start + 3_000);
    assert_eq!(
        open(used.clone(), Some(cookie.clone())).await.0,
        StatusCode::OK
    );
    assert_eq!(expiry(used_key.clone()).await, Some(start + 6_600));

    // Past the unopened link's expiry: pruning forgets it, and keeps the one in use.
    env.clock.set(start + 4_000);
    assert!(env.store.prune_tokens(start + 4_000).await.unwrap() >= 1);
    assert_eq!(expiry(unopened_key).await, None);
    assert_eq!(open(unopened, None).await.0, StatusCode::NOT_FOUND);
    assert_eq!(expiry(used_key).await, Some(start + 6_600));
    assert_eq!(open(used, Some(cookie)).await.0, StatusCode::OK);
}

/// An invoice's hosted page opens by its link alone; a link changed in any way opens nothing,
/// nor does one for another account's invoice. A link works thirty days after the invoice is
/// finalized; after that the page says it has expired, and the invoice read again from the API
/// carries a new link that works for at least ten more days.
async fn hosted_invoice_links_are_signed_and_expire(env: Env) {
    let k = key();
    let product = post(
        &env,
        "/v1/products",
        &k,
        "name=Team&default_price_data[currency]=usd&default_price_data[unit_amount]=900&default_price_data[recurring][interval]=month",
    )
    .await;
    let price = product.json["default_price"].as_str().unwrap().to_owned();
    let cus = post(
        &env,
        "/v1/customers",
        &k,
        "payment_method=pm_card_chargeCustomerFail&invoice_settings[default_payment_method]=pm_card_chargeCustomerFail",
    )
    .await;
    let cus = cus.json["id"].as_str().unwrap().to_owned();
    let sub = post(
        &env,
        "/v1/subscriptions",
        &k,
        &format!("customer={cus}&items[0][price]={price}&expand[0]=latest_invoice"),
    )
    .await;
    assert_eq!(sub.json["status"], "incomplete", "{}", sub.json);
    let inv = sub.json["latest_invoice"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let url = sub.json["latest_invoice"]["hosted_invoice_url"]
        .as_str()
        .unwrap()
        .to_owned();
    let open = |url: String| page_status(&env, url);
    assert_eq!(open(url.clone()).await, StatusCode::OK);
    // The same link while the invoice is young, whoever reads it.
    let again = get(&env, &format!("/v1/invoices/{inv}"), &k).await;
    assert_eq!(again.json["hosted_invoice_url"], url.as_str());
    // Changed anywhere, it opens nothing.
    let cut = url.len() - 3;
    let flipped = if &url[cut..cut + 1] == "A" { "B" } else { "A" };
    let forged = format!("{}{flipped}{}", &url[..cut], &url[cut + 1..]);
    assert_eq!(open(forged).await, StatusCode::NOT_FOUND);
    assert_eq!(open(format!("{url}x")).await, StatusCode::NOT_FOUND);
    // Another account's invoice of the same id, were there one, would need its own signature.
    let token = url.rsplit('/').next().unwrap();
    let (payload, sig) = token.split_once('.').unwrap();
    use base64::Engine;
    let engine = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let text = String::from_utf8(engine.decode(payload).unwrap()).unwrap();
    let other = text.replacen("acct_", "acct_0", 1);
    let moved = format!(
        "http://127.0.0.1:12111/p/invoice/{}.{sig}",
        engine.encode(other)
    );
    assert_eq!(open(moved).await, StatusCode::NOT_FOUND);
    // A month and a day later the link has expired; read again, the invoice has a new one.
    env.clock.set(env.clock.now() + 31 * 86_400);
    assert_eq!(open(url.clone()).await, StatusCode::GONE);
    // The expired page names the business to ask for a new link, once it has a name.
    let expired_text = |url: String| {
        let router = env.router.clone();
        async move {
            let path = url
                .strip_prefix("http://127.0.0.1:12111")
                .unwrap()
                .to_owned();
            let req = Request::builder().uri(path).body(Body::empty()).unwrap();
            let resp = router.oneshot(req).await.unwrap();
            let bytes = to_bytes(resp.into_body(), usize::MAX).await.unwrap();
            String::from_utf8_lossy(&bytes).into_owned()
        }
    };
    assert!(expired_text(url.clone())
        .await
        .contains("Contact the business that sent you"));
    let account = portico_server::auth::account_for(&k);
    let update = portico_domain::branding::BrandingUpdate {
        business_name: Some(Some("Acme & Co".into())),
        ..Default::default()
    };
    portico_server::operator::set_branding(&env.app, &account, update, env.clock.now())
        .await
        .unwrap();
    let named = expired_text(url.clone()).await;
    assert!(
        named.contains("Contact Acme &#38; Co for a new link."),
        "{named}"
    );
    let later = get(&env, &format!("/v1/invoices/{inv}"), &k).await;
    let fresh = later.json["hosted_invoice_url"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_ne!(fresh, url);
    assert_eq!(open(fresh.clone()).await, StatusCode::OK);
    env.clock.set(env.clock.now() + 10 * 86_400 - 1);
    assert_eq!(open(fresh).await, StatusCode::OK);
    // A draft has no link.
    let draft = post(&env, "/v1/invoices", &k, &format!("customer={cus}")).await;
    assert_eq!(draft.json["status"], "draft", "{}", draft.json);
    assert!(draft.json["hosted_invoice_url"].is_null());
}

macro_rules! on_both {
    ($($name:ident),* $(,)?) => {
        mod on_sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() { super::$name(super::sqlite().await).await; }
            )*
        }
        mod on_postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    if let Some(env) = super::postgres().await { super::$name(env).await; }
                }
            )*
        }
    };
}

on_both!(
    malformed_input_is_a_4xx_stripe_error,
    session_links_open_by_new_and_old_keys,
    link_lookups_last_while_their_sessions_do,
    error_shapes_match_stripe,
    keys_are_isolated_accounts,
    idempotent_replay_and_mismatch,
    concurrent_duplicates_execute_once,
    pagination_walks_every_object_once,
    brackets_expand_and_unset,
    nothing_is_written_when_the_request_is_refused,
    idempotency_ignores_parameter_order,
    racing_lookup_keys_never_500,
    no_price_outlives_its_product,
    hosted_invoice_links_are_signed_and_expire,
);

/// An app on SQLite whose clock the test sets, for the background workers' tests.
async fn clocked(
    t: i64,
    webhooks: portico_server::webhooks::WebhookSettings,
) -> (Env, portico_server::state::App, Arc<ManualClock>) {
    let dir = std::env::temp_dir().join(format!("portico-clocked-test-{}", rand::random::<u64>()));
    std::fs::create_dir_all(&dir).unwrap();
    let store: Arc<dyn Store> = portico_store::open(&format!("sqlite://{}/p.db", dir.display()))
        .await
        .unwrap();
    let clock = Arc::new(ManualClock::at(t));
    let app = portico_server::state::App::new(
        store.clone(),
        KeyPolicy::new(&[], true),
        clock.clone(),
        Settings {
            webhooks,
            ..Settings::dev("http://x")
        },
    );
    let env = Env {
        router: router(app.clone()),
        app: app.clone(),
        store,
        clock: clock.clone(),
        _dir: Some(TempDir(dir)),
    };
    (env, app, clock)
}

/// A recurring price of `amount` cents each `interval`, and a customer whose default card is
/// `pm_card_visa`.
async fn price_and_carded_customer(
    env: &Env,
    k: &str,
    amount: i64,
    interval: &str,
) -> (String, String) {
    let product = post(env, "/v1/products", k, &format!("name=P&default_price_data[currency]=usd&default_price_data[unit_amount]={amount}&default_price_data[recurring][interval]={interval}")).await;
    let price = product.json["default_price"].as_str().unwrap().to_owned();
    let cus = post(
        env,
        "/v1/customers",
        k,
        "payment_method=pm_card_visa&invoice_settings[default_payment_method]=pm_card_visa",
    )
    .await;
    (price, cus.json["id"].as_str().unwrap().to_owned())
}

/// Subscriptions on the server clock renew when the billing worker finds them due.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_worker_renews_on_the_server_clock() {
    let (env, app, clock) = clocked(
        1_790_000_000,
        portico_server::webhooks::WebhookSettings::dev(),
    )
    .await;
    let k = key();
    let (price, cus) = price_and_carded_customer(&env, &k, 700, "week").await;
    let sub = post(
        &env,
        "/v1/subscriptions",
        &k,
        &format!("customer={cus}&items[0][price]={price}"),
    )
    .await;
    assert_eq!(sub.json["status"], "active", "{}", sub.json);
    let id = sub.json["id"].as_str().unwrap().to_owned();
    assert_eq!(
        portico_server::billing::run_once(&app).await,
        0,
        "nothing due yet"
    );
    clock.set(1_790_000_000 + 15 * 86_400);
    assert_eq!(
        portico_server::billing::run_once(&app).await,
        6,
        "two weekly renewals fell due, each with its notice (too late to send) and its draft's \
         finalization an hour on"
    );
    let notices = get(&env, "/v1/events?type=invoice.upcoming", &k).await;
    assert_eq!(
        notices.json["data"],
        serde_json::json!([]),
        "no late notices"
    );
    let after = get(&env, &format!("/v1/subscriptions/{id}"), &k).await;
    assert_eq!(
        after.json["items"]["data"][0]["current_period_start"],
        1_790_000_000 + 14 * 86_400
    );
    let invoices = get(&env, &format!("/v1/invoices?subscription={id}"), &k).await;
    let paid: Vec<i64> = invoices.json["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["amount_paid"].as_i64().unwrap())
        .collect();
    assert_eq!(paid, vec![700, 700, 700]);
    assert_eq!(
        portico_server::billing::run_once(&app).await,
        0,
        "done until the next notice"
    );
    // Three days before the third renewal, its notice goes out on time.
    clock.set(1_790_000_000 + 18 * 86_400 + 60);
    assert_eq!(portico_server::billing::run_once(&app).await, 1);
    let notices = get(&env, "/v1/events?type=invoice.upcoming", &k).await;
    let notice = &notices.json["data"][0]["data"]["object"];
    // Stripe's window looks back: the week that ends at the renewal.
    assert_eq!(notice["period_end"], 1_790_000_000 + 21 * 86_400);
    assert_eq!(notice["period_start"], 1_790_000_000 + 14 * 86_400);
    assert_eq!(notice["amount_due"], 700);
    assert!(notice.get("id").is_none(), "{notice}");
    assert_eq!(
        portico_server::billing::run_once(&app).await,
        0,
        "done until the next week"
    );
}

/// A subscription whose invoices are sent, on the server clock: the worker finalizes its first
/// invoice an hour on without charging it, and makes the subscription past due once the
/// invoice's due date has passed unpaid.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_worker_sends_invoices_and_marks_them_overdue() {
    let t0 = 1_790_000_000;
    let (env, app, clock) = clocked(t0, portico_server::webhooks::WebhookSettings::dev()).await;
    let k = key();
    let (price, cus) = price_and_carded_customer(&env, &k, 800, "month").await;
    let sub = post(
        &env,
        "/v1/subscriptions",
        &k,
        &format!("customer={cus}&items[0][price]={price}&collection_method=send_invoice&days_until_due=3"),
    )
    .await;
    assert_eq!(sub.json["status"], "active", "{}", sub.json);
    let id = sub.json["id"].as_str().unwrap().to_owned();
    let inv = sub.json["latest_invoice"].as_str().unwrap().to_owned();
    clock.set(t0 + 3_600);
    assert_eq!(
        portico_server::billing::run_once(&app).await,
        1,
        "the draft's hour is up"
    );
    let sent = get(&env, &format!("/v1/invoices/{inv}"), &k).await;
    assert_eq!(sent.json["status"], "open", "{}", sent.json);
    assert_eq!(sent.json["amount_paid"], 0);
    assert_eq!(sent.json["due_date"], t0 + 3 * 86_400);
    assert_eq!(
        portico_server::billing::run_once(&app).await,
        0,
        "nothing until it is due"
    );
    clock.set(t0 + 3 * 86_400 + 1);
    assert_eq!(
        portico_server::billing::run_once(&app).await,
        1,
        "it fell due unpaid"
    );
    let late = get(&env, &format!("/v1/subscriptions/{id}"), &k).await;
    assert_eq!(late.json["status"], "past_due");
    assert_eq!(
        portico_server::billing::run_once(&app).await,
        0,
        "nothing retried"
    );
    let paid = post(
        &env,
        &format!("/v1/invoices/{inv}/pay"),
        &k,
        "paid_out_of_band=true",
    )
    .await;
    assert_eq!(paid.json["status"], "paid", "{}", paid.json);
    let back = get(&env, &format!("/v1/subscriptions/{id}"), &k).await;
    assert_eq!(back.json["status"], "active");
}

/// A schedule on the server clock that starts later has its subscription created by the billing
/// worker once the start has come, and only then.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_worker_starts_schedules_on_the_server_clock() {
    let t0 = 1_790_000_000;
    let (env, app, clock) = clocked(t0, portico_server::webhooks::WebhookSettings::dev()).await;
    let k = key();
    let (price, cus) = price_and_carded_customer(&env, &k, 900, "month").await;
    let start = t0 + 86_400;
    let sched = post(
        &env,
        "/v1/subscription_schedules",
        &k,
        &format!("customer={cus}&start_date={start}&phases[0][items][0][price]={price}"),
    )
    .await;
    assert_eq!(sched.json["status"], "not_started", "{}", sched.json);
    let id = sched.json["id"].as_str().unwrap().to_owned();
    // A schedule on a test clock, whose start has passed by the server's clock but not by its
    // own, is left to its clock.
    let test_clock = post(
        &env,
        "/v1/test_helpers/test_clocks",
        &k,
        &format!("frozen_time={}", t0 - 100 * 86_400),
    )
    .await;
    let test_clock = test_clock.json["id"].as_str().unwrap().to_owned();
    let on_clock = post(
        &env,
        "/v1/customers",
        &k,
        &format!("test_clock={test_clock}"),
    )
    .await;
    let on_clock = on_clock.json["id"].as_str().unwrap().to_owned();
    let clocked = post(
        &env,
        "/v1/subscription_schedules",
        &k,
        &format!(
            "customer={on_clock}&start_date={}&phases[0][items][0][price]={price}",
            t0 - 50 * 86_400
        ),
    )
    .await;
    assert_eq!(clocked.json["status"], "not_started", "{}", clocked.json);
    let clocked = clocked.json["id"].as_str().unwrap().to_owned();
    // Only the server clock's schedule waits in the worker's queue.
    let queued: Vec<String> = app
        .store
        .due("subscription_schedule", i64::MAX, 100)
        .await
        .unwrap()
        .into_iter()
        .map(|(_, r)| r.id)
        .collect();
    assert_eq!(queued, vec![id.clone()]);
    assert_eq!(portico_server::billing::run_once(&app).await, 0, "not yet");
    clock.set(start + 5);
    assert_eq!(portico_server::billing::run_once(&app).await, 1);
    let started = get(&env, &format!("/v1/subscription_schedules/{id}"), &k).await;
    assert_eq!(started.json["status"], "active", "{}", started.json);
    let sub_id = started.json["subscription"].as_str().unwrap();
    let sub = get(&env, &format!("/v1/subscriptions/{sub_id}"), &k).await;
    assert_eq!(sub.json["status"], "active", "{}", sub.json);
    assert_eq!(sub.json["start_date"], start);
    assert_eq!(sub.json["schedule"], id.as_str());
    assert_eq!(
        portico_server::billing::run_once(&app).await,
        0,
        "started once"
    );
    let subs = get(&env, &format!("/v1/subscriptions?customer={cus}"), &k).await;
    assert_eq!(subs.json["data"].as_array().unwrap().len(), 1);
    let left = get(&env, &format!("/v1/subscription_schedules/{clocked}"), &k).await;
    assert_eq!(left.json["status"], "not_started", "{}", left.json);
    // A week before its end the worker announces it, once; the subscription's first invoice,
    // drafted at the start, is collected in the same pass.
    let end = started.json["phases"][0]["end_date"].as_i64().unwrap();
    clock.set(end - 7 * 86_400);
    assert_eq!(portico_server::billing::run_once(&app).await, 2);
    let expiring = get(&env, "/v1/events?type=subscription_schedule.expiring", &k).await;
    let told: Vec<&str> = expiring.json["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["data"]["object"]["id"].as_str().unwrap())
        .collect();
    assert_eq!(told, vec![id.as_str()]);
    assert_eq!(portico_server::billing::run_once(&app).await, 0, "once");
    let first = get(&env, &format!("/v1/invoices?subscription={sub_id}"), &k).await;
    assert_eq!(first.json["data"][0]["status"], "paid", "{}", first.json);
}

/// Which path each delivery came to and when it was answered.
type DeliveryLog = Arc<std::sync::Mutex<Vec<(String, std::time::Instant)>>>;

/// A receiver logging every delivery, that answers those to paths starting with `slow` only
/// after `delay`; its address and its log.
async fn timed_receiver(
    slow: &'static str,
    delay: std::time::Duration,
) -> (std::net::SocketAddr, DeliveryLog) {
    use axum::extract::{Path, State};
    async fn hook(
        State((log, slow, delay)): State<(DeliveryLog, &'static str, std::time::Duration)>,
        Path(path): Path<String>,
    ) -> StatusCode {
        if path.starts_with(slow) {
            tokio::time::sleep(delay).await;
        }
        log.lock().unwrap().push((path, std::time::Instant::now()));
        StatusCode::OK
    }
    let log = DeliveryLog::default();
    let receiver = axum::Router::new()
        .route("/{path}", axum::routing::post(hook))
        .with_state((log.clone(), slow, delay));
    (serve_receiver(receiver).await, log)
}

/// Serves `receiver` on a free loopback port; returns its address.
async fn serve_receiver(receiver: axum::Router) -> std::net::SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, receiver).await });
    addr
}

/// Creates one `customer.created` endpoint per path at `addr`; returns each path's secret.
async fn endpoints_at(
    env: &Env,
    k: &str,
    addr: std::net::SocketAddr,
    paths: &[&'static str],
) -> std::collections::HashMap<&'static str, String> {
    let mut secrets = std::collections::HashMap::new();
    for path in paths {
        let we = post(
            env,
            "/v1/webhook_endpoints",
            k,
            &format!("url=http://{addr}/{path}&enabled_events[]=customer.created"),
        )
        .await;
        assert_eq!(we.status, StatusCode::OK, "{}", we.json);
        secrets.insert(*path, we.json["secret"].as_str().unwrap().to_owned());
    }
    secrets
}

/// Failed deliveries are retried on the configured schedule (driven by a manual clock, no
/// sleeping): the receiver sees each attempt signed at its due time, exactly one success, and a
/// target that never answers 2xx is given up when the retry window closes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn webhook_retries_follow_the_schedule() {
    use axum::extract::{Path, State};
    use std::sync::Mutex;
    type Log = Arc<Mutex<Vec<(String, String, String, u16)>>>;
    async fn hook(
        State(log): State<Log>,
        Path(path): Path<String>,
        headers: axum::http::HeaderMap,
        body: String,
    ) -> StatusCode {
        let mut log = log.lock().unwrap();
        let tries = log.iter().filter(|e| e.0 == path).count();
        let status = if path == "flaky" && tries >= 3 {
            StatusCode::OK
        } else {
            StatusCode::SERVICE_UNAVAILABLE
        };
        let sig = headers["stripe-signature"].to_str().unwrap().to_owned();
        log.push((path, sig, body, status.as_u16()));
        status
    }
    let log: Log = Arc::default();
    let receiver = axum::Router::new()
        .route("/{path}", axum::routing::post(hook))
        .with_state(log.clone());
    let addr = serve_receiver(receiver).await;

    let t0 = 1_790_000_000;
    let settings = portico_server::webhooks::WebhookSettings {
        retry_schedule: vec![60, 300, 1800],
        retry_for: 3600,
        ..portico_server::webhooks::WebhookSettings::dev()
    };
    let (env, app, clock) = clocked(t0, settings).await;
    let k = key();
    let secrets = endpoints_at(&env, &k, addr, &["flaky", "down"]).await;
    post(&env, "/v1/customers", &k, "name=Ada").await;
    let deliverer = portico_server::webhooks::Deliverer::new(app.clone()).unwrap();
    let mut made = Vec::new();
    for dt in [0, 0, 59, 60, 359, 360, 2159, 2160, 3599, 10_000] {
        clock.set(t0 + dt);
        made.push((dt, deliverer.run_due().await.unwrap()));
    }
    assert_eq!(
        made,
        [
            (0, 2),
            (0, 0),
            (59, 0),
            (60, 2),
            (359, 0),
            (360, 2),
            (2159, 0),
            (2160, 2),
            (3599, 0),
            (10_000, 0)
        ],
        "attempts at 0, +60, +300, +1800 after each failure; then done or given up"
    );
    let log = log.lock().unwrap().clone();
    for path in ["flaky", "down"] {
        let mine: Vec<_> = log.iter().filter(|e| e.0 == path).collect();
        let times: Vec<i64> = mine
            .iter()
            .map(|e| e.1.split(',').next().unwrap()[2..].parse().unwrap())
            .collect();
        assert_eq!(times, [t0, t0 + 60, t0 + 360, t0 + 2160], "{path}");
        for (_, sig, body, _) in &mine {
            let t: i64 = sig.split(',').next().unwrap()[2..].parse().unwrap();
            let v1 = sig.split(",v1=").nth(1).unwrap();
            assert_eq!(
                v1,
                portico_server::webhooks::sign(&secrets[path], t, body),
                "signed with the endpoint's own secret"
            );
            let event: Value = serde_json::from_str(body).unwrap();
            assert_eq!(event["type"], "customer.created");
        }
        let statuses: Vec<u16> = mine.iter().map(|e| e.3).collect();
        let expect: &[u16] = if path == "flaky" {
            &[503, 503, 503, 200]
        } else {
            &[503, 503, 503, 503]
        };
        assert_eq!(statuses, expect, "{path}");
    }
    // The event was delivered to one endpoint and given up on the other: it counts as not
    // delivered, and, as Stripe counts them, one webhook was never delivered.
    let events = get(&env, "/v1/events?delivery_success=false", &k).await;
    assert_eq!(events.json["data"].as_array().unwrap().len(), 1);
    assert_eq!(events.json["data"][0]["pending_webhooks"], 1);
}

/// The wait before a retry counts from when the failed attempt ended: an attempt that took
/// its time (here 1.2 s, answered 503) does not eat into the wait.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_retry_waits_from_the_end_of_the_failed_attempt() {
    async fn slow() -> StatusCode {
        tokio::time::sleep(std::time::Duration::from_millis(1200)).await;
        StatusCode::SERVICE_UNAVAILABLE
    }
    let receiver = axum::Router::new().route("/{path}", axum::routing::post(slow));
    let addr = serve_receiver(receiver).await;
    let t0 = 1_790_000_000;
    let settings = portico_server::webhooks::WebhookSettings {
        retry_schedule: vec![60],
        retry_for: 3600,
        ..portico_server::webhooks::WebhookSettings::dev()
    };
    let (env, app, clock) = clocked(t0, settings).await;
    let k = key();
    endpoints_at(&env, &k, addr, &["slow"]).await;
    post(&env, "/v1/customers", &k, "name=Ada").await;
    let deliverer = portico_server::webhooks::Deliverer::new(app.clone()).unwrap();
    let mut made = Vec::new();
    for dt in [0, 61, 62] {
        clock.set(t0 + dt);
        made.push((dt, deliverer.run_due().await.unwrap()));
    }
    // The first attempt ended 2 s (rounded up) after it began: the next is due 60 s later.
    assert_eq!(made, [(0, 1), (61, 0), (62, 1)]);
}

/// Endpoints that hang, enough of them to take every slot and one account's whole share, never
/// hold up an endpoint that answers, in that account or another: its deliveries go one at a
/// time beyond the limits while the others' wait for answers.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hanging_endpoints_never_hold_up_one_that_answers() {
    use std::time::{Duration, Instant};
    let (addr, log) = timed_receiver("hang", Duration::from_millis(1500)).await;
    let (env, app, _clock) = clocked(
        1_790_000_000,
        portico_server::webhooks::WebhookSettings::dev(),
    )
    .await;
    // Four accounts whose two endpoints hang take their whole share each (64 slots in all)...
    for _ in 0..4 {
        let k = key();
        endpoints_at(&env, &k, addr, &["hang-a", "hang-b"]).await;
        for i in 0..8 {
            post(&env, "/v1/customers", &k, &format!("name=c{i}")).await;
        }
    }
    // ...and in a fifth, two that hang take its share beside one that answers.
    let k = key();
    endpoints_at(&env, &k, addr, &["hang-c", "hang-d", "answers"]).await;
    for i in 0..12 {
        post(&env, "/v1/customers", &k, &format!("name=c{i}")).await;
    }
    let deliverer = portico_server::webhooks::Deliverer::new(app.clone()).unwrap();
    let started = Instant::now();
    assert_eq!(deliverer.run_due().await.unwrap(), 4 * 16 + 3 * 12);
    let log = log.lock().unwrap().clone();
    let answered: Vec<Duration> = log
        .iter()
        .filter(|e| e.0 == "answers")
        .map(|e| e.1.duration_since(started))
        .collect();
    assert_eq!(answered.len(), 12);
    assert!(
        answered.iter().all(|t| *t < Duration::from_millis(1200)),
        "every delivery to the endpoint that answers landed before the first hanging one \
         was answered: {answered:?}"
    );
}

/// A slow endpoint holds only its own delivery slots: the other endpoint's deliveries all
/// arrive while the slow one's are still being answered.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_endpoint_does_not_hold_up_the_others() {
    use std::time::{Duration, Instant};
    let (addr, log) = timed_receiver("slow", Duration::from_millis(700)).await;
    let (env, app, _clock) = clocked(
        1_790_000_000,
        portico_server::webhooks::WebhookSettings::dev(),
    )
    .await;
    let k = key();
    endpoints_at(&env, &k, addr, &["slow", "fast"]).await;
    for i in 0..24 {
        post(&env, "/v1/customers", &k, &format!("name=c{i}")).await;
    }
    let deliverer = portico_server::webhooks::Deliverer::new(app.clone()).unwrap();
    let started = Instant::now();
    assert_eq!(deliverer.run_due().await.unwrap(), 48);
    let log = log.lock().unwrap().clone();
    let last_fast = log
        .iter()
        .filter(|e| e.0 == "fast")
        .map(|e| e.1)
        .max()
        .unwrap();
    let slow_done = log.iter().filter(|e| e.0 == "slow").count();
    assert_eq!((slow_done, log.len()), (24, 48));
    assert!(
        last_fast.duration_since(started) < Duration::from_millis(600),
        "every fast delivery landed before the first slow answer: {:?}",
        last_fast.duration_since(started)
    );
    assert!(
        started.elapsed() >= Duration::from_millis(3 * 700),
        "at most {} at once to the slow endpoint",
        portico_server::webhooks::MAX_PER_ENDPOINT
    );
}

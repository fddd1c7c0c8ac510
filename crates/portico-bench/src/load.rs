//! `portico-bench load`: a sustained, mixed load on a running Portico — API writes and reads,
//! portal sessions opened and browsed, flows completed through the pages — at a fixed
//! concurrency for a bounded time. Reports per-operation latency, errors, the server's memory
//! over the run, and latency per ten-second window (to see it stays stable).

use crate::client::{csrf, kv, Client};
use crate::stats::{peak_rss_kib, rss_kib, Stats};
use hdrhistogram::Histogram;
use rand::Rng;
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How the load is shaped.
pub struct LoadArgs {
    pub base: String,
    pub key: String,
    pub concurrency: usize,
    pub duration: Duration,
    /// The server processes whose memory to sample.
    pub pids: Vec<u32>,
}

/// What every virtual user shares: the plans and the configuration.
struct Fixture {
    pro: String,
    team: String,
    config: String,
}

/// One virtual user's own customer, subscription and open portal session.
struct User {
    customer: String,
    subscription: String,
    item: String,
    session_url: String,
    cookie: String,
}

async fn fixture(c: &Client) -> Result<Fixture, String> {
    let product = c.post("/v1/products", &[kv("name", "Pro")]).await?;
    let pid = product["id"].as_str().unwrap_or_default().to_owned();
    let price = |amount: i64| {
        vec![
            kv("product", &pid),
            kv("currency", "usd"),
            kv("unit_amount", amount),
            kv("recurring[interval]", "month"),
        ]
    };
    let pro = c.post("/v1/prices", &price(1500)).await?;
    let team = c.post("/v1/prices", &price(4000)).await?;
    let (pro, team) = (id(&pro), id(&team));
    let config = c
        .post(
            "/v1/billing_portal/configurations",
            &[
                kv("default_return_url", "https://app.example.com/account"),
                kv("features[invoice_history][enabled]", true),
                kv("features[payment_method_update][enabled]", true),
                kv("features[subscription_cancel][enabled]", true),
                kv("features[subscription_update][enabled]", true),
                kv(
                    "features[subscription_update][default_allowed_updates][0]",
                    "price",
                ),
                kv(
                    "features[subscription_update][proration_behavior]",
                    "create_prorations",
                ),
                kv("features[subscription_update][products][0][product]", &pid),
                kv(
                    "features[subscription_update][products][0][prices][0]",
                    &pro,
                ),
                kv(
                    "features[subscription_update][products][0][prices][1]",
                    &team,
                ),
            ],
        )
        .await?;
    Ok(Fixture {
        pro,
        team,
        config: id(&config),
    })
}

fn id(v: &Value) -> String {
    v["id"].as_str().unwrap_or_default().to_owned()
}

/// A customer with a card and an active subscription.
async fn subscribed(c: &Client, f: &Fixture, n: u64) -> Result<(String, Value), String> {
    let customer = c
        .post(
            "/v1/customers",
            &[
                kv("email", format!("load{n}@example.com")),
                kv("payment_method", "pm_card_visa"),
                kv("invoice_settings[default_payment_method]", "pm_card_visa"),
            ],
        )
        .await?;
    let cid = id(&customer);
    let sub = c
        .post(
            "/v1/subscriptions",
            &[kv("customer", &cid), kv("items[0][price]", &f.pro)],
        )
        .await?;
    Ok((cid, sub))
}

/// Opens a portal session's link like a new browser; returns the page and the browser cookie.
async fn open(c: &Client, url: &str) -> Result<(String, String), String> {
    let page = c.page(url, None, None).await?;
    if page.status != 200 {
        return Err(format!("opening a session: {}", page.status));
    }
    let cookie = page.cookie.ok_or("no browser cookie")?;
    Ok((page.body, cookie))
}

async fn user(c: &Client, f: &Fixture, n: u64) -> Result<User, String> {
    let (customer, sub) = subscribed(c, f, n).await?;
    let session = c
        .post(
            "/v1/billing_portal/sessions",
            &[kv("customer", &customer), kv("configuration", &f.config)],
        )
        .await?;
    let url = session["url"].as_str().unwrap_or_default().to_owned();
    let (_, cookie) = open(c, &url).await?;
    Ok(User {
        customer,
        subscription: id(&sub),
        item: sub["items"]["data"][0]["id"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
        session_url: url,
        cookie,
    })
}

/// The operations, with their weights.
const OPS: &[(&str, u32)] = &[
    ("customer.create", 20),
    ("subscription.create", 10),
    ("session.create", 15),
    ("portal.open", 10),
    ("portal.home", 20),
    ("invoice.preview", 10),
    ("customer.list", 10),
    ("portal.cancel_flow", 5),
];

fn pick(r: u32) -> &'static str {
    let mut acc = 0;
    for (op, w) in OPS {
        acc += w;
        if r < acc {
            return op;
        }
    }
    OPS[0].0
}

/// Runs one operation; `Err` is a failure to count.
async fn run_op(c: &Client, f: &Fixture, u: &User, op: &str, n: u64) -> Result<(), String> {
    match op {
        "customer.create" => c
            .post(
                "/v1/customers",
                &[kv("email", format!("c{n}@example.com")), kv("name", "Load")],
            )
            .await
            .map(|_| ()),
        "subscription.create" => subscribed(c, f, n).await.map(|_| ()),
        "session.create" => c
            .post(
                "/v1/billing_portal/sessions",
                &[
                    kv("customer", &u.customer),
                    kv("configuration", &f.config),
                    kv("flow_data[type]", "subscription_update"),
                    kv(
                        "flow_data[subscription_update][subscription]",
                        &u.subscription,
                    ),
                ],
            )
            .await
            .map(|_| ()),
        "portal.open" => {
            let s = c
                .post(
                    "/v1/billing_portal/sessions",
                    &[kv("customer", &u.customer), kv("configuration", &f.config)],
                )
                .await?;
            open(c, s["url"].as_str().unwrap_or_default())
                .await
                .map(|_| ())
        }
        "portal.home" => {
            let p = c.page(&u.session_url, Some(&u.cookie), None).await?;
            (p.status == 200 && p.body.contains("</html>"))
                .then_some(())
                .ok_or(format!("homepage: {}", p.status))
        }
        "invoice.preview" => c
            .post(
                "/v1/invoices/create_preview",
                &[
                    kv("subscription", &u.subscription),
                    kv("subscription_details[items][0][id]", &u.item),
                    kv("subscription_details[items][0][price]", &f.team),
                ],
            )
            .await
            .map(|_| ()),
        "customer.list" => c.get("/v1/customers", &[kv("limit", 10)]).await.map(|_| ()),
        _ => {
            // A whole cancel flow: a new subscriber, a deep link, the page, the cancellation.
            let (customer, sub) = subscribed(c, f, n).await?;
            let sid = id(&sub);
            let s = c
                .post(
                    "/v1/billing_portal/sessions",
                    &[
                        kv("customer", &customer),
                        kv("configuration", &f.config),
                        kv("flow_data[type]", "subscription_cancel"),
                        kv("flow_data[subscription_cancel][subscription]", &sid),
                        kv("flow_data[after_completion][type]", "redirect"),
                        kv(
                            "flow_data[after_completion][redirect][return_url]",
                            "https://app.example.com/done",
                        ),
                    ],
                )
                .await?;
            let url = s["url"].as_str().unwrap_or_default();
            let entry = c.page(url, None, None).await?;
            let cookie = entry.cookie.ok_or("no browser cookie")?;
            let first = entry.location.ok_or("no redirect to the flow")?;
            let page = c.page(&first, Some(&cookie), None).await?;
            let token = csrf(&page.body).ok_or("no form on the cancel page")?;
            let done = c
                .page(
                    &first,
                    Some(&cookie),
                    Some(&[kv("csrf", token), kv("action", "cancel")]),
                )
                .await?;
            (done.status == 303 && done.location.as_deref() == Some("https://app.example.com/done"))
                .then_some(())
                .ok_or(format!("cancel: {} {:?}", done.status, done.location))
        }
    }
}

/// Runs the load and returns its report.
pub async fn load(args: LoadArgs) -> anyhow::Result<Value> {
    let c = Client::new(&args.base, &args.key, args.concurrency * 2)?;
    let f = Arc::new(fixture(&c).await.map_err(anyhow::Error::msg)?);
    let mut users = Vec::new();
    for i in 0..args.concurrency {
        users.push(user(&c, &f, i as u64).await.map_err(anyhow::Error::msg)?);
    }
    let started = Instant::now();
    let deadline = started + args.duration;
    let window = Duration::from_secs(10);
    let windows = (args.duration.as_secs() / 10 + 1) as usize;
    let memory: Vec<_> = args
        .pids
        .iter()
        .map(|&pid| {
            tokio::spawn(async move {
                let mut samples = Vec::new();
                while Instant::now() < deadline {
                    if let Some(kib) = rss_kib(pid) {
                        samples.push(kib);
                    }
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
                (pid, samples)
            })
        })
        .collect();
    let mut tasks = Vec::new();
    for (i, u) in users.into_iter().enumerate() {
        let (c, f) = (c.clone(), f.clone());
        tasks.push(tokio::spawn(async move {
            let mut stats = Stats::default();
            let mut per_window: Vec<Histogram<u64>> = (0..windows)
                .map(|_| Histogram::new_with_bounds(1, 60_000_000, 3).expect("valid bounds"))
                .collect();
            let mut n = (i as u64 + 1) * 1_000_000;
            while Instant::now() < deadline {
                n += 1;
                let op = pick(rand::rng().random_range(0..100));
                let t = Instant::now();
                match run_op(&c, &f, &u, op, n).await {
                    Ok(()) => {
                        let d = t.elapsed();
                        stats.ok(op, d);
                        let w = ((t - started).as_secs() / window.as_secs()) as usize;
                        if let Some(h) = per_window.get_mut(w) {
                            let _ = h.record(d.as_micros().max(1) as u64);
                        }
                    }
                    Err(e) => stats.error(op, e),
                }
            }
            (stats, per_window)
        }));
    }
    let mut stats = Stats::default();
    let mut windows_h: Vec<Histogram<u64>> = (0..windows)
        .map(|_| Histogram::new_with_bounds(1, 60_000_000, 3).expect("valid bounds"))
        .collect();
    for t in tasks {
        let (s, w) = t.await?;
        stats.merge(s);
        for (a, b) in windows_h.iter_mut().zip(w) {
            let _ = a.add(&b);
        }
    }
    let seconds = started.elapsed().as_secs_f64();
    let mut rss = Vec::new();
    for m in memory {
        let (pid, samples) = m.await?;
        if samples.is_empty() {
            continue;
        }
        // Memory per minute of the run: it should level off, not climb.
        let per_minute: Vec<u64> = samples.iter().step_by(60).map(|k| k / 1024).collect();
        rss.push(json!({
            "pid": pid,
            "first": samples[0] / 1024,
            "peak": samples.iter().max().copied().unwrap_or(0) / 1024,
            "last": samples[samples.len() - 1] / 1024,
            "each_minute": per_minute,
            "high_water": peak_rss_kib(pid).map(|k| k / 1024),
        }));
    }
    let (requests, errors) = stats.totals();
    let per_op: serde_json::Map<String, Value> = stats
        .ops
        .keys()
        .map(|op| (op.to_string(), stats.summary(Some(op), seconds)))
        .collect();
    let error_samples: Vec<String> = stats
        .ops
        .values()
        .flat_map(|s| s.samples.clone())
        .take(10)
        .collect();
    Ok(json!({
        "concurrency": args.concurrency,
        "seconds": (seconds * 10.0).round() / 10.0,
        "operations": requests,
        "errors": errors,
        "error_samples": error_samples,
        "all": stats.summary(None, seconds),
        "per_operation": per_op,
        "windows": windows_h.iter().enumerate().filter(|(_, h)| !h.is_empty()).map(|(i, h)| json!({
            "from_s": i * 10,
            "operations": h.len(),
            "p50_ms": h.value_at_quantile(0.5) as f64 / 1000.0,
            "p99_ms": h.value_at_quantile(0.99) as f64 / 1000.0,
        })).collect::<Vec<_>>(),
        "server_rss_mib": rss,
    }))
}

//! `portico-bench measure`: one operation, repeated back to back by a fixed number of virtual
//! users for a fixed time after a warm-up; prints throughput and latency as JSON.
//!
//! Operations on Portico use a dataset made by `portico-bench seed` (its fixture file names the
//! plans, the configuration and subscribed customers, one per virtual user). Operations on
//! localstripe make what they need first. The floors (`floor.http`, `floor.insert`) talk to
//! `portico-bench floor`.

use crate::client::{kv, Client};
use hdrhistogram::Histogram;
use serde::Deserialize;
use serde_json::{json, Value};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// What `portico-bench seed` writes for the measurements.
#[derive(Clone, Debug, Deserialize)]
pub struct Fixture {
    pub key: String,
    pub pro: String,
    pub team: String,
    pub config: String,
    pub subscribed: Vec<Subscribed>,
}

/// A seeded customer with a card and an active subscription on the Pro price.
#[derive(Clone, Debug, Deserialize)]
pub struct Subscribed {
    pub customer: String,
    pub subscription: String,
    pub item: String,
}

/// How one measurement runs.
pub struct MeasureArgs {
    pub base: String,
    pub op: String,
    pub concurrency: usize,
    pub duration: Duration,
    pub warmup: Duration,
    pub fixture: Option<Fixture>,
    pub key: String,
    /// The server's process, to count the CPU time it spends per operation.
    pub server_pid: Option<u32>,
}

/// The operations, for `--help` and the script.
pub const OPS: &[&str] = &[
    "floor.http",
    "floor.insert",
    "customer.create",
    "customer.retrieve",
    "customer.update",
    "subscription.create",
    "subscription.retrieve",
    "session.create",
    "session.create.payment_method_update",
    "session.create.subscription_cancel",
    "session.create.subscription_update",
    "session.create.subscription_update_confirm",
    "invoice.preview",
    "portal.home",
    "portal.update_confirm",
    "localstripe.customer.create",
    "localstripe.customer.retrieve",
    "localstripe.customer.update",
    "localstripe.subscription.create",
    "localstripe.subscription.retrieve",
];

/// One virtual user's own objects.
#[derive(Clone, Default)]
struct Vu {
    customer: String,
    subscription: String,
    item: String,
    /// localstripe: the plan to subscribe to.
    plan: String,
    /// portal.home: the session's page and the browser's cookie.
    page: String,
    cookie: String,
    /// portal.update_confirm: which price the subscription is on now.
    on_team: bool,
}

fn id(v: &Value) -> String {
    v["id"].as_str().unwrap_or_default().to_owned()
}

/// Opens a session link as a new browser: the page it leads to and the browser's cookie.
async fn open(c: &Client, url: &str) -> Result<(String, String), String> {
    let entry = c.page(url, None, None).await?;
    let cookie = entry.cookie.ok_or("no browser cookie")?;
    match (entry.status, entry.location) {
        (303, Some(to)) => Ok((to, cookie)),
        (200, _) => Ok((url.to_owned(), cookie)),
        (s, _) => Err(format!("opening a session: {s}")),
    }
}

/// The first POST form of a page: its action and its hidden fields.
fn post_form(page: &str) -> Option<(String, Vec<(String, String)>)> {
    let start = page.find("<form method=\"post\"")?;
    let end = page[start..].find("</form>")? + start;
    let form = &page[start..end];
    let attr = |tag: &str, name: &str| -> Option<String> {
        let k = format!("{name}=\"");
        let s = tag.find(&k)? + k.len();
        let e = tag[s..].find('"')? + s;
        Some(tag[s..e].replace("&amp;", "&"))
    };
    let head_end = form.find('>')?;
    let action = attr(&form[..head_end], "action")?;
    let mut fields = Vec::new();
    let mut rest = form;
    while let Some(i) = rest.find("<input type=\"hidden\"") {
        let tag_end = rest[i..].find('>')? + i;
        let tag = &rest[i..tag_end];
        if let (Some(n), Some(v)) = (attr(tag, "name"), attr(tag, "value")) {
            fields.push((n, v));
        }
        rest = &rest[tag_end..];
    }
    Some((action, fields))
}

async fn setup(c: &Client, a: &MeasureArgs, i: usize) -> Result<Vu, String> {
    let mut vu = Vu::default();
    if let Some(f) = &a.fixture {
        // The flow that changes plans works on customers of its own, from the far half of the
        // list: each of its switches adds proration lines to its subscription, and the other
        // calls should keep measuring subscriptions as customers have them, not ones switched a
        // hundred times in ten seconds.
        let at = match a.op.as_str() {
            "portal.update_confirm" => f.subscribed.len() / 2 + i,
            _ => i,
        };
        let s = f
            .subscribed
            .get(at % f.subscribed.len().max(1))
            .ok_or("the fixture has no subscribed customers")?;
        vu.customer = s.customer.clone();
        vu.subscription = s.subscription.clone();
        vu.item = s.item.clone();
    }
    match a.op.as_str() {
        "portal.home" => {
            let config = &a
                .fixture
                .as_ref()
                .ok_or("portal.home needs --fixture")?
                .config;
            let s = c
                .post(
                    "/v1/billing_portal/sessions",
                    &[kv("customer", &vu.customer), kv("configuration", config)],
                )
                .await?;
            let (page, cookie) = open(c, s["url"].as_str().unwrap_or_default()).await?;
            vu.page = page;
            vu.cookie = cookie;
        }
        "portal.update_confirm" => {
            // An earlier run may have left the subscription on either plan: the flow switches
            // to the other one (a link to the plan it is on has nothing to confirm).
            let f = a
                .fixture
                .as_ref()
                .ok_or("portal.update_confirm needs --fixture")?;
            let sub = c
                .get(&format!("/v1/subscriptions/{}", vu.subscription), &[])
                .await?;
            vu.on_team = sub["items"]["data"][0]["price"]["id"].as_str() == Some(f.team.as_str());
        }
        op if op.starts_with("localstripe.") => {
            let product = c.post("/v1/products", &[kv("name", "Pro")]).await?;
            let plan = c
                .post(
                    "/v1/plans",
                    &[
                        kv("product", id(&product)),
                        kv("amount", 1500),
                        kv("currency", "usd"),
                        kv("interval", "month"),
                    ],
                )
                .await?;
            vu.plan = id(&plan);
            let cus = c
                .post(
                    "/v1/customers",
                    &[
                        kv("email", format!("vu{i}@example.com")),
                        kv("payment_method", "pm_card_visa"),
                        kv("invoice_settings[default_payment_method]", "pm_card_visa"),
                    ],
                )
                .await?;
            vu.customer = id(&cus);
            let sub = c
                .post(
                    "/v1/subscriptions",
                    &[kv("customer", &vu.customer), kv("items[0][plan]", &vu.plan)],
                )
                .await?;
            vu.subscription = id(&sub);
        }
        _ => {}
    }
    Ok(vu)
}

/// One operation; `Err` is a failure.
async fn run_op(c: &Client, a: &MeasureArgs, vu: &mut Vu, n: u64) -> Result<(), String> {
    let f = a.fixture.as_ref();
    let fx = || f.ok_or_else(|| "this operation needs --fixture".to_owned());
    let flow = |kind: &str, vu: &Vu, f: &Fixture| {
        let mut form = vec![
            kv("customer", &vu.customer),
            kv("configuration", &f.config),
            kv("flow_data[type]", kind),
        ];
        match kind {
            "payment_method_update" => {}
            "subscription_update_confirm" => {
                let p = "flow_data[subscription_update_confirm]";
                form.push(kv(&format!("{p}[subscription]"), &vu.subscription));
                form.push(kv(&format!("{p}[items][0][id]"), &vu.item));
                form.push(kv(
                    &format!("{p}[items][0][price]"),
                    if vu.on_team { &f.pro } else { &f.team },
                ));
            }
            other => form.push(kv(
                &format!("flow_data[{other}][subscription]"),
                &vu.subscription,
            )),
        }
        form
    };
    match a.op.as_str() {
        "floor.http" => c.page("/", None, None).await.and_then(|p| {
            (p.status == 200)
                .then_some(())
                .ok_or(format!("{}", p.status))
        }),
        "floor.insert" => c
            .page("/", None, Some(&[kv("email", format!("c{n}@example.com"))]))
            .await
            .and_then(|p| {
                (p.status == 200)
                    .then_some(())
                    .ok_or(format!("{}", p.status))
            }),
        "customer.create" | "localstripe.customer.create" => {
            c.check(
                reqwest::Method::POST,
                "/v1/customers",
                &[
                    kv("email", format!("c{n}@example.com")),
                    kv("name", "Bench"),
                ],
            )
            .await
        }
        "customer.retrieve" | "localstripe.customer.retrieve" => {
            c.check(
                reqwest::Method::GET,
                &format!("/v1/customers/{}", vu.customer),
                &[],
            )
            .await
        }
        "customer.update" | "localstripe.customer.update" => {
            c.check(
                reqwest::Method::POST,
                &format!("/v1/customers/{}", vu.customer),
                &[kv("metadata[n]", n)],
            )
            .await
        }
        "subscription.create" => {
            c.check(
                reqwest::Method::POST,
                "/v1/subscriptions",
                &[
                    kv("customer", &vu.customer),
                    kv("items[0][price]", &fx()?.pro),
                ],
            )
            .await
        }
        "localstripe.subscription.create" => {
            c.check(
                reqwest::Method::POST,
                "/v1/subscriptions",
                &[kv("customer", &vu.customer), kv("items[0][plan]", &vu.plan)],
            )
            .await
        }
        "subscription.retrieve" | "localstripe.subscription.retrieve" => {
            c.check(
                reqwest::Method::GET,
                &format!("/v1/subscriptions/{}", vu.subscription),
                &[],
            )
            .await
        }
        "session.create" => {
            c.check(
                reqwest::Method::POST,
                "/v1/billing_portal/sessions",
                &[
                    kv("customer", &vu.customer),
                    kv("configuration", &fx()?.config),
                ],
            )
            .await
        }
        op if op.starts_with("session.create.") => {
            let kind = &op["session.create.".len()..];
            c.check(
                reqwest::Method::POST,
                "/v1/billing_portal/sessions",
                &flow(kind, vu, fx()?),
            )
            .await
        }
        "invoice.preview" => {
            let f = fx()?;
            c.check(
                reqwest::Method::POST,
                "/v1/invoices/create_preview",
                &[
                    kv("subscription", &vu.subscription),
                    kv("subscription_details[items][0][id]", &vu.item),
                    kv("subscription_details[items][0][price]", &f.team),
                ],
            )
            .await
        }
        "portal.home" => {
            let p = c.page(&vu.page, Some(&vu.cookie), None).await?;
            (p.status == 200 && p.body.contains("</html>"))
                .then_some(())
                .ok_or(format!("homepage: {}", p.status))
        }
        "portal.update_confirm" => {
            // The whole flow as a browser goes through it: the app makes the deep link, the
            // customer opens it, sees the preview, confirms, and is sent back to the app.
            let f = fx()?;
            let mut form = flow("subscription_update_confirm", vu, f);
            form.push(kv("flow_data[after_completion][type]", "redirect"));
            form.push(kv(
                "flow_data[after_completion][redirect][return_url]",
                "https://app.example.com/done",
            ));
            let s = c.post("/v1/billing_portal/sessions", &form).await?;
            let (page, cookie) = open(c, s["url"].as_str().unwrap_or_default()).await?;
            let preview = c.page(&page, Some(&cookie), None).await?;
            if preview.status != 200 {
                return Err(format!("preview: {}", preview.status));
            }
            let (action, fields) = post_form(&preview.body).ok_or("no form on the preview")?;
            let done = c.page(&action, Some(&cookie), Some(&fields)).await?;
            if done.status != 303
                || done.location.as_deref() != Some("https://app.example.com/done")
            {
                return Err(format!("confirm: {} {:?}", done.status, done.location));
            }
            vu.on_team = !vu.on_team;
            Ok(())
        }
        other => Err(format!("unknown operation {other}")),
    }
}

/// Runs the measurement.
pub async fn measure(a: MeasureArgs) -> anyhow::Result<Value> {
    let c = Client::new(&a.base, &a.key, a.concurrency * 2)?;
    let a = Arc::new(a);
    let mut vus = Vec::new();
    for i in 0..a.concurrency {
        vus.push(setup(&c, &a, i).await.map_err(anyhow::Error::msg)?);
    }
    let started = Instant::now();
    let measuring = started + a.warmup;
    let deadline = measuring + a.duration;
    let errors = Arc::new(AtomicU64::new(0));
    let mut tasks = Vec::new();
    for (i, mut vu) in vus.into_iter().enumerate() {
        let (c, a, errors) = (c.clone(), a.clone(), errors.clone());
        tasks.push(tokio::spawn(async move {
            let mut h = Histogram::<u64>::new_with_bounds(1, 60_000_000, 3).expect("bounds");
            let mut sample = None;
            let mut n = (i as u64 + 1) * 100_000_000 + rand::random::<u32>() as u64;
            loop {
                let t = Instant::now();
                if t >= deadline {
                    break;
                }
                n += 1;
                let r = run_op(&c, &a, &mut vu, n).await;
                if t >= measuring {
                    match r {
                        Ok(()) => {
                            let _ = h.record(t.elapsed().as_micros().max(1) as u64);
                        }
                        Err(e) => {
                            errors.fetch_add(1, Ordering::Relaxed);
                            sample.get_or_insert(e);
                        }
                    }
                }
            }
            (h, sample)
        }));
    }
    // The CPU time both sides spend over the measured window: how the machine's cores are
    // shared between the load generator and the server.
    let cpu = || {
        (
            crate::stats::cpu_seconds(std::process::id()),
            a.server_pid.and_then(crate::stats::cpu_seconds),
        )
    };
    tokio::time::sleep_until(measuring.into()).await;
    let cpu_from = cpu();
    tokio::time::sleep_until(deadline.into()).await;
    let cpu_to = cpu();
    let mut all = Histogram::<u64>::new_with_bounds(1, 60_000_000, 3).expect("bounds");
    let mut samples = Vec::new();
    for t in tasks {
        let (h, s) = t.await?;
        let _ = all.add(&h);
        samples.extend(s);
    }
    let secs = a.duration.as_secs_f64();
    let ms = |q: f64| all.value_at_quantile(q) as f64 / 1000.0;
    // Under a tenth of a second (ten ticks) the count says too little to divide.
    let per_op = |from: Option<f64>, to: Option<f64>| match (from, to) {
        (Some(f), Some(t)) if !all.is_empty() && t - f >= 0.1 => {
            Some(((t - f) * 1e6 / all.len() as f64 * 10.0).round() / 10.0)
        }
        _ => None,
    };
    Ok(json!({
        "op": a.op,
        "concurrency": a.concurrency,
        "seconds": secs,
        "operations": all.len(),
        "per_second": (all.len() as f64 / secs).round(),
        "p50_ms": ms(0.5),
        "p99_ms": ms(0.99),
        "max_ms": all.max() as f64 / 1000.0,
        "errors": errors.load(Ordering::Relaxed),
        "error_sample": samples.first(),
        "client_cpu_us_per_op": per_op(cpu_from.0, cpu_to.0),
        "server_cpu_us_per_op": per_op(cpu_from.1, cpu_to.1),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_post_form() {
        let page = r#"<form method="get"><input type="hidden" name="step" value="x"></form>
            <form method="post" action="/p/session/t/subscriptions/sub_1/update" class="actions">
            <input type="hidden" name="csrf" value="abc">
            <input type="hidden" name="price" value="price_1"><input type="hidden" name="quantity" value="2">
            <button>Confirm</button></form>"#;
        let (action, fields) = post_form(page).unwrap();
        assert_eq!(action, "/p/session/t/subscriptions/sub_1/update");
        assert_eq!(
            fields,
            vec![
                kv("csrf", "abc"),
                kv("price", "price_1"),
                kv("quantity", "2")
            ]
        );
    }
}

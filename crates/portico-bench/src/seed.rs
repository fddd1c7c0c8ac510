//! `portico-bench seed`: a realistic dataset, fast. One subscribed customer is made through the
//! API in-process (a product with a Pro and a Team price, a portal configuration with every
//! feature on, a customer with a card, an active subscription with its paid first invoice and
//! their events); its stored objects are then copied with fresh ids, invoice prefixes and email
//! addresses, thousands to a transaction. Plain customers (no card, no subscription, no event)
//! are copied the same way to reach the total. The copies are what the API would have stored,
//! byte for byte but for their ids; only the event log is thinner than for real traffic.

use axum::body::Body;
use axum::http::Request;
use portico_domain::{AccountId, IdGen, RandomIds};
use portico_server::ServeConfig;
use portico_store::{Cursor, ListQuery, Record, Store, Write};
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;
use std::time::Instant;
use tower::ServiceExt;

/// What to seed.
pub struct SeedArgs {
    pub database_url: String,
    pub key: String,
    /// Customers in all.
    pub customers: usize,
    /// Of which with a card and an active subscription.
    pub subscribed: usize,
}

/// Objects written in one transaction.
const BATCH: usize = 5_000;

/// Subscribed customers listed in the fixture (one per virtual user, at most).
const FIXTURE_USERS: usize = 512;

async fn api(
    router: &axum::Router,
    key: &str,
    path: &str,
    form: &[(&str, &str)],
) -> anyhow::Result<Value> {
    let body = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(form)
        .finish();
    let req = Request::post(path)
        .header("authorization", format!("Bearer {key}"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from(body))?;
    let resp = router.clone().oneshot(req).await?;
    let status = resp.status();
    let bytes = axum::body::to_bytes(resp.into_body(), usize::MAX).await?;
    let v: Value = serde_json::from_slice(&bytes)?;
    anyhow::ensure!(status.is_success(), "POST {path}: {status} {v}");
    Ok(v)
}

fn id(v: &Value) -> String {
    v["id"].as_str().unwrap_or_default().to_owned()
}

/// The records of `ids` in `account`, and the events about them.
async fn template(
    store: &dyn Store,
    account: &AccountId,
    objects: &[(&'static str, String)],
) -> anyhow::Result<Vec<Record>> {
    let mut out = Vec::new();
    let mut owners = HashSet::new();
    for (kind, oid) in objects {
        let r = store
            .get(account, kind, oid)
            .await?
            .ok_or_else(|| anyhow::anyhow!("{kind} {oid} is missing"))?;
        owners.insert(oid.clone());
        out.push(r);
    }
    let mut cursor = Cursor::Start;
    loop {
        let page = store
            .list(
                account,
                &ListQuery {
                    kind: "event",
                    filters: vec![],
                    cursor: cursor.clone(),
                    limit: 100,
                    include_deleted: false,
                },
            )
            .await?;
        for r in &page.records {
            // An event is about the object in its `data.object` (events have no parent).
            let about = serde_json::from_str::<Value>(&r.data)
                .ok()
                .and_then(|v| v["data"]["object"]["id"].as_str().map(str::to_owned));
            if about.is_some_and(|id| owners.contains(&id)) {
                out.push(r.clone());
            }
        }
        match (page.has_more, page.records.last()) {
            (true, Some(last)) => cursor = Cursor::After(last.id.clone()),
            _ => break,
        }
    }
    Ok(out)
}

/// Every id of these prefixes in the records, to be replaced in each copy.
fn ids_in(records: &[Record]) -> Vec<String> {
    const PREFIXES: &[&str] = &[
        "cus_", "pm_", "sub_", "si_", "in_", "il_", "evt_", "pi_", "ch_",
    ];
    let mut found = BTreeMap::new();
    for r in records {
        for text in [r.data.as_str(), r.id.as_str()] {
            for p in PREFIXES {
                let mut rest = text;
                while let Some(i) = rest.find(p) {
                    let tail = &rest[i + p.len()..];
                    let n = tail
                        .bytes()
                        .take_while(|b| b.is_ascii_alphanumeric())
                        .count();
                    let boundary = i == 0 || !rest.as_bytes()[i - 1].is_ascii_alphanumeric();
                    if n >= 14 && boundary {
                        found.insert(format!("{p}{}", &tail[..n]), ());
                    }
                    rest = &tail[n.min(tail.len())..];
                }
            }
        }
    }
    found.into_keys().collect()
}

/// One copy of the template records, with `swaps` applied everywhere.
fn copy(records: &[Record], swaps: &[(String, String)]) -> Vec<Write> {
    let swap = |s: &str| {
        let mut s = s.to_owned();
        for (from, to) in swaps {
            if s.contains(from.as_str()) {
                s = s.replace(from.as_str(), to);
            }
        }
        s
    };
    records
        .iter()
        .map(|r| {
            Write::Insert(Record {
                kind: r.kind,
                id: swap(&r.id),
                created: r.created,
                version: r.version,
                deleted: r.deleted,
                parent: r.parent.as_deref().map(swap),
                lookup: r.lookup.as_deref().map(swap),
                status: r.status.clone(),
                unique_key: r.unique_key.as_deref().map(swap),
                due_at: r.due_at,
                data: swap(&r.data),
            })
        })
        .collect()
}

/// Fresh values for every id, the invoice prefix and the email of one copy.
fn swaps_for(
    ids: &[String],
    prefix: &str,
    email: &str,
    n: usize,
    g: &mut RandomIds,
) -> Vec<(String, String)> {
    let mut swaps: Vec<(String, String)> = ids
        .iter()
        .map(|old| {
            let cut = old.find('_').map(|i| i + 1).unwrap_or(0);
            (old.clone(), g.next(&old[..cut], old.len() - cut))
        })
        .collect();
    if !prefix.is_empty() {
        swaps.push((
            prefix.to_owned(),
            g.random_string(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", prefix.len()),
        ));
    }
    let (user, domain) = email.split_once('@').unwrap_or((email, "example.com"));
    swaps.push((email.to_owned(), format!("{user}{n}@{domain}")));
    swaps
}

/// Seeds the database and returns the fixture for `portico-bench measure`.
pub async fn seed(a: SeedArgs) -> anyhow::Result<Value> {
    let started = Instant::now();
    let config = ServeConfig {
        listen: "127.0.0.1:0".parse()?,
        database_url: a.database_url.clone(),
        public_url: "http://127.0.0.1:12111".into(),
        api_keys: vec![a.key.clone()],
        dev: false,
        webhooks: portico_server::webhooks::WebhookSettings::production(),
        portal: Default::default(),
        mail: portico_server::mail::MailSettings::outbox(),
        rate_limits: Default::default(),
        data_keys: Vec::new(),
        admin_password: None,
        trusted_proxies: Vec::new(),
        default_currency: "usd".into(),
    };
    let app = portico_server::build(&config, Arc::new(portico_server::state::SystemClock)).await?;
    let store = app.store.clone();
    let account = portico_server::auth::account_for(&a.key);
    let router = portico_server::router(app.clone());
    let k = a.key.as_str();

    let product = id(&api(&router, k, "/v1/products", &[("name", "Pro")]).await?);
    let price = |amount: &'static str| {
        [
            ("product", product.clone()),
            ("currency", "usd".to_owned()),
            ("unit_amount", amount.to_owned()),
            ("recurring[interval]", "month".to_owned()),
        ]
    };
    let form = |p: &[(&'static str, String)]| -> Vec<(&'static str, String)> { p.to_vec() };
    let pro_form = form(&price("1500"));
    let pro = id(&api(
        &router,
        k,
        "/v1/prices",
        &pro_form
            .iter()
            .map(|(a, b)| (*a, b.as_str()))
            .collect::<Vec<_>>(),
    )
    .await?);
    let team_form = form(&price("4000"));
    let team = id(&api(
        &router,
        k,
        "/v1/prices",
        &team_form
            .iter()
            .map(|(a, b)| (*a, b.as_str()))
            .collect::<Vec<_>>(),
    )
    .await?);
    let cfg = id(&api(
        &router,
        k,
        "/v1/billing_portal/configurations",
        &[
            ("default_return_url", "https://app.example.com/account"),
            ("features[invoice_history][enabled]", "true"),
            ("features[payment_method_update][enabled]", "true"),
            ("features[customer_update][enabled]", "true"),
            ("features[customer_update][allowed_updates][0]", "email"),
            ("features[customer_update][allowed_updates][1]", "address"),
            ("features[subscription_cancel][enabled]", "true"),
            ("features[subscription_update][enabled]", "true"),
            (
                "features[subscription_update][default_allowed_updates][0]",
                "price",
            ),
            (
                "features[subscription_update][default_allowed_updates][1]",
                "quantity",
            ),
            (
                "features[subscription_update][proration_behavior]",
                "create_prorations",
            ),
            (
                "features[subscription_update][products][0][product]",
                &product,
            ),
            (
                "features[subscription_update][products][0][prices][0]",
                &pro,
            ),
            (
                "features[subscription_update][products][0][prices][1]",
                &team,
            ),
        ],
    )
    .await?);
    let customer = api(
        &router,
        k,
        "/v1/customers",
        &[
            ("email", "seed@example.com"),
            ("name", "Ada Lovelace"),
            ("payment_method", "pm_card_visa"),
            ("invoice_settings[default_payment_method]", "pm_card_visa"),
        ],
    )
    .await?;
    let cus = id(&customer);
    let pm = customer["invoice_settings"]["default_payment_method"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let sub = api(
        &router,
        k,
        "/v1/subscriptions",
        &[("customer", &cus), ("items[0][price]", &pro)],
    )
    .await?;
    let invoice = sub["latest_invoice"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    // Counting the two templates made through the API (the plain one only when asked for).
    let subscribed_total = a.subscribed.min(a.customers).max(1);
    let plain_total = a.customers.saturating_sub(subscribed_total);
    let plain = if plain_total > 0 {
        Some(
            api(
                &router,
                k,
                "/v1/customers",
                &[("email", "plain@example.com"), ("name", "Grace Hopper")],
            )
            .await?,
        )
    } else {
        None
    };
    let prefix = customer["invoice_prefix"].as_str().unwrap_or_default();
    let plain_prefix = plain
        .as_ref()
        .and_then(|p| p["invoice_prefix"].as_str())
        .unwrap_or_default();

    let full = template(
        &*store,
        &account,
        &[
            ("customer", cus.clone()),
            ("payment_method", pm),
            ("subscription", id(&sub)),
            ("invoice", invoice),
        ],
    )
    .await?;
    let (bare, bare_ids) = match &plain {
        Some(p) => (
            vec![store
                .get(&account, "customer", &id(p))
                .await?
                .ok_or_else(|| anyhow::anyhow!("the plain customer is missing"))?],
            vec![id(p)],
        ),
        None => (Vec::new(), Vec::new()),
    };
    let full_ids = ids_in(&full);

    let mut g = RandomIds;
    let mut fixture_users = Vec::new();
    let mut batch = Vec::new();
    let mut written = 0usize;
    let subscribed = subscribed_total - 1;
    let plain_count = plain_total.saturating_sub(1);
    for n in 0..subscribed + plain_count {
        let writes = if n < subscribed {
            let swaps = swaps_for(&full_ids, prefix, "seed@example.com", n, &mut g);
            if fixture_users.len() < FIXTURE_USERS {
                let get = |p: &str| {
                    swaps
                        .iter()
                        .find(|(old, _)| old.starts_with(p))
                        .map(|(_, new)| new.clone())
                        .unwrap_or_default()
                };
                fixture_users.push(json!({
                    "customer": get("cus_"),
                    "subscription": get("sub_"),
                    "item": get("si_"),
                }));
            }
            copy(&full, &swaps)
        } else {
            let swaps = swaps_for(&bare_ids, plain_prefix, "plain@example.com", n, &mut g);
            copy(&bare, &swaps)
        };
        written += writes.len();
        batch.extend(writes);
        if batch.len() >= BATCH {
            store.commit(&account, std::mem::take(&mut batch)).await?;
        }
    }
    if !batch.is_empty() {
        store.commit(&account, batch).await?;
    }
    store.close().await;
    Ok(json!({
        "key": a.key,
        "product": product,
        "pro": pro,
        "team": team,
        "config": cfg,
        "subscribed": fixture_users,
        "seeded": {
            "customers": subscribed_total + plain_total,
            "subscribed_customers": subscribed_total,
            "objects_written": written,
            "seconds": (started.elapsed().as_secs_f64() * 10.0).round() / 10.0,
        },
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(kind: &'static str, id: &str, data: &str) -> Record {
        Record::first(kind, id, 1, data)
    }

    #[test]
    fn copies_get_fresh_ids_everywhere() {
        let t = vec![
            rec(
                "customer",
                "cus_AAAAAAAAAAAAAAAAAAAAAAAA",
                r#"{"id":"cus_AAAAAAAAAAAAAAAAAAAAAAAA","invoice_prefix":"PREFIX12","email":"seed@example.com","invoice_settings":{"default_payment_method":"pm_BBBBBBBBBBBBBBBBBBBBBBBB"}}"#,
            ),
            rec(
                "subscription",
                "sub_CCCCCCCCCCCCCCCCCCCCCCCC",
                r#"{"customer":"cus_AAAAAAAAAAAAAAAAAAAAAAAA","price":"price_DDDDDDDDDDDDDDDDDDDDDDDD"}"#,
            ),
        ];
        let ids = ids_in(&t);
        assert_eq!(
            ids,
            vec![
                "cus_AAAAAAAAAAAAAAAAAAAAAAAA",
                "pm_BBBBBBBBBBBBBBBBBBBBBBBB",
                "sub_CCCCCCCCCCCCCCCCCCCCCCCC"
            ],
            "prices and products are shared, not copied"
        );
        let swaps = swaps_for(&ids, "PREFIX12", "seed@example.com", 7, &mut RandomIds);
        let out = copy(&t, &swaps);
        let Write::Insert(c) = &out[0] else { panic!() };
        assert!(c.id.starts_with("cus_") && c.id.len() == 28 && c.id != t[0].id);
        assert!(c.data.contains(&format!("\"id\":\"{}\"", c.id)));
        assert!(c.data.contains("seed7@example.com") && !c.data.contains("PREFIX12"));
        let Write::Insert(s) = &out[1] else { panic!() };
        assert!(s.data.contains(&c.id) && s.data.contains("price_DDDDDDDDDDDDDDDDDDDDDDDD"));
    }
}

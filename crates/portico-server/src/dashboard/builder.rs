//! The deep-link builder: pick a customer, a flow and its details, an after-completion
//! behaviour and a locale; get the session URL (made through `POST /v1/billing_portal/sessions`)
//! and the `curl`, stripe-python and stripe-node code that makes the same session.

use super::{pairs, render, s, Dash, Form, Layout, Signed};
use askama::Template;
use axum::extract::Query;
use axum::http::StatusCode;
use axum::response::Response;
use portico_domain::portal::LOCALES;
use serde::Deserialize;
use serde_json::{Map, Value};

/// The builder's fields (from the query string when loading, from the form when creating).
#[derive(Deserialize, Default, Clone)]
pub struct Fields {
    #[serde(default)]
    customer: String,
    #[serde(default)]
    configuration: String,
    #[serde(default)]
    flow: String,
    #[serde(default)]
    subscription: String,
    #[serde(default)]
    item: String,
    #[serde(default)]
    price: String,
    #[serde(default)]
    quantity: String,
    #[serde(default)]
    coupon: String,
    #[serde(default)]
    promotion_code: String,
    #[serde(default)]
    retention_coupon: String,
    #[serde(default)]
    after: String,
    #[serde(default)]
    redirect_url: String,
    #[serde(default)]
    message: String,
    #[serde(default)]
    locale: String,
    #[serde(default)]
    return_url: String,
}

impl Fields {
    fn from_form(f: &Form) -> Fields {
        let t = |n: &str| f.text(n).unwrap_or_default();
        Fields {
            customer: t("customer"),
            configuration: t("configuration"),
            flow: t("flow"),
            subscription: t("subscription"),
            item: t("item"),
            price: t("price"),
            quantity: t("quantity"),
            coupon: t("coupon"),
            promotion_code: t("promotion_code"),
            retention_coupon: t("retention_coupon"),
            after: t("after"),
            redirect_url: t("redirect_url"),
            message: t("message"),
            locale: t("locale"),
            return_url: t("return_url"),
        }
    }

    /// The session's API parameters, in the order the SDK examples write them.
    fn params(&self) -> Vec<(String, String)> {
        let mut p = Vec::new();
        let mut put = |k: &str, v: &str| {
            if !v.is_empty() {
                p.push((k.to_owned(), v.to_owned()));
            }
        };
        put("customer", &self.customer);
        put("configuration", &self.configuration);
        put("return_url", &self.return_url);
        put("locale", &self.locale);
        if self.flow.is_empty() {
            return p;
        }
        put("flow_data[type]", &self.flow);
        match self.flow.as_str() {
            "subscription_cancel" => {
                put(
                    "flow_data[subscription_cancel][subscription]",
                    &self.subscription,
                );
                if !self.retention_coupon.is_empty() {
                    put(
                        "flow_data[subscription_cancel][retention][type]",
                        "coupon_offer",
                    );
                    put(
                        "flow_data[subscription_cancel][retention][coupon_offer][coupon]",
                        &self.retention_coupon,
                    );
                }
            }
            "subscription_update" => {
                put(
                    "flow_data[subscription_update][subscription]",
                    &self.subscription,
                );
            }
            "subscription_update_confirm" => {
                const C: &str = "flow_data[subscription_update_confirm]";
                put(&format!("{C}[subscription]"), &self.subscription);
                put(&format!("{C}[items][0][id]"), &self.item);
                put(&format!("{C}[items][0][price]"), &self.price);
                put(&format!("{C}[items][0][quantity]"), &self.quantity);
                put(&format!("{C}[discounts][0][coupon]"), &self.coupon);
                put(
                    &format!("{C}[discounts][0][promotion_code]"),
                    &self.promotion_code,
                );
            }
            _ => {}
        }
        if !self.after.is_empty() {
            put("flow_data[after_completion][type]", &self.after);
            match self.after.as_str() {
                "redirect" => put(
                    "flow_data[after_completion][redirect][return_url]",
                    &self.redirect_url,
                ),
                "hosted_confirmation" => put(
                    "flow_data[after_completion][hosted_confirmation][custom_message]",
                    &self.message,
                ),
                _ => {}
            }
        }
        p
    }
}

/// Form parameters as the nested object the SDKs take.
fn nested(params: &[(String, String)]) -> Value {
    let mut root = Value::Object(Map::new());
    for (k, v) in params {
        let (head, rest) = k.split_once('[').unwrap_or((k.as_str(), ""));
        let mut path: Vec<&str> = vec![head];
        path.extend(
            rest.split('[')
                .map(|p| p.trim_end_matches(']'))
                .filter(|p| !p.is_empty()),
        );
        let value = match (k.ends_with("[quantity]"), v.parse::<i64>()) {
            (true, Ok(n)) => Value::from(n),
            _ => Value::String(v.clone()),
        };
        insert(&mut root, &path, value);
    }
    root
}

/// Puts `value` at `path` (names and array indexes) under `node`.
fn insert(node: &mut Value, path: &[&str], value: Value) {
    let Some((first, rest)) = path.split_first() else {
        *node = value;
        return;
    };
    let next_is_index = rest.first().is_some_and(|p| p.parse::<usize>().is_ok());
    let fresh = || {
        if next_is_index {
            Value::Array(Vec::new())
        } else {
            Value::Object(Map::new())
        }
    };
    let child = match first.parse::<usize>() {
        Ok(i) => {
            if !node.is_array() {
                *node = Value::Array(Vec::new());
            }
            let Value::Array(a) = node else { return };
            while a.len() <= i {
                a.push(fresh());
            }
            &mut a[i]
        }
        Err(_) => {
            if !node.is_object() {
                *node = Value::Object(Map::new());
            }
            let Value::Object(m) = node else { return };
            m.entry(*first).or_insert_with(fresh)
        }
    };
    insert(child, rest, value);
}

/// A JSON value as source code: nested objects and arrays one item a line, indented by `step`
/// per level, each object key written by `key`. Python and JavaScript differ only in those two.
fn literal(v: &Value, indent: usize, step: &str, key: fn(&str) -> String) -> String {
    let pad = step.repeat(indent + 1);
    let end = step.repeat(indent);
    let (open, close, inner): (&str, &str, Vec<String>) = match v {
        Value::Object(m) => (
            "{",
            "}",
            m.iter()
                .map(|(k, v)| format!("{pad}{}: {},", key(k), literal(v, indent + 1, step, key)))
                .collect(),
        ),
        Value::Array(a) => (
            "[",
            "]",
            a.iter()
                .map(|v| format!("{pad}{},", literal(v, indent + 1, step, key)))
                .collect(),
        ),
        other => return other.to_string(),
    };
    format!("{open}\n{}\n{end}{close}", inner.join("\n"))
}

fn json_str(s: &str) -> String {
    Value::String(s.to_owned()).to_string()
}

/// A JSON value as Python source (dicts, lists, strings, numbers).
fn python(v: &Value, indent: usize) -> String {
    literal(v, indent, "    ", json_str)
}

/// A JSON value as JavaScript source (keys unquoted where they can be).
fn javascript(v: &Value, indent: usize) -> String {
    literal(v, indent, "  ", |k| {
        if k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            k.to_owned()
        } else {
            json_str(k)
        }
    })
}

/// A shell word in single quotes.
fn shell(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// The code that makes the same session: (curl, python, node).
fn snippets(base: &str, params: &[(String, String)]) -> (String, String, String) {
    let mut curl =
        format!("curl {base}/v1/billing_portal/sessions \\\n  -u \"$STRIPE_SECRET_KEY:\"");
    for (k, v) in params {
        curl.push_str(&format!(" \\\n  -d {}", shell(&format!("{k}={v}"))));
    }
    let args = nested(params);
    let py_args = match &args {
        Value::Object(m) => m
            .iter()
            .map(|(k, v)| format!("    {k}={},", python(v, 1)))
            .collect::<Vec<_>>()
            .join("\n"),
        _ => String::new(),
    };
    let python = format!(
        "import os\nimport stripe\n\nstripe.api_key = os.environ[\"STRIPE_SECRET_KEY\"]\nstripe.api_base = {}\n\nsession = stripe.billing_portal.Session.create(\n{py_args}\n)\nprint(session.url)",
        json_str(base)
    );
    let url = url::Url::parse(base).ok();
    let host = url
        .as_ref()
        .and_then(|u| u.host_str().map(str::to_owned))
        .unwrap_or_else(|| "localhost".into());
    let protocol = url
        .as_ref()
        .map(|u| u.scheme().to_owned())
        .unwrap_or_else(|| "http".into());
    let port = url
        .as_ref()
        .and_then(|u| u.port_or_known_default())
        .unwrap_or(80);
    let node = format!(
        "import Stripe from 'stripe';\n\nconst stripe = new Stripe(process.env.STRIPE_SECRET_KEY, {{\n  host: {},\n  port: {port},\n  protocol: {},\n}});\n\nconst session = await stripe.billingPortal.sessions.create({});\nconsole.log(session.url);",
        json_str(&host),
        json_str(&protocol),
        javascript(&args, 0)
    );
    (curl, python, node)
}

/// What the builder made.
pub struct Made {
    pub url: String,
    pub id: String,
    pub curl: String,
    pub python: String,
    pub node: String,
}

#[derive(Template)]
#[template(path = "dashboard/builder.html")]
struct BuilderPage {
    l: Layout,
    f: Fields,
    flows: Vec<(&'static str, &'static str)>,
    afters: Vec<(&'static str, &'static str)>,
    locales: &'static [&'static str],
    /// (id, label)
    configurations: Vec<(String, String)>,
    /// The customer's subscriptions: (id, label)
    subscriptions: Vec<(String, String)>,
    /// Items of the chosen subscription: (item id, label)
    items: Vec<(String, String)>,
    /// Recurring prices: (id, label)
    prices: Vec<(String, String)>,
    coupons: Vec<(String, String)>,
    /// Recent customers to pick from: (id, label)
    customers: Vec<(String, String)>,
    customer_label: Option<String>,
    made: Option<Made>,
    error: Option<String>,
}

const FLOWS: [(&str, &str); 5] = [
    ("", "None: the portal homepage"),
    ("payment_method_update", "Update the payment method"),
    ("subscription_cancel", "Cancel a subscription"),
    (
        "subscription_update",
        "Change a subscription (choose a plan)",
    ),
    ("subscription_update_confirm", "Confirm a given change"),
];

const AFTERS: [(&str, &str); 4] = [
    ("", "Default (the portal homepage)"),
    ("portal_homepage", "Back to the portal homepage"),
    ("hosted_confirmation", "A confirmation page"),
    ("redirect", "Redirect to a URL"),
];

async fn page(
    d: &Dash,
    f: Fields,
    made: Option<Made>,
    error: Option<String>,
    status: StatusCode,
) -> Response {
    let configs = d
        .get(
            "/v1/billing_portal/configurations",
            &pairs([("limit", "100"), ("active", "true")]),
        )
        .await;
    let configurations = list_of(&configs.body, |c| {
        format!(
            "{}{}",
            c["name"].as_str().unwrap_or("Unnamed"),
            if c["is_default"] == Value::Bool(true) {
                " (default)"
            } else {
                ""
            }
        )
    });
    let mut customer_label = None;
    let mut subscriptions = Vec::new();
    let mut items = Vec::new();
    if !f.customer.is_empty() {
        let c = d.get(&format!("/v1/customers/{}", f.customer), &[]).await;
        if c.ok() {
            customer_label = Some(
                c.body["email"]
                    .as_str()
                    .or(c.body["name"].as_str())
                    .unwrap_or(&f.customer)
                    .to_owned(),
            );
            let subs = d
                .get(
                    "/v1/subscriptions",
                    &pairs([("customer", f.customer.as_str()), ("limit", "20")]),
                )
                .await;
            for sub in subs.body["data"].as_array().into_iter().flatten() {
                let id = s(sub, "id").to_owned();
                let label = format!("{} · {}", id, s(sub, "status"));
                if f.subscription == id || (f.subscription.is_empty() && items.is_empty()) {
                    for it in sub["items"]["data"].as_array().into_iter().flatten() {
                        items.push((
                            s(it, "id").to_owned(),
                            format!(
                                "{} · {} × {}",
                                s(it, "id"),
                                s(&it["price"], "id"),
                                it["quantity"].as_i64().unwrap_or(1)
                            ),
                        ));
                    }
                }
                subscriptions.push((id, label));
            }
        }
    }
    let prices = d
        .get(
            "/v1/prices",
            &pairs([
                ("active", "true"),
                ("type", "recurring"),
                ("limit", "100"),
                ("expand[]", "data.product"),
            ]),
        )
        .await;
    let prices = list_of(&prices.body, |p| {
        format!(
            "{}{}{}",
            p["product"]["name"]
                .as_str()
                .map(|n| format!("{n} · "))
                .unwrap_or_default(),
            super::price_amount(p),
            p["recurring"]["interval"]
                .as_str()
                .map(|i| format!(" / {i}"))
                .unwrap_or_default()
        )
    });
    let recent = d.get("/v1/customers", &pairs([("limit", "50")])).await;
    let customers = list_of(&recent.body, |c| {
        [c["name"].as_str(), c["email"].as_str()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" · ")
    });
    let coupons = d.get("/v1/coupons", &pairs([("limit", "100")])).await;
    let coupons = list_of(&coupons.body, |c| {
        c["name"].as_str().unwrap_or_default().to_owned()
    });
    render(
        status,
        &BuilderPage {
            l: d.layout("Deep-link builder", "links"),
            f,
            flows: FLOWS.to_vec(),
            afters: AFTERS.to_vec(),
            locales: LOCALES,
            configurations,
            subscriptions,
            items,
            prices,
            coupons,
            customers,
            customer_label,
            made,
            error,
        },
    )
}

fn list_of(list: &Value, label: impl Fn(&Value) -> String) -> Vec<(String, String)> {
    list["data"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|o| (s(o, "id").to_owned(), label(o)))
                .collect()
        })
        .unwrap_or_default()
}

/// `GET /dashboard/links?customer=…`: the builder, filled from the query.
pub async fn form(d: Dash, Query(f): Query<Fields>) -> Response {
    page(&d, f, None, None, StatusCode::OK).await
}

/// `POST /dashboard/links`: makes the session.
pub async fn create(Signed(d, form): Signed) -> Response {
    let app = d.app.clone();
    let f = Fields::from_form(&form);
    if form.get("intent") == Some("load") {
        // Only filling the form in (the customer's subscriptions and items).
        return page(&d, f, None, None, StatusCode::OK).await;
    }
    let params = f.params();
    let r = d.post("/v1/billing_portal/sessions", &params).await;
    if let Some(e) = r.error() {
        return page(&d, f, None, Some(e), StatusCode::BAD_REQUEST).await;
    }
    let (curl, python, node) = snippets(&app.settings.public_url, &params);
    let made = Made {
        url: s(&r.body, "url").to_owned(),
        id: s(&r.body, "id").to_owned(),
        curl,
        python,
        node,
    };
    page(&d, f, Some(made), None, StatusCode::OK).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn a_confirm_flow_nests_like_the_sdks_take_it() {
        let f = Fields {
            customer: "cus_1".into(),
            flow: "subscription_update_confirm".into(),
            subscription: "sub_1".into(),
            item: "si_1".into(),
            price: "price_2".into(),
            quantity: "3".into(),
            coupon: "SAVE".into(),
            after: "redirect".into(),
            redirect_url: "https://example.com/done?a=1&b='x'".into(),
            retention_coupon: "ignored".into(),
            ..Default::default()
        };
        let params = f.params();
        assert!(params
            .iter()
            .all(|(k, _)| !k.contains("retention") && !k.contains("promotion_code")));
        let v = nested(&params);
        assert_eq!(
            v,
            serde_json::json!({
                "customer": "cus_1",
                "flow_data": {
                    "type": "subscription_update_confirm",
                    "subscription_update_confirm": {
                        "subscription": "sub_1",
                        "items": [{"id": "si_1", "price": "price_2", "quantity": 3}],
                        "discounts": [{"coupon": "SAVE"}],
                    },
                    "after_completion": {
                        "type": "redirect",
                        "redirect": {"return_url": "https://example.com/done?a=1&b='x'"},
                    },
                },
            })
        );
        let (curl, python, node) = snippets("http://127.0.0.1:12111", &params);
        assert!(curl.contains(r"-d 'flow_data[after_completion][redirect][return_url]=https://example.com/done?a=1&b='\''x'\'''"));
        assert!(python.contains("stripe.api_base = \"http://127.0.0.1:12111\""));
        assert!(python.contains("\"quantity\": 3,"));
        assert!(node.contains("port: 12111,"));
        assert!(node.contains("subscription_update_confirm: {"));
    }

    #[test]
    fn no_flow_sends_only_the_session() {
        let f = Fields {
            customer: "cus_1".into(),
            after: "redirect".into(),
            locale: "fr".into(),
            ..Default::default()
        };
        assert_eq!(f.params(), p(&[("customer", "cus_1"), ("locale", "fr")]));
    }
}

//! The state browser: customers, subscriptions, invoices, payment methods, coupons, promotion
//! codes and portal sessions — lists (searchable by id or email), and detail pages with the
//! object's facts, its related objects and its raw JSON as the API returns it.

use super::{error_page, money, pairs, pretty, price_amount, render, s, stamp_of, Dash, Layout};
use askama::Template;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use portico_domain::portal::PortalSession;
use portico_store::{Cursor, ListQuery, Versioned};
use serde::Deserialize;
use serde_json::Value;

/// A kind of object the browser shows.
pub struct Kind {
    /// In the dashboard's URLs.
    pub path: &'static str,
    /// Of its ids.
    pub prefix: &'static str,
    pub title: &'static str,
    /// Its API list path (`None`: read from the store).
    api: Option<&'static str>,
    /// Whether a list can be narrowed to one customer (`customer=`).
    by_customer: bool,
}

pub const KINDS: &[Kind] = &[
    Kind {
        path: "customers",
        prefix: "cus_",
        title: "Customers",
        api: Some("/v1/customers"),
        by_customer: false,
    },
    Kind {
        path: "subscriptions",
        prefix: "sub_",
        title: "Subscriptions",
        api: Some("/v1/subscriptions"),
        by_customer: true,
    },
    Kind {
        path: "invoices",
        prefix: "in_",
        title: "Invoices",
        api: Some("/v1/invoices"),
        by_customer: true,
    },
    Kind {
        path: "invoice_items",
        prefix: "ii_",
        title: "Invoice items",
        api: Some("/v1/invoiceitems"),
        by_customer: true,
    },
    Kind {
        path: "payment_methods",
        prefix: "pm_",
        title: "Payment methods",
        api: Some("/v1/payment_methods"),
        by_customer: true,
    },
    Kind {
        path: "coupons",
        prefix: "",
        title: "Coupons",
        api: Some("/v1/coupons"),
        by_customer: false,
    },
    Kind {
        path: "promotion_codes",
        prefix: "promo_",
        title: "Promotion codes",
        api: Some("/v1/promotion_codes"),
        by_customer: false,
    },
    Kind {
        path: "portal_sessions",
        prefix: "bps_",
        title: "Portal sessions",
        api: None,
        by_customer: true,
    },
    Kind {
        path: "subscription_schedules",
        prefix: "sub_sched_",
        title: "Subscription schedules",
        api: Some("/v1/subscription_schedules"),
        by_customer: true,
    },
];

fn kind(path: &str) -> Option<&'static Kind> {
    KINDS.iter().find(|k| k.path == path)
}

/// Rows shown per page.
const PAGE: usize = 25;

#[derive(Deserialize, Default)]
pub struct ListParams {
    /// An id, or an email address.
    q: Option<String>,
    customer: Option<String>,
    after: Option<String>,
}

/// One cell of a list row: text, and where it links to.
pub struct Cell {
    pub text: String,
    pub link: Option<String>,
    pub code: bool,
}

impl Cell {
    fn text(t: impl Into<String>) -> Cell {
        Cell {
            text: t.into(),
            link: None,
            code: false,
        }
    }
    fn id(id: &str, path: &str) -> Cell {
        Cell {
            text: id.to_owned(),
            link: (!id.is_empty()).then(|| format!("/dashboard/objects/{path}/{id}")),
            code: true,
        }
    }
}

#[derive(Template)]
#[template(path = "dashboard/list.html")]
struct ListPage {
    l: Layout,
    path: &'static str,
    title: &'static str,
    q: String,
    customer: String,
    by_customer: bool,
    headers: Vec<&'static str>,
    rows: Vec<Vec<Cell>>,
    next: Option<String>,
    message: Option<String>,
}

/// `GET /dashboard/objects/{kind}?q=…&customer=…&after=…`
pub async fn list(d: Dash, Path(path): Path<String>, Query(p): Query<ListParams>) -> Response {
    let Some(k) = kind(&path) else {
        return error_page(StatusCode::NOT_FOUND, "The dashboard does not list that.");
    };
    let q = p.q.unwrap_or_default().trim().to_owned();
    let mut customer = p.customer.unwrap_or_default().trim().to_owned();
    let mut message = None;
    let mut query = pairs([("limit", &PAGE.to_string())]);
    if !q.is_empty() {
        if q.contains('@') {
            // An email: the customers with it, or the objects of the first of them.
            let found = d
                .get("/v1/customers", &pairs([("email", &q), ("limit", "10")]))
                .await;
            let ids: Vec<String> = found.body["data"]
                .as_array()
                .map(|a| a.iter().map(|c| s(c, "id").to_owned()).collect())
                .unwrap_or_default();
            if k.path == "customers" {
                query.push(("email".into(), q.clone()));
            } else if let Some(first) = ids.first() {
                if k.by_customer {
                    customer = first.clone();
                    if ids.len() > 1 {
                        message = Some(format!(
                            "{} customers have this email; showing those of {first}.",
                            ids.len()
                        ));
                    }
                } else {
                    message = Some(format!("{} cannot be searched by email.", k.title));
                }
            } else {
                message = Some(format!("No customer has the email {q}."));
                return list_page(&d, k, q, customer, Vec::new(), None, message);
            }
        } else if k.prefix.is_empty() || q.starts_with(k.prefix) {
            // An id: its page, if it exists.
            return Redirect::to(&format!(
                "/dashboard/objects/{}/{}",
                k.path,
                url::form_urlencoded::byte_serialize(q.as_bytes()).collect::<String>()
            ))
            .into_response();
        } else if let Some(other) = KINDS
            .iter()
            .find(|o| !o.prefix.is_empty() && q.starts_with(o.prefix))
        {
            return Redirect::to(&format!(
                "/dashboard/objects/{}/{}",
                other.path,
                url::form_urlencoded::byte_serialize(q.as_bytes()).collect::<String>()
            ))
            .into_response();
        } else {
            message = Some(format!(
                "Search by an id ({}…) or an email address.",
                if k.prefix.is_empty() {
                    "the coupon's id"
                } else {
                    k.prefix
                }
            ));
        }
    }
    if !customer.is_empty() && k.by_customer {
        query.push(("customer".into(), customer.clone()));
    }
    if let Some(a) = p.after.filter(|a| !a.is_empty()) {
        query.push(("starting_after".into(), a));
    }
    if k.path == "subscriptions" {
        query.push(("status".into(), "all".into()));
    }
    let (objects, has_more) = match k.api {
        Some(api_path) => {
            let r = d.get(api_path, &query).await;
            if let Some(e) = r.error() {
                message = Some(e);
            }
            (
                r.body["data"].as_array().cloned().unwrap_or_default(),
                r.body["has_more"] == Value::Bool(true),
            )
        }
        None => match sessions(&d, &customer, query_after(&query)).await {
            Ok(v) => v,
            Err(r) => return r,
        },
    };
    let next = has_more
        .then(|| objects.last().map(|o| s(o, "id").to_owned()))
        .flatten();
    let rows = objects.iter().map(|o| row(k, o)).collect();
    list_page(&d, k, q, customer, rows, next, message)
}

fn query_after(q: &[(String, String)]) -> Option<String> {
    q.iter()
        .find(|(k, _)| k == "starting_after")
        .map(|(_, v)| v.clone())
}

fn list_page(
    d: &Dash,
    k: &'static Kind,
    q: String,
    customer: String,
    rows: Vec<Vec<Cell>>,
    next: Option<String>,
    message: Option<String>,
) -> Response {
    render(
        StatusCode::OK,
        &ListPage {
            l: d.layout(k.title, k.path),
            path: k.path,
            title: k.title,
            q,
            customer,
            by_customer: k.by_customer,
            headers: header_row(k),
            rows,
            next,
            message,
        },
    )
}

/// Portal sessions, newest first (the API has no list of them).
async fn sessions(
    d: &Dash,
    customer: &str,
    after: Option<String>,
) -> Result<(Vec<Value>, bool), Response> {
    let mut filters = Vec::new();
    if !customer.is_empty() {
        // Sessions are not indexed by customer (see their `Object` impl): this reads the
        // newest first until a page is found.
        filters.push(portico_store::Filter::Field(
            "customer",
            customer.to_owned(),
        ));
    }
    let page = d
        .app
        .store
        .list(
            d.account(),
            &ListQuery {
                kind: "billing_portal.session",
                filters,
                cursor: after.map(Cursor::After).unwrap_or_default(),
                limit: PAGE,
                include_deleted: false,
            },
        )
        .await
        .map_err(|_| super::unavailable())?;
    let objects = page
        .records
        .iter()
        .filter_map(|r| Versioned::<PortalSession>::from_record(r).ok())
        .map(|v| portico_wire::render::portal_session(&v.value, &d.app.settings.public_url))
        .collect();
    Ok((objects, page.has_more))
}

fn header_row(k: &Kind) -> Vec<&'static str> {
    match k.path {
        "customers" => vec!["Customer", "Email", "Created"],
        "subscriptions" => vec!["Subscription", "Customer", "Status", "Plan", "Period ends"],
        "invoices" => vec!["Invoice", "Customer", "Status", "Total", "Created"],
        "invoice_items" => vec!["Invoice item", "Customer", "Amount", "Invoice", "Made"],
        "payment_methods" => vec!["Payment method", "Customer", "Card", "Created"],
        "coupons" => vec!["Coupon", "Discount", "Duration", "Redeemed", "Valid"],
        "promotion_codes" => vec!["Code", "Coupon", "Active", "Redeemed"],
        "portal_sessions" => vec!["Session", "Customer", "Flow", "Created"],
        _ => vec!["Schedule", "Customer", "Status", "Subscription"],
    }
}

/// What a coupon takes off.
fn coupon_off(c: &Value) -> String {
    match (c["percent_off"].as_f64(), c["amount_off"].as_i64()) {
        (Some(p), _) => format!("{p}% off"),
        (None, Some(a)) => format!("{} off", money(a, s(c, "currency"))),
        _ => "—".into(),
    }
}

/// A subscription's items in a few words: `Pro (price_…) × 2`.
fn plan(sub: &Value) -> String {
    sub["items"]["data"]
        .as_array()
        .map(|items| {
            items
                .iter()
                .map(|i| {
                    let p = &i["price"];
                    let amount = price_amount(p);
                    let every = s(&p["recurring"], "interval");
                    let q = i["quantity"].as_i64().unwrap_or(1);
                    let qty = if q == 1 {
                        String::new()
                    } else {
                        format!(" × {q}")
                    };
                    format!("{amount} / {every}{qty}")
                })
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or_default()
}

fn row(k: &Kind, o: &Value) -> Vec<Cell> {
    let id = s(o, "id");
    let customer = || Cell::id(s(o, "customer"), "customers");
    match k.path {
        "customers" => vec![
            Cell {
                text: o["name"]
                    .as_str()
                    .map_or_else(|| id.to_owned(), |n| format!("{n} · {id}")),
                link: Some(format!("/dashboard/objects/customers/{id}")),
                code: false,
            },
            Cell::text(s(o, "email")),
            Cell::text(stamp_of(&o["created"])),
        ],
        "subscriptions" => vec![
            Cell::id(id, "subscriptions"),
            customer(),
            Cell::text(format!(
                "{}{}",
                s(o, "status"),
                if o["cancel_at_period_end"] == Value::Bool(true) {
                    " (cancels at period end)"
                } else {
                    ""
                }
            )),
            Cell::text(plan(o)),
            Cell::text(stamp_of(&o["items"]["data"][0]["current_period_end"])),
        ],
        "invoices" => vec![
            Cell::id(id, "invoices"),
            customer(),
            Cell::text(s(o, "status")),
            Cell::text(money(o["total"].as_i64().unwrap_or(0), s(o, "currency"))),
            Cell::text(stamp_of(&o["created"])),
        ],
        "invoice_items" => vec![
            Cell {
                text: o["description"]
                    .as_str()
                    .map_or_else(|| id.to_owned(), |d| format!("{d} · {id}")),
                link: Some(format!("/dashboard/objects/invoice_items/{id}")),
                code: false,
            },
            customer(),
            Cell::text(money(o["amount"].as_i64().unwrap_or(0), s(o, "currency"))),
            match o["invoice"].as_str() {
                Some(inv) => Cell::id(inv, "invoices"),
                None => Cell::text("pending"),
            },
            Cell::text(stamp_of(&o["date"])),
        ],
        "payment_methods" => vec![
            Cell::id(id, "payment_methods"),
            customer(),
            Cell::text(format!(
                "{} •••• {} ({:02}/{})",
                s(&o["card"], "brand"),
                s(&o["card"], "last4"),
                o["card"]["exp_month"].as_i64().unwrap_or(0),
                o["card"]["exp_year"].as_i64().unwrap_or(0)
            )),
            Cell::text(stamp_of(&o["created"])),
        ],
        "coupons" => vec![
            Cell {
                text: o["name"]
                    .as_str()
                    .map_or_else(|| id.to_owned(), |n| format!("{n} · {id}")),
                link: Some(format!("/dashboard/objects/coupons/{id}")),
                code: false,
            },
            Cell::text(coupon_off(o)),
            Cell::text(s(o, "duration")),
            Cell::text(o["times_redeemed"].as_i64().unwrap_or(0).to_string()),
            Cell::text(if o["valid"] == Value::Bool(true) {
                "yes"
            } else {
                "no"
            }),
        ],
        "promotion_codes" => vec![
            Cell {
                text: format!("{} · {id}", s(o, "code")),
                link: Some(format!("/dashboard/objects/promotion_codes/{id}")),
                code: false,
            },
            Cell::id(
                o["promotion"]["coupon"]
                    .as_str()
                    .or(o["coupon"]["id"].as_str())
                    .unwrap_or_default(),
                "coupons",
            ),
            Cell::text(if o["active"] == Value::Bool(true) {
                "yes"
            } else {
                "no"
            }),
            Cell::text(o["times_redeemed"].as_i64().unwrap_or(0).to_string()),
        ],
        "portal_sessions" => vec![
            Cell::id(id, "portal_sessions"),
            customer(),
            Cell::text(o["flow"]["type"].as_str().unwrap_or("homepage (no flow)")),
            Cell::text(stamp_of(&o["created"])),
        ],
        _ => vec![
            Cell::id(id, "subscription_schedules"),
            customer(),
            Cell::text(s(o, "status")),
            Cell::id(s(o, "subscription"), "subscriptions"),
        ],
    }
}

/// A fact on a detail page.
pub struct Fact {
    pub label: &'static str,
    pub value: String,
    pub link: Option<String>,
}

fn fact(label: &'static str, value: impl Into<String>) -> Fact {
    Fact {
        label,
        value: value.into(),
        link: None,
    }
}

fn linked(label: &'static str, id: &str, path: &str) -> Fact {
    Fact {
        label,
        value: if id.is_empty() {
            "—".into()
        } else {
            id.to_owned()
        },
        link: (!id.is_empty()).then(|| format!("/dashboard/objects/{path}/{id}")),
    }
}

/// A table of related objects on a detail page.
pub struct Related {
    pub title: String,
    pub headers: Vec<&'static str>,
    pub rows: Vec<Vec<Cell>>,
    pub more: Option<String>,
}

#[derive(Template)]
#[template(path = "dashboard/object.html")]
struct ObjectPage {
    l: Layout,
    path: &'static str,
    title: &'static str,
    heading: String,
    facts: Vec<Fact>,
    related: Vec<Related>,
    json: String,
    /// A portal link for this customer (customers only).
    link_for: Option<String>,
}

/// `GET /dashboard/objects/{kind}/{id}`
pub async fn show(d: Dash, Path((path, id)): Path<(String, String)>) -> Response {
    let app = d.app.clone();
    let Some(k) = kind(&path) else {
        return error_page(StatusCode::NOT_FOUND, "The dashboard does not show that.");
    };
    let o = match k.api {
        Some(api_path) => {
            let mut q = Vec::new();
            if k.path == "invoices" {
                q.push(("expand[]".to_owned(), "discounts".to_owned()));
            }
            let r = d.get(&format!("{api_path}/{id}"), &q).await;
            if !r.ok() {
                return r.failure_page();
            }
            r.body
        }
        None => {
            let found = portico_store::get::<PortalSession>(&*app.store, d.account(), &id).await;
            match found {
                Ok(Some(v)) => {
                    portico_wire::render::portal_session(&v.value, &app.settings.public_url)
                }
                Ok(None) => {
                    return error_page(
                        StatusCode::NOT_FOUND,
                        &format!("No such portal session: '{id}'"),
                    )
                }
                Err(_) => return super::unavailable(),
            }
        }
    };
    let (heading, facts) = facts(k, &o);
    let related = related(&d, k, &o).await;
    render(
        StatusCode::OK,
        &ObjectPage {
            l: d.layout(heading.clone(), k.path),
            path: k.path,
            title: k.title,
            heading,
            facts,
            related,
            json: pretty(&o),
            link_for: (k.path == "customers").then_some(id),
        },
    )
}

fn facts(k: &Kind, o: &Value) -> (String, Vec<Fact>) {
    let id = s(o, "id").to_owned();
    let created = fact("Created", stamp_of(&o["created"]));
    match k.path {
        "customers" => (
            o["name"].as_str().unwrap_or(&id).to_owned(),
            vec![
                fact("Customer", id.clone()),
                fact("Email", s(o, "email")),
                fact("Name", s(o, "name")),
                linked(
                    "Default payment method",
                    s(&o["invoice_settings"], "default_payment_method"),
                    "payment_methods",
                ),
                fact("Test clock", s(o, "test_clock")),
                created,
            ],
        ),
        "subscriptions" => {
            let item = &o["items"]["data"][0];
            let discounts: Vec<String> = o["discounts"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .map(|d| {
                            d.as_str()
                                .map_or_else(|| s(d, "id").to_owned(), str::to_owned)
                        })
                        .collect()
                })
                .unwrap_or_default();
            (
                format!("Subscription {id}"),
                vec![
                    linked("Customer", s(o, "customer"), "customers"),
                    fact("Status", s(o, "status")),
                    fact("Plan", plan(o)),
                    fact(
                        "Current period",
                        format!(
                            "{} → {}",
                            stamp_of(&item["current_period_start"]),
                            stamp_of(&item["current_period_end"])
                        ),
                    ),
                    fact(
                        "Cancels",
                        if o["cancel_at_period_end"] == Value::Bool(true) {
                            "at the end of the period".to_owned()
                        } else {
                            o["cancel_at"]
                                .as_i64()
                                .map(super::stamp)
                                .unwrap_or_else(|| "no".into())
                        },
                    ),
                    fact(
                        "Collection",
                        match o["pause_collection"].as_object() {
                            None => "collecting".to_owned(),
                            Some(p) => match p.get("resumes_at").and_then(Value::as_i64) {
                                Some(at) => format!(
                                    "paused ({}) until {}",
                                    s(&o["pause_collection"], "behavior"),
                                    super::stamp(at)
                                ),
                                None => {
                                    format!("paused ({})", s(&o["pause_collection"], "behavior"))
                                }
                            },
                        },
                    ),
                    linked("Schedule", s(o, "schedule"), "subscription_schedules"),
                    fact(
                        "Discounts",
                        if discounts.is_empty() {
                            "none".to_owned()
                        } else {
                            discounts.join(", ")
                        },
                    ),
                    linked(
                        "Latest invoice",
                        o["latest_invoice"]
                            .as_str()
                            .unwrap_or_else(|| s(&o["latest_invoice"], "id")),
                        "invoices",
                    ),
                    created,
                ],
            )
        }
        "invoices" => (
            format!("Invoice {}", o["number"].as_str().unwrap_or(&id)),
            vec![
                linked("Customer", s(o, "customer"), "customers"),
                fact("Status", s(o, "status")),
                fact(
                    "Total",
                    money(o["total"].as_i64().unwrap_or(0), s(o, "currency")),
                ),
                fact(
                    "Amount due",
                    money(o["amount_due"].as_i64().unwrap_or(0), s(o, "currency")),
                ),
                fact("Billing reason", s(o, "billing_reason")),
                fact(
                    "Period",
                    format!(
                        "{} → {}",
                        stamp_of(&o["period_start"]),
                        stamp_of(&o["period_end"])
                    ),
                ),
                // What the customer sees and pays on (a draft has none yet).
                match o["hosted_invoice_url"].as_str() {
                    Some(url) => Fact {
                        label: "Hosted page",
                        value: "Open the customer's page".into(),
                        link: Some(url.to_owned()),
                    },
                    None => fact("Hosted page", "— (a draft has none)"),
                },
                created,
            ],
        ),
        "invoice_items" => (
            format!("Invoice item {}", o["description"].as_str().unwrap_or(&id)),
            vec![
                fact("Invoice item", id.clone()),
                linked("Customer", s(o, "customer"), "customers"),
                fact(
                    "Amount",
                    format!(
                        "{} ({} × {})",
                        money(o["amount"].as_i64().unwrap_or(0), s(o, "currency")),
                        o["quantity"].as_i64().unwrap_or(1),
                        o["pricing"]["unit_amount_decimal"].as_str().map_or_else(
                            || "tiered".to_owned(),
                            |u| money(u.parse().unwrap_or(0), s(o, "currency"))
                        ),
                    ),
                ),
                match o["invoice"].as_str() {
                    Some(inv) => linked("Invoice", inv, "invoices"),
                    None => fact("Invoice", "pending: the customer's next invoice takes it"),
                },
                linked(
                    "Subscription",
                    o["parent"]["subscription_details"]["subscription"]
                        .as_str()
                        .unwrap_or_default(),
                    "subscriptions",
                ),
                fact(
                    "Period",
                    format!(
                        "{} → {}",
                        stamp_of(&o["period"]["start"]),
                        stamp_of(&o["period"]["end"])
                    ),
                ),
                fact("Made", stamp_of(&o["date"])),
            ],
        ),
        "payment_methods" => (
            format!("{} •••• {}", s(&o["card"], "brand"), s(&o["card"], "last4")),
            vec![
                fact("Payment method", id.clone()),
                linked("Customer", s(o, "customer"), "customers"),
                fact(
                    "Expires",
                    format!(
                        "{:02}/{}",
                        o["card"]["exp_month"].as_i64().unwrap_or(0),
                        o["card"]["exp_year"].as_i64().unwrap_or(0)
                    ),
                ),
                created,
            ],
        ),
        "coupons" => (
            o["name"].as_str().unwrap_or(&id).to_owned(),
            vec![
                fact("Coupon", id.clone()),
                fact("Discount", coupon_off(o)),
                fact("Duration", s(o, "duration")),
                fact(
                    "Redeemed",
                    o["times_redeemed"].as_i64().unwrap_or(0).to_string(),
                ),
                created,
            ],
        ),
        "promotion_codes" => (
            format!("Promotion code {}", s(o, "code")),
            vec![
                fact("Promotion code", id.clone()),
                linked(
                    "Coupon",
                    o["promotion"]["coupon"]
                        .as_str()
                        .or(o["coupon"]["id"].as_str())
                        .unwrap_or_default(),
                    "coupons",
                ),
                fact(
                    "Active",
                    if o["active"] == Value::Bool(true) {
                        "yes"
                    } else {
                        "no"
                    },
                ),
                created,
            ],
        ),
        "portal_sessions" => (
            format!("Portal session {id}"),
            vec![
                linked("Customer", s(o, "customer"), "customers"),
                fact(
                    "Flow",
                    o["flow"]["type"].as_str().unwrap_or("homepage (no flow)"),
                ),
                fact("Configuration", s(o, "configuration")),
                fact("Return URL", s(o, "return_url")),
                fact("Link", s(o, "url")),
                created,
            ],
        ),
        _ => (
            format!("Schedule {id}"),
            vec![
                linked("Customer", s(o, "customer"), "customers"),
                linked("Subscription", s(o, "subscription"), "subscriptions"),
                fact("Status", s(o, "status")),
                fact("End behavior", s(o, "end_behavior")),
                created,
            ],
        ),
    }
}

/// The objects a detail page lists below the facts.
async fn related(d: &Dash, k: &Kind, o: &Value) -> Vec<Related> {
    let id = s(o, "id");
    let mut out = Vec::new();
    match k.path {
        "customers" => {
            for other in [
                "subscriptions",
                "invoices",
                "invoice_items",
                "payment_methods",
                "portal_sessions",
            ] {
                let Some(ok) = kind(other) else { continue };
                let query = {
                    let mut q = pairs([("customer", id), ("limit", "10")]);
                    if other == "subscriptions" {
                        q.push(("status".into(), "all".into()));
                    }
                    q
                };
                let (objects, has_more) = match ok.api {
                    Some(p) => {
                        let r = d.get(p, &query).await;
                        (
                            r.body["data"].as_array().cloned().unwrap_or_default(),
                            r.body["has_more"] == Value::Bool(true),
                        )
                    }
                    None => sessions(d, id, None).await.unwrap_or_default(),
                };
                out.push(Related {
                    title: ok.title.to_owned(),
                    headers: header_row(ok),
                    rows: objects.iter().take(10).map(|x| row(ok, x)).collect(),
                    more: (has_more || objects.len() > 10)
                        .then(|| format!("/dashboard/objects/{other}?customer={id}")),
                });
            }
            // Their balance's ledger, newest first (the latest 25).
            let r = d
                .get(
                    &format!("/v1/customers/{id}/balance_transactions"),
                    &pairs([("limit", "25")]),
                )
                .await;
            let entries = r.body["data"].as_array().cloned().unwrap_or_default();
            if !entries.is_empty() {
                let amount =
                    |t: &Value, key: &str| money(t[key].as_i64().unwrap_or(0), s(t, "currency"));
                out.push(Related {
                    title: "Balance transactions".into(),
                    headers: vec![
                        "Type",
                        "Amount",
                        "Balance after",
                        "Description",
                        "Invoice",
                        "Date",
                    ],
                    rows: entries
                        .iter()
                        .map(|t| {
                            vec![
                                Cell::text(s(t, "type")),
                                Cell::text(amount(t, "amount")),
                                Cell::text(amount(t, "ending_balance")),
                                Cell::text(s(t, "description")),
                                Cell::id(s(t, "invoice"), "invoices"),
                                Cell::text(stamp_of(&t["created"])),
                            ]
                        })
                        .collect(),
                    more: None,
                });
            }
        }
        "subscriptions" => {
            let items = o["items"]["data"].as_array().cloned().unwrap_or_default();
            out.push(Related {
                title: "Items".into(),
                headers: vec!["Item", "Price", "Product", "Quantity", "Period"],
                rows: items
                    .iter()
                    .map(|i| {
                        let p = &i["price"];
                        vec![
                            Cell {
                                text: s(i, "id").to_owned(),
                                link: None,
                                code: true,
                            },
                            Cell {
                                text: format!(
                                    "{} · {} / {}",
                                    s(p, "id"),
                                    price_amount(p),
                                    s(&p["recurring"], "interval")
                                ),
                                link: None,
                                code: false,
                            },
                            Cell::text(
                                p["product"]
                                    .as_str()
                                    .unwrap_or_else(|| s(&p["product"], "id")),
                            ),
                            Cell::text(i["quantity"].as_i64().unwrap_or(1).to_string()),
                            Cell::text(format!(
                                "{} → {}",
                                stamp_of(&i["current_period_start"]),
                                stamp_of(&i["current_period_end"])
                            )),
                        ]
                    })
                    .collect(),
                more: None,
            });
            let r = d
                .get(
                    "/v1/invoices",
                    // The customer narrows the search to their invoices (an index).
                    &pairs([
                        ("customer", s(o, "customer")),
                        ("subscription", id),
                        ("limit", "10"),
                    ]),
                )
                .await;
            let invoices = r.body["data"].as_array().cloned().unwrap_or_default();
            let ik = kind("invoices").expect("invoices are a kind");
            out.push(Related {
                title: "Invoices".into(),
                headers: header_row(ik),
                rows: invoices.iter().map(|x| row(ik, x)).collect(),
                more: None,
            });
        }
        "invoices" => {
            // The invoice embeds its first lines only, as Stripe's does: ask for them all.
            let r = d
                .get(
                    &format!("/v1/invoices/{id}/lines"),
                    &pairs([("limit", "100")]),
                )
                .await;
            let lines = r.body["data"].as_array().cloned().unwrap_or_default();
            out.push(Related {
                title: "Lines".into(),
                headers: vec!["Description", "Quantity", "Amount", "Period"],
                rows: lines
                    .iter()
                    .map(|line| {
                        vec![
                            Cell::text(s(line, "description")),
                            Cell::text(line["quantity"].as_i64().unwrap_or(1).to_string()),
                            Cell::text(money(
                                line["amount"].as_i64().unwrap_or(0),
                                s(line, "currency"),
                            )),
                            Cell::text(format!(
                                "{} → {}",
                                stamp_of(&line["period"]["start"]),
                                stamp_of(&line["period"]["end"])
                            )),
                        ]
                    })
                    .collect(),
                more: None,
            });
        }
        _ => {}
    }
    out
}

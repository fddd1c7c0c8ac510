//! `portico demo`: a Portico server (development mode, SQLite) with a seeded business — plans
//! with monthly and yearly prices, a retention coupon, a promotion code, a customer with a card
//! and an active subscription, a portal configuration with every feature on — and a small
//! stand-in for the business's app that opens fresh portal links. It prints one link per flow.

use crate::portal_cmd::{call, link, AfterKind, FlowKind, LinkArgs};
use anyhow::Context;
use axum::extract::{Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use clap::Args;
use portico_domain::branding::BrandingUpdate;
use reqwest::Method;
use serde_json::Value;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use tokio::net::TcpListener;

/// The demo account's key.
pub const DEMO_KEY: &str = "sk_test_portico_demo";

#[derive(Args, Debug)]
pub struct DemoArgs {
    /// Keep the demo's SQLite database in this folder (default: a new temporary folder, removed
    /// on exit). Run again with the same folder to continue where you left off.
    #[arg(long)]
    dir: Option<PathBuf>,
    /// Where the API and the portal listen.
    #[arg(long, default_value = "127.0.0.1:12111")]
    listen: SocketAddr,
    /// Where the stand-in app listens.
    #[arg(long, default_value = "127.0.0.1:12112")]
    app_listen: SocketAddr,
}

/// The demo's customers, one per printed link, so each flow can be tried in any order.
const CUSTOMERS: &[(&str, &str)] = &[
    ("Ada Lovelace", "ada@example.com"),
    ("Grace Hopper", "grace@example.com"),
    ("Alan Turing", "alan@example.com"),
    ("Katherine Johnson", "katherine@example.com"),
    ("Edsger Dijkstra", "edsger@example.com"),
];

/// A customer whose card on file declines: their subscription's first invoice waits, open,
/// to be paid on its hosted page.
const DECLINING: (&str, &str) = ("Hedy Lamarr", "hedy@example.com");

/// What the seeded business is made of.
struct Seeded {
    /// Each customer with its live subscription, in the order of [`CUSTOMERS`].
    customers: Vec<(Value, Value)>,
    /// [`DECLINING`]'s open invoice.
    open_invoice: Value,
    yearly_pro: String,
    promo: String,
    retention_coupon: String,
    configuration: String,
}

fn kv(k: &str, v: impl ToString) -> (String, String) {
    (k.to_owned(), v.to_string())
}

/// Runs the demo until Ctrl-C.
pub async fn demo(args: DemoArgs) -> anyhow::Result<()> {
    let (dir, temporary) = match &args.dir {
        Some(d) => {
            std::fs::create_dir_all(d).with_context(|| format!("cannot create {}", d.display()))?;
            (d.clone(), false)
        }
        None => {
            let d = std::env::temp_dir().join(format!("portico-demo-{}", std::process::id()));
            std::fs::create_dir_all(&d)?;
            (d, true)
        }
    };
    let listener = TcpListener::bind(args.listen).await.with_context(|| {
        format!(
            "cannot listen on {} (is another Portico running? pass --listen)",
            args.listen
        )
    })?;
    let app_listener = TcpListener::bind(args.app_listen)
        .await
        .with_context(|| format!("cannot listen on {} (pass --app-listen)", args.app_listen))?;
    let base = format!("http://{}", listener.local_addr()?);
    let app_url = format!("http://{}", app_listener.local_addr()?);
    let config = portico_server::ServeConfig {
        listen: listener.local_addr()?,
        database_url: format!("sqlite://{}/portico.db", dir.display()),
        public_url: base.clone(),
        api_keys: Vec::new(),
        dev: true,
        webhooks: portico_server::webhooks::WebhookSettings::dev(),
        // Printed links stay good for a day until opened.
        portal: portico_server::state::PortalSettings {
            link_ttl_secs: 24 * 3600,
            ..Default::default()
        },
        mail: portico_server::mail::MailSettings::outbox(),
        rate_limits: Default::default(),
        data_keys: Vec::new(),
        admin_password: None,
        trusted_proxies: Vec::new(),
        default_currency: "usd".into(),
    };
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let server = {
        let mut rx = stop_rx.clone();
        tokio::spawn(portico_server::serve(
            config.clone(),
            listener,
            async move {
                let _ = rx.changed().await;
            },
        ))
    };
    let http = reqwest::Client::new();
    let seeded = seed(&http, &base, &app_url, &config).await?;
    let state = AppState {
        http: http.clone(),
        base: base.clone(),
        url: app_url.clone(),
        customer: seeded.customers[0].0["id"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
    };
    let stand_in = {
        let mut rx = stop_rx.clone();
        let router = axum::Router::new()
            .route("/", get(app_home))
            .route("/portal", get(app_portal))
            .with_state(state);
        tokio::spawn(async move {
            axum::serve(app_listener, router)
                .with_graceful_shutdown(async move {
                    let _ = rx.changed().await;
                })
                .await
        })
    };
    print_links(&http, &base, &app_url, &seeded).await?;
    crate::shutdown_signal().await;
    let _ = stop_tx.send(true);
    let _ = stand_in.await;
    let served = server.await;
    if temporary {
        let _ = std::fs::remove_dir_all(&dir);
    }
    served??;
    Ok(())
}

async fn api(
    http: &reqwest::Client,
    base: &str,
    method: Method,
    path: &str,
    form: &[(String, String)],
) -> anyhow::Result<Value> {
    call(http, base, DEMO_KEY, method, path, form).await
}

/// Creates the business (or finds it, when the folder was used before).
async fn seed(
    http: &reqwest::Client,
    base: &str,
    app_url: &str,
    config: &portico_server::ServeConfig,
) -> anyhow::Result<Seeded> {
    let first = CUSTOMERS[0].1;
    let existing = api(
        http,
        base,
        Method::GET,
        "/v1/customers",
        &[kv("email", first)],
    )
    .await?;
    if existing["data"].as_array().is_none_or(|d| d.is_empty()) {
        seed_catalog(http, base, app_url).await?;
        set_branding(config).await?;
    }
    let keys = [
        kv("lookup_keys[0]", "pro_monthly"),
        kv("lookup_keys[1]", "pro_yearly"),
    ];
    let prices = api(http, base, Method::GET, "/v1/prices", &keys).await?;
    let price = |key: &str| {
        prices["data"]
            .as_array()
            .and_then(|d| d.iter().find(|p| p["lookup_key"] == key))
            .and_then(|p| p["id"].as_str())
            .unwrap_or_default()
            .to_owned()
    };
    let mut customers = Vec::new();
    for &(name, email) in CUSTOMERS {
        let customer = find_or_create_customer(http, base, name, email, "pm_card_visa").await?;
        let cid = customer["id"].as_str().unwrap_or_default().to_owned();
        // A customer whose subscription ended (a flow tried before) gets a new one.
        let query = [kv("customer", &cid), kv("limit", 1)];
        let live = api(http, base, Method::GET, "/v1/subscriptions", &query).await?;
        let subscription = match live["data"].get(0) {
            Some(s) => s.clone(),
            None => subscribe(http, base, &cid, &price("pro_monthly")).await?,
        };
        customers.push((customer, subscription));
    }
    let open_invoice = open_invoice(http, base, &price("pro_monthly")).await?;
    let query = [kv("is_default", true)];
    let configs = api(
        http,
        base,
        Method::GET,
        "/v1/billing_portal/configurations",
        &query,
    )
    .await?;
    let query = [kv("code", "WELCOME10")];
    let promos = api(http, base, Method::GET, "/v1/promotion_codes", &query).await?;
    let id_of = |v: &Value| v["data"][0]["id"].as_str().unwrap_or_default().to_owned();
    Ok(Seeded {
        customers,
        open_invoice,
        yearly_pro: price("pro_yearly"),
        promo: id_of(&promos),
        retention_coupon: "STAY20".into(),
        configuration: id_of(&configs),
    })
}

/// The customer with this email (the first found), or a new one paying with `card`.
async fn find_or_create_customer(
    http: &reqwest::Client,
    base: &str,
    name: &str,
    email: &str,
    card: &str,
) -> anyhow::Result<Value> {
    let found = api(
        http,
        base,
        Method::GET,
        "/v1/customers",
        &[kv("email", email)],
    )
    .await?;
    if let Some(c) = found["data"].get(0) {
        return Ok(c.clone());
    }
    let form = [
        kv("name", name),
        kv("email", email),
        kv("address[line1]", "12 St James's Square"),
        kv("address[city]", "London"),
        kv("address[postal_code]", "SW1Y 4JH"),
        kv("address[country]", "GB"),
        kv("payment_method", card),
        kv("invoice_settings[default_payment_method]", card),
    ];
    api(http, base, Method::POST, "/v1/customers", &form).await
}

/// A new subscription of `customer` to `price`.
async fn subscribe(
    http: &reqwest::Client,
    base: &str,
    customer: &str,
    price: &str,
) -> anyhow::Result<Value> {
    let form = [kv("customer", customer), kv("items[0][price]", price)];
    api(http, base, Method::POST, "/v1/subscriptions", &form).await
}

/// [`DECLINING`]'s open invoice: the one waiting, or (once it was paid) that of a new
/// subscription, whose first payment the card on file declines again.
async fn open_invoice(http: &reqwest::Client, base: &str, price: &str) -> anyhow::Result<Value> {
    let (name, email) = DECLINING;
    let customer =
        find_or_create_customer(http, base, name, email, "pm_card_chargeCustomerFail").await?;
    let cid = customer["id"].as_str().unwrap_or_default();
    let query = [kv("customer", cid), kv("status", "open"), kv("limit", 1)];
    let open = api(http, base, Method::GET, "/v1/invoices", &query).await?;
    if let Some(inv) = open["data"].get(0) {
        return Ok(inv.clone());
    }
    let sub = subscribe(http, base, cid, price).await?;
    let id = sub["latest_invoice"].as_str().unwrap_or_default();
    api(http, base, Method::GET, &format!("/v1/invoices/{id}"), &[]).await
}

/// Plans, coupons and the portal configuration (the account's default).
async fn seed_catalog(http: &reqwest::Client, base: &str, app_url: &str) -> anyhow::Result<()> {
    let plans = [
        ("Starter", "For side projects", 900, "starter"),
        ("Pro", "For growing teams", 2900, "pro"),
        ("Team", "For organisations, per seat", 7900, "team"),
    ];
    let mut products = Vec::new();
    for (name, description, monthly, key) in plans {
        let product = api(
            http,
            base,
            Method::POST,
            "/v1/products",
            &[kv("name", name), kv("description", description)],
        )
        .await?;
        let pid = product["id"].as_str().unwrap_or_default().to_owned();
        let mut prices = Vec::new();
        for (interval, amount) in [("month", monthly), ("year", monthly * 10)] {
            let suffix = if interval == "month" {
                "monthly"
            } else {
                "yearly"
            };
            let price = api(
                http,
                base,
                Method::POST,
                "/v1/prices",
                &[
                    kv("product", &pid),
                    kv("currency", "usd"),
                    kv("unit_amount", amount),
                    kv("recurring[interval]", interval),
                    kv("lookup_key", format!("{key}_{suffix}")),
                ],
            )
            .await?;
            prices.push(price["id"].as_str().unwrap_or_default().to_owned());
        }
        products.push((pid, prices, key == "team"));
    }
    api(
        http,
        base,
        Method::POST,
        "/v1/coupons",
        &[
            kv("id", "STAY20"),
            kv("name", "20% off for 3 months"),
            kv("percent_off", 20),
            kv("duration", "repeating"),
            kv("duration_in_months", 3),
        ],
    )
    .await?;
    let welcome = api(
        http,
        base,
        Method::POST,
        "/v1/coupons",
        &[
            kv("name", "10% off"),
            kv("percent_off", 10),
            kv("duration", "forever"),
        ],
    )
    .await?;
    api(
        http,
        base,
        Method::POST,
        "/v1/promotion_codes",
        &[
            kv("promotion[type]", "coupon"),
            kv(
                "promotion[coupon]",
                welcome["id"].as_str().unwrap_or_default(),
            ),
            kv("code", "WELCOME10"),
        ],
    )
    .await?;
    let mut form = vec![
        kv("name", "Demo: every feature"),
        kv(
            "business_profile[headline]",
            "Acme Cloud — hosting that stays out of your way",
        ),
        kv(
            "business_profile[privacy_policy_url]",
            format!("{app_url}/privacy"),
        ),
        kv(
            "business_profile[terms_of_service_url]",
            format!("{app_url}/terms"),
        ),
        kv("default_return_url", format!("{app_url}/")),
        kv("login_page[enabled]", true),
        kv("features[customer_update][enabled]", true),
        kv("features[invoice_history][enabled]", true),
        kv("features[payment_method_update][enabled]", true),
        kv("features[subscription_cancel][enabled]", true),
        kv("features[subscription_cancel][mode]", "at_period_end"),
        kv(
            "features[subscription_cancel][cancellation_reason][enabled]",
            true,
        ),
        kv("features[subscription_update][enabled]", true),
        kv(
            "features[subscription_update][proration_behavior]",
            "create_prorations",
        ),
        kv(
            "features[subscription_update][schedule_at_period_end][conditions][0][type]",
            "decreasing_item_amount",
        ),
    ];
    for (i, f) in ["email", "name", "phone", "address", "shipping"]
        .iter()
        .enumerate()
    {
        form.push(kv(
            &format!("features[customer_update][allowed_updates][{i}]"),
            f,
        ));
    }
    for (i, r) in portico_domain::portal::CANCEL_REASONS.iter().enumerate() {
        form.push(kv(
            &format!("features[subscription_cancel][cancellation_reason][options][{i}]"),
            r,
        ));
    }
    for (i, u) in ["price", "quantity", "promotion_code"].iter().enumerate() {
        form.push(kv(
            &format!("features[subscription_update][default_allowed_updates][{i}]"),
            u,
        ));
    }
    for (i, (pid, prices, per_seat)) in products.iter().enumerate() {
        let p = format!("features[subscription_update][products][{i}]");
        form.push(kv(&format!("{p}[product]"), pid));
        for (j, price) in prices.iter().enumerate() {
            form.push(kv(&format!("{p}[prices][{j}]"), price));
        }
        if *per_seat {
            form.push(kv(&format!("{p}[adjustable_quantity][enabled]"), true));
            form.push(kv(&format!("{p}[adjustable_quantity][minimum]"), 1));
            form.push(kv(&format!("{p}[adjustable_quantity][maximum]"), 50));
        }
    }
    api(
        http,
        base,
        Method::POST,
        "/v1/billing_portal/configurations",
        &form,
    )
    .await?;
    Ok(())
}

/// Opens the demo database beside the running server for the operator's settings: the
/// branding, and the seeded configuration as the account's default.
async fn operator_app(
    base: &str,
    database_url: &str,
) -> anyhow::Result<portico_server::state::App> {
    let config = portico_server::ServeConfig {
        listen: "127.0.0.1:0".parse()?,
        database_url: database_url.to_owned(),
        public_url: base.to_owned(),
        api_keys: vec![DEMO_KEY.to_owned()],
        dev: true,
        webhooks: portico_server::webhooks::WebhookSettings::dev(),
        portal: Default::default(),
        mail: portico_server::mail::MailSettings::outbox(),
        rate_limits: Default::default(),
        data_keys: Vec::new(),
        admin_password: None,
        trusted_proxies: Vec::new(),
        default_currency: "usd".into(),
    };
    portico_server::build(
        &config,
        std::sync::Arc::new(portico_server::state::SystemClock),
    )
    .await
}

async fn set_branding(config: &portico_server::ServeConfig) -> anyhow::Result<()> {
    let app = operator_app(&config.public_url, &config.database_url).await?;
    let account = portico_server::auth::account_for(DEMO_KEY);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_secs() as i64;
    portico_server::operator::set_branding(
        &app,
        &account,
        BrandingUpdate {
            business_name: Some(Some("Acme Cloud".into())),
            accent_color: Some(Some("#5b4cdb".into())),
            logo: None,
        },
        now,
    )
    .await
    .map_err(|f| anyhow::anyhow!(f.error.message))?;
    let configs = api(
        &reqwest::Client::new(),
        &config.public_url,
        Method::GET,
        "/v1/billing_portal/configurations",
        &[kv("limit", 100)],
    )
    .await?;
    if let Some(id) = configs["data"]
        .as_array()
        .and_then(|d| d.iter().find(|c| c["name"] == "Demo: every feature"))
        .and_then(|c| c["id"].as_str())
    {
        portico_server::operator::set_default_configuration(&app, &account, id, now)
            .await
            .map_err(|f| anyhow::anyhow!(f.error.message))?;
    }
    app.store.close().await;
    Ok(())
}

async fn print_links(
    http: &reqwest::Client,
    base: &str,
    app_url: &str,
    s: &Seeded,
) -> anyhow::Result<()> {
    let spec = |i: usize, flow: Option<FlowKind>| {
        let (customer, sub) = &s.customers[i];
        LinkArgs {
            customer: customer["id"].as_str().unwrap_or_default().to_owned(),
            flow,
            subscription: sub["id"].as_str().map(str::to_owned),
            configuration: Some(s.configuration.clone()).filter(|c| !c.is_empty()),
            return_url: Some(format!("{app_url}/")),
            after: flow.map(|_| AfterKind::HostedConfirmation),
            api_key: DEMO_KEY.to_owned(),
            api_base: base.to_owned(),
            ..Default::default()
        }
    };
    let cancel = LinkArgs {
        retention_coupon: Some(s.retention_coupon.clone()),
        ..spec(2, Some(FlowKind::SubscriptionCancel))
    };
    let confirm = LinkArgs {
        price: Some(s.yearly_pro.clone()),
        promotion_code: Some(s.promo.clone()).filter(|p| !p.is_empty()),
        after: Some(AfterKind::Redirect),
        redirect_url: Some(format!("{app_url}/?upgraded=1")),
        ..spec(4, Some(FlowKind::SubscriptionUpdateConfirm))
    };
    let links = [
        ("Portal homepage", link(http, &spec(0, None)).await),
        (
            "Update payment method",
            link(http, &spec(1, Some(FlowKind::PaymentMethodUpdate))).await,
        ),
        ("Cancel subscription", link(http, &cancel).await),
        (
            "Change plan",
            link(http, &spec(3, Some(FlowKind::SubscriptionUpdate))).await,
        ),
        ("Confirm upgrade to Pro yearly", link(http, &confirm).await),
    ];
    println!();
    println!("Portico demo is running.");
    println!("  API:       {base}   (secret key: {DEMO_KEY})");
    println!("  Your app:  {app_url}   (a stand-in for your product; it opens fresh portal links)");
    println!("  Dashboard: {base}/dashboard   (sign in with the secret key above)");
    println!();
    println!("Portal links, one customer each. A link belongs to the first client that opens it,");
    println!("so open it in your browser, not with curl or a link preview:");
    for (i, (label, url)) in links.iter().enumerate() {
        let who = s.customers[i].0["name"].as_str().unwrap_or("");
        match url {
            Ok(u) => println!("  {label:<30} {u}   ({who})"),
            Err(e) => println!("  {label:<30} (not available now: {e:#})"),
        }
    }
    println!();
    println!("An open invoice to pay on its hosted page (its customer's card declines):");
    let (label, who) = ("Pay an open invoice", DECLINING.0);
    match s.open_invoice["hosted_invoice_url"].as_str() {
        Some(u) => println!("  {label:<30} {u}   ({who})"),
        None => println!("  {label:<30} (not available now)"),
    }
    println!();
    println!("Cancel offers the coupon STAY20 first; plan changes take the code WELCOME10.");
    println!("Test cards: 4242 4242 4242 4242 succeeds, 4000 0000 0000 0002 is declined,");
    println!("4000 0027 6000 3184 asks for 3-D Secure. Any future date and any CVC.");
    println!("Press Ctrl-C to stop.");
    Ok(())
}

#[derive(Clone)]
struct AppState {
    http: reqwest::Client,
    base: String,
    url: String,
    customer: String,
}

/// The customer's plan as the app shows it, and what the app offers for it.
struct Plan {
    /// Its product, interval and status (and what is set to happen to it).
    text: String,
    /// Whether a plan change may start now: not while a change or a cancellation waits.
    changeable: bool,
    /// Whether it is on a monthly price (the app offers the yearly one).
    monthly: bool,
    /// Whether it may be canceled (it is not set to cancel already).
    cancelable: bool,
}

/// The customer's plan. (Stripe expands at most four levels, so the product is read on its own
/// rather than expanded from the list.)
async fn current_plan(s: &AppState) -> anyhow::Result<Plan> {
    let subs = api(
        &s.http,
        &s.base,
        Method::GET,
        "/v1/subscriptions",
        &[kv("customer", &s.customer)],
    )
    .await?;
    let Some(sub) = subs["data"].get(0) else {
        return Ok(Plan {
            text: "no subscription".to_owned(),
            changeable: false,
            monthly: false,
            cancelable: false,
        });
    };
    let item = &sub["items"]["data"][0];
    let product_id = item["price"]["product"].as_str().unwrap_or_default();
    let product = api(
        &s.http,
        &s.base,
        Method::GET,
        &format!("/v1/products/{product_id}"),
        &[],
    )
    .await?;
    let name = product["name"].as_str().unwrap_or("?");
    let interval = item["price"]["recurring"]["interval"]
        .as_str()
        .unwrap_or("?");
    let canceling = sub["cancel_at_period_end"] == true || !sub["cancel_at"].is_null();
    let scheduled = !sub["schedule"].is_null();
    let pending = !sub["pending_update"].is_null();
    let note = if canceling {
        " — cancels at the end of the period"
    } else if scheduled {
        " — a plan change is scheduled for the end of the period"
    } else if pending {
        " — a plan change waits for its payment"
    } else {
        ""
    };
    Ok(Plan {
        text: format!(
            "{name} ({interval}ly), {}{note}",
            sub["status"].as_str().unwrap_or("?")
        ),
        changeable: !canceling && !scheduled && !pending,
        monthly: interval == "month",
        cancelable: !canceling,
    })
}

/// The stand-in app's page: the customer's subscription and buttons into the portal (those
/// the subscription allows now, as an app would check before making the link).
async fn app_home(State(s): State<AppState>, Query(q): Query<HashMap<String, String>>) -> Response {
    let plan = current_plan(&s).await.unwrap_or_else(|e| Plan {
        text: format!("unknown ({e})"),
        changeable: false,
        monthly: false,
        cancelable: false,
    });
    let back = if q.contains_key("upgraded") {
        "<p class=note>You are back from the portal: the upgrade was confirmed.</p>"
    } else {
        ""
    };
    let button = |flow: &str, label: &str, shown: bool| {
        if shown {
            format!("<form action=/portal><input type=hidden name=flow value={flow}><button>{label}</button></form>")
        } else {
            String::new()
        }
    };
    Html(format!(
        "<!doctype html><meta charset=utf-8><meta name=viewport content='width=device-width'>\
         <title>Acme Cloud (demo app)</title><style>{APP_CSS}</style>\
         <h1>Acme Cloud</h1><p>This page stands in for your app. Signed in as Ada Lovelace.</p>{back}\
         <p><strong>Your plan:</strong> {}</p><p>{}{}{}{}{}</p>\
         <p style='color:#5c6278;font-size:14px'>Each button creates a portal session through the API (<code>{}</code>) and sends you to its link.</p>",
        html_escape(&plan.text),
        button("home", "Manage billing", true),
        button("payment_method_update", "Update card", true),
        button("subscription_update", "Change plan", plan.changeable),
        button("subscription_cancel", "Cancel plan", plan.cancelable),
        button("subscription_update_confirm", "Upgrade to yearly", plan.changeable && plan.monthly),
        s.base,
    ))
    .into_response()
}

/// The stand-in app's look.
const APP_CSS: &str = "body{font:16px system-ui;max-width:560px;margin:10vh auto;padding:0 20px;color:#1a1f36}\
    form{display:inline}button{font:inherit;margin:4px 4px 4px 0;padding:8px 14px;border-radius:8px;border:1px solid #cfd5de;background:#fff;cursor:pointer}\
    .note{background:#e6f5ec;color:#0b7a3b;padding:10px 14px;border-radius:8px}\
    .error{background:#fdecea;color:#a4251b;padding:10px 14px;border-radius:8px}";

/// `GET /portal?flow=…`: a fresh session for the customer, then off to it.
async fn app_portal(
    State(s): State<AppState>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let flow = match q.get("flow").map(String::as_str) {
        Some("payment_method_update") => Some(FlowKind::PaymentMethodUpdate),
        Some("subscription_update") => Some(FlowKind::SubscriptionUpdate),
        Some("subscription_cancel") => Some(FlowKind::SubscriptionCancel),
        Some("subscription_update_confirm") => Some(FlowKind::SubscriptionUpdateConfirm),
        _ => None,
    };
    let yearly = api(
        &s.http,
        &s.base,
        Method::GET,
        "/v1/prices",
        &[kv("lookup_keys[0]", "pro_yearly")],
    )
    .await;
    let price = yearly
        .ok()
        .and_then(|v| v["data"][0]["id"].as_str().map(str::to_owned));
    let spec = LinkArgs {
        customer: s.customer.clone(),
        flow,
        return_url: Some(format!("{}/", s.url)),
        retention_coupon: (flow == Some(FlowKind::SubscriptionCancel)).then(|| "STAY20".to_owned()),
        price: price.filter(|_| flow == Some(FlowKind::SubscriptionUpdateConfirm)),
        after: flow.map(|_| AfterKind::HostedConfirmation),
        api_key: DEMO_KEY.to_owned(),
        api_base: s.base.clone(),
        ..Default::default()
    };
    match link(&s.http, &spec).await {
        Ok(url) => Redirect::to(&url).into_response(),
        Err(e) => Html(format!(
            "<!doctype html><meta charset=utf-8><meta name=viewport content='width=device-width'>\
             <title>Not available</title><style>{APP_CSS}</style><h1>Acme Cloud</h1>\
             <p class=error>The app could not open this portal flow. The API answered:<br>{}</p><p><a href=/>Back</a></p>",
            html_escape(&format!("{e:#}"))
        ))
        .into_response(),
    }
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

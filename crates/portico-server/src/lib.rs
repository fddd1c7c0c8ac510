//! Portico's HTTP server: the Stripe-compatible API (handlers, authentication, idempotency),
//! and the process around it (listening, graceful shutdown, background upkeep).

#![forbid(unsafe_code)]

pub mod api;
pub mod auth;
pub mod billing;
pub mod dashboard;
pub mod digest;
pub mod events;
pub mod expand;
pub mod http;
pub mod ids;
pub mod invoice_link;
pub mod ledger;
pub mod limits;
pub mod listener;
pub mod mail;
pub mod objects;
pub mod operator;
pub mod pages;
pub mod payments;
pub mod seal;
pub mod state;
pub mod webhooks;

use axum::routing::{delete, get, post};
use axum::Router;
use portico_store::Store;
use state::{App, Clock, Settings, SystemClock};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;

pub use auth::KeyPolicy;

/// Every route: the hosted pages under `/p`, the operator dashboard under `/dashboard`, and the
/// API (wrapped in its middleware).
pub fn router(app: App) -> Router {
    let api = api_router(app.clone());
    // Hosted pages live under /p and never pass through the API's authentication; the
    // dashboard calls the API in-process, as the account it is signed in to.
    let routes = Router::new()
        .nest("/p", pages::router())
        .nest("/dashboard", dashboard::router(api.clone()))
        .with_state(app.clone())
        .fallback_service(api);
    // Without a per-client limit the layer would only pass every request on.
    let routes = if app.settings.rate_limits.per_client.is_some() {
        routes.layer(axum::middleware::from_fn_with_state(
            app,
            http::client_rate_limit,
        ))
    } else {
        routes
    };
    routes.layer(axum::middleware::from_fn(http::reads_together))
}

/// The Stripe-compatible API, wrapped in its middleware (authentication, idempotency, logs).
fn api_router(app: App) -> Router {
    use api::{
        coupon, customer, event, invoice, invoice_item, payment_method as pm, price, product,
        promotion_code, setup_intent as si, subscription as sub, test_clock as clock,
    };
    Router::new()
        .route(
            "/v1/customers",
            get(customer::list_customers).post(customer::create_customer),
        )
        .route("/v1/customers/search", get(api::search::customers))
        .route(
            "/v1/customers/{id}",
            get(customer::retrieve_customer)
                .post(customer::update_customer)
                .delete(customer::delete_customer),
        )
        .route(
            "/v1/customers/{id}/discount",
            delete(customer::delete_customer_discount),
        )
        .route(
            "/v1/products",
            get(product::list_products).post(product::create_product),
        )
        .route("/v1/products/search", get(api::search::products))
        .route(
            "/v1/products/{id}",
            get(product::retrieve_product)
                .post(product::update_product)
                .delete(product::delete_product),
        )
        .route(
            "/v1/prices",
            get(price::list_prices).post(price::create_price),
        )
        .route("/v1/prices/search", get(api::search::prices))
        .route(
            "/v1/prices/{id}",
            get(price::retrieve_price).post(price::update_price),
        )
        .route(
            "/v1/coupons",
            get(coupon::list_coupons).post(coupon::create_coupon),
        )
        .route(
            "/v1/coupons/{id}",
            get(coupon::retrieve_coupon)
                .post(coupon::update_coupon)
                .delete(coupon::delete_coupon),
        )
        .route(
            "/v1/promotion_codes",
            get(promotion_code::list_promotion_codes).post(promotion_code::create_promotion_code),
        )
        .route(
            "/v1/promotion_codes/{id}",
            get(promotion_code::retrieve_promotion_code)
                .post(promotion_code::update_promotion_code),
        )
        .route(
            "/v1/payment_methods",
            get(pm::list_payment_methods).post(pm::create_payment_method),
        )
        .route(
            "/v1/payment_methods/{id}",
            get(pm::retrieve_payment_method).post(pm::update_payment_method),
        )
        .route(
            "/v1/payment_methods/{id}/attach",
            post(pm::attach_payment_method),
        )
        .route(
            "/v1/payment_methods/{id}/detach",
            post(pm::detach_payment_method),
        )
        .route(
            "/v1/customers/{id}/payment_methods",
            get(pm::list_customer_payment_methods),
        )
        .route(
            "/v1/customers/{customer}/payment_methods/{payment_method}",
            get(pm::retrieve_customer_payment_method),
        )
        .route(
            "/v1/customers/{customer}/balance_transactions",
            get(api::customer_balance::list_balance_transactions)
                .post(api::customer_balance::create_balance_transaction),
        )
        .route(
            "/v1/customers/{customer}/balance_transactions/{transaction}",
            get(api::customer_balance::retrieve_balance_transaction)
                .post(api::customer_balance::update_balance_transaction),
        )
        .route(
            "/v1/setup_intents",
            get(si::list_setup_intents).post(si::create_setup_intent),
        )
        .route(
            "/v1/setup_intents/{id}",
            get(si::retrieve_setup_intent).post(si::update_setup_intent),
        )
        .route(
            "/v1/setup_intents/{id}/confirm",
            post(si::confirm_setup_intent),
        )
        .route(
            "/v1/setup_intents/{id}/cancel",
            post(si::cancel_setup_intent),
        )
        .route("/v1/events", get(event::list_events))
        .route("/v1/events/{id}", get(event::retrieve_event))
        .route("/v1/events/{id}/retry", post(event::retry_event))
        .route(
            "/v1/subscriptions",
            get(sub::list_subscriptions).post(sub::create_subscription),
        )
        .route("/v1/subscriptions/search", get(api::search::subscriptions))
        .route(
            "/v1/subscriptions/{id}",
            get(sub::retrieve_subscription)
                .post(sub::update_subscription)
                .delete(sub::cancel_subscription),
        )
        .route(
            "/v1/subscriptions/{id}/discount",
            delete(sub::delete_subscription_discount),
        )
        .route(
            "/v1/subscriptions/{id}/resume",
            post(sub::resume_subscription),
        )
        .route(
            "/v1/subscription_items",
            get(api::subscription_item::list_subscription_items)
                .post(api::subscription_item::create_subscription_item),
        )
        .route(
            "/v1/subscription_items/{id}",
            get(api::subscription_item::retrieve_subscription_item)
                .post(api::subscription_item::update_subscription_item)
                .delete(api::subscription_item::delete_subscription_item),
        )
        .route(
            "/v1/subscription_schedules",
            get(api::subscription_schedule::list_subscription_schedules)
                .post(api::subscription_schedule::create_subscription_schedule),
        )
        .route(
            "/v1/subscription_schedules/{id}",
            get(api::subscription_schedule::retrieve_subscription_schedule)
                .post(api::subscription_schedule::update_subscription_schedule),
        )
        .route(
            "/v1/subscription_schedules/{id}/release",
            post(api::subscription_schedule::release_subscription_schedule),
        )
        .route(
            "/v1/subscription_schedules/{id}/cancel",
            post(api::subscription_schedule::cancel_subscription_schedule),
        )
        .route(
            "/v1/invoices",
            get(invoice::list_invoices).post(invoice::create_invoice),
        )
        .route("/v1/invoices/search", get(api::search::invoices))
        .route(
            "/v1/invoices/create_preview",
            post(api::subscription_change::create_preview),
        )
        .route(
            "/v1/invoices/{id}",
            get(invoice::retrieve_invoice)
                .post(invoice::update_invoice)
                .delete(invoice::delete_invoice),
        )
        .route("/v1/invoices/{id}/lines", get(invoice::list_invoice_lines))
        .route("/v1/invoices/{id}/pay", post(invoice::pay_invoice))
        .route("/v1/invoices/{id}/void", post(invoice::void_invoice))
        .route("/v1/invoices/{id}/send", post(invoice::send_invoice))
        .route(
            "/v1/invoiceitems",
            get(invoice_item::list_invoice_items).post(invoice_item::create_invoice_item),
        )
        .route(
            "/v1/invoiceitems/{id}",
            get(invoice_item::retrieve_invoice_item)
                .post(invoice_item::update_invoice_item)
                .delete(invoice_item::delete_invoice_item),
        )
        .route(
            "/v1/invoices/{id}/finalize",
            post(invoice::finalize_invoice),
        )
        .route(
            "/v1/invoices/{id}/mark_uncollectible",
            post(invoice::mark_uncollectible),
        )
        .route(
            "/v1/test_helpers/test_clocks",
            get(clock::list_test_clocks).post(clock::create_test_clock),
        )
        .route(
            "/v1/test_helpers/test_clocks/{id}",
            get(clock::retrieve_test_clock).delete(clock::delete_test_clock),
        )
        .route(
            "/v1/test_helpers/test_clocks/{id}/advance",
            post(clock::advance_test_clock),
        )
        .route(
            "/v1/webhook_endpoints",
            get(api::webhook_endpoint::list_webhook_endpoints)
                .post(api::webhook_endpoint::create_webhook_endpoint),
        )
        .route(
            "/v1/webhook_endpoints/{id}",
            get(api::webhook_endpoint::retrieve_webhook_endpoint)
                .post(api::webhook_endpoint::update_webhook_endpoint)
                .delete(api::webhook_endpoint::delete_webhook_endpoint),
        )
        .route(
            "/v1/billing_portal/configurations",
            get(api::billing_portal::list_configurations)
                .post(api::billing_portal::create_configuration),
        )
        .route(
            "/v1/billing_portal/configurations/{id}",
            get(api::billing_portal::retrieve_configuration)
                .post(api::billing_portal::update_configuration),
        )
        .route(
            "/v1/billing_portal/sessions",
            post(api::billing_portal::create_session),
        )
        .method_not_allowed_fallback(http::unrecognized)
        .fallback(http::unrecognized)
        .layer(axum::middleware::from_fn_with_state(
            app.clone(),
            http::api_middleware,
        ))
        .with_state(app)
}

/// Everything `portico serve` needs. Its `Debug` output hides the keys.
#[derive(Clone)]
pub struct ServeConfig {
    pub listen: SocketAddr,
    pub database_url: String,
    pub public_url: String,
    pub api_keys: Vec<String>,
    pub dev: bool,
    pub webhooks: webhooks::WebhookSettings,
    pub portal: state::PortalSettings,
    pub mail: mail::MailSettings,
    pub rate_limits: state::RateLimits,
    /// Keys sealing secrets at rest (`--data-key`); empty: the database's own key.
    pub data_keys: Vec<seal::DataKey>,
    /// The operators' dashboard password (`--admin-password`), if any.
    pub admin_password: Option<String>,
    /// Proxies whose `X-Forwarded-For` names the client (`--trusted-proxy`): the per-client
    /// limits count that client instead of the proxy.
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// The accounts' default currency (`--default-currency`).
    pub default_currency: String,
}

impl std::fmt::Debug for ServeConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServeConfig")
            .field("listen", &self.listen)
            .field("public_url", &self.public_url)
            .field(
                "api_keys",
                &format_args!("[{} hidden]", self.api_keys.len()),
            )
            .field("dev", &self.dev)
            .finish_non_exhaustive()
    }
}

/// Opens the store and builds the application state.
pub async fn build(config: &ServeConfig, clock: Arc<dyn Clock>) -> anyhow::Result<App> {
    let store: Arc<dyn Store> = portico_store::open(&config.database_url).await?;
    let app = App::new(
        store,
        KeyPolicy::new(&config.api_keys, config.dev),
        clock,
        Settings {
            public_url: config.public_url.clone(),
            webhooks: config.webhooks.clone(),
            portal: config.portal.clone(),
            mail: config.mail.clone(),
            dev: config.dev,
            rate_limits: config.rate_limits,
            data_keys: config.data_keys.clone(),
            default_currency: config.default_currency.clone(),
            admin_password: config
                .admin_password
                .as_deref()
                .map(|p| <sha2::Sha256 as sha2::Digest>::digest(p.as_bytes()).into()),
        },
    );
    app.load_link_key()
        .await
        .map_err(|e| anyhow::anyhow!("reading the invoice links' key: {}", e.error.message))?;
    Ok(app)
}

/// Serves until `shutdown` resolves, then finishes in-flight requests and returns.
pub async fn serve(
    config: ServeConfig,
    listener: TcpListener,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let app = build(&config, Arc::new(SystemClock)).await?;
    let upkeep = tokio::spawn(upkeep(app.clone()));
    let statistics = tokio::spawn(statistics(app.clone()));
    let every = Duration::from_secs(if config.dev { 2 } else { 15 });
    let billing = tokio::spawn(billing::worker(app.clone(), every));
    let (stop_webhooks, stopping) = tokio::sync::watch::channel(false);
    let webhooks = tokio::spawn(webhooks::worker(app.clone(), stopping));
    let mailer = tokio::spawn(mail::worker(app.clone()));
    let trusted: Arc<[std::net::IpAddr]> = config.trusted_proxies.clone().into();
    let per_client = config.rate_limits.connections_per_client;
    let result =
        listener::serve(listener, router(app.clone()), trusted, per_client, shutdown).await;
    upkeep.abort();
    statistics.abort();
    billing.abort();
    mailer.abort();
    // Let the attempts in flight finish and be recorded (each is bounded by the timeout).
    let _ = stop_webhooks.send(true);
    let drain = app.settings.webhooks.timeout + Duration::from_secs(2);
    if tokio::time::timeout(drain, webhooks).await.is_err() {
        tracing::warn!("webhook deliveries still in flight at shutdown; they are retried later");
    }
    app.store.close().await;
    result.map_err(Into::into)
}

/// Keeps the database's planner statistics in step with fast-growing tables (every 10 s).
async fn statistics(app: App) {
    let mut tick = tokio::time::interval(Duration::from_secs(10));
    loop {
        tick.tick().await;
        match app.store.refresh_statistics().await {
            Ok(tables) if !tables.is_empty() => {
                tracing::info!(tables = %tables.join(","), "refreshed planner statistics")
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "refreshing planner statistics failed"),
        }
    }
}

/// Finished webhook deliveries (and their attempts) are kept this long, as Stripe keeps events.
pub const DELIVERY_RETENTION_SECS: i64 = 30 * 86_400;

/// Link lookups (portal sessions, 3-D Secure and sign-in links) are kept this long after they
/// expire: until then an old link says it has expired; after, that it is not valid.
pub const TOKEN_GRACE_SECS: i64 = 7 * 86_400;

/// Background upkeep, once an hour: forgets idempotency keys older than 24 hours, link lookups
/// a week after they expired, and finished webhook deliveries and emails older than 30 days.
async fn upkeep(app: App) {
    let mut tick = tokio::time::interval(Duration::from_secs(3600));
    loop {
        tick.tick().await;
        let now = app.clock.now();
        match app
            .store
            .idempotency_prune(now - portico_store::IDEMPOTENCY_TTL_SECS)
            .await
        {
            Ok(n) if n > 0 => tracing::info!(pruned = n, "forgot expired idempotency keys"),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "idempotency key pruning failed"),
        }
        match app
            .store
            .prune_deliveries(now - DELIVERY_RETENTION_SECS)
            .await
        {
            Ok(n) if n > 0 => tracing::info!(pruned = n, "forgot old webhook deliveries"),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "webhook delivery pruning failed"),
        }
        match app.store.prune_tokens(now - TOKEN_GRACE_SECS).await {
            Ok(n) if n > 0 => tracing::info!(pruned = n, "forgot expired link tokens"),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "link token pruning failed"),
        }
        match app.store.prune_emails(now - mail::RETENTION_SECS).await {
            Ok(n) if n > 0 => tracing::info!(pruned = n, "forgot old emails"),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "email pruning failed"),
        }
    }
}

//! The operators' dashboard under `/dashboard`: server-rendered pages, signed in with an
//! account's secret key (or the operators' password), every page scoped to one account.
//!
//! The dashboard changes nothing by itself: every change is an API request made in-process as
//! the signed-in account ([`Dash::api`]), so it runs the same validation, writes the same events
//! and queues the same webhooks as a request from an SDK. It reads through the API too, except
//! where the API has no endpoint (portal sessions, webhook deliveries).

mod browse;
mod builder;
mod clocks;
mod events;
mod settings;

use crate::api::setup_intent::token_hash as hash;
use crate::auth::Caller;
use crate::http::InProcessCaller;
use crate::pages::{cookie, secure};
use crate::state::App;
use askama::Template;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, Method, Request, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Extension, Router};
use portico_domain::{AccountId, IdGen, RandomIds};
use portico_store::{TokenRecord, Write};
use serde_json::Value;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use tower::ServiceExt;

/// The signed-in browser's cookie.
const SESSION_COOKIE: &str = "portico_dashboard";
/// The sign-in form's CSRF cookie (before there is a session to bind the token to).
const LOGIN_COOKIE: &str = "portico_dashboard_login";
/// How long a dashboard sign-in lasts.
const SESSION_SECS: i64 = 12 * 3600;
/// Failed sign-ins allowed per client address in [`LOGIN_WINDOW_SECS`].
const LOGIN_ATTEMPTS: usize = 10;
const LOGIN_WINDOW_SECS: i64 = 10 * 60;
/// The token kind of a dashboard sign-in.
const TOKEN_KIND: &str = "dashboard";

/// The API, for in-process calls.
#[derive(Clone)]
pub struct Api(Router);

/// The dashboard's routes (mounted at `/dashboard`); `api` is the API router it calls.
pub fn router(api: Router) -> Router<App> {
    Router::new()
        .route("/", get(root))
        .route("/static/dashboard.css", get(stylesheet))
        .route("/login", get(login_page).post(login))
        .route("/logout", post(logout))
        .route("/accounts", get(accounts_page).post(switch_account))
        .route("/home", get(home))
        .route("/settings", get(settings::index))
        .route("/settings/new", post(settings::create))
        .route("/settings/branding", post(settings::branding))
        .route("/settings/{id}", get(settings::edit).post(settings::save))
        .route("/settings/{id}/default", post(settings::make_default))
        .route("/links", get(builder::form).post(builder::create))
        .route("/events", get(events::list))
        .route("/events/{id}", get(events::show))
        .route("/events/{id}/resend", post(events::resend))
        .route("/webhooks", get(events::endpoints))
        .route("/webhooks/{id}", get(events::endpoint))
        .route("/events/{id}/deliveries/{delivery}", get(events::delivery))
        .route("/clocks", get(clocks::list).post(clocks::create))
        .route("/clocks/{id}", get(clocks::show))
        .route("/clocks/{id}/advance", post(clocks::advance))
        .route("/objects/{kind}", get(browse::list))
        .route("/objects/{kind}/{id}", get(browse::show))
        .fallback(not_found)
        .layer(axum::middleware::from_fn(server_timing))
        .layer(Extension(Api(api)))
        .layer(axum::extract::DefaultBodyLimit::max(LOGO_FORM_BYTES))
        // A body must arrive in time, as for the portal's forms.
        .layer(tower_http::timeout::RequestBodyTimeoutLayer::new(
            crate::pages::BODY_TIMEOUT,
        ))
}

/// Says how long the server took (`Server-Timing: total;dur=…`, in milliseconds): browsers'
/// developer tools show it, and it is how the dashboard's speed is measured.
async fn server_timing(req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let started = std::time::Instant::now();
    let mut r = next.run(req).await;
    let ms = started.elapsed().as_secs_f64() * 1000.0;
    if let Ok(v) = HeaderValue::from_str(&format!("total;dur={ms:.2}")) {
        r.headers_mut().insert("server-timing", v);
    }
    r
}

/// The largest form the dashboard takes (the branding form carries a logo).
const LOGO_FORM_BYTES: usize = 1024 * 1024;

async fn stylesheet() -> Response {
    crate::pages::css(include_str!("../../static/dashboard.css"))
}

/// A signed-in dashboard browser.
#[derive(Clone)]
pub struct Dash {
    pub app: App,
    api: Router,
    pub caller: Caller,
    /// Signed in with the operators' password (may switch accounts).
    pub admin: bool,
    /// The form token of this sign-in.
    pub csrf: String,
    token_hash: String,
}

impl Dash {
    /// The signed-in browser behind `headers`, or the sign-in page to send it to.
    pub async fn enter(app: &App, api: &Api, headers: &HeaderMap) -> Result<Dash, Response> {
        let to_login = || Redirect::to("/dashboard/login").into_response();
        let Some(secret) = cookie(headers, SESSION_COOKIE)
            .filter(|c| c.len() == 43 && c.bytes().all(|b| b.is_ascii_alphanumeric()))
        else {
            return Err(to_login());
        };
        let token_hash = hash(&secret);
        let found = app
            .store
            .find_token(&token_hash)
            .await
            .map_err(|_| unavailable())?;
        let Some(t) = found.filter(|t| t.kind == TOKEN_KIND) else {
            return Err(to_login());
        };
        if t.expires_at <= app.clock.now() {
            return Err(to_login());
        }
        let (who, mode) = t.object_id.split_once(':').unwrap_or(("key", "test"));
        Ok(Dash {
            app: app.clone(),
            api: api.0.clone(),
            caller: Caller {
                account: t.account,
                livemode: mode == "live",
            },
            admin: who == "admin",
            csrf: hash(&format!("portico-dashboard-csrf\0{secret}"))[..40].to_owned(),
            token_hash,
        })
    }

    /// Whether a submitted form carries this sign-in's token.
    pub fn csrf_ok(&self, form: &Form) -> bool {
        let sent = form.get("csrf").unwrap_or_default();
        bool::from(self.csrf.as_bytes().ct_eq(sent.as_bytes()))
    }

    /// Parses a form posted to the dashboard, or the page to show when its token is wrong.
    #[allow(clippy::result_large_err)] // the error is the page itself, made only on failure
    pub fn form(&self, body: &[u8]) -> Result<Form, Response> {
        let form = Form::parse(body);
        if self.csrf_ok(&form) {
            Ok(form)
        } else {
            Err(error_page(
                StatusCode::FORBIDDEN,
                "This form has expired. Go back, reload the page and try again.",
            ))
        }
    }

    /// Calls the API as this account: `(status, body)`. `form` is sent as the request body of a
    /// POST (or DELETE), or as the query string of a GET.
    pub async fn api(&self, method: Method, path: &str, form: &[(String, String)]) -> ApiResult {
        let encoded = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(form)
            .finish();
        let (uri, body) = if method == Method::GET {
            if encoded.is_empty() {
                (path.to_owned(), String::new())
            } else {
                (format!("{path}?{encoded}"), String::new())
            }
        } else {
            (path.to_owned(), encoded)
        };
        let mut req = match Request::builder()
            .method(method)
            .uri(uri)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body))
        {
            Ok(r) => r,
            Err(e) => return ApiResult::failed(format!("Portico could not make the request: {e}")),
        };
        req.extensions_mut()
            .insert(InProcessCaller(self.caller.clone()));
        let resp = match self.api.clone().oneshot(req).await {
            Ok(r) => r,
            Err(never) => match never {},
        };
        let status = resp.status();
        let bytes = axum::body::to_bytes(resp.into_body(), usize::MAX)
            .await
            .unwrap_or_default();
        let body: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        ApiResult { status, body }
    }

    /// `GET path` as this account.
    pub async fn get(&self, path: &str, query: &[(String, String)]) -> ApiResult {
        self.api(Method::GET, path, query).await
    }

    /// `POST path` as this account.
    pub async fn post(&self, path: &str, form: &[(String, String)]) -> ApiResult {
        self.api(Method::POST, path, form).await
    }

    /// The frame every page shares.
    pub fn layout(&self, title: impl Into<String>, section: &'static str) -> Layout {
        Layout {
            title: title.into(),
            section,
            account: self.caller.account.as_str().to_owned(),
            livemode: self.caller.livemode,
            admin: self.admin,
            csrf: self.csrf.clone(),
            public_url: self.app.settings.public_url.clone(),
        }
    }

    /// The account's id.
    pub fn account(&self) -> &AccountId {
        &self.caller.account
    }
}

/// A signed-in browser, for a handler's arguments; otherwise the sign-in page.
impl axum::extract::FromRequestParts<App> for Dash {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        app: &App,
    ) -> Result<Dash, Response> {
        let Some(api) = parts.extensions.get::<Api>().cloned() else {
            return Err(error_page(
                StatusCode::INTERNAL_SERVER_ERROR,
                "The dashboard is not set up on this route.",
            ));
        };
        Dash::enter(app, &api, &parts.headers).await
    }
}

/// A form posted by a signed-in browser with this sign-in's token (the last argument of a
/// handler); otherwise the page that says why not.
pub struct Signed(pub Dash, pub Form);

impl axum::extract::FromRequest<App> for Signed {
    type Rejection = Response;

    async fn from_request(req: axum::extract::Request, app: &App) -> Result<Signed, Response> {
        let (mut parts, body) = req.into_parts();
        let d = <Dash as axum::extract::FromRequestParts<App>>::from_request_parts(&mut parts, app)
            .await?;
        let bytes = axum::body::to_bytes(body, LOGO_FORM_BYTES)
            .await
            .map_err(|_| error_page(StatusCode::PAYLOAD_TOO_LARGE, "This form is too large."))?;
        let form = d.form(&bytes)?;
        Ok(Signed(d, form))
    }
}

/// What an in-process API call answered.
pub struct ApiResult {
    pub status: StatusCode,
    pub body: Value,
}

impl ApiResult {
    fn failed(message: String) -> ApiResult {
        ApiResult {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            body: serde_json::json!({"error": {"message": message}}),
        }
    }

    pub fn ok(&self) -> bool {
        self.status.is_success()
    }

    /// The page for a call that failed: the API's status (404 for an object not found) and
    /// its message.
    pub fn failure_page(&self) -> Response {
        let status = if self.ok() {
            StatusCode::INTERNAL_SERVER_ERROR
        } else {
            self.status
        };
        error_page(
            status,
            &self.error().unwrap_or_else(|| "The request failed.".into()),
        )
    }

    /// The API's error, as a sentence naming the parameter it is about.
    pub fn error(&self) -> Option<String> {
        if self.ok() {
            return None;
        }
        let e = &self.body["error"];
        let message = e["message"]
            .as_str()
            .unwrap_or("The request failed.")
            .to_owned();
        Some(match e["param"].as_str() {
            Some(p) if !message.contains(p) => format!("{message} (parameter: {p})"),
            _ => message,
        })
    }
}

/// The frame of every signed-in page.
pub struct Layout {
    pub title: String,
    /// Which item of the navigation is current.
    pub section: &'static str,
    pub account: String,
    pub livemode: bool,
    pub admin: bool,
    pub csrf: String,
    pub public_url: String,
}

impl Layout {
    /// `"current"` for the navigation item of this page's section.
    pub fn nav(&self, section: &str) -> &'static str {
        if self.section == section {
            "current"
        } else {
            ""
        }
    }
}

/// A form posted to the dashboard, as name/value pairs in order.
pub struct Form(pub Vec<(String, String)>);

impl Form {
    pub fn parse(body: &[u8]) -> Form {
        Form(url::form_urlencoded::parse(body).into_owned().collect())
    }

    /// A field's first value.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// A field's value, trimmed, or `None` when absent or blank.
    pub fn text(&self, name: &str) -> Option<String> {
        self.get(name)
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    }

    /// Every value of a repeated field (checkboxes).
    pub fn all(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .collect()
    }

    /// Whether a checkbox was ticked.
    pub fn checked(&self, name: &str) -> bool {
        self.get(name).is_some()
    }
}

/// Renders a dashboard page with the dashboard's security headers.
pub fn render(status: StatusCode, t: &impl Template) -> Response {
    crate::pages::page(status, t, None)
}

#[derive(Template)]
#[template(path = "dashboard/message.html")]
struct MessagePage {
    heading: String,
    message: String,
}

/// A page that only says what went wrong.
pub fn error_page(status: StatusCode, message: &str) -> Response {
    render(
        status,
        &MessagePage {
            heading: status
                .canonical_reason()
                .unwrap_or("Something went wrong")
                .to_owned(),
            message: message.to_owned(),
        },
    )
}

/// The page for a store error.
pub fn unavailable() -> Response {
    error_page(
        StatusCode::SERVICE_UNAVAILABLE,
        "The database did not answer; try again.",
    )
}

async fn not_found() -> Response {
    error_page(StatusCode::NOT_FOUND, "There is no dashboard page here.")
}

async fn root(_: Dash) -> Response {
    Redirect::to("/dashboard/home").into_response()
}

// --- signing in and out ------------------------------------------------------------------

#[derive(Template)]
#[template(path = "dashboard/login.html")]
struct LoginPage {
    csrf: String,
    admin: bool,
    error: Option<String>,
    dev: bool,
}

fn login_csrf(headers: &HeaderMap) -> (String, bool) {
    match cookie(headers, LOGIN_COOKIE) {
        Some(v) if v.len() == 43 && v.bytes().all(|b| b.is_ascii_alphanumeric()) => (v, false),
        _ => (RandomIds.next("", 43), true),
    }
}

fn cookie_header(app: &App, name: &str, value: &str, max_age: Option<i64>) -> Option<HeaderValue> {
    let secure = if app.settings.public_url.starts_with("https://") {
        "; Secure"
    } else {
        ""
    };
    let age = max_age
        .map(|a| format!("; Max-Age={a}"))
        .unwrap_or_default();
    HeaderValue::from_str(&format!(
        "{name}={value}; Path=/dashboard; HttpOnly; SameSite=Strict{age}{secure}"
    ))
    .ok()
}

fn show_login(
    app: &App,
    headers: &HeaderMap,
    status: StatusCode,
    error: Option<String>,
) -> Response {
    let (csrf, fresh) = login_csrf(headers);
    let mut r = render(
        status,
        &LoginPage {
            csrf: csrf.clone(),
            admin: app.settings.admin_password.is_some(),
            error,
            dev: app.settings.dev,
        },
    );
    if fresh {
        if let Some(v) = cookie_header(app, LOGIN_COOKIE, &csrf, None) {
            r.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    r
}

fn too_many(app: &App, headers: &HeaderMap, wait: i64) -> Response {
    show_login(
        app,
        headers,
        StatusCode::TOO_MANY_REQUESTS,
        Some(format!(
            "Too many failed sign-ins from this address; try again in {} minutes.",
            (wait + 59) / 60
        )),
    )
}

async fn login_page(State(app): State<App>, headers: HeaderMap) -> Response {
    show_login(&app, &headers, StatusCode::OK, None)
}

async fn login(
    State(app): State<App>,
    crate::pages::portal::login::ClientIp(ip): crate::pages::portal::login::ClientIp,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let form = Form::parse(&body);
    let sent = form.get("csrf").unwrap_or_default();
    let cookie_ok = cookie(&headers, LOGIN_COOKIE)
        .is_some_and(|c| !c.is_empty() && bool::from(c.as_bytes().ct_eq(sent.as_bytes())));
    if !cookie_ok {
        return show_login(
            &app,
            &headers,
            StatusCode::FORBIDDEN,
            Some("This form has expired; try again.".into()),
        );
    }
    let now = app.clock.now();
    // Failed sign-ins are counted per address; once too many, none is tried until they age out.
    let limited = format!("dashboard:{ip}");
    if let Some(wait) = app
        .limits
        .full(&limited, now, LOGIN_ATTEMPTS, LOGIN_WINDOW_SECS)
    {
        return too_many(&app, &headers, wait);
    }
    let failed = |status: StatusCode, message: &str| {
        if let Err(wait) = app
            .limits
            .hit(&limited, now, LOGIN_ATTEMPTS, LOGIN_WINDOW_SECS)
        {
            return too_many(&app, &headers, wait);
        }
        show_login(&app, &headers, status, Some(message.to_owned()))
    };
    let (caller, admin) = if let Some(password) = form.get("password").filter(|p| !p.is_empty()) {
        let Some(expected) = app.settings.admin_password else {
            return show_login(
                &app,
                &headers,
                StatusCode::UNAUTHORIZED,
                Some("This server has no operators' password; sign in with a secret key.".into()),
            );
        };
        let given: [u8; 32] = Sha256::digest(password.as_bytes()).into();
        if !bool::from(given.ct_eq(&expected)) {
            return failed(StatusCode::UNAUTHORIZED, "That password is not right.");
        }
        let accounts = match app.store.accounts(1, false).await {
            Ok(a) => a,
            Err(_) => return unavailable(),
        };
        let Some(first) = accounts.into_iter().next() else {
            return show_login(
                &app,
                &headers,
                StatusCode::CONFLICT,
                Some("There is no account yet: make a first API request with a secret key, or sign in with one.".into()),
            );
        };
        (
            Caller {
                account: first.id,
                livemode: first.livemode,
            },
            true,
        )
    } else {
        let key = form.get("key").unwrap_or_default().trim();
        if !key.starts_with("sk_") {
            return failed(
                StatusCode::UNAUTHORIZED,
                "Sign in with a secret key (sk_test_… or sk_live_…).",
            );
        }
        match app
            .keys
            .authenticate(Some(format!("Bearer {key}").as_bytes()))
        {
            Ok(c) => (c, false),
            Err(_) => {
                return failed(
                    StatusCode::UNAUTHORIZED,
                    "This server does not accept that key.",
                )
            }
        }
    };
    if app.ensure_account(&caller, now).await.is_err() {
        return unavailable();
    }
    start_session(&app, caller, admin, None).await
}

/// Signs the browser in to `caller`'s account and opens the dashboard.
async fn start_session(
    app: &App,
    caller: Caller,
    admin: bool,
    replaces: Option<String>,
) -> Response {
    let now = app.clock.now();
    let secret = RandomIds.next("", 43);
    let who = if admin { "admin" } else { "key" };
    let mode = if caller.livemode { "live" } else { "test" };
    let mut writes = vec![Write::Token(TokenRecord {
        token_hash: hash(&secret),
        account: caller.account.clone(),
        kind: TOKEN_KIND.into(),
        object_id: format!("{who}:{mode}"),
        created: now,
        expires_at: now + SESSION_SECS,
    })];
    if let Some(old) = replaces {
        writes.push(Write::DeleteToken(old));
    }
    if app.commit(&caller.account, writes).await.is_err() {
        return unavailable();
    }
    let mut r = Redirect::to("/dashboard/home").into_response();
    if let Some(v) = cookie_header(app, SESSION_COOKIE, &secret, Some(SESSION_SECS)) {
        r.headers_mut().append(header::SET_COOKIE, v);
    }
    secure(r.headers_mut(), None);
    r
}

async fn logout(Signed(d, _): Signed) -> Response {
    let app = d.app.clone();
    let _ = app
        .commit(d.account(), vec![Write::DeleteToken(d.token_hash.clone())])
        .await;
    let mut r = Redirect::to("/dashboard/login").into_response();
    if let Some(v) = cookie_header(&app, SESSION_COOKIE, "", Some(0)) {
        r.headers_mut().append(header::SET_COOKIE, v);
    }
    r
}

#[derive(Template)]
#[template(path = "dashboard/accounts.html")]
struct AccountsPage {
    l: Layout,
    accounts: Vec<(String, bool, String)>,
}

/// How many accounts the Accounts page lists (the newest): on a database that test suites
/// share there are thousands.
const ACCOUNTS_LISTED: usize = 500;

async fn accounts_page(d: Dash) -> Response {
    let app = d.app.clone();
    if !d.admin {
        return error_page(
            StatusCode::FORBIDDEN,
            "Only operators (signed in with the operators' password) may switch accounts.",
        );
    }
    let accounts = match app.store.accounts(ACCOUNTS_LISTED, true).await {
        Ok(a) => a,
        Err(_) => return unavailable(),
    };
    render(
        StatusCode::OK,
        &AccountsPage {
            l: d.layout("Accounts", "accounts"),
            accounts: accounts
                .into_iter()
                .map(|a| (a.id.as_str().to_owned(), a.livemode, stamp(a.created)))
                .collect(),
        },
    )
}

async fn switch_account(Signed(d, form): Signed) -> Response {
    let app = d.app.clone();
    if !d.admin {
        return error_page(
            StatusCode::FORBIDDEN,
            "Only operators (signed in with the operators' password) may switch accounts.",
        );
    }
    let wanted = form.get("account").unwrap_or_default();
    let accounts = match app.store.accounts(ACCOUNTS_LISTED, true).await {
        Ok(a) => a,
        Err(_) => return unavailable(),
    };
    let Some(a) = accounts.into_iter().find(|a| a.id.as_str() == wanted) else {
        return error_page(StatusCode::NOT_FOUND, "There is no such account.");
    };
    start_session(
        &app,
        Caller {
            account: a.id,
            livemode: a.livemode,
        },
        true,
        Some(d.token_hash.clone()),
    )
    .await
}

// --- home ----------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "dashboard/home.html")]
struct HomePage {
    l: Layout,
    events: Vec<events::EventRow>,
    endpoints: usize,
    failing: usize,
    default_config: Option<String>,
}

async fn home(d: Dash) -> Response {
    let app = d.app.clone();
    let recent = d.get("/v1/events", &[("limit".into(), "8".into())]).await;
    let endpoints = d
        .get("/v1/webhook_endpoints", &[("limit".into(), "100".into())])
        .await;
    let configs = d
        .get(
            "/v1/billing_portal/configurations",
            &[
                ("is_default".into(), "true".into()),
                ("limit".into(), "1".into()),
            ],
        )
        .await;
    let failing = app
        .store
        .deliveries(&portico_store::DeliveryQuery {
            account: Some(d.account().clone()),
            state: Some(portico_store::DeliveryState::Failed),
            limit: 100,
            ..Default::default()
        })
        .await
        .map(|v| v.len())
        .unwrap_or(0);
    render(
        StatusCode::OK,
        &HomePage {
            l: d.layout("Overview", "home"),
            events: events::rows(&d, &recent.body).await,
            endpoints: endpoints.body["data"].as_array().map_or(0, Vec::len),
            failing,
            default_config: configs.body["data"][0]["id"].as_str().map(str::to_owned),
        },
    )
}

// --- small helpers shared by the pages -----------------------------------------------------

/// A Unix time as `YYYY-MM-DD HH:MM:SS UTC`.
pub fn stamp(t: i64) -> String {
    let (y, m, d) = portico_domain::calendar::civil_from_days(t.div_euclid(86_400));
    let s = t.rem_euclid(86_400);
    format!(
        "{y}-{m:02}-{d:02} {:02}:{:02}:{:02} UTC",
        s / 3600,
        s / 60 % 60,
        s % 60
    )
}

/// A JSON timestamp field as [`stamp`], or `—`.
pub fn stamp_of(v: &Value) -> String {
    v.as_i64().map(stamp).unwrap_or_else(|| "—".into())
}

/// A rendered price's amount: `USD 12.00` per unit, or `tiered (graduated)`.
pub fn price_amount(p: &Value) -> String {
    match (p["unit_amount"].as_i64(), p["tiers_mode"].as_str()) {
        (Some(a), _) => money(a, s(p, "currency")),
        (None, Some(mode)) => format!("tiered ({mode})"),
        (None, None) => String::new(),
    }
}

/// An amount in minor units with its currency, e.g. `USD 15.00` (`JPY 1200`).
pub fn money(amount: i64, currency: &str) -> String {
    let digits = portico_domain::Currency::parse(currency).map_or(2, |c| c.exponent());
    let code = currency.to_uppercase();
    if digits == 0 {
        return format!("{code} {amount}");
    }
    let unit = 10i64.pow(digits);
    let sign = if amount < 0 { "-" } else { "" };
    let a = amount.unsigned_abs() as i64;
    format!(
        "{sign}{code} {}.{:0width$}",
        a / unit,
        a % unit,
        width = digits as usize
    )
}

/// A JSON value pretty-printed for a detail page.
pub fn pretty(v: &Value) -> String {
    serde_json::to_string_pretty(v).unwrap_or_default()
}

/// A string field of a JSON object, or `""`.
pub fn s<'a>(v: &'a Value, key: &str) -> &'a str {
    v[key].as_str().unwrap_or_default()
}

/// `(name, value)` pairs for an API call.
pub fn pairs<const N: usize>(p: [(&str, &str); N]) -> Vec<(String, String)> {
    p.iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

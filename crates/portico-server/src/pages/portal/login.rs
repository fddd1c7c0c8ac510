//! The portal's login page (`login_page.url` of a configuration with `login_page.enabled`): a
//! customer types their email; if a customer of the account has it, a one-time link to a new
//! portal session with that configuration is emailed (short-lived, single use). The page
//! answers the same whether or not the address belongs to a customer, and the email is written
//! after the answer, so neither the words nor the time tell. Requests are rate limited per
//! address and per client.

use super::view::{FrameParts, Layout};
use super::{browser_t, failure, hash, notice_page, Form};
use crate::pages::i18n::{negotiate, T};
use crate::pages::{csrf_ok, csrf_token, with_csrf_cookie};
use crate::state::App;
use askama::Template;
use axum::body::Bytes;
use axum::extract::connect_info::ConnectInfo;
use axum::extract::{FromRequestParts, Path, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use portico_domain::branding::Branding;
use portico_domain::customer::Customer;
use portico_domain::portal::{PortalConfiguration, PortalSession};
use portico_domain::{AccountId, Ctx, IdGen, RandomIds};
use portico_store::{Cursor, Filter, ListQuery, TokenRecord, Versioned, Write};
use std::net::SocketAddr;

/// How long an emailed link works.
pub const LINK_TTL_SECS: i64 = 15 * 60;
/// The window of the login page's rate limits (`PortalSettings::login_per_*`).
const WINDOW_SECS: i64 = 10 * 60;

/// The client's address, when the server knows it (it does behind `portico serve`).
pub struct ClientIp(pub String);

impl<S: Send + Sync> FromRequestParts<S> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(ClientIp(
            parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|c| c.0.ip().to_string())
                .unwrap_or_else(|| "unknown".into()),
        ))
    }
}

/// The configuration a login link leads to, with its account and branding.
#[derive(Clone)]
struct Login {
    account: AccountId,
    config: PortalConfiguration,
    branding: Option<Branding>,
}

async fn find(app: &App, token: &str) -> Result<Option<Login>, ()> {
    if token.len() != portico_domain::portal::LINK_TOKEN_LEN
        || !token.bytes().all(|b| b.is_ascii_alphanumeric())
    {
        return Ok(None);
    }
    let Some(record) = app.store.find_token(&hash(token)).await.map_err(|_| ())? else {
        return Ok(None);
    };
    if record.kind != "portal_login" {
        return Ok(None);
    }
    let config =
        portico_store::get::<PortalConfiguration>(&*app.store, &record.account, &record.object_id)
            .await
            .map_err(|_| ())?
            .map(|c| c.value)
            .filter(|c| c.active && c.login_token.as_deref() == Some(token));
    let Some(config) = config else {
        return Ok(None);
    };
    let branding = crate::operator::branding(app, &record.account)
        .await
        .map_err(|_| ())?;
    Ok(Some(Login {
        account: record.account,
        config,
        branding,
    }))
}

#[derive(Template)]
#[template(path = "portal/login.html")]
struct LoginPage {
    l: Layout,
    lead: String,
    email: String,
    error: Option<String>,
    /// After a request: the "check your email" answer.
    sent: Option<String>,
}

fn layout(login: &Login, t: T, csrf: String) -> Layout {
    Layout::new(
        FrameParts {
            t,
            branding: login.branding.as_ref(),
            profile: &login.config.business_profile,
            return_url: login.config.default_return_url.clone(),
            base: String::new(),
            csrf,
            in_flow: true,
            test_mode: !login.config.livemode,
        },
        t.s("login-title"),
    )
}

fn language(headers: &HeaderMap) -> T {
    browser_t(headers)
}

fn gone(headers: &HeaderMap) -> Response {
    notice_page(
        language(headers),
        StatusCode::NOT_FOUND,
        "link-invalid-heading",
        "login-unavailable-body",
        "neutral",
    )
}

/// Renders the login page with a CSRF cookie when the browser has none.
fn render(
    app: &App,
    headers: &HeaderMap,
    status: StatusCode,
    login: &Login,
    page: impl FnOnce(Layout) -> LoginPage,
) -> Response {
    let csrf = csrf_token(headers);
    let t = language(headers);
    let view = page(layout(login, t, csrf.0.clone()));
    let view = LoginPage {
        lead: t.f(
            "login-lead",
            vec![("business", view.l.business.clone().into())],
        ),
        ..view
    };
    with_csrf_cookie(super::page(status, &view, None), &csrf, app)
}

/// `GET /p/login/{token}`
pub async fn show(
    State(app): State<App>,
    Path(token): Path<String>,
    headers: HeaderMap,
) -> Response {
    let login = match find(&app, &token).await {
        Ok(Some(l)) => l,
        Ok(None) => return gone(&headers),
        Err(()) => return failure(language(&headers)),
    };
    render(&app, &headers, StatusCode::OK, &login, |l| LoginPage {
        l,
        lead: String::new(),
        email: String::new(),
        error: None,
        sent: None,
    })
}

/// A light check that an address looks like an email.
fn plausible_email(e: &str) -> bool {
    e.len() <= 512
        && match e.split_once('@') {
            Some((local, domain)) => {
                !local.is_empty()
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !e.contains(char::is_whitespace)
            }
            None => false,
        }
}

/// `POST /p/login/{token}`: `email`, with the CSRF token.
pub async fn submit(
    State(app): State<App>,
    Path(token): Path<String>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let t = language(&headers);
    let login = match find(&app, &token).await {
        Ok(Some(l)) => l,
        Ok(None) => return gone(&headers),
        Err(()) => return failure(t),
    };
    let form = Form::parse(&body);
    if !csrf_ok(&headers, form.get("csrf").unwrap_or("")) {
        return notice_page(
            t,
            StatusCode::FORBIDDEN,
            "form-expired-heading",
            "form-expired-body",
            "neutral",
        );
    }
    let email = form.text("email").unwrap_or_default();
    if !plausible_email(&email) {
        return render(&app, &headers, StatusCode::BAD_REQUEST, &login, |l| {
            LoginPage {
                l,
                lead: String::new(),
                email: email.clone(),
                error: Some(t.s("error-email")),
                sent: None,
            }
        });
    }
    let now = app.clock.now();
    let address = format!("login:{}:{}", login.account.as_str(), email.to_lowercase());
    let limited = app
        .limits
        .hit(
            &format!("login-client:{ip}"),
            now,
            app.settings.portal.login_per_client,
            WINDOW_SECS,
        )
        .and_then(|()| {
            app.limits.hit(
                &address,
                now,
                app.settings.portal.login_per_address,
                WINDOW_SECS,
            )
        });
    if let Err(retry) = limited {
        let mut r = back_to_sign_in(
            t,
            StatusCode::TOO_MANY_REQUESTS,
            ["login-limited-heading", "login-limited-body", "action-back"],
            &token,
        );
        if let Ok(v) = HeaderValue::from_str(&retry.to_string()) {
            r.headers_mut().insert(header::RETRY_AFTER, v);
        }
        return r;
    }
    // The link is made and mailed after the answer, which is the same either way.
    let task_app = app.clone();
    let task_login = login.clone();
    let task_email = email.clone();
    let accept_language = headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    tokio::spawn(async move {
        if let Err(e) = send_link(
            &task_app,
            &task_login,
            &task_email,
            accept_language.as_deref(),
        )
        .await
        {
            tracing::warn!(error = %e, "portal login link not sent");
        }
    });
    render(&app, &headers, StatusCode::OK, &login, |l| LoginPage {
        l,
        lead: String::new(),
        email: String::new(),
        error: None,
        sent: Some(t.f("login-sent-body", vec![("email", email.clone().into())])),
    })
}

/// The newest customer of the account with this email, in any case.
async fn customer_with(
    app: &App,
    account: &AccountId,
    email: &str,
) -> Result<Option<Customer>, String> {
    let q = ListQuery {
        kind: "customer",
        filters: vec![Filter::Lookup(email.to_ascii_lowercase())],
        cursor: Cursor::Start,
        limit: 1,
        include_deleted: false,
    };
    let page = app
        .store
        .list(account, &q)
        .await
        .map_err(|e| e.to_string())?;
    // Newest first, as lists are (customers made in the same second by the order they were
    // made); deleted ones are not listed.
    page.records
        .first()
        .map(|r| Versioned::<Customer>::from_record(r).map(|c| c.value))
        .transpose()
        .map_err(|e| e.to_string())
}

/// The words of the login email, in the customer's language.
struct LoginMail {
    lang: &'static str,
    subject: String,
    greeting: String,
    intro: String,
    button: String,
    expiry: String,
    ignore: String,
    business: String,
    url: String,
    accent: String,
    /// The button's text colour on the accent.
    accent_ink: &'static str,
}

#[derive(Template)]
#[template(path = "email/login.txt")]
struct LoginText<'a> {
    m: &'a LoginMail,
}

#[derive(Template)]
#[template(path = "email/login.html")]
struct LoginHtml<'a> {
    m: &'a LoginMail,
}

/// Mails a one-time link to the customer with `email`, if there is one.
async fn send_link(
    app: &App,
    login: &Login,
    email: &str,
    accept_language: Option<&str>,
) -> Result<(), String> {
    let Some(customer) = customer_with(app, &login.account, email).await? else {
        return Ok(());
    };
    let Some(to) = customer.email.clone() else {
        return Ok(());
    };
    let now = app.clock.now();
    let secret = RandomIds.next("", 43);
    let token = Write::Token(TokenRecord {
        token_hash: hash(&secret),
        account: login.account.clone(),
        kind: "portal_login_link".into(),
        object_id: format!("{} {}", login.config.id, customer.id.as_str()),
        created: now,
        expires_at: now + LINK_TTL_SECS,
    });
    let t = T::new(negotiate(
        None,
        &customer.preferred_locales,
        accept_language,
    ));
    let frame = layout(login, t, String::new());
    let url = format!(
        "{}/p/login/{}/open/{secret}",
        app.settings.public_url,
        login.config.login_token.as_deref().unwrap_or("")
    );
    let business = frame.business.clone();
    let (accent, accent_ink) = super::view::email_accent(login.branding.as_ref());
    let m = LoginMail {
        lang: t.lang.tag(),
        subject: t.s("login-email-subject"),
        greeting: super::view::email_greeting(&t, customer.name.as_deref()),
        intro: t.s("login-email-intro"),
        button: t.s("login-email-button"),
        expiry: t.s("login-email-expiry"),
        ignore: t.s("login-email-ignore"),
        business: business.clone(),
        url,
        accent,
        accent_ink,
    };
    let text = LoginText { m: &m }.render().map_err(|e| e.to_string())?;
    let html = LoginHtml { m: &m }.render().map_err(|e| e.to_string())?;
    let message = crate::mail::Message {
        to,
        from_name: business,
        subject: m.subject.clone(),
        text,
        html,
    };
    let write = crate::mail::record(app, message, now)
        .await
        .map_err(|e| e.to_string())?;
    app.commit(&login.account, vec![token, write])
        .await
        .map_err(|e| e.to_string())
}

/// `GET /p/login/{token}/open/{secret}`: the emailed link. It asks the customer to go on, and
/// uses nothing up: mail filters and link previews fetch links on their own, and must not spend
/// a customer's one-time link before the customer gets to it.
pub async fn open_link(
    State(app): State<App>,
    Path((token, secret)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let t = language(&headers);
    match usable_link(&app, &token, &secret).await {
        Ok(Usable::Yes { .. }) => {
            let csrf = csrf_token(&headers);
            let view = super::view::NoticePage {
                lang: t.lang.tag(),
                heading: t.s("login-continue-heading"),
                body: t.s("login-continue-body"),
                tone: "ok",
                footer: t.s("powered-by"),
                back: None,
                form: Some((t.s("action-continue"), csrf.0.clone())),
            };
            with_csrf_cookie(crate::pages::page(StatusCode::OK, &view, None), &csrf, &app)
        }
        Ok(Usable::No) => link_used(t, &token),
        Ok(Usable::LoginGone) => gone(&headers),
        Err(()) => failure(t),
    }
}

/// `POST /p/login/{token}/open/{secret}`: the customer goes on. Used once, the link opens a new
/// portal session for its customer (in this browser).
pub async fn use_link(
    State(app): State<App>,
    Path((token, secret)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let t = language(&headers);
    // Only from the page above: another site cannot sign a visitor in to a portal.
    if !csrf_ok(&headers, Form::parse(&body).get("csrf").unwrap_or("")) {
        return back_to_sign_in(
            t,
            StatusCode::FORBIDDEN,
            ["form-expired-heading", "form-expired-body", "action-back"],
            &token,
        );
    }
    let (login, record) = match usable_link(&app, &token, &secret).await {
        Ok(Usable::Yes { login, record }) => (login, record),
        Ok(Usable::No) => return link_used(t, &token),
        Ok(Usable::LoginGone) => return gone(&headers),
        Err(()) => return failure(t),
    };
    let Some((_, customer_id)) = record.object_id.split_once(' ') else {
        return link_used(t, &token);
    };
    let now = app.clock.now();
    let mut ids = crate::ids::Ids;
    let mut ctx = Ctx {
        now,
        livemode: login.config.livemode,
        ids: &mut ids,
    };
    let session = PortalSession::create(
        customer_id.to_owned(),
        login.config.id.clone(),
        None,
        None,
        None,
        login.config.default_return_url.clone(),
        &mut ctx,
    );
    let writes = vec![
        Write::ConsumeToken(hash(&secret)),
        Write::Insert(Versioned::new_record(&session)),
        crate::api::billing_portal::session_token(&app, &login.account, &session, now),
    ];
    // A link used twice at once: the second commit finds the token gone.
    if app.commit(&login.account, writes).await.is_err() {
        return link_used(t, &token);
    }
    crate::pages::see_other(&format!("/p/session/{}", session.token))
}

/// Whether an emailed link can still open a session.
enum Usable {
    Yes {
        login: Box<Login>,
        record: TokenRecord,
    },
    /// Used, expired, or not a link of this sign-in page's.
    No,
    /// The sign-in page itself is gone.
    LoginGone,
}

async fn usable_link(app: &App, token: &str, secret: &str) -> Result<Usable, ()> {
    let Some(login) = find(app, token).await? else {
        return Ok(Usable::LoginGone);
    };
    if secret.len() != 43 || !secret.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Ok(Usable::No);
    }
    let now = app.clock.now();
    let record = match app.store.find_token(&hash(secret)).await.map_err(|_| ())? {
        Some(r)
            if r.kind == "portal_login_link"
                && r.account == login.account
                && r.expires_at > now =>
        {
            r
        }
        _ => return Ok(Usable::No),
    };
    let Some((config_id, customer_id)) = record.object_id.split_once(' ') else {
        return Ok(Usable::No);
    };
    if config_id != login.config.id {
        return Ok(Usable::No);
    }
    match portico_store::get::<Customer>(&*app.store, &login.account, customer_id).await {
        Ok(Some(c)) if !c.value.deleted => Ok(Usable::Yes {
            login: Box::new(login),
            record,
        }),
        Ok(_) => Ok(Usable::No),
        Err(_) => Err(()),
    }
}

/// The page for a link that cannot be used (any more), with the way to ask for a new one.
fn link_used(t: T, token: &str) -> Response {
    back_to_sign_in(
        t,
        StatusCode::GONE,
        [
            "login-link-used-heading",
            "login-link-used-body",
            "login-link-again",
        ],
        token,
    )
}

/// A notice (its heading, its text, and the words of its link) that leads back to the sign-in
/// page `token` names.
fn back_to_sign_in(
    t: T,
    status: StatusCode,
    [heading, body, link]: [&str; 3],
    token: &str,
) -> Response {
    let view = super::view::NoticePage {
        lang: t.lang.tag(),
        heading: t.s(heading),
        body: t.s(body),
        tone: "neutral",
        footer: t.s("powered-by"),
        back: Some((format!("/p/login/{token}"), t.s(link))),
        form: None,
    };
    crate::pages::page(status, &view, None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails() {
        assert!(plausible_email("ada@example.com"));
        for bad in [
            "",
            "ada",
            "ada@",
            "@example.com",
            "ada@localhost",
            "a da@example.com",
        ] {
            assert!(!plausible_email(bad), "{bad}");
        }
        assert!(!plausible_email(&format!(
            "{}@example.com",
            "a".repeat(600)
        )));
    }
}

//! Hosted pages under `/p/`: server-rendered HTML (compiled, auto-escaped templates), one
//! stylesheet, no scripts. Every page gets strict security headers; every form carries a CSRF
//! token bound to a cookie (double submit).

pub mod authenticate;
pub mod dev_mail;
pub mod hosted_invoice;
pub mod i18n;
pub mod invoice_mail;
pub mod portal;

use crate::state::App;
use askama::Template;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use portico_domain::{IdGen, RandomIds};
use subtle::ConstantTimeEq;

/// The hosted pages' routes (mounted at `/p`).
pub fn router() -> Router<App> {
    Router::new()
        .route("/static/portico.css", get(stylesheet))
        .route("/static/portal.css", get(portal_stylesheet))
        .merge(portal::router())
        .route("/dev/mail", get(dev_mail::list))
        .route("/dev/mail/{id}", get(dev_mail::show))
        .route("/dev/mail/{id}/html", get(dev_mail::html))
        .route("/invoice/{token}", get(hosted_invoice::show))
        .route(
            "/invoice/{token}/pay",
            post(hosted_invoice::pay_saved).get(hosted_invoice::to_page),
        )
        .route(
            "/invoice/{token}/card",
            post(hosted_invoice::pay_new_card).get(hosted_invoice::to_page),
        )
        .route(
            "/authenticate/{token}",
            get(authenticate::show).post(authenticate::submit),
        )
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        // Page forms are small; a body must arrive in time.
        .layer(axum::extract::DefaultBodyLimit::max(MAX_FORM_BYTES))
        .layer(tower_http::timeout::RequestBodyTimeoutLayer::new(
            BODY_TIMEOUT,
        ))
}

/// How long a form's body may take to arrive.
pub const BODY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

/// The largest form a page accepts.
pub const MAX_FORM_BYTES: usize = 64 * 1024;

async fn stylesheet() -> Response {
    css(include_str!("../../static/portico.css"))
}

async fn portal_stylesheet() -> Response {
    css(include_str!("../../static/portal.css"))
}

pub(crate) fn css(text: &'static str) -> Response {
    let mut r = text.into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/css; charset=utf-8"),
    );
    r.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=3600"),
    );
    r
}

async fn not_found(headers: HeaderMap) -> Response {
    no_page(&headers, StatusCode::NOT_FOUND)
}

/// A method a page does not answer (a form's address fetched, a page posted to).
async fn method_not_allowed(headers: HeaderMap) -> Response {
    no_page(&headers, StatusCode::METHOD_NOT_ALLOWED)
}

/// "Page not found", with `status`.
fn no_page(headers: &HeaderMap, status: StatusCode) -> Response {
    portal::notice_page(
        portal::browser_t(headers),
        status,
        "page-not-found-heading",
        "page-not-found-body",
        "neutral",
    )
}

/// Renders a template with the hosted pages' security headers. `form_target` is an extra
/// origin forms may lead to (a `return_url` the API was given), if any.
pub fn page(status: StatusCode, t: &impl Template, form_target: Option<&str>) -> Response {
    let html = match t.render() {
        Ok(h) => h,
        Err(e) => {
            tracing::error!(error = %e, "template failed to render");
            return (
                StatusCode::INTERNAL_SERVER_ERROR,
                "Portico could not render this page.",
            )
                .into_response();
        }
    };
    let mut r = (status, html).into_response();
    secure(r.headers_mut(), form_target);
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    r
}

/// The headers every hosted page carries.
pub fn secure(h: &mut HeaderMap, form_target: Option<&str>) {
    let form_action = match form_target.and_then(origin_of) {
        Some(o) => format!("'self' {o}"),
        None => "'self'".to_owned(),
    };
    let csp = format!(
        "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action {form_action}; frame-ancestors 'none'; base-uri 'none'"
    );
    if let Ok(v) = HeaderValue::from_str(&csp) {
        h.insert(header::CONTENT_SECURITY_POLICY, v);
    }
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert("x-frame-options", HeaderValue::from_static("DENY"));
}

/// Whether `path` is a path of Portico's own under `prefix` that a redirect may follow: no way
/// out of it (`..`, `//`, or their percent-encoded forms, which a browser decodes before
/// resolving the path), plain characters only, shorter than `max`.
pub fn own_path(path: &str, prefix: &str, max: usize) -> bool {
    let lower = path.to_ascii_lowercase();
    path.starts_with(prefix)
        && path.len() < max
        && !path.contains("//")
        && !path.contains("..")
        && !["%2e", "%2f", "%5c"].iter().any(|e| lower.contains(e))
        && path
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"/_-?=&.%+".contains(&b))
}

/// A `Location` header for `url`, a path of Portico's or an absolute URL the API was given: the
/// absolute one in its ASCII form (an international host in punycode, other characters
/// percent-encoded), which a header can carry.
pub fn location(url: &str) -> Option<HeaderValue> {
    match url::Url::parse(url) {
        Ok(u) => HeaderValue::from_str(u.as_str()).ok(),
        Err(_) => HeaderValue::from_str(url).ok(),
    }
}

/// A 303 to `url` (a path of Portico's own, or a URL the API was given), with the pages'
/// headers.
pub fn see_other(url: &str) -> Response {
    let mut r = StatusCode::SEE_OTHER.into_response();
    if let Some(v) = location(url) {
        r.headers_mut().insert(header::LOCATION, v);
    }
    secure(r.headers_mut(), None);
    r
}

/// `scheme://host[:port]` of an absolute http(s) URL, its host in ASCII (an international
/// name in punycode), as a header can carry it. `None` for anything else, and for a URL with
/// spaces or control characters, which a browser would read differently.
pub fn origin_of(url: &str) -> Option<String> {
    let u = portico_domain::portal::absolute_http_url(url)?;
    let origin = u.origin().ascii_serialization();
    (!origin.contains(['\'', '"', ' ', ';', ','])).then_some(origin)
}

/// The CSRF cookie's name.
pub const CSRF_COOKIE: &str = "portico_csrf";

/// The CSRF token for this browser: the cookie's value, or a fresh one to set.
pub fn csrf_token(headers: &HeaderMap) -> (String, bool) {
    match cookie(headers, CSRF_COOKIE) {
        Some(v) if well_formed_csrf(&v) => (v, false),
        _ => (RandomIds.next("", 43), true),
    }
}

/// `resp`, a page whose forms carry `token`, with the CSRF cookie set when the token is `fresh`
/// (as [`csrf_token`] gives them).
pub fn with_csrf_cookie(
    mut resp: Response,
    (token, fresh): &(String, bool),
    app: &App,
) -> Response {
    if *fresh {
        set_csrf_cookie(&mut resp, token, app);
    }
    resp
}

/// Sets the CSRF cookie on a response (HttpOnly, SameSite=Lax, Secure on https).
fn set_csrf_cookie(resp: &mut Response, token: &str, app: &App) {
    let secure = if app.settings.public_url.starts_with("https://") {
        "; Secure"
    } else {
        ""
    };
    let v = format!("{CSRF_COOKIE}={token}; Path=/p; HttpOnly; SameSite=Lax{secure}");
    if let Ok(v) = HeaderValue::from_str(&v) {
        resp.headers_mut().append(header::SET_COOKIE, v);
    }
}

/// Whether a submitted form's CSRF field matches the browser's cookie.
/// Only a token of the form [`csrf_token`] makes counts: a cookie planted with another value
/// (say, from a sibling domain) does not.
pub fn csrf_ok(headers: &HeaderMap, submitted: &str) -> bool {
    match cookie(headers, CSRF_COOKIE) {
        Some(c) if well_formed_csrf(&c) => bool::from(c.as_bytes().ct_eq(submitted.as_bytes())),
        _ => false,
    }
}

/// Whether `v` has the form of a CSRF token Portico makes: 43 letters and digits.
fn well_formed_csrf(v: &str) -> bool {
    v.len() == 43 && v.bytes().all(|b| b.is_ascii_alphanumeric())
}

pub(crate) fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins() {
        assert_eq!(
            origin_of("https://app.example.com/billing?x=1").as_deref(),
            Some("https://app.example.com")
        );
        assert_eq!(
            origin_of("http://127.0.0.1:3000").as_deref(),
            Some("http://127.0.0.1:3000")
        );
        assert_eq!(origin_of("javascript:alert(1)"), None);
        assert_eq!(origin_of("https://a.com';script-src *"), None);
        assert_eq!(origin_of("https://a.com/x\r\nSet-Cookie: x=1"), None);
        assert_eq!(origin_of(" https://a.com/"), None);
        assert_eq!(
            origin_of("https:/a.com/"),
            None,
            "repaired by the URL standard, not written so"
        );
        assert_eq!(
            location("https://bücher.example/zurück?x=ü").unwrap(),
            "https://xn--bcher-kva.example/zur%C3%BCck?x=%C3%BC"
        );
        assert_eq!(location("/p/session/x").unwrap(), "/p/session/x");
        assert_eq!(
            origin_of("https://bücher.example/x").as_deref(),
            Some("https://xn--bcher-kva.example")
        );
    }

    #[test]
    fn csrf_cookie_round_trip() {
        let mut h = HeaderMap::new();
        let (t, fresh) = csrf_token(&h);
        assert!(fresh);
        h.insert(
            header::COOKIE,
            HeaderValue::from_str(&format!("other=1; {CSRF_COOKIE}={t}")).unwrap(),
        );
        assert_eq!(csrf_token(&h), (t.clone(), false));
        assert!(csrf_ok(&h, &t));
        assert!(!csrf_ok(&h, "nope"));
        assert!(!csrf_ok(&HeaderMap::new(), &t));
    }
}

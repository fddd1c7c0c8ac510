//! `/p/dev/mail`: the outbox as a page, in development mode only — every email Portico wrote
//! (portal login links, invoices sent to customers), newest first, with its text and HTML parts. Production servers answer
//! 404 here; operators read the outbox with `portico mail list`.

use super::{page, secure};
use crate::state::App;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use portico_store::{Email, EmailQuery};

#[derive(Template)]
#[template(path = "dev_mail.html")]
struct OutboxPage {
    emails: Vec<Email>,
    open: Option<Email>,
}

impl OutboxPage {
    fn stamp(&self, t: &i64) -> String {
        crate::dashboard::stamp(*t)
    }
}

async fn outbox(app: &App, open: Option<Email>, headers: &HeaderMap) -> Response {
    if !app.settings.dev {
        return super::portal::notice_page(
            super::portal::browser_t(headers),
            StatusCode::NOT_FOUND,
            "page-not-found-heading",
            "page-not-found-body",
            "neutral",
        );
    }
    let emails = app
        .store
        .emails(&EmailQuery {
            to: None,
            limit: 50,
        })
        .await
        .unwrap_or_default();
    page(StatusCode::OK, &OutboxPage { emails, open }, None)
}

/// `GET /p/dev/mail`
pub async fn list(State(app): State<App>, headers: HeaderMap) -> Response {
    outbox(&app, None, &headers).await
}

/// `GET /p/dev/mail/{id}`: one email's text, with a link to its HTML part.
pub async fn show(State(app): State<App>, Path(id): Path<String>, headers: HeaderMap) -> Response {
    let email = match app.store.email(&id).await.ok().flatten() {
        Some(e) => crate::mail::opened(&app.sealer, e).await.ok(),
        None => None,
    };
    if email.is_none() && app.settings.dev {
        return (StatusCode::NOT_FOUND, "no such email").into_response();
    }
    outbox(&app, email, &headers).await
}

/// `GET /p/dev/mail/{id}/html`: the HTML part as a mail client shows it (inline styles allowed,
/// nothing else).
pub async fn html(State(app): State<App>, Path(id): Path<String>) -> Response {
    let email = match app.store.email(&id).await {
        Ok(Some(e)) if app.settings.dev => crate::mail::opened(&app.sealer, e).await.ok(),
        _ => None,
    };
    let Some(email) = email else {
        return (StatusCode::NOT_FOUND, "no such email").into_response();
    };
    let mut r = email.html.into_response();
    secure(r.headers_mut(), None);
    r.headers_mut().insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'; form-action 'none'; base-uri 'none'"),
    );
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    r
}

//! The hosted 3-D Secure page: where a `requires_action` SetupIntent's `next_action` link leads.
//! The customer approves or fails; the intent moves to `succeeded` or `requires_payment_method`,
//! and the browser goes on to the intent's `return_url` (with Stripe's query parameters) or sees
//! the outcome here.

use super::{csrf_ok, csrf_token, page, set_csrf_cookie, Message};
use crate::api::setup_intent::{attach_after_authentication, token_hash};
use crate::state::App;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use portico_domain::payment_method::PaymentMethod;
use portico_domain::setup_intent::{SetupIntent, SetupStatus};
use portico_domain::AccountId;
use portico_store::{Versioned, Write};
use portico_wire::form;

#[derive(Template)]
#[template(path = "authenticate.html")]
struct Challenge<'a> {
    brand: &'a str,
    last4: &'a str,
    purpose: &'a str,
    csrf: &'a str,
}

fn gone() -> Response {
    page(
        StatusCode::NOT_FOUND,
        &Message {
            heading: "This link is no longer valid",
            body: "The authentication was already completed, canceled, or the link has expired. Return to the site you came from to try again.",
            tone: "neutral",
            symbol: "!",
        },
        None,
    )
}

fn failure() -> Response {
    page(
        StatusCode::INTERNAL_SERVER_ERROR,
        &Message {
            heading: "Something went wrong",
            body: "Portico could not complete this step. Please try again.",
            tone: "bad",
            symbol: "!",
        },
        None,
    )
}

/// The intent and card a link leads to, if the link is still good.
async fn challenge(
    app: &App,
    token: &str,
) -> Result<Option<(AccountId, Versioned<SetupIntent>, Versioned<PaymentMethod>)>, ()> {
    let now = app.clock.now();
    let Some(t) = app
        .store
        .find_token(&token_hash(token))
        .await
        .map_err(|_| ())?
    else {
        return Ok(None);
    };
    if t.kind != "setup_intent" || t.expires_at <= now {
        return Ok(None);
    }
    let Some(si) = portico_store::get::<SetupIntent>(&*app.store, &t.account, &t.object_id)
        .await
        .map_err(|_| ())?
    else {
        return Ok(None);
    };
    if si.value.status != SetupStatus::RequiresAction
        || si.value.auth_token.as_deref() != Some(token)
    {
        return Ok(None);
    }
    let Some(pm_id) = si.value.payment_method.clone() else {
        return Ok(None);
    };
    let Some(pm) = portico_store::get::<PaymentMethod>(&*app.store, &t.account, &pm_id)
        .await
        .map_err(|_| ())?
    else {
        return Ok(None);
    };
    Ok(Some((t.account, si, pm)))
}

/// `GET /p/authenticate/{token}`
pub async fn show(
    State(app): State<App>,
    Path(token): Path<String>,
    headers: HeaderMap,
) -> Response {
    let (account, si, pm) = match challenge(&app, &token).await {
        Ok(Some(c)) => c,
        Ok(None) => return gone(),
        Err(()) => return failure(),
    };
    let _ = account;
    let (csrf, fresh) = csrf_token(&headers);
    let mut resp = page(
        StatusCode::OK,
        &Challenge {
            brand: pm.value.card.brand.label(),
            last4: &pm.value.card.last4,
            purpose: "Save card for future payments",
            csrf: &csrf,
        },
        si.value.return_url.as_deref(),
    );
    if fresh {
        set_csrf_cookie(&mut resp, &csrf, &app);
    }
    resp
}

/// `return_url` with Stripe's query parameters added before any fragment.
fn return_link(url: &str, si: &SetupIntent, approved: bool) -> String {
    let (base, fragment) = match url.split_once('#') {
        Some((b, f)) => (b, format!("#{f}")),
        None => (url, String::new()),
    };
    let sep = if base.contains('?') { '&' } else { '?' };
    let status = if approved { "succeeded" } else { "failed" };
    format!(
        "{base}{sep}setup_intent={}&setup_intent_client_secret={}&redirect_status={status}{fragment}",
        si.id, si.client_secret
    )
}

/// `POST /p/authenticate/{token}`: `outcome=approve|fail`, with the CSRF token.
pub async fn submit(
    State(app): State<App>,
    Path(token): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let fields = match form::decode(&body) {
        Ok(f) => f,
        Err(_) => return gone(),
    };
    let field = |name: &str| match fields.get(name) {
        Some(form::Node::Leaf(v)) => v.clone(),
        _ => String::new(),
    };
    if !csrf_ok(&headers, &field("csrf")) {
        return page(
            StatusCode::FORBIDDEN,
            &Message {
                heading: "Please try again",
                body: "This form expired or was opened in another browser. Go back, reload the page, and choose again.",
                tone: "neutral",
                symbol: "!",
            },
            None,
        );
    }
    let approved = match field("outcome").as_str() {
        "approve" => true,
        "fail" => false,
        _ => return gone(),
    };
    let (account, mut si, mut pm) = match challenge(&app, &token).await {
        Ok(Some(c)) => c,
        Ok(None) => return gone(),
        Err(()) => return failure(),
    };
    if si.value.authenticate(approved).is_err() {
        return gone();
    }
    let mut writes = vec![
        Write::Update(si.next_record()),
        Write::DeleteToken(token_hash(&token)),
    ];
    if approved {
        match attach_after_authentication(&si.value, &mut pm) {
            Ok(w) => writes.push(w),
            Err(_) => return failure(),
        }
    }
    // A concurrent submit of the same link loses here (version check) and sees "no longer valid".
    if app.commit(&account, writes).await.is_err() {
        return gone();
    }
    if let Some(url) = &si.value.return_url {
        let mut r = StatusCode::SEE_OTHER.into_response();
        if let Ok(v) = HeaderValue::from_str(&return_link(url, &si.value, approved)) {
            r.headers_mut().insert(header::LOCATION, v);
        }
        super::secure(r.headers_mut(), None);
        return r;
    }
    let (heading, body, tone, symbol) = if approved {
        (
            "Authentication complete",
            "Your card is saved. You can close this page and return to the site you came from.",
            "ok",
            "✓",
        )
    } else {
        ("Authentication failed", "Your card was not saved. Return to the site you came from to try again or use another card.", "bad", "✕")
    };
    page(
        StatusCode::OK,
        &Message {
            heading,
            body,
            tone,
            symbol,
        },
        None,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use portico_domain::setup_intent::SetupIntentCreate;
    use portico_domain::{Ctx, IdGen, RandomIds};

    #[test]
    fn return_links_keep_query_and_fragment() {
        let mut ids = RandomIds;
        let mut ctx = Ctx {
            now: 1,
            livemode: false,
            ids: &mut ids as &mut dyn IdGen,
        };
        let si = SetupIntent::create(SetupIntentCreate::default(), &mut ctx).unwrap();
        let l = return_link("https://app.test/done?a=1#top", &si, true);
        assert!(l.starts_with("https://app.test/done?a=1&setup_intent=seti_"));
        assert!(l.ends_with("&redirect_status=succeeded#top"));
        assert!(return_link("https://app.test/done", &si, false).contains("/done?setup_intent="));
    }
}

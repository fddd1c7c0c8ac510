//! The hosted 3-D Secure page: where a `requires_action` SetupIntent's `next_action` link, or an
//! invoice payment that needs authentication, leads. The customer approves or fails.
//! - SetupIntent: `succeeded` (card saved to the customer) or `requires_payment_method`; the
//!   browser goes on to the intent's `return_url` with Stripe's query parameters, if it has one.
//! - Invoice: approving pays it (and starts its subscription if it was the first invoice);
//!   failing leaves it open with the failure recorded.

use super::i18n::{Arg, T};
use super::portal::{browser_t, failure, notice_page};
use super::{csrf_ok, csrf_token, page, with_csrf_cookie};
use crate::api::invoice::after_payment;
use crate::api::setup_intent::{attach_after_authentication, settle_subscription, token_hash};
use crate::state::App;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use portico_domain::invoice::{Invoice, PaymentOutcome};
use portico_domain::payment_method::PaymentMethod;
use portico_domain::setup_intent::{SetupIntent, SetupStatus};
use portico_domain::AccountId;
use portico_store::{Versioned, Write};
use portico_wire::form;
use std::collections::HashMap;

#[derive(Template)]
#[template(path = "authenticate.html")]
struct ChallengePage<'a> {
    t: T,
    lead: String,
    card: String,
    amount: Option<String>,
    purpose: String,
    csrf: &'a str,
}

/// What a link asks the customer to authenticate (one per request: its size does not matter).
#[allow(clippy::large_enum_variant)]
enum Challenge {
    Setup(Versioned<SetupIntent>),
    Payment(Versioned<Invoice>),
}

fn gone(t: T) -> Response {
    notice_page(
        t,
        StatusCode::NOT_FOUND,
        "auth-gone-heading",
        "auth-gone-body",
        "neutral",
    )
}

/// The language of the page: that of the portal session the customer came from and goes back
/// to, if any; else the browser's.
async fn language(app: &App, headers: &HeaderMap, back: Option<&str>) -> T {
    match back {
        Some(b) => super::portal::session_language(app, b, headers)
            .await
            .unwrap_or_else(|| browser_t(headers)),
        None => browser_t(headers),
    }
}

/// Where the customer goes back to after `challenge`: the intent's `return_url`, or the
/// portal page an invoice payment came from.
fn back_of(challenge: &Challenge, q: &HashMap<String, String>) -> Option<String> {
    match challenge {
        Challenge::Setup(si) => si.value.return_url.clone(),
        Challenge::Payment(_) => portal_return(q),
    }
}

/// The challenge a link leads to, with its account and card, if the link is still good.
async fn challenge(
    app: &App,
    token: &str,
) -> Result<Option<(AccountId, Challenge, Versioned<PaymentMethod>)>, ()> {
    let now = app.clock.now();
    let Some(t) = app
        .store
        .find_token(&token_hash(token))
        .await
        .map_err(|_| ())?
    else {
        return Ok(None);
    };
    if t.expires_at <= now {
        return Ok(None);
    }
    let (challenge, pm_id) = match t.kind.as_str() {
        "setup_intent" => {
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
            let Some(pm) = si.value.payment_method.clone() else {
                return Ok(None);
            };
            (Challenge::Setup(si), pm)
        }
        "invoice" => {
            let Some(inv) = portico_store::get::<Invoice>(&*app.store, &t.account, &t.object_id)
                .await
                .map_err(|_| ())?
            else {
                return Ok(None);
            };
            let Some((pm, secret)) = inv.value.pending_authentication.clone() else {
                return Ok(None);
            };
            if !inv.value.is_collectable() || secret != token {
                return Ok(None);
            }
            (Challenge::Payment(inv), pm)
        }
        _ => return Ok(None),
    };
    let Some(pm) = portico_store::get::<PaymentMethod>(&*app.store, &t.account, &pm_id)
        .await
        .map_err(|_| ())?
    else {
        return Ok(None);
    };
    Ok(Some((t.account, challenge, pm)))
}

/// `GET /p/authenticate/{token}`
pub async fn show(
    State(app): State<App>,
    Path(token): Path<String>,
    Query(q): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let (_, challenge, pm) = match challenge(&app, &token).await {
        Ok(Some(c)) => c,
        Ok(None) => return gone(browser_t(&headers)),
        Err(()) => return failure(browser_t(&headers)),
    };
    let browser_csrf = csrf_token(&headers);
    let csrf = browser_csrf.0.clone();
    let card = &pm.value.card;
    let back = back_of(&challenge, &q);
    let t = language(&app, &headers, back.as_deref()).await;
    // Where the form's submission may end up: the intent's return_url, or — when it returns into
    // a portal session that then redirects to the app — the app.
    let onward = match &back {
        Some(b) => super::portal::completion_redirect(&app, b).await,
        None => None,
    };
    let form_target = onward.or(match &challenge {
        Challenge::Setup(si) => si.value.return_url.clone(),
        Challenge::Payment(_) => None,
    });
    let card_text = t.f(
        "auth-card-value",
        vec![
            ("brand", card.brand.label().into()),
            ("last4", Arg::from(card.last4.as_str())),
        ],
    );
    let view = match &challenge {
        Challenge::Setup(_) => ChallengePage {
            t,
            lead: t.s("auth-lead-setup"),
            card: card_text,
            amount: None,
            purpose: t.s("auth-purpose-setup"),
            csrf: &csrf,
        },
        Challenge::Payment(inv) => ChallengePage {
            t,
            lead: t.s("auth-lead-payment"),
            card: card_text,
            amount: Some(t.money(inv.value.amount_remaining(), &inv.value.currency)),
            purpose: match &inv.value.number {
                Some(n) => t.f("auth-purpose-invoice", vec![("number", n.as_str().into())]),
                None => t.s("auth-purpose-payment"),
            },
            csrf: &csrf,
        },
    };
    with_csrf_cookie(
        page(StatusCode::OK, &view, form_target.as_deref()),
        &browser_csrf,
        &app,
    )
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

/// Where to go after an invoice's authentication: `?return=` when it is a page of a portal
/// session on this server (the portal sends its customers here and back), nowhere else.
fn portal_return(q: &HashMap<String, String>) -> Option<String> {
    let r = q.get("return")?;
    (super::own_path(r, "/p/session/", 500) || super::own_path(r, "/p/invoice/", 500))
        .then(|| r.clone())
}

/// `POST /p/authenticate/{token}`: `outcome=approve|fail`, with the CSRF token.
pub async fn submit(
    State(app): State<App>,
    Path(token): Path<String>,
    Query(q): Query<HashMap<String, String>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let fallback = browser_t(&headers);
    let fields = match form::decode(&body) {
        Ok(f) => f,
        Err(_) => return gone(fallback),
    };
    let field = |name: &str| match fields.get(name) {
        Some(form::Node::Leaf(v)) => v.clone(),
        _ => String::new(),
    };
    if !csrf_ok(&headers, &field("csrf")) {
        return notice_page(
            fallback,
            StatusCode::FORBIDDEN,
            "form-expired-heading",
            "form-expired-body",
            "neutral",
        );
    }
    let approved = match field("outcome").as_str() {
        "approve" => true,
        "fail" => false,
        _ => return gone(fallback),
    };
    let (account, challenge, mut pm) = match challenge(&app, &token).await {
        Ok(Some(c)) => c,
        Ok(None) => return gone(fallback),
        Err(()) => return failure(fallback),
    };
    let t = language(&app, &headers, back_of(&challenge, &q).as_deref()).await;
    let mut writes = vec![Write::DeleteToken(token_hash(&token))];
    let redirect;
    let mut paid = approved;
    match challenge {
        Challenge::Setup(mut si) => {
            if si.value.authenticate(approved).is_err() {
                return gone(t);
            }
            writes.push(Write::Update(si.next_record()));
            if approved {
                match attach_after_authentication(&si.value, &mut pm) {
                    Ok(w) => writes.push(w),
                    Err(_) => return failure(t),
                }
                let pm_id = pm.value.id.clone();
                match settle_subscription(&app, &account, &si.value, &pm_id).await {
                    Ok(w) => writes.extend(w),
                    Err(_) => return failure(t),
                }
            }
            redirect = si
                .value
                .return_url
                .as_ref()
                .map(|url| return_link(url, &si.value, approved));
        }
        Challenge::Payment(mut inv) => {
            // The invoice's own time: its test clock's, if it has one.
            let clock = inv.value.test_clock.as_deref();
            let now = match crate::objects::now_for(&app, &account, clock, app.clock.now()).await {
                Ok(now) => now,
                Err(_) => return failure(t),
            };
            let mut after = Vec::new();
            if approved {
                match inv.value.attempt_payment_by_hand(
                    Some(&pm.value),
                    false,
                    true,
                    now,
                    String::new,
                ) {
                    Ok(PaymentOutcome::Paid) => {
                        // A card typed for this payment (on the hosted invoice page) is saved
                        // to the customer now that it paid.
                        let mut pm = pm;
                        if pm.value.customer.is_none() {
                            pm.value.customer = Some(inv.value.customer.clone());
                            writes.push(Write::Update(pm.next_record()));
                            pm.version += 1;
                        }
                        match after_payment(&app, &account, &inv.value, Some(&pm)).await {
                            Ok(more) => after.extend(more),
                            Err(_) => return failure(t),
                        }
                    }
                    // A card that declines after authenticating: the invoice stays open.
                    Ok(_) => paid = false,
                    Err(_) => return gone(t),
                }
            } else {
                inv.value.authentication_failed(&pm.value.id);
            }
            // The card saved, the invoice, then what its payment changes: events follow that
            // order.
            writes.push(Write::Update(inv.next_record()));
            writes.extend(after);
            redirect = portal_return(&q);
        }
    }
    // A concurrent submit of the same link loses here (version check) and sees "no longer valid".
    if app.commit(&account, writes).await.is_err() {
        return gone(t);
    }
    if let Some(url) = redirect {
        return super::see_other(&url);
    }
    let (heading, body, tone) = match (approved, paid) {
        (true, true) => ("auth-done-heading", "auth-done-body", "ok"),
        (true, false) => ("auth-declined-heading", "auth-declined-body", "bad"),
        _ => ("auth-failed-heading", "auth-failed-body", "bad"),
    };
    notice_page(t, StatusCode::OK, heading, body, tone)
}

#[cfg(test)]
mod tests {
    use super::*;
    use portico_domain::setup_intent::SetupIntentCreate;
    use portico_domain::{Ctx, IdGen};

    #[test]
    fn invoice_authentication_returns_only_into_the_portal() {
        let q = |r: &str| HashMap::from([("return".to_owned(), r.to_owned())]);
        assert_eq!(
            portal_return(&q(
                "/p/session/test_abc/subscriptions/sub_1/update/return?invoice=in_1"
            ))
            .as_deref(),
            Some("/p/session/test_abc/subscriptions/sub_1/update/return?invoice=in_1")
        );
        for bad in [
            "https://evil.test/",
            "//evil.test",
            "/p/session/../../x",
            "/v1/customers",
            "/p/session/a\"b",
        ] {
            assert_eq!(portal_return(&q(bad)), None, "{bad}");
        }
        assert_eq!(portal_return(&HashMap::new()), None);
    }

    #[test]
    fn return_links_keep_query_and_fragment() {
        let mut ids = crate::ids::Ids;
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

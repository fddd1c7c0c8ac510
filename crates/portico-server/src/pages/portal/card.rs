//! Adding a card: the form, its SetupIntent (3-D Secure through the hosted authentication page
//! when the card asks for it), and the new card made the customer's default. This is the whole
//! `payment_method_update` flow, and the homepage's "Add payment method"; other flows send the
//! customer here (with `next`) to replace a declined card.

use super::view::Layout;
use super::{Page, Portal};
use crate::http::Failure;
use crate::payments::{new_card_payment_method, CardInput};
use crate::state::App;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use portico_domain::payment_method::{BillingDetails, PaymentMethod, PaymentMethodCreate};
use portico_domain::portal::Outcome;
use portico_domain::setup_intent::{SetupIntent, SetupIntentCreate, SetupStatus};
use portico_store::{Versioned, Write};
use std::collections::HashMap;

#[derive(Template)]
#[template(path = "portal/card.html")]
struct CardPage {
    l: Layout,
    error: Option<String>,
    /// The field the error is about (`number`, `expiry`, `cvc`), marked invalid.
    error_field: Option<&'static str>,
    name: String,
    /// Where to go once the card is saved (within the session).
    next: Option<String>,
    /// The flow's own page, or the homepage's "add a card".
    is_flow: bool,
}

/// A `next` path within the session: a plan change's pages only.
fn safe_next(next: Option<&str>) -> Option<String> {
    let n = next?;
    crate::pages::own_path(n, "/subscriptions/", 300).then(|| n.to_owned())
}

/// The card form, with the error whose message key is `error`, if any.
fn card_page(
    p: &Portal,
    error: Option<&'static str>,
    name: String,
    next: Option<String>,
) -> CardPage {
    let is_flow = card_flow(p) && next.is_none();
    let title = if is_flow {
        p.t.s("card-update-title")
    } else {
        p.t.s("card-add-title")
    };
    // The errors about one field mark that field.
    let error_field = error.and_then(|key| match key {
        "card-error-number" => Some("number"),
        "card-error-expiry" | "card-error-expired" => Some("expiry"),
        "card-error-cvc" => Some("cvc"),
        _ => None,
    });
    CardPage {
        l: p.layout(title),
        error: error.map(|key| p.t.s(key)),
        error_field,
        name,
        next,
        is_flow,
    }
}

/// The customer's words for a card error (by Stripe's code and decline code).
pub fn card_error_message(p: &Portal, code: Option<&str>, decline: Option<&str>) -> String {
    p.t.s(card_error_key(code, decline))
}

/// The message key of a card error (by Stripe's code and decline code).
pub(crate) fn card_error_key(code: Option<&str>, decline: Option<&str>) -> &'static str {
    match (code.unwrap_or(""), decline.unwrap_or("")) {
        ("invalid_number" | "incorrect_number", _) => "card-error-number",
        ("invalid_expiry_month" | "invalid_expiry_year", _) => "card-error-expiry",
        ("invalid_cvc" | "incorrect_cvc", _) => "card-error-cvc",
        ("expired_card", _) | (_, "expired_card") => "card-error-expired",
        (_, "insufficient_funds") => "card-error-insufficient-funds",
        (
            "setup_intent_authentication_failure"
            | "payment_intent_authentication_failure"
            | "authentication_required",
            _,
        ) => "card-error-authentication",
        _ => "card-error-declined",
    }
}

/// Whether the session's open flow is the card flow (`payment_method_update`), which a new
/// card completes.
fn card_flow(p: &Portal) -> bool {
    p.session
        .value
        .open_flow()
        .is_some_and(|f| f.kind == "payment_method_update")
}

fn allowed(p: &Portal) -> bool {
    p.config.features.payment_method_update.enabled
        || p.session
            .value
            .open_flow()
            .is_some_and(|f| f.kind == "payment_method_update")
}

/// `GET …/payment-methods/new`
pub async fn form(
    State(app): State<App>,
    Path(token): Path<String>,
    Query(q): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let p = enter!(app, token, headers, Page::Card);
    if !allowed(&p) {
        return p.not_found();
    }
    let next = safe_next(q.get("next").map(String::as_str));
    let name = p.customer.value.name.clone().unwrap_or_default();
    p.render(StatusCode::OK, &card_page(&p, None, name, next))
}

/// Splits `MM / YY` (or `MM/YYYY`, `MMYY`) into month and a four-digit year.
fn parse_expiry(raw: &str) -> Option<(i64, i64)> {
    let digits: String = raw.chars().filter(|c| c.is_ascii_digit()).collect();
    let (m, y) = match (raw.split_once('/'), digits.len()) {
        (Some((m, y)), _) => (m.trim().to_owned(), y.trim().to_owned()),
        (None, 4) => (digits[..2].to_owned(), digits[2..].to_owned()),
        (None, 6) => (digits[..2].to_owned(), digits[2..].to_owned()),
        _ => return None,
    };
    let month: i64 = m.parse().ok()?;
    let year: i64 = y.parse().ok()?;
    let year = if y.len() == 2 { 2000 + year } else { year };
    Some((month, year))
}

/// The card a form's `number`, `expiry` and `cvc` give (spaces and dashes in the number are the
/// customer's, not the card's), or the message key of an expiry that cannot be read.
pub(crate) fn card_from_form(form: &super::Form) -> Result<CardInput, &'static str> {
    let number: String = form
        .get("number")
        .unwrap_or("")
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect();
    let (exp_month, exp_year) =
        parse_expiry(form.get("expiry").unwrap_or("")).ok_or("card-error-expiry")?;
    Ok(CardInput {
        number: Some(number),
        exp_month: Some(exp_month),
        exp_year: Some(exp_year),
        cvc: form.text("cvc"),
        token: None,
    })
}

/// The longest cardholder name a form may give (the field's own limit).
const MAX_NAME: usize = 200;

/// The cardholder's name a form gives, if any, cut to the field's length (only a client other
/// than a browser sends more).
pub(crate) fn cardholder(form: &super::Form) -> Option<String> {
    form.text("name")
        .filter(|n| !n.is_empty())
        .map(|n| n.chars().take(MAX_NAME).collect())
}

/// `POST …/payment-methods`: `name`, `number`, `expiry`, `cvc`, `next`.
pub async fn add(
    State(app): State<App>,
    Path(token): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let mut p = enter!(app, token, headers, Page::Card);
    let Some(form) = p.checked_form(&body) else {
        return p.forged();
    };
    if !allowed(&p) {
        return p.not_found();
    }
    let name = cardholder(&form).unwrap_or_default();
    let next = safe_next(form.get("next"));
    let again = |p: &Portal, error: &'static str, status: StatusCode| {
        p.render(
            status,
            &card_page(p, Some(error), name.clone(), next.clone()),
        )
    };
    let card = match card_from_form(&form) {
        Ok(c) => c,
        Err(key) => return again(&p, key, StatusCode::BAD_REQUEST),
    };
    let api = p.api();
    let details = PaymentMethodCreate {
        billing_details: BillingDetails {
            name: (!name.is_empty()).then(|| name.clone()),
            ..Default::default()
        },
        ..Default::default()
    };
    let pm = match new_card_payment_method(&p.app, &api, &card, details).await {
        Ok(pm) => pm,
        Err(f) if f.error.status == 402 => {
            let code = f.error.code.map(|c| c.as_str());
            let key = card_error_key(code, f.error.decline_code.as_deref());
            return again(&p, key, StatusCode::PAYMENT_REQUIRED);
        }
        Err(_) => return again(&p, "card-error-number", StatusCode::BAD_REQUEST),
    };
    // The card is stored first, as a browser's createPaymentMethod does, then set up.
    if let Err(e) = p
        .app
        .commit(
            &p.caller.account,
            vec![Write::Insert(Versioned::new_record(&pm))],
        )
        .await
    {
        return p.failed(e);
    }
    let mut return_url = format!(
        "{}{}/payment-methods/return",
        p.app.settings.public_url,
        p.base()
    );
    if let Some(n) = &next {
        return_url.push_str("?next=");
        return_url.push_str(&percent_encode(n));
    }
    let params = SetupIntentCreate {
        customer: Some(p.customer.value.id.as_str().to_owned()),
        payment_method: Some(pm.id.clone()),
        usage: Some("off_session".into()),
        ..Default::default()
    };
    let (si, mut writes, declined) =
        match crate::api::setup_intent::start(&p.app, &api, params, true, Some(return_url)).await {
            Ok(x) => x,
            Err(e) => return p.failed(e.error.message),
        };
    if let Some(d) = declined {
        if let Err(e) = p.app.commit(&p.caller.account, writes).await {
            return p.failed(e);
        }
        let code = d.error.code.map(|c| c.as_str());
        let key = card_error_key(code, d.error.decline_code.as_deref());
        return again(&p, key, StatusCode::PAYMENT_REQUIRED);
    }
    if si.status == SetupStatus::RequiresAction {
        if let Err(e) = p.app.commit(&p.caller.account, writes).await {
            return p.failed(e);
        }
        let url = si
            .auth_token
            .as_ref()
            .map(|t| format!("/p/authenticate/{t}"))
            .unwrap_or_else(|| p.base());
        return p.redirect_to(&url);
    }
    finish(&mut p, &pm, &mut writes, next).await
}

/// The card is set up: it becomes the default, and the flow (if this is it) is done.
async fn finish(
    p: &mut Portal,
    pm: &PaymentMethod,
    writes: &mut Vec<Write>,
    next: Option<String>,
) -> Response {
    // Only the card flow ends with a new card; a plan change's goes on.
    let in_card_flow = card_flow(p);
    let flow_done = next.is_none() && in_card_flow;
    let outcome = flow_done.then(|| Outcome::PaymentMethodUpdated {
        brand: pm.card.brand.label().to_owned(),
        last4: pm.card.last4.clone(),
    });
    // The card is made the default (and its subscriptions') in the same commit as it is saved;
    // a lost race with another write of the customer or a subscription is tried again afresh.
    let saved = std::mem::take(writes);
    let (saved, p_, outcome_) = (&saved, &*p, &outcome);
    let committed = crate::objects::with_retries(|| async move {
        let mut all = saved.clone();
        all.extend(super::home::default_card_writes(p_, &pm.id).await?);
        if let Some(o) = outcome_ {
            all.extend(p_.outcome_write(o.clone()).await?);
        }
        crate::objects::commit(&p_.app, &p_.caller.account, all).await
    })
    .await;
    if let Err(e) = committed {
        return p.failed(e.error.message);
    }
    let _ = p.reload_session().await;
    match next {
        Some(n) => p.redirect(&n),
        // Inside a plan change's flow: back to it.
        None if p.in_flow() && !in_card_flow => p.redirect(&p.flow_entry()),
        None => p.after_action("card_added"),
    }
}

/// `GET …/payment-methods/return?setup_intent=…`: back from the authentication page.
pub async fn after_authentication(
    State(app): State<App>,
    Path(token): Path<String>,
    Query(q): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let mut p = enter!(app, token, headers, Page::Card);
    let next = safe_next(q.get("next").map(String::as_str));
    let Some(si_id) = q.get("setup_intent") else {
        return p.not_found();
    };
    let loaded = async {
        let si = portico_store::get::<SetupIntent>(&*p.app.store, &p.caller.account, si_id)
            .await?
            .map(|s| s.value)
            .filter(|s| s.customer.as_deref() == Some(p.customer.value.id.as_str()));
        let pm = match si.as_ref().filter(|s| s.status == SetupStatus::Succeeded) {
            Some(s) => match &s.payment_method {
                Some(id) => {
                    portico_store::get::<PaymentMethod>(&*p.app.store, &p.caller.account, id)
                        .await?
                        .map(|v| v.value)
                        .filter(|pm| pm.belongs_to(p.customer.value.id.as_str()))
                }
                None => None,
            },
            None => None,
        };
        Ok::<_, Failure>((si, pm))
    };
    let (si, pm) = match loaded.await {
        Ok((Some(si), pm)) => (si, pm),
        Ok((None, _)) => return p.not_found(),
        Err(e) => return p.failed(e.error.message),
    };
    if let Some(pm) = pm {
        // Reloading after the card was made the default shows the outcome again.
        if p.customer
            .value
            .invoice_settings
            .default_payment_method
            .as_deref()
            == Some(pm.id.as_str())
            && !p.in_flow()
        {
            return match next {
                Some(n) => p.redirect(&n),
                None => p.after_action("card_added"),
            };
        }
        return finish(&mut p, &pm, &mut Vec::new(), next).await;
    }
    let code = si.last_setup_error.as_ref().map(|e| e.code.clone());
    let key = card_error_key(code.as_deref(), None);
    let name = p.customer.value.name.clone().unwrap_or_default();
    p.render(
        StatusCode::PAYMENT_REQUIRED,
        &card_page(&p, Some(key), name, next),
    )
}

/// Percent-encodes a path for a query value.
fn percent_encode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expiries() {
        assert_eq!(parse_expiry("12 / 34"), Some((12, 2034)));
        assert_eq!(parse_expiry("1/2031"), Some((1, 2031)));
        assert_eq!(parse_expiry("0428"), Some((4, 2028)));
        assert_eq!(parse_expiry("042028"), Some((4, 2028)));
        assert_eq!(parse_expiry("april"), None);
        assert_eq!(parse_expiry(""), None);
    }

    #[test]
    fn next_stays_inside_the_session() {
        assert_eq!(
            safe_next(Some(
                "/subscriptions/sub_1/update/preview?price=price_2&quantity=1"
            ))
            .as_deref(),
            Some("/subscriptions/sub_1/update/preview?price=price_2&quantity=1")
        );
        for bad in [
            "https://evil.test",
            "//evil.test",
            "/subscriptions/../../x",
            "/billing",
            "/subscriptions/a\"b",
            "/subscriptions/%2e%2e/%2e%2e/dashboard",
            "/subscriptions/%2E%2E/x",
            "/subscriptions/x%2f%2fevil.test",
        ] {
            assert_eq!(safe_next(Some(bad)), None, "{bad}");
        }
    }
}

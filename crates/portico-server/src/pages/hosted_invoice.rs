//! The hosted invoice page (`hosted_invoice_url`): a finalized invoice for whoever holds its
//! link, with no sign-in. While the invoice is open the customer pays it there, with the card
//! on file or another card; a payment that needs 3-D Secure goes through the authentication
//! page and comes back. Links are signed and expire ([`crate::invoice_link`]).

use super::i18n::{negotiate, T};
use super::portal::invoice::{authenticate_link, InvoiceView};
use super::portal::view::{FrameParts, Layout};
use super::portal::{browser_t, failure, notice_page, Form};
use super::{csrf_ok, csrf_token, page, with_csrf_cookie};
use crate::http::Failure;
use crate::state::App;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::Response;
use portico_domain::customer::Customer;
use portico_domain::invoice::{Invoice, InvoiceStatus, PaymentOutcome};
use portico_domain::payment_method::{BillingDetails, PaymentMethod, PaymentMethodCreate};
use portico_domain::AccountId;
use portico_store::{Versioned, Write};

#[derive(Template)]
#[template(path = "portal/hosted_invoice.html")]
struct HostedInvoicePage {
    l: Layout,
    v: InvoiceView,
    /// The page's own path, which its forms post to.
    path: String,
    /// The 3-D Secure page of a payment waiting on it.
    authenticate: Option<String>,
    /// "Visa ending in 4242": the card on file that can pay the invoice now.
    saved_card: Option<String>,
    /// Why the last payment failed, in the customer's words.
    error: Option<String>,
    /// The card form's field the error is about.
    error_field: Option<&'static str>,
    /// The name the card form starts with.
    name: String,
    /// The portal homepage the customer came from, if they did.
    back: Option<String>,
}

/// An invoice's link, opened: its account, the invoice, its customer, and the page's language.
struct Opened {
    account: AccountId,
    token: String,
    invoice: Versioned<Invoice>,
    customer: Option<Customer>,
    t: T,
    /// The portal homepage the customer came from (`back`), carried through the page's forms.
    back: Option<String>,
}

impl Opened {
    fn path(&self) -> String {
        crate::invoice_link::path(&self.token)
    }

    /// The page's address, with the way back to the portal if there is one.
    fn page_url(&self) -> String {
        match &self.back {
            Some(b) => pay_link(&self.path(), b),
            None => self.path(),
        }
    }

    /// Where the 3-D Secure page comes back to.
    fn after_authentication(&self) -> String {
        format!("{}?{AFTER_AUTHENTICATION}", self.path())
    }

    fn caller(&self) -> crate::auth::Caller {
        crate::auth::Caller {
            account: self.account.clone(),
            livemode: self.invoice.value.livemode,
        }
    }
}

fn link_invalid(t: T) -> Response {
    notice_page(
        t,
        StatusCode::NOT_FOUND,
        "link-invalid-heading",
        "link-invalid-body",
        "neutral",
    )
}

/// An expired link's page: who to ask for a new one (the business's name, from its branding)
/// and the way to its site (the default portal configuration's `default_return_url`), when
/// known.
async fn expired(app: &App, account: &AccountId, t: T) -> Response {
    let name = crate::operator::branding(app, account)
        .await
        .ok()
        .flatten()
        .and_then(|b| b.business_name);
    let site = crate::api::billing_portal::existing_default(app, account)
        .await
        .ok()
        .flatten()
        .and_then(|c| c.default_return_url);
    let body = match &name {
        Some(n) => t.f(
            "hosted-invoice-expired-body-named",
            vec![("business", n.clone().into())],
        ),
        None => t.s("hosted-invoice-expired-body"),
    };
    let back = site.and_then(|url| {
        let label = name
            .clone()
            .or_else(|| url::Url::parse(&url).ok()?.host_str().map(str::to_owned))?;
        Some((url, label))
    });
    let heading = t.s("hosted-invoice-expired-heading");
    super::portal::notice_written(t, StatusCode::GONE, heading, body, "neutral", back)
}

/// The invoice a link leads to, or the page saying why it leads nowhere.
async fn open(app: &App, token: &str, headers: &HeaderMap) -> Result<Opened, Response> {
    let fallback = browser_t(headers);
    let Some(key) = app.link_key() else {
        return Err(failure(fallback));
    };
    let Some((account, id, expires)) = crate::invoice_link::read(key, token) else {
        return Err(link_invalid(fallback));
    };
    if app.clock.now() > expires {
        return Err(expired(app, &account, fallback).await);
    }
    let read = async {
        let inv = portico_store::get::<Invoice>(&*app.store, &account, &id).await?;
        let customer = match &inv {
            Some(i) => portico_store::get::<Customer>(&*app.store, &account, &i.value.customer)
                .await?
                .map(|c| c.value),
            None => None,
        };
        Ok::<_, Failure>((inv, customer))
    };
    let (invoice, customer) = match read.await {
        Ok(found) => found,
        Err(e) => {
            tracing::error!(error = %e.error.message, "hosted invoice read failed");
            return Err(failure(fallback));
        }
    };
    let Some(invoice) =
        invoice.filter(|i| i.value.status != InvoiceStatus::Draft && !i.value.deleted)
    else {
        return Err(link_invalid(fallback));
    };
    let locales = customer
        .as_ref()
        .map(|c| c.preferred_locales.clone())
        .unwrap_or_default();
    let t = T::new(negotiate(
        None,
        &locales,
        headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok()),
    ));
    Ok(Opened {
        account,
        token: token.to_owned(),
        invoice,
        customer: customer.filter(|c| !c.deleted),
        t,
        back: None,
    })
}

/// The page for `o`, with the outcome of a failed payment, if any.
async fn render(
    app: &App,
    o: &Opened,
    headers: &HeaderMap,
    status: StatusCode,
    error: Option<(&'static str, Option<&'static str>)>,
) -> Response {
    let t = o.t;
    let inv = &o.invoice.value;
    let built = async {
        let mut v = InvoiceView::new(app, &o.account, &t, inv).await?;
        // Without a customer (deleted since) there is no one to pay for.
        if o.customer.is_none() {
            v.due = None;
        }
        let branding = crate::operator::branding(app, &o.account).await?;
        let config = crate::api::billing_portal::existing_default(app, &o.account).await?;
        let saved = match (&v.due, &o.customer) {
            (Some(_), Some(_)) => card_on_file(app, &o.account, inv).await?,
            _ => None,
        };
        Ok::<_, Failure>((v, branding, config, saved))
    };
    let (v, branding, config, saved) = match built.await {
        Ok(b) => b,
        Err(e) => {
            tracing::error!(error = %e.error.message, "hosted invoice page failed");
            return failure(t);
        }
    };
    let csrf = csrf_token(headers);
    let profile = config.map(|c| c.business_profile).unwrap_or_default();
    let l = Layout::new(
        FrameParts {
            t,
            branding: branding.as_ref(),
            profile: &profile,
            return_url: None,
            base: o.path(),
            csrf: csrf.0.clone(),
            in_flow: false,
            test_mode: !inv.livemode,
        },
        match &v.due {
            Some(_) => t.s("hosted-invoice-pay-heading"),
            None => t.s("invoice-title"),
        },
    );
    let page_view = HostedInvoicePage {
        l,
        path: o.path(),
        authenticate: authenticate_link(inv, &o.after_authentication()),
        saved_card: saved.map(|pm| {
            t.f(
                "auth-card-value",
                vec![
                    ("brand", pm.value.card.brand.label().into()),
                    ("last4", pm.value.card.last4.clone().into()),
                ],
            )
        }),
        error: error.map(|(key, _)| t.s(key)),
        error_field: error.and_then(|(_, field)| field),
        name: o
            .customer
            .as_ref()
            .and_then(|c| c.name.clone())
            .unwrap_or_default(),
        back: o.back.clone(),
        v,
    };
    with_csrf_cookie(page(status, &page_view, None), &csrf, app)
}

/// The query the authentication page comes back with: the page then says how it went.
const AFTER_AUTHENTICATION: &str = "from=authentication";

/// `GET /p/invoice/{token}` (`?from=authentication`: back from the 3-D Secure page)
pub async fn show(
    State(app): State<App>,
    Path(token): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let mut o = match open(&app, &token, &headers).await {
        Ok(o) => o,
        Err(r) => return r,
    };
    // Sent from the portal: the page leads back there.
    let back = query.as_deref().and_then(|q| {
        url::form_urlencoded::parse(q.as_bytes())
            .find(|(k, _)| k == "back")
            .and_then(|(_, v)| super::portal::portal_way_back(&v))
    });
    if back.is_some() {
        o.back = back;
        return render(&app, &o, &headers, StatusCode::OK, None).await;
    }
    // Back from a 3-D Secure check that did not pay: the reason, as after a decline.
    let inv = &o.invoice.value;
    let failed = (query.as_deref() == Some(AFTER_AUTHENTICATION) && payable(inv))
        .then_some(inv.last_payment_error.as_ref())
        .flatten()
        .map(|e| {
            let key = super::portal::card::card_error_key(
                Some(e.code.as_str()),
                e.decline_code.as_deref(),
            );
            (key, None)
        });
    match failed {
        Some(_) => render(&app, &o, &headers, StatusCode::PAYMENT_REQUIRED, failed).await,
        // Paid (or nothing to say): the page at its own address.
        None if query.is_some() => see_page(&o),
        None => render(&app, &o, &headers, StatusCode::OK, None).await,
    }
}

/// `GET` of a form's address (a reloaded or restored page after a POST): the invoice's page.
pub async fn to_page(
    State(app): State<App>,
    Path(token): Path<String>,
    headers: HeaderMap,
) -> Response {
    match open(&app, &token, &headers).await {
        Ok(o) => see_page(&o),
        Err(r) => r,
    }
}

/// Back to the page after a payment (so that reloading it sends nothing again).
fn see_page(o: &Opened) -> Response {
    super::see_other(&o.page_url())
}

/// `back=…`, encoded: the query that gives an invoice's payment page its way back to the portal.
pub(crate) fn back_query(back: &str) -> String {
    url::form_urlencoded::Serializer::new(String::new())
        .append_pair("back", back)
        .finish()
}

/// An invoice's payment page (`url`) that leads back to the portal page `back` once paid.
pub(crate) fn pay_link(url: &str, back: &str) -> String {
    format!("{url}?{}", back_query(back))
}

fn forged(t: T) -> Response {
    notice_page(
        t,
        StatusCode::FORBIDDEN,
        "form-expired-heading",
        "form-expired-body",
        "bad",
    )
}

/// The invoice a payment's POST leads to and the POST's form, if its CSRF token matches the
/// browser's cookie and the invoice still has a customer to pay for; else the page to answer
/// with.
async fn open_form(
    app: &App,
    token: &str,
    headers: &HeaderMap,
    body: &Bytes,
) -> Result<(Opened, Form), Response> {
    let mut o = open(app, token, headers).await?;
    let f = Form::parse(body);
    if !csrf_ok(headers, f.get("csrf").unwrap_or("")) {
        return Err(forged(o.t));
    }
    o.back = f.get("back").and_then(super::portal::portal_way_back);
    if o.customer.is_none() {
        return Err(customer_gone(o.t));
    }
    Ok((o, f))
}

/// `POST /p/invoice/{token}/pay`: pays the invoice with the card on file.
pub async fn pay_saved(
    State(app): State<App>,
    Path(token): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (o, _) = match open_form(&app, &token, &headers, &body).await {
        Ok(found) => found,
        Err(r) => return r,
    };
    let pm = match card_on_file(&app, &o.account, &o.invoice.value).await {
        Ok(pm) => pm,
        Err(e) => return failed(&o, e),
    };
    // No card on file the page could offer: the page as it is.
    let Some(pm) = pm else {
        return see_page(&o);
    };
    pay(&app, o, &headers, Card::OnFile(pm)).await
}

/// `POST /p/invoice/{token}/card`: pays the invoice with another card (`number`, `expiry`,
/// `cvc`, `name`). A card that pays is saved to the customer, without becoming their default;
/// one declined, or waiting for 3-D Secure (whose approval saves it), is kept unattached.
pub async fn pay_new_card(
    State(app): State<App>,
    Path(token): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (o, form) = match open_form(&app, &token, &headers, &body).await {
        Ok(found) => found,
        Err(r) => return r,
    };
    if !payable(&o.invoice.value) {
        return see_page(&o);
    }
    let card = match super::portal::card::card_from_form(&form) {
        Ok(c) => c,
        Err(key) => {
            let error = Some((key, Some("expiry")));
            return render(&app, &o, &headers, StatusCode::BAD_REQUEST, error).await;
        }
    };
    let name = super::portal::card::cardholder(&form);
    let api = crate::http::Api::on_behalf(o.caller(), app.clock.now());
    let details = PaymentMethodCreate {
        billing_details: BillingDetails {
            name,
            ..Default::default()
        },
        ..Default::default()
    };
    let pm = match crate::payments::new_card_payment_method(&app, &api, &card, details).await {
        Ok(pm) => pm,
        Err(f) if f.error.status == 402 => {
            let (key, field) = card_error(&f);
            return render(
                &app,
                &o,
                &headers,
                StatusCode::PAYMENT_REQUIRED,
                Some((key, field)),
            )
            .await;
        }
        Err(_) => {
            return render(
                &app,
                &o,
                &headers,
                StatusCode::BAD_REQUEST,
                Some(("card-error-number", Some("number"))),
            )
            .await;
        }
    };
    pay(&app, o, &headers, Card::New(pm)).await
}

/// Whether `inv` can be paid on its page now: open (or written off as uncollectible, which a
/// payment still settles) with something left to pay. A payment waiting for 3-D Secure does not
/// stop another try, whose authentication link replaces the first (which lasts a day).
fn payable(inv: &Invoice) -> bool {
    inv.is_collectable() && inv.amount_remaining() > 0
}

/// The card on file that the page offers to pay `inv` with: the one its payment would use, if
/// the customer allowed it to be shown again (`allow_redisplay=always`; whoever holds the link
/// sees the page, so a card saved without that consent is not shown) and it is not the card
/// whose payment just failed.
async fn card_on_file(
    app: &App,
    account: &AccountId,
    inv: &Invoice,
) -> Result<Option<Versioned<PaymentMethod>>, Failure> {
    let failed = inv
        .last_payment_error
        .as_ref()
        .and_then(|e| e.payment_method.as_deref());
    Ok(crate::billing::invoice_payment_method(app, account, inv)
        .await?
        .filter(|pm| pm.value.allow_redisplay == "always" && failed != Some(pm.value.id.as_str())))
}

/// The message key (and the card form's field) of a card error.
fn card_error(f: &Failure) -> (&'static str, Option<&'static str>) {
    let key = super::portal::card::card_error_key(
        f.error.code.map(|c| c.as_str()),
        f.error.decline_code.as_deref(),
    );
    let field = match key {
        "card-error-number" => Some("number"),
        "card-error-expiry" | "card-error-expired" => Some("expiry"),
        "card-error-cvc" => Some("cvc"),
        _ => None,
    };
    (key, field)
}

/// The card a payment on the page uses.
enum Card {
    /// The customer's, as [`card_on_file`] found it.
    OnFile(Versioned<PaymentMethod>),
    /// Typed on the page, not stored yet.
    New(PaymentMethod),
}

/// Pays the opened invoice with `card`, the customer present: paid, back to the page; needing
/// 3-D Secure, on to its page (which comes back here); declined, the page with the reason. A new
/// card is stored in the payment's own commit: attached to the customer if it paid.
async fn pay(app: &App, o: Opened, headers: &HeaderMap, card: Card) -> Response {
    let (app_, account, id, card_) = (app, &o.account, &o.invoice.value.id, &card);
    let attempt = crate::objects::with_retries(|| async move {
        let mut inv = crate::objects::load::<Invoice>(app_, account, id, None).await?;
        if !payable(&inv.value) {
            return Ok(None);
        }
        let now = crate::objects::now_for(
            app_,
            account,
            inv.value.test_clock.as_deref(),
            app_.clock.now(),
        )
        .await?;
        let pm = match card_ {
            Card::OnFile(pm) => pm.clone(),
            Card::New(pm) => Versioned {
                value: PaymentMethod {
                    customer: Some(inv.value.customer.clone()),
                    ..pm.clone()
                },
                version: 1,
            },
        };
        let (mut writes, outcome) =
            crate::api::invoice::pay_now(app_, account, &mut inv, Some(&pm), false, now).await?;
        if let Card::New(unattached) = card_ {
            // Saved to the customer once it pays; until then (declined, or waiting for 3-D
            // Secure, whose approval attaches it) it is kept unattached.
            let stored = match outcome {
                PaymentOutcome::Paid => &pm.value,
                _ => unattached,
            };
            writes.insert(0, Write::Insert(Versioned::new_record(stored)));
        }
        app_.commit(account, writes).await?;
        Ok::<_, Failure>(Some((inv.value, outcome)))
    })
    .await;
    match attempt {
        // Paid, or it was already: the page shows the invoice as it is now.
        Ok(None) | Ok(Some((_, PaymentOutcome::Paid))) => see_page(&o),
        Ok(Some((inv, PaymentOutcome::RequiresAction))) => {
            match authenticate_link(&inv, &o.after_authentication()) {
                Some(url) => super::see_other(&url),
                None => see_page(&o),
            }
        }
        Ok(Some((inv, PaymentOutcome::Declined(d)))) => {
            let key = super::portal::card::card_error_key(Some(d.code), d.decline_code);
            let o = Opened {
                invoice: Versioned {
                    value: inv,
                    version: o.invoice.version + 1,
                },
                ..o
            };
            render(
                app,
                &o,
                headers,
                StatusCode::PAYMENT_REQUIRED,
                Some((key, None)),
            )
            .await
        }
        Err(e) => failed(&o, e),
    }
}

fn customer_gone(t: T) -> Response {
    notice_page(
        t,
        StatusCode::GONE,
        "customer-gone-heading",
        "customer-gone-body",
        "neutral",
    )
}

fn failed(o: &Opened, e: Failure) -> Response {
    tracing::error!(error = %e.error.message, invoice = %o.invoice.value.id, "hosted invoice payment failed");
    failure(o.t)
}

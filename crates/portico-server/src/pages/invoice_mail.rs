//! The email that sends an invoice to its customer (`collection_method=send_invoice`, or
//! `POST /v1/invoices/{id}/send`): what is due and by when, with a link to the invoice's
//! hosted page, in the customer's language. It is recorded in the same commit as the invoice,
//! which notes when it was sent (`invoice.sent`).

use super::i18n::{negotiate, T};
use crate::http::Failure;
use crate::state::App;
use askama::Template;
use portico_domain::customer::Customer;
use portico_domain::invoice::{Invoice, InvoiceStatus};
use portico_domain::AccountId;
use portico_store::Write;

/// The words of the invoice email.
struct InvoiceMail {
    lang: &'static str,
    subject: String,
    greeting: String,
    amount: String,
    intro: String,
    button: String,
    business: String,
    url: String,
    accent: String,
    accent_ink: &'static str,
}

#[derive(Template)]
#[template(path = "email/invoice.txt")]
struct InvoiceText<'a> {
    m: &'a InvoiceMail,
}

#[derive(Template)]
#[template(path = "email/invoice.html")]
struct InvoiceHtml<'a> {
    m: &'a InvoiceMail,
}

/// Why an invoice cannot be emailed.
pub enum NotSent {
    /// Its customer was deleted.
    NoCustomer,
    /// Its customer has no email address.
    NoAddress,
    /// A draft or a void invoice has no page to pay or read.
    NoPage,
}

/// Emails `inv`, finalized, to its customer at `now` and counts it on the invoice (`times_sent`):
/// the write that records the message, or why there is none.
pub async fn send(
    app: &App,
    account: &AccountId,
    inv: &mut Invoice,
    now: i64,
) -> Result<Result<Write, NotSent>, Failure> {
    let customer = portico_store::get::<Customer>(&*app.store, account, &inv.customer).await?;
    let Some(customer) = customer.filter(|c| !c.value.deleted).map(|c| c.value) else {
        return Ok(Err(NotSent::NoCustomer));
    };
    let Some(to) = customer.email.clone() else {
        return Ok(Err(NotSent::NoAddress));
    };
    let url = match inv.status {
        InvoiceStatus::Draft | InvoiceStatus::Void => None,
        // The link is dated by the server's clock, as the API's are (`now` may be a test
        // clock's).
        _ => app.links(account, app.clock.now()).hosted_invoice(inv),
    };
    let Some(url) = url else {
        return Ok(Err(NotSent::NoPage));
    };
    let t = T::new(negotiate(None, &customer.preferred_locales, None));
    let branding = crate::operator::branding(app, account).await?;
    let business = branding
        .as_ref()
        .and_then(|b| b.business_name.clone())
        .unwrap_or_else(|| t.s("default-business-name"));
    let (accent, accent_ink) = super::portal::view::email_accent(branding.as_ref());
    let number = inv.number.clone().unwrap_or_default();
    let paid = inv.status == InvoiceStatus::Paid;
    let amount = t.money(
        if paid {
            inv.amount_paid
        } else {
            inv.amount_remaining()
        },
        &inv.currency,
    );
    let intro = match inv.due_date.filter(|_| !paid) {
        _ if paid => t.f(
            "invoice-email-paid",
            vec![("number", number.clone().into())],
        ),
        Some(due) => t.f(
            "invoice-email-due",
            vec![
                ("number", number.clone().into()),
                ("date", t.date(due).into()),
            ],
        ),
        None => t.f(
            "invoice-email-open",
            vec![("number", number.clone().into())],
        ),
    };
    let m = InvoiceMail {
        lang: t.lang.tag(),
        subject: t.f(
            "invoice-email-subject",
            vec![
                ("business", business.clone().into()),
                ("number", number.into()),
            ],
        ),
        greeting: super::portal::view::email_greeting(&t, customer.name.as_deref()),
        amount,
        intro,
        button: t.s(if paid {
            "invoice-email-view"
        } else {
            "invoice-email-pay"
        }),
        business: business.clone(),
        url,
        accent,
        accent_ink,
    };
    let rendered = |e: askama::Error| {
        tracing::error!(error = %e, "the invoice email did not render");
        Failure::from(portico_wire::ApiError::internal())
    };
    let text = InvoiceText { m: &m }.render().map_err(rendered)?;
    let html = InvoiceHtml { m: &m }.render().map_err(rendered)?;
    let message = crate::mail::Message {
        to,
        from_name: business,
        subject: m.subject.clone(),
        text,
        html,
    };
    let write = crate::mail::record(app, message, now).await?;
    inv.times_sent += 1;
    Ok(Ok(write))
}

//! A readable invoice: its lines, discounts, totals and payment state, with the way to finish a
//! payment waiting for 3-D Secure.

use super::view::{invoice_status, line_view, Layout, LineView};
use super::Page;
use crate::state::App;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use portico_domain::invoice::{Invoice, InvoiceStatus};
use portico_domain::product::Product;

#[derive(Template)]
#[template(path = "portal/invoice.html")]
struct InvoicePage {
    l: Layout,
    number: String,
    status: String,
    tone: &'static str,
    facts: Vec<(String, String)>,
    lines: Vec<LineView>,
    totals: Vec<(String, String, bool)>,
    /// The hosted authentication page, for a payment waiting on it.
    authenticate: Option<String>,
}

/// `GET …/invoices/{id}`
pub async fn show(
    State(app): State<App>,
    Path((token, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let p = enter!(app, token, headers, Page::Invoice);
    if !p.config.features.invoice_history || p.session.value.on_behalf_of.is_some() {
        return p.not_found();
    }
    let inv = match portico_store::get::<Invoice>(&*p.app.store, &p.caller.account, &id).await {
        Ok(Some(i))
            if i.value.customer == p.customer.value.id.as_str()
                && i.value.status != InvoiceStatus::Draft =>
        {
            i.value
        }
        Ok(_) => return p.not_found(),
        Err(e) => return p.failed(e),
    };
    let t = &p.t;
    let mut names = Vec::new();
    for l in &inv.lines {
        if names
            .iter()
            .any(|(id, _): &(String, String)| *id == l.product)
        {
            continue;
        }
        if let Ok(Some(prod)) =
            portico_store::get::<Product>(&*p.app.store, &p.caller.account, &l.product).await
        {
            names.push((l.product.clone(), prod.value.name));
        }
    }
    let money = |a: i64| t.money(a, &inv.currency);
    let (status, tone) = invoice_status(t, &inv);
    let mut facts = vec![(
        t.s("invoice-date"),
        t.date(inv.status_transitions.finalized_at.unwrap_or(inv.created)),
    )];
    if let Some(paid) = inv.status_transitions.paid_at {
        facts.push((t.s("invoice-paid-on"), t.date(paid)));
    }
    facts.push((
        t.s("invoice-period"),
        // What the invoice bills for: its lines' service periods (Stripe's own invoice period
        // looks back at when items accrued, which means little to a customer).
        {
            let (start, end) = portico_domain::invoice::lines_period(&inv.lines, inv.period_start);
            format!("{} – {}", t.date(start), t.date(end))
        },
    ));
    let billed = [inv.customer_name.clone(), inv.customer_email.clone()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join("\n");
    if !billed.is_empty() {
        facts.push((t.s("invoice-billed-to"), billed));
    }
    let mut totals = vec![(t.s("invoice-subtotal"), money(inv.subtotal()), false)];
    for d in inv.total_discount_amounts() {
        totals.push((t.s("invoice-discount"), money(-d.amount), false));
    }
    if inv.starting_balance != 0 {
        totals.push((t.s("invoice-balance"), money(inv.starting_balance), false));
    }
    totals.push((t.s("invoice-total"), money(inv.total()), true));
    totals.push((t.s("invoice-amount-paid"), money(inv.amount_paid), false));
    totals.push((
        t.s("invoice-amount-due"),
        money(inv.amount_remaining()),
        true,
    ));
    let authenticate = inv
        .pending_authentication
        .as_ref()
        .filter(|_| inv.status == InvoiceStatus::Open)
        .map(|(_, secret)| {
            let back = format!("{}/invoices/{}", p.base(), inv.id);
            let ret: String = url::form_urlencoded::byte_serialize(back.as_bytes()).collect();
            format!("/p/authenticate/{secret}?return={ret}")
        });
    let page = InvoicePage {
        l: p.layout(t.s("invoice-title")),
        number: inv.number.clone().unwrap_or_default(),
        status,
        tone,
        facts,
        lines: inv
            .lines
            .iter()
            .map(|l| line_view(&p, l, &names, &inv.currency))
            .collect(),
        totals,
        authenticate,
    };
    p.render(StatusCode::OK, &page)
}

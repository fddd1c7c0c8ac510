//! A readable invoice: its lines, discounts, totals and payment state, with the way to finish a
//! payment waiting for 3-D Secure. The portal shows it inside a session; the hosted invoice page
//! ([`crate::pages::hosted_invoice`]) shows the same view to whoever holds the invoice's link.

use super::view::{invoice_status, line_view, InvoiceHistory, Layout, LineView};
use super::Page;
use crate::http::Failure;
use crate::pages::i18n::T;
use crate::state::App;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use portico_domain::invoice::{Invoice, InvoiceStatus};
use portico_domain::product::Product;
use portico_domain::AccountId;
use portico_store::{Cursor, Filter};
use std::collections::HashMap;

/// An invoice written for the customer.
pub struct InvoiceView {
    pub number: String,
    pub status: String,
    pub tone: &'static str,
    pub facts: Vec<(String, String)>,
    pub lines: Vec<LineView>,
    /// Label, amount, and whether the line stands out.
    pub totals: Vec<(String, String, bool)>,
    /// What is left to pay, written out; `None` when nothing is.
    pub due: Option<String>,
    pub paid: bool,
}

impl InvoiceView {
    /// `inv` of `account` in `t`'s language (its products' names read from the store).
    pub async fn new(
        app: &App,
        account: &AccountId,
        t: &T,
        inv: &Invoice,
    ) -> Result<Self, Failure> {
        let mut names = Vec::new();
        for l in &inv.lines {
            // (A line for an amount given as is bills no product.)
            if l.product.is_empty()
                || names
                    .iter()
                    .any(|(id, _): &(String, String)| *id == l.product)
            {
                continue;
            }
            if let Some(prod) =
                portico_store::get::<Product>(&*app.store, account, &l.product).await?
            {
                names.push((l.product.clone(), prod.value.name));
            }
        }
        let money = |a: i64| t.money(a, &inv.currency);
        let (status, tone) = invoice_status(t, inv);
        let mut facts = vec![(
            t.s("invoice-date"),
            t.date(inv.status_transitions.finalized_at.unwrap_or(inv.created)),
        )];
        // A sent invoice is due on a date, as its customer was told.
        if let Some(due) = inv.due_date.filter(|_| inv.send_invoice) {
            facts.push((t.s("invoice-due-on"), t.date(due)));
        }
        if let Some(paid) = inv.status_transitions.paid_at {
            facts.push((t.s("invoice-paid-on"), t.date(paid)));
        }
        facts.push((
            t.s("invoice-period"),
            // What the invoice bills for: its lines' service periods (Stripe's own invoice
            // period looks back at when items accrued, which means little to a customer).
            {
                let (start, end) =
                    portico_domain::invoice::lines_period(&inv.lines, inv.period_start);
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
            let label = super::view::discount_label(
                app,
                account,
                t,
                &d.discount,
                &inv.currency,
                &mut std::iter::empty(),
            )
            .await?;
            totals.push((label, money(-d.amount), false));
        }
        totals.push((t.s("invoice-total"), money(inv.total()), true));
        // The balance applies to the total, as Stripe's invoices show it.
        if inv.starting_balance != 0 {
            totals.push((t.s("invoice-balance"), money(inv.starting_balance), false));
        }
        totals.push((t.s("invoice-amount-paid"), money(inv.amount_paid), false));
        totals.push((
            t.s("invoice-amount-due"),
            money(inv.amount_remaining()),
            true,
        ));
        Ok(InvoiceView {
            number: inv.number.clone().unwrap_or_default(),
            status,
            tone,
            facts,
            lines: inv
                .lines
                .iter()
                .map(|l| line_view(t, l, &names, &inv.currency))
                .collect(),
            totals,
            due: (inv.is_collectable() && inv.amount_remaining() > 0)
                .then(|| money(inv.amount_remaining())),
            paid: inv.status == InvoiceStatus::Paid,
        })
    }
}

/// The hosted authentication page for `inv`'s payment waiting on it, if any, coming back to
/// `back` (a path of Portico's own).
pub fn authenticate_link(inv: &Invoice, back: &str) -> Option<String> {
    inv.pending_authentication
        .as_ref()
        .filter(|_| inv.is_collectable())
        .map(|(_, secret)| {
            let ret: String = url::form_urlencoded::byte_serialize(back.as_bytes()).collect();
            format!("/p/authenticate/{secret}?return={ret}")
        })
}

#[derive(Template)]
#[template(path = "portal/invoice.html")]
struct InvoicePage {
    l: Layout,
    v: InvoiceView,
    /// The hosted authentication page, for a payment waiting on it.
    authenticate: Option<String>,
    /// The invoice's hosted page, where the customer pays what is left to pay.
    pay: Option<String>,
}

/// `GET …/invoices?after={id}`: the invoice history's older pages, from after the invoice the
/// last page ended with (or from the newest).
pub async fn older(
    State(app): State<App>,
    Path(token): Path<String>,
    Query(q): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let p = enter!(app, token, headers, Page::Invoice);
    if !p.config.features.invoice_history || p.session.value.on_behalf_of.is_some() {
        return p.not_found();
    }
    let mut query = super::home::customer_query::<Invoice>(
        &Filter::Parent(p.customer.value.id.to_string()),
        InvoiceHistory::SHOWN * 2,
    );
    if let Some(after) = q.get("after") {
        // Only one of this customer's invoices marks a place in their history.
        match portico_store::get::<Invoice>(&*p.app.store, &p.caller.account, after).await {
            Ok(Some(i)) if i.value.customer == p.customer.value.id.as_str() => {}
            Ok(_) => return p.not_found(),
            Err(e) => return p.failed(e),
        }
        query.cursor = Cursor::After(after.clone());
    }
    let page = match p.app.store.list(&p.caller.account, &query).await {
        Ok(page) => page,
        Err(e) => return p.failed(e),
    };
    let list = match portico_store::decode_all::<Invoice>(&*p.app.store, &p.caller.account, &page) {
        Ok(list) => list.into_iter().map(|v| v.value).collect::<Vec<_>>(),
        Err(e) => return p.failed(e),
    };
    let view = InvoicesPage {
        l: p.layout(p.t.s("home-invoice-history")),
        h: InvoiceHistory::new(&p, &list, page.has_more),
    };
    p.render(StatusCode::OK, &view)
}

#[derive(Template)]
#[template(path = "portal/invoices.html")]
struct InvoicesPage {
    l: Layout,
    h: InvoiceHistory,
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
    let v = match InvoiceView::new(&p.app, &p.caller.account, &p.t, &inv).await {
        Ok(v) => v,
        Err(e) => return p.failed(e.error.message),
    };
    let authenticate = authenticate_link(&inv, &format!("{}/invoices/{}", p.base(), inv.id));
    // The payment page leads back to the portal, as the homepage's link to it does.
    let pay = v.due.as_ref().and_then(|_| {
        p.app
            .links(&p.caller.account, p.app.clock.now())
            .hosted_invoice(&inv)
            .map(|u| crate::pages::hosted_invoice::pay_link(&u, &p.base()))
    });
    let page = InvoicePage {
        l: p.layout(p.t.s("invoice-title")),
        v,
        authenticate,
        pay,
    };
    p.render(StatusCode::OK, &page)
}

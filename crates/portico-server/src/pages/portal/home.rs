//! The portal homepage: the customer's subscriptions, payment methods, billing information and
//! invoices, each shown as the configuration allows; and its small actions (renew a
//! subscription set to cancel, make a card the default, remove a card).

use super::view::{plan_of, plan_price, CardView, InvoiceRow, Layout, SubscriptionView};
use super::{Page, Portal};
use crate::http::Failure;
use crate::objects::{commit, with_retries};
use crate::state::App;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use portico_domain::invoice::{Invoice, InvoiceStatus};
use portico_domain::payment_method::PaymentMethod;
use portico_domain::schedule::Schedule;
use portico_domain::subscription::Subscription;
use portico_store::{Cursor, Filter, ListQuery, Object, Versioned, Write};
use std::collections::HashMap;

/// How many invoices the history shows.
const INVOICES_SHOWN: usize = 24;

#[derive(Template)]
#[template(path = "portal/home.html")]
struct HomePage {
    l: Layout,
    notice: Option<String>,
    subscriptions: Vec<SubscriptionView>,
    cards: Option<Vec<CardView>>,
    billing: Option<BillingView>,
    invoices: Option<Vec<InvoiceRow>>,
}

/// The customer's billing information, line by line.
struct BillingView {
    lines: Vec<(String, String)>,
    can_edit: bool,
}

/// Objects of the session's customer, newest first.
pub(super) async fn customer_objects<T: Object>(
    p: &Portal,
    mut filters: Vec<Filter>,
    limit: usize,
) -> Result<Vec<Versioned<T>>, Failure> {
    filters.push(Filter::Parent(p.customer.value.id.as_str().to_owned()));
    let q = ListQuery {
        kind: T::KIND,
        filters,
        cursor: Cursor::Start,
        limit,
        include_deleted: false,
    };
    let page = p.app.store.list(&p.caller.account, &q).await?;
    page.records
        .iter()
        .map(|r| {
            portico_store::decode::<T>(&*p.app.store, &p.caller.account, r).map_err(Failure::from)
        })
        .collect()
}

/// The customer's subscriptions the portal shows: not ended, and (for a session made
/// `on_behalf_of` an account) only that account's — none here, as Portico's subscriptions
/// are never made on behalf of another account.
pub(super) async fn subscriptions(p: &Portal) -> Result<Vec<Versioned<Subscription>>, Failure> {
    if p.session.value.on_behalf_of.is_some() {
        return Ok(Vec::new());
    }
    crate::billing::live_subscriptions(
        &p.app,
        &p.caller.account,
        Filter::Parent(p.customer.value.id.as_str().to_owned()),
    )
    .await
}

/// The customer's cards, the default first.
pub(super) async fn cards(p: &Portal) -> Result<Vec<PaymentMethod>, Failure> {
    let mut cards: Vec<PaymentMethod> = customer_objects::<PaymentMethod>(p, Vec::new(), 100)
        .await?
        .into_iter()
        .map(|v| v.value)
        .filter(|pm| !pm.detached)
        .collect();
    let default = p
        .customer
        .value
        .invoice_settings
        .default_payment_method
        .clone();
    cards.sort_by_key(|pm| Some(&pm.id) != default.as_ref());
    Ok(cards)
}

/// Whether the customer may remove `pm`: while a subscription runs, they keep their default
/// card and at least one card.
fn removable(pm: &PaymentMethod, default: Option<&str>, count: usize, subscribed: bool) -> bool {
    !subscribed || (count > 1 && default != Some(pm.id.as_str()))
}

/// A plan change a schedule has waiting for the end of the period, written out.
async fn scheduled_change(p: &Portal, sub: &Subscription) -> Result<Option<String>, Failure> {
    let Some(id) = &sub.schedule else {
        return Ok(None);
    };
    let Some(s) = portico_store::get::<Schedule>(&*p.app.store, &p.caller.account, id).await?
    else {
        return Ok(None);
    };
    let end = sub.current_period().1;
    let Some(next) = s.value.phase_starting_at(end) else {
        return Ok(None);
    };
    let Some(first) = next.items.first() else {
        return Ok(None);
    };
    let item = portico_domain::subscription::Item {
        id: String::new(),
        price: first.price.clone(),
        product_name: first.product_name.clone(),
        quantity: first.quantity,
        created: 0,
        metadata: Default::default(),
        current_period_start: 0,
        current_period_end: 0,
    };
    let plan = plan_of(&item, &sub.currency);
    Ok(Some(p.t.f(
        "sub-changes-on",
        vec![
            ("product", plan.product.clone().into()),
            ("price", plan_price(&p.t, &plan).into()),
            ("date", p.t.date(end).into()),
        ],
    )))
}

/// Notices the homepage shows after an action (by key: nothing from the query is echoed).
const NOTICES: &[&str] = &[
    "canceled",
    "retained",
    "updated",
    "scheduled",
    "renewed",
    "card_added",
    "default_set",
    "card_removed",
    "info_saved",
];

/// `GET /p/session/{token}`: the homepage, or the flow the session was made for.
pub async fn show(
    State(app): State<App>,
    Path(token): Path<String>,
    Query(q): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let p = enter!(app, token, headers, Page::Home);
    match homepage(&p, q.get("notice").map(String::as_str)).await {
        Ok(page) => p.render(StatusCode::OK, &page),
        Err(e) => p.failed(e.error.message),
    }
}

async fn homepage(p: &Portal, notice: Option<&str>) -> Result<HomePage, Failure> {
    let t = &p.t;
    let f = &p.config.features;
    let subs = subscriptions(p).await?;
    let mut views = Vec::with_capacity(subs.len());
    for s in &subs {
        let change = scheduled_change(p, &s.value).await?;
        views.push(SubscriptionView::new(p, &s.value, change));
    }
    let cards = if f.payment_method_update.enabled {
        let all = cards(p).await?;
        let default = p
            .customer
            .value
            .invoice_settings
            .default_payment_method
            .as_deref();
        Some(
            all.iter()
                .map(|pm| {
                    let is_default = default == Some(pm.id.as_str());
                    let can_remove = removable(pm, default, all.len(), !subs.is_empty());
                    CardView::new(t, pm, is_default, can_remove)
                })
                .collect(),
        )
    } else {
        None
    };
    let billing = f.customer_update.enabled.then(|| billing_view(p));
    let invoices = if f.invoice_history && p.session.value.on_behalf_of.is_none() {
        let list = customer_objects::<Invoice>(p, Vec::new(), INVOICES_SHOWN * 2).await?;
        Some(
            list.iter()
                .filter(|i| i.value.status != InvoiceStatus::Draft)
                .take(INVOICES_SHOWN)
                .map(|i| InvoiceRow::new(t, &i.value))
                .collect(),
        )
    } else {
        None
    };
    Ok(HomePage {
        l: p.layout(t.s("home-title")),
        notice: notice
            .filter(|n| NOTICES.contains(n))
            .map(|n| t.s(&format!("notice-{}", n.replace('_', "-")))),
        subscriptions: views,
        cards,
        billing,
        invoices,
    })
}

fn billing_view(p: &Portal) -> BillingView {
    let t = &p.t;
    let c = &p.customer.value;
    let mut lines = Vec::new();
    if let Some(n) = &c.name {
        lines.push((t.s("field-name"), n.clone()));
    }
    if let Some(e) = &c.email {
        lines.push((t.s("field-email"), e.clone()));
    }
    if let Some(ph) = &c.phone {
        lines.push((t.s("field-phone"), ph.clone()));
    }
    if let Some(a) = &c.address {
        let text = super::billing_info::address_text(a);
        if !text.is_empty() {
            lines.push((t.s("field-billing-address"), text));
        }
    }
    if let Some(s) = &c.shipping {
        let text = super::billing_info::address_text(&s.address);
        if !text.is_empty() {
            lines.push((t.s("field-shipping-address"), format!("{}\n{text}", s.name)));
        }
    }
    BillingView {
        lines,
        can_edit: !super::billing_info::editable_fields(p).is_empty(),
    }
}

/// `POST …/subscriptions/{sub}/renew`: keeps a subscription that was set to cancel at the end
/// of its period.
pub async fn renew(
    State(app): State<App>,
    Path((token, sub_id)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let p = enter!(app, token, headers, Page::Home);
    if p.checked_form(&body).is_none() {
        return p.forged();
    }
    let (p_, sub_id_) = (&p, &sub_id);
    let result = with_retries(|| async move {
        let Some(mut sub) = own_subscription(p_, sub_id_).await? else {
            return Ok(false);
        };
        if !sub.value.cancel_at_period_end || !p_.config.features.subscription_cancel.enabled {
            return Ok(false);
        }
        sub.value.set_cancel_at_period_end(false, p_.now)?;
        commit(
            &p_.app,
            &p_.caller.account,
            vec![Write::Update(sub.next_record())],
        )
        .await?;
        Ok::<_, Failure>(true)
    })
    .await;
    match result {
        Ok(true) => p.redirect("?notice=renewed"),
        Ok(false) => p.not_found(),
        Err(e) => p.failed(e.error.message),
    }
}

/// The subscription `id` if it is the session's customer's.
pub(super) async fn own_subscription(
    p: &Portal,
    id: &str,
) -> Result<Option<Versioned<Subscription>>, Failure> {
    let sub = portico_store::get::<Subscription>(&*p.app.store, &p.caller.account, id).await?;
    Ok(sub.filter(|s| {
        s.value.customer == p.customer.value.id.as_str() && p.session.value.on_behalf_of.is_none()
    }))
}

/// The card `id` if it is attached to the session's customer.
async fn own_card(p: &Portal, id: &str) -> Result<Option<PaymentMethod>, Failure> {
    let pm = portico_store::get::<PaymentMethod>(&*p.app.store, &p.caller.account, id).await?;
    Ok(pm
        .map(|v| v.value)
        .filter(|pm| pm.belongs_to(p.customer.value.id.as_str())))
}

/// `POST …/payment-methods/{pm}/default`
pub async fn make_default(
    State(app): State<App>,
    Path((token, pm_id)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let p = enter!(app, token, headers, Page::Home);
    if p.checked_form(&body).is_none() {
        return p.forged();
    }
    if !p.config.features.payment_method_update.enabled {
        return p.not_found();
    }
    match own_card(&p, &pm_id).await {
        Ok(Some(_)) => {}
        Ok(None) => return p.not_found(),
        Err(e) => return p.failed(e.error.message),
    }
    match set_default_card(&p, &pm_id).await {
        Ok(()) => p.redirect("?notice=default_set"),
        Err(e) => p.failed(e.error.message),
    }
}

/// Makes `pm_id` the customer's default payment method (`invoice_settings`).
pub(super) async fn set_default_card(p: &Portal, pm_id: &str) -> Result<(), Failure> {
    crate::objects::modify::<portico_domain::customer::Customer, _>(
        &p.app,
        &p.caller.account,
        p.customer.value.id.as_str(),
        None,
        |c| {
            c.invoice_settings.default_payment_method = Some(pm_id.to_owned());
            Ok(Vec::new())
        },
    )
    .await
    .map(|_| ())
}

/// `POST …/payment-methods/{pm}/remove`
pub async fn remove(
    State(app): State<App>,
    Path((token, pm_id)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let p = enter!(app, token, headers, Page::Home);
    if p.checked_form(&body).is_none() {
        return p.forged();
    }
    if !p.config.features.payment_method_update.enabled {
        return p.not_found();
    }
    let allowed = async {
        let Some(pm) = own_card(&p, &pm_id).await? else {
            return Ok::<_, Failure>(None);
        };
        let all = cards(&p).await?;
        let subscribed = !subscriptions(&p).await?.is_empty();
        let default = p
            .customer
            .value
            .invoice_settings
            .default_payment_method
            .as_deref();
        Ok(Some(removable(&pm, default, all.len(), subscribed)))
    };
    match allowed.await {
        Ok(Some(true)) => {}
        Ok(Some(false)) => {
            return p.notice(StatusCode::CONFLICT, "card-keep-heading", "card-keep-body")
        }
        Ok(None) => return p.not_found(),
        Err(e) => return p.failed(e.error.message),
    }
    match crate::api::payment_method::detach(&p.app, &p.caller.account, &pm_id).await {
        Ok(_) => p.redirect("?notice=card_removed"),
        Err(e) => p.failed(e.error.message),
    }
}

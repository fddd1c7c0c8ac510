//! The portal homepage: the customer's subscriptions, payment methods, billing information and
//! invoices, each shown as the configuration allows; and its small actions (renew a
//! subscription set to cancel, make a card the default, remove a card).

use super::view::{
    discount_line, plan_of, plan_price, CardView, InvoiceHistory, Layout, SubscriptionView,
};
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
use portico_domain::subscription::{Subscription, SubscriptionStatus};
use portico_store::{Cursor, Filter, ListQuery, Object, Read, Versioned, Write};
use std::collections::HashMap;

#[derive(Template)]
#[template(path = "portal/home.html")]
struct HomePage {
    l: Layout,
    notice: Option<String>,
    subscriptions: Vec<SubscriptionView>,
    cards: Option<Vec<CardView>>,
    billing: Option<BillingView>,
    invoices: Option<InvoiceHistory>,
    /// The credit the customer's balance holds for their next invoices, written out.
    credit: Option<String>,
    /// "Current plan", or "Current plans" above more than one.
    subs_heading: String,
}

/// The customer's billing information, line by line.
struct BillingView {
    lines: Vec<(String, String)>,
    can_edit: bool,
}

/// The first page of the objects of a kind that `customer` (a parent filter) owns, newest first.
pub(super) fn customer_query<T: Object>(customer: &Filter, limit: usize) -> ListQuery {
    ListQuery {
        kind: T::KIND,
        filters: vec![customer.clone()],
        cursor: Cursor::Start,
        limit,
        include_deleted: false,
    }
}

/// What the homepage lists of the customer's, all read together.
struct Listed {
    /// The subscriptions the portal shows: not ended, and (for a session made `on_behalf_of`
    /// an account) only that account's — none here, as Portico's subscriptions are never made
    /// on behalf of another account.
    subscriptions: Vec<Versioned<Subscription>>,
    /// Whether the customer has a subscription that is not ended, shown or not: while one
    /// runs, they keep a card.
    subscribed: bool,
    /// The cards such subscriptions are charged to as their own default.
    charged: Vec<String>,
    /// The customer's cards, the default first, when asked for.
    cards: Option<Vec<PaymentMethod>>,
    /// The newest invoices (drafts among them) and whether there are more, when asked for and
    /// the session is not made on behalf of another account.
    invoices: Option<(Vec<Invoice>, bool)>,
}

/// Reads [`Listed`]: the first page of each list in one read, the rest of the subscriptions
/// (past 100) after.
async fn listed(p: &Portal, cards: bool, invoices: bool) -> Result<Listed, Failure> {
    let (store, account) = (&*p.app.store, &p.caller.account);
    let own = p.session.value.on_behalf_of.is_none();
    let customer = Filter::Parent(p.customer.value.id.as_str().to_owned());
    let cards_q = cards.then(|| customer_query::<PaymentMethod>(&customer, 100));
    let invoices_q =
        (invoices && own).then(|| customer_query::<Invoice>(&customer, InvoiceHistory::SHOWN * 2));
    // Read even when none is shown (`on_behalf_of`): a running one keeps the customer's card.
    let subs_q = crate::billing::live_query(customer);
    let reads: Vec<Read> = [Some(&subs_q), cards_q.as_ref(), invoices_q.as_ref()]
        .into_iter()
        .flatten()
        .map(|q| Read::List(q.clone()))
        .collect();
    let found = store.read_many(account, &reads).await?;
    let mut pages = portico_store::one_page_each(&reads, found)?.into_iter();
    let mut next = || pages.next().unwrap_or_default();
    let (subs_page, cards_page, invoices_page) = (
        next(),
        cards_q.as_ref().map(|_| next()),
        invoices_q.as_ref().map(|_| next()),
    );
    let live = crate::billing::live_subscriptions_from(&p.app, account, subs_q, subs_page).await?;
    let subscribed = !live.is_empty();
    let charged = live
        .iter()
        .filter_map(|s| s.value.default_payment_method.clone())
        .collect();
    let subscriptions = if own { live } else { Vec::new() };
    let cards = match cards_page {
        Some(page) => {
            let mut cards: Vec<PaymentMethod> =
                portico_store::decode_all::<PaymentMethod>(store, account, &page)?
                    .into_iter()
                    .map(|v| v.value)
                    .filter(|pm| !pm.detached)
                    .collect();
            let default = p
                .customer
                .value
                .invoice_settings
                .default_payment_method
                .as_ref();
            cards.sort_by_key(|pm| Some(&pm.id) != default);
            Some(cards)
        }
        None => None,
    };
    let invoices = match invoices_page {
        Some(page) => Some((
            portico_store::decode_all::<Invoice>(store, account, &page)?
                .into_iter()
                .map(|v| v.value)
                .collect(),
            page.has_more,
        )),
        None => None,
    };
    Ok(Listed {
        subscriptions,
        subscribed,
        charged,
        cards,
        invoices,
    })
}

/// Whether the customer may remove `pm`: while a subscription runs, they keep their default
/// card, the card a running subscription is charged to as its own, and at least one card.
fn removable(
    pm: &PaymentMethod,
    default: Option<&str>,
    subscribed: bool,
    charged: &[String],
    count: usize,
) -> bool {
    let id = pm.id.as_str();
    !subscribed || (count > 1 && default != Some(id) && !charged.iter().any(|c| c == id))
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

/// What an incomplete or past-due subscription waits on, and where to pay it: its latest
/// invoice, open. (Other subscriptions cost no read here.)
async fn unpaid(p: &Portal, sub: &Subscription) -> Result<Option<(String, String)>, Failure> {
    let incomplete = match sub.status {
        SubscriptionStatus::Incomplete => true,
        SubscriptionStatus::PastDue | SubscriptionStatus::Unpaid => false,
        _ => return Ok(None),
    };
    let Some(id) = &sub.latest_invoice else {
        return Ok(None);
    };
    // Past due for a sent invoice left unpaid: the oldest such invoice is the one to pay.
    let overdue = if !incomplete && sub.sends_invoices() {
        let now = p.now;
        crate::billing::oldest_overdue(&p.app, &p.caller.account, sub, now).await?
    } else {
        None
    };
    let inv = match overdue {
        Some(o) => Some(o),
        None => {
            let latest =
                portico_store::get::<Invoice>(&*p.app.store, &p.caller.account, id).await?;
            // The latest may be a renewal's draft waiting its hour: the one to pay is the one
            // unpaid.
            match latest.filter(|i| i.value.status == InvoiceStatus::Open) {
                Some(open) => Some(open),
                None => {
                    crate::billing::unpaid_invoice(&p.app, &p.caller.account, sub, false, None)
                        .await?
                }
            }
        }
    };
    // A sent invoice past its due date was never charged: nothing failed.
    let key = match &inv {
        _ if incomplete => "sub-incomplete-pay",
        Some(i) if i.value.overdue_at(p.now) => "sub-overdue-pay",
        _ => "sub-past-due-pay",
    };
    // The payment page leads back here.
    let url = inv
        .filter(|i| i.value.status == InvoiceStatus::Open)
        .and_then(|i| {
            p.app
                .links(&p.caller.account, p.app.clock.now())
                .hosted_invoice(&i.value)
        })
        .map(|u| crate::pages::hosted_invoice::pay_link(&u, &p.base()));
    Ok(url.map(|u| (p.t.s(key), u)))
}

/// "Charged to Visa •••• 4242" for a subscription charged to a card of its own rather than the
/// customer's default: the customer sees why that card cannot be removed while it runs.
async fn own_card_line(p: &Portal, sub: &Subscription) -> Result<Option<String>, Failure> {
    let Some(id) = sub.default_payment_method.as_deref() else {
        return Ok(None);
    };
    if p.default_card() == Some(id) {
        return Ok(None);
    }
    let pm = portico_store::get::<PaymentMethod>(&*p.app.store, &p.caller.account, id).await?;
    Ok(pm
        .filter(|pm| pm.value.belongs_to(p.customer.value.id.as_str()))
        .map(|pm| super::view::paid_with_line(&p.t, &pm.value)))
}

/// The discounts in force on `sub`, for its card. (Most subscriptions have none, and cost no
/// read here.)
async fn discount_lines(p: &Portal, sub: &Subscription) -> Result<Vec<String>, Failure> {
    let found =
        crate::billing::discounts_in_force(&p.app, &p.caller.account, sub, p.now, &[]).await?;
    Ok(found
        .iter()
        .map(|(d, c)| discount_line(&p.t, d, c, &sub.currency))
        .collect())
}

/// Notices the homepage shows after an action (by key: nothing from the query is echoed).
const NOTICES: &[&str] = &[
    "canceled",
    "canceling",
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
    let listed = listed(p, f.payment_method_update.enabled, f.invoice_history).await?;
    let subs = listed.subscriptions;
    let mut views = Vec::with_capacity(subs.len());
    for s in &subs {
        let resume = super::update::resume_link(p, &s.value).await?;
        let change = match (&resume, &s.value.pending_update) {
            (Some(_), Some(pending)) => pending.items.first().map(|item| {
                let plan = plan_of(item, &s.value.currency);
                t.f(
                    "sub-change-waiting",
                    vec![
                        ("product", plan.product.clone().into()),
                        ("price", plan_price(t, &plan).into()),
                    ],
                )
            }),
            _ => scheduled_change(p, &s.value).await?,
        };
        let discounts = discount_lines(p, &s.value).await?;
        let mut view = SubscriptionView::new(p, &s.value, change, discounts);
        view.resume = resume;
        view.paid_with = own_card_line(p, &s.value).await?;
        if let Some((text, url)) = unpaid(p, &s.value).await? {
            view.next = text;
            view.pay = Some(url);
        }
        views.push(view);
    }
    let cards = listed.cards.as_ref().map(|all| {
        let default = p.default_card();
        all.iter()
            .map(|pm| {
                let is_default = default == Some(pm.id.as_str());
                let can_remove =
                    removable(pm, default, listed.subscribed, &listed.charged, all.len());
                CardView::new(t, pm, is_default, can_remove)
            })
            .collect()
    });
    let billing = f.customer_update.enabled.then(|| billing_view(p));
    let invoices = listed
        .invoices
        .as_ref()
        .map(|(list, has_more)| InvoiceHistory::new(p, list, *has_more));
    let subs_heading = t.f(
        "home-subscriptions",
        vec![("count", (views.len().max(1) as i64).into())],
    );
    Ok(HomePage {
        l: p.layout(t.s("home-title")),
        notice: notice
            .filter(|n| NOTICES.contains(n))
            .map(|n| t.s(&format!("notice-{}", n.replace('_', "-")))),
        subs_heading,
        subscriptions: views,
        cards,
        billing,
        invoices,
        credit: credit_line(p),
    })
}

/// "Your account has a credit of …": a negative balance, which the next invoices use (in the
/// currency of the customer's invoices). (Only for the customer's own session: a balance
/// belongs to the account's own invoices.)
fn credit_line(p: &Portal) -> Option<String> {
    let c = &p.customer.value;
    let currency = c.currency.as_deref()?;
    (c.balance < 0 && p.session.value.on_behalf_of.is_none()).then(|| {
        p.t.f(
            "home-credit",
            vec![("amount", p.t.money(-c.balance, currency).into())],
        )
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

/// Makes `pm_id` the customer's default payment method (`invoice_settings`), and the card of
/// their subscriptions that carry one of their own ([`subscriptions_follow`]).
pub(super) async fn set_default_card(p: &Portal, pm_id: &str) -> Result<(), Failure> {
    with_retries(|| async move {
        let writes = default_card_writes(p, pm_id).await?;
        commit(&p.app, &p.caller.account, writes).await
    })
    .await
}

/// The writes that make `pm_id` the customer's default card, read afresh (for a retry after a
/// lost race), and the card of their subscriptions that carry one of their own.
pub(super) async fn default_card_writes(p: &Portal, pm_id: &str) -> Result<Vec<Write>, Failure> {
    let mut customer = crate::objects::load_live::<portico_domain::customer::Customer>(
        &p.app,
        &p.caller.account,
        p.customer.value.id.as_str(),
        None,
    )
    .await?;
    customer.value.invoice_settings.default_payment_method = Some(pm_id.to_owned());
    let mut writes = vec![Write::Update(customer.next_record())];
    writes.extend(subscriptions_follow(p, pm_id).await?);
    Ok(writes)
}

/// The writes that give `pm_id` to the customer's live subscriptions that carry a card of their
/// own (`default_payment_method`, as Checkout leaves it): it would otherwise still be charged
/// instead of the card the customer has just chosen in the portal.
async fn subscriptions_follow(p: &Portal, pm_id: &str) -> Result<Vec<Write>, Failure> {
    let customer = Filter::Parent(p.customer.value.id.as_str().to_owned());
    let live = crate::billing::live_subscriptions(&p.app, &p.caller.account, customer).await?;
    Ok(live
        .into_iter()
        .filter(|s| {
            s.value
                .default_payment_method
                .as_deref()
                .is_some_and(|own| own != pm_id)
        })
        .map(|mut s| {
            s.value.default_payment_method = Some(pm_id.to_owned());
            Write::Update(s.next_record())
        })
        .collect())
}

/// `POST …/payment-methods/{pm}/remove`
#[derive(Template)]
#[template(path = "portal/remove_card.html")]
struct RemoveCardPage {
    l: Layout,
    id: String,
    body: String,
}

/// Whether the customer may remove `pm_id`: `None` when it is not theirs.
async fn may_remove(p: &Portal, pm_id: &str) -> Result<Option<(PaymentMethod, bool)>, Failure> {
    let Some(pm) = own_card(p, pm_id).await? else {
        return Ok(None);
    };
    let listed = listed(p, true, false).await?;
    let count = listed.cards.as_ref().map_or(0, Vec::len);
    let default = p.default_card();
    let ok = removable(&pm, default, listed.subscribed, &listed.charged, count);
    Ok(Some((pm, ok)))
}

/// `GET …/payment-methods/{pm}/remove`: asks before a card goes.
pub async fn confirm_remove(
    State(app): State<App>,
    Path((token, pm_id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let p = enter!(app, token, headers, Page::Home);
    if !p.config.features.payment_method_update.enabled {
        return p.not_found();
    }
    match may_remove(&p, &pm_id).await {
        Ok(Some((pm, true))) => {
            let card = CardView::new(&p.t, &pm, false, true);
            let page = RemoveCardPage {
                l: p.layout(p.t.s("card-remove-title")),
                id: pm.id.clone(),
                body: p.t.f(
                    "card-remove-body",
                    vec![
                        ("card", card.label().into()),
                        (
                            "expires",
                            format!("{:02}/{}", pm.card.exp_month, pm.card.exp_year).into(),
                        ),
                    ],
                ),
            };
            p.render(StatusCode::OK, &page)
        }
        Ok(Some((_, false))) => {
            p.notice(StatusCode::CONFLICT, "card-keep-heading", "card-keep-body")
        }
        Ok(None) => p.not_found(),
        Err(e) => p.failed(e.error.message),
    }
}

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
    match may_remove(&p, &pm_id).await {
        Ok(Some((_, true))) => {}
        Ok(Some((_, false))) => {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn future_size<A, B, C, D, F>(_: impl FnOnce(A, B, C, D) -> F) -> usize {
        std::mem::size_of::<F>()
    }

    /// Opening the session (several kilobytes of state across its reads) and the portal it
    /// opens stay on the heap, out of the copies the router's layers make of the homepage's
    /// future.
    #[test]
    fn the_homepage_moves_a_small_future() {
        assert!(future_size(show) <= 3072, "{}", future_size(show));
    }
}

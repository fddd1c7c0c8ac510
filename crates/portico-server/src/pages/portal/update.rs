//! Changing a plan: choosing among the configuration's products and prices (by interval), the
//! quantity within its bounds and a promotion code when allowed; then the preview — what is due
//! today, the prorations, the next invoice — from the same engine as
//! `POST /v1/invoices/create_preview`; then the change itself, now (as
//! `POST /v1/subscriptions/{id}` makes it) or, when `schedule_at_period_end` says so, at the end
//! of the period through a subscription schedule. The `subscription_update_confirm` flow goes
//! straight to the preview of the items and discounts its session names.
//!
//! Payment happens in place: a declined card changes nothing and the customer can add another;
//! a card that needs 3-D Secure keeps the change pending until the customer authenticates.

use super::card::card_error_message;
use super::home::own_subscription;
use super::view::{line_view, plan_of, plan_price, plan_summary, tiered_total, Layout, LineView};
use super::{Page, Portal};
use crate::api::price::PriceRef;
use crate::api::subscription::{has_paid_before, DiscountRequest};
use crate::api::subscription_change::{
    next_renewal, preview_change, update_with_change, ChangeParams, ItemParam, PORTAL_PAYMENT,
};
use crate::http::Failure;
use crate::pages::i18n::T;
use crate::state::App;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use portico_domain::coupon::Coupon;
use portico_domain::customer::Customer;
use portico_domain::invoice::{Invoice, InvoiceStatus, Line};
use portico_domain::portal::{defer_to_period_end, Outcome, PlanSummary, PlanTerms};
use portico_domain::price::Price;
use portico_domain::product::Product;
use portico_domain::promotion_code::{code_key, PromotionCode, Redemption};
use portico_domain::schedule::{phase_items, PhaseItem, PhaseRequest, Schedule};
use portico_domain::subscription::{
    ProrationBehavior, Subscription, SubscriptionStatus, MAX_QUANTITY,
};
use portico_domain::Ctx;
use portico_store::{Versioned, Write};
use std::collections::HashMap;

/// Whether the session is a `subscription_update_confirm` flow still open.
fn confirm_flow(p: &Portal) -> bool {
    p.session
        .value
        .open_flow()
        .is_some_and(|f| f.kind == "subscription_update_confirm")
}

/// A price the customer can switch to.
struct PlanOption {
    price: Price,
    product: String,
    label: String,
    current: bool,
}

impl PlanOption {
    fn interval(&self) -> &str {
        self.price
            .recurring
            .as_ref()
            .map(|r| r.interval.as_str())
            .unwrap_or("month")
    }
}

/// What a plan option costs, as its card shows it: a price billed per unit by its unit amount
/// per interval; a tiered one, which has no one price per unit, by what `quantity` (the
/// subscription's) would cost under it (`$91.00 / month for 8`).
fn option_label(t: &T, price: &Price, quantity: i64, currency: &str) -> String {
    let (interval, count) = price
        .recurring
        .as_ref()
        .map_or(("month", 1), |r| (r.interval.as_str(), r.interval_count));
    match price.unit_amount {
        Some(each) if price.tiers.is_none() => t.per_interval(each, currency, interval, count),
        _ => {
            let total = t.per_interval(price.amount_for(quantity), currency, interval, count);
            tiered_total(t, quantity, total)
        }
    }
}

/// The prices the configuration offers for `sub`, the current one first.
async fn options(p: &Portal, sub: &Subscription) -> Result<Vec<PlanOption>, Failure> {
    let current = &sub.items[0];
    let t = &p.t;
    let mut out = vec![PlanOption {
        label: option_label(t, &current.price, current.quantity, &sub.currency),
        price: current.price.clone(),
        product: current.product_name.clone(),
        current: true,
    }];
    let u = &p.config.features.subscription_update;
    if !u.allows("price") {
        return Ok(out);
    }
    let store = &*p.app.store;
    let account = &p.caller.account;
    for entry in u.products.iter().flatten() {
        let Some(product) = portico_store::get::<Product>(store, account, &entry.product).await?
        else {
            continue;
        };
        if !product.value.active || product.value.deleted {
            continue;
        }
        for id in &entry.prices {
            if id == current.price.id.as_str() {
                continue;
            }
            let Some(price) = portico_store::get::<Price>(store, account, id).await? else {
                continue;
            };
            let price = price.value;
            let usable = price.active && price.currency.code() == sub.currency;
            if !usable || price.recurring.is_none() {
                continue;
            }
            out.push(PlanOption {
                label: option_label(t, &price, current.quantity, &sub.currency),
                price,
                product: product.value.name.clone(),
                current: false,
            });
        }
    }
    Ok(out)
}

/// A change the customer asked for, checked against the configuration.
struct Target {
    price: Price,
    product: String,
    quantity: i64,
    /// New discounts: the flow's, or the promotion code entered.
    discounts: Vec<DiscountRequest>,
    /// The code as entered, to carry through the confirmation form.
    code: Option<String>,
}

impl Target {
    fn plan(&self, currency: &str) -> PlanSummary {
        plan_summary(&self.product, &self.price, self.quantity, currency)
    }
}

/// Why a requested change cannot be made, in the customer's words, and the field of the choose
/// page it is about (`price`, `quantity`, `promotion_code`), if one.
struct Refusal {
    message: String,
    field: Option<&'static str>,
}

impl Refusal {
    fn at(field: &'static str, message: String) -> Refusal {
        Refusal {
            message,
            field: Some(field),
        }
    }

    /// About the change as a whole (a deep link's that no longer applies).
    fn whole(message: String) -> Refusal {
        Refusal {
            message,
            field: None,
        }
    }
}

/// The change the customer picked on the choose page (`price`, `quantity`, `promotion_code`).
async fn target_from_choice(
    p: &Portal,
    sub: &Subscription,
    q: &HashMap<String, String>,
) -> Result<Result<Target, Refusal>, Failure> {
    let t = &p.t;
    let current = &sub.items[0];
    let opts = options(p, sub).await?;
    let price_id = q
        .get("price")
        .cloned()
        .unwrap_or_else(|| current.price.id.to_string());
    let Some(option) = opts.into_iter().find(|o| o.price.id.as_str() == price_id) else {
        return Ok(Err(Refusal::at("price", t.s("error-plan"))));
    };
    // A plan whose quantity is fixed keeps the current one, whatever the (hidden) field sent.
    let bounds = p.config.quantity_bounds(option.price.id.as_str());
    let quantity = match q
        .get("quantity")
        .map(|s| s.trim())
        .filter(|s| !s.is_empty() && bounds.is_some())
    {
        None => current.quantity,
        Some(s) => match s.parse::<i64>() {
            Ok(n) if n >= 1 => n,
            _ => return Ok(Err(Refusal::at("quantity", t.s("error-quantity")))),
        },
    };
    if let Some((min, max)) = bounds.filter(|_| quantity != current.quantity) {
        if quantity < min || max.is_some_and(|m| quantity > m) {
            return Ok(Err(Refusal::at("quantity", bounds_text(p, min, max))));
        }
    }
    let code = q
        .get("promotion_code")
        .map(|c| c.trim().to_owned())
        .filter(|c| !c.is_empty() && p.config.allows_promotion_codes());
    let mut discounts = Vec::new();
    if let Some(c) = &code {
        match redeemable_code(p, sub, c, option.price.amount_for(quantity), &option.price).await? {
            Some(promo) => discounts.push(DiscountRequest::PromotionCode(promo.id)),
            None => {
                return Ok(Err(Refusal::at(
                    "promotion_code",
                    t.s("error-promotion-code"),
                )))
            }
        }
    }
    if option.current && quantity == current.quantity && discounts.is_empty() {
        return Ok(Err(Refusal::at("price", t.s("error-no-change"))));
    }
    Ok(Ok(Target {
        price: option.price,
        product: option.product,
        quantity,
        discounts,
        code,
    }))
}

/// `Between 1 and 10` (or `At least 2`).
fn bounds_text(p: &Portal, min: i64, max: Option<i64>) -> String {
    match max {
        Some(m) => p.t.f(
            "quantity-between",
            vec![("min", min.into()), ("max", m.into())],
        ),
        None => p.t.f("quantity-at-least", vec![("min", min.into())]),
    }
}

/// The active promotion code `code` (any case) if the customer may redeem it for `amount`.
async fn redeemable_code(
    p: &Portal,
    sub: &Subscription,
    code: &str,
    amount: i64,
    price: &Price,
) -> Result<Option<PromotionCode>, Failure> {
    let store = &*p.app.store;
    let account = &p.caller.account;
    let Some(record) = store
        .get_by_unique_key(account, "promotion_code", &code_key(code))
        .await?
    else {
        return Ok(None);
    };
    let promo = Versioned::<PromotionCode>::from_record(&record)?.value;
    let Some(coupon) = portico_store::get::<Coupon>(store, account, &promo.coupon).await? else {
        return Ok(None);
    };
    let redemption = Redemption {
        customer: &sub.customer,
        customer_has_paid_before: has_paid_before(&p.app, account, &sub.customer).await?,
        amount,
        currency: &price.currency,
    };
    Ok(promo
        .check_redeemable(&coupon.value, &redemption, p.now, "promotion_code")
        .is_ok()
        .then_some(promo))
}

/// The change a `subscription_update_confirm` session names (already checked when the
/// session was made; the subscription may have changed since).
async fn target_from_flow(
    p: &Portal,
    sub: &Subscription,
) -> Result<Result<Target, Refusal>, Failure> {
    let Some(flow) = p
        .session
        .value
        .open_flow()
        .and_then(|f| f.subscription_update_confirm.as_ref())
    else {
        return Ok(Err(Refusal::whole(p.t.s("error-plan"))));
    };
    let current = &sub.items[0];
    let Some(item) = flow.items.first().filter(|i| i.id == current.id) else {
        return Ok(Err(Refusal::whole(p.t.s("error-plan"))));
    };
    let (price, product) = match &item.price {
        Some(id) if id != current.price.id.as_str() => {
            let store = &*p.app.store;
            let Some(price) = portico_store::get::<Price>(store, &p.caller.account, id).await?
            else {
                return Ok(Err(Refusal::whole(p.t.s("error-plan"))));
            };
            let name = portico_store::get::<Product>(
                store,
                &p.caller.account,
                price.value.product.as_str(),
            )
            .await?
            .map(|p| p.value.name)
            .unwrap_or_default();
            (price.value, name)
        }
        _ => (current.price.clone(), current.product_name.clone()),
    };
    let discounts = flow
        .discounts
        .iter()
        .flatten()
        .filter_map(|d| {
            d.coupon
                .clone()
                .map(DiscountRequest::Coupon)
                .or(d.promotion_code.clone().map(DiscountRequest::PromotionCode))
        })
        .collect();
    Ok(Ok(Target {
        price,
        product,
        quantity: item.quantity.unwrap_or(current.quantity),
        discounts,
        code: None,
    }))
}

/// The subscription's discounts with `fresh` ones added (a coupon it already has is not
/// applied twice).
async fn with_existing(
    p: &Portal,
    sub: &Subscription,
    fresh: &[DiscountRequest],
) -> Result<Vec<DiscountRequest>, Failure> {
    let mut coupons = Vec::new();
    let mut out = Vec::new();
    for id in &sub.discounts {
        if let Some(d) = portico_store::get::<portico_domain::discount::Discount>(
            &*p.app.store,
            &p.caller.account,
            id,
        )
        .await?
        {
            coupons.push(d.value.coupon.clone());
        }
        out.push(DiscountRequest::Existing(id.clone()));
    }
    for d in fresh {
        let coupon = match d {
            DiscountRequest::Coupon(c) => Some(c.clone()),
            DiscountRequest::PromotionCode(id) => {
                portico_store::get::<PromotionCode>(&*p.app.store, &p.caller.account, id)
                    .await?
                    .map(|pc| pc.value.coupon)
            }
            DiscountRequest::Existing(_) => None,
        };
        if coupon.as_ref().is_some_and(|c| coupons.contains(c)) {
            continue;
        }
        coupons.extend(coupon);
        out.push(d.clone());
    }
    Ok(out)
}

/// The engine's parameters for `target`, per the configuration's proration and anchor.
fn change_params(p: &Portal, sub: &Subscription, target: &Target) -> ChangeParams {
    let u = &p.config.features.subscription_update;
    let current = &sub.items[0];
    let trialing = sub.status == SubscriptionStatus::Trialing;
    ChangeParams {
        items: vec![ItemParam {
            id: Some(current.id.clone()),
            price: (target.price.id != current.price.id)
                .then(|| PriceRef::Id(target.price.id.to_string())),
            quantity: Some(target.quantity),
            ..Default::default()
        }],
        behavior: if trialing {
            ProrationBehavior::None
        } else {
            ProrationBehavior::parse(&u.proration_behavior).unwrap_or(ProrationBehavior::None)
        },
        proration_date: None,
        anchor_now: u.billing_cycle_anchor.as_deref() == Some("now") && !trialing,
        anchor_at: None,
        payment_behavior: PORTAL_PAYMENT,
        // The customer is in the portal: a card that wants authentication on-session gets it.
        off_session: false,
        invoice_items: Vec::new(),
        billing_mode: None,
    }
}

/// Whether the change waits for the end of the period (`schedule_at_period_end`).
fn deferred(p: &Portal, sub: &Subscription, target: &Target) -> bool {
    let current = &sub.items[0];
    let (Some(from_r), Some(to_r)) = (&current.price.recurring, &target.price.recurring) else {
        return false;
    };
    sub.status != SubscriptionStatus::Trialing
        && defer_to_period_end(
            &p.config.features.subscription_update.schedule_conditions,
            &PlanTerms {
                product: current.price.product.as_str(),
                amount: current.price.amount_for(current.quantity),
                quantity: current.quantity,
                recurring: from_r,
            },
            &PlanTerms {
                product: target.price.product.as_str(),
                amount: target.price.amount_for(target.quantity),
                quantity: target.quantity,
                recurring: to_r,
            },
        )
}

/// Whether the change ends a running trial now (`trial_update_behavior=end_trial`).
fn ends_trial(p: &Portal, sub: &Subscription) -> bool {
    sub.status == SubscriptionStatus::Trialing
        && p.config.features.subscription_update.trial_update_behavior == "end_trial"
}

#[derive(Template)]
#[template(path = "portal/preview.html")]
struct PreviewPage {
    l: Layout,
    sub_id: String,
    from: String,
    from_product: String,
    to: String,
    to_product: String,
    /// A sentence on when the change takes effect.
    timing: String,
    lines: Vec<LineView>,
    /// Between the lines and the amount due: what discounts and the customer's balance take
    /// off the invoice due today, so that the figures add up.
    adjustments: Vec<(String, String)>,
    /// Under the lines when they wait for the next invoice rather than being charged today.
    lines_note: Option<String>,
    due_today: String,
    /// The card today's amount is charged to (`Visa •••• 4242`), when something is due.
    paid_with: Option<String>,
    next: Option<(String, String)>,
    /// What goes to the customer's balance when today's invoice is a credit.
    credit_note: Option<String>,
    error: Option<String>,
    /// Where "use another card" leads, after a decline.
    card_url: Option<String>,
    /// Hidden fields of the confirmation form.
    fields: Vec<(&'static str, String)>,
    back_url: String,
}

/// The coupons of the discounts `requests` add (a coupon, or a promotion code's), in order.
async fn added_coupons(p: &Portal, requests: &[DiscountRequest]) -> Result<Vec<Coupon>, Failure> {
    let (store, account) = (&*p.app.store, &p.caller.account);
    let mut out = Vec::new();
    for r in requests {
        let coupon_id = match r {
            DiscountRequest::Coupon(id) => Some(id.clone()),
            DiscountRequest::PromotionCode(id) => {
                portico_store::get::<PromotionCode>(store, account, id)
                    .await?
                    .map(|pc| pc.value.coupon.clone())
            }
            DiscountRequest::Existing(_) => None,
        };
        if let Some(id) = coupon_id {
            if let Some(c) = portico_store::get::<Coupon>(store, account, &id).await? {
                out.push(c.value);
            }
        }
    }
    Ok(out)
}

/// The preview of `target` for `sub`.
async fn preview_page(
    p: &Portal,
    sub: &Versioned<Subscription>,
    target: &Target,
    error: Option<String>,
    card_url: Option<String>,
) -> Result<PreviewPage, Failure> {
    let t = &p.t;
    let api = p.api();
    let s = &sub.value;
    let from = plan_of(&s.items[0], &s.currency);
    let to = target.plan(&s.currency);
    let discounts = with_existing(p, s, &target.discounts).await?;
    let discounts = (!target.discounts.is_empty()).then_some(discounts.as_slice());
    let end = s.current_period().1;
    let names = vec![
        (
            s.items[0].price.product.to_string(),
            s.items[0].product_name.clone(),
        ),
        (target.price.product.to_string(), target.product.clone()),
    ];
    let line = |l: &Line| line_view(&p.t, l, &names, &s.currency);
    let mut lines = Vec::new();
    // The invoice due today (if any): what is due, and its discounts and balance.
    let (today, next, timing): (Option<Invoice>, _, _) = if deferred(p, s, target) {
        let mut change = change_params(p, s, target);
        change.behavior = ProrationBehavior::None;
        change.proration_date = Some(end);
        let pv = preview_change(&p.app, &api, sub, Some(&change), discounts, end, false).await?;
        let next = pv.now.or(pv.next);
        let timing = t.f("preview-timing-later", vec![("date", t.date(end).into())]);
        (None, next.map(|i| (end, i)), timing)
    } else if ends_trial(p, s) {
        let change = change_params(p, s, target);
        let pv = preview_change(&p.app, &api, sub, Some(&change), discounts, p.now, false).await?;
        let mut after = pv.after;
        after.set_trial_end(p.now, p.now)?;
        let mut customer =
            crate::objects::load::<Customer>(&p.app, &p.caller.account, &s.customer, None).await?;
        let first = next_renewal(&p.app, &p.caller.account, &after, &mut customer, &[]).await?;
        lines.extend(first.lines.iter().map(line));
        (Some(first), None, t.s("preview-timing-trial-ends"))
    } else {
        let change = change_params(p, s, target);
        let pv = preview_change(&p.app, &api, sub, Some(&change), discounts, p.now, false).await?;
        match &pv.now {
            Some(inv) => lines.extend(inv.lines.iter().map(line)),
            None => {
                let before = &s.pending_lines;
                lines.extend(
                    pv.after
                        .pending_lines
                        .iter()
                        .filter(|l| !before.iter().any(|b| b.id == l.id))
                        .map(line),
                );
            }
        }
        let when = pv
            .next
            .as_ref()
            .map(|_| pv.after.current_period().1)
            .unwrap_or(end);
        let timing = if s.status == SubscriptionStatus::Trialing {
            t.s("preview-timing-trial-continues")
        } else {
            t.s("preview-timing-now")
        };
        (pv.now, pv.next.map(|i| (when, i)), timing)
    };
    let due = today.as_ref().map_or(0, Invoice::amount_due);
    let sent_due = today
        .as_ref()
        .filter(|inv| inv.send_invoice)
        .and_then(|inv| inv.due_date);
    let paid_with = if let Some(at) = sent_due.filter(|_| due > 0) {
        // Sent to the customer rather than charged.
        Some(t.f("preview-sent-invoice", vec![("date", t.date(at).into())]))
    } else if due > 0 {
        crate::billing::payment_method_for(&p.app, &p.caller.account, s)
            .await?
            .map(|pm| super::view::paid_with_line(t, &pm))
    } else {
        None
    };
    let money = |a: i64| t.money(a, &s.currency);
    let mut adjustments = Vec::new();
    let taken: Vec<_> = today
        .iter()
        .flat_map(|inv| inv.total_discount_amounts())
        .filter(|d| d.amount != 0)
        .collect();
    // The discounts the change adds are not stored yet: named by their coupons, in order.
    let mut added = added_coupons(p, &target.discounts).await?.into_iter();
    for d in &taken {
        let label = super::view::discount_label(
            &p.app,
            &p.caller.account,
            t,
            &d.discount,
            &s.currency,
            &mut added,
        );
        adjustments.push((label.await?, money(-d.amount)));
    }
    if taken.is_empty() && !target.discounts.is_empty() {
        // Nothing off today's invoice (or no invoice today): the new discount counts for the
        // invoices to come; what it takes off the next one, when it takes something.
        // Only the new discounts: those the subscription already has are not the code's doing.
        let off: i64 = next
            .iter()
            .flat_map(|(_, inv)| inv.total_discount_amounts())
            .filter(|d| !s.discounts.contains(&d.discount))
            .map(|d| d.amount)
            .sum();
        let shown = if off > 0 {
            (t.s("preview-discount-next"), money(-off))
        } else {
            (t.s("preview-discount"), t.s("preview-discount-applied"))
        };
        adjustments.push(shown);
    }
    if let Some(balance) = today.as_ref().map(|inv| inv.starting_balance) {
        if balance != 0 {
            adjustments.push((t.s("invoice-balance"), money(balance)));
        }
    }
    // What today's invoice leaves on the customer's balance (negative: a credit for them).
    let balance_after = today
        .as_ref()
        .and_then(|inv| inv.ending_balance)
        .unwrap_or(p.customer.value.balance);
    let credit_note = today
        .as_ref()
        .filter(|inv| inv.total() < 0 && balance_after < 0)
        .map(|_| {
            t.f(
                "preview-credit",
                vec![("amount", money(-balance_after).into())],
            )
        });
    let mut fields = Vec::new();
    if !confirm_flow(p) {
        fields.push(("price", target.price.id.to_string()));
        fields.push(("quantity", target.quantity.to_string()));
        if let Some(c) = &target.code {
            fields.push(("promotion_code", c.clone()));
        }
    }
    let back_url = if confirm_flow(p) {
        p.session
            .value
            .return_url
            .clone()
            .unwrap_or_else(|| p.base())
    } else {
        format!("{}/subscriptions/{}/update", p.base(), s.id)
    };
    Ok(PreviewPage {
        l: p.layout(t.s("preview-title")),
        sub_id: s.id.clone(),
        from: plan_price(t, &from),
        from_product: from.product.clone(),
        to: plan_price(t, &to),
        to_product: to.product.clone(),
        timing,
        lines_note: (!lines.is_empty() && today.is_none())
            .then(|| t.s("preview-lines-next-invoice")),
        lines,
        adjustments,
        due_today: money(due),
        paid_with,
        // The next invoice takes the balance as today's invoice leaves it: a credit from today
        // is spent there.
        next: next.map(|(at, inv)| {
            (
                t.f("preview-next-invoice", vec![("date", t.date(at).into())]),
                t.money((inv.total() + balance_after).max(0), &s.currency),
            )
        }),
        credit_note,
        error,
        card_url,
        fields,
        back_url,
    })
}

#[derive(Template)]
#[template(path = "portal/update.html")]
struct ChoosePage {
    l: Layout,
    sub_id: String,
    current: String,
    intervals: Vec<(String, String, bool)>,
    /// What the interval tabs carry over (`&quantity=…&promotion_code=…`), already encoded.
    carry: String,
    /// Price, product, label, current, selected, and whether its quantity is fixed.
    options: Vec<(String, String, String, bool, bool, bool)>,
    quantity: i64,
    quantity_hint: Option<String>,
    /// The least and most the quantity field takes.
    quantity_range: (i64, i64),
    /// There is nothing to change to: no other plan, a quantity that is fixed, and no code to
    /// enter.
    nothing_else: bool,
    promo: bool,
    code: String,
    error: Option<String>,
    /// The field the error is about (`price`, `quantity`, `promotion_code`), marked invalid,
    /// described by the error, and focused.
    error_field: &'static str,
}

async fn choose_page(
    p: &Portal,
    sub: &Subscription,
    q: &HashMap<String, String>,
    error: Option<Refusal>,
) -> Result<ChoosePage, Failure> {
    let t = &p.t;
    let opts = options(p, sub).await?;
    let current = &opts[0];
    let mut intervals: Vec<String> = Vec::new();
    for o in &opts {
        if !intervals.iter().any(|i| i == o.interval()) {
            intervals.push(o.interval().to_owned());
        }
    }
    let chosen_price = q.get("price").cloned();
    let interval = q
        .get("interval")
        .filter(|i| intervals.contains(i))
        .cloned()
        .or_else(|| {
            chosen_price
                .as_ref()
                .and_then(|c| opts.iter().find(|o| o.price.id.as_str() == c))
                .map(|o| o.interval().to_owned())
        })
        .unwrap_or_else(|| current.interval().to_owned());
    let selected = chosen_price.unwrap_or_else(|| current.price.id.to_string());
    let shown = |o: &&PlanOption| intervals.len() < 2 || o.interval() == interval;
    // A plan chosen under the other interval stays chosen: its product's price in this one.
    let selected = match opts.iter().find(|o| o.price.id.as_str() == selected) {
        Some(chosen) if !shown(&chosen) => opts
            .iter()
            .filter(shown)
            .find(|o| o.price.product == chosen.price.product)
            .map_or(selected, |o| o.price.id.to_string()),
        _ => selected,
    };
    let fixed = |price: &str| p.config.quantity_bounds(price).is_none();
    // The configuration's order of products under every interval (the current price, when its
    // product is not offered, first).
    let rank = |o: &PlanOption| {
        p.config
            .features
            .subscription_update
            .products
            .iter()
            .flatten()
            .position(|e| e.product == o.price.product.as_str())
    };
    let mut ordered: Vec<&PlanOption> = opts.iter().filter(shown).collect();
    ordered.sort_by_key(|o| rank(o));
    let options = ordered
        .into_iter()
        .map(|o| {
            (
                o.price.id.to_string(),
                o.product.clone(),
                o.label.clone(),
                o.current,
                o.price.id.as_str() == selected,
                fixed(o.price.id.as_str()),
            )
        })
        .collect();
    let bounds: Vec<(i64, Option<i64>)> = opts
        .iter()
        .filter_map(|o| p.config.quantity_bounds(o.price.id.as_str()))
        .collect();
    let quantity_hint = bounds.first().map(|(min, max)| bounds_text(p, *min, *max));
    // A plan whose quantity is fixed keeps the current one (its field is hidden).
    // (A quantity in the address that the chosen plan cannot take is not carried.)
    let takes = |n: &i64| {
        p.config
            .quantity_bounds(&selected)
            .is_some_and(|(min, max)| (min..=max.unwrap_or(MAX_QUANTITY)).contains(n))
    };
    let quantity = q
        .get("quantity")
        .and_then(|s| s.parse::<i64>().ok())
        .filter(takes)
        .unwrap_or(sub.items[0].quantity);
    // The browser keeps to the widest of the plans' bounds (each plan's own are checked when
    // the form comes back), and takes the quantity the field starts with: a plan of fixed
    // quantity hides the field, and a hidden field the browser refuses would stop the form.
    let quantity_range = (
        bounds
            .iter()
            .map(|(min, _)| *min)
            .min()
            .unwrap_or(1)
            .min(quantity),
        bounds
            .iter()
            .map(|(_, max)| max.unwrap_or(MAX_QUANTITY))
            .max()
            .unwrap_or(MAX_QUANTITY)
            .max(quantity),
    );
    Ok(ChoosePage {
        l: p.layout(t.s("update-title")),
        sub_id: sub.id.clone(),
        current: format!(
            "{} · {}",
            current.product,
            plan_price(t, &plan_of(&sub.items[0], &sub.currency))
        ),
        intervals: if intervals.len() < 2 {
            Vec::new()
        } else {
            intervals
                .iter()
                .map(|i| (i.clone(), t.s(&format!("interval-tab-{i}")), *i == interval))
                .collect()
        },
        options,
        carry: ["quantity", "promotion_code"]
            .iter()
            .filter_map(|k| q.get(*k).map(|v| (k, v)))
            .map(|(k, v)| {
                let v: String = url::form_urlencoded::byte_serialize(v.as_bytes()).collect();
                format!("&{k}={v}")
            })
            .collect(),
        quantity,
        quantity_hint,
        quantity_range,
        nothing_else: opts.len() < 2
            && fixed(current.price.id.as_str())
            && !p.config.allows_promotion_codes(),
        promo: p.config.allows_promotion_codes(),
        code: q.get("promotion_code").cloned().unwrap_or_default(),
        error_field: error.as_ref().and_then(|e| e.field).unwrap_or(""),
        error: error.map(|e| e.message),
    })
}

/// The subscription for the update pages: the customer's, and one the portal can update.
async fn updatable(p: &Portal, sub_id: &str) -> Result<Option<Versioned<Subscription>>, Failure> {
    let confirm_flow = confirm_flow(p);
    Ok(own_subscription(p, sub_id).await?.filter(|s| {
        let ok = portico_domain::portal::update_block(&s.value).is_none();
        ok && (confirm_flow || p.config.can_update(&s.value))
    }))
}

/// The hosted authentication page of the payment a pending change of `sub` waits on, if it
/// waits on one: it comes back to `…/update/return` (with `q`, the change as the pages asked
/// for it), which applies the change once paid or drops it.
async fn authentication_awaited(
    p: &Portal,
    sub: &Subscription,
    q: &HashMap<String, String>,
) -> Result<Option<String>, Failure> {
    let (Some(_), Some(id)) = (&sub.pending_update, &sub.latest_invoice) else {
        return Ok(None);
    };
    let Some(invoice) = portico_store::get::<Invoice>(&*p.app.store, &p.caller.account, id).await?
    else {
        return Ok(None);
    };
    let mut back = format!(
        "{}/subscriptions/{}/update/return?invoice={id}",
        p.base(),
        sub.id
    );
    let mut asked: Vec<_> = q.iter().collect();
    asked.sort();
    for (k, v) in asked {
        back.push_str(&format!(
            "&{k}={}",
            url::form_urlencoded::byte_serialize(v.as_bytes()).collect::<String>()
        ));
    }
    Ok(super::invoice::authenticate_link(&invoice.value, &back))
}

/// Where a customer who left the authentication of `sub`'s waiting change picks it up again
/// ([`resume`]), if a change of it waits on one.
pub(super) async fn resume_link(p: &Portal, sub: &Subscription) -> Result<Option<String>, Failure> {
    let waiting = authentication_awaited(p, sub, &HashMap::new()).await?;
    Ok(waiting.map(|_| format!("{}/subscriptions/{}/update/resume", p.base(), sub.id)))
}

/// `GET …/subscriptions/{sub}/update/resume`: back to the authentication a change of the
/// subscription waits on, the change recorded for the confirmation that follows it.
pub async fn resume(
    State(app): State<App>,
    Path((token, sub_id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let p = enter!(app, token, headers, Page::Preview(&sub_id));
    let sub = match own_subscription(&p, &sub_id).await {
        Ok(Some(s)) => s.value,
        Ok(None) => return p.not_found(),
        Err(e) => return p.failed(e.error.message),
    };
    let url = match authentication_awaited(&p, &sub, &HashMap::new()).await {
        Ok(Some(url)) => url,
        // Nothing waits any more (paid, dropped or expired): the portal as it is.
        Ok(None) => return p.redirect(""),
        Err(e) => return p.failed(e.error.message),
    };
    let to = sub
        .pending_update
        .as_ref()
        .and_then(|u| u.items.first())
        .map(|i| plan_of(i, &sub.currency));
    if let Some(to) = to {
        let awaiting = Outcome::Updated {
            subscription: sub.id.clone(),
            from: plan_of(&sub.items[0], &sub.currency),
            to,
            scheduled_at: None,
            charged: 0,
        };
        if let Err(e) = p.set_awaiting(Some(awaiting)).await {
            return p.failed(e.error.message);
        }
    }
    p.redirect_to(&url)
}

/// Why the update pages are not there for `sub_id`; for a change waiting on its payment's
/// authentication (the customer left that page), the way back to it.
async fn unavailable(p: &Portal, sub_id: &str) -> Response {
    if let Ok(Some(sub)) = own_subscription(p, sub_id).await {
        match resume_link(p, &sub.value).await {
            Ok(Some(url)) => {
                return p.notice_with_action(
                    StatusCode::OK,
                    "update-waiting-heading",
                    "update-waiting-body",
                    Some((url, "update-waiting-action")),
                )
            }
            Ok(None) => {}
            Err(e) => return p.failed(e.error.message),
        }
    }
    p.subscription_unavailable(
        sub_id,
        "update-unavailable-heading",
        "update-unavailable-body",
    )
    .await
}

/// `GET …/subscriptions/{sub}/update`: the plans to choose from.
pub async fn choose(
    State(app): State<App>,
    Path((token, sub_id)): Path<(String, String)>,
    Query(q): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let p = enter!(app, token, headers, Page::Update(&sub_id));
    let sub = match updatable(&p, &sub_id).await {
        Ok(Some(s)) if p.config.can_update(&s.value) => s,
        Ok(_) => return unavailable(&p, &sub_id).await,
        Err(e) => return p.failed(e.error.message),
    };
    match choose_page(&p, &sub.value, &q, None).await {
        Ok(page) => p.render(StatusCode::OK, &page),
        Err(e) => p.failed(e.error.message),
    }
}

/// The target of this request: the confirm flow's, or the customer's choice.
async fn target(
    p: &Portal,
    sub: &Subscription,
    q: &HashMap<String, String>,
) -> Result<Result<Target, Refusal>, Failure> {
    if confirm_flow(p) {
        target_from_flow(p, sub).await
    } else {
        target_from_choice(p, sub, q).await
    }
}

/// Whether a confirm deep link's change (`target`) would leave `sub` as it is: the same price
/// and quantity, no discount. The link may have been made so, or the subscription changed to it
/// since; there is then nothing to confirm.
fn changes_nothing(p: &Portal, sub: &Subscription, target: &Target) -> bool {
    let current = &sub.items[0];
    confirm_flow(p)
        && target.price.id == current.price.id
        && target.quantity == current.quantity
        && target.discounts.is_empty()
}

/// The page for a change that failed: one the engine refuses (a plan archived, a coupon deleted
/// or a promotion code deactivated since the page was shown, or since the link was made) is no
/// longer available, and changed nothing; anything else is a failure behind the scenes.
fn refused(p: &Portal, f: Failure) -> Response {
    // (A lost race, 409, is retried before it gets here; anything left is a failure.)
    if matches!(f.error.status, 400 | 404) {
        tracing::info!(error = %f.error.message, session = %p.session.value.id, "plan change refused");
        return p.notice(
            StatusCode::CONFLICT,
            "change-unavailable-heading",
            "change-unavailable-body",
        );
    }
    p.failed(f.error.message)
}

/// What a confirm deep link shows when its change would change nothing.
fn nothing_to_confirm(p: &Portal) -> Response {
    p.notice(
        StatusCode::OK,
        "confirm-no-change-heading",
        "confirm-no-change-body",
    )
}

/// `GET …/subscriptions/{sub}/update/preview?price=…&quantity=…&promotion_code=…`
pub async fn preview(
    State(app): State<App>,
    Path((token, sub_id)): Path<(String, String)>,
    Query(q): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let p = enter!(app, token, headers, Page::Preview(&sub_id));
    let sub = match updatable(&p, &sub_id).await {
        Ok(Some(s)) => s,
        Ok(None) => return unavailable(&p, &sub_id).await,
        Err(e) => return p.failed(e.error.message),
    };
    let result = async {
        match target(&p, &sub.value, &q).await? {
            Ok(target) if changes_nothing(&p, &sub.value, &target) => Ok(Err(None)),
            Ok(target) => Ok(Ok(preview_page(&p, &sub, &target, None, None).await?)),
            Err(refusal) => Ok(Err(Some(
                choose_page(&p, &sub.value, &q, Some(refusal)).await?,
            ))),
        }
    };
    let result: Result<Result<PreviewPage, Option<ChoosePage>>, Failure> = result.await;
    match result {
        Ok(Ok(page)) => p.render(StatusCode::OK, &page),
        Ok(Err(Some(page))) => p.render(StatusCode::BAD_REQUEST, &page),
        Ok(Err(None)) => nothing_to_confirm(&p),
        Err(e) => refused(&p, e),
    }
}

/// `POST …/subscriptions/{sub}/update`: applies the previewed change.
pub async fn confirm(
    State(app): State<App>,
    Path((token, sub_id)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let p = enter!(app, token, headers, Page::Preview(&sub_id));
    let Some(form) = p.checked_form(&body) else {
        return p.forged();
    };
    let sub = match updatable(&p, &sub_id).await {
        Ok(Some(s)) => s,
        Ok(None) => return unavailable(&p, &sub_id).await,
        Err(e) => return p.failed(e.error.message),
    };
    let q: HashMap<String, String> = ["price", "quantity", "promotion_code"]
        .iter()
        .filter_map(|k| form.get(k).map(|v| (k.to_string(), v.to_owned())))
        .collect();
    let target = match target(&p, &sub.value, &q).await {
        Ok(Ok(t)) => t,
        Ok(Err(refusal)) => {
            return match choose_page(&p, &sub.value, &q, Some(refusal)).await {
                Ok(page) => p.render(StatusCode::BAD_REQUEST, &page),
                Err(e) => refused(&p, e),
            }
        }
        Err(e) => return refused(&p, e),
    };
    if changes_nothing(&p, &sub.value, &target) {
        return nothing_to_confirm(&p);
    }
    let from = plan_of(&sub.value.items[0], &sub.value.currency);
    let to = target.plan(&sub.value.currency);
    if deferred(&p, &sub.value, &target) {
        return schedule(&p, sub, &target, from, to).await;
    }
    apply_now(&p, sub, &target, from, to, &q).await
}

/// Applies the change now, paying any invoice it issues.
async fn apply_now(
    p: &Portal,
    sub: Versioned<Subscription>,
    target: &Target,
    from: PlanSummary,
    to: PlanSummary,
    q: &HashMap<String, String>,
) -> Response {
    let api = p.api();
    let change = change_params(p, &sub.value, target);
    let discounts = match with_existing(p, &sub.value, &target.discounts).await {
        Ok(d) => d,
        Err(e) => return refused(p, e),
    };
    let discounts = (!target.discounts.is_empty()).then_some(discounts.as_slice());
    let end_trial = ends_trial(p, &sub.value);
    let also = |s: &mut Subscription, now: i64| {
        if end_trial && s.status == SubscriptionStatus::Trialing && s.pending_update.is_none() {
            s.set_trial_end(now, now)?;
        }
        Ok(())
    };
    let result = update_with_change(&p.app, &api, &sub.value.id, &change, discounts, also).await;
    let updated = match result {
        Ok(s) => s,
        Err(f) if f.error.status == 402 => {
            // Declined: nothing was applied. The customer may try another card.
            let code = f.error.code.map(|c| c.as_str());
            let message = card_error_message(p, code, f.error.decline_code.as_deref());
            return declined(p, &sub, target, message, q).await;
        }
        Err(f) => return refused(p, f),
    };
    if end_trial {
        if let Err(e) =
            crate::billing::run_due_now(&p.app, &p.caller.account, &updated.id, p.now).await
        {
            return p.failed(e.error.message);
        }
    }
    // A payment that needs 3-D Secure: the change waits on the hosted authentication page.
    match authentication_awaited(p, &updated, q).await {
        Ok(Some(url)) => {
            // What the flow will have done once the customer authenticates.
            let awaiting = Outcome::Updated {
                subscription: updated.id.clone(),
                from: from.clone(),
                to: to.clone(),
                scheduled_at: None,
                charged: 0,
            };
            if let Err(e) = p.set_awaiting(Some(awaiting)).await {
                return p.failed(e.error.message);
            }
            return p.redirect_to(&url);
        }
        Ok(None) => {}
        Err(e) => return p.failed(e.error.message),
    }
    // The invoice this change made, if it made one (the latest one was there before it).
    let made = updated
        .latest_invoice
        .as_deref()
        .filter(|id| sub.value.latest_invoice.as_deref() != Some(*id));
    finish_update(p, &updated, made, from, to).await
}

/// The change is applied: the flow's outcome is recorded (with what the change's own invoice,
/// `made`, charged, if it made one), and the customer moves on.
async fn finish_update(
    p: &Portal,
    sub: &Subscription,
    made: Option<&str>,
    from: PlanSummary,
    to: PlanSummary,
) -> Response {
    let charged = match made {
        Some(id) => portico_store::get::<Invoice>(&*p.app.store, &p.caller.account, id)
            .await
            .ok()
            .flatten()
            .filter(|i| i.value.status == InvoiceStatus::Paid)
            .map(|i| i.value.amount_paid)
            .unwrap_or(0),
        None => 0,
    };
    let outcome = Outcome::Updated {
        subscription: sub.id.clone(),
        from,
        to,
        scheduled_at: None,
        charged,
    };
    for _ in 0..3 {
        match p.outcome_write(outcome.clone()).await {
            Ok(Some(w)) => {
                if p.app.commit(&p.caller.account, vec![w]).await.is_ok() {
                    break;
                }
            }
            Ok(None) => break,
            Err(e) => return p.failed(e.error.message),
        }
    }
    p.after_action("updated")
}

/// Re-shows the preview with the decline, and the way to another card.
async fn declined(
    p: &Portal,
    sub: &Versioned<Subscription>,
    target: &Target,
    message: String,
    q: &HashMap<String, String>,
) -> Response {
    let mut next = format!("/subscriptions/{}/update/preview", sub.value.id);
    let query: Vec<String> = q
        .iter()
        .map(|(k, v)| {
            format!(
                "{k}={}",
                url::form_urlencoded::byte_serialize(v.as_bytes()).collect::<String>()
            )
        })
        .collect();
    if !query.is_empty() {
        next.push('?');
        next.push_str(&query.join("&"));
    }
    let card_url = format!(
        "{}/payment-methods/new?next={}",
        p.base(),
        url::form_urlencoded::byte_serialize(next.as_bytes()).collect::<String>()
    );
    match preview_page(p, sub, target, Some(message), Some(card_url)).await {
        Ok(page) => p.render(StatusCode::PAYMENT_REQUIRED, &page),
        Err(e) => refused(p, e),
    }
}

/// Schedules the change for the end of the period: a subscription schedule whose second phase
/// holds the new plan (`subscription_schedule.created`, the subscription's `schedule` set).
async fn schedule(
    p: &Portal,
    sub: Versioned<Subscription>,
    target: &Target,
    from: PlanSummary,
    to: PlanSummary,
) -> Response {
    let end = sub.value.current_period().1;
    let portal = p;
    let (target_, from_, to_, id_) = (target, &from, &to, &sub.value.id);
    let result = crate::objects::with_retries(|| async move {
        let Some(mut sub) = own_subscription(portal, id_).await? else {
            return Err(portico_wire::ApiError::internal().into());
        };
        let mut ids = crate::ids::Ids;
        let mut ctx = Ctx {
            now: portal.now,
            livemode: sub.value.livemode,
            ids: &mut ids,
        };
        let mut schedule = Schedule::from_subscription(&sub.value, &mut ctx)?;
        let phases = vec![
            PhaseRequest {
                items: phase_items(&sub.value.items),
                end_date: Some(end),
                ..Default::default()
            },
            PhaseRequest {
                items: vec![PhaseItem {
                    price: target_.price.clone(),
                    product_name: target_.product.clone(),
                    quantity: target_.quantity,
                    metadata: None,
                }],
                proration_behavior: Some("none".into()),
                ..Default::default()
            },
        ];
        schedule.set_phases(&sub.value, phases, &Default::default())?;
        sub.value.schedule = Some(schedule.id.clone());
        let mut writes = vec![
            Write::Insert(Versioned::new_record(&schedule)),
            Write::Update(sub.next_record()),
        ];
        let outcome = Outcome::Updated {
            subscription: sub.value.id.clone(),
            from: from_.clone(),
            to: to_.clone(),
            scheduled_at: Some(end),
            charged: 0,
        };
        writes.extend(portal.outcome_write(outcome).await?);
        crate::objects::commit(&portal.app, &portal.caller.account, writes).await?;
        Ok::<_, Failure>(())
    })
    .await;
    match result {
        Ok(()) => p.after_action("scheduled"),
        Err(e) => refused(p, e),
    }
}

/// `GET …/subscriptions/{sub}/update/return?invoice=…`: back from authenticating the change's
/// payment. Paid: the change applied. Not paid: the change is dropped (its invoice voided) and
/// the preview says why.
pub async fn after_authentication(
    State(app): State<App>,
    Path((token, sub_id)): Path<(String, String)>,
    Query(q): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let p = enter!(app, token, headers, Page::Preview(&sub_id));
    let sub = match own_subscription(&p, &sub_id).await {
        Ok(Some(s)) => s,
        Ok(None) => return p.not_found(),
        Err(e) => return p.failed(e.error.message),
    };
    let invoice_id = q.get("invoice").cloned().unwrap_or_default();
    let invoice =
        match portico_store::get::<Invoice>(&*p.app.store, &p.caller.account, &invoice_id).await {
            // The subscription's own invoice, and the one its pending change waits on (a
            // customer could otherwise pass any of their paid invoices off as this charge).
            Ok(Some(i))
                if i.value.customer == sub.value.customer
                    && i.value.subscription.as_deref() == Some(sub.value.id.as_str()) =>
            {
                i
            }
            Ok(_) => return p.not_found(),
            Err(e) => return p.failed(e),
        };
    if invoice.value.status == InvoiceStatus::Paid {
        let now_plan = plan_of(&sub.value.items[0], &sub.value.currency);
        let (from, to) = match &p.session.value.awaiting {
            Some(Outcome::Updated { from, to, .. }) => (from.clone(), to.clone()),
            _ => (now_plan.clone(), now_plan),
        };
        return finish_update(&p, &sub.value, Some(&invoice_id), from, to).await;
    }
    if let Err(e) = p.set_awaiting(None).await {
        return p.failed(e.error.message);
    }
    if sub.value.pending_update.is_some()
        && sub.value.latest_invoice.as_deref() == Some(invoice_id.as_str())
    {
        if let Err(e) =
            crate::billing::drop_pending_update(&p.app, &p.caller.account, sub, p.now).await
        {
            return p.failed(e.error.message);
        }
    }
    let sub = match own_subscription(&p, &sub_id).await {
        Ok(Some(s)) => s,
        Ok(None) => return p.not_found(),
        Err(e) => return p.failed(e.error.message),
    };
    let message = card_error_message(&p, Some("payment_intent_authentication_failure"), None);
    match target(&p, &sub.value, &q).await {
        Ok(Ok(target)) => declined(&p, &sub, &target, message, &q).await,
        _ => p.notice(
            StatusCode::PAYMENT_REQUIRED,
            "update-not-applied-heading",
            "update-not-applied-body",
        ),
    }
}

//! Changing a subscription's items, and previewing the invoice a change (or the next renewal)
//! produces. Both go through [`plan`], so `create_preview` shows, line for line and cent for
//! cent, what the update would bill.

use crate::api::price::{read_price_ref, resolve_price, PriceRef};
use crate::billing::bill;
use crate::http::{Api, Failure, Reply};
use crate::objects::{load, load_live, now_for, respond, with_retries};
use crate::state::App;
use axum::extract::State;
use portico_domain::customer::Customer;
use portico_domain::discount::Discount;
use portico_domain::invoice::{Invoice, InvoiceStatus, PaymentOutcome};
use portico_domain::metadata::MetadataUpdate;
use portico_domain::subscription::{
    BillingMode, ItemChange, PauseBehavior, ProrationBehavior, Subscription, SubscriptionStatus,
};
use portico_domain::{AccountId, Ctx, ErrorCode, IdGen, RandomIds, ID_LEN};
use portico_store::{Versioned, Write};
use portico_wire::{render, ApiError, Reader};

/// The payment behaviour of plan changes made in the hosted portal: a declined card changes
/// nothing (the customer can try another), a card that needs 3-D Secure keeps the change
/// pending until the customer authenticates, as `pending_if_incomplete` does.
pub const PORTAL_PAYMENT: &str = "portal";

/// One entry of `items[]` in an update or a preview.
#[derive(Clone, Debug, Default)]
pub struct ItemParam {
    pub id: Option<String>,
    pub price: Option<PriceRef>,
    pub quantity: Option<i64>,
    pub deleted: bool,
    pub metadata: MetadataUpdate,
}

/// The billing part of an update: what changes, and how it is prorated and paid.
#[derive(Clone, Debug)]
pub struct ChangeParams {
    pub items: Vec<ItemParam>,
    pub behavior: ProrationBehavior,
    pub proration_date: Option<i64>,
    pub anchor_now: bool,
    /// A new subscription's `billing_cycle_anchor` (a preview's), when a timestamp.
    pub anchor_at: Option<i64>,
    pub payment_behavior: &'static str,
    /// `off_session` (updates only): whether the customer is away while the change's invoice
    /// is charged. Stripe's default is on-session.
    pub off_session: bool,
    /// `add_invoice_items` (updates only): one-off charges for the invoice the change makes,
    /// or else for the next one.
    pub invoice_items: Vec<crate::api::subscription::InvoiceItemParam>,
    /// `billing_mode` (previews of a new subscription only). Portico prorates the same way in
    /// both modes, so it changes no amount.
    pub billing_mode: Option<portico_domain::subscription::BillingMode>,
}

impl ChangeParams {
    /// The moment the change is prorated at: `proration_date`, which cannot be after `now`
    /// (named `param` in the error), or `now`.
    pub fn proration_moment(&self, now: i64, param: &str) -> Result<i64, Failure> {
        let at = self.proration_date.unwrap_or(now);
        if at > now {
            return Err(ApiError::invalid(
                Some(param.to_owned()),
                None,
                format!("Invalid {param}: it cannot be in the future."),
            )
            .into());
        }
        Ok(at)
    }

    /// Whether the request changes anything billed.
    pub fn is_change(&self) -> bool {
        !self.items.is_empty() || self.anchor_now || !self.invoice_items.is_empty()
    }
}

/// Reads `items[]`, `proration_behavior`, `proration_date`, `billing_cycle_anchor` and
/// `payment_behavior` at this level (an update, or `subscription_details` of a preview, whose
/// `billing_cycle_anchor` may also be a timestamp: a new subscription's anchor).
pub fn read_change(r: &mut Reader<'_>, anchor_timestamps: bool) -> ChangeParams {
    let items = r
        .list("items", |i| {
            crate::api::subscription::refuse_item_extras(i);
            i.bool("clear_usage");
            ItemParam {
                id: i.string("id", 5000),
                price: read_price_ref(i, false, true),
                quantity: i.int("quantity"),
                deleted: i.bool("deleted").unwrap_or(false),
                metadata: i.metadata("metadata", true),
            }
        })
        .unwrap_or_default();
    let behavior = r
        .enumeration("proration_behavior", ProrationBehavior::VALUES)
        .and_then(ProrationBehavior::parse);
    let proration_date = r.timestamp("proration_date");
    let (anchor_now, anchor_at) = if anchor_timestamps {
        match r.string("billing_cycle_anchor", 20).as_deref() {
            None | Some("unchanged") => (false, None),
            Some("now") => (true, None),
            Some(raw) => {
                match raw.parse::<i64>() {
                    Ok(t) if portico_domain::calendar::in_range(t) => (false, Some(t)),
                    _ => {
                        let param = r.path_of("billing_cycle_anchor");
                        r.error(ApiError::invalid(
                        Some(param.clone()),
                        None,
                        format!("Invalid {param}: '{raw}'. Use `now`, `unchanged` or a unix timestamp."),
                    ));
                        (false, None)
                    }
                }
            }
        }
    } else {
        let now = r.enumeration("billing_cycle_anchor", &["now", "unchanged"]) == Some("now");
        (now, None)
    };
    let payment_behavior = r
        .enumeration(
            "payment_behavior",
            &[
                "allow_incomplete",
                "default_incomplete",
                "error_if_incomplete",
                "pending_if_incomplete",
            ],
        )
        .unwrap_or("allow_incomplete");
    ChangeParams {
        items,
        behavior: behavior.unwrap_or(ProrationBehavior::CreateProrations),
        proration_date,
        anchor_now,
        anchor_at,
        payment_behavior,
        off_session: false,
        invoice_items: Vec::new(),
        billing_mode: None,
    }
}

/// Loads the prices (and product names) the changes name; those made from `price_data` are
/// dated `now`, their inserts added to `writes`.
async fn item_changes(
    app: &App,
    account: &AccountId,
    items: &[ItemParam],
    (now, livemode): (i64, bool),
    writes: &mut Vec<Write>,
) -> Result<Vec<ItemChange>, Failure> {
    let mut out = Vec::with_capacity(items.len());
    for (i, it) in items.iter().enumerate() {
        let price = match &it.price {
            Some(p) => {
                let item = format!("items[{i}]");
                let (price, product) =
                    resolve_price(app, account, p, &item, now, livemode, writes).await?;
                Some((price, product.name))
            }
            None => None,
        };
        out.push(ItemChange {
            id: it.id.clone(),
            price,
            quantity: it.quantity,
            deleted: it.deleted,
            metadata: it.metadata.clone(),
        });
    }
    Ok(out)
}

/// A change applied to `sub` (not stored): the subscription after it, its customer, and the
/// invoice to collect now, if the change bills at once (`always_invoice`, or a restarted
/// billing cycle). Otherwise the prorations wait on the subscription for its next invoice.
pub struct Planned {
    pub sub: Versioned<Subscription>,
    pub customer: Versioned<Customer>,
    pub invoice: Option<Invoice>,
    /// The prices the change made from `price_data`, and the invoice items its invoice took,
    /// to be stored with it.
    pub prices: Vec<Write>,
    /// The subscription's paused collection as the change found it: its invoice is handled so
    /// (kept a draft, written off or voided) instead of charged, whatever the same request
    /// does to the setting.
    pub paused: Option<PauseBehavior>,
}

/// Applies `p` to `sub` at `at` (the proration date; `now` is the time of the request, which
/// added invoice items' `now` means); with `finalize`, an immediate invoice is numbered and
/// final.
#[allow(clippy::too_many_arguments)]
pub async fn plan(
    app: &App,
    account: &AccountId,
    mut sub: Versioned<Subscription>,
    p: &ChangeParams,
    at: i64,
    now: i64,
    finalize: bool,
    fresh: &[Discount],
) -> Result<Planned, Failure> {
    let mut prices = Vec::new();
    let stamp = (now, sub.value.livemode);
    let changes = item_changes(app, account, &p.items, stamp, &mut prices).await?;
    let extras = crate::api::subscription::load_invoice_items(
        app,
        account,
        &p.invoice_items,
        stamp,
        &mut prices,
    )
    .await?;
    let paused = sub.value.collection_paused_at(at);
    let mut customer = load::<Customer>(app, account, &sub.value.customer, None).await?;
    let mut ids = crate::ids::Ids;
    let mut ctx = Ctx {
        now: at,
        livemode: sub.value.livemode,
        ids: &mut ids,
    };
    // The period as billed, before the change (which may restart it).
    let period_start = sub.value.current_period().0;
    let mut out = sub
        .value
        .change_items(changes, at, p.behavior, p.anchor_now, &mut ctx)?;
    tag_prorations(
        app,
        account,
        &sub.value,
        &mut out.prorations,
        at,
        period_start,
        fresh,
    )
    .await?;
    link_credits(app, account, &sub.value, &mut out.prorations).await?;
    // Added invoice items cover the period as the change leaves it.
    let extras = sub.value.invoice_item_lines(&extras, now, &mut ctx)?;
    let immediate = p.behavior == ProrationBehavior::AlwaysInvoice || out.new_period.is_some();
    let mut invoice = None;
    let mut taken = crate::api::invoice_item::Pending::default();
    if immediate {
        // The customer's pending invoice items go on it, as on any invoice of the subscription.
        taken = crate::api::invoice_item::Pending::for_invoice_of(
            app, account, &sub.value, false, &mut ctx,
        )
        .await?;
        let mut lines = taken.before(std::mem::take(&mut sub.value.pending_lines));
        lines.extend(extras);
        lines.extend(out.prorations);
        lines.extend(out.new_period.unwrap_or_default());
        // The invoice's own period is when its items accrued: now (the lines carry the service
        // periods).
        let period = (now, now);
        // Nothing changed that costs or credits anything: Stripe issues no invoice then.
        if !lines.is_empty() {
            invoice = Some(
                bill(
                    app,
                    account,
                    &mut customer,
                    &sub.value,
                    "subscription_update",
                    lines,
                    period,
                    // Under paused collection `keep_as_draft`, the invoice stays a draft.
                    finalize && paused != Some(PauseBehavior::KeepAsDraft),
                    &mut ctx,
                    fresh,
                )
                .await?,
            );
        }
    } else {
        sub.value.pending_lines.extend(extras);
        sub.value.pending_lines.extend(out.prorations);
    }
    // A preview takes nothing.
    if let (Some(inv), true) = (&invoice, finalize) {
        prices.extend(taken.attach(inv));
    }
    Ok(Planned {
        sub,
        customer,
        invoice,
        prices,
        paused,
    })
}

/// [`tag_prorations`] for the prorations `sub` was left to invoice later from its pending line
/// `from` on (those a request just made).
pub(crate) async fn tag_pending_since(
    app: &App,
    account: &AccountId,
    sub: &mut Subscription,
    from: usize,
    at: i64,
    period_start: i64,
    fresh: &[Discount],
) -> Result<(), Failure> {
    let as_now = sub.clone();
    let from = from.min(sub.pending_lines.len());
    let added = &mut sub.pending_lines[from..];
    tag_prorations(app, account, &as_now, added, at, period_start, fresh).await?;
    link_credits(app, account, &as_now, added).await
}

/// Fixes the discounts `prorations` (made for `sub` at `at`) are billed with, whenever they are
/// invoiced (see [`portico_domain::invoice::Line::proration_discounts`]): those in force after
/// the change, even if they end before the next invoice, and none added later. Flexible mode
/// credits what was debited: a credit takes the discounts that were there when its period was
/// billed (started by `period_start`), not those added since, by this request (`fresh`) or
/// before it.
pub(crate) async fn tag_prorations(
    app: &App,
    account: &AccountId,
    sub: &Subscription,
    prorations: &mut [portico_domain::invoice::Line],
    at: i64,
    period_start: i64,
    fresh: &[Discount],
) -> Result<(), Failure> {
    if prorations.is_empty() {
        return Ok(());
    }
    let in_force: Vec<String> = crate::billing::discounts_in_force(app, account, sub, at, fresh)
        .await?
        .into_iter()
        .map(|(d, _)| d.id)
        .collect();
    for l in prorations.iter_mut() {
        l.proration_discounts = Some(in_force.clone());
    }
    let credits = prorations.iter().any(|l| l.amount < 0);
    if credits && matches!(sub.billing_mode, BillingMode::Flexible { .. }) {
        let mut debited = Vec::new();
        for id in &sub.discounts {
            if fresh.iter().any(|d| &d.id == id) {
                continue;
            }
            let d = portico_store::get::<Discount>(&*app.store, account, id).await?;
            if d.is_some_and(|d| d.value.start <= period_start) {
                debited.push(id.clone());
            }
        }
        for l in prorations.iter_mut().filter(|l| l.amount < 0) {
            l.proration_discounts = Some(debited.clone());
        }
    }
    Ok(())
}

/// Names what each credit proration of `sub` gives back (Stripe's `credited_items`): the debit
/// proration of its subscription item still pending that billed the time it credits, else the
/// item's latest debit for that time on the subscription's latest invoice or one of the nine
/// before it (none found, none named).
pub(crate) async fn link_credits(
    app: &App,
    account: &AccountId,
    sub: &Subscription,
    prorations: &mut [portico_domain::invoice::Line],
) -> Result<(), Failure> {
    use portico_domain::invoice::Credited;
    let made: Vec<String> = prorations.iter().map(|l| l.id.clone()).collect();
    // The subscription's latest invoice, and the few before it, read when first needed.
    let mut latest: Option<Option<Invoice>> = None;
    let mut recent: Option<Vec<Invoice>> = None;
    for credit in prorations
        .iter_mut()
        .filter(|l| l.amount < 0 && l.subscription_item.is_some())
    {
        let covers = |d: &portico_domain::invoice::Line| {
            d.amount > 0
                && d.subscription_item == credit.subscription_item
                && d.period_start <= credit.period_start
                && credit.period_start < d.period_end
        };
        let pending = sub
            .pending_lines
            .iter()
            .rev()
            .filter(|d| d.proration && !made.contains(&d.id))
            .find(|d| covers(d))
            .and_then(|d| d.invoice_item.clone());
        if let Some(debit) = pending {
            credit.credited = Some(Credited::InvoiceItem(debit));
            continue;
        }
        // On an invoice, the item's latest debit for the time (an earlier one was given back
        // by the change that made the later), in all its lines (one per tier).
        let billed_by = |inv: &Invoice| {
            let since = inv
                .lines
                .iter()
                .filter(|d| covers(d))
                .map(|d| d.period_start)
                .max()?;
            let lines: Vec<String> = inv
                .lines
                .iter()
                .filter(|d| covers(d) && d.period_start == since)
                .map(|d| d.id.clone())
                .collect();
            (inv.status != InvoiceStatus::Void).then(|| Credited::InvoiceLines {
                invoice: inv.id.clone(),
                lines,
            })
        };
        // Mostly the latest invoice; else one of the few before it.
        if latest.is_none() {
            latest = Some(match &sub.latest_invoice {
                Some(id) => portico_store::get::<Invoice>(&*app.store, account, id)
                    .await?
                    .map(|v| v.value),
                None => None,
            });
        }
        if let Some(found) = latest.iter().flatten().find_map(billed_by) {
            credit.credited = Some(found);
            continue;
        }
        if recent.is_none() {
            recent = Some(crate::billing::recent_invoices_of(app, account, &sub.id, 10).await?);
        }
        credit.credited = recent.iter().flatten().find_map(billed_by);
    }
    Ok(())
}

/// The writes of a planned change, with its invoice collected per `payment_behavior`. A
/// payment that fails under `error_if_incomplete` applies nothing; under
/// `pending_if_incomplete` the subscription stays as it was (`before`), the change kept as its
/// pending update until the invoice is paid.
pub async fn collect(
    app: &App,
    api: &Api,
    mut planned: Planned,
    before: Versioned<Subscription>,
    p: &ChangeParams,
    at: i64,
) -> Result<(Subscription, Vec<Write>), Failure> {
    let mut writes = std::mem::take(&mut planned.prices);
    let mut token = None;
    let mut email = None;
    let mut pending = false;
    if let Some(inv) = &mut planned.invoice {
        // Collected as the subscription is once the whole update applies (a `collection_method`
        // in the same request included).
        inv.set_collection(planned.sub.value.due_date_for(inv.created));
        if let Some(behavior) = planned.paused {
            // Collection is paused: the change applies, and its invoice is kept as a draft,
            // written off or voided instead of charged.
            planned.customer.value.balance += inv.pause_collection(behavior, at)?;
        } else if inv.send_invoice {
            // Sent to the customer to pay by its due date: the change applies, nothing is
            // charged.
            let account = &api.caller.account;
            email = crate::billing::send_for_payment(app, account, at, &mut planned.sub.value, inv)
                .await?;
        } else if inv.amount_due() > 0 && p.payment_behavior == "default_incomplete" {
            // The invoice waits, open, for the customer to pay it (invoices/pay or the hosted
            // page); until then the subscription is past due, with no automatic retries.
            planned.sub.value.status = SubscriptionStatus::PastDue;
            planned.sub.value.next_retry_at = None;
        } else if inv.amount_due() > 0 {
            let pm =
                crate::billing::payment_method_for(app, &api.caller.account, &planned.sub.value)
                    .await?;
            let t = RandomIds.next("", 43);
            match inv.attempt_payment(pm.as_ref(), p.off_session, false, at, || t.clone())? {
                PaymentOutcome::Paid => {
                    if let Some(pm) = &pm {
                        planned.sub.value.paid_with(&pm.id);
                    }
                }
                PaymentOutcome::Declined(_) if p.payment_behavior == "pending_if_incomplete" => {
                    pending = true
                }
                PaymentOutcome::RequiresAction
                    if matches!(p.payment_behavior, "pending_if_incomplete" | PORTAL_PAYMENT) =>
                {
                    pending = true;
                    token = Some(t);
                }
                PaymentOutcome::Declined(d) if p.payment_behavior != "allow_incomplete" => {
                    return Err(ApiError::card(&d, None).into())
                }
                PaymentOutcome::RequiresAction if p.payment_behavior != "allow_incomplete" => {
                    return Err(ApiError::card(
                        &portico_domain::card::AUTHENTICATION_REQUIRED,
                        None,
                    )
                    .into())
                }
                PaymentOutcome::Declined(_) => {
                    planned.sub.value.status = SubscriptionStatus::PastDue;
                    planned.sub.value.next_retry_at =
                        portico_domain::subscription::next_retry(inv.created, inv.attempt_count);
                }
                PaymentOutcome::RequiresAction => {
                    planned.sub.value.status = SubscriptionStatus::PastDue;
                    planned.sub.value.next_retry_at =
                        portico_domain::subscription::next_retry(inv.created, inv.attempt_count);
                    token = Some(t);
                }
            }
        }
        planned.sub.value.latest_invoice = Some(inv.id.clone());
        if pending {
            let mut kept = before;
            kept.value
                .hold_pending(planned.sub.value.clone(), &inv.id, at);
            planned.sub = kept;
        }
    }
    writes.push(Write::Update(planned.sub.next_record()));
    if let Some(inv) = &planned.invoice {
        writes.push(Write::Update(planned.customer.next_record()));
        writes.push(Write::Insert(Versioned::new_record(inv)));
        writes.extend(email);
        if let Some(t) = token {
            writes.push(crate::billing::token_write(
                app,
                &api.caller.account,
                &inv.id,
                &t,
            ));
        }
    }
    Ok((planned.sub.value, writes))
}

/// Updates `id` with a billing change, together with the simple changes `also` makes.
pub async fn update_with_change(
    app: &App,
    api: &Api,
    id: &str,
    p: &ChangeParams,
    discounts: Option<&[crate::api::subscription::DiscountRequest]>,
    also: impl Fn(&mut Subscription, i64) -> Result<(), Failure>,
) -> Result<Subscription, Failure> {
    let account = &api.caller.account;
    let also = &also;
    with_retries(|| async move {
        let mut sub = load_live::<Subscription>(app, account, id, None).await?;
        if sub.value.pending_update.is_some() {
            return Err(ApiError::invalid(
                None,
                None,
                "This subscription has a pending update waiting for its invoice to be paid; pay or void that invoice (or wait for the update to expire) before changing it again.",
            )
            .into());
        }
        let mut before = sub.clone();
        let now = now_for(app, account, sub.value.test_clock.as_deref(), api.now).await?;
        // If the change ends up pending, the rest of the update (metadata, cancellation…)
        // still applies to the subscription as it stays.
        also(&mut before.value, now)?;
        // New discounts come first, so an invoice billed by this change already has them.
        let (discount_writes, fresh) = match discounts {
            Some(d) => {
                crate::api::subscription::set_discounts(app, api, &mut sub.value, d, now).await?
            }
            None => Default::default(),
        };
        let at = p.proration_moment(now, "proration_date")?;
        let mut planned = plan(app, account, sub, p, at, now, true, &fresh).await?;
        also(&mut planned.sub.value, now)?;
        // A change that ends the trial (and bills nothing of its own) renews the subscription
        // in this same commit.
        let renewal = match planned.invoice {
            None => {
                let collect = crate::billing::Collect {
                    payment_behavior: p.payment_behavior,
                    off_session: p.off_session,
                };
                crate::billing::end_trial_now(app, account, now, &mut planned.sub, &fresh, collect)
                    .await?
            }
            Some(_) => None,
        };
        let (sub, mut writes) = match renewal {
            Some(renewal) => {
                let mut writes = std::mem::take(&mut planned.prices);
                writes.extend(renewal);
                (planned.sub.value, writes)
            }
            None => collect(app, api, planned, before, p, at).await?,
        };
        with_discounts(&mut writes, discount_writes);
        app.commit(account, writes).await?;
        Ok(sub)
    })
    .await
}

/// Puts a request's new `discounts` (their writes) right after the subscription's update in
/// `writes`, so that they are announced with it, before any invoice.
pub fn with_discounts(writes: &mut Vec<Write>, discounts: Vec<Write>) {
    let after_sub = writes
        .iter()
        .position(|w| matches!(w, Write::Update(r) if r.kind == <Subscription as portico_store::Object>::KIND))
        .map_or(writes.len(), |i| i + 1);
    writes.splice(after_sub..after_sub, discounts);
}

/// What a change of `sub` would bill, computed by the engine without storing anything: the
/// invoice it issues at once (`always_invoice`, a restarted cycle), if any; the subscription
/// after it; and its next renewal invoice (none when it is set to cancel, or `cancel` asks so).
pub struct ChangePreview {
    pub now: Option<Invoice>,
    pub after: Subscription,
    pub next: Option<Invoice>,
}

/// Previews `change` (and new `discounts`, which replace the subscription's as an update's
/// would) of `sub` at `now` (the subscription's clock).
pub async fn preview_change(
    app: &App,
    api: &Api,
    sub: &Versioned<Subscription>,
    change: Option<&ChangeParams>,
    discounts: Option<&[crate::api::subscription::DiscountRequest]>,
    now: i64,
    cancel: bool,
) -> Result<ChangePreview, Failure> {
    let account = &api.caller.account;
    let mut after = sub.clone();
    let mut customer = load::<Customer>(app, account, &sub.value.customer, None).await?;
    let fresh = match discounts {
        Some(d) => {
            crate::api::subscription::set_discounts(app, api, &mut after.value, d, now)
                .await?
                .1
        }
        None => Vec::new(),
    };
    let mut invoice = None;
    if let Some(p) = change {
        let at = p.proration_date.unwrap_or(now);
        let planned = plan(app, account, after.clone(), p, at, now, false, &fresh).await?;
        after = planned.sub;
        customer = planned.customer;
        invoice = planned.invoice;
    }
    if let Some(inv) = &invoice {
        let spent = crate::billing::once_spent_by(app, account, inv, &fresh).await?;
        after.value.discounts.retain(|id| !spent.contains(id));
    }
    // The renewal as it will be: a schedule's next phase applied, or none if it ends then.
    let ends_first = after
        .value
        .cancel_at
        .is_some_and(|at| at <= after.value.current_period().1);
    let renewing = if after.value.cancel_at_period_end || ends_first || cancel {
        None
    } else {
        crate::billing::as_it_renews(app, account, &after.value).await?
    };
    let next = match renewing {
        Some(r) => Some(
            next_renewal_after(app, account, &r, &mut customer, &fresh, invoice.as_ref()).await?,
        ),
        None => None,
    };
    Ok(ChangePreview {
        now: invoice,
        after: after.value,
        next,
    })
}

/// The renewal invoice `sub` gets at the end of its current period, as the engine will bill it.
pub async fn next_renewal(
    app: &App,
    account: &AccountId,
    sub: &Subscription,
    customer: &mut Versioned<Customer>,
    fresh: &[Discount],
) -> Result<Invoice, Failure> {
    next_renewal_after(app, account, sub, customer, fresh, None).await
}

/// [`next_renewal`] after `earlier`, a previewed invoice of the subscription before it, which
/// takes the pending invoice items it bills.
async fn next_renewal_after(
    app: &App,
    account: &AccountId,
    sub: &Subscription,
    customer: &mut Versioned<Customer>,
    fresh: &[Discount],
    earlier: Option<&Invoice>,
) -> Result<Invoice, Failure> {
    let mut sub = sub.clone();
    // A renewal invoice looks back over the period that ends (its lines bill the next one).
    let period = sub.current_period();
    let start = period.1;
    let mut ids = crate::ids::Ids;
    let mut ctx = Ctx {
        now: start,
        livemode: sub.livemode,
        ids: &mut ids,
    };
    // The customer's pending invoice items, which it would take as things stand.
    let mut pending =
        crate::api::invoice_item::Pending::for_invoice_of(app, account, &sub, false, &mut ctx)
            .await?;
    if let Some(earlier) = earlier {
        pending.leave_out(earlier);
    }
    let lines = pending.before(sub.renew(&mut ctx));
    let mut inv = bill(
        app, account, customer, &sub, "upcoming", lines, period, false, &mut ctx, fresh,
    )
    .await?;
    // Drafted at the renewal, it is charged when its hour is up.
    inv.automatically_finalizes_at = Some(start + portico_domain::subscription::RENEWAL_DRAFT_SECS);
    Ok(inv)
}

/// An error about `items[i]…` of a subscription made or changed on another request's behalf,
/// renamed as that request's parameter: `items` becomes `items_as` (`phases[0][items]`,
/// `subscription_details[items]`), in the param and in the message.
pub(crate) fn items_named(mut f: Failure, items_as: &str) -> Failure {
    if let Some(p) = &f.error.param {
        if p.starts_with("items[") {
            let named = format!("{items_as}{}", &p["items".len()..]);
            f.error.message = f.error.message.replace(p.as_str(), &named);
            f.error.param = Some(named);
        }
    }
    f
}

/// [`items_named`] for a preview's `subscription_details`.
fn in_details(f: Failure) -> Failure {
    items_named(f, "subscription_details[items]")
}

/// The first invoice a new subscription for `customer` with `change`'s items would have.
async fn preview_new(
    app: &App,
    api: &Api,
    customer: String,
    change: Option<ChangeParams>,
    discounts: Vec<crate::api::subscription::DiscountRequest>,
) -> Result<Invoice, Failure> {
    let change = change.filter(|c| !c.items.is_empty()).ok_or_else(|| {
        Failure::from(ApiError::invalid(
            Some("subscription_details[items]".into()),
            Some(ErrorCode::ParameterMissing),
            "Missing required param: subscription_details[items]. A preview for a customer without `subscription` shows a new subscription's first invoice.",
        ))
    })?;
    let mut items = Vec::new();
    for (i, it) in change.items.into_iter().enumerate() {
        if it.id.is_some() || it.deleted {
            return Err(ApiError::invalid(
                Some(format!("subscription_details[items][{i}][id]")),
                None,
                "A new subscription has no items to change or delete; give only price and quantity.",
            )
            .into());
        }
        items.push((it.price, it.quantity, it.metadata));
    }
    let p = crate::api::subscription::CreateParams {
        customer,
        items,
        billing_mode: change.billing_mode,
        billing_cycle_anchor: change.anchor_at,
        discounts,
        payment_behavior: "allow_incomplete",
        ..Default::default()
    };
    let mut first = crate::api::subscription::draft_first_invoice(app, api, &p).await?;
    first.invoice.take_balance(&first.customer.value);
    first.invoice.id = format!("upcoming_in_{}", RandomIds.next("", ID_LEN));
    first.invoice.billing_reason = "upcoming".into();
    Ok(first.invoice)
}

/// `POST /v1/invoices/create_preview`: the invoice a subscription change would produce now, or
/// (with no immediate invoice) the subscription's next invoice, prorations included; or, for a
/// customer and items without `subscription`, a new subscription's first invoice.
pub async fn create_preview(State(app): State<App>, mut api: Api) -> Reply {
    let (customer, subscription, change, cancel_at_period_end, discounts, expand) =
        api.read(|r| {
            let customer = r.string("customer", 5000);
            let subscription = r.string("subscription", 5000);
            let details = r.object("subscription_details", |d| {
                let mut change = read_change(d, true);
                change.billing_mode = crate::api::subscription::read_billing_mode(d);
                let cancel = d.bool("cancel_at_period_end");
                d.unsupported("trial_end", "previewing trial changes is not implemented.");
                d.unsupported("cancel_at", "previewing cancel_at is not implemented.");
                d.unsupported("default_tax_rates", "tax rates are not implemented.");
                (change, cancel)
            });
            let discounts = if r.is_empty_string("discounts") {
                r.string_or_clear("discounts", 20);
                Some(Vec::new())
            } else if r.has("discounts") {
                Some(crate::api::subscription::read_discounts(r, true))
            } else {
                None
            };
            r.object("automatic_tax", |a| {
                a.bool("enabled");
            });
            let (change, cancel) = match details {
                Some((c, cancel)) => (Some(c), cancel),
                None => (None, None),
            };
            (
                customer,
                subscription,
                change,
                cancel,
                discounts,
                r.expand("invoice", false),
            )
        })?;
    let account = api.caller.account.clone();
    let Some(sub_id) = subscription else {
        let Some(customer) = customer else {
            return Err(ApiError::invalid(
                Some("customer".into()),
                Some(ErrorCode::ParameterMissing),
                "Missing required param: customer. Preview a change with `subscription`, or a new subscription with `customer` and `subscription_details[items]`.",
            )
            .into());
        };
        let invoice = preview_new(&app, &api, customer, change, discounts.unwrap_or_default())
            .await
            .map_err(in_details)?;
        return respond(&app, &api, render::invoice(&invoice, None), &expand).await;
    };
    if change.as_ref().is_some_and(|c| c.anchor_at.is_some()) {
        return Err(ApiError::invalid(
            Some("subscription_details[billing_cycle_anchor]".into()),
            None,
            "A timestamp billing_cycle_anchor is for a new subscription (previewed with `customer`); a change to `subscription` takes `now` or `unchanged`.",
        )
        .into());
    }
    if change.as_ref().is_some_and(|c| c.billing_mode.is_some()) {
        return Err(ApiError::invalid(
            Some("subscription_details[billing_mode]".into()),
            None,
            "billing_mode is set when a subscription is created: it previews a new subscription (with `customer`), not a change to `subscription`.",
        )
        .into());
    }
    let sub = load::<Subscription>(&app, &account, &sub_id, Some("subscription")).await?;
    if customer.as_deref().is_some_and(|c| c != sub.value.customer) {
        return Err(ApiError::invalid(
            Some("subscription".into()),
            None,
            "The subscription does not belong to this customer.",
        )
        .into());
    }
    let now = now_for(&app, &account, sub.value.test_clock.as_deref(), api.now).await?;
    let no_upcoming = || {
        Failure::from(ApiError::invalid(
            None,
            Some(ErrorCode::InvoiceUpcomingNone),
            format!("No upcoming invoices for customer: {}", sub.value.customer),
        ))
    };
    // A paused subscription bills nothing until it is resumed.
    if sub.value.status.is_ended() || sub.value.status == SubscriptionStatus::Paused {
        return Err(no_upcoming());
    }
    let change = change.filter(|c| c.is_change());
    let proration_date = match &change {
        Some(c) => Some(c.proration_moment(now, "subscription_details[proration_date]")?),
        None => None,
    };
    let preview = preview_change(
        &app,
        &api,
        &sub,
        change.as_ref(),
        discounts.as_deref(),
        now,
        cancel_at_period_end == Some(true),
    )
    .await
    .map_err(in_details)?;
    let Some(mut invoice) = preview.now.or(preview.next) else {
        return Err(no_upcoming());
    };
    invoice.id = format!("upcoming_in_{}", RandomIds.next("", ID_LEN));
    invoice.billing_reason = "upcoming".into();
    let prorates = invoice.lines.iter().any(|l| l.proration);
    let mut object = render::invoice(&invoice, None);
    // The moment prorations were computed for, to send with the change so that it bills the
    // same amounts (Stripe sets it on previews that prorate).
    if let (Some(at), true) = (proration_date, prorates) {
        if let Some(details) = object.pointer_mut("/parent/subscription_details") {
            details["subscription_proration_date"] = at.into();
        }
    }
    respond(&app, &api, object, &expand).await
}

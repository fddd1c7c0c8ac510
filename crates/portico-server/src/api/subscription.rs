//! `/v1/subscriptions`: create (with the first invoice, paid through the payment simulator),
//! retrieve, update (metadata, description, default payment method, cancellation, and item
//! and price changes with prorations — see [`crate::api::subscription_change`]), cancel
//! (with `prorate` and `invoice_now`), list.

use crate::api::price::{read_price_ref, resolve_price, PriceRef};
use crate::http::{Api, Failure, PathId, Reply};
use crate::objects::{created_filters, list, load, load_live, now_for, respond, with_retries};
use crate::payments::resolve_payment_method;
use crate::state::App;
use axum::extract::State;
use portico_domain::coupon::Coupon;
use portico_domain::customer::Customer;
use portico_domain::discount::Discount;
use portico_domain::invoice::{Invoice, PaymentOutcome};
use portico_domain::metadata::MetadataUpdate;
use portico_domain::payment_method::PaymentMethod;
use portico_domain::promotion_code::{PromotionCode, Redemption};
use portico_domain::subscription::collection_days;
use portico_domain::subscription::{
    AnchorConfig, BillingMode, CancellationDetails, InvoiceItemRequest, ItemPeriodEnd,
    ItemPeriodStart, ItemRequest, MissingPaymentMethod, PauseBehavior, PauseCollection,
    ProrationBehavior, Subscription, SubscriptionCreate, SubscriptionStatus, FEEDBACK,
    MAX_INVOICE_ITEMS,
};
use portico_domain::{AccountId, Ctx, DomainError, IdGen, Patch, RandomIds};
use portico_store::{Filter, Versioned, Write};
use portico_wire::list::{read_created, read_list_params};
use portico_wire::reader::now_or_timestamp;
use portico_wire::{render, ApiError, Reader};

const NOT_YET: &str = "changing this on an existing subscription is not implemented yet.";

/// Parameters of `POST /v1/subscriptions`, as read (or as a preview of a new subscription
/// gives them).
#[derive(Default)]
pub struct CreateParams {
    pub customer: String,
    /// The currency asked for, lower case (checked against the prices').
    pub currency: Option<String>,
    pub items: Vec<(Option<PriceRef>, Option<i64>, MetadataUpdate)>,
    pub default_payment_method: Option<String>,
    pub trial_period_days: Option<i64>,
    pub trial_end: Option<String>,
    pub billing_cycle_anchor: Option<i64>,
    pub billing_cycle_anchor_config: Option<AnchorConfig>,
    /// `billing_mode`, if given (else flexible, as on Stripe's API since 2025-09-30).
    pub billing_mode: Option<BillingMode>,
    pub discounts: Vec<DiscountRequest>,
    pub payment_behavior: &'static str,
    pub proration_behavior: Option<&'static str>,
    pub off_session: bool,
    pub metadata: MetadataUpdate,
    pub description: Option<String>,
    pub cancel_at_period_end: bool,
    pub cancel_at: Option<CancelAt>,
    /// `payment_settings` as sent.
    pub payment_settings: PaymentSettings,
    /// `trial_settings[end_behavior][missing_payment_method]`.
    pub missing_payment_method: MissingPaymentMethod,
    /// `add_invoice_items`: one-off charges for the first invoice.
    pub invoice_items: Vec<InvoiceItemParam>,
    /// The moment the subscription is created at, when not the request's (a schedule's start,
    /// run by the billing engine).
    pub at: Option<i64>,
    /// Prices the caller made from `price_data` (a schedule's phases), stored first.
    pub prices: Vec<Write>,
    /// `collection_method` (`send_invoice`: `Some(true)`) and `days_until_due`, as sent.
    pub collection: (Option<bool>, Option<i64>),
}

/// One entry of `add_invoice_items`, as read.
#[derive(Clone, Debug, Default)]
pub struct InvoiceItemParam {
    pub price: Option<PriceRef>,
    pub quantity: Option<i64>,
    pub metadata: MetadataUpdate,
    pub discountable: Option<bool>,
    pub start: ItemPeriodStart,
    pub end: ItemPeriodEnd,
}

/// Reads `add_invoice_items` (create and update), by `price` or `price_data`. Per-item
/// discounts and tax rates are refused by name.
pub(crate) fn read_invoice_items(r: &mut Reader<'_>) -> Vec<InvoiceItemParam> {
    let items = r
        .list("add_invoice_items", |a| {
            a.unsupported(
                "discounts",
                "discounts on one added invoice item are not implemented; the subscription's \
                 discounts apply to it unless `discountable=false`.",
            );
            a.unsupported("tax_rates", "tax rates are not implemented.");
            let price = read_price_ref(a, true, false);
            let (start, end) = a
                .object("period", |p| {
                    p.require("start");
                    p.require("end");
                    let start = p
                        .object("start", |s| {
                            match period_bound(s, &["max_item_period_start", "now", "timestamp"]) {
                                Some(("now", _)) => ItemPeriodStart::Now,
                                Some((_, Some(t))) => ItemPeriodStart::Timestamp(t),
                                _ => ItemPeriodStart::MaxItemPeriodStart,
                            }
                        })
                        .unwrap_or_default();
                    let end = p
                        .object("end", |e| {
                            match period_bound(e, &["min_item_period_end", "timestamp"]) {
                                Some((_, Some(t))) => ItemPeriodEnd::Timestamp(t),
                                _ => ItemPeriodEnd::MinItemPeriodEnd,
                            }
                        })
                        .unwrap_or_default();
                    (start, end)
                })
                .unwrap_or_default();
            InvoiceItemParam {
                price,
                quantity: a.int("quantity"),
                metadata: a.metadata("metadata", false),
                discountable: a.bool("discountable"),
                start,
                end,
            }
        })
        .unwrap_or_default();
    if items.len() > MAX_INVOICE_ITEMS {
        r.error(ApiError::invalid(
            Some("add_invoice_items".into()),
            None,
            format!("You may pass at most {MAX_INVOICE_ITEMS} add_invoice_items."),
        ));
    }
    items
}

/// One end of an added invoice item's period: its `type`, and its `timestamp`, which
/// `type=timestamp` needs and no other type takes.
fn period_bound(
    b: &mut Reader<'_>,
    types: &'static [&'static str],
) -> Option<(&'static str, Option<i64>)> {
    b.require("type");
    let kind = b.enumeration("type", types)?;
    let timestamp = b.timestamp("timestamp");
    match (kind, timestamp) {
        ("timestamp", None) => {
            b.require("timestamp");
            None
        }
        ("timestamp", t) => Some((kind, t)),
        (_, Some(_)) => {
            b.error(ApiError::invalid(
                Some(b.path_of("timestamp")),
                None,
                format!("`timestamp` goes with `type=timestamp`, not with `type={kind}`."),
            ));
            None
        }
        (_, None) => Some((kind, None)),
    }
}

/// Loads (or, from `price_data`, makes, adding their inserts to `writes`) the prices
/// `add_invoice_items` names, for [`Subscription::invoice_item_lines`].
pub(crate) async fn load_invoice_items(
    app: &App,
    account: &AccountId,
    items: &[InvoiceItemParam],
    (now, livemode): (i64, bool),
    writes: &mut Vec<Write>,
) -> Result<Vec<InvoiceItemRequest>, Failure> {
    let mut out = Vec::with_capacity(items.len());
    for (i, it) in items.iter().enumerate() {
        let item = format!("add_invoice_items[{i}]");
        let price = it
            .price
            .as_ref()
            .ok_or_else(|| Failure::from(ApiError::missing(&format!("{item}[price]"))))?;
        let (price, product) =
            resolve_price(app, account, price, &item, now, livemode, writes).await?;
        out.push(InvoiceItemRequest {
            price,
            product_name: product.name,
            quantity: it.quantity.unwrap_or(1),
            metadata: it.metadata.clone(),
            discountable: it.discountable.unwrap_or(true),
            start: it.start,
            end: it.end,
        });
    }
    Ok(out)
}

/// One entry of `discounts`: a coupon, a promotion code, or (on update) a discount the
/// subscription already has, to keep.
#[derive(Clone, Debug)]
pub enum DiscountRequest {
    Coupon(String),
    PromotionCode(String),
    Existing(String),
}

pub(crate) fn read_discounts(r: &mut Reader<'_>, existing_allowed: bool) -> Vec<DiscountRequest> {
    r.list("discounts", |d| {
        let coupon = d.string("coupon", 5000);
        let promo = d.string("promotion_code", 5000);
        let existing = if existing_allowed {
            d.string("discount", 5000)
        } else {
            d.unsupported("discount", "a new subscription has no discounts to keep.");
            None
        };
        match (coupon, promo, existing) {
            (Some(c), None, None) => Some(DiscountRequest::Coupon(c)),
            (None, Some(p), None) => Some(DiscountRequest::PromotionCode(p)),
            (None, None, Some(e)) => Some(DiscountRequest::Existing(e)),
            _ => {
                d.error(ApiError::invalid(
                    Some(d.path_of("coupon")),
                    None,
                    "Each discount takes exactly one of coupon, promotion_code or discount.",
                ));
                None
            }
        }
    })
    .map(|v| v.into_iter().flatten().collect())
    .unwrap_or_default()
}

/// What [`redeem_discounts`] produced: the coupons applied (new ones, to apply to an invoice
/// billed now), the subscription's discount ids in order, and the writes (new discounts,
/// coupons and promotion codes counted as redeemed).
pub(crate) struct Redeemed {
    pub applied: Vec<(Coupon, Discount)>,
    pub ids: Vec<String>,
    pub writes: Vec<Write>,
}

/// Checks and redeems `requests` for `sub`: each coupon must be valid for the subscription's
/// currency, each promotion code redeemable by its customer for `amount`, no coupon twice; an
/// `Existing` entry must be one of `current` (the subscription's discounts), and is kept.
pub(crate) async fn redeem_discounts(
    app: &App,
    account: &AccountId,
    sub: &Subscription,
    requests: &[DiscountRequest],
    amount: i64,
    current: &[String],
    ctx: &mut Ctx<'_>,
) -> Result<Redeemed, Failure> {
    let now = ctx.now;
    let currency = portico_domain::Currency::parse(&sub.currency);
    let mut out = Redeemed {
        applied: Vec::new(),
        ids: Vec::new(),
        writes: Vec::new(),
    };
    let mut coupons_seen: Vec<String> = Vec::new();
    for (i, request) in requests.iter().enumerate() {
        let (coupon, promo) = match request {
            DiscountRequest::Existing(id) => {
                let param = format!("discounts[{i}][discount]");
                if !current.contains(id) {
                    return Err(ApiError::invalid(
                        Some(param),
                        None,
                        format!("The discount {id} is not one of this subscription's discounts."),
                    )
                    .into());
                }
                let kept = load::<Discount>(app, account, id, Some(&param)).await?;
                if coupons_seen.contains(&kept.value.coupon) {
                    return Err(twice(i));
                }
                coupons_seen.push(kept.value.coupon.clone());
                out.ids.push(id.clone());
                continue;
            }
            DiscountRequest::Coupon(c) => {
                let param = format!("discounts[{i}][coupon]");
                let coupon = load_live::<Coupon>(app, account, c, Some(&param)).await?;
                coupon
                    .value
                    .check_applicable(now, currency.as_ref(), &param)?;
                (coupon, None)
            }
            DiscountRequest::PromotionCode(code) => {
                let param = format!("discounts[{i}][promotion_code]");
                let promo = load::<PromotionCode>(app, account, code, Some(&param)).await?;
                let coupon =
                    load_live::<Coupon>(app, account, &promo.value.coupon, Some(&param)).await?;
                let Some(cur) = currency.as_ref() else {
                    return Err(ApiError::internal().into());
                };
                let redemption = Redemption {
                    customer: &sub.customer,
                    customer_has_paid_before: has_paid_before(app, account, &sub.customer).await?,
                    amount,
                    currency: cur,
                };
                promo
                    .value
                    .check_redeemable(&coupon.value, &redemption, now, &param)?;
                (coupon, Some(promo))
            }
        };
        if coupons_seen.contains(&coupon.value.id) {
            return Err(twice(i));
        }
        coupons_seen.push(coupon.value.id.clone());
        let discount = Discount::new(
            &coupon.value,
            promo.as_ref().map(|p| p.value.id.clone()),
            &sub.customer,
            Some(&sub.id),
            ctx,
        );
        out.ids.push(discount.id.clone());
        out.writes
            .push(Write::Insert(Versioned::new_record(&discount)));
        let mut coupon = coupon;
        coupon.value.times_redeemed += 1;
        out.writes.push(Write::Update(coupon.next_record()));
        if let Some(mut promo) = promo {
            promo.value.times_redeemed += 1;
            out.writes.push(Write::Update(promo.next_record()));
        }
        out.applied.push((coupon.value, discount));
    }
    Ok(out)
}

/// Replaces `sub`'s discounts with `requests` as of `now`; returns the writes and the new
/// discounts (not stored until the writes commit). They apply from the next invoice on.
pub(crate) async fn set_discounts(
    app: &App,
    api: &Api,
    sub: &mut Subscription,
    requests: &[DiscountRequest],
    now: i64,
) -> Result<(Vec<Write>, Vec<Discount>), Failure> {
    let mut ids = crate::ids::Ids;
    let mut ctx = Ctx {
        now,
        livemode: sub.livemode,
        ids: &mut ids,
    };
    let amount = sub
        .items
        .iter()
        .map(|it| it.price.amount_for(it.quantity))
        .sum();
    let current = sub.discounts.clone();
    let redeemed = redeem_discounts(
        app,
        &api.caller.account,
        sub,
        requests,
        amount,
        &current,
        &mut ctx,
    )
    .await?;
    let removed: Vec<String> = current
        .into_iter()
        .filter(|id| !redeemed.ids.contains(id))
        .collect();
    sub.discounts = redeemed.ids;
    let mut writes = redeemed.writes;
    writes.extend(crate::billing::end_discounts(app, &api.caller.account, &removed).await?);
    let fresh = redeemed.applied.into_iter().map(|(_, d)| d).collect();
    Ok((writes, fresh))
}

fn twice(i: usize) -> Failure {
    ApiError::invalid(
        Some(format!("discounts[{i}]")),
        None,
        "The same coupon cannot be applied twice.",
    )
    .into()
}

/// Refuses, by name, the parts of a subscription item Portico does not implement: item-level
/// discounts and tax rates.
pub(crate) fn refuse_item_extras(i: &mut Reader<'_>) {
    i.unsupported("discounts", "item discounts are not implemented.");
    i.unsupported("tax_rates", "tax rates are not implemented.");
}

/// What `cancel_at` asks for: a moment, or the end of the current period.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum CancelAt {
    At(i64),
    /// `min_period_end` / `max_period_end`: Stripe resolves them at once to the earliest /
    /// latest end of the items' current periods, one moment here (a subscription's items share
    /// their period).
    PeriodEnd,
}

impl CancelAt {
    /// The moment, for `sub`.
    fn moment(self, sub: &Subscription) -> i64 {
        match self {
            CancelAt::At(t) => t,
            CancelAt::PeriodEnd => sub.current_period().1,
        }
    }
}

/// Reads `cancel_at`: a Unix timestamp or one of the keywords Stripe takes.
fn read_cancel_at(r: &mut Reader<'_>) -> Option<CancelAt> {
    let raw = r.string("cancel_at", 20)?;
    if r.has("cancel_at_period_end") && r.bool("cancel_at_period_end") == Some(true) {
        r.error(ApiError::invalid(
            Some("cancel_at".into()),
            None,
            "You may only specify one of these parameters: cancel_at, cancel_at_period_end.",
        ));
        return None;
    }
    match raw.as_str() {
        "min_period_end" | "max_period_end" => Some(CancelAt::PeriodEnd),
        "max_billed_until" => {
            r.error(ApiError::invalid(
                Some("cancel_at".into()),
                None,
                "Portico does not support cancel_at=max_billed_until: billing schedules are not implemented.",
            ));
            None
        }
        _ => match raw.parse::<i64>() {
            Ok(t) if portico_domain::calendar::in_range(t) => Some(CancelAt::At(t)),
            Ok(_) => {
                r.error(portico_wire::reader::timestamp_out_of_range("cancel_at"));
                None
            }
            Err(_) => {
                r.error(ApiError::invalid(
                    Some("cancel_at".into()),
                    Some(portico_domain::ErrorCode::ParameterInvalidInteger),
                    format!("Invalid cancel_at: '{raw}'. Use a Unix timestamp, min_period_end or max_period_end."),
                ));
                None
            }
        },
    }
}

/// `trial_from_plan`: whether the prices' own `trial_period_days` apply. Portico's prices
/// carry none (the price parameter is not taken), so it adds no trial either way; as in
/// Stripe, `true` cannot come with `trial_end`.
fn read_trial_from_plan(r: &mut Reader<'_>) {
    if r.bool("trial_from_plan") == Some(true) && r.has("trial_end") {
        r.error(ApiError::invalid(
            Some("trial_from_plan".into()),
            None,
            "You may not set trial_from_plan=true together with trial_end.",
        ));
    }
}

/// Refuses, by name, Stripe Tax (`automatic_tax[enabled]=true`): Portico bills untaxed.
pub(crate) fn refuse_tax(r: &mut Reader<'_>) {
    r.object("automatic_tax", |a| {
        if a.bool("enabled") == Some(true) {
            a.error(ApiError::invalid(Some("automatic_tax[enabled]".into()), None, "Portico does not support `automatic_tax[enabled]=true`: Stripe Tax is not implemented."));
        }
        a.unsupported("liability", "Stripe Tax is not implemented.");
    });
}

/// Days for a sent invoice to be paid in: Stripe's range.
pub const MAX_DAYS_UNTIL_DUE: i64 = 1095;

/// `collection_method` as sent: whether invoices are sent (`send_invoice`) rather than
/// charged (`charge_automatically`).
pub(crate) fn read_collection_method(r: &mut Reader<'_>) -> Option<bool> {
    r.enumeration(
        "collection_method",
        &["charge_automatically", "send_invoice"],
    )
    .map(|m| m == "send_invoice")
}

/// `collection_method` (see [`read_collection_method`]) and `days_until_due`, as sent.
pub(crate) fn read_collection(r: &mut Reader<'_>) -> (Option<bool>, Option<i64>) {
    (
        read_collection_method(r),
        r.int_between("days_until_due", 0, MAX_DAYS_UNTIL_DUE),
    )
}

fn read_create(r: &mut Reader<'_>) -> CreateParams {
    let customer = r.required_string("customer", 5000);
    r.require("items");
    let items = r
        .list("items", |i| {
            crate::api::subscription::refuse_item_extras(i);
            i.unsupported(
                "billing_thresholds",
                "usage thresholds are not implemented.",
            );
            let price = read_price_ref(i, true, true);
            (price, i.int("quantity"), i.metadata("metadata", false))
        })
        .unwrap_or_default();
    for key in [
        "application_fee_percent",
        "backdate_start_date",
        "billing_thresholds",
        "default_source",
        "default_tax_rates",
        "invoice_settings",
        "on_behalf_of",
        "pending_invoice_item_interval",
        "transfer_data",
    ] {
        r.unsupported(key, "this subscription setting is not implemented.");
    }
    read_trial_from_plan(r);
    let billing_mode = read_billing_mode(r);
    refuse_tax(r);
    let collection = read_collection(r);
    CreateParams {
        collection,
        customer,
        currency: r
            .string("currency", 3)
            .map(|c| c.to_ascii_lowercase()),
        items,
        default_payment_method: r.string("default_payment_method", 5000),
        trial_period_days: r.int("trial_period_days"),
        trial_end: r.string("trial_end", 5000),
        billing_cycle_anchor: r.timestamp("billing_cycle_anchor"),
        billing_cycle_anchor_config: read_anchor_config(r),
        billing_mode,
        discounts: read_discounts(r, false),
        payment_behavior: r
            .enumeration(
                "payment_behavior",
                &[
                    "allow_incomplete",
                    "default_incomplete",
                    "error_if_incomplete",
                    "pending_if_incomplete",
                ],
            )
            .inspect(|b| {
                if *b == "pending_if_incomplete" {
                    r.error(ApiError::invalid(
                        Some("payment_behavior".into()),
                        None,
                        "payment_behavior=pending_if_incomplete is only for updating a subscription; \
                         a new one can use allow_incomplete, default_incomplete or error_if_incomplete.",
                    ));
                }
            })
            .unwrap_or("allow_incomplete"),
        proration_behavior: r.enumeration(
            "proration_behavior",
            &["always_invoice", "create_prorations", "none"],
        ),
        off_session: r.bool("off_session").unwrap_or(false),
        metadata: r.metadata("metadata", false),
        description: r.string("description", 500),
        cancel_at_period_end: r.bool("cancel_at_period_end").unwrap_or(false),
        cancel_at: read_cancel_at(r),
        payment_settings: read_payment_settings(r),
        missing_payment_method: read_trial_settings(r).unwrap_or_default(),
        invoice_items: read_invoice_items(r),
        at: None,
        prices: Vec::new(),
    }
}

/// The customer's payment method for `param`: attached to them, else refused.
pub(crate) async fn customer_payment_method(
    app: &App,
    api: &Api,
    customer: &str,
    id: &str,
    param: &str,
) -> Result<Versioned<PaymentMethod>, Failure> {
    let pm = resolve_payment_method(app, api, id, param).await?;
    if !pm.value.belongs_to(customer) {
        return Err(DomainError::invalid(
            param,
            format!("The customer does not have a payment method with the ID {id}. The payment method must be attached to the customer."),
        )
        .into());
    }
    Ok(pm)
}

/// The id of `id` (a payment method, or a test token it mints) as `customer`'s
/// `default_payment_method`: it must be attached to them.
pub(crate) async fn default_payment_method_id(
    app: &App,
    api: &Api,
    customer: &str,
    id: &str,
) -> Result<String, Failure> {
    Ok(
        customer_payment_method(app, api, customer, id, "default_payment_method")
            .await?
            .value
            .id,
    )
}

/// Whether the customer has paid an invoice before (for first-time-only promotion codes).
pub(crate) async fn has_paid_before(
    app: &App,
    account: &AccountId,
    customer: &str,
) -> Result<bool, Failure> {
    let q = portico_store::ListQuery {
        kind: "invoice",
        filters: vec![
            Filter::Parent(customer.to_owned()),
            Filter::Status("paid".into()),
        ],
        cursor: portico_store::Cursor::Start,
        limit: 100,
        include_deleted: false,
    };
    let page = app.store.list(account, &q).await?;
    Ok(page.records.iter().any(|r| {
        Versioned::<Invoice>::from_record(r)
            .map(|i| i.value.amount_paid > 0)
            .unwrap_or(false)
    }))
}

/// `POST /v1/subscriptions`
pub async fn create_subscription(State(app): State<App>, mut api: Api) -> Reply {
    let (p, expand) = api.read(|r| (read_create(r), r.expand("subscription", false)))?;
    let (app_, api_, p_) = (&app, &api, &p);
    let sub = with_retries(|| async move { create_once(app_, api_, p_, None).await }).await?;
    respond(&app, &api, render::subscription(&sub), &expand).await
}

/// What a subscription's creation also stores, in the same commit, given the new subscription
/// (which it may change) and the time it was created at: the schedule made with it.
pub(crate) type Attach<'a> =
    &'a (dyn Fn(&mut Subscription, i64) -> Result<Vec<Write>, Failure> + Sync);

/// A new subscription and its first invoice, still a draft, with what redeeming its discounts
/// writes: everything creating it decides before any money moves.
pub struct FirstInvoice {
    pub customer: Versioned<Customer>,
    pub sub: Subscription,
    pub invoice: Invoice,
    /// The prices made from `price_data`, to be stored first.
    pub prices: Vec<Write>,
    pub writes: Vec<Write>,
    pm: Option<Versioned<PaymentMethod>>,
    pub now: i64,
}

/// Creates the subscription `p` describes, with its first invoice collected, and what `attach`
/// adds, in one commit. With `attach` (a schedule starting it) the first invoice is left a
/// draft for an hour instead.
pub(crate) async fn create_once(
    app: &App,
    api: &Api,
    p: &CreateParams,
    attach: Option<Attach<'_>>,
) -> Result<Subscription, Failure> {
    let account = &api.caller.account;
    let FirstInvoice {
        mut customer,
        mut sub,
        mut invoice,
        prices,
        writes,
        pm,
        now,
    } = draft_first_invoice(app, api, p).await?;

    // A subscription a schedule starts is in force at once, its first invoice a draft finalized
    // and charged an hour on, as a renewal's is: Stripe's documentation points to schedules for
    // subscriptions whose first invoice should begin as a draft. So is one whose invoices are
    // sent for payment (`send_invoice`): Stripe finalizes its first invoice an hour on, and
    // sends it rather than charging it.
    let drafted = attach.is_some() || sub.sends_invoices();
    if drafted {
        sub.first_invoice_paid();
        let finalizes_at = now + portico_domain::subscription::RENEWAL_DRAFT_SECS;
        invoice.finalize_later(finalizes_at);
        sub.await_draft(&invoice.id, finalizes_at);
    } else {
        // Finalize with the customer's next number, then collect per payment_behavior.
        crate::billing::finalize_for(&mut invoice, &mut customer.value, now)?;
        if invoice.amount_due() == 0 {
            sub.first_invoice_paid();
        } else {
            // Until paid below, a trial whose first invoice carries a charge is incomplete.
            sub.first_invoice_unpaid();
        }
    }
    let c = &mut customer.value;
    if c.currency.is_none() {
        c.currency = Some(sub.currency.clone());
    }
    let mut token = None;
    // Stripe refuses to start charging a customer it has no way to charge, unless asked to
    // leave the first invoice open (`default_incomplete`). A schedule's start goes ahead: it
    // is not the customer's request, and its invoice is charged later.
    if !drafted
        && invoice.amount_due() > 0
        && p.payment_behavior != "default_incomplete"
        && pm.is_none()
    {
        return Err(ApiError::invalid(
            None,
            None,
            "This customer has no attached payment source or default payment method. Please consider adding a default payment method. For more information, visit https://stripe.com/docs/billing/subscriptions/payment-methods-setting#payment-method-priority.",
        )
        .into());
    }
    if !drafted && invoice.amount_due() != 0 && p.payment_behavior != "default_incomplete" {
        let new_token = RandomIds.next("", 43);
        match invoice.attempt_payment(
            pm.as_ref().map(|v| &v.value),
            p.off_session,
            false,
            now,
            || new_token.clone(),
        )? {
            PaymentOutcome::Paid => {
                sub.first_invoice_paid();
                if let Some(pm) = &pm {
                    sub.paid_with(&pm.value.id);
                }
            }
            PaymentOutcome::Declined(d) if p.payment_behavior == "error_if_incomplete" => {
                return Err(ApiError::card(&d, None).into())
            }
            PaymentOutcome::Declined(_) => {}
            PaymentOutcome::RequiresAction if p.payment_behavior == "error_if_incomplete" => {
                return Err(
                    ApiError::card(&portico_domain::card::AUTHENTICATION_REQUIRED, None).into(),
                )
            }
            PaymentOutcome::RequiresAction => token = Some(new_token),
        }
    }
    // An incomplete subscription's first invoice waits for the customer, not for automatic
    // collection: Stripe turns its auto_advance off from the outset.
    if !drafted && invoice.amount_remaining() > 0 {
        invoice.auto_advance = false;
    }
    sub.latest_invoice = Some(invoice.id.clone());
    // Nothing to charge now (a trial) under `default_incomplete`: a SetupIntent collects the
    // card the first payment will need, as Stripe's `pending_setup_intent` does.
    let setup = if p.payment_behavior == "default_incomplete"
        && invoice.amount_due() == 0
        && !sub.status.is_ended()
    {
        let mut ids = crate::ids::Ids;
        let mut ctx = Ctx {
            now,
            livemode: sub.livemode,
            ids: &mut ids,
        };
        let params = portico_domain::setup_intent::SetupIntentCreate {
            customer: Some(sub.customer.clone()),
            usage: Some("off_session".into()),
            ..Default::default()
        };
        let mut si = portico_domain::setup_intent::SetupIntent::create(params, &mut ctx)?;
        si.subscription = Some(sub.id.clone());
        sub.pending_setup_intent = Some(si.id.clone());
        Some(si)
    } else {
        None
    };
    let attached = match attach {
        Some(f) => f(&mut sub, now)?,
        None => Vec::new(),
    };
    let mut all = prices;
    all.push(Write::Update(customer.next_record()));
    all.push(Write::Insert(Versioned::new_record(&sub)));
    if let Some(si) = &setup {
        all.push(Write::Insert(Versioned::new_record(si)));
    }
    all.extend(attached);
    all.extend(
        writes
            .iter()
            .filter(|w| matches!(w, Write::Insert(r) if r.kind == "discount"))
            .cloned(),
    );
    all.push(Write::Insert(Versioned::new_record(&invoice)));
    all.extend(
        writes
            .into_iter()
            .filter(|w| !matches!(w, Write::Insert(r) if r.kind == "discount")),
    );
    if let Some(t) = token {
        all.push(crate::billing::token_write(app, account, &invoice.id, &t));
    }
    match p.at {
        Some(at) => app.commit_at(account, all, at).await?,
        None => app.commit(account, all).await?,
    }
    Ok(sub)
}

/// Checks `p` and drafts the subscription and its first invoice, discounts applied; nothing is
/// stored. Creating a subscription and previewing one both start here.
pub async fn draft_first_invoice(
    app: &App,
    api: &Api,
    p: &CreateParams,
) -> Result<FirstInvoice, Failure> {
    let account = &api.caller.account;
    let customer = load_live::<Customer>(app, account, &p.customer, Some("customer")).await?;
    // A customer on a test clock lives at the clock's time.
    let now = match p.at {
        Some(at) => at,
        None => now_for(app, account, customer.value.test_clock.as_deref(), api.now).await?,
    };
    // Prices made from `price_data`, stored with the subscription.
    let mut made = p.prices.clone();
    let stamp = (now, api.caller.livemode);
    let mut items = Vec::with_capacity(p.items.len());
    for (i, (price, quantity, metadata)) in p.items.iter().enumerate() {
        let item = format!("items[{i}]");
        let price = price
            .as_ref()
            .ok_or_else(|| Failure::from(ApiError::missing(&format!("{item}[price]"))))?;
        let (price, product) =
            resolve_price(app, account, price, &item, stamp.0, stamp.1, &mut made).await?;
        items.push(ItemRequest {
            price,
            product,
            quantity: quantity.unwrap_or(1),
            metadata: metadata.clone(),
        });
    }
    let extras = load_invoice_items(app, account, &p.invoice_items, stamp, &mut made).await?;
    let pm = match &p.default_payment_method {
        Some(id) => Some(
            customer_payment_method(app, api, &p.customer, id, "default_payment_method").await?,
        ),
        None => match &customer.value.invoice_settings.default_payment_method {
            Some(id) => portico_store::get::<PaymentMethod>(&*app.store, account, id).await?,
            None => None,
        },
    };
    let trial_end = match (p.trial_end.as_deref(), p.trial_period_days) {
        (Some(_), Some(_)) => {
            return Err(ApiError::invalid(
                Some("trial_end".into()),
                None,
                "You may only specify one of these parameters: trial_end, trial_period_days.",
            )
            .into())
        }
        (Some(t), None) => now_or_timestamp(t, "trial_end")?,
        (None, Some(days)) if (1..=730).contains(&days) => Some(now + days * 86_400),
        (None, Some(_)) => {
            return Err(ApiError::invalid(
                Some("trial_period_days".into()),
                None,
                "Invalid trial_period_days: must be between 1 and 730.",
            )
            .into())
        }
        (None, None) => None,
    };
    let mut ids = crate::ids::Ids;
    let mut ctx = Ctx {
        now,
        livemode: api.caller.livemode,
        ids: &mut ids,
    };
    let create = SubscriptionCreate {
        items,
        trial_end,
        billing_cycle_anchor: p.billing_cycle_anchor,
        billing_cycle_anchor_config: p.billing_cycle_anchor_config,
        billing_mode: p.billing_mode.unwrap_or(BillingMode::NEW),
        prorate_to_anchor: p.proration_behavior != Some("none"),
        default_payment_method: p
            .default_payment_method
            .as_ref()
            .and(pm.as_ref())
            .map(|pm| pm.value.id.clone()),
        metadata: p.metadata.clone(),
        description: p.description.clone(),
        cancel_at_period_end: p.cancel_at_period_end,
        cancel_at: match p.cancel_at {
            Some(CancelAt::At(t)) => Some(t),
            _ => None,
        },
        save_default_payment_method: p.payment_settings.save_default.unwrap_or(false),
        card_only: p.payment_settings.card_only.unwrap_or(false),
        missing_payment_method: p.missing_payment_method,
        days_until_due: collection_days(p.collection, None)?,
    };
    let (mut sub, lines) = Subscription::create(&customer.value, create, &mut ctx)?;
    if p.cancel_at == Some(CancelAt::PeriodEnd) {
        sub.cancel_at = Some(sub.current_period().1);
    }
    // `currency` picks among a price's currencies; Portico's prices have one each, so it can
    // only name theirs.
    if let Some(c) = p.currency.as_deref().filter(|c| *c != sub.currency) {
        return Err(ApiError::invalid(
            Some("currency".into()),
            None,
            format!(
                "The subscription's prices are in {}, not {c}.",
                sub.currency
            ),
        )
        .into());
    }
    // The customer's pending invoice items come first, then the one-off charges added here.
    let pending =
        crate::api::invoice_item::Pending::for_invoice_of(app, account, &sub, false, &mut ctx)
            .await?;
    let mut all = pending.before(sub.invoice_item_lines(&extras, now, &mut ctx)?);
    all.extend(lines);
    let lines = all;
    // Stripe's invoice period is when its items accrued, not the service period (which the
    // lines carry): for the first invoice, the moment it is made.
    let mut invoice = Invoice::draft(
        &customer.value,
        Some(&sub.id),
        "subscription_create",
        &sub.currency.clone(),
        (now, now),
        lines,
        &mut ctx,
    );
    invoice.set_collection(sub.due_date_for(now));
    // Discounts: each coupon or promotion code checked, applied, and counted as redeemed.
    let redeemed = redeem_discounts(
        app,
        account,
        &sub,
        &p.discounts,
        invoice.subtotal(),
        &[],
        &mut ctx,
    )
    .await?;
    let mut writes = Vec::new();
    for (coupon, discount) in &redeemed.applied {
        invoice.apply_discount(coupon, &discount.id, true);
    }
    sub.discounts = redeemed.ids;
    writes.extend(redeemed.writes);
    writes.extend(pending.attach(&invoice));
    Ok(FirstInvoice {
        customer,
        sub,
        invoice,
        prices: made,
        writes,
        pm,
        now,
    })
}

/// `GET /v1/subscriptions/{id}`
pub async fn retrieve_subscription(
    State(app): State<App>,
    PathId(id): PathId,
    mut api: Api,
) -> Reply {
    let expand = api.read(|r| r.expand("subscription", false))?;
    crate::objects::retrieve(&app, &api, &id, &expand, render::subscription).await
}

/// `payment_settings` as sent.
#[derive(Clone, Debug, Default)]
pub struct PaymentSettings {
    /// `save_default_payment_method`: `on_subscription` (true) or `off`.
    pub save_default: Option<bool>,
    /// `payment_method_types`: `["card"]` (true), or `""` to clear (false).
    pub card_only: Option<bool>,
}

/// `payment_settings`: whether each successful payment's method becomes the subscription's
/// default (`save_default_payment_method`: `off` or `on_subscription`), and the payment method
/// types, which can only be cards. Card options are refused.
fn read_payment_settings(r: &mut Reader<'_>) -> PaymentSettings {
    r.object("payment_settings", |p| {
        p.unsupported(
            "payment_method_options",
            "subscriptions are paid by card with Portico's defaults; payment method options are not implemented.",
        );
        let card_only = match p.strings_or_clear("payment_method_types", 5000) {
            Patch::Set(types) => {
                for (i, t) in types.iter().enumerate().filter(|(_, t)| *t != "card") {
                    p.error(ApiError::invalid(
                        Some(format!("payment_settings[payment_method_types][{i}]")),
                        None,
                        format!("Portico's subscriptions are paid by card: the payment method type `{t}` is not supported."),
                    ));
                }
                Some(true)
            }
            Patch::Clear => Some(false),
            Patch::Keep => None,
        };
        PaymentSettings {
            save_default: p
                .enumeration("save_default_payment_method", &["off", "on_subscription"])
                .map(|v| v == "on_subscription"),
            card_only,
        }
    })
    .unwrap_or_default()
}

/// `billing_mode`: `type` (`classic` or `flexible`) and, for flexible,
/// `flexible[proration_discounts]`.
pub(crate) fn read_billing_mode(r: &mut Reader<'_>) -> Option<BillingMode> {
    r.object("billing_mode", |m| {
        m.require("type");
        let kind = m.enumeration("type", &["classic", "flexible"]);
        let included = m.object("flexible", |f| {
            f.enumeration("proration_discounts", &["included", "itemized"]) == Some("included")
        });
        match (kind, included) {
            (Some("classic"), Some(_)) => {
                m.error(ApiError::invalid(
                    Some(m.path_of("flexible")),
                    None,
                    "billing_mode[flexible] goes with billing_mode[type]=flexible.",
                ));
                None
            }
            (Some("classic"), None) => Some(BillingMode::Classic),
            (Some(_), included) => Some(BillingMode::Flexible {
                included: included.unwrap_or(false),
            }),
            (None, _) => None,
        }
    })
    .flatten()
}

/// `billing_cycle_anchor_config`: `day_of_month` and, optionally, the time of day and month.
/// The ranges are checked by the domain, which names the part.
fn read_anchor_config(r: &mut Reader<'_>) -> Option<AnchorConfig> {
    r.object("billing_cycle_anchor_config", |c| {
        c.require("day_of_month");
        AnchorConfig {
            day_of_month: c.int("day_of_month").unwrap_or(1),
            hour: c.int("hour"),
            minute: c.int("minute"),
            second: c.int("second"),
            month: c.int("month"),
        }
    })
}

/// `trial_settings`: what the trial's end does when there is no payment method to charge.
fn read_trial_settings(r: &mut Reader<'_>) -> Option<MissingPaymentMethod> {
    r.object("trial_settings", |t| {
        t.require("end_behavior");
        t.object("end_behavior", |e| {
            e.require("missing_payment_method");
            e.enumeration("missing_payment_method", MissingPaymentMethod::VALUES)
                .and_then(MissingPaymentMethod::parse)
        })
        .flatten()
    })
    .flatten()
}

fn read_cancellation(r: &mut Reader<'_>) -> Option<CancellationDetails> {
    r.object("cancellation_details", |c| CancellationDetails {
        comment: c.string_or_clear("comment", 5000).into_option(),
        feedback: c
            .enumeration_or_clear("feedback", FEEDBACK)
            .into_option()
            .map(str::to_owned),
        reason: None,
    })
}

/// `POST /v1/subscriptions/{id}`
pub async fn update_subscription(
    State(app): State<App>,
    PathId(id): PathId,
    mut api: Api,
) -> Reply {
    let (simple, change, expand) = api.read(|r| {
        r.unsupported("default_tax_rates", NOT_YET);
        read_trial_from_plan(r);
        let cancel_at = if r.is_empty_string("cancel_at") {
            r.string_or_clear("cancel_at", 20);
            Patch::Clear
        } else {
            read_cancel_at(r).map(Patch::Set).unwrap_or_default()
        };
        let discounts = if r.is_empty_string("discounts") {
            r.string_or_clear("discounts", 20);
            Some(Vec::new())
        } else if r.has("discounts") {
            Some(read_discounts(r, true))
        } else {
            None
        };
        let trial_end = match r.string("trial_end", 20) {
            None => None,
            Some(t) => match now_or_timestamp(&t, "trial_end") {
                Ok(end) => Some(end),
                Err(e) => {
                    r.error(e);
                    None
                }
            },
        };
        let simple = SimpleUpdate {
            trial_end,
            discounts,
            metadata: r.metadata("metadata", true),
            description: r.string_or_clear("description", 500),
            default_payment_method: r.string("default_payment_method", 5000),
            cancel_at_period_end: r.bool("cancel_at_period_end"),
            cancel_at,
            details: read_cancellation(r),
            payment_settings: read_payment_settings(r),
            missing_payment_method: read_trial_settings(r),
            collection: read_collection(r),
            pause_collection: r.object_or_clear("pause_collection", |p| {
                p.require("behavior");
                let behavior = p
                    .enumeration("behavior", PauseBehavior::VALUES)
                    .and_then(PauseBehavior::parse);
                let resumes_at = p.timestamp("resumes_at");
                behavior.map(|behavior| PauseCollection {
                    behavior,
                    resumes_at,
                })
            }),
        };
        let mut change = crate::api::subscription_change::read_change(r, false);
        change.invoice_items = read_invoice_items(r);
        change.off_session = r.bool("off_session").unwrap_or(false);
        (simple, change, r.expand("subscription", false))
    })?;
    let account = api.caller.account.clone();
    let current = load::<Subscription>(&app, &account, &id, None).await?;
    let pm_id = match &simple.default_payment_method {
        Some(p) => Some(default_payment_method_id(&app, &api, &current.value.customer, p).await?),
        None => None,
    };
    if let Some(schedule) = &current.value.schedule {
        let what = if change.is_change() {
            Some("items")
        } else if simple.cancel_at_period_end.is_some() || simple.cancel_at.is_sent() {
            Some("cancelation behavior")
        } else if simple.trial_end.is_some() {
            // A trial moves the billing cycle, which the schedule's phases follow.
            Some("trial")
        } else {
            None
        };
        if let Some(what) = what {
            return Err(ApiError::invalid(
                None,
                None,
                format!("The subscription is managed by the subscription schedule `{schedule}`, and updating any {what} directly is not allowed. Please update the schedule instead."),
            )
            .into());
        }
    }
    // A trial added to an active subscription credits its unused time on the invoice after
    // the trial; invoicing that credit at once, or changing the items with it, is not built.
    if simple.trial_end.is_some() && current.value.status == SubscriptionStatus::Active {
        let refused = if change.is_change() {
            Some((
                "items",
                "Portico does not support adding a trial to an active subscription in the same update as an item change: make them two updates.",
            ))
        } else if change.behavior == ProrationBehavior::AlwaysInvoice {
            Some((
                "proration_behavior",
                "Portico does not support proration_behavior=always_invoice when adding a trial to an active subscription: use create_prorations (the unused time is credited on the invoice after the trial) or none.",
            ))
        } else {
            None
        };
        if let Some((param, message)) = refused {
            return Err(ApiError::invalid(Some(param.into()), None, message).into());
        }
    }
    // A `cancel_at` inside the period credits the time after it unless the request prorates
    // nothing.
    let prorate = change.behavior != ProrationBehavior::None;
    let apply = |s: &mut Subscription, now: i64| simple.apply(s, pm_id.as_deref(), now, prorate);
    let discounts = simple.discounts.as_deref();
    let sub = if change.is_change() {
        crate::api::subscription_change::update_with_change(
            &app, &api, &id, &change, discounts, apply,
        )
        .await?
    } else {
        let (app_, api_, id_, apply_, change_) = (&app, &api, &id, &apply, &change);
        with_retries(|| async move {
            let mut sub = load::<Subscription>(app_, &api_.caller.account, id_, None).await?;
            let now = now_for(
                app_,
                &api_.caller.account,
                sub.value.test_clock.as_deref(),
                api_.now,
            )
            .await?;
            // The period as billed, and the prorations so far: a trial added now credits the
            // rest of that period.
            let (period_start, pending) =
                (sub.value.current_period().0, sub.value.pending_lines.len());
            apply_(&mut sub.value, now)?;
            let (discount_writes, fresh) = match discounts {
                Some(d) => set_discounts(app_, api_, &mut sub.value, d, now).await?,
                None => Default::default(),
            };
            let account = &api_.caller.account;
            let tag = crate::api::subscription_change::tag_pending_since;
            tag(
                app_,
                account,
                &mut sub.value,
                pending,
                now,
                period_start,
                &fresh,
            )
            .await?;
            // A trial ended now renews the subscription in this same commit.
            let collect = crate::billing::Collect {
                payment_behavior: change_.payment_behavior,
                off_session: change_.off_session,
            };
            let ended =
                crate::billing::end_trial_now(app_, account, now, &mut sub, &fresh, collect);
            let mut writes = match ended.await? {
                Some(renewal) => renewal,
                None => vec![Write::Update(sub.next_record())],
            };
            crate::api::subscription_change::with_discounts(&mut writes, discount_writes);
            app_.commit(account, writes).await?;
            Ok(sub.value)
        })
        .await?
    };
    // A trial ended now has renewed the subscription (its invoice, its payment) in the
    // update's commit; whatever else fell due first runs now, before answering.
    let sub = if simple.trial_end.is_some() {
        let now = now_for(&app, &account, sub.test_clock.as_deref(), api.now).await?;
        crate::billing::run_due_now(&app, &account, &sub.id, now).await?;
        load::<Subscription>(&app, &account, &sub.id, None)
            .await?
            .value
    } else {
        sub
    };
    respond(&app, &api, render::subscription(&sub), &expand).await
}

/// The parts of an update that bill nothing now.
struct SimpleUpdate {
    /// A new end for the running trial: `Some(None)` is `now`.
    trial_end: Option<Option<i64>>,
    /// The subscription's discounts from now on (`Some(vec![])` removes them all).
    discounts: Option<Vec<DiscountRequest>>,
    metadata: MetadataUpdate,
    description: Patch<String>,
    default_payment_method: Option<String>,
    cancel_at_period_end: Option<bool>,
    cancel_at: Patch<CancelAt>,
    details: Option<CancellationDetails>,
    payment_settings: PaymentSettings,
    missing_payment_method: Option<MissingPaymentMethod>,
    /// `Set(None)`: the object was refused (the error is already recorded).
    pause_collection: Patch<Option<PauseCollection>>,
    /// `collection_method` (`send_invoice`: `Some(true)`) and `days_until_due`.
    collection: (Option<bool>, Option<i64>),
}

impl SimpleUpdate {
    /// Whether the update asks for more than `metadata` and `cancellation_details`.
    fn changes_more_than_notes(&self) -> bool {
        self.trial_end.is_some()
            || self.discounts.is_some()
            || self.description.is_sent()
            || self.default_payment_method.is_some()
            || self.cancel_at_period_end.is_some()
            || self.cancel_at.is_sent()
            || self.payment_settings.save_default.is_some()
            || self.payment_settings.card_only.is_some()
            || self.missing_payment_method.is_some()
            || self.pause_collection.is_sent()
            || self.collection != (None, None)
    }

    fn apply_details(&self, s: &mut Subscription) {
        if let Some(d) = &self.details {
            s.cancellation_details.comment = d.comment.clone();
            s.cancellation_details.feedback = d.feedback.clone();
        }
    }

    fn apply(
        &self,
        s: &mut Subscription,
        pm: Option<&str>,
        now: i64,
        prorate: bool,
    ) -> Result<(), Failure> {
        // An ended subscription is a record: only its notes change, as on Stripe.
        if s.status.is_ended() {
            if self.changes_more_than_notes() {
                return Err(DomainError::state(
                    None,
                    format!(
                        "A {} subscription can only update its cancellation_details and metadata.",
                        s.status.as_str()
                    ),
                )
                .into());
            }
            self.metadata.apply("metadata", &mut s.metadata)?;
            self.apply_details(s);
            return Ok(());
        }
        self.metadata.apply("metadata", &mut s.metadata)?;
        self.description.clone().apply_to(&mut s.description);
        if self.collection != (None, None) {
            s.days_until_due = collection_days(self.collection, s.days_until_due)?;
        }
        if let Some(end) = self.trial_end {
            let mut ids = crate::ids::Ids;
            let mut ctx = Ctx {
                now,
                livemode: s.livemode,
                ids: &mut ids,
            };
            s.update_trial_end(end.unwrap_or(now), now, prorate, &mut ctx)?;
        }
        if let Some(p) = pm {
            s.default_payment_method = Some(p.to_owned());
        }
        // Clearing `cancel_at` takes off any cancellation, one at the period's end included;
        // `cancel_at_period_end=true` in the same request then sets that one again.
        if matches!(self.cancel_at, Patch::Clear)
            && (s.cancel_at.is_some() || s.cancel_at_period_end)
        {
            s.set_cancel_at_period_end(false, now)?;
            s.prorate_cancel_at = false;
        }
        if let Some(on) = self.cancel_at_period_end {
            s.set_cancel_at_period_end(on, now)?;
        }
        let cancel_at = match self.cancel_at {
            Patch::Set(c) => Patch::Set(c.moment(s)),
            Patch::Clear => Patch::Clear,
            Patch::Keep => Patch::Keep,
        };
        match cancel_at {
            Patch::Set(t) if t <= now => {
                return Err(DomainError::invalid(
                    "cancel_at",
                    "Invalid cancel_at: it must be in the future.",
                )
                .into())
            }
            Patch::Set(t) => {
                s.cancel_at = Some(t);
                s.cancel_at_period_end = false;
                s.prorate_cancel_at = prorate;
            }
            Patch::Clear | Patch::Keep => {}
        }
        self.apply_details(s);
        if let Some(save) = self.payment_settings.save_default {
            s.save_default_payment_method = save;
        }
        if let Some(card_only) = self.payment_settings.card_only {
            s.card_only = card_only;
        }
        if let Some(m) = self.missing_payment_method {
            s.missing_payment_method = m;
        }
        match self.pause_collection {
            Patch::Set(Some(p)) => s.set_pause_collection(Some(p), now)?,
            Patch::Clear => s.set_pause_collection(None, now)?,
            Patch::Set(None) | Patch::Keep => {}
        }
        // A renewal this update makes announceable again, too late to announce it ahead.
        s.forgo_late_notice(now);
        Ok(())
    }
}

/// `POST /v1/subscriptions/{id}/resume`: a paused subscription starts again. With
/// `billing_cycle_anchor=now` (the default) a new period starts now, invoiced and charged at
/// once; with `unchanged` the billing cycle carries on and the rest of the current period is
/// prorated per `proration_behavior`. A declined charge leaves the subscription past due, retried
/// as a renewal's is.
pub async fn resume_subscription(
    State(app): State<App>,
    PathId(id): PathId,
    mut api: Api,
) -> Reply {
    let (reset, behavior, proration_date, expand) = api.read(|r| {
        let reset =
            r.enumeration("billing_cycle_anchor", &["now", "unchanged"]) != Some("unchanged");
        let behavior = r
            .enumeration("proration_behavior", ProrationBehavior::VALUES)
            .and_then(ProrationBehavior::parse)
            .unwrap_or(ProrationBehavior::CreateProrations);
        (
            reset,
            behavior,
            r.timestamp("proration_date"),
            r.expand("subscription", false),
        )
    })?;
    let (app_, api_, id_) = (&app, &api, &id);
    let sub = with_retries(|| async move {
        let account = &api_.caller.account;
        let mut sub = load::<Subscription>(app_, account, id_, None).await?;
        let now = now_for(app_, account, sub.value.test_clock.as_deref(), api_.now).await?;
        let mut ids = crate::ids::Ids;
        let mut ctx = Ctx {
            now,
            livemode: sub.value.livemode,
            ids: &mut ids,
        };
        let pending = sub.value.pending_lines.len();
        let lines = sub
            .value
            .resume(now, reset, behavior, proration_date, &mut ctx)?;
        // Prorations left for the next invoice keep the discounts in force now.
        let tag = crate::api::subscription_change::tag_pending_since;
        tag(app_, account, &mut sub.value, pending, now, now, &[]).await?;
        let mut writes = Vec::new();
        if !lines.is_empty() {
            let mut customer = load::<Customer>(app_, account, &sub.value.customer, None).await?;
            let taken = crate::api::invoice_item::Pending::for_invoice_of(
                app_, account, &sub.value, false, &mut ctx,
            )
            .await?;
            let lines = taken.before(lines);
            let mut inv = crate::billing::bill(
                app_,
                account,
                &mut customer,
                &sub.value,
                "subscription_update",
                lines,
                (now, now),
                true,
                &mut ctx,
                &[],
            )
            .await?;
            let token =
                crate::billing::charge_off_session(app_, account, now, &mut sub.value, &mut inv)
                    .await?;
            sub.value.latest_invoice = Some(inv.id.clone());
            writes.push(Write::Update(customer.next_record()));
            writes.push(Write::Insert(Versioned::new_record(&inv)));
            writes.extend(taken.attach(&inv));
            writes.extend(token);
        }
        writes.insert(0, Write::Update(sub.next_record()));
        app_.commit(account, writes).await?;
        Ok(sub.value)
    })
    .await?;
    respond(&app, &api, render::subscription(&sub), &expand).await
}

/// `DELETE /v1/subscriptions/{id}`: cancels now.
pub async fn cancel_subscription(
    State(app): State<App>,
    PathId(id): PathId,
    mut api: Api,
) -> Reply {
    let (details, prorate, invoice_now, expand) = api.read(|r| {
        (
            read_cancellation(r).unwrap_or_default(),
            r.bool("prorate").unwrap_or(false),
            r.bool("invoice_now").unwrap_or(false),
            r.expand("subscription", false),
        )
    })?;
    let (app_, api_, id_, details_) = (&app, &api, &id, &details);
    let sub = with_retries(|| async move {
        cancel_once(app_, api_, id_, details_, prorate, invoice_now).await
    })
    .await?;
    respond(&app, &api, render::subscription(&sub), &expand).await
}

/// `DELETE /v1/subscriptions/{id}/discount`: takes the subscription's discount off, from its
/// next invoice on (announced with `customer.discount.deleted` and
/// `customer.subscription.updated`). A subscription with several discounts is changed with
/// `discounts` instead, which names the ones to keep.
pub async fn delete_subscription_discount(
    State(app): State<App>,
    PathId(id): PathId,
    mut api: Api,
) -> Reply {
    api.read(|_| ())?;
    let (app_, account, id_) = (&app, &api.caller.account, &id);
    let gone = with_retries(|| async move {
        let mut sub = load::<Subscription>(app_, account, id_, None).await?;
        sub.value.ensure_updatable()?;
        let mut discount = match sub.value.discounts.as_slice() {
            [] => return Err(crate::objects::no_active_discount("subscription", id_)),
            [one] => load::<Discount>(app_, account, one, None).await?,
            _ => {
                return Err(ApiError::invalid(
                    None,
                    None,
                    "This subscription has more than one discount. Update its `discounts` to name the ones to keep instead.",
                )
                .into())
            }
        };
        // Marked deleted, it is announced as `customer.discount.deleted`.
        discount.value.deleted = true;
        sub.value.discounts.clear();
        let writes = vec![
            Write::Update(discount.next_record()),
            Write::Update(sub.next_record()),
        ];
        crate::objects::commit(app_, account, writes).await?;
        Ok::<_, Failure>(discount.value)
    })
    .await?;
    crate::http::ok(render::deleted_discount(&gone))
}

/// Cancels now. `prorate` credits the unused time with a proration (an invoice item);
/// `invoice_now` bills the pending prorations (that credit included) on a final invoice at once,
/// whose negative total goes to the customer's balance. Without it the prorations stay pending
/// for the customer's next invoice that takes them, as Stripe leaves them.
async fn cancel_once(
    app: &App,
    api: &Api,
    id: &str,
    details: &CancellationDetails,
    prorate: bool,
    invoice_now: bool,
) -> Result<Subscription, Failure> {
    let (sub, writes) = cancel_writes(app, api, id, details, prorate, invoice_now).await?;
    app.commit(&api.caller.account, writes).await?;
    Ok(sub)
}

/// The writes that cancel subscription `id` now (see [`cancel_once`]), not yet committed.
pub(crate) async fn cancel_writes(
    app: &App,
    api: &Api,
    id: &str,
    details: &CancellationDetails,
    prorate: bool,
    invoice_now: bool,
) -> Result<(Subscription, Vec<Write>), Failure> {
    let account = &api.caller.account;
    let mut sub = load_live::<Subscription>(app, account, id, None).await?;
    let now = now_for(app, account, sub.value.test_clock.as_deref(), api.now).await?;
    let mut ids = crate::ids::Ids;
    let mut ctx = Ctx {
        now,
        livemode: sub.value.livemode,
        ids: &mut ids,
    };
    let credits = if prorate {
        let mut credits =
            crate::billing::unused_time_prorations(app, account, &sub.value, now, &mut ctx).await?;
        crate::api::subscription_change::link_credits(app, account, &sub.value, &mut credits)
            .await?;
        credits
    } else {
        Vec::new()
    };
    // Stripe removes the pending prorations of a subscription canceled at once with neither
    // `invoice_now` nor `prorate`; otherwise they are left for the customer's next invoice.
    if !prorate && !invoice_now {
        sub.value.pending_lines.clear();
    }
    // The final invoice looks back over the period up to the cancellation.
    let period = (sub.value.current_period().0.min(now), now);
    sub.value.cancel_now(now, details.clone())?;
    let mut customer = load::<Customer>(app, account, &sub.value.customer, None).await?;
    let mut writes = Vec::new();
    // A change still waiting for its payment never happens now: it is dropped and the invoice
    // it waited for voided, giving back any credit it took, as when the change expires. The
    // prorations that invoice took are pending again, with the subscription's own.
    let mut voided = None;
    if let Some(pending) = sub.value.pending_update.take() {
        if let Some(id) = pending.invoice.or(sub.value.latest_invoice.clone()) {
            let awaited = portico_store::get::<Invoice>(&*app.store, account, &id).await?;
            if let Some(mut inv) = awaited.filter(|i| i.value.is_collectable()) {
                customer.value.balance += inv.value.void(now)?;
                voided = Some(inv);
            }
        }
    }
    // A schedule managing the subscription ends with it.
    writes.extend(crate::billing::settle_schedule(app, account, &mut sub.value, now, false).await?);
    let mut invoice = None;
    let mut taken = crate::api::invoice_item::Pending::default();
    if invoice_now {
        // The final invoice bills the invoice items left for this subscription (others wait for
        // the customer's next invoice).
        taken = crate::api::invoice_item::Pending::for_invoice_of(
            app, account, &sub.value, true, &mut ctx,
        )
        .await?;
        let mut lines = taken.before(std::mem::take(&mut sub.value.pending_lines));
        lines.extend(credits);
        if !lines.is_empty() {
            let paused = sub.value.collection_paused_at(now);
            let mut inv = crate::billing::bill(
                app,
                account,
                &mut customer,
                &sub.value,
                "subscription_cycle",
                lines,
                period,
                paused != Some(PauseBehavior::KeepAsDraft),
                &mut ctx,
                &[],
            )
            .await?;
            if let Some(behavior) = paused {
                customer.value.balance += inv.pause_collection(behavior, now)?;
            } else if inv.send_invoice {
                let sent =
                    crate::billing::send_for_payment(app, account, now, &mut sub.value, &mut inv);
                writes.extend(sent.await?);
            } else if inv.amount_due() > 0 {
                let pm = crate::billing::payment_method_for(app, account, &sub.value).await?;
                inv.attempt_payment(pm.as_ref(), true, false, now, String::new)?;
            }
            sub.value.latest_invoice = Some(inv.id.clone());
            invoice = Some(inv);
        }
    } else {
        // `prorate` alone makes the credit a pending proration item, as Stripe's does: it waits,
        // with the subscription's other pending prorations, for an invoice that takes them
        // (one made with `pending_invoice_items_behavior=include`).
        sub.value.pending_lines.extend(credits);
    }
    writes.push(Write::Update(sub.next_record()));
    writes.push(Write::Update(customer.next_record()));
    // Stripe stops collecting the customer's open invoices (the final one is charged above).
    let except = voided.as_ref().map(|v| v.value.id.as_str());
    writes
        .extend(crate::billing::stop_collection(app, account, &sub.value.customer, except).await?);
    writes.extend(voided.map(|v| Write::Update(v.next_record())));
    if let Some(inv) = &invoice {
        writes.push(Write::Insert(Versioned::new_record(inv)));
        writes.extend(taken.attach(inv));
    }
    Ok((sub.value, writes))
}

/// `GET /v1/subscriptions`: not ended ones unless `status` says otherwise.
pub async fn list_subscriptions(State(app): State<App>, mut api: Api) -> Reply {
    let (params, customer, price, status, created, clock, sent) = api.read(|r| {
        (
            read_list_params(r, "subscription"),
            r.string("customer", 5000),
            r.string("price", 5000),
            r.enumeration("status", SubscriptionStatus::VALUES),
            read_created(r),
            r.string("test_clock", 5000),
            read_collection_method(r),
        )
    })?;
    let mut filters = created_filters(created);
    // A subscription whose invoices are sent is stored with its `days_until_due`.
    if let Some(sent) = sent {
        filters.push(Filter::Present("days_until_due", sent));
    }
    let by_customer = customer.is_some();
    if let Some(c) = customer {
        filters.push(Filter::Parent(c));
    }
    if let Some(p) = price {
        filters.push(Filter::LookupLike(format!("* {p} *")));
    }
    // As in Stripe, subscriptions on a test clock are listed only when their clock or their
    // customer is asked for.
    match (clock, by_customer) {
        (Some(c), _) => filters.push(Filter::Field("test_clock", c)),
        (None, false) => filters.push(Filter::Present("test_clock", false)),
        (None, true) => {}
    }
    match status {
        Some("all") => {}
        Some("ended") => filters.push(Filter::StatusIn(vec![
            "canceled".into(),
            "incomplete_expired".into(),
        ])),
        Some(s) => filters.push(Filter::Status(s.to_owned())),
        None => filters.push(Filter::StatusIn(
            crate::billing::LIVE_STATUSES
                .iter()
                .map(|s| s.to_string())
                .collect(),
        )),
    }
    list(
        &app,
        &api,
        "subscription",
        "/v1/subscriptions",
        filters,
        params,
    )
    .await
}

/// The writes that end `customer`'s live subscriptions at once, as deleting the customer (or
/// its test clock) does in Stripe. Each ends at its own clock's time.
pub(crate) async fn end_customer_subscriptions(
    app: &App,
    account: &AccountId,
    customer: &str,
    wall_now: i64,
) -> Result<Vec<Write>, Failure> {
    let mut writes = Vec::new();
    let live =
        crate::billing::live_subscriptions(app, account, Filter::Parent(customer.to_owned()))
            .await?;
    for mut sub in live {
        let at = now_for(app, account, sub.value.test_clock.as_deref(), wall_now).await?;
        sub.value.end(at, "cancellation_requested");
        writes.push(Write::Update(sub.next_record()));
    }
    // Their schedules, and those that would have started a subscription, are canceled.
    let waiting = vec![
        Filter::Parent(customer.to_owned()),
        Filter::StatusIn(vec!["not_started".into(), "active".into()]),
    ];
    for mut s in crate::billing::all_schedules(app, account, waiting).await? {
        let at = now_for(app, account, s.value.test_clock.as_deref(), wall_now).await?;
        s.value.cancel(at)?;
        writes.push(Write::Update(s.next_record()));
    }
    Ok(writes)
}

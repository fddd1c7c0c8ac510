//! Subscriptions: recurring prices billed each period, with trials, a billing cycle anchor and
//! Stripe's status machine.
//!
//! Statuses: a new subscription is `trialing` (trial), `active` (first invoice paid) or
//! `incomplete` (first invoice not paid yet); `incomplete` becomes `active` when that invoice is
//! paid. Cancellation is immediate (`canceled`) or at the period end (`cancel_at_period_end`).
//! A trial that ends without a payment method may instead cancel the subscription or pause it
//! (`paused`: no invoices until it is resumed), as `trial_settings` says.
//! Billing periods live on the items, as in the current API.

use crate::billing_cycle::{nth_boundary_on, period_containing_on, period_end};
use crate::currency::Currency;
use crate::customer::Customer;
use crate::error::{DomainError, DomainResult};
use crate::id::ID_LEN;
use crate::invoice::Line;
use crate::invoice::DEFAULT_DAYS_UNTIL_DUE;
use crate::metadata::{Metadata, MetadataUpdate};
use crate::price::{Interval, Price, Recurring};
use crate::product::Product;
use crate::proration::prorate;
use crate::Ctx;
use serde::{Deserialize, Serialize};

/// A subscription's status.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SubscriptionStatus {
    Incomplete,
    IncompleteExpired,
    Trialing,
    Active,
    PastDue,
    Unpaid,
    Canceled,
    /// A trial ended without a payment method under `missing_payment_method=pause`.
    Paused,
}

impl SubscriptionStatus {
    /// Accepted wire values for list filters (plus `all` and `ended`).
    pub const VALUES: &'static [&'static str] = &[
        "active",
        "past_due",
        "unpaid",
        "canceled",
        "incomplete",
        "incomplete_expired",
        "trialing",
        "paused",
        "all",
        "ended",
    ];

    /// The wire value.
    pub fn as_str(self) -> &'static str {
        match self {
            SubscriptionStatus::Incomplete => "incomplete",
            SubscriptionStatus::IncompleteExpired => "incomplete_expired",
            SubscriptionStatus::Trialing => "trialing",
            SubscriptionStatus::Active => "active",
            SubscriptionStatus::PastDue => "past_due",
            SubscriptionStatus::Unpaid => "unpaid",
            SubscriptionStatus::Canceled => "canceled",
            SubscriptionStatus::Paused => "paused",
        }
    }

    /// Whether the subscription has ended.
    pub fn is_ended(self) -> bool {
        matches!(
            self,
            SubscriptionStatus::Canceled | SubscriptionStatus::IncompleteExpired
        )
    }
}

/// What a trial that ends without a payment method does
/// (`trial_settings.end_behavior.missing_payment_method`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MissingPaymentMethod {
    /// Bill the first period anyway: its payment fails and the subscription is past due.
    #[default]
    CreateInvoice,
    /// Cancel the subscription, billing nothing.
    Cancel,
    /// Pause the subscription, billing nothing until it is resumed.
    Pause,
}

impl MissingPaymentMethod {
    /// Accepted wire values.
    pub const VALUES: &'static [&'static str] = &["cancel", "create_invoice", "pause"];

    /// Parses a wire value.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "cancel" => Some(Self::Cancel),
            "create_invoice" => Some(Self::CreateInvoice),
            "pause" => Some(Self::Pause),
            _ => None,
        }
    }

    /// The wire value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Cancel => "cancel",
            Self::CreateInvoice => "create_invoice",
            Self::Pause => "pause",
        }
    }
}

/// What happens to a subscription's renewal invoices while its payment collection is paused
/// (`pause_collection[behavior]`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PauseBehavior {
    /// Left as drafts, not collected: they can be finalized and paid later.
    KeepAsDraft,
    /// Finalized and written off at once.
    MarkUncollectible,
    /// Finalized and voided at once.
    Void,
}

impl PauseBehavior {
    /// Accepted wire values.
    pub const VALUES: &'static [&'static str] = &["keep_as_draft", "mark_uncollectible", "void"];

    /// Parses a wire value.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "keep_as_draft" => Some(Self::KeepAsDraft),
            "mark_uncollectible" => Some(Self::MarkUncollectible),
            "void" => Some(Self::Void),
            _ => None,
        }
    }

    /// The wire value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::KeepAsDraft => "keep_as_draft",
            Self::MarkUncollectible => "mark_uncollectible",
            Self::Void => "void",
        }
    }
}

/// Paused payment collection (`pause_collection`): the subscription stays as it is and keeps
/// renewing, but its renewal invoices are not collected, until `resumes_at` if set.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PauseCollection {
    pub behavior: PauseBehavior,
    pub resumes_at: Option<i64>,
}

/// One price on a subscription. The price is kept whole, as responses embed it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Item {
    pub id: String,
    pub price: Price,
    /// The product's name, for invoice line descriptions.
    #[serde(default)]
    pub product_name: String,
    pub quantity: i64,
    pub created: i64,
    pub metadata: Metadata,
    pub current_period_start: i64,
    pub current_period_end: i64,
}

/// Why and how a subscription was canceled.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CancellationDetails {
    pub comment: Option<String>,
    pub feedback: Option<String>,
    pub reason: Option<String>,
}

/// `cancellation_details[feedback]` values.
pub const FEEDBACK: &[&str] = &[
    "customer_service",
    "low_quality",
    "missing_features",
    "other",
    "switched_service",
    "too_complex",
    "too_expensive",
    "unused",
];

/// A subscription as Portico stores it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Subscription {
    pub id: String,
    pub created: i64,
    pub livemode: bool,
    pub customer: String,
    pub status: SubscriptionStatus,
    pub items: Vec<Item>,
    pub currency: String,
    pub recurring: Recurring,
    pub billing_cycle_anchor: i64,
    pub start_date: i64,
    pub cancel_at_period_end: bool,
    pub cancel_at: Option<i64>,
    /// Whether the time after a `cancel_at` inside a period is credited when the subscription
    /// ends then (set by the update that set `cancel_at`, as its `proration_behavior` says).
    #[serde(default)]
    pub prorate_cancel_at: bool,
    /// A SetupIntent collecting the card the subscription's first payment will need (a trial
    /// created with `payment_behavior=default_incomplete`), until it succeeds.
    #[serde(default)]
    pub pending_setup_intent: Option<String>,
    pub canceled_at: Option<i64>,
    pub ended_at: Option<i64>,
    pub cancellation_details: CancellationDetails,
    pub default_payment_method: Option<String>,
    pub discounts: Vec<String>,
    pub latest_invoice: Option<String>,
    pub metadata: Metadata,
    pub description: Option<String>,
    pub trial_start: Option<i64>,
    pub trial_end: Option<i64>,
    pub test_clock: Option<String>,
    /// Prorations waiting for the next invoice (Stripe's pending invoice items).
    #[serde(default)]
    pub pending_lines: Vec<Line>,
    /// When the latest invoice's failed payment is tried again.
    #[serde(default)]
    pub next_retry_at: Option<i64>,
    /// The schedule managing this subscription, if any.
    #[serde(default)]
    pub schedule: Option<String>,
    /// A change waiting for its invoice to be paid (`payment_behavior=pending_if_incomplete`).
    #[serde(default)]
    pub pending_update: Option<PendingUpdate>,
    /// The renewal invoice left a draft for an hour, as Stripe leaves it (for webhook handlers
    /// to see `invoice.created` and edit the draft), then finalized and charged.
    #[serde(default)]
    pub draft_invoice: Option<DraftInvoice>,
    /// `payment_settings.save_default_payment_method=on_subscription`: the payment method of
    /// each successful payment becomes the subscription's default.
    #[serde(default)]
    pub save_default_payment_method: bool,
    /// What the trial's end does when there is no payment method to charge.
    #[serde(default)]
    pub missing_payment_method: MissingPaymentMethod,
    /// The trial end whose coming was announced (`customer.subscription.trial_will_end`).
    #[serde(default)]
    pub trial_will_end_sent_for: Option<i64>,
    /// Paused payment collection, if any.
    #[serde(default)]
    pub pause_collection: Option<PauseCollection>,
    /// `payment_settings.payment_method_types` is `["card"]` (else unset: the account's
    /// defaults, which are cards too).
    #[serde(default)]
    pub card_only: bool,
    /// The period end whose renewal invoice was announced (`invoice.upcoming`).
    #[serde(default)]
    pub upcoming_sent_for: Option<i64>,
    /// `billing_cycle_anchor_config`, while the billing cycle still follows it.
    #[serde(default)]
    pub billing_cycle_anchor_config: Option<AnchorConfig>,
    /// `proration_behavior=none` at creation with a trial and an anchor after it: the stretch
    /// from the trial's end to the anchor is free (else prorated).
    #[serde(default)]
    pub free_to_anchor: bool,
    /// `billing_mode`. Subscriptions stored before Portico recorded it were `classic`.
    #[serde(default)]
    pub billing_mode: BillingMode,
    /// `collection_method=send_invoice`: its invoices are sent to the customer, due this many
    /// days after they are made, and never charged by themselves.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub days_until_due: Option<i64>,
    /// When the sent invoice it waits on falls due: unpaid then, the subscription is past due.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub overdue_at: Option<i64>,
}

/// A subscription's `billing_mode`: `classic`, or `flexible` (the default for subscriptions
/// created on API versions from 2025-09-30) with how prorations show their discounts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "type")]
pub enum BillingMode {
    #[default]
    Classic,
    Flexible {
        /// `proration_discounts=included` (else `itemized`).
        included: bool,
    },
}

impl BillingMode {
    /// The mode of a subscription created without `billing_mode`.
    pub const NEW: BillingMode = BillingMode::Flexible { included: false };

    pub fn as_str(self) -> &'static str {
        match self {
            BillingMode::Classic => "classic",
            BillingMode::Flexible { .. } => "flexible",
        }
    }
}

/// `billing_cycle_anchor_config`: the day of the month (and the time, and for a first full
/// period later in the year the month) the billing cycle is anchored on. Unset parts are as
/// given: `null`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnchorConfig {
    pub day_of_month: i64,
    pub hour: Option<i64>,
    pub minute: Option<i64>,
    pub second: Option<i64>,
    pub month: Option<i64>,
}

impl AnchorConfig {
    /// Checks each part's range, naming the part.
    pub fn check(&self) -> DomainResult<()> {
        let parts = [
            ("day_of_month", Some(self.day_of_month), 1, 31),
            ("hour", self.hour, 0, 23),
            ("minute", self.minute, 0, 59),
            ("second", self.second, 0, 59),
            ("month", self.month, 1, 12),
        ];
        for (name, value, low, high) in parts {
            if let Some(v) = value.filter(|v| !(low..=high).contains(v)) {
                return Err(DomainError::invalid(
                    format!("billing_cycle_anchor_config[{name}]"),
                    format!(
                        "Invalid billing_cycle_anchor_config[{name}]: {v} is not between {low} \
                         and {high}."
                    ),
                ));
            }
        }
        Ok(())
    }

    /// The anchor: the first moment at or after `from` on the configured day (and month), at
    /// the configured time of day; a part left unset is taken from `now`, the creation time.
    pub fn anchor(&self, from: i64, now: i64) -> i64 {
        let of_now = now.rem_euclid(86_400);
        let time = self.hour.unwrap_or(of_now / 3600) * 3600
            + self.minute.unwrap_or(of_now / 60 % 60) * 60
            + self.second.unwrap_or(of_now % 60);
        crate::billing_cycle::next_on_day(from, self.day_of_month, self.month, time)
    }
}

/// A trial's end is announced this long before it comes (Stripe's three days).
pub const TRIAL_WARNING_SECS: i64 = 3 * 86_400;

/// A renewal invoice is announced (`invoice.upcoming`) this long before it is made: Stripe's
/// "upcoming renewal events" setting, at three days.
pub const UPCOMING_NOTICE_SECS: i64 = 3 * 86_400;

/// How long a renewal invoice stays a draft before it is finalized and charged (Stripe's hour
/// after `invoice.created`).
pub const RENEWAL_DRAFT_SECS: i64 = 3600;

/// A renewal invoice waiting, a draft, to be finalized and charged at `finalizes_at`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DraftInvoice {
    pub id: String,
    pub finalizes_at: i64,
}

/// A change made with `payment_behavior=pending_if_incomplete` whose payment failed: it takes
/// effect when the latest invoice is paid, and is dropped at `expires_at`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PendingUpdate {
    pub expires_at: i64,
    /// The items, billing cycle, prorations and discounts as the change leaves them.
    pub items: Vec<Item>,
    pub recurring: Recurring,
    pub billing_cycle_anchor: i64,
    pub pending_lines: Vec<Line>,
    pub discounts: Vec<String>,
    /// The invoice whose payment it waits for (a renewal may since have become the latest).
    #[serde(default)]
    pub invoice: Option<String>,
}

/// A pending update lasts as long as an incomplete subscription (Stripe's 23 hours).
pub const PENDING_UPDATE_SECS: i64 = 23 * 3600;

/// How a change is prorated (`proration_behavior`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProrationBehavior {
    /// Prorations wait for the next invoice.
    CreateProrations,
    /// No prorations.
    None,
    /// Prorations are invoiced at once.
    AlwaysInvoice,
}

impl ProrationBehavior {
    /// Accepted wire values.
    pub const VALUES: &'static [&'static str] = &["always_invoice", "create_prorations", "none"];

    /// Parses a wire value.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "always_invoice" => Some(Self::AlwaysInvoice),
            "create_prorations" => Some(Self::CreateProrations),
            "none" => Some(Self::None),
            _ => None,
        }
    }
}

/// One change to the items (`items[]` of an update), with any new price loaded.
#[derive(Clone, Debug, Default)]
pub struct ItemChange {
    /// The item changed or deleted; `None` adds an item.
    pub id: Option<String>,
    /// A new price, with its product's name.
    pub price: Option<(Price, String)>,
    pub quantity: Option<i64>,
    pub deleted: bool,
    pub metadata: MetadataUpdate,
}

/// What a change of items produced.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ItemsChanged {
    /// Credits for unused time and charges for remaining time.
    pub prorations: Vec<Line>,
    /// When the billing cycle restarted (`billing_cycle_anchor=now`, or a new interval): the
    /// charges for the new, whole period, to invoice now.
    pub new_period: Option<Vec<Line>>,
}

/// One requested item, with its price and product loaded.
#[derive(Clone, Debug)]
pub struct ItemRequest {
    pub price: Price,
    pub product: Product,
    pub quantity: i64,
    pub metadata: MetadataUpdate,
}

/// Parameters of subscription create, with the objects they name loaded.
#[derive(Clone, Debug, Default)]
pub struct SubscriptionCreate {
    pub items: Vec<ItemRequest>,
    pub trial_end: Option<i64>,
    pub billing_cycle_anchor: Option<i64>,
    pub billing_cycle_anchor_config: Option<AnchorConfig>,
    pub billing_mode: BillingMode,
    /// `proration_behavior=none`: the stretch before a future anchor is free.
    pub prorate_to_anchor: bool,
    pub default_payment_method: Option<String>,
    pub metadata: MetadataUpdate,
    pub description: Option<String>,
    pub cancel_at_period_end: bool,
    pub cancel_at: Option<i64>,
    /// `payment_settings.save_default_payment_method=on_subscription`.
    pub save_default_payment_method: bool,
    /// `trial_settings.end_behavior.missing_payment_method`.
    pub missing_payment_method: MissingPaymentMethod,
    /// `payment_settings.payment_method_types=["card"]`.
    pub card_only: bool,
    /// `collection_method=send_invoice` with its `days_until_due`.
    pub days_until_due: Option<i64>,
}

/// Where an added invoice item's period starts (`add_invoice_items[][period][start]`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ItemPeriodStart {
    /// The start of the subscription's current period (the default).
    #[default]
    MaxItemPeriodStart,
    Now,
    Timestamp(i64),
}

/// Where an added invoice item's period ends (`add_invoice_items[][period][end]`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ItemPeriodEnd {
    /// The end of the subscription's current period (the default).
    #[default]
    MinItemPeriodEnd,
    Timestamp(i64),
}

/// One entry of `add_invoice_items`: a one-off charge for the subscription's next invoice,
/// with its price loaded.
#[derive(Clone, Debug)]
pub struct InvoiceItemRequest {
    pub price: Price,
    pub product_name: String,
    pub quantity: i64,
    pub metadata: MetadataUpdate,
    pub discountable: bool,
    pub start: ItemPeriodStart,
    pub end: ItemPeriodEnd,
}

/// At most this many entries in `add_invoice_items`.
pub const MAX_INVOICE_ITEMS: usize = 20;

/// At most this many items on one subscription.
pub const MAX_ITEMS: usize = 20;
/// Largest quantity on one item; with prices capped at eight digits the
/// totals stay far inside `i64`.
pub const MAX_QUANTITY: i64 = 1_000_000;

fn check_quantity(q: i64, i: usize) -> DomainResult<()> {
    if q < 0 {
        return Err(DomainError::invalid(
            format!("items[{i}][quantity]"),
            "Invalid quantity: it cannot be negative.",
        ));
    }
    if q > MAX_QUANTITY {
        return Err(DomainError::invalid(
            format!("items[{i}][quantity]"),
            format!("Invalid quantity: it cannot be more than {MAX_QUANTITY}."),
        ));
    }
    Ok(())
}

/// Trials last at most this long (Stripe's 730 days).
pub const MAX_TRIAL_SECS: i64 = 730 * 86_400;

/// `12.00` for 1200 in a two-decimal currency; `1200` in a zero-decimal one.
pub fn format_amount(amount: i64, currency: &str) -> String {
    let exp = Currency::parse(currency).map(|c| c.exponent()).unwrap_or(2);
    if exp == 0 {
        return amount.to_string();
    }
    let div = 10i64.pow(exp);
    let sign = if amount < 0 { "-" } else { "" };
    format!(
        "{sign}{}.{:0width$}",
        amount.abs() / div,
        amount.abs() % div,
        width = exp as usize
    )
}

/// Stripe's description of a subscription line: `1 × Pro (at $15.00 / month)`.
pub fn line_description(
    quantity: i64,
    product: &str,
    unit_amount: i64,
    currency: &str,
    r: &Recurring,
) -> String {
    format!(
        "{quantity} × {product} (at {})",
        rate_per_interval(unit_amount, currency, r)
    )
}

/// `$15.00 / month`, `EUR 15.00 / every 3 months`.
fn rate_per_interval(amount: i64, currency: &str, r: &Recurring) -> String {
    let every = if r.interval_count == 1 {
        r.interval.as_str().to_owned()
    } else {
        format!("every {} {}s", r.interval_count, r.interval.as_str())
    };
    let symbol = if currency == "usd" {
        "$".to_owned()
    } else {
        format!("{} ", currency.to_uppercase())
    };
    format!("{symbol}{} / {every}", format_amount(amount, currency))
}

/// The lines billing `item` for the whole `period`: one at its price's unit amount; under a
/// tiered price, one for each part of what its quantity costs, as Stripe bills them (the units
/// of each tier billed, `5 × Seats (Tier 1 at $7.00 / month)`, then that tier's flat amount,
/// if it has one, with no quantity: `Seats (Tier 1 at $20.00 / month)`).
fn period_lines(
    ctx: &mut Ctx<'_>,
    item: &Item,
    period: (i64, i64),
    currency: &str,
    r: &Recurring,
) -> Vec<Line> {
    let Some(tiers) = &item.price.tiers else {
        let description = line_description(
            item.quantity,
            &item.product_name,
            item.price.unit_amount.unwrap_or(0),
            currency,
            r,
        );
        let amount = item.price.amount_for(item.quantity);
        return vec![item_line(ctx, item, amount, description, period, false)];
    };
    tiers
        .charges(item.quantity)
        .into_iter()
        .map(|c| {
            let rate = rate_per_interval(c.rate, currency, r);
            let (quantity, description) = if c.flat {
                (
                    0,
                    format!("{} (Tier {} at {rate})", item.product_name, c.tier),
                )
            } else {
                (
                    c.units,
                    format!(
                        "{} × {} (Tier {} at {rate})",
                        c.units, item.product_name, c.tier
                    ),
                )
            };
            let mut line = item_line(ctx, item, c.amount, description, period, false);
            line.quantity = quantity;
            line.tier = Some((c.tier, c.flat));
            line
        })
        .collect()
}

/// An invoice line for `item`.
fn item_line(
    ctx: &mut Ctx<'_>,
    item: &Item,
    amount: i64,
    description: String,
    period: (i64, i64),
    proration: bool,
) -> Line {
    Line {
        id: ctx.ids.next("il_", ID_LEN),
        amount,
        description,
        period_start: period.0,
        period_end: period.1,
        quantity: item.quantity,
        price: item.price.id.to_string(),
        product: item.price.product.to_string(),
        proration,
        subscription_item: Some(item.id.clone()),
        discount_amounts: Vec::new(),
        // A proration is an invoice item of its own until an invoice bills it, as Stripe's are.
        invoice_item: proration.then(|| ctx.ids.next("ii_", ID_LEN)),
        subscription: None,
        discountable: true,
        metadata: Metadata::default(),
        proration_discounts: None,
        tier: None,
        credited: None,
    }
}

impl Subscription {
    /// Creates a subscription for `customer` and the lines of its first invoice.
    pub fn create(
        customer: &Customer,
        p: SubscriptionCreate,
        ctx: &mut Ctx<'_>,
    ) -> DomainResult<(Subscription, Vec<Line>)> {
        let now = ctx.now;
        let first = p.items.first().ok_or_else(|| {
            DomainError::invalid_code(
                "items",
                crate::ErrorCode::ParameterMissing,
                "Missing required param: items.",
            )
        })?;
        if p.items.len() > MAX_ITEMS {
            return Err(DomainError::invalid(
                "items",
                format!("A subscription can have at most {MAX_ITEMS} items."),
            ));
        }
        let recurring = first
            .price
            .recurring
            .clone()
            .ok_or_else(|| not_recurring(&first.price, 0))?;
        let currency = first.price.currency.code().to_owned();
        for (i, it) in p.items.iter().enumerate() {
            let param = format!("items[{i}][price]");
            let r = it
                .price
                .recurring
                .as_ref()
                .ok_or_else(|| not_recurring(&it.price, i))?;
            if !it.price.usable() {
                return Err(DomainError::invalid(param, format!("The price {} is archived (inactive) and cannot be used for a new subscription.", it.price.id)));
            }
            if it.price.currency.code() != currency || r != &recurring {
                return Err(DomainError::invalid(param, "Currency and interval fields must match across all prices on this subscription."));
            }
            if p.items[..i].iter().any(|o| o.price.id == it.price.id) {
                return Err(DomainError::invalid(
                    param,
                    format!(
                        "Cannot add multiple subscription items with the same price: {}",
                        it.price.id
                    ),
                ));
            }
            check_quantity(it.quantity, i)?;
        }
        if let Some(c) = &customer.currency {
            if c != &currency {
                return Err(DomainError::invalid(
                    "items[0][price]",
                    format!("The customer is billed in {c}; a subscription in {currency} cannot be added."),
                ));
            }
        }
        if let Some(t) = p.trial_end {
            if t <= now {
                return Err(DomainError::invalid(
                    "trial_end",
                    "Invalid trial_end: it must be in the future.",
                ));
            }
            if t > now + MAX_TRIAL_SECS {
                return Err(DomainError::invalid(
                    "trial_end",
                    "Invalid trial_end: a trial can last at most 730 days.",
                ));
            }
        }
        let natural_end = period_end(now, &recurring, now);
        if let Some(c) = &p.billing_cycle_anchor_config {
            if p.billing_cycle_anchor.is_some() {
                return Err(DomainError::invalid(
                    "billing_cycle_anchor_config",
                    "You may only specify one of these parameters: billing_cycle_anchor, \
                     billing_cycle_anchor_config.",
                ));
            }
            if !matches!(recurring.interval, Interval::Month | Interval::Year) {
                return Err(DomainError::invalid(
                    "billing_cycle_anchor_config",
                    format!(
                        "billing_cycle_anchor_config is only valid with monthly and yearly \
                         prices; this subscription's prices recur every {}. Use \
                         billing_cycle_anchor instead.",
                        recurring.interval.as_str()
                    ),
                ));
            }
            c.check()?;
        }
        // The configured anchor comes after the trial, if any.
        let configured = p
            .billing_cycle_anchor_config
            .map(|c| c.anchor(p.trial_end.unwrap_or(now), now));
        let cycle_day = p.billing_cycle_anchor_config.map(|c| c.day_of_month);
        if let Some(a) = p.billing_cycle_anchor {
            if a < now {
                return Err(DomainError::invalid(
                    "billing_cycle_anchor",
                    "Invalid billing_cycle_anchor: it cannot be in the past.",
                ));
            }
        }
        if let Some(a) = p.billing_cycle_anchor.or(configured) {
            if p.trial_end.is_none() && a > natural_end {
                return Err(match configured {
                    Some(_) => DomainError::invalid(
                        "billing_cycle_anchor_config[month]",
                        format!(
                            "billing_cycle_anchor_config puts the billing cycle anchor at {a}, \
                             later than the end of the first natural billing period ({natural_end})."
                        ),
                    ),
                    None => DomainError::invalid(
                        "billing_cycle_anchor",
                        "billing_cycle_anchor cannot be later than the end of the first natural billing period.",
                    ),
                });
            }
        }
        if let Some(c) = p.cancel_at {
            if c <= now {
                return Err(DomainError::invalid(
                    "cancel_at",
                    "Invalid cancel_at: it must be in the future.",
                ));
            }
        }
        // The first period: a trial, a stretch up to a future anchor, or a whole interval.
        let (status, period, anchor, kind) =
            match (p.trial_end, p.billing_cycle_anchor.or(configured)) {
                (Some(t), a) => (
                    SubscriptionStatus::Trialing,
                    (now, t),
                    a.unwrap_or(t),
                    FirstPeriod::Trial,
                ),
                (None, Some(a)) if a > now => (
                    SubscriptionStatus::Incomplete,
                    (now, a),
                    a,
                    FirstPeriod::ToAnchor,
                ),
                // Anchored now: a whole period, ending on the configured day if there is one
                // (the 31st from April 30 is May 31).
                _ => (
                    SubscriptionStatus::Incomplete,
                    (now, nth_boundary_on(now, cycle_day, &recurring, 1)),
                    now,
                    FirstPeriod::Whole,
                ),
            };
        let id = ctx.ids.next("sub_", ID_LEN);
        let mut items = Vec::with_capacity(p.items.len());
        let mut lines = Vec::with_capacity(p.items.len());
        for it in &p.items {
            let item = Item {
                id: ctx.ids.next("si_", ID_LEN),
                price: it.price.clone(),
                product_name: it.product.name.clone(),
                quantity: it.quantity,
                created: now,
                metadata: it.metadata.build("items[][metadata]")?,
                current_period_start: period.0,
                current_period_end: period.1,
            };
            match kind {
                FirstPeriod::Trial => {
                    let description = format!("Trial period for {}", it.product.name);
                    lines.push(item_line(ctx, &item, 0, description, period, false));
                }
                FirstPeriod::ToAnchor => {
                    let (start, end) =
                        period_containing_on(anchor, cycle_day, &recurring, anchor - 1);
                    let amount = if p.prorate_to_anchor {
                        prorate(it.price.amount_for(it.quantity), start, end, now, anchor)
                    } else {
                        0
                    };
                    let description = proration_description(
                        "Remaining time on",
                        it.quantity,
                        &it.product.name,
                        "after the subscription starts",
                    );
                    lines.push(item_line(ctx, &item, amount, description, period, true));
                }
                FirstPeriod::Whole => {
                    lines.extend(period_lines(ctx, &item, period, &currency, &recurring));
                }
            }
            items.push(item);
        }
        let mut sub = Subscription {
            id,
            created: now,
            livemode: ctx.livemode,
            customer: customer.id.to_string(),
            status,
            items,
            currency,
            recurring,
            billing_cycle_anchor: anchor,
            start_date: now,
            cancel_at_period_end: p.cancel_at_period_end,
            cancel_at: p.cancel_at,
            prorate_cancel_at: false,
            pending_setup_intent: None,
            canceled_at: None,
            ended_at: None,
            cancellation_details: CancellationDetails::default(),
            default_payment_method: p.default_payment_method,
            discounts: Vec::new(),
            latest_invoice: None,
            metadata: p.metadata.build("metadata")?,
            description: p.description,
            trial_start: p.trial_end.map(|_| now),
            trial_end: p.trial_end,
            test_clock: customer.test_clock.clone(),
            pending_lines: Vec::new(),
            next_retry_at: None,
            schedule: None,
            pending_update: None,
            draft_invoice: None,
            save_default_payment_method: p.save_default_payment_method,
            missing_payment_method: p.missing_payment_method,
            trial_will_end_sent_for: None,
            pause_collection: None,
            card_only: p.card_only,
            upcoming_sent_for: None,
            billing_cycle_anchor_config: p.billing_cycle_anchor_config,
            free_to_anchor: p.trial_end.is_some() && !p.prorate_to_anchor,
            billing_mode: p.billing_mode,
            days_until_due: p.days_until_due,
            overdue_at: None,
        };
        // A trial shorter than the warning is announced at once.
        sub.warn_trial_end(now);
        Ok((sub, lines))
    }

    /// The current period (all items share it).
    pub fn current_period(&self) -> (i64, i64) {
        self.items
            .first()
            .map(|i| (i.current_period_start, i.current_period_end))
            .unwrap_or((self.start_date, self.start_date))
    }

    /// How an invoice made at `at` is handled, if payment collection is paused then.
    pub fn collection_paused_at(&self, at: i64) -> Option<PauseBehavior> {
        self.pause_collection
            .filter(|p| p.resumes_at.is_none_or(|r| at < r))
            .map(|p| p.behavior)
    }

    /// Pauses payment collection as `pause` says, or resumes it (`None`).
    pub fn set_pause_collection(
        &mut self,
        pause: Option<PauseCollection>,
        now: i64,
    ) -> DomainResult<()> {
        if pause.and_then(|p| p.resumes_at).is_some_and(|r| r <= now) {
            return Err(DomainError::invalid(
                "pause_collection[resumes_at]",
                "Invalid resumes_at: it must be in the future.",
            ));
        }
        self.pause_collection = pause;
        Ok(())
    }

    /// Collection resumes at `resumes_at`.
    pub fn resume_collection(&mut self, at: i64) {
        if self
            .pause_collection
            .is_some_and(|p| p.resumes_at.is_some_and(|r| r <= at))
        {
            self.pause_collection = None;
        }
    }

    /// When the next renewal invoice is to be announced, if it has not been yet: three days
    /// before the period ends, for a subscription that will renew then, charging its invoice
    /// (not while collection is paused), and whose period is longer than that.
    fn upcoming_notice_due(&self) -> Option<i64> {
        let renews = matches!(
            self.status,
            SubscriptionStatus::Active | SubscriptionStatus::Trialing | SubscriptionStatus::PastDue
        );
        let (start, end) = self.current_period();
        let at = end - UPCOMING_NOTICE_SECS;
        (renews
            && self.collection_paused_at(end).is_none()
            && !self.cancel_at_period_end
            && self.cancel_at.is_none_or(|c| c > end)
            && at > start
            && self.upcoming_sent_for != Some(end))
        .then_some(at)
    }

    /// Gives up announcing the next renewal when a change at `now` made it announceable too late
    /// (its notice time has passed: a trial ended now, a cancellation withdrawn, collection
    /// resumed within the last three days of the period).
    pub fn forgo_late_notice(&mut self, now: i64) {
        if self.upcoming_notice_due().is_some_and(|at| at < now) {
            self.upcoming_sent_for = Some(self.current_period().1);
        }
    }

    /// Marks the next renewal invoice announced at `now` if it is due to be. Whether it was:
    /// the caller then sends `invoice.upcoming` with a preview of that invoice.
    pub fn announce_upcoming(&mut self, now: i64) -> bool {
        match self.upcoming_notice_due() {
            Some(at) if at <= now => {
                self.upcoming_sent_for = Some(self.current_period().1);
                true
            }
            _ => false,
        }
    }

    /// When the running trial's end is to be announced, if it has not been yet.
    fn trial_warning_due(&self) -> Option<i64> {
        let end = self.trial_end?;
        (self.status == SubscriptionStatus::Trialing && self.trial_will_end_sent_for != Some(end))
            .then_some(end - TRIAL_WARNING_SECS)
    }

    /// Announces the running trial's end if it is at most three days away at `now` (once per
    /// trial end: moving the end announces the new one in its turn). Whether it did, which
    /// the caller's events tell as `customer.subscription.trial_will_end`.
    pub fn warn_trial_end(&mut self, now: i64) -> bool {
        match self.trial_warning_due() {
            Some(at) if at <= now => {
                self.trial_will_end_sent_for = self.trial_end;
                true
            }
            _ => false,
        }
    }

    /// A payment for this subscription succeeded with `payment_method`: under
    /// `save_default_payment_method=on_subscription` it becomes the default. Whether that
    /// changed anything.
    pub fn paid_with(&mut self, payment_method: &str) -> bool {
        if !self.save_default_payment_method
            || self.default_payment_method.as_deref() == Some(payment_method)
        {
            return false;
        }
        self.default_payment_method = Some(payment_method.to_owned());
        true
    }

    /// The latest invoice was paid (or needed nothing): an incomplete subscription starts, a
    /// past-due or unpaid one is back in good standing.
    pub fn first_invoice_paid(&mut self) {
        if matches!(
            self.status,
            SubscriptionStatus::Incomplete
                | SubscriptionStatus::PastDue
                | SubscriptionStatus::Unpaid
        ) {
            // An incomplete subscription still in its trial (its first invoice carried a
            // one-off charge) goes on trialing.
            self.status = if self.status == SubscriptionStatus::Incomplete
                && self.trial_end == Some(self.current_period().1)
            {
                SubscriptionStatus::Trialing
            } else {
                SubscriptionStatus::Active
            };
        }
        self.next_retry_at = None;
    }

    /// Whether its invoices are sent to the customer to pay (`collection_method=send_invoice`)
    /// rather than charged.
    pub fn sends_invoices(&self) -> bool {
        self.days_until_due.is_some()
    }

    /// When an invoice of this subscription made at `created` is due, if it is sent for
    /// payment rather than charged.
    pub fn due_date_for(&self, created: i64) -> Option<i64> {
        self.days_until_due.map(|d| created + d * 86_400)
    }

    /// Its sent invoice `inv` was finalized with something to pay: the subscription waits on it
    /// until its due date, then is past due if it is still unpaid (see [`Due::Overdue`]).
    pub fn invoice_sent(&mut self, inv: &crate::invoice::Invoice) {
        if inv.send_invoice && inv.amount_remaining() > 0 && !self.status.is_ended() {
            self.overdue_at = match self.overdue_at {
                // An older invoice still unpaid falls due first.
                Some(at) => Some(at.min(inv.due_date.unwrap_or(at))),
                None => inv.due_date,
            };
        }
    }

    /// Its sent invoices still unpaid are due on `dues`, as of `at`: once one has fallen due the
    /// subscription is past due, with no automatic retries (nothing is charged), until it is
    /// paid; the next due date still ahead is waited on in turn.
    pub fn sent_invoices_due(&mut self, dues: &[i64], at: i64) {
        let overdue = dues.iter().any(|d| *d <= at);
        if overdue
            && matches!(
                self.status,
                SubscriptionStatus::Active | SubscriptionStatus::Trialing
            )
        {
            self.status = SubscriptionStatus::PastDue;
            self.next_retry_at = None;
        }
        self.overdue_at = dues.iter().copied().filter(|d| *d > at).min();
    }

    /// The first invoice carried something to pay (a one-off charge during a trial) and was
    /// not paid: the subscription is incomplete until it is.
    pub fn first_invoice_unpaid(&mut self) {
        if self.status == SubscriptionStatus::Trialing {
            self.status = SubscriptionStatus::Incomplete;
        }
    }

    /// What falls due next for this subscription, and when.
    pub fn next_due(&self) -> Option<(i64, Due)> {
        // A renewal's draft is finalized whatever became of the subscription since.
        let draft = self
            .draft_invoice
            .as_ref()
            .map(|d| (d.finalizes_at, Due::FinalizeInvoice));
        let sooner = |other: Option<(i64, Due)>| match (other, draft) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        let retry_at = self.next_retry_at;
        if self.status.is_ended() {
            // A change still waiting for its payment never happens once the subscription has
            // ended: it falls due at once, to be dropped and its invoice voided.
            let dropped = self.pending_update.as_ref().map(|p| {
                let at = self.ended_at.map_or(p.expires_at, |e| e.min(p.expires_at));
                (at, Due::PendingExpiry)
            });
            return sooner(dropped);
        }
        if self.status == SubscriptionStatus::Incomplete {
            return sooner(Some((
                self.created + INCOMPLETE_EXPIRY_SECS,
                Due::IncompleteExpiry,
            )));
        }
        // A paused subscription bills nothing; only a set cancellation date still falls due.
        if self.status == SubscriptionStatus::Paused {
            return sooner(self.cancel_at.map(|at| (at, Due::Cancel)));
        }
        let end = self.current_period().1;
        let mut due = vec![(
            end,
            if self.cancel_at_period_end || self.cancel_at == Some(end) {
                Due::Cancel
            } else {
                Due::Renew
            },
        )];
        if let Some(at) = self.cancel_at.filter(|at| *at < end) {
            due.push((at, Due::Cancel));
        }
        if let Some(at) = retry_at.filter(|_| self.status == SubscriptionStatus::PastDue) {
            due.push((at, Due::Retry));
        }
        if let Some(p) = &self.pending_update {
            due.push((p.expires_at, Due::PendingExpiry));
        }
        if let Some(at) = self.trial_warning_due() {
            due.push((at, Due::TrialWillEnd));
        }
        if let Some(at) = self.upcoming_notice_due() {
            due.push((at, Due::InvoiceUpcoming));
        }
        if let Some(at) = self.pause_collection.and_then(|p| p.resumes_at) {
            due.push((at, Due::ResumeCollection));
        }
        if let Some(at) = self.overdue_at {
            due.push((at, Due::Overdue));
        }
        // A draft still waiting when the next period ends is finalized then, before the next
        // renewal drafts another.
        due.extend(draft.map(|(t, d)| (t.min(end), d)));
        due.into_iter().min_by_key(|(t, d)| (*t, *d))
    }

    /// Keeps renewal invoice `id` waiting, a draft, to be finalized and charged at `at` — unless
    /// the subscription has ended or already waits on another. Whether it now waits on this one.
    pub fn await_draft(&mut self, id: &str, at: i64) -> bool {
        if self.status.is_ended() || self.draft_invoice.as_ref().is_some_and(|d| d.id != id) {
            return false;
        }
        self.draft_invoice = Some(DraftInvoice {
            id: id.to_owned(),
            finalizes_at: at,
        });
        true
    }

    /// A payment made by hand of `invoice`, the renewal's invoice still waiting its hour, failed
    /// (or waits on authentication): the subscription is past due from now, as after any failed
    /// renewal payment, and the retry schedule takes over from the charge the hour would have
    /// made. Whether it changed (not for another invoice, nor once the subscription has ended).
    pub fn renewal_failed_by_hand(&mut self, invoice: &str, created: i64, attempts: i64) -> bool {
        if self.status.is_ended() || self.draft_invoice.as_ref().is_none_or(|d| d.id != invoice) {
            return false;
        }
        self.draft_invoice = None;
        self.payment_failed(created, attempts);
        true
    }

    /// A payment of its invoice made at `created`, tried `attempts` times in all, failed (or
    /// waits on authentication): the subscription is past due, the invoice retried on the
    /// schedule.
    pub fn payment_failed(&mut self, created: i64, attempts: i64) {
        self.status = SubscriptionStatus::PastDue;
        self.next_retry_at = next_retry(created, attempts);
    }

    /// Keeps `after` (this subscription as a change left it) as a pending update: this
    /// subscription stays as it was until invoice `invoice` is paid, or `at` + 23 hours pass.
    pub fn hold_pending(&mut self, after: Subscription, invoice: &str, at: i64) {
        self.pending_update = Some(PendingUpdate {
            expires_at: at + PENDING_UPDATE_SECS,
            items: after.items,
            recurring: after.recurring,
            billing_cycle_anchor: after.billing_cycle_anchor,
            pending_lines: after.pending_lines,
            discounts: after.discounts,
            invoice: Some(invoice.to_owned()),
        });
        self.latest_invoice = Some(invoice.to_owned());
    }

    /// The latest invoice was paid: a pending update takes effect.
    pub fn apply_pending_update(&mut self) -> bool {
        let Some(p) = self.pending_update.take() else {
            return false;
        };
        self.items = p.items;
        self.recurring = p.recurring;
        if p.billing_cycle_anchor != self.billing_cycle_anchor {
            self.move_anchor(p.billing_cycle_anchor);
        }
        self.pending_lines = p.pending_lines;
        self.discounts = p.discounts;
        true
    }

    /// Moves the end of a running trial to `end` (`now` ends it now: the caller then renews
    /// the subscription). The trial's period, and the billing cycle, end there.
    pub fn set_trial_end(&mut self, end: i64, now: i64) -> DomainResult<()> {
        if self.status != SubscriptionStatus::Trialing {
            return Err(DomainError::invalid(
                "trial_end",
                format!(
                    "This subscription is {}, not trialing: Portico changes trial_end only \
                     during a trial.",
                    self.status.as_str()
                ),
            ));
        }
        if end < now {
            return Err(DomainError::invalid(
                "trial_end",
                "Invalid trial_end: it must be in the future, or 'now'.",
            ));
        }
        if end - self.trial_start.unwrap_or(now) > MAX_TRIAL_SECS {
            return Err(DomainError::invalid(
                "trial_end",
                "Invalid trial_end: a trial can last at most 730 days.",
            ));
        }
        self.trial_end = Some(end);
        self.move_anchor(end);
        for item in &mut self.items {
            item.current_period_end = end;
        }
        // Ending the trial now, or within three days, announces it at once; its first invoice
        // comes too soon to be announced three days ahead.
        self.warn_trial_end(now);
        self.forgo_late_notice(now);
        Ok(())
    }

    /// `trial_end` on update: moves (or ends, at `now`) the running trial, or puts an active
    /// subscription on one ([`Subscription::start_trial`], its credit left for the invoice after
    /// the trial).
    pub fn update_trial_end(
        &mut self,
        end: i64,
        now: i64,
        prorate: bool,
        ctx: &mut Ctx<'_>,
    ) -> DomainResult<()> {
        if self.status != SubscriptionStatus::Active {
            return self.set_trial_end(end, now);
        }
        let credits = self.start_trial(end, now, prorate, ctx)?;
        self.pending_lines.extend(credits);
        Ok(())
    }

    /// Puts an active subscription on a trial from `now` until `end`, as Stripe does when an
    /// update sets `trial_end`: the trial is a period of its own, the billing cycle starts again
    /// at its end, and, with `prorate`, the unused time of the current period is credited (the
    /// lines given, for the invoice after the trial).
    pub fn start_trial(
        &mut self,
        end: i64,
        now: i64,
        prorate: bool,
        ctx: &mut Ctx<'_>,
    ) -> DomainResult<Vec<Line>> {
        if self.status != SubscriptionStatus::Active {
            return Err(DomainError::invalid(
                "trial_end",
                format!(
                    "This subscription is {}: a trial can be added only to an active \
                     subscription, or changed during one.",
                    self.status.as_str()
                ),
            ));
        }
        if end <= now {
            return Err(DomainError::invalid(
                "trial_end",
                "Invalid trial_end: this subscription is not trialing, so there is no trial to \
                 end now. Give a time in the future to add a trial.",
            ));
        }
        if end - now > MAX_TRIAL_SECS {
            return Err(DomainError::invalid(
                "trial_end",
                "Invalid trial_end: a trial can last at most 730 days.",
            ));
        }
        let credits = if prorate {
            self.unused_time_credits(now, ctx)
        } else {
            Vec::new()
        };
        self.status = SubscriptionStatus::Trialing;
        self.trial_start = Some(now);
        self.trial_end = Some(end);
        self.move_anchor(end);
        for item in &mut self.items {
            item.current_period_start = now;
            item.current_period_end = end;
        }
        // A cancellation at the period's end moves with it.
        if self.cancel_at_period_end {
            self.cancel_at = Some(end);
        }
        self.warn_trial_end(now);
        self.forgo_late_notice(now);
        Ok(credits)
    }

    /// Starts the next period at the end of the current one (a trial ends into `active`), and
    /// gives the lines of its invoice.
    pub fn renew(&mut self, ctx: &mut Ctx<'_>) -> Vec<Line> {
        let (_, start) = self.current_period();
        let (natural_start, end) = self.period_around(start);
        // A trial that ends before the anchor leaves a stretch shorter than a period up to it:
        // prorated, or free under `proration_behavior=none`.
        let stub = self.status == SubscriptionStatus::Trialing && natural_start < start;
        if self.status == SubscriptionStatus::Trialing {
            self.status = SubscriptionStatus::Active;
        }
        // Pending prorations come first on the invoice, as Stripe orders them.
        let mut lines = std::mem::take(&mut self.pending_lines);
        for item in &mut self.items {
            item.current_period_start = start;
            item.current_period_end = end;
            if !stub {
                lines.extend(period_lines(
                    ctx,
                    item,
                    (start, end),
                    &self.currency,
                    &self.recurring,
                ));
                continue;
            }
            let amount = if self.free_to_anchor {
                0
            } else {
                let full = item.price.amount_for(item.quantity);
                prorate(full, natural_start, end, start, end)
            };
            let description = proration_description(
                "Remaining time on",
                item.quantity,
                &item.product_name,
                "after the trial",
            );
            lines.push(item_line(
                ctx,
                item,
                amount,
                description,
                (start, end),
                true,
            ));
        }
        lines
    }

    /// The lines of `add_invoice_items` at `now`: one-time prices in the subscription's
    /// currency, each an invoice item of its own, over the current period unless a period is
    /// given.
    pub fn invoice_item_lines(
        &self,
        items: &[InvoiceItemRequest],
        now: i64,
        ctx: &mut Ctx<'_>,
    ) -> DomainResult<Vec<Line>> {
        let (period_start, period_end) = self.current_period();
        let mut lines = Vec::with_capacity(items.len());
        for (i, it) in items.iter().enumerate() {
            let param = |f: &str| format!("add_invoice_items[{i}][{f}]");
            if it.price.recurring.is_some() {
                return Err(DomainError::invalid(
                    param("price"),
                    format!(
                        "The price `{}` is recurring, but add_invoice_items takes only one-time \
                         prices (`type=one_time`). Add recurring prices as `items` instead.",
                        it.price.id
                    ),
                ));
            }
            if !it.price.usable() {
                return Err(DomainError::invalid(
                    param("price"),
                    format!(
                        "The price `{}` is not active, and cannot be added to an invoice.",
                        it.price.id
                    ),
                ));
            }
            if it.price.currency.code() != self.currency {
                return Err(DomainError::invalid(
                    param("price"),
                    format!(
                        "The price `{}` is in {}, but the subscription is billed in {}.",
                        it.price.id,
                        it.price.currency.code(),
                        self.currency
                    ),
                ));
            }
            if !(0..=MAX_QUANTITY).contains(&it.quantity) {
                return Err(DomainError::invalid(
                    param("quantity"),
                    format!("Invalid quantity: it must be between 0 and {MAX_QUANTITY}."),
                ));
            }
            let start = match it.start {
                ItemPeriodStart::MaxItemPeriodStart => period_start,
                ItemPeriodStart::Now => now,
                ItemPeriodStart::Timestamp(t) => t,
            };
            let end = match it.end {
                ItemPeriodEnd::MinItemPeriodEnd => period_end,
                ItemPeriodEnd::Timestamp(t) => t,
            };
            if end < start {
                return Err(DomainError::invalid(
                    format!("add_invoice_items[{i}][period][end]"),
                    format!(
                        "Invalid period: it ends ({end}) before it starts ({start}); the end \
                         must be at or after the start."
                    ),
                ));
            }
            lines.push(Line {
                id: ctx.ids.next("il_", ID_LEN),
                amount: it.price.amount_for(it.quantity),
                description: it.product_name.clone(),
                period_start: start,
                period_end: end,
                quantity: it.quantity,
                price: it.price.id.to_string(),
                product: it.price.product.to_string(),
                proration: false,
                subscription_item: None,
                discount_amounts: Vec::new(),
                invoice_item: Some(ctx.ids.next("ii_", ID_LEN)),
                subscription: Some(self.id.clone()),
                discountable: it.discountable,
                metadata: it
                    .metadata
                    .build(&format!("add_invoice_items[{i}][metadata]"))?,
                proration_discounts: None,
                tier: None,
                credited: None,
            });
        }
        Ok(lines)
    }

    /// The period of this subscription's billing cycle that contains `t`.
    pub fn period_around(&self, t: i64) -> (i64, i64) {
        let day = self.billing_cycle_anchor_config.map(|c| c.day_of_month);
        period_containing_on(self.billing_cycle_anchor, day, &self.recurring, t)
    }

    /// Restarts the billing cycle at `at`: a configured anchor no longer applies.
    pub(crate) fn move_anchor(&mut self, at: i64) {
        self.billing_cycle_anchor = at;
        self.billing_cycle_anchor_config = None;
    }

    /// The trial ended at `at` and there is no payment method to charge: under
    /// `missing_payment_method=cancel` the subscription ends, under `pause` it pauses, billing
    /// nothing either way. Whether it did (else the period is billed as usual).
    pub fn end_trial_without_payment_method(&mut self, at: i64) -> bool {
        // A subscription whose invoices are sent needs no payment method.
        if self.status != SubscriptionStatus::Trialing || self.sends_invoices() {
            return false;
        }
        match self.missing_payment_method {
            MissingPaymentMethod::CreateInvoice => false,
            MissingPaymentMethod::Cancel => {
                self.end(at, "cancellation_requested");
                true
            }
            MissingPaymentMethod::Pause => {
                self.status = SubscriptionStatus::Paused;
                true
            }
        }
    }

    /// Resumes a paused subscription at `now` and gives the lines to invoice now. With
    /// `reset_anchor` (`billing_cycle_anchor=now`) a new period starts now, billed whole.
    /// Otherwise the billing cycle keeps its anchor and the rest of the period around `now`, from
    /// `proration_date` if given, is prorated per `behavior`: invoiced now (`always_invoice`,
    /// with any pending prorations), left for the next invoice (`create_prorations`), or free
    /// (`none`).
    pub fn resume(
        &mut self,
        now: i64,
        reset_anchor: bool,
        behavior: ProrationBehavior,
        proration_date: Option<i64>,
        ctx: &mut Ctx<'_>,
    ) -> DomainResult<Vec<Line>> {
        if self.status != SubscriptionStatus::Paused {
            return Err(DomainError::state(
                None,
                format!(
                    "This subscription is {}: only a paused subscription can be resumed.",
                    self.status.as_str()
                ),
            ));
        }
        if let Some(schedule) = self.schedule.as_ref().filter(|_| reset_anchor) {
            return Err(DomainError::invalid(
                "billing_cycle_anchor",
                format!(
                    "The subscription is managed by the subscription schedule `{schedule}`, whose \
                     phases follow its billing cycle: resume it with \
                     billing_cycle_anchor=unchanged, or release the schedule first."
                ),
            ));
        }
        if reset_anchor {
            self.status = SubscriptionStatus::Active;
            self.move_anchor(now);
            for item in &mut self.items {
                item.current_period_end = now;
            }
            let lines = self.renew(ctx);
            self.forgo_late_notice(now);
            return Ok(lines);
        }
        let (start, end) = self.period_around(now);
        let at = proration_date.unwrap_or(now);
        if at < start || at > now {
            return Err(DomainError::invalid(
                "proration_date",
                "Invalid proration_date: it must be within the current billing period, and not \
                 in the future.",
            ));
        }
        self.status = SubscriptionStatus::Active;
        let date = short_date(at);
        let mut prorations = Vec::new();
        for item in &mut self.items {
            item.current_period_start = start;
            item.current_period_end = end;
            let amount = prorate(item.price.amount_for(item.quantity), start, end, at, end);
            if behavior != ProrationBehavior::None && amount != 0 {
                let description = proration_description(
                    "Remaining time on",
                    item.quantity,
                    &item.product_name,
                    &format!("after {date}"),
                );
                prorations.push(item_line(ctx, item, amount, description, (at, end), true));
            }
        }
        self.forgo_late_notice(now);
        Ok(match behavior {
            ProrationBehavior::AlwaysInvoice => {
                let mut lines = std::mem::take(&mut self.pending_lines);
                lines.extend(prorations);
                lines
            }
            _ => {
                self.pending_lines.extend(prorations);
                Vec::new()
            }
        })
    }

    /// Refuses any change to a subscription that has ended (canceled, incomplete_expired).
    pub fn ensure_updatable(&self) -> DomainResult<()> {
        if self.status.is_ended() {
            return Err(DomainError::state(
                None,
                format!(
                    "This subscription is {} and can no longer be updated.",
                    self.status.as_str()
                ),
            ));
        }
        Ok(())
    }

    /// Changes the items at `at` (`proration_date`), prorating per `behavior` over the current
    /// period as Stripe does: a credit for the unused time of each changed or removed item, a
    /// charge for the remaining time of each changed or added one. Moving to another interval,
    /// or `reset_anchor` (`billing_cycle_anchor=now`), restarts the billing cycle at `at` and bills
    /// the new period whole.
    pub fn change_items(
        &mut self,
        changes: Vec<ItemChange>,
        at: i64,
        behavior: ProrationBehavior,
        reset_anchor: bool,
        ctx: &mut Ctx<'_>,
    ) -> DomainResult<ItemsChanged> {
        self.ensure_updatable()?;
        if self.status == SubscriptionStatus::Paused {
            return Err(DomainError::state(
                Some("items"),
                "This subscription is paused: resume it (POST /v1/subscriptions/{id}/resume) \
                 before changing its items.",
            ));
        }
        if self.status == SubscriptionStatus::Incomplete {
            return Err(DomainError::state(
                Some("items"),
                "This subscription is incomplete: until its first invoice is paid only \
                 metadata and the default payment method can be updated.",
            ));
        }
        let (start, end) = self.current_period();
        if at < start || at > end {
            return Err(DomainError::invalid(
                "proration_date",
                "Invalid proration_date: it must be within the current billing period.",
            ));
        }
        let old = self.items.clone();
        let mut items = self.items.clone();
        // Which request entry (`items[i]`) last touched each item, for error messages.
        let mut origin: Vec<Option<usize>> = vec![None; items.len()];
        for (i, ch) in changes.into_iter().enumerate() {
            let pos = match &ch.id {
                Some(id) => Some(items.iter().position(|it| &it.id == id).ok_or_else(|| {
                    DomainError::NoSuch {
                        kind: "subscription_item",
                        id: id.clone(),
                        param: Some(format!("items[{i}][id]")),
                    }
                })?),
                None => None,
            };
            if let Some((p, _)) = &ch.price {
                if p.recurring.is_none() {
                    return Err(not_recurring(p, i));
                }
                if !p.usable() {
                    return Err(DomainError::invalid(
                        format!("items[{i}][price]"),
                        format!("The price {} is archived (inactive).", p.id),
                    ));
                }
                if p.currency.code() != self.currency {
                    return Err(DomainError::invalid(
                        format!("items[{i}][price]"),
                        "Currency fields must match across all prices on this subscription.",
                    ));
                }
            }
            if let Some(q) = ch.quantity {
                check_quantity(q, i)?;
            }
            match (pos, ch.deleted) {
                (Some(p), true) => {
                    items.remove(p);
                    origin.remove(p);
                }
                (None, true) => {
                    return Err(DomainError::invalid(
                        format!("items[{i}][deleted]"),
                        "To delete an item, give its id.",
                    ))
                }
                (Some(p), false) => {
                    origin[p] = Some(i);
                    let it = &mut items[p];
                    if let Some((price, name)) = ch.price {
                        it.price = price;
                        it.product_name = name;
                    }
                    if let Some(q) = ch.quantity {
                        it.quantity = q;
                    }
                    ch.metadata
                        .apply(&format!("items[{i}][metadata]"), &mut it.metadata)?;
                }
                (None, false) => {
                    let (price, name) = ch.price.ok_or_else(|| {
                        DomainError::invalid_code(
                            format!("items[{i}][price]"),
                            crate::ErrorCode::ParameterMissing,
                            format!("Missing required param: items[{i}][price]."),
                        )
                    })?;
                    origin.push(Some(i));
                    items.push(Item {
                        id: ctx.ids.next("si_", ID_LEN),
                        price,
                        product_name: name,
                        quantity: ch.quantity.unwrap_or(1),
                        created: at,
                        metadata: ch.metadata.build(&format!("items[{i}][metadata]"))?,
                        current_period_start: start,
                        current_period_end: end,
                    });
                }
            }
        }
        let Some(first) = items.first() else {
            return Err(DomainError::invalid(
                "items",
                "A subscription must keep at least one item.",
            ));
        };
        if items.len() > MAX_ITEMS {
            return Err(DomainError::invalid(
                "items",
                format!("A subscription can have at most {MAX_ITEMS} items."),
            ));
        }
        let recurring = first
            .price
            .recurring
            .clone()
            .ok_or_else(|| not_recurring(&first.price, 0))?;
        for (j, it) in items.iter().enumerate() {
            let param = origin[j]
                .map(|i| format!("items[{i}][price]"))
                .unwrap_or_else(|| "items".to_owned());
            if it.price.recurring.as_ref() != Some(&recurring) {
                return Err(DomainError::invalid(param, "Currency and interval fields must match across all prices on this subscription."));
            }
            if items[..j].iter().any(|o| o.price.id == it.price.id) {
                return Err(DomainError::invalid(
                    param,
                    format!(
                        "Cannot add multiple subscription items with the same price: {}",
                        it.price.id
                    ),
                ));
            }
        }
        let reset = reset_anchor || recurring != self.recurring;
        let trialing = self.status == SubscriptionStatus::Trialing;
        let date = short_date(at);
        let currency = self.currency.clone();
        let total = |it: &Item| it.price.amount_for(it.quantity);
        let line = |ctx: &mut Ctx<'_>, it: &Item, amount: i64, what: &str, period: (i64, i64)| {
            let description = proration_description(
                what,
                it.quantity,
                &it.product_name,
                &format!("after {date}"),
            );
            item_line(ctx, it, amount, description, period, true)
        };
        let mut out = ItemsChanged::default();
        if behavior != ProrationBehavior::None && !trialing {
            for o in &old {
                let now_item = items.iter().find(|n| n.id == o.id);
                if reset
                    || now_item.is_none_or(|n| n.price.id != o.price.id || n.quantity != o.quantity)
                {
                    let credit = -prorate(total(o), start, end, at, end);
                    if credit != 0 {
                        out.prorations
                            .push(line(ctx, o, credit, "Unused time on", (at, end)));
                    }
                }
            }
            if !reset {
                for n in &items {
                    let before = old.iter().find(|o| o.id == n.id);
                    if before.is_none_or(|o| o.price.id != n.price.id || o.quantity != n.quantity) {
                        let charge = prorate(total(n), start, end, at, end);
                        if charge != 0 {
                            out.prorations.push(line(
                                ctx,
                                n,
                                charge,
                                "Remaining time on",
                                (at, end),
                            ));
                        }
                    }
                }
            }
        }
        if reset {
            let new_end = period_end(at, &recurring, at);
            for it in &mut items {
                it.current_period_start = at;
                it.current_period_end = new_end;
            }
            self.move_anchor(at);
            if !trialing {
                out.new_period = Some(
                    items
                        .iter()
                        .flat_map(|it| period_lines(ctx, it, (at, new_end), &currency, &recurring))
                        .collect(),
                );
            }
        }
        self.items = items;
        self.recurring = recurring;
        Ok(out)
    }

    /// Credits for the unused time of every item from `at` to the period's end, as Stripe's
    /// `prorate=true` on cancellation creates them.
    pub fn unused_time_credits(&self, at: i64, ctx: &mut Ctx<'_>) -> Vec<Line> {
        let (start, end) = self.current_period();
        if self.status == SubscriptionStatus::Trialing || at >= end {
            return Vec::new();
        }
        let date = short_date(at);
        self.items
            .iter()
            .filter_map(|it| {
                let credit = -prorate(
                    it.price.amount_for(it.quantity),
                    start,
                    end,
                    at.max(start),
                    end,
                );
                (credit != 0).then(|| Line {
                    id: ctx.ids.next("il_", ID_LEN),
                    amount: credit,
                    description: proration_description(
                        "Unused time on",
                        it.quantity,
                        &it.product_name,
                        &format!("after {date}"),
                    ),
                    period_start: at.max(start),
                    period_end: end,
                    quantity: it.quantity,
                    price: it.price.id.to_string(),
                    product: it.price.product.to_string(),
                    proration: true,
                    subscription_item: Some(it.id.clone()),
                    discount_amounts: Vec::new(),
                    invoice_item: Some(ctx.ids.next("ii_", ID_LEN)),
                    subscription: None,
                    discountable: true,
                    metadata: Metadata::default(),
                    proration_discounts: None,
                    tier: None,
                    credited: None,
                })
            })
            .collect()
    }

    /// Ends the subscription at `at` for `reason` (`cancellation_requested`, `payment_failed`).
    pub fn end(&mut self, at: i64, reason: &str) {
        self.status = SubscriptionStatus::Canceled;
        self.ended_at = Some(at);
        if self.canceled_at.is_none() {
            self.canceled_at = Some(at);
        }
        self.cancel_at_period_end = false;
        self.next_retry_at = None;
        self.cancellation_details.reason = Some(reason.to_owned());
    }

    /// An incomplete subscription whose first invoice went unpaid for 23 hours.
    pub fn expire_incomplete(&mut self, at: i64) {
        self.status = SubscriptionStatus::IncompleteExpired;
        // Stripe's expired subscriptions carry the time in `canceled_at` too.
        self.canceled_at = Some(at);
        self.ended_at = Some(at);
    }

    /// Cancels now.
    pub fn cancel_now(&mut self, now: i64, details: CancellationDetails) -> DomainResult<()> {
        if self.status.is_ended() {
            return Err(DomainError::state(
                None,
                format!("This subscription is already {}.", self.status.as_str()),
            ));
        }
        self.status = SubscriptionStatus::Canceled;
        self.canceled_at = Some(now);
        self.ended_at = Some(now);
        self.cancel_at_period_end = false;
        self.cancellation_details = CancellationDetails {
            reason: Some("cancellation_requested".into()),
            ..details
        };
        Ok(())
    }

    /// Sets or clears cancellation at the end of the current period.
    pub fn set_cancel_at_period_end(&mut self, on: bool, now: i64) -> DomainResult<()> {
        if self.status.is_ended() {
            return Err(DomainError::state(
                None,
                format!(
                    "This subscription is {} and can no longer be changed.",
                    self.status.as_str()
                ),
            ));
        }
        if on && self.status == SubscriptionStatus::Paused {
            return Err(DomainError::state(
                Some("cancel_at_period_end"),
                "This subscription is paused: its period has ended. Cancel it now, or resume it \
                 first.",
            ));
        }
        self.cancel_at_period_end = on;
        if on {
            self.canceled_at = Some(now);
            self.cancel_at = Some(self.current_period().1);
            self.cancellation_details.reason = Some("cancellation_requested".into());
        } else {
            self.canceled_at = None;
            self.cancel_at = None;
            self.cancellation_details = CancellationDetails::default();
        }
        Ok(())
    }
}

/// The `days_until_due` of a subscription whose `collection_method` and `days_until_due` are
/// set as sent (`send`: whether `send_invoice`), `current` being its days before (`None` for a
/// new one, or one charged automatically): `None` to charge automatically. Sending invoices
/// without saying in how many days keeps the days in force, else takes
/// [`DEFAULT_DAYS_UNTIL_DUE`]; `days_until_due` goes only with invoices sent.
pub fn collection_days(
    (send, days): (Option<bool>, Option<i64>),
    current: Option<i64>,
) -> DomainResult<Option<i64>> {
    match (send, days) {
        (Some(true), d) => Ok(Some(d.or(current).unwrap_or(DEFAULT_DAYS_UNTIL_DUE))),
        (Some(false), None) => Ok(None),
        (None, Some(d)) if current.is_some() => Ok(Some(d)),
        (None, None) => Ok(current),
        (_, Some(_)) => Err(DomainError::invalid(
            "days_until_due",
            "`days_until_due` can only be set when `collection_method` is `send_invoice`.",
        )),
    }
}

/// What can fall due for a subscription, in the order ties are settled.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Due {
    /// The trial's end is three days away: it is announced.
    TrialWillEnd,
    /// The renewal invoice is three days away: it is announced.
    InvoiceUpcoming,
    /// Paused payment collection resumes (before a renewal due at the same time).
    ResumeCollection,
    /// An incomplete subscription expires.
    IncompleteExpiry,
    /// The renewal's draft invoice is finalized and charged (before a renewal or cancellation
    /// due at the same time).
    FinalizeInvoice,
    /// A scheduled cancellation takes effect.
    Cancel,
    /// The period ends and the next one is billed.
    Renew,
    /// A failed renewal payment is tried again.
    Retry,
    /// A pending update whose invoice went unpaid is dropped.
    PendingExpiry,
    /// The sent invoice the subscription waits on is due and still unpaid.
    Overdue,
}

/// An incomplete subscription expires this long after it was created (Stripe's 23 hours).
pub const INCOMPLETE_EXPIRY_SECS: i64 = 23 * 3600;

/// Days after a renewal invoice is created on which a failed payment is retried. When the last
/// retry fails too, the subscription is canceled (Stripe's default setting).
pub const RETRY_DAYS: &[i64] = &[3, 5, 7];

/// When an invoice that has been attempted `attempts` times is retried next, if ever.
pub fn next_retry(invoice_created: i64, attempts: i64) -> Option<i64> {
    let i = usize::try_from(attempts - 1).ok()?;
    RETRY_DAYS.get(i).map(|d| invoice_created + d * 86_400)
}

/// `05 Jan 2026`, as Stripe writes dates in proration descriptions (the day in two digits).
pub fn short_date(unix: i64) -> String {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let (y, m, d) = crate::calendar::civil_from_days(unix.div_euclid(86_400));
    format!("{d:02} {} {y}", MONTHS[(m - 1) as usize])
}

/// A proration's description as Stripe writes it: `what` (`Unused time on`, `Remaining time
/// on`), the product, with its quantity only when there is more than one (`Unused time on Pro
/// after 05 Jan 2026`, `Remaining time on 2 × Pro after 05 Jan 2026`), then `when`.
pub fn proration_description(what: &str, quantity: i64, product: &str, when: &str) -> String {
    if quantity == 1 {
        format!("{what} {product} {when}")
    } else {
        format!("{what} {quantity} × {product} {when}")
    }
}

enum FirstPeriod {
    Trial,
    ToAnchor,
    Whole,
}

fn not_recurring(p: &Price, i: usize) -> DomainError {
    DomainError::invalid(
        format!("items[{i}][price]"),
        format!("The price specified ({}) is set to `type=one_time` but this field only accepts prices with `type=recurring`.", p.id),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::customer::CustomerParams;
    use crate::id::SequentialIds;
    use crate::price::PriceCreate;
    use crate::product::ProductParams;

    struct World {
        customer: Customer,
        product: Product,
        monthly: Price,
        yearly: Price,
        one_time: Price,
    }

    fn world(ids: &mut SequentialIds, now: i64) -> World {
        let mut ctx = Ctx {
            now,
            livemode: false,
            ids,
        };
        let customer = Customer::create(CustomerParams::default(), &mut ctx).unwrap();
        let product = Product::create(
            ProductParams {
                name: Some("Pro".into()),
                ..Default::default()
            },
            &mut ctx,
        )
        .unwrap();
        let mk = |r: Option<Recurring>, amount: i64, ctx: &mut Ctx<'_>| {
            Price::create(
                PriceCreate {
                    currency: Currency::parse("usd"),
                    unit_amount: Some(amount),
                    recurring: r,
                    ..Default::default()
                },
                &product,
                ctx,
            )
            .unwrap()
        };
        let monthly = mk(
            Some(Recurring {
                interval: Interval::Month,
                interval_count: 1,
            }),
            1500,
            &mut ctx,
        );
        let yearly = mk(
            Some(Recurring {
                interval: Interval::Year,
                interval_count: 1,
            }),
            15000,
            &mut ctx,
        );
        let one_time = mk(None, 500, &mut ctx);
        World {
            customer,
            product,
            monthly,
            yearly,
            one_time,
        }
    }

    /// A subscription to one monthly price, to be completed with the fields a test sets.
    fn on_monthly(w: &World) -> SubscriptionCreate {
        SubscriptionCreate {
            items: vec![item(w, &w.monthly, 1)],
            ..Default::default()
        }
    }

    /// A subscription to one of the monthly price, created at `ctx.now`.
    fn monthly_sub(w: &World, ctx: &mut Ctx<'_>) -> Subscription {
        Subscription::create(&w.customer, on_monthly(w), ctx)
            .unwrap()
            .0
    }

    fn item(w: &World, price: &Price, quantity: i64) -> ItemRequest {
        ItemRequest {
            price: price.clone(),
            product: w.product.clone(),
            quantity,
            metadata: MetadataUpdate::default(),
        }
    }

    const NOW: i64 = 1_706_659_200; // 2024-01-31 00:00:00 UTC

    #[test]
    fn whole_first_period() {
        let mut ids = SequentialIds::default();
        let w = world(&mut ids, NOW);
        let mut ctx = Ctx {
            now: NOW,
            livemode: false,
            ids: &mut ids,
        };
        let (sub, lines) = Subscription::create(
            &w.customer,
            SubscriptionCreate {
                items: vec![item(&w, &w.monthly, 2)],
                ..Default::default()
            },
            &mut ctx,
        )
        .unwrap();
        assert_eq!(sub.status, SubscriptionStatus::Incomplete);
        assert_eq!(
            sub.current_period(),
            (NOW, NOW + 29 * 86_400),
            "January 31 to February 29, 2024"
        );
        assert_eq!(lines[0].amount, 3000);
        assert_eq!(lines[0].description, "2 × Pro (at $15.00 / month)");
        assert_eq!(sub.billing_cycle_anchor, NOW);
    }

    #[test]
    fn a_trial_added_to_an_active_subscription_credits_the_rest_of_the_period() {
        let mut ids = SequentialIds::default();
        let w = world(&mut ids, NOW);
        let mut ctx = Ctx {
            now: NOW,
            livemode: false,
            ids: &mut ids,
        };
        let mut sub = monthly_sub(&w, &mut ctx);
        assert!(
            sub.start_trial(NOW + 86_400, NOW, true, &mut ctx).is_err(),
            "not active until its first invoice is paid"
        );
        sub.first_invoice_paid();
        let (start, end) = sub.current_period();
        let mid = start + (end - start) / 2;
        let trial_end = mid + 10 * 86_400;
        assert!(
            sub.start_trial(mid, mid, true, &mut ctx).is_err(),
            "no trial to end now"
        );
        let credits = sub.start_trial(trial_end, mid, true, &mut ctx).unwrap();
        assert_eq!(
            credits.iter().map(|l| l.amount).collect::<Vec<_>>(),
            vec![-750]
        );
        assert_eq!(sub.status, SubscriptionStatus::Trialing);
        assert_eq!(sub.current_period(), (mid, trial_end));
        assert_eq!(
            (sub.trial_start, sub.trial_end),
            (Some(mid), Some(trial_end))
        );
        assert_eq!(sub.billing_cycle_anchor, trial_end);
        // The first invoice after the trial takes the credit, then a whole period from its end.
        sub.pending_lines.extend(credits);
        let lines = sub.renew(&mut ctx);
        assert_eq!(
            lines.iter().map(|l| l.amount).collect::<Vec<_>>(),
            vec![-750, 1500]
        );
        assert_eq!(sub.status, SubscriptionStatus::Active);
        assert_eq!(sub.current_period().0, trial_end);
    }

    #[test]
    fn trial_and_future_anchor() {
        let mut ids = SequentialIds::default();
        let w = world(&mut ids, NOW);
        let mut ctx = Ctx {
            now: NOW,
            livemode: false,
            ids: &mut ids,
        };
        let trial_end = NOW + 14 * 86_400;
        let (sub, lines) = Subscription::create(
            &w.customer,
            SubscriptionCreate {
                trial_end: Some(trial_end),
                ..on_monthly(&w)
            },
            &mut ctx,
        )
        .unwrap();
        assert_eq!(
            (sub.status, sub.trial_start, sub.trial_end),
            (SubscriptionStatus::Trialing, Some(NOW), Some(trial_end))
        );
        assert_eq!(sub.current_period(), (NOW, trial_end));
        assert_eq!(lines[0].amount, 0);
        // An anchor ten days out bills the prorated stretch before it.
        let anchor = NOW + 10 * 86_400;
        let (sub, lines) = Subscription::create(
            &w.customer,
            SubscriptionCreate {
                billing_cycle_anchor: Some(anchor),
                prorate_to_anchor: true,
                ..on_monthly(&w)
            },
            &mut ctx,
        )
        .unwrap();
        assert_eq!(sub.current_period(), (NOW, anchor));
        // 10 days of the 31-day period January 10 to February 10, 2024.
        assert_eq!(
            lines[0].amount,
            prorate(1500, anchor - 31 * 86_400, anchor, NOW, anchor)
        );
        assert!(lines[0].proration);
    }

    /// 2024-04-10 09:30:00 UTC.
    const APRIL_10: i64 = 1_712_741_400;

    fn day(t: i64) -> (i64, i64, i64) {
        crate::calendar::civil_from_days(t.div_euclid(86_400))
    }

    #[test]
    fn anchor_config_keeps_its_day() {
        let mut ids = SequentialIds::default();
        let w = world(&mut ids, APRIL_10);
        let mut ctx = Ctx {
            now: APRIL_10,
            livemode: false,
            ids: &mut ids,
        };
        let config = AnchorConfig {
            day_of_month: 31,
            hour: Some(0),
            minute: Some(0),
            second: Some(0),
            month: None,
        };
        let (mut sub, lines) = Subscription::create(
            &w.customer,
            SubscriptionCreate {
                billing_cycle_anchor_config: Some(config),
                prorate_to_anchor: true,
                ..on_monthly(&w)
            },
            &mut ctx,
        )
        .unwrap();
        // April has no 31st: the anchor is its last day, and the first invoice covers April 10
        // to 30 out of the period March 31 to April 30.
        assert_eq!(day(sub.billing_cycle_anchor), (2024, 4, 30));
        assert_eq!(sub.billing_cycle_anchor.rem_euclid(86_400), 0);
        let (start, end) = (APRIL_10, sub.billing_cycle_anchor);
        assert_eq!(sub.current_period(), (start, end));
        let march_31 = end - 30 * 86_400;
        assert_eq!(lines[0].amount, prorate(1500, march_31, end, start, end));
        assert_eq!(lines[0].amount, 980, "19 days 14.5 hours of 30 days at $15");
        assert!(lines[0].proration);
        assert_eq!(sub.billing_cycle_anchor_config, Some(config));
        // Then every month on the 31st, or the last day of a shorter month.
        sub.status = SubscriptionStatus::Active;
        let mut ends = Vec::new();
        for _ in 0..4 {
            let lines = sub.renew(&mut ctx);
            assert_eq!(lines[0].amount, 1500);
            assert!(!lines[0].proration);
            ends.push(day(sub.current_period().1));
        }
        assert_eq!(
            ends,
            vec![(2024, 5, 31), (2024, 6, 30), (2024, 7, 31), (2024, 8, 31)]
        );
        assert_eq!(
            sub.period_around(sub.current_period().0 + 1),
            sub.current_period()
        );
        // Restarting the cycle leaves the configuration behind.
        sub.move_anchor(APRIL_10 + 200 * 86_400);
        assert_eq!(sub.billing_cycle_anchor_config, None);
    }

    #[test]
    fn anchor_config_times_and_months() {
        let mut ids = SequentialIds::default();
        let w = world(&mut ids, APRIL_10);
        let mut ctx = Ctx {
            now: APRIL_10,
            livemode: false,
            ids: &mut ids,
        };
        let mut create = |price: &Price, config: AnchorConfig| {
            Subscription::create(
                &w.customer,
                SubscriptionCreate {
                    items: vec![item(&w, price, 1)],
                    billing_cycle_anchor_config: Some(config),
                    prorate_to_anchor: true,
                    ..Default::default()
                },
                &mut ctx,
            )
        };
        // Unset time parts are the creation time's: 09:30:00 on the 15th.
        let (sub, _) = create(
            &w.monthly,
            AnchorConfig {
                day_of_month: 15,
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(sub.billing_cycle_anchor, APRIL_10 + 5 * 86_400);
        // Today, later in the day (at the creation time's minute).
        let (sub, _) = create(
            &w.monthly,
            AnchorConfig {
                day_of_month: 10,
                hour: Some(17),
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(sub.billing_cycle_anchor, APRIL_10 + 8 * 3600);
        // The creation moment itself: a whole first period, anchored now.
        let (sub, lines) = create(
            &w.monthly,
            AnchorConfig {
                day_of_month: 10,
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(sub.billing_cycle_anchor, APRIL_10);
        assert_eq!((lines[0].amount, lines[0].proration), (1500, false));
        // A yearly price with a month: February 1, 2025, the stretch before it prorated.
        let (sub, lines) = create(
            &w.yearly,
            AnchorConfig {
                day_of_month: 1,
                month: Some(2),
                hour: Some(0),
                minute: Some(0),
                second: Some(0),
            },
        )
        .unwrap();
        assert_eq!(day(sub.billing_cycle_anchor), (2025, 2, 1));
        assert!(lines[0].proration && lines[0].amount < 15000 && lines[0].amount > 0);
        // A monthly price cannot wait for a month further off than its first period.
        let e = create(
            &w.monthly,
            AnchorConfig {
                day_of_month: 1,
                month: Some(9),
                ..Default::default()
            },
        )
        .unwrap_err();
        assert_eq!(param_of(&e), Some("billing_cycle_anchor_config[month]"));
        for (config, param) in [
            (
                AnchorConfig {
                    day_of_month: 32,
                    ..Default::default()
                },
                "billing_cycle_anchor_config[day_of_month]",
            ),
            (
                AnchorConfig {
                    day_of_month: 0,
                    ..Default::default()
                },
                "billing_cycle_anchor_config[day_of_month]",
            ),
            (
                AnchorConfig {
                    day_of_month: 1,
                    hour: Some(24),
                    ..Default::default()
                },
                "billing_cycle_anchor_config[hour]",
            ),
            (
                AnchorConfig {
                    day_of_month: 1,
                    second: Some(-1),
                    ..Default::default()
                },
                "billing_cycle_anchor_config[second]",
            ),
            (
                AnchorConfig {
                    day_of_month: 1,
                    month: Some(13),
                    ..Default::default()
                },
                "billing_cycle_anchor_config[month]",
            ),
        ] {
            let e = create(&w.monthly, config).unwrap_err();
            assert_eq!(param_of(&e), Some(param));
        }
        // Not with an anchor of its own, nor with daily or weekly prices.
        let both = Subscription::create(
            &w.customer,
            SubscriptionCreate {
                billing_cycle_anchor: Some(APRIL_10 + 86_400),
                billing_cycle_anchor_config: Some(AnchorConfig {
                    day_of_month: 1,
                    ..Default::default()
                }),
                ..on_monthly(&w)
            },
            &mut ctx,
        )
        .unwrap_err();
        assert_eq!(param_of(&both), Some("billing_cycle_anchor_config"));
    }

    fn param_of(e: &DomainError) -> Option<&str> {
        match e {
            DomainError::Invalid { param, .. } => param.as_deref(),
            _ => None,
        }
    }

    #[test]
    fn a_trial_ending_before_the_anchor_bills_the_stretch_between() {
        let mut ids = SequentialIds::default();
        let w = world(&mut ids, APRIL_10);
        let mut ctx = Ctx {
            now: APRIL_10,
            livemode: false,
            ids: &mut ids,
        };
        let trial_end = APRIL_10 + 10 * 86_400; // April 20
        let config = AnchorConfig {
            day_of_month: 1,
            ..Default::default()
        };
        for prorate_to_anchor in [true, false] {
            let (mut sub, lines) = Subscription::create(
                &w.customer,
                SubscriptionCreate {
                    items: vec![item(&w, &w.monthly, 2)],
                    trial_end: Some(trial_end),
                    billing_cycle_anchor_config: Some(config),
                    prorate_to_anchor,
                    ..Default::default()
                },
                &mut ctx,
            )
            .unwrap();
            assert_eq!(lines[0].amount, 0);
            // The anchor follows the trial: May 1, at the creation time of day.
            assert_eq!(day(sub.billing_cycle_anchor), (2024, 5, 1));
            let anchor = sub.billing_cycle_anchor;
            let lines = sub.renew(&mut ctx);
            assert_eq!(sub.status, SubscriptionStatus::Active);
            assert_eq!(sub.current_period(), (trial_end, anchor));
            // 11 of April's 30 days, or nothing under proration_behavior=none.
            let expected = if prorate_to_anchor {
                prorate(3000, anchor - 30 * 86_400, anchor, trial_end, anchor)
            } else {
                0
            };
            assert_eq!(lines[0].amount, expected);
            assert_eq!(lines[0].amount, if prorate_to_anchor { 1100 } else { 0 });
            assert!(lines[0].proration);
            assert_eq!(
                lines[0].description,
                "Remaining time on 2 × Pro after the trial"
            );
            // From the anchor on, whole periods.
            let lines = sub.renew(&mut ctx);
            assert_eq!((lines[0].amount, lines[0].proration), (3000, false));
            assert_eq!(day(sub.current_period().1), (2024, 6, 1));
        }
        // A trial ending on a boundary of its own anchor is billed whole, as before.
        let (mut sub, _) = Subscription::create(
            &w.customer,
            SubscriptionCreate {
                trial_end: Some(trial_end),
                ..on_monthly(&w)
            },
            &mut ctx,
        )
        .unwrap();
        let lines = sub.renew(&mut ctx);
        assert_eq!((lines[0].amount, lines[0].proration), (1500, false));
    }

    #[test]
    fn added_invoice_items() {
        let mut ids = SequentialIds::default();
        let w = world(&mut ids, NOW);
        let mut ctx = Ctx {
            now: NOW,
            livemode: false,
            ids: &mut ids,
        };
        let sub = monthly_sub(&w, &mut ctx);
        let (start, end) = sub.current_period();
        let fee = |quantity, start, end| InvoiceItemRequest {
            price: w.one_time.clone(),
            product_name: "Setup".into(),
            quantity,
            metadata: MetadataUpdate::default(),
            discountable: false,
            start,
            end,
        };
        let later = NOW + 86_400;
        let lines = sub
            .invoice_item_lines(
                &[
                    fee(
                        2,
                        ItemPeriodStart::MaxItemPeriodStart,
                        ItemPeriodEnd::MinItemPeriodEnd,
                    ),
                    fee(1, ItemPeriodStart::Now, ItemPeriodEnd::Timestamp(later)),
                    fee(
                        0,
                        ItemPeriodStart::Timestamp(later),
                        ItemPeriodEnd::Timestamp(later),
                    ),
                ],
                NOW + 60,
                &mut ctx,
            )
            .unwrap();
        let got: Vec<_> = lines
            .iter()
            .map(|l| {
                (
                    l.amount,
                    l.period_start,
                    l.period_end,
                    l.proration,
                    l.discountable,
                )
            })
            .collect();
        assert_eq!(
            got,
            vec![
                (1000, start, end, false, false),
                (500, NOW + 60, later, false, false),
                (0, later, later, false, false),
            ]
        );
        assert!(lines.iter().all(|l| l.invoice_item.is_some()
            && l.subscription.as_deref() == Some(sub.id.as_str())
            && l.subscription_item.is_none()
            && l.description == "Setup"));
        // Refused, each by its own parameter.
        let refused = |it: InvoiceItemRequest, ctx: &mut Ctx<'_>| {
            let e = sub.invoice_item_lines(
                &[
                    fee(1, ItemPeriodStart::Now, ItemPeriodEnd::MinItemPeriodEnd),
                    it,
                ],
                NOW,
                ctx,
            );
            param_of(&e.unwrap_err()).map(str::to_owned)
        };
        let mut recurring = fee(1, ItemPeriodStart::Now, ItemPeriodEnd::MinItemPeriodEnd);
        recurring.price = w.monthly.clone();
        assert_eq!(
            refused(recurring, &mut ctx).as_deref(),
            Some("add_invoice_items[1][price]")
        );
        assert_eq!(
            refused(
                fee(-1, ItemPeriodStart::Now, ItemPeriodEnd::MinItemPeriodEnd),
                &mut ctx
            )
            .as_deref(),
            Some("add_invoice_items[1][quantity]")
        );
        assert_eq!(
            refused(
                fee(
                    1,
                    ItemPeriodStart::Timestamp(later),
                    ItemPeriodEnd::Timestamp(NOW)
                ),
                &mut ctx
            )
            .as_deref(),
            Some("add_invoice_items[1][period][end]")
        );
    }

    #[test]
    fn a_schedule_waits_for_its_start() {
        use crate::schedule::{Schedule, ScheduleStatus};
        let mut ids = SequentialIds::default();
        let w = world(&mut ids, NOW);
        let mut ctx = Ctx {
            now: NOW,
            livemode: false,
            ids: &mut ids,
        };
        let mut sub = monthly_sub(&w, &mut ctx);
        let mut s = Schedule::from_subscription(&sub, &mut ctx).unwrap();
        s.wait_for_start();
        assert_eq!(
            (s.status, s.subscription.as_deref()),
            (ScheduleStatus::NotStarted, None)
        );
        assert_eq!(s.starts_at(), Some(NOW));
        let mut released = s.clone();
        released.release(NOW).unwrap();
        assert_eq!(
            (
                released.status,
                released.released_subscription.as_deref(),
                released.starts_at()
            ),
            (ScheduleStatus::Released, None, None),
            "released before it starts, it never does"
        );
        // Its phases can change meanwhile, laid out from where its subscription would start.
        let phase = |quantity| crate::schedule::PhaseRequest {
            items: vec![crate::schedule::PhaseItem {
                price: w.monthly.clone(),
                product_name: "Pro".into(),
                quantity,
                metadata: None,
            }],
            ..Default::default()
        };
        let none = MetadataUpdate::default();
        s.set_phases_before_start(&sub, vec![phase(2), phase(3)], &none)
            .unwrap();
        let (start, end) = sub.current_period();
        assert_eq!(
            s.phases
                .iter()
                .map(|p| (p.start, p.items[0].quantity))
                .collect::<Vec<_>>(),
            vec![(start, 2), (end, 3)]
        );
        assert_eq!(s.status, ScheduleStatus::NotStarted);
        let mut canceled = s.clone();
        canceled.cancel(NOW).unwrap();
        assert_eq!(
            (canceled.status, canceled.starts_at()),
            (ScheduleStatus::Canceled, None)
        );
        s.start(&mut sub).unwrap();
        assert_eq!(s.status, ScheduleStatus::Active);
        assert_eq!(s.subscription.as_deref(), Some(sub.id.as_str()));
        assert_eq!(sub.schedule.as_deref(), Some(s.id.as_str()));
        assert_eq!(s.starts_at(), None);
        assert!(s.start(&mut sub).is_err(), "a schedule starts once");
        assert!(
            s.set_phases_before_start(&sub, vec![phase(1)], &none)
                .is_err(),
            "a started schedule changes through set_phases"
        );
        // Its planned cancellation shows on the subscription while it runs, and only then.
        assert_eq!((s.planned_cancel(), sub.cancel_at), (None, None));
        s.end_behavior = "cancel".into();
        assert!(s.show_cancel(&mut sub));
        assert_eq!(
            (sub.cancel_at, sub.cancel_at_period_end),
            (Some(s.end()), false)
        );
        assert!(!s.show_cancel(&mut sub), "shown once");
        let mut released = s.clone();
        released.release(NOW).unwrap();
        assert_eq!(released.planned_cancel(), None);
        assert!(released.show_cancel(&mut sub));
        assert_eq!(sub.cancel_at, None);
    }

    #[test]
    fn creation_rules() {
        let mut ids = SequentialIds::default();
        let w = world(&mut ids, NOW);
        let mut ctx = Ctx {
            now: NOW,
            livemode: false,
            ids: &mut ids,
        };
        let bad = |p: SubscriptionCreate, ctx: &mut Ctx<'_>| {
            Subscription::create(&w.customer, p, ctx).unwrap_err()
        };
        bad(SubscriptionCreate::default(), &mut ctx);
        let e = bad(
            SubscriptionCreate {
                items: vec![item(&w, &w.one_time, 1)],
                ..Default::default()
            },
            &mut ctx,
        );
        assert!(e.to_string().contains("type=recurring"));
        bad(
            SubscriptionCreate {
                items: vec![item(&w, &w.monthly, 1), item(&w, &w.yearly, 1)],
                ..Default::default()
            },
            &mut ctx,
        );
        bad(
            SubscriptionCreate {
                items: vec![item(&w, &w.monthly, 1), item(&w, &w.monthly, 2)],
                ..Default::default()
            },
            &mut ctx,
        );
        bad(
            SubscriptionCreate {
                items: vec![item(&w, &w.monthly, -1)],
                ..Default::default()
            },
            &mut ctx,
        );
        bad(
            SubscriptionCreate {
                trial_end: Some(NOW - 1),
                ..on_monthly(&w)
            },
            &mut ctx,
        );
        bad(
            SubscriptionCreate {
                trial_end: Some(NOW + 731 * 86_400),
                ..on_monthly(&w)
            },
            &mut ctx,
        );
        bad(
            SubscriptionCreate {
                billing_cycle_anchor: Some(NOW + 40 * 86_400),
                ..on_monthly(&w)
            },
            &mut ctx,
        );
    }

    #[test]
    fn cancellation() {
        let mut ids = SequentialIds::default();
        let w = world(&mut ids, NOW);
        let mut ctx = Ctx {
            now: NOW,
            livemode: false,
            ids: &mut ids,
        };
        let mut sub = monthly_sub(&w, &mut ctx);
        sub.first_invoice_paid();
        sub.set_cancel_at_period_end(true, NOW + 5).unwrap();
        assert_eq!(
            (sub.cancel_at, sub.canceled_at),
            (Some(sub.current_period().1), Some(NOW + 5))
        );
        sub.set_cancel_at_period_end(false, NOW + 6).unwrap();
        assert_eq!(
            (sub.cancel_at, sub.canceled_at, sub.status),
            (None, None, SubscriptionStatus::Active)
        );
        sub.cancel_now(
            NOW + 7,
            CancellationDetails {
                feedback: Some("too_expensive".into()),
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(sub.status, SubscriptionStatus::Canceled);
        assert_eq!(
            sub.cancellation_details.reason.as_deref(),
            Some("cancellation_requested")
        );
        assert!(sub
            .cancel_now(NOW + 8, CancellationDetails::default())
            .is_err());
        assert!(sub.set_cancel_at_period_end(true, NOW + 8).is_err());
    }

    #[test]
    fn amounts_format_by_currency() {
        assert_eq!(format_amount(1500, "usd"), "15.00");
        assert_eq!(format_amount(5, "usd"), "0.05");
        assert_eq!(format_amount(1200, "jpy"), "1200");
        assert_eq!(format_amount(1234, "kwd"), "1.234");
    }

    /// A monthly 1500 subscription trialing for 14 days from `NOW`, ending per `behavior`.
    fn trialing(behavior: MissingPaymentMethod, ids: &mut SequentialIds) -> Subscription {
        let w = world(ids, NOW);
        let mut ctx = Ctx {
            now: NOW,
            livemode: false,
            ids,
        };
        Subscription::create(
            &w.customer,
            SubscriptionCreate {
                items: vec![item(&w, &w.monthly, 2)],
                trial_end: Some(NOW + 14 * 86_400),
                missing_payment_method: behavior,
                ..Default::default()
            },
            &mut ctx,
        )
        .unwrap()
        .0
    }

    #[test]
    fn a_trial_without_a_payment_method_ends_as_configured() {
        let mut ids = SequentialIds::default();
        let end = NOW + 14 * 86_400;
        let mut sub = trialing(MissingPaymentMethod::CreateInvoice, &mut ids);
        assert!(
            !sub.end_trial_without_payment_method(end),
            "billed as usual"
        );
        assert_eq!(sub.status, SubscriptionStatus::Trialing);

        let mut sub = trialing(MissingPaymentMethod::Cancel, &mut ids);
        assert!(sub.end_trial_without_payment_method(end));
        assert_eq!(
            (
                sub.status,
                sub.ended_at,
                sub.cancellation_details.reason.as_deref()
            ),
            (
                SubscriptionStatus::Canceled,
                Some(end),
                Some("cancellation_requested")
            )
        );
        assert_eq!(sub.next_due(), None);

        let mut sub = trialing(MissingPaymentMethod::Pause, &mut ids);
        assert!(sub.end_trial_without_payment_method(end));
        assert_eq!(sub.status, SubscriptionStatus::Paused);
        assert_eq!(
            sub.next_due(),
            None,
            "a paused subscription is never renewed"
        );
        assert!(
            !sub.end_trial_without_payment_method(end),
            "only a trial ends so"
        );
        sub.cancel_at = Some(end + 86_400);
        assert_eq!(sub.next_due(), Some((end + 86_400, Due::Cancel)));
        assert!(sub.set_cancel_at_period_end(true, end).is_err());
        // A renewal's draft waiting its hour comes first, whatever the subscription's state.
        sub.draft_invoice = Some(DraftInvoice {
            id: "in_1".into(),
            finalizes_at: end + RENEWAL_DRAFT_SECS,
        });
        assert_eq!(
            sub.next_due(),
            Some((end + RENEWAL_DRAFT_SECS, Due::FinalizeInvoice))
        );
        sub.status = SubscriptionStatus::Canceled;
        assert_eq!(
            sub.next_due(),
            Some((end + RENEWAL_DRAFT_SECS, Due::FinalizeInvoice)),
            "an ended subscription's last invoice is still collected"
        );
        sub.status = SubscriptionStatus::Paused;
        sub.draft_invoice = None;

        // Settings stored before the field existed read as Stripe's default.
        let mut v = serde_json::to_value(&sub).unwrap();
        v.as_object_mut().unwrap().remove("missing_payment_method");
        let old: Subscription = serde_json::from_value(v).unwrap();
        assert_eq!(
            old.missing_payment_method,
            MissingPaymentMethod::CreateInvoice
        );
    }

    #[test]
    fn a_trials_end_is_announced_once_three_days_before() {
        let mut ids = SequentialIds::default();
        let mut sub = trialing(MissingPaymentMethod::CreateInvoice, &mut ids);
        let end = NOW + 14 * 86_400;
        assert_eq!(
            sub.trial_will_end_sent_for, None,
            "fourteen days away: not yet"
        );
        assert_eq!(
            sub.next_due(),
            Some((end - TRIAL_WARNING_SECS, Due::TrialWillEnd))
        );
        assert!(!sub.warn_trial_end(end - TRIAL_WARNING_SECS - 1));
        assert!(sub.warn_trial_end(end - TRIAL_WARNING_SECS));
        assert!(!sub.warn_trial_end(end - 1), "once");
        // The first invoice after the trial is announced at the same time.
        assert_eq!(
            sub.next_due(),
            Some((end - UPCOMING_NOTICE_SECS, Due::InvoiceUpcoming))
        );
        assert!(sub.announce_upcoming(end - UPCOMING_NOTICE_SECS));
        assert_eq!(sub.next_due(), Some((end, Due::Renew)));
        // A trial ended now (on its twelfth day): its first invoice is made at once, too soon
        // to be announced three days ahead.
        let mut now_ended = trialing(MissingPaymentMethod::CreateInvoice, &mut ids);
        let day12 = NOW + 12 * 86_400;
        now_ended.set_trial_end(day12, day12).unwrap();
        assert_eq!(now_ended.next_due(), Some((day12, Due::Renew)));
        // A later end is announced in its turn; one within three days, at once.
        sub.set_trial_end(end + 10 * 86_400, end - 86_400).unwrap();
        assert_eq!(sub.trial_will_end_sent_for, Some(end));
        sub.set_trial_end(end + 86_400, end - 86_400).unwrap();
        assert_eq!(sub.trial_will_end_sent_for, Some(end + 86_400));
        // Once the trial is over nothing is announced.
        sub.status = SubscriptionStatus::Active;
        sub.trial_will_end_sent_for = None;
        sub.upcoming_sent_for = Some(end + 86_400);
        assert!(!sub.warn_trial_end(end + 86_400));
        assert_eq!(sub.next_due(), Some((end + 86_400, Due::Renew)));
    }

    #[test]
    fn a_renewal_declined_by_hand_in_its_hour_is_past_due_at_once() {
        let mut ids = SequentialIds::default();
        let mut sub = trialing(MissingPaymentMethod::CreateInvoice, &mut ids);
        sub.status = SubscriptionStatus::Active;
        let created = sub.current_period().1;
        sub.draft_invoice = Some(DraftInvoice {
            id: "in_1".into(),
            finalizes_at: created + RENEWAL_DRAFT_SECS,
        });
        assert!(
            !sub.renewal_failed_by_hand("in_2", created, 1),
            "another invoice"
        );
        assert_eq!(sub.status, SubscriptionStatus::Active);
        assert!(sub.renewal_failed_by_hand("in_1", created, 1));
        assert_eq!(
            (sub.status, sub.draft_invoice.as_ref(), sub.next_retry_at),
            (
                SubscriptionStatus::PastDue,
                None,
                Some(created + RETRY_DAYS[0] * 86_400)
            )
        );
        assert!(!sub.renewal_failed_by_hand("in_1", created, 2), "once");
        sub.draft_invoice = Some(DraftInvoice {
            id: "in_3".into(),
            finalizes_at: created + RENEWAL_DRAFT_SECS,
        });
        sub.status = SubscriptionStatus::Canceled;
        assert!(!sub.renewal_failed_by_hand("in_3", created, 1), "ended");
    }

    #[test]
    fn collection_terms_resolve_as_stripe_reads_them() {
        let d = DEFAULT_DAYS_UNTIL_DUE;
        // (collection_method sent, days sent, days in force) → days after
        for ((send, days), current, after) in [
            ((Some(true), None), None, Some(d)),
            ((Some(true), Some(7)), None, Some(7)),
            ((Some(true), None), Some(12), Some(12)),
            ((None, Some(9)), Some(12), Some(9)),
            ((None, None), Some(12), Some(12)),
            ((Some(false), None), Some(12), None),
            ((None, None), None, None),
        ] {
            assert_eq!(
                collection_days((send, days), current).unwrap(),
                after,
                "{send:?} {days:?} {current:?}"
            );
        }
        for (sent, current) in [((None, Some(3)), None), ((Some(false), Some(3)), Some(12))] {
            assert!(collection_days(sent, current).is_err(), "{sent:?}");
        }
    }

    #[test]
    fn sent_invoices_fall_due_one_after_another() {
        let mut ids = SequentialIds::default();
        let w = world(&mut ids, NOW);
        let mut ctx = Ctx {
            now: NOW,
            livemode: false,
            ids: &mut ids,
        };
        let mut sub = Subscription::create(
            &w.customer,
            SubscriptionCreate {
                days_until_due: Some(10),
                ..on_monthly(&w)
            },
            &mut ctx,
        )
        .unwrap()
        .0;
        sub.status = SubscriptionStatus::Active;
        assert!(sub.sends_invoices());
        assert_eq!(sub.due_date_for(NOW), Some(NOW + 10 * 86_400));
        // Two invoices out, due on days 10 and 40.
        let (a, b) = (NOW + 10 * 86_400, NOW + 40 * 86_400);
        sub.sent_invoices_due(&[b, a], NOW);
        assert_eq!(
            (sub.status, sub.overdue_at),
            (SubscriptionStatus::Active, Some(a))
        );
        assert_eq!(sub.next_due().map(|(t, _)| t), Some(a));
        sub.sent_invoices_due(&[b, a], a);
        assert_eq!(
            (sub.status, sub.overdue_at, sub.next_retry_at),
            (SubscriptionStatus::PastDue, Some(b), None),
            "past due, and the next one still watched"
        );
        sub.first_invoice_paid();
        sub.sent_invoices_due(&[b], b);
        assert_eq!(
            (sub.status, sub.overdue_at),
            (SubscriptionStatus::PastDue, None)
        );
        sub.first_invoice_paid();
        sub.sent_invoices_due(&[], b + 1);
        assert_eq!(
            (sub.status, sub.overdue_at),
            (SubscriptionStatus::Active, None),
            "nothing left unpaid"
        );
        // A trial without a card ends as usual: sent invoices need none.
        sub.status = SubscriptionStatus::Trialing;
        sub.missing_payment_method = MissingPaymentMethod::Cancel;
        assert!(!sub.end_trial_without_payment_method(b));
    }

    #[test]
    fn a_renewal_is_announced_three_days_before_once_per_period() {
        let mut ids = SequentialIds::default();
        let mut sub = trialing(MissingPaymentMethod::CreateInvoice, &mut ids);
        sub.status = SubscriptionStatus::Active;
        sub.trial_will_end_sent_for = sub.trial_end;
        let end = sub.current_period().1;
        let at = end - UPCOMING_NOTICE_SECS;
        assert_eq!(sub.next_due(), Some((at, Due::InvoiceUpcoming)));
        assert!(!sub.announce_upcoming(at - 1));
        assert!(sub.announce_upcoming(at));
        assert!(!sub.announce_upcoming(at + 1), "once per period");
        assert_eq!(sub.next_due(), Some((end, Due::Renew)));
        // A renewal's draft still waiting at the period's end is finalized first.
        sub.draft_invoice = Some(DraftInvoice {
            id: "in_1".into(),
            finalizes_at: end + 1,
        });
        assert_eq!(sub.next_due(), Some((end, Due::FinalizeInvoice)));
        sub.draft_invoice = None;
        // Renewed: the next period's invoice is announced in its turn.
        let mut ctx = Ctx {
            now: end,
            livemode: false,
            ids: &mut ids,
        };
        sub.renew(&mut ctx);
        let next_end = sub.current_period().1;
        assert_eq!(
            sub.next_due(),
            Some((next_end - UPCOMING_NOTICE_SECS, Due::InvoiceUpcoming))
        );
        // Nothing to announce when the subscription will not renew, is paused, or its period is
        // shorter than the notice.
        for change in [
            |s: &mut Subscription| s.cancel_at_period_end = true,
            |s: &mut Subscription| s.cancel_at = Some(s.current_period().1),
            |s: &mut Subscription| s.status = SubscriptionStatus::Paused,
            |s: &mut Subscription| s.status = SubscriptionStatus::Incomplete,
            |s: &mut Subscription| {
                s.pause_collection = Some(PauseCollection {
                    behavior: PauseBehavior::Void,
                    resumes_at: None,
                })
            },
            |s: &mut Subscription| {
                let start = s.current_period().0;
                for item in &mut s.items {
                    item.current_period_end = start + 2 * 86_400;
                }
            },
        ] {
            let mut s = sub.clone();
            change(&mut s);
            assert!(!s.announce_upcoming(next_end), "{s:?}");
        }
    }

    #[test]
    fn paused_collection_holds_until_it_resumes() {
        let mut ids = SequentialIds::default();
        let mut sub = trialing(MissingPaymentMethod::CreateInvoice, &mut ids);
        sub.status = SubscriptionStatus::Active;
        sub.trial_will_end_sent_for = sub.trial_end;
        let end = sub.current_period().1;
        sub.upcoming_sent_for = Some(end);
        let pause = |behavior, resumes_at| PauseCollection {
            behavior,
            resumes_at,
        };
        assert_eq!(sub.collection_paused_at(end), None);
        let e = sub
            .set_pause_collection(Some(pause(PauseBehavior::Void, Some(NOW))), NOW)
            .unwrap_err();
        assert!(e.to_string().contains("resumes_at"), "{e}");
        assert_eq!(sub.pause_collection, None, "a refusal changes nothing");

        sub.set_pause_collection(Some(pause(PauseBehavior::KeepAsDraft, None)), NOW)
            .unwrap();
        assert_eq!(
            sub.collection_paused_at(end),
            Some(PauseBehavior::KeepAsDraft)
        );
        assert_eq!(sub.next_due(), Some((end, Due::Renew)), "renewals go on");

        // Resuming at the renewal's own time: collection resumes first, the renewal is charged.
        sub.set_pause_collection(Some(pause(PauseBehavior::Void, Some(end))), NOW)
            .unwrap();
        assert_eq!(sub.next_due(), Some((end, Due::ResumeCollection)));
        assert_eq!(sub.collection_paused_at(end - 1), Some(PauseBehavior::Void));
        assert_eq!(sub.collection_paused_at(end), None);
        sub.resume_collection(end - 1);
        assert!(sub.pause_collection.is_some(), "not yet");
        sub.resume_collection(end);
        assert_eq!(sub.pause_collection, None);
        assert_eq!(sub.next_due(), Some((end, Due::Renew)));
        for b in PauseBehavior::VALUES {
            assert_eq!(PauseBehavior::parse(b).map(PauseBehavior::as_str), Some(*b));
        }
    }

    #[test]
    fn resuming_resets_the_cycle_or_prorates_the_rest_of_it() {
        let mut ids = SequentialIds::default();
        let end = NOW + 14 * 86_400; // 2024-02-14
        let paused = || {
            let mut ids = SequentialIds::default();
            let mut sub = trialing(MissingPaymentMethod::Pause, &mut ids);
            sub.end_trial_without_payment_method(end);
            sub
        };
        let mut ctx = Ctx {
            now: NOW,
            livemode: false,
            ids: &mut ids,
        };
        // 2024-03-24: the cycle from Feb 14 runs Mar 14 – Apr 14 (31 days); 21 days remain.
        let now = end + 39 * 86_400;
        let (start, stop) = (end + 29 * 86_400, end + 60 * 86_400);

        let mut sub = paused();
        let lines = sub
            .resume(
                now,
                true,
                ProrationBehavior::CreateProrations,
                None,
                &mut ctx,
            )
            .unwrap();
        assert_eq!(sub.status, SubscriptionStatus::Active);
        assert_eq!(sub.billing_cycle_anchor, now);
        assert_eq!(sub.current_period(), (now, now + 31 * 86_400));
        assert_eq!(
            lines
                .iter()
                .map(|l| (l.amount, l.proration))
                .collect::<Vec<_>>(),
            vec![(3000, false)]
        );
        assert!(sub
            .resume(now, true, ProrationBehavior::None, None, &mut ctx)
            .is_err());

        let mut sub = paused();
        let lines = sub
            .resume(now, false, ProrationBehavior::AlwaysInvoice, None, &mut ctx)
            .unwrap();
        assert_eq!(
            (sub.billing_cycle_anchor, sub.current_period()),
            (end, (start, stop))
        );
        assert_eq!(
            lines.iter().map(|l| l.amount).collect::<Vec<_>>(),
            vec![prorate(3000, start, stop, now, stop)]
        );
        assert_eq!(lines[0].amount, 2032);
        assert_eq!(
            lines[0].description,
            "Remaining time on 2 × Pro after 24 Mar 2024"
        );

        let mut sub = paused();
        let lines = sub
            .resume(
                now,
                false,
                ProrationBehavior::CreateProrations,
                None,
                &mut ctx,
            )
            .unwrap();
        assert!(lines.is_empty());
        assert_eq!(sub.pending_lines.len(), 1, "left for the renewal");

        let mut sub = paused();
        assert!(sub
            .resume(now, false, ProrationBehavior::None, None, &mut ctx)
            .unwrap()
            .is_empty());
        assert!(sub.pending_lines.is_empty());

        // A schedule's phases follow the billing cycle: only `unchanged` keeps them in step.
        let mut sub = paused();
        sub.schedule = Some("sub_sched_1".into());
        let e = sub
            .resume(now, true, ProrationBehavior::None, None, &mut ctx)
            .unwrap_err();
        assert!(e.to_string().contains("sub_sched_1"), "{e}");
        assert_eq!(sub.status, SubscriptionStatus::Paused);
        assert!(sub
            .resume(now, false, ProrationBehavior::None, None, &mut ctx)
            .is_ok());

        // proration_date: within the period around now, and not after it.
        for bad in [start - 1, now + 1] {
            let mut sub = paused();
            let e = sub
                .resume(
                    now,
                    false,
                    ProrationBehavior::AlwaysInvoice,
                    Some(bad),
                    &mut ctx,
                )
                .unwrap_err();
            assert!(e.to_string().contains("proration_date"), "{e}");
            assert_eq!(
                sub.status,
                SubscriptionStatus::Paused,
                "a refusal changes nothing"
            );
        }
        let mut sub = paused();
        let lines = sub
            .resume(
                now,
                false,
                ProrationBehavior::AlwaysInvoice,
                Some(start),
                &mut ctx,
            )
            .unwrap();
        assert_eq!(lines[0].amount, 3000, "from the period's start: all of it");
    }

    proptest::proptest! {
        /// Resuming on the same cycle at any time after the pause: the period holds that time,
        /// and the charge is the remaining share of it, never more than a whole period.
        #[test]
        fn a_resumption_on_the_same_cycle_charges_the_rest_of_the_period(
            later in 0i64..(3 * 366 * 86_400),
        ) {
            let mut ids = SequentialIds::default();
            let end = NOW + 14 * 86_400;
            let mut sub = trialing(MissingPaymentMethod::Pause, &mut ids);
            sub.end_trial_without_payment_method(end);
            let now = end + later;
            let mut ctx = Ctx { now, livemode: false, ids: &mut ids };
            let lines = sub
                .resume(now, false, ProrationBehavior::AlwaysInvoice, None, &mut ctx)
                .unwrap();
            let (start, stop) = sub.current_period();
            proptest::prop_assert!(start <= now && now < stop);
            proptest::prop_assert_eq!(sub.billing_cycle_anchor, end);
            let due: i64 = lines.iter().map(|l| l.amount).sum();
            proptest::prop_assert_eq!(due, prorate(3000, start, stop, now, stop));
            proptest::prop_assert!((0..=3000).contains(&due));
        }
    }
}

#[cfg(test)]
mod changes {
    use super::*;
    use crate::calendar::days_from_civil;
    use crate::customer::CustomerParams;
    use crate::id::SequentialIds;
    use crate::price::{Interval, PriceCreate};
    use crate::product::ProductParams;

    fn price(product: &Product, amount: i64, interval: Interval, ctx: &mut Ctx<'_>) -> Price {
        let r = Some(Recurring {
            interval,
            interval_count: 1,
        });
        Price::create(
            PriceCreate {
                currency: Currency::parse("usd"),
                unit_amount: Some(amount),
                recurring: r,
                ..Default::default()
            },
            product,
            ctx,
        )
        .unwrap()
    }

    /// An active subscription to "Plan" at 10 USD a month, started at `ctx.now`.
    fn paid_monthly_subscription(ctx: &mut Ctx<'_>) -> (Subscription, Product) {
        let customer = Customer::create(CustomerParams::default(), ctx).unwrap();
        let product = Product::create(
            ProductParams {
                name: Some("Plan".into()),
                ..Default::default()
            },
            ctx,
        )
        .unwrap();
        let basic = price(&product, 1000, Interval::Month, ctx);
        let item = ItemRequest {
            price: basic,
            product: product.clone(),
            quantity: 1,
            metadata: MetadataUpdate::default(),
        };
        let (mut sub, _) = Subscription::create(
            &customer,
            SubscriptionCreate {
                items: vec![item],
                ..Default::default()
            },
            ctx,
        )
        .unwrap();
        sub.first_invoice_paid();
        (sub, product)
    }

    #[test]
    fn a_payment_sets_the_default_only_under_on_subscription() {
        let mut ids = SequentialIds::default();
        let mut ctx = Ctx {
            now: 1_790_000_000,
            livemode: false,
            ids: &mut ids,
        };
        let (mut sub, _) = paid_monthly_subscription(&mut ctx);
        assert!(!sub.paid_with("pm_1"), "off: nothing is saved");
        assert_eq!(sub.default_payment_method, None);
        sub.save_default_payment_method = true;
        assert!(sub.paid_with("pm_1"));
        assert_eq!(sub.default_payment_method.as_deref(), Some("pm_1"));
        assert!(
            !sub.paid_with("pm_1"),
            "already the default: no change to write"
        );
        assert!(sub.paid_with("pm_2"));
        assert_eq!(sub.default_payment_method.as_deref(), Some("pm_2"));
        // Subscriptions stored before the setting existed read back with it off.
        let mut stored = serde_json::to_value(&sub).unwrap();
        stored
            .as_object_mut()
            .unwrap()
            .remove("save_default_payment_method");
        let old: Subscription = serde_json::from_value(stored).unwrap();
        assert!(!old.save_default_payment_method);
    }

    #[test]
    fn stripes_upgrade_example_through_a_subscription() {
        // docs.stripe.com/billing/subscriptions/prorations: 10 USD → 20 USD halfway through the
        // period is a -5 USD credit and a +10 USD charge.
        let mut ids = SequentialIds::default();
        let apr1 = days_from_civil(2026, 4, 1) * 86_400;
        let mut ctx = Ctx {
            now: apr1,
            livemode: false,
            ids: &mut ids,
        };
        let (sub, product) = paid_monthly_subscription(&mut ctx);
        let basic = sub.items[0].price.clone();
        let pro = price(&product, 2000, Interval::Month, &mut ctx);
        let yearly = price(&product, 10000, Interval::Year, &mut ctx);
        assert_eq!(sub.current_period(), (apr1, apr1 + 30 * 86_400));
        let item_id = sub.items[0].id.clone();
        let halfway = apr1 + 15 * 86_400;
        let change = |p: &Price, q: Option<i64>| ItemChange {
            id: Some(item_id.clone()),
            price: Some((p.clone(), "Plan".into())),
            quantity: q,
            ..Default::default()
        };

        let mut up = sub.clone();
        let out = up
            .change_items(
                vec![change(&pro, None)],
                halfway,
                ProrationBehavior::CreateProrations,
                false,
                &mut ctx,
            )
            .unwrap();
        assert_eq!(
            out.prorations.iter().map(|l| l.amount).collect::<Vec<_>>(),
            vec![-500, 1000]
        );
        assert_eq!(
            out.prorations[0].description,
            "Unused time on Plan after 16 Apr 2026"
        );
        assert_eq!(
            out.prorations[1].description,
            "Remaining time on Plan after 16 Apr 2026"
        );
        assert!(out.new_period.is_none());
        assert_eq!(up.items[0].id, item_id, "the item keeps its id");
        assert_eq!(up.items[0].price.id, pro.id);

        // Quantity 1 → 3 on the same price: the credit for one, the charge for three.
        let mut more = sub.clone();
        let out = more
            .change_items(
                vec![change(&basic, Some(3))],
                halfway,
                ProrationBehavior::AlwaysInvoice,
                false,
                &mut ctx,
            )
            .unwrap();
        assert_eq!(
            out.prorations.iter().map(|l| l.amount).collect::<Vec<_>>(),
            vec![-500, 1500]
        );

        // No prorations at all.
        let mut none = sub.clone();
        assert!(none
            .change_items(
                vec![change(&pro, None)],
                halfway,
                ProrationBehavior::None,
                false,
                &mut ctx
            )
            .unwrap()
            .prorations
            .is_empty());

        // Monthly → yearly restarts the cycle now: the unused month credited, the year billed whole.
        let mut year = sub.clone();
        let out = year
            .change_items(
                vec![change(&yearly, None)],
                halfway,
                ProrationBehavior::CreateProrations,
                false,
                &mut ctx,
            )
            .unwrap();
        assert_eq!(
            out.prorations.iter().map(|l| l.amount).collect::<Vec<_>>(),
            vec![-500]
        );
        assert_eq!(
            out.new_period
                .as_ref()
                .unwrap()
                .iter()
                .map(|l| l.amount)
                .collect::<Vec<_>>(),
            vec![10000]
        );
        assert_eq!(year.billing_cycle_anchor, halfway);
        assert_eq!(year.current_period(), (halfway, halfway + 365 * 86_400));

        // Add and delete items; refuse emptying it or leaving the period.
        let mut add = sub.clone();
        let out = add
            .change_items(
                vec![ItemChange {
                    price: Some((pro.clone(), "Plan".into())),
                    ..Default::default()
                }],
                halfway,
                ProrationBehavior::CreateProrations,
                false,
                &mut ctx,
            )
            .unwrap();
        assert_eq!(
            out.prorations.iter().map(|l| l.amount).collect::<Vec<_>>(),
            vec![1000]
        );
        assert_eq!(add.items.len(), 2);
        let mut del = sub.clone();
        let gone = ItemChange {
            id: Some(item_id.clone()),
            deleted: true,
            ..Default::default()
        };
        assert!(del
            .change_items(
                vec![gone],
                halfway,
                ProrationBehavior::CreateProrations,
                false,
                &mut ctx
            )
            .is_err());
        assert!(sub
            .clone()
            .change_items(
                vec![change(&pro, None)],
                apr1 + 31 * 86_400,
                ProrationBehavior::CreateProrations,
                false,
                &mut ctx
            )
            .is_err());
        let bad = ItemChange {
            id: Some("si_nope".into()),
            quantity: Some(2),
            ..Default::default()
        };
        assert!(matches!(
            sub.clone()
                .change_items(vec![bad], halfway, ProrationBehavior::None, false, &mut ctx),
            Err(DomainError::NoSuch { .. })
        ));
    }

    #[test]
    fn renewals_carry_pending_prorations_first() {
        let mut ids = SequentialIds::default();
        let apr1 = days_from_civil(2026, 4, 1) * 86_400;
        let mut ctx = Ctx {
            now: apr1,
            livemode: false,
            ids: &mut ids,
        };
        let (mut sub, _) = paid_monthly_subscription(&mut ctx);
        let id = sub.items[0].id.clone();
        let out = sub
            .change_items(
                vec![ItemChange {
                    id: Some(id),
                    quantity: Some(2),
                    ..Default::default()
                }],
                apr1 + 15 * 86_400,
                ProrationBehavior::CreateProrations,
                false,
                &mut ctx,
            )
            .unwrap();
        sub.pending_lines.extend(out.prorations);
        let lines = sub.renew(&mut ctx);
        assert_eq!(
            lines
                .iter()
                .map(|l| (l.amount, l.proration))
                .collect::<Vec<_>>(),
            vec![(-500, true), (1000, true), (2000, false)]
        );
        assert!(sub.pending_lines.is_empty());
    }
}

#[cfg(test)]
mod description_tests {
    use super::*;

    /// Stripe's prorations read `Unused time on Base after 16 May 2018` for one unit and
    /// `Unused time on 20 × Hotspots after 09 Apr 2022` for more: the quantity only above one,
    /// the day in two digits.
    #[test]
    fn proration_descriptions_read_as_stripes() {
        let at = 1_649_462_400; // 2022-04-09
        assert_eq!(short_date(at), "09 Apr 2022");
        assert_eq!(short_date(at + 6 * 86_400), "15 Apr 2022");
        let when = format!("after {}", short_date(at));
        assert_eq!(
            proration_description("Unused time on", 1, "Base", &when),
            "Unused time on Base after 09 Apr 2022"
        );
        assert_eq!(
            proration_description("Unused time on", 20, "Hotspots", &when),
            "Unused time on 20 × Hotspots after 09 Apr 2022"
        );
        assert_eq!(
            proration_description("Remaining time on", 2, "Pro", "after the trial"),
            "Remaining time on 2 × Pro after the trial"
        );
    }
}

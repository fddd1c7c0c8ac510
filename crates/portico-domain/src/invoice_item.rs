//! Invoice items (`ii_…`): one-off charges or credits for a customer, pending until an invoice
//! takes them, or added straight to a draft.
//!
//! A pending item is billed by the customer's next subscription invoice (of its subscription, if
//! it names one, else of any subscription in its currency), or by a manual invoice created with
//! `pending_invoice_items_behavior=include`. Once on an invoice it is that invoice's line: it can
//! be changed or deleted while the invoice is a draft, and not after.

use crate::error::{DomainError, DomainResult};
use crate::id::ID_LEN;
use crate::invoice::{Invoice, InvoiceStatus, Line};
use crate::metadata::{Metadata, MetadataUpdate};
use crate::price::{Price, MAX_UNIT_AMOUNT};
use crate::subscription::MAX_QUANTITY;
use crate::Ctx;
use serde::{Deserialize, Serialize};

/// At most this many invoice items on one invoice (Stripe's limit).
pub const MAX_PER_INVOICE: usize = 250;

/// What an item's amount is worked out from, kept so a new quantity can be priced again.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Basis {
    /// `amount`: the whole amount, for a quantity of one.
    Amount,
    /// `unit_amount_decimal`: this much per unit.
    UnitAmount(i64),
    /// A one-time price (`pricing[price]` or `price_data`), by id.
    Price,
}

/// How an item is to be priced, as asked.
#[derive(Clone, Debug)]
pub enum ItemPricing {
    /// `amount` (quantity one).
    Amount(i64),
    /// `unit_amount_decimal`, in whole minor units, times the quantity.
    UnitAmount(i64),
    /// A price and the name of its product, which describes the item unless it has its own
    /// description. `param` names where the price came from (`pricing[price]`, `price_data`).
    Price {
        price: Box<Price>,
        product_name: String,
        param: &'static str,
    },
}

/// `POST /v1/invoiceitems`, as read and resolved by the caller.
#[derive(Clone, Debug)]
pub struct InvoiceItemCreate {
    pub customer: String,
    pub test_clock: Option<String>,
    /// The currency asked for, if any: a price's own otherwise, then the fallback.
    pub currency: Option<String>,
    /// What it is in when neither the request nor a price says (the draft's it is made for,
    /// the customer's or the account's).
    pub fallback_currency: Option<String>,
    pub pricing: ItemPricing,
    pub quantity: Option<i64>,
    pub description: Option<String>,
    pub discountable: Option<bool>,
    pub metadata: MetadataUpdate,
    pub period: Option<(i64, i64)>,
    pub subscription: Option<String>,
}

/// `POST /v1/invoiceitems/{id}`, as read. `pricing`: a new price or amount; `None` keeps what
/// the item is priced by (priced again when the quantity changes).
#[derive(Clone, Debug, Default)]
pub struct InvoiceItemUpdate {
    pub pricing: Option<ItemPricing>,
    pub quantity: Option<i64>,
    pub description: Option<Option<String>>,
    pub discountable: Option<bool>,
    pub metadata: MetadataUpdate,
    pub period: Option<(i64, i64)>,
}

/// An invoice item.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InvoiceItem {
    pub id: String,
    /// `date`: when it was made.
    pub created: i64,
    pub livemode: bool,
    pub customer: String,
    pub currency: String,
    pub test_clock: Option<String>,
    /// In minor units; negative for a credit.
    pub amount: i64,
    pub quantity: i64,
    pub basis: Basis,
    /// What one unit costs, when that is one figure (not under a tiered price).
    pub unit_amount: Option<i64>,
    pub price: Option<String>,
    pub product: Option<String>,
    pub description: Option<String>,
    pub discountable: bool,
    pub metadata: Metadata,
    pub period_start: i64,
    pub period_end: i64,
    /// The subscription whose invoices alone may take it.
    pub subscription: Option<String>,
    /// The invoice it is on, and its line there; `None` while pending.
    pub invoice: Option<String>,
    pub line: Option<String>,
    /// Whether its description is its price's product's name rather than one it was given:
    /// a new price names it again.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub named_by_price: bool,
    /// Whether the invoice it is on took it while it was pending (rather than it being made
    /// for that draft, or moved onto it): if the draft is deleted, it is pending again.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub from_pending: bool,
    /// A subscription's proration waiting for its next invoice (never stored as an item: it
    /// lives with its subscription), and the subscription item it prorates.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub proration: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subscription_item: Option<String>,
    /// A billed proration's discounts, as its invoice applied them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub discount_amounts: Vec<crate::invoice::DiscountAmount>,
    /// For a credit proration, the debit it gives back.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credited: Option<crate::invoice::Credited>,
    #[serde(default)]
    pub deleted: bool,
}

impl InvoiceItem {
    /// A new invoice item, pending (the caller adds it to an invoice when asked to).
    pub fn create(p: InvoiceItemCreate, ctx: &mut Ctx<'_>) -> DomainResult<InvoiceItem> {
        let price_currency = match &p.pricing {
            ItemPricing::Price { price, param, .. } => {
                check_price(price, param)?;
                Some(price.currency.code().to_owned())
            }
            _ => None,
        };
        let currency = match (p.currency, price_currency) {
            (Some(c), Some(pc)) if c != pc => {
                return Err(DomainError::invalid(
                    "currency",
                    format!("The price is in {pc}, but the invoice item's currency is {c}."),
                ))
            }
            (Some(c), _) | (None, Some(c)) => c,
            (None, None) => p.fallback_currency.ok_or_else(|| {
                DomainError::invalid_code(
                    "currency",
                    crate::ErrorCode::ParameterMissing,
                    "Missing required param: currency.",
                )
            })?,
        };
        let (start, end) = p.period.unwrap_or((ctx.now, ctx.now));
        check_period(start, end)?;
        let mut item = InvoiceItem {
            id: ctx.ids.next("ii_", ID_LEN),
            created: ctx.now,
            livemode: ctx.livemode,
            customer: p.customer,
            currency,
            test_clock: p.test_clock,
            amount: 0,
            quantity: 1,
            basis: Basis::Amount,
            unit_amount: None,
            price: None,
            product: None,
            description: p.description,
            discountable: true,
            metadata: p.metadata.build("metadata")?,
            period_start: start,
            period_end: end,
            subscription: p.subscription,
            invoice: None,
            line: None,
            named_by_price: false,
            from_pending: false,
            proration: false,
            subscription_item: None,
            discount_amounts: Vec::new(),
            credited: None,
            deleted: false,
        };
        item.price_as(p.pricing, p.quantity)?;
        // Credits take no discount unless asked to, as Stripe's do.
        item.discountable = p.discountable.unwrap_or(item.amount >= 0);
        Ok(item)
    }

    /// Applies an update. Only a pending item, or one on a draft (the caller checks the
    /// invoice), changes.
    pub fn update(&mut self, u: InvoiceItemUpdate, current: Option<Price>) -> DomainResult<()> {
        u.metadata.apply("metadata", &mut self.metadata)?;
        if let Some(d) = u.description {
            self.description = d;
            self.named_by_price = false;
        }
        if let Some(d) = u.discountable {
            self.discountable = d;
        }
        if let Some((start, end)) = u.period {
            check_period(start, end)?;
            self.period_start = start;
            self.period_end = end;
        }
        // What it is priced by from now on: what was sent, or (for a new quantity) what it was
        // priced by, its price as it is now (still billable, archived or not).
        let (pricing, sent) = match (u.pricing, &self.basis) {
            (Some(p), _) => (p, true),
            (None, _) if u.quantity.is_none() => return Ok(()),
            (None, Basis::Amount) => {
                return Err(DomainError::invalid(
                    "quantity",
                    "This invoice item is priced by `amount`, which is for a quantity of one: \
                     send `unit_amount_decimal` or a price with the quantity.",
                ))
            }
            (None, Basis::UnitAmount(u)) => (ItemPricing::UnitAmount(*u), false),
            (None, Basis::Price) => {
                let price = current.ok_or_else(|| {
                    DomainError::state(None, "This invoice item's price is gone.")
                })?;
                let pricing = ItemPricing::Price {
                    price: Box::new(price),
                    product_name: String::new(),
                    param: "pricing[price]",
                };
                (pricing, false)
            }
        };
        let quantity = u.quantity.or(match pricing {
            ItemPricing::Amount(_) => None,
            _ => Some(self.quantity),
        });
        if let (ItemPricing::Price { price, param, .. }, true) = (&pricing, sent) {
            check_price(price, param)?;
            if price.currency.code() != self.currency {
                return Err(DomainError::invalid(
                    *param,
                    format!(
                        "The price `{}` is in {}, but this invoice item is in {}.",
                        price.id,
                        price.currency.code(),
                        self.currency
                    ),
                ));
            }
            // Named by its old price's product, it is named by the new one's.
            if self.named_by_price {
                self.description = None;
            }
        }
        self.price_as(pricing, quantity)?;
        Ok(())
    }

    /// Prices the item as `pricing` says, for `quantity` (one by default).
    fn price_as(&mut self, pricing: ItemPricing, quantity: Option<i64>) -> DomainResult<()> {
        let quantity = match (&pricing, quantity) {
            (ItemPricing::Amount(_), Some(_)) => {
                return Err(DomainError::invalid(
                    "quantity",
                    "You may only specify one of these parameters: amount, quantity. `amount` \
                     is the whole amount; for a quantity, send `unit_amount_decimal` or a price.",
                ))
            }
            (_, Some(q)) if !(0..=MAX_QUANTITY).contains(&q) => {
                return Err(DomainError::invalid(
                    "quantity",
                    format!("Invalid quantity: it must be between 0 and {MAX_QUANTITY}."),
                ))
            }
            (_, q) => q.unwrap_or(1),
        };
        let (amount, basis, price, product) = match pricing {
            ItemPricing::Amount(a) => {
                check_amount("amount", a)?;
                self.unit_amount = Some(a);
                (a, Basis::Amount, None, None)
            }
            ItemPricing::UnitAmount(u) => {
                check_amount("unit_amount_decimal", u)?;
                self.unit_amount = Some(u);
                (u.saturating_mul(quantity), Basis::UnitAmount(u), None, None)
            }
            ItemPricing::Price {
                price,
                product_name,
                ..
            } => {
                if self.description.is_none() && !product_name.is_empty() {
                    self.description = Some(product_name);
                    self.named_by_price = true;
                } else if !product_name.is_empty() {
                    self.named_by_price = false;
                }
                self.unit_amount = price.unit_amount;
                (
                    price.amount_for(quantity),
                    Basis::Price,
                    Some(price.id.to_string()),
                    Some(price.product.to_string()),
                )
            }
        };
        // What one item comes to is held to the most one payment can be, as an amount is.
        if !(-MAX_UNIT_AMOUNT..=MAX_UNIT_AMOUNT).contains(&amount) {
            return Err(DomainError::invalid(
                "quantity",
                format!(
                    "This invoice item would come to {amount}, but an invoice item must be \
                     between -{MAX_UNIT_AMOUNT} and {MAX_UNIT_AMOUNT}: lower the quantity or the \
                     unit amount."
                ),
            ));
        }
        self.amount = amount;
        self.quantity = quantity;
        self.basis = basis;
        self.price = price;
        self.product = product;
        Ok(())
    }

    /// A pending proration of `sub` (a line it will bill) seen as the invoice item it is in
    /// Stripe's terms. `None` for a line that is not an item (one stored before prorations
    /// had ids).
    pub fn pending_proration(
        sub: &crate::subscription::Subscription,
        line: &Line,
    ) -> Option<InvoiceItem> {
        let of = ProrationOf {
            customer: &sub.customer,
            currency: &sub.currency,
            livemode: sub.livemode,
            test_clock: sub.test_clock.as_deref(),
            subscription: Some(&sub.id),
            invoice: None,
        };
        of.item(line)
    }

    /// What the discounts a pending proration was made with take off it, as its
    /// `proration_details.discount_amounts` show: `discounts` (its tags, each with its coupon)
    /// applied to `line` billed alone, as an invoice applies them.
    pub fn discounted_as_made(
        &mut self,
        line: &Line,
        discounts: &[(String, crate::coupon::Coupon)],
    ) {
        let mut alone = [Line {
            discount_amounts: Vec::new(),
            ..line.clone()
        }];
        for (id, coupon) in discounts {
            crate::invoice::discount_lines(&mut alone, coupon, id, false);
        }
        let [line] = alone;
        self.discount_amounts = line.discount_amounts;
    }

    /// A proration `inv` billed, as the invoice item it was (its discounts as applied there).
    pub fn billed_proration(inv: &Invoice, line: &Line) -> Option<InvoiceItem> {
        let of = ProrationOf {
            customer: &inv.customer,
            currency: &inv.currency,
            livemode: inv.livemode,
            test_clock: inv.test_clock.as_deref(),
            subscription: line.subscription.as_deref().or(inv.subscription.as_deref()),
            invoice: Some(&inv.id),
        };
        let mut item = of.item(line)?;
        item.discount_amounts = line.discount_amounts.clone();
        Some(item)
    }

    /// Refuses setting `param` (its amount, quantity, period, `discountable`) on a proration:
    /// it follows the subscription change the proration prorates.
    pub fn fixed_by_proration(param: &str) -> DomainError {
        DomainError::invalid(
            param,
            format!(
                "This invoice item is a proration: its `{param}` follows the subscription change \
                 it prorates and cannot be set. Its `description` and `metadata` can change \
                 while its invoice is a draft, and it can be deleted from the draft."
            ),
        )
    }

    /// Changes a billed proration's `description` or `metadata` where they live: on `line`, the
    /// line of the draft that bills it (the item is read from the line again).
    pub fn edit_proration_line(
        line: &mut Line,
        description: Option<Option<String>>,
        metadata: &MetadataUpdate,
    ) -> DomainResult<()> {
        metadata.apply("metadata", &mut line.metadata)?;
        if let Some(d) = description {
            line.description = d.unwrap_or_default();
        }
        Ok(())
    }

    /// Whether no invoice has taken it yet.
    pub fn pending(&self) -> bool {
        self.invoice.is_none()
    }

    /// Whether an invoice for `subscription` (or a manual one, `None`, which takes any) may
    /// take it.
    pub fn billable_with(&self, subscription: Option<&str>) -> bool {
        match (&self.subscription, subscription) {
            (Some(own), Some(s)) => own == s,
            _ => true,
        }
    }

    /// The line that bills it, with a new id (`il_…`).
    pub fn to_line(&self, ctx: &mut Ctx<'_>) -> Line {
        self.line_with_id(ctx.ids.next("il_", ID_LEN))
    }

    fn line_with_id(&self, id: String) -> Line {
        Line {
            id,
            amount: self.amount,
            description: self.description.clone().unwrap_or_default(),
            period_start: self.period_start,
            period_end: self.period_end,
            quantity: self.quantity,
            price: self.price.clone().unwrap_or_default(),
            product: self.product.clone().unwrap_or_default(),
            proration: false,
            subscription_item: None,
            discount_amounts: Vec::new(),
            invoice_item: Some(self.id.clone()),
            subscription: self.subscription.clone(),
            discountable: self.discountable,
            metadata: self.metadata.clone(),
            proration_discounts: None,
            tier: None,
            credited: None,
        }
    }

    /// The line on its draft invoice, brought up to date with a change of the item.
    /// (Its discounts are taken off: the invoice applies them again.)
    pub fn refresh_line(&self, line: &mut Line) {
        *line = self.line_with_id(std::mem::take(&mut line.id));
    }

    /// Puts it on `invoice` as line `line`; `from_pending`: the invoice took it while it was
    /// pending.
    pub fn attach(&mut self, invoice: &str, line: &str, from_pending: bool) {
        self.invoice = Some(invoice.to_owned());
        self.line = Some(line.to_owned());
        self.from_pending = from_pending;
    }

    /// What deleting the draft it is on does to it: one the draft took while pending is pending
    /// again; one made for the draft goes with it.
    pub fn draft_deleted(&mut self) {
        if self.from_pending {
            self.invoice = None;
            self.line = None;
            self.from_pending = false;
        } else {
            self.deleted = true;
        }
    }

    /// Refuses putting it on `inv` unless that is a draft of its customer and currency (of its
    /// subscription, if it has one) with room for another item.
    pub fn check_fits(&self, inv: &Invoice) -> DomainResult<()> {
        let refuse = |message: String| Err(DomainError::invalid("invoice", message));
        check_draft(inv, Some("invoice"), || {
            format!(
                "Invoice items can only be added to draft invoices; {} is {}.",
                inv.id,
                inv.status.as_str()
            )
        })?;
        if inv.customer != self.customer {
            return refuse(format!(
                "The invoice {} belongs to another customer than {}.",
                inv.id, self.customer
            ));
        }
        if inv.currency != self.currency {
            return refuse(format!(
                "The invoice {} is in {}, but the invoice item is in {}.",
                inv.id, inv.currency, self.currency
            ));
        }
        if let (Some(own), Some(s)) = (&self.subscription, &inv.subscription) {
            if own != s {
                return refuse(format!(
                    "The invoice {} is for the subscription {s}, not {own}.",
                    inv.id
                ));
            }
        }
        let items = inv
            .lines
            .iter()
            .filter(|l| l.invoice_item.is_some())
            .count();
        if items >= MAX_PER_INVOICE {
            return refuse(format!(
                "The invoice {} already has {MAX_PER_INVOICE} invoice items, the most one can \
                 have.",
                inv.id
            ));
        }
        Ok(())
    }

    /// Refuses changing it (or taking it off) unless the invoice it is on, `inv`, is still a
    /// draft.
    pub fn check_changeable(&self, inv: &Invoice) -> DomainResult<()> {
        check_draft(inv, None, || {
            let state = if inv.deleted {
                "deleted"
            } else {
                inv.status.as_str()
            };
            format!(
                "This invoice is no longer editable: the invoice item {} is on the invoice {}, \
                 which is {state}, so it can no longer change.",
                self.id, inv.id
            )
        })
    }
}

/// Whose proration a line is.
struct ProrationOf<'a> {
    customer: &'a str,
    currency: &'a str,
    livemode: bool,
    test_clock: Option<&'a str>,
    subscription: Option<&'a str>,
    invoice: Option<&'a str>,
}

impl ProrationOf<'_> {
    /// The line as an invoice item: dated when the change it prorates took effect, and (as
    /// Stripe's prorations) not discountable itself, since it keeps the discounts it was made
    /// with.
    fn item(&self, line: &Line) -> Option<InvoiceItem> {
        Some(InvoiceItem {
            id: line.invoice_item.clone().filter(|_| line.proration)?,
            created: line.period_start,
            livemode: self.livemode,
            customer: self.customer.to_owned(),
            currency: self.currency.to_owned(),
            test_clock: self.test_clock.map(str::to_owned),
            amount: line.amount,
            quantity: line.quantity,
            basis: Basis::Price,
            unit_amount: (line.quantity != 0).then(|| line.amount / line.quantity),
            price: Some(line.price.clone()),
            product: Some(line.product.clone()),
            description: Some(line.description.clone()),
            discountable: false,
            metadata: line.metadata.clone(),
            period_start: line.period_start,
            period_end: line.period_end,
            subscription: self.subscription.map(str::to_owned),
            invoice: self.invoice.map(str::to_owned),
            line: Some(line.id.clone()),
            named_by_price: false,
            from_pending: false,
            proration: true,
            subscription_item: line.subscription_item.clone(),
            discount_amounts: Vec::new(),
            credited: line.credited.clone(),
            deleted: false,
        })
    }
}

/// Refuses unless `inv` is a draft whose lines can change (`invoice_not_editable`).
fn check_draft(
    inv: &Invoice,
    param: Option<&str>,
    message: impl FnOnce() -> String,
) -> DomainResult<()> {
    if inv.status == InvoiceStatus::Draft && !inv.deleted {
        return Ok(());
    }
    Err(DomainError::Invalid {
        param: param.map(str::to_owned),
        message: message(),
        code: Some(crate::ErrorCode::InvoiceNotEditable),
    })
}

/// A price an invoice item can bill: one-time, and active (or made for this item).
fn check_price(price: &Price, param: &str) -> DomainResult<()> {
    if price.recurring.is_some() {
        return Err(DomainError::invalid(
            param,
            format!(
                "The price `{}` is recurring, but invoice items take only one-time prices \
                 (`type=one_time`).",
                price.id
            ),
        ));
    }
    if !price.usable() {
        return Err(DomainError::invalid(
            param,
            format!(
                "The price `{}` is not active, and cannot be added to an invoice.",
                price.id
            ),
        ));
    }
    Ok(())
}

fn check_amount(param: &str, a: i64) -> DomainResult<()> {
    if !(-MAX_UNIT_AMOUNT..=MAX_UNIT_AMOUNT).contains(&a) {
        return Err(DomainError::invalid(
            param,
            format!("This value must be between -{MAX_UNIT_AMOUNT} and {MAX_UNIT_AMOUNT}."),
        ));
    }
    Ok(())
}

fn check_period(start: i64, end: i64) -> DomainResult<()> {
    if end < start {
        return Err(DomainError::invalid(
            "period[end]",
            format!(
                "Invalid period: it ends ({end}) before it starts ({start}); the end must be at \
                 or after the start."
            ),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::id::SequentialIds;
    use crate::price::{PriceCreate, Recurring};
    use crate::product::{Product, ProductParams};
    use crate::tiers::{Tier, Tiering, TiersMode};
    use crate::Currency;

    fn ctx(ids: &mut SequentialIds) -> Ctx<'_> {
        Ctx {
            now: 1_000,
            livemode: false,
            ids,
        }
    }

    fn price(p: PriceCreate) -> Price {
        let mut ids = SequentialIds::default();
        let mut c = ctx(&mut ids);
        let prod = Product::create(
            ProductParams {
                name: Some("Kit".into()),
                ..Default::default()
            },
            &mut c,
        )
        .unwrap();
        Price::create(
            PriceCreate {
                currency: Currency::parse("usd"),
                ..p
            },
            &prod,
            &mut c,
        )
        .unwrap()
    }

    fn per_unit(amount: i64) -> Price {
        price(PriceCreate {
            unit_amount: Some(amount),
            ..Default::default()
        })
    }

    fn by_price(p: Price) -> ItemPricing {
        ItemPricing::Price {
            price: Box::new(p),
            product_name: "Kit".into(),
            param: "pricing[price]",
        }
    }

    fn params(pricing: ItemPricing) -> InvoiceItemCreate {
        InvoiceItemCreate {
            customer: "cus_1".into(),
            test_clock: None,
            currency: None,
            fallback_currency: Some("usd".into()),
            pricing,
            quantity: None,
            description: None,
            discountable: None,
            metadata: MetadataUpdate::default(),
            period: None,
            subscription: None,
        }
    }

    fn make(p: InvoiceItemCreate) -> DomainResult<InvoiceItem> {
        let mut ids = SequentialIds::default();
        InvoiceItem::create(p, &mut ctx(&mut ids))
    }

    fn param_of(e: DomainError) -> Option<String> {
        match e {
            DomainError::Invalid { param, .. } => param,
            other => panic!("not an invalid-parameter error: {other:?}"),
        }
    }

    #[test]
    fn an_amount_is_one_unit_and_a_credit_takes_no_discount() {
        let fee = make(params(ItemPricing::Amount(1500))).unwrap();
        assert_eq!(
            (fee.amount, fee.quantity, fee.unit_amount),
            (1500, 1, Some(1500))
        );
        assert_eq!(fee.currency, "usd", "the customer's currency");
        assert_eq!(
            (fee.period_start, fee.period_end, fee.created),
            (1_000, 1_000, 1_000)
        );
        assert!(fee.discountable && fee.pending() && fee.id.starts_with("ii_"));
        let credit = make(params(ItemPricing::Amount(-300))).unwrap();
        assert!(!credit.discountable);
        let asked = make(InvoiceItemCreate {
            discountable: Some(true),
            ..params(ItemPricing::Amount(-300))
        })
        .unwrap();
        assert!(asked.discountable);
    }

    #[test]
    fn the_largest_amounts_either_way_are_refused_by_name() {
        for a in [
            i64::MIN,
            -MAX_UNIT_AMOUNT - 1,
            MAX_UNIT_AMOUNT + 1,
            i64::MAX,
        ] {
            let e = make(params(ItemPricing::Amount(a))).unwrap_err();
            assert_eq!(param_of(e).as_deref(), Some("amount"));
        }
        let e = make(params(ItemPricing::UnitAmount(i64::MIN))).unwrap_err();
        assert_eq!(param_of(e).as_deref(), Some("unit_amount_decimal"));
        // Nor can a unit amount times a quantity come to more.
        let e = make(InvoiceItemCreate {
            quantity: Some(1_000_000),
            ..params(ItemPricing::UnitAmount(MAX_UNIT_AMOUNT))
        })
        .unwrap_err();
        assert_eq!(param_of(e).as_deref(), Some("quantity"));
        assert!(make(params(ItemPricing::Amount(-MAX_UNIT_AMOUNT))).is_ok());
    }

    #[test]
    fn an_amount_takes_no_quantity() {
        let e = make(InvoiceItemCreate {
            quantity: Some(2),
            ..params(ItemPricing::Amount(100))
        })
        .unwrap_err();
        assert_eq!(param_of(e).as_deref(), Some("quantity"));
    }

    #[test]
    fn a_price_bills_what_its_quantity_costs_and_names_the_item() {
        let item = make(InvoiceItemCreate {
            quantity: Some(3),
            ..params(by_price(per_unit(1200)))
        })
        .unwrap();
        assert_eq!((item.amount, item.unit_amount), (3600, Some(1200)));
        assert_eq!(item.description.as_deref(), Some("Kit"));
        assert_eq!(item.basis, Basis::Price);
        // Under a volume tiering, the whole quantity at its tier's rate.
        let tiered = price(PriceCreate {
            tiers: Some(Tiering {
                mode: TiersMode::Volume,
                tiers: vec![
                    Tier {
                        up_to: Some(5),
                        unit_amount: Some(100),
                        flat_amount: None,
                    },
                    Tier {
                        up_to: None,
                        unit_amount: Some(80),
                        flat_amount: None,
                    },
                ],
            }),
            ..Default::default()
        });
        let item = make(InvoiceItemCreate {
            quantity: Some(10),
            ..params(by_price(tiered))
        })
        .unwrap();
        assert_eq!((item.amount, item.unit_amount), (800, None));
    }

    #[test]
    fn a_recurring_or_foreign_price_is_refused() {
        let monthly = price(PriceCreate {
            unit_amount: Some(100),
            recurring: Some(Recurring {
                interval: crate::price::Interval::Month,
                interval_count: 1,
            }),
            ..Default::default()
        });
        let e = make(params(by_price(monthly))).unwrap_err();
        assert_eq!(param_of(e).as_deref(), Some("pricing[price]"));
        let e = make(InvoiceItemCreate {
            currency: Some("eur".into()),
            ..params(by_price(per_unit(100)))
        })
        .unwrap_err();
        assert_eq!(param_of(e).as_deref(), Some("currency"));
    }

    #[test]
    fn a_currency_is_needed_from_somewhere() {
        let e = make(InvoiceItemCreate {
            fallback_currency: None,
            ..params(ItemPricing::Amount(100))
        })
        .unwrap_err();
        assert!(matches!(
            e,
            DomainError::Invalid {
                code: Some(crate::ErrorCode::ParameterMissing),
                ..
            }
        ));
    }

    #[test]
    fn a_period_ends_at_or_after_its_start() {
        let e = make(InvoiceItemCreate {
            period: Some((10, 9)),
            ..params(ItemPricing::Amount(100))
        })
        .unwrap_err();
        assert_eq!(param_of(e).as_deref(), Some("period[end]"));
        let same = make(InvoiceItemCreate {
            period: Some((10, 10)),
            ..params(ItemPricing::Amount(100))
        })
        .unwrap();
        assert_eq!((same.period_start, same.period_end), (10, 10));
    }

    #[test]
    fn a_new_quantity_is_priced_again_by_what_it_was_priced_by() {
        let mut units = make(InvoiceItemCreate {
            quantity: Some(2),
            ..params(ItemPricing::UnitAmount(125))
        })
        .unwrap();
        units
            .update(
                InvoiceItemUpdate {
                    quantity: Some(8),
                    ..Default::default()
                },
                None,
            )
            .unwrap();
        assert_eq!((units.amount, units.quantity), (1000, 8));
        let mut priced = make(params(by_price(per_unit(300)))).unwrap();
        priced
            .update(
                InvoiceItemUpdate {
                    quantity: Some(4),
                    ..Default::default()
                },
                Some(per_unit(350)),
            )
            .unwrap();
        assert_eq!(priced.amount, 1400, "the price as it is now");
        let mut fixed = make(params(ItemPricing::Amount(100))).unwrap();
        let e = fixed
            .update(
                InvoiceItemUpdate {
                    quantity: Some(2),
                    ..Default::default()
                },
                None,
            )
            .unwrap_err();
        assert_eq!(param_of(e).as_deref(), Some("quantity"));
        // An amount replaces a price: one unit, no price.
        priced
            .update(
                InvoiceItemUpdate {
                    pricing: Some(ItemPricing::Amount(999)),
                    ..Default::default()
                },
                None,
            )
            .unwrap();
        assert_eq!(
            (priced.amount, priced.quantity, priced.price.as_deref()),
            (999, 1, None)
        );
        assert_eq!(priced.description.as_deref(), Some("Kit"), "kept");
    }

    #[test]
    fn its_line_follows_it_and_keeps_its_id() {
        let mut ids = SequentialIds::default();
        let mut c = ctx(&mut ids);
        let mut item = InvoiceItem::create(
            InvoiceItemCreate {
                subscription: Some("sub_1".into()),
                description: Some("Fee".into()),
                ..params(ItemPricing::Amount(500))
            },
            &mut c,
        )
        .unwrap();
        let mut line = item.to_line(&mut c);
        assert!(line.id.starts_with("il_"));
        assert_eq!(line.invoice_item.as_deref(), Some(item.id.as_str()));
        assert_eq!(
            (
                line.amount,
                line.description.as_str(),
                line.subscription.as_deref()
            ),
            (500, "Fee", Some("sub_1"))
        );
        assert!(line.price.is_empty() && !line.proration);
        line.discount_amounts.push(crate::invoice::DiscountAmount {
            amount: 10,
            discount: "di_1".into(),
        });
        let id = line.id.clone();
        item.amount = 700;
        item.refresh_line(&mut line);
        assert_eq!((line.id, line.amount), (id, 700));
        assert!(
            line.discount_amounts.is_empty(),
            "worked out again by the invoice"
        );
    }

    #[test]
    fn an_item_for_a_subscription_goes_only_on_its_invoices() {
        let mut item = make(params(ItemPricing::Amount(1))).unwrap();
        assert!(item.billable_with(Some("sub_a")) && item.billable_with(None));
        item.subscription = Some("sub_a".into());
        assert!(item.billable_with(Some("sub_a")) && !item.billable_with(Some("sub_b")));
        assert!(
            item.billable_with(None),
            "a manual invoice for no subscription"
        );
    }

    fn draft_for(customer: &str) -> Invoice {
        let mut ids = SequentialIds::default();
        let mut c = ctx(&mut ids);
        let mut cus = crate::customer::Customer::create(Default::default(), &mut c).unwrap();
        cus.id = customer.into();
        Invoice::draft(&cus, None, "manual", "usd", (0, 0), Vec::new(), &mut c)
    }

    #[test]
    fn only_a_draft_of_its_customer_and_currency_takes_it() {
        let item = make(params(ItemPricing::Amount(100))).unwrap();
        let mut inv = draft_for("cus_1");
        item.check_fits(&inv).unwrap();
        item.check_changeable(&inv).unwrap();
        let e = item.check_fits(&draft_for("cus_2")).unwrap_err();
        assert_eq!(param_of(e).as_deref(), Some("invoice"));
        inv.currency = "eur".into();
        assert!(item.check_fits(&inv).is_err());
        inv.currency = "usd".into();
        inv.status = InvoiceStatus::Open;
        for e in [item.check_fits(&inv), item.check_changeable(&inv)] {
            assert!(matches!(
                e,
                Err(DomainError::Invalid {
                    code: Some(crate::ErrorCode::InvoiceNotEditable),
                    ..
                })
            ));
        }
    }

    #[test]
    fn a_deleted_draft_gives_back_what_it_took_and_takes_the_rest_along() {
        let mut took = make(params(ItemPricing::Amount(100))).unwrap();
        took.attach("in_1", "il_1", true);
        took.draft_deleted();
        assert!(took.pending() && took.line.is_none() && !took.deleted);
        let mut made = make(params(ItemPricing::Amount(100))).unwrap();
        made.attach("in_1", "il_2", false);
        made.draft_deleted();
        assert!(made.deleted);
    }

    #[test]
    fn a_description_from_a_price_follows_the_price() {
        let other = || {
            let p = per_unit(50);
            ItemPricing::Price {
                price: Box::new(p),
                product_name: "Mug".into(),
                param: "pricing[price]",
            }
        };
        let mut named = make(params(by_price(per_unit(100)))).unwrap();
        assert!(named.named_by_price);
        let change = || InvoiceItemUpdate {
            pricing: Some(other()),
            ..Default::default()
        };
        named.update(change(), None).unwrap();
        assert_eq!(named.description.as_deref(), Some("Mug"));
        let mut own = make(InvoiceItemCreate {
            description: Some("Pack".into()),
            ..params(by_price(per_unit(100)))
        })
        .unwrap();
        own.update(change(), None).unwrap();
        assert_eq!(own.description.as_deref(), Some("Pack"));
    }

    proptest::proptest! {
        /// A per-unit amount times the quantity, whatever the sign; the line bills the same.
        #[test]
        fn units_times_quantity(
            unit in -MAX_UNIT_AMOUNT..=MAX_UNIT_AMOUNT,
            quantity in proptest::prop_oneof![0i64..=1_000, 0..=MAX_QUANTITY],
        ) {
            let mut ids = SequentialIds::default();
            let mut c = ctx(&mut ids);
            let made = InvoiceItem::create(
                InvoiceItemCreate { quantity: Some(quantity), ..params(ItemPricing::UnitAmount(unit)) },
                &mut c,
            );
            // Beyond what one payment can be, refused by name.
            let Ok(item) = made else {
                proptest::prop_assert!((unit * quantity).abs() > MAX_UNIT_AMOUNT);
                return Ok(());
            };
            proptest::prop_assert_eq!(item.amount, unit * quantity);
            proptest::prop_assert_eq!(item.to_line(&mut c).amount, item.amount);
            proptest::prop_assert_eq!(item.discountable, item.amount >= 0);
        }
    }
}

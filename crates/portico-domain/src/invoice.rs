//! Invoices: what a customer owes for a period, line by line, and how paying them goes.
//!
//! Statuses follow Stripe's: `draft` → `open` (finalized, numbered) → `paid`, or `void` /
//! `uncollectible`. A zero total is paid on finalization. Payment goes through the payment
//! simulator: a decline leaves the invoice open with `last_payment_error`; a card that needs
//! 3-D Secure leaves it open waiting for the customer to authenticate.

use crate::card::CardError;
use crate::coupon::Coupon;
use crate::error::{DomainError, DomainResult};
use crate::id::ID_LEN;
use crate::metadata::Metadata;
use crate::payment_method::{simulate_charge, Outcome, PaymentMethod};
use crate::Ctx;
use serde::{Deserialize, Serialize};

/// An invoice's status.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InvoiceStatus {
    Draft,
    Open,
    Paid,
    Uncollectible,
    Void,
}

impl InvoiceStatus {
    /// The wire value.
    pub fn as_str(self) -> &'static str {
        match self {
            InvoiceStatus::Draft => "draft",
            InvoiceStatus::Open => "open",
            InvoiceStatus::Paid => "paid",
            InvoiceStatus::Uncollectible => "uncollectible",
            InvoiceStatus::Void => "void",
        }
    }
}

/// A discount's share of a line or of the invoice.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DiscountAmount {
    pub amount: i64,
    pub discount: String,
}

/// What a credit proration gives back (Stripe's `proration_details.credited_items`): the debit
/// that billed the time it credits.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Credited {
    /// A debit proration, by its invoice item (still pending when the credit was made).
    InvoiceItem(String),
    /// Lines of an invoice that billed the time.
    InvoiceLines { invoice: String, lines: Vec<String> },
}

/// One line of an invoice.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Line {
    pub id: String,
    /// Before discounts, in minor units (negative for credits).
    pub amount: i64,
    pub description: String,
    pub period_start: i64,
    pub period_end: i64,
    pub quantity: i64,
    pub price: String,
    pub product: String,
    pub proration: bool,
    pub subscription_item: Option<String>,
    pub discount_amounts: Vec<DiscountAmount>,
    /// The invoice item (`ii_…`) this line bills, for a one-off charge added to a subscription
    /// (`add_invoice_items`) rather than one of its items.
    #[serde(default)]
    pub invoice_item: Option<String>,
    /// The subscription an invoice item was added to, or whose proration this is, when the
    /// invoice does not say (one gathering several subscriptions' pending items names none).
    #[serde(default)]
    pub subscription: Option<String>,
    /// Whether discounts apply to this line (an invoice item can opt out).
    #[serde(default = "discountable_by_default")]
    pub discountable: bool,
    /// The invoice item's metadata.
    #[serde(default)]
    pub metadata: Metadata,
    /// For a proration, the discounts that reduce it, fixed when it was made: those in force
    /// then, even if they end or are taken off before it is invoiced, and not those added
    /// after. A credit in flexible billing mode, which credits what was debited, names those
    /// the period was billed with, so a discount the same change adds passes it over. `None`
    /// (any other line) takes the discounts of the invoice it is on.
    #[serde(
        default,
        alias = "credit_discounts",
        skip_serializing_if = "Option::is_none"
    )]
    pub proration_discounts: Option<Vec<String>>,
    /// Under a tiered price, the tier this line bills (counted from 1), and whether it bills
    /// the tier's flat amount rather than its units.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tier: Option<(usize, bool)>,
    /// For a credit proration, the debit it gives back.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credited: Option<Credited>,
}

fn discountable_by_default() -> bool {
    true
}

/// Why the last payment attempt failed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PaymentError {
    pub code: String,
    pub decline_code: Option<String>,
    pub message: String,
    pub payment_method: Option<String>,
}

/// When the status changed.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct StatusTransitions {
    pub finalized_at: Option<i64>,
    pub paid_at: Option<i64>,
    pub voided_at: Option<i64>,
    pub marked_uncollectible_at: Option<i64>,
}

/// An invoice as Portico stores it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Invoice {
    pub id: String,
    pub created: i64,
    pub livemode: bool,
    pub customer: String,
    pub subscription: Option<String>,
    pub billing_reason: String,
    pub status: InvoiceStatus,
    pub currency: String,
    pub number: Option<String>,
    pub period_start: i64,
    pub period_end: i64,
    pub lines: Vec<Line>,
    pub discounts: Vec<String>,
    pub amount_paid: i64,
    pub attempt_count: i64,
    pub attempted: bool,
    pub auto_advance: bool,
    pub status_transitions: StatusTransitions,
    pub default_payment_method: Option<String>,
    pub last_payment_error: Option<PaymentError>,
    /// The payment method waiting for 3-D Secure, and the secret of its hosted page.
    pub pending_authentication: Option<(String, String)>,
    pub metadata: Metadata,
    pub customer_email: Option<String>,
    pub customer_name: Option<String>,
    pub test_clock: Option<String>,
    /// The customer's balance carried into this invoice (negative: a credit).
    #[serde(default)]
    pub starting_balance: i64,
    /// The customer's balance once this invoice took its share; set when finalized.
    #[serde(default)]
    pub ending_balance: Option<i64>,
    /// A memo for the customer (`description`).
    #[serde(default)]
    pub description: Option<String>,
    /// A draft deleted before it was finalized.
    #[serde(default)]
    pub deleted: bool,
    /// Every payment attempt, those asked for by hand included (`attempt_count` counts only
    /// those of the retry schedule): each one that fails is announced.
    #[serde(default)]
    pub tries: i64,
    /// When this draft (a renewal's) is finalized and charged by itself; kept once finalized,
    /// as the time its first payment is due.
    #[serde(default)]
    pub automatically_finalizes_at: Option<i64>,
    /// What was marked paid outside Portico (`paid_out_of_band`): part of `amount_paid`, with
    /// no charge behind it.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub paid_off_stripe: i64,
    /// `collection_method=send_invoice`: sent to the customer to pay by `due_date`, never
    /// charged by itself.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub send_invoice: bool,
    /// When a sent invoice is due.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due_date: Option<i64>,
    /// How many times it was emailed to its customer: each time is announced (`invoice.sent`).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub times_sent: i64,
}

/// A sent invoice is due this many days after it is created unless told otherwise (Stripe's
/// default payment terms).
pub const DEFAULT_DAYS_UNTIL_DUE: i64 = 30;

fn is_zero(n: &i64) -> bool {
    *n == 0
}

/// What a payment attempt did.
#[derive(Clone, Debug, PartialEq)]
pub enum PaymentOutcome {
    Paid,
    Declined(CardError),
    RequiresAction,
}

/// The period `lines` cover: the earliest start to the latest end, or `(at, at)` when there
/// are none.
pub fn lines_period(lines: &[Line], at: i64) -> (i64, i64) {
    (
        lines.iter().map(|l| l.period_start).min().unwrap_or(at),
        lines.iter().map(|l| l.period_end).max().unwrap_or(at),
    )
}

impl Invoice {
    /// A draft invoice with these lines.
    #[allow(clippy::too_many_arguments)]
    pub fn draft(
        customer: &crate::customer::Customer,
        subscription: Option<&str>,
        billing_reason: &str,
        currency: &str,
        period: (i64, i64),
        lines: Vec<Line>,
        ctx: &mut Ctx<'_>,
    ) -> Invoice {
        Invoice {
            id: ctx.ids.next("in_", ID_LEN),
            created: ctx.now,
            livemode: ctx.livemode,
            customer: customer.id.to_string(),
            subscription: subscription.map(str::to_owned),
            billing_reason: billing_reason.to_owned(),
            status: InvoiceStatus::Draft,
            currency: currency.to_owned(),
            number: None,
            period_start: period.0,
            period_end: period.1,
            lines,
            discounts: Vec::new(),
            amount_paid: 0,
            attempt_count: 0,
            attempted: false,
            auto_advance: true,
            status_transitions: StatusTransitions::default(),
            default_payment_method: None,
            last_payment_error: None,
            pending_authentication: None,
            metadata: Metadata::new(),
            customer_email: customer.email.clone(),
            customer_name: customer.name.clone(),
            test_clock: customer.test_clock.clone(),
            starting_balance: 0,
            ending_balance: None,
            description: None,
            deleted: false,
            tries: 0,
            automatically_finalizes_at: None,
            paid_off_stripe: 0,
            send_invoice: false,
            due_date: None,
            times_sent: 0,
        }
    }

    /// Deletes a one-off draft. A finalized invoice, or one a subscription generated (a renewal
    /// kept as a draft while collection is paused), stays on record: it can be voided instead,
    /// once finalized.
    pub fn delete(&mut self) -> DomainResult<()> {
        if self.status == InvoiceStatus::Draft
            && self.subscription.is_some()
            && self.billing_reason != "manual"
        {
            return Err(DomainError::state(
                None,
                "This draft was generated by a subscription and cannot be deleted: finalize it, \
                 then void it.",
            ));
        }
        if self.status != InvoiceStatus::Draft {
            // Voiding is the way out for one still to be paid, not for one already settled.
            let instead = match self.status {
                InvoiceStatus::Open | InvoiceStatus::Uncollectible => " Void it instead.",
                _ => "",
            };
            return Err(DomainError::state(
                None,
                format!(
                    "You can only delete draft invoices; this one is {}.{instead}",
                    self.status.as_str()
                ),
            ));
        }
        self.deleted = true;
        Ok(())
    }

    /// Whether its terms (memo, collection, payment method) can still change: until it is paid,
    /// voided or written off. Metadata can always change.
    pub fn check_editable(&self, param: &str) -> DomainResult<()> {
        if matches!(self.status, InvoiceStatus::Draft | InvoiceStatus::Open) {
            return Ok(());
        }
        Err(DomainError::invalid(
            param,
            format!(
                "This invoice is {}: only its metadata can be updated.",
                self.status.as_str()
            ),
        ))
    }

    /// Carries the customer's `balance` into this invoice, as finalizing does: a credit
    /// (negative) pays for as much of the total as it covers, a debit is added to what is due,
    /// and a negative total becomes credit. Returns the customer's balance afterwards.
    pub fn apply_balance(&mut self, balance: i64) -> i64 {
        self.starting_balance = balance;
        let ending = (self.total() + balance).min(0);
        self.ending_balance = Some(ending);
        ending
    }

    /// [`Invoice::apply_balance`] with `customer`'s balance when it is in this invoice's
    /// currency. A balance in another currency stays where it is (Stripe keeps a credit balance
    /// per currency): this invoice takes none, and leaves none. Returns the customer's balance
    /// afterwards.
    pub fn take_balance(&mut self, customer: &crate::customer::Customer) -> i64 {
        if customer
            .currency
            .as_deref()
            .is_some_and(|c| c != self.currency)
        {
            self.starting_balance = 0;
            self.ending_balance = Some(0);
            return customer.balance;
        }
        self.apply_balance(customer.balance)
    }

    /// When this invoice is next charged by itself: a renewal's draft (or a preview of one) when
    /// its hour is up, as is one finalized by hand before then; an unpaid subscription invoice on
    /// its retry schedule (a first invoice only when it was drafted, as a schedule's is: others
    /// leave their subscription incomplete instead); else never.
    pub fn next_payment_attempt(&self) -> Option<i64> {
        if !self.auto_advance || self.send_invoice {
            return None;
        }
        let retried = match self.billing_reason.as_str() {
            "subscription_cycle" | "subscription_update" => true,
            "subscription_create" => self.automatically_finalizes_at.is_some(),
            _ => false,
        };
        match self.status {
            InvoiceStatus::Draft => self.automatically_finalizes_at,
            InvoiceStatus::Open if self.attempt_count == 0 => self.automatically_finalizes_at,
            InvoiceStatus::Open if retried => {
                crate::subscription::next_retry(self.created, self.attempt_count)
            }
            _ => None,
        }
    }

    /// Whether this invoice was sent for payment and is, at `now`, past its due date.
    pub fn overdue_at(&self, now: i64) -> bool {
        self.send_invoice && self.due_date.is_some_and(|d| d <= now)
    }

    /// Sets how a draft is collected from `collection_method` (`send`: whether `send_invoice`),
    /// `days_until_due` and `due_date` as sent (at `now`): a sent invoice is due on its
    /// `due_date`, or `days_until_due` after it was made ([`DEFAULT_DAYS_UNTIL_DUE`] by
    /// default, or the due date it had); the two days go only with invoices sent, and one of
    /// them at most.
    pub fn set_terms(
        &mut self,
        send: Option<bool>,
        days: Option<i64>,
        due_date: Option<i64>,
        now: i64,
    ) -> DomainResult<()> {
        if !send.unwrap_or(self.send_invoice) {
            if let Some(param) = days
                .map(|_| "days_until_due")
                .or(due_date.map(|_| "due_date"))
            {
                return Err(DomainError::invalid(
                    param,
                    format!(
                        "`{param}` can only be set when `collection_method` is `send_invoice`."
                    ),
                ));
            }
            self.set_collection(None);
            return Ok(());
        }
        let due = match (days, due_date) {
            (Some(_), Some(_)) => {
                return Err(DomainError::invalid(
                    "due_date",
                    "You may only specify one of these parameters: days_until_due, due_date.",
                ))
            }
            (Some(d), None) => self.created + d * 86_400,
            (None, Some(t)) if t < now => {
                return Err(DomainError::invalid(
                    "due_date",
                    "Invalid due_date: it must be in the future.",
                ))
            }
            (None, Some(t)) => t,
            (None, None) => self
                .due_date
                .filter(|_| self.send_invoice)
                .unwrap_or(self.created + DEFAULT_DAYS_UNTIL_DUE * 86_400),
        };
        self.set_collection(Some(due));
        Ok(())
    }

    /// Sends this invoice for payment (`collection_method=send_invoice`), due `due_date`; or,
    /// `None`, has it charged automatically.
    pub fn set_collection(&mut self, due_date: Option<i64>) {
        self.send_invoice = due_date.is_some();
        self.due_date = due_date;
    }

    /// Leaves this draft (a renewal's) to be finalized and charged by itself at `at`; it holds
    /// no balance until then.
    pub fn finalize_later(&mut self, at: i64) {
        self.auto_advance = true;
        self.starting_balance = 0;
        self.ending_balance = None;
        self.automatically_finalizes_at = Some(at);
    }

    /// When a renewal's invoice not charged yet is collected if its automatic collection is
    /// turned back on at `now`: its hour if still ahead, else an hour from `now`. `None` for any
    /// other invoice.
    pub fn collected_again_at(&self, now: i64) -> Option<i64> {
        let waiting = match self.status {
            InvoiceStatus::Draft => true,
            InvoiceStatus::Open => self.attempt_count == 0,
            _ => false,
        };
        if !waiting || !self.auto_advance {
            return None;
        }
        let at = self.automatically_finalizes_at?;
        Some(if at > now {
            at
        } else {
            now + crate::subscription::RENEWAL_DRAFT_SECS
        })
    }

    /// Keeps this draft as a draft (its subscription's collection is paused): not collected
    /// automatically, and holding no balance until it is finalized.
    pub fn hold_as_draft(&mut self) {
        self.auto_advance = false;
        self.starting_balance = 0;
        self.ending_balance = None;
    }

    /// Handles this invoice, made while its subscription's collection is paused, as `behavior`
    /// says instead of charging it: a draft is held (`keep_as_draft`: it was not finalized), an
    /// open invoice written off or voided. Gives what goes back onto the customer's balance.
    pub fn pause_collection(
        &mut self,
        behavior: crate::subscription::PauseBehavior,
        at: i64,
    ) -> DomainResult<i64> {
        use crate::subscription::PauseBehavior;
        match behavior {
            PauseBehavior::KeepAsDraft if self.status == InvoiceStatus::Draft => {
                self.hold_as_draft();
            }
            PauseBehavior::MarkUncollectible if self.status == InvoiceStatus::Open => {
                self.mark_uncollectible(at)?;
            }
            PauseBehavior::Void if self.status == InvoiceStatus::Open => return self.void(at),
            _ => {}
        }
        Ok(0)
    }

    /// Applies a coupon (as discount `discount_id`) to the discountable lines: percentages line
    /// by line, proration credits included (as negative amounts); a fixed amount spread over
    /// the debits in proportion to their amounts, never more than they total less the credits
    /// it reduces. A proration takes it only if made with it ([`Line::proration_discounts`]);
    /// other lines only if it is `in_force` on the invoice (not one that has ended since a
    /// proration was made with it).
    pub fn apply_discount(&mut self, coupon: &Coupon, discount_id: &str, in_force: bool) {
        let applied = discount_lines(&mut self.lines, coupon, discount_id, in_force);
        // A discount no longer in force reduces only the prorations made with it: it is theirs,
        // not the invoice's (which `once` discounts an invoice spends are read from).
        if applied && in_force {
            self.discounts.push(discount_id.to_owned());
        }
    }

    /// Sum of the lines before discounts.
    pub fn subtotal(&self) -> i64 {
        self.lines.iter().map(|l| l.amount).sum()
    }

    /// Discounts per discount, in the order they were applied.
    pub fn total_discount_amounts(&self) -> Vec<DiscountAmount> {
        // The invoice's own discounts first, then those only its prorations carry.
        let mut ids: Vec<&String> = self.discounts.iter().collect();
        for a in self.lines.iter().flat_map(|l| &l.discount_amounts) {
            if !ids.contains(&&a.discount) {
                ids.push(&a.discount);
            }
        }
        ids.into_iter()
            .map(|d| DiscountAmount {
                amount: self
                    .lines
                    .iter()
                    .flat_map(|l| &l.discount_amounts)
                    .filter(|a| &a.discount == d)
                    .map(|a| a.amount)
                    .sum(),
                discount: d.clone(),
            })
            .collect()
    }

    /// The total after discounts.
    pub fn total(&self) -> i64 {
        self.subtotal()
            - self
                .total_discount_amounts()
                .iter()
                .map(|d| d.amount)
                .sum::<i64>()
    }

    /// This invoice as it stood once finalized, before anything happened to its payment:
    /// open, nothing paid or tried (what `invoice.finalized` shows of an invoice finalized and
    /// then paid, tried, voided or written off in the same step). `None` when nothing happened
    /// after it was finalized (an invoice with nothing to pay is paid by finalizing it).
    pub fn before_payment(&self) -> Option<Invoice> {
        let t = &self.status_transitions;
        let moved = self.amount_paid != 0
            || self.attempt_count != 0
            || self.attempted
            || t.voided_at.is_some()
            || t.marked_uncollectible_at.is_some();
        if self.status == InvoiceStatus::Draft || t.finalized_at.is_none() || !moved {
            return None;
        }
        let mut inv = self.clone();
        inv.status = InvoiceStatus::Open;
        inv.amount_paid = 0;
        inv.paid_off_stripe = 0;
        inv.attempt_count = 0;
        inv.tries = 0;
        inv.attempted = false;
        inv.last_payment_error = None;
        inv.pending_authentication = None;
        inv.status_transitions.paid_at = None;
        inv.status_transitions.voided_at = None;
        inv.status_transitions.marked_uncollectible_at = None;
        Some(inv)
    }

    /// This invoice as it was drafted, before it was finalized (what `invoice.created` shows of
    /// an invoice finalized in the step that made it): no number, nothing paid, no ending
    /// balance yet. Its starting balance stays: a draft shows the customer's balance as it is
    /// (the one its finalizing then took), and its amount due with it, as Stripe's drafts do.
    pub fn as_drafted(&self) -> Invoice {
        let mut inv = self.before_payment().unwrap_or_else(|| self.clone());
        inv.status = InvoiceStatus::Draft;
        inv.number = None;
        inv.status_transitions = StatusTransitions::default();
        inv.ending_balance = None;
        inv
    }

    /// What the customer owes: the total with the customer's starting balance applied, never
    /// negative (what is left of a credit stays on their balance).
    pub fn amount_due(&self) -> i64 {
        (self.total() + self.starting_balance).max(0)
    }

    /// What is still to pay.
    pub fn amount_remaining(&self) -> i64 {
        if matches!(self.status, InvoiceStatus::Void) {
            0
        } else {
            (self.amount_due() - self.amount_paid).max(0)
        }
    }

    /// Finalizes a draft: numbers it (`PREFIX-0001`) and, when nothing is due, marks it paid.
    pub fn finalize(&mut self, number: String, now: i64) -> DomainResult<()> {
        if self.status != InvoiceStatus::Draft {
            return Err(DomainError::state(
                None,
                format!(
                    "This invoice is already finalized; its status is {}.",
                    self.status.as_str()
                ),
            ));
        }
        self.status = InvoiceStatus::Open;
        self.number = Some(number);
        self.status_transitions.finalized_at = Some(now);
        if self.amount_due() == 0 {
            self.mark_paid(now);
        }
        Ok(())
    }

    fn mark_paid(&mut self, now: i64) {
        self.status = InvoiceStatus::Paid;
        self.amount_paid = self.amount_due();
        self.status_transitions.paid_at = Some(now);
        self.last_payment_error = None;
        self.pending_authentication = None;
    }

    /// [`Invoice::attempt_payment`] asked for by hand (the API's pay, the hosted pages): only
    /// the first attempt and automatic retries count in `attempt_count` (so in the retry
    /// schedule); a later one is counted in `tries` alone.
    pub fn attempt_payment_by_hand(
        &mut self,
        pm: Option<&PaymentMethod>,
        off_session: bool,
        authenticated: bool,
        now: i64,
        token: impl FnOnce() -> String,
    ) -> DomainResult<PaymentOutcome> {
        let counted = self.attempt_count;
        let outcome = self.attempt_payment(pm, off_session, authenticated, now, token)?;
        if counted > 0 {
            self.attempt_count = counted;
        }
        Ok(outcome)
    }

    /// One more try to pay, counted in `tries` (invoices stored before `tries` was kept count
    /// on from their attempt_count).
    fn count_try(&mut self) {
        self.tries = self.tries.max(self.attempt_count) + 1;
    }

    /// The customer failed the 3-D Secure check of the payment waiting on it (with `pm`): the
    /// invoice stays as it was, the failure recorded (and announced, as a failed payment).
    pub fn authentication_failed(&mut self, pm: &str) {
        self.pending_authentication = None;
        self.count_try();
        self.last_payment_error = Some(PaymentError {
            code: "payment_intent_authentication_failure".into(),
            decline_code: None,
            message: "The latest attempt to pay this invoice failed because authentication failed."
                .into(),
            payment_method: Some(pm.to_owned()),
        });
    }

    /// Tries to collect the amount due with `pm`. `off_session`: no customer is present;
    /// `authenticated`: the customer just completed 3-D Secure for this payment.
    pub fn attempt_payment(
        &mut self,
        pm: Option<&PaymentMethod>,
        off_session: bool,
        authenticated: bool,
        now: i64,
        token: impl FnOnce() -> String,
    ) -> DomainResult<PaymentOutcome> {
        self.check_payable()?;
        self.attempted = true;
        self.count_try();
        self.attempt_count += 1;
        let Some(pm) = pm else {
            let e = CardError {
                code: "payment_method_missing",
                decline_code: None,
                message:
                    "The customer has no default payment method, so this invoice could not be paid.",
                param: None,
            };
            self.last_payment_error = Some(PaymentError {
                code: e.code.into(),
                decline_code: None,
                message: e.message.into(),
                payment_method: None,
            });
            return Ok(PaymentOutcome::Declined(e));
        };
        Ok(match simulate_charge(pm, off_session, authenticated) {
            Outcome::Succeeded => {
                self.mark_paid(now);
                PaymentOutcome::Paid
            }
            Outcome::Declined(d) => {
                self.last_payment_error = Some(PaymentError {
                    code: d.code.into(),
                    decline_code: d.decline_code.map(Into::into),
                    message: d.message.into(),
                    payment_method: Some(pm.id.clone()),
                });
                self.pending_authentication = None;
                PaymentOutcome::Declined(d)
            }
            Outcome::RequiresAction => {
                self.pending_authentication = Some((pm.id.clone(), token()));
                self.last_payment_error = Some(PaymentError {
                    code: "authentication_required".into(),
                    decline_code: Some("authentication_required".into()),
                    message: "This payment requires authentication by the customer (3-D Secure)."
                        .into(),
                    payment_method: Some(pm.id.clone()),
                });
                PaymentOutcome::RequiresAction
            }
        })
    }

    /// Marks an open or uncollectible invoice paid outside Portico (`paid_out_of_band`): what
    /// was left to pay counts as paid, with no charge and no attempt. Final, as any payment.
    pub fn pay_out_of_band(&mut self, now: i64) -> DomainResult<()> {
        self.check_payable()?;
        self.paid_off_stripe += self.amount_remaining();
        self.mark_paid(now);
        Ok(())
    }

    /// Refuses a payment of an invoice that is not open or uncollectible.
    fn check_payable(&self) -> DomainResult<()> {
        if self.is_collectable() {
            return Ok(());
        }
        Err(DomainError::state(
            None,
            format!(
                "You cannot pay this invoice because its status is {}.",
                self.status.as_str()
            ),
        ))
    }

    /// Open, or written off as uncollectible: it can still be paid or voided.
    pub fn is_collectable(&self) -> bool {
        matches!(
            self.status,
            InvoiceStatus::Open | InvoiceStatus::Uncollectible
        )
    }

    /// Writes off an open invoice: it stops being collected automatically, but can still be
    /// paid or voided.
    pub fn mark_uncollectible(&mut self, now: i64) -> DomainResult<()> {
        if self.status != InvoiceStatus::Open {
            return Err(DomainError::state(
                None,
                format!(
                    "You can only mark an open invoice as uncollectible; this one is {}.",
                    self.status.as_str()
                ),
            ));
        }
        self.status = InvoiceStatus::Uncollectible;
        self.status_transitions.marked_uncollectible_at = Some(now);
        self.auto_advance = false;
        self.pending_authentication = None;
        Ok(())
    }

    /// Voids an open or uncollectible invoice; returns what goes back onto the customer's
    /// balance (the credit it had taken from it, as a negative amount).
    pub fn void(&mut self, now: i64) -> DomainResult<i64> {
        if !self.is_collectable() {
            return Err(DomainError::state(
                None,
                format!(
                    "You can only void an open or uncollectible invoice; this one is {}.",
                    self.status.as_str()
                ),
            ));
        }
        self.status = InvoiceStatus::Void;
        self.status_transitions.voided_at = Some(now);
        self.pending_authentication = None;
        Ok(-self.balance_taken())
    }

    /// What finalizing it did to its customer's balance (the credit it used is a positive
    /// amount, a debit it took or a negative total it left as credit a negative one); a void
    /// undoes it.
    pub fn balance_taken(&self) -> i64 {
        self.ending_balance
            .map_or(0, |ending| ending - self.starting_balance)
    }
}

/// [`Invoice::apply_discount`] on `lines`: whether the invoice counts the discount as its own
/// (not when no line it applies to has an amount, or a fixed amount comes to nothing).
pub fn discount_lines(
    lines: &mut [Line],
    coupon: &Coupon,
    discount_id: &str,
    in_force: bool,
) -> bool {
    let applies = |l: &Line| {
        l.discountable
            && coupon.applies_to_product(&l.product)
            && match &l.proration_discounts {
                Some(ds) => ds.iter().any(|d| d == discount_id),
                None => in_force,
            }
    };
    let net = |l: &Line| l.amount - l.discount_amounts.iter().map(|d| d.amount).sum::<i64>();
    let debits: Vec<usize> = (0..lines.len())
        .filter(|&i| lines[i].amount > 0 && applies(&lines[i]))
        .collect();
    // Proration credits the discount reduces: the customer is given back the discounted
    // price of the unused time, not more than was paid for it.
    let credits: Vec<usize> = (0..lines.len())
        .filter(|&i| lines[i].amount < 0 && applies(&lines[i]))
        .collect();
    let base: i64 = debits.iter().map(|&i| net(&lines[i])).sum();
    let credited: i64 = credits.iter().map(|&i| net(&lines[i])).sum();
    let mut offs: Vec<(usize, i64)> = Vec::new();
    if let Some(pct) = coupon.percent_off {
        for &i in &debits {
            offs.push((i, coupon.discount_on(net(&lines[i]))));
        }
        for &i in &credits {
            offs.push((i, -coupon.discount_on(-net(&lines[i]))));
        }
        // Rounded line by line, the discounts of a bill its credits nearly cancel can come to
        // a unit or two more than the bill, or less than nothing: the difference is made up on
        // the lines rounded furthest that way (a debit's discount rounded up, or a credit's
        // away from zero), so that a discount never turns a bill into a credit nor raises it.
        let bill = base + credited;
        let over = |(i, off): &(usize, i64)| *off as f64 - net(&lines[*i]) as f64 * pct / 100.0;
        let given = |offs: &[(usize, i64)]| offs.iter().map(|(_, off)| off).sum::<i64>();
        while bill >= 0 && (given(&offs) > bill || given(&offs) < 0) {
            let (too_much, step) = if given(&offs) > bill {
                (true, -1)
            } else {
                (false, 1)
            };
            let candidates = offs
                .iter_mut()
                .filter(|(_, off)| if too_much { *off > 0 } else { *off < 0 });
            let most = if too_much {
                candidates.max_by(|a, b| over(a).total_cmp(&over(b)))
            } else {
                candidates.min_by(|a, b| over(a).total_cmp(&over(b)))
            };
            let Some(most) = most else { break };
            most.1 += step;
        }
    } else if base > 0 {
        // A fixed amount falls on the debits, in proportion, and takes off no more than
        // they come to after the credits it reduces: nothing, when they outweigh them.
        let total_off = coupon.discount_on(base + credited);
        if total_off == 0 {
            return false;
        }
        let mut given = 0;
        for (k, &i) in debits.iter().enumerate() {
            let line_net = net(&lines[i]);
            let off = if k + 1 == debits.len() {
                // The last line takes the rounding remainder, so the parts add up.
                total_off - given
            } else {
                ((i128::from(total_off) * i128::from(line_net)) / i128::from(base)) as i64
            }
            .min(line_net);
            given += off;
            offs.push((i, off));
        }
    }
    if base <= 0 && credits.is_empty() {
        return false;
    }
    for (i, off) in offs {
        if off != 0 {
            lines[i].discount_amounts.push(DiscountAmount {
                amount: off,
                discount: discount_id.to_owned(),
            });
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::card::{check_card, test_card_by_number};
    use crate::coupon::{CouponCreate, Duration};
    use crate::customer::{Customer, CustomerParams};
    use crate::id::SequentialIds;
    use crate::payment_method::PaymentMethodCreate;
    use crate::Currency;

    fn line(amount: i64, product: &str) -> Line {
        Line {
            id: format!("il_{amount}"),
            amount,
            description: "x".into(),
            period_start: 0,
            period_end: 10,
            quantity: 1,
            price: "price_1".into(),
            product: product.into(),
            proration: false,
            subscription_item: None,
            discount_amounts: Vec::new(),
            invoice_item: None,
            subscription: None,
            discountable: true,
            metadata: Metadata::default(),
            proration_discounts: None,
            tier: None,
            credited: None,
        }
    }

    fn setup(lines: Vec<Line>) -> (Invoice, SequentialIds) {
        let mut ids = SequentialIds::default();
        let mut ctx = Ctx {
            now: 100,
            livemode: false,
            ids: &mut ids,
        };
        let c = Customer::create(CustomerParams::default(), &mut ctx).unwrap();
        let inv = Invoice::draft(
            &c,
            Some("sub_1"),
            "subscription_create",
            "usd",
            (100, 200),
            lines,
            &mut ctx,
        );
        (inv, ids)
    }

    #[test]
    fn the_customer_balance_is_carried_into_the_invoice() {
        // (total, balance before) → (amount due, balance after)
        for (total, balance, due, after) in [
            (1500, -1000, 500, 0),  // a credit pays part of it
            (1500, -2000, 0, -500), // a credit covers it, the rest stays
            (1500, 300, 1800, 0),   // a debit is collected with it
            (-500, 0, 0, -500),     // a negative total becomes credit
            (-500, -200, 0, -700),  // and adds to credit already there
            (-500, 800, 300, 0),    // or pays part of a debit
            (0, 0, 0, 0),
        ] {
            let (mut inv, _) = setup(vec![line(total, "prod_a")]);
            assert_eq!(inv.apply_balance(balance), after, "{total} with {balance}");
            assert_eq!(inv.amount_due(), due, "{total} with {balance}");
            assert_eq!(
                (inv.starting_balance, inv.ending_balance),
                (balance, Some(after))
            );
            inv.finalize("X-0001".into(), 150).unwrap();
            assert_eq!(inv.status == InvoiceStatus::Paid, due == 0);
            if due > 0 {
                // Voiding gives back the credit the invoice took, nothing more.
                assert_eq!(inv.void(160).unwrap(), balance - after);
            }
        }
    }

    #[test]
    fn sent_terms_take_a_due_date_or_days_and_only_when_sent() {
        const D: i64 = 86_400;
        let (mut inv, _) = setup(vec![line(1500, "prod_a")]);
        // Made at 100; sent without terms: Stripe's 30 days.
        inv.set_terms(Some(true), None, None, 100).unwrap();
        assert!(inv.send_invoice);
        assert_eq!(inv.due_date, Some(100 + 30 * D));
        assert_eq!(inv.next_payment_attempt(), None, "never charged by itself");
        // Days count from when it was made, not from when the terms change.
        inv.set_terms(None, Some(7), None, 5_000).unwrap();
        assert_eq!(inv.due_date, Some(100 + 7 * D));
        inv.set_terms(None, None, Some(9 * D), 5_000).unwrap();
        assert_eq!(inv.due_date, Some(9 * D));
        // Sent again with nothing more said: the due date stays.
        inv.set_terms(Some(true), None, None, 5_000).unwrap();
        assert_eq!(inv.due_date, Some(9 * D));
        let param = |r: DomainResult<()>| match r {
            Err(DomainError::Invalid { param, .. }) => param.unwrap_or_default(),
            other => panic!("{other:?}"),
        };
        let mut i2 = inv.clone();
        assert_eq!(
            param(i2.set_terms(None, Some(1), Some(9 * D), 0)),
            "due_date"
        );
        assert_eq!(
            param(i2.set_terms(None, None, Some(50), 100)),
            "due_date",
            "in the past"
        );
        assert_eq!(
            param(i2.set_terms(Some(false), Some(3), None, 0)),
            "days_until_due"
        );
        assert_eq!(
            param(i2.set_terms(Some(false), None, Some(9 * D), 0)),
            "due_date"
        );
        assert_eq!(i2, inv, "refused terms change nothing");
        // Charged automatically: no due date.
        inv.set_terms(Some(false), None, None, 0).unwrap();
        assert!(!inv.send_invoice && inv.due_date.is_none());
        let (mut charged, _) = setup(vec![line(1500, "prod_a")]);
        assert_eq!(
            param(charged.set_terms(None, Some(3), None, 0)),
            "days_until_due"
        );
        assert!(!charged.overdue_at(i64::MAX));
        charged.set_terms(Some(true), Some(1), None, 0).unwrap();
        assert!(!charged.overdue_at(100 + D - 1) && charged.overdue_at(100 + D));
    }

    #[test]
    fn paid_out_of_band_settles_what_is_left_without_an_attempt() {
        let (mut inv, _) = setup(vec![line(1500, "prod_a")]);
        assert!(
            inv.pay_out_of_band(120).is_err(),
            "a draft is finalized first"
        );
        inv.finalize("X-0001".into(), 150).unwrap();
        inv.pay_out_of_band(160).unwrap();
        assert_eq!(inv.status, InvoiceStatus::Paid);
        assert_eq!(
            (inv.amount_paid, inv.paid_off_stripe, inv.amount_remaining()),
            (1500, 1500, 0)
        );
        assert_eq!((inv.attempted, inv.attempt_count), (false, 0));
        assert_eq!(inv.status_transitions.paid_at, Some(160));
        assert!(inv.pay_out_of_band(170).is_err(), "paid is final");
        // What `invoice.finalized` shows of it: open, nothing paid, inside Stripe or out.
        let finalized = inv.before_payment().unwrap();
        assert_eq!(
            (
                finalized.status,
                finalized.amount_paid,
                finalized.paid_off_stripe
            ),
            (InvoiceStatus::Open, 0, 0)
        );
        let (mut void, _) = setup(vec![line(1500, "prod_a")]);
        void.finalize("X-0002".into(), 150).unwrap();
        void.void(155).unwrap();
        assert!(void.pay_out_of_band(160).is_err());
    }

    #[test]
    fn a_held_draft_is_edited_or_deleted_only_while_a_draft() {
        let (mut inv, _) = setup(vec![line(1500, "prod_a")]);
        inv.apply_balance(-200);
        inv.hold_as_draft();
        assert_eq!(
            (inv.auto_advance, inv.starting_balance, inv.ending_balance),
            (false, 0, None),
            "a held draft takes no balance"
        );
        assert!(inv.check_editable("description").is_ok());
        inv.finalize("X-0001".into(), 150).unwrap();
        assert!(inv.check_editable("description").is_ok(), "open");
        assert!(inv.delete().is_err(), "finalized invoices stay on record");
        inv.void(160).unwrap();
        let e = inv.check_editable("auto_advance").unwrap_err();
        assert!(e.to_string().contains("only its metadata"), "{e}");
        let (mut draft, _) = setup(vec![line(1500, "prod_a")]);
        assert!(
            draft.delete().is_err(),
            "a subscription's own draft stays on record"
        );
        draft.billing_reason = "manual".into();
        draft.delete().unwrap();
        assert!(draft.deleted);
    }

    #[test]
    fn paused_collection_holds_writes_off_or_voids() {
        use crate::subscription::PauseBehavior;
        let (mut draft, _) = setup(vec![line(1500, "prod_a")]);
        draft.apply_balance(-200);
        assert_eq!(
            draft
                .pause_collection(PauseBehavior::KeepAsDraft, 150)
                .unwrap(),
            0
        );
        assert_eq!(
            (draft.status, draft.auto_advance),
            (InvoiceStatus::Draft, false)
        );
        let (mut open, _) = setup(vec![line(1500, "prod_a")]);
        open.finalize("X-0001".into(), 150).unwrap();
        assert_eq!(
            open.pause_collection(PauseBehavior::MarkUncollectible, 160)
                .unwrap(),
            0
        );
        assert_eq!(open.status, InvoiceStatus::Uncollectible);
        let (mut credited, _) = setup(vec![line(1500, "prod_a")]);
        credited.apply_balance(-200);
        credited.finalize("X-0002".into(), 150).unwrap();
        assert_eq!(
            credited.pause_collection(PauseBehavior::Void, 160).unwrap(),
            -200,
            "the credit it took goes back"
        );
        assert_eq!(credited.status, InvoiceStatus::Void);
        // Nothing due: finalizing paid it, and a paid invoice is left as it is.
        let (mut free, _) = setup(vec![line(0, "prod_a")]);
        free.finalize("X-0003".into(), 150).unwrap();
        free.pause_collection(PauseBehavior::Void, 160).unwrap();
        assert_eq!(free.status, InvoiceStatus::Paid);
    }

    fn coupon(ids: &mut SequentialIds, p: CouponCreate) -> Coupon {
        let mut ctx = Ctx {
            now: 100,
            livemode: false,
            ids,
        };
        Coupon::create(p, &mut ctx).unwrap()
    }

    #[test]
    fn totals_with_percent_and_amount_discounts() {
        let (mut inv, mut ids) = setup(vec![line(1000, "prod_a"), line(500, "prod_b")]);
        let pct = coupon(
            &mut ids,
            CouponCreate {
                percent_off: Some(10.0),
                duration: Some(Duration::Forever),
                ..Default::default()
            },
        );
        inv.apply_discount(&pct, "di_1", true);
        assert_eq!((inv.subtotal(), inv.total()), (1500, 1350));
        let amt = coupon(
            &mut ids,
            CouponCreate {
                amount_off: Some(301),
                currency: Currency::parse("usd"),
                ..Default::default()
            },
        );
        inv.apply_discount(&amt, "di_2", true);
        assert_eq!(inv.total(), 1350 - 301);
        let totals = inv.total_discount_amounts();
        assert_eq!(
            totals.iter().map(|d| d.amount).collect::<Vec<_>>(),
            vec![150, 301]
        );
        // Line shares add up to the coupon.
        let shares: i64 = inv
            .lines
            .iter()
            .flat_map(|l| &l.discount_amounts)
            .filter(|d| d.discount == "di_2")
            .map(|d| d.amount)
            .sum();
        assert_eq!(shares, 301);
    }

    #[test]
    fn discounts_respect_applies_to_and_never_exceed_the_lines() {
        let (mut inv, mut ids) = setup(vec![line(1000, "prod_a"), line(500, "prod_b")]);
        let only_b = coupon(
            &mut ids,
            CouponCreate {
                percent_off: Some(50.0),
                applies_to: Some(vec!["prod_b".into()]),
                ..Default::default()
            },
        );
        inv.apply_discount(&only_b, "di_1", true);
        assert_eq!(inv.total(), 1250);
        let huge = coupon(
            &mut ids,
            CouponCreate {
                amount_off: Some(99_999),
                currency: Currency::parse("usd"),
                ..Default::default()
            },
        );
        inv.apply_discount(&huge, "di_2", true);
        assert_eq!(inv.total(), 0);
        assert_eq!(inv.amount_due(), 0);
    }

    #[test]
    fn a_percentage_rounded_line_by_line_keeps_a_nearly_cancelled_bill_within_itself() {
        // Debits and credits that sum to nothing: rounding each line's share to the nearest
        // unit would leave a total of -1 at 31% and +1 at 68%.
        let amounts = [7083, 19206, -13695, 15550, -2523, -25621];
        for pct in [31.0, 68.0] {
            let (mut inv, mut ids) = setup(amounts.iter().map(|&a| line(a, "prod_a")).collect());
            let c = percent(&mut ids, pct);
            inv.apply_discount(&c, "di_1", true);
            assert_eq!(inv.total(), 0, "at {pct}%");
        }
    }

    #[test]
    fn a_lone_proration_takes_only_the_discounts_it_was_made_with() {
        let mut ids = SequentialIds::default();
        let half = percent(&mut ids, 50.0);
        let ten = amount_off(&mut ids, 1000);
        let tagged = |amount: i64, tags: &[&str]| Line {
            proration: true,
            proration_discounts: Some(tags.iter().map(|t| t.to_string()).collect()),
            ..line(amount, "prod_a")
        };
        // A credit: a percentage reduces it (a negative amount), a fixed amount has no debit
        // to fall on.
        let mut credit = [tagged(-1501, &["di_half", "di_ten"])];
        assert!(discount_lines(&mut credit, &half, "di_half", false));
        discount_lines(&mut credit, &ten, "di_ten", false);
        assert_eq!(credit[0].discount_amounts.len(), 1);
        assert_eq!(credit[0].discount_amounts[0].amount, -751);
        // A debit: the percentage, then the fixed amount on what is left, never more.
        let mut debit = [tagged(1500, &["di_half", "di_ten"])];
        discount_lines(&mut debit, &half, "di_half", false);
        discount_lines(&mut debit, &ten, "di_ten", false);
        let amounts: Vec<i64> = debit[0].discount_amounts.iter().map(|d| d.amount).collect();
        assert_eq!(amounts, vec![750, 750]);
        // A discount it was not made with does not apply, in force or not.
        let mut other = [tagged(1500, &["di_other"])];
        assert!(!discount_lines(&mut other, &half, "di_half", true));
        assert!(other[0].discount_amounts.is_empty());
    }

    fn percent(ids: &mut SequentialIds, pct: f64) -> Coupon {
        coupon(
            ids,
            CouponCreate {
                percent_off: Some(pct),
                duration: Some(Duration::Forever),
                ..Default::default()
            },
        )
    }

    fn amount_off(ids: &mut SequentialIds, amount: i64) -> Coupon {
        coupon(
            ids,
            CouponCreate {
                amount_off: Some(amount),
                currency: Currency::parse("usd"),
                ..Default::default()
            },
        )
    }

    fn offs(inv: &Invoice) -> Vec<Vec<i64>> {
        inv.lines
            .iter()
            .map(|l| l.discount_amounts.iter().map(|d| d.amount).collect())
            .collect()
    }

    #[test]
    fn percentages_reduce_proration_credits_too() {
        // $10 → $30 half way through: $5 unused back, $15 remaining due, 20% off both.
        let (mut inv, mut ids) = setup(vec![line(-500, "prod_a"), line(1500, "prod_a")]);
        let c = percent(&mut ids, 20.0);
        inv.apply_discount(&c, "di_1", true);
        assert_eq!(offs(&inv), vec![vec![-100], vec![300]]);
        assert_eq!((inv.subtotal(), inv.total()), (1000, 800));
        assert_eq!(inv.total_discount_amounts()[0].amount, 200);
        // A credit made in flexible mode names the discounts it was paid with: another passes
        // it over.
        let mut credit = line(-500, "prod_a");
        credit.proration_discounts = Some(vec!["di_old".into()]);
        let (mut inv, mut ids) = setup(vec![credit, line(1500, "prod_a")]);
        let c = percent(&mut ids, 20.0);
        inv.apply_discount(&c, "di_new", true);
        inv.apply_discount(&c, "di_old", true);
        assert_eq!(offs(&inv), vec![vec![-100], vec![300, 240]]);
        // A credit alone (a downgrade invoiced at once) is reduced all the same.
        let (mut inv, mut ids) = setup(vec![line(-333, "prod_a")]);
        let c = percent(&mut ids, 50.0);
        inv.apply_discount(&c, "di_1", true);
        assert_eq!((inv.total(), inv.discounts.len()), (-166, 1));
    }

    #[test]
    fn prorations_take_the_discounts_they_were_made_with() {
        let made_with = |amount, ds: &[&str]| {
            let mut l = line(amount, "prod_a");
            l.proration_discounts = Some(ds.iter().map(|d| d.to_string()).collect());
            l
        };
        // Made under di_old (ended since), before di_new; the renewal line takes only di_new.
        let lines = vec![
            made_with(-500, &["di_old"]),
            made_with(1500, &["di_old"]),
            line(3000, "prod_a"),
        ];
        let (mut inv, mut ids) = setup(lines);
        let c = percent(&mut ids, 20.0);
        inv.apply_discount(&c, "di_new", true);
        inv.apply_discount(&c, "di_old", false);
        assert_eq!(offs(&inv), vec![vec![-100], vec![300], vec![600]]);
        assert_eq!(inv.total(), -400 + 1200 + 2400);
        // di_old is the prorations', not the invoice's; the totals count both.
        assert_eq!(inv.discounts, vec!["di_new".to_owned()]);
        assert_eq!(
            inv.total_discount_amounts()
                .iter()
                .map(|d| (d.discount.as_str(), d.amount))
                .collect::<Vec<_>>(),
            vec![("di_new", 600), ("di_old", 200)]
        );
        // A discount no longer in force that no line was made with takes nothing, and is not
        // listed on the invoice.
        let (mut inv, mut ids) = setup(vec![line(3000, "prod_a")]);
        let c = percent(&mut ids, 20.0);
        inv.apply_discount(&c, "di_gone", false);
        assert!(inv.discounts.is_empty() && inv.total() == 3000);
    }

    #[test]
    fn a_fixed_amount_never_takes_more_than_the_lines_come_to_after_credits() {
        let (mut inv, mut ids) = setup(vec![line(-500, "prod_a"), line(1500, "prod_a")]);
        let c = amount_off(&mut ids, 99_999);
        inv.apply_discount(&c, "di_1", true);
        assert_eq!(offs(&inv), vec![vec![], vec![1000]]);
        assert_eq!(inv.total(), 0, "a coupon makes no money for the customer");
        // A credit the discount does not reduce stays owed to the customer.
        let mut credit = line(-500, "prod_a");
        credit.proration_discounts = Some(Vec::new());
        let (mut inv, mut ids) = setup(vec![credit, line(1500, "prod_a")]);
        let c = amount_off(&mut ids, 99_999);
        inv.apply_discount(&c, "di_1", true);
        assert_eq!(inv.total(), -500);
        // Credits that outweigh the debits leave nothing to take off: no discount at all.
        let (mut inv, mut ids) = setup(vec![line(-1500, "prod_a"), line(500, "prod_a")]);
        let c = amount_off(&mut ids, 300);
        inv.apply_discount(&c, "di_1", true);
        assert!(inv.discounts.is_empty() && inv.total_discount_amounts().is_empty());
        assert_eq!(inv.total(), -1000);
        // Within bounds, the amount is taken whole.
        let (mut inv, mut ids) = setup(vec![line(-500, "prod_a"), line(1500, "prod_a")]);
        let c = amount_off(&mut ids, 300);
        inv.apply_discount(&c, "di_1", true);
        assert_eq!(inv.total(), 700);
    }

    proptest::proptest! {
        #[test]
        fn discounts_stay_within_each_line_and_never_turn_a_bill_into_a_credit(
            amounts in proptest::collection::vec(-50_000i64..50_000, 1..8),
            pct in 1u32..=100,
            fixed in 1i64..100_000,
            use_percent in proptest::bool::ANY,
        ) {
            let lines: Vec<Line> = amounts.iter().map(|&a| line(a, "prod_a")).collect();
            let subtotal: i64 = amounts.iter().sum();
            let (mut inv, mut ids) = setup(lines);
            let c = if use_percent {
                percent(&mut ids, f64::from(pct))
            } else {
                amount_off(&mut ids, fixed)
            };
            inv.apply_discount(&c, "di_1", true);
            for l in &inv.lines {
                let off: i64 = l.discount_amounts.iter().map(|d| d.amount).sum();
                // Same sign as the line, and no larger.
                proptest::prop_assert!(off * l.amount >= 0 && off.abs() <= l.amount.abs());
            }
            if subtotal >= 0 {
                // A discount lowers a bill, and never below nothing.
                proptest::prop_assert!((0..=subtotal).contains(&inv.total()));
            }
            if use_percent {
                // Each line keeps the rest of its percentage: rounded to the nearest unit, or
                // (a bill its credits nearly cancel) down from it, never by a whole unit.
                for l in &inv.lines {
                    let off: i64 = l.discount_amounts.iter().map(|d| d.amount).sum();
                    let exact = l.amount as f64 * f64::from(pct) / 100.0;
                    proptest::prop_assert!((off as f64 - exact).abs() < 1.0);
                }
            }
        }
    }

    #[test]
    fn lines_that_are_not_discountable_keep_their_amount() {
        let mut fee = line(5000, "prod_a");
        fee.discountable = false;
        let (mut inv, mut ids) = setup(vec![fee, line(1000, "prod_a")]);
        let amount = coupon(
            &mut ids,
            CouponCreate {
                amount_off: Some(2000),
                currency: Currency::parse("usd"),
                ..Default::default()
            },
        );
        // The fixed amount falls on the one discountable line, and no further than it goes.
        inv.apply_discount(&amount, "di_1", true);
        assert!(inv.lines[0].discount_amounts.is_empty());
        assert_eq!(inv.lines[1].discount_amounts[0].amount, 1000);
        assert_eq!(inv.total(), 5000);
    }

    #[test]
    fn lifecycle_and_payments() {
        let (mut inv, mut ids) = setup(vec![line(1000, "prod_a")]);
        assert!(
            inv.attempt_payment(None, true, false, 101, || "t".into())
                .is_err(),
            "drafts are not paid"
        );
        inv.finalize("ABC-0001".into(), 101).unwrap();
        assert_eq!(
            (inv.status, inv.number.as_deref()),
            (InvoiceStatus::Open, Some("ABC-0001"))
        );
        assert!(inv.finalize("x".into(), 101).is_err());
        let mut ctx = Ctx {
            now: 100,
            livemode: false,
            ids: &mut ids,
        };
        let pm = |n: &str, ctx: &mut Ctx<'_>| {
            let c = check_card(n, 12, 2030, None, (2026, 1)).unwrap();
            PaymentMethod::from_card(
                &c,
                test_card_by_number(n),
                b"k",
                PaymentMethodCreate::default(),
                ctx,
            )
            .unwrap()
        };
        let declined = pm("4000000000000341", &mut ctx);
        let three_ds = pm("4000002760003184", &mut ctx);
        let visa = pm("4242424242424242", &mut ctx);
        assert!(matches!(
            inv.attempt_payment(Some(&declined), true, false, 102, || "t".into())
                .unwrap(),
            PaymentOutcome::Declined(_)
        ));
        assert_eq!(
            (inv.status, inv.attempt_count, inv.amount_remaining()),
            (InvoiceStatus::Open, 1, 1000)
        );
        assert_eq!(
            inv.attempt_payment(Some(&three_ds), false, false, 103, || "tok".into())
                .unwrap(),
            PaymentOutcome::RequiresAction
        );
        assert_eq!(
            inv.pending_authentication.as_ref().map(|p| p.1.as_str()),
            Some("tok")
        );
        assert_eq!(
            inv.attempt_payment(Some(&three_ds), false, true, 104, || "t".into())
                .unwrap(),
            PaymentOutcome::Paid
        );
        assert_eq!(
            (inv.status, inv.amount_paid, inv.amount_remaining()),
            (InvoiceStatus::Paid, 1000, 0)
        );
        assert!(inv
            .attempt_payment(Some(&visa), true, false, 105, || "t".into())
            .is_err());
        assert!(inv.void(106).is_err(), "paid invoices cannot be voided");
    }

    #[test]
    fn only_drafted_first_invoices_are_retried() {
        let (mut first, _) = setup(vec![line(1000, "prod_a")]);
        first.finalize("ABC-0001".into(), 101).unwrap();
        first.attempt_count = 1;
        assert_eq!(
            first.next_payment_attempt(),
            None,
            "a first invoice charged at creation leaves its subscription incomplete instead"
        );
        // A schedule's first invoice, drafted for an hour, goes on the retry schedule.
        let (mut drafted, _) = setup(vec![line(1000, "prod_a")]);
        drafted.finalize_later(100 + 3600);
        assert_eq!(drafted.next_payment_attempt(), Some(3700));
        drafted.finalize("ABC-0002".into(), 3700).unwrap();
        drafted.attempt_count = 1;
        assert_eq!(drafted.next_payment_attempt(), Some(100 + 3 * 86_400));
    }

    #[test]
    fn zero_invoices_are_paid_on_finalization_and_open_ones_void() {
        let (mut free, _) = setup(vec![line(0, "prod_a")]);
        free.finalize("A-1".into(), 5).unwrap();
        assert_eq!(free.status, InvoiceStatus::Paid);
        let (mut open, _) = setup(vec![line(10, "prod_a")]);
        open.finalize("A-2".into(), 5).unwrap();
        open.void(6).unwrap();
        assert_eq!(
            (open.status, open.amount_remaining()),
            (InvoiceStatus::Void, 0)
        );
    }
}

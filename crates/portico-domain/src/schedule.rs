//! Subscription schedules: planned changes to a subscription, phase by phase — enough for
//! "change at the end of the period": a current phase with today's items and a next phase with
//! the new ones, applied when the period ends. At the end of the last phase the schedule
//! releases the subscription (it goes on as it is) or cancels it (`end_behavior`).

use crate::billing_cycle::period_end;
use crate::error::{DomainError, DomainResult};
use crate::id::ID_LEN;
use crate::metadata::{Metadata, MetadataUpdate};
use crate::price::Price;
use crate::subscription::{Item, Subscription, SubscriptionStatus};
use crate::Ctx;
use serde::{Deserialize, Serialize};

/// One price and quantity in a phase.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PhaseItem {
    pub price: Price,
    pub product_name: String,
    pub quantity: i64,
    /// Set on the subscription item when the phase starts (else the item keeps its own).
    #[serde(default)]
    pub metadata: Option<Metadata>,
}

/// One phase: these items from `start` until `end`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Phase {
    pub start: i64,
    pub end: i64,
    pub items: Vec<PhaseItem>,
    pub proration_behavior: String,
}

/// A schedule's status.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScheduleStatus {
    /// Waiting for its start date, when its subscription is created.
    NotStarted,
    Active,
    Completed,
    Released,
    Canceled,
}

impl ScheduleStatus {
    /// The wire value.
    pub fn as_str(self) -> &'static str {
        match self {
            ScheduleStatus::NotStarted => "not_started",
            ScheduleStatus::Active => "active",
            ScheduleStatus::Completed => "completed",
            ScheduleStatus::Released => "released",
            ScheduleStatus::Canceled => "canceled",
        }
    }
}

/// A subscription schedule as Portico stores it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Schedule {
    pub id: String,
    pub created: i64,
    pub livemode: bool,
    pub customer: String,
    pub subscription: Option<String>,
    pub status: ScheduleStatus,
    pub phases: Vec<Phase>,
    /// `release` or `cancel`.
    pub end_behavior: String,
    pub canceled_at: Option<i64>,
    pub completed_at: Option<i64>,
    pub released_at: Option<i64>,
    pub released_subscription: Option<String>,
    pub metadata: Metadata,
    pub test_clock: Option<String>,
    /// The subscription's `billing_mode`, which the schedule shows as its own.
    #[serde(default)]
    pub billing_mode: crate::subscription::BillingMode,
}

/// A requested phase: items (prices loaded), and when it ends.
#[derive(Clone, Debug, Default)]
pub struct PhaseRequest {
    pub items: Vec<PhaseItem>,
    pub start_date: Option<i64>,
    pub end_date: Option<i64>,
    /// How long the phase lasts (`duration`), when `end_date` is not given.
    pub duration: Option<crate::price::Recurring>,
    pub proration_behavior: Option<String>,
}

impl Schedule {
    /// A schedule that takes over `sub`: one phase, its current items until its period ends.
    pub fn from_subscription(sub: &Subscription, ctx: &mut Ctx<'_>) -> DomainResult<Schedule> {
        // A paused subscription's period is over: resume it first.
        if sub.status.is_ended() || sub.status == SubscriptionStatus::Paused {
            return Err(DomainError::invalid(
                "from_subscription",
                format!(
                    "The subscription is {} and cannot be scheduled.",
                    sub.status.as_str()
                ),
            ));
        }
        if sub.cancel_at_period_end || sub.cancel_at.is_some() {
            return Err(DomainError::invalid(
                "from_subscription",
                "A subscription set to cancel cannot be moved to a schedule; renew it first.",
            ));
        }
        let (start, end) = sub.current_period();
        Ok(Schedule {
            id: ctx.ids.next("sub_sched_", ID_LEN),
            created: ctx.now,
            livemode: ctx.livemode,
            customer: sub.customer.clone(),
            subscription: Some(sub.id.clone()),
            status: ScheduleStatus::Active,
            phases: vec![Phase {
                start,
                end,
                items: phase_items(&sub.items),
                proration_behavior: "create_prorations".into(),
            }],
            end_behavior: "release".into(),
            canceled_at: None,
            completed_at: None,
            released_at: None,
            released_subscription: None,
            metadata: Metadata::new(),
            test_clock: sub.test_clock.clone(),
            billing_mode: sub.billing_mode,
        })
    }

    /// A schedule for `sub`, new or as it will be created: `phases` from its first period on,
    /// with `metadata` and, if given, `end_behavior`.
    pub fn with_phases(
        sub: &Subscription,
        phases: Vec<PhaseRequest>,
        metadata: &MetadataUpdate,
        end_behavior: Option<&str>,
        ctx: &mut Ctx<'_>,
    ) -> DomainResult<Schedule> {
        let mut schedule = Schedule::from_subscription(sub, ctx)?;
        schedule.set_phases(sub, phases, metadata)?;
        if let Some(b) = end_behavior {
            schedule.end_behavior = b.to_owned();
        }
        Ok(schedule)
    }

    /// Replaces the phases. The first must start when the current one did (the past stays), the
    /// phases follow one another without gaps, and only the current phase may hold today's items
    /// unchanged: changes take effect at phase boundaries, which must be period ends.
    pub fn set_phases(
        &mut self,
        sub: &Subscription,
        requests: Vec<PhaseRequest>,
        metadata: &MetadataUpdate,
    ) -> DomainResult<()> {
        if self.status != ScheduleStatus::Active {
            return Err(DomainError::state(
                None,
                format!(
                    "You cannot update a schedule that is {}.",
                    self.status.as_str()
                ),
            ));
        }
        if requests.is_empty() {
            return Err(DomainError::invalid(
                "phases",
                "A schedule needs at least one phase.",
            ));
        }
        let mut phases = Vec::with_capacity(requests.len());
        let mut start = self
            .phases
            .first()
            .map(|p| p.start)
            .unwrap_or(sub.current_period().0);
        for (i, r) in requests.into_iter().enumerate() {
            let param = |f: &str| format!("phases[{i}][{f}]");
            if i == 0 {
                if let Some(s) = r.start_date {
                    if s != start {
                        return Err(DomainError::invalid(
                            param("start_date"),
                            "The first phase must start when the current phase started.",
                        ));
                    }
                }
            } else if r.start_date.is_some_and(|s| s != start) {
                return Err(DomainError::invalid(
                    param("start_date"),
                    "Each phase must start where the previous one ended.",
                ));
            }
            let first = r.items.first().ok_or_else(|| {
                DomainError::invalid(param("items"), "Each phase needs at least one item.")
            })?;
            let recurring = first.price.recurring.clone().ok_or_else(|| {
                DomainError::invalid(param("items"), "Phase prices must be recurring.")
            })?;
            for (j, it) in r.items.iter().enumerate() {
                if it.price.recurring.as_ref() != Some(&recurring)
                    || it.price.currency.code() != sub.currency
                {
                    return Err(DomainError::invalid(
                        format!("phases[{i}][items][{j}][price]"),
                        "Currency and interval fields must match across all prices in a phase and with the subscription.",
                    ));
                }
                if it.quantity < 0 {
                    return Err(DomainError::invalid(
                        format!("phases[{i}][items][{j}][quantity]"),
                        "Invalid quantity: it cannot be negative.",
                    ));
                }
            }
            let end = match (r.end_date, &r.duration) {
                (Some(e), _) => e,
                // On the configured day, when the subscription's cycle has one.
                (None, Some(d)) if d.interval_count >= 1 => {
                    let day = sub.billing_cycle_anchor_config.map(|c| c.day_of_month);
                    crate::billing_cycle::nth_boundary_on(start, day, d, 1)
                }
                (None, Some(_)) => {
                    return Err(DomainError::invalid(
                        param("duration"),
                        "Invalid duration: interval_count must be at least 1.",
                    ))
                }
                // A phase starting on a boundary of a cycle set by billing_cycle_anchor_config
                // ends where that cycle does (the 31st stays the 31st).
                (None, None)
                    if sub.billing_cycle_anchor_config.is_some()
                        && recurring == sub.recurring
                        && sub.period_around(start).0 == start =>
                {
                    sub.period_around(start).1
                }
                (None, None) => period_end(start, &recurring, start),
            };
            if end <= start {
                return Err(DomainError::invalid(
                    param("end_date"),
                    "A phase must end after it starts.",
                ));
            }
            phases.push(Phase {
                start,
                end,
                items: r.items,
                proration_behavior: r
                    .proration_behavior
                    .unwrap_or_else(|| "create_prorations".into()),
            });
            start = end;
        }
        // The current phase runs to the current period's end, where changes take effect.
        if phases[0].end != sub.current_period().1 && phases.len() > 1 {
            return Err(DomainError::invalid(
                "phases[0][end_date]",
                "Portico applies phase changes at the end of a billing period: the first phase must end when the current period does.",
            ));
        }
        metadata.apply("metadata", &mut self.metadata)?;
        self.phases = phases;
        Ok(())
    }

    /// Replaces the phases of a schedule that has not started, laid out as [`set_phases`] does
    /// against `sub`: the subscription its (new) first phase would create at its start.
    ///
    /// [`set_phases`]: Schedule::set_phases
    pub fn set_phases_before_start(
        &mut self,
        sub: &Subscription,
        requests: Vec<PhaseRequest>,
        metadata: &MetadataUpdate,
    ) -> DomainResult<()> {
        self.require(ScheduleStatus::NotStarted, "it has started already")?;
        let mut draft = self.clone();
        draft.status = ScheduleStatus::Active;
        // No phase to keep: the first one starts where `sub` does.
        draft.phases.clear();
        draft.set_phases(sub, requests, metadata)?;
        self.phases = draft.phases;
        self.metadata = draft.metadata;
        Ok(())
    }

    /// The phase that begins at `t`, if one does (a boundary other than the first start).
    pub fn phase_starting_at(&self, t: i64) -> Option<&Phase> {
        self.phases.iter().skip(1).find(|p| p.start == t)
    }

    /// When the last phase ends.
    pub fn end(&self) -> i64 {
        self.phases.last().map(|p| p.end).unwrap_or(self.created)
    }

    /// The phase running at `t`.
    pub fn current_phase(&self, t: i64) -> Option<&Phase> {
        self.phases.iter().find(|p| p.start <= t && t < p.end)
    }

    /// Turns a schedule drafted on a subscription that does not exist yet (one `from_subscription`
    /// made for the subscription as it will be created at the first phase's start) into one
    /// that waits for that start.
    pub fn wait_for_start(&mut self) {
        self.status = ScheduleStatus::NotStarted;
        self.subscription = None;
    }

    /// When a schedule that has not started starts (its first phase's start).
    pub fn starts_at(&self) -> Option<i64> {
        (self.status == ScheduleStatus::NotStarted)
            .then(|| self.phases.first().map(|p| p.start))
            .flatten()
    }

    /// Refuses, saying `why`, unless the schedule is `status`.
    fn require(&self, status: ScheduleStatus, why: &str) -> DomainResult<()> {
        if self.status == status {
            return Ok(());
        }
        Err(DomainError::state(
            None,
            format!("This schedule is {}: {why}.", self.status.as_str()),
        ))
    }

    /// The schedule starts: `sub`, created with the first phase's items, is its subscription.
    pub fn start(&mut self, sub: &mut Subscription) -> DomainResult<()> {
        self.require(ScheduleStatus::NotStarted, "it has started already")?;
        self.status = ScheduleStatus::Active;
        self.subscription = Some(sub.id.clone());
        sub.schedule = Some(self.id.clone());
        Ok(())
    }

    /// Lets the subscription go on by itself.
    pub fn release(&mut self, at: i64) -> DomainResult<()> {
        if self.status == ScheduleStatus::NotStarted {
            return Err(DomainError::state(
                None,
                "This schedule has not started, so it has no subscription to release: cancel it \
                 instead.",
            ));
        }
        if self.status != ScheduleStatus::Active {
            return Err(DomainError::state(
                None,
                format!(
                    "You cannot release a schedule that is {}.",
                    self.status.as_str()
                ),
            ));
        }
        self.status = ScheduleStatus::Released;
        self.released_at = Some(at);
        self.released_subscription = self.subscription.take();
        Ok(())
    }

    /// Cancels the schedule (the caller cancels the subscription, if it has started).
    pub fn cancel(&mut self, at: i64) -> DomainResult<()> {
        if !matches!(
            self.status,
            ScheduleStatus::Active | ScheduleStatus::NotStarted
        ) {
            return Err(DomainError::state(
                None,
                format!(
                    "You cannot cancel a schedule that is {}.",
                    self.status.as_str()
                ),
            ));
        }
        self.status = ScheduleStatus::Canceled;
        self.canceled_at = Some(at);
        Ok(())
    }

    /// The last phase ended with `end_behavior=cancel`.
    pub fn complete(&mut self, at: i64) {
        self.status = ScheduleStatus::Completed;
        self.completed_at = Some(at);
    }
}

/// A subscription's items as phase items.
pub fn phase_items(items: &[Item]) -> Vec<PhaseItem> {
    items
        .iter()
        .map(|i| PhaseItem {
            price: i.price.clone(),
            product_name: i.product_name.clone(),
            quantity: i.quantity,
            metadata: None,
        })
        .collect()
}

/// Replaces `sub`'s items with a phase's, keeping the ids of items whose price stays.
pub fn apply_phase(sub: &mut Subscription, phase: &Phase, ctx: &mut Ctx<'_>) {
    let (start, end) = sub.current_period();
    let old = std::mem::take(&mut sub.items);
    sub.items = phase
        .items
        .iter()
        .map(|pi| {
            let kept = old.iter().find(|o| o.price.id == pi.price.id);
            Item {
                id: kept
                    .map(|k| k.id.clone())
                    .unwrap_or_else(|| ctx.ids.next("si_", ID_LEN)),
                price: pi.price.clone(),
                product_name: pi.product_name.clone(),
                quantity: pi.quantity,
                created: kept.map(|k| k.created).unwrap_or(ctx.now),
                metadata: pi
                    .metadata
                    .clone()
                    .or_else(|| kept.map(|k| k.metadata.clone()))
                    .unwrap_or_default(),
                current_period_start: start,
                current_period_end: end,
            }
        })
        .collect();
    if let Some(r) = phase.items.first().and_then(|i| i.price.recurring.clone()) {
        // A new interval restarts the billing cycle where the phase starts.
        if r != sub.recurring {
            sub.move_anchor(phase.start);
        }
        sub.recurring = r;
    }
}

//! Subscription schedules: planned changes to a subscription, phase by phase — enough for
//! "change at the end of the period": a current phase with today's items and a next phase with
//! the new ones, applied when the period ends. At the end of the last phase the schedule
//! releases the subscription (it goes on as it is) or cancels it (`end_behavior`).

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
    /// The end of the subscription's trial when it falls in this phase (a schedule taking over
    /// a trialing subscription shows its trial so).
    #[serde(default)]
    pub trial_end: Option<i64>,
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
    /// The end whose coming was announced (`subscription_schedule.expiring`; stored, not shown).
    #[serde(default)]
    pub expiring_sent_for: Option<i64>,
    /// `default_settings`: the subscription's invoices are sent for payment, due this many days
    /// after they are made (`collection_method=send_invoice`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub days_until_due: Option<i64>,
}

/// What falls due for a schedule by itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum ScheduleDue {
    /// It starts: its subscription is created.
    Start,
    /// Its end is seven days away: it is announced.
    Expiring,
}

/// A running schedule's end is announced this long before it (`subscription_schedule.expiring`:
/// Stripe's seven days).
pub const EXPIRING_NOTICE_SECS: i64 = 7 * 86_400;

/// A requested phase: items (prices loaded), and when it ends.
#[derive(Clone, Debug, Default)]
pub struct PhaseRequest {
    pub items: Vec<PhaseItem>,
    pub start_date: Option<i64>,
    pub end_date: Option<i64>,
    /// How long the phase lasts (`duration`), when `end_date` is not given.
    pub duration: Option<crate::price::Recurring>,
    pub proration_behavior: Option<String>,
    /// `trial_end` sent back as a retrieved schedule shows it: taken when it is the trial the
    /// phase already shows (phases cannot set trials here).
    pub trial_end: Option<i64>,
    /// `currency` sent back as shown: taken when it is the phase's prices' currency.
    pub currency: Option<String>,
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
                trial_end: trial_within(sub, start, end),
            }],
            end_behavior: "release".into(),
            canceled_at: None,
            completed_at: None,
            released_at: None,
            released_subscription: None,
            metadata: Metadata::new(),
            test_clock: sub.test_clock.clone(),
            billing_mode: sub.billing_mode,
            expiring_sent_for: None,
            days_until_due: sub.days_until_due,
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
        // A schedule already running keeps its past phases, and its current phase as it is:
        // its items stay the subscription's until the phase ends (changes take effect at phase
        // boundaries). Past phases may be sent again, unchanged, or left out.
        let running = !self.phases.is_empty();
        let now_start = sub.current_period().0;
        let current = self
            .phases
            .iter()
            .position(|p| p.start <= now_start && now_start < p.end)
            .unwrap_or(0);
        let past = &self.phases[..current.min(self.phases.len())];
        let resent = match requests.first().and_then(|r| r.start_date) {
            Some(s) => past
                .iter()
                .position(|p| p.start == s)
                .map(|k| past.len() - k),
            None => None,
        }
        .unwrap_or(0);
        for (i, (r, p)) in requests
            .iter()
            .zip(&past[past.len() - resent..])
            .enumerate()
        {
            let same_end = r.end_date.is_none_or(|e| e == p.end);
            let were = p.items.iter().map(|x| (x.price.id.as_str(), x.quantity));
            if !same_end || !same_prices(&r.items, were) {
                return Err(DomainError::invalid(
                    format!("phases[{i}]"),
                    "A phase that has ended cannot change: send it as it was, or leave it out.",
                ));
            }
        }
        let offset = resent;
        let requests: Vec<PhaseRequest> = requests.into_iter().skip(resent).collect();
        if requests.is_empty() {
            return Err(DomainError::invalid(
                "phases",
                "A schedule needs a phase that has not ended.",
            ));
        }
        let mut phases: Vec<Phase> = past.to_vec();
        let mut start = self
            .phases
            .get(current)
            .map(|p| p.start)
            .unwrap_or(now_start);
        // The billing cycle each phase runs on: the subscription's while the interval stays,
        // restarted at a phase's start when its interval differs (as applying it does).
        let mut cycle = Cycle {
            anchor: sub.billing_cycle_anchor,
            day: sub.billing_cycle_anchor_config.map(|c| c.day_of_month),
            recurring: sub.recurring.clone(),
        };
        for (k, r) in requests.into_iter().enumerate() {
            let i = k + offset;
            let param = |f: &str| format!("phases[{i}][{f}]");
            if k == 0 {
                if let Some(s) = r.start_date {
                    if s != start {
                        return Err(DomainError::invalid(
                            param("start_date"),
                            "The first phase must start when the current phase started.",
                        ));
                    }
                }
                if running && !same_items(&r.items, sub) {
                    return Err(DomainError::invalid(
                        param("items"),
                        "Portico applies phase changes at the end of a billing period: the current phase keeps the subscription's items and quantities; put the change in a phase that starts when this one ends.",
                    ));
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
            if recurring != cycle.recurring {
                cycle = Cycle {
                    anchor: start,
                    day: None,
                    recurring: recurring.clone(),
                };
            }
            let end = match (r.end_date, &r.duration) {
                (Some(e), _) => e,
                (None, Some(d)) if d.interval_count >= 1 => cycle.after(start, d),
                (None, Some(_)) => {
                    return Err(DomainError::invalid(
                        param("duration"),
                        "Invalid duration: interval_count must be at least 1.",
                    ))
                }
                // One period of the phase's cycle.
                (None, None) => cycle.period_containing(start).1,
            };
            if end <= start {
                return Err(DomainError::invalid(
                    param("end_date"),
                    "A phase must end after it starts.",
                ));
            }
            // Phases change the subscription (or end the schedule) as a period ends: a phase
            // ending anywhere else would take effect late, so it is refused.
            let period_end = cycle.period_containing(end - 1).1;
            if period_end != end {
                let field = if r.end_date.is_some() {
                    "end_date"
                } else {
                    "duration"
                };
                return Err(DomainError::invalid(
                    param(field),
                    format!(
                        "Portico applies phase changes at the end of a billing period: this phase must end when one of its periods does (the one it ends in ends at {period_end})."
                    ),
                ));
            }
            // A phase keeps the trial it showed once the trial is over.
            let trial_end = trial_within(sub, start, end).or_else(|| {
                self.phases
                    .iter()
                    .find(|p| p.start == start && p.end == end)
                    .and_then(|p| p.trial_end)
            });
            if r.trial_end.is_some_and(|t| Some(t) != trial_end) {
                return Err(DomainError::invalid(
                    param("trial_end"),
                    "Portico does not support setting a phase's trial_end: a phase shows the trial its subscription has. Send it as retrieved, or leave it out.",
                ));
            }
            if r.currency
                .as_deref()
                .is_some_and(|c| !c.eq_ignore_ascii_case(&sub.currency))
            {
                return Err(DomainError::invalid(
                    param("currency"),
                    format!(
                        "A phase is billed in its prices' currency, {}.",
                        sub.currency
                    ),
                ));
            }
            phases.push(Phase {
                start,
                end,
                items: r.items,
                proration_behavior: r
                    .proration_behavior
                    .unwrap_or_else(|| "create_prorations".into()),
                trial_end,
            });
            start = end;
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

    /// What falls due for this schedule by itself next, and when: its start, or the notice of
    /// its end.
    pub fn next_due(&self) -> Option<(i64, ScheduleDue)> {
        match self.starts_at() {
            Some(t) => Some((t, ScheduleDue::Start)),
            None => self
                .expiring_notice_due()
                .map(|t| (t, ScheduleDue::Expiring)),
        }
    }

    /// When the coming end of this running schedule is to be announced: seven days before it,
    /// or as soon as it runs when it starts closer to its end than that; `None` once announced
    /// for this end (phases that move the end are announced again) or when it is not running.
    pub fn expiring_notice_due(&self) -> Option<i64> {
        let end = self.end();
        let start = self.phases.first().map_or(self.created, |p| p.start);
        (self.status == ScheduleStatus::Active && self.expiring_sent_for != Some(end))
            .then(|| (end - EXPIRING_NOTICE_SECS).max(start))
            .filter(|at| *at < end)
    }

    /// Marks the coming end as announced, when its notice is due by `now`; whether it was (the
    /// caller's events then tell it as `subscription_schedule.expiring`). A notice the worker
    /// comes to late (the server was down) is still given, rather than left due for ever.
    pub fn announce_expiring(&mut self, now: i64) -> bool {
        match self.expiring_notice_due() {
            Some(at) if at <= now => {
                self.expiring_sent_for = Some(self.end());
                true
            }
            _ => false,
        }
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
        self.show_cancel(sub);
        Ok(())
    }

    /// Lets the subscription go on by itself; a schedule that has not started yet ends
    /// without one (none is ever made).
    pub fn release(&mut self, at: i64) -> DomainResult<()> {
        if !matches!(
            self.status,
            ScheduleStatus::NotStarted | ScheduleStatus::Active
        ) {
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

    /// When the schedule will cancel its subscription: the end of its last phase under
    /// `end_behavior=cancel`, while it runs.
    pub fn planned_cancel(&self) -> Option<i64> {
        (self.end_behavior == "cancel"
            && matches!(
                self.status,
                ScheduleStatus::NotStarted | ScheduleStatus::Active
            ))
        .then(|| self.end())
    }

    /// Shows the schedule's planned cancellation on `sub`, as Stripe does (`cancel_at`), or
    /// takes off the one it showed. A subscription on a schedule has no cancellation of its
    /// own (it cannot be set while the schedule manages it), so any it carries is the
    /// schedule's. Phases end at period ends, so there is no unused time to credit. Returns
    /// whether `sub` changed.
    pub fn show_cancel(&self, sub: &mut Subscription) -> bool {
        let cancel_at = self.planned_cancel();
        if sub.cancel_at == cancel_at && !sub.cancel_at_period_end {
            return false;
        }
        sub.cancel_at = cancel_at;
        sub.cancel_at_period_end = false;
        sub.prorate_cancel_at = false;
        true
    }
}

/// The end of `sub`'s running trial if it falls within `start`..=`end`.
fn trial_within(sub: &Subscription, start: i64, end: i64) -> Option<i64> {
    sub.trial_end
        .filter(|t| sub.status == SubscriptionStatus::Trialing && start < *t && *t <= end)
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

/// A billing cycle a phase runs on: its anchor, the day of the month it falls on (when
/// configured), and its interval.
struct Cycle {
    anchor: i64,
    day: Option<i64>,
    recurring: crate::price::Recurring,
}

impl Cycle {
    fn period_containing(&self, t: i64) -> (i64, i64) {
        crate::billing_cycle::period_containing_on(self.anchor, self.day, &self.recurring, t)
    }

    /// `start` (a boundary of this cycle) plus `d`: month-based durations counted from the
    /// cycle's anchor, so a short month does not pull the day down for good (from January 31,
    /// a month and another end on February 28 and March 31).
    fn after(&self, start: i64, d: &crate::price::Recurring) -> i64 {
        use crate::price::Interval;
        let months = match d.interval {
            Interval::Day => return start + d.interval_count * 86_400,
            Interval::Week => return start + d.interval_count * 7 * 86_400,
            Interval::Month => d.interval_count,
            Interval::Year => d.interval_count * 12,
        };
        let month_of = |t: i64| {
            let (y, m, _) = crate::calendar::civil_from_days(t.div_euclid(86_400));
            y * 12 + m
        };
        let from_anchor = month_of(start) - month_of(self.anchor);
        let on_cycle = crate::calendar::add_months_on(self.anchor, from_anchor, self.day);
        if on_cycle == start {
            crate::calendar::add_months_on(self.anchor, from_anchor + months, self.day)
        } else {
            crate::calendar::add_months_on(start, months, self.day)
        }
    }
}

/// Whether `items` are the subscription's items (prices and quantities), in any order.
fn same_items(items: &[PhaseItem], sub: &Subscription) -> bool {
    same_prices(
        items,
        sub.items.iter().map(|i| (i.price.id.as_str(), i.quantity)),
    )
}

/// Whether `items` have these prices and quantities, in any order.
fn same_prices<'a>(items: &[PhaseItem], other: impl Iterator<Item = (&'a str, i64)>) -> bool {
    let mut want: Vec<(&str, i64)> = items
        .iter()
        .map(|i| (i.price.id.as_str(), i.quantity))
        .collect();
    let mut have: Vec<(&str, i64)> = other.collect();
    want.sort_unstable();
    have.sort_unstable();
    want == have
}

#[cfg(test)]
mod tests {
    use super::*;

    fn running(start: i64, end: i64) -> Schedule {
        serde_json::from_value(serde_json::json!({
            "id": "sub_sched_1", "created": start, "livemode": false, "customer": "cus_1",
            "subscription": "sub_1", "status": "active", "end_behavior": "release",
            "phases": [{"start": start, "end": end, "items": [],
                        "proration_behavior": "create_prorations"}],
            "canceled_at": null, "completed_at": null, "released_at": null,
            "released_subscription": null, "metadata": {}, "test_clock": null,
        }))
        .unwrap()
    }

    #[test]
    fn the_end_is_announced_seven_days_before_once_per_end() {
        const DAY: i64 = 86_400;
        let mut s = running(0, 30 * DAY);
        assert_eq!(s.expiring_notice_due(), Some(23 * DAY));
        assert!(!s.announce_expiring(23 * DAY - 1));
        assert!(s.announce_expiring(23 * DAY));
        assert_eq!(s.expiring_notice_due(), None, "once");
        assert!(!s.announce_expiring(24 * DAY));
        // New phases that move the end: the new end is announced in its turn.
        s.phases[0].end = 60 * DAY;
        assert_eq!(s.expiring_notice_due(), Some(53 * DAY));
        // A schedule shorter than the notice is announced as it runs; nothing for one that is
        // not running.
        let mut short = running(10 * DAY, 12 * DAY);
        assert_eq!(short.expiring_notice_due(), Some(10 * DAY));
        let mut late = short.clone();
        assert!(late.announce_expiring(13 * DAY), "late, but not left due");
        assert_eq!(late.expiring_notice_due(), None);
        short.status = ScheduleStatus::NotStarted;
        assert_eq!(short.expiring_notice_due(), None);
        short.status = ScheduleStatus::Released;
        assert_eq!(short.expiring_notice_due(), None);
    }
}

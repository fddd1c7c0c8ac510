//! The billing engine's time-driven side: renewals with their invoices and payment attempts,
//! trial ends, scheduled cancellations, payment retries and expiring incomplete subscriptions,
//! run in order for everything that falls due up to a time. Test clocks drive it.

use crate::http::Failure;
use crate::state::App;
use portico_domain::coupon::{Coupon, Duration};
use portico_domain::customer::Customer;
use portico_domain::discount::Discount;
use portico_domain::invoice::{Invoice, InvoiceStatus, PaymentOutcome};
use portico_domain::payment_method::PaymentMethod;
use portico_domain::schedule::{apply_phase, Schedule, ScheduleDue, ScheduleStatus};
use portico_domain::subscription::{
    next_retry, Due, MissingPaymentMethod, PauseBehavior, Subscription, SubscriptionStatus,
};
use portico_domain::{AccountId, Ctx, ErrorCode, IdGen, RandomIds};
use portico_store::{Cursor, Filter, ListQuery, Page, TokenRecord, Versioned, Write};
use portico_wire::ApiError;

/// At most this many transitions in one run, so a far jump cannot run unbounded.
pub const MAX_TRANSITIONS: usize = 2_000;

/// The statuses of a subscription that has not ended.
pub const LIVE_STATUSES: [&str; 6] = [
    "active",
    "past_due",
    "unpaid",
    "incomplete",
    "trialing",
    "paused",
];

/// The first page of the subscriptions matching `filter` (a customer, a test clock) that have
/// not ended.
pub fn live_query(filter: Filter) -> ListQuery {
    ListQuery {
        kind: "subscription",
        filters: vec![
            filter,
            Filter::StatusIn(LIVE_STATUSES.iter().map(|s| s.to_string()).collect()),
        ],
        cursor: Cursor::Start,
        limit: 100,
        include_deleted: false,
    }
}

/// The subscriptions matching `filter` (a customer, a test clock) that have not ended.
pub async fn live_subscriptions(
    app: &App,
    account: &AccountId,
    filter: Filter,
) -> Result<Vec<Versioned<Subscription>>, Failure> {
    let q = live_query(filter);
    let first = app.store.list(account, &q).await?;
    live_subscriptions_from(app, account, q, first).await
}

/// Every subscription matching `filter` (a customer, a test clock), ended ones too.
pub async fn all_subscriptions(
    app: &App,
    account: &AccountId,
    filter: Filter,
) -> Result<Vec<Versioned<Subscription>>, Failure> {
    let q = ListQuery {
        kind: "subscription",
        filters: vec![filter],
        cursor: Cursor::Start,
        limit: 100,
        include_deleted: false,
    };
    everything(app, account, q).await
}

/// All the subscriptions of [`live_query`] `q`, given its first page (read with others).
pub async fn live_subscriptions_from(
    app: &App,
    account: &AccountId,
    q: ListQuery,
    first: Page,
) -> Result<Vec<Versioned<Subscription>>, Failure> {
    every_page(app, account, q, first).await
}

/// The objects of `first` (the first page of `q`) and of every page after it.
/// Every object of `q`'s kind that `q` matches, reading it page by page.
pub async fn everything<T: portico_store::Object>(
    app: &App,
    account: &AccountId,
    q: ListQuery,
) -> Result<Vec<Versioned<T>>, Failure> {
    let first = app.store.list(account, &q).await?;
    every_page(app, account, q, first).await
}

async fn every_page<T: portico_store::Object>(
    app: &App,
    account: &AccountId,
    mut q: ListQuery,
    first: Page,
) -> Result<Vec<Versioned<T>>, Failure> {
    let mut out = Vec::new();
    let mut page = first;
    loop {
        out.extend(portico_store::decode_all::<T>(&*app.store, account, &page)?);
        match (page.has_more, page.records.last()) {
            (true, Some(last)) => q.cursor = Cursor::After(last.id.clone()),
            _ => return Ok(out),
        }
        page = app.store.list(account, &q).await?;
    }
}

/// Runs, in time order, every transition due by `until` for the subscriptions on `clock`.
pub async fn run_due(
    app: &App,
    account: &AccountId,
    clock: &str,
    until: i64,
) -> Result<usize, Failure> {
    let mut conflicts = 0;
    for done in 0..=MAX_TRANSITIONS {
        // The soonest schedule to start or to announce its end by then, if any (a subscription
        // a schedule starts has its own transitions after its creation).
        let scheduled = next_schedule_due(app, account, clock, until).await?;
        let mut next: Option<(i64, Due, Versioned<Subscription>)> = None;
        // Ended ones too: a renewal's draft is finalized after its subscription ends.
        let on_clock = Filter::Field("test_clock", clock.to_owned());
        for sub in all_subscriptions(app, account, on_clock).await? {
            if let Some((at, due)) = sub.value.next_due() {
                let sooner = next
                    .as_ref()
                    .is_none_or(|(t, d, s)| (at, due, &sub.value.id) < (*t, *d, &s.value.id));
                if at <= until && sooner {
                    next = Some((at, due, sub));
                }
            }
        }
        // Everything in time order: a schedule's start or notice no later than the next
        // transition comes first.
        if let Some((at, what, s)) =
            scheduled.filter(|(t, _, _)| next.as_ref().is_none_or(|(at, _, _)| t <= at))
        {
            match run_schedule_due(app, account, s, what, at).await {
                // Changed meanwhile (a metadata update): read again on the next turn.
                Err(e) if e.error.status == 409 => continue,
                other => other?,
            }
            continue;
        }
        let Some((at, due, sub)) = next else {
            return Ok(done);
        };
        match apply(app, account, at, due, sub).await {
            // A request changed the subscription meanwhile: read it again on the next turn,
            // after a moment, as a lost race is retried.
            Err(e) if e.error.code == Some(ErrorCode::LockTimeout) && conflicts < 12 => {
                conflicts += 1;
                crate::objects::backoff(conflicts).await;
            }
            other => other?,
        }
    }
    Err(too_far())
}

/// The soonest start or end notice due by `until` among the schedules on test clock `clock`.
async fn next_schedule_due(
    app: &App,
    account: &AccountId,
    clock: &str,
    until: i64,
) -> Result<Option<(i64, ScheduleDue, Versioned<Schedule>)>, Failure> {
    let mut soonest: Option<(i64, ScheduleDue, Versioned<Schedule>)> = None;
    for status in [ScheduleStatus::NotStarted, ScheduleStatus::Active] {
        let filters = vec![
            Filter::Status(status.as_str().into()),
            Filter::Field("test_clock", clock.to_owned()),
        ];
        for s in all_schedules(app, account, filters).await? {
            let Some((at, what)) = s.value.next_due().filter(|(t, _)| *t <= until) else {
                continue;
            };
            let sooner = soonest
                .as_ref()
                .is_none_or(|(t, w, o)| (at, what, &s.value.id) < (*t, *w, &o.value.id));
            if sooner {
                soonest = Some((at, what, s));
            }
        }
    }
    Ok(soonest)
}

/// Does what fell due for `schedule` (`what`) at `at`: starts it, or announces its coming end
/// (`subscription_schedule.expiring`).
async fn run_schedule_due(
    app: &App,
    account: &AccountId,
    mut schedule: Versioned<Schedule>,
    what: ScheduleDue,
    at: i64,
) -> Result<(), Failure> {
    match what {
        ScheduleDue::Start => {
            crate::api::subscription_schedule::start_schedule(app, account, schedule).await
        }
        ScheduleDue::Expiring => {
            if schedule.value.announce_expiring(at) {
                app.commit_at(account, vec![Write::Update(schedule.next_record())], at)
                    .await?;
            }
            Ok(())
        }
    }
}

/// Every schedule that `filters` select, page after page.
pub async fn all_schedules(
    app: &App,
    account: &AccountId,
    filters: Vec<Filter>,
) -> Result<Vec<Versioned<Schedule>>, Failure> {
    let q = ListQuery {
        kind: "subscription_schedule",
        filters,
        cursor: Cursor::Start,
        limit: 100,
        include_deleted: false,
    };
    let first = app.store.list(account, &q).await?;
    every_page(app, account, q, first).await
}

fn too_far() -> Failure {
    ApiError::invalid(
        Some("frozen_time".into()),
        None,
        format!("Advancing this far would run more than {MAX_TRANSITIONS} billing events; advance in smaller steps."),
    )
    .into()
}

/// Runs everything due by `until` for one subscription on the server clock (the worker's job).
/// Another instance doing the same loses the race on the version check and stops.
pub async fn run_due_subscription(
    app: &App,
    account: &AccountId,
    id: &str,
    until: i64,
) -> Result<usize, Failure> {
    for done in 0..=MAX_TRANSITIONS {
        let Some(sub) = portico_store::get::<Subscription>(&*app.store, account, id).await? else {
            return Ok(done);
        };
        if sub.value.test_clock.is_some() {
            return Ok(done);
        }
        match sub.value.next_due() {
            // The renewal itself is due already (the server was down, or the subscription was
            // stored before renewals were announced): a notice now would come too late.
            Some((at, Due::InvoiceUpcoming)) if sub.value.current_period().1 <= until => {
                let mut sub = sub;
                sub.value.announce_upcoming(at);
                app.commit_at(account, vec![Write::Update(sub.next_record())], at)
                    .await?;
            }
            Some((at, due)) if at <= until => apply(app, account, at, due, sub).await?,
            _ => return Ok(done),
        }
    }
    Err(too_far())
}

/// One pass of the billing worker: runs what has fallen due on the server clock by now, for up
/// to 100 subscriptions; returns how many transitions ran.
pub async fn run_once(app: &App) -> usize {
    let now = app.clock.now();
    let due = match app.store.due("subscription", now, 100).await {
        Ok(d) => d,
        Err(e) => {
            tracing::warn!(error = %e, "could not read due subscriptions");
            return 0;
        }
    };
    let mut ran = 0;
    // Schedules whose start has come create their subscriptions first; those whose end is a
    // week away announce it.
    match app.store.due("subscription_schedule", now, 100).await {
        Ok(waiting) => {
            for (account, record) in waiting {
                let started = async {
                    let s = portico_store::decode::<Schedule>(&*app.store, &account, &record)?;
                    if s.value.test_clock.is_some() {
                        return Ok::<_, Failure>(false);
                    }
                    let Some((_, what)) = s.value.next_due() else {
                        return Ok(false);
                    };
                    run_schedule_due(app, &account, s, what, now).await?;
                    Ok(true)
                };
                match started.await {
                    Ok(true) => ran += 1,
                    Ok(false) => {}
                    Err(e) => {
                        tracing::warn!(schedule = %record.id, error = %e.error.message, "a schedule's start or end notice failed; retrying later")
                    }
                }
            }
        }
        Err(e) => tracing::warn!(error = %e, "could not read schedules due to start"),
    }
    for (account, record) in due {
        match run_due_subscription(app, &account, &record.id, now).await {
            Ok(n) => ran += n,
            Err(e) => {
                tracing::warn!(subscription = %record.id, error = %e.error.message, "billing run failed; retrying later")
            }
        }
    }
    ran
}

/// The billing worker: every `every`, runs what has fallen due on the server clock.
pub async fn worker(app: App, every: std::time::Duration) {
    let mut tick = tokio::time::interval(every);
    loop {
        tick.tick().await;
        run_once(&app).await;
    }
}

/// Runs everything due on subscription `id` by `now` at once, whatever clock it follows: an
/// update that ends a trial now renews the subscription before it answers.
pub async fn run_due_now(
    app: &App,
    account: &AccountId,
    id: &str,
    now: i64,
) -> Result<(), Failure> {
    for _ in 0..=MAX_TRANSITIONS {
        let Some(sub) = portico_store::get::<Subscription>(&*app.store, account, id).await? else {
            return Ok(());
        };
        match sub.value.next_due() {
            Some((at, due)) if at <= now => apply(app, account, at, due, sub).await?,
            _ => return Ok(()),
        }
    }
    Err(too_far())
}

/// The write that settles `sub`'s schedule when the subscription leaves it other than by the
/// schedule's own end: with `release`, the schedule lets the subscription go on by itself (it
/// is to cancel at its period's end); otherwise the subscription has ended (canceled, expired,
/// or ended unpaid), and the schedule is canceled with it, as Stripe's are. `None` when no
/// active schedule manages it.
pub async fn settle_schedule(
    app: &App,
    account: &AccountId,
    sub: &mut Subscription,
    at: i64,
    release: bool,
) -> Result<Option<Write>, Failure> {
    let Some(id) = sub.schedule.clone() else {
        return Ok(None);
    };
    let Some(mut schedule) = portico_store::get::<Schedule>(&*app.store, account, &id).await?
    else {
        return Ok(None);
    };
    if schedule.value.status != ScheduleStatus::Active {
        return Ok(None);
    }
    if release {
        schedule.value.release(at)?;
        sub.schedule = None;
    } else if schedule.value.planned_cancel() == Some(at) {
        // The cancellation the schedule planned: it has run its course.
        schedule.value.complete(at);
    } else {
        schedule.value.cancel(at)?;
    }
    Ok(Some(Write::Update(schedule.next_record())))
}

async fn apply(
    app: &App,
    account: &AccountId,
    at: i64,
    due: Due,
    mut sub: Versioned<Subscription>,
) -> Result<(), Failure> {
    let latest = match &sub.value.latest_invoice {
        Some(id) => portico_store::get::<Invoice>(&*app.store, account, id).await?,
        None => None,
    };
    let latest_paid = latest
        .as_ref()
        .is_some_and(|i| i.value.status == InvoiceStatus::Paid);
    let mut writes = Vec::new();
    // A renewal settles the schedule itself (its phases, its end).
    let renewal = matches!(due, Due::Renew);
    match due {
        Due::IncompleteExpiry => {
            sub.value.expire_incomplete(at);
            writes.push(Write::Update(sub.next_record()));
            writes.extend(void_unpaid(app, account, latest, at).await?);
        }
        Due::PendingExpiry => return drop_pending_update(app, account, sub, at).await,
        Due::TrialWillEnd => {
            sub.value.warn_trial_end(at);
            writes.push(Write::Update(sub.next_record()));
        }
        Due::InvoiceUpcoming => {
            if !sub.value.announce_upcoming(at) {
                return Ok(());
            }
            let writes = vec![Write::Update(sub.next_record())];
            let Some(object) = upcoming_invoice(app, account, &sub.value).await? else {
                // Its schedule ends the subscription then: there is no invoice to announce.
                app.commit_at(account, writes, at).await?;
                return Ok(());
            };
            app.commit_with_events(account, writes, at, vec![("invoice.upcoming", object)])
                .await?;
            return Ok(());
        }
        Due::ResumeCollection => {
            sub.value.resume_collection(at);
            writes.push(Write::Update(sub.next_record()));
        }
        Due::Overdue => {
            let dues = sent_due_dates(app, account, &sub.value).await?;
            sub.value.sent_invoices_due(&dues, at);
            writes.push(Write::Update(sub.next_record()));
        }
        Due::Cancel => {
            // A `cancel_at` inside the period, set with prorations: the time after it is
            // credited.
            if sub.value.prorate_cancel_at && at < sub.value.current_period().1 {
                let customer =
                    portico_store::get::<Customer>(&*app.store, account, &sub.value.customer)
                        .await?;
                // (A balance is in the customer's currency: a subscription in another one
                // cannot add to it.)
                let own = |c: &Versioned<Customer>| {
                    c.value
                        .currency
                        .as_deref()
                        .is_none_or(|x| x == sub.value.currency)
                };
                if let Some(mut customer) = customer.filter(own) {
                    let credit =
                        unused_time_credit(app, account, &customer, &sub.value, at).await?;
                    if credit != 0 {
                        customer.value.balance -= credit;
                        writes.push(Write::Update(customer.next_record()));
                    }
                }
            }
            sub.value.end(at, "cancellation_requested");
            writes.push(Write::Update(sub.next_record()));
            writes.extend(stop_collection(app, account, &sub.value.customer, None).await?);
        }
        Due::Renew => {
            let how = RenewAs {
                collect: OFF_SESSION,
                later: true,
                customer: None,
            };
            writes.extend(renew(app, account, at, &mut sub, &[], how).await?)
        }
        Due::FinalizeInvoice => {
            let (finalized, customer) = finalize_renewal(app, account, at, &mut sub.value).await?;
            writes.extend(finalized);
            writes.extend(customer.map(|c| Write::Update(c.next_record())));
            writes.push(Write::Update(sub.next_record()));
        }
        Due::Retry => {
            // The invoice whose payment failed: the latest, unless another (a renewal's draft,
            // an invoiced change) has come since; then the newest one still unpaid.
            // (A renewal's draft waiting its hour counts as paid: nothing else is left unpaid.)
            let drafted = latest
                .as_ref()
                .is_some_and(|i| i.value.status == InvoiceStatus::Draft);
            let latest = match latest.filter(|i| {
                i.value.status == InvoiceStatus::Open
                    && i.value.auto_advance
                    && !i.value.send_invoice
            }) {
                Some(open) => Some(open),
                None => unpaid_invoice(app, account, &sub.value, true, None).await?,
            };
            let latest_paid = (latest_paid || drafted) && latest.is_none();
            let Some(mut inv) = latest else {
                // The invoice was paid, voided or lost some other way: nothing left to retry.
                if latest_paid {
                    sub.value.first_invoice_paid();
                }
                sub.value.next_retry_at = None;
                writes.push(Write::Update(sub.next_record()));
                app.commit_at(account, writes, at).await?;
                return Ok(());
            };
            let pm = invoice_payment_method(app, account, &inv.value)
                .await?
                .map(|p| p.value);
            let token = RandomIds.next("", 43);
            match inv
                .value
                .attempt_payment(pm.as_ref(), true, false, at, || token.clone())?
            {
                PaymentOutcome::Paid => {
                    sub.value.first_invoice_paid();
                    if let Some(pm) = &pm {
                        sub.value.paid_with(&pm.id);
                    }
                }
                outcome => {
                    sub.value.next_retry_at =
                        next_retry(inv.value.created, inv.value.attempt_count);
                    if sub.value.next_retry_at.is_none() {
                        // The last retry failed: Stripe's default is to cancel the subscription.
                        inv.value.auto_advance = false;
                        sub.value.end(at, "payment_failed");
                        let customer = sub.value.customer.clone();
                        writes.extend(
                            stop_collection(app, account, &customer, Some(&inv.value.id)).await?,
                        );
                    }
                    if outcome == PaymentOutcome::RequiresAction {
                        writes.push(token_write(app, account, &inv.value.id, &token));
                    }
                }
            }
            writes.insert(0, Write::Update(inv.next_record()));
            writes.push(Write::Update(sub.next_record()));
        }
    }
    if !renewal && sub.value.status.is_ended() {
        writes.extend(settle_schedule(app, account, &mut sub.value, at, false).await?);
    }
    app.commit_at(account, writes, at).await?;
    Ok(())
}

/// `sub` as it renews at the end of its period: with its schedule's next phase applied, if one
/// starts then; `None` when its schedule ends it then (`end_behavior=cancel`).
pub async fn as_it_renews(
    app: &App,
    account: &AccountId,
    sub: &Subscription,
) -> Result<Option<Subscription>, Failure> {
    let end = sub.current_period().1;
    let mut renewing = sub.clone();
    if let Some(id) = &sub.schedule {
        if let Some(sched) = portico_store::get::<Schedule>(&*app.store, account, id).await? {
            if sched.value.status == ScheduleStatus::Active {
                if let Some(phase) = sched.value.phase_starting_at(end) {
                    let mut ids = crate::ids::Ids;
                    let mut ctx = Ctx {
                        now: end,
                        livemode: sub.livemode,
                        ids: &mut ids,
                    };
                    apply_phase(&mut renewing, phase, &mut ctx);
                } else if end >= sched.value.end() && sched.value.end_behavior == "cancel" {
                    return Ok(None);
                }
            }
        }
    }
    Ok(Some(renewing))
}

/// The renewal invoice `sub` will get at the end of its period, as `invoice.upcoming` shows
/// it: a preview (its schedule's next phase applied) with no id of its own, as Stripe's upcoming
/// invoices have none. `None` when the schedule ends the subscription then.
async fn upcoming_invoice(
    app: &App,
    account: &AccountId,
    sub: &Subscription,
) -> Result<Option<serde_json::Value>, Failure> {
    let Some(renewing) = as_it_renews(app, account, sub).await? else {
        return Ok(None);
    };
    let Some(mut customer) =
        portico_store::get::<Customer>(&*app.store, account, &sub.customer).await?
    else {
        return Err(ApiError::internal().into());
    };
    let mut preview =
        crate::api::subscription_change::next_renewal(app, account, &renewing, &mut customer, &[])
            .await?;
    // Named as create_preview names its invoices, so its lines point nowhere real; the id itself
    // is left out.
    preview.id = format!("upcoming_in_{}", RandomIds.next("", portico_domain::ID_LEN));
    let mut object = portico_wire::render::invoice(&preview, None);
    if let Some(o) = object.as_object_mut() {
        o.remove("id");
    }
    Ok(Some(object))
}

/// Drops `sub`'s pending update at `at` (its payment was not made), voiding the invoice it was
/// waiting for: the change never happens, as when it expires.
pub async fn drop_pending_update(
    app: &App,
    account: &AccountId,
    mut sub: Versioned<Subscription>,
    at: i64,
) -> Result<(), Failure> {
    let Some(pending) = sub.value.pending_update.take() else {
        return Ok(());
    };
    // The invoice the change waited for (older updates kept none: then the latest).
    let awaited = pending.invoice.or(sub.value.latest_invoice.clone());
    let latest = match &awaited {
        Some(id) => portico_store::get::<Invoice>(&*app.store, account, id).await?,
        None => None,
    };
    let mut writes = vec![Write::Update(sub.next_record())];
    writes.extend(void_unpaid(app, account, latest, at).await?);
    app.commit_at(account, writes, at).await?;
    Ok(())
}

/// Voids `inv` if it can still be paid (open or uncollectible), giving back any credit it took
/// from the customer's balance.
async fn void_unpaid(
    app: &App,
    account: &AccountId,
    inv: Option<Versioned<Invoice>>,
    at: i64,
) -> Result<Vec<Write>, Failure> {
    let mut writes = Vec::new();
    // (One marked uncollectible could still be paid: it is voided too.)
    if let Some(mut inv) = inv.filter(|i| i.value.is_collectable()) {
        let give_back = inv.value.void(at)?;
        writes.push(Write::Update(inv.next_record()));
        if give_back != 0 {
            if let Some(mut c) =
                portico_store::get::<Customer>(&*app.store, account, &inv.value.customer).await?
            {
                c.value.balance += give_back;
                writes.push(Write::Update(c.next_record()));
            }
        }
    }
    Ok(writes)
}

/// The payment method a subscription's invoices are charged to.
pub async fn payment_method_for(
    app: &App,
    account: &AccountId,
    sub: &Subscription,
) -> Result<Option<PaymentMethod>, Failure> {
    Ok(default_payment_method(
        app,
        account,
        &sub.customer,
        sub.default_payment_method.clone(),
    )
    .await?
    .map(|p| p.value))
}

/// A subscription's default payment method (`sub_default`), else its customer's: whichever is
/// still attached to the customer (a detached card is never charged again).
async fn default_payment_method(
    app: &App,
    account: &AccountId,
    customer: &str,
    sub_default: Option<String>,
) -> Result<Option<Versioned<PaymentMethod>>, Failure> {
    let attached =
        |pm: Option<Versioned<PaymentMethod>>| pm.filter(|p| p.value.belongs_to(customer));
    if let Some(id) = sub_default {
        let pm = attached(portico_store::get::<PaymentMethod>(&*app.store, account, &id).await?);
        if pm.is_some() {
            return Ok(pm);
        }
    }
    let id = portico_store::get::<Customer>(&*app.store, account, customer)
        .await?
        .and_then(|c| c.value.invoice_settings.default_payment_method);
    Ok(match id {
        Some(id) => attached(portico_store::get::<PaymentMethod>(&*app.store, account, &id).await?),
        None => None,
    })
}

/// The payment method invoice `inv` is charged to when none is given: its own default while
/// that is still attached to its customer, else its subscription's, else the customer's.
pub async fn invoice_payment_method(
    app: &App,
    account: &AccountId,
    inv: &Invoice,
) -> Result<Option<Versioned<PaymentMethod>>, Failure> {
    if let Some(id) = &inv.default_payment_method {
        if let Some(pm) = portico_store::get::<PaymentMethod>(&*app.store, account, id).await? {
            if pm.value.belongs_to(&inv.customer) {
                return Ok(Some(pm));
            }
        }
    }
    let sub_default = match &inv.subscription {
        Some(s) => portico_store::get::<Subscription>(&*app.store, account, s)
            .await?
            .and_then(|s| s.value.default_payment_method),
        None => None,
    };
    default_payment_method(app, account, &inv.customer, sub_default).await
}

/// The link a customer follows to authenticate `invoice`'s payment. It expires on the server's
/// own clock, whatever time a test clock has reached: the link is for a person to open now.
pub fn token_write(app: &App, account: &AccountId, invoice: &str, token: &str) -> Write {
    let at = app.clock.now();
    Write::Token(TokenRecord {
        token_hash: crate::api::setup_intent::token_hash(token),
        account: account.clone(),
        kind: "invoice".into(),
        object_id: invoice.to_owned(),
        created: at,
        expires_at: at + crate::api::setup_intent::AUTH_LINK_TTL_SECS,
    })
}

/// An invoice for `sub` with `lines`, the subscription's discounts still in force applied
/// (`fresh`: those made in this same request, not stored yet). With
/// `finalize`, it is numbered from the customer's sequence (which advances) and finalized; else
/// it stays a draft (a preview).
#[allow(clippy::too_many_arguments)]
pub async fn bill(
    app: &App,
    account: &AccountId,
    customer: &mut Versioned<Customer>,
    sub: &Subscription,
    reason: &str,
    lines: Vec<portico_domain::invoice::Line>,
    period: (i64, i64),
    finalize: bool,
    ctx: &mut Ctx<'_>,
    fresh: &[Discount],
) -> Result<Invoice, Failure> {
    let at = ctx.now;
    let mut inv = Invoice::draft(
        &customer.value,
        Some(&sub.id),
        reason,
        &sub.currency,
        period,
        lines,
        ctx,
    );
    inv.set_collection(sub.due_date_for(at));
    let in_force = discounts_in_force(app, account, sub, at, fresh).await?;
    for (d, c) in &in_force {
        inv.apply_discount(c, &d.id, true);
    }
    // Prorations keep the discounts they were made with, also one that has ended or been
    // taken off since.
    let mut ended: Vec<String> = Vec::new();
    for id in inv
        .lines
        .iter()
        .flat_map(|l| l.proration_discounts.iter().flatten())
    {
        if !in_force.iter().any(|(d, _)| &d.id == id) && !ended.contains(id) {
            ended.push(id.clone());
        }
    }
    for id in ended {
        if let Some((d, c)) = discount_with_coupon(app, account, &id, fresh).await? {
            inv.apply_discount(&c, &d.id, false);
        }
    }
    if finalize {
        finalize_for(&mut inv, &mut customer.value, at)?;
    } else {
        // A preview shows the balance the invoice would take, without taking it.
        inv.take_balance(&customer.value);
    }
    Ok(inv)
}

/// The unused time of `sub` from `at` to its period's end, as credit prorations (with `ii_` ids)
/// tagged with the discounts they are billed with, as an update's prorations are: those in force
/// now, or in flexible mode those the period was billed with.
pub async fn unused_time_prorations(
    app: &App,
    account: &AccountId,
    sub: &Subscription,
    at: i64,
    ctx: &mut Ctx<'_>,
) -> Result<Vec<portico_domain::invoice::Line>, Failure> {
    let mut credits = sub.unused_time_credits(at, ctx);
    let period_start = sub.current_period().0;
    crate::api::subscription_change::tag_prorations(
        app,
        account,
        sub,
        &mut credits,
        at,
        period_start,
        &[],
    )
    .await?;
    Ok(credits)
}

/// What the unused time of `sub` from `at` to its period's end comes to after its discounts
/// ([`unused_time_prorations`]), as a credit (positive); zero when there is none.
pub async fn unused_time_credit(
    app: &App,
    account: &AccountId,
    customer: &Versioned<Customer>,
    sub: &Subscription,
    at: i64,
) -> Result<i64, Failure> {
    let mut ids = crate::ids::Ids;
    let mut ctx = Ctx {
        now: at,
        livemode: sub.livemode,
        ids: &mut ids,
    };
    let credits = unused_time_prorations(app, account, sub, at, &mut ctx).await?;
    if credits.is_empty() {
        return Ok(0);
    }
    // What an invoice of them would come to, not invoiced.
    let period = (sub.current_period().0.min(at), at);
    let mut customer = customer.clone();
    let draft = bill(
        app,
        account,
        &mut customer,
        sub,
        "subscription_cycle",
        credits,
        period,
        false,
        &mut ctx,
        &[],
    )
    .await?;
    Ok(-draft.total())
}

/// The discounts of `sub` (`fresh`: those made in this same request, not stored yet) still in
/// force at `at`, each with its coupon, in the subscription's order.
pub async fn discounts_in_force(
    app: &App,
    account: &AccountId,
    sub: &Subscription,
    at: i64,
    fresh: &[Discount],
) -> Result<Vec<(Discount, Coupon)>, Failure> {
    if sub.discounts.is_empty() {
        return Ok(Vec::new());
    }
    // What a `once` discount needs to know whether it is spent (see `Discount::in_force`).
    let latest = match &sub.latest_invoice {
        Some(id) => portico_store::get::<Invoice>(&*app.store, account, id)
            .await?
            .map(|i| i.value),
        None => None,
    };
    let mut out = Vec::new();
    for id in &sub.discounts {
        if let Some((d, c)) = discount_with_coupon(app, account, id, fresh).await? {
            if d.in_force(&c, at, latest.as_ref()) {
                out.push((d, c));
            }
        }
    }
    Ok(out)
}

/// A discount (made in this request, or stored) with its coupon's terms as applied. A deleted
/// coupon keeps applying to discounts already made from it, and a coupon made again with its id
/// does not change them.
pub(crate) async fn discount_with_coupon(
    app: &App,
    account: &AccountId,
    id: &str,
    fresh: &[Discount],
) -> Result<Option<(Discount, Coupon)>, Failure> {
    Ok(discount_terms(&*app.store, account, id, fresh).await?)
}

/// [`discount_with_coupon`], from the store alone.
async fn discount_terms(
    store: &dyn portico_store::Store,
    account: &AccountId,
    id: &str,
    fresh: &[Discount],
) -> Result<Option<(Discount, Coupon)>, portico_store::StoreError> {
    let d = match fresh.iter().find(|d| d.id == id) {
        Some(d) => d.clone(),
        None => match portico_store::get::<Discount>(store, account, id).await? {
            Some(d) => d.value,
            None => return Ok(None),
        },
    };
    let stored = portico_store::get::<Coupon>(store, account, &d.coupon)
        .await?
        .map(|c| c.value);
    Ok(d.terms(stored).map(|c| (d, c)))
}

/// `lines`, pending prorations of `sub`, as the invoice items they are, each showing what the
/// percentage discounts it was made with take off it (`fresh`: discounts made with them, not
/// stored yet).
pub async fn prorations_as_made(
    store: &dyn portico_store::Store,
    account: &AccountId,
    sub: &Subscription,
    lines: &[portico_domain::invoice::Line],
    fresh: &[Discount],
) -> Result<Vec<portico_domain::invoice_item::InvoiceItem>, portico_store::StoreError> {
    use portico_domain::invoice_item::InvoiceItem;
    let mut coupons: Vec<(String, Option<Coupon>)> = Vec::new();
    let mut out = Vec::new();
    for line in lines {
        let Some(mut item) = InvoiceItem::pending_proration(sub, line) else {
            continue;
        };
        // As an invoice applies them: those still on the subscription first, in its order,
        // then those taken off since. Only percentages: a fixed amount is shared out among
        // what the invoice billing it debits, which is not known before then.
        let mut tags: Vec<&String> = line.proration_discounts.iter().flatten().collect();
        tags.sort_by_key(|id| {
            sub.discounts
                .iter()
                .position(|d| d == *id)
                .unwrap_or(usize::MAX)
        });
        let mut made_with = Vec::new();
        for id in tags {
            if !coupons.iter().any(|(d, _)| d == id) {
                let terms = discount_terms(store, account, id, fresh).await?;
                coupons.push((id.clone(), terms.map(|(_, c)| c)));
            }
            if let Some((_, Some(c))) = coupons.iter().find(|(d, _)| d == id) {
                if c.percent_off.is_some() {
                    made_with.push((id.clone(), c.clone()));
                }
            }
        }
        if !made_with.is_empty() {
            item.discounted_as_made(line, &made_with);
        }
        out.push(item);
    }
    Ok(out)
}

/// The writes that take the stored discounts `ids` off their subscription (spent, ended,
/// replaced or cleared): each is marked deleted, announced as `customer.discount.deleted`.
pub async fn end_discounts(
    app: &App,
    account: &AccountId,
    ids: &[String],
) -> Result<Vec<Write>, Failure> {
    mark_discounts(app, account, ids, true).await
}

/// The writes that put the stored discounts `ids` back in force (a `once` discount a deleted
/// draft gives back): each is unmarked, announced as `customer.discount.created`.
pub async fn restore_discounts(
    app: &App,
    account: &AccountId,
    ids: &[String],
) -> Result<Vec<Write>, Failure> {
    mark_discounts(app, account, ids, false).await
}

async fn mark_discounts(
    app: &App,
    account: &AccountId,
    ids: &[String],
    deleted: bool,
) -> Result<Vec<Write>, Failure> {
    let mut writes = Vec::new();
    for id in ids {
        if let Some(mut d) = portico_store::get::<Discount>(&*app.store, account, id).await? {
            if d.value.deleted != deleted {
                d.value.deleted = deleted;
                writes.push(Write::Update(d.next_record()));
            }
        }
    }
    Ok(writes)
}

/// The `once` discounts `inv` applies, which it spends: the invoice after it goes without them.
pub async fn once_spent_by(
    app: &App,
    account: &AccountId,
    inv: &Invoice,
    fresh: &[Discount],
) -> Result<Vec<String>, Failure> {
    let mut spent = Vec::new();
    for id in &inv.discounts {
        if let Some((d, c)) = discount_with_coupon(app, account, id, fresh).await? {
            if c.duration == Duration::Once {
                spent.push(d.id);
            }
        }
    }
    Ok(spent)
}

/// Finalizes `inv` for `customer`: it takes the customer's balance and the next number of
/// their sequence (both advance).
pub fn finalize_for(inv: &mut Invoice, customer: &mut Customer, at: i64) -> Result<(), Failure> {
    customer.balance = inv.take_balance(customer);
    inv.finalize(
        format!(
            "{}-{:04}",
            customer.invoice_prefix, customer.next_invoice_sequence
        ),
        at,
    )?;
    customer.next_invoice_sequence += 1;
    Ok(())
}

/// The writes of a trial that the request changing `sub` ends at `at` (`trial_end=now`, or a
/// plan change that ends it), to commit with the request's own: the subscription renewed as
/// its trial's end renews it, in the same single write of it, so that the request is announced
/// by one `customer.subscription.updated`, with `trial_will_end` (which Stripe also sends for a
/// trial ended now). `fresh`: discounts the request makes, not stored yet. `None` when the trial
/// does not end at `at` or something else falls due first; the subscription's transitions then
/// run by themselves after the request's commit. The renewal's invoice is collected as the
/// request asks (see [`charge_as`]).
pub async fn end_trial_now(
    app: &App,
    account: &AccountId,
    at: i64,
    sub: &mut Versioned<Subscription>,
    fresh: &[Discount],
    collect: Collect<'_>,
) -> Result<Option<Vec<Write>>, Failure> {
    // Only a trial this request ends now: one already overdue is the worker's to renew, at
    // its own time.
    if sub.value.status != SubscriptionStatus::Trialing
        || sub.value.pending_update.is_some()
        || sub.value.trial_end != Some(at)
    {
        return Ok(None);
    }
    // A renewal's draft still waiting (the trial was added during its hour) is finalized and
    // charged first, as at its hour.
    let (mut finalized, mut customer) = (Vec::new(), None);
    for _ in 0..4 {
        match sub.value.next_due() {
            Some((t, Due::TrialWillEnd)) if t <= at => {
                sub.value.warn_trial_end(at);
            }
            // The next invoice is billed right away: there is nothing left to announce.
            Some((t, Due::InvoiceUpcoming)) if t <= at => {
                sub.value.announce_upcoming(at);
            }
            Some((t, Due::FinalizeInvoice)) if t <= at => {
                let (writes, changed) = finalize_renewal(app, account, at, &mut sub.value).await?;
                finalized.extend(writes);
                customer = changed.or(customer);
            }
            Some((t, Due::Renew)) if t == at => {
                let how = RenewAs {
                    collect,
                    later: false,
                    customer,
                };
                let renewal = renew(app, account, at, sub, fresh, how);
                finalized.extend(renewal.await?);
                return Ok(Some(finalized));
            }
            _ => break,
        }
    }
    // Without a renewal, the finalized draft still goes with the subscription's own write.
    finalized.extend(customer.map(|c| Write::Update(c.next_record())));
    Ok((!finalized.is_empty()).then(|| {
        finalized.push(Write::Update(sub.next_record()));
        finalized
    }))
}

/// The first page (of `limit`) of the open invoices matching `filter` (a customer, a
/// subscription), newest first.
fn open_invoices(filter: Filter, limit: usize) -> ListQuery {
    invoices(vec![filter, Filter::Status("open".into())], limit)
}

/// The first `limit` invoices (newest first, not deleted drafts) that `filters` select.
fn invoices(filters: Vec<Filter>, limit: usize) -> ListQuery {
    ListQuery {
        kind: "invoice",
        filters,
        cursor: Cursor::Start,
        limit,
        include_deleted: false,
    }
}

/// The last `limit` invoices of subscription `id` (not deleted drafts), newest first.
pub(crate) async fn recent_invoices_of(
    app: &App,
    account: &AccountId,
    id: &str,
    limit: usize,
) -> Result<Vec<Invoice>, Failure> {
    let q = invoices(vec![Filter::Lookup(id.to_owned())], limit);
    let page = app.store.list(account, &q).await?;
    let found = portico_store::decode_all::<Invoice>(&*app.store, account, &page)?;
    Ok(found.into_iter().map(|v| v.value).collect())
}

/// The writes that stop the automatic collection of `customer`'s open invoices (but
/// `except`, written by the caller): Stripe's default when a subscription is canceled, "to
/// prevent unexpected payment attempts after the customer has canceled".
pub async fn stop_collection(
    app: &App,
    account: &AccountId,
    customer: &str,
    except: Option<&str>,
) -> Result<Vec<Write>, Failure> {
    let q = open_invoices(Filter::Parent(customer.to_owned()), 100);
    let first = app.store.list(account, &q).await?;
    Ok(every_page::<Invoice>(app, account, q, first)
        .await?
        .into_iter()
        .filter(|i| i.value.auto_advance && Some(i.value.id.as_str()) != except)
        .map(|mut i| {
            i.value.auto_advance = false;
            Write::Update(i.next_record())
        })
        .collect())
}

/// `sub`'s open invoices, newest first.
async fn open_invoices_of(
    app: &App,
    account: &AccountId,
    sub: &Subscription,
) -> Result<Vec<Versioned<Invoice>>, Failure> {
    let page = app
        .store
        .list(account, &open_invoices(Filter::Lookup(sub.id.clone()), 100))
        .await?;
    Ok(portico_store::decode_all::<Invoice>(
        &*app.store,
        account,
        &page,
    )?)
}

/// Whether `inv`, open, is on the retry schedule: charged automatically, collected, and tried
/// before. A sent invoice never is.
fn retried(inv: &Invoice) -> bool {
    !inv.send_invoice && inv.auto_advance && inv.attempt_count > 0
}

/// Whether `sub` is still behind with its payments at `now` once invoice `except` is paid: it
/// has another of its own invoices open that was to be charged (on the retry schedule, or left
/// for the customer to pay), or one sent and past its due date. Invoices made by hand do not
/// count.
pub async fn still_behind(
    app: &App,
    account: &AccountId,
    sub: &Subscription,
    except: &str,
    now: i64,
) -> Result<bool, Failure> {
    Ok(open_invoices_of(app, account, sub)
        .await?
        .iter()
        .filter(|i| i.value.id != except && i.value.amount_remaining() > 0)
        .filter(|i| i.value.billing_reason != "manual")
        .any(|i| !i.value.send_invoice || i.value.overdue_at(now)))
}

/// The oldest of `sub`'s sent invoices still unpaid past their due date at `now`.
pub async fn oldest_overdue(
    app: &App,
    account: &AccountId,
    sub: &Subscription,
    now: i64,
) -> Result<Option<Versioned<Invoice>>, Failure> {
    Ok(open_invoices_of(app, account, sub)
        .await?
        .into_iter()
        .rfind(|i| i.value.overdue_at(now) && i.value.amount_remaining() > 0))
}

/// The due dates of `sub`'s sent invoices still unpaid.
async fn sent_due_dates(
    app: &App,
    account: &AccountId,
    sub: &Subscription,
) -> Result<Vec<i64>, Failure> {
    Ok(open_invoices_of(app, account, sub)
        .await?
        .iter()
        .filter(|i| i.value.send_invoice && i.value.amount_remaining() > 0)
        .filter_map(|i| i.value.due_date)
        .collect())
}

/// The newest of `sub`'s invoices still open (but `except`): with `retried`, only one on the
/// retry schedule (tried, collected automatically, not sent).
pub(crate) async fn unpaid_invoice(
    app: &App,
    account: &AccountId,
    sub: &Subscription,
    on_retries: bool,
    except: Option<&str>,
) -> Result<Option<Versioned<Invoice>>, Failure> {
    Ok(open_invoices_of(app, account, sub)
        .await?
        .into_iter()
        .find(|i| Some(i.value.id.as_str()) != except && (!on_retries || retried(&i.value))))
}

/// The writes that finalize and charge `sub`'s renewal draft once its hour is up (the
/// subscription's own write aside; its `draft_invoice` is taken). A draft whose automatic
/// collection was turned off, or that was voided or paid by hand meanwhile, is left as it is;
/// one finalized by hand is charged now; one whose first payment, made by hand meanwhile,
/// failed makes the subscription past due as a failed renewal does. A subscription that ended
/// meanwhile has its draft finalized but not collected, as Stripe stops collecting a canceled
/// subscription's invoices; so has a customer deleted meanwhile (left a draft). Gives the
/// customer too when finalizing changed it (its balance, its invoice numbers), for the caller
/// to write.
async fn finalize_renewal(
    app: &App,
    account: &AccountId,
    at: i64,
    sub: &mut Subscription,
) -> Result<(Vec<Write>, Option<Versioned<Customer>>), Failure> {
    let Some(draft) = sub.draft_invoice.take() else {
        return Ok((Vec::new(), None));
    };
    let Some(mut inv) = portico_store::get::<Invoice>(&*app.store, account, &draft.id).await?
    else {
        return Ok((Vec::new(), None));
    };
    let waiting = match inv.value.status {
        InvoiceStatus::Draft => !inv.value.deleted,
        InvoiceStatus::Open => true,
        _ => false,
    };
    if !waiting || !inv.value.auto_advance {
        return Ok((Vec::new(), None));
    }
    let mut writes = Vec::new();
    let mut changed = None;
    if inv.value.status == InvoiceStatus::Draft {
        let customer =
            portico_store::get::<Customer>(&*app.store, account, &inv.value.customer).await?;
        let Some(mut customer) = customer.filter(|c| !c.value.deleted) else {
            // The customer is gone: the draft stays one, no longer advanced.
            inv.value.auto_advance = false;
            return Ok((vec![Write::Update(inv.next_record())], None));
        };
        finalize_for(&mut inv.value, &mut customer.value, at)?;
        changed = Some(customer);
    }
    let unpaid = inv.value.status == InvoiceStatus::Open && inv.value.amount_due() > 0;
    if sub.status.is_ended() {
        inv.value.auto_advance = false;
    } else if unpaid && inv.value.attempt_count > 0 && !inv.value.send_invoice {
        // Its first payment was made by hand, and failed, before such a failure made the
        // subscription past due at once (`renewal_failed_by_hand`): the retry schedule takes over.
        sub.payment_failed(inv.value.created, inv.value.attempt_count);
    } else if unpaid {
        writes.extend(charge_as(app, account, at, sub, &mut inv.value, OFF_SESSION).await?);
    }
    // The latest finalized invoice is paid: a past-due subscription is in good standing again,
    // unless an older one is still on its retry schedule.
    let behind = matches!(
        sub.status,
        SubscriptionStatus::PastDue | SubscriptionStatus::Unpaid
    );
    if inv.value.status == InvoiceStatus::Paid
        && behind
        && unpaid_invoice(app, account, sub, true, Some(&inv.value.id))
            .await?
            .is_none()
    {
        sub.first_invoice_paid();
    }
    writes.insert(0, Write::Update(inv.next_record()));
    Ok((writes, changed))
}

/// How a renewal is made: `collect` (see [`charge_as`]); `later`, when it falls due by itself,
/// its invoice drafted for an hour; `customer` as the same commit already changed it, if it did.
struct RenewAs<'a> {
    collect: Collect<'a>,
    later: bool,
    customer: Option<Versioned<Customer>>,
}

/// A renewal: the next period, its invoice (with the discounts still in force, `fresh` ones
/// made in the same request among them), finalized and charged as `collect` says
/// ([`OFF_SESSION`] for the renewals that fall due by themselves) — or, `later` (a renewal
/// falling due by itself), left a draft to be finalized and charged an hour on, as Stripe's are.
async fn renew(
    app: &App,
    account: &AccountId,
    at: i64,
    sub: &mut Versioned<Subscription>,
    fresh: &[Discount],
    how: RenewAs<'_>,
) -> Result<Vec<Write>, Failure> {
    let RenewAs {
        collect,
        later,
        customer,
    } = how;
    let mut ids = crate::ids::Ids;
    let mut ctx = Ctx {
        now: at,
        livemode: sub.value.livemode,
        ids: &mut ids,
    };
    // A schedule changes the items at its phase boundary, or ends with its last phase.
    let mut schedule_write = None;
    if let Some(id) = sub.value.schedule.clone() {
        if let Some(mut sched) = portico_store::get::<Schedule>(&*app.store, account, &id).await? {
            if sched.value.status == ScheduleStatus::Active {
                if let Some(phase) = sched.value.phase_starting_at(at).cloned() {
                    apply_phase(&mut sub.value, &phase, &mut ctx);
                    schedule_write = Some(Write::Update(sched.next_record()));
                } else if at >= sched.value.end() {
                    if sched.value.end_behavior == "cancel" {
                        sched.value.complete(at);
                        sub.value.end(at, "cancellation_requested");
                        let mut writes = vec![
                            Write::Update(sub.next_record()),
                            Write::Update(sched.next_record()),
                        ];
                        writes.extend(customer.map(|c| Write::Update(c.next_record())));
                        let owner = sub.value.customer.clone();
                        writes.extend(stop_collection(app, account, &owner, None).await?);
                        return Ok(writes);
                    }
                    sched.value.release(at)?;
                    sub.value.schedule = None;
                    sched.value.show_cancel(&mut sub.value);
                    schedule_write = Some(Write::Update(sched.next_record()));
                }
            }
        }
    }
    // A trial that ends with no payment method to charge may cancel or pause the subscription
    // instead of billing it (`trial_settings`).
    // (Not while collection is paused: such a subscription is billed, and never pauses.)
    let collection_paused = sub.value.collection_paused_at(at);
    if sub.value.status == SubscriptionStatus::Trialing
        && collection_paused.is_none()
        && sub.value.missing_payment_method != MissingPaymentMethod::CreateInvoice
        && payment_method_for(app, account, &sub.value)
            .await?
            .is_none()
        && sub.value.end_trial_without_payment_method(at)
    {
        // Canceled, the subscription takes its schedule along (instead of the phase the
        // schedule was about to start); paused, the schedule goes on.
        // (A schedule this renewal released already stays released.)
        let schedule_write = if sub.value.status.is_ended() && sub.value.schedule.is_some() {
            settle_schedule(app, account, &mut sub.value, at, false).await?
        } else {
            schedule_write
        };
        let mut writes = vec![Write::Update(sub.next_record())];
        writes.extend(schedule_write);
        writes.extend(customer.map(|c| Write::Update(c.next_record())));
        if sub.value.status.is_ended() {
            let owner = sub.value.customer.clone();
            writes.extend(stop_collection(app, account, &owner, None).await?);
        }
        return Ok(writes);
    }
    // A renewal invoice looks back over the period that ends (its lines bill the next one).
    let period = sub.value.current_period();
    // The customer's pending invoice items come first, as Stripe lists them.
    let pending = crate::api::invoice_item::Pending::for_invoice_of(
        app, account, &sub.value, false, &mut ctx,
    )
    .await?;
    let lines = pending.before(sub.value.renew(&mut ctx));
    // The customer as this commit already changed it, if it did (a draft finalized first).
    let customer = match customer {
        Some(c) => Some(c),
        None => portico_store::get::<Customer>(&*app.store, account, &sub.value.customer).await?,
    };
    let Some(mut customer) = customer else {
        return Err(ApiError::internal().into());
    };
    // Paused collection settles the invoice at once (kept as a draft, or not collected).
    let later = later && collection_paused.is_none();
    let mut inv = bill(
        app,
        account,
        &mut customer,
        &sub.value,
        "subscription_cycle",
        lines,
        period,
        !later && collection_paused != Some(PauseBehavior::KeepAsDraft),
        &mut ctx,
        fresh,
    )
    .await?;
    if later {
        let finalizes_at = at + portico_domain::subscription::RENEWAL_DRAFT_SECS;
        inv.finalize_later(finalizes_at);
        sub.value.await_draft(&inv.id, finalizes_at);
    }
    // What the payment changes of the subscription (see `charge_as`).
    let paid_fields =
        |s: &Subscription| (s.status, s.next_retry_at, s.default_payment_method.clone());
    let before_payment = paid_fields(&sub.value);
    // Paused collection: the invoice is kept as a draft, written off or voided, never charged.
    let extra = match collection_paused {
        None if later => None,
        None => charge_as(app, account, at, &mut sub.value, &mut inv, collect).await?,
        Some(behavior) => {
            customer.value.balance += inv.pause_collection(behavior, at)?;
            None
        }
    };
    let ended = discounts_left_behind(app, account, &mut sub.value, &inv, at, fresh).await?;
    sub.value.latest_invoice = Some(inv.id.clone());
    let mut writes = Vec::new();
    // A payment that changes the subscription (a decline makes it past due) is a change of its
    // own, announced after the renewal and its invoice, as Stripe's are.
    if paid_fields(&sub.value) != before_payment {
        let mut renewed = sub.clone();
        (
            renewed.value.status,
            renewed.value.next_retry_at,
            renewed.value.default_payment_method,
        ) = before_payment;
        writes.push(Write::Update(renewed.next_record()));
        sub.version += 1;
    }
    let paid = (!writes.is_empty()).then(|| Write::Update(sub.next_record()));
    if writes.is_empty() {
        writes.push(Write::Update(sub.next_record()));
    }
    writes.push(Write::Update(customer.next_record()));
    writes.push(Write::Insert(Versioned::new_record(&inv)));
    writes.extend(pending.attach(&inv));
    writes.extend(paid);
    writes.extend(extra);
    writes.extend(schedule_write);
    writes.extend(ended);
    Ok(writes)
}

/// Takes off `sub` the discounts its renewal invoice `inv` (made at `at`, not yet its latest)
/// leaves behind: those that had ended before it (a `repeating` one past its end, a `once` one
/// spent earlier) and the `once` ones it spends. Gives their writes ([`end_discounts`]).
/// Discounts the request makes (`fresh`, not stored yet) stay.
async fn discounts_left_behind(
    app: &App,
    account: &AccountId,
    sub: &mut Subscription,
    inv: &Invoice,
    at: i64,
    fresh: &[Discount],
) -> Result<Vec<Write>, Failure> {
    if sub.discounts.is_empty() {
        return Ok(Vec::new());
    }
    let in_force: Vec<String> = discounts_in_force(app, account, sub, at, fresh)
        .await?
        .into_iter()
        .map(|(d, _)| d.id)
        .collect();
    let spent = once_spent_by(app, account, inv, fresh).await?;
    let gone: Vec<String> = sub
        .discounts
        .iter()
        .filter(|id| !in_force.contains(id) || spent.contains(id))
        .filter(|id| !fresh.iter().any(|f| &f.id == *id))
        .cloned()
        .collect();
    sub.discounts.retain(|id| !gone.contains(id));
    end_discounts(app, account, &gone).await
}

/// Charges `inv`, a finalized invoice of `sub`, off-session at `at`, as a renewal is: a declined
/// or unauthenticated payment makes the subscription past due, retried on Stripe's schedule.
/// Gives the write of the 3-D Secure link when the payment needs one (or, for an invoice sent
/// for payment rather than charged, of the email that sends it).
pub async fn charge_off_session(
    app: &App,
    account: &AccountId,
    at: i64,
    sub: &mut Subscription,
    inv: &mut Invoice,
) -> Result<Option<Write>, Failure> {
    charge_as(app, account, at, sub, inv, OFF_SESSION).await
}

/// How a request asks for an invoice to be collected: its `payment_behavior` (or the portal's
/// own, [`crate::api::subscription_change::PORTAL_PAYMENT`]) and whether the customer is away.
#[derive(Clone, Copy)]
pub struct Collect<'a> {
    pub payment_behavior: &'a str,
    pub off_session: bool,
}

/// The charges nobody waits on (renewals, retries): a charge that fails leaves the subscription
/// past due.
pub const OFF_SESSION: Collect<'static> = Collect {
    payment_behavior: "allow_incomplete",
    off_session: true,
};

/// `inv`, a finalized invoice of `sub` sent for payment rather than charged: the subscription
/// waits on its due date, and it is emailed to the customer (when they have an address, it has
/// something to pay, and it was not sent already, as one finalized by hand during its hour
/// was). The email's write, if there is one.
pub async fn send_for_payment(
    app: &App,
    account: &AccountId,
    at: i64,
    sub: &mut Subscription,
    inv: &mut Invoice,
) -> Result<Option<Write>, Failure> {
    sub.invoice_sent(inv);
    if inv.amount_due() <= 0 || inv.times_sent > 0 {
        return Ok(None);
    }
    Ok(crate::pages::invoice_mail::send(app, account, inv, at)
        .await?
        .ok())
}

/// [`charge_off_session`] as a request asked (`collect`): with `default_incomplete` the invoice
/// is left open for the customer to pay and the subscription is past due, with no automatic
/// retries; with `error_if_incomplete` (or `pending_if_incomplete`, whose pending update a
/// renewal does not keep) a charge that fails refuses the whole request (402), so nothing of it
/// is stored. In the portal a declined card refuses the change; one that needs 3-D Secure
/// leaves the invoice waiting for it, as a renewal's does.
pub async fn charge_as(
    app: &App,
    account: &AccountId,
    at: i64,
    sub: &mut Subscription,
    inv: &mut Invoice,
    collect: Collect<'_>,
) -> Result<Option<Write>, Failure> {
    if inv.amount_due() <= 0 {
        return Ok(None);
    }
    if inv.send_invoice {
        return send_for_payment(app, account, at, sub, inv).await;
    }
    let behavior = collect.payment_behavior;
    if behavior == "default_incomplete" {
        sub.status = SubscriptionStatus::PastDue;
        sub.next_retry_at = None;
        return Ok(None);
    }
    let strict = matches!(behavior, "error_if_incomplete" | "pending_if_incomplete");
    let portal = behavior == crate::api::subscription_change::PORTAL_PAYMENT;
    // The invoice's own card first (one set on a renewal's draft during its hour), then the
    // subscription's, then the customer's.
    let own = match &inv.default_payment_method {
        Some(id) => portico_store::get::<PaymentMethod>(&*app.store, account, id)
            .await?
            .filter(|p| p.value.customer.as_deref() == Some(inv.customer.as_str()))
            .map(|p| p.value),
        None => None,
    };
    let pm = match own {
        Some(pm) => Some(pm),
        None => payment_method_for(app, account, sub).await?,
    };
    let token = RandomIds.next("", 43);
    let outcome = inv.attempt_payment(pm.as_ref(), collect.off_session, false, at, || {
        token.clone()
    })?;
    match outcome {
        PaymentOutcome::Paid => {
            if let Some(pm) = &pm {
                sub.paid_with(&pm.id);
            }
            return Ok(None);
        }
        PaymentOutcome::Declined(d) if strict || portal => {
            return Err(ApiError::card(&d, None).into())
        }
        PaymentOutcome::RequiresAction if strict => {
            return Err(ApiError::card(&portico_domain::card::AUTHENTICATION_REQUIRED, None).into())
        }
        _ => {}
    }
    sub.payment_failed(inv.created, inv.attempt_count);
    Ok((outcome == PaymentOutcome::RequiresAction)
        .then(|| token_write(app, account, &inv.id, &token)))
}

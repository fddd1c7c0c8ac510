//! `/v1/subscription_schedules`: schedules made from existing subscriptions (`from_subscription`)
//! — create, retrieve, list, update phases, release, cancel. The billing engine applies each
//! phase when the subscription's period ends.

use crate::api::price::{resolve_price, PriceRef};
use crate::http::{Api, Failure, PathId, Reply};
use crate::objects::{created_filters, list, load, load_live, now_for, respond, with_retries};
use crate::state::App;
use axum::extract::State;
use portico_domain::customer::Customer;
use portico_domain::metadata::MetadataUpdate;
use portico_domain::price::{Interval, Recurring};
use portico_domain::schedule::{PhaseItem, PhaseRequest, Schedule, ScheduleStatus};
use portico_domain::subscription::{BillingMode, CancellationDetails, Subscription};
use portico_domain::{Ctx, DomainError};
use portico_store::{Cmp, Filter, Versioned, Write};
use portico_wire::list::{read_created, read_list_params, read_range};
use portico_wire::reader::now_or_timestamp;
use portico_wire::{render, ApiError, Reader};

/// A phase as read: prices still ids.
struct PhaseParams {
    items: Vec<(
        Option<PriceRef>,
        Option<i64>,
        portico_domain::metadata::MetadataUpdate,
    )>,
    start_date: Option<i64>,
    /// `start_date=now`, which `start_date` leaves as `None`.
    start_now: bool,
    end_date: Option<i64>,
    duration: Option<Recurring>,
    proration_behavior: Option<&'static str>,
    trial_end: Option<i64>,
    currency: Option<String>,
}

fn read_phases(r: &mut Reader<'_>) -> Option<Vec<PhaseParams>> {
    r.list("phases", |p| {
        for key in [
            "add_invoice_items",
            "application_fee_percent",
            "automatic_tax",
            "billing_cycle_anchor",
            "billing_thresholds",
            "collection_method",
            "default_payment_method",
            "default_tax_rates",
            "description",
            "discounts",
            "invoice_settings",
            "metadata",
            "on_behalf_of",
            "transfer_data",
            "trial",
        ] {
            p.unsupported(key, "this phase setting is not implemented.");
        }
        p.require("items");
        let items = p
            .list("items", |i| {
                crate::api::subscription::refuse_item_extras(i);
                let metadata = i.metadata("metadata", false);
                let price = crate::api::price::read_price_ref(i, true, true);
                (price, i.int("quantity"), metadata)
            })
            .unwrap_or_default();
        // `now` means the current phase's start, which is where the first phase starts anyway.
        let raw_start = p.string("start_date", 20);
        let start_now = raw_start.as_deref() == Some("now");
        let start_date = match raw_start.as_deref().map(|t| now_or_timestamp(t, &p.path_of("start_date"))) {
            Some(Ok(start)) => start,
            Some(Err(e)) => {
                p.error(e);
                None
            }
            None => None,
        };
        PhaseParams {
            items,
            start_date,
            start_now,
            end_date: p.timestamp("end_date"),
            trial_end: p.timestamp("trial_end"),
            currency: p.string("currency", 3),
            duration: p.object("duration", |d| {
                d.require("interval");
                let interval = d
                    .enumeration("interval", Interval::VALUES)
                    .and_then(Interval::parse)
                    .unwrap_or(Interval::Month);
                let interval_count = d.int("interval_count").unwrap_or(1);
                // At most a hundred years, whatever the interval.
                let most = match interval {
                    Interval::Day => 36_500,
                    Interval::Week => 5_200,
                    Interval::Month => 1_200,
                    Interval::Year => 100,
                };
                if !(1..=most).contains(&interval_count) {
                    d.error(ApiError::invalid(
                        Some(d.path_of("interval_count")),
                        None,
                        format!(
                            "Invalid interval_count: a phase's duration must be between 1 and {most} {}s (a hundred years).",
                            interval.as_str()
                        ),
                    ));
                }
                Recurring {
                    interval,
                    interval_count: interval_count.clamp(1, most),
                }
            }),
            proration_behavior: p.enumeration(
                "proration_behavior",
                &["always_invoice", "create_prorations", "none"],
            ),
        }
    })
}

/// Loads the prices of the phases, or makes them from `price_data` (dated `now`), returning
/// the inserts of those made.
async fn phase_requests(
    app: &App,
    api: &Api,
    phases: Vec<PhaseParams>,
    now: i64,
) -> Result<(Vec<PhaseRequest>, Vec<Write>), Failure> {
    let mut out = Vec::with_capacity(phases.len());
    let mut made = Vec::new();
    for (i, p) in phases.into_iter().enumerate() {
        let mut items = Vec::with_capacity(p.items.len());
        for (j, (price, quantity, metadata)) in p.items.into_iter().enumerate() {
            let item = format!("phases[{i}][items][{j}]");
            let price =
                price.ok_or_else(|| Failure::from(ApiError::missing(&format!("{item}[price]"))))?;
            let (price, product) = resolve_price(
                app,
                &api.caller.account,
                &price,
                &item,
                now,
                api.caller.livemode,
                &mut made,
            )
            .await?;
            let product_name = product.name;
            // Metadata given for the item is what the subscription item gets at the phase's start.
            let metadata = (!metadata.is_empty())
                .then(|| metadata.build(&format!("phases[{i}][items][{j}][metadata]")))
                .transpose()?;
            items.push(PhaseItem {
                price,
                product_name,
                quantity: quantity.unwrap_or(1),
                metadata,
            });
        }
        out.push(PhaseRequest {
            items,
            start_date: p.start_date,
            end_date: p.end_date,
            duration: p.duration,
            proration_behavior: p.proration_behavior.map(str::to_owned),
            trial_end: p.trial_end,
            currency: p.currency,
        });
    }
    Ok((out, made))
}

/// `POST /v1/subscription_schedules`: from an existing subscription, or for a customer with
/// phases, starting now (the subscription is created with the first phase's items).
pub async fn create_subscription_schedule(State(app): State<App>, mut api: Api) -> Reply {
    let (create, expand) = api.read(|r| {
        r.unsupported("customer_account", "Accounts v2 customers are not implemented.");
        let metadata = r.metadata("metadata", false);
        let create = if r.has("from_subscription") {
            // The subscription brings its own phase, customer, mode and settings.
            for key in [
                "customer",
                "phases",
                "start_date",
                "end_behavior",
                "billing_mode",
                "default_settings",
            ] {
                if r.has(key) {
                    r.error(ApiError::invalid(
                        Some(key.into()),
                        None,
                        format!("`{key}` cannot be combined with `from_subscription`: the schedule starts from the subscription as it is; update the schedule's phases after."),
                    ));
                }
            }
            ScheduleCreate::From(r.required_string("from_subscription", 5000), metadata)
        } else {
            let customer = r.required_string("customer", 5000);
            r.require("start_date");
            let start_date = r.string("start_date", 20);
            r.require("phases");
            ScheduleCreate::ForCustomer {
                collection: read_default_settings(r),
                customer,
                start_date,
                phases: read_phases(r).unwrap_or_default(),
                end_behavior: r.enumeration("end_behavior", &["cancel", "none", "release", "renew"]),
                billing_mode: crate::api::subscription::read_billing_mode(r),
                metadata,
            }
        };
        (create, r.expand("subscription_schedule", false))
    })?;
    let from = match create {
        ScheduleCreate::From(from, metadata) => (from, metadata),
        ScheduleCreate::ForCustomer {
            collection,
            customer,
            start_date,
            phases,
            end_behavior,
            billing_mode,
            metadata,
        } => {
            let days_until_due = settings_days(collection, None)?;
            let schedule = for_customer(
                &app,
                &api,
                customer,
                start_date.unwrap_or_default(),
                phases,
                (end_behavior, billing_mode, days_until_due),
                metadata,
            )
            .await?;
            let now = now_for(
                &app,
                &api.caller.account,
                schedule.test_clock.as_deref(),
                api.now,
            )
            .await?;
            return respond(
                &app,
                &api,
                render::subscription_schedule(&schedule, now),
                &expand,
            )
            .await;
        }
    };
    let (from, metadata) = from;
    let (app_, api_, from_, metadata_) = (&app, &api, &from, &metadata);
    let schedule = with_retries(|| async move {
        let mut sub =
            load_live::<Subscription>(app_, &api_.caller.account, from_, Some("from_subscription"))
                .await?;
        if let Some(existing) = &sub.value.schedule {
            return Err(DomainError::invalid(
                "from_subscription",
                format!(
                    "The subscription is already managed by the subscription schedule {existing}."
                ),
            )
            .into());
        }
        let now = now_for(
            app_,
            &api_.caller.account,
            sub.value.test_clock.as_deref(),
            api_.now,
        )
        .await?;
        let mut ids = crate::ids::Ids;
        let mut ctx = Ctx {
            now,
            livemode: api_.caller.livemode,
            ids: &mut ids,
        };
        let mut schedule = Schedule::from_subscription(&sub.value, &mut ctx)?;
        schedule.metadata = metadata_.build("metadata")?;
        sub.value.schedule = Some(schedule.id.clone());
        // Its events render the schedule as of the subscription's clock (its current phase).
        app_.commit_at(
            &api_.caller.account,
            vec![
                Write::Insert(Versioned::new_record(&schedule)),
                Write::Update(sub.next_record()),
            ],
            now,
        )
        .await?;
        Ok::<_, Failure>((schedule, now))
    })
    .await?;
    respond(
        &app,
        &api,
        render::subscription_schedule(&schedule.0, schedule.1),
        &expand,
    )
    .await
}

/// How far ahead a schedule may start.
const MAX_START_AHEAD_SECS: i64 = 5 * 366 * 86_400;

/// The two ways to create a schedule, as read.
enum ScheduleCreate {
    From(String, MetadataUpdate),
    ForCustomer {
        /// `default_settings`: `collection_method` (`send_invoice`: `Some(true)`) and
        /// `invoice_settings[days_until_due]`.
        collection: (Option<bool>, Option<i64>),
        customer: String,
        start_date: Option<String>,
        phases: Vec<PhaseParams>,
        end_behavior: Option<&'static str>,
        billing_mode: Option<BillingMode>,
        metadata: MetadataUpdate,
    },
}

/// A schedule for `customer` starting now: its subscription is created with the first phase's
/// items (and its first invoice collected, as `POST /v1/subscriptions` does), and the schedule
/// with all the phases, in one commit.
async fn for_customer(
    app: &App,
    api: &Api,
    customer: String,
    start_date: String,
    phases: Vec<PhaseParams>,
    (end_behavior, billing_mode, days_until_due): (
        Option<&'static str>,
        Option<BillingMode>,
        Option<i64>,
    ),
    metadata: MetadataUpdate,
) -> Result<Schedule, Failure> {
    check_end_behavior(end_behavior)?;
    let account = &api.caller.account;
    let owner = load_live::<Customer>(app, account, &customer, Some("customer")).await?;
    let now = now_for(app, account, owner.value.test_clock.as_deref(), api.now).await?;
    // `now`, or a moment to come; the request's own second counts as now.
    let start = match start_date.as_str() {
        "now" => None,
        t => match t.parse::<i64>() {
            Ok(t) if t > now + MAX_START_AHEAD_SECS => {
                return Err(ApiError::invalid(
                    Some("start_date".into()),
                    None,
                    "Invalid start_date: a schedule can start at most five years from now.",
                )
                .into())
            }
            Ok(t) if t > now => Some(t),
            Ok(t) if t == now => None,
            Ok(_) => {
                return Err(ApiError::invalid(
                    Some("start_date".into()),
                    None,
                    "Backdating a schedule's start is not implemented: use `start_date=now` or a time to come.",
                )
                .into())
            }
            Err(_) => {
                return Err(ApiError::invalid(
                    Some("start_date".into()),
                    None,
                    format!("Invalid start_date: '{t}'. Use a unix timestamp or 'now'."),
                )
                .into())
            }
        },
    };
    let (requests, prices) = phase_requests(app, api, phases, now).await?;
    let first = first_phase(&requests)?;
    let mut p = first_phase_subscription(&customer, &first.items, billing_mode, days_until_due);
    p.prices = prices;
    let livemode = api.caller.livemode;
    if let Some(start) = start {
        p.at = Some(start);
        return later(app, api, &p, now, requests, end_behavior, &metadata).await;
    }
    let attach = move |sub: &mut Subscription, at: i64| -> Result<Vec<Write>, Failure> {
        let mut ids = crate::ids::Ids;
        let mut ctx = Ctx {
            now: at,
            livemode,
            ids: &mut ids,
        };
        let schedule =
            Schedule::with_phases(sub, requests.clone(), &metadata, end_behavior, &mut ctx)?;
        sub.schedule = Some(schedule.id.clone());
        schedule.show_cancel(sub);
        Ok(vec![Write::Insert(Versioned::new_record(&schedule))])
    };
    let (app_, api_, p_, attach_) = (app, api, &p, &attach);
    let sub = with_retries(|| async move {
        crate::api::subscription::create_once(app_, api_, p_, Some(attach_))
            .await
            .map_err(in_first_phase)
    })
    .await?;
    let id = sub.schedule.unwrap_or_default();
    Ok(load::<Schedule>(app, account, &id, None).await?.value)
}

/// `default_settings` as sent: `collection_method` (`send_invoice`: `Some(true)`) and
/// `invoice_settings[days_until_due]`; the other settings are refused by name.
fn read_default_settings(r: &mut Reader<'_>) -> (Option<bool>, Option<i64>) {
    r.object("default_settings", |d| {
        for key in [
            "application_fee_percent",
            "automatic_tax",
            "billing_cycle_anchor",
            "billing_thresholds",
            "default_payment_method",
            "description",
            "on_behalf_of",
            "transfer_data",
        ] {
            d.unsupported(
                key,
                "this schedule default setting is not implemented; set each phase instead.",
            );
        }
        let send = crate::api::subscription::read_collection_method(d);
        let days = d
            .object("invoice_settings", |i| {
                i.unsupported("account_tax_ids", "tax ids are not implemented.");
                i.unsupported("issuer", "Connect is not implemented.");
                i.int_between(
                    "days_until_due",
                    0,
                    crate::api::subscription::MAX_DAYS_UNTIL_DUE,
                )
            })
            .flatten();
        (send, days)
    })
    .unwrap_or((None, None))
}

/// The schedule's `days_until_due` once `default_settings` (as read) apply over `current`.
fn settings_days(
    sent: (Option<bool>, Option<i64>),
    current: Option<i64>,
) -> Result<Option<i64>, Failure> {
    portico_domain::subscription::collection_days(sent, current).map_err(|_| {
        ApiError::invalid(
            Some("default_settings[invoice_settings][days_until_due]".into()),
            None,
            "`default_settings[invoice_settings][days_until_due]` can only be set when `default_settings[collection_method]` is `send_invoice`.",
        )
        .into()
    })
}

/// The first of the phases, which a schedule needs.
fn first_phase(requests: &[PhaseRequest]) -> Result<&PhaseRequest, Failure> {
    requests.first().ok_or_else(|| {
        Failure::from(ApiError::invalid(
            Some("phases".into()),
            None,
            "A schedule needs at least one phase.",
        ))
    })
}

/// An error about the subscription a schedule's first phase creates, naming the phase's item
/// (`phases[0][items][0][price]`) instead of the subscription's (`items[0][price]`).
fn in_first_phase(f: Failure) -> Failure {
    crate::api::subscription_change::items_named(f, "phases[0][items]")
}

/// The subscription a schedule's first phase creates for `customer`: its items, with the first
/// invoice charged off-session, as a schedule's start is, without the customer at hand.
fn first_phase_subscription(
    customer: &str,
    items: &[PhaseItem],
    billing_mode: Option<BillingMode>,
    days_until_due: Option<i64>,
) -> crate::api::subscription::CreateParams {
    crate::api::subscription::CreateParams {
        collection: (days_until_due.map(|_| true), days_until_due),
        customer: customer.to_owned(),
        items: items
            .iter()
            .map(|i| {
                let metadata = i.metadata.as_ref().map(MetadataUpdate::setting);
                // A price made from `price_data` is used as made: it may not be stored yet.
                let price = if i.price.inline {
                    PriceRef::Made(Box::new(i.price.clone()))
                } else {
                    PriceRef::Id(i.price.id.to_string())
                };
                (Some(price), Some(i.quantity), metadata.unwrap_or_default())
            })
            .collect(),
        billing_mode,
        payment_behavior: "allow_incomplete",
        off_session: true,
        ..Default::default()
    }
}

/// A schedule that starts at `p.at`: checked and laid out against the subscription its first
/// phase would create then (which is not stored), and kept `not_started` until the billing
/// engine creates that subscription at its start.
async fn later(
    app: &App,
    api: &Api,
    p: &crate::api::subscription::CreateParams,
    now: i64,
    requests: Vec<PhaseRequest>,
    end_behavior: Option<&'static str>,
    metadata: &MetadataUpdate,
) -> Result<Schedule, Failure> {
    let draft = crate::api::subscription::draft_first_invoice(app, api, p)
        .await
        .map_err(in_first_phase)?;
    let mut ids = crate::ids::Ids;
    let mut ctx = Ctx {
        now,
        livemode: api.caller.livemode,
        ids: &mut ids,
    };
    let mut schedule =
        Schedule::with_phases(&draft.sub, requests, metadata, end_behavior, &mut ctx)?;
    schedule.wait_for_start();
    let mut writes = draft.prices;
    writes.push(Write::Insert(Versioned::new_record(&schedule)));
    app.commit_at(&api.caller.account, writes, now).await?;
    Ok(schedule)
}

/// Starts a schedule that was waiting for its start, at that start: creates its subscription
/// with the first phase's items, as `POST /v1/subscriptions` does with the customer's default
/// card charged off-session, and makes it the schedule's, in one commit. Run by the billing
/// engine; a schedule changed meanwhile (canceled) loses the version check and stays as it is.
pub async fn start_schedule(
    app: &App,
    account: &portico_domain::AccountId,
    schedule: Versioned<Schedule>,
) -> Result<(), Failure> {
    let Some(at) = schedule.value.starts_at() else {
        return Ok(());
    };
    let Some(first) = schedule.value.phases.first().cloned() else {
        return Ok(());
    };
    let mut p = first_phase_subscription(
        &schedule.value.customer,
        &first.items,
        Some(schedule.value.billing_mode),
        schedule.value.days_until_due,
    );
    p.at = Some(at);
    // The subscription is made as of `at` (`p.at`); the request's own time, which dates the
    // 3-D Secure link if one is needed, is the server's.
    let api = Api::on_behalf(
        crate::auth::Caller {
            account: account.clone(),
            livemode: schedule.value.livemode,
        },
        app.clock.now(),
    );
    let attach = |sub: &mut Subscription, _at: i64| -> Result<Vec<Write>, Failure> {
        let mut s = schedule.clone();
        s.value.start(sub)?;
        Ok(vec![Write::Update(s.next_record())])
    };
    match crate::api::subscription::create_once(app, &api, &p, Some(&attach)).await {
        Ok(_) => Ok(()),
        // The subscription cannot be made as the schedule says any more (its customer was
        // deleted, it is billed in another currency now): the schedule is canceled rather
        // than tried again at every pass, and the billing of others goes on.
        Err(e) if e.error.status < 500 && e.error.status != 409 => {
            tracing::warn!(schedule = %schedule.value.id, error = %e.error.message, "a schedule could not start; canceled");
            let mut s = schedule;
            s.value.cancel(at)?;
            app.commit_at(account, vec![Write::Update(s.next_record())], at)
                .await?;
            Ok(())
        }
        Err(e) => Err(e),
    }
}

/// Portico runs schedules that end by releasing or canceling their subscription.
fn check_end_behavior(b: Option<&str>) -> Result<(), Failure> {
    if matches!(b, Some("none") | Some("renew")) {
        return Err(ApiError::invalid(
            Some("end_behavior".into()),
            None,
            "Portico supports end_behavior release or cancel.",
        )
        .into());
    }
    Ok(())
}

/// `GET /v1/subscription_schedules/{schedule}`
pub async fn retrieve_subscription_schedule(
    State(app): State<App>,
    PathId(id): PathId,
    mut api: Api,
) -> Reply {
    let expand = api.read(|r| r.expand("subscription_schedule", false))?;
    let s = load::<Schedule>(&app, &api.caller.account, &id, None)
        .await?
        .value;
    let now = crate::objects::now_for_reading(
        &app,
        &api.caller.account,
        s.test_clock.as_deref(),
        api.now,
    )
    .await?;
    respond(&app, &api, render::subscription_schedule(&s, now), &expand).await
}

/// `GET /v1/subscription_schedules`
pub async fn list_subscription_schedules(State(app): State<App>, mut api: Api) -> Reply {
    let (params, customer, created, moments, scheduled) = api.read(|r| {
        let moments: Vec<_> = ["canceled_at", "completed_at", "released_at"]
            .into_iter()
            .map(|key| (key, read_range(r, key)))
            .collect();
        (
            read_list_params(r, "subscription_schedule"),
            r.string("customer", 5000),
            read_created(r),
            moments,
            r.bool("scheduled"),
        )
    })?;
    let mut filters = created_filters(created);
    // As in Stripe, the schedules of customers on a test clock are listed only when their
    // customer is asked for.
    filters.push(match customer {
        Some(c) => Filter::Parent(c),
        None => Filter::Present("test_clock", false),
    });
    // Each moment filter, as `created` is: an exact time or bounds.
    for (field, range) in moments {
        let Some(range) = range else { continue };
        let bounds = [
            (Cmp::Gt, range.gt),
            (Cmp::Gte, range.gte),
            (Cmp::Lt, range.lt),
            (Cmp::Lte, range.lte),
        ];
        for (cmp, v) in bounds {
            if let Some(v) = v {
                filters.push(Filter::FieldCmp(field, cmp, v));
            }
        }
    }
    // `scheduled=true`: the schedules that have not started yet.
    if scheduled == Some(true) {
        filters.push(Filter::Status("not_started".into()));
    }
    list(
        &app,
        &api,
        "subscription_schedule",
        "/v1/subscription_schedules",
        filters,
        params,
    )
    .await
}

/// `POST /v1/subscription_schedules/{schedule}`: phases, end behaviour, metadata.
pub async fn update_subscription_schedule(
    State(app): State<App>,
    PathId(id): PathId,
    mut api: Api,
) -> Reply {
    let (phases, end_behavior, metadata, collection, expand) = api.read(|r| {
        let collection = read_default_settings(r);
        r.enumeration(
            "proration_behavior",
            &["always_invoice", "create_prorations", "none"],
        );
        (
            read_phases(r),
            r.enumeration("end_behavior", &["cancel", "none", "release", "renew"]),
            r.metadata("metadata", true),
            collection,
            r.expand("subscription_schedule", false),
        )
    })?;
    check_end_behavior(end_behavior)?;
    let start_now = phases
        .as_ref()
        .and_then(|p| p.first())
        .is_some_and(|p| p.start_now);
    let (requests, prices) = match phases {
        Some(p) => {
            // Prices made from `price_data` are dated by the schedule's clock.
            let s = load::<Schedule>(&app, &api.caller.account, &id, None).await?;
            let now = now_for(
                &app,
                &api.caller.account,
                s.value.test_clock.as_deref(),
                api.now,
            )
            .await?;
            let (requests, prices) = phase_requests(&app, &api, p, now).await?;
            (Some(requests), prices)
        }
        None => (None, Vec::new()),
    };
    let (app_, api_, id_, requests_, metadata_) = (&app, &api, &id, &requests, &metadata);
    let prices_ = &prices;
    let (schedule, now) = with_retries(|| async move {
        let mut s = load::<Schedule>(app_, &api_.caller.account, id_, None).await?;
        let now = now_for(
            app_,
            &api_.caller.account,
            s.value.test_clock.as_deref(),
            api_.now,
        )
        .await?;
        // An ended schedule is a record: nothing of it changes any more.
        if !matches!(
            s.value.status,
            ScheduleStatus::NotStarted | ScheduleStatus::Active
        ) {
            return Err(DomainError::state(
                None,
                format!(
                    "You cannot update a subscription schedule that is {}.",
                    s.value.status.as_str()
                ),
            )
            .into());
        }
        // New settings first: new phases before the start are checked against them.
        let settled = collection != (None, None);
        if settled {
            s.value.days_until_due = settings_days(collection, s.value.days_until_due)?;
        }
        match requests_ {
            Some(r) if s.value.status == ScheduleStatus::NotStarted => {
                replan_before_start(app_, api_, &mut s.value, r, metadata_, now, start_now).await?
            }
            Some(r) => {
                let sub_id = s.value.subscription.clone().ok_or_else(|| {
                    Failure::from(DomainError::state(
                        None,
                        "This schedule no longer manages a subscription.",
                    ))
                })?;
                let sub = load::<Subscription>(app_, &api_.caller.account, &sub_id, None).await?;
                s.value.set_phases(&sub.value, r.clone(), metadata_)?
            }
            None => metadata_.apply("metadata", &mut s.value.metadata)?,
        }
        if let Some(b) = end_behavior {
            s.value.end_behavior = b.to_owned();
        }
        let mut writes = prices_.clone();
        writes.push(Write::Update(s.next_record()));
        // The subscription shows when the schedule now cancels it, if it does, and is collected
        // as the schedule's settings now say.
        if let Some(sub_id) = &s.value.subscription {
            let mut sub = load::<Subscription>(app_, &api_.caller.account, sub_id, None).await?;
            let mut changed = s.value.show_cancel(&mut sub.value);
            if settled && sub.value.days_until_due != s.value.days_until_due {
                sub.value.days_until_due = s.value.days_until_due;
                changed = true;
            }
            if changed {
                writes.push(Write::Update(sub.next_record()));
            }
        }
        app_.commit_at(&api_.caller.account, writes, now).await?;
        Ok::<_, Failure>((s.value, now))
    })
    .await?;
    respond(
        &app,
        &api,
        render::subscription_schedule(&schedule, now),
        &expand,
    )
    .await
}

/// New phases for a schedule that has not started: checked and laid out, as at its creation,
/// against the subscription the new first phase would create at its start (the first phase's
/// `start_date`, a time to come, or else the start it had).
async fn replan_before_start(
    app: &App,
    api: &Api,
    s: &mut Schedule,
    requests: &[PhaseRequest],
    metadata: &MetadataUpdate,
    now: i64,
    start_now: bool,
) -> Result<(), Failure> {
    let first = first_phase(requests)?;
    let start = match first.start_date {
        _ if start_now => {
            return Err(ApiError::invalid(
                Some("phases[0][start_date]".into()),
                None,
                "Starting a schedule that is waiting for its start now is not implemented: cancel it and create one with `start_date=now`.",
            )
            .into())
        }
        None => s.starts_at().unwrap_or(now),
        Some(t) if t <= now => {
            return Err(ApiError::invalid(
                Some("phases[0][start_date]".into()),
                None,
                "A schedule that has not started can only be moved to a time to come.",
            )
            .into())
        }
        Some(t) if t > now + MAX_START_AHEAD_SECS => {
            return Err(ApiError::invalid(
                Some("phases[0][start_date]".into()),
                None,
                "Invalid start_date: a schedule can start at most five years from now.",
            )
            .into())
        }
        Some(t) => t,
    };
    let mut requests = requests.to_vec();
    requests[0].start_date = Some(start);
    let mut p = first_phase_subscription(
        &s.customer,
        &requests[0].items,
        Some(s.billing_mode),
        s.days_until_due,
    );
    p.at = Some(start);
    let draft = crate::api::subscription::draft_first_invoice(app, api, &p)
        .await
        .map_err(in_first_phase)?;
    s.set_phases_before_start(&draft.sub, requests, metadata)?;
    Ok(())
}

/// `POST /v1/subscription_schedules/{schedule}/release`: the subscription goes on by itself.
pub async fn release_subscription_schedule(
    State(app): State<App>,
    PathId(id): PathId,
    mut api: Api,
) -> Reply {
    let (preserve, expand) = api.read(|r| {
        (
            r.bool("preserve_cancel_date").unwrap_or(false),
            r.expand("subscription_schedule", false),
        )
    })?;
    let end = if preserve {
        End::ReleaseKeepingCancel
    } else {
        End::Release
    };
    end_schedule(&app, &api, &id, end, &expand).await
}

/// `POST /v1/subscription_schedules/{schedule}/cancel`: cancels the subscription now too. As
/// Stripe's, `prorate` (credit the unused time) and `invoice_now` (bill the pending prorations,
/// those credits included, on a final invoice) default to true for an active schedule; see
/// [`crate::api::subscription::cancel_writes`].
pub async fn cancel_subscription_schedule(
    State(app): State<App>,
    PathId(id): PathId,
    mut api: Api,
) -> Reply {
    let (prorate, invoice_now, expand) = api.read(|r| {
        (
            r.bool("prorate").unwrap_or(true),
            r.bool("invoice_now").unwrap_or(true),
            r.expand("subscription_schedule", false),
        )
    })?;
    let (app_, api_, id_) = (&app, &api, &id);
    let running = with_retries(|| async move {
        let account = &api_.caller.account;
        let s = load::<Schedule>(app_, account, id_, None).await?;
        let sub_id = match (s.value.status, &s.value.subscription) {
            (ScheduleStatus::Active, Some(sub_id)) => sub_id.clone(),
            _ => return Ok(None),
        };
        match portico_store::get::<Subscription>(&*app_.store, account, &sub_id).await? {
            Some(sub) if !sub.value.status.is_ended() => {}
            _ => return Ok(None),
        }
        // Canceling the subscription settles the schedule with it, in the same commit.
        let details = CancellationDetails::default();
        let (sub, writes) = crate::api::subscription::cancel_writes(
            app_,
            api_,
            &sub_id,
            &details,
            prorate,
            invoice_now,
        )
        .await?;
        app_.commit(account, writes).await?;
        let now = now_for(app_, account, sub.test_clock.as_deref(), api_.now).await?;
        Ok::<_, Failure>(Some(now))
    })
    .await?;
    match running {
        Some(now) => {
            let s = load::<Schedule>(&app, &api.caller.account, &id, None).await?;
            respond(
                &app,
                &api,
                render::subscription_schedule(&s.value, now),
                &expand,
            )
            .await
        }
        // Nothing running to prorate or bill: the schedule alone (or its refusal).
        None => end_schedule(&app, &api, &id, End::Cancel, &expand).await,
    }
}

/// How [`end_schedule`] ends a schedule.
#[derive(Clone, Copy, PartialEq, Eq)]
enum End {
    /// Its subscription goes on alone, without the cancellation the schedule planned.
    Release,
    /// Its subscription goes on alone, still to cancel when the schedule would have
    /// (`preserve_cancel_date`).
    ReleaseKeepingCancel,
    /// The schedule and its subscription are canceled now.
    Cancel,
}

/// Releases the schedule or cancels it (and its subscription) now, as `end` says.
async fn end_schedule(app: &App, api: &Api, id: &str, end: End, expand: &[String]) -> Reply {
    let cancel = end == End::Cancel;
    let (schedule, now) = with_retries(|| async move {
        let account = &api.caller.account;
        let mut s = load::<Schedule>(app, account, id, None).await?;
        let now = now_for(app, account, s.value.test_clock.as_deref(), api.now).await?;
        // Releasing forgets the subscription: take it first.
        let sub_id = s.value.subscription.clone();
        if cancel {
            s.value.cancel(now)?;
        } else {
            s.value.release(now)?;
        }
        let mut writes = vec![Write::Update(s.next_record())];
        if let Some(sub_id) = sub_id {
            if let Some(mut sub) =
                portico_store::get::<Subscription>(&*app.store, account, &sub_id).await?
            {
                if !cancel {
                    sub.value.schedule = None;
                    if end == End::Release {
                        s.value.show_cancel(&mut sub.value);
                    }
                    writes.push(Write::Update(sub.next_record()));
                } else if !sub.value.status.is_ended() {
                    sub.value.cancel_now(now, CancellationDetails::default())?;
                    writes.push(Write::Update(sub.next_record()));
                }
            }
        }
        app.commit_at(account, writes, now).await?;
        Ok::<_, Failure>((s.value, now))
    })
    .await?;
    respond(
        app,
        api,
        render::subscription_schedule(&schedule, now),
        expand,
    )
    .await
}

//! Loading, saving, listing and rendering stored objects for the handlers.

use crate::expand::expand;
use crate::http::{Api, Failure};
use crate::state::App;
use portico_domain::coupon::Coupon;
use portico_domain::customer::Customer;
use portico_domain::payment_method::PaymentMethod;
use portico_domain::price::Price;
use portico_domain::product::Product;
use portico_domain::promotion_code::PromotionCode;
use portico_domain::setup_intent::SetupIntent;
use portico_domain::{AccountId, DomainError, ErrorCode};
use portico_store::{Cursor, Filter, ListQuery, Object, Record, StoreError, Versioned};
use portico_wire::expand::ExpandTree;
use portico_wire::list::{envelope, ListParams, PageCursor, Range};
use portico_wire::{render, ApiError, ErrorType};
use serde_json::Value;
use std::future::Future;

/// How many times a write is retried when another request changed the same object meanwhile
/// (16 writers on one object through two instances on a slow disk could lose 12 races in a row).
const CONFLICT_RETRIES: usize = 16;

/// Loads an object; a missing one is Stripe's "No such …" (404 when `param` is `None`).
pub async fn load<T: Object>(
    app: &App,
    account: &AccountId,
    id: &str,
    param: Option<&str>,
) -> Result<Versioned<T>, Failure> {
    match portico_store::get::<T>(&*app.store, account, id).await? {
        Some(v) => Ok(v),
        None => Err(no_such(T::KIND, id, param).into()),
    }
}

/// The API bodies of objects as last rendered, by account, kind, id and version (a body is never
/// served for a version other than its own); the oldest fall out past 32 MiB.
pub type Renders = portico_store::ByVersion<bytes::Bytes>;

/// Bytes of rendered bodies kept.
pub const RENDERS_BUDGET: u64 = 32 * 1024 * 1024;

/// `GET /v1/{objects}/{id}`: the object as `render` writes it, expanded as asked. Without
/// expansions the body comes from [`Renders`] when this version was rendered before (decoding
/// and rendering are most of a retrieve's work).
pub async fn retrieve<T: Object>(
    app: &App,
    api: &Api,
    id: &str,
    expand: &[String],
    render: impl FnOnce(&T) -> Value,
) -> crate::http::Reply {
    let account = &api.caller.account;
    let Some(record) = app.store.get(account, T::KIND, id).await? else {
        return Err(no_such(T::KIND, id, None).into());
    };
    if !expand.is_empty() {
        let v = portico_store::decode::<T>(&*app.store, account, &record)?;
        return respond(app, api, render(&v.value), expand).await;
    }
    let (acct, version) = (account.as_str(), record.version);
    if let Some(body) = app.renders.get(acct, T::KIND, &record.id, version) {
        return Ok(crate::http::json_bytes_response(200, body));
    }
    let v = Versioned::<T>::from_record(&record)?;
    let body = crate::http::json_text(&render(&v.value));
    app.renders
        .insert(acct, T::KIND, &record.id, version, body.clone());
    Ok(crate::http::json_bytes_response(200, body))
}

/// Loads an object that must not be deleted: a deleted one is "No such …" too.
pub async fn load_live<T: Object>(
    app: &App,
    account: &AccountId,
    id: &str,
    param: Option<&str>,
) -> Result<Versioned<T>, Failure> {
    let v = load::<T>(app, account, id, param).await?;
    if v.value.deleted() {
        return Err(no_such(T::KIND, id, param).into());
    }
    Ok(v)
}

/// Stripe's "No such {kind}" error for a kind and id.
pub fn no_such(kind: &'static str, id: &str, param: Option<&str>) -> DomainError {
    DomainError::NoSuch {
        kind: display_kind(kind),
        id: id.to_owned(),
        param: param.map(str::to_owned),
    }
}

/// The 404 of `DELETE …/discount` on a customer or subscription (`kind`) that has none.
pub fn no_active_discount(kind: &str, id: &str) -> Failure {
    ApiError::new(
        404,
        portico_wire::error::ErrorType::InvalidRequestError,
        Some(portico_domain::ErrorCode::ResourceMissing),
        format!("No active discount for {kind}: '{id}'"),
    )
    .into()
}

/// How Stripe names a kind in "No such …" messages.
fn display_kind(kind: &'static str) -> &'static str {
    match kind {
        "payment_method" => "PaymentMethod",
        "test_helpers.test_clock" => "test clock",
        "webhook_endpoint" => "webhook endpoint",
        "billing_portal.configuration" => "configuration",
        other => other,
    }
}

/// Runs a read-modify-write, retrying when it loses a race with another writer.
pub async fn with_retries<T, F, Fut>(mut attempt: F) -> Result<T, Failure>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, Failure>>,
{
    let mut tries = 0;
    loop {
        match attempt().await {
            Err(f) if retry(&f, &mut tries).await => {}
            other => return other,
        }
    }
}

/// Whether to try again after `failure`: after a lost race, once the backoff for the next try
/// has passed, unless the tries are used up (logged: with `portico_store=debug` the store logs
/// which write lost each race).
async fn retry(failure: &Failure, tries: &mut usize) -> bool {
    if failure.error.code != Some(ErrorCode::LockTimeout) {
        return false;
    }
    if *tries >= CONFLICT_RETRIES {
        tracing::warn!(
            tries = *tries + 1,
            "lost every race for the same write; answering 409"
        );
        return false;
    }
    *tries += 1;
    backoff(*tries).await;
    true
}

/// Waits a random while before retry number `tries`, so racing writers do not collide again in
/// lockstep.
pub(crate) async fn backoff(tries: usize) {
    // Full jitter over a window that doubles each time (1, 2, 4 … 128 ms): many writers on one
    // object spread out instead of colliding again.
    let window = 1u64 << tries.min(7);
    let ms = rand::random::<u64>() % (window + 1);
    tokio::time::sleep(std::time::Duration::from_millis(ms)).await;
}

/// Loads `id`, lets `change` alter it (returning any further writes for the same commit), and
/// commits the new version, retrying when another writer got there first. A deleted object
/// reads as missing; `param` names the parameter that carried the id (`None`: the URL path).
pub async fn modify<T, F>(
    app: &App,
    account: &AccountId,
    id: &str,
    param: Option<&str>,
    mut change: F,
) -> Result<T, Failure>
where
    T: Object + Clone,
    F: FnMut(&mut T) -> Result<Vec<portico_store::Write>, Failure>,
{
    let mut tries = 0;
    loop {
        let mut current = load_live::<T>(app, account, id, param).await?;
        let mut writes = change(&mut current.value)?;
        writes.insert(0, portico_store::Write::Update(current.next_record()));
        match commit(app, account, writes).await {
            Err(f) if retry(&f, &mut tries).await => {}
            Err(f) => return Err(f),
            Ok(()) => return Ok(current.value),
        }
    }
}

/// Renders a stored record of any kind as Stripe JSON, as of `now` (the object's clock), with
/// `links` for its account.
pub fn render_record(
    record: &Record,
    now: i64,
    links: &crate::invoice_link::Links,
) -> Result<Value, Failure> {
    fn decode<T: Object>(r: &Record) -> Result<T, Failure> {
        Ok(Versioned::<T>::from_record(r)?.value)
    }
    Ok(match record.kind {
        "customer" => render::customer(&decode::<Customer>(record)?),
        "product" => render::product(&decode::<Product>(record)?),
        "price" => render::price(&decode::<Price>(record)?),
        "coupon" => render::coupon(&decode::<Coupon>(record)?, now),
        "promotion_code" => render::promotion_code(&decode::<PromotionCode>(record)?),
        "payment_method" => render::payment_method(&decode::<PaymentMethod>(record)?),
        "subscription" => render::subscription(&decode::<
            portico_domain::subscription::Subscription,
        >(record)?),
        "invoice" => {
            let inv = decode::<portico_domain::invoice::Invoice>(record)?;
            render::invoice(&inv, links.hosted_invoice(&inv))
        }
        "discount" => render::discount(&decode::<portico_domain::discount::Discount>(record)?),
        "customer_balance_transaction" => render::balance_transaction(&decode::<
            portico_domain::balance_transaction::BalanceTransaction,
        >(record)?),
        "invoiceitem" => render::invoice_item(
            &decode::<portico_domain::invoice_item::InvoiceItem>(record)?,
        ),
        "test_helpers.test_clock" => {
            render::test_clock(&decode::<portico_domain::test_clock::TestClock>(record)?)
        }
        "subscription_schedule" => render::subscription_schedule(
            &decode::<portico_domain::schedule::Schedule>(record)?,
            now,
        ),
        "setup_intent" => render::setup_intent(&decode::<SetupIntent>(record)?, links.public_url),
        "billing_portal.configuration" => render::portal_configuration(
            &decode::<portico_domain::portal::PortalConfiguration>(record)?,
            links.public_url,
        ),
        "billing_portal.session" => render::portal_session(
            &decode::<portico_domain::portal::PortalSession>(record)?,
            links.public_url,
        ),
        "webhook_endpoint" => render::webhook_endpoint(
            &decode::<portico_domain::webhook_endpoint::WebhookEndpoint>(record)?,
            false,
        ),
        // Events are stored as the JSON they were sent as.
        "event" => serde_json::from_str(&record.data)
            .map_err(|e| Failure::from(portico_store::StoreError::Corrupt(e.to_string())))?,
        other => {
            tracing::error!(kind = other, "no renderer for stored kind");
            return Err(ApiError::internal().into());
        }
    })
}

/// Expands `expand` paths on a rendered object and wraps it in a 200 response.
pub async fn respond(
    app: &App,
    api: &Api,
    mut value: Value,
    expand_paths: &[String],
) -> crate::http::Reply {
    let tree = ExpandTree::parse(expand_paths)?;
    if !tree.is_empty() {
        expand(app, &api.caller.account, api.now, &mut value, &tree).await?;
    }
    crate::http::ok(value)
}

/// The filter for `active=true|false` on objects that carry an active flag.
pub fn active_filter(active: bool) -> Filter {
    Filter::Status(if active { "active" } else { "inactive" }.into())
}

/// "Now" for a customer: their test clock's time when they follow one, else `now`.
pub async fn now_for(
    app: &App,
    account: &AccountId,
    test_clock: Option<&str>,
    now: i64,
) -> Result<i64, Failure> {
    match clock_of(app, account, test_clock).await? {
        None => Ok(now),
        // While the clock advances, its objects are being moved ahead of its frozen time: a
        // change now would be made at a time they have already passed. The request waits
        // (retried, as a lost race is) and is refused with a 409, which SDKs retry, if the
        // advance takes longer.
        Some(c) if c.is_advancing(now) => Err(ApiError::new(
            409,
            ErrorType::InvalidRequestError,
            Some(ErrorCode::LockTimeout),
            format!(
                "The test clock {} is advancing: objects on it cannot change until its status is ready again. Please retry the request.",
                c.id
            ),
        )
        .into()),
        Some(c) => Ok(c.frozen_time),
    }
}

/// [`now_for`] for a read: the clock's frozen time, advancing or not.
pub async fn now_for_reading(
    app: &App,
    account: &AccountId,
    test_clock: Option<&str>,
    now: i64,
) -> Result<i64, Failure> {
    Ok(clock_of(app, account, test_clock)
        .await?
        .map_or(now, |c| c.frozen_time))
}

/// The time `record` renders as of: a subscription schedule on a test clock renders at its
/// clock's time (which phase is current depends on it); anything else at `now`.
pub async fn render_time(
    app: &App,
    account: &AccountId,
    record: &Record,
    now: i64,
) -> Result<i64, Failure> {
    if record.kind != <portico_domain::schedule::Schedule as Object>::KIND {
        return Ok(now);
    }
    let s =
        portico_store::decode::<portico_domain::schedule::Schedule>(&*app.store, account, record)?;
    now_for_reading(app, account, s.value.test_clock.as_deref(), now).await
}

/// The test clock `test_clock`, when there is one.
async fn clock_of(
    app: &App,
    account: &AccountId,
    test_clock: Option<&str>,
) -> Result<Option<portico_domain::test_clock::TestClock>, Failure> {
    let Some(id) = test_clock else {
        return Ok(None);
    };
    Ok(
        portico_store::get::<portico_domain::test_clock::TestClock>(&*app.store, account, id)
            .await?
            .map(|c| c.value),
    )
}

/// Filters for a `created` range.
pub fn created_filters(range: Option<Range>) -> Vec<Filter> {
    let Some(r) = range else { return Vec::new() };
    let mut f = Vec::new();
    if let Some(v) = r.gt {
        f.push(Filter::CreatedGt(v));
    }
    if let Some(v) = r.gte {
        f.push(Filter::CreatedGte(v));
    }
    if let Some(v) = r.lt {
        f.push(Filter::CreatedLt(v));
    }
    if let Some(v) = r.lte {
        f.push(Filter::CreatedLte(v));
    }
    f
}

/// Answers a list of objects held inside another (an invoice's lines, a subscription's
/// items), in their own order: the page `params` asks for, expanded, in the list envelope at
/// `url`. A cursor that is not among them is refused as no such `kind`.
pub async fn list_embedded(
    app: &App,
    api: &Api,
    kind: &'static str,
    url: &str,
    all: Vec<Value>,
    params: ListParams,
) -> crate::http::Reply {
    let position = |id: &str, param: &str| {
        all.iter()
            .position(|o| o["id"] == id)
            .ok_or_else(|| Failure::from(no_such(kind, id, Some(param))))
    };
    let (from, to) = match &params.cursor {
        PageCursor::Start => (0, all.len()),
        PageCursor::After(id) => (position(id, "starting_after")? + 1, all.len()),
        PageCursor::Before(id) => (0, position(id, "ending_before")?),
    };
    let window = &all[from..to];
    // Paging backwards, the page is the `limit` objects just before the cursor.
    let skip = match &params.cursor {
        PageCursor::Before(_) => window.len().saturating_sub(params.limit),
        _ => 0,
    };
    let page: Vec<_> = window
        .iter()
        .skip(skip)
        .take(params.limit)
        .cloned()
        .collect();
    let has_more = window.len() > params.limit;
    respond(app, api, envelope(url, page, has_more), &params.expand).await
}

/// Answers a list request: one page, newest first, rendered, expanded, in the list envelope.
pub async fn list(
    app: &App,
    api: &Api,
    kind: &'static str,
    url: &str,
    filters: Vec<Filter>,
    params: ListParams,
) -> crate::http::Reply {
    let tree = ExpandTree::parse(&params.expand)?;
    let (cursor, cursor_param) = match params.cursor {
        PageCursor::Start => (Cursor::Start, ""),
        PageCursor::After(id) => (Cursor::After(id), "starting_after"),
        PageCursor::Before(id) => (Cursor::Before(id), "ending_before"),
    };
    let cursor_id = match &cursor {
        Cursor::After(id) | Cursor::Before(id) => id.clone(),
        Cursor::Start => String::new(),
    };
    let query = ListQuery {
        kind,
        filters,
        cursor,
        limit: params.limit,
        include_deleted: false,
    };
    let page = match app.store.list(&api.caller.account, &query).await {
        Ok(p) => p,
        Err(StoreError::CursorNotFound) => {
            return Err(no_such(kind, &cursor_id, Some(cursor_param)).into())
        }
        Err(e) => return Err(e.into()),
    };
    let links = app.links(&api.caller.account, api.now);
    let mut data = Vec::with_capacity(page.records.len());
    for r in &page.records {
        let at = render_time(app, &api.caller.account, r, api.now).await?;
        data.push(render_record(r, at, &links)?);
    }
    if kind == "event" {
        crate::api::event::fill_pending_webhooks(app, &api.caller.account, &mut data).await?;
    }
    let mut value = envelope(url, data, page.has_more);
    if !tree.is_empty() {
        expand(app, &api.caller.account, api.now, &mut value, &tree).await?;
    }
    crate::http::ok(value)
}

/// Commits writes, mapping a lost race to a retryable 409.
pub async fn commit(
    app: &App,
    account: &AccountId,
    writes: Vec<portico_store::Write>,
) -> Result<(), Failure> {
    app.commit(account, writes).await.map_err(Failure::from)
}

//! The search endpoints (`GET /v1/{customers,subscriptions,products,prices,invoices}/search`):
//! Stripe's query language over an account's objects, newest first, with `page` tokens.
//!
//! Stripe answers from a search index that trails writes by up to a minute; Portico reads the
//! objects themselves, so a search sees every write before it. It walks the account's objects
//! of the kind a page of the store at a time and keeps those that match, so its cost grows with
//! the account's size: for exact lookups on large accounts the list endpoints' filters
//! (`email`, `customer`, `status`, …) stay the fast path.

use crate::expand::expand;
use crate::http::{Api, Reply};
use crate::objects::{no_such, render_record};
use crate::state::App;
use axum::extract::State;
use portico_store::{Cursor, ListQuery, StoreError};
use portico_wire::expand::ExpandTree;
use portico_wire::search::{self, Field};
use portico_wire::ApiError;

/// Records read from the store at a time while searching.
const BATCH: usize = 100;

async fn run(
    app: &App,
    mut api: Api,
    kind: &'static str,
    url: &str,
    resource: (&str, &[Field]),
) -> Reply {
    let params = api.read(|r| search::read_search_params(r, kind))?;
    let query = search::parse(&params.query, resource).map_err(ApiError::from)?;
    let tree = ExpandTree::parse(&params.expand)?;
    let account = &api.caller.account;
    let mut cursor = match &params.page {
        Some(p) => Cursor::After(p.clone()),
        None => Cursor::Start,
    };
    let mut data = Vec::new();
    let mut has_more = false;
    let mut counted = 0;
    loop {
        let q = ListQuery {
            kind,
            filters: Vec::new(),
            cursor,
            limit: BATCH,
            include_deleted: false,
        };
        let batch = match app.store.list(account, &q).await {
            Ok(b) => b,
            Err(StoreError::CursorNotFound) => {
                let page = params.page.as_deref().unwrap_or_default();
                return Err(no_such(kind, page, Some("page")).into());
            }
            Err(e) => return Err(e.into()),
        };
        for record in &batch.records {
            let object = render_record(record, api.now, &app.settings.public_url)?;
            if !query.matches(&object) {
                continue;
            }
            counted += 1;
            if data.len() < params.limit {
                data.push(object);
            } else {
                has_more = true;
            }
        }
        let done = has_more && !params.total_count;
        match batch.records.last() {
            Some(last) if batch.has_more && !done => cursor = Cursor::After(last.id.clone()),
            _ => break,
        }
    }
    let next_page = has_more
        .then(|| {
            data.last()
                .and_then(|o| o["id"].as_str())
                .map(str::to_owned)
        })
        .flatten();
    // Expanded as a list (its `data.…` paths), then labelled a search result.
    let mut value = portico_wire::list::envelope(url, data, has_more);
    if !tree.is_empty() {
        expand(app, account, api.now, &mut value, &tree).await?;
    }
    let data = match value.get_mut("data").map(serde_json::Value::take) {
        Some(serde_json::Value::Array(d)) => d,
        _ => Vec::new(),
    };
    let total = params.total_count.then_some(counted);
    crate::http::ok(search::envelope(url, data, has_more, next_page, total))
}

/// `GET /v1/customers/search`
pub async fn customers(State(app): State<App>, api: Api) -> Reply {
    run(
        &app,
        api,
        "customer",
        "/v1/customers/search",
        search::CUSTOMERS,
    )
    .await
}

/// `GET /v1/subscriptions/search`
pub async fn subscriptions(State(app): State<App>, api: Api) -> Reply {
    run(
        &app,
        api,
        "subscription",
        "/v1/subscriptions/search",
        search::SUBSCRIPTIONS,
    )
    .await
}

/// `GET /v1/products/search`
pub async fn products(State(app): State<App>, api: Api) -> Reply {
    run(
        &app,
        api,
        "product",
        "/v1/products/search",
        search::PRODUCTS,
    )
    .await
}

/// `GET /v1/prices/search`
pub async fn prices(State(app): State<App>, api: Api) -> Reply {
    run(&app, api, "price", "/v1/prices/search", search::PRICES).await
}

/// `GET /v1/invoices/search`
pub async fn invoices(State(app): State<App>, api: Api) -> Reply {
    run(
        &app,
        api,
        "invoice",
        "/v1/invoices/search",
        search::INVOICES,
    )
    .await
}

//! The search endpoints (`GET /v1/{customers,subscriptions,products,prices,invoices}/search`):
//! Stripe's query language over an account's objects, newest first, with `page` tokens.
//!
//! Stripe answers from a search index that trails writes by up to a minute; Portico reads the
//! objects themselves, so a search sees every write before it. It walks the account's objects
//! of the kind a page of the store at a time and keeps those that match, so its cost grows with
//! the account's size: for exact lookups on large accounts the list endpoints' filters
//! (`email`, `customer`, `status`, …) stay the fast path.

use crate::expand::expand;
use crate::http::{Api, Failure, Reply};
use crate::objects::{no_such, render_record};
use crate::state::App;
use axum::extract::State;
use portico_store::{Cursor, ListQuery, StoreError};
use portico_wire::expand::ExpandTree;
use portico_wire::search::{self, Field};
use portico_wire::ApiError;

/// Records read from the store at a time while searching.
const BATCH: usize = 100;

/// Walks the account's `kind` objects from `cursor`, newest first, handing each (rendered) to
/// `visit` until it says to stop.
async fn scan(
    app: &App,
    api: &Api,
    kind: &'static str,
    mut cursor: Cursor,
    page: Option<&str>,
    mut visit: impl FnMut(serde_json::Value) -> bool,
) -> Result<(), Failure> {
    loop {
        let q = ListQuery {
            kind,
            filters: Vec::new(),
            cursor,
            limit: BATCH,
            include_deleted: false,
        };
        let batch = match app.store.list(&api.caller.account, &q).await {
            Ok(b) => b,
            Err(StoreError::CursorNotFound) => {
                return Err(no_such(kind, page.unwrap_or_default(), Some("page")).into())
            }
            Err(e) => return Err(e.into()),
        };
        for record in &batch.records {
            if !visit(render_record(
                record,
                api.now,
                &app.links(&api.caller.account, api.now),
            )?) {
                return Ok(());
            }
        }
        match batch.records.last() {
            Some(last) if batch.has_more => cursor = Cursor::After(last.id.clone()),
            _ => return Ok(()),
        }
    }
}

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
    let page = params.page.as_deref();
    let start = page.map_or(Cursor::Start, |p| Cursor::After(p.to_owned()));
    // One match past the page tells whether there are more; `total_count` counts them all,
    // from the first, whichever page this is.
    let count_here = params.total_count && page.is_none();
    let (mut data, mut has_more, mut counted) = (Vec::new(), false, 0);
    scan(app, &api, kind, start, page, |object| {
        if query.matches(&object) {
            counted += 1;
            if data.len() < params.limit {
                data.push(object);
            } else {
                has_more = true;
            }
        }
        !has_more || count_here
    })
    .await?;
    let total = if !params.total_count {
        None
    } else if count_here {
        Some(counted)
    } else {
        let mut all = 0;
        scan(app, &api, kind, Cursor::Start, None, |object| {
            all += usize::from(query.matches(&object));
            true
        })
        .await?;
        Some(all)
    };
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
        expand(app, &api.caller.account, api.now, &mut value, &tree).await?;
    }
    let data = match value.get_mut("data").map(serde_json::Value::take) {
        Some(serde_json::Value::Array(d)) => d,
        _ => Vec::new(),
    };
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

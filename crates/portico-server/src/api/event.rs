//! `/v1/events`: the account's event log, newest first.

use crate::http::{Api, PathId, Reply};
use crate::objects::{created_filters, list, no_such, render_record, respond};
use crate::state::App;
use axum::extract::State;
use portico_store::Filter;
use portico_wire::list::{read_created, read_list_params};
use portico_wire::ApiError;

/// `GET /v1/events/{id}`
pub async fn retrieve_event(State(app): State<App>, PathId(id): PathId, mut api: Api) -> Reply {
    let expand = api.read(|r| r.expand("event", false))?;
    let record = match app.store.get(&api.caller.account, "event", &id).await? {
        Some(r) => r,
        None => return Err(no_such("event", &id, None).into()),
    };
    respond(
        &app,
        &api,
        render_record(&record, api.now, &app.settings.public_url)?,
        &expand,
    )
    .await
}

/// `GET /v1/events`: by `type` (`*` is a wildcard), `types[]` (up to 20) and `created`.
pub async fn list_events(State(app): State<App>, mut api: Api) -> Reply {
    let (params, kind, kinds, created) = api.read(|r| {
        r.bool("delivery_success");
        (
            read_list_params(r, "event"),
            r.string("type", 5000),
            r.strings("types", 5000),
            read_created(r),
        )
    })?;
    let mut filters = created_filters(created);
    match (kind, kinds) {
        (Some(_), Some(_)) => {
            return Err(ApiError::invalid(
                Some("type".into()),
                None,
                "You may only specify one of these parameters: type, types.",
            )
            .into())
        }
        (Some(t), None) if t.contains('*') => filters.push(Filter::LookupLike(t)),
        (Some(t), None) => filters.push(Filter::Lookup(t)),
        (None, Some(ts)) => {
            if ts.len() > 20 {
                return Err(ApiError::invalid(
                    Some("types".into()),
                    None,
                    "Invalid types: you can specify up to 20 event types.",
                )
                .into());
            }
            filters.push(Filter::LookupIn(ts));
        }
        (None, None) => {}
    }
    list(&app, &api, "event", "/v1/events", filters, params).await
}

//! `/v1/events`: the account's event log, newest first.

use crate::http::{Api, Failure, PathId, Reply};
use crate::objects::{created_filters, list, no_such, render_record, respond};
use crate::state::App;
use axum::extract::State;
use portico_domain::AccountId;
use portico_store::Filter;
use portico_wire::list::{read_created, read_list_params};
use portico_wire::ApiError;
use serde_json::Value;

/// `GET /v1/events/{id}`
pub async fn retrieve_event(State(app): State<App>, PathId(id): PathId, mut api: Api) -> Reply {
    let expand = api.read(|r| r.expand("event", false))?;
    let record = match app.store.get(&api.caller.account, "event", &id).await? {
        Some(r) => r,
        None => return Err(no_such("event", &id, None).into()),
    };
    let mut event = [render_record(&record, api.now, &app.settings.public_url)?];
    fill_pending_webhooks(&app, &api.caller.account, &mut event).await?;
    let [event] = event;
    respond(&app, &api, event, &expand).await
}

/// Sets each rendered event's `pending_webhooks`: its deliveries not yet answered with a 2xx.
pub async fn fill_pending_webhooks(
    app: &App,
    account: &AccountId,
    events: &mut [Value],
) -> Result<(), Failure> {
    let ids: Vec<String> = events
        .iter()
        .filter_map(|e| e["id"].as_str().map(str::to_owned))
        .collect();
    let pending = app.store.pending_webhooks(account, &ids).await?;
    for e in events {
        let n = e["id"]
            .as_str()
            .and_then(|id| pending.get(id))
            .copied()
            .unwrap_or(0);
        e["pending_webhooks"] = n.into();
    }
    Ok(())
}

/// `GET /v1/events`: by `type` (`*` is a wildcard), `types[]` (up to 20) and `created`.
pub async fn list_events(State(app): State<App>, mut api: Api) -> Reply {
    let (params, kind, kinds, created, delivered) = api.read(|r| {
        (
            read_list_params(r, "event"),
            r.string("type", 5000),
            r.strings("types", 5000),
            read_created(r),
            r.bool("delivery_success"),
        )
    })?;
    let mut filters = created_filters(created);
    if let Some(ok) = delivered {
        filters.push(Filter::DeliverySuccess(ok));
    }
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

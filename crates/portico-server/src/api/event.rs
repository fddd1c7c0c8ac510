//! `/v1/events`: the account's event log, newest first.

use crate::http::{Api, Failure, PathId, Reply};
use crate::objects::{created_filters, list, load_live, no_such, render_record, respond};
use crate::state::App;
use axum::extract::State;
use portico_domain::webhook_endpoint::WebhookEndpoint;
use portico_domain::AccountId;
use portico_store::Filter;
use portico_store::{NewDelivery, Record, Write};
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
    let event = render_event(&app, &api, &record).await?;
    respond(&app, &api, event, &expand).await
}

/// An event as the API shows it, with its current `pending_webhooks`.
async fn render_event(app: &App, api: &Api, record: &Record) -> Result<Value, Failure> {
    let mut event = [render_record(
        record,
        api.now,
        &app.links(&api.caller.account, api.now),
    )?];
    fill_pending_webhooks(app, &api.caller.account, &mut event).await?;
    let [event] = event;
    Ok(event)
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

/// `POST /v1/events/{id}/retry`: sends an event again — to `webhook_endpoint`, or to every
/// enabled endpoint that takes its type — as a new delivery, whatever became of the earlier ones.
pub async fn retry_event(State(app): State<App>, PathId(id): PathId, mut api: Api) -> Reply {
    let endpoint = api.read(|r| r.string("webhook_endpoint", 5000))?;
    let account = api.caller.account.clone();
    let Some(record) = app.store.get(&account, "event", &id).await? else {
        return Err(no_such("event", &id, None).into());
    };
    let kind = record.lookup.clone().unwrap_or_default();
    let targets: Vec<WebhookEndpoint> = match endpoint {
        Some(we) => {
            let e = load_live::<WebhookEndpoint>(&app, &account, &we, Some("webhook_endpoint"))
                .await?
                .value;
            if e.disabled {
                return Err(ApiError::invalid(
                    Some("webhook_endpoint".into()),
                    None,
                    format!("The webhook endpoint {we} is disabled; enable it to send it events."),
                )
                .into());
            }
            vec![e]
        }
        None => app
            .webhook_endpoints(&account)
            .await?
            .into_iter()
            .filter(|e| e.wants(&kind))
            .collect(),
    };
    if targets.is_empty() {
        return Err(ApiError::invalid(
            None,
            None,
            format!("No enabled webhook endpoint takes {kind} events; name one with `webhook_endpoint`."),
        )
        .into());
    }
    let writes = targets
        .iter()
        .map(|e| Write::Delivery(NewDelivery::due(&id, &e.id, api.now)))
        .collect();
    app.store.commit(&account, writes).await?;
    app.webhook_wake.notify_one();
    crate::http::ok(render_event(&app, &api, &record).await?)
}

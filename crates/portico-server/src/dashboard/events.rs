//! Events and webhooks: the event log with filters, each event's JSON and deliveries (with a
//! resend button), the webhook endpoints, and each delivery's attempts.

use super::{error_page, pairs, pretty, render, s, stamp, stamp_of, Dash, Layout, Signed};
use askama::Template;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use portico_store::{Attempt, Delivery, DeliveryQuery, DeliveryState};
use serde::Deserialize;
use serde_json::Value;

/// One line of the event log.
pub struct EventRow {
    pub id: String,
    pub kind: String,
    pub object: String,
    pub pending: i64,
    /// What became of its webhook deliveries, once none is pending: delivered (to every
    /// endpoint), failed (to one at least), or none made (no endpoint took its type).
    pub delivered: usize,
    pub failed: usize,
    pub created: String,
}

/// The webhook deliveries of event `id` (its first hundred).
async fn event_deliveries(d: &Dash, id: &str) -> Result<Vec<Delivery>, portico_store::StoreError> {
    d.app
        .store
        .deliveries(&DeliveryQuery {
            account: Some(d.account().clone()),
            event_id: Some(id.to_owned()),
            limit: 100,
            ..Default::default()
        })
        .await
}

/// The rows of an API list of events, with what became of each one's webhook deliveries.
pub async fn rows(d: &Dash, list: &Value) -> Vec<EventRow> {
    let mut out = Vec::new();
    for e in list["data"].as_array().into_iter().flatten() {
        let id = s(e, "id").to_owned();
        let deliveries = event_deliveries(d, &id).await.unwrap_or_default();
        let count = |state: DeliveryState| deliveries.iter().filter(|x| x.state == state).count();
        out.push(EventRow {
            kind: s(e, "type").to_owned(),
            object: s(&e["data"]["object"], "id").to_owned(),
            pending: e["pending_webhooks"].as_i64().unwrap_or(0),
            delivered: count(DeliveryState::Succeeded),
            failed: count(DeliveryState::Failed),
            created: stamp_of(&e["created"]),
            id,
        });
    }
    out
}

#[derive(Deserialize, Default)]
pub struct EventFilters {
    #[serde(rename = "type")]
    kind: Option<String>,
    /// `pending`: events with a delivery not yet answered (or failed for good).
    webhooks: Option<String>,
    after: Option<String>,
}

#[derive(Template)]
#[template(path = "dashboard/events.html")]
struct EventsPage {
    l: Layout,
    events: Vec<EventRow>,
    kind: String,
    webhooks: String,
    error: Option<String>,
    next: Option<String>,
}

/// Events shown per page.
const PAGE: usize = 50;

/// `GET /dashboard/events?type=…&webhooks=pending&after=evt_…`
pub async fn list(d: Dash, Query(f): Query<EventFilters>) -> Response {
    let kind = f.kind.unwrap_or_default().trim().to_owned();
    let webhooks = f.webhooks.unwrap_or_default();
    let mut q = pairs([("limit", &PAGE.to_string())]);
    if !kind.is_empty() {
        q.push(("type".into(), kind.clone()));
    }
    if webhooks == "pending" {
        q.push(("delivery_success".into(), "false".into()));
    }
    if let Some(a) = f.after.filter(|a| a.starts_with("evt_")) {
        q.push(("starting_after".into(), a));
    }
    let r = d.get("/v1/events", &q).await;
    let events = rows(&d, &r.body).await;
    let next = (r.body["has_more"] == Value::Bool(true))
        .then(|| events.last().map(|e| e.id.clone()))
        .flatten();
    render(
        StatusCode::OK,
        &EventsPage {
            l: d.layout("Events", "events"),
            events,
            kind,
            webhooks,
            error: r.error(),
            next,
        },
    )
}

/// A delivery as a page shows it.
pub struct DeliveryRow {
    pub id: String,
    pub event: String,
    pub endpoint: String,
    pub state: &'static str,
    pub tone: &'static str,
    pub attempts: i64,
    pub last: String,
    pub next: String,
    pub created: String,
}

impl DeliveryRow {
    fn new(d: &Delivery) -> DeliveryRow {
        let last = match (&d.last_status, &d.last_error) {
            (Some(st), _) => format!("HTTP {st}"),
            (None, Some(e)) => e.clone(),
            (None, None) => "—".into(),
        };
        DeliveryRow {
            id: d.id.clone(),
            event: d.event_id.clone(),
            endpoint: d.endpoint_id.clone(),
            state: d.state.as_str(),
            tone: tone(d.state),
            attempts: d.attempts,
            last,
            next: match (d.state, d.next_attempt) {
                (DeliveryState::Pending, Some(t)) => stamp(t),
                _ => "—".into(),
            },
            created: stamp(d.created),
        }
    }
}

fn tone(s: DeliveryState) -> &'static str {
    match s {
        DeliveryState::Succeeded => "badge-ok",
        DeliveryState::Pending => "badge-warn",
        DeliveryState::Failed => "badge-bad",
        DeliveryState::Canceled => "",
    }
}

#[derive(Template)]
#[template(path = "dashboard/event.html")]
struct EventPage {
    l: Layout,
    id: String,
    kind: String,
    object: String,
    object_link: Option<String>,
    created: String,
    json: String,
    deliveries: Vec<DeliveryRow>,
    /// Enabled endpoints: (id, url).
    endpoints: Vec<(String, String)>,
    notice: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct Notice {
    notice: Option<String>,
}

/// Where the dashboard shows an object with this id, if it does.
pub fn object_link(id: &str) -> Option<String> {
    let kind = super::browse::KINDS
        .iter()
        .find(|k| !k.prefix.is_empty() && id.starts_with(k.prefix))?;
    Some(format!("/dashboard/objects/{}/{id}", kind.path))
}

/// `GET /dashboard/events/{id}`: the event's JSON and its webhook deliveries.
pub async fn show(d: Dash, Path(id): Path<String>, Query(n): Query<Notice>) -> Response {
    let r = d.get(&format!("/v1/events/{id}"), &[]).await;
    if !r.ok() {
        return r.failure_page();
    }
    let deliveries = match event_deliveries(&d, &id).await {
        Ok(v) => v,
        Err(_) => return super::unavailable(),
    };
    let endpoints = d
        .get("/v1/webhook_endpoints", &pairs([("limit", "100")]))
        .await;
    let endpoints = endpoints.body["data"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter(|e| s(e, "status") == "enabled")
                .map(|e| (s(e, "id").to_owned(), s(e, "url").to_owned()))
                .collect()
        })
        .unwrap_or_default();
    let object = s(&r.body["data"]["object"], "id").to_owned();
    render(
        StatusCode::OK,
        &EventPage {
            l: d.layout(s(&r.body, "type").to_owned(), "events"),
            id,
            kind: s(&r.body, "type").to_owned(),
            object_link: object_link(&object),
            object,
            created: stamp_of(&r.body["created"]),
            json: pretty(&r.body),
            deliveries: deliveries.iter().map(DeliveryRow::new).collect(),
            endpoints,
            notice: n
                .notice
                .filter(|n| n == "resent")
                .map(|_| "Queued: the event is sent again within a few seconds.".to_owned()),
        },
    )
}

/// `POST /dashboard/events/{id}/resend`: sends the event again (to one endpoint, or to every
/// endpoint that takes its type).
pub async fn resend(Path(id): Path<String>, Signed(d, form): Signed) -> Response {
    let mut params = Vec::new();
    if let Some(e) = form.text("webhook_endpoint") {
        params.push(("webhook_endpoint".to_owned(), e));
    }
    let r = d.post(&format!("/v1/events/{id}/retry"), &params).await;
    if let Some(e) = r.error() {
        return error_page(StatusCode::BAD_REQUEST, &e);
    }
    Redirect::to(&format!("/dashboard/events/{id}?notice=resent")).into_response()
}

#[derive(Template)]
#[template(path = "dashboard/webhooks.html")]
struct EndpointsPage {
    l: Layout,
    /// (id, url, status, events, description)
    endpoints: Vec<(String, String, String, String, String)>,
}

/// `GET /dashboard/webhooks`
pub async fn endpoints(d: Dash) -> Response {
    let r = d
        .get("/v1/webhook_endpoints", &pairs([("limit", "100")]))
        .await;
    let endpoints = r.body["data"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|e| {
                    let events: Vec<&str> = e["enabled_events"]
                        .as_array()
                        .map(|v| v.iter().filter_map(Value::as_str).collect())
                        .unwrap_or_default();
                    (
                        s(e, "id").to_owned(),
                        s(e, "url").to_owned(),
                        s(e, "status").to_owned(),
                        events.join(", "),
                        s(e, "description").to_owned(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    render(
        StatusCode::OK,
        &EndpointsPage {
            l: d.layout("Webhooks", "webhooks"),
            endpoints,
        },
    )
}

#[derive(Deserialize, Default)]
pub struct StateFilter {
    state: Option<String>,
}

#[derive(Template)]
#[template(path = "dashboard/webhook.html")]
struct EndpointPage {
    l: Layout,
    id: String,
    url: String,
    status: String,
    events: String,
    json: String,
    state: String,
    deliveries: Vec<DeliveryRow>,
}

/// `GET /dashboard/webhooks/{id}?state=…`: an endpoint and its latest deliveries.
pub async fn endpoint(d: Dash, Path(id): Path<String>, Query(f): Query<StateFilter>) -> Response {
    let app = d.app.clone();
    let r = d.get(&format!("/v1/webhook_endpoints/{id}"), &[]).await;
    if !r.ok() {
        return r.failure_page();
    }
    let state = f.state.as_deref().and_then(DeliveryState::parse);
    let deliveries = match app
        .store
        .deliveries(&DeliveryQuery {
            account: Some(d.account().clone()),
            endpoint_id: Some(id.clone()),
            state,
            limit: 100,
            ..Default::default()
        })
        .await
    {
        Ok(v) => v,
        Err(_) => return super::unavailable(),
    };
    let events: Vec<&str> = r.body["enabled_events"]
        .as_array()
        .map(|v| v.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    render(
        StatusCode::OK,
        &EndpointPage {
            l: d.layout("Webhook endpoint", "webhooks"),
            id,
            url: s(&r.body, "url").to_owned(),
            status: s(&r.body, "status").to_owned(),
            events: events.join(", "),
            json: pretty(&r.body),
            state: state.map(|s| s.as_str().to_owned()).unwrap_or_default(),
            deliveries: deliveries.iter().map(DeliveryRow::new).collect(),
        },
    )
}

/// An attempt as the delivery page shows it.
pub struct AttemptRow {
    pub n: i64,
    pub at: String,
    pub outcome: String,
    pub ok: bool,
    pub response: String,
    pub ms: i64,
}

impl AttemptRow {
    fn new(a: &Attempt) -> AttemptRow {
        AttemptRow {
            n: a.attempt,
            at: stamp(a.at),
            ok: a.status.is_some_and(|s| (200..300).contains(&s)),
            outcome: match (&a.status, &a.error) {
                (Some(st), _) => format!("HTTP {st}"),
                (None, Some(e)) => e.clone(),
                (None, None) => "no answer".into(),
            },
            response: a.response.clone().unwrap_or_default(),
            ms: a.duration_ms,
        }
    }
}

#[derive(Template)]
#[template(path = "dashboard/delivery.html")]
struct DeliveryPage {
    l: Layout,
    d: DeliveryRow,
    attempts: Vec<AttemptRow>,
}

/// `GET /dashboard/events/{event}/deliveries/{id}`: one delivery's attempts, with status
/// codes and answers.
pub async fn delivery(d: Dash, Path((event, id)): Path<(String, String)>) -> Response {
    let app = d.app.clone();
    let found = app
        .store
        .deliveries(&DeliveryQuery {
            account: Some(d.account().clone()),
            event_id: Some(event),
            limit: 1_000,
            ..Default::default()
        })
        .await;
    let Some(delivery) = found.ok().and_then(|v| v.into_iter().find(|x| x.id == id)) else {
        return error_page(
            StatusCode::NOT_FOUND,
            "No such webhook delivery in this account.",
        );
    };
    let attempts = app
        .store
        .delivery_attempts(&delivery.id)
        .await
        .unwrap_or_default();
    render(
        StatusCode::OK,
        &DeliveryPage {
            l: d.layout("Webhook delivery", "webhooks"),
            d: DeliveryRow::new(&delivery),
            attempts: attempts.iter().rev().map(AttemptRow::new).collect(),
        },
    )
}

//! `/v1/webhook_endpoints`: create (the only response showing the signing secret), retrieve,
//! update (including `disabled`), delete, list.

use crate::http::{Api, Failure, PathId, Reply};
use crate::objects::{list, load_live, modify, respond};
use crate::state::App;
use crate::webhooks::check_target;
use axum::extract::State;
use portico_domain::webhook_endpoint::{
    EndpointCreate, EndpointUpdate, WebhookEndpoint, MAX_ENDPOINTS,
};
use portico_domain::Ctx;
use portico_store::{Cursor, ListQuery, Versioned, Write};
use portico_wire::list::read_list_params;
use portico_wire::{render, ApiError, Reader};

/// `POST /v1/webhook_endpoints`
pub async fn create_webhook_endpoint(State(app): State<App>, mut api: Api) -> Reply {
    let (params, expand) = api.read(|r| {
        r.require("enabled_events");
        let p = EndpointCreate {
            url: r.required_string("url", 5000),
            enabled_events: r.strings("enabled_events", 5000).unwrap_or_default(),
            description: r.string_or_clear("description", 5000).into_option(),
            metadata: r.metadata("metadata", true),
            api_version: r.string("api_version", 5000),
        };
        refuse_connect(r);
        (p, r.expand("webhook_endpoint", false))
    })?;
    let account = api.caller.account.clone();
    allowed_target(&app, &params.url)?;
    let existing = app
        .store
        .list(
            &account,
            &ListQuery {
                kind: "webhook_endpoint",
                filters: Vec::new(),
                cursor: Cursor::Start,
                limit: MAX_ENDPOINTS,
                include_deleted: false,
            },
        )
        .await?;
    if existing.records.len() >= MAX_ENDPOINTS {
        return Err(ApiError::invalid(
            None,
            None,
            format!(
                "You have reached the maximum of {MAX_ENDPOINTS} webhook endpoints on this account. Delete one before adding another."
            ),
        )
        .into());
    }
    let mut ids = crate::ids::Ids;
    let mut ctx = Ctx {
        now: api.now,
        livemode: api.caller.livemode,
        ids: &mut ids,
    };
    let endpoint = WebhookEndpoint::create(params, &mut ctx)?;
    // The secret is shown once, in this response; the store keeps it sealed.
    let stored = WebhookEndpoint {
        secret: app.sealer.seal(&endpoint.secret).await?,
        ..endpoint.clone()
    };
    app.commit(
        &account,
        vec![Write::Insert(Versioned::new_record(&stored))],
    )
    .await?;
    respond(
        &app,
        &api,
        render::webhook_endpoint(&endpoint, true),
        &expand,
    )
    .await
}

/// `GET /v1/webhook_endpoints/{webhook_endpoint}`
pub async fn retrieve_webhook_endpoint(
    State(app): State<App>,
    PathId(id): PathId,
    mut api: Api,
) -> Reply {
    let expand = api.read(|r| r.expand("webhook_endpoint", false))?;
    let e = load_live::<WebhookEndpoint>(&app, &api.caller.account, &id, None).await?;
    respond(
        &app,
        &api,
        render::webhook_endpoint(&e.value, false),
        &expand,
    )
    .await
}

/// `POST /v1/webhook_endpoints/{webhook_endpoint}`
pub async fn update_webhook_endpoint(
    State(app): State<App>,
    PathId(id): PathId,
    mut api: Api,
) -> Reply {
    let (params, expand) = api.read(|r| {
        let p = EndpointUpdate {
            url: r.string("url", 5000),
            enabled_events: r.strings("enabled_events", 5000),
            description: r.string_or_clear("description", 5000),
            metadata: r.metadata("metadata", true),
            disabled: r.bool("disabled"),
        };
        (p, r.expand("webhook_endpoint", false))
    })?;
    if let Some(url) = &params.url {
        allowed_target(&app, url)?;
    }
    let account = api.caller.account.clone();
    let endpoint = modify::<WebhookEndpoint, _>(&app, &account, &id, None, |e| {
        e.update(params.clone())?;
        Ok(Vec::new())
    })
    .await?;
    respond(
        &app,
        &api,
        render::webhook_endpoint(&endpoint, false),
        &expand,
    )
    .await
}

/// `DELETE /v1/webhook_endpoints/{webhook_endpoint}`: deliveries still queued for it are dropped.
pub async fn delete_webhook_endpoint(
    State(app): State<App>,
    PathId(id): PathId,
    mut api: Api,
) -> Reply {
    api.read(|_| ())?;
    let account = api.caller.account.clone();
    let endpoint = modify::<WebhookEndpoint, _>(&app, &account, &id, None, |e| {
        e.deleted = true;
        Ok(Vec::new())
    })
    .await?;
    crate::http::ok(render::webhook_endpoint(&endpoint, false))
}

/// `GET /v1/webhook_endpoints`
pub async fn list_webhook_endpoints(State(app): State<App>, mut api: Api) -> Reply {
    let params = api.read(|r| read_list_params(r, "webhook_endpoint"))?;
    list(
        &app,
        &api,
        "webhook_endpoint",
        "/v1/webhook_endpoints",
        Vec::new(),
        params,
    )
    .await
}

/// `connect=true` (events of connected accounts) has no meaning without Connect.
fn refuse_connect(r: &mut Reader<'_>) {
    if r.bool("connect") == Some(true) {
        let e = ApiError::invalid(
            Some("connect".into()),
            None,
            "Portico does not support `connect`: there are no connected accounts.",
        );
        r.error(e);
    }
}

/// The operator's policy on where webhooks may go.
fn allowed_target(app: &App, url: &str) -> Result<(), Failure> {
    portico_domain::webhook_endpoint::check_url(url)?;
    check_target(url, app.settings.webhooks.allow_private).map_err(|why| {
        ApiError::invalid(Some("url".into()), None, format!("Invalid URL: {why}")).into()
    })
}

//! `/v1/subscription_items`: list a subscription's items, retrieve, create, update and delete
//! one. Changes go through the same planning as a subscription update, prorations included.

use crate::api::price::read_price_ref;
use crate::api::subscription_change::{update_with_change, ChangeParams, ItemParam};
use crate::http::{Api, Failure, PathId, Reply};
use crate::objects::{load, no_such, respond};
use crate::state::App;
use axum::extract::State;
use portico_domain::subscription::{ProrationBehavior, Subscription};
use portico_domain::AccountId;
use portico_store::{Cursor, Filter, ListQuery, Versioned};
use portico_wire::list::read_list_params;
use portico_wire::{render, ApiError, Reader};

/// The subscription holding item `id`.
async fn holder(
    app: &App,
    account: &AccountId,
    id: &str,
) -> Result<Versioned<Subscription>, Failure> {
    let q = ListQuery {
        kind: "subscription",
        filters: vec![Filter::LookupLike(format!("* {id} *"))],
        cursor: Cursor::Start,
        limit: 1,
        include_deleted: false,
    };
    let page = app.store.list(account, &q).await?;
    match page.records.first() {
        Some(r) => Ok(Versioned::from_record(r)?),
        None => Err(no_such("subscription_item", id, None).into()),
    }
}

fn read_billing(r: &mut Reader<'_>, item: ItemParam) -> ChangeParams {
    ChangeParams {
        items: vec![item],
        behavior: r
            .enumeration("proration_behavior", ProrationBehavior::VALUES)
            .and_then(ProrationBehavior::parse)
            .unwrap_or(ProrationBehavior::CreateProrations),
        proration_date: r.timestamp("proration_date"),
        anchor_now: false,
        anchor_at: None,
        payment_behavior: r
            .enumeration(
                "payment_behavior",
                &[
                    "allow_incomplete",
                    "default_incomplete",
                    "error_if_incomplete",
                    "pending_if_incomplete",
                ],
            )
            .unwrap_or("allow_incomplete"),
        off_session: false,
        invoice_items: Vec::new(),
        billing_mode: None,
    }
}

fn item_json(sub: &Subscription, id: &str) -> Result<serde_json::Value, Failure> {
    sub.items
        .iter()
        .find(|i| i.id == id)
        .map(|i| render::subscription_item(sub, i))
        .ok_or_else(|| no_such("subscription_item", id, None).into())
}

/// `GET /v1/subscription_items?subscription=…`
pub async fn list_subscription_items(State(app): State<App>, mut api: Api) -> Reply {
    let (params, sub_id) = api.read(|r| {
        (
            read_list_params(r, "subscription_item"),
            r.required_string("subscription", 5000),
        )
    })?;
    let sub = load::<Subscription>(&app, &api.caller.account, &sub_id, Some("subscription"))
        .await?
        .value;
    let all = sub
        .items
        .iter()
        .map(|i| render::subscription_item(&sub, i))
        .collect();
    let url = "/v1/subscription_items";
    crate::objects::list_embedded(&app, &api, "subscription_item", url, all, params).await
}

/// `GET /v1/subscription_items/{item}`
pub async fn retrieve_subscription_item(
    State(app): State<App>,
    PathId(id): PathId,
    mut api: Api,
) -> Reply {
    let expand = api.read(|r| r.expand("subscription_item", false))?;
    let sub = holder(&app, &api.caller.account, &id).await?;
    respond(&app, &api, item_json(&sub.value, &id)?, &expand).await
}

/// `POST /v1/subscription_items`: adds a price to a subscription.
pub async fn create_subscription_item(State(app): State<App>, mut api: Api) -> Reply {
    let (sub_id, change, expand) = api.read(|r| {
        let sub = r.required_string("subscription", 5000);
        let item = ItemParam {
            price: read_price_ref(r, true, true),
            quantity: r.int("quantity"),
            metadata: r.metadata("metadata", false),
            ..Default::default()
        };
        crate::api::subscription::refuse_item_extras(r);
        (
            sub,
            read_billing(r, item),
            r.expand("subscription_item", false),
        )
    })?;
    let before =
        load::<Subscription>(&app, &api.caller.account, &sub_id, Some("subscription")).await?;
    let known: Vec<String> = before.value.items.iter().map(|i| i.id.clone()).collect();
    let sub = update_with_change(&app, &api, &sub_id, &change, None, |_, _| Ok(()))
        .await
        .map_err(|f| renamed(f, "price"))?;
    let added = sub
        .items
        .iter()
        .find(|i| !known.contains(&i.id))
        .ok_or_else(|| Failure::from(ApiError::internal()))?;
    respond(&app, &api, render::subscription_item(&sub, added), &expand).await
}

/// `POST /v1/subscription_items/{item}`
pub async fn update_subscription_item(
    State(app): State<App>,
    PathId(id): PathId,
    mut api: Api,
) -> Reply {
    let (change, expand) = api.read(|r| {
        crate::api::subscription::refuse_item_extras(r);
        let item = ItemParam {
            id: None,
            price: read_price_ref(r, false, true),
            quantity: r.int("quantity"),
            metadata: r.metadata("metadata", true),
            deleted: false,
        };
        let mut change = read_billing(r, item);
        change.off_session = r.bool("off_session").unwrap_or(false);
        (change, r.expand("subscription_item", false))
    })?;
    let sub = holder(&app, &api.caller.account, &id).await?;
    let mut change = change;
    change.items[0].id = Some(id.clone());
    let sub = update_with_change(&app, &api, &sub.value.id, &change, None, |_, _| Ok(()))
        .await
        .map_err(|f| renamed(f, "price"))?;
    respond(&app, &api, item_json(&sub, &id)?, &expand).await
}

/// `DELETE /v1/subscription_items/{item}`
pub async fn delete_subscription_item(
    State(app): State<App>,
    PathId(id): PathId,
    mut api: Api,
) -> Reply {
    let change = api.read(|r| {
        r.bool("clear_usage");
        read_billing(
            r,
            ItemParam {
                deleted: true,
                ..Default::default()
            },
        )
    })?;
    let sub = holder(&app, &api.caller.account, &id).await?;
    let mut change = change;
    change.items[0].id = Some(id.clone());
    update_with_change(&app, &api, &sub.value.id, &change, None, |_, _| Ok(()))
        .await
        .map_err(|f| renamed(f, "id"))?;
    crate::http::ok(render::deleted("subscription_item", &id))
}

/// Errors about `items[0][…]` name the item endpoint's own parameter instead.
fn renamed(mut f: Failure, field: &str) -> Failure {
    if let Some(p) = &f.error.param {
        if let Some(rest) = p.strip_prefix("items[0][") {
            // `items[0][price_data][product]` becomes `price_data[product]`.
            let name = match rest.split_once(']') {
                Some((head, tail)) => format!("{head}{tail}"),
                None => rest.to_owned(),
            };
            f.error.message = f.error.message.replace(p.as_str(), &name);
            f.error.param = Some(if name.is_empty() {
                field.to_owned()
            } else {
                name
            });
        }
    }
    f
}

//! Expansion: replaces id strings in a rendered object with the objects they name, following
//! the `expand[]` paths (`default_price`, `data.product`, …).

use crate::http::Failure;
use crate::objects::{render_record, render_time};
use crate::state::App;
use futures_util::future::BoxFuture;
use portico_domain::AccountId;
use portico_wire::expand::{
    always_expanded, included_on_request, leads_to_expandable, not_expandable, target, ExpandTree,
};
use serde_json::Value;

/// What every step of a walk needs.
struct Walk<'a> {
    app: &'a App,
    account: &'a AccountId,
    now: i64,
}

/// `record` as an expansion shows it (a schedule on a test clock as of its clock's time).
async fn rendered(w: &Walk<'_>, record: &portico_store::Record) -> Result<Value, Failure> {
    let at = render_time(w.app, w.account, record, w.now).await?;
    render_record(record, at, &w.app.links(w.account, w.app.clock.now()))
}

/// Expands `tree` in `value`, which is an object or a list envelope, as of `now`.
pub async fn expand(
    app: &App,
    account: &AccountId,
    now: i64,
    value: &mut Value,
    tree: &ExpandTree,
) -> Result<(), Failure> {
    let object = kind_of(value);
    walk(
        &Walk { app, account, now },
        value,
        tree,
        String::new(),
        object,
    )
    .await
}

fn walk<'a>(
    w: &'a Walk<'a>,
    value: &'a mut Value,
    tree: &'a ExpandTree,
    prefix: String,
    object: String,
) -> BoxFuture<'a, Result<(), Failure>> {
    Box::pin(async move {
        let in_list = prefix.is_empty() && object == "list";
        for (seg, sub) in &tree.0 {
            if in_list {
                if seg != "data" {
                    return Err(not_expandable(seg, true).into());
                }
                if let Some(items) = value.get_mut("data").and_then(Value::as_array_mut) {
                    for item in items {
                        let kind = kind_of(item);
                        walk(w, item, sub, String::new(), kind).await?;
                    }
                }
                continue;
            }
            let field = if prefix.is_empty() {
                seg.clone()
            } else {
                format!("{prefix}.{seg}")
            };
            // Shown whole whenever it is set (and left out when not, as the schema has it).
            if always_expanded(&object, &field) && sub.is_empty() {
                continue;
            }
            if included_on_request(&object, &field) && sub.is_empty() {
                include(w, value, &object, &field).await?;
                continue;
            }
            let Some(slot) = value.get_mut(seg.as_str()) else {
                // A hash this object leaves out (the `price_details` of an amount given as is):
                // nothing there to expand.
                if leads_to_expandable(&object, &field) {
                    continue;
                }
                return Err(not_expandable(seg, false).into());
            };
            match slot {
                Value::String(id) => {
                    let kind = target(&object, &field).ok_or_else(|| not_expandable(seg, false))?;
                    if let Some(record) = w.app.store.get(w.account, kind, id).await? {
                        let mut expanded = rendered(w, &record).await?;
                        let kind = kind_of(&expanded);
                        walk(w, &mut expanded, sub, String::new(), kind).await?;
                        *slot = expanded;
                    }
                }
                Value::Null => {
                    target(&object, &field).ok_or_else(|| not_expandable(seg, false))?;
                }
                Value::Object(o) if o.contains_key("object") => {
                    let kind = kind_of(slot);
                    walk(w, slot, sub, String::new(), kind).await?;
                }
                // A list of hashes on the way to an expandable field (`phases.items.price`):
                // each element is walked.
                Value::Array(items) if !sub.is_empty() && target(&object, &field).is_none() => {
                    for item in items.iter_mut().filter(|i| i.is_object()) {
                        walk(w, item, sub, field.clone(), object.clone()).await?;
                    }
                }
                Value::Array(ids) => {
                    let kind = target(&object, &field).ok_or_else(|| not_expandable(seg, false))?;
                    for slot in ids.iter_mut() {
                        let Value::String(id) = slot else { continue };
                        if let Some(record) = w.app.store.get(w.account, kind, id).await? {
                            let mut expanded = rendered(w, &record).await?;
                            let kind = kind_of(&expanded);
                            walk(w, &mut expanded, sub, String::new(), kind).await?;
                            *slot = expanded;
                        }
                    }
                }
                Value::Object(_) if !sub.is_empty() => {
                    walk(w, slot, sub, field, object.clone()).await?;
                }
                _ => return Err(not_expandable(seg, false).into()),
            }
        }
        Ok(())
    })
}

/// Adds to `value` (an `object`) the field `field` it leaves out unless asked for: a tiered
/// price's `tiers`, read from the price the value shows (a plan shares its price's id).
async fn include(
    w: &Walk<'_>,
    value: &mut Value,
    object: &str,
    field: &str,
) -> Result<(), Failure> {
    debug_assert!(matches!((object, field), ("price" | "plan", "tiers")));
    let Some(id) = value.get("id").and_then(Value::as_str) else {
        return Ok(());
    };
    let Some(price) =
        portico_store::get::<portico_domain::price::Price>(&*w.app.store, w.account, id).await?
    else {
        return Ok(());
    };
    if let (Some(tiers), Some(o)) = (
        portico_wire::render::price_tiers(&price.value),
        value.as_object_mut(),
    ) {
        o.insert("tiers".into(), tiers);
    }
    Ok(())
}

fn kind_of(v: &Value) -> String {
    v.get("object")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned()
}

//! Expansion: replaces id strings in a rendered object with the objects they name, following
//! the `expand[]` paths (`default_price`, `data.product`, …).

use crate::http::Failure;
use crate::objects::render_record;
use crate::state::App;
use futures_util::future::BoxFuture;
use portico_domain::AccountId;
use portico_wire::expand::{not_expandable, target, ExpandTree};
use serde_json::Value;

/// Expands `tree` in `value`, which is an object or a list envelope.
pub async fn expand(
    app: &App,
    account: &AccountId,
    value: &mut Value,
    tree: &ExpandTree,
) -> Result<(), Failure> {
    let object = value
        .get("object")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    walk(app, account, value, tree, String::new(), object).await
}

fn walk<'a>(
    app: &'a App,
    account: &'a AccountId,
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
                        let kind = item
                            .get("object")
                            .and_then(Value::as_str)
                            .unwrap_or_default()
                            .to_owned();
                        walk(app, account, item, sub, String::new(), kind).await?;
                    }
                }
                continue;
            }
            let field = if prefix.is_empty() {
                seg.clone()
            } else {
                format!("{prefix}.{seg}")
            };
            let Some(slot) = value.get_mut(seg.as_str()) else {
                return Err(not_expandable(seg, false).into());
            };
            match slot {
                Value::String(id) => {
                    let kind = target(&object, &field).ok_or_else(|| not_expandable(seg, false))?;
                    if let Some(record) = app.store.get(account, kind, id).await? {
                        let mut expanded = render_record(&record)?;
                        let kind = kind_of(&expanded);
                        walk(app, account, &mut expanded, sub, String::new(), kind).await?;
                        *slot = expanded;
                    }
                }
                Value::Null => {
                    target(&object, &field).ok_or_else(|| not_expandable(seg, false))?;
                }
                Value::Object(o) if o.contains_key("object") => {
                    let kind = kind_of(slot);
                    walk(app, account, slot, sub, String::new(), kind).await?;
                }
                Value::Object(_) if !sub.is_empty() => {
                    walk(app, account, slot, sub, field, object.clone()).await?;
                }
                _ => return Err(not_expandable(seg, false).into()),
            }
        }
        Ok(())
    })
}

fn kind_of(v: &Value) -> String {
    v.get("object")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned()
}

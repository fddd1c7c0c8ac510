//! Events: every commit records Stripe `event` objects for what it changed, in the same
//! transaction. They are derived here from the writes themselves (a new object → `*.created`,
//! a changed one → `*.updated` with `previous_attributes`, plus Stripe's special names such as
//! `payment_method.attached` or `setup_intent.succeeded`), so no handler can forget one.

use crate::objects::render_record;
use crate::state::App;
use portico_domain::{AccountId, IdGen, RandomIds, ID_LEN};
use portico_store::{Record, StoreError, Write};
use portico_wire::API_VERSION;
use serde_json::{json, Map, Value};

tokio::task_local! {
    /// The API request being served, for the events it causes (`request.id`, idempotency key).
    pub static REQUEST: RequestContext;
}

/// What an event records about the request that caused it.
#[derive(Clone, Debug, Default)]
pub struct RequestContext {
    pub id: Option<String>,
    pub idempotency_key: Option<String>,
}

/// The events a change of one object causes: `(type, previous_attributes)`; the object is
/// `new` (or, for a deletion, `old` as it was).
fn derive(kind: &str, old: Option<&Value>, new: &Value) -> Vec<(String, Option<Value>, bool)> {
    let deleted = |v: &Value| v.get("deleted").and_then(Value::as_bool) == Some(true);
    let Some(old) = old else {
        return match kind {
            // Stripe has no payment_method.created: attaching is what it announces.
            "payment_method" | "event" => Vec::new(),
            "setup_intent" => {
                let mut e = vec![("setup_intent.created".to_owned(), None, false)];
                e.extend(setup_intent_status_event(None, new));
                e
            }
            _ => vec![(format!("{kind}.created"), None, false)],
        };
    };
    if deleted(new) && !deleted(old) {
        return vec![(format!("{kind}.deleted"), None, true)];
    }
    let Some(previous) = diff(old, new) else {
        return Vec::new();
    };
    match kind {
        "payment_method" => {
            let was = old.get("customer").filter(|c| !c.is_null());
            let is = new.get("customer").filter(|c| !c.is_null());
            match (was, is) {
                (None, Some(_)) => vec![("payment_method.attached".into(), None, false)],
                (Some(_), None) => vec![("payment_method.detached".into(), Some(previous), false)],
                _ => vec![("payment_method.updated".into(), Some(previous), false)],
            }
        }
        "setup_intent" => setup_intent_status_event(Some(old), new)
            .into_iter()
            .collect(),
        _ => vec![(format!("{kind}.updated"), Some(previous), false)],
    }
}

fn setup_intent_status_event(
    old: Option<&Value>,
    new: &Value,
) -> Option<(String, Option<Value>, bool)> {
    let status = new.get("status").and_then(Value::as_str)?;
    let before = old.and_then(|o| o.get("status")).and_then(Value::as_str);
    let failed_now = !new["last_setup_error"].is_null()
        && old.is_none_or(|o| o["last_setup_error"] != new["last_setup_error"]);
    let t = match status {
        "succeeded" if before != Some("succeeded") => "setup_intent.succeeded",
        "requires_action" if before != Some("requires_action") => "setup_intent.requires_action",
        "canceled" if before != Some("canceled") => "setup_intent.canceled",
        "requires_payment_method" if failed_now => "setup_intent.setup_failed",
        _ => return None,
    };
    Some((t.to_owned(), None, false))
}

/// `previous_attributes`: the old values of what changed; nested hashes (not Stripe objects)
/// are diffed key by key, arrays and everything else are given whole.
pub fn diff(old: &Value, new: &Value) -> Option<Value> {
    let (Value::Object(o), Value::Object(n)) = (old, new) else {
        return (old != new).then(|| old.clone());
    };
    let mut out = Map::new();
    for key in o.keys().chain(n.keys().filter(|k| !o.contains_key(*k))) {
        let (ov, nv) = (
            o.get(key).unwrap_or(&Value::Null),
            n.get(key).unwrap_or(&Value::Null),
        );
        if ov == nv {
            continue;
        }
        let nested = ov.is_object()
            && nv.is_object()
            && ov.get("object").is_none()
            && nv.get("object").is_none();
        let prev = if nested {
            diff(ov, nv).unwrap_or(Value::Null)
        } else {
            ov.clone()
        };
        out.insert(key.clone(), prev);
    }
    (!out.is_empty()).then_some(Value::Object(out))
}

impl App {
    /// Commits `writes` together with the events they cause, in one transaction.
    pub async fn commit(
        &self,
        account: &AccountId,
        mut writes: Vec<Write>,
    ) -> Result<(), StoreError> {
        let now = self.clock.now();
        let request = REQUEST.try_with(Clone::clone).unwrap_or_default();
        let mut events = Vec::new();
        for w in &writes {
            let (record, old) = match w {
                Write::Insert(r) => (r, None),
                Write::Update(r) => {
                    let old = self.store.get(account, r.kind, &r.id).await?;
                    // A stale write fails its version check anyway; it causes no events.
                    match old {
                        Some(o) if o.version == r.version - 1 => (r, Some(o)),
                        _ => continue,
                    }
                }
                _ => continue,
            };
            events.extend(self.events_for(record, old.as_ref(), now, &request)?);
        }
        writes.extend(events.into_iter().map(Write::Insert));
        self.store.commit(account, writes).await
    }

    fn events_for(
        &self,
        record: &Record,
        old: Option<&Record>,
        now: i64,
        request: &RequestContext,
    ) -> Result<Vec<Record>, StoreError> {
        let url = &self.settings.public_url;
        let render = |r: &Record| {
            render_record(r, now, url)
                .map_err(|_| StoreError::Corrupt(format!("cannot render {} {}", r.kind, r.id)))
        };
        let new_json = render(record)?;
        let old_json = old.map(render).transpose()?;
        let mut out = Vec::new();
        for (kind, previous, use_old) in derive(record.kind, old_json.as_ref(), &new_json) {
            let object = if use_old {
                old_json.clone().unwrap_or_else(|| new_json.clone())
            } else {
                new_json.clone()
            };
            out.push(event_record(
                &kind,
                object,
                previous,
                now,
                record.id.clone(),
                request,
            ));
        }
        Ok(out)
    }
}

fn event_record(
    kind: &str,
    object: Value,
    previous: Option<Value>,
    now: i64,
    object_id: String,
    request: &RequestContext,
) -> Record {
    let id = RandomIds.next("evt_", ID_LEN);
    let livemode = object
        .get("livemode")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let mut data = json!({ "object": object });
    if let Some(p) = previous {
        data["previous_attributes"] = p;
    }
    let event = json!({
        "id": id,
        "object": "event",
        "api_version": API_VERSION,
        "created": now,
        "data": data,
        "livemode": livemode,
        "pending_webhooks": 0,
        "request": { "id": request.id, "idempotency_key": request.idempotency_key },
        "type": kind,
    });
    Record {
        kind: "event",
        id,
        created: now,
        version: 1,
        deleted: false,
        parent: Some(object_id),
        lookup: Some(kind.to_owned()),
        status: None,
        unique_key: None,
        data: event.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diffs_name_what_changed() {
        let old =
            json!({"name": "A", "metadata": {"a": "1", "b": "2"}, "address": null, "list": [1]});
        let new = json!({"name": "B", "metadata": {"a": "1", "c": "3"}, "address": {"city": "X"}, "list": [1, 2]});
        assert_eq!(
            diff(&old, &new).unwrap(),
            json!({"name": "A", "metadata": {"b": "2", "c": null}, "address": null, "list": [1]})
        );
        assert_eq!(diff(&old, &old), None);
    }

    #[test]
    fn event_names() {
        let names = |kind: &str, old: Option<Value>, new: Value| {
            derive(kind, old.as_ref(), &new)
                .into_iter()
                .map(|e| e.0)
                .collect::<Vec<_>>()
        };
        assert_eq!(
            names("customer", None, json!({"id": "c"})),
            ["customer.created"]
        );
        assert_eq!(
            names(
                "customer",
                Some(json!({"id": "c", "name": "a"})),
                json!({"id": "c", "name": "b"})
            ),
            ["customer.updated"]
        );
        assert_eq!(
            names(
                "customer",
                Some(json!({"id": "c"})),
                json!({"id": "c", "deleted": true})
            ),
            ["customer.deleted"]
        );
        assert!(
            names("customer", Some(json!({"id": "c"})), json!({"id": "c"})).is_empty(),
            "nothing changed"
        );
        assert!(names("payment_method", None, json!({"customer": null})).is_empty());
        assert_eq!(
            names(
                "payment_method",
                Some(json!({"customer": null})),
                json!({"customer": "cus"})
            ),
            ["payment_method.attached"]
        );
        assert_eq!(
            names(
                "payment_method",
                Some(json!({"customer": "cus"})),
                json!({"customer": null})
            ),
            ["payment_method.detached"]
        );
        assert_eq!(
            names(
                "setup_intent",
                None,
                json!({"status": "requires_action", "last_setup_error": null})
            ),
            ["setup_intent.created", "setup_intent.requires_action"]
        );
        assert_eq!(
            names(
                "setup_intent",
                Some(json!({"status": "requires_action", "last_setup_error": null})),
                json!({"status": "requires_payment_method", "last_setup_error": {"code": "x"}})
            ),
            ["setup_intent.setup_failed"]
        );
    }
}

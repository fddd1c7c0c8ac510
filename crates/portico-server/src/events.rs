//! Events: every commit records Stripe `event` objects for what it changed, in the same
//! transaction. They are derived here from the writes themselves (a new object → `*.created`,
//! a changed one → `*.updated` with `previous_attributes`, plus Stripe's special names such as
//! `payment_method.attached` or `setup_intent.succeeded`), so no handler can forget one.

use crate::billing::prorations_as_made;
use crate::objects::render_record;
use crate::state::App;
use portico_domain::invoice::{Invoice, InvoiceStatus, Line};
use portico_domain::webhook_endpoint::{WebhookEndpoint, MAX_ENDPOINTS};
use portico_domain::{AccountId, IdGen, ID_LEN};
use portico_store::{
    Cursor, Filter, ListQuery, NewDelivery, Object, Read, Record, StoreError, Write,
};
use portico_wire::API_VERSION;
use serde_json::{Map, Value};

tokio::task_local! {
    /// The API request being served, for the events it causes (`request.id`, idempotency key).
    pub static REQUEST: RequestContext;
}

/// What an event records about the request that caused it.
#[derive(Clone, Debug, Default)]
pub struct RequestContext {
    pub id: Option<String>,
    /// The idempotency key the request holds, if it sent one.
    pub held: Option<portico_store::HeldKey>,
}

/// The events a change of one object causes: `(type, previous_attributes)`; the object is
/// `new` (or, for a deletion, `old` as it was).
fn derive(kind: &str, old: Option<&Value>, new: &Value) -> Vec<(String, Option<Value>, bool)> {
    let deleted = |v: &Value| v.get("deleted").and_then(Value::as_bool) == Some(true);
    // Stripe's names for objects that hang off a customer.
    let name = |suffix: &str| match kind {
        "subscription" => format!("customer.subscription.{suffix}"),
        "discount" => format!("customer.discount.{suffix}"),
        k => format!("{k}.{suffix}"),
    };
    let Some(old) = old else {
        return match kind {
            // Stripe has no payment_method.created: attaching is what it announces, also for
            // a card saved to a customer as it is made (the hosted invoice page's).
            "payment_method" if new.get("customer").is_some_and(|c| !c.is_null()) => {
                vec![("payment_method.attached".into(), None, false)]
            }
            "payment_method" | "event" => Vec::new(),
            "setup_intent" => {
                let mut e = vec![("setup_intent.created".to_owned(), None, false)];
                e.extend(setup_intent_status_event(None, new));
                e
            }
            _ => vec![(name("created"), None, false)],
        };
    };
    if deleted(new) && !deleted(old) {
        return vec![(name("deleted"), None, true)];
    }
    // Back in force (a `once` discount a deleted draft gives back): there again, as if new.
    if deleted(old) && !deleted(new) {
        return vec![(name("created"), None, false)];
    }
    // Stripe announces an invoice item made and deleted, not changed (nor taken by an invoice,
    // whose own events say so).
    if kind == "invoiceitem" {
        return Vec::new();
    }
    let Some(mut previous) = diff(old, new) else {
        return Vec::new();
    };
    // Bookkeeping Stripe does not announce: redemption counts, the next invoice number.
    let quiet: &[&str] = match kind {
        "customer" => &["next_invoice_sequence"],
        "coupon" => &["times_redeemed", "valid"],
        "promotion_code" => &["times_redeemed"],
        _ => &[],
    };
    if let Some(p) = previous.as_object_mut() {
        p.retain(|k, _| !quiet.contains(&k.as_str()));
        if p.is_empty() {
            return Vec::new();
        }
    }
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
        "test_helpers.test_clock" => match (old["status"].as_str(), new["status"].as_str()) {
            (Some("ready"), Some("advancing")) => vec![(name("advancing"), None, false)],
            (Some("advancing"), Some("ready")) => vec![(name("ready"), None, false)],
            _ => Vec::new(),
        },
        // A subscription that ends is announced as deleted, with its final state and, like
        // Stripe's other `*.deleted` events, no previous_attributes.
        "subscription" if new["status"] == "canceled" && old["status"] != "canceled" => {
            vec![(name("deleted"), None, false)]
        }
        // A schedule that ends is announced by how it ended, as Stripe does.
        "subscription_schedule"
            if new["status"] != old["status"]
                && matches!(
                    new["status"].as_str(),
                    Some("canceled" | "released" | "completed")
                ) =>
        {
            vec![(
                name(new["status"].as_str().unwrap_or_default()),
                None,
                false,
            )]
        }
        // A pending update ends: applied (the items became its items) or expired.
        "subscription" if !old["pending_update"].is_null() && new["pending_update"].is_null() => {
            let applied = new["items"]["data"] == old["pending_update"]["subscription_items"];
            let outcome = if applied {
                "pending_update_applied"
            } else {
                "pending_update_expired"
            };
            vec![
                (name(outcome), Some(previous.clone()), false),
                (name("updated"), Some(previous), false),
            ]
        }
        // A trial ended without a payment method, or a paused subscription resumed.
        "subscription"
            if new["status"] != old["status"]
                && (new["status"] == "paused" || old["status"] == "paused") =>
        {
            let what = if new["status"] == "paused" {
                "paused"
            } else {
                "resumed"
            };
            vec![
                (name(what), Some(previous.clone()), false),
                (name("updated"), Some(previous), false),
            ]
        }
        _ => vec![(name("updated"), Some(previous), false)],
    }
}

/// Whether this write announces something by setting anew the mark kept for it, the stored (not
/// shown) top-level field `mark`: a subscription's `trial_will_end_sent_for` (its trial's end),
/// a schedule's `expiring_sent_for` (its end). Only that field is decoded from the stored JSON,
/// so a metadata key of the same name cannot pass for it.
fn sets_mark_anew(old: Option<&Record>, new: &Record, mark: &str) -> bool {
    let unset = format!("\"{mark}\":null");
    let sent = |r: &Record| {
        // Unset, the mark reads `null`, which no metadata value (always a string) can: most
        // writes end here without decoding the object.
        if r.data.contains(&unset) {
            return None;
        }
        top_level_i64(&r.data, mark)
    };
    let now = sent(new);
    now.is_some() && old.and_then(sent) != now
}

/// The integer at top-level key `key` of the JSON object `json`, the rest skipped unread.
pub(crate) fn top_level_i64(json: &str, key: &str) -> Option<i64> {
    use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};
    struct Field<'k>(&'k str);
    impl<'de> Visitor<'de> for Field<'_> {
        type Value = Option<i64>;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a JSON object")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Option<i64>, A::Error> {
            let mut found = None;
            while let Some(k) = map.next_key::<std::borrow::Cow<'de, str>>()? {
                if k == self.0 {
                    found = map.next_value::<Option<i64>>()?;
                } else {
                    map.next_value::<IgnoredAny>()?;
                }
            }
            Ok(found)
        }
    }
    impl<'de> DeserializeSeed<'de> for Field<'_> {
        type Value = Option<i64>;
        fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Option<i64>, D::Error> {
            d.deserialize_map(self)
        }
    }
    let mut de = serde_json::Deserializer::from_str(json);
    Field(key).deserialize(&mut de).ok().flatten()
}

/// Invoice events, from the stored invoices (their payment state is not all in the JSON Stripe
/// shows): created, finalized, paid / payment_succeeded, payment_failed,
/// payment_action_required, voided, marked_uncollectible; `invoice.updated` for other changes.
fn invoice_events(
    old: Option<&Value>,
    new: &Value,
    previous: Option<Value>,
) -> Vec<(String, Option<Value>, bool)> {
    let status = |v: &Value| {
        v.get("status")
            .and_then(Value::as_str)
            .unwrap_or("draft")
            .to_owned()
    };
    // Every attempt counts, those made by hand too (`tries`; invoices stored before it was
    // kept have their attempt_count).
    let attempts = |v: &Value| {
        let count = |k: &str| v.get(k).and_then(Value::as_i64).unwrap_or(0);
        count("tries").max(count("attempt_count"))
    };
    let deleted = |v: &Value| v.get("deleted").and_then(Value::as_bool) == Some(true);
    if deleted(new) && !old.is_some_and(deleted) {
        // Announced with the draft as it was.
        return vec![("invoice.deleted".into(), None, true)];
    }
    let (was, is) = (old.map(status), status(new));
    let mut out: Vec<String> = Vec::new();
    if old.is_none() {
        out.push("invoice.created".into());
    }
    if is != "draft" && was.as_deref().is_none_or(|w| w == "draft") {
        out.push("invoice.finalized".into());
    }
    // Emailed to its customer (again, for one sent anew).
    let sent = |v: &Value| v.get("times_sent").and_then(Value::as_i64).unwrap_or(0);
    if sent(new) > old.map(sent).unwrap_or(0) {
        out.push("invoice.sent".into());
    }
    if is == "paid" && was.as_deref() != Some("paid") {
        out.push("invoice.paid".into());
        // Marked paid outside Portico: no payment succeeded.
        if new
            .get("paid_off_stripe")
            .and_then(Value::as_i64)
            .unwrap_or(0)
            == 0
        {
            out.push("invoice.payment_succeeded".into());
        }
    } else if attempts(new) > old.map(attempts).unwrap_or(0)
        && (is == "open" || is == "uncollectible")
    {
        let waiting = !new.get("pending_authentication").is_none_or(Value::is_null);
        out.push(
            if waiting {
                "invoice.payment_action_required"
            } else {
                "invoice.payment_failed"
            }
            .into(),
        );
    }
    if is == "void" && was.as_deref() != Some("void") {
        out.push("invoice.voided".into());
    }
    if is == "uncollectible" && was.as_deref() != Some("uncollectible") {
        out.push("invoice.marked_uncollectible".into());
    }
    if out.is_empty() {
        return previous
            .map(|p| vec![("invoice.updated".to_owned(), Some(p), false)])
            .unwrap_or_default();
    }
    out.into_iter().map(|t| (t, None, false)).collect()
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
    pub async fn commit(&self, account: &AccountId, writes: Vec<Write>) -> Result<(), StoreError> {
        self.commit_at(account, writes, self.clock.now()).await
    }

    /// [`App::commit`] for changes that happen at `now` on a test clock: the objects in the events
    /// are rendered as of that time.
    pub async fn commit_at(
        &self,
        account: &AccountId,
        writes: Vec<Write>,
        now: i64,
    ) -> Result<(), StoreError> {
        self.commit_known(account, writes, now, None, Vec::new())
            .await
    }

    /// [`App::commit_at`], with events no stored object stands for (`invoice.upcoming` carries
    /// a preview), sent after those the writes cause: `(type, object)`.
    pub async fn commit_with_events(
        &self,
        account: &AccountId,
        writes: Vec<Write>,
        now: i64,
        extra: Vec<(&str, Value)>,
    ) -> Result<(), StoreError> {
        self.commit_known(account, writes, now, None, extra).await
    }

    /// [`App::commit`] of writes that make a new object the caller has rendered already
    /// (`rendered`, as of now): its event takes that rendering instead of decoding the stored
    /// record and rendering it again.
    pub async fn commit_rendered(
        &self,
        account: &AccountId,
        writes: Vec<Write>,
        rendered: Value,
    ) -> Result<(), StoreError> {
        self.commit_known(
            account,
            writes,
            self.clock.now(),
            Some(rendered),
            Vec::new(),
        )
        .await
    }

    /// [`App::commit_unboxed`] on the heap. Its state (several kilobytes: the changes, events,
    /// ledger and outbox rows it gathers across its reads) would otherwise be part of the future
    /// of every request that writes, and be copied each time that future is moved on its way
    /// from the handler through the router's layers.
    fn commit_known<'a>(
        &'a self,
        account: &'a AccountId,
        writes: Vec<Write>,
        now: i64,
        rendered: Option<Value>,
        extra: Vec<(&'a str, Value)>,
    ) -> futures_util::future::BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(self.commit_unboxed(account, writes, now, rendered, extra))
    }

    async fn commit_unboxed(
        &self,
        account: &AccountId,
        mut writes: Vec<Write>,
        now: i64,
        mut rendered: Option<Value>,
        extra: Vec<(&str, Value)>,
    ) -> Result<(), StoreError> {
        let request = REQUEST.try_with(Clone::clone).unwrap_or_default();
        // Each object written with what it was: `None` for one that causes nothing.
        let mut changes: Vec<Option<(&Record, Option<Record>)>> = Vec::with_capacity(writes.len());
        for (i, w) in writes.iter().enumerate() {
            changes.push(match w {
                Write::Insert(r) => Some((r, None)),
                Write::Update(r) => {
                    // An object written twice in one commit (a renewal, then its failed
                    // payment) changes from its first write's version.
                    let earlier = writes[..i].iter().rev().find_map(|e| match e {
                        Write::Update(o) if o.kind == r.kind && o.id == r.id => Some(o.clone()),
                        _ => None,
                    });
                    let old = match earlier {
                        Some(o) => Some(o),
                        None => self.store.get(account, r.kind, &r.id).await?,
                    };
                    // A stale write fails its version check anyway; it causes no events.
                    match old {
                        Some(o) if o.version == r.version - 1 => Some((r, Some(o))),
                        _ => None,
                    }
                }
                _ => None,
            });
        }
        // Every change of a customer's balance is an entry of their ledger (announcing nothing
        // of its own).
        let currency = &self.settings.default_currency;
        let ledger = crate::ledger::entries(&*self.store, account, &changes, now, currency).await?;
        // Prorations are invoice items: the ones this commit makes are announced as Stripe
        // announces each item it makes, after the change that made them and before the
        // invoice that may bill them.
        let (prorations, billed) = self
            .prorations(account, &changes, &writes, &request)
            .await?;
        let mut events = Vec::new();
        for change in &changes {
            let Some((record, old)) = change else {
                continue;
            };
            // The caller's rendering stands for a new object of the same kind and id.
            let known = rendered.take_if(|v| {
                old.is_none()
                    && v.get("id").and_then(Value::as_str) == Some(record.id.as_str())
                    && v.get("object").and_then(Value::as_str) == Some(record.kind)
            });
            events.extend(self.events_for(account, record, old.as_ref(), known, now, &request)?);
        }
        drop(changes);
        let invoiced = events.iter().position(|e: &Record| {
            e.lookup
                .as_deref()
                .is_some_and(|t| t.starts_with("invoice."))
        });
        let at = invoiced.unwrap_or(events.len());
        events.splice(at..at, prorations);
        writes.extend(ledger.into_iter().map(Write::Insert));
        writes.extend(billed);
        for (kind, object) in extra {
            events.push(event_record(kind, object, None, self.clock.now(), &request));
        }
        if let Some(held) = &request.held {
            writes.push(Write::IdempotencyCommitted(held.clone()));
        }
        let deliveries = self.outbox(account, &events).await?;
        let wake = !deliveries.is_empty();
        let mail = writes.iter().any(|w| matches!(w, Write::Email(_)));
        writes.extend(events.into_iter().map(Write::Insert));
        writes.extend(deliveries);
        self.store.commit(account, writes).await?;
        if wake {
            self.webhook_wake.notify_one();
        }
        if mail {
            self.mail_wake.notify_one();
        }
        Ok(())
    }

    /// The account's enabled webhook endpoints.
    pub async fn webhook_endpoints(
        &self,
        account: &AccountId,
    ) -> Result<Vec<WebhookEndpoint>, StoreError> {
        let query = ListQuery {
            kind: WebhookEndpoint::KIND,
            filters: vec![Filter::Status("enabled".into())],
            cursor: Cursor::Start,
            limit: MAX_ENDPOINTS,
            include_deleted: false,
        };
        self.store
            .list(account, &query)
            .await?
            .records
            .iter()
            .map(|r| {
                portico_store::decode::<WebhookEndpoint>(&*self.store, account, r).map(|v| v.value)
            })
            .collect()
    }

    /// The outbox rows for `events`: one per event and enabled endpoint that wants its type,
    /// due at once.
    async fn outbox(
        &self,
        account: &AccountId,
        events: &[Record],
    ) -> Result<Vec<Write>, StoreError> {
        if events.is_empty() {
            return Ok(Vec::new());
        }
        let endpoints = self.webhook_endpoints(account).await?;
        let mut out = Vec::new();
        for event in events {
            let kind = event.lookup.as_deref().unwrap_or_default();
            for endpoint in endpoints.iter().filter(|e| e.wants(kind)) {
                out.push(Write::Delivery(NewDelivery::due(
                    &event.id,
                    &endpoint.id,
                    event.created,
                )));
            }
        }
        Ok(out)
    }

    fn events_for(
        &self,
        account: &AccountId,
        record: &Record,
        old: Option<&Record>,
        known: Option<Value>,
        now: i64,
        request: &RequestContext,
    ) -> Result<Vec<Record>, StoreError> {
        // Stripe announces no changes to webhook endpoints, and Portico's own settings
        // (branding) are not Stripe objects.
        // Nor the entries of a customer's balance ledger (`customer.updated` says the balance
        // changed).
        if record.kind == WebhookEndpoint::KIND
            || record.kind.starts_with("portico.")
            || record.kind == portico_domain::balance_transaction::BalanceTransaction::KIND
        {
            return Ok(Vec::new());
        }
        // Links expire in the server's time, whatever the objects' clock.
        let links = self.links(account, self.clock.now());
        let render = |r: &Record, at: i64| {
            render_record(r, at, &links)
                .map_err(|_| StoreError::Corrupt(format!("cannot render {} {}", r.kind, r.id)))
        };
        let new_json = match known {
            Some(v) => v,
            None => render(record, now)?,
        };
        let mut old_json = old.map(|r| render(r, now)).transpose()?;
        // A schedule's `current_phase` follows the time: a write that changes nothing else is
        // the billing engine starting the next phase now, announced with the phase before it
        // (unless it only marks the schedule's end as announced).
        let announces_end = record.kind == "subscription_schedule"
            && sets_mark_anew(old, record, "expiring_sent_for");
        if let (Some(r), Some(o)) = (old, &old_json) {
            if r.kind == "subscription_schedule" && !announces_end && diff(o, &new_json).is_none() {
                let before = render(r, now - 1)?;
                if !before["current_phase"].is_null()
                    && before["current_phase"] != new_json["current_phase"]
                {
                    old_json = Some(before);
                }
            }
        }
        let mut derived = if record.kind == "invoice" {
            let stored = |r: &Record| serde_json::from_str::<Value>(&r.data).unwrap_or(Value::Null);
            let previous = old_json.as_ref().and_then(|o| diff(o, &new_json));
            invoice_events(old.map(stored).as_ref(), &stored(record), previous)
        } else {
            derive(record.kind, old_json.as_ref(), &new_json)
        };
        if record.kind == "subscription" && sets_mark_anew(old, record, "trial_will_end_sent_for") {
            derived.push(("customer.subscription.trial_will_end".into(), None, false));
        }
        if announces_end {
            derived.push(("subscription_schedule.expiring".into(), None, false));
        }
        let mut out = Vec::new();
        let count = derived.len();
        let mut new_json = Some(new_json);
        for (i, (kind, previous, use_old)) in derived.into_iter().enumerate() {
            // An invoice made and finalized (and paid…) in one step is announced in its stages.
            let object = match (
                self.invoice_stage(&links, record, &kind)?,
                use_old,
                &old_json,
            ) {
                (Some(stage), _, _) => stage,
                (None, true, Some(old)) => old.clone(),
                // The last event takes the rendering instead of a copy.
                _ if i + 1 == count => new_json.take().unwrap_or(Value::Null),
                _ => new_json.clone().unwrap_or(Value::Null),
            };
            // Objects on a test clock are rendered as of the clock's time, but an event records
            // when it was sent: the server's time, so the log reads in the order things happened.
            out.push(event_record(
                &kind,
                object,
                previous,
                self.clock.now(),
                request,
            ));
        }
        Ok(out)
    }
}

impl App {
    /// What the prorations in `changes` come to:
    ///
    /// - `invoiceitem.created` for each one made: one on a subscription's pending lines (or its
    ///   pending update's) or on a new invoice's lines that none of the objects written had
    ///   before. Prorations an invoice takes from its subscription, or a deleted draft gives
    ///   back, were there before.
    /// - `invoiceitem.deleted` for each pending one that leaves its subscription without an
    ///   invoice written with it taking it (waived, or removed by a cancellation), as it was.
    /// - The writes that keep each billed proration stored as the invoice item it is (as its
    ///   invoice shows it), so that it is found by id and in its customer's list as Stripe's
    ///   are; one its invoice no longer bills (a deleted draft's, or a dropped pending update's,
    ///   given back to its subscription) is marked deleted, and found as the pending proration
    ///   it is again. The invoice's line stays what bills it; the stored item follows it. Items
    ///   `writes` write themselves are left to them.
    async fn prorations(
        &self,
        account: &AccountId,
        changes: &[Option<(&Record, Option<Record>)>],
        writes: &[Write],
        request: &RequestContext,
    ) -> Result<(Vec<Record>, Vec<Write>), StoreError> {
        use portico_domain::invoice_item::InvoiceItem;
        use portico_domain::subscription::Subscription;
        use std::collections::HashSet;
        // Only objects that carry invoice item ids are worth decoding.
        let carries =
            |r: &Record| matches!(r.kind, "subscription" | "invoice") && r.data.contains("\"ii_");
        let store = &*self.store;
        // Ids the objects written had before, and the prorations they have now.
        let mut before: HashSet<String> = HashSet::new();
        let mut made: Vec<InvoiceItem> = Vec::new();
        // Pending prorations that left their subscription (deleted, unless billed), those a
        // pending update's void invoice gave back that left it too, and the items the invoices
        // written bill (`live`: leaving out void ones).
        let mut dropped: Vec<InvoiceItem> = Vec::new();
        let mut given_back: Vec<InvoiceItem> = Vec::new();
        let mut invoiced: HashSet<String> = HashSet::new();
        let mut invoiced_live: HashSet<String> = HashSet::new();
        // Each invoice written, with the prorations it billed before this commit.
        let mut invoices: Vec<(String, Vec<InvoiceItem>)> = Vec::new();
        // Subscriptions whose pending update went: as they were, and the pending lines they
        // have now.
        let mut updates_gone: Vec<(Subscription, Vec<Line>)> = Vec::new();
        // Discounts written with the prorations, which they may be made with.
        let fresh: Vec<portico_domain::discount::Discount> = writes
            .iter()
            .filter_map(|w| match w {
                Write::Insert(r) | Write::Update(r) if r.kind == "discount" => {
                    portico_store::Versioned::from_record(r)
                        .ok()
                        .map(|v| v.value)
                }
                _ => None,
            })
            .collect();
        for (record, old) in changes.iter().flatten() {
            let old = old.as_ref().filter(|o| carries(o));
            if old.is_none() && !carries(record) {
                continue;
            }
            if record.kind == "subscription" {
                let lines = |s: &Subscription| {
                    let waiting = s.pending_update.iter().flat_map(|p| p.pending_lines.iter());
                    s.pending_lines
                        .iter()
                        .chain(waiting)
                        .cloned()
                        .collect::<Vec<_>>()
                };
                let sub = portico_store::decode::<Subscription>(store, account, record)?.value;
                let new = lines(&sub);
                if let Some(o) = old {
                    let was = portico_store::decode::<Subscription>(store, account, o)?.value;
                    before.extend(lines(&was).into_iter().filter_map(|l| l.invoice_item));
                    if was.pending_update.is_some() {
                        // While a pending update waits, its invoice has the prorations already;
                        // what its going means depends on that invoice.
                        if sub.pending_update.is_none() {
                            updates_gone.push((was, sub.pending_lines.clone()));
                        }
                    } else {
                        // Pending prorations gone from the subscription: billed, if an invoice
                        // written with it has them; else deleted.
                        let gone: Vec<_> = was
                            .pending_lines
                            .iter()
                            .filter(|l| !new.iter().any(|n| n.invoice_item == l.invoice_item))
                            .cloned()
                            .collect();
                        if !gone.is_empty() {
                            dropped.extend(
                                prorations_as_made(store, account, &was, &gone, &fresh).await?,
                            );
                        }
                    }
                }
                // (Only those not announced already are worth pricing.)
                let unseen: Vec<_> = new
                    .into_iter()
                    .filter(|l| l.invoice_item.as_ref().is_some_and(|i| !before.contains(i)))
                    .collect();
                if !unseen.is_empty() {
                    made.extend(prorations_as_made(store, account, &sub, &unseen, &fresh).await?);
                }
            } else {
                let was = match old {
                    Some(o) => Some(portico_store::decode::<Invoice>(store, account, o)?.value),
                    None => None,
                };
                if !invoices.iter().any(|(id, _)| *id == record.id) {
                    let billed = was.as_ref().map(billed_prorations).unwrap_or_default();
                    invoices.push((record.id.clone(), billed));
                }
                if let Some(was) = was {
                    before.extend(was.lines.into_iter().filter_map(|l| l.invoice_item));
                }
                let inv = portico_store::decode::<Invoice>(store, account, record)?.value;
                if !inv.deleted {
                    let ids = inv.lines.iter().filter_map(|l| l.invoice_item.clone());
                    // (A void invoice's prorations stay its items, unless a change that never
                    // happened gives them back to its subscription.)
                    if inv.status != InvoiceStatus::Void {
                        invoiced_live.extend(ids.clone());
                    }
                    invoiced.extend(ids);
                }
                made.extend(billed_prorations(&inv));
            }
        }
        // The stored items to follow: each billed proration as its invoice now shows it (`None`:
        // none bills it any more).
        let mut billed: Vec<(String, Option<InvoiceItem>)> = Vec::new();
        let mut unbilled: Vec<String> = Vec::new();
        for (id, was_billed) in invoices {
            let now = match last_written(writes, "invoice", &id) {
                Some(r) => {
                    billed_prorations(&portico_store::decode::<Invoice>(store, account, r)?.value)
                }
                None => Vec::new(),
            };
            unbilled.extend(
                was_billed
                    .iter()
                    .filter(|w| !now.iter().any(|n| n.id == w.id))
                    .map(|w| w.id.clone()),
            );
            for item in now.into_iter().filter(|n| !was_billed.contains(n)) {
                billed.push((item.id.clone(), Some(item)));
            }
        }
        // A pending update gone without taking effect (its invoice void) gives back the
        // prorations that invoice took: pending again, no longer that invoice's items; those the
        // subscription no longer has (a cancellation removed them) are deleted.
        for (was, pending_now) in updates_gone {
            let awaited = was
                .pending_update
                .as_ref()
                .and_then(|p| p.invoice.clone())
                .or(was.latest_invoice.clone());
            let Some(awaited) = awaited else { continue };
            let void = match last_written(writes, "invoice", &awaited) {
                Some(r) => {
                    portico_store::decode::<Invoice>(store, account, r)?
                        .value
                        .status
                }
                None => match portico_store::get::<Invoice>(store, account, &awaited).await? {
                    Some(v) => v.value.status,
                    None => continue,
                },
            } == InvoiceStatus::Void;
            if !void {
                continue;
            }
            let waiting = was
                .pending_update
                .iter()
                .flat_map(|p| p.pending_lines.iter());
            let mut gone = Vec::new();
            for l in was.pending_lines.iter().chain(waiting) {
                let Some(id) = l.invoice_item.clone().filter(|_| l.proration) else {
                    continue;
                };
                if !pending_now
                    .iter()
                    .any(|n| n.invoice_item.as_ref() == Some(&id))
                {
                    gone.push(l.clone());
                }
                unbilled.push(id);
            }
            if !gone.is_empty() {
                given_back.extend(prorations_as_made(store, account, &was, &gone, &fresh).await?);
            }
        }
        for id in unbilled {
            if !invoiced_live.contains(&id) && !billed.iter().any(|(b, _)| *b == id) {
                billed.push((id, None));
            }
        }
        // (`before` takes in those announced, so that each goes once.)
        let created = made.into_iter().filter(|i| before.insert(i.id.clone()));
        let deleted = dropped
            .into_iter()
            .filter(|i| !invoiced.contains(&i.id))
            .chain(
                given_back
                    .into_iter()
                    .filter(|i| !invoiced_live.contains(&i.id)),
            );
        let announced = created
            .map(|i| ("invoiceitem.created", i))
            .chain(deleted.map(|i| ("invoiceitem.deleted", i)));
        let out = announced
            .map(|(kind, item)| {
                let object = portico_wire::render::invoice_item(&item);
                event_record(kind, object, None, self.clock.now(), request)
            })
            .collect();
        // Items the writes write themselves are theirs.
        billed.retain(|(id, _)| last_written(writes, InvoiceItem::KIND, id).is_none());
        if billed.is_empty() {
            return Ok((out, Vec::new()));
        }
        let reads: Vec<Read> = billed
            .iter()
            .map(|(id, _)| Read::Get(InvoiceItem::KIND, id.clone()))
            .collect();
        let pages = store.read_many(account, &reads).await?;
        let mut kept = Vec::new();
        for ((_, item), page) in billed.into_iter().zip(pages) {
            let stored = match page.records.first() {
                Some(r) => Some(portico_store::decode::<InvoiceItem>(store, account, r)?),
                None => None,
            };
            match (stored, item) {
                (None, Some(item)) => {
                    kept.push(Write::Insert(portico_store::Versioned::new_record(&item)))
                }
                (Some(v), Some(item)) if v.value != item => {
                    let next = portico_store::Versioned {
                        value: item,
                        version: v.version,
                    };
                    kept.push(Write::Update(next.next_record()));
                }
                (Some(mut v), None) if v.value.proration && !v.value.deleted => {
                    v.value.deleted = true;
                    kept.push(Write::Update(v.next_record()));
                }
                _ => {}
            }
        }
        Ok((out, kept))
    }

    /// The invoice `record` as it stood when `kind` happened, when that was an earlier stage
    /// of the step that wrote it: `invoice.created` shows the draft, `invoice.finalized` the
    /// open invoice before its payment. `None`: the event shows the invoice as written.
    fn invoice_stage(
        &self,
        links: &crate::invoice_link::Links,
        record: &Record,
        kind: &str,
    ) -> Result<Option<Value>, StoreError> {
        if record.kind != "invoice" || !matches!(kind, "invoice.created" | "invoice.finalized") {
            return Ok(None);
        }
        let inv = portico_store::Versioned::<Invoice>::from_record(record)?.value;
        let stage = match kind {
            "invoice.created" if inv.status != InvoiceStatus::Draft => Some(inv.as_drafted()),
            "invoice.finalized" => inv.before_payment(),
            _ => None,
        };
        Ok(stage.map(|i| portico_wire::render::invoice(&i, links.hosted_invoice(&i))))
    }
}

/// The prorations `inv` bills, as the invoice items they are (none, once deleted).
fn billed_prorations(inv: &Invoice) -> Vec<portico_domain::invoice_item::InvoiceItem> {
    if inv.deleted {
        return Vec::new();
    }
    inv.lines
        .iter()
        .filter_map(|l| portico_domain::invoice_item::InvoiceItem::billed_proration(inv, l))
        .collect()
}

/// The last version of object `kind` `id` that `writes` write, if they write it.
fn last_written<'a>(writes: &'a [Write], kind: &str, id: &str) -> Option<&'a Record> {
    writes.iter().rev().find_map(|w| match w {
        Write::Insert(r) | Write::Update(r) if r.kind == kind && r.id == id => Some(r),
        _ => None,
    })
}

fn event_record(
    kind: &str,
    object: Value,
    previous: Option<Value>,
    now: i64,
    request: &RequestContext,
) -> Record {
    let id = crate::ids::Ids.next("evt_", ID_LEN);
    let livemode = object
        .get("livemode")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    // The map is built by hand: `json!` would copy `object` through serde's serializer.
    let mut data = Map::with_capacity(2);
    data.insert("object".into(), object);
    if let Some(p) = previous {
        data.insert("previous_attributes".into(), p);
    }
    let mut request_map = Map::with_capacity(2);
    request_map.insert("id".into(), request.id.clone().into());
    request_map.insert(
        "idempotency_key".into(),
        request.held.as_ref().map(|h| h.key.clone()).into(),
    );
    let mut event = Map::with_capacity(9);
    event.insert("id".into(), id.clone().into());
    event.insert("object".into(), "event".into());
    event.insert("api_version".into(), API_VERSION.into());
    event.insert("created".into(), now.into());
    event.insert("data".into(), Value::Object(data));
    event.insert("livemode".into(), livemode.into());
    event.insert("pending_webhooks".into(), 0.into());
    event.insert("request".into(), Value::Object(request_map));
    event.insert("type".into(), kind.into());
    // Written straight into a string: `Display` goes through a formatter, which took twice as
    // long for the same text.
    let text = serde_json::to_string(&event).unwrap_or_default();
    // Events are listed by type and time; nothing looks them up by the object they are about,
    // so they have no parent (an entry in that index would be written with every event and
    // never read).
    Record {
        lookup: Some(kind.to_owned()),
        ..Record::first("event", id, now, text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// `commit_rendered` puts the handler's rendering of a new session in its event: the same
    /// JSON the stored record renders to, flow included.
    #[test]
    fn a_sessions_rendering_is_its_records() {
        use portico_domain::portal::{AfterCompletion, CancelFlow, Flow, PortalSession};
        let mut ids = portico_domain::id::SequentialIds::default();
        let mut ctx = portico_domain::Ctx {
            now: 1_700_000_000,
            livemode: true,
            ids: &mut ids,
        };
        let flow = Flow {
            kind: "subscription_cancel".into(),
            after_completion: AfterCompletion::default(),
            subscription_cancel: Some(CancelFlow {
                subscription: "sub_1".into(),
                retention_coupon: Some("co_1".into()),
            }),
            subscription_update: None,
            subscription_update_confirm: None,
        };
        let session = PortalSession::create(
            "cus_1".into(),
            "bpc_1".into(),
            Some(flow),
            None,
            None,
            Some("https://example.com".into()),
            &mut ctx,
        );
        let url = "http://127.0.0.1:1";
        let record = portico_store::Versioned::new_record(&session);
        assert_eq!(
            crate::objects::render_record(
                &record,
                0,
                &crate::invoice_link::Links::new(url, &AccountId("acct_1".into()), 0, None)
            )
            .unwrap(),
            portico_wire::render::portal_session(&session, url)
        );
    }

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
    fn a_trial_end_is_announced_when_its_stored_mark_is_set_anew() {
        let announces_trial_end = |old: Option<&Record>, new: &Record| {
            sets_mark_anew(old, new, "trial_will_end_sent_for")
        };
        let rec = |data: &str| Record::first("subscription", "sub_1", 0, data);
        let none = rec(r#"{"id":"sub_1","trial_will_end_sent_for":null}"#);
        let one = rec(r#"{"id":"sub_1","trial_will_end_sent_for":1700000000,"x":1}"#);
        let last = rec(r#"{"id":"sub_1","trial_will_end_sent_for":1700000000}"#);
        let two = rec(r#"{"id":"sub_1","trial_will_end_sent_for":1800000000}"#);
        let older = rec(r#"{"id":"sub_1"}"#);
        assert!(announces_trial_end(None, &one), "on creation");
        assert!(announces_trial_end(Some(&none), &one));
        assert!(
            announces_trial_end(Some(&older), &last),
            "stored before the mark existed"
        );
        assert!(announces_trial_end(Some(&one), &two), "a new trial end");
        assert!(
            !announces_trial_end(Some(&one), &last),
            "the same one, last field or not"
        );
        assert!(!announces_trial_end(Some(&one), &none));
        assert!(!announces_trial_end(None, &older));
        let disguised =
            rec(r#"{"metadata":{"trial_will_end_sent_for":"1"},"trial_will_end_sent_for":null}"#);
        assert!(
            !announces_trial_end(Some(&none), &disguised),
            "metadata is not the mark"
        );
        // A schedule's end notice, the same way.
        let sched = |data: &str| Record::first("subscription_schedule", "sub_sched_1", 0, data);
        let unset = sched(r#"{"metadata":{"expiring_sent_for":"5"},"expiring_sent_for":null}"#);
        let set = sched(r#"{"phases":[{"end":9}],"expiring_sent_for":1700000000,"metadata":{}}"#);
        assert!(sets_mark_anew(Some(&unset), &set, "expiring_sent_for"));
        assert!(!sets_mark_anew(Some(&set), &set, "expiring_sent_for"));
        assert!(!sets_mark_anew(Some(&set), &unset, "expiring_sent_for"));
        assert_eq!(top_level_i64(r#"{"a":{"k":1},"k":2}"#, "k"), Some(2));
        assert_eq!(top_level_i64(r#"{"a":{"k":1}}"#, "k"), None);
        assert_eq!(top_level_i64("not json", "k"), None);
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
                "subscription",
                Some(json!({"status": "active"})),
                json!({"status": "canceled"})
            ),
            ["customer.subscription.deleted"]
        );
        assert_eq!(
            names(
                "subscription",
                Some(json!({"status": "active", "cancel_at_period_end": false})),
                json!({"status": "active", "cancel_at_period_end": true})
            ),
            ["customer.subscription.updated"]
        );
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

//! How domain objects map to stored records: their kind and indexed columns.

use crate::{Record, Store, StoreError, StoreResult};
use portico_domain::coupon::Coupon;
use portico_domain::customer::Customer;
use portico_domain::payment_method::PaymentMethod;
use portico_domain::price::Price;
use portico_domain::product::Product;
use portico_domain::promotion_code::PromotionCode;
use portico_domain::setup_intent::SetupIntent;
use portico_domain::AccountId;
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::any::Any;
use std::sync::Arc;

/// A domain type that can be stored.
pub trait Object: Serialize + DeserializeOwned + Clone + Send + Sync + 'static {
    /// Stripe's object name, also the stored `kind`.
    const KIND: &'static str;
    /// The object's id.
    fn id(&self) -> &str;
    /// Creation time.
    fn created(&self) -> i64;
    /// Whether this is a deleted tombstone.
    fn deleted(&self) -> bool {
        false
    }
    /// The owning object's id, for `parent` lookups.
    fn parent(&self) -> Option<String> {
        None
    }
    /// A searchable key.
    fn lookup(&self) -> Option<String> {
        None
    }
    /// A filterable state.
    fn status(&self) -> Option<String> {
        None
    }
    /// A key unique within the account among objects of this kind.
    fn unique_key(&self) -> Option<String> {
        None
    }
    /// When something falls due for the object on the server clock (the billing worker's queue).
    fn due_at(&self) -> Option<i64> {
        None
    }
}

/// An object with the version it was stored at.
#[derive(Clone, Debug, PartialEq)]
pub struct Versioned<T> {
    pub value: T,
    pub version: i64,
}

impl<T: Object> Versioned<T> {
    /// The record for a first insert.
    pub fn new_record(value: &T) -> Record {
        to_record(value, 1)
    }

    /// The record that replaces this version.
    pub fn next_record(&self) -> Record {
        to_record(&self.value, self.version + 1)
    }

    /// Decodes a stored record.
    pub fn from_record(r: &Record) -> StoreResult<Self> {
        let value = serde_json::from_str(&r.data)
            .map_err(|e| StoreError::Corrupt(format!("{} {}: {e}", r.kind, r.id)))?;
        Ok(Versioned {
            value,
            version: r.version,
        })
    }
}

fn to_record<T: Object>(value: &T, version: i64) -> Record {
    Record {
        kind: T::KIND,
        id: value.id().to_owned(),
        created: value.created(),
        version,
        deleted: value.deleted(),
        parent: value.parent(),
        lookup: value.lookup(),
        status: value.status(),
        unique_key: value.unique_key(),
        due_at: value.due_at(),
        // Serialising plain domain structs cannot fail.
        data: serde_json::to_string(value).unwrap_or_default(),
    }
}

/// Typed reads on top of any [`Store`], decoded through the store's [`Decoded`] cache.
pub async fn get<T: Object>(
    store: &dyn Store,
    account: &AccountId,
    id: &str,
) -> StoreResult<Option<Versioned<T>>> {
    match store.get(account, T::KIND, id).await? {
        Some(r) => Ok(Some(decode(store, account, &r)?)),
        None => Ok(None),
    }
}

/// A stored record as its domain object: from the store's [`Decoded`] cache when this version
/// was decoded before, else parsed (and kept).
pub fn decode<T: Object>(
    store: &dyn Store,
    account: &AccountId,
    r: &Record,
) -> StoreResult<Versioned<T>> {
    let Some(cache) = store.decoded() else {
        return Versioned::from_record(r);
    };
    if let Some(hit) = cache.get(&account.0, r.kind, &r.id, r.version) {
        if let Some(value) = hit.value.downcast_ref::<T>() {
            return Ok(Versioned {
                value: value.clone(),
                version: r.version,
            });
        }
    }
    let v = Versioned::<T>::from_record(r)?;
    cache.insert(
        &account.0,
        r.kind,
        &r.id,
        r.version,
        Entry {
            value: Arc::new(v.value.clone()),
            size: r.data.len(),
        },
    );
    Ok(v)
}

/// A page's records (from [`Store::list`] or [`Store::read_many`]) as domain objects, through
/// [`decode`].
pub fn decode_all<T: Object>(
    store: &dyn Store,
    account: &AccountId,
    page: &crate::Page,
) -> StoreResult<Vec<Versioned<T>>> {
    page.records
        .iter()
        .map(|r| decode(store, account, r))
        .collect()
}

/// The record a point read of [`Store::read_many`] found, if any, as its domain object.
pub fn decode_first<T: Object>(
    store: &dyn Store,
    account: &AccountId,
    page: &crate::Page,
) -> StoreResult<Option<Versioned<T>>> {
    Ok(decode_all(store, account, page)?.into_iter().next())
}

/// Values worked out from one version of a stored object (its decoded form, its rendered
/// body), by account, kind, id and version. A version is written once and never changes (an
/// update is a new version, from this process or another sharing the database), so an entry is
/// never stale. Bounded by an estimate of the bytes held; the oldest fall out first. Keep one per
/// store: ids are unique within a database, not across databases.
pub struct ByVersion<V: Weight + Clone>(pub quick_cache::sync::Cache<VersionKey, V, Weigh>);

/// Account, kind, id and version.
pub type VersionKey = (String, &'static str, String, i64);

/// About how many bytes a cached value holds.
pub trait Weight {
    fn bytes(&self) -> usize;
}

impl Weight for bytes::Bytes {
    fn bytes(&self) -> usize {
        self.len()
    }
}

#[derive(Clone)]
pub struct Weigh;

impl<V: Weight> quick_cache::Weighter<VersionKey, V> for Weigh {
    fn weight(&self, key: &VersionKey, v: &V) -> u64 {
        (key.0.len() + key.2.len() + v.bytes() + 64) as u64
    }
}

impl<V: Weight + Clone> ByVersion<V> {
    /// A cache holding about `budget` bytes.
    pub fn new(budget: u64) -> ByVersion<V> {
        // The estimate sizes the table up front; the byte budget is what bounds it.
        ByVersion(quick_cache::sync::Cache::with_weighter(
            1_024, budget, Weigh,
        ))
    }

    /// The value kept for this version of an object, looked up without copying the key.
    pub fn get(&self, account: &str, kind: &'static str, id: &str, version: i64) -> Option<V> {
        self.0.get(&VersionRef(account, kind, id, version))
    }

    /// Keeps `value` for this version of an object.
    pub fn insert(&self, account: &str, kind: &'static str, id: &str, version: i64, value: V) {
        self.0
            .insert((account.to_owned(), kind, id.to_owned(), version), value);
    }
}

/// A [`VersionKey`] borrowed. It hashes as the key does: field by field, and a `&str` as the
/// `String` holding the same text.
#[derive(Hash)]
struct VersionRef<'a>(&'a str, &'static str, &'a str, i64);

impl quick_cache::Equivalent<VersionKey> for VersionRef<'_> {
    fn equivalent(&self, key: &VersionKey) -> bool {
        self.0 == key.0 && self.1 == key.1 && self.2 == key.2 && self.3 == key.3
    }
}

/// Objects as last decoded: cloning a decoded object costs less than parsing its JSON again,
/// and pages read the same session, customer and configuration over and over. Only what was
/// read back from the database is kept, never a write that may yet roll back.
pub type Decoded = ByVersion<Entry>;

/// A decoded object, and the length of the JSON it came from.
#[derive(Clone)]
pub struct Entry {
    value: Arc<dyn Any + Send + Sync>,
    size: usize,
}

impl Weight for Entry {
    /// A decoded object takes about twice its JSON.
    fn bytes(&self) -> usize {
        2 * self.size
    }
}

/// Bytes of decoded objects a store keeps.
pub const DECODED_BUDGET: u64 = 16 * 1024 * 1024;

fn active_status(active: bool) -> Option<String> {
    Some(if active { "active" } else { "inactive" }.to_owned())
}

impl Object for Customer {
    const KIND: &'static str = "customer";
    fn id(&self) -> &str {
        self.id.as_str()
    }
    fn created(&self) -> i64 {
        self.created
    }
    fn deleted(&self) -> bool {
        self.deleted
    }
    fn parent(&self) -> Option<String> {
        self.test_clock.clone()
    }
    /// The email folded to lower case (ASCII letters, as SQL's `lower` folds them): the list's
    /// `email` filter compares the exact address besides, and the portal's sign-in page finds
    /// the address in any case.
    fn lookup(&self) -> Option<String> {
        self.email.as_deref().map(str::to_ascii_lowercase)
    }
}

impl Object for Product {
    const KIND: &'static str = "product";
    fn id(&self) -> &str {
        self.id.as_str()
    }
    fn created(&self) -> i64 {
        self.created
    }
    fn deleted(&self) -> bool {
        self.deleted
    }
    fn status(&self) -> Option<String> {
        active_status(self.active)
    }
}

impl Object for Price {
    const KIND: &'static str = "price";
    fn id(&self) -> &str {
        self.id.as_str()
    }
    fn created(&self) -> i64 {
        self.created
    }
    fn parent(&self) -> Option<String> {
        Some(self.product.to_string())
    }
    fn lookup(&self) -> Option<String> {
        self.lookup_key.clone()
    }
    fn status(&self) -> Option<String> {
        active_status(self.active)
    }
    fn unique_key(&self) -> Option<String> {
        self.lookup_key.clone()
    }
}

impl Object for Coupon {
    const KIND: &'static str = "coupon";
    fn id(&self) -> &str {
        &self.id
    }
    fn created(&self) -> i64 {
        self.created
    }
    fn deleted(&self) -> bool {
        self.deleted
    }
}

impl Object for PromotionCode {
    const KIND: &'static str = "promotion_code";
    fn id(&self) -> &str {
        &self.id
    }
    fn created(&self) -> i64 {
        self.created
    }
    fn parent(&self) -> Option<String> {
        Some(self.coupon.clone())
    }
    /// Codes are looked up regardless of case.
    fn lookup(&self) -> Option<String> {
        Some(portico_domain::promotion_code::code_key(&self.code))
    }
    fn status(&self) -> Option<String> {
        active_status(self.active)
    }
    fn unique_key(&self) -> Option<String> {
        PromotionCode::unique_key(self)
    }
}

impl Object for PaymentMethod {
    const KIND: &'static str = "payment_method";
    fn id(&self) -> &str {
        &self.id
    }
    fn created(&self) -> i64 {
        self.created
    }
    fn parent(&self) -> Option<String> {
        self.customer.clone()
    }
    fn lookup(&self) -> Option<String> {
        Some(self.card.fingerprint.clone())
    }
}

impl Object for SetupIntent {
    const KIND: &'static str = "setup_intent";
    fn id(&self) -> &str {
        &self.id
    }
    fn created(&self) -> i64 {
        self.created
    }
    fn parent(&self) -> Option<String> {
        self.customer.clone()
    }
    fn lookup(&self) -> Option<String> {
        self.payment_method.clone()
    }
    fn status(&self) -> Option<String> {
        Some(self.status.as_str().to_owned())
    }
}

/// How many of a subscription's pending prorations can be found by their invoice item's id.
const PRORATIONS_LOOKED_UP: usize = 20;

impl Object for portico_domain::subscription::Subscription {
    const KIND: &'static str = "subscription";
    fn id(&self) -> &str {
        &self.id
    }
    fn created(&self) -> i64 {
        self.created
    }
    fn parent(&self) -> Option<String> {
        Some(self.customer.clone())
    }
    /// The prices and item ids on the subscription, and the invoice items of its latest
    /// pending prorations (a bounded few, so that the indexed key stays short), space-separated
    /// and padded, for `price` filters and for finding an item's (or a proration's)
    /// subscription.
    fn lookup(&self) -> Option<String> {
        let prorations = self.pending_lines.iter().rev().take(PRORATIONS_LOOKED_UP);
        let ids: Vec<&str> = self
            .items
            .iter()
            .flat_map(|i| [i.price.id.as_str(), i.id.as_str()])
            .chain(prorations.filter_map(|l| l.invoice_item.as_deref()))
            .collect();
        Some(format!(" {} ", ids.join(" ")))
    }
    fn status(&self) -> Option<String> {
        Some(self.status.as_str().to_owned())
    }
    /// Subscriptions on the server clock are picked up by the billing worker when due; those on
    /// a test clock wait for their clock.
    fn due_at(&self) -> Option<i64> {
        if self.test_clock.is_some() {
            return None;
        }
        self.next_due().map(|(t, _)| t)
    }
}

impl Object for portico_domain::invoice::Invoice {
    const KIND: &'static str = "invoice";
    fn id(&self) -> &str {
        &self.id
    }
    fn created(&self) -> i64 {
        self.created
    }
    fn parent(&self) -> Option<String> {
        Some(self.customer.clone())
    }
    fn lookup(&self) -> Option<String> {
        self.subscription.clone()
    }
    fn status(&self) -> Option<String> {
        Some(self.status.as_str().to_owned())
    }
    fn deleted(&self) -> bool {
        self.deleted
    }
}

impl Object for portico_domain::invoice_item::InvoiceItem {
    const KIND: &'static str = "invoiceitem";
    fn id(&self) -> &str {
        &self.id
    }
    fn created(&self) -> i64 {
        self.created
    }
    fn parent(&self) -> Option<String> {
        Some(self.customer.clone())
    }
    /// The invoice it is on, for `invoice` filters.
    fn lookup(&self) -> Option<String> {
        self.invoice.clone()
    }
    /// `pending` until an invoice takes it, then `invoiced`.
    fn status(&self) -> Option<String> {
        Some(
            if self.pending() {
                "pending"
            } else {
                "invoiced"
            }
            .to_owned(),
        )
    }
    fn deleted(&self) -> bool {
        self.deleted
    }
}

impl Object for portico_domain::balance_transaction::BalanceTransaction {
    const KIND: &'static str = "customer_balance_transaction";
    fn id(&self) -> &str {
        &self.id
    }
    fn created(&self) -> i64 {
        self.created
    }
    fn parent(&self) -> Option<String> {
        Some(self.customer.clone())
    }
}

impl Object for portico_domain::discount::Discount {
    const KIND: &'static str = "discount";
    fn id(&self) -> &str {
        &self.id
    }
    fn created(&self) -> i64 {
        self.start
    }
    fn parent(&self) -> Option<String> {
        self.subscription.clone()
    }
}

impl Object for portico_domain::test_clock::TestClock {
    const KIND: &'static str = "test_helpers.test_clock";
    fn id(&self) -> &str {
        &self.id
    }
    fn created(&self) -> i64 {
        self.created
    }
    fn deleted(&self) -> bool {
        self.deleted
    }
}

impl Object for portico_domain::schedule::Schedule {
    const KIND: &'static str = "subscription_schedule";
    fn id(&self) -> &str {
        &self.id
    }
    fn created(&self) -> i64 {
        self.created
    }
    fn parent(&self) -> Option<String> {
        Some(self.customer.clone())
    }
    fn lookup(&self) -> Option<String> {
        self.subscription.clone()
    }
    fn status(&self) -> Option<String> {
        Some(self.status.as_str().to_owned())
    }
    // A schedule on a test clock starts (and announces its end) when its clock is advanced,
    // never by the worker.
    fn due_at(&self) -> Option<i64> {
        self.test_clock
            .is_none()
            .then(|| self.next_due().map(|(t, _)| t))
            .flatten()
    }
}

impl Object for portico_domain::webhook_endpoint::WebhookEndpoint {
    const KIND: &'static str = "webhook_endpoint";
    fn id(&self) -> &str {
        &self.id
    }
    fn created(&self) -> i64 {
        self.created
    }
    fn deleted(&self) -> bool {
        self.deleted
    }
    fn status(&self) -> Option<String> {
        Some(self.status().to_owned())
    }
}

impl Object for portico_domain::portal::PortalConfiguration {
    const KIND: &'static str = "billing_portal.configuration";
    fn id(&self) -> &str {
        &self.id
    }
    fn created(&self) -> i64 {
        self.created
    }
    fn status(&self) -> Option<String> {
        active_status(self.active)
    }
    /// One default configuration per account.
    fn unique_key(&self) -> Option<String> {
        self.is_default.then(|| "default".to_owned())
    }
}

impl Object for portico_domain::portal::PortalSession {
    const KIND: &'static str = "billing_portal.session";
    fn id(&self) -> &str {
        &self.id
    }
    fn created(&self) -> i64 {
        self.created
    }
    // No parent entry: the API never lists sessions, and an entry keyed by customer lands on
    // a page of its own in the index for nearly every new session (customers' entries lie far
    // apart), which made it the most written part of creating one. The dashboard finds a
    // customer's sessions by the stored `customer` field instead.
}

impl Object for portico_domain::branding::Branding {
    const KIND: &'static str = "portico.branding";
    fn id(&self) -> &str {
        &self.id
    }
    fn created(&self) -> i64 {
        self.created
    }
    /// One branding per account.
    fn unique_key(&self) -> Option<String> {
        Some("branding".to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::{ByVersion, Weight};

    #[derive(Clone, Debug, PartialEq)]
    struct V(&'static str);
    impl Weight for V {
        fn bytes(&self) -> usize {
            self.0.len()
        }
    }

    /// A value kept under an owned key is found by the borrowed lookup, and only by the same
    /// account, kind, id and version.
    #[test]
    fn borrowed_lookups_find_owned_keys() {
        let cache = ByVersion::<V>::new(1 << 20);
        cache.insert("acct_1", "customer", "cus_1", 3, V("three"));
        cache
            .0
            .insert(("acct_1".into(), "customer", "cus_1".into(), 4), V("four"));
        assert_eq!(
            cache.get("acct_1", "customer", "cus_1", 3),
            Some(V("three"))
        );
        assert_eq!(cache.get("acct_1", "customer", "cus_1", 4), Some(V("four")));
        assert_eq!(cache.get("acct_1", "customer", "cus_1", 5), None);
        assert_eq!(cache.get("acct_2", "customer", "cus_1", 3), None);
        assert_eq!(cache.get("acct_1", "invoice", "cus_1", 3), None);
        assert_eq!(cache.get("acct_1", "customer", "cus_2", 3), None);
    }
}

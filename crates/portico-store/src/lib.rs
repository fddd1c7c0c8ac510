//! Portico's storage: one [`Store`] trait, implemented by [`SqliteStore`] (embedded, WAL, group
//! commit) and [`SqlStore`] (PostgreSQL, shared by several instances); [`open`] picks by URL.
//!
//! Objects are stored as documents (the domain type serialised to JSON) in one `objects` table,
//! with a few indexed columns for the lookups lists need (`parent`, `lookup`, `status`) and a
//! partial unique index for keys that must be unique (price lookup keys, promotion codes).
//! Every write goes through [`Store::commit`]: one transaction, optimistic version checks, so a
//! request's whole change lands or none of it does.

#![forbid(unsafe_code)]

mod object;
mod read_cache;
mod sql;
mod sqlite;
mod statements;

pub use object::{decode, decode_all, decode_first, get, ByVersion, Decoded, VersionKey, Weight};
pub use object::{Object, Versioned};
pub use sql::SqlStore;
pub use sqlite::SqliteStore;

/// Runs `fut` with its reads sharing one snapshot of the database: on SQLite, one reading
/// connection and one read transaction for all of them, instead of a connection and a
/// transaction each (the transaction's start, locks and page cache are most of a point read's
/// cost). A write from the task ends the transaction first, so the task reads back what it
/// wrote; later reads start a new one. For a request that reads several objects, such as a
/// page. Nested calls share the outermost one's. Reads that may scan (lists filtered on JSON
/// fields, the background queues) still run on a connection of their own, off the runtime's
/// threads, so they may see later commits. PostgreSQL reads are unaffected.
pub async fn reads_together<F: std::future::Future>(fut: F) -> F::Output {
    if sqlite::SNAPSHOT.try_with(|_| ()).is_ok() {
        return fut.await;
    }
    sqlite::SNAPSHOT
        .scope(std::cell::RefCell::new(None), fut)
        .await
}
pub use statements::{Backend, IDEMPOTENCY_TTL_SECS, STALE_RUNNING_SECS};

/// Opens the store a database URL names: `sqlite://PATH` (or `sqlite::memory:`) or
/// `postgres://…`, applying the embedded migrations.
pub async fn open(url: &str) -> StoreResult<std::sync::Arc<dyn Store>> {
    Ok(match Backend::from_url(url) {
        Some(Backend::Sqlite) => std::sync::Arc::new(SqliteStore::open(url).await?),
        Some(Backend::Postgres) => std::sync::Arc::new(SqlStore::open(url).await?),
        None => {
            return Err(StoreError::Database(sqlx::Error::Configuration(
                format!(
                    "unsupported database URL scheme '{}': use sqlite://PATH or postgres://…",
                    url.split(':').next().unwrap_or_default()
                )
                .into(),
            )))
        }
    })
}

use async_trait::async_trait;
use portico_domain::AccountId;

/// Storage errors. Conflicts are expected under concurrency and retried by the caller.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// An update lost a race: the object changed since it was read.
    #[error("the object changed concurrently")]
    Conflict,
    /// A unique key (`unique_key` or id) is already taken in the account.
    #[error("duplicate {what}")]
    Duplicate {
        /// `id` or `unique_key`.
        what: &'static str,
    },
    /// The request no longer holds its idempotency key: a later request took it over (the
    /// first was thought dead), and only that one may commit under it.
    #[error("the idempotency key was taken over by another request")]
    KeyTaken,
    /// A list cursor (`starting_after` / `ending_before`) names no object of the listed kind.
    #[error("no such cursor object")]
    CursorNotFound,
    /// Stored data could not be decoded.
    #[error("corrupt stored object: {0}")]
    Corrupt(String),
    /// The database failed.
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    /// The SQLite database failed.
    #[error(transparent)]
    Sqlite(#[from] rusqlite::Error),
    /// Migrations failed at start.
    #[error(transparent)]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

/// Results of store calls.
pub type StoreResult<T> = Result<T, StoreError>;

/// One stored object with its indexed columns.
#[derive(Clone, Debug, PartialEq)]
pub struct Record {
    /// Stripe's object name (`customer`, `price`, …).
    pub kind: &'static str,
    pub id: String,
    pub created: i64,
    /// Incremented on every update; used for optimistic concurrency.
    pub version: i64,
    pub deleted: bool,
    /// The owning object (a price's product, a payment method's customer, …).
    pub parent: Option<String>,
    /// A searchable key (a customer's email, a price's lookup key, …).
    pub lookup: Option<String>,
    /// A filterable state (`active`/`inactive`, a subscription status, …).
    pub status: Option<String>,
    /// A key unique among the account's objects of this kind.
    pub unique_key: Option<String>,
    /// When something falls due for the object on the server clock.
    pub due_at: Option<i64>,
    /// The domain object as JSON.
    pub data: String,
}

impl Record {
    /// The first version of an object with none of its indexed columns set; set those that
    /// apply with struct update syntax.
    pub fn first(
        kind: &'static str,
        id: impl Into<String>,
        created: i64,
        data: impl Into<String>,
    ) -> Record {
        Record {
            kind,
            id: id.into(),
            created,
            version: 1,
            deleted: false,
            parent: None,
            lookup: None,
            status: None,
            unique_key: None,
            due_at: None,
            data: data.into(),
        }
    }
}

/// One write in a [`Store::commit`].
#[derive(Clone, Debug)]
pub enum Write {
    /// A new object (version 1).
    Insert(Record),
    /// A new version of an object; fails with [`StoreError::Conflict`] unless the stored version
    /// is `record.version - 1`.
    Update(Record),
    /// A capability token (by hash) that leads to an object until `expires_at`.
    Token(TokenRecord),
    /// Moves a token's `expires_at` (by hash) to `expires_at` if that is later; a token that is
    /// gone, or already lasts longer, is left as it is (links in use: their lookup is kept
    /// while the object behind them says they work).
    ExtendToken { token_hash: String, expires_at: i64 },
    /// Forgets a token (by hash).
    DeleteToken(String),
    /// Forgets a token (by hash) that must still be there: the commit fails with
    /// [`StoreError::Conflict`] if another one used it first (single-use links).
    ConsumeToken(String),
    /// Queues an event for delivery to a webhook endpoint (the outbox row).
    Delivery(NewDelivery),
    /// Records an outgoing email (in the outbox, or queued for the SMTP sender).
    Email(NewEmail),
    /// Marks the request holding this idempotency key as having committed a change. A request
    /// that no longer holds it (another took it over) commits nothing: the write conflicts.
    IdempotencyCommitted(HeldKey),
}

/// An idempotency key a request holds: the key, and when its claim was made (or taken over),
/// which tells this request's claim apart from a later one on the same key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HeldKey {
    pub key: String,
    pub claimed_at: i64,
}

/// Where an outgoing email stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EmailStatus {
    /// Kept for the operator to read: no SMTP server is configured.
    Outbox,
    /// Waiting for the SMTP sender.
    Queued,
    /// Handed to the SMTP server.
    Sent,
    /// The SMTP server refused it, or could not be reached, too many times.
    Failed,
}

impl EmailStatus {
    /// Every status.
    pub const ALL: [EmailStatus; 4] = [
        EmailStatus::Outbox,
        EmailStatus::Queued,
        EmailStatus::Sent,
        EmailStatus::Failed,
    ];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            EmailStatus::Outbox => "outbox",
            EmailStatus::Queued => "queued",
            EmailStatus::Sent => "sent",
            EmailStatus::Failed => "failed",
        }
    }

    /// The status with this stored name.
    pub fn parse(s: &str) -> Option<EmailStatus> {
        EmailStatus::ALL.into_iter().find(|e| e.as_str() == s)
    }
}

/// An email to record.
#[derive(Clone, Debug, PartialEq)]
pub struct NewEmail {
    pub id: String,
    pub created: i64,
    pub to: String,
    pub from: String,
    pub subject: String,
    pub text: String,
    pub html: String,
    /// `Outbox` or `Queued`.
    pub status: EmailStatus,
}

/// An email as stored.
#[derive(Clone, Debug, PartialEq)]
pub struct Email {
    pub id: String,
    pub account: AccountId,
    pub created: i64,
    pub to: String,
    pub from: String,
    pub subject: String,
    pub text: String,
    pub html: String,
    pub status: EmailStatus,
    pub attempts: i64,
    pub sent_at: Option<i64>,
    pub last_error: Option<String>,
}

/// Which emails to list, newest first.
#[derive(Clone, Debug, Default)]
pub struct EmailQuery {
    pub to: Option<String>,
    pub limit: usize,
}

/// A webhook delivery to queue: one event to one endpoint, first tried at `next_attempt`.
#[derive(Clone, Debug, PartialEq)]
pub struct NewDelivery {
    pub id: String,
    pub event_id: String,
    pub endpoint_id: String,
    pub created: i64,
    pub next_attempt: i64,
}

impl NewDelivery {
    /// A delivery of `event_id` to `endpoint_id` with a fresh id, due at `now`.
    pub fn due(event_id: &str, endpoint_id: &str, now: i64) -> NewDelivery {
        use portico_domain::IdGen;
        NewDelivery {
            id: portico_domain::RandomIds.next("whdel_", portico_domain::ID_LEN),
            event_id: event_id.to_owned(),
            endpoint_id: endpoint_id.to_owned(),
            created: now,
            next_attempt: now,
        }
    }
}

/// Where a webhook delivery stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeliveryState {
    /// Not yet answered with a 2xx; tried again at `next_attempt`.
    Pending,
    /// The endpoint answered 2xx.
    Succeeded,
    /// Every retry failed; no more attempts.
    Failed,
    /// The endpoint was deleted or disabled, or the event is gone: nothing left to send.
    Canceled,
}

impl DeliveryState {
    /// Every state, in the order operators read them.
    pub const ALL: [DeliveryState; 4] = [
        DeliveryState::Pending,
        DeliveryState::Succeeded,
        DeliveryState::Failed,
        DeliveryState::Canceled,
    ];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryState::Pending => "pending",
            DeliveryState::Succeeded => "succeeded",
            DeliveryState::Failed => "failed",
            DeliveryState::Canceled => "canceled",
        }
    }

    /// The state with this stored name.
    pub fn parse(s: &str) -> Option<DeliveryState> {
        DeliveryState::ALL.into_iter().find(|d| d.as_str() == s)
    }
}

/// A webhook delivery as stored.
#[derive(Clone, Debug, PartialEq)]
pub struct Delivery {
    pub id: String,
    pub account: AccountId,
    pub event_id: String,
    pub endpoint_id: String,
    pub created: i64,
    pub state: DeliveryState,
    /// HTTP attempts made so far.
    pub attempts: i64,
    /// When the next attempt is due (pending deliveries only).
    pub next_attempt: Option<i64>,
    pub last_attempt: Option<i64>,
    /// The HTTP status of the last answer, if the endpoint answered.
    pub last_status: Option<i64>,
    /// Why the last attempt failed, when it did.
    pub last_error: Option<String>,
}

/// One HTTP attempt of a delivery.
#[derive(Clone, Debug, PartialEq)]
pub struct Attempt {
    pub delivery_id: String,
    /// 1 for the first attempt.
    pub attempt: i64,
    pub at: i64,
    /// The HTTP status, if the endpoint answered.
    pub status: Option<i64>,
    /// What went wrong, if the attempt failed.
    pub error: Option<String>,
    /// The start of the response body.
    pub response: Option<String>,
    pub duration_ms: i64,
}

/// What follows an attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Next {
    Succeeded,
    /// Try again at this time.
    RetryAt(i64),
    /// Out of retries.
    GiveUp,
    /// Nothing to send any more (endpoint or event gone).
    Cancel,
}

/// How much a worker may lease at once.
#[derive(Clone, Debug)]
pub struct ClaimLimits {
    /// Deliveries in all.
    pub total: usize,
    /// Deliveries to any one endpoint, counting those already `held`.
    pub per_endpoint: usize,
    /// How many deliveries to each endpoint the worker already holds.
    pub held: std::collections::HashMap<String, usize>,
    /// Deliveries of any one account, counting those already `held_accounts`: one account's
    /// slow or dead endpoints then leave the rest of the worker to the other accounts.
    pub per_account: usize,
    /// How many deliveries of each account the worker already holds.
    pub held_accounts: std::collections::HashMap<String, usize>,
    /// Whether to look past the deliveries of endpoints and accounts at their limit for other
    /// deliveries: they are left out of the candidates read, and when the first candidates
    /// were all of those that reach their limit in this lease, another pass leaves them out
    /// too. Either reads every due delivery ahead of the others', so a worker asks for it only
    /// while it is cheap or now and then; otherwise only the first candidates are read.
    pub thorough: bool,
}

impl ClaimLimits {
    /// Up to `total`, with no limit per endpoint or account.
    pub fn total(total: usize) -> ClaimLimits {
        ClaimLimits {
            total,
            per_endpoint: usize::MAX,
            held: Default::default(),
            per_account: usize::MAX,
            held_accounts: Default::default(),
            thorough: false,
        }
    }
}

/// The end of one leased delivery: the attempt made, if any, and what follows.
#[derive(Clone, Debug, PartialEq)]
pub struct Finished {
    pub delivery_id: String,
    pub attempt: Option<Attempt>,
    pub next: Next,
}

/// Which deliveries to list, newest first.
#[derive(Clone, Debug, Default)]
pub struct DeliveryQuery {
    pub account: Option<AccountId>,
    pub event_id: Option<String>,
    pub endpoint_id: Option<String>,
    pub state: Option<DeliveryState>,
    pub limit: usize,
}

/// An account as stored.
#[derive(Clone, Debug, PartialEq)]
pub struct AccountInfo {
    pub id: AccountId,
    pub livemode: bool,
    pub created: i64,
}

/// A capability token: the hash of a secret in a link, and what it opens.
#[derive(Clone, Debug, PartialEq)]
pub struct TokenRecord {
    pub token_hash: String,
    pub account: AccountId,
    pub kind: String,
    pub object_id: String,
    pub created: i64,
    pub expires_at: i64,
}

/// A filter in a list query. Field names are fixed by code, never by the caller.
#[derive(Clone, Debug)]
pub enum Filter {
    Parent(String),
    /// Objects with no parent (customers on no test clock).
    NoParent,
    Lookup(String),
    LookupIn(Vec<String>),
    /// `lookup` matches a pattern where `*` stands for any run of characters.
    LookupLike(String),
    Status(String),
    StatusIn(Vec<String>),
    IdIn(Vec<String>),
    /// A top-level or dotted field of the stored JSON compared as text
    /// (`true`/`false` for booleans).
    Field(&'static str, String),
    /// Whether a field of the stored JSON is set (present and not `null`).
    Present(&'static str, bool),
    /// Events whose webhooks all succeeded (`true`), or with a delivery still pending or
    /// failed for good (`false`).
    DeliverySuccess(bool),
    CreatedGt(i64),
    CreatedGte(i64),
    CreatedLt(i64),
    CreatedLte(i64),
    /// A numeric top-level or dotted field of the stored JSON compared with a number; rows
    /// where the field is unset never match.
    FieldCmp(&'static str, Cmp, i64),
}

/// A comparison of [`Filter::FieldCmp`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cmp {
    Gt,
    Gte,
    Lt,
    Lte,
}

impl Cmp {
    /// The SQL operator.
    pub fn sql(self) -> &'static str {
        match self {
            Cmp::Gt => ">",
            Cmp::Gte => ">=",
            Cmp::Lt => "<",
            Cmp::Lte => "<=",
        }
    }
}

impl ListQuery {
    /// Whether the query filters on something no index holds (the stored JSON, a pattern, the
    /// webhook deliveries), so it may read many rows to find a few.
    pub fn scans(&self) -> bool {
        self.filters.iter().any(|f| {
            matches!(
                f,
                Filter::Field(..)
                    | Filter::FieldCmp(..)
                    | Filter::Present(..)
                    | Filter::LookupLike(_)
                    | Filter::DeliverySuccess(_)
            )
        })
    }
}

/// One of the reads [`Store::read_many`] makes together.
#[derive(Clone, Debug)]
pub enum Read {
    /// The object of a kind with this id, as [`Store::get`] finds it.
    Get(&'static str, String),
    /// The object of a kind holding this unique key, as [`Store::get_by_unique_key`] finds it.
    Unique(&'static str, String),
    /// A list, as [`Store::list`] reads it.
    List(ListQuery),
}

impl Read {
    /// The kind of object read.
    pub fn kind(&self) -> &'static str {
        match self {
            Read::Get(kind, _) | Read::Unique(kind, _) => kind,
            Read::List(q) => q.kind,
        }
    }

    /// Whether the read can share one statement with others: point reads, and lists from
    /// their start that use indexes only.
    pub(crate) fn joinable(&self) -> bool {
        match self {
            Read::Get(..) | Read::Unique(..) => true,
            Read::List(q) => matches!(q.cursor, Cursor::Start) && !q.scans(),
        }
    }
}

/// The answer of [`Store::read_many`] checked to hold one page per read.
pub fn one_page_each(reads: &[Read], pages: Vec<Page>) -> StoreResult<Vec<Page>> {
    if pages.len() == reads.len() {
        Ok(pages)
    } else {
        Err(StoreError::Corrupt(format!(
            "{} pages for {} reads",
            pages.len(),
            reads.len()
        )))
    }
}

/// [`Store::read_many`] one read after another, for reads that cannot share a statement.
pub(crate) async fn one_by_one<S: Store + ?Sized>(
    store: &S,
    account: &AccountId,
    reads: &[Read],
) -> StoreResult<Vec<Page>> {
    let single = |found: Option<Record>| Page {
        records: found.into_iter().collect(),
        has_more: false,
    };
    let mut pages = Vec::with_capacity(reads.len());
    for read in reads {
        pages.push(match read {
            Read::Get(kind, id) => single(store.get(account, kind, id).await?),
            Read::Unique(kind, key) => single(store.get_by_unique_key(account, kind, key).await?),
            Read::List(q) => store.list(account, q).await?,
        });
    }
    Ok(pages)
}

/// [`Store::prune_tokens`]: `batch` (a statement deleting at most
/// [`statements::TOKEN_PRUNE_BATCH`] rows, each run its own transaction) until one deletes fewer;
/// how many in all.
pub(crate) async fn prune_in_batches<F, Fut>(mut batch: F) -> StoreResult<u64>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = StoreResult<u64>>,
{
    let mut total = 0;
    loop {
        let n = batch().await?;
        total += n;
        if n < statements::TOKEN_PRUNE_BATCH as u64 {
            return Ok(total);
        }
    }
}

/// Where a page starts.
#[derive(Clone, Debug, Default)]
pub enum Cursor {
    /// The newest objects.
    #[default]
    Start,
    /// Objects older than this id.
    After(String),
    /// Objects newer than this id.
    Before(String),
}

/// A list request: newest first, `limit` objects, and whether more lie beyond.
#[derive(Clone, Debug)]
pub struct ListQuery {
    pub kind: &'static str,
    pub filters: Vec<Filter>,
    pub cursor: Cursor,
    pub limit: usize,
    /// Include deleted objects (tombstones).
    pub include_deleted: bool,
}

/// A page of records, newest first.
#[derive(Clone, Debug, Default)]
pub struct Page {
    pub records: Vec<Record>,
    pub has_more: bool,
}

/// What happened when a request claimed an idempotency key.
#[derive(Clone, Debug, PartialEq)]
pub enum IdempotencyClaim {
    /// The key is new: run the request, then [`Store::idempotency_finish`] or release it.
    Started,
    /// The same request already finished: replay this status and body.
    Replay { status: u16, body: String },
    /// The key was used with other parameters or another endpoint; the first use's fingerprint.
    Mismatch { stored: String },
    /// Another request with this key is still running.
    InProgress,
    /// The request that claimed this key committed its change, but its process stopped before
    /// saving the response: it must not run again, and there is nothing to replay.
    Lost,
}

/// Portico's storage, one trait for both backends.
#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// Which backend this is.
    fn backend(&self) -> Backend;

    /// The cache of decoded objects that [`decode`] and [`get`] use, if the store keeps one.
    fn decoded(&self) -> Option<&Decoded> {
        None
    }

    /// Makes sure the account row exists.
    async fn ensure_account(
        &self,
        account: &AccountId,
        livemode: bool,
        now: i64,
    ) -> StoreResult<()>;

    /// One object by id, of the given kind (deleted tombstones included).
    async fn get(
        &self,
        account: &AccountId,
        kind: &'static str,
        id: &str,
    ) -> StoreResult<Option<Record>>;

    /// The object of `kind` holding `unique_key`, if any.
    async fn get_by_unique_key(
        &self,
        account: &AccountId,
        kind: &'static str,
        unique_key: &str,
    ) -> StoreResult<Option<Record>>;

    /// Whether any object of `kind` has `parent`.
    async fn has_children(
        &self,
        account: &AccountId,
        kind: &'static str,
        parent: &str,
    ) -> StoreResult<bool>;

    /// A page of objects, newest first.
    async fn list(&self, account: &AccountId, query: &ListQuery) -> StoreResult<Page>;

    /// Several reads at once, answered in their order: for each, the page [`Store::list`]
    /// would give, or for a point read a page of the object found (if any). On PostgreSQL,
    /// when every read can share a statement (point reads, and lists from their start on
    /// indexed columns only), they are made in one: a round trip instead of one each, and one
    /// state of the database; otherwise one after another. On SQLite they are made one after
    /// another in one read transaction (lists that scan run on a connection of their own).
    async fn read_many(&self, account: &AccountId, reads: &[Read]) -> StoreResult<Vec<Page>>;

    /// Applies all writes in one transaction, or none of them.
    async fn commit(&self, account: &AccountId, writes: Vec<Write>) -> StoreResult<()>;

    /// Claims an idempotency key for a request with this fingerprint.
    async fn idempotency_claim(
        &self,
        account: &AccountId,
        key: &str,
        fingerprint: &str,
        now: i64,
    ) -> StoreResult<IdempotencyClaim>;

    /// Saves the response of a request that ran under a key it holds.
    async fn idempotency_finish(
        &self,
        account: &AccountId,
        held: &HeldKey,
        status: u16,
        body: &str,
    ) -> StoreResult<()>;

    /// Releases a key whose request should not be replayed (validation errors), unless the
    /// request committed a change under it (it must then never run again) or no longer holds
    /// it; whether it was released.
    async fn idempotency_release(&self, account: &AccountId, held: &HeldKey) -> StoreResult<bool>;

    /// Forgets keys created before `before`; returns how many.
    async fn idempotency_prune(&self, before: i64) -> StoreResult<u64>;

    /// Forgets tokens whose `expires_at` is before `before`, a batch of rows per transaction
    /// (a backlog does not hold up other writes); returns how many.
    async fn prune_tokens(&self, before: i64) -> StoreResult<u64>;

    /// The token with this hash, whatever its account (expired ones included).
    async fn find_token(&self, token_hash: &str) -> StoreResult<Option<TokenRecord>>;

    /// The token stored under `token_hash` and, in the same read, the object of `kind` it leads
    /// to (in the token's account; `None` when there is no such object).
    async fn find_token_object(
        &self,
        token_hash: &str,
        kind: &'static str,
    ) -> StoreResult<Option<(TokenRecord, Option<Record>)>>;

    /// A server-wide secret by name, created at random on first use and the same for every
    /// instance sharing the database.
    async fn secret(&self, name: &str) -> StoreResult<String>;

    /// Objects of `kind` (in every account) with something due at or before `before`, soonest first.
    async fn due(
        &self,
        kind: &'static str,
        before: i64,
        limit: usize,
    ) -> StoreResult<Vec<(AccountId, Record)>>;

    /// Leases pending deliveries due at `now` that no live lease holds, for `owner` until
    /// `lease_until`, within `limits`. Instances sharing the database never lease the same row
    /// at once; a lease that ran out (its holder crashed) can be taken.
    async fn claim_deliveries(
        &self,
        owner: &str,
        now: i64,
        lease_until: i64,
        limits: &ClaimLimits,
    ) -> StoreResult<Vec<Delivery>>;

    /// Records each delivery's attempt (if one was made) and what follows it, releasing the
    /// leases, in one transaction. A delivery whose lease `owner` no longer holds is left as it
    /// is; returns how many were recorded.
    async fn finish_deliveries(&self, owner: &str, done: &[Finished]) -> StoreResult<usize>;

    /// Deliveries matching `query`, newest first.
    async fn deliveries(&self, query: &DeliveryQuery) -> StoreResult<Vec<Delivery>>;

    /// A delivery's attempts, first to last.
    async fn delivery_attempts(&self, delivery_id: &str) -> StoreResult<Vec<Attempt>>;

    /// How many deliveries of each event are still pending (events with none are left out).
    async fn pending_webhooks(
        &self,
        account: &AccountId,
        event_ids: &[String],
    ) -> StoreResult<std::collections::HashMap<String, i64>>;

    /// Forgets finished deliveries (and their attempts) created before `before`; returns how many.
    async fn prune_deliveries(&self, before: i64) -> StoreResult<u64>;

    /// Emails matching `query`, newest first.
    async fn emails(&self, query: &EmailQuery) -> StoreResult<Vec<Email>>;

    /// One email by id.
    async fn email(&self, id: &str) -> StoreResult<Option<Email>>;

    /// Queued emails the sender may take at `now` (never tried, or whose lease ran out), oldest
    /// first.
    async fn due_emails(&self, now: i64, limit: usize) -> StoreResult<Vec<Email>>;

    /// Takes email `id` for sending until `lease_until`; `false` when another sender has it or
    /// it is no longer queued.
    async fn claim_email(&self, id: &str, now: i64, lease_until: i64) -> StoreResult<bool>;

    /// Records a sending attempt: sent, or failed with `error` (and `give_up`: no more tries).
    async fn finish_email(
        &self,
        id: &str,
        now: i64,
        error: Option<&str>,
        give_up: bool,
    ) -> StoreResult<()>;

    /// Forgets emails created before `before`; returns how many.
    async fn prune_emails(&self, before: i64) -> StoreResult<u64>;

    /// The accounts this database holds, oldest first, or newest first with `newest_first`
    /// (at most `limit`).
    async fn accounts(&self, limit: usize, newest_first: bool) -> StoreResult<Vec<AccountInfo>>;

    /// The account owning the object of `kind` with this id (ids are unique across accounts).
    async fn account_of(&self, kind: &'static str, id: &str) -> StoreResult<Option<AccountId>>;

    /// Refreshes the query planner's statistics of tables that have at least doubled since
    /// they were last gathered; returns the tables refreshed. (PostgreSQL: plans made while a
    /// table was small can otherwise stay in use long after it has grown; SQLite needs none.)
    async fn refresh_statistics(&self) -> StoreResult<Vec<String>>;

    /// Closes the connections, waiting for running queries.
    async fn close(&self);
}

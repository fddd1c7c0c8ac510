//! [`SqlStore`]: the [`Store`] on PostgreSQL, shared by several instances (sqlx). The SQL is
//! in [`crate::statements`], shared with the SQLite store.

use crate::statements::{self as st, Arg, Backend, Col, Cols, Found, Sql};
use crate::{
    AccountInfo, Attempt, ClaimLimits, Delivery, DeliveryQuery, Email, EmailQuery, Finished,
    HeldKey, IdempotencyClaim, ListQuery, Page, Read, Record, Store, StoreError, StoreResult,
    TokenRecord, Write,
};
use async_trait::async_trait;
use portico_domain::AccountId;
use sqlx::any::{AnyArguments, AnyPoolOptions, AnyRow};
use sqlx::{AnyPool, Connection, Row};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How long a pooled connection may sit idle before it is checked with a round trip to the
/// server when next handed out.
const CHECK_IDLE_AFTER: Duration = Duration::from_millis(500);
/// How long every pooled connection is checked before use after one was found dead.
const CHECK_ALL_FOR: Duration = Duration::from_secs(5);

/// The store over PostgreSQL.
pub struct SqlStore {
    pool: AnyPool,
    health: Arc<Health>,
    decoded: crate::Decoded,
}

impl Cols for AnyRow {
    fn text(&self, col: impl Col) -> StoreResult<String> {
        Ok(self.try_get(col)?)
    }
    fn opt_text(&self, col: impl Col) -> StoreResult<Option<String>> {
        Ok(self.try_get(col)?)
    }
    fn int(&self, col: impl Col) -> StoreResult<i64> {
        Ok(self.try_get(col)?)
    }
    fn opt_int(&self, col: impl Col) -> StoreResult<Option<i64>> {
        Ok(self.try_get(col)?)
    }
}

/// The statement as a sqlx query.
fn query(sql: &Sql) -> sqlx::query::Query<'_, sqlx::Any, AnyArguments<'_>> {
    let mut q = sqlx::query(&sql.text);
    for a in &sql.args {
        q = match a {
            Arg::Text(s) => q.bind(s.as_str()),
            Arg::Int(i) => q.bind(*i),
            Arg::OptText(s) => q.bind(s.as_deref()),
            Arg::OptInt(i) => q.bind(*i),
        };
    }
    q
}

impl SqlStore {
    /// Connects to the PostgreSQL database at `url` and applies the embedded migrations.
    pub async fn open(url: &str) -> StoreResult<SqlStore> {
        sqlx::any::install_default_drivers();
        if Backend::from_url(url) != Some(Backend::Postgres) {
            return Err(StoreError::Database(sqlx::Error::Configuration(
                format!(
                    "not a PostgreSQL URL: '{}' (SQLite databases open with portico_store::open)",
                    url.split(':').next().unwrap_or_default()
                )
                .into(),
            )));
        }
        let health = Arc::new(Health::new());
        let pool = AnyPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(30))
            // sqlx would check every connection it hands out with a round trip to the server
            // (it checks again when it takes one back). A connection that answered moments ago
            // is alive: only one idle for a while is checked, or every one for a while after
            // one was found dead (see `SqlStore::again`).
            .test_before_acquire(false)
            .before_acquire({
                let health = health.clone();
                move |conn, meta| {
                    let check = meta.idle_for >= CHECK_IDLE_AFTER || health.suspect();
                    Box::pin(async move {
                        if check {
                            conn.ping().await?;
                        }
                        Ok(true)
                    })
                }
            })
            .connect(url)
            .await?;
        sqlx::migrate!("./migrations/postgres").run(&pool).await?;
        Ok(SqlStore {
            pool,
            health,
            decoded: crate::Decoded::new(crate::object::DECODED_BUDGET),
        })
    }

    /// Runs `op` and, if it failed because its connection was gone before the statement ran,
    /// once more: from then on for a while every pooled connection is checked before use, so
    /// the others the server dropped at the same time are found and replaced.
    async fn again<T, F>(&self, op: impl Fn() -> F) -> Result<T, sqlx::Error>
    where
        F: std::future::Future<Output = Result<T, sqlx::Error>>,
    {
        match op().await {
            Err(e) if connection_lost(&e) => {
                tracing::info!(error = %e, "a PostgreSQL connection was gone; trying again");
                self.health.found_dead();
                op().await
            }
            done => done,
        }
    }

    /// A transaction on a live connection.
    async fn begin(&self) -> Result<sqlx::Transaction<'static, sqlx::Any>, sqlx::Error> {
        self.again(|| self.pool.begin()).await
    }

    async fn execute(&self, sql: &Sql) -> StoreResult<u64> {
        // Not run again: a write outside a transaction may have been done when its answer was
        // lost; the caller sees the error.
        let done = query(sql).execute(&self.pool).await;
        if done.as_ref().is_err_and(connection_lost) {
            self.health.found_dead();
        }
        Ok(done?.rows_affected())
    }

    async fn optional(&self, sql: &Sql) -> StoreResult<Option<AnyRow>> {
        Ok(self.again(|| query(sql).fetch_optional(&self.pool)).await?)
    }

    async fn all(&self, sql: &Sql) -> StoreResult<Vec<AnyRow>> {
        Ok(self.again(|| query(sql).fetch_all(&self.pool)).await?)
    }
}

/// Whether a statement failed because its connection had been closed or cut (the server
/// restarted or ended the session while the connection sat in the pool).
fn connection_lost(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Io(_) => true,
        // Class 57P: the server is shutting down or ended the session (`admin_shutdown`,
        // `crash_shutdown`, `cannot_connect_now`, `idle_session_timeout`).
        sqlx::Error::Database(db) => db.code().is_some_and(|c| c.starts_with("57P")),
        _ => false,
    }
}

/// When pooled connections are to be checked before use regardless of how recently they
/// answered: for a few seconds after one was found dead.
struct Health {
    opened: Instant,
    /// Milliseconds after `opened` until which every connection is checked.
    check_until_ms: AtomicU64,
}

impl Health {
    fn new() -> Health {
        Health {
            opened: Instant::now(),
            check_until_ms: AtomicU64::new(0),
        }
    }

    fn now_ms(&self) -> u64 {
        u64::try_from(self.opened.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    fn found_dead(&self) {
        let until = self
            .now_ms()
            .saturating_add(CHECK_ALL_FOR.as_millis() as u64);
        self.check_until_ms.fetch_max(until, Ordering::Relaxed);
    }

    fn suspect(&self) -> bool {
        self.now_ms() < self.check_until_ms.load(Ordering::Relaxed)
    }
}

/// Maps unique-index violations to [`StoreError::Duplicate`].
fn map_write_error(e: sqlx::Error) -> StoreError {
    if let sqlx::Error::Database(db) = &e {
        if db.kind() == sqlx::error::ErrorKind::UniqueViolation {
            return st::duplicate(&format!(
                "{} {}",
                db.constraint().unwrap_or_default(),
                db.message()
            ));
        }
    }
    StoreError::Database(e)
}

#[async_trait]
impl Store for SqlStore {
    fn backend(&self) -> Backend {
        Backend::Postgres
    }

    fn decoded(&self) -> Option<&crate::Decoded> {
        Some(&self.decoded)
    }

    async fn ensure_account(
        &self,
        account: &AccountId,
        livemode: bool,
        now: i64,
    ) -> StoreResult<()> {
        self.execute(&st::ensure_account(account, livemode, now))
            .await?;
        Ok(())
    }

    async fn get(
        &self,
        account: &AccountId,
        kind: &'static str,
        id: &str,
    ) -> StoreResult<Option<Record>> {
        let row = self.optional(&st::get(account, kind, id)).await?;
        row.map(|r| st::record(kind, &r)).transpose()
    }

    async fn get_by_unique_key(
        &self,
        account: &AccountId,
        kind: &'static str,
        unique_key: &str,
    ) -> StoreResult<Option<Record>> {
        let row = self
            .optional(&st::get_by_unique_key(account, kind, unique_key))
            .await?;
        row.map(|r| st::record(kind, &r)).transpose()
    }

    async fn has_children(
        &self,
        account: &AccountId,
        kind: &'static str,
        parent: &str,
    ) -> StoreResult<bool> {
        Ok(self
            .optional(&st::has_children(account, kind, parent))
            .await?
            .is_some())
    }

    async fn list(&self, account: &AccountId, q: &ListQuery) -> StoreResult<Page> {
        let position = match st::cursor_position(account, q) {
            None => None,
            Some(sql) => {
                let row = self
                    .optional(&sql)
                    .await?
                    .ok_or(StoreError::CursorNotFound)?;
                Some((row.int("created")?, row.int("seq")?))
            }
        };
        let rows = self
            .all(&st::list(Backend::Postgres, account, q, position))
            .await?;
        let records = rows
            .iter()
            .map(|r| st::record(q.kind, r))
            .collect::<StoreResult<Vec<_>>>()?;
        Ok(st::page(q, records))
    }

    /// In one statement (one round trip) when the reads allow it.
    async fn read_many(&self, account: &AccountId, reads: &[Read]) -> StoreResult<Vec<Page>> {
        if reads.len() < 2 || !reads.iter().all(Read::joinable) {
            return crate::one_by_one(self, account, reads).await;
        }
        let kinds: Vec<&'static str> = reads.iter().map(Read::kind).collect();
        let rows = self
            .all(&st::read_many(Backend::Postgres, account, reads))
            .await?
            .iter()
            .map(|r| st::read_many_row(&kinds, r))
            .collect::<StoreResult<Vec<_>>>()?;
        Ok(st::read_many_pages(reads, rows))
    }

    async fn commit(&self, account: &AccountId, writes: Vec<Write>) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        for w in writes {
            let w = st::write(account, w);
            let done = query(&w.sql)
                .execute(&mut *tx)
                .await
                .map_err(map_write_error)?;
            w.check(done.rows_affected())?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn idempotency_claim(
        &self,
        account: &AccountId,
        key: &str,
        fingerprint: &str,
        now: i64,
    ) -> StoreResult<IdempotencyClaim> {
        for _ in 0..3 {
            if self
                .execute(&st::idempotency_insert(account, key, fingerprint, now))
                .await?
                == 1
            {
                return Ok(IdempotencyClaim::Started);
            }
            let Some(row) = self.optional(&st::idempotency_select(account, key)).await? else {
                continue;
            };
            match st::idempotency_found(account, key, fingerprint, now, &row)? {
                Found::Answer(a) => return Ok(a),
                Found::Expired(forget) => {
                    self.execute(&forget).await?;
                }
                Found::TakeOver(take) => {
                    if self.execute(&take).await? == 1 {
                        return Ok(IdempotencyClaim::Started);
                    }
                }
            }
        }
        Ok(IdempotencyClaim::InProgress)
    }

    async fn idempotency_finish(
        &self,
        account: &AccountId,
        held: &HeldKey,
        status: u16,
        body: &str,
    ) -> StoreResult<()> {
        self.execute(&st::idempotency_finish(account, held, status, body))
            .await?;
        Ok(())
    }

    async fn idempotency_release(&self, account: &AccountId, held: &HeldKey) -> StoreResult<bool> {
        Ok(self
            .execute(&st::idempotency_release(account, held))
            .await?
            > 0)
    }

    async fn idempotency_prune(&self, before: i64) -> StoreResult<u64> {
        self.execute(&st::idempotency_prune(before)).await
    }

    async fn prune_tokens(&self, before: i64) -> StoreResult<u64> {
        crate::prune_in_batches(|| async move { self.execute(&st::prune_tokens(before)).await })
            .await
    }

    async fn find_token(&self, token_hash: &str) -> StoreResult<Option<TokenRecord>> {
        let row = self.optional(&st::find_token(token_hash)).await?;
        row.as_ref().map(st::token).transpose()
    }

    async fn find_token_object(
        &self,
        token_hash: &str,
        kind: &'static str,
    ) -> StoreResult<Option<(TokenRecord, Option<Record>)>> {
        let row = self
            .optional(&st::find_token_object(token_hash, kind))
            .await?;
        row.as_ref().map(|r| st::token_object(kind, r)).transpose()
    }

    async fn secret(&self, name: &str) -> StoreResult<String> {
        self.execute(&st::secret_insert(name)).await?;
        let row = self
            .optional(&st::secret_select(name))
            .await?
            .ok_or_else(|| StoreError::Corrupt(format!("setting {name} vanished")))?;
        row.text("value")
    }

    async fn due(
        &self,
        kind: &'static str,
        before: i64,
        limit: usize,
    ) -> StoreResult<Vec<(AccountId, Record)>> {
        let rows = self.all(&st::due(kind, before, limit)).await?;
        rows.iter()
            .map(|r| Ok((AccountId(r.text("account_id")?), st::record(kind, r)?)))
            .collect()
    }

    async fn claim_deliveries(
        &self,
        owner: &str,
        now: i64,
        lease_until: i64,
        limits: &ClaimLimits,
    ) -> StoreResult<Vec<Delivery>> {
        // One transaction for the whole batch: one disk sync, not one per row.
        let mut tx = self.begin().await?;
        let mut picker = st::Picker::new(limits);
        let mut pass = Some(st::claim_candidates(Backend::Postgres, now, limits));
        while let Some(candidates) = pass {
            let rows = query(&candidates).fetch_all(&mut *tx).await?;
            for row in &rows {
                let d = st::delivery(row)?;
                if !picker.wants(&d) {
                    continue;
                }
                let taken = query(&st::claim_one(owner, lease_until, &d.id, now))
                    .execute(&mut *tx)
                    .await?;
                if taken.rows_affected() == 1 {
                    picker.took(d);
                }
            }
            pass = picker.next_pass(Backend::Postgres, now, rows.len());
        }
        tx.commit().await?;
        Ok(picker.claimed)
    }

    async fn finish_deliveries(&self, owner: &str, done: &[Finished]) -> StoreResult<usize> {
        let mut tx = self.begin().await?;
        let mut recorded = 0;
        for f in done {
            let (update, attempt) = st::finish_delivery(owner, f);
            if query(&update).execute(&mut *tx).await?.rows_affected() != 1 {
                continue;
            }
            recorded += 1;
            if let Some(a) = attempt {
                query(&a).execute(&mut *tx).await?;
            }
        }
        tx.commit().await?;
        Ok(recorded)
    }

    async fn deliveries(&self, q: &DeliveryQuery) -> StoreResult<Vec<Delivery>> {
        self.all(&st::deliveries(q))
            .await?
            .iter()
            .map(st::delivery)
            .collect()
    }

    async fn delivery_attempts(&self, delivery_id: &str) -> StoreResult<Vec<Attempt>> {
        self.all(&st::delivery_attempts(delivery_id))
            .await?
            .iter()
            .map(st::attempt)
            .collect()
    }

    async fn pending_webhooks(
        &self,
        account: &AccountId,
        event_ids: &[String],
    ) -> StoreResult<HashMap<String, i64>> {
        if event_ids.is_empty() {
            return Ok(HashMap::new());
        }
        self.all(&st::pending_webhooks(account, event_ids))
            .await?
            .iter()
            .map(|r| Ok((r.text("event_id")?, r.int("n")?)))
            .collect()
    }

    async fn prune_deliveries(&self, before: i64) -> StoreResult<u64> {
        let mut tx = self.begin().await?;
        let [attempts, deliveries] = st::prune_deliveries(before);
        query(&attempts).execute(&mut *tx).await?;
        let done = query(&deliveries).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(done.rows_affected())
    }

    async fn emails(&self, q: &EmailQuery) -> StoreResult<Vec<Email>> {
        self.all(&st::emails(q))
            .await?
            .iter()
            .map(st::email)
            .collect()
    }

    async fn email(&self, id: &str) -> StoreResult<Option<Email>> {
        let row = self.optional(&st::email_by_id(id)).await?;
        row.as_ref().map(st::email).transpose()
    }

    async fn due_emails(&self, now: i64, limit: usize) -> StoreResult<Vec<Email>> {
        self.all(&st::due_emails(now, limit))
            .await?
            .iter()
            .map(st::email)
            .collect()
    }

    async fn claim_email(&self, id: &str, now: i64, lease_until: i64) -> StoreResult<bool> {
        Ok(self.execute(&st::claim_email(id, now, lease_until)).await? == 1)
    }

    async fn finish_email(
        &self,
        id: &str,
        now: i64,
        error: Option<&str>,
        give_up: bool,
    ) -> StoreResult<()> {
        self.execute(&st::finish_email(id, now, error, give_up))
            .await?;
        Ok(())
    }

    async fn prune_emails(&self, before: i64) -> StoreResult<u64> {
        self.execute(&st::prune_emails(before)).await
    }

    async fn accounts(&self, limit: usize, newest_first: bool) -> StoreResult<Vec<AccountInfo>> {
        self.all(&st::accounts(limit, newest_first))
            .await?
            .iter()
            .map(st::account)
            .collect()
    }

    async fn account_of(&self, kind: &'static str, id: &str) -> StoreResult<Option<AccountId>> {
        let row = self.optional(&st::account_of(kind, id)).await?;
        row.map(|r| Ok(AccountId(r.text("account_id")?)))
            .transpose()
    }

    async fn refresh_statistics(&self) -> StoreResult<Vec<String>> {
        // The file's size is always current, unlike the row counts of the statistics system:
        // a table is due when it has grown past 64 KiB and to twice its size at the last
        // ANALYZE (or was never analyzed).
        let rows = sqlx::query(
            "SELECT c.relname::text AS name FROM pg_class c
             WHERE c.oid IN ('objects'::regclass, 'tokens'::regclass,
                             'idempotency_keys'::regclass, 'webhook_deliveries'::regclass)
               AND pg_relation_size(c.oid) / 8192 >= 8
               AND (c.reltuples < 0 OR pg_relation_size(c.oid) / 8192 > 2 * GREATEST(c.relpages, 8))",
        )
        .fetch_all(&self.pool)
        .await?;
        let mut done = Vec::new();
        for row in rows {
            let name = row.text("name")?;
            // The names come from the fixed list above.
            sqlx::query(&format!("ANALYZE {name}"))
                .execute(&self.pool)
                .await?;
            done.push(name);
        }
        Ok(done)
    }

    async fn close(&self) {
        self.pool.close().await;
    }
}

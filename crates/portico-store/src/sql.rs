//! [`SqlStore`]: the [`Store`] for SQLite and PostgreSQL. The SQL is shared; what differs
//! between the two is confined to [`Backend`] (pool set-up, migrations, JSON field access).

use crate::{
    Attempt, ClaimLimits, Cursor, Delivery, DeliveryQuery, DeliveryState, Email, EmailQuery,
    EmailStatus, Filter, Finished, IdempotencyClaim, ListQuery, Next, Page, Record, Store,
    StoreError, StoreResult, TokenRecord, Write,
};
use async_trait::async_trait;
use portico_domain::AccountId;
use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::{AnyPool, Executor, Row};
use std::collections::HashMap;
use std::path::Path;
use std::time::Duration;

/// Which database a store talks to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// Chooses the backend from a database URL's scheme.
    pub fn from_url(url: &str) -> Option<Backend> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Some(Backend::Postgres)
        } else if url.starts_with("sqlite:") {
            Some(Backend::Sqlite)
        } else {
            None
        }
    }

    /// The clause that makes a `SELECT` lock its rows and pass over rows others have locked.
    fn skip_locked(self) -> &'static str {
        match self {
            Backend::Sqlite => "",
            Backend::Postgres => " FOR UPDATE SKIP LOCKED",
        }
    }

    /// SQL that is true when a field of the stored JSON is present and not `null`.
    fn json_present(self, path: &str) -> String {
        check_path(path);
        match self {
            Backend::Sqlite => format!("(COALESCE(json_type(data, '$.{path}'), 'null') <> 'null')"),
            Backend::Postgres => format!(
                "(COALESCE(jsonb_typeof(data::jsonb #> '{{{}}}'), 'null') <> 'null')",
                path.replace('.', ",")
            ),
        }
    }

    /// SQL that reads a (possibly dotted) field of the stored JSON as text.
    fn json_text(self, path: &str) -> String {
        check_path(path);
        match self {
            Backend::Sqlite => format!(
                "(CASE json_type(data, '$.{path}') WHEN 'true' THEN 'true' WHEN 'false' THEN 'false' \
                 ELSE CAST(json_extract(data, '$.{path}') AS TEXT) END)"
            ),
            Backend::Postgres => format!("(data::jsonb #>> '{{{}}}')", path.replace('.', ",")),
        }
    }
}

/// Field paths are spliced into SQL, so they are fixed by code: lowercase, `_` and `.` only.
fn check_path(path: &str) {
    assert!(
        path.bytes()
            .all(|b| b.is_ascii_lowercase() || b == b'_' || b == b'.'),
        "field paths are fixed by code"
    );
}

/// The store over SQLite or PostgreSQL.
pub struct SqlStore {
    backend: Backend,
    /// Writes. For SQLite a single connection, so writers queue instead of failing busy.
    write: AnyPool,
    /// Reads. For SQLite several connections reading the WAL concurrently.
    read: AnyPool,
}

const COLUMNS: &str =
    "id, created, version, deleted, parent, lookup, status, unique_key, due_at, data, seq";

impl SqlStore {
    /// Opens (creating if needed) the database at `url` and applies the embedded migrations.
    pub async fn open(url: &str) -> StoreResult<SqlStore> {
        sqlx::any::install_default_drivers();
        let backend = Backend::from_url(url).ok_or_else(|| {
            StoreError::Database(sqlx::Error::Configuration(
                format!(
                    "unsupported database URL scheme '{}': use sqlite://PATH or postgres://…",
                    url.split(':').next().unwrap_or_default()
                )
                .into(),
            ))
        })?;
        match backend {
            Backend::Sqlite => {
                let path = url
                    .trim_start_matches("sqlite://")
                    .trim_start_matches("sqlite:");
                let path = path.split('?').next().unwrap_or(path);
                if let Some(dir) = Path::new(path).parent() {
                    if !dir.as_os_str().is_empty() {
                        std::fs::create_dir_all(dir)
                            .map_err(|e| StoreError::Database(sqlx::Error::Io(e)))?;
                    }
                }
                let url = if url.contains('?') {
                    url.to_owned()
                } else {
                    format!("{url}?mode=rwc")
                };
                fn pragmas<'c>(
                    conn: &'c mut sqlx::AnyConnection,
                    _meta: sqlx::pool::PoolConnectionMetadata,
                ) -> futures_core::future::BoxFuture<'c, Result<(), sqlx::Error>> {
                    Box::pin(async move {
                        for pragma in [
                            "PRAGMA journal_mode = WAL",
                            "PRAGMA synchronous = FULL",
                            "PRAGMA foreign_keys = ON",
                            "PRAGMA busy_timeout = 10000",
                        ] {
                            conn.execute(pragma).await?;
                        }
                        Ok(())
                    })
                }
                let write = AnyPoolOptions::new()
                    .max_connections(1)
                    .acquire_timeout(Duration::from_secs(30))
                    .after_connect(pragmas)
                    .connect(&url)
                    .await?;
                sqlx::migrate!("./migrations/sqlite").run(&write).await?;
                let read = AnyPoolOptions::new()
                    .max_connections(4)
                    .after_connect(pragmas)
                    .connect(&url)
                    .await?;
                Ok(SqlStore {
                    backend,
                    write,
                    read,
                })
            }
            Backend::Postgres => {
                let pool = AnyPoolOptions::new()
                    .max_connections(16)
                    .acquire_timeout(Duration::from_secs(30))
                    .connect(url)
                    .await?;
                sqlx::migrate!("./migrations/postgres").run(&pool).await?;
                Ok(SqlStore {
                    backend,
                    write: pool.clone(),
                    read: pool,
                })
            }
        }
    }
}

impl SqlStore {
    /// A write transaction. On SQLite it takes the write lock up front (`BEGIN IMMEDIATE`), so a
    /// transaction that reads before it writes waits its turn when another process holds the
    /// lock instead of failing with "database is locked" half-way.
    async fn begin_write(&self) -> StoreResult<sqlx::Transaction<'static, sqlx::Any>> {
        Ok(match self.backend {
            Backend::Sqlite => self.write.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.write.begin().await?,
        })
    }
}

fn record(kind: &'static str, row: &AnyRow) -> StoreResult<Record> {
    Ok(Record {
        kind,
        id: row.try_get("id")?,
        created: row.try_get("created")?,
        version: row.try_get("version")?,
        deleted: row.try_get::<i64, _>("deleted")? != 0,
        parent: row.try_get("parent")?,
        lookup: row.try_get("lookup")?,
        status: row.try_get("status")?,
        unique_key: row.try_get("unique_key")?,
        due_at: row.try_get("due_at")?,
        data: row.try_get("data")?,
    })
}

/// Maps unique-index violations to [`StoreError::Duplicate`].
fn map_write_error(e: sqlx::Error) -> StoreError {
    if let sqlx::Error::Database(db) = &e {
        if db.kind() == sqlx::error::ErrorKind::UniqueViolation {
            let names_unique_key = db
                .constraint()
                .map(|c| c.contains("unique_key"))
                .unwrap_or(false)
                || db.message().contains("unique_key");
            return StoreError::Duplicate {
                what: if names_unique_key { "unique_key" } else { "id" },
            };
        }
    }
    StoreError::Database(e)
}

/// Builds a query's text and its text/integer arguments in order.
#[derive(Default)]
struct Sql {
    text: String,
    args: Vec<Arg>,
}

enum Arg {
    Text(String),
    Int(i64),
}

impl Sql {
    fn push(&mut self, s: &str) -> &mut Self {
        self.text.push_str(s);
        self
    }
    fn text(&mut self, v: impl Into<String>) -> &mut Self {
        self.args.push(Arg::Text(v.into()));
        let n = self.args.len();
        self.text.push_str(&format!("${n}"));
        self
    }
    fn int(&mut self, v: i64) -> &mut Self {
        self.args.push(Arg::Int(v));
        let n = self.args.len();
        self.text.push_str(&format!("${n}"));
        self
    }
    fn query(&self) -> sqlx::query::Query<'_, sqlx::Any, sqlx::any::AnyArguments<'_>> {
        let mut q = sqlx::query(&self.text);
        for a in &self.args {
            q = match a {
                Arg::Text(s) => q.bind(s.as_str()),
                Arg::Int(i) => q.bind(*i),
            };
        }
        q
    }
}

#[async_trait]
impl Store for SqlStore {
    fn backend(&self) -> Backend {
        self.backend
    }

    async fn ensure_account(
        &self,
        account: &AccountId,
        livemode: bool,
        now: i64,
    ) -> StoreResult<()> {
        sqlx::query("INSERT INTO accounts (id, livemode, created) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING")
            .bind(account.as_str())
            .bind(livemode as i64)
            .bind(now)
            .execute(&self.write)
            .await?;
        Ok(())
    }

    async fn get(
        &self,
        account: &AccountId,
        kind: &'static str,
        id: &str,
    ) -> StoreResult<Option<Record>> {
        let row = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM objects WHERE account_id = $1 AND id = $2 AND kind = $3"
        ))
        .bind(account.as_str())
        .bind(id)
        .bind(kind)
        .fetch_optional(&self.read)
        .await?;
        row.map(|r| record(kind, &r)).transpose()
    }

    async fn get_by_unique_key(
        &self,
        account: &AccountId,
        kind: &'static str,
        unique_key: &str,
    ) -> StoreResult<Option<Record>> {
        let row = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM objects WHERE account_id = $1 AND kind = $2 AND unique_key = $3"
        ))
        .bind(account.as_str())
        .bind(kind)
        .bind(unique_key)
        .fetch_optional(&self.read)
        .await?;
        row.map(|r| record(kind, &r)).transpose()
    }

    async fn has_children(
        &self,
        account: &AccountId,
        kind: &'static str,
        parent: &str,
    ) -> StoreResult<bool> {
        let row = sqlx::query("SELECT 1 AS one FROM objects WHERE account_id = $1 AND kind = $2 AND parent = $3 LIMIT 1")
            .bind(account.as_str())
            .bind(kind)
            .bind(parent)
            .fetch_optional(&self.read)
            .await?;
        Ok(row.is_some())
    }

    async fn list(&self, account: &AccountId, q: &ListQuery) -> StoreResult<Page> {
        let mut sql = Sql::default();
        sql.push(&format!(
            "SELECT {COLUMNS} FROM objects WHERE account_id = "
        ))
        .text(account.as_str())
        .push(" AND kind = ")
        .text(q.kind);
        if !q.include_deleted {
            sql.push(" AND deleted = 0");
        }
        for f in &q.filters {
            match f {
                Filter::Parent(v) => sql.push(" AND parent = ").text(v.clone()),
                Filter::Lookup(v) => sql.push(" AND lookup = ").text(v.clone()),
                Filter::Status(v) => sql.push(" AND status = ").text(v.clone()),
                Filter::LookupLike(pattern) => {
                    let escaped: String = pattern
                        .chars()
                        .flat_map(|c| match c {
                            '\\' | '%' | '_' => vec!['\\', c],
                            '*' => vec!['%'],
                            c => vec![c],
                        })
                        .collect();
                    sql.push(" AND lookup LIKE ")
                        .text(escaped)
                        .push(" ESCAPE '\\'")
                }
                Filter::LookupIn(vs) | Filter::IdIn(vs) | Filter::StatusIn(vs) => {
                    let col = match f {
                        Filter::LookupIn(_) => "lookup",
                        Filter::StatusIn(_) => "status",
                        _ => "id",
                    };
                    if vs.is_empty() {
                        sql.push(" AND 1 = 0")
                    } else {
                        sql.push(&format!(" AND {col} IN ("));
                        for (i, v) in vs.iter().enumerate() {
                            if i > 0 {
                                sql.push(", ");
                            }
                            sql.text(v.clone());
                        }
                        sql.push(")")
                    }
                }
                Filter::Field(path, v) => sql
                    .push(&format!(" AND {} = ", self.backend.json_text(path)))
                    .text(v.clone()),
                Filter::Present(path, yes) => {
                    let cond = self.backend.json_present(path);
                    sql.push(&if *yes {
                        format!(" AND {cond}")
                    } else {
                        format!(" AND NOT {cond}")
                    })
                }
                Filter::DeliverySuccess(ok) => sql.push(&format!(
                    " AND {} EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.account_id = objects.account_id \
                     AND d.event_id = objects.id AND d.state IN ('pending', 'failed'))",
                    if *ok { "NOT" } else { "" }
                )),
                Filter::CreatedGt(t) => sql.push(" AND created > ").int(*t),
                Filter::CreatedGte(t) => sql.push(" AND created >= ").int(*t),
                Filter::CreatedLt(t) => sql.push(" AND created < ").int(*t),
                Filter::CreatedLte(t) => sql.push(" AND created <= ").int(*t),
            };
        }
        let (cursor_id, before) = match &q.cursor {
            Cursor::Start => (None, false),
            Cursor::After(id) => (Some(id), false),
            Cursor::Before(id) => (Some(id), true),
        };
        if let Some(id) = cursor_id {
            let row = sqlx::query(
                "SELECT created, seq FROM objects WHERE account_id = $1 AND kind = $2 AND id = $3",
            )
            .bind(account.as_str())
            .bind(q.kind)
            .bind(id.as_str())
            .fetch_optional(&self.read)
            .await?
            .ok_or(StoreError::CursorNotFound)?;
            let (created, seq): (i64, i64) = (row.try_get("created")?, row.try_get("seq")?);
            let (cmp, _) = if before { (">", ()) } else { ("<", ()) };
            sql.push(&format!(" AND (created {cmp} "))
                .int(created)
                .push(" OR (created = ")
                .int(created)
                .push(&format!(" AND seq {cmp} "))
                .int(seq)
                .push("))");
        }
        let order = if before { "ASC" } else { "DESC" };
        sql.push(&format!(" ORDER BY created {order}, seq {order} LIMIT "))
            .int(q.limit as i64 + 1);
        let rows = sql.query().fetch_all(&self.read).await?;
        let mut records = rows
            .iter()
            .map(|r| record(q.kind, r))
            .collect::<StoreResult<Vec<_>>>()?;
        let has_more = records.len() > q.limit;
        records.truncate(q.limit);
        if before {
            records.reverse();
        }
        Ok(Page { records, has_more })
    }

    async fn commit(&self, account: &AccountId, writes: Vec<Write>) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        for w in writes {
            match w {
                Write::Insert(r) => {
                    sqlx::query(
                        "INSERT INTO objects (account_id, kind, id, created, version, deleted, parent, lookup, status, unique_key, data, due_at) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
                    )
                    .bind(account.as_str())
                    .bind(r.kind)
                    .bind(&r.id)
                    .bind(r.created)
                    .bind(r.version)
                    .bind(r.deleted as i64)
                    .bind(&r.parent)
                    .bind(&r.lookup)
                    .bind(&r.status)
                    .bind(&r.unique_key)
                    .bind(&r.data)
                    .bind(r.due_at)
                    .execute(&mut *tx)
                    .await
                    .map_err(map_write_error)?;
                }
                Write::Update(r) => {
                    let done = sqlx::query(
                        "UPDATE objects SET version = $1, deleted = $2, parent = $3, lookup = $4, status = $5, unique_key = $6, data = $7, due_at = $12 \
                         WHERE account_id = $8 AND id = $9 AND kind = $10 AND version = $11",
                    )
                    .bind(r.version)
                    .bind(r.deleted as i64)
                    .bind(&r.parent)
                    .bind(&r.lookup)
                    .bind(&r.status)
                    .bind(&r.unique_key)
                    .bind(&r.data)
                    .bind(account.as_str())
                    .bind(&r.id)
                    .bind(r.kind)
                    .bind(r.version - 1)
                    .bind(r.due_at)
                    .execute(&mut *tx)
                    .await
                    .map_err(map_write_error)?;
                    if done.rows_affected() != 1 {
                        return Err(StoreError::Conflict);
                    }
                }
                Write::Token(t) => {
                    sqlx::query(
                        "INSERT INTO tokens (token_hash, account_id, kind, object_id, created, expires_at) VALUES ($1, $2, $3, $4, $5, $6)",
                    )
                    .bind(&t.token_hash)
                    .bind(t.account.as_str())
                    .bind(&t.kind)
                    .bind(&t.object_id)
                    .bind(t.created)
                    .bind(t.expires_at)
                    .execute(&mut *tx)
                    .await
                    .map_err(map_write_error)?;
                }
                Write::Delivery(d) => {
                    sqlx::query(
                        "INSERT INTO webhook_deliveries (id, account_id, event_id, endpoint_id, created, state, attempts, next_attempt) \
                         VALUES ($1, $2, $3, $4, $5, 'pending', 0, $6)",
                    )
                    .bind(&d.id)
                    .bind(account.as_str())
                    .bind(&d.event_id)
                    .bind(&d.endpoint_id)
                    .bind(d.created)
                    .bind(d.next_attempt)
                    .execute(&mut *tx)
                    .await
                    .map_err(map_write_error)?;
                }
                Write::Email(e) => {
                    sqlx::query(
                        "INSERT INTO emails (id, account_id, created, to_addr, from_addr, subject, text_body, html_body, status) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                    )
                    .bind(&e.id)
                    .bind(account.as_str())
                    .bind(e.created)
                    .bind(&e.to)
                    .bind(&e.from)
                    .bind(&e.subject)
                    .bind(&e.text)
                    .bind(&e.html)
                    .bind(e.status.as_str())
                    .execute(&mut *tx)
                    .await
                    .map_err(map_write_error)?;
                }
                Write::DeleteToken(hash) => {
                    sqlx::query("DELETE FROM tokens WHERE token_hash = $1")
                        .bind(&hash)
                        .execute(&mut *tx)
                        .await?;
                }
                Write::IdempotencyCommitted(key) => {
                    sqlx::query(
                        "UPDATE idempotency_keys SET committed = 1 WHERE account_id = $1 AND key = $2",
                    )
                    .bind(account.as_str())
                    .bind(&key)
                    .execute(&mut *tx)
                    .await?;
                }
                Write::ConsumeToken(hash) => {
                    let done = sqlx::query("DELETE FROM tokens WHERE token_hash = $1")
                        .bind(&hash)
                        .execute(&mut *tx)
                        .await?;
                    if done.rows_affected() != 1 {
                        return Err(StoreError::Conflict);
                    }
                }
            }
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
            let inserted = sqlx::query(
                "INSERT INTO idempotency_keys (account_id, key, fingerprint, state, created) VALUES ($1, $2, $3, 'running', $4) \
                 ON CONFLICT (account_id, key) DO NOTHING",
            )
            .bind(account.as_str())
            .bind(key)
            .bind(fingerprint)
            .bind(now)
            .execute(&self.write)
            .await?;
            if inserted.rows_affected() == 1 {
                return Ok(IdempotencyClaim::Started);
            }
            let row = sqlx::query("SELECT fingerprint, state, status, body, created, committed FROM idempotency_keys WHERE account_id = $1 AND key = $2")
                .bind(account.as_str())
                .bind(key)
                .fetch_optional(&self.write)
                .await?;
            let Some(row) = row else { continue };
            let stored: String = row.try_get("fingerprint")?;
            let state: String = row.try_get("state")?;
            let created: i64 = row.try_get("created")?;
            if created < now - IDEMPOTENCY_TTL_SECS {
                // Expired: forget it and claim afresh.
                sqlx::query("DELETE FROM idempotency_keys WHERE account_id = $1 AND key = $2 AND created = $3")
                    .bind(account.as_str())
                    .bind(key)
                    .bind(created)
                    .execute(&self.write)
                    .await?;
                continue;
            }
            if stored != fingerprint {
                return Ok(IdempotencyClaim::Mismatch { stored });
            }
            if state == "done" {
                let status: i64 = row.try_get("status")?;
                let body: String = row.try_get("body")?;
                return Ok(IdempotencyClaim::Replay {
                    status: status as u16,
                    body,
                });
            }
            if created < now - STALE_RUNNING_SECS {
                // The process that claimed it died mid-request. If it had committed, running
                // again would change things twice; otherwise take it over.
                let committed: i64 = row.try_get("committed")?;
                if committed != 0 {
                    return Ok(IdempotencyClaim::Lost);
                }
                let taken = sqlx::query(
                    "UPDATE idempotency_keys SET created = $1 WHERE account_id = $2 AND key = $3 AND state = 'running' AND created = $4",
                )
                .bind(now)
                .bind(account.as_str())
                .bind(key)
                .bind(created)
                .execute(&self.write)
                .await?;
                if taken.rows_affected() == 1 {
                    return Ok(IdempotencyClaim::Started);
                }
                continue;
            }
            return Ok(IdempotencyClaim::InProgress);
        }
        Ok(IdempotencyClaim::InProgress)
    }

    async fn idempotency_finish(
        &self,
        account: &AccountId,
        key: &str,
        status: u16,
        body: &str,
    ) -> StoreResult<()> {
        sqlx::query("UPDATE idempotency_keys SET state = 'done', status = $1, body = $2 WHERE account_id = $3 AND key = $4")
            .bind(status as i64)
            .bind(body)
            .bind(account.as_str())
            .bind(key)
            .execute(&self.write)
            .await?;
        Ok(())
    }

    async fn idempotency_release(&self, account: &AccountId, key: &str) -> StoreResult<()> {
        sqlx::query(
            "DELETE FROM idempotency_keys WHERE account_id = $1 AND key = $2 AND state = 'running'",
        )
        .bind(account.as_str())
        .bind(key)
        .execute(&self.write)
        .await?;
        Ok(())
    }

    async fn idempotency_prune(&self, before: i64) -> StoreResult<u64> {
        let done = sqlx::query("DELETE FROM idempotency_keys WHERE created < $1")
            .bind(before)
            .execute(&self.write)
            .await?;
        Ok(done.rows_affected())
    }

    async fn find_token(&self, token_hash: &str) -> StoreResult<Option<TokenRecord>> {
        let row = sqlx::query("SELECT token_hash, account_id, kind, object_id, created, expires_at FROM tokens WHERE token_hash = $1")
            .bind(token_hash)
            .fetch_optional(&self.read)
            .await?;
        row.map(|r| {
            Ok(TokenRecord {
                token_hash: r.try_get("token_hash")?,
                account: AccountId(r.try_get("account_id")?),
                kind: r.try_get("kind")?,
                object_id: r.try_get("object_id")?,
                created: r.try_get("created")?,
                expires_at: r.try_get("expires_at")?,
            })
        })
        .transpose()
    }

    async fn secret(&self, name: &str) -> StoreResult<String> {
        let fresh: String = (0..2).map(|_| format!("{:032x}", random_u128())).collect();
        sqlx::query(
            "INSERT INTO settings (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING",
        )
        .bind(name)
        .bind(&fresh)
        .execute(&self.write)
        .await?;
        let row = sqlx::query("SELECT value FROM settings WHERE name = $1")
            .bind(name)
            .fetch_one(&self.write)
            .await?;
        Ok(row.try_get("value")?)
    }

    async fn due(
        &self,
        kind: &'static str,
        before: i64,
        limit: usize,
    ) -> StoreResult<Vec<(AccountId, Record)>> {
        let rows = sqlx::query(&format!(
            "SELECT account_id, {COLUMNS} FROM objects WHERE kind = $1 AND due_at IS NOT NULL AND due_at <= $2 ORDER BY due_at LIMIT $3"
        ))
        .bind(kind)
        .bind(before)
        .bind(limit as i64)
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|r| Ok((AccountId(r.try_get("account_id")?), record(kind, r)?)))
            .collect()
    }

    async fn claim_deliveries(
        &self,
        owner: &str,
        now: i64,
        lease_until: i64,
        limits: &ClaimLimits,
    ) -> StoreResult<Vec<Delivery>> {
        // Candidates first, then each taken with a conditional update: of two instances racing
        // for a row, exactly one sees its update apply. PostgreSQL locks the candidates and
        // skips rows another instance has locked, so racing instances take disjoint batches
        // (and never deadlock); SQLite serialises the whole transaction.
        // One transaction for the whole batch: one disk sync, not one per row.
        let mut tx = self.begin_write().await?;
        let mut sql = Sql::default();
        sql.push(&format!(
            "SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries WHERE state = 'pending' AND next_attempt <= "
        ))
        .int(now)
        .push(" AND (lease_until IS NULL OR lease_until < ")
        .int(now)
        .push(")");
        let mut held = limits.held.clone();
        for (e, n) in &held {
            if *n >= limits.per_endpoint {
                sql.push(" AND endpoint_id <> ").text(e.clone());
            }
        }
        // More candidates than needed when some may be over their endpoint's limit.
        let candidates = if limits.per_endpoint < limits.total {
            limits.total * 4
        } else {
            limits.total
        };
        sql.push(" ORDER BY next_attempt LIMIT ")
            .int(candidates as i64)
            .push(self.backend.skip_locked());
        let rows = sql.query().fetch_all(&mut *tx).await?;
        let candidates = rows.iter().map(delivery).collect::<StoreResult<Vec<_>>>()?;
        let mut claimed = Vec::new();
        for d in candidates {
            let n = held.entry(d.endpoint_id.clone()).or_default();
            if claimed.len() == limits.total || *n >= limits.per_endpoint {
                continue;
            }
            let taken = sqlx::query(
                "UPDATE webhook_deliveries SET lease_owner = $1, lease_until = $2 \
                 WHERE id = $3 AND state = 'pending' AND (lease_until IS NULL OR lease_until < $4)",
            )
            .bind(owner)
            .bind(lease_until)
            .bind(&d.id)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            if taken.rows_affected() == 1 {
                *n += 1;
                claimed.push(d);
            }
        }
        tx.commit().await?;
        Ok(claimed)
    }

    async fn finish_deliveries(&self, owner: &str, done: &[Finished]) -> StoreResult<usize> {
        let mut tx = self.begin_write().await?;
        let mut recorded = 0;
        for f in done {
            let (state, next_attempt) = match f.next {
                Next::Succeeded => (DeliveryState::Succeeded, None),
                Next::RetryAt(t) => (DeliveryState::Pending, Some(t)),
                Next::GiveUp => (DeliveryState::Failed, None),
                Next::Cancel => (DeliveryState::Canceled, None),
            };
            let mut sql = Sql::default();
            sql.push(
                "UPDATE webhook_deliveries SET lease_owner = NULL, lease_until = NULL, state = ",
            )
            .text(state.as_str())
            .push(", next_attempt = ");
            match next_attempt {
                Some(t) => sql.int(t),
                None => sql.push("NULL"),
            };
            if let Some(a) = &f.attempt {
                sql.push(", attempts = ")
                    .int(a.attempt)
                    .push(", last_attempt = ")
                    .int(a.at)
                    .push(", last_status = ");
                match a.status {
                    Some(s) => sql.int(s),
                    None => sql.push("NULL"),
                };
                sql.push(", last_error = ");
                match &a.error {
                    Some(e) => sql.text(e.clone()),
                    None => sql.push("NULL"),
                };
            }
            sql.push(" WHERE id = ")
                .text(f.delivery_id.clone())
                .push(" AND lease_owner = ")
                .text(owner);
            if sql.query().execute(&mut *tx).await?.rows_affected() != 1 {
                continue;
            }
            recorded += 1;
            if let Some(a) = &f.attempt {
                sqlx::query(
                    "INSERT INTO webhook_attempts (delivery_id, attempt, at, status, error, response, duration_ms) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7)",
                )
                .bind(&a.delivery_id)
                .bind(a.attempt)
                .bind(a.at)
                .bind(a.status)
                .bind(&a.error)
                .bind(&a.response)
                .bind(a.duration_ms)
                .execute(&mut *tx)
                .await?;
            }
        }
        tx.commit().await?;
        Ok(recorded)
    }

    async fn deliveries(&self, q: &DeliveryQuery) -> StoreResult<Vec<Delivery>> {
        let mut sql = Sql::default();
        sql.push(&format!(
            "SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries WHERE 1 = 1"
        ));
        if let Some(a) = &q.account {
            sql.push(" AND account_id = ").text(a.as_str());
        }
        if let Some(e) = &q.event_id {
            sql.push(" AND event_id = ").text(e.clone());
        }
        if let Some(e) = &q.endpoint_id {
            sql.push(" AND endpoint_id = ").text(e.clone());
        }
        if let Some(s) = q.state {
            sql.push(" AND state = ").text(s.as_str());
        }
        sql.push(" ORDER BY created DESC, id DESC LIMIT ")
            .int(q.limit as i64);
        let rows = sql.query().fetch_all(&self.read).await?;
        rows.iter().map(delivery).collect()
    }

    async fn delivery_attempts(&self, delivery_id: &str) -> StoreResult<Vec<Attempt>> {
        let rows = sqlx::query(
            "SELECT delivery_id, attempt, at, status, error, response, duration_ms FROM webhook_attempts \
             WHERE delivery_id = $1 ORDER BY attempt",
        )
        .bind(delivery_id)
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Attempt {
                    delivery_id: r.try_get("delivery_id")?,
                    attempt: r.try_get("attempt")?,
                    at: r.try_get("at")?,
                    status: r.try_get("status")?,
                    error: r.try_get("error")?,
                    response: r.try_get("response")?,
                    duration_ms: r.try_get("duration_ms")?,
                })
            })
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
        let mut sql = Sql::default();
        sql.push("SELECT event_id, COUNT(*) AS n FROM webhook_deliveries WHERE account_id = ")
            .text(account.as_str())
            .push(" AND state = 'pending' AND event_id IN (");
        for (i, id) in event_ids.iter().enumerate() {
            if i > 0 {
                sql.push(", ");
            }
            sql.text(id.clone());
        }
        sql.push(") GROUP BY event_id");
        let rows = sql.query().fetch_all(&self.read).await?;
        rows.iter()
            .map(|r| Ok((r.try_get("event_id")?, r.try_get("n")?)))
            .collect()
    }

    async fn prune_deliveries(&self, before: i64) -> StoreResult<u64> {
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "DELETE FROM webhook_attempts WHERE delivery_id IN \
             (SELECT id FROM webhook_deliveries WHERE created < $1 AND state <> 'pending')",
        )
        .bind(before)
        .execute(&mut *tx)
        .await?;
        let done =
            sqlx::query("DELETE FROM webhook_deliveries WHERE created < $1 AND state <> 'pending'")
                .bind(before)
                .execute(&mut *tx)
                .await?;
        tx.commit().await?;
        Ok(done.rows_affected())
    }

    async fn emails(&self, q: &EmailQuery) -> StoreResult<Vec<Email>> {
        let mut sql = Sql::default();
        sql.push(&format!("SELECT {EMAIL_COLUMNS} FROM emails WHERE 1 = 1"));
        if let Some(to) = &q.to {
            sql.push(" AND to_addr = ").text(to.clone());
        }
        sql.push(" ORDER BY created DESC, id DESC LIMIT ")
            .int(q.limit as i64);
        let rows = sql.query().fetch_all(&self.read).await?;
        rows.iter().map(email).collect()
    }

    async fn email(&self, id: &str) -> StoreResult<Option<Email>> {
        let row = sqlx::query(&format!("SELECT {EMAIL_COLUMNS} FROM emails WHERE id = $1"))
            .bind(id)
            .fetch_optional(&self.read)
            .await?;
        row.as_ref().map(email).transpose()
    }

    async fn due_emails(&self, now: i64, limit: usize) -> StoreResult<Vec<Email>> {
        let rows = sqlx::query(&format!(
            "SELECT {EMAIL_COLUMNS} FROM emails WHERE status = 'queued' \
             AND (lease_until IS NULL OR lease_until < $1) ORDER BY created LIMIT $2"
        ))
        .bind(now)
        .bind(limit as i64)
        .fetch_all(&self.read)
        .await?;
        rows.iter().map(email).collect()
    }

    async fn claim_email(&self, id: &str, now: i64, lease_until: i64) -> StoreResult<bool> {
        let mut tx = self.begin_write().await?;
        let taken = sqlx::query(
            "UPDATE emails SET lease_until = $1 WHERE id = $2 AND status = 'queued' \
             AND (lease_until IS NULL OR lease_until < $3)",
        )
        .bind(lease_until)
        .bind(id)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(taken.rows_affected() == 1)
    }

    async fn finish_email(
        &self,
        id: &str,
        now: i64,
        error: Option<&str>,
        give_up: bool,
    ) -> StoreResult<()> {
        let status = match (error, give_up) {
            (None, _) => "sent",
            (Some(_), true) => "failed",
            (Some(_), false) => "queued",
        };
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "UPDATE emails SET status = $1, attempts = attempts + 1, lease_until = NULL, \
             sent_at = $2, last_error = $3 WHERE id = $4",
        )
        .bind(status)
        .bind(error.is_none().then_some(now))
        .bind(error)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn prune_emails(&self, before: i64) -> StoreResult<u64> {
        let mut tx = self.begin_write().await?;
        let done = sqlx::query("DELETE FROM emails WHERE created < $1 AND status <> 'queued'")
            .bind(before)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(done.rows_affected())
    }

    async fn account_of(&self, kind: &'static str, id: &str) -> StoreResult<Option<AccountId>> {
        let row = sqlx::query("SELECT account_id FROM objects WHERE kind = $1 AND id = $2")
            .bind(kind)
            .bind(id)
            .fetch_optional(&self.read)
            .await?;
        row.map(|r| Ok(AccountId(r.try_get("account_id")?)))
            .transpose()
    }

    async fn refresh_statistics(&self) -> StoreResult<Vec<String>> {
        if self.backend != Backend::Postgres {
            return Ok(Vec::new());
        }
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
        .fetch_all(&self.read)
        .await?;
        let mut done = Vec::new();
        for row in rows {
            let name: String = row.try_get("name")?;
            // The names come from the fixed list above.
            sqlx::query(&format!("ANALYZE {name}"))
                .execute(&self.write)
                .await?;
            done.push(name);
        }
        Ok(done)
    }

    async fn close(&self) {
        self.write.close().await;
        self.read.close().await;
    }
}

const EMAIL_COLUMNS: &str = "id, account_id, created, to_addr, from_addr, subject, text_body, html_body, status, attempts, sent_at, last_error";

fn email(row: &AnyRow) -> StoreResult<Email> {
    let status: String = row.try_get("status")?;
    Ok(Email {
        id: row.try_get("id")?,
        account: AccountId(row.try_get("account_id")?),
        created: row.try_get("created")?,
        to: row.try_get("to_addr")?,
        from: row.try_get("from_addr")?,
        subject: row.try_get("subject")?,
        text: row.try_get("text_body")?,
        html: row.try_get("html_body")?,
        status: EmailStatus::parse(&status)
            .ok_or_else(|| StoreError::Corrupt(format!("email status {status}")))?,
        attempts: row.try_get("attempts")?,
        sent_at: row.try_get("sent_at")?,
        last_error: row.try_get("last_error")?,
    })
}

const DELIVERY_COLUMNS: &str = "id, account_id, event_id, endpoint_id, created, state, attempts, next_attempt, last_attempt, last_status, last_error";

fn delivery(row: &AnyRow) -> StoreResult<Delivery> {
    let state: String = row.try_get("state")?;
    Ok(Delivery {
        id: row.try_get("id")?,
        account: AccountId(row.try_get("account_id")?),
        event_id: row.try_get("event_id")?,
        endpoint_id: row.try_get("endpoint_id")?,
        created: row.try_get("created")?,
        state: DeliveryState::parse(&state)
            .ok_or_else(|| StoreError::Corrupt(format!("delivery state {state}")))?,
        attempts: row.try_get("attempts")?,
        next_attempt: row.try_get("next_attempt")?,
        last_attempt: row.try_get("last_attempt")?,
        last_status: row.try_get("last_status")?,
        last_error: row.try_get("last_error")?,
    })
}

/// Idempotency keys are kept this long (Stripe keeps them at least 24 hours).
pub const IDEMPOTENCY_TTL_SECS: i64 = 24 * 3600;
/// A key still marked running after this long belonged to a process that died.
pub const STALE_RUNNING_SECS: i64 = 60;

/// 128 random bits from the operating system.
fn random_u128() -> u128 {
    rand::random()
}

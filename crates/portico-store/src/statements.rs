//! What both stores share: the SQL (with `$n` parameters, which SQLite reads as named ones and
//! PostgreSQL as positional ones), the arguments each statement binds, row decoding, and the
//! decisions that do not depend on the driver. Only execution differs between
//! [`crate::SqlStore`] (sqlx, PostgreSQL) and [`crate::SqliteStore`] (rusqlite, group commit).

use crate::{
    AccountInfo, Attempt, ClaimLimits, Cursor, Delivery, DeliveryQuery, DeliveryState, Email,
    EmailQuery, EmailStatus, Filter, Finished, HeldKey, IdempotencyClaim, ListQuery, Next, Read,
    Record, StoreError, StoreResult, TokenRecord, Write,
};
use portico_domain::AccountId;

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

    /// SQL that reads a (possibly dotted) numeric field of the stored JSON as an integer
    /// (`NULL` when unset).
    fn json_int(self, path: &str) -> String {
        check_path(path);
        match self {
            Backend::Sqlite => format!("CAST(json_extract(data, '$.{path}') AS INTEGER)"),
            Backend::Postgres => format!(
                "((data::jsonb #>> '{{{}}}')::bigint)",
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

/// An argument of a statement. Nulls carry their type, which PostgreSQL wants to know.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Arg {
    Text(String),
    Int(i64),
    OptText(Option<String>),
    OptInt(Option<i64>),
}

/// A statement's text and its arguments in order (`$1` is the first).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub(crate) struct Sql {
    pub text: String,
    pub args: Vec<Arg>,
}

impl Sql {
    /// A statement whose text is fixed.
    pub fn new(text: &str, args: Vec<Arg>) -> Sql {
        Sql {
            text: text.to_owned(),
            args,
        }
    }
    pub fn push(&mut self, s: &str) -> &mut Self {
        self.text.push_str(s);
        self
    }
    fn arg(&mut self, a: Arg) -> &mut Self {
        self.args.push(a);
        self.text.push('$');
        push_number(&mut self.text, self.args.len());
        self
    }
    pub fn text(&mut self, v: impl Into<String>) -> &mut Self {
        self.arg(Arg::Text(v.into()))
    }
    pub fn int(&mut self, v: i64) -> &mut Self {
        self.arg(Arg::Int(v))
    }
}

/// Writes `n` in decimal, without the formatting machinery (statements are written on every
/// request, and their numbers are small).
fn push_number(text: &mut String, n: usize) {
    if n >= 10 {
        push_number(text, n / 10);
    }
    text.push(char::from(b'0' + (n % 10) as u8));
}

fn text(s: impl Into<String>) -> Arg {
    Arg::Text(s.into())
}

/// An object row's columns, in the order [`record`] reads them.
pub(crate) const COLUMNS: &str =
    "id, created, version, deleted, parent, lookup, status, unique_key, due_at, data, seq";
/// How many [`COLUMNS`] there are.
const COLUMN_COUNT: usize = columns_in(COLUMNS);
/// Where `seq`, the order of insertion, sits among [`COLUMNS`] (last).
const SEQ_COLUMN: usize = COLUMN_COUNT - 1;

/// The columns in a comma-separated list.
const fn columns_in(list: &str) -> usize {
    let bytes = list.as_bytes();
    let (mut i, mut n) = (0, 1);
    while i < bytes.len() {
        if bytes[i] == b',' {
            n += 1;
        }
        i += 1;
    }
    n
}
pub(crate) const EMAIL_COLUMNS: &str = "id, account_id, created, to_addr, from_addr, subject, text_body, html_body, status, attempts, sent_at, last_error";
pub(crate) const DELIVERY_COLUMNS: &str = "id, account_id, event_id, endpoint_id, created, state, attempts, next_attempt, last_attempt, last_status, last_error";

/// Idempotency keys are kept this long (Stripe keeps them at least 24 hours).
pub const IDEMPOTENCY_TTL_SECS: i64 = 24 * 3600;
/// A key still marked running after this long belonged to a process that died.
pub const STALE_RUNNING_SECS: i64 = 60;

pub(crate) fn ensure_account(account: &AccountId, livemode: bool, now: i64) -> Sql {
    Sql::new(
        "INSERT INTO accounts (id, livemode, created) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING",
        vec![text(account.as_str()), Arg::Int(livemode as i64), Arg::Int(now)],
    )
}

/// A statement's text that is written once, from [`COLUMNS`], and kept.
macro_rules! select_objects {
    ($rest:literal) => {{
        static TEXT: std::sync::LazyLock<String> =
            std::sync::LazyLock::new(|| format!("SELECT {COLUMNS} FROM objects {}", $rest));
        TEXT.as_str()
    }};
}

pub(crate) fn get(account: &AccountId, kind: &str, id: &str) -> Sql {
    let mut sql = Sql::default();
    get_into(&mut sql, account, kind, id);
    sql
}

/// [`get`], written at the end of `sql`.
fn get_into(sql: &mut Sql, account: &AccountId, kind: &str, id: &str) {
    sql.push(select_objects!("WHERE account_id = "))
        .text(account.as_str())
        .push(" AND id = ")
        .text(id)
        .push(" AND kind = ")
        .text(kind);
}

pub(crate) fn get_by_unique_key(account: &AccountId, kind: &str, unique_key: &str) -> Sql {
    let mut sql = Sql::default();
    unique_into(&mut sql, account, kind, unique_key);
    sql
}

/// [`get_by_unique_key`], written at the end of `sql`.
fn unique_into(sql: &mut Sql, account: &AccountId, kind: &str, unique_key: &str) {
    sql.push(select_objects!("WHERE account_id = "))
        .text(account.as_str())
        .push(" AND kind = ")
        .text(kind)
        .push(" AND unique_key = ")
        .text(unique_key);
}

pub(crate) fn has_children(account: &AccountId, kind: &str, parent: &str) -> Sql {
    Sql::new(
        "SELECT 1 AS one FROM objects WHERE account_id = $1 AND kind = $2 AND parent = $3 LIMIT 1",
        vec![text(account.as_str()), text(kind), text(parent)],
    )
}

/// Where a list cursor's object sits in the order (`created`, `seq`).
pub(crate) fn cursor_position(account: &AccountId, q: &ListQuery) -> Option<Sql> {
    let id = match &q.cursor {
        Cursor::Start => return None,
        Cursor::After(id) | Cursor::Before(id) => id,
    };
    Some(Sql::new(
        "SELECT created, seq FROM objects WHERE account_id = $1 AND kind = $2 AND id = $3",
        vec![text(account.as_str()), text(q.kind), text(id.as_str())],
    ))
}

/// A page of a list, one more than the limit (to tell whether more lie beyond); `position` is
/// the cursor object's (`created`, `seq`) when there is a cursor.
pub(crate) fn list(
    backend: Backend,
    account: &AccountId,
    q: &ListQuery,
    position: Option<(i64, i64)>,
) -> Sql {
    let mut sql = Sql::default();
    list_into(&mut sql, backend, account, q, position);
    sql
}

/// [`list`], written at the end of `sql`.
fn list_into(
    sql: &mut Sql,
    backend: Backend,
    account: &AccountId,
    q: &ListQuery,
    position: Option<(i64, i64)>,
) {
    // Events not yet delivered are few among many: SQLite must find them from the deliveries
    // (by row id), not by reading every event in order, so its index on (account, kind) is
    // taken out of the running (unary `+`).
    let undelivered = q
        .filters
        .iter()
        .any(|f| matches!(f, Filter::DeliverySuccess(false)));
    if undelivered && backend == Backend::Sqlite {
        sql.push(select_objects!("WHERE +account_id = "))
            .text(account.as_str())
            .push(" AND +kind = ")
    } else {
        sql.push(select_objects!("WHERE account_id = "))
            .text(account.as_str())
            .push(" AND kind = ")
    }
    .text(q.kind);
    if !q.include_deleted {
        sql.push(" AND deleted = 0");
    }
    for f in &q.filters {
        match f {
            Filter::Parent(v) => sql.push(" AND parent = ").text(v.clone()),
            Filter::NoParent => sql.push(" AND parent IS NULL"),
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
                // Said outright: SQLite does not infer it from LIKE, and the index on
                // `lookup` holds only rows that have one, so without it the planner could not
                // consider that index.
                sql.push(" AND lookup IS NOT NULL AND lookup LIKE ")
                    .text(escaped)
                    .push(" ESCAPE '\\'")
            }
            // Statuses are few and not indexed: SQLite checks a row against `a OR b` directly,
            // where `IN (a, b)` first builds a temporary table for every query.
            Filter::StatusIn(vs) => {
                sql.push(" AND (");
                for (i, v) in vs.iter().enumerate() {
                    if i > 0 {
                        sql.push(" OR ");
                    }
                    sql.push("status = ").text(v.clone());
                }
                sql.push(if vs.is_empty() { "1 = 0)" } else { ")" })
            }
            Filter::LookupIn(vs) | Filter::IdIn(vs) => {
                let col = match f {
                    Filter::LookupIn(_) => "lookup",
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
                .push(&format!(" AND {} = ", backend.json_text(path)))
                .text(v.clone()),
            Filter::FieldCmp(path, cmp, v) => sql
                .push(&format!(" AND {} {} ", backend.json_int(path), cmp.sql()))
                .int(*v),
            Filter::Present(path, yes) => {
                let cond = backend.json_present(path);
                sql.push(&if *yes {
                    format!(" AND {cond}")
                } else {
                    format!(" AND NOT {cond}")
                })
            }
            Filter::DeliverySuccess(true) => sql.push(
                " AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.account_id = objects.account_id \
                 AND d.event_id = objects.id AND d.state IN ('pending', 'failed'))",
            ),
            Filter::DeliverySuccess(false) => sql
                .push(
                    " AND seq IN (SELECT o.seq FROM webhook_deliveries d JOIN objects o \
                     ON o.account_id = d.account_id AND o.kind = 'event' AND o.id = d.event_id \
                     WHERE d.state IN ('pending', 'failed') AND d.account_id = ",
                )
                .text(account.as_str())
                .push(")"),
            Filter::CreatedGt(t) => sql.push(" AND created > ").int(*t),
            Filter::CreatedGte(t) => sql.push(" AND created >= ").int(*t),
            Filter::CreatedLt(t) => sql.push(" AND created < ").int(*t),
            Filter::CreatedLte(t) => sql.push(" AND created <= ").int(*t),
        };
    }
    let before = matches!(q.cursor, Cursor::Before(_));
    if let Some((created, seq)) = position {
        let cmp = if before { ">" } else { "<" };
        sql.push(&format!(" AND (created {cmp} "))
            .int(created)
            .push(" OR (created = ")
            .int(created)
            .push(&format!(" AND seq {cmp} "))
            .int(seq)
            .push("))");
    }
    sql.push(if before {
        " ORDER BY created ASC, seq ASC LIMIT "
    } else {
        " ORDER BY created DESC, seq DESC LIMIT "
    })
    .int(q.limit as i64 + 1);
}

/// Reads that can share a statement ([`Read::joinable`]) as one: each read in a subquery of
/// its own, which keeps its own filters, order and limit, its rows tagged with the read's
/// position in a last column, `part` (a `BIGINT`, as rows are read back as 64-bit integers).
pub(crate) fn read_many(backend: Backend, account: &AccountId, reads: &[Read]) -> Sql {
    let mut sql = Sql::default();
    for (i, read) in reads.iter().enumerate() {
        if i > 0 {
            sql.push(" UNION ALL ");
        }
        sql.push("SELECT q");
        push_number(&mut sql.text, i);
        sql.push(".*, CAST(");
        push_number(&mut sql.text, i);
        sql.push(" AS BIGINT) AS part FROM (");
        match read {
            Read::Get(kind, id) => get_into(&mut sql, account, kind, id),
            Read::Unique(kind, key) => unique_into(&mut sql, account, kind, key),
            Read::List(q) => list_into(&mut sql, backend, account, q, None),
        }
        sql.push(") AS q");
        push_number(&mut sql.text, i);
    }
    sql
}

/// A row of [`read_many`]: the read it answers (by position), its `seq`, and its record.
pub(crate) fn read_many_row(
    kinds: &[&'static str],
    row: &impl Cols,
) -> StoreResult<(usize, i64, Record)> {
    let part = usize::try_from(row.int(COLUMN_COUNT)?)
        .ok()
        .filter(|p| *p < kinds.len())
        .ok_or_else(|| StoreError::Corrupt("a row answering no read".into()))?;
    Ok((part, row.int(SEQ_COLUMN)?, record(kinds[part], row)?))
}

/// The rows of [`read_many`] as a page per read, each in its own order (newest first): the
/// order of a compound statement's rows is not promised, so it is restored here.
pub(crate) fn read_many_pages(
    reads: &[Read],
    mut rows: Vec<(usize, i64, Record)>,
) -> Vec<crate::Page> {
    rows.sort_by(|a, b| {
        (a.0.cmp(&b.0))
            .then(b.2.created.cmp(&a.2.created))
            .then(b.1.cmp(&a.1))
    });
    let mut parts: Vec<Vec<Record>> = reads.iter().map(|_| Vec::new()).collect();
    for (part, _, record) in rows {
        parts[part].push(record);
    }
    reads
        .iter()
        .zip(parts)
        .map(|(read, records)| match read {
            Read::List(q) => page(q, records),
            Read::Get(..) | Read::Unique(..) => crate::Page {
                records,
                has_more: false,
            },
        })
        .collect()
}

/// Turns the rows of [`list`] into a page: at most `limit`, newest first.
pub(crate) fn page(q: &ListQuery, mut records: Vec<Record>) -> crate::Page {
    let has_more = records.len() > q.limit;
    records.truncate(q.limit);
    if matches!(q.cursor, Cursor::Before(_)) {
        records.reverse();
    }
    crate::Page { records, has_more }
}

/// A record's columns from `version` on, in the order the insert and the update both list them.
fn state_args(r: Record) -> Vec<Arg> {
    vec![
        Arg::Int(r.version),
        Arg::Int(r.deleted as i64),
        Arg::OptText(r.parent),
        Arg::OptText(r.lookup),
        Arg::OptText(r.status),
        Arg::OptText(r.unique_key),
        Arg::Text(r.data),
        Arg::OptInt(r.due_at),
    ]
}

/// One write of a commit as a statement.
pub(crate) struct WriteSql {
    pub sql: Sql,
    /// What the write must find: it must change exactly one row, or the commit fails with a
    /// conflict (the text says, in the logs, which row was changed or gone). `None`: any count.
    pub must_find: Option<String>,
    /// It marks a held idempotency key committed: not finding it means the key was taken over.
    guards_key: bool,
}

pub(crate) fn write(account: &AccountId, w: Write) -> WriteSql {
    let acct = || text(account.as_str());
    let guards_key = matches!(w, Write::IdempotencyCommitted(_));
    let (text_, args, must_find) = match w {
        Write::Insert(mut r) => {
            let mut args = vec![
                acct(),
                text(r.kind),
                Arg::Text(std::mem::take(&mut r.id)),
                Arg::Int(r.created),
            ];
            args.extend(state_args(r));
            (
                "INSERT INTO objects (account_id, kind, id, created, version, deleted, parent, lookup, status, unique_key, data, due_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
                args,
                None,
            )
        }
        Write::Update(mut r) => {
            let what = format!("{} {} at version {}", r.kind, r.id, r.version - 1);
            let (id, kind, before) = (std::mem::take(&mut r.id), r.kind, r.version - 1);
            let mut args = state_args(r);
            args.extend([acct(), Arg::Text(id), text(kind), Arg::Int(before)]);
            (
                "UPDATE objects SET version = $1, deleted = $2, parent = $3, lookup = $4, status = $5, unique_key = $6, data = $7, due_at = $8 \
                 WHERE account_id = $9 AND id = $10 AND kind = $11 AND version = $12",
                args,
                Some(what),
            )
        }
        Write::Token(t) => (
            "INSERT INTO tokens (token_hash, account_id, kind, object_id, created, expires_at) VALUES ($1, $2, $3, $4, $5, $6)",
            vec![
                Arg::Text(t.token_hash),
                text(t.account.as_str()),
                Arg::Text(t.kind),
                Arg::Text(t.object_id),
                Arg::Int(t.created),
                Arg::Int(t.expires_at),
            ],
            None,
        ),
        Write::Delivery(d) => (
            "INSERT INTO webhook_deliveries (id, account_id, event_id, endpoint_id, created, state, attempts, next_attempt) \
             VALUES ($1, $2, $3, $4, $5, 'pending', 0, $6)",
            vec![
                Arg::Text(d.id),
                acct(),
                Arg::Text(d.event_id),
                Arg::Text(d.endpoint_id),
                Arg::Int(d.created),
                Arg::Int(d.next_attempt),
            ],
            None,
        ),
        Write::Email(e) => (
            "INSERT INTO emails (id, account_id, created, to_addr, from_addr, subject, text_body, html_body, status) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            vec![
                Arg::Text(e.id),
                acct(),
                Arg::Int(e.created),
                Arg::Text(e.to),
                Arg::Text(e.from),
                Arg::Text(e.subject),
                Arg::Text(e.text),
                Arg::Text(e.html),
                text(e.status.as_str()),
            ],
            None,
        ),
        Write::ExtendToken {
            token_hash,
            expires_at,
        } => (
            "UPDATE tokens SET expires_at = $2 WHERE token_hash = $1 AND expires_at < $2",
            vec![Arg::Text(token_hash), Arg::Int(expires_at)],
            None,
        ),
        Write::DeleteToken(hash) => (
            "DELETE FROM tokens WHERE token_hash = $1",
            vec![Arg::Text(hash)],
            None,
        ),
        Write::ConsumeToken(hash) => (
            "DELETE FROM tokens WHERE token_hash = $1",
            vec![Arg::Text(hash)],
            Some("an unused link token".to_owned()),
        ),
        Write::IdempotencyCommitted(held) => (
            "UPDATE idempotency_keys SET committed = 1 WHERE account_id = $1 AND key = $2 AND state = 'running' AND created = $3",
            vec![acct(), Arg::Text(held.key), Arg::Int(held.claimed_at)],
            Some("the idempotency key this request claimed".to_owned()),
        ),
    };
    WriteSql {
        sql: Sql::new(text_, args),
        must_find,
        guards_key,
    }
}

impl WriteSql {
    /// The commit's verdict on this write, given the rows it changed: a conflict when it had to
    /// change exactly one row and did not (logged with what it expected to find).
    pub(crate) fn check(&self, changed: u64) -> StoreResult<()> {
        match self.must_find.as_deref() {
            Some(what) if changed != 1 => {
                tracing::debug!(expected = what, "lost a race: the row was changed or gone");
                Err(if self.guards_key {
                    StoreError::KeyTaken
                } else {
                    StoreError::Conflict
                })
            }
            _ => Ok(()),
        }
    }
}

/// Maps a unique-index violation's message to [`StoreError::Duplicate`].
pub(crate) fn duplicate(message: &str) -> StoreError {
    // Either a race lost to another write or a caller reusing a key: the log tells them apart.
    tracing::debug!(error = message, "a unique key is already taken");
    StoreError::Duplicate {
        what: if message.contains("unique_key") {
            "unique_key"
        } else {
            "id"
        },
    }
}

pub(crate) fn idempotency_insert(account: &AccountId, key: &str, fp: &str, now: i64) -> Sql {
    Sql::new(
        "INSERT INTO idempotency_keys (account_id, key, fingerprint, state, created) VALUES ($1, $2, $3, 'running', $4) \
         ON CONFLICT (account_id, key) DO NOTHING",
        vec![text(account.as_str()), text(key), text(fp), Arg::Int(now)],
    )
}

pub(crate) fn idempotency_select(account: &AccountId, key: &str) -> Sql {
    Sql::new(
        "SELECT fingerprint, state, status, body, created, committed FROM idempotency_keys WHERE account_id = $1 AND key = $2",
        vec![text(account.as_str()), text(key)],
    )
}

/// What a claim found under a key that was already there.
pub(crate) enum Found {
    /// The answer.
    Answer(IdempotencyClaim),
    /// The key expired: forget it (this statement) and claim afresh.
    Expired(Sql),
    /// Its process died before committing: take the key over with this statement (one row
    /// changed means taken; none means another request took it first).
    TakeOver(Sql),
}

/// Decides what an existing idempotency key row means for a new claim.
pub(crate) fn idempotency_found(
    account: &AccountId,
    key: &str,
    fingerprint: &str,
    now: i64,
    row: &impl Cols,
) -> StoreResult<Found> {
    let stored = row.text("fingerprint")?;
    let state = row.text("state")?;
    let created = row.int("created")?;
    if created < now - IDEMPOTENCY_TTL_SECS {
        return Ok(Found::Expired(Sql::new(
            "DELETE FROM idempotency_keys WHERE account_id = $1 AND key = $2 AND created = $3",
            vec![text(account.as_str()), text(key), Arg::Int(created)],
        )));
    }
    if stored != fingerprint {
        return Ok(Found::Answer(IdempotencyClaim::Mismatch { stored }));
    }
    if state == "done" {
        return Ok(Found::Answer(IdempotencyClaim::Replay {
            status: row.int("status")? as u16,
            body: row.text("body")?,
        }));
    }
    if created < now - STALE_RUNNING_SECS {
        // The process that claimed it died mid-request. If it had committed, running again
        // would change things twice; otherwise take it over.
        if row.int("committed")? != 0 {
            return Ok(Found::Answer(IdempotencyClaim::Lost));
        }
        return Ok(Found::TakeOver(Sql::new(
            "UPDATE idempotency_keys SET created = $1 WHERE account_id = $2 AND key = $3 AND state = 'running' AND created = $4",
            vec![Arg::Int(now), text(account.as_str()), text(key), Arg::Int(created)],
        )));
    }
    Ok(Found::Answer(IdempotencyClaim::InProgress))
}

pub(crate) fn idempotency_finish(
    account: &AccountId,
    held: &HeldKey,
    status: u16,
    body: &str,
) -> Sql {
    Sql::new(
        "UPDATE idempotency_keys SET state = 'done', status = $1, body = $2 WHERE account_id = $3 AND key = $4 AND created = $5",
        vec![
            Arg::Int(status as i64),
            text(body),
            text(account.as_str()),
            text(&held.key),
            Arg::Int(held.claimed_at),
        ],
    )
}

/// A release forgets only a claim that is still the request's own and committed nothing: a
/// key whose change may be stored (its commit's answer lost, or a second commit failing after
/// a first) stays claimed, so a retry can never make the change twice.
pub(crate) fn idempotency_release(account: &AccountId, held: &HeldKey) -> Sql {
    Sql::new(
        "DELETE FROM idempotency_keys WHERE account_id = $1 AND key = $2 AND state = 'running' AND committed = 0 AND created = $3",
        vec![text(account.as_str()), text(&held.key), Arg::Int(held.claimed_at)],
    )
}

pub(crate) fn idempotency_prune(before: i64) -> Sql {
    Sql::new(
        "DELETE FROM idempotency_keys WHERE created < $1",
        vec![Arg::Int(before)],
    )
}

/// Tokens forgotten per transaction by [`prune_tokens`].
pub(crate) const TOKEN_PRUNE_BATCH: usize = 1000;

/// Forgets up to [`TOKEN_PRUNE_BATCH`] tokens that expired before `before` (through the index
/// on `expires_at`).
pub(crate) fn prune_tokens(before: i64) -> Sql {
    Sql::new(
        &format!(
            "DELETE FROM tokens WHERE token_hash IN \
             (SELECT token_hash FROM tokens WHERE expires_at < $1 LIMIT {TOKEN_PRUNE_BATCH})"
        ),
        vec![Arg::Int(before)],
    )
}

/// A token's columns, in the order [`token_at`] reads them.
const TOKEN_COLUMNS: &str = "token_hash, account_id, kind, object_id, created, expires_at";

pub(crate) fn find_token(token_hash: &str) -> Sql {
    static TEXT: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
        format!("SELECT {TOKEN_COLUMNS} FROM tokens WHERE token_hash = $1")
    });
    Sql::new(&TEXT, vec![text(token_hash)])
}

/// A token and the object of `kind` it leads to, in one read: the object's [`COLUMNS`] (null
/// when it is gone), then the token's.
pub(crate) fn find_token_object(token_hash: &str, kind: &str) -> Sql {
    static TEXT: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
        let o = COLUMNS
            .split(", ")
            .map(|c| format!("o.{c}"))
            .collect::<Vec<_>>()
            .join(", ");
        let t = TOKEN_COLUMNS
            .split(", ")
            .map(|c| format!("t.{c}"))
            .collect::<Vec<_>>()
            .join(", ");
        format!(
            "SELECT {o}, {t} \
             FROM tokens t LEFT JOIN objects o \
             ON o.account_id = t.account_id AND o.id = t.object_id AND o.kind = $1 \
             WHERE t.token_hash = $2"
        )
    });
    Sql::new(&TEXT, vec![text(kind), text(token_hash)])
}

/// A row of [`find_token_object`].
pub(crate) fn token_object(
    kind: &'static str,
    r: &impl Cols,
) -> StoreResult<(TokenRecord, Option<Record>)> {
    let token = token_at(r, COLUMN_COUNT)?;
    let object = match r.opt_text(0)? {
        Some(_) => Some(record(kind, r)?),
        None => None,
    };
    Ok((token, object))
}

/// Stores a fresh random secret under `name` unless one is there.
pub(crate) fn secret_insert(name: &str) -> Sql {
    let fresh: String = (0..2)
        .map(|_| format!("{:032x}", rand::random::<u128>()))
        .collect();
    Sql::new(
        "INSERT INTO settings (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING",
        vec![text(name), Arg::Text(fresh)],
    )
}

pub(crate) fn secret_select(name: &str) -> Sql {
    Sql::new(
        "SELECT value FROM settings WHERE name = $1",
        vec![text(name)],
    )
}

pub(crate) fn due(kind: &str, before: i64, limit: usize) -> Sql {
    Sql::new(
        &format!(
            "SELECT {COLUMNS}, account_id FROM objects WHERE kind = $1 AND due_at IS NOT NULL AND due_at <= $2 ORDER BY due_at LIMIT $3"
        ),
        vec![text(kind), Arg::Int(before), Arg::Int(limit as i64)],
    )
}

/// The deliveries a worker may lease. PostgreSQL locks them and passes over rows another
/// instance has locked, so racing instances take disjoint batches (and never deadlock); SQLite
/// serialises the whole transaction.
///
/// A thorough lease leaves out the endpoints and accounts at their limit here, which reads
/// past all of their due deliveries; any other reads only the first candidates, whoever's they
/// are, and the [`Picker`] passes over those it may not take.
pub(crate) fn claim_candidates(backend: Backend, now: i64, limits: &ClaimLimits) -> Sql {
    let mut sql = Sql::default();
    sql.push(&format!(
        "SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries WHERE state = 'pending' AND next_attempt <= "
    ))
    .int(now)
    .push(" AND (lease_until IS NULL OR lease_until < ")
    .int(now)
    .push(")");
    if limits.thorough {
        for (e, n) in &limits.held {
            if *n >= limits.per_endpoint {
                sql.push(" AND endpoint_id <> ").text(e.clone());
            }
        }
        for (a, n) in &limits.held_accounts {
            if *n >= limits.per_account {
                sql.push(" AND account_id <> ").text(a.clone());
            }
        }
    }
    sql.push(" ORDER BY next_attempt LIMIT ")
        .int(candidate_count(limits) as i64)
        .push(backend.skip_locked());
    sql
}

/// How many candidates one pass reads: more than needed when some may be over their endpoint's
/// or account's limit.
fn candidate_count(limits: &ClaimLimits) -> usize {
    if limits.per_endpoint.min(limits.per_account) < limits.total {
        limits.total * 4
    } else {
        limits.total
    }
}

/// Takes one candidate: of two instances racing for a row, exactly one sees its update apply.
pub(crate) fn claim_one(owner: &str, lease_until: i64, id: &str, now: i64) -> Sql {
    Sql::new(
        "UPDATE webhook_deliveries SET lease_owner = $1, lease_until = $2 \
         WHERE id = $3 AND state = 'pending' AND (lease_until IS NULL OR lease_until < $4)",
        vec![text(owner), Arg::Int(lease_until), text(id), Arg::Int(now)],
    )
}

/// Picks the candidates to take in order, within the limits; `take` leases one and says
/// whether it got it.
pub(crate) struct Picker {
    limits: ClaimLimits,
    pub claimed: Vec<Delivery>,
    /// Whether an endpoint or an account reached its limit in the current pass.
    capped: bool,
}

impl Picker {
    pub fn new(limits: &ClaimLimits) -> Picker {
        Picker {
            limits: limits.clone(),
            claimed: Vec::new(),
            capped: false,
        }
    }
    /// Whether to try to take this candidate.
    pub fn wants(&self, d: &Delivery) -> bool {
        self.claimed.len() < self.limits.total
            && self.limits.held.get(&d.endpoint_id).copied().unwrap_or(0) < self.limits.per_endpoint
            && self
                .limits
                .held_accounts
                .get(&d.account.0)
                .copied()
                .unwrap_or(0)
                < self.limits.per_account
    }
    /// The candidate was taken.
    pub fn took(&mut self, d: Delivery) {
        let endpoint = self.limits.held.entry(d.endpoint_id.clone()).or_default();
        *endpoint += 1;
        self.capped |= *endpoint >= self.limits.per_endpoint;
        let account = self
            .limits
            .held_accounts
            .entry(d.account.0.clone())
            .or_default();
        *account += 1;
        self.capped |= *account >= self.limits.per_account;
        self.claimed.push(d);
    }
    /// The candidates of one more pass, when the lease is thorough, there is room left, the
    /// pass read as many candidates as it could (`read`), and an endpoint or account reached
    /// its limit in it: the candidates read in order of due time may all have been theirs,
    /// while other deliveries wait further on. The next pass leaves out whoever is at the
    /// limit; each pass after the first follows one that took a delivery, so there are at most
    /// `total` of them.
    pub fn next_pass(&mut self, backend: Backend, now: i64, read: usize) -> Option<Sql> {
        let again = self.limits.thorough
            && self.capped
            && read >= candidate_count(&self.limits)
            && self.claimed.len() < self.limits.total;
        self.capped = false;
        again.then(|| claim_candidates(backend, now, &self.limits))
    }
}

/// The statements that record the end of one leased delivery: the update (which applies only
/// while `owner` holds the lease) and, when an attempt was made, its row.
pub(crate) fn finish_delivery(owner: &str, f: &Finished) -> (Sql, Option<Sql>) {
    let (state, next_attempt) = match f.next {
        Next::Succeeded => (DeliveryState::Succeeded, None),
        Next::RetryAt(t) => (DeliveryState::Pending, Some(t)),
        Next::GiveUp => (DeliveryState::Failed, None),
        Next::Cancel => (DeliveryState::Canceled, None),
    };
    let mut sql = Sql::default();
    sql.push("UPDATE webhook_deliveries SET lease_owner = NULL, lease_until = NULL, state = ")
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
    // Only while still pending: a delivery cancelled meanwhile (its endpoint deleted) stays so.
    sql.push(" WHERE id = ")
        .text(f.delivery_id.clone())
        .push(" AND lease_owner = ")
        .text(owner)
        .push(" AND state = 'pending'");
    let attempt = f.attempt.as_ref().map(|a: &Attempt| {
        Sql::new(
            "INSERT INTO webhook_attempts (delivery_id, attempt, at, status, error, response, duration_ms) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
            vec![
                text(a.delivery_id.as_str()),
                Arg::Int(a.attempt),
                Arg::Int(a.at),
                Arg::OptInt(a.status),
                Arg::OptText(a.error.clone()),
                Arg::OptText(a.response.clone()),
                Arg::Int(a.duration_ms),
            ],
        )
    });
    (sql, attempt)
}

pub(crate) fn deliveries(q: &DeliveryQuery) -> Sql {
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
    sql
}

pub(crate) fn delivery_attempts(delivery_id: &str) -> Sql {
    Sql::new(
        "SELECT delivery_id, attempt, at, status, error, response, duration_ms FROM webhook_attempts \
         WHERE delivery_id = $1 ORDER BY attempt",
        vec![text(delivery_id)],
    )
}

pub(crate) fn pending_webhooks(account: &AccountId, event_ids: &[String]) -> Sql {
    let mut sql = Sql::default();
    sql.push("SELECT event_id, COUNT(*) AS n FROM webhook_deliveries WHERE account_id = ")
        .text(account.as_str())
        // Stripe's count: deliveries not (yet) answered with a 2xx, those given up on too.
        .push(" AND state IN ('pending', 'failed') AND event_id IN (");
    for (i, id) in event_ids.iter().enumerate() {
        if i > 0 {
            sql.push(", ");
        }
        sql.text(id.clone());
    }
    sql.push(") GROUP BY event_id");
    sql
}

/// Old finished deliveries go, their attempts first.
pub(crate) fn prune_deliveries(before: i64) -> [Sql; 2] {
    [
        Sql::new(
            "DELETE FROM webhook_attempts WHERE delivery_id IN \
             (SELECT id FROM webhook_deliveries WHERE created < $1 AND state <> 'pending')",
            vec![Arg::Int(before)],
        ),
        Sql::new(
            "DELETE FROM webhook_deliveries WHERE created < $1 AND state <> 'pending'",
            vec![Arg::Int(before)],
        ),
    ]
}

pub(crate) fn emails(q: &EmailQuery) -> Sql {
    let mut sql = Sql::default();
    sql.push(&format!("SELECT {EMAIL_COLUMNS} FROM emails WHERE 1 = 1"));
    if let Some(to) = &q.to {
        sql.push(" AND to_addr = ").text(to.clone());
    }
    sql.push(" ORDER BY created DESC, id DESC LIMIT ")
        .int(q.limit as i64);
    sql
}

pub(crate) fn email_by_id(id: &str) -> Sql {
    Sql::new(
        &format!("SELECT {EMAIL_COLUMNS} FROM emails WHERE id = $1"),
        vec![text(id)],
    )
}

pub(crate) fn due_emails(now: i64, limit: usize) -> Sql {
    Sql::new(
        &format!(
            "SELECT {EMAIL_COLUMNS} FROM emails WHERE status = 'queued' \
             AND (lease_until IS NULL OR lease_until < $1) ORDER BY created LIMIT $2"
        ),
        vec![Arg::Int(now), Arg::Int(limit as i64)],
    )
}

pub(crate) fn claim_email(id: &str, now: i64, lease_until: i64) -> Sql {
    Sql::new(
        "UPDATE emails SET lease_until = $1 WHERE id = $2 AND status = 'queued' \
         AND (lease_until IS NULL OR lease_until < $3)",
        vec![Arg::Int(lease_until), text(id), Arg::Int(now)],
    )
}

pub(crate) fn finish_email(id: &str, now: i64, error: Option<&str>, give_up: bool) -> Sql {
    let status = match (error, give_up) {
        (None, _) => "sent",
        (Some(_), true) => "failed",
        (Some(_), false) => "queued",
    };
    Sql::new(
        "UPDATE emails SET status = $1, attempts = attempts + 1, lease_until = NULL, \
         sent_at = $2, last_error = $3 WHERE id = $4",
        vec![
            text(status),
            Arg::OptInt(error.is_none().then_some(now)),
            Arg::OptText(error.map(str::to_owned)),
            text(id),
        ],
    )
}

pub(crate) fn prune_emails(before: i64) -> Sql {
    Sql::new(
        "DELETE FROM emails WHERE created < $1 AND status <> 'queued'",
        vec![Arg::Int(before)],
    )
}

/// Every account, oldest first or newest first (at most `limit`).
pub(crate) fn accounts(limit: usize, newest_first: bool) -> Sql {
    Sql::new(
        if newest_first {
            "SELECT id, livemode, created FROM accounts ORDER BY created DESC, id DESC LIMIT $1"
        } else {
            "SELECT id, livemode, created FROM accounts ORDER BY created, id LIMIT $1"
        },
        vec![Arg::Int(limit as i64)],
    )
}

pub(crate) fn account(row: &impl Cols) -> StoreResult<AccountInfo> {
    Ok(AccountInfo {
        id: AccountId(row.text("id")?),
        livemode: row.int("livemode")? != 0,
        created: row.int("created")?,
    })
}

pub(crate) fn account_of(kind: &str, id: &str) -> Sql {
    Sql::new(
        "SELECT account_id FROM objects WHERE kind = $1 AND id = $2",
        vec![text(kind), text(id)],
    )
}

/// A column of a row: by name, or by position (no search through the names).
pub(crate) trait Col:
    rusqlite::RowIndex + sqlx::ColumnIndex<sqlx::any::AnyRow> + Copy
{
}
impl Col for &str {}
impl Col for usize {}

/// Reads a row's columns; both drivers' rows implement it, so each table's row decoding is
/// written once.
pub(crate) trait Cols {
    fn text(&self, col: impl Col) -> StoreResult<String>;
    fn opt_text(&self, col: impl Col) -> StoreResult<Option<String>>;
    fn int(&self, col: impl Col) -> StoreResult<i64>;
    fn opt_int(&self, col: impl Col) -> StoreResult<Option<i64>>;
}

/// An object from a row that starts with [`COLUMNS`], read by position: every read of an
/// object comes through here.
pub(crate) fn record(kind: &'static str, row: &impl Cols) -> StoreResult<Record> {
    Ok(Record {
        kind,
        id: row.text(0)?,
        created: row.int(1)?,
        version: row.int(2)?,
        deleted: row.int(3)? != 0,
        parent: row.opt_text(4)?,
        lookup: row.opt_text(5)?,
        status: row.opt_text(6)?,
        unique_key: row.opt_text(7)?,
        due_at: row.opt_int(8)?,
        data: row.text(9)?,
    })
}

pub(crate) fn email(row: &impl Cols) -> StoreResult<Email> {
    let status = row.text("status")?;
    Ok(Email {
        id: row.text("id")?,
        account: AccountId(row.text("account_id")?),
        created: row.int("created")?,
        to: row.text("to_addr")?,
        from: row.text("from_addr")?,
        subject: row.text("subject")?,
        text: row.text("text_body")?,
        html: row.text("html_body")?,
        status: EmailStatus::parse(&status)
            .ok_or_else(|| StoreError::Corrupt(format!("email status {status}")))?,
        attempts: row.int("attempts")?,
        sent_at: row.opt_int("sent_at")?,
        last_error: row.opt_text("last_error")?,
    })
}

pub(crate) fn delivery(row: &impl Cols) -> StoreResult<Delivery> {
    let state = row.text("state")?;
    Ok(Delivery {
        id: row.text("id")?,
        account: AccountId(row.text("account_id")?),
        event_id: row.text("event_id")?,
        endpoint_id: row.text("endpoint_id")?,
        created: row.int("created")?,
        state: DeliveryState::parse(&state)
            .ok_or_else(|| StoreError::Corrupt(format!("delivery state {state}")))?,
        attempts: row.int("attempts")?,
        next_attempt: row.opt_int("next_attempt")?,
        last_attempt: row.opt_int("last_attempt")?,
        last_status: row.opt_int("last_status")?,
        last_error: row.opt_text("last_error")?,
    })
}

pub(crate) fn attempt(r: &impl Cols) -> StoreResult<Attempt> {
    Ok(Attempt {
        delivery_id: r.text("delivery_id")?,
        attempt: r.int("attempt")?,
        at: r.int("at")?,
        status: r.opt_int("status")?,
        error: r.opt_text("error")?,
        response: r.opt_text("response")?,
        duration_ms: r.int("duration_ms")?,
    })
}

/// A row of [`find_token`].
pub(crate) fn token(r: &impl Cols) -> StoreResult<TokenRecord> {
    token_at(r, 0)
}

/// A token from [`TOKEN_COLUMNS`] starting at column `first`.
fn token_at(r: &impl Cols, first: usize) -> StoreResult<TokenRecord> {
    Ok(TokenRecord {
        token_hash: r.text(first)?,
        account: AccountId(r.text(first + 1)?),
        kind: r.text(first + 2)?,
        object_id: r.text(first + 3)?,
        created: r.int(first + 4)?,
        expires_at: r.int(first + 5)?,
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn column_count_counts_the_columns() {
        assert_eq!(super::COLUMNS.split(", ").count(), super::COLUMN_COUNT);
        assert_eq!(
            super::COLUMNS.split(", ").nth(super::SEQ_COLUMN),
            Some("seq")
        );
    }

    #[test]
    fn numbers_are_written_in_decimal() {
        for n in [0, 1, 9, 10, 11, 99, 100, 1_234, 60_001] {
            let mut text = String::new();
            super::push_number(&mut text, n);
            assert_eq!(text, n.to_string());
        }
    }

    /// Rows of a compound read come back in any order: each read gets its own, newest first
    /// (the order of insertion breaking ties), with its limit and whether more lie beyond.
    #[test]
    fn rows_read_together_are_regrouped_in_order() {
        use crate::{Cursor, ListQuery, Read, Record};
        let list = |limit| {
            Read::List(ListQuery {
                kind: "thing",
                filters: Vec::new(),
                cursor: Cursor::Start,
                limit,
                include_deleted: false,
            })
        };
        let reads = [list(2), Read::Get("thing", "g".into()), list(5)];
        let row =
            |part, seq, id: &str, created| (part, seq, Record::first("thing", id, created, "{}"));
        let rows = vec![
            row(2, 7, "z", 1),
            row(0, 1, "a", 10),
            row(1, 9, "g", 3),
            row(0, 3, "c", 20),
            row(0, 2, "b", 20),
            row(2, 8, "y", 2),
        ];
        let pages = super::read_many_pages(&reads, rows);
        let ids =
            |i: usize| -> Vec<&str> { pages[i].records.iter().map(|r| r.id.as_str()).collect() };
        assert_eq!(ids(0), ["c", "b"]);
        assert!(pages[0].has_more);
        assert_eq!(ids(1), ["g"]);
        assert!(!pages[1].has_more);
        assert_eq!(ids(2), ["y", "z"]);
        assert!(!pages[2].has_more);
    }

    #[test]
    fn a_lost_race_names_the_object_and_the_version_it_expected() {
        use crate::{Record, Write};
        let account = portico_domain::AccountId("acct_1".into());
        let record = Record {
            version: 5,
            ..Record::first("customer", "cus_1", 1, "{}")
        };
        let update = super::write(&account, Write::Update(record.clone()));
        assert_eq!(
            update.must_find.as_deref(),
            Some("customer cus_1 at version 4")
        );
        let consume = super::write(&account, Write::ConsumeToken("h".into()));
        assert_eq!(consume.must_find.as_deref(), Some("an unused link token"));
        let insert = super::write(&account, Write::Insert(record));
        assert_eq!(insert.must_find, None);
        // The verdict on the rows each changed: only a write that must find its row conflicts.
        assert!(update.check(1).is_ok());
        assert!(matches!(update.check(0), Err(crate::StoreError::Conflict)));
        assert!(matches!(consume.check(0), Err(crate::StoreError::Conflict)));
        assert!(insert.check(0).is_ok());
    }
}

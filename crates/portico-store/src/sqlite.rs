//! [`SqliteStore`]: the embedded [`Store`] on one SQLite file (WAL, `synchronous = FULL`).
//!
//! Writes go to one writer thread that owns the only writing connection. It takes every write
//! waiting in its queue, runs them in one transaction, and commits them together: one disk sync
//! for the group (group commit). Nobody is answered before the commit is durable, and a write
//! that fails is undone without touching its neighbours (see [`run_group`]).
//!
//! Reads use a small pool of connections of their own and run in the calling task: a point
//! lookup takes microseconds, less than handing it to another thread would. WAL lets them read
//! while the writer writes.
//!
//! Inside [`crate::reads_together`], point reads, unique-key reads, lists from their start and
//! link tokens are answered from the read cache while the database has not changed under them
//! (see [`crate::read_cache`]).
//!
//! A checkpointer thread with its own connection copies committed pages from the WAL into the
//! database file every few commits, so the writer seldom has to.
//!
//! An in-memory database (`sqlite::memory:`) exists in one connection only, so there every call
//! goes to the writer.

use crate::read_cache::{By, ReadCache, Touch, Touched};
use crate::statements::{self as st, Arg, Backend, Col, Cols, Found, Sql};
use crate::{
    AccountInfo, Attempt, ClaimLimits, Cursor, Delivery, DeliveryQuery, Email, EmailQuery,
    Finished, HeldKey, IdempotencyClaim, ListQuery, Page, Read, Record, Store, StoreError,
    StoreResult, TokenRecord, Write,
};
use async_trait::async_trait;
use portico_domain::AccountId;
use rusqlite::hooks::Action;
use rusqlite::{Connection, OpenFlags};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use tokio::sync::oneshot;

/// The most writes committed together.
const GROUP_LIMIT: usize = 512;
/// Idle reading connections kept open.
const IDLE_READERS: usize = 8;
/// How long a connection waits for a lock another process holds.
const BUSY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);
/// Commits the writer makes before it has the checkpointer copy their pages into the database
/// file. Pages that every commit changes (the ends of the indexes new rows go to) are copied once
/// for several commits, while each copy stays small enough that its sync of the database file
/// does not hold up the writer's syncs of the WAL for long. Measured with 32 clients creating
/// portal sessions: after every 4 commits the checkpointer takes 0.16 of a core where after every
/// commit it took 0.27, p99 4.8 ms both ways; waiting 10 ms for commits to gather instead made
/// p99 7.1-7.6 ms, 100 ms 41 ms.
const CHECKPOINT_AFTER_COMMITS: u32 = 4;
/// The writer checkpoints itself only when the WAL holds this many pages (40 MiB).
const WAL_BACKSTOP_PAGES: i64 = 10_000;
/// Pages the writer maps instead of copying (2 GiB of address space; only the pages touched count
/// as memory, and the operating system's page cache holds them anyway). A database larger than
/// this is read through copies past the limit.
///
/// Only the writer: a connection drops its whole mapping whenever it starts a read and finds the
/// database changed since its last one, and maps it again page by page on the next reads (an
/// unmap, a processor-wide TLB flush, a page fault per page). The writer never finds others'
/// changes; readers find them after every commit while writes go on. Readers copy the pages
/// they read instead (measured, 32 clients creating portal sessions: 12% more sessions a second,
/// 13 µs less CPU each; reads with no writes alongside are as fast either way, from the
/// reader's own page cache).
const MMAP_BYTES: i64 = 2 << 30;
/// The writer's page cache (KiB). Readers start each read afresh whenever the database has
/// changed, so a cache helps only the writer, whose pages stay valid across its own commits: it
/// keeps the index pages every write walks without reading them again (the default is 2 MiB).
const WRITER_CACHE_KIB: i64 = 32 << 10;

/// The store over one SQLite database.
pub struct SqliteStore {
    queue: Mutex<Option<mpsc::Sender<Msg>>>,
    /// `None` for an in-memory database: reads go to the writer.
    path: Option<PathBuf>,
    readers: Arc<Mutex<Vec<Connection>>>,
    decoded: crate::Decoded,
    /// What reads inside a task's read transaction found (see [`crate::read_cache`]).
    cache: Arc<ReadCache>,
}

impl Cols for rusqlite::Row<'_> {
    fn text(&self, col: impl Col) -> StoreResult<String> {
        Ok(self.get(col)?)
    }
    fn opt_text(&self, col: impl Col) -> StoreResult<Option<String>> {
        Ok(self.get(col)?)
    }
    fn int(&self, col: impl Col) -> StoreResult<i64> {
        Ok(self.get(col)?)
    }
    fn opt_int(&self, col: impl Col) -> StoreResult<Option<i64>> {
        Ok(self.get(col)?)
    }
}

/// Prepares (from the connection's cache) and binds a statement. The statements write
/// parameters PostgreSQL's way (`$n`), which SQLite reads as names, numbering each name in the
/// order it first appears. When that numbering is the statement's own (the usual case: `$1`
/// comes first, then `$2`), each argument is bound by its position; otherwise by its name.
/// Either way the text goes to SQLite as written, with no copy to translate it.
fn prepare<'c>(conn: &'c Connection, sql: &Sql) -> StoreResult<rusqlite::CachedStatement<'c>> {
    let mut stmt = conn.prepare_cached(&sql.text)?;
    let count = stmt.parameter_count();
    for (i, a) in sql.args.iter().enumerate() {
        let n = i + 1;
        let at = if stmt.parameter_name(n).is_some_and(|name| names(name, n)) {
            n
        } else {
            match stmt.parameter_index(&format!("${n}"))? {
                Some(at) => at,
                None if n > count => break,
                // `$n` not in the text: the argument is not used.
                None => continue,
            }
        };
        match a {
            Arg::Text(s) => stmt.raw_bind_parameter(at, s)?,
            Arg::Int(n) => stmt.raw_bind_parameter(at, n)?,
            Arg::OptText(s) => stmt.raw_bind_parameter(at, s)?,
            Arg::OptInt(n) => stmt.raw_bind_parameter(at, n)?,
        }
    }
    Ok(stmt)
}

/// Whether a parameter's name is `$n`.
fn names(name: &str, n: usize) -> bool {
    name.strip_prefix('$')
        .is_some_and(|digits| digits.parse::<usize>() == Ok(n) && !digits.starts_with('0'))
}

/// Runs a statement; the number of rows it changed.
fn execute(conn: &Connection, sql: &Sql) -> StoreResult<usize> {
    prepare(conn, sql)?.raw_execute().map_err(map_write_error)
}

/// Runs a query and decodes each row.
fn all<T>(
    conn: &Connection,
    sql: &Sql,
    mut decode: impl FnMut(&rusqlite::Row<'_>) -> StoreResult<T>,
) -> StoreResult<Vec<T>> {
    let mut stmt = prepare(conn, sql)?;
    let mut rows = stmt.raw_query();
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        out.push(decode(row)?);
    }
    Ok(out)
}

/// Runs a query and decodes its first row, if any.
fn optional<T>(
    conn: &Connection,
    sql: &Sql,
    decode: impl FnOnce(&rusqlite::Row<'_>) -> StoreResult<T>,
) -> StoreResult<Option<T>> {
    let mut stmt = prepare(conn, sql)?;
    let mut rows = stmt.raw_query();
    match rows.next()? {
        Some(row) => Ok(Some(decode(row)?)),
        None => Ok(None),
    }
}

/// Maps unique-index violations to [`StoreError::Duplicate`].
fn map_write_error(e: rusqlite::Error) -> StoreError {
    if let rusqlite::Error::SqliteFailure(f, msg) = &e {
        if f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
            || f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY
        {
            return st::duplicate(msg.as_deref().unwrap_or_default());
        }
    }
    StoreError::Sqlite(e)
}

/// A copy of a failure for each write of a group that it undid.
fn replicate(e: &StoreError) -> StoreError {
    match e {
        StoreError::Sqlite(rusqlite::Error::SqliteFailure(f, msg)) => {
            StoreError::Sqlite(rusqlite::Error::SqliteFailure(*f, msg.clone()))
        }
        other => StoreError::Sqlite(rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_ERROR),
            Some(other.to_string()),
        )),
    }
}

fn configure(conn: &Connection) -> rusqlite::Result<()> {
    conn.busy_timeout(BUSY_TIMEOUT)?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    // Rolling back to a savepoint needs the pages it changed: keep them in memory rather than
    // in a temporary file opened and removed for every write.
    conn.pragma_update(None, "temp_store", "MEMORY")?;
    conn.set_prepared_statement_cache_capacity(64);
    Ok(())
}

/// A unit of work for the writer. It can run more than once: see [`run_group`].
trait Task: Send {
    /// Runs inside the group's transaction; whether it succeeded. Each run replaces the
    /// result of the one before.
    fn run(&mut self, conn: &Connection) -> bool;
    /// Answers the caller once the group is committed, or with the failure that undid it.
    fn answer(self: Box<Self>, group_failed: Option<&StoreError>);
    /// What it changes that the read cache may hold.
    fn touches(&self) -> &Touched;
}

struct Job<R, F> {
    work: F,
    touches: Touched,
    /// Only reads (a read on the in-memory database's writer): a run that succeeded stands,
    /// as it changed nothing that another run would have to redo.
    reads_only: bool,
    result: Option<StoreResult<R>>,
    reply: oneshot::Sender<StoreResult<R>>,
}

impl<R, F> Task for Job<R, F>
where
    R: Send,
    F: FnMut(&Connection) -> StoreResult<R> + Send,
{
    fn run(&mut self, conn: &Connection) -> bool {
        if self.reads_only && matches!(self.result, Some(Ok(_))) {
            return true;
        }
        let work = &mut self.work;
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| work(conn)))
            .unwrap_or_else(|_| {
                Err(StoreError::Corrupt(
                    "a database write panicked; it was undone".into(),
                ))
            });
        let ok = result.is_ok();
        self.result = Some(result);
        ok
    }

    fn answer(self: Box<Self>, group_failed: Option<&StoreError>) {
        let result = match (self.result, group_failed) {
            // Its own failure says more than the group's.
            (Some(Err(e)), _) => Err(e),
            (_, Some(e)) => Err(replicate(e)),
            (Some(ok), None) => ok,
            (None, None) => Err(StoreError::Corrupt("a write was not run".into())),
        };
        let _ = self.reply.send(result);
    }

    fn touches(&self) -> &Touched {
        &self.touches
    }
}

enum Msg {
    Task(Box<dyn Task>),
    Stop(oneshot::Sender<()>),
}

/// The database file the writer opened, to notice it deleted or replaced under the server:
/// SQLite would go on writing to the file it has open, and everything answered since would be
/// gone with it at the next start.
struct DatabaseFile {
    path: PathBuf,
    identity: (u64, u64),
}

impl DatabaseFile {
    fn of(path: &std::path::Path) -> Option<DatabaseFile> {
        let identity = file_identity(path)?;
        Some(DatabaseFile {
            path: path.to_owned(),
            identity,
        })
    }

    /// Whether the path still leads to the file the writer has open.
    fn in_place(&self) -> bool {
        file_identity(&self.path) == Some(self.identity)
    }
}

/// The device and inode of the file at `path`.
#[cfg(unix)]
fn file_identity(path: &std::path::Path) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(path).ok().map(|m| (m.dev(), m.ino()))
}

#[cfg(not(unix))]
fn file_identity(path: &std::path::Path) -> Option<(u64, u64)> {
    std::fs::metadata(path).ok().map(|_| (0, 0))
}

/// The writer thread: groups waiting writes into one transaction each. A group is refused when
/// the database `file` is no longer where it was opened.
fn writer(
    conn: Connection,
    queue: mpsc::Receiver<Msg>,
    checkpoint: Option<mpsc::SyncSender<()>>,
    file: Option<DatabaseFile>,
    cache: Arc<ReadCache>,
) {
    // Whether the group's transaction changed rows of `objects` (SQLite does not call the hook
    // for `tokens`, a table without row ids): a write that said it changes nothing the read
    // cache holds is not taken at its word.
    let objects_changed = Arc::new(AtomicBool::new(false));
    let flag = objects_changed.clone();
    conn.update_hook(Some(move |_: Action, _: &str, table: &str, _: i64| {
        if table == "objects" {
            flag.store(true, Ordering::Relaxed);
        }
    }));
    let mut stop = None;
    let mut commits = 0;
    while stop.is_none() {
        let mut group: Vec<Box<dyn Task>> = Vec::new();
        match queue.recv() {
            Ok(Msg::Task(t)) => group.push(t),
            Ok(Msg::Stop(done)) => {
                stop = Some(done);
                break;
            }
            Err(_) => break,
        }
        while group.len() < GROUP_LIMIT {
            match queue.try_recv() {
                Ok(Msg::Task(t)) => group.push(t),
                Ok(Msg::Stop(done)) => {
                    stop = Some(done);
                    break;
                }
                Err(_) => break,
            }
        }
        let failed = match &file {
            Some(f) if !f.in_place() => {
                tracing::error!(path = %f.path.display(), "the database file was deleted or replaced; writes are refused");
                Some(StoreError::Corrupt(
                    "the database file was deleted or replaced while the server ran: writes are refused until the server is restarted on a database".into(),
                ))
            }
            _ => {
                let mut touched = Touched::Nothing;
                for t in &group {
                    touched.add(t.touches());
                }
                cache.writing();
                match run_group(&conn, &mut group, &mut touched, &objects_changed) {
                    Ok((before, after)) => {
                        cache.committed(before, after, &touched);
                        None
                    }
                    Err(e) => {
                        cache.undone();
                        Some(e)
                    }
                }
            }
        };
        if let Some(c) = &checkpoint {
            commits += 1;
            if commits >= CHECKPOINT_AFTER_COMMITS {
                // If the channel is full, the checkpointer has a call waiting that covers these
                // too.
                let _ = c.try_send(());
                commits = 0;
            }
        }
        for t in group {
            t.answer(failed.as_ref());
        }
    }
    drop(checkpoint);
    if stop.is_some() {
        // Closing: fold the WAL into the database file and empty it, so the next start does not
        // have to read it back.
        match conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| {
            r.get::<_, i64>(0)
        }) {
            Ok(0) => {}
            Ok(_) => tracing::info!("the WAL was in use at close; it stays for the next start"),
            Err(e) => tracing::warn!(error = %e, "SQLite checkpoint at close failed"),
        }
    }
    drop(conn);
    if let Some(done) = stop {
        let _ = done.send(());
    }
}

/// The checkpointer thread: copies committed pages from the WAL into the database file when the
/// writer calls (every [`CHECKPOINT_AFTER_COMMITS`] commits; the commits made while it copies
/// wait for its next round), off the writer's path (the writer checkpoints itself only if the
/// WAL grows past [`WAL_BACKSTOP_PAGES`], should this thread fall behind).
fn checkpointer(conn: Connection, commits: mpsc::Receiver<()>) {
    while commits.recv().is_ok() {
        while commits.try_recv().is_ok() {}
        if let Err(e) = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(())) {
            tracing::warn!(error = %e, "SQLite checkpoint failed; the writer will checkpoint");
        }
    }
}

/// Runs a group in one transaction; the count of changes (see [`crate::read_cache`]) when it
/// began and when it committed, or the error that undid the whole group. The count goes up by
/// one when the group `touches` objects or tokens. A task that said it touches nothing yet
/// changed `objects` (the writer's update hook sets `objects_changed`) makes it
/// [`Touched::Everything`].
///
/// Tasks first run without savepoints: a savepoint copies each page before a task first
/// changes it, which had been a tenth of a write's cost. A task that fails having changed no
/// rows (a stale version, a duplicate caught by the first insert) leaves nothing to undo. When
/// one fails after changing rows, the whole transaction is undone and the group runs again
/// without it, this time each task in a savepoint of its own, so that a further failure undoes
/// only itself: the tasks before it run a second time, on the database as it was the first time,
/// and no group runs more than twice.
fn run_group(
    conn: &Connection,
    group: &mut [Box<dyn Task>],
    touches: &mut Touched,
    objects_changed: &AtomicBool,
) -> StoreResult<(i64, i64)> {
    let mut failed = vec![false; group.len()];
    let mut guarded = false;
    'attempt: loop {
        if !conn.is_autocommit() {
            // A rollback that failed earlier left a transaction open: end it before starting.
            conn.execute_batch("ROLLBACK")?;
        }
        control(conn, "BEGIN IMMEDIATE")?;
        let before = change_count(conn)?;
        for (t, failed) in group.iter_mut().zip(failed.iter_mut()) {
            if *failed {
                continue;
            }
            if guarded {
                control(conn, "SAVEPOINT task")?;
            }
            let changes = conn.total_changes();
            objects_changed.store(false, Ordering::Relaxed);
            let ok = t.run(conn);
            *failed = !ok;
            if objects_changed.load(Ordering::Relaxed) && *t.touches() == Touched::Nothing {
                *touches = Touched::Everything;
            }
            if conn.is_autocommit() {
                // SQLite ended the transaction itself (out of disk, I/O error): everything the
                // group did before is gone with it.
                return Err(StoreError::Corrupt(
                    "the database rolled the transaction back".into(),
                ));
            }
            if guarded {
                if ok {
                    control(conn, "RELEASE task")?;
                } else {
                    conn.execute_batch("ROLLBACK TO task; RELEASE task")?;
                }
            } else if !ok && conn.total_changes() != changes {
                conn.execute_batch("ROLLBACK")?;
                guarded = true;
                continue 'attempt;
            }
        }
        let counted = *touches != Touched::Nothing;
        if counted {
            control(conn, "UPDATE changes SET n = n + 1")?;
        }
        let after = before + i64::from(counted);
        if let Err(e) = control(conn, "COMMIT") {
            let _ = conn.execute_batch("ROLLBACK");
            return Err(e);
        }
        return Ok((before, after));
    }
}

/// How many transactions have changed `objects` or `tokens` (migration 0012), as the
/// connection's transaction sees it.
fn change_count(conn: &Connection) -> StoreResult<i64> {
    Ok(conn
        .prepare_cached("SELECT n FROM changes")?
        .query_row([], |r| r.get(0))?)
}

/// Runs a transaction statement the writer repeats for every group, parsed once per connection.
fn control(conn: &Connection, text: &str) -> StoreResult<()> {
    conn.prepare_cached(text)?.raw_execute()?;
    Ok(())
}

impl SqliteStore {
    /// Opens (creating if needed) the database at `url` (`sqlite://PATH`, `sqlite:PATH` or
    /// `sqlite::memory:`) and applies the embedded migrations.
    pub async fn open(url: &str) -> StoreResult<SqliteStore> {
        let rest = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
            .ok_or_else(|| config_error(format!("not a SQLite URL: {url}")))?;
        let rest = rest.split('?').next().unwrap_or(rest);
        let path = (rest != ":memory:" && !rest.is_empty()).then(|| PathBuf::from(rest));
        let conn = match &path {
            Some(p) => {
                if let Some(dir) = p.parent().filter(|d| !d.as_os_str().is_empty()) {
                    std::fs::create_dir_all(dir)
                        .map_err(|e| StoreError::Database(sqlx::Error::Io(e)))?;
                }
                migrate(p).await?;
                let conn = Connection::open(p)?;
                conn.pragma_update(None, "journal_mode", "WAL")?;
                conn.pragma_update(None, "synchronous", "FULL")?;
                conn
            }
            None => {
                let conn = Connection::open_in_memory()?;
                migrate_in_memory(&conn)?;
                conn
            }
        };
        configure(&conn)?;
        let checkpoint = match &path {
            Some(p) => {
                conn.pragma_update(None, "wal_autocheckpoint", WAL_BACKSTOP_PAGES)?;
                conn.pragma_update(None, "cache_size", -WRITER_CACHE_KIB)?;
                conn.pragma_update(None, "mmap_size", MMAP_BYTES)?;
                let c = Connection::open(p)?;
                configure(&c)?;
                let (notify, commits) = mpsc::sync_channel(1);
                spawn("portico-sqlite-checkpoint", move || {
                    checkpointer(c, commits)
                })?;
                Some(notify)
            }
            None => None,
        };
        let (send, receive) = mpsc::channel();
        let file = path.as_deref().and_then(DatabaseFile::of);
        let cache = Arc::new(ReadCache::default());
        let writer_cache = cache.clone();
        spawn("portico-sqlite-writer", move || {
            writer(conn, receive, checkpoint, file, writer_cache)
        })?;
        Ok(SqliteStore {
            queue: Mutex::new(Some(send)),
            path,
            readers: Arc::new(Mutex::new(Vec::new())),
            decoded: crate::Decoded::new(crate::object::DECODED_BUDGET),
            cache,
        })
    }

    /// Runs `work` in the writer's next group; answers once it is durable. `work` may run more
    /// than once (see [`run_group`]): each run starts from the same database state. `touches`
    /// says what it may change of what the read cache holds.
    async fn write<R, F>(&self, touches: Touched, work: F) -> StoreResult<R>
    where
        R: Send + 'static,
        F: FnMut(&Connection) -> StoreResult<R> + Send + 'static,
    {
        self.submit(false, touches, work).await
    }

    /// A read of the in-memory database, which only the writer's connection holds.
    async fn read_on_writer<R, F>(&self, work: F) -> StoreResult<R>
    where
        R: Send + 'static,
        F: FnOnce(&Connection) -> StoreResult<R> + Send + 'static,
    {
        let mut work = Some(work);
        self.submit(true, Touched::Nothing, move |c: &Connection| {
            match work.take() {
                Some(w) => w(c),
                None => Err(StoreError::Corrupt("a read ran twice".into())),
            }
        })
        .await
    }

    async fn submit<R, F>(&self, reads_only: bool, touches: Touched, work: F) -> StoreResult<R>
    where
        R: Send + 'static,
        F: FnMut(&Connection) -> StoreResult<R> + Send + 'static,
    {
        // What the task writes, it must be able to read back: its read transaction ends here.
        let _ = SNAPSHOT.try_with(|slot| slot.borrow_mut().take());
        let (reply, answer) = oneshot::channel();
        let job = Box::new(Job {
            work,
            touches,
            reads_only,
            result: None,
            reply,
        });
        let sent = match self.queue.lock() {
            Ok(q) => q.as_ref().map(|q| q.send(Msg::Task(job)).is_ok()),
            Err(_) => None,
        };
        if sent != Some(true) {
            return Err(closed());
        }
        answer.await.map_err(|_| closed())?
    }

    /// Runs `work` on a reading connection in the calling task (a point lookup costs less than
    /// a thread hand-off), or on the writer for an in-memory database. Inside
    /// [`crate::reads_together`] the task's reads share one connection and read transaction.
    async fn read<R, F>(&self, work: F) -> StoreResult<R>
    where
        R: Send + 'static,
        F: FnOnce(&Connection) -> StoreResult<R> + Send + 'static,
    {
        match &self.path {
            None => self.read_on_writer(work).await,
            Some(path) if self.shares_snapshot() => {
                self.on_snapshot(path, |held| work(held.conn.as_ref().ok_or_else(closed)?))
            }
            Some(path) => with_reader(&self.readers, path, work),
        }
    }

    /// [`SqliteStore::read`] for a read the read cache keeps: inside [`crate::reads_together`],
    /// what `look` finds for the count of changes the task's snapshot sees, else what `work`
    /// reads, handed to `keep`. Elsewhere it reads the database.
    async fn cached<R, F>(
        &self,
        look: impl FnOnce(&ReadCache, i64) -> Option<R>,
        keep: impl FnOnce(&ReadCache, i64, &R),
        work: F,
    ) -> StoreResult<R>
    where
        R: Send + 'static,
        F: FnOnce(&Connection) -> StoreResult<R> + Send + 'static,
    {
        match &self.path {
            Some(path) if self.shares_snapshot() => self.on_snapshot(path, |held| {
                let conn = held.conn.as_ref().ok_or_else(closed)?;
                let count = match held.count {
                    Some(n) => n,
                    None => {
                        let n = change_count(conn)?;
                        held.count = Some(n);
                        n
                    }
                };
                if let Some(hit) = look(&self.cache, count) {
                    return Ok(hit);
                }
                let found = work(conn)?;
                keep(&self.cache, count, &found);
                Ok(found)
            }),
            _ => self.read(work).await,
        }
    }

    /// Whether the calling task's reads share a read transaction on this store (inside
    /// [`crate::reads_together`]; the task's transaction may be on another store, as tests
    /// open several).
    fn shares_snapshot(&self) -> bool {
        SNAPSHOT
            .try_with(|slot| {
                slot.borrow()
                    .as_ref()
                    .is_none_or(|h| Arc::ptr_eq(&h.pool, &self.readers))
            })
            .unwrap_or(false)
    }

    /// Runs `work` with the task's reading connection, starting its read transaction first if
    /// it has none ([`SqliteStore::shares_snapshot`] said it may).
    fn on_snapshot<R>(
        &self,
        path: &Path,
        work: impl FnOnce(&mut Held) -> StoreResult<R>,
    ) -> StoreResult<R> {
        SNAPSHOT.with(|slot| {
            let mut slot = slot.borrow_mut();
            if slot.is_none() {
                let conn = take_reader(&self.readers, path)?;
                control(&conn, "BEGIN")?;
                *slot = Some(Held {
                    conn: Some(conn),
                    pool: self.readers.clone(),
                    count: None,
                });
            }
            work(slot.as_mut().ok_or_else(closed)?)
        })
    }

    /// [`SqliteStore::read`] for reads that may scan (JSON filters, background queues): on a
    /// blocking thread, so a long one does not hold up the runtime's workers.
    async fn scan<R, F>(&self, work: F) -> StoreResult<R>
    where
        R: Send + 'static,
        F: FnOnce(&Connection) -> StoreResult<R> + Send + 'static,
    {
        let Some(path) = self.path.clone() else {
            return self.read_on_writer(work).await;
        };
        let readers = self.readers.clone();
        tokio::task::spawn_blocking(move || with_reader(&readers, &path, work))
            .await
            .map_err(|_| StoreError::Corrupt("a database read panicked".into()))?
    }
}

tokio::task_local! {
    /// The read transaction a task's reads share, inside [`crate::reads_together`].
    pub(crate) static SNAPSHOT: std::cell::RefCell<Option<Held>>;
}

/// A reading connection held by one task, inside a read transaction; dropped (when the task's
/// scope ends, or before it writes) it ends the transaction and goes back to its pool.
pub(crate) struct Held {
    conn: Option<Connection>,
    pool: Arc<Mutex<Vec<Connection>>>,
    /// The count of changes the transaction sees, once a cached read has asked.
    count: Option<i64>,
}

impl Drop for Held {
    fn drop(&mut self) {
        let Some(conn) = self.conn.take() else { return };
        if conn.is_autocommit() || control(&conn, "COMMIT").is_ok() {
            give_back(&self.pool, conn);
        }
    }
}

/// Runs `work` on an idle reading connection (or a new one). A connection left inside a
/// transaction is closed rather than reused, so no later read sees a stale snapshot.
fn with_reader<R>(
    readers: &Mutex<Vec<Connection>>,
    path: &Path,
    work: impl FnOnce(&Connection) -> StoreResult<R>,
) -> StoreResult<R> {
    let conn = take_reader(readers, path)?;
    let result = work(&conn);
    if conn.is_autocommit() {
        give_back(readers, conn);
    }
    result
}

/// An idle reading connection, or a new one.
fn take_reader(readers: &Mutex<Vec<Connection>>, path: &Path) -> StoreResult<Connection> {
    match readers.lock().ok().and_then(|mut r| r.pop()) {
        Some(c) => Ok(c),
        None => open_reader(path),
    }
}

/// Keeps a reading connection (outside any transaction) for the next read, up to
/// [`IDLE_READERS`]; past that it is closed.
fn give_back(readers: &Mutex<Vec<Connection>>, conn: Connection) {
    if let Ok(mut idle) = readers.lock() {
        if idle.len() < IDLE_READERS {
            idle.push(conn);
        }
    }
}

fn spawn(name: &str, f: impl FnOnce() + Send + 'static) -> StoreResult<()> {
    std::thread::Builder::new()
        .name(name.into())
        .spawn(f)
        .map(drop)
        .map_err(|e| StoreError::Database(sqlx::Error::Io(e)))
}

fn open_reader(path: &Path) -> StoreResult<Connection> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    configure(&conn)?;
    Ok(conn)
}

fn closed() -> StoreError {
    StoreError::Corrupt("the store is closed".into())
}

fn config_error(message: String) -> StoreError {
    StoreError::Database(sqlx::Error::Configuration(message.into()))
}

/// Applies the migrations (kept in sqlx's format, so existing databases carry on). Instances
/// starting together on one database take turns, holding a lock on a file beside it
/// (`….db-lock`): sqlx takes no lock on SQLite, and two would apply the same migration twice.
async fn migrate(path: &Path) -> StoreResult<()> {
    let mut lock_path = path.as_os_str().to_owned();
    lock_path.push("-lock");
    let io = |e: std::io::Error| StoreError::Database(sqlx::Error::Io(e));
    let lock = tokio::task::spawn_blocking(move || {
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)?;
        file.lock()?;
        Ok::<_, std::io::Error>(file)
    })
    .await
    .map_err(|_| StoreError::Corrupt("the migration lock could not be taken".into()))?
    .map_err(io)?;
    let migrated = migrate_locked(path).await;
    drop(lock);
    migrated
}

async fn migrate_locked(path: &Path) -> StoreResult<()> {
    let options = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(true)
        .journal_mode(sqlx::sqlite::SqliteJournalMode::Wal)
        .synchronous(sqlx::sqlite::SqliteSynchronous::Full)
        .busy_timeout(BUSY_TIMEOUT);
    let pool = sqlx::sqlite::SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(options)
        .await?;
    let migrated = sqlx::migrate!("./migrations/sqlite").run(&pool).await;
    pool.close().await;
    Ok(migrated?)
}

/// An in-memory database cannot be shared with sqlx's connection, so its schema is applied
/// from the same migration files directly.
fn migrate_in_memory(conn: &Connection) -> StoreResult<()> {
    let migrator = sqlx::migrate!("./migrations/sqlite");
    for m in migrator.iter() {
        conn.execute_batch(&m.sql)?;
    }
    Ok(())
}

#[async_trait]
impl Store for SqliteStore {
    fn backend(&self) -> Backend {
        Backend::Sqlite
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
        let sql = st::ensure_account(account, livemode, now);
        self.write(Touched::Nothing, move |c| execute(c, &sql))
            .await?;
        Ok(())
    }

    async fn get(
        &self,
        account: &AccountId,
        kind: &'static str,
        id: &str,
    ) -> StoreResult<Option<Record>> {
        let sql = st::get(account, kind, id);
        self.cached(
            |cache, n| cache.record(n, &account.0, kind, By::Id, id),
            |cache, n, found| cache.keep_record(n, &account.0, kind, By::Id, id, found),
            move |c| optional(c, &sql, |r| st::record(kind, r)),
        )
        .await
    }

    async fn get_by_unique_key(
        &self,
        account: &AccountId,
        kind: &'static str,
        unique_key: &str,
    ) -> StoreResult<Option<Record>> {
        let sql = st::get_by_unique_key(account, kind, unique_key);
        self.cached(
            |cache, n| cache.record(n, &account.0, kind, By::UniqueKey, unique_key),
            |cache, n, found| {
                cache.keep_record(n, &account.0, kind, By::UniqueKey, unique_key, found)
            },
            move |c| optional(c, &sql, |r| st::record(kind, r)),
        )
        .await
    }

    async fn has_children(
        &self,
        account: &AccountId,
        kind: &'static str,
        parent: &str,
    ) -> StoreResult<bool> {
        let sql = st::has_children(account, kind, parent);
        Ok(self
            .read(move |c| optional(c, &sql, |_| Ok(())))
            .await?
            .is_some())
    }

    async fn list(&self, account: &AccountId, q: &ListQuery) -> StoreResult<Page> {
        let scans = q.scans();
        if !scans && matches!(q.cursor, Cursor::Start) {
            // One statement, which is also what the cache keeps it by.
            let (sql, kind, page_q) = (
                st::list(Backend::Sqlite, account, q, None),
                q.kind,
                q.clone(),
            );
            let key = sql.clone();
            return self
                .cached(
                    |cache, n| cache.list(n, &account.0, kind, &key),
                    |cache, n, page| cache.keep_list(n, &account.0, kind, &key, page),
                    move |c| Ok(st::page(&page_q, all(c, &sql, |r| st::record(kind, r))?)),
                )
                .await;
        }
        let (account, q) = (account.clone(), q.clone());
        let work = move |c: &Connection| {
            // One read transaction, so the cursor and the page see the same state (on the
            // writer, for an in-memory database, the group's transaction already is one). A
            // page from the start is one statement, a transaction of its own.
            let own = c.is_autocommit() && !matches!(q.cursor, Cursor::Start);
            if own {
                control(c, "BEGIN")?;
            }
            let page = (|| {
                let position = match st::cursor_position(&account, &q) {
                    None => None,
                    Some(sql) => Some(
                        optional(c, &sql, |r| Ok((r.int("created")?, r.int("seq")?)))?
                            .ok_or(StoreError::CursorNotFound)?,
                    ),
                };
                let sql = st::list(Backend::Sqlite, &account, &q, position);
                let records = all(c, &sql, |r| st::record(q.kind, r))?;
                Ok(st::page(&q, records))
            })();
            if own {
                control(c, if page.is_ok() { "COMMIT" } else { "ROLLBACK" })?;
            }
            page
        };
        if scans {
            self.scan(work).await
        } else {
            self.read(work).await
        }
    }

    /// One read after another in one read transaction: on SQLite a statement's fixed cost is
    /// small next to its rows, and measured no cheaper as one compound statement (whose
    /// subqueries copy each row once more).
    async fn read_many(&self, account: &AccountId, reads: &[Read]) -> StoreResult<Vec<Page>> {
        crate::reads_together(crate::one_by_one(self, account, reads)).await
    }

    async fn commit(&self, account: &AccountId, writes: Vec<Write>) -> StoreResult<()> {
        let touches = writes
            .iter()
            .filter_map(|w| match w {
                Write::Insert(r) | Write::Update(r) => Some(Touch::Object {
                    account: account.0.clone(),
                    kind: r.kind,
                    id: r.id.clone(),
                }),
                Write::Token(t) => Some(Touch::Token(t.token_hash.clone())),
                Write::ExtendToken { token_hash, .. }
                | Write::DeleteToken(token_hash)
                | Write::ConsumeToken(token_hash) => Some(Touch::Token(token_hash.clone())),
                Write::Delivery(_) | Write::Email(_) | Write::IdempotencyCommitted(_) => None,
            })
            .collect();
        let statements: Vec<_> = writes.into_iter().map(|w| st::write(account, w)).collect();
        self.write(Touched::these(touches), move |c| {
            for w in &statements {
                w.check(execute(c, &w.sql)? as u64)?;
            }
            Ok(())
        })
        .await
    }

    async fn idempotency_claim(
        &self,
        account: &AccountId,
        key: &str,
        fingerprint: &str,
        now: i64,
    ) -> StoreResult<IdempotencyClaim> {
        let (account, key, fingerprint) = (account.clone(), key.to_owned(), fingerprint.to_owned());
        self.write(Touched::Nothing, move |c| {
            // Inside the writer nothing races, but an expired key is forgotten and claimed
            // afresh, which takes a second round.
            for _ in 0..2 {
                if execute(
                    c,
                    &st::idempotency_insert(&account, &key, &fingerprint, now),
                )? == 1
                {
                    return Ok(IdempotencyClaim::Started);
                }
                let found = optional(c, &st::idempotency_select(&account, &key), |row| {
                    st::idempotency_found(&account, &key, &fingerprint, now, row)
                })?;
                match found {
                    None => continue,
                    Some(Found::Answer(a)) => return Ok(a),
                    Some(Found::Expired(forget)) => {
                        execute(c, &forget)?;
                    }
                    Some(Found::TakeOver(take)) => {
                        if execute(c, &take)? == 1 {
                            return Ok(IdempotencyClaim::Started);
                        }
                    }
                }
            }
            Ok(IdempotencyClaim::InProgress)
        })
        .await
    }

    async fn idempotency_finish(
        &self,
        account: &AccountId,
        held: &HeldKey,
        status: u16,
        body: &str,
    ) -> StoreResult<()> {
        let sql = st::idempotency_finish(account, held, status, body);
        self.write(Touched::Nothing, move |c| execute(c, &sql))
            .await?;
        Ok(())
    }

    async fn idempotency_release(&self, account: &AccountId, held: &HeldKey) -> StoreResult<bool> {
        let sql = st::idempotency_release(account, held);
        Ok(self
            .write(Touched::Nothing, move |c| execute(c, &sql))
            .await?
            > 0)
    }

    async fn idempotency_prune(&self, before: i64) -> StoreResult<u64> {
        let sql = st::idempotency_prune(before);
        Ok(self
            .write(Touched::Nothing, move |c| execute(c, &sql))
            .await? as u64)
    }

    async fn prune_tokens(&self, before: i64) -> StoreResult<u64> {
        crate::prune_in_batches(|| async move {
            let sql = st::prune_tokens(before);
            Ok(self
                .write(Touched::These(vec![Touch::Tokens]), move |c| {
                    execute(c, &sql)
                })
                .await? as u64)
        })
        .await
    }

    async fn find_token(&self, token_hash: &str) -> StoreResult<Option<TokenRecord>> {
        let sql = st::find_token(token_hash);
        self.cached(
            |cache, n| cache.token(n, token_hash),
            |cache, n, found| cache.keep_token(n, token_hash, found),
            move |c| optional(c, &sql, |r| st::token(r)),
        )
        .await
    }

    async fn find_token_object(
        &self,
        token_hash: &str,
        kind: &'static str,
    ) -> StoreResult<Option<(TokenRecord, Option<Record>)>> {
        let sql = st::find_token_object(token_hash, kind);
        self.cached(
            |cache, n| match cache.token(n, token_hash)? {
                None => Some(None),
                Some(t) => {
                    let object = cache.record(n, &t.account.0, kind, By::Id, &t.object_id)?;
                    Some(Some((t, object)))
                }
            },
            |cache, n, found| {
                cache.keep_token(n, token_hash, &found.as_ref().map(|(t, _)| t.clone()));
                if let Some((t, object)) = found {
                    cache.keep_record(n, &t.account.0, kind, By::Id, &t.object_id, object);
                }
            },
            move |c| optional(c, &sql, |r| st::token_object(kind, r)),
        )
        .await
    }

    async fn secret(&self, name: &str) -> StoreResult<String> {
        let (insert, select) = (st::secret_insert(name), st::secret_select(name));
        self.write(Touched::Nothing, move |c| {
            execute(c, &insert)?;
            optional(c, &select, |r| r.text("value"))?
                .ok_or_else(|| StoreError::Corrupt("a setting vanished".into()))
        })
        .await
    }

    async fn due(
        &self,
        kind: &'static str,
        before: i64,
        limit: usize,
    ) -> StoreResult<Vec<(AccountId, Record)>> {
        let sql = st::due(kind, before, limit);
        self.scan(move |c| {
            all(c, &sql, |r| {
                Ok((AccountId(r.text("account_id")?), st::record(kind, r)?))
            })
        })
        .await
    }

    async fn claim_deliveries(
        &self,
        owner: &str,
        now: i64,
        lease_until: i64,
        limits: &ClaimLimits,
    ) -> StoreResult<Vec<Delivery>> {
        let (owner, limits) = (owner.to_owned(), limits.clone());
        self.write(Touched::Nothing, move |c| {
            let mut picker = st::Picker::new(&limits);
            let mut pass = Some(st::claim_candidates(Backend::Sqlite, now, &limits));
            while let Some(candidates) = pass {
                let read = all(c, &candidates, |r| st::delivery(r))?;
                let n = read.len();
                for d in read {
                    if picker.wants(&d)
                        && execute(c, &st::claim_one(&owner, lease_until, &d.id, now))? == 1
                    {
                        picker.took(d);
                    }
                }
                pass = picker.next_pass(Backend::Sqlite, now, n);
            }
            Ok(picker.claimed)
        })
        .await
    }

    async fn finish_deliveries(&self, owner: &str, done: &[Finished]) -> StoreResult<usize> {
        let statements: Vec<_> = done.iter().map(|f| st::finish_delivery(owner, f)).collect();
        self.write(Touched::Nothing, move |c| {
            let mut recorded = 0;
            for (update, attempt) in &statements {
                if execute(c, update)? != 1 {
                    continue;
                }
                recorded += 1;
                if let Some(a) = attempt {
                    execute(c, a)?;
                }
            }
            Ok(recorded)
        })
        .await
    }

    async fn deliveries(&self, q: &DeliveryQuery) -> StoreResult<Vec<Delivery>> {
        let sql = st::deliveries(q);
        self.scan(move |c| all(c, &sql, |r| st::delivery(r))).await
    }

    async fn delivery_attempts(&self, delivery_id: &str) -> StoreResult<Vec<Attempt>> {
        let sql = st::delivery_attempts(delivery_id);
        self.read(move |c| all(c, &sql, |r| st::attempt(r))).await
    }

    async fn pending_webhooks(
        &self,
        account: &AccountId,
        event_ids: &[String],
    ) -> StoreResult<HashMap<String, i64>> {
        if event_ids.is_empty() {
            return Ok(HashMap::new());
        }
        let sql = st::pending_webhooks(account, event_ids);
        let pairs = self
            .scan(move |c| all(c, &sql, |r| Ok((r.text("event_id")?, r.int("n")?))))
            .await?;
        Ok(pairs.into_iter().collect())
    }

    async fn prune_deliveries(&self, before: i64) -> StoreResult<u64> {
        let [attempts, deliveries] = st::prune_deliveries(before);
        self.write(Touched::Nothing, move |c| {
            execute(c, &attempts)?;
            Ok(execute(c, &deliveries)? as u64)
        })
        .await
    }

    async fn emails(&self, q: &EmailQuery) -> StoreResult<Vec<Email>> {
        let sql = st::emails(q);
        self.scan(move |c| all(c, &sql, |r| st::email(r))).await
    }

    async fn email(&self, id: &str) -> StoreResult<Option<Email>> {
        let sql = st::email_by_id(id);
        self.read(move |c| optional(c, &sql, |r| st::email(r)))
            .await
    }

    async fn due_emails(&self, now: i64, limit: usize) -> StoreResult<Vec<Email>> {
        let sql = st::due_emails(now, limit);
        self.scan(move |c| all(c, &sql, |r| st::email(r))).await
    }

    async fn claim_email(&self, id: &str, now: i64, lease_until: i64) -> StoreResult<bool> {
        let sql = st::claim_email(id, now, lease_until);
        Ok(self
            .write(Touched::Nothing, move |c| execute(c, &sql))
            .await?
            == 1)
    }

    async fn finish_email(
        &self,
        id: &str,
        now: i64,
        error: Option<&str>,
        give_up: bool,
    ) -> StoreResult<()> {
        let sql = st::finish_email(id, now, error, give_up);
        self.write(Touched::Nothing, move |c| execute(c, &sql))
            .await?;
        Ok(())
    }

    async fn prune_emails(&self, before: i64) -> StoreResult<u64> {
        let sql = st::prune_emails(before);
        Ok(self
            .write(Touched::Nothing, move |c| execute(c, &sql))
            .await? as u64)
    }

    async fn accounts(&self, limit: usize, newest_first: bool) -> StoreResult<Vec<AccountInfo>> {
        let sql = st::accounts(limit, newest_first);
        self.read(move |c| all(c, &sql, |r| st::account(r))).await
    }

    async fn account_of(&self, kind: &'static str, id: &str) -> StoreResult<Option<AccountId>> {
        let sql = st::account_of(kind, id);
        self.read(move |c| optional(c, &sql, |r| Ok(AccountId(r.text("account_id")?))))
            .await
    }

    async fn refresh_statistics(&self) -> StoreResult<Vec<String>> {
        // SQLite's planner picks the indexes these queries need without statistics.
        Ok(Vec::new())
    }

    async fn close(&self) {
        let queue = self.queue.lock().ok().and_then(|mut q| q.take());
        if let Some(queue) = queue {
            let (done, stopped) = oneshot::channel();
            if queue.send(Msg::Stop(done)).is_ok() {
                let _ = stopped.await;
            }
        }
        if let Ok(mut r) = self.readers.lock() {
            r.clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{names, prepare, run_group, Action, Job, Task};
    use crate::read_cache::{Touch, Touched};
    use crate::statements::{Arg, Sql};
    use crate::{StoreError, StoreResult};
    use rusqlite::Connection;
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    use std::sync::Arc;
    use tokio::sync::oneshot;

    type Answer = oneshot::Receiver<StoreResult<()>>;

    /// A job inserting `values` into `t` one by one, then failing (`fail`), or panicking
    /// (`panic`); counts its runs.
    fn job(values: &[i64], fail: bool, panic: bool) -> (Box<dyn Task>, Answer, Arc<AtomicUsize>) {
        let (reply, answer) = oneshot::channel();
        let (runs, values) = (Arc::new(AtomicUsize::new(0)), values.to_vec());
        let counted = runs.clone();
        let work = move |c: &Connection| -> StoreResult<()> {
            counted.fetch_add(1, Ordering::SeqCst);
            for v in &values {
                c.execute("INSERT INTO t (v) VALUES (?1)", [v])?;
            }
            assert!(!panic, "a task panicked");
            if fail {
                return Err(StoreError::Conflict);
            }
            Ok(())
        };
        let job = Job {
            work,
            touches: Touched::Nothing,
            reads_only: false,
            result: None,
            reply,
        };
        (Box::new(job), answer, runs)
    }

    /// Runs a group of tasks that change no objects.
    fn run_plain(conn: &Connection, group: &mut [Box<dyn Task>]) -> StoreResult<(i64, i64)> {
        run_group(conn, group, &mut Touched::Nothing, &AtomicBool::new(false))
    }

    /// A job that runs `sql` and says it touches `touches`.
    fn saying(sql: &'static str, touches: Touched) -> Box<dyn Task> {
        let (reply, _) = oneshot::channel();
        Box::new(Job {
            work: move |c: &Connection| -> StoreResult<()> {
                c.execute_batch(sql)?;
                Ok(())
            },
            touches,
            reads_only: false,
            result: None,
            reply,
        })
    }

    /// The count of changes moves once per group that touches objects or tokens, and a task
    /// that changed `objects` while saying it touches nothing makes its group touch everything,
    /// whatever the others said.
    #[test]
    fn groups_count_their_changes_and_unsaid_object_writes_touch_everything() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(
            "CREATE TABLE objects (v INTEGER); CREATE TABLE t (v INTEGER PRIMARY KEY); \
             CREATE TABLE changes (n INTEGER NOT NULL); INSERT INTO changes VALUES (0)",
        )
        .unwrap();
        let changed = Arc::new(AtomicBool::new(false));
        let flag = changed.clone();
        conn.update_hook(Some(move |_: Action, _: &str, table: &str, _: i64| {
            if table == "objects" {
                flag.store(true, Ordering::Relaxed);
            }
        }));
        let token = || Touched::These(vec![Touch::Token("h".into())]);
        // Nothing cached changes: the count stays.
        let mut touched = Touched::Nothing;
        let mut group = vec![saying("INSERT INTO t (v) VALUES (1)", Touched::Nothing)];
        assert_eq!(
            run_group(&conn, &mut group, &mut touched, &changed).unwrap(),
            (0, 0)
        );
        assert_eq!(touched, Touched::Nothing);
        // A said write: one more.
        let mut touched = token();
        let mut group = vec![saying("INSERT INTO objects (v) VALUES (1)", token())];
        assert_eq!(
            run_group(&conn, &mut group, &mut touched, &changed).unwrap(),
            (0, 1)
        );
        assert_eq!(touched, token());
        // An unsaid one beside a said one.
        let mut touched = token();
        let mut group = vec![
            saying("INSERT INTO t (v) VALUES (2)", token()),
            saying("UPDATE objects SET v = 2", Touched::Nothing),
        ];
        assert_eq!(
            run_group(&conn, &mut group, &mut touched, &changed).unwrap(),
            (1, 2)
        );
        assert_eq!(touched, Touched::Everything);
    }

    fn stored(conn: &Connection) -> Vec<i64> {
        let mut stmt = conn.prepare("SELECT v FROM t ORDER BY v").unwrap();
        let rows = stmt.query_map([], |r| r.get(0)).unwrap();
        rows.map(Result::unwrap).collect()
    }

    fn answers(group: Vec<Box<dyn Task>>, failed: Option<&StoreError>) {
        for t in group {
            t.answer(failed);
        }
    }

    fn outcome(mut answer: Answer) -> &'static str {
        match answer.try_recv().expect("answered") {
            Ok(()) => "ok",
            Err(StoreError::Conflict) => "conflict",
            Err(StoreError::Corrupt(_)) => "panic",
            Err(_) => "other",
        }
    }

    #[test]
    fn a_failed_write_is_undone_alone_and_a_group_runs_at_most_twice() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(
            "CREATE TABLE t (v INTEGER PRIMARY KEY); \
             CREATE TABLE changes (n INTEGER NOT NULL); INSERT INTO changes VALUES (0)",
        )
        .unwrap();
        // 2 fails before writing anything (its insert is a duplicate of 1's): nothing to undo,
        // the group goes on. 4 fails after writing: the group starts again without it, each
        // task guarded. 6 panics after writing, 7 fails after writing: each undone alone.
        let specs: [(&[i64], bool, bool); 8] = [
            (&[1, 10], false, false),
            (&[1], false, false),
            (&[3], false, false),
            (&[4, 40], true, false),
            (&[5], false, false),
            (&[6], false, true),
            (&[7, 70], true, false),
            (&[8], false, false),
        ];
        let (mut group, mut replies, mut runs) = (Vec::new(), Vec::new(), Vec::new());
        for (values, fail, panic) in specs {
            let (t, a, r) = job(values, fail, panic);
            group.push(t);
            replies.push(a);
            runs.push(r);
        }
        assert!(run_plain(&conn, &mut group).is_ok());
        answers(group, None);
        assert_eq!(stored(&conn), [1, 3, 5, 8, 10]);
        let outcomes: Vec<_> = replies.into_iter().map(outcome).collect();
        assert_eq!(
            outcomes,
            ["ok", "other", "ok", "conflict", "ok", "panic", "conflict", "ok"]
        );
        let runs: Vec<_> = runs.iter().map(|r| r.load(Ordering::SeqCst)).collect();
        // Before 4's failure: run twice (2 failed the first time and is not run again).
        assert_eq!(runs, [2, 1, 2, 1, 1, 1, 1, 1]);
        assert!(conn.is_autocommit(), "the transaction is committed");
    }

    /// The indexes on `lookup` and `parent` leave out rows without a value; every query by a
    /// value still reads through them rather than scanning the kind. Pruning finds expired
    /// tokens by their expiry, not by reading every token.
    #[test]
    fn lists_by_lookup_and_parent_use_their_indexes() {
        use crate::statements::{self as st, Backend};
        use crate::{Cursor, Filter, ListQuery};
        let conn = Connection::open_in_memory().unwrap();
        super::migrate_in_memory(&conn).unwrap();
        let account = portico_domain::AccountId("acct_plan".into());
        let plan = |sql: Sql| -> String {
            let sql = Sql {
                text: format!("EXPLAIN QUERY PLAN {}", sql.text),
                args: sql.args,
            };
            let mut stmt = prepare(&conn, &sql).unwrap();
            let mut rows = stmt.raw_query();
            let mut details = Vec::new();
            while let Some(row) = rows.next().unwrap() {
                details.push(row.get::<_, String>(3).unwrap());
            }
            details.join("; ")
        };
        let list = |kind: &'static str, filter: Filter| {
            let q = ListQuery {
                kind,
                filters: vec![filter],
                cursor: Cursor::Start,
                limit: 10,
                include_deleted: false,
            };
            st::list(Backend::Sqlite, &account, &q, None)
        };
        let cases = [
            (
                list("event", Filter::Lookup("invoice.paid".into())),
                "objects_lookup",
            ),
            (
                list("customer", Filter::LookupIn(vec!["a@example.com".into()])),
                "objects_lookup",
            ),
            (
                list("subscription", Filter::Parent("cus_1".into())),
                "objects_parent",
            ),
            (
                st::has_children(&account, "invoice", "cus_1"),
                "objects_parent",
            ),
            (st::prune_tokens(100), "tokens_expires_at"),
        ];
        for (sql, index) in cases {
            let text = sql.text.clone();
            let plan = plan(sql);
            assert!(plan.contains(index), "{text}\n→ {plan}");
        }
    }

    /// Upgrading: lookups of portal links stored before their expiry followed the session's use
    /// get a week from the upgrade, so the first pruning cannot take a link still in use; other
    /// tokens keep their expiry.
    #[test]
    fn old_portal_link_lookups_get_a_week() {
        let conn = Connection::open_in_memory().unwrap();
        let migrator = sqlx::migrate!("./migrations/sqlite");
        for m in migrator.iter().filter(|m| m.version < 10) {
            conn.execute_batch(&m.sql).unwrap();
        }
        let upgrade: Vec<_> = migrator.iter().filter(|m| m.version == 10).collect();
        assert_eq!(upgrade.len(), 1, "migration 10 is the one under test");
        conn.execute_batch(
            "INSERT INTO accounts (id, livemode, created) VALUES ('acct_up', 0, 1);
             INSERT INTO tokens (token_hash, account_id, kind, object_id, created, expires_at)
                 VALUES ('a', 'acct_up', 'portal_session', 'bps_1', 1, 301),
                        ('b', 'acct_up', 'setup_intent', 'seti_1', 1, 86401),
                        ('c', 'acct_up', 'portal_login', 'bpc_1', 1, 4611686018427387903);",
        )
        .unwrap();
        conn.execute_batch(&upgrade[0].sql).unwrap();
        let expiry = |hash: &str| -> i64 {
            conn.query_row(
                "SELECT expires_at FROM tokens WHERE token_hash = ?1",
                [hash],
                |r| r.get(0),
            )
            .unwrap()
        };
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs() as i64;
        let week = 7 * 86_400;
        assert!((now + week - 5..=now + week + 5).contains(&expiry("a")));
        assert_eq!(expiry("b"), 86_401);
        assert_eq!(expiry("c"), 4_611_686_018_427_387_903);
    }

    #[test]
    fn a_group_without_failures_runs_each_task_once() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(
            "CREATE TABLE t (v INTEGER PRIMARY KEY); \
             CREATE TABLE changes (n INTEGER NOT NULL); INSERT INTO changes VALUES (0)",
        )
        .unwrap();
        let (mut group, mut replies, mut runs) = (Vec::new(), Vec::new(), Vec::new());
        for v in 1..=3 {
            let (t, a, r) = job(&[v], false, false);
            group.push(t);
            replies.push(a);
            runs.push(r);
        }
        assert!(run_plain(&conn, &mut group).is_ok());
        answers(group, None);
        assert_eq!(stored(&conn), [1, 2, 3]);
        assert!(replies.into_iter().all(|a| outcome(a) == "ok"));
        assert!(runs.iter().all(|r| r.load(Ordering::SeqCst) == 1));
    }

    #[test]
    fn parameter_names_are_numbers() {
        assert!(names("$1", 1));
        assert!(names("$12", 12));
        assert!(!names("$12", 1));
        assert!(!names("$01", 1));
        assert!(!names(":1", 1));
        assert!(!names("$a", 1));
    }

    /// Arguments reach their `$n` whether the text names them in order, out of order, more than
    /// once, beside a JSON path's `$`, or not at all.
    #[test]
    fn arguments_reach_their_numbered_parameters() {
        let conn = rusqlite::Connection::open_in_memory().unwrap();
        let row = |text: &str, args: Vec<Arg>| -> Vec<String> {
            let sql = Sql {
                text: text.into(),
                args,
            };
            let mut stmt = prepare(&conn, &sql).unwrap();
            let mut rows = stmt.raw_query();
            let row = rows.next().unwrap().unwrap();
            (0..row.as_ref().column_count())
                .map(|i| match row.get_ref(i).unwrap() {
                    rusqlite::types::ValueRef::Text(t) => String::from_utf8(t.to_vec()).unwrap(),
                    rusqlite::types::ValueRef::Integer(n) => n.to_string(),
                    other => format!("{other:?}"),
                })
                .collect()
        };
        let t = |s: &str| Arg::Text(s.into());
        assert_eq!(row("SELECT $1, $2", vec![t("a"), t("b")]), ["a", "b"]);
        assert_eq!(row("SELECT $2, $1", vec![t("a"), t("b")]), ["b", "a"]);
        assert_eq!(
            row("SELECT $1, $2, $1", vec![t("a"), Arg::Int(7)]),
            ["a", "7", "a"]
        );
        assert_eq!(
            row("SELECT json_extract('{\"a\": 5}', '$.a'), $1", vec![t("x")]),
            ["5", "x"]
        );
        assert_eq!(row("SELECT $2", vec![t("unused"), t("b")]), ["b"]);
        assert_eq!(
            row("SELECT $1, $3, $2", vec![t("a"), t("b"), t("c")]),
            ["a", "c", "b"]
        );
    }
}

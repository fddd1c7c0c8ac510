//! The SQLite store's read cache: what point reads, unique-key reads, lists and link tokens
//! found, kept with the state of the database they were read at, and answered again without
//! SQLite for as long as that state is the one a reader sees.
//!
//! **Knowing the state.** The one-row table `changes` (migration 0012) counts the transactions
//! that changed `objects` or `tokens`: the writer adds one in each of its own, in any process
//! sharing the file, and so must anything else that changes them. A read transaction reads the
//! count once; the cache holds the count its entries were read at (`at`), and answers only a
//! transaction that sees that same count.
//!
//! **Keeping up with this process's writes.** The writer reads the count at the start of each
//! group's transaction, and once the group is committed removes what the group wrote (each write
//! says what it touches: [`Touched`]; an update hook catches writes to `objects` that said
//! nothing) and moves `at` to the count after it. Its count before must be `at`: otherwise
//! another process wrote in between, and everything is dropped instead.
//!
//! **Other processes.** A reader that sees a count past `at` while this process's writer is not
//! in a transaction knows the difference is another process's (this process's commits are all
//! accounted for): the cache is emptied and starts again at the reader's count. While the writer
//! is in one, the reader cannot tell, and reads the database.
//!
//! A reader whose snapshot is older than `at` reads the database too. An entry is only ever kept
//! by a reader whose count is `at`, checked under the same lock that moves `at`, so an entry
//! read before a commit can never be kept after it.

use crate::statements::{Arg, Sql};
use crate::{Page, Record, TokenRecord};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// The cache's maps hash with aHash, keyed at random per map as the standard library's SipHash
/// is: a list's key is its whole statement, some hundreds of bytes, and SipHash took several
/// thousand instructions to hash one (about 4% of a portal homepage's).
type Map<K, V> = HashMap<K, V, ahash::RandomState>;

/// About how many bytes the cache holds before it empties and starts again.
const BUDGET: usize = 16 << 20;
/// What an entry costs besides its JSON: its key and the record's other columns.
const ENTRY_BYTES: usize = 160;

/// What a write changes that the cache may hold.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Touched {
    /// Only tables the cache does not read (idempotency keys, deliveries, emails, settings).
    Nothing,
    /// These objects and tokens (never empty: see [`Touched::these`]).
    These(Vec<Touch>),
    /// Anything: the cache is emptied.
    Everything,
}

/// An object or a token a write changes.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Touch {
    Object {
        account: String,
        kind: &'static str,
        id: String,
    },
    Token(String),
    /// Any token (pruning expired ones).
    Tokens,
}

impl Touched {
    /// What a write of `touches` touches: nothing when the list is empty.
    pub(crate) fn these(touches: Vec<Touch>) -> Touched {
        if touches.is_empty() {
            Touched::Nothing
        } else {
            Touched::These(touches)
        }
    }

    /// What a group of writes touches together.
    pub(crate) fn add(&mut self, other: &Touched) {
        match (&mut *self, other) {
            (Touched::Everything, _) | (_, Touched::Nothing) => {}
            (_, Touched::Everything) => *self = Touched::Everything,
            (Touched::Nothing, Touched::These(t)) => *self = Touched::These(t.clone()),
            (Touched::These(mine), Touched::These(t)) => mine.extend(t.iter().cloned()),
        }
    }
}

/// How a record is read: by id, or by unique key.
#[derive(Clone, Copy, Debug)]
pub(crate) enum By {
    Id,
    UniqueKey,
}

/// A record as read (`None`: there was none), shared so that a hit copies it outside the lock.
type Found = Arc<Option<Record>>;

/// The reads kept for one kind of object in one account.
#[derive(Default)]
struct Kind {
    by_id: Map<String, Found>,
    by_unique_key: Map<String, Found>,
    /// Lists from their start, by statement.
    lists: Map<Sql, Arc<Page>>,
}

impl Kind {
    fn records(&self, by: By) -> &Map<String, Found> {
        match by {
            By::Id => &self.by_id,
            By::UniqueKey => &self.by_unique_key,
        }
    }

    fn records_mut(&mut self, by: By) -> &mut Map<String, Found> {
        match by {
            By::Id => &mut self.by_id,
            By::UniqueKey => &mut self.by_unique_key,
        }
    }
}

/// The entries, dropped outside the lock when the cache empties.
#[derive(Default)]
struct Entries {
    accounts: Map<String, Map<&'static str, Kind>>,
    tokens: Map<String, Option<TokenRecord>>,
}

#[derive(Default)]
struct State {
    /// The count of changes the entries were read at; `None` until a reader starts it.
    at: Option<i64>,
    /// The writer is inside a transaction that may commit changes not yet accounted for.
    writing: bool,
    /// About how many bytes were kept since the cache last emptied (what writes remove is not
    /// taken off: the estimate errs high, and the cache empties a little early).
    bytes: usize,
    entries: Entries,
    /// Entries the cache let go of, to drop once the lock is released.
    dropped: Option<Entries>,
}

impl State {
    fn clear(&mut self) {
        let old = std::mem::take(&mut self.entries);
        self.dropped.get_or_insert(old);
        self.bytes = 0;
    }

    /// Whether a reader that sees `count` may use the entries (see the module's notes).
    fn current(&mut self, count: i64) -> bool {
        match self.at {
            Some(at) if at == count => true,
            Some(at) if count < at => false,
            _ if self.writing => false,
            _ => {
                self.clear();
                self.at = Some(count);
                true
            }
        }
    }

    fn kind(&mut self, account: &str, kind: &'static str) -> &mut Kind {
        let accounts = &mut self.entries.accounts;
        if !accounts.contains_key(account) {
            accounts.insert(account.to_owned(), Map::default());
        }
        accounts
            .get_mut(account)
            .map(|kinds| kinds.entry(kind).or_default())
            .expect("inserted above")
    }

    fn peek(&self, account: &str, kind: &'static str) -> Option<&Kind> {
        self.entries.accounts.get(account).and_then(|k| k.get(kind))
    }

    /// Counts `bytes` more; past the budget everything goes (the entries are cheap to read
    /// again, and a page's reads come back at once).
    fn grow(&mut self, bytes: usize) {
        self.bytes += bytes;
        if self.bytes > BUDGET {
            self.clear();
        }
    }

    fn forget(&mut self, touch: &Touch) {
        match touch {
            Touch::Object { account, kind, id } => {
                let kinds = self.entries.accounts.get_mut(account);
                if let Some(k) = kinds.and_then(|k| k.get_mut(kind)) {
                    // A write may change the object's unique key and the lists it is in.
                    k.by_id.remove(id);
                    k.by_unique_key.clear();
                    k.lists.clear();
                }
            }
            Touch::Token(hash) => {
                self.entries.tokens.remove(hash);
            }
            Touch::Tokens => self.entries.tokens.clear(),
        }
    }
}

fn record_bytes(key: &str, r: Option<&Record>) -> usize {
    ENTRY_BYTES + key.len() + r.map_or(0, |r| r.id.len() + r.data.len())
}

/// See the module's notes.
#[derive(Default)]
pub(crate) struct ReadCache {
    state: Mutex<State>,
}

impl ReadCache {
    fn with<R>(&self, f: impl FnOnce(&mut State) -> R) -> R {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let r = f(&mut state);
        let dropped = state.dropped.take();
        drop(state);
        drop(dropped);
        r
    }

    /// What `look` finds among the entries, if the cache can answer a read that sees `count`.
    fn read<T>(&self, count: i64, look: impl FnOnce(&State) -> Option<T>) -> Option<T> {
        self.with(|s| if s.current(count) { look(s) } else { None })
    }

    /// Keeps what a read that saw `count` found (`put`, `bytes` of it), unless the count has
    /// moved since.
    fn keep(&self, count: i64, bytes: usize, put: impl FnOnce(&mut State)) {
        self.with(|s| {
            if s.at == Some(count) {
                put(s);
                s.grow(bytes);
            }
        })
    }

    /// The object of `kind` with this id or unique key as found at `count`: `Some(None)` if
    /// there was none, `None` if the cache cannot say.
    pub(crate) fn record(
        &self,
        count: i64,
        account: &str,
        kind: &'static str,
        by: By,
        key: &str,
    ) -> Option<Option<Record>> {
        let found = self.read(count, |s| {
            s.peek(account, kind)?.records(by).get(key).cloned()
        })?;
        Some(Option::clone(&found))
    }

    pub(crate) fn keep_record(
        &self,
        count: i64,
        account: &str,
        kind: &'static str,
        by: By,
        key: &str,
        found: &Option<Record>,
    ) {
        let (entry, bytes) = (Arc::new(found.clone()), record_bytes(key, found.as_ref()));
        self.keep(count, bytes, |s| {
            s.kind(account, kind)
                .records_mut(by)
                .insert(key.to_owned(), entry);
        })
    }

    /// The page the list statement `sql` (of objects of `kind`) read at `count`.
    pub(crate) fn list(
        &self,
        count: i64,
        account: &str,
        kind: &'static str,
        sql: &Sql,
    ) -> Option<Page> {
        let page = self.read(count, |s| s.peek(account, kind)?.lists.get(sql).cloned())?;
        Some(Page::clone(&page))
    }

    pub(crate) fn keep_list(
        &self,
        count: i64,
        account: &str,
        kind: &'static str,
        sql: &Sql,
        page: &Page,
    ) {
        let key_bytes = sql.text.len()
            + sql
                .args
                .iter()
                .map(|a| match a {
                    Arg::Text(t) | Arg::OptText(Some(t)) => t.len(),
                    _ => 8,
                })
                .sum::<usize>();
        let bytes = ENTRY_BYTES
            + key_bytes
            + page
                .records
                .iter()
                .map(|r| record_bytes("", Some(r)))
                .sum::<usize>();
        let (key, entry) = (sql.clone(), Arc::new(page.clone()));
        self.keep(count, bytes, |s| {
            s.kind(account, kind).lists.insert(key, entry);
        })
    }

    /// The token with this hash as found at `count`.
    pub(crate) fn token(&self, count: i64, hash: &str) -> Option<Option<TokenRecord>> {
        self.read(count, |s| s.entries.tokens.get(hash).cloned())
    }

    pub(crate) fn keep_token(&self, count: i64, hash: &str, found: &Option<TokenRecord>) {
        let bytes = ENTRY_BYTES + 2 * hash.len();
        self.keep(count, bytes, |s| {
            s.entries.tokens.insert(hash.to_owned(), found.clone());
        })
    }

    /// The writer is starting a transaction: until it says how it ended, a count past `at` may
    /// be its own.
    pub(crate) fn writing(&self) {
        self.with(|s| s.writing = true)
    }

    /// The writer committed a transaction that found the count at `before` and left it at
    /// `after`, having changed what `touched` says.
    pub(crate) fn committed(&self, before: i64, after: i64, touched: &Touched) {
        self.with(|s| {
            s.writing = false;
            match touched {
                _ if s.at != Some(before) => s.clear(),
                Touched::Everything => s.clear(),
                // Writes that said they touch nothing cached, yet changed the count: do not
                // trust what they said.
                Touched::Nothing if after != before => s.clear(),
                Touched::Nothing => {}
                Touched::These(touches) => touches.iter().for_each(|t| s.forget(t)),
            }
            s.at = Some(after);
        })
    }

    /// The writer's transaction ended without a commit (or its outcome is unknown): nothing is
    /// trusted.
    pub(crate) fn undone(&self) {
        self.with(|s| {
            s.writing = false;
            s.clear();
            s.at = None;
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(id: &str, data: &str) -> Option<Record> {
        Some(Record::first("customer", id, 1, data))
    }

    /// A customer of `acct_1` by id, as [`ReadCache::record`] finds it at `count`.
    fn get(c: &ReadCache, count: i64, id: &str) -> Option<Option<Record>> {
        c.record(count, "acct_1", "customer", By::Id, id)
    }

    /// [`ReadCache::keep_record`] for a customer of `acct_1` by id.
    fn keep(c: &ReadCache, count: i64, id: &str, found: &Option<Record>) {
        c.keep_record(count, "acct_1", "customer", By::Id, id, found)
    }

    fn object_touch(id: &str) -> Touched {
        Touched::These(vec![Touch::Object {
            account: "acct_1".into(),
            kind: "customer",
            id: id.into(),
        }])
    }

    #[test]
    fn an_entry_answers_only_readers_at_its_count() {
        let c = ReadCache::default();
        assert_eq!(get(&c, 5, "cus_1"), None);
        keep(&c, 5, "cus_1", &record("cus_1", "a"));
        assert_eq!(get(&c, 5, "cus_1"), Some(record("cus_1", "a")));
        // An older snapshot reads the database, and keeps nothing.
        assert_eq!(get(&c, 4, "cus_1"), None);
        keep(&c, 4, "cus_2", &record("cus_2", "old"));
        assert_eq!(get(&c, 5, "cus_2"), None);
        // Other accounts and kinds are apart.
        assert_eq!(c.record(5, "acct_2", "customer", By::Id, "cus_1"), None);
        assert_eq!(c.record(5, "acct_1", "price", By::Id, "cus_1"), None);
    }

    #[test]
    fn a_newer_count_while_the_writer_is_idle_is_another_process_and_empties_the_cache() {
        let c = ReadCache::default();
        keep(&c, 5, "cus_1", &None);
        get(&c, 5, "cus_1");
        keep(&c, 5, "cus_1", &None);
        assert_eq!(get(&c, 5, "cus_1"), Some(None));
        assert_eq!(get(&c, 7, "cus_1"), None);
        // Started again at 7: what 5 saw is gone.
        assert_eq!(get(&c, 5, "cus_1"), None);
        keep(&c, 7, "cus_1", &record("cus_1", "b"));
        assert_eq!(get(&c, 7, "cus_1"), Some(record("cus_1", "b")));
    }

    #[test]
    fn while_the_writer_writes_a_newer_count_reads_the_database() {
        let c = ReadCache::default();
        get(&c, 5, "cus_1");
        keep(&c, 5, "cus_1", &record("cus_1", "a"));
        keep(&c, 5, "cus_2", &record("cus_2", "a"));
        c.writing();
        // Committed, not yet accounted for: the reader at 6 cannot use the cache, nor keep.
        assert_eq!(get(&c, 6, "cus_2"), None);
        keep(&c, 6, "cus_2", &record("cus_2", "x"));
        c.committed(5, 6, &object_touch("cus_1"));
        // The write's object is gone, the others carry on at 6.
        assert_eq!(get(&c, 6, "cus_1"), None);
        assert_eq!(get(&c, 6, "cus_2"), Some(record("cus_2", "a")));
        // A snapshot from before the commit no longer reads from the cache.
        assert_eq!(get(&c, 5, "cus_2"), None);
    }

    #[test]
    fn a_commit_after_another_processes_empties_the_cache() {
        let c = ReadCache::default();
        get(&c, 5, "cus_1");
        keep(&c, 5, "cus_2", &record("cus_2", "a"));
        c.writing();
        // Another process committed 6; this writer's transaction went from 6 to 7.
        c.committed(6, 7, &object_touch("cus_1"));
        assert_eq!(get(&c, 7, "cus_2"), None);
    }

    #[test]
    fn writes_drop_the_unique_key_reads_and_lists_of_their_kind() {
        let c = ReadCache::default();
        let sql = Sql::new("SELECT 1", vec![]);
        get(&c, 1, "x");
        c.keep_record(
            1,
            "acct_1",
            "customer",
            By::UniqueKey,
            "k",
            &record("cus_1", "a"),
        );
        c.keep_list(
            1,
            "acct_1",
            "customer",
            &sql,
            &Page {
                records: vec![],
                has_more: false,
            },
        );
        c.keep_list(
            1,
            "acct_1",
            "price",
            &sql,
            &Page {
                records: vec![],
                has_more: true,
            },
        );
        c.writing();
        c.committed(1, 2, &object_touch("cus_9"));
        assert_eq!(c.record(2, "acct_1", "customer", By::UniqueKey, "k"), None);
        assert!(c.list(2, "acct_1", "customer", &sql).is_none());
        assert!(c
            .list(2, "acct_1", "price", &sql)
            .is_some_and(|p| p.has_more));
    }

    #[test]
    fn writes_that_claim_to_touch_nothing_but_changed_the_count_empty_the_cache() {
        let c = ReadCache::default();
        get(&c, 1, "x");
        keep(&c, 1, "cus_1", &record("cus_1", "a"));
        c.writing();
        c.committed(1, 1, &Touched::Nothing);
        assert!(get(&c, 1, "cus_1").is_some());
        c.writing();
        c.committed(1, 3, &Touched::Nothing);
        assert_eq!(get(&c, 3, "cus_1"), None);
    }

    #[test]
    fn tokens_are_forgotten_by_hash_and_everything_on_a_failed_transaction() {
        let c = ReadCache::default();
        let token = TokenRecord {
            token_hash: "h1".into(),
            account: portico_domain::AccountId("acct_1".into()),
            kind: "portal_session".into(),
            object_id: "bps_1".into(),
            created: 1,
            expires_at: 2,
        };
        c.token(1, "h1");
        c.keep_token(1, "h1", &Some(token.clone()));
        c.keep_token(1, "h2", &Some(token.clone()));
        c.writing();
        c.committed(1, 2, &Touched::These(vec![Touch::Token("h1".into())]));
        assert_eq!(c.token(2, "h1"), None);
        assert_eq!(c.token(2, "h2"), Some(Some(token)));
        c.writing();
        c.undone();
        assert_eq!(c.token(2, "h2"), None);
    }

    #[test]
    fn past_the_budget_the_cache_starts_again() {
        let c = ReadCache::default();
        let big = "x".repeat(1 << 20);
        get(&c, 1, "x");
        for i in 0..40 {
            keep(&c, 1, &format!("cus_{i}"), &record("c", &big));
        }
        let kept = (0..40)
            .filter(|i| get(&c, 1, &format!("cus_{i}")).is_some())
            .count();
        assert!(kept < 32, "{kept} entries of 1 MiB kept");
    }

    #[test]
    fn pruning_forgets_every_token_and_an_empty_write_touches_nothing() {
        let c = ReadCache::default();
        c.token(1, "h1");
        c.keep_token(1, "h1", &None);
        keep(&c, 1, "cus_1", &None);
        c.writing();
        c.committed(1, 2, &Touched::These(vec![Touch::Tokens]));
        assert_eq!(c.token(2, "h1"), None);
        assert_eq!(get(&c, 2, "cus_1"), Some(None));
        assert_eq!(Touched::these(vec![]), Touched::Nothing);
    }

    #[test]
    fn touched_adds_up() {
        let mut t = Touched::Nothing;
        t.add(&object_touch("a"));
        t.add(&Touched::Nothing);
        t.add(&object_touch("b"));
        assert!(matches!(&t, Touched::These(v) if v.len() == 2));
        t.add(&Touched::Everything);
        t.add(&object_touch("c"));
        assert_eq!(t, Touched::Everything);
    }
}

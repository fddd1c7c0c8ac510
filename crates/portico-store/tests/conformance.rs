//! The store conformance suite: the same stories run against SQLite and PostgreSQL.
//!
//! PostgreSQL runs when `PORTICO_TEST_POSTGRES_URL` is set (the test script starts a throwaway
//! server and sets it); with `PORTICO_REQUIRE_POSTGRES=1` a missing URL is a failure.

use portico_domain::coupon::{Coupon, CouponCreate};
use portico_domain::customer::{Customer, CustomerParams};
use portico_domain::id::RandomIds;
use portico_domain::price::{Interval, Price, PriceCreate, Recurring};
use portico_domain::product::{Product, ProductParams};
use portico_domain::{AccountId, Ctx, Currency, Patch};
use portico_store::{
    get, Attempt, ClaimLimits, Cmp, Cursor, DeliveryQuery, DeliveryState, EmailQuery, EmailStatus,
    Filter, Finished, HeldKey, IdempotencyClaim, ListQuery, NewDelivery, NewEmail, Next, Page,
    Read, Record, Store, StoreError, TokenRecord, Versioned, Write,
};
use std::sync::Arc;

async fn sqlite() -> (Arc<dyn Store>, tempdir::Dir) {
    let dir = tempdir::Dir::new();
    let url = format!("sqlite://{}/portico.db", dir.0.display());
    (portico_store::open(&url).await.expect("open sqlite"), dir)
}

async fn postgres() -> Option<Arc<dyn Store>> {
    match std::env::var("PORTICO_TEST_POSTGRES_URL") {
        Ok(url) if !url.is_empty() => Some(portico_store::open(&url).await.expect("open postgres")),
        _ => {
            assert!(
                std::env::var("PORTICO_REQUIRE_POSTGRES").as_deref() != Ok("1"),
                "PORTICO_REQUIRE_POSTGRES=1 but PORTICO_TEST_POSTGRES_URL is not set"
            );
            eprintln!("PORTICO_TEST_POSTGRES_URL not set: skipping the PostgreSQL half");
            None
        }
    }
}

mod tempdir {
    /// A directory removed when dropped.
    pub struct Dir(pub std::path::PathBuf);
    impl Dir {
        pub fn new() -> Dir {
            let p =
                std::env::temp_dir().join(format!("portico-store-test-{}", rand::random::<u64>()));
            std::fs::create_dir_all(&p).unwrap();
            Dir(p)
        }
    }
    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

/// A fresh account, so stories sharing one PostgreSQL database never see each other.
async fn account(store: &dyn Store) -> AccountId {
    let id = AccountId(format!("acct_test{}", rand::random::<u64>()));
    store.ensure_account(&id, false, 1).await.unwrap();
    store.ensure_account(&id, false, 1).await.unwrap(); // idempotent
    id
}

fn customer(now: i64, email: &str) -> Customer {
    let mut ids = RandomIds;
    let mut ctx = Ctx {
        now,
        livemode: false,
        ids: &mut ids,
    };
    Customer::create(
        CustomerParams {
            email: Patch::Set(email.into()),
            ..Default::default()
        },
        &mut ctx,
    )
    .unwrap()
}

fn query(kind: &'static str, limit: usize) -> ListQuery {
    ListQuery {
        kind,
        filters: vec![],
        cursor: Cursor::Start,
        limit,
        include_deleted: false,
    }
}

async fn insert_update_and_conflict(store: Arc<dyn Store>) {
    let acct = account(&*store).await;
    let c = customer(100, "a@example.com");
    store
        .commit(&acct, vec![Write::Insert(Versioned::new_record(&c))])
        .await
        .unwrap();
    let mut v = get::<Customer>(&*store, &acct, c.id.as_str())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(v.value, c);
    assert_eq!(v.version, 1);

    v.value.name = Some("Ada".into());
    store
        .commit(&acct, vec![Write::Update(v.next_record())])
        .await
        .unwrap();
    // A second writer holding the old version loses.
    let stale = v.clone();
    let err = store
        .commit(&acct, vec![Write::Update(stale.next_record())])
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Conflict));
    let now = get::<Customer>(&*store, &acct, c.id.as_str())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(now.version, 2);
    assert_eq!(now.value.name.as_deref(), Some("Ada"));
}

async fn commit_is_all_or_nothing(store: Arc<dyn Store>) {
    let acct = account(&*store).await;
    let a = customer(100, "a@example.com");
    let b = customer(100, "b@example.com");
    store
        .commit(&acct, vec![Write::Insert(Versioned::new_record(&a))])
        .await
        .unwrap();
    // b's insert comes first, then a duplicate of a: neither may land.
    let err = store
        .commit(
            &acct,
            vec![
                Write::Insert(Versioned::new_record(&b)),
                Write::Insert(Versioned::new_record(&a)),
            ],
        )
        .await
        .unwrap_err();
    assert!(
        matches!(err, StoreError::Duplicate { what: "id" }),
        "{err:?}"
    );
    assert!(get::<Customer>(&*store, &acct, b.id.as_str())
        .await
        .unwrap()
        .is_none());
}

/// Many commits at once (on SQLite they share transactions: group commit), every third one
/// failing half-way: each failure undoes only its own writes, every success lands whole.
async fn concurrent_commits_fail_alone(store: Arc<dyn Store>) {
    let acct = account(&*store).await;
    let taken = customer(100, "taken@example.com");
    store
        .commit(&acct, vec![Write::Insert(Versioned::new_record(&taken))])
        .await
        .unwrap();
    let mut tasks = Vec::new();
    for i in 0..120 {
        let (store, acct, taken) = (store.clone(), acct.clone(), taken.clone());
        tasks.push(tokio::spawn(async move {
            let mine = customer(200 + i, &format!("c{i}@example.com"));
            let mut writes = vec![Write::Insert(Versioned::new_record(&mine))];
            if i % 3 == 0 {
                // A duplicate after the insert: the commit must fail and take the insert along.
                writes.push(Write::Insert(Versioned::new_record(&taken)));
            }
            (
                i,
                mine.id.as_str().to_owned(),
                store.commit(&acct, writes).await,
            )
        }));
    }
    for t in tasks {
        let (i, id, result) = t.await.unwrap();
        let stored = get::<Customer>(&*store, &acct, &id).await.unwrap();
        if i % 3 == 0 {
            assert!(
                matches!(result, Err(StoreError::Duplicate { what: "id" })),
                "{i}: {result:?}"
            );
            assert!(stored.is_none(), "{i}: a failed commit left its insert");
        } else {
            result.unwrap_or_else(|e| panic!("{i}: {e:?}"));
            assert!(stored.is_some(), "{i}: a successful commit is missing");
        }
    }
    let page = store.list(&acct, &query("customer", 100)).await.unwrap();
    assert_eq!(
        page.records.len(),
        81,
        "80 successes and the first customer"
    );
}

async fn accounts_are_listed_oldest_or_newest_first(store: Arc<dyn Store>) {
    let older = AccountId(format!("acct_{}", rand::random::<u64>()));
    let newer = AccountId(format!("acct_{}", rand::random::<u64>()));
    store
        .ensure_account(&newer, true, 2_000_000_001)
        .await
        .unwrap();
    store
        .ensure_account(&older, false, 2_000_000_000)
        .await
        .unwrap();
    let all = store.accounts(1_000_000, false).await.unwrap();
    let pos = |id: &AccountId| all.iter().position(|a| &a.id == id).expect("listed");
    assert!(pos(&older) < pos(&newer));
    let o = &all[pos(&older)];
    assert_eq!((o.livemode, o.created), (false, 2_000_000_000));
    assert!(all[pos(&newer)].livemode);
    assert!(store.accounts(1, false).await.unwrap().len() == 1);
    // Newest first, the same accounts the other way round.
    let newest = store.accounts(1_000_000, true).await.unwrap();
    let npos = |id: &AccountId| newest.iter().position(|a| &a.id == id).expect("listed");
    assert!(npos(&newer) < npos(&older));
    assert_eq!(newest.len(), all.len());
}

async fn accounts_are_isolated(store: Arc<dyn Store>) {
    let one = account(&*store).await;
    let two = account(&*store).await;
    let c = customer(100, "a@example.com");
    store
        .commit(&one, vec![Write::Insert(Versioned::new_record(&c))])
        .await
        .unwrap();
    assert!(get::<Customer>(&*store, &two, c.id.as_str())
        .await
        .unwrap()
        .is_none());
    assert_eq!(
        store
            .list(&two, &query("customer", 10))
            .await
            .unwrap()
            .records
            .len(),
        0
    );
    assert_eq!(
        store
            .list(&one, &query("customer", 10))
            .await
            .unwrap()
            .records
            .len(),
        1
    );
    // Same caller-chosen id in two accounts is fine.
    let mut ids = RandomIds;
    let mut ctx = Ctx {
        now: 1,
        livemode: false,
        ids: &mut ids,
    };
    let p = Product::create(
        ProductParams {
            name: Some("x".into()),
            id: Some("basic".into()),
            ..Default::default()
        },
        &mut ctx,
    )
    .unwrap();
    store
        .commit(&one, vec![Write::Insert(Versioned::new_record(&p))])
        .await
        .unwrap();
    store
        .commit(&two, vec![Write::Insert(Versioned::new_record(&p))])
        .await
        .unwrap();
    // Ids are unique per kind: a coupon may share a product's caller-chosen id.
    let coupon = Coupon::create(
        CouponCreate {
            id: Some("basic".into()),
            percent_off: Some(5.0),
            ..Default::default()
        },
        &mut ctx,
    )
    .unwrap();
    store
        .commit(&one, vec![Write::Insert(Versioned::new_record(&coupon))])
        .await
        .unwrap();
    assert!(get::<Product>(&*store, &one, "basic")
        .await
        .unwrap()
        .is_some());
    assert!(get::<Coupon>(&*store, &one, "basic")
        .await
        .unwrap()
        .is_some());
    let dup = store
        .commit(&one, vec![Write::Insert(Versioned::new_record(&coupon))])
        .await
        .unwrap_err();
    assert!(matches!(dup, StoreError::Duplicate { what: "id" }));
}

async fn pagination_is_newest_first(store: Arc<dyn Store>) {
    let acct = account(&*store).await;
    // Two share a timestamp: insertion order breaks the tie.
    let cs: Vec<Customer> = [10, 20, 20, 30, 40]
        .iter()
        .enumerate()
        .map(|(i, t)| customer(*t, &format!("c{i}@x.io")))
        .collect();
    for c in &cs {
        store
            .commit(&acct, vec![Write::Insert(Versioned::new_record(c))])
            .await
            .unwrap();
    }
    let ids = |p: &portico_store::Page| p.records.iter().map(|r| r.id.clone()).collect::<Vec<_>>();
    let want: Vec<String> = cs.iter().rev().map(|c| c.id.to_string()).collect();

    let p1 = store.list(&acct, &query("customer", 2)).await.unwrap();
    assert_eq!(ids(&p1), want[0..2]);
    assert!(p1.has_more);
    let mut q = query("customer", 2);
    q.cursor = Cursor::After(want[1].clone());
    let p2 = store.list(&acct, &q).await.unwrap();
    assert_eq!(ids(&p2), want[2..4]);
    assert!(p2.has_more);
    q.cursor = Cursor::After(want[3].clone());
    let p3 = store.list(&acct, &q).await.unwrap();
    assert_eq!(ids(&p3), want[4..5]);
    assert!(!p3.has_more);
    // Backwards from the last one.
    q.cursor = Cursor::Before(want[4].clone());
    let back = store.list(&acct, &q).await.unwrap();
    assert_eq!(ids(&back), want[2..4]);
    assert!(back.has_more);
    q.cursor = Cursor::After("cus_missing".into());
    assert!(matches!(
        store.list(&acct, &q).await.unwrap_err(),
        StoreError::CursorNotFound
    ));
    // Created filters.
    let mut q = query("customer", 10);
    q.filters = vec![Filter::CreatedGte(20), Filter::CreatedLt(40)];
    assert_eq!(store.list(&acct, &q).await.unwrap().records.len(), 3);
    q.filters = vec![Filter::Lookup("c3@x.io".into())];
    assert_eq!(
        ids(&store.list(&acct, &q).await.unwrap()),
        vec![cs[3].id.to_string()]
    );
    q.filters = vec![Filter::IdIn(vec![
        cs[0].id.to_string(),
        cs[4].id.to_string(),
    ])];
    assert_eq!(store.list(&acct, &q).await.unwrap().records.len(), 2);
}

async fn deleted_objects_are_hidden_from_lists(store: Arc<dyn Store>) {
    let acct = account(&*store).await;
    let c = customer(1, "a@x.io");
    store
        .commit(&acct, vec![Write::Insert(Versioned::new_record(&c))])
        .await
        .unwrap();
    let mut v = get::<Customer>(&*store, &acct, c.id.as_str())
        .await
        .unwrap()
        .unwrap();
    v.value.delete();
    store
        .commit(&acct, vec![Write::Update(v.next_record())])
        .await
        .unwrap();
    assert_eq!(
        store
            .list(&acct, &query("customer", 10))
            .await
            .unwrap()
            .records
            .len(),
        0
    );
    let back = get::<Customer>(&*store, &acct, c.id.as_str())
        .await
        .unwrap()
        .unwrap();
    assert!(back.value.deleted);
}

async fn unique_keys_and_json_filters(store: Arc<dyn Store>) {
    let acct = account(&*store).await;
    let mut ids = RandomIds;
    let mut ctx = Ctx {
        now: 1,
        livemode: false,
        ids: &mut ids,
    };
    let prod = Product::create(
        ProductParams {
            name: Some("P".into()),
            shippable: Some(true),
            ..Default::default()
        },
        &mut ctx,
    )
    .unwrap();
    let mk = |ctx: &mut Ctx<'_>, key: Option<&str>, cur: &str, rec: bool| {
        Price::create(
            PriceCreate {
                currency: Currency::parse(cur),
                unit_amount: Some(100),
                lookup_key: key.map(str::to_owned),
                recurring: rec.then_some(Recurring {
                    interval: Interval::Month,
                    interval_count: 1,
                }),
                ..Default::default()
            },
            &prod,
            ctx,
        )
        .unwrap()
    };
    let a = mk(&mut ctx, Some("std"), "usd", true);
    let b = mk(&mut ctx, Some("std"), "eur", false);
    let c = mk(&mut ctx, None, "eur", true);
    store
        .commit(
            &acct,
            vec![
                Write::Insert(Versioned::new_record(&prod)),
                Write::Insert(Versioned::new_record(&a)),
                Write::Insert(Versioned::new_record(&c)),
            ],
        )
        .await
        .unwrap();
    let err = store
        .commit(&acct, vec![Write::Insert(Versioned::new_record(&b))])
        .await
        .unwrap_err();
    assert!(
        matches!(err, StoreError::Duplicate { what: "unique_key" }),
        "{err:?}"
    );
    let holder = store
        .get_by_unique_key(&acct, "price", "std")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(holder.id, a.id.as_str());
    assert!(store
        .has_children(&acct, "price", prod.id.as_str())
        .await
        .unwrap());
    assert!(!store
        .has_children(&acct, "price", "prod_other")
        .await
        .unwrap());

    let mut q = query("price", 10);
    q.filters = vec![Filter::Field("currency", "eur".into())];
    assert_eq!(store.list(&acct, &q).await.unwrap().records.len(), 1);
    q.filters = vec![
        Filter::Field("recurring.interval", "month".into()),
        Filter::Parent(prod.id.to_string()),
    ];
    assert_eq!(store.list(&acct, &q).await.unwrap().records.len(), 2);
    let mut q = query("product", 10);
    q.filters = vec![
        Filter::Field("shippable", "true".into()),
        Filter::Status("active".into()),
    ];
    assert_eq!(store.list(&acct, &q).await.unwrap().records.len(), 1);
    q.filters = vec![Filter::Field("shippable", "false".into())];
    assert_eq!(store.list(&acct, &q).await.unwrap().records.len(), 0);
    // Numeric comparisons on the stored JSON; a row without the field never matches.
    let mut q = query("price", 10);
    let count = |q: &ListQuery| {
        let (store, acct, q) = (store.clone(), acct.clone(), q.clone());
        async move { store.list(&acct, &q).await.unwrap().records.len() }
    };
    q.filters = vec![Filter::FieldCmp("unit_amount", Cmp::Gte, 100)];
    assert_eq!(count(&q).await, 2);
    q.filters = vec![Filter::FieldCmp("unit_amount", Cmp::Gt, 100)];
    assert_eq!(count(&q).await, 0);
    q.filters = vec![
        Filter::FieldCmp("unit_amount", Cmp::Lte, 100),
        Filter::FieldCmp("unit_amount", Cmp::Lt, 101),
    ];
    assert_eq!(count(&q).await, 2);
    q.filters = vec![Filter::FieldCmp("recurring.interval_count", Cmp::Lt, 2)];
    assert_eq!(count(&q).await, 2);
    q.filters = vec![Filter::FieldCmp("recurring.interval_count", Cmp::Gt, 1)];
    assert_eq!(count(&q).await, 0);
    q.filters = vec![Filter::FieldCmp(
        "transform_quantity.divide_by",
        Cmp::Gte,
        0,
    )];
    assert_eq!(count(&q).await, 0, "no price has the field");
}

/// The key `key` as a request that claimed it at `at` holds it.
fn held(key: &str, at: i64) -> HeldKey {
    HeldKey {
        key: key.to_owned(),
        claimed_at: at,
    }
}

async fn idempotency_keys(store: Arc<dyn Store>) {
    let acct = account(&*store).await;
    assert_eq!(
        store
            .idempotency_claim(&acct, "k1", "fp", 1000)
            .await
            .unwrap(),
        IdempotencyClaim::Started
    );
    assert_eq!(
        store
            .idempotency_claim(&acct, "k1", "fp", 1001)
            .await
            .unwrap(),
        IdempotencyClaim::InProgress
    );
    assert_eq!(
        store
            .idempotency_claim(&acct, "k1", "other", 1001)
            .await
            .unwrap(),
        IdempotencyClaim::Mismatch {
            stored: "fp".into()
        }
    );
    store
        .idempotency_finish(&acct, &held("k1", 1000), 200, "{}")
        .await
        .unwrap();
    assert_eq!(
        store
            .idempotency_claim(&acct, "k1", "fp", 1002)
            .await
            .unwrap(),
        IdempotencyClaim::Replay {
            status: 200,
            body: "{}".into()
        }
    );
    // A released key can be claimed again.
    assert_eq!(
        store
            .idempotency_claim(&acct, "k2", "fp", 1000)
            .await
            .unwrap(),
        IdempotencyClaim::Started
    );
    assert!(store
        .idempotency_release(&acct, &held("k2", 1000))
        .await
        .unwrap());
    assert_eq!(
        store
            .idempotency_claim(&acct, "k2", "fp2", 1000)
            .await
            .unwrap(),
        IdempotencyClaim::Started
    );
    // A running claim abandoned by a dead process is taken over after a while.
    assert_eq!(
        store
            .idempotency_claim(&acct, "k2", "fp2", 1000 + 61)
            .await
            .unwrap(),
        IdempotencyClaim::Started
    );
    // The request that held it before, only slow rather than dead, can then neither commit a
    // change under it nor release or finish it: the key is the new request's.
    let stale = held("k2", 1000);
    assert!(matches!(
        store
            .commit(&acct, vec![Write::IdempotencyCommitted(stale.clone())])
            .await,
        Err(StoreError::KeyTaken)
    ));
    assert!(!store.idempotency_release(&acct, &stale).await.unwrap());
    store
        .idempotency_finish(&acct, &stale, 200, "{\"stale\":true}")
        .await
        .unwrap();
    assert_eq!(
        store
            .idempotency_claim(&acct, "k2", "fp2", 1000 + 62)
            .await
            .unwrap(),
        IdempotencyClaim::InProgress,
        "still the new request's, running"
    );
    store
        .commit(
            &acct,
            vec![Write::IdempotencyCommitted(held("k2", 1000 + 61))],
        )
        .await
        .unwrap();
    // But not one whose request had committed its change: it must never run twice.
    assert_eq!(
        store
            .idempotency_claim(&acct, "k3", "fp3", 1000)
            .await
            .unwrap(),
        IdempotencyClaim::Started
    );
    store
        .commit(&acct, vec![Write::IdempotencyCommitted(held("k3", 1000))])
        .await
        .unwrap();
    // Its request failing afterwards (a second commit, or the first one's answer lost) does
    // not free the key: a retry must not make the change again.
    assert!(!store
        .idempotency_release(&acct, &held("k3", 1000))
        .await
        .unwrap());
    assert_eq!(
        store
            .idempotency_claim(&acct, "k3", "fp3", 1001)
            .await
            .unwrap(),
        IdempotencyClaim::InProgress
    );
    assert_eq!(
        store
            .idempotency_claim(&acct, "k3", "fp3", 1000 + 61)
            .await
            .unwrap(),
        IdempotencyClaim::Lost
    );
    // A request that committed, then answered with an error of its own (not the server's),
    // has that answer saved in place of the release: its retries replay it.
    assert_eq!(
        store
            .idempotency_claim(&acct, "k4", "fp4", 1000)
            .await
            .unwrap(),
        IdempotencyClaim::Started
    );
    store
        .commit(&acct, vec![Write::IdempotencyCommitted(held("k4", 1000))])
        .await
        .unwrap();
    assert!(!store
        .idempotency_release(&acct, &held("k4", 1000))
        .await
        .unwrap());
    store
        .idempotency_finish(&acct, &held("k4", 1000), 400, "{\"error\":{}}")
        .await
        .unwrap();
    assert_eq!(
        store
            .idempotency_claim(&acct, "k4", "fp4", 1001)
            .await
            .unwrap(),
        IdempotencyClaim::Replay {
            status: 400,
            body: "{\"error\":{}}".into()
        }
    );
    // After 24 hours a key is forgotten.
    assert_eq!(
        store
            .idempotency_claim(&acct, "k1", "new", 1000 + 86_401)
            .await
            .unwrap(),
        IdempotencyClaim::Started
    );
    // Keys are per account.
    let other = account(&*store).await;
    assert_eq!(
        store
            .idempotency_claim(&other, "k2", "x", 1000)
            .await
            .unwrap(),
        IdempotencyClaim::Started
    );
    // Pruning is global: only keys older than this story's own are forgotten.
    assert!(store.idempotency_prune(1001).await.unwrap() >= 1);
}

async fn concurrent_claims_let_one_through(store: Arc<dyn Store>) {
    let acct = account(&*store).await;
    let mut tasks = Vec::new();
    for _ in 0..16 {
        let store = store.clone();
        let acct = acct.clone();
        tasks.push(tokio::spawn(async move {
            store
                .idempotency_claim(&acct, "race", "fp", 4_000_000_000)
                .await
                .unwrap()
        }));
    }
    let mut started = 0;
    for t in tasks {
        if t.await.unwrap() == IdempotencyClaim::Started {
            started += 1;
        }
    }
    assert_eq!(started, 1);
}

async fn tokens_and_secrets(store: Arc<dyn Store>) {
    let acct = account(&*store).await;
    let hash = format!("h{}", rand::random::<u64>());
    let token = TokenRecord {
        token_hash: hash.clone(),
        account: acct.clone(),
        kind: "setup_intent".into(),
        object_id: "seti_1".into(),
        created: 1,
        expires_at: 100,
    };
    store
        .commit(&acct, vec![Write::Token(token.clone())])
        .await
        .unwrap();
    assert_eq!(store.find_token(&hash).await.unwrap(), Some(token.clone()));
    assert_eq!(store.find_token("nope").await.unwrap(), None);
    let dup = store
        .commit(&acct, vec![Write::Token(token)])
        .await
        .unwrap_err();
    assert!(matches!(dup, StoreError::Duplicate { .. }));
    store
        .commit(&acct, vec![Write::ConsumeToken(hash.clone())])
        .await
        .unwrap();
    assert_eq!(store.find_token(&hash).await.unwrap(), None);
    // A token consumed already cannot be consumed again, and the commit writes nothing.
    let again = store
        .commit(
            &acct,
            vec![
                Write::Insert(Versioned::new_record(&customer(1, "late@example.com"))),
                Write::ConsumeToken(hash.clone()),
            ],
        )
        .await
        .unwrap_err();
    assert!(matches!(again, StoreError::Conflict));
    assert!(store
        .list(&acct, &query("customer", 10))
        .await
        .unwrap()
        .records
        .is_empty());
    store
        .commit(&acct, vec![Write::DeleteToken(hash.clone())])
        .await
        .unwrap();

    let name = format!("secret-{}", rand::random::<u64>());
    let a = store.secret(&name).await.unwrap();
    assert_eq!(a.len(), 64);
    assert_eq!(store.secret(&name).await.unwrap(), a, "stable once created");
    assert_ne!(store.secret(&format!("{name}-other")).await.unwrap(), a);
}

/// Expired tokens are forgotten in batches, only those that expired before the horizon; a
/// token in use is kept by moving its expiry later, never earlier.
async fn tokens_expire_and_are_pruned(store: Arc<dyn Store>) {
    let acct = account(&*store).await;
    // Far in the past and random, so that stories sharing a PostgreSQL database (or earlier
    // runs on it) have no tokens in this range.
    let base = -(1_000_000_000_000 + (rand::random::<u32>() as i64) * 10_000);
    let hash = |i: i64| format!("prune-{base}-{i}");
    let n = 2_500;
    let tokens: Vec<Write> = (0..n)
        .map(|i| {
            Write::Token(TokenRecord {
                token_hash: hash(i),
                account: acct.clone(),
                kind: "portal_session".into(),
                object_id: format!("bps_{i}"),
                created: base + i - 300,
                expires_at: base + i,
            })
        })
        .collect();
    store.commit(&acct, tokens).await.unwrap();
    let expiry = |h: String| {
        let store = store.clone();
        async move { store.find_token(&h).await.unwrap().map(|t| t.expires_at) }
    };

    // In use: moved later, never earlier; a lookup that is gone stays gone.
    let extend = |i: i64, until: i64| Write::ExtendToken {
        token_hash: hash(i),
        expires_at: until,
    };
    store
        .commit(&acct, vec![extend(10, base + 5_000)])
        .await
        .unwrap();
    store
        .commit(
            &acct,
            vec![extend(10, base + 4_000), extend(n + 1, base + 9_000)],
        )
        .await
        .unwrap();
    assert_eq!(expiry(hash(10)).await, Some(base + 5_000));
    assert_eq!(expiry(hash(n + 1)).await, None);

    // More than one batch expired before the horizon.
    let pruned = store.prune_tokens(base + 2_100).await.unwrap();
    assert!(pruned >= 2_099, "pruned {pruned}");
    for i in [0, 9, 11, 1_000, 2_099] {
        assert_eq!(
            expiry(hash(i)).await,
            None,
            "token {i} expired before the horizon"
        );
    }
    assert_eq!(
        expiry(hash(10)).await,
        Some(base + 5_000),
        "extended past it"
    );
    for i in [2_100, 2_499] {
        assert_eq!(
            expiry(hash(i)).await,
            Some(base + i),
            "token {i} is not due"
        );
    }
    assert_eq!(store.prune_tokens(base + 2_100).await.unwrap(), 0);
    assert!(store.prune_tokens(base + 10_000).await.unwrap() >= 401);
    assert_eq!(expiry(hash(10)).await, None);
}

/// Accounts and endpoints share the worker: one at its limit gets no more, and its deliveries,
/// due first, do not keep another's from being claimed in the same call.
async fn webhook_deliveries_are_shared_between_accounts(store: Arc<dyn Store>) {
    let _queue = WEBHOOK_QUEUE.lock().await;
    let (busy, quiet) = (account(&*store).await, account(&*store).await);
    let tag = rand::random::<u32>();
    // Times far before the other tests' deliveries, so that only these are due. The busy
    // account's go to four endpoints, the quiet account's to one of its own.
    let new = |n: u32, at: i64| NewDelivery {
        id: format!("whdel_{tag}_{n}"),
        event_id: format!("evt_{tag}_{n}"),
        endpoint_id: match n {
            0..100 => format!("we_{tag}_{}", n % 4),
            _ => format!("we_{tag}_quiet"),
        },
        created: at,
        next_attempt: at,
    };
    let backlog: Vec<Write> = (0..28).map(|n| Write::Delivery(new(n, 10))).collect();
    store.commit(&busy, backlog).await.unwrap();
    store
        .commit(
            &quiet,
            vec![Write::Delivery(new(100, 20)), Write::Delivery(new(101, 20))],
        )
        .await
        .unwrap();
    let mine = |v: &[portico_store::Delivery]| {
        v.iter()
            .filter(|d| d.id.starts_with(&format!("whdel_{tag}_")))
            .map(|d| d.account.clone())
            .collect::<Vec<_>>()
    };
    // One per endpoint: the busy account's deliveries fill the first candidates read (twenty
    // for five wanted), and each of its endpoints gets one. A lease that is not thorough stops
    // there; a thorough one finds the quiet account's delivery behind them.
    let per_endpoint = |thorough| ClaimLimits {
        per_endpoint: 1,
        thorough,
        ..ClaimLimits::total(5)
    };
    let shallow = store
        .claim_deliveries("w", 50, 110, &per_endpoint(false))
        .await
        .unwrap();
    let four_busy = vec![busy.clone(); 4];
    assert_eq!(mine(&shallow), four_busy);
    let by_endpoint = store
        .claim_deliveries("w", 50, 110, &per_endpoint(true))
        .await
        .unwrap();
    assert_eq!(
        mine(&by_endpoint),
        [four_busy, vec![quiet.clone()]].concat()
    );
    // Two per account: likewise, the busy account gets two, and the quiet account's other
    // delivery is found behind its twenty.
    let limited = |total: usize, held: usize| ClaimLimits {
        per_account: 2,
        held_accounts: [(busy.0.clone(), held)].into(),
        thorough: true,
        ..ClaimLimits::total(total)
    };
    let first = store
        .claim_deliveries("w", 50, 110, &limited(5, 0))
        .await
        .unwrap();
    assert_eq!(mine(&first), [busy.clone(), busy.clone(), quiet.clone()]);
    // At its limit, an account gets nothing more, however much is due.
    let none = store
        .claim_deliveries("w", 50, 110, &limited(5, 2))
        .await
        .unwrap();
    assert!(mine(&none).is_empty());
    // Without a limit, the rest.
    let all = store
        .claim_deliveries("w", 50, 110, &ClaimLimits::total(100))
        .await
        .unwrap();
    assert_eq!(mine(&all).len(), 18);
    // Done with: on a shared database, the other stories' claims must not find them due.
    let done: Vec<Finished> = [shallow, by_endpoint, first, all]
        .concat()
        .into_iter()
        .filter(|d| d.id.starts_with(&format!("whdel_{tag}_")))
        .map(|d| Finished {
            delivery_id: d.id,
            attempt: None,
            next: Next::Cancel,
        })
        .collect();
    assert_eq!(store.finish_deliveries("w", &done).await.unwrap(), 30);
}

/// Held by the stories that claim whatever is due, so that on a shared database one's claims
/// do not take the other's deliveries.
static WEBHOOK_QUEUE: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// The webhook outbox: deliveries are leased one holder at a time, a lost lease records
/// nothing, an expired lease is taken over, and concurrent workers split the queue.
async fn webhook_deliveries_are_leased(store: Arc<dyn Store>) {
    let _queue = WEBHOOK_QUEUE.lock().await;
    let acct = account(&*store).await;
    let tag = rand::random::<u32>();
    let new = |n: u32, at: i64| NewDelivery {
        id: format!("whdel_{tag}_{n}"),
        event_id: format!("evt_{tag}_{n}"),
        endpoint_id: format!("we_{tag}"),
        created: at,
        next_attempt: at,
    };
    let mine = |v: Vec<portico_store::Delivery>| {
        let mut ids: Vec<String> = v
            .into_iter()
            .filter(|d| d.id.starts_with(&format!("whdel_{tag}_")))
            .map(|d| d.id)
            .collect();
        ids.sort();
        ids
    };
    let id = |n: u32| format!("whdel_{tag}_{n}");
    store
        .commit(
            &acct,
            vec![
                Write::Delivery(new(1, 1000)),
                Write::Delivery(new(2, 1000)),
                Write::Delivery(new(3, 5000)),
            ],
        )
        .await
        .unwrap();
    let busy = ClaimLimits {
        per_endpoint: 1,
        held: [(format!("we_{tag}"), 1)].into(),
        ..ClaimLimits::total(10)
    };
    let skipped = store
        .claim_deliveries("a", 1000, 1060, &busy)
        .await
        .unwrap();
    assert!(
        mine(skipped).is_empty(),
        "an endpoint at its limit gets no more"
    );
    let one = ClaimLimits {
        held: Default::default(),
        ..busy
    };
    let first_claimed = store.claim_deliveries("a", 1000, 1060, &one).await.unwrap();
    assert_eq!(mine(first_claimed.clone()).len(), 1, "one per endpoint");
    let a = store
        .claim_deliveries("a", 1000, 1060, &ClaimLimits::total(10))
        .await
        .unwrap();
    let mut a = a
        .into_iter()
        .chain(first_claimed.clone())
        .collect::<Vec<_>>();
    a.sort_by(|x, y| x.id.cmp(&y.id));
    assert_eq!(mine(a.clone()), [id(1), id(2)], "only what is due");
    let d1 = a.iter().find(|d| d.id == id(1)).unwrap();
    assert_eq!((d1.state, d1.attempts), (DeliveryState::Pending, 0));
    assert!(mine(
        store
            .claim_deliveries("b", 1000, 1060, &ClaimLimits::total(10))
            .await
            .unwrap()
    )
    .is_empty());

    let attempt = |n: u32, k: i64, at: i64, status: i64| Attempt {
        delivery_id: id(n),
        attempt: k,
        at,
        status: Some(status),
        error: (status >= 300).then(|| format!("HTTP {status}")),
        response: Some("body".into()),
        duration_ms: 3,
    };
    assert!(
        store
            .finish_deliveries(
                "b",
                &[Finished {
                    delivery_id: id(1),
                    attempt: Some(attempt(1, 1, 1000, 500)),
                    next: Next::RetryAt(1010)
                }],
            )
            .await
            .unwrap()
            == 0,
        "b holds no lease on 1"
    );
    assert!(
        store
            .finish_deliveries(
                "a",
                &[Finished {
                    delivery_id: id(1),
                    attempt: Some(attempt(1, 1, 1000, 500)),
                    next: Next::RetryAt(1010)
                }],
            )
            .await
            .unwrap()
            == 1
    );
    assert!(mine(
        store
            .claim_deliveries("b", 1005, 1065, &ClaimLimits::total(10))
            .await
            .unwrap()
    )
    .is_empty());
    // At 1061: the retry of 1 is due, and a's lease on 2 ran out (a crashed).
    let b = store
        .claim_deliveries("b", 1061, 1120, &ClaimLimits::total(10))
        .await
        .unwrap();
    assert_eq!(mine(b), [id(1), id(2)]);
    let lost = store
        .finish_deliveries(
            "a",
            &[Finished {
                delivery_id: id(2),
                attempt: None,
                next: Next::Cancel,
            }],
        )
        .await
        .unwrap();
    assert_eq!(lost, 0, "a's lease on 2 ran out and b holds it");
    assert!(
        store
            .finish_deliveries(
                "b",
                &[Finished {
                    delivery_id: id(1),
                    attempt: Some(attempt(1, 2, 1061, 200)),
                    next: Next::Succeeded
                }],
            )
            .await
            .unwrap()
            == 1
    );
    let listed = store
        .deliveries(&DeliveryQuery {
            account: Some(acct.clone()),
            event_id: Some(format!("evt_{tag}_1")),
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].state, DeliveryState::Succeeded);
    assert_eq!(
        (
            listed[0].attempts,
            listed[0].last_status,
            listed[0].last_error.clone()
        ),
        (2, Some(200), None)
    );
    let attempts = store.delivery_attempts(&id(1)).await.unwrap();
    assert_eq!(
        attempts
            .iter()
            .map(|a| (a.attempt, a.status))
            .collect::<Vec<_>>(),
        [(1, Some(500)), (2, Some(200))]
    );
    let pending = store
        .pending_webhooks(&acct, &[1, 2, 3].map(|n| format!("evt_{tag}_{n}")))
        .await
        .unwrap();
    assert_eq!(pending.get(&format!("evt_{tag}_1")), None);
    assert_eq!(pending.get(&format!("evt_{tag}_2")), Some(&1));
    assert_eq!(pending.get(&format!("evt_{tag}_3")), Some(&1));
    assert_eq!(store.account_of("event", "evt_none").await.unwrap(), None);

    // Two workers racing over 40 due deliveries take each exactly once.
    let batch: Vec<Write> = (100..140).map(|n| Write::Delivery(new(n, 2000))).collect();
    store.commit(&acct, batch).await.unwrap();
    let worker = |owner: &'static str| {
        let store = store.clone();
        tokio::spawn(async move {
            let mut got = Vec::new();
            loop {
                let batch = store
                    .claim_deliveries(owner, 2000, 2060, &ClaimLimits::total(8))
                    .await
                    .unwrap();
                if batch.is_empty() {
                    return got;
                }
                let done: Vec<Finished> = batch
                    .iter()
                    .map(|d| Finished {
                        delivery_id: d.id.clone(),
                        attempt: None,
                        next: Next::Succeeded,
                    })
                    .collect();
                assert_eq!(
                    store.finish_deliveries(owner, &done).await.unwrap(),
                    done.len()
                );
                got.extend(batch.into_iter().map(|d| d.id));
            }
        })
    };
    let (x, y) = (worker("x"), worker("y"));
    let (x, y) = (x.await.unwrap(), y.await.unwrap());
    let mut all: Vec<String> = x
        .into_iter()
        .chain(y)
        .filter(|i| i.starts_with(&format!("whdel_{tag}_1")))
        .collect();
    let n = all.len();
    all.sort();
    all.dedup();
    assert_eq!(
        (n, all.len()),
        (40, 40),
        "each delivery claimed exactly once"
    );

    assert!(store.prune_deliveries(1_000_000).await.unwrap() >= 41);
    assert!(store.delivery_attempts(&id(1)).await.unwrap().is_empty());
    let left = store
        .deliveries(&DeliveryQuery {
            account: Some(acct.clone()),
            limit: 100,
            ..Default::default()
        })
        .await
        .unwrap();
    // 2 was left leased by b until 1120, so the racing workers took it over too; 3 is not due.
    assert_eq!(
        left.iter().map(|d| d.id.clone()).collect::<Vec<_>>(),
        [id(3)],
        "pending deliveries are kept"
    );
}

/// The email outbox: rows written with a commit, listed newest first, claimed by one sender at
/// a time, retried until given up, pruned when old.
async fn statistics_refresh_only_what_grew(store: Arc<dyn Store>) {
    let acct = account(&*store).await;
    let writes = (0..300)
        .map(|i| {
            let c = customer(i, &format!("stats{i}@example.com"));
            Write::Insert(Versioned::new_record(&c))
        })
        .collect();
    store.commit(&acct, writes).await.unwrap();
    // Whatever was due is refreshed once; straight after, the objects table has not grown.
    // (Only it: the other tests share the PostgreSQL database and may grow another table, such
    // as the tokens, between the two refreshes.)
    store.refresh_statistics().await.unwrap();
    let again = store.refresh_statistics().await.unwrap();
    assert!(
        !again.iter().any(|t| t == "objects"),
        "refreshed again: {again:?}"
    );
}

async fn emails_are_recorded_and_claimed(store: Arc<dyn Store>) {
    let acct = account(&*store).await;
    let tag = rand::random::<u32>();
    let to = format!("ada{tag}@example.com");
    let new = |n: u32, status: EmailStatus| NewEmail {
        id: format!("em_{tag}_{n}"),
        created: 1_000 + i64::from(n),
        to: to.clone(),
        from: "Acme <billing@acme.test>".into(),
        subject: format!("Subject {n}"),
        text: "Your link: https://x.test/p/login".into(),
        html: "<p>Your <a href=\"https://x.test\">link</a></p>".into(),
        status,
    };
    store
        .commit(
            &acct,
            vec![
                Write::Email(new(1, EmailStatus::Outbox)),
                Write::Email(new(2, EmailStatus::Queued)),
            ],
        )
        .await
        .unwrap();
    let listed = store
        .emails(&EmailQuery {
            to: Some(to.clone()),
            limit: 10,
        })
        .await
        .unwrap();
    assert_eq!(
        listed
            .iter()
            .map(|e| e.subject.as_str())
            .collect::<Vec<_>>(),
        ["Subject 2", "Subject 1"]
    );
    assert_eq!(listed[1].status, EmailStatus::Outbox);
    assert_eq!(listed[1].account, acct);
    let id2 = format!("em_{tag}_2");
    assert_eq!(
        store.email(&id2).await.unwrap().unwrap().html,
        new(2, EmailStatus::Queued).html
    );
    // Only the queued one is due; one sender takes it, a second cannot until the lease ends.
    let due = store.due_emails(2_000, 100).await.unwrap();
    assert!(due.iter().any(|e| e.id == id2));
    assert!(!due.iter().any(|e| e.id == format!("em_{tag}_1")));
    assert!(store.claim_email(&id2, 2_000, 2_060).await.unwrap());
    assert!(!store.claim_email(&id2, 2_010, 2_070).await.unwrap());
    assert!(!store
        .due_emails(2_010, 100)
        .await
        .unwrap()
        .iter()
        .any(|e| e.id == id2));
    // A failure puts it back in the queue; a success ends it.
    store
        .finish_email(&id2, 2_020, Some("connection refused"), false)
        .await
        .unwrap();
    let e = store.email(&id2).await.unwrap().unwrap();
    assert_eq!(
        (e.status, e.attempts, e.last_error.as_deref()),
        (EmailStatus::Queued, 1, Some("connection refused"))
    );
    assert!(store.claim_email(&id2, 2_030, 2_090).await.unwrap());
    store.finish_email(&id2, 2_040, None, false).await.unwrap();
    let e = store.email(&id2).await.unwrap().unwrap();
    assert_eq!(
        (e.status, e.attempts, e.sent_at),
        (EmailStatus::Sent, 2, Some(2_040))
    );
    assert!(
        !store.claim_email(&id2, 9_000, 9_060).await.unwrap(),
        "sent is final"
    );
    assert!(store.prune_emails(1_002).await.unwrap() >= 1);
    assert!(store.email(&format!("em_{tag}_1")).await.unwrap().is_none());
}

/// A fresh account with one stored customer.
async fn stored_customer(store: &dyn Store, email: &str) -> (AccountId, Customer) {
    let acct = account(store).await;
    let c = customer(100, email);
    store
        .commit(&acct, vec![Write::Insert(Versioned::new_record(&c))])
        .await
        .unwrap();
    (acct, c)
}

/// Renames a customer from another task (outside the caller's `reads_together`).
async fn rename_elsewhere(store: &Arc<dyn Store>, acct: &AccountId, id: &str, name: &str) {
    let (s, a, id, name) = (store.clone(), acct.clone(), id.to_owned(), name.to_owned());
    tokio::spawn(async move {
        let mut w = get::<Customer>(&*s, &a, &id).await.unwrap().unwrap();
        w.value.name = Some(name);
        s.commit(&a, vec![Write::Update(w.next_record())])
            .await
            .unwrap();
    })
    .await
    .unwrap();
}

/// A request's reads may share one snapshot (`reads_together`): it always reads back its own
/// writes, nested scopes share the outer one, and once the scope ends everything is visible.
async fn reads_together_read_back_own_writes(store: Arc<dyn Store>) {
    let (acct, c) = stored_customer(&*store, "together@example.com").await;
    let id = c.id.as_str().to_owned();
    let (s, a) = (store.clone(), acct.clone());
    let seen = portico_store::reads_together(async move {
        let mut v = get::<Customer>(&*s, &a, &id).await.unwrap().unwrap();
        assert_eq!(v.version, 1);
        let page = s.list(&a, &query("customer", 10)).await.unwrap();
        assert_eq!(page.records.len(), 1);
        v.value.name = Some("Own".into());
        s.commit(&a, vec![Write::Update(v.next_record())])
            .await
            .unwrap();
        let nested = portico_store::reads_together(async {
            get::<Customer>(&*s, &a, &id).await.unwrap().unwrap()
        })
        .await;
        assert_eq!(nested.version, 2, "a write ends the shared snapshot");
        assert_eq!(nested.value.name.as_deref(), Some("Own"));
        // Another task's write, while this one holds a snapshot again.
        rename_elsewhere(&s, &a, &id, "Other").await;
        get::<Customer>(&*s, &a, &id)
            .await
            .unwrap()
            .unwrap()
            .version
    })
    .await;
    // Inside, the other task's write may or may not show (SQLite keeps the snapshot); after, it does.
    assert!(seen == 2 || seen == 3, "{seen}");
    let after = get::<Customer>(&*store, &acct, c.id.as_str())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(after.version, 3);
    assert_eq!(after.value.name.as_deref(), Some("Other"));
    // Many scopes one after another: each gives its connection back.
    for _ in 0..50 {
        let (s, a) = (store.clone(), acct.clone());
        portico_store::reads_together(async move {
            s.list(&a, &query("customer", 10)).await.unwrap();
        })
        .await;
    }
}

/// Typed reads decode through the store's cache of decoded objects: each version gives its own
/// content, however often it is read, and a record of an older version still decodes as itself.
async fn decoded_objects_follow_versions(store: Arc<dyn Store>) {
    let (acct, c) = stored_customer(&*store, "decoded@example.com").await;
    let first = store
        .get(&acct, "customer", c.id.as_str())
        .await
        .unwrap()
        .unwrap();
    for _ in 0..3 {
        let v = get::<Customer>(&*store, &acct, c.id.as_str())
            .await
            .unwrap()
            .unwrap();
        assert_eq!((v.version, v.value.name.as_deref()), (1, None));
    }
    let mut v = get::<Customer>(&*store, &acct, c.id.as_str())
        .await
        .unwrap()
        .unwrap();
    v.value.name = Some("Second".into());
    store
        .commit(&acct, vec![Write::Update(v.next_record())])
        .await
        .unwrap();
    for _ in 0..3 {
        let v = get::<Customer>(&*store, &acct, c.id.as_str())
            .await
            .unwrap()
            .unwrap();
        assert_eq!((v.version, v.value.name.as_deref()), (2, Some("Second")));
    }
    let old: Versioned<Customer> = portico_store::decode(&*store, &acct, &first).unwrap();
    assert_eq!((old.version, old.value.name), (1, None));
    // Another account's object of the same id is its own.
    let other = account(&*store).await;
    let mut twin = c.clone();
    twin.email = Some("twin@example.com".into());
    store
        .commit(&other, vec![Write::Insert(Versioned::new_record(&twin))])
        .await
        .unwrap();
    let t = get::<Customer>(&*store, &other, c.id.as_str())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(t.value.email.as_deref(), Some("twin@example.com"));
}

/// A token and the object it leads to come back in one read: the object only from the token's
/// own account and of the kind asked for, `None` once it is gone, and nothing for an unknown token.
async fn tokens_lead_to_their_objects(store: Arc<dyn Store>) {
    let (acct, c) = stored_customer(&*store, "token@example.com").await;
    let other = account(&*store).await;
    let token = |hash: &str, account: &AccountId, object_id: &str| TokenRecord {
        token_hash: hash.into(),
        account: account.clone(),
        kind: "portal_session".into(),
        object_id: object_id.into(),
        created: 1,
        expires_at: 100,
    };
    let id = c.id.as_str().to_owned();
    let suffix = rand::random::<u64>();
    let (mine, theirs, nothing) = (
        format!("mine{suffix}"),
        format!("theirs{suffix}"),
        format!("nothing{suffix}"),
    );
    store
        .commit(&acct, vec![Write::Token(token(&mine, &acct, &id))])
        .await
        .unwrap();
    store
        .commit(&other, vec![Write::Token(token(&theirs, &other, &id))])
        .await
        .unwrap();
    store
        .commit(
            &acct,
            vec![Write::Token(token(&nothing, &acct, "cus_missing"))],
        )
        .await
        .unwrap();

    let (found, object) = store
        .find_token_object(&mine, "customer")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found, token(&mine, &acct, &id));
    let object = object.unwrap();
    assert_eq!(
        object,
        store.get(&acct, "customer", &id).await.unwrap().unwrap()
    );
    let (_, wrong_kind) = store
        .find_token_object(&mine, "invoice")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(wrong_kind, None);
    let (found, other_account) = store
        .find_token_object(&theirs, "customer")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.account, other);
    assert_eq!(other_account, None);
    let (_, missing) = store
        .find_token_object(&nothing, "customer")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(missing, None);
    assert_eq!(
        store.find_token_object("nope", "customer").await.unwrap(),
        None
    );
}

/// What a page says, to compare: its objects (id, version, data) and whether more lie beyond.
fn summary(p: &Page) -> (Vec<(String, i64, String)>, bool) {
    let objects = p.records.iter();
    (
        objects
            .map(|r| (r.id.clone(), r.version, r.data.clone()))
            .collect(),
        p.has_more,
    )
}

/// Reads made together (one statement where they can be) answer exactly as each made alone:
/// point reads found or not, unique keys, lists with their filters, order, limit and `has_more`,
/// and nothing of another account's.
async fn reads_made_together_answer_as_alone(store: Arc<dyn Store>) {
    let acct = account(&*store).await;
    let other = account(&*store).await;
    let thing = |id: &str, created: i64, parent: &str, status: &str| Record {
        parent: Some(parent.into()),
        status: Some(status.into()),
        ..Record::first("thing", id, created, format!(r#"{{"id":"{id}"}}"#))
    };
    let writes: Vec<Write> = [
        thing("t1", 10, "p1", "on"),
        // Three share a timestamp: the order of insertion breaks the tie, newest first.
        thing("t2", 20, "p1", "off"),
        thing("t3", 20, "p1", "on"),
        thing("t4", 20, "p1", "on"),
        thing("t5", 30, "p2", "on"),
        Record {
            deleted: true,
            ..thing("t6", 40, "p1", "on")
        },
        Record {
            unique_key: Some("k1".into()),
            ..Record::first("setting", "s1", 5, r#"{"id":"s1"}"#)
        },
    ]
    .into_iter()
    .map(Write::Insert)
    .collect();
    store.commit(&acct, writes).await.unwrap();
    store
        .commit(
            &other,
            vec![
                Write::Insert(thing("o1", 50, "p1", "on")),
                Write::Insert(Record {
                    unique_key: Some("k2".into()),
                    ..Record::first("setting", "s2", 5, r#"{"id":"s2"}"#)
                }),
            ],
        )
        .await
        .unwrap();
    let list = |parent: &str, filters: Vec<Filter>, limit: usize, deleted: bool| {
        let mut filters = filters;
        filters.push(Filter::Parent(parent.into()));
        ListQuery {
            kind: "thing",
            filters,
            cursor: Cursor::Start,
            limit,
            include_deleted: deleted,
        }
    };
    let on = || vec![Filter::StatusIn(vec!["on".into()])];
    let reads = vec![
        Read::Get("thing", "t3".into()),
        Read::List(list("p1", vec![], 2, false)),
        Read::Get("thing", "missing".into()),
        Read::Get("thing", "o1".into()),
        Read::Get("setting", "s1".into()),
        Read::Unique("setting", "k1".into()),
        Read::Unique("setting", "k2".into()),
        Read::List(list("p1", on(), 10, false)),
        Read::List(list("p1", vec![], 10, true)),
        Read::List(list("p2", vec![], 10, false)),
        Read::List(list("p3", vec![], 10, false)),
        Read::List(list("p1", vec![Filter::CreatedGte(20)], 3, false)),
        Read::Get("setting", "t3".into()),
    ];
    let together = store.read_many(&acct, &reads).await.unwrap();
    let mut alone = Vec::new();
    for read in &reads {
        let found = match read {
            Read::Get(kind, id) => store.get(&acct, kind, id).await,
            Read::Unique(kind, key) => store.get_by_unique_key(&acct, kind, key).await,
            Read::List(q) => {
                alone.push(store.list(&acct, q).await.unwrap());
                continue;
            }
        };
        alone.push(Page {
            records: found.unwrap().into_iter().collect(),
            has_more: false,
        });
    }
    let together: Vec<_> = together.iter().map(summary).collect();
    let alone: Vec<_> = alone.iter().map(summary).collect();
    assert_eq!(together, alone);
    // And what that is, spelled out.
    let ids = |i: usize| -> (Vec<&str>, bool) {
        let (objects, more) = &together[i];
        (objects.iter().map(|o| o.0.as_str()).collect(), *more)
    };
    assert_eq!(ids(0), (vec!["t3"], false));
    assert_eq!(ids(1), (vec!["t4", "t3"], true));
    assert_eq!(ids(2), (vec![], false));
    assert_eq!(ids(3), (vec![], false), "another account's object");
    assert_eq!(ids(4), (vec!["s1"], false));
    assert_eq!(ids(5), (vec!["s1"], false));
    assert_eq!(ids(6), (vec![], false), "another account's key");
    assert_eq!(ids(7), (vec!["t4", "t3", "t1"], false));
    assert_eq!(ids(8), (vec!["t6", "t4", "t3", "t2", "t1"], false));
    assert_eq!(ids(9), (vec!["t5"], false));
    assert_eq!(ids(10), (vec![], false));
    assert_eq!(ids(11), (vec!["t4", "t3", "t2"], false));
    assert_eq!(ids(12), (vec![], false), "an id of another kind");
    assert_eq!(together[0].0[0].2, r#"{"id":"t3"}"#);

    // Reads that cannot share a statement (a page past a cursor, a filter on the stored
    // JSON) are made one by one, with the same answers.
    let mut after = list("p1", vec![], 2, false);
    after.cursor = Cursor::After("t3".into());
    let mut json = list("p1", vec![], 10, false);
    json.filters.push(Filter::Field("id", "t2".into()));
    let mixed = store
        .read_many(
            &acct,
            &[
                Read::List(after.clone()),
                Read::Get("thing", "t5".into()),
                Read::List(json),
            ],
        )
        .await
        .unwrap();
    let mixed: Vec<_> = mixed.iter().map(summary).collect();
    assert_eq!(mixed[0], summary(&store.list(&acct, &after).await.unwrap()));
    assert_eq!(mixed[0].0.len(), 2);
    assert_eq!(mixed[1].0[0].0, "t5");
    assert_eq!(mixed[2].0.len(), 1);
    assert_eq!(mixed[2].0[0].0, "t2");
    assert!(store.read_many(&acct, &[]).await.unwrap().is_empty());
}

macro_rules! stories {
    ($($name:ident),* $(,)?) => {
        mod on_sqlite {
            use super::*;
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let (store, _dir) = sqlite().await;
                    super::$name(store).await;
                }
            )*
        }
        mod on_sqlite_in_memory {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let store = portico_store::open("sqlite::memory:").await.expect("open memory");
                    super::$name(store).await;
                }
            )*
        }
        mod on_postgres {
            use super::*;
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    if let Some(store) = postgres().await {
                        super::$name(store).await;
                    }
                }
            )*
        }
    };
}

stories!(
    insert_update_and_conflict,
    commit_is_all_or_nothing,
    concurrent_commits_fail_alone,
    accounts_are_isolated,
    accounts_are_listed_oldest_or_newest_first,
    pagination_is_newest_first,
    deleted_objects_are_hidden_from_lists,
    unique_keys_and_json_filters,
    idempotency_keys,
    concurrent_claims_let_one_through,
    tokens_and_secrets,
    tokens_lead_to_their_objects,
    tokens_expire_and_are_pruned,
    webhook_deliveries_are_leased,
    webhook_deliveries_are_shared_between_accounts,
    emails_are_recorded_and_claimed,
    statistics_refresh_only_what_grew,
    reads_together_read_back_own_writes,
    decoded_objects_follow_versions,
    reads_made_together_answer_as_alone,
);

/// On SQLite a scope's reads see one snapshot: another task's commit shows only once the scope
/// writes or ends.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_reads_together_see_one_snapshot() {
    let (store, _dir) = sqlite().await;
    let (acct, c) = stored_customer(&*store, "snapshot@example.com").await;
    let id = c.id.as_str().to_owned();
    let (s, a) = (store.clone(), acct.clone());
    portico_store::reads_together(async move {
        assert_eq!(
            get::<Customer>(&*s, &a, &id)
                .await
                .unwrap()
                .unwrap()
                .version,
            1
        );
        rename_elsewhere(&s, &a, &id, "Other").await;
        assert_eq!(
            get::<Customer>(&*s, &a, &id)
                .await
                .unwrap()
                .unwrap()
                .version,
            1
        );
        // Writing ends the snapshot; a stale version is refused as ever.
        let stale = get::<Customer>(&*s, &a, &id).await.unwrap().unwrap();
        let err = s
            .commit(&a, vec![Write::Update(stale.next_record())])
            .await
            .unwrap_err();
        assert!(matches!(err, StoreError::Conflict));
        assert_eq!(
            get::<Customer>(&*s, &a, &id)
                .await
                .unwrap()
                .unwrap()
                .version,
            2
        );
    })
    .await;
}

/// Runs `f` inside a scope of shared reads (`reads_together`), where SQLite's read cache answers.
async fn together<T: Send + 'static>(
    f: impl std::future::Future<Output = T> + Send + 'static,
) -> T {
    tokio::spawn(portico_store::reads_together(f))
        .await
        .unwrap()
}

/// What a scope of shared reads finds: an object by id, by unique key, a list by parent, and a
/// token with its object.
async fn seen(
    store: &Arc<dyn Store>,
    acct: &AccountId,
    hash: &str,
) -> (
    Option<Record>,
    Option<Record>,
    Vec<(String, i64)>,
    Option<i64>,
) {
    let (s, a, hash) = (store.clone(), acct.clone(), hash.to_owned());
    together(async move {
        let by_id = s.get(&a, "thing", "thing_1").await.unwrap();
        let by_key = s.get_by_unique_key(&a, "thing", "key-1").await.unwrap();
        let q = things_of_cus_1();
        let page = s.list(&a, &q).await.unwrap();
        let listed = page
            .records
            .iter()
            .map(|r| (r.id.clone(), r.version))
            .collect();
        let token = s.find_token_object(&hash, "thing").await.unwrap();
        let expires = token.map(|(t, o)| {
            assert_eq!(o.map(|o| o.version), by_id.as_ref().map(|r| r.version));
            t.expires_at
        });
        (by_id, by_key, listed, expires)
    })
    .await
}

fn things_of_cus_1() -> ListQuery {
    ListQuery {
        filters: vec![Filter::Parent("cus_1".into())],
        ..query("thing", 10)
    }
}

fn thing(id: &str, version: i64, key: Option<&str>, data: &str) -> Record {
    Record {
        version,
        parent: Some("cus_1".into()),
        unique_key: key.map(str::to_owned),
        ..Record::first("thing", id, 10, data)
    }
}

/// Two SQLite stores on one new file, as two servers sharing it, and an account in it (the
/// directory goes when the first value is dropped).
async fn two_servers_on_one_file() -> (tempdir::Dir, Arc<dyn Store>, Arc<dyn Store>, AccountId) {
    let dir = tempdir::Dir::new();
    let url = format!("sqlite://{}/portico.db", dir.0.display());
    let a: Arc<dyn Store> = portico_store::open(&url).await.unwrap();
    let b: Arc<dyn Store> = portico_store::open(&url).await.unwrap();
    let acct = account(&*a).await;
    (dir, a, b, acct)
}

/// SQLite keeps what a scope of shared reads found and answers later scopes from memory while
/// the database has not changed: its own writes, and those of another server on the same file,
/// are seen at once all the same.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_read_cache_follows_every_writer() {
    let (dir, a, b, acct) = two_servers_on_one_file().await;
    let hash = format!("h{}", rand::random::<u64>());
    let token = |expires_at| TokenRecord {
        token_hash: hash.clone(),
        account: acct.clone(),
        kind: "thing".into(),
        object_id: "thing_1".into(),
        created: 1,
        expires_at,
    };
    // Nothing yet, twice (the second from the cache).
    for _ in 0..2 {
        assert_eq!(seen(&a, &acct, &hash).await, (None, None, vec![], None));
    }
    // Written by the other server: seen here at once.
    b.commit(
        &acct,
        vec![
            Write::Insert(thing("thing_1", 1, Some("key-1"), "one")),
            Write::Token(token(100)),
        ],
    )
    .await
    .unwrap();
    for _ in 0..2 {
        let (by_id, by_key, listed, expires) = seen(&a, &acct, &hash).await;
        assert_eq!(by_id.map(|r| r.data), Some("one".to_owned()));
        assert_eq!(by_key.map(|r| r.id), Some("thing_1".to_owned()));
        assert_eq!(listed, vec![("thing_1".to_owned(), 1)]);
        assert_eq!(expires, Some(100));
    }
    // Written by this server: its unique key moves, a second object joins the list, the
    // token lasts longer.
    a.commit(
        &acct,
        vec![
            Write::Update(thing("thing_1", 2, Some("key-2"), "two")),
            Write::Insert(thing("thing_2", 1, None, "other")),
            Write::ExtendToken {
                token_hash: hash.clone(),
                expires_at: 200,
            },
        ],
    )
    .await
    .unwrap();
    for _ in 0..2 {
        let (by_id, by_key, listed, expires) = seen(&a, &acct, &hash).await;
        assert_eq!(by_id.map(|r| r.data), Some("two".to_owned()));
        assert_eq!(by_key, None, "the unique key moved");
        assert_eq!(listed.len(), 2);
        assert_eq!(expires, Some(200));
    }
    // The other server again, and a change made with SQL outside any server (which counts
    // itself in `changes`, as the migration that made it asks).
    b.commit(
        &acct,
        vec![
            Write::Update(thing("thing_1", 3, Some("key-1"), "three")),
            Write::DeleteToken(hash.clone()),
        ],
    )
    .await
    .unwrap();
    let (by_id, by_key, _, expires) = seen(&a, &acct, &hash).await;
    assert_eq!(by_id.map(|r| r.version), Some(3));
    assert_eq!(by_key.map(|r| r.version), Some(3));
    assert_eq!(expires, None);
    let outside = rusqlite::Connection::open(dir.0.join("portico.db")).unwrap();
    outside
        .execute_batch(
            "PRAGMA busy_timeout = 10000; BEGIN IMMEDIATE; \
             UPDATE objects SET data = 'by hand' WHERE id = 'thing_1'; \
             UPDATE changes SET n = n + 1; COMMIT",
        )
        .unwrap();
    let (by_id, ..) = seen(&a, &acct, &hash).await;
    assert_eq!(by_id.map(|r| r.data), Some("by hand".to_owned()));
    a.close().await;
    b.close().await;
}

/// Under concurrent writes from two servers on one file, a scope of shared reads never answers
/// an older version than one committed before it began.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sqlite_read_cache_never_answers_a_version_older_than_the_last_commit() {
    use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
    let (_dir, a, b, acct) = two_servers_on_one_file().await;
    a.commit(&acct, vec![Write::Insert(thing("thing_1", 1, None, "v"))])
        .await
        .unwrap();
    let committed = Arc::new(AtomicI64::new(1));
    let done = Arc::new(AtomicBool::new(false));
    let mut readers = Vec::new();
    for n in 0..4 {
        let (s, acct, committed, done) = (
            if n % 2 == 0 { a.clone() } else { b.clone() },
            acct.clone(),
            committed.clone(),
            done.clone(),
        );
        readers.push(tokio::spawn(async move {
            let mut reads = 0;
            while !done.load(Ordering::SeqCst) {
                let floor = committed.load(Ordering::SeqCst);
                let (s2, a2) = (s.clone(), acct.clone());
                let (by_id, listed) = together(async move {
                    let r = s2.get(&a2, "thing", "thing_1").await.unwrap().unwrap();
                    let q = things_of_cus_1();
                    let page = s2.list(&a2, &q).await.unwrap();
                    (r.version, page.records[0].version)
                })
                .await;
                assert!(
                    by_id >= floor,
                    "read version {by_id} after {floor} was committed"
                );
                assert!(
                    listed >= floor,
                    "listed version {listed} after {floor} was committed"
                );
                reads += 1;
            }
            reads
        }));
    }
    for v in 2..=300 {
        let s = if v % 3 == 0 { &b } else { &a };
        s.commit(&acct, vec![Write::Update(thing("thing_1", v, None, "v"))])
            .await
            .unwrap();
        committed.store(v, Ordering::SeqCst);
    }
    done.store(true, Ordering::SeqCst);
    for r in readers {
        assert!(r.await.unwrap() > 0);
    }
    a.close().await;
    b.close().await;
}

#[test]
fn both_backends_have_the_same_migrations() {
    let names = |dir: &str| {
        let mut v: Vec<String> =
            std::fs::read_dir(format!("{}/migrations/{dir}", env!("CARGO_MANIFEST_DIR")))
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect();
        v.sort();
        v
    };
    assert_eq!(names("sqlite"), names("postgres"));
    assert!(!names("sqlite").is_empty());
}

/// PostgreSQL ends every session while Portico's connections sit in its pool, as when the server
/// restarts: the reads and writes that follow go through on new connections instead of failing
/// on the dead ones (which are used without a check while they are fresh).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_the_server_ended_are_replaced() {
    use sqlx::Connection;
    let Some(url) = std::env::var("PORTICO_TEST_POSTGRES_URL")
        .ok()
        .filter(|u| !u.is_empty())
    else {
        assert!(
            std::env::var("PORTICO_REQUIRE_POSTGRES").as_deref() != Ok("1"),
            "PORTICO_REQUIRE_POSTGRES=1 but PORTICO_TEST_POSTGRES_URL is not set"
        );
        return;
    };
    // A database of its own: ending its sessions touches no other test's connections.
    sqlx::any::install_default_drivers();
    let mut admin = sqlx::AnyConnection::connect(&url).await.unwrap();
    let name = format!("portico_ended_{}", rand::random::<u32>());
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut admin)
        .await
        .unwrap();
    let (base, _) = url.rsplit_once('/').unwrap();
    let store = portico_store::open(&format!("{base}/{name}"))
        .await
        .unwrap();
    let acct = account(&*store).await;
    let c = customer(100, "ended@example.com");
    store
        .commit(&acct, vec![Write::Insert(Versioned::new_record(&c))])
        .await
        .unwrap();
    let read_all = |store: Arc<dyn Store>| {
        let tasks: Vec<_> = (0..6)
            .map(|_| {
                let (store, acct, id) = (store.clone(), acct.clone(), c.id.to_string());
                tokio::spawn(async move { get::<Customer>(&*store, &acct, &id).await })
            })
            .collect();
        async move {
            for t in tasks {
                assert!(t.await.unwrap().unwrap().is_some());
            }
        }
    };
    // Several connections in the pool, all just used.
    read_all(store.clone()).await;

    let ended: Vec<(bool,)> =
        sqlx::query_as("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1")
            .bind(&name)
            .fetch_all(&mut admin)
            .await
            .unwrap();
    assert!(!ended.is_empty() && ended.iter().all(|(sent,)| *sent));
    // Until the sessions are gone: a few milliseconds, so the pool's connections are still
    // fresh enough to be used without a check.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    loop {
        let (left,): (i64,) =
            sqlx::query_as("SELECT count(*) FROM pg_stat_activity WHERE datname = $1")
                .bind(&name)
                .fetch_one(&mut admin)
                .await
                .unwrap();
        if left == 0 {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "{left} sessions did not end"
        );
    }

    read_all(store.clone()).await;
    let mut v = get::<Customer>(&*store, &acct, c.id.as_str())
        .await
        .unwrap()
        .unwrap();
    v.value.name = Some("After".into());
    store
        .commit(&acct, vec![Write::Update(v.next_record())])
        .await
        .unwrap();
    let page = store.list(&acct, &query("customer", 10)).await.unwrap();
    assert_eq!(page.records.len(), 1);
    store.ensure_account(&acct, false, 1).await.unwrap();

    store.close().await;
    sqlx::query(&format!("DROP DATABASE {name} WITH (FORCE)"))
        .execute(&mut admin)
        .await
        .unwrap();
}

/// Instances started together on one new SQLite database (a cluster sharing its file) each
/// open it: they take turns applying the migrations instead of applying them twice.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sqlite_stores_opening_one_new_database_together_all_open() {
    for _ in 0..5 {
        let dir = tempdir::Dir::new();
        let url = format!("sqlite://{}/portico.db", dir.0.display());
        let opens: Vec<_> = (0..4)
            .map(|_| {
                let url = url.clone();
                tokio::spawn(async move { portico_store::open(&url).await.map(|_| ()) })
            })
            .collect();
        for open in opens {
            open.await
                .unwrap()
                .expect("every instance opens the database");
        }
    }
}

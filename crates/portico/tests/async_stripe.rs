//! Portico driven by async-stripe, the Rust SDK, at the release pinned to Portico's API version.
//!
//! async-stripe decodes every answer strictly: a field its SDK spec marks as present must be
//! there, with the right type, or the call fails. So these tests are a shape check of every
//! object they touch, on top of what they assert. They run the real binary (`portico serve
//! --dev`) on SQLite, and on PostgreSQL when `PORTICO_TEST_POSTGRES_URL` is set. Webhooks go to
//! a receiver in the test and are verified with async-stripe's own signature check.

use futures_util::TryStreamExt;
use std::collections::HashMap;
use std::net::TcpListener as StdListener;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use stripe::StripeRequest;
use stripe::{ApiErrorsType, Client, ClientBuilder, IdempotencyKey, RequestStrategy, StripeError};
use stripe_billing::billing_portal_configuration::*;
use stripe_billing::billing_portal_session::*;
use stripe_billing::invoice::*;
use stripe_billing::subscription::*;
use stripe_billing::test_helpers_test_clock::*;
use stripe_core::customer::*;
use stripe_core::event::*;
use stripe_payment::payment_method::*;
use stripe_product::coupon::*;
use stripe_product::price::*;
use stripe_product::product::*;
use stripe_product::promotion_code::*;
use stripe_webhook::{EventObject, Webhook};

/// A `portico serve --dev` process on a free port; stopped when dropped.
struct Server {
    child: Child,
    base: String,
    _dir: tempdir::Dir,
}

mod tempdir {
    pub struct Dir(pub std::path::PathBuf);
    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

impl Server {
    fn start(database_url: Option<String>) -> Server {
        let dir = std::env::temp_dir().join(format!("portico-async-stripe-{}", rand_u64()));
        std::fs::create_dir_all(&dir).unwrap();
        let url = database_url.unwrap_or_else(|| format!("sqlite://{}/p.db", dir.display()));
        let port = StdListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_portico"));
        for (k, _) in std::env::vars() {
            if k.starts_with("PORTICO_") {
                cmd.env_remove(k);
            }
        }
        let log = std::fs::File::create(dir.join("portico.log")).unwrap();
        let child = cmd
            .args(["serve", "--dev", "--listen", &format!("127.0.0.1:{port}")])
            .args(["--database-url", &url])
            .env("PORTICO_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("start portico");
        let server = Server {
            child,
            base: format!("http://127.0.0.1:{port}"),
            _dir: tempdir::Dir(dir),
        };
        let deadline = Instant::now() + Duration::from_secs(60);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "portico did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        server
    }

    fn client(&self, key: &str) -> Client {
        ClientBuilder::new(key)
            .url(self.base.clone())
            .build()
            .unwrap()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn rand_u64() -> u64 {
    use std::hash::{BuildHasher, RandomState};
    RandomState::new().hash_one(Instant::now())
}

fn new_key() -> String {
    format!("sk_test_rs{:016x}", rand_u64())
}

/// The API error of a failed call: its HTTP status and body.
fn api_error<T: std::fmt::Debug>(r: Result<T, StripeError>) -> (u16, Box<stripe::ApiErrors>) {
    match r {
        Err(StripeError::Stripe(e, status)) => (status, e),
        other => panic!("expected an API error, got {other:?}"),
    }
}

/// Webhook deliveries as received: the body and its `Stripe-Signature` header.
type Received = Arc<Mutex<Vec<(String, String)>>>;

/// A webhook receiver on a free port, answering 200 to every POST.
async fn receiver() -> (String, Received) {
    let got: Received = Arc::default();
    let store = got.clone();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |headers: axum::http::HeaderMap, body: String| {
            let store = store.clone();
            async move {
                let sig = headers
                    .get("stripe-signature")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_default()
                    .to_owned();
                store.lock().unwrap().push((body, sig));
                "ok"
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, got)
}

/// Makes a webhook endpoint for every event (async-stripe's request for it lives in a crate
/// these tests do not otherwise need); returns its signing secret.
async fn webhook_endpoint(base: &str, key: &str, url: &str) -> String {
    let text = reqwest::Client::new()
        .post(format!("{base}/v1/webhook_endpoints"))
        .basic_auth(key, Some(""))
        .form(&[("url", url), ("enabled_events[0]", "*")])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    v["secret"].as_str().expect("a signing secret").to_owned()
}

async fn both_backends<F, Fut>(run: F)
where
    F: Fn(Arc<Server>) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    run(Arc::new(Server::start(None))).await;
    match std::env::var("PORTICO_TEST_POSTGRES_URL") {
        Ok(url) if !url.is_empty() => run(Arc::new(Server::start(Some(url)))).await,
        _ => assert!(
            std::env::var("PORTICO_REQUIRE_POSTGRES").as_deref() != Ok("1"),
            "PostgreSQL required but not configured"
        ),
    }
}

/// A product with a monthly and a yearly price.
struct Catalog {
    product: stripe_shared::Product,
    monthly: stripe_shared::Price,
    yearly: stripe_shared::Price,
}

async fn catalog(c: &Client) -> Catalog {
    let product = CreateProduct::new("Pro").send(c).await.unwrap();
    let price = |amount: i64, interval| {
        CreatePrice::new(stripe_types::Currency::USD)
            .product(product.id.as_str())
            .unit_amount(amount)
            .recurring(CreatePriceRecurring::new(interval))
    };
    let monthly = price(1500, CreatePriceRecurringInterval::Month)
        .send(c)
        .await
        .unwrap();
    let yearly = price(15000, CreatePriceRecurringInterval::Year)
        .send(c)
        .await
        .unwrap();
    Catalog {
        product,
        monthly,
        yearly,
    }
}

/// A customer with a Visa card as the default payment method.
async fn customer_with_card(c: &Client, email: &str) -> (stripe_shared::Customer, String) {
    let customer = CreateCustomer::new()
        .email(email)
        .name("Ada Lovelace")
        .send(c)
        .await
        .unwrap();
    let pm = AttachPaymentMethod::new("pm_card_visa")
        .customer(customer.id.as_str())
        .send(c)
        .await
        .unwrap();
    let customer = UpdateCustomer::new(customer.id.clone())
        .invoice_settings(UpdateCustomerInvoiceSettings {
            default_payment_method: Some(pm.id.to_string()),
            ..Default::default()
        })
        .send(c)
        .await
        .unwrap();
    (customer, pm.id.to_string())
}

/// A subscription of `customer` to one `price`, to send as it is or with more settings.
fn subscription_to(customer: &str, price: &str) -> CreateSubscription {
    CreateSubscription::new()
        .customer(customer)
        .items(vec![CreateSubscriptionItems {
            price: Some(price.to_owned()),
            ..Default::default()
        }])
}

/// The customer's invoices, newest first.
async fn invoices_of(c: &Client, customer: &str) -> Vec<stripe_shared::Invoice> {
    ListInvoice::new()
        .customer(customer)
        .send(c)
        .await
        .unwrap()
        .data
}

/// Advances test clock `clock` to `to` and waits until it is ready again.
async fn advance(c: &Client, clock: &stripe_shared::TestHelpersTestClockId, to: i64) {
    AdvanceTestHelpersTestClock::new(clock.clone(), to)
        .send(c)
        .await
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let now = RetrieveTestHelpersTestClock::new(clock.clone())
            .send(c)
            .await
            .unwrap();
        if now.status == stripe_shared::TestHelpersTestClockStatus::Ready {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "the clock never finished advancing"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The one event of type `kind`, as async-stripe decodes it from its raw JSON.
async fn only_event(c: &Client, base: &str, key: &str, kind: &str) -> EventObject {
    let listed = ListEvent::new().type_(kind).send(c).await.unwrap();
    assert_eq!(listed.data.len(), 1, "{kind}");
    let raw = reqwest::Client::new()
        .get(format!("{base}/v1/events/{}", listed.data[0].id))
        .basic_auth(key, Some(""))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    Webhook::insecure(&raw).unwrap().data.object
}

async fn subscribe(c: &Client, customer: &str, price: &str) -> stripe_shared::Subscription {
    subscription_to(customer, price)
        .expand(vec!["latest_invoice".to_owned()])
        .send(c)
        .await
        .unwrap()
}

#[tokio::test]
async fn customers_cards_and_lists() {
    both_backends(|server| async move {
        let key = new_key();
        let c = server.client(&key);
        let created = CreateCustomer::new()
            .email("ada@example.com")
            .name("Ada")
            .metadata(HashMap::from([("plan".to_owned(), "gold".to_owned())]))
            .send(&c)
            .await
            .unwrap();
        assert!(created.id.as_str().starts_with("cus_"));
        assert_eq!(created.email.as_deref(), Some("ada@example.com"));
        assert_eq!(created.metadata.as_ref().unwrap()["plan"], "gold");

        let updated = UpdateCustomer::new(created.id.clone())
            .description("first customer")
            .send(&c)
            .await
            .unwrap();
        assert_eq!(updated.description.as_deref(), Some("first customer"));
        match RetrieveCustomer::new(created.id.clone())
            .send(&c)
            .await
            .unwrap()
        {
            RetrieveCustomerReturned::Customer(found) => {
                assert_eq!(found.description.as_deref(), Some("first customer"))
            }
            other => panic!("expected the customer, got {other:?}"),
        }

        // Search, in Stripe's query language.
        let found = SearchCustomer::new("email:'ada@example.com' AND metadata['plan']:'gold'")
            .send(&c)
            .await
            .unwrap();
        assert_eq!(found.data.len(), 1);
        assert_eq!(found.data[0].id, created.id);
        assert!(!found.has_more);

        // An idempotent retry answers with the first result.
        let retried = IdempotencyKey::new("rust-sdk-retry").unwrap();
        let once = CreateCustomer::new()
            .email("twice@example.com")
            .customize()
            .request_strategy(RequestStrategy::Idempotent(retried.clone()))
            .send(&c)
            .await
            .unwrap();
        let again = CreateCustomer::new()
            .email("twice@example.com")
            .customize()
            .request_strategy(RequestStrategy::Idempotent(retried))
            .send(&c)
            .await
            .unwrap();
        assert_eq!(once.id, again.id);

        // Paging through a list follows its `url` and `has_more`, one object at a time here.
        for i in 0..3 {
            CreateCustomer::new()
                .email(format!("page{i}@example.com").as_str())
                .send(&c)
                .await
                .unwrap();
        }
        let all: Vec<stripe_shared::Customer> = ListCustomer::new()
            .limit(1)
            .paginate()
            .stream(&c)
            .try_collect()
            .await
            .unwrap();
        assert_eq!(all.len(), 5, "every customer of the account, once");
        let mut ids: Vec<_> = all.iter().map(|c| c.id.to_string()).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), 5);

        // Cards: attach, list, decline, detach.
        let pm = AttachPaymentMethod::new("pm_card_visa")
            .customer(created.id.as_str())
            .send(&c)
            .await
            .unwrap();
        let card = pm.card.as_ref().expect("a card");
        assert_eq!(card.last4, "4242");
        assert_eq!(card.brand, "visa");
        let listed = ListPaymentMethodsCustomer::new(created.id.clone())
            .send(&c)
            .await
            .unwrap();
        assert_eq!(listed.data.len(), 1);
        let (status, err) = api_error(
            AttachPaymentMethod::new("pm_card_chargeDeclined")
                .customer(created.id.as_str())
                .send(&c)
                .await,
        );
        assert_eq!(status, 402);
        assert_eq!(err.type_, ApiErrorsType::CardError);
        assert_eq!(err.code.as_ref().map(|c| c.as_str()), Some("card_declined"));
        assert_eq!(err.decline_code.as_deref(), Some("generic_decline"));
        let detached = DetachPaymentMethod::new(pm.id.clone())
            .send(&c)
            .await
            .unwrap();
        assert!(detached.customer.is_none());

        let deleted = DeleteCustomer::new(created.id.clone())
            .send(&c)
            .await
            .unwrap();
        assert_eq!(deleted.id, created.id);
        match RetrieveCustomer::new(created.id.clone())
            .send(&c)
            .await
            .unwrap()
        {
            RetrieveCustomerReturned::DeletedCustomer(d) => assert_eq!(d.id, created.id),
            other => panic!("expected the deleted stub, got {other:?}"),
        }

        let (status, err) = api_error(RetrieveCustomer::new("cus_missing").send(&c).await);
        assert_eq!(status, 404);
        assert_eq!(
            err.code.as_ref().map(|c| c.as_str()),
            Some("resource_missing")
        );
        assert_eq!(err.param.as_deref(), Some("id"));
        // Another account's key sees none of it.
        let other = server.client(&new_key());
        let (status, _) = api_error(RetrieveCustomer::new(once.id.clone()).send(&other).await);
        assert_eq!(status, 404);
    })
    .await;
}

#[tokio::test]
async fn subscriptions_invoices_and_previews() {
    both_backends(|server| async move {
        let key = new_key();
        let c = server.client(&key);
        let cat = catalog(&c).await;
        assert_eq!(cat.product.name, "Pro");
        let prices = ListPrice::new()
            .product(cat.product.id.as_str())
            .send(&c)
            .await
            .unwrap();
        assert_eq!(prices.data.len(), 2);

        let (customer, _) = customer_with_card(&c, "sub@example.com").await;
        let sub = subscribe(&c, customer.id.as_str(), cat.monthly.id.as_str()).await;
        assert_eq!(sub.status, stripe_shared::SubscriptionStatus::Active);
        let item = &sub.items.data[0];
        assert_eq!(item.price.id, cat.monthly.id);
        assert_eq!(item.plan.id.as_str(), cat.monthly.id.as_str());
        assert_eq!(item.plan.amount, Some(1500));
        assert_eq!(item.plan.interval, stripe_shared::PlanInterval::Month);
        let invoice = sub
            .latest_invoice
            .as_ref()
            .and_then(|i| i.as_object())
            .expect("expanded");
        assert_eq!(invoice.amount_paid, 1500);
        assert_eq!(invoice.status, Some(stripe_shared::InvoiceStatus::Paid));

        // What the upgrade to yearly would cost today.
        let preview = CreatePreviewInvoice::new()
            .subscription(sub.id.as_str())
            .subscription_details(CreatePreviewInvoiceSubscriptionDetails {
                items: Some(vec![CreatePreviewInvoiceSubscriptionDetailsItems {
                    id: Some(item.id.to_string()),
                    price: Some(cat.yearly.id.to_string()),
                    ..Default::default()
                }]),
                ..Default::default()
            })
            .send(&c)
            .await
            .unwrap();
        assert!(preview.lines.data.len() >= 2, "the new price and a credit");
        assert!(
            preview.total > 0 && preview.total < 15000,
            "{}",
            preview.total
        );

        let at_end = UpdateSubscription::new(sub.id.clone())
            .cancel_at_period_end(true)
            .send(&c)
            .await
            .unwrap();
        assert!(at_end.cancel_at_period_end);
        let canceled = CancelSubscription::new(sub.id.clone())
            .send(&c)
            .await
            .unwrap();
        assert_eq!(canceled.status, stripe_shared::SubscriptionStatus::Canceled);
        assert_eq!(invoices_of(&c, customer.id.as_str()).await.len(), 1);

        // A trial on a test clock, then a month and more of time.
        let clock = CreateTestHelpersTestClock::new(1_800_000_000)
            .send(&c)
            .await
            .unwrap();
        let on_clock = CreateCustomer::new()
            .test_clock(clock.id.as_str())
            .payment_method("pm_card_visa")
            .invoice_settings(CreateCustomerInvoiceSettings {
                default_payment_method: Some("pm_card_visa".into()),
                ..Default::default()
            })
            .send(&c)
            .await
            .unwrap();
        let trial = subscription_to(on_clock.id.as_str(), cat.monthly.id.as_str())
            .trial_period_days(7u32)
            .send(&c)
            .await
            .unwrap();
        assert_eq!(trial.status, stripe_shared::SubscriptionStatus::Trialing);
        advance(&c, &clock.id, 1_800_000_000 + 40 * 86_400).await;
        let after = RetrieveSubscription::new(trial.id.clone())
            .send(&c)
            .await
            .unwrap();
        assert_eq!(after.status, stripe_shared::SubscriptionStatus::Active);
        let billed = invoices_of(&c, on_clock.id.as_str()).await;
        let paid: Vec<i64> = billed.iter().map(|i| i.amount_paid).collect();
        assert!(paid.iter().filter(|&&a| a == 1500).count() >= 2, "{paid:?}");

        // A schedule taken over from the subscription: its phase shows the item's price (and
        // the legacy plan), and its event decodes as a schedule.
        let schedule = stripe_billing::subscription_schedule::CreateSubscriptionSchedule::new()
            .from_subscription(trial.id.as_str())
            .send(&c)
            .await
            .unwrap();
        let phase_item = &schedule.phases[0].items[0];
        assert_eq!(phase_item.price.id().as_str(), cat.monthly.id.as_str());
        assert_eq!(phase_item.plan.id().as_str(), cat.monthly.id.as_str());
        match only_event(&c, &server.base, &key, "subscription_schedule.created").await {
            EventObject::SubscriptionScheduleCreated(s) => assert_eq!(s.id, schedule.id),
            other => panic!("decoded as {other:?}"),
        }
    })
    .await;
}

#[tokio::test]
async fn card_less_trials_pause_and_resume_and_collection_pauses() {
    both_backends(|server| async move {
        let key = new_key();
        let c = server.client(&key);
        let cat = catalog(&c).await;
        let t0 = 1_800_000_000;
        let clock = CreateTestHelpersTestClock::new(t0).send(&c).await.unwrap();
        let customer = CreateCustomer::new()
            .test_clock(clock.id.as_str())
            .send(&c)
            .await
            .unwrap();
        let sub = subscription_to(customer.id.as_str(), cat.monthly.id.as_str())
            .trial_period_days(7u32)
            .trial_settings(CreateSubscriptionTrialSettings::new(
                CreateSubscriptionTrialSettingsEndBehavior::new(
                    CreateSubscriptionTrialSettingsEndBehaviorMissingPaymentMethod::Pause,
                ),
            ))
            .send(&c)
            .await
            .unwrap();
        let settings = sub.trial_settings.as_ref().unwrap();
        assert_eq!(
            settings.end_behavior.missing_payment_method.as_str(),
            "pause"
        );

        // Three days before its end the trial is announced; at its end, with no card, it pauses.
        advance(&c, &clock.id, t0 + 8 * 86_400).await;
        match only_event(
            &c,
            &server.base,
            &key,
            "customer.subscription.trial_will_end",
        )
        .await
        {
            EventObject::CustomerSubscriptionTrialWillEnd(s) => assert_eq!(s.id, sub.id),
            other => panic!("decoded as {other:?}"),
        }
        match only_event(&c, &server.base, &key, "customer.subscription.paused").await {
            EventObject::CustomerSubscriptionPaused(s) => {
                assert_eq!(s.status, stripe_shared::SubscriptionStatus::Paused)
            }
            other => panic!("decoded as {other:?}"),
        }

        // A card, then the business resumes it: a new month from now, charged.
        let card = AttachPaymentMethod::new("pm_card_visa")
            .customer(customer.id.as_str())
            .send(&c)
            .await
            .unwrap();
        UpdateCustomer::new(customer.id.clone())
            .invoice_settings(UpdateCustomerInvoiceSettings {
                default_payment_method: Some(card.id.to_string()),
                ..Default::default()
            })
            .send(&c)
            .await
            .unwrap();
        let resumed = ResumeSubscription::new(sub.id.clone())
            .send(&c)
            .await
            .unwrap();
        assert_eq!(resumed.status, stripe_shared::SubscriptionStatus::Active);
        assert_eq!(resumed.billing_cycle_anchor, t0 + 8 * 86_400);
        match only_event(&c, &server.base, &key, "customer.subscription.resumed").await {
            EventObject::CustomerSubscriptionResumed(s) => assert_eq!(s.id, sub.id),
            other => panic!("decoded as {other:?}"),
        }
        let (status, _) = api_error(ResumeSubscription::new(sub.id.clone()).send(&c).await);
        assert_eq!(status, 400);

        // Collection paused: the next renewal is kept as a draft, finalized and paid later.
        let paused = UpdateSubscription::new(sub.id.clone())
            .pause_collection(UpdateSubscriptionPauseCollection::new(
                UpdateSubscriptionPauseCollectionBehavior::KeepAsDraft,
            ))
            .send(&c)
            .await
            .unwrap();
        let pause = paused.pause_collection.as_ref().unwrap();
        assert_eq!(pause.behavior.as_str(), "keep_as_draft");
        assert_eq!(pause.resumes_at, None);
        advance(&c, &clock.id, t0 + 40 * 86_400).await;
        let draft = invoices_of(&c, customer.id.as_str()).await.remove(0);
        assert_eq!(draft.status, Some(stripe_shared::InvoiceStatus::Draft));
        assert!(!draft.auto_advance.unwrap_or(true));
        let draft_id = draft.id.clone().unwrap();
        let memo = UpdateInvoice::new(draft_id.clone())
            .description("Paused month, billed later")
            .send(&c)
            .await
            .unwrap();
        assert_eq!(
            memo.description.as_deref(),
            Some("Paused month, billed later")
        );
        let open = FinalizeInvoiceInvoice::new(draft_id.clone())
            .send(&c)
            .await
            .unwrap();
        assert_eq!(open.status, Some(stripe_shared::InvoiceStatus::Open));
        let paid = PayInvoice::new(draft_id).send(&c).await.unwrap();
        assert_eq!(paid.status, Some(stripe_shared::InvoiceStatus::Paid));
    })
    .await;
}

#[tokio::test]
async fn portal_configurations_sessions_and_signed_webhooks() {
    both_backends(|server| async move {
        let key = new_key();
        let c = server.client(&key);
        let (hook_url, received) = receiver().await;
        let secret = webhook_endpoint(&server.base, &key, &hook_url).await;
        let cat = catalog(&c).await;
        let (customer, _) = customer_with_card(&c, "portal@example.com").await;
        let sub = subscribe(&c, customer.id.as_str(), cat.monthly.id.as_str()).await;
        let coupon = CreateCoupon::new()
            .percent_off(20.0)
            .duration(stripe_shared::CouponDuration::Once)
            .send(&c)
            .await
            .unwrap();
        let promo = CreatePromotionCode::new(CreatePromotionCodePromotion {
            coupon: Some(coupon.id.to_string()),
            type_: CreatePromotionCodePromotionType::Coupon,
        })
        .code("SAVE20")
        .send(&c)
        .await
        .unwrap();
        assert_eq!(promo.code, "SAVE20");

        let mut features = CreateBillingPortalConfigurationFeatures::new();
        features.invoice_history = Some(InvoiceListParam { enabled: true });
        features.payment_method_update = Some(PaymentMethodUpdateParam {
            enabled: true,
            payment_method_configuration: None,
        });
        let mut cancel = CreateBillingPortalConfigurationFeaturesSubscriptionCancel::new(true);
        cancel.mode =
            Some(CreateBillingPortalConfigurationFeaturesSubscriptionCancelMode::AtPeriodEnd);
        features.subscription_cancel = Some(cancel);
        let mut update = CreateBillingPortalConfigurationFeaturesSubscriptionUpdate::new(true);
        update.default_allowed_updates = Some(vec![
            CreateBillingPortalConfigurationFeaturesSubscriptionUpdateDefaultAllowedUpdates::Price,
        ]);
        update.products = Some(vec![SubscriptionUpdateProductParam {
            adjustable_quantity: None,
            prices: vec![cat.monthly.id.to_string(), cat.yearly.id.to_string()],
            product: cat.product.id.to_string(),
        }]);
        features.subscription_update = Some(update);
        let config = CreateBillingPortalConfiguration::new(features)
            .default_return_url("https://example.com/account")
            .send(&c)
            .await
            .unwrap();
        assert!(config.id.as_str().starts_with("bpc_"));
        assert!(config.features.subscription_update.enabled);
        let renamed = UpdateBillingPortalConfiguration::new(config.id.clone())
            .business_profile(UpdateBillingPortalConfigurationBusinessProfile {
                headline: Some("Acme billing".into()),
                ..Default::default()
            })
            .send(&c)
            .await
            .unwrap();
        assert_eq!(
            renamed.business_profile.headline.as_deref(),
            Some("Acme billing")
        );
        let listed = ListBillingPortalConfiguration::new()
            .send(&c)
            .await
            .unwrap();
        assert!(listed.data.iter().any(|x| x.id == config.id));
        RetrieveBillingPortalConfiguration::new(config.id.clone())
            .send(&c)
            .await
            .unwrap();

        // One session per flow, each with its after-completion.
        let session = |flow: CreateBillingPortalSessionFlowData| {
            CreateBillingPortalSession::new()
                .customer(customer.id.as_str())
                .configuration(config.id.as_str())
                .flow_data(flow)
        };
        let redirect = |url: &str| {
            let mut a = CreateBillingPortalSessionFlowDataAfterCompletion::new(
                CreateBillingPortalSessionFlowDataAfterCompletionType::Redirect,
            );
            a.redirect = Some(CreateBillingPortalSessionFlowDataAfterCompletionRedirect::new(url));
            a
        };
        let plain = CreateBillingPortalSession::new()
            .customer(customer.id.as_str())
            .configuration(config.id.as_str())
            .return_url("https://example.com/back")
            .send(&c)
            .await
            .unwrap();
        assert!(plain.flow.is_none());
        assert_eq!(
            plain.return_url.as_deref(),
            Some("https://example.com/back")
        );

        let mut pm_flow = CreateBillingPortalSessionFlowData::new(
            CreateBillingPortalSessionFlowDataType::PaymentMethodUpdate,
        );
        pm_flow.after_completion = Some(redirect("https://example.com/card-saved"));
        let pm_session = session(pm_flow).send(&c).await.unwrap();

        let mut cancel_flow = CreateBillingPortalSessionFlowData::new(
            CreateBillingPortalSessionFlowDataType::SubscriptionCancel,
        );
        let mut cancel = CreateBillingPortalSessionFlowDataSubscriptionCancel::new(sub.id.as_str());
        cancel.retention = Some(
            CreateBillingPortalSessionFlowDataSubscriptionCancelRetention::new(
                CreateBillingPortalSessionFlowDataSubscriptionCancelRetentionCouponOffer::new(
                    coupon.id.as_str(),
                ),
                CreateBillingPortalSessionFlowDataSubscriptionCancelRetentionType::CouponOffer,
            ),
        );
        cancel_flow.subscription_cancel = Some(cancel);
        let cancel_session = session(cancel_flow).send(&c).await.unwrap();

        let mut update_flow = CreateBillingPortalSessionFlowData::new(
            CreateBillingPortalSessionFlowDataType::SubscriptionUpdate,
        );
        update_flow.subscription_update = Some(
            CreateBillingPortalSessionFlowDataSubscriptionUpdate::new(sub.id.as_str()),
        );
        update_flow.after_completion =
            Some(CreateBillingPortalSessionFlowDataAfterCompletion::new(
                CreateBillingPortalSessionFlowDataAfterCompletionType::PortalHomepage,
            ));
        let update_session = session(update_flow).send(&c).await.unwrap();

        let mut confirm_flow = CreateBillingPortalSessionFlowData::new(
            CreateBillingPortalSessionFlowDataType::SubscriptionUpdateConfirm,
        );
        let mut item = CreateBillingPortalSessionFlowDataSubscriptionUpdateConfirmItems::new(
            sub.items.data[0].id.as_str(),
        );
        item.price = Some(cat.yearly.id.to_string());
        let mut confirm = CreateBillingPortalSessionFlowDataSubscriptionUpdateConfirm::new(
            vec![item],
            sub.id.as_str(),
        );
        confirm.discounts = Some(vec![
            CreateBillingPortalSessionFlowDataSubscriptionUpdateConfirmDiscounts {
                coupon: None,
                promotion_code: Some(promo.id.to_string()),
            },
        ]);
        confirm_flow.subscription_update_confirm = Some(confirm);
        let mut hosted = CreateBillingPortalSessionFlowDataAfterCompletion::new(
            CreateBillingPortalSessionFlowDataAfterCompletionType::HostedConfirmation,
        );
        hosted.hosted_confirmation = Some(
            CreateBillingPortalSessionFlowDataAfterCompletionHostedConfirmation {
                custom_message: Some("See you next year".into()),
            },
        );
        confirm_flow.after_completion = Some(hosted);
        let confirm_session = session(confirm_flow).send(&c).await.unwrap();

        use stripe_billing::PortalFlowsFlowAfterCompletionType as After;
        use stripe_billing::PortalFlowsFlowType as Flow;
        fn flow(s: &stripe_billing::BillingPortalSession) -> &stripe_billing::PortalFlowsFlow {
            s.flow.as_ref().expect("a flow")
        }
        let flow_of = |s: &stripe_billing::BillingPortalSession| {
            let f = flow(s);
            (f.type_.clone(), f.after_completion.type_.clone())
        };
        assert_eq!(
            flow_of(&pm_session),
            (Flow::PaymentMethodUpdate, After::Redirect)
        );
        assert_eq!(
            flow(&pm_session)
                .after_completion
                .redirect
                .as_ref()
                .unwrap()
                .return_url,
            "https://example.com/card-saved"
        );
        assert_eq!(
            flow_of(&cancel_session),
            (Flow::SubscriptionCancel, After::HostedConfirmation)
        );
        let retention = flow(&cancel_session).subscription_cancel.as_ref().unwrap();
        assert_eq!(retention.subscription, sub.id.as_str());
        assert!(retention.retention.is_some());
        assert_eq!(
            flow_of(&update_session),
            (Flow::SubscriptionUpdate, After::PortalHomepage)
        );
        assert_eq!(
            flow_of(&confirm_session),
            (Flow::SubscriptionUpdateConfirm, After::HostedConfirmation)
        );
        let confirm = flow(&confirm_session)
            .subscription_update_confirm
            .as_ref()
            .unwrap();
        assert_eq!(
            confirm.items[0].price.as_deref(),
            Some(cat.yearly.id.as_str())
        );
        assert_eq!(
            confirm.discounts.as_ref().unwrap()[0]
                .promotion_code
                .as_deref(),
            Some(promo.id.as_str())
        );

        // Each link opens its page: the homepage, or a redirect into its flow that takes the
        // browser's cookie along.
        let browser = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        for (s, heading) in [
            (&plain, "Your billing"),
            (&pm_session, "Update your payment method"),
            (&cancel_session, "Cancel your subscription"),
            (&update_session, "Update your plan"),
            (&confirm_session, "Confirm your new plan"),
        ] {
            assert!(
                s.url.starts_with(&format!("{}/p/session/", server.base)),
                "{}",
                s.url
            );
            let mut page = browser.get(&s.url).send().await.unwrap();
            if s.flow.is_some() {
                assert_eq!(page.status(), 303, "{}", s.url);
                let header = |name| page.headers()[name].to_str().unwrap().to_owned();
                let (to, cookie) = (header("location"), header("set-cookie"));
                let cookie = cookie.split(';').next().unwrap().to_owned();
                let to = format!("{}{to}", server.base);
                assert!(to.starts_with(&s.url), "{to}");
                page = browser
                    .get(&to)
                    .header("cookie", cookie)
                    .send()
                    .await
                    .unwrap();
            }
            assert_eq!(page.status(), 200, "{}", s.url);
            let html = page.text().await.unwrap();
            assert!(html.contains(&format!("<h1>{heading}</h1>")), "{html:.400}");
        }

        // A flow for a subscription that does not exist names the parameter.
        let mut missing = CreateBillingPortalSessionFlowData::new(
            CreateBillingPortalSessionFlowDataType::SubscriptionCancel,
        );
        missing.subscription_cancel = Some(
            CreateBillingPortalSessionFlowDataSubscriptionCancel::new("sub_missing"),
        );
        let (status, err) = api_error(session(missing).send(&c).await);
        assert_eq!(status, 400);
        assert_eq!(
            err.param.as_deref(),
            Some("flow_data[subscription_cancel][subscription]")
        );

        // A change outside the portal, so that a subscription update is among the events.
        UpdateSubscription::new(sub.id.clone())
            .metadata(HashMap::from([("seen".to_owned(), "yes".to_owned())]))
            .send(&c)
            .await
            .unwrap();

        // Every event decodes from the events list ...
        let events = ListEvent::new().limit(100u32).send(&c).await.unwrap();
        let types: Vec<String> = events
            .data
            .iter()
            .map(|e| e.type_.as_str().to_owned())
            .collect();
        for wanted in [
            "customer.created",
            "payment_method.attached",
            "customer.subscription.created",
            "customer.subscription.updated",
            "invoice.paid",
            "billing_portal.configuration.created",
            "billing_portal.session.created",
        ] {
            assert!(
                types.iter().any(|t| t == wanted),
                "no {wanted} in {types:?}"
            );
        }
        RetrieveEvent::new(events.data[0].id.clone())
            .send(&c)
            .await
            .unwrap();

        // ... and arrives signed: async-stripe's check accepts each delivery, decodes its object
        // as the type the event names, and refuses a body that was changed.
        let deadline = Instant::now() + Duration::from_secs(30);
        while received.lock().unwrap().len() < events.data.len() {
            assert!(
                Instant::now() < deadline,
                "{} of {} events delivered",
                received.lock().unwrap().len(),
                events.data.len()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let deliveries = received.lock().unwrap().clone();
        let mut subscription_updates = 0;
        for (body, sig) in &deliveries {
            let event = Webhook::construct_event(body, sig, &secret)
                .unwrap_or_else(|e| panic!("{e:?} for {body:.300}"));
            match &event.data.object {
                EventObject::CustomerSubscriptionUpdated(s) => {
                    assert_eq!(s.id, sub.id);
                    assert_eq!(s.items.data.len(), 1);
                    subscription_updates += 1;
                }
                EventObject::CustomerSubscriptionCreated(s) => assert_eq!(s.id, sub.id),
                EventObject::InvoicePaid(i) => assert_eq!(i.amount_paid, 1500),
                EventObject::BillingPortalSessionCreated(s) => {
                    assert_eq!(s.customer, customer.id.as_str())
                }
                EventObject::Unknown(_) => panic!("not decoded: {body:.300}"),
                _ => {}
            }
            let tampered = body.replacen('{', "{ ", 1);
            assert!(Webhook::construct_event(&tampered, sig, &secret).is_err());
        }
        assert!(subscription_updates >= 1);
    })
    .await;
}

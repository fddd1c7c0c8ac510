//! What every handler shares: the store, the key policy, the clock and the server's settings.

use crate::auth::{Caller, KeyPolicy};
use crate::http::Failure;
use portico_domain::AccountId;
use portico_store::Store;
use sha2::Digest;
use std::collections::HashSet;
use std::ops::Deref;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, RwLock};

/// Where "now" comes from. The server clock in production; a settable one in tests.
pub trait Clock: Send + Sync {
    /// Unix seconds.
    fn now(&self) -> i64;
}

/// The operating system's clock.
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> i64 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or(0)
    }
}

/// A clock tests set by hand.
#[derive(Default)]
pub struct ManualClock(pub AtomicI64);

impl ManualClock {
    /// A clock showing `t`.
    pub fn at(t: i64) -> ManualClock {
        ManualClock(AtomicI64::new(t))
    }

    /// Moves the clock to `t`.
    pub fn set(&self, t: i64) {
        self.0.store(t, Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> i64 {
        self.0.load(Ordering::SeqCst)
    }
}

/// The server's settings that handlers need.
#[derive(Clone, Debug)]
pub struct Settings {
    /// Base of every link Portico hands out (no trailing slash).
    pub public_url: String,
    /// Webhook delivery: retries, timeouts, which targets may be reached.
    pub webhooks: crate::webhooks::WebhookSettings,
    /// How long portal links last.
    pub portal: PortalSettings,
    /// Where email goes.
    pub mail: crate::mail::MailSettings,
    /// Development mode (any test key; the mail outbox page).
    pub dev: bool,
    /// Request rates allowed per API key and per client address (`None`: unlimited).
    pub rate_limits: RateLimits,
    /// The keys that seal secrets at rest (the first seals); empty: the database's own key.
    pub data_keys: Vec<crate::seal::DataKey>,
    /// SHA-256 of the operators' dashboard password (`--admin-password`), if one was set.
    pub admin_password: Option<[u8; 32]>,
    /// The accounts' default currency, as a Stripe account's settlement currency: what an
    /// invoice or invoice item is in when neither the request nor the customer says.
    pub default_currency: String,
}

impl Settings {
    /// Development settings on `public_url`: any test key, fast webhook retries to any target,
    /// email kept in the outbox, no rate limits, the database's own data key.
    pub fn dev(public_url: &str) -> Settings {
        Settings {
            public_url: public_url.to_owned(),
            webhooks: crate::webhooks::WebhookSettings::dev(),
            portal: Default::default(),
            mail: crate::mail::MailSettings::outbox(),
            dev: true,
            rate_limits: Default::default(),
            data_keys: Vec::new(),
            admin_password: None,
            default_currency: "usd".into(),
        }
    }
}

/// The request rates the server allows.
#[derive(Clone, Copy, Debug, Default)]
pub struct RateLimits {
    /// API requests per account (API key).
    pub per_key: Option<crate::limits::Rate>,
    /// Requests (API and pages) per client IP address.
    pub per_client: Option<crate::limits::Rate>,
    /// Connections open at once per client IP address (a trusted proxy's are not counted).
    pub connections_per_client: Option<usize>,
}

/// How long portal links last.
#[derive(Clone, Debug)]
pub struct PortalSettings {
    /// A session link not opened within this many seconds expires.
    pub link_ttl_secs: i64,
    /// An opened session ends after this many seconds without use.
    pub idle_secs: i64,
    /// Login-page requests allowed per email address in ten minutes.
    pub login_per_address: usize,
    /// Login-page requests allowed per client address in ten minutes.
    pub login_per_client: usize,
}

impl Default for PortalSettings {
    fn default() -> PortalSettings {
        PortalSettings {
            link_ttl_secs: 300,
            idle_secs: 3600,
            login_per_address: 3,
            login_per_client: 10,
        }
    }
}

/// The server-wide secret behind card fingerprints (one per database).
pub const FINGERPRINT_SECRET: &str = "card_fingerprint";

/// Shared application state; cheap to clone.
#[derive(Clone)]
pub struct App(Arc<Inner>);

/// The contents of [`App`].
pub struct Inner {
    pub store: Arc<dyn Store>,
    pub keys: KeyPolicy,
    pub clock: Arc<dyn Clock>,
    pub settings: Settings,
    /// Wakes the webhook worker when a commit queued deliveries.
    pub webhook_wake: tokio::sync::Notify,
    /// Wakes the mail sender when a commit queued email.
    pub mail_wake: tokio::sync::Notify,
    /// Rate limits of the pages open to anyone (the login page).
    pub limits: crate::limits::RateLimiter,
    /// Request rates per API key and per client.
    pub buckets: crate::limits::Buckets,
    /// Seals the secrets Portico stores and must read back.
    pub sealer: crate::seal::Sealer,
    /// API bodies of objects as last rendered, by object version.
    pub renders: crate::objects::Renders,
    known_accounts: RwLock<HashSet<AccountId>>,
    fingerprint_secret: tokio::sync::OnceCell<String>,
    /// The key of hosted invoice links, once read from the database.
    link_key: std::sync::OnceLock<[u8; 32]>,
}

impl Deref for App {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

impl App {
    /// Assembles the state.
    pub fn new(
        store: Arc<dyn Store>,
        keys: KeyPolicy,
        clock: Arc<dyn Clock>,
        settings: Settings,
    ) -> App {
        let sealer = crate::seal::Sealer::new(&settings.data_keys, store.clone());
        App(Arc::new(Inner {
            sealer,
            store,
            keys,
            clock,
            settings,
            webhook_wake: tokio::sync::Notify::new(),
            mail_wake: tokio::sync::Notify::new(),
            limits: Default::default(),
            buckets: Default::default(),
            renders: crate::objects::Renders::new(crate::objects::RENDERS_BUDGET),
            known_accounts: RwLock::new(HashSet::new()),
            fingerprint_secret: tokio::sync::OnceCell::new(),
            link_key: std::sync::OnceLock::new(),
        }))
    }

    /// Reads the key of hosted invoice links from the database (made on first use), if not
    /// read yet. Rendering is not async: the key is read before anything is rendered.
    pub async fn load_link_key(&self) -> Result<(), Failure> {
        if self.link_key.get().is_none() {
            let secret = self.store.secret(crate::invoice_link::LINK_SECRET).await?;
            let _ = self.link_key.set(crate::invoice_link::key_of(&secret));
        }
        Ok(())
    }

    /// The key of hosted invoice links, once [`App::load_link_key`] has read it.
    pub fn link_key(&self) -> Option<&[u8; 32]> {
        self.link_key.get()
    }

    /// The key that fingerprints card numbers in `account`: derived from the database's
    /// secret, so equal numbers match within an account and never across accounts.
    pub async fn fingerprint_key(&self, account: &AccountId) -> Result<Vec<u8>, Failure> {
        let secret = self
            .fingerprint_secret
            .get_or_try_init(|| async { self.store.secret(FINGERPRINT_SECRET).await })
            .await?;
        let mut h = sha2::Sha256::new();
        sha2::Digest::update(&mut h, secret.as_bytes());
        sha2::Digest::update(&mut h, account.as_str().as_bytes());
        Ok(sha2::Digest::finalize(h).to_vec())
    }

    /// Creates the caller's account on first sight (once per process per account).
    pub async fn ensure_account(&self, caller: &Caller, now: i64) -> Result<(), Failure> {
        if self
            .known_accounts
            .read()
            .map(|s| s.contains(&caller.account))
            .unwrap_or(false)
        {
            return Ok(());
        }
        self.store
            .ensure_account(&caller.account, caller.livemode, now)
            .await?;
        self.load_link_key().await?;
        if let Ok(mut s) = self.known_accounts.write() {
            s.insert(caller.account.clone());
        }
        Ok(())
    }
}

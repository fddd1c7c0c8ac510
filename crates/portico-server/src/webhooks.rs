//! Webhook delivery: signing, the retry schedule, which targets may be reached, and the worker
//! that sends the outbox.
//!
//! Every event is queued for each matching endpoint in the same transaction as the event
//! ([`App::commit_at`]), so nothing is lost if the process dies. The worker leases due rows
//! (instances sharing a database split them), POSTs the event JSON signed like Stripe
//! (`Stripe-Signature: t=…,v1=…`, HMAC-SHA256 over `t.payload`), and records the attempt with
//! what follows it: done on a 2xx, otherwise a retry per the schedule until it runs out.

use crate::state::App;
use hmac::{Hmac, Mac};
use portico_domain::webhook_endpoint::WebhookEndpoint;
use portico_domain::{IdGen, RandomIds, ID_LEN};
use portico_store::{Attempt, ClaimLimits, Delivery, Finished, Next, StoreError};
use serde_json::Value;
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How much of a response body is kept for operators.
const RESPONSE_KEEP: usize = 2048;
/// How many attempts one worker makes at once.
pub const MAX_IN_FLIGHT: usize = 64;
/// How many of those may go to one endpoint.
pub const MAX_PER_ENDPOINT: usize = 8;
/// How many of those may be one account's: the rest stay free for the other accounts, so one
/// account's slow or dead endpoints cannot hold up everyone's webhooks.
pub const MAX_PER_ACCOUNT: usize = 16;
/// Attempts in all, counting those beyond [`MAX_IN_FLIGHT`] and [`MAX_PER_ACCOUNT`] that go to
/// endpoints with nothing else in flight: while the slots are taken by endpoints that hang (a
/// few accounts' worth, or one account's share), an endpoint that answers still gets its
/// deliveries one at a time — until this many attempts hang at once.
pub const MAX_ATTEMPTS: usize = 2 * MAX_IN_FLIGHT;
/// A thorough lease looks past the deliveries of endpoints and accounts at their limit for
/// other deliveries, reading every due delivery ahead of those (on SQLite inside the writer);
/// any other reads only the first candidates. A lease is thorough once this many times as long
/// as the last thorough one took has passed since it started, so while they are quick every
/// lease is, and behind a backlog of tens of thousands due they take at most a tenth of the
/// time.
const CLAIM_GAP_FACTOR: u32 = 10;
/// While attempts are in flight, a wake takes a lease no sooner than this after the last
/// thorough one (nor sooner than [`CLAIM_GAP_FACTOR`] allows), however often commits come.
const CLAIM_GAP: Duration = Duration::from_millis(50);

/// The operator's webhook settings.
#[derive(Clone, Debug)]
pub struct WebhookSettings {
    /// Whether targets on loopback, private, link-local and other non-public addresses are
    /// allowed (on in `--dev`).
    pub allow_private: bool,
    /// Seconds to wait after failed attempt 1, 2, …; the last entry repeats.
    pub retry_schedule: Vec<i64>,
    /// No attempt is made later than this many seconds after the event.
    pub retry_for: i64,
    /// How long one attempt may take, connecting and answering.
    pub timeout: Duration,
    /// How often the worker looks for due deliveries when nothing wakes it (retries, and
    /// events committed by other instances).
    pub poll: Duration,
}

impl WebhookSettings {
    /// Production: retries after 1 minute, then backing off to a day, for up to 3 days.
    pub fn production() -> WebhookSettings {
        WebhookSettings {
            allow_private: false,
            retry_schedule: vec![60, 300, 1_800, 3_600, 7_200, 14_400, 28_800, 57_600, 86_400],
            retry_for: 3 * 86_400,
            timeout: Duration::from_secs(10),
            poll: Duration::from_secs(5),
        }
    }

    /// `--dev`: private targets allowed, and the first retries within seconds so a local test
    /// sees them; still backing off to a day, for up to 3 days.
    pub fn dev() -> WebhookSettings {
        WebhookSettings {
            allow_private: true,
            retry_schedule: vec![
                1, 2, 5, 10, 30, 60, 300, 1_800, 3_600, 7_200, 14_400, 28_800, 57_600, 86_400,
            ],
            poll: Duration::from_secs(1),
            ..WebhookSettings::production()
        }
    }

    /// When to try again after `attempts` failed attempts (the last at `now`) of a delivery
    /// created at `created`; `None` once the retry window is spent.
    pub fn next_retry(&self, created: i64, attempts: i64, now: i64) -> Option<i64> {
        let idx = (attempts.max(1) as usize - 1).min(self.retry_schedule.len().checked_sub(1)?);
        let at = now + self.retry_schedule[idx].max(1);
        (at <= created + self.retry_for).then_some(at)
    }

    /// How long a worker holds a delivery: long enough for one attempt, short enough that a
    /// crashed worker's deliveries are soon taken over.
    pub fn lease_secs(&self) -> i64 {
        2 * self.timeout.as_secs().max(1) as i64 + 5
    }
}

/// The `Stripe-Signature` header for `payload` sent at `t` and signed with `secret`.
pub fn signature_header(secret: &str, t: i64, payload: &str) -> String {
    format!("t={t},v1={}", sign(secret, t, payload))
}

/// HMAC-SHA256 of `{t}.{payload}` keyed with the whole secret (`whsec_…`), as hex.
pub fn sign(secret: &str, t: i64, payload: &str) -> String {
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes())
        .expect("HMAC takes keys of any length");
    mac.update(t.to_string().as_bytes());
    mac.update(b".");
    mac.update(payload.as_bytes());
    crate::digest::hex(&mac.finalize().into_bytes())
}

/// Whether an address is on the public internet: not loopback, private, link-local (cloud
/// metadata lives there), shared, multicast, documentation or unspecified.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            !(v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_multicast()
                || v4.is_documentation()
                || a == 0
                || (a == 100 && (64..128).contains(&b))
                || (a == 198 && (b == 18 || b == 19))
                || a >= 240)
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public(IpAddr::V4(v4));
            }
            let first = v6.segments()[0];
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80
                || first == 0x2001 && v6.segments()[1] == 0x0db8)
        }
    }
}

/// Refuses a webhook URL whose host is, on its face, not public (an IP literal on a private
/// network, or `localhost`), unless the operator allows private targets. Host names are checked
/// again when they are resolved, at every delivery.
pub fn check_target(raw: &str, allow_private: bool) -> Result<(), String> {
    if allow_private {
        return Ok(());
    }
    let Ok(u) = url::Url::parse(raw) else {
        return Err("must be an absolute http:// or https:// URL.".into());
    };
    let private = match u.host() {
        Some(url::Host::Ipv4(ip)) => !is_public(IpAddr::V4(ip)),
        Some(url::Host::Ipv6(ip)) => !is_public(IpAddr::V6(ip)),
        Some(url::Host::Domain(d)) => {
            let d = d.trim_end_matches('.').to_ascii_lowercase();
            d == "localhost" || d.ends_with(".localhost")
        }
        None => true,
    };
    if private {
        return Err(format!(
            "{raw} points to a loopback or private address, which this server does not deliver to. \
             Use a public URL, or start Portico with --webhook-allow-private."
        ));
    }
    Ok(())
}

/// Resolves host names to public addresses only, so a public-looking name cannot steer a
/// delivery onto the server's own network.
struct PublicOnly;

impl reqwest::dns::Resolve for PublicOnly {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        Box::pin(async move {
            let host = name.as_str().to_owned();
            let all: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let public: Vec<SocketAddr> = all.into_iter().filter(|a| is_public(a.ip())).collect();
            if public.is_empty() {
                return Err(format!(
                    "{host} resolves only to loopback or private addresses (start Portico with --webhook-allow-private to allow them)"
                )
                .into());
            }
            Ok(Box::new(public.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

/// The outcome of one HTTP attempt.
#[derive(Debug)]
struct Sent {
    status: Option<u16>,
    error: Option<String>,
    response: Option<String>,
}

/// Sends due deliveries for one process. Each worker has its own lease-owner name.
pub struct Deliverer {
    app: App,
    client: reqwest::Client,
    owner: String,
}

/// A leased delivery with everything its attempt needs, read from the store beforehand, so the
/// attempt itself holds no database connection however long the endpoint takes.
enum Prepared {
    /// Nothing to send: the event or the endpoint is gone or disabled.
    Cancel(Finished),
    Send(Request),
}

/// A request to make, or the reason it cannot be made.
struct Request {
    d: Delivery,
    url: String,
    /// The endpoint's secret, or why the request cannot be made.
    target: Result<String, String>,
    body: String,
    now: i64,
}

/// Deliveries leased and not yet recorded, counted per endpoint and per account.
#[derive(Default)]
struct Held {
    endpoints: HashMap<String, usize>,
    accounts: HashMap<String, usize>,
    /// A leased delivery's endpoint and account, by delivery id.
    of: HashMap<String, (String, String)>,
}

impl Held {
    fn take(&mut self, d: &Delivery) {
        *self.endpoints.entry(d.endpoint_id.clone()).or_default() += 1;
        *self.accounts.entry(d.account.0.clone()).or_default() += 1;
        self.of
            .insert(d.id.clone(), (d.endpoint_id.clone(), d.account.0.clone()));
    }

    fn release(&mut self, delivery: &str) {
        let Some((endpoint, account)) = self.of.remove(delivery) else {
            return;
        };
        for (counts, key) in [
            (&mut self.endpoints, endpoint),
            (&mut self.accounts, account),
        ] {
            if let Some(n) = counts.get_mut(&key) {
                *n -= 1;
                if *n == 0 {
                    counts.remove(&key);
                }
            }
        }
    }

    /// Whether endpoints with nothing in flight may be kept waiting by the limits: every slot
    /// taken, or an account at its share.
    fn crowded(&self, in_flight: usize) -> bool {
        in_flight >= MAX_IN_FLIGHT || self.accounts.values().any(|n| *n >= MAX_PER_ACCOUNT)
    }

    /// The limits of a lease for endpoints with nothing in flight: one delivery each, whatever
    /// their account holds (the endpoints that have some are left out of the candidates read).
    fn idle_limits(&self, free: usize) -> ClaimLimits {
        ClaimLimits {
            total: free,
            per_endpoint: 1,
            held: self.endpoints.clone(),
            per_account: usize::MAX,
            held_accounts: HashMap::new(),
            thorough: true,
        }
    }

    fn limits(&self, free: usize, thorough: bool) -> ClaimLimits {
        ClaimLimits {
            total: free,
            per_endpoint: MAX_PER_ENDPOINT,
            held: self.endpoints.clone(),
            per_account: MAX_PER_ACCOUNT,
            held_accounts: self.accounts.clone(),
            thorough,
        }
    }
}

impl Deliverer {
    /// A deliverer using the app's webhook settings.
    pub fn new(app: App) -> anyhow::Result<Deliverer> {
        let s = &app.settings.webhooks;
        let mut builder = reqwest::Client::builder()
            .timeout(s.timeout)
            .connect_timeout(s.timeout)
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .user_agent(concat!(
                "Portico/",
                env!("CARGO_PKG_VERSION"),
                " (+webhooks)"
            ));
        if !s.allow_private {
            builder = builder.dns_resolver(Arc::new(PublicOnly));
        }
        let owner = RandomIds.next("worker_", ID_LEN);
        Ok(Deliverer {
            client: builder.build()?,
            app,
            owner,
        })
    }

    /// Sends every delivery due now and returns how many attempts were made, once nothing is
    /// due and nothing is in flight. Up to [`MAX_IN_FLIGHT`] attempts run at once, at most
    /// [`MAX_PER_ENDPOINT`] to one endpoint and [`MAX_PER_ACCOUNT`] for one account. A free
    /// slot is refilled when an attempt ends, and while attempts are in flight also when
    /// deliveries are queued or fall due, so a slow or hanging endpoint holds only its own
    /// slots. When the slots are all taken, or an account's share is, an endpoint with nothing
    /// in flight still gets one delivery at a time beyond them (up to [`MAX_ATTEMPTS`] in all),
    /// so endpoints that hang hold up one that answers only once that many attempts hang.
    /// Results are recorded as they come in, those that finish together in one transaction.
    ///
    /// The worker uses one database connection at a time: it leases, reads what each attempt
    /// needs and records results in turn, and the attempts in flight hold none, so a backlog
    /// of slow endpoints cannot take the connections the API needs.
    pub async fn run_due(&self) -> Result<usize, StoreError> {
        self.run_due_until(None).await
    }

    /// [`Deliverer::run_due`], claiming nothing more once `stop` turns true.
    async fn run_due_until(
        &self,
        stop: Option<&tokio::sync::watch::Receiver<bool>>,
    ) -> Result<usize, StoreError> {
        // Dropping the set (the pass ends early) stops the attempts in it.
        let mut in_flight: tokio::task::JoinSet<Result<Finished, String>> = Default::default();
        let mut task_of: HashMap<tokio::task::Id, String> = HashMap::new();
        let mut held = Held::default();
        let mut made = 0;
        // When the next lease is thorough, when the next on a wake may be taken, and when the
        // last lease started.
        let mut next_thorough = tokio::time::Instant::now();
        let mut next_on_wake = next_thorough;
        let mut last_lease = next_thorough;
        // When the next lease for endpoints with nothing in flight may be taken.
        let mut next_idle = next_thorough;
        // The first store error of the pass: nothing more is claimed, the attempts in flight
        // end and are recorded, and the pass returns it.
        let mut failed: Option<StoreError> = None;
        loop {
            let claiming = !stop.is_some_and(|s| *s.borrow()) && failed.is_none();
            // An idle lease put off to keep its pace: the wait below ends when it may be taken.
            let mut idle_put_off = false;
            // Two leases: one within the limits; then, while those limits (held by endpoints
            // that hang) would keep endpoints with nothing in flight waiting, a delivery for
            // each of those.
            for idle in [false, true] {
                let cap = if idle { MAX_ATTEMPTS } else { MAX_IN_FLIGHT };
                let free = cap.saturating_sub(in_flight.len());
                if free == 0 || !claiming || failed.is_some() {
                    continue;
                }
                let started = tokio::time::Instant::now();
                // The idle lease reads past every due delivery of the endpoints in flight: it
                // is paced as thorough leases are.
                if idle && !held.crowded(in_flight.len()) {
                    continue;
                }
                if idle && started < next_idle {
                    idle_put_off = true;
                    continue;
                }
                let now = self.app.clock.now();
                let lease_until = now + self.app.settings.webhooks.lease_secs();
                let thorough = !idle && started >= next_thorough;
                let limits = if idle {
                    held.idle_limits(free)
                } else {
                    held.limits(free, thorough)
                };
                let claimed = self
                    .app
                    .store
                    .claim_deliveries(&self.owner, now, lease_until, &limits)
                    .await;
                last_lease = started;
                if thorough {
                    let gap = started.elapsed() * CLAIM_GAP_FACTOR;
                    next_thorough = started + gap;
                    next_on_wake = started + gap.max(CLAIM_GAP);
                }
                if idle {
                    next_idle = started + (started.elapsed() * CLAIM_GAP_FACTOR).max(CLAIM_GAP);
                }
                let batch = claimed.unwrap_or_else(|e| {
                    failed = Some(e);
                    Vec::new()
                });
                for d in batch {
                    // Leased again while its attempt is still in flight (the lease ran out
                    // first): that attempt records it.
                    if held.of.contains_key(&d.id) {
                        continue;
                    }
                    held.take(&d);
                    let id = d.id.clone();
                    let task = self.start(self.prepare(d).await, &mut in_flight);
                    task_of.insert(task.id(), id);
                }
            }
            if in_flight.is_empty() {
                return match failed {
                    Some(e) => Err(e),
                    None => Ok(made),
                };
            }
            let room = in_flight.len() < MAX_IN_FLIGHT
                || (in_flight.len() < MAX_ATTEMPTS && held.crowded(in_flight.len()));
            let first = if room && claiming {
                // Room to spare: deliveries queued or falling due meanwhile are claimed without
                // waiting for an attempt to end (a hanging one takes the whole timeout), on a
                // wake at most once per CLAIM_GAP (longer after a slow lease) however often
                // commits come.
                let woken = async {
                    self.app.webhook_wake.notified().await;
                    tokio::time::sleep_until(next_on_wake).await;
                };
                let poll = last_lease + self.app.settings.webhooks.poll;
                tokio::select! {
                    next = in_flight.join_next_with_id() => next,
                    () = woken => continue,
                    () = tokio::time::sleep_until(if idle_put_off { next_idle } else { poll.max(next_on_wake) }) => continue,
                }
            } else {
                in_flight.join_next_with_id().await
            };
            let mut ended = Vec::from_iter(first);
            while let Some(more) = in_flight.try_join_next_with_id() {
                ended.push(more);
            }
            // A delivery whose attempt could not be prepared (a store error) or panicked stays
            // leased and is tried again when its lease runs out; the others are recorded, not
            // dropped with it (their requests may well have been answered).
            let mut done = Vec::new();
            for result in ended {
                let (task, result) = match result {
                    Ok((task, r)) => (task, r),
                    Err(e) => (e.id(), Err(format!("the attempt panicked: {e}"))),
                };
                let id = task_of.remove(&task).unwrap_or_default();
                held.release(&id);
                match result {
                    Ok(f) => done.push(f),
                    Err(e) => {
                        tracing::warn!(delivery = %id, error = %e, "webhook delivery attempt failed; retried after its lease")
                    }
                }
            }
            made += done.iter().filter(|f| f.attempt.is_some()).count();
            match self.app.store.finish_deliveries(&self.owner, &done).await {
                Ok(recorded) if recorded < done.len() => tracing::warn!(
                    lost = done.len() - recorded,
                    "webhook delivery leases ran out before the attempts were recorded"
                ),
                Ok(_) => {}
                Err(e) => {
                    tracing::warn!(error = %e, "webhook delivery results could not be recorded; retried after their leases");
                    failed.get_or_insert(e);
                }
            }
        }
    }

    /// Reads what one leased delivery's attempt needs: the event as it is sent, the endpoint
    /// and its secret.
    async fn prepare(&self, d: Delivery) -> Result<Prepared, StoreError> {
        let app = &self.app;
        let cancel = Finished {
            delivery_id: d.id.clone(),
            attempt: None,
            next: Next::Cancel,
        };
        let event = app.store.get(&d.account, "event", &d.event_id).await?;
        let endpoint =
            portico_store::get::<WebhookEndpoint>(&*app.store, &d.account, &d.endpoint_id).await?;
        let (Some(event), Some(endpoint)) = (event, endpoint) else {
            return Ok(Prepared::Cancel(cancel));
        };
        let endpoint = endpoint.value;
        if endpoint.deleted || endpoint.disabled {
            return Ok(Prepared::Cancel(cancel));
        }
        let mut payload: Value = serde_json::from_str(&event.data)
            .map_err(|e| StoreError::Corrupt(format!("event {}: {e}", event.id)))?;
        let pending = app
            .store
            .pending_webhooks(&d.account, std::slice::from_ref(&d.event_id))
            .await?;
        payload["pending_webhooks"] = pending.get(&d.event_id).copied().unwrap_or(0).into();
        let body = serde_json::to_string_pretty(&payload).unwrap_or_default();
        let secret = match app.sealer.open(&endpoint.secret).await {
            Err(crate::seal::SealError::Store(e)) => return Err(e),
            other => other.map_err(|e| e.to_string()),
        };
        let target = check_target(&endpoint.url, app.settings.webhooks.allow_private).and(secret);
        Ok(Prepared::Send(Request {
            d,
            url: endpoint.url,
            target,
            body,
            now: app.clock.now(),
        }))
    }

    /// Starts the attempt of one prepared delivery (or records why none can be made) in the
    /// set of attempts in flight.
    fn start(
        &self,
        prepared: Result<Prepared, StoreError>,
        in_flight: &mut tokio::task::JoinSet<Result<Finished, String>>,
    ) -> tokio::task::AbortHandle {
        match prepared {
            Ok(Prepared::Cancel(f)) => in_flight.spawn(async move { Ok(f) }),
            Ok(Prepared::Send(request)) => {
                let (client, settings) = (self.client.clone(), self.app.settings.webhooks.clone());
                in_flight.spawn(async move { Ok(attempt(client, settings, request).await) })
            }
            Err(e) => {
                let e = e.to_string();
                in_flight.spawn(async move { Err(e) })
            }
        }
    }
}

/// Makes one attempt and says how it ended and what follows.
async fn attempt(client: reqwest::Client, settings: WebhookSettings, request: Request) -> Finished {
    let Request {
        d,
        url,
        target,
        body,
        now,
    } = request;
    let started = Instant::now();
    let sent = match target {
        Err(why) => Sent {
            status: None,
            error: Some(why),
            response: None,
        },
        Ok(secret) => post(&client, &url, &secret, now, body).await,
    };
    let attempt = Attempt {
        delivery_id: d.id.clone(),
        attempt: d.attempts + 1,
        at: now,
        status: sent.status.map(i64::from),
        error: sent.error.clone(),
        response: sent.response,
        duration_ms: started.elapsed().as_millis() as i64,
    };
    // The wait before the next attempt counts from the failure: a timed-out attempt has
    // taken its time already (in whole seconds, rounded up). An attempt answered within the
    // second counts as at once, so a quick failure does not put the retry a second late.
    let failed_at = match attempt.duration_ms {
        ms if ms < 1000 => now,
        ms => now + (ms + 999) / 1000,
    };
    let next = if sent.error.is_none() {
        Next::Succeeded
    } else {
        match settings.next_retry(d.created, attempt.attempt, failed_at) {
            Some(at) => Next::RetryAt(at),
            None => Next::GiveUp,
        }
    };
    tracing::info!(
        event = %d.event_id,
        endpoint = %d.endpoint_id,
        attempt = attempt.attempt,
        status = ?sent.status,
        error = sent.error.as_deref().unwrap_or(""),
        next = ?next,
        "webhook delivery"
    );
    Finished {
        delivery_id: d.id,
        attempt: Some(attempt),
        next,
    }
}

async fn post(client: &reqwest::Client, url: &str, secret: &str, t: i64, body: String) -> Sent {
    let signature = signature_header(secret, t, &body);
    let response = client
        .post(url)
        .header("Content-Type", "application/json; charset=utf-8")
        .header("Stripe-Signature", signature)
        .header("Cache-Control", "no-cache")
        .body(body)
        .send()
        .await;
    let mut response = match response {
        Ok(r) => r,
        Err(e) => {
            return Sent {
                status: None,
                error: Some(describe(&e)),
                response: None,
            }
        }
    };
    let status = response.status();
    let mut kept = Vec::new();
    while kept.len() < RESPONSE_KEEP {
        match response.chunk().await {
            Ok(Some(chunk)) => kept.extend_from_slice(&chunk),
            _ => break,
        }
    }
    kept.truncate(RESPONSE_KEEP);
    let text = String::from_utf8_lossy(&kept).into_owned();
    Sent {
        status: Some(status.as_u16()),
        error: (!status.is_success()).then(|| {
            if status.is_redirection() {
                format!("HTTP {} (redirects are not followed)", status.as_u16())
            } else {
                format!("HTTP {}", status.as_u16())
            }
        }),
        response: Some(text),
    }
}

/// A transport error in a few words, with its cause (reqwest's own message hides it).
fn describe(e: &reqwest::Error) -> String {
    let what = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "could not connect"
    } else {
        "request failed"
    };
    let mut cause = String::new();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        cause = s.to_string();
        source = s.source();
    }
    if cause.is_empty() {
        what.to_owned()
    } else {
        format!("{what}: {cause}")
    }
}

/// Sends deliveries as they fall due until `stop` turns true: woken at once when a commit
/// queues some, and every `poll` for retries and for other instances' events. On stop it
/// claims nothing more and lets the attempts in flight finish and be recorded.
pub async fn worker(app: App, mut stop: tokio::sync::watch::Receiver<bool>) {
    let deliverer = match Deliverer::new(app.clone()) {
        Ok(d) => d,
        Err(e) => {
            tracing::error!(error = %e, "webhook delivery cannot start");
            return;
        }
    };
    let poll = app.settings.webhooks.poll;
    while !*stop.borrow() {
        let pass = deliverer.run_due_until(Some(&stop)).await;
        if let Err(e) = pass {
            tracing::warn!(error = %e, "webhook delivery pass failed");
        }
        tokio::select! {
            _ = app.webhook_wake.notified() => {}
            _ = tokio::time::sleep(poll) => {}
            _ = stop.changed() => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signs_like_stripe() {
        // HMAC-SHA256 keyed "whsec_test" over "1700000000.{}", computed with Python's hmac.
        let sig = sign("whsec_test", 1_700_000_000, "{}");
        assert_eq!(
            sig,
            "35495024f4ef3f94e5a93e22221544c4b75e9a42300cd965ab81cb85cd994e91"
        );
        assert_eq!(
            signature_header("whsec_test", 1_700_000_000, "{}"),
            format!("t=1700000000,v1={sig}")
        );
        assert_ne!(sig, sign("whsec_other", 1_700_000_000, "{}"));
        assert_ne!(sig, sign("whsec_test", 1_700_000_001, "{}"));
    }

    #[test]
    fn retries_back_off_until_the_window_closes() {
        let s = WebhookSettings {
            retry_schedule: vec![10, 100],
            retry_for: 300,
            ..WebhookSettings::production()
        };
        assert_eq!(s.next_retry(0, 1, 0), Some(10));
        assert_eq!(s.next_retry(0, 2, 10), Some(110));
        assert_eq!(s.next_retry(0, 3, 110), Some(210), "the last step repeats");
        assert_eq!(s.next_retry(0, 4, 210), None, "310 is past the window");
        let p = WebhookSettings::production();
        let (mut t, mut n) = (0, 1);
        while let Some(next) = p.next_retry(0, n, t) {
            t = next;
            n += 1;
        }
        assert!(
            t <= 3 * 86_400 && t > 2 * 86_400,
            "retries span nearly 3 days: {t}"
        );
        assert!(WebhookSettings::dev().next_retry(0, 1, 0) == Some(1));
    }

    #[test]
    fn private_targets() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "::1",
            "fe80::1",
            "fd00::1",
            "::ffff:127.0.0.1",
        ] {
            assert!(!is_public(ip.parse().unwrap()), "{ip}");
        }
        for ip in ["93.184.216.34", "8.8.8.8", "2606:4700::1111"] {
            assert!(is_public(ip.parse().unwrap()), "{ip}");
        }
        assert!(check_target("http://localhost:3000/hook", false).is_err());
        assert!(check_target("http://api.localhost/hook", false).is_err());
        assert!(check_target("http://[::1]:3000/hook", false).is_err());
        assert!(check_target("http://169.254.169.254/latest", false).is_err());
        assert!(check_target("https://example.com/hook", false).is_ok());
        assert!(check_target("http://localhost:3000/hook", true).is_ok());
    }
}

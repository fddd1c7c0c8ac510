//! `portico listen`: follows a running Portico's event log and forwards each new event, signed,
//! to a local URL, printing what happens, the way `stripe listen` does for Stripe.
//!
//! It reads `/v1/events` with the given key, so it needs nothing from the server beyond the
//! public API. Its signing secret is derived from the key, so it stays the same from run to run
//! and can be printed ahead (`--print-secret`) for an app's configuration.

use anyhow::{bail, Context};
use clap::Args;
use hmac::{Hmac, Mac};
use portico_server::webhooks::signature_header;
use serde_json::Value;
use std::collections::HashMap;
use std::time::Duration;

/// How far back each poll looks again, for events committed a little after they were stamped.
const OVERLAP_SECS: i64 = 5;

#[derive(Args, Debug)]
pub struct ListenArgs {
    /// Where to POST each event (e.g. http://localhost:4242/webhook).
    #[arg(long, short = 'f', required_unless_present = "print_secret")]
    forward_to: Option<String>,
    /// Only these event types (comma-separated); `*` or nothing for every event.
    #[arg(long, short = 'e', value_delimiter = ',')]
    events: Vec<String>,
    /// The secret key of the account to follow.
    #[arg(long, env = "PORTICO_API_KEY", hide_env_values = true)]
    api_key: String,
    /// The Portico server to follow.
    #[arg(
        long,
        env = "PORTICO_API_BASE",
        default_value = "http://127.0.0.1:12111"
    )]
    api_base: String,
    /// Print the signing secret and exit.
    #[arg(long)]
    print_secret: bool,
    /// How often to look for new events.
    #[arg(long, default_value = "250ms", value_parser = humantime::parse_duration)]
    interval: Duration,
}

/// The secret `listen` signs with for this key: `whsec_` and 32 hex digits of an HMAC of the key.
pub fn secret_for(api_key: &str) -> String {
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(api_key.as_bytes())
        .expect("HMAC takes keys of any length");
    mac.update(b"portico listen signing secret");
    let digest = hex::encode(mac.finalize().into_bytes());
    format!("whsec_{}", &digest[..32])
}

/// Runs until interrupted.
pub async fn listen(args: ListenArgs) -> anyhow::Result<()> {
    let secret = secret_for(&args.api_key);
    if args.print_secret {
        println!("{secret}");
        return Ok(());
    }
    let forward_to = args.forward_to.clone().unwrap_or_default();
    let target = url::Url::parse(&forward_to)
        .with_context(|| format!("--forward-to {forward_to} is not a URL"))?;
    if target.scheme() != "http" && target.scheme() != "https" {
        bail!("--forward-to must be an http:// or https:// URL");
    }
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .redirect(reqwest::redirect::Policy::none())
        .build()?;
    let base = args.api_base.trim_end_matches('/').to_owned();
    // Each `-e` names an event type, or a pattern (`customer.*`) as the Events API takes them;
    // one that matches no type would forward nothing, so it is refused.
    for e in &args.events {
        let known = portico_domain::webhook_values::EVENT_TYPES;
        if !known.iter().any(|t| type_matches(e, t)) {
            bail!("-e {e}: no event type is called that (see the list in Stripe's API reference); a pattern such as customer.* matches several");
        }
    }
    let wanted = |t: &str| args.events.is_empty() || args.events.iter().any(|e| type_matches(e, t));

    // Start from now: what is already in the log is marked seen, not forwarded.
    let mut seen: HashMap<String, i64> = HashMap::new();
    let mut since = loop {
        match newest(&http, &base, &args.api_key).await {
            Ok(t) => break t,
            Err(e) if e.fatal => return Err(e.error),
            Err(e) => {
                eprintln!("waiting for Portico at {base}: {:#}", e.error);
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
    };
    for e in events_since(&http, &base, &args.api_key, since - OVERLAP_SECS)
        .await
        .map_err(|e| e.error)?
    {
        seen.insert(id_of(&e), created_of(&e));
    }
    println!("Ready! Forwarding events from {base} to {forward_to}");
    println!("Your webhook signing secret is {secret} (^C to quit)");

    let mut failures = 0u32;
    loop {
        tokio::time::sleep(args.interval).await;
        let fresh = match events_since(&http, &base, &args.api_key, since - OVERLAP_SECS).await {
            Ok(v) => {
                failures = 0;
                v
            }
            Err(e) if e.fatal => return Err(e.error),
            Err(e) => {
                failures += 1;
                if failures == 1 || failures.is_multiple_of(20) {
                    eprintln!("cannot read events from {base}: {:#}", e.error);
                }
                continue;
            }
        };
        // Oldest first, so the app sees events in the order they happened.
        for event in fresh.into_iter().rev() {
            let id = id_of(&event);
            if seen.contains_key(&id) {
                continue;
            }
            let created = created_of(&event);
            seen.insert(id.clone(), created);
            since = since.max(created);
            let kind = event["type"].as_str().unwrap_or_default().to_owned();
            if !wanted(&kind) {
                continue;
            }
            let object = event["data"]["object"]["id"].as_str().unwrap_or("");
            println!("{}   --> {kind} [{id}] {object}", stamp(created));
            let body = serde_json::to_string_pretty(&event).unwrap_or_default();
            let t = now();
            let sent = http
                .post(&forward_to)
                .header("Content-Type", "application/json; charset=utf-8")
                .header("Stripe-Signature", signature_header(&secret, t, &body))
                .body(body)
                .send()
                .await;
            match sent {
                Ok(r) => println!(
                    "{}  <--  [{}] POST {forward_to} [{id}]",
                    stamp(now()),
                    r.status().as_u16()
                ),
                Err(e) => println!(
                    "{}  <--  [ERROR] POST {forward_to} [{id}]: {}",
                    stamp(now()),
                    if e.is_connect() {
                        "could not connect".to_owned()
                    } else {
                        e.to_string()
                    }
                ),
            }
        }
        seen.retain(|_, c| *c >= since - 10 * OVERLAP_SECS);
    }
}

/// A failed call to Portico; `fatal` when retrying cannot help (a refused key).
struct CallError {
    error: anyhow::Error,
    fatal: bool,
}

impl From<reqwest::Error> for CallError {
    fn from(e: reqwest::Error) -> Self {
        CallError {
            error: e.into(),
            fatal: false,
        }
    }
}

async fn get_json(http: &reqwest::Client, url: &str, key: &str) -> Result<Value, CallError> {
    let r = http.get(url).bearer_auth(key).send().await?;
    let status = r.status();
    let bytes = r.bytes().await?;
    let body: Value = serde_json::from_slice(&bytes).map_err(|e| CallError {
        error: anyhow::anyhow!("HTTP {}: not JSON ({e})", status.as_u16()),
        fatal: false,
    })?;
    if !status.is_success() {
        let message = body["error"]["message"]
            .as_str()
            .unwrap_or("unexpected answer")
            .to_owned();
        return Err(CallError {
            error: anyhow::anyhow!("HTTP {}: {message}", status.as_u16()),
            fatal: status.as_u16() == 401 || status.as_u16() == 403,
        });
    }
    Ok(body)
}

/// The creation time of the newest event, or now when the log is empty.
async fn newest(http: &reqwest::Client, base: &str, key: &str) -> Result<i64, CallError> {
    let page = get_json(http, &format!("{base}/v1/events?limit=1"), key).await?;
    Ok(page["data"]
        .as_array()
        .and_then(|d| d.first())
        .map(created_of)
        .unwrap_or_else(now))
}

/// Every event created at or after `from`, newest first.
async fn events_since(
    http: &reqwest::Client,
    base: &str,
    key: &str,
    from: i64,
) -> Result<Vec<Value>, CallError> {
    let mut out = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let mut url = format!("{base}/v1/events?limit=100&created[gte]={from}");
        if let Some(a) = &after {
            url.push_str(&format!("&starting_after={a}"));
        }
        let page = get_json(http, &url, key).await?;
        let data = page["data"].as_array().cloned().unwrap_or_default();
        after = data.last().map(id_of);
        out.extend(data);
        if page["has_more"] != Value::Bool(true) || after.is_none() {
            return Ok(out);
        }
    }
}

fn id_of(e: &Value) -> String {
    e["id"].as_str().unwrap_or_default().to_owned()
}

fn created_of(e: &Value) -> i64 {
    e["created"].as_i64().unwrap_or(0)
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// `YYYY-MM-DD HH:MM:SS` (UTC) for a unix time.
pub fn stamp(t: i64) -> String {
    let ts = humantime::format_rfc3339_seconds(
        std::time::UNIX_EPOCH + Duration::from_secs(t.max(0) as u64),
    )
    .to_string();
    ts.trim_end_matches('Z').replace('T', " ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_secret_is_stable_per_key() {
        let a = secret_for("sk_test_a");
        assert!(a.starts_with("whsec_") && a.len() == 6 + 32);
        assert_eq!(a, secret_for("sk_test_a"));
        assert_ne!(a, secret_for("sk_test_b"));
        assert_eq!(stamp(0), "1970-01-01 00:00:00");
    }
}

/// Whether event type `t` matches `pattern`: the type itself, or a pattern in which `*` stands
/// for any run of characters (`*`, `customer.*`, `*.updated`).
fn type_matches(pattern: &str, t: &str) -> bool {
    let mut parts = pattern.split('*');
    let first = parts.next().unwrap_or_default();
    let Some(mut rest) = t.strip_prefix(first) else {
        return false;
    };
    let parts: Vec<&str> = parts.collect();
    let Some((last, middle)) = parts.split_last() else {
        return rest.is_empty();
    };
    for part in middle {
        match rest.find(part) {
            Some(i) => rest = &rest[i + part.len()..],
            None => return false,
        }
    }
    rest.len() >= last.len() && rest.ends_with(last)
}

#[cfg(test)]
mod pattern_tests {
    use super::type_matches;

    #[test]
    fn patterns_match_as_the_events_api_does() {
        assert!(type_matches("customer.created", "customer.created"));
        assert!(!type_matches("customer.created", "customer.updated"));
        assert!(type_matches("*", "invoice.paid"));
        assert!(type_matches("customer.*", "customer.subscription.updated"));
        assert!(!type_matches("customer.*", "invoice.paid"));
        assert!(type_matches("*.updated", "customer.updated"));
        assert!(type_matches(
            "customer.*.updated",
            "customer.subscription.updated"
        ));
        assert!(!type_matches("customer.*.updated", "customer.updated"));
        assert!(!type_matches("customer.bogus", "customer.created"));
    }
}

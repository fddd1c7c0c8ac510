//! Hosted invoice links (`hosted_invoice_url`): where a customer sees a finalized invoice and
//! pays it. A link names its account, its invoice and when it stops working, signed with a key
//! derived from the database's secret: nothing is stored per link, every instance sharing the
//! database makes and reads the same links, and no link can be turned into one for another
//! invoice or a later expiry.

use crate::state::App;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use portico_domain::invoice::{Invoice, InvoiceStatus};
use portico_domain::AccountId;
use sha2::Sha256;
use subtle::ConstantTimeEq;

/// The database secret the links' key comes from.
pub const LINK_SECRET: &str = "hosted_invoice_links";

const DAY: i64 = 86_400;

/// Bytes of the signature a link carries (128 bits).
const SIGNATURE_BYTES: usize = 16;

/// The longest token a link carries (an account id, an invoice id and a timestamp, encoded).
const MAX_TOKEN: usize = 400;

/// When a link to `inv` handed out at `now` (the server's time) stops working. As Stripe's: 30
/// days after the invoice's due date (a sent invoice's), else after it is finalized, never more
/// than 120 days after it is finalized; and a link the API hands out works for at least ten
/// more days, whatever the invoice's age. That floor is rounded up to a whole day, so a link
/// stays the same through the day. `None` for a draft, which has no link.
pub fn expiry(inv: &Invoice, now: i64) -> Option<i64> {
    if inv.status == InvoiceStatus::Draft || inv.deleted {
        return None;
    }
    let finalized = inv.status_transitions.finalized_at.unwrap_or(inv.created);
    let due = inv.due_date.unwrap_or(finalized).max(finalized);
    let own = due
        .saturating_add(30 * DAY)
        .min(finalized.saturating_add(120 * DAY));
    let floor = now.saturating_add(11 * DAY - 1).div_euclid(DAY) * DAY;
    // An invoice on a test clock may be dated far ahead of the server's time.
    Some(own.max(floor).min(now.saturating_add(120 * DAY)))
}

/// The signing key of `secret`'s links.
pub fn key_of(secret: &str) -> [u8; 32] {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes())
        .expect("HMAC takes any key length");
    mac.update(b"portico hosted invoice links");
    mac.finalize().into_bytes().into()
}

fn signature(key: &[u8; 32], payload: &str) -> [u8; SIGNATURE_BYTES] {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(payload.as_bytes());
    let full = mac.finalize().into_bytes();
    let mut out = [0u8; SIGNATURE_BYTES];
    out.copy_from_slice(&full[..SIGNATURE_BYTES]);
    out
}

/// The token of a link to `invoice` of `account` working until `expires`.
pub fn token(key: &[u8; 32], account: &str, invoice: &str, expires: i64) -> String {
    let payload = format!("{account}/{invoice}/{expires}");
    format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(payload.as_bytes()),
        URL_SAFE_NO_PAD.encode(signature(key, &payload))
    )
}

/// What a link's token names, if its signature holds: account, invoice and expiry. Whether it
/// has expired is the caller's to check.
pub fn read(key: &[u8; 32], token: &str) -> Option<(AccountId, String, i64)> {
    if token.len() > MAX_TOKEN {
        return None;
    }
    let (payload, sig) = token.split_once('.')?;
    let payload = String::from_utf8(URL_SAFE_NO_PAD.decode(payload).ok()?).ok()?;
    let sig = URL_SAFE_NO_PAD.decode(sig).ok()?;
    if sig.len() != SIGNATURE_BYTES || !bool::from(signature(key, &payload).ct_eq(&sig[..])) {
        return None;
    }
    let mut parts = payload.splitn(3, '/');
    let (account, invoice, expires) = (parts.next()?, parts.next()?, parts.next()?);
    Some((
        AccountId(account.to_owned()),
        invoice.to_owned(),
        expires.parse().ok()?,
    ))
}

/// The path of the hosted page (under the public URL) a token leads to.
pub fn path(token: &str) -> String {
    format!("/p/invoice/{token}")
}

/// How objects are rendered for one account at one moment: where the hosted pages live, and
/// the links to its invoices' hosted pages.
pub struct Links<'a> {
    pub public_url: &'a str,
    pub account: &'a AccountId,
    /// The server's time (not a test clock's): links expire in real time.
    pub now: i64,
    key: Option<&'a [u8; 32]>,
}

impl<'a> Links<'a> {
    /// Links of `account` at `now`, signed with `key` (none: no invoice links).
    pub fn new(
        public_url: &'a str,
        account: &'a AccountId,
        now: i64,
        key: Option<&'a [u8; 32]>,
    ) -> Links<'a> {
        Links {
            public_url,
            account,
            now,
            key,
        }
    }

    /// `hosted_invoice_url` of `inv`: `None` for a draft (or before the links' key is loaded).
    pub fn hosted_invoice(&self, inv: &Invoice) -> Option<String> {
        let key = self.key?;
        let expires = expiry(inv, self.now)?;
        Some(format!(
            "{}{}",
            self.public_url,
            path(&token(key, self.account.as_str(), &inv.id, expires))
        ))
    }
}

impl App {
    /// How to render objects of `account` at `now` (the server's time).
    pub fn links<'a>(&'a self, account: &'a AccountId, now: i64) -> Links<'a> {
        Links::new(&self.settings.public_url, account, now, self.link_key())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_round_trip_and_refuse_any_change() {
        let key = key_of("secret");
        let t = token(&key, "acct_1", "in_1", 1_800_000_000);
        assert_eq!(
            read(&key, &t),
            Some((AccountId("acct_1".into()), "in_1".into(), 1_800_000_000))
        );
        // Another key, another invoice or expiry under the same signature, a cut signature.
        assert_eq!(read(&key_of("other"), &t), None);
        let (_, sig) = t.split_once('.').unwrap();
        for forged in ["acct_1/in_2/1800000000", "acct_1/in_1/1900000000"] {
            let f = format!("{}.{sig}", URL_SAFE_NO_PAD.encode(forged));
            assert_eq!(read(&key, &f), None);
        }
        assert_eq!(read(&key, &t[..t.len() - 2]), None);
        assert_eq!(read(&key, "garbage"), None);
        assert_eq!(read(&key, "."), None);
        assert_eq!(read(&key, &"a".repeat(5000)), None);
    }

    #[test]
    fn links_last_thirty_days_and_ten_from_any_reading() {
        let finalized = 1_800_000_000 - 1_800_000_000 % DAY;
        let mut inv: Invoice = serde_json::from_value(serde_json::json!({
            "id": "in_1", "created": finalized, "livemode": false, "customer": "cus_1",
            "subscription": null, "billing_reason": "manual", "status": "open",
            "currency": "usd", "number": "A-0001", "period_start": finalized,
            "period_end": finalized, "lines": [], "discounts": [], "amount_paid": 0,
            "attempt_count": 0, "attempted": false, "auto_advance": true,
            "status_transitions": {"finalized_at": finalized, "paid_at": null,
                "voided_at": null, "marked_uncollectible_at": null},
            "default_payment_method": null, "last_payment_error": null,
            "pending_authentication": null, "metadata": {}, "customer_email": null,
            "customer_name": null, "test_clock": null,
        }))
        .unwrap();
        // Fresh: thirty days after finalization.
        assert_eq!(expiry(&inv, finalized), Some(finalized + 30 * DAY));
        assert_eq!(
            expiry(&inv, finalized + 5 * DAY),
            Some(finalized + 30 * DAY)
        );
        // Read late: ten more days at least, the same all day.
        let late = finalized + 25 * DAY + 3600;
        assert_eq!(expiry(&inv, late), Some(finalized + 36 * DAY));
        assert_eq!(expiry(&inv, late + 3600), expiry(&inv, late));
        assert!(expiry(&inv, late).unwrap() >= late + 10 * DAY);
        // Dated far ahead (a test clock): no more than 120 days from now.
        assert_eq!(
            expiry(&inv, finalized - 400 * DAY),
            Some(finalized - 280 * DAY)
        );
        // A sent invoice's link lasts thirty days past its due date, at most 120 days past
        // its finalization.
        inv.set_collection(Some(finalized + 45 * DAY));
        assert_eq!(expiry(&inv, finalized), Some(finalized + 75 * DAY));
        inv.set_collection(Some(finalized + 100 * DAY));
        assert_eq!(expiry(&inv, finalized), Some(finalized + 120 * DAY));
        inv.set_collection(None);
        inv.status = InvoiceStatus::Draft;
        assert_eq!(expiry(&inv, finalized), None);
    }
}

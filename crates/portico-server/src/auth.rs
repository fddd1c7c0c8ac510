//! API key authentication: Bearer or Basic, keys compared in constant time, each key its own
//! account.

use crate::http::Failure;
use base64::Engine;
use portico_domain::AccountId;
use portico_wire::{ApiError, ErrorType};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// Which keys the server accepts.
#[derive(Clone, Debug)]
pub struct KeyPolicy {
    /// SHA-256 of each configured key, with the account it owns (worked out once rather than
    /// digested again on every request).
    keys: Vec<([u8; 32], AccountId)>,
    /// Development mode: any `sk_test_…` key is accepted.
    dev: bool,
}

/// Who is calling.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Caller {
    pub account: AccountId,
    pub livemode: bool,
}

fn digest(key: &str) -> [u8; 32] {
    Sha256::digest(key.as_bytes()).into()
}

impl KeyPolicy {
    /// Accept `keys`, and in `dev` mode any test-mode key.
    pub fn new(keys: &[String], dev: bool) -> KeyPolicy {
        KeyPolicy {
            keys: keys.iter().map(|k| (digest(k), account_for(k))).collect(),
            dev,
        }
    }

    /// Authenticates the `Authorization` header's value.
    pub fn authenticate(&self, header: Option<&[u8]>) -> Result<Caller, Failure> {
        let Some(raw) = header else {
            return Err(no_key(None, "Basic"));
        };
        let value = String::from_utf8_lossy(raw);
        let value = value.trim();
        let (scheme, key) = match value.split_once(' ') {
            Some((s, rest)) => (s, rest.trim().to_owned()),
            None => (value, String::new()),
        };
        let key = if scheme.eq_ignore_ascii_case("bearer") {
            key
        } else if scheme.eq_ignore_ascii_case("basic") {
            let decoded = base64::engine::general_purpose::STANDARD
                .decode(key.as_bytes())
                .ok();
            let text = decoded
                .and_then(|d| String::from_utf8(d).ok())
                .unwrap_or_default();
            text.split_once(':')
                .map(|(user, _)| user.to_owned())
                .unwrap_or(text)
        } else {
            return Err(no_key(Some(value), "Basic"));
        };
        if key.is_empty() {
            return Err(no_key(
                Some(value),
                if scheme.eq_ignore_ascii_case("bearer") {
                    "Bearer"
                } else {
                    "Basic"
                },
            ));
        }
        let Some(account) = self.account(&key) else {
            return Err(invalid_key(&key, scheme));
        };
        Ok(Caller {
            account,
            livemode: key.starts_with("sk_live_") || key.starts_with("rk_live_"),
        })
    }

    /// The account of an accepted key; `None` for a key the server does not accept.
    fn account(&self, key: &str) -> Option<AccountId> {
        let d = digest(key);
        // Compare against every configured key without stopping early.
        let mut found = None;
        for (i, (h, _)) in self.keys.iter().enumerate() {
            if bool::from(h.ct_eq(&d)) {
                found = Some(i);
            }
        }
        match found {
            Some(i) => Some(self.keys[i].1.clone()),
            None if self.dev && key.starts_with("sk_test_") && key.len() > "sk_test_".len() => {
                Some(account_for(key))
            }
            None => None,
        }
    }
}

/// The account a key owns: a one-way digest, so the key itself is never stored.
pub fn account_for(key: &str) -> AccountId {
    let d = Sha256::digest(format!("portico-account\0{key}").as_bytes());
    AccountId(format!("acct_{}", &crate::digest::hex(&d)[..24]))
}

fn unauthorized(message: String, scheme: &str) -> Failure {
    Failure::with_header(
        ApiError {
            status: 401,
            kind: ErrorType::InvalidRequestError,
            code: None,
            message,
            param: None,
            decline_code: None,
            object: None,
        },
        "www-authenticate",
        format!("{scheme} realm=\"Stripe\""),
    )
}

fn no_key(header: Option<&str>, scheme: &str) -> Failure {
    let message = match header {
        None => "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth \
                 (e.g. 'Authorization: Bearer YOUR_SECRET_KEY'). See https://stripe.com/docs/api#authentication for details, \
                 or we can help at https://support.stripe.com/."
            .to_owned(),
        Some(h) => format!(
            "You did not provide an API key, though you did set your Authorization header to \"{}\". Using Bearer auth, your \
             Authorization header should look something like 'Authorization: Bearer YOUR_SECRET_KEY'. See \
             https://stripe.com/docs/api#authentication for details, or we can help at https://support.stripe.com/.",
            h.chars().take(40).collect::<String>()
        ),
    };
    unauthorized(message, scheme)
}

/// Stripe's mask: the prefix, stars, and the last four characters.
fn mask(key: &str) -> String {
    let prefix_len = [
        "sk_test_", "sk_live_", "rk_test_", "rk_live_", "pk_test_", "pk_live_",
    ]
    .iter()
    .find(|p| key.starts_with(*p))
    .map(|p| p.len())
    .unwrap_or(0);
    let chars: Vec<char> = key.chars().collect();
    if chars.len() <= prefix_len + 4 {
        return format!(
            "{}{}",
            &key[..prefix_len],
            "*".repeat(chars.len() - prefix_len)
        );
    }
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!(
        "{}{}{}",
        &key[..prefix_len],
        "*".repeat(chars.len() - prefix_len - 4),
        tail
    )
}

fn invalid_key(key: &str, scheme: &str) -> Failure {
    let scheme = if scheme.eq_ignore_ascii_case("basic") {
        "Basic"
    } else {
        "Bearer"
    };
    unauthorized(format!("Invalid API Key provided: {}", mask(key)), scheme)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn basic(key: &str) -> String {
        format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(format!("{key}:"))
        )
    }

    #[test]
    fn bearer_and_basic_in_dev_mode() {
        let p = KeyPolicy::new(&[], true);
        let a = p.authenticate(Some(b"Bearer sk_test_abc")).unwrap();
        let b = p
            .authenticate(Some(basic("sk_test_abc").as_bytes()))
            .unwrap();
        assert_eq!(a, b);
        assert!(!a.livemode);
        let c = p.authenticate(Some(b"Bearer sk_test_other")).unwrap();
        assert_ne!(a.account, c.account);
        assert!(p.authenticate(Some(b"Bearer sk_live_abc")).is_err());
        assert!(p.authenticate(Some(b"Bearer sk_test_")).is_err());
    }

    #[test]
    fn configured_keys_only_outside_dev() {
        let p = KeyPolicy::new(&["sk_test_one".into(), "sk_live_two".into()], false);
        let one = p.authenticate(Some(b"Bearer sk_test_one")).unwrap();
        assert_eq!(one.account, account_for("sk_test_one"));
        let two = p.authenticate(Some(b"Bearer sk_live_two")).unwrap();
        assert!(two.livemode);
        assert_eq!(two.account, account_for("sk_live_two"));
        let e = p.authenticate(Some(b"Bearer sk_test_three")).unwrap_err();
        assert_eq!(e.error.status, 401);
        assert_eq!(e.error.message, "Invalid API Key provided: sk_test_*hree");
    }

    /// A key owns the same account whether it is configured or accepted in development mode.
    #[test]
    fn configured_and_development_keys_own_their_accounts() {
        let p = KeyPolicy::new(&["sk_test_one".into(), "sk_test_two".into()], true);
        for key in ["sk_test_one", "sk_test_two", "sk_test_three"] {
            let header = format!("Bearer {key}");
            let caller = p.authenticate(Some(header.as_bytes())).unwrap();
            assert_eq!(caller.account, account_for(key), "{key}");
        }
    }

    #[test]
    fn missing_and_malformed_headers() {
        let p = KeyPolicy::new(&[], true);
        let e = p.authenticate(None).unwrap_err();
        assert!(e
            .error
            .message
            .starts_with("You did not provide an API key."));
        let e = p.authenticate(Some(b"Bearer")).unwrap_err();
        assert!(e
            .error
            .message
            .contains("though you did set your Authorization header to \"Bearer\""));
        assert!(p.authenticate(Some(b"Token sk_test_x")).is_err());
    }

    #[test]
    fn masking() {
        assert_eq!(
            mask("sk_test_fake_local_no_real_calls"),
            "sk_test_********************alls"
        );
        assert_eq!(mask("sk_test_ab"), "sk_test_**");
        assert_eq!(mask("short"), "*hort");
    }
}

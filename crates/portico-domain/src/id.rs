//! Typed, prefixed object ids (`cus_…`, `prod_…`) and the generator that mints them.

use rand::Rng;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Characters used in the random part of an id (Stripe ids are alphanumeric).
pub const ALPHABET: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

macro_rules! typed_id {
    ($(#[$doc:meta])* $name:ident, $prefix:literal) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub String);

        impl $name {
            /// The prefix Stripe uses for this kind of id.
            pub const PREFIX: &'static str = $prefix;

            /// The id as a string slice.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                Self(s.to_owned())
            }
        }
    };
}

typed_id!(
    /// An account: everything an API key can see. Derived from the key, never shown in full.
    AccountId, "acct_"
);
typed_id!(
    /// A customer (`cus_…`).
    CustomerId, "cus_"
);
typed_id!(
    /// A product (`prod_…`, or an id the caller chose).
    ProductId, "prod_"
);
typed_id!(
    /// A price (`price_…`).
    PriceId, "price_"
);

/// Mints new ids. Injected so tests can be deterministic.
pub trait IdGen: Send {
    /// A new id: `prefix` followed by `len` random alphanumeric characters.
    fn next(&mut self, prefix: &str, len: usize) -> String;

    /// `len` random characters from `alphabet`, e.g. for invoice prefixes.
    fn random_string(&mut self, alphabet: &[u8], len: usize) -> String;
}

/// Ids from the operating system's random source: 24 characters give ~142 bits.
#[derive(Default)]
pub struct RandomIds;

impl IdGen for RandomIds {
    fn next(&mut self, prefix: &str, len: usize) -> String {
        let mut s = String::with_capacity(prefix.len() + len);
        s.push_str(prefix);
        s.push_str(&self.random_string(ALPHABET, len));
        s
    }

    fn random_string(&mut self, alphabet: &[u8], len: usize) -> String {
        let mut rng = rand::rng();
        (0..len)
            .map(|_| alphabet[rng.random_range(0..alphabet.len())] as char)
            .collect()
    }
}

/// Deterministic ids for tests: `prefix` followed by a zero-padded counter.
#[derive(Default)]
pub struct SequentialIds(pub u64);

impl IdGen for SequentialIds {
    fn next(&mut self, prefix: &str, len: usize) -> String {
        self.0 += 1;
        format!("{prefix}{:0>len$}", self.0, len = len)
    }

    fn random_string(&mut self, alphabet: &[u8], len: usize) -> String {
        self.0 += 1;
        let mut n = self.0;
        (0..len)
            .map(|_| {
                let c = alphabet[(n % alphabet.len() as u64) as usize] as char;
                n /= alphabet.len() as u64;
                c
            })
            .collect()
    }
}

/// Length of the random part of object ids.
pub const ID_LEN: usize = 24;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn random_ids_have_prefix_and_length() {
        let mut g = RandomIds;
        let a = g.next("cus_", ID_LEN);
        let b = g.next("cus_", ID_LEN);
        assert!(a.starts_with("cus_"));
        assert_eq!(a.len(), 4 + ID_LEN);
        assert!(a[4..].bytes().all(|c| c.is_ascii_alphanumeric()));
        assert_ne!(a, b);
    }

    #[test]
    fn sequential_ids_are_deterministic() {
        let mut g = SequentialIds::default();
        assert_eq!(g.next("cus_", 4), "cus_0001");
        assert_eq!(g.next("prod_", 4), "prod_0002");
    }
}

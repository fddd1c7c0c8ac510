//! New object ids for the live server: Stripe-shaped (`cus_` + 24 alphanumerics), with a head that
//! follows the clock.
//!
//! An id's first eight characters are the milliseconds since the Unix epoch in base 62, the rest
//! random. The alphabet sorts in ASCII order, so ids made later sort later: a new row's id lands
//! next to the previous one in the store's id index instead of on a random page, and a burst of
//! writes dirties a handful of pages rather than one per row. Stripe's own ids carry a time
//! component too; an id reveals roughly when its object was made, which `created` shows anyway.
//! Secrets (link tokens, client secrets) never come from here: they stay wholly random.

use portico_domain::id::ALPHABET;
use portico_domain::{IdGen, RandomIds};
use std::time::{SystemTime, UNIX_EPOCH};
/// Length of the time head: 62^8 milliseconds last until the year 8900.
const HEAD: usize = 8;
/// Random characters an id keeps at least; shorter ids are wholly random.
const MIN_RANDOM: usize = 12;

/// The server's id generator: a time-ordered head, a random tail.
#[derive(Default)]
pub struct Ids;

impl IdGen for Ids {
    fn next(&mut self, prefix: &str, len: usize) -> String {
        if len < HEAD + MIN_RANDOM {
            return RandomIds.next(prefix, len);
        }
        let millis = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as u64);
        let mut s = String::with_capacity(prefix.len() + len);
        s.push_str(prefix);
        s.push_str(&head(millis));
        s.push_str(&RandomIds.random_string(ALPHABET, len - HEAD));
        s
    }

    fn random_string(&mut self, alphabet: &[u8], len: usize) -> String {
        RandomIds.random_string(alphabet, len)
    }
}

/// `millis` in base 62, most significant first, padded to [`HEAD`] characters.
fn head(mut millis: u64) -> String {
    let mut out = [b'0'; HEAD];
    for slot in out.iter_mut().rev() {
        *slot = ALPHABET[(millis % 62) as usize];
        millis /= 62;
    }
    String::from_utf8(out.to_vec()).expect("the alphabet is ASCII")
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn ids_keep_stripes_shape() {
        let a = Ids.next("cus_", portico_domain::ID_LEN);
        assert!(a.starts_with("cus_"));
        assert_eq!(a.len(), 4 + portico_domain::ID_LEN);
        assert!(a[4..].bytes().all(|c| c.is_ascii_alphanumeric()));
        assert_ne!(a, Ids.next("cus_", portico_domain::ID_LEN));
        // Short ids are random through and through.
        assert_eq!(Ids.next("req_", 14).len(), 18);
    }

    #[test]
    fn heads_are_fixed_width() {
        assert_eq!(head(0), "00000000");
        assert_eq!(head(61), "0000000z");
        assert_eq!(head(62), "00000010");
        // 2026-12-02T00:00:00Z
        assert_eq!(head(1_796_169_600_000).len(), HEAD);
    }

    #[test]
    fn later_ids_sort_later() {
        let a = Ids.next("evt_", portico_domain::ID_LEN);
        std::thread::sleep(std::time::Duration::from_millis(2));
        let b = Ids.next("evt_", portico_domain::ID_LEN);
        assert!(a < b, "{a} then {b}");
    }

    proptest! {
        #[test]
        fn heads_sort_as_their_times(a in 0u64..62u64.pow(8), b in 0u64..62u64.pow(8)) {
            prop_assert_eq!(head(a).cmp(&head(b)), a.cmp(&b));
        }
    }
}

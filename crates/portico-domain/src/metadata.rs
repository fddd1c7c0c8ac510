//! Metadata: the string map every Stripe object carries, with Stripe's limits.

use crate::error::DomainError;
use std::collections::BTreeMap;

/// At most this many keys.
pub const MAX_KEYS: usize = 50;
/// Keys are at most this many characters.
pub const MAX_KEY_LEN: usize = 40;
/// Values are at most this many characters.
pub const MAX_VALUE_LEN: usize = 500;

/// Key-value pairs attached to an object, kept in key order.
pub type Metadata = BTreeMap<String, String>;

/// A change to metadata: keys to set and keys to remove (sent as `metadata[key]=`), or clear all.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct MetadataUpdate {
    /// `metadata=`: remove every key first.
    pub clear: bool,
    /// Keys in the order they were sent; `None` removes the key.
    pub entries: Vec<(String, Option<String>)>,
}

impl MetadataUpdate {
    /// The update that sets exactly the keys of `m` (on an object that has none yet).
    pub fn setting(m: &Metadata) -> MetadataUpdate {
        MetadataUpdate {
            clear: false,
            entries: m
                .iter()
                .map(|(k, v)| (k.clone(), Some(v.clone())))
                .collect(),
        }
    }

    /// Whether the request said anything about metadata.
    pub fn is_empty(&self) -> bool {
        !self.clear && self.entries.is_empty()
    }

    /// Applies the update and checks Stripe's limits on the result.
    pub fn apply(&self, param: &str, target: &mut Metadata) -> Result<(), DomainError> {
        let mut next = if self.clear {
            Metadata::new()
        } else {
            target.clone()
        };
        for (key, value) in &self.entries {
            check_key(param, key)?;
            match value {
                Some(v) => {
                    if v.chars().count() > MAX_VALUE_LEN {
                        return Err(DomainError::invalid(
                            format!("{param}[{key}]"),
                            format!(
                                "Metadata values can have up to {MAX_VALUE_LEN} characters, but you passed in a value that is {} characters. Invalid value: {v}",
                                v.chars().count()
                            ),
                        ));
                    }
                    next.insert(key.clone(), v.clone());
                }
                None => {
                    next.remove(key);
                }
            }
        }
        if next.len() > MAX_KEYS {
            return Err(DomainError::invalid(
                param,
                format!("You can specify up to {MAX_KEYS} keys in metadata, but this object would have {} keys.", next.len()),
            ));
        }
        *target = next;
        Ok(())
    }

    /// The metadata of a new object.
    pub fn build(&self, param: &str) -> Result<Metadata, DomainError> {
        let mut m = Metadata::new();
        self.apply(param, &mut m)?;
        Ok(m)
    }
}

fn check_key(param: &str, key: &str) -> Result<(), DomainError> {
    let len = key.chars().count();
    if len > MAX_KEY_LEN {
        return Err(DomainError::invalid(
            format!("{param}[{key}]"),
            format!("Metadata keys can have up to {MAX_KEY_LEN} characters, but you passed in a key that is {len} characters. Invalid key: {key}"),
        ));
    }
    if key.trim().is_empty() {
        return Err(DomainError::invalid(
            param,
            "Metadata keys cannot be empty.",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn upd(clear: bool, e: &[(&str, Option<&str>)]) -> MetadataUpdate {
        MetadataUpdate {
            clear,
            entries: e
                .iter()
                .map(|(k, v)| (k.to_string(), v.map(str::to_string)))
                .collect(),
        }
    }

    #[test]
    fn set_unset_and_clear() {
        let mut m = upd(false, &[("a", Some("1")), ("b", Some("2"))])
            .build("metadata")
            .unwrap();
        upd(false, &[("a", None), ("c", Some("3"))])
            .apply("metadata", &mut m)
            .unwrap();
        assert_eq!(m.len(), 2);
        assert_eq!(m.get("b").map(String::as_str), Some("2"));
        upd(true, &[]).apply("metadata", &mut m).unwrap();
        assert!(m.is_empty());
    }

    #[test]
    fn limits_are_enforced() {
        let long_key = "k".repeat(41);
        let e = upd(false, &[(&long_key, Some("v"))])
            .build("metadata")
            .unwrap_err();
        assert!(
            matches!(e, DomainError::Invalid { ref param, .. } if param.as_deref() == Some(&format!("metadata[{long_key}]")[..]))
        );
        let long_val = "v".repeat(501);
        assert!(upd(false, &[("k", Some(&long_val))])
            .build("metadata")
            .is_err());
        let many: Vec<(String, Option<String>)> = (0..51)
            .map(|i| (format!("k{i}"), Some("v".into())))
            .collect();
        let e = MetadataUpdate {
            clear: false,
            entries: many,
        }
        .build("metadata")
        .unwrap_err();
        assert!(e.to_string().contains("up to 50 keys"));
        // Exactly at the limits is fine.
        let ok: Vec<(String, Option<String>)> = (0..50)
            .map(|i| (format!("{i:0>40}"), Some("v".repeat(500))))
            .collect();
        assert_eq!(
            MetadataUpdate {
                clear: false,
                entries: ok
            }
            .build("metadata")
            .unwrap()
            .len(),
            50
        );
    }
}

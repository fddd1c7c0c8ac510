//! Decoding of Stripe's bracket-nested form encoding (`a[b][0][c]=v`, `expand[]=x`,
//! `metadata[k]=v`), for request bodies and query strings alike.
//!
//! Brackets may arrive percent-encoded (`%5B`/`%5D`, as stripe-python sends them in query
//! strings); `+` is a space. Indexed arrays (`items[0][price]`) decode to maps keyed by the
//! index and become lists when read; `[]` appends (a new element starts when the key it would
//! set is already taken, as Rack does). Limits keep hostile input cheap: total pairs, nesting
//! depth and key length are bounded, and anything malformed is refused with a message naming
//! the parameter.

use percent_encoding::percent_decode;
use std::collections::BTreeMap;

/// At most this many `key=value` pairs in one request.
pub const MAX_PAIRS: usize = 5_000;
/// At most this many bracket levels below the top-level name.
pub const MAX_DEPTH: usize = 8;
/// Keys longer than this are refused.
pub const MAX_KEY_LEN: usize = 1_024;

/// A decoded form: a tree of maps, lists and string leaves.
#[derive(Clone, Debug, PartialEq)]
pub enum Node {
    /// A value, possibly empty (the empty string means "unset" to Stripe).
    Leaf(String),
    /// Named children: `a[b]=…`, and indexed children `a[0]=…` before they are read as a list.
    Map(BTreeMap<String, Node>),
    /// Children appended with `a[]=…`.
    List(Vec<Node>),
}

/// Why a form could not be decoded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FormError {
    /// The parameter involved, when one can be named.
    pub param: Option<String>,
    /// What is wrong.
    pub message: String,
}

impl FormError {
    fn new(param: Option<&str>, message: impl Into<String>) -> FormError {
        FormError {
            param: param.map(str::to_owned),
            message: message.into(),
        }
    }
}

/// Decodes `application/x-www-form-urlencoded` bytes into a tree.
pub fn decode(input: &[u8]) -> Result<BTreeMap<String, Node>, FormError> {
    let mut root: BTreeMap<String, Node> = BTreeMap::new();
    let mut pairs = 0usize;
    for part in input.split(|b| *b == b'&') {
        if part.is_empty() {
            continue;
        }
        pairs += 1;
        if pairs > MAX_PAIRS {
            return Err(FormError::new(
                None,
                format!("Too many parameters: at most {MAX_PAIRS} are accepted in one request."),
            ));
        }
        let (raw_key, raw_value) = match part.iter().position(|b| *b == b'=') {
            Some(i) => (&part[..i], &part[i + 1..]),
            None => (part, &b""[..]),
        };
        let key = decode_component(raw_key, None)?;
        let value = decode_component(raw_value, Some(&key))?;
        if key.len() > MAX_KEY_LEN {
            return Err(FormError::new(
                None,
                format!("Invalid parameter name: names are at most {MAX_KEY_LEN} characters long."),
            ));
        }
        let path = parse_key(&key)?;
        insert(&mut root, &key, &path, value)?;
    }
    Ok(root)
}

fn decode_component(raw: &[u8], key: Option<&str>) -> Result<String, FormError> {
    // `+` is a space, but only before decoding: `%2B` is a plus sign. Sized up front, as the
    // decoded text is never longer than the raw (growing it was most of a component's cost).
    let spaced;
    let raw = if raw.contains(&b'+') {
        spaced = raw
            .iter()
            .map(|b| if *b == b'+' { b' ' } else { *b })
            .collect::<Vec<u8>>();
        &spaced[..]
    } else {
        raw
    };
    let mut bytes = Vec::with_capacity(raw.len());
    bytes.extend(percent_decode(raw));
    let refuse = |why: &str| match key {
        Some(k) => FormError::new(
            Some(&display_name(k)),
            format!("Invalid value for {}: {why}", display_name(k)),
        ),
        None => FormError::new(None, format!("Invalid parameter name: {why}")),
    };
    let text = String::from_utf8(bytes).map_err(|_| refuse("it is not valid UTF-8."))?;
    // NUL characters are refused everywhere: no identifier contains one, and PostgreSQL
    // cannot store them, so letting them through would make the backends disagree.
    if text.contains('\0') {
        return Err(refuse("it contains a NUL character."));
    }
    Ok(text)
}

/// A key for messages: the raw key with control characters made visible.
fn display_name(key: &str) -> String {
    key.chars()
        .map(|c| if c.is_control() { '\u{fffd}' } else { c })
        .collect()
}

/// One step of a key path.
#[derive(Clone, Debug, PartialEq)]
enum Seg {
    Name(String),
    Append,
}

/// Splits `a[b][][c]` into `a`, `b`, append, `c`.
fn parse_key(key: &str) -> Result<Vec<Seg>, FormError> {
    let bad = |why: &str| {
        FormError::new(
            Some(&display_name(key)),
            format!("Invalid parameter name '{}': {why}", display_name(key)),
        )
    };
    let (head, mut rest) = match key.find('[') {
        Some(i) => (&key[..i], &key[i..]),
        None => (key, ""),
    };
    if head.is_empty() {
        return Err(bad("it has no name before the brackets."));
    }
    if head.contains(']') {
        return Err(bad("it has a ']' without a matching '['."));
    }
    let mut path = vec![Seg::Name(head.to_owned())];
    while !rest.is_empty() {
        if !rest.starts_with('[') {
            return Err(bad(
                "text follows a closing ']'; nest with brackets like a[b][c].",
            ));
        }
        let close = rest
            .find(']')
            .ok_or_else(|| bad("a '[' is never closed."))?;
        let inner = &rest[1..close];
        if inner.contains('[') {
            return Err(bad("brackets cannot be nested inside brackets."));
        }
        path.push(if inner.is_empty() {
            Seg::Append
        } else {
            Seg::Name(inner.to_owned())
        });
        rest = &rest[close + 1..];
        if path.len() - 1 > MAX_DEPTH {
            return Err(FormError::new(
                Some(&display_name(head)),
                format!("Invalid parameter '{}': parameters can be nested at most {MAX_DEPTH} levels deep.", display_name(head)),
            ));
        }
    }
    Ok(path)
}

fn conflict(key: &str) -> FormError {
    FormError::new(
        Some(&display_name(key)),
        format!(
            "Invalid parameter '{}': it is given both as a value and as a nested object or list.",
            display_name(key)
        ),
    )
}

fn insert(
    root: &mut BTreeMap<String, Node>,
    key: &str,
    path: &[Seg],
    value: String,
) -> Result<(), FormError> {
    let Seg::Name(first) = &path[0] else {
        unreachable!("parse_key always starts with a name")
    };
    let rest = &path[1..];
    if rest.is_empty() {
        // A repeated plain key: the last value wins, as in Rack.
        match root.get(first) {
            Some(Node::Map(_)) | Some(Node::List(_)) => return Err(conflict(key)),
            _ => {
                root.insert(first.clone(), Node::Leaf(value));
            }
        }
        return Ok(());
    }
    let child = root
        .entry(first.clone())
        .or_insert_with(|| container_for(&rest[0]));
    insert_into(child, key, rest, value)
}

fn container_for(seg: &Seg) -> Node {
    match seg {
        Seg::Append => Node::List(Vec::new()),
        Seg::Name(_) => Node::Map(BTreeMap::new()),
    }
}

fn insert_into(node: &mut Node, key: &str, path: &[Seg], value: String) -> Result<(), FormError> {
    let last = path.len() == 1;
    match (node, &path[0]) {
        (Node::Map(map), Seg::Name(name)) => {
            if last {
                match map.get(name) {
                    Some(Node::Map(_)) | Some(Node::List(_)) => Err(conflict(key)),
                    _ => {
                        map.insert(name.clone(), Node::Leaf(value));
                        Ok(())
                    }
                }
            } else {
                let child = map
                    .entry(name.clone())
                    .or_insert_with(|| container_for(&path[1]));
                insert_into(child, key, &path[1..], value)
            }
        }
        (Node::List(list), Seg::Append) => {
            if last {
                list.push(Node::Leaf(value));
                return Ok(());
            }
            // `a[][b]=…`: keep filling the last element until it already has this key.
            let next_name = match &path[1] {
                Seg::Name(n) => Some(n),
                Seg::Append => None,
            };
            // Rack's rule: a new element starts when the last one already has this path.
            let reuse = match (list.last(), next_name) {
                (Some(last @ Node::Map(_)), Some(_)) => !has_path(last, &path[1..]),
                _ => false,
            };
            if !reuse {
                list.push(container_for(&path[1]));
            }
            let child = list.last_mut().expect("just ensured non-empty");
            insert_into(child, key, &path[1..], value)
        }
        _ => Err(conflict(key)),
    }
}

/// Whether `node` already holds a leaf (or anything) at `path`.
fn has_path(node: &Node, path: &[Seg]) -> bool {
    match (node, path.first()) {
        (_, None) => true,
        (Node::Map(m), Some(Seg::Name(n))) => {
            m.get(n).is_some_and(|child| has_path(child, &path[1..]))
        }
        // An append always adds: the path is free.
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn leaf(s: &str) -> Node {
        Node::Leaf(s.to_owned())
    }

    fn map(pairs: &[(&str, Node)]) -> Node {
        Node::Map(
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect(),
        )
    }

    fn root(input: &str) -> Node {
        Node::Map(decode(input.as_bytes()).unwrap())
    }

    #[test]
    fn flat_and_nested() {
        assert_eq!(
            root("a=1&b=two+words"),
            map(&[("a", leaf("1")), ("b", leaf("two words"))])
        );
        assert_eq!(
            root("address[line1]=1+Main&address[city]=X"),
            map(&[(
                "address",
                map(&[("city", leaf("X")), ("line1", leaf("1 Main"))])
            )])
        );
        assert_eq!(
            root("flow_data[after_completion][redirect][return_url]=https%3A%2F%2Fx.io%2F%3Fa%3Db"),
            map(&[(
                "flow_data",
                map(&[(
                    "after_completion",
                    map(&[(
                        "redirect",
                        map(&[("return_url", leaf("https://x.io/?a=b"))])
                    )])
                )])
            )])
        );
    }

    #[test]
    fn plus_is_a_space_but_an_encoded_plus_is_a_plus() {
        assert_eq!(
            root("email=a%2Bb+c%40x.io&name=%2B&q=++"),
            map(&[
                ("email", leaf("a+b c@x.io")),
                ("name", leaf("+")),
                ("q", leaf("  "))
            ])
        );
        assert_eq!(
            root("metadata+key%5Bk%2B%5D=v"),
            map(&[("metadata key", map(&[("k+", leaf("v"))]))])
        );
    }

    #[test]
    fn encoded_brackets_are_brackets() {
        assert_eq!(
            root("expand%5B0%5D=default_price"),
            root("expand[0]=default_price")
        );
        assert_eq!(
            root("metadata%5Bk%5D=v"),
            map(&[("metadata", map(&[("k", leaf("v"))]))])
        );
    }

    #[test]
    fn indexed_and_appended_arrays() {
        assert_eq!(
            root("items[0][price]=p&items[0][quantity]=2&items[1][price]=q"),
            map(&[(
                "items",
                map(&[
                    ("0", map(&[("price", leaf("p")), ("quantity", leaf("2"))])),
                    ("1", map(&[("price", leaf("q"))]))
                ])
            )])
        );
        assert_eq!(
            root("expand[]=a&expand[]=b"),
            map(&[("expand", Node::List(vec![leaf("a"), leaf("b")]))])
        );
        assert_eq!(
            root("items[][price_data][currency]=usd&items[][price_data][currency]=eur"),
            map(&[(
                "items",
                Node::List(vec![
                    map(&[("price_data", map(&[("currency", leaf("usd"))]))]),
                    map(&[("price_data", map(&[("currency", leaf("eur"))]))]),
                ])
            )])
        );
        assert_eq!(
            root("items[][price_data][currency]=usd&items[][price_data][unit_amount]=5"),
            map(&[(
                "items",
                Node::List(vec![map(&[(
                    "price_data",
                    map(&[("currency", leaf("usd")), ("unit_amount", leaf("5"))])
                )])])
            )])
        );
        assert_eq!(
            root("items[][price]=p&items[][quantity]=2&items[][price]=q"),
            map(&[(
                "items",
                Node::List(vec![
                    map(&[("price", leaf("p")), ("quantity", leaf("2"))]),
                    map(&[("price", leaf("q"))])
                ])
            )])
        );
    }

    #[test]
    fn empty_values_and_repeats() {
        assert_eq!(
            root("metadata=&name"),
            map(&[("metadata", leaf("")), ("name", leaf(""))])
        );
        assert_eq!(root("a=1&a=2"), map(&[("a", leaf("2"))]));
        assert_eq!(root("&&a=1&"), map(&[("a", leaf("1"))]));
        assert_eq!(root(""), map(&[]));
    }

    #[test]
    fn malformed_keys_are_refused() {
        for bad in [
            "a[b=1",
            "[a]=1",
            "a]=1",
            "a[b]c=1",
            "a[[b]]=1",
            "=1",
            "a=1&a[b]=2",
            "a[b]=2&a=1",
            "a[]=1&a[b]=2",
            "a[0]=1&a[]=2",
        ] {
            let e = decode(bad.as_bytes()).unwrap_err();
            assert!(!e.message.is_empty(), "{bad}");
        }
    }

    #[test]
    fn invalid_utf8_is_refused() {
        let e = decode(b"name=%FF%FE").unwrap_err();
        assert_eq!(e.param.as_deref(), Some("name"));
        assert!(decode(b"na%C3me=1").is_err());
        assert!(decode("name=caf%C3%A9".as_bytes()).is_ok());
    }

    #[test]
    fn nul_characters_are_refused() {
        assert_eq!(
            decode(b"name=a%00b").unwrap_err().param.as_deref(),
            Some("name")
        );
        assert!(decode(b"na%00me=x").is_err());
        assert!(decode(b"metadata[a%00]=b").is_err());
    }

    #[test]
    fn limits() {
        let deep = format!("a{}=1", "[b]".repeat(MAX_DEPTH));
        assert!(decode(deep.as_bytes()).is_ok());
        let too_deep = format!("a{}=1", "[b]".repeat(100));
        let e = decode(too_deep.as_bytes()).unwrap_err();
        assert!(e.message.contains("nested at most"));
        let many: String = (0..MAX_PAIRS + 1).map(|i| format!("k{i}=v&")).collect();
        assert!(decode(many.as_bytes())
            .unwrap_err()
            .message
            .contains("Too many parameters"));
        let long_key = format!("{}=1", "k".repeat(MAX_KEY_LEN + 1));
        assert!(decode(long_key.as_bytes()).is_err());
    }

    mod prop {
        use super::*;
        use proptest::prelude::*;

        /// Encodes like an SDK: brackets encoded or not, spaces as `+` or `%20`.
        fn encode(s: &str, brackets: bool, plus: bool) -> String {
            let mut out = String::new();
            for b in s.bytes() {
                match b {
                    b'[' | b']' if !brackets => out.push(b as char),
                    b' ' if plus => out.push('+'),
                    b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'_' | b'-' | b'.' => {
                        out.push(b as char)
                    }
                    _ => out.push_str(&format!("%{b:02X}")),
                }
            }
            out
        }

        proptest! {
            /// Any bytes at all: decode answers Ok or Err, never panics.
            #[test]
            fn never_panics(input in proptest::collection::vec(any::<u8>(), 0..512)) {
                let _ = decode(&input);
            }

            /// Bracket-ish noise never panics either.
            #[test]
            fn bracket_noise_never_panics(input in "[a-c\\[\\]=&%5BD0]{0,64}") {
                let _ = decode(input.as_bytes());
            }

            /// A metadata map round-trips through any of the SDKs' encodings.
            #[test]
            fn metadata_round_trips(
                entries in proptest::collection::btree_map("[a-z_]{1,10}", "\\PC{0,20}", 0..8),
                brackets in any::<bool>(), plus in any::<bool>(),
            ) {
                let body: Vec<String> = entries.iter()
                    .map(|(k, v)| format!("{}={}", encode(&format!("metadata[{k}]"), brackets, plus), encode(v, true, plus)))
                    .collect();
                let decoded = decode(body.join("&").as_bytes()).unwrap();
                if entries.is_empty() {
                    prop_assert!(decoded.is_empty());
                } else {
                    let want = Node::Map(entries.iter().map(|(k, v)| (k.clone(), Node::Leaf(v.clone()))).collect());
                    prop_assert_eq!(decoded.get("metadata"), Some(&want));
                }
            }

            /// Indexed items decode to one entry per index with all their fields.
            #[test]
            fn indexed_items_round_trip(prices in proptest::collection::vec("[a-z0-9_]{1,12}", 1..12), qty in 1u32..100) {
                let body: Vec<String> = prices.iter().enumerate()
                    .flat_map(|(i, p)| [format!("items[{i}][price]={p}"), format!("items[{i}][quantity]={qty}")])
                    .collect();
                let decoded = decode(body.join("&").as_bytes()).unwrap();
                let Some(Node::Map(items)) = decoded.get("items") else { panic!("items is a map") };
                prop_assert_eq!(items.len(), prices.len());
                for (i, p) in prices.iter().enumerate() {
                    let Some(Node::Map(item)) = items.get(&i.to_string()) else { panic!("item {i}") };
                    prop_assert_eq!(item.get("price"), Some(&Node::Leaf(p.clone())));
                    prop_assert_eq!(item.get("quantity"), Some(&Node::Leaf(qty.to_string())));
                }
            }
        }
    }
}

//! Typed reading of decoded parameters with Stripe's errors.
//!
//! An endpoint describes its parameters by reading them ([`Reader::string`], [`Reader::object`],
//! …). Reading never stops at the first problem: errors are recorded and the endpoint gets a
//! placeholder, so that when it is done [`read`] can report what Stripe reports first — unknown
//! parameters (every one left unread, with a "Did you mean" when a known name is close) — and
//! otherwise the first error met.

use crate::error::ApiError;
use crate::form::Node;
use portico_domain::metadata::MetadataUpdate;
use portico_domain::{ErrorCode, Patch};
use std::collections::BTreeMap;

/// The error for a timestamp outside the years 1970 to 9999, about parameter `param`.
pub fn timestamp_out_of_range(param: &str) -> ApiError {
    ApiError::invalid(
        Some(param.to_owned()),
        Some(ErrorCode::ParameterInvalidInteger),
        format!(
            "Invalid timestamp for {param}: it must be a Unix timestamp between 0 and {} (the end of the year 9999).",
            portico_domain::calendar::LATEST
        ),
    )
}

/// A timestamp parameter that also takes `now`: `Ok(None)` for `now`, the moment otherwise,
/// or the error about parameter `param`.
pub fn now_or_timestamp(raw: &str, param: &str) -> Result<Option<i64>, ApiError> {
    if raw == "now" {
        return Ok(None);
    }
    match raw.parse::<i64>() {
        Ok(t) if portico_domain::calendar::in_range(t) => Ok(Some(t)),
        Ok(_) => Err(timestamp_out_of_range(param)),
        Err(_) => Err(ApiError::invalid(
            Some(param.to_owned()),
            None,
            format!("Invalid {param}: '{raw}'. Use a unix timestamp or 'now'."),
        )),
    }
}

/// Errors gathered while reading.
#[derive(Default)]
struct Sink {
    unknown: Vec<(String, Option<&'static str>)>,
    first: Option<ApiError>,
}

impl Sink {
    fn record(&mut self, e: ApiError) {
        if self.first.is_none() {
            self.first = Some(e);
        }
    }
}

/// Reads one level of parameters. Created by [`read`] and by the nesting methods.
pub struct Reader<'s> {
    map: BTreeMap<String, Node>,
    path: String,
    asked: Vec<&'static str>,
    sink: &'s mut Sink,
}

/// Runs `f` over the decoded parameters and returns its result, or the error Stripe would give.
pub fn read<T>(
    params: BTreeMap<String, Node>,
    f: impl FnOnce(&mut Reader<'_>) -> T,
) -> Result<T, ApiError> {
    read_for(params, &[], f)
}

/// [`read`] for an endpoint of Stripe's API that takes `stripe_params` (sorted, as
/// [`crate::spec_params::SPEC_PARAMS`] lists them): a parameter `f` leaves unread that Stripe
/// takes there is refused as one Portico does not support, not as unknown.
pub fn read_for<T>(
    params: BTreeMap<String, Node>,
    stripe_params: &[&str],
    f: impl FnOnce(&mut Reader<'_>) -> T,
) -> Result<T, ApiError> {
    let mut sink = Sink::default();
    let value = {
        let mut r = Reader {
            map: params,
            path: String::new(),
            asked: Vec::new(),
            sink: &mut sink,
        };
        let v = f(&mut r);
        r.finish();
        v
    };
    let (stripes, unknown): (Vec<_>, Vec<_>) = std::mem::take(&mut sink.unknown)
        .into_iter()
        .partition(|(name, _)| {
            stripe_params
                .binary_search(&spec_name(name).as_str())
                .is_ok()
        });
    if !unknown.is_empty() {
        return Err(unknown_error(&unknown));
    }
    if !stripes.is_empty() {
        return Err(unsupported_error(&stripes));
    }
    match sink.first {
        Some(e) => Err(e),
        None => Ok(value),
    }
}

/// A parameter path as the spec names it: array indexes as `[]` (`items[0][price]` is
/// `items[][price]`).
fn spec_name(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for (i, part) in path.split('[').enumerate() {
        if i > 0 {
            out.push('[');
            if part
                .strip_suffix(']')
                .is_some_and(|n| n.bytes().all(|b| b.is_ascii_digit()))
            {
                out.push(']');
                continue;
            }
        }
        out.push_str(part);
    }
    out
}

/// Parameters of Stripe's API that Portico does not implement (none of the unknown kind).
fn unsupported_error(names: &[(String, Option<&'static str>)]) -> ApiError {
    let mut names: Vec<&str> = names.iter().map(|(n, _)| n.as_str()).collect();
    names.sort_unstable();
    let message = match names.as_slice() {
        [one] => format!(
            "Portico does not support `{one}`: Stripe's API takes it here, but it is not implemented."
        ),
        _ => format!(
            "Portico does not support these parameters, which Stripe's API takes here but are not implemented: {}.",
            names.join(", ")
        ),
    };
    ApiError::invalid(Some(names[0].to_owned()), None, message)
}

fn unknown_error(unknown: &[(String, Option<&'static str>)]) -> ApiError {
    let mut names: Vec<&(String, Option<&'static str>)> = unknown.iter().collect();
    names.sort_by(|a, b| a.0.cmp(&b.0));
    let message = if names.len() == 1 {
        let (name, suggestion) = names[0];
        match suggestion {
            Some(s) => format!("Received unknown parameter: {name}. Did you mean {s}?"),
            None => format!("Received unknown parameter: {name}"),
        }
    } else {
        format!(
            "Received unknown parameters: {}",
            names
                .iter()
                .map(|n| n.0.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    ApiError::invalid(
        Some(names[0].0.clone()),
        Some(ErrorCode::ParameterUnknown),
        message,
    )
}

/// Levenshtein distance, for "Did you mean" suggestions on short names.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur.push(sub.min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

fn kind_of(node: &Node) -> &'static str {
    match node {
        Node::Leaf(_) => "a string",
        Node::Map(_) => "an object",
        Node::List(_) => "an array",
    }
}

impl<'s> Reader<'s> {
    /// The bracketed path of a key at this level (`address[line1]`).
    pub fn path_of(&self, key: &str) -> String {
        if self.path.is_empty() {
            key.to_owned()
        } else {
            format!("{}[{key}]", self.path)
        }
    }

    /// Records an error found by the endpoint itself (the first one wins).
    pub fn error(&mut self, e: ApiError) {
        self.sink.record(e);
    }

    /// Whether the parameter was sent.
    pub fn has(&self, key: &str) -> bool {
        self.map.contains_key(key)
    }

    /// Whether the parameter was sent as a plain value (not nested).
    pub fn has_leaf(&self, key: &str) -> bool {
        matches!(self.map.get(key), Some(Node::Leaf(_)))
    }

    /// Whether the parameter was sent as the empty string.
    pub fn is_empty_string(&self, key: &str) -> bool {
        matches!(self.map.get(key), Some(Node::Leaf(s)) if s.is_empty())
    }

    fn take(&mut self, key: &'static str) -> Option<Node> {
        self.asked.push(key);
        self.map.remove(key)
    }

    fn wrong_shape(&mut self, key: &str, want: &str, got: &Node) {
        let p = self.path_of(key);
        let hint = match want {
            "an object" => format!(" (send fields as {p}[field]=value)"),
            "an array" => format!(" (send items as {p}[0]=value, {p}[1]=value, …)"),
            _ => String::new(),
        };
        self.sink.record(ApiError::invalid(
            Some(p.clone()),
            None,
            format!("Invalid {p}: expected {want}, got {}{hint}.", kind_of(got)),
        ));
    }

    /// A string leaf, or `None` (recording an error) for other shapes.
    fn leaf(&mut self, key: &'static str) -> Option<String> {
        match self.take(key)? {
            Node::Leaf(s) => Some(s),
            other => {
                self.wrong_shape(key, "a string", &other);
                None
            }
        }
    }

    fn check_len(&mut self, key: &str, s: &str, max: usize) -> bool {
        if s.chars().count() > max {
            let p = self.path_of(key);
            self.sink.record(ApiError::invalid(
                Some(p.clone()),
                None,
                format!("Invalid {p}: must be at most {max} characters long."),
            ));
            false
        } else {
            true
        }
    }

    /// An optional string that cannot be unset; `""` is `parameter_invalid_empty`.
    pub fn string(&mut self, key: &'static str, max: usize) -> Option<String> {
        let s = self.leaf(key)?;
        if s.is_empty() {
            let p = self.path_of(key);
            self.sink.record(ApiError::empty(&p));
            return None;
        }
        self.check_len(key, &s, max).then_some(s)
    }

    /// An optional string where `""` unsets the value.
    pub fn string_or_clear(&mut self, key: &'static str, max: usize) -> Patch<String> {
        match self.leaf(key) {
            None => Patch::Keep,
            Some(s) if s.is_empty() => Patch::Clear,
            Some(s) => {
                if self.check_len(key, &s, max) {
                    Patch::Set(s)
                } else {
                    Patch::Keep
                }
            }
        }
    }

    /// A required string; missing is `parameter_missing`.
    pub fn required_string(&mut self, key: &'static str, max: usize) -> String {
        if !self.has(key) {
            self.asked.push(key);
            let p = self.path_of(key);
            self.sink.record(ApiError::missing(&p));
            return String::new();
        }
        self.string(key, max).unwrap_or_default()
    }

    /// Records `parameter_missing` unless the parameter was sent.
    pub fn require(&mut self, key: &'static str) -> bool {
        if self.has(key) {
            true
        } else {
            let p = self.path_of(key);
            self.sink.record(ApiError::missing(&p));
            false
        }
    }

    /// `true` or `false`.
    pub fn bool(&mut self, key: &'static str) -> Option<bool> {
        let s = self.leaf(key)?;
        match s.as_str() {
            "true" => Some(true),
            "false" => Some(false),
            "" => {
                let p = self.path_of(key);
                self.sink.record(ApiError::empty(&p));
                None
            }
            _ => {
                let p = self.path_of(key);
                self.sink.record(ApiError::invalid(
                    Some(p),
                    None,
                    format!("Invalid boolean: {s}"),
                ));
                None
            }
        }
    }

    /// A signed 64-bit integer.
    pub fn int(&mut self, key: &'static str) -> Option<i64> {
        let s = self.leaf(key)?;
        if s.is_empty() {
            let p = self.path_of(key);
            self.sink.record(ApiError::empty(&p));
            return None;
        }
        match s.parse::<i64>() {
            Ok(v) => Some(v),
            Err(_) => {
                let p = self.path_of(key);
                self.sink.record(ApiError::invalid(
                    Some(p),
                    Some(ErrorCode::ParameterInvalidInteger),
                    format!("Invalid integer: {s}"),
                ));
                None
            }
        }
    }

    /// An integer between `min` and `max` (inclusive).
    pub fn int_between(&mut self, key: &'static str, min: i64, max: i64) -> Option<i64> {
        self.int_where(
            key,
            |v| (min..=max).contains(&v),
            |p| {
                ApiError::invalid(
                    Some(p.to_owned()),
                    Some(ErrorCode::ParameterInvalidInteger),
                    format!("Invalid {p}: it must be between {min} and {max}."),
                )
            },
        )
    }

    /// A Unix timestamp: an integer between 0 and the end of the year 9999
    /// ([`portico_domain::calendar::LATEST`]).
    pub fn timestamp(&mut self, key: &'static str) -> Option<i64> {
        self.int_where(
            key,
            portico_domain::calendar::in_range,
            timestamp_out_of_range,
        )
    }

    /// An integer that passes `ok`; otherwise the error `refused` makes for its path.
    fn int_where(
        &mut self,
        key: &'static str,
        ok: impl Fn(i64) -> bool,
        refused: impl FnOnce(&str) -> ApiError,
    ) -> Option<i64> {
        let v = self.int(key)?;
        if ok(v) {
            return Some(v);
        }
        let p = self.path_of(key);
        self.sink.record(refused(&p));
        None
    }

    /// A decimal number.
    pub fn float(&mut self, key: &'static str) -> Option<f64> {
        let s = self.leaf(key)?;
        match s.parse::<f64>() {
            Ok(v) if v.is_finite() => Some(v),
            _ => {
                let p = self.path_of(key);
                if s.is_empty() {
                    self.sink.record(ApiError::empty(&p));
                } else {
                    self.sink.record(ApiError::invalid(
                        Some(p),
                        None,
                        format!("Invalid decimal: {s}"),
                    ));
                }
                None
            }
        }
    }

    /// One of `values`; the error lists them the way Stripe does ("a, b, or c").
    pub fn enumeration(
        &mut self,
        key: &'static str,
        values: &'static [&'static str],
    ) -> Option<&'static str> {
        let s = self.leaf(key)?;
        if s.is_empty() {
            let p = self.path_of(key);
            self.sink.record(ApiError::empty(&p));
            return None;
        }
        self.pick(key, &s, values)
    }

    /// One of `values`, or `""` to unset.
    pub fn enumeration_or_clear(
        &mut self,
        key: &'static str,
        values: &'static [&'static str],
    ) -> Patch<&'static str> {
        match self.leaf(key) {
            None => Patch::Keep,
            Some(s) if s.is_empty() => Patch::Clear,
            Some(s) => self
                .pick(key, &s, values)
                .map(Patch::Set)
                .unwrap_or(Patch::Keep),
        }
    }

    fn pick(
        &mut self,
        key: &str,
        s: &str,
        values: &'static [&'static str],
    ) -> Option<&'static str> {
        if let Some(v) = values.iter().find(|v| **v == s) {
            return Some(v);
        }
        let p = self.path_of(key);
        self.sink.record(ApiError::invalid(
            Some(p.clone()),
            None,
            format!("Invalid {p}: must be one of {}", one_of(values)),
        ));
        None
    }

    /// A currency code (case-insensitive); an unsupported one is refused naming the parameter.
    pub fn currency(&mut self, key: &'static str) -> Option<portico_domain::Currency> {
        let raw = self.string(key, 5000)?;
        let parsed = portico_domain::Currency::parse(&raw);
        if parsed.is_none() {
            let p = self.path_of(key);
            self.sink.record(ApiError::invalid(
                Some(p),
                None,
                format!(
                    "Invalid currency: {}. Use a lowercase three-letter ISO code that Stripe supports, such as usd, eur, gbp or jpy.",
                    raw.to_lowercase()
                ),
            ));
        }
        parsed
    }

    /// `metadata[key]=value` pairs (`""` removes a key); `metadata=` clears all when allowed.
    pub fn metadata(&mut self, key: &'static str, allow_clear: bool) -> MetadataUpdate {
        let mut update = MetadataUpdate::default();
        match self.take(key) {
            None => {}
            Some(Node::Leaf(s)) if s.is_empty() => {
                if allow_clear {
                    update.clear = true;
                } else {
                    let p = self.path_of(key);
                    self.sink.record(ApiError::empty(&p));
                }
            }
            Some(Node::Map(m)) => {
                for (k, v) in m {
                    match v {
                        Node::Leaf(s) if s.is_empty() => update.entries.push((k, None)),
                        Node::Leaf(s) => update.entries.push((k, Some(s))),
                        other => {
                            let p = format!("{}[{k}]", self.path_of(key));
                            self.sink.record(ApiError::invalid(
                                Some(p.clone()),
                                None,
                                format!(
                                    "Invalid {p}: metadata values must be strings, got {}.",
                                    kind_of(&other)
                                ),
                            ));
                        }
                    }
                }
            }
            Some(other) => self.wrong_shape(key, "an object", &other),
        }
        update
    }

    /// The elements of an array parameter, in index order.
    fn elements(&mut self, key: &'static str) -> Option<Vec<(String, Node)>> {
        let node = self.take(key)?;
        let base = self.path_of(key);
        match node {
            Node::List(items) => Some(
                items
                    .into_iter()
                    .enumerate()
                    .map(|(i, n)| (format!("{base}[{i}]"), n))
                    .collect(),
            ),
            Node::Map(m) => {
                let mut indexed = Vec::with_capacity(m.len());
                for (k, v) in m {
                    // Only canonical indices: `01` or `+1` would collide with `1`.
                    match k.parse::<usize>() {
                        Ok(i) if i.to_string() == k => indexed.push((i, v)),
                        _ => {
                            self.wrong_shape(key, "an array", &Node::Map(BTreeMap::new()));
                            return None;
                        }
                    }
                }
                indexed.sort_by_key(|(i, _)| *i);
                Some(
                    indexed
                        .into_iter()
                        .map(|(i, n)| (format!("{base}[{i}]"), n))
                        .collect(),
                )
            }
            other => {
                self.wrong_shape(key, "an array", &other);
                None
            }
        }
    }

    /// An array of strings (`expand[]=a`, `expand[0]=a`).
    pub fn strings(&mut self, key: &'static str, max: usize) -> Option<Vec<String>> {
        if self.is_empty_string(key) {
            self.take(key);
            let p = self.path_of(key);
            self.sink.record(ApiError::empty(&p));
            return None;
        }
        self.string_elements(key, max)
    }

    /// An array of strings, or `""` to clear it.
    pub fn strings_or_clear(&mut self, key: &'static str, max: usize) -> Patch<Vec<String>> {
        if self.is_empty_string(key) {
            self.take(key);
            return Patch::Clear;
        }
        match self.string_elements(key, max) {
            Some(v) => Patch::Set(v),
            None => Patch::Keep,
        }
    }

    fn string_elements(&mut self, key: &'static str, max: usize) -> Option<Vec<String>> {
        let items = self.elements(key)?;
        let mut out = Vec::with_capacity(items.len());
        for (path, node) in items {
            match node {
                Node::Leaf(s) if s.chars().count() > max => self.sink.record(ApiError::invalid(
                    Some(path.clone()),
                    None,
                    format!("Invalid {path}: must be at most {max} characters long."),
                )),
                Node::Leaf(s) => out.push(s),
                other => self.sink.record(ApiError::invalid(
                    Some(path.clone()),
                    None,
                    format!(
                        "Invalid {path}: expected a string, got {}.",
                        kind_of(&other)
                    ),
                )),
            }
        }
        Some(out)
    }

    /// A nested object read by `f`; unknown fields inside are reported with their full path.
    pub fn object<T>(
        &mut self,
        key: &'static str,
        f: impl FnOnce(&mut Reader<'_>) -> T,
    ) -> Option<T> {
        match self.take(key)? {
            Node::Map(m) => {
                let path = self.path_of(key);
                Some(self.nested(m, path, f))
            }
            Node::Leaf(s) if s.is_empty() => {
                let p = self.path_of(key);
                self.sink.record(ApiError::empty(&p));
                None
            }
            other => {
                self.wrong_shape(key, "an object", &other);
                None
            }
        }
    }

    /// A nested object, or `""` to unset it.
    pub fn object_or_clear<T>(
        &mut self,
        key: &'static str,
        f: impl FnOnce(&mut Reader<'_>) -> T,
    ) -> Patch<T> {
        if self.is_empty_string(key) {
            self.take(key);
            return Patch::Clear;
        }
        match self.object(key, f) {
            Some(v) => Patch::Set(v),
            None => Patch::Keep,
        }
    }

    /// An array of objects, each read by `f`.
    pub fn list<T>(
        &mut self,
        key: &'static str,
        mut f: impl FnMut(&mut Reader<'_>) -> T,
    ) -> Option<Vec<T>> {
        if self.is_empty_string(key) {
            self.take(key);
            let p = self.path_of(key);
            self.sink.record(ApiError::empty(&p));
            return None;
        }
        let items = self.elements(key)?;
        let mut out = Vec::with_capacity(items.len());
        for (path, node) in items {
            match node {
                Node::Map(m) => out.push(self.nested(m, path, &mut f)),
                other => self.sink.record(ApiError::invalid(
                    Some(path.clone()),
                    None,
                    format!(
                        "Invalid {path}: expected an object, got {}.",
                        kind_of(&other)
                    ),
                )),
            }
        }
        Some(out)
    }

    /// An array of objects, or `""` to clear it.
    pub fn list_or_clear<T>(
        &mut self,
        key: &'static str,
        f: impl FnMut(&mut Reader<'_>) -> T,
    ) -> Patch<Vec<T>> {
        if self.is_empty_string(key) {
            self.take(key);
            return Patch::Clear;
        }
        match self.list(key, f) {
            Some(v) => Patch::Set(v),
            None => Patch::Keep,
        }
    }

    fn nested<T>(
        &mut self,
        map: BTreeMap<String, Node>,
        path: String,
        f: impl FnOnce(&mut Reader<'_>) -> T,
    ) -> T {
        let mut child = Reader {
            map,
            path,
            asked: Vec::new(),
            sink: &mut *self.sink,
        };
        let v = f(&mut child);
        child.finish();
        v
    }

    /// A parameter of Stripe's API that Portico does not implement: refused clearly if sent.
    pub fn unsupported(&mut self, key: &'static str, why: &str) {
        if self.take(key).is_some() {
            let p = self.path_of(key);
            self.sink.record(ApiError::invalid(
                Some(p.clone()),
                None,
                format!("Portico does not support `{p}`: {why}"),
            ));
        }
    }

    /// The standard `expand` parameter, checked against what an object of kind `object` (or,
    /// with `list`, a list of them) can expand, so a bad path fails before anything is written.
    pub fn expand(&mut self, object: &str, list: bool) -> Vec<String> {
        let paths = self.strings("expand", 5000).unwrap_or_default();
        if let Err(e) = crate::expand::ExpandTree::parse(&paths).and_then(|t| t.check(object, list))
        {
            self.sink.record(e);
        }
        paths
    }

    /// The known name closest to `key`, if it is close enough to be a typo.
    fn suggestion(&self, key: &str) -> Option<&'static str> {
        let limit = 2.max(key.len() / 5);
        self.asked
            .iter()
            .copied()
            .filter(|k| k.len().abs_diff(key.len()) <= limit && *k != key)
            .map(|k| (distance(k, key), k))
            .filter(|(d, _)| *d <= limit)
            .min()
            .map(|(_, k)| k)
    }

    /// Reports whatever was not read at this level as unknown.
    fn finish(&mut self) {
        let leftovers: Vec<String> = self.map.keys().cloned().collect();
        // Suggestions cost an edit distance per known name: only for a few short keys.
        let suggest = leftovers.len() <= 3;
        for key in leftovers {
            let suggestion = if suggest && key.len() <= 64 {
                self.suggestion(&key)
            } else {
                None
            };
            let p = self.path_of(&key);
            self.sink.unknown.push((p, suggestion));
        }
        self.map.clear();
    }
}

/// "a, b, or c", as Stripe lists accepted values.
pub fn one_of(values: &[&str]) -> String {
    match values {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [a, b] => format!("{a} or {b}"),
        [init @ .., last] => format!("{}, or {last}", init.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::form::decode;

    fn run<T>(input: &str, f: impl FnOnce(&mut Reader<'_>) -> T) -> Result<T, ApiError> {
        read(decode(input.as_bytes()).unwrap(), f)
    }

    #[test]
    fn parameters_stripe_takes_are_refused_as_unsupported() {
        assert_eq!(
            spec_name("items[0][price_data][recurring]"),
            "items[][price_data][recurring]"
        );
        assert_eq!(spec_name("metadata[10]"), "metadata[]");
        assert_eq!(spec_name("footer"), "footer");
        let stripe = ["footer", "items[][discounts]", "name"];
        let read = |input: &str| {
            read_for(decode(input.as_bytes()).unwrap(), &stripe, |r| {
                r.string("name", 10);
                r.list("items", |i| i.string("price", 10));
            })
            .unwrap_err()
        };
        let e = read("footer=x&items[0][price]=p&items[0][discounts][0][coupon]=c");
        assert_eq!((e.code, e.param.as_deref()), (None, Some("footer")));
        assert!(e
            .message
            .ends_with("not implemented: footer, items[0][discounts]."));
        // Anything Stripe does not take is reported first, as unknown.
        let e = read("footer=x&fotter=y");
        assert_eq!(
            (e.code, e.param.as_deref()),
            (Some(ErrorCode::ParameterUnknown), Some("fotter"))
        );
    }

    #[test]
    fn unknown_parameters_first_with_suggestion() {
        let e = run("nmae=x&email=", |r| {
            r.string("name", 10);
            r.string("email", 10)
        })
        .unwrap_err();
        assert_eq!(e.code, Some(ErrorCode::ParameterUnknown));
        assert_eq!(e.param.as_deref(), Some("nmae"));
        assert_eq!(
            e.message,
            "Received unknown parameter: nmae. Did you mean name?"
        );

        let e = run("zzz=1&address[foo]=x&address[city]=y", |r| {
            r.object("address", |a| a.string("city", 10))
        })
        .unwrap_err();
        assert_eq!(e.message, "Received unknown parameters: address[foo], zzz");
        assert_eq!(e.param.as_deref(), Some("address[foo]"));
        let e = run("address[cty]=y", |r| {
            r.object("address", |a| a.string("city", 10))
        })
        .unwrap_err();
        assert_eq!(
            e.message,
            "Received unknown parameter: address[cty]. Did you mean city?"
        );
    }

    #[test]
    fn missing_empty_and_types() {
        let e = run("", |r| r.required_string("name", 10)).unwrap_err();
        assert_eq!(
            (e.code, e.message.as_str()),
            (
                Some(ErrorCode::ParameterMissing),
                "Missing required param: name."
            )
        );
        let e = run("name=", |r| r.string("name", 10)).unwrap_err();
        assert_eq!(e.code, Some(ErrorCode::ParameterInvalidEmpty));
        let e = run("unit_amount=abc", |r| r.int("unit_amount")).unwrap_err();
        assert_eq!(
            (e.message.as_str(), e.code),
            (
                "Invalid integer: abc",
                Some(ErrorCode::ParameterInvalidInteger)
            )
        );
        let e = run("active=maybe", |r| r.bool("active")).unwrap_err();
        assert_eq!(e.message, "Invalid boolean: maybe");
        let e = run("recurring[interval]=fortnight", |r| {
            r.object("recurring", |o| {
                o.enumeration("interval", &["day", "week", "month", "year"])
            })
        })
        .unwrap_err();
        assert_eq!(
            e.message,
            "Invalid recurring[interval]: must be one of day, week, month, or year"
        );
        assert_eq!(e.param.as_deref(), Some("recurring[interval]"));
        let e = run("name=abcdefghijk", |r| r.string("name", 10)).unwrap_err();
        assert!(e.message.contains("at most 10 characters"));
        let e = run("address=x", |r| r.object("address", |_| ())).unwrap_err();
        assert!(e.message.contains("expected an object"));
        let e = run("expand=x", |r| r.expand("customer", false)).unwrap_err();
        assert!(e.message.contains("expected an array"));
        let e = run("name[a]=x", |r| r.string("name", 10)).unwrap_err();
        assert!(e.message.contains("expected a string"));
    }

    #[test]
    fn values_and_patches() {
        let v = run("a=x&b=&c=true&d=-5&e[0]=p&e[1]=q&f[]=r&g=", |r| {
            (
                r.string("a", 9),
                r.string_or_clear("b", 9),
                r.bool("c"),
                r.int("d"),
                r.expand_like("e"),
                r.strings("f", 9),
                r.strings_or_clear("g", 9),
            )
        })
        .unwrap();
        assert_eq!(v.0.as_deref(), Some("x"));
        assert_eq!(v.1, Patch::Clear);
        assert_eq!(v.2, Some(true));
        assert_eq!(v.3, Some(-5));
        assert_eq!(v.4, vec!["p".to_string(), "q".to_string()]);
        assert_eq!(v.5, Some(vec!["r".to_string()]));
        assert_eq!(v.6, Patch::Clear);
    }

    #[test]
    fn indexed_lists_sort_numerically() {
        let v = run("items[10][p]=k&items[2][p]=c&items[0][p]=a", |r| {
            r.list("items", |i| i.required_string("p", 9))
        })
        .unwrap();
        assert_eq!(
            v,
            Some(vec!["a".to_string(), "c".to_string(), "k".to_string()])
        );
        let e = run("items[x][p]=a", |r| r.list("items", |i| i.string("p", 9))).unwrap_err();
        assert!(e.message.contains("expected an array"));
        let e = run("items[01][p]=a&items[1][p]=b", |r| {
            r.list("items", |i| i.string("p", 9))
        })
        .unwrap_err();
        assert!(e.message.contains("expected an array"));
        let e = run("items[0][q]=a", |r| r.list("items", |i| i.string("p", 9))).unwrap_err();
        assert_eq!(e.param.as_deref(), Some("items[0][q]"));
    }

    #[test]
    fn metadata_forms() {
        let m = run("metadata[a]=1&metadata[b]=", |r| {
            r.metadata("metadata", true)
        })
        .unwrap();
        assert_eq!(
            m.entries,
            vec![
                ("a".to_string(), Some("1".to_string())),
                ("b".to_string(), None)
            ]
        );
        assert!(
            run("metadata=", |r| r.metadata("metadata", true))
                .unwrap()
                .clear
        );
        assert!(run("metadata=", |r| r.metadata("metadata", false)).is_err());
        assert!(run("metadata[a][b]=1", |r| r.metadata("metadata", true)).is_err());
    }

    #[test]
    fn one_of_lists_like_stripe() {
        assert_eq!(one_of(&["a"]), "a");
        assert_eq!(one_of(&["a", "b"]), "a or b");
        assert_eq!(
            one_of(&["none", "reverse", "exempt"]),
            "none, reverse, or exempt"
        );
    }

    impl Reader<'_> {
        fn expand_like(&mut self, key: &'static str) -> Vec<String> {
            self.strings(key, 99).unwrap_or_default()
        }
    }
}

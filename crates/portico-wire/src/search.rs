//! Stripe's search query language (`GET /v1/customers/search?query=…` and its siblings): the
//! parser, matching against an object as rendered, and the `search_result` envelope.
//!
//! A query is up to ten clauses joined by spaces or `AND`, or by `OR` (never both). A clause is
//! a field, an operator and a value, optionally negated with a leading `-`:
//!
//! - `:` exact match, ignoring case: a token field's whole value, or a phrase among a text
//!   field's words (`name:'jane'` finds "Jane Doe"); numeric fields compare as numbers.
//!   `null` (any case) matches an absent value.
//! - `~` substring match, for text fields only, with at least three characters.
//! - `>`, `>=`, `<`, `<=`, `=` for numeric fields.
//!
//! Values are quoted with `'` or `"` (a backslash escapes the next character); a value without
//! spaces may also stand bare, as numbers usually do. Metadata is searched by key:
//! `metadata['plan']:'gold'`.

use crate::error::ApiError;
use crate::expand::ExpandTree;
use crate::reader::Reader;
use serde_json::{json, Value};

/// How a field compares (Stripe's token, string and numeric fields).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldType {
    /// Exact match of the whole value, ignoring case (statuses, currencies, booleans, metadata).
    Token,
    /// Ignoring case: an exact match of a phrase among the value's words, or a substring.
    Text,
    /// Numbers: exact match and comparisons (timestamps, amounts).
    Number,
}

/// A searchable field: its name in queries and where it sits in the rendered object (dotted).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Field {
    pub name: &'static str,
    pub kind: FieldType,
    pub path: &'static str,
}

const fn field(name: &'static str, kind: FieldType) -> Field {
    Field {
        name,
        kind,
        path: name,
    }
}

use FieldType::{Number, Text, Token};

/// The searchable resources: their plural (for messages) and fields, as Stripe lists them.
pub const CUSTOMERS: (&str, &[Field]) = (
    "customers",
    &[
        field("created", Number),
        field("email", Text),
        field("name", Text),
        field("phone", Text),
    ],
);
pub const SUBSCRIPTIONS: (&str, &[Field]) = (
    "subscriptions",
    &[field("created", Number), field("status", Token)],
);
pub const PRODUCTS: (&str, &[Field]) = (
    "products",
    &[
        field("active", Token),
        field("created", Number),
        field("description", Text),
        field("name", Text),
        field("shippable", Token),
        field("url", Text),
    ],
);
pub const PRICES: (&str, &[Field]) = (
    "prices",
    &[
        field("active", Token),
        field("created", Number),
        field("currency", Token),
        field("lookup_key", Text),
        field("product", Text),
        field("type", Token),
    ],
);
pub const INVOICES: (&str, &[Field]) = (
    "invoices",
    &[
        field("created", Number),
        field("currency", Token),
        field("customer", Token),
        Field {
            name: "last_finalization_error_code",
            kind: Token,
            path: "last_finalization_error.code",
        },
        Field {
            name: "last_finalization_error_type",
            kind: Token,
            path: "last_finalization_error.type",
        },
        field("number", Text),
        field("receipt_number", Text),
        field("status", Text),
        Field {
            name: "subscription",
            kind: Text,
            path: "parent.subscription_details.subscription",
        },
        field("total", Number),
    ],
);

/// Most clauses one query may hold.
pub const MAX_CLAUSES: usize = 10;

/// A parsed query.
#[derive(Clone, Debug, PartialEq)]
pub struct Query {
    /// Clauses joined by `OR` (otherwise all must match).
    any: bool,
    clauses: Vec<Clause>,
}

#[derive(Clone, Debug, PartialEq)]
struct Clause {
    negated: bool,
    target: Target,
    op: Op,
    value: Literal,
}

#[derive(Clone, Debug, PartialEq)]
enum Target {
    Field(Field),
    Metadata(String),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Op {
    Exact,
    Contains,
    Gt,
    Gte,
    Lt,
    Lte,
}

#[derive(Clone, Debug, PartialEq)]
enum Literal {
    Text(String),
    Number(i64),
    Null,
}

/// Why a query cannot be run: the message for the `query` parameter.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueryError(pub String);

impl From<QueryError> for ApiError {
    fn from(e: QueryError) -> ApiError {
        ApiError::invalid(Some("query".into()), None, e.0)
    }
}

fn fail<T>(message: impl Into<String>) -> Result<T, QueryError> {
    Err(QueryError(message.into()))
}

/// Parses `query` for a resource's fields.
pub fn parse(query: &str, (plural, fields): (&str, &[Field])) -> Result<Query, QueryError> {
    let mut s = Scanner {
        chars: query.chars().collect(),
        at: 0,
    };
    let mut clauses = Vec::new();
    let mut joiner: Option<bool> = None;
    loop {
        s.skip_spaces();
        if s.done() {
            break;
        }
        if !clauses.is_empty() {
            if let Some(word) = s.keyword() {
                let any = word == "OR";
                if joiner.is_some_and(|j| j != any) {
                    return fail("A search query cannot combine `AND` and `OR`: use one of them.");
                }
                joiner = Some(any);
                s.skip_spaces();
                if s.done() {
                    return fail(format!(
                        "The search query ends with `{word}`: add a clause after it."
                    ));
                }
            } else if joiner == Some(true) {
                return fail("A search query cannot combine `AND` and `OR` (clauses side by side are joined with `AND`).");
            } else {
                joiner = Some(false);
            }
        }
        clauses.push(s.clause(plural, fields)?);
        if clauses.len() > MAX_CLAUSES {
            return fail(format!(
                "A search query may hold at most {MAX_CLAUSES} clauses."
            ));
        }
    }
    if clauses.is_empty() {
        return fail("The search query is empty: give at least one clause, such as `email:'jenny@example.com'`.");
    }
    Ok(Query {
        any: joiner == Some(true),
        clauses,
    })
}

struct Scanner {
    chars: Vec<char>,
    at: usize,
}

impl Scanner {
    fn done(&self) -> bool {
        self.at >= self.chars.len()
    }

    fn peek(&self) -> Option<char> {
        self.chars.get(self.at).copied()
    }

    fn skip_spaces(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.at += 1;
        }
    }

    /// `AND` or `OR` (any case) as a word of its own, consumed.
    fn keyword(&mut self) -> Option<&'static str> {
        for word in ["AND", "OR"] {
            let end = self.at + word.len();
            if end <= self.chars.len()
                && self.chars[self.at..end]
                    .iter()
                    .collect::<String>()
                    .eq_ignore_ascii_case(word)
                && self.chars.get(end).is_none_or(|c| c.is_whitespace())
            {
                self.at = end;
                return Some(word);
            }
        }
        None
    }

    fn clause(&mut self, plural: &str, fields: &[Field]) -> Result<Clause, QueryError> {
        let negated = self.peek() == Some('-');
        if negated {
            self.at += 1;
        }
        let start = self.at;
        while self
            .peek()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
        {
            self.at += 1;
        }
        let name: String = self.chars[start..self.at].iter().collect();
        if name.is_empty() {
            return fail(format!(
                "Expected a field name at position {} of the search query.",
                start + 1
            ));
        }
        let target = if name == "metadata" {
            if self.peek() != Some('[') {
                return fail("Search metadata by key: `metadata['key']:'value'`.");
            }
            self.at += 1;
            let key = self.quoted()?;
            if self.peek() != Some(']') {
                return fail("Close the metadata key with `]`: `metadata['key']:'value'`.");
            }
            self.at += 1;
            Target::Metadata(key)
        } else {
            match fields.iter().find(|f| f.name == name) {
                Some(f) => Target::Field(*f),
                None => {
                    let mut names: Vec<&str> = fields.iter().map(|f| f.name).collect();
                    names.push("metadata");
                    names.sort_unstable();
                    return fail(format!(
                        "Field `{name}` is not a supported search field for {plural}. Supported fields: {}.",
                        names.join(", ")
                    ));
                }
            }
        };
        let op = match (self.peek(), self.chars.get(self.at + 1).copied()) {
            (Some(':'), _) => (Op::Exact, 1),
            (Some('~'), _) => (Op::Contains, 1),
            (Some('>'), Some('=')) => (Op::Gte, 2),
            (Some('<'), Some('=')) => (Op::Lte, 2),
            (Some('>'), _) => (Op::Gt, 1),
            (Some('<'), _) => (Op::Lt, 1),
            (Some('='), _) => (Op::Exact, 1),
            _ => {
                return fail(format!(
                    "Expected an operator (`:`, `~`, `>`, `>=`, `<`, `<=` or `=`) after `{name}`."
                ))
            }
        };
        self.at += op.1;
        let op = op.0;
        let (raw, quoted) = match self.peek() {
            Some('\'' | '"') => (self.quoted()?, true),
            _ => {
                let start = self.at;
                while self.peek().is_some_and(|c| !c.is_whitespace()) {
                    self.at += 1;
                }
                let bare: String = self.chars[start..self.at].iter().collect();
                if bare.is_empty() {
                    return fail(format!("The clause on `{name}` has no value."));
                }
                (bare, false)
            }
        };
        if self.peek().is_some_and(|c| !c.is_whitespace()) {
            return fail(format!(
                "Unexpected `{}` after the value of `{name}`: put a space between clauses.",
                self.peek().unwrap_or_default()
            ));
        }
        let kind = target.kind();
        // A bare `null` (any case) is an absent value; numeric fields take a number, quoted or
        // not; everything else is text, kept as written.
        let value = if !quoted && raw.eq_ignore_ascii_case("null") {
            Literal::Null
        } else if kind == Number {
            match raw.parse::<i64>() {
                Ok(n) => Literal::Number(n),
                Err(_) if op == Op::Exact => {
                    return fail(format!("`{name}` is numeric: compare it with a number."))
                }
                Err(_) => Literal::Text(raw),
            }
        } else {
            Literal::Text(raw)
        };
        match (op, kind, &value) {
            (Op::Contains, Text, Literal::Text(t)) if t.chars().count() >= 3 => {}
            (Op::Contains, Text, _) => {
                return fail(format!(
                    "A substring match (`~`) on `{name}` needs a value of at least 3 characters."
                ))
            }
            (Op::Contains, ..) => {
                return fail(format!(
                "`{name}` does not support substring matching (`~`): use `:` for an exact match."
            ))
            }
            (Op::Gt | Op::Gte | Op::Lt | Op::Lte, Number, Literal::Number(_)) => {}
            (Op::Gt | Op::Gte | Op::Lt | Op::Lte, Number, _) => {
                return fail(format!(
                    "Compare `{name}` with a number, such as `{name}>1700000000`."
                ))
            }
            (Op::Gt | Op::Gte | Op::Lt | Op::Lte, ..) => {
                return fail(format!(
                    "`{name}` is not numeric: use `:` for an exact match."
                ))
            }
            (Op::Exact, ..) => {}
        }
        Ok(Clause {
            negated,
            target,
            op,
            value,
        })
    }

    /// A quoted string starting at the cursor, unescaped; the cursor ends after its quote.
    fn quoted(&mut self) -> Result<String, QueryError> {
        let Some(quote @ ('\'' | '"')) = self.peek() else {
            return fail("Expected a quoted value, such as 'gold' or \"gold\".");
        };
        self.at += 1;
        let mut out = String::new();
        loop {
            match self.peek() {
                None => {
                    return fail(format!(
                        "A value in the search query is missing its closing {quote}."
                    ))
                }
                Some('\\') => {
                    self.at += 1;
                    match self.peek() {
                        Some(c) => out.push(c),
                        None => return fail("The search query ends with a lone `\\`."),
                    }
                }
                Some(c) if c == quote => {
                    self.at += 1;
                    return Ok(out);
                }
                Some(c) => out.push(c),
            }
            self.at += 1;
        }
    }
}

impl Query {
    /// Whether the rendered object matches.
    pub fn matches(&self, object: &Value) -> bool {
        let hit = |c: &Clause| c.matches(object) != c.negated;
        if self.any {
            self.clauses.iter().any(hit)
        } else {
            self.clauses.iter().all(hit)
        }
    }
}

impl Target {
    /// Metadata values are tokens.
    fn kind(&self) -> FieldType {
        match self {
            Target::Field(f) => f.kind,
            Target::Metadata(_) => Token,
        }
    }
}

impl Clause {
    fn matches(&self, object: &Value) -> bool {
        let found = match &self.target {
            Target::Field(f) => f.path.split('.').try_fold(object, |v, seg| v.get(seg)),
            Target::Metadata(key) => object.get("metadata").and_then(|m| m.get(key)),
        };
        let found = found.filter(|v| !v.is_null());
        let Some(found) = found else {
            return self.value == Literal::Null;
        };
        let text = match found {
            Value::String(s) => s.clone(),
            Value::Bool(b) => b.to_string(),
            Value::Number(n) => n.to_string(),
            _ => return false,
        };
        // Numbers are only ever parsed for numeric fields (see `clause`).
        match (&self.value, self.op) {
            (Literal::Null, _) => false,
            (Literal::Number(want), op) => {
                let Some(have) = found.as_i64() else {
                    return false;
                };
                match op {
                    Op::Exact => have == *want,
                    Op::Gt => have > *want,
                    Op::Gte => have >= *want,
                    Op::Lt => have < *want,
                    Op::Lte => have <= *want,
                    Op::Contains => false,
                }
            }
            (Literal::Text(want), Op::Contains) => {
                text.to_lowercase().contains(&want.to_lowercase())
            }
            (Literal::Text(want), _) if self.target.kind() == Text => {
                phrase_in(&want.to_lowercase(), &text.to_lowercase())
            }
            (Literal::Text(want), _) => text.to_lowercase() == want.to_lowercase(),
        }
    }
}

/// Whether the words of `phrase` appear together, in order, among the words of `text` (an
/// exact match on a text field: `name:'jane'` finds "Jane Doe").
fn phrase_in(phrase: &str, text: &str) -> bool {
    let want: Vec<&str> = phrase.split_whitespace().collect();
    let have: Vec<&str> = text.split_whitespace().collect();
    if want.is_empty() {
        return have.is_empty();
    }
    have.windows(want.len()).any(|w| w == want.as_slice())
}

/// The parameters of a search endpoint.
#[derive(Clone, Debug, PartialEq)]
pub struct SearchParams {
    pub query: String,
    pub limit: usize,
    /// The `next_page` of an earlier answer.
    pub page: Option<String>,
    /// Expansions of the results (`data.…`).
    pub expand: Vec<String>,
    /// `expand[]=total_count`: count every match.
    pub total_count: bool,
}

/// Reads `query`, `limit`, `page` and `expand` for a search over `object`s.
pub fn read_search_params(r: &mut Reader<'_>, object: &str) -> SearchParams {
    let query = r.required_string("query", 10_000);
    let limit = crate::list::read_limit(r);
    let page = r.string("page", 5000);
    let paths = r.strings("expand", 5000).unwrap_or_default();
    let total_count = paths.iter().any(|p| p == "total_count");
    let expand: Vec<String> = paths.into_iter().filter(|p| p != "total_count").collect();
    if let Err(e) = ExpandTree::parse(&expand).and_then(|t| t.check(object, true)) {
        r.error(e);
    }
    SearchParams {
        query,
        limit,
        page,
        expand,
        total_count,
    }
}

/// The `search_result` envelope.
pub fn envelope(
    url: &str,
    data: Vec<Value>,
    has_more: bool,
    next_page: Option<String>,
    total_count: Option<usize>,
) -> Value {
    let mut v = json!({
        "object": "search_result",
        "data": data,
        "has_more": has_more,
        "next_page": next_page,
        "url": url,
    });
    if let Some(n) = total_count {
        v["total_count"] = json!(n);
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn customer(email: &str, name: Option<&str>, created: i64, plan: Option<&str>) -> Value {
        let mut metadata = serde_json::Map::new();
        if let Some(p) = plan {
            metadata.insert("plan".into(), json!(p));
        }
        json!({"object": "customer", "email": email, "name": name, "phone": null,
               "created": created, "metadata": metadata})
    }

    fn hits(q: &str, v: &Value) -> bool {
        parse(q, CUSTOMERS)
            .unwrap_or_else(|e| panic!("{q}: {}", e.0))
            .matches(v)
    }

    #[test]
    fn exact_matches_ignore_case_tokens_whole_text_by_phrase() {
        let ada = customer(
            "Ada@Example.com",
            Some("Ada King Lovelace"),
            100,
            Some("Gold"),
        );
        assert!(hits("email:'ada@example.com'", &ada));
        assert!(hits(r#"email:"ADA@EXAMPLE.COM""#, &ada));
        assert!(!hits("email:'ada@example.org'", &ada));
        // Tokens (metadata) match their whole value, ignoring case.
        assert!(hits("metadata['plan']:'Gold'", &ada) && hits("metadata['plan']:'gold'", &ada));
        assert!(!hits("metadata['plan']:'Gol'", &ada));
        // Text matches a run of whole words, in order.
        assert!(hits("name:'ada'", &ada) && hits("name:'king lovelace'", &ada));
        assert!(!hits("name:'lovelace king'", &ada) && !hits("name:'ada kin'", &ada));
        assert!(hits("name~'lovel'", &ada));
        assert!(!hits("name~'byron'", &ada));
    }

    #[test]
    fn numbers_nulls_and_negation() {
        let ada = customer("ada@example.com", None, 100, None);
        assert!(hits("created>99", &ada) && hits("created>=100", &ada));
        assert!(!hits("created>100", &ada) && hits("created<=100", &ada));
        assert!(hits("created:100", &ada) && hits("created=100", &ada));
        assert!(hits("name:null", &ada) && hits("metadata['plan']:NULL", &ada));
        assert!(!hits("name:'null'", &ada), "quoted, null is a word");
        // Numbers may be quoted; on other fields a bare number keeps its digits.
        assert!(hits("created>'99'", &ada) && hits("created:\"100\"", &ada));
        let phoned = json!({"phone": "0155", "created": 1, "metadata": {}});
        assert!(hits("phone:0155", &phoned));
        assert!(hits("-name:'Ada'", &ada));
        assert!(!hits("-email:'ada@example.com'", &ada));
        assert!(hits("phone:null -metadata['plan']:'x'", &ada));
    }

    #[test]
    fn and_or_and_their_limits() {
        let ada = customer("ada@example.com", Some("Ada"), 100, Some("gold"));
        assert!(hits("email:'ada@example.com' AND name:'ada'", &ada));
        assert!(hits("email:'ada@example.com' name:'ada'", &ada));
        assert!(!hits("email:'x@example.com' and name:'ada'", &ada));
        assert!(hits("email:'x@example.com' OR name:'ada'", &ada));
        assert!(hits("email:'x@example.com' or name:'ada'", &ada));
        let mixed = parse("name:'a' AND email:'b' OR created>1", CUSTOMERS).unwrap_err();
        assert!(mixed.0.contains("cannot combine"), "{}", mixed.0);
        let implicit = parse("name:'a' OR email:'b' created>1", CUSTOMERS).unwrap_err();
        assert!(implicit.0.contains("cannot combine"), "{}", implicit.0);
        let eleven = ["created>1"; 11].join(" ");
        assert!(parse(&eleven, CUSTOMERS)
            .unwrap_err()
            .0
            .contains("at most 10"));
        assert!(parse(&["created>1"; 10].join(" "), CUSTOMERS).is_ok());
    }

    #[test]
    fn quoted_values_keep_spaces_keywords_and_escapes() {
        let v = customer("a@b.c", Some("Ann \"Annie\" O'Hara AND co"), 1, None);
        assert!(hits(r#"name:"Ann \"Annie\" O'Hara AND co""#, &v));
        assert!(hits(r#"name:'Ann \"Annie\" O\'Hara AND co'"#, &v));
    }

    #[test]
    fn bad_queries_say_what_is_wrong() {
        for (q, says) in [
            ("", "empty"),
            ("   ", "empty"),
            (
                "colour:'red'",
                "Supported fields: created, email, metadata, name, phone",
            ),
            ("email", "Expected an operator"),
            ("email:", "no value"),
            ("email:'open", "closing '"),
            ("name~'ab'", "at least 3"),
            ("created~'123'", "substring"),
            ("email>3", "not numeric"),
            ("created>'soon'", "with a number"),
            ("created:'soon'", "numeric"),
            ("metadata:'x'", "by key"),
            ("metadata['plan':'x'", "`]`"),
            ("email:'a'name:'b'", "space between clauses"),
            ("email:'a' AND", "ends with `AND`"),
            ("-", "field name"),
        ] {
            let e = parse(q, CUSTOMERS).expect_err(q);
            assert!(e.0.contains(says), "{q}: {}", e.0);
        }
    }

    #[test]
    fn nested_paths_for_invoices() {
        let inv = json!({"object": "invoice", "status": "paid", "total": 1500,
            "parent": {"subscription_details": {"subscription": "sub_1"}},
            "last_finalization_error": null});
        let q = |s: &str| parse(s, INVOICES).unwrap().matches(&inv);
        assert!(q("subscription:'sub_1' status:'paid' total>=1500"));
        assert!(!q("subscription:'sub_2'"));
        assert!(q("last_finalization_error_code:null"));
    }

    proptest! {
        #[test]
        fn parsing_never_panics(q in "\\PC{0,80}") {
            let _ = parse(&q, CUSTOMERS);
        }

        #[test]
        fn quoting_round_trips(s in "[ -~]{0,30}") {
            let escaped = s.replace('\\', "\\\\").replace('\'', "\\'");
            let v = customer("x@y.z", Some(&s), 1, None);
            let q = parse(&format!("name:'{escaped}'"), CUSTOMERS).unwrap();
            prop_assert!(q.matches(&v));
        }
    }
}

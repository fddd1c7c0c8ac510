//! List endpoints: `limit`, `starting_after` / `ending_before`, `created` ranges, and the
//! `{"object": "list", …}` envelope.

use crate::error::ApiError;
use crate::reader::Reader;
use portico_domain::ErrorCode;
use serde_json::{json, Value};

/// Where the page starts.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum PageCursor {
    #[default]
    Start,
    After(String),
    Before(String),
}

/// A `created` (or other timestamp) filter: an exact value or any of the four bounds.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Range {
    pub gt: Option<i64>,
    pub gte: Option<i64>,
    pub lt: Option<i64>,
    pub lte: Option<i64>,
}

impl Range {
    /// Whether `t` falls in the range.
    pub fn contains(&self, t: i64) -> bool {
        self.gt.is_none_or(|v| t > v)
            && self.gte.is_none_or(|v| t >= v)
            && self.lt.is_none_or(|v| t < v)
            && self.lte.is_none_or(|v| t <= v)
    }
}

/// The paging parameters every list endpoint takes.
#[derive(Clone, Debug, PartialEq)]
pub struct ListParams {
    pub limit: usize,
    pub cursor: PageCursor,
    pub expand: Vec<String>,
}

/// Default page size.
pub const DEFAULT_LIMIT: usize = 10;

/// Reads `limit`, `starting_after`, `ending_before` and `expand` for a list of `object`s.
pub fn read_list_params(r: &mut Reader<'_>, object: &str) -> ListParams {
    let limit = read_limit(r);
    let after = r.string("starting_after", 5000);
    let before = r.string("ending_before", 5000);
    let cursor = match (after, before) {
        (Some(_), Some(_)) => {
            r.error(ApiError::invalid(
                Some("starting_after".into()),
                None,
                "Received both starting_after and ending_before parameters. Please pass in only one.",
            ));
            PageCursor::Start
        }
        (Some(a), None) => PageCursor::After(a),
        (None, Some(b)) => PageCursor::Before(b),
        (None, None) => PageCursor::Start,
    };
    ListParams {
        limit,
        cursor,
        expand: r.expand(object, true),
    }
}

/// Reads `limit`: 1 to 100, [`DEFAULT_LIMIT`] when absent.
pub fn read_limit(r: &mut Reader<'_>) -> usize {
    match r.int("limit") {
        None => DEFAULT_LIMIT,
        Some(l) if l < 1 => {
            r.error(ApiError::invalid(
                Some("limit".into()),
                Some(ErrorCode::ParameterInvalidInteger),
                "This value must be greater than or equal to 1.",
            ));
            DEFAULT_LIMIT
        }
        Some(l) if l > 100 => {
            r.error(ApiError::invalid(
                Some("limit".into()),
                Some(ErrorCode::ParameterInvalidInteger),
                "This value must be less than or equal to 100.",
            ));
            DEFAULT_LIMIT
        }
        Some(l) => l as usize,
    }
}

/// Reads a timestamp filter: `created=123` (exactly) or `created[gte]=…&created[lt]=…`.
pub fn read_created(r: &mut Reader<'_>) -> Option<Range> {
    read_range(r, "created")
}

/// A timestamp filter like `created` on another field (`canceled_at`, …): an exact value, or
/// an object of `gt`, `gte`, `lt`, `lte`.
pub fn read_range(r: &mut Reader<'_>, key: &'static str) -> Option<Range> {
    if r.has_leaf(key) {
        let t = r.int(key)?;
        return Some(Range {
            gte: Some(t),
            lte: Some(t),
            ..Default::default()
        });
    }
    r.object(key, |o| Range {
        gt: o.int("gt"),
        gte: o.int("gte"),
        lt: o.int("lt"),
        lte: o.int("lte"),
    })
}

/// The list envelope. `url` is the relative path SDKs page through.
pub fn envelope(url: &str, data: Vec<Value>, has_more: bool) -> Value {
    json!({"object": "list", "data": data, "has_more": has_more, "url": url})
}

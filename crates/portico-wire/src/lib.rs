//! Stripe's wire format: bracket-form decoding, typed parameter reading with Stripe's errors,
//! object and list rendering, and expand paths. No I/O, no async.

#![forbid(unsafe_code)]
#![recursion_limit = "256"]

pub mod error;
pub mod expand;
pub mod form;
pub mod list;
pub mod reader;
pub mod render;
pub mod search;
pub mod spec_params;

pub use error::{ApiError, ErrorType};
pub use form::{decode, Node};
pub use reader::{read, read_for, Reader};

/// The API version Portico implements and reports.
pub const API_VERSION: &str = portico_domain::webhook_endpoint::RENDERED_VERSION;

/// The parameters Stripe's API takes at `method` `route` (a route as the server declares it,
/// ids in braces: `/v1/customers/{id}`), sorted; none for an endpoint outside the spec subsets.
pub fn stripe_params(method: &str, route: &str) -> &'static [&'static str] {
    let mut path = String::with_capacity(route.len());
    let mut in_id = false;
    for c in route.chars() {
        match c {
            '{' => {
                in_id = true;
                path.push_str("{}");
            }
            '}' => in_id = false,
            c if !in_id => path.push(c),
            _ => {}
        }
    }
    spec_params::SPEC_PARAMS
        .binary_search_by(|(m, p, _)| (*m, *p).cmp(&(method, path.as_str())))
        .map(|i| spec_params::SPEC_PARAMS[i].2)
        .unwrap_or(&[])
}

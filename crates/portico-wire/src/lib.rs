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

pub use error::{ApiError, ErrorType};
pub use form::{decode, Node};
pub use reader::{read, Reader};

/// The API version Portico implements and reports.
pub const API_VERSION: &str = portico_domain::webhook_endpoint::RENDERED_VERSION;

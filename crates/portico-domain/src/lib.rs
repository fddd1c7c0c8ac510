//! Portico's billing engine: pure, synchronous domain types and the rules that govern them.
//!
//! Nothing here touches HTTP, SQL or the wall clock. Every operation that needs the time takes
//! it as an argument (`now`, unix seconds), and every new id comes from an injected [`IdGen`].

#![forbid(unsafe_code)]

pub mod balance_transaction;
pub mod billing_cycle;
pub mod branding;
pub mod calendar;
pub mod card;
pub mod coupon;
pub mod currency;
pub mod customer;
pub mod discount;
pub mod error;
pub mod id;
pub mod invoice;
pub mod invoice_item;
pub mod metadata;
pub mod patch;
pub mod payment_method;
pub mod portal;
pub mod portal_session;
pub mod price;
pub mod product;
pub mod promotion_code;
pub mod proration;
pub mod schedule;
pub mod setup_intent;
pub mod subscription;
pub mod test_clock;
pub mod tiers;
pub mod webhook_endpoint;
pub mod webhook_values;

pub use currency::Currency;
pub use error::{DomainError, DomainResult, ErrorCode};
pub use id::{AccountId, CustomerId, IdGen, PriceId, ProductId, RandomIds, ID_LEN};
pub use metadata::Metadata;
pub use patch::Patch;

/// What every domain operation that creates or changes state needs from its caller.
pub struct Ctx<'a> {
    /// The current time in unix seconds (the server clock, or a test clock).
    pub now: i64,
    /// Whether the account acts in live mode (keys `sk_live_…`).
    pub livemode: bool,
    /// Where new ids come from.
    pub ids: &'a mut dyn IdGen,
}

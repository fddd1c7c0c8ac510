//! Stripe API handlers, one file per resource.

pub mod customer;
pub mod price;
pub mod product;

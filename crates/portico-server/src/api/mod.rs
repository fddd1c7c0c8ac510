//! Stripe API handlers, one file per resource.

pub mod billing_portal;
pub mod coupon;
pub mod customer;
pub mod customer_balance;
pub mod event;
pub mod invoice;
pub mod invoice_item;
pub mod payment_method;
pub mod price;
pub mod product;
pub mod promotion_code;
pub mod search;
pub mod setup_intent;
pub mod subscription;
pub mod subscription_change;
pub mod subscription_item;
pub mod subscription_schedule;
pub mod test_clock;
pub mod webhook_endpoint;

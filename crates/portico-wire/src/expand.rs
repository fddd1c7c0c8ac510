//! `expand[]` paths: parsing, Stripe's depth limit, and which fields of which objects expand to
//! what. The server walks the rendered JSON and fetches the objects.

use crate::error::ApiError;
use portico_domain::ErrorCode;
use std::collections::BTreeMap;

/// At most this many levels in one expand path (Stripe's limit).
pub const MAX_DEPTH: usize = 4;

/// Expand paths merged into a tree: `data.default_price` and `data.product` share `data`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ExpandTree(pub BTreeMap<String, ExpandTree>);

impl ExpandTree {
    /// Parses the `expand` parameter's paths.
    pub fn parse(paths: &[String]) -> Result<ExpandTree, ApiError> {
        let mut root = ExpandTree::default();
        for path in paths {
            let segs: Vec<&str> = path.split('.').collect();
            if segs.iter().any(|s| s.is_empty()) {
                return Err(ApiError::invalid(
                    Some("expand".into()),
                    None,
                    format!("Invalid expand path: '{path}'."),
                ));
            }
            if segs.len() > MAX_DEPTH {
                return Err(ApiError::invalid(
                    None,
                    Some(ErrorCode::PropertyExpansionMaxDepth),
                    format!("You cannot expand more than {MAX_DEPTH} levels of a property. Property: {path}"),
                ));
            }
            let mut node = &mut root;
            for s in segs {
                node = node.0.entry(s.to_owned()).or_default();
            }
        }
        Ok(root)
    }

    /// Checks every path against what `object` can expand; for a list, paths go through
    /// `data` to its items of kind `object`.
    pub fn check(&self, object: &str, list: bool) -> Result<(), ApiError> {
        if !list {
            return check_object(self, object, "");
        }
        for (seg, sub) in &self.0 {
            if seg != "data" {
                return Err(not_expandable(seg, true));
            }
            check_object(sub, object, "")?;
        }
        Ok(())
    }

    /// Whether nothing is to be expanded.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// What an id-valued field of an object expands into: `(object, field path) → kind`.
/// Field paths are dotted within the object (`invoice_settings.default_payment_method`).
pub fn target(object: &str, field: &str) -> Option<&'static str> {
    EXPANDABLE
        .iter()
        .find(|(o, f, _)| *o == object && *f == field)
        .map(|(_, _, k)| *k)
}

/// Fields Stripe lists as expandable that Portico shows in full whenever they are set
/// (`applies_to` of a coupon): expanding one changes nothing.
pub fn always_expanded(object: &str, field: &str) -> bool {
    matches!((object, field), ("coupon", "applies_to"))
}

/// Fields left out of an object unless asked for with `expand[]`: a price's (or its plan's)
/// `tiers`.
pub fn included_on_request(object: &str, field: &str) -> bool {
    matches!((object, field), ("price" | "plan", "tiers"))
}

const EXPANDABLE: &[(&str, &str, &str)] = &[
    (
        "billing_portal.session",
        "configuration",
        "billing_portal.configuration",
    ),
    // Connect fields (applications, accounts), sources, tax codes, tax ids and revisions: always
    // null here, so expanding them leaves null, as Stripe does for an unset field.
    ("billing_portal.configuration", "application", "application"),
    ("invoice", "account_tax_ids", "tax_id"),
    // An invoice's `confirmation_secret` holds the client secret of the PaymentIntent Stripe
    // makes at finalization, for Stripe.js to confirm. Portico has no PaymentIntents (open
    // invoices are paid through `/pay` or the hosted pages), so it is null, expanded or not;
    // the expansion is accepted because the usual subscription snippet asks for it.
    ("invoice", "confirmation_secret", "confirmation_secret"),
    ("invoice", "application", "application"),
    ("invoice", "default_source", "source"),
    ("invoice", "latest_revision", "invoice"),
    ("invoice", "on_behalf_of", "account"),
    ("product", "tax_code", "tax_code"),
    ("subscription", "application", "application"),
    ("subscription", "default_source", "source"),
    ("subscription", "on_behalf_of", "account"),
    ("subscription", "pending_setup_intent", "setup_intent"),
    ("subscription_schedule", "application", "application"),
    ("invoice", "test_clock", "test_helpers.test_clock"),
    ("line_item", "discounts", "discount"),
    ("line_item", "subscription", "subscription"),
    ("subscription", "test_clock", "test_helpers.test_clock"),
    ("subscription_item", "discounts", "discount"),
    (
        "subscription_schedule",
        "test_clock",
        "test_helpers.test_clock",
    ),
    ("customer", "default_source", "source"),
    ("discount", "customer", "customer"),
    ("discount", "promotion_code", "promotion_code"),
    ("invoice", "customer", "customer"),
    ("invoice", "default_payment_method", "payment_method"),
    (
        "invoice",
        "parent.subscription_details.subscription",
        "subscription",
    ),
    ("invoice", "discounts", "discount"),
    (
        "customer",
        "invoice_settings.default_payment_method",
        "payment_method",
    ),
    ("customer", "test_clock", "test_helpers.test_clock"),
    ("payment_method", "customer", "customer"),
    ("price", "product", "product"),
    ("plan", "product", "product"),
    ("promotion_code", "customer", "customer"),
    ("promotion_code", "promotion.coupon", "coupon"),
    ("product", "default_price", "price"),
    ("setup_intent", "customer", "customer"),
    ("subscription", "customer", "customer"),
    ("subscription", "default_payment_method", "payment_method"),
    ("subscription", "discounts", "discount"),
    ("subscription", "latest_invoice", "invoice"),
    ("subscription", "schedule", "subscription_schedule"),
    ("subscription_schedule", "customer", "customer"),
    ("subscription_schedule", "subscription", "subscription"),
    ("setup_intent", "payment_method", "payment_method"),
    ("discount", "source.coupon", "coupon"),
    ("invoice", "total_discount_amounts.discount", "discount"),
    ("line_item", "discount_amounts.discount", "discount"),
    ("line_item", "pricing.price_details.price", "price"),
    ("customer_balance_transaction", "customer", "customer"),
    ("customer_balance_transaction", "invoice", "invoice"),
    // Always null here: Portico has no credit notes or Checkout.
    ("customer_balance_transaction", "credit_note", "credit_note"),
    (
        "customer_balance_transaction",
        "checkout_session",
        "checkout.session",
    ),
    ("invoiceitem", "customer", "customer"),
    (
        "invoiceitem",
        "proration_details.discount_amounts.discount",
        "discount",
    ),
    ("invoiceitem", "discounts", "discount"),
    ("invoiceitem", "invoice", "invoice"),
    ("invoiceitem", "pricing.price_details.price", "price"),
    ("invoiceitem", "test_clock", "test_helpers.test_clock"),
    // A schedule's settings and phases (lists of hashes: each element is walked).
    (
        "subscription_schedule",
        "default_settings.default_payment_method",
        "payment_method",
    ),
    (
        "subscription_schedule",
        "default_settings.on_behalf_of",
        "account",
    ),
    (
        "subscription_schedule",
        "phases.default_payment_method",
        "payment_method",
    ),
    ("subscription_schedule", "phases.on_behalf_of", "account"),
    ("subscription_schedule", "phases.items.price", "price"),
    (
        "subscription_schedule",
        "phases.add_invoice_items.price",
        "price",
    ),
    ("subscription_schedule", "phases.discounts.coupon", "coupon"),
    (
        "subscription_schedule",
        "phases.discounts.discount",
        "discount",
    ),
    (
        "subscription_schedule",
        "phases.discounts.promotion_code",
        "promotion_code",
    ),
    (
        "subscription_schedule",
        "phases.items.discounts.coupon",
        "coupon",
    ),
    (
        "subscription_schedule",
        "phases.items.discounts.discount",
        "discount",
    ),
    (
        "subscription_schedule",
        "phases.items.discounts.promotion_code",
        "promotion_code",
    ),
    (
        "subscription_schedule",
        "phases.add_invoice_items.discounts.coupon",
        "coupon",
    ),
    (
        "subscription_schedule",
        "phases.add_invoice_items.discounts.discount",
        "discount",
    ),
    (
        "subscription_schedule",
        "phases.add_invoice_items.discounts.promotion_code",
        "promotion_code",
    ),
];

/// Objects held whole inside another, `(object, field, kind, whether a list of them)`: not
/// expandable themselves, but what they hold is.
const EMBEDDED: &[(&str, &str, &str, bool)] = &[
    ("invoice", "lines", "line_item", true),
    ("subscription", "items", "subscription_item", true),
    ("subscription_item", "plan", "plan", false),
    ("subscription_item", "price", "price", false),
];

fn check_object(tree: &ExpandTree, object: &str, prefix: &str) -> Result<(), ApiError> {
    for (seg, sub) in &tree.0 {
        let field = if prefix.is_empty() {
            seg.clone()
        } else {
            format!("{prefix}.{seg}")
        };
        if let Some(kind) = target(object, &field) {
            check_object(sub, kind, "")?;
            continue;
        }
        if (always_expanded(object, &field) || included_on_request(object, &field))
            && sub.is_empty()
        {
            continue;
        }
        // Objects embedded whole, and lists embedded with their first page: paths go on into
        // them (`items.data.price.product`), as far as something there expands.
        if let Some(&(_, _, kind, list)) = EMBEDDED
            .iter()
            .find(|(o, f, _, _)| *o == object && *f == field)
        {
            if sub.is_empty() {
                return Err(not_expandable(seg, false));
            }
            if list {
                for (s, items) in &sub.0 {
                    if s != "data" || items.is_empty() {
                        return Err(not_expandable(s, true));
                    }
                    check_object(items, kind, "")?;
                }
            } else {
                check_object(sub, kind, "")?;
            }
            continue;
        }
        // A plain hash on the way to an expandable field (`invoice_settings.default_payment_method`).
        if leads_to_expandable(object, &field) && !sub.is_empty() {
            check_object(sub, object, &field)?;
            continue;
        }
        return Err(not_expandable(seg, false));
    }
    Ok(())
}

/// Whether `field` of `object` is a plain hash on the way to an expandable field
/// (`invoice_settings` of a customer).
pub fn leads_to_expandable(object: &str, field: &str) -> bool {
    EXPANDABLE
        .iter()
        .any(|(o, f, _)| *o == object && f.strip_prefix(field).is_some_and(|r| r.starts_with('.')))
}

/// The error for a path segment that cannot be expanded.
pub fn not_expandable(segment: &str, in_list: bool) -> ApiError {
    let hint = if in_list {
        format!(" You may want to try expanding 'data.{segment}' instead.")
    } else {
        String::new()
    };
    ApiError::invalid(
        None,
        None,
        format!("This property cannot be expanded ({segment}).{hint}"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_merges_and_limits_depth() {
        let t = ExpandTree::parse(&["data.product".into(), "data.default_price".into()]).unwrap();
        assert_eq!(t.0.len(), 1);
        assert_eq!(t.0["data"].0.len(), 2);
        let e = ExpandTree::parse(&["data.items.data.price.product".into()]).unwrap_err();
        assert_eq!(e.code, Some(ErrorCode::PropertyExpansionMaxDepth));
        assert!(ExpandTree::parse(&["a..b".into()]).is_err());
        assert!(ExpandTree::parse(&["a.b.c.d".into()]).is_ok());
    }

    #[test]
    fn paths_are_checked_against_the_object() {
        let t = |p: &[&str]| {
            ExpandTree::parse(&p.iter().map(|s| s.to_string()).collect::<Vec<_>>()).unwrap()
        };
        t(&["default_price.product"])
            .check("product", false)
            .unwrap();
        t(&["invoice_settings.default_payment_method.customer"])
            .check("customer", false)
            .unwrap();
        t(&["data.product"]).check("price", true).unwrap();
        assert!(t(&["email"]).check("customer", false).is_err());
        assert!(t(&["invoice_settings"]).check("customer", false).is_err());
        assert!(t(&["invoice_settings.footer"])
            .check("customer", false)
            .is_err());
        assert!(t(&["product"]).check("price", true).is_err());
        assert!(t(&["data.nope"]).check("price", true).is_err());
        assert!(t(&["default_price.nope"]).check("product", false).is_err());
    }

    #[test]
    fn paths_go_on_into_embedded_objects_and_lists() {
        let t = |p: &str| ExpandTree::parse(&[p.to_owned()]).unwrap();
        t("items.data.price.product")
            .check("subscription", false)
            .unwrap();
        t("data.lines.data.subscription")
            .check("invoice", true)
            .unwrap();
        t("lines.data.subscription")
            .check("invoice", false)
            .unwrap();
        // Nothing to expand at the end of the path, or no `data` step into a list.
        for bad in [
            "items",
            "items.data",
            "items.data.price",
            "items.price.product",
        ] {
            assert!(t(bad).check("subscription", false).is_err(), "{bad}");
        }
        assert!(t("lines.data.nope").check("invoice", false).is_err());
    }

    #[test]
    fn targets() {
        assert_eq!(target("price", "product"), Some("product"));
        assert_eq!(target("customer", "email"), None);
    }
}

//! Domain objects rendered as Stripe's JSON: `id` and `object` first, then the fields in
//! alphabetical order; nullable fields present as `null`, as the OpenAPI schemas require.

use portico_domain::coupon::Coupon;
use portico_domain::customer::{Address, Customer, Shipping};
use portico_domain::payment_method::PaymentMethod;
use portico_domain::price::Price;
use portico_domain::product::Product;
use portico_domain::promotion_code::PromotionCode;
use portico_domain::setup_intent::SetupIntent;
use serde_json::{json, Value};

fn address(a: &Address) -> Value {
    json!({
        "city": a.city, "country": a.country, "line1": a.line1, "line2": a.line2,
        "postal_code": a.postal_code, "state": a.state,
    })
}

fn shipping(s: &Shipping) -> Value {
    json!({
        "address": address(&s.address), "carrier": s.carrier, "name": s.name,
        "phone": s.phone, "tracking_number": s.tracking_number,
    })
}

/// `{"id", "object", "deleted": true}`: what Stripe returns for a deleted object.
pub fn deleted(object: &str, id: &str) -> Value {
    json!({"id": id, "object": object, "deleted": true})
}

/// A customer, or its deleted stub.
pub fn customer(c: &Customer) -> Value {
    if c.deleted {
        return deleted("customer", c.id.as_str());
    }
    let s = &c.invoice_settings;
    let mut v = json!({
        "id": c.id,
        "object": "customer",
        "address": c.address.as_ref().map(address),
        "balance": c.balance,
        "created": c.created,
        "currency": c.currency,
        "customer_account": null,
        "default_source": null,
        "delinquent": c.delinquent,
        "description": c.description,
        "discount": null,
        "email": c.email,
        "invoice_prefix": c.invoice_prefix,
        "invoice_settings": {
            "custom_fields": s.custom_fields.as_ref().map(|f| f.iter().map(|f| json!({"name": f.name, "value": f.value})).collect::<Vec<_>>()),
            "default_payment_method": s.default_payment_method,
            "footer": s.footer,
            "rendering_options": s.rendering_options.as_ref().map(|r| json!({"amount_tax_display": r.amount_tax_display, "template": r.template})),
        },
        "livemode": c.livemode,
        "metadata": c.metadata,
        "name": c.name,
        "next_invoice_sequence": c.next_invoice_sequence,
        "phone": c.phone,
        "preferred_locales": c.preferred_locales,
        "shipping": c.shipping.as_ref().map(shipping),
        "tax_exempt": c.tax_exempt.as_str(),
        "test_clock": c.test_clock,
    });
    // Non-nullable optional strings: present only when set.
    let obj = v.as_object_mut().expect("object literal");
    if let Some(b) = &c.business_name {
        obj.insert("business_name".into(), b.clone().into());
    }
    if let Some(n) = &c.individual_name {
        obj.insert("individual_name".into(), n.clone().into());
    }
    v
}

/// A product.
pub fn product(p: &Product) -> Value {
    if p.deleted {
        return deleted("product", p.id.as_str());
    }
    json!({
        "id": p.id,
        "object": "product",
        "active": p.active,
        "created": p.created,
        "default_price": p.default_price,
        "description": p.description,
        "images": p.images,
        "livemode": p.livemode,
        "marketing_features": p.marketing_features.iter().map(|n| json!({"name": n})).collect::<Vec<_>>(),
        "metadata": p.metadata,
        "name": p.name,
        "package_dimensions": p.package_dimensions.as_ref().map(|d| json!({"height": d.height, "length": d.length, "weight": d.weight, "width": d.width})),
        "shippable": p.shippable,
        "statement_descriptor": p.statement_descriptor,
        "tax_code": p.tax_code,
        "unit_label": p.unit_label,
        "updated": p.updated,
        "url": p.url,
    })
}

/// A price.
pub fn price(p: &Price) -> Value {
    json!({
        "id": p.id,
        "object": "price",
        "active": p.active,
        "billing_scheme": "per_unit",
        "created": p.created,
        "currency": p.currency.code(),
        "custom_unit_amount": null,
        "livemode": p.livemode,
        "lookup_key": p.lookup_key,
        "metadata": p.metadata,
        "nickname": p.nickname,
        "product": p.product,
        "recurring": p.recurring.as_ref().map(|r| json!({
            "interval": r.interval.as_str(),
            "interval_count": r.interval_count,
            "meter": null,
            "usage_type": "licensed",
        })),
        "tax_behavior": p.tax_behavior.as_str(),
        "tiers_mode": null,
        "transform_quantity": null,
        "type": p.price_type(),
        "unit_amount": p.unit_amount,
        "unit_amount_decimal": p.unit_amount.to_string(),
    })
}

/// A coupon; `valid` depends on the time it is read at.
pub fn coupon(c: &Coupon, now: i64) -> Value {
    if c.deleted {
        return deleted("coupon", &c.id);
    }
    let mut v = json!({
        "id": c.id,
        "object": "coupon",
        "amount_off": c.amount_off,
        "created": c.created,
        "currency": c.currency.as_ref().map(|c| c.code()),
        "duration": c.duration.as_str(),
        "duration_in_months": c.duration_in_months,
        "livemode": c.livemode,
        "max_redemptions": c.max_redemptions,
        "metadata": c.metadata,
        "name": c.name,
        "percent_off": c.percent_off,
        "redeem_by": c.redeem_by,
        "times_redeemed": c.times_redeemed,
        "valid": c.valid(now),
    });
    if let Some(products) = &c.applies_to {
        v.as_object_mut()
            .expect("object literal")
            .insert("applies_to".into(), json!({"products": products}));
    }
    v
}

/// A promotion code.
pub fn promotion_code(p: &PromotionCode) -> Value {
    json!({
        "id": p.id,
        "object": "promotion_code",
        "active": p.active,
        "code": p.code,
        "created": p.created,
        "customer": p.customer,
        "customer_account": null,
        "expires_at": p.expires_at,
        "livemode": p.livemode,
        "max_redemptions": p.max_redemptions,
        "metadata": p.metadata,
        "promotion": {"coupon": p.coupon, "type": "coupon"},
        "restrictions": {
            "currency_options": {},
            "first_time_transaction": p.restrictions.first_time_transaction,
            "minimum_amount": p.restrictions.minimum_amount,
            "minimum_amount_currency": p.restrictions.minimum_amount_currency.as_ref().map(|c| c.code()),
        },
        "times_redeemed": p.times_redeemed,
    })
}

/// A card payment method.
pub fn payment_method(pm: &PaymentMethod) -> Value {
    let b = &pm.billing_details;
    let c = &pm.card;
    json!({
        "id": pm.id,
        "object": "payment_method",
        "allow_redisplay": pm.allow_redisplay,
        "billing_details": {
            "address": b.address.as_ref().map(address).unwrap_or_else(|| address(&Address::default())),
            "email": b.email,
            "name": b.name,
            "phone": b.phone,
            "tax_id": b.tax_id,
        },
        "card": {
            "brand": c.brand.as_str(),
            "checks": {"address_line1_check": null, "address_postal_code_check": null, "cvc_check": c.cvc_check},
            "country": c.country,
            "display_brand": c.brand.display(),
            "exp_month": c.exp_month,
            "exp_year": c.exp_year,
            "fingerprint": c.fingerprint,
            "funding": c.funding,
            "generated_from": null,
            "last4": c.last4,
            "networks": {"available": [c.brand.as_str()], "preferred": null},
            "regulated_status": "unregulated",
            "three_d_secure_usage": {"supported": true},
            "wallet": null,
        },
        "created": pm.created,
        "customer": pm.customer,
        "customer_account": null,
        "livemode": pm.livemode,
        "metadata": pm.metadata,
        "type": "card",
    })
}

/// A SetupIntent; `public_url` is the base of the hosted authentication page's link.
pub fn setup_intent(si: &SetupIntent, public_url: &str) -> Value {
    let next_action = si.auth_token.as_ref().map(|t| {
        json!({
            "redirect_to_url": {"return_url": si.return_url, "url": format!("{public_url}/p/authenticate/{t}")},
            "type": "redirect_to_url",
        })
    });
    let last_error = si.last_setup_error.as_ref().map(|e| {
        let mut v = json!({"code": e.code, "doc_url": format!("https://stripe.com/docs/error-codes/{}", e.code.replace('_', "-")), "message": e.message, "type": e.kind});
        if let Some(d) = &e.decline_code {
            v.as_object_mut().expect("object literal").insert("decline_code".into(), d.clone().into());
        }
        v
    });
    json!({
        "id": si.id,
        "object": "setup_intent",
        "application": null,
        "automatic_payment_methods": null,
        "cancellation_reason": si.cancellation_reason,
        "client_secret": si.client_secret,
        "created": si.created,
        "customer": si.customer,
        "customer_account": null,
        "description": si.description,
        "flow_directions": null,
        "last_setup_error": last_error,
        "latest_attempt": null,
        "livemode": si.livemode,
        "mandate": null,
        "metadata": si.metadata,
        "next_action": next_action,
        "on_behalf_of": null,
        "payment_method": si.payment_method,
        "payment_method_configuration_details": null,
        "payment_method_options": {"card": {"mandate_options": null, "network": null, "request_three_d_secure": "automatic"}},
        "payment_method_types": ["card"],
        "single_use_mandate": null,
        "status": si.status.as_str(),
        "usage": si.usage,
    })
}

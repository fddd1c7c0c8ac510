//! Domain objects rendered as Stripe's JSON: `id` and `object` first, then the fields in
//! alphabetical order; nullable fields present as `null`, as the OpenAPI schemas require.

use portico_domain::coupon::Coupon;
use portico_domain::customer::{Address, Customer, Shipping};
use portico_domain::payment_method::PaymentMethod;
use portico_domain::price::Price;
use portico_domain::product::Product;
use portico_domain::promotion_code::PromotionCode;
use portico_domain::setup_intent::SetupIntent;
use serde_json::{json, Map, Value};

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
        // Left out of the public OpenAPI spec but still in every answer (and required by the
        // SDKs generated from Stripe's SDK spec): products made for billing are services.
        "type": "service",
        "unit_label": p.unit_label,
        "updated": p.updated,
        "url": p.url,
    })
}

/// How many of an invoice's lines its object embeds (Stripe's ten).
pub const EMBEDDED_LINES: usize = 10;

/// A price.
pub fn price(p: &Price) -> Value {
    json!({
        "id": p.id,
        "object": "price",
        "active": p.active,
        "billing_scheme": p.billing_scheme(),
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
        "tiers_mode": p.tiers.as_ref().map(|t| t.mode.as_str()),
        "transform_quantity": null,
        "type": p.price_type(),
        "unit_amount": p.unit_amount,
        "unit_amount_decimal": p.unit_amount.map(|a| a.to_string()),
    })
}

/// A tiered price's `tiers`, shown only when asked for (`expand[]=tiers`), as Stripe does.
/// `None` for a price billed per unit.
pub fn price_tiers(p: &Price) -> Option<Value> {
    let t = p.tiers.as_ref()?;
    Some(Value::Array(
        t.tiers
            .iter()
            .map(|t| {
                json!({
                    "flat_amount": t.flat_amount,
                    "flat_amount_decimal": t.flat_amount.map(|a| a.to_string()),
                    "unit_amount": t.unit_amount,
                    "unit_amount_decimal": t.unit_amount.map(|a| a.to_string()),
                    "up_to": t.up_to,
                })
            })
            .collect(),
    ))
}

/// The plan a recurring price stands for, as Stripe still shows it on subscription items: the
/// public OpenAPI spec leaves it out, but Stripe's answers carry it and the SDKs generated from
/// Stripe's SDK spec (async-stripe) require it. A plan and its price share their id.
pub fn plan(p: &Price) -> Value {
    let recurring = p.recurring.as_ref();
    json!({
        "id": p.id,
        "object": "plan",
        "active": p.active,
        "amount": p.unit_amount,
        "amount_decimal": p.unit_amount.map(|a| a.to_string()),
        "billing_scheme": p.billing_scheme(),
        "created": p.created,
        "currency": p.currency.code(),
        "interval": recurring.map(|r| r.interval.as_str()),
        "interval_count": recurring.map(|r| r.interval_count),
        "livemode": p.livemode,
        "metadata": p.metadata,
        "meter": null,
        "nickname": p.nickname,
        "product": p.product,
        "tiers_mode": p.tiers.as_ref().map(|t| t.mode.as_str()),
        "transform_usage": null,
        "trial_period_days": null,
        "usage_type": "licensed",
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
        "automatic_payment_methods": si.automatic_redirects.as_ref().map(|r| json!({"allow_redirects": r, "enabled": true})),
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

/// A discount.
pub fn discount(d: &portico_domain::discount::Discount) -> Value {
    let mut v = discount_object(d);
    // Taken off its subscription: announced (`customer.discount.deleted`) as it was.
    if d.deleted {
        v["deleted"] = true.into();
    }
    v
}

/// A discount taken off by `DELETE …/discount` (Stripe's `deleted_discount`): the discount's
/// fields but its `end`, flagged deleted.
pub fn deleted_discount(d: &portico_domain::discount::Discount) -> Value {
    let mut v = discount_object(d);
    if let Some(o) = v.as_object_mut() {
        o.remove("end");
        o.insert("deleted".into(), true.into());
    }
    v
}

fn discount_object(d: &portico_domain::discount::Discount) -> Value {
    json!({
        "id": d.id,
        "object": "discount",
        "checkout_session": null,
        "customer": d.customer,
        "customer_account": null,
        "end": d.end,
        "invoice": null,
        "invoice_item": null,
        "promotion_code": d.promotion_code,
        "source": {"coupon": d.coupon, "type": "coupon"},
        "start": d.start,
        "subscription": d.subscription,
        "subscription_item": null,
    })
}

/// A subscription item (its price embedded).
pub fn subscription_item(
    sub: &portico_domain::subscription::Subscription,
    i: &portico_domain::subscription::Item,
) -> Value {
    json!({
        "id": i.id,
        "object": "subscription_item",
        "billing_thresholds": null,
        "created": i.created,
        "current_period_end": i.current_period_end,
        "current_period_start": i.current_period_start,
        "discounts": [],
        "metadata": i.metadata,
        "plan": plan(&i.price),
        "price": price(&i.price),
        "quantity": i.quantity,
        "subscription": sub.id,
        "tax_rates": [],
    })
}

/// A subscription, items included.
pub fn subscription(s: &portico_domain::subscription::Subscription) -> Value {
    let c = &s.cancellation_details;
    json!({
        "id": s.id,
        "object": "subscription",
        "application": null,
        "application_fee_percent": null,
        "automatic_tax": {"disabled_reason": null, "enabled": false, "liability": null},
        "billing_cycle_anchor": s.billing_cycle_anchor,
        "billing_cycle_anchor_config": s.billing_cycle_anchor_config.map(|c| json!({
            "day_of_month": c.day_of_month,
            "hour": c.hour,
            "minute": c.minute,
            "month": c.month,
            "second": c.second,
        })),
        "billing_mode": billing_mode(s.billing_mode, s.created),
        "billing_schedules": [],
        "billing_thresholds": null,
        "cancel_at": s.cancel_at,
        "cancel_at_period_end": s.cancel_at_period_end,
        "canceled_at": s.canceled_at,
        "cancellation_details": {"comment": c.comment, "feedback": c.feedback, "reason": c.reason},
        "collection_method": if s.sends_invoices() { "send_invoice" } else { "charge_automatically" },
        "created": s.created,
        "currency": s.currency,
        "customer": s.customer,
        "customer_account": null,
        "days_until_due": s.days_until_due,
        "default_payment_method": s.default_payment_method,
        "default_source": null,
        "default_tax_rates": [],
        "description": s.description,
        "discounts": s.discounts,
        "ended_at": s.ended_at,
        "invoice_settings": {"account_tax_ids": null, "issuer": {"type": "self"}},
        "items": {
            "object": "list",
            "data": s.items.iter().map(|i| subscription_item(s, i)).collect::<Vec<_>>(),
            "has_more": false,
            "url": format!("/v1/subscription_items?subscription={}", s.id),
        },
        "latest_invoice": s.latest_invoice,
        "livemode": s.livemode,
        "metadata": s.metadata,
        "next_pending_invoice_item_invoice": null,
        "on_behalf_of": null,
        "pause_collection": s.pause_collection.map(|p| json!({"behavior": p.behavior.as_str(), "resumes_at": p.resumes_at})),
        "payment_settings": {"payment_method_options": null, "payment_method_types": s.card_only.then_some(["card"]), "save_default_payment_method": if s.save_default_payment_method { "on_subscription" } else { "off" }},
        "pending_invoice_item_interval": null,
        "pending_setup_intent": s.pending_setup_intent,
        "pending_update": s.pending_update.as_ref().map(|p| json!({
            "billing_cycle_anchor": (p.billing_cycle_anchor != s.billing_cycle_anchor).then_some(p.billing_cycle_anchor),
            "discount": null,
            "discounts": (p.discounts != s.discounts).then_some(&p.discounts),
            "expires_at": p.expires_at,
            "metadata": null,
            "subscription_items": p.items.iter().map(|i| subscription_item(s, i)).collect::<Vec<_>>(),
            "trial_end": null,
            "trial_from_plan": null,
        })),
        "schedule": s.schedule,
        "start_date": s.start_date,
        "status": s.status.as_str(),
        "test_clock": s.test_clock,
        "transfer_data": null,
        "trial_end": s.trial_end,
        "trial_settings": {"end_behavior": {"missing_payment_method": s.missing_payment_method.as_str()}},
        "trial_start": s.trial_start,
    })
}

/// A subscription's (or its schedule's) `billing_mode`; `created` is when it was adopted.
fn billing_mode(m: portico_domain::subscription::BillingMode, created: i64) -> Value {
    use portico_domain::subscription::BillingMode;
    match m {
        BillingMode::Classic => json!({"flexible": null, "type": "classic"}),
        BillingMode::Flexible { included } => json!({
            "flexible": {"proration_discounts": if included { "included" } else { "itemized" }},
            "type": "flexible",
            "updated_at": created,
        }),
    }
}

/// What a credit proration line gives back, as lines of an invoice (Stripe's `credited_items`):
/// those it names, or the line of this invoice billing the debit proration it names (`null` if
/// another invoice bills that one, or none does yet).
fn line_credited(
    inv: &portico_domain::invoice::Invoice,
    l: &portico_domain::invoice::Line,
) -> Value {
    use portico_domain::invoice::Credited;
    match &l.credited {
        Some(Credited::InvoiceLines { invoice, lines }) => {
            json!({"invoice": invoice, "invoice_line_items": lines})
        }
        Some(Credited::InvoiceItem(ii)) => inv
            .lines
            .iter()
            .find(|d| d.invoice_item.as_ref() == Some(ii))
            .map_or(
                Value::Null,
                |d| json!({"invoice": inv.id, "invoice_line_items": [d.id]}),
            ),
        None => Value::Null,
    }
}

/// One invoice line.
pub fn invoice_line(
    inv: &portico_domain::invoice::Invoice,
    l: &portico_domain::invoice::Line,
) -> Value {
    json!({
        "id": l.id,
        "object": "line_item",
        "amount": l.amount,
        "currency": inv.currency,
        // A line for an invoice item made with an amount and no description has none.
        "description": (!l.description.is_empty()).then_some(&l.description),
        "discount_amounts": l.discount_amounts.iter().map(|d| json!({"amount": d.amount, "discount": d.discount})).collect::<Vec<_>>(),
        "discountable": l.discountable,
        "discounts": l.discount_amounts.iter().map(|d| d.discount.clone()).collect::<Vec<_>>(),
        "invoice": inv.id,
        "livemode": inv.livemode,
        "metadata": l.metadata,
        // A subscription item's line (a proration included, with the invoice item it was) names
        // the item; a one-off charge names its invoice item.
        "parent": match (&l.subscription_item, &l.invoice_item) {
            (None, Some(ii)) => json!({
                "invoice_item_details": {
                    "invoice_item": ii,
                    "proration": l.proration,
                    "proration_details": {"credited_items": null},
                    "subscription": l.subscription.as_ref().or(inv.subscription.as_ref()),
                },
                "subscription_item_details": null,
                "type": "invoice_item_details",
            }),
            _ => json!({
                "invoice_item_details": null,
                "subscription_item_details": {
                    "invoice_item": l.invoice_item,
                    "proration": l.proration,
                    "proration_details": {"credited_items": line_credited(inv, l)},
                    "subscription": l.subscription.as_ref().or(inv.subscription.as_ref()),
                    "subscription_item": l.subscription_item,
                },
                "type": "subscription_item_details",
            }),
        },
        "period": {"end": l.period_end, "start": l.period_start},
        "pretax_credit_amounts": [],
        "pricing": pricing(
            (!l.price.is_empty()).then_some((&l.price, &l.product)),
            unit_decimal(l.amount, l.quantity),
        ),
        "quantity": l.quantity,
        "quantity_decimal": l.quantity.to_string(),
        "subscription": inv.subscription,
        "subtotal": l.amount,
        "taxes": [],
    })
}

/// What one of `quantity` units of `amount` costs, as a decimal string with at most 12
/// places (a prorated or tiered line's need not be whole); `None` for no units.
pub fn unit_decimal(amount: i64, quantity: i64) -> Option<String> {
    if quantity == 0 {
        return None;
    }
    let (a, q) = (i128::from(amount), i128::from(quantity));
    let sign = if (a < 0) != (q < 0) && a != 0 {
        "-"
    } else {
        ""
    };
    let (a, q) = (a.abs(), q.abs());
    let fraction = (a % q) * 1_000_000_000_000 / q;
    let whole = a / q;
    if fraction == 0 {
        return Some(format!("{sign}{whole}"));
    }
    let digits = format!("{fraction:012}");
    Some(format!("{sign}{whole}.{}", digits.trim_end_matches('0')))
}

/// A line's or invoice item's `pricing`: the price billed (none for an amount given as is),
/// and what one unit costs.
fn pricing(price: Option<(&String, &String)>, unit_amount_decimal: Option<String>) -> Value {
    let mut v = json!({
        "type": "price_details",
        "unit_amount_decimal": unit_amount_decimal,
    });
    if let Some((price, product)) = price {
        v["price_details"] = json!({"price": price, "product": product});
    }
    v
}

/// An entry of a customer's balance ledger.
pub fn balance_transaction(t: &portico_domain::balance_transaction::BalanceTransaction) -> Value {
    json!({
        "id": t.id,
        "object": "customer_balance_transaction",
        "amount": t.amount,
        "checkout_session": null,
        "created": t.created,
        "credit_note": null,
        "currency": t.currency,
        "customer": t.customer,
        "customer_account": null,
        "description": t.description,
        "ending_balance": t.ending_balance,
        "invoice": t.invoice,
        "livemode": t.livemode,
        "metadata": t.metadata,
        "type": t.kind.as_str(),
    })
}

/// An invoice item, or its deleted stub.
pub fn invoice_item(ii: &portico_domain::invoice_item::InvoiceItem) -> Value {
    if ii.deleted {
        return deleted("invoiceitem", &ii.id);
    }
    json!({
        "id": ii.id,
        "object": "invoiceitem",
        "amount": ii.amount,
        "currency": ii.currency,
        "customer": ii.customer,
        "customer_account": null,
        "date": ii.created,
        "description": ii.description,
        "discountable": ii.discountable,
        "discounts": [],
        "invoice": ii.invoice,
        "livemode": ii.livemode,
        "metadata": ii.metadata,
        // Stripe leaves it null for a discountable item, whose discounts the invoice works out;
        // a billed proration's is what its discounts left.
        "net_amount": (!ii.discountable).then(|| ii.amount - ii.discount_amounts.iter().map(|d| d.amount).sum::<i64>()),
        "parent": ii.subscription.as_ref().map(|s| json!({
            "subscription_details": {"subscription": s, "subscription_item": ii.subscription_item},
            "type": "subscription_details",
        })),
        "period": {"end": ii.period_end, "start": ii.period_start},
        "pricing": pricing(
            ii.price.as_ref().zip(ii.product.as_ref()),
            match ii.proration {
                // Prorated, a unit costs what the quantity came to, shared out.
                true => unit_decimal(ii.amount, ii.quantity),
                false => ii.unit_amount.map(|u| u.to_string()),
            },
        ),
        "proration": ii.proration,
        "proration_details": {
            "credited_items": match &ii.credited {
                Some(portico_domain::invoice::Credited::InvoiceItem(debit)) => {
                    json!({"type": "invoice_item", "invoice_item": debit})
                }
                Some(portico_domain::invoice::Credited::InvoiceLines { invoice, lines }) => json!({
                    "type": "invoice_line_items",
                    "invoice_line_item_details": {"invoice": invoice, "invoice_line_items": lines},
                }),
                None => Value::Null,
            },
            "discount_amounts": ii.discount_amounts.iter().map(|d| json!({"amount": d.amount, "discount": d.discount})).collect::<Vec<_>>(),
        },
        "quantity": ii.quantity,
        "quantity_decimal": ii.quantity.to_string(),
        "tax_rates": [],
        "test_clock": ii.test_clock,
    })
}

/// An invoice, its lines included. `hosted_invoice_url`: the link to its hosted page, which the
/// server signs (none for a draft).
pub fn invoice(
    inv: &portico_domain::invoice::Invoice,
    hosted_invoice_url: Option<String>,
) -> Value {
    use portico_domain::invoice::InvoiceStatus;
    if inv.deleted {
        return deleted("invoice", &inv.id);
    }
    let t = &inv.status_transitions;
    let finalized = inv.status != InvoiceStatus::Draft;
    let embedded = if inv.id.starts_with("upcoming_") {
        usize::MAX
    } else {
        EMBEDDED_LINES
    };
    json!({
        "id": inv.id,
        "object": "invoice",
        "account_country": null,
        "account_name": null,
        "account_tax_ids": null,
        "amount_due": inv.amount_due(),
        "amount_overpaid": 0,
        "amount_paid": inv.amount_paid,
        "amount_paid_off_stripe": inv.paid_off_stripe,
        "amount_remaining": inv.amount_remaining(),
        "amount_shipping": 0,
        "application": null,
        "attempt_count": inv.attempt_count,
        "attempted": inv.attempted,
        "auto_advance": inv.auto_advance,
        "automatic_tax": {"disabled_reason": null, "enabled": false, "liability": null, "provider": null, "status": null},
        "automatically_finalizes_at": inv.automatically_finalizes_at.filter(|_| inv.status == InvoiceStatus::Draft && inv.auto_advance),
        "billing_reason": inv.billing_reason,
        "collection_method": if inv.send_invoice { "send_invoice" } else { "charge_automatically" },
        "confirmation_secret": null,
        "created": inv.created,
        "currency": inv.currency,
        "custom_fields": null,
        "customer": inv.customer,
        "customer_account": null,
        "customer_address": null,
        "customer_email": inv.customer_email,
        "customer_name": inv.customer_name,
        "customer_phone": null,
        "customer_shipping": null,
        "customer_tax_exempt": "none",
        "customer_tax_ids": [],
        "default_payment_method": inv.default_payment_method,
        "default_source": null,
        "default_tax_rates": [],
        "description": inv.description,
        "discounts": inv.discounts,
        "due_date": inv.due_date,
        "effective_at": t.finalized_at,
        "ending_balance": if finalized { inv.ending_balance.or(Some(0)) } else { None },
        "footer": null,
        "from_invoice": null,
        "hosted_invoice_url": hosted_invoice_url,
        "invoice_pdf": null,
        "issuer": {"type": "self"},
        "last_finalization_error": null,
        "latest_revision": null,
        // The first lines only, as Stripe embeds them: the rest are read from `url`. A preview,
        // which has no such list to read, shows them all.
        "lines": {
            "object": "list",
            "data": inv.lines.iter().take(embedded).map(|l| invoice_line(inv, l)).collect::<Vec<_>>(),
            "has_more": inv.lines.len() > embedded,
            "url": format!("/v1/invoices/{}/lines", inv.id),
        },
        "livemode": inv.livemode,
        "metadata": inv.metadata,
        "next_payment_attempt": inv.next_payment_attempt(),
        "number": inv.number,
        "on_behalf_of": null,
        "parent": inv.subscription.as_ref().map(|s| json!({
            "quote_details": null,
            "subscription_details": {"metadata": {}, "subscription": s},
            "type": "subscription_details",
        })),
        "payment_settings": {"default_mandate": null, "payment_method_options": null, "payment_method_types": null},
        "period_end": inv.period_end,
        "period_start": inv.period_start,
        "post_payment_credit_notes_amount": 0,
        "pre_payment_credit_notes_amount": 0,
        "receipt_number": null,
        "rendering": null,
        "shipping_cost": null,
        "shipping_details": null,
        "starting_balance": inv.starting_balance,
        "statement_descriptor": null,
        "status": inv.status.as_str(),
        "status_transitions": {
            "finalized_at": t.finalized_at,
            "marked_uncollectible_at": t.marked_uncollectible_at,
            "paid_at": t.paid_at,
            "voided_at": t.voided_at,
        },
        "subtotal": inv.subtotal(),
        "subtotal_excluding_tax": inv.subtotal(),
        "test_clock": inv.test_clock,
        "total": inv.total(),
        "total_discount_amounts": inv.total_discount_amounts().iter().map(|d| json!({"amount": d.amount, "discount": d.discount})).collect::<Vec<_>>(),
        "total_excluding_tax": inv.total(),
        "total_pretax_credit_amounts": [],
        "total_taxes": [],
        "webhooks_delivered_at": null,
    })
}

/// A test clock.
pub fn test_clock(c: &portico_domain::test_clock::TestClock) -> Value {
    if c.deleted {
        return deleted("test_helpers.test_clock", &c.id);
    }
    json!({
        "id": c.id,
        "object": "test_helpers.test_clock",
        "created": c.created,
        "deletes_after": c.created + portico_domain::test_clock::LIFETIME_SECS,
        "frozen_time": c.frozen_time,
        "livemode": c.livemode,
        "name": c.name,
        "status": c.status(),
        "status_details": match c.advancing_to {
            Some(t) => json!({"advancing": {"target_frozen_time": t}}),
            None => json!({}),
        },
    })
}

/// A subscription schedule; `now` decides its current phase.
pub fn subscription_schedule(s: &portico_domain::schedule::Schedule, now: i64) -> Value {
    let current = if s.status == portico_domain::schedule::ScheduleStatus::Active {
        s.current_phase(now)
            .map(|p| json!({"end_date": p.end, "start_date": p.start}))
    } else {
        None
    };
    json!({
        "id": s.id,
        "object": "subscription_schedule",
        "application": null,
        "billing_mode": billing_mode(s.billing_mode, s.created),
        "canceled_at": s.canceled_at,
        "completed_at": s.completed_at,
        "created": s.created,
        "current_phase": current,
        "customer": s.customer,
        "customer_account": null,
        "default_settings": {
            "application_fee_percent": null,
            "automatic_tax": {"disabled_reason": null, "enabled": false, "liability": null},
            "billing_cycle_anchor": "automatic",
            "billing_thresholds": null,
            "collection_method": s.days_until_due.map(|_| "send_invoice"),
            "default_payment_method": null,
            "description": null,
            "invoice_settings": {"account_tax_ids": null, "days_until_due": s.days_until_due, "issuer": {"type": "self"}},
            "on_behalf_of": null,
            "transfer_data": null,
        },
        "end_behavior": s.end_behavior,
        "livemode": s.livemode,
        "metadata": s.metadata,
        "phases": s.phases.iter().map(|p| json!({
            "add_invoice_items": [],
            "application_fee_percent": null,
            "billing_cycle_anchor": null,
            "billing_thresholds": null,
            "collection_method": null,
            "currency": p.items.first().map(|i| i.price.currency.code().to_owned()).unwrap_or_default(),
            "default_payment_method": null,
            "default_tax_rates": [],
            "description": null,
            "discounts": [],
            "end_date": p.end,
            "invoice_settings": null,
            "items": p.items.iter().map(|i| json!({
                "billing_thresholds": null,
                "discounts": [],
                "metadata": i.metadata.clone().unwrap_or_default(),
                // The legacy plan, as on a subscription item (see `plan`): here by its id.
                "plan": i.price.id,
                "price": i.price.id,
                "quantity": i.quantity,
                "tax_rates": [],
            })).collect::<Vec<_>>(),
            "metadata": {},
            "on_behalf_of": null,
            "proration_behavior": p.proration_behavior,
            "start_date": p.start,
            "transfer_data": null,
            "trial_end": p.trial_end,
        })).collect::<Vec<_>>(),
        "released_at": s.released_at,
        "released_subscription": s.released_subscription,
        "status": s.status.as_str(),
        "subscription": s.subscription,
        "test_clock": s.test_clock,
    })
}

/// A webhook endpoint; its signing `secret` only when `with_secret` (the response to create).
pub fn webhook_endpoint(
    e: &portico_domain::webhook_endpoint::WebhookEndpoint,
    with_secret: bool,
) -> Value {
    if e.deleted {
        return deleted("webhook_endpoint", &e.id);
    }
    let mut v = json!({
        "id": e.id,
        "object": "webhook_endpoint",
        "api_version": e.api_version,
        "application": null,
        "created": e.created,
        "description": e.description,
        "enabled_events": e.enabled_events,
        "livemode": e.livemode,
        "metadata": e.metadata,
        "status": e.status(),
        "url": e.url,
    });
    if with_secret {
        v["secret"] = json!(e.secret);
    }
    v
}

/// A portal configuration; `login_page.url` is built on `public_url`.
pub fn portal_configuration(
    c: &portico_domain::portal::PortalConfiguration,
    public_url: &str,
) -> Value {
    let f = &c.features;
    let cancel = &f.subscription_cancel;
    let update = &f.subscription_update;
    json!({
        "id": c.id,
        "object": "billing_portal.configuration",
        "active": c.active,
        "application": null,
        "business_profile": {
            "headline": c.business_profile.headline,
            "privacy_policy_url": c.business_profile.privacy_policy_url,
            "terms_of_service_url": c.business_profile.terms_of_service_url,
        },
        "created": c.created,
        "default_return_url": c.default_return_url,
        "features": {
            "customer_update": {
                "allowed_updates": f.customer_update.allowed_updates,
                "enabled": f.customer_update.enabled,
            },
            "invoice_history": { "enabled": f.invoice_history },
            "payment_method_update": {
                "enabled": f.payment_method_update.enabled,
                "payment_method_configuration": f.payment_method_update.payment_method_configuration,
            },
            "subscription_cancel": {
                "cancellation_reason": {
                    "enabled": cancel.reasons_enabled,
                    "options": cancel.reasons,
                },
                "enabled": cancel.enabled,
                "mode": cancel.mode,
                "proration_behavior": cancel.proration_behavior,
            },
            "subscription_update": {
                "billing_cycle_anchor": update.billing_cycle_anchor,
                "default_allowed_updates": update.default_allowed_updates,
                "enabled": update.enabled,
                "products": update.products.as_ref().map(|ps| ps.iter().map(|p| json!({
                    "adjustable_quantity": {
                        "enabled": p.adjustable_quantity,
                        "maximum": p.maximum,
                        "minimum": p.minimum,
                    },
                    "prices": p.prices,
                    "product": p.product,
                })).collect::<Vec<_>>()),
                "proration_behavior": update.proration_behavior,
                "schedule_at_period_end": {
                    "conditions": update.schedule_conditions.iter().map(|t| json!({"type": t})).collect::<Vec<_>>(),
                },
                "trial_update_behavior": update.trial_update_behavior,
            },
        },
        "is_default": c.is_default,
        "livemode": c.livemode,
        "login_page": {
            "enabled": c.login_token.is_some(),
            "url": c.login_token.as_ref().map(|t| format!("{public_url}/p/login/{t}")),
        },
        "metadata": c.metadata,
        "name": c.name,
        "updated": c.updated,
    })
}

/// A portal session; its `url` is built on `public_url`.
pub fn portal_session(s: &portico_domain::portal::PortalSession, public_url: &str) -> Value {
    // Built field by field rather than with `json!`, which would copy each nested value
    // through serde's serializer: sessions are made (and rendered twice, for the answer and the
    // event) far more often than any other object.
    let text = |v: &str| Value::from(v);
    let opt = |v: &Option<String>| v.as_deref().map_or(Value::Null, text);
    let flow = s.flow.as_ref().map_or(Value::Null, |f| {
        let ac = &f.after_completion;
        let confirm = f
            .subscription_update_confirm
            .as_ref()
            .map_or(Value::Null, |c| {
                let discounts = c.discounts.as_ref().map_or(Value::Null, |ds| {
                    ds.iter()
                        .map(|d| {
                            object([
                                ("coupon", opt(&d.coupon)),
                                ("promotion_code", opt(&d.promotion_code)),
                            ])
                        })
                        .collect()
                });
                let items = c
                    .items
                    .iter()
                    .map(|i| {
                        let mut item = Map::with_capacity(3);
                        item.insert("id".into(), text(&i.id));
                        item.insert("price".into(), opt(&i.price));
                        if let Some(q) = i.quantity {
                            item.insert("quantity".into(), q.into());
                        }
                        Value::Object(item)
                    })
                    .collect();
                object([
                    ("discounts", discounts),
                    ("items", items),
                    ("subscription", text(&c.subscription)),
                ])
            });
        let cancel = f.subscription_cancel.as_ref().map_or(Value::Null, |c| {
            let retention = c.retention_coupon.as_deref().map_or(Value::Null, |coupon| {
                object([
                    ("coupon_offer", object([("coupon", text(coupon))])),
                    ("type", text("coupon_offer")),
                ])
            });
            object([
                ("retention", retention),
                ("subscription", text(&c.subscription)),
            ])
        });
        let hosted = if ac.kind == "hosted_confirmation" {
            object([("custom_message", opt(&ac.custom_message))])
        } else {
            Value::Null
        };
        let redirect = ac
            .redirect_url
            .as_deref()
            .map_or(Value::Null, |u| object([("return_url", text(u))]));
        object([
            (
                "after_completion",
                object([
                    ("hosted_confirmation", hosted),
                    ("redirect", redirect),
                    ("type", text(&ac.kind)),
                ]),
            ),
            ("subscription_cancel", cancel),
            (
                "subscription_update",
                f.subscription_update
                    .as_deref()
                    .map_or(Value::Null, |s| object([("subscription", text(s))])),
            ),
            ("subscription_update_confirm", confirm),
            ("type", text(&f.kind)),
        ])
    });
    object([
        ("id", text(&s.id)),
        ("object", text("billing_portal.session")),
        ("configuration", text(&s.configuration)),
        ("created", s.created.into()),
        ("customer", text(&s.customer)),
        ("customer_account", Value::Null),
        ("flow", flow),
        ("livemode", s.livemode.into()),
        ("locale", opt(&s.locale)),
        ("on_behalf_of", opt(&s.on_behalf_of)),
        ("return_url", opt(&s.return_url)),
        ("url", format!("{public_url}/p/session/{}", s.token).into()),
    ])
}

/// A JSON object of these fields, in this order, the values moved in as they are.
fn object<const N: usize>(fields: [(&str, Value); N]) -> Value {
    let mut map = Map::with_capacity(N);
    for (k, v) in fields {
        map.insert(k.to_owned(), v);
    }
    Value::Object(map)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_unit_is_what_the_units_come_to_shared_out_to_twelve_places() {
        assert_eq!(unit_decimal(3600, 3).as_deref(), Some("1200"));
        assert_eq!(unit_decimal(1000, 3).as_deref(), Some("333.333333333333"));
        assert_eq!(unit_decimal(-1500, 2).as_deref(), Some("-750"));
        assert_eq!(unit_decimal(-1, 3).as_deref(), Some("-0.333333333333"));
        assert_eq!(unit_decimal(5, 4).as_deref(), Some("1.25"));
        assert_eq!(unit_decimal(0, 7).as_deref(), Some("0"));
        assert_eq!(unit_decimal(10, 0), None);
        assert_eq!(
            unit_decimal(i64::MAX, 1).as_deref(),
            Some(i64::MAX.to_string().as_str())
        );
    }
    use portico_domain::portal::{
        AfterCompletion, CancelFlow, ConfirmDiscount, ConfirmFlow, ConfirmItem, Flow, PortalSession,
    };

    fn session(flow: Option<Flow>) -> PortalSession {
        let mut ids = portico_domain::id::SequentialIds::default();
        let mut ctx = portico_domain::Ctx {
            now: 1_700_000_000,
            livemode: false,
            ids: &mut ids,
        };
        let mut s = PortalSession::create(
            "cus_1".into(),
            "bpc_1".into(),
            flow,
            Some("fr".into()),
            None,
            Some("https://example.com/back".into()),
            &mut ctx,
        );
        s.id = "bps_1".into();
        s.token = "test_abc".into();
        s
    }

    fn flow(kind: &str) -> Flow {
        Flow {
            kind: kind.into(),
            after_completion: AfterCompletion::default(),
            subscription_cancel: None,
            subscription_update: None,
            subscription_update_confirm: None,
        }
    }

    #[test]
    fn a_session_without_a_flow_has_every_field() {
        let v = portal_session(&session(None), "http://127.0.0.1:1");
        assert_eq!(
            v,
            json!({
                "id": "bps_1", "object": "billing_portal.session", "configuration": "bpc_1",
                "created": 1_700_000_000, "customer": "cus_1", "customer_account": null,
                "flow": null, "livemode": false, "locale": "fr", "on_behalf_of": null,
                "return_url": "https://example.com/back",
                "url": "http://127.0.0.1:1/p/session/test_abc",
            })
        );
        let keys: Vec<&String> = v.as_object().unwrap().keys().collect();
        assert_eq!(keys[..2], ["id", "object"]);
    }

    #[test]
    fn flows_render_every_nested_field() {
        let mut confirm = flow("subscription_update_confirm");
        confirm.after_completion = AfterCompletion {
            kind: "redirect".into(),
            custom_message: None,
            redirect_url: Some("https://example.com/done".into()),
        };
        confirm.subscription_update_confirm = Some(ConfirmFlow {
            subscription: "sub_1".into(),
            items: vec![
                ConfirmItem {
                    id: "si_1".into(),
                    price: Some("price_2".into()),
                    quantity: Some(3),
                },
                ConfirmItem {
                    id: "si_2".into(),
                    price: None,
                    quantity: None,
                },
            ],
            discounts: Some(vec![ConfirmDiscount {
                coupon: None,
                promotion_code: Some("promo_1".into()),
            }]),
        });
        assert_eq!(
            portal_session(&session(Some(confirm)), "")["flow"],
            json!({
                "after_completion": {
                    "hosted_confirmation": null,
                    "redirect": {"return_url": "https://example.com/done"},
                    "type": "redirect",
                },
                "subscription_cancel": null,
                "subscription_update": null,
                "subscription_update_confirm": {
                    "discounts": [{"coupon": null, "promotion_code": "promo_1"}],
                    "items": [
                        {"id": "si_1", "price": "price_2", "quantity": 3},
                        {"id": "si_2", "price": null},
                    ],
                    "subscription": "sub_1",
                },
                "type": "subscription_update_confirm",
            })
        );

        let mut cancel = flow("subscription_cancel");
        cancel.after_completion.custom_message = Some("Bye".into());
        cancel.subscription_cancel = Some(CancelFlow {
            subscription: "sub_1".into(),
            retention_coupon: Some("co_1".into()),
        });
        assert_eq!(
            portal_session(&session(Some(cancel)), "")["flow"],
            json!({
                "after_completion": {
                    "hosted_confirmation": {"custom_message": "Bye"},
                    "redirect": null,
                    "type": "hosted_confirmation",
                },
                "subscription_cancel": {
                    "retention": {"coupon_offer": {"coupon": "co_1"}, "type": "coupon_offer"},
                    "subscription": "sub_1",
                },
                "subscription_update": null,
                "subscription_update_confirm": null,
                "type": "subscription_cancel",
            })
        );

        let mut update = flow("subscription_update");
        update.subscription_update = Some("sub_1".into());
        let f = &portal_session(&session(Some(update)), "")["flow"];
        assert_eq!(f["subscription_update"], json!({"subscription": "sub_1"}));
        assert_eq!(f["subscription_update_confirm"], Value::Null);
        assert_eq!(
            f["after_completion"]["hosted_confirmation"],
            json!({"custom_message": null})
        );
    }
}

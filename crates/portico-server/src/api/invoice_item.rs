//! `/v1/invoiceitems`: create, retrieve, update, delete, list; and how invoices take pending
//! items ([`Pending`]) and keep their drafts' lines in step with them.

use crate::api::price::{read_decimal_amount, read_inline_price, resolve_price, PriceRef};
use crate::billing::prorations_as_made;
use crate::http::{Api, Failure, PathId, Reply};
use crate::objects::{created_filters, list, load, load_live, no_such, respond, with_retries};
use crate::state::App;
use axum::extract::State;
use portico_domain::customer::Customer;
use portico_domain::invoice::{Invoice, Line};
use portico_domain::invoice_item::{
    Basis, InvoiceItem, InvoiceItemCreate, InvoiceItemUpdate, ItemPricing, MAX_PER_INVOICE,
};
use portico_domain::price::Price;
use portico_domain::subscription::Subscription;
use portico_domain::{AccountId, Ctx, Patch};
use portico_store::{Cursor, Filter, ListQuery, Object, Read, Versioned, Write};
use portico_wire::list::{read_created, read_list_params};
use portico_wire::{render, ApiError, Reader};

/// How an item is priced, as sent: `pricing[price]`, `price_data`, `amount` or
/// `unit_amount_decimal` (one of them).
#[derive(Clone, Debug)]
enum PricingParam {
    Price(PriceRef),
    Amount(i64),
    UnitAmount(i64),
}

/// Reads the pricing parameters; `None` when none was sent (create reports it missing).
fn read_pricing(r: &mut Reader<'_>) -> Option<PricingParam> {
    let price = r
        .object("pricing", |p| p.string("price", 5000))
        .flatten()
        .map(|id| ("pricing[price]", PricingParam::Price(PriceRef::Id(id))));
    let inline = read_inline_price(r, false)
        .flatten()
        .map(|i| ("price_data", PricingParam::Price(PriceRef::Inline(i))));
    let amount = r.int("amount").map(|a| ("amount", PricingParam::Amount(a)));
    let unit = read_decimal_amount(r, "unit_amount_decimal")
        .map(|u| ("unit_amount_decimal", PricingParam::UnitAmount(u)));
    let sent: Vec<_> = [price, inline, amount, unit]
        .into_iter()
        .flatten()
        .collect();
    if sent.len() > 1 {
        let names: Vec<&str> = sent.iter().map(|(n, _)| *n).collect();
        r.error(ApiError::invalid(
            Some(names[1].into()),
            None,
            format!(
                "You may only specify one of these parameters: {}.",
                names.join(", ")
            ),
        ));
        return None;
    }
    sent.into_iter().next().map(|(_, p)| p)
}

/// The parameters Stripe takes that Portico refuses by name.
fn refuse_unsupported(r: &mut Reader<'_>) {
    crate::api::subscription::refuse_tax(r);
    // `tax_rates=""` clears them, and no item has any.
    if r.is_empty_string("tax_rates") {
        r.string_or_clear("tax_rates", 20);
    }
    for key in ["tax_behavior", "tax_code", "tax_rates"] {
        r.unsupported(key, "tax is not implemented.");
    }
    // `discounts=""` asks for none, which is what every item has.
    if r.is_empty_string("discounts") {
        r.string_or_clear("discounts", 20);
    }
    r.unsupported(
        "discounts",
        "discounts on one invoice item are not implemented; the invoice's discounts apply to \
         it unless `discountable=false`.",
    );
    r.unsupported(
        "quantity_decimal",
        "fractional quantities are not implemented; send `quantity`.",
    );
    r.unsupported(
        "customer_account",
        "accounts as customers are not implemented; send `customer`.",
    );
}

fn read_period(r: &mut Reader<'_>) -> Option<(i64, i64)> {
    r.object("period", |p| {
        p.require("start");
        p.require("end");
        // Both read, so that each is checked.
        let (start, end) = (p.timestamp("start"), p.timestamp("end"));
        start.zip(end)
    })
    .flatten()
}

struct CreateParams {
    customer: String,
    currency: Option<String>,
    pricing: Option<PricingParam>,
    quantity: Option<i64>,
    description: Option<String>,
    discountable: Option<bool>,
    metadata: portico_domain::metadata::MetadataUpdate,
    period: Option<(i64, i64)>,
    invoice: Option<String>,
    subscription: Option<String>,
}

/// `POST /v1/invoiceitems`: a charge (or, negative, a credit) for a customer. Pending until an
/// invoice takes it, or added at once to the draft `invoice` names.
pub async fn create_invoice_item(State(app): State<App>, mut api: Api) -> Reply {
    let (p, expand) = api.read(|r| {
        refuse_unsupported(r);
        let p = CreateParams {
            customer: r.required_string("customer", 5000),
            currency: r.currency("currency").map(|c| c.code().to_owned()),
            pricing: read_pricing(r),
            quantity: r.int("quantity"),
            description: r.string("description", 5000),
            discountable: r.bool("discountable"),
            metadata: r.metadata("metadata", true),
            period: read_period(r),
            invoice: r.string("invoice", 5000),
            subscription: r.string("subscription", 5000),
        };
        (p, r.expand("invoiceitem", false))
    })?;
    let Some(pricing) = &p.pricing else {
        return Err(ApiError::invalid(
            Some("amount".into()),
            Some(portico_domain::ErrorCode::ParameterMissing),
            "Missing required param: amount (or one of pricing[price], price_data, \
             unit_amount_decimal).",
        )
        .into());
    };
    let (app_, api_, p_) = (&app, &api, &p);
    let item = with_retries(|| async move { create_once(app_, api_, p_, pricing).await }).await?;
    respond(&app, &api, render::invoice_item(&item), &expand).await
}

async fn create_once(
    app: &App,
    api: &Api,
    p: &CreateParams,
    pricing: &PricingParam,
) -> Result<InvoiceItem, Failure> {
    let account = &api.caller.account;
    let mut customer = load_live::<Customer>(app, account, &p.customer, Some("customer")).await?;
    let cus_id = customer.value.id.to_string();
    let now = crate::objects::now_for(app, account, customer.value.test_clock.as_deref(), api.now)
        .await?;
    let mut writes = Vec::new();
    let pricing = resolve(
        app,
        account,
        pricing,
        (now, api.caller.livemode),
        &mut writes,
    )
    .await?;
    if let Some(id) = &p.subscription {
        let sub = subscription_of(app, account, id, &cus_id).await?;
        // Only the subscription's invoices may take it: they are in its currency.
        let currency = p.currency.as_deref().unwrap_or(&sub.value.currency);
        if currency != sub.value.currency {
            return Err(ApiError::invalid(
                Some("currency".into()),
                None,
                format!(
                    "The subscription {id} is billed in {}: an invoice item for it cannot be in {currency}.",
                    sub.value.currency
                ),
            )
            .into());
        }
        if sub.value.status.is_ended() {
            return Err(ApiError::invalid(
                Some("subscription".into()),
                None,
                format!("The subscription {id} has ended: no invoice of it will take this item."),
            )
            .into());
        }
    }
    let mut draft = match &p.invoice {
        Some(id) => Some(load_live::<Invoice>(app, account, id, Some("invoice")).await?),
        None => None,
    };
    // Unless told, in the draft's currency, else the customer's, else the account's (Stripe's
    // default).
    let fallback = match &draft {
        Some(inv) => inv.value.currency.clone(),
        None => customer
            .value
            .currency
            .clone()
            .unwrap_or_else(|| app.settings.default_currency.clone()),
    };
    let mut ids = crate::ids::Ids;
    let mut ctx = Ctx {
        now,
        livemode: api.caller.livemode,
        ids: &mut ids,
    };
    let mut item = InvoiceItem::create(
        InvoiceItemCreate {
            customer: cus_id.clone(),
            test_clock: customer.value.test_clock.clone(),
            currency: p.currency.clone(),
            fallback_currency: Some(fallback),
            pricing,
            quantity: p.quantity,
            description: p.description.clone(),
            discountable: p.discountable,
            metadata: p.metadata.clone(),
            period: p.period,
            subscription: p.subscription.clone(),
        },
        &mut ctx,
    )?;
    if let Some(inv) = &mut draft {
        item.check_fits(&inv.value)?;
        let line = item.to_line(&mut ctx);
        item.attach(&inv.value.id, &line.id, false);
        // Added items come after the invoice's own lines, in the order they were added.
        inv.value.lines.push(line);
        rediscount(app, account, &mut inv.value).await?;
        writes.push(Write::Update(inv.next_record()));
    }
    // The customer is billed in this currency from now on unless told otherwise, as by a
    // first subscription.
    if customer.value.currency.is_none() {
        customer.value.currency = Some(item.currency.clone());
        writes.push(Write::Update(customer.next_record()));
    }
    writes.insert(0, Write::Insert(Versioned::new_record(&item)));
    app.commit(account, writes).await?;
    Ok(item)
}

/// The subscription `id` (sent as `subscription`), which must be `customer`'s.
pub(crate) async fn subscription_of(
    app: &App,
    account: &AccountId,
    id: &str,
    customer: &str,
) -> Result<Versioned<Subscription>, Failure> {
    let sub = load::<Subscription>(app, account, id, Some("subscription")).await?;
    if sub.value.customer != customer {
        return Err(ApiError::invalid(
            Some("subscription".into()),
            None,
            format!("The subscription {id} does not belong to the customer {customer}."),
        )
        .into());
    }
    Ok(sub)
}

/// The pricing sent, resolved: a price loaded (or made from `price_data`, its insert added to
/// `writes`).
async fn resolve(
    app: &App,
    account: &AccountId,
    pricing: &PricingParam,
    (now, livemode): (i64, bool),
    writes: &mut Vec<Write>,
) -> Result<ItemPricing, Failure> {
    Ok(match pricing {
        PricingParam::Amount(a) => ItemPricing::Amount(*a),
        PricingParam::UnitAmount(u) => ItemPricing::UnitAmount(*u),
        PricingParam::Price(r) => {
            let (param, item) = match r {
                PriceRef::Inline(_) => ("price_data", ""),
                _ => ("pricing[price]", "pricing"),
            };
            let (price, product) = resolve_price(app, account, r, item, now, livemode, writes)
                .await
                .map_err(renamed)?;
            ItemPricing::Price {
                price: Box::new(price),
                product_name: product.name,
                param,
            }
        }
    })
}

/// `resolve_price` names what it loads as an item's (`{item}[price]`, `{item}[price_data]…`):
/// an invoice item's `price_data` is at the top.
fn renamed(mut f: Failure) -> Failure {
    if let Some(p) = &f.error.param {
        if let Some(rest) = p.strip_prefix("[price_data]") {
            let fixed = format!("price_data{rest}");
            f.error.message = f.error.message.replace(p.as_str(), &fixed);
            f.error.param = Some(fixed);
        }
    }
    f
}

/// Works a draft's discounts out again after its lines changed: those in force on it first, in
/// their order, then those only its prorations carry, as billing applied them.
pub(crate) async fn rediscount(
    app: &App,
    account: &AccountId,
    inv: &mut Invoice,
) -> Result<(), Failure> {
    let in_force = std::mem::take(&mut inv.discounts);
    let mut others: Vec<String> = Vec::new();
    for l in &mut inv.lines {
        for a in l.discount_amounts.drain(..) {
            if !in_force.contains(&a.discount) && !others.contains(&a.discount) {
                others.push(a.discount);
            }
        }
    }
    for (ids, force) in [(in_force, true), (others, false)] {
        for id in ids {
            match crate::billing::discount_with_coupon(app, account, &id, &[]).await? {
                Some((d, c)) => inv.apply_discount(&c, &d.id, force),
                // Gone from the store: still listed, applying nothing.
                None if force => inv.discounts.push(id),
                None => {}
            }
        }
    }
    Ok(())
}

/// `GET /v1/invoiceitems/{id}`
pub async fn retrieve_invoice_item(
    State(app): State<App>,
    PathId(id): PathId,
    mut api: Api,
) -> Reply {
    let expand = api.read(|r| r.expand("invoiceitem", false))?;
    let account = &api.caller.account;
    let item = match portico_store::get::<InvoiceItem>(&*app.store, account, &id).await? {
        Some(v) if !v.value.deleted => v.value,
        _ => match pending_proration(&app, account, &id).await? {
            Some(p) => p,
            None => return Err(no_such("invoiceitem", &id, None).into()),
        },
    };
    respond(&app, &api, render::invoice_item(&item), &expand).await
}

/// The pending proration `id` of one of the account's subscriptions, as an invoice item.
async fn pending_proration(
    app: &App,
    account: &AccountId,
    id: &str,
) -> Result<Option<InvoiceItem>, Failure> {
    Ok(proration_holder(app, account, id)
        .await?
        .map(|(_, item)| item))
}

/// The subscription holding the pending proration `id`, with the proration as an invoice item.
async fn proration_holder(
    app: &App,
    account: &AccountId,
    id: &str,
) -> Result<Option<(Versioned<Subscription>, InvoiceItem)>, Failure> {
    if !id.starts_with("ii_") || !id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
        return Ok(None);
    }
    let q = ListQuery {
        kind: "subscription",
        filters: vec![Filter::LookupLike(format!("* {id} *"))],
        cursor: Cursor::Start,
        limit: 100,
        include_deleted: false,
    };
    let page = app.store.list(account, &q).await?;
    let subs = portico_store::decode_all::<Subscription>(&*app.store, account, &page)?;
    for sub in subs
        .into_iter()
        .filter(|s| s.value.pending_update.is_none())
    {
        let Some(line) = sub
            .value
            .pending_lines
            .iter()
            .find(|l| l.invoice_item.as_deref() == Some(id))
        else {
            continue;
        };
        let line = [line.clone()];
        let found = prorations_as_made(&*app.store, account, &sub.value, &line, &[]).await?;
        if let Some(item) = found.into_iter().next() {
            return Ok(Some((sub, item)));
        }
    }
    Ok(None)
}

/// Loads invoice item `id` to change it: a pending proration is refused by name (it changes
/// with its subscription).
async fn load_to_change(
    app: &App,
    account: &AccountId,
    id: &str,
) -> Result<Versioned<InvoiceItem>, Failure> {
    match load_live::<InvoiceItem>(app, account, id, None).await {
        Err(_) if pending_proration(app, account, id).await?.is_some() => Err(ApiError::invalid(
            None,
            None,
            format!(
                "The invoice item {id} is a pending proration of a subscription: it changes with \
                 the subscription, not by itself (it can be deleted, to waive it)."
            ),
        )
        .into()),
        other => other,
    }
}

/// `POST /v1/invoiceitems/{id}`: while it is pending or on a draft (whose line follows).
pub async fn update_invoice_item(
    State(app): State<App>,
    PathId(id): PathId,
    mut api: Api,
) -> Reply {
    let (p, expand) = api.read(|r| {
        refuse_unsupported(r);
        let p = (
            read_pricing(r),
            r.int("quantity"),
            r.string_or_clear("description", 5000),
            r.bool("discountable"),
            r.metadata("metadata", true),
            read_period(r),
        );
        (p, r.expand("invoiceitem", false))
    })?;
    let (app_, api_, p_, id) = (&app, &api, &p, &id);
    let item = with_retries(|| async move {
        let (pricing, quantity, description, discountable, metadata, period) = p_;
        let account = &api_.caller.account;
        let mut item = load_to_change(app_, account, id).await?;
        let mut inv = on_draft(app_, account, &item.value).await?;
        if item.value.proration {
            if let Some(inv) = &mut inv {
                check_proration_update(p_)?;
                let metadata = metadata.clone();
                return update_billed_proration(app_, account, item, inv, description, metadata)
                    .await;
            }
        }
        let now =
            crate::objects::now_for(app_, account, item.value.test_clock.as_deref(), api_.now)
                .await?;
        let mut writes = Vec::new();
        let pricing = match pricing {
            Some(p) => {
                Some(resolve(app_, account, p, (now, api_.caller.livemode), &mut writes).await?)
            }
            None => None,
        };
        // Priced again for a new quantity: by its price as it is now.
        let current = match (&item.value.basis, &item.value.price) {
            (Basis::Price, Some(id)) if pricing.is_none() && quantity.is_some() => {
                Some(load::<Price>(app_, account, id, None).await?.value)
            }
            _ => None,
        };
        item.value.update(
            InvoiceItemUpdate {
                pricing,
                quantity: *quantity,
                description: match description {
                    Patch::Set(d) => Some(Some(d.clone())),
                    Patch::Clear => Some(None),
                    Patch::Keep => None,
                },
                discountable: *discountable,
                metadata: metadata.clone(),
                period: *period,
            },
            current,
        )?;
        writes.insert(0, Write::Update(item.next_record()));
        if let Some(inv) = &mut inv {
            if let Some(line) = inv
                .value
                .lines
                .iter_mut()
                .find(|l| Some(&l.id) == item.value.line.as_ref())
            {
                item.value.refresh_line(line);
            }
            rediscount(app_, account, &mut inv.value).await?;
            writes.push(Write::Update(inv.next_record()));
        }
        app_.commit(account, writes).await?;
        Ok(item.value)
    })
    .await?;
    respond(&app, &api, render::invoice_item(&item), &expand).await
}

/// `POST /v1/invoiceitems/{id}`'s parameters, as read: pricing, `quantity`, `description`,
/// `discountable`, `metadata`, `period`.
type ItemParams = (
    Option<PricingParam>,
    Option<i64>,
    Patch<String>,
    Option<bool>,
    portico_domain::metadata::MetadataUpdate,
    Option<(i64, i64)>,
);

/// Refuses changing a billed proration's amount, quantity, period or `discountable`: they follow
/// the subscription change it prorates.
fn check_proration_update(p: &ItemParams) -> Result<(), Failure> {
    let (pricing, quantity, _, discountable, _, period) = p;
    let param = if let Some(pricing) = pricing {
        Some(match pricing {
            PricingParam::Price(PriceRef::Inline(_)) => "price_data",
            PricingParam::Price(_) => "pricing[price]",
            PricingParam::Amount(_) => "amount",
            PricingParam::UnitAmount(_) => "unit_amount_decimal",
        })
    } else if quantity.is_some() {
        Some("quantity")
    } else if discountable.is_some() {
        Some("discountable")
    } else if period.is_some() {
        Some("period")
    } else {
        None
    };
    match param {
        Some(param) => Err(InvoiceItem::fixed_by_proration(param).into()),
        None => Ok(()),
    }
}

/// Changes the `description` or `metadata` of a proration on the draft `inv`: on the line that
/// bills it, whose stored item is written as the invoice now shows it.
async fn update_billed_proration(
    app: &App,
    account: &AccountId,
    mut item: Versioned<InvoiceItem>,
    inv: &mut Versioned<Invoice>,
    description: &Patch<String>,
    metadata: portico_domain::metadata::MetadataUpdate,
) -> Result<InvoiceItem, Failure> {
    let Some(line) = inv
        .value
        .lines
        .iter_mut()
        .find(|l| Some(&l.id) == item.value.line.as_ref())
    else {
        return Err(no_such("invoiceitem", &item.value.id, None).into());
    };
    let description = match description {
        Patch::Set(d) => Some(Some(d.clone())),
        Patch::Clear => Some(None),
        Patch::Keep => None,
    };
    InvoiceItem::edit_proration_line(line, description, &metadata)?;
    let line = line.clone();
    if let Some(now) = InvoiceItem::billed_proration(&inv.value, &line) {
        item.value = now;
    }
    let writes = vec![
        Write::Update(item.next_record()),
        Write::Update(inv.next_record()),
    ];
    app.commit(account, writes).await?;
    Ok(item.value)
}

/// The draft `item` is on, if it is on one; refused when it is on an invoice that is no longer
/// a draft.
async fn on_draft(
    app: &App,
    account: &AccountId,
    item: &InvoiceItem,
) -> Result<Option<Versioned<Invoice>>, Failure> {
    let Some(id) = &item.invoice else {
        return Ok(None);
    };
    let inv = load::<Invoice>(app, account, id, None).await?;
    item.check_changeable(&inv.value)?;
    Ok(Some(inv))
}

/// `DELETE /v1/invoiceitems/{id}`: while it is pending or on a draft (which loses its line); a
/// subscription's pending proration is waived.
pub async fn delete_invoice_item(
    State(app): State<App>,
    PathId(id): PathId,
    mut api: Api,
) -> Reply {
    api.read(|_| ())?;
    let (app_, api_, id) = (&app, &api, &id);
    let item = with_retries(|| async move {
        let account = &api_.caller.account;
        if let Some(waived) = waive_proration(app_, api_, id).await? {
            return Ok(waived);
        }
        let mut item = load_to_change(app_, account, id).await?;
        let inv = on_draft(app_, account, &item.value).await?;
        item.value.deleted = true;
        let mut writes = vec![Write::Update(item.next_record())];
        if let Some(mut inv) = inv {
            inv.value
                .lines
                .retain(|l| Some(&l.id) != item.value.line.as_ref());
            rediscount(app_, account, &mut inv.value).await?;
            writes.push(Write::Update(inv.next_record()));
        }
        app_.commit(account, writes).await?;
        Ok(item.value)
    })
    .await?;
    crate::http::ok(render::invoice_item(&item))
}

/// Deletes the pending proration `id` from its subscription, waiving it (`invoiceitem.deleted`);
/// `None` when `id` is no pending proration (a stored item, or none).
async fn waive_proration(app: &App, api: &Api, id: &str) -> Result<Option<InvoiceItem>, Failure> {
    let account = &api.caller.account;
    // (A billed proration given back by a deleted draft is stored, deleted, and pending.)
    if portico_store::get::<InvoiceItem>(&*app.store, account, id)
        .await?
        .is_some_and(|v| !v.value.deleted)
    {
        return Ok(None);
    }
    let Some((mut sub, mut item)) = proration_holder(app, account, id).await? else {
        return Ok(None);
    };
    let now =
        crate::objects::now_for(app, account, sub.value.test_clock.as_deref(), api.now).await?;
    sub.value
        .pending_lines
        .retain(|l| l.invoice_item.as_deref() != Some(id));
    item.deleted = true;
    // (The commit announces the proration's leaving as its deletion.)
    app.commit_at(account, vec![Write::Update(sub.next_record())], now)
        .await?;
    Ok(Some(item))
}

/// `GET /v1/invoiceitems`: newest first, by `customer`, `invoice`, `pending` and `created`.
pub async fn list_invoice_items(State(app): State<App>, mut api: Api) -> Reply {
    let (params, customer, invoice, pending, created) = api.read(|r| {
        r.unsupported(
            "customer_account",
            "accounts as customers are not implemented; send `customer`.",
        );
        (
            read_list_params(r, "invoiceitem"),
            r.string("customer", 5000),
            r.string("invoice", 5000),
            r.bool("pending"),
            read_created(r),
        )
    })?;
    let account = &api.caller.account;
    // Prorations are invoice items too: a customer's pending ones are kept with their
    // subscriptions; billed ones are stored as items (and, if billed before that was so, read
    // off their invoice's lines).
    let mut prorations = Vec::new();
    match (&customer, &invoice) {
        (_, Some(id)) if pending != Some(true) => {
            if let Some(inv) = portico_store::get::<Invoice>(&*app.store, account, id).await? {
                let inv = inv.value;
                if !inv.deleted && customer.as_ref().is_none_or(|c| *c == inv.customer) {
                    prorations.extend(
                        inv.lines
                            .iter()
                            .filter_map(|l| InvoiceItem::billed_proration(&inv, l)),
                    );
                }
                // Only those billed before billed prorations were stored: a stored one (or its
                // tombstone, when the invoice gave it back, or its record on the invoice that
                // billed it since) says what it is now.
                if !prorations.is_empty() {
                    let reads: Vec<Read> = prorations
                        .iter()
                        .map(|p| Read::Get(InvoiceItem::KIND, p.id.clone()))
                        .collect();
                    let mut found = app.store.read_many(account, &reads).await?.into_iter();
                    prorations.retain(|_| found.next().is_some_and(|p| p.records.is_empty()));
                }
            }
        }
        (_, None) if pending != Some(false) => {
            // The customer's subscriptions; unfiltered, those holding a pending proration (its
            // item's id is in their lookup, beside their prices' and items' ids; one that only
            // looks like it adds nothing below).
            let which = match &customer {
                Some(c) => Filter::Parent(c.clone()),
                None => Filter::LookupLike("* ii_*".into()),
            };
            // (Those of a subscription waiting on a pending update are on that update's
            // invoice already.)
            let subs = crate::billing::all_subscriptions(&app, account, which).await?;
            for sub in subs.iter().filter(|s| s.value.pending_update.is_none()) {
                let lines = &sub.value.pending_lines;
                prorations.extend(
                    prorations_as_made(&*app.store, account, &sub.value, lines, &[]).await?,
                );
            }
        }
        _ => {}
    }
    prorations.retain(|i| created.as_ref().is_none_or(|r| r.contains(i.created)));
    let mut filters = created_filters(created);
    if let Some(c) = customer {
        filters.push(Filter::Parent(c));
    }
    if let Some(i) = invoice {
        filters.push(Filter::Lookup(i));
    }
    if let Some(p) = pending {
        filters.push(Filter::Status(
            if p { "pending" } else { "invoiced" }.into(),
        ));
    }
    let url = "/v1/invoiceitems";
    if prorations.is_empty() {
        return list(&app, &api, "invoiceitem", url, filters, params).await;
    }
    // With prorations, the list is put together whole, newest first, and paged here.
    let q = ListQuery {
        kind: "invoiceitem",
        filters,
        cursor: Cursor::Start,
        limit: 100,
        include_deleted: false,
    };
    let stored = crate::billing::everything::<InvoiceItem>(&app, account, q).await?;
    let mut items: Vec<InvoiceItem> = stored.into_iter().map(|v| v.value).collect();
    // (Should a proration be both pending and stored, it is listed once, as stored.)
    prorations.retain(|p| !items.iter().any(|i| i.id == p.id));
    items.extend(prorations);
    // Newest first (stored items already are; a stable sort keeps their order).
    items.sort_by_key(|i| std::cmp::Reverse(i.created));
    let all = items.iter().map(render::invoice_item).collect();
    crate::objects::list_embedded(&app, &api, "invoiceitem", url, all, params).await
}

/// The pending invoice items an invoice takes, with the lines that bill them.
#[derive(Default)]
pub(crate) struct Pending {
    items: Vec<(Versioned<InvoiceItem>, Line)>,
}

/// Which pending items an invoice of a customer takes.
#[derive(Clone, Copy)]
pub(crate) enum Takes<'a> {
    /// A subscription's invoice: the items for that subscription or for none.
    Subscription(&'a str),
    /// A manual invoice for one subscription: that subscription's items only.
    OnlyOf(&'a str),
    /// A manual invoice for no subscription: all of them.
    All,
}

impl Pending {
    /// The customer's pending items in `currency` that an invoice `takes`, newest first, as
    /// Stripe lists them first on an invoice.
    pub(crate) async fn of(
        app: &App,
        account: &AccountId,
        customer: &str,
        currency: &str,
        takes: Takes<'_>,
        ctx: &mut Ctx<'_>,
    ) -> Result<Pending, Failure> {
        let q = ListQuery {
            kind: "invoiceitem",
            filters: vec![
                Filter::Parent(customer.to_owned()),
                Filter::Status("pending".into()),
                Filter::Field("currency", currency.to_owned()),
            ],
            cursor: Cursor::Start,
            limit: 100,
            include_deleted: false,
        };
        let pending = crate::billing::everything::<InvoiceItem>(app, account, q).await?;
        let items = pending
            .into_iter()
            .filter(|v| match takes {
                Takes::Subscription(s) => v.value.billable_with(Some(s)),
                Takes::OnlyOf(s) => v.value.subscription.as_deref() == Some(s),
                Takes::All => true,
            })
            .take(MAX_PER_INVOICE)
            .map(|v| {
                let line = v.value.to_line(ctx);
                (v, line)
            })
            .collect();
        Ok(Pending { items })
    }

    /// [`Pending::of`] for an invoice of `sub`: the items for it or for none (`only`: for it
    /// alone, as its final invoice takes).
    pub(crate) async fn for_invoice_of(
        app: &App,
        account: &AccountId,
        sub: &Subscription,
        only: bool,
        ctx: &mut Ctx<'_>,
    ) -> Result<Pending, Failure> {
        let takes = if only {
            Takes::OnlyOf(&sub.id)
        } else {
            Takes::Subscription(&sub.id)
        };
        Pending::of(app, account, &sub.customer, &sub.currency, takes, ctx).await
    }

    /// Leaves out those `inv` bills already (an invoice previewed before this one).
    pub(crate) fn leave_out(&mut self, inv: &Invoice) {
        self.items.retain(|(v, _)| {
            !inv.lines
                .iter()
                .any(|l| l.invoice_item.as_deref() == Some(v.value.id.as_str()))
        });
    }

    /// `lines` with the lines that bill the pending items first.
    pub(crate) fn before(&self, lines: Vec<Line>) -> Vec<Line> {
        self.items
            .iter()
            .map(|(_, l)| l.clone())
            .chain(lines)
            .collect()
    }

    /// The writes that put them on `inv` (a preview's callers drop them: it takes nothing).
    pub(crate) fn attach(self, inv: &Invoice) -> Vec<Write> {
        self.items
            .into_iter()
            .filter(|(_, l)| inv.lines.iter().any(|il| il.id == l.id))
            .map(|(mut v, l)| {
                v.value.attach(&inv.id, &l.id, true);
                Write::Update(v.next_record())
            })
            .collect()
    }
}

/// The writes for the invoice items on `inv`, a draft being deleted (those it took while pending
/// are pending again, those made for it go with it), and the ids of their lines, which are
/// theirs and not prorations to give back.
pub(crate) async fn release(
    app: &App,
    account: &AccountId,
    inv: &Invoice,
) -> Result<(Vec<Write>, Vec<String>), Failure> {
    let q = ListQuery {
        kind: "invoiceitem",
        filters: vec![
            Filter::Parent(inv.customer.clone()),
            Filter::Lookup(inv.id.clone()),
        ],
        cursor: Cursor::Start,
        limit: MAX_PER_INVOICE,
        include_deleted: false,
    };
    let mut writes = Vec::new();
    let mut lines = Vec::new();
    // (Billed prorations are stored as items too, but their lines are prorations to give back:
    // their stored items follow the invoice. With them, an invoice can hold more stored items
    // than fit on a page.)
    let items = crate::billing::everything::<InvoiceItem>(app, account, q).await?;
    for mut v in items.into_iter().filter(|v| !v.value.proration) {
        lines.extend(v.value.line.clone());
        v.value.draft_deleted();
        writes.push(Write::Update(v.next_record()));
    }
    Ok((writes, lines))
}

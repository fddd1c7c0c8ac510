//! `/v1/prices`: create (with `product` or `product_data`), retrieve, update, list. Prices
//! have no delete: archive them with `active=false`.

use crate::http::{Api, Failure, PathId, Reply};
use crate::objects::active_filter;
use crate::objects::{commit, created_filters, list, load, load_live, respond, with_retries};
use crate::state::App;
use axum::extract::State;
use portico_domain::price::{Interval, Price, PriceCreate, PriceUpdate, Recurring, TaxBehavior};
use portico_domain::product::{Product, ProductParams};
use portico_domain::tiers::{Tier, Tiering, TiersMode};
use portico_domain::{Ctx, Patch};
use portico_store::{Filter, StoreError, Versioned, Write};
use portico_wire::list::{read_created, read_list_params};
use portico_wire::{render, ApiError, Reader};

/// `unit_amount_decimal` (or `key`, another amount's decimal form) as a whole number of minor
/// units; fractions are not billed by Portico. A negative one is read as such, for what takes
/// credits (an invoice item); a price refuses it.
pub(crate) fn read_decimal_amount(r: &mut Reader<'_>, key: &'static str) -> Option<i64> {
    let raw = r.string(key, 5000)?;
    let (sign, digits) = match raw.strip_prefix('-') {
        Some(rest) => (-1, rest),
        None => (1, raw.as_str()),
    };
    let (whole, frac) = digits.split_once('.').unwrap_or((digits, ""));
    let parsed = if frac.bytes().all(|b| b == b'0')
        && !whole.is_empty()
        && whole.bytes().all(|b| b.is_ascii_digit())
    {
        whole.parse::<i64>().ok().map(|n| sign * n)
    } else {
        None
    };
    if parsed.is_none() {
        let p = r.path_of(key);
        r.error(ApiError::invalid(
            Some(p.clone()),
            None,
            format!("Invalid {p}: '{raw}'. Portico accepts only whole numbers of the currency's minor unit here."),
        ));
    }
    parsed
}

/// An amount sent as `key` (an integer) or `decimal` (its whole-number decimal form), one of
/// the two at most.
fn read_amount(r: &mut Reader<'_>, key: &'static str, decimal: &'static str) -> Option<i64> {
    let whole = r.int(key);
    let dec = read_decimal_amount(r, decimal);
    if whole.is_some() && dec.is_some() {
        r.error(ApiError::invalid(
            Some(r.path_of(key)),
            None,
            format!("You may only specify one of these parameters: {key}, {decimal}."),
        ));
    }
    whole.or(dec)
}

/// `recurring[interval]` and `recurring[interval_count]`.
fn read_interval(r: &mut Reader<'_>) -> Option<Recurring> {
    r.require("interval");
    let interval = r
        .enumeration("interval", Interval::VALUES)
        .and_then(Interval::parse);
    let interval_count = r.int("interval_count").unwrap_or(1);
    interval.map(|interval| Recurring {
        interval,
        interval_count,
    })
}

fn read_recurring(r: &mut Reader<'_>) -> Option<Recurring> {
    let recurring = read_interval(r);
    if r.enumeration("usage_type", &["licensed", "metered"]) == Some("metered") {
        let p = r.path_of("usage_type");
        r.error(ApiError::invalid(
            Some(p.clone()),
            None,
            format!(
                "Portico does not support `{p}=metered`: usage-based billing is not implemented."
            ),
        ));
    }
    r.unsupported("meter", "usage-based billing is not implemented.");
    recurring
}

/// The price fields shared by `POST /v1/prices` and `default_price_data` / `price_data`.
pub fn read_price_data(r: &mut Reader<'_>, _parent: &str) -> PriceCreate {
    r.require("currency");
    let currency = r.currency("currency");
    let unit_amount = read_amount(r, "unit_amount", "unit_amount_decimal");
    let recurring = r.object("recurring", read_recurring).flatten();
    let tax_behavior = r
        .enumeration("tax_behavior", TaxBehavior::VALUES)
        .and_then(TaxBehavior::parse);
    r.unsupported(
        "currency_options",
        "multi-currency prices are not implemented.",
    );
    r.unsupported(
        "custom_unit_amount",
        "customer-chosen amounts are not implemented.",
    );
    PriceCreate {
        currency,
        unit_amount,
        recurring,
        tax_behavior,
        metadata: r.metadata("metadata", false),
        ..Default::default()
    }
}

/// `billing_scheme`, `tiers` and `tiers_mode`: the tiers of a tiered price, `None` for one
/// billed per unit. `tiers` and `tiers_mode` go with `billing_scheme=tiered` and it with them.
fn read_tiering(r: &mut Reader<'_>) -> Option<Tiering> {
    let tiered = r.enumeration("billing_scheme", &["per_unit", "tiered"]) == Some("tiered");
    let mode = r
        .enumeration("tiers_mode", TiersMode::VALUES)
        .and_then(TiersMode::parse);
    let tiers = r.list("tiers", |t| {
        let up_to = match t.string("up_to", 20) {
            None => {
                t.error(ApiError::missing(&t.path_of("up_to")));
                None
            }
            Some(s) if s == "inf" => None,
            Some(s) => match s.parse::<i64>() {
                Ok(n) => Some(n),
                Err(_) => {
                    let p = t.path_of("up_to");
                    t.error(ApiError::invalid(
                        Some(p.clone()),
                        None,
                        format!("Invalid {p}: '{s}'. It must be a positive integer, or `inf` for the last tier."),
                    ));
                    None
                }
            },
        };
        Tier {
            up_to,
            unit_amount: read_amount(t, "unit_amount", "unit_amount_decimal"),
            flat_amount: read_amount(t, "flat_amount", "flat_amount_decimal"),
        }
    });
    if !tiered {
        if tiers.is_some() || mode.is_some() {
            let p = if tiers.is_some() {
                "tiers"
            } else {
                "tiers_mode"
            };
            r.error(ApiError::invalid(
                Some(p.into()),
                None,
                format!("`{p}` can only be used with `billing_scheme=tiered`."),
            ));
        }
        return None;
    }
    match (mode, tiers) {
        (Some(mode), Some(tiers)) => Some(Tiering { mode, tiers }),
        (None, _) => {
            r.error(ApiError::missing("tiers_mode"));
            None
        }
        (_, None) => {
            r.error(ApiError::missing("tiers"));
            None
        }
    }
}

/// A price named by an item: an existing one by id, or one made from `price_data`.
#[derive(Clone, Debug)]
pub enum PriceRef {
    Id(String),
    Inline(InlinePrice),
    /// A price made from `price_data` earlier (a schedule's phase), used as it was made.
    Made(Box<Price>),
}

/// `price_data` on a subscription item, a schedule phase's item or an added invoice item: the
/// price to make for it, for an existing product.
#[derive(Clone, Debug)]
pub struct InlinePrice {
    pub product: String,
    pub data: PriceCreate,
}

/// Reads an item's `price` or `price_data` (`recurring` says whether the inline price must
/// recur, as subscription items' do, or must not, as added invoice items' must not). Giving both
/// is refused; with `required`, so is giving neither.
pub(crate) fn read_price_ref(
    r: &mut Reader<'_>,
    required: bool,
    recurring: bool,
) -> Option<PriceRef> {
    let id = r.string("price", 5000);
    let inline = read_inline_price(r, recurring);
    match (id, inline) {
        (Some(_), Some(_)) => {
            r.error(ApiError::invalid(
                Some(r.path_of("price")),
                None,
                "You may only specify one of these parameters: price, price_data.",
            ));
            None
        }
        (Some(id), None) => Some(PriceRef::Id(id)),
        (None, Some(inline)) => inline.map(PriceRef::Inline),
        (None, None) => {
            if required {
                r.require("price");
            }
            None
        }
    }
}

/// `price_data` (`recurring`: with its `recurring` hash), when sent: the price to make, if
/// what was sent is valid.
pub(crate) fn read_inline_price(
    r: &mut Reader<'_>,
    recurring: bool,
) -> Option<Option<InlinePrice>> {
    r.object("price_data", |d| {
        d.require("currency");
        d.require("product");
        let currency = d.currency("currency");
        let product = d.string("product", 5000);
        let unit_amount = read_amount(d, "unit_amount", "unit_amount_decimal");
        if unit_amount.is_none() {
            d.error(ApiError::missing(&d.path_of("unit_amount")));
        }
        let recurs = if recurring {
            d.require("recurring");
            d.object("recurring", read_interval).flatten()
        } else {
            None
        };
        let tax_behavior = d
            .enumeration("tax_behavior", TaxBehavior::VALUES)
            .and_then(TaxBehavior::parse);
        product.map(|product| InlinePrice {
            product,
            data: PriceCreate {
                // Made for this one item, so kept out of the catalogue, as Stripe does.
                active: Some(false),
                currency,
                unit_amount,
                recurring: recurs,
                tax_behavior,
                ..Default::default()
            },
        })
    })
}

/// The price `r` names, with its product: loaded, or (for `price_data`) made, its insert added
/// to `writes` so that it is stored with the object that uses it. `item` is the item's
/// parameter path (`items[0]`), which errors name; `now` and `livemode` date the new price.
pub(crate) async fn resolve_price(
    app: &App,
    account: &portico_domain::AccountId,
    r: &PriceRef,
    item: &str,
    now: i64,
    livemode: bool,
    writes: &mut Vec<Write>,
) -> Result<(Price, Product), Failure> {
    match r {
        PriceRef::Id(id) => {
            let param = format!("{item}[price]");
            let price = load::<Price>(app, account, id, Some(&param)).await?.value;
            let product = load::<Product>(app, account, price.product.as_str(), Some(&param))
                .await?
                .value;
            Ok((price, product))
        }
        PriceRef::Made(price) => {
            let param = format!("{item}[price]");
            let product = load::<Product>(app, account, price.product.as_str(), Some(&param))
                .await?
                .value;
            Ok(((**price).clone(), product))
        }
        PriceRef::Inline(inline) => {
            let param = format!("{item}[price_data]");
            let product = load_live::<Product>(
                app,
                account,
                &inline.product,
                Some(&format!("{param}[product]")),
            )
            .await?
            .value;
            if !product.active {
                return Err(ApiError::invalid(
                    Some(format!("{param}[product]")),
                    None,
                    format!(
                        "The product `{}` is archived (inactive); prices cannot be made for it.",
                        product.id
                    ),
                )
                .into());
            }
            let mut ids = crate::ids::Ids;
            let mut ctx = Ctx {
                now,
                livemode,
                ids: &mut ids,
            };
            let mut price = Price::create(inline.data.clone(), &product, &mut ctx)
                .map_err(|e| e.nested_under(&param))?;
            price.inline = true;
            writes.push(Write::Insert(Versioned::new_record(&price)));
            Ok((price, product))
        }
    }
}

/// `POST /v1/prices`
pub async fn create_price(State(app): State<App>, mut api: Api) -> Reply {
    let (data, product_id, product_data, transfer, expand) = api.read(|r| {
        let decimal = r.has("unit_amount_decimal");
        let mut data = read_price_data(r, "");
        data.active = r.bool("active");
        data.lookup_key = r.string("lookup_key", 200);
        data.nickname = r.string("nickname", 5000);
        data.tiers = read_tiering(r);
        // A tiered price's amounts are in its tiers (the domain names `unit_amount`).
        if data.tiers.is_some() && decimal {
            r.error(ApiError::invalid(
                Some("unit_amount_decimal".into()),
                None,
                "A tiered price (`billing_scheme=tiered`) takes its amounts from its tiers: `unit_amount_decimal` cannot be used with it.",
            ));
        }
        r.unsupported(
            "transform_quantity",
            "quantity transforms are not implemented.",
        );
        let product = r.string("product", 5000);
        let product_data = r.object("product_data", |p| ProductParams {
            active: p.bool("active"),
            id: p.string("id", 5000),
            metadata: p.metadata("metadata", false),
            name: Some(p.required_string("name", 5000)),
            statement_descriptor: p.string("statement_descriptor", 22),
            tax_code: p
                .string("tax_code", 5000)
                .map(Patch::Set)
                .unwrap_or_default(),
            unit_label: p
                .string("unit_label", 12)
                .map(Patch::Set)
                .unwrap_or_default(),
            ..Default::default()
        });
        match (&product, &product_data) {
            (Some(_), Some(_)) => r.error(ApiError::invalid(
                Some("product".into()),
                None,
                "You may only specify one of these parameters: product, product_data.",
            )),
            (None, None) => r.error(ApiError::missing("product")),
            _ => {}
        }
        (
            data,
            product,
            product_data,
            r.bool("transfer_lookup_key").unwrap_or(false),
            r.expand("price", false),
        )
    })?;
    let account = api.caller.account.clone();
    let (app_, account_, api_) = (&app, &account, &api);
    let (product_id_, product_data_, data_) = (&product_id, &product_data, &data);
    let price = with_retries(|| async move {
        let mut ids = crate::ids::Ids;
        let mut ctx = Ctx {
            now: api_.now,
            livemode: api_.caller.livemode,
            ids: &mut ids,
        };
        let mut writes = Vec::new();
        let product = match (product_id_, product_data_) {
            (Some(id), _) => {
                let p = load_live::<Product>(app_, account_, id, Some("product")).await?;
                // Committed again unchanged: if the product is deleted meanwhile, one of the two
                // requests loses the race and is retried, so no price outlives its product.
                writes.push(Write::Update(p.next_record()));
                p.value
            }
            (None, Some(pd)) => {
                let p = Product::create(pd.clone(), &mut ctx)
                    .map_err(|e| e.nested_under("product_data"))?;
                writes.push(Write::Insert(Versioned::new_record(&p)));
                p
            }
            // Refused while reading the parameters; answered again here rather than trusted.
            (None, None) => return Err(ApiError::missing("product").into()),
        };
        let price = Price::create(data_.clone(), &product, &mut ctx)?;
        if let Some(key) = &price.lookup_key {
            if let Some(holder) = app_.store.get_by_unique_key(account_, "price", key).await? {
                if !transfer {
                    return Err(Price::lookup_key_taken(&portico_domain::PriceId(holder.id)).into());
                }
                let mut old = Versioned::<Price>::from_record(&holder)?;
                old.value.lookup_key = None;
                writes.insert(0, Write::Update(old.next_record()));
            }
        }
        writes.push(Write::Insert(Versioned::new_record(&price)));
        match app_.commit(account_, writes).await {
            Err(StoreError::Duplicate { what: "id" }) if product_data_.is_some() => {
                Err(ApiError::invalid(
                    Some("product_data[id]".into()),
                    Some(portico_domain::ErrorCode::ResourceAlreadyExists),
                    "Product already exists.",
                )
                .into())
            }
            // Lost races (another writer on the product, or the lookup key taken meanwhile)
            // are retried; the next attempt sees the new state.
            other => other.map(|()| price).map_err(Failure::from),
        }
    })
    .await?;
    respond(&app, &api, render::price(&price), &expand).await
}

/// `GET /v1/prices/{price}`
pub async fn retrieve_price(State(app): State<App>, PathId(id): PathId, mut api: Api) -> Reply {
    let expand = api.read(|r| r.expand("price", false))?;
    let price = load::<Price>(&app, &api.caller.account, &id, None).await?;
    respond(&app, &api, render::price(&price.value), &expand).await
}

/// `POST /v1/prices/{price}`: only `active`, `lookup_key`, `metadata`, `nickname` and
/// `tax_behavior` change; anything else is an unknown parameter, as in Stripe.
pub async fn update_price(State(app): State<App>, PathId(id): PathId, mut api: Api) -> Reply {
    let (update, transfer, expand) = api.read(|r| {
        let u = PriceUpdate {
            active: r.bool("active"),
            lookup_key: match r.string_or_clear("lookup_key", 200) {
                Patch::Keep => None,
                Patch::Clear => Some(None),
                Patch::Set(k) => Some(Some(k)),
            },
            metadata: r.metadata("metadata", true),
            nickname: match r.string_or_clear("nickname", 5000) {
                Patch::Keep => None,
                Patch::Clear => Some(None),
                Patch::Set(n) => Some(Some(n)),
            },
            tax_behavior: r
                .enumeration("tax_behavior", TaxBehavior::VALUES)
                .and_then(TaxBehavior::parse),
        };
        r.unsupported(
            "currency_options",
            "multi-currency prices are not implemented.",
        );
        (
            u,
            r.bool("transfer_lookup_key").unwrap_or(false),
            r.expand("price", false),
        )
    })?;
    let account = api.caller.account.clone();
    let (app_, account_, id_, update_) = (&app, &account, &id, &update);
    let price = with_retries(|| async move {
        let mut current = load::<Price>(app_, account_, id_, None).await?;
        let mut writes = Vec::new();
        if update_.active == Some(false) {
            let product =
                load::<Product>(app_, account_, current.value.product.as_str(), None).await?;
            current
                .value
                .check_update_against(update_, &product.value)?;
            // The check read the product: commit it again so a concurrent default-price change loses.
            writes.push(Write::Update(product.next_record()));
        }
        if let Some(Some(key)) = &update_.lookup_key {
            if let Some(holder) = app_.store.get_by_unique_key(account_, "price", key).await? {
                if holder.id != current.value.id.as_str() {
                    if !transfer {
                        return Err(
                            Price::lookup_key_taken(&portico_domain::PriceId(holder.id)).into()
                        );
                    }
                    let mut old = Versioned::<Price>::from_record(&holder)?;
                    old.value.lookup_key = None;
                    writes.push(Write::Update(old.next_record()));
                }
            }
        }
        current.value.update(update_.clone())?;
        writes.push(Write::Update(current.next_record()));
        commit(app_, account_, writes).await?;
        Ok::<_, Failure>(current.value)
    })
    .await?;
    respond(&app, &api, render::price(&price), &expand).await
}

/// `GET /v1/prices`
pub async fn list_prices(State(app): State<App>, mut api: Api) -> Reply {
    let (params, active, created, currency, keys, product, recurring, kind) = api.read(|r| {
        (
            read_list_params(r, "price"),
            r.bool("active"),
            read_created(r),
            r.string("currency", 5000),
            r.strings("lookup_keys", 5000),
            r.string("product", 5000),
            r.object("recurring", |o| {
                (
                    o.enumeration("interval", Interval::VALUES),
                    o.enumeration("usage_type", &["licensed", "metered"]),
                    o.string("meter", 5000),
                )
            }),
            r.enumeration("type", &["one_time", "recurring"]),
        )
    })?;
    let mut filters = created_filters(created);
    if let Some(a) = active {
        filters.push(active_filter(a));
    }
    if let Some(c) = currency {
        filters.push(Filter::Field("currency", c.to_lowercase()));
    }
    if let Some(keys) = keys {
        if keys.len() > 10 {
            return Err(ApiError::invalid(
                Some("lookup_keys".into()),
                None,
                "Invalid lookup_keys: you can specify up to 10 lookup keys.",
            )
            .into());
        }
        filters.push(Filter::LookupIn(keys));
    }
    if let Some(p) = product {
        filters.push(Filter::Parent(p));
    }
    if let Some((interval, usage, meter)) = recurring {
        if let Some(i) = interval {
            filters.push(Filter::Field("recurring.interval", i.into()));
        }
        // Portico's prices are all licensed and unmetered.
        if usage == Some("metered") || meter.is_some() {
            filters.push(Filter::IdIn(Vec::new()));
        }
        filters.push(Filter::Present("recurring", true));
    }
    match kind {
        Some("recurring") => filters.push(Filter::Present("recurring", true)),
        Some(_) => filters.push(Filter::Present("recurring", false)),
        None => {}
    }
    list(&app, &api, "price", "/v1/prices", filters, params).await
}

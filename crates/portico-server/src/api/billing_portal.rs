//! `/v1/billing_portal/configurations` (create, update, retrieve, list) and
//! `/v1/billing_portal/sessions` (create, with `flow_data` deep links).
//!
//! The shape of each request is checked as it is read; the rules that need other objects (the
//! subscription belongs to the customer, the flow's feature is on, the price is offered, the
//! coupon applies, …) are checked against the store before anything is written.

use crate::http::{Api, Failure, PathId, Reply};
use crate::objects::{active_filter, list, load, load_live, modify, no_such, respond};
use crate::state::App;
use axum::extract::State;
use portico_domain::coupon::Coupon;
use portico_domain::customer::Customer;
use portico_domain::portal::*;
use portico_domain::price::Price;
use portico_domain::promotion_code::{PromotionCode, Redemption};
use portico_domain::subscription::{Subscription, SubscriptionStatus};
use portico_domain::{AccountId, Ctx, DomainError, Patch};
use portico_store::{Filter, StoreError, TokenRecord, Versioned, Write};
use portico_wire::list::read_list_params;
use portico_wire::{render, ApiError, Reader};

const CONFIGURATION: &str = "billing_portal.configuration";

// ---------------------------------------------------------------------------------------------
// Reading configuration parameters

/// An array of enum values, or `""` to clear it.
fn enum_list(
    r: &mut Reader<'_>,
    key: &'static str,
    values: &'static [&'static str],
) -> Patch<Vec<String>> {
    let got = r.strings_or_clear(key, 5000);
    if let Patch::Set(v) = &got {
        for (i, s) in v.iter().enumerate() {
            if !values.contains(&s.as_str()) {
                let p = format!("{}[{i}]", r.path_of(key));
                r.error(ApiError::invalid(
                    Some(p.clone()),
                    None,
                    format!(
                        "Invalid {p}: must be one of {}",
                        portico_wire::reader::one_of(values)
                    ),
                ));
            }
        }
    }
    got
}

/// A string that create takes as a value and update also takes as `""` (to clear).
fn string_patch(
    r: &mut Reader<'_>,
    key: &'static str,
    max: usize,
    clearable: bool,
) -> Patch<String> {
    if clearable {
        r.string_or_clear(key, max)
    } else {
        r.string(key, max).map(Patch::Set).unwrap_or_default()
    }
}

/// `enabled`, required on create (and wherever `required` says).
fn enabled(r: &mut Reader<'_>, required: bool) -> Option<bool> {
    if required {
        r.require("enabled");
    }
    r.bool("enabled")
}

fn read_configuration(r: &mut Reader<'_>, creating: bool) -> ConfigurationParams {
    let updating = !creating;
    let mut p = ConfigurationParams {
        active: if updating { r.bool("active") } else { None },
        name: r.string_or_clear("name", 256),
        default_return_url: r.string_or_clear("default_return_url", 5000),
        metadata: r.metadata("metadata", updating),
        ..Default::default()
    };
    if let Some((headline, privacy, terms)) = r.object("business_profile", |b| {
        (
            b.string_or_clear("headline", 60),
            string_patch(b, "privacy_policy_url", 5000, updating),
            string_patch(b, "terms_of_service_url", 5000, updating),
        )
    }) {
        p.headline = headline;
        p.privacy_policy_url = privacy;
        p.terms_of_service_url = terms;
    }
    p.login_page = r.object("login_page", |l| enabled(l, true)).flatten();
    r.object("features", |f| {
        p.customer_update = f.object("customer_update", |c| CustomerUpdateParams {
            enabled: enabled(c, creating),
            allowed_updates: enum_list(c, "allowed_updates", CUSTOMER_FIELDS),
        });
        p.invoice_history = f.object("invoice_history", |i| enabled(i, true)).flatten();
        p.payment_method_update =
            f.object("payment_method_update", |m| PaymentMethodUpdateParams {
                enabled: enabled(m, true),
                payment_method_configuration: no_payment_method_configuration(m),
            });
        p.subscription_cancel = f.object("subscription_cancel", |c| {
            let mut out = SubscriptionCancelParams {
                enabled: enabled(c, creating),
                mode: c.enumeration("mode", CANCEL_MODES).map(str::to_owned),
                proration_behavior: c
                    .enumeration("proration_behavior", PRORATIONS)
                    .map(str::to_owned),
                ..Default::default()
            };
            c.object("cancellation_reason", |cr| {
                out.reasons_enabled = enabled(cr, true);
                if creating {
                    cr.require("options");
                }
                out.reasons = enum_list(cr, "options", CANCEL_REASONS);
            });
            out
        });
        p.subscription_update = f.object("subscription_update", |u| SubscriptionUpdateParams {
            enabled: enabled(u, creating),
            default_allowed_updates: enum_list(u, "default_allowed_updates", SUBSCRIPTION_UPDATES),
            products: u.list_or_clear("products", |pr| {
                pr.require("product");
                pr.require("prices");
                UpdateProductParams {
                    product: pr.string("product", 5000).unwrap_or_default(),
                    prices: pr.strings("prices", 5000).unwrap_or_default(),
                    adjustable_quantity: pr.object("adjustable_quantity", |q| {
                        (
                            enabled(q, true).unwrap_or(false),
                            q.int("minimum"),
                            q.int("maximum"),
                        )
                    }),
                }
            }),
            proration_behavior: u
                .enumeration("proration_behavior", PRORATIONS)
                .map(str::to_owned),
            schedule_conditions: u
                .object("schedule_at_period_end", |s| {
                    let condition = |c: &mut Reader<'_>| {
                        c.require("type");
                        c.enumeration("type", SCHEDULE_CONDITIONS)
                            .map(str::to_owned)
                    };
                    // Only an update may clear the conditions with "".
                    let read = if updating {
                        s.list_or_clear("conditions", condition)
                    } else {
                        s.list("conditions", condition)
                            .map(Patch::Set)
                            .unwrap_or_default()
                    };
                    match read {
                        Patch::Set(v) => Patch::Set(v.into_iter().flatten().collect()),
                        Patch::Clear => Patch::Clear,
                        Patch::Keep => Patch::Keep,
                    }
                })
                .unwrap_or_default(),
            trial_update_behavior: u
                .enumeration("trial_update_behavior", TRIAL_UPDATE_BEHAVIORS)
                .map(str::to_owned),
            billing_cycle_anchor: u
                .enumeration("billing_cycle_anchor", BILLING_CYCLE_ANCHORS)
                .map(str::to_owned),
        });
    });
    p
}

/// Products offered for plan changes must exist, and their prices must be active, recurring
/// prices of that product.
async fn check_offered_products(
    app: &App,
    account: &AccountId,
    p: &ConfigurationParams,
) -> Result<(), Failure> {
    let Some(Patch::Set(products)) = p.subscription_update.as_ref().map(|u| &u.products) else {
        return Ok(());
    };
    // Too many products is refused before any of them is looked up.
    check_product_count(products.len())?;
    for (i, entry) in products.iter().enumerate() {
        let base = format!("features[subscription_update][products][{i}]");
        load_live::<portico_domain::product::Product>(
            app,
            account,
            &entry.product,
            Some(&format!("{base}[product]")),
        )
        .await?;
        for (j, price_id) in entry.prices.iter().enumerate() {
            let param = format!("{base}[prices][{j}]");
            let price = load::<Price>(app, account, price_id, Some(&param))
                .await?
                .value;
            let why = if price.product.as_str() != entry.product {
                Some(format!(
                    "The price {price_id} belongs to product {}, not {}.",
                    price.product.as_str(),
                    entry.product
                ))
            } else if price.recurring.is_none() {
                Some(format!(
                    "The price {price_id} is not recurring; subscriptions can only switch to recurring prices."
                ))
            } else if !price.active {
                Some(format!("The price {price_id} is not active."))
            } else {
                None
            };
            if let Some(message) = why {
                return Err(ApiError::invalid(Some(param), None, message).into());
            }
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Configurations

/// `payment_method_update[payment_method_configuration]`: only clearing it (`""`). Portico has
/// no payment method configurations (its portal takes cards alone), so any id names none.
fn no_payment_method_configuration(m: &mut Reader<'_>) -> Patch<String> {
    let sent = m.string_or_clear("payment_method_configuration", 5000);
    if let Patch::Set(id) = &sent {
        let param = m.path_of("payment_method_configuration");
        m.error(ApiError::invalid(
            Some(param),
            Some(portico_domain::ErrorCode::ResourceMissing),
            format!(
                "No such payment method configuration: '{id}'. Portico has no payment method \
                 configurations: its portal takes cards."
            ),
        ));
    }
    sent
}

/// `POST /v1/billing_portal/configurations`
pub async fn create_configuration(State(app): State<App>, mut api: Api) -> Reply {
    let (params, expand) = api.read(|r| {
        r.require("features");
        (read_configuration(r, true), r.expand(CONFIGURATION, false))
    })?;
    let account = api.caller.account.clone();
    check_offered_products(&app, &account, &params).await?;
    let mut ids = crate::ids::Ids;
    let mut ctx = Ctx {
        now: api.now,
        livemode: api.caller.livemode,
        ids: &mut ids,
    };
    let config = PortalConfiguration::create(params, &mut ctx)?;
    let mut writes = vec![Write::Insert(Versioned::new_record(&config))];
    writes.extend(login_token_writes(
        &account,
        &config.id,
        None,
        config.login_token.as_deref(),
        api.now,
    ));
    app.commit(&account, writes).await?;
    let value = render::portal_configuration(&config, &app.settings.public_url);
    respond(&app, &api, value, &expand).await
}

/// `POST /v1/billing_portal/configurations/{configuration}`
pub async fn update_configuration(
    State(app): State<App>,
    PathId(id): PathId,
    mut api: Api,
) -> Reply {
    let (params, expand) =
        api.read(|r| (read_configuration(r, false), r.expand(CONFIGURATION, false)))?;
    let account = api.caller.account.clone();
    check_offered_products(&app, &account, &params).await?;
    let now = api.now;
    let livemode = api.caller.livemode;
    let config = modify::<PortalConfiguration, _>(&app, &account, &id, None, |c| {
        if params.active == Some(false) && c.is_default {
            return Err(ApiError::invalid(
                Some("active".into()),
                None,
                "The default configuration cannot be deactivated. Make another configuration the default first (portico portal set-default).",
            )
            .into());
        }
        let mut ids = crate::ids::Ids;
        let mut ctx = Ctx {
            now,
            livemode,
            ids: &mut ids,
        };
        let before = c.login_token.clone();
        c.apply(params.clone(), &mut ctx)?;
        Ok(login_token_writes(
            &account,
            &c.id,
            before.as_deref(),
            c.login_token.as_deref(),
            now,
        ))
    })
    .await?;
    let value = render::portal_configuration(&config, &app.settings.public_url);
    respond(&app, &api, value, &expand).await
}

/// `GET /v1/billing_portal/configurations/{configuration}`
pub async fn retrieve_configuration(
    State(app): State<App>,
    PathId(id): PathId,
    mut api: Api,
) -> Reply {
    let expand = api.read(|r| r.expand(CONFIGURATION, false))?;
    let config = load::<PortalConfiguration>(&app, &api.caller.account, &id, None).await?;
    let value = render::portal_configuration(&config.value, &app.settings.public_url);
    respond(&app, &api, value, &expand).await
}

/// `GET /v1/billing_portal/configurations` (`active`, `is_default`)
pub async fn list_configurations(State(app): State<App>, mut api: Api) -> Reply {
    let (params, active, is_default) = api.read(|r| {
        (
            read_list_params(r, CONFIGURATION),
            r.bool("active"),
            r.bool("is_default"),
        )
    })?;
    let mut filters = Vec::new();
    if let Some(a) = active {
        filters.push(active_filter(a));
    }
    if let Some(d) = is_default {
        filters.push(Filter::Field("is_default", d.to_string()));
    }
    list(
        &app,
        &api,
        CONFIGURATION,
        "/v1/billing_portal/configurations",
        filters,
        params,
    )
    .await
}

/// The account's default configuration, created on first use (see
/// [`PortalConfiguration::default_for_account`]).
pub async fn default_configuration(
    app: &App,
    account: &AccountId,
    livemode: bool,
    now: i64,
) -> Result<PortalConfiguration, Failure> {
    for _ in 0..3 {
        if let Some(c) = existing_default(app, account).await? {
            return Ok(c);
        }
        let mut ids = crate::ids::Ids;
        let mut ctx = Ctx {
            now,
            livemode,
            ids: &mut ids,
        };
        let config = PortalConfiguration::default_for_account(&mut ctx);
        match app
            .commit(account, vec![Write::Insert(Versioned::new_record(&config))])
            .await
        {
            Ok(()) => return Ok(config),
            // Another request created it first: read theirs.
            Err(StoreError::Duplicate { .. }) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(StoreError::Conflict.into())
}

/// The account's default configuration, if it has one yet.
pub(crate) async fn existing_default(
    app: &App,
    account: &AccountId,
) -> Result<Option<PortalConfiguration>, Failure> {
    match app
        .store
        .get_by_unique_key(account, CONFIGURATION, "default")
        .await?
    {
        Some(r) => Ok(Some(
            portico_store::decode::<PortalConfiguration>(&*app.store, account, &r)?.value,
        )),
        None => Ok(None),
    }
}

/// A session needs somewhere to send the customer back to: its own `return_url` or its
/// configuration's `default_return_url`. Stripe refuses a session that has neither.
fn no_return_url(config: Option<&str>) -> ApiError {
    let which = match config {
        Some(id) => format!("the configuration {id}"),
        None => "the account's default configuration".to_owned(),
    };
    ApiError::invalid(
        Some("return_url".into()),
        None,
        format!(
            "Send `return_url`: {which} has no `default_return_url`, and a portal session needs one or the other."
        ),
    )
}

/// Makes `id` the account's default configuration (it must be active); the previous default
/// stays as it is otherwise. Both changes commit together, with their events.
pub async fn set_default_configuration(
    app: &App,
    account: &AccountId,
    id: &str,
    now: i64,
) -> Result<PortalConfiguration, Failure> {
    let mut next = load::<PortalConfiguration>(app, account, id, None).await?;
    if !next.value.active {
        return Err(ApiError::invalid(
            None,
            None,
            format!(
                "The configuration {id} is not active; activate it before making it the default."
            ),
        )
        .into());
    }
    if next.value.is_default {
        return Ok(next.value);
    }
    let mut writes = Vec::new();
    if let Some(r) = app
        .store
        .get_by_unique_key(account, CONFIGURATION, "default")
        .await?
    {
        let mut old = Versioned::<PortalConfiguration>::from_record(&r)?;
        old.value.is_default = false;
        old.value.updated = now;
        writes.push(Write::Update(old.next_record()));
    }
    next.value.is_default = true;
    next.value.updated = now;
    writes.push(Write::Update(next.next_record()));
    app.commit(account, writes).await?;
    Ok(next.value)
}

// ---------------------------------------------------------------------------------------------
// Sessions

/// What a session request says, read and shape-checked.
struct SessionParams {
    customer: Option<String>,
    customer_account: Option<String>,
    configuration: Option<String>,
    flow: Option<Flow>,
    locale: Option<String>,
    on_behalf_of: Option<String>,
    return_url: Option<String>,
}

const FD: &str = "flow_data";

fn read_session(r: &mut Reader<'_>) -> SessionParams {
    SessionParams {
        customer: r.string("customer", 5000),
        customer_account: r.string("customer_account", 5000),
        configuration: r.string("configuration", 5000),
        locale: r.enumeration("locale", LOCALES).map(str::to_owned),
        on_behalf_of: r.string("on_behalf_of", 5000),
        return_url: r.string("return_url", 5000),
        flow: r.object(FD, read_flow).flatten(),
    }
}

/// `flow_data`: the type, its one matching object, and what happens after.
fn read_flow(f: &mut Reader<'_>) -> Option<Flow> {
    f.require("type");
    let kind = f.enumeration("type", FLOW_TYPES);
    let after = f.object("after_completion", |a| {
        a.require("type");
        let kind = a.enumeration("type", AFTER_COMPLETION_TYPES);
        let hosted = a.object("hosted_confirmation", |h| h.string("custom_message", 500));
        let redirect = a.object("redirect", |rd| {
            rd.require("return_url");
            let url = rd.string("return_url", 5000);
            if let Some(u) = &url {
                if let Err(e) = check_url(u, &rd.path_of("return_url")) {
                    rd.error(domain_error(e));
                }
            }
            url
        });
        let kind = kind?;
        for (sent, name) in [
            (hosted.is_some(), "hosted_confirmation"),
            (redirect.is_some(), "redirect"),
        ] {
            if sent && kind != name {
                let p = a.path_of(name);
                a.error(ApiError::invalid(
                    Some(p.clone()),
                    None,
                    format!("{p} can only be sent with {}={name}.", a.path_of("type")),
                ));
            }
        }
        let redirect_sent = redirect.is_some();
        let redirect_url = redirect.flatten();
        if kind == "redirect" && !redirect_sent {
            let p = format!("{}[return_url]", a.path_of("redirect"));
            a.error(ApiError::missing(&p));
        }
        Some(AfterCompletion {
            kind: kind.to_owned(),
            custom_message: hosted.flatten(),
            redirect_url,
        })
    });
    let cancel = f.object("subscription_cancel", |c| {
        c.require("subscription");
        let subscription = c.string("subscription", 5000).unwrap_or_default();
        let retention_coupon = c
            .object("retention", |rt| {
                rt.require("type");
                rt.require("coupon_offer");
                rt.enumeration("type", &["coupon_offer"]);
                rt.object("coupon_offer", |co| {
                    co.require("coupon");
                    co.string("coupon", 5000)
                })
                .flatten()
            })
            .flatten();
        CancelFlow {
            subscription,
            retention_coupon,
        }
    });
    let update = f.object("subscription_update", |u| {
        u.require("subscription");
        u.string("subscription", 5000).unwrap_or_default()
    });
    let confirm = f.object("subscription_update_confirm", |c| {
        c.require("subscription");
        c.require("items");
        let subscription = c.string("subscription", 5000).unwrap_or_default();
        let items_sent = c.has("items");
        let items = c
            .list("items", |i| {
                i.require("id");
                let quantity = i.int("quantity");
                let max = portico_domain::subscription::MAX_QUANTITY;
                if let Some(q) = quantity.filter(|q| !(1..=max).contains(q)) {
                    let p = i.path_of("quantity");
                    let why = if q < 1 {
                        "the quantity must be at least 1".to_owned()
                    } else {
                        format!("it cannot be more than {max}")
                    };
                    i.error(ApiError::invalid(
                        Some(p.clone()),
                        None,
                        format!("Invalid {p}: {why}."),
                    ));
                }
                ConfirmItem {
                    id: i.string("id", 5000).unwrap_or_default(),
                    price: i.string("price", 5000),
                    quantity,
                }
            })
            .unwrap_or_default();
        if items.len() != 1 && items_sent {
            let p = c.path_of("items");
            c.error(ApiError::invalid(
                Some(p.clone()),
                None,
                format!(
                    "Invalid {p}: exactly one item can be updated (got {}); subscriptions with several items cannot be updated in the portal.",
                    items.len()
                ),
            ));
        }
        let discounts = c.list("discounts", |d| {
            let coupon = d.string("coupon", 5000);
            let promotion_code = d.string("promotion_code", 5000);
            if coupon.is_some() == promotion_code.is_some() {
                let p = d.path_of("coupon");
                d.error(ApiError::invalid(
                    Some(p),
                    None,
                    "Each discount takes exactly one of coupon or promotion_code.",
                ));
            }
            ConfirmDiscount {
                coupon,
                promotion_code,
            }
        });
        ConfirmFlow {
            subscription,
            items,
            discounts,
        }
    });
    let kind = kind?;
    // The type names the one flow object that must come with it, and no other.
    let sent = [
        ("subscription_cancel", cancel.is_some()),
        ("subscription_update", update.is_some()),
        ("subscription_update_confirm", confirm.is_some()),
    ];
    for (name, is_sent) in sent {
        let p = f.path_of(name);
        if name == kind && !is_sent {
            f.error(ApiError::missing(&p));
        } else if name != kind && is_sent {
            f.error(ApiError::invalid(
                Some(p.clone()),
                None,
                format!("{p} can only be sent with {FD}[type]={name}."),
            ));
        }
    }
    Some(Flow {
        kind: kind.to_owned(),
        after_completion: after.flatten().unwrap_or_default(),
        subscription_cancel: cancel,
        subscription_update: update,
        subscription_update_confirm: confirm,
    })
}

fn domain_error(e: DomainError) -> ApiError {
    Failure::from(e).error
}

/// `POST /v1/billing_portal/sessions`. Its reads (customer, configuration, subscription, price,
/// the account's webhook endpoints) share one snapshot: on SQLite that is one read transaction
/// instead of up to five, each of which would fetch the indexes' top pages again after every
/// commit. The body is read by then, and the write ends the snapshot.
pub async fn create_session(State(app): State<App>, api: Api) -> Reply {
    // On the heap: the session's checks and writes make a future of several kilobytes, which
    // the router's layers would otherwise copy each time they move theirs.
    portico_store::reads_together(Box::pin(new_session(app, api))).await
}

async fn new_session(app: App, mut api: Api) -> Reply {
    let (p, expand) = api.read(|r| (read_session(r), r.expand("billing_portal.session", false)))?;
    let account = api.caller.account.clone();
    let customer = match (&p.customer, &p.customer_account) {
        (_, Some(_)) => {
            return Err(ApiError::invalid(
                Some("customer_account".into()),
                None,
                "Portico does not support `customer_account` (Accounts v2): create the session with `customer`.",
            )
            .into())
        }
        (None, None) => return Err(ApiError::missing("customer").into()),
        (Some(c), None) => load_live::<Customer>(&app, &account, c, Some("customer")).await?.value,
    };
    if let Some(u) = &p.return_url {
        check_url(u, "return_url")?;
    }
    if let Some(o) = &p.on_behalf_of {
        if !o.starts_with("acct_") {
            return Err(no_such("account", o, Some("on_behalf_of")).into());
        }
    }
    let config = match &p.configuration {
        Some(id) => {
            let c = load::<PortalConfiguration>(&app, &account, id, Some("configuration"))
                .await?
                .value;
            if !c.active {
                return Err(ApiError::invalid(
                    Some("configuration".into()),
                    None,
                    format!("The configuration {id} is not active and cannot be used to create portal sessions. Activate it (active=true) or use another configuration."),
                )
                .into());
            }
            c
        }
        None => {
            // A default made here would have no `default_return_url` either: refuse first.
            if p.return_url.is_none() && existing_default(&app, &account).await?.is_none() {
                return Err(no_return_url(None).into());
            }
            default_configuration(&app, &account, api.caller.livemode, api.now).await?
        }
    };
    let mut flow = p.flow;
    if let Some(f) = flow.as_mut() {
        // A session on behalf of another account shows only that account's subscriptions, and
        // Portico makes none on behalf of another account: a flow could not reach its own.
        if let (Some(o), Some(sub)) = (&p.on_behalf_of, f.subscription()) {
            return Err(refuse(
                format!("{FD}[{}][subscription]", f.kind),
                format!("The subscription {sub} is not made on behalf of {o}, so a session on behalf of {o} cannot open it."),
            ));
        }
        check_flow(&app, &account, &customer, &config, f, api.now).await?;
    }
    if p.return_url.is_none() && config.default_return_url.is_none() {
        return Err(no_return_url(Some(&config.id)).into());
    }
    let mut ids = crate::ids::Ids;
    let mut ctx = Ctx {
        now: api.now,
        livemode: api.caller.livemode,
        ids: &mut ids,
    };
    let session = PortalSession::create(
        customer.id.as_str().to_owned(),
        config.id.clone(),
        flow,
        p.locale,
        p.on_behalf_of,
        p.return_url.or_else(|| config.default_return_url.clone()),
        &mut ctx,
    );
    let token = session_token(&app, &account, &session, api.now);
    let value = render::portal_session(&session, &app.settings.public_url);
    let writes = vec![Write::Insert(Versioned::new_record(&session)), token];
    if !expand.is_empty() {
        app.commit_rendered(&account, writes, value.clone()).await?;
        return respond(&app, &api, value, &expand).await;
    }
    // Without expansions the answer is the rendering as it is: written out first, the
    // rendering itself goes to the event rather than a copy of it.
    let body = crate::http::json_text(&value);
    app.commit_rendered(&account, writes, value).await?;
    Ok(crate::http::json_bytes_response(200, body))
}

/// The lookup of a new session's link (its secret's hash); the session itself decides how long
/// the link lasts.
pub fn session_token(app: &App, account: &AccountId, session: &PortalSession, now: i64) -> Write {
    Write::Token(TokenRecord {
        token_hash: crate::pages::portal::link_key(&session.token),
        account: account.clone(),
        kind: "portal_session".into(),
        object_id: session.id.clone(),
        created: now,
        expires_at: now + app.settings.portal.link_ttl_secs,
    })
}

/// The lookup of a configuration's login page (its secret's hash), while the page is enabled:
/// the writes that follow the secret from `before` to `after`.
fn login_token_writes(
    account: &AccountId,
    config: &str,
    before: Option<&str>,
    after: Option<&str>,
    now: i64,
) -> Vec<Write> {
    if before == after {
        return Vec::new();
    }
    let mut writes = Vec::new();
    if let Some(old) = before {
        writes.push(Write::DeleteToken(crate::api::setup_intent::token_hash(
            old,
        )));
    }
    if let Some(new) = after {
        writes.push(Write::Token(TokenRecord {
            token_hash: crate::api::setup_intent::token_hash(new),
            account: account.clone(),
            kind: "portal_login".into(),
            object_id: config.to_owned(),
            created: now,
            // It lasts while the login page is enabled; disabling it deletes the lookup.
            expires_at: i64::MAX / 2,
        }));
    }
    writes
}

/// A refusal of the flow, naming `param`.
fn refuse(param: impl Into<String>, message: impl Into<String>) -> Failure {
    ApiError::invalid(Some(param.into()), None, message).into()
}

/// The cross-object rules of a flow: its subscription is the customer's and in a state the
/// flow can act on, its feature is enabled, and what it offers or changes is allowed.
async fn check_flow(
    app: &App,
    account: &AccountId,
    customer: &Customer,
    config: &PortalConfiguration,
    flow: &mut Flow,
    now: i64,
) -> Result<(), Failure> {
    let f = &config.features;
    let (enabled, feature) = match flow.kind.as_str() {
        "payment_method_update" => (f.payment_method_update.enabled, "payment_method_update"),
        "subscription_cancel" => (f.subscription_cancel.enabled, "subscription_cancel"),
        _ => (f.subscription_update.enabled, "subscription_update"),
    };
    if !enabled {
        return Err(refuse(
            "flow_data[type]",
            format!(
                "The {} flow needs features[{feature}][enabled]=true in the configuration {}.",
                flow.kind, config.id
            ),
        ));
    }
    let Some(sub_id) = flow.subscription().map(str::to_owned) else {
        return Ok(());
    };
    let sub_param = format!("{FD}[{}][subscription]", flow.kind);
    let sub = load::<Subscription>(app, account, &sub_id, Some(&sub_param))
        .await?
        .value;
    if sub.customer != customer.id.as_str() {
        return Err(refuse(
            sub_param,
            format!(
                "The subscription {sub_id} does not belong to the customer {}.",
                customer.id.as_str()
            ),
        ));
    }
    if sub.status.is_ended() {
        return Err(refuse(
            sub_param,
            format!(
                "The subscription {sub_id} has ended ({}).",
                sub.status.as_str()
            ),
        ));
    }
    if let Some(cancel) = &flow.subscription_cancel {
        if sub.status == SubscriptionStatus::Paused {
            return Err(refuse(
                sub_param,
                format!("The subscription {sub_id} is paused and cannot be canceled in the portal; resume or cancel it with the API."),
            ));
        }
        if sub.cancel_at_period_end || sub.cancel_at.is_some() {
            return Err(refuse(
                sub_param,
                format!("The subscription {sub_id} is already scheduled to cancel."),
            ));
        }
        if let Some(coupon_id) = &cancel.retention_coupon {
            let param = format!("{FD}[subscription_cancel][retention][coupon_offer][coupon]");
            let coupon = load_live::<Coupon>(app, account, coupon_id, Some(&param)).await?;
            let currency = portico_domain::Currency::parse(&sub.currency);
            coupon
                .value
                .check_applicable(now, currency.as_ref(), &param)?;
        }
        return Ok(());
    }
    // Updates: only live subscriptions with one item, nothing else pending.
    if let Some(block) = update_block(&sub) {
        let message = match block {
            UpdateBlock::Ended | UpdateBlock::NotActive => format!(
                "The subscription {sub_id} is {} and cannot be updated in the portal until it is active.",
                sub.status.as_str()
            ),
            UpdateBlock::Items(n) => format!("The subscription {sub_id} has {n} items; only subscriptions with one item can be updated in the portal."),
            UpdateBlock::Scheduled => format!("The subscription {sub_id} has a schedule or a pending update; it cannot be updated in the portal until that is resolved."),
            UpdateBlock::Canceling => format!("The subscription {sub_id} is set to cancel; it must be renewed before it can be updated in the portal."),
            UpdateBlock::CollectionPaused => format!("The subscription {sub_id} has its payment collection paused (pause_collection); it cannot be updated in the portal until collection resumes."),
        };
        return Err(refuse(sub_param, message));
    }
    let Some(confirm) = flow.subscription_update_confirm.as_mut() else {
        // The update flow needs something the customer may change.
        if !config.offers_updates() {
            return Err(refuse(
                "flow_data[type]",
                format!("The configuration {} offers nothing to update: set features[subscription_update][default_allowed_updates] (with products for price changes).", config.id),
            ));
        }
        return Ok(());
    };
    let base = format!("{FD}[subscription_update_confirm]");
    let current = &sub.items[0];
    let item = &confirm.items[0];
    if item.id != current.id {
        return Err(refuse(
            format!("{base}[items][0][id]"),
            format!(
                "The subscription item {} is not an item of the subscription {sub_id}.",
                item.id
            ),
        ));
    }
    let price_param = format!("{base}[items][0][price]");
    let target: Price = match &item.price {
        Some(id) => {
            load::<Price>(app, account, id, Some(&price_param))
                .await?
                .value
        }
        None => current.price.clone(),
    };
    let entry = config.update_product_for_price(target.id.as_str());
    // What the change is must be among the updates the configuration allows.
    let allows = |what: &str| config.features.subscription_update.allows(what);
    let quantity = item.quantity.unwrap_or(current.quantity);
    let q_param = format!("{base}[items][0][quantity]");
    let changes = [
        (target.id != current.price.id, "price", &price_param),
        (quantity != current.quantity, "quantity", &q_param),
    ];
    for (changed, what, param) in changes {
        if changed && !allows(what) {
            return Err(refuse(
                param.clone(),
                format!("The configuration {} does not let customers change the {what} of a subscription: add {what} to features[subscription_update][default_allowed_updates].", config.id),
            ));
        }
    }
    if item.price.is_some() {
        let why = if entry.is_none() {
            Some(format!(
                "The price {} is not among the prices the configuration {} offers in features[subscription_update][products].",
                target.id.as_str(),
                config.id
            ))
        } else if target.recurring.is_none() || !target.active {
            Some(format!(
                "The price {} is not an active recurring price.",
                target.id.as_str()
            ))
        } else if target.currency.code() != sub.currency {
            Some(format!(
                "The price {} is in {}, but the subscription is billed in {}.",
                target.id.as_str(),
                target.currency.code(),
                sub.currency
            ))
        } else {
            None
        };
        if let Some(message) = why {
            return Err(refuse(price_param, message));
        }
    }
    if quantity != current.quantity {
        let bounds = entry.filter(|e| e.adjustable_quantity);
        match bounds {
            None => {
                return Err(refuse(
                    q_param,
                    "The configuration does not let customers change the quantity of this product (features[subscription_update][products][][adjustable_quantity]).",
                ))
            }
            Some(e) if quantity < e.minimum || e.maximum.is_some_and(|m| quantity > m) => {
                return Err(refuse(
                    q_param,
                    format!(
                        "The quantity must be between {} and {}.",
                        e.minimum,
                        e.maximum.map(|m| m.to_string()).unwrap_or("any".into())
                    ),
                ))
            }
            Some(_) => {}
        }
    }
    if let Some(discounts) = &confirm.discounts {
        let currency = target.currency.clone();
        let amount = target.amount_for(quantity);
        // The coupons given so far, directly or through a promotion code: one can apply once.
        let mut seen: Vec<String> = Vec::new();
        let mut once = |coupon: &str, param: &str| -> Result<(), Failure> {
            if seen.iter().any(|c| c == coupon) {
                return Err(ApiError::invalid(
                    Some(param.to_owned()),
                    None,
                    "The same coupon cannot be applied twice.",
                )
                .into());
            }
            seen.push(coupon.to_owned());
            Ok(())
        };
        for (i, d) in discounts.iter().enumerate() {
            if let Some(c) = &d.coupon {
                let param = format!("{base}[discounts][{i}][coupon]");
                let coupon = load_live::<Coupon>(app, account, c, Some(&param)).await?;
                coupon
                    .value
                    .check_applicable(now, Some(&currency), &param)?;
                once(coupon.value.id.as_str(), &param)?;
            }
            if let Some(code) = &d.promotion_code {
                let param = format!("{base}[discounts][{i}][promotion_code]");
                let promo = load::<PromotionCode>(app, account, code, Some(&param)).await?;
                let coupon =
                    load_live::<Coupon>(app, account, &promo.value.coupon, Some(&param)).await?;
                let redemption = Redemption {
                    customer: customer.id.as_str(),
                    customer_has_paid_before: crate::api::subscription::has_paid_before(
                        app,
                        account,
                        customer.id.as_str(),
                    )
                    .await?,
                    amount,
                    currency: &currency,
                };
                promo
                    .value
                    .check_redeemable(&coupon.value, &redemption, now, &param)?;
                once(coupon.value.id.as_str(), &param)?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The size of the future an async fn of two arguments returns.
    fn future_size<A, B, F>(_: impl FnOnce(A, B) -> F) -> usize {
        std::mem::size_of::<F>()
    }

    /// Session creation's future is moved through the router's layers; its work (about 5 KB
    /// of state across its reads and its commit) stays on the heap, out of those copies.
    #[test]
    fn creating_a_session_moves_a_small_future() {
        assert!(
            future_size(create_session) <= 1024,
            "{}",
            future_size(create_session)
        );
    }
}

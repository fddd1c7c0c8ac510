//! `/v1/payment_methods` (cards): create, retrieve, update, list, attach, detach; and
//! `GET /v1/customers/{customer}/payment_methods`.

use crate::api::customer::read_address;
use crate::http::{Api, Failure, PathId, Reply};
use crate::objects::modify;
use crate::objects::{commit, list, load, load_live, respond, with_retries};
use crate::payments::{is_test_token, new_card_payment_method, read_card, resolve_payment_method};
use crate::state::App;
use axum::extract::State;
use portico_domain::calendar::year_month;
use portico_domain::customer::Customer;
use portico_domain::payment_method::{
    AttachError, BillingDetails, PaymentMethod, PaymentMethodCreate, PaymentMethodUpdate,
};
use portico_domain::AccountId;
use portico_store::{Filter, Versioned, Write};
use portico_wire::list::read_list_params;
use portico_wire::{render, ApiError, Reader};

const REDISPLAY: &[&str] = &["always", "limited", "unspecified"];

fn read_billing_details(r: &mut Reader<'_>) -> PaymentMethodUpdate {
    PaymentMethodUpdate {
        address: r.object_or_clear("address", read_address),
        email: r.string_or_clear("email", 5000),
        name: r.string_or_clear("name", 5000),
        phone: r.string_or_clear("phone", 5000),
        tax_id: r.string("tax_id", 5000),
        ..Default::default()
    }
}

/// `POST /v1/payment_methods`
pub async fn create_payment_method(State(app): State<App>, mut api: Api) -> Reply {
    let (card, billing, metadata, redisplay, expand) = api.read(|r| {
        // Only cards are simulated; any other type is refused naming the accepted one.
        if r.require("type") {
            r.enumeration("type", &["card"]);
        }
        let card = if r.require("card") {
            r.object("card", read_card)
        } else {
            None
        };
        r.unsupported(
            "payment_method",
            "cloning payment methods across accounts is not implemented.",
        );
        let billing = r
            .object("billing_details", read_billing_details)
            .unwrap_or_default();
        (
            card,
            billing,
            r.metadata("metadata", false),
            r.enumeration("allow_redisplay", REDISPLAY),
            r.expand("payment_method", false),
        )
    })?;
    let card = card.unwrap_or_default();
    let p = PaymentMethodCreate {
        billing_details: BillingDetails {
            address: billing.address.into_option(),
            email: billing.email.into_option(),
            name: billing.name.into_option(),
            phone: billing.phone.into_option(),
            tax_id: billing.tax_id,
        },
        allow_redisplay: redisplay.map(str::to_owned),
        metadata,
    };
    let pm = new_card_payment_method(&app, &api, &card, p).await?;
    commit(
        &app,
        &api.caller.account,
        vec![Write::Insert(Versioned::new_record(&pm))],
    )
    .await?;
    respond(&app, &api, render::payment_method(&pm), &expand).await
}

/// `GET /v1/payment_methods/{payment_method}`; a `pm_card_…` test token mints a fresh one.
pub async fn retrieve_payment_method(
    State(app): State<App>,
    PathId(id): PathId,
    mut api: Api,
) -> Reply {
    let expand = api.read(|r| r.expand("payment_method", false))?;
    let pm = if is_test_token(&id) {
        resolve_payment_method(&app, &api, &id, "payment_method").await?
    } else {
        load::<PaymentMethod>(&app, &api.caller.account, &id, None).await?
    };
    respond(&app, &api, render::payment_method(&pm.value), &expand).await
}

/// `GET /v1/customers/{customer}/payment_methods/{payment_method}`: one of the customer's
/// payment methods; another's, or one attached to nobody, is "No such PaymentMethod".
pub async fn retrieve_customer_payment_method(
    State(app): State<App>,
    axum::extract::Path((customer, id)): axum::extract::Path<(String, String)>,
    mut api: Api,
) -> Reply {
    let expand = api.read(|r| r.expand("payment_method", false))?;
    load_live::<Customer>(&app, &api.caller.account, &customer, None).await?;
    let pm = load::<PaymentMethod>(&app, &api.caller.account, &id, None).await?;
    if pm.value.customer.as_deref() != Some(customer.as_str()) {
        return Err(crate::objects::no_such("payment_method", &id, None).into());
    }
    respond(&app, &api, render::payment_method(&pm.value), &expand).await
}

/// `POST /v1/payment_methods/{payment_method}`
pub async fn update_payment_method(
    State(app): State<App>,
    PathId(id): PathId,
    mut api: Api,
) -> Reply {
    let (update, expand) = api.read(|r| {
        let mut u = r
            .object("billing_details", read_billing_details)
            .unwrap_or_default();
        if let Some((m, y)) = r.object("card", |c| {
            c.object("networks", |n| {
                n.enumeration_or_clear("preferred", &["cartes_bancaires", "mastercard", "visa"])
            });
            (c.int("exp_month"), c.int("exp_year"))
        }) {
            u.exp_month = m;
            u.exp_year = y;
        }
        u.metadata = r.metadata("metadata", true);
        u.allow_redisplay = r
            .enumeration("allow_redisplay", REDISPLAY)
            .map(str::to_owned);
        (u, r.expand("payment_method", false))
    })?;
    let account = api.caller.account.clone();
    let today = year_month(api.now);
    let pm = modify::<PaymentMethod, _>(&app, &account, &id, None, |pm| {
        pm.update(update.clone(), today)?;
        Ok(Vec::new())
    })
    .await?;
    respond(&app, &api, render::payment_method(&pm), &expand).await
}

/// Attaches `pm` to `customer`, as the writes to commit. Declines become 402 card errors.
pub fn attach_writes(pm: &mut Versioned<PaymentMethod>, customer: &str) -> Result<Write, Failure> {
    match pm.value.attach(customer) {
        Ok(()) => Ok(Write::Update(pm.next_record())),
        Err(AttachError::Declined(d)) => Err(ApiError::card(&d, None).into()),
        Err(AttachError::Invalid(e)) => Err(e.into()),
    }
}

/// `POST /v1/payment_methods/{payment_method}/attach`
pub async fn attach_payment_method(
    State(app): State<App>,
    PathId(id): PathId,
    mut api: Api,
) -> Reply {
    let (customer, expand) = api.read(|r| {
        (
            r.required_string("customer", 5000),
            r.expand("payment_method", false),
        )
    })?;
    let account = api.caller.account.clone();
    load_live::<Customer>(&app, &account, &customer, Some("customer")).await?;
    let mut pm = resolve_payment_method(&app, &api, &id, "payment_method").await?;
    if pm.value.belongs_to(&customer) {
        return respond(&app, &api, render::payment_method(&pm.value), &expand).await;
    }
    let write = attach_writes(&mut pm, &customer)?;
    commit(&app, &account, vec![write]).await?;
    respond(&app, &api, render::payment_method(&pm.value), &expand).await
}

/// `POST /v1/payment_methods/{payment_method}/detach`: also clears it as the customer's default.
pub async fn detach_payment_method(
    State(app): State<App>,
    PathId(id): PathId,
    mut api: Api,
) -> Reply {
    let expand = api.read(|r| r.expand("payment_method", false))?;
    let account = api.caller.account.clone();
    let pm = detach(&app, &account, &id).await?;
    respond(&app, &api, render::payment_method(&pm), &expand).await
}

/// Detaches payment method `id` from its customer, clearing it as the customer's default and
/// as the default of the customer's subscriptions that have not ended (which then charge the
/// customer's default, if they have one): a detached card is never charged again.
pub async fn detach(app: &App, account: &AccountId, id: &str) -> Result<PaymentMethod, Failure> {
    with_retries(|| async move {
        let mut current = load::<PaymentMethod>(app, account, id, None).await?;
        let customer = current.value.detach()?;
        let mut writes = vec![Write::Update(current.next_record())];
        if let Some(mut c) = portico_store::get::<Customer>(&*app.store, account, &customer).await?
        {
            if c.value.invoice_settings.default_payment_method.as_deref() == Some(id) {
                c.value.invoice_settings.default_payment_method = None;
                writes.push(Write::Update(c.next_record()));
            }
        }
        let subs =
            crate::billing::live_subscriptions(app, account, Filter::Parent(customer.clone()))
                .await?;
        for mut s in subs {
            if s.value.default_payment_method.as_deref() == Some(id) {
                s.value.default_payment_method = None;
                writes.push(Write::Update(s.next_record()));
            }
        }
        commit(app, account, writes).await?;
        Ok::<_, Failure>(current.value)
    })
    .await
}

fn read_type_filter(r: &mut Reader<'_>) -> Option<&'static str> {
    // Every type Stripe lists is accepted as a filter; only cards exist here.
    r.string("type", 5000)
        .map(|t| if t == "card" { "card" } else { "other" })
}

/// `GET /v1/payment_methods`
pub async fn list_payment_methods(State(app): State<App>, mut api: Api) -> Reply {
    let (params, customer, kind, redisplay) = api.read(|r| {
        (
            read_list_params(r, "payment_method"),
            r.string("customer", 5000),
            read_type_filter(r),
            r.enumeration("allow_redisplay", REDISPLAY),
        )
    })?;
    let mut filters = Vec::new();
    if let Some(c) = customer {
        filters.push(Filter::Parent(c));
    }
    if kind == Some("other") {
        filters.push(Filter::IdIn(Vec::new()));
    }
    if let Some(a) = redisplay {
        filters.push(Filter::Field("allow_redisplay", a.to_owned()));
    }
    list(
        &app,
        &api,
        "payment_method",
        "/v1/payment_methods",
        filters,
        params,
    )
    .await
}

/// `GET /v1/customers/{customer}/payment_methods`
pub async fn list_customer_payment_methods(
    State(app): State<App>,
    PathId(customer): PathId,
    mut api: Api,
) -> Reply {
    let (params, kind, redisplay) = api.read(|r| {
        (
            read_list_params(r, "payment_method"),
            read_type_filter(r),
            r.enumeration("allow_redisplay", REDISPLAY),
        )
    })?;
    load_live::<Customer>(&app, &api.caller.account, &customer, None).await?;
    let mut filters = vec![Filter::Parent(customer.clone())];
    if kind == Some("other") {
        filters.push(Filter::IdIn(Vec::new()));
    }
    if let Some(a) = redisplay {
        filters.push(Filter::Field("allow_redisplay", a.to_owned()));
    }
    let url = format!("/v1/customers/{customer}/payment_methods");
    list(&app, &api, "payment_method", &url, filters, params).await
}

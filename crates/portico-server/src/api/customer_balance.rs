//! `/v1/customers/{customer}/balance_transactions`: a customer's balance ledger. Create adjusts
//! the balance (`type=adjustment`); retrieve, update (`description`, `metadata`) and list read
//! the entries, those Portico records by itself as invoices take or give back the balance
//! included (see [`crate::ledger`]).

use crate::http::{Api, Failure, Reply};
use crate::objects::{created_filters, list, load, load_live, no_such, respond, with_retries};
use crate::state::App;
use axum::extract::{Path, State};
use portico_domain::balance_transaction::{BalanceAdjustment, BalanceTransaction};
use portico_domain::customer::Customer;
use portico_domain::Ctx;
use portico_store::{Filter, Object, Versioned, Write};
use portico_wire::list::{read_created, read_list_params};
use portico_wire::render;

const KIND: &str = BalanceTransaction::KIND;

/// `POST /v1/customers/{customer}/balance_transactions`: credits (a negative `amount`) or
/// debits the customer's balance, which their next invoices take.
pub async fn create_balance_transaction(
    State(app): State<App>,
    Path(customer): Path<String>,
    mut api: Api,
) -> Reply {
    let (p, expand) = api.read(|r| {
        r.require("amount");
        r.require("currency");
        let p = BalanceAdjustment {
            amount: r.int("amount").unwrap_or(0),
            currency: r
                .currency("currency")
                .map(|c| c.code().to_owned())
                .unwrap_or_default(),
            description: r.string("description", 350),
            metadata: r.metadata("metadata", true),
        };
        (p, r.expand(KIND, false))
    })?;
    let (app_, api_, p_, customer_) = (&app, &api, &p, &customer);
    let t = with_retries(|| async move {
        let account = &api_.caller.account;
        let mut customer = load_live::<Customer>(app_, account, customer_, None).await?;
        let clock = customer.value.test_clock.clone();
        let now = crate::objects::now_for(app_, account, clock.as_deref(), api_.now).await?;
        let mut ids = crate::ids::Ids;
        let mut ctx = Ctx {
            now,
            livemode: api_.caller.livemode,
            ids: &mut ids,
        };
        let t = BalanceTransaction::adjust(&mut customer.value, p_.clone(), &mut ctx)?;
        let writes = vec![
            Write::Update(customer.next_record()),
            Write::Insert(Versioned::new_record(&t)),
        ];
        app_.commit_at(account, writes, now).await?;
        Ok(t)
    })
    .await?;
    respond(&app, &api, render::balance_transaction(&t), &expand).await
}

/// Entry `id` of `customer`'s ledger (404 for another customer's).
async fn entry_of(
    app: &App,
    api: &Api,
    customer: &str,
    id: &str,
) -> Result<Versioned<BalanceTransaction>, Failure> {
    let account = &api.caller.account;
    load_live::<Customer>(app, account, customer, None).await?;
    let t = load::<BalanceTransaction>(app, account, id, None).await?;
    if t.value.customer != customer {
        return Err(no_such(KIND, id, None).into());
    }
    Ok(t)
}

/// `GET /v1/customers/{customer}/balance_transactions/{transaction}`
pub async fn retrieve_balance_transaction(
    State(app): State<App>,
    Path((customer, id)): Path<(String, String)>,
    mut api: Api,
) -> Reply {
    let expand = api.read(|r| r.expand(KIND, false))?;
    let t = entry_of(&app, &api, &customer, &id).await?;
    respond(&app, &api, render::balance_transaction(&t.value), &expand).await
}

/// `POST /v1/customers/{customer}/balance_transactions/{transaction}`: its `description` and
/// `metadata`; what it did to the balance stays.
pub async fn update_balance_transaction(
    State(app): State<App>,
    Path((customer, id)): Path<(String, String)>,
    mut api: Api,
) -> Reply {
    let (description, metadata, expand) = api.read(|r| {
        (
            r.string_or_clear("description", 350),
            r.metadata("metadata", true),
            r.expand(KIND, false),
        )
    })?;
    let (app_, api_) = (&app, &api);
    let (customer_, id_, description_, metadata_) = (&customer, &id, &description, &metadata);
    let t = with_retries(|| async move {
        let mut t = entry_of(app_, api_, customer_, id_).await?;
        metadata_.apply("metadata", &mut t.value.metadata)?;
        description_.clone().apply_to(&mut t.value.description);
        app_.commit(&api_.caller.account, vec![Write::Update(t.next_record())])
            .await?;
        Ok(t.value)
    })
    .await?;
    respond(&app, &api, render::balance_transaction(&t), &expand).await
}

/// `GET /v1/customers/{customer}/balance_transactions`: newest first, by `created` and
/// `invoice`.
pub async fn list_balance_transactions(
    State(app): State<App>,
    Path(customer): Path<String>,
    mut api: Api,
) -> Reply {
    let (params, created, invoice) = api.read(|r| {
        (
            read_list_params(r, KIND),
            read_created(r),
            r.string("invoice", 5000),
        )
    })?;
    load_live::<Customer>(&app, &api.caller.account, &customer, None).await?;
    let mut filters = created_filters(created);
    if let Some(i) = invoice {
        filters.push(Filter::Field("invoice", i));
    }
    filters.push(Filter::Parent(customer.clone()));
    let url = format!("/v1/customers/{customer}/balance_transactions");
    list(&app, &api, KIND, &url, filters, params).await
}

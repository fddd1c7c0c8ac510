//! `/v1/customers`: create, retrieve, update, delete, list.

use crate::api::payment_method::attach_writes;
use crate::http::{Api, Failure, PathId, Reply};
use crate::objects::modify;
use crate::objects::{
    commit, created_filters, list, load, load_live, no_such, respond, with_retries,
};
use crate::payments::resolve_payment_method;
use crate::state::App;
use axum::extract::State;
use portico_domain::balance_transaction::MAX_BALANCE;
use portico_domain::customer::{
    Address, CustomField, Customer, CustomerParams, InvoiceSettingsParams, RenderingOptions,
    Shipping, TaxExempt,
};
use portico_domain::payment_method::PaymentMethod;
use portico_domain::{Ctx, DomainError, Patch};
use portico_store::{Cursor, Filter, ListQuery, Versioned, Write};
use portico_wire::list::{read_created, read_list_params};
use portico_wire::{render, Reader};

/// Reads an address object; empty parts mean "not given".
pub fn read_address(r: &mut Reader<'_>) -> Address {
    Address {
        city: r.string_or_clear("city", 5000).into_option(),
        country: r.string_or_clear("country", 5000).into_option(),
        line1: r.string_or_clear("line1", 5000).into_option(),
        line2: r.string_or_clear("line2", 5000).into_option(),
        postal_code: r.string_or_clear("postal_code", 5000).into_option(),
        state: r.string_or_clear("state", 5000).into_option(),
    }
}

fn read_shipping(r: &mut Reader<'_>) -> Shipping {
    r.require("address");
    let address = r.object("address", read_address).unwrap_or_default();
    let name = r.required_string("name", 5000);
    Shipping {
        address,
        name,
        phone: r.string_or_clear("phone", 5000).into_option(),
        carrier: None,
        tracking_number: None,
    }
}

/// The parameters shared by create and update, in Stripe's names.
fn read_params(r: &mut Reader<'_>, create: bool) -> (CustomerParams, Vec<String>, Option<String>) {
    let mut p = CustomerParams {
        address: r.object_or_clear("address", read_address),
        // A hundred times Stripe's largest charge either way, so sums stay far from i64's limits.
        balance: r.int_between("balance", -MAX_BALANCE, MAX_BALANCE),
        business_name: r.string_or_clear("business_name", 150),
        description: r.string_or_clear("description", 5000),
        email: r.string_or_clear("email", 512),
        individual_name: r.string_or_clear("individual_name", 150),
        invoice_prefix: r.string("invoice_prefix", 5000),
        metadata: r.metadata("metadata", true),
        name: r.string_or_clear("name", 256),
        next_invoice_sequence: r.int_between("next_invoice_sequence", 1, 999_999_999),
        phone: r.string_or_clear("phone", 20),
        preferred_locales: r.strings_or_clear("preferred_locales", 5000),
        shipping: r.object_or_clear("shipping", read_shipping),
        tax_exempt: match r.enumeration_or_clear("tax_exempt", TaxExempt::VALUES) {
            Patch::Set(v) => TaxExempt::parse(v).map(Patch::Set).unwrap_or(Patch::Keep),
            Patch::Clear => Patch::Clear,
            Patch::Keep => Patch::Keep,
        },
        ..Default::default()
    };
    if let Some(s) = r.object("invoice_settings", |s| InvoiceSettingsParams {
        custom_fields: s.list_or_clear("custom_fields", |f| CustomField {
            name: f.required_string("name", 40),
            value: f.required_string("value", 140),
        }),
        default_payment_method: s.string_or_clear("default_payment_method", 5000),
        footer: s.string_or_clear("footer", 5000),
        rendering_options: s.object_or_clear("rendering_options", |o| RenderingOptions {
            amount_tax_display: o
                .enumeration_or_clear(
                    "amount_tax_display",
                    &["exclude_tax", "include_inclusive_tax"],
                )
                .into_option()
                .map(str::to_owned),
            template: o.string("template", 5000),
        }),
    }) {
        p.invoice_settings = s;
    }
    let mut payment_method = None;
    if create {
        payment_method = r.string("payment_method", 5000);
        p.test_clock = r.string("test_clock", 5000);
        r.unsupported("tax_id_data", "tax ids are not implemented.");
    } else {
        for key in [
            "bank_account",
            "card",
            "default_alipay_account",
            "default_bank_account",
            "default_card",
            "default_source",
        ] {
            r.unsupported(
                key,
                "the legacy Sources API is not implemented; use PaymentMethods.",
            );
        }
    }
    r.unsupported(
        "source",
        "the legacy Sources API is not implemented; use PaymentMethods.",
    );
    r.unsupported("cash_balance", "cash balances are not implemented.");
    r.unsupported("tax", "Stripe Tax is not implemented.");
    let expand = r.expand("customer", false);
    (p, expand, payment_method)
}

/// Checks the objects the parameters name: the test clock exists, and the default payment
/// method is attached to this customer (`customer`: `None` while creating).
async fn check_references(
    app: &App,
    api: &Api,
    p: &CustomerParams,
    customer: Option<&str>,
    attaching: Option<&str>,
) -> Result<(), Failure> {
    if let Some(clock) = &p.test_clock {
        if app
            .store
            .get(&api.caller.account, "test_helpers.test_clock", clock)
            .await?
            .is_none()
        {
            return Err(no_such("test_helpers.test_clock", clock, Some("test_clock")).into());
        }
    }
    if let Patch::Set(pm_id) = &p.invoice_settings.default_payment_method {
        let param = "invoice_settings[default_payment_method]";
        let is_being_attached = attaching == Some(pm_id.as_str());
        if !is_being_attached {
            let pm = load::<PaymentMethod>(app, &api.caller.account, pm_id, Some(param)).await?;
            if customer.is_none_or(|c| !pm.value.belongs_to(c)) {
                return Err(DomainError::invalid(
                    param,
                    format!("The customer does not have a payment method with the ID {pm_id}. The payment method must be attached to the customer."),
                )
                .into());
            }
        }
    }
    Ok(())
}

/// `POST /v1/customers`: `payment_method` is attached to the new customer in the same commit.
pub async fn create_customer(State(app): State<App>, mut api: Api) -> Reply {
    let (params, expand, payment_method) = api.read(|r| read_params(r, true))?;
    check_references(&app, &api, &params, None, payment_method.as_deref()).await?;
    // A customer created on a test clock starts at the clock's time.
    let now = crate::objects::now_for(
        &app,
        &api.caller.account,
        params.test_clock.as_deref(),
        api.now,
    )
    .await?;
    let mut ids = crate::ids::Ids;
    let mut ctx = Ctx {
        now,
        livemode: api.caller.livemode,
        ids: &mut ids,
    };
    let mut customer = Customer::create(params, &mut ctx)?;
    hold_balance_in_a_currency(&app, &mut customer);
    let mut writes = vec![Write::Insert(Versioned::new_record(&customer))];
    if let Some(pm_id) = &payment_method {
        let mut pm = resolve_payment_method(&app, &api, pm_id, "payment_method").await?;
        writes.push(attach_writes(&mut pm, customer.id.as_str())?);
        // A test token became a new payment method: the default names the real one.
        if customer.invoice_settings.default_payment_method.as_deref() == Some(pm_id.as_str()) {
            customer.invoice_settings.default_payment_method = Some(pm.value.id.clone());
            writes[0] = Write::Insert(Versioned::new_record(&customer));
        }
    }
    commit(&app, &api.caller.account, writes).await?;
    respond(&app, &api, render::customer(&customer), &expand).await
}

/// A balance is in a currency: the customer's, else (set on them) the account's, so that its
/// ledger stays in one.
fn hold_balance_in_a_currency(app: &App, customer: &mut Customer) {
    if customer.balance != 0 && customer.currency.is_none() {
        customer.currency = Some(app.settings.default_currency.clone());
    }
}

/// `GET /v1/customers/{customer}`: a deleted customer reads as its deleted stub.
pub async fn retrieve_customer(State(app): State<App>, PathId(id): PathId, mut api: Api) -> Reply {
    let expand = api.read(|r| r.expand("customer", false))?;
    crate::objects::retrieve(&app, &api, &id, &expand, render::customer).await
}

/// `POST /v1/customers/{customer}`
pub async fn update_customer(State(app): State<App>, PathId(id): PathId, mut api: Api) -> Reply {
    let (params, expand, _) = api.read(|r| read_params(r, false))?;
    check_references(&app, &api, &params, Some(&id), None).await?;
    let account = api.caller.account.clone();
    let customer = modify::<Customer, _>(&app, &account, &id, None, |c| {
        c.update(params.clone())?;
        hold_balance_in_a_currency(&app, c);
        Ok(Vec::new())
    })
    .await?;
    respond(&app, &api, render::customer(&customer), &expand).await
}

/// `DELETE /v1/customers/{customer}`
pub async fn delete_customer(State(app): State<App>, PathId(id): PathId, mut api: Api) -> Reply {
    api.read(|_| ())?;
    let account = api.caller.account.clone();
    let (app_, account_, id_, api_now) = (&app, &account, &id, api.now);
    let customer = with_retries(|| async move {
        let mut current = load_live::<Customer>(app_, account_, id_, None).await?;
        current.value.delete();
        let mut writes = vec![Write::Update(current.next_record())];
        // Its subscriptions end now, and its payment methods are detached, as Stripe does.
        writes.extend(
            crate::api::subscription::end_customer_subscriptions(app_, account_, id_, api_now)
                .await?,
        );
        // A deleted customer's payment methods are detached, as Stripe does.
        for mut pm in attached_payment_methods(app_, account_, id_).await? {
            if pm.value.detach().is_ok() {
                writes.push(Write::Update(pm.next_record()));
            }
        }
        commit(app_, account_, writes).await?;
        Ok(current.value)
    })
    .await?;
    crate::http::ok(render::customer(&customer))
}

/// `DELETE /v1/customers/{id}/discount`. Portico's discounts belong to subscriptions (Stripe's
/// current API gives customers none), so a customer never has one to take off.
pub async fn delete_customer_discount(
    State(app): State<App>,
    PathId(id): PathId,
    mut api: Api,
) -> Reply {
    api.read(|_| ())?;
    load_live::<Customer>(&app, &api.caller.account, &id, None).await?;
    Err(crate::objects::no_active_discount("customer", &id))
}

/// `GET /v1/customers`
pub async fn list_customers(State(app): State<App>, mut api: Api) -> Reply {
    let (params, email, created, clock) = api.read(|r| {
        (
            read_list_params(r, "customer"),
            r.string("email", 512),
            read_created(r),
            r.string("test_clock", 5000),
        )
    })?;
    let mut filters = created_filters(created);
    if let Some(e) = email {
        // Found by the folded address (indexed), kept when it is the exact one: Stripe's
        // filter is case-sensitive.
        filters.push(Filter::Lookup(e.to_ascii_lowercase()));
        filters.push(Filter::Field("email", e));
    }
    // As in Stripe, customers on a test clock are listed only when their clock is asked for.
    filters.push(match clock {
        Some(c) => Filter::Parent(c),
        None => Filter::NoParent,
    });
    list(&app, &api, "customer", "/v1/customers", filters, params).await
}

/// Every payment method attached to `customer`.
async fn attached_payment_methods(
    app: &App,
    account: &portico_domain::AccountId,
    customer: &str,
) -> Result<Vec<Versioned<PaymentMethod>>, Failure> {
    let mut out = Vec::new();
    let mut cursor = Cursor::Start;
    loop {
        let q = ListQuery {
            kind: "payment_method",
            filters: vec![Filter::Parent(customer.to_owned())],
            cursor,
            limit: 100,
            include_deleted: false,
        };
        let page = app.store.list(account, &q).await?;
        for r in &page.records {
            out.push(Versioned::<PaymentMethod>::from_record(r)?);
        }
        match (page.has_more, page.records.last()) {
            (true, Some(last)) => cursor = Cursor::After(last.id.clone()),
            _ => return Ok(out),
        }
    }
}

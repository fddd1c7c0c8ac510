//! `/v1/invoices`: retrieve, list, lines, pay (through the payment simulator), void.

use crate::api::payment_method::attach_writes;
use crate::http::{Api, Failure, PathId, Reply};
use crate::objects::{created_filters, list, load, load_live, respond, with_retries};
use crate::payments::resolve_payment_method;
use crate::state::App;
use axum::extract::State;
use portico_domain::customer::Customer;
use portico_domain::invoice::{Invoice, InvoiceStatus, PaymentOutcome};
use portico_domain::payment_method::PaymentMethod;
use portico_domain::subscription::Subscription;
use portico_domain::{AccountId, DomainError, IdGen, Patch, RandomIds};
use portico_store::{Filter, Versioned, Write};
use portico_wire::list::{read_created, read_list_params};
use portico_wire::{render, ApiError};

/// `GET /v1/invoices/{invoice}`
pub async fn retrieve_invoice(State(app): State<App>, PathId(id): PathId, mut api: Api) -> Reply {
    let expand = api.read(|r| r.expand("invoice", false))?;
    let inv = load_live::<Invoice>(&app, &api.caller.account, &id, None).await?;
    respond_invoice(&app, &api, &inv.value, &expand).await
}

/// `GET /v1/invoices`
pub async fn list_invoices(State(app): State<App>, mut api: Api) -> Reply {
    let (params, customer, subscription, status, created, sent) = api.read(|r| {
        let sent = crate::api::subscription::read_collection_method(r);
        (
            read_list_params(r, "invoice"),
            r.string("customer", 5000),
            r.string("subscription", 5000),
            r.enumeration(
                "status",
                &["draft", "open", "paid", "uncollectible", "void"],
            ),
            read_created(r),
            sent,
        )
    })?;
    let mut filters = created_filters(created);
    if let Some(sent) = sent {
        filters.push(Filter::Present("send_invoice", sent));
    }
    if let Some(c) = customer {
        filters.push(Filter::Parent(c));
    }
    if let Some(s) = subscription {
        filters.push(Filter::Lookup(s));
    }
    if let Some(s) = status {
        filters.push(Filter::Status(s.to_owned()));
    }
    list(&app, &api, "invoice", "/v1/invoices", filters, params).await
}

/// `GET /v1/invoices/{invoice}/lines`: the lines, paged like any list.
pub async fn list_invoice_lines(State(app): State<App>, PathId(id): PathId, mut api: Api) -> Reply {
    let params = api.read(|r| read_list_params(r, "line_item"))?;
    let inv = load_live::<Invoice>(&app, &api.caller.account, &id, None)
        .await?
        .value;
    let all = inv
        .lines
        .iter()
        .map(|l| render::invoice_line(&inv, l))
        .collect();
    let url = format!("/v1/invoices/{id}/lines");
    crate::objects::list_embedded(&app, &api, "line_item", &url, all, params).await
}

/// What paying an invoice with `paid_with` changes besides the invoice: its subscription
/// starts when it was the subscription's first, still unpaid, invoice; a pending update
/// waiting for it takes effect; and under `save_default_payment_method=on_subscription` the
/// payment method becomes the subscription's default (attached to the customer first when it
/// was a fresh card).
pub async fn after_payment(
    app: &App,
    account: &AccountId,
    inv: &Invoice,
    paid_with: Option<&Versioned<PaymentMethod>>,
) -> Result<Vec<Write>, Failure> {
    let Some(mut sub) = subscription_of(app, account, inv).await? else {
        return Ok(Vec::new());
    };
    let mut writes = Vec::new();
    let mut saved = false;
    if let Some(pm) = paid_with.filter(|_| sub.value.save_default_payment_method) {
        let mut pm = pm.clone();
        let usable = match pm.value.customer.as_deref() {
            Some(c) => c == inv.customer,
            // A card that just paid is attached as it is saved; one that cannot be is not saved.
            None => match attach_writes(&mut pm, &inv.customer) {
                Ok(w) => {
                    writes.push(w);
                    true
                }
                Err(_) => false,
            },
        };
        saved = usable && sub.value.paid_with(&pm.value.id);
    }
    let (before, mut applied) = (sub.value.status, false);
    let latest = sub.value.latest_invoice.as_deref() == Some(inv.id.as_str());
    let awaited = sub
        .value
        .pending_update
        .as_ref()
        .and_then(|p| p.invoice.as_deref())
        == Some(inv.id.as_str());
    // While a renewal's draft waits its hour it is the latest invoice, but not a finalized one:
    // paying the last unpaid one puts the subscription in good standing.
    let drafting = sub
        .value
        .draft_invoice
        .as_ref()
        .is_some_and(|d| sub.value.latest_invoice.as_deref() == Some(d.id.as_str()));
    if latest || awaited {
        // (An ended subscription takes no change: one still waiting is dropped.)
        if sub.value.status.is_ended() {
            sub.value.pending_update = None;
        } else {
            applied = sub.value.apply_pending_update();
        }
        // A subscription whose invoices are sent stays past due while an older one is overdue.
        let paid_at = inv.status_transitions.paid_at.unwrap_or(inv.created);
        if !sub.value.sends_invoices()
            || !crate::billing::still_behind(app, account, &sub.value, &inv.id, paid_at).await?
        {
            sub.value.first_invoice_paid();
        }
    } else if drafting
        && crate::billing::unpaid_invoice(app, account, &sub.value, false, Some(&inv.id))
            .await?
            .is_none()
    {
        sub.value.first_invoice_paid();
    } else if inv.send_invoice
        && !crate::billing::still_behind(
            app,
            account,
            &sub.value,
            &inv.id,
            inv.status_transitions.paid_at.unwrap_or(inv.created),
        )
        .await?
    {
        // A sent invoice paid late, the latest being a newer one: in good standing again
        // unless another is overdue too.
        sub.value.first_invoice_paid();
    }
    if applied || saved || sub.value.status != before {
        writes.push(Write::Update(sub.next_record()));
    }
    Ok(writes)
}

/// `POST /v1/invoices/{invoice}/pay`: with `payment_method`, or the subscription's or the
/// customer's default.
pub async fn pay_invoice(State(app): State<App>, PathId(id): PathId, mut api: Api) -> Reply {
    let (pm_param, off_session, out_of_band, expand) = api.read(|r| {
        r.bool("forgive");
        r.unsupported("mandate", "mandates are not implemented.");
        r.unsupported(
            "source",
            "the legacy Sources API is not implemented; use PaymentMethods.",
        );
        (
            r.string("payment_method", 5000),
            r.bool("off_session").unwrap_or(true),
            r.bool("paid_out_of_band").unwrap_or(false),
            r.expand("invoice", false),
        )
    })?;
    let (app_, api_, id_, pm_param_) = (&app, &api, &id, &pm_param);
    let (inv, declined) = with_retries(|| async move {
        let mut inv = load_live::<Invoice>(app_, &api_.caller.account, id_, None).await?;
        let pm = match pm_param_ {
            // Paid outside Portico: no payment method is charged, so none is looked up.
            _ if out_of_band => None,
            Some(p) => {
                let pm = resolve_payment_method(app_, api_, p, "payment_method").await?;
                // A stored payment method must be the invoice customer's; a test token
                // (`pm_card_visa`) stands for a fresh card and is always accepted.
                let theirs = pm.value.customer.as_deref() == Some(inv.value.customer.as_str());
                if !theirs && !crate::payments::is_test_token(p) {
                    return Err(ApiError::invalid(
                        Some("payment_method".into()),
                        None,
                        format!("The PaymentMethod {} does not belong to the invoice's customer {}.", pm.value.id, inv.value.customer),
                    )
                    .into());
                }
                Some(pm)
            }
            None => crate::billing::invoice_payment_method(app_, &api_.caller.account, &inv.value).await?,
        };
        let now = crate::objects::now_for(app_, &api_.caller.account, inv.value.test_clock.as_deref(), api_.now).await?;
        // A draft (a renewal's, waiting its hour) is finalized first, as Stripe does.
        let mut finalized = Vec::new();
        if inv.value.status == InvoiceStatus::Draft {
            let mut customer = load::<Customer>(app_, &api_.caller.account, &inv.value.customer, None).await?;
            crate::billing::finalize_for(&mut inv.value, &mut customer.value, now)?;
            finalized.push(Write::Update(customer.next_record()));
        }
        let settled = !finalized.is_empty() && inv.value.status == InvoiceStatus::Paid;
        if out_of_band && !settled {
            inv.value.pay_out_of_band(now)?;
        }
        let (mut writes, outcome) = if settled || out_of_band {
            // Finalizing settled it (nothing due, or a credit covered it), or it was marked paid
            // outside Portico.
            let mut writes = vec![Write::Update(inv.next_record())];
            writes.extend(after_payment(app_, &api_.caller.account, &inv.value, None).await?);
            (writes, PaymentOutcome::Paid)
        } else {
            pay_now(app_, &api_.caller.account, &mut inv, pm.as_ref(), off_session, now).await?
        };
        writes.splice(1..1, finalized);
        let declined = match outcome {
            PaymentOutcome::Paid => None,
            PaymentOutcome::Declined(d) => Some(ApiError::card(&d, None)),
            PaymentOutcome::RequiresAction => Some(ApiError::new(
                402,
                portico_wire::ErrorType::CardError,
                Some(portico_domain::ErrorCode::InvoicePaymentIntentRequiresAction),
                "This payment requires authentication (3-D Secure): the customer must complete it at the hosted page.",
            )),
        };
        app_.commit(&api_.caller.account, writes).await?;
        Ok::<_, Failure>((inv.value, declined))
    })
    .await?;
    if let Some(e) = declined {
        // Stripe's error object has no place for an invoice; the attempt is recorded on it.
        return Err(e.into());
    }
    respond_invoice(&app, &api, &inv, &expand).await
}

/// A payment of `inv` asked for now (by the API, or by the customer on its hosted page) with
/// `pm`, at `now` (the invoice's clock): the writes to commit whatever the outcome (the invoice
/// with the attempt recorded; once paid, what its payment starts; when it waits for 3-D Secure,
/// the authentication link's token), and the outcome.
pub async fn pay_now(
    app: &App,
    account: &AccountId,
    inv: &mut Versioned<Invoice>,
    pm: Option<&Versioned<PaymentMethod>>,
    off_session: bool,
    now: i64,
) -> Result<(Vec<Write>, PaymentOutcome), Failure> {
    let token = RandomIds.next("", 43);
    let outcome =
        inv.value
            .attempt_payment_by_hand(pm.map(|p| &p.value), off_session, false, now, || {
                token.clone()
            })?;
    let mut writes = vec![Write::Update(inv.next_record())];
    match &outcome {
        PaymentOutcome::Paid => writes.extend(after_payment(app, account, &inv.value, pm).await?),
        PaymentOutcome::Declined(_) => {
            writes.extend(after_failure(app, account, &inv.value).await?)
        }
        PaymentOutcome::RequiresAction => {
            writes.extend(after_failure(app, account, &inv.value).await?);
            writes.push(crate::billing::token_write(
                app,
                account,
                &inv.value.id,
                &token,
            ));
        }
    }
    Ok((writes, outcome))
}

/// The subscription `inv` bills, if any.
async fn subscription_of(
    app: &App,
    account: &AccountId,
    inv: &Invoice,
) -> Result<Option<Versioned<Subscription>>, Failure> {
    match &inv.subscription {
        Some(id) => Ok(portico_store::get::<Subscription>(&*app.store, account, id).await?),
        None => Ok(None),
    }
}

/// What a failed payment by hand of `inv` changes beyond the invoice: a renewal's invoice paid
/// during its hour makes the subscription past due at once (see
/// [`Subscription::renewal_failed_by_hand`]).
async fn after_failure(
    app: &App,
    account: &AccountId,
    inv: &Invoice,
) -> Result<Vec<Write>, Failure> {
    // A sent invoice's subscription waits on its due date, not on its payments.
    let Some(mut sub) = subscription_of(app, account, inv)
        .await?
        .filter(|_| !inv.send_invoice)
    else {
        return Ok(Vec::new());
    };
    Ok(sub
        .value
        .renewal_failed_by_hand(&inv.id, inv.created, inv.attempt_count)
        .then(|| Write::Update(sub.next_record()))
        .into_iter()
        .collect())
}

/// The answer for `inv`, with `expand`.
async fn respond_invoice(app: &App, api: &Api, inv: &Invoice, expand: &[String]) -> Reply {
    respond(
        app,
        api,
        render::invoice(
            inv,
            app.links(&api.caller.account, api.now).hosted_invoice(inv),
        ),
        expand,
    )
    .await
}

/// The time for invoice `id`: its test clock's, or the server's.
async fn invoice_now(app: &App, api: &Api, id: &str) -> Result<i64, Failure> {
    let current = load_live::<Invoice>(app, &api.caller.account, id, None).await?;
    crate::objects::now_for(
        app,
        &api.caller.account,
        current.value.test_clock.as_deref(),
        api.now,
    )
    .await
}

/// `POST /v1/invoices` as sent.
struct CreateInvoice {
    customer: String,
    subscription: Option<String>,
    include_pending: bool,
    auto_advance: Option<bool>,
    currency: Option<portico_domain::Currency>,
    description: Option<String>,
    metadata: portico_domain::metadata::MetadataUpdate,
    default_payment_method: Option<String>,
    /// `collection_method` (`send_invoice`: `Some(true)`) and `days_until_due`.
    collection: (Option<bool>, Option<i64>),
    due_date: Option<i64>,
}

fn read_create(r: &mut portico_wire::Reader<'_>) -> CreateInvoice {
    let customer = r.required_string("customer", 5000);
    crate::api::subscription::refuse_tax(r);
    // `discounts=""` only declines the customer's discount, which Portico's customers never have.
    if r.is_empty_string("discounts") {
        r.string_or_clear("discounts", 20);
    }
    r.unsupported("discounts", "invoice-level discounts are not implemented; a subscription's discounts apply to its invoices.");
    for key in [
        "account_tax_ids",
        "application_fee_amount",
        "automatically_finalizes_at",
        "custom_fields",
        "customer_account",
        "default_source",
        "default_tax_rates",
        "effective_at",
        "footer",
        "from_invoice",
        "issuer",
        "number",
        "on_behalf_of",
        "payment_settings",
        "rendering",
        "shipping_cost",
        "shipping_details",
        "statement_descriptor",
        "transfer_data",
    ] {
        r.unsupported(key, "this invoice setting is not implemented.");
    }
    CreateInvoice {
        customer,
        subscription: r.string("subscription", 5000),
        include_pending: r.enumeration("pending_invoice_items_behavior", &["exclude", "include"])
            == Some("include"),
        auto_advance: r.bool("auto_advance"),
        currency: r.currency("currency"),
        description: r.string("description", 1500),
        metadata: r.metadata("metadata", false),
        default_payment_method: r.string("default_payment_method", 5000),
        collection: crate::api::subscription::read_collection(r),
        due_date: r.timestamp("due_date"),
    }
}

/// `POST /v1/invoices`: a draft for `customer`, empty or (`pending_invoice_items_behavior=include`)
/// with the pending prorations of `subscription`, or of all the customer's subscriptions in the
/// invoice's currency, which leave the subscriptions, and the customer's pending invoice items
/// (those of `subscription` only, when it is given); a subscription's discounts apply to its
/// lines. It is then finalized and paid like any draft; the subscription's cycle is untouched.
pub async fn create_invoice(State(app): State<App>, mut api: Api) -> Reply {
    let (p, expand) = api.read(|r| (read_create(r), r.expand("invoice", false)))?;
    let (app_, api_, p_) = (&app, &api, &p);
    let inv = with_retries(|| async move { create_once(app_, api_, p_).await }).await?;
    respond_invoice(&app, &api, &inv, &expand).await
}

async fn create_once(app: &App, api: &Api, p: &CreateInvoice) -> Result<Invoice, Failure> {
    let account = &api.caller.account;
    let mut customer = load_live::<Customer>(app, account, &p.customer, Some("customer")).await?;
    let cus_id = customer.value.id.to_string();
    let sub = match &p.subscription {
        Some(id) => {
            Some(crate::api::invoice_item::subscription_of(app, account, id, &cus_id).await?)
        }
        None => None,
    };
    let currency = match (&p.currency, &sub, &customer.value.currency) {
        (Some(c), Some(s), _) if c.code() != s.value.currency => {
            return Err(ApiError::invalid(
                Some("currency".into()),
                None,
                format!(
                    "The subscription {} is billed in {}: its invoice cannot be in {}.",
                    s.value.id,
                    s.value.currency,
                    c.code()
                ),
            )
            .into())
        }
        (Some(c), _, _) => c.code().to_owned(),
        (None, Some(s), _) => s.value.currency.clone(),
        (None, None, Some(c)) => c.clone(),
        // The account's, as Stripe's invoices default to.
        (None, None, None) => app.settings.default_currency.clone(),
    };
    let pm = match &p.default_payment_method {
        Some(id) => Some(
            crate::api::subscription::customer_payment_method(
                app,
                api,
                &cus_id,
                id,
                "default_payment_method",
            )
            .await?
            .value
            .id,
        ),
        None => None,
    };
    let now = crate::objects::now_for(app, account, customer.value.test_clock.as_deref(), api.now)
        .await?;
    let mut ids = crate::ids::Ids;
    let mut ctx = portico_domain::Ctx {
        now,
        livemode: api.caller.livemode,
        ids: &mut ids,
    };
    // The pending prorations it takes, and the subscriptions they leave. Those of a subscription
    // waiting on a pending update are already on that update's invoice: there are none to take.
    // A subscription canceled without a final invoice leaves its prorations pending, as Stripe
    // leaves its pending invoice items for the customer's next invoice.
    let mut sources = match &sub {
        _ if !p.include_pending => Vec::new(),
        Some(s) => vec![s.clone()],
        None => crate::billing::all_subscriptions(app, account, Filter::Parent(cus_id.clone()))
            .await?
            .into_iter()
            .filter(|s| s.value.currency == currency)
            .collect(),
    };
    sources.retain(|s| s.value.pending_update.is_none() && !s.value.pending_lines.is_empty());
    // A subscription's discounts apply to its prorations, unless they name the ones they were
    // made with; one invoice for several subscriptions could not say whose discount is whose
    // for those that name none.
    if sub.is_none() {
        let discounted = |s: &Versioned<Subscription>| {
            !s.value.discounts.is_empty()
                && s.value
                    .pending_lines
                    .iter()
                    .any(|l| l.proration_discounts.is_none())
        };
        if let Some(s) = sources.iter().find(|s| discounted(s)) {
            return Err(ApiError::invalid(
                Some("pending_invoice_items_behavior".into()),
                None,
                format!("The subscription {} has discounts, or prorations made with them: name it in `subscription` to invoice its pending prorations with them.", s.value.id),
            )
            .into());
        }
    }
    // Each line keeps naming its subscription (an invoice gathering several names none).
    let lines: Vec<_> = sources
        .iter_mut()
        .flat_map(|s| {
            let id = s.value.id.clone();
            std::mem::take(&mut s.value.pending_lines)
                .into_iter()
                .map(move |mut l| {
                    l.subscription.get_or_insert_with(|| id.clone());
                    l
                })
        })
        .collect();
    // The customer's pending invoice items: the named subscription's, or all of them.
    let taken = match (&sub, p.include_pending) {
        (_, false) => crate::api::invoice_item::Pending::default(),
        (s, true) => {
            let takes = match s {
                Some(s) => crate::api::invoice_item::Takes::OnlyOf(&s.value.id),
                None => crate::api::invoice_item::Takes::All,
            };
            let c = cus_id.as_str();
            crate::api::invoice_item::Pending::of(app, account, c, &currency, takes, &mut ctx)
                .await?
        }
    };
    let lines = taken.before(lines);
    let period = portico_domain::invoice::lines_period(&lines, now);
    let mut spent_discounts = Vec::new();
    let mut inv = match sources.first_mut().filter(|_| sub.is_some()) {
        Some(s) => {
            let inv = crate::billing::bill(
                app,
                account,
                &mut customer,
                &s.value,
                "manual",
                lines,
                period,
                false,
                &mut ctx,
                &[],
            )
            .await?;
            // A `once` discount is spent by the invoice that applies it.
            let spent = crate::billing::once_spent_by(app, account, &inv, &[]).await?;
            s.value.discounts.retain(|id| !spent.contains(id));
            spent_discounts = spent;
            inv
        }
        None => {
            let sub_id = sub.as_ref().map(|s| s.value.id.as_str());
            let mut inv = Invoice::draft(
                &customer.value,
                sub_id,
                "manual",
                &currency,
                period,
                lines,
                &mut ctx,
            );
            // Prorations keep the discounts they were made with, whichever subscription they
            // come from (and only those: the tags say whose is whose).
            let mut tagged: Vec<String> = Vec::new();
            for id in inv
                .lines
                .iter()
                .flat_map(|l| l.proration_discounts.iter().flatten())
            {
                if !tagged.contains(id) {
                    tagged.push(id.clone());
                }
            }
            for id in tagged {
                let found = crate::billing::discount_with_coupon(app, account, &id, &[]).await?;
                let Some((d, c)) = found else {
                    continue;
                };
                // A `once` discount still on its subscription is spent by the invoice that
                // applies it, and only an invoice for that subscription records the spending.
                let holder = sources.iter().find(|s| s.value.discounts.contains(&d.id));
                if let (portico_domain::coupon::Duration::Once, Some(s)) = (&c.duration, holder) {
                    return Err(ApiError::invalid(
                        Some("pending_invoice_items_behavior".into()),
                        None,
                        format!("The subscription {} has prorations made with a `once` discount it still has: name it in `subscription` to invoice them, which spends that discount.", s.value.id),
                    )
                    .into());
                }
                inv.apply_discount(&c, &d.id, false);
            }
            inv
        }
    };
    let mut writes: Vec<Write> = sources
        .iter()
        .map(|s| Write::Update(s.next_record()))
        .collect();
    inv.hold_as_draft();
    // Charged automatically unless sent, whatever its subscription does.
    let (send, days) = p.collection;
    inv.set_terms(Some(send.unwrap_or(false)), days, p.due_date, now)?;
    inv.auto_advance = p.auto_advance.unwrap_or(false);
    inv.description = p.description.clone();
    inv.metadata = p.metadata.build("metadata")?;
    inv.default_payment_method = pm;
    writes.insert(0, Write::Insert(Versioned::new_record(&inv)));
    writes.extend(taken.attach(&inv));
    writes.extend(crate::billing::end_discounts(app, account, &spent_discounts).await?);
    app.commit(account, writes).await?;
    Ok(inv)
}

/// `POST /v1/invoices/{invoice}`: metadata at any time; `description`, `auto_advance` and
/// `default_payment_method` (one of the customer's) while the invoice is a draft or open.
pub async fn update_invoice(State(app): State<App>, PathId(id): PathId, mut api: Api) -> Reply {
    let (metadata, description, auto_advance, pm, terms, expand) = api.read(|r| {
        (
            r.metadata("metadata", true),
            r.string_or_clear("description", 1500),
            r.bool("auto_advance"),
            r.string_or_clear("default_payment_method", 5000),
            (
                crate::api::subscription::read_collection(r),
                r.timestamp("due_date"),
            ),
            r.expand("invoice", false),
        )
    })?;
    let account = &api.caller.account;
    let current = load_live::<Invoice>(&app, account, &id, None).await?;
    let ((send, days), due_date) = terms;
    let terms_sent = send.is_some() || days.is_some() || due_date.is_some();
    let terms_now = if terms_sent {
        let clock = current.value.test_clock.as_deref();
        crate::objects::now_for_reading(&app, account, clock, api.now).await?
    } else {
        api.now
    };
    let pm = match &pm {
        Patch::Set(p) => Patch::Set(
            crate::api::subscription::default_payment_method_id(
                &app,
                &api,
                &current.value.customer,
                p,
            )
            .await?,
        ),
        Patch::Clear => Patch::Clear,
        Patch::Keep => Patch::Keep,
    };
    // A renewal's invoice whose automatic collection is turned back on after its hour passed
    // is collected anew: its subscription keeps it waiting (an hour from now) again.
    // (Only then: other updates, such as a webhook handler's during a clock's advance, do not
    // wait for the clock.)
    let (now, sub) = match (&current.value.subscription, auto_advance) {
        (Some(s), Some(true)) => {
            let clock = current.value.test_clock.as_deref();
            let now = crate::objects::now_for(&app, account, clock, api.now).await?;
            let sub = portico_store::get::<portico_domain::subscription::Subscription>(
                &*app.store,
                account,
                s,
            )
            .await?;
            (now, sub)
        }
        _ => (api.now, None),
    };
    let inv = crate::objects::modify::<Invoice, _>(&app, account, &id, None, |inv| {
        metadata.apply("metadata", &mut inv.metadata)?;
        for (param, sent) in [
            ("description", description.is_sent()),
            ("auto_advance", auto_advance.is_some()),
            ("default_payment_method", pm.is_sent()),
        ] {
            if sent {
                inv.check_editable(param)?;
            }
        }
        if terms_sent {
            if inv.status != InvoiceStatus::Draft {
                let param = if send.is_some() {
                    "collection_method"
                } else if days.is_some() {
                    "days_until_due"
                } else {
                    "due_date"
                };
                return Err(ApiError::invalid(
                    Some(param.into()),
                    None,
                    format!(
                        "`{param}` can only be updated on draft invoices; this one is {}.",
                        inv.status.as_str()
                    ),
                )
                .into());
            }
            inv.set_terms(send, days, due_date, terms_now)?;
        }
        description.clone().apply_to(&mut inv.description);
        pm.clone().apply_to(&mut inv.default_payment_method);
        if let Some(a) = auto_advance {
            inv.auto_advance = a;
        }
        // Turned back on, a renewal's invoice waits on its subscription again.
        let Some(mut sub) = sub.clone() else {
            return Ok(Vec::new());
        };
        match inv.collected_again_at(now) {
            Some(at) if sub.value.await_draft(&inv.id, at) => {
                inv.automatically_finalizes_at = Some(at);
                Ok(vec![Write::Update(sub.next_record())])
            }
            _ => Ok(Vec::new()),
        }
    })
    .await?;
    respond_invoice(&app, &api, &inv, &expand).await
}

/// `DELETE /v1/invoices/{invoice}`: a draft is deleted (a finalized invoice can be voided
/// instead). The pending prorations a draft made with `POST /v1/invoices` took go back to their
/// subscriptions, to be billed later, and the pending invoice items it took are pending again
/// (those made for it are deleted with it). A subscription whose latest invoice it was keeps
/// pointing at it, as in Stripe.
pub async fn delete_invoice(State(app): State<App>, PathId(id): PathId, mut api: Api) -> Reply {
    api.read(|_| ())?;
    let (app_, account_, id_) = (&app, &api.caller.account, &id);
    let inv = with_retries(|| async move {
        let mut inv = load_live::<Invoice>(app_, account_, id_, None).await?;
        inv.value.delete()?;
        let mut writes = vec![Write::Update(inv.next_record())];
        // Its invoice items are pending again, or deleted with it (those made for it); the rest
        // of its lines are prorations.
        let (released, lines) =
            crate::api::invoice_item::release(app_, account_, &inv.value).await?;
        writes.extend(released);
        let mut rest = inv.value.clone();
        rest.lines.retain(|l| !lines.contains(&l.id));
        if rest.billing_reason == "manual" && !rest.lines.is_empty() {
            writes.extend(give_back_prorations(app_, account_, &rest).await?);
        }
        app_.commit(account_, writes).await?;
        Ok(inv.value)
    })
    .await?;
    crate::http::ok(render::invoice(&inv, None))
}

/// The writes that put a deleted manual draft's prorations back on their subscriptions, pending
/// again (the invoice that bills them applies its own discounts): all of them on the one the
/// draft named, with the `once` discounts it spent; else on the subscription holding each line's
/// item. Refused when some cannot go back (their subscription ended, or their item is gone).
async fn give_back_prorations(
    app: &App,
    account: &AccountId,
    inv: &Invoice,
) -> Result<Vec<Write>, Failure> {
    let pending = |l: &portico_domain::invoice::Line| portico_domain::invoice::Line {
        discount_amounts: Vec::new(),
        ..l.clone()
    };
    // Ended subscriptions too: one canceled without a final invoice keeps prorations pending.
    let subs =
        crate::billing::all_subscriptions(app, account, Filter::Parent(inv.customer.clone()))
            .await?;
    let mut writes = Vec::new();
    let mut returned = 0;
    for mut sub in subs {
        let back: Vec<_> = match &inv.subscription {
            Some(id) if *id == sub.value.id => {
                // Only the `once` discounts the draft spent go back: the invoice also lists
                // discounts its prorations were made with, which may have ended since.
                let spent = crate::billing::once_spent_by(app, account, inv, &[]).await?;
                for d in &spent {
                    if !sub.value.discounts.contains(d) {
                        sub.value.discounts.push(d.clone());
                    }
                }
                writes.extend(crate::billing::restore_discounts(app, account, &spent).await?);
                inv.lines.iter().map(pending).collect()
            }
            Some(_) => continue,
            None => {
                let items: Vec<&str> = sub.value.items.iter().map(|i| i.id.as_str()).collect();
                inv.lines
                    .iter()
                    .filter(|l| {
                        l.subscription_item
                            .as_deref()
                            .is_some_and(|i| items.contains(&i))
                            || l.subscription.as_deref() == Some(sub.value.id.as_str())
                    })
                    .map(pending)
                    .collect()
            }
        };
        if !back.is_empty() {
            returned += back.len();
            sub.value.pending_lines.extend(back);
            writes.push(Write::Update(sub.next_record()));
        }
    }
    if returned != inv.lines.len() {
        return Err(DomainError::state(
            None,
            "Some of this draft's prorations belong to a subscription item that no longer \
             exists, so they could not be billed later: finalize the draft instead (and void it \
             to forgive them).",
        )
        .into());
    }
    Ok(writes)
}

/// `POST /v1/invoices/{invoice}/finalize`: a draft (a renewal kept as a draft while its
/// subscription's collection was paused) is numbered from the customer's sequence and opened,
/// taking the customer's balance; one with nothing due is paid at once. It is then paid with
/// `POST /v1/invoices/{invoice}/pay`: finalizing charges nothing by itself.
pub async fn finalize_invoice(State(app): State<App>, PathId(id): PathId, mut api: Api) -> Reply {
    let (auto_advance, expand) =
        api.read(|r| (r.bool("auto_advance"), r.expand("invoice", false)))?;
    let now = invoice_now(&app, &api, &id).await?;
    let (app_, account_, id_) = (&app, &api.caller.account, &id);
    let inv = with_retries(|| async move {
        let mut inv = load_live::<Invoice>(app_, account_, id_, None).await?;
        let mut customer = load::<Customer>(app_, account_, &inv.value.customer, None).await?;
        crate::billing::finalize_for(&mut inv.value, &mut customer.value, now)?;
        if let Some(a) = auto_advance {
            inv.value.auto_advance = a;
        }
        // Sent for payment and advanced automatically: emailed as it is finalized.
        let email = if inv.value.send_invoice
            && inv.value.auto_advance
            && inv.value.status == InvoiceStatus::Open
        {
            crate::pages::invoice_mail::send(app_, account_, &mut inv.value, now)
                .await?
                .ok()
        } else {
            None
        };
        let mut writes = vec![
            Write::Update(inv.next_record()),
            Write::Update(customer.next_record()),
        ];
        writes.extend(email);
        app_.commit(account_, writes).await?;
        Ok(inv.value)
    })
    .await?;
    respond_invoice(&app, &api, &inv, &expand).await
}

/// `POST /v1/invoices/{invoice}/send`: emails an invoice sent for payment to its customer now,
/// whatever its schedule (a draft is finalized first, as Stripe does; a paid one is sent as a
/// copy). Announced with `invoice.sent`.
pub async fn send_invoice(State(app): State<App>, PathId(id): PathId, mut api: Api) -> Reply {
    use crate::pages::invoice_mail::{send, NotSent};
    let expand = api.read(|r| r.expand("invoice", false))?;
    let now = invoice_now(&app, &api, &id).await?;
    let (app_, account_, id_) = (&app, &api.caller.account, &id);
    let inv = with_retries(|| async move {
        let mut inv = load_live::<Invoice>(app_, account_, id_, None).await?;
        if !inv.value.send_invoice {
            return Err(ApiError::invalid(
                None,
                None,
                "You can only manually send an invoice whose collection_method is send_invoice.",
            )
            .into());
        }
        let mut writes = Vec::new();
        if inv.value.status == InvoiceStatus::Draft {
            let mut customer = load::<Customer>(app_, account_, &inv.value.customer, None).await?;
            crate::billing::finalize_for(&mut inv.value, &mut customer.value, now)?;
            writes.push(Write::Update(customer.next_record()));
        }
        let customer = inv.value.customer.clone();
        let refused = |why: String| -> Failure { DomainError::state(None, why).into() };
        let email = match send(app_, account_, &mut inv.value, now).await? {
            Ok(w) => w,
            Err(NotSent::NoCustomer) => {
                return Err(refused(format!(
                    "The customer {customer} was deleted: there is no one to send the invoice to."
                )))
            }
            Err(NotSent::NoAddress) => {
                return Err(refused(format!(
                    "The customer {customer} has no email address to send the invoice to."
                )))
            }
            Err(NotSent::NoPage) => {
                return Err(refused(format!(
                    "You cannot send an invoice whose status is {}.",
                    inv.value.status.as_str()
                )))
            }
        };
        writes.insert(0, Write::Update(inv.next_record()));
        writes.push(email);
        app_.commit(account_, writes).await?;
        Ok(inv.value)
    })
    .await?;
    respond_invoice(&app, &api, &inv, &expand).await
}

/// `POST /v1/invoices/{invoice}/void`
pub async fn void_invoice(State(app): State<App>, PathId(id): PathId, mut api: Api) -> Reply {
    let expand = api.read(|r| r.expand("invoice", false))?;
    let now = invoice_now(&app, &api, &id).await?;
    let (app_, account_, id_) = (&app, &api.caller.account, &id);
    let inv = with_retries(|| async move {
        let mut inv = load_live::<Invoice>(app_, account_, id_, None).await?;
        let mut customer = load::<Customer>(app_, account_, &inv.value.customer, None).await?;
        let token = inv
            .value
            .pending_authentication
            .as_ref()
            .map(|(_, t)| t.clone());
        let give_back = inv.value.void(now)?;
        let mut writes = vec![Write::Update(inv.next_record())];
        if give_back != 0 {
            customer.value.balance += give_back;
            writes.push(Write::Update(customer.next_record()));
        }
        if let Some(t) = token {
            writes.push(Write::DeleteToken(crate::api::setup_intent::token_hash(&t)));
        }
        // A pending update waiting for this invoice will never be paid for: it is dropped.
        if let Some(sub_id) = &inv.value.subscription {
            if let Some(mut sub) =
                portico_store::get::<Subscription>(&*app_.store, account_, sub_id).await?
            {
                if sub.value.latest_invoice.as_deref() == Some(inv.value.id.as_str())
                    && sub.value.pending_update.take().is_some()
                {
                    writes.push(Write::Update(sub.next_record()));
                }
            }
        }
        app_.commit(account_, writes).await?;
        Ok(inv.value)
    })
    .await?;
    respond_invoice(&app, &api, &inv, &expand).await
}

/// `POST /v1/invoices/{invoice}/mark_uncollectible`: written off; it can still be paid or
/// voided, but is no longer retried.
pub async fn mark_uncollectible(State(app): State<App>, PathId(id): PathId, mut api: Api) -> Reply {
    let expand = api.read(|r| r.expand("invoice", false))?;
    let now = invoice_now(&app, &api, &id).await?;
    let inv = crate::objects::modify::<Invoice, _>(&app, &api.caller.account, &id, None, |inv| {
        let token = inv.pending_authentication.as_ref().map(|(_, t)| t.clone());
        inv.mark_uncollectible(now)?;
        Ok(token
            .map(|t| vec![Write::DeleteToken(crate::api::setup_intent::token_hash(&t))])
            .unwrap_or_default())
    })
    .await?;
    respond_invoice(&app, &api, &inv, &expand).await
}

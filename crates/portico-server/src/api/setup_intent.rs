//! `/v1/setup_intents`: create (optionally confirming), retrieve, update, confirm, cancel, list.
//! A card that needs 3-D Secure leaves the intent in `requires_action` with a link to Portico's
//! hosted authentication page (see `pages::authenticate`).

use crate::api::payment_method::attach_writes;
use crate::http::{Api, Failure, PathId, Reply};
use crate::objects::modify;
use crate::objects::{commit, created_filters, list, load, load_live, respond};
use crate::payments::resolve_payment_method;
use crate::state::App;
use axum::extract::State;
use portico_domain::customer::Customer;
use portico_domain::payment_method::PaymentMethod;
use portico_domain::setup_intent::{Confirmed, SetupIntent, SetupIntentCreate};
use portico_domain::subscription::Subscription;
use portico_domain::{AccountId, Ctx, DomainError, ErrorCode, IdGen, RandomIds};
use portico_store::{Filter, TokenRecord, Versioned, Write};
use portico_wire::list::{read_created, read_list_params};
use portico_wire::{render, ApiError, Reader};

/// How long the hosted authentication link stays valid.
pub const AUTH_LINK_TTL_SECS: i64 = 24 * 3600;

/// The stored form of a link secret.
pub fn token_hash(token: &str) -> String {
    crate::digest::sha256_hex(token.as_bytes())
}

/// `payment_method_types` (cards only): whether they were given.
fn read_types(r: &mut Reader<'_>) -> bool {
    let Some(types) = r.strings("payment_method_types", 5000) else {
        return false;
    };
    if types.iter().any(|t| t != "card") {
        r.error(ApiError::invalid(
            Some("payment_method_types".into()),
            None,
            "Invalid payment_method_types: Portico supports only card.",
        ));
    }
    true
}

/// Confirms `si` (with a new `payment_method` when given): the writes to commit, and the
/// error to answer with when the card was declined (after the writes are committed).
async fn confirm(
    app: &App,
    api: &Api,
    si: &mut SetupIntent,
    payment_method: Option<&str>,
    return_url: Option<String>,
) -> Result<(Vec<Write>, Option<Failure>), Failure> {
    if let Some(url) = &return_url {
        if crate::pages::origin_of(url).is_none() {
            return Err(ApiError::invalid(
                Some("return_url".into()),
                Some(ErrorCode::UrlInvalid),
                "Invalid URL: return_url must be an absolute http or https URL.",
            )
            .into());
        }
    }
    let mut writes = Vec::new();
    if let Some(id) = payment_method {
        let pm = resolve_payment_method(app, api, id, "payment_method").await?;
        si.set_payment_method(&pm.value.id)?;
    }
    let Some(pm_id) = si.payment_method.clone() else {
        return Err(ApiError::invalid(
            None,
            Some(ErrorCode::SetupIntentUnexpectedState),
            "You cannot confirm this SetupIntent because it's missing a payment method. Update it with a payment method, or pass payment_method when confirming.",
        )
        .into());
    };
    let mut pm =
        load::<PaymentMethod>(app, &api.caller.account, &pm_id, Some("payment_method")).await?;
    if let (Some(c), Some(owner)) = (&si.customer, &pm.value.customer) {
        if c != owner {
            return Err(DomainError::invalid(
                "payment_method",
                "The payment method is attached to another customer.",
            )
            .into());
        }
    }
    let token = RandomIds.next("", 43);
    let outcome = si.confirm(&pm.value, return_url, || token.clone())?;
    let mut declined = None;
    match outcome {
        Confirmed::Succeeded => {
            if let Some(c) = si.customer.clone() {
                if !pm.value.belongs_to(&c) {
                    pm.value.attach(&c).map_err(|_| {
                        DomainError::invalid(
                            "payment_method",
                            "The payment method could not be attached.",
                        )
                    })?;
                }
            }
            pm.value.set_up = true;
            writes.push(Write::Update(pm.next_record()));
            writes.extend(settle_subscription(app, &api.caller.account, si, &pm_id).await?);
        }
        Confirmed::RequiresAction => writes.push(Write::Token(TokenRecord {
            token_hash: token_hash(&token),
            account: api.caller.account.clone(),
            kind: "setup_intent".into(),
            object_id: si.id.clone(),
            created: api.now,
            expires_at: api.now + AUTH_LINK_TTL_SECS,
        })),
        Confirmed::Declined(d) => {
            let body = render::setup_intent(si, &app.settings.public_url);
            declined = Some(Failure::from(
                ApiError::card(&d, None).with_object("setup_intent", body),
            ));
        }
    }
    Ok((writes, declined))
}

/// `POST /v1/setup_intents`
pub async fn create_setup_intent(State(app): State<App>, mut api: Api) -> Reply {
    let (params, do_confirm, return_url, expand) = api.read(|r| {
        let typed = read_types(r);
        // Without payment_method_types, automatic payment methods are on unless turned off
        // (Stripe's default since 2023-08-16); with them, off. Cards are all there is either way.
        let (enabled, redirects) = r
            .object("automatic_payment_methods", |a| {
                a.require("enabled");
                (
                    a.bool("enabled"),
                    a.enumeration("allow_redirects", &["always", "never"]),
                )
            })
            .unwrap_or((None, None));
        if typed && enabled == Some(true) {
            r.error(ApiError::invalid(
                Some("automatic_payment_methods".into()),
                None,
                "You may only specify one of these parameters: automatic_payment_methods, payment_method_types.",
            ));
        }
        let automatic_redirects = (!typed && enabled != Some(false))
            .then(|| redirects.unwrap_or("always").to_owned());
        r.bool("use_stripe_sdk");
        let p = SetupIntentCreate {
            customer: r.string("customer", 5000),
            payment_method: r.string("payment_method", 5000),
            usage: r
                .enumeration("usage", &["off_session", "on_session"])
                .map(str::to_owned),
            description: r.string("description", 1000),
            metadata: r.metadata("metadata", false),
            automatic_redirects,
        };
        let confirm = r.bool("confirm").unwrap_or(false);
        let return_url = r.string("return_url", 5000);
        if return_url.is_some() && !confirm {
            r.error(ApiError::invalid(
                Some("return_url".into()),
                None,
                "return_url can only be given when confirm=true.",
            ));
        }
        (p, confirm, return_url, r.expand("setup_intent", false))
    })?;
    if let Some(c) = &params.customer {
        load_live::<Customer>(&app, &api.caller.account, c, Some("customer")).await?;
    }
    let mut params = params;
    if let Some(id) = params.payment_method.take() {
        params.payment_method = Some(
            resolve_payment_method(&app, &api, &id, "payment_method")
                .await?
                .value
                .id,
        );
    }
    let (si, writes, declined) = start(&app, &api, params, do_confirm, return_url).await?;
    commit(&app, &api.caller.account, writes).await?;
    if let Some(f) = declined {
        return Err(f);
    }
    respond(
        &app,
        &api,
        render::setup_intent(&si, &app.settings.public_url),
        &expand,
    )
    .await
}

/// A new SetupIntent, confirmed at once with `do_confirm`: the intent, the writes that store
/// it (and attach its card when it succeeds), and the card error to answer with when it was
/// declined (the writes are to be committed anyway).
pub(crate) async fn start(
    app: &App,
    api: &Api,
    params: SetupIntentCreate,
    do_confirm: bool,
    return_url: Option<String>,
) -> Result<(SetupIntent, Vec<Write>, Option<Failure>), Failure> {
    let mut ids = crate::ids::Ids;
    let mut ctx = Ctx {
        now: api.now,
        livemode: api.caller.livemode,
        ids: &mut ids,
    };
    let mut si = SetupIntent::create(params, &mut ctx)?;
    let (mut writes, declined) = if do_confirm {
        confirm(app, api, &mut si, None, return_url).await?
    } else {
        (Vec::new(), None)
    };
    writes.insert(0, Write::Insert(Versioned::new_record(&si)));
    Ok((si, writes, declined))
}

/// `GET /v1/setup_intents/{intent}`
pub async fn retrieve_setup_intent(
    State(app): State<App>,
    PathId(id): PathId,
    mut api: Api,
) -> Reply {
    let (expand, secret) = api.read(|r| {
        (
            r.expand("setup_intent", false),
            r.string("client_secret", 5000),
        )
    })?;
    let si = load::<SetupIntent>(&app, &api.caller.account, &id, None).await?;
    if secret.is_some_and(|s| s != si.value.client_secret) {
        return Err(ApiError::invalid(Some("client_secret".into()), None, "The client_secret provided does not match the client_secret associated with the SetupIntent.").into());
    }
    respond(
        &app,
        &api,
        render::setup_intent(&si.value, &app.settings.public_url),
        &expand,
    )
    .await
}

/// `POST /v1/setup_intents/{intent}`
pub async fn update_setup_intent(
    State(app): State<App>,
    PathId(id): PathId,
    mut api: Api,
) -> Reply {
    let (customer, payment_method, description, metadata, expand) = api.read(|r| {
        read_types(r);
        (
            r.string("customer", 5000),
            r.string("payment_method", 5000),
            r.string_or_clear("description", 1000),
            r.metadata("metadata", true),
            r.expand("setup_intent", false),
        )
    })?;
    let account = api.caller.account.clone();
    if let Some(c) = &customer {
        load_live::<Customer>(&app, &account, c, Some("customer")).await?;
    }
    let pm_id = match &payment_method {
        Some(p) => Some(
            resolve_payment_method(&app, &api, p, "payment_method")
                .await?
                .value
                .id,
        ),
        None => None,
    };
    let si = modify::<SetupIntent, _>(&app, &account, &id, None, |si| {
        if !si.is_open() {
            return Err(DomainError::state(
                None,
                format!(
                    "You cannot update this SetupIntent because it has a status of {}.",
                    si.status.as_str()
                ),
            )
            .into());
        }
        if let Some(c) = &customer {
            si.customer = Some(c.clone());
        }
        if let Some(p) = &pm_id {
            si.set_payment_method(p)?;
        }
        description.clone().apply_to(&mut si.description);
        metadata.apply("metadata", &mut si.metadata)?;
        Ok(Vec::new())
    })
    .await?;
    respond(
        &app,
        &api,
        render::setup_intent(&si, &app.settings.public_url),
        &expand,
    )
    .await
}

/// `POST /v1/setup_intents/{intent}/confirm`
pub async fn confirm_setup_intent(
    State(app): State<App>,
    PathId(id): PathId,
    mut api: Api,
) -> Reply {
    let (payment_method, return_url, expand) = api.read(|r| {
        r.bool("use_stripe_sdk");
        r.string("client_secret", 5000);
        (
            r.string("payment_method", 5000),
            r.string("return_url", 5000),
            r.expand("setup_intent", false),
        )
    })?;
    let account = api.caller.account.clone();
    let mut si = load::<SetupIntent>(&app, &account, &id, None).await?;
    let (mut writes, declined) = confirm(
        &app,
        &api,
        &mut si.value,
        payment_method.as_deref(),
        return_url,
    )
    .await?;
    writes.insert(0, Write::Update(si.next_record()));
    commit(&app, &account, writes).await?;
    if let Some(f) = declined {
        return Err(f);
    }
    respond(
        &app,
        &api,
        render::setup_intent(&si.value, &app.settings.public_url),
        &expand,
    )
    .await
}

/// `POST /v1/setup_intents/{intent}/cancel`
pub async fn cancel_setup_intent(
    State(app): State<App>,
    PathId(id): PathId,
    mut api: Api,
) -> Reply {
    let (reason, expand) = api.read(|r| {
        (
            r.enumeration(
                "cancellation_reason",
                &["abandoned", "duplicate", "requested_by_customer"],
            ),
            r.expand("setup_intent", false),
        )
    })?;
    let account = api.caller.account.clone();
    let si = modify::<SetupIntent, _>(&app, &account, &id, None, |si| {
        let token = si.auth_token.clone();
        si.cancel(reason.map(str::to_owned))?;
        Ok(token
            .map(|t| vec![Write::DeleteToken(token_hash(&t))])
            .unwrap_or_default())
    })
    .await?;
    respond(
        &app,
        &api,
        render::setup_intent(&si, &app.settings.public_url),
        &expand,
    )
    .await
}

/// `GET /v1/setup_intents`
pub async fn list_setup_intents(State(app): State<App>, mut api: Api) -> Reply {
    let (params, customer, pm, created) = api.read(|r| {
        r.bool("attach_to_self");
        (
            read_list_params(r, "setup_intent"),
            r.string("customer", 5000),
            r.string("payment_method", 5000),
            read_created(r),
        )
    })?;
    let mut filters = created_filters(created);
    if let Some(c) = customer {
        filters.push(Filter::Parent(c));
    }
    if let Some(p) = pm {
        filters.push(Filter::Lookup(p));
    }
    list(
        &app,
        &api,
        "setup_intent",
        "/v1/setup_intents",
        filters,
        params,
    )
    .await
}

/// The writes that attach a set-up payment method after the hosted page approved it.
/// The writes a SetupIntent's success makes on the subscription it was made for
/// (`pending_setup_intent`): nothing is pending any more, and under
/// `save_default_payment_method=on_subscription` the card becomes the subscription's default.
pub async fn settle_subscription(
    app: &App,
    account: &AccountId,
    si: &SetupIntent,
    pm_id: &str,
) -> Result<Vec<Write>, Failure> {
    let Some(id) = &si.subscription else {
        return Ok(Vec::new());
    };
    let Some(mut sub) = portico_store::get::<Subscription>(&*app.store, account, id).await? else {
        return Ok(Vec::new());
    };
    if sub.value.pending_setup_intent.as_deref() != Some(si.id.as_str()) {
        return Ok(Vec::new());
    }
    sub.value.pending_setup_intent = None;
    if sub.value.save_default_payment_method && !sub.value.status.is_ended() {
        sub.value.default_payment_method = Some(pm_id.to_owned());
    }
    Ok(vec![Write::Update(sub.next_record())])
}

pub fn attach_after_authentication(
    si: &SetupIntent,
    pm: &mut Versioned<PaymentMethod>,
) -> Result<Write, Failure> {
    if let Some(c) = &si.customer {
        if !pm.value.belongs_to(c) {
            pm.value.set_up = true;
            return attach_writes(pm, c);
        }
    }
    pm.value.set_up = true;
    Ok(Write::Update(pm.next_record()))
}

//! `/v1/promotion_codes`: create, retrieve, update (active, metadata), list.

use crate::http::{Api, Failure, PathId, Reply};
use crate::objects::active_filter;
use crate::objects::{created_filters, list, load, load_live, respond, with_retries};
use crate::state::App;
use axum::extract::State;
use portico_domain::coupon::Coupon;
use portico_domain::customer::Customer;
use portico_domain::promotion_code::{code_key, PromotionCode, PromotionCodeCreate, Restrictions};
use portico_domain::Ctx;
use portico_store::{Filter, StoreError, Versioned, Write};
use portico_wire::list::{read_created, read_list_params};
use portico_wire::{render, ApiError};

fn code_taken(code: &str) -> Failure {
    ApiError::invalid(
        Some("code".into()),
        None,
        format!("An active promotion code with `code: {code}` already exists."),
    )
    .into()
}

/// `POST /v1/promotion_codes`
pub async fn create_promotion_code(State(app): State<App>, mut api: Api) -> Reply {
    let (params, coupon_id, expand) = api.read(|r| {
        let mut coupon = None;
        r.require("promotion");
        r.object("promotion", |p| {
            p.require("type");
            p.enumeration("type", &["coupon"]);
            if p.require("coupon") {
                coupon = p.string("coupon", 5000);
            }
        });
        let restrictions = r
            .object("restrictions", |o| {
                let parsed = o.currency("minimum_amount_currency");
                o.unsupported(
                    "currency_options",
                    "multi-currency restrictions are not implemented.",
                );
                Restrictions {
                    first_time_transaction: o.bool("first_time_transaction").unwrap_or(false),
                    minimum_amount: o.int("minimum_amount"),
                    minimum_amount_currency: parsed,
                }
            })
            .unwrap_or_default();
        let p = PromotionCodeCreate {
            active: r.bool("active"),
            code: r.string("code", 500),
            customer: r.string("customer", 5000),
            expires_at: r.timestamp("expires_at"),
            max_redemptions: r.int("max_redemptions"),
            metadata: r.metadata("metadata", false),
            restrictions,
        };
        (
            p,
            coupon.unwrap_or_default(),
            r.expand("promotion_code", false),
        )
    })?;
    let account = api.caller.account.clone();
    let coupon = load_live::<Coupon>(&app, &account, &coupon_id, Some("promotion[coupon]")).await?;
    if let Some(c) = &params.customer {
        load_live::<Customer>(&app, &account, c, Some("customer")).await?;
    }
    let mut ids = crate::ids::Ids;
    let mut ctx = Ctx {
        now: api.now,
        livemode: api.caller.livemode,
        ids: &mut ids,
    };
    let promo = PromotionCode::create(params, &coupon.value, &mut ctx)?;
    match app
        .commit(&account, vec![Write::Insert(Versioned::new_record(&promo))])
        .await
    {
        Err(StoreError::Duplicate { what: "unique_key" }) => return Err(code_taken(&promo.code)),
        other => other?,
    }
    respond(&app, &api, render::promotion_code(&promo), &expand).await
}

/// `GET /v1/promotion_codes/{promotion_code}`
pub async fn retrieve_promotion_code(
    State(app): State<App>,
    PathId(id): PathId,
    mut api: Api,
) -> Reply {
    let expand = api.read(|r| r.expand("promotion_code", false))?;
    let promo = load::<PromotionCode>(&app, &api.caller.account, &id, None).await?;
    respond(&app, &api, render::promotion_code(&promo.value), &expand).await
}

/// `POST /v1/promotion_codes/{promotion_code}`: `active` and `metadata`.
pub async fn update_promotion_code(
    State(app): State<App>,
    PathId(id): PathId,
    mut api: Api,
) -> Reply {
    let (active, metadata, expand) = api.read(|r| {
        r.object("restrictions", |o| {
            o.unsupported(
                "currency_options",
                "multi-currency restrictions are not implemented.",
            )
        });
        (
            r.bool("active"),
            r.metadata("metadata", true),
            r.expand("promotion_code", false),
        )
    })?;
    let account = api.caller.account.clone();
    let (app_, account_, id_, metadata_) = (&app, &account, &id, &metadata);
    let promo = with_retries(|| async move {
        let mut current = load::<PromotionCode>(app_, account_, id_, None).await?;
        metadata_.apply("metadata", &mut current.value.metadata)?;
        if let Some(a) = active {
            current.value.active = a;
        }
        match app_
            .commit(account_, vec![Write::Update(current.next_record())])
            .await
        {
            // Reactivating a code whose text another active code now uses.
            Err(StoreError::Duplicate { what: "unique_key" }) => {
                return Err(code_taken(&current.value.code))
            }
            other => other?,
        }
        Ok::<_, Failure>(current.value)
    })
    .await?;
    respond(&app, &api, render::promotion_code(&promo), &expand).await
}

/// `GET /v1/promotion_codes`
pub async fn list_promotion_codes(State(app): State<App>, mut api: Api) -> Reply {
    let (params, active, code, coupon, created, customer) = api.read(|r| {
        (
            read_list_params(r, "promotion_code"),
            r.bool("active"),
            r.string("code", 500),
            r.string("coupon", 5000),
            read_created(r),
            r.string("customer", 5000),
        )
    })?;
    let mut filters = created_filters(created);
    if let Some(a) = active {
        filters.push(active_filter(a));
    }
    if let Some(c) = code {
        filters.push(Filter::Lookup(code_key(&c)));
    }
    if let Some(c) = coupon {
        filters.push(Filter::Parent(c));
    }
    if let Some(c) = customer {
        filters.push(Filter::Field("customer", c));
    }
    list(
        &app,
        &api,
        "promotion_code",
        "/v1/promotion_codes",
        filters,
        params,
    )
    .await
}

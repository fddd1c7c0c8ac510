//! `/v1/coupons`: create, retrieve, update (name, metadata), delete, list.

use crate::http::{Api, Failure, PathId, Reply};
use crate::objects::modify;
use crate::objects::{created_filters, list, load_live, no_such, respond};
use crate::state::App;
use axum::extract::State;
use portico_domain::coupon::{Coupon, CouponCreate, Duration};
use portico_domain::{Ctx, ErrorCode};
use portico_store::{StoreError, Versioned, Write};
use portico_wire::list::{read_created, read_list_params};
use portico_wire::{render, ApiError};

/// `POST /v1/coupons`
pub async fn create_coupon(State(app): State<App>, mut api: Api) -> Reply {
    let (params, expand) = api.read(|r| {
        let p = CouponCreate {
            id: r.string("id", 5000),
            amount_off: r.int("amount_off"),
            currency: r.currency("currency"),
            percent_off: r.float("percent_off"),
            duration: r
                .enumeration("duration", Duration::VALUES)
                .and_then(Duration::parse),
            duration_in_months: r.int("duration_in_months"),
            max_redemptions: r.int("max_redemptions"),
            redeem_by: r.timestamp("redeem_by"),
            applies_to: r.object("applies_to", |a| {
                a.strings("products", 5000).unwrap_or_default()
            }),
            metadata: r.metadata("metadata", true),
            name: r.string("name", 40),
        };
        r.unsupported(
            "currency_options",
            "multi-currency coupons are not implemented.",
        );
        (p, r.expand("coupon", false))
    })?;
    let account = api.caller.account.clone();
    if let Some(products) = &params.applies_to {
        for (i, p) in products.iter().enumerate() {
            if app
                .store
                .get(&account, "product", p)
                .await?
                .is_none_or(|r| r.deleted)
            {
                return Err(
                    no_such("product", p, Some(&format!("applies_to[products][{i}]"))).into(),
                );
            }
        }
    }
    let mut ids = crate::ids::Ids;
    let mut ctx = Ctx {
        now: api.now,
        livemode: api.caller.livemode,
        ids: &mut ids,
    };
    let coupon = Coupon::create(params, &mut ctx)?;
    // A deleted coupon's id can be used again: the new coupon replaces the tombstone.
    let exists = || {
        Failure::from(ApiError::invalid(
            Some("id".into()),
            Some(ErrorCode::ResourceAlreadyExists),
            "Coupon already exists.",
        ))
    };
    let write = match portico_store::get::<Coupon>(&*app.store, &account, &coupon.id).await? {
        Some(old) if old.value.deleted => Write::Update(
            Versioned {
                value: coupon.clone(),
                version: old.version,
            }
            .next_record(),
        ),
        Some(_) => return Err(exists()),
        None => Write::Insert(Versioned::new_record(&coupon)),
    };
    match app.commit(&account, vec![write]).await {
        Err(StoreError::Duplicate { .. }) => return Err(exists()),
        other => other?,
    }
    respond(&app, &api, render::coupon(&coupon, api.now), &expand).await
}

/// `GET /v1/coupons/{coupon}`
pub async fn retrieve_coupon(State(app): State<App>, PathId(id): PathId, mut api: Api) -> Reply {
    let expand = api.read(|r| r.expand("coupon", false))?;
    let coupon = load_live::<Coupon>(&app, &api.caller.account, &id, None).await?;
    respond(&app, &api, render::coupon(&coupon.value, api.now), &expand).await
}

/// `POST /v1/coupons/{coupon}`: only `name` and `metadata` change.
pub async fn update_coupon(State(app): State<App>, PathId(id): PathId, mut api: Api) -> Reply {
    let (name, metadata, expand) = api.read(|r| {
        r.unsupported(
            "currency_options",
            "multi-currency coupons are not implemented.",
        );
        (
            r.string_or_clear("name", 40),
            r.metadata("metadata", true),
            r.expand("coupon", false),
        )
    })?;
    let account = api.caller.account.clone();
    let coupon = modify::<Coupon, _>(&app, &account, &id, None, |c| {
        metadata.apply("metadata", &mut c.metadata)?;
        name.clone().apply_to(&mut c.name);
        Ok(Vec::new())
    })
    .await?;
    respond(&app, &api, render::coupon(&coupon, api.now), &expand).await
}

/// `DELETE /v1/coupons/{coupon}`: discounts already applied keep working.
pub async fn delete_coupon(State(app): State<App>, PathId(id): PathId, mut api: Api) -> Reply {
    api.read(|_| ())?;
    let account = api.caller.account.clone();
    let coupon = modify::<Coupon, _>(&app, &account, &id, None, |c| {
        c.deleted = true;
        Ok(Vec::new())
    })
    .await?;
    crate::http::ok(render::coupon(&coupon, api.now))
}

/// `GET /v1/coupons`
pub async fn list_coupons(State(app): State<App>, mut api: Api) -> Reply {
    let (params, created) = api.read(|r| (read_list_params(r, "coupon"), read_created(r)))?;
    list(
        &app,
        &api,
        "coupon",
        "/v1/coupons",
        created_filters(created),
        params,
    )
    .await
}

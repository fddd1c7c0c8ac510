//! `/v1/products`: create (with `default_price_data`), retrieve, update, delete, list.

use crate::api::price::read_price_data;
use crate::http::{Api, Failure, PathId, Reply};
use crate::objects::active_filter;
use crate::objects::{commit, created_filters, list, load, load_live, respond, with_retries};
use crate::state::App;
use axum::extract::State;
use portico_domain::price::Price;
use portico_domain::product::{PackageDimensions, Product, ProductParams};
use portico_domain::{Ctx, ErrorCode, PriceId};
use portico_store::{Filter, StoreError, Versioned, Write};
use portico_wire::list::{read_created, read_list_params};
use portico_wire::{render, ApiError, Reader};

fn read_dimensions(r: &mut Reader<'_>) -> PackageDimensions {
    for k in ["height", "length", "weight", "width"] {
        r.require(k);
    }
    PackageDimensions {
        height: r.float("height").unwrap_or(0.0),
        length: r.float("length").unwrap_or(0.0),
        weight: r.float("weight").unwrap_or(0.0),
        width: r.float("width").unwrap_or(0.0),
    }
}

fn read_features(r: &mut Reader<'_>) -> String {
    r.required_string("name", 5000)
}

/// `POST /v1/products`
pub async fn create_product(State(app): State<App>, mut api: Api) -> Reply {
    let (params, price_data, expand) = api.read(|r| {
        let name = r.required_string("name", 5000);
        let p = ProductParams {
            active: r.bool("active"),
            description: r
                .string("description", 40000)
                .map(portico_domain::Patch::Set)
                .unwrap_or_default(),
            id: r.string("id", 5000),
            images: r
                .strings("images", 2048)
                .map(portico_domain::Patch::Set)
                .unwrap_or_default(),
            marketing_features: r
                .list("marketing_features", read_features)
                .map(portico_domain::Patch::Set)
                .unwrap_or_default(),
            metadata: r.metadata("metadata", false),
            name: Some(name),
            package_dimensions: r
                .object("package_dimensions", read_dimensions)
                .map(portico_domain::Patch::Set)
                .unwrap_or_default(),
            shippable: r.bool("shippable"),
            statement_descriptor: r.string("statement_descriptor", 22),
            tax_code: r
                .string("tax_code", 5000)
                .map(portico_domain::Patch::Set)
                .unwrap_or_default(),
            unit_label: r
                .string("unit_label", 12)
                .map(portico_domain::Patch::Set)
                .unwrap_or_default(),
            url: r
                .string("url", 5000)
                .map(portico_domain::Patch::Set)
                .unwrap_or_default(),
            default_price: None,
        };
        let price_data = r.object("default_price_data", |d| {
            read_price_data(d, "default_price_data")
        });
        (p, price_data, r.expand("product", false))
    })?;
    let mut ids = crate::ids::Ids;
    let mut ctx = Ctx {
        now: api.now,
        livemode: api.caller.livemode,
        ids: &mut ids,
    };
    let mut product = Product::create(params, &mut ctx)?;
    let mut writes = Vec::new();
    let mut price = None;
    if let Some(data) = price_data {
        let p = Price::create(data, &product, &mut ctx)
            .map_err(|e| e.nested_under("default_price_data"))?;
        product.default_price = Some(p.id.clone());
        price = Some(p);
    }
    writes.push(Write::Insert(Versioned::new_record(&product)));
    if let Some(p) = &price {
        writes.push(Write::Insert(Versioned::new_record(p)));
    }
    match app.commit(&api.caller.account, writes).await {
        Err(StoreError::Duplicate { what: "id" }) => {
            return Err(ApiError::invalid(
                Some("id".into()),
                Some(ErrorCode::ResourceAlreadyExists),
                format!(
                    "Product already exists: a product with the id '{}' exists in this account.",
                    product.id
                ),
            )
            .into())
        }
        other => other?,
    }
    respond(&app, &api, render::product(&product), &expand).await
}

/// `GET /v1/products/{id}`
pub async fn retrieve_product(State(app): State<App>, PathId(id): PathId, mut api: Api) -> Reply {
    let expand = api.read(|r| r.expand("product", false))?;
    let product = load_live::<Product>(&app, &api.caller.account, &id, None).await?;
    respond(&app, &api, render::product(&product.value), &expand).await
}

/// `POST /v1/products/{id}`
pub async fn update_product(State(app): State<App>, PathId(id): PathId, mut api: Api) -> Reply {
    let (params, expand) = api.read(|r| {
        let p = ProductParams {
            active: r.bool("active"),
            default_price: r.string("default_price", 5000).map(PriceId),
            description: r.string_or_clear("description", 40000),
            images: r.strings_or_clear("images", 2048),
            marketing_features: r.list_or_clear("marketing_features", read_features),
            metadata: r.metadata("metadata", true),
            name: r.string("name", 5000),
            package_dimensions: r.object_or_clear("package_dimensions", read_dimensions),
            shippable: r.bool("shippable"),
            statement_descriptor: r.string("statement_descriptor", 22),
            tax_code: r.string_or_clear("tax_code", 5000),
            unit_label: r.string_or_clear("unit_label", 12),
            url: r.string_or_clear("url", 5000),
            id: None,
        };
        (p, r.expand("product", false))
    })?;
    let account = api.caller.account.clone();
    let (app_, account_, id_, params_, now) = (&app, &account, &id, &params, api.now);
    let product = with_retries(|| async move {
        let mut current = load_live::<Product>(app_, account_, id_, None).await?;
        let mut writes = Vec::new();
        if let Some(price_id) = &params_.default_price {
            let price =
                load::<Price>(app_, account_, price_id.as_str(), Some("default_price")).await?;
            current.value.check_default_price(&price.value)?;
            // The check read the price: commit it again so a concurrent archive loses the race.
            writes.push(Write::Update(price.next_record()));
        }
        current.value.update(params_.clone(), now)?;
        writes.insert(0, Write::Update(current.next_record()));
        commit(app_, account_, writes).await?;
        Ok::<_, Failure>(current.value)
    })
    .await?;
    respond(&app, &api, render::product(&product), &expand).await
}

/// `DELETE /v1/products/{id}`: only a product without prices can be deleted.
pub async fn delete_product(State(app): State<App>, PathId(id): PathId, mut api: Api) -> Reply {
    api.read(|_| ())?;
    let account = api.caller.account.clone();
    let (app_, account_, id_) = (&app, &account, &id);
    let product = with_retries(|| async move {
        let mut current = load_live::<Product>(app_, account_, id_, None).await?;
        let has_prices = app_.store.has_children(account_, "price", id_).await?;
        current.value.delete(has_prices)?;
        commit(app_, account_, vec![Write::Update(current.next_record())]).await?;
        Ok::<_, Failure>(current.value)
    })
    .await?;
    crate::http::ok(render::product(&product))
}

/// `GET /v1/products`
pub async fn list_products(State(app): State<App>, mut api: Api) -> Reply {
    let (params, active, created, ids, shippable, url) = api.read(|r| {
        (
            read_list_params(r, "product"),
            r.bool("active"),
            read_created(r),
            r.strings("ids", 5000),
            r.bool("shippable"),
            r.string("url", 5000),
        )
    })?;
    let mut filters = created_filters(created);
    if let Some(a) = active {
        filters.push(active_filter(a));
    }
    if let Some(ids) = ids {
        if ids.len() > 100 {
            return Err(ApiError::invalid(
                Some("ids".into()),
                None,
                "Invalid ids: you can specify up to 100 product ids.",
            )
            .into());
        }
        filters.push(Filter::IdIn(ids));
    }
    if let Some(s) = shippable {
        filters.push(Filter::Field("shippable", s.to_string()));
    }
    if let Some(u) = url {
        filters.push(Filter::Field("url", u));
    }
    list(&app, &api, "product", "/v1/products", filters, params).await
}

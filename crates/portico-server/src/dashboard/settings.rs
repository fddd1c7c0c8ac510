//! Portal settings: every portal configuration of the account, each editable feature by feature
//! (saved through `POST /v1/billing_portal/configurations/{id}`, so with the API's validation
//! and its `billing_portal.configuration.updated` event), the default one, and the account's
//! branding, with a preview of the portal homepage they make.

use super::{error_page, pairs, render, s, Dash, Form, Layout, Signed};
use askama::Template;
use axum::extract::{Multipart, Path, Query};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use portico_domain::branding::{Branding, BrandingUpdate, Logo};
use portico_domain::portal::{
    CANCEL_MODES, CANCEL_REASONS, CUSTOMER_FIELDS, PRORATIONS, SCHEDULE_CONDITIONS,
    SUBSCRIPTION_UPDATES, TRIAL_UPDATE_BEHAVIORS,
};
use serde::Deserialize;
use serde_json::Value;

/// A configuration in the list.
pub struct ConfigRow {
    pub id: String,
    pub name: String,
    pub is_default: bool,
    pub active: bool,
    pub updated: String,
}

#[derive(Template)]
#[template(path = "dashboard/settings.html")]
struct IndexPage {
    l: Layout,
    configs: Vec<ConfigRow>,
    branding: BrandingView,
    /// Where the branding form leads back to.
    back: String,
    notice: Option<String>,
    error: Option<String>,
}

/// The branding form's values.
pub struct BrandingView {
    pub business_name: String,
    pub accent_color: String,
    pub has_logo: bool,
}

fn branding_view(b: Option<&Branding>) -> BrandingView {
    BrandingView {
        business_name: b.and_then(|b| b.business_name.clone()).unwrap_or_default(),
        accent_color: b
            .and_then(|b| b.accent_color.clone())
            .unwrap_or_else(|| crate::pages::portal::view::DEFAULT_ACCENT.into()),
        has_logo: b.is_some_and(|b| b.logo.is_some()),
    }
}

#[derive(Deserialize, Default)]
pub struct Notice {
    notice: Option<String>,
    error: Option<String>,
}

fn notice_text(n: Option<&str>) -> Option<String> {
    Some(
        match n? {
            "saved" => "Saved. New portal sessions use these settings; open ones keep theirs.",
            "branding" => "Branding saved. Every portal page of this account shows it.",
            "default" => "This configuration is now the default: sessions made without one use it.",
            "created" => "Configuration created.",
            _ => return None,
        }
        .to_owned(),
    )
}

/// `GET /dashboard/settings`
pub async fn index(d: Dash, Query(n): Query<Notice>) -> Response {
    let app = d.app.clone();
    let r = d
        .get(
            "/v1/billing_portal/configurations",
            &pairs([("limit", "100")]),
        )
        .await;
    let configs = r.body["data"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|c| ConfigRow {
                    id: s(c, "id").to_owned(),
                    name: s(c, "name").to_owned(),
                    is_default: c["is_default"] == Value::Bool(true),
                    active: c["active"] == Value::Bool(true),
                    updated: super::stamp_of(&c["updated"]),
                })
                .collect()
        })
        .unwrap_or_default();
    let branding = crate::operator::branding(&app, d.account())
        .await
        .ok()
        .flatten();
    render(
        StatusCode::OK,
        &IndexPage {
            l: d.layout("Portal settings", "settings"),
            configs,
            branding: branding_view(branding.as_ref()),
            back: "/dashboard/settings".into(),
            notice: notice_text(n.notice.as_deref()),
            error: n.error.filter(|e| e.len() < 500),
        },
    )
}

/// `POST /dashboard/settings/new`: a configuration like the default one, to edit.
pub async fn create(Signed(d, _): Signed) -> Response {
    let r = d
        .post(
            "/v1/billing_portal/configurations",
            &pairs([
                ("name", "New configuration"),
                ("features[invoice_history][enabled]", "true"),
                ("features[payment_method_update][enabled]", "true"),
            ]),
        )
        .await;
    match r.error() {
        Some(e) => back_to_index(&e),
        None => Redirect::to(&format!(
            "/dashboard/settings/{}?notice=created",
            s(&r.body, "id")
        ))
        .into_response(),
    }
}

fn back_to_index(error: &str) -> Response {
    Redirect::to(&format!(
        "/dashboard/settings?error={}",
        url::form_urlencoded::byte_serialize(error.as_bytes()).collect::<String>()
    ))
    .into_response()
}

/// `POST /dashboard/settings/{id}/default`
pub async fn make_default(Path(id): Path<String>, Signed(d, _): Signed) -> Response {
    let app = d.app.clone();
    let now = app.clock.now();
    match crate::operator::set_default_configuration(&app, d.account(), &id, now).await {
        Ok(_) => Redirect::to(&format!("/dashboard/settings/{id}?notice=default")).into_response(),
        Err(f) => back_to_index(&f.error.message),
    }
}

/// A product the plan-switching section offers, with its recurring prices.
pub struct ProductChoice {
    pub id: String,
    pub name: String,
    /// (price id, label, offered)
    pub prices: Vec<(String, String, bool)>,
    pub adjustable: bool,
    pub minimum: String,
    pub maximum: String,
}

/// An option of a group of checkboxes or a select.
pub struct Choice {
    pub value: &'static str,
    pub label: String,
    pub on: bool,
}

fn choices(all: &[&'static str], on: &Value) -> Vec<Choice> {
    let on: Vec<&str> = match on {
        Value::Array(a) => a
            .iter()
            .map(|v| v.as_str().unwrap_or_else(|| s(v, "type")))
            .collect(),
        Value::String(v) => vec![v.as_str()],
        _ => Vec::new(),
    };
    all.iter()
        .map(|v| Choice {
            value: v,
            label: v.replace('_', " "),
            on: on.contains(v),
        })
        .collect()
}

#[derive(Template)]
#[template(path = "dashboard/configuration.html")]
struct EditPage {
    l: Layout,
    id: String,
    c: Value,
    is_default: bool,
    customer_fields: Vec<Choice>,
    cancel_modes: Vec<Choice>,
    cancel_proration: Vec<Choice>,
    reasons: Vec<Choice>,
    update_kinds: Vec<Choice>,
    update_proration: Vec<Choice>,
    conditions: Vec<Choice>,
    trial: Vec<Choice>,
    products: Vec<ProductChoice>,
    branding: BrandingView,
    back: String,
    brand_css: Option<String>,
    notice: Option<String>,
    error: Option<String>,
    login_url: Option<String>,
}

impl EditPage {
    /// Whether a boolean field of the configuration is on (`path` like `features.invoice_history.enabled`).
    fn on(&self, path: &str) -> bool {
        let mut v = &self.c;
        for part in path.split('.') {
            v = &v[part];
        }
        *v == Value::Bool(true)
    }

    /// A text field of the configuration.
    fn text(&self, path: &str) -> String {
        let mut v = &self.c;
        for part in path.split('.') {
            v = &v[part];
        }
        v.as_str().unwrap_or_default().to_owned()
    }

    fn checked(&self, path: &str) -> &'static str {
        if self.on(path) {
            "checked"
        } else {
            ""
        }
    }
}

/// `GET /dashboard/settings/{id}`
pub async fn edit(d: Dash, Path(id): Path<String>, Query(n): Query<Notice>) -> Response {
    edit_page(
        &d,
        &id,
        notice_text(n.notice.as_deref()),
        n.error.filter(|e| e.len() < 500),
        StatusCode::OK,
    )
    .await
}

async fn edit_page(
    d: &Dash,
    id: &str,
    notice: Option<String>,
    error: Option<String>,
    status: StatusCode,
) -> Response {
    let r = d
        .get(&format!("/v1/billing_portal/configurations/{id}"), &[])
        .await;
    if !r.ok() {
        return r.failure_page();
    }
    let c = r.body;
    let f = &c["features"];
    let offered = &f["subscription_update"]["products"];
    let products = products(d, offered).await;
    let branding = crate::operator::branding(&d.app, d.account())
        .await
        .ok()
        .flatten();
    let brand_css = branding
        .as_ref()
        .and_then(|b| b.accent_color.as_ref())
        .map(|c| format!("/p/brand.css?accent={}", c.trim_start_matches('#')));
    let page = EditPage {
        l: d.layout(
            c["name"]
                .as_str()
                .unwrap_or("Portal configuration")
                .to_owned(),
            "settings",
        ),
        id: id.to_owned(),
        is_default: c["is_default"] == Value::Bool(true),
        customer_fields: choices(CUSTOMER_FIELDS, &f["customer_update"]["allowed_updates"]),
        cancel_modes: choices(CANCEL_MODES, &f["subscription_cancel"]["mode"]),
        cancel_proration: choices(PRORATIONS, &f["subscription_cancel"]["proration_behavior"]),
        reasons: choices(
            CANCEL_REASONS,
            &f["subscription_cancel"]["cancellation_reason"]["options"],
        ),
        update_kinds: choices(
            SUBSCRIPTION_UPDATES,
            &f["subscription_update"]["default_allowed_updates"],
        ),
        update_proration: choices(PRORATIONS, &f["subscription_update"]["proration_behavior"]),
        conditions: choices(
            SCHEDULE_CONDITIONS,
            &f["subscription_update"]["schedule_at_period_end"]["conditions"],
        ),
        trial: choices(
            TRIAL_UPDATE_BEHAVIORS,
            &f["subscription_update"]["trial_update_behavior"],
        ),
        products,
        branding: branding_view(branding.as_ref()),
        back: format!("/dashboard/settings/{id}"),
        brand_css,
        notice,
        error,
        login_url: c["login_page"]["url"].as_str().map(str::to_owned),
        c,
    };
    render(status, &page)
}

/// The account's active products with recurring prices, marked with what `offered` offers.
async fn products(d: &Dash, offered: &Value) -> Vec<ProductChoice> {
    let products = d
        .get(
            "/v1/products",
            &pairs([("active", "true"), ("limit", "100")]),
        )
        .await;
    let prices = d
        .get(
            "/v1/prices",
            &pairs([("active", "true"), ("type", "recurring"), ("limit", "100")]),
        )
        .await;
    let offered: Vec<&Value> = offered
        .as_array()
        .map(|a| a.iter().collect())
        .unwrap_or_default();
    let empty = Vec::new();
    let prices = prices.body["data"].as_array().unwrap_or(&empty);
    // The products already offered first, in the configuration's order (saving keeps it).
    let mut all: Vec<&Value> = products.body["data"]
        .as_array()
        .unwrap_or(&empty)
        .iter()
        .collect();
    all.sort_by_key(|p| {
        offered
            .iter()
            .position(|o| s(o, "product") == s(p, "id"))
            .unwrap_or(usize::MAX)
    });
    all.into_iter()
        .filter_map(|p| {
            let id = s(p, "id");
            let mine = offered.iter().find(|o| s(o, "product") == id);
            let on: Vec<&str> = mine
                .and_then(|o| o["prices"].as_array())
                .map(|a| a.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            let list: Vec<(String, String, bool)> = prices
                .iter()
                .filter(|pr| s(pr, "product") == id)
                .map(|pr| {
                    let pid = s(pr, "id").to_owned();
                    let amount = super::price_amount(pr);
                    let every = s(&pr["recurring"], "interval");
                    let label = format!("{amount} / {every}");
                    let is_on = on.contains(&pid.as_str());
                    (pid, label, is_on)
                })
                .collect();
            if list.is_empty() {
                return None;
            }
            let q = mine.map(|o| &o["adjustable_quantity"]);
            Some(ProductChoice {
                id: id.to_owned(),
                name: s(p, "name").to_owned(),
                prices: list,
                adjustable: q.is_some_and(|q| q["enabled"] == Value::Bool(true)),
                minimum: q
                    .and_then(|q| q["minimum"].as_i64())
                    .map(|v| v.to_string())
                    .unwrap_or_default(),
                maximum: q
                    .and_then(|q| q["maximum"].as_i64())
                    .map(|v| v.to_string())
                    .unwrap_or_default(),
            })
        })
        .collect()
}

/// The API parameters of a submitted configuration form.
fn params(form: &Form, is_default: bool) -> Vec<(String, String)> {
    let mut p: Vec<(String, String)> = Vec::new();
    let mut put = |k: &str, v: String| p.push((k.to_owned(), v));
    let flag = |name: &str| if form.checked(name) { "true" } else { "false" }.to_owned();
    put("name", form.text("name").unwrap_or_default());
    put(
        "default_return_url",
        form.text("default_return_url").unwrap_or_default(),
    );
    if !is_default {
        put("active", flag("active"));
    }
    for f in ["headline", "privacy_policy_url", "terms_of_service_url"] {
        put(
            &format!("business_profile[{f}]"),
            form.text(f).unwrap_or_default(),
        );
    }
    put("login_page[enabled]", flag("login_page"));
    put(
        "features[invoice_history][enabled]",
        flag("invoice_history"),
    );
    put(
        "features[payment_method_update][enabled]",
        flag("payment_method_update"),
    );
    let list = |put: &mut dyn FnMut(&str, String), key: &str, values: Vec<String>, sub: &str| {
        if values.is_empty() {
            put(key, String::new());
        }
        for (i, v) in values.into_iter().enumerate() {
            put(&format!("{key}[{i}]{sub}"), v);
        }
    };
    const CU: &str = "features[customer_update]";
    put(&format!("{CU}[enabled]"), flag("customer_update"));
    list(
        &mut put,
        &format!("{CU}[allowed_updates]"),
        form.all("allowed_updates"),
        "",
    );
    const SC: &str = "features[subscription_cancel]";
    put(&format!("{SC}[enabled]"), flag("subscription_cancel"));
    if let Some(m) = form.text("cancel_mode") {
        put(&format!("{SC}[mode]"), m);
    }
    if let Some(m) = form.text("cancel_proration") {
        put(&format!("{SC}[proration_behavior]"), m);
    }
    put(
        &format!("{SC}[cancellation_reason][enabled]"),
        flag("reasons_enabled"),
    );
    list(
        &mut put,
        &format!("{SC}[cancellation_reason][options]"),
        form.all("reasons"),
        "",
    );
    const SU: &str = "features[subscription_update]";
    put(&format!("{SU}[enabled]"), flag("subscription_update"));
    list(
        &mut put,
        &format!("{SU}[default_allowed_updates]"),
        form.all("update_kinds"),
        "",
    );
    if let Some(m) = form.text("update_proration") {
        put(&format!("{SU}[proration_behavior]"), m);
    }
    if let Some(m) = form.text("trial_update_behavior") {
        put(&format!("{SU}[trial_update_behavior]"), m);
    }
    // Once set, Stripe's API has no way back to "not set"; an empty choice leaves it alone.
    if let Some(m) = form.text("billing_cycle_anchor") {
        put(&format!("{SU}[billing_cycle_anchor]"), m);
    }
    list(
        &mut put,
        &format!("{SU}[schedule_at_period_end][conditions]"),
        form.all("conditions"),
        "[type]",
    );
    // Plan switching: `price` values are `prod_…/price_…`, grouped by product.
    let mut products: Vec<(String, Vec<String>)> = Vec::new();
    for v in form.all("price") {
        let Some((product, price)) = v.split_once('/') else {
            continue;
        };
        match products.iter_mut().find(|(p, _)| p == product) {
            Some((_, prices)) => prices.push(price.to_owned()),
            None => products.push((product.to_owned(), vec![price.to_owned()])),
        }
    }
    if products.is_empty() {
        put(&format!("{SU}[products]"), String::new());
    }
    for (i, (product, prices)) in products.iter().enumerate() {
        let base = format!("{SU}[products][{i}]");
        put(&format!("{base}[product]"), product.clone());
        for (j, price) in prices.iter().enumerate() {
            put(&format!("{base}[prices][{j}]"), price.clone());
        }
        let adjustable = form.checked(&format!("qty_{product}"));
        put(
            &format!("{base}[adjustable_quantity][enabled]"),
            adjustable.to_string(),
        );
        if adjustable {
            for bound in ["minimum", "maximum"] {
                if let Some(v) = form.text(&format!("{bound}_{product}")) {
                    put(&format!("{base}[adjustable_quantity][{bound}]"), v);
                }
            }
        }
    }
    p
}

/// `POST /dashboard/settings/{id}`: saves the whole form through the API.
pub async fn save(Path(id): Path<String>, Signed(d, form): Signed) -> Response {
    let current = d
        .get(&format!("/v1/billing_portal/configurations/{id}"), &[])
        .await;
    if !current.ok() {
        return current.failure_page();
    }
    let is_default = current.body["is_default"] == Value::Bool(true);
    let r = d
        .post(
            &format!("/v1/billing_portal/configurations/{id}"),
            &params(&form, is_default),
        )
        .await;
    match r.error() {
        // The stored settings stay as they were; say which parameter the API refused.
        Some(e) => edit_page(&d, &id, None, Some(e), StatusCode::BAD_REQUEST).await,
        None => Redirect::to(&format!("/dashboard/settings/{id}?notice=saved")).into_response(),
    }
}

/// `POST /dashboard/settings/branding` (multipart: the logo is a file).
pub async fn branding(d: Dash, mut multipart: Multipart) -> Response {
    let app = d.app.clone();
    let mut fields: Vec<(String, String)> = Vec::new();
    let mut logo: Option<(String, Vec<u8>)> = None;
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(_) => return back_to_index("The branding form did not arrive whole; try again."),
        };
        let name = field.name().unwrap_or_default().to_owned();
        if name == "logo" {
            let content_type = field.content_type().unwrap_or_default().to_owned();
            let bytes = match field.bytes().await {
                Ok(b) => b,
                Err(_) => return back_to_index("The logo did not arrive whole; try again."),
            };
            if !bytes.is_empty() {
                logo = Some((content_type, bytes.to_vec()));
            }
        } else {
            let text = field.text().await.unwrap_or_default();
            fields.push((name, text));
        }
    }
    let form = Form(fields);
    if !d.csrf_ok(&form) {
        return error_page(
            StatusCode::FORBIDDEN,
            "This form has expired. Go back, reload the page and try again.",
        );
    }
    let logo = match logo {
        _ if form.checked("remove_logo") => Some(None),
        Some((content_type, bytes)) => {
            if bytes.len() > portico_domain::branding::MAX_LOGO_BYTES {
                return back_to_index(&format!(
                    "The logo is too large: at most {} KiB.",
                    portico_domain::branding::MAX_LOGO_BYTES / 1024
                ));
            }
            use base64::Engine;
            Some(Some(Logo {
                content_type,
                data: base64::engine::general_purpose::STANDARD.encode(bytes),
            }))
        }
        None => None,
    };
    let update = BrandingUpdate {
        business_name: Some(form.text("business_name")),
        accent_color: Some(form.text("accent_color")),
        logo,
    };
    let back = form
        .text("back")
        .filter(|b| b.starts_with("/dashboard/settings"))
        .unwrap_or_else(|| "/dashboard/settings".into());
    match crate::operator::set_branding(&app, d.account(), update, app.clock.now()).await {
        Ok(_) => Redirect::to(&format!("{back}?notice=branding")).into_response(),
        Err(f) => back_to_index(&f.error.message),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(pairs: &[(&str, &str)]) -> Form {
        Form(
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
        )
    }

    fn get<'a>(p: &'a [(String, String)], k: &str) -> Vec<&'a str> {
        p.iter()
            .filter(|(key, _)| key == k)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    #[test]
    fn unticked_boxes_turn_features_off_and_clear_lists() {
        let p = params(&form(&[("csrf", "x"), ("name", " Main ")]), true);
        assert_eq!(get(&p, "name"), ["Main"]);
        assert_eq!(get(&p, "features[subscription_cancel][enabled]"), ["false"]);
        assert_eq!(get(&p, "features[customer_update][allowed_updates]"), [""]);
        assert_eq!(get(&p, "features[subscription_update][products]"), [""]);
        assert_eq!(
            get(
                &p,
                "features[subscription_update][schedule_at_period_end][conditions]"
            ),
            [""]
        );
        // The default configuration is always active; the form does not send it.
        assert!(get(&p, "active").is_empty());
        assert!(p.iter().all(|(k, _)| k != "csrf"));
    }

    #[test]
    fn plan_switching_groups_prices_by_product() {
        let p = params(
            &form(&[
                ("subscription_update", "on"),
                ("price", "prod_a/price_1"),
                ("price", "prod_b/price_3"),
                ("price", "prod_a/price_2"),
                ("qty_prod_b", "on"),
                ("minimum_prod_b", "2"),
                ("maximum_prod_b", ""),
                ("conditions", "shortening_interval"),
                ("cancel_mode", "immediately"),
            ]),
            false,
        );
        let su = "features[subscription_update]";
        assert_eq!(get(&p, &format!("{su}[products][0][product]")), ["prod_a"]);
        assert_eq!(
            get(&p, &format!("{su}[products][0][prices][1]")),
            ["price_2"]
        );
        assert_eq!(
            get(&p, &format!("{su}[products][1][prices][0]")),
            ["price_3"]
        );
        assert_eq!(
            get(
                &p,
                &format!("{su}[products][1][adjustable_quantity][minimum]")
            ),
            ["2"]
        );
        assert!(get(
            &p,
            &format!("{su}[products][1][adjustable_quantity][maximum]")
        )
        .is_empty());
        assert_eq!(
            get(
                &p,
                &format!("{su}[schedule_at_period_end][conditions][0][type]")
            ),
            ["shortening_interval"]
        );
        assert_eq!(
            get(&p, "features[subscription_cancel][mode]"),
            ["immediately"]
        );
        assert_eq!(get(&p, "active"), ["false"]);
    }
}

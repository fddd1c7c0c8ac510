//! Canceling a subscription: what ends and when (per `features.subscription_cancel.mode`), the
//! session's retention offer if it has one (taking it applies the coupon and keeps the
//! subscription), the reason survey if enabled, then the cancellation itself — through the
//! same engine as `POST /v1/subscriptions/{id}` (`cancel_at_period_end`) or
//! `DELETE /v1/subscriptions/{id}` (with `prorate` under `create_prorations`).

use super::home::own_subscription;
use super::view::{plan_of, plan_price, Layout};
use super::{Page, Portal};
use crate::api::subscription::{cancel_writes, set_discounts, DiscountRequest};
use crate::http::Failure;
use crate::objects::with_retries;
use crate::state::App;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use portico_domain::coupon::{Coupon, Duration};
use portico_domain::portal::Outcome;
use portico_domain::subscription::{CancellationDetails, Subscription};
use portico_store::{Versioned, Write};
use std::collections::HashMap;

/// The longest comment kept (`cancellation_details.comment`).
const MAX_COMMENT: usize = 5000;

#[derive(Template)]
#[template(path = "portal/cancel.html")]
struct CancelPage {
    l: Layout,
    /// `summary`, `offer` or `reason`.
    step: &'static str,
    product: String,
    price: String,
    /// What ends and when.
    consequence: String,
    credit_note: Option<String>,
    offer: Option<OfferView>,
    /// (value, label) of each reason offered.
    reasons: Vec<(String, String)>,
    error: Option<String>,
    /// Where "keep my subscription" leads.
    keep_url: String,
}

struct OfferView {
    headline: String,
    detail: String,
}

/// The session's retention coupon for this subscription, if it still applies.
async fn retention(p: &Portal, sub: &Subscription) -> Result<Option<Coupon>, Failure> {
    let Some(id) = p
        .session
        .value
        .open_flow()
        .and_then(|f| f.subscription_cancel.as_ref())
        .filter(|c| c.subscription == sub.id)
        .and_then(|c| c.retention_coupon.clone())
    else {
        return Ok(None);
    };
    let coupon = portico_store::get::<Coupon>(&*p.app.store, &p.caller.account, &id)
        .await?
        .map(|c| c.value)
        .filter(|c| !c.deleted);
    let currency = portico_domain::Currency::parse(&sub.currency);
    Ok(coupon.filter(|c| {
        c.check_applicable(p.now, currency.as_ref(), "coupon")
            .is_ok()
    }))
}

/// `20% off for 3 months`, and what the plan then costs.
fn offer_view(p: &Portal, c: &Coupon, sub: &Subscription) -> OfferView {
    let t = &p.t;
    let off = match (c.percent_off, c.amount_off) {
        (Some(pct), _) => t.f(
            "offer-percent-off",
            vec![("percent", format_percent(pct).into())],
        ),
        (None, Some(a)) => t.f(
            "offer-amount-off",
            vec![("amount", t.money(a, &sub.currency).into())],
        ),
        _ => String::new(),
    };
    let when = match c.duration {
        Duration::Once => t.s("offer-once"),
        Duration::Forever => t.s("offer-forever"),
        Duration::Repeating => t.f(
            "offer-months",
            vec![("months", c.duration_in_months.unwrap_or(1).into())],
        ),
    };
    OfferView {
        headline: t.f(
            "offer-headline",
            vec![("off", off.into()), ("when", when.into())],
        ),
        detail: t.s("offer-detail"),
    }
}

/// Renders `1.5` as `1.5` and `20.0` as `20`.
fn format_percent(p: f64) -> String {
    if p.fract() == 0.0 {
        format!("{}", p as i64)
    } else {
        format!("{p}")
    }
}

fn keep_url(p: &Portal) -> String {
    if p.in_flow() {
        p.session
            .value
            .return_url
            .clone()
            .unwrap_or_else(|| p.base())
    } else {
        p.base()
    }
}

async fn page_for(
    p: &Portal,
    sub: &Subscription,
    step: &str,
    error: Option<String>,
) -> Result<CancelPage, Failure> {
    let t = &p.t;
    let cfg = &p.config.features.subscription_cancel;
    let immediately = cfg.mode == "immediately";
    let plan = sub
        .items
        .first()
        .map(|i| plan_of(i, &sub.currency))
        .ok_or_else(|| Failure::from(portico_wire::ApiError::internal()))?;
    let end = sub.current_period().1;
    let consequence = if immediately {
        t.f(
            "cancel-now-consequence",
            vec![("product", plan.product.clone().into())],
        )
    } else {
        t.f(
            "cancel-end-consequence",
            vec![
                ("product", plan.product.clone().into()),
                ("date", t.date(end).into()),
            ],
        )
    };
    let credit_note = (immediately && cfg.proration_behavior == "create_prorations")
        .then(|| t.s("cancel-credit-note"));
    let offer = retention(p, sub).await?.map(|c| offer_view(p, &c, sub));
    let reasons: Vec<(String, String)> = if cfg.reasons_enabled {
        cfg.reasons
            .iter()
            .map(|r| (r.clone(), t.s(&format!("reason-{}", r.replace('_', "-")))))
            .collect()
    } else {
        Vec::new()
    };
    let step = match step {
        "offer" if offer.is_some() => "offer",
        "reason" if !reasons.is_empty() => "reason",
        _ => "summary",
    };
    let title = if step == "offer" {
        t.s("offer-title")
    } else {
        t.s("cancel-title")
    };
    Ok(CancelPage {
        l: p.layout(title),
        step,
        product: plan.product.clone(),
        price: sub
            .items
            .iter()
            .map(|i| plan_price(t, &plan_of(i, &sub.currency)))
            .collect::<Vec<_>>()
            .join(" + "),
        consequence,
        credit_note,
        offer,
        reasons,
        error,
        keep_url: keep_url(p),
    })
}

impl CancelPage {
    /// The step after the summary: the offer, the survey, or none (the summary cancels).
    fn next_step(&self) -> Option<&'static str> {
        match self.step {
            "summary" if self.offer.is_some() => Some("offer"),
            "summary" | "offer" if !self.reasons.is_empty() => Some("reason"),
            _ => None,
        }
    }
}

/// Loads the subscription for the cancel pages: the customer's, and cancelable here.
async fn cancelable(p: &Portal, sub_id: &str) -> Result<Option<Versioned<Subscription>>, Failure> {
    let sub = own_subscription(p, sub_id).await?;
    Ok(sub.filter(|s| p.config.can_cancel(&s.value)))
}

/// `GET …/subscriptions/{sub}/cancel?step=summary|offer|reason`
pub async fn show(
    State(app): State<App>,
    Path((token, sub_id)): Path<(String, String)>,
    Query(q): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let p = enter!(app, token, headers, Page::Cancel(&sub_id));
    let sub = match cancelable(&p, &sub_id).await {
        Ok(Some(s)) => s,
        Ok(None) => {
            return p.notice(
                StatusCode::NOT_FOUND,
                "cancel-unavailable-heading",
                "cancel-unavailable-body",
            )
        }
        Err(e) => return p.failed(e.error.message),
    };
    let step = q.get("step").map(String::as_str).unwrap_or("summary");
    match page_for(&p, &sub.value, step, None).await {
        Ok(page) => p.render(StatusCode::OK, &page),
        Err(e) => p.failed(e.error.message),
    }
}

/// `POST …/subscriptions/{sub}/cancel`: `action=accept_offer`, or `action=cancel` with the
/// optional `reason` and `comment`.
pub async fn submit(
    State(app): State<App>,
    Path((token, sub_id)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let mut p = enter!(app, token, headers, Page::Cancel(&sub_id));
    let Some(form) = p.checked_form(&body) else {
        return p.forged();
    };
    let sub = match cancelable(&p, &sub_id).await {
        Ok(Some(s)) => s,
        Ok(None) => {
            return p.notice(
                StatusCode::NOT_FOUND,
                "cancel-unavailable-heading",
                "cancel-unavailable-body",
            )
        }
        Err(e) => return p.failed(e.error.message),
    };
    match form.get("action") {
        Some("accept_offer") => accept_offer(&mut p, sub).await,
        Some("cancel") => {
            let cfg = &p.config.features.subscription_cancel;
            let reason = form.text("reason");
            let comment = form.text("comment");
            let bad_reason = reason
                .as_ref()
                .is_some_and(|r| !cfg.reasons_enabled || !cfg.reasons.contains(r));
            let long = comment
                .as_ref()
                .is_some_and(|c| c.chars().count() > MAX_COMMENT);
            if bad_reason || long {
                let key = if long {
                    "error-comment-too-long"
                } else {
                    "error-reason"
                };
                let message = p.t.s(key);
                return match page_for(&p, &sub.value, "reason", Some(message)).await {
                    Ok(page) => p.render(StatusCode::BAD_REQUEST, &page),
                    Err(e) => p.failed(e.error.message),
                };
            }
            let details = CancellationDetails {
                comment,
                feedback: reason,
                reason: None,
            };
            cancel(&mut p, sub, details).await
        }
        _ => p.not_found(),
    }
}

/// Cancels per the configuration's mode; the cancellation and the flow's outcome commit together.
async fn cancel(
    p: &mut Portal,
    sub: Versioned<Subscription>,
    details: CancellationDetails,
) -> Response {
    let cfg = p.config.features.subscription_cancel.clone();
    let immediately = cfg.mode == "immediately";
    let plan = match sub.value.items.first() {
        Some(i) => plan_of(i, &sub.value.currency),
        None => return p.not_found(),
    };
    let api = p.api();
    let id = sub.value.id.clone();
    let now = p.now;
    let portal = &*p;
    let (api_, id_, details_, cfg_, plan_) = (&api, &id, &details, &cfg, &plan);
    let result = with_retries(|| async move {
        let (sub, mut writes) = if immediately {
            let prorate = cfg_.proration_behavior == "create_prorations";
            cancel_writes(&portal.app, api_, id_, details_, prorate, false).await?
        } else {
            let Some(mut sub) = own_subscription(portal, id_).await? else {
                return Err(portico_wire::ApiError::internal().into());
            };
            sub.value.set_cancel_at_period_end(true, now)?;
            sub.value.cancellation_details.feedback = details_.feedback.clone();
            sub.value.cancellation_details.comment = details_.comment.clone();
            let write = Write::Update(sub.next_record());
            (sub.value, vec![write])
        };
        let at = if immediately {
            sub.ended_at.unwrap_or(now)
        } else {
            sub.current_period().1
        };
        let outcome = Outcome::Canceled {
            subscription: sub.id.clone(),
            plan: plan_.clone(),
            at,
            immediately,
        };
        writes.extend(portal.outcome_write(outcome).await?);
        crate::objects::commit(&portal.app, &portal.caller.account, writes).await?;
        Ok::<_, Failure>(())
    })
    .await;
    match result {
        Ok(()) => {
            let _ = p.reload_session().await;
            p.after_action("canceled")
        }
        Err(e) => p.failed(e.error.message),
    }
}

/// Applies the retention coupon to the subscription (as an update adding the discount would)
/// and ends the flow without canceling.
async fn accept_offer(p: &mut Portal, sub: Versioned<Subscription>) -> Response {
    let coupon = match retention(p, &sub.value).await {
        Ok(Some(c)) => c,
        Ok(None) => return p.not_found(),
        Err(e) => return p.failed(e.error.message),
    };
    let plan = match sub.value.items.first() {
        Some(i) => plan_of(i, &sub.value.currency),
        None => return p.not_found(),
    };
    let api = p.api();
    let now = p.now;
    let id = sub.value.id.clone();
    let portal = &*p;
    let (api_, id_, coupon_, plan_) = (&api, &id, &coupon, &plan);
    let result = with_retries(|| async move {
        let Some(mut sub) = own_subscription(portal, id_).await? else {
            return Err(portico_wire::ApiError::internal().into());
        };
        // The discounts the subscription has stay; the offer's coupon joins them.
        let mut requests: Vec<DiscountRequest> = sub
            .value
            .discounts
            .iter()
            .cloned()
            .map(DiscountRequest::Existing)
            .collect();
        requests.push(DiscountRequest::Coupon(coupon_.id.clone()));
        let (mut writes, _) =
            set_discounts(&portal.app, api_, &mut sub.value, &requests, now).await?;
        writes.insert(0, Write::Update(sub.next_record()));
        let outcome = Outcome::Retained {
            subscription: sub.value.id.clone(),
            plan: plan_.clone(),
            coupon: coupon_.name.clone().unwrap_or_else(|| coupon_.id.clone()),
        };
        writes.extend(portal.outcome_write(outcome).await?);
        crate::objects::commit(&portal.app, &portal.caller.account, writes).await?;
        Ok::<_, Failure>(())
    })
    .await;
    match result {
        Ok(()) => {
            let _ = p.reload_session().await;
            p.after_action("retained")
        }
        // The coupon cannot be applied after all (the same coupon twice, a limit reached).
        Err(e) if e.error.status == 400 => p.notice(
            StatusCode::CONFLICT,
            "offer-unavailable-heading",
            "offer-unavailable-body",
        ),
        Err(e) => p.failed(e.error.message),
    }
}

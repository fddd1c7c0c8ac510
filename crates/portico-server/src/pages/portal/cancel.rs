//! Canceling a subscription: what ends and when (per `features.subscription_cancel.mode`), the
//! session's retention offer if it has one (taking it applies the coupon and keeps the
//! subscription), then the cancellation itself — through the same engine as
//! `POST /v1/subscriptions/{id}` (`cancel_at_period_end`) or `DELETE /v1/subscriptions/{id}`
//! (with `prorate` under `create_prorations`) — and then, if enabled, the reason survey.
//!
//! As at Stripe, the survey comes after the cancellation: the cancellation is one
//! `customer.subscription.updated` (or `.deleted`) with `cancellation_details.reason` only, and
//! the customer's answer, if they give one, a second `customer.subscription.updated` with
//! `feedback` and `comment`. A customer who leaves at the survey has canceled.

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
use portico_domain::portal::{Outcome, PortalSession};
use portico_domain::subscription::{CancellationDetails, Subscription};
use portico_store::{Versioned, Write};
use std::collections::HashMap;

/// The longest comment kept (`cancellation_details.comment`).
const MAX_COMMENT: usize = 5000;

#[derive(Template)]
#[template(path = "portal/cancel.html")]
struct CancelPage {
    l: Layout,
    /// `summary`, `offer`, or `survey` (after the cancellation).
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
    /// The survey's answer as sent, shown again with its error.
    answer: SurveyAnswer,
}

/// A survey answer sent back with an error: the reason chosen and the comment typed stay.
#[derive(Default)]
struct SurveyAnswer {
    reason: Option<String>,
    comment: String,
    /// The comment is what the error is about.
    comment_too_long: bool,
}

struct OfferView {
    headline: String,
    detail: String,
    /// What the next invoice comes to with the offer, against without it (on the offer's own
    /// step, when the offer changes it).
    next_invoice: Option<String>,
}

/// The session's retention coupon for this subscription, if it still applies (and the
/// subscription does not have it already).
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
    // Not offered again to a subscription that already has it.
    for d in &sub.discounts {
        let held = portico_store::get::<portico_domain::discount::Discount>(
            &*p.app.store,
            &p.caller.account,
            d,
        )
        .await?;
        if held.is_some_and(|h| h.value.coupon == id) {
            return Ok(None);
        }
    }
    let currency = portico_domain::Currency::parse(&sub.currency);
    Ok(coupon.filter(|c| {
        c.check_applicable(p.now, currency.as_ref(), "coupon")
            .is_ok()
    }))
}

/// `20% off for 3 months`, and what the plan then costs.
fn offer_view(p: &Portal, c: &Coupon, sub: &Subscription) -> OfferView {
    let t = &p.t;
    let off = super::view::coupon_off(t, c, &sub.currency);
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
        next_invoice: None,
    }
}

/// What canceling `sub` now with prorations credits the customer: its unused time after its
/// discounts, as the cancellation will leave it pending; `None` when that comes to nothing.
async fn unused_time_credit(p: &Portal, sub: &Subscription) -> Result<Option<i64>, Failure> {
    let credit =
        crate::billing::unused_time_credit(&p.app, &p.caller.account, &p.customer, sub, p.now)
            .await?;
    Ok((credit > 0).then_some(credit))
}

/// "Your next invoice, on {date}, comes to {now} instead of {was}": the subscription's next
/// renewal previewed without the offer's coupon and with it, as accepting it would add it. `None`
/// when the coupon would not change that invoice (one that ends before it, say) or the
/// subscription does not renew.
async fn offer_next_invoice(
    p: &Portal,
    coupon: &Coupon,
    sub: &Subscription,
) -> Result<Option<String>, Failure> {
    let (app, account) = (&p.app, &p.caller.account);
    let Some(renewing) = crate::billing::as_it_renews(app, account, sub).await? else {
        return Ok(None);
    };
    let mut customer = p.customer.clone();
    let next_renewal = crate::api::subscription_change::next_renewal;
    let without = next_renewal(app, account, &renewing, &mut customer, &[]).await?;
    let mut ids = crate::ids::Ids;
    let mut ctx = portico_domain::Ctx {
        now: p.now,
        livemode: sub.livemode,
        ids: &mut ids,
    };
    let offered = portico_domain::discount::Discount::new(
        coupon,
        None,
        &sub.customer,
        Some(&sub.id),
        &mut ctx,
    );
    let mut with_offer = renewing.clone();
    with_offer.discounts.push(offered.id.clone());
    let with = next_renewal(app, account, &with_offer, &mut customer, &[offered]).await?;
    let (was, now) = (without.total(), with.total());
    Ok((now != was).then(|| {
        p.t.f(
            "offer-next-invoice",
            vec![
                ("date", p.t.date(sub.current_period().1).into()),
                ("now", p.t.money(now, &sub.currency).into()),
                ("was", p.t.money(was, &sub.currency).into()),
            ],
        )
    }))
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

async fn page_for(p: &Portal, sub: &Subscription, step: &str) -> Result<CancelPage, Failure> {
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
    let credit_note = if immediately && cfg.proration_behavior == "create_prorations" {
        Some(match unused_time_credit(p, sub).await? {
            Some(amount) => t.f(
                "cancel-credit-amount",
                vec![("amount", t.money(amount, &sub.currency).into())],
            ),
            None => t.s("cancel-credit-note"),
        })
    } else {
        None
    };
    let coupon = retention(p, sub).await?;
    let mut offer = coupon.as_ref().map(|c| offer_view(p, c, sub));
    let step = match step {
        "offer" if offer.is_some() => "offer",
        _ => "summary",
    };
    if let (Some(view), Some(c), "offer") = (&mut offer, &coupon, step) {
        view.next_invoice = offer_next_invoice(p, c, sub).await?;
    }
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
        // The reasons are asked for after the cancellation (see `survey_page`).
        reasons: Vec::new(),
        error: None,
        keep_url: keep_url(p),
        answer: SurveyAnswer::default(),
    })
}

/// The survey that follows a cancellation: what has ended (or will), and the reasons.
fn survey_page(
    p: &Portal,
    sub: &Subscription,
    error: Option<String>,
    answer: SurveyAnswer,
) -> CancelPage {
    let t = &p.t;
    let cfg = &p.config.features.subscription_cancel;
    let product = sub
        .items
        .first()
        .map(|i| plan_of(i, &sub.currency).product)
        .unwrap_or_default();
    let consequence = match sub.ended_at {
        Some(_) => t.f(
            "done-canceled-now",
            vec![("product", product.clone().into())],
        ),
        None => t.f(
            "done-canceled-later",
            vec![
                ("product", product.clone().into()),
                (
                    "date",
                    t.date(sub.cancel_at.unwrap_or(sub.current_period().1))
                        .into(),
                ),
            ],
        ),
    };
    CancelPage {
        l: p.layout(t.s("done-canceled-heading")),
        step: "survey",
        product,
        price: String::new(),
        consequence,
        credit_note: None,
        offer: None,
        // In the configured order, with "other" (which opens the comment) always last.
        reasons: cfg
            .reasons
            .iter()
            .filter(|r| *r != "other")
            .chain(cfg.reasons.iter().filter(|r| *r == "other"))
            .map(|r| (r.clone(), t.s(&format!("reason-{}", r.replace('_', "-")))))
            .collect(),
        error,
        keep_url: keep_url(p),
        answer,
    }
}

/// Loads the subscription for the cancel pages: the customer's, and cancelable here.
async fn cancelable(p: &Portal, sub_id: &str) -> Result<Option<Versioned<Subscription>>, Failure> {
    let sub = own_subscription(p, sub_id).await?;
    Ok(sub.filter(|s| p.config.can_cancel(&s.value)))
}

/// Whether the configuration asks why customers cancel.
fn asks_reasons(p: &Portal) -> bool {
    let cfg = &p.config.features.subscription_cancel;
    cfg.reasons_enabled && !cfg.reasons.is_empty()
}

/// Whether a subscription is canceled or set to cancel.
fn ending(s: &Subscription) -> bool {
    s.cancel_at_period_end || s.cancel_at.is_some() || s.ended_at.is_some()
}

/// Whether `session` has the survey of `sub` open, and `sub` can still take an answer: still
/// ending (not renewed since) and not answered yet.
fn survey_open(session: &PortalSession, sub: &Subscription) -> bool {
    let answered =
        sub.cancellation_details.feedback.is_some() || sub.cancellation_details.comment.is_some();
    session.survey_for.as_deref() == Some(sub.id.as_str()) && ending(sub) && !answered
}

/// Loads the subscription for the survey: one this session canceled, whose survey is open,
/// while the configuration asks for reasons.
async fn surveyable(p: &Portal, sub_id: &str) -> Result<Option<Versioned<Subscription>>, Failure> {
    if !asks_reasons(p) || p.session.value.survey_for.as_deref() != Some(sub_id) {
        return Ok(None);
    }
    let sub = own_subscription(p, sub_id).await?;
    Ok(sub.filter(|s| survey_open(&p.session.value, &s.value)))
}

/// The homepage's notice after a cancellation: canceled now, or at the period's end (the
/// subscription runs until then).
fn canceled_notice(immediately: bool) -> &'static str {
    if immediately {
        "canceled"
    } else {
        "canceling"
    }
}

/// Where the survey of `sub_id` leads when it is not open (answered, or closed): the end of
/// the flow that canceled the subscription, or the homepage if the subscription is the
/// customer's and ending; `None` for any other.
async fn survey_closed(p: &Portal, sub_id: &str) -> Result<Option<Response>, Failure> {
    if let Some(Outcome::Canceled {
        subscription,
        immediately,
        ..
    }) = &p.session.value.outcome
    {
        if subscription == sub_id {
            return Ok(Some(p.after_action(canceled_notice(*immediately))));
        }
    }
    let sub = own_subscription(p, sub_id).await?;
    Ok(sub.filter(|s| ending(&s.value)).map(|_| p.redirect("")))
}

/// Whether the session's flow is over and its pages closed (all but the survey that follows
/// a cancellation); a flow that ends on the portal's homepage opens the whole portal instead.
fn flow_closed(p: &Portal) -> bool {
    let s = &p.session.value;
    s.outcome.is_some()
        && s.flow
            .as_ref()
            .is_some_and(|f| f.after_completion.kind != "portal_homepage")
}

/// Why the cancel pages are not there for `sub_id`.
async fn unavailable(p: &Portal, sub_id: &str) -> Response {
    p.subscription_unavailable(
        sub_id,
        "cancel-unavailable-heading",
        "cancel-unavailable-body",
    )
    .await
}

/// `GET …/subscriptions/{sub}/cancel?step=summary|offer|reason` (`reason`: the survey, once
/// the subscription is canceled; before, the summary).
pub async fn show(
    State(app): State<App>,
    Path((token, sub_id)): Path<(String, String)>,
    Query(q): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let p = enter!(app, token, headers, Page::Cancel(&sub_id));
    let step = q.get("step").map(String::as_str).unwrap_or("summary");
    if step == "reason" {
        match surveyable(&p, &sub_id).await {
            Ok(Some(s)) => {
                return p.render(
                    StatusCode::OK,
                    &survey_page(&p, &s.value, None, SurveyAnswer::default()),
                )
            }
            Ok(None) => {}
            Err(e) => return p.failed(e.error.message),
        }
        match survey_closed(&p, &sub_id).await {
            Ok(Some(r)) => return r,
            Ok(None) => {}
            Err(e) => return p.failed(e.error.message),
        }
    }
    if flow_closed(&p) {
        return p.redirect("/done");
    }
    let sub = match cancelable(&p, &sub_id).await {
        Ok(Some(s)) => s,
        Ok(None) => return unavailable(&p, &sub_id).await,
        Err(e) => return p.failed(e.error.message),
    };
    match page_for(&p, &sub.value, step).await {
        Ok(page) => p.render(StatusCode::OK, &page),
        Err(e) => p.failed(e.error.message),
    }
}

/// `POST …/subscriptions/{sub}/cancel`: `action=accept_offer`, `action=cancel`, or, after the
/// cancellation, `action=feedback` with the survey's optional `reason` and `comment`.
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
    let action = form.get("action");
    if action != Some("feedback") && flow_closed(&p) {
        return p.redirect("/done");
    }
    let loaded = match action {
        Some("feedback") => surveyable(&p, &sub_id).await,
        _ => cancelable(&p, &sub_id).await,
    };
    let sub = match loaded {
        Ok(Some(s)) => s,
        // The survey was answered already (another tab) or is closed: nothing to record.
        Ok(None) if action == Some("feedback") => {
            return match survey_closed(&p, &sub_id).await {
                Ok(Some(r)) => r,
                Ok(None) => unavailable(&p, &sub_id).await,
                Err(e) => p.failed(e.error.message),
            }
        }
        Ok(None) => return unavailable(&p, &sub_id).await,
        Err(e) => return p.failed(e.error.message),
    };
    match action {
        Some("accept_offer") => accept_offer(&mut p, sub).await,
        Some("cancel") => cancel(&mut p, sub).await,
        Some("feedback") => {
            let cfg = &p.config.features.subscription_cancel;
            let reason = form.text("reason");
            // Browsers send each line break as two characters, where the field counted one.
            let comment = form.text("comment").map(|c| c.replace("\r\n", "\n"));
            let bad_reason = reason.as_ref().is_some_and(|r| !cfg.reasons.contains(r));
            let long = comment
                .as_ref()
                .is_some_and(|c| c.chars().count() > MAX_COMMENT);
            if bad_reason || long {
                let key = if long {
                    "error-comment-too-long"
                } else {
                    "error-reason"
                };
                let answer = SurveyAnswer {
                    reason: reason.filter(|_| !bad_reason),
                    comment: comment.unwrap_or_default(),
                    comment_too_long: long,
                };
                let page = survey_page(&p, &sub.value, Some(p.t.s(key)), answer);
                return p.render(StatusCode::BAD_REQUEST, &page);
            }
            feedback(&p, sub, reason, comment).await
        }
        _ => p.not_found(),
    }
}

/// Records the survey's answer on the canceled subscription, as
/// `POST /v1/subscriptions/{id}` with `cancellation_details` would, and closes the survey in
/// the same commit; no answer only closes it. Both are checked again on the state they
/// commit against, so two tabs answering at once record one answer.
async fn feedback(
    p: &Portal,
    sub: Versioned<Subscription>,
    reason: Option<String>,
    comment: Option<String>,
) -> Response {
    let id = sub.value.id.clone();
    let (id_, reason_, comment_) = (&id, &reason, &comment);
    let result = with_retries(|| async move {
        let Some(mut session) = p.stored_session().await? else {
            return Ok(());
        };
        let Some(mut sub) = own_subscription(p, id_).await? else {
            return Ok(());
        };
        if !survey_open(&session.value, &sub.value) {
            return Ok(());
        }
        session.value.survey_for = None;
        let mut writes = vec![Write::Update(session.next_record())];
        if reason_.is_some() || comment_.is_some() {
            sub.value.cancellation_details.feedback = reason_.clone();
            sub.value.cancellation_details.comment = comment_.clone();
            writes.push(Write::Update(sub.next_record()));
        }
        crate::objects::commit(&p.app, &p.caller.account, writes).await?;
        Ok::<_, Failure>(())
    })
    .await;
    match result {
        Ok(()) => p.after_action(canceled_notice(sub.value.status.is_ended())),
        Err(e) => p.failed(e.error.message),
    }
}

/// Cancels per the configuration's mode; the cancellation and the flow's outcome commit
/// together. Then the survey, if the configuration asks for reasons; else the flow's end.
async fn cancel(p: &mut Portal, sub: Versioned<Subscription>) -> Response {
    let details = CancellationDetails::default();
    let cfg = p.config.features.subscription_cancel.clone();
    let immediately = cfg.mode == "immediately";
    let plan = match sub.value.items.first() {
        Some(i) => plan_of(i, &sub.value.currency),
        None => return p.not_found(),
    };
    let api = p.api();
    let id = sub.value.id.clone();
    let now = p.now;
    let survey = asks_reasons(p);
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
            // A schedule would change or end the subscription at that time: it is released, and
            // the subscription goes on by itself to its cancellation.
            let released = crate::billing::settle_schedule(
                &portal.app,
                &portal.caller.account,
                &mut sub.value,
                now,
                true,
            )
            .await?;
            sub.value.set_cancel_at_period_end(true, now)?;
            let mut writes = vec![Write::Update(sub.next_record())];
            writes.extend(released);
            (sub.value, writes)
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
        writes.extend(canceled_session_write(portal, outcome, survey).await?);
        crate::objects::commit(&portal.app, &portal.caller.account, writes).await?;
        Ok::<_, Failure>(())
    })
    .await;
    match result {
        Ok(()) => {
            let _ = p.reload_session().await;
            if survey {
                p.redirect(&format!("/subscriptions/{id}/cancel?step=reason"))
            } else {
                p.after_action(canceled_notice(immediately))
            }
        }
        Err(e) => p.failed(e.error.message),
    }
}

/// The session as stored now, with the cancellation's outcome (inside a flow) and, when the
/// configuration asks for reasons, the survey it opens: one write, to commit with the
/// cancellation itself.
async fn canceled_session_write(
    p: &Portal,
    outcome: Outcome,
    survey: bool,
) -> Result<Option<Write>, Failure> {
    let Outcome::Canceled { subscription, .. } = &outcome else {
        return Err(portico_wire::ApiError::internal().into());
    };
    let survey_for = survey.then(|| subscription.clone());
    p.session_write(|s| {
        let opened = survey_for.is_some();
        if opened {
            s.survey_for = survey_for;
        }
        s.end_flow(outcome) || opened
    })
    .await
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

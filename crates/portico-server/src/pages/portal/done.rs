//! The hosted confirmation: what a completed flow changed, the session's `custom_message`, and
//! the way back to the app.

use super::view::{plan_price, Layout};
use super::{Page, Portal};
use crate::state::App;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use portico_domain::portal::Outcome;

#[derive(Template)]
#[template(path = "portal/done.html")]
struct DonePage {
    l: Layout,
    heading: String,
    details: Vec<String>,
    custom_message: Option<String>,
}

/// The heading and sentences that tell the customer what `outcome` changed.
pub fn describe(p: &Portal, outcome: &Outcome) -> (String, Vec<String>) {
    let t = &p.t;
    match outcome {
        Outcome::PaymentMethodUpdated { brand, last4 } => (
            t.s("done-card-heading"),
            vec![t.f(
                "done-card-body",
                vec![
                    ("brand", brand.clone().into()),
                    ("last4", last4.clone().into()),
                ],
            )],
        ),
        Outcome::Canceled {
            plan,
            at,
            immediately,
            ..
        } => {
            let product = plan.product.clone();
            let body = if *immediately {
                t.f("done-canceled-now", vec![("product", product.into())])
            } else {
                t.f(
                    "done-canceled-later",
                    vec![("product", product.into()), ("date", t.date(*at).into())],
                )
            };
            (t.s("done-canceled-heading"), vec![body])
        }
        Outcome::Retained { plan, .. } => (
            t.s("done-retained-heading"),
            vec![t.f(
                "done-retained-body",
                vec![("product", plan.product.clone().into())],
            )],
        ),
        Outcome::Updated {
            to,
            scheduled_at,
            charged,
            ..
        } => {
            let mut lines = vec![match scheduled_at {
                Some(at) => t.f(
                    "done-updated-later",
                    vec![
                        ("product", to.product.clone().into()),
                        ("price", plan_price(t, to).into()),
                        ("date", t.date(*at).into()),
                    ],
                ),
                None => t.f(
                    "done-updated-now",
                    vec![
                        ("product", to.product.clone().into()),
                        ("price", plan_price(t, to).into()),
                    ],
                ),
            }];
            if *charged > 0 {
                lines.push(t.f(
                    "done-charged",
                    vec![("amount", t.money(*charged, &to.currency).into())],
                ));
            }
            (t.s("done-updated-heading"), lines)
        }
    }
}

/// `GET …/done`
pub async fn show(
    State(app): State<App>,
    Path(token): Path<String>,
    headers: HeaderMap,
) -> Response {
    let p = enter!(app, token, headers, Page::Done);
    let Some(outcome) = p.session.value.outcome.clone() else {
        return p.redirect(&p.flow_entry());
    };
    let (heading, details) = describe(&p, &outcome);
    let custom_message = p
        .session
        .value
        .flow
        .as_ref()
        .and_then(|f| f.after_completion.custom_message.clone())
        .filter(|m| !m.trim().is_empty());
    let page = DonePage {
        l: p.layout(heading.clone()),
        heading,
        details,
        custom_message,
    };
    p.render(StatusCode::OK, &page)
}

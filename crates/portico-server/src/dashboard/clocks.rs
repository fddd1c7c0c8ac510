//! Test clocks: list, create, and advance with one click, then what the advance changed (the
//! events it produced).

use super::{events, pairs, render, s, stamp, stamp_of, Dash, Layout, Signed};
use askama::Template;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use serde_json::Value;

/// A clock as the pages show it.
pub struct ClockRow {
    pub id: String,
    pub name: String,
    pub time: String,
    pub status: String,
}

fn clock_row(c: &Value) -> ClockRow {
    ClockRow {
        id: s(c, "id").to_owned(),
        name: s(c, "name").to_owned(),
        time: stamp_of(&c["frozen_time"]),
        status: s(c, "status").to_owned(),
    }
}

#[derive(Template)]
#[template(path = "dashboard/clocks.html")]
struct ClocksPage {
    l: Layout,
    clocks: Vec<ClockRow>,
    error: Option<String>,
    /// `YYYY-MM-DDTHH:MM` for the new clock's default time (now).
    now: String,
}

/// `datetime-local` text for a Unix time (UTC).
fn local_input(t: i64) -> String {
    stamp(t)[..16].replace(' ', "T")
}

/// A Unix time from a `datetime-local` field (read as UTC).
fn parse_local(v: &str) -> Option<i64> {
    let (date, time) = v.trim().split_once('T')?;
    let mut d = date.split('-').map(|p| p.parse::<i64>().ok());
    let (y, m, day) = (d.next()??, d.next()??, d.next()??);
    let mut t = time.split(':').map(|p| p.parse::<i64>().ok());
    let (h, min) = (t.next()??, t.next()??);
    let sec = t.next().flatten().unwrap_or(0);
    if !(1..=12).contains(&m) || !(1..=31).contains(&day) || h > 23 || min > 59 || sec > 59 {
        return None;
    }
    let days = portico_domain::calendar::days_from_civil(y, m, day);
    Some(days * 86_400 + h * 3600 + min * 60 + sec)
}

async fn clocks_page(d: &Dash, error: Option<String>, status: StatusCode) -> Response {
    let r = d
        .get("/v1/test_helpers/test_clocks", &pairs([("limit", "100")]))
        .await;
    render(
        status,
        &ClocksPage {
            l: d.layout("Test clocks", "clocks"),
            clocks: r.body["data"]
                .as_array()
                .map(|a| a.iter().map(clock_row).collect())
                .unwrap_or_default(),
            error: error.or_else(|| r.error()),
            now: local_input(d.app.clock.now()),
        },
    )
}

/// `GET /dashboard/clocks`
pub async fn list(d: Dash) -> Response {
    clocks_page(&d, None, StatusCode::OK).await
}

/// `POST /dashboard/clocks`: a new clock.
pub async fn create(Signed(d, form): Signed) -> Response {
    let Some(t) = form.get("frozen_time").and_then(parse_local) else {
        return clocks_page(
            &d,
            Some("Give the clock a start time (frozen_time), as a date and a time.".into()),
            StatusCode::BAD_REQUEST,
        )
        .await;
    };
    let mut params = pairs([("frozen_time", &t.to_string())]);
    if let Some(n) = form.text("name") {
        params.push(("name".into(), n));
    }
    let r = d.post("/v1/test_helpers/test_clocks", &params).await;
    if let Some(e) = r.error() {
        return clocks_page(&d, Some(e), StatusCode::BAD_REQUEST).await;
    }
    Redirect::to(&format!("/dashboard/clocks/{}", s(&r.body, "id"))).into_response()
}

#[derive(Deserialize, Default)]
pub struct Since {
    /// The newest event before the advance (`start`: there was none).
    since: Option<String>,
    from: Option<i64>,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "dashboard/clock.html")]
struct ClockPage {
    l: Layout,
    c: ClockRow,
    customers: Vec<(String, String)>,
    /// The advance just made: from, to, and the events it produced.
    advanced: Option<(String, String)>,
    events: Vec<events::EventRow>,
    error: Option<String>,
    to: String,
}

/// `GET /dashboard/clocks/{id}`: the clock, its customers, and (after an advance) what changed.
pub async fn show(d: Dash, Path(id): Path<String>, Query(q): Query<Since>) -> Response {
    let r = d
        .get(&format!("/v1/test_helpers/test_clocks/{id}"), &[])
        .await;
    if !r.ok() {
        return r.failure_page();
    }
    let c = clock_row(&r.body);
    let customers = d
        .get(
            "/v1/customers",
            &pairs([("test_clock", id.as_str()), ("limit", "50")]),
        )
        .await;
    let customers = customers.body["data"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|x| {
                    (
                        s(x, "id").to_owned(),
                        x["email"]
                            .as_str()
                            .or(x["name"].as_str())
                            .unwrap_or_default()
                            .to_owned(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    let mut events = Vec::new();
    let mut advanced = None;
    if let Some(since) = q.since.filter(|v| v == "start" || v.starts_with("evt_")) {
        let mut query = pairs([("limit", "100")]);
        if since != "start" {
            query.push(("ending_before".into(), since));
        }
        let r = d.get("/v1/events", &query).await;
        events = events::rows(&d, &r.body).await;
        advanced = Some((q.from.map(stamp).unwrap_or_default(), c.time.clone()));
    }
    let to = r.body["frozen_time"].as_i64().unwrap_or(0);
    render(
        StatusCode::OK,
        &ClockPage {
            l: d.layout(format!("Test clock {}", c.name), "clocks"),
            c,
            customers,
            advanced,
            events,
            error: q.error.filter(|e| e.len() < 500),
            to: local_input(to + 86_400),
        },
    )
}

/// Where a one-click advance leads from `t`.
fn step(t: i64, by: &str) -> Option<i64> {
    let months = |n: i64| portico_domain::calendar::add_months(t, n);
    Some(match by {
        "hour" => t + 3600,
        "day" => t + 86_400,
        "week" => t + 7 * 86_400,
        "month" => months(1),
        "year" => months(12),
        _ => return None,
    })
}

/// `POST /dashboard/clocks/{id}/advance`: `by` = hour/day/week/month/year, or `to` a time.
pub async fn advance(Path(id): Path<String>, Signed(d, form): Signed) -> Response {
    let r = d
        .get(&format!("/v1/test_helpers/test_clocks/{id}"), &[])
        .await;
    let Some(from) = r.body["frozen_time"].as_i64() else {
        return r.failure_page();
    };
    let target = match form.get("by") {
        Some(by) => step(from, by),
        None => form.get("to").and_then(parse_local),
    };
    let back = |error: &str| {
        Redirect::to(&format!(
            "/dashboard/clocks/{id}?error={}",
            url::form_urlencoded::byte_serialize(error.as_bytes()).collect::<String>()
        ))
        .into_response()
    };
    let Some(target) = target else {
        return back("Pick how far to advance, or a date and time to advance to.");
    };
    let newest = d.get("/v1/events", &pairs([("limit", "1")])).await;
    let since = newest.body["data"][0]["id"]
        .as_str()
        .unwrap_or("start")
        .to_owned();
    let r = d
        .post(
            &format!("/v1/test_helpers/test_clocks/{id}/advance"),
            &pairs([("frozen_time", &target.to_string())]),
        )
        .await;
    if let Some(e) = r.error() {
        return back(&e);
    }
    Redirect::to(&format!("/dashboard/clocks/{id}?since={since}&from={from}")).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn datetime_fields_round_trip() {
        let t = 1_790_000_040;
        assert_eq!(parse_local(&local_input(t)), Some(t));
        assert_eq!(parse_local("2026-12-02T10:30"), Some(1_796_207_400));
        assert_eq!(parse_local("2026-13-02T10:30"), None);
        assert_eq!(parse_local("yesterday"), None);
    }

    #[test]
    fn one_click_steps() {
        let jan31 = parse_local("2027-01-31T12:00").unwrap();
        assert_eq!(step(jan31, "day"), parse_local("2027-02-01T12:00"));
        assert_eq!(step(jan31, "month"), parse_local("2027-02-28T12:00"));
        assert_eq!(step(jan31, "year"), parse_local("2028-01-31T12:00"));
        assert_eq!(step(jan31, "decade"), None);
    }
}

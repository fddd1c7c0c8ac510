//! `/v1/test_helpers/test_clocks`: create, retrieve, list, delete, and `advance`, which runs
//! every billing event that falls due for the clock's customers, in order, then shows the new
//! time (`test_helpers.test_clock.advancing`, the events of what happened, `.ready`).

use crate::billing::run_due;
use crate::http::{Api, PathId, Reply};
use crate::objects::{list, load_live, modify, respond};
use crate::state::App;
use axum::extract::State;
use portico_domain::customer::Customer;
use portico_domain::test_clock::TestClock;
use portico_domain::Ctx;
use portico_store::{Cursor, Filter, ListQuery, Versioned, Write};
use portico_wire::list::read_list_params;
use portico_wire::render;

/// `POST /v1/test_helpers/test_clocks`
pub async fn create_test_clock(State(app): State<App>, mut api: Api) -> Reply {
    let (frozen_time, name, expand) = api.read(|r| {
        r.require("frozen_time");
        r.unsupported(
            "customer",
            "attach customers by creating them with test_clock.",
        );
        (
            r.timestamp("frozen_time").unwrap_or(0),
            r.string("name", 300),
            r.expand("test_helpers.test_clock", false),
        )
    })?;
    let mut ids = crate::ids::Ids;
    let mut ctx = Ctx {
        now: api.now,
        livemode: api.caller.livemode,
        ids: &mut ids,
    };
    let clock = TestClock::create(frozen_time, name, &mut ctx);
    app.commit(
        &api.caller.account,
        vec![Write::Insert(Versioned::new_record(&clock))],
    )
    .await?;
    respond(&app, &api, render::test_clock(&clock), &expand).await
}

/// `GET /v1/test_helpers/test_clocks/{test_clock}`
pub async fn retrieve_test_clock(
    State(app): State<App>,
    PathId(id): PathId,
    mut api: Api,
) -> Reply {
    let expand = api.read(|r| r.expand("test_helpers.test_clock", false))?;
    let clock = load_live::<TestClock>(&app, &api.caller.account, &id, None).await?;
    respond(&app, &api, render::test_clock(&clock.value), &expand).await
}

/// `GET /v1/test_helpers/test_clocks`
pub async fn list_test_clocks(State(app): State<App>, mut api: Api) -> Reply {
    let params = api.read(|r| read_list_params(r, "test_helpers.test_clock"))?;
    list(
        &app,
        &api,
        "test_helpers.test_clock",
        "/v1/test_helpers/test_clocks",
        Vec::new(),
        params,
    )
    .await
}

/// `DELETE /v1/test_helpers/test_clocks/{test_clock}`: the clock's customers go with it.
pub async fn delete_test_clock(State(app): State<App>, PathId(id): PathId, mut api: Api) -> Reply {
    api.read(|_| ())?;
    let account = api.caller.account.clone();
    let mut writes = Vec::new();
    let mut cursor = Cursor::Start;
    loop {
        let q = ListQuery {
            kind: "customer",
            filters: vec![Filter::Parent(id.clone())],
            cursor,
            limit: 100,
            include_deleted: false,
        };
        let page = app.store.list(&account, &q).await?;
        for r in &page.records {
            let mut c = Versioned::<Customer>::from_record(r)?;
            c.value.delete();
            writes.push(Write::Update(c.next_record()));
            writes.extend(
                crate::api::subscription::end_customer_subscriptions(
                    &app, &account, &r.id, api.now,
                )
                .await?,
            );
        }
        match (page.has_more, page.records.last()) {
            (true, Some(last)) => cursor = Cursor::After(last.id.clone()),
            _ => break,
        }
    }
    let clock = modify::<TestClock, _>(&app, &account, &id, None, |c| {
        c.deleted = true;
        Ok(writes.clone())
    })
    .await?;
    crate::http::ok(render::test_clock(&clock))
}

/// `POST /v1/test_helpers/test_clocks/{test_clock}/advance`
pub async fn advance_test_clock(State(app): State<App>, PathId(id): PathId, mut api: Api) -> Reply {
    let (to, expand) = api.read(|r| {
        r.require("frozen_time");
        (
            r.timestamp("frozen_time").unwrap_or(0),
            r.expand("test_helpers.test_clock", false),
        )
    })?;
    let account = api.caller.account.clone();
    let clock = load_live::<TestClock>(&app, &account, &id, None).await?;
    let from = clock.value.frozen_time;
    let wall_now = app.clock.now();
    // How far one advance may go depends on the billing cycles of the clock's subscriptions.
    let cycles: Vec<_> =
        crate::billing::live_subscriptions(&app, &account, Filter::Field("test_clock", id.clone()))
            .await?
            .into_iter()
            .map(|s| s.value.recurring)
            .collect();
    modify::<TestClock, _>(&app, &account, &id, None, |c| {
        let limit = c.advance_limit(&cycles);
        c.begin_advance(to, limit, wall_now)?;
        Ok(Vec::new())
    })
    .await?;
    // What the advance sets off (renewals, cancellations at period end, invoices, and the clock
    // being ready again) is Stripe's automatic handling, not the request: its events carry no
    // `request`, as they would with the time passing for real. Only `.advancing` is the call's.
    let automatic = crate::events::REQUEST.scope(Default::default(), async {
        let ran = run_due(&app, &account, &id, to).await;
        // Whatever happened, the clock is ready again: at the new time if the run finished, at
        // the old one otherwise (the transitions already run stay done).
        let clock = modify::<TestClock, _>(&app, &account, &id, None, |c| {
            if ran.is_ok() {
                c.finish_advance();
            } else {
                c.advancing_to = None;
                c.advance_started = None;
                c.frozen_time = from;
            }
            Ok(Vec::new())
        })
        .await;
        (ran, clock)
    });
    let (ran, clock) = automatic.await;
    let clock = clock?;
    ran?;
    respond(&app, &api, render::test_clock(&clock), &expand).await
}

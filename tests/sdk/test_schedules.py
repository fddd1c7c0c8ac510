"""Subscription schedules: a change at the end of the period, then release or cancel."""

import datetime

import pytest

from helpers import HOUR, carded_customer, check, expect_error

DAY = 86400
APR1 = 1_775_001_600  # 2026-04-01
MAY1 = APR1 + 30 * DAY
JUN1 = MAY1 + 31 * DAY
JUL1 = JUN1 + 30 * DAY


@pytest.fixture
def world(v1):
    product = v1.products.create({"name": "Plan"})
    mk = lambda amount: v1.prices.create({"product": product.id, "currency": "usd", "unit_amount": amount,
                                          "recurring": {"interval": "month"}}).id
    clock = v1.test_helpers.test_clocks.create({"frozen_time": APR1})
    cus = carded_customer(v1, clock.id)
    pro, basic = mk(2000), mk(1000)
    sub = v1.subscriptions.create({"customer": cus.id, "items": [{"price": pro}]})
    return {"clock": clock, "cus": cus, "pro": pro, "basic": basic, "sub": sub}


def downgrade(v1, w, end_behavior="release"):
    sched = check(v1.subscription_schedules.create({"from_subscription": w["sub"].id}))
    assert sched.id.startswith("sub_sched_") and sched.status == "active" and sched.subscription == w["sub"].id
    assert [(p.start_date, p.end_date) for p in sched.phases] == [(APR1, MAY1)]
    assert sched.current_phase.start_date == APR1 and sched.end_behavior == "release"
    assert v1.subscriptions.retrieve(w["sub"].id).schedule == sched.id
    return check(v1.subscription_schedules.update(sched.id, {
        "end_behavior": end_behavior,
        "phases": [
            {"items": [{"price": w["pro"]}], "start_date": APR1, "end_date": MAY1},
            {"items": [{"price": w["basic"], "quantity": 2}]},
        ],
    }))


def test_downgrade_at_period_end_then_release(v1, world):
    sched = downgrade(v1, world)
    assert [(p.start_date, p.end_date, p["items"][0].price) for p in sched.phases] == [
        (APR1, MAY1, world["pro"]), (MAY1, JUN1, world["basic"])]
    v1.test_helpers.test_clocks.advance(world["clock"].id, {"frozen_time": MAY1 + 3600})
    sub = v1.subscriptions.retrieve(world["sub"].id, {"expand": ["latest_invoice"]})
    assert [(i.price.id, i.quantity) for i in sub["items"].data] == [(world["basic"], 2)]
    assert sub.latest_invoice.amount_paid == 2000 and sub.schedule == sched.id
    assert v1.subscription_schedules.retrieve(sched.id).current_phase.start_date == MAY1
    # The new phase is announced as the schedule changing, its previous phase named.
    (moved,) = [e for e in v1.events.list({"type": "subscription_schedule.updated", "limit": 100}).data
                if e.data.object.current_phase and e.data.object.current_phase.start_date == MAY1]
    assert moved.data.object.id == sched.id and moved["request"]["id"] is None
    assert moved.data.previous_attributes["current_phase"].to_dict() == {"start_date": APR1, "end_date": MAY1}
    v1.test_helpers.test_clocks.advance(world["clock"].id, {"frozen_time": JUN1 + 3600})
    done = check(v1.subscription_schedules.retrieve(sched.id))
    assert (done.status, done.released_subscription, done.subscription, done.released_at) == ("released", world["sub"].id, None, JUN1)
    assert done.current_phase is None
    sub = v1.subscriptions.retrieve(world["sub"].id)
    assert sub.schedule is None and sub.status == "active"
    assert sub["items"].data[0].current_period_start == JUN1


def test_end_behavior_cancel(v1, world):
    sched = downgrade(v1, world, end_behavior="cancel")
    # The subscription shows when its schedule will cancel it.
    sub = check(v1.subscriptions.retrieve(world["sub"].id))
    assert (sub.cancel_at, sub.cancel_at_period_end, sub.status) == (JUN1, False, "active")
    (updated,) = [e for e in v1.events.list({"type": "customer.subscription.updated", "limit": 100}).data
                  if "cancel_at" in e.data.previous_attributes]
    assert (updated.data.object.cancel_at, updated.data.previous_attributes["cancel_at"]) == (JUN1, None)
    # Nor is the renewal at the end of the last phase previewed.
    assert v1.invoices.create_preview({"subscription": sub.id}).lines.data[0].period.end == JUN1
    v1.test_helpers.test_clocks.advance(world["clock"].id, {"frozen_time": MAY1 + 3600})
    assert v1.subscriptions.retrieve(world["sub"].id).cancel_at == JUN1
    v1.test_helpers.test_clocks.advance(world["clock"].id, {"frozen_time": JUN1 + 3600})
    sub = v1.subscriptions.retrieve(world["sub"].id)
    assert (sub.status, sub.ended_at, sub.cancel_at) == ("canceled", JUN1, JUN1)
    assert v1.subscription_schedules.retrieve(sched.id).status == "completed"
    assert schedule_events(v1, sched.id)[-1] == "subscription_schedule.completed"


def test_the_planned_cancellation_follows_the_end_behavior(v1, world):
    sched = downgrade(v1, world, end_behavior="cancel")
    cancel_at = lambda: v1.subscriptions.retrieve(world["sub"].id).cancel_at
    assert cancel_at() == JUN1
    v1.subscription_schedules.update(sched.id, {"end_behavior": "release"})
    assert cancel_at() is None
    # Longer phases move it.
    v1.subscription_schedules.update(sched.id, {"end_behavior": "cancel", "phases": [
        {"items": [{"price": world["pro"]}], "start_date": APR1, "end_date": MAY1},
        {"items": [{"price": world["basic"]}], "duration": {"interval": "month", "interval_count": 2}}]})
    assert cancel_at() == JUL1
    # Released, the subscription goes on; `preserve_cancel_date` keeps the date instead.
    v1.subscription_schedules.release(sched.id)
    sub = check(v1.subscriptions.retrieve(world["sub"].id))
    assert (sub.cancel_at, sub.schedule, sub.status) == (None, None, "active")
    kept = v1.subscription_schedules.create({"from_subscription": world["sub"].id})
    v1.subscription_schedules.update(kept.id, {"end_behavior": "cancel"})
    assert cancel_at() == MAY1
    v1.subscription_schedules.release(kept.id, {"preserve_cancel_date": True})
    sub = v1.subscriptions.retrieve(world["sub"].id)
    assert (sub.cancel_at, sub.schedule) == (MAY1, None)
    v1.test_helpers.test_clocks.advance(world["clock"].id, {"frozen_time": MAY1 + 3600})
    assert v1.subscriptions.retrieve(world["sub"].id).status == "canceled"


def test_a_schedule_for_a_customer_shows_its_cancellation_from_the_start(v1, world):
    cus = carded_customer(v1, world["clock"].id)
    phases = [{"items": [{"price": world["pro"]}], "duration": {"interval": "month"}}]
    now = v1.subscription_schedules.create({"customer": cus.id, "start_date": "now",
                                            "end_behavior": "cancel", "phases": phases})
    sub = check(v1.subscriptions.retrieve(now.subscription))
    assert (sub.cancel_at, sub.schedule) == (MAY1, now.id)
    created = v1.events.list({"type": "customer.subscription.created", "limit": 1}).data[0]
    assert created.data.object.cancel_at == MAY1
    later = v1.subscription_schedules.create({"customer": cus.id, "start_date": MAY1,
                                              "end_behavior": "cancel", "phases": phases})
    v1.test_helpers.test_clocks.advance(world["clock"].id, {"frozen_time": MAY1 + 3600})
    started = v1.subscription_schedules.retrieve(later.id)
    assert v1.subscriptions.retrieve(started.subscription).cancel_at == JUN1
    assert v1.subscriptions.retrieve(now.subscription).status == "canceled"
    assert v1.subscription_schedules.retrieve(now.id).status == "completed"


def test_scheduled_subscriptions_change_through_the_schedule(v1, world):
    sched = downgrade(v1, world)
    item = world["sub"]["items"].data[0].id
    expect_error(lambda: v1.subscriptions.update(world["sub"].id, {"items": [{"id": item, "quantity": 2}]}), message="managed by the subscription schedule")
    expect_error(lambda: v1.subscriptions.update(world["sub"].id, {"cancel_at_period_end": True}), message="managed by the subscription schedule")
    # A trial would move the billing cycle the phases follow.
    expect_error(lambda: v1.subscriptions.update(world["sub"].id, {"trial_end": APR1 + 10 * DAY}),
                 message="updating any trial directly is not allowed")
    assert v1.subscriptions.update(world["sub"].id, {"metadata": {"k": "v"}}).metadata["k"] == "v"
    expect_error(lambda: v1.subscription_schedules.create({"from_subscription": world["sub"].id}), param="from_subscription")
    released = check(v1.subscription_schedules.release(sched.id))
    assert released.status == "released"
    assert v1.subscriptions.retrieve(world["sub"].id).schedule is None
    expect_error(lambda: v1.subscription_schedules.release(sched.id), message="released")


def test_cancel_schedule_cancels_the_subscription(v1, world):
    sched = v1.subscription_schedules.create({"from_subscription": world["sub"].id})
    canceled = check(v1.subscription_schedules.cancel(sched.id))
    assert canceled.status == "canceled" and canceled.canceled_at == APR1
    assert v1.subscriptions.retrieve(world["sub"].id).status == "canceled"
    # An ended schedule changes no more, not even its metadata or end behaviour.
    for change in ({"metadata": {"k": "v"}}, {"end_behavior": "cancel"}):
        expect_error(lambda: v1.subscription_schedules.update(sched.id, change), message="that is canceled")
    assert v1.subscription_schedules.retrieve(sched.id).metadata.to_dict() == {}


def test_phase_rules(v1, world):
    sched = v1.subscription_schedules.create({"from_subscription": world["sub"].id})
    expect_error(lambda: v1.subscription_schedules.update(sched.id, {"phases": [
        {"items": [{"price": world["pro"]}], "start_date": APR1 + DAY, "end_date": MAY1}]}), param="phases[0][start_date]")
    expect_error(lambda: v1.subscription_schedules.update(sched.id, {"phases": [
        {"items": [{"price": world["pro"]}], "end_date": MAY1 - DAY}, {"items": [{"price": world["basic"]}]}]}), param="phases[0][end_date]")
    expect_error(lambda: v1.subscription_schedules.update(sched.id, {"phases": [{"items": [{"price": "price_nope"}]}]}),
                 code="resource_missing", param="phases[0][items][0][price]")
    expect_error(lambda: v1.subscription_schedules.create({"customer": world["cus"].id}), param="start_date")
    assert [s.id for s in check(v1.subscription_schedules.list({"customer": world["cus"].id})).data] == [sched.id]


def test_metadata_on_the_schedule_and_on_phase_items(v1, world):
    sched = check(v1.subscription_schedules.create({"from_subscription": world["sub"].id,
                                                    "metadata": {"origin": "downgrade"}}))
    assert sched.metadata.to_dict() == {"origin": "downgrade"}
    assert v1.subscription_schedules.retrieve(sched.id).metadata["origin"] == "downgrade"
    updated = check(v1.subscription_schedules.update(sched.id, {"phases": [
        {"items": [{"price": world["pro"]}], "start_date": APR1, "end_date": MAY1},
        {"items": [{"price": world["basic"], "metadata": {"seat": "team"}}]},
    ]}))
    assert updated.phases[0]["items"][0].metadata.to_dict() == {}
    assert updated.phases[1]["items"][0].metadata.to_dict() == {"seat": "team"}
    # The subscription item gets it when the phase starts.
    assert v1.subscriptions.retrieve(world["sub"].id)["items"].data[0].metadata.to_dict() == {}
    v1.test_helpers.test_clocks.advance(world["clock"].id, {"frozen_time": MAY1 + 3600})
    item = v1.subscriptions.retrieve(world["sub"].id)["items"].data[0]
    assert (item.price.id, item.metadata.to_dict()) == (world["basic"], {"seat": "team"})


def test_list_filters_on_when_schedules_ended(v1, world):
    kept = check(v1.subscription_schedules.create({"from_subscription": world["sub"].id}))
    other = v1.subscriptions.create({"customer": world["cus"].id, "items": [{"price": world["basic"]}]})
    released = v1.subscription_schedules.release(
        v1.subscription_schedules.create({"from_subscription": other.id}).id)
    assert released.released_at == APR1
    third = v1.subscriptions.create({"customer": world["cus"].id, "items": [{"price": world["basic"]}]})
    canceled = v1.subscription_schedules.cancel(
        v1.subscription_schedules.create({"from_subscription": third.id}).id)
    assert canceled.canceled_at == APR1
    ids = lambda params: [s.id for s in v1.subscription_schedules.list(
        {"customer": world["cus"].id} | params).data]
    assert ids({}) == [canceled.id, released.id, kept.id]
    assert ids({"released_at": {"gte": APR1}}) == [released.id]
    assert ids({"released_at": APR1}) == [released.id]
    assert ids({"released_at": {"gt": APR1}}) == []
    assert ids({"canceled_at": {"lte": APR1, "gt": APR1 - DAY}}) == [canceled.id]
    assert ids({"completed_at": {"gte": 0}}) == []
    # None waits to start: each begins with a running subscription.
    assert ids({"scheduled": True}) == [] and len(ids({"scheduled": False})) == 3
    expect_error(lambda: v1.subscription_schedules.list({"canceled_at": {"gte": "soon"}}),
                 param="canceled_at[gte]")


def test_a_schedule_for_a_customer_starts_its_subscription_now(v1, world):
    cus = carded_customer(v1, world["clock"].id)
    sched = check(v1.subscription_schedules.create({
        "customer": cus.id, "start_date": "now", "end_behavior": "release",
        "metadata": {"plan": "intro"},
        "phases": [
            {"items": [{"price": world["pro"], "metadata": {"tier": "pro"}}],
             "duration": {"interval": "month", "interval_count": 1}},
            {"items": [{"price": world["basic"], "quantity": 3}]},
        ]}))
    assert (sched.status, sched.customer, sched.end_behavior) == ("active", cus.id, "release")
    assert sched.metadata["plan"] == "intro" and sched.billing_mode.type == "flexible"
    assert [(p.start_date, p.end_date) for p in sched.phases] == [(APR1, MAY1), (MAY1, JUN1)]
    sub = check(v1.subscriptions.retrieve(sched.subscription, {"expand": ["latest_invoice"]}))
    assert (sub.status, sub.schedule, sub.customer) == ("active", sched.id, cus.id)
    assert [(i.price.id, i.quantity, i.metadata.to_dict()) for i in sub["items"].data] == [
        (world["pro"], 1, {"tier": "pro"})]
    types = [e.type for e in v1.events.list({"limit": 10}).data]
    assert "subscription_schedule.created" in types and "customer.subscription.created" in types
    # As Stripe's, a schedule's first invoice begins as a draft, finalized and charged an hour on.
    first = sub.latest_invoice
    assert (first.status, first.auto_advance, first.billing_reason, first.number) == (
        "draft", True, "subscription_create", None)
    assert first.automatically_finalizes_at == first.next_payment_attempt == APR1 + HOUR
    v1.test_helpers.test_clocks.advance(world["clock"].id, {"frozen_time": APR1 + HOUR})
    first = v1.invoices.retrieve(first.id)
    assert (first.status, first.amount_paid, first.attempt_count) == ("paid", 2000, 1)
    assert v1.subscriptions.retrieve(sub.id).status == "active"
    # The phases then run as for any schedule.
    v1.test_helpers.test_clocks.advance(world["clock"].id, {"frozen_time": MAY1 + 3600})
    sub = v1.subscriptions.retrieve(sched.subscription)
    assert [(i.price.id, i.quantity) for i in sub["items"].data] == [(world["basic"], 3)]
    v1.test_helpers.test_clocks.advance(world["clock"].id, {"frozen_time": JUN1 + 3600})
    assert v1.subscription_schedules.retrieve(sched.id).status == "released"


def test_a_schedule_whose_first_payment_fails_is_past_due_not_incomplete(v1, world):
    # The subscription is in force from the start; its draft's payment fails an hour on, and
    # the retry schedule takes over, as for a renewal.
    cus = carded_customer(v1, world["clock"].id, card="pm_card_chargeCustomerFail")
    sched = v1.subscription_schedules.create({
        "customer": cus.id, "start_date": "now",
        "phases": [{"items": [{"price": world["pro"]}]}]})
    sub = v1.subscriptions.retrieve(sched.subscription)
    assert sub.status == "active"
    v1.test_helpers.test_clocks.advance(world["clock"].id, {"frozen_time": APR1 + HOUR})
    sub = v1.subscriptions.retrieve(sched.subscription, {"expand": ["latest_invoice"]})
    assert (sub.status, sub.latest_invoice.status, sub.latest_invoice.attempt_count) == ("past_due", "open", 1)
    assert sub.latest_invoice.next_payment_attempt == APR1 + 3 * DAY
    # The retry, three days on, charges the card the customer has set since.
    good = v1.payment_methods.attach("pm_card_visa", {"customer": cus.id})
    v1.customers.update(cus.id, {"invoice_settings": {"default_payment_method": good.id}})
    v1.test_helpers.test_clocks.advance(world["clock"].id, {"frozen_time": APR1 + 3 * DAY + 60})
    assert v1.invoices.retrieve(sub.latest_invoice.id).status == "paid"
    assert v1.subscriptions.retrieve(sub.id).status == "active"


def test_a_schedule_announces_its_end_seven_days_before(v1, world):
    sched = downgrade(v1, world)  # ends on June 1
    expiring = lambda: [e for e in v1.events.list({"type": "subscription_schedule.expiring"}).data
                        if e.data.object.id == sched.id]
    v1.test_helpers.test_clocks.advance(world["clock"].id, {"frozen_time": JUN1 - 7 * DAY - 1})
    assert expiring() == []
    v1.test_helpers.test_clocks.advance(world["clock"].id, {"frozen_time": JUN1 - 7 * DAY})
    (event,) = expiring()
    check(event)
    assert (event.data.object.status, event.data.object.phases[-1].end_date) == ("active", JUN1)
    assert "previous_attributes" not in event.data and event["request"]["id"] is None
    # Nothing else changed: no subscription_schedule.updated with it, and it is told once.
    assert [e.type for e in v1.events.list({"limit": 3}).data] == [
        "test_helpers.test_clock.ready", "subscription_schedule.expiring",
        "test_helpers.test_clock.advancing"]
    v1.test_helpers.test_clocks.advance(world["clock"].id, {"frozen_time": JUN1 - DAY})
    assert len(expiring()) == 1
    # A new last phase moves the end: the new end is announced in its turn.
    phases = [{"items": [{"price": p["items"][0].price, "quantity": p["items"][0].quantity}],
               "start_date": p.start_date, "end_date": p.end_date}
              for p in v1.subscription_schedules.retrieve(sched.id).phases]
    phases.append({"items": [{"price": world["pro"]}], "start_date": JUN1, "end_date": JUL1})
    v1.subscription_schedules.update(sched.id, {"phases": phases})
    v1.test_helpers.test_clocks.advance(world["clock"].id, {"frozen_time": JUL1 - 7 * DAY})
    assert len(expiring()) == 2
    v1.test_helpers.test_clocks.advance(world["clock"].id, {"frozen_time": JUL1 + HOUR})
    assert v1.subscription_schedules.retrieve(sched.id).status == "released"
    assert len(expiring()) == 2


def test_an_end_notice_on_a_phase_start_is_not_a_second_update(v1, world):
    # The last phase lasts a week: its start is also seven days before the schedule's end.
    weekly = v1.prices.create({"product": v1.prices.retrieve(world["basic"]).product, "currency": "usd",
                               "unit_amount": 300, "recurring": {"interval": "week"}})
    sched = v1.subscription_schedules.create({"from_subscription": world["sub"].id})
    v1.subscription_schedules.update(sched.id, {"phases": [
        {"items": [{"price": world["pro"]}], "start_date": APR1, "end_date": MAY1},
        {"items": [{"price": weekly.id}], "start_date": MAY1, "end_date": MAY1 + 7 * DAY},
    ]})
    before = {e.id for e in v1.events.list({"limit": 100}).data}
    v1.test_helpers.test_clocks.advance(world["clock"].id, {"frozen_time": MAY1 + 60})
    mine = [e.type for e in v1.events.list({"limit": 100}).data
            if e.id not in before and e.data.object.to_dict().get("id") == sched.id]
    assert sorted(mine) == ["subscription_schedule.expiring", "subscription_schedule.updated"], mine


def test_a_schedule_shorter_than_the_notice_announces_its_end_as_it_starts(v1, world):
    cus = carded_customer(v1, world["clock"].id)
    daily = v1.prices.create({"product": v1.prices.retrieve(world["basic"]).product, "currency": "usd",
                              "unit_amount": 100, "recurring": {"interval": "day"}})
    sched = v1.subscription_schedules.create({
        "customer": cus.id, "start_date": APR1 + DAY,
        "phases": [{"items": [{"price": daily.id}], "end_date": APR1 + 4 * DAY}]})
    v1.test_helpers.test_clocks.advance(world["clock"].id, {"frozen_time": APR1 + DAY})
    events = [e for e in v1.events.list({"limit": 100}).data if e.data.object.id == sched.id]
    assert [e.type for e in events][:2] == ["subscription_schedule.expiring", "subscription_schedule.updated"]


def test_creating_a_schedule_refuses_what_it_cannot_do(v1, world):
    cus = world["cus"].id
    phases = [{"items": [{"price": world["basic"]}]}]
    new = lambda **params: v1.subscription_schedules.create(params)
    expect_error(lambda: new(customer=cus, start_date=APR1 - DAY, phases=phases),
                 param="start_date", message="Backdating")
    expect_error(lambda: new(customer=cus, start_date="soon", phases=phases), param="start_date")
    expect_error(lambda: new(customer=cus, phases=phases), param="start_date")
    expect_error(lambda: new(customer=cus, start_date="now"), param="phases")
    expect_error(lambda: new(customer=cus, start_date="now", phases=phases, end_behavior="renew"),
                 param="end_behavior")
    expect_error(lambda: new(customer="cus_missing", start_date="now", phases=phases),
                 param="customer", code="resource_missing")
    expect_error(lambda: new(from_subscription=world["sub"].id, phases=phases), param="phases")
    expect_error(lambda: new(start_date="now", phases=phases), param="customer")
    expect_error(lambda: new(customer=cus, start_date="now", phases=phases,
                             default_settings={"description": "x"}), param="default_settings[description]")
    # Nothing was made: the customer still has only the fixture's subscription.
    assert [s.id for s in v1.subscriptions.list({"customer": cus}).data] == [world["sub"].id]
    assert v1.subscription_schedules.list({"customer": cus}).data == []


def test_a_schedule_that_starts_later_creates_its_subscription_then(v1, world):
    cus = carded_customer(v1, world["clock"].id)
    sched = check(v1.subscription_schedules.create({
        "customer": cus.id, "start_date": MAY1, "end_behavior": "release",
        "phases": [{"items": [{"price": world["pro"]}], "duration": {"interval": "month"}},
                   {"items": [{"price": world["basic"]}]}]}))
    assert (sched.status, sched.subscription, sched.current_phase) == ("not_started", None, None)
    assert [(p.start_date, p.end_date) for p in sched.phases] == [(MAY1, JUN1), (JUN1, JUL1)]
    assert v1.subscriptions.list({"customer": cus.id}).data == []
    assert [s.id for s in v1.subscription_schedules.list(
        {"customer": cus.id, "scheduled": True}).data] == [sched.id]
    # As in Stripe, a list not asking for the customer leaves out schedules on a test clock.
    assert sched.id not in [s.id for s in v1.subscription_schedules.list({"scheduled": True}).data]
    # Its metadata can change meanwhile.
    assert v1.subscription_schedules.update(sched.id, {"metadata": {"k": "v"}}).metadata["k"] == "v"

    v1.test_helpers.test_clocks.advance(world["clock"].id, {"frozen_time": MAY1 + 3600})
    started = check(v1.subscription_schedules.retrieve(sched.id))
    assert started.status == "active" and started.current_phase.start_date == MAY1
    sub = check(v1.subscriptions.retrieve(started.subscription, {"expand": ["latest_invoice"]}))
    assert (sub.status, sub.start_date, sub.created, sub.schedule) == ("active", MAY1, MAY1, sched.id)
    assert [i.price.id for i in sub["items"].data] == [world["pro"]]
    assert sub["items"].data[0].current_period_start == MAY1
    assert (sub.latest_invoice.amount_paid, sub.latest_invoice.created) == (2000, MAY1)
    created = v1.events.list({"type": "customer.subscription.created", "limit": 1}).data[0]
    assert created.data.object.id == sub.id and created.data.object.start_date == MAY1
    v1.test_helpers.test_clocks.advance(world["clock"].id, {"frozen_time": JUN1 + 3600})
    sub = v1.subscriptions.retrieve(started.subscription)
    assert [i.price.id for i in sub["items"].data] == [world["basic"]]
    v1.test_helpers.test_clocks.advance(world["clock"].id, {"frozen_time": JUL1 + 3600})
    assert v1.subscription_schedules.retrieve(sched.id).status == "released"


def test_a_schedule_canceled_before_its_start_creates_nothing(v1, world):
    sched = check(v1.subscription_schedules.create({
        "customer": world["cus"].id, "start_date": MAY1,
        "phases": [{"items": [{"price": world["basic"]}]}]}))
    canceled = check(v1.subscription_schedules.cancel(sched.id))
    assert (canceled.status, canceled.canceled_at, canceled.subscription) == ("canceled", APR1, None)
    v1.test_helpers.test_clocks.advance(world["clock"].id, {"frozen_time": JUN1})
    assert [s.id for s in v1.subscriptions.list({"customer": world["cus"].id}).data] == [world["sub"].id]
    assert v1.subscription_schedules.retrieve(sched.id).status == "canceled"


def test_schedule_starts_run_in_time_order_with_renewals(v1, world):
    # The fixture's subscription renews on May 1; a schedule for the same customer starts on
    # May 11. One advance past both runs them in that order: the renewal is numbered first.
    sched = v1.subscription_schedules.create({
        "customer": world["cus"].id, "start_date": MAY1 + 10 * DAY,
        "phases": [{"items": [{"price": world["basic"]}]}]})
    v1.test_helpers.test_clocks.advance(world["clock"].id, {"frozen_time": MAY1 + 11 * DAY})
    renewal = v1.invoices.retrieve(v1.subscriptions.retrieve(world["sub"].id).latest_invoice)
    started = v1.subscription_schedules.retrieve(sched.id)
    first = v1.invoices.retrieve(v1.subscriptions.retrieve(started.subscription).latest_invoice)
    assert (renewal.created, first.created) == (MAY1, MAY1 + 10 * DAY)
    assert renewal.number < first.number, (renewal.number, first.number)


def test_a_schedule_that_cannot_start_is_canceled(v1, world):
    cus = v1.customers.create({"test_clock": world["clock"].id})
    waiting = v1.subscription_schedules.create({
        "customer": cus.id, "start_date": MAY1, "phases": [{"items": [{"price": world["basic"]}]}]})
    # Deleting the customer cancels it at once.
    v1.customers.delete(cus.id)
    assert v1.subscription_schedules.retrieve(waiting.id).status == "canceled"
    # A price archived before the start: the subscription cannot be made, so it is canceled then.
    price = v1.prices.create({"product": v1.prices.retrieve(world["basic"]).product, "currency": "usd",
                              "unit_amount": 500, "recurring": {"interval": "month"}})
    doomed = v1.subscription_schedules.create({
        "customer": world["cus"].id, "start_date": MAY1 - DAY,
        "phases": [{"items": [{"price": price.id}]}]})
    v1.prices.update(price.id, {"active": False})
    v1.test_helpers.test_clocks.advance(world["clock"].id, {"frozen_time": MAY1})
    done = v1.subscription_schedules.retrieve(doomed.id)
    assert (done.status, done.canceled_at, done.subscription) == ("canceled", MAY1 - DAY, None)
    assert v1.test_helpers.test_clocks.retrieve(world["clock"].id).frozen_time == MAY1


def test_the_phases_of_a_schedule_waiting_to_start_can_change(v1, world):
    cus = carded_customer(v1, world["clock"].id)
    sched = v1.subscription_schedules.create({
        "customer": cus.id, "start_date": MAY1,
        "phases": [{"items": [{"price": world["pro"]}]}]})
    # Other items, from the same start, laid out again: two phases now.
    changed = check(v1.subscription_schedules.update(sched.id, {
        "end_behavior": "release",
        "phases": [{"items": [{"price": world["basic"], "quantity": 2}],
                    "duration": {"interval": "month"}},
                   {"items": [{"price": world["pro"]}]}]}))
    assert changed.status == "not_started" and changed.subscription is None
    assert [(p.start_date, p.end_date) for p in changed.phases] == [(MAY1, JUN1), (JUN1, JUL1)]
    assert [(p["items"][0].price, p["items"][0].quantity) for p in changed.phases] == [
        (world["basic"], 2), (world["pro"], 1)]
    # A later start moves the whole schedule, and the worker's start with it.
    moved = check(v1.subscription_schedules.update(sched.id, {
        "phases": [{"items": [{"price": world["basic"], "quantity": 2}], "start_date": JUN1,
                    "duration": {"interval": "month"}},
                   {"items": [{"price": world["pro"]}]}]}))
    assert [(p.start_date, p.end_date) for p in moved.phases] == [(JUN1, JUL1), (JUL1, JUL1 + 31 * DAY)]
    v1.test_helpers.test_clocks.advance(world["clock"].id, {"frozen_time": MAY1 + 3600})
    assert v1.subscription_schedules.retrieve(sched.id).status == "not_started"
    v1.test_helpers.test_clocks.advance(world["clock"].id, {"frozen_time": JUN1 + 3600})
    started = v1.subscription_schedules.retrieve(sched.id)
    sub = v1.subscriptions.retrieve(started.subscription, {"expand": ["latest_invoice"]})
    assert (started.status, sub.start_date) == ("active", JUN1)
    assert [(i.price.id, i.quantity) for i in sub["items"].data] == [(world["basic"], 2)]
    assert sub.latest_invoice.amount_paid == 2000
    v1.test_helpers.test_clocks.advance(world["clock"].id, {"frozen_time": JUL1 + 3600})
    sub = v1.subscriptions.retrieve(started.subscription)
    assert [(i.price.id, i.quantity) for i in sub["items"].data] == [(world["pro"], 1)]


def test_a_schedule_released_before_it_starts_never_makes_its_subscription(v1, world):
    # Stripe releases a schedule that is `not_started` or `active`; one not started has no
    # subscription to leave behind.
    cus = carded_customer(v1, world["clock"].id)
    sched = v1.subscription_schedules.create({
        "customer": cus.id, "start_date": MAY1, "phases": [{"items": [{"price": world["pro"]}]}]})
    released = check(v1.subscription_schedules.release(sched.id))
    assert (released.status, released.released_at, released.released_subscription, released.subscription) == (
        "released", APR1, None, None)
    assert schedule_events(v1, sched.id)[-1] == "subscription_schedule.released"
    v1.test_helpers.test_clocks.advance(world["clock"].id, {"frozen_time": MAY1 + 3600})
    assert v1.subscriptions.list({"customer": cus.id, "status": "all"}).data == []
    assert v1.subscription_schedules.retrieve(sched.id).status == "released"
    expect_error(lambda: v1.subscription_schedules.release(sched.id), message="released")
    expect_error(lambda: v1.subscription_schedules.cancel(sched.id))


def test_changing_a_waiting_schedule_refuses_what_it_cannot_do(v1, world):
    cus = carded_customer(v1, world["clock"].id)
    phases = [{"items": [{"price": world["pro"]}]}]
    sched = v1.subscription_schedules.create({"customer": cus.id, "start_date": MAY1, "phases": phases})
    update = lambda ps: v1.subscription_schedules.update(sched.id, {"phases": ps})
    expect_error(lambda: update([{**phases[0], "start_date": APR1 - DAY}]), param="phases[0][start_date]")
    expect_error(lambda: update([{**phases[0], "start_date": "now"}]), param="phases[0][start_date]")
    expect_error(lambda: update([{**phases[0], "start_date": APR1 + 6 * 366 * DAY}]),
                 param="phases[0][start_date]")
    expect_error(lambda: update([{"items": [{"price": world["pro"]}], "duration": {"interval": "week"}},
                                 {"items": [{"price": world["basic"]}]}]), param="phases[0][duration]")
    v1.prices.update(world["basic"], {"active": False})
    expect_error(lambda: update([{"items": [{"price": world["basic"]}]}]),
                 param="phases[0][items][0][price]", message="archived")
    expect_error(lambda: v1.subscription_schedules.create({
        "customer": cus.id, "start_date": "now", "phases": [{"items": [{"price": world["basic"]}]}]}),
        param="phases[0][items][0][price]")
    # Nothing changed.
    kept = v1.subscription_schedules.retrieve(sched.id)
    assert [(p.start_date, p.end_date, p["items"][0].price) for p in kept.phases] == [
        (MAY1, JUN1, world["pro"])]
    v1.subscription_schedules.cancel(sched.id)
    expect_error(lambda: update(phases), param=None)


def schedule_events(v1, sched_id):
    events = v1.events.list({"limit": 100}).data[::-1]
    return [e.type for e in events if e.type.startswith("subscription_schedule.")
            and e.data.object.id == sched_id]


def test_a_schedule_ends_with_its_subscription_and_says_how(v1, world):
    sched = downgrade(v1, world)
    v1.subscriptions.cancel(world["sub"].id)
    ended = check(v1.subscription_schedules.retrieve(sched.id))
    assert (ended.status, ended.canceled_at, ended.current_phase) == ("canceled", APR1, None)
    assert schedule_events(v1, sched.id)[-1] == "subscription_schedule.canceled"
    expect_error(lambda: v1.subscription_schedules.cancel(sched.id))
    # Released and completed schedules are announced as such.
    cus = carded_customer(v1, world["clock"].id)
    released = v1.subscription_schedules.create({
        "customer": cus.id, "start_date": "now", "phases": [{"items": [{"price": world["pro"]}]}]})
    v1.subscription_schedules.release(released.id)
    assert schedule_events(v1, released.id) == ["subscription_schedule.created",
                                                "subscription_schedule.released"]
    completed = v1.subscription_schedules.create({
        "customer": cus.id, "start_date": "now", "end_behavior": "cancel",
        "phases": [{"items": [{"price": world["basic"]}]}]})
    v1.test_helpers.test_clocks.advance(world["clock"].id, {"frozen_time": MAY1 + 3600})
    assert v1.subscription_schedules.retrieve(completed.id).status == "completed"
    assert schedule_events(v1, completed.id)[-1] == "subscription_schedule.completed"
    # Deleting the customer cancels its subscriptions and their schedules.
    sched = v1.subscription_schedules.create({
        "customer": cus.id, "start_date": "now", "phases": [{"items": [{"price": world["pro"]}]}]})
    v1.customers.delete(cus.id)
    assert v1.subscription_schedules.retrieve(sched.id).status == "canceled"


def test_the_upcoming_invoice_follows_the_schedule(v1, world):
    sched = downgrade(v1, world)
    upcoming = check(v1.invoices.create_preview({"subscription": world["sub"].id}))
    # The next phase (basic × 2) is what the renewal bills.
    assert [(l.pricing.price_details.price, l.quantity, l.amount) for l in upcoming.lines.data] == [
        (world["basic"], 2, 2000)]
    assert (upcoming.period_start, upcoming.period_end) == (APR1, MAY1)
    # A schedule that ends the subscription then leaves no upcoming invoice.
    v1.subscription_schedules.update(sched.id, {"end_behavior": "cancel", "phases": [
        {"items": [{"price": world["pro"]}], "start_date": APR1, "end_date": MAY1}]})
    expect_error(lambda: v1.invoices.create_preview({"subscription": world["sub"].id}),
                 code="invoice_upcoming_none")


def test_the_current_phase_keeps_the_subscriptions_items(v1, world):
    # Portico changes a subscription at phase boundaries: a change to the phase running now is
    # refused by name rather than accepted and never applied.
    sched = v1.subscription_schedules.create({"from_subscription": world["sub"].id})
    for items in ([{"price": world["basic"]}], [{"price": world["pro"], "quantity": 3}]):
        expect_error(lambda: v1.subscription_schedules.update(sched.id, {
            "phases": [{"items": items, "start_date": APR1, "end_date": MAY1}]}), param="phases[0][items]")
    assert v1.subscription_schedules.retrieve(sched.id).phases[0]["items"][0].price == world["pro"]


def test_every_phase_ends_when_a_period_does(v1, world):
    sched = v1.subscription_schedules.create({"from_subscription": world["sub"].id})
    pro, basic = world["pro"], world["basic"]
    # A middle phase ending mid-period, and a last one (where the schedule ends) too.
    expect_error(lambda: v1.subscription_schedules.update(sched.id, {"phases": [
        {"items": [{"price": pro}], "start_date": APR1, "end_date": MAY1},
        {"items": [{"price": basic}], "end_date": MAY1 + 9 * DAY},
        {"items": [{"price": pro}], "duration": {"interval": "month"}}]}), param="phases[1][end_date]")
    expect_error(lambda: v1.subscription_schedules.update(sched.id, {"end_behavior": "cancel", "phases": [
        {"items": [{"price": pro}], "start_date": APR1, "end_date": APR1 + 10 * DAY}]}), param="phases[0][end_date]")
    # Several periods in one phase are fine.
    ok = check(v1.subscription_schedules.update(sched.id, {"phases": [
        {"items": [{"price": pro}], "start_date": APR1, "end_date": MAY1},
        {"items": [{"price": basic}], "end_date": JUL1}]}))
    assert [(p.start_date, p.end_date) for p in ok.phases] == [(APR1, MAY1), (MAY1, JUL1)]


def test_month_long_phases_from_the_31st_stay_on_the_cycle(v1):
    jan31 = 1_832_932_800  # 2028-01-31 12:00 UTC
    product = v1.products.create({"name": "Plan"})
    prices = [v1.prices.create({"product": product.id, "currency": "usd", "unit_amount": a,
                                "recurring": {"interval": "month"}}).id for a in (1000, 2000, 3000)]
    clock = v1.test_helpers.test_clocks.create({"frozen_time": jan31})
    cus = carded_customer(v1, clock.id)
    sched = check(v1.subscription_schedules.create({"customer": cus.id, "start_date": "now", "phases": [
        {"items": [{"price": p}], "duration": {"interval": "month"}} for p in prices]}))
    day = lambda y, m, d: int(datetime.datetime(y, m, d, 12, tzinfo=datetime.timezone.utc).timestamp())  # noqa: E731
    assert [(p.start_date, p.end_date) for p in sched.phases] == [
        (jan31, day(2028, 2, 29)), (day(2028, 2, 29), day(2028, 3, 31)), (day(2028, 3, 31), day(2028, 4, 30))]
    for step in (day(2028, 2, 29), day(2028, 3, 31)):
        v1.test_helpers.test_clocks.advance(clock.id, {"frozen_time": step + 3600})
    sub = v1.subscriptions.retrieve(sched.subscription)
    assert sub["items"].data[0].price.id == prices[2]


def test_future_phases_are_added_once_the_first_has_ended(v1, world):
    sched = downgrade(v1, world)
    v1.test_helpers.test_clocks.advance(world["clock"].id, {"frozen_time": MAY1 + 3600})
    pro, basic = world["pro"], world["basic"]
    later = {"items": [{"price": pro}], "duration": {"interval": "month"}}
    # The past phase sent again as it was, or left out.
    with_past = check(v1.subscription_schedules.update(sched.id, {"phases": [
        {"items": [{"price": pro}], "start_date": APR1, "end_date": MAY1},
        {"items": [{"price": basic, "quantity": 2}], "start_date": MAY1, "end_date": JUN1}, later]}))
    assert [(p.start_date, p.end_date) for p in with_past.phases] == [(APR1, MAY1), (MAY1, JUN1), (JUN1, JUL1)]
    without = check(v1.subscription_schedules.update(sched.id, {"phases": [
        {"items": [{"price": basic, "quantity": 2}], "start_date": MAY1, "end_date": JUN1}, later]}))
    assert [(p.start_date, p.end_date) for p in without.phases] == [(APR1, MAY1), (MAY1, JUN1), (JUN1, JUL1)]
    # A past phase cannot change.
    expect_error(lambda: v1.subscription_schedules.update(sched.id, {"phases": [
        {"items": [{"price": basic}], "start_date": APR1, "end_date": MAY1},
        {"items": [{"price": basic, "quantity": 2}], "start_date": MAY1, "end_date": JUN1}]}), param="phases[0]")


def test_on_a_test_clock_the_current_phase_is_the_clocks_everywhere(v1, world):
    # The clock is at APR1, long before the server's own time: lists, expansions and events show
    # the phase running at the clock's time, as retrieve does.
    sched = v1.subscription_schedules.create({"from_subscription": world["sub"].id})
    assert sched.current_phase.start_date == APR1
    listed = v1.subscription_schedules.list({"customer": world["cus"].id}).data
    assert [s.current_phase.start_date for s in listed] == [APR1]
    expanded = v1.subscriptions.retrieve(world["sub"].id, {"expand": ["schedule"]}).schedule
    assert expanded.current_phase.start_date == APR1
    created = v1.events.list({"type": "subscription_schedule.created", "limit": 1}).data[0]
    assert created.data.object.current_phase.start_date == APR1
    updated = v1.subscription_schedules.update(sched.id, {"metadata": {"k": "v"}})
    event = v1.events.list({"type": "subscription_schedule.updated", "limit": 1}).data[0]
    assert updated.current_phase.start_date == event.data.object.current_phase.start_date == APR1


def test_canceling_a_schedule_prorates_and_invoices_by_default(v1, world):
    # As Stripe's: prorate and invoice_now default to true for an active schedule.
    sched = v1.subscription_schedules.create({"from_subscription": world["sub"].id})
    v1.test_helpers.test_clocks.advance(world["clock"].id, {"frozen_time": APR1 + 10 * DAY})
    canceled = check(v1.subscription_schedules.cancel(sched.id))
    assert (canceled.status, canceled.canceled_at) == ("canceled", APR1 + 10 * DAY)
    sub = v1.subscriptions.retrieve(world["sub"].id, {"expand": ["latest_invoice"]})
    assert sub.status == "canceled"
    final = sub.latest_invoice
    assert final.total == -round(2000 * 20 / 30), final.total
    assert v1.customers.retrieve(world["cus"].id).balance == final.total


def test_canceling_a_schedule_without_proration(v1, world):
    sched = v1.subscription_schedules.create({"from_subscription": world["sub"].id})
    v1.test_helpers.test_clocks.advance(world["clock"].id, {"frozen_time": APR1 + 10 * DAY})
    invoices = len(v1.invoices.list({"customer": world["cus"].id}).data)
    check(v1.subscription_schedules.cancel(sched.id, {"prorate": False, "invoice_now": False}))
    assert len(v1.invoices.list({"customer": world["cus"].id}).data) == invoices
    assert v1.customers.retrieve(world["cus"].id).balance == 0
    assert v1.subscriptions.retrieve(world["sub"].id).status == "canceled"


def test_a_change_in_the_second_a_phase_starts_names_only_what_it_changed(v1, world):
    # The clock stands still at the phase's start: an update then is about its own fields.
    sched = check(v1.subscription_schedules.create({"from_subscription": world["sub"].id}))
    assert sched.current_phase.start_date == APR1
    v1.subscription_schedules.update(sched.id, {"metadata": {"k": "v"}})
    (updated,) = [e for e in v1.events.list({"type": "subscription_schedule.updated", "limit": 10}).data
                  if e.data.object.id == sched.id]
    assert list(updated.data.previous_attributes.to_dict()) == ["metadata"], updated.data.previous_attributes


def test_a_schedule_taking_over_a_trial_shows_it_in_its_first_phase(v1, world):
    cus = carded_customer(v1, world["clock"].id)
    sub = v1.subscriptions.create({"customer": cus.id, "items": [{"price": world["pro"]}], "trial_period_days": 10})
    sched = check(v1.subscription_schedules.create({"from_subscription": sub.id}))
    assert [(p.start_date, p.end_date, p.trial_end) for p in sched.phases] == [(APR1, APR1 + 10 * DAY, APR1 + 10 * DAY)]
    later = check(v1.subscription_schedules.update(sched.id, {"phases": [
        {"items": [{"price": world["pro"]}], "start_date": APR1, "end_date": APR1 + 10 * DAY},
        {"items": [{"price": world["basic"]}], "duration": {"interval": "month"}}]}))
    assert [p.trial_end for p in later.phases] == [APR1 + 10 * DAY, None]
    # Phases sent back as retrieved are taken; a trial or currency of their own is not.
    resent = [{"items": [{"price": i.price, "quantity": i.quantity} for i in p["items"]], "start_date": p.start_date,
               "end_date": p.end_date, "currency": p.currency, **({"trial_end": p.trial_end} if p.trial_end else {})}
              for p in later.phases]
    assert check(v1.subscription_schedules.update(sched.id, {"phases": resent})).phases[0].trial_end == APR1 + 10 * DAY
    expect_error(lambda: v1.subscription_schedules.update(sched.id, {"phases": [{**resent[0], "trial_end": APR1 + 5 * DAY}, resent[1]]}),
                 param="phases[0][trial_end]")
    expect_error(lambda: v1.subscription_schedules.update(sched.id, {"phases": [resent[0], {**resent[1], "currency": "eur"}]}),
                 param="phases[1][currency]")


def test_a_phase_keeps_the_trial_it_shows_after_the_trial(v1, world):
    cus = carded_customer(v1, world["clock"].id)
    sub = v1.subscriptions.create({"customer": cus.id, "items": [{"price": world["pro"]}], "trial_period_days": 10})
    sched = v1.subscription_schedules.create({"from_subscription": sub.id})
    trial_end = APR1 + 10 * DAY
    longer = check(v1.subscription_schedules.update(sched.id, {"phases": [
        {"items": [{"price": world["pro"]}], "start_date": APR1, "end_date": trial_end + 30 * DAY}]}))
    (phase,) = longer.phases
    assert phase.trial_end == trial_end and phase.end_date > trial_end
    v1.test_helpers.test_clocks.advance(world["clock"].id, {"frozen_time": trial_end + DAY})
    assert v1.subscriptions.retrieve(sub.id).status == "active"
    resent = check(v1.subscription_schedules.update(sched.id, {"phases": [
        {"items": [{"price": world["pro"]}], "start_date": phase.start_date, "end_date": phase.end_date,
         "trial_end": phase.trial_end}]}))
    assert resent.phases[0].trial_end == trial_end


def test_a_schedule_can_send_its_subscriptions_invoices(v1, world):
    """`default_settings[collection_method]=send_invoice` with its days: the subscription the
    schedule starts (now or later) sends its invoices; a schedule made from a subscription shows
    the subscription's settings; updating the settings changes how the subscription is collected."""
    cus = world["cus"].id
    settings = {"collection_method": "send_invoice", "invoice_settings": {"days_until_due": 12}}
    sched = check(v1.subscription_schedules.create({
        "customer": cus, "start_date": "now", "default_settings": settings,
        "phases": [{"items": [{"price": world["basic"]}]}]}))
    assert (sched.default_settings.collection_method, sched.default_settings.invoice_settings.days_until_due) == (
        "send_invoice", 12)
    sub = v1.subscriptions.retrieve(sched.subscription, {"expand": ["latest_invoice"]})
    assert (sub.collection_method, sub.days_until_due, sub.status) == ("send_invoice", 12, "active")
    assert (sub.latest_invoice.collection_method, sub.latest_invoice.due_date) == ("send_invoice", APR1 + 12 * DAY)
    # Back to charging automatically: the subscription follows.
    back = check(v1.subscription_schedules.update(sched.id, {"default_settings": {
        "collection_method": "charge_automatically"}}))
    assert back.default_settings.collection_method in (None, "charge_automatically")
    assert back.default_settings.invoice_settings.days_until_due is None
    assert v1.subscriptions.retrieve(sched.subscription).collection_method == "charge_automatically"
    # A schedule that starts later makes its subscription with the settings.
    later = v1.subscription_schedules.create({
        "customer": cus, "start_date": MAY1, "default_settings": settings,
        "phases": [{"items": [{"price": world["pro"]}]}]})
    v1.test_helpers.test_clocks.advance(world["clock"].id, {"frozen_time": MAY1 + HOUR + 60})
    started = v1.subscriptions.retrieve(v1.subscription_schedules.retrieve(later.id).subscription,
                                        {"expand": ["latest_invoice"]})
    assert (started.collection_method, started.days_until_due) == ("send_invoice", 12)
    assert (started.latest_invoice.status, started.latest_invoice.amount_paid) == ("open", 0)
    # From a subscription whose invoices are sent: the schedule says so.
    v1.subscriptions.update(world["sub"].id, {"collection_method": "send_invoice", "days_until_due": 7})
    made = check(v1.subscription_schedules.create({"from_subscription": world["sub"].id}))
    assert (made.default_settings.collection_method, made.default_settings.invoice_settings.days_until_due) == (
        "send_invoice", 7)


def test_default_settings_are_checked_by_name(v1, world):
    cus = world["cus"].id
    phases = [{"items": [{"price": world["basic"]}]}]
    new = lambda **params: v1.subscription_schedules.create(params)  # noqa: E731
    expect_error(lambda: new(customer=cus, start_date="now", phases=phases,
                             default_settings={"invoice_settings": {"days_until_due": 3}}),
                 param="default_settings[invoice_settings][days_until_due]")
    expect_error(lambda: new(customer=cus, start_date="now", phases=phases,
                             default_settings={"collection_method": "fax"}),
                 param="default_settings[collection_method]")
    expect_error(lambda: new(from_subscription=world["sub"].id,
                             default_settings={"collection_method": "send_invoice"}), param="default_settings")
    assert [s.id for s in v1.subscriptions.list({"customer": cus}).data] == [world["sub"].id]

"""`billing_cycle_anchor_config`: a monthly or yearly subscription anchored on a day of the month
(the last day of shorter months), at a time of day, and for yearly prices in a month. The cycle
keeps the configured day: anchored on April 30 for the 31st, it renews on May 31."""

import calendar

import pytest

from helpers import HOUR, carded_customer, check, expect_error

DAY = 86400


def utc(y, m, d, hh=0, mm=0, ss=0):
    return calendar.timegm((y, m, d, hh, mm, ss))


T0 = utc(2026, 4, 10, 9, 30)


@pytest.fixture
def world(v1):
    product = v1.products.create({"name": "Plan"})
    price = lambda amount, interval: v1.prices.create({
        "product": product.id, "currency": "usd", "unit_amount": amount,
        "recurring": {"interval": interval}}).id
    clock = v1.test_helpers.test_clocks.create({"frozen_time": T0})
    cus = carded_customer(v1, clock.id)
    return {"monthly": price(3000, "month"), "yearly": price(36000, "year"),
            "weekly": price(700, "week"), "clock": clock, "cus": cus}


def create(v1, w, price, config, **extra):
    return check(v1.subscriptions.create({"customer": w["cus"].id, "items": [{"price": w[price]}],
                                          "billing_cycle_anchor_config": config, **extra}))


def advance(v1, w, to):
    assert v1.test_helpers.test_clocks.advance(w["clock"].id, {"frozen_time": to}).status == "ready"


def period(sub):
    item = sub["items"].data[0]
    return item.current_period_start, item.current_period_end


def test_the_31st_is_kept_through_short_months(v1, world):
    sub = create(v1, world, "monthly", {"day_of_month": 31, "hour": 0, "minute": 0, "second": 0})
    # April has no 31st: its last day; the stretch up to it prorated and paid.
    assert sub.billing_cycle_anchor == utc(2026, 4, 30)
    assert sub.billing_cycle_anchor_config.to_dict() == {
        "day_of_month": 31, "hour": 0, "minute": 0, "month": None, "second": 0}
    assert sub.status == "active" and period(sub) == (T0, utc(2026, 4, 30))
    first = v1.invoices.retrieve(sub.latest_invoice)
    # 19 days 14.5 hours of the 30 days from March 31 to April 30, at $30.
    assert first.status == "paid" and first.amount_paid == 1960
    line = first.lines.data[0]
    assert line.parent.subscription_item_details.proration is True
    assert (line.period.start, line.period.end) == (T0, utc(2026, 4, 30))

    # Then on the 31st, or the last day of a shorter month.
    ends = []
    for stop in [utc(2026, 4, 30, 1), utc(2026, 5, 31, 1), utc(2026, 6, 30, 1)]:
        advance(v1, world, stop)
        renewed = check(v1.subscriptions.retrieve(sub.id))
        invoice = v1.invoices.retrieve(renewed.latest_invoice)
        assert invoice.status == "paid" and invoice.amount_paid == 3000
        ends.append(period(renewed)[1])
    assert ends == [utc(2026, 5, 31), utc(2026, 6, 30), utc(2026, 7, 31)]
    # The preview of the next renewal follows the same rule.
    upcoming = v1.invoices.create_preview({"subscription": sub.id})
    assert (upcoming.lines.data[0].period.start, upcoming.lines.data[0].period.end) == (
        utc(2026, 7, 31), utc(2026, 8, 31))

    # Restarting the cycle leaves the configuration behind.
    reset = check(v1.subscriptions.update(sub.id, {"billing_cycle_anchor": "now",
                                                   "proration_behavior": "none"}))
    assert reset.billing_cycle_anchor == utc(2026, 6, 30, 1)
    assert reset.billing_cycle_anchor_config is None


def test_unset_time_parts_are_the_creation_time(v1, world):
    sub = create(v1, world, "monthly", {"day_of_month": 15})
    assert sub.billing_cycle_anchor == utc(2026, 4, 15, 9, 30)
    assert sub.billing_cycle_anchor_config.to_dict() == {
        "day_of_month": 15, "hour": None, "minute": None, "month": None, "second": None}
    # The creation moment itself: a whole first period, anchored now.
    now = create(v1, world, "monthly", {"day_of_month": 10})
    assert now.billing_cycle_anchor == T0 and period(now) == (T0, utc(2026, 5, 10, 9, 30))
    assert v1.invoices.retrieve(now.latest_invoice).amount_paid == 3000
    # Later today.
    later = create(v1, world, "monthly", {"day_of_month": 10, "hour": 18})
    assert later.billing_cycle_anchor == utc(2026, 4, 10, 18, 30)


def test_a_yearly_price_starts_its_full_periods_in_the_month(v1, world):
    sub = create(v1, world, "yearly", {"day_of_month": 1, "month": 1, "hour": 0, "minute": 0,
                                       "second": 0})
    assert sub.billing_cycle_anchor == utc(2027, 1, 1)
    assert sub.billing_cycle_anchor_config.month == 1
    first = v1.invoices.retrieve(sub.latest_invoice)
    # From April 10, 09:30 to January 1 of the year January 1, 2026 to January 1, 2027.
    assert first.amount_paid == round(36000 * (utc(2027, 1, 1) - T0) / (365 * DAY))
    advance(v1, world, utc(2027, 1, 1, 1))
    renewed = check(v1.subscriptions.retrieve(sub.id))
    assert period(renewed) == (utc(2027, 1, 1), utc(2028, 1, 1))
    assert v1.invoices.retrieve(renewed.latest_invoice).amount_paid == 36000


@pytest.mark.parametrize("behavior, owed", [("create_prorations", 1360), ("none", 0)])
def test_a_trial_ends_into_a_stretch_up_to_the_anchor(v1, world, behavior, owed):
    sub = create(v1, world, "monthly", {"day_of_month": 1, "hour": 0, "minute": 0, "second": 0},
                 trial_period_days=7, proration_behavior=behavior)
    trial_end = T0 + 7 * DAY
    assert sub.status == "trialing" and sub.trial_end == trial_end
    # The anchor comes after the trial: May 1.
    assert sub.billing_cycle_anchor == utc(2026, 5, 1)
    advance(v1, world, trial_end + HOUR)
    active = check(v1.subscriptions.retrieve(sub.id))
    assert active.status == "active" and period(active) == (trial_end, utc(2026, 5, 1))
    invoice = v1.invoices.retrieve(active.latest_invoice)
    line = invoice.lines.data[0]
    # 13 days 14.5 hours of April's 30 days at $30, or nothing under proration_behavior=none.
    assert (invoice.status, invoice.total) == ("paid", owed)
    assert line.parent.subscription_item_details.proration is True
    assert line.description == "Remaining time on Plan after the trial"
    advance(v1, world, utc(2026, 5, 1, 1))
    renewed = check(v1.subscriptions.retrieve(sub.id))
    assert period(renewed) == (utc(2026, 5, 1), utc(2026, 6, 1))
    assert v1.invoices.retrieve(renewed.latest_invoice).total == 3000


def test_refusals_name_the_parameter(v1, world):
    cus = world["cus"].id
    new = lambda price, config, **extra: v1.subscriptions.create({
        "customer": cus, "items": [{"price": world[price]}],
        "billing_cycle_anchor_config": config, **extra})
    expect_error(lambda: new("monthly", {"day_of_month": 1},
                             billing_cycle_anchor=T0 + DAY),
                 param="billing_cycle_anchor_config")
    expect_error(lambda: new("weekly", {"day_of_month": 1}), param="billing_cycle_anchor_config")
    for part, value in [("day_of_month", 32), ("day_of_month", 0), ("hour", 24),
                        ("minute", 60), ("second", -1), ("month", 13)]:
        config = {"day_of_month": 1} | {part: value}
        expect_error(lambda: new("monthly", config),
                     param=f"billing_cycle_anchor_config[{part}]")
    expect_error(lambda: new("monthly", {"hour": 3}),
                 param="billing_cycle_anchor_config[day_of_month]")
    expect_error(lambda: new("monthly", {"day_of_month": "first"}),
                 param="billing_cycle_anchor_config[day_of_month]")
    # A monthly price cannot wait for a month further off than its first period.
    expect_error(lambda: new("monthly", {"day_of_month": 1, "month": 9}),
                 param="billing_cycle_anchor_config[month]")
    # Nothing was created.
    assert v1.subscriptions.list({"customer": cus}).data == []


def test_a_schedule_phase_ends_with_the_configured_cycle(v1, world):
    sub = create(v1, world, "monthly", {"day_of_month": 31, "hour": 0, "minute": 0, "second": 0})
    advance(v1, world, utc(2026, 4, 30, 1))
    schedule = check(v1.subscription_schedules.create({"from_subscription": sub.id}))
    phase = schedule.phases[0]
    assert (phase.start_date, phase.end_date) == (utc(2026, 4, 30), utc(2026, 5, 31))


def test_an_explicit_anchor_after_a_trial_is_prorated_too(v1, world):
    sub = check(v1.subscriptions.create({
        "customer": world["cus"].id, "items": [{"price": world["monthly"]}],
        "trial_period_days": 7, "billing_cycle_anchor": utc(2026, 5, 1)}))
    assert sub.billing_cycle_anchor_config is None
    advance(v1, world, T0 + 7 * DAY + HOUR)
    active = check(v1.subscriptions.retrieve(sub.id))
    invoice = v1.invoices.retrieve(active.latest_invoice)
    # Before, the ten-odd days up to the anchor were billed as a whole month.
    assert (invoice.status, invoice.total) == ("paid", 1360)


def test_anchored_now_on_a_clamped_day_runs_to_the_configured_day(v1, world):
    # Created on April 30 (no 31st) at the creation time of day: anchored now, and the first
    # period runs to May 31, not May 30.
    clock = v1.test_helpers.test_clocks.create({"frozen_time": utc(2026, 4, 30, 9, 30)})
    cus = carded_customer(v1, clock.id)
    sub = check(v1.subscriptions.create({"customer": cus.id, "items": [{"price": world["monthly"]}],
                                         "billing_cycle_anchor_config": {"day_of_month": 31}}))
    assert sub.billing_cycle_anchor == utc(2026, 4, 30, 9, 30)
    assert period(sub) == (utc(2026, 4, 30, 9, 30), utc(2026, 5, 31, 9, 30))
    assert v1.invoices.retrieve(sub.latest_invoice).amount_paid == 3000
    v1.test_helpers.test_clocks.advance(clock.id, {"frozen_time": utc(2026, 5, 31, 10)})
    renewed = check(v1.subscriptions.retrieve(sub.id))
    assert period(renewed) == (utc(2026, 5, 31, 9, 30), utc(2026, 6, 30, 9, 30))
    # A schedule's phase measured by duration ends on the configured day too.
    sched = check(v1.subscription_schedules.create({"from_subscription": sub.id}))
    updated = check(v1.subscription_schedules.update(sched.id, {"phases": [
        {"items": [{"price": world["monthly"]}], "start_date": utc(2026, 5, 31, 9, 30),
         "end_date": utc(2026, 6, 30, 9, 30)},
        {"items": [{"price": world["monthly"]}], "duration": {"interval": "month"}}]}))
    assert updated.phases[1].end_date == utc(2026, 7, 31, 9, 30)

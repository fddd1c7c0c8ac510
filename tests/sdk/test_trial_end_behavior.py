"""A trial that ends without a payment method: `trial_settings[end_behavior][missing_payment_method]`
cancels the subscription, pauses it (`paused`: no invoices until it is resumed), or bills it anyway
(`create_invoice`, the default). `POST /v1/subscriptions/{id}/resume` starts a paused one again."""

import html
import re

import requests
import stripe

from helpers import HOUR, check, expect_error

DAY = 86400
T0 = 1_767_225_600  # 2026-01-01 00:00:00 UTC
TRIAL_END = T0 + 7 * DAY


def plan(v1, amount=3100):
    product = v1.products.create({"name": "Team", "default_price_data": {
        "currency": "usd", "unit_amount": amount, "recurring": {"interval": "month"}}})
    return product.default_price


def trial(v1, behavior=None, card=None, amount=3100):
    """A customer on a test clock (with `card` as default, if any) trialing a monthly plan for
    seven days, with `behavior` as the trial's end behaviour."""
    clock = v1.test_helpers.test_clocks.create({"frozen_time": T0})
    params = {"test_clock": clock.id}
    if card:
        params |= {"payment_method": card, "invoice_settings": {"default_payment_method": card}}
    cus = v1.customers.create(params)
    create = {"customer": cus.id, "items": [{"price": plan(v1, amount)}], "trial_period_days": 7}
    if behavior:
        create["trial_settings"] = {"end_behavior": {"missing_payment_method": behavior}}
    sub = check(v1.subscriptions.create(create))
    assert sub.status == "trialing"
    assert sub.trial_settings.end_behavior.missing_payment_method == (behavior or "create_invoice")
    return clock, cus, sub


def advance(v1, clock, to):
    assert v1.test_helpers.test_clocks.advance(clock.id, {"frozen_time": to}).status == "ready"


def types_since(v1, mark):
    """The event types after event `mark` (an id, or None for all), oldest first."""
    events = v1.events.list({"limit": 100}).data[::-1]
    ids = [e.id for e in events]
    start = ids.index(mark) + 1 if mark else 0
    return [e.type for e in events[start:]]


def last_event(v1):
    return v1.events.list({"limit": 1}).data[0].id


def invoices_of(v1, sub):
    return v1.invoices.list({"subscription": sub.id}).data[::-1]


def add_card(v1, cus, card="pm_card_visa"):
    pm = v1.payment_methods.attach(card, {"customer": cus.id})
    v1.customers.update(cus.id, {"invoice_settings": {"default_payment_method": pm.id}})
    return pm


def test_a_trial_without_a_card_pauses_and_resumes_with_a_new_period(v1):
    clock, cus, sub = trial(v1, "pause")
    mark = last_event(v1)
    advance(v1, clock, TRIAL_END + 1)
    paused = check(v1.subscriptions.retrieve(sub.id))
    assert paused.status == "paused" and paused.trial_end == TRIAL_END and paused.ended_at is None
    assert paused.latest_invoice == sub.latest_invoice, "pausing bills nothing"
    got = types_since(v1, mark)
    assert "customer.subscription.paused" in got and "customer.subscription.updated" in got, got
    assert not [t for t in got if t.startswith("invoice.") and t != "invoice.upcoming"], got
    event = v1.events.list({"type": "customer.subscription.paused"}).data[0]
    assert event.data.object.id == sub.id and event.data.previous_attributes["status"] == "trialing"

    # Still a live subscription: listed by default and by status, and nothing falls due.
    assert sub.id in [s.id for s in v1.subscriptions.list({"customer": cus.id}).data]
    assert [s.id for s in v1.subscriptions.list({"customer": cus.id, "status": "paused"}).data] == [sub.id]
    # (At most two months per advance, as on Stripe.)
    advance(v1, clock, T0 + 60 * DAY)
    advance(v1, clock, T0 + 80 * DAY)
    assert v1.subscriptions.retrieve(sub.id).status == "paused"
    assert len(invoices_of(v1, sub)) == 1, "a paused subscription is never invoiced"
    expect_error(lambda: v1.invoices.create_preview({"subscription": sub.id}), code="invoice_upcoming_none")
    expect_error(lambda: v1.subscriptions.update(sub.id, {"items": [
        {"id": sub["items"].data[0].id, "quantity": 2}]}), param="items")
    expect_error(lambda: v1.subscriptions.update(sub.id, {"cancel_at_period_end": True}),
                 param="cancel_at_period_end")

    # The customer adds a card; the business resumes the subscription: a new month from now.
    add_card(v1, cus)
    now = T0 + 80 * DAY
    mark = last_event(v1)
    resumed = check(v1.subscriptions.resume(sub.id, {"expand": ["latest_invoice"]}))
    assert resumed.status == "active" and resumed.billing_cycle_anchor == now
    item = resumed["items"].data[0]
    assert (item.current_period_start, item.current_period_end) == (now, now + 31 * DAY)
    inv = resumed.latest_invoice
    assert (inv.status, inv.amount_paid, inv.billing_reason) == ("paid", 3100, "subscription_update")
    got = types_since(v1, mark)
    assert "customer.subscription.resumed" in got and "invoice.paid" in got, got
    expect_error(lambda: v1.subscriptions.resume(sub.id), message="only a paused subscription")

    # It renews as usual afterwards.
    advance(v1, clock, now + 31 * DAY + HOUR)
    assert [i.amount_paid for i in invoices_of(v1, sub)] == [0, 3100, 3100]


def test_a_trial_without_a_card_can_cancel_instead(v1):
    clock, cus, sub = trial(v1, "cancel")
    mark = last_event(v1)
    advance(v1, clock, TRIAL_END + 1)
    gone = check(v1.subscriptions.retrieve(sub.id))
    assert (gone.status, gone.ended_at, gone.canceled_at) == ("canceled", TRIAL_END, TRIAL_END)
    assert gone.cancellation_details.reason == "cancellation_requested"
    assert len(invoices_of(v1, sub)) == 1
    got = types_since(v1, mark)
    assert "customer.subscription.deleted" in got
    assert not [t for t in got if t.startswith("invoice.") and t != "invoice.upcoming"], got
    expect_error(lambda: v1.subscriptions.resume(sub.id), message="only a paused subscription")


def test_a_card_on_file_bills_the_period_whatever_the_setting(v1):
    for behavior in ("pause", "cancel"):
        clock, cus, sub = trial(v1, behavior, card="pm_card_visa")
        advance(v1, clock, TRIAL_END + HOUR)
        after = v1.subscriptions.retrieve(sub.id, {"expand": ["latest_invoice"]})
        assert (after.status, after.latest_invoice.amount_paid) == ("active", 3100), behavior


def test_a_card_added_during_the_trial_counts(v1):
    clock, cus, sub = trial(v1, "pause")
    advance(v1, clock, T0 + 3 * DAY)
    add_card(v1, cus)
    advance(v1, clock, TRIAL_END + 1)
    assert v1.subscriptions.retrieve(sub.id).status == "active"


def test_create_invoice_bills_the_period_anyway(v1):
    clock, cus, sub = trial(v1)
    advance(v1, clock, TRIAL_END + 1)
    after = v1.subscriptions.retrieve(sub.id, {"expand": ["latest_invoice"]})
    assert (after.status, after.latest_invoice.status) == ("active", "draft"), "its hour as a draft first"
    advance(v1, clock, TRIAL_END + HOUR)
    after = v1.subscriptions.retrieve(sub.id, {"expand": ["latest_invoice"]})
    assert (after.status, after.latest_invoice.status, after.latest_invoice.amount_due) == ("past_due", "open", 3100)


def test_ending_the_trial_now_applies_the_setting_at_once(v1):
    clock, cus, sub = trial(v1)
    updated = check(v1.subscriptions.update(sub.id, {
        "trial_settings": {"end_behavior": {"missing_payment_method": "pause"}}, "trial_end": "now"}))
    assert updated.status == "paused"
    assert updated.trial_settings.end_behavior.missing_payment_method == "pause"


def test_resuming_on_the_same_billing_cycle(v1):
    # Resumed halfway through the period the trial's anchor gives: the rest of it, prorated.
    clock, cus, sub = trial(v1, "pause", amount=3100)
    advance(v1, clock, TRIAL_END + 1)
    assert v1.subscriptions.retrieve(sub.id).status == "paused"
    add_card(v1, cus)
    # The cycle runs from the trial's end (Jan 8) month by month: Feb 8 – Mar 8 is 28 days.
    feb8, mar8 = TRIAL_END + 31 * DAY, TRIAL_END + 59 * DAY
    now = feb8 + 14 * DAY
    advance(v1, clock, now)
    resumed = check(v1.subscriptions.resume(sub.id, {
        "billing_cycle_anchor": "unchanged", "proration_behavior": "always_invoice",
        "expand": ["latest_invoice"]}))
    assert resumed.status == "active" and resumed.billing_cycle_anchor == TRIAL_END
    item = resumed["items"].data[0]
    assert (item.current_period_start, item.current_period_end) == (feb8, mar8)
    [line] = resumed.latest_invoice.lines.data
    assert line.amount == 1550 and line.parent.subscription_item_details.proration is True
    assert (line.period.start, line.period.end) == (now, mar8)
    assert resumed.latest_invoice.amount_paid == 1550


def test_resuming_with_prorations_left_for_the_renewal_or_none(v1):
    for behavior, renewal in (("create_prorations", [1550, 3100]), ("none", [3100])):
        clock, cus, sub = trial(v1, "pause")
        advance(v1, clock, TRIAL_END + 31 * DAY + 14 * DAY)
        add_card(v1, cus)
        resumed = v1.subscriptions.resume(sub.id, {"billing_cycle_anchor": "unchanged",
                                                   "proration_behavior": behavior})
        assert resumed.status == "active" and resumed.latest_invoice == sub.latest_invoice, behavior
        advance(v1, clock, TRIAL_END + 59 * DAY + 1)
        renewal_invoice = invoices_of(v1, sub)[-1]
        assert [l.amount for l in renewal_invoice.lines.data] == renewal, behavior


def test_a_declined_resumption_leaves_the_subscription_past_due(v1):
    clock, cus, sub = trial(v1, "pause")
    advance(v1, clock, TRIAL_END + 1)
    add_card(v1, cus, "pm_card_chargeCustomerFail")
    resumed = v1.subscriptions.resume(sub.id, {"expand": ["latest_invoice"]})
    assert resumed.status == "past_due"
    assert (resumed.latest_invoice.status, resumed.latest_invoice.attempt_count) == ("open", 1)
    assert resumed.latest_invoice.next_payment_attempt is not None


def test_a_paused_subscription_cannot_be_scheduled(v1):
    clock, cus, sub = trial(v1, "pause")
    advance(v1, clock, TRIAL_END + 1)
    expect_error(lambda: v1.subscription_schedules.create({"from_subscription": sub.id}),
                 param="from_subscription", message="paused")


def test_bad_parameters_are_named(v1):
    clock, cus, sub = trial(v1)
    price = sub["items"].data[0].price.id
    expect_error(lambda: v1.subscriptions.create({"customer": cus.id, "items": [{"price": price}],
        "trial_settings": {"end_behavior": {"missing_payment_method": "wait"}}}),
        param="trial_settings[end_behavior][missing_payment_method]")
    expect_error(lambda: v1.subscriptions.update(sub.id, {"trial_settings": {"end_behavior": ""}}),
                 param="trial_settings[end_behavior]")
    expect_error(lambda: v1.subscriptions.resume(sub.id), message="only a paused subscription")
    expect_error(lambda: v1.subscriptions.resume("sub_nope"), status=404)

    clock, cus, sub = trial(v1, "pause")
    advance(v1, clock, TRIAL_END + 1)
    expect_error(lambda: v1.subscriptions.resume(sub.id, {"billing_cycle_anchor": "later"}),
                 param="billing_cycle_anchor")
    expect_error(lambda: v1.subscriptions.resume(sub.id, {"proration_behavior": "sometimes"}),
                 param="proration_behavior")
    for when in (TRIAL_END - 1, TRIAL_END + 5):
        expect_error(lambda: v1.subscriptions.resume(sub.id, {"billing_cycle_anchor": "unchanged",
                                                              "proration_date": when}),
                     param="proration_date")
    assert v1.subscriptions.retrieve(sub.id).status == "paused", "a refused resume changes nothing"


def test_the_portal_shows_a_paused_subscription_without_actions(v1):
    clock, cus, sub = trial(v1, "pause")
    advance(v1, clock, TRIAL_END + 1)
    cfg = v1.billing_portal.configurations.create({"features": {
        "subscription_cancel": {"enabled": True, "mode": "immediately"},
        "payment_method_update": {"enabled": True}}})
    expect_error(lambda: v1.billing_portal.sessions.create({
        "customer": cus.id, "configuration": cfg.id, "return_url": "https://example.com/account",
        "flow_data": {"type": "subscription_cancel",
                                          "subscription_cancel": {"subscription": sub.id}}}),
        param="flow_data[subscription_cancel][subscription]", message="paused")
    session = v1.billing_portal.sessions.create({"customer": cus.id, "configuration": cfg.id,
                                                 "return_url": "https://example.com/account"})
    page = requests.get(session.url, timeout=10)
    assert page.status_code == 200
    text = html.unescape(re.sub(r"<[^>]+>", " ", page.text))
    assert "Paused" in text and "Paused since January 8, 2026" in " ".join(text.split()), text
    assert "Cancel subscription" not in text
    assert "Add payment method" in text


def trial_warnings(v1, sub):
    return [e for e in v1.events.list({"type": "customer.subscription.trial_will_end", "limit": 100}).data
            if e.data.object.id == sub.id]


def test_the_trial_end_is_announced_three_days_before(v1):
    clock, cus, sub = trial(v1, "pause")
    advance(v1, clock, TRIAL_END - 3 * DAY - 1)
    assert trial_warnings(v1, sub) == []
    mark = last_event(v1)
    advance(v1, clock, TRIAL_END - 3 * DAY + 60)
    [warning] = trial_warnings(v1, sub)
    assert warning.data.object.status == "trialing" and warning.data.object.trial_end == TRIAL_END
    assert "previous_attributes" not in warning.data or warning.data.previous_attributes is None
    assert warning["request"]["id"] is None, "sent by the billing engine, not a request"
    got = types_since(v1, mark)
    assert got == ["test_helpers.test_clock.advancing", "customer.subscription.trial_will_end",
                   "invoice.upcoming", "test_helpers.test_clock.ready"], got
    advance(v1, clock, TRIAL_END - DAY)
    assert len(trial_warnings(v1, sub)) == 1, "announced once"

    # Moving the end announces the new one in its turn: at once if it is within three days.
    later = TRIAL_END + 10 * DAY
    v1.subscriptions.update(sub.id, {"trial_end": later})
    assert len(trial_warnings(v1, sub)) == 1
    advance(v1, clock, later - 3 * DAY)
    assert [w.data.object.trial_end for w in trial_warnings(v1, sub)] == [later, TRIAL_END]
    v1.subscriptions.update(sub.id, {"trial_end": later - DAY})
    assert [w.data.object.trial_end for w in trial_warnings(v1, sub)][0] == later - DAY


def test_a_short_trial_or_one_ended_now_is_announced_at_once(v1):
    clock = v1.test_helpers.test_clocks.create({"frozen_time": T0})
    cus = v1.customers.create({"test_clock": clock.id, "payment_method": "pm_card_visa",
                               "invoice_settings": {"default_payment_method": "pm_card_visa"}})
    price = plan(v1)
    mark = last_event(v1)
    short = v1.subscriptions.create({"customer": cus.id, "items": [{"price": price}], "trial_period_days": 2})
    got = types_since(v1, mark)
    assert got.index("customer.subscription.created") < got.index("customer.subscription.trial_will_end"), got
    assert len(trial_warnings(v1, short)) == 1

    longer = v1.subscriptions.create({"customer": cus.id, "items": [{"price": price}], "trial_period_days": 30})
    assert trial_warnings(v1, longer) == []
    mark = last_event(v1)
    ended = v1.subscriptions.update(longer.id, {"trial_end": "now"})
    assert ended.status == "active"
    got = types_since(v1, mark)
    # One request, one announcement of it: the subscription as the trial's end left it.
    assert got == ["customer.subscription.updated", "customer.subscription.trial_will_end",
                   "invoice.created", "invoice.finalized", "invoice.paid",
                   "invoice.payment_succeeded"], got
    [updated] = [e for e in v1.events.list({"type": "customer.subscription.updated", "limit": 1}).data]
    assert updated.data.object.status == "active" and updated.data.object.trial_end <= T0 + 5
    assert updated.data.previous_attributes.status == "trialing"
    assert "upcoming" not in " ".join(got), "the next invoice is billed at once, not announced"

    # Without a trial, nothing to announce.
    plain = v1.subscriptions.create({"customer": cus.id, "items": [{"price": price}]})
    advance(v1, clock, T0 + 40 * DAY)
    assert trial_warnings(v1, plain) == []


def test_a_renewal_is_announced_with_invoice_upcoming(v1):
    clock, cus, sub = trial(v1, card="pm_card_visa")
    upcoming = lambda: [e for e in v1.events.list({"type": "invoice.upcoming", "limit": 100}).data
                        if e.data.object.parent.subscription_details.subscription == sub.id]
    advance(v1, clock, TRIAL_END - 3 * DAY - 1)
    assert upcoming() == []
    advance(v1, clock, TRIAL_END - 3 * DAY + 60)
    [first] = upcoming()
    # A preview of the invoice the trial's end makes: no id, Stripe's upcoming shape.
    body = first.data.object.to_dict()
    assert "id" not in body and body["object"] == "invoice" and body["billing_reason"] == "upcoming"
    assert (body["status"], body["amount_due"]) == ("draft", 3100)
    # Stripe's invoice period looks back over the period that ends; the line bills the next.
    assert (body["period_start"], body["period_end"]) == (T0, TRIAL_END)
    assert body["lines"]["data"][0]["period"]["start"] == TRIAL_END
    assert first["request"]["id"] is None
    # Once per period: the next one comes three days before the following renewal.
    feb8 = TRIAL_END + 31 * DAY
    advance(v1, clock, feb8 - 3 * DAY - 1)
    assert len(upcoming()) == 1
    advance(v1, clock, feb8 - 3 * DAY + 1)
    assert [e.data.object.period_end for e in upcoming()] == [feb8, TRIAL_END]
    # Set to cancel at the period's end: nothing more to announce.
    v1.subscriptions.update(sub.id, {"cancel_at_period_end": True})
    advance(v1, clock, feb8 + 28 * DAY - 1)
    assert len(upcoming()) == 2


def test_no_late_or_pointless_renewal_notices(v1):
    upcoming = lambda s: [e for e in v1.events.list({"type": "invoice.upcoming", "limit": 100}).data
                          if e.data.object.parent.subscription_details.subscription == s.id]
    # A cancellation withdrawn two days before the renewal: too late to announce it ahead.
    clock = v1.test_helpers.test_clocks.create({"frozen_time": T0})
    cus = v1.customers.create({"test_clock": clock.id, "payment_method": "pm_card_visa",
                               "invoice_settings": {"default_payment_method": "pm_card_visa"}})
    sub = v1.subscriptions.create({"customer": cus.id, "items": [{"price": plan(v1)}], "cancel_at_period_end": True})
    feb1 = T0 + 31 * DAY
    advance(v1, clock, feb1 - 2 * DAY)
    v1.subscriptions.update(sub.id, {"cancel_at_period_end": False})
    advance(v1, clock, feb1 + 1)
    assert upcoming(sub) == [] and v1.subscriptions.retrieve(sub.id).status == "active"
    # A schedule that ends the subscription at the period's end: no invoice to announce.
    ending = v1.subscriptions.create({"customer": cus.id, "items": [{"price": plan(v1)}]})
    schedule = v1.subscription_schedules.create({"from_subscription": ending.id})
    v1.subscription_schedules.update(schedule.id, {"end_behavior": "cancel"})
    period_end = ending["items"].data[0].current_period_end
    advance(v1, clock, period_end + 1)
    assert upcoming(ending) == []
    assert v1.subscriptions.retrieve(ending.id).status == "canceled"


def test_a_trial_that_cancels_takes_its_schedule_along(v1):
    # A schedule with a phase after the trial is canceled with the subscription.
    clock, cus, sub = trial(v1, "cancel")
    sched = v1.subscription_schedules.create({"from_subscription": sub.id})
    price = sub["items"].data[0].price.id
    v1.subscription_schedules.update(sched.id, {"phases": [
        {"items": [{"price": price}], "start_date": T0, "end_date": TRIAL_END},
        {"items": [{"price": price, "quantity": 2}]}]})
    advance(v1, clock, TRIAL_END + 1)
    assert v1.subscriptions.retrieve(sub.id).status == "canceled"
    ended = check(v1.subscription_schedules.retrieve(sched.id))
    assert (ended.status, ended.canceled_at) == ("canceled", TRIAL_END)
    # One that ends with the trial releases the subscription first, and stays released.
    clock, cus, sub = trial(v1, "cancel")
    sched = v1.subscription_schedules.create({"from_subscription": sub.id})
    advance(v1, clock, TRIAL_END + 1)
    assert v1.subscriptions.retrieve(sub.id).status == "canceled"
    assert v1.subscription_schedules.retrieve(sched.id).status == "released"


def ending_now(v1, card):
    """A customer with `card` as default, trialing a monthly plan for thirty days; the events so
    far."""
    clock = v1.test_helpers.test_clocks.create({"frozen_time": T0})
    cus = v1.customers.create({"test_clock": clock.id})
    add_card(v1, cus, card)
    sub = v1.subscriptions.create({"customer": cus.id, "items": [{"price": plan(v1)}], "trial_period_days": 30})
    return cus, sub, last_event(v1)


def test_ending_a_trial_now_follows_payment_behavior(v1):
    # error_if_incomplete: a declined renewal refuses the whole update, and stores nothing.
    cus, sub, mark = ending_now(v1, "pm_card_chargeCustomerFail")
    invoices_before = [i.id for i in invoices_of(v1, sub)]
    sequence_before = v1.customers.retrieve(cus.id).next_invoice_sequence
    e = expect_error(lambda: v1.subscriptions.update(sub.id, {
        "trial_end": "now", "payment_behavior": "error_if_incomplete", "metadata": {"tried": "yes"}}),
        stripe.CardError, status=402, code="card_declined")
    assert e.json_body["error"]["decline_code"]
    again = v1.subscriptions.retrieve(sub.id)
    assert (again.status, again.trial_end, again.latest_invoice) == ("trialing", sub.trial_end, sub.latest_invoice)
    assert again.metadata.to_dict() == {}
    assert [i.id for i in invoices_of(v1, sub)] == invoices_before
    assert v1.customers.retrieve(cus.id).next_invoice_sequence == sequence_before
    assert types_since(v1, mark) == []

    # A card that needs 3-D Secure off-session is refused the same way.
    cus, sub, mark = ending_now(v1, "pm_card_authenticationRequired")
    expect_error(lambda: v1.subscriptions.update(sub.id, {
        "trial_end": "now", "payment_behavior": "error_if_incomplete"}),
        stripe.CardError, status=402, code="authentication_required")
    assert v1.subscriptions.retrieve(sub.id).status == "trialing"
    assert types_since(v1, mark) == []

    # allow_incomplete (the default): the trial ends, the renewal is past due and retried.
    cus, sub, mark = ending_now(v1, "pm_card_chargeCustomerFail")
    ended = v1.subscriptions.update(sub.id, {"trial_end": "now", "expand": ["latest_invoice"]})
    assert ended.status == "past_due"
    assert (ended.latest_invoice.status, ended.latest_invoice.attempt_count) == ("open", 1)
    assert ended.latest_invoice.next_payment_attempt is not None

    # default_incomplete: the invoice waits, open and not tried, for the customer to pay it.
    cus, sub, mark = ending_now(v1, "pm_card_visa")
    ended = check(v1.subscriptions.update(sub.id, {
        "trial_end": "now", "payment_behavior": "default_incomplete", "expand": ["latest_invoice"]}))
    assert ended.status == "past_due"
    inv = ended.latest_invoice
    assert (inv.status, inv.attempt_count, inv.next_payment_attempt) == ("open", 0, None)
    paid = v1.invoices.pay(inv.id)
    assert paid.status == "paid"
    assert v1.subscriptions.retrieve(sub.id).status == "active"

    # error_if_incomplete with a card that pays: the trial ends as with any other behaviour.
    cus, sub, mark = ending_now(v1, "pm_card_visa")
    ended = v1.subscriptions.update(sub.id, {"trial_end": "now", "payment_behavior": "error_if_incomplete"})
    assert ended.status == "active"
    assert "invoice.paid" in types_since(v1, mark)

    # A plan change that ends the trial now is refused the same way, plan and all.
    cus, sub, mark = ending_now(v1, "pm_card_chargeCustomerFail")
    other = plan(v1, 9900)
    mark = last_event(v1)
    expect_error(lambda: v1.subscriptions.update(sub.id, {
        "trial_end": "now", "payment_behavior": "error_if_incomplete",
        "items": [{"id": sub["items"].data[0].id, "price": other}]}), stripe.CardError, status=402)
    again = v1.subscriptions.retrieve(sub.id)
    assert (again.status, again["items"].data[0].price.id) == ("trialing", sub["items"].data[0].price.id)
    assert types_since(v1, mark) == []


def test_a_trial_added_to_an_active_subscription_credits_the_unused_time(v1):
    """January (31 days) paid in full on the 1st; on the 11th a 20-day trial is added: the
    subscription trials until the 31st, its cycle starts again then, and the 21 unused days of
    January come off the first invoice after the trial."""
    clock = v1.test_helpers.test_clocks.create({"frozen_time": T0})
    cus = v1.customers.create({"test_clock": clock.id, "payment_method": "pm_card_visa",
                               "invoice_settings": {"default_payment_method": "pm_card_visa"}})
    sub = v1.subscriptions.create({"customer": cus.id, "items": [{"price": plan(v1)}]})
    assert v1.invoices.retrieve(sub.latest_invoice).amount_paid == 3100
    now, end = T0 + 10 * DAY, T0 + 30 * DAY
    advance(v1, clock, now)
    expect_error(lambda: v1.subscriptions.update(sub.id, {"trial_end": "now"}), param="trial_end")
    expect_error(lambda: v1.subscriptions.update(sub.id, {"trial_end": end, "proration_behavior": "always_invoice"}),
                 param="proration_behavior")
    mark = last_event(v1)
    trialing = check(v1.subscriptions.update(sub.id, {"trial_end": end}))
    assert (trialing.status, trialing.trial_start, trialing.trial_end, trialing.billing_cycle_anchor) == (
        "trialing", now, end, end)
    item = trialing["items"].data[0]
    assert (item.current_period_start, item.current_period_end) == (now, end)
    # The credit for the unused time is a proration, an invoice item of its own.
    assert types_since(v1, mark) == ["customer.subscription.updated", "invoiceitem.created"]
    updated = v1.events.list({"type": "customer.subscription.updated", "limit": 1}).data[0]
    assert updated.data.previous_attributes["status"] == "active"
    credit = v1.events.list({"type": "invoiceitem.created", "limit": 1}).data[0].data.object
    assert (credit.amount, credit.proration, credit.invoice) == (-2100, True, None)
    preview = v1.invoices.create_preview({"subscription": sub.id})
    assert [l.amount for l in preview.lines.data] == [-2100, 3100]
    advance(v1, clock, end + 3600)
    after = v1.subscriptions.retrieve(sub.id, {"expand": ["latest_invoice"]})
    assert after.status == "active" and after["items"].data[0].current_period_start == end
    assert [l.amount for l in after.latest_invoice.lines.data] == [-2100, 3100]
    assert after.latest_invoice.amount_paid == 1000
    # Without prorations the unused time is forgone.
    other = v1.subscriptions.create({"customer": cus.id, "items": [{"price": plan(v1)}]})
    v1.subscriptions.update(other.id, {"trial_end": end + 10 * DAY, "proration_behavior": "none"})
    assert [l.amount for l in v1.invoices.create_preview({"subscription": other.id}).lines.data] == [3100]


def test_the_trial_credit_keeps_the_discount_the_period_was_paid_with(v1):
    """January paid at 25% off (a one-month coupon); a trial added on the 11th runs past the
    coupon's end: the 21 unused days come back at the price paid for them."""
    clock = v1.test_helpers.test_clocks.create({"frozen_time": T0})
    cus = v1.customers.create({"test_clock": clock.id, "payment_method": "pm_card_visa",
                               "invoice_settings": {"default_payment_method": "pm_card_visa"}})
    month = v1.coupons.create({"percent_off": 25, "duration": "repeating", "duration_in_months": 1})
    sub = v1.subscriptions.create({"customer": cus.id, "items": [{"price": plan(v1)}],
                                   "discounts": [{"coupon": month.id}]})
    assert v1.invoices.retrieve(sub.latest_invoice).amount_paid == 2325
    advance(v1, clock, T0 + 10 * DAY)
    end = T0 + 40 * DAY
    v1.subscriptions.update(sub.id, {"trial_end": end})
    advance(v1, clock, end + 3600)
    inv = v1.invoices.retrieve(v1.subscriptions.retrieve(sub.id).latest_invoice)
    assert [(l.amount, [d.amount for d in l.discount_amounts]) for l in inv.lines.data] == [
        (-2100, [-525]), (3100, [])]
    assert inv.amount_paid == 3100 - 1575

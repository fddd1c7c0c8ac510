"""Numbers a request may name, bounded so that nothing Portico computes from them overflows:
timestamps between 1970 and the end of the year 9999, balances and counters within sane
limits. Out of range is a 400 naming the parameter, never a hang or a wrapped sum."""

import time

from helpers import expect_error

I64_MAX = 2**63 - 1
LATEST = 253_402_300_799  # 9999-12-31T23:59:59Z


def monthly(v1):
    return v1.prices.create({"currency": "usd", "unit_amount": 1500, "recurring": {"interval": "month"},
                             "product_data": {"name": "Pro"}})


def test_a_clock_cannot_be_frozen_outside_the_years_portico_takes(v1):
    for t in (I64_MAX - 1000, LATEST + 1, -100):
        expect_error(lambda: v1.test_helpers.test_clocks.create({"frozen_time": t}), status=400,
                     param="frozen_time", message="Invalid timestamp")
    # The last moment taken works, and a subscription on it still answers.
    clock = v1.test_helpers.test_clocks.create({"frozen_time": LATEST - 40 * 86_400})
    cus = v1.customers.create({"test_clock": clock.id, "payment_method": "pm_card_visa",
                               "invoice_settings": {"default_payment_method": "pm_card_visa"}})
    sub = v1.subscriptions.create({"customer": cus.id, "items": [{"price": monthly(v1).id}]})
    assert sub.status == "active" and sub["items"].data[0].current_period_end > LATEST - 40 * 86_400
    expect_error(lambda: v1.test_helpers.test_clocks.advance(clock.id, {"frozen_time": I64_MAX}),
                 status=400, param="frozen_time")


def test_timestamps_on_subscriptions_schedules_and_coupons_are_bounded(v1):
    cus = v1.customers.create({"payment_method": "pm_card_visa",
                               "invoice_settings": {"default_payment_method": "pm_card_visa"}})
    price = monthly(v1)
    sub = v1.subscriptions.create({"customer": cus.id, "items": [{"price": price.id}]})
    for params, param in (({"cancel_at": I64_MAX}, "cancel_at"),
                          ({"trial_end": I64_MAX}, "trial_end"),
                          ({"proration_date": I64_MAX, "items": [{"id": sub["items"].data[0].id, "quantity": 2}]},
                           "proration_date")):
        expect_error(lambda: v1.subscriptions.update(sub.id, params), status=400, param=param)
    expect_error(lambda: v1.subscriptions.create({"customer": cus.id, "items": [{"price": price.id}],
                                                  "trial_end": I64_MAX}), status=400, param="trial_end")
    expect_error(lambda: v1.coupons.create({"percent_off": 10, "redeem_by": I64_MAX}), status=400,
                 param="redeem_by")
    # A preview refuses a proration date to come, as the update it previews does.
    expect_error(lambda: v1.invoices.create_preview({"subscription": sub.id, "subscription_details": {
        "items": [{"id": sub["items"].data[0].id, "quantity": 2}], "proration_date": int(time.time()) + 3600}}),
        status=400, param="subscription_details[proration_date]")
    # A phase's dates and its length.
    phase = {"items": [{"price": price.id}]}
    expect_error(lambda: v1.subscription_schedules.create({"customer": cus.id, "start_date": "now", "phases": [
        {**phase, "end_date": I64_MAX}]}), status=400, param="phases[0][end_date]")
    expect_error(lambda: v1.subscription_schedules.create({"customer": cus.id, "start_date": "now", "phases": [
        {**phase, "duration": {"interval": "year", "interval_count": I64_MAX}}]}), status=400,
        param="phases[0][duration][interval_count]")
    expect_error(lambda: v1.subscription_schedules.create({"customer": cus.id, "start_date": "now", "phases": [
        {**phase, "duration": {"interval": "month", "interval_count": 0}}]}), status=400,
        param="phases[0][duration][interval_count]")
    # Nothing was made by the refused requests.
    assert v1.subscription_schedules.list({"customer": cus.id}).data == []


def test_a_balance_cannot_wrap_into_a_credit(v1):
    for balance in (I64_MAX, -I64_MAX, 10_000_000_000_000):
        expect_error(lambda: v1.customers.create({"balance": balance}), status=400, param="balance")
    cus = v1.customers.create({"balance": 9_999_999_999_999, "payment_method": "pm_card_visa",
                               "invoice_settings": {"default_payment_method": "pm_card_visa"}})
    expect_error(lambda: v1.customers.update(cus.id, {"balance": I64_MAX}), status=400, param="balance")
    expect_error(lambda: v1.customers.update(cus.id, {"next_invoice_sequence": I64_MAX}), status=400,
                 param="next_invoice_sequence")
    # The largest debt is carried into the first invoice whole.
    price = v1.prices.create({"currency": "usd", "unit_amount": 99_999_999, "recurring": {"interval": "month"},
                              "product_data": {"name": "Big"}})
    sub = v1.subscriptions.create({"customer": cus.id, "items": [{"price": price.id, "quantity": 1_000_000}],
                                   "payment_behavior": "default_incomplete"})
    inv = v1.invoices.retrieve(sub.latest_invoice)
    assert inv.total == 99_999_999_000_000
    assert inv.amount_due == inv.total + 9_999_999_999_999


def test_urls_with_spaces_or_control_characters_are_refused(v1):
    """A parser drops a line break or a tab from a URL, but the text is stored as sent: a
    return_url with one would redirect nowhere."""
    cus = v1.customers.create({})
    for bad in ("https://example.com/a\r\nSet-Cookie: x=1", "https://example.com/a\tb", " https://example.com/"):
        expect_error(lambda: v1.billing_portal.sessions.create({"customer": cus.id, "return_url": bad}),
                     status=400, param="return_url")
        expect_error(lambda: v1.billing_portal.sessions.create({
            "customer": cus.id, "return_url": "https://example.com/",
            "flow_data": {"type": "payment_method_update", "after_completion": {
                "type": "redirect", "redirect": {"return_url": bad}}}}),
            status=400, param="flow_data[after_completion][redirect][return_url]")
        expect_error(lambda: v1.webhook_endpoints.create({"url": bad, "enabled_events": ["*"]}),
                     status=400, param="url")
    # An international host is fine.
    s = v1.billing_portal.sessions.create({"customer": cus.id, "return_url": "https://bücher.example/konto"})
    assert s.return_url == "https://bücher.example/konto"

"""A `duration=once` coupon applies to exactly one invoice: the first one made after it.

On a test clock every object of a step shares one timestamp, so an invoice and a discount made
in the same second must still be told apart: the invoice that came before the discount does not
spend it. The same holds for the portal's confirm flow, whose preview page shows what today's
invoice and the next one will be.
"""

import html
import re

import requests

from helpers import check

DAY = 86400
T0 = 1_767_225_600  # 2026-01-01 00:00:00 UTC


def on_clock(v1):
    clock = check(v1.test_helpers.test_clocks.create({"frozen_time": T0, "name": "once"}))
    cus = v1.customers.create({"test_clock": clock.id, "payment_method": "pm_card_visa",
                               "invoice_settings": {"default_payment_method": "pm_card_visa"}})
    return clock, cus


def advance(v1, clock, to):
    c = check(v1.test_helpers.test_clocks.advance(clock.id, {"frozen_time": to}))
    assert c.status == "ready"


def test_a_once_coupon_added_in_the_first_invoices_second_applies_to_the_next_invoice(v1):
    clock, cus = on_clock(v1)
    product = v1.products.create({"name": "Pro", "default_price_data": {
        "currency": "usd", "unit_amount": 1000, "recurring": {"interval": "month"}}})
    sub = v1.subscriptions.create({"customer": cus.id, "items": [{"price": product.default_price}]})
    first = v1.invoices.retrieve(sub.latest_invoice)
    assert first.created == T0 and first.total == 1000

    coupon = v1.coupons.create({"percent_off": 20, "duration": "once"})
    sub = v1.subscriptions.update(sub.id, {"discounts": [{"coupon": coupon.id}]})
    (discount,) = sub.discounts
    # Same second as the first invoice, which came before it: not spent.
    upcoming = check(v1.invoices.create_preview({"subscription": sub.id}))
    assert (upcoming.total, upcoming.discounts) == (800, [discount])

    advance(v1, clock, T0 + 32 * DAY)
    renewal = v1.invoices.retrieve(v1.subscriptions.retrieve(sub.id).latest_invoice)
    assert renewal.billing_reason == "subscription_cycle"
    assert (renewal.total, renewal.discounts) == (800, [discount])

    # Spent: the invoices after it are at full price.
    assert check(v1.invoices.create_preview({"subscription": sub.id})).total == 1000
    advance(v1, clock, T0 + 63 * DAY)
    later = v1.invoices.retrieve(v1.subscriptions.retrieve(sub.id).latest_invoice)
    assert (later.total, later.discounts) == (1000, [])


def money(page, label):
    """The amount shown after `label` on a portal page."""
    text = re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))
    m = re.search(re.escape(label) + r".{0,60}?\$([0-9,]+\.[0-9]{2})", text)
    assert m, f"{label!r} not on the page: {text[:600]}"
    return int(m.group(1).replace(",", "").replace(".", ""))


def test_the_confirm_flow_spends_a_once_coupon_on_todays_invoice(v1, portico_url):
    _, cus = on_clock(v1)
    pro = v1.products.create({"name": "Pro"})
    monthly = v1.prices.create({"product": pro.id, "currency": "usd", "unit_amount": 1000,
                                "recurring": {"interval": "month"}})
    yearly = v1.prices.create({"product": pro.id, "currency": "usd", "unit_amount": 10000,
                               "recurring": {"interval": "year"}})
    config = v1.billing_portal.configurations.create({"features": {
        "subscription_update": {"enabled": True, "default_allowed_updates": ["price"],
                                "proration_behavior": "always_invoice",
                                "products": [{"product": pro.id, "prices": [monthly.id, yearly.id]}]},
        "payment_method_update": {"enabled": True}}})
    sub = v1.subscriptions.create({"customer": cus.id, "items": [{"price": monthly.id}]})
    coupon = v1.coupons.create({"percent_off": 20, "duration": "once"})
    session = v1.billing_portal.sessions.create({
        "customer": cus.id, "configuration": config.id, "return_url": "https://app.example.com/",
        "flow_data": {"type": "subscription_update_confirm", "subscription_update_confirm": {
            "subscription": sub.id, "items": [{"id": sub["items"].data[0].id, "price": yearly.id}],
            "discounts": [{"coupon": coupon.id}]}}})

    browser = requests.Session()
    page = browser.get(session.url, timeout=30)
    assert page.status_code == 200
    due_today = money(page.text, "Amount due today")
    # Today's invoice takes the coupon; the renewal a year on is at full price.
    assert money(page.text, "Next invoice") == 10000

    form = re.search(r'<form method="post" action="([^"]+)"(.*?)</form>', page.text, re.S)
    fields = dict(re.findall(r'name="([^"]+)" value="([^"]*)"', form.group(2)))
    done = browser.post(requests.compat.urljoin(page.url, html.unescape(form.group(1))),
                        data={k: html.unescape(v) for k, v in fields.items()},
                        allow_redirects=False, timeout=30)
    assert done.status_code in (200, 303), done.text[:500]

    after = v1.subscriptions.retrieve(sub.id)
    invoice = v1.invoices.retrieve(after.latest_invoice)
    assert invoice.billing_reason == "subscription_update"
    assert invoice.discounts == after.discounts and len(invoice.discounts) == 1
    assert invoice.amount_due == due_today
    assert check(v1.invoices.create_preview({"subscription": sub.id})).total == 10000


def deleted_discounts(v1):
    return [e.data.object.id for e in v1.events.list({"type": "customer.discount.deleted", "limit": 100}).data]


def test_discounts_that_end_leave_the_subscription(v1):
    # As Stripe's: a discount that is spent or runs out, or that an update removes, leaves the
    # subscription, announced with customer.discount.deleted.
    clock, cus = on_clock(v1)
    product = v1.products.create({"name": "Pro", "default_price_data": {
        "currency": "usd", "unit_amount": 1000, "recurring": {"interval": "month"}}})
    sub = v1.subscriptions.create({"customer": cus.id, "items": [{"price": product.default_price}]})
    once = v1.coupons.create({"percent_off": 20, "duration": "once"})
    monthly = v1.coupons.create({"percent_off": 10, "duration": "repeating", "duration_in_months": 2})
    sub = v1.subscriptions.update(sub.id, {"discounts": [{"coupon": once.id}, {"coupon": monthly.id}]})
    once_id, monthly_id = sub.discounts
    # The first renewal applies both; the once one is spent by it.
    advance(v1, clock, T0 + 31 * DAY + 60)
    after = v1.subscriptions.retrieve(sub.id, {"expand": ["latest_invoice"]})
    assert after.latest_invoice.total == 720  # 20% off, then 10% off the rest
    assert after.discounts == [monthly_id] and deleted_discounts(v1) == [once_id]
    # The repeating one ran out before the next renewal, which bills in full.
    advance(v1, clock, T0 + 59 * DAY + 60)
    later = v1.subscriptions.retrieve(sub.id, {"expand": ["latest_invoice"]})
    assert later.latest_invoice.total == 1000
    assert later.discounts == [] and sorted(deleted_discounts(v1)) == sorted([once_id, monthly_id])


def test_discounts_an_update_removes_are_announced(v1):
    clock, cus = on_clock(v1)
    product = v1.products.create({"name": "Pro", "default_price_data": {
        "currency": "usd", "unit_amount": 1000, "recurring": {"interval": "month"}}})
    coupon = v1.coupons.create({"percent_off": 20, "duration": "forever"})
    sub = v1.subscriptions.create({"customer": cus.id, "items": [{"price": product.default_price}],
                                   "discounts": [{"coupon": coupon.id}]})
    [kept] = sub.discounts
    cleared = v1.subscriptions.update(sub.id, {"discounts": ""})
    assert cleared.discounts == []
    [event] = v1.events.list({"type": "customer.discount.deleted", "limit": 1}).data
    assert event.data.object.id == kept and event.data.object.source.coupon == coupon.id
    assert "deleted" not in event.data.object.to_dict()

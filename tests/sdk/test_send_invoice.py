"""Invoices sent for payment (`collection_method=send_invoice`): a subscription that bills this
way is active at once, its invoices are finalized an hour after they are made and never
charged, each due `days_until_due` days after it was made; one left unpaid past its due date
makes the subscription past due until it is paid. Manual invoices can be sent too."""

import html
import re

import pytest
import requests

from helpers import APR1, DAY, HOUR, MAY1, carded_customer, check, expect_error


@pytest.fixture
def world(v1):
    product = v1.products.create({"name": "Retainer"})
    price = v1.prices.create({"product": product.id, "currency": "usd", "unit_amount": 5000,
                              "recurring": {"interval": "month"}})
    clock = v1.test_helpers.test_clocks.create({"frozen_time": APR1})
    return {"price": price, "clock": clock, "cus": carded_customer(v1, clock.id)}


def advance(v1, world, to):
    v1.test_helpers.test_clocks.advance(world["clock"].id, {"frozen_time": to})


def kinds_for(v1, obj_id, limit=40):
    return [e.type for e in v1.events.list({"limit": limit}).data
            if getattr(e.data.object, "id", None) == obj_id]


def test_a_sent_invoice_subscription_is_active_and_never_charged(v1, world):
    sub = check(v1.subscriptions.create({
        "customer": world["cus"].id, "items": [{"price": world["price"].id}],
        "collection_method": "send_invoice", "days_until_due": 14, "expand": ["latest_invoice"]}))
    assert (sub.status, sub.collection_method, sub.days_until_due) == ("active", "send_invoice", 14)
    first = sub.latest_invoice
    assert (first.status, first.collection_method, first.due_date) == ("draft", "send_invoice", APR1 + 14 * DAY)
    assert first.automatically_finalizes_at == APR1 + HOUR and first.next_payment_attempt is None
    # An hour on it is finalized and left for the customer to pay: the card is not charged.
    advance(v1, world, APR1 + HOUR + 60)
    sent = check(v1.invoices.retrieve(first.id))
    assert (sent.status, sent.amount_due, sent.amount_paid, sent.attempted, sent.attempt_count) == ("open", 5000, 0, False, 0)
    assert sent.due_date == APR1 + 14 * DAY and sent.next_payment_attempt is None and sent.hosted_invoice_url
    assert v1.subscriptions.retrieve(sub.id).status == "active"
    # Its page says when it is due.
    page = requests.get(sent.hosted_invoice_url, timeout=10).text
    assert "Due date" in page and "April 15, 2026" in page, page[:2000]
    kinds = kinds_for(v1, first.id)
    assert "invoice.finalized" in kinds
    assert not {"invoice.paid", "invoice.payment_failed", "invoice.payment_succeeded"} & set(kinds), kinds
    # Unpaid past its due date: the subscription is past due, and nothing is retried.
    advance(v1, world, APR1 + 14 * DAY + 60)
    late = v1.subscriptions.retrieve(sub.id)
    assert late.status == "past_due"
    changed = v1.events.list({"type": "customer.subscription.updated", "limit": 1}).data[0]
    assert changed.data.object.status == "past_due" and changed.data.previous_attributes.status == "active"
    assert v1.invoices.retrieve(first.id).next_payment_attempt is None
    # Paid (here with the card on file, by hand), the subscription is in good standing again.
    assert v1.invoices.pay(first.id).status == "paid"
    assert v1.subscriptions.retrieve(sub.id).status == "active"


def test_renewals_are_sent_too_and_paying_on_time_keeps_the_subscription_active(v1, world):
    sub = v1.subscriptions.create({"customer": world["cus"].id, "items": [{"price": world["price"].id}],
                                   "collection_method": "send_invoice", "days_until_due": 7})
    advance(v1, world, APR1 + HOUR + 60)
    v1.invoices.pay(v1.subscriptions.retrieve(sub.id).latest_invoice, {"paid_out_of_band": True})
    advance(v1, world, MAY1 + HOUR + 60)
    renewal = v1.invoices.list({"subscription": sub.id, "limit": 1}).data[0]
    assert (renewal.billing_reason, renewal.status, renewal.collection_method) == ("subscription_cycle", "open", "send_invoice")
    assert renewal.due_date == MAY1 + 7 * DAY and renewal.amount_paid == 0
    v1.invoices.pay(renewal.id, {"paid_out_of_band": True})
    advance(v1, world, MAY1 + 8 * DAY)
    assert v1.subscriptions.retrieve(sub.id).status == "active"


def test_a_customer_without_a_card_can_be_sent_invoices(v1, world):
    bare = v1.customers.create({"test_clock": world["clock"].id, "email": "ap@example.com"})
    sub = check(v1.subscriptions.create({"customer": bare.id, "items": [{"price": world["price"].id}],
                                         "collection_method": "send_invoice"}))
    assert (sub.status, sub.days_until_due) == ("active", 30), "Stripe's default payment terms"
    # Without a card the same subscription charged automatically is refused.
    expect_error(lambda: v1.subscriptions.create({"customer": bare.id, "items": [{"price": world["price"].id}]}))


def test_terms_are_checked_by_name(v1, world):
    base = {"customer": world["cus"].id, "items": [{"price": world["price"].id}]}
    expect_error(lambda: v1.subscriptions.create({**base, "days_until_due": 10}), param="days_until_due")
    expect_error(lambda: v1.subscriptions.create({**base, "collection_method": "charge_automatically",
                                                  "days_until_due": 10}), param="days_until_due")
    expect_error(lambda: v1.subscriptions.create({**base, "collection_method": "send_invoice",
                                                  "days_until_due": -1}), param="days_until_due")
    expect_error(lambda: v1.subscriptions.create({**base, "collection_method": "wire"}), param="collection_method")
    assert v1.subscriptions.list({"customer": world["cus"].id}).data == []


def test_switching_how_a_subscription_is_collected(v1, world):
    sub = v1.subscriptions.create({"customer": world["cus"].id, "items": [{"price": world["price"].id}]})
    assert (sub.collection_method, sub.days_until_due) == ("charge_automatically", None)
    expect_error(lambda: v1.subscriptions.update(sub.id, {"days_until_due": 5}), param="days_until_due")
    sent = check(v1.subscriptions.update(sub.id, {"collection_method": "send_invoice"}))
    assert (sent.collection_method, sent.days_until_due) == ("send_invoice", 30)
    assert v1.subscriptions.update(sub.id, {"days_until_due": 45}).days_until_due == 45
    assert v1.subscriptions.update(sub.id, {"metadata": {"a": "b"}}).days_until_due == 45
    # The renewal is sent, due 45 days after it is made.
    advance(v1, world, MAY1 + HOUR + 60)
    renewal = v1.invoices.list({"subscription": sub.id, "limit": 1}).data[0]
    assert (renewal.status, renewal.due_date, renewal.amount_paid) == ("open", MAY1 + 45 * DAY, 0)
    back = check(v1.subscriptions.update(sub.id, {"collection_method": "charge_automatically"}))
    assert (back.collection_method, back.days_until_due) == ("charge_automatically", None)


def test_an_invoiced_change_is_sent_and_applies_at_once(v1, world):
    sub = v1.subscriptions.create({"customer": world["cus"].id, "items": [{"price": world["price"].id}],
                                   "collection_method": "send_invoice", "days_until_due": 10})
    advance(v1, world, APR1 + 15 * DAY)
    item = sub["items"].data[0].id
    changed = v1.subscriptions.update(sub.id, {"items": [{"id": item, "quantity": 2}],
                                               "proration_behavior": "always_invoice",
                                               "payment_behavior": "error_if_incomplete",
                                               "expand": ["latest_invoice"]})
    assert changed["items"].data[0].quantity == 2
    inv = changed.latest_invoice
    assert (inv.status, inv.collection_method, inv.amount_paid, inv.attempted) == ("open", "send_invoice", 0, False)
    assert inv.due_date == APR1 + 25 * DAY and inv.amount_due == 2500


def test_a_manual_invoice_can_be_sent(v1, world):
    cus = world["cus"].id
    inv = check(v1.invoices.create({"customer": cus, "currency": "usd", "collection_method": "send_invoice",
                                    "days_until_due": 20}))
    assert (inv.collection_method, inv.due_date) == ("send_invoice", APR1 + 20 * DAY)
    fixed = v1.invoices.create({"customer": cus, "currency": "usd", "collection_method": "send_invoice",
                                "due_date": APR1 + 3 * DAY})
    assert fixed.due_date == APR1 + 3 * DAY
    assert v1.invoices.create({"customer": cus, "currency": "usd"}).collection_method == "charge_automatically"
    for params, param in (
        ({"days_until_due": 3}, "days_until_due"),
        ({"due_date": APR1 + DAY}, "due_date"),
        ({"collection_method": "send_invoice", "days_until_due": 3, "due_date": APR1 + DAY}, "due_date"),
        ({"collection_method": "send_invoice", "due_date": APR1 - DAY}, "due_date"),
    ):
        expect_error(lambda: v1.invoices.create({"customer": cus, "currency": "usd", **params}), param=param)
    # A draft's terms can change; an open invoice's cannot.
    moved = check(v1.invoices.update(inv.id, {"days_until_due": 5}))
    assert moved.due_date == APR1 + 5 * DAY
    charged = check(v1.invoices.update(fixed.id, {"collection_method": "charge_automatically"}))
    assert (charged.collection_method, charged.due_date) == ("charge_automatically", None)
    expect_error(lambda: v1.invoices.update(charged.id, {"due_date": APR1 + 9 * DAY}), param="due_date")
    v1.invoices.finalize_invoice(inv.id)
    expect_error(lambda: v1.invoices.update(inv.id, {"days_until_due": 9}), param="days_until_due")
    # Lists filter by how invoices are collected.
    sent = [i.id for i in v1.invoices.list({"customer": cus, "collection_method": "send_invoice"}).data]
    assert sent == [inv.id]
    assert inv.id not in [i.id for i in v1.invoices.list({"customer": cus, "collection_method": "charge_automatically"}).data]


def test_a_retry_never_charges_a_sent_invoice(v1, world):
    """Past due on a failed renewal, then switched to sent invoices: the retry goes on charging
    the failed invoice, never the sent one that became the latest."""
    sub = v1.subscriptions.create({"customer": world["cus"].id, "items": [{"price": world["price"].id}]})
    failing = v1.payment_methods.attach("pm_card_chargeCustomerFail", {"customer": world["cus"].id})
    v1.customers.update(world["cus"].id, {"invoice_settings": {"default_payment_method": failing.id}})
    advance(v1, world, MAY1 + HOUR + 60)
    failed = v1.invoices.list({"subscription": sub.id, "limit": 1}).data[0]
    assert (v1.subscriptions.retrieve(sub.id).status, failed.attempt_count) == ("past_due", 1)
    v1.subscriptions.update(sub.id, {"collection_method": "send_invoice", "days_until_due": 30})
    changed = v1.subscriptions.update(sub.id, {"items": [{"id": sub["items"].data[0].id, "quantity": 2}],
                                               "proration_behavior": "always_invoice", "expand": ["latest_invoice"]})
    sent = changed.latest_invoice
    assert (sent.collection_method, sent.status) == ("send_invoice", "open")
    # The card works again: the retry pays the failed invoice only.
    v1.customers.update(world["cus"].id, {"invoice_settings": {"default_payment_method": v1.payment_methods.attach(
        "pm_card_visa", {"customer": world["cus"].id}).id}})
    advance(v1, world, MAY1 + 3 * DAY + 60)
    assert v1.invoices.retrieve(failed.id).status == "paid"
    after = v1.invoices.retrieve(sent.id)
    assert (after.status, after.attempt_count, after.amount_paid) == ("open", 0, 0)
    assert v1.subscriptions.retrieve(sub.id).status == "active", "the sent invoice is not due yet"


def test_sent_invoices_fall_due_in_turn(v1, world):
    sub = v1.subscriptions.create({"customer": world["cus"].id, "items": [{"price": world["price"].id}],
                                   "collection_method": "send_invoice", "days_until_due": 40})
    first = sub.latest_invoice
    advance(v1, world, MAY1 + HOUR + 60)
    second = v1.invoices.list({"subscription": sub.id, "limit": 1}).data[0].id
    assert second != first
    # The first falls due on May 11: past due; paid, the subscription is active again though the
    # second (due June 10) is still open.
    advance(v1, world, APR1 + 40 * DAY + 60)
    assert v1.subscriptions.retrieve(sub.id).status == "past_due"
    v1.invoices.pay(first, {"paid_out_of_band": True})
    assert v1.subscriptions.retrieve(sub.id).status == "active"
    # The second is still watched: past due once its date has passed.
    advance(v1, world, MAY1 + 40 * DAY + 60)
    assert v1.invoices.retrieve(second).status == "open"
    assert v1.subscriptions.retrieve(sub.id).status == "past_due"


def test_the_collection_method_sent_with_an_item_change_applies_to_its_invoice(v1, world):
    sub = v1.subscriptions.create({"customer": world["cus"].id, "items": [{"price": world["price"].id}]})
    item = sub["items"].data[0].id
    advance(v1, world, APR1 + 15 * DAY)
    sent = v1.subscriptions.update(sub.id, {"items": [{"id": item, "quantity": 2}], "proration_behavior": "always_invoice",
                                            "collection_method": "send_invoice", "days_until_due": 5,
                                            "expand": ["latest_invoice"]})
    inv = sent.latest_invoice
    assert (inv.collection_method, inv.status, inv.amount_paid, inv.due_date) == ("send_invoice", "open", 0, APR1 + 20 * DAY)
    charged = v1.subscriptions.update(sub.id, {"items": [{"id": item, "quantity": 3}], "proration_behavior": "always_invoice",
                                               "collection_method": "charge_automatically", "expand": ["latest_invoice"]})
    inv = charged.latest_invoice
    assert (inv.collection_method, inv.status, inv.due_date) == ("charge_automatically", "paid", None)
    assert inv.amount_paid == inv.amount_due > 0


def test_subscriptions_are_listed_by_how_they_are_collected(v1, world):
    cus = world["cus"].id
    charged = v1.subscriptions.create({"customer": cus, "items": [{"price": world["price"].id}]})
    other = v1.prices.create({"product": world["price"].product, "currency": "usd", "unit_amount": 100,
                              "recurring": {"interval": "month"}})
    sent = v1.subscriptions.create({"customer": cus, "items": [{"price": other.id}], "collection_method": "send_invoice"})
    ids = lambda m: [s.id for s in v1.subscriptions.list({"customer": cus, "collection_method": m}).data]  # noqa: E731
    assert ids("send_invoice") == [sent.id] and ids("charge_automatically") == [charged.id]
    expect_error(lambda: v1.subscriptions.list({"collection_method": "mail"}), param="collection_method")


def test_the_portal_says_a_sent_invoice_is_overdue_not_that_a_payment_failed(v1, world):
    sub = v1.subscriptions.create({"customer": world["cus"].id, "items": [{"price": world["price"].id}],
                                   "collection_method": "send_invoice", "days_until_due": 2})
    advance(v1, world, APR1 + 3 * DAY)
    assert v1.subscriptions.retrieve(sub.id).status == "past_due"
    url = v1.billing_portal.sessions.create({"customer": world["cus"].id, "return_url": "https://app.example.com"}).url
    page = requests.Session().get(url, timeout=10).text
    assert "An invoice is past its due date" in page and "A payment failed" not in page, page[:3000]


def outbox_text(portico_url, to):
    """The text part of the newest message to `to` in the development outbox, or None."""
    listing = requests.get(f"{portico_url}/p/dev/mail", timeout=10).text
    for mail_id, recipient in re.findall(
            r'href="/p/dev/mail/(em_[A-Za-z0-9]+)">[^<]*</a>\s*<div class="secondary-text">([^ <]+) ', listing):
        if html.unescape(recipient) == to:
            page = requests.get(f"{portico_url}/p/dev/mail/{mail_id}", timeout=10).text
            return html.unescape(re.search(r'<pre class="mail-text">(.*?)</pre>', page, re.S).group(1))
    return None


def test_a_sent_invoice_is_emailed_to_the_customer(v1, world, portico_url):
    cus = v1.customers.create({"test_clock": world["clock"].id, "email": "ap-fr@example.com", "name": "Émile",
                               "preferred_locales": ["fr"]})
    sub = v1.subscriptions.create({"customer": cus.id, "items": [{"price": world["price"].id}],
                                   "collection_method": "send_invoice", "days_until_due": 14})
    inv = sub.latest_invoice
    assert outbox_text(portico_url, "ap-fr@example.com") is None, "a draft is not sent"
    advance(v1, world, APR1 + HOUR + 60)
    sent = v1.invoices.retrieve(inv)
    kinds = kinds_for(v1, inv)
    assert "invoice.sent" in kinds and kinds.index("invoice.sent") < kinds.index("invoice.finalized"), kinds
    text = outbox_text(portico_url, "ap-fr@example.com")
    assert "Bonjour Émile" in text and "à régler avant le 15 avril 2026" in text, text[:2000]
    assert sent.hosted_invoice_url in text and "50,00" in text and sent.number in text
    # Sent again by hand: a second email, a second `invoice.sent`.
    again = check(v1.invoices.send_invoice(inv))
    assert again.status == "open"
    assert kinds_for(v1, inv).count("invoice.sent") == 2
    # A customer without an address gets no email and no event.
    bare = v1.customers.create({"test_clock": world["clock"].id})
    quiet = v1.subscriptions.create({"customer": bare.id, "items": [{"price": world["price"].id}],
                                     "collection_method": "send_invoice"})
    advance(v1, world, APR1 + 2 * HOUR + 60)
    assert v1.invoices.retrieve(quiet.latest_invoice).status == "open"
    assert "invoice.sent" not in kinds_for(v1, quiet.latest_invoice)
    expect_error(lambda: v1.invoices.send_invoice(quiet.latest_invoice), message="no email address")


def outbox_count(portico_url, to):
    """How many messages to `to` the development outbox holds."""
    listing = requests.get(f"{portico_url}/p/dev/mail", timeout=10).text
    return sum(html.unescape(r) == to for r in re.findall(r'<div class="secondary-text">([^ <]+) ', listing))


def pending_invoice(v1, world, cus, **params):
    """A manual draft for `cus` carrying a proration (a seat added mid-period), for `params`."""
    sub = v1.subscriptions.create({"customer": cus, "items": [{"price": world["price"].id}]})
    v1.subscriptions.update(sub.id, {"items": [{"id": sub["items"].data[0].id, "quantity": 2}],
                                     "proration_behavior": "create_prorations"})
    return v1.invoices.create({"customer": cus, "subscription": sub.id,
                               "pending_invoice_items_behavior": "include", **params})


def test_only_sent_invoices_can_be_sent_by_hand_and_a_draft_is_finalized_first(v1, world, portico_url):
    cus = world["cus"].id
    v1.customers.update(cus, {"email": "ap-manual@example.com"})
    advance(v1, world, APR1 + 10 * DAY)
    charged = pending_invoice(v1, world, cus)
    expect_error(lambda: v1.invoices.send_invoice(charged.id), message="collection_method is send_invoice")
    draft = pending_invoice(v1, world, cus, collection_method="send_invoice")
    assert draft.amount_due > 0 and draft.status == "draft"
    sent = check(v1.invoices.send_invoice(draft.id))
    assert sent.status == "open" and sent.number
    assert kinds_for(v1, draft.id).count("invoice.sent") == 1
    assert outbox_count(portico_url, "ap-manual@example.com") == 1
    # Finalized by hand with auto_advance, a sent invoice is emailed at once.
    auto = pending_invoice(v1, world, cus, collection_method="send_invoice", auto_advance=True)
    assert v1.invoices.finalize_invoice(auto.id).status == "open"
    assert kinds_for(v1, auto.id).count("invoice.sent") == 1
    assert outbox_count(portico_url, "ap-manual@example.com") == 2
    # Without auto_advance it waits for `send`.
    held = pending_invoice(v1, world, cus, collection_method="send_invoice")
    v1.invoices.finalize_invoice(held.id)
    assert "invoice.sent" not in kinds_for(v1, held.id)
    v1.invoices.void_invoice(held.id)
    expect_error(lambda: v1.invoices.send_invoice(held.id), message="status is void")
    expect_error(lambda: v1.invoices.send_invoice("in_nope"), status=404)


def test_a_renewal_finalized_by_hand_during_its_hour_is_emailed_once(v1, world, portico_url):
    cus = v1.customers.create({"test_clock": world["clock"].id, "email": "ap-once@example.com"})
    sub = v1.subscriptions.create({"customer": cus.id, "items": [{"price": world["price"].id}],
                                   "collection_method": "send_invoice", "days_until_due": 5})
    v1.invoices.finalize_invoice(sub.latest_invoice, {"auto_advance": True})
    assert outbox_count(portico_url, "ap-once@example.com") == 1
    advance(v1, world, APR1 + HOUR + 60)
    assert kinds_for(v1, sub.latest_invoice).count("invoice.sent") == 1
    assert outbox_count(portico_url, "ap-once@example.com") == 1
    # It is still watched: past due once its date has passed.
    advance(v1, world, APR1 + 5 * DAY + 60)
    assert v1.subscriptions.retrieve(sub.id).status == "past_due"
    # Sent again twice in the same (frozen) second: each is announced.
    v1.invoices.send_invoice(sub.latest_invoice)
    v1.invoices.send_invoice(sub.latest_invoice)
    assert kinds_for(v1, sub.latest_invoice).count("invoice.sent") == 3
    assert outbox_count(portico_url, "ap-once@example.com") == 3


def test_nothing_to_pay_sends_no_email(v1, world, portico_url):
    trial = v1.customers.create({"test_clock": world["clock"].id, "email": "ap-trial@example.com"})
    sub = v1.subscriptions.create({"customer": trial.id, "items": [{"price": world["price"].id}],
                                   "collection_method": "send_invoice", "trial_period_days": 14})
    advance(v1, world, APR1 + HOUR + 60)
    assert v1.invoices.retrieve(sub.latest_invoice).status == "paid"
    assert outbox_count(portico_url, "ap-trial@example.com") == 0
    assert "invoice.sent" not in kinds_for(v1, sub.latest_invoice)


def test_an_older_overdue_invoice_keeps_the_subscription_past_due(v1, world, portico_url):
    """Due in 40 days: the first invoice is overdue while the renewal is not due yet. Paying the
    renewal (the latest) leaves the subscription past due; the portal points at the overdue one."""
    cus = v1.customers.create({"test_clock": world["clock"].id, "email": "ap-old@example.com"})
    sub = v1.subscriptions.create({"customer": cus.id, "items": [{"price": world["price"].id}],
                                   "collection_method": "send_invoice", "days_until_due": 40})
    first = sub.latest_invoice
    advance(v1, world, APR1 + 40 * DAY + 60)
    renewal = v1.subscriptions.retrieve(sub.id).latest_invoice
    assert renewal != first and v1.subscriptions.retrieve(sub.id).status == "past_due"
    v1.invoices.pay(renewal, {"paid_out_of_band": True})
    assert v1.subscriptions.retrieve(sub.id).status == "past_due", "the first is still overdue"
    url = v1.billing_portal.sessions.create({"customer": cus.id, "return_url": "https://app.example.com"}).url
    page = requests.Session().get(url, timeout=10).text
    assert "An invoice is past its due date" in page
    first_link = v1.invoices.retrieve(first).hosted_invoice_url.split("/p/invoice/")[1]
    assert first_link in page, "the link is to the overdue invoice"
    v1.invoices.pay(first, {"paid_out_of_band": True})
    assert v1.subscriptions.retrieve(sub.id).status == "active"

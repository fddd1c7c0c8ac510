"""Events: every change records Stripe events in the same transaction, in order, listable."""

import stripe

from helpers import check, expect_error


def types(v1, **params):
    return [e.type for e in v1.events.list({"limit": 100, **params}).data]


def test_changes_record_events_in_order(v1):
    cus = v1.customers.create({"email": "a@example.com", "metadata": {"tier": "gold"}})
    v1.customers.update(cus.id, {"name": "Ada", "metadata": {"tier": ""}})
    product = v1.products.create({"name": "Pro", "default_price_data": {"currency": "usd", "unit_amount": 500}})
    pm = v1.payment_methods.attach("pm_card_visa", {"customer": cus.id})
    v1.payment_methods.detach(pm.id)
    coupon = v1.coupons.create({"percent_off": 10})
    v1.coupons.delete(coupon.id)
    v1.customers.delete(cus.id)
    got = types(v1)[::-1]
    assert got == [
        "customer.created", "customer.updated",
        "product.created", "price.created",
        "payment_method.attached", "payment_method.detached",
        "coupon.created", "coupon.deleted",
        "customer.deleted",
    ], got
    assert product.default_price


def test_event_shape_and_previous_attributes(v1):
    cus = v1.customers.create({"email": "a@example.com", "metadata": {"a": "1"}})
    updated = v1.customers.update(cus.id, {"name": "Grace", "metadata": {"a": "", "b": "2"}})
    event = check(v1.events.list({"type": "customer.updated"}).data[0])
    assert event.id.startswith("evt_") and event.object == "event"
    assert event.api_version == "2026-07-29.dahlia"
    assert event.pending_webhooks == 0 and event.livemode is False
    assert event.data.object.id == cus.id and event.data.object.name == "Grace"
    assert event.data.previous_attributes.to_dict() == {"name": None, "metadata": {"a": "1", "b": None}}
    # The event names the request that caused it.
    assert event["request"]["id"] == updated.last_response.request_id
    again = check(v1.events.retrieve(event.id))
    assert again.id == event.id
    expect_error(lambda: v1.events.retrieve("evt_nope"), status=404, code="resource_missing")


def test_idempotency_key_on_the_event(client):
    v1 = client.v1
    v1.customers.create({"name": "x"}, {"idempotency_key": "evt-key-1"})
    event = v1.events.list().data[0]
    assert event["request"]["idempotency_key"] == "evt-key-1"
    # A replay records nothing new.
    v1.customers.create({"name": "x"}, {"idempotency_key": "evt-key-1"})
    assert len(v1.events.list().data) == 1


def test_refused_requests_record_nothing(v1):
    cus = v1.customers.create({})
    before = types(v1)
    expect_error(lambda: v1.payment_methods.attach("pm_card_chargeDeclined", {"customer": cus.id}), stripe.CardError, status=402)
    expect_error(lambda: v1.customers.update(cus.id, {"email": "not-an-email"}), code="email_invalid")
    expect_error(lambda: v1.products.create({"name": "x", "expand": ["nope"]}))
    assert types(v1) == before


def test_setup_intent_events(v1):
    cus = v1.customers.create({})
    si = v1.setup_intents.create({"customer": cus.id, "payment_method": "pm_card_authenticationRequired", "confirm": True})
    v1.setup_intents.cancel(si.id)
    ok = v1.setup_intents.create({"customer": cus.id, "payment_method": "pm_card_visa", "confirm": True})
    got = types(v1, type="setup_intent.*")[::-1]
    assert got == ["setup_intent.created", "setup_intent.requires_action", "setup_intent.canceled",
                   "setup_intent.created", "setup_intent.succeeded"], got
    assert "payment_method.attached" in types(v1)
    assert ok.status == "succeeded"


def test_filters(v1):
    v1.customers.create({})
    v1.products.create({"name": "P"})
    assert set(types(v1, types=["customer.created", "product.created"])) == {"customer.created", "product.created"}
    assert types(v1, type="product.*") == ["product.created"]
    assert types(v1, type="*.created") == ["product.created", "customer.created"]
    expect_error(lambda: v1.events.list({"type": "customer.created", "types": ["x"]}), param="type")
    page = check(v1.events.list({"limit": 1}))
    assert page.has_more and page.url == "/v1/events"


def test_events_are_per_account(v1, portico_url):
    from helpers import make_client, new_key
    v1.customers.create({})
    other = make_client(portico_url, new_key()).v1
    assert other.events.list().data == []


def test_a_plan_change_with_a_coupon_announces_the_discount_before_its_invoice(v1):
    cus = v1.customers.create({"payment_method": "pm_card_visa",
                               "invoice_settings": {"default_payment_method": "pm_card_visa"}})
    pro = v1.prices.create({"currency": "usd", "unit_amount": 1500, "recurring": {"interval": "month"},
                            "product_data": {"name": "Pro"}})
    team = v1.prices.create({"currency": "usd", "unit_amount": 4000, "recurring": {"interval": "month"},
                             "product_data": {"name": "Team"}})
    sub = v1.subscriptions.create({"customer": cus.id, "items": [{"price": pro.id}]})
    coupon = v1.coupons.create({"percent_off": 20, "duration": "forever"})
    mark = v1.events.list({"limit": 1}).data[0].id
    v1.subscriptions.update(sub.id, {"items": [{"id": sub["items"].data[0].id, "price": team.id}],
                                     "discounts": [{"coupon": coupon.id}],
                                     "proration_behavior": "always_invoice"})
    got = types(v1, ending_before=mark)[::-1]
    # The prorations are invoice items, announced before the invoice that bills them.
    assert got == ["customer.subscription.updated", "customer.discount.created", "invoiceitem.created",
                   "invoiceitem.created", "invoice.created", "invoice.finalized", "invoice.paid",
                   "invoice.payment_succeeded"], got


def test_an_invoice_made_and_paid_in_one_step_is_announced_in_its_stages(v1):
    """Events are snapshots: a subscription's first invoice is drafted, finalized and paid in
    one request, and its events show each stage: invoice.created the draft, invoice.finalized
    the open invoice, invoice.paid the paid one."""
    cus = v1.customers.create({"payment_method": "pm_card_visa",
                               "invoice_settings": {"default_payment_method": "pm_card_visa"}})
    price = v1.prices.create({"currency": "usd", "unit_amount": 1500, "recurring": {"interval": "month"},
                              "product_data": {"name": "Pro"}})
    sub = v1.subscriptions.create({"customer": cus.id, "items": [{"price": price.id}]})
    of = lambda t: check(v1.events.list({"type": t, "limit": 1}).data[0]).data.object
    created, finalized, paid = of("invoice.created"), of("invoice.finalized"), of("invoice.paid")
    assert created.id == finalized.id == paid.id == sub.latest_invoice
    assert created.status == "draft" and created.number is None and created.amount_paid == 0
    assert created.status_transitions.finalized_at is None and created.ending_balance is None
    assert created.amount_due == 1500 and created.total == 1500
    assert finalized.status == "open" and finalized.number and finalized.amount_paid == 0
    assert finalized.amount_remaining == 1500 and finalized.attempted is False
    assert finalized.status_transitions.finalized_at and finalized.status_transitions.paid_at is None
    assert paid.status == "paid" and paid.amount_paid == 1500 and paid.number == finalized.number
    assert v1.invoices.retrieve(sub.latest_invoice).status == "paid"


def test_a_declined_first_payment_is_announced_after_the_open_invoice(v1):
    cus = v1.customers.create({"payment_method": "pm_card_chargeCustomerFail",
                               "invoice_settings": {"default_payment_method": "pm_card_chargeCustomerFail"}})
    price = v1.prices.create({"currency": "usd", "unit_amount": 900, "recurring": {"interval": "month"},
                              "product_data": {"name": "Pro"}})
    sub = v1.subscriptions.create({"customer": cus.id, "items": [{"price": price.id}],
                                   "payment_behavior": "allow_incomplete"})
    assert sub.status == "incomplete"
    of = lambda t: check(v1.events.list({"type": t, "limit": 1}).data[0]).data.object
    finalized, failed = of("invoice.finalized"), of("invoice.payment_failed")
    assert finalized.status == "open" and finalized.attempt_count == 0 and finalized.attempted is False
    assert failed.status == "open" and failed.attempt_count == 1 and failed.attempted is True


def test_a_drafted_invoice_shows_the_customers_balance_as_stripes_drafts_do(v1):
    """A draft's starting_balance is the customer's balance as it is, and its amount_due counts
    it; finalizing takes it (the ending balance appears then)."""
    cus = v1.customers.create({"payment_method": "pm_card_visa", "balance": -500,
                               "invoice_settings": {"default_payment_method": "pm_card_visa"}})
    price = v1.prices.create({"currency": "usd", "unit_amount": 1500, "recurring": {"interval": "month"},
                              "product_data": {"name": "Pro"}})
    v1.subscriptions.create({"customer": cus.id, "items": [{"price": price.id}]})
    of = lambda t: check(v1.events.list({"type": t, "limit": 1}).data[0]).data.object
    created, finalized, paid = of("invoice.created"), of("invoice.finalized"), of("invoice.paid")
    assert created.starting_balance == -500 and created.amount_due == 1000 and created.ending_balance is None
    assert finalized.ending_balance == 0 and finalized.amount_due == 1000 and finalized.amount_paid == 0
    assert paid.amount_paid == 1000
    assert v1.customers.retrieve(cus.id).balance == 0

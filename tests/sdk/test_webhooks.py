"""Webhook endpoints and signed deliveries, checked the way an app checks them: with
stripe-python's `Webhook.construct_event` and the endpoint's secret."""

from __future__ import annotations

import time

import pytest
import stripe

from helpers import check, check_error, expect_error, make_client, new_key
from webhook_receiver import Receiver


@pytest.fixture
def receiver():
    r = Receiver().start()
    yield r
    r.stop()


def _all_events(v1):
    return [e for e in v1.events.list(params={"limit": 100}).auto_paging_iter()]


def _eventually(check_fn, timeout=10.0):
    """Waits for `check_fn()` to hold: the worker records an attempt just after the receiver answers."""
    deadline = time.monotonic() + timeout
    while not check_fn():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.05)


def _verify(received, secret):
    """Every delivery verifies with the SDK; returns the events it carried."""
    events = []
    for r in received:
        assert r.headers["content-type"].startswith("application/json")
        sig = r.headers["stripe-signature"]
        assert sig.startswith("t=") and ",v1=" in sig
        event = stripe.Webhook.construct_event(r.body.decode("utf-8"), sig, secret)
        assert event.id == r.event["id"]
        check(r.event)
        events.append(event)
    return events


def test_endpoint_lifecycle(v1, raw):
    created = check(
        v1.webhook_endpoints.create(
            params={
                "url": "https://example.com/hooks",
                "enabled_events": ["customer.created", "invoice.paid"],
                "description": "billing",
                "metadata": {"team": "core"},
                "api_version": "2026-07-29.dahlia",
            }
        )
    )
    assert created.id.startswith("we_")
    assert created.secret.startswith("whsec_") and len(created.secret) > 20
    assert created.status == "enabled"
    assert created.enabled_events == ["customer.created", "invoice.paid"]
    assert created.api_version == "2026-07-29.dahlia"
    assert created.application is None and created.livemode is False

    got = check(v1.webhook_endpoints.retrieve(created.id))
    assert "secret" not in got.to_dict(), "the secret is shown on create only"
    assert got.description == "billing" and got.metadata.to_dict() == {"team": "core"}

    updated = check(
        v1.webhook_endpoints.update(
            created.id,
            params={"disabled": True, "enabled_events": ["*"], "description": "", "url": "https://example.com/v2"},
        )
    )
    assert updated.status == "disabled" and updated.enabled_events == ["*"]
    assert updated.description is None and updated.url == "https://example.com/v2"
    assert "secret" not in updated.to_dict()
    assert check(v1.webhook_endpoints.update(created.id, params={"disabled": False})).status == "enabled"

    listed = check(raw.get("/v1/webhook_endpoints").json())
    assert [e["id"] for e in listed["data"]] == [created.id]
    assert listed["url"] == "/v1/webhook_endpoints"

    deleted = check(v1.webhook_endpoints.delete(created.id))
    assert deleted.deleted is True and deleted.id == created.id
    expect_error(lambda: v1.webhook_endpoints.retrieve(created.id), status=404, code="resource_missing")
    assert v1.webhook_endpoints.list().data == []
    # Stripe announces nothing about webhook endpoints themselves.
    assert _all_events(v1) == []


def test_endpoint_validation(v1, raw):
    check_error(raw.post("/v1/webhook_endpoints", data={"enabled_events[]": "*"}), 400, code="parameter_missing", param="url")
    check_error(raw.post("/v1/webhook_endpoints", data={"url": "https://example.com"}), 400, code="parameter_missing", param="enabled_events")
    err = check_error(
        raw.post("/v1/webhook_endpoints", data={"url": "https://example.com", "enabled_events[]": ["*", "customer.made"]}),
        400,
        param="enabled_events[1]",
    )
    assert "customer.made" in err["message"]
    for url in ["ftp://example.com/x", "example.com/hooks", "https://u:p@example.com/", "javascript:alert(1)",
                "http:///example.com/x", "https:/example.com"]:
        check_error(raw.post("/v1/webhook_endpoints", data={"url": url, "enabled_events[]": "*"}), 400, param="url")
    check_error(
        raw.post("/v1/webhook_endpoints", data={"url": "https://example.com", "enabled_events[]": "*", "api_version": "1999-01-01"}),
        400,
        param="api_version",
    )
    # A real but older version: events would not have its shape, so it is refused, not ignored.
    err = check_error(
        raw.post("/v1/webhook_endpoints", data={"url": "https://example.com", "enabled_events[]": "*",
                                                "api_version": "2024-09-30.acacia"}),
        400,
        param="api_version",
    )
    assert "2026-07-29.dahlia" in err["message"]
    # Another release's newer version is still unknown; a made-up date of this release too.
    for bad in ("2026-08-26.elderberry", "2026-02-30.dahlia", "2026-08-26"):
        check_error(raw.post("/v1/webhook_endpoints", data={"url": "https://example.com", "enabled_events[]": "*",
                                                           "api_version": bad}), 400, param="api_version")
    # Versions of the rendered release, older or newer (a newer SDK pins the latest monthly one),
    # only add to its shape: they are taken.
    for ok in ("2026-03-25.dahlia", "2026-08-26.dahlia"):
        we = v1.webhook_endpoints.create(params={"url": "https://example.com/v", "enabled_events": ["*"], "api_version": ok})
        assert we.api_version == ok
        v1.webhook_endpoints.delete(we.id)
    check_error(
        raw.post("/v1/webhook_endpoints", data={"url": "https://example.com", "enabled_events[]": "*", "connect": "true"}),
        400,
        param="connect",
    )
    we = v1.webhook_endpoints.create(params={"url": "https://example.com/a", "enabled_events": ["*"]})
    check_error(raw.post(f"/v1/webhook_endpoints/{we.id}", data={"url": "gopher://x"}), 400, param="url")
    check_error(raw.post(f"/v1/webhook_endpoints/{we.id}", data={"enabled_events[]": "nope"}), 400, param="enabled_events[0]")
    assert v1.webhook_endpoints.retrieve(we.id).url == "https://example.com/a", "a refused update changes nothing"
    check_error(raw.get("/v1/webhook_endpoints/we_missing"), 404, code="resource_missing")
    for i in range(15):
        v1.webhook_endpoints.create(params={"url": f"https://example.com/{i}", "enabled_events": ["*"]})
    err = check_error(raw.post("/v1/webhook_endpoints", data={"url": "https://example.com/17", "enabled_events[]": "*"}), 400)
    assert "16" in err["message"]


def test_every_event_is_delivered_signed(v1, raw, receiver):
    endpoint = v1.webhook_endpoints.create(params={"url": receiver.url, "enabled_events": ["*"]})
    secret = endpoint.secret
    customer = v1.customers.create(params={"email": "ada@example.com", "name": "Ada"})
    v1.customers.update(customer.id, params={"name": "Ada L."})
    product = v1.products.create(params={"name": "Pro"})
    price = v1.prices.create(
        params={"product": product.id, "currency": "usd", "unit_amount": 1200, "recurring": {"interval": "month"}}
    )
    pm = v1.payment_methods.create(params={"type": "card", "card": {"token": "tok_visa"}})
    v1.payment_methods.attach(pm.id, params={"customer": customer.id})
    sub = v1.subscriptions.create(
        params={"customer": customer.id, "items": [{"price": price.id}], "default_payment_method": pm.id}
    )
    v1.subscriptions.update(sub.id, params={"cancel_at_period_end": True})

    expected = {e.id: e.type for e in _all_events(v1)}
    assert len(expected) >= 10, expected
    got = receiver.wait_for(lambda rs: {r.event["id"] for r in rs} >= set(expected))
    events = _verify(got, secret)
    assert {e.id: e.type for e in events} == expected, "each event exactly once, nothing else"
    assert all(r.path == "/hooks" for r in got)
    types = {e.type for e in events}
    assert {"customer.created", "customer.updated", "invoice.paid", "customer.subscription.created", "customer.subscription.updated"} <= types
    # The payload is the event as the API shows it.
    one = next(e for e in events if e.type == "customer.updated")
    assert one.data.previous_attributes.to_dict() == {"name": "Ada"}
    assert one.data.object.id == customer.id
    assert one["request"]["id"].startswith("req_")
    # A wrong secret or a tampered body fails verification.
    sample = got[0]
    with pytest.raises(stripe.SignatureVerificationError):
        stripe.Webhook.construct_event(sample.body.decode(), sample.headers["stripe-signature"], "whsec_wrong")
    with pytest.raises(stripe.SignatureVerificationError):
        stripe.Webhook.construct_event(sample.body.decode() + " ", sample.headers["stripe-signature"], secret)
    # Delivered: nothing pending any more.
    _eventually(lambda: all(e.pending_webhooks == 0 for e in _all_events(v1)))
    delivered = raw.get("/v1/events", params={"delivery_success": "true", "limit": 100}).json()
    assert len(delivered["data"]) == len(expected)
    assert raw.get("/v1/events", params={"delivery_success": "false"}).json()["data"] == []


def test_only_enabled_events_and_enabled_endpoints(v1, receiver):
    other = Receiver().start()
    try:
        v1.webhook_endpoints.create(params={"url": receiver.url, "enabled_events": ["customer.updated"]})
        off = v1.webhook_endpoints.create(params={"url": other.url, "enabled_events": ["*"]})
        v1.webhook_endpoints.update(off.id, params={"disabled": True})
        c = v1.customers.create(params={"name": "A"})
        v1.customers.update(c.id, params={"name": "B"})
        got = receiver.wait_for(lambda rs: len(rs) >= 1)
        time.sleep(0.5)
        assert [r.event["type"] for r in receiver.snapshot()] == ["customer.updated"]
        assert len(got) == 1
        assert other.snapshot() == [], "a disabled endpoint receives nothing"
    finally:
        other.stop()


def test_one_accounts_hanging_endpoints_do_not_hold_up_another(portico_url, v1, receiver):
    """Another account on the same server has eight endpoints that answer only after 8 seconds
    and a backlog for them, enough to fill every slot of the worker were it not for the share
    per account: this account's event is still delivered at once."""
    slow = Receiver(delay=8.0).start()
    other = make_client(portico_url, new_key())
    try:
        for _ in range(8):
            other.v1.webhook_endpoints.create(params={"url": slow.url, "enabled_events": ["customer.created"]})
        for i in range(10):
            other.v1.customers.create(params={"email": f"slow{i}@example.com"})
        # The other account's attempts now hang, as many as it may have at once.
        slow.wait_for(lambda got: len(got) >= 16, timeout=10)
        v1.webhook_endpoints.create(params={"url": receiver.url, "enabled_events": ["customer.created"]})
        started = time.monotonic()
        cus = v1.customers.create(params={"email": "quick@example.com"})
        receiver.wait_for(lambda got: any(r.event["data"]["object"]["id"] == cus.id for r in got), timeout=6)
        assert time.monotonic() - started < 4
        # The other account holds no more than its share of the worker: of its 80 deliveries,
        # 16 arrived before the first answer could have been sent.
        got = slow.snapshot()
        first = min(r.at for r in got)
        assert len([r for r in got if r.at < first + 7.5]) == 16, len(got)
    finally:
        for e in other.v1.webhook_endpoints.list(params={"limit": 100}).data:
            other.v1.webhook_endpoints.delete(e.id)
        slow.stop()


def test_failed_deliveries_are_retried_with_backoff(v1, raw):
    # Fails the first two attempts of each event; --dev retries after 1s, then 2s.
    receiver = Receiver(answer=lambda n, event: 500 if n < 2 else 200).start()
    try:
        endpoint = v1.webhook_endpoints.create(params={"url": receiver.url, "enabled_events": ["customer.created"]})
        c = v1.customers.create(params={"name": "Retry"})
        event = _all_events(v1)[0]
        receiver.wait_for(lambda rs: len(rs) >= 1, timeout=10)
        pending = raw.get(f"/v1/events/{event.id}").json()
        assert pending["pending_webhooks"] == 1, "outstanding until a 2xx"
        assert [e["id"] for e in raw.get("/v1/events", params={"delivery_success": "false"}).json()["data"]] == [event.id]
        got = receiver.wait_for(lambda rs: any(r.status == 200 for r in rs), timeout=20)
        time.sleep(1.5)
        got = receiver.snapshot()
        _eventually(lambda: raw.get(f"/v1/events/{event.id}").json()["pending_webhooks"] == 0)
        assert [r.status for r in got] == [500, 500, 200], "exactly one success, no more attempts"
        assert all(r.event["id"] == event.id for r in got)
        gaps = [b.at - a.at for a, b in zip(got, got[1:])]
        # Retries are due on whole seconds of the server's clock (`now + 1 s`, then `now + 2 s`),
        # so each wait is its delay less up to a second, plus the worker's polling. The exact
        # schedule is checked on a manual clock in the API tests.
        assert 0.0 <= gaps[0] < 2.9, gaps
        assert 0.9 <= gaps[1] < 3.9, gaps
        # Every attempt is freshly signed and verifies.
        _verify(got, endpoint.secret)
        assert got[0].event["pending_webhooks"] == 1
        assert raw.get(f"/v1/events/{event.id}").json()["pending_webhooks"] == 0
        assert c.id == got[-1].event["data"]["object"]["id"]
    finally:
        receiver.stop()


def test_deleting_an_endpoint_drops_its_queue(v1, raw):
    receiver = Receiver(answer=lambda n, event: 503).start()
    try:
        endpoint = v1.webhook_endpoints.create(params={"url": receiver.url, "enabled_events": ["*"]})
        v1.customers.create(params={"name": "X"})
        receiver.wait_for(lambda rs: len(rs) >= 1, timeout=10)
        v1.webhook_endpoints.delete(endpoint.id)
        deleted = time.monotonic()
        time.sleep(3.5)
        # A first attempt that began in the last millisecond of a second is retried a moment
        # later, which may beat the deletion; nothing is sent once it is done.
        late = [r for r in receiver.snapshot() if r.at > deleted + 0.5]
        assert late == [], "no retries to a deleted endpoint"
        event = _all_events(v1)[0]
        assert raw.get(f"/v1/events/{event.id}").json()["pending_webhooks"] == 0
    finally:
        receiver.stop()


def test_redirects_are_not_followed(v1, raw):
    target = Receiver().start()
    redirector = Receiver(answer=lambda n, event: 302, location=None).start()
    redirector.location = target.url
    try:
        v1.webhook_endpoints.create(params={"url": redirector.url, "enabled_events": ["customer.created"]})
        v1.customers.create(params={"name": "R"})
        redirector.wait_for(lambda rs: len(rs) >= 2, timeout=10)
        assert target.snapshot() == [], "the Location is never followed"
        event = _all_events(v1)[0]
        assert raw.get(f"/v1/events/{event.id}").json()["pending_webhooks"] == 1, "a 3xx is a failure, retried"
    finally:
        redirector.stop()
        target.stop()


def test_resend_an_event(v1, raw, receiver):
    endpoint = v1.webhook_endpoints.create(params={"url": receiver.url, "enabled_events": ["customer.created"]})
    v1.customers.create(params={"name": "Again"})
    receiver.wait_for(lambda rs: len(rs) == 1)
    event = _all_events(v1)[0]
    again = raw.post(f"/v1/events/{event.id}/retry", data={"webhook_endpoint": endpoint.id})
    assert again.status_code == 200, again.text
    assert check(again.json())["id"] == event.id
    got = receiver.wait_for(lambda rs: len(rs) == 2)
    assert [r.event["id"] for r in got] == [event.id, event.id]
    _verify(got, endpoint.secret)
    # Without an endpoint: every endpoint that takes the event's type.
    assert raw.post(f"/v1/events/{event.id}/retry").status_code == 200
    receiver.wait_for(lambda rs: len(rs) == 3)
    check_error(raw.post("/v1/events/evt_nope/retry"), 404, code="resource_missing")
    check_error(raw.post(f"/v1/events/{event.id}/retry", data={"webhook_endpoint": "we_nope"}), 400, code="resource_missing", param="webhook_endpoint")
    v1.webhook_endpoints.update(endpoint.id, params={"disabled": True})
    check_error(raw.post(f"/v1/events/{event.id}/retry", data={"webhook_endpoint": endpoint.id}), 400, param="webhook_endpoint")
    check_error(raw.post(f"/v1/events/{event.id}/retry"), 400)

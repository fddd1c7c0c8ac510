"""SetupIntents through the SDK: each test card's outcome, 3-D Secure's next_action, declines."""

import pytest
import stripe

from helpers import body_of, expect_error

# The subsets of Stripe's OpenAPI spec leave `setup_intent` out, so its shape is checked here:
# every field of the current object, no others, with the types Stripe gives them.
SETUP_INTENT_FIELDS = {
    "id", "object", "application", "automatic_payment_methods", "cancellation_reason", "client_secret", "created",
    "customer", "customer_account", "description", "flow_directions", "last_setup_error", "latest_attempt",
    "livemode", "mandate", "metadata", "next_action", "on_behalf_of", "payment_method",
    "payment_method_configuration_details", "payment_method_options", "payment_method_types",
    "single_use_mandate", "status", "usage",
}
STATUSES = {"requires_payment_method", "requires_confirmation", "requires_action", "processing", "canceled", "succeeded"}


def check(si):
    body = body_of(si)
    assert body["object"] == "setup_intent"
    assert set(body) == SETUP_INTENT_FIELDS, set(body) ^ SETUP_INTENT_FIELDS
    assert body["status"] in STATUSES
    assert isinstance(body["created"], int) and isinstance(body["livemode"], bool)
    assert isinstance(body["metadata"], dict) and isinstance(body["payment_method_types"], list)
    assert body["usage"] in ("off_session", "on_session")
    if body["next_action"] is not None:
        assert body["next_action"]["type"] == "redirect_to_url"
        assert set(body["next_action"]["redirect_to_url"]) == {"return_url", "url"}
    if body["last_setup_error"] is not None:
        assert {"code", "message", "type"} <= set(body["last_setup_error"])
    return si

# (token, status after confirm, decline code)
ROWS = [
    ("pm_card_visa", "succeeded", None),
    ("pm_card_mastercard", "succeeded", None),
    ("pm_card_amex", "succeeded", None),
    ("pm_card_chargeDeclined", None, ("card_declined", "generic_decline")),
    ("pm_card_chargeDeclinedInsufficientFunds", None, ("card_declined", "insufficient_funds")),
    ("pm_card_chargeDeclinedExpiredCard", None, ("expired_card", "expired_card")),
    ("pm_card_chargeCustomerFail", "succeeded", None),
    ("pm_card_authenticationRequired", "requires_action", None),
    ("pm_card_authenticationRequiredOnSetup", "requires_action", None),
    ("pm_card_chargeDeclinedIncorrectCvc", None, ("incorrect_cvc", "incorrect_cvc")),
    ("pm_card_chargeDeclinedProcessingError", None, ("processing_error", "processing_error")),
    ("pm_card_chargeDeclinedLostCard", None, ("card_declined", "lost_card")),
    ("pm_card_chargeDeclinedStolenCard", None, ("card_declined", "stolen_card")),
    ("pm_card_threeDSecure2Required", "requires_action", None),
    ("pm_card_threeDSecureRequired", "requires_action", None),
    ("pm_card_threeDSecureOptional", "succeeded", None),
]


@pytest.mark.parametrize("token,status,decline", ROWS, ids=[r[0] for r in ROWS])
def test_confirm_each_test_card(v1, token, status, decline):
    cus = v1.customers.create({})
    si = check(v1.setup_intents.create({"customer": cus.id, "payment_method": token}))
    assert si.status == "requires_confirmation" and si.id.startswith("seti_")
    assert si.client_secret.startswith(si.id + "_secret_")
    assert si.usage == "off_session" and si.payment_method_types == ["card"]
    if decline:
        e = expect_error(lambda: v1.setup_intents.confirm(si.id), stripe.CardError, status=402, code=decline[0])
        assert e.error.decline_code == decline[1]
        # Stripe embeds the intent in the error.
        assert e.json_body["error"]["setup_intent"]["status"] == "requires_payment_method"
        after = check(v1.setup_intents.retrieve(si.id))
        assert after.status == "requires_payment_method"
        assert after.last_setup_error.code == decline[0]
        return
    done = check(v1.setup_intents.confirm(si.id, {"return_url": "https://app.example/done"}))
    assert done.status == status
    if status == "requires_action":
        assert done.next_action.type == "redirect_to_url"
        assert "/p/authenticate/" in done.next_action.redirect_to_url.url
        assert done.next_action.redirect_to_url.return_url == "https://app.example/done"
        assert v1.payment_methods.retrieve(done.payment_method).customer is None, "saved only once authenticated"
    else:
        assert done.next_action is None
        assert v1.payment_methods.retrieve(done.payment_method).customer == cus.id, "saved to the customer"


def test_create_and_confirm_in_one_call(v1):
    si = check(v1.setup_intents.create({"payment_method": "pm_card_visa", "confirm": True}))
    assert si.status == "succeeded"


def test_confirm_needs_a_payment_method_and_open_state(v1):
    si = v1.setup_intents.create({})
    assert si.status == "requires_payment_method"
    expect_error(lambda: v1.setup_intents.confirm(si.id), code="setup_intent_unexpected_state")
    done = v1.setup_intents.confirm(si.id, {"payment_method": "pm_card_visa"})
    assert done.status == "succeeded"
    expect_error(lambda: v1.setup_intents.confirm(si.id), message="status of succeeded")
    expect_error(lambda: v1.setup_intents.cancel(si.id), message="status of succeeded")


def test_cancel_and_update(v1):
    cus = v1.customers.create({})
    si = v1.setup_intents.create({"metadata": {"a": "1"}})
    u = check(v1.setup_intents.update(si.id, {"customer": cus.id, "payment_method": "pm_card_visa", "description": "card"}))
    assert (u.customer, u.status, u.description) == (cus.id, "requires_confirmation", "card")
    c = check(v1.setup_intents.cancel(si.id, {"cancellation_reason": "abandoned"}))
    assert (c.status, c.cancellation_reason) == ("canceled", "abandoned")
    expect_error(lambda: v1.setup_intents.update(si.id, {"description": "x"}), message="status of canceled")


def test_validation(v1):
    expect_error(lambda: v1.setup_intents.create({"customer": "cus_nope"}), code="resource_missing", param="customer")
    expect_error(lambda: v1.setup_intents.create({"payment_method": "pm_nope"}), code="resource_missing", param="payment_method")
    expect_error(lambda: v1.setup_intents.create({"payment_method_types": ["sepa_debit"]}), param="payment_method_types")
    expect_error(lambda: v1.setup_intents.create({"payment_method": "pm_card_visa", "confirm": True, "return_url": "not a url"}),
                 code="url_invalid", param="return_url")
    # Text the URL standard would repair into https://app.example/ is refused as written.
    expect_error(lambda: v1.setup_intents.create({"payment_method": "pm_card_visa", "confirm": True,
                                                  "return_url": "https:/app.example/done"}),
                 code="url_invalid", param="return_url")
    expect_error(lambda: v1.setup_intents.create({"return_url": "https://x.io"}), param="return_url")


def test_list_by_customer(v1):
    cus = v1.customers.create({})
    mine = [v1.setup_intents.create({"customer": cus.id}).id for _ in range(2)]
    v1.setup_intents.create({})
    page = v1.setup_intents.list({"customer": cus.id})
    assert page.url == "/v1/setup_intents"
    assert [check(s).id for s in page.data] == mine[::-1]


def test_automatic_payment_methods_are_on_unless_types_are_given(v1):
    """Stripe's default since 2023-08-16: no payment_method_types, automatic payment methods
    (which for Portico are cards)."""
    cus = v1.customers.create({})
    default = check(v1.setup_intents.create({"customer": cus.id}))
    assert default.automatic_payment_methods.to_dict() == {"allow_redirects": "always", "enabled": True}
    assert default.payment_method_types == ["card"]
    never = check(v1.setup_intents.create({"customer": cus.id, "automatic_payment_methods": {
        "enabled": True, "allow_redirects": "never"}}))
    assert never.automatic_payment_methods.allow_redirects == "never"
    for params in ({"payment_method_types": ["card"]}, {"automatic_payment_methods": {"enabled": False}}):
        assert check(v1.setup_intents.create({"customer": cus.id, **params})).automatic_payment_methods is None
    expect_error(lambda: v1.setup_intents.create({"customer": cus.id, "payment_method_types": ["card"],
                                                  "automatic_payment_methods": {"enabled": True}}),
                 param="automatic_payment_methods")
    expect_error(lambda: v1.setup_intents.create({"customer": cus.id, "automatic_payment_methods": {
        "allow_redirects": "never"}}), param="automatic_payment_methods[enabled]")


def test_a_trial_made_with_default_incomplete_collects_its_card_with_a_pending_setup_intent(v1, portico_url):
    # Stripe's deferred-payment pattern: nothing to charge now, so the subscription carries a
    # SetupIntent for the card; once it succeeds, it is no longer pending and (with
    # save_default_payment_method=on_subscription) its card is the subscription's default.
    import re
    import requests
    price = v1.prices.create({"currency": "usd", "unit_amount": 900, "product_data": {"name": "Deferred"},
                              "recurring": {"interval": "month"}})

    def subscribe():
        cus = v1.customers.create({})
        sub = v1.subscriptions.create({
            "customer": cus.id, "items": [{"price": price.id}], "trial_period_days": 7,
            "payment_behavior": "default_incomplete",
            "payment_settings": {"save_default_payment_method": "on_subscription"},
            "expand": ["pending_setup_intent"]})
        assert sub.status == "trialing"
        si = check(sub.pending_setup_intent)
        assert (si.object, si.status, si.customer, si.usage) == (
            "setup_intent", "requires_payment_method", cus.id, "off_session")
        return cus, sub, si

    cus, sub, si = subscribe()
    assert "setup_intent.created" in [e.type for e in v1.events.list({"limit": 5}).data]
    done = check(v1.setup_intents.confirm(si.id, {"payment_method": "pm_card_visa"}))
    assert done.status == "succeeded"
    after = v1.subscriptions.retrieve(sub.id)
    assert after.pending_setup_intent is None and after.default_payment_method == done.payment_method

    # A card that needs 3-D Secure at setup: settled once the customer approves it.
    cus, sub, si = subscribe()
    waiting = check(v1.setup_intents.confirm(si.id, {"payment_method": "pm_card_authenticationRequiredOnSetup",
                                                     "return_url": "https://app.example/done"}))
    assert waiting.status == "requires_action"
    assert v1.subscriptions.retrieve(sub.id).pending_setup_intent == si.id
    browser = requests.Session()
    url = waiting.next_action.redirect_to_url.url
    page = browser.get(url).text
    csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    browser.post(url, data={"csrf": csrf, "outcome": "approve"}, allow_redirects=False)
    after = v1.subscriptions.retrieve(sub.id)
    assert after.pending_setup_intent is None and after.default_payment_method == waiting.payment_method

    # Without default_incomplete, or with something to charge now, there is none.
    plain = v1.subscriptions.create({"customer": cus.id, "items": [{"price": price.id}], "trial_period_days": 7})
    assert plain.pending_setup_intent is None

"""Card payment methods and the test-card table: create, attach, default, declines, fingerprints."""

import pytest
import stripe

from helpers import check, expect_error

# (token, number, what attaching does): the table in PRODUCT.md "Test cards".
ROWS = [
    ("pm_card_visa", "4242424242424242", None),
    ("pm_card_mastercard", "5555555555554444", None),
    ("pm_card_amex", "378282246310005", None),
    ("pm_card_chargeDeclined", "4000000000000002", ("card_declined", "generic_decline")),
    ("pm_card_chargeDeclinedInsufficientFunds", "4000000000009995", ("card_declined", "insufficient_funds")),
    ("pm_card_chargeDeclinedExpiredCard", "4000000000000069", ("expired_card", "expired_card")),
    ("pm_card_chargeCustomerFail", "4000000000000341", None),
    ("pm_card_authenticationRequired", "4000002760003184", None),
    ("pm_card_authenticationRequiredOnSetup", "4000002500003155", None),
    # Beyond PRODUCT.md's table: more of Stripe's test cards that suites use.
    ("pm_card_chargeDeclinedIncorrectCvc", "4000000000000127", ("incorrect_cvc", "incorrect_cvc")),
    ("pm_card_chargeDeclinedProcessingError", "4000000000000119", ("processing_error", "processing_error")),
    ("pm_card_chargeDeclinedLostCard", "4000000000009987", ("card_declined", "lost_card")),
    ("pm_card_chargeDeclinedStolenCard", "4000000000009979", ("card_declined", "stolen_card")),
    ("pm_card_threeDSecure2Required", "4000000000003220", None),
    ("pm_card_threeDSecureRequired", "4000000000003063", None),
    ("pm_card_threeDSecureOptional", "4000000000003055", None),
]

BRANDS = {"4": "visa", "5": "mastercard", "3": "amex"}


def raw_card(number, cvc=None):
    return {"number": number, "exp_month": 12, "exp_year": 2034, "cvc": cvc or ("1234" if number.startswith("3") else "123")}


@pytest.mark.parametrize("token,number,decline", ROWS, ids=[r[0] for r in ROWS])
def test_each_test_card_row(v1, token, number, decline):
    cus = v1.customers.create({"email": "row@example.com"})
    # From raw details: shape of the card.
    pm = check(v1.payment_methods.create({"type": "card", "card": raw_card(number)}))
    assert pm.id.startswith("pm_") and pm.type == "card" and pm.customer is None
    assert pm.card.last4 == number[-4:]
    assert pm.card.brand == BRANDS[number[0]]
    assert pm.card.exp_month == 12 and pm.card.exp_year == 2034
    assert pm.card.checks.cvc_check == "pass"
    assert pm.card.three_d_secure_usage.supported is True
    assert pm.card.funding in ("credit", "debit") and pm.card.country
    assert len(pm.card.fingerprint) == 16
    # From the token, attached; the decline cards refuse to attach.
    if decline:
        e = expect_error(lambda: v1.payment_methods.attach(token, {"customer": cus.id}), stripe.CardError, status=402, code=decline[0])
        assert e.error.decline_code == decline[1]
        expect_error(lambda: v1.payment_methods.attach(pm.id, {"customer": cus.id}), stripe.CardError, status=402, code=decline[0])
        assert v1.customers.payment_methods.list(cus.id).data == []
        return
    attached = check(v1.payment_methods.attach(token, {"customer": cus.id}))
    assert attached.id != token and attached.id.startswith("pm_")
    assert attached.customer == cus.id
    assert attached.card.last4 == number[-4:]
    assert attached.card.fingerprint == pm.card.fingerprint, "same number, same account, same fingerprint"
    updated = check(v1.customers.update(cus.id, {"invoice_settings": {"default_payment_method": attached.id}}))
    assert updated.invoice_settings.default_payment_method == attached.id
    listed = check(v1.customers.payment_methods.list(cus.id, {"type": "card"}))
    assert [p.id for p in listed.data] == [attached.id]
    assert listed.url == f"/v1/customers/{cus.id}/payment_methods"


@pytest.mark.parametrize("card,code,param", [
    ({"number": "4242424242424241", "exp_month": 12, "exp_year": 2034}, "incorrect_number", "card[number]"),
    ({"number": "4242", "exp_month": 12, "exp_year": 2034}, "incorrect_number", "card[number]"),
    ({"number": "42424242abcd4242", "exp_month": 12, "exp_year": 2034}, "invalid_number", "card[number]"),
    ({"number": "4242424242424242", "exp_month": 13, "exp_year": 2034}, "invalid_expiry_month", "card[exp_month]"),
    ({"number": "4242424242424242", "exp_month": 12, "exp_year": 2001}, "invalid_expiry_year", "card[exp_year]"),
    ({"number": "4242424242424242", "exp_month": 12, "exp_year": 2034, "cvc": "12"}, "invalid_cvc", "card[cvc]"),
    ({"number": "378282246310005", "exp_month": 12, "exp_year": 2034, "cvc": "123"}, "invalid_cvc", "card[cvc]"),
])
def test_card_validation_errors(v1, card, code, param):
    expect_error(lambda: v1.payment_methods.create({"type": "card", "card": card}), stripe.CardError, status=402, code=code, param=param)


def test_missing_and_unsupported(v1):
    expect_error(lambda: v1.payment_methods.create({"type": "card"}), code="parameter_missing", param="card")
    expect_error(lambda: v1.payment_methods.create({"card": raw_card("4242424242424242")}), code="parameter_missing", param="type")
    expect_error(lambda: v1.payment_methods.create({"type": "sepa_debit"}), param="type")
    expect_error(lambda: v1.payment_methods.create({"type": "card", "card": {"number": "4242424242424242", "exp_month": 1}}),
                 code="parameter_missing", param="card[exp_year]")


def test_card_token_and_billing_details(v1):
    pm = check(v1.payment_methods.create({"type": "card", "card": {"token": "tok_mastercard"},
                                          "billing_details": {"name": "Ada L", "email": "ada@example.com",
                                                              "address": {"country": "GB", "postal_code": "N1"}},
                                          "metadata": {"k": "v"}}))
    assert pm.card.brand == "mastercard" and pm.card.last4 == "4444"
    assert pm.billing_details.name == "Ada L" and pm.billing_details.address.country == "GB"
    assert pm.metadata["k"] == "v"
    expect_error(lambda: v1.payment_methods.create({"type": "card", "card": {"token": "tok_nope"}}), code="resource_missing")


def test_fingerprints_are_per_account(v1, portico_url):
    from helpers import make_client, new_key
    a = v1.payment_methods.create({"type": "card", "card": raw_card("4242424242424242")})
    b = v1.payment_methods.create({"type": "card", "card": raw_card("4242424242424242", "999")})
    c = v1.payment_methods.create({"type": "card", "card": raw_card("5555555555554444")})
    assert a.card.fingerprint == b.card.fingerprint != c.card.fingerprint
    other = make_client(portico_url, new_key()).v1.payment_methods.create({"type": "card", "card": raw_card("4242424242424242")})
    assert other.card.fingerprint != a.card.fingerprint


def test_attach_detach_rules(v1):
    one = v1.customers.create({})
    two = v1.customers.create({})
    pm = v1.payment_methods.create({"type": "card", "card": raw_card("4242424242424242")})
    expect_error(lambda: v1.payment_methods.update(pm.id, {"metadata": {"a": "b"}}), message="save this PaymentMethod to a customer")
    v1.payment_methods.attach(pm.id, {"customer": one.id})
    assert v1.payment_methods.attach(pm.id, {"customer": one.id}).customer == one.id, "attaching twice is harmless"
    expect_error(lambda: v1.payment_methods.attach(pm.id, {"customer": two.id}), message="already been attached")
    expect_error(lambda: v1.payment_methods.attach(pm.id, {"customer": "cus_nope"}), code="resource_missing", param="customer")
    v1.customers.update(one.id, {"invoice_settings": {"default_payment_method": pm.id}})
    # Someone else's card cannot be the default.
    expect_error(lambda: v1.customers.update(two.id, {"invoice_settings": {"default_payment_method": pm.id}}),
                 param="invoice_settings[default_payment_method]", message="must be attached to the customer")
    detached = check(v1.payment_methods.detach(pm.id))
    assert detached.customer is None
    assert v1.customers.retrieve(one.id).invoice_settings.default_payment_method is None
    expect_error(lambda: v1.payment_methods.detach(pm.id), message="not attached to a customer")
    expect_error(lambda: v1.payment_methods.attach(pm.id, {"customer": one.id}), message="may not be used again")


def test_update_expiry_and_billing_details(v1):
    cus = v1.customers.create({})
    pm = v1.payment_methods.attach("pm_card_visa", {"customer": cus.id})
    u = check(v1.payment_methods.update(pm.id, {"card": {"exp_month": 3, "exp_year": 2035}, "billing_details": {"name": "Grace"}}))
    assert (u.card.exp_month, u.card.exp_year, u.billing_details.name) == (3, 2035, "Grace")
    expect_error(lambda: v1.payment_methods.update(pm.id, {"card": {"exp_year": 2001}}), param="card[exp_year]")
    expect_error(lambda: v1.payment_methods.update(pm.id, {"card": {"number": "4242424242424242"}}), code="parameter_unknown")


def test_customer_create_with_payment_method_and_default(v1):
    cus = check(v1.customers.create({"payment_method": "pm_card_visa",
                                     "invoice_settings": {"default_payment_method": "pm_card_visa"}}))
    pm_id = cus.invoice_settings.default_payment_method
    assert pm_id.startswith("pm_") and pm_id != "pm_card_visa"
    assert v1.payment_methods.retrieve(pm_id).customer == cus.id
    expect_error(lambda: v1.customers.create({"payment_method": "pm_card_chargeDeclined"}), stripe.CardError, status=402, code="card_declined")
    expect_error(lambda: v1.customers.create({"invoice_settings": {"default_payment_method": "pm_card_visa"}}),
                 param="invoice_settings[default_payment_method]")


def test_deleting_a_customer_detaches_their_cards(v1):
    cus = v1.customers.create({})
    pm = v1.payment_methods.attach("pm_card_visa", {"customer": cus.id})
    v1.customers.delete(cus.id)
    assert v1.payment_methods.retrieve(pm.id).customer is None


def test_list_payment_methods(v1):
    cus = v1.customers.create({})
    ids = [v1.payment_methods.attach("pm_card_visa", {"customer": cus.id}).id for _ in range(3)]
    loose = v1.payment_methods.create({"type": "card", "card": raw_card("4242424242424242")})
    assert [p.id for p in check(v1.payment_methods.list({"customer": cus.id, "type": "card"})).data] == ids[::-1]
    assert loose.id in [p.id for p in v1.payment_methods.list({"limit": 10}).data]
    assert v1.payment_methods.list({"customer": cus.id, "type": "sepa_debit"}).data == []
    expect_error(lambda: v1.customers.payment_methods.list("cus_nope"), status=404, code="resource_missing")
    expanded = v1.customers.payment_methods.list(cus.id, {"expand": ["data.customer"]})
    assert expanded.data[0].customer.id == cus.id


def test_retrieve_a_customers_payment_method(v1):
    cus = v1.customers.create({})
    other = v1.customers.create({})
    pm = v1.payment_methods.attach("pm_card_visa", {"customer": cus.id})
    got = check(v1.customers.payment_methods.retrieve(cus.id, pm.id))
    assert got.id == pm.id and got.customer == cus.id and got.card.last4 == "4242"
    assert v1.customers.payment_methods.retrieve(cus.id, pm.id, {"expand": ["customer"]}).customer.id == cus.id
    # Another customer's, or one attached to nobody, is not found through this customer.
    expect_error(lambda: v1.customers.payment_methods.retrieve(other.id, pm.id), status=404, code="resource_missing")
    loose = v1.payment_methods.create({"type": "card", "card": raw_card("4242424242424242")})
    expect_error(lambda: v1.customers.payment_methods.retrieve(cus.id, loose.id), status=404, code="resource_missing")
    expect_error(lambda: v1.customers.payment_methods.retrieve("cus_nope", pm.id), status=404, code="resource_missing")

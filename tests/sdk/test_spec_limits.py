"""Length limits and enums taken from Stripe's published request schemas."""

import pytest

from helpers import check, expect_error


def _email(n):
    return "a" * (n - len("@example.com")) + "@example.com"


CUSTOMER_LIMITS = [
    ("name", 256, lambda n: "n" * n),
    ("phone", 20, lambda n: "1" * n),
    ("business_name", 150, lambda n: "b" * n),
    ("individual_name", 150, lambda n: "i" * n),
    ("description", 5000, lambda n: "d" * n),
    ("email", 512, _email),
]


@pytest.mark.parametrize("field,limit,make", CUSTOMER_LIMITS, ids=[f[0] for f in CUSTOMER_LIMITS])
def test_customer_string_limits(v1, field, limit, make):
    c = check(v1.customers.create({field: make(limit)}))
    assert getattr(c, field) == make(limit)
    expect_error(lambda: v1.customers.create({field: make(limit + 1)}), status=400, param=field)
    expect_error(lambda: v1.customers.update(c.id, {field: make(limit + 1)}), status=400, param=field)


PRODUCT_LIMITS = [
    ("name", 5000, lambda n: "n" * n),
    ("description", 40000, lambda n: "d" * n),
    ("statement_descriptor", 22, lambda n: "S" * n),
    ("unit_label", 12, lambda n: "u" * n),
    ("url", 5000, lambda n: "https://example.com/" + "p" * (n - 20)),
]
# The request spec allows a 5000-character product url, but the response schema caps `url`
# at 2048; what live Stripe does between the two is not known here.
PRODUCT_LIMITS[-1] = ("url", 2048, lambda n: "https://example.com/" + "p" * (n - 20))


@pytest.mark.parametrize("field,limit,make", PRODUCT_LIMITS, ids=[f[0] for f in PRODUCT_LIMITS])
def test_product_string_limits(v1, field, limit, make):
    base = {} if field == "name" else {"name": "P"}
    p = check(v1.products.create({**base, field: make(limit)}))
    assert getattr(p, field) == make(limit)
    over = 5000 if field == "url" else limit
    expect_error(lambda: v1.products.create({**base, field: make(over + 1)}), status=400, param=field)


@pytest.mark.parametrize("field,limit", [("lookup_key", 200), ("nickname", 5000)])
def test_price_string_limits(v1, field, limit):
    prod = v1.products.create({"name": "P"})
    base = {"product": prod.id, "currency": "usd", "unit_amount": 1}
    p = check(v1.prices.create({**base, field: "k" * limit}))
    assert getattr(p, field) == "k" * limit
    expect_error(lambda: v1.prices.create({**base, field: "x" * (limit + 1)}), status=400, param=field)


def test_tax_exempt_values(v1):
    for value in ("exempt", "none", "reverse"):
        assert check(v1.customers.create({"tax_exempt": value})).tax_exempt == value
    c = v1.customers.create({"tax_exempt": "exempt"})
    # The spec lists "" among tax_exempt's values: it resets to the default, "none".
    # (Inferred from the spec's enum; not verified against live Stripe.)
    assert check(v1.customers.update(c.id, {"tax_exempt": ""})).tax_exempt == "none"


def test_price_tax_behavior_enum(v1):
    prod = v1.products.create({"name": "P"})
    expect_error(lambda: v1.prices.create({"product": prod.id, "currency": "usd", "unit_amount": 1,
                                           "tax_behavior": "sometimes"}), status=400, param="tax_behavior")


def test_recurring_interval_enum_and_max(v1):
    prod = v1.products.create({"name": "P"})
    base = {"product": prod.id, "currency": "usd", "unit_amount": 1}
    expect_error(lambda: v1.prices.create({**base, "recurring": {"interval": "fortnight"}}), status=400,
                 param="recurring[interval]")
    for interval in ("day", "week", "month", "year"):
        assert check(v1.prices.create({**base, "recurring": {"interval": interval}})).recurring.interval == interval
    # Stripe caps a billing period at three years.
    expect_error(lambda: v1.prices.create({**base, "recurring": {"interval": "year", "interval_count": 4}}),
                 status=400)
    expect_error(lambda: v1.prices.create({**base, "recurring": {"interval": "month", "interval_count": 0}}),
                 status=400)


def test_images_at_most_eight(v1):
    imgs = [f"https://example.com/{i}.png" for i in range(9)]
    expect_error(lambda: v1.products.create({"name": "P", "images": imgs}), status=400, param="images")
    assert len(check(v1.products.create({"name": "P", "images": imgs[:8]})).images) == 8


def test_preferred_locales_limit(v1):
    expect_error(lambda: v1.customers.create({"preferred_locales": ["en"] * 11}), status=400,
                 param="preferred_locales")


def test_customer_email_filter_is_case_sensitive(v1):
    # Stripe documents the `email` list filter as case-sensitive.
    c = v1.customers.create({"email": "Mixed@Example.com"})
    assert c.email == "Mixed@Example.com"
    assert [x.id for x in v1.customers.list({"email": "Mixed@Example.com"}).data] == [c.id]
    assert v1.customers.list({"email": "mixed@example.com"}).data == []
    # Two customers whose addresses differ only in case are told apart.
    lower = v1.customers.create({"email": "mixed@example.com"})
    assert [x.id for x in v1.customers.list({"email": "mixed@example.com"}).data] == [lower.id]
    assert [x.id for x in v1.customers.list({"email": "Mixed@Example.com"}).data] == [c.id]
    assert v1.customers.list({"email": "MIXED@EXAMPLE.COM"}).data == []


def test_unknown_created_operator(v1):
    expect_error(lambda: v1.customers.list({"created": {"after": 1}}), status=400, code="parameter_unknown",
                 param="created[after]")

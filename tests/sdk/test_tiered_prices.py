"""Tiered prices (`billing_scheme=tiered`): creating them, what they bill on a subscription's
invoices (one line per tier billed, and per flat amount, as Stripe's invoices show them),
prorations, previews, and the portal.

The worked example is Stripe's own: fonts at 7 USD each for the first five, 6.50 for the next
five, 6 beyond.
"""

import pytest

from helpers import APR1, APR16, HOUR, MAY1, carded_customer, check, expect_error

FONTS = [
    {"up_to": 5, "unit_amount": 700},
    {"up_to": 10, "unit_amount_decimal": "650"},
    {"up_to": "inf", "unit_amount": 600},
]


@pytest.fixture
def world(v1):
    product = v1.products.create({"name": "Fonts"})
    tiered = lambda mode, tiers: v1.prices.create({  # noqa: E731
        "product": product.id, "currency": "usd", "billing_scheme": "tiered", "tiers_mode": mode,
        "tiers": tiers, "recurring": {"interval": "month"}})
    clock = v1.test_helpers.test_clocks.create({"frozen_time": APR1})
    return {
        "product": product,
        "graduated": tiered("graduated", FONTS),
        "volume": tiered("volume", FONTS),
        # A base fee covering three seats, then 10 USD a seat.
        "base": tiered("graduated", [{"up_to": 3, "flat_amount": 2000, "unit_amount": 0},
                                     {"up_to": "inf", "unit_amount": 1000}]),
        "clock": clock,
        "cus": carded_customer(v1, clock.id),
    }


def lines(inv):
    return [(l.description, l.quantity, l.amount) for l in inv.lines.data]


def test_a_tiered_price_shows_its_tiers_only_when_asked(v1, world):
    p = check(world["graduated"])
    assert (p.billing_scheme, p.tiers_mode, p.unit_amount, p.unit_amount_decimal) == ("tiered", "graduated", None, None)
    assert "tiers" not in p.last_response.data, "left out unless expanded, as Stripe does"
    full = check(v1.prices.retrieve(p.id, {"expand": ["tiers"]}))
    assert full.last_response.data["tiers"] == [
        {"flat_amount": None, "flat_amount_decimal": None, "unit_amount": 700, "unit_amount_decimal": "700", "up_to": 5},
        {"flat_amount": None, "flat_amount_decimal": None, "unit_amount": 650, "unit_amount_decimal": "650", "up_to": 10},
        {"flat_amount": None, "flat_amount_decimal": None, "unit_amount": 600, "unit_amount_decimal": "600", "up_to": None},
    ]
    listed = check(v1.prices.list({"expand": ["data.tiers"], "limit": 3}))
    assert [len(x["tiers"]) for x in listed.last_response.data["data"]] == [2, 3, 3]
    # A price billed per unit has no tiers to show.
    flat = v1.prices.create({"product": world["product"].id, "currency": "usd", "unit_amount": 5,
                             "recurring": {"interval": "month"}})
    assert "tiers" not in v1.prices.retrieve(flat.id, {"expand": ["tiers"]}).last_response.data
    base = v1.prices.retrieve(world["base"].id, {"expand": ["tiers"]}).last_response.data["tiers"][0]
    assert (base["flat_amount"], base["flat_amount_decimal"], base["up_to"]) == (2000, "2000", 3)


@pytest.mark.parametrize("params,param", [
    ({"tiers_mode": "graduated"}, "tiers"),
    ({"tiers": FONTS}, "tiers_mode"),
    ({"tiers_mode": "stepped", "tiers": FONTS}, "tiers_mode"),
    ({"tiers_mode": "volume", "tiers": FONTS, "unit_amount": 100}, "unit_amount"),
    ({"tiers_mode": "volume", "tiers": FONTS, "unit_amount_decimal": "100"}, "unit_amount_decimal"),
    ({"tiers_mode": "volume", "tiers": [{"up_to": 5, "unit_amount": 1}]}, "tiers[0][up_to]"),
    ({"tiers_mode": "volume", "tiers": [{"up_to": "inf", "unit_amount": 1}, {"up_to": "inf", "unit_amount": 1}]},
     "tiers[0][up_to]"),
    ({"tiers_mode": "volume", "tiers": [{"up_to": 5, "unit_amount": 1}, {"up_to": 5, "unit_amount": 1},
                                        {"up_to": "inf", "unit_amount": 1}]}, "tiers[1][up_to]"),
    ({"tiers_mode": "volume", "tiers": [{"up_to": 0, "unit_amount": 1}, {"up_to": "inf", "unit_amount": 1}]},
     "tiers[0][up_to]"),
    ({"tiers_mode": "volume", "tiers": [{"up_to": "lots", "unit_amount": 1}, {"up_to": "inf", "unit_amount": 1}]},
     "tiers[0][up_to]"),
    ({"tiers_mode": "volume", "tiers": [{"unit_amount": 1}]}, "tiers[0][up_to]"),
    ({"tiers_mode": "volume", "tiers": [{"up_to": "inf"}]}, "tiers[0]"),
    ({"tiers_mode": "volume", "tiers": [{"up_to": "inf", "unit_amount": -1}]}, "tiers[0][unit_amount]"),
    ({"tiers_mode": "volume", "tiers": [{"up_to": "inf", "flat_amount": 1, "flat_amount_decimal": "1"}]},
     "tiers[0][flat_amount]"),
    ({"tiers_mode": "volume", "tiers": [{"up_to": "inf", "unit_amount_decimal": "0.5"}]},
     "tiers[0][unit_amount_decimal]"),
    ({"tiers_mode": "volume", "tiers": [{"up_to": "inf", "unit_amount": 1, "size": 3}]}, "tiers[0][size]"),
])
def test_bad_tiers_are_refused_by_name(v1, world, params, param):
    before = len(v1.prices.list({"limit": 100}).data)
    base = {"product": world["product"].id, "currency": "usd", "billing_scheme": "tiered",
            "recurring": {"interval": "month"}}
    expect_error(lambda: v1.prices.create({**base, **params}), param=param)
    assert len(v1.prices.list({"limit": 100}).data) == before


def test_tiers_need_the_tiered_billing_scheme(v1, world):
    base = {"product": world["product"].id, "currency": "usd", "unit_amount": 5}
    expect_error(lambda: v1.prices.create({**base, "tiers": FONTS}), param="tiers", message="billing_scheme=tiered")
    expect_error(lambda: v1.prices.create({**base, "billing_scheme": "per_unit", "tiers_mode": "volume"}),
                 param="tiers_mode")
    assert v1.prices.create({**base, "billing_scheme": "per_unit"}).billing_scheme == "per_unit"


def test_a_graduated_price_bills_each_tier_on_a_line_of_its_own(v1, world):
    sub = v1.subscriptions.create({"customer": world["cus"].id, "items": [{"price": world["graduated"].id, "quantity": 12}],
                                   "expand": ["latest_invoice", "items.data.price.tiers"]})
    inv = check(sub.latest_invoice)
    assert lines(inv) == [
        ("5 × Fonts (Tier 1 at $7.00 / month)", 5, 3500),
        ("5 × Fonts (Tier 2 at $6.50 / month)", 5, 3250),
        ("2 × Fonts (Tier 3 at $6.00 / month)", 2, 1200),
    ]
    assert (inv.total, inv.amount_paid, inv.status) == (7950, 7950, "paid")
    item = sub["items"].data[0]
    plan = check(v1.subscriptions.retrieve(sub.id, {"expand": ["items.data.plan.tiers"]}))["items"].data[0].plan
    assert [t.up_to for t in plan.tiers] == [5, 10, None]
    assert all(l.parent.subscription_item_details.subscription_item == item.id for l in inv.lines.data)
    assert [str(l.pricing.unit_amount_decimal) for l in inv.lines.data] == ["700", "650", "600"]
    assert item.quantity == 12 and len(item.price.tiers) == 3
    assert item.plan.billing_scheme == "tiered" and item.plan.amount is None
    # The renewal bills the same way.
    v1.test_helpers.test_clocks.advance(world["clock"].id, {"frozen_time": MAY1 + HOUR + 60})
    renewal = v1.invoices.list({"subscription": sub.id, "limit": 1}).data[0]
    assert renewal.billing_reason == "subscription_cycle" and [l[2] for l in lines(renewal)] == [3500, 3250, 1200]


def test_a_volume_price_bills_the_whole_quantity_at_its_tier(v1, world):
    sub = v1.subscriptions.create({"customer": world["cus"].id, "items": [{"price": world["volume"].id, "quantity": 6}],
                                   "expand": ["latest_invoice"]})
    assert lines(sub.latest_invoice) == [("6 × Fonts (Tier 2 at $6.50 / month)", 6, 3900)]


def test_flat_amounts_are_lines_without_a_quantity(v1, world):
    sub = v1.subscriptions.create({"customer": world["cus"].id, "items": [{"price": world["base"].id, "quantity": 5}],
                                   "expand": ["latest_invoice"]})
    assert lines(sub.latest_invoice) == [
        ("3 × Fonts (Tier 1 at $0.00 / month)", 3, 0),
        ("Fonts (Tier 1 at $20.00 / month)", 0, 2000),
        ("2 × Fonts (Tier 2 at $10.00 / month)", 2, 2000),
    ]
    assert sub.latest_invoice.lines.data[1].pricing.unit_amount_decimal is None


def test_a_quantity_change_prorates_what_each_quantity_costs(v1, world):
    sub = v1.subscriptions.create({"customer": world["cus"].id, "items": [{"price": world["graduated"].id, "quantity": 5}]})
    v1.test_helpers.test_clocks.advance(world["clock"].id, {"frozen_time": APR16})
    item = sub["items"].data[0].id
    # Half the period is left: half of 35.00 back, half of 79.50 charged.
    preview = check(v1.invoices.create_preview({
        "subscription": sub.id, "subscription_details": {"items": [{"id": item, "quantity": 12}],
                                                         "proration_behavior": "always_invoice"}}))
    prorations = [(l.amount, l.parent.subscription_item_details.proration) for l in preview.lines.data]
    assert prorations == [(-1750, True), (3975, True)], prorations
    v1.subscriptions.update(sub.id, {"items": [{"id": item, "quantity": 12}], "proration_behavior": "always_invoice"})
    billed = v1.invoices.list({"subscription": sub.id, "limit": 1}).data[0]
    assert [l.amount for l in billed.lines.data] == [-1750, 3975] and billed.amount_paid == 2225
    # From a tiered price to one billed per unit and back.
    per_seat = v1.prices.create({"product": world["product"].id, "currency": "usd", "unit_amount": 500,
                                 "recurring": {"interval": "month"}})
    v1.subscriptions.update(sub.id, {"items": [{"id": item, "price": per_seat.id}], "proration_behavior": "none"})
    v1.test_helpers.test_clocks.advance(world["clock"].id, {"frozen_time": MAY1 + HOUR + 60})
    assert lines(v1.invoices.list({"subscription": sub.id, "limit": 1}).data[0]) == [
        ("12 × Fonts (at $5.00 / month)", 12, 6000)]


def test_a_one_time_tiered_price_bills_its_quantity_once(v1, world):
    setup = v1.prices.create({"product": world["product"].id, "currency": "usd", "billing_scheme": "tiered",
                              "tiers_mode": "volume", "tiers": [{"up_to": 10, "flat_amount": 5000},
                                                                {"up_to": "inf", "flat_amount": 9000}]})
    assert setup.type == "one_time"
    sub = v1.subscriptions.create({"customer": world["cus"].id, "items": [{"price": world["volume"].id}],
                                   "add_invoice_items": [{"price": setup.id, "quantity": 20}],
                                   "expand": ["latest_invoice"]})
    assert sorted(l[2] for l in lines(sub.latest_invoice)) == [700, 9000]


def test_a_schedule_phase_can_move_to_a_tiered_price(v1, world):
    flat = v1.prices.create({"product": world["product"].id, "currency": "usd", "unit_amount": 500,
                             "recurring": {"interval": "month"}})
    sched = v1.subscription_schedules.create({
        "customer": world["cus"].id, "start_date": APR1, "end_behavior": "release",
        "phases": [{"items": [{"price": flat.id, "quantity": 7}], "duration": {"interval": "month", "interval_count": 1}},
                   {"items": [{"price": world["volume"].id, "quantity": 7}]}]})
    v1.test_helpers.test_clocks.advance(world["clock"].id, {"frozen_time": MAY1 + HOUR + 60})
    inv = v1.invoices.list({"subscription": sched.subscription, "limit": 1}).data[0]
    assert lines(inv) == [("7 × Fonts (Tier 2 at $6.50 / month)", 7, 4550)]


def test_the_hosted_invoice_page_names_each_tier(v1, world):
    import requests
    sub = v1.subscriptions.create({"customer": world["cus"].id, "items": [{"price": world["base"].id, "quantity": 5}],
                                   "expand": ["latest_invoice"]})
    page = requests.get(sub.latest_invoice.hosted_invoice_url, timeout=10).text
    assert "3 × Fonts · tier 1" in page and "2 × Fonts · tier 2" in page, page[:3000]
    assert "0 × " not in page, "a flat amount bills no units"
    assert "Fonts · tier 1 (" in page


def test_an_invoice_embeds_its_first_ten_lines_and_pages_the_rest(v1, world):
    """As Stripe's: the invoice object carries the first lines, `has_more` says there are more,
    and `/v1/invoices/{id}/lines` pages through them all. A preview shows them all."""
    tiers = [{"up_to": n, "unit_amount": 100 * n} for n in range(1, 12)] + [{"up_to": "inf", "unit_amount": 50}]
    many = v1.prices.create({"product": world["product"].id, "currency": "usd", "billing_scheme": "tiered",
                             "tiers_mode": "graduated", "tiers": tiers, "recurring": {"interval": "month"}})
    sub = v1.subscriptions.create({"customer": world["cus"].id, "items": [{"price": many.id, "quantity": 12}],
                                   "expand": ["latest_invoice"]})
    inv = check(sub.latest_invoice)
    assert (len(inv.lines.data), inv.lines.has_more) == (10, True)
    every = [l.amount for l in v1.invoices.line_items.list(inv.id, {"limit": 5}).auto_paging_iter()]
    assert len(every) == 12 and sum(every) == inv.total == sum(100 * n for n in range(1, 12)) + 50
    retrieved = v1.invoices.retrieve(inv.id)
    assert (len(retrieved.lines.data), retrieved.lines.has_more) == (10, True)
    preview = v1.invoices.create_preview({"subscription": sub.id})
    assert (len(preview.lines.data), preview.lines.has_more) == (12, False)

"""`/v1/invoiceitems`: one-off charges and credits for a customer, pending until an invoice takes
them (the next subscription invoice, or a manual one that includes them), or added straight to a
draft, whose line then follows the item until the draft is finalized."""

import pytest
import stripe

from helpers import APR1, APR16, DAY, HOUR, MAY1, body_of, carded_customer, check, expect_error, sdk_shape

# The invoice item's fields, as stripe-python 15 (API version 2026-07-29.dahlia) types them: the
# published spec subsets do not carry the schema, so its shape is checked against these.
FIELDS = {
    "id", "object", "amount", "currency", "customer", "customer_account", "date", "description",
    "discountable", "discounts", "invoice", "livemode", "metadata", "net_amount", "parent",
    "period", "pricing", "proration", "proration_details", "quantity", "quantity_decimal",
    "tax_rates", "test_clock",
}


def item_shape(ii):
    body = sdk_shape(ii, FIELDS, "invoiceitem", "ii_")
    assert isinstance(body["amount"], int) and isinstance(body["date"], int)
    assert body["pricing"]["type"] == "price_details"
    assert set(body["period"]) == {"start", "end"}
    assert body["quantity_decimal"] == str(body["quantity"])
    assert (body["discounts"], body["tax_rates"], body["proration"]) == ([], [], False)
    return ii


@pytest.fixture
def world(v1):
    plan = v1.products.create({"name": "Plan"})
    kit = v1.products.create({"name": "Starter kit"})
    monthly = v1.prices.create({"product": plan.id, "currency": "usd", "unit_amount": 3000,
                                "recurring": {"interval": "month"}}).id
    kit_price = v1.prices.create({"product": kit.id, "currency": "usd", "unit_amount": 1200}).id
    clock = v1.test_helpers.test_clocks.create({"frozen_time": APR1})
    cus = carded_customer(v1, clock.id)
    return {"monthly": monthly, "kit": kit_price, "kit_product": kit.id, "clock": clock,
            "cus": cus, "plan": plan.id}


def item(v1, w, **params):
    return item_shape(v1.invoice_items.create({"customer": w["cus"].id, **params}))


def subscribe(v1, w, **extra):
    return check(v1.subscriptions.create({"customer": w["cus"].id,
                                          "items": [{"price": w["monthly"]}], **extra}))


def renew(v1, w, sub, at=MAY1 + HOUR):
    v1.test_helpers.test_clocks.advance(w["clock"].id, {"frozen_time": at})
    return check(v1.invoices.retrieve(v1.subscriptions.retrieve(sub.id).latest_invoice))


def test_an_amount_is_pending_until_an_invoice_takes_it(v1, world):
    ii = item(v1, world, amount=1500, currency="usd", description="Setup fee",
              metadata={"order": "42"})
    assert (ii.amount, ii.currency, ii.quantity, ii.description) == (1500, "usd", 1, "Setup fee")
    assert (ii.invoice, ii.parent, ii.customer, ii.test_clock) == (None, None, world["cus"].id, world["clock"].id)
    assert (ii.date, ii.period.start, ii.period.end) == (APR1, APR1, APR1), "made at the clock's time"
    assert ii.discountable is True and ii.net_amount is None
    assert str(ii.pricing.unit_amount_decimal) == "1500" and "price_details" not in body_of(ii)["pricing"]
    assert ii.metadata.to_dict() == {"order": "42"}
    assert body_of(v1.invoice_items.retrieve(ii.id)) == body_of(ii)
    # Nothing to expand where an amount names no price, and no error either.
    expanded = v1.invoice_items.retrieve(ii.id, {"expand": ["pricing.price_details.price"]})
    assert body_of(expanded) == body_of(ii)
    # No tax rates to clear, and clearing them is no error.
    assert v1.invoice_items.update(ii.id, {"tax_rates": ""}).amount == 1500
    created = v1.events.list({"type": "invoiceitem.created"}).data
    assert [e.data.object.id for e in created] == [ii.id]

    listed = v1.invoice_items.list({"customer": world["cus"].id, "pending": True})
    assert [x.id for x in listed.data] == [ii.id] and listed.url == "/v1/invoiceitems"
    assert v1.invoice_items.list({"pending": False}).data == []


def test_a_price_bills_its_quantity_and_names_the_item(v1, world):
    ii = item(v1, world, pricing={"price": world["kit"]}, quantity=3)
    assert (ii.amount, ii.quantity, ii.currency, ii.description) == (3600, 3, "usd", "Starter kit")
    assert ii.pricing.price_details.price == world["kit"]
    assert ii.pricing.price_details.product == world["kit_product"]
    assert str(ii.pricing.unit_amount_decimal) == "1200"
    expanded = v1.invoice_items.retrieve(ii.id, {"expand": ["pricing.price_details.price", "customer"]})
    assert expanded.pricing.price_details.price.unit_amount == 1200
    assert expanded.customer.id == world["cus"].id

    inline = item(v1, world, price_data={"currency": "usd", "product": world["kit_product"],
                                         "unit_amount": 250}, quantity=4, description="Stickers")
    assert (inline.amount, inline.description) == (1000, "Stickers")
    made = v1.prices.retrieve(inline.pricing.price_details.price)
    assert (made.unit_amount, made.active) == (250, False), "made for the item, out of the catalogue"

    per_unit = item(v1, world, unit_amount_decimal="125", quantity=8, currency="usd")
    assert (per_unit.amount, str(per_unit.pricing.unit_amount_decimal)) == (1000, "125")


def test_a_credit_takes_no_discount_unless_asked(v1, world):
    credit = item(v1, world, amount=-700, currency="usd", description="Goodwill credit")
    assert (credit.amount, credit.discountable, credit.net_amount) == (-700, False, -700)
    negative_units = item(v1, world, unit_amount_decimal="-50", quantity=2, currency="usd")
    assert negative_units.amount == -100
    opted_in = item(v1, world, amount=-100, currency="usd", discountable=True)
    assert opted_in.discountable is True
    assert item(v1, world, amount=0, currency="usd").discountable is True, "only credits opt out"


@pytest.mark.parametrize("params,param", [
    ({}, "amount"),
    ({"amount": 100, "currency": "usd", "unit_amount_decimal": "5"}, "unit_amount_decimal"),
    ({"amount": 100, "currency": "usd", "quantity": 2}, "quantity"),
    ({"amount": 100_000_000, "currency": "usd"}, "amount"),
    ({"amount": -9223372036854775808, "currency": "usd"}, "amount"),
    # What the units come to is held to the same limit as an amount.
    ({"unit_amount_decimal": "99999999", "quantity": 1_000_000, "currency": "usd"}, "quantity"),
    ({"price_data": {"currency": "usd", "product": "KIT_PRODUCT", "unit_amount": 99_999_999}, "quantity": 2}, "quantity"),
    ({"amount": 100, "currency": "usd", "period": {"start": -1, "end": 5}}, "period[start]"),
    ({"amount": 100, "currency": "usd", "period": {"start": "soon", "end": 5}}, "period[start]"),
    ({"amount": 100, "currency": "usd", "period": {"start": 5}}, "period[end]"),
    ({"unit_amount_decimal": "1.5", "currency": "usd"}, "unit_amount_decimal"),
    ({"pricing": {"price": "price_nope"}}, "pricing[price]"),
    ({"pricing": {"price": "KIT"}, "currency": "eur"}, "currency"),
    ({"pricing": {"price": "MONTHLY"}}, "pricing[price]"),
    ({"pricing": {"price": "KIT"}, "quantity": -1}, "quantity"),
    ({"price_data": {"currency": "usd", "product": "prod_nope", "unit_amount": 5}}, "price_data[product]"),
    ({"amount": 100, "currency": "usd", "period": {"start": APR16, "end": APR1}}, "period[end]"),
    ({"amount": 100, "currency": "usd", "subscription": "sub_nope"}, "subscription"),
    ({"amount": 100, "currency": "usd", "invoice": "in_nope"}, "invoice"),
    ({"amount": 100, "currency": "usd", "tax_rates": ["txr_1"]}, "tax_rates"),
    ({"amount": 100, "currency": "usd", "quantity_decimal": "1.5"}, "quantity_decimal"),
    ({"amount": 100, "currency": "usd", "discounts": [{"coupon": "c"}]}, "discounts"),
])
def test_refusals_name_the_parameter(v1, world, params, param):
    fill = {"KIT": world["kit"], "MONTHLY": world["monthly"]}
    if params.get("price_data", {}).get("product") == "KIT_PRODUCT":
        params = {**params, "price_data": {**params["price_data"], "product": world["kit_product"]}}
    if "pricing" in params:
        params = {**params, "pricing": {"price": fill.get(params["pricing"]["price"], params["pricing"]["price"])}}
    expect_error(lambda: v1.invoice_items.create({"customer": world["cus"].id, **params}), param=param)
    assert v1.invoice_items.list({"customer": world["cus"].id}).data == [], "nothing was made"


def test_a_customer_is_required_and_must_exist(v1, world):
    expect_error(lambda: v1.invoice_items.create({"amount": 100, "currency": "usd"}),
                 param="customer", code="parameter_missing")
    expect_error(lambda: v1.invoice_items.create({"customer": "cus_nope", "amount": 1, "currency": "usd"}),
                 param="customer", code="resource_missing")
    # With no currency of the customer's, the account's; the customer keeps it from then on.
    other = v1.customers.create({"email": "o@example.com"})
    assert item_shape(v1.invoice_items.create({"customer": other.id, "amount": 100})).currency == "usd"
    assert v1.customers.retrieve(other.id).currency == "usd"
    euro = v1.customers.create({"email": "e@example.com"})
    item_shape(v1.invoice_items.create({"customer": euro.id, "amount": 100, "currency": "eur"}))
    assert v1.customers.retrieve(euro.id).currency == "eur"
    assert check(v1.invoices.create({"customer": euro.id})).currency == "eur"


def test_the_renewal_takes_pending_items_first(v1, world):
    sub = subscribe(v1, world)
    v1.test_helpers.test_clocks.advance(world["clock"].id, {"frozen_time": APR16})
    fee = item(v1, world, amount=1500, currency="usd", description="Setup fee")
    kits = item(v1, world, pricing={"price": world["kit"]}, quantity=2, subscription=sub.id)
    euros = item(v1, world, amount=900, currency="eur")
    assert kits.parent.type == "subscription_details"
    assert kits.parent.subscription_details.subscription == sub.id

    upcoming = check(v1.invoices.create_preview({"subscription": sub.id}))
    assert [l.amount for l in upcoming.lines.data] == [2400, 1500, 3000], "the preview shows them"

    inv = renew(v1, world, sub)
    assert (inv.status, inv.total, inv.amount_paid) == ("paid", 6900, 6900)
    kit_line, fee_line, plan_line = inv.lines.data
    assert (kit_line.amount, kit_line.quantity, kit_line.description) == (2400, 2, "Starter kit")
    assert body_of(kit_line)["quantity_decimal"] == "2"
    assert (fee_line.amount, fee_line.description) == (1500, "Setup fee")
    assert fee_line.parent.type == "invoice_item_details"
    assert fee_line.parent.invoice_item_details.invoice_item == fee.id
    assert kit_line.parent.invoice_item_details.invoice_item == kits.id
    assert str(fee_line.pricing.unit_amount_decimal) == "1500" and "price_details" not in body_of(fee_line)["pricing"]
    assert (fee_line.period.start, fee_line.period.end) == (APR16, APR16)
    assert plan_line.parent.type == "subscription_item_details"

    taken = v1.invoice_items.retrieve(fee.id)
    assert taken.invoice == inv.id
    assert [x.id for x in v1.invoice_items.list({"invoice": inv.id}).data] == [kits.id, fee.id]
    pending = v1.invoice_items.list({"customer": world["cus"].id, "pending": True}).data
    assert [x.id for x in pending] == [euros.id], "another currency waits for an invoice in it"
    # Billed once: the next renewal bills the plan alone.
    later = renew(v1, world, sub, at=MAY1 + 31 * DAY + HOUR)
    assert [l.amount for l in later.lines.data] == [3000]
    # Taken by an invoice no longer a draft, an item can no longer change.
    expect_error(lambda: v1.invoice_items.update(fee.id, {"amount": 1}), message="no longer editable", code="invoice_not_editable")
    expect_error(lambda: v1.invoice_items.delete(fee.id), message="no longer editable", code="invoice_not_editable")


def test_an_item_for_one_subscription_waits_for_its_invoice(v1, world):
    a = subscribe(v1, world)
    other_price = v1.prices.create({"product": world["plan"], "currency": "usd", "unit_amount": 500,
                                    "recurring": {"interval": "month"}}).id
    v1.test_helpers.test_clocks.advance(world["clock"].id, {"frozen_time": APR16})
    b = subscribe(v1, world, items=[{"price": other_price}])
    for_a = item(v1, world, amount=400, currency="usd", subscription=a.id)
    # b's invoices (its first one was made before; an immediate change makes another) skip it.
    v1.subscriptions.update(b.id, {"items": [{"id": b["items"].data[0].id, "quantity": 2}],
                                   "proration_behavior": "always_invoice"})
    assert v1.invoice_items.retrieve(for_a.id).invoice is None
    inv = renew(v1, world, a)
    assert inv.lines.data[0].parent.invoice_item_details.invoice_item == for_a.id


def test_a_new_subscription_takes_pending_items_on_its_first_invoice(v1, world):
    fee = item(v1, world, amount=2500, currency="usd", description="Onboarding")
    sub = subscribe(v1, world)
    inv = check(v1.invoices.retrieve(sub.latest_invoice))
    assert (inv.status, inv.total) == ("paid", 5500)
    assert [l.description for l in inv.lines.data][0] == "Onboarding"
    assert v1.invoice_items.retrieve(fee.id).invoice == inv.id


def test_a_manual_invoice_takes_them_only_when_told(v1, world):
    fee = item(v1, world, amount=1500, currency="usd", description="Consulting")
    empty = check(v1.invoices.create({"customer": world["cus"].id}))
    assert empty.lines.data == [], "`exclude` is the default"
    inv = check(v1.invoices.create({"customer": world["cus"].id, "pending_invoice_items_behavior": "include"}))
    assert [l.amount for l in inv.lines.data] == [1500] and inv.total == 1500
    assert inv.lines.data[0].parent.invoice_item_details.invoice_item == fee.id
    assert v1.invoice_items.retrieve(fee.id).invoice == inv.id
    # Deleting the draft makes the item pending again, for the next invoice.
    v1.invoices.delete(inv.id)
    assert v1.invoice_items.retrieve(fee.id).invoice is None
    again = check(v1.invoices.create({"customer": world["cus"].id, "pending_invoice_items_behavior": "include"}))
    assert [l.amount for l in again.lines.data] == [1500]
    paid = check(v1.invoices.pay(v1.invoices.finalize_invoice(again.id).id))
    assert (paid.status, paid.amount_paid) == ("paid", 1500)


def test_a_manual_invoice_for_a_subscription_takes_only_its_items(v1, world):
    sub = subscribe(v1, world)
    mine = item(v1, world, amount=300, currency="usd", subscription=sub.id)
    loose = item(v1, world, amount=200, currency="usd")
    inv = check(v1.invoices.create({"customer": world["cus"].id, "subscription": sub.id,
                                    "pending_invoice_items_behavior": "include"}))
    assert [l.parent.invoice_item_details.invoice_item for l in inv.lines.data] == [mine.id]
    assert v1.invoice_items.retrieve(loose.id).invoice is None


def test_an_item_added_to_a_draft_follows_it(v1, world):
    draft = check(v1.invoices.create({"customer": world["cus"].id, "currency": "usd", "description": "Workshop"}))
    first = item(v1, world, amount=5000, currency="usd", description="Workshop day", invoice=draft.id)
    second = item(v1, world, pricing={"price": world["kit"]}, quantity=2, invoice=draft.id)
    assert first.invoice == draft.id
    inv = check(v1.invoices.retrieve(draft.id))
    assert [l.amount for l in inv.lines.data] == [5000, 2400] and inv.total == 7400
    assert "invoice.updated" in [e.type for e in v1.events.list({"limit": 5}).data]

    changed = item_shape(v1.invoice_items.update(second.id, {"quantity": 5, "metadata": {"size": "L"}}))
    assert (changed.amount, changed.quantity, changed.description) == (6000, 5, "Starter kit")
    inv = check(v1.invoices.retrieve(draft.id))
    assert [l.amount for l in inv.lines.data] == [5000, 6000] and inv.total == 11000
    assert inv.lines.data[1].metadata.to_dict() == {"size": "L"}
    renamed = v1.invoice_items.update(first.id, {"description": "Workshop (two days)", "amount": 9000})
    assert (renamed.amount, renamed.description) == (9000, "Workshop (two days)")

    gone = v1.invoice_items.delete(first.id)
    assert body_of(gone) == {"id": first.id, "object": "invoiceitem", "deleted": True}
    assert "invoiceitem.deleted" in [e.type for e in v1.events.list({"limit": 5}).data]
    expect_error(lambda: v1.invoice_items.retrieve(first.id), status=404, code="resource_missing")
    inv = check(v1.invoices.retrieve(draft.id))
    assert [l.amount for l in inv.lines.data] == [6000] and inv.total == 6000

    opened = check(v1.invoices.finalize_invoice(draft.id))
    assert opened.amount_due == 6000
    expect_error(lambda: item(v1, world, amount=1, currency="usd", invoice=draft.id), param="invoice",
                 message="draft", code="invoice_not_editable")
    expect_error(lambda: v1.invoice_items.update(second.id, {"quantity": 1}), message="no longer editable",
                 code="invoice_not_editable")


def test_a_draft_of_someone_else_or_in_another_currency_is_refused(v1, world):
    other = v1.customers.create({"email": "x@example.com"})
    theirs = check(v1.invoices.create({"customer": other.id, "currency": "usd"}))
    expect_error(lambda: item(v1, world, amount=1, currency="usd", invoice=theirs.id),
                 param="invoice", message="another customer")
    euro = check(v1.invoices.create({"customer": world["cus"].id, "currency": "eur"}))
    expect_error(lambda: item(v1, world, amount=1, currency="usd", invoice=euro.id),
                 param="invoice", message="eur")


def test_an_item_added_during_the_renewals_hour_is_billed_and_discounted(v1, world):
    coupon = v1.coupons.create({"percent_off": 50, "duration": "forever"})
    sub = subscribe(v1, world, discounts=[{"coupon": coupon.id}])
    v1.test_helpers.test_clocks.advance(world["clock"].id, {"frozen_time": MAY1 + 60})
    draft = check(v1.invoices.retrieve(v1.subscriptions.retrieve(sub.id).latest_invoice))
    assert draft.status == "draft" and draft.total == 1500
    # What an `invoice.created` webhook handler does: add usage to the renewal's draft.
    extra = item(v1, world, amount=1000, currency="usd", description="Overage", invoice=draft.id)
    credit = item(v1, world, amount=-200, currency="usd", description="Credit", invoice=draft.id)
    inv = check(v1.invoices.retrieve(draft.id))
    assert [(l.amount, sum(d.amount for d in l.discount_amounts)) for l in inv.lines.data] == [
        (3000, 1500), (1000, 500), (-200, 0)]
    assert inv.total == 1500 + 500 - 200
    v1.test_helpers.test_clocks.advance(world["clock"].id, {"frozen_time": MAY1 + HOUR + 60})
    paid = check(v1.invoices.retrieve(draft.id))
    assert (paid.status, paid.amount_paid) == ("paid", 1800)
    assert {v1.invoice_items.retrieve(i.id).invoice for i in (extra, credit)} == {draft.id}


def test_cancelling_with_invoice_now_bills_the_subscriptions_items(v1, world):
    sub = subscribe(v1, world)
    mine = item(v1, world, amount=800, currency="usd", subscription=sub.id)
    loose = item(v1, world, amount=100, currency="usd")
    canceled = v1.subscriptions.cancel(sub.id, {"invoice_now": True})
    final = check(v1.invoices.retrieve(canceled.latest_invoice))
    assert [l.amount for l in final.lines.data] == [800]
    assert v1.invoice_items.retrieve(mine.id).invoice == final.id
    assert v1.invoice_items.retrieve(loose.id).invoice is None
    # An ended subscription takes no more items.
    expect_error(lambda: item(v1, world, amount=1, currency="usd", subscription=sub.id), param="subscription")


def test_an_item_for_a_subscription_is_in_its_currency(v1, world):
    sub = subscribe(v1, world)
    expect_error(lambda: item(v1, world, amount=300, currency="eur", subscription=sub.id),
                 param="currency", message="billed in usd")
    assert item(v1, world, amount=300, subscription=sub.id).currency == "usd"


def test_updates_reprice_and_check(v1, world):
    ii = item(v1, world, pricing={"price": world["kit"]})
    assert v1.invoice_items.update(ii.id, {"quantity": 3}).amount == 3600
    as_amount = v1.invoice_items.update(ii.id, {"amount": 999})
    assert (as_amount.amount, as_amount.quantity, str(as_amount.pricing.unit_amount_decimal)) == (999, 1, "999")
    assert "price_details" not in body_of(as_amount)["pricing"]
    expect_error(lambda: v1.invoice_items.update(ii.id, {"quantity": 2}), param="quantity")
    units = v1.invoice_items.update(ii.id, {"unit_amount_decimal": "10", "quantity": 7})
    assert units.amount == 70
    assert v1.invoice_items.update(ii.id, {"quantity": 9}).amount == 90
    expect_error(lambda: v1.invoice_items.update(ii.id, {"period": {"start": APR16, "end": APR1}}),
                 param="period[end]")
    cleared = v1.invoice_items.update(ii.id, {"description": "", "discountable": False,
                                              "period": {"start": APR1, "end": APR16}})
    assert (cleared.description, cleared.discountable, cleared.period.end) == (None, False, APR16)
    expect_error(lambda: v1.invoice_items.update("ii_nope", {"amount": 1}), status=404)


def test_lists_page_and_filter(v1, world):
    made = [item(v1, world, amount=100 + i, currency="usd").id for i in range(5)]
    page = v1.invoice_items.list({"customer": world["cus"].id, "limit": 2})
    assert [x.id for x in page.data] == made[::-1][:2] and page.has_more
    rest = v1.invoice_items.list({"customer": world["cus"].id, "starting_after": page.data[-1].id})
    assert [x.id for x in rest.data] == made[::-1][2:]
    stranger = v1.customers.create({"email": "s@example.com"})
    assert v1.invoice_items.list({"customer": stranger.id}).data == []
    assert len(v1.invoice_items.list({"created": {"gte": APR1}}).data) == 5
    expect_error(lambda: v1.invoice_items.list({"starting_after": "ii_nope"}), param="starting_after")


def test_accounts_are_isolated(v1, world, portico_url):
    from helpers import make_client, new_key
    ii = item(v1, world, amount=100, currency="usd")
    stranger = make_client(portico_url, new_key()).v1
    expect_error(lambda: stranger.invoice_items.retrieve(ii.id), status=404)
    assert stranger.invoice_items.list().data == []


def test_deleting_a_draft_deletes_the_items_made_for_it(v1, world):
    took = item(v1, world, amount=700, currency="usd", description="Pending before")
    draft = check(v1.invoices.create({"customer": world["cus"].id, "pending_invoice_items_behavior": "include"}))
    made = item(v1, world, amount=300, description="Made for the draft", invoice=draft.id)
    assert made.currency == "usd", "the draft's currency"
    assert check(v1.invoices.retrieve(draft.id)).total == 1000
    v1.invoices.delete(draft.id)
    assert v1.invoice_items.retrieve(took.id).invoice is None, "pending again"
    expect_error(lambda: v1.invoice_items.retrieve(made.id), status=404)
    deleted = [e.data.object.id for e in v1.events.list({"type": "invoiceitem.deleted"}).data]
    assert deleted == [made.id]
    assert [x.id for x in v1.invoice_items.list({"customer": world["cus"].id}).data] == [took.id]


def test_a_description_taken_from_a_price_follows_a_new_price(v1, world):
    other = v1.prices.create({"product": v1.products.create({"name": "Mug"}).id,
                              "currency": "usd", "unit_amount": 900}).id
    named = item(v1, world, pricing={"price": world["kit"]})
    assert named.description == "Starter kit"
    moved = v1.invoice_items.update(named.id, {"pricing": {"price": other}})
    assert (moved.description, moved.amount) == ("Mug", 900)
    own = item(v1, world, pricing={"price": world["kit"]}, description="Welcome pack")
    kept = v1.invoice_items.update(own.id, {"pricing": {"price": other}})
    assert kept.description == "Welcome pack"
    # A price archived since still prices a new quantity of an item it priced.
    v1.prices.update(other, {"active": False})
    assert v1.invoice_items.update(kept.id, {"quantity": 2}).amount == 1800
    expect_error(lambda: item(v1, world, pricing={"price": other}), param="pricing[price]",
                 message="not active")


def test_pending_prorations_are_listed_as_the_invoice_items_they_are(v1, world):
    pro = v1.prices.create({"product": world["plan"], "currency": "usd", "unit_amount": 6000,
                            "recurring": {"interval": "month"}}).id
    sub = subscribe(v1, world)
    v1.test_helpers.test_clocks.advance(world["clock"].id, {"frozen_time": APR16})
    fee = item(v1, world, amount=100, currency="usd", description="Fee")
    v1.subscriptions.update(sub.id, {"items": [{"id": sub["items"].data[0].id, "price": pro}],
                                     "proration_behavior": "create_prorations"})
    listed = v1.invoice_items.list({"customer": world["cus"].id, "pending": True}).data
    prorations = [x for x in listed if x.proration]
    assert sorted(x.amount for x in prorations) == [-1500, 3000]
    assert {x.id for x in listed} == {fee.id} | {x.id for x in prorations}
    for x in prorations:
        item_shape_proration(x, sub)
    one = prorations[0]
    assert body_of(v1.invoice_items.retrieve(one.id)) == body_of(one)
    expect_error(lambda: v1.invoice_items.update(one.id, {"metadata": {"a": "b"}}), message="pending proration")
    # Unfiltered, the account's list has them too, pending or not asked.
    assert [x.id for x in v1.invoice_items.list().data] == [x.id for x in listed]
    assert [x.id for x in v1.invoice_items.list({"pending": True}).data] == [x.id for x in listed]
    assert v1.invoice_items.list({"pending": False}).data == []
    since = v1.invoice_items.list({"created": {"gte": APR16}}).data
    assert [x.id for x in since] == [x.id for x in listed]
    assert v1.invoice_items.list({"created": {"lt": APR16}}).data == []
    # Paging over stored items and prorations alike.
    first = v1.invoice_items.list({"customer": world["cus"].id, "limit": 2})
    rest = v1.invoice_items.list({"customer": world["cus"].id, "limit": 2, "starting_after": first.data[-1].id})
    assert first.has_more and not rest.has_more
    assert [x.id for x in first.data + rest.data] == [x.id for x in listed]

    inv = renew(v1, world, sub)
    billed = {l.parent.subscription_item_details.invoice_item for l in inv.lines.data if l.parent.subscription_item_details}
    assert {x.id for x in prorations} <= billed, "the invoice's proration lines name them"
    # Billed, they are the invoice's items, with the invoice named.
    on_invoice = v1.invoice_items.list({"invoice": inv.id}).data
    assert {x.id for x in on_invoice} == {fee.id} | {x.id for x in prorations}
    assert all(x.invoice == inv.id for x in on_invoice)
    assert v1.invoice_items.list({"invoice": inv.id, "pending": True}).data == []
    assert v1.invoice_items.list({"customer": world["cus"].id, "pending": True}).data == []
    # Found by id and in the customer's list as the items they are, each once, now invoiced.
    again = v1.invoice_items.retrieve(one.id)
    assert (again.invoice, again.proration, again.amount) == (inv.id, True, one.amount)
    assert body_of(again) == body_of(next(x for x in on_invoice if x.id == one.id))
    invoiced = v1.invoice_items.list({"customer": world["cus"].id, "pending": False}).data
    assert sorted(x.id for x in invoiced) == sorted(x.id for x in on_invoice)
    everything = v1.invoice_items.list({"customer": world["cus"].id}).data
    assert sorted(x.id for x in everything) == sorted(x.id for x in on_invoice)
    assert [x.id for x in v1.invoice_items.list().data] == [x.id for x in everything]


def item_shape_proration(x, sub):
    body = sdk_shape(x, FIELDS, "invoiceitem", "ii_")
    assert (body["proration"], body["discountable"], body["invoice"]) == (True, False, None)
    assert body["parent"]["subscription_details"]["subscription"] == sub.id
    assert body["parent"]["subscription_details"]["subscription_item"] == sub["items"].data[0].id
    assert body["pricing"]["price_details"]["price"]
    assert body["date"] == APR16 and body["period"] == {"start": APR16, "end": MAY1}


def test_a_billed_proration_shows_the_discounts_its_invoice_gave_it(v1, world):
    coupon = v1.coupons.create({"percent_off": 50, "duration": "forever"})
    pro = v1.prices.create({"product": world["plan"], "currency": "usd", "unit_amount": 6000,
                            "recurring": {"interval": "month"}}).id
    sub = subscribe(v1, world, discounts=[{"coupon": coupon.id}])
    v1.test_helpers.test_clocks.advance(world["clock"].id, {"frozen_time": APR16})
    v1.subscriptions.update(sub.id, {"items": [{"id": sub["items"].data[0].id, "price": pro}],
                                     "proration_behavior": "always_invoice"})
    inv = check(v1.invoices.retrieve(v1.subscriptions.retrieve(sub.id).latest_invoice))
    items = v1.invoice_items.list({"invoice": inv.id}).data
    assert sorted(x.amount for x in items) == [-1500, 3000]
    for x in items:
        line = next(l for l in inv.lines.data if l.parent.subscription_item_details.invoice_item == x.id)
        assert [d.amount for d in x.proration_details.discount_amounts] == [d.amount for d in line.discount_amounts]
        assert x.proration_details.discount_amounts[0].amount == x.amount // 2
        assert x.net_amount == x.amount - x.proration_details.discount_amounts[0].amount


def upgraded(v1, w):
    """A subscription moved on APR16 from 30.00 to 60.00 a month, with its two pending
    prorations (a credit of 15.00 and a debit of 30.00), credit first."""
    pro = v1.prices.create({"product": w["plan"], "currency": "usd", "unit_amount": 6000,
                            "recurring": {"interval": "month"}}).id
    sub = subscribe(v1, w)
    v1.test_helpers.test_clocks.advance(w["clock"].id, {"frozen_time": APR16})
    v1.subscriptions.update(sub.id, {"items": [{"id": sub["items"].data[0].id, "price": pro}],
                                     "proration_behavior": "create_prorations"})
    pending = v1.invoice_items.list({"customer": w["cus"].id, "pending": True}).data
    return sub, sorted(pending, key=lambda x: x.amount)


def test_deleting_a_pending_proration_waives_it(v1, world):
    sub, prorations = upgraded(v1, world)
    debit = next(x for x in prorations if x.amount > 0)
    gone = v1.invoice_items.delete(debit.id)
    assert body_of(gone) == {"id": debit.id, "object": "invoiceitem", "deleted": True}
    deleted = v1.events.list({"type": "invoiceitem.deleted"}).data
    assert [e.data.object.id for e in deleted] == [debit.id]
    assert [x.amount for x in v1.invoice_items.list({"customer": world["cus"].id}).data] == [-1500]
    expect_error(lambda: v1.invoice_items.retrieve(debit.id), status=404)
    expect_error(lambda: v1.invoice_items.delete(debit.id), status=404)
    # The renewal bills the credit alone, and the new price.
    inv = renew(v1, world, sub)
    assert sorted(l.amount for l in inv.lines.data) == [-1500, 6000]


def proration_draft(v1, w):
    """A manual draft billing an upgrade's two prorations (a credit and a debit) on APR16."""
    sub, pending = upgraded(v1, w)
    draft = check(v1.invoices.create({"customer": w["cus"].id, "subscription": sub.id,
                                      "pending_invoice_items_behavior": "include"}))
    assert draft.status == "draft" and sorted(l.amount for l in draft.lines.data) == [-1500, 3000]
    return sub, draft, pending


def test_a_billed_proration_is_the_item_its_invoice_line_names(v1, world):
    sub, draft, (credit, debit) = proration_draft(v1, world)
    for x in (credit, debit):
        got = v1.invoice_items.retrieve(x.id)
        line = next(l for l in draft.lines.data
                    if l.parent.subscription_item_details.invoice_item == x.id)
        assert (got.invoice, got.amount, got.proration, got.parent.subscription_details.subscription) == \
            (draft.id, line.amount, True, sub.id)
        # As pending, but now on the invoice: same item.
        was, now = body_of(x), body_of(got)
        assert {k for k in was if was[k] != now[k]} == {"invoice"}
    listed = v1.invoice_items.list({"invoice": draft.id}).data
    assert sorted(x.id for x in listed) == sorted([credit.id, debit.id]), "each once"
    # Each announced once, when it was made.
    made = [e.data.object.id for e in v1.events.list({"type": "invoiceitem.created"}).data]
    assert sorted(made) == sorted([credit.id, debit.id])
    # Finalized and paid, it stays found, naming its invoice.
    paid = v1.invoices.pay(draft.id)
    assert paid.status == "paid"
    assert v1.invoice_items.retrieve(debit.id).invoice == draft.id
    expect_error(lambda: v1.invoice_items.update(debit.id, {"metadata": {"a": "b"}}),
                 code="invoice_not_editable")
    expect_error(lambda: v1.invoice_items.delete(debit.id), code="invoice_not_editable")


def test_a_billed_proration_on_a_draft_takes_a_description_and_metadata_only(v1, world):
    sub, draft, (credit, debit) = proration_draft(v1, world)
    got = v1.invoice_items.update(debit.id, {"description": "Upgrade to Pro",
                                             "metadata": {"ticket": "T-7"}})
    assert (got.description, got.metadata.to_dict(), got.amount, got.proration) == \
        ("Upgrade to Pro", {"ticket": "T-7"}, 3000, True)
    assert body_of(v1.invoice_items.retrieve(debit.id)) == body_of(got)
    line = next(l for l in v1.invoices.retrieve(draft.id).lines.data
                if l.parent.subscription_item_details.invoice_item == debit.id)
    assert (line.description, line.metadata.to_dict(), line.parent.subscription_item_details.proration) == \
        ("Upgrade to Pro", {"ticket": "T-7"}, True)
    for params, param in [({"amount": 10}, "amount"), ({"quantity": 2}, "quantity"),
                          ({"discountable": True}, "discountable"),
                          ({"unit_amount_decimal": "5"}, "unit_amount_decimal"),
                          ({"period": {"start": APR1, "end": APR16}}, "period")]:
        expect_error(lambda: v1.invoice_items.update(debit.id, params), param=param,
                     message="proration")
    assert v1.invoice_items.retrieve(debit.id).amount == 3000, "nothing changed"


def test_deleting_a_billed_proration_takes_it_off_its_draft(v1, world):
    sub, draft, (credit, debit) = proration_draft(v1, world)
    gone = v1.invoice_items.delete(debit.id)
    assert body_of(gone) == {"id": debit.id, "object": "invoiceitem", "deleted": True}
    assert [e.data.object.id for e in v1.events.list({"type": "invoiceitem.deleted"}).data] == [debit.id]
    inv = check(v1.invoices.retrieve(draft.id))
    assert [l.amount for l in inv.lines.data] == [-1500] and inv.total == -1500
    expect_error(lambda: v1.invoice_items.retrieve(debit.id), status=404)
    assert [x.id for x in v1.invoice_items.list({"customer": world["cus"].id}).data] == [credit.id]
    # Deleting the draft now gives back only the credit.
    v1.invoices.delete(draft.id)
    pending = v1.invoice_items.list({"customer": world["cus"].id, "pending": True}).data
    assert [(x.id, x.invoice) for x in pending] == [(credit.id, None)]


def test_a_deleted_drafts_prorations_are_pending_again_and_billed_anew(v1, world):
    sub, draft, (credit, debit) = proration_draft(v1, world)
    v1.invoices.delete(draft.id)
    for x in (credit, debit):
        assert body_of(v1.invoice_items.retrieve(x.id)) == body_of(x), "pending, as before"
    listed = v1.invoice_items.list({"customer": world["cus"].id}).data
    assert sorted(x.id for x in listed) == sorted([credit.id, debit.id]), "each once"
    assert all(x.invoice is None for x in listed)
    assert v1.invoice_items.list({"invoice": draft.id}).data == []
    # Waived while pending again, then the renewal bills what is left.
    v1.invoice_items.delete(credit.id)
    inv = renew(v1, world, sub)
    assert v1.invoice_items.retrieve(debit.id).invoice == inv.id
    expect_error(lambda: v1.invoice_items.retrieve(credit.id), status=404)
    made = [e.data.object.id for e in v1.events.list({"type": "invoiceitem.created"}).data]
    assert sorted(made) == sorted([credit.id, debit.id]), "announced once, when made"


def test_a_pending_proration_shows_what_its_discounts_take_off_as_made(v1, world):
    # Stripe's `proration_details.discount_amounts`: the discounts applied when the proration was
    # made; the invoice that bills it later applies the same.
    half = v1.coupons.create({"percent_off": 50, "duration": "forever"})
    sub = subscribe(v1, world, discounts=[{"coupon": half.id}])
    v1.test_helpers.test_clocks.advance(world["clock"].id, {"frozen_time": APR16})
    v1.subscriptions.update(sub.id, {"items": [{"id": sub["items"].data[0].id, "quantity": 3}],
                                     "proration_behavior": "create_prorations"})
    discount = v1.subscriptions.retrieve(sub.id).discounts[0]
    pending = sorted(v1.invoice_items.list({"customer": world["cus"].id, "pending": True}).data,
                     key=lambda x: x.amount)
    assert [x.amount for x in pending] == [-1500, 4500]
    for x in pending:
        amounts = x.proration_details.discount_amounts
        assert [(d.amount, d.discount) for d in amounts] == [(x.amount // 2, discount)]
        assert x.net_amount == x.amount - x.amount // 2 and x.discountable is False
        assert body_of(v1.invoice_items.retrieve(x.id)) == body_of(x)
    made = {e.data.object.id: e.data.object for e in v1.events.list({"type": "invoiceitem.created"}).data}
    for x in pending:
        assert made[x.id].to_dict() == x.to_dict(), "announced as listed"
    # The coupon taken off the subscription: the prorations keep it, and so does their invoice.
    v1.subscriptions.update(sub.id, {"discounts": ""})
    inv = renew(v1, world, sub)
    for x in pending:
        billed = v1.invoice_items.retrieve(x.id)
        assert billed.invoice == inv.id
        assert [d.amount for d in billed.proration_details.discount_amounts] == \
            [d.amount for d in x.proration_details.discount_amounts]


def test_deleting_a_full_draft_gives_back_every_item_and_proration(v1, world):
    # A draft can hold 250 items of its own besides the prorations it takes: deleting it gives
    # every one back, each to where it came from.
    sub, (credit, debit) = upgraded(v1, world)
    fees = [v1.invoice_items.create({"customer": world["cus"].id, "amount": 100 + i, "currency": "usd"}).id
            for i in range(249)]
    draft = v1.invoices.create({"customer": world["cus"].id, "pending_invoice_items_behavior": "include"})
    on_draft = [x.id for x in v1.invoice_items.list({"invoice": draft.id, "limit": 100}).auto_paging_iter()]
    assert sorted(on_draft) == sorted(fees + [credit.id, debit.id])
    v1.invoices.delete(draft.id)
    pending = [x for x in v1.invoice_items.list({"customer": world["cus"].id, "pending": True,
                                                 "limit": 100}).auto_paging_iter()]
    assert sorted(x.id for x in pending) == sorted(fees + [credit.id, debit.id])
    assert all(x.invoice is None for x in pending)
    # The subscription holds its two prorations again, and no fee.
    inv = renew(v1, world, sub)
    assert len(inv.lines.data) == 10 and inv.lines.has_more, "the fees and prorations billed"
    billed = [l.parent for l in inv.lines.auto_paging_iter()]
    assert sum(1 for p in billed if p.subscription_item_details and p.subscription_item_details.proration) == 2


def test_a_credit_proration_names_the_debit_it_gives_back(v1, world):
    # Stripe's `proration_details.credited_items`: a credit names the invoice lines that billed
    # the time it credits, or the pending debit proration that did.
    pro = v1.prices.create({"product": world["plan"], "currency": "usd", "unit_amount": 6000,
                            "recurring": {"interval": "month"}}).id
    sub = subscribe(v1, world)
    first = v1.invoices.retrieve(sub.latest_invoice)
    (billed_line,) = [l.id for l in first.lines.data]
    si = sub["items"].data[0].id
    v1.test_helpers.test_clocks.advance(world["clock"].id, {"frozen_time": APR16})
    v1.subscriptions.update(sub.id, {"items": [{"id": si, "price": pro}],
                                     "proration_behavior": "create_prorations"})
    credit, debit = sorted(v1.invoice_items.list({"customer": world["cus"].id, "pending": True}).data,
                           key=lambda x: x.amount)
    assert debit.proration_details.credited_items is None, "a debit credits nothing"
    assert credit.proration_details.credited_items.to_dict() == {
        "type": "invoice_line_items",
        "invoice_line_item_details": {"invoice": first.id, "invoice_line_items": [billed_line]}}
    # Changed again before the renewal: the new credit gives back the pending debit.
    v1.test_helpers.test_clocks.advance(world["clock"].id, {"frozen_time": APR16 + DAY})
    v1.subscriptions.update(sub.id, {"items": [{"id": si, "quantity": 2}],
                                     "proration_behavior": "create_prorations"})
    pending = v1.invoice_items.list({"customer": world["cus"].id, "pending": True}).data
    (second_credit,) = [x for x in pending if x.amount < 0 and x.id != credit.id]
    assert second_credit.proration_details.credited_items.to_dict() == {
        "type": "invoice_item", "invoice_item": debit.id}
    # Billed together by the renewal, the lines name each other on the invoice.
    inv = renew(v1, world, sub)
    line_of = {l.parent.subscription_item_details.invoice_item: l for l in inv.lines.data
               if l.parent.subscription_item_details and l.parent.subscription_item_details.invoice_item}
    credited = lambda x: line_of[x.id].parent.subscription_item_details.proration_details.credited_items
    assert credited(second_credit).to_dict() == {"invoice": inv.id, "invoice_line_items": [line_of[debit.id].id]}
    assert credited(credit).to_dict() == {"invoice": first.id, "invoice_line_items": [billed_line]}
    assert credited(debit) is None
    # The stored items keep what they credit.
    assert v1.invoice_items.retrieve(second_credit.id).proration_details.credited_items.invoice_item == debit.id
    # A prorated cancellation's credit gives back the renewal's line.
    v1.test_helpers.test_clocks.advance(world["clock"].id, {"frozen_time": MAY1 + 10 * DAY})
    v1.subscriptions.cancel(sub.id, {"prorate": True})
    (last,) = v1.invoice_items.list({"customer": world["cus"].id, "pending": True}).data
    renewal_lines = [l.id for l in inv.lines.data if not l.parent.subscription_item_details.proration]
    assert last.proration_details.credited_items.to_dict() == {
        "type": "invoice_line_items",
        "invoice_line_item_details": {"invoice": inv.id, "invoice_line_items": renewal_lines}}


def test_an_invoiced_credit_names_the_lines_of_the_invoice_that_billed_the_time(v1, world):
    sub = subscribe(v1, world)
    first = v1.invoices.retrieve(sub.latest_invoice)
    v1.test_helpers.test_clocks.advance(world["clock"].id, {"frozen_time": APR16})
    v1.subscriptions.update(sub.id, {"items": [{"id": sub["items"].data[0].id, "quantity": 3}],
                                     "proration_behavior": "always_invoice"})
    inv = check(v1.invoices.retrieve(v1.subscriptions.retrieve(sub.id).latest_invoice))
    (credit,) = [l for l in inv.lines.data if l.amount < 0]
    details = credit.parent.subscription_item_details
    assert details.proration_details.credited_items.to_dict() == {
        "invoice": first.id, "invoice_line_items": [first.lines.data[0].id]}
    item = v1.invoice_items.retrieve(details.invoice_item)
    assert item.proration_details.credited_items.invoice_line_item_details.invoice == first.id
    # A preview of the next change names what it would give back, too.
    preview = v1.invoices.create_preview({"customer": world["cus"].id, "subscription": sub.id,
                                          "subscription_details": {
                                              "items": [{"id": sub["items"].data[0].id, "quantity": 1}],
                                              "proration_behavior": "always_invoice"}})
    (back,) = [l for l in preview.lines.data if l.amount < 0]
    debit = [l.id for l in inv.lines.data if l.amount > 0]
    assert back.parent.subscription_item_details.proration_details.credited_items.to_dict() == {
        "invoice": inv.id, "invoice_line_items": debit}


def test_a_credit_names_only_the_debit_not_given_back_already(v1, world):
    price = lambda amount: v1.prices.create({"product": world["plan"], "currency": "usd", "unit_amount": amount,
                                             "recurring": {"interval": "month"}}).id
    b, c = price(6000), price(9000)
    sub = subscribe(v1, world)
    si = sub["items"].data[0].id
    v1.test_helpers.test_clocks.advance(world["clock"].id, {"frozen_time": APR16})
    v1.subscriptions.update(sub.id, {"items": [{"id": si, "price": b}], "proration_behavior": "create_prorations"})
    v1.test_helpers.test_clocks.advance(world["clock"].id, {"frozen_time": APR16 + DAY})
    v1.subscriptions.update(sub.id, {"items": [{"id": si, "price": c}], "proration_behavior": "always_invoice"})
    second = check(v1.invoices.retrieve(v1.subscriptions.retrieve(sub.id).latest_invoice))
    # It bills the first change's prorations and the second's: the debit for C is the latest.
    (debit_c,) = [l.id for l in second.lines.data if l.pricing.price_details.price == c and l.amount > 0]
    v1.test_helpers.test_clocks.advance(world["clock"].id, {"frozen_time": APR16 + 2 * DAY})
    v1.subscriptions.update(sub.id, {"items": [{"id": si, "quantity": 2}], "proration_behavior": "always_invoice"})
    third = check(v1.invoices.retrieve(v1.subscriptions.retrieve(sub.id).latest_invoice))
    (credit,) = [l for l in third.lines.data if l.amount < 0]
    assert credit.parent.subscription_item_details.proration_details.credited_items.to_dict() == {
        "invoice": second.id, "invoice_line_items": [debit_c]}


def test_a_pending_proration_shows_no_share_of_a_fixed_discount_until_billed(v1, world):
    # A fixed amount is shared out among what the invoice billing it debits; pending, a
    # proration shows none of it (percentages it does show).
    ten = v1.coupons.create({"amount_off": 1000, "currency": "usd", "duration": "forever"})
    sub = subscribe(v1, world, discounts=[{"coupon": ten.id}])
    v1.test_helpers.test_clocks.advance(world["clock"].id, {"frozen_time": APR16})
    v1.subscriptions.update(sub.id, {"items": [{"id": sub["items"].data[0].id, "quantity": 3}],
                                     "proration_behavior": "create_prorations"})
    pending = v1.invoice_items.list({"customer": world["cus"].id, "pending": True}).data
    assert len(pending) == 2
    for x in pending:
        assert x.proration_details.discount_amounts == [] and x.net_amount == x.amount
    inv = renew(v1, world, sub)
    assert sum(d.amount for d in inv.total_discount_amounts) == 1000

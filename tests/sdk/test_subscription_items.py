"""/v1/subscription_items: the items of a subscription, changed one at a time."""

import pytest

from helpers import body_of, check, expect_error


@pytest.fixture
def setup(v1):
    product = v1.products.create({"name": "Seats"})
    mk = lambda amount: v1.prices.create({"product": product.id, "currency": "usd", "unit_amount": amount,
                                          "recurring": {"interval": "month"}}).id
    cus = v1.customers.create({"payment_method": "pm_card_visa", "invoice_settings": {"default_payment_method": "pm_card_visa"}})
    a, b = mk(1000), mk(500)
    sub = v1.subscriptions.create({"customer": cus.id, "items": [{"price": a, "quantity": 2}]})
    return {"sub": sub, "a": a, "b": b, "item": sub["items"].data[0].id}


def test_list_and_retrieve(v1, setup):
    page = check(v1.subscription_items.list({"subscription": setup["sub"].id}))
    assert [i.id for i in page.data] == [setup["item"]] and page.url == "/v1/subscription_items"
    item = check(v1.subscription_items.retrieve(setup["item"]))
    assert (item.subscription, item.quantity, item.price.id) == (setup["sub"].id, 2, setup["a"])
    expect_error(lambda: v1.subscription_items.retrieve("si_nope"), status=404, code="resource_missing")
    expect_error(lambda: v1.subscription_items.list({}), code="parameter_missing", param="subscription")


def test_create_update_delete(v1, setup):
    sub_id = setup["sub"].id
    added = check(v1.subscription_items.create({"subscription": sub_id, "price": setup["b"], "quantity": 3, "proration_behavior": "none"}))
    assert added.id.startswith("si_") and added.quantity == 3 and added.subscription == sub_id
    assert len(v1.subscriptions.retrieve(sub_id)["items"].data) == 2
    expect_error(lambda: v1.subscription_items.create({"subscription": sub_id, "price": setup["b"]}), param="price")
    changed = check(v1.subscription_items.update(added.id, {"quantity": 5, "proration_behavior": "none", "metadata": {"k": "v"}}))
    assert changed.quantity == 5 and changed.metadata["k"] == "v"
    gone = v1.subscription_items.delete(added.id, {"proration_behavior": "none"})
    assert gone.deleted is True and gone.id == added.id
    check(body_of(gone))
    assert [i.id for i in v1.subscriptions.retrieve(sub_id)["items"].data] == [setup["item"]]
    expect_error(lambda: v1.subscription_items.delete(setup["item"]), param="items")


def test_quantity_change_prorates(v1, setup):
    v1.subscription_items.update(setup["item"], {"quantity": 3, "proration_behavior": "create_prorations"})
    preview = v1.invoices.create_preview({"subscription": setup["sub"].id})
    prorations = [l for l in preview.lines.data if l.parent.subscription_item_details.proration]
    assert len(prorations) == 2 and prorations[0].amount < 0 < prorations[1].amount
    assert preview.lines.data[-1].amount == 3000

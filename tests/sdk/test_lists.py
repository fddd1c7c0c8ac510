"""List endpoints: ordering, limit, cursors, has_more, SDK auto-pagination."""

import pytest

from helpers import check, expect_error


@pytest.fixture
def customers(v1):
    """25 customers, returned newest first."""
    made = [v1.customers.create({"metadata": {"n": str(i)}}) for i in range(25)]
    return [c.id for c in reversed(made)]


def test_default_limit_is_10(v1, customers):
    res = check(v1.customers.list())
    assert [c.id for c in res.data] == customers[:10]
    assert res.has_more is True


def test_limit_bounds(v1, customers):
    assert len(check(v1.customers.list({"limit": 1})).data) == 1
    res = check(v1.customers.list({"limit": 100}))
    assert [c.id for c in res.data] == customers
    assert res.has_more is False
    expect_error(lambda: v1.customers.list({"limit": 0}), status=400, param="limit")
    expect_error(lambda: v1.customers.list({"limit": 101}), status=400, param="limit")


def test_starting_after_pages(v1, customers):
    page1 = check(v1.customers.list({"limit": 10}))
    page2 = check(v1.customers.list({"limit": 10, "starting_after": page1.data[-1].id}))
    page3 = check(v1.customers.list({"limit": 10, "starting_after": page2.data[-1].id}))
    assert [c.id for c in page1.data + page2.data + page3.data] == customers
    assert (page1.has_more, page2.has_more, page3.has_more) == (True, True, False)


def test_exact_page_boundary_has_more_false(v1, customers):
    res = check(v1.customers.list({"limit": 5, "starting_after": customers[19]}))
    assert [c.id for c in res.data] == customers[20:]
    assert res.has_more is False


def test_ending_before(v1, customers):
    res = check(v1.customers.list({"limit": 3, "ending_before": customers[10]}))
    # items just newer than the cursor, still in newest-first order
    assert [c.id for c in res.data] == customers[7:10]
    assert res.has_more is True
    res = check(v1.customers.list({"limit": 10, "ending_before": customers[3]}))
    assert [c.id for c in res.data] == customers[:3]
    assert res.has_more is False


def test_cursor_from_other_object_type_or_missing(v1, customers):
    expect_error(lambda: v1.customers.list({"starting_after": "cus_missing"}), status=400,
                 param="starting_after")


def test_starting_after_and_ending_before_exclusive(v1, customers):
    # Stripe refuses both cursors at once.
    expect_error(lambda: v1.customers.list({"starting_after": customers[1], "ending_before": customers[5]}),
                 status=400)


def test_auto_paging_iter_walks_everything(v1, customers):
    seen = [c.id for c in v1.customers.list({"limit": 4}).auto_paging_iter()]
    assert seen == customers


def test_auto_paging_iter_backwards(v1, customers):
    # With ending_before, the SDK walks toward newer objects.
    seen = [c.id for c in v1.customers.list({"limit": 4, "ending_before": customers[12]}).auto_paging_iter()]
    assert sorted(seen) == sorted(customers[:12])


def test_auto_paging_products_and_prices(v1):
    prod = v1.products.create({"name": "p"})
    prices = [v1.prices.create({"product": prod.id, "currency": "usd", "unit_amount": i}).id for i in range(7)]
    for i in range(6):
        v1.products.create({"name": f"extra {i}"})
    assert [p.id for p in v1.prices.list({"limit": 2}).auto_paging_iter()] == list(reversed(prices))
    assert len(list(v1.products.list({"limit": 3}).auto_paging_iter())) == 7


def test_list_with_filter_paginates_within_filter(v1):
    for i in range(6):
        v1.customers.create({"email": "same@example.com" if i % 2 else "other@example.com"})
    seen = [c.email for c in v1.customers.list({"email": "same@example.com", "limit": 1}).auto_paging_iter()]
    assert seen == ["same@example.com"] * 3


def test_items_are_full_objects(v1, customers):
    for c in v1.customers.list({"limit": 3}).data:
        check(c)

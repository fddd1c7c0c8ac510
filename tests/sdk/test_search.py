"""The search endpoints, through stripe-python's `search` methods and auto-pagination."""

import pytest

from helpers import check, expect_error, make_client, new_key


def emails(result):
    return [c.email for c in result.data]


@pytest.fixture
def people(v1):
    """Four customers, newest first: three at example.com, two of them gold."""
    made = [
        v1.customers.create({"email": "ada@example.com", "name": "Ada Lovelace", "metadata": {"tier": "gold"}}),
        v1.customers.create({"email": "bob@example.com", "name": "Bob", "phone": "+15550100"}),
        v1.customers.create({"email": "carol@corp.io", "name": "Carol", "metadata": {"tier": "silver"}}),
        v1.customers.create({"email": "Dan@Example.com", "name": "Dan O'Brien", "metadata": {"tier": "gold"}}),
    ]
    return list(reversed(made))


def test_customers_by_email_name_metadata_and_time(v1, people):
    res = v1.customers.search({"query": "email:'ada@example.com'"})
    assert res.object == "search_result" and res.url == "/v1/customers/search"
    assert emails(res) == ["ada@example.com"] and res.has_more is False and res.next_page is None
    for c in res.data:
        check(c)
    # Exact text ignores case; substrings need three characters.
    assert emails(v1.customers.search({"query": "email:'dan@example.com'"})) == ["Dan@Example.com"]
    assert emails(v1.customers.search({"query": "email~'example.com'"})) == [
        "Dan@Example.com", "bob@example.com", "ada@example.com"]
    assert emails(v1.customers.search({"query": "name~\"o'brien\""})) == ["Dan@Example.com"]
    # Metadata matches its whole value (ignoring case); a text field, a phrase among its words.
    assert emails(v1.customers.search({"query": "metadata['tier']:'gold'"})) == [
        "Dan@Example.com", "ada@example.com"]
    assert emails(v1.customers.search({"query": "metadata['tier']:'GOLD'"})) == [
        "Dan@Example.com", "ada@example.com"]
    assert emails(v1.customers.search({"query": "metadata['tier']:'gol'"})) == []
    assert emails(v1.customers.search({"query": "name:'lovelace'"})) == ["ada@example.com"]
    assert emails(v1.customers.search({"query": "name:'love'"})) == []
    # Clauses side by side must all hold; OR takes any.
    assert emails(v1.customers.search({"query": "metadata['tier']:'gold' email~'ada'"})) == ["ada@example.com"]
    assert emails(v1.customers.search({"query": "phone:'+15550100' OR email:'carol@corp.io'"})) == [
        "carol@corp.io", "bob@example.com"]
    assert emails(v1.customers.search({"query": "-metadata['tier']:'gold' AND email~'example'"})) == [
        "bob@example.com"]
    assert emails(v1.customers.search({"query": "metadata['tier']:null"})) == ["bob@example.com"]
    first = people[-1].created
    assert len(v1.customers.search({"query": f"created>={first}"}).data) == 4
    assert len(v1.customers.search({"query": f"created>='{first}'"}).data) == 4
    assert emails(v1.customers.search({"query": f"created<{first}"})) == []


def test_pages_follow_next_page(v1, people):
    page = v1.customers.search({"query": "email~'example.com'", "limit": 2})
    assert emails(page) == ["Dan@Example.com", "bob@example.com"]
    assert page.has_more is True and page.next_page
    rest = v1.customers.search({"query": "email~'example.com'", "limit": 2, "page": page.next_page})
    assert emails(rest) == ["ada@example.com"] and rest.has_more is False and rest.next_page is None
    # The SDK's auto-pagination walks every page.
    every = v1.customers.search({"query": "email~'example.com'", "limit": 1}).auto_paging_iter()
    assert [c.email for c in every] == ["Dan@Example.com", "bob@example.com", "ada@example.com"]
    counted = v1.customers.search({"query": "email~'example'", "limit": 1, "expand": ["total_count"]})
    assert counted.total_count == 3 and len(counted.data) == 1
    # The count is of every match, on later pages too.
    later = v1.customers.search({"query": "email~'example'", "limit": 1, "page": counted.next_page,
                                 "expand": ["total_count"]})
    assert later.total_count == 3 and emails(later) == ["bob@example.com"] and later.has_more


def test_deleted_and_other_accounts_are_not_found(v1, people, portico_url):
    v1.customers.delete(people[0].id)
    assert emails(v1.customers.search({"query": "email~'example.com'"})) == ["bob@example.com", "ada@example.com"]
    other = make_client(portico_url, new_key()).v1
    assert other.customers.search({"query": "email~'example.com'"}).data == []


def test_other_resources(v1):
    product = v1.products.create({"name": "Gold plan", "metadata": {"line": "saas"}})
    v1.products.create({"name": "Widget", "active": False})
    monthly = v1.prices.create({"product": product.id, "currency": "usd", "unit_amount": 1500,
                                "recurring": {"interval": "month"}, "lookup_key": "gold_monthly"})
    v1.prices.create({"product": product.id, "currency": "eur", "unit_amount": 900})
    customer = v1.customers.create({"payment_method": "pm_card_visa",
                                    "invoice_settings": {"default_payment_method": "pm_card_visa"}})
    sub = v1.subscriptions.create({"customer": customer.id, "items": [{"price": monthly.id}],
                                   "metadata": {"order": "42"}})

    found = v1.products.search({"query": "name~'gold' AND active:'true'"})
    assert [p.id for p in found.data] == [product.id]
    assert [p.name for p in v1.products.search({"query": "active:'false'"}).data] == ["Widget"]
    assert [p.id for p in v1.products.search({"query": "metadata['line']:'saas'"}).data] == [product.id]

    assert [p.id for p in v1.prices.search({"query": "lookup_key:'gold_monthly'"}).data] == [monthly.id]
    assert [p.currency for p in v1.prices.search({"query": f"product:'{product.id}' -currency:'usd'"}).data] == ["eur"]
    assert [p.id for p in v1.prices.search({"query": "type:'recurring'"}).data] == [monthly.id]

    assert [s.id for s in v1.subscriptions.search({"query": "status:'active' metadata['order']:'42'"}).data] == [sub.id]
    v1.subscriptions.cancel(sub.id)
    assert [s.id for s in v1.subscriptions.search({"query": "status:'canceled'"}).data] == [sub.id]

    invoices = v1.invoices.search({"query": f"customer:'{customer.id}' status:'paid' total>=1500"})
    assert [i.id for i in invoices.data] == [sub.latest_invoice]
    check(invoices.data[0])
    assert [i.id for i in v1.invoices.search({"query": f"subscription:'{sub.id}'"}).data] == [sub.latest_invoice]
    assert v1.invoices.search({"query": "total>1500"}).data == []


def test_expanding_results(v1):
    product = v1.products.create({"name": "Pro"})
    v1.prices.create({"product": product.id, "currency": "usd", "unit_amount": 100})
    res = v1.prices.search({"query": "currency:'usd'", "expand": ["data.product"]})
    assert res.data[0].product.id == product.id and res.data[0].product.object == "product"
    expect_error(lambda: v1.prices.search({"query": "currency:'usd'", "expand": ["product"]}),
                 status=400)


@pytest.mark.parametrize("query, says", [
    ("", "empty string for 'query'"),
    ("   ", "The search query is empty"),
    ("colour:'red'", "Supported fields: created, email, metadata, name, phone"),
    ("name~'ab'", "at least 3"),
    ("email:'a' AND name:'b' OR phone:'c'", "cannot combine"),
    ("email:'unterminated", "closing"),
    (" ".join(["created>1"] * 11), "at most 10"),
    ("created>'yesterday'", "with a number"),
])
def test_bad_queries_name_the_query(v1, query, says):
    expect_error(lambda: v1.customers.search({"query": query}), status=400, param="query", message=says)


def test_query_is_required(raw):
    res = raw.get("/v1/customers/search")
    assert res.status_code == 400
    assert res.json()["error"]["code"] == "parameter_missing"
    assert res.json()["error"]["param"] == "query"
    assert raw.post("/v1/customers/search", data={"query": "name:'x'"}).status_code == 404


def test_unknown_page_token_and_limits(v1, people):
    expect_error(lambda: v1.customers.search({"query": "email~'example'", "page": "cus_nope"}),
                 status=400, param="page", code="resource_missing")
    expect_error(lambda: v1.customers.search({"query": "email~'example'", "limit": 101}),
                 status=400, param="limit")

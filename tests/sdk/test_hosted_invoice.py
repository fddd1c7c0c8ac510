"""`hosted_invoice_url`: every finalized invoice links to its hosted page, where the customer sees
it and pays it without signing in. Links are signed (see the Rust tests for forgery and expiry)."""

import html
import re

import pytest
import requests
import stripe

from helpers import check

LINK = re.compile(r"^http://127\.0\.0\.1:\d+/p/invoice/[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{22}$")


@pytest.fixture
def plan(v1):
    product = v1.products.create({"name": "Pro", "default_price_data": {
        "currency": "usd", "unit_amount": 1500, "recurring": {"interval": "month"}}})
    return product.default_price


def carded(v1, card, redisplay=None):
    """A customer whose default card is `card`, shown again on hosted pages if `redisplay`."""
    cus = v1.customers.create({"name": "Grace Hopper", "email": "grace@example.com", "payment_method": card,
                               "invoice_settings": {"default_payment_method": card}})
    if redisplay:
        v1.payment_methods.update(cus.invoice_settings.default_payment_method, {"allow_redisplay": redisplay})
    return cus


def test_finalized_invoices_link_to_their_page_everywhere(v1, plan):
    cus = carded(v1, "pm_card_visa")
    sub = check(v1.subscriptions.create({"customer": cus.id, "items": [{"price": plan}], "expand": ["latest_invoice"]}))
    url = sub.latest_invoice.hosted_invoice_url
    assert LINK.match(url), url
    inv_id = sub.latest_invoice.id
    # The same link wherever the invoice is read: retrieve, list, search, expansion, events.
    assert check(v1.invoices.retrieve(inv_id)).hosted_invoice_url == url
    assert [i.hosted_invoice_url for i in v1.invoices.list({"customer": cus.id}).data] == [url]
    assert v1.subscriptions.retrieve(sub.id, {"expand": ["latest_invoice"]}).latest_invoice.hosted_invoice_url == url
    paid = v1.events.list({"type": "invoice.paid", "limit": 1}).data[0]
    assert paid.data.object.hosted_invoice_url == url
    # invoice.created shows the draft, which has no page yet.
    created = v1.events.list({"type": "invoice.created", "limit": 1}).data[0]
    assert created.data.object.hosted_invoice_url is None

    page = requests.get(url, timeout=10)
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "no-store" in page.headers["cache-control"]
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    text = html.unescape(page.text)
    assert sub.latest_invoice.number in text and "$15.00" in text and "Paid" in text
    assert "Pay this invoice" not in text


def test_drafts_have_no_link_and_voided_invoices_keep_theirs(v1, plan):
    cus = carded(v1, "pm_card_chargeCustomerFail")
    sub = v1.subscriptions.create({"customer": cus.id, "items": [{"price": plan}], "expand": ["latest_invoice"]})
    draft = check(v1.invoices.create({"customer": cus.id}))
    assert draft.status == "draft" and draft.hosted_invoice_url is None
    url = sub.latest_invoice.hosted_invoice_url
    assert LINK.match(url)
    voided = check(v1.invoices.void_invoice(sub.latest_invoice.id))
    assert voided.hosted_invoice_url == url
    page = requests.get(url, timeout=10)
    assert page.status_code == 200 and "Void" in page.text and "Pay this invoice" not in page.text


def test_an_open_invoice_is_paid_on_its_page(v1, plan):
    cus = carded(v1, "pm_card_chargeCustomerFail", redisplay="always")
    sub = v1.subscriptions.create({"customer": cus.id, "items": [{"price": plan}], "expand": ["latest_invoice"]})
    assert sub.status == "incomplete"
    url = sub.latest_invoice.hosted_invoice_url
    browser = requests.Session()
    page = browser.get(url, timeout=10)
    # The card on file just failed: the page asks for another.
    assert "Pay this invoice" in page.text and "ending in 0341" not in page.text
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    # A form without the browser's CSRF token is refused and pays nothing.
    forged = requests.post(f"{url}/card", data={"csrf": csrf, "number": "4242424242424242", "expiry": "12/40"},
                           timeout=10, allow_redirects=False)
    assert forged.status_code == 403
    assert v1.invoices.retrieve(sub.latest_invoice.id).status == "open"
    bad = browser.post(f"{url}/card", data={"csrf": csrf, "number": "4242424242424241", "expiry": "12/40",
                                             "cvc": "123"}, timeout=10, allow_redirects=False)
    assert bad.status_code in (400, 402) and 'aria-invalid="true"' in bad.text
    # A declined card is not saved to the customer.
    refused = browser.post(f"{url}/card", data={"csrf": csrf, "number": "4000000000000002", "expiry": "12/40",
                                                 "cvc": "123"}, timeout=10, allow_redirects=False)
    assert refused.status_code == 402 and "declined" in refused.text
    assert [c.card.last4 for c in v1.payment_methods.list({"customer": cus.id, "type": "card"}).data] == ["0341"]
    paid = browser.post(f"{url}/card", data={"csrf": csrf, "number": "4242 4242 4242 4242", "expiry": "12 / 40",
                                              "cvc": "123", "name": "Grace Hopper"}, timeout=10, allow_redirects=False)
    assert paid.status_code == 303 and paid.headers["location"] == "/p/invoice/" + url.rsplit("/", 1)[1]
    inv = v1.invoices.retrieve(sub.latest_invoice.id)
    assert inv.status == "paid" and inv.hosted_invoice_url == url
    assert v1.subscriptions.retrieve(sub.id).status == "active"
    cards = v1.payment_methods.list({"customer": cus.id, "type": "card"}).data
    assert sorted(c.card.last4 for c in cards) == ["0341", "4242"]
    # Saved to the customer, not made their default.
    default = v1.customers.retrieve(cus.id).invoice_settings.default_payment_method
    assert default == next(c.id for c in cards if c.card.last4 == "0341")
    attached = v1.events.list({"type": "payment_method.attached", "limit": 1}).data[0]
    assert attached.data.object.card.last4 == "4242"
    # Paid, the page thanks the customer and takes no more payments.
    after = browser.get(url, timeout=10)
    assert "This invoice is paid" in after.text and "/card" not in after.text
    again = browser.post(f"{url}/pay", data={"csrf": csrf}, timeout=10, allow_redirects=False)
    assert again.status_code == 303
    assert v1.invoices.retrieve(inv.id).amount_paid == inv.amount_paid


def test_the_page_speaks_the_customers_language(v1, plan):
    cus = v1.customers.create({"preferred_locales": ["fr-FR"], "payment_method": "pm_card_chargeCustomerFail",
                               "invoice_settings": {"default_payment_method": "pm_card_chargeCustomerFail"}})
    sub = v1.subscriptions.create({"customer": cus.id, "items": [{"price": plan}], "expand": ["latest_invoice"]})
    page = requests.get(sub.latest_invoice.hosted_invoice_url, timeout=10)
    assert '<html lang="fr"' in page.text and "Payer cette facture" in html.unescape(page.text)


def test_a_card_on_file_is_offered_only_when_the_customer_allowed_it(v1, plan):
    cus = carded(v1, "pm_card_chargeCustomerFail")
    sub = v1.subscriptions.create({"customer": cus.id, "items": [{"price": plan}], "expand": ["latest_invoice"]})
    url = sub.latest_invoice.hosted_invoice_url
    browser = requests.Session()
    page = browser.get(url, timeout=10)
    assert "Pay this invoice" in page.text and "ending in 0341" not in page.text
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    # Posting to the saved card's form anyway charges nothing.
    tried = browser.post(f"{url}/pay", data={"csrf": csrf}, timeout=10, allow_redirects=False)
    assert tried.status_code == 303
    assert v1.invoices.retrieve(sub.latest_invoice.id).attempt_count == 1


def test_an_uncollectible_invoice_can_still_be_paid(v1, plan):
    cus = carded(v1, "pm_card_chargeCustomerFail")
    sub = v1.subscriptions.create({"customer": cus.id, "items": [{"price": plan}], "expand": ["latest_invoice"]})
    inv = v1.invoices.mark_uncollectible(sub.latest_invoice.id)
    assert inv.hosted_invoice_url == sub.latest_invoice.hosted_invoice_url
    browser = requests.Session()
    page = browser.get(inv.hosted_invoice_url, timeout=10)
    assert "Pay this invoice" in page.text
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    paid = browser.post(f"{inv.hosted_invoice_url}/card", data={"csrf": csrf, "number": "4242424242424242",
                                                                  "expiry": "12/40", "cvc": "123"},
                        timeout=10, allow_redirects=False)
    assert paid.status_code == 303
    assert v1.invoices.retrieve(inv.id).status == "paid"


def test_no_payment_for_a_deleted_customer(v1, plan):
    cus = carded(v1, "pm_card_chargeCustomerFail", redisplay="always")
    sub = v1.subscriptions.create({"customer": cus.id, "items": [{"price": plan}], "expand": ["latest_invoice"]})
    url = sub.latest_invoice.hosted_invoice_url
    browser = requests.Session()
    csrf = re.search(r'name="csrf" value="([^"]+)"', browser.get(url, timeout=10).text).group(1)
    v1.customers.delete(cus.id)
    page = browser.get(url, timeout=10)
    assert page.status_code == 200 and "Pay this invoice" not in page.text
    tried = browser.post(f"{url}/card", data={"csrf": csrf, "number": "4242424242424242", "expiry": "12/40",
                                               "cvc": "123"}, timeout=10, allow_redirects=False)
    assert tried.status_code == 410


def test_every_failed_try_is_announced(v1, plan):
    # Stripe announces each failed payment, those asked for by hand too; only the first attempt
    # and automatic retries count in attempt_count (the retry schedule).
    cus = carded(v1, "pm_card_chargeCustomerFail")
    sub = v1.subscriptions.create({"customer": cus.id, "items": [{"price": plan}], "expand": ["latest_invoice"]})
    failed = lambda: [e for e in v1.events.list({"type": "invoice.payment_failed", "limit": 100}).data  # noqa: E731
                      if e.data.object.id == sub.latest_invoice.id]
    assert len(failed()) == 1
    try:
        v1.invoices.pay(sub.latest_invoice.id)
    except stripe.CardError:
        pass
    assert len(failed()) == 2
    assert v1.invoices.retrieve(sub.latest_invoice.id).attempt_count == 1
    browser = requests.Session()
    url = sub.latest_invoice.hosted_invoice_url
    csrf = re.search(r'name="csrf" value="([^"]+)"', browser.get(url, timeout=10).text).group(1)
    browser.post(f"{url}/card", data={"csrf": csrf, "number": "4000000000000002", "expiry": "12/40", "cvc": "123"},
                 timeout=10)
    assert len(failed()) == 3
    assert "tries" not in v1.invoices.retrieve(sub.latest_invoice.id).to_dict()


def test_three_d_secure_on_the_page(v1, plan):
    cus = carded(v1, "pm_card_chargeCustomerFail")
    sub = v1.subscriptions.create({"customer": cus.id, "items": [{"price": plan}], "expand": ["latest_invoice"]})
    inv = v1.invoices.mark_uncollectible(sub.latest_invoice.id)
    url = inv.hosted_invoice_url
    browser = requests.Session()
    csrf = re.search(r'name="csrf" value="([^"]+)"', browser.get(url, timeout=10).text).group(1)
    card = {"csrf": csrf, "number": "4000002760003184", "expiry": "12/40", "cvc": "123"}

    def authenticate(outcome):
        sent = browser.post(f"{url}/card", data=card, timeout=10, allow_redirects=False)
        assert sent.status_code == 303 and sent.headers["location"].startswith("/p/authenticate/"), sent.text[:300]
        challenge = browser.get(BASE(url) + sent.headers["location"], timeout=10)
        token = re.search(r'name="csrf" value="([^"]+)"', challenge.text).group(1)
        # The form posts to the page's own address.
        done = browser.post(challenge.url, data={"csrf": token, "outcome": outcome}, timeout=10,
                            allow_redirects=False)
        assert done.status_code == 303 and done.headers["location"].startswith("/p/invoice/"), done.text[:300]
        return browser.get(BASE(url) + done.headers["location"], timeout=10)

    # Failed: announced as a failed payment, and the page says so.
    failed = authenticate("fail")
    assert failed.status_code == 402 and "could not authenticate" in failed.text
    last = v1.events.list({"limit": 1}).data[0]
    assert last.type == "invoice.payment_failed" and last.data.object.id == inv.id
    cards = lambda: sorted(c.card.last4 for c in v1.payment_methods.list({"customer": cus.id, "type": "card"}).data)  # noqa: E731
    assert cards() == ["0341"], "a card that did not pay is not saved"
    # Approved: an uncollectible invoice is paid too; attempt_count stays the schedule's; the
    # card is saved to the customer now that it paid.
    paid = authenticate("approve")
    assert "This invoice is paid" in paid.text
    after = v1.invoices.retrieve(inv.id)
    assert (after.status, after.attempt_count) == ("paid", 1)
    assert cards() == ["0341", "3184"]
    types = [e.type for e in v1.events.list({"limit": 4}).data][::-1]
    assert types[:2] == ["payment_method.attached", "invoice.paid"], types


def BASE(url):
    return url.split("/p/", 1)[0]


def test_forms_answer_a_reload_and_odd_input(v1, plan):
    cus = carded(v1, "pm_card_chargeCustomerFail", redisplay="always")
    sub = v1.subscriptions.create({"customer": cus.id, "items": [{"price": plan}], "expand": ["latest_invoice"]})
    url = sub.latest_invoice.hosted_invoice_url
    browser = requests.Session()
    page = browser.get(url, timeout=10).text
    csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    # The card on file, declined already, is not offered again.
    assert "ending in 0341" not in page
    # A reloaded form address leads back to the page; other methods get a page, not a blank.
    for form in ("card", "pay"):
        again = browser.get(f"{url}/{form}", timeout=10, allow_redirects=False)
        assert again.status_code == 303 and again.headers["location"].endswith(url.rsplit("/", 1)[1])
    put = browser.put(url, timeout=10)
    assert put.status_code == 405 and "text/html" in put.headers["content-type"]
    assert "frame-ancestors 'none'" in put.headers["content-security-policy"]
    # A planted cookie of another form is no CSRF token.
    planted = requests.post(f"{url}/card", data={"csrf": "1", "number": "4242424242424242", "expiry": "12/40"},
                            cookies={"portico_csrf": "1"}, timeout=10, allow_redirects=False)
    assert planted.status_code == 403
    # A name longer than the field is cut to it.
    paid = browser.post(f"{url}/card", data={"csrf": csrf, "number": "4242424242424242", "expiry": "12/40",
                                              "cvc": "123", "name": "N" * 60000}, timeout=10, allow_redirects=False)
    assert paid.status_code == 303
    card = [c for c in v1.payment_methods.list({"customer": cus.id, "type": "card"}).data if c.card.last4 == "4242"][0]
    assert card.billing_details.name == "N" * 200


def test_the_card_on_file_pays_with_one_click(v1, plan):
    cus = carded(v1, "pm_card_chargeCustomerFail")
    sub = v1.subscriptions.create({"customer": cus.id, "items": [{"price": plan}], "expand": ["latest_invoice"]})
    # The customer saved another card since, and allowed it to be shown again.
    good = v1.payment_methods.attach("pm_card_visa", {"customer": cus.id})
    v1.payment_methods.update(good.id, {"allow_redisplay": "always"})
    v1.customers.update(cus.id, {"invoice_settings": {"default_payment_method": good.id}})
    url = sub.latest_invoice.hosted_invoice_url
    browser = requests.Session()
    page = browser.get(url, timeout=10).text
    assert "Pay $15.00 with Visa ending in 4242" in page
    csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    paid = browser.post(f"{url}/pay", data={"csrf": csrf}, timeout=10, allow_redirects=False)
    assert paid.status_code == 303
    inv = v1.invoices.retrieve(sub.latest_invoice.id)
    assert (inv.status, inv.attempt_count) == ("paid", 1)
    assert v1.subscriptions.retrieve(sub.id).status == "active"

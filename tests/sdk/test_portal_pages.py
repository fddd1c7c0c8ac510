"""Every page of the hosted portal in every translated language.

For each language, a customer goes through every page — the homepage, billing information,
the card form (and a decline), an invoice, plan choice and preview (and a refusal), the cancel
steps with a retention offer, each confirmation page, the 3-D Secure page and its result, the
login page and its answers, the expired, used and unknown link pages — with the session's
`locale` or the browser's `Accept-Language`. Each page must be in that language: `<html lang>`
says so, no English sentence from the catalogs is left on it, and the server logged no message
missing from the language's catalog.
"""

from __future__ import annotations

import html
import pathlib
import re
import tempfile
import urllib.parse

import pytest
import requests

from helpers import expect_error, make_client, new_key
from server import Server

LOCALES = pathlib.Path(__file__).resolve().parents[2] / "crates" / "portico-server" / "locales"
# (session locale, catalog file, <html lang>)
LANGUAGES = [
    ("en", "en", "en"),
    ("fr", "fr", "fr"),
    ("de", "de", "de"),
    ("es", "es", "es"),
    ("it", "it", "it"),
    ("nl", "nl", "nl"),
    ("pt-BR", "pt-BR", "pt-BR"),
    ("ja", "ja", "ja"),
    ("zh", "zh-Hans", "zh-Hans"),
    ("zh-TW", "zh-Hant", "zh-Hant"),
    ("en-GB", "en-GB", "en-GB"),
]
# What a page in the language shows that its nearest relative does not.
OWN_WRITING = {
    "en-GB": re.compile(r"\b\d{1,2} (January|February|March|April|May|June|July|August|September|October"
                        r"|November|December) \d{4}\b"),
    "zh-TW": re.compile("訂閱"),
    "zh": re.compile("订阅"),
}


def catalog(name: str) -> dict:
    """Message id → text, for plain messages (no placeables, no selectors)."""
    out = {}
    for line in (LOCALES / f"{name}.ftl").read_text(encoding="utf-8").splitlines():
        m = re.match(r"^([a-z][a-z0-9-]*) = (.+)$", line)
        if m and "{" not in m.group(2):
            out[m.group(1)] = m.group(2).strip()
    return out


ENGLISH = catalog("en")


def mine_says(name: str, key: str) -> str:
    """A plain message of a catalog, or of English where the catalog leaves it out (en-GB)."""
    return catalog(name).get(key) or ENGLISH[key]


def visible_text(page: str) -> str:
    page = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", page, flags=re.S)
    page = re.sub(r"<[^>]+>", " ", page)
    return re.sub(r"\s+", " ", html.unescape(page))


class Browser:
    """A browser as far as the portal cares: cookies, a language, forms."""

    def __init__(self, base: str, accept_language: str):
        self.base = base
        self.s = requests.Session()
        self.s.headers["Accept-Language"] = accept_language
        self.pages: list[tuple[str, str]] = []

    def get(self, url: str, status: int = 200, **kw) -> str:
        r = self.s.get(url if url.startswith("http") else self.base + url, timeout=30, **kw)
        assert r.status_code == status, f"GET {url}: {r.status_code}\n{r.text[:500]}"
        self.pages.append((url, r.text))
        return r.text

    def post(self, url: str, data: dict, status: int = 200) -> str:
        r = self.s.post(url if url.startswith("http") else self.base + url, data=data, timeout=30)
        assert r.status_code == status, f"POST {url}: {r.status_code}\n{r.text[:500]}"
        self.pages.append((url, r.text))
        return r.text


def csrf(page: str) -> str:
    m = re.search(r'name="csrf" value="([^"]+)"', page)
    assert m, "the page has a form"
    return m.group(1)


@pytest.fixture(scope="module")
def server():
    tmp = tempfile.TemporaryDirectory(prefix="portico-pages-")
    # Every language's customer asks from this one client: the per-client limit is raised.
    s = Server(f"sqlite://{tmp.name}/p.db", tmp.name, "pages", "--login-limit-per-client", "1000")
    yield s
    s.stop()
    tmp.cleanup()


def business(v1):
    pro = v1.products.create({"name": "Pro"})
    monthly = v1.prices.create({"product": pro.id, "currency": "eur", "unit_amount": 1200, "recurring": {"interval": "month"}})
    yearly = v1.prices.create({"product": pro.id, "currency": "eur", "unit_amount": 12000, "recurring": {"interval": "year"}})
    coupon = v1.coupons.create({"percent_off": 20, "duration": "repeating", "duration_in_months": 3})
    config = v1.billing_portal.configurations.create({
        "business_profile": {"headline": "Acme", "terms_of_service_url": "https://acme.test/terms"},
        "default_return_url": "https://app.example.com/account",
        "login_page": {"enabled": True},
        "features": {
            "customer_update": {"enabled": True, "allowed_updates": ["email", "name", "address", "shipping", "phone"]},
            "invoice_history": {"enabled": True},
            "payment_method_update": {"enabled": True},
            "subscription_cancel": {"enabled": True, "cancellation_reason": {"enabled": True, "options": ["too_expensive", "other"]}},
            "subscription_update": {"enabled": True, "default_allowed_updates": ["price", "quantity", "promotion_code"],
                                    "proration_behavior": "create_prorations",
                                    "products": [{"product": pro.id, "prices": [monthly.id, yearly.id],
                                                  "adjustable_quantity": {"enabled": True, "maximum": 5}}]},
        },
    })
    return monthly, yearly, coupon, config


def customer(v1, monthly, email):
    c = v1.customers.create({"email": email, "name": "Ada", "payment_method": "pm_card_visa",
                             "invoice_settings": {"default_payment_method": "pm_card_visa"}})
    sub = v1.subscriptions.create({"customer": c.id, "items": [{"price": monthly.id}]})
    return c, sub


class InPortal:
    """A fresh account's business, one subscribed customer, and an English browser holding a
    portal session for them (`flow_data` given, a flow's): `first` is the page the link opens."""

    def __init__(self, server, email, **session):
        self.v1 = make_client(server.url, new_key()).v1
        self.monthly, self.yearly, self.coupon, self.config = business(self.v1)
        self.customer, self.sub = customer(self.v1, self.monthly, email)
        self.url = self.v1.billing_portal.sessions.create(
            {"customer": self.customer.id, "configuration": self.config.id, **session}).url
        self.browser = Browser(server.url, "en")
        self.first = self.browser.get(self.url)


@pytest.mark.parametrize("locale,catalog_name,tag", LANGUAGES, ids=[l[0] for l in LANGUAGES])
def test_every_page_in_every_language(server, locale, catalog_name, tag):
    key = new_key()
    v1 = make_client(server.url, key).v1
    monthly, yearly, coupon, config = business(v1)
    b = Browser(server.url, f"{locale},en;q=0.5")
    sessions = v1.billing_portal.sessions

    def session(c, **kw):
        return sessions.create({"customer": c.id, "configuration": config.id, "locale": locale, **kw}).url

    # The homepage and what hangs off it.
    ada, sub = customer(v1, monthly, f"ada-{locale}@example.com")
    home = session(ada)
    page = b.get(home)
    b.get(home + "?notice=updated")
    form = b.get(home + "/billing")
    b.post(home + "/billing", {"csrf": csrf(form), "email": "not-an-email", "name": "Ada"}, status=400)
    card = b.get(home + "/payment-methods/new")
    b.post(home + "/payment-methods", {"csrf": csrf(card), "number": "4000000000000002", "expiry": "12/34", "cvc": "123"}, status=402)
    invoice = re.search(r'href="(/p/session/[^"]+/invoices/[^"]+)"', page).group(1)
    b.get(invoice)
    b.get(home + "/invoices")
    b.get(f"{home}/subscriptions/{sub.id}/update")
    b.get(f"{home}/subscriptions/{sub.id}/update/preview?price={yearly.id}&quantity=1")
    b.get(f"{home}/subscriptions/{sub.id}/update/preview?price={monthly.id}&quantity=9", status=400)
    b.get(f"{home}/subscriptions/{sub.id}/cancel")

    # Each flow to its confirmation.
    flows = {
        "payment_method_update": {"type": "payment_method_update"},
        "subscription_cancel": {"type": "subscription_cancel", "subscription_cancel": {
            "subscription": None, "retention": {"type": "coupon_offer", "coupon_offer": {"coupon": coupon.id}}}},
        "subscription_update_confirm": {"type": "subscription_update_confirm", "subscription_update_confirm": {
            "subscription": None, "items": [{"id": None, "price": yearly.id}]}},
    }
    for kind, fd in flows.items():
        c, s = customer(v1, monthly, f"{kind}-{locale}@example.com")
        if kind != "payment_method_update":
            fd[kind]["subscription"] = s.id
        if kind == "subscription_update_confirm":
            fd[kind]["items"][0]["id"] = s["items"].data[0].id
        url = session(c, flow_data=fd)
        first = b.get(url)
        if kind == "payment_method_update":
            b.post(url + "/payment-methods", {"csrf": csrf(first), "number": "4242424242424242", "expiry": "12/34"})
        elif kind == "subscription_cancel":
            offer = b.get(f"{url}/subscriptions/{s.id}/cancel?step=offer")
            b.post(f"{url}/subscriptions/{s.id}/cancel", {"csrf": csrf(offer), "action": "accept_offer"})
            # Another customer declines it and cancels.
            c2, s2 = customer(v1, monthly, f"cancel2-{locale}@example.com")
            url2 = session(c2, flow_data={"type": "subscription_cancel", "subscription_cancel": {"subscription": s2.id}})
            b.get(url2)
            p2 = b.get(f"{url2}/subscriptions/{s2.id}/cancel")
            # The survey follows the cancellation; a reason not offered is refused on it.
            survey = b.post(f"{url2}/subscriptions/{s2.id}/cancel", {"csrf": csrf(p2), "action": "cancel"})
            b.post(f"{url2}/subscriptions/{s2.id}/cancel", {"csrf": csrf(survey), "action": "feedback",
                                                            "reason": "nope"}, status=400)
            b.post(f"{url2}/subscriptions/{s2.id}/cancel", {"csrf": csrf(survey), "action": "feedback",
                                                            "reason": "other"})
        else:
            b.post(f"{url}/subscriptions/{s.id}/update", {"csrf": csrf(first)})

    # A confirm link whose change is already made: nothing to confirm.
    c4, s4 = customer(v1, monthly, f"same-{locale}@example.com")
    same = b.get(session(c4, flow_data={"type": "subscription_update_confirm", "subscription_update_confirm": {
        "subscription": s4.id, "items": [{"id": s4["items"].data[0].id, "price": monthly.id}]}}))
    assert mine_says(catalog_name, "confirm-no-change-heading") in visible_text(same)
    # One whose coupon was deleted since: no longer available.
    c5, s5 = customer(v1, monthly, f"gone-{locale}@example.com")
    gone = v1.coupons.create({"percent_off": 5})
    url5 = session(c5, flow_data={"type": "subscription_update_confirm", "subscription_update_confirm": {
        "subscription": s5.id, "items": [{"id": s5["items"].data[0].id, "price": yearly.id}],
        "discounts": [{"coupon": gone.id}]}})
    v1.coupons.delete(gone.id)
    assert mine_says(catalog_name, "change-unavailable-heading") in visible_text(b.get(url5, status=409))

    # 3-D Secure: the authentication page and its result.
    c3, _ = customer(v1, monthly, f"3ds-{locale}@example.com")
    url3 = session(c3, flow_data={"type": "payment_method_update"})
    p3 = b.get(url3)
    r = b.s.post(url3 + "/payment-methods", data={"csrf": csrf(p3), "number": "4000002760003184", "expiry": "12/34"},
                 allow_redirects=False)
    assert r.status_code == 303 and "/p/authenticate/" in r.headers["location"]
    challenge = b.get(r.headers["location"])
    b.post(r.headers["location"], {"csrf": csrf(challenge), "outcome": "fail"}, status=402)

    # Links that cannot be used, and pages outside a session.
    b.get("/p/session/test_" + "x" * 43, status=404)
    other = Browser(server.url, f"{locale},en;q=0.5")
    other.get(home, status=403)
    b.pages.extend(other.pages)
    b.get("/p/nothing-here", status=404)

    # The login page: the form, the answer, the used link, too many attempts.
    login = config.login_page.url
    lp = b.get(login)
    b.post(login, {"csrf": csrf(lp), "email": "nobody@example.com"})
    b.post(login, {"csrf": csrf(lp), "email": "bad"}, status=400)
    b.get(login + "/open/" + "y" * 43, status=410)
    for _ in range(2):
        b.post(login, {"csrf": csrf(lp), "email": "nobody@example.com"})
    b.post(login, {"csrf": csrf(lp), "email": "nobody@example.com"}, status=429)

    # Every page is in the language: <html lang>, and no English sentence left.
    mine = catalog(catalog_name)
    english_only = {k: v for k, v in ENGLISH.items() if len(v) >= 12 and mine.get(k) not in (None, v)}
    problems = []
    for url, text in b.pages:
        if f'<html lang="{tag}">' not in text:
            problems.append(f"{url}: not lang={tag}")
        if locale != "en":
            body = visible_text(text)
            left = [v for v in english_only.values() if v in body]
            if left:
                problems.append(f"{url}: English left: {left[:3]}")
    assert not problems, "\n".join(problems)
    assert len(b.pages) >= 30
    if locale in OWN_WRITING:
        assert OWN_WRITING[locale].search(visible_text(page)), visible_text(page)[:800]
    # No page needed a message its catalog lacks.
    log = server.log_text()
    assert "message missing" not in log, [l for l in log.splitlines() if "message missing" in l][:5]


@pytest.mark.parametrize("mode", ["at_period_end", "immediately"])
def test_the_reason_survey_follows_the_cancellation(server, mode):
    """As at Stripe: canceling is one event with Stripe's own `reason`; the customer's answer to
    the survey, if any, a second `customer.subscription.updated`. Leaving at the survey leaves
    the subscription canceled."""
    v1 = make_client(server.url, new_key()).v1
    monthly, _, _, config = business(v1)
    v1.billing_portal.configurations.update(config.id, {"features": {"subscription_cancel": {
        "mode": mode, "proration_behavior": "none"}}})
    b = Browser(server.url, "en")
    done_url = "https://app.example.com/after-cancel"

    def events_of(sub_id):
        events = [e.to_dict() for e in v1.events.list({"limit": 100}).data[::-1]]
        return [(e["type"], e["data"].get("previous_attributes")) for e in events
                if e["type"].startswith("customer.subscription.") and e["data"]["object"]["id"] == sub_id]

    c, sub = customer(v1, monthly, f"survey-{mode}@example.com")
    url = v1.billing_portal.sessions.create({"customer": c.id, "configuration": config.id, "flow_data": {
        "type": "subscription_cancel", "subscription_cancel": {"subscription": sub.id},
        "after_completion": {"type": "redirect", "redirect": {"return_url": done_url}}}}).url
    summary = b.get(url)
    assert "Why are you canceling?" not in visible_text(summary)
    before = events_of(sub.id)
    r = b.s.post(f"{url}/subscriptions/{sub.id}/cancel", data={"csrf": csrf(summary), "action": "cancel"},
                 allow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].endswith(f"/subscriptions/{sub.id}/cancel?step=reason")
    canceled = v1.subscriptions.retrieve(sub.id)
    assert canceled.cancellation_details.to_dict() == {"comment": None, "feedback": None,
                                                       "reason": "cancellation_requested"}
    assert (canceled.status == "canceled") == (mode == "immediately")
    assert canceled.cancel_at_period_end == (mode == "at_period_end")
    first = events_of(sub.id)[len(before):]
    assert [t for t, _ in first] == [
        "customer.subscription.deleted" if mode == "immediately" else "customer.subscription.updated"]

    # The survey: the subscription is canceled already; the answer is optional.
    survey = b.get(r.headers["location"])
    text = visible_text(survey)
    assert "Subscription canceled" in text and "Why are you canceling?" in text
    # A comment as long as the field allows, its line breaks sent as browsers send them (two
    # characters each), is taken; one too long comes back with the answer kept and marked.
    fits = ("x" * 99 + "\r\n") * 50
    too_long = fits + "y" * 100
    refused = b.post(f"{url}/subscriptions/{sub.id}/cancel", status=400, data={
        "csrf": csrf(survey), "action": "feedback", "reason": "too_expensive", "comment": too_long})
    assert "Your comment is too long." in visible_text(refused)
    assert re.search(r'value="too_expensive" checked', refused)
    assert 'aria-invalid="true">\n' + html.escape(too_long.replace("\r\n", "\n"), quote=False)[:200] in refused
    assert v1.subscriptions.retrieve(sub.id).cancellation_details.feedback is None
    assert len(fits.replace("\r\n", "\n")) == 5000 and len(fits) > 5000
    r = b.s.post(f"{url}/subscriptions/{sub.id}/cancel", allow_redirects=False, data={
        "csrf": csrf(survey), "action": "feedback", "reason": "too_expensive", "comment": "Found a cheaper plan."})
    assert (r.status_code, r.headers["location"]) == (303, done_url)
    answered = v1.subscriptions.retrieve(sub.id)
    assert answered.cancellation_details.to_dict() == {"comment": "Found a cheaper plan.", "feedback": "too_expensive",
                                                       "reason": "cancellation_requested"}
    second = events_of(sub.id)[len(before) + 1:]
    assert second == [("customer.subscription.updated",
                       {"cancellation_details": {"comment": None, "feedback": None}})], second
    # Answering again (another tab) records nothing more.
    r = b.s.post(f"{url}/subscriptions/{sub.id}/cancel", allow_redirects=False, data={
        "csrf": csrf(survey), "action": "feedback", "reason": "other"})
    assert r.status_code == 303 and len(events_of(sub.id)) == len(before) + 2

    # Another customer leaves at the survey: canceled all the same, with no feedback, and the
    # flow is over (the link leads to its end).
    c2, sub2 = customer(v1, monthly, f"survey-left-{mode}@example.com")
    url2 = v1.billing_portal.sessions.create({"customer": c2.id, "configuration": config.id, "flow_data": {
        "type": "subscription_cancel", "subscription_cancel": {"subscription": sub2.id}}}).url
    page = b.get(url2)
    b.post(f"{url2}/subscriptions/{sub2.id}/cancel", {"csrf": csrf(page), "action": "cancel"})
    left = v1.subscriptions.retrieve(sub2.id)
    assert left.cancellation_details.feedback is None and (left.cancel_at_period_end or left.status == "canceled")
    again = b.s.get(url2)
    assert again.url.endswith("/done") and "Subscription canceled" in visible_text(again.text)

    # The longest comment the field allows is kept whole, its line breaks as typed.
    c3, sub3 = customer(v1, monthly, f"survey-long-{mode}@example.com")
    url3 = v1.billing_portal.sessions.create({"customer": c3.id, "configuration": config.id, "flow_data": {
        "type": "subscription_cancel", "subscription_cancel": {"subscription": sub3.id}}}).url
    page = b.get(url3)
    survey = b.post(f"{url3}/subscriptions/{sub3.id}/cancel", {"csrf": csrf(page), "action": "cancel"})
    b.s.post(f"{url3}/subscriptions/{sub3.id}/cancel", data={
        "csrf": csrf(survey), "action": "feedback", "reason": "other", "comment": fits})
    assert v1.subscriptions.retrieve(sub3.id).cancellation_details.comment == fits.replace("\r\n", "\n").strip()


def test_the_survey_is_only_for_a_cancellation_made_here(server):
    """The survey takes an answer only for the subscription this session canceled, once, while
    it is still ending; a finished cancel flow cannot cancel again."""
    v1 = make_client(server.url, new_key()).v1
    monthly, _, _, config = business(v1)
    b = Browser(server.url, "en")

    def updates(sub_id):
        return [e for e in v1.events.list({"limit": 100, "type": "customer.subscription.updated"}).data
                if e.data.object.id == sub_id]

    # Canceled through the API: the homepage session has no survey for it.
    c, sub = customer(v1, monthly, "api-canceled@example.com")
    v1.subscriptions.update(sub.id, {"cancel_at_period_end": True})
    home = v1.billing_portal.sessions.create({"customer": c.id, "configuration": config.id}).url
    page = b.get(home)
    r = b.s.get(f"{home}/subscriptions/{sub.id}/cancel?step=reason", allow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].endswith(home.split(server.url, 1)[1])
    n = len(updates(sub.id))
    r = b.s.post(f"{home}/subscriptions/{sub.id}/cancel", allow_redirects=False,
                 data={"csrf": csrf(page), "action": "feedback", "reason": "other"})
    assert r.status_code == 303 and len(updates(sub.id)) == n
    assert v1.subscriptions.retrieve(sub.id).cancellation_details.feedback is None
    # An active subscription has no survey either: the summary shows.
    c2, active = customer(v1, monthly, "active@example.com")
    home2 = v1.billing_portal.sessions.create({"customer": c2.id, "configuration": config.id}).url
    b.get(home2)
    summary2 = b.get(f"{home2}/subscriptions/{active.id}/cancel?step=reason")
    assert "Cancel your subscription" in visible_text(summary2)
    b.post(f"{home2}/subscriptions/{active.id}/cancel", {"csrf": csrf(summary2), "action": "feedback",
                                                         "reason": "other"}, status=404)
    assert v1.subscriptions.retrieve(active.id).status == "active"

    # Canceled in a flow; the reasons are switched off before the survey: on to the flow's end.
    c3, sub3 = customer(v1, monthly, "flow@example.com")
    url = v1.billing_portal.sessions.create({"customer": c3.id, "configuration": config.id, "flow_data": {
        "type": "subscription_cancel", "subscription_cancel": {"subscription": sub3.id}}}).url
    summary = b.get(url)
    b.post(f"{url}/subscriptions/{sub3.id}/cancel", {"csrf": csrf(summary), "action": "cancel"})
    v1.billing_portal.configurations.update(config.id, {"features": {"subscription_cancel": {
        "cancellation_reason": {"enabled": False}}}})
    r = b.s.get(f"{url}/subscriptions/{sub3.id}/cancel?step=reason")
    assert r.url.endswith("/done") and "Subscription canceled" in visible_text(r.text)
    # Renewed through the API afterwards, the finished flow's link cannot cancel it again.
    v1.subscriptions.update(sub3.id, {"cancel_at_period_end": False})
    r = b.s.post(f"{url}/subscriptions/{sub3.id}/cancel", allow_redirects=False,
                 data={"csrf": csrf(summary), "action": "cancel"})
    assert r.status_code == 303 and r.headers["location"].endswith("/done")
    assert v1.subscriptions.retrieve(sub3.id).cancel_at_period_end is False


@pytest.mark.parametrize("mode", ["at_period_end", "immediately"])
def test_canceling_a_scheduled_subscription_settles_its_schedule(server, mode):
    """A schedule would change or end the subscription later: canceling in the portal at the
    period's end releases it (the subscription goes on by itself to its cancellation); canceling
    now cancels it with the subscription."""
    v1 = make_client(server.url, new_key()).v1
    monthly, yearly, _, config = business(v1)
    v1.billing_portal.configurations.update(config.id, {"features": {"subscription_cancel": {
        "mode": mode, "proration_behavior": "none", "cancellation_reason": {"enabled": False}}}})
    c, sub = customer(v1, monthly, f"scheduled-{mode}@example.com")
    sched = v1.subscription_schedules.create({"from_subscription": sub.id})
    b = Browser(server.url, "en")
    url = v1.billing_portal.sessions.create({"customer": c.id, "configuration": config.id, "flow_data": {
        "type": "subscription_cancel", "subscription_cancel": {"subscription": sub.id}}}).url
    page = b.get(url)
    b.post(f"{url}/subscriptions/{sub.id}/cancel", {"csrf": csrf(page), "action": "cancel"})
    after = v1.subscriptions.retrieve(sub.id)
    settled = v1.subscription_schedules.retrieve(sched.id)
    if mode == "at_period_end":
        assert (after.status, after.cancel_at_period_end, after.schedule) == ("active", True, None)
        assert (settled.status, settled.released_subscription) == ("released", sub.id)
    else:
        assert after.status == "canceled"
        assert settled.status == "canceled"


def test_the_confirmation_names_a_charge_only_when_the_change_made_one(server):
    """A change that bills nothing must not show the sign-up invoice as its charge, even when
    the subscription and the session are from the same second."""
    v1 = make_client(server.url, new_key()).v1
    monthly, yearly, _, config = business(v1)
    v1.billing_portal.configurations.update(config.id, {"features": {"subscription_update": {
        "proration_behavior": "none"}}})
    b = Browser(server.url, "en")

    def confirm(items, email):
        c, sub = customer(v1, monthly, email)
        items[0]["id"] = sub["items"].data[0].id
        url = v1.billing_portal.sessions.create({"customer": c.id, "configuration": config.id, "flow_data": {
            "type": "subscription_update_confirm",
            "subscription_update_confirm": {"subscription": sub.id, "items": items},
            "after_completion": {"type": "hosted_confirmation"}}}).url
        first = b.get(url)
        return visible_text(b.post(f"{url}/subscriptions/{sub.id}/update", {"csrf": csrf(first)})), sub

    # More seats without proration: nothing billed today.
    text, sub = confirm([{"quantity": 2}], "no-charge@example.com")
    assert v1.subscriptions.retrieve(sub.id)["items"].data[0].quantity == 2
    assert "You were charged" not in text, text[:600]
    # A new interval starts a new period, billed at once: that charge is named.
    text, sub = confirm([{"price": yearly.id}], "charged@example.com")
    paid = v1.invoices.retrieve(v1.subscriptions.retrieve(sub.id).latest_invoice).amount_paid
    assert paid > 0 and f"You were charged €{paid // 100:,}.{paid % 100:02d}" in text, text[:600]


def test_a_retention_offer_is_not_made_twice(server):
    v1 = make_client(server.url, new_key()).v1
    monthly, _, coupon, config = business(v1)
    c, sub = customer(v1, monthly, "twice@example.com")
    b = Browser(server.url, "en")
    flow = {"type": "subscription_cancel", "subscription_cancel": {
        "subscription": sub.id, "retention": {"type": "coupon_offer", "coupon_offer": {"coupon": coupon.id}}}}
    url = v1.billing_portal.sessions.create({"customer": c.id, "configuration": config.id, "flow_data": flow}).url
    b.get(url)
    offer = b.get(f"{url}/subscriptions/{sub.id}/cancel?step=offer")
    assert "20% off" in visible_text(offer)
    # What taking it means for the next invoice, as the preview of that invoice has it.
    was = v1.invoices.create_preview({"subscription": sub.id}).total
    now = round(was * 0.8)
    money = lambda cents: f"€{cents // 100:,}.{cents % 100:02d}"
    assert re.search(rf"Your next invoice, on \w+ \d+, \d{{4}}, comes to {re.escape(money(now))} instead of "
                     rf"{re.escape(money(was))}\.", visible_text(offer)), visible_text(offer)
    b.post(f"{url}/subscriptions/{sub.id}/cancel", {"csrf": csrf(offer), "action": "accept_offer"})
    assert len(v1.subscriptions.retrieve(sub.id).discounts) == 1
    assert v1.invoices.create_preview({"subscription": sub.id}).total == now
    # Back to cancel, another day: the subscription has the discount, so no offer, and the
    # customer can cancel.
    again = v1.billing_portal.sessions.create({"customer": c.id, "configuration": config.id, "flow_data": flow}).url
    first = b.get(again)
    assert "20% off" not in visible_text(first)
    b.s.post(f"{again}/subscriptions/{sub.id}/cancel", data={"csrf": csrf(first), "action": "accept_offer"})
    assert len(v1.subscriptions.retrieve(sub.id).discounts) == 1, "the offer cannot be taken twice"
    b.post(f"{again}/subscriptions/{sub.id}/cancel", {"csrf": csrf(first), "action": "cancel"})
    assert v1.subscriptions.retrieve(sub.id).cancel_at_period_end is True


def test_the_country_must_be_a_country_code(server):
    """A country's name is refused, not cut to its first two letters (Germany is not GE,
    Georgia), and so is a code that names no country."""
    p = InPortal(server, "country@example.com")
    v1, c, home, b = p.v1, p.customer, p.url, p.browser
    form = b.get(home + "/billing")
    address = {"csrf": csrf(form), "name": "Ada", "email": "country@example.com",
               "address_line1": "Unter den Linden 1", "address_city": "Berlin", "address_postal_code": "10117"}
    for wrong in ("Germany", "ZZ", "D"):
        page = b.post(home + "/billing", {**address, "address_country": wrong}, status=400)
        assert "two-letter code, such as US or DE" in visible_text(page)
        assert f'value="{wrong.upper()}"' in page, "what was typed stays in the field"
        # The country field itself is marked, its error tied to it.
        assert re.search(r'id="address_country"[^>]*aria-invalid="true" aria-describedby="address_country_error', page)
        assert 'id="address_country_error"' in page
    assert v1.customers.retrieve(c.id).address is None
    # An email address once given cannot be erased: invoices and receipts go to it.
    page = b.post(home + "/billing", {**address, "email": "", "address_country": "DE"}, status=400)
    assert re.search(r'id="email"[^>]*aria-invalid="true"', page)
    assert "Enter your email address." in visible_text(page)
    assert v1.customers.retrieve(c.id).email == "country@example.com"
    b.post(home + "/billing", {**address, "address_country": "de"})
    assert v1.customers.retrieve(c.id).address.country == "DE"
    b.post(home + "/billing", {**address, "address_country": "XK"})
    assert v1.customers.retrieve(c.id).address.country == "XK", "Kosovo's code, which Stripe takes"


def test_an_address_is_one_a_letter_could_reach(server):
    """A billing or shipping address needs its first line, city and country (in the US and
    Canada its state and postal code too); a phone number needs to be one. Clearing every
    address field removes the address."""
    p = InPortal(server, "address@example.com")
    v1, c, home, b = p.v1, p.customer, p.url, p.browser
    form = b.get(home + "/billing")
    base = {"csrf": csrf(form), "name": "Ada", "email": "address@example.com"}
    us = {"address_line1": "1 Main St", "address_city": "Springfield", "address_state": "IL",
          "address_postal_code": "62701", "address_country": "US"}
    for missing in ("address_line1", "address_city", "address_country"):
        page = b.post(home + "/billing", {**base, **us, missing: ""}, status=400)
        assert "Enter Address line 1, City and Country, or clear every field" in visible_text(page), missing
    for missing in ("address_state", "address_postal_code"):
        page = b.post(home + "/billing", {**base, **us, missing: ""}, status=400)
        assert "also enter State or region and Postal code" in visible_text(page), missing
    page = b.post(home + "/billing", {**base, "shipping_name": "Ada", "shipping_line1": "1 Main St"}, status=400)
    assert "Enter Address line 1, City and Country" in visible_text(page)
    page = b.post(home + "/billing", {**base, "shipping_name": "Ada"}, status=400)
    assert "Enter Address line 1, City and Country" in visible_text(page), "a recipient needs an address"
    canada = {"address_line1": "24 Sussex Dr", "address_city": "Ottawa", "address_state": "ON", "address_country": "CA"}
    page = b.post(home + "/billing", {**base, **canada}, status=400)
    assert "also enter State or region and Postal code" in visible_text(page)
    page = b.post(home + "/billing", {**base, "phone": "abc"}, status=400)
    assert "Enter a valid phone number" in visible_text(page)
    assert v1.customers.retrieve(c.id).address is None
    b.post(home + "/billing", {**base, **us, "phone": "+1 (555) 123-4567"})
    saved = v1.customers.retrieve(c.id)
    assert (saved.address.city, saved.phone) == ("Springfield", "+1 (555) 123-4567")
    assert "Springfield, IL 62701" in visible_text(b.get(home))
    # A German address needs no state.
    b.post(home + "/billing", {**base, "address_line1": "Unter den Linden 1", "address_city": "Berlin",
                               "address_postal_code": "10117", "address_country": "DE"})
    assert v1.customers.retrieve(c.id).address.state is None
    b.post(home + "/billing", {**base})
    assert v1.customers.retrieve(c.id).address is None
    # What the API stored, however partial (a postal code and country for taxes, a phone in
    # words), does not stop the customer changing something else.
    v1.customers.update(c.id, {"address": {"postal_code": "94105", "country": "US"}, "phone": "1-800-FLOWERS"})
    form = b.get(home + "/billing")
    b.post(home + "/billing", {"csrf": csrf(form), "name": "Ada Lovelace", "email": "address@example.com",
                               "phone": "1-800-FLOWERS", "address_postal_code": "94105", "address_country": "US"})
    kept = v1.customers.retrieve(c.id)
    assert (kept.name, kept.phone, kept.address.postal_code) == ("Ada Lovelace", "1-800-FLOWERS", "94105")


def test_discounts_are_shown_on_the_plan_and_in_the_preview(server):
    v1 = make_client(server.url, new_key()).v1
    monthly, yearly, coupon, config = business(v1)
    named = v1.coupons.create({"percent_off": 10, "duration": "forever", "name": "Founders"})
    c = v1.customers.create({"email": "disc@example.com", "payment_method": "pm_card_visa",
                             "invoice_settings": {"default_payment_method": "pm_card_visa"}})
    sub = v1.subscriptions.create({"customer": c.id, "items": [{"price": monthly.id}],
                                   "discounts": [{"coupon": coupon.id}, {"coupon": named.id}]})
    b = Browser(server.url, "en")
    home = v1.billing_portal.sessions.create({"customer": c.id, "configuration": config.id}).url
    text = visible_text(b.get(home))
    assert "Discount 20% off until " in text, text[:800]
    assert "Discount Founders: 10% off" in text
    # A promotion code for the next invoice: the preview says what it takes off.
    promo = v1.promotion_codes.create({"promotion": {"type": "coupon", "coupon": v1.coupons.create(
        {"amount_off": 300, "currency": "eur", "duration": "once"}).id}, "code": "THREEOFF"})
    other = v1.customers.create({"email": "disc2@example.com", "payment_method": "pm_card_visa",
                                 "invoice_settings": {"default_payment_method": "pm_card_visa"}})
    sub2 = v1.subscriptions.create({"customer": other.id, "items": [{"price": monthly.id}]})
    home2 = v1.billing_portal.sessions.create({"customer": other.id, "configuration": config.id}).url
    b.get(home2)
    preview = visible_text(b.get(f"{home2}/subscriptions/{sub2.id}/update/preview?price={monthly.id}"
                                 f"&quantity=2&promotion_code=THREEOFF"))
    assert "Discount on the next invoice -€3.00" in preview, preview[:1500]


def test_the_preview_names_the_card_and_other_customers_subscriptions_are_not_found(server):
    p = InPortal(server, "card@example.com")
    v1, monthly, yearly, sub, home, b = p.v1, p.monthly, p.yearly, p.sub, p.url, p.browser
    # Yearly starts a new period, charged today: to the default card.
    preview = visible_text(b.get(f"{home}/subscriptions/{sub.id}/update/preview?price={yearly.id}&quantity=1"))
    assert "Charged to Visa •••• 4242" in preview, preview[:1200]
    # Another customer's subscription is simply not there.
    _, theirs = customer(v1, monthly, "theirs@example.com")
    for path in (f"/subscriptions/{theirs.id}/cancel", f"/subscriptions/{theirs.id}/update"):
        text = visible_text(b.get(home + path, status=404))
        assert "already ended" not in text and "can't be" not in text, text[:600]


def test_a_card_error_marks_its_field(server):
    p = InPortal(server, "field@example.com", flow_data={"type": "payment_method_update"})
    url, b, first = p.url, p.browser, p.first
    for card, field in (({"number": "4242424242424241", "expiry": "12/34"}, "number"),
                        ({"number": "4000000000000127", "expiry": "12/34", "cvc": "123"}, "cvc")):
        page = b.s.post(url + "/payment-methods", data={"csrf": csrf(first), **card}).text
        marked = re.findall(r'id="(\w+)"[^>]*aria-invalid="true"', page)
        assert marked == [field], (field, marked)
    # A plain decline is about the card, not one of its fields.
    page = b.s.post(url + "/payment-methods", data={"csrf": csrf(first), "number": "4000000000000002",
                                                     "expiry": "12/34"}).text
    assert 'aria-invalid="true"' not in page and "declined" in visible_text(page)


def test_interval_tabs_keep_the_quantity_and_code(server):
    p = InPortal(server, "tabs@example.com")
    sub, home, b = p.sub, p.url, p.browser
    page = b.get(f"{home}/subscriptions/{sub.id}/update?quantity=3&promotion_code=A%26B")
    tabs = re.findall(r'href="(\?interval=[^"]+)"', page)
    tabs = [html.unescape(t) for t in tabs]
    assert tabs == ["?interval=month&quantity=3&promotion_code=A%26B"], tabs
    # The other tab submits the form back to this page, with what was typed since.
    (tab,) = re.findall(r'<button type="submit" form="plan-form" formaction="([^"]+)" formnovalidate '
                        r'name="interval" value="year"', page)
    assert html.unescape(tab).endswith(f"/subscriptions/{sub.id}/update")
    yearly = b.get(html.unescape(tab) + "?interval=year&quantity=4&promotion_code=TYPED")
    assert 'name="quantity" value="4"' in yearly and 'value="TYPED"' in yearly
    # The field takes what the configuration allows (1 to 5), and the quantity it starts with.
    assert 'value="4" min="1" max="5"' in yearly
    # A quantity in the address the plan cannot take is not carried (the current one is shown).
    for q in (9, -3):
        assert 'value="1" min="1" max="5"' in b.get(f"{home}/subscriptions/{sub.id}/update?quantity={q}")
    assert re.search(r'aria-current="page">Yearly<', yearly)
    # A plan must be chosen before going on.
    assert all("required" in r for r in re.findall(r'<input type="radio" name="price"[^>]*>', yearly))


def test_a_fixed_quantity_plan_keeps_the_current_quantity(server):
    """The quantity field is hidden for a plan whose quantity is fixed, but a browser still
    sends it: the plan keeps the current quantity instead of refusing a field nobody sees."""
    v1 = make_client(server.url, new_key()).v1
    monthly, yearly, _, config = business(v1)
    team = v1.products.create({"name": "Team"})
    team_monthly = v1.prices.create({"product": team.id, "currency": "eur", "unit_amount": 3000,
                                     "recurring": {"interval": "month"}})
    pro = monthly.product
    v1.billing_portal.configurations.update(config.id, {"features": {"subscription_update": {"products": [
        {"product": pro, "prices": [monthly.id, yearly.id], "adjustable_quantity": {"enabled": True, "maximum": 5}},
        {"product": team.id, "prices": [team_monthly.id]}]}}})
    c, sub = customer(v1, monthly, "fixed@example.com")
    home = v1.billing_portal.sessions.create({"customer": c.id, "configuration": config.id}).url
    b = Browser(server.url, "en")
    b.get(home)
    page = visible_text(b.get(f"{home}/subscriptions/{sub.id}/update/preview?price={team_monthly.id}&quantity=4"))
    assert "New plan Team €30.00 / month" in page, page[:900]
    assert "4 ×" not in page


def test_a_confirm_link_that_changes_nothing_has_nothing_to_confirm(server):
    """A confirm deep link to the plan the subscription already has (made so, or the
    subscription changed to it since) must not claim a change: the page says there is nothing
    to confirm, and posting the form changes nothing and records no event."""
    v1 = make_client(server.url, new_key()).v1
    monthly, yearly, _, config = business(v1)
    b = Browser(server.url, "en")
    c, sub = customer(v1, monthly, "same@example.com")
    item = sub["items"].data[0].id

    def link(items):
        return v1.billing_portal.sessions.create({"customer": c.id, "configuration": config.id, "flow_data": {
            "type": "subscription_update_confirm",
            "subscription_update_confirm": {"subscription": sub.id, "items": items}}}).url

    for items in ([{"id": item}], [{"id": item, "price": monthly.id, "quantity": 1}]):
        text = visible_text(b.get(link(items)))
        assert "Nothing to change" in text and "Confirm" not in text, text[:600]
    # The preview is open when the subscription makes the change through the API: the page
    # then has nothing to confirm, and a click on the old page's Confirm changes nothing.
    url = link([{"id": item, "price": yearly.id}])
    token = csrf(b.get(url))
    v1.subscriptions.update(sub.id, {"items": [{"id": item, "price": yearly.id}], "proration_behavior": "none"})
    mark = v1.events.list({"limit": 1}).data[0].id
    assert "Nothing to change" in visible_text(b.get(url))
    done = b.post(f"{url}/subscriptions/{sub.id}/update", {"csrf": token})
    assert "Nothing to change" in visible_text(done)
    assert v1.events.list({"ending_before": mark}).data == []


def test_a_confirm_link_whose_coupon_code_or_price_went_away_is_no_longer_available(server):
    """What a confirm link names can go away after it is made (its coupon deleted, its
    promotion code deactivated) or after the preview is shown (its price archived): the
    customer is told the change is no longer available, nothing changes, and it is not a
    server error."""
    v1 = make_client(server.url, new_key()).v1
    monthly, yearly, coupon, config = business(v1)
    b = Browser(server.url, "en")

    def link(email, discounts=None):
        c, sub = customer(v1, monthly, email)
        fd = {"subscription": sub.id, "items": [{"id": sub["items"].data[0].id, "price": yearly.id}]}
        if discounts:
            fd["discounts"] = discounts
        url = v1.billing_portal.sessions.create({"customer": c.id, "configuration": config.id, "flow_data": {
            "type": "subscription_update_confirm", "subscription_update_confirm": fd}}).url
        return url, sub

    gone = v1.coupons.create({"percent_off": 10})
    url, _ = link("coupon@example.com", [{"coupon": gone.id}])
    v1.coupons.delete(gone.id)
    assert "This change is no longer available" in visible_text(b.get(url, status=409))

    promo = v1.promotion_codes.create({"promotion": {"type": "coupon", "coupon": coupon.id}, "code": "SOON"})
    url, _ = link("promo@example.com", [{"promotion_code": promo.id}])
    v1.promotion_codes.update(promo.id, {"active": False})
    assert "This change is no longer available" in visible_text(b.get(url, status=409))

    url, sub = link("price@example.com")
    token = csrf(b.get(url))
    v1.prices.update(yearly.id, {"active": False})
    mark = v1.events.list({"limit": 1}).data[0].id
    done = b.post(f"{url}/subscriptions/{sub.id}/update", {"csrf": token}, status=409)
    assert "This change is no longer available" in visible_text(done)
    assert v1.subscriptions.retrieve(sub.id)["items"].data[0].price.id == monthly.id
    assert v1.events.list({"ending_before": mark}).data == []


def test_the_card_form_belongs_to_the_card_flow_and_plan_changes_only(server):
    """A cancellation flow has no card form (it would end the flow as a card update without
    canceling); inside a plan change's flow a new card leads back to the change instead of
    ending the flow."""
    v1 = make_client(server.url, new_key()).v1
    monthly, yearly, _, config = business(v1)
    b = Browser(server.url, "en")
    c, sub = customer(v1, monthly, "cancel-card@example.com")
    url = v1.billing_portal.sessions.create({"customer": c.id, "configuration": config.id, "flow_data": {
        "type": "subscription_cancel", "subscription_cancel": {"subscription": sub.id}}}).url
    first = b.get(url)
    r = b.s.get(url + "/payment-methods/new", allow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].endswith(f"/subscriptions/{sub.id}/cancel"), r.headers
    r = b.s.post(url + "/payment-methods", data={"csrf": csrf(first), "number": "4242424242424242",
                                                 "expiry": "12/34"}, allow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].endswith(f"/subscriptions/{sub.id}/cancel")
    assert len(v1.customers.payment_methods.list(c.id).data) == 1

    c2, sub2 = customer(v1, monthly, "update-card@example.com")
    url2 = v1.billing_portal.sessions.create({"customer": c2.id, "configuration": config.id, "flow_data": {
        "type": "subscription_update", "subscription_update": {"subscription": sub2.id}}}).url
    b.get(url2)
    form = b.get(url2 + "/payment-methods/new")
    r = b.s.post(url2 + "/payment-methods", data={"csrf": csrf(form), "number": "5555555555554444",
                                                  "expiry": "12/34"}, allow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].endswith(f"/subscriptions/{sub2.id}/update"), r.headers
    # The card is saved as the default, and the flow goes on: its plan page, not a confirmation.
    assert v1.customers.retrieve(c2.id).invoice_settings.default_payment_method is not None
    plans = visible_text(b.get(f"{url2}/subscriptions/{sub2.id}/update"))
    assert "Continue" in plans and "Mastercard" not in plans, plans[:400]


def test_a_form_address_reloaded_leads_to_its_page(server):
    # A page restored or reloaded at a form's address (after a decline, say) asks with GET.
    p = InPortal(server, "reload@example.com")
    url, b = p.url, p.browser
    token = url.rsplit("/", 1)[1]
    pm = p.customer.invoice_settings.default_payment_method
    for path, to in (("/payment-methods", "/payment-methods/new"),
                     (f"/payment-methods/{pm}/default", ""),
                     (f"/subscriptions/{p.sub.id}/renew", "")):
        r = b.s.get(url + path, allow_redirects=False, timeout=30)
        assert r.status_code == 303, (path, r.status_code)
        assert r.headers["location"] == f"/p/session/{token}{to}", (path, r.headers["location"])
        assert "frame-ancestors 'none'" in r.headers["content-security-policy"]
    # A link nobody made leads nowhere.
    r = b.s.get(server.url + "/p/session/nothing/payment-methods", allow_redirects=False, timeout=30)
    assert r.status_code == 404


def test_a_card_chosen_in_the_portal_is_the_one_subscriptions_charge(server):
    # A subscription with a card of its own (as Checkout leaves it) would otherwise go on
    # charging that card: the portal gives it the card the customer chooses.
    p = InPortal(server, "own-card@example.com", flow_data={"type": "payment_method_update"})
    v1, url, b, first = p.v1, p.url, p.browser, p.first
    own = v1.payment_methods.attach("pm_card_mastercard", {"customer": p.customer.id})
    v1.subscriptions.update(p.sub.id, {"default_payment_method": own.id})
    page = b.s.post(url + "/payment-methods", data={"csrf": csrf(first), "number": "5555555555554444",
                                                     "expiry": "12/34", "cvc": "123"})
    assert page.status_code in (200, 303), page.status_code
    new_default = v1.customers.retrieve(p.customer.id).invoice_settings.default_payment_method
    assert new_default not in (None, own.id)
    assert v1.subscriptions.retrieve(p.sub.id).default_payment_method == new_default
    updated = v1.events.list({"type": "customer.subscription.updated", "limit": 1}).data[0]
    assert updated.data.previous_attributes["default_payment_method"] == own.id

    # Making another card the default on the homepage does the same.
    home = InPortal(server, "own-card-home@example.com")
    v1, b = home.v1, home.browser
    other = v1.payment_methods.attach("pm_card_amex", {"customer": home.customer.id})
    v1.subscriptions.update(home.sub.id, {"default_payment_method": other.id})
    first_card = v1.customers.retrieve(home.customer.id).invoice_settings.default_payment_method
    # (The fixture's card is already the customer's default: choosing it again still counts.)
    page = b.get(home.url)
    b.s.post(f"{home.url}/payment-methods/{first_card}/default", data={"csrf": csrf(page)})
    assert v1.subscriptions.retrieve(home.sub.id).default_payment_method == first_card


def test_a_change_left_waiting_on_3d_secure_can_be_finished_later(server):
    # The customer confirms a change, is sent to authenticate the payment, and leaves: the
    # update pages and the homepage lead back to the authentication instead of a dead end.
    p = InPortal(server, "left-3ds@example.com")
    v1, home, b, sub = p.v1, p.url, p.browser, p.sub
    secure = v1.payment_methods.attach("pm_card_authenticationRequired", {"customer": p.customer.id})
    v1.customers.update(p.customer.id, {"invoice_settings": {"default_payment_method": secure.id}})
    preview = b.get(f"{home}/subscriptions/{sub.id}/update/preview?price={p.yearly.id}&quantity=1")
    form = re.search(r'<form method="post" action="([^"]+)"', preview).group(1)
    fields = {html.unescape(k): html.unescape(v)
              for k, v in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', preview)}
    r = b.s.post(server.url + html.unescape(form), data=fields, allow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/p/authenticate/"), r.status_code
    to_authenticate = r.headers["location"]
    assert v1.subscriptions.retrieve(sub.id).pending_update is not None

    # Back on the update pages: the way to finish it.
    page = b.get(f"{home}/subscriptions/{sub.id}/update")
    assert "waiting for authentication" in visible_text(page)
    resume = html.unescape(re.search(r'<a class="button primary" href="([^"]+)"', page).group(1))
    assert resume == f"{home.replace(server.url, '')}/subscriptions/{sub.id}/update/resume"
    # The homepage says what is waiting, with the same way.
    text = visible_text(b.get(home))
    assert "A change to Pro (€120.00 / year) is waiting for your card to be authenticated." in text, text[:900]
    assert "Authenticate payment" in text
    # It leads to the same authentication; approving it there applies the change.
    auth = b.s.get(server.url + resume)
    assert auth.url.split("?")[0] == server.url + to_authenticate.split("?")[0]
    r = b.s.post(auth.url, data={"csrf": csrf(auth.text), "outcome": "approve"})
    assert r.status_code == 200, r.status_code
    done = v1.subscriptions.retrieve(sub.id)
    assert done.pending_update is None and done["items"].data[0].price.id == p.yearly.id
    text = visible_text(r.text)
    assert "Your subscription has been updated." in text and "Pro €120.00 / year" in text, text[:800]
    # Nothing waits any more: the link leads to the portal as it is.
    assert b.s.get(server.url + resume).url == home


def test_an_immediate_cancellation_says_what_it_credits(server):
    v1 = make_client(server.url, new_key()).v1
    monthly, _, _, config = business(v1)
    v1.billing_portal.configurations.update(config.id, {"features": {"subscription_cancel": {
        "mode": "immediately", "proration_behavior": "create_prorations"}}})
    clock = v1.test_helpers.test_clocks.create({"frozen_time": 1_775_001_600})  # April 1, 2026
    c = v1.customers.create({"test_clock": clock.id, "payment_method": "pm_card_visa",
                             "invoice_settings": {"default_payment_method": "pm_card_visa"}})
    sub = v1.subscriptions.create({"customer": c.id, "items": [{"price": monthly.id}],
                                   "discounts": [{"coupon": v1.coupons.create({"percent_off": 25, "duration": "forever"}).id}]})
    v1.test_helpers.test_clocks.advance(clock.id, {"frozen_time": 1_775_001_600 + 20 * 86400})
    url = v1.billing_portal.sessions.create({"customer": c.id, "configuration": config.id, "flow_data": {
        "type": "subscription_cancel", "subscription_cancel": {"subscription": sub.id}}}).url
    b = Browser(server.url, "en")
    summary = b.get(url)
    # A third of April left (10 of 30 days), at the 25% off it was paid with.
    credit = round(monthly.unit_amount * 10 / 30 * 0.75)
    amount = f"€{credit // 100:,}.{credit % 100:02d}"
    assert f"The unused time on your current period, {amount}, will be credited to your account." in visible_text(summary)
    b.post(f"{url}/subscriptions/{sub.id}/cancel", {"csrf": csrf(summary), "action": "cancel"})
    assert v1.subscriptions.retrieve(sub.id).status == "canceled"
    # As the API's `prorate`: a pending credit proration, at the discount it was paid with, for
    # the customer's next invoice that takes it.
    (pending,) = v1.invoice_items.list({"customer": c.id, "pending": True}).data
    assert pending.proration and pending.parent.subscription_details.subscription == sub.id
    assert v1.customers.retrieve(c.id).balance == 0
    inv = v1.invoices.create({"customer": c.id, "subscription": sub.id, "pending_invoice_items_behavior": "include"})
    assert v1.invoices.finalize_invoice(inv.id).total == -credit
    assert v1.customers.retrieve(c.id).balance == -credit
    # The homepage says what the balance holds.
    home = v1.billing_portal.sessions.create({"customer": c.id, "configuration": config.id}).url
    assert f"Your account has a credit of {amount}, used on your next invoices." in visible_text(b.get(home))


def test_on_behalf_of_another_account_the_last_card_stays_while_a_subscription_runs(server):
    """Such a session shows none of the customer's subscriptions (none is made on behalf of
    another account), but the one that runs still needs its card; and no flow can open one."""
    v1 = make_client(server.url, new_key()).v1
    monthly, _, _, config = business(v1)
    c, sub = customer(v1, monthly, "obo@example.com")
    expect_error(lambda: v1.billing_portal.sessions.create({
        "customer": c.id, "configuration": config.id, "on_behalf_of": "acct_1Other",
        "flow_data": {"type": "subscription_cancel", "subscription_cancel": {"subscription": sub.id}}}),
        param="flow_data[subscription_cancel][subscription]", message="on behalf of acct_1Other")
    url = v1.billing_portal.sessions.create({"customer": c.id, "configuration": config.id,
                                             "on_behalf_of": "acct_1Other"}).url
    b = Browser(server.url, "en")
    home = b.get(url)
    assert "Remove" not in visible_text(home)
    card = v1.customers.retrieve(c.id).invoice_settings.default_payment_method
    form = b.get(f"{url}/payment-methods/new")
    r = b.s.post(f"{url}/payment-methods/{card}/remove", data={"csrf": csrf(form)}, allow_redirects=False)
    assert r.status_code != 303 or "card_removed" not in r.headers.get("location", "")
    assert v1.payment_methods.retrieve(card).customer == c.id


def test_the_card_a_subscription_is_charged_to_stays(server):
    """A subscription with a card of its own (as Checkout leaves it) keeps that card: the portal
    offers no way to remove it while the subscription runs, as for the customer's default."""
    v1 = make_client(server.url, new_key()).v1
    monthly, _, _, config = business(v1)
    c, sub = customer(v1, monthly, "own-card@example.com")
    own = v1.payment_methods.attach("pm_card_mastercard", {"customer": c.id})
    v1.subscriptions.update(sub.id, {"default_payment_method": own.id})
    spare = v1.payment_methods.attach("pm_card_amex", {"customer": c.id})
    url = v1.billing_portal.sessions.create({"customer": c.id, "configuration": config.id}).url
    b = Browser(server.url, "en")
    home = b.get(url)
    removable = re.findall(r'/payment-methods/(pm_[A-Za-z0-9]+)/remove', home)
    assert removable == [spare.id], removable
    # The plan says which card it is charged to, the reason that card stays.
    assert "Charged to Mastercard •••• 4444" in visible_text(home)
    assert "Current plan" in visible_text(home) and "Current plans" not in visible_text(home)
    v1.subscriptions.create({"customer": c.id, "items": [{"price": monthly.id}]})
    again = visible_text(b.get(url))
    assert "Current plans" in again and again.count("Charged to Mastercard") == 1
    form = b.get(f"{url}/payment-methods/new")
    r = b.s.post(f"{url}/payment-methods/{own.id}/remove", data={"csrf": csrf(form)}, allow_redirects=False)
    assert r.status_code != 303 or "card_removed" not in r.headers.get("location", "")
    assert v1.payment_methods.retrieve(own.id).customer == c.id


def test_a_subscription_waiting_on_a_payment_leads_to_its_invoice(server):
    v1 = make_client(server.url, new_key()).v1
    monthly, _, _, config = business(v1)
    c = v1.customers.create({"email": "unpaid@example.com", "payment_method": "pm_card_chargeCustomerFail",
                             "invoice_settings": {"default_payment_method": "pm_card_chargeCustomerFail"}})
    sub = v1.subscriptions.create({"customer": c.id, "items": [{"price": monthly.id}],
                                   "payment_behavior": "allow_incomplete"})
    assert sub.status == "incomplete"
    url = v1.billing_portal.sessions.create({"customer": c.id, "configuration": config.id}).url
    b = Browser(server.url, "en")
    home = b.get(url)
    text = visible_text(home)
    assert "Its first invoice is waiting to be paid" in text and "Renews on" not in text
    (pay,) = re.findall(r'<a class="button primary" href="([^"]+)">Pay invoice</a>', home)
    hosted = v1.invoices.retrieve(sub.latest_invoice).hosted_invoice_url
    portal = urllib.parse.urlparse(b.s.get(url).url).path
    assert html.unescape(pay) == hosted + "?" + urllib.parse.urlencode({"back": portal})
    # The payment page leads back to the portal, and keeps that way back through its forms: a
    # declined card's page, then the paid one, still have it.
    page = b.get(html.unescape(pay))
    assert f'<a href="{portal}"><span aria-hidden="true">←</span> Back to your account</a>' in page
    assert f'<input type="hidden" name="back" value="{portal}">' in page
    action = hosted.removeprefix(server.url) + "/card"
    form = {"csrf": csrf(page), "back": portal, "expiry": "12 / 34", "cvc": "123"}
    declined = b.post(action, {**form, "number": "4000 0000 0000 0002"}, status=402)
    assert "Back to your account" in declined
    paid = b.post(action, {**form, "number": "4242 4242 4242 4242"})
    assert "This invoice is paid" in paid and f'<a href="{portal}">' in paid
    # Only a portal homepage is a way back: anything else is dropped.
    for other in ["https://evil.example/", "/p/session/nope", "//evil.example/p/session/x"]:
        page = b.get(hosted + "?" + urllib.parse.urlencode({"back": other}))
        assert "Back to your account" not in page and "evil" not in page


def test_a_past_due_subscription_leads_to_its_unpaid_invoice_during_a_renewals_hour(server):
    # A daily plan: the first renewal is declined (past due); the next one's invoice is a draft
    # for its hour, and the latest invoice. "Pay invoice" still leads to the unpaid one.
    v1 = make_client(server.url, new_key()).v1
    _, _, _, config = business(v1)
    daily = v1.prices.create({"product_data": {"name": "Daily"}, "currency": "eur", "unit_amount": 100,
                              "recurring": {"interval": "day"}})
    t0 = 1_767_225_600
    clock = v1.test_helpers.test_clocks.create({"frozen_time": t0})
    c = v1.customers.create({"email": "daily@example.com", "test_clock": clock.id, "payment_method": "pm_card_visa",
                             "invoice_settings": {"default_payment_method": "pm_card_visa"}})
    sub = v1.subscriptions.create({"customer": c.id, "items": [{"price": daily.id}]})
    bad = v1.payment_methods.attach("pm_card_chargeCustomerFail", {"customer": c.id})
    v1.customers.update(c.id, {"invoice_settings": {"default_payment_method": bad.id}})
    v1.test_helpers.test_clocks.advance(clock.id, {"frozen_time": t0 + 86_400 + 3600})
    failed = v1.subscriptions.retrieve(sub.id)
    assert failed.status == "past_due"
    v1.test_helpers.test_clocks.advance(clock.id, {"frozen_time": t0 + 2 * 86_400 + 60})
    latest = v1.invoices.retrieve(v1.subscriptions.retrieve(sub.id).latest_invoice)
    assert latest.status == "draft" and latest.id != failed.latest_invoice
    url = v1.billing_portal.sessions.create({"customer": c.id, "configuration": config.id}).url
    b = Browser(server.url, "en")
    home = b.get(url)
    (pay,) = re.findall(r'<a class="button primary" href="([^"]+)">Pay invoice</a>', home)
    hosted = v1.invoices.retrieve(failed.latest_invoice).hosted_invoice_url
    assert html.unescape(pay).startswith(hosted + "?back=")
    # The invoice's own page in the portal leads to the same payment page, with its way back.
    page = b.get(f"{url}/invoices/{failed.latest_invoice}")
    (pay,) = re.findall(r'class="actions pay-link"><a class="button primary" href="([^"]+)"', page)
    assert html.unescape(pay).startswith(hosted + "?back=")
    assert "Back to your account" in visible_text(b.get(html.unescape(pay)))


def test_a_downgrade_that_credits_says_where_the_credit_goes(server):
    """Yearly (€120) to monthly (€12) at once: today's invoice is a credit, kept on the
    customer's balance, and the next invoice spends it."""
    v1 = make_client(server.url, new_key()).v1
    monthly, yearly, _, config = business(v1)
    v1.billing_portal.configurations.update(config.id, {"features": {"subscription_update": {
        "proration_behavior": "always_invoice"}}})
    c, _ = customer(v1, monthly, "down@example.com")
    sub = v1.subscriptions.create({"customer": c.id, "items": [{"price": yearly.id}]})
    item = sub["items"].data[0].id
    url = v1.billing_portal.sessions.create({"customer": c.id, "configuration": config.id, "flow_data": {
        "type": "subscription_update_confirm", "subscription_update_confirm": {
            "subscription": sub.id, "items": [{"id": item, "price": monthly.id}]}}}).url
    b = Browser(server.url, "en")
    text = visible_text(b.get(url))
    preview = v1.invoices.create_preview({"subscription": sub.id, "subscription_details": {
        "items": [{"id": item, "price": monthly.id}], "proration_behavior": "always_invoice"}})
    assert preview.total < 0
    credit = -preview.total
    # A second or two may pass between the two previews: the credit is matched to the cent or so.
    m = re.search(r"Your account balance will hold a credit of €([\d,]+)\.(\d\d), used on your next invoices\.", text)
    assert m, text
    shown = int(m.group(1).replace(",", "")) * 100 + int(m.group(2))
    assert abs(shown - credit) <= 2
    assert "Amount due today €0.00" in text
    # The next invoice (a month of €12) is paid from that credit.
    assert re.search(r"Next invoice on [^€]+€0\.00", text), text


def test_the_update_page_says_when_there_is_nothing_to_change_to(server):
    v1 = make_client(server.url, new_key()).v1
    monthly, _, _, _ = business(v1)
    only = v1.billing_portal.configurations.create({
        "default_return_url": "https://app.example.com/account",
        "features": {"payment_method_update": {"enabled": True}, "subscription_update": {
            "enabled": True, "default_allowed_updates": ["price"],
            "products": [{"product": monthly.product, "prices": [monthly.id]}]}}})
    c, sub = customer(v1, monthly, "only@example.com")
    url = v1.billing_portal.sessions.create({"customer": c.id, "configuration": only.id}).url
    b = Browser(server.url, "en")
    b.get(url)
    page = b.get(f"{url}/subscriptions/{sub.id}/update")
    assert "There is no other plan to switch this subscription to right now." in visible_text(page)
    assert 'id="plan-form"' not in page


def test_the_invoice_history_goes_back_page_by_page(server):
    # 31 invoices (the subscription's first, then 30 made by hand) and two drafts, which are
    # never shown: the homepage lists the newest 24, then "Older invoices" the other 7.
    p = InPortal(server, "history@example.com")
    v1, cus = p.v1, p.customer
    made = [v1.subscriptions.retrieve(p.sub.id).latest_invoice]
    for n in range(30):
        inv = v1.invoices.create({"customer": cus.id, "currency": "eur", "description": f"Invoice {n}"})
        made.append(v1.invoices.finalize_invoice(inv.id).id)
        if n in (3, 20):
            v1.invoices.create({"customer": cus.id, "currency": "eur"})
    newest_first = made[::-1]
    listed = lambda page: re.findall(r'href="/p/session/[^"]+/invoices/(in_[^"]+)"', page)
    home = p.browser.get(p.url)
    assert listed(home) == newest_first[:24]
    older = re.search(r'href="(/p/session/[^"]+/invoices\?after=[^"]+)">Older invoices', home)
    assert older, visible_text(home)[-600:]
    assert older.group(1).endswith(f"after={newest_first[23]}")
    rest = p.browser.get(older.group(1))
    assert listed(rest) == newest_first[24:]
    assert "Older invoices" not in rest and "Invoice history" in visible_text(rest)
    # The whole history from the top, and a place that is not one of this customer's invoices.
    assert listed(p.browser.get(p.url + "/invoices")) == newest_first[:24]
    _, their_sub = customer(v1, p.monthly, "history-other@example.com")
    theirs = v1.subscriptions.retrieve(their_sub.id).latest_invoice
    p.browser.get(f"{p.url}/invoices?after={theirs}", status=404)
    p.browser.get(f"{p.url}/invoices?after=in_nothing", status=404)
    # A customer with a few invoices has no older page to go to.
    assert "Older invoices" not in InPortal(server, "history-few@example.com").first


def test_the_invoice_history_page_follows_the_configuration(server):
    p = InPortal(server, "no-history@example.com")
    p.v1.billing_portal.configurations.update(p.config.id, {"features": {"invoice_history": {"enabled": False}}})
    p.browser.get(p.url + "/invoices", status=404)


def test_a_tiered_plan_shows_what_its_quantity_costs(server):
    """A tiered price has no one price per unit: the portal shows what the quantity costs under
    it, the plan page offers it at the current quantity's cost, and changes to and from it are
    previewed and made with the tiers' amounts."""
    v1 = make_client(server.url, new_key()).v1
    monthly, yearly, _, config = business(v1)
    seats = v1.prices.create({"product": monthly.product, "currency": "eur", "billing_scheme": "tiered",
                              "tiers_mode": "graduated", "recurring": {"interval": "month"},
                              "tiers": [{"up_to": 2, "unit_amount": 1000, "flat_amount": 500},
                                        {"up_to": "inf", "unit_amount": 800}]})
    v1.billing_portal.configurations.update(config.id, {"features": {"subscription_update": {
        "proration_behavior": "none", "products": [
            {"product": monthly.product, "prices": [monthly.id, seats.id],
             "adjustable_quantity": {"enabled": True, "maximum": 10}}]}}})
    c, sub = customer(v1, monthly, "tiers@example.com")
    item = sub["items"].data[0].id
    v1.subscriptions.update(sub.id, {"items": [{"id": item, "quantity": 3}], "proration_behavior": "none"})
    home = v1.billing_portal.sessions.create({"customer": c.id, "configuration": config.id}).url
    b = Browser(server.url, "en")
    b.get(home)
    # On the plan page, at 3 seats: 2 × €10 + €5 + 1 × €8 = €33 a month.
    plans = visible_text(b.get(f"{home}/subscriptions/{sub.id}/update"))
    assert "€12.00 / month" in plans and "€33.00 / month for 3" in plans, plans[:1200]
    preview = visible_text(b.get(f"{home}/subscriptions/{sub.id}/update/preview?price={seats.id}&quantity=4"))
    assert "€41.00 / month for 4" in preview, preview[:1500]
    page = b.get(f"{home}/subscriptions/{sub.id}/update/preview?price={seats.id}&quantity=4")
    done = visible_text(b.post(f"{home}/subscriptions/{sub.id}/update",
                               {"csrf": csrf(page), "price": seats.id, "quantity": "4"}))
    after = v1.subscriptions.retrieve(sub.id)["items"].data[0]
    assert (after.price.id, after.price.billing_scheme, after.quantity) == (seats.id, "tiered", 4), done[:600]
    text = visible_text(b.get(home))
    assert "€41.00 / month for 4" in text, text[:1200]


def test_a_plan_change_on_sent_invoices_is_invoiced_not_charged(server):
    """A subscription whose invoices are sent for payment: the preview says the amount will be
    invoiced, due on a date, not charged to a card, and the change leaves the invoice open."""
    v1 = make_client(server.url, new_key()).v1
    monthly, yearly, _, config = business(v1)
    v1.billing_portal.configurations.update(config.id, {"features": {"subscription_update": {
        "proration_behavior": "always_invoice"}}})
    c, sub = customer(v1, monthly, "sent@example.com")
    v1.subscriptions.update(sub.id, {"collection_method": "send_invoice", "days_until_due": 10})
    home = v1.billing_portal.sessions.create({"customer": c.id, "configuration": config.id}).url
    b = Browser(server.url, "en")
    b.get(home)
    page = b.get(f"{home}/subscriptions/{sub.id}/update/preview?price={monthly.id}&quantity=3")
    text = visible_text(page)
    assert "You'll be sent an invoice for this amount, due " in text and "Charged to" not in text, text[:1500]
    done = visible_text(b.post(f"{home}/subscriptions/{sub.id}/update",
                               {"csrf": csrf(page), "price": monthly.id, "quantity": "3"}))
    assert "You were charged" not in done, done[:600]
    after = v1.subscriptions.retrieve(sub.id, {"expand": ["latest_invoice"]})
    assert after["items"].data[0].quantity == 3 and after.status == "active"
    inv = after.latest_invoice
    assert (inv.status, inv.collection_method, inv.amount_paid) == ("open", "send_invoice", 0) and inv.amount_due > 0

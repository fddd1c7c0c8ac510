"""The portal API: `/v1/billing_portal/configurations` and `/v1/billing_portal/sessions`.

Every validation rule of the reference (S1–S20 for sessions, C1–C16 for configurations) is a
row of a table below, asserting the HTTP status and the error's `type`, `code` and `param`.
Sessions for every flow type × after_completion type are created with stripe-python and
validated against Stripe's published schema.
"""

from __future__ import annotations

import itertools

import pytest
import stripe

from helpers import Raw, body_of, check, check_error, make_client, new_key

RETURN = "https://app.example.com/account"
DONE = "https://app.example.com/done"


class World:
    """A business with plans, a customer with a card and an active subscription, and a
    configuration with every feature on."""

    def __init__(self, v1, raw: Raw):
        self.v1, self.raw = v1, raw
        self.pro = v1.products.create({"name": "Pro"})
        self.monthly = v1.prices.create({"product": self.pro.id, "currency": "usd", "unit_amount": 1500,
                                         "recurring": {"interval": "month"}})
        self.yearly = v1.prices.create({"product": self.pro.id, "currency": "usd", "unit_amount": 15000,
                                        "recurring": {"interval": "year"}})
        self.team = v1.products.create({"name": "Team"})
        self.team_monthly = v1.prices.create({"product": self.team.id, "currency": "usd", "unit_amount": 4000,
                                              "recurring": {"interval": "month"}})
        self.one_time = v1.prices.create({"product": self.team.id, "currency": "usd", "unit_amount": 900})
        self.eur = v1.prices.create({"product": self.team.id, "currency": "eur", "unit_amount": 4000,
                                     "recurring": {"interval": "month"}})
        self.customer = v1.customers.create({"email": "ada@example.com", "payment_method": "pm_card_visa",
                                             "invoice_settings": {"default_payment_method": "pm_card_visa"}})
        self.sub = v1.subscriptions.create({"customer": self.customer.id, "items": [{"price": self.monthly.id}]})
        self.item = self.sub["items"].data[0].id
        self.coupon = v1.coupons.create({"percent_off": 20, "duration": "repeating", "duration_in_months": 3})
        self.promo = v1.promotion_codes.create({"promotion": {"type": "coupon", "coupon": self.coupon.id},
                                                "code": "SAVE20"})
        self.config = v1.billing_portal.configurations.create(full_features(self))

    def session(self, **data) -> dict:
        """Form fields for a session of the world's customer, plus `data`."""
        return {"customer": self.customer.id, **data}


def full_features(w) -> dict:
    return {
        "business_profile": {"headline": "Acme billing", "privacy_policy_url": "https://acme.test/privacy",
                             "terms_of_service_url": "https://acme.test/terms"},
        "default_return_url": RETURN,
        "features": {
            "customer_update": {"enabled": True, "allowed_updates": ["email", "address", "name", "phone"]},
            "invoice_history": {"enabled": True},
            "payment_method_update": {"enabled": True},
            "subscription_cancel": {"enabled": True, "mode": "at_period_end",
                                    "cancellation_reason": {"enabled": True, "options": ["too_expensive", "other"]}},
            "subscription_update": {
                "enabled": True, "default_allowed_updates": ["price", "quantity", "promotion_code"],
                "proration_behavior": "create_prorations",
                "products": [{"product": w.pro.id, "prices": [w.monthly.id, w.yearly.id],
                              "adjustable_quantity": {"enabled": True, "minimum": 1, "maximum": 10}},
                             {"product": w.team.id, "prices": [w.team_monthly.id]}],
                "schedule_at_period_end": {"conditions": [{"type": "decreasing_item_amount"}]},
            },
        },
        "metadata": {"team": "billing"},
        "name": "Everything on",
    }


@pytest.fixture
def world(v1, raw) -> World:
    return World(v1, raw)


# ---------------------------------------------------------------------------------------------
# Configurations


def test_omitted_features_serialise_as_stripe_does(v1):
    c = check(v1.billing_portal.configurations.create(
        {"features": {"customer_update": {"enabled": True, "allowed_updates": ["email"]},
                      "invoice_history": {"enabled": True}}}))
    body = body_of(c)
    assert c.id.startswith("bpc_") and c.object == "billing_portal.configuration"
    assert (c.active, c.is_default, c.livemode, c.application) == (True, False, False, None)
    assert body["business_profile"] == {"headline": None, "privacy_policy_url": None, "terms_of_service_url": None}
    assert body["login_page"] == {"enabled": False, "url": None}
    assert (body["metadata"], body["default_return_url"], body["name"]) == ({}, None, None)
    f = body["features"]
    assert f["customer_update"] == {"allowed_updates": ["email"], "enabled": True}
    assert f["payment_method_update"] == {"enabled": False, "payment_method_configuration": None}
    assert f["subscription_cancel"] == {
        "cancellation_reason": {"enabled": False,
                                "options": ["too_expensive", "missing_features", "switched_service", "unused", "other"]},
        "enabled": False, "mode": "at_period_end", "proration_behavior": "none"}
    assert f["subscription_update"] == {
        "billing_cycle_anchor": None, "default_allowed_updates": [], "enabled": False, "products": None,
        "proration_behavior": "none", "schedule_at_period_end": {"conditions": []},
        "trial_update_behavior": "end_trial"}
    assert c.created == c.updated


def test_every_feature_round_trips(world):
    v1 = world.v1
    c = check(world.config)
    body = body_of(c)
    assert body["business_profile"]["headline"] == "Acme billing"
    assert body["default_return_url"] == RETURN and body["name"] == "Everything on"
    su = body["features"]["subscription_update"]
    assert su["default_allowed_updates"] == ["price", "quantity", "promotion_code"]
    assert su["products"] == [
        {"adjustable_quantity": {"enabled": True, "maximum": 10, "minimum": 1},
         "prices": [world.monthly.id, world.yearly.id], "product": world.pro.id},
        {"adjustable_quantity": {"enabled": False, "maximum": None, "minimum": 1},
         "prices": [world.team_monthly.id], "product": world.team.id}]
    assert su["schedule_at_period_end"] == {"conditions": [{"type": "decreasing_item_amount"}]}
    assert body["features"]["subscription_cancel"]["cancellation_reason"] == {
        "enabled": True, "options": ["too_expensive", "other"]}
    # Retrieve shows the same object.
    assert body_of(v1.billing_portal.configurations.retrieve(c.id)) == body
    # Update: each feature, clearing with "", the login page.
    u = check(v1.billing_portal.configurations.update(c.id, {
        "features": {"subscription_update": {"enabled": False, "products": "", "default_allowed_updates": "",
                                             "schedule_at_period_end": {"conditions": ""},
                                             "trial_update_behavior": "continue_trial",
                                             "billing_cycle_anchor": "now"},
                     "subscription_cancel": {"mode": "immediately", "proration_behavior": "create_prorations",
                                             "cancellation_reason": {"enabled": False}},
                     "customer_update": {"allowed_updates": ""},
                     "payment_method_update": {"enabled": False}},
        "business_profile": {"headline": "", "privacy_policy_url": ""},
        "login_page": {"enabled": True},
        "metadata": {"team": "", "owner": "ops"},
        "name": "",
        "default_return_url": "",
    }))
    b = body_of(u)
    su = b["features"]["subscription_update"]
    assert (su["products"], su["default_allowed_updates"], su["schedule_at_period_end"]) == ([], [], {"conditions": []})
    assert (su["trial_update_behavior"], su["billing_cycle_anchor"]) == ("continue_trial", "now")
    assert su["enabled"] is False
    sc = b["features"]["subscription_cancel"]
    assert (sc["mode"], sc["proration_behavior"], sc["cancellation_reason"]["enabled"]) == (
        "immediately", "create_prorations", False)
    assert sc["cancellation_reason"]["options"] == ["too_expensive", "other"], "kept when only enabled is sent"
    assert b["features"]["customer_update"] == {"allowed_updates": [], "enabled": True}
    assert b["features"]["payment_method_update"]["enabled"] is False
    assert b["business_profile"] == {"headline": None, "privacy_policy_url": None,
                                     "terms_of_service_url": "https://acme.test/terms"}
    assert b["metadata"] == {"owner": "ops"} and b["name"] is None and b["default_return_url"] is None
    assert b["login_page"]["enabled"] is True
    url = b["login_page"]["url"]
    assert url.startswith(world.raw.base_url + "/p/login/") and len(url.rsplit("/", 1)[1]) >= 43
    # Enabling again keeps the link; disabling deactivates it; enabling anew makes a new one.
    again = body_of(v1.billing_portal.configurations.update(c.id, {"login_page": {"enabled": True}}))
    assert again["login_page"]["url"] == url
    off = body_of(v1.billing_portal.configurations.update(c.id, {"login_page": {"enabled": False}}))
    assert off["login_page"] == {"enabled": False, "url": None}
    on = body_of(v1.billing_portal.configurations.update(c.id, {"login_page": {"enabled": True}}))
    assert on["login_page"]["url"] not in (None, url)
    # metadata="" clears every key (update only).
    assert body_of(v1.billing_portal.configurations.update(c.id, {"metadata": ""}))["metadata"] == {}
    assert u.updated >= c.updated


def test_list_filters_and_deactivation(world):
    v1 = world.v1
    # The default configuration is created on first use: a session without `configuration`.
    s = v1.billing_portal.sessions.create({"customer": world.customer.id, "return_url": RETURN})
    default = v1.billing_portal.configurations.retrieve(s.configuration)
    assert default.is_default and default.active
    second = v1.billing_portal.configurations.create({"features": {"invoice_history": {"enabled": True}}})
    check(v1.billing_portal.configurations.update(second.id, {"active": False}))
    everything = v1.billing_portal.configurations.list()
    check(body_of(everything))
    assert [c.id for c in everything.data] == [second.id, default.id, world.config.id]
    assert [c.id for c in v1.billing_portal.configurations.list({"is_default": True}).data] == [default.id]
    assert [c.id for c in v1.billing_portal.configurations.list({"is_default": False}).data] == [second.id, world.config.id]
    assert [c.id for c in v1.billing_portal.configurations.list({"active": False}).data] == [second.id]
    assert [c.id for c in v1.billing_portal.configurations.list({"active": True, "limit": 1}).data] == [default.id]
    page = v1.billing_portal.configurations.list({"limit": 1, "starting_after": default.id})
    assert [c.id for c in page.data] == [world.config.id] and page.has_more is False
    # The default cannot be deactivated; there is no delete.
    r = world.raw.post(f"/v1/billing_portal/configurations/{default.id}", data={"active": "false"})
    check_error(r, 400, param="active")
    r = world.raw.delete(f"/v1/billing_portal/configurations/{second.id}")
    check_error(r, 404)
    # Reactivating works.
    assert v1.billing_portal.configurations.update(second.id, {"active": True}).active is True


def test_default_configuration_is_shared_by_concurrent_first_uses(portico_url):
    key = new_key()
    v1 = make_client(portico_url, key).v1
    cus = v1.customers.create({})
    from concurrent.futures import ThreadPoolExecutor
    with ThreadPoolExecutor(8) as pool:
        sessions = list(pool.map(lambda _: v1.billing_portal.sessions.create({"customer": cus.id, "return_url": RETURN}),
                                 range(8)))
    assert len({s.configuration for s in sessions}) == 1
    assert len(v1.billing_portal.configurations.list({"is_default": True}).data) == 1


def test_configuration_events(world):
    v1 = world.v1
    v1.billing_portal.configurations.update(world.config.id, {"name": "Renamed"})
    s = v1.billing_portal.sessions.create(world.session(configuration=world.config.id))
    events = v1.events.list({"limit": 100}).data
    kinds = [e.type for e in events]
    assert "billing_portal.configuration.created" in kinds
    updated = next(e for e in events if e.type == "billing_portal.configuration.updated")
    check(body_of(updated))
    assert updated.data.previous_attributes["name"] == "Everything on"
    created = next(e for e in events if e.type == "billing_portal.session.created")
    assert created.data.object.id == s.id and created.data.object.url == s.url
    check(body_of(created)["data"]["object"])


# ---------------------------------------------------------------------------------------------
# Configuration rules (C1–C16)

def cfg_rules(w):
    """(rule, path, form, status, code, param): every configuration refusal."""
    ok_feature = {"features[invoice_history][enabled]": "true"}
    create = "/v1/billing_portal/configurations"
    update = f"/v1/billing_portal/configurations/{w.config.id}"
    p = "features[subscription_update][products]"
    return [
        ("C1 features required", create, {}, 400, "parameter_missing", "features"),
        ("C2 customer_update.enabled on create", create,
         {"features[customer_update][allowed_updates][0]": "email"}, 400, "parameter_missing",
         "features[customer_update][enabled]"),
        ("C2 invoice_history.enabled on create", create, {"features[invoice_history][x]": "1"}, 400,
         "parameter_unknown", "features[invoice_history][x]"),
        ("C2 payment_method_update.enabled on update", update,
         {"features[payment_method_update][payment_method_configuration]": ""}, 400, "parameter_missing",
         "features[payment_method_update][enabled]"),
        ("payment method configurations do not exist", update,
         {"features[payment_method_update][enabled]": "true",
          "features[payment_method_update][payment_method_configuration]": "pmc_123"}, 400, "resource_missing",
         "features[payment_method_update][payment_method_configuration]"),
        ("C2 subscription_cancel.enabled on create", create, {"features[subscription_cancel][mode]": "immediately"},
         400, "parameter_missing", "features[subscription_cancel][enabled]"),
        ("C2 subscription_update.enabled on create", create,
         {"features[subscription_update][proration_behavior]": "none"}, 400, "parameter_missing",
         "features[subscription_update][enabled]"),
        ("C3 cancellation_reason.options on create", create,
         {"features[subscription_cancel][enabled]": "true",
          "features[subscription_cancel][cancellation_reason][enabled]": "true"}, 400, "parameter_missing",
         "features[subscription_cancel][cancellation_reason][options]"),
        ("C3 cancellation_reason.enabled", update,
         {"features[subscription_cancel][cancellation_reason][options][0]": "other"}, 400, "parameter_missing",
         "features[subscription_cancel][cancellation_reason][enabled]"),
        ("C3 options enum", create,
         {"features[subscription_cancel][enabled]": "true",
          "features[subscription_cancel][cancellation_reason][enabled]": "true",
          "features[subscription_cancel][cancellation_reason][options][0]": "bored"}, 400, None,
         "features[subscription_cancel][cancellation_reason][options][0]"),
        ("C3 an enabled survey needs options", update,
         {"features[subscription_cancel][cancellation_reason][enabled]": "true",
          "features[subscription_cancel][cancellation_reason][options]": ""}, 400, None,
         "features[subscription_cancel][cancellation_reason][options]"),
        ("C4 product required", create,
         {"features[subscription_update][enabled]": "true", f"{p}[0][prices][0]": w.monthly.id}, 400,
         "parameter_missing", f"{p}[0][product]"),
        ("C4 prices required", create,
         {"features[subscription_update][enabled]": "true", f"{p}[0][product]": w.pro.id}, 400,
         "parameter_missing", f"{p}[0][prices]"),
        ("C4 adjustable_quantity.enabled", create,
         {"features[subscription_update][enabled]": "true", f"{p}[0][product]": w.pro.id,
          f"{p}[0][prices][0]": w.monthly.id, f"{p}[0][adjustable_quantity][maximum]": "5"}, 400,
         "parameter_missing", f"{p}[0][adjustable_quantity][enabled]"),
        ("C4 at most 10 products", create,
         {"features[subscription_update][enabled]": "true",
          **{f"{p}[{i}][product]": f"prod_{i}" for i in range(11)},
          **{f"{p}[{i}][prices][0]": w.monthly.id for i in range(11)}}, 400, None, p),
        ("C4 maximum below minimum", create,
         {"features[subscription_update][enabled]": "true", f"{p}[0][product]": w.pro.id,
          f"{p}[0][prices][0]": w.monthly.id, f"{p}[0][adjustable_quantity][enabled]": "true",
          f"{p}[0][adjustable_quantity][minimum]": "5", f"{p}[0][adjustable_quantity][maximum]": "2"}, 400, None,
         f"{p}[0][adjustable_quantity][maximum]"),
        ("C4 maximum at most what a subscription item takes", create,
         {"features[subscription_update][enabled]": "true", f"{p}[0][product]": w.pro.id,
          f"{p}[0][prices][0]": w.monthly.id, f"{p}[0][adjustable_quantity][enabled]": "true",
          f"{p}[0][adjustable_quantity][maximum]": "5000000"}, 400, None,
         f"{p}[0][adjustable_quantity][maximum]"),
        ("C4 minimum at most what a subscription item takes", create,
         {"features[subscription_update][enabled]": "true", f"{p}[0][product]": w.pro.id,
          f"{p}[0][prices][0]": w.monthly.id, f"{p}[0][adjustable_quantity][enabled]": "true",
          f"{p}[0][adjustable_quantity][minimum]": "2000000"}, 400, None,
         f"{p}[0][adjustable_quantity][minimum]"),
        ("C6 always_invoice refused for cancel", create,
         {"features[subscription_cancel][enabled]": "true",
          "features[subscription_cancel][mode]": "immediately",
          "features[subscription_cancel][proration_behavior]": "always_invoice"}, 400, None,
         "features[subscription_cancel][proration_behavior]"),
        ("C6 create_prorations needs mode=immediately", create,
         {"features[subscription_cancel][enabled]": "true",
          "features[subscription_cancel][proration_behavior]": "create_prorations"}, 400, None,
         "features[subscription_cancel][proration_behavior]"),
        ("C17 plan changes need card updates", create,
         {"features[subscription_update][enabled]": "true"}, 400, None, "features[subscription_update][enabled]"),
        ("C17 card updates stay while plan changes are on", update,
         {"features[payment_method_update][enabled]": "false"}, 400, None,
         "features[payment_method_update][enabled]"),
        ("C6 mode enum", create,
         {"features[subscription_cancel][enabled]": "true", "features[subscription_cancel][mode]": "later"}, 400,
         None, "features[subscription_cancel][mode]"),
        ("C7 headline at most 60", create, {**ok_feature, "business_profile[headline]": "h" * 61}, 400,
         None, "business_profile[headline]"),
        ("C7 name at most 256", create, {**ok_feature, "name": "n" * 257}, 400, None, "name"),
        ("C7 terms URL not clearable on create", create,
         {**ok_feature, "business_profile[terms_of_service_url]": ""}, 400, "parameter_invalid_empty",
         "business_profile[terms_of_service_url]"),
        ("C7 privacy URL must be a URL", create,
         {**ok_feature, "business_profile[privacy_policy_url]": "privacy"}, 400, None,
         "business_profile[privacy_policy_url]"),
        ("C8 metadata='' only on update", create, {**ok_feature, "metadata": ""}, 400, None, "metadata"),
        ("C8 metadata value at most 500", create, {**ok_feature, "metadata[k]": "v" * 501}, 400, None, "metadata[k]"),
        ("C9 login_page.enabled required", create, {**ok_feature, "login_page[x]": "1"}, 400, None, None),
        ("C9 login_page.enabled required (empty object)", update, {"login_page[enabled]": ""}, 400, None,
         "login_page[enabled]"),
        ("C10 conditions[].type required", create,
         {"features[subscription_update][enabled]": "true",
          "features[subscription_update][schedule_at_period_end][conditions][0][x]": "1"}, 400, None, None),
        ("C10 condition enum", create,
         {"features[subscription_update][enabled]": "true",
          "features[subscription_update][schedule_at_period_end][conditions][0][type]": "cheaper"}, 400,
         None, "features[subscription_update][schedule_at_period_end][conditions][0][type]"),
        ("C10 conditions='' only on update", create,
         {"features[subscription_update][enabled]": "true",
          "features[subscription_update][schedule_at_period_end][conditions]": ""}, 400, None, None),
        ("C12 default_return_url must be a URL", create, {**ok_feature, "default_return_url": "/account"}, 400, None,
         "default_return_url"),
        ("C13 active only on update", create, {**ok_feature, "active": "false"}, 400, "parameter_unknown", "active"),
        ("C14 is_default is read-only", update, {"is_default": "true"}, 400, "parameter_unknown", "is_default"),
        ("C15 subscription_pause is gone", create,
         {**ok_feature, "features[subscription_pause][enabled]": "true"}, 400, "parameter_unknown",
         "features[subscription_pause]"),
        ("C16 price of another product", create,
         {"features[subscription_update][enabled]": "true", f"{p}[0][product]": w.pro.id,
          f"{p}[0][prices][0]": w.team_monthly.id}, 400, None, f"{p}[0][prices][0]"),
        ("C16 one-time price", create,
         {"features[subscription_update][enabled]": "true", f"{p}[0][product]": w.team.id,
          f"{p}[0][prices][0]": w.one_time.id}, 400, None, f"{p}[0][prices][0]"),
        ("C16 unknown product", create,
         {"features[subscription_update][enabled]": "true", f"{p}[0][product]": "prod_nope",
          f"{p}[0][prices][0]": w.monthly.id}, 400, "resource_missing", f"{p}[0][product]"),
        ("C16 unknown price", create,
         {"features[subscription_update][enabled]": "true", f"{p}[0][product]": w.pro.id,
          f"{p}[0][prices][0]": "price_nope"}, 400, "resource_missing", f"{p}[0][prices][0]"),
        ("C16 a product listed twice", create,
         {"features[subscription_update][enabled]": "true", f"{p}[0][product]": w.pro.id,
          f"{p}[0][prices][0]": w.monthly.id, f"{p}[1][product]": w.pro.id, f"{p}[1][prices][0]": w.yearly.id},
         400, None, f"{p}[1][product]"),
        ("enum: default_allowed_updates", create,
         {"features[subscription_update][enabled]": "true",
          "features[subscription_update][default_allowed_updates][0]": "plan"}, 400, None,
         "features[subscription_update][default_allowed_updates][0]"),
        ("enum: allowed_updates", create,
         {"features[customer_update][enabled]": "true", "features[customer_update][allowed_updates][0]": "age"}, 400,
         None, "features[customer_update][allowed_updates][0]"),
        ("enum: trial_update_behavior", create,
         {"features[subscription_update][enabled]": "true",
          "features[subscription_update][trial_update_behavior]": "pause"}, 400, None,
         "features[subscription_update][trial_update_behavior]"),
        ("unknown configuration", f"/v1/billing_portal/configurations/bpc_nope", {"name": "x"}, 404,
         "resource_missing", None),
    ]


def test_configuration_rules(world):
    before = body_of(world.v1.billing_portal.configurations.retrieve(world.config.id))
    count = len(world.v1.billing_portal.configurations.list().data)
    failures = []
    for rule, path, form, status, code, param in cfg_rules(world):
        r = world.raw.post(path, data=form)
        try:
            check_error(r, status, code=code, param=param)
        except AssertionError as e:
            failures.append(f"{rule}: {e}")
    assert not failures, "\n".join(failures)
    # Nothing was written by any refused request.
    assert body_of(world.v1.billing_portal.configurations.retrieve(world.config.id)) == before
    assert len(world.v1.billing_portal.configurations.list().data) == count


# ---------------------------------------------------------------------------------------------
# Session rules (S1–S20)

def session_rules(w, extra):
    """(rule, form, status, code, param): every session refusal. `extra` holds the objects a
    rule needs beyond the world (made by the test)."""
    c = w.customer.id
    fd = "flow_data"
    cancel = {f"{fd}[type]": "subscription_cancel", f"{fd}[subscription_cancel][subscription]": w.sub.id}
    update = {f"{fd}[type]": "subscription_update", f"{fd}[subscription_update][subscription]": w.sub.id}
    conf = {f"{fd}[type]": "subscription_update_confirm",
            f"{fd}[subscription_update_confirm][subscription]": w.sub.id,
            f"{fd}[subscription_update_confirm][items][0][id]": w.item}
    cf = f"{fd}[subscription_update_confirm]"
    base = {"customer": c, "configuration": w.config.id}
    return [
        ("S1 flow_data.type required", {**base, f"{fd}[after_completion][type]": "portal_homepage"}, 400,
         "parameter_missing", f"{fd}[type]"),
        ("S1 flow_data.type enum", {**base, f"{fd}[type]": "customer_update"}, 400, None,
         f"{fd}[type]"),
        ("S2 subscription_cancel object required", {**base, f"{fd}[type]": "subscription_cancel"}, 400,
         "parameter_missing", f"{fd}[subscription_cancel]"),
        ("S2 subscription_cancel.subscription required",
         {**base, f"{fd}[type]": "subscription_cancel", f"{fd}[subscription_cancel][retention][type]": "coupon_offer",
          f"{fd}[subscription_cancel][retention][coupon_offer][coupon]": w.coupon.id}, 400, "parameter_missing",
         f"{fd}[subscription_cancel][subscription]"),
        ("S3 subscription_update.subscription required",
         {**base, f"{fd}[type]": "subscription_update", f"{fd}[subscription_update][x]": "1"}, 400, None, None),
        ("S3 subscription_update object required", {**base, f"{fd}[type]": "subscription_update"}, 400,
         "parameter_missing", f"{fd}[subscription_update]"),
        ("S4 confirm items required", {**base, f"{fd}[type]": "subscription_update_confirm",
                                       f"{cf}[subscription]": w.sub.id}, 400, "parameter_missing", f"{cf}[items]"),
        ("S4 confirm subscription required", {**base, f"{fd}[type]": "subscription_update_confirm",
                                              f"{cf}[items][0][id]": w.item}, 400, "parameter_missing",
         f"{cf}[subscription]"),
        ("S4 confirm item id required", {**conf, **base, f"{cf}[items][0][id]": "", f"{cf}[items][0][quantity]": "2"},
         400, None, f"{cf}[items][0][id]"),
        ("S4 a flow object of another type", {**update, **base, f"{fd}[subscription_cancel][subscription]": w.sub.id},
         400, None, f"{fd}[subscription_cancel]"),
        ("S5 at most one item", {**conf, **base, f"{cf}[items][1][id]": w.item}, 400, None, f"{cf}[items]"),
        ("S5 multi-item subscriptions", {**base, f"{fd}[type]": "subscription_update_confirm",
                                         f"{cf}[subscription]": extra["two_items"].id,
                                         f"{cf}[items][0][id]": extra["two_items"]["items"].data[0].id}, 400, None,
         f"{cf}[subscription]"),
        ("S5 multi-item subscriptions (update)", {**base, f"{fd}[type]": "subscription_update",
                                                  f"{fd}[subscription_update][subscription]": extra["two_items"].id},
         400, None, f"{fd}[subscription_update][subscription]"),
        ("S6 price not offered", {**conf, **base, f"{cf}[items][0][price]": extra["other_price"].id}, 400, None,
         f"{cf}[items][0][price]"),
        ("S6 unknown price", {**conf, **base, f"{cf}[items][0][price]": "price_nope"}, 400, "resource_missing",
         f"{cf}[items][0][price]"),
        ("S7 item of another subscription", {**conf, **base, f"{cf}[items][0][id]": extra["other_item"]}, 400, None,
         f"{cf}[items][0][id]"),
        ("S7 quantity must be positive", {**conf, **base, f"{cf}[items][0][quantity]": "0"}, 400, None,
         f"{cf}[items][0][quantity]"),
        ("S7 quantity at most what a subscription item takes", {**conf, **base, f"{cf}[items][0][quantity]": "1000001"},
         400, None, f"{cf}[items][0][quantity]"),
        ("S7 quantity within the product's bounds", {**conf, **base, f"{cf}[items][0][quantity]": "11"}, 400, None,
         f"{cf}[items][0][quantity]"),
        ("S7 quantity not adjustable", {**conf, **base, f"{cf}[items][0][price]": w.team_monthly.id,
                                        f"{cf}[items][0][quantity]": "3"}, 400, None, f"{cf}[items][0][quantity]"),
        ("S8 discount with neither", {**conf, **base, f"{cf}[discounts][0][x]": "1"}, 400, None, None),
        ("S8 discount with both", {**conf, **base, f"{cf}[discounts][0][coupon]": w.coupon.id,
                                   f"{cf}[discounts][0][promotion_code]": w.promo.id}, 400, None,
         f"{cf}[discounts][0][coupon]"),
        ("S8 unknown coupon", {**conf, **base, f"{cf}[discounts][0][coupon]": "nope"}, 400, "resource_missing",
         f"{cf}[discounts][0][coupon]"),
        ("S8 the same coupon twice", {**conf, **base, f"{cf}[discounts][0][coupon]": w.coupon.id,
                                      f"{cf}[discounts][1][coupon]": w.coupon.id}, 400, None,
         f"{cf}[discounts][1][coupon]"),
        ("S8 a coupon and its promotion code", {**conf, **base, f"{cf}[discounts][0][promotion_code]": w.promo.id,
                                                f"{cf}[discounts][1][coupon]": w.coupon.id}, 400, None,
         f"{cf}[discounts][1][coupon]"),
        ("S8 unknown promotion code", {**conf, **base, f"{cf}[discounts][0][promotion_code]": "promo_nope"}, 400,
         "resource_missing", f"{cf}[discounts][0][promotion_code]"),
        ("S8 coupon in another currency", {**conf, **base, f"{cf}[discounts][0][coupon]": extra["eur_coupon"].id},
         400, None, f"{cf}[discounts][0][coupon]"),
        ("S8 inactive promotion code", {**conf, **base, f"{cf}[discounts][0][promotion_code]": extra["off_promo"].id},
         400, None, f"{cf}[discounts][0][promotion_code]"),
        ("S9 after_completion.type required", {**base, **cancel, f"{fd}[after_completion][redirect][return_url]": DONE},
         400, "parameter_missing", f"{fd}[after_completion][type]"),
        ("S9 after_completion.type enum", {**base, **cancel, f"{fd}[after_completion][type]": "close"}, 400,
         None, f"{fd}[after_completion][type]"),
        ("S10 redirect needs return_url", {**base, **cancel, f"{fd}[after_completion][type]": "redirect"}, 400,
         "parameter_missing", f"{fd}[after_completion][redirect][return_url]"),
        ("S10 redirect URL must be absolute", {**base, **cancel, f"{fd}[after_completion][type]": "redirect",
                                               f"{fd}[after_completion][redirect][return_url]": "/done"}, 400, None,
         f"{fd}[after_completion][redirect][return_url]"),
        ("S10 redirect URL names its host", {**base, **cancel, f"{fd}[after_completion][type]": "redirect",
                                             f"{fd}[after_completion][redirect][return_url]": "https:///example.com/done"},
         400, None, f"{fd}[after_completion][redirect][return_url]"),
        ("S10 redirect URL must be http(s)", {**base, **cancel, f"{fd}[after_completion][type]": "redirect",
                                              f"{fd}[after_completion][redirect][return_url]": "javascript:alert(1)"},
         400, None, f"{fd}[after_completion][redirect][return_url]"),
        ("S10 redirect with another type", {**base, **cancel, f"{fd}[after_completion][type]": "portal_homepage",
                                            f"{fd}[after_completion][redirect][return_url]": DONE}, 400, None,
         f"{fd}[after_completion][redirect]"),
        ("S11 custom_message at most 500", {**base, **cancel, f"{fd}[after_completion][type]": "hosted_confirmation",
                                            f"{fd}[after_completion][hosted_confirmation][custom_message]": "m" * 501},
         400, None, f"{fd}[after_completion][hosted_confirmation][custom_message]"),
        ("S12 retention.type required", {**base, **cancel,
                                         f"{fd}[subscription_cancel][retention][coupon_offer][coupon]": w.coupon.id},
         400, "parameter_missing", f"{fd}[subscription_cancel][retention][type]"),
        ("S12 retention.coupon_offer required", {**base, **cancel,
                                                 f"{fd}[subscription_cancel][retention][type]": "coupon_offer"},
         400, "parameter_missing", f"{fd}[subscription_cancel][retention][coupon_offer]"),
        ("S12 retention coupon exists", {**base, **cancel, f"{fd}[subscription_cancel][retention][type]": "coupon_offer",
                                         f"{fd}[subscription_cancel][retention][coupon_offer][coupon]": "nope"}, 400,
         "resource_missing", f"{fd}[subscription_cancel][retention][coupon_offer][coupon]"),
        ("S12 retention coupon still valid", {**base, **cancel,
                                              f"{fd}[subscription_cancel][retention][type]": "coupon_offer",
                                              f"{fd}[subscription_cancel][retention][coupon_offer][coupon]":
                                                  extra["spent_coupon"].id}, 400, None,
         f"{fd}[subscription_cancel][retention][coupon_offer][coupon]"),
        ("S13 locale enum", {**base, "locale": "xx"}, 400, None, "locale"),
        ("S15 inactive configuration", {"customer": c, "configuration": extra["inactive"].id}, 400, None,
         "configuration"),
        ("S15 unknown configuration", {"customer": c, "configuration": "bpc_nope"}, 400, "resource_missing",
         "configuration"),
        ("S16 customer required", {"configuration": w.config.id}, 400, "parameter_missing", "customer"),
        ("S16 unknown customer", {"customer": "cus_nope"}, 400, "resource_missing", "customer"),
        ("S16 deleted customer", {"customer": extra["deleted_customer"].id}, 400, "resource_missing", "customer"),
        ("S16 customer_account is not supported", {"customer_account": "acct_123"}, 400, None, "customer_account"),
        ("S17 subscription of another customer", {**base, **cancel,
                                                  f"{fd}[subscription_cancel][subscription]": extra["other_sub"].id},
         400, None, f"{fd}[subscription_cancel][subscription]"),
        ("S17 unknown subscription", {**base, **update, f"{fd}[subscription_update][subscription]": "sub_nope"}, 400,
         "resource_missing", f"{fd}[subscription_update][subscription]"),
        ("S17 canceled subscription", {**base, **cancel, f"{fd}[subscription_cancel][subscription]":
                                       extra["canceled_sub"].id}, 400, None,
         f"{fd}[subscription_cancel][subscription]"),
        ("S17 already canceling", {**base, **cancel, f"{fd}[subscription_cancel][subscription]":
                                   extra["canceling_sub"].id}, 400, None, f"{fd}[subscription_cancel][subscription]"),
        ("S18 cancel feature off", {"customer": c, "configuration": extra["bare"].id, **cancel}, 400, None,
         f"{fd}[type]"),
        ("S18 update feature off", {"customer": c, "configuration": extra["bare"].id, **update}, 400, None,
         f"{fd}[type]"),
        ("S18 confirm feature off", {"customer": c, "configuration": extra["bare"].id, **conf}, 400, None,
         f"{fd}[type]"),
        ("S18 payment method feature off", {"customer": c, "configuration": extra["bare"].id,
                                            f"{fd}[type]": "payment_method_update"}, 400, None, f"{fd}[type]"),
        ("a return URL, the session's or the configuration's", {"customer": c, "configuration": extra["bare"].id},
         400, None, "return_url"),
        ("S18 update flow with nothing to update", {"customer": c, "configuration": extra["nothing"].id, **update},
         400, None, f"{fd}[type]"),
        ("S19 return_url must be absolute", {**base, "return_url": "account"}, 400, None, "return_url"),
        ("S19 on_behalf_of must be an account", {**base, "on_behalf_of": "cus_123"}, 400, "resource_missing",
         "on_behalf_of"),
        ("S20 price must be recurring", {**conf, **base, f"{cf}[items][0][price]": w.one_time.id}, 400, None,
         f"{cf}[items][0][price]"),
        ("S20 price in the subscription's currency", {**conf, "customer": c, "configuration": extra["eur_config"].id,
                                                      f"{cf}[items][0][price]": w.eur.id}, 400, None,
         f"{cf}[items][0][price]"),
        ("S21 a confirmed price change needs price among default_allowed_updates",
         {**conf, "customer": c, "configuration": extra["quantity_only"].id, f"{cf}[items][0][price]": w.yearly.id},
         400, None, f"{cf}[items][0][price]"),
        ("S21 a confirmed quantity change needs quantity among default_allowed_updates",
         {**conf, "customer": c, "configuration": extra["price_only"].id, f"{cf}[items][0][quantity]": "2"},
         400, None, f"{cf}[items][0][quantity]"),
        ("G1 unknown parameter", {**base, "flow": "x"}, 400, "parameter_unknown", "flow"),
    ]


def test_session_rules(world):
    v1, w = world.v1, world
    other = v1.customers.create({"payment_method": "pm_card_visa",
                                 "invoice_settings": {"default_payment_method": "pm_card_visa"}})
    gone = v1.customers.create({})
    v1.customers.delete(gone.id)
    spent = v1.coupons.create({"percent_off": 10, "max_redemptions": 1})
    v1.subscriptions.create({"customer": other.id, "items": [{"price": w.monthly.id}], "discounts": [{"coupon": spent.id}]})
    off_promo = v1.promotion_codes.create({"promotion": {"type": "coupon", "coupon": w.coupon.id}, "active": False})
    extra = {
        "two_items": v1.subscriptions.create({"customer": w.customer.id,
                                              "items": [{"price": w.monthly.id}, {"price": w.team_monthly.id}]}),
        "other_price": v1.prices.create({"product": w.pro.id, "currency": "usd", "unit_amount": 999,
                                         "recurring": {"interval": "month"}}),
        "other_sub": v1.subscriptions.create({"customer": other.id, "items": [{"price": w.monthly.id}]}),
        "canceled_sub": v1.subscriptions.cancel(
            v1.subscriptions.create({"customer": w.customer.id, "items": [{"price": w.monthly.id}]}).id),
        "canceling_sub": v1.subscriptions.create({"customer": w.customer.id, "items": [{"price": w.monthly.id}],
                                                  "cancel_at_period_end": True}),
        "eur_coupon": v1.coupons.create({"amount_off": 100, "currency": "eur"}),
        "off_promo": off_promo,
        "spent_coupon": spent,
        "deleted_customer": gone,
        "inactive": v1.billing_portal.configurations.update(
            v1.billing_portal.configurations.create({"features": {"invoice_history": {"enabled": True}}}).id,
            {"active": False}),
        "bare": v1.billing_portal.configurations.create({"features": {"invoice_history": {"enabled": True}}}),
        "nothing": v1.billing_portal.configurations.create(
            {"features": {"subscription_update": {"enabled": True, "default_allowed_updates": ["promotion_code"]},
                          "payment_method_update": {"enabled": True}}}),
        **{name: v1.billing_portal.configurations.create({"features": {
            "payment_method_update": {"enabled": True},
            "subscription_update": {"enabled": True, "default_allowed_updates": [allowed], "products": [
                {"product": w.pro.id, "prices": [w.monthly.id, w.yearly.id],
                 "adjustable_quantity": {"enabled": True, "maximum": 10}}]}}})
           for name, allowed in (("price_only", "price"), ("quantity_only", "quantity"))},
        "eur_config": v1.billing_portal.configurations.create({"features": {"subscription_update": {
            "enabled": True, "default_allowed_updates": ["price"],
            "products": [{"product": w.team.id, "prices": [w.eur.id]}]},
            "payment_method_update": {"enabled": True}}}),
    }
    extra["other_item"] = extra["other_sub"]["items"].data[0].id
    before = [e.id for e in v1.events.list({"type": "billing_portal.session.created"}).data]
    failures = []
    for rule, form, status, code, param in session_rules(w, extra):
        r = w.raw.post("/v1/billing_portal/sessions", data=form)
        try:
            check_error(r, status, code=code, param=param)
        except AssertionError as e:
            failures.append(f"{rule}: {e}")
    assert not failures, "\n".join(failures)
    after = [e.id for e in v1.events.list({"type": "billing_portal.session.created"}).data]
    assert after == before, "a refused session records nothing"


def test_default_configuration_is_created_on_first_use(v1):
    """S14: without `configuration` the default is used, and Portico creates one the first time."""
    cus = v1.customers.create({})
    assert v1.billing_portal.configurations.list().data == []
    # Without a return URL, the default Portico would make has none to offer: refused first,
    # and nothing is made.
    with pytest.raises(stripe.InvalidRequestError) as e:
        v1.billing_portal.sessions.create({"customer": cus.id})
    assert (e.value.http_status, e.value.param) == (400, "return_url")
    assert v1.billing_portal.configurations.list().data == []
    assert [e.type for e in v1.events.list().data] == ["customer.created"]
    s = check(v1.billing_portal.sessions.create({"customer": cus.id, "return_url": RETURN}))
    c = v1.billing_portal.configurations.retrieve(s.configuration)
    assert c.is_default and c.active and c.default_return_url is None
    f = c.features
    assert f.invoice_history.enabled and f.payment_method_update.enabled and f.subscription_cancel.enabled
    assert f.subscription_cancel.mode == "at_period_end" and f.subscription_update.enabled is False
    assert v1.billing_portal.sessions.create({"customer": cus.id, "return_url": RETURN}).configuration == c.id
    # Once the default has a return URL of its own, sessions may leave theirs out.
    with pytest.raises(stripe.InvalidRequestError) as e:
        v1.billing_portal.sessions.create({"customer": cus.id})
    assert e.value.param == "return_url" and c.id in e.value.user_message
    v1.billing_portal.configurations.update(c.id, {"default_return_url": RETURN + "/home"})
    assert v1.billing_portal.sessions.create({"customer": cus.id}).return_url == RETURN + "/home"
    kinds = [e.type for e in v1.events.list().data]
    assert kinds.count("billing_portal.configuration.created") == 1


# ---------------------------------------------------------------------------------------------
# Sessions: every flow × every after-completion

def flow_data(w, kind):
    if kind == "payment_method_update":
        return {"type": kind}
    if kind == "subscription_cancel":
        return {"type": kind, "subscription_cancel": {
            "subscription": w.sub.id, "retention": {"type": "coupon_offer", "coupon_offer": {"coupon": w.coupon.id}}}}
    if kind == "subscription_update":
        return {"type": kind, "subscription_update": {"subscription": w.sub.id}}
    return {"type": kind, "subscription_update_confirm": {
        "subscription": w.sub.id, "items": [{"id": w.item, "price": w.yearly.id, "quantity": 2}],
        "discounts": [{"promotion_code": w.promo.id}]}}


AFTER = {
    "hosted_confirmation": {"type": "hosted_confirmation", "hosted_confirmation": {"custom_message": "Thanks, <b>Ada</b>!"}},
    "portal_homepage": {"type": "portal_homepage"},
    "redirect": {"type": "redirect", "redirect": {"return_url": DONE + "?from=portal"}},
}
KINDS = ["payment_method_update", "subscription_cancel", "subscription_update", "subscription_update_confirm"]


@pytest.mark.parametrize("kind,after", list(itertools.product(KINDS, AFTER)))
def test_flow_sessions_echo_the_request(world, kind, after):
    fd = {**flow_data(world, kind), "after_completion": AFTER[after]}
    s = check(world.v1.billing_portal.sessions.create(
        {"customer": world.customer.id, "configuration": world.config.id, "flow_data": fd,
         "return_url": RETURN, "locale": "fr"}))
    body = body_of(s)
    assert s.id.startswith("bps_") and s.object == "billing_portal.session"
    assert (s.customer, s.configuration, s.locale, s.return_url) == (world.customer.id, world.config.id, "fr", RETURN)
    assert body["customer_account"] is None and body["on_behalf_of"] is None and s.livemode is False
    flow = body["flow"]
    assert flow["type"] == kind
    ac = flow["after_completion"]
    assert ac["type"] == after
    assert ac["redirect"] == ({"return_url": DONE + "?from=portal"} if after == "redirect" else None)
    assert ac["hosted_confirmation"] == (
        {"custom_message": "Thanks, <b>Ada</b>!"} if after == "hosted_confirmation" else None)
    for other in ("subscription_cancel", "subscription_update", "subscription_update_confirm"):
        if other != kind:
            assert flow[other] is None
    if kind == "subscription_cancel":
        assert flow[kind] == {"retention": {"coupon_offer": {"coupon": world.coupon.id}, "type": "coupon_offer"},
                              "subscription": world.sub.id}
    elif kind == "subscription_update":
        assert flow[kind] == {"subscription": world.sub.id}
    elif kind == "subscription_update_confirm":
        assert flow[kind] == {"discounts": [{"coupon": None, "promotion_code": world.promo.id}],
                              "items": [{"id": world.item, "price": world.yearly.id, "quantity": 2}],
                              "subscription": world.sub.id}
    assert s.url.startswith(world.raw.base_url + "/p/session/test_")


def test_session_defaults_and_link_secrets(world):
    v1 = world.v1
    s = check(v1.billing_portal.sessions.create({"customer": world.customer.id, "configuration": world.config.id}))
    body = body_of(s)
    assert body["flow"] is None and body["locale"] is None
    assert s.return_url == RETURN, "the configuration's default_return_url"
    # A flow without after_completion gets a hosted confirmation.
    c = body_of(v1.billing_portal.sessions.create({"customer": world.customer.id, "configuration": world.config.id,
                                                   "flow_data": {"type": "payment_method_update"}}))
    assert c["flow"]["after_completion"] == {"hosted_confirmation": {"custom_message": None}, "redirect": None,
                                             "type": "hosted_confirmation"}
    # Links are unguessable: 256 bits of randomness, never repeated.
    tokens = {v1.billing_portal.sessions.create(world.session(return_url=RETURN)).url.rsplit("/", 1)[1]
              for _ in range(20)}
    assert len(tokens) == 20
    assert all(t.startswith("test_") and len(t) >= 5 + 43 for t in tokens)
    # on_behalf_of and every locale are accepted and echoed.
    o = v1.billing_portal.sessions.create(world.session(on_behalf_of="acct_1Abc", locale="auto", return_url=RETURN))
    assert (o.on_behalf_of, o.locale) == ("acct_1Abc", "auto")
    for locale in ["pt-BR", "zh-TW", "es-419", "en-GB", "fil"]:
        assert v1.billing_portal.sessions.create(world.session(locale=locale, return_url=RETURN)).locale == locale


def test_expand_configuration(world):
    s = check(world.v1.billing_portal.sessions.create(
        {"customer": world.customer.id, "configuration": world.config.id, "expand": ["configuration"]}))
    assert s.configuration.id == world.config.id and s.configuration.object == "billing_portal.configuration"
    assert body_of(s)["configuration"]["features"]["invoice_history"] == {"enabled": True}


def test_sdk_errors_for_sessions(world):
    with pytest.raises(stripe.InvalidRequestError) as e:
        world.v1.billing_portal.sessions.create({"customer": world.customer.id, "configuration": world.config.id, "flow_data": {
            "type": "subscription_update_confirm",
            "subscription_update_confirm": {"subscription": world.sub.id, "items": [{"id": "si_nope"}]}}})
    assert e.value.param == "flow_data[subscription_update_confirm][items][0][id]"
    assert e.value.http_status == 400


def test_accounts_do_not_see_each_other(world, portico_url):
    stranger = make_client(portico_url, new_key()).v1
    with pytest.raises(stripe.InvalidRequestError) as e:
        stranger.billing_portal.configurations.retrieve(world.config.id)
    assert e.value.http_status == 404 and e.value.code == "resource_missing"
    with pytest.raises(stripe.InvalidRequestError):
        stranger.billing_portal.configurations.update(world.config.id, {"name": "mine"})
    assert stranger.billing_portal.configurations.list().data == []
    # Another account cannot open a session for this account's customer or with its configuration.
    with pytest.raises(stripe.InvalidRequestError) as e:
        stranger.billing_portal.sessions.create({"customer": world.customer.id})
    assert e.value.param == "customer"
    mine = stranger.customers.create({})
    with pytest.raises(stripe.InvalidRequestError) as e:
        stranger.billing_portal.sessions.create({"customer": mine.id, "configuration": world.config.id})
    assert e.value.param == "configuration"
    # Its own default configuration is its own.
    s = stranger.billing_portal.sessions.create({"customer": mine.id, "return_url": RETURN})
    assert s.configuration != world.config.id
    assert [e.type for e in stranger.events.list().data if e.type.startswith("billing_portal")] == [
        "billing_portal.session.created", "billing_portal.configuration.created"]
    assert world.v1.billing_portal.configurations.list().data[0].id == world.config.id

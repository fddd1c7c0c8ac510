//! The customer portal's configurations (which features a portal offers, and how) and sessions
//! (one customer's link into it, optionally deep-linked into one flow).

use crate::error::{DomainError, DomainResult};
use crate::metadata::{Metadata, MetadataUpdate};
use crate::patch::Patch;
use crate::Ctx;
use serde::{Deserialize, Serialize};

/// Every `locale` a session accepts.
pub const LOCALES: &[&str] = &[
    "auto", "bg", "cs", "da", "de", "el", "en", "en-AU", "en-CA", "en-GB", "en-IE", "en-IN",
    "en-NZ", "en-SG", "es", "es-419", "et", "fi", "fil", "fr", "fr-CA", "hr", "hu", "id", "it",
    "ja", "ko", "lt", "lv", "ms", "mt", "nb", "nl", "pl", "pt", "pt-BR", "ro", "ru", "sk", "sl",
    "sv", "th", "tr", "vi", "zh", "zh-HK", "zh-TW",
];
/// What customers may change about themselves.
pub const CUSTOMER_FIELDS: &[&str] = &["address", "email", "name", "phone", "shipping", "tax_id"];
/// Cancellation reasons a survey may offer.
pub const CANCEL_REASONS: &[&str] = &[
    "customer_service",
    "low_quality",
    "missing_features",
    "other",
    "switched_service",
    "too_complex",
    "too_expensive",
    "unused",
];
/// The reasons offered when none are configured (as Stripe serialises an omitted feature).
pub const DEFAULT_CANCEL_REASONS: &[&str] = &[
    "too_expensive",
    "missing_features",
    "switched_service",
    "unused",
    "other",
];
pub const CANCEL_MODES: &[&str] = &["at_period_end", "immediately"];
pub const PRORATIONS: &[&str] = &["always_invoice", "create_prorations", "none"];
pub const SUBSCRIPTION_UPDATES: &[&str] = &["price", "promotion_code", "quantity"];
pub const SCHEDULE_CONDITIONS: &[&str] = &["decreasing_item_amount", "shortening_interval"];
pub const TRIAL_UPDATE_BEHAVIORS: &[&str] = &["continue_trial", "end_trial"];
pub const BILLING_CYCLE_ANCHORS: &[&str] = &["now", "unchanged"];
pub const FLOW_TYPES: &[&str] = &[
    "payment_method_update",
    "subscription_cancel",
    "subscription_update",
    "subscription_update_confirm",
];
pub const AFTER_COMPLETION_TYPES: &[&str] = &["hosted_confirmation", "portal_homepage", "redirect"];
/// At most this many products can be offered for plan changes.
pub const MAX_UPDATE_PRODUCTS: usize = 10;
/// Random characters in a session or login-page link (base 62: about 256 bits).
pub const LINK_TOKEN_LEN: usize = 43;
const TOKEN_ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/// A portal configuration as Portico stores it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PortalConfiguration {
    pub id: String,
    pub created: i64,
    pub updated: i64,
    pub livemode: bool,
    pub active: bool,
    pub is_default: bool,
    pub name: Option<String>,
    pub default_return_url: Option<String>,
    pub business_profile: BusinessProfile,
    pub features: Features,
    /// The secret in the login page's link while the login page is enabled.
    pub login_token: Option<String>,
    pub metadata: Metadata,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct BusinessProfile {
    pub headline: Option<String>,
    pub privacy_policy_url: Option<String>,
    pub terms_of_service_url: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Features {
    pub customer_update: CustomerUpdate,
    pub invoice_history: bool,
    pub payment_method_update: PaymentMethodUpdate,
    pub subscription_cancel: SubscriptionCancel,
    pub subscription_update: SubscriptionUpdate,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CustomerUpdate {
    pub enabled: bool,
    pub allowed_updates: Vec<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PaymentMethodUpdate {
    pub enabled: bool,
    pub payment_method_configuration: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SubscriptionCancel {
    pub enabled: bool,
    pub mode: String,
    pub proration_behavior: String,
    pub reasons_enabled: bool,
    pub reasons: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SubscriptionUpdate {
    pub enabled: bool,
    pub default_allowed_updates: Vec<String>,
    pub products: Option<Vec<UpdateProduct>>,
    pub proration_behavior: String,
    pub schedule_conditions: Vec<String>,
    pub trial_update_behavior: String,
    pub billing_cycle_anchor: Option<String>,
}

/// A product customers may switch to, with its prices and quantity bounds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UpdateProduct {
    pub product: String,
    pub prices: Vec<String>,
    pub adjustable_quantity: bool,
    pub minimum: i64,
    pub maximum: Option<i64>,
}

impl Default for Features {
    /// Every feature off, serialised as Stripe does for features left out of a create.
    fn default() -> Features {
        Features {
            customer_update: CustomerUpdate::default(),
            invoice_history: false,
            payment_method_update: PaymentMethodUpdate::default(),
            subscription_cancel: SubscriptionCancel {
                enabled: false,
                mode: "at_period_end".into(),
                proration_behavior: "none".into(),
                reasons_enabled: false,
                reasons: strings(DEFAULT_CANCEL_REASONS),
            },
            subscription_update: SubscriptionUpdate {
                enabled: false,
                default_allowed_updates: Vec::new(),
                products: None,
                proration_behavior: "none".into(),
                schedule_conditions: Vec::new(),
                trial_update_behavior: "end_trial".into(),
                billing_cycle_anchor: None,
            },
        }
    }
}

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

/// The parameters of configuration create and update; `None` leaves a value as it is.
#[derive(Clone, Debug, Default)]
pub struct ConfigurationParams {
    pub active: Option<bool>,
    pub name: Patch<String>,
    pub default_return_url: Patch<String>,
    pub headline: Patch<String>,
    pub privacy_policy_url: Patch<String>,
    pub terms_of_service_url: Patch<String>,
    pub customer_update: Option<CustomerUpdateParams>,
    pub invoice_history: Option<bool>,
    pub payment_method_update: Option<PaymentMethodUpdateParams>,
    pub subscription_cancel: Option<SubscriptionCancelParams>,
    pub subscription_update: Option<SubscriptionUpdateParams>,
    pub login_page: Option<bool>,
    pub metadata: MetadataUpdate,
}

#[derive(Clone, Debug, Default)]
pub struct CustomerUpdateParams {
    pub enabled: Option<bool>,
    pub allowed_updates: Patch<Vec<String>>,
}

#[derive(Clone, Debug, Default)]
pub struct PaymentMethodUpdateParams {
    pub enabled: Option<bool>,
    pub payment_method_configuration: Patch<String>,
}

#[derive(Clone, Debug, Default)]
pub struct SubscriptionCancelParams {
    pub enabled: Option<bool>,
    pub mode: Option<String>,
    pub proration_behavior: Option<String>,
    pub reasons_enabled: Option<bool>,
    pub reasons: Patch<Vec<String>>,
}

#[derive(Clone, Debug, Default)]
pub struct SubscriptionUpdateParams {
    pub enabled: Option<bool>,
    pub default_allowed_updates: Patch<Vec<String>>,
    pub products: Patch<Vec<UpdateProductParams>>,
    pub proration_behavior: Option<String>,
    pub schedule_conditions: Patch<Vec<String>>,
    pub trial_update_behavior: Option<String>,
    pub billing_cycle_anchor: Option<String>,
}

#[derive(Clone, Debug, Default)]
pub struct UpdateProductParams {
    pub product: String,
    pub prices: Vec<String>,
    pub adjustable_quantity: Option<(bool, Option<i64>, Option<i64>)>,
}

const F: &str = "features";

impl PortalConfiguration {
    /// A new, active configuration: every feature off, then `p` applied.
    pub fn create(p: ConfigurationParams, ctx: &mut Ctx<'_>) -> DomainResult<PortalConfiguration> {
        let mut c = PortalConfiguration {
            id: ctx.ids.next("bpc_", crate::ID_LEN),
            created: ctx.now,
            updated: ctx.now,
            livemode: ctx.livemode,
            active: true,
            is_default: false,
            name: None,
            default_return_url: None,
            business_profile: BusinessProfile::default(),
            features: Features::default(),
            login_token: None,
            metadata: Metadata::new(),
        };
        c.apply(p, ctx)?;
        Ok(c)
    }

    /// The configuration Portico creates for an account on first use: customers can update
    /// their email, address, shipping and phone, see invoices, manage payment methods and
    /// cancel at the period's end (with the reason survey); plan changes are off until products
    /// are configured.
    pub fn default_for_account(ctx: &mut Ctx<'_>) -> PortalConfiguration {
        let mut c = PortalConfiguration::create(ConfigurationParams::default(), ctx)
            .expect("no parameters cannot be invalid");
        c.is_default = true;
        c.features.customer_update = CustomerUpdate {
            enabled: true,
            allowed_updates: strings(&["email", "address", "shipping", "phone"]),
        };
        c.features.invoice_history = true;
        c.features.payment_method_update.enabled = true;
        c.features.subscription_cancel.enabled = true;
        c.features.subscription_cancel.reasons_enabled = true;
        c
    }

    /// Applies create or update parameters; nothing changes unless all of them are valid.
    pub fn apply(&mut self, p: ConfigurationParams, ctx: &mut Ctx<'_>) -> DomainResult<()> {
        let mut next = self.clone();
        if let Some(a) = p.active {
            next.active = a;
        }
        p.name.apply_to(&mut next.name);
        check_url_patch(&p.default_return_url, "default_return_url")?;
        p.default_return_url.apply_to(&mut next.default_return_url);
        p.headline.apply_to(&mut next.business_profile.headline);
        check_url_patch(
            &p.privacy_policy_url,
            "business_profile[privacy_policy_url]",
        )?;
        p.privacy_policy_url
            .apply_to(&mut next.business_profile.privacy_policy_url);
        check_url_patch(
            &p.terms_of_service_url,
            "business_profile[terms_of_service_url]",
        )?;
        p.terms_of_service_url
            .apply_to(&mut next.business_profile.terms_of_service_url);
        let f = &mut next.features;
        if let Some(cu) = p.customer_update {
            if let Some(e) = cu.enabled {
                f.customer_update.enabled = e;
            }
            match cu.allowed_updates {
                Patch::Set(v) => f.customer_update.allowed_updates = dedup(v),
                Patch::Clear => f.customer_update.allowed_updates.clear(),
                Patch::Keep => {}
            }
        }
        if let Some(e) = p.invoice_history {
            f.invoice_history = e;
        }
        if let Some(pm) = p.payment_method_update {
            if let Some(e) = pm.enabled {
                f.payment_method_update.enabled = e;
            }
            pm.payment_method_configuration
                .apply_to(&mut f.payment_method_update.payment_method_configuration);
        }
        if let Some(sc) = p.subscription_cancel {
            let c = &mut f.subscription_cancel;
            if let Some(e) = sc.enabled {
                c.enabled = e;
            }
            if let Some(m) = sc.mode {
                c.mode = m;
            }
            if let Some(pb) = sc.proration_behavior {
                c.proration_behavior = pb;
            }
            if let Some(e) = sc.reasons_enabled {
                c.reasons_enabled = e;
            }
            match sc.reasons {
                Patch::Set(v) => c.reasons = dedup(v),
                Patch::Clear => c.reasons.clear(),
                Patch::Keep => {}
            }
            let param = format!("{F}[subscription_cancel][proration_behavior]");
            if c.proration_behavior == "always_invoice" {
                return Err(DomainError::invalid(
                    param,
                    "Invalid features[subscription_cancel][proration_behavior]: always_invoice is not supported when canceling; use none or create_prorations.",
                ));
            }
            if c.proration_behavior == "create_prorations" && c.mode != "immediately" {
                return Err(DomainError::invalid(
                    param,
                    "features[subscription_cancel][proration_behavior]=create_prorations is only compatible with features[subscription_cancel][mode]=immediately: a subscription canceled at the end of its period has nothing to prorate.",
                ));
            }
            if c.reasons_enabled && c.reasons.is_empty() {
                return Err(DomainError::invalid(
                    format!("{F}[subscription_cancel][cancellation_reason][options]"),
                    "The cancellation reason survey needs at least one option when it is enabled.",
                ));
            }
        }
        if let Some(su) = p.subscription_update {
            let u = &mut f.subscription_update;
            if let Some(e) = su.enabled {
                u.enabled = e;
            }
            match su.default_allowed_updates {
                Patch::Set(v) => u.default_allowed_updates = dedup(v),
                Patch::Clear => u.default_allowed_updates.clear(),
                Patch::Keep => {}
            }
            match su.products {
                Patch::Set(v) => u.products = Some(check_products(v)?),
                Patch::Clear => u.products = Some(Vec::new()),
                Patch::Keep => {}
            }
            if let Some(pb) = su.proration_behavior {
                u.proration_behavior = pb;
            }
            match su.schedule_conditions {
                Patch::Set(v) => u.schedule_conditions = dedup(v),
                Patch::Clear => u.schedule_conditions.clear(),
                Patch::Keep => {}
            }
            if let Some(t) = su.trial_update_behavior {
                u.trial_update_behavior = t;
            }
            if let Some(b) = su.billing_cycle_anchor {
                u.billing_cycle_anchor = Some(b);
            }
        }
        match p.login_page {
            Some(true) if next.login_token.is_none() => {
                next.login_token = Some(ctx.ids.random_string(TOKEN_ALPHABET, LINK_TOKEN_LEN));
            }
            Some(false) => next.login_token = None,
            _ => {}
        }
        p.metadata.apply("metadata", &mut next.metadata)?;
        next.updated = ctx.now;
        *self = next;
        Ok(())
    }

    /// The product entry offering `price` for plan changes, if any.
    pub fn update_product_for_price(&self, price: &str) -> Option<&UpdateProduct> {
        self.features
            .subscription_update
            .products
            .iter()
            .flatten()
            .find(|p| p.prices.iter().any(|x| x == price))
    }
}

fn dedup(v: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(v.len());
    for s in v {
        if !out.contains(&s) {
            out.push(s);
        }
    }
    out
}

/// At most [`MAX_UPDATE_PRODUCTS`] products can be offered for plan changes.
pub fn check_product_count(n: usize) -> DomainResult<()> {
    if n > MAX_UPDATE_PRODUCTS {
        return Err(DomainError::invalid(
            format!("{F}[subscription_update][products]"),
            format!(
                "You can offer at most {MAX_UPDATE_PRODUCTS} products for subscription updates, but {n} were given."
            ),
        ));
    }
    Ok(())
}

fn check_products(v: Vec<UpdateProductParams>) -> DomainResult<Vec<UpdateProduct>> {
    let base = format!("{F}[subscription_update][products]");
    check_product_count(v.len())?;
    let mut out: Vec<UpdateProduct> = Vec::with_capacity(v.len());
    for (i, p) in v.into_iter().enumerate() {
        if out.iter().any(|o| o.product == p.product) {
            return Err(DomainError::invalid(
                format!("{base}[{i}][product]"),
                format!("The product {} is listed more than once.", p.product),
            ));
        }
        if p.prices.is_empty() {
            return Err(DomainError::invalid(
                format!("{base}[{i}][prices]"),
                "Each product needs at least one price customers can switch to.",
            ));
        }
        let (adjustable, minimum, maximum) = p.adjustable_quantity.unwrap_or((false, None, None));
        let minimum = minimum.unwrap_or(1);
        if minimum < 0 {
            return Err(DomainError::invalid(
                format!("{base}[{i}][adjustable_quantity][minimum]"),
                "The minimum quantity cannot be negative.",
            ));
        }
        if let Some(max) = maximum {
            if max < minimum.max(1) {
                return Err(DomainError::invalid(
                    format!("{base}[{i}][adjustable_quantity][maximum]"),
                    format!("The maximum quantity ({max}) must be at least the minimum ({minimum}) and at least 1."),
                ));
            }
        }
        out.push(UpdateProduct {
            product: p.product,
            prices: dedup(p.prices),
            adjustable_quantity: adjustable,
            minimum,
            maximum,
        });
    }
    Ok(out)
}

fn check_url_patch(p: &Patch<String>, param: &str) -> DomainResult<()> {
    if let Patch::Set(u) = p {
        check_url(u, param)?;
    }
    Ok(())
}

/// URLs the portal links or redirects to must be absolute `http` or `https` URLs.
pub fn check_url(raw: &str, param: &str) -> DomainResult<()> {
    let ok = url::Url::parse(raw)
        .ok()
        .filter(|u| (u.scheme() == "http" || u.scheme() == "https") && u.host_str().is_some())
        .is_some();
    if ok {
        Ok(())
    } else {
        Err(DomainError::invalid(
            param,
            format!("Invalid URL: {param} must be an absolute http:// or https:// URL."),
        ))
    }
}

/// A portal session as Portico stores it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PortalSession {
    pub id: String,
    pub created: i64,
    pub livemode: bool,
    pub customer: String,
    pub configuration: String,
    pub flow: Option<Flow>,
    pub locale: Option<String>,
    pub on_behalf_of: Option<String>,
    pub return_url: Option<String>,
    /// The secret in the session's link.
    pub token: String,
}

impl PortalSession {
    /// A new session for `customer` with a fresh link secret.
    #[allow(clippy::too_many_arguments)]
    pub fn create(
        customer: String,
        configuration: String,
        flow: Option<Flow>,
        locale: Option<String>,
        on_behalf_of: Option<String>,
        return_url: Option<String>,
        ctx: &mut Ctx<'_>,
    ) -> PortalSession {
        let prefix = if ctx.livemode { "live_" } else { "test_" };
        PortalSession {
            id: ctx.ids.next("bps_", crate::ID_LEN),
            created: ctx.now,
            livemode: ctx.livemode,
            customer,
            configuration,
            flow,
            locale,
            on_behalf_of,
            return_url,
            token: format!(
                "{prefix}{}",
                ctx.ids.random_string(TOKEN_ALPHABET, LINK_TOKEN_LEN)
            ),
        }
    }
}

/// A deep link into one portal action.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Flow {
    pub kind: String,
    pub after_completion: AfterCompletion,
    pub subscription_cancel: Option<CancelFlow>,
    pub subscription_update: Option<String>,
    pub subscription_update_confirm: Option<ConfirmFlow>,
}

impl Flow {
    /// The subscription the flow acts on, if it acts on one.
    pub fn subscription(&self) -> Option<&str> {
        self.subscription_cancel
            .as_ref()
            .map(|c| c.subscription.as_str())
            .or(self.subscription_update.as_deref())
            .or(self
                .subscription_update_confirm
                .as_ref()
                .map(|c| c.subscription.as_str()))
    }
}

/// What the customer sees once the flow's action is done.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AfterCompletion {
    pub kind: String,
    pub custom_message: Option<String>,
    pub redirect_url: Option<String>,
}

impl Default for AfterCompletion {
    /// A confirmation page, as Stripe does when `after_completion` is left out.
    fn default() -> AfterCompletion {
        AfterCompletion {
            kind: "hosted_confirmation".into(),
            custom_message: None,
            redirect_url: None,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CancelFlow {
    pub subscription: String,
    /// The coupon offered to stay.
    pub retention_coupon: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ConfirmFlow {
    pub subscription: String,
    pub items: Vec<ConfirmItem>,
    pub discounts: Option<Vec<ConfirmDiscount>>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ConfirmItem {
    pub id: String,
    pub price: Option<String>,
    pub quantity: Option<i64>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ConfirmDiscount {
    pub coupon: Option<String>,
    pub promotion_code: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::id::SequentialIds;

    fn ctx(ids: &mut SequentialIds) -> Ctx<'_> {
        Ctx {
            now: 1_000,
            livemode: false,
            ids,
        }
    }

    fn param(e: &DomainError) -> Option<&str> {
        match e {
            DomainError::Invalid { param, .. } => param.as_deref(),
            _ => None,
        }
    }

    #[test]
    fn omitted_features_serialise_as_stripe_does() {
        let mut ids = SequentialIds::default();
        let c = PortalConfiguration::create(ConfigurationParams::default(), &mut ctx(&mut ids))
            .unwrap();
        assert!(c.id.starts_with("bpc_") && c.active && !c.is_default);
        let f = &c.features;
        assert_eq!(f.subscription_cancel.mode, "at_period_end");
        assert_eq!(f.subscription_cancel.proration_behavior, "none");
        assert_eq!(f.subscription_cancel.reasons, DEFAULT_CANCEL_REASONS);
        assert_eq!(f.subscription_update.proration_behavior, "none");
        assert_eq!(f.subscription_update.trial_update_behavior, "end_trial");
        assert_eq!(f.subscription_update.products, None);
        assert_eq!(c.login_token, None);
    }

    #[test]
    fn cancel_prorations_need_immediate_cancellation() {
        let mut ids = SequentialIds::default();
        let mut c = PortalConfiguration::create(ConfigurationParams::default(), &mut ctx(&mut ids))
            .unwrap();
        let before = c.clone();
        let with = |mode: Option<&str>, pb: &str| ConfigurationParams {
            subscription_cancel: Some(SubscriptionCancelParams {
                enabled: Some(true),
                mode: mode.map(str::to_owned),
                proration_behavior: Some(pb.into()),
                ..Default::default()
            }),
            ..Default::default()
        };
        for (mode, pb) in [
            (None, "create_prorations"),
            (Some("immediately"), "always_invoice"),
        ] {
            let err = c.apply(with(mode, pb), &mut ctx(&mut ids)).unwrap_err();
            assert_eq!(
                param(&err),
                Some("features[subscription_cancel][proration_behavior]")
            );
            assert_eq!(c, before, "nothing changed");
        }
        c.apply(
            with(Some("immediately"), "create_prorations"),
            &mut ctx(&mut ids),
        )
        .unwrap();
        assert_eq!(c.features.subscription_cancel.mode, "immediately");
    }

    #[test]
    fn products_limits_and_quantity_bounds() {
        let mut ids = SequentialIds::default();
        let product = |n: usize, prices: Vec<&str>, q: Option<(bool, Option<i64>, Option<i64>)>| {
            UpdateProductParams {
                product: format!("prod_{n}"),
                prices: prices.into_iter().map(str::to_owned).collect(),
                adjustable_quantity: q,
            }
        };
        let with = |v: Vec<UpdateProductParams>| ConfigurationParams {
            subscription_update: Some(SubscriptionUpdateParams {
                enabled: Some(true),
                products: Patch::Set(v),
                ..Default::default()
            }),
            ..Default::default()
        };
        let eleven = (0..11).map(|n| product(n, vec!["price_a"], None)).collect();
        let err = PortalConfiguration::create(with(eleven), &mut ctx(&mut ids)).unwrap_err();
        assert_eq!(param(&err), Some("features[subscription_update][products]"));
        let err =
            PortalConfiguration::create(with(vec![product(1, vec![], None)]), &mut ctx(&mut ids))
                .unwrap_err();
        assert_eq!(
            param(&err),
            Some("features[subscription_update][products][0][prices]")
        );
        let err = PortalConfiguration::create(
            with(vec![product(1, vec!["p"], Some((true, Some(5), Some(2))))]),
            &mut ctx(&mut ids),
        )
        .unwrap_err();
        assert_eq!(
            param(&err),
            Some("features[subscription_update][products][0][adjustable_quantity][maximum]")
        );
        let ok = PortalConfiguration::create(
            with(vec![product(
                1,
                vec!["p", "q"],
                Some((true, None, Some(10))),
            )]),
            &mut ctx(&mut ids),
        )
        .unwrap();
        let p = ok.update_product_for_price("q").unwrap();
        assert_eq!(
            (p.adjustable_quantity, p.minimum, p.maximum),
            (true, 1, Some(10))
        );
        assert!(ok.update_product_for_price("r").is_none());
    }

    #[test]
    fn the_login_page_link_comes_and_goes() {
        let mut ids = SequentialIds::default();
        let on = ConfigurationParams {
            login_page: Some(true),
            ..Default::default()
        };
        let mut c = PortalConfiguration::create(on.clone(), &mut ctx(&mut ids)).unwrap();
        let token = c.login_token.clone().unwrap();
        assert_eq!(token.len(), LINK_TOKEN_LEN);
        c.apply(on, &mut ctx(&mut ids)).unwrap();
        assert_eq!(c.login_token.as_ref(), Some(&token), "kept while enabled");
        c.apply(
            ConfigurationParams {
                login_page: Some(false),
                ..Default::default()
            },
            &mut ctx(&mut ids),
        )
        .unwrap();
        assert_eq!(c.login_token, None, "disabling deactivates the link");
    }

    #[test]
    fn urls_must_be_absolute_http() {
        for bad in [
            "/relative",
            "ftp://x.com",
            "not a url",
            "javascript:alert(1)",
        ] {
            assert!(check_url(bad, "return_url").is_err(), "{bad}");
        }
        assert!(check_url("https://example.com/account", "return_url").is_ok());
    }
}

//! The customer portal's configurations (which features a portal offers, and how) and sessions
//! (one customer's link into it, optionally deep-linked into one flow).

use crate::error::{DomainError, DomainResult};
use crate::metadata::{Metadata, MetadataUpdate};
use crate::patch::Patch;
use crate::price::{Interval, Recurring};
use crate::subscription::{Subscription, SubscriptionStatus};
use crate::Ctx;
use serde::{Deserialize, Serialize};

pub use crate::portal_session::*;

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
/// Characters after `test_`/`live_` in a session or login-page link (base 62; a login-page link
/// is random throughout, about 256 bits).
pub const LINK_TOKEN_LEN: usize = 43;
/// How many of a session link's characters repeat the start of the session's id.
pub const LINK_HEAD_LEN: usize = 8;
pub(crate) const TOKEN_ALPHABET: &[u8] =
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

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
        let turns_updates = p
            .subscription_update
            .as_ref()
            .is_some_and(|u| u.enabled.is_some());
        let toggles = turns_updates
            || p.payment_method_update
                .as_ref()
                .is_some_and(|u| u.enabled.is_some());
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
            // A rule broken by a stored value is blamed on what the request sent.
            let sent_proration = sc.proration_behavior.is_some();
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
            let param = if sent_proration {
                format!("{F}[subscription_cancel][proration_behavior]")
            } else {
                format!("{F}[subscription_cancel][mode]")
            };
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
        // As in Stripe: a customer who may change plans must be able to keep a card to pay
        // with. (Checked when a request turns either on or off, so that a configuration stored
        // before the rule can still be renamed or deactivated.)
        if toggles
            && next.features.subscription_update.enabled
            && !next.features.payment_method_update.enabled
        {
            // (Named by the switch the request turned, subscription updates' if both.)
            let param = if turns_updates {
                "features[subscription_update][enabled]"
            } else {
                "features[payment_method_update][enabled]"
            };
            return Err(DomainError::state(
                Some(param),
                "Cannot enable subscription updates while payment method update is disabled.",
            ));
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

/// Why the portal cannot change a subscription's plan, when it cannot.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum UpdateBlock {
    /// The subscription has ended.
    Ended,
    /// Only active and trialing subscriptions can change plans (this one is past due, …).
    NotActive,
    /// Only subscriptions with exactly one item can change plans; it has this many.
    Items(usize),
    /// A schedule or a pending update already decides what happens next.
    Scheduled,
    /// The subscription is set to cancel; renewing it comes first.
    Canceling,
    /// Its payment collection is paused: the portal would show a charge it does not make.
    CollectionPaused,
}

/// Why the portal cannot change `sub`'s plan, if it cannot. (The configuration decides on top
/// of this whether it offers plan changes at all.)
pub fn update_block(sub: &Subscription) -> Option<UpdateBlock> {
    if sub.status.is_ended() {
        return Some(UpdateBlock::Ended);
    }
    if !matches!(
        sub.status,
        SubscriptionStatus::Active | SubscriptionStatus::Trialing
    ) {
        return Some(UpdateBlock::NotActive);
    }
    if sub.items.len() != 1 {
        return Some(UpdateBlock::Items(sub.items.len()));
    }
    if sub.schedule.is_some() || sub.pending_update.is_some() {
        return Some(UpdateBlock::Scheduled);
    }
    if sub.cancel_at_period_end || sub.cancel_at.is_some() {
        return Some(UpdateBlock::Canceling);
    }
    if sub.pause_collection.is_some() {
        return Some(UpdateBlock::CollectionPaused);
    }
    None
}

impl SubscriptionUpdate {
    /// Whether `what` (`price`, `quantity`, `promotion_code`) is among the updates allowed.
    pub fn allows(&self, what: &str) -> bool {
        self.default_allowed_updates.iter().any(|a| a == what)
    }
}

impl PortalConfiguration {
    /// Whether customers can change plans here: the feature is on and offers something to
    /// change (other prices, or quantities).
    pub fn offers_updates(&self) -> bool {
        let u = &self.features.subscription_update;
        let prices = u.allows("price") && u.products.as_ref().is_some_and(|p| !p.is_empty());
        u.enabled && (prices || u.allows("quantity"))
    }

    /// Whether customers can change `sub`'s plan in the portal.
    pub fn can_update(&self, sub: &Subscription) -> bool {
        self.offers_updates() && update_block(sub).is_none()
    }

    /// Whether customers can cancel `sub` in the portal (not when it already ends, nor while
    /// it is paused: its period is over, and the business decides whether it resumes).
    pub fn can_cancel(&self, sub: &Subscription) -> bool {
        self.features.subscription_cancel.enabled
            && !sub.status.is_ended()
            && sub.status != SubscriptionStatus::Paused
            && !sub.cancel_at_period_end
            && sub.cancel_at.is_none()
    }

    /// The quantities allowed for `price` (`minimum`, `maximum`), when the configuration lets
    /// customers change the quantity of its product.
    pub fn quantity_bounds(&self, price: &str) -> Option<(i64, Option<i64>)> {
        if !self.features.subscription_update.allows("quantity") {
            return None;
        }
        self.update_product_for_price(price)
            .filter(|p| p.adjustable_quantity)
            .map(|p| (p.minimum.max(1), p.maximum))
    }

    /// Whether customers may enter a promotion code when changing plans.
    pub fn allows_promotion_codes(&self) -> bool {
        self.features.subscription_update.allows("promotion_code")
    }
}

/// The terms of a plan that decide whether a change to it waits for the end of the period.
#[derive(Clone, Copy, Debug)]
pub struct PlanTerms<'a> {
    pub product: &'a str,
    /// What the plan costs a period at `quantity`.
    pub amount: i64,
    pub quantity: i64,
    pub recurring: &'a Recurring,
}

/// An interval's nominal length in 48ths of a day. Months and years average the calendar
/// (365.25 days a year, a twelfth of that a month), so $10 a month and $120 a year cost the same.
fn nominal_length(r: &Recurring) -> i128 {
    let unit: i128 = match r.interval {
        Interval::Day => 48,
        Interval::Week => 7 * 48,
        Interval::Month => 1461,
        Interval::Year => 12 * 1461,
    };
    unit * i128::from(r.interval_count)
}

/// Whether a plan change from `from` to `to` waits for the end of the current period under
/// `conditions` (`features.subscription_update.schedule_at_period_end`). Any condition that
/// holds defers the change, as in Stripe:
/// - `decreasing_item_amount`: the new plan costs less over time — a cheaper price, a lower
///   quantity, or a longer interval that is cheaper in the long run ($10/month → $100/year);
/// - `shortening_interval`: the interval gets shorter and nothing else changes (same product,
///   same quantity), e.g. yearly → monthly.
pub fn defer_to_period_end(
    conditions: &[String],
    from: &PlanTerms<'_>,
    to: &PlanTerms<'_>,
) -> bool {
    let (from_len, to_len) = (nominal_length(from.recurring), nominal_length(to.recurring));
    conditions.iter().any(|c| match c.as_str() {
        "decreasing_item_amount" => {
            // to_amount / to_len < from_amount / from_len, without dividing.
            i128::from(to.amount) * from_len < i128::from(from.amount) * to_len
        }
        "shortening_interval" => {
            to_len < from_len && to.product == from.product && to.quantity == from.quantity
        }
        _ => false,
    })
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
        let most = crate::subscription::MAX_QUANTITY;
        if !(0..=most).contains(&minimum) {
            return Err(DomainError::invalid(
                format!("{base}[{i}][adjustable_quantity][minimum]"),
                format!("The minimum quantity must be between 0 and {most}."),
            ));
        }
        if maximum.is_some_and(|max| max > most) {
            return Err(DomainError::invalid(
                format!("{base}[{i}][adjustable_quantity][maximum]"),
                format!("The maximum quantity cannot be more than {most}, the most a subscription item takes."),
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

/// Whether `raw` has no spaces or control characters (a line break, a tab): URL parsers drop
/// them, but the text would be stored, sent or put in a header as it is.
pub fn url_text_is_plain(raw: &str) -> bool {
    !raw.chars().any(|c| c.is_control() || c.is_whitespace())
}

/// Whether a URL's text names its host right after `scheme://`. The URL standard repairs
/// `http:///x`, `http:/x`, `http:x` and `http:\x` into `http://x/`, so parsing alone would take
/// them; such text is a typo, and would be stored and shown as it was written.
pub fn url_text_has_authority(raw: &str) -> bool {
    raw.split_once(':')
        .and_then(|(_, rest)| rest.strip_prefix("//"))
        .is_some_and(|after| !after.is_empty() && !after.starts_with(['/', '\\']))
}

/// `raw` as an absolute `http` or `https` URL with a host, written out as such: no spaces or
/// control characters, and the host right after `//`.
pub fn absolute_http_url(raw: &str) -> Option<url::Url> {
    if !url_text_is_plain(raw) || !url_text_has_authority(raw) {
        return None;
    }
    url::Url::parse(raw).ok().filter(|u| {
        matches!(u.scheme(), "http" | "https") && !u.host_str().unwrap_or("").is_empty()
    })
}

/// URLs the portal links or redirects to must be absolute `http` or `https` URLs.
pub fn check_url(raw: &str, param: &str) -> DomainResult<()> {
    if absolute_http_url(raw).is_some() {
        Ok(())
    } else {
        Err(DomainError::invalid(
            param,
            format!("Invalid URL: {param} must be an absolute http:// or https:// URL."),
        ))
    }
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
        // Going back to the period's end contradicts the stored prorations: the error names
        // the mode, which is what the request sent.
        let back = ConfigurationParams {
            subscription_cancel: Some(SubscriptionCancelParams {
                mode: Some("at_period_end".into()),
                ..Default::default()
            }),
            ..Default::default()
        };
        let err = c.apply(back, &mut ctx(&mut ids)).unwrap_err();
        assert_eq!(param(&err), Some("features[subscription_cancel][mode]"));
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
            payment_method_update: Some(PaymentMethodUpdateParams {
                enabled: Some(true),
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
    fn plan_changes_need_card_updates() {
        let mut ids = SequentialIds::default();
        let updates = |on: bool| SubscriptionUpdateParams {
            enabled: Some(on),
            ..Default::default()
        };
        let cards = |on: bool| PaymentMethodUpdateParams {
            enabled: Some(on),
            ..Default::default()
        };
        let alone = ConfigurationParams {
            subscription_update: Some(updates(true)),
            ..Default::default()
        };
        let err = PortalConfiguration::create(alone, &mut ctx(&mut ids)).unwrap_err();
        assert_eq!(param(&err), None);
        let both = ConfigurationParams {
            subscription_update: Some(updates(true)),
            payment_method_update: Some(cards(true)),
            ..Default::default()
        };
        let mut c = PortalConfiguration::create(both, &mut ctx(&mut ids)).unwrap();
        let cards_off = ConfigurationParams {
            payment_method_update: Some(cards(false)),
            ..Default::default()
        };
        assert!(c.apply(cards_off.clone(), &mut ctx(&mut ids)).is_err());
        assert!(
            c.features.payment_method_update.enabled,
            "a refused update changes nothing"
        );
        let both_off = ConfigurationParams {
            subscription_update: Some(updates(false)),
            ..cards_off
        };
        c.apply(both_off, &mut ctx(&mut ids)).unwrap();
        // A configuration stored before the rule can still be changed otherwise.
        c.features.subscription_update.enabled = true;
        let rename = ConfigurationParams {
            name: Patch::Set("Renamed".into()),
            ..Default::default()
        };
        c.apply(rename, &mut ctx(&mut ids)).unwrap();
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
    fn which_changes_wait_for_the_period_end() {
        let month = Recurring {
            interval: Interval::Month,
            interval_count: 1,
        };
        let year = Recurring {
            interval: Interval::Year,
            interval_count: 1,
        };
        let plan = |product, unit_amount: i64, quantity, recurring| PlanTerms {
            product,
            amount: unit_amount * quantity,
            quantity,
            recurring,
        };
        let dec = vec!["decreasing_item_amount".to_owned()];
        let short = vec!["shortening_interval".to_owned()];
        let both = vec![dec[0].clone(), short[0].clone()];
        let pro_m = plan("pro", 1000, 1, &month);
        // Stripe's example: $10/month to $100/year is cheaper in the long run.
        assert!(defer_to_period_end(
            &dec,
            &pro_m,
            &plan("pro", 10_000, 1, &year)
        ));
        // $10/month to $120/year costs the same: not a decrease.
        assert!(!defer_to_period_end(
            &dec,
            &pro_m,
            &plan("pro", 12_000, 1, &year)
        ));
        // A cheaper price, a lower quantity.
        assert!(defer_to_period_end(
            &dec,
            &pro_m,
            &plan("basic", 500, 1, &month)
        ));
        assert!(defer_to_period_end(
            &dec,
            &plan("pro", 1000, 3, &month),
            &plan("pro", 1000, 2, &month)
        ));
        assert!(!defer_to_period_end(
            &dec,
            &pro_m,
            &plan("team", 4000, 1, &month)
        ));
        assert!(
            !defer_to_period_end(&dec, &pro_m, &plan("pro", 1000, 1, &month)),
            "no change"
        );
        // Yearly to monthly on the same product and quantity shortens the interval...
        let pro_y = plan("pro", 10_000, 1, &year);
        assert!(defer_to_period_end(&short, &pro_y, &pro_m));
        assert!(
            !defer_to_period_end(&dec, &pro_y, &pro_m),
            "$100/year → $10/month costs more"
        );
        // ...but not when the product or quantity changes too.
        assert!(!defer_to_period_end(
            &short,
            &pro_y,
            &plan("team", 1000, 1, &month)
        ));
        assert!(!defer_to_period_end(
            &short,
            &pro_y,
            &plan("pro", 1000, 2, &month)
        ));
        assert!(!defer_to_period_end(&short, &pro_m, &pro_y));
        // Any condition that holds is enough; none configured, nothing waits.
        assert!(defer_to_period_end(&both, &pro_y, &pro_m));
        assert!(!defer_to_period_end(
            &[],
            &pro_m,
            &plan("basic", 1, 1, &month)
        ));
        // Weeks and days compare on the same scale.
        let week = Recurring {
            interval: Interval::Week,
            interval_count: 1,
        };
        let days7 = Recurring {
            interval: Interval::Day,
            interval_count: 7,
        };
        assert!(!defer_to_period_end(
            &both,
            &plan("p", 700, 1, &week),
            &plan("p", 700, 1, &days7)
        ));
    }

    #[test]
    fn urls_must_be_absolute_http() {
        for bad in [
            "/relative",
            "ftp://x.com",
            "not a url",
            "javascript:alert(1)",
            // Repaired into `https://x.com/` by the URL standard, but not written so.
            "https:///x.com",
            "https:/x.com",
            "https:x.com",
            "https:\\x.com",
            "https://",
        ] {
            assert!(check_url(bad, "return_url").is_err(), "{bad}");
        }
        assert!(check_url("https://example.com/account", "return_url").is_ok());
    }
}

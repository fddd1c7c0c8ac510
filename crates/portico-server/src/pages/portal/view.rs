//! What the portal's templates show: the page frame (branding, the way back to the app), and
//! subscriptions, plans, cards and invoices written out for the customer's language.

use super::Portal;
use crate::pages::i18n::{Arg, T};
use askama::Template;
use axum::extract::Query;
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use portico_domain::coupon::{Coupon, Duration};
use portico_domain::discount::Discount;
use portico_domain::invoice::{Invoice, InvoiceStatus, Line};
use portico_domain::payment_method::PaymentMethod;
use portico_domain::portal::PlanSummary;
use portico_domain::price::Price;
use portico_domain::subscription::{Item, Subscription, SubscriptionStatus};
use std::collections::HashMap;

/// The frame of every portal page.
pub struct Layout {
    pub t: T,
    pub lang: &'static str,
    pub title: String,
    pub business: String,
    /// The first letter of the business name, shown when there is no logo.
    pub initial: String,
    /// The logo as a `data:` URI.
    pub logo: Option<String>,
    /// The stylesheet with the accent colour.
    pub brand_css: Option<String>,
    pub headline: Option<String>,
    pub return_url: Option<String>,
    pub terms_url: Option<String>,
    pub privacy_url: Option<String>,
    /// `/p/session/{token}`.
    pub base: String,
    pub csrf: String,
    /// Inside a deep-linked flow: the rest of the portal is hidden.
    pub in_flow: bool,
    pub test_mode: bool,
}

impl Layout {
    /// "Return to {business}".
    pub fn return_label(&self) -> String {
        self.t.f(
            "return-to",
            vec![("business", self.business.clone().into())],
        )
    }
}

/// What a page's frame is drawn from: the account's branding and the configuration's business
/// profile, the way back to the app, and where the page lives.
pub struct FrameParts<'a> {
    pub t: T,
    pub branding: Option<&'a portico_domain::branding::Branding>,
    pub profile: &'a portico_domain::portal::BusinessProfile,
    pub return_url: Option<String>,
    pub base: String,
    pub csrf: String,
    pub in_flow: bool,
    pub test_mode: bool,
}

impl Layout {
    /// The frame for a page titled `title`.
    pub fn new(parts: FrameParts<'_>, title: String) -> Layout {
        let t = parts.t;
        let b = parts.branding;
        let business = b
            .and_then(|b| b.business_name.clone())
            .or_else(|| {
                parts
                    .return_url
                    .as_deref()
                    .and_then(|u| url::Url::parse(u).ok())
                    .and_then(|u| u.host_str().map(str::to_owned))
            })
            .unwrap_or_else(|| t.s("default-business-name"));
        Layout {
            t,
            lang: t.lang.tag(),
            title,
            initial: business
                .chars()
                .find(|c| c.is_alphanumeric())
                .map(|c| c.to_uppercase().to_string())
                .unwrap_or_default(),
            business,
            logo: b
                .and_then(|b| b.logo.as_ref())
                .map(|l| format!("data:{};base64,{}", l.content_type, l.data)),
            brand_css: b
                .and_then(|b| b.accent_color.as_deref())
                .map(|c| format!("/p/brand.css?accent={}", c.trim_start_matches('#'))),
            headline: parts.profile.headline.clone(),
            return_url: parts.return_url,
            terms_url: parts.profile.terms_of_service_url.clone(),
            privacy_url: parts.profile.privacy_policy_url.clone(),
            base: parts.base,
            csrf: parts.csrf,
            in_flow: parts.in_flow,
            test_mode: parts.test_mode,
        }
    }
}

impl Portal {
    /// The frame for a page of this session titled `title`.
    pub fn layout(&self, title: String) -> Layout {
        Layout::new(
            FrameParts {
                t: self.t,
                branding: self.branding.as_ref(),
                profile: &self.config.business_profile,
                return_url: self.session.value.return_url.clone(),
                base: self.base(),
                csrf: self.csrf(),
                in_flow: self.in_flow(),
                test_mode: !self.caller.livemode,
            },
            title,
        )
    }
}

/// A message page outside any session (expired links and the like).
#[derive(Template)]
#[template(path = "portal/notice.html")]
pub struct NoticePage<'a> {
    pub lang: &'static str,
    pub heading: String,
    pub body: String,
    /// `ok`, `bad` or `neutral`.
    pub tone: &'a str,
    pub footer: String,
    /// A way back to the app: its URL and the link's words.
    pub back: Option<(String, String)>,
    /// A button that posts the page back to its own address: its words, and the CSRF token.
    pub form: Option<(String, String)>,
}

/// A message page inside a session, in its frame.
#[derive(Template)]
#[template(path = "portal/session_notice.html")]
pub struct SessionNotice {
    pub l: Layout,
    pub heading: String,
    pub body: String,
    /// A way forward: the address and the button's label.
    pub action: Option<(String, String)>,
}

/// `GET /p/brand.css?accent=635bff`: the accent colour, and a text colour that reads on it.
pub async fn brand_css(Query(q): Query<HashMap<String, String>>) -> Response {
    let accent = q
        .get("accent")
        .and_then(|c| portico_domain::branding::normalize_color(c).ok())
        .unwrap_or_else(|| DEFAULT_ACCENT.to_owned());
    let css = format!(
        ":root {{ --accent: {accent}; --accent-ink: {}; --accent-text: {}; }}\n",
        accent_ink(&accent),
        accent_text(&accent)
    );
    let mut r = css.into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/css; charset=utf-8"),
    );
    r.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=86400"),
    );
    r
}

/// The accent of an account that has not chosen one.
pub const DEFAULT_ACCENT: &str = "#4f46e5";

/// The accent an account's emails use for their button, and the button's text colour.
pub fn email_accent(
    branding: Option<&portico_domain::branding::Branding>,
) -> (String, &'static str) {
    let accent = branding
        .and_then(|b| b.accent_color.clone())
        .unwrap_or_else(|| DEFAULT_ACCENT.into());
    let ink = accent_ink(&accent);
    (accent, ink)
}

/// An email's greeting to a customer named `name`, if they are.
pub fn email_greeting(t: &T, name: Option<&str>) -> String {
    match name.map(str::trim) {
        Some(n) if !n.is_empty() => t.f("email-greeting-name", vec![("name", n.into())]),
        _ => t.s("email-greeting"),
    }
}

/// The text colour for a button filled with `accent` (`#rrggbb`): dark on a light accent,
/// white on a dark one.
pub fn accent_ink(accent: &str) -> &'static str {
    if luminance(accent) > 0.45 {
        "#111827"
    } else {
        "#ffffff"
    }
}

/// `accent` (`#rrggbb`) as a colour for text on white: itself when it reads well there (a
/// contrast of at least 4.5:1, WCAG AA), else darkened until it does, keeping its hue. A white
/// or yellow accent would otherwise make links vanish.
pub fn accent_text(accent: &str) -> String {
    let channel = |i: usize| {
        u8::from_str_radix(accent.get(1 + 2 * i..3 + 2 * i).unwrap_or("00"), 16).unwrap_or(0)
    };
    let (r, g, b) = (channel(0), channel(1), channel(2));
    let mut scale = 1.0_f64;
    loop {
        let shade = |c: u8| (f64::from(c) * scale).round() as u8;
        let hex = format!("#{:02x}{:02x}{:02x}", shade(r), shade(g), shade(b));
        // Contrast with white: 1.05 / (L + 0.05) ≥ 4.5 when L ≤ 0.1833.
        if luminance(&hex) <= 0.1833 || scale <= 0.0 {
            return hex;
        }
        scale -= 0.02;
    }
}

/// The relative luminance of `#rrggbb` (WCAG), 0 to 1.
fn luminance(hex: &str) -> f64 {
    let channel = |i: usize| {
        let v = u8::from_str_radix(hex.get(1 + 2 * i..3 + 2 * i).unwrap_or("00"), 16).unwrap_or(0)
            as f64
            / 255.0;
        if v <= 0.039_28 {
            v / 12.92
        } else {
            ((v + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * channel(0) + 0.7152 * channel(1) + 0.0722 * channel(2)
}

/// A price of `product` at `quantity`, as the customer sees a plan.
pub fn plan_summary(product: &str, price: &Price, quantity: i64, currency: &str) -> PlanSummary {
    let (interval, count) = price
        .recurring
        .as_ref()
        .map(|r| (r.interval.as_str(), r.interval_count))
        .unwrap_or(("month", 1));
    PlanSummary {
        product: product.to_owned(),
        unit_amount: price.unit_amount.unwrap_or(0),
        tiered_total: price.tiers.is_some().then(|| price.amount_for(quantity)),
        currency: currency.to_owned(),
        interval: interval.to_owned(),
        interval_count: count,
        quantity,
    }
}

/// The plan of a subscription item, for summaries and outcomes.
pub fn plan_of(item: &Item, currency: &str) -> PlanSummary {
    plan_summary(&item.product_name, &item.price, item.quantity, currency)
}

/// `$15.00 / month`, or `3 × $15.00 / month`; under a tiered price, what the quantity costs:
/// `$127.50 / month for 20`.
pub fn plan_price(t: &T, p: &PlanSummary) -> String {
    if let Some(total) = p.tiered_total {
        let price = t.per_interval(total, &p.currency, &p.interval, p.interval_count);
        return tiered_total(t, p.quantity, price);
    }
    let each = t.per_interval(p.unit_amount, &p.currency, &p.interval, p.interval_count);
    if p.quantity == 1 {
        each
    } else {
        t.f(
            "quantity-times",
            vec![("quantity", p.quantity.into()), ("price", each.into())],
        )
    }
}

/// `$91.00 / month for 8`: what a quantity costs under a tiered price, `price` written out.
pub fn tiered_total(t: &T, quantity: i64, price: String) -> String {
    t.f(
        "tiered-quantity-total",
        vec![("quantity", quantity.into()), ("price", price.into())],
    )
}

/// A subscription as the homepage shows it.
pub struct SubscriptionView {
    pub id: String,
    pub title: String,
    pub lines: Vec<String>,
    /// What happens next: renewal, cancellation, trial end.
    pub next: String,
    pub badge: Option<(String, &'static str)>,
    pub change: Option<String>,
    /// Where to finish what the change waits on (its payment's authentication).
    pub resume: Option<String>,
    /// Where to pay the open invoice the subscription waits on (its first, or one that
    /// failed), when it waits on one.
    pub pay: Option<String>,
    /// The discounts in force, as [`discount_line`] writes them.
    pub discounts: Vec<String>,
    /// The card it is charged to, when it has one of its own (not the customer's default).
    pub paid_with: Option<String>,
    pub can_update: bool,
    pub can_cancel: bool,
    pub can_renew: bool,
}

impl SubscriptionView {
    /// `sub` for the customer, with the actions `p`'s configuration allows; `change` describes a
    /// scheduled plan change, if any.
    pub fn new(
        p: &Portal,
        sub: &Subscription,
        change: Option<String>,
        discounts: Vec<String>,
    ) -> SubscriptionView {
        let t = &p.t;
        let plans: Vec<PlanSummary> = sub
            .items
            .iter()
            .map(|i| plan_of(i, &sub.currency))
            .collect();
        let title = plans
            .iter()
            .map(|p| p.product.clone())
            .collect::<Vec<_>>()
            .join(" + ");
        let lines = plans.iter().map(|pl| plan_price(t, pl)).collect();
        let end = sub.current_period().1;
        let date = |at: i64| Arg::from(t.date(at));
        let next = if let Some(at) = sub.cancel_at {
            t.f("sub-cancels-on", vec![("date", date(at))])
        } else if sub.status == SubscriptionStatus::Paused {
            t.f("sub-paused", vec![("date", date(end))])
        } else if sub.status == SubscriptionStatus::Trialing {
            t.f(
                "sub-trial-ends",
                vec![("date", date(sub.trial_end.unwrap_or(end)))],
            )
        } else {
            t.f("sub-renews-on", vec![("date", date(end))])
        };
        let badge = match sub.status {
            SubscriptionStatus::Trialing => Some((t.s("status-trialing"), "info")),
            SubscriptionStatus::PastDue | SubscriptionStatus::Unpaid => {
                Some((t.s("status-past-due"), "bad"))
            }
            SubscriptionStatus::Incomplete => Some((t.s("status-incomplete"), "bad")),
            SubscriptionStatus::Paused => Some((t.s("status-paused"), "warn")),
            _ if sub.cancel_at.is_some() => Some((t.s("status-canceling"), "warn")),
            _ => None,
        };
        SubscriptionView {
            id: sub.id.clone(),
            title,
            lines,
            next,
            badge,
            change,
            resume: None,
            pay: None,
            discounts,
            paid_with: None,
            can_update: p.config.can_update(sub),
            can_cancel: p.config.can_cancel(sub),
            can_renew: p.config.features.subscription_cancel.enabled
                && sub.cancel_at_period_end
                && !sub.status.is_ended(),
        }
    }
}

/// How an invoice or preview names discount `id`: its coupon's name and what it takes off
/// (`Welcome (20% off)`), or what it takes off alone when the coupon has no name. A discount
/// not stored (a preview's own) is named by the next of `unstored`'s coupons, if any.
pub async fn discount_label(
    app: &crate::state::App,
    account: &portico_domain::AccountId,
    t: &T,
    id: &str,
    currency: &str,
    unstored: &mut (dyn Iterator<Item = Coupon> + Send),
) -> Result<String, crate::http::Failure> {
    let coupon = match crate::billing::discount_with_coupon(app, account, id, &[]).await? {
        Some((_, c)) => Some(c),
        None => unstored.next(),
    };
    Ok(match coupon.as_ref() {
        Some(c) => {
            let off = coupon_off(t, c, currency);
            match c.name.as_deref().filter(|n| !n.trim().is_empty()) {
                Some(name) => format!("{name} ({off})"),
                None if !off.is_empty() => off,
                None => t.s("invoice-discount"),
            }
        }
        None => t.s("invoice-discount"),
    })
}

/// What a coupon takes off: `20% off`, `$5.00 off`.
pub fn coupon_off(t: &T, c: &Coupon, currency: &str) -> String {
    match (c.percent_off, c.amount_off) {
        (Some(pct), _) => t.f(
            "offer-percent-off",
            vec![("percent", format_percent(pct).into())],
        ),
        (None, Some(a)) => t.f(
            "offer-amount-off",
            vec![("amount", t.money(a, currency).into())],
        ),
        _ => String::new(),
    }
}

/// Renders `1.5` as `1.5` and `20.0` as `20`.
fn format_percent(p: f64) -> String {
    if p.fract() == 0.0 {
        format!("{}", p as i64)
    } else {
        format!("{p}")
    }
}

/// A discount in force on a subscription, as its card shows it: the coupon's name, what it
/// takes off, and until when (`Retention: 20% off until April 6, 2027`).
pub fn discount_line(t: &T, d: &Discount, c: &Coupon, currency: &str) -> String {
    let off = coupon_off(t, c, currency);
    let off_lower = off.to_lowercase();
    let what = match (c.duration, d.end) {
        (Duration::Repeating, Some(end)) => t.f(
            "sub-discount-until",
            vec![("off", off.into()), ("date", t.date(end).into())],
        ),
        (Duration::Once, _) => format!("{off} {}", t.s("offer-once")),
        _ => off,
    };
    // A name that only says what the coupon takes off ("10% off") is not said twice.
    let says_more = |n: &&str| {
        let n = n.trim().to_lowercase();
        !n.is_empty() && n != off_lower
    };
    match c.name.as_deref().filter(says_more) {
        Some(name) => format!("{name}: {what}"),
        None => what,
    }
}

/// A saved card as the homepage shows it.
pub struct CardView {
    pub id: String,
    pub brand: String,
    pub last4: String,
    pub expires: String,
    pub is_default: bool,
    pub can_remove: bool,
    /// "Visa ending in 4242", for the names of its buttons (the dots of [`CardView::label`]
    /// are read out one by one).
    pub spoken: String,
}

impl CardView {
    /// `pm`, default or not; `removable` when the customer may remove it.
    pub fn new(t: &T, pm: &PaymentMethod, is_default: bool, removable: bool) -> CardView {
        CardView {
            id: pm.id.clone(),
            brand: pm.card.brand.label().to_owned(),
            last4: pm.card.last4.clone(),
            expires: t.f(
                "card-expires",
                vec![(
                    "date",
                    format!("{:02}/{}", pm.card.exp_month, pm.card.exp_year).into(),
                )],
            ),
            is_default,
            can_remove: removable,
            spoken: t.f(
                "auth-card-value",
                vec![
                    ("brand", pm.card.brand.label().into()),
                    ("last4", pm.card.last4.clone().into()),
                ],
            ),
        }
    }

    /// `Visa •••• 4242`.
    pub fn label(&self) -> String {
        format!("{} •••• {}", self.brand, self.last4)
    }
}

/// "Charged to Visa •••• 4242": the card a subscription's invoices are paid with.
pub fn paid_with_line(t: &T, pm: &PaymentMethod) -> String {
    let card = format!("{} •••• {}", pm.card.brand.label(), pm.card.last4);
    t.f("preview-paid-with", vec![("card", card.into())])
}

/// One line of an invoice or a preview, written for the customer.
pub struct LineView {
    pub label: String,
    pub amount: String,
}

/// An invoice line in the customer's words (the engine's descriptions are Stripe's English);
/// `names` gives product names by product id.
pub fn line_view(t: &T, l: &Line, names: &[(String, String)], currency: &str) -> LineView {
    // An invoice item's description is the merchant's own words (its product's name unless
    // they gave one).
    let one_off = l.invoice_item.is_some() && !l.proration;
    let product = match names.iter().find(|(id, _)| *id == l.product) {
        _ if one_off && !l.description.is_empty() => l.description.clone(),
        Some((_, n)) => n.clone(),
        // An amount charged with no description names nothing.
        None if l.description.is_empty() => t.s("line-unnamed"),
        None => l.description.clone(),
    };
    // A tiered price bills each tier on a line of its own: the line names its tier.
    let product = match l.tier {
        Some((tier, _)) => t.f(
            "line-tier",
            vec![("product", product.into()), ("tier", (tier as i64).into())],
        ),
        None => product,
    };
    let args = || {
        vec![
            ("product", product.clone().into()),
            ("quantity", l.quantity.into()),
        ]
    };
    let label = if one_off && l.period_start == l.period_end {
        // A one-off charge for no period: what it is, and how many.
        if l.quantity == 1 {
            product.clone()
        } else {
            t.f("line-one-off", args())
        }
    } else if l.proration && l.amount < 0 {
        t.f("line-unused-time", args())
    } else if l.proration {
        t.f("line-remaining-time", args())
    } else if l.tier.is_some_and(|(_, flat)| flat) {
        // A tier's flat amount bills no units.
        t.f(
            "line-period-flat",
            vec![
                ("product", product.clone().into()),
                ("start", t.date(l.period_start).into()),
                ("end", t.date(l.period_end).into()),
            ],
        )
    } else {
        t.f(
            "line-period",
            vec![
                ("product", product.clone().into()),
                ("quantity", l.quantity.into()),
                ("start", t.date(l.period_start).into()),
                ("end", t.date(l.period_end).into()),
            ],
        )
    };
    LineView {
        label,
        amount: t.money(l.amount, currency),
    }
}

/// One page of the invoice history: the newest invoices after a point, drafts left out, and
/// the address of the page of older ones when there are more.
pub struct InvoiceHistory {
    pub rows: Vec<InvoiceRow>,
    pub older: Option<String>,
}

impl InvoiceHistory {
    /// How many invoices a page of the history shows.
    pub const SHOWN: usize = 24;

    /// The history from `listed` (newest first, drafts among them, read `2 × SHOWN` at a time
    /// so drafts rarely leave a page short; `has_more` when the read stopped short of the end).
    pub fn new(p: &super::Portal, listed: &[Invoice], has_more: bool) -> InvoiceHistory {
        let mut shown = listed.iter().filter(|i| i.status != InvoiceStatus::Draft);
        let rows: Vec<InvoiceRow> = shown
            .by_ref()
            .take(Self::SHOWN)
            .map(|i| InvoiceRow::new(&p.t, i))
            .collect();
        let more = has_more || shown.next().is_some();
        let older = match rows.last() {
            Some(last) if more => Some(format!("{}/invoices?after={}", p.base(), last.id)),
            _ => None,
        };
        InvoiceHistory { rows, older }
    }
}

/// An invoice as the history lists it.
pub struct InvoiceRow {
    pub id: String,
    pub date: String,
    pub amount: String,
    pub status: String,
    pub tone: &'static str,
    pub number: String,
}

impl InvoiceRow {
    pub fn new(t: &T, inv: &Invoice) -> InvoiceRow {
        let (status, tone) = invoice_status(t, inv);
        InvoiceRow {
            id: inv.id.clone(),
            date: t.date(inv.status_transitions.finalized_at.unwrap_or(inv.created)),
            amount: t.money(inv.total(), &inv.currency),
            status,
            tone,
            number: inv.number.clone().unwrap_or_default(),
        }
    }
}

/// An invoice's status for the customer, and its tone.
pub fn invoice_status(t: &T, inv: &Invoice) -> (String, &'static str) {
    match inv.status {
        InvoiceStatus::Paid => (t.s("invoice-status-paid"), "ok"),
        InvoiceStatus::Open => (t.s("invoice-status-open"), "warn"),
        InvoiceStatus::Void => (t.s("invoice-status-void"), "neutral"),
        InvoiceStatus::Uncollectible => (t.s("invoice-status-uncollectible"), "bad"),
        InvoiceStatus::Draft => (t.s("invoice-status-draft"), "neutral"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accents_read_on_white() {
        assert_eq!(accent_text("#4f46e5"), "#4f46e5", "dark enough as it is");
        for light in ["#ffffff", "#ffee00", "#7dd3fc"] {
            let text = accent_text(light);
            assert!(luminance(&text) <= 0.1833, "{light} → {text}");
            assert!(
                luminance(&text) > 0.12,
                "{light} → {text}: no darker than needed"
            );
        }
        assert_eq!(
            (accent_ink("#ffffff"), accent_ink("#4f46e5")),
            ("#111827", "#ffffff")
        );
    }
    use crate::pages::i18n::Lang;

    #[test]
    fn a_coupon_named_for_what_it_takes_off_is_not_named_twice() {
        let coupon = |name: Option<&str>| Coupon {
            id: "c".into(),
            created: 0,
            livemode: false,
            amount_off: None,
            currency: None,
            percent_off: Some(10.0),
            duration: Duration::Forever,
            duration_in_months: None,
            max_redemptions: None,
            redeem_by: None,
            times_redeemed: 0,
            applies_to: None,
            metadata: Default::default(),
            name: name.map(str::to_owned),
            deleted: false,
        };
        let d = Discount {
            id: "di".into(),
            coupon: "c".into(),
            promotion_code: None,
            customer: "cus".into(),
            subscription: None,
            start: 0,
            end: None,
            coupon_applied: None,
            deleted: false,
        };
        let t = T::new(Lang::En);
        assert_eq!(discount_line(&t, &d, &coupon(None), "usd"), "10% off");
        assert_eq!(
            discount_line(&t, &d, &coupon(Some("10% off")), "usd"),
            "10% off"
        );
        assert_eq!(
            discount_line(&t, &d, &coupon(Some("10% Off ")), "usd"),
            "10% off"
        );
        assert_eq!(
            discount_line(&t, &d, &coupon(Some("Founders")), "usd"),
            "Founders: 10% off"
        );
        assert_eq!(
            discount_line(&t, &d, &coupon(Some("10")), "usd"),
            "10: 10% off"
        );
    }

    #[test]
    fn ink_reads_on_the_accent() {
        assert!(luminance("#ffffff") > 0.9);
        assert!(luminance("#000000") < 0.01);
        assert!(luminance("#635bff") < 0.45, "white text on purple");
        assert!(luminance("#ffd400") > 0.45, "dark text on yellow");
    }
}

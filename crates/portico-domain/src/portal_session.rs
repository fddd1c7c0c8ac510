//! A customer's portal session: the link an app hands out (optionally deep-linked into one
//! flow), how long it lasts and which browser holds it, and what a completed flow changed.
//!
//! A link must be opened within a short time of its creation ([`Lifetime::link_ttl`]); the
//! browser that opens it takes the session, and it lasts while that browser uses it
//! ([`Lifetime::idle`]). Any other browser presenting the link is turned away.

use crate::portal::{LINK_HEAD_LEN, LINK_TOKEN_LEN, TOKEN_ALPHABET};
use crate::Ctx;
use serde::{Deserialize, Serialize};

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
    /// SHA-256 (hex) of the secret of the browser that opened the link; `None` until opened.
    #[serde(default)]
    pub browser: Option<String>,
    /// When the link was first opened.
    #[serde(default)]
    pub opened_at: Option<i64>,
    /// When the session was last used, as last written down (see [`TOUCH_EVERY_SECS`]).
    #[serde(default)]
    pub last_seen: Option<i64>,
    /// What the session's flow did, once it is done.
    #[serde(default)]
    pub outcome: Option<Outcome>,
    /// What the flow will have done once a payment waiting for 3-D Secure goes through.
    #[serde(default)]
    pub awaiting: Option<Outcome>,
    /// The subscription this session canceled whose reason survey is open: set with the
    /// cancellation, cleared once the customer answers it or moves on.
    #[serde(default)]
    pub survey_for: Option<String>,
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
        let id = ctx.ids.next("bps_", crate::ID_LEN);
        // The link begins with the first characters of the session's id (ids made later sort
        // later), so the lookups of new links are stored in the order they were made; the
        // rest, 35 random characters (about 208 bits), is the secret.
        let head: String = id["bps_".len()..].chars().take(LINK_HEAD_LEN).collect();
        let token = format!(
            "{prefix}{head}{}",
            ctx.ids
                .random_string(TOKEN_ALPHABET, LINK_TOKEN_LEN - head.len())
        );
        PortalSession {
            id,
            created: ctx.now,
            livemode: ctx.livemode,
            customer,
            configuration,
            flow,
            locale,
            on_behalf_of,
            return_url,
            token,
            browser: None,
            opened_at: None,
            last_seen: None,
            outcome: None,
            awaiting: None,
            survey_for: None,
        }
    }

    /// What a request carrying the link may do, given the hash of its browser's secret.
    pub fn access(&self, browser: Option<&str>, now: i64, life: &Lifetime) -> Access {
        let Some(bound) = &self.browser else {
            return if now < self.created + life.link_ttl {
                Access::Bind
            } else {
                Access::Expired
            };
        };
        if browser != Some(bound.as_str()) {
            return Access::Taken;
        }
        let last = self.last_seen.or(self.opened_at).unwrap_or(self.created);
        if now >= last + life.idle {
            Access::Expired
        } else {
            // Often enough that a session in use never looks idle, however short the limit.
            let every = TOUCH_EVERY_SECS.min(life.idle / 4);
            Access::Open {
                touch: now - last >= every,
            }
        }
    }

    /// The browser with this secret's hash opens the link: from now on only it may use it.
    pub fn bind(&mut self, browser: String, now: i64) {
        self.browser = Some(browser);
        self.opened_at = Some(now);
        self.last_seen = Some(now);
    }

    /// The flow the customer is in, if the session has one that is not done yet.
    pub fn open_flow(&self) -> Option<&Flow> {
        self.flow.as_ref().filter(|_| self.outcome.is_none())
    }

    /// Records `outcome` as the end of the open flow; `false` (nothing changed) when there is
    /// none: outside a flow, or once it is done, the first outcome stands.
    pub fn end_flow(&mut self, outcome: Outcome) -> bool {
        if self.open_flow().is_none() {
            return false;
        }
        self.outcome = Some(outcome);
        true
    }
}

/// How long portal links and sessions last.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Lifetime {
    /// A link not opened within this many seconds of its creation expires.
    pub link_ttl: i64,
    /// An opened session unused for this many seconds expires.
    pub idle: i64,
}

/// The last use of a session is written down at most this often (or a quarter of the idle
/// limit, when that is shorter): a session in use is not rewritten on every page view.
pub const TOUCH_EVERY_SECS: i64 = 60;

/// What a request with a session's link may do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// Not opened yet and still fresh: the requesting browser takes the session.
    Bind,
    /// Opened by this browser and in use; `touch`: write down this use.
    Open { touch: bool },
    /// Never opened in time, or unused for too long.
    Expired,
    /// Opened in another browser.
    Taken,
}

/// A plan as a customer sees it: product, price per interval, quantity.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PlanSummary {
    pub product: String,
    pub unit_amount: i64,
    /// Under a tiered price, which has no one unit amount: what `quantity` costs an interval.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tiered_total: Option<i64>,
    pub currency: String,
    pub interval: String,
    pub interval_count: i64,
    pub quantity: i64,
}

/// What a completed flow changed, for its confirmation page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Outcome {
    /// A card was added and made the default payment method.
    PaymentMethodUpdated { brand: String, last4: String },
    /// The subscription ends at `at`: now (`immediately`) or at the end of its period.
    Canceled {
        subscription: String,
        plan: PlanSummary,
        at: i64,
        immediately: bool,
    },
    /// The customer took the retention offer instead of canceling.
    Retained {
        subscription: String,
        plan: PlanSummary,
        coupon: String,
    },
    /// The plan changed now, or will at `scheduled_at`; `charged` was paid now.
    Updated {
        subscription: String,
        from: PlanSummary,
        to: PlanSummary,
        scheduled_at: Option<i64>,
        charged: i64,
    },
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

    const LIFE: Lifetime = Lifetime {
        link_ttl: 300,
        idle: 3600,
    };

    fn session() -> PortalSession {
        let mut ids = SequentialIds::default();
        let mut ctx = Ctx {
            now: 1_000,
            livemode: false,
            ids: &mut ids,
        };
        PortalSession::create(
            "cus_1".into(),
            "bpc_1".into(),
            None,
            None,
            None,
            None,
            &mut ctx,
        )
    }

    #[test]
    fn a_flow_ends_once_and_only_a_flow_ends() {
        let card = |last4: &str| Outcome::PaymentMethodUpdated {
            brand: "visa".into(),
            last4: last4.into(),
        };
        let mut plain = session();
        assert!(!plain.end_flow(card("4242")));
        assert_eq!(plain.outcome, None);
        let mut s = session();
        s.flow = Some(Flow {
            kind: "payment_method_update".into(),
            after_completion: AfterCompletion::default(),
            subscription_cancel: None,
            subscription_update: None,
            subscription_update_confirm: None,
        });
        assert!(s.end_flow(card("4242")));
        assert!(s.open_flow().is_none());
        assert!(!s.end_flow(card("4444")), "the first outcome stands");
        assert_eq!(s.outcome, Some(card("4242")));
    }

    #[test]
    fn a_link_must_be_opened_in_time() {
        let s = session();
        assert!(s.token.starts_with("test_") && s.token.len() == 5 + LINK_TOKEN_LEN);
        // The link starts as the session's id does (after their prefixes).
        assert_eq!(s.token[5..5 + LINK_HEAD_LEN], s.id[4..4 + LINK_HEAD_LEN]);
        assert_eq!(s.access(None, 1_000, &LIFE), Access::Bind);
        assert_eq!(s.access(Some("b"), 1_299, &LIFE), Access::Bind);
        assert_eq!(s.access(None, 1_300, &LIFE), Access::Expired);
    }

    #[test]
    fn an_opened_session_belongs_to_its_browser_while_in_use() {
        let mut s = session();
        s.bind("browser-a".into(), 1_100);
        assert_eq!(s.access(Some("browser-b"), 1_101, &LIFE), Access::Taken);
        assert_eq!(s.access(None, 1_101, &LIFE), Access::Taken);
        assert_eq!(
            s.access(Some("browser-a"), 1_101, &LIFE),
            Access::Open { touch: false }
        );
        // Past the link's time to first use, the open session goes on.
        assert_eq!(
            s.access(Some("browser-a"), 1_100 + TOUCH_EVERY_SECS, &LIFE),
            Access::Open { touch: true }
        );
        s.last_seen = Some(4_000);
        assert_eq!(
            s.access(Some("browser-a"), 4_000 + 3_599, &LIFE),
            Access::Open { touch: true }
        );
        assert_eq!(
            s.access(Some("browser-a"), 4_000 + 3_600, &LIFE),
            Access::Expired
        );
    }

    #[test]
    fn a_done_flow_is_no_longer_open() {
        let mut s = session();
        s.flow = Some(Flow {
            kind: "payment_method_update".into(),
            after_completion: AfterCompletion::default(),
            subscription_cancel: None,
            subscription_update: None,
            subscription_update_confirm: None,
        });
        assert!(s.open_flow().is_some());
        s.outcome = Some(Outcome::PaymentMethodUpdated {
            brand: "visa".into(),
            last4: "4242".into(),
        });
        assert!(s.open_flow().is_none());
    }
}

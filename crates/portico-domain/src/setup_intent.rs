//! SetupIntents: saving a card for later, with the 3-D Secure step when the card asks for it.
//!
//! States follow Stripe's: `requires_payment_method` → `requires_confirmation` → (confirm) →
//! `succeeded`, or `requires_action` until the customer authenticates (→ `succeeded`) or fails
//! (→ `requires_payment_method` with `last_setup_error`); `canceled` from any unfinished state.

use crate::card::CardError;
use crate::error::{DomainError, DomainResult};
use crate::id::ID_LEN;
use crate::metadata::{Metadata, MetadataUpdate};
use crate::payment_method::{simulate_setup, Outcome, PaymentMethod};
use crate::Ctx;
use serde::{Deserialize, Serialize};

/// A SetupIntent's status.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SetupStatus {
    RequiresPaymentMethod,
    RequiresConfirmation,
    RequiresAction,
    Canceled,
    Succeeded,
}

impl SetupStatus {
    /// The wire value.
    pub fn as_str(self) -> &'static str {
        match self {
            SetupStatus::RequiresPaymentMethod => "requires_payment_method",
            SetupStatus::RequiresConfirmation => "requires_confirmation",
            SetupStatus::RequiresAction => "requires_action",
            SetupStatus::Canceled => "canceled",
            SetupStatus::Succeeded => "succeeded",
        }
    }
}

/// Why the last attempt failed (`last_setup_error`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SetupError {
    /// `card_error` or `invalid_request_error`.
    pub kind: String,
    pub code: String,
    pub decline_code: Option<String>,
    pub message: String,
    pub payment_method: Option<String>,
}

/// A SetupIntent as Portico stores it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SetupIntent {
    pub id: String,
    pub client_secret: String,
    pub created: i64,
    pub livemode: bool,
    pub customer: Option<String>,
    pub payment_method: Option<String>,
    pub status: SetupStatus,
    pub usage: String,
    pub description: Option<String>,
    pub metadata: Metadata,
    pub last_setup_error: Option<SetupError>,
    pub cancellation_reason: Option<String>,
    /// Where the customer goes after authenticating (`return_url` of the confirmation).
    pub return_url: Option<String>,
    /// The secret in the hosted authentication page's URL while `requires_action`.
    pub auth_token: Option<String>,
    /// `automatic_payment_methods[allow_redirects]` when they are on (the default since
    /// Stripe's 2023-08-16 API when no `payment_method_types` are given); `None` when off.
    #[serde(default)]
    pub automatic_redirects: Option<String>,
    /// The subscription this SetupIntent collects a card for (its `pending_setup_intent`).
    #[serde(default)]
    pub subscription: Option<String>,
}

/// Parameters of SetupIntent create (payment method and customer already checked).
#[derive(Clone, Debug, Default)]
pub struct SetupIntentCreate {
    pub customer: Option<String>,
    pub payment_method: Option<String>,
    pub usage: Option<String>,
    pub description: Option<String>,
    pub metadata: MetadataUpdate,
    /// Automatic payment methods on, with this `allow_redirects`.
    pub automatic_redirects: Option<String>,
}

/// What a confirmation did, for the caller to act on.
#[derive(Clone, Debug, PartialEq)]
pub enum Confirmed {
    /// Set up: the payment method should be attached to the customer, if there is one.
    Succeeded,
    /// The card was declined: Stripe answers the confirmation with a 402 card error.
    Declined(CardError),
    /// The customer must authenticate at the hosted page.
    RequiresAction,
}

impl SetupIntent {
    /// Creates a SetupIntent.
    pub fn create(p: SetupIntentCreate, ctx: &mut Ctx<'_>) -> DomainResult<SetupIntent> {
        let id = ctx.ids.next("seti_", ID_LEN);
        // A secret: wholly random, whatever shape the generator gives ids.
        let secret = ctx.ids.random_string(crate::id::ALPHABET, ID_LEN);
        let usage = p.usage.unwrap_or_else(|| "off_session".into());
        Ok(SetupIntent {
            client_secret: format!("{id}_secret_{secret}"),
            id,
            created: ctx.now,
            livemode: ctx.livemode,
            customer: p.customer,
            status: if p.payment_method.is_some() {
                SetupStatus::RequiresConfirmation
            } else {
                SetupStatus::RequiresPaymentMethod
            },
            payment_method: p.payment_method,
            usage,
            description: p.description,
            metadata: p.metadata.build("metadata")?,
            last_setup_error: None,
            cancellation_reason: None,
            return_url: None,
            auth_token: None,
            automatic_redirects: p.automatic_redirects,
            subscription: None,
        })
    }

    fn refuse(&self, action: &str) -> DomainError {
        DomainError::state(
            None,
            format!(
                "You cannot {action} this SetupIntent because it has a status of {}.",
                self.status.as_str()
            ),
        )
    }

    /// Whether it can still be changed or confirmed.
    pub fn is_open(&self) -> bool {
        matches!(
            self.status,
            SetupStatus::RequiresPaymentMethod
                | SetupStatus::RequiresConfirmation
                | SetupStatus::RequiresAction
        )
    }

    /// Replaces the payment method (on update or confirm).
    pub fn set_payment_method(&mut self, pm: &str) -> DomainResult<()> {
        if !self.is_open() {
            return Err(self.refuse("update"));
        }
        self.payment_method = Some(pm.to_owned());
        self.status = SetupStatus::RequiresConfirmation;
        self.auth_token = None;
        Ok(())
    }

    /// Confirms with `pm` (its id is `self.payment_method`). `new_token` mints the hosted
    /// authentication page's secret when 3-D Secure is needed.
    pub fn confirm(
        &mut self,
        pm: &PaymentMethod,
        return_url: Option<String>,
        new_token: impl FnOnce() -> String,
    ) -> DomainResult<Confirmed> {
        if !matches!(
            self.status,
            SetupStatus::RequiresConfirmation
                | SetupStatus::RequiresPaymentMethod
                | SetupStatus::RequiresAction
        ) {
            return Err(self.refuse("confirm"));
        }
        if self.payment_method.as_deref() != Some(pm.id.as_str()) {
            return Err(DomainError::state(
                Some("payment_method"),
                "You cannot confirm this SetupIntent because it's missing a payment method. Update it with a payment method, or pass payment_method when confirming.",
            ));
        }
        if return_url.is_some() {
            self.return_url = return_url;
        }
        self.last_setup_error = None;
        Ok(match simulate_setup(pm, false) {
            Outcome::Succeeded => {
                self.succeed();
                Confirmed::Succeeded
            }
            Outcome::Declined(d) => {
                self.fail_with(SetupError {
                    kind: "card_error".into(),
                    code: d.code.into(),
                    decline_code: d.decline_code.map(Into::into),
                    message: d.message.into(),
                    payment_method: Some(pm.id.clone()),
                });
                Confirmed::Declined(d)
            }
            Outcome::RequiresAction => {
                self.status = SetupStatus::RequiresAction;
                self.auth_token = Some(new_token());
                Confirmed::RequiresAction
            }
        })
    }

    fn succeed(&mut self) {
        self.status = SetupStatus::Succeeded;
        self.auth_token = None;
    }

    fn fail_with(&mut self, e: SetupError) {
        self.status = SetupStatus::RequiresPaymentMethod;
        self.payment_method = None;
        self.auth_token = None;
        self.last_setup_error = Some(e);
    }

    /// The outcome of the hosted 3-D Secure page: the customer approved or failed.
    pub fn authenticate(&mut self, approved: bool) -> DomainResult<()> {
        if self.status != SetupStatus::RequiresAction {
            return Err(self.refuse("authenticate"));
        }
        if approved {
            self.succeed();
        } else {
            let pm = self.payment_method.clone();
            self.fail_with(SetupError {
                kind: "invalid_request_error".into(),
                code: "setup_intent_authentication_failure".into(),
                decline_code: None,
                message: "The latest attempt to set up the payment method has failed because authentication failed.".into(),
                payment_method: pm,
            });
        }
        Ok(())
    }

    /// Cancels an unfinished SetupIntent.
    pub fn cancel(&mut self, reason: Option<String>) -> DomainResult<()> {
        if !self.is_open() {
            return Err(self.refuse("cancel"));
        }
        self.status = SetupStatus::Canceled;
        self.cancellation_reason = reason;
        self.auth_token = None;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::card::{check_card, test_card_by_number};
    use crate::id::SequentialIds;
    use crate::payment_method::PaymentMethodCreate;

    fn setup(number: &str) -> (SetupIntent, PaymentMethod) {
        let mut ids = SequentialIds::default();
        let mut ctx = Ctx {
            now: 1,
            livemode: false,
            ids: &mut ids,
        };
        let checked = check_card(number, 12, 2030, None, (2026, 1)).unwrap();
        let pm = PaymentMethod::from_card(
            &checked,
            test_card_by_number(number),
            b"k",
            PaymentMethodCreate::default(),
            &mut ctx,
        )
        .unwrap();
        let si = SetupIntent::create(
            SetupIntentCreate {
                payment_method: Some(pm.id.clone()),
                customer: Some("cus_1".into()),
                ..Default::default()
            },
            &mut ctx,
        )
        .unwrap();
        (si, pm)
    }

    #[test]
    fn plain_card_succeeds() {
        let (mut si, pm) = setup("4242424242424242");
        assert_eq!(si.status, SetupStatus::RequiresConfirmation);
        assert!(si.client_secret.starts_with(&format!("{}_secret_", si.id)));
        assert_eq!(
            si.confirm(&pm, None, || "t".into()).unwrap(),
            Confirmed::Succeeded
        );
        assert_eq!(si.status, SetupStatus::Succeeded);
        assert!(si.confirm(&pm, None, || "t".into()).is_err());
        assert!(si.cancel(None).is_err());
    }

    #[test]
    fn three_d_secure_approve_and_fail() {
        let (mut si, pm) = setup("4000002760003184");
        assert_eq!(
            si.confirm(&pm, Some("https://app/done".into()), || "tok".into())
                .unwrap(),
            Confirmed::RequiresAction
        );
        assert_eq!(
            (si.status, si.auth_token.as_deref()),
            (SetupStatus::RequiresAction, Some("tok"))
        );
        let mut failed = si.clone();
        si.authenticate(true).unwrap();
        assert_eq!(
            (si.status, si.auth_token.clone()),
            (SetupStatus::Succeeded, None)
        );
        failed.authenticate(false).unwrap();
        assert_eq!(failed.status, SetupStatus::RequiresPaymentMethod);
        assert_eq!(failed.payment_method, None);
        assert_eq!(
            failed.last_setup_error.as_ref().unwrap().code,
            "setup_intent_authentication_failure"
        );
        assert!(
            failed.authenticate(true).is_err(),
            "only while requires_action"
        );
    }

    #[test]
    fn declines_leave_it_waiting_for_another_card() {
        let (mut si, pm) = setup("4000000000009995");
        assert!(matches!(
            si.confirm(&pm, None, || "t".into()).unwrap(),
            Confirmed::Declined(_)
        ));
        assert_eq!(si.status, SetupStatus::RequiresPaymentMethod);
        assert_eq!(
            si.last_setup_error
                .as_ref()
                .unwrap()
                .decline_code
                .as_deref(),
            Some("insufficient_funds")
        );
        si.cancel(Some("abandoned".into())).unwrap();
        assert_eq!(si.status, SetupStatus::Canceled);
    }
}

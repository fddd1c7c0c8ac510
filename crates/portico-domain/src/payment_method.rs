//! Payment methods (cards only) and the payment simulator every charge and setup goes through.

use crate::card::{decline_for, Behavior, Brand, CardError, CheckedCard, TestCard};
use crate::customer::Address;
use crate::error::{DomainError, DomainResult};
use crate::id::ID_LEN;
use crate::metadata::{Metadata, MetadataUpdate};
use crate::patch::Patch;
use crate::Ctx;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

/// Who pays: the billing details on a payment method.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct BillingDetails {
    pub address: Option<Address>,
    pub email: Option<String>,
    pub name: Option<String>,
    pub phone: Option<String>,
    pub tax_id: Option<String>,
}

/// What Portico keeps of a card: never the number or the CVC.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Card {
    pub brand: Brand,
    pub last4: String,
    pub exp_month: i64,
    pub exp_year: i64,
    pub funding: String,
    pub country: Option<String>,
    pub fingerprint: String,
    /// `checks.cvc_check`: `pass` when a CVC was given, `null` otherwise.
    pub cvc_check: Option<String>,
    /// How the simulator treats this card.
    pub behavior: Behavior,
}

/// A payment method as Portico stores it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PaymentMethod {
    pub id: String,
    pub created: i64,
    pub livemode: bool,
    pub customer: Option<String>,
    pub billing_details: BillingDetails,
    pub card: Card,
    pub allow_redisplay: String,
    pub metadata: Metadata,
    /// Set when detached: a detached payment method cannot be used again.
    #[serde(default)]
    pub detached: bool,
    /// Set once a SetupIntent succeeded with it (3-D Secure done for future off-session use).
    #[serde(default)]
    pub set_up: bool,
}

/// Parameters of payment method create, with the card already checked.
#[derive(Clone, Debug, Default)]
pub struct PaymentMethodCreate {
    pub billing_details: BillingDetails,
    pub allow_redisplay: Option<String>,
    pub metadata: MetadataUpdate,
}

/// Parameters of payment method update.
#[derive(Clone, Debug, Default)]
pub struct PaymentMethodUpdate {
    pub address: Patch<Address>,
    pub email: Patch<String>,
    pub name: Patch<String>,
    pub phone: Patch<String>,
    pub tax_id: Option<String>,
    pub exp_month: Option<i64>,
    pub exp_year: Option<i64>,
    pub allow_redisplay: Option<String>,
    pub metadata: MetadataUpdate,
}

/// A keyed fingerprint of a card number: equal numbers in one account give equal
/// fingerprints, and nobody without the key can test a guess against it.
pub fn fingerprint(key: &[u8], digits: &str) -> String {
    let mut mac =
        <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC takes keys of any length");
    mac.update(digits.as_bytes());
    let out = mac.finalize().into_bytes();
    // Sixteen alphanumeric characters, like Stripe's.
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    out.iter()
        .take(16)
        .map(|b| ALPHABET[(*b as usize) % ALPHABET.len()] as char)
        .collect()
}

impl PaymentMethod {
    /// A card payment method from checked card details. `test_card` is the test-card entry for
    /// the number, if it is one; `fingerprint_key` is the account's fingerprint key.
    pub fn from_card(
        checked: &CheckedCard,
        test_card: Option<&TestCard>,
        fingerprint_key: &[u8],
        p: PaymentMethodCreate,
        ctx: &mut Ctx<'_>,
    ) -> DomainResult<PaymentMethod> {
        let card = Card {
            brand: checked.brand,
            last4: checked.last4.clone(),
            exp_month: checked.exp_month,
            exp_year: checked.exp_year,
            funding: test_card.map(|t| t.funding).unwrap_or("credit").to_owned(),
            country: Some(test_card.map(|t| t.country).unwrap_or("US").to_owned()),
            fingerprint: fingerprint(fingerprint_key, &checked.digits),
            cvc_check: checked.cvc_provided.then(|| "pass".to_owned()),
            behavior: test_card.map(|t| t.behavior).unwrap_or(Behavior::Succeeds),
        };
        Ok(PaymentMethod {
            id: ctx.ids.next("pm_", ID_LEN),
            created: ctx.now,
            livemode: ctx.livemode,
            customer: None,
            billing_details: p.billing_details,
            card,
            allow_redisplay: p.allow_redisplay.unwrap_or_else(|| "unspecified".into()),
            metadata: p.metadata.build("metadata")?,
            detached: false,
            set_up: false,
        })
    }

    /// Attaches to `customer`. A declining card is refused, as Stripe verifies cards on attach.
    pub fn attach(&mut self, customer: &str) -> Result<(), AttachError> {
        if self.detached {
            return Err(AttachError::Invalid(DomainError::state(
                None,
                "This PaymentMethod was previously used without being attached to a Customer or was detached from a Customer, and may not be used again.",
            )));
        }
        match &self.customer {
            Some(c) if c == customer => return Ok(()),
            Some(_) => {
                return Err(AttachError::Invalid(DomainError::state(
                    Some("customer"),
                    "The payment method you provided has already been attached to a customer.",
                )))
            }
            None => {}
        }
        if let Some(decline) = decline_for(self.card.behavior, false) {
            return Err(AttachError::Declined(decline));
        }
        self.customer = Some(customer.to_owned());
        Ok(())
    }

    /// Detaches from its customer; it cannot be used again afterwards.
    pub fn detach(&mut self) -> DomainResult<String> {
        match self.customer.take() {
            Some(c) => {
                self.detached = true;
                Ok(c)
            }
            None => Err(DomainError::state(
                None,
                "The payment method you provided is not attached to a customer so detachment is impossible.",
            )),
        }
    }

    /// Applies an update. Only attached payment methods can be updated, as in Stripe.
    pub fn update(&mut self, p: PaymentMethodUpdate, today: (i64, i64)) -> DomainResult<()> {
        if self.customer.is_none() {
            return Err(DomainError::state(
                None,
                "You must save this PaymentMethod to a customer before you can update it.",
            ));
        }
        let month = p.exp_month.unwrap_or(self.card.exp_month);
        let mut year = p.exp_year.unwrap_or(self.card.exp_year);
        if (0..100).contains(&year) {
            year += 2000;
        }
        if p.exp_month.is_some() || p.exp_year.is_some() {
            if !(1..=12).contains(&month) {
                return Err(DomainError::invalid(
                    "card[exp_month]",
                    "Your card's expiration month is invalid.",
                ));
            }
            if year < today.0 || year > today.0 + 50 {
                return Err(DomainError::invalid(
                    "card[exp_year]",
                    "Your card's expiration year is invalid.",
                ));
            }
            if year == today.0 && month < today.1 {
                return Err(DomainError::invalid(
                    "card[exp_month]",
                    "Your card's expiration month is invalid.",
                ));
            }
        }
        let mut metadata = self.metadata.clone();
        p.metadata.apply("metadata", &mut metadata)?;
        self.metadata = metadata;
        self.card.exp_month = month;
        self.card.exp_year = year;
        let b = &mut self.billing_details;
        p.address.apply_to(&mut b.address);
        p.email.apply_to(&mut b.email);
        p.name.apply_to(&mut b.name);
        p.phone.apply_to(&mut b.phone);
        if let Some(t) = p.tax_id {
            b.tax_id = Some(t);
        }
        if let Some(a) = p.allow_redisplay {
            self.allow_redisplay = a;
        }
        Ok(())
    }

    /// Whether the card is usable for this customer (attached to them).
    pub fn belongs_to(&self, customer: &str) -> bool {
        self.customer.as_deref() == Some(customer)
    }
}

/// Why an attach failed.
#[derive(Clone, Debug, PartialEq)]
pub enum AttachError {
    /// The card was declined when verified.
    Declined(CardError),
    /// The payment method's state forbids it.
    Invalid(DomainError),
}

/// What the simulator decides for one payment or setup attempt.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    Succeeded,
    Declined(CardError),
    /// The customer must authenticate (3-D Secure) before it can go on.
    RequiresAction,
}

/// The simulator's verdict on charging `pm`. `authenticated` is true when the customer has
/// just completed 3-D Secure for this very payment; `off_session` when no customer is present.
pub fn simulate_charge(pm: &PaymentMethod, off_session: bool, authenticated: bool) -> Outcome {
    if let Some(d) = decline_for(pm.card.behavior, true) {
        return Outcome::Declined(d);
    }
    match pm.card.behavior {
        Behavior::AuthenticationRequired if !authenticated => Outcome::RequiresAction,
        Behavior::AuthenticationRequiredOnSetup
            if !(authenticated || (pm.set_up && off_session)) =>
        {
            Outcome::RequiresAction
        }
        _ => Outcome::Succeeded,
    }
}

/// The simulator's verdict on setting `pm` up for future use (a SetupIntent confirmation).
pub fn simulate_setup(pm: &PaymentMethod, authenticated: bool) -> Outcome {
    if let Some(d) = decline_for(pm.card.behavior, false) {
        return Outcome::Declined(d);
    }
    match pm.card.behavior {
        Behavior::AuthenticationRequired | Behavior::AuthenticationRequiredOnSetup
            if !authenticated && !pm.set_up =>
        {
            Outcome::RequiresAction
        }
        _ => Outcome::Succeeded,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::card::{check_card, test_card_by_number, TEST_CARDS};
    use crate::id::SequentialIds;

    fn pm_for(number: &str) -> PaymentMethod {
        let mut ids = SequentialIds::default();
        let mut ctx = Ctx {
            now: 1,
            livemode: false,
            ids: &mut ids,
        };
        let cvc = if number.starts_with("37") {
            "1234"
        } else {
            "123"
        };
        let checked = check_card(number, 12, 2030, Some(cvc), (2026, 1)).unwrap();
        PaymentMethod::from_card(
            &checked,
            test_card_by_number(number),
            b"key",
            PaymentMethodCreate::default(),
            &mut ctx,
        )
        .unwrap()
    }

    #[test]
    fn fingerprints_are_keyed_and_stable() {
        assert_eq!(
            fingerprint(b"k1", "4242424242424242"),
            fingerprint(b"k1", "4242424242424242")
        );
        assert_ne!(
            fingerprint(b"k1", "4242424242424242"),
            fingerprint(b"k2", "4242424242424242")
        );
        assert_ne!(
            fingerprint(b"k1", "4242424242424242"),
            fingerprint(b"k1", "5555555555554444")
        );
        assert_eq!(fingerprint(b"k1", "x").len(), 16);
        let pm = pm_for("4242424242424242");
        assert_eq!(pm.card.fingerprint, fingerprint(b"key", "4242424242424242"));
        let stored = serde_json::to_string(&pm).unwrap();
        assert!(!stored.contains("4242424242424242") && !stored.contains("\"123\""));
    }

    #[test]
    fn every_test_card_row_behaves_as_the_table_says() {
        for card in TEST_CARDS {
            let mut pm = pm_for(card.number);
            let attach = pm.clone().attach("cus_1");
            let charge = simulate_charge(&pm, true, false);
            let setup = simulate_setup(&pm, false);
            match card.behavior {
                Behavior::Succeeds => {
                    assert!(attach.is_ok());
                    assert_eq!(
                        (charge, setup),
                        (Outcome::Succeeded, Outcome::Succeeded),
                        "{}",
                        card.token
                    );
                }
                Behavior::DeclineGeneric
                | Behavior::DeclineInsufficientFunds
                | Behavior::DeclineExpired
                | Behavior::DeclineIncorrectCvc
                | Behavior::DeclineProcessingError
                | Behavior::DeclineLostCard
                | Behavior::DeclineStolenCard => {
                    assert!(
                        matches!(attach, Err(AttachError::Declined(_))),
                        "{}",
                        card.token
                    );
                    assert!(matches!(charge, Outcome::Declined(_)));
                    assert!(matches!(setup, Outcome::Declined(_)));
                }
                Behavior::ChargeFails => {
                    assert!(attach.is_ok());
                    assert!(
                        matches!(charge, Outcome::Declined(ref d) if d.decline_code == Some("generic_decline"))
                    );
                    assert_eq!(setup, Outcome::Succeeded);
                }
                Behavior::AuthenticationRequired => {
                    assert!(attach.is_ok());
                    assert_eq!(charge, Outcome::RequiresAction);
                    assert_eq!(setup, Outcome::RequiresAction);
                    pm.set_up = true;
                    assert_eq!(
                        simulate_charge(&pm, true, false),
                        Outcome::RequiresAction,
                        "every payment needs 3DS"
                    );
                    assert_eq!(simulate_charge(&pm, true, true), Outcome::Succeeded);
                }
                Behavior::AuthenticationRequiredOnSetup => {
                    assert!(attach.is_ok());
                    assert_eq!(setup, Outcome::RequiresAction);
                    assert_eq!(simulate_setup(&pm, true), Outcome::Succeeded);
                    pm.set_up = true;
                    assert_eq!(
                        simulate_charge(&pm, true, false),
                        Outcome::Succeeded,
                        "off-session after setup"
                    );
                    assert_eq!(
                        simulate_charge(&pm, false, false),
                        Outcome::RequiresAction,
                        "on-session still asks"
                    );
                }
            }
        }
    }

    #[test]
    fn attach_detach_rules() {
        let mut pm = pm_for("4242424242424242");
        pm.attach("cus_1").unwrap();
        pm.attach("cus_1").unwrap();
        assert!(pm.attach("cus_2").is_err());
        assert_eq!(pm.detach().unwrap(), "cus_1");
        assert!(pm.detach().is_err());
        assert!(pm.attach("cus_1").is_err(), "a detached method is spent");
    }

    #[test]
    fn update_needs_a_customer_and_checks_expiry() {
        let mut pm = pm_for("4242424242424242");
        assert!(pm
            .update(PaymentMethodUpdate::default(), (2026, 1))
            .is_err());
        pm.attach("cus_1").unwrap();
        pm.update(
            PaymentMethodUpdate {
                exp_month: Some(3),
                exp_year: Some(31),
                name: Patch::Set("A".into()),
                ..Default::default()
            },
            (2026, 1),
        )
        .unwrap();
        assert_eq!((pm.card.exp_month, pm.card.exp_year), (3, 2031));
        assert!(pm
            .update(
                PaymentMethodUpdate {
                    exp_year: Some(2020),
                    ..Default::default()
                },
                (2026, 1)
            )
            .is_err());
        assert!(pm
            .update(
                PaymentMethodUpdate {
                    exp_month: Some(13),
                    ..Default::default()
                },
                (2026, 1)
            )
            .is_err());
        assert_eq!(pm.billing_details.name.as_deref(), Some("A"));
    }
}

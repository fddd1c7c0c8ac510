//! Cards: number validation (Luhn, length, brand), expiry and CVC checks with Stripe's error
//! codes, and the test cards that decide how the payment simulator treats each card.
//!
//! Only what Stripe keeps is ever retained: brand, last four digits, expiry, funding, country
//! and a keyed fingerprint. Full numbers and CVCs live only for the duration of a request.

use serde::{Deserialize, Serialize};

/// A card network, as Stripe names it in `card.brand`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Brand {
    Amex,
    Diners,
    Discover,
    Jcb,
    Mastercard,
    Unionpay,
    Visa,
    Unknown,
}

impl Brand {
    /// Detects the brand from the number's leading digits.
    pub fn detect(digits: &str) -> Brand {
        let n = |len: usize| {
            digits
                .get(..len)
                .and_then(|p| p.parse::<u32>().ok())
                .unwrap_or(0)
        };
        match () {
            _ if digits.starts_with('4') => Brand::Visa,
            _ if (51..=55).contains(&n(2)) || (2221..=2720).contains(&n(4)) => Brand::Mastercard,
            _ if n(2) == 34 || n(2) == 37 => Brand::Amex,
            _ if n(4) == 6011 || n(2) == 65 || (644..=649).contains(&n(3)) => Brand::Discover,
            _ if (3528..=3589).contains(&n(4)) => Brand::Jcb,
            _ if n(2) == 36 || n(2) == 38 || n(2) == 39 || (300..=305).contains(&n(3)) => {
                Brand::Diners
            }
            _ if n(2) == 62 => Brand::Unionpay,
            _ => Brand::Unknown,
        }
    }

    /// `card.brand`.
    pub fn as_str(self) -> &'static str {
        match self {
            Brand::Amex => "amex",
            Brand::Diners => "diners",
            Brand::Discover => "discover",
            Brand::Jcb => "jcb",
            Brand::Mastercard => "mastercard",
            Brand::Unionpay => "unionpay",
            Brand::Visa => "visa",
            Brand::Unknown => "unknown",
        }
    }

    /// `card.display_brand`.
    pub fn display(self) -> &'static str {
        match self {
            Brand::Amex => "american_express",
            Brand::Diners => "diners_club",
            Brand::Discover => "discover",
            Brand::Jcb => "jcb",
            Brand::Mastercard => "mastercard",
            Brand::Unionpay => "union_pay",
            Brand::Visa => "visa",
            Brand::Unknown => "other",
        }
    }

    /// A human name for pages and receipts.
    pub fn label(self) -> &'static str {
        match self {
            Brand::Amex => "American Express",
            Brand::Diners => "Diners Club",
            Brand::Discover => "Discover",
            Brand::Jcb => "JCB",
            Brand::Mastercard => "Mastercard",
            Brand::Unionpay => "UnionPay",
            Brand::Visa => "Visa",
            Brand::Unknown => "Card",
        }
    }

    /// Digits in this brand's security code.
    pub fn cvc_len(self) -> usize {
        if self == Brand::Amex {
            4
        } else {
            3
        }
    }

    /// Valid number lengths for this brand.
    fn lengths(self) -> &'static [usize] {
        match self {
            Brand::Amex => &[15],
            Brand::Diners => &[14, 16],
            Brand::Unionpay => &[16, 17, 18, 19],
            Brand::Visa => &[13, 16, 19],
            _ => &[16],
        }
    }
}

/// How the payment simulator treats a card, from Stripe's test-card table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Behavior {
    /// Every payment succeeds.
    Succeeds,
    /// Declined when attached or charged: `card_declined` / `generic_decline`.
    DeclineGeneric,
    /// Declined when attached or charged: `card_declined` / `insufficient_funds`.
    DeclineInsufficientFunds,
    /// Declined when attached or charged: `expired_card`.
    DeclineExpired,
    /// Declined when attached or charged: `incorrect_cvc`.
    DeclineIncorrectCvc,
    /// Declined when attached or charged: `processing_error`.
    DeclineProcessingError,
    /// Declined when attached or charged: `card_declined` / `lost_card`.
    DeclineLostCard,
    /// Declined when attached or charged: `card_declined` / `stolen_card`.
    DeclineStolenCard,
    /// Attaches fine; every charge is declined (`card_declined` / `generic_decline`).
    ChargeFails,
    /// Every payment, on or off session, requires 3-D Secure.
    AuthenticationRequired,
    /// 3-D Secure when set up; once set up, off-session payments succeed.
    AuthenticationRequiredOnSetup,
}

/// A test card: its number, the `pm_card_…` token that stands for it, and its behaviour.
#[derive(Clone, Copy, Debug)]
pub struct TestCard {
    pub number: &'static str,
    pub token: &'static str,
    pub behavior: Behavior,
    pub funding: &'static str,
    pub country: &'static str,
}

/// Stripe's test cards that Portico simulates.
pub const TEST_CARDS: &[TestCard] = &[
    TestCard {
        number: "4242424242424242",
        token: "pm_card_visa",
        behavior: Behavior::Succeeds,
        funding: "credit",
        country: "US",
    },
    TestCard {
        number: "4000056655665556",
        token: "pm_card_visa_debit",
        behavior: Behavior::Succeeds,
        funding: "debit",
        country: "US",
    },
    TestCard {
        number: "5555555555554444",
        token: "pm_card_mastercard",
        behavior: Behavior::Succeeds,
        funding: "credit",
        country: "US",
    },
    TestCard {
        number: "378282246310005",
        token: "pm_card_amex",
        behavior: Behavior::Succeeds,
        funding: "credit",
        country: "US",
    },
    TestCard {
        number: "4000000000000002",
        token: "pm_card_chargeDeclined",
        behavior: Behavior::DeclineGeneric,
        funding: "credit",
        country: "US",
    },
    TestCard {
        number: "4000000000009995",
        token: "pm_card_chargeDeclinedInsufficientFunds",
        behavior: Behavior::DeclineInsufficientFunds,
        funding: "credit",
        country: "US",
    },
    TestCard {
        number: "4000000000000069",
        token: "pm_card_chargeDeclinedExpiredCard",
        behavior: Behavior::DeclineExpired,
        funding: "credit",
        country: "US",
    },
    TestCard {
        number: "4000000000000127",
        token: "pm_card_chargeDeclinedIncorrectCvc",
        behavior: Behavior::DeclineIncorrectCvc,
        funding: "credit",
        country: "US",
    },
    TestCard {
        number: "4000000000000119",
        token: "pm_card_chargeDeclinedProcessingError",
        behavior: Behavior::DeclineProcessingError,
        funding: "credit",
        country: "US",
    },
    TestCard {
        number: "4000000000009987",
        token: "pm_card_chargeDeclinedLostCard",
        behavior: Behavior::DeclineLostCard,
        funding: "credit",
        country: "US",
    },
    TestCard {
        number: "4000000000009979",
        token: "pm_card_chargeDeclinedStolenCard",
        behavior: Behavior::DeclineStolenCard,
        funding: "credit",
        country: "US",
    },
    TestCard {
        number: "4000000000000341",
        token: "pm_card_chargeCustomerFail",
        behavior: Behavior::ChargeFails,
        funding: "credit",
        country: "US",
    },
    TestCard {
        number: "4000002760003184",
        token: "pm_card_authenticationRequired",
        behavior: Behavior::AuthenticationRequired,
        funding: "credit",
        country: "DE",
    },
    TestCard {
        number: "4000002500003155",
        token: "pm_card_authenticationRequiredOnSetup",
        behavior: Behavior::AuthenticationRequiredOnSetup,
        funding: "credit",
        country: "IE",
    },
    // Stripe's 3-D Secure cards: authentication must be completed for each payment.
    TestCard {
        number: "4000000000003220",
        token: "pm_card_threeDSecure2Required",
        behavior: Behavior::AuthenticationRequired,
        funding: "credit",
        country: "US",
    },
    TestCard {
        number: "4000000000003063",
        token: "pm_card_threeDSecureRequired",
        behavior: Behavior::AuthenticationRequired,
        funding: "credit",
        country: "US",
    },
    // 3-D Secure is supported but not asked for: payments go through.
    TestCard {
        number: "4000000000003055",
        token: "pm_card_threeDSecureOptional",
        behavior: Behavior::Succeeds,
        funding: "credit",
        country: "US",
    },
];

/// The test card with this token.
pub fn test_card_by_token(token: &str) -> Option<&'static TestCard> {
    TEST_CARDS.iter().find(|c| c.token == token)
}

/// The test card with this number, if it is one.
pub fn test_card_by_number(digits: &str) -> Option<&'static TestCard> {
    TEST_CARDS.iter().find(|c| c.number == digits)
}

/// A card failure with Stripe's `code`, `decline_code`, message and parameter.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CardError {
    pub code: &'static str,
    pub decline_code: Option<&'static str>,
    pub message: &'static str,
    pub param: Option<&'static str>,
}

impl CardError {
    const fn new(
        code: &'static str,
        message: &'static str,
        param: Option<&'static str>,
    ) -> CardError {
        CardError {
            code,
            decline_code: None,
            message,
            param,
        }
    }
}

/// A payment the card's bank wants the customer to authenticate (3-D Secure), refused because
/// the request said not to wait for it (`payment_behavior=error_if_incomplete`).
pub const AUTHENTICATION_REQUIRED: CardError = CardError {
    code: "authentication_required",
    decline_code: Some("authentication_required"),
    message:
        "The card's bank requires authentication (3-D Secure) for this payment, so it was not made.",
    param: None,
};

/// The Luhn checksum.
pub fn luhn_valid(digits: &str) -> bool {
    let mut sum = 0u32;
    for (i, c) in digits.bytes().rev().enumerate() {
        let mut d = u32::from(c - b'0');
        if i % 2 == 1 {
            d *= 2;
            if d > 9 {
                d -= 9;
            }
        }
        sum += d;
    }
    sum.is_multiple_of(10)
}

/// The card details a customer typed or an API call sent, checked.
#[derive(Clone, Debug, PartialEq)]
pub struct CheckedCard {
    pub brand: Brand,
    pub last4: String,
    pub exp_month: i64,
    pub exp_year: i64,
    /// The number's digits, for fingerprinting only; never stored.
    pub digits: String,
    pub cvc_provided: bool,
}

/// Checks a raw card the way Stripe does, in Stripe's order: number, then expiry, then CVC.
/// `today` is `(year, month)` from the caller's clock.
pub fn check_card(
    number: &str,
    exp_month: i64,
    exp_year: i64,
    cvc: Option<&str>,
    today: (i64, i64),
) -> Result<CheckedCard, CardError> {
    let digits: String = number
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect();
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(CardError::new(
            "invalid_number",
            "Your card number is not a valid credit card number.",
            Some("number"),
        ));
    }
    let brand = Brand::detect(&digits);
    let len_ok = if brand == Brand::Unknown {
        (12..=19).contains(&digits.len())
    } else {
        brand.lengths().contains(&digits.len())
    };
    if !len_ok || !luhn_valid(&digits) {
        return Err(CardError::new(
            "incorrect_number",
            "Your card number is incorrect.",
            Some("number"),
        ));
    }
    if !(1..=12).contains(&exp_month) {
        return Err(CardError::new(
            "invalid_expiry_month",
            "Your card's expiration month is invalid.",
            Some("exp_month"),
        ));
    }
    // Two-digit years mean 20xx, as Stripe accepts them.
    let exp_year = if (0..100).contains(&exp_year) {
        2000 + exp_year
    } else {
        exp_year
    };
    let (year, month) = today;
    if exp_year < year || exp_year > year + 50 {
        return Err(CardError::new(
            "invalid_expiry_year",
            "Your card's expiration year is invalid.",
            Some("exp_year"),
        ));
    }
    if exp_year == year && exp_month < month {
        return Err(CardError::new(
            "invalid_expiry_month",
            "Your card's expiration month is invalid.",
            Some("exp_month"),
        ));
    }
    let cvc_provided = match cvc {
        None | Some("") => false,
        Some(c) => {
            if !(c.bytes().all(|b| b.is_ascii_digit())
                && (c.len() == brand.cvc_len()
                    || (brand == Brand::Unknown && (3..=4).contains(&c.len()))))
            {
                return Err(CardError::new(
                    "invalid_cvc",
                    "Your card's security code is invalid.",
                    Some("cvc"),
                ));
            }
            true
        }
    };
    Ok(CheckedCard {
        brand,
        last4: digits[digits.len() - 4..].to_owned(),
        exp_month,
        exp_year,
        digits,
        cvc_provided,
    })
}

/// The decline a card's behaviour produces when it is attached or charged, if any.
pub fn decline_for(behavior: Behavior, charging: bool) -> Option<CardError> {
    let generic = CardError {
        code: "card_declined",
        decline_code: Some("generic_decline"),
        message: "Your card was declined.",
        param: None,
    };
    match behavior {
        Behavior::DeclineGeneric => Some(generic),
        Behavior::DeclineInsufficientFunds => Some(CardError {
            code: "card_declined",
            decline_code: Some("insufficient_funds"),
            message: "Your card has insufficient funds.",
            param: None,
        }),
        Behavior::DeclineExpired => Some(CardError {
            code: "expired_card",
            decline_code: Some("expired_card"),
            message: "Your card has expired.",
            param: Some("exp_month"),
        }),
        Behavior::DeclineIncorrectCvc => Some(CardError {
            code: "incorrect_cvc",
            decline_code: Some("incorrect_cvc"),
            message: "Your card's security code is incorrect.",
            param: Some("cvc"),
        }),
        Behavior::DeclineProcessingError => Some(CardError {
            code: "processing_error",
            decline_code: Some("processing_error"),
            message: "An error occurred while processing your card. Try again in a little bit.",
            param: None,
        }),
        Behavior::DeclineLostCard => Some(CardError {
            decline_code: Some("lost_card"),
            ..generic
        }),
        Behavior::DeclineStolenCard => Some(CardError {
            decline_code: Some("stolen_card"),
            ..generic
        }),
        Behavior::ChargeFails if charging => Some(generic),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TODAY: (i64, i64) = (2026, 11);

    #[test]
    fn every_test_card_passes_luhn_and_has_a_unique_token() {
        for c in TEST_CARDS {
            assert!(luhn_valid(c.number), "{}", c.number);
            let checked = check_card(c.number, 12, 2030, None, TODAY).unwrap();
            assert_eq!(checked.last4, &c.number[c.number.len() - 4..]);
            assert_eq!(TEST_CARDS.iter().filter(|o| o.token == c.token).count(), 1);
        }
    }

    #[test]
    fn brands() {
        assert_eq!(Brand::detect("4242424242424242"), Brand::Visa);
        assert_eq!(Brand::detect("5555555555554444"), Brand::Mastercard);
        assert_eq!(Brand::detect("2223003122003222"), Brand::Mastercard);
        assert_eq!(Brand::detect("378282246310005"), Brand::Amex);
        assert_eq!(Brand::detect("6011111111111117"), Brand::Discover);
        assert_eq!(Brand::detect("3566002020360505"), Brand::Jcb);
        assert_eq!(Brand::detect("36227206271667"), Brand::Diners);
        assert_eq!(Brand::detect("6200000000000005"), Brand::Unionpay);
        assert_eq!(Brand::detect("9999999999999995"), Brand::Unknown);
    }

    #[test]
    fn errors_in_stripes_order() {
        let code = |n: &str, m: i64, y: i64, cvc: Option<&str>| {
            check_card(n, m, y, cvc, TODAY).unwrap_err().code
        };
        assert_eq!(code("4242 4242 4242 424x", 1, 2030, None), "invalid_number");
        assert_eq!(code("4242424242424241", 1, 2030, None), "incorrect_number");
        assert_eq!(code("424242424242424", 1, 2030, None), "incorrect_number");
        assert_eq!(
            code("4242424242424242", 13, 2030, None),
            "invalid_expiry_month"
        );
        assert_eq!(
            code("4242424242424242", 0, 2030, None),
            "invalid_expiry_month"
        );
        assert_eq!(
            code("4242424242424242", 1, 2025, None),
            "invalid_expiry_year"
        );
        assert_eq!(
            code("4242424242424242", 10, 2026, None),
            "invalid_expiry_month"
        );
        assert_eq!(
            code("4242424242424242", 1, 2099, None),
            "invalid_expiry_year"
        );
        assert_eq!(code("4242424242424242", 1, 2030, Some("12")), "invalid_cvc");
        assert_eq!(code("378282246310005", 1, 2030, Some("123")), "invalid_cvc");
        // Number errors win over expiry errors.
        assert_eq!(
            code("4242424242424241", 13, 1999, Some("x")),
            "incorrect_number"
        );
    }

    #[test]
    fn accepted_forms() {
        let c = check_card("4242-4242 4242-4242", 11, 26, Some("123"), TODAY).unwrap();
        assert_eq!(
            (c.exp_year, c.exp_month, c.last4.as_str(), c.cvc_provided),
            (2026, 11, "4242", true)
        );
        check_card("378282246310005", 1, 2030, Some("1234"), TODAY).unwrap();
    }

    #[test]
    fn declines_follow_the_table() {
        assert_eq!(decline_for(Behavior::Succeeds, true), None);
        assert_eq!(decline_for(Behavior::ChargeFails, false), None);
        assert_eq!(
            decline_for(Behavior::ChargeFails, true)
                .unwrap()
                .decline_code,
            Some("generic_decline")
        );
        assert_eq!(
            decline_for(Behavior::DeclineInsufficientFunds, false)
                .unwrap()
                .decline_code,
            Some("insufficient_funds")
        );
        assert_eq!(
            decline_for(Behavior::DeclineExpired, true).unwrap().code,
            "expired_card"
        );
    }

    mod prop {
        use super::*;
        use proptest::prelude::*;

        /// Appends the Luhn check digit.
        fn with_check_digit(body: &str) -> String {
            (0..10)
                .map(|d| format!("{body}{d}"))
                .find(|n| luhn_valid(n))
                .unwrap()
        }

        proptest! {
            #[test]
            fn any_valid_visa_number_is_accepted(body in "4[0-9]{14}") {
                let n = with_check_digit(&body);
                let c = check_card(&n, 12, 2030, Some("123"), TODAY).unwrap();
                prop_assert_eq!(c.brand, Brand::Visa);
                prop_assert_eq!(c.last4, n[12..].to_string());
            }

            #[test]
            fn changing_one_digit_breaks_luhn(body in "4[0-9]{14}", pos in 0usize..16, delta in 1u8..10) {
                let n = with_check_digit(&body);
                let mut bytes = n.into_bytes();
                bytes[pos] = b'0' + (bytes[pos] - b'0' + delta) % 10;
                let changed = String::from_utf8(bytes).unwrap();
                prop_assert!(!luhn_valid(&changed));
            }

            #[test]
            fn arbitrary_input_never_panics(n in "\\PC{0,30}", m in any::<i64>(), y in any::<i64>(), cvc in "\\PC{0,6}") {
                let _ = check_card(&n, m, y, Some(&cvc), TODAY);
            }
        }
    }
}

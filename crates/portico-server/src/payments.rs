//! Payment methods as the handlers need them: reading card parameters, minting payment methods
//! from raw cards or Stripe's test tokens, and resolving a `payment_method` parameter.

use crate::http::{Api, Failure};
use crate::objects::load_live;
use crate::state::App;
use portico_domain::calendar::year_month;
use portico_domain::card::{check_card, test_card_by_number, test_card_by_token};
use portico_domain::payment_method::{PaymentMethod, PaymentMethodCreate};
use portico_domain::Ctx;
use portico_store::{Versioned, Write};
use portico_wire::{ApiError, Reader};

/// Card details as sent in `card[…]`: raw numbers or a `tok_…` test token.
#[derive(Clone, Debug, Default)]
pub struct CardInput {
    pub number: Option<String>,
    pub exp_month: Option<i64>,
    pub exp_year: Option<i64>,
    pub cvc: Option<String>,
    pub token: Option<String>,
}

/// Reads `card[number]`, `card[exp_month]`, `card[exp_year]`, `card[cvc]` or `card[token]`.
pub fn read_card(r: &mut Reader<'_>) -> CardInput {
    let token = r.string("token", 5000);
    if token.is_some() {
        return CardInput {
            token,
            ..Default::default()
        };
    }
    for k in ["number", "exp_month", "exp_year"] {
        r.require(k);
    }
    r.object("networks", |n| {
        n.enumeration("preferred", &["cartes_bancaires", "mastercard", "visa"])
    });
    CardInput {
        number: r.string("number", 5000),
        exp_month: r.int("exp_month"),
        exp_year: r.int("exp_year"),
        cvc: r.string("cvc", 5000),
        token: None,
    }
}

/// The test card a `tok_…` card token or a `pm_card_…` payment method id stands for.
fn test_number_for(token: &str) -> Option<&'static str> {
    let name = token
        .strip_prefix("tok_")
        .or_else(|| token.strip_prefix("pm_card_"))?;
    test_card_by_token(&format!("pm_card_{name}")).map(|c| c.number)
}

/// Whether `id` is one of Stripe's `pm_card_…` test payment methods.
pub fn is_test_token(id: &str) -> bool {
    id.starts_with("pm_card_") && test_number_for(id).is_some()
}

/// Builds (without storing) a card payment method from card details.
pub async fn new_card_payment_method(
    app: &App,
    api: &Api,
    card: &CardInput,
    p: PaymentMethodCreate,
) -> Result<PaymentMethod, Failure> {
    let (number, exp_month, exp_year, cvc) = match &card.token {
        Some(t) => {
            let n = test_number_for(t).ok_or_else(|| {
                Failure::from(ApiError::invalid(
                    Some("card[token]".into()),
                    Some(portico_domain::ErrorCode::ResourceMissing),
                    format!("No such token: '{t}'"),
                ))
            })?;
            let (y, _) = year_month(api.now);
            (n.to_owned(), 12, y + 3, None)
        }
        None => (
            card.number.clone().unwrap_or_default(),
            card.exp_month.unwrap_or(0),
            card.exp_year.unwrap_or(0),
            card.cvc.clone(),
        ),
    };
    let checked = check_card(
        &number,
        exp_month,
        exp_year,
        cvc.as_deref(),
        year_month(api.now),
    )
    .map_err(|e| Failure::from(ApiError::card(&e, Some("card"))))?;
    let key = app.fingerprint_key(&api.caller.account).await?;
    let mut ids = crate::ids::Ids;
    let mut ctx = Ctx {
        now: api.now,
        livemode: api.caller.livemode,
        ids: &mut ids,
    };
    Ok(PaymentMethod::from_card(
        &checked,
        test_card_by_number(&checked.digits),
        &key,
        p,
        &mut ctx,
    )?)
}

/// Resolves a `payment_method` parameter: an existing payment method of the account, or one of
/// Stripe's `pm_card_…` test tokens, which mints a fresh payment method each time (as Stripe
/// does). The fresh one is stored right away.
pub async fn resolve_payment_method(
    app: &App,
    api: &Api,
    id: &str,
    param: &str,
) -> Result<Versioned<PaymentMethod>, Failure> {
    if is_test_token(id) {
        let card = CardInput {
            token: Some(id.to_owned()),
            ..Default::default()
        };
        let pm = new_card_payment_method(app, api, &card, PaymentMethodCreate::default()).await?;
        app.commit(
            &api.caller.account,
            vec![Write::Insert(Versioned::new_record(&pm))],
        )
        .await?;
        return Ok(Versioned {
            value: pm,
            version: 1,
        });
    }
    load_live::<PaymentMethod>(app, &api.caller.account, id, Some(param)).await
}

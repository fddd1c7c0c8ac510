//! What operators change outside Stripe's API (from the command line, later the dashboard):
//! an account's branding, and which portal configuration is its default.

use crate::http::Failure;
use crate::state::App;
use portico_domain::branding::{Branding, BrandingUpdate};
use portico_domain::{AccountId, Ctx};
use portico_store::{Object, Read, StoreError, Versioned, Write};

pub use crate::api::billing_portal::set_default_configuration;

/// The unique key the account's one branding is stored under.
const BRANDING_KEY: &str = "branding";

/// The read of the account's branding, to make with others ([`portico_store::Store::read_many`]).
pub fn branding_read() -> Read {
    Read::Unique(Branding::KIND, BRANDING_KEY.to_owned())
}

/// The account's branding, if it has any.
pub async fn branding(app: &App, account: &AccountId) -> Result<Option<Branding>, Failure> {
    let record = app
        .store
        .get_by_unique_key(account, Branding::KIND, BRANDING_KEY)
        .await?;
    Ok(match record {
        Some(r) => Some(portico_store::decode::<Branding>(&*app.store, account, &r)?.value),
        None => None,
    })
}

/// Applies `update` to the account's branding (creating it on first use).
pub async fn set_branding(
    app: &App,
    account: &AccountId,
    update: BrandingUpdate,
    now: i64,
) -> Result<Branding, Failure> {
    crate::objects::with_retries(|| {
        let update = update.clone();
        async move {
            let record = app
                .store
                .get_by_unique_key(account, Branding::KIND, BRANDING_KEY)
                .await?;
            let (mut b, is_new) = match record {
                Some(r) => (Versioned::<Branding>::from_record(&r)?, false),
                None => {
                    let mut ids = crate::ids::Ids;
                    let mut ctx = Ctx {
                        now,
                        livemode: false,
                        ids: &mut ids,
                    };
                    let fresh = Versioned {
                        value: Branding::new(&mut ctx),
                        version: 1,
                    };
                    (fresh, true)
                }
            };
            b.value.apply(update, now)?;
            let write = if is_new {
                Write::Insert(Versioned::new_record(&b.value))
            } else {
                Write::Update(b.next_record())
            };
            match app.commit(account, vec![write]).await {
                Ok(()) => Ok(b.value),
                Err(StoreError::Duplicate { .. }) => Err(StoreError::Conflict.into()),
                Err(e) => Err(e.into()),
            }
        }
    })
    .await
}

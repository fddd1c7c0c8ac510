//! Secrets at rest: what Portico must be able to read back (webhook signing secrets, the
//! responses kept for idempotent replays, the login links waiting in the mail outbox) is stored
//! sealed with AES-256-GCM; what it only has to recognise (API keys, portal link and browser
//! secrets) is stored as a one-way digest elsewhere and never reaches this module.
//!
//! A sealed value reads `sealed:v1:{key id}:{base64url(nonce ‖ ciphertext ‖ tag)}`. The key
//! id (the first 8 hex digits of the key's SHA-256) says which key opens it, so keys can be
//! rotated: the first configured key seals, every configured key opens. When no key is
//! configured the database's own key is used (kept in the database: it keeps secrets out of
//! dumps of single tables and exports, not out of a copy of the whole database); it stays
//! available for opening older values after keys are configured.

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use portico_store::{Store, StoreError};
use ring::aead::{Aad, LessSafeKey, Nonce, UnboundKey, AES_256_GCM, NONCE_LEN};
use ring::rand::{SecureRandom, SystemRandom};
use sha2::{Digest, Sha256};
use std::fmt;
use std::sync::Arc;

const PREFIX: &str = "sealed:v1:";

/// The name of the database's own key in the store's secrets.
pub const DATABASE_KEY: &str = "data_key";

/// A 256-bit data key as configured (`--data-key`): 32 bytes, written in base64.
#[derive(Clone)]
pub struct DataKey([u8; 32]);

impl DataKey {
    /// Reads a key written as base64 (standard or URL-safe, padded or not).
    pub fn parse(text: &str) -> Result<DataKey, String> {
        let t = text.trim();
        let bytes = STANDARD
            .decode(t)
            .or_else(|_| URL_SAFE_NO_PAD.decode(t.trim_end_matches('=')))
            .map_err(|_| "a data key is 32 random bytes written in base64".to_owned())?;
        let arr: [u8; 32] = bytes.try_into().map_err(|b: Vec<u8>| {
            format!(
                "a data key is 32 bytes; this one is {} (make one with `openssl rand -base64 32`)",
                b.len()
            )
        })?;
        Ok(DataKey(arr))
    }

    /// A key derived from a secret string (the database's own key).
    fn derived(secret: &str) -> DataKey {
        DataKey(Sha256::digest(format!("portico-data-key\0{secret}").as_bytes()).into())
    }
}

impl fmt::Debug for DataKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DataKey({})", key_id(&self.0))
    }
}

fn key_id(key: &[u8; 32]) -> String {
    crate::digest::hex(&Sha256::digest(key)[..4])
}

struct Key {
    id: String,
    aead: LessSafeKey,
}

impl Key {
    fn new(k: &DataKey) -> Key {
        Key {
            id: key_id(&k.0),
            aead: LessSafeKey::new(UnboundKey::new(&AES_256_GCM, &k.0).expect("32-byte key")),
        }
    }
}

/// Why a sealed value could not be opened.
#[derive(Debug)]
pub enum SealError {
    /// No configured key (nor the database's) has this id.
    UnknownKey(String),
    /// The value is damaged, or was sealed under another key with a colliding id.
    Damaged,
    /// The database's key could not be read.
    Store(StoreError),
}

impl fmt::Display for SealError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SealError::UnknownKey(id) => write!(
                f,
                "a stored secret is sealed with data key {id}, which is not configured (--data-key)"
            ),
            SealError::Damaged => f.write_str("a stored secret does not open: it is damaged"),
            SealError::Store(e) => write!(f, "the database's data key cannot be read: {e}"),
        }
    }
}

impl std::error::Error for SealError {}

impl From<StoreError> for SealError {
    fn from(e: StoreError) -> SealError {
        SealError::Store(e)
    }
}

/// Seals and opens stored secrets.
pub struct Sealer {
    configured: Vec<Key>,
    store: Arc<dyn Store>,
    database: tokio::sync::OnceCell<Key>,
    rng: SystemRandom,
}

impl Sealer {
    /// A sealer using `keys` (the first seals; all open), or the database's key when empty.
    pub fn new(keys: &[DataKey], store: Arc<dyn Store>) -> Sealer {
        Sealer {
            configured: keys.iter().map(Key::new).collect(),
            store,
            database: tokio::sync::OnceCell::new(),
            rng: SystemRandom::new(),
        }
    }

    /// Whether a key was configured (rather than the database's own being used).
    pub fn has_configured_key(&self) -> bool {
        !self.configured.is_empty()
    }

    async fn database_key(&self) -> Result<&Key, SealError> {
        Ok(self
            .database
            .get_or_try_init(|| async {
                let secret = self.store.secret(DATABASE_KEY).await?;
                Ok::<_, StoreError>(Key::new(&DataKey::derived(&secret)))
            })
            .await?)
    }

    /// `plain`, sealed with the sealing key.
    pub async fn seal(&self, plain: &str) -> Result<String, SealError> {
        let key = match self.configured.first() {
            Some(k) => k,
            None => self.database_key().await?,
        };
        let mut nonce = [0u8; NONCE_LEN];
        self.rng.fill(&mut nonce).map_err(|_| SealError::Damaged)?;
        let mut buf = plain.as_bytes().to_vec();
        key.aead
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(key.id.as_bytes()),
                &mut buf,
            )
            .map_err(|_| SealError::Damaged)?;
        let mut out = nonce.to_vec();
        out.extend_from_slice(&buf);
        Ok(format!(
            "{PREFIX}{}:{}",
            key.id,
            URL_SAFE_NO_PAD.encode(out)
        ))
    }

    /// The plain text of a stored value: opened when sealed, as it is when it never was
    /// (values written before sealing existed).
    pub async fn open(&self, stored: &str) -> Result<String, SealError> {
        let Some(rest) = stored.strip_prefix(PREFIX) else {
            return Ok(stored.to_owned());
        };
        let (id, body) = rest.split_once(':').ok_or(SealError::Damaged)?;
        let key = match self.configured.iter().find(|k| k.id == id) {
            Some(k) => k,
            None => {
                let db = self.database_key().await?;
                if db.id != id {
                    return Err(SealError::UnknownKey(id.to_owned()));
                }
                db
            }
        };
        let raw = URL_SAFE_NO_PAD
            .decode(body)
            .map_err(|_| SealError::Damaged)?;
        if raw.len() < NONCE_LEN {
            return Err(SealError::Damaged);
        }
        let (nonce, sealed) = raw.split_at(NONCE_LEN);
        let nonce = Nonce::try_assume_unique_for_key(nonce).map_err(|_| SealError::Damaged)?;
        let mut buf = sealed.to_vec();
        let plain = key
            .aead
            .open_in_place(nonce, Aad::from(key.id.as_bytes()), &mut buf)
            .map_err(|_| SealError::Damaged)?;
        String::from_utf8(plain.to_vec()).map_err(|_| SealError::Damaged)
    }
}

/// Whether a stored value is sealed.
pub fn is_sealed(stored: &str) -> bool {
    stored.starts_with(PREFIX)
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn store() -> Arc<dyn Store> {
        portico_store::open("sqlite::memory:").await.unwrap()
    }

    fn key(b: u8) -> DataKey {
        DataKey([b; 32])
    }

    #[tokio::test]
    async fn seals_and_opens_and_hides_the_text() {
        let s = Sealer::new(&[key(1)], store().await);
        let sealed = s.seal("whsec_abc").await.unwrap();
        assert!(is_sealed(&sealed) && !sealed.contains("whsec_abc"));
        assert_eq!(s.open(&sealed).await.unwrap(), "whsec_abc");
        // Two seals of one text differ (fresh nonce each time).
        assert_ne!(sealed, s.seal("whsec_abc").await.unwrap());
    }

    #[tokio::test]
    async fn rotation_opens_old_values_and_seals_with_the_first_key() {
        let st = store().await;
        let old = Sealer::new(&[key(1)], st.clone());
        let sealed = old.seal("x").await.unwrap();
        let rotated = Sealer::new(&[key(2), key(1)], st.clone());
        assert_eq!(rotated.open(&sealed).await.unwrap(), "x");
        let new = rotated.seal("y").await.unwrap();
        assert!(matches!(
            old.open(&new).await,
            Err(SealError::UnknownKey(_))
        ));
    }

    #[tokio::test]
    async fn the_database_key_is_used_without_one_and_still_opens_after() {
        let st = store().await;
        let none = Sealer::new(&[], st.clone());
        let sealed = none.seal("secret").await.unwrap();
        assert_eq!(none.open(&sealed).await.unwrap(), "secret");
        let later = Sealer::new(&[key(3)], st);
        assert_eq!(later.open(&sealed).await.unwrap(), "secret");
    }

    #[tokio::test]
    async fn plain_values_pass_and_tampering_is_caught() {
        let s = Sealer::new(&[key(1)], store().await);
        assert_eq!(s.open("whsec_plain").await.unwrap(), "whsec_plain");
        let sealed = s.seal("secret").await.unwrap();
        let mut bytes = sealed.into_bytes();
        let last = bytes.len() - 2;
        bytes[last] = if bytes[last] == b'A' { b'B' } else { b'A' };
        let tampered = String::from_utf8(bytes).unwrap();
        assert!(matches!(s.open(&tampered).await, Err(SealError::Damaged)));
        assert!(matches!(
            s.open("sealed:v1:nothex").await,
            Err(SealError::Damaged)
        ));
    }

    #[test]
    fn keys_parse_from_base64_of_32_bytes() {
        let k = DataKey::parse(&STANDARD.encode([7u8; 32])).unwrap();
        assert_eq!(k.0, [7u8; 32]);
        assert!(DataKey::parse(&URL_SAFE_NO_PAD.encode([7u8; 32])).is_ok());
        assert!(DataKey::parse("short").unwrap_err().contains("base64"));
        assert!(DataKey::parse(&STANDARD.encode([7u8; 16]))
            .unwrap_err()
            .contains("16"));
        assert!(!format!("{k:?}").contains("BwcH"));
    }
}

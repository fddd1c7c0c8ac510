//! An account's branding on its hosted pages: the business name, an accent colour and a logo.
//! Stripe keeps these in the Dashboard's settings, outside the API; Portico keeps one per
//! account, set by the operator.

use crate::error::{DomainError, DomainResult};
use crate::Ctx;
use serde::{Deserialize, Serialize};

/// The largest logo accepted, in bytes.
pub const MAX_LOGO_BYTES: usize = 256 * 1024;
/// The longest business name accepted.
pub const MAX_NAME_CHARS: usize = 100;

/// An account's branding as stored.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Branding {
    pub id: String,
    pub created: i64,
    pub updated: i64,
    /// Shown in the page header and in "Return to …".
    pub business_name: Option<String>,
    /// `#rrggbb`, for buttons and links.
    pub accent_color: Option<String>,
    pub logo: Option<Logo>,
}

/// An image shown in the page header.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Logo {
    /// `image/png`, `image/jpeg`, `image/gif`, `image/webp` or `image/svg+xml`.
    pub content_type: String,
    /// The image, base64-encoded.
    pub data: String,
}

/// Changes to branding; `None` keeps a value, `Some(None)` removes it.
#[derive(Clone, Debug, Default)]
pub struct BrandingUpdate {
    pub business_name: Option<Option<String>>,
    pub accent_color: Option<Option<String>>,
    /// The image's content type and bytes, base64-encoded.
    pub logo: Option<Option<Logo>>,
}

impl Branding {
    /// Empty branding for an account.
    pub fn new(ctx: &mut Ctx<'_>) -> Branding {
        Branding {
            id: ctx.ids.next("brand_", crate::ID_LEN),
            created: ctx.now,
            updated: ctx.now,
            ..Default::default()
        }
    }

    /// Applies `u`; nothing changes unless every part is valid.
    pub fn apply(&mut self, u: BrandingUpdate, now: i64) -> DomainResult<()> {
        let mut next = self.clone();
        if let Some(name) = u.business_name {
            next.business_name = match name.map(|n| n.trim().to_owned()) {
                Some(n) if n.chars().count() > MAX_NAME_CHARS => {
                    return Err(DomainError::invalid(
                        "business_name",
                        format!(
                            "The business name can be at most {MAX_NAME_CHARS} characters long."
                        ),
                    ))
                }
                Some(n)
                    if n.chars()
                        .any(|c| c.is_control() || matches!(c, '\u{2028}' | '\u{2029}')) =>
                {
                    return Err(DomainError::invalid(
                        "business_name",
                        "The business name must be one line, without control characters: it \
                         is shown on pages and signs emails.",
                    ))
                }
                Some(n) if n.is_empty() => None,
                other => other,
            };
        }
        if let Some(color) = u.accent_color {
            next.accent_color = color.map(|c| normalize_color(&c)).transpose()?;
        }
        if let Some(logo) = u.logo {
            if let Some(l) = &logo {
                check_logo(l)?;
            }
            next.logo = logo;
        }
        next.updated = now;
        *self = next;
        Ok(())
    }
}

/// `#abc` or `#aabbcc` (any case, `#` optional) as `#aabbcc`.
pub fn normalize_color(raw: &str) -> DomainResult<String> {
    let hex = raw.trim().trim_start_matches('#');
    let ok = (hex.len() == 3 || hex.len() == 6) && hex.chars().all(|c| c.is_ascii_hexdigit());
    if !ok {
        return Err(DomainError::invalid(
            "accent_color",
            format!("Invalid accent colour {raw:?}: use a hex colour such as #635bff."),
        ));
    }
    let hex = hex.to_ascii_lowercase();
    Ok(if hex.len() == 3 {
        let mut out = String::from("#");
        for c in hex.chars() {
            out.push(c);
            out.push(c);
        }
        out
    } else {
        format!("#{hex}")
    })
}

fn check_logo(l: &Logo) -> DomainResult<()> {
    const TYPES: &[&str] = &[
        "image/png",
        "image/jpeg",
        "image/gif",
        "image/webp",
        "image/svg+xml",
    ];
    if !TYPES.contains(&l.content_type.as_str()) {
        return Err(DomainError::invalid(
            "logo",
            "The logo must be a PNG, JPEG, GIF, WebP or SVG image.",
        ));
    }
    let ok_base64 = l
        .data
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/' || b == b'=');
    if !ok_base64 || l.data.is_empty() {
        return Err(DomainError::invalid(
            "logo",
            "The logo's data is not base64.",
        ));
    }
    if l.data.len() / 4 * 3 > MAX_LOGO_BYTES {
        return Err(DomainError::invalid(
            "logo",
            format!("The logo can be at most {} KiB.", MAX_LOGO_BYTES / 1024),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::id::SequentialIds;

    #[test]
    fn colours_are_normalised_or_refused() {
        assert_eq!(normalize_color("#635BFF").unwrap(), "#635bff");
        assert_eq!(normalize_color("0a0").unwrap(), "#00aa00");
        for bad in ["", "#12", "red", "#12345g", "#1234567", "url(x)"] {
            assert!(normalize_color(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn updates_apply_whole_or_not_at_all() {
        let mut ids = SequentialIds::default();
        let mut b = Branding::new(&mut Ctx {
            now: 1,
            livemode: false,
            ids: &mut ids,
        });
        b.apply(
            BrandingUpdate {
                business_name: Some(Some("  Acme  ".into())),
                accent_color: Some(Some("#0a0".into())),
                logo: None,
            },
            2,
        )
        .unwrap();
        assert_eq!(b.business_name.as_deref(), Some("Acme"));
        assert_eq!(b.accent_color.as_deref(), Some("#00aa00"));
        let before = b.clone();
        let bad = BrandingUpdate {
            business_name: Some(Some("Other".into())),
            logo: Some(Some(Logo {
                content_type: "text/html".into(),
                data: "PGgxPg==".into(),
            })),
            ..Default::default()
        };
        assert!(b.apply(bad, 3).is_err());
        assert_eq!(b, before);
        for name in ["Acme\r\nBcc: x@example.com", "Acme\u{0}", "Acme\u{2028}Bcc"] {
            let two_lines = BrandingUpdate {
                business_name: Some(Some(name.into())),
                ..Default::default()
            };
            assert!(b.apply(two_lines, 3).is_err(), "{name:?}");
        }
        assert_eq!(b, before);
        b.apply(
            BrandingUpdate {
                business_name: Some(None),
                ..Default::default()
            },
            4,
        )
        .unwrap();
        assert_eq!(b.business_name, None);
    }
}

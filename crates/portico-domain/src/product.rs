//! Products: what a business sells. Prices hang off them.

use crate::error::{DomainError, DomainResult};
use crate::id::{PriceId, ProductId, ID_LEN};
use crate::metadata::{Metadata, MetadataUpdate};
use crate::patch::Patch;
use crate::Ctx;
use serde::{Deserialize, Serialize};

/// Package size and weight, for shipping.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PackageDimensions {
    pub height: f64,
    pub length: f64,
    pub weight: f64,
    pub width: f64,
}

/// A product as Portico stores it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Product {
    pub id: ProductId,
    pub created: i64,
    pub updated: i64,
    pub livemode: bool,
    pub active: bool,
    pub default_price: Option<PriceId>,
    pub description: Option<String>,
    pub images: Vec<String>,
    /// Names of the marketing features, in display order.
    pub marketing_features: Vec<String>,
    pub metadata: Metadata,
    pub name: String,
    pub package_dimensions: Option<PackageDimensions>,
    pub shippable: Option<bool>,
    pub statement_descriptor: Option<String>,
    pub tax_code: Option<String>,
    pub unit_label: Option<String>,
    pub url: Option<String>,
    /// Set when the product was deleted; it then reads as missing.
    #[serde(default)]
    pub deleted: bool,
}

/// Parameters of product create and update.
#[derive(Clone, Debug, Default)]
pub struct ProductParams {
    pub active: Option<bool>,
    /// Update only; already checked to be an active price of this product.
    pub default_price: Option<PriceId>,
    pub description: Patch<String>,
    /// Create only: an id chosen by the caller.
    pub id: Option<String>,
    pub images: Patch<Vec<String>>,
    pub marketing_features: Patch<Vec<String>>,
    pub metadata: MetadataUpdate,
    /// Required on create.
    pub name: Option<String>,
    pub package_dimensions: Patch<PackageDimensions>,
    pub shippable: Option<bool>,
    pub statement_descriptor: Option<String>,
    pub tax_code: Patch<String>,
    pub unit_label: Patch<String>,
    pub url: Patch<String>,
}

/// At most this many images per product.
pub const MAX_IMAGES: usize = 8;
/// At most this many marketing features per product.
pub const MAX_MARKETING_FEATURES: usize = 15;

impl Product {
    /// Creates a product. `name` must be present (the wire layer reports it missing otherwise).
    pub fn create(params: ProductParams, ctx: &mut Ctx<'_>) -> DomainResult<Product> {
        let id = match &params.id {
            Some(id) => {
                validate_custom_id(id)?;
                ProductId(id.clone())
            }
            None => ProductId(ctx.ids.next(ProductId::PREFIX, ID_LEN)),
        };
        let mut product = Product {
            id,
            created: ctx.now,
            updated: ctx.now,
            livemode: ctx.livemode,
            active: true,
            default_price: None,
            description: None,
            images: Vec::new(),
            marketing_features: Vec::new(),
            metadata: Metadata::new(),
            name: String::new(),
            package_dimensions: None,
            shippable: None,
            statement_descriptor: None,
            tax_code: None,
            unit_label: None,
            url: None,
            deleted: false,
        };
        product.update(ProductParams { id: None, ..params }, ctx.now)?;
        Ok(product)
    }

    /// Applies an update; nothing changes when a rule is broken.
    pub fn update(&mut self, p: ProductParams, now: i64) -> DomainResult<()> {
        if let Some(name) = &p.name {
            if name.trim().is_empty() {
                return Err(DomainError::invalid(
                    "name",
                    "Invalid name: a product's name cannot be blank.",
                ));
            }
        }
        if let Patch::Set(images) = &p.images {
            if images.len() > MAX_IMAGES {
                return Err(DomainError::invalid(
                    "images",
                    format!("Invalid images: a product can have at most {MAX_IMAGES} images."),
                ));
            }
        }
        if let Patch::Set(features) = &p.marketing_features {
            if features.len() > MAX_MARKETING_FEATURES {
                return Err(DomainError::invalid(
                    "marketing_features",
                    format!("Invalid marketing_features: a product can have at most {MAX_MARKETING_FEATURES} marketing features."),
                ));
            }
        }
        if let Some(sd) = &p.statement_descriptor {
            validate_statement_descriptor(sd)?;
        }
        if let Patch::Set(d) = &p.package_dimensions {
            for (field, v) in [
                ("height", d.height),
                ("length", d.length),
                ("weight", d.weight),
                ("width", d.width),
            ] {
                if !(v.is_finite() && v > 0.0) {
                    return Err(DomainError::invalid(
                        format!("package_dimensions[{field}]"),
                        format!("Invalid package_dimensions[{field}]: must be a positive number."),
                    ));
                }
            }
        }
        let mut metadata = self.metadata.clone();
        p.metadata.apply("metadata", &mut metadata)?;

        self.metadata = metadata;
        if let Some(a) = p.active {
            self.active = a;
        }
        if let Some(dp) = p.default_price {
            self.default_price = Some(dp);
        }
        p.description.apply_to(&mut self.description);
        match p.images {
            Patch::Keep => {}
            Patch::Clear => self.images.clear(),
            Patch::Set(i) => self.images = i,
        }
        match p.marketing_features {
            Patch::Keep => {}
            Patch::Clear => self.marketing_features.clear(),
            Patch::Set(f) => self.marketing_features = f,
        }
        if let Some(n) = p.name {
            self.name = n;
        }
        p.package_dimensions.apply_to(&mut self.package_dimensions);
        if let Some(s) = p.shippable {
            self.shippable = Some(s);
        }
        if let Some(sd) = p.statement_descriptor {
            self.statement_descriptor = Some(sd);
        }
        p.tax_code.apply_to(&mut self.tax_code);
        p.unit_label.apply_to(&mut self.unit_label);
        p.url.apply_to(&mut self.url);
        self.updated = now;
        Ok(())
    }
}

impl Product {
    /// Checks that `price` can become this product's default price: it must be one of the
    /// product's prices and active.
    pub fn check_default_price(&self, price: &crate::price::Price) -> DomainResult<()> {
        if price.product != self.id {
            return Err(DomainError::invalid(
                "default_price",
                format!("The price '{}' does not belong to this product.", price.id),
            ));
        }
        if !price.active {
            return Err(DomainError::invalid(
                "default_price",
                format!("The price '{}' is archived; only an active price can be a product's default price.", price.id),
            ));
        }
        Ok(())
    }

    /// Deletes the product; Stripe refuses while it has prices.
    pub fn delete(&mut self, has_prices: bool) -> DomainResult<()> {
        if has_prices {
            return Err(DomainError::state(
                None,
                "This product cannot be deleted because it has one or more user-created prices.",
            ));
        }
        self.deleted = true;
        Ok(())
    }
}

/// Caller-chosen product ids: letters, digits, `_` and `-`, at most 255 characters.
fn validate_custom_id(id: &str) -> DomainResult<()> {
    if id.is_empty()
        || id.len() > 255
        || !id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        return Err(DomainError::invalid(
            "id",
            format!("Invalid id: '{id}'. Product ids may contain only letters, digits, '_' and '-', up to 255 characters."),
        ));
    }
    Ok(())
}

/// Statement descriptors: 5–22 characters, at least one letter, none of `<>\'"*`.
fn validate_statement_descriptor(sd: &str) -> DomainResult<()> {
    let len = sd.chars().count();
    let bad = sd
        .chars()
        .any(|c| matches!(c, '<' | '>' | '\\' | '\'' | '"' | '*'));
    if !(5..=22).contains(&len) || bad || !sd.chars().any(|c| c.is_alphabetic()) {
        return Err(DomainError::invalid(
            "statement_descriptor",
            "Invalid statement_descriptor: it must be 5 to 22 characters, contain at least one letter, and none of < > \\ ' \" *.",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::id::SequentialIds;

    #[test]
    fn create_with_defaults_and_custom_id() {
        let mut ids = SequentialIds::default();
        let mut ctx = Ctx {
            now: 10,
            livemode: false,
            ids: &mut ids,
        };
        let p = Product::create(
            ProductParams {
                name: Some("Pro".into()),
                id: Some("pro-plan".into()),
                ..Default::default()
            },
            &mut ctx,
        )
        .unwrap();
        assert_eq!(p.id.as_str(), "pro-plan");
        assert!(p.active);
        assert_eq!((p.created, p.updated), (10, 10));
        let e = Product::create(
            ProductParams {
                name: Some("x".into()),
                id: Some("bad id".into()),
                ..Default::default()
            },
            &mut ctx,
        )
        .unwrap_err();
        assert!(matches!(e, DomainError::Invalid { param: Some(ref p), .. } if p == "id"));
    }

    #[test]
    fn update_checks_limits_and_touches_updated() {
        let mut ids = SequentialIds::default();
        let mut ctx = Ctx {
            now: 10,
            livemode: false,
            ids: &mut ids,
        };
        let mut p = Product::create(
            ProductParams {
                name: Some("Pro".into()),
                ..Default::default()
            },
            &mut ctx,
        )
        .unwrap();
        let nine: Vec<String> = (0..9).map(|i| format!("https://x/{i}.png")).collect();
        assert!(p
            .update(
                ProductParams {
                    images: Patch::Set(nine),
                    ..Default::default()
                },
                20
            )
            .is_err());
        assert_eq!(p.updated, 10);
        p.update(
            ProductParams {
                active: Some(false),
                description: Patch::Set("d".into()),
                ..Default::default()
            },
            20,
        )
        .unwrap();
        assert!(!p.active);
        assert_eq!(p.updated, 20);
        p.update(
            ProductParams {
                description: Patch::Clear,
                ..Default::default()
            },
            30,
        )
        .unwrap();
        assert_eq!(p.description, None);
        assert!(p
            .update(
                ProductParams {
                    statement_descriptor: Some("a*b".into()),
                    ..Default::default()
                },
                40
            )
            .is_err());
        p.update(
            ProductParams {
                statement_descriptor: Some("PORTICO PRO".into()),
                ..Default::default()
            },
            40,
        )
        .unwrap();
    }
}

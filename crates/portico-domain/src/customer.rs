//! Customers: who is billed, their contact and invoice settings.

use crate::error::{DomainError, DomainResult, ErrorCode};
use crate::id::{CustomerId, ID_LEN};
use crate::metadata::{Metadata, MetadataUpdate};
use crate::patch::Patch;
use crate::Ctx;
use serde::{Deserialize, Serialize};

/// A postal address; every part optional, as in Stripe.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Address {
    pub city: Option<String>,
    pub country: Option<String>,
    pub line1: Option<String>,
    pub line2: Option<String>,
    pub postal_code: Option<String>,
    pub state: Option<String>,
}

/// Where goods go: a name and an address are required.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Shipping {
    pub address: Address,
    pub name: String,
    pub phone: Option<String>,
    pub carrier: Option<String>,
    pub tracking_number: Option<String>,
}

/// A custom field printed on invoices.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CustomField {
    pub name: String,
    pub value: String,
}

/// How invoices render for this customer.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RenderingOptions {
    pub amount_tax_display: Option<String>,
    pub template: Option<String>,
}

/// The customer's default invoice settings.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct InvoiceSettings {
    pub custom_fields: Option<Vec<CustomField>>,
    pub default_payment_method: Option<String>,
    pub footer: Option<String>,
    pub rendering_options: Option<RenderingOptions>,
}

/// The customer's tax status (`tax_exempt`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaxExempt {
    #[default]
    None,
    Exempt,
    Reverse,
}

impl TaxExempt {
    /// Accepted wire values.
    pub const VALUES: &'static [&'static str] = &["none", "reverse", "exempt"];

    /// Parses a wire value.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "none" => Some(Self::None),
            "exempt" => Some(Self::Exempt),
            "reverse" => Some(Self::Reverse),
            _ => None,
        }
    }

    /// The wire value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::Exempt => "exempt",
            Self::Reverse => "reverse",
        }
    }
}

/// A customer as Portico stores it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Customer {
    pub id: CustomerId,
    pub created: i64,
    pub livemode: bool,
    pub address: Option<Address>,
    pub balance: i64,
    pub business_name: Option<String>,
    pub currency: Option<String>,
    pub delinquent: bool,
    pub description: Option<String>,
    pub email: Option<String>,
    pub individual_name: Option<String>,
    pub invoice_prefix: String,
    pub invoice_settings: InvoiceSettings,
    pub metadata: Metadata,
    pub name: Option<String>,
    pub next_invoice_sequence: i64,
    pub phone: Option<String>,
    pub preferred_locales: Vec<String>,
    pub shipping: Option<Shipping>,
    pub tax_exempt: TaxExempt,
    pub test_clock: Option<String>,
    /// Set when the customer was deleted; a deleted customer reads back as `deleted: true`.
    #[serde(default)]
    pub deleted: bool,
}

/// Parameters of customer create and update. On create, `Clear` means the same as `Keep`.
#[derive(Clone, Debug, Default)]
pub struct CustomerParams {
    pub address: Patch<Address>,
    pub balance: Option<i64>,
    pub business_name: Patch<String>,
    pub description: Patch<String>,
    pub email: Patch<String>,
    pub individual_name: Patch<String>,
    pub invoice_prefix: Option<String>,
    pub invoice_settings: InvoiceSettingsParams,
    pub metadata: MetadataUpdate,
    pub name: Patch<String>,
    pub next_invoice_sequence: Option<i64>,
    pub phone: Patch<String>,
    pub preferred_locales: Patch<Vec<String>>,
    pub shipping: Patch<Shipping>,
    pub tax_exempt: Patch<TaxExempt>,
    /// Create only: the test clock the customer follows (already checked to exist).
    pub test_clock: Option<String>,
}

/// Changes to `invoice_settings`.
#[derive(Clone, Debug, Default)]
pub struct InvoiceSettingsParams {
    pub custom_fields: Patch<Vec<CustomField>>,
    /// Already checked to be a payment method attached to this customer.
    pub default_payment_method: Patch<String>,
    pub footer: Patch<String>,
    pub rendering_options: Patch<RenderingOptions>,
}

/// Characters of generated invoice prefixes.
const PREFIX_ALPHABET: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";

impl Customer {
    /// Creates a customer from validated parameters.
    pub fn create(params: CustomerParams, ctx: &mut Ctx<'_>) -> DomainResult<Customer> {
        let invoice_prefix = match &params.invoice_prefix {
            Some(p) => p.clone(),
            None => ctx.ids.random_string(PREFIX_ALPHABET, 8),
        };
        let mut customer = Customer {
            id: CustomerId(ctx.ids.next(CustomerId::PREFIX, ID_LEN)),
            created: ctx.now,
            livemode: ctx.livemode,
            address: None,
            balance: 0,
            business_name: None,
            currency: None,
            delinquent: false,
            description: None,
            email: None,
            individual_name: None,
            invoice_prefix,
            invoice_settings: InvoiceSettings::default(),
            metadata: Metadata::new(),
            name: None,
            next_invoice_sequence: 1,
            phone: None,
            preferred_locales: Vec::new(),
            shipping: None,
            tax_exempt: TaxExempt::None,
            test_clock: params.test_clock.clone(),
            deleted: false,
        };
        customer.update(params)?;
        Ok(customer)
    }

    /// Applies an update. Checks every rule before changing anything.
    pub fn update(&mut self, p: CustomerParams) -> DomainResult<()> {
        if let Patch::Set(email) = &p.email {
            validate_email(email)?;
        }
        if let Some(prefix) = &p.invoice_prefix {
            validate_invoice_prefix(prefix)?;
        }
        if let Some(seq) = p.next_invoice_sequence {
            if seq < 1 {
                return Err(DomainError::invalid(
                    "next_invoice_sequence",
                    "Invalid next_invoice_sequence: must be at least 1.",
                ));
            }
        }
        if let Patch::Set(locales) = &p.preferred_locales {
            if locales.len() > 10 {
                return Err(DomainError::invalid(
                    "preferred_locales",
                    "Invalid preferred_locales: at most 10 locales are accepted.",
                ));
            }
        }
        if let Patch::Set(fields) = &p.invoice_settings.custom_fields {
            if fields.len() > 4 {
                return Err(DomainError::invalid(
                    "invoice_settings[custom_fields]",
                    "You can specify up to 4 custom fields in invoice_settings[custom_fields].",
                ));
            }
        }
        let mut metadata = self.metadata.clone();
        p.metadata.apply("metadata", &mut metadata)?;

        self.metadata = metadata;
        p.address.apply_to(&mut self.address);
        if let Some(b) = p.balance {
            self.balance = b;
        }
        p.business_name.apply_to(&mut self.business_name);
        p.description.apply_to(&mut self.description);
        p.email.apply_to(&mut self.email);
        p.individual_name.apply_to(&mut self.individual_name);
        if let Some(prefix) = p.invoice_prefix {
            self.invoice_prefix = prefix;
        }
        let s = p.invoice_settings;
        s.custom_fields
            .apply_to(&mut self.invoice_settings.custom_fields);
        s.default_payment_method
            .apply_to(&mut self.invoice_settings.default_payment_method);
        s.footer.apply_to(&mut self.invoice_settings.footer);
        s.rendering_options
            .apply_to(&mut self.invoice_settings.rendering_options);
        p.name.apply_to(&mut self.name);
        if let Some(seq) = p.next_invoice_sequence {
            self.next_invoice_sequence = seq;
        }
        p.phone.apply_to(&mut self.phone);
        match p.preferred_locales {
            Patch::Keep => {}
            Patch::Clear => self.preferred_locales.clear(),
            Patch::Set(l) => self.preferred_locales = l,
        }
        p.shipping.apply_to(&mut self.shipping);
        match p.tax_exempt {
            Patch::Keep => {}
            Patch::Clear => self.tax_exempt = TaxExempt::None,
            Patch::Set(t) => self.tax_exempt = t,
        }
        Ok(())
    }

    /// Marks the customer deleted. Deleting twice is refused by the caller (404).
    pub fn delete(&mut self) {
        self.deleted = true;
    }
}

/// Stripe's check on `email`: one `@`, something on each side, a dot-free-or-not domain
/// without spaces.
pub fn validate_email(email: &str) -> DomainResult<()> {
    let ok = match email.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !domain.is_empty()
                && !domain.contains('@')
                && !email.chars().any(|c| c.is_whitespace() || c.is_control())
                && !domain.starts_with('.')
                && !domain.ends_with('.')
        }
        None => false,
    };
    if ok {
        Ok(())
    } else {
        Err(DomainError::invalid_code(
            "email",
            ErrorCode::EmailInvalid,
            format!("Invalid email address: {email}"),
        ))
    }
}

/// Invoice prefixes are 3–12 uppercase letters or digits.
pub fn validate_invoice_prefix(prefix: &str) -> DomainResult<()> {
    let len = prefix.chars().count();
    if (3..=12).contains(&len)
        && prefix
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
    {
        Ok(())
    } else {
        Err(DomainError::invalid(
            "invoice_prefix",
            format!("Invalid invoice_prefix: '{prefix}'. It must be 3 to 12 uppercase letters or digits."),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::id::SequentialIds;

    fn ctx(ids: &mut SequentialIds) -> Ctx<'_> {
        Ctx {
            now: 1_700_000_000,
            livemode: false,
            ids,
        }
    }

    #[test]
    fn create_sets_defaults_and_values() {
        let mut ids = SequentialIds::default();
        let c = Customer::create(
            CustomerParams {
                email: Patch::Set("a@b.co".into()),
                name: Patch::Clear,
                ..Default::default()
            },
            &mut ctx(&mut ids),
        )
        .unwrap();
        assert!(c.id.as_str().starts_with("cus_"));
        assert_eq!(c.email.as_deref(), Some("a@b.co"));
        assert_eq!(c.name, None);
        assert_eq!(c.created, 1_700_000_000);
        assert_eq!(c.invoice_prefix.len(), 8);
        assert_eq!(c.next_invoice_sequence, 1);
        assert_eq!(c.tax_exempt, TaxExempt::None);
    }

    #[test]
    fn update_clears_and_sets() {
        let mut ids = SequentialIds::default();
        let mut c = Customer::create(
            CustomerParams {
                description: Patch::Set("x".into()),
                phone: Patch::Set("+1".into()),
                ..Default::default()
            },
            &mut ctx(&mut ids),
        )
        .unwrap();
        c.update(CustomerParams {
            description: Patch::Clear,
            ..Default::default()
        })
        .unwrap();
        assert_eq!(c.description, None);
        assert_eq!(c.phone.as_deref(), Some("+1"));
    }

    #[test]
    fn failed_update_changes_nothing() {
        let mut ids = SequentialIds::default();
        let mut c = Customer::create(CustomerParams::default(), &mut ctx(&mut ids)).unwrap();
        let before = c.clone();
        let err = c
            .update(CustomerParams {
                name: Patch::Set("n".into()),
                email: Patch::Set("nope".into()),
                ..Default::default()
            })
            .unwrap_err();
        assert!(matches!(
            err,
            DomainError::Invalid {
                code: Some(ErrorCode::EmailInvalid),
                ..
            }
        ));
        assert_eq!(c, before);
    }

    #[test]
    fn email_rules() {
        for ok in ["a@b", "first.last+tag@example.co.uk", "x@localhost"] {
            validate_email(ok).unwrap();
        }
        for bad in ["", "a", "@b", "a@", "a b@c.d", "a@b@c", "a@.b", "a@b."] {
            assert!(validate_email(bad).is_err(), "{bad} should be refused");
        }
    }

    #[test]
    fn invoice_prefix_rules() {
        validate_invoice_prefix("ABC").unwrap();
        validate_invoice_prefix("A1B2C3D4E5F6").unwrap();
        for bad in ["AB", "abc", "A1B2C3D4E5F6G", "AB-C"] {
            assert!(validate_invoice_prefix(bad).is_err());
        }
    }
}

//! Billing information: the customer's name, email, phone, billing and shipping addresses, as
//! far as `features.customer_update.allowed_updates` lets them change them. Saved through the
//! same domain rules as `POST /v1/customers/{id}`.

use super::view::Layout;
use super::{Form, Page, Portal};
use crate::objects::modify;
use crate::state::App;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use portico_domain::customer::{Address, Customer, CustomerParams, Shipping};
use portico_domain::Patch;

/// The fields of the form, in the order shown, that Portico can update.
const FIELDS: &[&str] = &["name", "email", "phone", "address", "shipping"];

/// The fields the configuration lets the customer update (tax ids are not implemented).
pub fn editable_fields(p: &Portal) -> Vec<&'static str> {
    let cu = &p.config.features.customer_update;
    if !cu.enabled {
        return Vec::new();
    }
    FIELDS
        .iter()
        .copied()
        .filter(|f| cu.allowed_updates.iter().any(|a| a == f))
        .collect()
}

/// An address on lines, as the customer reads it: the city line as the country writes it
/// (`Springfield, IL 62701` in the US, Canada and Australia; `London SW1A 1AA` in the UK;
/// `75001 Paris` elsewhere).
pub fn address_text(a: &Address) -> String {
    fn part(s: &Option<String>) -> Option<&str> {
        s.as_deref().filter(|s| !s.trim().is_empty())
    }
    fn joined<'a>(parts: impl IntoIterator<Item = Option<&'a str>>, sep: &str) -> String {
        parts.into_iter().flatten().collect::<Vec<_>>().join(sep)
    }
    let (city, state, postal) = (part(&a.city), part(&a.state), part(&a.postal_code));
    let city_line = match a.country.as_deref() {
        Some("US" | "CA" | "AU") => {
            let region = joined([state, postal], " ");
            joined(
                [city, (!region.is_empty()).then_some(region.as_str())],
                ", ",
            )
        }
        Some("GB") => joined([city, state, postal], " "),
        _ => joined([postal, city, state], " "),
    };
    [
        a.line1.clone(),
        a.line2.clone(),
        (!city_line.is_empty()).then_some(city_line),
        a.country.clone(),
    ]
    .into_iter()
    .flatten()
    .filter(|l| !l.trim().is_empty())
    .collect::<Vec<_>>()
    .join("\n")
}

/// One address block of the form.
struct AddressForm {
    prefix: &'static str,
    line1: String,
    line2: String,
    city: String,
    state: String,
    postal_code: String,
    country: String,
}

impl AddressForm {
    fn from(prefix: &'static str, a: Option<&Address>) -> AddressForm {
        let v =
            |f: fn(&Address) -> &Option<String>| a.and_then(|a| f(a).clone()).unwrap_or_default();
        AddressForm {
            prefix,
            line1: v(|a| &a.line1),
            line2: v(|a| &a.line2),
            city: v(|a| &a.city),
            state: v(|a| &a.state),
            postal_code: v(|a| &a.postal_code),
            country: v(|a| &a.country),
        }
    }

    fn read(prefix: &'static str, f: &Form) -> AddressForm {
        let v = |k: &str| f.text(&format!("{prefix}_{k}")).unwrap_or_default();
        AddressForm {
            prefix,
            line1: v("line1"),
            line2: v("line2"),
            city: v("city"),
            state: v("state"),
            postal_code: v("postal_code"),
            country: v("country").to_ascii_uppercase(),
        }
    }

    fn address(&self) -> Address {
        let o = |s: &String| (!s.is_empty()).then(|| s.clone());
        Address {
            line1: o(&self.line1),
            line2: o(&self.line2),
            city: o(&self.city),
            state: o(&self.state),
            postal_code: o(&self.postal_code),
            country: o(&self.country),
        }
    }

    fn is_empty(&self) -> bool {
        self.address() == Address::default()
    }
}

#[derive(Template)]
#[template(path = "portal/billing.html")]
struct BillingPage {
    l: Layout,
    fields: Vec<&'static str>,
    name: String,
    email: String,
    phone: String,
    address: AddressForm,
    shipping_name: String,
    shipping: AddressForm,
    /// Field → message.
    errors: Vec<(&'static str, String)>,
}

impl BillingPage {
    fn has(&self, field: &str) -> bool {
        self.fields.contains(&field)
    }

    fn error(&self, field: &str) -> Option<&String> {
        self.errors
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, m)| m)
    }

    /// The error about the country of the address whose fields are named `prefix`.
    fn country_error(&self, prefix: &str) -> Option<&String> {
        self.error(&format!("{prefix}_country"))
    }
}

fn form_page(p: &Portal, fields: Vec<&'static str>) -> BillingPage {
    let c = &p.customer.value;
    BillingPage {
        l: p.layout(p.t.s("billing-title")),
        fields,
        name: c.name.clone().unwrap_or_default(),
        email: c.email.clone().unwrap_or_default(),
        phone: c.phone.clone().unwrap_or_default(),
        address: AddressForm::from("address", c.address.as_ref()),
        shipping_name: c
            .shipping
            .as_ref()
            .map(|s| s.name.clone())
            .unwrap_or_default(),
        shipping: AddressForm::from("shipping", c.shipping.as_ref().map(|s| &s.address)),
        errors: Vec::new(),
    }
}

/// `GET …/billing`
pub async fn show(
    State(app): State<App>,
    Path(token): Path<String>,
    headers: HeaderMap,
) -> Response {
    let p = enter!(app, token, headers, Page::Billing);
    let fields = editable_fields(&p);
    if fields.is_empty() {
        return p.not_found();
    }
    p.render(StatusCode::OK, &form_page(&p, fields))
}

/// `POST …/billing`
pub async fn save(
    State(app): State<App>,
    Path(token): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let p = enter!(app, token, headers, Page::Billing);
    let Some(form) = p.checked_form(&body) else {
        return p.forged();
    };
    let fields = editable_fields(&p);
    if fields.is_empty() {
        return p.not_found();
    }
    let mut page = form_page(&p, fields.clone());
    let t = &p.t;
    let text = |k: &str| form.text(k).unwrap_or_default();
    let mut params = CustomerParams::default();
    let mut errors = Vec::new();
    let patch = |v: &str| {
        if v.is_empty() {
            Patch::Clear
        } else {
            Patch::Set(v.to_owned())
        }
    };
    let too_long = |field: &'static str, v: &str, max: usize, errors: &mut Vec<_>| {
        if v.chars().count() > max {
            errors.push((
                field,
                t.f("error-too-long", vec![("max", (max as i64).into())]),
            ));
        }
    };
    if page.has("name") {
        page.name = text("name");
        too_long("name", &page.name, 256, &mut errors);
        params.name = patch(&page.name);
    }
    if page.has("email") {
        page.email = text("email");
        too_long("email", &page.email, 512, &mut errors);
        // An address once given cannot be taken away: invoices and receipts go to it (Stripe's
        // portal asks for one too).
        if page.email.is_empty() && p.customer.value.email.is_some() {
            errors.push(("email", t.s("error-email-required")));
        } else if !page.email.is_empty() && !plausible_email(&page.email) {
            errors.push(("email", t.s("error-email")));
        }
        params.email = patch(&page.email);
    }
    if page.has("phone") {
        page.phone = text("phone");
        too_long("phone", &page.phone, 20, &mut errors);
        // (A number kept as it was stays, whatever it looks like: it may have come through the
        // API, which takes any text.)
        let changed = p.customer.value.phone.as_deref() != Some(page.phone.as_str());
        if changed && !page.phone.is_empty() && !plausible_phone(&page.phone) {
            errors.push(("phone", t.s("error-phone")));
        }
        params.phone = patch(&page.phone);
    }
    for (field, which) in [("address", 0), ("shipping", 1)] {
        if !page.has(field) {
            continue;
        }
        let a = AddressForm::read(if which == 0 { "address" } else { "shipping" }, &form);
        for v in [&a.line1, &a.line2, &a.city, &a.state, &a.postal_code] {
            too_long(field, v, 200, &mut errors);
        }
        // An ISO 3166-1 code (or XK, Kosovo's, which Stripe takes too): a country's name, or
        // a code that names no country, is refused rather than cut to two letters (`Germany`
        // would have been `GE`, Georgia).
        let known = a.country == "XK" || isocountry::CountryCode::for_alpha2(&a.country).is_ok();
        if !a.country.is_empty() && !known {
            let at = if which == 0 {
                "address_country"
            } else {
                "shipping_country"
            };
            errors.push((at, t.s("error-country")));
        }
        // An address given at all is one a letter could reach: its first line, city and
        // country, and in the US and Canada its state or province and postal code. Clearing
        // every field removes it. One kept as it was stays, however partial: it may have come
        // through the API (a postal code and country for taxes, say), and the customer may be
        // here to change something else.
        let stored = match which {
            0 => p.customer.value.address.as_ref(),
            _ => p.customer.value.shipping.as_ref().map(|s| &s.address),
        };
        if !a.is_empty() && stored != Some(&a.address()) {
            if a.line1.is_empty() || a.city.is_empty() || a.country.is_empty() {
                errors.push((field, t.s("error-address-required")));
            } else if matches!(a.country.as_str(), "US" | "CA")
                && (a.state.is_empty() || a.postal_code.is_empty())
            {
                errors.push((field, t.s("error-address-region")));
            }
        }
        if which == 0 {
            params.address = if a.is_empty() {
                Patch::Clear
            } else {
                Patch::Set(a.address())
            };
            page.address = a;
        } else {
            page.shipping_name = text("shipping_name");
            too_long("shipping", &page.shipping_name, 256, &mut errors);
            params.shipping = match (a.is_empty(), page.shipping_name.is_empty()) {
                (true, true) => Patch::Clear,
                (false, true) => {
                    errors.push(("shipping", t.s("error-shipping-name")));
                    Patch::Keep
                }
                // A recipient without an address is no shipping address.
                (true, false) => {
                    errors.push(("shipping", t.s("error-address-required")));
                    Patch::Keep
                }
                _ => Patch::Set(Shipping {
                    address: a.address(),
                    name: page.shipping_name.clone(),
                    phone: p
                        .customer
                        .value
                        .shipping
                        .as_ref()
                        .and_then(|s| s.phone.clone()),
                    carrier: None,
                    tracking_number: None,
                }),
            };
            page.shipping = a;
        }
    }
    if !errors.is_empty() {
        page.errors = errors;
        return p.render(StatusCode::BAD_REQUEST, &page);
    }
    let result = modify::<Customer, _>(
        &p.app,
        &p.caller.account,
        p.customer.value.id.as_str(),
        None,
        |c| {
            c.update(params.clone())?;
            Ok(Vec::new())
        },
    )
    .await;
    match result {
        Ok(_) => p.redirect("?notice=info_saved"),
        Err(e) if e.error.status == 400 => {
            let field = e
                .error
                .param
                .as_deref()
                .and_then(|param| FIELDS.iter().copied().find(|f| param.starts_with(f)))
                .unwrap_or("name");
            page.errors = vec![(field, e.error.message)];
            p.render(StatusCode::BAD_REQUEST, &page)
        }
        Err(e) => p.failed(e.error.message),
    }
}

/// A light check that a phone number is one: at least six digits, with only spaces, dots,
/// dashes, slashes, brackets and `+` among them, and perhaps an extension (`x12`, `ext. 12`).
/// Full-width digits and signs, as CJK keyboards type them, count as their ASCII selves.
fn plausible_phone(s: &str) -> bool {
    let ascii: String = s
        .chars()
        .map(|c| match c {
            '\u{ff08}'..='\u{ff19}' => char::from_u32(c as u32 - 0xfee0).unwrap_or(c),
            '\u{3000}' => ' ',
            c => c.to_ascii_lowercase(),
        })
        .collect();
    let (number, extension) = match ascii.find(['x', 'e']) {
        Some(at) => {
            let tail = ascii[at..]
                .trim_start_matches("extension")
                .trim_start_matches("ext")
                .trim_start_matches('x')
                .trim_start_matches('.')
                .trim();
            (&ascii[..at], Some(tail))
        }
        None => (ascii.as_str(), None),
    };
    let digits = number.chars().filter(char::is_ascii_digit).count();
    let extension_ok =
        |e: &str| !e.is_empty() && e.len() <= 6 && e.bytes().all(|b| b.is_ascii_digit());
    digits >= 6
        && number
            .chars()
            .all(|c| c.is_ascii_digit() || " .-/()+".contains(c))
        && extension.is_none_or(extension_ok)
}

/// A light check that an address looks like an email (the domain checks it again).
fn plausible_email(e: &str) -> bool {
    match e.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !e.contains(' ')
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_read_on_lines() {
        let a = Address {
            line1: Some("1 Main St".into()),
            line2: None,
            city: Some("Springfield".into()),
            state: Some("IL".into()),
            postal_code: Some("62701".into()),
            country: Some("US".into()),
        };
        assert_eq!(address_text(&a), "1 Main St\nSpringfield, IL 62701\nUS");
        let paris = Address {
            line1: Some("1 rue de Rivoli".into()),
            city: Some("Paris".into()),
            postal_code: Some("75001".into()),
            country: Some("FR".into()),
            ..Address::default()
        };
        assert_eq!(address_text(&paris), "1 rue de Rivoli\n75001 Paris\nFR");
        assert_eq!(address_text(&Address::default()), "");
    }

    #[test]
    fn phones() {
        for good in [
            "+1 555 123 4567",
            "(030) 123-4567",
            "030/1234567",
            "(+39) 06 1234 5678",
            "0612345678",
            "+33.1.23.45.67.89",
            "555-123-4567 x12",
            "555 123 4567 ext. 204",
            "\u{ff10}\u{ff13}\u{ff0d}\u{ff11}\u{ff12}\u{ff13}\u{ff14}\u{ff0d}\u{ff15}\u{ff16}\u{ff17}\u{ff18}",
        ] {
            assert!(plausible_phone(good), "{good}");
        }
        for bad in [
            "abc",
            "12345",
            "+1 555 CALL NOW",
            "1-800-FLOWERS",
            "555 123 4567 x",
            "555 123 4567 ext 1234567",
        ] {
            assert!(!plausible_phone(bad), "{bad}");
        }
    }

    #[test]
    fn emails() {
        assert!(plausible_email("ada@example.com"));
        for bad in ["ada", "ada@", "@x.com", "ada@localhost", "a b@x.com"] {
            assert!(!plausible_email(bad), "{bad}");
        }
    }
}

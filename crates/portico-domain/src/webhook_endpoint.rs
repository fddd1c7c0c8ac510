//! Webhook endpoints: where an account's events are delivered, which events, and the secret
//! each delivery is signed with.

use crate::error::{DomainError, DomainResult};
use crate::metadata::{Metadata, MetadataUpdate};
use crate::patch::Patch;
use crate::webhook_values::{API_VERSIONS, EVENT_TYPES};
use crate::Ctx;
use serde::{Deserialize, Serialize};

/// An account may have at most this many webhook endpoints (Stripe's limit).
pub const MAX_ENDPOINTS: usize = 16;
/// Random characters after `whsec_` in a signing secret.
pub const SECRET_LEN: usize = 32;
/// The longest URL accepted.
pub const MAX_URL_LEN: usize = 2048;

/// A webhook endpoint as Portico stores it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WebhookEndpoint {
    pub id: String,
    pub created: i64,
    pub livemode: bool,
    pub url: String,
    pub enabled_events: Vec<String>,
    pub description: Option<String>,
    pub metadata: Metadata,
    pub api_version: Option<String>,
    pub disabled: bool,
    /// `whsec_…`: signs every delivery. Shown once, in the response to create.
    pub secret: String,
    #[serde(default)]
    pub deleted: bool,
}

/// The parameters of `POST /v1/webhook_endpoints`.
#[derive(Clone, Debug, Default)]
pub struct EndpointCreate {
    pub url: String,
    pub enabled_events: Vec<String>,
    pub description: Option<String>,
    pub metadata: MetadataUpdate,
    pub api_version: Option<String>,
}

/// The parameters of `POST /v1/webhook_endpoints/{id}`.
#[derive(Clone, Debug, Default)]
pub struct EndpointUpdate {
    pub url: Option<String>,
    pub enabled_events: Option<Vec<String>>,
    pub description: Patch<String>,
    pub metadata: MetadataUpdate,
    pub disabled: Option<bool>,
}

/// The API version every event is rendered in (the wire crate's `API_VERSION`).
pub const RENDERED_VERSION: &str = "2026-07-29.dahlia";

/// The release a version belongs to: the name after its date (`dahlia`), if it has one.
fn release_of(version: &str) -> Option<&str> {
    version.split_once('.').map(|(_, name)| name)
}

/// Whether `v` is a version of the rendered release newer than any Portico knows (a newer SDK
/// pins the latest monthly version): a real date after the rendered version's, and its name.
fn newer_release(v: &str) -> bool {
    let Some((date, _)) = v.split_once('.') else {
        return false;
    };
    let real = crate::calendar::parse_date(date).is_some();
    real && release_of(v) == release_of(RENDERED_VERSION) && *date > RENDERED_VERSION[..10]
}

impl WebhookEndpoint {
    /// A new, enabled endpoint with a fresh signing secret.
    pub fn create(p: EndpointCreate, ctx: &mut Ctx<'_>) -> DomainResult<WebhookEndpoint> {
        check_url(&p.url)?;
        check_enabled_events(&p.enabled_events)?;
        if let Some(v) = &p.api_version {
            let known = API_VERSIONS.contains(&v.as_str()) || newer_release(v);
            if !known {
                return Err(DomainError::invalid(
                    "api_version",
                    format!("Invalid api_version: {v} is not a known API version."),
                ));
            }
            // Events are rendered in one version. The monthly versions of its release (the
            // name after the date) change nothing but by adding, so an endpoint asking for one
            // of them reads these payloads; one asking for another release would get payloads
            // of a shape it does not expect.
            if release_of(v) != release_of(RENDERED_VERSION) {
                return Err(DomainError::invalid(
                    "api_version",
                    format!("Portico renders events in API version {RENDERED_VERSION} only, so an endpoint can ask for a version of that release (`.dahlia`) but not {v}. Leave api_version out, or send {RENDERED_VERSION}."),
                ));
            }
        }
        Ok(WebhookEndpoint {
            id: ctx.ids.next("we_", crate::ID_LEN),
            created: ctx.now,
            livemode: ctx.livemode,
            url: p.url,
            enabled_events: dedup(p.enabled_events),
            description: p.description.filter(|d| !d.is_empty()),
            metadata: p.metadata.build("metadata")?,
            api_version: p.api_version,
            disabled: false,
            // A secret: random throughout, whatever shape the generator gives ids.
            secret: format!(
                "whsec_{}",
                ctx.ids.random_string(crate::id::ALPHABET, SECRET_LEN)
            ),
            deleted: false,
        })
    }

    /// Applies an update; nothing changes unless all of it is valid.
    pub fn update(&mut self, p: EndpointUpdate) -> DomainResult<()> {
        let mut next = self.clone();
        if let Some(url) = p.url {
            check_url(&url)?;
            next.url = url;
        }
        if let Some(events) = p.enabled_events {
            check_enabled_events(&events)?;
            next.enabled_events = dedup(events);
        }
        p.description.apply_to(&mut next.description);
        p.metadata.apply("metadata", &mut next.metadata)?;
        if let Some(d) = p.disabled {
            next.disabled = d;
        }
        *self = next;
        Ok(())
    }

    /// `enabled` or `disabled`.
    pub fn status(&self) -> &'static str {
        if self.disabled {
            "disabled"
        } else {
            "enabled"
        }
    }

    /// Whether an event of `event_type` is delivered here now.
    pub fn wants(&self, event_type: &str) -> bool {
        !self.disabled
            && !self.deleted
            && self
                .enabled_events
                .iter()
                .any(|e| e == "*" || e == event_type)
    }
}

/// Keeps the first of each repeated event type, in the order given.
fn dedup(events: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(events.len());
    for e in events {
        if !out.contains(&e) {
            out.push(e);
        }
    }
    out
}

/// `enabled_events` must name at least one event, each a type Stripe defines (or `*`).
pub fn check_enabled_events(events: &[String]) -> DomainResult<()> {
    if events.is_empty() {
        return Err(DomainError::invalid(
            "enabled_events",
            "Invalid enabled_events: you must enable at least one event type (or `*` for all).",
        ));
    }
    for (i, e) in events.iter().enumerate() {
        if !EVENT_TYPES.contains(&e.as_str()) {
            return Err(DomainError::invalid(
                format!("enabled_events[{i}]"),
                format!(
                    "Invalid enabled_events[{i}]: `{e}` is not an event type. Use `*` for every event, or one of the types listed at https://docs.stripe.com/api/events/types."
                ),
            ));
        }
    }
    Ok(())
}

/// A webhook URL must be an absolute `http` or `https` URL with a host, no credentials and no
/// fragment. Whether its host may be private is the server's policy, not checked here.
pub fn check_url(raw: &str) -> DomainResult<()> {
    let bad = |why: &str| Err(DomainError::invalid("url", format!("Invalid URL: {why}")));
    if raw.chars().count() > MAX_URL_LEN {
        return bad(&format!("must be at most {MAX_URL_LEN} characters long."));
    }
    if !crate::portal::url_text_is_plain(raw) {
        return bad("spaces and control characters are not allowed.");
    }
    let Ok(u) = url::Url::parse(raw) else {
        return bad("must be an absolute http:// or https:// URL.");
    };
    if u.scheme() != "http" && u.scheme() != "https" {
        return bad(&format!(
            "the scheme must be http or https, not {}.",
            u.scheme()
        ));
    }
    if u.host_str().is_none_or(str::is_empty) || !crate::portal::url_text_has_authority(raw) {
        return bad("a host is required, right after the //.");
    }
    if !u.username().is_empty() || u.password().is_some() {
        return bad("user names and passwords are not allowed in webhook URLs.");
    }
    if u.fragment().is_some() {
        return bad("fragments (#…) are not allowed in webhook URLs.");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_of_the_rendered_release() {
        assert!(newer_release("2026-08-26.dahlia"));
        assert!(newer_release("2027-01-31.dahlia"));
        assert!(!newer_release("2026-07-29.dahlia"), "known, not newer");
        assert!(!newer_release("2026-02-30.dahlia"));
        assert!(!newer_release("2026-8-26.dahlia"));
        assert!(!newer_release("2026-08-26.elderberry"));
        assert!(!newer_release("2026-08-26"));
        assert_eq!(release_of("2026-03-25.dahlia"), Some("dahlia"));
        assert_eq!(release_of("2024-06-20"), None);
    }
    use crate::id::SequentialIds;

    fn param(e: &DomainError) -> Option<&str> {
        match e {
            DomainError::Invalid { param, .. } => param.as_deref(),
            _ => None,
        }
    }

    fn create(url: &str, events: &[&str]) -> DomainResult<WebhookEndpoint> {
        create_with(&mut SequentialIds::default(), url, events)
    }

    fn create_with(
        ids: &mut dyn crate::IdGen,
        url: &str,
        events: &[&str],
    ) -> DomainResult<WebhookEndpoint> {
        let mut ctx = Ctx {
            now: 100,
            livemode: false,
            ids,
        };
        WebhookEndpoint::create(
            EndpointCreate {
                url: url.into(),
                enabled_events: events.iter().map(|s| s.to_string()).collect(),
                ..Default::default()
            },
            &mut ctx,
        )
    }

    /// Ids from `next` are marked, secrets must come from `random_string` (the server's `next`
    /// puts the time at the front of an id).
    struct Marked;
    impl crate::IdGen for Marked {
        fn next(&mut self, prefix: &str, len: usize) -> String {
            format!("{prefix}{}", "N".repeat(len))
        }
        fn random_string(&mut self, _alphabet: &[u8], len: usize) -> String {
            "r".repeat(len)
        }
    }

    #[test]
    fn the_signing_secret_is_random_throughout() {
        let e = create_with(&mut Marked, "https://example.com/hook", &["*"]).unwrap();
        assert_eq!(e.secret, format!("whsec_{}", "r".repeat(SECRET_LEN)));
        assert!(e.id.starts_with("we_N"));
    }

    #[test]
    fn creates_with_a_secret_and_matches_events() {
        let e = create(
            "https://example.com/hook",
            &["customer.created", "customer.created", "invoice.paid"],
        )
        .unwrap();
        assert!(e.id.starts_with("we_"));
        assert!(e.secret.starts_with("whsec_"));
        assert_eq!(e.secret.len(), "whsec_".len() + SECRET_LEN);
        assert_eq!(e.enabled_events, ["customer.created", "invoice.paid"]);
        assert!(e.wants("invoice.paid"));
        assert!(!e.wants("invoice.created"));
        let all = create("http://127.0.0.1:9/x", &["*"]).unwrap();
        assert!(all.wants("customer.subscription.updated"));
        let mut off = all.clone();
        off.update(EndpointUpdate {
            disabled: Some(true),
            ..Default::default()
        })
        .unwrap();
        assert!(!off.wants("customer.created"));
        assert_eq!(off.status(), "disabled");
    }

    #[test]
    fn refuses_bad_urls_and_events() {
        for url in [
            "",
            "example.com/hook",
            "ftp://example.com/",
            "https://user:pw@example.com/",
            "https://example.com/#frag",
            "javascript:alert(1)",
        ] {
            let err = create(url, &["*"]).unwrap_err();
            assert_eq!(param(&err), Some("url"), "{url}");
        }
        let err = create("https://example.com", &[]).unwrap_err();
        assert_eq!(param(&err), Some("enabled_events"));
        let err = create("https://example.com", &["*", "customer.made"]).unwrap_err();
        assert_eq!(param(&err), Some("enabled_events[1]"));
    }

    #[test]
    fn a_failed_update_changes_nothing() {
        let mut e = create("https://example.com/a", &["*"]).unwrap();
        let before = e.clone();
        let err = e
            .update(EndpointUpdate {
                url: Some("https://example.com/b".into()),
                enabled_events: Some(vec!["nope".into()]),
                ..Default::default()
            })
            .unwrap_err();
        assert_eq!(param(&err), Some("enabled_events[0]"));
        assert_eq!(e, before);
    }
}

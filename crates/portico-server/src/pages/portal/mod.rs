//! The hosted customer portal: the pages a portal session's `url` opens.
//!
//! Every request carries the session's link secret in its path. The first browser to open the
//! link takes the session (a random secret in an HttpOnly cookie, stored only as a hash on the
//! session); any other browser is turned away, and the session ends when its browser leaves it
//! unused (see `portal_session`). Forms carry a CSRF token derived from that browser secret.
//!
//! A session deep-linked into a flow shows only that flow (with the way back to the app);
//! once the flow is done, `after_completion` decides what follows.

/// `let p = enter!(app, token, headers, Page::…);` in a handler: the portal for this page, or
/// the handler returns the page that stands in its way.
macro_rules! enter {
    ($app:expr, $token:expr, $headers:expr, $page:expr) => {
        // Opening a session holds several kilobytes across its reads: on the heap, that state
        // is not part of (and copied with) every page handler's future.
        match Box::pin($crate::pages::portal::Portal::enter(
            &$app, &$token, &$headers, $page,
        ))
        .await
        {
            Ok(p) => p,
            Err(r) => return r,
        }
    };
}

mod billing_info;
mod cancel;
pub(crate) mod card;
mod done;
mod home;
pub(crate) mod invoice;
pub(crate) mod login;
mod update;
pub(crate) mod view;

use super::i18n::{negotiate, Lang, T};
use super::{cookie, origin_of, page};
use crate::api::setup_intent::token_hash as hash;
use crate::auth::Caller;
use crate::http::Api;
use crate::state::App;
use askama::Template;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use portico_domain::branding::Branding;
use portico_domain::customer::Customer;
use portico_domain::portal::{Access, Lifetime, Outcome, PortalConfiguration, PortalSession};
use portico_domain::{IdGen, RandomIds};
use portico_store::{decode_first, Object, Read, Versioned, Write};
use portico_wire::Node;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use subtle::ConstantTimeEq;

pub use view::Layout;

/// The cookie holding this browser's secret: it binds portal sessions to the browser that
/// opened them.
pub const BROWSER_COOKIE: &str = "portico_browser";

/// The portal's routes (mounted at `/p`).
pub fn router() -> Router<App> {
    const S: &str = "/session/{token}";
    Router::new()
        .route(S, get(home::show))
        .route(&format!("{S}/done"), get(done::show))
        .route(
            &format!("{S}/subscriptions/{{sub}}/cancel"),
            get(cancel::show).post(cancel::submit),
        )
        .route(
            &format!("{S}/subscriptions/{{sub}}/renew"),
            post(home::renew).get(to_home),
        )
        .route(
            &format!("{S}/subscriptions/{{sub}}/update"),
            get(update::choose).post(update::confirm),
        )
        .route(
            &format!("{S}/subscriptions/{{sub}}/update/preview"),
            get(update::preview),
        )
        .route(
            &format!("{S}/subscriptions/{{sub}}/update/return"),
            get(update::after_authentication),
        )
        .route(
            &format!("{S}/subscriptions/{{sub}}/update/resume"),
            get(update::resume),
        )
        .route(&format!("{S}/payment-methods/new"), get(card::form))
        .route(
            &format!("{S}/payment-methods"),
            post(card::add).get(to_card_form),
        )
        .route(
            &format!("{S}/payment-methods/return"),
            get(card::after_authentication),
        )
        .route(
            &format!("{S}/payment-methods/{{pm}}/default"),
            post(home::make_default).get(to_home),
        )
        .route(
            &format!("{S}/payment-methods/{{pm}}/remove"),
            get(home::confirm_remove).post(home::remove),
        )
        .route(
            &format!("{S}/billing"),
            get(billing_info::show).post(billing_info::save),
        )
        .route(&format!("{S}/invoices"), get(invoice::older))
        .route(&format!("{S}/invoices/{{id}}"), get(invoice::show))
        .route("/login/{token}", get(login::show).post(login::submit))
        .route(
            "/login/{token}/open/{secret}",
            get(login::open_link).post(login::use_link),
        )
        .route("/brand.css", get(view::brand_css))
}

/// Which page a request is for, to keep a deep-linked session inside its flow.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Page<'a> {
    Home,
    Cancel(&'a str),
    Update(&'a str),
    /// The preview and confirmation of a plan change (also the confirm flow's page).
    Preview(&'a str),
    Card,
    Billing,
    Invoice,
    Done,
}

/// A request inside an open portal session.
pub struct Portal {
    pub app: App,
    pub caller: Caller,
    pub token: String,
    pub session: Versioned<PortalSession>,
    pub config: PortalConfiguration,
    pub customer: Versioned<Customer>,
    pub branding: Option<Branding>,
    pub t: T,
    /// "Now" for the customer: their test clock's time, or the server's.
    pub now: i64,
    browser: String,
    set_cookie: Option<HeaderValue>,
}

/// Where a session link is looked up in the store: its first characters (`test_` or `live_`
/// and the start of the session's id, which follow the order sessions are made in), then the
/// SHA-256 of the whole link. New links' lookups are stored side by side instead of at random
/// places, so a burst of new sessions writes a few pages of the index, not one page each.
pub fn link_key(token: &str) -> String {
    let head = token
        .get(..5 + portico_domain::portal::LINK_HEAD_LEN)
        .unwrap_or_default();
    format!("{head}{}", hash(token))
}

/// `GET` of a form's address that only takes a POST (a page reloaded or restored after the
/// form was sent): the session's homepage, which says where things stand.
async fn to_home(
    axum::extract::Path(params): axum::extract::Path<std::collections::HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    to_session_page(&params, "", &headers)
}

/// `GET …/payment-methods` (the card form's address): the card form.
async fn to_card_form(
    axum::extract::Path(params): axum::extract::Path<std::collections::HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    to_session_page(&params, "/payment-methods/new", &headers)
}

fn to_session_page(
    params: &std::collections::HashMap<String, String>,
    page: &str,
    headers: &HeaderMap,
) -> Response {
    match params.get("token").filter(|t| plausible_token(t)) {
        Some(token) => super::see_other(&format!("/p/session/{token}{page}")),
        None => unavailable(headers),
    }
}

/// The lookup of a session link and the session it leads to (`None` when the session is gone),
/// in one read: by [`link_key`], else by the hash alone, as links made before the key carried
/// a head are stored.
async fn find_link(
    app: &App,
    token: &str,
) -> Result<
    Option<(portico_store::TokenRecord, Option<Versioned<PortalSession>>)>,
    portico_store::StoreError,
> {
    let kind = PortalSession::KIND;
    let found = match app.store.find_token_object(&link_key(token), kind).await? {
        Some(f) => Some(f),
        None => app.store.find_token_object(&hash(token), kind).await?,
    };
    let Some((record, object)) = found else {
        return Ok(None);
    };
    let session = object
        .map(|r| portico_store::decode::<PortalSession>(&*app.store, &record.account, &r))
        .transpose()?;
    Ok(Some((record, session)))
}

/// `back`, when it is the path of a portal session's homepage (`/p/session/{link}`): where a
/// page the portal sends the customer to (an invoice's payment page) leads back to. Anything
/// else is dropped, so such a page never links elsewhere.
pub(crate) fn portal_way_back(back: &str) -> Option<String> {
    back.strip_prefix("/p/session/")
        .filter(|token| plausible_token(token))
        .map(|_| back.to_owned())
}

/// A link secret as Portico makes them: `test_` or `live_` and 43 letters and digits.
pub(crate) fn plausible_token(token: &str) -> bool {
    let rest = token
        .strip_prefix("test_")
        .or_else(|| token.strip_prefix("live_"));
    rest.is_some_and(|r| r.len() == 43 && r.bytes().all(|b| b.is_ascii_alphanumeric()))
}

/// The translator for a request outside a session (error pages): the browser's language.
pub fn browser_t(headers: &HeaderMap) -> T {
    T::new(negotiate(
        None,
        &[],
        headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok()),
    ))
}

/// A page with a heading and a sentence, translated (expired links, errors).
pub fn notice_page(t: T, status: StatusCode, heading: &str, body: &str, tone: &str) -> Response {
    notice_with_way_back(t, status, heading, body, tone, None)
}

/// A [`notice_page`] with a link back to `back`, a URL the API was given (a session's
/// `return_url`), named by its host.
fn notice_with_way_back(
    t: T,
    status: StatusCode,
    heading: &str,
    body: &str,
    tone: &str,
    back: Option<&str>,
) -> Response {
    let back = back.and_then(|url| {
        let host = url::Url::parse(url).ok()?.host_str()?.to_owned();
        Some((url.to_owned(), host))
    });
    notice_written(t, status, t.s(heading), t.s(body), tone, back)
}

/// A notice page of words already written, with a link back to a URL the API was given, if
/// any, labelled "Return to {name}".
pub(crate) fn notice_written(
    t: T,
    status: StatusCode,
    heading: String,
    body: String,
    tone: &str,
    back: Option<(String, String)>,
) -> Response {
    let back = back.map(|(url, name)| (url, t.f("return-to", vec![("business", name.into())])));
    let view = view::NoticePage {
        lang: t.lang.tag(),
        heading,
        body,
        tone,
        footer: t.s("powered-by"),
        back,
        form: None,
    };
    page(status, &view, None)
}

fn unavailable(headers: &HeaderMap) -> Response {
    notice_page(
        browser_t(headers),
        StatusCode::NOT_FOUND,
        "link-invalid-heading",
        "link-invalid-body",
        "neutral",
    )
}

/// A server-side failure, as a page (details go to the log).
pub fn failure(t: T) -> Response {
    notice_page(
        t,
        StatusCode::INTERNAL_SERVER_ERROR,
        "error-heading",
        "error-body",
        "bad",
    )
}

impl Portal {
    /// Opens the session a link leads to, binding it to this browser on first use; or the page
    /// that says why it cannot be opened.
    ///
    /// The portal is boxed: it holds the session, its configuration and the customer (about
    /// 2.7 KB), and every page handler's future would otherwise carry it, copied each time the
    /// future moves.
    pub async fn open(
        app: &App,
        token: &str,
        headers: &HeaderMap,
    ) -> Result<Box<Portal>, Response> {
        if !plausible_token(token) {
            return Err(unavailable(headers));
        }
        let found = find_link(app, token)
            .await
            .map_err(|_| failure(browser_t(headers)))?;
        let Some((record, first_read)) = found.filter(|(r, _)| r.kind == "portal_session") else {
            return Err(unavailable(headers));
        };
        let mut first_read = Some(first_read);
        let account = record.account.clone();
        let secret = cookie(headers, BROWSER_COOKIE)
            .filter(|c| c.len() == 43 && c.bytes().all(|b| b.is_ascii_alphanumeric()));
        let life = Lifetime {
            link_ttl: app.settings.portal.link_ttl_secs,
            idle: app.settings.portal.idle_secs,
        };
        // Every write that records a use of the session also keeps the link's lookup until the
        // session could next expire, so that pruning expired tokens never takes a live link.
        let keep_link = |now: i64| Write::ExtendToken {
            token_hash: record.token_hash.clone(),
            expires_at: now + life.idle,
        };
        // A lost race (another tab writing the session) is read again and decided anew.
        for _ in 0..4 {
            let session = match first_read.take() {
                Some(s) => s,
                None => read::<PortalSession>(app, &account, &record.object_id, headers).await?,
            };
            let Some(mut session) = session.filter(|s| s.value.token == token) else {
                return Err(unavailable(headers));
            };
            let now = app.clock.now();
            let t = T::new(negotiate(
                session.value.locale.as_deref(),
                &[],
                headers
                    .get(header::ACCEPT_LANGUAGE)
                    .and_then(|v| v.to_str().ok()),
            ));
            let browser_hash = secret.as_deref().map(hash);
            let (browser, set_cookie) =
                match session.value.access(browser_hash.as_deref(), now, &life) {
                    Access::Expired => {
                        return Err(notice_with_way_back(
                            t,
                            StatusCode::GONE,
                            "session-expired-heading",
                            "session-expired-body",
                            "neutral",
                            session.value.return_url.as_deref(),
                        ))
                    }
                    Access::Taken => {
                        return Err(notice_with_way_back(
                            t,
                            StatusCode::FORBIDDEN,
                            "session-taken-heading",
                            "session-taken-body",
                            "neutral",
                            session.value.return_url.as_deref(),
                        ))
                    }
                    Access::Bind => {
                        let (secret, fresh) = match &secret {
                            Some(s) => (s.clone(), false),
                            None => (RandomIds.next("", 43), true),
                        };
                        session.value.bind(hash(&secret), now);
                        let writes = vec![Write::Update(session.next_record()), keep_link(now)];
                        if app.commit(&account, writes).await.is_err() {
                            continue;
                        }
                        session.version += 1;
                        let cookie = fresh.then(|| browser_cookie(app, &secret)).flatten();
                        (secret, cookie)
                    }
                    Access::Open { touch } => {
                        if touch {
                            let mut touched = session.clone();
                            touched.value.last_seen = Some(now);
                            // Losing this race only means another request recorded the use.
                            let writes = vec![Write::Update(touched.next_record()), keep_link(now)];
                            if app.commit(&account, writes).await.is_ok() {
                                session = Versioned {
                                    value: touched.value,
                                    version: touched.version + 1,
                                };
                            }
                        }
                        (secret.clone().unwrap_or_default(), None)
                    }
                };
            let (config, customer, branding) = match together(app, &account, &session.value).await {
                Ok(found) => found,
                Err(e) => {
                    tracing::error!(error = %e, "portal store read failed");
                    return Err(failure(t));
                }
            };
            let config = config.ok_or_else(|| failure(t))?.value;
            let Some(customer) = customer.filter(|c| !c.value.deleted) else {
                return Err(notice_page(
                    t,
                    StatusCode::GONE,
                    "customer-gone-heading",
                    "customer-gone-body",
                    "neutral",
                ));
            };
            let t = T::new(negotiate(
                session.value.locale.as_deref(),
                &customer.value.preferred_locales,
                headers
                    .get(header::ACCEPT_LANGUAGE)
                    .and_then(|v| v.to_str().ok()),
            ));
            let customer_now = crate::objects::now_for_reading(
                app,
                &account,
                customer.value.test_clock.as_deref(),
                now,
            )
            .await
            .map_err(|_| failure(t))?;
            return Ok(Box::new(Portal {
                app: app.clone(),
                caller: Caller {
                    account,
                    livemode: session.value.livemode,
                },
                token: token.to_owned(),
                session,
                config,
                customer,
                branding,
                t,
                now: customer_now,
                browser,
                set_cookie,
            }));
        }
        Err(failure(browser_t(headers)))
    }

    /// Opens the session for `page`: the page to show instead when the link cannot be used,
    /// or when a deep-linked session must stay inside its flow.
    pub async fn enter(
        app: &App,
        token: &str,
        headers: &HeaderMap,
        page: Page<'_>,
    ) -> Result<Box<Portal>, Response> {
        let p = Portal::open(app, token, headers).await?;
        match p.guard(page) {
            Some(r) => Err(r),
            None => Ok(p),
        }
    }

    /// `/p/session/{token}`: where every page of this session lives.
    pub fn base(&self) -> String {
        format!("/p/session/{}", self.token)
    }

    /// The API context for changes made on the customer's behalf.
    pub fn api(&self) -> Api {
        Api::on_behalf(self.caller.clone(), self.app.clock.now())
    }

    /// The CSRF token of this session in this browser.
    pub fn csrf(&self) -> String {
        let mac = Sha256::digest(
            format!(
                "portico portal csrf\0{}\0{}",
                self.browser, self.session.value.id
            )
            .as_bytes(),
        );
        crate::digest::hex(&mac[..16])
    }

    /// Whether a submitted form carries this session's CSRF token.
    fn csrf_ok(&self, form: &Form) -> bool {
        let sent = form.get("csrf").unwrap_or("");
        !self.browser.is_empty() && bool::from(self.csrf().as_bytes().ct_eq(sent.as_bytes()))
    }

    /// A submitted form, if it carries this session's CSRF token (else show [`Portal::forged`]).
    pub fn checked_form(&self, body: &[u8]) -> Option<Form> {
        let form = Form::parse(body);
        self.csrf_ok(&form).then_some(form)
    }

    /// The page to show when a form's CSRF token does not match.
    pub fn forged(&self) -> Response {
        self.notice(
            StatusCode::FORBIDDEN,
            "form-expired-heading",
            "form-expired-body",
        )
    }

    /// A page with a heading and a sentence in this session's language and branding.
    pub fn notice(&self, status: StatusCode, heading: &str, body: &str) -> Response {
        self.notice_with_action(status, heading, body, None)
    }

    /// [`Portal::notice`] with a button leading on: `(address, label key)`.
    pub fn notice_with_action(
        &self,
        status: StatusCode,
        heading: &str,
        body: &str,
        action: Option<(String, &str)>,
    ) -> Response {
        let view = view::SessionNotice {
            l: self.layout(self.t.s(heading)),
            heading: self.t.s(heading),
            body: self.t.s(body),
            action: action.map(|(href, label)| (href, self.t.s(label))),
        };
        self.render(status, &view)
    }

    /// The page for an object that is not this customer's, or does not exist.
    /// The customer's default card, if they have one.
    pub fn default_card(&self) -> Option<&str> {
        self.customer
            .value
            .invoice_settings
            .default_payment_method
            .as_deref()
    }

    pub fn not_found(&self) -> Response {
        self.notice(StatusCode::NOT_FOUND, "not-found-heading", "not-found-body")
    }

    /// Why a subscription's pages are not there: `heading` and `body` when it is the
    /// customer's but cannot be acted on here; else (another customer's, or none) not found.
    pub async fn subscription_unavailable(
        &self,
        sub_id: &str,
        heading: &str,
        body: &str,
    ) -> Response {
        match home::own_subscription(self, sub_id).await {
            Ok(Some(_)) => self.notice(StatusCode::NOT_FOUND, heading, body),
            _ => self.not_found(),
        }
    }

    /// The page for a failure behind the scenes.
    pub fn failed(&self, why: impl std::fmt::Display) -> Response {
        tracing::error!(error = %why, session = %self.session.value.id, "portal action failed");
        self.notice(
            StatusCode::INTERNAL_SERVER_ERROR,
            "error-heading",
            "error-body",
        )
    }

    /// Renders a page of this session: security headers, and the browser cookie if new.
    pub fn render(&self, status: StatusCode, t: &impl Template) -> Response {
        // Forms may lead to the app's redirect after completion.
        let target = self
            .session
            .value
            .flow
            .as_ref()
            .and_then(|f| f.after_completion.redirect_url.as_deref());
        let mut r = page(status, t, target);
        self.add_cookie(&mut r);
        r
    }

    /// A 303 to `path` within this session (`""` is the homepage).
    pub fn redirect(&self, path: &str) -> Response {
        self.redirect_to(&format!("{}{path}", self.base()))
    }

    /// A 303 to `url`.
    pub fn redirect_to(&self, url: &str) -> Response {
        let mut r = crate::pages::see_other(url);
        self.add_cookie(&mut r);
        r
    }

    fn add_cookie(&self, r: &mut Response) {
        if let Some(c) = &self.set_cookie {
            r.headers_mut().append(header::SET_COOKIE, c.clone());
        }
    }

    /// Keeps a deep-linked session inside its flow: the response for a page outside it (a
    /// redirect to the flow, or to the confirmation once it is done), or `None`.
    pub fn guard(&self, page: Page<'_>) -> Option<Response> {
        let s = &self.session.value;
        let Some(flow) = &s.flow else {
            return (page == Page::Done).then(|| self.redirect(""));
        };
        if let Some(outcome) = &s.outcome {
            // The reason survey follows the cancellation that ended the flow.
            let survey = matches!((outcome, page),
                (Outcome::Canceled { subscription, .. }, Page::Cancel(id)) if subscription == id);
            return match (flow.after_completion.kind.as_str(), page) {
                ("portal_homepage", Page::Done) => Some(self.redirect("")),
                ("portal_homepage", _) => None,
                (_, Page::Done) => None,
                _ if survey => None,
                _ => Some(self.redirect("/done")),
            };
        }
        let sub = flow.subscription().unwrap_or("");
        let inside = match (flow.kind.as_str(), page) {
            // The card form is the card flow; a plan change sends the customer there to pay
            // with another card (and back). A cancellation has no use for it.
            (
                "payment_method_update" | "subscription_update" | "subscription_update_confirm",
                Page::Card,
            ) => true,
            ("subscription_cancel", Page::Cancel(s)) => s == sub,
            ("subscription_update", Page::Update(s) | Page::Preview(s)) => s == sub,
            ("subscription_update_confirm", Page::Preview(s)) => s == sub,
            _ => false,
        };
        (!inside).then(|| self.redirect(&self.flow_entry()))
    }

    /// The first page of the session's flow, relative to [`Portal::base`].
    pub fn flow_entry(&self) -> String {
        let Some(flow) = &self.session.value.flow else {
            return String::new();
        };
        let sub = flow.subscription().unwrap_or("");
        match flow.kind.as_str() {
            "payment_method_update" => "/payment-methods/new".into(),
            "subscription_cancel" => format!("/subscriptions/{sub}/cancel"),
            "subscription_update" => format!("/subscriptions/{sub}/update"),
            _ => format!("/subscriptions/{sub}/update/preview"),
        }
    }

    /// Whether the customer is inside an open flow (the rest of the portal hidden).
    pub fn in_flow(&self) -> bool {
        self.session.value.open_flow().is_some()
    }

    /// The session as stored now (another tab may have changed it since this request read it).
    pub async fn stored_session(
        &self,
    ) -> Result<Option<Versioned<PortalSession>>, crate::http::Failure> {
        Ok(portico_store::get::<PortalSession>(
            &*self.app.store,
            &self.caller.account,
            &self.session.value.id,
        )
        .await?)
    }

    /// The write that makes `change` to the session as stored now, to commit with the change
    /// the session records; none when `change` changes nothing (returns `false`).
    pub async fn session_write(
        &self,
        change: impl FnOnce(&mut PortalSession) -> bool,
    ) -> Result<Option<Write>, crate::http::Failure> {
        let mut current = self
            .stored_session()
            .await?
            .unwrap_or_else(|| self.session.clone());
        Ok(change(&mut current.value).then(|| Write::Update(current.next_record())))
    }

    /// The write that records `outcome` as the end of the session's open flow (none outside
    /// a flow), to commit with the change itself.
    pub async fn outcome_write(
        &self,
        outcome: Outcome,
    ) -> Result<Option<Write>, crate::http::Failure> {
        self.session_write(|s| s.end_flow(outcome)).await
    }

    /// Where the customer goes once an action is done: the flow's `after_completion` inside a
    /// flow, else the homepage with `notice`.
    pub fn after_action(&self, notice: &str) -> Response {
        let Some(flow) = &self.session.value.flow else {
            return self.redirect(&format!("?notice={notice}"));
        };
        match flow.after_completion.kind.as_str() {
            "redirect" => match &flow.after_completion.redirect_url {
                Some(url) => self.redirect_to(url),
                None => self.redirect("/done"),
            },
            "portal_homepage" => self.redirect(&format!("?notice={notice}")),
            _ => self.redirect("/done"),
        }
    }

    /// Records (or forgets) what the flow will have done once a payment waiting for 3-D Secure
    /// goes through.
    pub async fn set_awaiting(
        &self,
        awaiting: Option<Outcome>,
    ) -> Result<(), crate::http::Failure> {
        let awaiting_ = &awaiting;
        crate::objects::with_retries(|| async move {
            let Some(mut s) = self.stored_session().await? else {
                return Ok(());
            };
            if s.value.awaiting == *awaiting_ {
                return Ok(());
            }
            s.value.awaiting = awaiting_.clone();
            crate::objects::commit(
                &self.app,
                &self.caller.account,
                vec![Write::Update(s.next_record())],
            )
            .await
        })
        .await
    }

    /// Reads the session again (after another request changed it).
    pub async fn reload_session(&mut self) -> Result<(), crate::http::Failure> {
        if let Some(s) = self.stored_session().await? {
            self.session = s;
        }
        Ok(())
    }

    /// The language of the pages.
    pub fn lang(&self) -> Lang {
        self.t.lang
    }
}

/// What every page of a session shows besides the session: its configuration, its customer
/// and the account's branding, in one read.
async fn together(
    app: &App,
    account: &portico_domain::AccountId,
    session: &PortalSession,
) -> Result<
    (
        Option<Versioned<PortalConfiguration>>,
        Option<Versioned<Customer>>,
        Option<Branding>,
    ),
    portico_store::StoreError,
> {
    let reads = [
        Read::Get(PortalConfiguration::KIND, session.configuration.clone()),
        Read::Get(Customer::KIND, session.customer.clone()),
        crate::operator::branding_read(),
    ];
    let store = &*app.store;
    let found = store.read_many(account, &reads).await?;
    let [config, customer, branding] = <[_; 3]>::try_from(found).map_err(|pages| {
        portico_store::StoreError::Corrupt(format!("{} pages for 3 reads", pages.len()))
    })?;
    Ok((
        decode_first(store, account, &config)?,
        decode_first(store, account, &customer)?,
        decode_first::<Branding>(store, account, &branding)?.map(|b| b.value),
    ))
}

/// Loads an object for [`Portal::open`], a failure page if the store fails.
async fn read<T: Object>(
    app: &App,
    account: &portico_domain::AccountId,
    id: &str,
    headers: &HeaderMap,
) -> Result<Option<Versioned<T>>, Response> {
    portico_store::get::<T>(&*app.store, account, id)
        .await
        .map_err(|e| {
            tracing::error!(error = %e, "portal store read failed");
            failure(browser_t(headers))
        })
}

/// The browser cookie (HttpOnly, SameSite=Lax, Secure on https), valid for a year.
fn browser_cookie(app: &App, secret: &str) -> Option<HeaderValue> {
    let secure = if app.settings.public_url.starts_with("https://") {
        "; Secure"
    } else {
        ""
    };
    HeaderValue::from_str(&format!(
        "{BROWSER_COOKIE}={secret}; Path=/p; Max-Age=31536000; HttpOnly; SameSite=Lax{secure}"
    ))
    .ok()
}

/// A submitted form's fields.
pub struct Form(BTreeMap<String, Node>);

impl Form {
    /// Decodes a form body; a malformed one reads as empty. NUL characters, which no field
    /// may hold (and the API refuses), are dropped rather than losing the whole form.
    pub fn parse(body: &[u8]) -> Form {
        let fields = portico_wire::decode(body).or_else(|e| {
            let cleaned = without_nul(body);
            if cleaned.len() == body.len() {
                return Err(e);
            }
            portico_wire::decode(&cleaned)
        });
        Form(fields.unwrap_or_default())
    }

    /// A field's value, if it was sent as a plain value.
    pub fn get(&self, name: &str) -> Option<&str> {
        match self.0.get(name) {
            Some(Node::Leaf(v)) => Some(v.as_str()),
            _ => None,
        }
    }

    /// A field's value, trimmed, or `None` when absent or blank.
    pub fn text(&self, name: &str) -> Option<String> {
        self.get(name)
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    }
}

/// `body` without NUL characters, raw or percent-encoded (`%00`).
fn without_nul(body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(body.len());
    let mut i = 0;
    while i < body.len() {
        if body[i] == 0 {
            i += 1;
        } else if body[i..].starts_with(b"%00") {
            i += 3;
        } else {
            out.push(body[i]);
            i += 1;
        }
    }
    out
}

/// Where the portal session behind a page of the portal (`/p/session/{token}/…`, or that path
/// on the public URL) sends its customer after completion, if it redirects: pages that lead back
/// into that session (3-D Secure) must let their forms end up there.
pub async fn completion_redirect(app: &App, url: &str) -> Option<String> {
    session_behind(app, url)
        .await?
        .1
        .flow
        .and_then(|f| f.after_completion.redirect_url)
}

/// The language of the portal session behind a page of the portal (`/p/session/{token}/…`, or
/// that path on the public URL), for pages the customer passes through on the way (3-D Secure).
pub async fn session_language(app: &App, url: &str, headers: &HeaderMap) -> Option<T> {
    let session = session_behind(app, url).await?;
    let customer = portico_store::get::<Customer>(&*app.store, &session.0, &session.1.customer)
        .await
        .ok()
        .flatten()
        .map(|c| c.value.preferred_locales)
        .unwrap_or_default();
    Some(T::new(negotiate(
        session.1.locale.as_deref(),
        &customer,
        headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok()),
    )))
}

/// The account and session a portal URL leads to.
async fn session_behind(
    app: &App,
    url: &str,
) -> Option<(portico_domain::AccountId, PortalSession)> {
    let path = url
        .strip_prefix(app.settings.public_url.as_str())
        .unwrap_or(url);
    let token = path.strip_prefix("/p/session/")?.split(['/', '?']).next()?;
    if !plausible_token(token) {
        return None;
    }
    let (record, session) = find_link(app, token).await.ok()??;
    Some((record.account, session?.value))
}

/// `origin_of` for templates that need to know whether a URL may be linked.
pub fn linkable(url: &str) -> bool {
    origin_of(url).is_some()
}

#[cfg(test)]
mod form_tests {
    use super::*;

    #[test]
    fn a_nul_in_a_field_does_not_lose_the_form() {
        let f = Form::parse(b"csrf=abc&name=Ada%00Love&city=\0Paris");
        assert_eq!(f.get("csrf"), Some("abc"));
        assert_eq!(f.get("name"), Some("AdaLove"));
        assert_eq!(f.get("city"), Some("Paris"));
        assert_eq!(without_nul(b"a%00b%0"), b"ab%0".to_vec());
    }
}

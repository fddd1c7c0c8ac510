//! The API's HTTP conventions in one middleware: request ids, authentication, body limits, form
//! decoding, idempotency keys, Stripe's response headers and request logs.

use crate::auth::Caller;
use crate::state::App;
use axum::body::{to_bytes, Body};
use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use portico_domain::{DomainError, ErrorCode, IdGen, RandomIds};
use portico_store::{IdempotencyClaim, StoreError};
use portico_wire::{form, ApiError, ErrorType, Node, Reader, API_VERSION};
use serde_json::Value;
use std::collections::BTreeMap;
use std::time::Instant;

/// Request bodies larger than this are refused with 413.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;
/// A request body must arrive within this time.
pub const BODY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);
/// Idempotency keys are at most this long (Stripe's limit).
pub const MAX_IDEMPOTENCY_KEY_LEN: usize = 255;

/// An error response, with any extra headers it needs.
#[derive(Debug)]
pub struct Failure {
    pub error: ApiError,
    headers: Vec<(&'static str, String)>,
}

impl Failure {
    /// An error with one extra response header.
    pub fn with_header(error: ApiError, name: &'static str, value: String) -> Failure {
        Failure {
            error,
            headers: vec![(name, value)],
        }
    }
}

impl From<ApiError> for Failure {
    fn from(error: ApiError) -> Failure {
        Failure {
            error,
            headers: Vec::new(),
        }
    }
}

impl From<DomainError> for Failure {
    fn from(e: DomainError) -> Failure {
        ApiError::from(e).into()
    }
}

impl From<StoreError> for Failure {
    fn from(e: StoreError) -> Failure {
        match e {
            // Lost races: another request changed the object or took the key first. Retried by
            // `objects::with_retries`; if they persist the client gets a 409, which SDKs retry.
            StoreError::Conflict | StoreError::Duplicate { .. } => ApiError::new(
                409,
                ErrorType::InvalidRequestError,
                Some(ErrorCode::LockTimeout),
                "This object was changed by another request at the same time. Please retry the request.",
            )
            .into(),
            // Its key was taken over by a retry, thought to be this request's replacement: this
            // one changes nothing (not retried).
            StoreError::KeyTaken => ApiError::new(
                409,
                ErrorType::InvalidRequestError,
                Some(ErrorCode::IdempotencyKeyInUse),
                "This request took so long that a retry with its Idempotency-Key took the key over; it changed nothing, and the retry's result stands.",
            )
            .into(),
            other => {
                tracing::error!(error = %other, "store failure");
                ApiError::internal().into()
            }
        }
    }
}

impl From<crate::seal::SealError> for Failure {
    fn from(e: crate::seal::SealError) -> Failure {
        tracing::error!(error = %e, "stored secret");
        ApiError::internal().into()
    }
}

impl IntoResponse for Failure {
    fn into_response(self) -> Response {
        let mut resp = json_response(self.error.status, &self.error.body());
        for (name, value) in self.headers {
            if let Ok(v) = HeaderValue::from_str(&value) {
                resp.headers_mut().insert(name, v);
            }
        }
        resp
    }
}

/// Stripe's JSON: pretty-printed with a trailing newline.
pub fn json_response(status: u16, body: &Value) -> Response {
    json_bytes_response(status, json_text(body))
}

/// A response body as Stripe writes them: pretty-printed JSON and a newline.
pub fn json_text(body: &Value) -> bytes::Bytes {
    let mut text = serde_json::to_string_pretty(body).unwrap_or_else(|_| "{}".into());
    text.push('\n');
    bytes::Bytes::from(text)
}

/// A JSON response with a body already written.
pub fn json_bytes_response(status: u16, text: bytes::Bytes) -> Response {
    let mut resp = Response::new(Body::from(text));
    *resp.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    resp.headers_mut()
        .insert("content-type", HeaderValue::from_static("application/json"));
    resp
}

/// A handler's outcome: a 200 object, or a Stripe error.
pub type Reply = Result<Response, Failure>;

/// A 200 response with `body`.
pub fn ok(body: Value) -> Reply {
    Ok(json_response(200, &body))
}

/// What the middleware hands each API handler.
#[derive(Clone)]
pub struct Api {
    pub caller: Caller,
    /// The request time (unix seconds) from the server clock.
    pub now: i64,
    params: BTreeMap<String, Node>,
    /// The parameters Stripe's API takes at this endpoint (see [`portico_wire::read_for`]).
    stripe_params: &'static [&'static str],
}

impl Api {
    /// The context for work the hosted pages do for an account: the same engine as the API's
    /// handlers, with no request parameters.
    pub fn on_behalf(caller: Caller, now: i64) -> Api {
        Api {
            caller,
            now,
            params: BTreeMap::new(),
            stripe_params: &[],
        }
    }

    /// Reads the request's parameters with `f`, turning problems into Stripe's error.
    pub fn read<T>(&mut self, f: impl FnOnce(&mut Reader<'_>) -> T) -> Result<T, Failure> {
        portico_wire::read_for(std::mem::take(&mut self.params), self.stripe_params, f)
            .map_err(Failure::from)
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Api {
    type Rejection = Failure;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parts.extensions.remove::<Api>().ok_or_else(|| {
            tracing::error!("API handler reached without the API middleware");
            Failure::from(ApiError::internal())
        })
    }
}

/// The id in a URL path, percent-decoded.
pub struct PathId(pub String);

impl<S: Send + Sync> FromRequestParts<S> for PathId {
    type Rejection = Failure;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Path::<String>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(id)) if id.contains('\0') => Err(ApiError::invalid(
                Some("id".into()),
                None,
                "Invalid object id in the URL: it contains a NUL character.",
            )
            .into()),
            Ok(axum::extract::Path(id)) => Ok(PathId(id)),
            Err(_) => {
                Err(
                    ApiError::invalid(Some("id".into()), None, "Invalid object id in the URL.")
                        .into(),
                )
            }
        }
    }
}

fn request_id() -> String {
    RandomIds.next("req_", 14)
}

fn header_str<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// Whether a `Stripe-Version` header names a version as Stripe writes them: a calendar date
/// from Stripe's first version on (`2026-07-29`), optionally a release name (`.dahlia`), and
/// optionally beta flags after a `;` (taken as they are). Two versions (headers joined with a
/// comma) are not one.
fn plausible_version(v: &str) -> bool {
    let (version, flags) = v.split_once(';').unwrap_or((v, ""));
    let (date, name) = version
        .trim()
        .split_once('.')
        .unwrap_or((version.trim(), ""));
    let real_date =
        portico_domain::calendar::parse_date(date).is_some_and(|(year, _, _)| year >= 2011);
    real_date
        && name.bytes().all(|c| c.is_ascii_lowercase())
        && !flags.contains(',')
        && !v.chars().any(|c| c.is_control())
}

/// The API middleware. See the module docs for what it does, in order.
/// A request made inside the process (by the dashboard) on behalf of an account that is
/// already authenticated.
#[derive(Clone, Debug)]
pub struct InProcessCaller(pub crate::auth::Caller);

pub async fn api_middleware(State(app): State<App>, req: Request, next: Next) -> Response {
    let started = Instant::now();
    let rid = request_id();
    let method = req.method().clone();
    let path = req.uri().path().to_owned();
    let version = header_str(req.headers(), "stripe-version").map(str::to_owned);
    let idem_key = header_str(req.headers(), "idempotency-key").map(str::to_owned);

    let outcome = handle(
        &app,
        req,
        next,
        &rid,
        version.as_deref(),
        idem_key.as_deref(),
    )
    .await;
    let (mut resp, account, replayed) = match outcome {
        Ok(done) => done,
        Err(f) => (f.into_response(), None, false),
    };

    let h = resp.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&rid) {
        h.insert("request-id", v);
    }
    let reported = version
        .filter(|v| plausible_version(v))
        .unwrap_or_else(|| API_VERSION.to_owned());
    if let Ok(v) = HeaderValue::from_str(&reported) {
        h.insert("stripe-version", v);
    }
    if let Some(k) = &idem_key {
        if let Ok(v) = HeaderValue::from_str(k) {
            h.insert("idempotency-key", v);
        }
    }
    if replayed {
        h.insert("idempotent-replayed", HeaderValue::from_static("true"));
    }
    h.insert(
        "cache-control",
        HeaderValue::from_static("no-cache, no-store"),
    );
    let status = resp.status().as_u16();
    let ms = started.elapsed().as_secs_f64() * 1000.0;
    if status >= 500 {
        tracing::error!(
            request_id = rid.as_str(),
            method = method.as_str(),
            path = path.as_str(),
            status,
            ms,
            account = account.as_deref().unwrap_or("-"),
            "request"
        );
    } else {
        tracing::info!(
            request_id = rid.as_str(),
            method = method.as_str(),
            path = path.as_str(),
            status,
            ms,
            account = account.as_deref().unwrap_or("-"),
            replayed,
            "request"
        );
    }
    resp
}

async fn handle(
    app: &App,
    req: Request,
    next: Next,
    rid: &str,
    version: Option<&str>,
    idem_key: Option<&str>,
) -> Result<(Response, Option<String>, bool), Failure> {
    // The dashboard calls the API in-process as the account it is signed in to; a request
    // from the network can never carry this extension.
    let in_process = req.extensions().get::<InProcessCaller>().cloned();
    let caller = match &in_process {
        Some(c) => c.0.clone(),
        None => app
            .keys
            .authenticate(req.headers().get("authorization").map(|v| v.as_bytes()))?,
    };
    if let Some(v) = version {
        if !plausible_version(v) {
            return Err(
                ApiError::invalid(None, None, format!("Invalid Stripe API version: {v}")).into(),
            );
        }
    }
    if req.headers().contains_key("stripe-account") {
        return Err(ApiError::invalid(
            None,
            None,
            "Portico does not support Connect: requests cannot be made on behalf of another account with the Stripe-Account header.",
        )
        .into());
    }
    if req.headers().contains_key("idempotency-key") && idem_key.is_none() {
        return Err(ApiError::invalid(
            None,
            None,
            "Invalid Idempotency-Key: it must be printable ASCII.",
        )
        .into());
    }
    // A dashboard page makes several calls; the page itself is limited per client instead.
    if let Some(rate) = app
        .settings
        .rate_limits
        .per_key
        .filter(|_| in_process.is_none())
    {
        if let Err(wait) = app.buckets.take(
            &format!("key:{}", caller.account.as_str()),
            rate,
            std::time::Instant::now(),
        ) {
            return Err(too_many_requests(wait));
        }
    }
    let now = app.clock.now();
    app.ensure_account(&caller, now).await?;
    let account = Some(caller.account.to_string());

    let (parts, body) = req.into_parts();
    let is_json = header_str(&parts.headers, "content-type")
        .map(|c| c.starts_with("application/json"))
        .unwrap_or(false);
    let too_large = || {
        Failure::from(ApiError::new(
            413,
            ErrorType::InvalidRequestError,
            None,
            format!("The request body is too large: at most {MAX_BODY_BYTES} bytes are accepted."),
        ))
    };
    // A body announced too large is refused at once, not after waiting for it.
    let announced =
        header_str(&parts.headers, "content-length").and_then(|l| l.parse::<u64>().ok());
    if announced.is_some_and(|l| l > MAX_BODY_BYTES as u64) {
        return Err(too_large());
    }
    let bytes = match tokio::time::timeout(BODY_TIMEOUT, to_bytes(body, MAX_BODY_BYTES)).await {
        Ok(Ok(b)) => b,
        Ok(Err(_)) => return Err(too_large()),
        Err(_) => {
            return Err(ApiError::new(
                408,
                ErrorType::InvalidRequestError,
                None,
                "The request body did not arrive in time.",
            )
            .into())
        }
    };
    if is_json && !bytes.is_empty() {
        return Err(ApiError::invalid(
            None,
            None,
            "Invalid request: the API takes form-encoded parameters (Content-Type: application/x-www-form-urlencoded), not JSON.",
        )
        .into());
    }
    let is_post = parts.method == Method::POST;
    if is_post && parts.uri.query().is_some_and(|q| !q.is_empty()) {
        return Err(ApiError::invalid(
            None,
            None,
            "Invalid request: POST parameters go in the form-encoded body, not in the URL's query string.",
        )
        .into());
    }
    let query = parts.uri.query().unwrap_or("");
    // A DELETE may carry its parameters (`prorate`, `invoice_now`, `proration_behavior`) in a
    // form body, as `curl -X DELETE -d …` sends them, as well as in the query string.
    let joined;
    let source: &[u8] = if is_post {
        &bytes
    } else if parts.method == Method::DELETE && !bytes.is_empty() {
        joined = if query.is_empty() {
            bytes.to_vec()
        } else {
            [query.as_bytes(), b"&", &bytes].concat()
        };
        &joined
    } else {
        query.as_bytes()
    };
    let params = form::decode(source)
        .map_err(|e| Failure::from(ApiError::invalid(e.param, None, e.message)))?;

    // Idempotency: only for writes that carry a key.
    let claim = match idem_key {
        Some(key) if is_post || parts.method == Method::DELETE => {
            if key.is_empty() || key.len() > MAX_IDEMPOTENCY_KEY_LEN {
                return Err(ApiError::invalid(
                    None,
                    None,
                    format!("Invalid Idempotency-Key: it must be 1 to {MAX_IDEMPOTENCY_KEY_LEN} characters long."),
                )
                .into());
            }
            let endpoint = format!("{} {}", parts.method, parts.uri.path());
            // The decoded parameters, so their order and encoding do not matter.
            let fingerprint = format!(
                "{endpoint} {}",
                crate::digest::sha256_hex(format!("{params:?}").as_bytes())
            );
            Some((key.to_owned(), fingerprint, endpoint))
        }
        _ => None,
    };

    let stripe_params = parts
        .extensions
        .get::<axum::extract::MatchedPath>()
        .map(|route| portico_wire::stripe_params(parts.method.as_str(), route.as_str()))
        .unwrap_or_default();
    // With a key, from claiming it to saving the result, the request runs in a task of its own:
    // a client that disconnects (hyper then drops this future) cannot cut it off between its
    // claim, its commit and the saving of its result, which would leave the key claimed with
    // nothing to replay. (Without one, the handler's own task is enough.)
    let keyed = claim.is_some();
    let (app, rid) = (app.clone(), rid.to_owned());
    let run = async move {
        let held = match claim {
            Some((key, fingerprint, endpoint)) => {
                match app.store.idempotency_claim(&caller.account, &key, &fingerprint, now).await? {
                    IdempotencyClaim::Started => Some(portico_store::HeldKey { key, claimed_at: now }),
                    IdempotencyClaim::Replay { status, body } => {
                        let body = app.sealer.open(&body).await?;
                        let mut resp = Response::new(Body::from(body));
                        *resp.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
                        resp.headers_mut().insert("content-type", HeaderValue::from_static("application/json"));
                        return Ok((resp, account, true));
                    }
                    IdempotencyClaim::Mismatch { stored } => return Err(idempotency_mismatch(&stored, &endpoint, parts.uri.path(), &key)),
                    IdempotencyClaim::Lost => {
                        return Err(ApiError::new(
                            400,
                            ErrorType::IdempotencyError,
                            None,
                            format!(
                                "The request with the Idempotency-Key '{key}' was completed, but the server stopped before its response was saved, so it cannot be replayed. It will not run again: look up the object it created or changed instead."
                            ),
                        )
                        .into())
                    }
                    IdempotencyClaim::InProgress => {
                        return Err(ApiError::new(
                            409,
                            ErrorType::InvalidRequestError,
                            Some(ErrorCode::IdempotencyKeyInUse),
                            format!(
                                "There is currently another in-progress request using this Idempotent Key (that probably means you submitted twice, and the other request is still going through): {key}. Please try again later."
                            ),
                        )
                        .into())
                    }
                }
            }
            None => None,
        };
        let mut req = Request::from_parts(parts, Body::empty());
        req.extensions_mut().insert(Api {
            caller: caller.clone(),
            now,
            params,
            stripe_params,
        });
        let context = crate::events::RequestContext {
            id: Some(rid),
            held: held.clone(),
        };
        // A handler that panics is one failed request: its key is released (if it committed
        // nothing) and the answer is Stripe's api_error.
        let resp = match tokio::spawn(crate::events::REQUEST.scope(context, next.run(req))).await {
            Ok(r) => r,
            Err(e) => {
                tracing::error!(error = %e, "handler task failed");
                if let Some(held) = &held {
                    let _ = app.store.idempotency_release(&caller.account, held).await;
                }
                return Err(ApiError::internal().into());
            }
        };
        let Some(held) = held else {
            return Ok((resp, account, false));
        };
        let status = resp.status().as_u16();
        // Saved: results of requests that ran (success, or a payment failure). Validation errors
        // and failures that changed nothing are not, so a corrected retry can use the key; but
        // a request that committed a change before failing keeps its key (see
        // `idempotency_release`), and its answer is saved too unless it is a server error (whose
        // change may or may not have been made: the key then stays claimed, never run again).
        let ran = (200..300).contains(&status) || status == 402;
        let save = ran || {
            let released = app
                .store
                .idempotency_release(&caller.account, &held)
                .await?;
            !released && status < 500
        };
        if !save {
            return Ok((resp, account, false));
        }
        let (parts, body) = resp.into_parts();
        let bytes = to_bytes(body, usize::MAX).await.unwrap_or_default();
        save_result(&app, &caller.account, &held, status, &bytes).await;
        Ok((
            Response::from_parts(parts, Body::from(bytes)),
            account,
            false,
        ))
    };
    if !keyed {
        return run.await;
    }
    match tokio::spawn(run).await {
        Ok(done) => done,
        Err(e) => {
            tracing::error!(error = %e, "request task failed");
            Err(ApiError::internal().into())
        }
    }
}

/// Saves the answer of a request that ran under the key it `held`, for its retries to replay.
/// Kept sealed: some answers (a webhook endpoint's secret, a portal link) are secrets. The change
/// is committed whatever happens here: the answer goes out regardless.
async fn save_result(
    app: &App,
    account: &portico_domain::AccountId,
    held: &portico_store::HeldKey,
    status: u16,
    bytes: &[u8],
) {
    let text = match app.sealer.seal(&String::from_utf8_lossy(bytes)).await {
        Ok(t) => t,
        Err(e) => {
            tracing::error!(error = %e, "cannot seal an idempotent result");
            return;
        }
    };
    for attempt in 0..3u64 {
        match app
            .store
            .idempotency_finish(account, held, status, &text)
            .await
        {
            Ok(()) => return,
            Err(e) => {
                tracing::warn!(error = %e, attempt, "could not save an idempotent result");
                tokio::time::sleep(std::time::Duration::from_millis(20 * (attempt + 1))).await;
            }
        }
    }
    tracing::error!(key = %held.key, "idempotent result not saved; the key stays claimed");
}

/// The error for a key reused with other parameters or on another endpoint.
fn idempotency_mismatch(stored: &str, endpoint: &str, path: &str, key: &str) -> Failure {
    let stored_endpoint = stored.rsplit_once(' ').map(|(e, _)| e).unwrap_or("");
    let message = if stored_endpoint != endpoint {
        let stored_path = stored_endpoint
            .split_once(' ')
            .map(|(_, p)| p)
            .unwrap_or(stored_endpoint);
        format!(
            "Keys for idempotent requests can only be used for the same endpoint they were first used for ('{stored_path}' vs '{path}'). Try using a key other than '{key}' if you meant to execute a different request."
        )
    } else {
        format!(
            "Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '{key}' if you meant to execute a different request."
        )
    };
    ApiError::new(400, ErrorType::IdempotencyError, None, message).into()
}

/// Stripe's rate-limit error, with when to try again.
pub fn too_many_requests(wait_secs: u64) -> Failure {
    Failure::with_header(
        ApiError::new(
            429,
            ErrorType::InvalidRequestError,
            Some(ErrorCode::RateLimit),
            "Too many requests hit the API too quickly. Please slow down and retry after the time in the Retry-After header.",
        ),
        "retry-after",
        wait_secs.to_string(),
    )
}

/// Limits requests per client address (when the server knows it): API requests get Stripe's
/// error, pages a page, both with `Retry-After`.
pub async fn client_rate_limit(State(app): State<App>, req: Request, next: Next) -> Response {
    let Some(rate) = app.settings.rate_limits.per_client else {
        return next.run(req).await;
    };
    let Some(peer) = req
        .extensions()
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0.ip())
    else {
        return next.run(req).await;
    };
    let Err(wait) = app
        .buckets
        .take(&format!("client:{peer}"), rate, std::time::Instant::now())
    else {
        return next.run(req).await;
    };
    if req.uri().path().starts_with("/p/") {
        let t = crate::pages::portal::browser_t(req.headers());
        let mut r = crate::pages::portal::notice_page(
            t,
            StatusCode::TOO_MANY_REQUESTS,
            "rate-limited-heading",
            "rate-limited-body",
            "neutral",
        );
        if let Ok(v) = HeaderValue::from_str(&wait.to_string()) {
            r.headers_mut().insert("retry-after", v);
        }
        return r;
    }
    too_many_requests(wait).into_response()
}

/// Answers every URL or method the API does not have.
pub async fn unrecognized(method: Method, uri: axum::http::Uri) -> Failure {
    ApiError::unrecognized_url(method.as_str(), uri.path()).into()
}

/// A page's reads share one snapshot of the store (see [`portico_store::reads_together`]): a
/// page reads the session, customer, configuration and lists one after another, and on SQLite
/// one read transaction for all of them costs less than one each. Only for `GET` and `HEAD`:
/// they send no body to wait for while the transaction is held, and a write ends it anyway, so
/// a request always reads back what it wrote. (API handlers run in tasks of their own, with
/// their own reads.)
pub async fn reads_together(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    if matches!(
        *request.method(),
        axum::http::Method::GET | axum::http::Method::HEAD
    ) {
        portico_store::reads_together(next.run(request)).await
    } else {
        next.run(request).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions() {
        assert!(plausible_version("2026-07-29.dahlia"));
        assert!(plausible_version("2020-08-27"));
        assert!(plausible_version("2026-07-29.dahlia; checkout_beta=v1"));
        assert!(!plausible_version("latest"));
        assert!(!plausible_version("2026-7-29"));
        assert!(!plausible_version("2026-02-30"));
        assert!(!plausible_version("2026-13-01"));
        assert!(!plausible_version("2010-12-31"));
        assert!(!plausible_version("2026-07-29.Dahlia"));
        assert!(!plausible_version("2026-07-29x"));
        assert!(!plausible_version("2026-07-29, 2026-07-29"));
        assert!(!plausible_version("2026-07-29.dahlia; a=1, b=2"));
        assert!(plausible_version("2024-02-29"));
        assert!(plausible_version("2011-01-01"));
    }
}

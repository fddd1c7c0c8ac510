//! Stripe's error body (`{"error": {type, code, message, param, doc_url}}`) and the one table
//! that maps domain errors onto it.

use portico_domain::{DomainError, ErrorCode};
use serde_json::{Map, Value};

/// Stripe's error `type`: a closed set.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorType {
    ApiError,
    CardError,
    IdempotencyError,
    InvalidRequestError,
}

impl ErrorType {
    /// The type as it appears in the body.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorType::ApiError => "api_error",
            ErrorType::CardError => "card_error",
            ErrorType::IdempotencyError => "idempotency_error",
            ErrorType::InvalidRequestError => "invalid_request_error",
        }
    }
}

/// An error response: HTTP status plus Stripe's error object.
#[derive(Clone, Debug, PartialEq)]
pub struct ApiError {
    pub status: u16,
    pub kind: ErrorType,
    pub code: Option<ErrorCode>,
    pub message: String,
    pub param: Option<String>,
    /// For card errors: the issuer's reason.
    pub decline_code: Option<String>,
    /// An object the error is about, embedded as Stripe does (`setup_intent`, `payment_method`).
    pub object: Option<Box<(String, Value)>>,
}

impl ApiError {
    /// An error of any status and type.
    pub fn new(
        status: u16,
        kind: ErrorType,
        code: Option<ErrorCode>,
        message: impl Into<String>,
    ) -> ApiError {
        ApiError {
            status,
            kind,
            code,
            message: message.into(),
            param: None,
            decline_code: None,
            object: None,
        }
    }

    /// A 400 `invalid_request_error`.
    pub fn invalid(
        param: Option<String>,
        code: Option<ErrorCode>,
        message: impl Into<String>,
    ) -> ApiError {
        ApiError {
            param,
            ..ApiError::new(400, ErrorType::InvalidRequestError, code, message)
        }
    }

    /// A 402 `card_error` from the simulator or card checks; `param_prefix` nests the parameter
    /// (`card` turns `number` into `card[number]`).
    pub fn card(e: &portico_domain::card::CardError, param_prefix: Option<&str>) -> ApiError {
        ApiError {
            param: e.param.map(|p| match param_prefix {
                Some(prefix) => format!("{prefix}[{p}]"),
                None => p.to_owned(),
            }),
            decline_code: e.decline_code.map(str::to_owned),
            ..ApiError::new(
                402,
                ErrorType::CardError,
                ErrorCode::parse(e.code),
                e.message,
            )
        }
    }

    /// The error with an object embedded under `name`.
    pub fn with_object(mut self, name: &str, value: Value) -> ApiError {
        self.object = Some(Box::new((name.to_owned(), value)));
        self
    }

    /// `parameter_missing` for a bracketed parameter path.
    pub fn missing(param: &str) -> ApiError {
        ApiError::invalid(
            Some(param.to_owned()),
            Some(ErrorCode::ParameterMissing),
            format!("Missing required param: {param}."),
        )
    }

    /// `parameter_invalid_empty`: the parameter cannot be unset.
    pub fn empty(param: &str) -> ApiError {
        ApiError::invalid(
            Some(param.to_owned()),
            Some(ErrorCode::ParameterInvalidEmpty),
            format!(
                "You passed an empty string for '{param}'. We assume empty values are an attempt to unset a parameter; \
                 however '{param}' cannot be unset. You should remove '{param}' from your request or supply a non-empty value."
            ),
        )
    }

    /// A 404 for a URL that names no endpoint (or a method the endpoint lacks).
    pub fn unrecognized_url(method: &str, path: &str) -> ApiError {
        let hint = if path.len() > 1 && path.ends_with('/') {
            " If you are trying to list objects, remove the trailing slash. If you are trying to retrieve an object, \
             make sure you passed a valid (non-empty) identifier in your code."
        } else {
            ""
        };
        ApiError::new(
            404,
            ErrorType::InvalidRequestError,
            None,
            format!(
                "Unrecognized request URL ({method}: {path}).{hint} Please see https://stripe.com/docs or we can help at https://support.stripe.com/."
            ),
        )
    }

    /// A 500 that tells the client nothing about internals.
    pub fn internal() -> ApiError {
        ApiError::new(
            500,
            ErrorType::ApiError,
            None,
            "An unexpected error occurred in Portico. Please retry the request with the same Idempotency-Key.",
        )
    }

    /// The JSON body, keys in Stripe's (alphabetical) order, absent fields omitted.
    pub fn body(&self) -> Value {
        let mut e = Map::new();
        if let Some(code) = self.code {
            e.insert("code".into(), code.as_str().into());
        }
        if let Some(d) = &self.decline_code {
            e.insert("decline_code".into(), d.clone().into());
        }
        if let Some(code) = self.code {
            e.insert(
                "doc_url".into(),
                format!(
                    "https://stripe.com/docs/error-codes/{}",
                    code.as_str().replace('_', "-")
                )
                .into(),
            );
        }
        e.insert("message".into(), self.message.clone().into());
        if let Some(p) = &self.param {
            e.insert("param".into(), p.clone().into());
        }
        if let Some(obj) = &self.object {
            let (name, value) = &**obj;
            e.insert(name.clone(), value.clone());
        }
        e.insert("type".into(), self.kind.as_str().into());
        let mut root = Map::new();
        root.insert("error".into(), Value::Object(e));
        Value::Object(root)
    }
}

impl From<DomainError> for ApiError {
    fn from(e: DomainError) -> ApiError {
        let message = e.to_string();
        match e {
            DomainError::NoSuch { param, .. } => ApiError {
                status: if param.is_some() { 400 } else { 404 },
                param: Some(param.unwrap_or_else(|| "id".into())),
                ..ApiError::new(
                    404,
                    ErrorType::InvalidRequestError,
                    Some(ErrorCode::ResourceMissing),
                    message,
                )
            },
            DomainError::Invalid { param, code, .. } => ApiError::invalid(param, code, message),
            DomainError::State { param, .. } => ApiError::invalid(param, None, message),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn body_shape_and_order() {
        let b = ApiError::missing("name").body();
        let keys: Vec<&String> = b["error"].as_object().unwrap().keys().collect();
        assert_eq!(keys, ["code", "doc_url", "message", "param", "type"]);
        assert_eq!(
            b["error"]["doc_url"],
            "https://stripe.com/docs/error-codes/parameter-missing"
        );
        assert_eq!(b["error"]["message"], "Missing required param: name.");
        let u = ApiError::unrecognized_url("GET", "/v1/foo").body();
        assert_eq!(
            u["error"].as_object().unwrap().keys().collect::<Vec<_>>(),
            ["message", "type"]
        );
    }

    #[test]
    fn domain_mapping() {
        let path = ApiError::from(DomainError::no_such_in_path("customer", "cus_x"));
        assert_eq!((path.status, path.param.as_deref()), (404, Some("id")));
        assert_eq!(path.message, "No such customer: 'cus_x'");
        let body = ApiError::from(DomainError::no_such("product", "prod_x", "product"));
        assert_eq!(
            (body.status, body.param.as_deref(), body.code),
            (400, Some("product"), Some(ErrorCode::ResourceMissing))
        );
    }
}

//! The domain's errors. The wire layer maps each variant to one Stripe error shape.

/// Stripe's error codes that Portico produces: a closed set, rendered in snake_case.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    ParameterUnknown,
    ParameterMissing,
    ParameterInvalidEmpty,
    ParameterInvalidInteger,
    ResourceMissing,
    ResourceAlreadyExists,
    EmailInvalid,
    UrlInvalid,
    IdempotencyKeyInUse,
    PropertyExpansionMaxDepth,
    RateLimit,
    CouponExpired,
    InvalidNumber,
    IncorrectNumber,
    InvalidExpiryMonth,
    InvalidExpiryYear,
    InvalidCvc,
    CardDeclined,
    AuthenticationRequired,
    ExpiredCard,
    IncorrectCvc,
    ProcessingError,
    SetupIntentAuthenticationFailure,
    SetupIntentUnexpectedState,
    LockTimeout,
    InvoiceUpcomingNone,
    /// Paying an invoice needs the customer to authenticate the payment (3-D Secure).
    InvoicePaymentIntentRequiresAction,
    /// The invoice is finalized: its lines can no longer change.
    InvoiceNotEditable,
}

impl ErrorCode {
    /// The code with this wire name, if Portico produces it.
    pub fn parse(s: &str) -> Option<ErrorCode> {
        ALL_CODES.iter().copied().find(|c| c.as_str() == s)
    }

    /// The code as it appears in the error body.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::ParameterUnknown => "parameter_unknown",
            ErrorCode::ParameterMissing => "parameter_missing",
            ErrorCode::ParameterInvalidEmpty => "parameter_invalid_empty",
            ErrorCode::ParameterInvalidInteger => "parameter_invalid_integer",
            ErrorCode::ResourceMissing => "resource_missing",
            ErrorCode::ResourceAlreadyExists => "resource_already_exists",
            ErrorCode::EmailInvalid => "email_invalid",
            ErrorCode::UrlInvalid => "url_invalid",
            ErrorCode::IdempotencyKeyInUse => "idempotency_key_in_use",
            ErrorCode::PropertyExpansionMaxDepth => "property_expansion_max_depth",
            ErrorCode::RateLimit => "rate_limit",
            ErrorCode::CouponExpired => "coupon_expired",
            ErrorCode::InvalidNumber => "invalid_number",
            ErrorCode::IncorrectNumber => "incorrect_number",
            ErrorCode::InvalidExpiryMonth => "invalid_expiry_month",
            ErrorCode::InvalidExpiryYear => "invalid_expiry_year",
            ErrorCode::InvalidCvc => "invalid_cvc",
            ErrorCode::CardDeclined => "card_declined",
            ErrorCode::AuthenticationRequired => "authentication_required",
            ErrorCode::ExpiredCard => "expired_card",
            ErrorCode::IncorrectCvc => "incorrect_cvc",
            ErrorCode::ProcessingError => "processing_error",
            ErrorCode::SetupIntentAuthenticationFailure => "setup_intent_authentication_failure",
            ErrorCode::SetupIntentUnexpectedState => "setup_intent_unexpected_state",
            ErrorCode::LockTimeout => "lock_timeout",
            ErrorCode::InvoiceUpcomingNone => "invoice_upcoming_none",
            ErrorCode::InvoicePaymentIntentRequiresAction => {
                "invoice_payment_intent_requires_action"
            }
            ErrorCode::InvoiceNotEditable => "invoice_not_editable",
        }
    }
}

const ALL_CODES: &[ErrorCode] = &[
    ErrorCode::ParameterUnknown,
    ErrorCode::ParameterMissing,
    ErrorCode::ParameterInvalidEmpty,
    ErrorCode::ParameterInvalidInteger,
    ErrorCode::ResourceMissing,
    ErrorCode::ResourceAlreadyExists,
    ErrorCode::EmailInvalid,
    ErrorCode::UrlInvalid,
    ErrorCode::IdempotencyKeyInUse,
    ErrorCode::PropertyExpansionMaxDepth,
    ErrorCode::RateLimit,
    ErrorCode::CouponExpired,
    ErrorCode::InvalidNumber,
    ErrorCode::IncorrectNumber,
    ErrorCode::InvalidExpiryMonth,
    ErrorCode::InvalidExpiryYear,
    ErrorCode::InvalidCvc,
    ErrorCode::CardDeclined,
    ErrorCode::AuthenticationRequired,
    ErrorCode::ExpiredCard,
    ErrorCode::IncorrectCvc,
    ErrorCode::ProcessingError,
    ErrorCode::SetupIntentAuthenticationFailure,
    ErrorCode::SetupIntentUnexpectedState,
    ErrorCode::LockTimeout,
    ErrorCode::InvoiceUpcomingNone,
    ErrorCode::InvoicePaymentIntentRequiresAction,
    ErrorCode::InvoiceNotEditable,
];

/// A rule the domain refused to break. Parameter names are Stripe's bracketed paths.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DomainError {
    /// An object named by the request does not exist in the account. Shown as HTTP 404 when the
    /// id came from the URL path (`param: None`), HTTP 400 naming the parameter otherwise.
    #[error("No such {kind}: '{id}'")]
    NoSuch {
        /// Stripe's object name (`customer`, `price`, …).
        kind: &'static str,
        /// The id that was asked for.
        id: String,
        /// The body or query parameter that named it, if any.
        param: Option<String>,
    },
    /// A parameter's value is not acceptable.
    #[error("{message}")]
    Invalid {
        /// The offending parameter.
        param: Option<String>,
        /// A message that names the parameter and says what is accepted.
        message: String,
        /// Stripe's error code, when it has one for the case.
        code: Option<ErrorCode>,
    },
    /// The request is well-formed but the object's state forbids it.
    #[error("{message}")]
    State {
        /// The parameter most related to the refusal, if any.
        param: Option<String>,
        /// What is wrong and what would make it work.
        message: String,
    },
}

/// Results of domain operations.
pub type DomainResult<T> = Result<T, DomainError>;

impl DomainError {
    /// A value error on `param` with a message and no specific code.
    pub fn invalid(param: impl Into<String>, message: impl Into<String>) -> Self {
        DomainError::Invalid {
            param: Some(param.into()),
            message: message.into(),
            code: None,
        }
    }

    /// A value error with one of Stripe's error codes.
    pub fn invalid_code(
        param: impl Into<String>,
        code: ErrorCode,
        message: impl Into<String>,
    ) -> Self {
        DomainError::Invalid {
            param: Some(param.into()),
            message: message.into(),
            code: Some(code),
        }
    }

    /// A missing object named by a body parameter.
    pub fn no_such(kind: &'static str, id: impl Into<String>, param: impl Into<String>) -> Self {
        DomainError::NoSuch {
            kind,
            id: id.into(),
            param: Some(param.into()),
        }
    }

    /// A missing object named in the URL path.
    pub fn no_such_in_path(kind: &'static str, id: impl Into<String>) -> Self {
        DomainError::NoSuch {
            kind,
            id: id.into(),
            param: None,
        }
    }

    /// The same error for a parameter nested under `parent` (`unit_amount` becomes
    /// `default_price_data[unit_amount]`, in the param and in the message).
    pub fn nested_under(self, parent: &str) -> Self {
        match self {
            DomainError::Invalid {
                param: Some(p),
                message,
                code,
            } => {
                let (head, rest) = p
                    .split_once('[')
                    .map(|(h, r)| (h.to_owned(), format!("[{r}")))
                    .unwrap_or((p.clone(), String::new()));
                let full = format!("{parent}[{head}]{rest}");
                DomainError::Invalid {
                    message: message.replace(&p, &full),
                    param: Some(full),
                    code,
                }
            }
            other => other,
        }
    }

    /// A refusal because of the object's current state.
    pub fn state(param: Option<&str>, message: impl Into<String>) -> Self {
        DomainError::State {
            param: param.map(str::to_owned),
            message: message.into(),
        }
    }
}

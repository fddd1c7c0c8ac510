//! A field in an update: left alone, cleared (Stripe's empty string), or set.

/// How an update treats one field.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum Patch<T> {
    /// The parameter was not sent: keep the current value.
    #[default]
    Keep,
    /// The parameter was sent as an empty string: unset the value.
    Clear,
    /// The parameter was sent with a value.
    Set(T),
}

impl<T> Patch<T> {
    /// Applies the patch to an optional field.
    pub fn apply_to(self, field: &mut Option<T>) {
        match self {
            Patch::Keep => {}
            Patch::Clear => *field = None,
            Patch::Set(v) => *field = Some(v),
        }
    }

    /// The value for a newly created object: `Set` gives the value, anything else nothing.
    pub fn into_option(self) -> Option<T> {
        match self {
            Patch::Set(v) => Some(v),
            _ => None,
        }
    }

    /// Whether the parameter was sent at all.
    pub fn is_sent(&self) -> bool {
        !matches!(self, Patch::Keep)
    }
}

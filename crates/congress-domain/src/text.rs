//! Checks on free text that every feature shares: length and control characters.

use crate::error::DomainError;

/// Largest accepted free text (reasons, labels, names), in characters.
pub const MAX_TEXT_CHARS: usize = 500;

/// At most [`MAX_TEXT_CHARS`] characters, no control characters but line breaks.
pub fn check_text(field: &'static str, s: &str) -> Result<(), DomainError> {
    if s.chars().count() > MAX_TEXT_CHARS {
        return Err(DomainError::TooLong {
            field,
            max: MAX_TEXT_CHARS,
        });
    }
    if s.chars().any(|c| c.is_control() && c != '\n') {
        return Err(DomainError::Invalid(format!(
            "{field} contains control characters"
        )));
    }
    Ok(())
}

/// Like [`check_text`], and not blank.
pub fn check_required(field: &'static str, s: &str) -> Result<(), DomainError> {
    if s.trim().is_empty() {
        return Err(DomainError::Invalid(format!("{field} is empty")));
    }
    check_text(field, s)
}

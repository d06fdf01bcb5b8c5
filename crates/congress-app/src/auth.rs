//! Who is calling: operator sessions (argon2 passwords, bearer tokens) and paired devices
//! (device tokens). Tokens are random 256-bit values; only their SHA-256 is stored.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use congress_domain::state::Operator;
use congress_proto::{Device, DeviceKind, OperatorRole};
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::AppState;
use crate::error::AppError;

/// A fresh random token (64 hex characters).
pub fn new_token() -> String {
    let mut b = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut b);
    hex::encode(b)
}

/// A fresh 8-digit pairing code.
pub fn new_pairing_code() -> String {
    let n = rand::rngs::OsRng.next_u64() % 100_000_000;
    format!("{n:08}")
}

/// A short random id with a prefix, e.g. `T-3f9a0c1e`.
pub fn new_id(prefix: &str) -> String {
    let mut b = [0u8; 4];
    rand::rngs::OsRng.fill_bytes(&mut b);
    format!("{prefix}-{}", hex::encode(b))
}

pub fn sha256_hex(s: &str) -> String {
    hex::encode(Sha256::digest(s.as_bytes()))
}

/// A readable random password for the demo operator.
pub fn new_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    let mut b = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut b);
    b.iter()
        .map(|x| ALPHABET[*x as usize % ALPHABET.len()] as char)
        .collect::<Vec<_>>()
        .chunks(4)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join("-")
}

pub fn hash_password(password: &str) -> Result<String, AppError> {
    let salt = SaltString::generate(&mut rand::rngs::OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AppError::Internal(format!("hashing failed: {e}")))
}

pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|h| {
            Argon2::default()
                .verify_password(password.as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false)
}

/// An authenticated caller.
#[derive(Debug, Clone)]
pub enum Caller {
    Operator {
        operator: Operator,
        token_hash: String,
    },
    Device(Device),
}

impl Caller {
    /// `operator:NAME` or `device:ID`, as recorded in the journal.
    pub fn actor(&self) -> String {
        match self {
            Caller::Operator { operator, .. } => format!("operator:{}", operator.username),
            Caller::Device(d) => format!("device:{}", d.id),
        }
    }

    /// The operator, if any role of theirs is in `roles` (admins may do everything).
    pub fn operator_with(&self, roles: &[OperatorRole]) -> Result<&Operator, AppError> {
        match self {
            Caller::Operator { operator, .. } if operator.has_any(roles) => Ok(operator),
            _ => Err(AppError::Forbidden),
        }
    }

    /// Any operator, whatever the role.
    pub fn any_operator(&self) -> Result<&Operator, AppError> {
        match self {
            Caller::Operator { operator, .. } => Ok(operator),
            _ => Err(AppError::Forbidden),
        }
    }

    pub fn device_of(&self, kind: DeviceKind) -> Result<&Device, AppError> {
        match self {
            Caller::Device(d) if d.kind == kind => Ok(d),
            _ => Err(AppError::Forbidden),
        }
    }
}

/// Resolves a raw token against the committed state.
pub fn authenticate(state: &AppState, token: &str) -> Result<Caller, AppError> {
    if token.is_empty() || token.len() > 200 {
        return Err(AppError::Unauthorized);
    }
    let hash = sha256_hex(token);
    let now = state.engine.now();
    state.engine.read(|s| {
        if let Some(op) = s.operator_for_session(&hash, now) {
            return Ok(Caller::Operator {
                operator: op.clone(),
                token_hash: hash.clone(),
            });
        }
        if let Some(d) = s.device_for_token(&hash) {
            return Ok(Caller::Device(d.clone()));
        }
        Err(AppError::Unauthorized)
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn passwords_verify_only_when_right() {
        let h = hash_password("đúng-mật-khẩu").unwrap();
        assert!(verify_password("đúng-mật-khẩu", &h));
        assert!(!verify_password("sai", &h));
        assert!(!verify_password("x", "not a hash"));
    }

    #[test]
    fn codes_and_tokens_have_their_shapes() {
        let c = new_pairing_code();
        assert_eq!(c.len(), 8);
        assert!(c.chars().all(|c| c.is_ascii_digit()));
        assert_eq!(new_token().len(), 64);
        assert_ne!(new_token(), new_token());
        assert_eq!(new_password().len(), 19);
    }
}

//! The one error type of the crate: every way an input can be refused.

use thiserror::Error;

/// Why an input (a ballot, a proof, a share, a board) was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum Error {
    /// The bytes end before the structure does, or go on after it.
    #[error("wrong length: {0}")]
    Length(&'static str),
    /// A group element that is not the canonical encoding of a ristretto255 point.
    #[error("not a canonical ristretto255 point: {0}")]
    Point(&'static str),
    /// A scalar that is not reduced modulo the group order.
    #[error("not a canonical scalar: {0}")]
    Scalar(&'static str),
    /// A point that must not be the identity (a public key, a commitment) is the identity.
    #[error("identity element not allowed: {0}")]
    Identity(&'static str),
    /// A version byte, a count or an index outside what the parameters allow.
    #[error("out of range: {0}")]
    Range(String),
    /// Parameters that make no sense (threshold above the number of members, min above max…).
    #[error("invalid parameters: {0}")]
    Params(String),
    /// The ballot was made for another vote (its fingerprint differs).
    #[error("ballot belongs to another vote")]
    WrongVote,
    /// A zero-knowledge proof does not verify.
    #[error("proof does not verify: {0}")]
    Proof(String),
    /// An Ed25519 signature does not verify (or a key is weak or malformed).
    #[error("signature does not verify: {0}")]
    Signature(&'static str),
    /// A DKG share does not match its dealer's commitments.
    #[error("share does not match the dealer's commitments")]
    BadShare,
    /// Fewer valid parts than the threshold needs (dealers, partial decryptions).
    #[error("not enough: {0}")]
    NotEnough(String),
    /// A decrypted count is larger than the bound given for the discrete logarithm.
    #[error("count above the bound {0}")]
    CountTooLarge(u64),
    /// A hex or base64 text field that does not decode.
    #[error("bad text encoding: {0}")]
    Text(String),
}

/// Results of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

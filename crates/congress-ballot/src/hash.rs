//! The hash inputs: Fiat–Shamir challenges (SHA-512 reduced modulo ℓ) and 32-byte fingerprints
//! (SHA-256), each starting with a length-prefixed domain-separation tag. Every tag of the
//! protocol is a constant here, so the list in `docs/ballot-crypto.md` can be checked against it.

use curve25519_dalek::scalar::Scalar;
use sha2::{Digest, Sha256, Sha512};

use crate::encoding::Writer;

/// Fingerprint of the counting board's setup (board id, threshold, members' keys).
pub const TAG_SETUP: &str = "congress-ballot/v1/setup";
/// Fingerprint of one vote: setup, vote id, question, joint public key.
pub const TAG_VOTE: &str = "congress-ballot/v1/vote";
/// Challenge of the proof that one option's ciphertext encrypts 0 or 1.
pub const TAG_BIT: &str = "congress-ballot/v1/bit";
/// Challenge of the proof that the weighted number of marks lies in [min, max].
pub const TAG_RANGE: &str = "congress-ballot/v1/range";
/// Message signed by the voter's credential: this tag then the ballot's body.
pub const TAG_BALLOT_SIGNATURE: &str = "congress-ballot/v1/ballot";
/// Challenge of a dealer's proof of knowledge of its constant term.
pub const TAG_POK: &str = "congress-ballot/v1/pok";
/// Message signed by a dealer over its Feldman commitments.
pub const TAG_DKG_COMMITMENTS: &str = "congress-ballot/v1/dkg-commitments";
/// Message signed by a dealer over one member's share.
pub const TAG_DKG_SHARE: &str = "congress-ballot/v1/dkg-share";
/// Challenge of the proof that a partial decryption is correct.
pub const TAG_DLEQ: &str = "congress-ballot/v1/dleq";

/// Starts a hash input: `u32be(len(tag)) || tag`.
pub fn tagged(tag: &str) -> Writer {
    let mut w = Writer::new();
    w.str(tag.as_bytes());
    w
}

/// The challenge: SHA-512 of the input, read little-endian, reduced modulo ℓ.
pub fn challenge(input: &Writer) -> Scalar {
    let digest: [u8; 64] = Sha512::digest(input.as_slice()).into();
    Scalar::from_bytes_mod_order_wide(&digest)
}

/// A fingerprint: SHA-256 of the input.
pub fn fingerprint(input: &Writer) -> [u8; 32] {
    Sha256::digest(input.as_slice()).into()
}

/// The message a signature covers: `u32be(len(tag)) || tag || body`.
pub fn signed_message(tag: &str, body: &[u8]) -> Vec<u8> {
    let mut w = tagged(tag);
    w.raw(body);
    w.finish()
}

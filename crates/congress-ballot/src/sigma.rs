//! The two small sigma proofs in challenge–response form (c, s): Schnorr's proof of knowledge of
//! a discrete logarithm (a dealer's constant term) and Chaum–Pedersen's proof of equality of
//! discrete logarithms (a partial decryption against the member's verification key). The
//! verifier recomputes the commitments and the challenge.

use curve25519_dalek::ristretto::RistrettoPoint;
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::VartimeMultiscalarMul;
use rand_core::{CryptoRng, RngCore};
use serde::{Deserialize, Serialize};
use zeroize::Zeroize;

use crate::elgamal::g_mul;
use crate::encoding::{Writer, decode_scalar};
use crate::error::{Error, Result};
use crate::wire::Hex32;

/// A proof (c, s) as it appears in JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChallengeResponse {
    /// The challenge.
    pub c: Hex32,
    /// The response s = w + c·x.
    pub s: Hex32,
}

impl ChallengeResponse {
    fn new(c: Scalar, s: Scalar) -> Self {
        Self {
            c: Hex32(c.to_bytes()),
            s: Hex32(s.to_bytes()),
        }
    }
    fn decode(&self) -> Result<(Scalar, Scalar)> {
        Ok((
            decode_scalar(&self.c.0, "proof challenge")?,
            decode_scalar(&self.s.0, "proof response")?,
        ))
    }
}

/// Proves knowledge of x with X = g^x. `hash(R)` returns the challenge for commitment R.
pub fn prove_pok<R: RngCore + CryptoRng>(
    rng: &mut R,
    x: &Scalar,
    hash: impl FnOnce(&RistrettoPoint) -> Scalar,
) -> ChallengeResponse {
    let mut w = Scalar::random(rng);
    let c = hash(&g_mul(&w));
    let proof = ChallengeResponse::new(c, w + c * x);
    w.zeroize(); // with (c, s) it gives x
    proof
}

/// Verifies a proof of knowledge of log_g X: R = g^s·X^{−c}, then c = hash(R).
pub fn verify_pok(
    proof: &ChallengeResponse,
    x: &RistrettoPoint,
    hash: impl FnOnce(&RistrettoPoint) -> Scalar,
) -> Result<()> {
    let (c, s) = proof.decode()?;
    let r = RistrettoPoint::vartime_double_scalar_mul_basepoint(&-c, x, &s);
    if hash(&r) == c {
        Ok(())
    } else {
        Err(Error::Proof("proof of knowledge".into()))
    }
}

/// Proves log_g X = log_A D (both x). `hash(R1, R2)` returns the challenge.
pub fn prove_dleq<R: RngCore + CryptoRng>(
    rng: &mut R,
    x: &Scalar,
    a: &RistrettoPoint,
    hash: impl FnOnce(&RistrettoPoint, &RistrettoPoint) -> Scalar,
) -> ChallengeResponse {
    let mut w = Scalar::random(rng);
    let c = hash(&g_mul(&w), &(a * w));
    let proof = ChallengeResponse::new(c, w + c * x);
    w.zeroize(); // with (c, s) it gives x
    proof
}

/// Verifies log_g X = log_A D: R1 = g^s·X^{−c}, R2 = A^s·D^{−c}, then c = hash(R1, R2).
pub fn verify_dleq(
    proof: &ChallengeResponse,
    x: &RistrettoPoint,
    a: &RistrettoPoint,
    d: &RistrettoPoint,
    hash: impl FnOnce(&RistrettoPoint, &RistrettoPoint) -> Scalar,
) -> Result<()> {
    let (c, s) = proof.decode()?;
    let r1 = RistrettoPoint::vartime_double_scalar_mul_basepoint(&-c, x, &s);
    let r2 = RistrettoPoint::vartime_multiscalar_mul([s, -c], [*a, *d]);
    if hash(&r1, &r2) == c {
        Ok(())
    } else {
        Err(Error::Proof("decryption proof".into()))
    }
}

/// Appends a point's canonical encoding to a hash input.
pub(crate) fn put(w: &mut Writer, p: &RistrettoPoint) {
    w.point(&p.compress());
}

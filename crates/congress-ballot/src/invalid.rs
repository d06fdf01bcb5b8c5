//! Negative test vectors, checked by both implementations: ballots for the first Rust vector's
//! vote that each break one rule (and are otherwise well signed), and credential keys that the
//! strict Ed25519 rules must refuse. Both verifiers must refuse every one.

use curve25519_dalek::edwards::CompressedEdwardsY;
use curve25519_dalek::scalar::Scalar;
use serde::{Deserialize, Serialize};

use crate::ballot::{Ballot, Selection};
use crate::credential::Credential;
use crate::error::{Error, Result};
use crate::hash::{TAG_BALLOT_SIGNATURE, signed_message};
use crate::params::VoteContext;
use crate::wire::{B64, Hex32};

/// A ballot that must be refused for the vote of `rust-vectors.json`'s first board.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InvalidBallot {
    /// The rule it breaks.
    pub name: String,
    /// How a verifier's error message starts when it refuses the ballot for that rule (both
    /// implementations word their errors alike).
    pub reason: String,
    /// Its bytes.
    pub ballot: B64,
}

/// A credential key and whether the strict rules accept it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyCase {
    /// What it is.
    pub name: String,
    /// The 32 bytes.
    pub key: Hex32,
    /// Whether it is a valid credential key.
    pub valid: bool,
}

/// The negative vectors file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InvalidVectors {
    /// A valid ballot of the same vote (the control).
    pub valid_ballot: B64,
    /// Ballots to refuse.
    pub ballots: Vec<InvalidBallot>,
    /// Keys to check.
    pub keys: Vec<KeyCase>,
}

/// Re-signs a ballot body with `c` and returns the bytes.
fn signed(body: Vec<u8>, c: &Credential) -> Vec<u8> {
    let sig = c.sign(&signed_message(TAG_BALLOT_SIGNATURE, &body));
    let mut out = body;
    out.extend_from_slice(&sig);
    out
}

/// Adds 1 to the scalar at `off` (mod ℓ).
fn bump(bytes: &mut [u8], off: usize) -> Result<()> {
    let mut b = [0u8; 32];
    b.copy_from_slice(bytes.get(off..off + 32).ok_or(Error::Length("offset"))?);
    let s = crate::encoding::decode_scalar(&b, "s")? + Scalar::ONE;
    bytes[off..off + 32].copy_from_slice(s.as_bytes());
    Ok(())
}

/// x + ℓ as 32 little-endian bytes (fits: x < ℓ < 2^253).
fn plus_l(x: &[u8]) -> [u8; 32] {
    let l = (-Scalar::ONE).to_bytes();
    let mut out = [0u8; 32];
    let mut carry = 1u16; // (ℓ − 1) + 1
    for i in 0..32 {
        let v = u16::from(x[i]) + u16::from(l[i]) + carry;
        out[i] = (v & 0xff) as u8;
        carry = v >> 8;
    }
    out
}

/// A well-formed ballot, well signed by `voter`, whose first bit proof does not verify: what a
/// forged tablet would send. Only the full verification finds it (the server's tests of
/// ballots verified after their acks).
pub fn ballot_with_bad_proof<R: rand_core::RngCore + rand_core::CryptoRng>(
    rng: &mut R,
    ctx: &VoteContext,
    voter: &Credential,
    selection: &Selection,
) -> Result<Vec<u8>> {
    let good = Ballot::cast(rng, ctx, voter, selection)?;
    let mut body = good.body();
    let bits = 1 + 32 + 32 + 2 + good.ciphertexts.len() * 64;
    bump(&mut body, bits + 4 * 32 + 32)?;
    Ok(signed(body, voter))
}

/// Builds the negative vectors for the vote `ctx` (5 candidates, 2 seats), using the credential
/// `voter` and `other` (a second key), with `rng` for fresh ballots.
pub fn invalid_vectors<R: rand_core::RngCore + rand_core::CryptoRng>(
    rng: &mut R,
    ctx: &VoteContext,
    other_ctx: &VoteContext,
    voter: &Credential,
    other: &Credential,
) -> Result<InvalidVectors> {
    let good = Ballot::cast(rng, ctx, voter, &Selection::Options(vec![0, 3]))?;
    let body = good.body();
    let n = good.ciphertexts.len();
    let bits = 1 + 32 + 32 + 2 + n * 64;
    let range = bits + n * 224 + 2;
    let mut cases: Vec<(&str, &str, Vec<u8>)> = Vec::new();

    let mut b = body.clone();
    b[67..99].fill(0xff);
    cases.push((
        "alpha is not a canonical point",
        "not a canonical ristretto255 point",
        signed(b, voter),
    ));
    let mut b = body.clone();
    b[67 + 32..67 + 64].copy_from_slice(&[
        0xec, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0xff, 0x7f,
    ]);
    cases.push((
        "beta is p - 1, not a canonical point",
        "not a canonical ristretto255 point",
        signed(b, voter),
    ));
    let mut b = body.clone();
    let s0 = bits + 4 * 32 + 32;
    let big = plus_l(&b[s0..s0 + 32]);
    b[s0..s0 + 32].copy_from_slice(&big);
    cases.push((
        "bit proof response not reduced (s + l)",
        "not a canonical scalar",
        signed(b, voter),
    ));
    let mut b = body.clone();
    bump(&mut b, s0)?;
    cases.push((
        "bit proof response changed",
        "proof does not verify",
        signed(b, voter),
    ));
    let mut b = body.clone();
    bump(&mut b, bits + 4 * 32)?;
    cases.push((
        "bit proof challenge changed",
        "proof does not verify",
        signed(b, voter),
    ));
    let mut b = body.clone();
    let m = good.range.branches();
    bump(&mut b, range + m * 64 + (m - 1) * 32)?;
    cases.push((
        "range proof response changed",
        "proof does not verify",
        signed(b, voter),
    ));

    // Three names kept for two seats: a third slot's 1-ciphertext and proof from another ballot.
    let third = Ballot::cast(rng, ctx, voter, &Selection::Options(vec![4]))?;
    let mut over = good.clone();
    over.ciphertexts[4] = third.ciphertexts[4];
    over.bits[4] = third.bits[4].clone();
    cases.push((
        "three names kept for two seats",
        "proof does not verify",
        signed(over.body(), voter),
    ));

    let mut stolen = good.clone();
    stolen.credential = other.public();
    cases.push((
        "proofs taken over under another credential",
        "proof does not verify",
        signed(stolen.body(), other),
    ));

    let full = good.to_bytes().to_vec();
    let len = full.len();
    let mut b = full.clone();
    let s_big = plus_l(&full[len - 32..]);
    b[len - 32..].copy_from_slice(&s_big);
    cases.push(("signature S + l", "signature does not verify", b));
    let mut b = full.clone();
    b[len - 64] ^= 1;
    cases.push(("signature R changed", "signature does not verify", b));
    let mut b = full.clone();
    b[0] = 2;
    cases.push(("version 2", "out of range", b));
    cases.push(("truncated", "wrong length", full[..len - 1].to_vec()));
    let mut b = full.clone();
    b.push(0);
    cases.push(("trailing byte", "wrong length", b));
    let mut b = body.clone();
    b[66] -= 1;
    cases.push((
        "slot count one less (the rest no longer parses)",
        "not a canonical scalar",
        signed(b, voter),
    ));
    let motion = Ballot::cast(rng, other_ctx, voter, &Selection::Options(vec![0]))?;
    cases.push((
        "a ballot of another vote",
        "ballot belongs to another vote",
        motion.to_bytes().to_vec(),
    ));
    let mut b = body.clone();
    b[33..65].copy_from_slice(&identity_key());
    cases.push((
        "credential of small order",
        "signature does not verify",
        signed(b, voter),
    ));

    let ballots = cases
        .into_iter()
        .map(|(n, r, b)| InvalidBallot {
            name: n.into(),
            reason: r.into(),
            ballot: B64(b),
        })
        .collect();
    let keys = vec![
        KeyCase {
            name: "a real key".into(),
            key: Hex32(voter.public()),
            valid: true,
        },
        KeyCase {
            name: "identity (small order)".into(),
            key: Hex32(identity_key()),
            valid: false,
        },
        KeyCase {
            name: "y = p - 1 (order 2)".into(),
            key: Hex32(order2()),
            valid: false,
        },
        KeyCase {
            name: "key plus a 2-torsion point (mixed order)".into(),
            key: Hex32(mixed(&voter.public())?),
            valid: false,
        },
        KeyCase {
            name: "y >= p (non-canonical)".into(),
            key: Hex32(non_canonical()),
            valid: false,
        },
    ];
    Ok(InvalidVectors {
        valid_ballot: B64(good.to_bytes().to_vec()),
        ballots,
        keys,
    })
}

fn identity_key() -> [u8; 32] {
    let mut k = [0u8; 32];
    k[0] = 1;
    k
}

fn order2() -> [u8; 32] {
    let mut k = [0xffu8; 32];
    k[0] = 0xec;
    k[31] = 0x7f;
    k
}

fn non_canonical() -> [u8; 32] {
    // y = p + 1 ≡ 1 would be the identity; y = p + 4: 2^255 − 15, a value ≥ p.
    let mut k = [0xffu8; 32];
    k[0] = 0xf1;
    k[31] = 0x7f;
    k
}

fn mixed(public: &[u8; 32]) -> Result<[u8; 32]> {
    let a = CompressedEdwardsY(*public)
        .decompress()
        .ok_or(Error::Signature("key"))?;
    let t = CompressedEdwardsY(order2())
        .decompress()
        .ok_or(Error::Signature("torsion"))?;
    Ok((a + t).compress().to_bytes())
}

/// The negative vectors for `rust-vectors.json` (deterministic).
pub fn rust_invalid_vectors() -> Result<InvalidVectors> {
    let (vectors, voters, mut rng) = crate::testkit::rust_scenario()?;
    let ctx = |i: usize| -> Result<VoteContext> {
        let b = &vectors.get(i).ok_or(Error::Length("vectors"))?.board;
        VoteContext::new(b.setup.clone(), b.vote.clone(), &b.joint_public_key.0)
    };
    let voter = voters.first().ok_or(Error::Length("voters"))?;
    let other = voters.get(1).ok_or(Error::Length("voters"))?;
    invalid_vectors(&mut rng, &ctx(0)?, &ctx(1)?, voter, other)
}

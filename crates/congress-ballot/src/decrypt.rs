//! Threshold decryption of the homomorphic tally: each member's partial decryption D = α^{x_j}
//! with a Chaum–Pedersen proof against its verification key, the Lagrange combination of the
//! valid partials, and the small discrete logarithm (baby-step giant-step) of each count.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use curve25519_dalek::constants::RISTRETTO_BASEPOINT_POINT;
use curve25519_dalek::ristretto::{CompressedRistretto, RistrettoPoint};
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::{Identity, VartimeMultiscalarMul};
use rand_core::{CryptoRng, RngCore};
use serde::{Deserialize, Serialize};

use crate::ballot::Ballot;
use crate::dkg::{KeyShare, Qualified};
use crate::elgamal::Ciphertext;
use crate::encoding::decode_point;
use crate::error::{Error, Result};
use crate::hash::{TAG_DLEQ, challenge, tagged};
use crate::params::VoteContext;
use crate::sigma::{self, ChallengeResponse, put};
use crate::verify::verify_and_tally;
use crate::wire::Hex32;

/// One member's contribution: a decryption factor and its proof per slot of the tally.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PartialDecryption {
    /// The member's index.
    pub member: u16,
    /// D_i = α_i^{x_j} per slot.
    pub factors: Vec<Hex32>,
    /// Proof that log_g VK_j = log_{α_i} D_i, per slot.
    pub proofs: Vec<ChallengeResponse>,
}

#[allow(clippy::too_many_arguments)]
fn dleq_challenge(
    vote: &[u8; 32],
    member: u16,
    slot: usize,
    vk: &RistrettoPoint,
    alpha: &RistrettoPoint,
    d: &RistrettoPoint,
    r1: &RistrettoPoint,
    r2: &RistrettoPoint,
) -> Scalar {
    let mut w = tagged(TAG_DLEQ);
    w.raw(vote).u16(member).u32(slot as u32);
    for p in [vk, alpha, d, r1, r2] {
        put(&mut w, p);
    }
    challenge(&w)
}

/// A member decrypts its part of the tally (constant time in the key share).
///
/// **Never call this on a tally handed over by someone else.** Decrypting is an oracle: given
/// one ballot's ciphertexts, or the sum of a chosen subset, as "the tally", t devices that
/// comply reveal those ballots. A member's device uses [`partial_decrypt_ballots`], which sums
/// the closed list of ballots itself after verifying them, and decrypts once per vote.
pub fn partial_decrypt<R: RngCore + CryptoRng>(
    rng: &mut R,
    ctx: &VoteContext,
    share: &KeyShare,
    tally: &[Ciphertext],
) -> PartialDecryption {
    let x = share.secret();
    let vk = crate::elgamal::g_mul(x);
    let mut factors = Vec::with_capacity(tally.len());
    let mut proofs = Vec::with_capacity(tally.len());
    for (i, ct) in tally.iter().enumerate() {
        let d = ct.alpha * x;
        proofs.push(sigma::prove_dleq(rng, x, &ct.alpha, |r1, r2| {
            dleq_challenge(&ctx.fingerprint, share.index, i, &vk, &ct.alpha, &d, r1, r2)
        }));
        factors.push(Hex32(d.compress().to_bytes()));
    }
    PartialDecryption {
        member: share.index,
        factors,
        proofs,
    }
}

/// The tally a member's device computed itself, and its partial decryption of it.
pub type MemberDecryption = (Vec<Ciphertext>, PartialDecryption);

/// What a member's device does at the close: verifies every ballot of the closed list (shape,
/// signature, proofs; one ballot per credential, each in `registered`), sums them itself, and
/// only then decrypts that sum. Returns the tally (to compare with the one the server will
/// publish) and the partial decryption, or every ballot refused. The device must still refuse
/// to decrypt a second list for the same vote: two sums differing by one ballot reveal it.
pub fn partial_decrypt_ballots<R: RngCore + CryptoRng>(
    rng: &mut R,
    ctx: &VoteContext,
    share: &KeyShare,
    ballots: &[&Ballot],
    registered: &BTreeSet<[u8; 32]>,
    threads: usize,
) -> Result<MemberDecryption, Vec<(usize, Error)>> {
    let mut bad = Vec::new();
    let mut seen = BTreeMap::new();
    for (i, b) in ballots.iter().enumerate() {
        if !registered.contains(&b.credential) {
            bad.push((i, Error::Params("credential not registered".into())));
        }
        if let Some(first) = seen.insert(b.credential, i) {
            bad.push((
                i,
                Error::Params(format!("credential already used by ballot {first}")),
            ));
        }
    }
    match verify_and_tally(ctx, ballots, threads) {
        Ok(tally) if bad.is_empty() => {
            let p = partial_decrypt(rng, ctx, share, &tally);
            Ok((tally, p))
        }
        Ok(_) => Err(bad),
        Err(more) => {
            bad.extend(more);
            Err(bad)
        }
    }
}

/// Checks a partial decryption against the member's verification key; returns the factors.
pub fn verify_partial(
    ctx: &VoteContext,
    q: &Qualified,
    tally: &[Ciphertext],
    p: &PartialDecryption,
) -> Result<Vec<RistrettoPoint>> {
    if ctx.setup.member(p.member).is_none() {
        return Err(Error::Range(format!("member {}", p.member)));
    }
    if p.factors.len() != tally.len() || p.proofs.len() != tally.len() {
        return Err(Error::Length("partial decryption slots"));
    }
    let vk = q.verification_key(p.member);
    let mut out = Vec::with_capacity(tally.len());
    for (i, ((f, proof), ct)) in p.factors.iter().zip(&p.proofs).zip(tally).enumerate() {
        let d = decode_point(&CompressedRistretto(f.0), "decryption factor")?;
        sigma::verify_dleq(proof, &vk, &ct.alpha, &d, |r1, r2| {
            dleq_challenge(&ctx.fingerprint, p.member, i, &vk, &ct.alpha, &d, r1, r2)
        })?;
        out.push(d);
    }
    Ok(out)
}

/// λ_j = Π_{k ≠ j} k / (k − j) for the distinct indices given (interpolation at 0).
pub fn lagrange_at_zero(indices: &[u16]) -> Result<Vec<Scalar>> {
    let distinct: std::collections::BTreeSet<u16> = indices.iter().copied().collect();
    if distinct.len() != indices.len() || distinct.contains(&0) {
        return Err(Error::Params(
            "indices must be distinct and non-zero".into(),
        ));
    }
    let mut out = Vec::with_capacity(indices.len());
    for &j in indices {
        let (mut num, mut den) = (Scalar::ONE, Scalar::ONE);
        for &k in indices {
            if k == j {
                continue;
            }
            num *= Scalar::from(u64::from(k));
            den *= Scalar::from(u64::from(k)) - Scalar::from(u64::from(j));
        }
        if den == Scalar::ZERO || j == 0 {
            return Err(Error::Params(
                "indices must be distinct and non-zero".into(),
            ));
        }
        out.push(num * den.invert());
    }
    Ok(out)
}

/// g^{m_i} = β_i − Σ_j λ_j·D_{j,i} over the given partials (at least `threshold`, distinct).
pub fn combine(
    tally: &[Ciphertext],
    partials: &BTreeMap<u16, Vec<RistrettoPoint>>,
    threshold: u16,
) -> Result<Vec<RistrettoPoint>> {
    if partials.len() < usize::from(threshold) {
        return Err(Error::NotEnough(format!(
            "{} partial decryptions, threshold {threshold}",
            partials.len()
        )));
    }
    let indices: Vec<u16> = partials.keys().copied().collect();
    let lambdas = lagrange_at_zero(&indices)?;
    let mut out = Vec::with_capacity(tally.len());
    for (i, ct) in tally.iter().enumerate() {
        let mut ds = Vec::with_capacity(indices.len());
        for f in partials.values() {
            ds.push(*f.get(i).ok_or(Error::Length("partial decryption slots"))?);
        }
        let combined = RistrettoPoint::vartime_multiscalar_mul(lambdas.iter(), ds.iter());
        out.push(ct.beta - combined);
    }
    Ok(out)
}

/// Finds m ≤ bound with g^m = P for each point (baby-step giant-step, √bound table).
pub fn discrete_logs(points: &[RistrettoPoint], bound: u64) -> Result<Vec<u64>> {
    let step = ((bound as f64).sqrt() as u64 + 1).max(1);
    let mut table: HashMap<[u8; 32], u64> = HashMap::with_capacity(step as usize);
    let mut p = RistrettoPoint::identity();
    for j in 0..step {
        table.insert(p.compress().to_bytes(), j);
        p += RISTRETTO_BASEPOINT_POINT;
    }
    let giant = -(RISTRETTO_BASEPOINT_POINT * Scalar::from(step));
    points
        .iter()
        .map(|target| {
            let mut cur = *target;
            let mut i = 0u64;
            while i * step <= bound {
                if let Some(j) = table.get(&cur.compress().to_bytes()) {
                    let m = i * step + j;
                    return if m <= bound {
                        Ok(m)
                    } else {
                        Err(Error::CountTooLarge(bound))
                    };
                }
                cur += giant;
                i += 1;
            }
            Err(Error::CountTooLarge(bound))
        })
        .collect()
}

/// The result of the decryption step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decrypted {
    /// The count per slot (options, then blank).
    pub counts: Vec<u64>,
    /// Members whose partials were valid and used.
    pub used: Vec<u16>,
    /// Partials refused (member, reason); a valid set needs only t of them.
    pub rejected: Vec<(u16, String)>,
}

/// Verifies the partials, keeps the valid ones (first per member), combines them and solves
/// each count (≤ `bound`, e.g. the number of ballots times the largest slot weight).
pub fn decrypt_tally(
    ctx: &VoteContext,
    q: &Qualified,
    tally: &[Ciphertext],
    partials: &[PartialDecryption],
    bound: u64,
) -> Result<Decrypted> {
    let mut valid = BTreeMap::new();
    let mut rejected = Vec::new();
    for p in partials {
        if valid.contains_key(&p.member) {
            rejected.push((p.member, "duplicate".into()));
            continue;
        }
        match verify_partial(ctx, q, tally, p) {
            Ok(f) => {
                valid.insert(p.member, f);
            }
            Err(e) => rejected.push((p.member, e.to_string())),
        }
    }
    let points = combine(tally, &valid, ctx.setup.threshold)?;
    Ok(Decrypted {
        counts: discrete_logs(&points, bound)?,
        used: valid.keys().copied().collect(),
        rejected,
    })
}

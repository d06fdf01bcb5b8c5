//! The disjunctive Chaum–Pedersen proof (Cramer–Damgård–Schoenmakers OR-composition) that an
//! ElGamal ciphertext encrypts one of the consecutive integers lo..=hi, in commitment form so it
//! can be batch-verified. Used with {0, 1} for each option and with [min, max] for the weighted
//! number of marks. The challenge is computed by the caller (it knows the context).

use curve25519_dalek::ristretto::{CompressedRistretto, RistrettoPoint};
use curve25519_dalek::scalar::Scalar;
use rand_core::{CryptoRng, RngCore};
use subtle::{ConditionallySelectable, ConstantTimeEq};
use zeroize::Zeroize;

use crate::batch::Msm;
use crate::elgamal::{PublicKey, g_mul};
use crate::encoding::{Reader, Writer, decode_point};
use crate::error::{Error, Result};

/// A proof that (α, β) encrypts some v in lo..=hi. Branch j is about v = lo + j.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisjunctiveProof {
    /// (A_j, B_j) per branch: A_j = g^{w_j}, B_j = y^{w_j} for the true branch.
    pub commitments: Vec<(CompressedRistretto, CompressedRistretto)>,
    /// c_0..c_{m−2}; the last is c − Σ of these, c being the Fiat–Shamir challenge.
    pub challenges: Vec<Scalar>,
    /// s_j = w_j + c_j·r per branch.
    pub responses: Vec<Scalar>,
}

impl DisjunctiveProof {
    /// Branches (m = hi − lo + 1).
    pub fn branches(&self) -> usize {
        self.commitments.len()
    }

    /// Appends m × (A, B), (m−1) × c, m × s.
    pub fn write(&self, w: &mut Writer) {
        for (a, b) in &self.commitments {
            w.point(a).point(b);
        }
        for c in &self.challenges {
            w.scalar(c);
        }
        for s in &self.responses {
            w.scalar(s);
        }
    }

    /// Reads a proof of `m ≥ 1` branches.
    pub fn read(r: &mut Reader<'_>, m: usize) -> Result<Self> {
        let mut commitments = Vec::with_capacity(m);
        for _ in 0..m {
            commitments.push((r.point("proof commitment")?, r.point("proof commitment")?));
        }
        let mut challenges = Vec::with_capacity(m.saturating_sub(1));
        for _ in 1..m {
            challenges.push(r.scalar("proof challenge")?);
        }
        let mut responses = Vec::with_capacity(m);
        for _ in 0..m {
            responses.push(r.scalar("proof response")?);
        }
        Ok(Self {
            commitments,
            challenges,
            responses,
        })
    }

    /// Appends the commitments to a hash input.
    pub fn write_commitments(
        commitments: &[(CompressedRistretto, CompressedRistretto)],
        w: &mut Writer,
    ) {
        for (a, b) in commitments {
            w.point(a).point(b);
        }
    }
}

/// Proves that y-encryption with randomness `r` of `m` lies in lo..=hi (`m` must lie there).
/// `challenge` hashes the commitments in context. Every branch costs the same fixed-base
/// multiplications and the true branch is chosen by constant-time selection.
pub fn prove<R: RngCore + CryptoRng>(
    rng: &mut R,
    key: &PublicKey,
    r: &Scalar,
    m: u64,
    lo: u64,
    hi: u64,
    challenge: impl FnOnce(&[(CompressedRistretto, CompressedRistretto)]) -> Scalar,
) -> DisjunctiveProof {
    let count = (hi - lo + 1) as usize;
    let mut commitments = Vec::with_capacity(count);
    let mut cs = Vec::with_capacity(count);
    let mut ss = Vec::with_capacity(count);
    let mut w_real = Scalar::ZERO;
    let m_s = Scalar::from(m);
    for j in 0..count {
        let v = lo + j as u64;
        let real = v.ct_eq(&m);
        let w = Scalar::random(rng);
        let c = Scalar::random(rng);
        let s = Scalar::random(rng);
        // Simulated: A = g^{s − c·r}, B = y^{s − c·r}·g^{c·(v − m)}; real: A = g^w, B = y^w.
        let e = Scalar::conditional_select(&(s - c * r), &w, real);
        let f = Scalar::conditional_select(&(c * (Scalar::from(v) - m_s)), &Scalar::ZERO, real);
        let a = g_mul(&e);
        let b = key.mul(&e) + g_mul(&f);
        commitments.push((a.compress(), b.compress()));
        w_real.conditional_assign(&w, real);
        cs.push(Scalar::conditional_select(&c, &Scalar::ZERO, real));
        ss.push(s);
    }
    let c = challenge(&commitments);
    let others: Scalar = cs.iter().sum();
    let c_real = c - others;
    let s_real = w_real + c_real * r;
    for j in 0..count {
        let real = (lo + j as u64).ct_eq(&m);
        cs[j].conditional_assign(&c_real, real);
        ss[j].conditional_assign(&s_real, real);
    }
    cs.pop();
    // With the published s and c of the true branch, its nonce gives r, hence the vote.
    w_real.zeroize();
    DisjunctiveProof {
        commitments,
        challenges: cs,
        responses: ss,
    }
}

/// Adds the proof's 2m equations, with random weights, to `msm`:
/// g^{s_j} = A_j·α^{c_j} and y^{s_j} = B_j·(β·g^{−v_j})^{c_j}. Returns the coefficients that
/// the caller must give to α and β (which may be combinations of several ciphertexts).
pub(crate) fn add_to_batch(
    msm: &mut Msm,
    proof: &DisjunctiveProof,
    c: &Scalar,
    lo: u64,
) -> Result<(Scalar, Scalar)> {
    let m = proof.branches();
    if m == 0 || proof.challenges.len() + 1 != m || proof.responses.len() != m {
        return Err(Error::Length("proof branches"));
    }
    let last = c - proof.challenges.iter().sum::<Scalar>();
    let mut coef_alpha = Scalar::ZERO;
    let mut coef_beta = Scalar::ZERO;
    for (j, ((a, b), s)) in proof.commitments.iter().zip(&proof.responses).enumerate() {
        let cj = proof.challenges.get(j).copied().unwrap_or(last);
        let v = Scalar::from(lo + j as u64);
        let a: RistrettoPoint = decode_point(a, "proof commitment")?;
        let b: RistrettoPoint = decode_point(b, "proof commitment")?;
        let z1 = msm.weight();
        let z2 = msm.weight();
        msm.g += z1 * s + z2 * cj * v;
        msm.y += z2 * s;
        msm.push(-z1, a);
        msm.push(-z2, b);
        coef_alpha -= z1 * cj;
        coef_beta -= z2 * cj;
    }
    Ok((coef_alpha, coef_beta))
}

//! Batch verification: many verification equations `Σ sᵢ·Pᵢ = 0` folded into one vartime
//! multiscalar multiplication with random weights. The weights come from a ChaCha20 stream seeded
//! with a hash of everything being verified, so a verifier needs no entropy source and a prover
//! cannot predict them without fixing its proofs first.

use curve25519_dalek::constants::RISTRETTO_BASEPOINT_POINT;
use curve25519_dalek::ristretto::RistrettoPoint;
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::{IsIdentity, VartimeMultiscalarMul};
use rand_chacha::ChaCha20Rng;
use rand_core::{RngCore, SeedableRng};
use sha2::{Digest, Sha256};

/// One multiscalar equation under construction: coefficients of g and y, then other points.
#[derive(Debug)]
pub(crate) struct Msm {
    /// Coefficient of the base point g.
    pub g: Scalar,
    /// Coefficient of the joint public key y.
    pub y: Scalar,
    scalars: Vec<Scalar>,
    points: Vec<RistrettoPoint>,
    rng: ChaCha20Rng,
}

impl Msm {
    /// An empty equation whose weights are drawn from a stream seeded by `seed_parts`.
    pub fn new<'a>(seed_parts: impl IntoIterator<Item = &'a [u8]>, capacity: usize) -> Self {
        let mut h = Sha256::new();
        h.update(b"congress-ballot/v1/batch-weights");
        for p in seed_parts {
            h.update((p.len() as u64).to_be_bytes());
            h.update(p);
        }
        let seed: [u8; 32] = h.finalize().into();
        Self {
            g: Scalar::ZERO,
            y: Scalar::ZERO,
            scalars: Vec::with_capacity(capacity),
            points: Vec::with_capacity(capacity),
            rng: ChaCha20Rng::from_seed(seed),
        }
    }

    /// A fresh random weight (128 bits are enough for soundness 2^-128; we use 128).
    pub fn weight(&mut self) -> Scalar {
        let mut b = [0u8; 32];
        self.rng.fill_bytes(&mut b[..16]);
        Scalar::from_bytes_mod_order(b)
    }

    /// Adds `s·P` to the equation.
    pub fn push(&mut self, s: Scalar, p: RistrettoPoint) {
        self.scalars.push(s);
        self.points.push(p);
    }

    /// Whether the whole sum is the identity.
    pub fn holds(self, y: &RistrettoPoint) -> bool {
        let scalars = self.scalars.into_iter().chain([self.g, self.y]);
        let points = self
            .points
            .into_iter()
            .chain([RISTRETTO_BASEPOINT_POINT, *y]);
        RistrettoPoint::vartime_multiscalar_mul(scalars, points).is_identity()
    }
}

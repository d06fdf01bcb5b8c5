//! Exponential ElGamal on ristretto255: the election public key, ciphertexts (α = g^r,
//! β = y^r·g^m) and their homomorphic sum. Encryption uses constant-time fixed-base tables for
//! both g and y, since r and m are secret.

use curve25519_dalek::constants::RISTRETTO_BASEPOINT_TABLE;
use curve25519_dalek::ristretto::{CompressedRistretto, RistrettoBasepointTable, RistrettoPoint};
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::Identity;

use crate::encoding::{Reader, Writer, decode_key, decode_point};
use crate::error::Result;

/// g, the ristretto255 base point, times a scalar (constant time).
pub fn g_mul(s: &Scalar) -> RistrettoPoint {
    RISTRETTO_BASEPOINT_TABLE * s
}

/// The joint public key y = g^x of the counting board, with a fixed-base table for fast,
/// constant-time y^r.
#[derive(Clone)]
pub struct PublicKey {
    point: RistrettoPoint,
    compressed: CompressedRistretto,
    table: Box<RistrettoBasepointTable>,
}

impl std::fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PublicKey({})", hex::encode(self.compressed.as_bytes()))
    }
}

impl PartialEq for PublicKey {
    fn eq(&self, other: &Self) -> bool {
        self.compressed == other.compressed
    }
}

impl PublicKey {
    /// From a point (must not be the identity).
    pub fn from_point(point: RistrettoPoint) -> Result<Self> {
        Self::from_bytes(&point.compress().to_bytes())
    }
    /// From its 32-byte canonical encoding; the identity is refused.
    pub fn from_bytes(bytes: &[u8; 32]) -> Result<Self> {
        let compressed = CompressedRistretto(*bytes);
        let point = decode_key(&compressed, "public key")?;
        Ok(Self {
            point,
            compressed,
            table: Box::new(RistrettoBasepointTable::create(&point)),
        })
    }
    /// The point y.
    pub fn point(&self) -> &RistrettoPoint {
        &self.point
    }
    /// Its encoding.
    pub fn compressed(&self) -> &CompressedRistretto {
        &self.compressed
    }
    /// y^s, constant time.
    pub fn mul(&self, s: &Scalar) -> RistrettoPoint {
        &*self.table * s
    }
    /// Encrypts the small integer `m` with randomness `r`.
    pub fn encrypt(&self, m: u64, r: &Scalar) -> Ciphertext {
        Ciphertext {
            alpha: g_mul(r),
            beta: self.mul(r) + g_mul(&Scalar::from(m)),
        }
    }
}

/// An exponential ElGamal ciphertext (α, β).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ciphertext {
    /// α = g^r.
    pub alpha: RistrettoPoint,
    /// β = y^r · g^m.
    pub beta: RistrettoPoint,
}

impl Default for Ciphertext {
    fn default() -> Self {
        Self::zero()
    }
}

impl Ciphertext {
    /// The neutral element (an encryption of 0 with r = 0): the start of a sum.
    pub fn zero() -> Self {
        Self {
            alpha: RistrettoPoint::identity(),
            beta: RistrettoPoint::identity(),
        }
    }
    /// The homomorphic sum: encrypts the sum of the two plaintexts.
    pub fn add(&self, other: &Ciphertext) -> Ciphertext {
        Ciphertext {
            alpha: self.alpha + other.alpha,
            beta: self.beta + other.beta,
        }
    }
    /// The ciphertext times a public scalar: encrypts `k·m`.
    pub fn scale(&self, k: &Scalar) -> Ciphertext {
        Ciphertext {
            alpha: self.alpha * k,
            beta: self.beta * k,
        }
    }
    /// The 64-byte encoding α || β.
    pub fn to_bytes(&self) -> [u8; 64] {
        let mut out = [0u8; 64];
        out[..32].copy_from_slice(self.alpha.compress().as_bytes());
        out[32..].copy_from_slice(self.beta.compress().as_bytes());
        out
    }
    /// From α || β (canonical points; the identity is allowed).
    pub fn from_bytes(bytes: &[u8; 64]) -> Result<Self> {
        let mut r = Reader::new(bytes);
        let a = r.point("ciphertext alpha")?;
        let b = r.point("ciphertext beta")?;
        Ok(Self {
            alpha: decode_point(&a, "ciphertext alpha")?,
            beta: decode_point(&b, "ciphertext beta")?,
        })
    }
    /// Appends α || β.
    pub fn write(&self, w: &mut Writer) {
        w.raw(&self.to_bytes());
    }
}

/// The sum of many ciphertexts, slot by slot (all of one length).
pub fn sum_slots<'a>(
    slots: usize,
    items: impl IntoIterator<Item = &'a [Ciphertext]>,
) -> Vec<Ciphertext> {
    let mut acc = vec![Ciphertext::zero(); slots];
    for cts in items {
        for (a, c) in acc.iter_mut().zip(cts) {
            *a = a.add(c);
        }
    }
    acc
}

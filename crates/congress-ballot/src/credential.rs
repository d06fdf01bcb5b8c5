//! Ed25519 credentials and signatures (RFC 8032, via ed25519-dalek), with one strict rule set
//! that the TypeScript verifier applies identically: canonical encodings of A and R, neither of
//! small order, both torsion-free, S < ℓ. Under these rules cofactored and cofactorless
//! verification agree, so two independent verifiers cannot disagree on a crafted signature.

use curve25519_dalek::edwards::CompressedEdwardsY;
use curve25519_dalek::scalar::Scalar;
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use rand_core::{CryptoRng, RngCore};

use crate::error::{Error, Result};

/// A signing key: a tablet's voting credential, or a board member's device key.
pub struct Credential {
    key: SigningKey,
}

impl std::fmt::Debug for Credential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Credential(public {})", hex::encode(self.public()))
    }
}

impl Credential {
    /// A new random credential.
    pub fn generate<R: RngCore + CryptoRng>(rng: &mut R) -> Self {
        let mut seed = [0u8; 32];
        rng.fill_bytes(&mut seed);
        Self::from_seed(&seed)
    }
    /// From its 32-byte RFC 8032 seed (what the tablet stores).
    pub fn from_seed(seed: &[u8; 32]) -> Self {
        Self {
            key: SigningKey::from_bytes(seed),
        }
    }
    /// The 32-byte seed (secret).
    pub fn seed(&self) -> [u8; 32] {
        self.key.to_bytes()
    }
    /// The 32-byte public key that is registered.
    pub fn public(&self) -> [u8; 32] {
        self.key.verifying_key().to_bytes()
    }
    /// Signs `message` (deterministic, RFC 8032).
    pub fn sign(&self, message: &[u8]) -> [u8; 64] {
        self.key.sign(message).to_bytes()
    }
}

/// Checks that 32 bytes are a canonical, torsion-free Edwards point of large order.
fn strict_point(bytes: &[u8; 32], what: &'static str) -> Result<()> {
    let c = CompressedEdwardsY(*bytes);
    let p = c.decompress().ok_or(Error::Signature(what))?;
    if p.compress() != c || p.is_small_order() || !p.is_torsion_free() {
        return Err(Error::Signature(what));
    }
    Ok(())
}

/// Checks that a public key is acceptable as a credential (the same rules as for signatures).
pub fn check_public_key(public: &[u8; 32]) -> Result<()> {
    strict_point(public, "public key is not canonical, or weak")
}

/// Verifies an Ed25519 signature under the strict rules above.
pub fn verify(public: &[u8; 32], message: &[u8], signature: &[u8; 64]) -> Result<()> {
    check_public_key(public)?;
    let mut r = [0u8; 32];
    r.copy_from_slice(&signature[..32]);
    strict_point(&r, "signature R is not canonical, or weak")?;
    let mut s = [0u8; 32];
    s.copy_from_slice(&signature[32..]);
    if Option::<Scalar>::from(Scalar::from_canonical_bytes(s)).is_none() {
        return Err(Error::Signature("signature S is not reduced"));
    }
    let vk = VerifyingKey::from_bytes(public).map_err(|_| Error::Signature("public key"))?;
    vk.verify_strict(message, &Signature::from_bytes(signature))
        .map_err(|_| Error::Signature("does not verify"))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use rand_chacha::ChaCha20Rng;
    use rand_core::SeedableRng;

    #[test]
    fn sign_verify_and_refusals() {
        let mut rng = ChaCha20Rng::seed_from_u64(1);
        let c = Credential::generate(&mut rng);
        let sig = c.sign(b"hello");
        assert!(verify(&c.public(), b"hello", &sig).is_ok());
        assert!(verify(&c.public(), b"hellO", &sig).is_err());
        // S + ℓ: same signature mathematically, not canonical.
        let mut bad = sig;
        let s = Scalar::from_canonical_bytes(bad[32..].try_into().unwrap()).unwrap();
        let l_minus_1 = -Scalar::ONE;
        let mut sum = [0u16; 33];
        let (a, b) = (s.to_bytes(), l_minus_1.to_bytes());
        let mut carry = 1u16; // s + (ℓ − 1) + 1 = s + ℓ
        for i in 0..32 {
            let v = u16::from(a[i]) + u16::from(b[i]) + carry;
            sum[i] = v & 0xff;
            carry = v >> 8;
        }
        for i in 0..32 {
            bad[32 + i] = sum[i] as u8;
        }
        if carry == 0 {
            assert!(verify(&c.public(), b"hello", &bad).is_err());
        }
        // Identity as a key (small order).
        let mut id = [0u8; 32];
        id[0] = 1;
        assert!(check_public_key(&id).is_err());
        assert!(check_public_key(&[0xff; 32]).is_err());
    }
}

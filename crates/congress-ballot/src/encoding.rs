//! Byte-exact encodings shared with the TypeScript side: integers (big-endian), points and
//! scalars (32 bytes, canonical only), a reader that refuses trailing or missing bytes, and the
//! text forms (hex, base64, the tracker's base32).

use curve25519_dalek::ristretto::{CompressedRistretto, RistrettoPoint};
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::IsIdentity;

use crate::error::{Error, Result};

/// Appends to a byte buffer in the documented layout.
#[derive(Debug, Default, Clone)]
pub struct Writer {
    buf: Vec<u8>,
}

impl Writer {
    /// An empty buffer.
    pub fn new() -> Self {
        Self::default()
    }
    /// One byte.
    pub fn u8(&mut self, v: u8) -> &mut Self {
        self.buf.push(v);
        self
    }
    /// Two bytes, big-endian.
    pub fn u16(&mut self, v: u16) -> &mut Self {
        self.buf.extend_from_slice(&v.to_be_bytes());
        self
    }
    /// Four bytes, big-endian.
    pub fn u32(&mut self, v: u32) -> &mut Self {
        self.buf.extend_from_slice(&v.to_be_bytes());
        self
    }
    /// Eight bytes, big-endian.
    pub fn u64(&mut self, v: u64) -> &mut Self {
        self.buf.extend_from_slice(&v.to_be_bytes());
        self
    }
    /// Raw bytes, no length.
    pub fn raw(&mut self, v: &[u8]) -> &mut Self {
        self.buf.extend_from_slice(v);
        self
    }
    /// A length-prefixed (u32) byte string, used for tags and identifiers.
    pub fn str(&mut self, v: &[u8]) -> &mut Self {
        let len = u32::try_from(v.len()).unwrap_or(u32::MAX);
        self.u32(len).raw(v)
    }
    /// A compressed point (32 bytes).
    pub fn point(&mut self, p: &CompressedRistretto) -> &mut Self {
        self.raw(p.as_bytes())
    }
    /// A scalar (32 bytes, little-endian, canonical).
    pub fn scalar(&mut self, s: &Scalar) -> &mut Self {
        self.raw(s.as_bytes())
    }
    /// The bytes written.
    pub fn finish(self) -> Vec<u8> {
        self.buf
    }
    /// The bytes written so far.
    pub fn as_slice(&self) -> &[u8] {
        &self.buf
    }
}

/// Reads the documented layout, refusing short input; `end` refuses trailing bytes.
#[derive(Debug)]
pub struct Reader<'a> {
    rest: &'a [u8],
}

impl<'a> Reader<'a> {
    /// Reads from `bytes`.
    pub fn new(bytes: &'a [u8]) -> Self {
        Self { rest: bytes }
    }
    /// The next `n` bytes.
    pub fn take(&mut self, n: usize, what: &'static str) -> Result<&'a [u8]> {
        if self.rest.len() < n {
            return Err(Error::Length(what));
        }
        let (head, tail) = self.rest.split_at(n);
        self.rest = tail;
        Ok(head)
    }
    /// The next 32 bytes.
    pub fn bytes32(&mut self, what: &'static str) -> Result<[u8; 32]> {
        let mut out = [0u8; 32];
        out.copy_from_slice(self.take(32, what)?);
        Ok(out)
    }
    /// The next 64 bytes.
    pub fn bytes64(&mut self, what: &'static str) -> Result<[u8; 64]> {
        let mut out = [0u8; 64];
        out.copy_from_slice(self.take(64, what)?);
        Ok(out)
    }
    /// One byte.
    pub fn u8(&mut self, what: &'static str) -> Result<u8> {
        Ok(self.take(1, what)?[0])
    }
    /// Two bytes, big-endian.
    pub fn u16(&mut self, what: &'static str) -> Result<u16> {
        let b = self.take(2, what)?;
        Ok(u16::from_be_bytes([b[0], b[1]]))
    }
    /// A compressed point, not yet checked (see [`decode_point`]).
    pub fn point(&mut self, what: &'static str) -> Result<CompressedRistretto> {
        Ok(CompressedRistretto(self.bytes32(what)?))
    }
    /// A canonical scalar.
    pub fn scalar(&mut self, what: &'static str) -> Result<Scalar> {
        decode_scalar(&self.bytes32(what)?, what)
    }
    /// Refuses bytes left over.
    pub fn end(&self, what: &'static str) -> Result<()> {
        if self.rest.is_empty() {
            Ok(())
        } else {
            Err(Error::Length(what))
        }
    }
}

/// Decodes a canonical scalar (little-endian, below the group order ℓ).
pub fn decode_scalar(bytes: &[u8; 32], what: &'static str) -> Result<Scalar> {
    Option::<Scalar>::from(Scalar::from_canonical_bytes(*bytes)).ok_or(Error::Scalar(what))
}

/// Decompresses a canonical ristretto255 encoding (the identity is allowed).
pub fn decode_point(c: &CompressedRistretto, what: &'static str) -> Result<RistrettoPoint> {
    c.decompress().ok_or(Error::Point(what))
}

/// Decompresses a point that must not be the identity (public keys, commitments).
pub fn decode_key(c: &CompressedRistretto, what: &'static str) -> Result<RistrettoPoint> {
    let p = decode_point(c, what)?;
    if p.is_identity() {
        return Err(Error::Identity(what));
    }
    Ok(p)
}

/// Lower-case hex.
pub fn to_hex(bytes: &[u8]) -> String {
    hex::encode(bytes)
}

/// Hex (either case) to bytes.
pub fn from_hex(s: &str) -> Result<Vec<u8>> {
    hex::decode(s).map_err(|e| Error::Text(format!("hex: {e}")))
}

/// Standard base64 with padding (RFC 4648 §4).
pub fn to_base64(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// Standard base64 with padding, strict (non-canonical trailing bits refused).
pub fn from_base64(s: &str) -> Result<Vec<u8>> {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD
        .decode(s)
        .map_err(|e| Error::Text(format!("base64: {e}")))
}

/// RFC 4648 base32 (A–Z, 2–7), upper case, without padding.
pub fn to_base32(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut out = String::with_capacity(bytes.len().div_ceil(5) * 8);
    let mut acc: u32 = 0;
    let mut bits = 0u32;
    for &b in bytes {
        acc = (acc << 8) | u32::from(b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(char::from(ALPHABET[((acc >> bits) & 31) as usize]));
        }
        acc &= (1 << bits) - 1;
    }
    if bits > 0 {
        out.push(char::from(ALPHABET[((acc << (5 - bits)) & 31) as usize]));
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn base32_matches_rfc4648() {
        assert_eq!(to_base32(b""), "");
        assert_eq!(to_base32(b"f"), "MY");
        assert_eq!(to_base32(b"fo"), "MZXQ");
        assert_eq!(to_base32(b"foo"), "MZXW6");
        assert_eq!(to_base32(b"foob"), "MZXW6YQ");
        assert_eq!(to_base32(b"fooba"), "MZXW6YTB");
        assert_eq!(to_base32(b"foobar"), "MZXW6YTBOI");
    }

    #[test]
    fn reader_refuses_short_and_trailing_input() {
        let mut r = Reader::new(&[1, 2, 3]);
        assert_eq!(r.u16("x").ok(), Some(0x0102));
        assert!(r.end("x").is_err());
        assert!(r.u16("x").is_err());
    }

    #[test]
    fn non_canonical_scalar_and_point_are_refused() {
        // ℓ itself is not canonical.
        let l = Scalar::ZERO - Scalar::ONE;
        let mut b = l.to_bytes();
        b[0] = b[0].wrapping_add(1);
        assert!(decode_scalar(&b, "s").is_err());
        assert!(decode_scalar(&[0xff; 32], "s").is_err());
        // A field element ≥ p, and a "negative" (odd) field element, are not ristretto encodings.
        assert!(decode_point(&CompressedRistretto([0xff; 32]), "p").is_err());
        let mut odd = [0u8; 32];
        odd[0] = 1;
        assert!(decode_point(&CompressedRistretto(odd), "p").is_err());
        assert!(decode_key(&CompressedRistretto([0u8; 32]), "p").is_err());
    }
}

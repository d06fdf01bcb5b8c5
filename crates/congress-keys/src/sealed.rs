//! Sealed files: small secrets (the age storage identity, TLS private keys) written to the data
//! folder as `SEAL_MAGIC ‖ key id (16 ASCII hex) ‖ nonce (24) ‖ XChaCha20-Poly1305(ciphertext)`,
//! authenticated with the file's purpose as associated data, so a sealed TLS key cannot be
//! passed off as the storage key.
//!
//! A [`FileKey`] is either sealing (encryption at rest on) or plain (off: benchmarks). A plain
//! file met by a sealing key is read as it is (a data folder from before encryption) and the
//! caller re-seals it; a sealed file met by a plain key is refused with the reason.

use std::path::Path;

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use rand::RngCore;
use zeroize::Zeroizing;

use crate::KeyError;

/// The first bytes of a sealed file.
pub const SEAL_MAGIC: &[u8; 8] = b"CGSEAL1\n";

const ID_LEN: usize = 16;
const NONCE_LEN: usize = 24;

/// Seals and opens the data folder's secret files.
#[derive(Clone)]
pub struct FileKey {
    key: Option<(Zeroizing<[u8; 32]>, String)>,
}

impl std::fmt::Debug for FileKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.key {
            Some((_, id)) => write!(f, "FileKey(sealing, {id})"),
            None => f.write_str("FileKey(plain)"),
        }
    }
}

/// What reading a file found.
pub struct Opened {
    /// The plaintext.
    pub bytes: Zeroizing<Vec<u8>>,
    /// The file was in clear although this key seals: write it again sealed.
    pub needs_sealing: bool,
}

impl std::fmt::Debug for Opened {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Opened")
            .field("needs_sealing", &self.needs_sealing)
            .finish_non_exhaustive()
    }
}

impl FileKey {
    pub(crate) fn sealing(key: Zeroizing<[u8; 32]>, id: String) -> Self {
        FileKey {
            key: Some((key, id)),
        }
    }

    /// No encryption at rest (`[at_rest] encryption = "off"`).
    pub fn plain() -> Self {
        FileKey { key: None }
    }

    /// Whether files are sealed.
    pub fn seals(&self) -> bool {
        self.key.is_some()
    }

    /// `plaintext` sealed for `purpose` (or as it is, when plain).
    pub fn seal(&self, purpose: &str, plaintext: &[u8]) -> Vec<u8> {
        let Some((key, id)) = &self.key else {
            return plaintext.to_vec();
        };
        let mut nonce = [0u8; NONCE_LEN];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let cipher = XChaCha20Poly1305::new(key.as_ref().into());
        let aad = aad(purpose, id);
        // Encryption with a valid key and nonce only fails for inputs beyond 256 GiB.
        let ct = cipher
            .encrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: plaintext,
                    aad: &aad,
                },
            )
            .unwrap_or_default();
        let mut out = Vec::with_capacity(SEAL_MAGIC.len() + ID_LEN + NONCE_LEN + ct.len());
        out.extend_from_slice(SEAL_MAGIC);
        out.extend_from_slice(id.as_bytes());
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&ct);
        out
    }

    /// Opens what [`FileKey::seal`] made; `path` only names the file in errors.
    pub fn open(&self, path: &Path, purpose: &str, bytes: &[u8]) -> Result<Opened, KeyError> {
        let sealed = bytes.starts_with(SEAL_MAGIC);
        let Some((key, id)) = &self.key else {
            if sealed {
                return Err(KeyError::SealedButPlain {
                    path: path.display().to_string(),
                });
            }
            return Ok(Opened {
                bytes: Zeroizing::new(bytes.to_vec()),
                needs_sealing: false,
            });
        };
        if !sealed {
            return Ok(Opened {
                bytes: Zeroizing::new(bytes.to_vec()),
                needs_sealing: true,
            });
        }
        let bad = |reason: String| KeyError::Format {
            path: path.display().to_string(),
            reason,
        };
        let rest = &bytes[SEAL_MAGIC.len()..];
        if rest.len() < ID_LEN + NONCE_LEN + 16 {
            return Err(bad("truncated".into()));
        }
        let (file_id, rest) = rest.split_at(ID_LEN);
        if file_id != id.as_bytes() {
            return Err(bad(format!(
                "sealed with key {} but this data folder's key is {id}",
                String::from_utf8_lossy(file_id)
            )));
        }
        let (nonce, ct) = rest.split_at(NONCE_LEN);
        let cipher = XChaCha20Poly1305::new(key.as_ref().into());
        let aad = aad(purpose, id);
        let pt = cipher
            .decrypt(XNonce::from_slice(nonce), Payload { msg: ct, aad: &aad })
            .map_err(|_| bad(format!("does not open as a sealed {purpose} (altered?)")))?;
        Ok(Opened {
            bytes: Zeroizing::new(pt),
            needs_sealing: false,
        })
    }

    /// Reads and opens the file at `path`.
    pub fn read(&self, path: &Path, purpose: &str) -> Result<Opened, KeyError> {
        let bytes = std::fs::read(path).map_err(KeyError::io(path))?;
        self.open(path, purpose, &bytes)
    }

    /// Seals `plaintext` and writes it atomically to `path` (mode 0600).
    pub fn write(&self, path: &Path, purpose: &str, plaintext: &[u8]) -> Result<(), KeyError> {
        crate::write_private(path, &self.seal(purpose, plaintext))
    }
}

fn aad(purpose: &str, id: &str) -> Vec<u8> {
    format!("congress sealed file v1|{purpose}|{id}").into_bytes()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::MasterKey;

    #[test]
    fn seals_opens_and_refuses_the_wrong_key_or_purpose() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("secret");
        let k = MasterKey::generate().file_key();
        k.write(&path, "tls-ca", b"-----BEGIN PRIVATE KEY-----")
            .unwrap();
        let raw = std::fs::read(&path).unwrap();
        assert!(raw.starts_with(SEAL_MAGIC));
        assert!(!raw.windows(5).any(|w| w == b"BEGIN"));
        let o = k.read(&path, "tls-ca").unwrap();
        assert_eq!(&o.bytes[..], b"-----BEGIN PRIVATE KEY-----");
        assert!(!o.needs_sealing);
        assert!(k.read(&path, "storage").is_err(), "purpose is bound");
        let other = MasterKey::generate().file_key();
        let e = other.read(&path, "tls-ca").unwrap_err().to_string();
        assert!(e.contains("sealed with key"), "{e}");
        assert!(matches!(
            FileKey::plain().read(&path, "tls-ca"),
            Err(KeyError::SealedButPlain { .. })
        ));
        // A file from before encryption is read and flagged for sealing.
        std::fs::write(&path, b"clear").unwrap();
        let o = k.read(&path, "tls-ca").unwrap();
        assert!(o.needs_sealing);
        // A flipped bit is refused.
        let mut raw = raw;
        let n = raw.len() - 1;
        raw[n] ^= 1;
        assert!(k.open(&path, "tls-ca", &raw).is_err());
    }
}

//! Keys at rest: one random **master key** per data folder, never written in clear. It is kept
//! in `keyring.json` wrapped by a passphrase (argon2id → XChaCha20-Poly1305) and, for a congress
//! that wants it, can also be split between officers (k of n, Shamir over GF(256)). The keys
//! that protect data are derived from it with HKDF-SHA-256, one per purpose:
//!
//! - [`DatabaseKey`]: the SQLCipher key of the congress database (journal, projections,
//!   enrolment photos and embeddings, password and code hashes, the search index);
//! - [`FileKey`]: seals the small secret files of the data folder (the documents' age storage
//!   identity, the TLS CA key and server key) with XChaCha20-Poly1305.
//!
//! Documents themselves are age-encrypted to the storage identity, so they are protected by the
//! sealed storage key. This crate knows nothing of the congress: it takes paths and bytes.
//! The design and threat model are in `docs/security.md`.

mod keyring;
mod sealed;
mod shares;

pub use keyring::{KEYRING_FILE, KdfParams, Keyring, Unlock};
pub use sealed::{FileKey, Opened, SEAL_MAGIC};
pub use shares::{combine_shares, split_master_key};

use hkdf::Hkdf;
use rand::RngCore;
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

/// What can go wrong with keys.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("{path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("the passphrase is wrong (or the keyring {path} was altered)")]
    WrongPassphrase { path: String },
    #[error("{path} is not a valid congress key file: {reason}")]
    Format { path: String, reason: String },
    #[error(
        "the data folder {dir} is encrypted and locked: give the passphrase (prompt, or CONGRESS_PASSPHRASE) or the officers' shares (CONGRESS_SHARES)"
    )]
    Locked { dir: String },
    #[error("{path} is sealed, but encryption at rest is off in the configuration")]
    SealedButPlain { path: String },
    #[error("the shares do not rebuild this data folder's key: {0}")]
    Shares(String),
    #[error("argon2id: {0}")]
    Kdf(String),
}

impl KeyError {
    /// An I/O error on `path`.
    pub fn io(path: &std::path::Path) -> impl FnOnce(std::io::Error) -> KeyError + '_ {
        move |source| KeyError::Io {
            path: path.display().to_string(),
            source,
        }
    }
}

/// A passphrase typed by an operator (or given in `CONGRESS_PASSPHRASE`): zeroed when dropped,
/// never printed.
#[derive(Clone)]
pub struct Passphrase(Zeroizing<String>);

impl Passphrase {
    pub fn new(s: impl Into<String>) -> Self {
        Passphrase(Zeroizing::new(s.into()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Passphrase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Passphrase(…)")
    }
}

impl PartialEq for Passphrase {
    fn eq(&self, other: &Self) -> bool {
        *self.0 == *other.0
    }
}

/// The data folder's master key (256 bits, random). Only ever in memory.
#[derive(Clone)]
pub struct MasterKey(Zeroizing<[u8; 32]>);

impl std::fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "MasterKey({})", self.id())
    }
}

impl MasterKey {
    /// A fresh random key from the operating system.
    pub fn generate() -> Self {
        let mut k = Zeroizing::new([0u8; 32]);
        rand::rngs::OsRng.fill_bytes(k.as_mut());
        MasterKey(k)
    }

    pub(crate) fn from_bytes(b: &[u8]) -> Option<Self> {
        let arr: [u8; 32] = b.try_into().ok()?;
        Some(MasterKey(Zeroizing::new(arr)))
    }

    pub(crate) fn bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// A public name for this key (16 hex digits of a hash): says which key a file needs
    /// without revealing anything about it.
    pub fn id(&self) -> String {
        let mut h = Sha256::new();
        h.update(b"congress key id v1");
        h.update(self.0.as_ref());
        hex::encode(&h.finalize()[..8])
    }

    fn derive(&self, info: &[u8]) -> Zeroizing<[u8; 32]> {
        let hk = Hkdf::<Sha256>::new(Some(b"congress at rest v1"), self.0.as_ref());
        let mut out = Zeroizing::new([0u8; 32]);
        // 32 bytes is always a valid HKDF-SHA-256 output length.
        if hk.expand(info, out.as_mut()).is_err() {
            unreachable_expand();
        }
        out
    }

    /// The SQLCipher key of the congress database.
    pub fn database_key(&self) -> DatabaseKey {
        DatabaseKey(self.derive(b"database"))
    }

    /// The key that seals the secret files of the data folder.
    pub fn file_key(&self) -> FileKey {
        FileKey::sealing(self.derive(b"files"), self.id())
    }
}

#[cold]
fn unreachable_expand() {
    tracing::error!("HKDF refused a 32-byte output");
}

/// The raw 256-bit key given to SQLCipher (`PRAGMA key = "x'…'"`: no PBKDF2 at each open).
#[derive(Clone)]
pub struct DatabaseKey(Zeroizing<[u8; 32]>);

impl std::fmt::Debug for DatabaseKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DatabaseKey(…)")
    }
}

impl DatabaseKey {
    /// The value of SQLCipher's `PRAGMA key`: a raw key as a blob literal.
    pub fn pragma_value(&self) -> Zeroizing<String> {
        Zeroizing::new(format!("x'{}'", hex::encode(self.0.as_ref())))
    }
}

/// Writes `bytes` to `path` atomically (temp file 0600 in the same folder, fsync, rename,
/// fsync of the folder).
pub fn write_private(path: &std::path::Path, bytes: &[u8]) -> Result<(), KeyError> {
    use std::io::Write;
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => std::path::Path::new("."),
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(".key-")
        .tempfile_in(dir)
        .map_err(KeyError::io(dir))?;
    tmp.write_all(bytes).map_err(KeyError::io(path))?;
    tmp.as_file().sync_all().map_err(KeyError::io(path))?;
    tmp.persist(path).map_err(|e| KeyError::Io {
        path: path.display().to_string(),
        source: e.error,
    })?;
    std::fs::File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(KeyError::io(dir))?;
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn derived_keys_differ_by_purpose_and_key() {
        let a = MasterKey::generate();
        let b = MasterKey::generate();
        assert_ne!(a.id(), b.id());
        assert_ne!(
            *a.database_key().pragma_value(),
            *b.database_key().pragma_value()
        );
        let again = MasterKey::from_bytes(a.bytes()).unwrap();
        assert_eq!(
            *a.database_key().pragma_value(),
            *again.database_key().pragma_value()
        );
        assert!(a.database_key().pragma_value().starts_with("x'"));
        assert!(!format!("{a:?}").contains(&hex::encode(a.bytes())));
        assert_eq!(format!("{:?}", Passphrase::new("secret")), "Passphrase(…)");
    }
}

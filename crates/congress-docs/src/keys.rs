//! The server's storage key and tablet recipients.
//!
//! The server encrypts every stored document version to its own age X25519 identity
//! ([`StorageKey`]), kept in a file in the server's data directory, sealed with the data
//! folder's file key (`congress_keys::FileKey`: encryption at rest), so the key never lies in
//! clear beside the documents it protects. The file is created at first start (mode 0600
//! inside a 0700 directory, written to a temporary file, fsynced and renamed into place without
//! overwriting an existing key) and loaded on every later start; a key file from before
//! encryption at rest is sealed in place when first loaded.
//!
//! Tablets generate their own identity in the browser and send only their public
//! recipient (`age1…`); [`parse_recipient`] validates it with a clear error.

use std::fs;
use std::io::{self, Write};
use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::str::FromStr;

use age::secrecy::ExposeSecret;
use age::x25519::{Identity, Recipient};
use congress_keys::FileKey;

use crate::fsutil::{fsync_dir, parent_dir};

/// File name of the storage identity inside the data directory.
pub const STORAGE_KEY_FILE: &str = "storage-key.age-identity";

/// What the storage key file is sealed for.
const SEAL_PURPOSE: &str = "age-storage-identity";

/// Longest recipient string accepted (an X25519 recipient is 62 characters).
const MAX_RECIPIENT_LEN: usize = 100;

/// Errors from loading/creating the storage key or parsing a recipient.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// Filesystem error while reading or creating the key.
    #[error("storage key {path}: {source}")]
    Io {
        /// File or directory concerned.
        path: PathBuf,
        /// Underlying error.
        source: io::Error,
    },
    /// The key file is readable or writable by group or others.
    #[error(
        "storage key {path} has permissions {mode:04o}; it must be 0600 (run: chmod 600 {path})"
    )]
    InsecurePermissions {
        /// Key file.
        path: PathBuf,
        /// Its permission bits.
        mode: u32,
    },
    /// The key file is sealed and does not open with this data folder's key.
    #[error("storage key: {0}")]
    Sealed(#[from] congress_keys::KeyError),
    /// The key file exists but holds no valid age X25519 identity.
    #[error("storage key {path} is not a valid age identity file: {reason}")]
    InvalidKeyFile {
        /// Key file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// A tablet recipient string is not a valid age X25519 recipient.
    #[error("invalid tablet key {shown:?}: {reason}")]
    InvalidRecipient {
        /// The offending input (shortened if very long).
        shown: String,
        /// What is wrong.
        reason: &'static str,
    },
}

fn io_err(path: &Path) -> impl FnOnce(io::Error) -> KeyError + '_ {
    move |source| KeyError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// The server's own age identity used to encrypt documents at rest.
#[derive(Clone)]
pub struct StorageKey {
    identity: Identity,
    recipient: Recipient,
    path: PathBuf,
}

impl std::fmt::Debug for StorageKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StorageKey")
            .field("recipient", &self.recipient.to_string())
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl StorageKey {
    /// Loads the storage identity from `data_dir/`[`STORAGE_KEY_FILE`], creating the
    /// directory (0700) and a fresh identity (0600) if they do not exist yet.
    ///
    /// Creation is atomic and never overwrites: if two processes race, both end up with
    /// the identity that was renamed into place first. An existing key file that is
    /// group- or world-accessible is refused with [`KeyError::InsecurePermissions`].
    pub fn load_or_create(data_dir: &Path, files: &FileKey) -> Result<Self, KeyError> {
        ensure_private_dir(data_dir)?;
        let path = data_dir.join(STORAGE_KEY_FILE);
        match Self::load(&path, files) {
            Ok(key) => Ok(key),
            Err(KeyError::Io { source, .. }) if source.kind() == io::ErrorKind::NotFound => {
                Self::create(&path, files)
            }
            Err(e) => Err(e),
        }
    }

    /// Loads an existing identity file (age-keygen format: comment lines and one
    /// `AGE-SECRET-KEY-1…` line), sealed with `files` (or in clear when `files` is plain).
    pub fn load(path: &Path, files: &FileKey) -> Result<Self, KeyError> {
        let meta = fs::metadata(path).map_err(io_err(path))?;
        let mode = meta.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            return Err(KeyError::InsecurePermissions {
                path: path.to_path_buf(),
                mode,
            });
        }
        let opened = match files.read(path, SEAL_PURPOSE) {
            Ok(o) => o,
            Err(congress_keys::KeyError::Io { source, .. }) => {
                return Err(KeyError::Io {
                    path: path.to_path_buf(),
                    source,
                });
            }
            Err(e) => return Err(e.into()),
        };
        let text =
            String::from_utf8(opened.bytes.to_vec()).map_err(|_| KeyError::InvalidKeyFile {
                path: path.to_path_buf(),
                reason: "not text".into(),
            })?;
        if opened.needs_sealing {
            files.write(path, SEAL_PURPOSE, text.as_bytes())?;
            tracing::info!(path = %path.display(), "sealed the storage key (written before encryption at rest)");
        }
        let invalid = |reason: &str| KeyError::InvalidKeyFile {
            path: path.to_path_buf(),
            reason: reason.to_string(),
        };
        let mut keys = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'));
        let line = keys.next().ok_or_else(|| invalid("no key line"))?;
        if keys.next().is_some() {
            return Err(invalid("more than one key line"));
        }
        let identity = Identity::from_str(line).map_err(invalid)?;
        let recipient = identity.to_public();
        Ok(Self {
            identity,
            recipient,
            path: path.to_path_buf(),
        })
    }

    fn create(path: &Path, files: &FileKey) -> Result<Self, KeyError> {
        let identity = Identity::generate();
        let recipient = identity.to_public();
        let dir = parent_dir(path);
        // NamedTempFile is created with mode 0600.
        let mut tmp = tempfile::Builder::new()
            .prefix(".storage-key")
            .tempfile_in(dir)
            .map_err(io_err(dir))?;
        let body = format!(
            "# congress-docs storage key: the server's age identity for documents at rest.\n\
             # Keep it secret and back it up with the database: without it nothing stored can be read.\n\
             # public key: {recipient}\n{}\n",
            identity.to_string().expose_secret()
        );
        tmp.write_all(&files.seal(SEAL_PURPOSE, body.as_bytes()))
            .map_err(io_err(path))?;
        tmp.as_file().sync_all().map_err(io_err(path))?;
        match tmp.persist_noclobber(path) {
            Ok(_) => {
                fsync_dir(dir).map_err(io_err(dir))?;
                tracing::info!(path = %path.display(), %recipient, "created storage key");
                Ok(Self {
                    identity,
                    recipient,
                    path: path.to_path_buf(),
                })
            }
            // Someone else created it in the meantime: use theirs.
            Err(e) if e.error.kind() == io::ErrorKind::AlreadyExists => Self::load(path, files),
            Err(e) => Err(KeyError::Io {
                path: path.to_path_buf(),
                source: e.error,
            }),
        }
    }

    /// The identity (secret key), for decrypting stored documents.
    pub fn identity(&self) -> &Identity {
        &self.identity
    }

    /// The public recipient every stored document is encrypted to.
    pub fn recipient(&self) -> &Recipient {
        &self.recipient
    }

    /// Path of the key file.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// Creates `dir` (and parents) if needed and makes sure it is mode 0700.
fn ensure_private_dir(dir: &Path) -> Result<(), KeyError> {
    fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .map_err(io_err(dir))?;
    let meta = fs::metadata(dir).map_err(io_err(dir))?;
    if meta.permissions().mode() & 0o077 != 0 {
        fs::set_permissions(dir, fs::Permissions::from_mode(0o700)).map_err(io_err(dir))?;
    }
    Ok(())
}

/// Parses a tablet's public key (`age1…`, as produced by age-keygen or the
/// `age-encryption` npm package). Surrounding whitespace is ignored.
pub fn parse_recipient(input: &str) -> Result<Recipient, KeyError> {
    let s = input.trim();
    if s.to_ascii_uppercase().starts_with("AGE-SECRET-KEY-") {
        return Err(KeyError::InvalidRecipient {
            shown: "AGE-SECRET-KEY-…(not shown)".to_string(),
            reason: "this is a SECRET key; the tablet must send only its public key (age1…)",
        });
    }
    let fail = |reason| KeyError::InvalidRecipient {
        shown: s.chars().take(MAX_RECIPIENT_LEN).collect(),
        reason,
    };
    if s.is_empty() {
        return Err(fail("empty"));
    }
    if s.len() > MAX_RECIPIENT_LEN {
        return Err(fail("too long for an age X25519 recipient"));
    }
    if !s.starts_with("age1") {
        return Err(fail("must start with \"age1\""));
    }
    match Recipient::from_str(s) {
        Ok(r) => Ok(r),
        // Only after a failed parse: a valid X25519 key may itself begin "age1pq…".
        Err(_) if s.starts_with("age1pq1") || s.starts_with("age1tag") => {
            Err(fail("only X25519 (age1…) keys are supported"))
        }
        Err(reason) => Err(fail(reason)),
    }
}

/// Parses a list of tablet recipients, removing duplicates (first occurrence kept).
pub fn parse_recipients<'a>(
    inputs: impl IntoIterator<Item = &'a str>,
) -> Result<Vec<Recipient>, KeyError> {
    let mut out: Vec<Recipient> = Vec::new();
    for s in inputs {
        let r = parse_recipient(s)?;
        if !out.contains(&r) {
            out.push(r);
        }
    }
    Ok(out)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn creates_then_loads_same_key_with_private_modes() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("data").join("keys");
        let a = StorageKey::load_or_create(&dir, &FileKey::plain()).unwrap();
        let file_mode = fs::metadata(a.path()).unwrap().permissions().mode() & 0o777;
        let dir_mode = fs::metadata(&dir).unwrap().permissions().mode() & 0o777;
        assert_eq!(file_mode, 0o600);
        assert_eq!(dir_mode, 0o700);
        let b = StorageKey::load_or_create(&dir, &FileKey::plain()).unwrap();
        assert_eq!(a.recipient(), b.recipient());
        // no temp files left behind
        let names: Vec<_> = fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from(STORAGE_KEY_FILE)]);
        // the file is in age-keygen format
        let text = fs::read_to_string(a.path()).unwrap();
        assert!(text.contains(&format!("# public key: {}", a.recipient())));
    }

    #[test]
    fn refuses_world_readable_key_and_garbage() {
        let tmp = tempfile::tempdir().unwrap();
        let key = StorageKey::load_or_create(tmp.path(), &FileKey::plain()).unwrap();
        fs::set_permissions(key.path(), fs::Permissions::from_mode(0o644)).unwrap();
        let err = StorageKey::load_or_create(tmp.path(), &FileKey::plain()).unwrap_err();
        assert!(
            matches!(err, KeyError::InsecurePermissions { mode: 0o644, .. }),
            "{err}"
        );
        fs::write(key.path(), "hello\n").unwrap();
        fs::set_permissions(key.path(), fs::Permissions::from_mode(0o600)).unwrap();
        let err = StorageKey::load_or_create(tmp.path(), &FileKey::plain()).unwrap_err();
        assert!(matches!(err, KeyError::InvalidKeyFile { .. }), "{err}");
    }

    #[test]
    fn tightens_existing_dir() {
        let tmp = tempfile::tempdir().unwrap();
        fs::set_permissions(tmp.path(), fs::Permissions::from_mode(0o755)).unwrap();
        StorageKey::load_or_create(tmp.path(), &FileKey::plain()).unwrap();
        let mode = fs::metadata(tmp.path()).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o700);
    }

    #[test]
    fn recipients() {
        let id = Identity::generate();
        let r = id.to_public().to_string();
        assert_eq!(parse_recipient(&format!("  {r}\n")).unwrap().to_string(), r);
        for bad in [
            "",
            "age1",
            "hello",
            "age1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq",
            &r[..r.len() - 1],
            &r.replace("age1", "age2"),
        ] {
            assert!(parse_recipient(bad).is_err(), "accepted {bad:?}");
        }
        let secret = id.to_string().expose_secret().to_string();
        let err = parse_recipient(&secret).unwrap_err().to_string();
        assert!(err.contains("SECRET"), "{err}");
        assert!(
            !err.contains(&secret[20..]),
            "error must not echo the secret key"
        );
        // a genuine X25519 key that happens to start with "age1pq" is accepted
        let pq_like = (0..200_000)
            .map(|_| Identity::generate().to_public().to_string())
            .find(|k| k.starts_with("age1pq"))
            .unwrap();
        parse_recipient(&pq_like).unwrap();
        let list = parse_recipients([r.as_str(), r.as_str()]).unwrap();
        assert_eq!(list.len(), 1);
    }
}

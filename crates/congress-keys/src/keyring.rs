//! `keyring.json`: the master key, wrapped. The file holds no secret in clear: the key id, the
//! argon2id parameters and salt, and the master key encrypted (XChaCha20-Poly1305, key id as
//! associated data) under the key argon2id derives from the passphrase; and, when the congress
//! split its key between officers, how many shares of how many rebuild it (never the shares).

use std::path::{Path, PathBuf};

use argon2::{Algorithm, Argon2, Params, Version};
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::{KeyError, MasterKey, Passphrase};

/// The keyring's file name in the data folder.
pub const KEYRING_FILE: &str = "keyring.json";

const FORMAT: &str = "congress-keyring/1";

/// argon2id cost of wrapping a passphrase. Unlocking costs one such derivation, once per start.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct KdfParams {
    /// Memory in KiB (default 64 MiB).
    pub m_kib: u32,
    /// Passes (default 3).
    pub t: u32,
    /// Lanes (default 1).
    pub p: u32,
}

impl Default for KdfParams {
    fn default() -> Self {
        KdfParams {
            m_kib: 64 * 1024,
            t: 3,
            p: 1,
        }
    }
}

impl KdfParams {
    /// The cheapest argon2id allows: for tests only, where a thousand servers start.
    pub fn insecure_for_tests() -> Self {
        KdfParams {
            m_kib: 8,
            t: 1,
            p: 1,
        }
    }
}

/// How the key is unlocked at start.
#[derive(Debug, Clone, PartialEq)]
pub enum Unlock {
    /// A passphrase (stdin prompt or `CONGRESS_PASSPHRASE`).
    Passphrase(Passphrase),
    /// k of the officers' shares (`congress-share-…` strings).
    Shares(Vec<Passphrase>),
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Wrapped {
    kdf: String,
    params: KdfParams,
    salt: String,
    nonce: String,
    ciphertext: String,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
struct SharesInfo {
    k: u8,
    n: u8,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct KeyringFile {
    format: String,
    key_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    passphrase: Option<Wrapped>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    shares: Option<SharesInfo>,
}

/// The keyring of a data folder.
pub struct Keyring;

impl Keyring {
    /// Where the keyring of `data_dir` lives.
    pub fn path(data_dir: &Path) -> PathBuf {
        data_dir.join(KEYRING_FILE)
    }

    /// Whether `data_dir` has a keyring (its data is encrypted).
    pub fn exists(data_dir: &Path) -> bool {
        Self::path(data_dir).is_file()
    }

    /// Makes a new master key for `data_dir` and writes it wrapped by `pass` to `at`.
    pub fn create(at: &Path, pass: &Passphrase, params: KdfParams) -> Result<MasterKey, KeyError> {
        let key = MasterKey::generate();
        Self::write(at, &key, pass, params, None)?;
        Ok(key)
    }

    /// Writes `key` wrapped by `pass` to `at` (atomically), keeping the record of `shares`.
    fn write(
        at: &Path,
        key: &MasterKey,
        pass: &Passphrase,
        params: KdfParams,
        shares: Option<SharesInfo>,
    ) -> Result<(), KeyError> {
        let mut salt = [0u8; 16];
        rand::rngs::OsRng.fill_bytes(&mut salt);
        let mut nonce = [0u8; 24];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let kek = derive(pass, &salt, params)?;
        let id = key.id();
        let ct = XChaCha20Poly1305::new(kek.as_ref().into())
            .encrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: key.bytes(),
                    aad: aad(&id).as_bytes(),
                },
            )
            .map_err(|_| KeyError::Kdf("wrapping failed".into()))?;
        let file = KeyringFile {
            format: FORMAT.into(),
            key_id: id,
            passphrase: Some(Wrapped {
                kdf: "argon2id".into(),
                params,
                salt: hex::encode(salt),
                nonce: hex::encode(nonce),
                ciphertext: hex::encode(ct),
            }),
            shares,
        };
        let text = serde_json::to_string_pretty(&file).map_err(|e| KeyError::Format {
            path: at.display().to_string(),
            reason: e.to_string(),
        })?;
        crate::write_private(at, text.as_bytes())
    }

    fn read(at: &Path) -> Result<KeyringFile, KeyError> {
        let text = std::fs::read_to_string(at).map_err(KeyError::io(at))?;
        let file: KeyringFile = serde_json::from_str(&text).map_err(|e| KeyError::Format {
            path: at.display().to_string(),
            reason: e.to_string(),
        })?;
        if file.format != FORMAT {
            return Err(KeyError::Format {
                path: at.display().to_string(),
                reason: format!("format {:?}, this build reads {FORMAT}", file.format),
            });
        }
        Ok(file)
    }

    /// The key id recorded in the keyring at `at` (no secret needed).
    pub fn key_id(at: &Path) -> Result<String, KeyError> {
        Ok(Self::read(at)?.key_id)
    }

    /// Unlocks the keyring at `at`.
    pub fn unlock(at: &Path, how: &Unlock) -> Result<MasterKey, KeyError> {
        let file = Self::read(at)?;
        let path = at.display().to_string();
        let key = match how {
            Unlock::Passphrase(pass) => {
                let w = file.passphrase.as_ref().ok_or_else(|| {
                    KeyError::Shares(
                        "this keyring has no passphrase: give k of the officers' shares".into(),
                    )
                })?;
                let bad = |reason: &str| KeyError::Format {
                    path: path.clone(),
                    reason: reason.into(),
                };
                if w.kdf != "argon2id" {
                    return Err(bad("unknown kdf"));
                }
                let salt = hex::decode(&w.salt).map_err(|_| bad("salt"))?;
                let nonce = hex::decode(&w.nonce).map_err(|_| bad("nonce"))?;
                let ct = hex::decode(&w.ciphertext).map_err(|_| bad("ciphertext"))?;
                if nonce.len() != 24 {
                    return Err(bad("nonce"));
                }
                let kek = derive(pass, &salt, w.params)?;
                let pt = Zeroizing::new(
                    XChaCha20Poly1305::new(kek.as_ref().into())
                        .decrypt(
                            XNonce::from_slice(&nonce),
                            Payload {
                                msg: &ct,
                                aad: aad(&file.key_id).as_bytes(),
                            },
                        )
                        .map_err(|_| KeyError::WrongPassphrase { path: path.clone() })?,
                );
                MasterKey::from_bytes(&pt).ok_or_else(|| bad("wrapped key length"))?
            }
            Unlock::Shares(shares) => {
                let info = file.shares.ok_or_else(|| {
                    KeyError::Shares("this data folder's key was never split".into())
                })?;
                if shares.len() < usize::from(info.k) {
                    return Err(KeyError::Shares(format!(
                        "{} given, {} of {} needed",
                        shares.len(),
                        info.k,
                        info.n
                    )));
                }
                crate::combine_shares(shares)?
            }
        };
        if key.id() != file.key_id {
            return Err(KeyError::Shares(format!(
                "they rebuild key {}, the keyring is for {}",
                key.id(),
                file.key_id
            )));
        }
        Ok(key)
    }

    /// Wraps `key` under a new passphrase (the old one stops working); keeps the shares record.
    pub fn change_passphrase(
        at: &Path,
        key: &MasterKey,
        pass: &Passphrase,
        params: KdfParams,
    ) -> Result<(), KeyError> {
        let shares = if at.is_file() {
            Self::read(at)?.shares
        } else {
            None
        };
        Self::write(at, key, pass, params, shares)
    }

    /// Writes a keyring for a new `key` (key rotation) at `at`, wrapped by `pass`.
    pub fn write_new(
        at: &Path,
        key: &MasterKey,
        pass: &Passphrase,
        params: KdfParams,
    ) -> Result<(), KeyError> {
        Self::write(at, key, pass, params, None)
    }

    /// Splits `key` into `n` shares of which any `k` rebuild it, and records `k`/`n` in the
    /// keyring at `at`. The shares are returned to be handed to the officers, never stored.
    pub fn split(
        at: &Path,
        key: &MasterKey,
        k: u8,
        n: u8,
    ) -> Result<Vec<Zeroizing<String>>, KeyError> {
        let mut file = Self::read(at)?;
        if file.key_id != key.id() {
            return Err(KeyError::Shares("not this keyring's key".into()));
        }
        let shares = crate::split_master_key(key, k, n)?;
        file.shares = Some(SharesInfo { k, n });
        let text = serde_json::to_string_pretty(&file).map_err(|e| KeyError::Format {
            path: at.display().to_string(),
            reason: e.to_string(),
        })?;
        crate::write_private(at, text.as_bytes())?;
        Ok(shares)
    }
}

fn aad(id: &str) -> String {
    format!("{FORMAT}|{id}")
}

fn derive(
    pass: &Passphrase,
    salt: &[u8],
    params: KdfParams,
) -> Result<Zeroizing<[u8; 32]>, KeyError> {
    let p = Params::new(params.m_kib, params.t, params.p, Some(32))
        .map_err(|e| KeyError::Kdf(e.to_string()))?;
    let mut out = Zeroizing::new([0u8; 32]);
    Argon2::new(Algorithm::Argon2id, Version::V0x13, p)
        .hash_password_into(pass.expose().as_bytes(), salt, out.as_mut())
        .map_err(|e| KeyError::Kdf(e.to_string()))?;
    Ok(out)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn wraps_unlocks_and_refuses_a_wrong_passphrase() {
        let dir = tempfile::tempdir().unwrap();
        let at = Keyring::path(dir.path());
        let pass = Passphrase::new("correct horse");
        let key = Keyring::create(&at, &pass, KdfParams::insecure_for_tests()).unwrap();
        let text = std::fs::read_to_string(&at).unwrap();
        assert!(!text.contains(&hex::encode(key.bytes())));
        let again = Keyring::unlock(&at, &Unlock::Passphrase(pass.clone())).unwrap();
        assert_eq!(again.id(), key.id());
        assert!(matches!(
            Keyring::unlock(&at, &Unlock::Passphrase(Passphrase::new("wrong"))),
            Err(KeyError::WrongPassphrase { .. })
        ));
        let new = Passphrase::new("battery staple");
        Keyring::change_passphrase(&at, &key, &new, KdfParams::insecure_for_tests()).unwrap();
        assert!(Keyring::unlock(&at, &Unlock::Passphrase(pass)).is_err());
        assert_eq!(
            Keyring::unlock(&at, &Unlock::Passphrase(new)).unwrap().id(),
            key.id()
        );
    }

    #[test]
    fn k_of_n_shares_unlock_and_fewer_do_not() {
        let dir = tempfile::tempdir().unwrap();
        let at = Keyring::path(dir.path());
        let key =
            Keyring::create(&at, &Passphrase::new("p"), KdfParams::insecure_for_tests()).unwrap();
        let shares = Keyring::split(&at, &key, 2, 3).unwrap();
        assert_eq!(shares.len(), 3);
        let given = |idx: &[usize]| {
            Unlock::Shares(
                idx.iter()
                    .map(|i| Passphrase::new(shares[*i].as_str()))
                    .collect(),
            )
        };
        assert_eq!(
            Keyring::unlock(&at, &given(&[0, 2])).unwrap().id(),
            key.id()
        );
        assert_eq!(
            Keyring::unlock(&at, &given(&[2, 1])).unwrap().id(),
            key.id()
        );
        assert!(Keyring::unlock(&at, &given(&[1])).is_err());
    }
}

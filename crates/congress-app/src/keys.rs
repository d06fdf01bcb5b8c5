//! Unlocking the data folder at start: the passphrase (or the officers' shares) given in the
//! configuration's [`Unlock`] opens `keyring.json`, and the master key gives the database key
//! and the file key every part of the server uses ([`Keys`]). A data folder without a keyring is
//! given one at its first encrypted start; a database from before encryption is converted then.
//! With `[at_rest] encryption = "off"` nothing is encrypted (benchmarks only).

use std::path::Path;

pub use congress_keys::{FileKey, KdfParams, KeyError, Keyring, MasterKey, Passphrase, Unlock};
use congress_store::Db;
use serde::Deserialize;

use crate::config::Config;

/// `[at_rest]`: encryption of the data folder.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct AtRestConfig {
    /// `on` (the default): database, secret files and backups encrypted under a master key
    /// unlocked at start. `off`: nothing encrypted — only to measure what encryption costs
    /// (`CONGRESS_AT_REST`).
    pub encryption: Encryption,
    /// argon2id cost used when the passphrase is set (a keyring remembers its own).
    pub kdf: KdfParams,
}

impl Default for AtRestConfig {
    fn default() -> Self {
        AtRestConfig {
            encryption: Encryption::On,
            kdf: KdfParams::default(),
        }
    }
}

/// Whether the data folder is encrypted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Encryption {
    On,
    Off,
}

impl std::str::FromStr for Encryption {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "on" => Ok(Encryption::On),
            "off" => Ok(Encryption::Off),
            _ => Err(format!("{s:?}: use on or off")),
        }
    }
}

/// The unlocked keys of a data folder.
#[derive(Debug, Clone)]
pub struct Keys {
    /// The congress database and its key.
    pub db: Db,
    /// Seals the secret files (storage key, TLS keys).
    pub files: FileKey,
}

/// Errors while unlocking.
#[derive(Debug, thiserror::Error)]
pub enum UnlockError {
    #[error(transparent)]
    Key(#[from] KeyError),
    #[error(transparent)]
    Store(#[from] congress_store::StoreError),
}

impl Keys {
    /// The keys of a folder with encryption off.
    pub fn plain(data_dir: &Path) -> Keys {
        Keys {
            db: Db::plain(database_path(data_dir)),
            files: FileKey::plain(),
        }
    }

    fn from_master(data_dir: &Path, key: &MasterKey) -> Keys {
        Keys {
            db: Db::encrypted(database_path(data_dir), key.database_key()),
            files: key.file_key(),
        }
    }
}

/// The database file of a data folder.
pub fn database_path(data_dir: &Path) -> std::path::PathBuf {
    data_dir.join("congress.sqlite")
}

/// Unlocks an existing data folder (commands that run beside a server or on a copy: verify,
/// minutes, backup, restore). Never creates a keyring.
pub fn unlock_existing(data_dir: &Path, cfg: &Config) -> Result<Keys, UnlockError> {
    if cfg.at_rest.encryption == Encryption::Off {
        if Keyring::exists(data_dir) {
            return Err(KeyError::SealedButPlain {
                path: Keyring::path(data_dir).display().to_string(),
            }
            .into());
        }
        return Ok(Keys::plain(data_dir));
    }
    if !Keyring::exists(data_dir) {
        // A data folder from before encryption: readable as it is.
        if Db::file_is_plain(&database_path(data_dir)) {
            return Ok(Keys::plain(data_dir));
        }
    }
    let how = cfg.unlock.as_ref().ok_or_else(|| KeyError::Locked {
        dir: data_dir.display().to_string(),
    })?;
    let key = Keyring::unlock(&Keyring::path(data_dir), how)?;
    Ok(Keys::from_master(data_dir, &key))
}

/// Unlocks the data folder the server owns (the caller holds its lock), creating the keyring at
/// the first encrypted start and converting a plain database. A key rotation cut short by a
/// crash is finished or undone first ([`recover_rekey`]).
pub fn unlock_or_create(cfg: &Config) -> Result<Keys, UnlockError> {
    let dir = &cfg.data_dir;
    recover_rekey(cfg)?;
    if cfg.at_rest.encryption == Encryption::Off || Keyring::exists(dir) {
        let keys = unlock_existing(dir, cfg)?;
        // A database left plain by a crash during its conversion (keyring written first).
        if keys.db.is_encrypted() && Db::file_is_plain(keys.db.path()) {
            keys.db.encrypt_plain_file()?;
        }
        return Ok(keys);
    }
    let Some(Unlock::Passphrase(pass)) = &cfg.unlock else {
        return Err(KeyError::Locked {
            dir: dir.display().to_string(),
        }
        .into());
    };
    let key = Keyring::create(&Keyring::path(dir), pass, cfg.at_rest.kdf)?;
    tracing::info!(key_id = %key.id(), "created the data folder's master key (keyring.json)");
    let keys = Keys::from_master(dir, &key);
    if Db::file_is_plain(keys.db.path()) {
        tracing::info!("encrypting the database of this data folder (written before encryption)");
        keys.db.encrypt_plain_file()?;
    }
    Ok(keys)
}

/// The sealed secret files of a data folder and what each is sealed for.
pub const SEALED_FILES: &[(&str, &str)] = &[
    ("storage-key.age-identity", "age-storage-identity"),
    ("tls/ca.key", "tls-ca-key"),
    ("tls/server.key", "tls-server-key"),
];

/// The suffix of the files a key rotation stages beside the ones they replace.
const STAGED: &str = "rekey";

fn staged(path: &Path) -> std::path::PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(".");
    s.push(STAGED);
    s.into()
}

/// What [`rekey`] did.
#[derive(Debug, Clone)]
pub struct RekeyReport {
    pub old_key_id: String,
    pub new_key_id: String,
    /// Secret files re-sealed under the new key.
    pub files: usize,
}

/// Key rotation (`congress rekey`, server stopped, the caller holds the folder's lock): a new
/// master key; the database re-encrypted (`sqlcipher_export`) and every sealed file re-sealed,
/// each staged beside the one it replaces; then installed in a fixed order — database, files,
/// keyring last. The new keyring is wrapped by the same passphrase (change it with
/// [`change_passphrase`]); shares made for the old key stop working. Documents need no work:
/// they are encrypted to the storage identity, which is only re-sealed.
pub fn rekey(cfg: &Config) -> Result<RekeyReport, UnlockError> {
    let dir = &cfg.data_dir;
    recover_rekey(cfg)?;
    let Some(Unlock::Passphrase(pass)) = &cfg.unlock else {
        return Err(KeyError::Shares(
            "rotating the key needs the passphrase (the new keyring is wrapped by it)".into(),
        )
        .into());
    };
    let ring = Keyring::path(dir);
    let old_key = Keyring::unlock(&ring, &Unlock::Passphrase(pass.clone()))?;
    let old = Keys::from_master(dir, &old_key);
    let new_key = MasterKey::generate();
    let new = Keys::from_master(dir, &new_key);
    // 1. Stage everything.
    let db_staged = staged(old.db.path());
    old.db.stage_copy(&new.db.at(&db_staged))?;
    let mut files = 0;
    for (rel, purpose) in SEALED_FILES {
        let path = dir.join(rel);
        if !path.is_file() {
            continue;
        }
        let plain = old.files.read(&path, purpose)?;
        new.files.write(&staged(&path), purpose, &plain.bytes)?;
        files += 1;
    }
    let params = cfg.at_rest.kdf;
    Keyring::write_new(&staged(&ring), &new_key, pass, params)?;
    // 2. Install: the database first decides, at recovery, which way a crash is resolved.
    install_staged(cfg)?;
    Ok(RekeyReport {
        old_key_id: old_key.id(),
        new_key_id: new_key.id(),
        files,
    })
}

fn install_staged(cfg: &Config) -> Result<(), UnlockError> {
    let dir = &cfg.data_dir;
    let db = Db::plain(database_path(dir));
    if staged(db.path()).is_file() {
        db.install(&staged(db.path()))?;
    }
    for (rel, _) in SEALED_FILES {
        let path = dir.join(rel);
        if staged(&path).is_file() {
            std::fs::rename(staged(&path), &path).map_err(KeyError::io(&path))?;
        }
    }
    let ring = Keyring::path(dir);
    std::fs::rename(staged(&ring), &ring).map_err(KeyError::io(&ring))?;
    Ok(())
}

/// Finishes or undoes a key rotation a crash cut short: when the staged keyring's key opens the
/// database (it was installed), the remaining staged files are installed; otherwise every staged
/// file is deleted and the old key stays.
pub fn recover_rekey(cfg: &Config) -> Result<(), UnlockError> {
    let dir = &cfg.data_dir;
    let ring = staged(&Keyring::path(dir));
    if !ring.is_file() {
        return Ok(());
    }
    let new_key = match &cfg.unlock {
        Some(how) => Keyring::unlock(&ring, how).ok(),
        None => None,
    };
    let installed = new_key
        .as_ref()
        .is_some_and(|k| Keys::from_master(dir, k).db.opens());
    if installed {
        tracing::warn!("finishing a key rotation that was interrupted");
        install_staged(cfg)
    } else {
        tracing::warn!("undoing a key rotation that was interrupted before it took effect");
        let db = database_path(dir);
        for p in std::iter::once(staged(&db))
            .chain(SEALED_FILES.iter().map(|(rel, _)| staged(&dir.join(rel))))
            .chain(std::iter::once(ring))
        {
            let _ = std::fs::remove_file(p);
        }
        Ok(())
    }
}

/// `congress passphrase`: wraps the master key under a new passphrase.
pub fn change_passphrase(cfg: &Config, new: &congress_keys::Passphrase) -> Result<(), UnlockError> {
    let ring = Keyring::path(&cfg.data_dir);
    let how = cfg.unlock.as_ref().ok_or_else(|| KeyError::Locked {
        dir: cfg.data_dir.display().to_string(),
    })?;
    let key = Keyring::unlock(&ring, how)?;
    Keyring::change_passphrase(&ring, &key, new, cfg.at_rest.kdf)?;
    Ok(())
}

/// `congress keys split`: k-of-n shares of the master key for the officers.
pub fn split(cfg: &Config, k: u8, n: u8) -> Result<Vec<zeroize::Zeroizing<String>>, UnlockError> {
    let ring = Keyring::path(&cfg.data_dir);
    let how = cfg.unlock.as_ref().ok_or_else(|| KeyError::Locked {
        dir: cfg.data_dir.display().to_string(),
    })?;
    let key = Keyring::unlock(&ring, how)?;
    Ok(Keyring::split(&ring, &key, k, n)?)
}

/// Parses `CONGRESS_SHARES` (shares separated by commas or spaces).
pub fn parse_shares(text: &str) -> Unlock {
    Unlock::Shares(
        text.split([',', ' ', '\n'])
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(congress_keys::Passphrase::new)
            .collect(),
    )
}

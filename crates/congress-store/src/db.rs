//! The one place a connection to a congress database file is opened. Every connection — the
//! writer ([`crate::SqliteStore`]), report readers ([`crate::JournalReader`]), `verify`, backup
//! copies and the search index — goes through [`Db::connect`], which gives SQLCipher its key
//! before anything else and checks it opens the file.
//!
//! With a key the whole file is encrypted by SQLCipher (AES-256-CBC per page with an
//! HMAC-SHA-512, a random IV per page write; the WAL holds encrypted pages too). The key is a raw
//! 256-bit key derived from the data folder's master key (`congress_keys`), so no PBKDF2 runs at
//! each open. Without a key ([`Db::plain`]) the file is ordinary SQLite: benchmarks comparing
//! encryption on and off, and old data folders being converted ([`Db::encrypt_plain_file`]).

use std::path::{Path, PathBuf};
use std::time::Duration;

use congress_keys::DatabaseKey;
use rusqlite::{Connection, OpenFlags};

use crate::StoreError;

/// A congress database file and the key that opens it.
#[derive(Debug, Clone)]
pub struct Db {
    path: PathBuf,
    key: Option<DatabaseKey>,
}

/// How to open a connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Read and write, creating the file if it does not exist.
    ReadWrite,
    /// Read only; the file must exist.
    ReadOnly,
}

const SQLITE_HEADER: &[u8; 16] = b"SQLite format 3\0";

impl Db {
    /// An encrypted database at `path`.
    pub fn encrypted(path: impl Into<PathBuf>, key: DatabaseKey) -> Self {
        Db {
            path: path.into(),
            key: Some(key),
        }
    }

    /// An unencrypted database at `path`.
    pub fn plain(path: impl Into<PathBuf>) -> Self {
        Db {
            path: path.into(),
            key: None,
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The same key for another file (a backup copy, a staged rekey).
    pub fn at(&self, path: impl Into<PathBuf>) -> Db {
        Db {
            path: path.into(),
            key: self.key.clone(),
        }
    }

    pub fn is_encrypted(&self) -> bool {
        self.key.is_some()
    }

    /// Whether the file at `path` is an unencrypted SQLite database (its first 16 bytes are the
    /// SQLite header, which an encrypted file never shows).
    pub fn file_is_plain(path: &Path) -> bool {
        use std::io::Read;
        let mut head = [0u8; 16];
        std::fs::File::open(path)
            .and_then(|mut f| f.read_exact(&mut head))
            .is_ok_and(|()| &head == SQLITE_HEADER)
    }

    fn open_error(&self, reason: impl ToString) -> StoreError {
        StoreError::Open {
            path: self.path.display().to_string(),
            reason: reason.to_string(),
        }
    }

    /// Opens a connection, keyed, and checks the key opens the file.
    pub fn connect(&self, access: Access) -> Result<Connection, StoreError> {
        let flags = match access {
            Access::ReadWrite => {
                OpenFlags::SQLITE_OPEN_READ_WRITE
                    | OpenFlags::SQLITE_OPEN_CREATE
                    | OpenFlags::SQLITE_OPEN_NO_MUTEX
            }
            Access::ReadOnly => OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        };
        let conn =
            Connection::open_with_flags(&self.path, flags).map_err(|e| self.open_error(e))?;
        if let Some(key) = &self.key {
            conn.execute_batch(&format!("PRAGMA key = \"{}\";", &*key.pragma_value()))?;
        }
        // The first read decides whether the key (or its absence) fits the file.
        match conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| {
            r.get::<_, i64>(0)
        }) {
            Ok(_) => {}
            Err(rusqlite::Error::SqliteFailure(e, _))
                if e.code == rusqlite::ErrorCode::NotADatabase =>
            {
                let plain_file = Self::file_is_plain(&self.path);
                return Err(match (&self.key, plain_file) {
                    (Some(_), true) => StoreError::NotEncrypted {
                        path: self.path.display().to_string(),
                    },
                    (Some(_), false) => StoreError::WrongKey {
                        path: self.path.display().to_string(),
                    },
                    (None, _) => StoreError::Encrypted {
                        path: self.path.display().to_string(),
                    },
                });
            }
            Err(e) => return Err(self.open_error(e)),
        }
        conn.busy_timeout(Duration::from_secs(10))?;
        Ok(conn)
    }

    /// A self-contained copy of this database at `to` (no WAL beside it), encrypted with `to`'s
    /// key (or plain): SQLCipher's `sqlcipher_export`, which re-encrypts every page. Used to
    /// convert a plain database and to rotate the key. `to` must not exist.
    pub fn export_to(&self, to: &Db) -> Result<(), StoreError> {
        if to.path.exists() {
            return Err(to.open_error("already exists"));
        }
        // Read-write: ATTACH creates the target file (the source is only read).
        let conn = self.connect(Access::ReadWrite)?;
        let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        let key = match &to.key {
            Some(k) => k.pragma_value(),
            None => zeroize::Zeroizing::new(String::new()),
        };
        conn.execute(
            "ATTACH DATABASE ?1 AS target KEY ?2",
            rusqlite::params![to.path.display().to_string(), key.as_str()],
        )?;
        conn.execute_batch("SELECT sqlcipher_export('target');")?;
        conn.execute_batch(&format!("PRAGMA target.user_version = {version};"))?;
        conn.execute_batch("DETACH DATABASE target;")?;
        drop(conn);
        std::fs::File::open(&to.path)
            .and_then(|f| f.sync_all())
            .map_err(|e| to.open_error(e))?;
        Ok(())
    }

    /// Writes this database, re-encrypted with `to`'s key, to `to` (a staging path): first
    /// checkpoints the WAL into the file, so that the file alone holds every commit.
    pub fn stage_copy(&self, to: &Db) -> Result<(), StoreError> {
        {
            let conn = self.connect(Access::ReadWrite)?;
            conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        }
        let _ = std::fs::remove_file(to.path());
        self.export_to(to)
    }

    /// Puts the staged file `staged` in place of this database (rename, then the old WAL and
    /// shared-memory files are removed: they belong to the old file).
    pub fn install(&self, staged: &Path) -> Result<(), StoreError> {
        std::fs::rename(staged, &self.path).map_err(|e| self.open_error(e))?;
        for ext in ["sqlite-wal", "sqlite-shm"] {
            let _ = std::fs::remove_file(self.path.with_extension(ext));
        }
        if let Some(dir) = self.path.parent() {
            std::fs::File::open(dir)
                .and_then(|d| d.sync_all())
                .map_err(|e| self.open_error(e))?;
        }
        Ok(())
    }

    /// Whether this key opens the file (no other error is expected).
    pub fn opens(&self) -> bool {
        self.connect(Access::ReadOnly).is_ok()
    }

    /// Converts the unencrypted database at this path (a data folder from before encryption)
    /// into an encrypted one in place: export, fsync, rename; the old WAL is checkpointed first.
    pub fn encrypt_plain_file(&self) -> Result<(), StoreError> {
        let staged = self.at(self.path.with_extension("sqlite.encrypting"));
        Db::plain(&self.path).stage_copy(&staged)?;
        self.install(staged.path())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use congress_keys::MasterKey;

    #[test]
    fn encrypted_file_shows_nothing_and_needs_its_key() {
        let dir = tempfile::tempdir().unwrap();
        let key = MasterKey::generate();
        let db = Db::encrypted(dir.path().join("c.sqlite"), key.database_key());
        {
            let c = db.connect(Access::ReadWrite).unwrap();
            c.execute_batch(
                "PRAGMA journal_mode=WAL; CREATE TABLE t(x TEXT); INSERT INTO t VALUES ('Nguyễn Văn Secret');",
            )
            .unwrap();
        }
        for entry in std::fs::read_dir(dir.path()).unwrap() {
            let bytes = std::fs::read(entry.unwrap().path()).unwrap();
            assert!(!bytes.windows(6).any(|w| w == b"Secret"));
            assert!(!bytes.starts_with(SQLITE_HEADER));
        }
        let other = Db::encrypted(db.path(), MasterKey::generate().database_key());
        assert!(matches!(
            other.connect(Access::ReadOnly),
            Err(StoreError::WrongKey { .. })
        ));
        assert!(matches!(
            Db::plain(db.path()).connect(Access::ReadOnly),
            Err(StoreError::Encrypted { .. })
        ));
        // Rotation: export to a new key.
        let key2 = MasterKey::generate();
        let db2 = Db::encrypted(dir.path().join("c2.sqlite"), key2.database_key());
        db.export_to(&db2).unwrap();
        let c = db2.connect(Access::ReadOnly).unwrap();
        let x: String = c.query_row("SELECT x FROM t", [], |r| r.get(0)).unwrap();
        assert_eq!(x, "Nguyễn Văn Secret");
    }

    #[test]
    fn a_plain_database_is_converted_in_place() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.sqlite");
        {
            let c = Db::plain(&path).connect(Access::ReadWrite).unwrap();
            c.execute_batch(
                "PRAGMA journal_mode=WAL; PRAGMA user_version = 7; CREATE TABLE t(x TEXT); INSERT INTO t VALUES ('Secret');",
            )
            .unwrap();
        }
        let db = Db::encrypted(&path, MasterKey::generate().database_key());
        assert!(matches!(
            db.connect(Access::ReadOnly),
            Err(StoreError::NotEncrypted { .. })
        ));
        db.encrypt_plain_file().unwrap();
        assert!(!Db::file_is_plain(&path));
        let c = db.connect(Access::ReadOnly).unwrap();
        let v: i64 = c
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(v, 7);
    }
}

//! Whole-database operations for backups: a consistent copy of a live database (SQLite's online
//! backup API, one read transaction, so the server's writer is never blocked in WAL mode) and
//! the journal head of a database file read without opening it for writing.

use std::path::Path;
use std::time::Duration;

use congress_proto::JournalHead;

use crate::StoreError;
use crate::db::{Access, Db};
use crate::sqlite::read_head;

/// Copies the database `src` into a new self-contained file `dst` (no WAL beside it), as of
/// one commit, encrypted with the same key; returns the journal head of the copy. The caller
/// syncs `dst` to disk.
pub fn copy_database(src: &Db, dst: &Path) -> Result<JournalHead, StoreError> {
    let source = src.connect(Access::ReadOnly)?;
    let mut target = src.at(dst).connect(Access::ReadWrite)?;
    {
        let b = rusqlite::backup::Backup::new(&source, &mut target)?;
        // All pages in one step: one read transaction, so one consistent snapshot. A busy
        // source (a checkpoint) is retried for a bounded number of steps.
        let mut tries = 0u32;
        loop {
            match b.step(-1)? {
                rusqlite::backup::StepResult::Done => break,
                _ if tries >= 3_000 => {
                    return Err(StoreError::Open {
                        path: src.path().display().to_string(),
                        reason: "the database stayed busy for 60 s".into(),
                    });
                }
                _ => {
                    tries += 1;
                    std::thread::sleep(Duration::from_millis(20));
                }
            }
        }
    }
    target.pragma_update(None, "journal_mode", "DELETE")?;
    read_head(&target)
}

/// The journal head of the database `db` (read-only; safe beside a running server).
pub fn head_of(db: &Db) -> Result<JournalHead, StoreError> {
    read_head(&db.connect(Access::ReadOnly)?)
}

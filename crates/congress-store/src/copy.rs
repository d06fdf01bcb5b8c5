//! Whole-database operations for backups: a consistent copy of a live database (SQLite's online
//! backup API, one read transaction, so the server's writer is never blocked in WAL mode) and
//! the journal head of a database file read without opening it for writing.

use std::path::Path;
use std::time::Duration;

use congress_proto::JournalHead;
use rusqlite::{Connection, OpenFlags};

use crate::StoreError;
use crate::sqlite::read_head;

fn open_read_only(path: &Path) -> Result<Connection, StoreError> {
    let conn =
        Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY).map_err(|e| {
            StoreError::Open {
                path: path.display().to_string(),
                reason: e.to_string(),
            }
        })?;
    conn.busy_timeout(Duration::from_secs(10))?;
    Ok(conn)
}

/// Copies the database at `src` into a new self-contained file `dst` (no WAL beside it), as of
/// one commit; returns the journal head of the copy. The caller syncs `dst` to disk.
pub fn copy_database(src: &Path, dst: &Path) -> Result<JournalHead, StoreError> {
    let source = open_read_only(src)?;
    let mut target = Connection::open(dst)?;
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
                        path: src.display().to_string(),
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

/// The journal head of the database at `path` (read-only; safe beside a running server).
pub fn head_of(path: &Path) -> Result<JournalHead, StoreError> {
    read_head(&open_read_only(path)?)
}

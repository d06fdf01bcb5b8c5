//! Online backups of a data folder, and restoring one into a new data folder.
//!
//! A backup is a folder `backup-<UTC time>-seq<journal seq>` under the backup root holding:
//!
//! - `congress.sqlite`: a consistent snapshot of the database made with SQLite's online backup
//!   API from a read-only connection (one read transaction: in WAL mode the writer goes on
//!   committing meanwhile, and the copy is the database as of one commit);
//! - every other file of the data folder (storage key, encrypted documents, whatever else a
//!   deployment keeps there), except the lock, SQLite's side files and temporary files.
//!   Documents never change once written (a new version or delivery copy is a new file), so a
//!   document already in the previous backup is hard-linked from it, and a new one is
//!   hard-linked from the data folder when both are on the same filesystem, else copied;
//! - `manifest.json`: time, journal head (seq + hash), size and SHA-256 of every file, and
//!   `MANIFEST.sha256`, the SHA-256 of the manifest itself.
//!
//! It is written into a temporary folder, every file and folder fsynced, then renamed into
//! place, so a backup folder either is complete or does not exist. Rotation keeps the newest
//! `keep`. [`restore`] checks the manifest, every file's hash, that the database's journal head
//! is the manifest's and that its hash chain and projections verify, and only then installs the
//! files into a new data folder (staged beside it and renamed), and verifies again.

use std::collections::HashMap;
use std::fs::{self, File};
use std::io::{Read, Write};
use std::path::{Component, Path, PathBuf};
use std::time::Duration;

use congress_app::clock::{Clock, Stopwatch, SystemClock};

use congress_proto::JournalHead;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The database file name inside a data folder and a backup.
pub const DATABASE: &str = "congress.sqlite";
/// The manifest file of a backup.
pub const MANIFEST: &str = "manifest.json";
/// SHA-256 (hex) of `manifest.json`.
pub const MANIFEST_SUM: &str = "MANIFEST.sha256";
const PREFIX: &str = "backup-";

pub use congress_app::config::BackupConfig;

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("{path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("database: {0}")]
    Store(#[from] congress_store::StoreError),
    #[error("there is no congress database in {0}")]
    NoDatabase(String),
    #[error("no backup found in {0} (expected a folder with manifest.json, or folders backup-*)")]
    NoBackup(String),
    #[error("the backup {backup} is damaged and was not restored: {reason}")]
    Damaged { backup: String, reason: String },
    #[error(
        "refusing to restore into {0}: it is not empty (restore into a new folder, or move this one away first)"
    )]
    NotEmpty(String),
    #[error("the restored database does not verify: {0}")]
    Verify(String),
    #[error("the backup is encrypted and cannot be opened: {0}")]
    Locked(String),
}

pub(crate) fn io(path: &Path) -> impl FnOnce(std::io::Error) -> BackupError + '_ {
    move |source| BackupError::Io {
        path: path.display().to_string(),
        source,
    }
}

/// One file of a backup.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileEntry {
    /// Relative path, `/`-separated.
    pub path: String,
    pub bytes: u64,
    pub sha256: String,
}

/// What a backup holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub format: u32,
    pub created_at_ms: i64,
    /// RFC 3339, UTC.
    pub created_at: String,
    /// The journal head of the database copy.
    pub journal: JournalHead,
    pub database: FileEntry,
    /// Every other file (storage key, documents, ...).
    pub files: Vec<FileEntry>,
}

/// What [`backup`] did.
#[derive(Debug, Clone)]
pub struct BackupReport {
    pub path: PathBuf,
    pub manifest: Manifest,
    /// Files hard-linked (from the previous backup or the data folder) rather than copied.
    pub linked: usize,
    pub copied_bytes: u64,
    pub took: Duration,
    /// Older backups deleted by rotation.
    pub removed: Vec<PathBuf>,
}

/// Backs up `data_dir` into a new folder under `root` (created if needed); then, with `keep`,
/// deletes all but the newest `keep` backups. Safe while a server writes to `data_dir`.
pub fn backup(
    data_dir: &Path,
    db: &congress_store::Db,
    root: &Path,
    keep: Option<usize>,
) -> Result<BackupReport, BackupError> {
    let started = Stopwatch::start();
    let db_path = db.path();
    if !db_path.is_file() {
        return Err(BackupError::NoDatabase(data_dir.display().to_string()));
    }
    fs::create_dir_all(root).map_err(io(root))?;
    clean_stale_temp(root);
    let previous = latest(root).and_then(|p| read_manifest(&p).ok().map(|m| (p, m)));
    let tmp = root.join(format!(".tmp-{:016x}", rand::random::<u64>()));
    // Private: it holds the storage key.
    create_private_dir(&tmp)?;
    let result = fill(data_dir, db, root, &tmp, previous.as_ref());
    let (manifest, linked, copied_bytes) = match result {
        Ok(r) => r,
        Err(e) => {
            let _ = fs::remove_dir_all(&tmp);
            return Err(e);
        }
    };
    let mut name = format!(
        "{PREFIX}{}-seq{:010}",
        compact_time(manifest.created_at_ms),
        manifest.journal.seq
    );
    if root.join(&name).exists() {
        name.push_str(&format!("-{:04x}", rand::random::<u16>()));
    }
    let path = root.join(name);
    fs::rename(&tmp, &path).map_err(io(&path))?;
    sync_dir(root)?;
    let removed = match keep {
        Some(k) => rotate(root, k.max(1))?,
        None => Vec::new(),
    };
    Ok(BackupReport {
        path,
        manifest,
        linked,
        copied_bytes,
        took: started.elapsed(),
        removed,
    })
}

/// Writes the database copy, the other files and the manifest into `tmp`.
fn fill(
    data_dir: &Path,
    db: &congress_store::Db,
    root: &Path,
    tmp: &Path,
    previous: Option<&(PathBuf, Manifest)>,
) -> Result<(Manifest, usize, u64), BackupError> {
    let created_at_ms = now_ms();
    let db_copy = tmp.join(DATABASE);
    let journal = congress_store::copy_database(db, &db_copy)?;
    File::open(&db_copy)
        .and_then(|f| f.sync_all())
        .map_err(io(&db_copy))?;
    let database = FileEntry {
        path: DATABASE.into(),
        bytes: fs::metadata(&db_copy).map_err(io(&db_copy))?.len(),
        sha256: sha256_file(&db_copy)?,
    };
    let mut copied_bytes = database.bytes;
    let prev: HashMap<&str, &FileEntry> = previous
        .map(|(_, m)| m.files.iter().map(|f| (f.path.as_str(), f)).collect())
        .unwrap_or_default();
    let root_canon = fs::canonicalize(root).ok();
    let mut files = Vec::new();
    let mut linked = 0;
    for rel in data_files(data_dir, root_canon.as_deref())? {
        let rel_s = rel_string(&rel);
        let src = data_dir.join(&rel);
        let dst = tmp.join(&rel);
        if let Some(parent) = dst.parent() {
            fs::create_dir_all(parent).map_err(io(parent))?;
        }
        let len = fs::metadata(&src).map_err(io(&src))?.len();
        // Documents are immutable once written: reuse the previous backup's copy.
        let immutable = rel_s.starts_with("documents/");
        if immutable
            && let (Some((prev_dir, _)), Some(entry)) = (previous, prev.get(rel_s.as_str()))
            && entry.bytes == len
            && fs::hard_link(prev_dir.join(&rel), &dst).is_ok()
        {
            files.push((*entry).clone());
            linked += 1;
            continue;
        }
        if immutable && fs::hard_link(&src, &dst).is_ok() {
            files.push(FileEntry {
                path: rel_s,
                bytes: len,
                sha256: sha256_file(&dst)?,
            });
            linked += 1;
            continue;
        }
        let (bytes, sha256) = copy_file(&src, &dst)?;
        copied_bytes += bytes;
        files.push(FileEntry {
            path: rel_s,
            bytes,
            sha256,
        });
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    let manifest = Manifest {
        format: 1,
        created_at_ms,
        created_at: rfc3339(created_at_ms),
        journal,
        database,
        files,
    };
    let text = serde_json::to_vec_pretty(&manifest).map_err(|e| BackupError::Io {
        path: MANIFEST.into(),
        source: std::io::Error::other(e),
    })?;
    write_synced(&tmp.join(MANIFEST), &text)?;
    let sum = format!("{}  {MANIFEST}\n", hex::encode(Sha256::digest(&text)));
    write_synced(&tmp.join(MANIFEST_SUM), sum.as_bytes())?;
    sync_tree(tmp)?;
    Ok((manifest, linked, copied_bytes))
}

/// The journal head of the database `db` right now (read-only).
pub fn current_head(db: &congress_store::Db) -> Result<JournalHead, BackupError> {
    Ok(congress_store::head_of(db)?)
}

pub use crate::restore::{RestoreReport, check, resolve, restore};

/// Files of the data folder to back up besides the database, relative, sorted.
pub(crate) fn data_files(
    data_dir: &Path,
    skip: Option<&Path>,
) -> Result<Vec<PathBuf>, BackupError> {
    let mut out = Vec::new();
    let mut stack = vec![PathBuf::new()];
    while let Some(rel) = stack.pop() {
        let dir = data_dir.join(&rel);
        for entry in fs::read_dir(&dir).map_err(io(&dir))? {
            let entry = entry.map_err(io(&dir))?;
            let name = entry.file_name();
            let name_s = name.to_string_lossy();
            let ty = entry.file_type().map_err(io(&dir))?;
            let child = rel.join(&name);
            if skip.is_some_and(|s| fs::canonicalize(entry.path()).ok().as_deref() == Some(s)) {
                continue;
            }
            if ty.is_dir() {
                if name_s != "tmp" && !name_s.starts_with('.') {
                    stack.push(child);
                }
            } else if ty.is_file() && !skipped_file(&rel, &name_s) {
                out.push(child);
            }
        }
    }
    out.sort();
    Ok(out)
}

/// The lock, SQLite's files (copied through the backup API) and temporary files.
fn skipped_file(dir: &Path, name: &str) -> bool {
    let top = dir.as_os_str().is_empty();
    (top && (name == "congress.lock" || name.starts_with(DATABASE)))
        || name.starts_with('.')
        || name.ends_with(".tmp")
}

pub(crate) fn rel_string(p: &Path) -> String {
    p.components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

/// A manifest path as a safe relative path (no `..`, not absolute).
pub(crate) fn safe_rel(path: &str) -> Option<PathBuf> {
    let p = PathBuf::from(path);
    let ok = !path.is_empty() && p.components().all(|c| matches!(c, Component::Normal(_)));
    ok.then_some(p)
}

pub(crate) fn copy_file(src: &Path, dst: &Path) -> Result<(u64, String), BackupError> {
    let mut from = File::open(src).map_err(io(src))?;
    let mut to = File::create(dst).map_err(io(dst))?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut total = 0u64;
    loop {
        let n = from.read(&mut buf).map_err(io(src))?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        to.write_all(&buf[..n]).map_err(io(dst))?;
        total += n as u64;
    }
    let perms = from.metadata().map_err(io(src))?.permissions();
    fs::set_permissions(dst, perms).map_err(io(dst))?;
    to.sync_all().map_err(io(dst))?;
    Ok((total, hex::encode(hasher.finalize())))
}

pub(crate) fn sha256_file(path: &Path) -> Result<String, BackupError> {
    let mut f = File::open(path).map_err(io(path))?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = f.read(&mut buf).map_err(io(path))?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hex::encode(hasher.finalize()))
}

pub(crate) fn write_synced(path: &Path, bytes: &[u8]) -> Result<(), BackupError> {
    let mut f = File::create(path).map_err(io(path))?;
    f.write_all(bytes).map_err(io(path))?;
    f.sync_all().map_err(io(path))
}

pub(crate) fn sync_dir(dir: &Path) -> Result<(), BackupError> {
    File::open(dir).and_then(|f| f.sync_all()).map_err(io(dir))
}

/// fsyncs every folder under (and including) `dir` (files are synced when written).
pub(crate) fn sync_tree(dir: &Path) -> Result<(), BackupError> {
    for entry in fs::read_dir(dir).map_err(io(dir))? {
        let entry = entry.map_err(io(dir))?;
        if entry.file_type().map_err(io(dir))?.is_dir() {
            sync_tree(&entry.path())?;
        }
    }
    sync_dir(dir)
}

/// Removes temporary folders left by an interrupted backup.
fn clean_stale_temp(root: &Path) {
    let Ok(rd) = fs::read_dir(root) else { return };
    for e in rd.flatten() {
        if e.file_name().to_string_lossy().starts_with(".tmp-") {
            // Only old ones: a concurrent backup may be writing a fresh one.
            let modified_ms = e
                .metadata()
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .map(|d| d.as_millis() as i64);
            let old = modified_ms.is_some_and(|m| now_ms() - m > 3_600_000);
            if old {
                let _ = fs::remove_dir_all(e.path());
            }
        }
    }
}

/// The complete backups under `root`, oldest first.
pub fn list(root: &Path) -> Vec<PathBuf> {
    let Ok(rd) = fs::read_dir(root) else {
        return Vec::new();
    };
    let mut v: Vec<PathBuf> = rd
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with(PREFIX))
        .map(|e| e.path())
        .filter(|p| p.join(MANIFEST).is_file())
        .collect();
    v.sort();
    v
}

/// The newest complete backup under `root`.
pub fn latest(root: &Path) -> Option<PathBuf> {
    list(root).pop()
}

/// Deletes all but the newest `keep` backups; returns what it deleted.
pub fn rotate(root: &Path, keep: usize) -> Result<Vec<PathBuf>, BackupError> {
    let all = list(root);
    let n = all.len().saturating_sub(keep);
    let mut removed = Vec::new();
    for p in all.into_iter().take(n) {
        fs::remove_dir_all(&p).map_err(io(&p))?;
        removed.push(p);
    }
    if !removed.is_empty() {
        sync_dir(root)?;
    }
    Ok(removed)
}

pub(crate) fn read_manifest(dir: &Path) -> Result<Manifest, BackupError> {
    let damaged = |reason: String| BackupError::Damaged {
        backup: dir.display().to_string(),
        reason,
    };
    let path = dir.join(MANIFEST);
    let text = fs::read(&path).map_err(|e| damaged(format!("cannot read {MANIFEST}: {e}")))?;
    let sum = fs::read_to_string(dir.join(MANIFEST_SUM))
        .map_err(|e| damaged(format!("cannot read {MANIFEST_SUM}: {e}")))?;
    let want = sum.split_whitespace().next().unwrap_or_default();
    if want != hex::encode(Sha256::digest(&text)) {
        return Err(damaged(format!(
            "{MANIFEST} does not match {MANIFEST_SUM} (it was changed or damaged)"
        )));
    }
    let m: Manifest = serde_json::from_slice(&text)
        .map_err(|e| damaged(format!("{MANIFEST} is invalid: {e}")))?;
    if m.format != 1 {
        return Err(damaged(format!("unknown backup format {}", m.format)));
    }
    Ok(m)
}

pub(crate) fn create_private_dir(dir: &Path) -> Result<(), BackupError> {
    use std::os::unix::fs::DirBuilderExt;
    fs::DirBuilder::new()
        .mode(0o700)
        .create(dir)
        .map_err(io(dir))
}

/// Runs scheduled backups while the server serves: one at start and then every
/// `interval_s`, each skipped when the journal head is the newest backup's. Stops when
/// `stop` turns true.
pub fn start_schedule(
    data_dir: PathBuf,
    db: congress_store::Db,
    cfg: BackupConfig,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    let Some(root) = cfg.dir.clone() else { return };
    let interval = Duration::from_secs(cfg.interval_s.max(1));
    tokio::spawn(async move {
        loop {
            let (data, root, db) = (data_dir.clone(), root.clone(), db.clone());
            let keep = cfg.keep;
            let r = tokio::task::spawn_blocking(move || backup_if_changed(&data, &db, &root, keep))
                .await;
            match r {
                Ok(Ok(Some(rep))) => tracing::info!(
                    path = %rep.path.display(),
                    seq = rep.manifest.journal.seq,
                    ms = rep.took.as_millis() as u64,
                    removed = rep.removed.len(),
                    "backup written"
                ),
                Ok(Ok(None)) => tracing::debug!("backup skipped: nothing new"),
                Ok(Err(e)) => tracing::error!(error = %e, "scheduled backup failed"),
                Err(e) => tracing::error!(error = %e, "scheduled backup panicked"),
            }
            tokio::select! {
                _ = tokio::time::sleep(interval) => {}
                _ = stop.changed() => return,
            }
            if *stop.borrow() {
                return;
            }
        }
    });
}

/// A backup unless the newest one already has the current journal head.
pub fn backup_if_changed(
    data_dir: &Path,
    db: &congress_store::Db,
    root: &Path,
    keep: usize,
) -> Result<Option<BackupReport>, BackupError> {
    let head = current_head(db)?;
    if let Some(prev) = latest(root)
        && read_manifest(&prev).is_ok_and(|m| m.journal == head)
    {
        return Ok(None);
    }
    backup(data_dir, db, root, Some(keep)).map(Some)
}

/// Backups are named after the machine's time (a backup runs outside the engine's clock).
fn now_ms() -> i64 {
    SystemClock.now_ms()
}

/// (year, month, day, hour, minute, second, millisecond) of a Unix time in ms, UTC.
fn civil(ms: i64) -> (i64, u32, u32, u32, u32, u32, u32) {
    let secs = ms.div_euclid(1000);
    let milli = ms.rem_euclid(1000) as u32;
    let days = secs.div_euclid(86_400);
    let sod = secs.rem_euclid(86_400) as u32;
    // Howard Hinnant's days_from_civil inverse.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d, sod / 3600, (sod / 60) % 60, sod % 60, milli)
}

fn rfc3339(ms: i64) -> String {
    let (y, mo, d, h, mi, s, milli) = civil(ms);
    format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{milli:03}Z")
}

fn compact_time(ms: i64) -> String {
    let (y, mo, d, h, mi, s, milli) = civil(ms);
    format!("{y:04}{mo:02}{d:02}T{h:02}{mi:02}{s:02}.{milli:03}Z")
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_utc_rfc3339() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(rfc3339(1_795_000_000_123), "2026-11-18T11:06:40.123Z");
        assert_eq!(compact_time(951_782_400_000), "20000229T000000.000Z");
    }

    #[test]
    fn manifest_paths_must_stay_inside() {
        assert!(safe_rel("documents/1/v1.age").is_some());
        assert!(safe_rel("../etc/passwd").is_none());
        assert!(safe_rel("/etc/passwd").is_none());
        assert!(safe_rel("").is_none());
    }

    #[test]
    fn lock_sqlite_side_files_and_temporaries_are_skipped() {
        let top = Path::new("");
        assert!(skipped_file(top, "congress.lock"));
        assert!(skipped_file(top, "congress.sqlite-wal"));
        assert!(skipped_file(top, ".storage-key123"));
        assert!(skipped_file(Path::new("documents/3"), "v1.delivery.tmp"));
        assert!(!skipped_file(top, "storage-key.age-identity"));
        assert!(!skipped_file(Path::new("documents/3"), "v1.age"));
    }
}

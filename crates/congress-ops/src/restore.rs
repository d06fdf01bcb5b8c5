//! Restoring a backup: checking a backup folder (manifest checksum, every file's size and
//! SHA-256, the database's journal head against the manifest, `verify` on the copy) and
//! installing it into a new, empty data folder. Backups themselves are made by
//! [`crate::backup`].

use std::fs;
use std::path::{Path, PathBuf};

use std::time::Duration;

use crate::backup::{
    BackupError, DATABASE, MANIFEST, Manifest, copy_file, create_private_dir, io, latest,
    read_manifest, safe_rel, sha256_file, sync_dir, sync_tree,
};
use congress_app::Config;
use congress_app::clock::Stopwatch;

/// Resolves `from` to one backup folder: itself if it holds a manifest, else the newest backup
/// under it.
pub fn resolve(from: &Path) -> Result<PathBuf, BackupError> {
    if from.join(MANIFEST).is_file() {
        return Ok(from.to_path_buf());
    }
    latest(from).ok_or_else(|| BackupError::NoBackup(from.display().to_string()))
}

/// The backup (or restored data) folder `dir` unlocked like a data folder: its own
/// `keyring.json` opened with the passphrase or shares of `cfg`.
fn unlocked(dir: &Path, cfg: &Config) -> Result<congress_store::Db, BackupError> {
    congress_app::keys::unlock_existing(dir, cfg)
        .map(|k| k.db)
        .map_err(|e| BackupError::Locked(e.to_string()))
}

/// Checks a backup folder: manifest checksum, every file's size and SHA-256, the database's
/// journal head against the manifest, and `verify` on the database copy (which needs the
/// backup's passphrase, given in `cfg`).
pub fn check(dir: &Path, cfg: &Config) -> Result<Manifest, BackupError> {
    let damaged = |reason: String| BackupError::Damaged {
        backup: dir.display().to_string(),
        reason,
    };
    let m = read_manifest(dir)?;
    if m.database.path != DATABASE {
        return Err(damaged(format!("the database must be {DATABASE}")));
    }
    for f in std::iter::once(&m.database).chain(&m.files) {
        let rel = safe_rel(&f.path).ok_or_else(|| damaged(format!("bad path {:?}", f.path)))?;
        let p = dir.join(rel);
        let len = fs::metadata(&p)
            .map_err(|e| damaged(format!("{} is missing: {e}", f.path)))?
            .len();
        if len != f.bytes {
            return Err(damaged(format!(
                "{} has {len} bytes, the manifest says {}",
                f.path, f.bytes
            )));
        }
        if sha256_file(&p)? != f.sha256 {
            return Err(damaged(format!(
                "{} does not match its SHA-256 in the manifest",
                f.path
            )));
        }
    }
    let db = unlocked(dir, cfg)?;
    let head = congress_store::head_of(&db)
        .map_err(|e| damaged(format!("the database cannot be read: {e}")))?;
    if head != m.journal {
        return Err(damaged(format!(
            "the database's journal head (seq {}) is not the manifest's (seq {})",
            head.seq, m.journal.seq
        )));
    }
    let report = congress_store::verify(&db).map_err(|e| damaged(format!("verify: {e}")))?;
    if !report.ok() {
        return Err(damaged(format!("verify: {}", report.problems.join("; "))));
    }
    Ok(m)
}

/// What [`restore`] did.
#[derive(Debug, Clone)]
pub struct RestoreReport {
    pub from: PathBuf,
    pub manifest: Manifest,
    pub events: u64,
    pub took: Duration,
}

/// Restores the backup `from` (a backup folder, or a root: its newest backup) into the new
/// data folder `data` (absent or empty): checks it, installs it, verifies it.
pub fn restore(from: &Path, data: &Path, cfg: &Config) -> Result<RestoreReport, BackupError> {
    let started = Stopwatch::start();
    if data.exists() {
        let empty = fs::read_dir(data).map_err(io(data))?.next().is_none();
        if !empty {
            return Err(BackupError::NotEmpty(data.display().to_string()));
        }
    }
    let dir = resolve(from)?;
    let manifest = check(&dir, cfg)?;
    let parent = match data.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    fs::create_dir_all(&parent).map_err(io(&parent))?;
    let stage = parent.join(format!(".restoring-{:016x}", rand::random::<u64>()));
    let installed = (|| {
        create_private_dir(&stage)?;
        for f in std::iter::once(&manifest.database).chain(&manifest.files) {
            let rel = safe_rel(&f.path).ok_or_else(|| BackupError::Damaged {
                backup: dir.display().to_string(),
                reason: format!("bad path {:?}", f.path),
            })?;
            let dst = stage.join(&rel);
            if let Some(p) = dst.parent() {
                fs::create_dir_all(p).map_err(io(p))?;
            }
            let (_, sha) = copy_file(&dir.join(&rel), &dst)?;
            if sha != f.sha256 {
                return Err(BackupError::Damaged {
                    backup: dir.display().to_string(),
                    reason: format!("{} changed while it was being restored", f.path),
                });
            }
        }
        sync_tree(&stage)?;
        if data.exists() {
            fs::remove_dir(data).map_err(io(data))?;
        }
        fs::rename(&stage, data).map_err(io(data))?;
        sync_dir(&parent)
    })();
    if let Err(e) = installed {
        let _ = fs::remove_dir_all(&stage);
        return Err(e);
    }
    let report = congress_store::verify(&unlocked(data, cfg)?)?;
    if !report.ok() {
        return Err(BackupError::Verify(report.problems.join("; ")));
    }
    Ok(RestoreReport {
        from: dir,
        manifest,
        events: report.events,
        took: started.elapsed(),
    })
}

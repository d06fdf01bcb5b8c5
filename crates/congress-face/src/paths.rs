//! Where the face models and the labelled test photos are found, for tests and benchmarks:
//! `CONGRESS_MODELS_DIR` (default `models/` in the workspace) and `CONGRESS_FACES_DIR` (default
//! `../shared/faces` beside the checkout).

use std::path::{Path, PathBuf};

/// The workspace root (two levels above this crate).
pub fn workspace_root() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let manifest = std::fs::canonicalize(manifest).unwrap_or_else(|_| manifest.to_path_buf());
    manifest
        .join("../..")
        .canonicalize()
        .unwrap_or_else(|_| manifest.join("../.."))
}

/// `CONGRESS_MODELS_DIR`, else `<workspace>/models`.
pub fn models_dir() -> PathBuf {
    std::env::var_os("CONGRESS_MODELS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("models"))
}

/// `CONGRESS_FACES_DIR`, else `<workspace>/../shared/faces`; `Err` holds the path looked at when
/// the folder is absent.
pub fn faces_dir() -> Result<PathBuf, PathBuf> {
    let dir = std::env::var_os("CONGRESS_FACES_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("../shared/faces"));
    if dir.is_dir() { Ok(dir) } else { Err(dir) }
}

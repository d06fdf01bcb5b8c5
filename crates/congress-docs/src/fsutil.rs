//! Small filesystem helpers shared by the modules: directory fsync and atomic
//! temp-file-then-rename persistence.

use std::fs::File;
use std::io;
use std::path::Path;

/// Flushes a directory entry table to disk so that a rename or create inside it survives
/// a power cut.
pub(crate) fn fsync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

/// The directory a file path lives in (`.` for a bare file name).
pub(crate) fn parent_dir(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

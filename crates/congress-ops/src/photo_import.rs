//! `congress import --photos DIR`: enrol every delegate from `<delegate id>.jpg|jpeg|png`,
//! with a progress bar and a report of the photos that could not be used.

use std::io::IsTerminal;
use std::path::Path;

use anyhow::Context;
use congress_app::AppState;
use indicatif::{ProgressBar, ProgressStyle};

/// Returns the exit code: 0 when every photo was enrolled, 3 when some were not.
pub async fn run(app: &AppState, dir: &Path) -> anyhow::Result<u8> {
    let face = app.face.clone().context("face recognition did not start")?;
    let mut files: Vec<(String, std::path::PathBuf)> = std::fs::read_dir(dir)
        .with_context(|| format!("cannot read the photo folder {}", dir.display()))?
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| {
            p.extension()
                .and_then(|x| x.to_str())
                .is_some_and(|x| matches!(x.to_ascii_lowercase().as_str(), "jpg" | "jpeg" | "png"))
        })
        .filter_map(|p| Some((p.file_stem()?.to_str()?.to_string(), p)))
        .collect();
    files.sort();
    let bar = if std::io::stderr().is_terminal() {
        ProgressBar::new(files.len() as u64)
    } else {
        ProgressBar::hidden()
    };
    bar.set_style(
        ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} ({eta})")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar.set_message("enrolling faces");
    let mut enrolled = 0;
    let mut problems: Vec<(String, String, String)> = Vec::new();
    for (id, path) in &files {
        bar.inc(1);
        if !app.engine.read(|s| s.delegates.contains_key(id)) {
            problems.push((
                id.clone(),
                "unknown id".into(),
                "no delegate with this id".into(),
            ));
            continue;
        }
        let bytes = match std::fs::read(path) {
            Ok(b) => b,
            Err(e) => {
                problems.push((id.clone(), "unreadable".into(), e.to_string()));
                continue;
            }
        };
        let r = face
            .enrol(&app.engine, id, vec![bytes], "import", "cli".into(), None)
            .await;
        match r {
            Ok(r) if r.enrolled => enrolled += 1,
            Ok(r) => {
                let c = r.captures.into_iter().next();
                problems.push((
                    id.clone(),
                    c.as_ref().map(|c| c.outcome.clone()).unwrap_or_default(),
                    c.map(|c| c.message).unwrap_or_default(),
                ));
            }
            Err(e) => problems.push((id.clone(), "error".into(), e.to_string())),
        }
    }
    bar.finish_and_clear();
    let listed = app.engine.read(|s| s.delegates.len());
    println!(
        "faces: {enrolled} of {} photos enrolled ({} delegates listed, {} enrolled in all)",
        files.len(),
        listed,
        face.enrolled_count()
    );
    for kind in [
        "no_face",
        "several_faces",
        "low_quality",
        "bad_image",
        "unknown id",
        "unreadable",
        "error",
    ] {
        let of: Vec<_> = problems.iter().filter(|p| p.1 == kind).collect();
        if !of.is_empty() {
            println!("  {kind} ({}):", of.len());
            for (id, _, msg) in of {
                println!("    {id}: {msg}");
            }
        }
    }
    Ok(if problems.is_empty() { 0 } else { 3 })
}

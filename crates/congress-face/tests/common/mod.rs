//! Shared helpers for the integration tests: where the photos and models are, and whether a
//! test must skip (folder absent) or fail (`CONGRESS_REQUIRE_MODELS=1`).
#![allow(clippy::unwrap_used, clippy::expect_used)]
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use congress_face::FaceConfig;

pub use congress_face::paths::models_dir;

/// The photos folder, or `None` (with a message) if absent.
pub fn faces_dir() -> Option<PathBuf> {
    match congress_face::paths::faces_dir() {
        Ok(dir) => Some(dir),
        Err(dir) => {
            eprintln!(
                "SKIPPED: face photos not found at {} (set CONGRESS_FACES_DIR)",
                dir.display()
            );
            None
        }
    }
}

pub fn require_models() -> bool {
    std::env::var("CONGRESS_REQUIRE_MODELS").is_ok_and(|v| v == "1")
}

/// Config for the real models, or `None` (skip) if they are absent and not required.
pub fn model_config() -> Option<FaceConfig> {
    let dir = models_dir();
    let present = [
        "centerface.onnx",
        "dlib_resnet128.onnx",
        "lib/libonnxruntime.so",
    ]
    .iter()
    .all(|f| dir.join(f).exists());
    if !present {
        if require_models() {
            panic!(
                "CONGRESS_REQUIRE_MODELS=1 but the models are missing in {}: run python3 models/setup.py",
                dir.display()
            );
        }
        eprintln!(
            "SKIPPED: models not found in {} (run python3 models/setup.py; set CONGRESS_MODELS_DIR)",
            dir.display()
        );
        return None;
    }
    Some(FaceConfig {
        models_dir: dir,
        ..FaceConfig::default()
    })
}

pub fn read(p: &Path) -> Vec<u8> {
    std::fs::read(p).unwrap_or_else(|e| panic!("cannot read {}: {e}", p.display()))
}

pub fn encode(img: &image::DynamicImage, fmt: image::ImageFormat) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, fmt).unwrap();
    out.into_inner()
}

//! ONNX Runtime plumbing: one environment per process (in a `OnceLock`), loaded dynamically
//! from an absolute library path; model files verified against `SHA256SUMS` before use;
//! sessions built with explicit threading (intra-op N, inter-op 1, no spinning).

use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};
use std::time::SystemTime;

use ort::environment::Environment;
use ort::session::Session;
use ort::session::builder::GraphOptimizationLevel;
use sha2::{Digest, Sha256};

use crate::config::FaceConfig;
use crate::error::FaceError;

static ENV: OnceLock<Result<(PathBuf, Environment), String>> = OnceLock::new();

/// (path, size, mtime) of files already verified in this process, so workers don't re-hash.
type VerifiedKey = (PathBuf, u64, Option<SystemTime>);
static VERIFIED: OnceLock<Mutex<HashMap<VerifiedKey, ()>>> = OnceLock::new();

/// Absolute models folder from the config.
pub fn models_dir(config: &FaceConfig) -> Result<PathBuf, FaceError> {
    absolute(&config.models_dir)
}

fn absolute(p: &Path) -> Result<PathBuf, FaceError> {
    if p.is_absolute() {
        return Ok(p.to_path_buf());
    }
    let cwd = std::env::current_dir().map_err(|e| FaceError::Io {
        path: p.to_path_buf(),
        source: e,
    })?;
    Ok(cwd.join(p))
}

/// Library path in effect: config, else `ORT_DYLIB_PATH`, else `<models_dir>/lib/libonnxruntime.so`.
pub fn ort_library_path(config: &FaceConfig) -> Result<PathBuf, FaceError> {
    if let Some(p) = &config.ort_library {
        return absolute(p);
    }
    if let Some(p) = std::env::var_os("ORT_DYLIB_PATH").filter(|p| !p.is_empty()) {
        return absolute(Path::new(&p));
    }
    Ok(models_dir(config)?.join("lib").join("libonnxruntime.so"))
}

/// Initialise ONNX Runtime once for the process; later calls reuse it.
pub fn environment(config: &FaceConfig) -> Result<&'static Environment, FaceError> {
    let lib = ort_library_path(config)?;
    let models = models_dir(config)?;
    if !lib.exists() {
        return Err(FaceError::ModelMissing { path: lib });
    }
    if config.verify_checksums && lib.starts_with(&models) {
        verify_file(&models, &lib)?;
    }
    let res = ENV.get_or_init(|| {
        tracing::info!(library = %lib.display(), "initialising ONNX Runtime");
        let builder = ort::init_from(&lib).map_err(|e| e.to_string())?;
        let env = builder
            .with_name("congress-face")
            .build()
            .map_err(|e| e.to_string())?;
        Ok((lib.clone(), env))
    });
    match res {
        Ok((loaded, env)) => {
            if *loaded != lib {
                tracing::warn!(requested = %lib.display(), loaded = %loaded.display(),
                    "ONNX Runtime already loaded from another path; keeping it");
            }
            Ok(env)
        }
        Err(message) => Err(FaceError::RuntimeInit {
            path: lib,
            message: message.clone(),
        }),
    }
}

/// Parse `SHA256SUMS` (`<hex>  <relative path>` lines).
pub fn read_manifest(models: &Path) -> Result<HashMap<String, String>, FaceError> {
    let path = models.join("SHA256SUMS");
    let text = std::fs::read_to_string(&path).map_err(|e| FaceError::ModelUnverified {
        path: path.clone(),
        reason: format!("cannot read the checksum manifest ({e})"),
    })?;
    let mut out = HashMap::new();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some((digest, name)) = line.split_once(char::is_whitespace) {
            out.insert(
                name.trim().trim_start_matches('*').to_string(),
                digest.to_ascii_lowercase(),
            );
        }
    }
    Ok(out)
}

/// SHA-256 of a file, hex.
pub fn sha256_file(path: &Path) -> Result<String, FaceError> {
    let io = |e| FaceError::Io {
        path: path.to_path_buf(),
        source: e,
    };
    let mut f = std::fs::File::open(path).map_err(io)?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = f.read(&mut buf).map_err(io)?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Ok(hex::encode(h.finalize()))
}

/// Check `file` (inside `models`) against the manifest; cached per process by size and mtime.
pub fn verify_file(models: &Path, file: &Path) -> Result<(), FaceError> {
    let meta = std::fs::metadata(file).map_err(|_| FaceError::ModelMissing {
        path: file.to_path_buf(),
    })?;
    let key = (file.to_path_buf(), meta.len(), meta.modified().ok());
    let cache = VERIFIED.get_or_init(|| Mutex::new(HashMap::new()));
    if let Ok(c) = cache.lock()
        && c.contains_key(&key)
    {
        return Ok(());
    }
    let rel = file
        .strip_prefix(models)
        .map(|r| r.to_string_lossy().replace('\\', "/"))
        .unwrap_or_else(|_| file.to_string_lossy().to_string());
    let manifest = read_manifest(models)?;
    let expected = manifest
        .get(&rel)
        .ok_or_else(|| FaceError::ModelUnverified {
            path: file.to_path_buf(),
            reason: format!("{rel} is not listed in SHA256SUMS"),
        })?;
    let actual = sha256_file(file)?;
    if &actual != expected {
        return Err(FaceError::ModelCorrupt {
            path: file.to_path_buf(),
            expected: expected.clone(),
            actual,
        });
    }
    tracing::debug!(file = %file.display(), "model checksum verified");
    if let Ok(mut c) = cache.lock() {
        c.insert(key, ());
    }
    Ok(())
}

/// Build a session for `<models_dir>/<file>` after verifying it.
pub fn load_session(
    config: &FaceConfig,
    file: &str,
    model: &'static str,
) -> Result<Session, FaceError> {
    let models = models_dir(config)?;
    let path = models.join(file);
    if !path.exists() {
        return Err(FaceError::ModelMissing { path });
    }
    if config.verify_checksums {
        verify_file(&models, &path)?;
    }
    let env = environment(config)?;
    let err = |e: String| FaceError::Inference { model, message: e };
    let builder = Session::builder(env).map_err(|e| err(e.to_string()))?;
    let builder = builder
        .with_optimization_level(GraphOptimizationLevel::All)
        .map_err(|e| err(e.to_string()))?
        .with_intra_threads(config.intra_op_threads)
        .map_err(|e| err(e.to_string()))?
        .with_inter_threads(1)
        .map_err(|e| err(e.to_string()))?
        .with_intra_op_spinning(false)
        .map_err(|e| err(e.to_string()))?
        .with_inter_op_spinning(false)
        .map_err(|e| err(e.to_string()))?;
    let mut builder = builder;
    builder
        .commit_from_file(&path)
        .map_err(|e| err(format!("{} ({})", e, path.display())))
}

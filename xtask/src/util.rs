//! Shared helpers: where the repository is, how commands are run and logged,
//! and the environment that test, bench and demo processes get.
//!
//! Everything xtask says itself goes to stderr, so that a benchmark's final
//! JSON line is the last thing on stdout.

use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant, SystemTime};

use anyhow::{Context, Result, bail};

/// Prints one xtask log line to stderr.
#[macro_export]
macro_rules! log {
    ($($arg:tt)*) => {
        eprintln!("xtask: {}", format_args!($($arg)*))
    };
}

/// What every subcommand needs to know about the checkout it works on.
pub struct Ctx {
    /// The workspace root (the folder holding the top-level `Cargo.toml`).
    pub root: PathBuf,
    /// The cargo that started us (`$CARGO`), so nested builds use the same toolchain.
    pub cargo: OsString,
    /// Cargo's target directory: `$CARGO_TARGET_DIR` if set, else `<root>/target`.
    pub target_dir: PathBuf,
}

impl Ctx {
    pub fn new() -> Result<Self> {
        let root = find_root()?;
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| OsString::from("cargo"));
        let target_dir = match std::env::var_os("CARGO_TARGET_DIR") {
            Some(dir) if !dir.is_empty() => root.join(dir),
            _ => root.join("target"),
        };
        Ok(Self {
            root,
            cargo,
            target_dir,
        })
    }

    /// A `cargo` command run from the workspace root.
    pub fn cargo<I, S>(&self, args: I) -> Command
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let mut cmd = Command::new(&self.cargo);
        cmd.args(args).current_dir(&self.root);
        cmd
    }

    /// Any program run from the workspace root.
    pub fn cmd<I, S>(&self, program: &str, args: I) -> Command
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let mut cmd = Command::new(program);
        cmd.args(args).current_dir(&self.root);
        cmd
    }

    /// The release server binary (`congress`).
    pub fn congress_bin(&self) -> PathBuf {
        self.target_dir.join("release").join("congress")
    }

    /// Whether a workspace package's manifest exists yet (crates land one by one).
    pub fn has_package(&self, dir: &str) -> bool {
        self.root.join(dir).join("Cargo.toml").is_file()
    }

    /// Environment for processes that use models, faces and the browser
    /// (tests, benches, the demo). A variable already set by the caller wins.
    /// `require` adds `CONGRESS_REQUIRE_MODELS=1` and `CONGRESS_REQUIRE_TOOLS=1`,
    /// which make tests fail instead of skipping when something is missing.
    pub fn project_env(&self, require: bool) -> Vec<(String, OsString)> {
        let models = self.root.join("models");
        let mut env: Vec<(String, OsString)> = Vec::new();
        if require {
            env.push(("CONGRESS_REQUIRE_MODELS".into(), "1".into()));
            env.push(("CONGRESS_REQUIRE_TOOLS".into(), "1".into()));
        }
        let ort = models.join("lib").join("libonnxruntime.so");
        if ort.exists() {
            env.push(("ORT_DYLIB_PATH".into(), ort.into_os_string()));
        }
        let faces = match self.root.parent() {
            Some(parent) => parent.join("shared").join("faces"),
            None => self.root.join("..").join("shared").join("faces"),
        };
        env.push(("CONGRESS_MODELS_DIR".into(), models.into_os_string()));
        env.push(("CONGRESS_FACES_DIR".into(), faces.into_os_string()));
        env.push(("CHROMIUM_PATH".into(), "/usr/bin/chromium".into()));
        env.retain(|(key, _)| std::env::var_os(key).is_none_or(|v| v.is_empty()));
        env
    }
}

/// The workspace root: `$CARGO_MANIFEST_DIR/..` (set by `cargo run`), else the
/// path compiled in, else the nearest ancestor of the current directory that
/// holds both `Cargo.toml` and `xtask/`.
fn find_root() -> Result<PathBuf> {
    let mut candidates: Vec<PathBuf> = Vec::new();
    if let Some(dir) = std::env::var_os("CARGO_MANIFEST_DIR") {
        candidates.push(PathBuf::from(dir));
    }
    candidates.push(PathBuf::from(env!("CARGO_MANIFEST_DIR")));
    for manifest_dir in candidates {
        if let Some(root) = manifest_dir.parent()
            && is_root(root)
        {
            return Ok(root.to_path_buf());
        }
    }
    let cwd = std::env::current_dir().context("reading the current directory")?;
    for dir in cwd.ancestors() {
        if is_root(dir) {
            return Ok(dir.to_path_buf());
        }
    }
    bail!("cannot find the workspace root (a folder with Cargo.toml and xtask/) above {cwd:?}")
}

fn is_root(dir: &Path) -> bool {
    dir.join("Cargo.toml").is_file() && dir.join("xtask").join("Cargo.toml").is_file()
}

/// A command line as a person would type it, for logs.
pub fn display(cmd: &Command) -> String {
    let program = Path::new(cmd.get_program());
    // `$CARGO` is an absolute path into the toolchain; `cargo` reads better.
    let mut out = if program.file_name().is_some_and(|n| n == "cargo") {
        "cargo".to_string()
    } else {
        program.to_string_lossy().into_owned()
    };
    for arg in cmd.get_args() {
        let arg = arg.to_string_lossy();
        out.push(' ');
        if arg.is_empty() || arg.contains(char::is_whitespace) {
            out.push_str(&format!("'{arg}'"));
        } else {
            out.push_str(&arg);
        }
    }
    out
}

/// Runs a command with inherited stdio and fails unless it exits 0.
pub fn run(cmd: &mut Command) -> Result<()> {
    let line = display(cmd);
    log!("$ {line}");
    let status = cmd
        .status()
        .with_context(|| format!("could not start `{line}` (is it installed?)"))?;
    if !status.success() {
        bail!("`{line}` failed ({status})");
    }
    Ok(())
}

/// Runs a command quietly and says whether it exited 0 (false if it could not start).
pub fn succeeds(cmd: &mut Command) -> bool {
    cmd.stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Runs a command and returns its stdout, failing unless it exits 0.
pub fn output(cmd: &mut Command) -> Result<String> {
    let line = display(cmd);
    let out = cmd
        .output()
        .with_context(|| format!("could not start `{line}` (is it installed?)"))?;
    if !out.status.success() {
        bail!(
            "`{line}` failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Whether a program is on `PATH`.
pub fn on_path(program: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|dir| dir.join(program).is_file()))
}

pub fn mtime(path: &Path) -> Option<SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}

/// Seconds with one decimal, for logs.
pub fn secs(d: Duration) -> String {
    format!("{:.1}s", d.as_secs_f64())
}

/// Times a step and logs its one-line outcome.
pub fn step<T>(name: &str, f: impl FnOnce() -> Result<(T, String)>) -> Result<T> {
    let start = Instant::now();
    match f() {
        Ok((value, note)) => {
            log!("{name}: {note} ({})", secs(start.elapsed()));
            Ok(value)
        }
        Err(err) => {
            log!("{name}: FAILED after {}", secs(start.elapsed()));
            Err(err.context(format!("step `{name}` failed")))
        }
    }
}

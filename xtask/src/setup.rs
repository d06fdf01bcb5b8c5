//! `cargo xtask setup`: installs what the project needs, idempotently.
//!
//! Each step checks first and returns at once when there is nothing to do, so
//! a second run costs well under a second. A piece of the project that does not
//! exist yet (no `package.json`, no `models/setup.py`) is skipped with a note.

use std::process::Command;

use anyhow::{Context, Result, bail};

use crate::log;
use crate::util::{Ctx, mtime, on_path, output, run, step, succeeds};

/// Debian packages the tests and tools need:
/// chromium (browser tests), poppler-utils (pdftotext, pdfinfo, pdftoppm), age (CLI), qpdf
/// (restricted-PDF test fixtures), libnss3-tools (`certutil`: the HTTPS browser test makes Chromium
/// trust the congress CA).
pub const DEBIAN_PACKAGES: &[&str] = &["chromium", "poppler-utils", "age", "qpdf", "libnss3-tools"];

#[derive(Clone, Copy, Default)]
pub struct Options {
    /// Also fetch the MobileFaceNet model (only the face benchmarks need it).
    pub with_mobilefacenet: bool,
}

/// All setup steps in order: Debian packages, npm packages, models.
pub fn setup(ctx: &Ctx, opts: Options) -> Result<()> {
    step("setup/apt", || apt(ctx).map(|note| ((), note)))?;
    step("setup/npm", || npm(ctx).map(|note| ((), note)))?;
    models(ctx, opts)
}

/// Only the models step (`cargo xtask models`).
pub fn models(ctx: &Ctx, opts: Options) -> Result<()> {
    step("setup/models", || {
        let script = ctx.root.join("models").join("setup.py");
        if !script.is_file() {
            return Ok((
                (),
                "skipped: models/setup.py does not exist yet".to_string(),
            ));
        }
        let mut cmd = ctx.cmd("python3", ["models/setup.py"]);
        if opts.with_mobilefacenet {
            cmd.arg("--with-mobilefacenet");
        }
        run(&mut cmd)?;
        Ok(((), "models/setup.py done".to_string()))
    })
}

/// Whether dpkg records the package as installed.
fn deb_installed(pkg: &str) -> bool {
    Command::new("dpkg-query")
        .args(["-W", "-f=${Status}", pkg])
        .output()
        .is_ok_and(|o| {
            o.status.success() && String::from_utf8_lossy(&o.stdout).ends_with(" ok installed")
        })
}

/// `apt-get` as root, through `sudo` when we are not root.
fn apt_get(args: &[&str]) -> Result<Command> {
    let uid = output(Command::new("id").arg("-u")).unwrap_or_default();
    let mut cmd = if uid.trim() == "0" {
        Command::new("apt-get")
    } else if on_path("sudo") {
        let mut c = Command::new("sudo");
        c.args(["-n", "apt-get"]);
        c
    } else {
        bail!("installing Debian packages needs root (or sudo); install {args:?} by hand");
    };
    cmd.env("DEBIAN_FRONTEND", "noninteractive")
        .args(["-o", "DPkg::Lock::Timeout=300"])
        .args(args);
    Ok(cmd)
}

fn apt(_ctx: &Ctx) -> Result<String> {
    if !on_path("dpkg-query") {
        return Ok(format!(
            "skipped: not a Debian system; make sure {} are installed",
            DEBIAN_PACKAGES.join(", ")
        ));
    }
    let missing: Vec<&str> = DEBIAN_PACKAGES
        .iter()
        .copied()
        .filter(|p| !deb_installed(p))
        .collect();
    if missing.is_empty() {
        return Ok(format!("{} already installed", DEBIAN_PACKAGES.join(", ")));
    }
    log!("setup/apt: installing {}", missing.join(", "));
    run(&mut apt_get(&["update", "-q"])?)?;
    let mut args = vec!["install", "-y", "-q", "--no-install-recommends"];
    args.extend(missing.iter().copied());
    run(&mut apt_get(&args)?)?;
    let still: Vec<&str> = missing
        .iter()
        .copied()
        .filter(|p| !deb_installed(p))
        .collect();
    if !still.is_empty() {
        bail!(
            "apt-get finished but {} are still not installed",
            still.join(", ")
        );
    }
    Ok(format!("installed {}", missing.join(", ")))
}

fn npm(ctx: &Ctx) -> Result<String> {
    let package_json = ctx.root.join("package.json");
    if !package_json.is_file() {
        return Ok("skipped: no package.json yet".to_string());
    }
    let lock = ctx.root.join("package-lock.json");
    let marker = ctx.root.join("node_modules").join(".package-lock.json");
    let reason = match mtime(&marker) {
        None => Some("node_modules missing"),
        Some(installed) => {
            if mtime(&lock).is_some_and(|t| t > installed) {
                Some("package-lock.json changed")
            } else if mtime(&package_json).is_some_and(|t| t > installed) {
                Some("package.json changed")
            } else {
                None
            }
        }
    };
    let Some(reason) = reason else {
        return Ok("node_modules up to date".to_string());
    };
    log!("setup/npm: {reason}");
    let verb = if lock.is_file() { "ci" } else { "install" };
    run(&mut ctx.cmd("npm", [verb, "--no-audit", "--no-fund"]))
        .context("installing npm packages")?;
    // Mark the install as newer than its inputs (npm install may write the lock
    // after node_modules), so the next run skips it.
    if marker.is_file() {
        std::fs::File::options()
            .append(true)
            .open(&marker)
            .and_then(|f| f.set_modified(std::time::SystemTime::now()))
            .with_context(|| format!("touching {}", marker.display()))?;
    }
    Ok(format!("npm {verb} done"))
}

/// The names of the scripts in the root `package.json` (empty without one).
pub fn npm_scripts(ctx: &Ctx) -> Result<Vec<String>> {
    if !ctx.root.join("package.json").is_file() {
        return Ok(Vec::new());
    }
    let out = output(&mut ctx.cmd(
        "node",
        [
            "-e",
            "const p = require('./package.json'); \
             for (const k of Object.keys(p.scripts || {})) console.log(k);",
        ],
    ))
    .context("reading the scripts of package.json")?;
    Ok(out.lines().map(str::to_string).collect())
}

/// Whether `cargo nextest` is available.
pub fn has_nextest(ctx: &Ctx) -> bool {
    succeeds(&mut ctx.cargo(["nextest", "--version"]))
}

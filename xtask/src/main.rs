//! `cargo xtask`: the one entry point for people and CI.
//!
//! `setup` installs what is missing, `build` builds the web apps and the
//! server, `demo` starts the demo congress, `test` runs every check (CI runs
//! exactly this), `bench NAME` runs one benchmark. See `cargo xtask --help`.

// A build tool that times its own stages: it reads the clock on purpose.
#![allow(clippy::disallowed_methods)]

mod fuzz;
mod schemathesis;
mod setup;
mod test;
mod util;

use std::ffi::OsString;
use std::os::unix::process::CommandExt;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};

use crate::util::{Ctx, run, step};

const HELP: &str = "\
cargo xtask: install, build, run and test the paperless congress system

USAGE:
    cargo xtask <COMMAND> [ARGS...]

COMMANDS:
    setup [--with-mobilefacenet]
                 Install what is missing, idempotently (each step is skipped fast
                 when done): Debian packages chromium, poppler-utils, age, qpdf (apt-get);
                 npm packages (npm ci when package-lock.json is newer than
                 node_modules); models (python3 models/setup.py).
    models [--with-mobilefacenet]
                 Only the models step of setup.
    build        setup, then `npm run build` (all web apps), then
                 `cargo build --release -p congress-server` (binary `congress`).
    demo [ARGS]  build, then run `target/release/congress demo --fixtures fixtures/demo
                 --data .cache/demo-data ARGS` (it prints the URLs and the password).
    test         Every check, failing fast, with timings: setup, fixtures up to date,
                 cargo fmt --check, cargo clippy -D warnings, npm run typecheck / lint /
                 build / test, cargo nextest (or cargo test) + doctests, release build
                 and `npm run e2e`. CI runs exactly this (.ci/run).
    bench NAME [ARGS]
                 One benchmark in a release build; it ends with one JSON line.
                 NAME: fanout, vote-storm, face-accuracy, face-pad, face-speed, docs,
                 crash [--rounds N] [--seed S], reconnect-storm [--clients N], backup,
                 ballot-encrypt [--ballots N] [--motions M].
                 fanout, vote-storm and reconnect-storm take --baseline-bin PATH
                 [--rounds N]: the same workload against an older `congress` binary
                 too, in alternating rounds (N per build, default 2), both sets of
                 figures and ratio_vs_baseline_* in the JSON line.
                 ballot-encrypt is a Node script (tests/bench/ballot-encrypt.mjs, no
                 cargo build): the tablet's encrypt+prove+sign of a 60-candidate ballot
                 in headless Chromium ($CHROMIUM_PATH), Node in the same run as baseline.
    fixtures [--check]
                 Regenerate fixtures/demo (python3 fixtures/generate.py).
    fuzz [--seconds N] [TARGET]
                 cargo-fuzz targets (fuzz/), one after another, N s each (default 60);
                 one JSON line per target. TARGET: wire, face_decode, csv_import,
                 doc_upload. Needs the nightly toolchain; installs cargo-fuzz.
    schemathesis Property-based API test: a demo server, schemathesis (PyPI, pinned,
                 venv in .cache/) against /api/openapi.json as admin and as a tablet;
                 one JSON line.
    help         This text.

ENVIRONMENT (set for test, bench and demo unless already set):
    CONGRESS_REQUIRE_MODELS=1, CONGRESS_REQUIRE_TOOLS=1   (test and bench only)
    CONGRESS_MODELS_DIR=<repo>/models
    ORT_DYLIB_PATH=<repo>/models/lib/libonnxruntime.so   (when it exists)
    CONGRESS_FACES_DIR=<repo>/../shared/faces
    CHROMIUM_PATH=/usr/bin/chromium
    CONGRESS_BIN=<target>/release/congress                (for npm run e2e)
";

/// (name, package, binary, first argument, what it measures)
const BENCHES: &[(&str, &str, &str, Option<&str>, &str)] = &[
    (
        "fanout",
        "congress-sim",
        "congress-bench",
        Some("fanout"),
        "2,000 websocket clients, attendance change to arrival p50/p99, serve readiness",
    ),
    (
        "vote-storm",
        "congress-sim",
        "congress-bench",
        Some("vote-storm"),
        "2,000 tablets vote within two seconds: durable ack latency, exact tally",
    ),
    (
        "face-accuracy",
        "congress-face",
        "face-accuracy",
        None,
        "recognition accuracy on the shared faces set",
    ),
    (
        "face-pad",
        "congress-face",
        "face-pad",
        None,
        "presentation-attack detection: stills, prints, screens vs genuine sequences",
    ),
    (
        "face-speed",
        "congress-face",
        "face-speed",
        None,
        "frames per second and decision latency of detection + embedding + matching",
    ),
    (
        "docs",
        "congress-docs",
        "docs-bench",
        None,
        "document encryption and delivery throughput",
    ),
    (
        "crash",
        "congress-sim",
        "congress-bench",
        Some("crash"),
        "SIGKILL during check-ins and vote storms, restart: nothing acked lost or counted twice",
    ),
    (
        "reconnect-storm",
        "congress-sim",
        "congress-bench",
        Some("reconnect-storm"),
        "2,000 tablets drop at once and resume: no gap, no duplicate, health latency",
    ),
    (
        "backup",
        "congress-sim",
        "congress-bench",
        Some("backup"),
        "backup and restore time of the demo congress with a 100 MiB document",
    ),
];

/// Benchmarks that are Node scripts rather than cargo binaries: (name, script, what it measures).
const NODE_BENCHES: &[(&str, &str, &str)] = &[(
    "ballot-encrypt",
    "tests/bench/ballot-encrypt.mjs",
    "tablet encrypt+prove+sign of a 60-candidate ballot in headless Chromium, vs Node",
)];

fn main() -> ExitCode {
    match real_main() {
        Ok(code) => code,
        Err(err) => {
            eprintln!("xtask: error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

fn real_main() -> Result<ExitCode> {
    let mut args: Vec<OsString> = std::env::args_os().skip(1).collect();
    if args.is_empty() {
        eprint!("{HELP}");
        return Ok(ExitCode::from(2));
    }
    let command = args.remove(0);
    let command = command.to_str().unwrap_or("");
    let flag = |name: &str| args.iter().any(|a| a == name);

    match command {
        "help" | "--help" | "-h" => {
            print!("{HELP}");
            Ok(ExitCode::SUCCESS)
        }
        "setup" => {
            let ctx = Ctx::new()?;
            let opts = setup::Options {
                with_mobilefacenet: flag("--with-mobilefacenet"),
            };
            setup::setup(&ctx, opts)?;
            Ok(ExitCode::SUCCESS)
        }
        "models" => {
            let ctx = Ctx::new()?;
            let opts = setup::Options {
                with_mobilefacenet: flag("--with-mobilefacenet"),
            };
            setup::models(&ctx, opts)?;
            Ok(ExitCode::SUCCESS)
        }
        "build" => {
            let ctx = Ctx::new()?;
            build(&ctx)?;
            Ok(ExitCode::SUCCESS)
        }
        "demo" => demo(&Ctx::new()?, &args),
        "test" => {
            test::test(&Ctx::new()?)?;
            Ok(ExitCode::SUCCESS)
        }
        "bench" => bench(&Ctx::new()?, &args),
        "fuzz" => fuzz::fuzz(&Ctx::new()?, &args),
        "schemathesis" => schemathesis::schemathesis(&Ctx::new()?, &args),
        "fixtures" => {
            let ctx = Ctx::new()?;
            let mut cmd = ctx.cmd("python3", ["fixtures/generate.py"]);
            cmd.args(&args);
            run(&mut cmd)?;
            Ok(ExitCode::SUCCESS)
        }
        other => {
            eprintln!("xtask: unknown command `{other}`\n");
            eprint!("{HELP}");
            Ok(ExitCode::from(2))
        }
    }
}

/// setup, web apps, release server.
fn build(ctx: &Ctx) -> Result<()> {
    setup::setup(ctx, setup::Options::default())?;
    step("build/web", || {
        let scripts = setup::npm_scripts(ctx)?;
        if !scripts.iter().any(|s| s == "build") {
            return Ok(((), "skipped: no build script in package.json".to_string()));
        }
        run(&mut ctx.cmd("npm", ["run", "build"]))?;
        Ok(((), "web apps built".to_string()))
    })?;
    step("build/server", || {
        if !ctx.has_package("crates/congress-server") {
            return Ok((
                (),
                "skipped: crates/congress-server does not exist yet".to_string(),
            ));
        }
        run(&mut ctx.cargo(["build", "--release", "-p", "congress-server"]))?;
        Ok(((), format!("{}", ctx.congress_bin().display())))
    })
}

fn demo(ctx: &Ctx, extra: &[OsString]) -> Result<ExitCode> {
    build(ctx)?;
    let bin = ctx.congress_bin();
    if !bin.is_file() {
        bail!(
            "{} was not built (crates/congress-server missing?)",
            bin.display()
        );
    }
    std::fs::create_dir_all(ctx.root.join(".cache")).context("creating .cache")?;
    let mut cmd = std::process::Command::new(&bin);
    cmd.current_dir(&ctx.root)
        .args([
            "demo",
            "--fixtures",
            "fixtures/demo",
            "--data",
            ".cache/demo-data",
        ])
        .args(extra)
        .envs(ctx.project_env(false));
    crate::log!("$ {}", util::display(&cmd));
    let err = cmd.exec();
    Err(err).with_context(|| format!("could not start {}", bin.display()))
}

fn bench(ctx: &Ctx, args: &[OsString]) -> Result<ExitCode> {
    let name = args.first().and_then(|a| a.to_str()).unwrap_or("");
    if let Some(&(_, script, _)) = NODE_BENCHES.iter().find(|b| b.0 == name) {
        return node_bench(ctx, name, script, &args[1..]);
    }
    let Some(&(_, package, bin, first, _)) = BENCHES.iter().find(|b| b.0 == name) else {
        if name.is_empty() {
            eprintln!("xtask: bench needs a NAME");
        } else {
            eprintln!("xtask: unknown bench `{name}`");
        }
        eprintln!("benchmarks (cargo xtask bench NAME [ARGS...]):");
        for (n, _, _, _, what) in BENCHES {
            eprintln!("  {n:<15} {what}");
        }
        for (n, _, what) in NODE_BENCHES {
            eprintln!("  {n:<15} {what}");
        }
        return Ok(ExitCode::from(2));
    };
    let face = name.starts_with("face-");
    if face {
        setup::setup(
            ctx,
            setup::Options {
                with_mobilefacenet: true,
            },
        )?;
    } else {
        setup::setup(ctx, setup::Options::default())?;
    }
    let dir = format!("crates/{package}");
    if !ctx.has_package(&dir) {
        bail!("bench `{name}` needs {dir}, which does not exist yet");
    }
    // Benchmarks that drive a real server process need the release `congress` binary (and the
    // docs bench also runs congress-bench for its server part).
    let needs_server = package == "congress-sim" || package == "congress-docs";
    if needs_server {
        run(&mut ctx.cargo([
            "build",
            "--release",
            "-p",
            "congress-server",
            "-p",
            "congress-sim",
        ]))?;
    }
    // The server benches run the binary just built: `cargo run -p congress-sim` alone would
    // unify features differently and build half the workspace again.
    let mut cmd = if needs_server && package == "congress-sim" {
        let exe = ctx.target_dir.join("release").join(bin);
        let mut cmd = std::process::Command::new(exe);
        cmd.current_dir(&ctx.root);
        cmd
    } else {
        ctx.cargo(["run", "--release", "-p", package, "--bin", bin, "--"])
    };
    cmd.args(first)
        .args(bench_args(name, &args[1..])?)
        .envs(ctx.project_env(true));
    if needs_server {
        cmd.env("CONGRESS_BIN", ctx.congress_bin());
    }
    crate::log!("$ {}", util::display(&cmd));
    // exec: the benchmark's final JSON line stays the last line printed.
    let err = cmd.exec();
    Err(err).context("could not start cargo")
}

/// A benchmark that is a Node script: setup (npm packages, Chromium), then `node SCRIPT ARGS`
/// from the workspace root with the project environment (`CHROMIUM_PATH`).
fn node_bench(ctx: &Ctx, name: &str, script: &str, args: &[OsString]) -> Result<ExitCode> {
    setup::setup(ctx, setup::Options::default())?;
    if !ctx.root.join(script).is_file() {
        bail!("bench `{name}` needs {script}, which does not exist");
    }
    let mut cmd = ctx.cmd("node", [script]);
    cmd.args(bench_args(name, args)?)
        .envs(ctx.project_env(true));
    crate::log!("$ {}", util::display(&cmd));
    // exec: the benchmark's final JSON line stays the last line printed.
    let err = cmd.exec();
    Err(err).context("could not start node")
}

/// Benches that take `--baseline-bin PATH` (see crates/congress-sim `baseline.rs`).
const BASELINE_BENCHES: &[&str] = &["fanout", "vote-storm", "reconnect-storm"];

/// A bench's arguments as passed on: `--baseline-bin PATH` is refused where it means nothing,
/// must name a file, and is made absolute (the bench runs from the workspace root, not from
/// where xtask was started).
fn bench_args(name: &str, args: &[OsString]) -> Result<Vec<OsString>> {
    let mut out = args.to_vec();
    if let Some(i) = args.iter().position(|a| a == "--baseline-bin") {
        if !BASELINE_BENCHES.contains(&name) {
            bail!(
                "bench `{name}` has no --baseline-bin (only {})",
                BASELINE_BENCHES.join(", ")
            );
        }
        let Some(path) = args.get(i + 1) else {
            bail!("--baseline-bin needs the path of a `congress` binary");
        };
        let path = std::path::absolute(path)
            .with_context(|| format!("--baseline-bin {}", path.to_string_lossy()))?;
        if !path.is_file() {
            bail!("--baseline-bin {}: no such file", path.display());
        }
        out[i + 1] = path.into_os_string();
    }
    Ok(out)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::{BENCHES, HELP, NODE_BENCHES};

    #[test]
    fn baseline_bin_is_checked_and_made_absolute() {
        use std::ffi::OsString;
        let args = |a: &[&str]| a.iter().map(OsString::from).collect::<Vec<_>>();
        let cargo_toml = "Cargo.toml"; // xtask's tests run in xtask/
        let out = super::bench_args("fanout", &args(&["--baseline-bin", cargo_toml])).unwrap();
        assert!(std::path::Path::new(&out[1]).is_absolute(), "{out:?}");
        assert!(super::bench_args("fanout", &args(&["--baseline-bin", "no/such/file"])).is_err());
        assert!(super::bench_args("fanout", &args(&["--baseline-bin"])).is_err());
        assert!(super::bench_args("crash", &args(&["--baseline-bin", cargo_toml])).is_err());
        assert_eq!(
            super::bench_args("crash", &args(&["--rounds", "3"])).unwrap(),
            args(&["--rounds", "3"])
        );
    }

    #[test]
    fn help_names_every_bench() {
        for (name, ..) in BENCHES {
            assert!(HELP.contains(name), "HELP does not mention bench {name}");
        }
        for (name, script, _) in NODE_BENCHES {
            assert!(HELP.contains(name), "HELP does not mention bench {name}");
            let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
            assert!(root.join(script).is_file(), "bench {name}: no {script}");
            assert!(!BENCHES.iter().any(|b| b.0 == *name), "bench {name} twice");
        }
    }

    #[test]
    fn command_display_quotes_spaces() {
        let mut cmd = std::process::Command::new("npm");
        cmd.args(["run", "a b"]);
        assert_eq!(crate::util::display(&cmd), "npm run 'a b'");
    }
}

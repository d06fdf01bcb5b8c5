//! `cargo xtask fuzz [--seconds N] [TARGET]`: runs the cargo-fuzz targets in `fuzz/` one after
//! another for a bounded time each and prints one JSON line per run:
//! `{"target":..,"seconds":..,"execs":..,"execs_per_s":..,"crashes":0,"peak_rss_mb":..}`.
//!
//! Installs cargo-fuzz from crates.io when it is missing (cached in `~/.cargo/bin`). The targets
//! build on the nightly toolchain without a sanitizer (`--sanitizer none`: the code under test
//! has no `unsafe`, and it runs several times faster); memory is bounded by `-rss_limit_mb`.
//! Committed seeds are in `fuzz/seeds/TARGET`; what the fuzzer finds goes to `fuzz/corpus/TARGET`
//! (kept between runs, not committed) and crashes to `fuzz/artifacts/TARGET`.

use std::ffi::OsString;
use std::process::{Command, ExitCode, Stdio};
use std::time::Instant;

use anyhow::{Context, Result, bail};

use crate::util::{Ctx, display, run, step, succeeds};

/// (target, -max_len, what it fuzzes)
pub const TARGETS: &[(&str, usize, &str)] = &[
    (
        "wire",
        64 * 1024,
        "websocket client messages and REST bodies",
    ),
    ("face_decode", 64 * 1024, "kiosk frame / photo decoding"),
    ("csv_import", 64 * 1024, "delegates CSV import"),
    (
        "doc_upload",
        16 * 1024,
        "PDF sniff, upload query, Range / ETag",
    ),
];

const RSS_LIMIT_MB: u32 = 2048;

/// A `cargo +nightly …` command for the fuzz workspace, free of the variables the stable cargo
/// that runs xtask has set.
fn nightly_cargo(ctx: &Ctx) -> Command {
    let mut cmd = Command::new("cargo");
    cmd.arg("+nightly").current_dir(&ctx.root);
    for var in [
        "CARGO",
        "RUSTC",
        "RUSTDOC",
        "RUSTUP_TOOLCHAIN",
        "CARGO_TARGET_DIR",
    ] {
        cmd.env_remove(var);
    }
    cmd
}

fn ensure_cargo_fuzz(ctx: &Ctx) -> Result<()> {
    step("fuzz/cargo-fuzz", || {
        if succeeds(nightly_cargo(ctx).args(["fuzz", "--version"])) {
            return Ok(((), "already installed".to_string()));
        }
        run(Command::new("cargo").args(["install", "cargo-fuzz", "--locked"]))?;
        Ok(((), "installed from crates.io".to_string()))
    })
}

pub fn fuzz(ctx: &Ctx, args: &[OsString]) -> Result<ExitCode> {
    let mut seconds: u64 = 60;
    let mut only: Option<String> = None;
    let mut it = args.iter().map(|a| a.to_string_lossy().into_owned());
    while let Some(a) = it.next() {
        match a.as_str() {
            "--seconds" => {
                seconds = it
                    .next()
                    .and_then(|s| s.parse().ok())
                    .filter(|s| *s > 0)
                    .context("--seconds needs a positive number")?;
            }
            name if TARGETS.iter().any(|t| t.0 == name) => only = Some(name.to_string()),
            other => {
                eprintln!("xtask: unknown fuzz argument `{other}`; targets:");
                for (name, _, what) in TARGETS {
                    eprintln!("  {name:<12} {what}");
                }
                return Ok(ExitCode::from(2));
            }
        }
    }
    ensure_cargo_fuzz(ctx)?;
    step("fuzz/build", || {
        run(nightly_cargo(ctx).args(["fuzz", "build", "--sanitizer", "none"]))?;
        Ok(((), "targets built".to_string()))
    })?;
    let mut failed = false;
    for &(target, max_len, _) in TARGETS {
        if only.as_deref().is_some_and(|o| o != target) {
            continue;
        }
        let r = run_one(ctx, target, max_len, seconds)?;
        println!(
            "{{\"target\":\"{target}\",\"seconds\":{:.1},\"execs\":{},\"execs_per_s\":{},\"crashes\":{},\"peak_rss_mb\":{}}}",
            r.seconds, r.execs, r.execs_per_s, r.crashes, r.peak_rss_mb
        );
        failed |= r.crashes > 0;
    }
    Ok(if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

struct Outcome {
    seconds: f64,
    execs: u64,
    execs_per_s: u64,
    crashes: u32,
    peak_rss_mb: u64,
}

fn run_one(ctx: &Ctx, target: &str, max_len: usize, seconds: u64) -> Result<Outcome> {
    let corpus = ctx.root.join("fuzz/corpus").join(target);
    let seeds = ctx.root.join("fuzz/seeds").join(target);
    std::fs::create_dir_all(&corpus).with_context(|| format!("creating {}", corpus.display()))?;
    let mut cmd = nightly_cargo(ctx);
    cmd.args(["fuzz", "run", "--sanitizer", "none", target]);
    if target == "face_decode" {
        // Built like the server's release binary, without overflow checks: zune-jpeg 0.5.15
        // (under `image`) overflows an integer in bitstream.rs on crafted JPEGs, which panics
        // only with overflow checks on. `decode_image` catches decoder panics anyway (regression
        // test crates/congress-face/tests/fuzz_regressions.rs), but libFuzzer aborts on any
        // panic, caught or not, so that upstream bug would hide everything else.
        cmd.arg("-O");
    }
    cmd.arg(&corpus)
        .arg(&seeds)
        .arg("--")
        .arg(format!("-max_total_time={seconds}"))
        .arg(format!("-rss_limit_mb={RSS_LIMIT_MB}"))
        .arg(format!("-max_len={max_len}"))
        .arg("-timeout=10")
        .arg("-print_final_stats=1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    crate::log!("$ {}", display(&cmd));
    let start = Instant::now();
    let out = cmd
        .output()
        .with_context(|| format!("could not start `{}`", display(&cmd)))?;
    let elapsed = start.elapsed().as_secs_f64();
    let log = String::from_utf8_lossy(&out.stderr);
    let stat = |name: &str| -> Option<u64> {
        log.lines()
            .find_map(|l| l.strip_prefix(&format!("stat::{name}:")))
            .and_then(|v| v.trim().parse().ok())
    };
    let execs = stat("number_of_executed_units");
    let crashed = !out.status.success();
    if crashed {
        // The fuzzer's own report (the panic, the input saved under fuzz/artifacts).
        let tail: Vec<&str> = log.lines().rev().take(40).collect();
        for line in tail.into_iter().rev() {
            eprintln!("  {line}");
        }
        if execs.is_none() && !log.contains("Test unit written to") {
            bail!("`{}` failed ({})", display(&cmd), out.status);
        }
    }
    let execs = execs.unwrap_or(0);
    Ok(Outcome {
        seconds: elapsed,
        execs,
        execs_per_s: stat("average_exec_per_sec")
            .unwrap_or_else(|| (execs as f64 / elapsed.max(0.001)) as u64),
        crashes: u32::from(crashed),
        peak_rss_mb: stat("peak_rss_mb").unwrap_or(0),
    })
}

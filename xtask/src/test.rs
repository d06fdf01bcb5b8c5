//! `cargo xtask test`: every check, in order, failing fast.
//!
//! Stages: setup, fixtures, fmt, clippy, web (typecheck, lint, build, test),
//! Rust tests (nextest + doctests, or cargo test), release build and browser
//! end-to-end tests. Ends with a timing table and a closing line
//! `xtask: N passed, N failed, N skipped` (stages, not individual tests).

use std::ffi::OsString;
use std::time::{Duration, Instant};

use anyhow::{Result, bail};

use crate::log;
use crate::setup::{self, has_nextest, npm_scripts};
use crate::util::{Ctx, run, secs};

enum Outcome {
    Passed,
    Failed(String),
    Skipped(String),
}

struct Stage {
    name: String,
    outcome: Outcome,
    took: Duration,
}

#[derive(Default)]
struct Report {
    stages: Vec<Stage>,
}

impl Report {
    /// Runs one stage; returns false when it failed.
    fn run(&mut self, name: &str, f: impl FnOnce() -> Result<()>) -> bool {
        log!("==> stage {name}");
        let start = Instant::now();
        let outcome = match f() {
            Ok(()) => Outcome::Passed,
            Err(err) => Outcome::Failed(format!("{err:#}")),
        };
        let took = start.elapsed();
        let ok = !matches!(outcome, Outcome::Failed(_));
        match &outcome {
            Outcome::Failed(why) => log!("<== stage {name} FAILED after {}: {why}", secs(took)),
            _ => log!("<== stage {name} passed ({})", secs(took)),
        }
        self.stages.push(Stage {
            name: name.to_string(),
            outcome,
            took,
        });
        ok
    }

    fn skip(&mut self, name: &str, why: &str) {
        log!("--- stage {name} skipped: {why}");
        self.stages.push(Stage {
            name: name.to_string(),
            outcome: Outcome::Skipped(why.to_string()),
            took: Duration::ZERO,
        });
    }

    /// Prints the table and the closing line; Err when a stage failed.
    fn finish(&self, total: Duration) -> Result<()> {
        let width = self.stages.iter().map(|s| s.name.len()).max().unwrap_or(5);
        eprintln!();
        eprintln!("xtask test summary:");
        let (mut passed, mut failed, mut skipped) = (0, 0, 0);
        for s in &self.stages {
            let (word, note) = match &s.outcome {
                Outcome::Passed => {
                    passed += 1;
                    ("ok", String::new())
                }
                Outcome::Failed(why) => {
                    failed += 1;
                    ("FAILED", format!("  {why}"))
                }
                Outcome::Skipped(why) => {
                    skipped += 1;
                    ("skipped", format!("  ({why})"))
                }
            };
            let row = format!("  {:<width$}  {:>7}  {word:<7}{note}", s.name, secs(s.took));
            eprintln!("{}", row.trim_end());
        }
        eprintln!("  {:<width$}  {:>7}", "total", secs(total));
        let mut line = format!("xtask: {passed} passed, {failed} failed");
        if skipped > 0 {
            line.push_str(&format!(", {skipped} skipped"));
        }
        println!("{line}");
        if let Some(s) = self
            .stages
            .iter()
            .find(|s| matches!(s.outcome, Outcome::Failed(_)))
        {
            bail!("stage `{}` failed", s.name);
        }
        Ok(())
    }
}

fn with_env(cmd: &mut std::process::Command, env: &[(String, OsString)]) {
    for (k, v) in env {
        cmd.env(k, v);
    }
}

pub fn test(ctx: &Ctx) -> Result<()> {
    let total = Instant::now();
    let mut report = Report::default();
    let res = stages(ctx, &mut report);
    let summary = report.finish(total.elapsed());
    res.and(summary)
}

fn stages(ctx: &Ctx, report: &mut Report) -> Result<()> {
    macro_rules! stage {
        ($name:expr, $body:expr) => {
            if !report.run($name, $body) {
                return Ok(());
            }
        };
    }

    stage!("setup", || setup::setup(ctx, setup::Options::default()));

    // Computed after setup: the models step may have fetched ONNX Runtime.
    let env = ctx.project_env(true);
    for (k, v) in &env {
        log!("env {k}={}", v.to_string_lossy());
    }
    let cargo = |args: &[&str]| {
        let mut cmd = ctx.cargo(args);
        with_env(&mut cmd, &env);
        run(&mut cmd)
    };

    if ctx.root.join("fixtures").join("generate.py").is_file() {
        stage!("fixtures", || run(
            &mut ctx.cmd("python3", ["fixtures/generate.py", "--check"])
        ));
    } else {
        report.skip("fixtures", "no fixtures/generate.py");
    }

    stage!("fmt", || cargo(&["fmt", "--all", "--check"]));
    stage!("clippy", || cargo(&[
        "clippy",
        "--workspace",
        "--all-targets",
        "--",
        "-D",
        "warnings"
    ]));

    let scripts = match npm_scripts(ctx) {
        Ok(scripts) => scripts,
        Err(err) => {
            report.run("web:scripts", || Err(err));
            return Ok(());
        }
    };
    let has_script = |s: &str| scripts.iter().any(|x| x == s);
    for script in ["typecheck", "lint", "build", "test"] {
        let name = format!("web:{script}");
        if has_script(script) {
            stage!(&name, || {
                let mut cmd = ctx.cmd("npm", ["run", script]);
                with_env(&mut cmd, &env);
                run(&mut cmd)
            });
        } else if script != "lint" {
            report.skip(&name, "no such script in package.json");
        }
    }

    if has_nextest(ctx) {
        stage!("rust:nextest", || cargo(&[
            "nextest",
            "run",
            "--workspace",
            "--no-tests=warn"
        ]));
        stage!("rust:doctest", || cargo(&["test", "--doc", "--workspace"]));
    } else {
        stage!("rust:test", || cargo(&["test", "--workspace"]));
    }

    if has_script("e2e") {
        if !ctx.has_package("crates/congress-server") {
            report.run("release-build", || {
                bail!("package.json has an e2e script but crates/congress-server does not exist")
            });
            return Ok(());
        }
        stage!("release-build", || cargo(&[
            "build",
            "--release",
            "-p",
            "congress-server"
        ]));
        let bin = ctx.congress_bin();
        log!("env CONGRESS_BIN={}", bin.display());
        stage!("web:e2e", || {
            let mut cmd = ctx.cmd("npm", ["run", "e2e"]);
            with_env(&mut cmd, &env);
            cmd.env("CONGRESS_BIN", &bin);
            run(&mut cmd)
        });
    } else {
        report.skip("web:e2e", "no e2e script in package.json");
    }
    Ok(())
}

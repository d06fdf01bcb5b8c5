//! `--baseline-bin PATH`: one bench run measures an older `congress` build (the baseline, e.g. the
//! release build of the commit before a refactor) and the current one on the same workload, in
//! alternating rounds, and its final JSON carries both sets of figures side by side.
//!
//! `--baseline-env KEY=VALUE` (repeatable) makes the baseline the same build (or the
//! `--baseline-bin`) run with those environment variables, e.g. `CONGRESS_AT_REST=off` to
//! measure what encryption at rest costs: a small `sh` wrapper that exports them and `exec`s
//! the binary (so the server's pid, memory and signals are the binary's own).
//!
//! Rounds go baseline, current, current, baseline, baseline, current, … (ABBA), so a change in
//! machine load during the run falls on both builds alike. Latency percentiles are computed over
//! the samples of all of a build's rounds together; each bench says how it merges its other
//! figures. Without `--baseline-bin` a bench runs the current build once, as before.
//!
//! The final JSON holds the bench's parameters, the current build's figures under their own names
//! (`p99_ms`), the baseline's as `baseline_<name>` (`baseline_p99_ms`), and for every figure in
//! milliseconds or MB `ratio_vs_baseline_<name without the unit>` = current / baseline
//! (`ratio_vs_baseline_p99`; above 1 the current build is slower or bigger). Figures, no verdict.

use std::future::Future;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use serde_json::{Map, Value, json};

/// Which build a round runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Build {
    Current,
    Baseline,
}

impl Build {
    pub fn name(self) -> &'static str {
        match self {
            Build::Current => "current",
            Build::Baseline => "baseline",
        }
    }
}

/// The builds a bench runs and how often.
#[derive(Debug, Clone)]
pub struct Contenders {
    /// The build under test (`$CONGRESS_BIN`, else the `congress` next to this binary).
    pub current: PathBuf,
    /// `--baseline-bin PATH`.
    pub baseline: Option<PathBuf>,
    /// `--rounds N`: runs per build (default 2 with a baseline, 1 without).
    pub rounds: usize,
    /// `--baseline-env KEY=VALUE`s, and the folder holding the wrapper that sets them.
    pub baseline_env: Vec<String>,
    _wrapper: Option<std::sync::Arc<tempfile::TempDir>>,
}

/// A `sh` script in a new folder that exports `env` (`KEY=VALUE`s) and `exec`s `bin`.
fn wrapper(bin: &Path, env: &[String]) -> anyhow::Result<(tempfile::TempDir, PathBuf)> {
    use std::fmt::Write as _;
    use std::os::unix::fs::PermissionsExt as _;
    let quote = |s: &str| -> anyhow::Result<String> {
        if s.contains('\'') {
            bail!("--baseline-env: no single quotes, please: {s}");
        }
        Ok(format!("'{s}'"))
    };
    let mut script = String::from("#!/bin/sh\n");
    for kv in env {
        let (k, v) = kv
            .split_once('=')
            .with_context(|| format!("--baseline-env needs KEY=VALUE, got {kv}"))?;
        if k.is_empty() || !k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            bail!("--baseline-env: not a variable name: {k}");
        }
        writeln!(script, "export {k}={}", quote(v)?)?;
    }
    writeln!(script, "exec {} \"$@\"", quote(&bin.display().to_string())?)?;
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("congress");
    std::fs::write(&path, script)?;
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755))?;
    Ok((dir, path))
}

impl Contenders {
    /// Reads `--baseline-bin PATH` and `--rounds N` from a bench's arguments.
    pub fn from_args(args: &[String], current: PathBuf) -> anyhow::Result<Contenders> {
        let value = |name: &str| -> anyhow::Result<Option<&String>> {
            match args.iter().position(|a| a == name) {
                Some(i) => Ok(Some(
                    args.get(i + 1)
                        .with_context(|| format!("{name} needs a value"))?,
                )),
                None => Ok(None),
            }
        };
        let mut baseline = value("--baseline-bin")?.map(PathBuf::from);
        if let Some(b) = &baseline
            && !b.is_file()
        {
            bail!("--baseline-bin {}: no such file", b.display());
        }
        let baseline_env: Vec<String> = args
            .iter()
            .enumerate()
            .filter(|(_, a)| *a == "--baseline-env")
            .map(|(i, _)| {
                args.get(i + 1)
                    .cloned()
                    .context("--baseline-env needs KEY=VALUE")
            })
            .collect::<anyhow::Result<_>>()?;
        let mut wrapped = None;
        if !baseline_env.is_empty() {
            let (dir, script) = wrapper(baseline.as_deref().unwrap_or(&current), &baseline_env)?;
            baseline = Some(script);
            wrapped = Some(std::sync::Arc::new(dir));
        }
        let rounds = match value("--rounds")? {
            Some(n) => n.parse().context("--rounds needs a number")?,
            None if baseline.is_some() => 2,
            None => 1,
        };
        if rounds == 0 {
            bail!("--rounds must be at least 1");
        }
        Ok(Contenders {
            current,
            baseline,
            rounds,
            baseline_env,
            _wrapper: wrapped,
        })
    }

    /// The runs in order, each with its round number (from 0): without a baseline the current
    /// build `rounds` times; with one, `rounds` pairs in ABBA order.
    pub fn schedule(&self) -> Vec<(usize, Build)> {
        (0..self.rounds)
            .flat_map(|r| {
                let pair = match (self.baseline.is_some(), r % 2) {
                    (false, _) => vec![Build::Current],
                    (true, 0) => vec![Build::Baseline, Build::Current],
                    (true, _) => vec![Build::Current, Build::Baseline],
                };
                pair.into_iter().map(move |b| (r, b))
            })
            .collect()
    }

    pub fn bin(&self, build: Build) -> &Path {
        match (build, &self.baseline) {
            (Build::Baseline, Some(b)) => b,
            _ => &self.current,
        }
    }

    /// Runs `run(round, build, bin)` in [`Contenders::schedule`] order and merges each build's
    /// samples; returns the current build's and the baseline's (if any), and each run's
    /// `headline` figure for the JSON's `runs`.
    pub async fn run<S, F, Fut>(
        &self,
        headline: impl Fn(&S) -> Value,
        mut run: F,
    ) -> anyhow::Result<Rounds<S>>
    where
        S: Merge,
        F: FnMut(usize, Build, PathBuf) -> Fut,
        Fut: Future<Output = anyhow::Result<S>>,
    {
        let mut current: Option<S> = None;
        let mut baseline: Option<S> = None;
        let mut runs = Vec::new();
        for (round, build) in self.schedule() {
            eprintln!(
                "--- round {} of {}: {} build {}",
                round + 1,
                self.rounds,
                build.name(),
                self.bin(build).display()
            );
            let samples = run(round, build, self.bin(build).to_path_buf()).await?;
            runs.push(
                json!({ "build": build.name(), "round": round + 1, "figures": headline(&samples) }),
            );
            let slot = match build {
                Build::Current => &mut current,
                Build::Baseline => &mut baseline,
            };
            match slot {
                Some(s) => s.merge(samples),
                None => *slot = Some(samples),
            }
        }
        Ok(Rounds {
            current: current.context("no round of the current build ran")?,
            baseline,
            runs,
        })
    }

    /// The final JSON line: `params`, then the current figures, the baseline's and the ratios
    /// (see the module documentation), then the builds and each run's headline figures.
    pub fn report(
        &self,
        params: Value,
        current: Map<String, Value>,
        baseline: Option<Map<String, Value>>,
        runs: Vec<Value>,
    ) -> Value {
        let mut out = match params {
            Value::Object(m) => m,
            _ => Map::new(),
        };
        out.extend(compare(current, baseline));
        out.insert("bin".into(), json!(self.current.display().to_string()));
        if let Some(b) = &self.baseline {
            out.insert("baseline_bin".into(), json!(b.display().to_string()));
            if !self.baseline_env.is_empty() {
                out.insert("baseline_env".into(), json!(self.baseline_env));
            }
            out.insert("rounds".into(), json!(self.rounds));
            out.insert("runs".into(), Value::Array(runs));
        }
        Value::Object(out)
    }
}

/// What [`Contenders::run`] returns.
pub struct Rounds<S> {
    pub current: S,
    pub baseline: Option<S>,
    /// `{"build", "round", "figures"}` per run, in the order they ran.
    pub runs: Vec<Value>,
}

/// Samples of several runs of one build, put together.
pub trait Merge {
    fn merge(&mut self, other: Self);
}

/// The current figures, then `baseline_<name>` for each baseline figure and
/// `ratio_vs_baseline_<stem>` for each figure named `<stem>_ms` or `<stem>_mb` that both have
/// (null when the baseline's is 0).
pub fn compare(
    current: Map<String, Value>,
    baseline: Option<Map<String, Value>>,
) -> Map<String, Value> {
    let Some(baseline) = baseline else {
        return current;
    };
    let mut out = current.clone();
    let mut ratios = Map::new();
    for (name, old) in baseline {
        let stem = name
            .strip_suffix("_ms")
            .or_else(|| name.strip_suffix("_mb"));
        if let (Some(stem), Some(new), Some(old)) = (
            stem,
            current.get(&name).and_then(Value::as_f64),
            old.as_f64(),
        ) {
            let ratio = (old != 0.0).then(|| (new / old * 1000.0).round() / 1000.0);
            ratios.insert(format!("ratio_vs_baseline_{stem}"), json!(ratio));
        }
        out.insert(format!("baseline_{name}"), old);
    }
    out.extend(ratios);
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn contenders(baseline: bool, rounds: usize) -> Contenders {
        Contenders {
            current: "new".into(),
            baseline: baseline.then(|| "old".into()),
            rounds,
            baseline_env: vec![],
            _wrapper: None,
        }
    }

    #[test]
    fn rounds_alternate_abba() {
        use Build::{Baseline as B, Current as C};
        let order: Vec<Build> = contenders(true, 3)
            .schedule()
            .into_iter()
            .map(|(_, b)| b)
            .collect();
        assert_eq!(order, [B, C, C, B, B, C]);
        let rounds: Vec<usize> = contenders(true, 2)
            .schedule()
            .into_iter()
            .map(|(r, _)| r)
            .collect();
        assert_eq!(rounds, [0, 0, 1, 1]);
        assert_eq!(
            contenders(false, 1).schedule(),
            [(0, C)],
            "no baseline: the current build once"
        );
    }

    #[test]
    fn arguments() {
        let args = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let me = std::env::current_exe().unwrap();
        let me_s = me.display().to_string();
        let c = Contenders::from_args(&args(&["--baseline-bin", &me_s]), "new".into()).unwrap();
        assert_eq!((c.baseline.as_deref(), c.rounds), (Some(me.as_path()), 2));
        let c = Contenders::from_args(&args(&["--clients", "5"]), "new".into()).unwrap();
        assert_eq!((c.baseline, c.rounds), (None, 1));
        assert!(
            Contenders::from_args(
                &args(&["--baseline-bin", "/no/such/congress"]),
                "new".into()
            )
            .is_err()
        );
        assert!(Contenders::from_args(&args(&["--baseline-bin"]), "new".into()).is_err());
        assert!(Contenders::from_args(&args(&["--rounds", "0"]), "new".into()).is_err());
        // The same build with an environment: a wrapper that sets it and runs the build.
        let c = Contenders::from_args(
            &args(&[
                "--baseline-env",
                "CONGRESS_AT_REST=off",
                "--baseline-env",
                "X=a b",
            ]),
            "/bin/echo".into(),
        )
        .unwrap();
        let out = std::process::Command::new(c.baseline.as_ref().unwrap())
            .args(["$X", "$CONGRESS_AT_REST"])
            .env("CONGRESS_AT_REST", "on")
            .output()
            .unwrap();
        assert_eq!(
            String::from_utf8_lossy(&out.stdout),
            "$X $CONGRESS_AT_REST\n"
        );
        assert_eq!(c.rounds, 2);
        let env_of = |kv: &str| {
            let c = Contenders::from_args(&args(&["--baseline-env", kv]), "/usr/bin/env".into())?;
            let out = std::process::Command::new(c.baseline.as_ref().unwrap()).output()?;
            anyhow::Ok(String::from_utf8_lossy(&out.stdout).into_owned())
        };
        assert!(
            env_of("CONGRESS_AT_REST=off")
                .unwrap()
                .contains("CONGRESS_AT_REST=off\n")
        );
        assert!(env_of("X=it's").is_err());
        assert!(env_of("NOVALUE").is_err());
        assert!(env_of("A-B=1").is_err());
    }

    #[test]
    fn figures_side_by_side_with_ratios() {
        let current = json!({"p99_ms": 11.0, "peak_rss_mb": 200.0, "lost": 0, "open_p50_ms": 1.0});
        let baseline = json!({"p99_ms": 10.0, "peak_rss_mb": 0.0, "lost": 0, "open_p50_ms": 4.0});
        let (Value::Object(c), Value::Object(b)) = (current, baseline) else {
            unreachable!()
        };
        let out = compare(c.clone(), Some(b));
        assert_eq!(out["p99_ms"], json!(11.0));
        assert_eq!(out["baseline_p99_ms"], json!(10.0));
        assert_eq!(out["ratio_vs_baseline_p99"], json!(1.1));
        assert_eq!(out["ratio_vs_baseline_open_p50"], json!(0.25));
        assert_eq!(out["ratio_vs_baseline_peak_rss"], Value::Null);
        assert_eq!(out["baseline_lost"], json!(0));
        assert!(!out.contains_key("ratio_vs_baseline_lost"));
        assert_eq!(
            compare(c.clone(), None),
            c,
            "no baseline: the figures unchanged"
        );
    }
}

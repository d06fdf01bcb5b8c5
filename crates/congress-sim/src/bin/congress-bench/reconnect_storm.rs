//! `reconnect-storm`: the bench around `congress_sim::reconnect` (every tablet drops at once and
//! comes back within 1–3 s; see there). `--baseline-bin PATH` runs it against an older build too
//! (see `baseline.rs`); both builds of a round get the same seed.

use congress_sim::reconnect::{ReconnectOptions, ReconnectReport, run};
use congress_sim::stats::{reported as p, round2};
use serde_json::{Map, Value, json};

use crate::baseline::{Contenders, Merge};
use crate::{flag, seed_flag};

/// Several runs' reports as one: counts summed, latency samples pooled, the highest peak memory.
struct Samples(ReconnectReport);

impl Merge for Samples {
    fn merge(&mut self, Samples(o): Samples) {
        let r = &mut self.0;
        r.resumed += o.resumed;
        r.snapshots += o.snapshots;
        r.lost += o.lost;
        r.duplicated += o.duplicated;
        r.unexpected += o.unexpected;
        r.reconnect_ms.extend(o.reconnect_ms);
        r.health_ms.extend(o.health_ms);
        r.health_errors += o.health_errors;
        r.peak_rss_mb = r.peak_rss_mb.max(o.peak_rss_mb);
        r.pushes_during_run += o.pushes_during_run;
        r.push_errors += o.push_errors;
        r.ballots_sent += o.ballots_sent;
        r.ballots_acked += o.ballots_acked;
        r.ballots_counted += o.ballots_counted;
        r.ballots_retried_after_drop += o.ballots_retried_after_drop;
        r.problems.extend(o.problems);
    }
}

impl Samples {
    fn figures(&self) -> Map<String, Value> {
        let r = &self.0;
        let v = json!({
            "resumed": r.resumed,
            "snapshots": r.snapshots,
            "lost": r.lost,
            "duplicated": r.duplicated,
            "unexpected": r.unexpected,
            "reconnect_p50_ms": p(&r.reconnect_ms, 50.0),
            "reconnect_p99_ms": p(&r.reconnect_ms, 99.0),
            "health_p50_ms": p(&r.health_ms, 50.0),
            "health_p99_ms": p(&r.health_ms, 99.0),
            "health_errors": r.health_errors,
            "peak_rss_mb": round2(r.peak_rss_mb),
            "pushes": r.pushes_during_run,
            "desk_errors": r.push_errors,
            "ballots_acked": r.ballots_acked,
            "ballots_counted": r.ballots_counted,
            "ballots_retried_after_drop": r.ballots_retried_after_drop,
            "problems": r.problems.len(),
        });
        match v {
            Value::Object(m) => m,
            _ => Map::new(),
        }
    }

    fn print(&self, what: &str) {
        let r = &self.0;
        for problem in r.problems.iter().take(20) {
            eprintln!("  {what}: problem: {problem}");
        }
        eprintln!(
            "{what}: reconnect p50 {:.0} ms p99 {:.0} ms; /api/health p50 {:.1} ms p99 {:.1} ms ({} samples, {} errors); ballots {} sent, {} acked, {} counted, {} retried after the drop",
            p(&r.reconnect_ms, 50.0),
            p(&r.reconnect_ms, 99.0),
            p(&r.health_ms, 50.0),
            p(&r.health_ms, 99.0),
            r.health_ms.len(),
            r.health_errors,
            r.ballots_sent,
            r.ballots_acked,
            r.ballots_counted,
            r.ballots_retried_after_drop
        );
    }
}

/// `congress-bench reconnect-storm [--clients N] [--seed S] [--server-restart]
/// [--baseline-bin PATH] [--rounds N]`; fails (after printing its figures) when the current
/// build lost or duplicated a push or had another problem.
pub async fn reconnect_storm(args: &[String]) -> anyhow::Result<()> {
    let opts = ReconnectOptions {
        bin: congress_sim::server::congress_bin()?,
        clients: flag(args, "--clients", 2000)?,
        seed: seed_flag(args)?,
        jitter_ms: (
            flag(args, "--jitter-min-ms", 1000)? as u64,
            flag(args, "--jitter-max-ms", 3000)? as u64,
        ),
        changes_per_s: flag(args, "--changes-per-s", 25)? as u64,
        server_restart: args.iter().any(|a| a == "--server-restart"),
        verbose: true,
    };
    let builds = Contenders::from_args(args, opts.bin.clone())?;
    eprintln!(
        "reconnect-storm: {} tablets, seed {} (reproduce with --seed {})",
        opts.clients, opts.seed, opts.seed
    );
    let rounds = builds
        .run(
            |s: &Samples| json!({ "reconnect_p99_ms": p(&s.0.reconnect_ms, 99.0), "health_p99_ms": p(&s.0.health_ms, 99.0) }),
            |round, build, bin| {
                let opts = ReconnectOptions {
                    bin,
                    seed: opts.seed.wrapping_add(round as u64),
                    ..opts.clone()
                };
                async move {
                    let s = Samples(run(&opts).await?);
                    s.print(build.name());
                    Ok(s)
                }
            },
        )
        .await?;
    let report = builds.report(
        json!({
            "bench": "reconnect-storm",
            "clients": rounds.current.0.clients,
            "server_restart": opts.server_restart,
            "seed": opts.seed,
        }),
        rounds.current.figures(),
        rounds.baseline.as_ref().map(Samples::figures),
        rounds.runs,
    );
    println!("{report}");
    let r = &rounds.current.0;
    if !r.problems.is_empty() || r.lost > 0 || r.duplicated > 0 {
        anyhow::bail!(
            "{} problems, {} lost, {} duplicated",
            r.problems.len(),
            r.lost,
            r.duplicated
        );
    }
    Ok(())
}

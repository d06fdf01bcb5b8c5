//! `vote-storm`: 2,000 paired, checked-in tablets vote within two seconds of the opening, twice
//! (all connected; then 10 % disconnecting and reconnecting mid-vote): the latency of the
//! durable ballot acknowledgement, the time for "vote opened" to reach every tablet, lost
//! ballots and whether the tally is exact. `--baseline-bin PATH` runs it against an older build
//! too (see `baseline.rs`). Then, on the current build only and unless `--plain-only`, the
//! encrypted secret election and motion and the minimal server's floor (`secret_storm.rs`);
//! `lost` counts every storm's lost ballots.

use std::path::Path;
use std::time::Instant;

use congress_sim::stats::reported as p;
use congress_sim::vote::{StormOptions, StormReport, storm};
use serde_json::{Map, Value, json};

use crate::baseline::{Contenders, Merge};
use crate::flag;
use crate::setup::{check_in, fresh_server, pair_tablets};

/// One storm's figures over one or more runs.
#[derive(Debug, Default)]
struct Storm {
    open_ms: Vec<f64>,
    ack_ms: Vec<f64>,
    acked: u64,
    /// Tablets that voted but got no ack, over every run.
    not_acked: u64,
    lost: u64,
    tally_correct: bool,
    reconnects: u64,
    retries_ok: u64,
    retries_bad: u64,
}

impl Storm {
    fn of(r: &StormReport, tablets: usize) -> Storm {
        Storm {
            open_ms: r.open_ms.clone(),
            ack_ms: r.ack_ms.clone(),
            acked: r.acked,
            not_acked: (tablets as u64).saturating_sub(r.acked),
            lost: r.lost,
            tally_correct: r.tally_correct,
            reconnects: r.reconnects,
            retries_ok: r.retries_ok,
            retries_bad: r.retries_bad,
        }
    }
}

impl Merge for Storm {
    fn merge(&mut self, o: Storm) {
        self.open_ms.extend(o.open_ms);
        self.ack_ms.extend(o.ack_ms);
        self.acked += o.acked;
        self.not_acked += o.not_acked;
        self.lost += o.lost;
        self.tally_correct &= o.tally_correct;
        self.reconnects += o.reconnects;
        self.retries_ok += o.retries_ok;
        self.retries_bad += o.retries_bad;
    }
}

/// Both storms of one or more runs, and the server's peak memory per run.
#[derive(Debug, Default)]
struct Samples {
    connected: Storm,
    reconnecting: Storm,
    peak_rss: Vec<f64>,
}

impl Merge for Samples {
    fn merge(&mut self, o: Samples) {
        self.connected.merge(o.connected);
        self.reconnecting.merge(o.reconnecting);
        self.peak_rss.extend(o.peak_rss);
    }
}

impl Samples {
    /// Latencies over every ballot of every run; counts summed over the runs; memory: the
    /// highest run.
    fn figures(&self) -> Map<String, Value> {
        let (a, b) = (&self.connected, &self.reconnecting);
        let v = json!({
            "open_p50_ms": p(&a.open_ms, 50.0),
            "open_p99_ms": p(&a.open_ms, 99.0),
            "ack_p50_ms": p(&a.ack_ms, 50.0),
            "ack_p99_ms": p(&a.ack_ms, 99.0),
            "ack_max_ms": p(&a.ack_ms, 100.0),
            "acked": a.acked,
            "not_acked": a.not_acked,
            "lost": a.lost,
            "tally_correct": a.tally_correct,
            "reconnect_open_p50_ms": p(&b.open_ms, 50.0),
            "reconnect_open_p99_ms": p(&b.open_ms, 99.0),
            "reconnect_ack_p50_ms": p(&b.ack_ms, 50.0),
            "reconnect_ack_p99_ms": p(&b.ack_ms, 99.0),
            "reconnect_ack_max_ms": p(&b.ack_ms, 100.0),
            "reconnect_acked": b.acked,
            "reconnect_not_acked": b.not_acked,
            "reconnect_lost": b.lost,
            "reconnect_tally_correct": b.tally_correct,
            "reconnects": b.reconnects,
            "retries_ok": a.retries_ok + b.retries_ok,
            "retries_bad": a.retries_bad + b.retries_bad,
            "peak_rss_mb": p(&self.peak_rss, 100.0),
        });
        match v {
            Value::Object(m) => m,
            _ => Map::new(),
        }
    }
}

/// Prints one storm's line (and its first few failures).
fn show(name: &str, r: &StormReport) {
    eprintln!(
        "{name}: opened→all p50 {:.1} ms p99 {:.1} ms; ack p50 {:.1} ms p99 {:.1} ms max {:.1} ms; acked {} lost {} tally {} reconnects {} retries ok {}/{}; refused {} failed {}",
        p(&r.open_ms, 50.0),
        p(&r.open_ms, 99.0),
        p(&r.ack_ms, 50.0),
        p(&r.ack_ms, 99.0),
        p(&r.ack_ms, 100.0),
        r.acked,
        r.lost,
        if r.tally_correct { "correct" } else { "WRONG" },
        r.reconnects,
        r.retries_ok,
        r.retries_ok + r.retries_bad,
        r.refused.len(),
        r.failed.len(),
    );
    for e in r.failed.iter().chain(r.refused.iter()).take(5) {
        eprintln!("  {e}");
    }
}

/// `congress-bench vote-storm [--tablets N] [--window-ms MS] [--baseline-bin PATH] [--rounds N]
/// [--plain-only | --encrypted-only] [--candidates N] [--seats N] [--members N] [--threshold T]`.
pub async fn vote_storm(args: &[String]) -> anyhow::Result<()> {
    let n = flag(args, "--tablets", 2000)?;
    let window_ms = flag(args, "--window-ms", 2000)? as u64;
    let builds = Contenders::from_args(args, congress_sim::server::congress_bin()?)?;
    eprintln!("vote-storm: {n} tablets, everyone votes within {window_ms} ms");
    let encrypted_only = args.iter().any(|a| a == "--encrypted-only");
    if encrypted_only {
        let figures = crate::secret_storm::run(&builds.current, args, n, window_ms).await?;
        let head = json!({ "bench": "vote-storm", "tablets": n, "window_ms": window_ms });
        println!("{}", builds.report(head, figures, None, Vec::new()));
        return Ok(());
    }
    let rounds = builds
        .run(
            |s: &Samples| {
                json!({
                    "ack_p99_ms": p(&s.connected.ack_ms, 99.0),
                    "reconnect_ack_p99_ms": p(&s.reconnecting.ack_ms, 99.0),
                })
            },
            |_, build, bin| async move { run_once(&bin, build.name(), n, window_ms).await },
        )
        .await?;
    let mut figures = rounds.current.figures();
    if !args.iter().any(|a| a == "--plain-only") {
        let encrypted = crate::secret_storm::run(&builds.current, args, n, window_ms).await?;
        let lost = |m: &Map<String, Value>, k: &str| m.get(k).and_then(Value::as_u64).unwrap_or(0);
        let all = lost(&figures, "lost")
            + lost(&encrypted, "encrypted_lost")
            + lost(&encrypted, "motion_lost");
        figures.extend(encrypted);
        figures.insert("lost".into(), json!(all));
    }
    let report = builds.report(
        json!({ "bench": "vote-storm", "tablets": n, "window_ms": window_ms }),
        figures,
        rounds.baseline.as_ref().map(Samples::figures),
        rounds.runs,
    );
    println!("{report}");
    Ok(())
}

/// One run against `bin`: a fresh congress, both storms.
async fn run_once(bin: &Path, build: &str, n: usize, window_ms: u64) -> anyhow::Result<Samples> {
    let (server, admin, _dir) = fresh_server(bin, n).await?;
    let t = Instant::now();
    let tablets = pair_tablets(&admin, n, 16).await?;
    check_in(&admin, n, 16).await?;
    eprintln!(
        "paired and checked in {n} tablets in {:.1} s",
        t.elapsed().as_secs_f64()
    );
    let base = StormOptions {
        window_ms,
        reconnect_pct: 0,
        retry_pct: 5,
        secrecy: congress_proto::Secrecy::Secret,
        seed: 1,
    };
    let a = storm(&admin, &tablets, &base).await?;
    show(&format!("{build}: all connected"), &a);
    let b = storm(
        &admin,
        &tablets,
        &StormOptions {
            reconnect_pct: 10,
            seed: 2,
            ..base
        },
    )
    .await?;
    show(&format!("{build}: 10% reconnecting"), &b);
    let (peak, _) = server.memory_mib();
    server.stop().await?;
    Ok(Samples {
        connected: Storm::of(&a, n),
        reconnecting: Storm::of(&b, n),
        peak_rss: vec![peak],
    })
}

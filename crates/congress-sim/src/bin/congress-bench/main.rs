//! `congress-bench NAME`: benchmarks against a real server process. Each prints what it does and
//! ends with one line of JSON holding its figures.
//!
//! - `fanout` (`fanout.rs`), `vote-storm` (`vote_storm.rs`), `reconnect-storm`
//!   (`reconnect_storm.rs`): also against an older build in the same run with
//!   `--baseline-bin PATH` (`baseline.rs`).
//! - `crash`, `backup`, `docs-serve`: here.

// A simulator and benchmark harness: it measures real latencies, so it reads the clock.
#![allow(clippy::disallowed_methods)]

mod baseline;
mod fanout;
mod reconnect_storm;
mod secret_storm;
mod setup;
mod vote_storm;

use std::time::Instant;

use anyhow::{Context, bail};
use congress_client::Api;
use congress_proto::AttendanceStatus;
use congress_sim::ServerProcess;
use congress_sim::stats::{percentile, round2};
use serde_json::json;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("fanout") => fanout::fanout(&args[1..]).await,
        Some("docs-serve") => docs_serve(&args[1..]).await,
        Some("vote-storm") => vote_storm::vote_storm(&args[1..]).await,
        Some("crash") => crash(&args[1..]).await,
        Some("reconnect-storm") => reconnect_storm::reconnect_storm(&args[1..]).await,
        Some("backup") => backup_time(&args[1..]).await,
        Some("minimal-server") => {
            let data = args
                .iter()
                .position(|a| a == "--data")
                .and_then(|i| args.get(i + 1))
                .context("minimal-server --data DIR")?;
            congress_sim::minimal::serve(std::path::Path::new(data)).await
        }
        _ => bail!(
            "usage: congress-bench fanout [--clients N] [--changes N] [--baseline-bin PATH [--rounds N]]\n       congress-bench docs-serve [--clients N] [--size-mib N]\n       congress-bench vote-storm [--tablets N] [--window-ms MS] [--baseline-bin PATH [--rounds N]] [--plain-only] [--candidates N] [--seats N] [--members N] [--threshold T]\n       congress-bench crash [--rounds N] [--seed S] [--delegates N] [--window-ms MS]\n       congress-bench reconnect-storm [--clients N] [--seed S] [--server-restart] [--baseline-bin PATH [--rounds N]]\n       congress-bench backup [--size-mib N] [--fixtures DIR]"
        ),
    }
}

/// The number after `name` in `args`, else `default`.
fn flag(args: &[String], name: &str, default: usize) -> anyhow::Result<usize> {
    match args.iter().position(|a| a == name) {
        Some(i) => args
            .get(i + 1)
            .context("missing value")?
            .parse()
            .with_context(|| format!("{name} needs a number")),
        None => Ok(default),
    }
}

async fn docs_serve(args: &[String]) -> anyhow::Result<()> {
    let clients = flag(args, "--clients", 500)?;
    let size_mib = flag(args, "--size-mib", 100)?;
    eprintln!("docs-serve: {size_mib} MiB document, {clients} concurrent tablets");
    let bin = congress_sim::server::congress_bin()?;
    let (server, admin, _dir) = setup::fresh_server(&bin, clients).await?;
    let figures = congress_sim::docs_serve::run(&server, &admin, clients, size_mib).await?;
    server.stop().await?;
    println!("{}", json!({ "bench": "docs-serve", "figures": figures }));
    Ok(())
}

/// A seed from `--seed`, else from the clock (printed either way, to reproduce a run).
fn seed_flag(args: &[String]) -> anyhow::Result<u64> {
    match args.iter().position(|a| a == "--seed") {
        Some(i) => args
            .get(i + 1)
            .context("missing value")?
            .parse()
            .context("--seed needs a number"),
        None => Ok(std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64 % 1_000_000_007)
            .unwrap_or(1)),
    }
}

async fn crash(args: &[String]) -> anyhow::Result<()> {
    use congress_sim::crash::{CrashOptions, run};
    let opts = CrashOptions {
        bin: congress_sim::server::congress_bin()?,
        rounds: flag(args, "--rounds", 20)?,
        seed: seed_flag(args)?,
        delegates: flag(args, "--delegates", 240)?,
        window_ms: flag(args, "--window-ms", 800)? as u64,
        verbose: true,
    };
    eprintln!(
        "crash: {} rounds, seed {} (reproduce with --seed {})",
        opts.rounds, opts.seed, opts.seed
    );
    let r = run(&opts).await?;
    for p in r.problems.iter().take(20) {
        eprintln!("  problem: {p}");
    }
    let p = |q| round2(percentile(&r.restart_ms, q));
    println!(
        "{}",
        json!({
            "bench": "crash",
            "seed": r.seed,
            "rounds": r.rounds,
            "kills": r.kills,
            "big_batch_kills": r.big_batch_kills,
            "acked_ballots": r.acked_ballots,
            "acked_checkins": r.acked_checkins,
            "unacked_ballots": r.unacked_ballots,
            "unacked_checkins": r.unacked_checkins,
            "lost": r.lost,
            "double_counted": r.double_counted,
            "verify_failures": r.verify_failures,
            "retry_mismatches": r.retry_mismatches,
            "tablets_resumed": r.resumed,
            "tablets_snapshot": r.snapshots,
            "problems": r.problems.len(),
            "restart_ms_p50": p(50.0),
            "restart_ms_max": p(100.0),
        })
    );
    if !r.problems.is_empty() {
        bail!("{} problems", r.problems.len());
    }
    Ok(())
}

/// Backup and restore times of the demo congress with a big document, through the CLI.
async fn backup_time(args: &[String]) -> anyhow::Result<()> {
    let size_mib = flag(args, "--size-mib", 100)?;
    let fixtures = match args.iter().position(|a| a == "--fixtures") {
        Some(i) => std::path::PathBuf::from(args.get(i + 1).context("missing value")?),
        None => std::path::PathBuf::from("fixtures/demo"),
    };
    let bin = congress_sim::server::congress_bin()?;
    let dir = tempfile::tempdir()?;
    let data = dir.path().join("data");
    let cli = |args: Vec<String>, stdin: Option<&'static str>| {
        let (bin, data) = (bin.clone(), data.clone());
        async move {
            let a: Vec<&str> = args.iter().map(String::as_str).collect();
            congress_sim::server::run_cli_bin(&bin, &data, &a, stdin).await
        }
    };
    let s = |x: &str| x.to_string();
    let p = |x: std::path::PathBuf| x.to_string_lossy().into_owned();
    cli(
        vec![
            s("import"),
            s("--congress"),
            p(fixtures.join("congress.toml")),
            s("--delegates"),
            p(fixtures.join("delegates.csv")),
        ],
        None,
    )
    .await?;
    cli(
        vec![
            s("operator"),
            s("add"),
            s("admin"),
            s("--role"),
            s("admin"),
            s("--password-stdin"),
        ],
        Some("bench-password-1"),
    )
    .await?;
    let server = ServerProcess::start_bin(&bin, &data).await?;
    let admin = Api::new(&server.url)
        .login("admin", "bench-password-1")
        .await?;
    let delegates: Vec<congress_proto::Delegate> = admin.get("/api/delegates").await?;
    for (i, d) in delegates.iter().enumerate() {
        admin
            .set_attendance(
                &format!("bk-{i}"),
                &d.id,
                AttendanceStatus::Present,
                "bench",
            )
            .await?;
    }
    let pdf = congress_sim::docs_serve::big_pdf(size_mib * 1024 * 1024);
    let (status, body) = admin
        .raw(
            reqwest::Method::POST,
            "/api/documents?title=Benchmark&audience=all&file_name=bench.pdf",
            "application/pdf",
            pdf,
        )
        .await?;
    if status != 200 {
        bail!("upload answered {status}: {body}");
    }
    let root = dir.path().join("backups");
    let t = Instant::now();
    let out = cli(vec![s("backup"), s("--to"), p(root.clone())], None).await?;
    let first_ms = t.elapsed().as_secs_f64() * 1e3;
    eprint!("{out}");
    admin
        .set_attendance(
            "bk-again",
            &delegates[0].id,
            AttendanceStatus::Left,
            "bench",
        )
        .await?;
    let t = Instant::now();
    let out = cli(vec![s("backup"), s("--to"), p(root.clone())], None).await?;
    let second_ms = t.elapsed().as_secs_f64() * 1e3;
    eprint!("{out}");
    server.stop().await?;
    let spare = dir.path().join("spare");
    let t = Instant::now();
    let out = congress_sim::server::run_cli_bin(
        &bin,
        &spare,
        &["restore", "--from", &root.to_string_lossy()],
        None,
    )
    .await?;
    let restore_ms = t.elapsed().as_secs_f64() * 1e3;
    eprint!("{out}");
    let size =
        |f: &std::path::Path| std::fs::metadata(f).map(|m| m.len()).unwrap_or(0) as f64 / 1e6;
    let db_mb = size(&spare.join("congress.sqlite"));
    println!(
        "{}",
        json!({
            "bench": "backup",
            "delegates": delegates.len(),
            "document_mib": size_mib,
            "db_mb": round2(db_mb),
            "first_backup_ms": round2(first_ms),
            "incremental_backup_ms": round2(second_ms),
            "restore_ms": round2(restore_ms),
        })
    );
    Ok(())
}

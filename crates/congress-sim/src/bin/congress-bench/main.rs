//! `congress-bench NAME`: benchmarks against a real server process. Each prints what it does and
//! ends with one line of JSON holding its figures.
//!
//! - `fanout`: 2,000 paired tablets connected over websockets; 1,000 attendance changes; time from
//!   each change to its arrival at every tablet; server memory; time for `serve` to be ready
//!   with 2,000 delegates (fresh, and again after the run with the whole journal).

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use congress_client::{Api, Live};
use congress_proto::{AttendanceStatus, DeviceKind};
use congress_sim::ServerProcess;
use congress_sim::server::{delegate_id, run_cli, write_congress};
use congress_sim::stats::{percentile, round2};
use futures_util::StreamExt;
use serde_json::json;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("fanout") => fanout(&args[1..]).await,
        Some("docs-serve") => docs_serve(&args[1..]).await,
        Some("vote-storm") => vote_storm(&args[1..]).await,
        Some("crash") => crash(&args[1..]).await,
        Some("reconnect-storm") => reconnect_storm(&args[1..]).await,
        Some("backup") => backup_time(&args[1..]).await,
        _ => bail!(
            "usage: congress-bench fanout [--clients N] [--changes N]\n       congress-bench docs-serve [--clients N] [--size-mib N]\n       congress-bench vote-storm [--tablets N] [--window-ms MS]\n       congress-bench crash [--rounds N] [--seed S] [--delegates N] [--window-ms MS]\n       congress-bench reconnect-storm [--clients N] [--seed S] [--server-restart]\n       congress-bench backup [--size-mib N] [--fixtures DIR]"
        ),
    }
}

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

/// Starts a server on a fresh congress of `n` delegates with an admin; returns it, the admin's
/// API and the data folder.
async fn fresh_server(n: usize) -> anyhow::Result<(ServerProcess, Api, tempfile::TempDir)> {
    let dir = tempfile::tempdir()?;
    let data = dir.path().join("data");
    write_congress(dir.path(), n)?;
    let congress = dir.path().join("congress.toml");
    let delegates = dir.path().join("delegates.csv");
    run_cli(
        &data,
        &[
            "import",
            "--congress",
            &congress.to_string_lossy(),
            "--delegates",
            &delegates.to_string_lossy(),
        ],
        None,
    )
    .await?;
    let password = "bench-password-1";
    run_cli(
        &data,
        &[
            "operator",
            "add",
            "admin",
            "--role",
            "admin",
            "--password-stdin",
        ],
        Some(password),
    )
    .await?;
    let server = ServerProcess::start(&data).await?;
    let admin = Api::new(&server.url).login("admin", password).await?;
    Ok((server, admin, dir))
}

/// Pairs one tablet per delegate `1..=n`, `parallel` at a time.
async fn pair_tablets(admin: &Api, n: usize, parallel: usize) -> anyhow::Result<Vec<Api>> {
    let results: Vec<anyhow::Result<Api>> = futures_util::stream::iter(1..=n)
        .map(|i| {
            let admin = admin.clone();
            async move {
                let (api, _) = admin
                    .pair_device(DeviceKind::Tablet, Some(&delegate_id(i)))
                    .await?;
                Ok(api)
            }
        })
        .buffered(parallel)
        .collect()
        .await;
    results.into_iter().collect()
}

async fn fanout(args: &[String]) -> anyhow::Result<()> {
    let clients = flag(args, "--clients", 2000)?;
    let changes = flag(args, "--changes", 1000)?;
    let delegates = clients.max(changes);
    eprintln!("fanout: {delegates} delegates, {clients} websocket clients, {changes} changes");

    let (server, admin, dir) = fresh_server(delegates).await?;
    let ready_ms = server.ready_after.as_secs_f64() * 1e3;
    eprintln!("serve ready with {delegates} delegates in {ready_ms:.0} ms");

    let t = Instant::now();
    let tablets = pair_tablets(&admin, clients, 16).await?;
    eprintln!(
        "paired {clients} tablets in {:.1} s",
        t.elapsed().as_secs_f64()
    );
    let (_, rss_idle) = server.memory_mib();

    // Connect every tablet; each task counts arrivals per change.
    let base_seq = admin
        .get::<congress_proto::JournalHead>("/api/journal/head")
        .await?
        .seq;
    let arrivals: Arc<Vec<AtomicU32>> = Arc::new((0..changes).map(|_| AtomicU32::new(0)).collect());
    let last_at: Arc<Vec<AtomicU64>> = Arc::new((0..changes).map(|_| AtomicU64::new(0)).collect());
    let epoch = Instant::now();
    let t = Instant::now();
    let mut conns = Vec::with_capacity(clients);
    let lives: Vec<anyhow::Result<Live>> = futures_util::stream::iter(tablets.iter())
        .map(|api| async move { Ok(Live::connect(api, "tablet", None).await?.0) })
        .buffer_unordered(64)
        .collect()
        .await;
    for live in lives {
        let mut live = live?;
        let arrivals = arrivals.clone();
        let last_at = last_at.clone();
        conns.push(tokio::spawn(async move {
            let mut seen = 0usize;
            while seen < changes {
                let Ok((seq, _)) = live.next_push().await else {
                    break;
                };
                let now = epoch.elapsed().as_micros() as u64;
                // Attendance pushes carry the journal seq of their change.
                if let Some(i) = seq.checked_sub(base_seq + 1).map(|i| i as usize)
                    && i < arrivals.len()
                {
                    last_at[i].fetch_max(now, Ordering::Relaxed);
                    arrivals[i].fetch_add(1, Ordering::Relaxed);
                    seen += 1;
                }
            }
            live.close().await;
        }));
    }
    eprintln!(
        "connected {clients} clients in {:.1} s",
        t.elapsed().as_secs_f64()
    );
    let (_, rss_connected) = server.memory_mib();

    // One change at a time: send, wait for the ack (it comes after the commit), then wait until
    // every client has the push.
    let mut from_request = Vec::with_capacity(changes);
    let mut from_ack = Vec::with_capacity(changes);
    let mut lost = 0u32;
    let t_all = Instant::now();
    for i in 0..changes {
        let sent = epoch.elapsed().as_micros() as u64;
        let ack = admin
            .set_attendance(
                &format!("fanout-{i}"),
                &delegate_id(i + 1),
                AttendanceStatus::Present,
                "benchmark",
            )
            .await?;
        let acked = epoch.elapsed().as_micros() as u64;
        let idx = (ack.seq - base_seq - 1) as usize;
        if idx != i {
            bail!(
                "change {i} got seq {} (expected {})",
                ack.seq,
                base_seq + 1 + i as u64
            );
        }
        let deadline = Instant::now() + Duration::from_secs(10);
        while arrivals[idx].load(Ordering::Relaxed) < clients as u32 {
            if Instant::now() > deadline {
                lost += clients as u32 - arrivals[idx].load(Ordering::Relaxed);
                break;
            }
            tokio::time::sleep(Duration::from_micros(200)).await;
        }
        let last = last_at[idx].load(Ordering::Relaxed);
        from_request.push(last.saturating_sub(sent) as f64 / 1e3);
        from_ack.push(last.saturating_sub(acked) as f64 / 1e3);
    }
    let elapsed = t_all.elapsed().as_secs_f64();
    let (peak, _) = server.memory_mib();
    for c in conns {
        let _ = c.await;
    }
    server.stop().await?;

    // Restart on the full journal.
    let restarted = ServerProcess::start(&dir.path().join("data")).await?;
    let restart_ms = restarted.ready_after.as_secs_f64() * 1e3;
    restarted.stop().await?;

    let p = |v: &[f64], q| round2(percentile(v, q));
    eprintln!(
        "change → all {clients} clients: p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms ({} changes in {:.1} s)",
        p(&from_request, 50.0),
        p(&from_request, 99.0),
        p(&from_request, 100.0),
        changes,
        elapsed
    );
    eprintln!(
        "ack → all clients: p50 {:.1} ms, p99 {:.1} ms",
        p(&from_ack, 50.0),
        p(&from_ack, 99.0)
    );
    eprintln!(
        "server memory: idle {rss_idle:.0} MiB, with clients {rss_connected:.0} MiB, peak {peak:.0} MiB"
    );
    eprintln!("restart with the whole journal: ready in {restart_ms:.0} ms");
    println!(
        "{}",
        json!({
            "bench": "fanout",
            "clients": clients,
            "changes": changes,
            "lost": lost,
            "p50_ms": p(&from_request, 50.0),
            "p99_ms": p(&from_request, 99.0),
            "max_ms": p(&from_request, 100.0),
            "ack_to_all_p50_ms": p(&from_ack, 50.0),
            "ack_to_all_p99_ms": p(&from_ack, 99.0),
            "peak_rss_mb": round2(peak),
            "rss_idle_mb": round2(rss_idle),
            "rss_connected_mb": round2(rss_connected),
            "ready_ms": round2(ready_ms),
            "restart_ready_ms": round2(restart_ms),
            "delegates": delegates,
        })
    );
    Ok(())
}

async fn docs_serve(args: &[String]) -> anyhow::Result<()> {
    let clients = flag(args, "--clients", 500)?;
    let size_mib = flag(args, "--size-mib", 100)?;
    eprintln!("docs-serve: {size_mib} MiB document, {clients} concurrent tablets");
    let (server, admin, _dir) = fresh_server(clients).await?;
    let figures = congress_sim::docs_serve::run(&server, &admin, clients, size_mib).await?;
    server.stop().await?;
    println!("{}", json!({ "bench": "docs-serve", "figures": figures }));
    Ok(())
}

/// Checks in delegates `1..=n` by hand, `parallel` at a time.
async fn check_in(admin: &Api, n: usize, parallel: usize) -> anyhow::Result<()> {
    let results: Vec<anyhow::Result<()>> = futures_util::stream::iter(1..=n)
        .map(|i| {
            let admin = admin.clone();
            async move {
                admin
                    .set_attendance(
                        &format!("checkin-{i}"),
                        &delegate_id(i),
                        AttendanceStatus::Present,
                        "benchmark",
                    )
                    .await?;
                Ok(())
            }
        })
        .buffered(parallel)
        .collect()
        .await;
    results.into_iter().collect()
}

async fn vote_storm(args: &[String]) -> anyhow::Result<()> {
    use congress_sim::vote::{StormOptions, StormReport, storm};
    let n = flag(args, "--tablets", 2000)?;
    let window_ms = flag(args, "--window-ms", 2000)? as u64;
    eprintln!("vote-storm: {n} tablets, everyone votes within {window_ms} ms");
    let (server, admin, _dir) = fresh_server(n).await?;
    let t = Instant::now();
    let tablets = pair_tablets(&admin, n, 16).await?;
    check_in(&admin, n, 16).await?;
    eprintln!(
        "paired and checked in {n} tablets in {:.1} s",
        t.elapsed().as_secs_f64()
    );
    let p = |v: &[f64], q| round2(percentile(v, q));
    let show = |name: &str, r: &StormReport| {
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
    };
    let base = StormOptions {
        window_ms,
        reconnect_pct: 0,
        retry_pct: 5,
        secrecy: congress_proto::Secrecy::Secret,
        seed: 1,
    };
    let a = storm(&admin, &tablets, &base).await?;
    show("all connected", &a);
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
    show("10% reconnecting", &b);
    let (peak, _) = server.memory_mib();
    server.stop().await?;
    let missing = |r: &StormReport| (n as u64).saturating_sub(r.acked);
    println!(
        "{}",
        json!({
            "bench": "vote-storm",
            "tablets": n,
            "window_ms": window_ms,
            "open_p50_ms": p(&a.open_ms, 50.0),
            "open_p99_ms": p(&a.open_ms, 99.0),
            "ack_p50_ms": p(&a.ack_ms, 50.0),
            "ack_p99_ms": p(&a.ack_ms, 99.0),
            "ack_max_ms": p(&a.ack_ms, 100.0),
            "acked": a.acked,
            "not_acked": missing(&a),
            "lost": a.lost,
            "tally_correct": a.tally_correct,
            "reconnect_open_p50_ms": p(&b.open_ms, 50.0),
            "reconnect_open_p99_ms": p(&b.open_ms, 99.0),
            "reconnect_ack_p50_ms": p(&b.ack_ms, 50.0),
            "reconnect_ack_p99_ms": p(&b.ack_ms, 99.0),
            "reconnect_ack_max_ms": p(&b.ack_ms, 100.0),
            "reconnect_acked": b.acked,
            "reconnect_not_acked": missing(&b),
            "reconnect_lost": b.lost,
            "reconnect_tally_correct": b.tally_correct,
            "reconnects": b.reconnects,
            "retries_ok": a.retries_ok + b.retries_ok,
            "retries_bad": a.retries_bad + b.retries_bad,
            "peak_rss_mb": round2(peak),
        })
    );
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

async fn reconnect_storm(args: &[String]) -> anyhow::Result<()> {
    use congress_sim::reconnect::{ReconnectOptions, run};
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
    eprintln!(
        "reconnect-storm: {} tablets, seed {} (reproduce with --seed {})",
        opts.clients, opts.seed, opts.seed
    );
    let r = run(&opts).await?;
    for p in r.problems.iter().take(20) {
        eprintln!("  problem: {p}");
    }
    let p = |v: &[f64], q| round2(percentile(v, q));
    eprintln!(
        "reconnect p50 {:.0} ms p99 {:.0} ms; /api/health p50 {:.1} ms p99 {:.1} ms ({} samples, {} errors); ballots {} sent, {} acked, {} counted, {} retried after the drop",
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
    println!(
        "{}",
        json!({
            "bench": "reconnect-storm",
            "clients": r.clients,
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
            "server_restart": opts.server_restart,
            "desk_errors": r.push_errors,
            "ballots_acked": r.ballots_acked,
            "ballots_counted": r.ballots_counted,
            "ballots_retried_after_drop": r.ballots_retried_after_drop,
            "problems": r.problems.len(),
        })
    );
    if !r.problems.is_empty() || r.lost > 0 || r.duplicated > 0 {
        bail!(
            "{} problems, {} lost, {} duplicated",
            r.problems.len(),
            r.lost,
            r.duplicated
        );
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

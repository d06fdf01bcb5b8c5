//! `fanout`: 2,000 paired tablets connected over websockets; 1,000 attendance changes, one at a
//! time; the time from each change to its arrival at every tablet; server memory; the time for
//! `serve` to be ready with 2,000 delegates (fresh, and again after the run with the whole
//! journal). `--baseline-bin PATH` runs it against an older build too (see `baseline.rs`).

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::bail;
use congress_client::Live;
use congress_proto::AttendanceStatus;
use congress_sim::ServerProcess;
use congress_sim::server::delegate_id;
use congress_sim::stats::reported as p;
use futures_util::StreamExt;
use serde_json::{Map, Value, json};

use crate::baseline::{Contenders, Merge};
use crate::flag;
use crate::setup::{fresh_server, pair_tablets};

/// What one or more runs measured.
#[derive(Debug, Default)]
struct Samples {
    /// Per change: from sending it to its arrival at the last client, ms.
    from_request: Vec<f64>,
    /// Per change: from its acknowledgement to its arrival at the last client, ms.
    from_ack: Vec<f64>,
    /// Pushes that did not arrive within 10 s.
    lost: u64,
    /// Per run: peak, idle (tablets paired) and connected resident memory, MiB.
    peak_rss: Vec<f64>,
    rss_idle: Vec<f64>,
    rss_connected: Vec<f64>,
    /// Per run: `serve` ready with a fresh congress, and after the run, ms.
    ready_ms: Vec<f64>,
    restart_ms: Vec<f64>,
    /// Per run: seconds for all the changes.
    elapsed_s: Vec<f64>,
}

impl Merge for Samples {
    fn merge(&mut self, other: Samples) {
        self.from_request.extend(other.from_request);
        self.from_ack.extend(other.from_ack);
        self.lost += other.lost;
        self.peak_rss.extend(other.peak_rss);
        self.rss_idle.extend(other.rss_idle);
        self.rss_connected.extend(other.rss_connected);
        self.ready_ms.extend(other.ready_ms);
        self.restart_ms.extend(other.restart_ms);
        self.elapsed_s.extend(other.elapsed_s);
    }
}

impl Samples {
    /// Latencies over every change of every run; memory: the highest run; ready times: the
    /// median run.
    fn figures(&self) -> Map<String, Value> {
        let mut m = Map::new();
        let mut put = |k: &str, v: Value| {
            m.insert(k.to_string(), v);
        };
        put("lost", json!(self.lost));
        put("p50_ms", json!(p(&self.from_request, 50.0)));
        put("p99_ms", json!(p(&self.from_request, 99.0)));
        put("max_ms", json!(p(&self.from_request, 100.0)));
        put("ack_to_all_p50_ms", json!(p(&self.from_ack, 50.0)));
        put("ack_to_all_p99_ms", json!(p(&self.from_ack, 99.0)));
        put("peak_rss_mb", json!(p(&self.peak_rss, 100.0)));
        put("rss_idle_mb", json!(p(&self.rss_idle, 100.0)));
        put("rss_connected_mb", json!(p(&self.rss_connected, 100.0)));
        put("ready_ms", json!(p(&self.ready_ms, 50.0)));
        put("restart_ready_ms", json!(p(&self.restart_ms, 50.0)));
        m
    }

    fn print(&self, what: &str, clients: usize) {
        eprintln!(
            "{what}: change → all {clients} clients: p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms ({} changes in {:.1} s)",
            p(&self.from_request, 50.0),
            p(&self.from_request, 99.0),
            p(&self.from_request, 100.0),
            self.from_request.len(),
            self.elapsed_s.iter().sum::<f64>()
        );
        eprintln!(
            "{what}: ack → all clients: p50 {:.1} ms, p99 {:.1} ms",
            p(&self.from_ack, 50.0),
            p(&self.from_ack, 99.0)
        );
        eprintln!(
            "{what}: server memory: idle {:.0} MiB, with clients {:.0} MiB, peak {:.0} MiB",
            p(&self.rss_idle, 100.0),
            p(&self.rss_connected, 100.0),
            p(&self.peak_rss, 100.0)
        );
        eprintln!(
            "{what}: serve ready in {:.0} ms fresh, {:.0} ms with the whole journal",
            p(&self.ready_ms, 50.0),
            p(&self.restart_ms, 50.0)
        );
    }
}

/// `congress-bench fanout [--clients N] [--changes N] [--baseline-bin PATH] [--rounds N]`.
pub async fn fanout(args: &[String]) -> anyhow::Result<()> {
    let clients = flag(args, "--clients", 2000)?;
    let changes = flag(args, "--changes", 1000)?;
    let delegates = clients.max(changes);
    let builds = Contenders::from_args(args, congress_sim::server::congress_bin()?)?;
    eprintln!("fanout: {delegates} delegates, {clients} websocket clients, {changes} changes");
    let rounds = builds
        .run(
            |s: &Samples| json!({ "p99_ms": p(&s.from_request, 99.0), "p50_ms": p(&s.from_request, 50.0) }),
            |_, build, bin| async move {
                let s = run_once(&bin, delegates, clients, changes).await?;
                s.print(build.name(), clients);
                Ok(s)
            },
        )
        .await?;
    if let Some(b) = &rounds.baseline {
        b.print("baseline, all rounds", clients);
        rounds.current.print("current, all rounds", clients);
    }
    let report = builds.report(
        json!({
            "bench": "fanout",
            "clients": clients,
            "changes": changes,
            "delegates": delegates,
        }),
        rounds.current.figures(),
        rounds.baseline.as_ref().map(Samples::figures),
        rounds.runs,
    );
    println!("{report}");
    Ok(())
}

/// One run against `bin`.
async fn run_once(
    bin: &Path,
    delegates: usize,
    clients: usize,
    changes: usize,
) -> anyhow::Result<Samples> {
    let (server, admin, dir) = fresh_server(bin, delegates).await?;
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
    let mut lost = 0u64;
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
                lost += u64::from(clients as u32 - arrivals[idx].load(Ordering::Relaxed));
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
    let restarted = ServerProcess::start_bin(bin, &dir.path().join("data")).await?;
    let restart_ms = restarted.ready_after.as_secs_f64() * 1e3;
    restarted.stop().await?;

    Ok(Samples {
        from_request,
        from_ack,
        lost,
        peak_rss: vec![peak],
        rss_idle: vec![rss_idle],
        rss_connected: vec![rss_connected],
        ready_ms: vec![ready_ms],
        restart_ms: vec![restart_ms],
        elapsed_s: vec![elapsed],
    })
}

//! The reconnect storm: many tablets connected while pushes flow (the desk checks delegates in
//! and out all the time) and a secret vote runs; then every connection drops at once, without
//! a close handshake (the hall's Wi-Fi going away), and each tablet comes back after a random
//! 1–3 s with `resume_from` = the last seq it applied. Checked per tablet against the journal:
//! the pushes it received across the drop, with what a snapshot covered, are exactly the
//! journal's pushes meant for it — no gap, no duplicate. Also measured: reconnect time, REST
//! `/api/health` latency during the storm, server memory; ballots sent just before the drop
//! (answer never read) are retried with the same client id, others are cast during the storm;
//! all must be acknowledged and counted once.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context;
use congress_client::{Api, Live, Start};
use congress_proto::*;
use futures_util::StreamExt;
use serde::Serialize;
use tokio::sync::watch;

use crate::crash::{Fixture, Rng};
use crate::server::{ServerProcess, delegate_id};

#[derive(Debug, Clone)]
pub struct ReconnectOptions {
    pub bin: PathBuf,
    pub clients: usize,
    pub seed: u64,
    /// Each tablet comes back after a random delay in this range (ms).
    pub jitter_ms: (u64, u64),
    /// Attendance changes per second during the whole run.
    pub changes_per_s: u64,
    /// Also kill the server (SIGKILL) at the drop and restart it on the same port: every
    /// tablet then needs a snapshot (the new process has no push ring yet).
    pub server_restart: bool,
    pub verbose: bool,
}

#[derive(Debug, Default, Serialize)]
pub struct ReconnectReport {
    pub clients: usize,
    pub resumed: u64,
    pub snapshots: u64,
    /// Pushes meant for a tablet that it neither received nor got in a snapshot.
    pub lost: u64,
    /// Pushes received twice (or out of order).
    pub duplicated: u64,
    /// Pushes received that were not meant for it.
    pub unexpected: u64,
    pub reconnect_ms: Vec<f64>,
    pub health_ms: Vec<f64>,
    pub health_errors: u64,
    pub peak_rss_mb: f64,
    pub pushes_during_run: u64,
    /// Attendance changes the desk could not make (the server was down).
    pub push_errors: u64,
    pub ballots_sent: u64,
    pub ballots_acked: u64,
    pub ballots_counted: u64,
    pub ballots_retried_after_drop: u64,
    pub problems: Vec<String>,
}

/// What one tablet saw.
#[derive(Default)]
struct Seen {
    /// The seq of the first snapshot.
    start: u64,
    /// Every push seq received, in order (resume replays included).
    pushes: Vec<u64>,
    /// Ranges `(from, to]` covered by a snapshot after a reconnect.
    covered: Vec<(u64, u64)>,
    resumed: bool,
    reconnect_ms: Option<f64>,
    ballot_sent: bool,
    ballot_acked: Option<String>,
    retried: bool,
    error: Option<String>,
}

/// Which ballots: cast before the drop (answer read), sent at the drop (answer never read:
/// retried after reconnecting), or cast after reconnecting.
#[derive(Clone, Copy, PartialEq)]
enum When {
    Before,
    AtDrop,
    After,
    Never,
}

/// Reads one message, recording pushes and ballot answers.
async fn pump(live: &mut Live, seen: &mut Seen) -> anyhow::Result<()> {
    match live.next_raw().await? {
        ServerMsg::Push { seq, .. } => {
            live.last_seq = seq;
            seen.pushes.push(seq);
        }
        ServerMsg::Snapshot { seq, .. } => {
            seen.covered.push((live.last_seq, seq));
            live.last_seq = seq;
        }
        ServerMsg::BallotAck { ack } => seen.ballot_acked = Some(ack.receipt),
        ServerMsg::BallotRefused { error, message, .. } => {
            anyhow::bail!("ballot refused: {error}: {message}")
        }
        ServerMsg::Error {
            fatal: true,
            error,
            message,
        } => anyhow::bail!("{error}: {message}"),
        _ => {}
    }
    Ok(())
}

struct TabletCtx {
    url: String,
    token: String,
    vote_id: u64,
    when: When,
    cast_at: Duration,
    client_id: String,
    jitter: Duration,
    drop_rx: watch::Receiver<bool>,
    final_rx: watch::Receiver<u64>,
    reconnected: Arc<AtomicUsize>,
    server_restart: bool,
}

async fn tablet(mut live: Live, start: u64, c: TabletCtx) -> Seen {
    let mut seen = Seen {
        start,
        ..Seen::default()
    };
    let res: anyhow::Result<()> = async {
        let api = Api::new(&c.url).with_token(&c.token);
        let choice = || BallotChoice::Motion {
            position: MotionPosition::For,
        };
        let mut drop_rx = c.drop_rx.clone();
        let began = Instant::now();
        // Before the drop.
        loop {
            let cast_due = c.when == When::Before && !seen.ballot_sent;
            let wait = c.cast_at.saturating_sub(began.elapsed());
            tokio::select! {
                r = pump(&mut live, &mut seen) => match r {
                    // The server went away (server-side drop): reconnect like the others.
                    Err(_) if c.server_restart => break,
                    r => r?,
                },
                _ = tokio::time::sleep(wait), if cast_due => {
                    let sent = live.cast_ballot(&c.client_id, c.vote_id, choice()).await;
                    seen.ballot_sent = true;
                    if sent.is_err() && c.server_restart {
                        break;
                    }
                    sent?;
                }
                r = drop_rx.changed() => {
                    let dropped = r.is_err() || *drop_rx.borrow();
                    if dropped {
                        break;
                    }
                }
            }
        }
        if c.when == When::AtDrop {
            // Whether it reaches the server or not, the answer is never read.
            let sent = live.cast_ballot(&c.client_id, c.vote_id, choice()).await;
            seen.ballot_sent = true;
            if !c.server_restart {
                sent?;
            }
        }
        let last = live.last_seq;
        live.abort();
        tokio::time::sleep(c.jitter).await;
        let t = Instant::now();
        let mut tries = 0;
        let (mut live, how) = loop {
            match Live::connect(&api, "tablet", Some(last)).await {
                Ok(x) => break x,
                Err(e) if tries < 20 => {
                    tries += 1;
                    backoff(tries, &e).await;
                }
                Err(e) => return Err(e).context("reconnecting"),
            }
        };
        seen.reconnect_ms = Some(t.elapsed().as_secs_f64() * 1e3);
        c.reconnected.fetch_add(1, Ordering::SeqCst);
        match how {
            Start::Resumed(missed) => {
                seen.resumed = true;
                seen.pushes.extend(missed.iter().map(|(s, _)| *s));
            }
            Start::Snapshot(_) => seen.covered.push((last, live.last_seq)),
        }
        let unanswered = seen.ballot_sent && seen.ballot_acked.is_none();
        if unanswered || c.when == When::After {
            // The same client id: a ballot the server already has is answered again, not
            // counted again.
            seen.retried = unanswered;
            live.cast_ballot(&c.client_id, c.vote_id, choice()).await?;
            seen.ballot_sent = true;
            seen.ballot_acked = None;
        }
        // Until the last push of the run and the ballot's answer.
        let mut final_rx = c.final_rx.clone();
        loop {
            let target = *final_rx.borrow();
            let ballot_pending = seen.ballot_sent && seen.ballot_acked.is_none();
            if target > 0 && live.last_seq >= target && !ballot_pending {
                break;
            }
            tokio::select! {
                r = pump(&mut live, &mut seen) => r?,
                _ = final_rx.changed() => {}
            }
        }
        live.close().await;
        Ok(())
    }
    .await;
    if let Err(e) = res {
        seen.error = Some(format!("{e:#}"));
    }
    seen
}

async fn backoff(tries: u32, _e: &congress_client::ClientError) {
    tokio::time::sleep(Duration::from_millis(100 * u64::from(tries.min(10)))).await;
}

/// Runs the storm.
pub async fn run(opts: &ReconnectOptions) -> anyhow::Result<ReconnectReport> {
    let n = opts.clients.max(8);
    let voters = n * 3 / 4;
    let mut rng = Rng(opts.seed);
    let t = Instant::now();
    let mut f = Fixture::new(&opts.bin, n, voters).await?;
    if opts.verbose {
        eprintln!(
            "reconnect-storm: {n} tablets paired, {voters} checked in, in {:.1} s",
            t.elapsed().as_secs_f64()
        );
    }
    let url = f.server.url.clone();
    let admin = Api::new(&url).with_token(&f.admin_token);
    let desk = Api::new(&url).with_token(&f.desk_token);
    let vote = admin
        .create_vote(&CreateVote {
            client_id: format!("storm-{}-create", opts.seed),
            title: "Biểu quyết trong lúc mất mạng".into(),
            kind: VoteKind::Motion,
            secrecy: Secrecy::Secret,
            rule: None,
            allow_change: false,
            show_running_tally: false,
            duration_s: None,
            turnout: None,
        })
        .await?;
    let vote_id = vote.spec.id.0;
    admin
        .vote_action(vote_id, "open", &format!("storm-{}-open", opts.seed))
        .await?;

    // Connect everyone (snapshot).
    let t = Instant::now();
    let lives: Vec<anyhow::Result<(usize, Live)>> = futures_util::stream::iter(1..=n)
        .map(|i| {
            let api = Api::new(&url).with_token(&f.tokens[i - 1]);
            async move { anyhow::Ok((i, Live::connect(&api, "tablet", None).await?.0)) }
        })
        .buffer_unordered(64)
        .collect()
        .await;
    let (drop_tx, drop_rx) = watch::channel(false);
    let (final_tx, final_rx) = watch::channel(0u64);
    let reconnected = Arc::new(AtomicUsize::new(0));
    let mut tasks = Vec::with_capacity(n);
    for l in lives {
        let (i, live) = l?;
        let when = if i > voters {
            When::Never
        } else {
            match i % 3 {
                0 => When::Before,
                1 => When::AtDrop,
                _ => When::After,
            }
        };
        let start = live.last_seq;
        let (lo, hi) = opts.jitter_ms;
        let ctx = TabletCtx {
            url: url.clone(),
            token: f.tokens[i - 1].clone(),
            vote_id,
            when,
            cast_at: Duration::from_millis(200 + rng.below(1500)),
            client_id: format!("storm{:016x}t{i:06}", opts.seed),
            jitter: Duration::from_millis(lo + rng.below(hi.saturating_sub(lo).max(1))),
            drop_rx: drop_rx.clone(),
            final_rx: final_rx.clone(),
            reconnected: reconnected.clone(),
            server_restart: opts.server_restart,
        };
        tasks.push((i, tokio::spawn(tablet(live, start, ctx))));
    }
    if opts.verbose {
        eprintln!(
            "connected {n} tablets in {:.1} s",
            t.elapsed().as_secs_f64()
        );
    }

    // Pushes flowing: the desk checks the last quarter in and out.
    let stop_push = Arc::new(AtomicBool::new(false));
    let pusher = {
        let desk = desk.clone();
        let stop = stop_push.clone();
        let period = Duration::from_millis(1000 / opts.changes_per_s.max(1));
        let seed = opts.seed;
        tokio::spawn(async move {
            let mut k = 0usize;
            let mut last = 0u64;
            let mut errors = 0u64;
            let togglers = n - voters;
            while !stop.load(Ordering::Relaxed) {
                let i = voters + 1 + k % togglers.max(1);
                let status = if (k / togglers.max(1)).is_multiple_of(2) {
                    AttendanceStatus::Present
                } else {
                    AttendanceStatus::Left
                };
                match desk
                    .set_attendance(
                        &format!("storm-{seed}-{k}"),
                        &delegate_id(i),
                        status,
                        "storm",
                    )
                    .await
                {
                    Ok(ack) => last = ack.seq,
                    Err(_) => errors += 1,
                }
                k += 1;
                tokio::time::sleep(period).await;
            }
            (last, k as u64, errors)
        })
    };
    // Health sampled all along.
    let stop_health = Arc::new(AtomicBool::new(false));
    let sampler = {
        let anon = Api::new(&url);
        let stop = stop_health.clone();
        tokio::spawn(async move {
            let mut ms = Vec::new();
            let mut errors = 0u64;
            while !stop.load(Ordering::Relaxed) {
                let t = Instant::now();
                match tokio::time::timeout(
                    Duration::from_secs(5),
                    anon.get::<serde_json::Value>("/api/health"),
                )
                .await
                {
                    Ok(Ok(_)) => ms.push(t.elapsed().as_secs_f64() * 1e3),
                    _ => errors += 1,
                }
                tokio::time::sleep(Duration::from_millis(25)).await;
            }
            (ms, errors)
        })
    };

    tokio::time::sleep(Duration::from_millis(2000)).await;
    if opts.verbose {
        eprintln!("dropping every connection at once");
    }
    drop_tx.send_replace(true);
    let t_drop = Instant::now();
    if opts.server_restart {
        let listen = url.trim_start_matches("http://").to_string();
        f.server.kill_in_place().await?;
        let mut tries = 0;
        f.server = loop {
            // The port may need a moment to be free again.
            match ServerProcess::start_on(&opts.bin, &f.data, &listen).await {
                Ok(s) => break s,
                Err(e) if tries < 20 => {
                    tries += 1;
                    if opts.verbose {
                        eprintln!("restart: {e:#}; again");
                    }
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                Err(e) => return Err(e).context("restarting on the same port"),
            }
        };
        if opts.verbose {
            eprintln!(
                "server killed and restarted on {listen} in {:.0} ms",
                f.server.ready_after.as_secs_f64() * 1e3
            );
        }
    }
    let deadline = t_drop + Duration::from_secs(60);
    while reconnected.load(Ordering::SeqCst) < n && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    if opts.verbose {
        eprintln!(
            "{} of {n} back in {:.1} s",
            reconnected.load(Ordering::SeqCst),
            t_drop.elapsed().as_secs_f64()
        );
    }
    tokio::time::sleep(Duration::from_millis(1000)).await;
    stop_push.store(true, Ordering::Relaxed);
    let (final_seq, changes, push_errors) = pusher.await?;
    final_tx.send_replace(final_seq.max(1));
    let mut seen = Vec::with_capacity(n);
    for (i, t) in tasks {
        match tokio::time::timeout(Duration::from_secs(60), t).await {
            Ok(Ok(s)) => seen.push((i, s)),
            _ => seen.push((
                i,
                Seen {
                    error: Some("did not finish within 60 s".into()),
                    ..Seen::default()
                },
            )),
        }
    }
    stop_health.store(true, Ordering::Relaxed);
    let (health_ms, health_errors) = sampler.await?;
    let (peak, _) = f.server.memory_mib();

    let mut report = ReconnectReport {
        clients: n,
        health_ms,
        health_errors,
        peak_rss_mb: peak,
        pushes_during_run: changes,
        ..ReconnectReport::default()
    };
    // Changes sent while the server was down fail (expected with `server_restart`).
    report.push_errors = push_errors;
    if push_errors > 0 && !opts.server_restart {
        report
            .problems
            .push(format!("{push_errors} attendance changes failed"));
    }
    // What each tablet should have received: every push to everyone, from the journal.
    let expected = everyone_pushes(&f.data)?;
    for (i, s) in &seen {
        if let Some(e) = &s.error {
            report.problems.push(format!("tablet {i}: {e}"));
        }
        if s.resumed {
            report.resumed += 1;
        } else if s.reconnect_ms.is_some() {
            report.snapshots += 1;
        }
        if let Some(ms) = s.reconnect_ms {
            report.reconnect_ms.push(ms);
        }
        let mut prev = s.start;
        let mut got = BTreeSet::new();
        for &q in &s.pushes {
            if q <= prev || !got.insert(q) {
                report.duplicated += 1;
            }
            prev = prev.max(q);
        }
        for &q in &got {
            if !expected.contains(&q) {
                report.unexpected += 1;
            }
        }
        let end = final_seq;
        for &q in expected.range(s.start + 1..=end) {
            let covered = s.covered.iter().any(|&(a, b)| q > a && q <= b);
            if !got.contains(&q) && !covered {
                report.lost += 1;
            }
        }
        if s.ballot_sent {
            report.ballots_sent += 1;
        }
        if s.ballot_acked.is_some() {
            report.ballots_acked += 1;
        }
        if s.retried {
            report.ballots_retried_after_drop += 1;
        }
    }
    let closed = admin
        .vote_action(vote_id, "close", &format!("storm-{}-close", opts.seed))
        .await?;
    report.ballots_counted = closed.result.map(|r| r.ballots.cast).unwrap_or(0);
    if report.ballots_counted != report.ballots_acked || report.ballots_acked != voters as u64 {
        report.problems.push(format!(
            "{voters} voters, {} ballots acknowledged, {} counted",
            report.ballots_acked, report.ballots_counted
        ));
    }
    f.server.stop().await?;
    Ok(report)
}

/// The seqs of journal events that push to every client (tablets included).
fn everyone_pushes(data: &Path) -> anyhow::Result<BTreeSet<u64>> {
    let conn = crate::server::open_database(data)?;
    let mut st = conn.prepare(
        "SELECT seq FROM journal WHERE kind IN ('attendance_changed', 'current_item_set',
         'agenda_defined', 'delegates_imported', 'vote_opened', 'vote_closed')",
    )?;
    let rows = st.query_map([], |r| r.get::<_, i64>(0))?;
    let mut out = BTreeSet::new();
    for r in rows {
        out.insert(r? as u64);
    }
    Ok(out)
}

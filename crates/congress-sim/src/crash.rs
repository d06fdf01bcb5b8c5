//! The crash harness: the real `congress` binary as a child process, driven by check-ins
//! (REST, credentials desk, each with a client id) and a vote storm (tablets on websockets,
//! open and secret votes alternating), killed with SIGKILL at a random moment of each round
//! (seeded), or, in some rounds, right inside the group commit of a big batch (everything sent
//! at once; killed a few milliseconds after the first acknowledgement). After each kill:
//!
//! 1. `congress verify` on the data exactly as the crash left it;
//! 2. restart on the same folder (time to ready measured);
//! 3. every client retries every request with the same client id: a request acknowledged
//!    before the crash must get the very same answer, an unacknowledged one is applied now or
//!    was committed before the crash (then it gets the remembered answer), never twice;
//! 4. the vote is closed and its published ballots compared with the receipts: every
//!    acknowledged ballot is there (`lost`), every delegate once (`double_counted`), the tally
//!    equals the choices sent; the attendance equals what the desk set; the journal holds at
//!    most one change per delegate and round and one ballot per delegate and vote;
//! 5. `congress verify` again, on the live server's data.
//!
//! (Over 600 lines on purpose: one harness, its rounds and their report read best together.)

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use congress_client::{Api, Live, Start};
use congress_proto::*;
use futures_util::StreamExt;
use serde::Serialize;
use tokio::sync::{Notify, watch};

use crate::server::{ServerProcess, delegate_id, run_cli_bin, write_congress};

/// A small seeded generator (splitmix64).
#[derive(Debug, Clone)]
pub struct Rng(pub u64);

impl Rng {
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut x = self.0;
        x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        x ^ (x >> 31)
    }

    /// Uniform in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { self.next_u64() % n }
    }
}

#[derive(Debug, Clone)]
pub struct CrashOptions {
    /// The `congress` binary.
    pub bin: PathBuf,
    pub rounds: usize,
    pub seed: u64,
    /// Delegates (each with a tablet); three quarters vote, one quarter is checked in and out
    /// by the desk.
    pub delegates: usize,
    /// Requests are spread over this many milliseconds; the kill falls inside it.
    pub window_ms: u64,
    /// Progress on stderr.
    pub verbose: bool,
}

#[derive(Debug, Default, Serialize)]
pub struct CrashReport {
    pub seed: u64,
    pub rounds: usize,
    pub kills: u64,
    pub big_batch_kills: u64,
    pub acked_ballots: u64,
    pub acked_checkins: u64,
    /// Sent before the kill, no answer: committed or not, decided by the retry.
    pub unacked_ballots: u64,
    pub unacked_checkins: u64,
    /// Acknowledged (before or after the crash) but missing afterwards.
    pub lost: u64,
    /// A delegate's ballot or a check-in counted more than once.
    pub double_counted: u64,
    pub verify_failures: u64,
    /// A retry after restart answered differently from the acknowledgement before the crash.
    pub retry_mismatches: u64,
    /// Tablet reconnections after restarts: resumed from their last seq, or given a snapshot.
    pub resumed: u64,
    pub snapshots: u64,
    pub restart_ms: Vec<f64>,
    pub problems: Vec<String>,
}

const PASSWORD: &str = "crash-harness-password";

struct CheckinOutcome {
    i: usize,
    client_id: String,
    status: AttendanceStatus,
    ack: Option<AttendanceAck>,
}

/// A ballot's answer after the restart, whether the tablet resumed, and its last seq.
type Retried = (BallotAck, bool, u64);

struct BallotOutcome {
    i: usize,
    client_id: String,
    position: MotionPosition,
    ack: Option<BallotAck>,
    last_seq: u64,
}

/// Runs the harness; the report says what went wrong (nothing, we hope).
pub async fn run(opts: &CrashOptions) -> anyhow::Result<CrashReport> {
    let n = opts.delegates.max(8);
    let voters = n * 3 / 4;
    let mut rng = Rng(opts.seed);
    let mut report = CrashReport {
        seed: opts.seed,
        ..CrashReport::default()
    };
    let bin = &opts.bin;
    let Fixture {
        dir: _dir,
        data,
        mut server,
        admin_token,
        desk_token,
        tokens,
    } = Fixture::new(bin, n, n).await?;
    let mut last_seqs: Vec<u64> = vec![0; n + 1];
    let mut first_ack_us: Option<u64> = None;
    if opts.verbose {
        eprintln!(
            "crash: {n} delegates ({voters} voting, {} checked in and out), seed {}",
            n - voters,
            opts.seed
        );
    }

    for r in 0..opts.rounds {
        let url = server.url.clone();
        let admin = Api::new(&url).with_token(&admin_token);
        let desk = Api::new(&url).with_token(&desk_token);
        let secrecy = if r % 2 == 0 {
            Secrecy::Secret
        } else {
            Secrecy::Open
        };
        let vote = admin
            .create_vote(&CreateVote {
                client_id: format!("crash-{}-r{r}-create", opts.seed),
                title: format!("Biểu quyết số {}", r + 1),
                kind: VoteKind::Motion,
                secrecy,
                rule: None,
                allow_change: false,
                show_running_tally: false,
                duration_s: None,
                turnout: None,
            })
            .await?;
        let vote_id = vote.spec.id.0;
        admin
            .vote_action(vote_id, "open", &format!("crash-{}-r{r}-open", opts.seed))
            .await?;
        let round_start: JournalHead = admin.get("/api/journal/head").await?;
        let big = rng.below(3) == 0;
        let kill_after = Duration::from_millis(rng.below(opts.window_ms.max(1)));
        let target = if r % 2 == 0 {
            AttendanceStatus::Left
        } else {
            AttendanceStatus::Present
        };
        let (go_tx, go_rx) = watch::channel(false);
        let first_ack = Arc::new(Notify::new());
        let connected = Arc::new(std::sync::atomic::AtomicUsize::new(0));

        let mut checkins = Vec::new();
        for i in voters + 1..=n {
            let delay = if big {
                0
            } else {
                rng.below(opts.window_ms.max(1))
            };
            let client_id = format!("crash-{}-r{r}-ci-{i}", opts.seed);
            let desk = desk.clone();
            let mut go = go_rx.clone();
            let first_ack = first_ack.clone();
            checkins.push(tokio::spawn(async move {
                let _ = go.wait_for(|g| *g).await;
                tokio::time::sleep(Duration::from_millis(delay)).await;
                let ack = tokio::time::timeout(
                    Duration::from_secs(10),
                    desk.set_attendance(&client_id, &delegate_id(i), target, "crash harness"),
                )
                .await
                .ok()
                .and_then(Result::ok);
                if ack.is_some() {
                    first_ack.notify_one();
                }
                CheckinOutcome {
                    i,
                    client_id,
                    status: target,
                    ack,
                }
            }));
        }
        let mut ballots = Vec::new();
        for i in 1..=voters {
            let delay = if big {
                0
            } else {
                rng.below(opts.window_ms.max(1))
            };
            let position = match rng.below(3) {
                0 => MotionPosition::For,
                1 => MotionPosition::Against,
                _ => MotionPosition::Abstain,
            };
            let client_id = format!("crash{:016x}r{r:04}t{i:05}", opts.seed);
            let api = Api::new(&url).with_token(&tokens[i - 1]);
            let mut go = go_rx.clone();
            let first_ack = first_ack.clone();
            let connected = connected.clone();
            let resume = Some(last_seqs[i]).filter(|s| *s > 0);
            ballots.push(tokio::spawn(async move {
                let mut out = BallotOutcome {
                    i,
                    client_id,
                    position,
                    ack: None,
                    last_seq: resume.unwrap_or(0),
                };
                let live = Live::connect(&api, "tablet", resume).await;
                connected.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                let Ok((mut live, _)) = live else { return out };
                out.last_seq = live.last_seq;
                let _ = go.wait_for(|g| *g).await;
                tokio::time::sleep(Duration::from_millis(delay)).await;
                let choice = BallotChoice::Motion { position };
                if live
                    .cast_ballot(&out.client_id, vote_id, choice)
                    .await
                    .is_err()
                {
                    return out;
                }
                let reply =
                    tokio::time::timeout(Duration::from_secs(10), live.next_ballot_reply()).await;
                out.last_seq = live.last_seq;
                if let Ok(Ok(Ok(ack))) = reply {
                    first_ack.notify_one();
                    out.ack = Some(ack);
                }
                out
            }));
        }
        // Everyone connected, then go, then the kill.
        let deadline = Instant::now() + Duration::from_secs(20);
        while connected.load(std::sync::atomic::Ordering::SeqCst) < voters
            && Instant::now() < deadline
        {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        go_tx.send_replace(true);
        let went = Instant::now();
        if big {
            // Inside the group commit: either a few ms after the first acknowledgement (later
            // batches are being decided or written), or at a random moment before the time
            // the first acknowledgement took last time (the first batch is being written).
            match first_ack_us {
                Some(us) if rng.below(2) == 0 => {
                    tokio::time::sleep(Duration::from_micros(rng.below(us + 1))).await;
                }
                _ => {
                    let _ =
                        tokio::time::timeout(Duration::from_secs(10), first_ack.notified()).await;
                    first_ack_us = Some(went.elapsed().as_micros() as u64);
                    tokio::time::sleep(Duration::from_micros(rng.below(3000))).await;
                }
            }
            report.big_batch_kills += 1;
        } else {
            tokio::time::sleep(kill_after).await;
        }
        server.kill().await?;
        report.kills += 1;

        let mut ci_out = Vec::new();
        for t in checkins {
            ci_out.push(t.await?);
        }
        let mut b_out = Vec::new();
        for t in ballots {
            b_out.push(t.await?);
        }
        let acked_ci = ci_out.iter().filter(|o| o.ack.is_some()).count() as u64;
        let acked_b = b_out.iter().filter(|o| o.ack.is_some()).count() as u64;
        report.acked_checkins += acked_ci;
        report.acked_ballots += acked_b;
        report.unacked_checkins += ci_out.len() as u64 - acked_ci;
        report.unacked_ballots += b_out.len() as u64 - acked_b;

        // 1. The data as the crash left it.
        if let Err(e) = run_cli_bin(bin, &data, &["verify"], None).await {
            report.verify_failures += 1;
            report
                .problems
                .push(format!("round {r}: verify after the kill: {e:#}"));
        }
        // 2. Restart.
        server = ServerProcess::start_bin(bin, &data).await?;
        report
            .restart_ms
            .push(server.ready_after.as_secs_f64() * 1e3);
        let url = server.url.clone();
        let admin = Api::new(&url).with_token(&admin_token);
        let desk = Api::new(&url).with_token(&desk_token);

        // 3. Retries with the same client ids.
        let retried: Vec<(CheckinOutcome, anyhow::Result<AttendanceAck>)> =
            futures_util::stream::iter(ci_out)
                .map(|o| {
                    let desk = desk.clone();
                    async move {
                        let r = desk
                            .set_attendance(
                                &o.client_id,
                                &delegate_id(o.i),
                                o.status,
                                "crash harness",
                            )
                            .await
                            .map_err(anyhow::Error::from);
                        (o, r)
                    }
                })
                .buffer_unordered(32)
                .collect()
                .await;
        for (o, again) in &retried {
            match (again, &o.ack) {
                (Err(e), _) => report
                    .problems
                    .push(format!("round {r}: check-in {} retry failed: {e:#}", o.i)),
                (Ok(a), Some(before)) if a != before => {
                    report.retry_mismatches += 1;
                    report.problems.push(format!(
                        "round {r}: check-in {} answered seq {} before the crash and seq {} after",
                        o.i, before.seq, a.seq
                    ));
                }
                _ => {}
            }
        }
        let url2 = url.clone();
        let tokens_ref = &tokens;
        let voted: Vec<(BallotOutcome, anyhow::Result<Retried>)> =
            futures_util::stream::iter(b_out)
                .map(|o| {
                    let api = Api::new(&url2).with_token(&tokens_ref[o.i - 1]);
                    async move {
                        let res = async {
                            let resume = Some(o.last_seq).filter(|s| *s > 0);
                            let (mut live, start) = Live::connect(&api, "tablet", resume).await?;
                            let resumed = matches!(start, Start::Resumed(_));
                            live.cast_ballot(
                                &o.client_id,
                                vote_id,
                                BallotChoice::Motion {
                                    position: o.position,
                                },
                            )
                            .await?;
                            let reply = tokio::time::timeout(
                                Duration::from_secs(20),
                                live.next_ballot_reply(),
                            )
                            .await
                            .context("no ballot reply within 20 s")??;
                            let seq = live.last_seq;
                            live.close().await;
                            match reply {
                                Ok(ack) => anyhow::Ok((ack, resumed, seq)),
                                Err((code, msg)) => bail!("refused: {code}: {msg}"),
                            }
                        }
                        .await;
                        (o, res)
                    }
                })
                .buffer_unordered(32)
                .collect()
                .await;
        let mut receipts_sent: BTreeMap<String, MotionPosition> = BTreeMap::new();
        for (o, again) in &voted {
            match again {
                Err(e) => report
                    .problems
                    .push(format!("round {r}: ballot of tablet {} retry: {e:#}", o.i)),
                Ok((a, resumed, seq)) => {
                    last_seqs[o.i] = *seq;
                    if *resumed {
                        report.resumed += 1;
                    } else {
                        report.snapshots += 1;
                    }
                    if let Some(before) = &o.ack
                        && before != a
                    {
                        report.retry_mismatches += 1;
                        report.problems.push(format!(
                            "round {r}: ballot of tablet {}: receipt {} before the crash, {} after",
                            o.i, before.receipt, a.receipt
                        ));
                    }
                    receipts_sent.insert(a.receipt.clone(), o.position);
                }
            }
            if let Some(before) = &o.ack {
                receipts_sent
                    .entry(before.receipt.clone())
                    .or_insert(o.position);
            }
        }

        // 4. Close and compare.
        admin
            .vote_action(vote_id, "close", &format!("crash-{}-r{r}-close", opts.seed))
            .await?;
        let export: VoteExport = admin
            .get(&format!("/api/votes/{vote_id}/result.json"))
            .await?;
        let published: BTreeSet<&str> = export.ballots.iter().map(|b| b.receipt.as_str()).collect();
        for rc in receipts_sent.keys() {
            if !published.contains(rc.as_str()) {
                report.lost += 1;
                report.problems.push(format!(
                    "round {r}: acknowledged ballot {rc} is not counted"
                ));
            }
        }
        let voters_set: BTreeSet<&String> = export.voters.iter().collect();
        let extra = (export.ballots.len() - published.len())
            + (export.voters.len() - voters_set.len())
            + export.ballots.len().saturating_sub(receipts_sent.len());
        if extra > 0 {
            report.double_counted += extra as u64;
            report.problems.push(format!(
                "round {r}: {} ballots published, {} distinct receipts, {} voters listed ({} distinct), {} ballots sent",
                export.ballots.len(),
                published.len(),
                export.voters.len(),
                voters_set.len(),
                receipts_sent.len()
            ));
        }
        if secrecy == Secrecy::Open {
            let ids: BTreeSet<_> = export
                .ballots
                .iter()
                .filter_map(|b| b.delegate_id.as_ref())
                .collect();
            if ids.len() != export.ballots.len() {
                report.double_counted += (export.ballots.len() - ids.len()) as u64;
                report.problems.push(format!(
                    "round {r}: a delegate has two ballots in an open vote"
                ));
            }
        }
        let sent = |p: MotionPosition| receipts_sent.values().filter(|x| **x == p).count() as u64;
        if let Some(VoteCounts::Motion(MotionCounts {
            for_,
            against,
            abstain,
        })) = export.vote.result.as_ref().map(|res| &res.counts)
            && (*for_, *against, *abstain)
                != (
                    sent(MotionPosition::For),
                    sent(MotionPosition::Against),
                    sent(MotionPosition::Abstain),
                )
        {
            report.problems.push(format!(
                "round {r}: tally {for_}/{against}/{abstain} differs from the ballots sent"
            ));
        }
        let list: AttendanceList = desk.get("/api/attendance").await?;
        for i in voters + 1..=n {
            let id = delegate_id(i);
            let status = list
                .records
                .iter()
                .find(|rec| rec.delegate_id == id)
                .map(|rec| rec.status);
            if status != Some(target) {
                report.lost += 1;
                report.problems.push(format!(
                    "round {r}: {id} is {status:?} after the desk set {target:?}"
                ));
            }
        }
        let (dup_ci, dup_b) = journal_duplicates(&data, round_start.seq, vote_id)?;
        if dup_ci + dup_b > 0 {
            report.double_counted += dup_ci + dup_b;
            report.problems.push(format!(
                "round {r}: the journal holds {dup_ci} repeated check-ins and {dup_b} repeated ballots"
            ));
        }
        // 5. Verify the live data.
        if let Err(e) = run_cli_bin(bin, &data, &["verify"], None).await {
            report.verify_failures += 1;
            report
                .problems
                .push(format!("round {r}: verify after the round: {e:#}"));
        }
        report.rounds += 1;
        if opts.verbose {
            eprintln!(
                "round {r:>3}: {} kill; {acked_b}/{voters} ballots and {acked_ci}/{} check-ins acked before it; restart {:.0} ms; problems so far {}",
                if big { "big-batch" } else { "random" },
                n - voters,
                server.ready_after.as_secs_f64() * 1e3,
                report.problems.len()
            );
        }
    }
    server.stop().await?;
    Ok(report)
}

/// A server on a generated congress, with tablets paired and delegates checked in.
pub struct Fixture {
    pub dir: tempfile::TempDir,
    pub data: PathBuf,
    pub server: ServerProcess,
    /// Operator `admin` (admin) and `desk` (credentials) tokens.
    pub admin_token: String,
    pub desk_token: String,
    /// The device token of delegate `i`'s tablet at `i - 1`.
    pub tokens: Vec<String>,
}

impl Fixture {
    /// `n` delegates, each with a tablet; delegates `1..=present` checked in.
    pub async fn new(bin: &Path, n: usize, present: usize) -> anyhow::Result<Fixture> {
        let dir = tempfile::tempdir()?;
        let data = dir.path().join("data");
        write_congress(dir.path(), n)?;
        run_cli_bin(
            bin,
            &data,
            &[
                "import",
                "--congress",
                &dir.path().join("congress.toml").to_string_lossy(),
                "--delegates",
                &dir.path().join("delegates.csv").to_string_lossy(),
            ],
            None,
        )
        .await?;
        for (user, role) in [("admin", "admin"), ("desk", "credentials")] {
            run_cli_bin(
                bin,
                &data,
                &["operator", "add", user, "--role", role, "--password-stdin"],
                Some(PASSWORD),
            )
            .await?;
        }
        let server = ServerProcess::start_bin(bin, &data).await?;
        let token = |a: Api| a.token().unwrap_or_default().to_string();
        let admin_token = token(Api::new(&server.url).login("admin", PASSWORD).await?);
        let desk_token = token(Api::new(&server.url).login("desk", PASSWORD).await?);
        let admin = Api::new(&server.url).with_token(&admin_token);
        let tokens: Vec<anyhow::Result<String>> = futures_util::stream::iter(1..=n)
            .map(|i| {
                let admin = admin.clone();
                async move {
                    let (api, _) = admin
                        .pair_device(DeviceKind::Tablet, Some(&delegate_id(i)))
                        .await?;
                    anyhow::Ok(token(api))
                }
            })
            .buffered(16)
            .collect()
            .await;
        let tokens: Vec<String> = tokens.into_iter().collect::<anyhow::Result<_>>()?;
        let desk = Api::new(&server.url).with_token(&desk_token);
        let done: Vec<anyhow::Result<()>> = futures_util::stream::iter(1..=present)
            .map(|i| {
                let desk = desk.clone();
                async move {
                    desk.set_attendance(
                        &format!("setup-{i}"),
                        &delegate_id(i),
                        AttendanceStatus::Present,
                        "setup",
                    )
                    .await?;
                    anyhow::Ok(())
                }
            })
            .buffered(16)
            .collect()
            .await;
        done.into_iter().collect::<anyhow::Result<()>>()?;
        Ok(Fixture {
            dir,
            data,
            server,
            admin_token,
            desk_token,
            tokens,
        })
    }
}

/// Check-ins journalled more than once per delegate since `after`, and delegates with more
/// than one ballot (or participation) in `vote_id`.
fn journal_duplicates(data: &Path, after: u64, vote_id: u64) -> anyhow::Result<(u64, u64)> {
    let conn = crate::server::open_database(data)?;
    let count = |sql: &str, a: i64| -> anyhow::Result<u64> {
        Ok(conn.query_row(sql, [a], |r| r.get::<_, i64>(0))? as u64)
    };
    let ci = count(
        "SELECT count(*) FROM (SELECT 1 FROM journal WHERE kind = 'attendance_changed' AND seq > ?1
         GROUP BY json_extract(body, '$.record.delegate_id') HAVING count(*) > 1)",
        after as i64,
    )?;
    let b = count(
        "SELECT count(*) FROM (SELECT 1 FROM journal
         WHERE kind IN ('ballot_cast', 'vote_participated') AND json_extract(body, '$.vote_id') = ?1
         GROUP BY kind, json_extract(body, '$.delegate_id') HAVING count(*) > 1)",
        vote_id as i64,
    )?;
    Ok((ci, b))
}

//! A vote driven by many simulated tablets: every tablet waits for "vote opened", votes at a
//! random moment within a window, some disconnect and reconnect mid-vote (some of those just
//! after sending, before reading the ack, and send the same ballot again), some retry a ballot
//! that was acknowledged. Afterwards the result is checked against what the tablets sent.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use congress_client::{Api, Live};
use congress_proto::*;
use futures_util::StreamExt;

#[derive(Debug, Clone)]
pub struct StormOptions {
    /// Everyone votes within this many milliseconds of the opening.
    pub window_ms: u64,
    /// Percent of tablets that disconnect and reconnect during the vote.
    pub reconnect_pct: u64,
    /// Percent of tablets that send their ballot twice.
    pub retry_pct: u64,
    pub secrecy: Secrecy,
    /// Seed for the choices and timings.
    pub seed: u64,
}

#[derive(Debug, Default)]
pub struct StormReport {
    pub vote_id: u64,
    /// Time from the open request to each tablet's "vote opened", ms.
    pub open_ms: Vec<f64>,
    /// Time from sending a ballot to its ack, ms.
    pub ack_ms: Vec<f64>,
    pub acked: u64,
    pub refused: Vec<String>,
    /// Tablets that never saw the vote open or never got an ack.
    pub failed: Vec<String>,
    pub reconnects: u64,
    pub retries_ok: u64,
    pub retries_bad: u64,
    /// Acked ballots that are not in the result.
    pub lost: u64,
    pub tally_correct: bool,
    pub expected: MotionCountsSent,
    pub result: Option<VoteResult>,
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct MotionCountsSent {
    pub for_: u64,
    pub against: u64,
    pub abstain: u64,
}

/// A small deterministic generator (no dependency needed).
pub(crate) fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

struct TabletOutcome {
    open_us: Option<u64>,
    ack_ms: Option<f64>,
    position: MotionPosition,
    refused: Option<String>,
    reconnected: bool,
    retry: Option<bool>,
    error: Option<String>,
}

pub(crate) async fn wait_open(live: &mut Live, vote_id: u64) -> anyhow::Result<()> {
    loop {
        let (_, push) = live.next_push_within(Duration::from_secs(30)).await?;
        if let Push::Vote { vote } = push
            && vote.spec.id.0 == vote_id
            && matches!(vote.phase, VotePhase::Open { .. })
        {
            return Ok(());
        }
    }
}

pub(crate) async fn reply(live: &mut Live) -> anyhow::Result<Result<BallotAck, (String, String)>> {
    Ok(
        tokio::time::timeout(Duration::from_secs(30), live.next_ballot_reply())
            .await
            .context("no ballot reply within 30 s")??,
    )
}

#[allow(clippy::too_many_arguments)]
async fn tablet(
    api: Api,
    mut live: Live,
    i: usize,
    vote_id: u64,
    opts: StormOptions,
    epoch: Instant,
    open_sent: Arc<AtomicU64>,
) -> TabletOutcome {
    let r = mix(opts.seed ^ (i as u64) << 8);
    let position = match r % 3 {
        0 => MotionPosition::For,
        1 => MotionPosition::Against,
        _ => MotionPosition::Abstain,
    };
    let mut out = TabletOutcome {
        open_us: None,
        ack_ms: None,
        position,
        refused: None,
        reconnected: false,
        retry: None,
        error: None,
    };
    let res: anyhow::Result<()> = async {
        wait_open(&mut live, vote_id).await?;
        let now = epoch.elapsed().as_micros() as u64;
        out.open_us = Some(now.saturating_sub(open_sent.load(Ordering::SeqCst)));
        let delay = (r >> 8) % opts.window_ms.max(1);
        let reconnect = (r >> 24) % 100 < opts.reconnect_pct;
        let retry = (r >> 32) % 100 < opts.retry_pct;
        let client_id = format!("sim-{:016x}-{i}", mix(r ^ opts.seed));
        let choice = BallotChoice::Motion { position };
        if reconnect {
            out.reconnected = true;
            // Half drop the connection before voting; half right after sending, ack unread.
            let before = (r >> 40).is_multiple_of(2);
            tokio::time::sleep(Duration::from_millis(delay / 2)).await;
            if !before {
                live.cast_ballot(&client_id, vote_id, choice.clone())
                    .await?;
            }
            let last = live.last_seq;
            live.close().await;
            tokio::time::sleep(Duration::from_millis(50)).await;
            live = Live::connect(&api, "tablet", Some(last)).await?.0;
            tokio::time::sleep(Duration::from_millis(delay / 2)).await;
        } else {
            tokio::time::sleep(Duration::from_millis(delay)).await;
        }
        let sent = Instant::now();
        live.cast_ballot(&client_id, vote_id, choice.clone())
            .await?;
        match reply(&mut live).await? {
            Ok(ack) => {
                out.ack_ms = Some(sent.elapsed().as_secs_f64() * 1e3);
                if retry {
                    live.cast_ballot(&client_id, vote_id, choice).await?;
                    out.retry = Some(matches!(reply(&mut live).await?, Ok(a) if a == ack));
                }
            }
            Err((code, msg)) => out.refused = Some(format!("{code}: {msg}")),
        }
        live.close().await;
        Ok(())
    }
    .await;
    if let Err(e) = res {
        out.error = Some(format!("tablet {i}: {e:#}"));
    }
    out
}

/// Runs one motion vote with `tablets` (paired, their delegates checked in).
pub async fn storm(
    admin: &Api,
    tablets: &[Api],
    opts: &StormOptions,
) -> anyhow::Result<StormReport> {
    let lives: Vec<anyhow::Result<Live>> = futures_util::stream::iter(tablets.iter())
        .map(|api| async move { Ok(Live::connect(api, "tablet", None).await?.0) })
        .buffered(64)
        .collect()
        .await;
    let vote = admin
        .create_vote(&CreateVote {
            client_id: format!("storm-create-{}", opts.seed),
            title: "Thông qua chương trình đại hội".into(),
            kind: VoteKind::Motion,
            secrecy: opts.secrecy,
            rule: None,
            allow_change: false,
            show_running_tally: true,
            duration_s: None,
            turnout: None,
        })
        .await?;
    let vote_id = vote.spec.id.0;
    let epoch = Instant::now();
    let open_sent = Arc::new(AtomicU64::new(0));
    let mut tasks = Vec::with_capacity(tablets.len());
    for (i, (api, live)) in tablets.iter().zip(lives).enumerate() {
        let live = live.with_context(|| format!("tablet {i} cannot connect"))?;
        tasks.push(tokio::spawn(tablet(
            api.clone(),
            live,
            i,
            vote_id,
            opts.clone(),
            epoch,
            open_sent.clone(),
        )));
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    open_sent.store(epoch.elapsed().as_micros() as u64, Ordering::SeqCst);
    admin
        .vote_action(vote_id, "open", &format!("storm-open-{}", opts.seed))
        .await?;
    let mut report = StormReport {
        vote_id,
        ..StormReport::default()
    };
    let mut sent = MotionCountsSent::default();
    for t in tasks {
        let o = t.await?;
        if let Some(us) = o.open_us {
            report.open_ms.push(us as f64 / 1e3);
        }
        if let Some(ms) = o.ack_ms {
            report.ack_ms.push(ms);
            report.acked += 1;
            match o.position {
                MotionPosition::For => sent.for_ += 1,
                MotionPosition::Against => sent.against += 1,
                MotionPosition::Abstain => sent.abstain += 1,
            }
        }
        if let Some(r) = o.refused {
            report.refused.push(r);
        }
        if let Some(e) = o.error {
            report.failed.push(e);
        }
        report.reconnects += u64::from(o.reconnected);
        match o.retry {
            Some(true) => report.retries_ok += 1,
            Some(false) => report.retries_bad += 1,
            None => {}
        }
    }
    let closed = admin
        .vote_action(vote_id, "close", &format!("storm-close-{}", opts.seed))
        .await?;
    let Some(result) = closed.result else {
        bail!("the closed vote has no result");
    };
    report.lost = report.acked.saturating_sub(result.ballots.cast);
    report.tally_correct = match &result.counts {
        VoteCounts::Motion(MotionCounts {
            for_,
            against,
            abstain,
        }) => {
            *for_ == sent.for_
                && *against == sent.against
                && *abstain == sent.abstain
                && result.ballots.cast == report.acked
        }
        _ => false,
    };
    report.expected = sent;
    report.result = Some(result);
    Ok(report)
}

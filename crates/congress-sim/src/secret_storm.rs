//! An encrypted secret vote driven by many simulated tablets (`docs/ballot-crypto.md`): every
//! tablet holds a voting credential, its ballot is encrypted, proved and signed before the
//! storm (as the tablet does while the delegate reads the ballot), and sent at a random moment
//! within the window once the vote opens. Then the close, the server's verified encrypted
//! tally, the counting board's threshold decryption, the published bulletin board verified
//! here on its own, and the result compared with what the tablets sent.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use congress_ballot::{Ballot, Credential, Selection, VoteContext};
use congress_client::{Api, Live};
use congress_proto::*;
use futures_util::StreamExt;
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;

use crate::board::{Member, context_of, decrypt};
use crate::vote::{mix, reply, wait_open};

/// What is voted on.
#[derive(Debug, Clone, Copy)]
pub enum SecretQuestion {
    /// For, against, abstain (or blank).
    Motion,
    /// Keep at most `seats` of `candidates` names.
    Election { candidates: u32, seats: u32 },
}

#[derive(Debug, Clone)]
pub struct SecretStormOptions {
    pub question: SecretQuestion,
    /// Everyone votes within this many milliseconds of the opening.
    pub window_ms: u64,
    /// Percent of tablets that send their ballot twice (the retry must get the same ack).
    pub retry_pct: u64,
    pub seed: u64,
}

/// A voter's tablet: its API and the credential it registered at pairing.
#[derive(Clone)]
pub struct Voter {
    pub api: Api,
    pub credential: Arc<Credential>,
}

#[derive(Debug, Default)]
pub struct SecretStormReport {
    pub vote_id: u64,
    /// Making each ballot (encrypt, prove, sign) in Rust, ms.
    pub encrypt_ms: Vec<f64>,
    /// The ballots the tablets sent (for the same storm against the minimal server).
    pub ballots: Vec<Vec<u8>>,
    /// From sending a ballot to its ack, ms.
    pub ack_ms: Vec<f64>,
    pub acked: u64,
    pub refused: Vec<String>,
    pub failed: Vec<String>,
    pub retries_ok: u64,
    pub retries_bad: u64,
    /// Acknowledged ballots not counted in the tally.
    pub lost: u64,
    /// From the last ack to the encrypted tally of every verified ballot (close included), s.
    pub verify_all_s: f64,
    /// From the last partial decryption sent to the result, s.
    pub decrypt_s: f64,
    /// Verifying the whole published board here (every proof, the tally, the decryption), s.
    pub board_verify_s: f64,
    /// The result equals the simulator's own count, and the board verifies.
    pub tally_correct: bool,
}

/// The slots a tablet marks: for a motion one of for/against/abstain; for an election a set of
/// kept names (between `seats - 8` and `seats`, never more).
fn selection(q: SecretQuestion, r: u64) -> Vec<u32> {
    match q {
        SecretQuestion::Motion => vec![(r % 3) as u32],
        SecretQuestion::Election { candidates, seats } => {
            let keep = seats.saturating_sub((r % 9) as u32).min(candidates);
            // A rotation of the list by a per-tablet offset: every name gets kept by some.
            let start = ((r >> 8) % u64::from(candidates.max(1))) as u32;
            let mut kept: Vec<u32> = (0..keep).map(|k| (start + k) % candidates).collect();
            kept.sort_unstable();
            kept
        }
    }
}

/// Ballots for every voter, made on all cores: (bytes, ms it took, marked slots).
async fn make_ballots(
    ctx: Arc<VoteContext>,
    voters: &[Voter],
    opts: &SecretStormOptions,
) -> anyhow::Result<Vec<(Vec<u8>, f64, Vec<u32>)>> {
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    let chunk = voters.len().div_ceil(threads).max(1);
    let mut jobs = Vec::new();
    for (c, part) in voters.chunks(chunk).enumerate() {
        let ctx = ctx.clone();
        let creds: Vec<Arc<Credential>> = part.iter().map(|v| v.credential.clone()).collect();
        let (q, seed) = (opts.question, opts.seed);
        jobs.push(tokio::task::spawn_blocking(move || {
            let mut rng = ChaCha20Rng::seed_from_u64(seed ^ c as u64);
            creds
                .iter()
                .enumerate()
                .map(|(k, cred)| {
                    let marks = selection(q, mix(seed ^ ((c * chunk + k) as u64) << 8));
                    let t = Instant::now();
                    let b = Ballot::cast(&mut rng, &ctx, cred, &Selection::Options(marks.clone()))?;
                    let ms = t.elapsed().as_secs_f64() * 1e3;
                    Ok((b.to_bytes().to_vec(), ms, marks))
                })
                .collect::<anyhow::Result<Vec<_>>>()
        }));
    }
    let mut out = Vec::with_capacity(voters.len());
    for j in jobs {
        out.extend(j.await??);
    }
    Ok(out)
}

struct Outcome {
    ack_ms: Option<f64>,
    acked_at: Option<Instant>,
    refused: Option<String>,
    retry: Option<bool>,
    error: Option<String>,
}

async fn tablet(
    mut live: Live,
    i: usize,
    vote_id: u64,
    ballot: Vec<u8>,
    opts: SecretStormOptions,
) -> Outcome {
    let r = mix(opts.seed ^ (i as u64) << 12);
    let mut out = Outcome {
        ack_ms: None,
        acked_at: None,
        refused: None,
        retry: None,
        error: None,
    };
    let res: anyhow::Result<()> = async {
        wait_open(&mut live, vote_id).await?;
        tokio::time::sleep(Duration::from_millis(r % opts.window_ms.max(1))).await;
        let client_id = format!("secret-{:016x}-{i}", mix(r));
        let sent = Instant::now();
        live.cast_secret_ballot(&client_id, vote_id, &ballot)
            .await?;
        match reply(&mut live).await? {
            Ok(ack) => {
                out.ack_ms = Some(sent.elapsed().as_secs_f64() * 1e3);
                out.acked_at = Some(Instant::now());
                if (r >> 32) % 100 < opts.retry_pct {
                    live.cast_secret_ballot(&client_id, vote_id, &ballot)
                        .await?;
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

async fn vote_info(admin: &Api, id: u64) -> anyhow::Result<VoteInfo> {
    Ok(admin.get(&format!("/api/votes/{id}")).await?)
}

/// Polls the vote every 10 ms until `done`, for up to `limit`.
async fn wait_for(
    admin: &Api,
    id: u64,
    limit: Duration,
    done: impl Fn(&VoteInfo) -> bool,
) -> anyhow::Result<VoteInfo> {
    let start = Instant::now();
    loop {
        let v = vote_info(admin, id).await?;
        if done(&v) {
            return Ok(v);
        }
        if start.elapsed() > limit {
            bail!("vote {id}: not there after {limit:?}");
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// One encrypted secret vote with `voters` (paired with credentials, their delegates checked
/// in), decrypted by `members` (at least the board's threshold of them).
pub async fn secret_storm(
    admin: &Api,
    voters: &[Voter],
    members: &mut [Member],
    opts: &SecretStormOptions,
) -> anyhow::Result<SecretStormReport> {
    let kind = match opts.question {
        SecretQuestion::Motion => VoteKind::Motion,
        SecretQuestion::Election { candidates, seats } => VoteKind::Election {
            seats,
            candidates: (0..candidates)
                .map(|c| VoteOption {
                    id: OptionId(c),
                    label: format!("Ứng cử viên {:02}", c + 1),
                })
                .collect(),
        },
    };
    let vote = admin
        .create_vote(&CreateVote {
            client_id: format!("secret-storm-create-{}", opts.seed),
            title: "Bầu Ban Chấp hành".into(),
            kind,
            secrecy: Secrecy::Secret,
            rule: None,
            allow_change: false,
            show_running_tally: false,
            duration_s: None,
            turnout: None,
        })
        .await?;
    if !vote.spec.encrypted {
        bail!("the secret vote is not encrypted: has the board its key?");
    }
    let vote_id = vote.spec.id.0;
    let ctx = Arc::new(context_of(&vote_info(admin, vote_id).await?)?);
    let ballots = make_ballots(ctx.clone(), voters, opts).await?;
    let mut report = SecretStormReport {
        vote_id,
        encrypt_ms: ballots.iter().map(|b| b.1).collect(),
        ballots: ballots.iter().map(|b| b.0.clone()).collect(),
        ..SecretStormReport::default()
    };
    let lives: Vec<anyhow::Result<Live>> = futures_util::stream::iter(voters.iter())
        .map(|v| async move { Ok(Live::connect(&v.api, "tablet", None).await?.0) })
        .buffered(64)
        .collect()
        .await;
    let mut tasks = Vec::with_capacity(voters.len());
    let mut marks = Vec::with_capacity(voters.len());
    for (i, (live, (bytes, _, m))) in lives.into_iter().zip(ballots).enumerate() {
        let live = live.with_context(|| format!("tablet {i} cannot connect"))?;
        tasks.push(tokio::spawn(tablet(live, i, vote_id, bytes, opts.clone())));
        marks.push(m);
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    admin
        .vote_action(vote_id, "open", &format!("secret-storm-open-{}", opts.seed))
        .await?;
    // The simulator's own count per slot, over acknowledged ballots.
    let mut expected = vec![0u64; ctx.vote.question.slots()];
    let mut last_ack: Option<Instant> = None;
    for (t, m) in tasks.into_iter().zip(&marks) {
        let o = t.await?;
        if let Some(ms) = o.ack_ms {
            report.ack_ms.push(ms);
            report.acked += 1;
            last_ack = last_ack.max(o.acked_at);
            for &s in m {
                expected[s as usize] += 1;
            }
        }
        if let Some(r) = o.refused {
            report.refused.push(r);
        }
        if let Some(e) = o.error {
            report.failed.push(e);
        }
        match o.retry {
            Some(true) => report.retries_ok += 1,
            Some(false) => report.retries_bad += 1,
            None => {}
        }
    }
    let last_ack = last_ack.context("no ballot was acknowledged")?;
    admin
        .vote_action(
            vote_id,
            "close",
            &format!("secret-storm-close-{}", opts.seed),
        )
        .await?;
    let closed = wait_for(admin, vote_id, Duration::from_secs(120), |v| {
        v.encryption.as_ref().is_some_and(|e| e.tally.is_some())
    })
    .await?;
    report.verify_all_s = last_ack.elapsed().as_secs_f64();
    let enc = closed.encryption.context("no encryption")?;
    report.lost = report.acked.saturating_sub(enc.counted.unwrap_or(0));
    let mut rng = ChaCha20Rng::seed_from_u64(opts.seed ^ 0xdec);
    let threshold = closed_threshold(admin).await?;
    let deciders = members.len().min(usize::from(threshold));
    let tally = enc.tally.as_deref().context("no tally")?;
    let sent_last = decrypt_timed(&mut members[..deciders], &ctx, vote_id, tally, &mut rng).await?;
    let done = wait_for(admin, vote_id, Duration::from_secs(60), |v| {
        v.result.is_some()
    })
    .await?;
    report.decrypt_s = sent_last.elapsed().as_secs_f64();
    let result = done.result.context("no result")?;
    let board: congress_ballot::Board = admin
        .get(&format!("/api/votes/{vote_id}/board.json"))
        .await?;
    let t = Instant::now();
    let verified = congress_ballot::verify_board(&board);
    report.board_verify_s = t.elapsed().as_secs_f64();
    let counts: Vec<u64> = match &result.counts {
        VoteCounts::Motion(m) => vec![m.for_, m.against, m.abstain],
        VoteCounts::Options { options } => options.iter().map(|o| o.votes).collect(),
    };
    report.tally_correct = verified.is_ok_and(|v| v.result == expected)
        && counts[..] == expected[..counts.len().min(expected.len())]
        && result.ballots.cast == report.acked;
    Ok(report)
}

async fn closed_threshold(admin: &Api) -> anyhow::Result<u16> {
    let view: BoardView = admin.get("/api/board").await?;
    Ok(view.threshold)
}

/// [`decrypt`], returning when the last partial was sent.
async fn decrypt_timed(
    members: &mut [Member],
    ctx: &VoteContext,
    vote_id: u64,
    tally: &str,
    rng: &mut ChaCha20Rng,
) -> anyhow::Result<Instant> {
    let Some((last, first)) = members.split_last_mut() else {
        bail!("no board member to decrypt");
    };
    decrypt(first, ctx, vote_id, tally, rng).await?;
    let t = Instant::now();
    decrypt(std::slice::from_mut(last), ctx, vote_id, tally, rng).await?;
    Ok(t)
}

//! `vote-storm`'s encrypted part (issue: the secret ballot): on the current build only (older
//! builds have no encrypted ballot), every tablet paired with a voting credential, a counting
//! board of `--members` elected with `--threshold` and through its key ceremony, then a secret
//! election of `--candidates` names keeping at most `--seats`, and a secret motion, each storm
//! followed by the close, the verified encrypted tally and the threshold decryption. The same
//! ballots are then sent to the minimal server (`congress_sim::minimal`), in the same run: the
//! ratio of the p99 acks is the cost of the protocol over storing and acking.

use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use congress_sim::board::{CredentialTablet, elect_board, pair_with_credential};
use congress_sim::minimal::{self, MinimalServer};
use congress_sim::secret_storm::{
    SecretQuestion, SecretStormOptions, SecretStormReport, Voter, secret_storm,
};
use congress_sim::server::delegate_id;
use congress_sim::stats::{reported as p, round2};
use futures_util::StreamExt;
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use serde_json::{Map, Value, json};

use crate::flag;
use crate::setup::{check_in, fresh_server_with};

fn show(name: &str, r: &SecretStormReport) {
    eprintln!(
        "{name}: ack p50 {:.1} ms p99 {:.1} ms max {:.1} ms; acked {} lost {}; tally {}; verified tally {:.2} s after the last ack; decrypted {:.2} s after the last share; board verified here in {:.2} s; ballot made in Rust p99 {:.1} ms; retries ok {}/{}; refused {} failed {}",
        p(&r.ack_ms, 50.0),
        p(&r.ack_ms, 99.0),
        p(&r.ack_ms, 100.0),
        r.acked,
        r.lost,
        if r.tally_correct { "correct" } else { "WRONG" },
        r.verify_all_s,
        r.decrypt_s,
        r.board_verify_s,
        p(&r.encrypt_ms, 99.0),
        r.retries_ok,
        r.retries_ok + r.retries_bad,
        r.refused.len(),
        r.failed.len(),
    );
    for e in r.failed.iter().chain(r.refused.iter()).take(5) {
        eprintln!("  {e}");
    }
}

/// Pairs one credential-holding tablet per delegate `1..=n`, `parallel` at a time.
async fn pair_voters(
    admin: &congress_client::Api,
    n: usize,
    parallel: usize,
) -> anyhow::Result<Vec<CredentialTablet>> {
    let results: Vec<anyhow::Result<CredentialTablet>> = futures_util::stream::iter(1..=n)
        .map(|i| {
            let admin = admin.clone();
            async move {
                let mut rng = ChaCha20Rng::seed_from_u64(i as u64);
                pair_with_credential(&admin, &delegate_id(i), &mut rng).await
            }
        })
        .buffered(parallel)
        .collect()
        .await;
    results.into_iter().collect()
}

/// The encrypted storms and the minimal server's, as figures for the final JSON line.
pub async fn run(
    bin: &Path,
    args: &[String],
    n: usize,
    window_ms: u64,
) -> anyhow::Result<Map<String, Value>> {
    let candidates = flag(args, "--candidates", 60)? as u32;
    let seats = flag(args, "--seats", 53)? as u32;
    let members = flag(args, "--members", 5)?.clamp(1, n);
    let threshold = flag(args, "--threshold", 3)?.clamp(1, members) as u16;
    eprintln!(
        "encrypted: {n} tablets with credentials; board {threshold} of {members}; election of {seats} from {candidates}, then a motion"
    );
    // Over TLS with the server's limits on, as in the hall (`--plain` for plain loopback).
    let tls = !args.iter().any(|a| a == "--plain");
    let (server, admin, dir) = fresh_server_with(bin, n, tls).await?;
    let t = Instant::now();
    let tablets = pair_voters(&admin, n, 16).await?;
    check_in(&admin, n, 16).await?;
    eprintln!(
        "paired (with credentials) and checked in {n} tablets in {:.1} s",
        t.elapsed().as_secs_f64()
    );
    let delegates: Vec<String> = (1..=members).map(delegate_id).collect();
    let mut rng = ChaCha20Rng::seed_from_u64(42);
    let t = Instant::now();
    let mut board =
        elect_board(&admin, &tablets[..members], &delegates, threshold, &mut rng).await?;
    let ceremony_s = t.elapsed().as_secs_f64();
    eprintln!("key ceremony of {members} members in {ceremony_s:.2} s");
    let voters: Vec<Voter> = tablets
        .iter()
        .map(|t| Voter {
            api: t.api.clone(),
            credential: Arc::new(congress_ballot::Credential::from_seed(&t.credential.seed())),
        })
        .collect();
    let base = SecretStormOptions {
        question: SecretQuestion::Election { candidates, seats },
        window_ms,
        retry_pct: 5,
        seed: 11,
    };
    let election = secret_storm(&admin, &voters, &mut board, &base).await?;
    show("encrypted election", &election);
    let motion = secret_storm(
        &admin,
        &voters,
        &mut board,
        &SecretStormOptions {
            question: SecretQuestion::Motion,
            seed: 12,
            ..base
        },
    )
    .await?;
    show("encrypted motion", &motion);
    let (peak, _) = server.memory_mib();
    server.stop().await?;
    drop(dir);

    // The same ballots, the same window, against the minimal server.
    let data = tempfile::tempdir()?;
    let exe = std::env::current_exe()?;
    let floor = MinimalServer::start(&exe, data.path()).await?;
    let min_election = minimal::storm(&floor.url, &election.ballots, window_ms, 1).await?;
    let min_motion = minimal::storm(&floor.url, &motion.ballots, window_ms, 2).await?;
    drop(floor);
    let min_stored = minimal::stored(data.path())?;
    eprintln!(
        "minimal server: election ack p99 {:.1} ms, motion ack p99 {:.1} ms; stored {min_stored} of {}",
        p(&min_election.ack_ms, 99.0),
        p(&min_motion.ack_ms, 99.0),
        min_election.acked + min_motion.acked
    );
    let ratio = |a: &[f64], b: &[f64]| {
        let base = p(b, 99.0);
        (base > 0.0).then(|| (p(a, 99.0) / base * 1000.0).round() / 1000.0)
    };
    let v = json!({
        "encrypted_tablets": n,
        // The minimal server answers over plain loopback: over TLS the ratio includes TLS.
        "encrypted_tls": tls,
        "candidates": candidates,
        "seats": seats,
        "board_members": members,
        "board_threshold": threshold,
        "key_ceremony_s": round2(ceremony_s),
        "encrypted_ack_p50_ms": p(&election.ack_ms, 50.0),
        "encrypted_ack_p99_ms": p(&election.ack_ms, 99.0),
        "encrypted_ack_max_ms": p(&election.ack_ms, 100.0),
        "encrypted_acked": election.acked,
        "encrypted_lost": election.lost,
        "encrypted_refused": election.refused.len(),
        "encrypted_failed": election.failed.len(),
        "encrypted_tally_correct": election.tally_correct,
        "verify_all_s": round2(election.verify_all_s),
        "decrypt_s": round2(election.decrypt_s),
        "board_verify_s": round2(election.board_verify_s),
        "rust_ballot_encrypt_ms_p50": p(&election.encrypt_ms, 50.0),
        "rust_ballot_encrypt_ms_p99": p(&election.encrypt_ms, 99.0),
        "motion_ack_p50_ms": p(&motion.ack_ms, 50.0),
        "motion_ack_p99_ms": p(&motion.ack_ms, 99.0),
        "motion_acked": motion.acked,
        "motion_lost": motion.lost,
        "motion_tally_correct": motion.tally_correct,
        "motion_verify_all_s": round2(motion.verify_all_s),
        "motion_decrypt_s": round2(motion.decrypt_s),
        "encrypted_retries_ok": election.retries_ok + motion.retries_ok,
        "encrypted_retries_bad": election.retries_bad + motion.retries_bad,
        "encrypted_peak_rss_mb": round2(peak),
        "minimal_ack_p99_ms": p(&min_election.ack_ms, 99.0),
        "minimal_motion_ack_p99_ms": p(&min_motion.ack_ms, 99.0),
        "minimal_lost": (min_election.acked + min_motion.acked).saturating_sub(min_stored),
        "minimal_failed": min_election.failed.len() + min_motion.failed.len(),
        "ratio_vs_minimal_p99": ratio(&election.ack_ms, &min_election.ack_ms),
        "motion_ratio_vs_minimal_p99": ratio(&motion.ack_ms, &min_motion.ack_ms),
    });
    Ok(match v {
        Value::Object(m) => m,
        _ => Map::new(),
    })
}

//! A crash in an encrypted secret vote (`docs/ballot-crypto.md`) loses nothing: the debug
//! `congress` binary of this package, killed with SIGKILL in the middle of a ballot storm and
//! again in the middle of the counting board's decryption, restarted each time. Every
//! acknowledged ballot is on the published board; every unacknowledged one, sent again with the
//! same bytes, counts once; an acknowledged partial decryption survives; the result is the
//! tablets' own count and `congress verify` and `congress verify-election` pass.

// These tests measure real time (a subprocess or socket deadline), on purpose.
#![allow(clippy::disallowed_methods)]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;
use std::time::Duration;

use congress_ballot::{Ballot, Board, Selection};
use congress_client::{Api, Live};
use congress_proto::*;
use congress_sim::ServerProcess;
use congress_sim::board::{
    CredentialTablet, context_of, decrypt, elect_board, pair_with_credential,
};
use congress_sim::crash::Fixture;
use congress_sim::server::{delegate_id, run_cli_bin};
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;

fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_congress"))
}

const DELEGATES: usize = 24;

/// The API of a tablet or operator on the restarted server (tokens survive a restart).
fn again(url: &str, api: &Api) -> Api {
    Api::new(url).with_token(api.token().unwrap_or_default())
}

async fn vote(admin: &Api, id: u64) -> VoteInfo {
    admin.get(&format!("/api/votes/{id}")).await.unwrap()
}

async fn wait_for(admin: &Api, id: u64, done: impl Fn(&VoteInfo) -> bool) -> VoteInfo {
    for _ in 0..600 {
        let v = vote(admin, id).await;
        if done(&v) {
            return v;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("vote {id} never got there");
}

/// Sends a ballot and waits for its answer (`None`: the connection went first).
async fn cast(api: &Api, vote_id: u64, bytes: &[u8], client_id: &str) -> Option<BallotAck> {
    let (mut live, _) = Live::connect(api, "tablet", None).await.ok()?;
    live.cast_secret_ballot(client_id, vote_id, bytes)
        .await
        .ok()?;
    match tokio::time::timeout(Duration::from_secs(20), live.next_ballot_reply()).await {
        Ok(Ok(Ok(ack))) => Some(ack),
        Ok(Ok(Err((code, msg)))) => panic!("{client_id} refused: {code}: {msg}"),
        _ => None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_mid_storm_and_mid_decryption_an_encrypted_vote_loses_nothing() {
    let bin = bin();
    let mut f = Fixture::new(&bin, DELEGATES, DELEGATES).await.unwrap();
    let mut rng = ChaCha20Rng::seed_from_u64(5);
    let mut url = f.server.url.clone();
    let admin = Api::new(&url).with_token(&f.admin_token);
    let mut tablets: Vec<CredentialTablet> = Vec::new();
    for i in 1..=DELEGATES {
        tablets.push(
            pair_with_credential(&admin, &delegate_id(i), &mut rng)
                .await
                .unwrap(),
        );
    }
    let delegates: Vec<String> = (1..=3).map(delegate_id).collect();
    let mut members = elect_board(&admin, &tablets[..3], &delegates, 2, &mut rng)
        .await
        .unwrap();
    let created = admin
        .create_vote(&CreateVote {
            client_id: "crash-vote-create".into(),
            title: "Bầu Ban Chấp hành".into(),
            kind: VoteKind::Election {
                seats: 3,
                candidates: (0..6)
                    .map(|c| VoteOption {
                        id: OptionId(c),
                        label: format!("Ứng cử viên {c}"),
                    })
                    .collect(),
            },
            secrecy: Secrecy::Secret,
            rule: None,
            allow_change: false,
            show_running_tally: false,
            duration_s: None,
            turnout: None,
        })
        .await
        .unwrap();
    assert!(created.spec.encrypted);
    let id = created.spec.id.0;
    admin
        .vote_action(id, "open", "crash-vote-open-00")
        .await
        .unwrap();
    let ctx = context_of(&vote(&admin, id).await).unwrap();
    // Delegate i keeps three names starting at i % 6; the simulator's own count per slot.
    let mut expected = vec![0u64; ctx.vote.question.slots()];
    let mut ballots = Vec::new();
    for (i, t) in tablets.iter().enumerate() {
        let kept: Vec<u32> = {
            let mut k: Vec<u32> = (0..3).map(|j| ((i + j) % 6) as u32).collect();
            k.sort_unstable();
            k
        };
        for &s in &kept {
            expected[s as usize] += 1;
        }
        let b = Ballot::cast(&mut rng, &ctx, &t.credential, &Selection::Options(kept)).unwrap();
        ballots.push((format!("crash-ballot-{i:08}"), b.to_bytes().to_vec()));
    }

    // The first half voted and acknowledged; the second half in flight when the server dies.
    let mut acks: Vec<Option<BallotAck>> = Vec::new();
    for (t, (cid, bytes)) in tablets.iter().zip(&ballots).take(DELEGATES / 2) {
        acks.push(Some(cast(&t.api, id, bytes, cid).await.expect("acked")));
    }
    // Sent 15 ms apart; the server is killed as soon as the third of them is acknowledged.
    let (acked_tx, mut acked_rx) = tokio::sync::mpsc::unbounded_channel::<()>();
    let mut flying = Vec::new();
    for (k, (t, (cid, bytes))) in tablets.iter().zip(&ballots).skip(DELEGATES / 2).enumerate() {
        let (api, cid, bytes) = (t.api.clone(), cid.clone(), bytes.clone());
        let acked_tx = acked_tx.clone();
        flying.push(tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(15 * k as u64)).await;
            let ack = cast(&api, id, &bytes, &cid).await;
            if ack.is_some() {
                let _ = acked_tx.send(());
            }
            ack
        }));
    }
    for _ in 0..3 {
        tokio::time::timeout(Duration::from_secs(30), acked_rx.recv())
            .await
            .expect("in-flight ballots acknowledged");
    }
    f.server.kill_in_place().await.unwrap();
    for t in flying {
        acks.push(t.await.unwrap());
    }
    let in_flight_acked = acks.iter().skip(DELEGATES / 2).flatten().count();
    eprintln!(
        "killed mid-storm: {in_flight_acked} of {} ballots in flight were acknowledged",
        DELEGATES / 2
    );
    assert!(
        (3..DELEGATES / 2).contains(&in_flight_acked),
        "the kill fell in the middle of the storm"
    );
    run_cli_bin(&bin, &f.data, &["verify"], None)
        .await
        .expect("the journal verifies after the kill");

    // Restarted: every ballot is sent again with the same bytes; an acknowledged one gets its
    // very ack, an unacknowledged one counts now.
    let mut server = ServerProcess::start_bin(&bin, &f.data).await.unwrap();
    url.clone_from(&server.url);
    let admin = again(&url, &admin);
    let acked = acks.iter().flatten().count() as u64;
    let stored = vote(&admin, id).await.cast;
    assert!(
        stored >= acked,
        "every acknowledged ballot survived the kill: {stored} stored, {acked} acked"
    );
    for ((t, (cid, bytes)), before) in tablets.iter().zip(&ballots).zip(&acks) {
        let ack = cast(&again(&url, &t.api), id, bytes, cid)
            .await
            .expect("acked after the restart");
        if let Some(before) = before {
            assert_eq!(ack.tracker, before.tracker, "{cid}: the same ack");
        }
    }
    admin
        .vote_action(id, "close", "crash-vote-close-0")
        .await
        .unwrap();
    let closed = wait_for(&admin, id, |v| {
        v.encryption.as_ref().is_some_and(|e| e.tally.is_some())
    })
    .await;
    let enc = closed.encryption.unwrap();
    assert_eq!(enc.counted, Some(DELEGATES as u64), "every ballot, once");
    let tally = enc.tally.unwrap();

    // One member decrypts, the server dies, the second member decrypts after the restart.
    for (m, t) in members.iter_mut().zip(&tablets) {
        m.live = Live::connect(&again(&url, &t.api), "tablet", None)
            .await
            .unwrap()
            .0;
    }
    decrypt(&mut members[..1], &ctx, id, &tally, &mut rng)
        .await
        .unwrap();
    server.kill_in_place().await.unwrap();
    run_cli_bin(&bin, &f.data, &["verify"], None)
        .await
        .expect("the journal verifies after the second kill");
    let server = ServerProcess::start_bin(&bin, &f.data).await.unwrap();
    let url = server.url.clone();
    let admin = again(&url, &admin);
    let after = vote(&admin, id).await;
    assert_eq!(
        after.encryption.unwrap().decrypted_by,
        vec![1],
        "the acknowledged partial decryption survived"
    );
    members[1].live = Live::connect(&again(&url, &tablets[1].api), "tablet", None)
        .await
        .unwrap()
        .0;
    decrypt(&mut members[1..2], &ctx, id, &tally, &mut rng)
        .await
        .unwrap();
    let done = wait_for(&admin, id, |v| v.result.is_some()).await;
    let result = done.result.unwrap();
    let VoteCounts::Options { options } = &result.counts else {
        panic!("an election's counts: {result:?}");
    };
    let counts: Vec<u64> = options.iter().map(|o| o.votes).collect();
    assert_eq!(counts[..], expected[..6], "the tablets' own count");
    assert_eq!(result.ballots.cast, DELEGATES as u64);

    // The published board: every ballot once, and it verifies here and with the CLI.
    let board: Board = again(&url, &tablets[5].api)
        .get(&format!("/api/votes/{id}/board.json"))
        .await
        .unwrap();
    assert_eq!(board.ballots.len(), DELEGATES);
    let verified = congress_ballot::verify_board(&board).expect("the board verifies");
    assert_eq!(verified.result, expected);
    let file = f.dir.path().join("board.json");
    std::fs::write(&file, serde_json::to_vec(&board).unwrap()).unwrap();
    let out = run_cli_bin(
        &bin,
        &f.data,
        &["verify-election", &file.to_string_lossy()],
        None,
    )
    .await
    .expect("verify-election");
    assert!(out.contains("ok:"), "{out}");
    server.stop().await.unwrap();
}

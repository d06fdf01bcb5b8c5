//! Encrypted secret ballots over the real server and websockets (`docs/ballot-crypto.md`):
//! three counting-board members run the key ceremony from their "tablets" (the Rust side of
//! the protocol, as the tablet app does in TypeScript), delegates cast encrypted ballots, the
//! server verifies and sums them at the close, two of the three members decrypt, and the
//! published bulletin board verifies on its own. Every bad ballot is refused and changes
//! nothing.

use congress_ballot::{
    Ballot, Board, Credential, Selection, VoteContext, WireCiphertext, partial_decrypt,
};
use congress_client::{Api, Live};
use congress_proto::*;
use congress_sim::board::{CredentialTablet, Member, elect_board};
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;

use crate::util::*;

/// A voter's tablet.
struct VoterTablet {
    live: Live,
    credential: Credential,
}

async fn pair_with_credential(
    s: &TestServer,
    delegate: &str,
    rng: &mut ChaCha20Rng,
) -> (Api, Credential, age::x25519::Identity) {
    let t = congress_sim::board::pair_with_credential(&s.admin, delegate, rng)
        .await
        .expect("pairing with a credential");
    (t.api, t.credential, t.identity)
}

/// D1..D3 checked in, each with a tablet holding a credential, elected as the counting board
/// (2 of 3) and through the key ceremony (`congress_sim::board`, the tablet app's protocol in
/// Rust); the tablets and the members with their key shares.
async fn board_of_three(
    s: &TestServer,
    rng: &mut ChaCha20Rng,
) -> (Vec<CredentialTablet>, Vec<Member>) {
    let mut tablets = Vec::new();
    for d in [VIET, ARAB, PLAIN] {
        s.check_in(d).await;
        tablets.push(
            congress_sim::board::pair_with_credential(&s.admin, d, rng)
                .await
                .expect("pairing with a credential"),
        );
    }
    let delegates = [VIET, ARAB, PLAIN].map(String::from);
    let members = elect_board(&s.secretariat, &tablets, &delegates, 2, rng)
        .await
        .expect("the key ceremony");
    let view: BoardView = s.secretariat.get("/api/board").await.unwrap();
    assert_eq!(view.phase, BoardPhase::Ready, "{view:?}");
    assert_eq!(view.threshold, 2);
    assert!(view.joint_key.is_some());
    for t in &tablets {
        let mine: BoardTranscript = t.api.get("/api/board/transcript").await.unwrap();
        assert_eq!(mine.my_shares.len(), 3, "one share from every dealer");
    }
    (tablets, members)
}

/// Opens the vote `id` and returns the context its ballots are encrypted in.
async fn open_encrypted(s: &TestServer, id: u64) -> VoteContext {
    s.secretariat
        .vote_action(id, "open", &cid("open"))
        .await
        .unwrap();
    let info: VoteInfo = s
        .secretariat
        .get(&format!("/api/votes/{id}"))
        .await
        .unwrap();
    context_of(&info)
}

async fn answer(live: &mut Live, client_id: &str) -> Result<u64, (String, String)> {
    within(live.next_answer(client_id)).await.expect("answer")
}

fn context_of(info: &VoteInfo) -> VoteContext {
    congress_sim::board::context_of(info).expect("context")
}

async fn cast_bytes(
    live: &mut Live,
    vote: u64,
    bytes: &[u8],
    id: &str,
) -> Result<BallotAck, (String, String)> {
    live.cast_secret_ballot(id, vote, bytes).await.unwrap();
    within(live.next_ballot_reply()).await.unwrap()
}

async fn wait_for(s: &TestServer, id: u64, done: impl Fn(&VoteInfo) -> bool) -> VoteInfo {
    for _ in 0..200 {
        let v: VoteInfo = s
            .secretariat
            .get(&format!("/api/votes/{id}"))
            .await
            .unwrap();
        if done(&v) {
            return v;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("vote {id} never got there");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_encrypted_secret_vote_from_key_ceremony_to_a_verified_result() {
    let mut rng = ChaCha20Rng::seed_from_u64(7);
    let s = TestServer::start().await;
    let (tablets, mut members) = board_of_three(&s, &mut rng).await;
    // A fourth delegate votes too, from a tablet without a credential (paired before).
    s.check_in(EXTRA).await;
    let (old_tablet, _) = s.pair_for(DeviceKind::Tablet, Some(EXTRA)).await;
    let (mut old_live, _) = live(&old_tablet, "tablet", None).await;

    let req = CreateVote {
        client_id: cid("vote"),
        title: "Bầu cử thử".into(),
        kind: VoteKind::Motion,
        secrecy: Secrecy::Secret,
        rule: None,
        allow_change: true,
        show_running_tally: true,
        duration_s: Some(120),
        turnout: None,
    };
    let created = s.secretariat.create_vote(&req).await.unwrap();
    assert!(
        created.spec.encrypted,
        "a secret vote is encrypted once the board has its key"
    );
    assert!(
        !created.spec.show_running_tally,
        "no running tally for a secret vote"
    );
    assert!(!created.spec.allow_change);
    let id = created.spec.id.0;
    let ctx = open_encrypted(&s, id).await;

    // Voters: the three members (for, for, against).
    let mut voters: Vec<VoterTablet> = Vec::new();
    for m in &tablets {
        let (live, _) = live(&m.api, "tablet", None).await;
        voters.push(VoterTablet {
            live,
            credential: Credential::from_seed(&m.credential.seed()),
        });
    }
    let choices = [0u32, 0, 1];
    let mut acks = Vec::new();
    for (v, c) in voters.iter_mut().zip(choices) {
        let ballot =
            Ballot::cast(&mut rng, &ctx, &v.credential, &Selection::Options(vec![c])).unwrap();
        let client_id = cid("ballot-0123456789");
        let ack = cast_bytes(&mut v.live, id, ballot.to_bytes(), &client_id)
            .await
            .expect("ballot accepted");
        assert_eq!(
            ack.tracker.as_deref(),
            Some(ballot.tracker().hex().as_str())
        );
        // A retry of the same ballot gets the same answer.
        let again = cast_bytes(&mut v.live, id, ballot.to_bytes(), &client_id)
            .await
            .expect("a retry is acknowledged");
        assert_eq!(again.tracker, ack.tracker);
        acks.push((ballot, ack));
    }

    // Bad ballots, each refused with its reason.
    let v0 = &mut voters[0];
    let second =
        Ballot::cast(&mut rng, &ctx, &v0.credential, &Selection::Options(vec![1])).unwrap();
    let (code, _) = cast_bytes(
        &mut v0.live,
        id,
        second.to_bytes(),
        &cid("ballot-second-000"),
    )
    .await
    .expect_err("a second ballot");
    assert_eq!(code, "already_voted");
    // EXTRA's old tablet has no credential.
    let stranger = Credential::generate(&mut rng);
    let foreign = Ballot::cast(&mut rng, &ctx, &stranger, &Selection::Options(vec![2])).unwrap();
    let (code, message) = cast_bytes(
        &mut old_live,
        id,
        foreign.to_bytes(),
        &cid("ballot-foreign-00"),
    )
    .await
    .expect_err("no credential");
    assert_eq!(code, "invalid_ballot", "{message}");
    // A plain ballot in an encrypted vote.
    old_live
        .cast_ballot(&cid("ballot-plain-0000"), id, BallotChoice::Blank)
        .await
        .unwrap();
    let (code, _) = within(old_live.next_ballot_reply())
        .await
        .unwrap()
        .expect_err("plain");
    assert_eq!(code, "wrong_ballot");
    // EXTRA pairs a new tablet with a credential; a ballot signed by another key, one whose
    // proof was tampered with, one for another vote, and garbage are refused.
    let (extra_api, extra_cred, _) = pair_with_credential(&s, EXTRA, &mut rng).await;
    let (mut extra, _) = live(&extra_api, "tablet", None).await;
    let (code, _) = cast_bytes(
        &mut extra,
        id,
        foreign.to_bytes(),
        &cid("ballot-foreign-01"),
    )
    .await
    .expect_err("signed by another key");
    assert_eq!(code, "invalid_ballot");
    let good = Ballot::cast(&mut rng, &ctx, &extra_cred, &Selection::Blank).unwrap();
    let mut tampered = good.to_bytes().to_vec();
    let last = tampered.len() - 70; // inside the proofs, before the signature
    tampered[last] ^= 1;
    let (code, _) = cast_bytes(&mut extra, id, &tampered, &cid("ballot-tampered-0"))
        .await
        .expect_err("tampered");
    assert_eq!(code, "invalid_ballot");
    let (code, _) = cast_bytes(&mut extra, id, b"not a ballot", &cid("ballot-garbage-00"))
        .await
        .expect_err("garbage");
    assert_eq!(code, "invalid_ballot");
    extra
        .send_text(
            serde_json::json!({"type": "cast_secret_ballot", "client_id": cid("ballot-notb64-00"), "vote_id": id, "ballot": "%%%"})
                .to_string(),
        )
        .await
        .unwrap();
    let (code, _) = within(extra.next_ballot_reply())
        .await
        .unwrap()
        .expect_err("not base64");
    assert_eq!(code, "invalid_ballot");
    // After all that, EXTRA's good blank ballot still counts.
    cast_bytes(&mut extra, id, good.to_bytes(), &cid("ballot-good-00000"))
        .await
        .expect("EXTRA's ballot");
    let open: VoteInfo = s
        .secretariat
        .get(&format!("/api/votes/{id}"))
        .await
        .unwrap();
    assert_eq!(open.cast, 4);

    // The close: the server verifies and sums; the members decrypt (2 of 3).
    s.secretariat
        .vote_action(id, "close", &cid("close"))
        .await
        .unwrap();
    let closed = wait_for(&s, id, |v| {
        v.encryption.as_ref().is_some_and(|e| e.tally.is_some())
    })
    .await;
    assert!(
        closed.result.is_none(),
        "nothing is known before the board decrypts"
    );
    // A retry of an acknowledged ballot after the close is still acknowledged.
    let (b0, a0) = &acks[0];
    let retry = cast_bytes(&mut voters[0].live, id, b0.to_bytes(), &a0.client_id)
        .await
        .expect("retry after the close");
    assert_eq!(retry.tracker, a0.tracker);
    let enc = closed.encryption.unwrap();
    assert_eq!(enc.counted, Some(4));
    let tally: Vec<WireCiphertext> = serde_json::from_str(enc.tally.as_deref().unwrap()).unwrap();
    let tally: Vec<_> = tally.iter().map(|c| c.decode().unwrap()).collect();
    // A partial from a delegate who is not on the board, and a wrong member index, are refused.
    let m1 = &members[0];
    let p1 = partial_decrypt(&mut rng, &ctx, &m1.key, &tally);
    let bad_id = cid("partial-bad");
    extra
        .send(&ClientMsg::SubmitPartial {
            client_id: bad_id.clone(),
            vote_id: id,
            partial: serde_json::to_string(&p1).unwrap(),
        })
        .await
        .unwrap();
    let (code, _) = answer(&mut extra, &bad_id).await.expect_err("not a member");
    assert_eq!(code, "invalid_ballot");
    for m in [0usize, 2] {
        let member = &mut members[m];
        let p = partial_decrypt(&mut rng, &ctx, &member.key, &tally);
        let pid = cid("partial");
        member
            .live
            .send(&ClientMsg::SubmitPartial {
                client_id: pid.clone(),
                vote_id: id,
                partial: serde_json::to_string(&p).unwrap(),
            })
            .await
            .unwrap();
        answer(&mut member.live, &pid)
            .await
            .expect("partial accepted");
    }
    let done = wait_for(&s, id, |v| v.result.is_some()).await;
    let result = done.result.unwrap();
    match &result.counts {
        VoteCounts::Motion(m) => {
            assert_eq!((m.for_, m.against, m.abstain), (2, 1, 0), "{result:?}");
        }
        other => panic!("a motion's counts, got {other:?}"),
    }
    assert_eq!(result.ballots.blank, 1);
    assert_eq!(result.ballots.cast, 4);

    // Any delegate's tablet fetches the bulletin board, and it verifies on its own.
    let board: Board = old_tablet
        .get(&format!("/api/votes/{id}/board.json"))
        .await
        .expect("bulletin board");
    let verified = congress_ballot::verify_board(&board).expect("the board verifies");
    assert_eq!(verified.result, vec![2, 1, 0, 1]);
    assert_eq!(board.ballots.len(), 4);
    for (_, ack) in &acks {
        let tracker = ack.tracker.clone().unwrap();
        assert!(
            board
                .ballots
                .iter()
                .any(|b| hex::encode(b.tracker.0) == tracker),
            "every voter finds their tracker on the board"
        );
    }
    // Tampering with the published board is caught.
    let mut forged = board.clone();
    forged.result = vec![3, 0, 0, 1];
    assert!(congress_ballot::verify_board(&forged).is_err());

    // What a curious operator with the data folder finds: ciphertexts only. No ballot of this
    // vote in the sealed box, no choice anywhere in the journal, no running count pushed.
    let db = s.conn();
    let sealed: i64 = db
        .query_row(
            "SELECT count(*) FROM vote_ballots_secret WHERE vote_id = ?1",
            [id as i64],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(sealed, 0);
    let mut st = db.prepare("SELECT kind, body FROM journal").unwrap();
    let rows: Vec<(String, String)> = st
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(|r| r.unwrap())
        .collect();
    for (kind, body) in &rows {
        assert!(!body.contains("\"choice\""), "{kind}: {body}");
        assert_ne!(kind, "secret_ballot_cast");
    }
    assert_eq!(
        rows.iter()
            .filter(|(k, _)| k == "encrypted_ballot_cast")
            .count(),
        4
    );

    // The journal verifies and replays with the encrypted vote in it.
    let report = congress_store::verify(&s.db()).expect("verify");
    assert!(report.ok(), "{:?}", report.problems);
}

/// Without a board key, a secret vote is refused encryption-only messages, and a board cannot
/// be defined for a delegate whose tablet has no credential.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_board_needs_members_with_credentials_and_the_secretariat() {
    let s = TestServer::start().await;
    s.check_in(VIET).await;
    s.pair_for(DeviceKind::Tablet, Some(VIET)).await;
    let define = DefineBoard {
        client_id: cid("board"),
        members: vec![VIET.into()],
        threshold: 1,
    };
    let (status, body) = status_of(
        s.secretariat
            .post::<_, BoardView>("/api/board", &define)
            .await,
    );
    assert_eq!(status, 409, "{body}");
    let mut rng = ChaCha20Rng::seed_from_u64(1);
    pair_with_credential(&s, VIET, &mut rng).await;
    let define = DefineBoard {
        client_id: cid("board"),
        members: vec![VIET.into(), "nobody".into()],
        threshold: 1,
    };
    let (status, _) = status_of(
        s.secretariat
            .post::<_, BoardView>("/api/board", &define)
            .await,
    );
    assert_eq!(status, 404);
    let define = DefineBoard {
        client_id: cid("board"),
        members: vec![VIET.into()],
        threshold: 1,
    };
    let (status, _) = status_of(
        s.credentials
            .post::<_, BoardView>("/api/board", &define)
            .await,
    );
    assert_eq!(status, 403, "only the secretariat defines the board");
    let (status, _) = status_of(s.anon.get::<BoardView>("/api/board").await);
    assert_eq!(status, 401);
    let (status, _) = status_of(s.secretariat.get::<BoardView>("/api/board").await);
    assert_eq!(status, 404, "no board yet");
    // A credential that is not a public key is refused at pairing.
    let (status, _) = status_of(
        s.admin
            .pair_device_with(DeviceKind::Tablet, Some(VIET), None, Some("zz".repeat(32)))
            .await
            .map(|(_, paired)| paired),
    );
    assert_eq!(status, 422);
}

/// In a storm the server acks an encrypted ballot after the cheap checks and verifies its proofs
/// just after (`congress_app::votes::proofs`). A forged tablet's ballot (well signed, bad proof)
/// is then acked, but rejected within moments: its tablet is told, it never counts, and the
/// delegate can vote again. Taken on purpose here by setting the before-ack budget to 0.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_ballot_acked_before_its_proofs_are_checked_is_rejected_when_they_fail() {
    let mut rng = ChaCha20Rng::seed_from_u64(9);
    let s = TestServer::start().await;
    let (tablets, mut members) = board_of_three(&s, &mut rng).await;
    let req = CreateVote {
        client_id: cid("vote"),
        title: "Bầu cử thử".into(),
        kind: VoteKind::Motion,
        secrecy: Secrecy::Secret,
        rule: None,
        allow_change: false,
        show_running_tally: false,
        duration_s: Some(120),
        turnout: None,
    };
    let id = s.secretariat.create_vote(&req).await.unwrap().spec.id.0;
    let ctx = open_encrypted(&s, id).await;
    let proofs = &s.state.as_ref().expect("in-process server").proofs;

    // Verified before the ack (the default when a core is free): refused at once.
    let mut v0 = live(&tablets[0].api, "tablet", None).await.0;
    let forged = congress_ballot::testkit::ballot_with_bad_proof(
        &mut rng,
        &ctx,
        &tablets[0].credential,
        &Selection::Options(vec![0]),
    )
    .unwrap();
    let (code, message) = cast_bytes(&mut v0, id, &forged, &cid("ballot-forged-000"))
        .await
        .expect_err("a bad proof verified before the ack is refused");
    assert_eq!(code, "invalid_ballot", "{message}");

    // After the ack: acknowledged, then rejected and the tablet told.
    proofs.set_budget(0);
    let ack = cast_bytes(&mut v0, id, &forged, &cid("ballot-forged-001"))
        .await
        .expect("acked before its proofs are checked");
    let rejected = loop {
        let (_, push) = v0
            .next_push_within(std::time::Duration::from_secs(10))
            .await
            .expect("ballot_rejected pushed to the tablet");
        if let Push::BallotRejected {
            vote_id, tracker, ..
        } = push
        {
            break (vote_id, tracker);
        }
    };
    assert_eq!(rejected, (id, ack.tracker.clone().unwrap()));
    // The delegate votes again (still after the ack), and so do the others.
    for (t, choice) in tablets.iter().zip([1u32, 0, 0]) {
        let mut l = live(&t.api, "tablet", None).await.0;
        let b = Ballot::cast(
            &mut rng,
            &ctx,
            &t.credential,
            &Selection::Options(vec![choice]),
        )
        .unwrap();
        cast_bytes(&mut l, id, b.to_bytes(), &cid("ballot-good-00000"))
            .await
            .expect("a good ballot");
    }
    for _ in 0..100 {
        if proofs.waiting() == 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    s.secretariat
        .vote_action(id, "close", &cid("close"))
        .await
        .unwrap();
    let closed = wait_for(&s, id, |v| {
        v.encryption.as_ref().is_some_and(|e| e.tally.is_some())
    })
    .await;
    let enc = closed.encryption.unwrap();
    assert_eq!(enc.counted, Some(3), "the forged ballot never counts");
    congress_sim::board::decrypt(&mut members[..2], &ctx, id, &enc.tally.unwrap(), &mut rng)
        .await
        .expect("two members decrypt");
    let result = wait_for(&s, id, |v| v.result.is_some())
        .await
        .result
        .unwrap();
    match &result.counts {
        VoteCounts::Motion(m) => assert_eq!((m.for_, m.against), (2, 1), "{result:?}"),
        other => panic!("a motion's counts, got {other:?}"),
    }
}

/// With `secret_needs_board = true` (a congress that elects a counting board), a secret vote
/// cannot be created before the board's key exists, rather than falling back to the ballot box
/// the server seals; open votes are not affected, and once the key exists secret votes are
/// encrypted.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_secret_needs_board_a_secret_vote_waits_for_the_boards_key() {
    let mut rng = ChaCha20Rng::seed_from_u64(3);
    let mut s = TestServer::start().await;
    s.config.secret_needs_board = true;
    let s = s.restart().await;
    let mut req = CreateVote {
        client_id: cid("vote"),
        title: "Bầu cử".into(),
        kind: VoteKind::Motion,
        secrecy: Secrecy::Secret,
        rule: None,
        allow_change: false,
        show_running_tally: false,
        duration_s: None,
        turnout: None,
    };
    let (status, body) = status_of(s.secretariat.create_vote(&req).await);
    assert_eq!((status, body.as_str()), (409, "conflict"));
    req.secrecy = Secrecy::Open;
    req.client_id = cid("vote-open");
    let open = s.secretariat.create_vote(&req).await.expect("an open vote");
    assert!(!open.spec.encrypted);
    board_of_three(&s, &mut rng).await;
    req.secrecy = Secrecy::Secret;
    req.client_id = cid("vote-secret");
    let secret = s
        .secretariat
        .create_vote(&req)
        .await
        .expect("a secret vote");
    assert!(secret.spec.encrypted);
}

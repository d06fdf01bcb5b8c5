//! Votes over real websockets: the ballot's life, refusals that change nothing, reconnect and
//! retry, quorum, roles, and secrecy read from the SQLite file itself.
//!
//! (Over 600 lines on purpose: each test is a whole scenario over real sockets.)

use congress_client::{Api, Live, Start};
use congress_proto::*;

use crate::util::*;

fn motion(secrecy: Secrecy) -> CreateVote {
    CreateVote {
        client_id: cid("vote"),
        title: "Thông qua chương trình đại hội".into(),
        kind: VoteKind::Motion,
        secrecy,
        rule: None,
        allow_change: false,
        show_running_tally: true,
        duration_s: Some(120),
        turnout: None,
    }
}

/// A server with D1..D3 checked in (quorum), and a tablet per delegate.
async fn setup() -> (TestServer, Vec<Api>) {
    let s = TestServer::start().await;
    let mut tablets = Vec::new();
    for d in [VIET, ARAB, PLAIN] {
        s.check_in(d).await;
        tablets.push(s.pair_for(DeviceKind::Tablet, Some(d)).await.0);
    }
    (s, tablets)
}

async fn open_vote(s: &TestServer, req: CreateVote) -> u64 {
    let v = s.secretariat.create_vote(&req).await.unwrap();
    s.secretariat
        .vote_action(v.spec.id, "open", &cid("open"))
        .await
        .unwrap();
    v.spec.id.0
}

async fn cast(
    live: &mut Live,
    id: &str,
    vote: u64,
    choice: BallotChoice,
) -> Result<BallotAck, (String, String)> {
    live.cast_ballot(id, vote, choice).await.unwrap();
    within(live.next_ballot_reply()).await.unwrap()
}

fn pos(p: MotionPosition) -> BallotChoice {
    BallotChoice::Motion { position: p }
}

fn code(r: Result<BallotAck, (String, String)>) -> String {
    match r {
        Err((c, _)) => c,
        Ok(a) => panic!("expected a refusal, got {a:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ballot_life_and_every_refusal_changes_nothing() {
    let (s, tablets) = setup().await;
    let v = s
        .secretariat
        .create_vote(&motion(Secrecy::Open))
        .await
        .unwrap();
    let id = v.spec.id.0;
    let (mut t1, _) = live(&tablets[0], "tablet", None).await;
    let (mut t2, _) = live(&tablets[1], "tablet", None).await;
    // Not open yet; unknown vote.
    assert_eq!(
        code(
            cast(
                &mut t1,
                "ballot-0000000000000001",
                id,
                pos(MotionPosition::For)
            )
            .await
        ),
        "vote_not_open"
    );
    assert_eq!(
        code(
            cast(
                &mut t1,
                "ballot-0000000000000002",
                999,
                pos(MotionPosition::For)
            )
            .await
        ),
        "unknown_vote"
    );
    s.secretariat
        .vote_action(id, "open", &cid("open"))
        .await
        .unwrap();
    // The tablets hear that it opened.
    loop {
        let (_, p) = t2
            .next_push_within(std::time::Duration::from_secs(5))
            .await
            .unwrap();
        if let Push::Vote { vote } = p {
            assert!(matches!(
                vote.phase,
                VotePhase::Open {
                    closes_at: Some(_),
                    ..
                }
            ));
            break;
        }
    }
    let ack = cast(
        &mut t1,
        "ballot-0000000000000003",
        id,
        pos(MotionPosition::For),
    )
    .await
    .unwrap();
    assert_eq!(ack.receipt.len(), 10);
    // A retry returns the same ack; the same id with another ballot is refused.
    assert_eq!(
        cast(
            &mut t1,
            "ballot-0000000000000003",
            id,
            pos(MotionPosition::For)
        )
        .await
        .unwrap(),
        ack
    );
    assert_eq!(
        code(
            cast(
                &mut t1,
                "ballot-0000000000000003",
                id,
                pos(MotionPosition::Against)
            )
            .await
        ),
        "conflict"
    );
    // A second ballot; wrong kind / unknown option; a short id.
    assert_eq!(
        code(
            cast(
                &mut t1,
                "ballot-0000000000000004",
                id,
                pos(MotionPosition::Against)
            )
            .await
        ),
        "already_voted"
    );
    assert_eq!(
        code(
            cast(
                &mut t2,
                "ballot-0000000000000005",
                id,
                BallotChoice::Choice {
                    option: OptionId(7)
                }
            )
            .await
        ),
        "invalid_ballot"
    );
    assert_eq!(
        code(cast(&mut t2, "short", id, pos(MotionPosition::For)).await),
        "invalid_json"
    );
    // Another delegate's ballot cannot even be expressed: a delegate field is refused.
    t2.send_text(format!(
        r#"{{"type":"cast_ballot","client_id":"ballot-0000000000000006","vote_id":{id},"choice":{{"kind":"blank"}},"delegate_id":"D1"}}"#
    ))
    .await
    .unwrap();
    match within(t2.next_raw()).await.unwrap() {
        ServerMsg::Error { error, fatal, .. } => {
            assert_eq!(error, "invalid_json");
            assert!(!fatal);
        }
        other => panic!("{other:?}"),
    }
    // A delegate who is not checked in.
    let (absent, _) = s.pair_for(DeviceKind::Tablet, Some(EXTRA)).await;
    let (mut t4, _) = live(&absent, "tablet", None).await;
    assert_eq!(
        code(
            cast(
                &mut t4,
                "ballot-0000000000000007",
                id,
                pos(MotionPosition::For)
            )
            .await
        ),
        "not_present"
    );
    cast(
        &mut t2,
        "ballot-0000000000000008",
        id,
        pos(MotionPosition::Abstain),
    )
    .await
    .unwrap();

    let closed = s
        .secretariat
        .vote_action(id, "close", &cid("close"))
        .await
        .unwrap();
    let r = closed.result.unwrap();
    assert_eq!(r.ballots.cast, 2);
    assert_eq!(
        r.counts,
        VoteCounts::Motion(MotionCounts {
            for_: 1,
            against: 0,
            abstain: 1
        })
    );
    assert_eq!(r.outcome, Outcome::Rejected); // 1 of 2 valid is not more than half
    assert_eq!(
        code(
            cast(
                &mut t2,
                "ballot-0000000000000009",
                id,
                pos(MotionPosition::For)
            )
            .await
        ),
        "vote_not_open"
    );
    // The open vote's export names who voted what; CSV too.
    let e: VoteExport = s
        .observer
        .get(&format!("/api/votes/{id}/result.json"))
        .await
        .unwrap();
    let mine = e.ballots.iter().find(|b| b.receipt == ack.receipt).unwrap();
    assert_eq!(mine.delegate_id.as_deref(), Some(VIET));
    let (status, body) = s
        .observer
        .raw(
            reqwest::Method::GET,
            &format!("/api/votes/{id}/result.csv"),
            "text/plain",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(status, 200);
    assert!(body.contains(&ack.receipt));
    // The journal still verifies.
    assert!(congress_store::verify(&s.db()).unwrap().ok());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_election_ballot_keeping_too_many_names_is_refused_and_can_be_corrected() {
    let (s, tablets) = setup().await;
    let candidates = (1..=3)
        .map(|i| VoteOption {
            id: OptionId(i),
            label: format!("Ứng viên {i}"),
        })
        .collect();
    let id = open_vote(
        &s,
        CreateVote {
            kind: VoteKind::Election {
                seats: 1,
                candidates,
            },
            ..motion(Secrecy::Secret)
        },
    )
    .await;
    let (mut t1, _) = live(&tablets[0], "tablet", None).await;
    let (mut t2, _) = live(&tablets[1], "tablet", None).await;
    // Over-marked: refused (the delegate's vote is not used up), then corrected.
    let (over, message) = cast(
        &mut t1,
        "ballot-e000000000000001",
        id,
        BallotChoice::Election {
            kept: vec![OptionId(1), OptionId(2)],
        },
    )
    .await
    .unwrap_err();
    assert_eq!(over, "invalid_ballot");
    assert!(
        message.contains("2 names") && message.contains("1 seats"),
        "{message}"
    );
    cast(
        &mut t1,
        "ballot-e000000000000004",
        id,
        BallotChoice::Election {
            kept: vec![OptionId(2)],
        },
    )
    .await
    .unwrap();
    assert_eq!(
        code(
            cast(
                &mut t2,
                "ballot-e000000000000002",
                id,
                BallotChoice::Election {
                    kept: vec![OptionId(9)]
                }
            )
            .await
        ),
        "invalid_ballot"
    );
    cast(
        &mut t2,
        "ballot-e000000000000003",
        id,
        BallotChoice::Election {
            kept: vec![OptionId(1)],
        },
    )
    .await
    .unwrap();
    let r = s
        .secretariat
        .vote_action(id, "close", &cid("close"))
        .await
        .unwrap()
        .result
        .unwrap();
    assert_eq!(
        (r.ballots.cast, r.ballots.invalid, r.ballots.valid),
        (2, 0, 2)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_vote_opens_only_with_quorum_and_only_operators_manage_votes() {
    let s = TestServer::start().await;
    let (tablet, _) = s.pair(DeviceKind::Tablet).await;
    let v = s
        .secretariat
        .create_vote(&motion(Secrecy::Open))
        .await
        .unwrap();
    let (status, _) = status_of(
        s.secretariat
            .vote_action(v.spec.id, "open", &cid("open"))
            .await,
    );
    assert_eq!(status, 422);
    assert_eq!(
        status_of(tablet.create_vote(&motion(Secrecy::Open)).await).0,
        403
    );
    assert_eq!(
        status_of(tablet.vote_action(v.spec.id, "open", &cid("x")).await).0,
        403
    );
    assert_eq!(
        status_of(s.credentials.create_vote(&motion(Secrecy::Open)).await).0,
        403
    );
    assert_eq!(
        status_of(tablet.get::<Vec<VoteInfo>>("/api/votes").await).0,
        403
    );
    s.check_in(VIET).await;
    s.check_in(ARAB).await;
    s.secretariat
        .vote_action(v.spec.id, "open", &cid("open"))
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_offline_tablet_gets_the_open_vote_and_its_retry_after_reconnect_is_acked_once() {
    let (s, tablets) = setup().await;
    let id = open_vote(&s, motion(Secrecy::Secret)).await;
    let (mut t1, start) = live(&tablets[0], "tablet", None).await;
    let Start::Snapshot(snap) = start else {
        panic!()
    };
    let v = snap.votes.iter().find(|v| v.spec.id.0 == id).unwrap();
    assert_eq!(v.voted, Some(false));
    // Send, drop the connection before the ack, reconnect and send the same ballot again.
    t1.cast_ballot("ballot-r000000000000001", id, pos(MotionPosition::For))
        .await
        .unwrap();
    let last = t1.last_seq;
    t1.close().await;
    let (mut t1, _) = live(&tablets[0], "tablet", Some(last)).await;
    let ack = cast(
        &mut t1,
        "ballot-r000000000000001",
        id,
        pos(MotionPosition::For),
    )
    .await
    .unwrap();
    assert_eq!(
        cast(
            &mut t1,
            "ballot-r000000000000001",
            id,
            pos(MotionPosition::For)
        )
        .await
        .unwrap(),
        ack
    );
    assert_eq!(
        code(
            cast(
                &mut t1,
                "ballot-r000000000000001",
                id,
                pos(MotionPosition::Against)
            )
            .await
        ),
        "conflict"
    );
    let (_, start) = live(&tablets[0], "tablet", None).await;
    let Start::Snapshot(snap) = start else {
        panic!()
    };
    assert_eq!(
        snap.votes.iter().find(|v| v.spec.id.0 == id).unwrap().voted,
        Some(true)
    );
    let r = s
        .secretariat
        .vote_action(id, "close", &cid("close"))
        .await
        .unwrap()
        .result
        .unwrap();
    assert_eq!(r.ballots.cast, 1);
    let e: VoteExport = s
        .observer
        .get(&format!("/api/votes/{id}/result.json"))
        .await
        .unwrap();
    assert_eq!(e.ballots.len(), 1);
    assert_eq!(e.ballots[0].receipt, ack.receipt);
    assert_eq!(e.ballots[0].delegate_id, None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_oversized_and_flooding_frames_are_refused() {
    let (s, tablets) = setup().await;
    let id = open_vote(&s, motion(Secrecy::Open)).await;
    let (mut t1, _) = live(&tablets[0], "tablet", None).await;
    t1.send_text("{not json".into()).await.unwrap();
    assert!(matches!(
        within(t1.next_raw()).await.unwrap(),
        ServerMsg::Error { fatal: false, .. }
    ));
    // A flood: told to slow down, and nothing is recorded.
    for n in 0..60u32 {
        t1.send(&ClientMsg::Ping { nonce: n }).await.unwrap();
    }
    let mut limited = false;
    for _ in 0..60 {
        if let ServerMsg::Error { error, .. } = within(t1.next_raw()).await.unwrap() {
            limited |= error == "rate_limited";
        }
    }
    assert!(limited);
    // Oversized: the connection is closed.
    let (mut t2, _) = live(&tablets[1], "tablet", None).await;
    let big = format!(
        r#"{{"type":"cast_ballot","client_id":"{}","vote_id":{id},"choice":{{"kind":"blank"}}}}"#,
        "x".repeat(MAX_CLIENT_MESSAGE_BYTES + 10)
    );
    let _ = t2.send_text(big).await;
    assert!(within(t2.next_raw()).await.is_err());
    let r = s
        .secretariat
        .vote_action(id, "close", &cid("close"))
        .await
        .unwrap()
        .result
        .unwrap();
    assert_eq!(r.ballots.cast, 0);
}

/// Reads the database after a secret vote: no table and no journal entry ties a ballot to
/// its voter.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_secret_ballot_cannot_be_linked_to_its_voter_in_the_database() {
    let (s, tablets) = setup().await;
    let id = open_vote(&s, motion(Secrecy::Secret)).await;
    let mut receipts = Vec::new();
    let mut ids = Vec::new();
    for (i, (t, p)) in tablets
        .iter()
        .zip([
            MotionPosition::For,
            MotionPosition::Against,
            MotionPosition::Abstain,
        ])
        .enumerate()
    {
        let (mut l, _) = live(t, "tablet", None).await;
        let cid = format!("secret-ballot-{i:08}-abcdef");
        receipts.push(cast(&mut l, &cid, id, pos(p)).await.unwrap().receipt);
        ids.push(cid);
    }
    s.secretariat
        .vote_action(id, "close", &cid("close"))
        .await
        .unwrap();
    let db = s.conn();
    let dump = |sql: &str| -> Vec<String> {
        let mut st = db.prepare(sql).unwrap();
        let n = st.column_count();
        st.query_map([], |r| {
            Ok((0..n)
                .map(|i| format!("{:?}", r.get::<_, rusqlite::types::Value>(i).unwrap()))
                .collect::<Vec<_>>()
                .join("|"))
        })
        .unwrap()
        .map(|r| r.unwrap())
        .collect()
    };
    // The ballot table: receipt and marks only; no delegate, no time, no rowid.
    let cols: Vec<String> = dump("SELECT name FROM pragma_table_info('vote_ballots_secret')");
    assert_eq!(
        cols,
        vec!["Text(\"vote_id\")", "Text(\"receipt\")", "Text(\"choice\")"]
    );
    assert!(
        db.prepare("SELECT rowid FROM vote_ballots_secret").is_err(),
        "WITHOUT ROWID"
    );
    // Nowhere outside the ballots does a receipt or a ballot id appear; nowhere with a
    // receipt does a delegate or a device appear.
    let tables: Vec<String> = {
        let mut st = db
            .prepare("SELECT name FROM sqlite_master WHERE type = 'table'")
            .unwrap();
        st.query_map([], |r| r.get(0))
            .unwrap()
            .map(|r| r.unwrap())
            .collect()
    };
    let devices: Vec<String> = dump("SELECT id FROM devices");
    for t in &tables {
        for row in dump(&format!("SELECT * FROM {t}")) {
            for c in &ids {
                assert!(!row.contains(c.as_str()), "ballot id stored in {t}: {row}");
            }
            if receipts.iter().any(|r| row.contains(r.as_str())) {
                for d in [VIET, ARAB, PLAIN] {
                    assert!(
                        !row.contains(&format!("\"{d}\"")),
                        "{t} links a receipt to {d}: {row}"
                    );
                }
                for dev in &devices {
                    let dev = dev.trim_start_matches("Text(\"").trim_end_matches("\")");
                    assert!(!row.contains(dev), "{t} names a device: {row}");
                }
            }
        }
    }
    // Secret ballots are never journalled one by one: only the whole box, sorted by receipt,
    // in the close event.
    assert!(dump("SELECT 1 FROM journal WHERE kind = 'secret_ballot_cast'").is_empty());
    let closed = dump("SELECT body FROM journal WHERE kind = 'vote_closed'");
    assert_eq!(closed.len(), 1);
    let mut sorted = receipts.clone();
    sorted.sort();
    let at: Vec<usize> = sorted
        .iter()
        .map(|r| closed[0].find(r.as_str()).unwrap())
        .collect();
    assert!(
        at.windows(2).all(|w| w[0] < w[1]),
        "sealed ballots sorted by receipt"
    );
    assert_eq!(dump("SELECT 1 FROM vote_participation").len(), 3);
    assert!(congress_store::verify(&s.db()).unwrap().ok());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_open_vote_survives_a_restart_with_its_ballots() {
    let (s, tablets) = setup().await;
    let id = open_vote(&s, motion(Secrecy::Secret)).await;
    let (mut t1, _) = live(&tablets[0], "tablet", None).await;
    let ack = cast(
        &mut t1,
        "ballot-s000000000000001",
        id,
        pos(MotionPosition::For),
    )
    .await
    .unwrap();
    t1.close().await;
    // The sealed ballot box of an open secret vote is not in the journal yet; verify accepts it.
    assert!(congress_store::verify(&s.db()).unwrap().ok());
    let s = s.restart().await;
    let t1 = s.rebase(&tablets[0]);
    let (mut t1, _) = live(&t1, "tablet", None).await;
    // The retry after the restart is recognised; the vote is still open.
    assert_eq!(
        cast(
            &mut t1,
            "ballot-s000000000000001",
            id,
            pos(MotionPosition::For)
        )
        .await
        .unwrap(),
        ack
    );
    let t2 = s.rebase(&tablets[1]);
    let (mut t2, _) = live(&t2, "tablet", None).await;
    cast(
        &mut t2,
        "ballot-s000000000000002",
        id,
        pos(MotionPosition::For),
    )
    .await
    .unwrap();
    let r = s
        .secretariat
        .vote_action(id, "close", &cid("close"))
        .await
        .unwrap()
        .result
        .unwrap();
    assert_eq!(
        r.counts,
        VoteCounts::Motion(MotionCounts {
            for_: 2,
            against: 0,
            abstain: 0
        })
    );
    assert_eq!(r.outcome, Outcome::Adopted);
    // A retry of an acknowledged ballot after the close is acknowledged again, not refused.
    assert_eq!(
        cast(
            &mut t1,
            "ballot-s000000000000001",
            id,
            pos(MotionPosition::For)
        )
        .await
        .unwrap(),
        ack
    );
    assert!(congress_store::verify(&s.db()).unwrap().ok());
}

/// Issue 13, finding 10: a vote title an operator typed as a formula reached the result CSV as
/// a live formula (the minutes CSV was guarded, this export was not). Every text cell now
/// starts with `'` when it would be read as a formula.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_result_csv_neutralises_formulas() {
    let s = TestServer::start().await;
    s.check_in(VIET).await;
    s.check_in(ARAB).await;
    let evil = "=HYPERLINK(\"http://evil.example/x\",\"ok\")";
    let body = format!(
        r#"{{"client_id":"{}","title":{},"kind":{{"kind":"motion"}},"secrecy":"open","rule":null,"allow_change":false,"show_running_tally":true,"duration_s":60}}"#,
        cid("v"),
        serde_json::to_string(evil).unwrap()
    );
    let (status, created) = s
        .secretariat
        .raw(
            reqwest::Method::POST,
            "/api/votes",
            "application/json",
            body.into_bytes(),
        )
        .await
        .unwrap();
    assert_eq!(status, 200, "{created}");
    let id = serde_json::from_str::<serde_json::Value>(&created).unwrap()["spec"]["id"]
        .as_u64()
        .unwrap();
    s.secretariat
        .vote_action(id, "open", &cid("o"))
        .await
        .unwrap();
    s.secretariat
        .vote_action(id, "close", &cid("c"))
        .await
        .unwrap();
    let (status, csv) = s
        .observer
        .raw(
            reqwest::Method::GET,
            &format!("/api/votes/{id}/result.csv"),
            "text/plain",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(status, 200, "{csv}");
    assert!(csv.contains("HYPERLINK"), "{csv}");
    for cell in csv.split([',', '\n']) {
        let c = cell.trim_start_matches('"');
        assert!(
            !c.starts_with(['=', '+', '@']),
            "a live formula in the CSV: {cell}\n{csv}"
        );
    }
}

/// Issue 13, finding 12: a projector's device token received operator-only pushes (draft votes,
/// pairings, and the live list of who has not voted). It gets only what it shows: opened and
/// closed votes and the public turnout; consoles keep the full view.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_projector_gets_only_what_it_shows() {
    let (s, tablets) = setup().await;
    let (projector, _) = s.pair(DeviceKind::Projector).await;
    let (mut proj, _) = live(&projector, "projector", None).await;
    let (mut console, _) = live(&s.secretariat, "console", None).await;
    let draft = s
        .secretariat
        .create_vote(&motion(Secrecy::Open))
        .await
        .unwrap();
    let _ = s.pair(DeviceKind::Kiosk).await;
    s.secretariat
        .vote_action(draft.spec.id, "open", &cid("open"))
        .await
        .unwrap();
    let id = draft.spec.id.0;
    // Everything up to the opening: no device, no draft.
    loop {
        match within(proj.next_raw()).await.unwrap() {
            ServerMsg::Push {
                push: Push::Device { device },
                ..
            } => panic!("the projector received a pairing: {device:?}"),
            ServerMsg::Push {
                push: Push::Vote { vote },
                ..
            } => {
                assert_ne!(vote.phase, VotePhase::Draft, "the projector saw a draft");
                break;
            }
            _ => {}
        }
    }
    let (mut t1, _) = live(&tablets[0], "tablet", None).await;
    cast(
        &mut t1,
        "ballot-p000000000000001",
        id,
        pos(MotionPosition::For),
    )
    .await
    .unwrap();
    // The turnout, without who has not voted.
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let msg = tokio::time::timeout_at(deadline, proj.next_raw())
            .await
            .expect("the projector gets the turnout")
            .unwrap();
        match msg {
            ServerMsg::VoteLive { live } if live.vote_id == id => {
                assert_eq!(
                    live.not_voted, None,
                    "the projector learnt who has not voted"
                );
                if live.cast == 1 {
                    break;
                }
            }
            ServerMsg::Push {
                push: Push::Device { .. },
                ..
            } => panic!("the projector received a pairing"),
            _ => {}
        }
    }
    // The console still sees the draft, the pairing and who has not voted.
    let (mut seen_draft, mut seen_device, mut not_voted) = (false, false, None);
    while not_voted.is_none() {
        match within(console.next_raw()).await.unwrap() {
            ServerMsg::Push {
                push: Push::Vote { vote },
                ..
            } if vote.phase == VotePhase::Draft => seen_draft = true,
            ServerMsg::Push {
                push: Push::Device { .. },
                ..
            } => seen_device = true,
            ServerMsg::VoteLive { live } if live.vote_id == id && live.cast == 1 => {
                not_voted = live.not_voted.clone();
            }
            _ => {}
        }
    }
    assert!(seen_draft && seen_device);
    assert_eq!(not_voted.unwrap().len(), 2);
}

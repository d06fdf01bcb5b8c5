//! Issue 13, finding 16: the journal's hash chain is unkeyed, so whoever can write the database
//! can rewrite an event and recompute every later hash, and `congress verify` alone answers ok.
//! The heads the devices saw are witnesses: `congress verify --witness` and the devices' own
//! check on reconnect (`POST /api/journal/witness`) find the rewrite.

use congress_client::{Api, Live, Start};
use congress_proto::*;
use congress_store::{GENESIS_HASH, event_hash};

use crate::util::*;

/// Rewrites history as an attacker with the database would: every journal body and state row
/// containing `from` gets `to`, and every hash from the first rewritten event on is recomputed,
/// so the chain is consistent again. Returns the first rewritten seq.
fn rewrite_history(conn: &rusqlite::Connection, edits: &[(&str, &str)]) -> u64 {
    let rows: Vec<(i64, i64, String, String)> = conn
        .prepare("SELECT seq, at, actor, body FROM journal ORDER BY seq")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let mut prev = GENESIS_HASH.to_string();
    let mut first = None;
    for (seq, at, actor, body) in rows {
        let mut new = body.clone();
        for (from, to) in edits {
            new = new.replace(from, to);
        }
        if new != body {
            first.get_or_insert(seq as u64);
        }
        let hash = event_hash(&prev, seq as u64, at, &actor, &new);
        conn.execute(
            "UPDATE journal SET body = ?1, prev_hash = ?2, hash = ?3 WHERE seq = ?4",
            rusqlite::params![new, prev, hash, seq],
        )
        .unwrap();
        prev = hash;
    }
    // And the state tables, so that replaying the journal rebuilds them.
    for (from, to) in edits {
        conn.execute(
            "UPDATE vote_ballots_open SET choice = replace(choice, ?1, ?2)",
            [from, to],
        )
        .unwrap();
        conn.execute(
            "UPDATE votes SET result = replace(result, ?1, ?2)",
            [from, to],
        )
        .unwrap();
    }
    first.expect("an event was rewritten")
}

async fn cast(live: &mut Live, id: &str, vote: u64, position: MotionPosition) {
    live.cast_ballot(id, vote, BallotChoice::Motion { position })
        .await
        .unwrap();
    within(live.next_ballot_reply()).await.unwrap().unwrap();
}

fn journal_of(start: Start) -> JournalHead {
    match start {
        Start::Snapshot(s) => s.journal,
        Start::Resumed(_) => panic!("a snapshot was expected"),
    }
}

/// An open vote adopted 2 to 1; the delegate of `VIET` voted for. Returns the tablets.
async fn an_adopted_open_vote(s: &TestServer) -> Vec<Api> {
    let mut tablets = Vec::new();
    for d in [VIET, ARAB, PLAIN] {
        s.check_in(d).await;
        tablets.push(s.pair_for(DeviceKind::Tablet, Some(d)).await.0);
    }
    let v = s
        .secretariat
        .create_vote(&CreateVote {
            client_id: cid("vote"),
            title: "Thông qua nghị quyết".into(),
            kind: VoteKind::Motion,
            secrecy: Secrecy::Open,
            rule: None,
            allow_change: false,
            show_running_tally: true,
            duration_s: Some(120),
            turnout: None,
        })
        .await
        .unwrap();
    let id = v.spec.id.0;
    s.secretariat
        .vote_action(id, "open", &cid("open"))
        .await
        .unwrap();
    for (i, p) in [
        MotionPosition::For,
        MotionPosition::For,
        MotionPosition::Against,
    ]
    .into_iter()
    .enumerate()
    {
        let (mut t, _) = live(&tablets[i], "tablet", None).await;
        cast(&mut t, &format!("ballot-w00000000000000{i}"), id, p).await;
        t.close().await;
    }
    let r = s
        .secretariat
        .vote_action(id, "close", &cid("close"))
        .await
        .unwrap()
        .result
        .unwrap();
    assert_eq!(r.outcome, Outcome::Adopted);
    tablets
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rewritten_history_passes_verify_alone_but_every_witness_catches_it() {
    let s = TestServer::start().await;
    let tablets = an_adopted_open_vote(&s).await;
    // The devices keep the heads they see: a tablet after the vote, a console a bit later.
    let (t, start) = live(&tablets[0], "tablet", None).await;
    let tablet_head = journal_of(start);
    t.close().await;
    s.set_current(Some("A2")).await;
    let (c, start) = live(&s.observer, "console", None).await;
    let console_head = journal_of(start);
    c.close().await;
    assert!(console_head.seq > tablet_head.seq);
    let witnesses = vec![tablet_head.clone(), console_head.clone()];
    // The honest record agrees with its witnesses.
    assert!(
        congress_store::verify_witness(&s.db(), &witnesses)
            .unwrap()
            .ok()
    );

    // The attack: with the server stopped, VIET's ballot becomes "against" and the vote is
    // rejected 1 to 2; every later hash is recomputed.
    let mut s = s;
    s.stop().await;
    let db = s.db();
    let rewritten = rewrite_history(
        &s.conn(),
        &[
            (
                &format!(r#""delegate_id":"{VIET}","choice":{{"kind":"motion","position":"for"}}"#),
                &format!(
                    r#""delegate_id":"{VIET}","choice":{{"kind":"motion","position":"against"}}"#
                ),
            ),
            (r#""for":2,"against":1"#, r#""for":1,"against":2"#),
            (
                r#""outcome":{"kind":"adopted"}"#,
                r#""outcome":{"kind":"rejected"}"#,
            ),
        ],
    );
    assert!(rewritten <= tablet_head.seq);
    // `congress verify` alone: ok (the attack works against the chain).
    let report = congress_store::verify(&db).unwrap();
    assert!(report.ok(), "{:#?}", report.problems);
    assert_ne!(report.head_hash, console_head.hash);

    // `congress verify --witness FILE`: the heads file (JSON array or JSON lines) names the seqs.
    for text in [
        serde_json::to_string(&witnesses).unwrap(),
        witnesses
            .iter()
            .map(|h| serde_json::to_string(h).unwrap() + "\n")
            .collect::<String>(),
    ] {
        let heads = congress_store::witness::parse_heads(&text).unwrap();
        assert_eq!(heads, witnesses);
        let w = congress_store::verify_witness(&db, &heads).unwrap();
        assert!(!w.ok());
        for h in &witnesses {
            assert!(
                w.problems
                    .iter()
                    .any(|p| p.contains(&format!("seq {}", h.seq))),
                "{:#?}",
                w.problems
            );
        }
    }
    // A head beyond the journal's end: the journal was truncated.
    let beyond = JournalHead {
        seq: report.events + 5,
        hash: "ab".repeat(32),
    };
    let w = congress_store::verify_witness(&db, &[beyond]).unwrap();
    assert!(
        w.problems.iter().any(|p| p.contains("truncated")),
        "{:#?}",
        w.problems
    );

    // After a restart, the tablet's own check on reconnect finds the mismatch, and the consoles
    // are told.
    let s = s.restart().await;
    let (mut console, _) = live(&s.observer, "console", None).await;
    let tablet = s.rebase(&tablets[0]);
    let answer: WitnessAnswer = tablet
        .post(
            "/api/journal/witness",
            &WitnessRequest {
                heads: vec![tablet_head.clone()],
            },
        )
        .await
        .unwrap();
    assert!(!answer.ok);
    assert_eq!(answer.heads.len(), 1);
    let h = &answer.heads[0];
    assert_eq!(h.seq, tablet_head.seq);
    assert!(!h.matches);
    // The device compares for itself too: the server's hash is not the one it saw.
    assert_ne!(h.server_hash.as_deref(), Some(tablet_head.hash.as_str()));
    let alarm = loop {
        match within(console.next_raw()).await.unwrap() {
            ServerMsg::SecurityAlarm { alarm } => break alarm,
            _ => continue,
        }
    };
    assert_eq!(alarm.kind, "journal_rewritten");
    assert!(
        alarm.message.contains(&format!("seq {}", tablet_head.seq)),
        "{}",
        alarm.message
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_honest_record_matches_and_bad_witness_requests_are_refused() {
    let s = TestServer::start().await;
    s.check_in(VIET).await;
    let (kiosk, _) = s.pair(DeviceKind::Kiosk).await;
    let (k, start) = live(&kiosk, "kiosk", None).await;
    let head = journal_of(start);
    k.close().await;
    s.set_current(Some("A1")).await;
    let answer: WitnessAnswer = kiosk
        .post(
            "/api/journal/witness",
            &WitnessRequest {
                heads: vec![head.clone()],
            },
        )
        .await
        .unwrap();
    assert!(answer.ok);
    assert!(answer.heads[0].matches);
    assert_eq!(
        answer.heads[0].server_hash.as_deref(),
        Some(head.hash.as_str())
    );
    // Too many heads, a hash that is not hex: 400, with a message.
    let many = WitnessRequest {
        heads: vec![head.clone(); 65],
    };
    let (status, _) = status_of(
        kiosk
            .post::<_, WitnessAnswer>("/api/journal/witness", &many)
            .await,
    );
    assert_eq!(status, 400);
    let bad = WitnessRequest {
        heads: vec![JournalHead {
            seq: 1,
            hash: "not hex".into(),
        }],
    };
    let (status, _) = status_of(
        s.admin
            .post::<_, WitnessAnswer>("/api/journal/witness", &bad)
            .await,
    );
    assert_eq!(status, 400);
    // Nobody: 401.
    let (status, _) = status_of(
        s.anon
            .post::<_, WitnessAnswer>("/api/journal/witness", &WitnessRequest { heads: vec![] })
            .await,
    );
    assert_eq!(status, 401);
}

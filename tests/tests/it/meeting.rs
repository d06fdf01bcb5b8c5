//! The meeting over real HTTP and websockets: agenda control, the speakers' queue driven from
//! tablets and the console, the floor with its timer, projector scenes, refusals (not present,
//! unknown item, duplicates, replayed client ids, open votes), restart and `verify`.
//!
//! (Over 600 lines on purpose: each test is a whole scenario over real sockets.)

use congress_client::{Api, Live, Start};
use congress_proto::*;

use crate::util::*;

/// D1..D3 checked in, A1 started, one tablet per delegate D1..D4 (D4 is not checked in).
async fn setup() -> (TestServer, Vec<Api>) {
    let s = TestServer::start().await;
    let mut tablets = Vec::new();
    for d in [VIET, ARAB, PLAIN] {
        s.check_in(d).await;
    }
    for d in [VIET, ARAB, PLAIN, EXTRA] {
        tablets.push(s.pair_for(DeviceKind::Tablet, Some(d)).await.0);
    }
    start_item(&s, "A1").await.unwrap();
    (s, tablets)
}

async fn start_item(
    s: &TestServer,
    item: &str,
) -> Result<MeetingAck, congress_client::ClientError> {
    s.secretariat
        .post(
            &format!("/api/meeting/items/{item}/start"),
            &MeetingAction {
                client_id: cid("start"),
            },
        )
        .await
}

async fn op(
    s: &TestServer,
    path: &str,
    body: &impl Body,
) -> Result<MeetingAck, congress_client::ClientError> {
    s.secretariat.post(path, &body.json()).await
}

/// A request body (every meeting request type).
trait Body: Sync {
    fn json(&self) -> serde_json::Value;
}

macro_rules! body {
    ($($t:ty),*) => {$(
        impl Body for $t {
            fn json(&self) -> serde_json::Value {
                serde_json::to_value(self).unwrap()
            }
        }
    )*};
}
body!(
    MeetingAction,
    AddSpeaker,
    MoveSpeaker,
    GrantFloor,
    ExtendSpeaker
);

fn action() -> MeetingAction {
    MeetingAction {
        client_id: cid("act"),
    }
}

/// Sends a request to speak and waits for its answer (pushes in between are skipped).
async fn ask(
    live: &mut Live,
    client_id: &str,
    item: &str,
    kind: SpeakerKind,
) -> Result<SpeakAck, (String, String)> {
    live.send(&ClientMsg::RequestSpeak {
        client_id: client_id.into(),
        item_id: item.into(),
        kind,
    })
    .await
    .unwrap();
    reply(live).await
}

async fn withdraw(
    live: &mut Live,
    client_id: &str,
    request_id: u64,
) -> Result<SpeakAck, (String, String)> {
    live.send(&ClientMsg::WithdrawSpeak {
        client_id: client_id.into(),
        request_id,
    })
    .await
    .unwrap();
    reply(live).await
}

async fn reply(live: &mut Live) -> Result<SpeakAck, (String, String)> {
    within(async {
        loop {
            match live.next_raw().await.unwrap() {
                ServerMsg::SpeakAck { ack } => return Ok(ack),
                ServerMsg::SpeakRefused { error, message, .. } => return Err((error, message)),
                ServerMsg::Error { error, message, .. } => return Err((error, message)),
                ServerMsg::Push { seq, .. } => live.last_seq = seq,
                _ => {}
            }
        }
    })
    .await
}

/// The next meeting push (with its seq), skipping the others.
async fn next_meeting(live: &mut Live) -> (u64, MeetingView) {
    within(async {
        loop {
            if let (seq, Push::Meeting { meeting }) = live.next_push().await.unwrap() {
                return (seq, *meeting);
            }
        }
    })
    .await
}

fn queue_of(v: &MeetingView) -> Vec<String> {
    v.queues
        .iter()
        .filter(|r| v.current.as_ref() == Some(&r.item_id))
        .map(|r| r.delegate_id.clone())
        .collect()
}

fn journal_kinds(s: &TestServer) -> Vec<(String, serde_json::Value)> {
    let conn = s.db().connect(congress_store::Access::ReadOnly).unwrap();
    let mut st = conn
        .prepare("SELECT kind, body FROM journal ORDER BY seq")
        .unwrap();
    st.query_map([], |r| {
        Ok((
            r.get::<_, String>(0)?,
            serde_json::from_str(&r.get::<_, String>(1)?).unwrap(),
        ))
    })
    .unwrap()
    .map(Result::unwrap)
    .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_queue_from_two_tablets_and_the_console_with_the_floor_and_its_timer() {
    let (s, tablets) = setup().await;
    let (mut console, _) = live(&s.observer, "console", None).await;
    let (mut projector_dev, _) =
        live(&s.pair(DeviceKind::Projector).await.0, "projector", None).await;
    let (mut t1, _) = live(&tablets[0], "tablet", None).await;
    let (mut t2, _) = live(&tablets[1], "tablet", None).await;

    let a1 = ask(&mut t1, "speak-viet-0001", "A1", SpeakerKind::Normal)
        .await
        .unwrap();
    assert_eq!((a1.item_id.as_str(), a1.position), ("A1", Some(1)));
    let a2 = ask(&mut t2, "speak-arab-0001", "A1", SpeakerKind::Normal)
        .await
        .unwrap();
    assert_eq!(a2.position, Some(2));
    // The console puts D3 (no tablet of their own here) forward with a point of order.
    let ack = op(
        &s,
        "/api/meeting/speakers",
        &AddSpeaker {
            client_id: cid("add"),
            delegate_id: PLAIN.into(),
            item_id: "A1".into(),
            kind: SpeakerKind::PointOfOrder,
        },
    )
    .await
    .unwrap();
    assert_eq!(queue_of(&ack.meeting), [PLAIN, VIET, ARAB]);
    assert!(ack.meeting.queues[0].by.starts_with("operator:"));
    // Every client sees the three requests, in order, with increasing seq.
    let mut last = 0;
    let mut view = None;
    for _ in 0..3 {
        let (seq, v) = next_meeting(&mut console).await;
        assert!(seq > last);
        last = seq;
        view = Some(v);
    }
    assert_eq!(queue_of(&view.unwrap()), [PLAIN, VIET, ARAB]);

    // Move D2 before D1.
    let ack = op(
        &s,
        &format!("/api/meeting/speakers/{}/move", a2.request_id),
        &MoveSpeaker {
            client_id: cid("mv"),
            position: 1,
        },
    )
    .await
    .unwrap();
    assert_eq!(queue_of(&ack.meeting), [PLAIN, ARAB, VIET]);

    // Grant the point of order with the default limit; the timer is pushed once.
    let poo = ack.meeting.queues[0].request_id;
    let now = s.clock.now_ms();
    let ack = op(
        &s,
        &format!("/api/meeting/speakers/{poo}/grant"),
        &GrantFloor {
            client_id: cid("grant"),
            limit_s: None,
        },
    )
    .await
    .unwrap();
    let sp = ack.meeting.speaking.clone().unwrap();
    assert_eq!(sp.delegate_id, PLAIN);
    assert_eq!(sp.limit_s, ack.meeting.default_limit_s);
    assert!(sp.started_at >= now);
    // Granting another while D3 speaks is refused with a clear message.
    let r = op(
        &s,
        &format!("/api/meeting/speakers/{}/grant", a1.request_id),
        &GrantFloor {
            client_id: cid("grant"),
            limit_s: Some(60),
        },
    )
    .await;
    match r {
        Err(congress_client::ClientError::Api { status, body }) => {
            assert_eq!((status, body.error.as_str()), (409, "floor_taken"));
            assert!(body.message.contains(NFD_NAME), "{}", body.message);
        }
        other => panic!("{other:?}"),
    }
    let ack = op(
        &s,
        "/api/meeting/floor/extend",
        &ExtendSpeaker {
            client_id: cid("ext"),
            seconds: 30,
        },
    )
    .await
    .unwrap();
    assert_eq!(
        ack.meeting.speaking.as_ref().unwrap().limit_s,
        sp.limit_s + 30
    );
    s.clock.advance(95_000);
    let ack = op(&s, "/api/meeting/floor/stop", &action()).await.unwrap();
    assert!(ack.meeting.speaking.is_none());

    // D2 next, with an override; their tablet sees "you have the floor".
    let ack = op(
        &s,
        &format!("/api/meeting/speakers/{}/grant", a2.request_id),
        &GrantFloor {
            client_id: cid("grant"),
            limit_s: Some(45),
        },
    )
    .await
    .unwrap();
    assert_eq!(ack.meeting.speaking.as_ref().unwrap().limit_s, 45);
    let seen = within(async {
        loop {
            let (_, v) = next_meeting(&mut t2).await;
            if let Some(sp) = v.speaking.filter(|sp| sp.delegate_id == ARAB) {
                return sp;
            }
        }
    })
    .await;
    assert_eq!(seen.limit_s, 45);
    // The projector follows too.
    let v = within(async {
        loop {
            let (_, v) = next_meeting(&mut projector_dev).await;
            if v.speaking.as_ref().is_some_and(|sp| sp.delegate_id == ARAB) {
                return v;
            }
        }
    })
    .await;
    assert_eq!(queue_of(&v), [VIET]);

    // D1 withdraws; the journal holds the history the minutes list.
    withdraw(&mut t1, "withdraw-viet-01", a1.request_id)
        .await
        .unwrap();
    op(&s, "/api/meeting/floor/stop", &action()).await.unwrap();
    let kinds = journal_kinds(&s);
    let names: Vec<&str> = kinds.iter().map(|(k, _)| k.as_str()).collect();
    for k in [
        "item_started",
        "speaker_requested",
        "speakers_reordered",
        "speaker_granted",
        "speaker_extended",
        "speaker_finished",
        "speaker_withdrawn",
    ] {
        assert!(names.contains(&k), "{k} missing from {names:?}");
    }
    let finished: Vec<&serde_json::Value> = kinds
        .iter()
        .filter(|(k, _)| k == "speaker_finished")
        .map(|(_, b)| b)
        .collect();
    assert_eq!(finished.len(), 2);
    assert_eq!(finished[0]["delegate_id"], PLAIN);
    assert_eq!(finished[0]["item_id"], "A1");
    assert_eq!(finished[0]["reason"], "stopped");
    let spoke =
        finished[0]["ended_at"].as_i64().unwrap() - finished[0]["started_at"].as_i64().unwrap();
    assert_eq!(spoke, 95_000);
    let report = congress_store::verify(&s.db()).unwrap();
    assert!(report.ok(), "{:?}", report.problems);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refusals_from_tablets_change_nothing_and_retries_are_idempotent() {
    let (s, tablets) = setup().await;
    let (mut t1, _) = live(&tablets[0], "tablet", None).await;
    let (mut t2, _) = live(&tablets[1], "tablet", None).await;
    let (mut absent, _) = live(&tablets[3], "tablet", None).await;
    let head = s.head().await;

    // Not checked in: a clear refusal naming the delegate.
    let (code, msg) = ask(&mut absent, "speak-absent-001", "A1", SpeakerKind::Normal)
        .await
        .unwrap_err();
    assert_eq!(code, "not_present");
    assert!(
        msg.contains("Lê Văn Dự Khuyết") && msg.contains("checked in"),
        "{msg}"
    );
    // Unknown item, and an item that is not under discussion.
    let (code, _) = ask(&mut t1, "speak-unknown-01", "ZZ", SpeakerKind::Normal)
        .await
        .unwrap_err();
    assert_eq!(code, "not_found");
    let (code, msg) = ask(&mut t1, "speak-other-0001", "A2", SpeakerKind::Normal)
        .await
        .unwrap_err();
    assert_eq!(code, "not_current");
    assert!(msg.contains("A1"), "{msg}");
    // Malformed messages: a non-fatal error, the connection lives on.
    t1.send_text(
        r#"{"type":"request_speak","client_id":"x","item_id":"A1","kind":"shout"}"#.into(),
    )
    .await
    .unwrap();
    let (code, _) = reply(&mut t1).await.unwrap_err();
    assert_eq!(code, "invalid_json");
    let (code, _) = ask(&mut t1, "", "A1", SpeakerKind::Normal)
        .await
        .unwrap_err();
    assert_eq!(code, "invalid_json");
    assert_eq!(s.head().await, head, "refusals journal nothing");

    // A request, its retry (same answer), the same id for another request (conflict), a
    // duplicate with a new id (refused with the place in the queue).
    let first = ask(&mut t1, "speak-viet-0002", "A1", SpeakerKind::Normal)
        .await
        .unwrap();
    let again = ask(&mut t1, "speak-viet-0002", "A1", SpeakerKind::Normal)
        .await
        .unwrap();
    assert_eq!(first, again);
    let (code, _) = ask(&mut t1, "speak-viet-0002", "A1", SpeakerKind::Reply)
        .await
        .unwrap_err();
    assert_eq!(code, "conflict");
    let (code, msg) = ask(&mut t1, "speak-viet-0003", "A1", SpeakerKind::Normal)
        .await
        .unwrap_err();
    assert_eq!(code, "already_queued");
    assert!(msg.contains("place 1"), "{msg}");
    let view: MeetingView = s.observer.get("/api/meeting").await.unwrap();
    assert_eq!(queue_of(&view), [VIET]);

    // Only one's own request may be withdrawn.
    let (code, _) = withdraw(&mut t2, "withdraw-arab-01", first.request_id)
        .await
        .unwrap_err();
    assert_eq!(code, "forbidden");
    let w = withdraw(&mut t1, "withdraw-viet-02", first.request_id)
        .await
        .unwrap();
    assert_eq!(w.position, None);
    let w2 = withdraw(&mut t1, "withdraw-viet-02", first.request_id)
        .await
        .unwrap();
    assert_eq!(w, w2, "a retried withdrawal gets the same answer");
    let (code, _) = withdraw(&mut t1, "withdraw-viet-03", first.request_id)
        .await
        .unwrap_err();
    assert_eq!(code, "not_found");

    // Consoles and projectors cannot ask to speak over their socket.
    let (mut console, _) = live(&s.secretariat, "console", None).await;
    let (code, _) = ask(&mut console, "speak-console-1", "A1", SpeakerKind::Normal)
        .await
        .unwrap_err();
    assert_eq!(code, "forbidden");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_item_with_an_open_vote_cannot_be_closed_or_left() {
    let (s, _) = setup().await;
    let vote = s
        .secretariat
        .create_vote(&CreateVote {
            client_id: cid("vote"),
            title: "Thông qua chương trình đại hội".into(),
            kind: VoteKind::Motion,
            secrecy: Secrecy::Open,
            rule: None,
            allow_change: false,
            show_running_tally: true,
            duration_s: None,
            turnout: None,
        })
        .await
        .unwrap();
    let id = vote.spec.id.0;
    let ack: MeetingAck = s
        .secretariat
        .put(
            &format!("/api/meeting/votes/{id}/item"),
            &LinkVote {
                client_id: cid("link"),
                item_id: Some("A1".into()),
            },
        )
        .await
        .unwrap();
    assert_eq!(ack.meeting.items[0].votes, vec![id]);
    s.secretariat
        .vote_action(id, "open", &cid("open"))
        .await
        .unwrap();
    let head = s.head().await;
    for r in [
        op(&s, "/api/meeting/items/A1/close", &action()).await,
        start_item(&s, "A2").await,
    ] {
        match r {
            Err(congress_client::ClientError::Api { status, body }) => {
                assert_eq!((status, body.error.as_str()), (409, "vote_open"));
                assert!(
                    body.message.contains(&format!("vote {id}")),
                    "{}",
                    body.message
                );
                assert!(
                    body.message.contains("Thông qua chương trình"),
                    "{}",
                    body.message
                );
            }
            other => panic!("{other:?}"),
        }
    }
    let r = s
        .secretariat
        .put::<_, AgendaAck>(
            "/api/agenda/current",
            &SetCurrentItem {
                client_id: cid("cur"),
                item_id: Some("A2".into()),
            },
        )
        .await;
    assert_eq!(status_of(r), (409, "vote_open".into()));
    assert_eq!(s.head().await, head);
    s.secretariat
        .vote_action(id, "close", &cid("close"))
        .await
        .unwrap();
    let ack = op(&s, "/api/meeting/items/A1/close", &action())
        .await
        .unwrap();
    assert_eq!(ack.meeting.items[0].status, ItemStatus::Done);
    assert_eq!(ack.meeting.current, None);
    let ack = start_item(&s, "A2").await.unwrap();
    assert_eq!(ack.meeting.items[1].status, ItemStatus::InProgress);
    assert_eq!(ack.meeting.items[1].started_at, Some(s.clock.now_ms()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_operator_input_is_refused_with_the_right_status() {
    let (s, _) = setup().await;
    let head = s.head().await;
    let st = |r: Result<MeetingAck, congress_client::ClientError>| status_of(r);
    assert_eq!(st(start_item(&s, "ZZ").await), (404, "not_found".into()));
    assert_eq!(
        st(op(
            &s,
            "/api/meeting/speakers/999/grant",
            &GrantFloor {
                client_id: cid("g"),
                limit_s: None
            }
        )
        .await),
        (404, "not_found".into())
    );
    assert_eq!(
        st(op(
            &s,
            "/api/meeting/speakers/abc/grant",
            &GrantFloor {
                client_id: cid("g"),
                limit_s: None
            }
        )
        .await),
        (404, "not_found".into())
    );
    assert_eq!(
        st(op(&s, "/api/meeting/floor/stop", &action()).await),
        (409, "no_speaker".into())
    );
    let plan = |start: Option<&str>, minutes: Option<u32>, limit: Option<u32>| PlanItem {
        client_id: cid("plan"),
        planned_start: start.map(str::to_string),
        planned_minutes: minutes,
        speaker_limit_s: limit,
    };
    for bad in [
        plan(Some("<script>"), None, None),
        plan(None, Some(0), None),
        plan(None, None, Some(5)),
        plan(None, None, Some(100_000)),
    ] {
        let r: Result<MeetingAck, _> = s.secretariat.put("/api/meeting/items/A2/plan", &bad).await;
        assert_eq!(status_of(r), (422, "invalid".into()), "{bad:?}");
    }
    let long = SetScene {
        client_id: cid("scene"),
        scene: ProjectorScene::Notice {
            text: "x".repeat(501),
        },
    };
    let r: Result<MeetingAck, _> = s.secretariat.put("/api/meeting/projector", &long).await;
    assert_eq!(status_of(r).0, 422);
    let (status, text) = s
        .secretariat
        .raw(
            reqwest::Method::PUT,
            "/api/meeting/projector",
            "application/json",
            br#"{"client_id":"c1","scene":{"scene":"disco"}}"#.to_vec(),
        )
        .await
        .unwrap();
    assert_eq!(status, 400, "{text}");
    let (status, _) = s
        .secretariat
        .raw(
            reqwest::Method::POST,
            "/api/meeting/items/A1/start",
            "application/json",
            br#"{"client_id":"c1","extra":1}"#.to_vec(),
        )
        .await
        .unwrap();
    assert_eq!(status, 400);
    assert_eq!(s.head().await, head, "nothing journalled");
    // A good plan, and its replay with another body under the same client id.
    let good = PlanItem {
        client_id: "plan-a2-fixed-id".into(),
        ..plan(Some("2026-12-01T09:30"), Some(45), Some(300))
    };
    let ack: MeetingAck = s
        .secretariat
        .put("/api/meeting/items/A2/plan", &good)
        .await
        .unwrap();
    assert_eq!(ack.meeting.items[1].speaker_limit_s, Some(300));
    let agenda: Agenda = s.observer.get("/api/agenda").await.unwrap();
    assert_eq!(
        agenda.items[1].planned_start.as_deref(),
        Some("2026-12-01T09:30")
    );
    assert_eq!(agenda.items[1].planned_minutes, Some(45));
    let again: MeetingAck = s
        .secretariat
        .put("/api/meeting/items/A2/plan", &good)
        .await
        .unwrap();
    assert_eq!(again, ack);
    let other = PlanItem {
        planned_minutes: Some(50),
        ..good
    };
    let r: Result<MeetingAck, _> = s
        .secretariat
        .put("/api/meeting/items/A2/plan", &other)
        .await;
    assert_eq!(status_of(r), (409, "conflict".into()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_projector_scene_and_the_speaker_survive_reconnects_and_restarts() {
    let (s, tablets) = setup().await;
    let (t1, _) = live(&tablets[0], "tablet", None).await;
    let mut t1 = t1;
    let req = ask(&mut t1, "speak-viet-0009", "A1", SpeakerKind::Normal)
        .await
        .unwrap();
    op(
        &s,
        &format!("/api/meeting/speakers/{}/grant", req.request_id),
        &GrantFloor {
            client_id: cid("grant"),
            limit_s: Some(120),
        },
    )
    .await
    .unwrap();
    let notice = "<b>Giải lao</b> 15 phút — استراحة";
    let ack: MeetingAck = s
        .secretariat
        .put(
            "/api/meeting/projector",
            &SetScene {
                client_id: cid("scene"),
                scene: ProjectorScene::Notice {
                    text: notice.into(),
                },
            },
        )
        .await
        .unwrap();
    assert_eq!(
        ack.meeting.scene,
        ProjectorScene::Notice {
            text: notice.into()
        }
    );
    let (pdev, _) = s.pair(DeviceKind::Projector).await;
    let (_, start) = live(&pdev, "projector", None).await;
    let Start::Snapshot(snap) = start else {
        panic!("snapshot expected")
    };
    assert_eq!(
        snap.meeting.scene,
        ProjectorScene::Notice {
            text: notice.into()
        }
    );
    assert_eq!(snap.meeting.speaking.as_ref().unwrap().delegate_id, VIET);

    let s = s.restart().await;
    let pdev = s.rebase(&pdev);
    let (_, start) = live(&pdev, "projector", None).await;
    let Start::Snapshot(snap2) = start else {
        panic!("snapshot expected")
    };
    assert_eq!(snap2.meeting.scene, snap.meeting.scene);
    assert_eq!(snap2.meeting.speaking, snap.meeting.speaking);
    assert_eq!(snap2.meeting.items, snap.meeting.items);
    let report = congress_store::verify(&s.db()).unwrap();
    assert!(report.ok(), "{:?}", report.problems);
}

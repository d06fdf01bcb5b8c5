//! Websockets: welcome and snapshot, live pushes with seq to every console, the tablet's view,
//! resume after reconnect, and refusals.

use std::time::Duration;

use congress_client::{ClientError, Live, Start};
use congress_proto::*;

use crate::util::*;

const T: Duration = Duration::from_secs(5);

fn snapshot(start: Start) -> Snapshot {
    match start {
        Start::Snapshot(s) => *s,
        other => panic!("expected a snapshot, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn console_gets_welcome_snapshot_then_pushes_on_every_console() {
    let s = TestServer::start().await;
    let head = s.head().await;
    let mut ws = RawWs::connect(&s.admin, "console").await;
    ws.hello(s.admin.token().unwrap(), None).await;
    match ws.next_msg().await {
        ServerMsg::Welcome {
            kind,
            head_seq,
            protocol,
        } => {
            assert_eq!(kind, ClientKind::Console);
            assert_eq!(head_seq, head.seq);
            assert_eq!(protocol, PROTOCOL_VERSION);
        }
        other => panic!("{other:?}"),
    }
    match ws.next_msg().await {
        ServerMsg::Snapshot { seq, snapshot } => {
            assert_eq!(seq, head.seq);
            assert_eq!(snapshot.journal, head);
            assert_eq!(snapshot.congress.convened, 3);
            assert_eq!(snapshot.agenda.items.len(), 3);
            assert_eq!(snapshot.attendance.listed, 4);
            assert!(snapshot.me.is_none());
        }
        other => panic!("{other:?}"),
    }

    // A second console, through the client library.
    let (mut second, start) = live(&s.observer, "console", None).await;
    assert_eq!(snapshot(start).journal, head);

    let ack = s.check_in(VIET).await;
    let (seq, push) = second.next_push_within(T).await.unwrap();
    assert_eq!(seq, ack.seq);
    match push {
        Push::Attendance { record, summary } => {
            assert_eq!(record, ack.record);
            assert_eq!(summary, ack.summary);
            assert_eq!(summary.present, 1);
        }
        other => panic!("{other:?}"),
    }
    match ws.next_msg().await {
        ServerMsg::Push { seq, push } => {
            assert_eq!(seq, ack.seq);
            assert!(matches!(push, Push::Attendance { .. }));
        }
        other => panic!("{other:?}"),
    }
    // The quorum moves live on both.
    let ack2 = s.check_in(ARAB).await;
    let (seq, push) = second.next_push_within(T).await.unwrap();
    assert_eq!(seq, ack2.seq);
    assert!(seq > ack.seq);
    match push {
        Push::Attendance { summary, .. } => assert!(summary.quorum.reached),
        other => panic!("{other:?}"),
    }
    ping(&mut second, 7).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tablet_sees_its_delegate_the_agenda_and_agenda_changes_but_not_devices() {
    let s = TestServer::start().await;
    s.check_in(VIET).await;
    let (tablet, device) = s.pair(DeviceKind::Tablet).await;
    assert_eq!(device.delegate_id.as_deref(), Some(VIET));
    let (mut live_tab, start) = live(&tablet, "tablet", None).await;
    let snap = snapshot(start);
    let me = snap.me.expect("the tablet's own delegate");
    assert_eq!(me.id, VIET);
    assert_eq!(me.full_name, VIET_NAME);
    assert_eq!(
        snap.my_attendance.map(|r| r.status),
        Some(AttendanceStatus::Present)
    );
    assert_eq!(snap.agenda.items.len(), 3);
    assert_eq!(snap.agenda.items[0].title, "Khai mạc");
    assert_eq!(snap.agenda.current, None);

    // A device push is for operators only; the agenda change is for everyone.
    s.pair(DeviceKind::Kiosk).await;
    let ack = s.set_current(Some("A2")).await;
    let (seq, push) = live_tab.next_push_within(T).await.unwrap();
    assert_eq!(
        seq, ack.seq,
        "the tablet's next push is the agenda, not the kiosk"
    );
    match push {
        Push::Agenda { agenda } => {
            assert_eq!(agenda.current.as_deref(), Some("A2"));
            assert_eq!(agenda, ack.agenda);
        }
        other => panic!("{other:?}"),
    }
    // The tablet may read its own delegate over REST, not another.
    let d: Delegate = tablet.get(&format!("/api/delegates/{VIET}")).await.unwrap();
    assert_eq!(d.full_name, VIET_NAME);
    let r = tablet
        .get::<Delegate>(&format!("/api/delegates/{ARAB}"))
        .await;
    assert_eq!(status_of(r).0, 403);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reconnect_and_resume_gets_exactly_what_was_missed() {
    let s = TestServer::start().await;
    let (console, start) = live(&s.observer, "console", None).await;
    let last = console.last_seq;
    assert_eq!(snapshot(start).journal.seq, last);
    console.close().await;

    let a = s.check_in(VIET).await;
    let b = s.set_current(Some("A3")).await;
    let c = s.check_in(ARAB).await;

    // The raw protocol: welcome, the three pushes in order, then resumed.
    let mut ws = RawWs::connect(&s.observer, "console").await;
    ws.hello(s.observer.token().unwrap(), Some(last)).await;
    assert!(
        matches!(ws.next_msg().await, ServerMsg::Welcome { head_seq, .. } if head_seq == c.seq)
    );
    let mut seqs = Vec::new();
    loop {
        match ws.next_msg().await {
            ServerMsg::Push { seq, .. } => seqs.push(seq),
            ServerMsg::Resumed { from, to } => {
                assert_eq!(from, last);
                assert_eq!(to, c.seq);
                break;
            }
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(seqs, vec![a.seq, b.seq, c.seq]);

    // The client library, the same way; then live pushes with no duplicate.
    let (mut again, start) = live(&s.observer, "console", Some(last)).await;
    let missed = match start {
        Start::Resumed(m) => m,
        other => panic!("{other:?}"),
    };
    let got: Vec<u64> = missed.iter().map(|(seq, _)| *seq).collect();
    assert_eq!(got, vec![a.seq, b.seq, c.seq]);
    assert!(matches!(&missed[0].1, Push::Attendance { record, .. } if record.delegate_id == VIET));
    assert!(
        matches!(&missed[1].1, Push::Agenda { agenda } if agenda.current.as_deref() == Some("A3"))
    );
    assert!(matches!(&missed[2].1, Push::Attendance { record, .. } if record.delegate_id == ARAB));
    assert_eq!(again.last_seq, c.seq);
    let d = s.check_in(PLAIN).await;
    let (seq, _) = again.next_push_within(T).await.unwrap();
    assert_eq!(seq, d.seq, "the next push is the new one, nothing repeated");
    ping(&mut again, 1).await;

    // Resuming from the head: nothing missed.
    let (_, start) = live(&s.observer, "console", Some(d.seq)).await;
    assert!(matches!(start, Start::Resumed(m) if m.is_empty()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_resume_too_old_or_from_the_future_gets_a_snapshot() {
    let s = TestServer::start_with(Options {
        resume_window: 2,
        ..Options::default()
    })
    .await;
    let (console, _) = live(&s.observer, "console", None).await;
    let last = console.last_seq;
    console.close().await;
    s.check_in(VIET).await;
    s.check_in(ARAB).await;
    let c = s.check_in(PLAIN).await;
    // Three pushes missed, two kept: a snapshot.
    let (old, start) = live(&s.observer, "console", Some(last)).await;
    let snap = snapshot(start);
    assert_eq!(snap.journal.seq, c.seq);
    assert_eq!(snap.attendance.present, 3);
    assert_eq!(old.last_seq, c.seq);
    // Two missed: still resumable.
    let (_, start) = live(&s.observer, "console", Some(c.seq - 2)).await;
    assert!(matches!(start, Start::Resumed(m) if m.len() == 2));
    // From the future.
    let (future, start) = live(&s.observer, "console", Some(c.seq + 100)).await;
    assert_eq!(snapshot(start).journal.seq, c.seq);
    assert_eq!(future.last_seq, c.seq);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_on_the_wrong_endpoint_is_forbidden() {
    let s = TestServer::start().await;
    let (tablet, _) = s.pair(DeviceKind::Tablet).await;
    for (api, endpoint) in [
        (&tablet, "console"),
        (&s.admin, "kiosk"),
        (&s.admin, "tablet"),
    ] {
        let mut ws = RawWs::connect(api, endpoint).await;
        ws.hello(api.token().unwrap(), None).await;
        ws.expect_fatal("forbidden").await;
    }
    let r = Live::connect(&tablet, "console", None).await;
    assert!(matches!(r, Err(ClientError::Protocol(m)) if m.starts_with("forbidden")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_first_message_must_be_a_hello() {
    let s = TestServer::start().await;
    for first in [
        r#"{"type":"ping","nonce":1}"#,
        "not json at all",
        r#"{"type":"hello","token":1,"resume_from":null,"protocol":1}"#,
        r#"{"type":"hello","token":"x","resume_from":null,"protocol":1,"extra":true}"#,
    ] {
        let mut ws = RawWs::connect(&s.anon, "console").await;
        ws.send(first).await;
        ws.expect_fatal("invalid_json").await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_protocol_version_mismatch_is_fatal() {
    let s = TestServer::start().await;
    let mut ws = RawWs::connect(&s.admin, "console").await;
    let hello = serde_json::json!({
        "type": "hello",
        "token": s.admin.token().unwrap(),
        "resume_from": null,
        "protocol": PROTOCOL_VERSION + 1,
    });
    ws.send(hello.to_string()).await;
    ws.expect_fatal("protocol").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_messages_after_hello_are_refused_and_the_connection_lives_on() {
    let s = TestServer::start().await;
    let (mut console, _) = live(&s.admin, "console", None).await;
    for bad in [
        "{not json",
        r#"{"type":"launch_missiles"}"#,
        r#"{"type":"ping","nonce":"x"}"#,
        r#"{"type":"ping","nonce":1,"extra":1}"#,
    ] {
        console.send_text(bad.into()).await.unwrap();
        match within(console.next_raw()).await.unwrap() {
            ServerMsg::Error { error, fatal, .. } => {
                assert_eq!(error, "invalid_json", "{bad}");
                assert!(!fatal, "{bad}");
            }
            other => panic!("{bad}: {other:?}"),
        }
    }
    // A second hello is refused, not fatal.
    console
        .send(&ClientMsg::Hello {
            token: s.admin.token().unwrap().into(),
            resume_from: None,
            protocol: PROTOCOL_VERSION,
        })
        .await
        .unwrap();
    assert!(matches!(
        within(console.next_raw()).await.unwrap(),
        ServerMsg::Error { fatal: false, .. }
    ));
    ping(&mut console, 42).await;
    let ack = s.check_in(VIET).await;
    assert_eq!(console.next_push_within(T).await.unwrap().0, ack.seq);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_oversized_message_closes_that_connection_only() {
    let s = TestServer::start().await;
    let (mut bystander, _) = live(&s.observer, "console", None).await;
    let (mut big, _) = live(&s.admin, "console", None).await;
    let huge = format!(
        r#"{{"type":"ping","nonce":1,"pad":"{}"}}"#,
        "x".repeat(MAX_CLIENT_MESSAGE_BYTES)
    );
    // The send may already fail if the server closes first.
    let _ = big.send_text(huge).await;
    let r = within(async {
        loop {
            match big.next_raw().await {
                Ok(ServerMsg::Pong { .. }) => panic!("an oversized message was accepted"),
                Ok(_) => {}
                Err(e) => return e,
            }
        }
    })
    .await;
    assert!(
        matches!(r, ClientError::Closed | ClientError::Ws(_)),
        "{r:?}"
    );
    // Everybody else is fine.
    ping(&mut bystander, 3).await;
    let ack = s.check_in(VIET).await;
    assert_eq!(bystander.next_push_within(T).await.unwrap().0, ack.seq);
    let (mut fresh, _) = live(&s.admin, "console", None).await;
    ping(&mut fresh, 4).await;
    // Just under the limit is only refused as bad JSON (the padding is an unknown field).
    let near = format!(
        r#"{{"type":"ping","nonce":1,"pad":"{}"}}"#,
        "x".repeat(MAX_CLIENT_MESSAGE_BYTES - 100)
    );
    fresh.send_text(near).await.unwrap();
    assert!(matches!(
        within(fresh.next_raw()).await.unwrap(),
        ServerMsg::Error { fatal: false, .. }
    ));
    ping(&mut fresh, 5).await;
}

/// A projector's device token sees what the hall sees (a check-in), not the operators' pushes
/// (a pairing): issue 13, finding 12.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_projector_device_sees_hall_pushes_not_operator_pushes() {
    let s = TestServer::start().await;
    let (projector, _) = s.pair(DeviceKind::Projector).await;
    let (mut p, start) = live(&projector, "projector", None).await;
    assert!(snapshot(start).me.is_none());
    let _ = s.pair(DeviceKind::Kiosk).await;
    let ack = s.check_in(EXTRA).await;
    let (seq, push) = p.next_push_within(T).await.unwrap();
    assert_eq!(seq, ack.seq, "{push:?}");
    assert!(matches!(push, Push::Attendance { .. }), "{push:?}");
}

/// Concurrent changes reach a console once each, in increasing `seq`, matching the acks.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_changes_arrive_once_each_in_order() {
    let s = TestServer::start().await;
    let (mut console, _) = live(&s.observer, "console", None).await;
    let mut tasks = Vec::new();
    for d in [VIET, ARAB, PLAIN, EXTRA] {
        let api = s.credentials.clone();
        tasks.push(tokio::spawn(async move {
            api.set_attendance(&cid("cc"), d, AttendanceStatus::Present, "song song")
                .await
                .map(|a| a.seq)
        }));
    }
    for item in ["A1", "A2", "A3"] {
        let api = s.secretariat.clone();
        tasks.push(tokio::spawn(async move {
            api.put::<_, AgendaAck>(
                "/api/agenda/current",
                &SetCurrentItem {
                    client_id: cid("cc"),
                    item_id: Some(item.into()),
                },
            )
            .await
            .map(|a| a.seq)
        }));
    }
    let mut acked = Vec::new();
    for t in tasks {
        acked.push(t.await.unwrap().unwrap());
    }
    acked.sort();
    let mut seen = Vec::new();
    for _ in 0..acked.len() {
        seen.push(console.next_push_within(T).await.unwrap().0);
    }
    assert!(seen.windows(2).all(|w| w[0] < w[1]), "{seen:?}");
    assert_eq!(seen, acked);
    let sum: AttendanceSummary = s.observer.get("/api/attendance/summary").await.unwrap();
    assert_eq!(sum.present, 4);
}

/// Stopping the server ends live connections (the protocol's fatal `unavailable`, "the server
/// is stopping") and so releases the data folder.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stopping_the_server_tells_live_clients_and_frees_the_data_folder() {
    let mut s = TestServer::start().await;
    let (mut console, _) = live(&s.observer, "console", None).await;
    s.stop().await;
    let seen = tokio::time::timeout(T, async {
        loop {
            match console.next_raw().await {
                Ok(ServerMsg::Error { error, fatal, .. }) => return Some((error, fatal)),
                Ok(_) => {}
                Err(_) => return None,
            }
        }
    })
    .await
    .expect("the client is told within 5 s");
    assert_eq!(seen, Some(("unavailable".to_string(), true)));
    // The client has not gone away on its own, yet the folder is free.
    let again = congress_server::open(s.config.clone());
    assert!(again.is_ok(), "{:?}", again.err());
}

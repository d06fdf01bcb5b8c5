//! Notices over real HTTP and websockets: to everyone, one group or one delegate; delivered
//! live, in the snapshot and on resume only to their addressees; read receipts (idempotent,
//! journalled) and the console's view of who has not read; markup kept verbatim; limits.

use congress_client::Start;
use congress_proto::*;

use crate::groups::{G2, G2A, G2B, marker, pushes_until, reply, tablet, two_groups};
use crate::util::*;

const MARKUP: &str = "<img src=x onerror=alert(1)><script>alert(2)</script> Phòng họp tổ đổi sang P.201 & \"giải lao\"";

fn notice(text: &str, audience: NoticeAudience) -> SendNotice {
    SendNotice {
        client_id: cid("notice"),
        text: text.into(),
        audience,
    }
}

fn ids_of(pushes: &[Push]) -> Vec<u64> {
    pushes
        .iter()
        .filter_map(|p| match p {
            Push::Notice { notice } => Some(notice.id),
            _ => None,
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn notices_reach_their_addressees_only_and_receipts_are_counted() {
    let s = TestServer::start().await;
    two_groups(&s).await;
    let (_, mut t1, snap) = tablet(&s, VIET).await;
    assert!(snap.notices.is_empty() && snap.notices_read.is_empty());
    let (api5, mut t5, _) = tablet(&s, G2A).await;
    let (mut console, _) = live(&s.observer, "console", None).await;
    let early = t1.last_seq;

    let all: NoticeAck = s
        .secretariat
        .post("/api/notices", &notice(MARKUP, NoticeAudience::All))
        .await
        .unwrap();
    assert_eq!(all.notice.text, MARKUP);
    assert_eq!(all.notice.by, "thuky");
    let group: NoticeAck = s
        .admin
        .post(
            "/api/notices",
            &notice(
                "Tổ 2 họp tại phòng 305",
                NoticeAudience::Group { group: G2.into() },
            ),
        )
        .await
        .unwrap();
    let one: NoticeAck = s
        .secretariat
        .post(
            "/api/notices",
            &notice(
                "Đồng chí Ánh vui lòng đến bàn thư ký",
                NoticeAudience::Delegate {
                    delegate_id: VIET.into(),
                },
            ),
        )
        .await
        .unwrap();
    let (a, g, o) = (all.notice.id, group.notice.id, one.notice.id);
    let m = marker(&s, "A2").await;
    let got = pushes_until(&mut t1, m).await;
    assert_eq!(ids_of(&got), vec![a, o]);
    match &got[0] {
        Push::Notice { notice } => assert_eq!(notice.text, MARKUP, "verbatim, markup and all"),
        other => panic!("{other:?}"),
    }
    assert_eq!(ids_of(&pushes_until(&mut t5, m).await), vec![a, g]);
    assert_eq!(ids_of(&pushes_until(&mut console, m).await), vec![a, g, o]);

    // A tablet that was off gets its notices in the snapshot.
    let (_, _, snap) = tablet(&s, G2B).await;
    assert_eq!(
        snap.notices.iter().map(|n| n.id).collect::<Vec<_>>(),
        vec![a, g]
    );
    let (_, _, snap) = tablet(&s, VIET).await;
    assert_eq!(
        snap.notices.iter().map(|n| n.id).collect::<Vec<_>>(),
        vec![a, o]
    );
    // ...and on resume, only its own.
    let (_, start) = live(
        &s.anon.with_token(t1_token(&s).await),
        "tablet",
        Some(early),
    )
    .await;
    match start {
        Start::Resumed(missed) => {
            let pushes: Vec<Push> = missed.into_iter().map(|(_, p)| p).collect();
            assert_eq!(ids_of(&pushes), vec![a, o]);
        }
        other => panic!("expected a resume, got {other:?}"),
    }

    // A read receipt: acknowledged, pushed to operators and the reader's tablets only.
    let read = |id: u64, c: &str| ClientMsg::ReadNotice {
        client_id: c.into(),
        notice_id: id,
    };
    t5.send(&read(a, "read-5-a")).await.unwrap();
    let seq = reply(&mut t5, "read-5-a").await.unwrap();
    let m = marker(&s, "A3").await;
    for live in [&mut t5, &mut console] {
        let mut got = pushes_until(live, m).await;
        got.retain(|p| !matches!(p, Push::Device { .. }));
        assert!(
            matches!(&got[..], [Push::NoticeRead { receipt }] if receipt.notice_id == a && receipt.delegate_id == G2A),
            "{got:?}"
        );
    }
    assert_eq!(pushes_until(&mut t1, m).await, vec![]);
    // Replayed: the same answer; read again with a new id: accepted, nothing new.
    let head = s.head().await;
    t5.send(&read(a, "read-5-a")).await.unwrap();
    assert_eq!(reply(&mut t5, "read-5-a").await, Ok(seq));
    t5.send(&read(a, "read-5-a-again")).await.unwrap();
    reply(&mut t5, "read-5-a-again").await.unwrap();
    assert_eq!(s.head().await, head);
    // A notice for someone else is as good as unknown.
    t1.send(&read(g, "read-1-g")).await.unwrap();
    assert_eq!(reply(&mut t1, "read-1-g").await.unwrap_err().0, "not_found");
    t1.send(&read(999, "read-1-999")).await.unwrap();
    assert_eq!(
        reply(&mut t1, "read-1-999").await.unwrap_err().0,
        "not_found"
    );

    // The console's view: recipients, read, and who has not read.
    let list: Vec<NoticeStatus> = s.observer.get("/api/notices").await.unwrap();
    assert_eq!(
        list.iter().map(|n| n.notice.id).collect::<Vec<_>>(),
        vec![o, g, a]
    );
    let st = |id| list.iter().find(|n| n.notice.id == id).unwrap();
    assert_eq!((st(a).recipients, st(a).read), (6, 1));
    assert!(st(a).unread.contains(&VIET.to_string()) && !st(a).unread.contains(&G2A.to_string()));
    assert_eq!((st(g).recipients, st(g).read), (2, 0));
    assert_eq!(st(o).unread, vec![VIET.to_string()]);
    assert_eq!(st(a).notice.text, MARKUP);

    // The reader's next snapshot says it is read.
    let (_, start) = live(&api5, "tablet", None).await;
    match start {
        Start::Snapshot(snap) => assert_eq!(snap.notices_read, vec![a]),
        other => panic!("{other:?}"),
    }
    let report = congress_store::verify(&s.db()).unwrap();
    assert!(report.ok(), "{:?}", report.problems);
    // Receipts survive a restart.
    drop((t1, t5, console));
    let s = s.restart().await;
    let list: Vec<NoticeStatus> = s.observer.get("/api/notices").await.unwrap();
    assert_eq!(list.iter().find(|n| n.notice.id == a).unwrap().read, 1);
}

/// A fresh tablet token for VIET (the resume test needs a token of the same delegate).
async fn t1_token(s: &TestServer) -> String {
    let (api, _) = s.pair_for(DeviceKind::Tablet, Some(VIET)).await;
    api.token().unwrap().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_notices_are_refused_with_clear_errors() {
    let s = TestServer::start().await;
    let post = |n: SendNotice| {
        let api = s.secretariat.clone();
        async move { api.post::<_, NoticeAck>("/api/notices", &n).await }
    };
    assert_eq!(
        status_of(post(notice("  ", NoticeAudience::All)).await),
        (422, "empty".into())
    );
    let long = "đ".repeat(MAX_NOTICE_CHARS + 1);
    match post(notice(&long, NoticeAudience::All)).await {
        Err(congress_client::ClientError::Api { status, body }) => {
            assert_eq!((status, body.error.as_str()), (422, "too_long"));
            assert!(body.message.contains("1000"), "{}", body.message);
        }
        other => panic!("{other:?}"),
    }
    post(notice(&"đ".repeat(MAX_NOTICE_CHARS), NoticeAudience::All))
        .await
        .unwrap();
    assert_eq!(
        status_of(
            post(notice(
                "x",
                NoticeAudience::Group {
                    group: "Tổ 9".into()
                }
            ))
            .await
        ),
        (404, "not_found".into())
    );
    assert_eq!(
        status_of(
            post(notice(
                "x",
                NoticeAudience::Delegate {
                    delegate_id: "D404".into()
                }
            ))
            .await
        ),
        (404, "not_found".into())
    );
    assert_eq!(
        status_of(post(notice("a\u{0}b", NoticeAudience::All)).await),
        (422, "invalid".into())
    );
    // Replayed client id: same answer; another body with it: 409.
    let n = notice("Giải lao 15 phút", NoticeAudience::All);
    let first: NoticeAck = s.secretariat.post("/api/notices", &n).await.unwrap();
    let again: NoticeAck = s.secretariat.post("/api/notices", &n).await.unwrap();
    assert_eq!(first, again);
    let other = SendNotice {
        text: "Khác".into(),
        ..n
    };
    assert_eq!(status_of(post(other).await), (409, "conflict".into()));
    // Malformed JSON and wrong types.
    for bad in [
        r#"{"client_id":"x","text":"a","audience":{"kind":"everyone"}}"#,
        r#"{"client_id":"x","text":1,"audience":{"kind":"all"}}"#,
        r#"{"client_id":"x","text":"a"}"#,
        r#"{"client_id":"x","#,
    ] {
        let (status, body) = s
            .secretariat
            .raw(
                reqwest::Method::POST,
                "/api/notices",
                "application/json",
                bad.as_bytes().to_vec(),
            )
            .await
            .unwrap();
        assert_eq!(status, 400, "{bad}: {body}");
    }
    // Wrong roles.
    assert_eq!(
        status_of(
            s.credentials
                .post::<_, NoticeAck>("/api/notices", &notice("x", NoticeAudience::All))
                .await
        ),
        (403, "forbidden".into())
    );
    let (tablet, _) = s.pair(DeviceKind::Tablet).await;
    assert_eq!(
        status_of(
            tablet
                .post::<_, NoticeAck>("/api/notices", &notice("x", NoticeAudience::All))
                .await
        ),
        (403, "forbidden".into())
    );
    assert_eq!(
        status_of(tablet.get::<Vec<NoticeStatus>>("/api/notices").await),
        (403, "forbidden".into())
    );
}

//! Manual check-in at the credentials desk: durable acknowledgement, quorum at the edge,
//! idempotency, refusals, and names that must round-trip exactly.

use congress_client::ClientError;
use congress_domain::CongressState;
use congress_proto::*;
use congress_store::{JournalStore, SqliteStore};

use crate::util::*;

/// Reads one delegate's attendance straight from the database file, on another connection.
fn status_on_disk(db: &congress_store::Db, delegate: &str) -> Option<String> {
    let conn = db.connect(congress_store::Access::ReadOnly).unwrap();
    conn.query_row(
        "SELECT status FROM attendance WHERE delegate_id = ?1",
        [delegate],
        |r| r.get(0),
    )
    .ok()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_check_in_is_acknowledged_only_once_it_is_on_disk() {
    let mut s = TestServer::start().await;
    let db = s.db();
    assert_eq!(status_on_disk(&db, VIET), None);
    let ack = s
        .credentials
        .set_attendance(
            "ci-1",
            VIET,
            AttendanceStatus::Present,
            "Không nhận diện được khuôn mặt, đã kiểm tra CCCD",
        )
        .await
        .unwrap();
    // The moment the ack arrives, another connection already sees the row.
    assert_eq!(status_on_disk(&db, VIET).as_deref(), Some("present"));
    assert_eq!(ack.client_id, "ci-1");
    assert!(ack.changed);
    assert_eq!(ack.record.delegate_id, VIET);
    assert_eq!(ack.record.status, AttendanceStatus::Present);
    assert_eq!(ack.record.at, s.clock.now_ms());
    assert_eq!(
        ack.record.source,
        AttendanceSource::Operator {
            username: "thamtra".into()
        }
    );
    assert_eq!(
        ack.record.reason.as_deref(),
        Some("Không nhận diện được khuôn mặt, đã kiểm tra CCCD")
    );
    assert_eq!(s.head().await.seq, ack.seq);
    s.stop().await;
    // After the server is gone: the store has the record, at the acknowledged seq.
    let store = SqliteStore::open(&db).unwrap();
    assert_eq!(store.head().seq, ack.seq);
    let state: CongressState = store.load_state().unwrap();
    assert_eq!(state.attendance.get(VIET), Some(&ack.record));
    let last = store.events_after(ack.seq - 1, 10).unwrap();
    assert_eq!(last.len(), 1);
    assert_eq!(last[0].actor, "operator:thamtra");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn summary_and_quorum_at_the_edge() {
    let s = TestServer::start().await;
    let sum: AttendanceSummary = s.observer.get("/api/attendance/summary").await.unwrap();
    assert_eq!(
        (sum.present, sum.left, sum.absent, sum.listed),
        (0, 0, 4, 4)
    );
    assert_eq!(sum.quorum.convened, 3);
    assert_eq!(sum.quorum.required, 2, "⌈3 × 2/3⌉");
    assert!(!sum.quorum.reached);

    let a = s.check_in(VIET).await;
    assert_eq!((a.summary.present, a.summary.absent), (1, 3));
    assert!(!a.summary.quorum.reached, "1 of 3 is not 2/3");

    let b = s.check_in(ARAB).await;
    assert_eq!(b.summary.present, 2);
    assert!(
        b.summary.quorum.reached,
        "2 of 3 convened is the quorum (4 are listed, the quorum counts the convened)"
    );
    // Every reader agrees with the ack.
    let sum: AttendanceSummary = s.observer.get("/api/attendance/summary").await.unwrap();
    assert_eq!(sum, b.summary);
    let (tablet, _) = s.pair(DeviceKind::Tablet).await;
    let sum: AttendanceSummary = tablet.get("/api/attendance/summary").await.unwrap();
    assert_eq!(sum, b.summary);

    // One leaves: below the quorum again.
    let left = s
        .credentials
        .set_attendance(&cid("out"), ARAB, AttendanceStatus::Left, "Về sớm")
        .await
        .unwrap();
    assert_eq!(
        (
            left.summary.present,
            left.summary.left,
            left.summary.absent,
            left.summary.listed
        ),
        (1, 1, 2, 4)
    );
    assert!(!left.summary.quorum.reached);

    // The list agrees too.
    let list: AttendanceList = s.admin.get("/api/attendance").await.unwrap();
    assert_eq!(list.summary, left.summary);
    let ids: Vec<&str> = list
        .records
        .iter()
        .map(|r| r.delegate_id.as_str())
        .collect();
    assert_eq!(ids, vec![VIET, ARAB]);
    assert_eq!(list.records[1].status, AttendanceStatus::Left);

    // Already present: acknowledged, nothing changes, nothing journalled.
    let head = s.head().await;
    let again = s.check_in(VIET).await;
    assert!(!again.changed);
    assert_eq!(again.summary, left.summary);
    // Only the idempotency record is written, not an event.
    assert_eq!(s.head().await, head);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_retry_gets_the_identical_ack_and_a_reused_id_is_a_conflict() {
    let s = TestServer::start().await;
    let req = SetAttendanceRequest {
        client_id: "retry-1".into(),
        delegate_id: ARAB.into(),
        status: AttendanceStatus::Present,
        reason: "Kiểm tra thủ công".into(),
    };
    let first: serde_json::Value = s.credentials.post("/api/attendance", &req).await.unwrap();
    // Time passes and more happens before the retry.
    s.clock.advance(5_000);
    s.check_in(VIET).await;
    let head = s.head().await;
    let again: serde_json::Value = s.credentials.post("/api/attendance", &req).await.unwrap();
    assert_eq!(
        again, first,
        "the retry's answer is the first answer, byte for byte"
    );
    assert_eq!(s.head().await, head, "a retry journals nothing");

    // The same id with another body.
    let other = SetAttendanceRequest {
        status: AttendanceStatus::Left,
        ..req.clone()
    };
    let r = s
        .credentials
        .post::<_, AttendanceAck>("/api/attendance", &other)
        .await;
    assert_eq!(status_of(r), (409, "conflict".into()));
    // The same id and body from another operator is another request.
    let r = s
        .admin
        .post::<_, AttendanceAck>("/api/attendance", &req)
        .await;
    assert_eq!(status_of(r), (409, "conflict".into()));
    assert_eq!(s.head().await, head);
    // A client id is required.
    let r = s
        .credentials
        .post::<_, AttendanceAck>(
            "/api/attendance",
            &SetAttendanceRequest {
                client_id: "  ".into(),
                ..req
            },
        )
        .await;
    assert_eq!(status_of(r), (400, "invalid_json".into()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refusals_have_their_status_and_change_nothing() {
    let s = TestServer::start().await;
    let head = s.head().await;
    let set = |delegate: &'static str, status, reason: &'static str| {
        let api = s.credentials.clone();
        async move {
            api.set_attendance(&cid("bad"), delegate, status, reason)
                .await
        }
    };
    let code = |r: Result<AttendanceAck, ClientError>| status_of(r);
    assert_eq!(
        code(set(VIET, AttendanceStatus::Present, "").await),
        (422, "invalid".into()),
        "reason required"
    );
    assert_eq!(
        code(set(VIET, AttendanceStatus::Present, " \n ").await),
        (422, "invalid".into()),
        "a blank reason is no reason"
    );
    assert_eq!(
        code(set("D999", AttendanceStatus::Present, "x").await),
        (404, "not_found".into())
    );
    assert_eq!(
        code(set(VIET, AttendanceStatus::Left, "đi về").await),
        (422, "invalid".into()),
        "absent → left"
    );
    assert_eq!(
        code(set(VIET, AttendanceStatus::Absent, "nhầm").await),
        (422, "invalid".into()),
        "already absent"
    );
    let long: &'static str = Box::leak("x".repeat(501).into_boxed_str());
    assert_eq!(
        code(set(VIET, AttendanceStatus::Present, long).await),
        (422, "invalid".into()),
        "reason too long"
    );
    assert_eq!(
        code(set(VIET, AttendanceStatus::Present, "a\u{7}b").await),
        (422, "invalid".into()),
        "control characters"
    );
    assert_eq!(s.head().await, head);
    let list: AttendanceList = s.admin.get("/api/attendance").await.unwrap();
    assert!(list.records.is_empty());

    // An operator may correct present → absent (with a reason).
    s.check_in(VIET).await;
    let back = s
        .credentials
        .set_attendance(&cid("fix"), VIET, AttendanceStatus::Absent, "Nhầm người")
        .await
        .unwrap();
    assert!(back.changed);
    assert_eq!(back.summary.present, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn vietnamese_and_arabic_names_round_trip_exactly() {
    let s = TestServer::start().await;
    for (id, name) in [(VIET, VIET_NAME), (ARAB, ARAB_NAME), (PLAIN, NFD_NAME)] {
        let d: Delegate = s
            .observer
            .get(&format!("/api/delegates/{id}"))
            .await
            .unwrap();
        assert_eq!(d.full_name.as_bytes(), name.as_bytes(), "{id}");
        assert_eq!(d.unit, "Đảng bộ huyện Đức Phổ");
        assert_eq!(d.group, "Tổ 1");
    }
    let all: Vec<Delegate> = s.admin.get("/api/delegates").await.unwrap();
    assert_eq!(all.len(), 4);
    assert!(all.iter().any(|d| d.full_name == ARAB_NAME));
    let c: Congress = s.observer.get("/api/congress").await.unwrap();
    assert_eq!(c.name, "Đại hội thử nghiệm");
    let agenda: Agenda = s.observer.get("/api/agenda").await.unwrap();
    assert_eq!(agenda.items[1].title, "Báo cáo chính trị");
    // Free text on the way in, too.
    let reason = "Đã đối chiếu giấy tờ — تم التحقق من الهوية";
    let ack = s
        .credentials
        .set_attendance(&cid("name"), ARAB, AttendanceStatus::Present, reason)
        .await
        .unwrap();
    assert_eq!(ack.record.reason.as_deref(), Some(reason));
    let list: AttendanceList = s.admin.get("/api/attendance").await.unwrap();
    assert_eq!(list.records[0].reason.as_deref(), Some(reason));
    let me: Me = s.secretariat.get("/api/me").await.unwrap();
    match me {
        Me::Operator { operator } => assert_eq!(operator.display_name, "Thư ký Đoàn"),
        other => panic!("{other:?}"),
    }
}

/// The same request sent many times at once (a tablet's retries racing): one change, one event,
/// every answer identical.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_retries_make_one_change() {
    let s = TestServer::start().await;
    let head = s.head().await;
    let req = SetAttendanceRequest {
        client_id: "race-1".into(),
        delegate_id: EXTRA.into(),
        status: AttendanceStatus::Present,
        reason: "Kiểm tra thủ công".into(),
    };
    let mut tasks = Vec::new();
    for _ in 0..16 {
        let api = s.credentials.clone();
        let req = req.clone();
        tasks.push(tokio::spawn(async move {
            api.post::<_, serde_json::Value>("/api/attendance", &req)
                .await
                .unwrap()
        }));
    }
    let mut answers = Vec::new();
    for t in tasks {
        answers.push(t.await.unwrap());
    }
    assert!(answers.windows(2).all(|w| w[0] == w[1]), "{answers:#?}");
    assert_eq!(s.head().await.seq, head.seq + 1, "exactly one event");
    let ack: AttendanceAck = serde_json::from_value(answers[0].clone()).unwrap();
    assert!(ack.changed);
    assert_eq!(ack.summary.present, 1);
}

/// Issue 13, finding 11: the desk's free-text reason ("reported ill, at hospital X") was pushed
/// to every device, kiosks and tablets included. It is for operators only: no device receives
/// it, live, on resume or in its snapshot; operators read it from `GET /api/attendance`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_desks_reason_reaches_operators_only() {
    const REASON: &str = "Đại biểu báo ốm, đang điều trị tại bệnh viện Bạch Mai";
    let s = TestServer::start().await;
    let (own, _) = s.pair_for(DeviceKind::Tablet, Some(VIET)).await;
    let (other, _) = s.pair_for(DeviceKind::Tablet, Some(ARAB)).await;
    let (kiosk, _) = s.pair(DeviceKind::Kiosk).await;
    let (projector, _) = s.pair(DeviceKind::Projector).await;
    let devices = [
        (&own, "tablet"),
        (&other, "tablet"),
        (&kiosk, "kiosk"),
        (&projector, "projector"),
    ];
    let mut sockets = Vec::new();
    for (api, endpoint) in devices {
        sockets.push(live(api, endpoint, None).await.0);
    }
    let (mut console, _) = live(&s.observer, "console", None).await;
    let from = s.head().await.seq;
    s.credentials
        .set_attendance(&cid("ci"), VIET, AttendanceStatus::Present, REASON)
        .await
        .unwrap();
    for (live, (_, endpoint)) in sockets.iter_mut().zip(devices) {
        loop {
            let msg = within(live.next_raw()).await.unwrap();
            let text = serde_json::to_string(&msg).unwrap();
            assert!(
                !text.contains(REASON),
                "{endpoint} received the reason: {text}"
            );
            if let ServerMsg::Push {
                push: Push::Attendance { record, summary },
                ..
            } = msg
            {
                assert_eq!(record.delegate_id, VIET);
                assert_eq!(record.status, AttendanceStatus::Present);
                assert_eq!(summary.present, 1);
                break;
            }
        }
    }
    // On resume and in the snapshot (the delegate's own tablet has its record there).
    for (api, endpoint) in devices {
        for resume_from in [Some(from), None] {
            let (_, start) = live(api, endpoint, resume_from).await;
            let text = match start {
                congress_client::Start::Snapshot(snap) => {
                    if endpoint == "tablet" && api.token() == own.token() {
                        let mine = snap.my_attendance.clone().expect("own record");
                        assert_eq!(mine.status, AttendanceStatus::Present);
                    }
                    serde_json::to_string(&snap).unwrap()
                }
                congress_client::Start::Resumed(missed) => {
                    assert!(
                        !missed.is_empty(),
                        "{endpoint} resumed without the check-in"
                    );
                    serde_json::to_string(&missed).unwrap()
                }
            };
            assert!(!text.contains(REASON), "{endpoint} got the reason: {text}");
        }
    }
    // Operators still get it, live and from the list.
    loop {
        if let (_, Push::Attendance { record, .. }) = within(console.next_push()).await.unwrap() {
            assert_eq!(record.reason.as_deref(), Some(REASON));
            break;
        }
    }
    let list: AttendanceList = s.credentials.get("/api/attendance").await.unwrap();
    let rec = list.records.iter().find(|r| r.delegate_id == VIET).unwrap();
    assert_eq!(rec.reason.as_deref(), Some(REASON));
}

/// A tablet pairing code for `delegate`, made by `api`.
async fn tablet_code(
    api: &congress_client::Api,
    delegate: &str,
) -> Result<PairingCode, ClientError> {
    api.post(
        "/api/devices/pairing-codes",
        &CreatePairingCode {
            kind: DeviceKind::Tablet,
            delegate_id: Some(delegate.into()),
            label: None,
            direction: None,
        },
    )
    .await
}

/// The audit log's lines (English) of one event kind, newest first.
async fn audit_lines(s: &TestServer, kind: &str) -> Vec<AuditEntry> {
    let page: AuditPage = s
        .admin
        .get(&format!("/api/audit?lang=en&kind={kind}"))
        .await
        .unwrap();
    page.entries
}

fn assert_same_operator(r: Result<impl std::fmt::Debug, ClientError>) {
    match r {
        Err(ClientError::Api { status, body }) => {
            assert_eq!(
                (status, body.error.as_str()),
                (409, "same_operator"),
                "{body:?}"
            );
            assert!(body.message.contains("second operator"), "{}", body.message);
        }
        other => panic!("expected 409 same_operator, got {other:?}"),
    }
}

/// Issue 13, finding 7: one credentials-desk operator could mark an absent delegate present,
/// make a pairing code for them, pair their own device and vote in their name. Marking present
/// at the desk and pairing a tablet for the same delegate now take two operators, in either
/// order, and a refused attempt is in the audit log.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_desk_operator_cannot_mark_present_and_pair_for_the_same_delegate() {
    let s = TestServer::start().await;
    // Present first, then the pairing code.
    s.check_in(VIET).await;
    assert_same_operator(tablet_code(&s.credentials, VIET).await);
    // The pairing code first, then present.
    let code = tablet_code(&s.credentials, ARAB)
        .await
        .expect("a code for an absent delegate");
    assert_same_operator(
        s.credentials
            .set_attendance(&cid("ci"), ARAB, AttendanceStatus::Present, "CCCD")
            .await,
    );
    // Nor once the tablet is paired.
    let paired: PairResponse = s
        .anon
        .post(
            "/api/devices/pair",
            &PairRequest {
                code: code.code,
                recipient: None,
                credential: None,
            },
        )
        .await
        .unwrap();
    assert_eq!(paired.device.delegate_id.as_deref(), Some(ARAB));
    assert_same_operator(
        s.credentials
            .set_attendance(&cid("ci"), ARAB, AttendanceStatus::Present, "CCCD")
            .await,
    );
    let list: AttendanceList = s.admin.get("/api/attendance").await.unwrap();
    assert!(
        !list.records.iter().any(|r| r.delegate_id == ARAB),
        "ARAB stays absent"
    );
    // Every refused attempt is in the audit log, naming the operator.
    let lines = audit_lines(&s, "same_operator_refused").await;
    assert_eq!(lines.len(), 3, "{lines:#?}");
    assert!(
        lines.iter().all(|l| l.actor == "operator:thamtra"),
        "{lines:#?}"
    );
    assert!(
        lines.iter().all(|l| l.text.contains("thamtra")),
        "{lines:#?}"
    );
}

/// Two different operators may do the two steps; the pairing is flagged in the audit log with
/// both names.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_operators_mark_present_and_pair_and_the_pairing_is_flagged() {
    let s = TestServer::start().await;
    s.check_in(VIET).await;
    let code = tablet_code(&s.secretariat, VIET)
        .await
        .expect("a second operator");
    let paired: PairResponse = s
        .anon
        .post(
            "/api/devices/pair",
            &PairRequest {
                code: code.code,
                recipient: None,
                credential: None,
            },
        )
        .await
        .unwrap();
    let lines = audit_lines(&s, "device_paired").await;
    let line = lines
        .iter()
        .find(|l| l.text.contains(&paired.device.id))
        .expect("the pairing is in the audit log");
    assert!(
        line.text.contains("present at the desk by thamtra")
            && line.text.contains("pairing code by thuky"),
        "{}",
        line.text
    );
}

//! Journals written by earlier versions still replay. `tests/fixtures/journal-v1.sql` is a dump
//! of a congress database recorded by the server as it was before the vertical-slices refactor
//! (commit 392f9e1), with every kind of journal event in it. The test loads it into a fresh
//! SQLite file and runs `verify`: the hash chain must check and replaying every old event through
//! today's code must rebuild exactly the tables the old code stored.
//!
//! The recorder (`record_journal_fixture`, ignored) drives a server through a session that makes
//! every event kind, then dumps its database with the `sqlite3` command: run it only to record a
//! NEW fixture for a new journal version, never to overwrite an old one:
//! `JOURNAL_FIXTURE_OUT=/tmp/j.sql cargo test -p congress-tests --test it journal_fixture::record -- --ignored`.

use congress_domain::{
    AccessCommand, AttendanceCommand, DocumentCommand, GroupCommand, NoticeCommand, VoteCommand,
};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use congress_domain::Command;
use congress_domain::meeting::MeetingCommand;
use congress_domain::vote::lifecycle::BallotRequest;
use congress_domain::vote::{BallotChoice, MotionPosition, OptionId, VoteId, VoteOption};
use congress_proto::*;
use congress_store::verify;

use crate::util::*;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

/// Every event kind the journal knew when `journal-v1.sql` was recorded (`secret_ballot_cast`
/// is never journalled alone: it travels inside `vote_closed`).
const V1_KINDS: &[&str] = &[
    "congress_defined",
    "delegates_imported",
    "agenda_defined",
    "current_item_set",
    "attendance_changed",
    "operator_saved",
    "session_opened",
    "session_closed",
    "pairing_code_created",
    "device_paired",
    "device_revoked",
    "document_version_added",
    "document_updated",
    "document_delivered",
    "document_fetched",
    "face_enrolled",
    "biometrics_purged",
    "vote_created",
    "vote_opened",
    "vote_closed",
    "ballot_cast",
    "vote_participated",
    "notice_sent",
    "notice_read",
    "group_secretary_set",
    "opinion_saved",
    "group_summary_saved",
    "group_summary_submitted",
    "item_started",
    "item_closed",
    "item_planned",
    "vote_linked",
    "speaker_requested",
    "speaker_withdrawn",
    "speaker_removed",
    "speakers_reordered",
    "speaker_granted",
    "speaker_extended",
    "speaker_finished",
    "projector_scene_set",
    "documents_purged",
];

/// Loads an SQL dump into a new database file and returns its path.
fn load_dump(dump: &Path, dir: &Path) -> PathBuf {
    let db = dir.join("congress.sqlite");
    let sql = std::fs::read_to_string(dump).expect("read the fixture");
    let conn = rusqlite::Connection::open(&db).expect("open");
    conn.execute_batch(&sql).expect("load the dump");
    db
}

#[test]
fn a_journal_recorded_before_the_refactor_replays_and_verifies() {
    let dir = tempfile::tempdir().unwrap();
    let db = load_dump(&fixtures().join("journal-v1.sql"), dir.path());
    let kinds: BTreeSet<String> = {
        let conn = rusqlite::Connection::open(&db).unwrap();
        let mut st = conn.prepare("SELECT DISTINCT kind FROM journal").unwrap();
        st.query_map([], |r| r.get(0))
            .unwrap()
            .map(|k| k.unwrap())
            .collect()
    };
    let want: BTreeSet<String> = V1_KINDS.iter().map(|k| k.to_string()).collect();
    assert_eq!(kinds, want, "the fixture holds every v1 event kind");
    let db = congress_store::Db::plain(&db);
    let report = verify(&db).unwrap();
    assert!(report.ok(), "{:#?}", report.problems);
    assert_eq!(report.events, 77);
    // Opening it with today's store (and its migrations) works too, and the state is the one
    // the session made.
    let store = congress_store::SqliteStore::open(&db).unwrap();
    let state = congress_store::JournalStore::load_state(&store).unwrap();
    assert_eq!(state.summary().present, 3);
    assert_eq!(state.votes.len(), 3);
    assert!(state.votes.values().all(|v| v.result.is_some()));
}

fn ballot(vote_id: u64, delegate: &str, n: u32, choice: BallotChoice) -> Command {
    let client = format!("fixture-ballot-{vote_id}-{n}-0000000");
    Command::Votes(VoteCommand::CastBallot(BallotRequest {
        vote_id,
        delegate_id: delegate.into(),
        choice,
        receipt: congress_server::votes::receipt(vote_id, &client),
        id_hash: format!("id-{vote_id}-{n}"),
        check_hash: format!("check-{vote_id}-{n}"),
    }))
}

/// Today's server through the same session: its journal verifies too (this caught election
/// ballots sealed with their names unsorted while the journal's box held them sorted).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_with_every_event_kind_verifies() {
    let s = every_event_kind().await;
    let report = verify(&s.db()).unwrap();
    assert!(report.ok(), "{:#?}", report.problems);
    let conn = s.conn();
    let kinds: BTreeSet<String> = conn
        .prepare("SELECT DISTINCT kind FROM journal")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(|k| k.unwrap())
        .collect();
    for k in V1_KINDS {
        assert!(kinds.contains(*k), "{k} missing from the session");
    }
    // The sealed rows hold the marks exactly as the journal's box does (names sorted), though
    // the tablets sent them unsorted.
    let stored: Vec<serde_json::Value> = conn
        .prepare("SELECT choice FROM vote_ballots_secret WHERE vote_id = 3 ORDER BY receipt")
        .unwrap()
        .query_map([], |r| r.get::<_, String>(0))
        .unwrap()
        .map(|c| serde_json::from_str(&c.unwrap()).unwrap())
        .collect();
    let closed: String = conn
        .query_row(
            "SELECT body FROM journal WHERE kind = 'vote_closed' ORDER BY seq DESC LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let closed: serde_json::Value = serde_json::from_str(&closed).unwrap();
    let sealed: Vec<serde_json::Value> = closed["sealed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p[1].clone())
        .collect();
    assert_eq!(stored, sealed);
}

/// Records a new fixture (see the module doc). Needs the `sqlite3` command.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "records a fixture; run by hand with JOURNAL_FIXTURE_OUT"]
async fn record() {
    let out = std::env::var("JOURNAL_FIXTURE_OUT").expect("JOURNAL_FIXTURE_OUT");
    let s = every_event_kind().await;
    // The sqlite3 command reads plain SQLite: dump a decrypted copy.
    let tmp = tempfile::tempdir().unwrap();
    let plain = congress_store::Db::plain(tmp.path().join("plain.sqlite"));
    s.db().export_to(&plain).unwrap();
    let dump = std::process::Command::new("sqlite3")
        .arg(plain.path())
        .arg(".dump")
        .output()
        .expect("sqlite3");
    assert!(dump.status.success());
    let version: i64 = s
        .conn()
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    let mut text = String::from_utf8(dump.stdout).unwrap();
    text.push_str(&format!("PRAGMA user_version={version};\n"));
    std::fs::write(&out, text).unwrap();
}

/// A session that makes every kind of journal event; returns the stopped server.
async fn every_event_kind() -> TestServer {
    let mut s = TestServer::start().await;
    let e = s.engine().clone();
    let run = |cmd: Command| {
        let e = e.clone();
        async move { e.run(cmd, "operator:admin").await.expect("command") }
    };
    // Attendance at the desk and at a kiosk, a departure.
    s.check_in(VIET).await;
    s.check_in(ARAB).await;
    run(Command::Attendance(AttendanceCommand::SetAttendance {
        delegate_id: PLAIN.into(),
        status: AttendanceStatus::Present,
        source: AttendanceSource::Kiosk {
            device_id: "K-fixture".into(),
            distance: 0.31,
            margin: 0.22,
        },
        kiosk: Some(KioskDirection::Entrance),
        reason: None,
    }))
    .await;
    s.check_in(EXTRA).await;
    s.credentials
        .set_attendance(&cid("out"), EXTRA, AttendanceStatus::Left, "Về sớm")
        .await
        .unwrap();
    // Devices, sessions, operators.
    let (_, kiosk) = s.pair(DeviceKind::Kiosk).await;
    let (_t1, tablet1) = s.pair_for(DeviceKind::Tablet, Some(VIET)).await;
    let (_t2, _) = s.pair_for(DeviceKind::Tablet, Some(ARAB)).await;
    let _: Device = s
        .secretariat
        .delete(&format!("/api/devices/{}", kiosk.id))
        .await
        .unwrap();
    let extra = s.anon.login("thuky", PASSWORD).await.unwrap();
    let _: Option<serde_json::Value> = extra.post("/api/logout", &()).await.unwrap();
    run(Command::Access(AccessCommand::SaveOperator {
        username: "thuky2".into(),
        display_name: "Thư ký hai".into(),
        roles: vec![OperatorRole::Secretariat],
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA".into(),
    }))
    .await;
    // The agenda: redefined, current item, the meeting.
    run(Command::Meeting(MeetingCommand::DefineAgenda(vec![
        AgendaItem {
            id: "A1".into(),
            title: "Khai mạc".into(),
            planned_start: Some("2026-12-01T08:00".into()),
            planned_minutes: Some(20),
        },
        AgendaItem {
            id: "A2".into(),
            title: "Báo cáo chính trị".into(),
            planned_start: None,
            planned_minutes: Some(60),
        },
        AgendaItem {
            id: "A3".into(),
            title: "Bầu cử".into(),
            planned_start: None,
            planned_minutes: Some(90),
        },
    ])))
    .await;
    s.set_current(Some("A1")).await;
    let m = |c: MeetingCommand| Command::Meeting(c);
    run(m(MeetingCommand::PlanItem {
        item_id: "A2".into(),
        planned_start: Some("2026-12-01T09:00".into()),
        planned_minutes: Some(45),
        speaker_limit_s: Some(300),
    }))
    .await;
    run(m(MeetingCommand::StartItem {
        item_id: "A2".into(),
    }))
    .await;
    for (d, kind) in [
        (VIET, SpeakerKind::Normal),
        (ARAB, SpeakerKind::Normal),
        (PLAIN, SpeakerKind::PointOfOrder),
    ] {
        run(m(MeetingCommand::RequestSpeak {
            delegate_id: d.into(),
            item_id: "A2".into(),
            kind,
            by: "tablet".into(),
        }))
        .await;
    }
    let queue = |s: &TestServer| {
        s.engine().read(|st| {
            congress_domain::meeting::view(st, 0)
                .queues
                .iter()
                .map(|r| (r.delegate_id.clone(), r.request_id))
                .collect::<Vec<_>>()
        })
    };
    let q = queue(&s);
    let id_of = |q: &[(String, u64)], d: &str| q.iter().find(|(x, _)| x == d).unwrap().1;
    run(m(MeetingCommand::MoveSpeaker {
        request_id: id_of(&q, ARAB),
        position: 0,
    }))
    .await;
    run(m(MeetingCommand::WithdrawSpeak {
        delegate_id: VIET.into(),
        request_id: id_of(&q, VIET),
    }))
    .await;
    run(m(MeetingCommand::Grant {
        request_id: id_of(&q, ARAB),
        limit_s: Some(120),
    }))
    .await;
    run(m(MeetingCommand::Extend { seconds: 60 })).await;
    s.clock.advance(90_000);
    run(m(MeetingCommand::Stop)).await;
    run(m(MeetingCommand::RemoveSpeaker {
        request_id: id_of(&q, PLAIN),
        by: "operator:thuky".into(),
    }))
    .await;
    run(m(MeetingCommand::SetScene(ProjectorScene::Notice {
        text: "Nghỉ giải lao 15 phút".into(),
    })))
    .await;
    run(m(MeetingCommand::CloseItem {
        item_id: "A2".into(),
    }))
    .await;
    // Documents: two versions, metadata edit, delivery, fetch, purge.
    let version = |v: u32| DocVersion {
        version: v,
        file_name: format!("bao-cao-v{v}.pdf"),
        size: 1234 + u64::from(v),
        pages: 3,
        changed_pages: (v > 1).then_some(1),
        uploaded_at: s.clock.now_ms(),
        uploaded_by: "thuky".into(),
        delivery: None,
        purged_at: None,
    };
    for (v, new_document) in [(1, true), (2, false)] {
        run(Command::Documents(DocumentCommand::AddDocumentVersion {
            document_id: 1,
            new_document,
            title: "Báo cáo chính trị".into(),
            agenda_item_id: Some("A2".into()),
            audience: DocAudience::AllDelegates,
            version: version(v),
        }))
        .await;
    }
    run(Command::Documents(DocumentCommand::UpdateDocument {
        document_id: 1,
        title: "Báo cáo chính trị (dự thảo)".into(),
        agenda_item_id: Some("A2".into()),
        audience: DocAudience::Presidium,
    }))
    .await;
    run(Command::Documents(DocumentCommand::RecordDelivery {
        document_id: 1,
        version: 2,
        delivery: DocDelivery {
            size: 2000,
            etag: "\"fixture-etag\"".into(),
            devices: vec![tablet1.id.clone()],
            at: s.clock.now_ms(),
        },
    }))
    .await;
    run(Command::Documents(DocumentCommand::RecordFetch(DocFetch {
        document_id: 1,
        version: 2,
        device_id: tablet1.id.clone(),
        at: s.clock.now_ms(),
    })))
    .await;
    run(Command::Documents(DocumentCommand::PurgeDocuments {
        versions: vec![(1, 1)],
        reason: "retention".into(),
    }))
    .await;
    // Faces: an enrolment and a purge.
    run(Command::Attendance(AttendanceCommand::EnrolFace {
        delegate_id: VIET.into(),
        source: "desk:thamtra".into(),
        embeddings: 3,
        embedding_sha256: "ab".repeat(32),
    }))
    .await;
    run(Command::Attendance(AttendanceCommand::PurgeBiometrics {
        enrolments: 1,
    }))
    .await;
    // Notices and groups.
    run(Command::Notices(NoticeCommand::SendNotice {
        text: "Mời các đồng chí về chỗ ngồi".into(),
        audience: NoticeAudience::All,
        by: "thuky".into(),
    }))
    .await;
    run(Command::Notices(NoticeCommand::ReadNotice {
        notice_id: 1,
        delegate_id: VIET.into(),
    }))
    .await;
    run(Command::Groups(GroupCommand::SetSecretary {
        group: "Tổ 1".into(),
        delegate_id: Some(VIET.into()),
    }))
    .await;
    run(Command::Groups(GroupCommand::SaveOpinion {
        delegate_id: ARAB.into(),
        item_id: "A2".into(),
        text: "Đề nghị bổ sung phần kinh tế".into(),
    }))
    .await;
    for submit in [false, true] {
        run(Command::Groups(GroupCommand::SaveSummary {
            delegate_id: VIET.into(),
            item_id: "A2".into(),
            text: "Tổ 1 nhất trí, góp ý phần kinh tế".into(),
            submit,
        }))
        .await;
    }
    // Votes: an open motion, a secret motion and a secret election, linked to an item.
    s.set_current(Some("A3")).await;
    let spec = |kind, secrecy| {
        congress_domain::vote::VoteSpec::new(VoteId(0), "Biểu quyết", kind, secrecy)
    };
    use congress_domain::vote::{Secrecy as S, VoteKind as K};
    run(Command::Votes(VoteCommand::CreateVote {
        spec: spec(K::Motion, S::Open),
        duration_s: Some(60),
    }))
    .await;
    run(Command::Votes(VoteCommand::CreateVote {
        spec: spec(K::Motion, S::Secret),
        duration_s: None,
    }))
    .await;
    run(Command::Votes(VoteCommand::CreateVote {
        spec: spec(
            K::Election {
                seats: 2,
                candidates: vec![
                    VoteOption::new(1, "Nguyễn Văn An"),
                    VoteOption::new(2, "Trần Thị Bình"),
                    VoteOption::new(3, "Lê Văn Cường"),
                ],
            },
            S::Secret,
        ),
        duration_s: None,
    }))
    .await;
    run(m(MeetingCommand::LinkVote {
        vote_id: 3,
        item_id: Some("A3".into()),
    }))
    .await;
    let voters = [VIET, ARAB, PLAIN];
    for vote_id in 1..=3u64 {
        run(Command::Votes(VoteCommand::OpenVote { vote_id })).await;
        for (n, d) in voters.iter().enumerate() {
            let choice = match vote_id {
                3 => BallotChoice::Election {
                    kept: vec![OptionId(1 + n as u32 % 3), OptionId(1 + (n as u32 + 1) % 3)],
                },
                _ if n == 2 => BallotChoice::Blank,
                _ => BallotChoice::Motion {
                    position: if n == 0 {
                        MotionPosition::For
                    } else {
                        MotionPosition::Against
                    },
                },
            };
            run(ballot(vote_id, d, n as u32, choice)).await;
        }
        run(Command::Votes(VoteCommand::CloseVote { vote_id })).await;
    }
    s.stop().await;
    s
}

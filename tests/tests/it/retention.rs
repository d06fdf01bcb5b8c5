//! Retention on a real SQLite file and real files: nothing is purged before the deadline; after
//! it the face enrolments and the document contents (stored original, delivery copies, search
//! text) are deleted, each purge journalled; the minutes still list the documents, downloads
//! answer 410 Gone, the audit log shows the purges, and `verify` still passes.

use congress_domain::{AttendanceCommand, DocumentCommand};
use std::path::{Path, PathBuf};
use std::time::Duration;

use congress_domain::Command;
use congress_proto::*;
use congress_server::config::RetentionConfig;
use congress_server::retention::{Purged, Retention};
use congress_store::{FaceEnrolment, Write};

use crate::util::*;

use crate::documents::pdfgen;

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            if e.path().is_dir() {
                out.extend(files_under(&e.path()));
            } else {
                out.push(e.path());
            }
        }
    }
    out
}

async fn enrol(s: &TestServer, delegate: &str) {
    s.engine()
        .execute_with(
            Command::Attendance(AttendanceCommand::EnrolFace {
                delegate_id: delegate.into(),
                source: "import".into(),
                embeddings: 1,
                embedding_sha256: "00".repeat(32),
            }),
            "cli".into(),
            None,
            vec![Write::FaceEnrolment(FaceEnrolment {
                delegate_id: delegate.into(),
                embeddings: vec![vec![0u8; 512]],
                photo_thumb: Some(vec![0xff, 0xd8, 0xff]),
                source: "import".into(),
                at: s.clock.now_ms(),
            })],
            |a| serde_json::json!(a.seq),
        )
        .await
        .unwrap();
}

fn enrolments(s: &TestServer) -> i64 {
    s.conn()
        .query_row("SELECT COUNT(*) FROM face_enrolments", [], |r| r.get(0))
        .unwrap()
}

/// A tablet for `delegate` with a real age recipient (from Debian's `age-keygen`), if present.
async fn tablet_with_recipient(
    s: &TestServer,
    delegate: &str,
    dir: &Path,
) -> Option<congress_client::Api> {
    if !have("age-keygen") {
        return None;
    }
    Some(crate::documents::pair_tablet(s, delegate, dir).await.0)
}

/// 2026-12-02T03:00Z: the second day of the test congress (2026-12-01 to 2026-12-03).
const DURING_THE_CONGRESS_MS: i64 = 1_796_180_400_000;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expired_biometrics_and_documents_are_purged_journalled_and_still_listed() {
    // During the congress (2026-12-02 10:00 in the hall, UTC+7), whatever the date today.
    let s = TestServer::start_with(Options {
        clock_ms: Some(DURING_THE_CONGRESS_MS),
        ..Options::default()
    })
    .await;
    let tmp = tempfile::tempdir().unwrap();
    enrol(&s, VIET).await;
    enrol(&s, ARAB).await;
    assert_eq!(enrolments(&s), 2);
    let pdf = pdfgen::make_pdf(&[&["Báo cáo chính trị", "Nhiệm kỳ 2025–2030"]], false);
    let (status, body) = s
        .secretariat
        .raw(
            reqwest::Method::POST,
            "/api/documents?title=B%C3%A1o%20c%C3%A1o%20ch%C3%ADnh%20tr%E1%BB%8B&audience=all",
            "application/pdf",
            pdf,
        )
        .await
        .unwrap();
    assert_eq!(status, 200, "{body}");
    let doc: UploadAck = serde_json::from_str(&body).unwrap();
    let id = doc.document.id;
    let docs_dir = s.config.data_dir.join("documents").join(id.to_string());
    let tablet = tablet_with_recipient(&s, VIET, tmp.path()).await;
    if let Some(t) = &tablet {
        // wait for the delivery copy
        let mut ok = false;
        for _ in 0..200 {
            let list: Vec<Document> = t.get("/api/documents").await.unwrap();
            if list
                .iter()
                .any(|d| d.id == id && d.versions[0].delivery.is_some())
            {
                ok = true;
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert!(ok, "delivered");
    } else {
        eprintln!("SKIPPED the delivery-copy part: age-keygen is not installed");
    }
    let before = files_under(&docs_dir);
    assert!(before.iter().any(|p| p.ends_with("v1.age")), "{before:?}");
    let hits: SearchResults = s
        .secretariat
        .get("/api/search?q=chinh%20tri")
        .await
        .unwrap();
    assert!(!hits.hits.is_empty(), "indexed");

    let state = s.state.as_ref().unwrap();
    let r = Retention {
        config: RetentionConfig {
            biometrics_days_after_end: Some(0),
            documents_days_after_end: Some(30),
            check_minutes: 60,
        },
        ..Retention::from_app(state)
    };
    // Before the end of the congress (2026-12-03): nothing.
    let head = s.head().await;
    assert_eq!(r.run_once().await.unwrap(), Purged::default());
    assert_eq!(s.head().await, head, "nothing journalled");
    assert_eq!(enrolments(&s), 2);

    // The day after the end: biometrics only.
    let end = congress_server::retention::deadline(
        &s.engine().read(|st| st.congress.clone()).unwrap(),
        0,
        420,
    )
    .unwrap();
    s.clock.advance(end - s.clock.now_ms());
    let p = r.run_once().await.unwrap();
    assert_eq!(p.enrolments, 2);
    assert_eq!(p.versions, 0);
    assert_eq!(enrolments(&s), 0);
    assert_eq!(r.run_once().await.unwrap(), Purged::default(), "once only");

    // 30 days later: documents.
    s.clock.advance(30 * 86_400_000);
    let p = r.run_once().await.unwrap();
    assert_eq!(p.versions, 1);
    assert!(p.files >= 1);
    // Operators' sessions expired during those days: sign in again.
    let sec = s.session_for(Who::Secretariat).await;
    let admin = s.session_for(Who::Admin).await;
    let observer = s.session_for(Who::Observer).await;
    let after = files_under(&docs_dir);
    assert!(after.is_empty(), "files left: {after:?}");
    let hits: SearchResults = sec.get("/api/search?q=chinh%20tri").await.unwrap();
    assert!(hits.hits.is_empty(), "search text deleted");
    let listed: DocumentAdmin = sec.get(&format!("/api/documents/{id}")).await.unwrap();
    assert!(listed.document.versions[0].purged_at.is_some());
    if let Some(t) = &tablet {
        let (status, body) = t
            .raw(
                reqwest::Method::GET,
                &format!("/api/documents/{id}/versions/1/content"),
                "application/json",
                vec![],
            )
            .await
            .unwrap();
        assert_eq!(status, 410, "{body}");
        assert!(body.contains("retention"), "{body}");
    }
    // The minutes still list the document, marked; the audit log shows both purges.
    let (_, html) = admin
        .raw(
            reqwest::Method::GET,
            "/api/minutes.html?lang=en",
            "application/json",
            vec![],
        )
        .await
        .unwrap();
    assert!(html.contains("Báo cáo chính trị"));
    assert!(html.contains("Content deleted under the retention rules"));
    let page: AuditPage = observer
        .get("/api/audit?kind=biometrics_purged,documents_purged&lang=en")
        .await
        .unwrap();
    let kinds: Vec<(&str, &str)> = page
        .entries
        .iter()
        .map(|e| (e.kind.as_str(), e.actor.as_str()))
        .collect();
    assert_eq!(
        kinds,
        [
            ("documents_purged", "system"),
            ("biometrics_purged", "system")
        ]
    );
    assert!(
        page.entries[0]
            .text
            .contains("1 document versions (retention)")
    );
    // Purging again journals nothing; verify replays the purge into the same state.
    let head = admin.get::<JournalHead>("/api/journal/head").await.unwrap();
    assert_eq!(r.purge_documents("cli", "cli").await.unwrap().versions, 0);
    assert_eq!(
        admin.get::<JournalHead>("/api/journal/head").await.unwrap(),
        head
    );
    let report = congress_store::verify(&s.db()).unwrap();
    assert!(report.ok(), "{:?}", report.problems);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_purge_survives_a_restart_and_a_file_left_by_a_crash_is_swept() {
    let s = TestServer::start().await;
    let pdf = pdfgen::make_pdf(&[&["Tài liệu"]], false);
    let (status, body) = s
        .secretariat
        .raw(
            reqwest::Method::POST,
            "/api/documents?title=T&audience=all",
            "application/pdf",
            pdf,
        )
        .await
        .unwrap();
    assert_eq!(status, 200, "{body}");
    let doc: UploadAck = serde_json::from_str(&body).unwrap();
    let stored = s
        .config
        .data_dir
        .join("documents")
        .join(doc.document.id.to_string())
        .join("v1.age");
    assert!(stored.exists());
    // A crash right after the event: journalled, file still there.
    s.engine()
        .run(
            Command::Documents(DocumentCommand::PurgeDocuments {
                versions: vec![(doc.document.id, 1)],
                reason: "retention".into(),
            }),
            "system",
        )
        .await
        .unwrap();
    assert!(stored.exists());
    let s = s.restart().await;
    // The periodic task runs at start; give it a moment, then check by hand too.
    let r = Retention::from_app(s.state.as_ref().unwrap());
    for _ in 0..100 {
        if !stored.exists() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let _ = r.run_once().await.unwrap();
    assert!(!stored.exists(), "swept");
    let d: DocumentAdmin = s
        .secretariat
        .get(&format!("/api/documents/{}", doc.document.id))
        .await
        .unwrap();
    assert!(d.document.versions[0].purged_at.is_some());
    // A purge naming an unknown version is refused and journals nothing.
    let head = s.head().await;
    let err = s
        .engine()
        .run(
            Command::Documents(DocumentCommand::PurgeDocuments {
                versions: vec![(999, 1)],
                reason: "cli".into(),
            }),
            "cli",
        )
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("unknown document version"),
        "{err}"
    );
    assert_eq!(s.head().await, head);
}

//! Backups and restore: a backup taken while a writer commits is a consistent snapshot that
//! verifies; rotation keeps N; a restored data folder serves the backup's state and documents;
//! a damaged backup or a non-empty target is refused with a clear message; the schedule runs.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use congress_proto::*;
use congress_server::backup::{self, BackupError};

use crate::util::*;

use crate::documents::pdfgen;

async fn run_backup(s: &TestServer, root: &Path, keep: Option<usize>) -> backup::BackupReport {
    let (data, root, db) = (s.config.data_dir.clone(), root.to_path_buf(), s.db());
    tokio::task::spawn_blocking(move || backup::backup(&data, &db, &root, keep))
        .await
        .unwrap()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_taken_while_a_writer_commits_is_a_consistent_snapshot() {
    let s = TestServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let writer = {
        let api = s.credentials.clone();
        let stop = stop.clone();
        tokio::spawn(async move {
            let mut n = 0u32;
            while !stop.load(Ordering::Relaxed) {
                let status = if n.is_multiple_of(2) {
                    AttendanceStatus::Present
                } else {
                    AttendanceStatus::Left
                };
                for d in [VIET, ARAB, PLAIN, EXTRA] {
                    api.set_attendance(&cid("w"), d, status, "CCCD")
                        .await
                        .unwrap();
                }
                n += 1;
            }
            n
        })
    };
    let mut seqs = Vec::new();
    for _ in 0..4 {
        tokio::time::sleep(Duration::from_millis(150)).await;
        let r = run_backup(&s, dir.path(), None).await;
        // The copy verifies on its own and its head is the manifest's.
        let m = backup::check(&r.path, &s.config).unwrap();
        assert_eq!(m.journal, r.manifest.journal);
        seqs.push(m.journal.seq);
    }
    stop.store(true, Ordering::Relaxed);
    let rounds = writer.await.unwrap();
    assert!(
        rounds > 2,
        "the writer committed meanwhile ({rounds} rounds)"
    );
    assert!(seqs.windows(2).all(|w| w[0] < w[1]), "{seqs:?}");
    assert!(*seqs.last().unwrap() < s.head().await.seq);
    assert_eq!(backup::list(dir.path()).len(), 4);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rotation_keeps_the_newest_n_and_unchanged_schedules_skip() {
    let s = TestServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let mut made = Vec::new();
    for (i, d) in [VIET, ARAB, PLAIN, EXTRA, VIET].iter().enumerate() {
        let status = if i == 4 {
            AttendanceStatus::Left
        } else {
            AttendanceStatus::Present
        };
        s.credentials
            .set_attendance(&cid("r"), d, status, "CCCD")
            .await
            .unwrap();
        made.push(run_backup(&s, dir.path(), Some(3)).await.path);
    }
    assert_eq!(backup::list(dir.path()), made[2..].to_vec());
    // Nothing new: the scheduled form skips.
    let (data, root, db) = (s.config.data_dir.clone(), dir.path().to_path_buf(), s.db());
    let skipped =
        tokio::task::spawn_blocking(move || backup::backup_if_changed(&data, &db, &root, 3))
            .await
            .unwrap()
            .unwrap();
    assert!(skipped.is_none());
    // The schedule (as `serve` starts it) writes a backup once something changes.
    let (tx, rx) = tokio::sync::watch::channel(false);
    backup::start_schedule(
        s.config.data_dir.clone(),
        s.db(),
        backup::BackupConfig {
            dir: Some(dir.path().to_path_buf()),
            interval_s: 1,
            keep: 3,
        },
        rx,
    );
    s.credentials
        .set_attendance(&cid("r"), ARAB, AttendanceStatus::Left, "CCCD")
        .await
        .unwrap();
    let head = s.head().await;
    let mut found = false;
    for _ in 0..60 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        let newest = backup::latest(dir.path()).unwrap();
        if backup::check(&newest, &s.config).unwrap().journal == head {
            found = true;
            break;
        }
    }
    tx.send_replace(true);
    assert!(found, "the scheduled backup did not appear");
    assert_eq!(backup::list(dir.path()).len(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restored_folder_serves_the_backups_state_and_documents() {
    if !have("age-keygen") || !have("pdftotext") {
        return;
    }
    let s = TestServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    s.check_in(VIET).await;
    // A tablet with an age identity, and a document delivered to it.
    let (tablet, _, _) = crate::documents::pair_tablet(&s, VIET, dir.path()).await;
    let tablet_token = tablet.token().unwrap().to_string();
    let pdf = pdfgen::make_pdf(&[&["Báo cáo chính trị", "sao lưu"]], false);
    let (status, body) = s
        .secretariat
        .raw(
            reqwest::Method::POST,
            "/api/documents?title=Bao%20cao&audience=all&file_name=bao-cao.pdf",
            "application/pdf",
            pdf,
        )
        .await
        .unwrap();
    assert_eq!(status, 200, "{body}");
    let doc = serde_json::from_str::<UploadAck>(&body).unwrap().document;
    let mut etag = None;
    for _ in 0..200 {
        let docs: Vec<Document> = tablet.get("/api/documents").await.unwrap();
        etag = docs
            .iter()
            .find(|d| d.id == doc.id)
            .and_then(|d| d.versions.first())
            .and_then(|v| v.delivery.clone());
        if etag.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(etag.is_some(), "never delivered");
    let url = format!("/api/documents/{}/versions/1/content", doc.id);
    let http = reqwest::Client::new();
    let before = http
        .get(format!("{}{url}", s.base))
        .bearer_auth(&tablet_token)
        .send()
        .await
        .unwrap();
    assert_eq!(before.status(), 200);
    let before = before.bytes().await.unwrap();

    let r = run_backup(&s, &dir.path().join("backups"), Some(5)).await;
    assert!(
        r.manifest
            .files
            .iter()
            .any(|f| f.path.starts_with("documents/"))
    );
    assert!(
        r.manifest
            .files
            .iter()
            .any(|f| f.path == "storage-key.age-identity")
    );
    let head = r.manifest.journal.clone();
    assert!(head.seq <= s.head().await.seq);
    // Something after the backup: lost by a restore (at most the interval since the backup).
    s.check_in(ARAB).await;

    // A second backup links the unchanged documents instead of copying them.
    let r2 = run_backup(&s, &dir.path().join("backups"), Some(5)).await;
    assert!(r2.linked >= 1, "documents were copied again");

    // Restore the first backup into a fresh folder and serve it.
    let fresh = dir.path().join("spare").join("data");
    let (from, to, cfg) = (r.path.clone(), fresh.clone(), s.config.clone());
    let restored = tokio::task::spawn_blocking(move || backup::restore(&from, &to, &cfg))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(restored.manifest.journal, head);
    let config = unlocked(congress_server::Config {
        data_dir: fresh.clone(),
        listen: "127.0.0.1:0".parse().unwrap(),
        web_root: dir.path().to_path_buf(),
        face_check_in: congress_server::face::FaceMode::Off,
        tls: congress_server::tls::TlsMode::Off,
        ..Default::default()
    });
    let state = congress_server::open(config).unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(congress_server::serve(listener, state, async move {
        let _ = stop_rx.await;
    }));
    let admin = congress_client::Api::new(base.clone()).with_token(s.admin.token().unwrap());
    let got: JournalHead = admin.get("/api/journal/head").await.unwrap();
    assert_eq!(got, head);
    let list: AttendanceList = admin.get("/api/attendance").await.unwrap();
    assert_eq!(
        list.summary.present, 1,
        "the check-in after the backup is not there"
    );
    // The tablet's token works on the spare, and its document downloads identically.
    let after = http
        .get(format!("{base}{url}"))
        .bearer_auth(&tablet_token)
        .send()
        .await
        .unwrap();
    assert_eq!(after.status(), 200);
    assert_eq!(after.bytes().await.unwrap(), before);
    let _ = stop_tx.send(());
    within(task).await.unwrap().unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn damaged_backups_and_non_empty_targets_are_refused() {
    let s = TestServer::start().await;
    s.check_in(VIET).await;
    let dir = tempfile::tempdir().unwrap();
    let r = run_backup(&s, dir.path(), None).await;
    let restore = |from: &Path, to: &Path| backup::restore(from, to, &s.config);

    // A non-empty target is never overwritten.
    let busy = dir.path().join("busy");
    std::fs::create_dir_all(&busy).unwrap();
    std::fs::write(busy.join("keep.txt"), "x").unwrap();
    let e = restore(&r.path, &busy).unwrap_err();
    assert!(matches!(e, BackupError::NotEmpty(_)), "{e}");
    assert!(e.to_string().contains("not empty"), "{e}");
    assert_eq!(std::fs::read_to_string(busy.join("keep.txt")).unwrap(), "x");

    // One flipped byte in the database copy.
    let bad = dir.path().join("bad-db");
    copy_dir(&r.path, &bad);
    let db = bad.join("congress.sqlite");
    let mut bytes = std::fs::read(&db).unwrap();
    let i = bytes.len() / 2;
    bytes[i] ^= 0x40;
    std::fs::write(&db, bytes).unwrap();
    let target = dir.path().join("t1");
    let e = restore(&bad, &target).unwrap_err().to_string();
    assert!(
        e.contains("damaged") && e.contains("congress.sqlite does not match"),
        "{e}"
    );
    assert!(
        !target.exists(),
        "nothing is installed from a damaged backup"
    );

    // An edited manifest.
    let bad = dir.path().join("bad-manifest");
    copy_dir(&r.path, &bad);
    let m = std::fs::read_to_string(bad.join("manifest.json")).unwrap();
    std::fs::write(
        bad.join("manifest.json"),
        m.replacen("\"seq\"", "\"seq\" ", 1),
    )
    .unwrap();
    let e = restore(&bad, &dir.path().join("t2"))
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("manifest.json does not match MANIFEST.sha256"),
        "{e}"
    );

    // A missing file.
    let bad = dir.path().join("bad-missing");
    copy_dir(&r.path, &bad);
    std::fs::remove_file(bad.join("storage-key.age-identity")).unwrap();
    let e = restore(&bad, &dir.path().join("t3"))
        .unwrap_err()
        .to_string();
    assert!(e.contains("storage-key.age-identity is missing"), "{e}");

    // Nothing there at all.
    let e = restore(&dir.path().join("nowhere"), &dir.path().join("t4"))
        .unwrap_err()
        .to_string();
    assert!(e.contains("no backup found"), "{e}");

    // The intact one restores into an existing empty folder.
    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    let ok = restore(dir.path(), &empty).unwrap();
    assert_eq!(ok.manifest.journal, s.head().await);
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &to.join(e.file_name()));
        } else {
            std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
        }
    }
}

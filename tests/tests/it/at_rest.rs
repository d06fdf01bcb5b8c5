//! Nothing readable in a stolen data folder (issue 13, findings 1 and 2): with a server running
//! (so its WAL holds fresh pages) and a backup taken, every byte of the data folder and of the
//! backup is searched for a known document phrase, delegate names, a face embedding and an
//! operator's password hash. Each needle is first read back through the keyed database, so the
//! test would fail on a server that stored them in clear (as the one before encryption did).

use std::path::Path;

use crate::documents::{delivered, pair_tablet, pdfgen, upload_ok};
use crate::util::*;

/// A phrase of the document (ASCII, so it would show verbatim in a clear PDF and, folded, in
/// the search index).
const PHRASE: &str = "Zanzibar quartermaster accord";

fn files_under(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            files_under(&p, out);
        } else {
            out.push(p);
        }
    }
}

/// Every (file, needle name) where a needle's bytes appear.
fn hits(dirs: &[&Path], needles: &[(&str, Vec<u8>)]) -> Vec<String> {
    let mut files = Vec::new();
    for d in dirs {
        files_under(d, &mut files);
    }
    let mut found = Vec::new();
    for f in &files {
        let bytes = std::fs::read(f).unwrap_or_default();
        let lower = bytes.to_ascii_lowercase();
        for (name, n) in needles {
            let n_lower = n.to_ascii_lowercase();
            if lower
                .windows(n_lower.len())
                .any(|w| w == n_lower.as_slice())
            {
                found.push(format!("{name} in {}", f.display()));
            }
        }
    }
    found
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stolen_data_folder_and_backup_show_no_document_name_embedding_or_hash() {
    let s = TestServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let (tablet, _, _) = pair_tablet(&s, VIET, dir.path()).await;
    let pdf = pdfgen::make_pdf(&[&[PHRASE, "Chuyển đổi số"]], false);
    assert!(
        pdf.windows(8).any(|w| w == b"Zanzibar"),
        "the test PDF shows its phrase in clear"
    );
    let doc = upload_ok(
        &s.secretariat,
        "title=T&agenda_item_id=A2&audience=all&file_name=t.pdf",
        pdf,
    )
    .await;
    delivered(&tablet, doc.id, 1).await;
    let res: congress_proto::SearchResults =
        tablet.get("/api/search?q=quartermaster").await.unwrap();
    assert_eq!(res.hits.len(), 1, "the phrase is indexed");

    // A face embedding, written to the enrolment table as the kiosk's enrolment writes it.
    let embedding: Vec<u8> = (0..128u32)
        .flat_map(|i| (0.4321f32 + i as f32 * 0.0173).to_le_bytes())
        .collect();
    let conn = s.conn();
    conn.execute(
        "INSERT INTO face_enrolments (delegate_id, embedding, photo_thumb, source, at)
         VALUES (?1, ?2, NULL, 'import', 1)",
        rusqlite::params![VIET, embedding],
    )
    .unwrap();
    let hash: String = conn
        .query_row(
            "SELECT password_hash FROM operators WHERE username = 'admin'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let name: String = conn
        .query_row(
            "SELECT full_name FROM delegates WHERE id = ?1",
            [VIET],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(name, VIET_NAME);
    let indexed: i64 = conn
        .query_row(
            "SELECT count(*) FROM doc_search_pages WHERE body LIKE '%quartermaster%'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(
        indexed, 1,
        "the search index holds the phrase (inside the database)"
    );
    drop(conn);

    // A backup, taken while the server runs.
    let root = dir.path().join("backups");
    let (data, db, r) = (s.config.data_dir.clone(), s.db(), root.clone());
    let rep =
        tokio::task::spawn_blocking(move || congress_server::backup::backup(&data, &db, &r, None))
            .await
            .unwrap()
            .unwrap();
    let wal = s.config.data_dir.join("congress.sqlite-wal");
    assert!(
        std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0) > 0,
        "the WAL is there to be searched"
    );

    // The hash's digest part (its prefix `$argon2id$v=19$m=…` is public).
    let digest = hash.rsplit('$').next().unwrap().to_string();
    assert!(digest.len() >= 20);
    let needles: Vec<(&str, Vec<u8>)> = vec![
        ("document phrase", PHRASE.as_bytes().to_vec()),
        ("folded phrase", b"quartermaster".to_vec()),
        ("delegate name", VIET_NAME.as_bytes().to_vec()),
        ("arabic name", ARAB_NAME.as_bytes().to_vec()),
        ("embedding", embedding[..64].to_vec()),
        ("password hash", digest.into_bytes()),
    ];
    let found = hits(&[&s.config.data_dir, &rep.path], &needles);
    assert!(
        found.is_empty(),
        "readable in the stolen folder: {found:#?}"
    );

    // Without the passphrase the backup does not open; with it, it checks.
    let mut wrong = s.config.clone();
    wrong.unlock = Some(congress_server::keys::Unlock::Passphrase(
        congress_server::keys::Passphrase::new("guess"),
    ));
    let e = congress_server::backup::check(&rep.path, &wrong)
        .unwrap_err()
        .to_string();
    assert!(e.contains("passphrase is wrong"), "{e}");
    let mut none = s.config.clone();
    none.unlock = None;
    assert!(congress_server::backup::check(&rep.path, &none).is_err());
    congress_server::backup::check(&rep.path, &s.config).unwrap();
}

//! Documents: upload, delivery encrypted to the tablets, Range/ETag, search, access control
//! for every role and audience, bad uploads, and interoperability with Debian's `age` CLI.
//!
//! (Over 600 lines on purpose: each test is a whole scenario over real sockets.)

use congress_domain::CongressCommand;
use std::path::Path;
use std::process::Command as Proc;
use std::time::Duration;

use congress_client::{Api, Live};
use congress_domain::Command;
use congress_proto::*;

use crate::util::*;

#[path = "../../../crates/congress-docs/tests/common/mod.rs"]
pub(crate) mod pdfgen;

fn report() -> Vec<u8> {
    pdfgen::make_pdf(
        &[
            &["Báo cáo chính trị", "Đại hội đại biểu lần thứ XV"],
            &["Phương hướng nhiệm vụ nhiệm kỳ tới", "Chuyển đổi số"],
        ],
        false,
    )
}

/// A tablet paired for `delegate` with a fresh age identity; returns (api, device, identity file).
pub(crate) async fn pair_tablet(
    s: &TestServer,
    delegate: &str,
    dir: &Path,
) -> (Api, Device, std::path::PathBuf) {
    let key = dir.join(format!("{delegate}-{}.key", cid("k")));
    let out = Proc::new("age-keygen")
        .arg("-o")
        .arg(&key)
        .output()
        .expect("age-keygen");
    assert!(out.status.success());
    let text = std::fs::read_to_string(&key).unwrap();
    let recipient = text
        .lines()
        .find_map(|l| l.strip_prefix("# public key: "))
        .unwrap()
        .to_string();
    let code: PairingCode = s
        .admin
        .post(
            "/api/devices/pairing-codes",
            &CreatePairingCode {
                kind: DeviceKind::Tablet,
                delegate_id: Some(delegate.into()),
                label: None,
                direction: None,
            },
        )
        .await
        .unwrap();
    let paired: PairResponse = s
        .anon
        .post(
            "/api/devices/pair",
            &PairRequest {
                code: code.code,
                recipient: Some(recipient),
                credential: None,
            },
        )
        .await
        .unwrap();
    (s.anon.with_token(paired.device_token), paired.device, key)
}

async fn upload(api: &Api, query: &str, pdf: Vec<u8>) -> (u16, serde_json::Value) {
    let (status, body) = api
        .raw(
            reqwest::Method::POST,
            &format!("/api/documents?{query}"),
            "application/pdf",
            pdf,
        )
        .await
        .unwrap();
    (
        status,
        serde_json::from_str(&body).unwrap_or(serde_json::Value::String(body)),
    )
}

pub(crate) async fn upload_ok(api: &Api, query: &str, pdf: Vec<u8>) -> Document {
    let (status, v) = upload(api, query, pdf).await;
    assert_eq!(status, 200, "{v}");
    serde_json::from_value::<UploadAck>(v).unwrap().document
}

/// Waits until `tablet` lists version `version` of `id` with a delivery for it.
pub(crate) async fn delivered(tablet: &Api, id: i64, version: u32) -> DocDelivery {
    for _ in 0..200 {
        let docs: Vec<Document> = tablet.get("/api/documents").await.unwrap();
        if let Some(d) = docs
            .iter()
            .find(|d| d.id == id)
            .and_then(|d| d.versions.iter().find(|v| v.version == version))
            .and_then(|v| v.delivery.clone())
        {
            return d;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("document {id} v{version} was never delivered");
}

fn http() -> reqwest::Client {
    reqwest::Client::new()
}

fn content_url(s: &TestServer, id: i64, v: u32) -> String {
    format!("{}/api/documents/{id}/versions/{v}/content", s.base)
}

async fn get_content(
    s: &TestServer,
    tablet: &Api,
    id: i64,
    v: u32,
    headers: &[(&str, &str)],
) -> reqwest::Response {
    let mut r = http()
        .get(content_url(s, id, v))
        .bearer_auth(tablet.token().unwrap_or_default());
    for (k, val) in headers {
        r = r.header(*k, *val);
    }
    r.send().await.unwrap()
}

#[tokio::test]
async fn uploaded_document_decrypts_with_the_age_cli_and_is_searchable() {
    if !have("age") || !have("pdftotext") {
        return;
    }
    let s = TestServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let (tablet, device, key) = pair_tablet(&s, VIET, dir.path()).await;
    let pdf = report();
    let doc = upload_ok(
        &s.secretariat,
        "title=B%C3%A1o%20c%C3%A1o%20ch%C3%ADnh%20tr%E1%BB%8B&agenda_item_id=A2&audience=all&file_name=bao-cao.pdf",
        pdf.clone(),
    )
    .await;
    assert_eq!(doc.title, "Báo cáo chính trị");
    assert_eq!(doc.versions[0].pages, 2);
    let delivery = delivered(&tablet, doc.id, 1).await;

    // Full download, decrypted by Debian's age with the tablet's identity.
    let r = get_content(&s, &tablet, doc.id, 1, &[]).await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["etag"].to_str().unwrap(), delivery.etag);
    assert_eq!(r.headers()["accept-ranges"], "bytes");
    let cipher = r.bytes().await.unwrap().to_vec();
    assert_eq!(cipher.len() as u64, delivery.size);
    assert!(!cipher.windows(5).any(|w| w == b"%PDF-"));
    let enc = dir.path().join("doc.age");
    std::fs::write(&enc, &cipher).unwrap();
    let out = Proc::new("age")
        .arg("-d")
        .arg("-i")
        .arg(&key)
        .arg(&enc)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(out.stdout, pdf);

    // The stored copy at rest is ciphertext too, and not for the tablet.
    let stored = s
        .config
        .data_dir
        .join(format!("documents/{}/v1.age", doc.id));
    let at_rest = std::fs::read(&stored).unwrap();
    assert!(at_rest.starts_with(b"age-encryption.org/v1"));
    let out = Proc::new("age")
        .arg("-d")
        .arg("-i")
        .arg(&key)
        .arg(&stored)
        .output()
        .unwrap();
    assert!(!out.status.success());

    // ETag and Range.
    let r = get_content(&s, &tablet, doc.id, 1, &[("if-none-match", &delivery.etag)]).await;
    assert_eq!(r.status(), 304);
    let r = get_content(&s, &tablet, doc.id, 1, &[("range", "bytes=10-99")]).await;
    assert_eq!(r.status(), 206);
    assert_eq!(
        r.headers()["content-range"].to_str().unwrap(),
        format!("bytes 10-99/{}", cipher.len())
    );
    assert_eq!(r.bytes().await.unwrap().to_vec(), cipher[10..100].to_vec());
    let beyond = format!("bytes={}-", cipher.len() + 10);
    let r = get_content(&s, &tablet, doc.id, 1, &[("range", &beyond)]).await;
    assert_eq!(r.status(), 416);
    assert_eq!(
        r.headers()["content-range"].to_str().unwrap(),
        format!("bytes */{}", cipher.len())
    );
    // If-Range with another ETag: the whole file.
    let r = get_content(
        &s,
        &tablet,
        doc.id,
        1,
        &[("range", "bytes=0-9"), ("if-range", "\"other\"")],
    )
    .await;
    assert_eq!(r.status(), 200);

    // Search with and without diacritics.
    for q in ["chuyển đổi", "chuyen doi", "CHUYEN DOI"] {
        let res: SearchResults = tablet
            .get(&format!("/api/search?q={}", urlencode(q)))
            .await
            .unwrap();
        assert_eq!(res.hits.len(), 1, "{q}");
        assert_eq!(res.hits[0].document_id, doc.id);
        assert_eq!(res.hits[0].page, 2);
        assert!(res.hits[0].snippet.iter().any(|p| p.highlight));
    }

    // The console sees who fetched what.
    for _ in 0..100 {
        let admin: DocumentAdmin = s
            .secretariat
            .get(&format!("/api/documents/{}", doc.id))
            .await
            .unwrap();
        if admin
            .fetches
            .iter()
            .any(|f| f.device_id == device.id && f.version == 1)
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(30)).await;
    }
    panic!("the fetch was not recorded");
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

#[tokio::test]
async fn a_new_version_is_pushed_reencrypted_and_counts_changed_pages() {
    if !have("age") || !have("pdftotext") {
        return;
    }
    let s = TestServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let (tablet, _, key) = pair_tablet(&s, ARAB, dir.path()).await;
    let doc = upload_ok(
        &s.secretariat,
        "title=Ngh%E1%BB%8B%20quy%E1%BA%BFt&audience=all",
        report(),
    )
    .await;
    let first = delivered(&tablet, doc.id, 1).await;
    let (mut live, _) = Live::connect(&tablet, "tablet", None).await.unwrap();
    let v2 = pdfgen::make_pdf(
        &[
            &["Báo cáo chính trị", "Đại hội đại biểu lần thứ XV"],
            &["Phương hướng sửa đổi"],
            &["Trang mới"],
        ],
        false,
    );
    let (status, v) = s
        .secretariat
        .raw(
            reqwest::Method::POST,
            &format!("/api/documents/{}/versions?file_name=v2.pdf", doc.id),
            "application/pdf",
            v2.clone(),
        )
        .await
        .unwrap();
    assert_eq!(status, 200, "{v}");
    let ack: UploadAck = serde_json::from_str(&v).unwrap();
    let latest = ack.document.versions.last().unwrap();
    assert_eq!(latest.version, 2);
    assert_eq!(latest.changed_pages, Some(2));
    // The tablet hears about it.
    let mut heard = false;
    for _ in 0..10 {
        match live.next_push_within(Duration::from_secs(5)).await {
            Ok((_, Push::Document { document })) if document.id == doc.id => {
                heard = true;
                if document.versions.len() == 2 && document.versions[1].delivery.is_some() {
                    break;
                }
            }
            Ok(_) => {}
            Err(_) => break,
        }
    }
    assert!(heard, "no document push");
    let d2 = delivered(&tablet, doc.id, 2).await;
    assert_ne!(d2.etag, first.etag);
    let r = get_content(&s, &tablet, doc.id, 2, &[]).await;
    assert_eq!(r.status(), 200);
    let enc = dir.path().join("v2.age");
    std::fs::write(&enc, r.bytes().await.unwrap()).unwrap();
    let out = Proc::new("age")
        .args(["-d", "-i"])
        .arg(&key)
        .arg(&enc)
        .output()
        .unwrap();
    assert_eq!(out.stdout, v2);
    // A tablet paired later gets the newest version re-encrypted for it.
    let (late, _, late_key) = pair_tablet(&s, EXTRA, dir.path()).await;
    let d = delivered(&late, doc.id, 2).await;
    assert_eq!(d.devices.len(), 1);
    let r = get_content(&s, &late, doc.id, 2, &[]).await;
    assert_eq!(r.status(), 200);
    std::fs::write(&enc, r.bytes().await.unwrap()).unwrap();
    let out = Proc::new("age")
        .args(["-d", "-i"])
        .arg(&late_key)
        .arg(&enc)
        .output()
        .unwrap();
    assert_eq!(out.stdout, v2);
    // And the first tablet can still read the new copy (encrypted to both).
    let r = get_content(&s, &tablet, doc.id, 2, &[]).await;
    std::fs::write(&enc, r.bytes().await.unwrap()).unwrap();
    let out = Proc::new("age")
        .args(["-d", "-i"])
        .arg(&key)
        .arg(&enc)
        .output()
        .unwrap();
    assert_eq!(out.stdout, v2);
}

#[tokio::test]
async fn access_follows_roles_and_audiences() {
    if !have("age") || !have("pdftotext") {
        return;
    }
    let s = TestServer::start().await;
    s.engine()
        .run(
            Command::Congress(CongressCommand::ImportDelegates(vec![Delegate {
                id: "D5".into(),
                full_name: "Phạm Văn Tổ Hai".into(),
                unit: "Đảng bộ khối".into(),
                seat: "B-01".into(),
                group: "Tổ 2".into(),
                roles: vec![Role::Delegate],
            }])),
            "test",
        )
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (presidium, _, _) = pair_tablet(&s, VIET, dir.path()).await; // presidium, Tổ 1
    let (plain, _, _) = pair_tablet(&s, ARAB, dir.path()).await; // Tổ 1
    let (group2, _, _) = pair_tablet(&s, "D5", dir.path()).await; // Tổ 2

    // Who may upload.
    for who in [Who::Nobody, Who::Credentials, Who::Observer] {
        let api = s.caller(who).await;
        let (status, _) = upload(&api, "title=x&audience=all", report()).await;
        assert_eq!(
            status,
            if who == Who::Nobody { 401 } else { 403 },
            "{who:?}"
        );
    }
    for who in [Who::Tablet, Who::Kiosk, Who::Projector] {
        let api = s.caller(who).await;
        let (status, _) = upload(&api, "title=x&audience=all", report()).await;
        assert_eq!(status, 403, "{who:?}");
    }
    let pres = upload_ok(
        &s.admin,
        "title=Presidium&audience=presidium",
        pdfgen::make_pdf(&[&["nhân sự đoàn chủ tịch"]], false),
    )
    .await;
    let grp = upload_ok(
        &s.secretariat,
        "title=Group&audience=group:T%E1%BB%95%202",
        pdfgen::make_pdf(&[&["góp ý tổ hai"]], false),
    )
    .await;
    delivered(&presidium, pres.id, 1).await;
    delivered(&group2, grp.id, 1).await;

    let ids = |docs: Vec<Document>| docs.iter().map(|d| d.id).collect::<Vec<_>>();
    assert_eq!(
        ids(presidium.get("/api/documents").await.unwrap()),
        vec![pres.id]
    );
    assert_eq!(
        ids(plain.get("/api/documents").await.unwrap()),
        Vec::<i64>::new()
    );
    assert_eq!(
        ids(group2.get("/api/documents").await.unwrap()),
        vec![grp.id]
    );
    let all: Vec<DocumentAdmin> = s.observer.get("/api/documents").await.unwrap();
    assert_eq!(all.len(), 2);

    // Not allowed looks exactly like not existing.
    let missing = get_content(&s, &plain, 999, 1, &[]).await;
    let (ms, mb) = (missing.status(), missing.text().await.unwrap());
    for (api, id) in [
        (&plain, pres.id),
        (&plain, grp.id),
        (&presidium, grp.id),
        (&group2, pres.id),
    ] {
        let r = get_content(&s, api, id, 1, &[]).await;
        assert_eq!(r.status(), ms);
        assert_eq!(r.text().await.unwrap(), mb);
        let e = api
            .get::<Document>(&format!("/api/documents/{id}"))
            .await
            .unwrap_err();
        assert_eq!(e.status(), Some(404));
    }
    assert_eq!(ms, 404);
    // Search answers only readable documents.
    let hits = |r: SearchResults| r.hits.iter().map(|h| h.document_id).collect::<Vec<_>>();
    assert_eq!(
        hits(plain.get("/api/search?q=to%20hai").await.unwrap()),
        Vec::<i64>::new()
    );
    assert_eq!(
        hits(presidium.get("/api/search?q=to%20hai").await.unwrap()),
        Vec::<i64>::new()
    );
    assert_eq!(
        hits(group2.get("/api/search?q=to%20hai").await.unwrap()),
        vec![grp.id]
    );
    assert_eq!(
        hits(presidium.get("/api/search?q=chu%20tich").await.unwrap()),
        vec![pres.id]
    );
    // Presidium-only text is for the presidium and the operators who manage documents
    // (issue 13, finding 13).
    assert_eq!(
        hits(s.credentials.get("/api/search?q=chu%20tich").await.unwrap()),
        Vec::<i64>::new()
    );
    // Operators, kiosks and projectors do not download tablet copies; nobody is 401.
    for who in [Who::Admin, Who::Kiosk, Who::Projector] {
        let api = s.caller(who).await;
        assert_eq!(
            get_content(&s, &api, pres.id, 1, &[]).await.status(),
            403,
            "{who:?}"
        );
    }
    assert_eq!(
        get_content(&s, &s.anon, pres.id, 1, &[]).await.status(),
        401
    );

    // An unpaired tablet is refused and gets nothing new.
    let me: Me = group2.get("/api/me").await.unwrap();
    let Me::Device { device, .. } = me else {
        panic!()
    };
    let _: Option<Device> = s
        .secretariat
        .delete(&format!("/api/devices/{}", device.id))
        .await
        .unwrap();
    assert_eq!(get_content(&s, &group2, grp.id, 1, &[]).await.status(), 401);
    let e = group2
        .get::<Vec<Document>>("/api/documents")
        .await
        .unwrap_err();
    assert_eq!(e.status(), Some(401));
    let v2 = s
        .secretariat
        .raw(
            reqwest::Method::POST,
            &format!("/api/documents/{}/versions", grp.id),
            "application/pdf",
            report(),
        )
        .await
        .unwrap();
    assert_eq!(v2.0, 200);
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let admin: DocumentAdmin = s
        .admin
        .get(&format!("/api/documents/{}", grp.id))
        .await
        .unwrap();
    let latest = admin.document.versions.last().unwrap();
    assert!(
        latest
            .delivery
            .as_ref()
            .is_none_or(|d| !d.devices.contains(&device.id))
    );
}

#[tokio::test]
async fn bad_uploads_are_refused_and_leave_nothing() {
    if !have("pdftotext") || !have("qpdf") {
        return;
    }
    let s = TestServer::start_with(Options {
        upload_max_bytes: 4096,
        ..Options::default()
    })
    .await;
    let cases: Vec<(&str, Vec<u8>, u16, &str)> = vec![
        (
            "fake",
            b"This is not a PDF at all, just text".to_vec(),
            422,
            "not a PDF",
        ),
        ("zero", vec![], 422, "empty"),
        (
            "html",
            b"<html><body>%PDF-1.4</body></html>".to_vec(),
            422,
            "PDF",
        ),
        (
            "encrypted",
            pdfgen::make_pdf(&[&["secret"]], true),
            422,
            "password",
        ),
        (
            "corrupt",
            b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\ngarbage".to_vec(),
            422,
            "damaged",
        ),
        (
            "big",
            {
                let mut v = report();
                v.extend(std::iter::repeat_n(b' ', 5000));
                v
            },
            413,
            "upload limit",
        ),
    ];
    for (name, body, status, text) in cases {
        let (st, v) = upload(&s.secretariat, "title=x&audience=all", body).await;
        assert_eq!(st, status, "{name}: {v}");
        assert!(v["message"].as_str().unwrap().contains(text), "{name}: {v}");
    }
    // A usage-restricted PDF made by qpdf.
    let dir = tempfile::tempdir().unwrap();
    let plain = dir.path().join("p.pdf");
    std::fs::write(&plain, report()).unwrap();
    let locked = dir.path().join("l.pdf");
    let st = Proc::new("qpdf")
        .args(["--encrypt", "", "owner", "256", "--print=none", "--"])
        .arg(&plain)
        .arg(&locked)
        .status()
        .unwrap();
    assert!(st.success());
    let (st, v) = upload(
        &s.secretariat,
        "title=x&audience=all",
        std::fs::read(&locked).unwrap(),
    )
    .await;
    assert_eq!(st, 422, "{v}");
    // Bad metadata.
    for q in [
        "audience=all",
        "title=x&audience=everyone",
        "title=x&audience=group:",
        "title=x&agenda_item_id=NOPE",
    ] {
        let (st, v) = upload(&s.secretariat, q, report()).await;
        assert!(st == 400 || st == 404 || st == 422, "{q}: {st} {v}");
    }
    let docs: Vec<DocumentAdmin> = s.secretariat.get("/api/documents").await.unwrap();
    assert!(docs.is_empty());
    // Nothing stored half-way.
    let root = s.config.data_dir.join("documents");
    let leftovers: Vec<_> = walk(&root);
    assert!(leftovers.is_empty(), "{leftovers:?}");
    // A name with path separators is kept only as a display name.
    let doc = upload_ok(
        &s.secretariat,
        "title=x&audience=all&file_name=..%2F..%2Fetc%2Fpasswd.pdf",
        report(),
    )
    .await;
    let name = &doc.versions[0].file_name;
    assert!(!name.contains('/') && !name.starts_with('.'), "{name}");
    assert!(!s.config.data_dir.join("etc").exists());
    let files = walk(&root);
    assert_eq!(files.len(), 1, "{files:?}");
    assert!(files[0].ends_with(format!("{}/v1.age", doc.id)));
    // Version upload to a missing document.
    let (st, _) = s
        .secretariat
        .raw(
            reqwest::Method::POST,
            "/api/documents/77/versions",
            "application/pdf",
            report(),
        )
        .await
        .unwrap();
    assert_eq!(st, 404);
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    if let Ok(rd) = std::fs::read_dir(dir) {
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(walk(&p));
            } else {
                out.push(p);
            }
        }
    }
    out
}

#[tokio::test]
async fn documents_survive_a_restart_and_verify() {
    if !have("pdftotext") {
        return;
    }
    let s = TestServer::start().await;
    let doc = upload_ok(&s.secretariat, "title=Persist&audience=all", report()).await;
    let s = s.restart().await;
    let back: DocumentAdmin = s
        .admin
        .get(&format!("/api/documents/{}", doc.id))
        .await
        .unwrap();
    assert_eq!(back.document, doc);
    let res: SearchResults = s.admin.get("/api/search?q=bao%20cao").await.unwrap();
    assert_eq!(res.hits.len(), 1);
    let report = congress_store::verify(&s.db()).unwrap();
    assert!(report.ok(), "{report:?}");
    // A second document gets a fresh id after the restart.
    let second = upload_ok(&s.secretariat, "title=Second&audience=all", report_pdf()).await;
    assert_ne!(second.id, doc.id);
}

fn report_pdf() -> Vec<u8> {
    report()
}

/// Issue 13, finding 13: observer and credentials operators read presidium-only (and
/// group-only) text through search snippets. Search answers them documents for every delegate
/// only; the operators who manage documents (admin, secretariat) search everything.
#[tokio::test]
async fn search_snippets_follow_the_operators_role() {
    if !have("pdftotext") {
        return;
    }
    let s = TestServer::start().await;
    let pres = upload_ok(
        &s.admin,
        "title=Presidium&audience=presidium",
        pdfgen::make_pdf(&[&["phương án nhân sự bí mật của đoàn chủ tịch"]], false),
    )
    .await;
    let grp = upload_ok(
        &s.secretariat,
        "title=Group&audience=group:T%E1%BB%95%201",
        pdfgen::make_pdf(&[&["phương án góp ý riêng của tổ một"]], false),
    )
    .await;
    let all = upload_ok(
        &s.secretariat,
        "title=All&audience=all",
        pdfgen::make_pdf(&[&["phương án chương trình công khai"]], false),
    )
    .await;
    let hits = |r: SearchResults| {
        let mut v = r.hits.iter().map(|h| h.document_id).collect::<Vec<_>>();
        v.sort();
        v
    };
    // Indexing follows the upload; wait until the admin finds all three.
    let mut everything = Vec::new();
    for _ in 0..100 {
        everything = hits(s.admin.get("/api/search?q=phuong%20an").await.unwrap());
        if everything.len() == 3 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let mut expected = vec![pres.id, grp.id, all.id];
    expected.sort();
    assert_eq!(everything, expected);
    assert_eq!(
        hits(
            s.secretariat
                .get("/api/search?q=phuong%20an")
                .await
                .unwrap()
        ),
        expected
    );
    for who in [Who::Credentials, Who::Observer] {
        let r: SearchResults = s.op(who).get("/api/search?q=phuong%20an").await.unwrap();
        let text = serde_json::to_string(&r).unwrap();
        assert_eq!(hits(r), vec![all.id], "{who:?}");
        assert!(
            !text.contains("bí mật") && !text.contains("riêng"),
            "{who:?}: {text}"
        );
    }
}

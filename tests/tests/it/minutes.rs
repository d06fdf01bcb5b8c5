//! The minutes and the audit log over HTTP, on a real server and SQLite file: content of the
//! HTML and CSV, the head hash against the store's, bad parameters, roles, and secrecy (nothing
//! in the audit log links a delegate to a secret choice).

use congress_client::Live;
use congress_proto::*;

use crate::util::*;

fn motion(title: &str, secrecy: Secrecy) -> CreateVote {
    CreateVote {
        client_id: cid("vote"),
        title: title.into(),
        kind: VoteKind::Motion,
        secrecy,
        rule: None,
        allow_change: false,
        show_running_tally: false,
        duration_s: None,
        turnout: None,
    }
}

async fn get_text(api: &congress_client::Api, path: &str) -> (u16, String) {
    api.raw(reqwest::Method::GET, path, "application/json", vec![])
        .await
        .unwrap()
}

/// D1..D3 checked in, item A1 taken up, an open vote and a secret vote with three ballots each
/// (for, against, abstain). Returns the server and the receipts of the secret ballots.
async fn session() -> (TestServer, Vec<String>) {
    let s = TestServer::start().await;
    let mut tablets = Vec::new();
    for d in [VIET, ARAB, PLAIN] {
        s.check_in(d).await;
        tablets.push(s.pair_for(DeviceKind::Tablet, Some(d)).await.0);
    }
    s.set_current(Some("A1")).await;
    let mut secret_receipts = Vec::new();
    for (title, secrecy) in [
        ("Thông qua chương trình Đại hội", Secrecy::Open),
        ("Thông qua Quy chế bầu cử", Secrecy::Secret),
    ] {
        let v = s
            .secretariat
            .create_vote(&motion(title, secrecy))
            .await
            .unwrap();
        let id = v.spec.id.0;
        s.secretariat
            .vote_action(id, "open", &cid("open"))
            .await
            .unwrap();
        for (i, (t, p)) in tablets
            .iter()
            .zip([
                MotionPosition::For,
                MotionPosition::Against,
                MotionPosition::Abstain,
            ])
            .enumerate()
        {
            let (mut l, _): (Live, _) = live(t, "tablet", None).await;
            let bid = format!("minutes-ballot-{id}-{i:06}-abcdef");
            l.cast_ballot(&bid, id, BallotChoice::Motion { position: p })
                .await
                .unwrap();
            let ack = within(l.next_ballot_reply()).await.unwrap().unwrap();
            if secrecy == Secrecy::Secret {
                secret_receipts.push(ack.receipt);
            }
        }
        s.secretariat
            .vote_action(id, "close", &cid("close"))
            .await
            .unwrap();
    }
    (s, secret_receipts)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn minutes_html_and_csv_hold_the_record_and_its_head_hash() {
    let (s, _) = session().await;
    let head = s.head().await;
    let (status, html) = get_text(&s.secretariat, "/api/minutes.html").await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("<html lang=\"vi\" dir=\"ltr\">"));
    assert!(html.contains("BIÊN BẢN ĐẠI HỘI"));
    assert!(html.contains(&head.hash), "head hash of the store");
    assert!(html.contains(&format!("sự kiện số {}", head.seq)));
    assert!(html.contains("congress verify"));
    assert!(html.contains("Thông qua Quy chế bầu cử"));
    assert!(html.contains("Đủ số lượng hợp lệ"), "quorum change");
    assert!(html.contains("<svg"), "presence chart");
    assert!(html.contains("Bỏ phiếu kín: chỉ ghi tổng số phiếu."));
    // The verify command prints the same head.
    let report = congress_store::verify(&s.db()).unwrap();
    assert_eq!(report.head_hash, head.hash);

    let (status, ar) = get_text(&s.observer, "/api/minutes.html?lang=ar").await;
    assert_eq!(status, 200);
    assert!(ar.contains("dir=\"rtl\"") && ar.contains("محضر المؤتمر"));

    let resp = reqwest::Client::new()
        .get(format!("{}/api/minutes.csv?lang=en", s.base))
        .bearer_auth(s.admin.token().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(
        resp.headers()["content-type"].to_str().unwrap(),
        "text/csv; charset=utf-8"
    );
    assert!(
        resp.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("minutes-en.csv")
    );
    let bytes = resp.bytes().await.unwrap();
    assert_eq!(&bytes[..3], b"\xEF\xBB\xBF", "BOM for Excel");
    let csv = String::from_utf8(bytes.to_vec()).unwrap();
    assert!(csv.starts_with("\u{feff}section,ref,time,label,value,detail\r\n"));
    assert!(csv.contains(&format!("journal,{},", head.seq)));
    assert!(csv.contains(&head.hash));
    // Open vote: who voted what, by name; secret vote: totals only.
    assert!(csv.contains(VIET_NAME));
    let open_rows: Vec<&str> = csv
        .lines()
        .filter(|l| l.starts_with("open_ballot,"))
        .collect();
    assert_eq!(open_rows.len(), 3, "{csv}");
    assert!(open_rows.iter().all(|l| l.starts_with("open_ballot,1,")));
    assert!(csv.contains("vote_count,2,,For,1,"));
    assert!(csv.contains("vote,2,"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn minutes_and_audit_refuse_bad_parameters_and_wrong_roles() {
    let s = TestServer::start().await;
    for path in [
        "/api/minutes.html?lang=fr",
        "/api/minutes.csv?lang=",
        "/api/minutes.pdf?lang=xx",
        "/api/audit?lang=de",
        "/api/audit?limit=0",
        "/api/audit?limit=501",
        "/api/audit?limit=ten",
        "/api/audit?before=-1",
        "/api/audit?kind=DROP%20TABLE",
    ] {
        let (status, body) = get_text(&s.admin, path).await;
        assert_eq!(status, 400, "{path}: {body}");
        let e: ApiError = serde_json::from_str(&body).unwrap();
        assert_eq!(e.error, "bad_request", "{path}");
    }
    let (tablet, _) = s.pair_for(DeviceKind::Tablet, Some(VIET)).await;
    for path in [
        "/api/minutes.html",
        "/api/minutes.csv",
        "/api/minutes.pdf",
        "/api/audit",
    ] {
        for api in [&s.credentials, &tablet] {
            let (status, _) = get_text(api, path).await;
            assert_eq!(status, 403, "{path}");
        }
        let (status, _) = get_text(&s.anon, path).await;
        assert_eq!(status, 401, "{path}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_chromium_answers_503_with_the_fix() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = TestServer::start().await;
    // Reopen the same data with a Chromium path that does not exist.
    s.stop().await;
    let mut config = s.config.clone();
    config.minutes.chromium = dir.path().join("no-chromium");
    let app = TestServer::reopen(&config, s.clock.clone()).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(congress_server::serve(listener, app, async move {
        let _ = rx.await;
    }));
    let admin = congress_client::Api::new(base)
        .login("admin", PASSWORD)
        .await
        .unwrap();
    let (status, body) = get_text(&admin, "/api/minutes.pdf").await;
    assert_eq!(status, 503, "{body}");
    let e: ApiError = serde_json::from_str(&body).unwrap();
    assert!(
        e.message.contains("Chromium") && e.message.contains("CONGRESS_CHROMIUM"),
        "{}",
        e.message
    );
    let (status, _) = get_text(&admin, "/api/minutes.html").await;
    assert_eq!(status, 200, "HTML works without Chromium");
    let _ = tx.send(());
    let _ = task.await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_audit_log_says_who_did_what_and_never_links_a_secret_choice() {
    let (s, receipts) = session().await;
    assert_eq!(receipts.len(), 3);
    // Every page, newest first, following next_before.
    let mut all: Vec<AuditEntry> = Vec::new();
    let mut before: Option<u64> = None;
    loop {
        let path = match before {
            Some(b) => format!("/api/audit?limit=7&lang=en&before={b}"),
            None => "/api/audit?limit=7&lang=en".to_string(),
        };
        let page: AuditPage = s.observer.get(&path).await.unwrap();
        all.extend(page.entries);
        match page.next_before {
            Some(b) => before = Some(b),
            None => break,
        }
    }
    let head = s.head().await;
    assert_eq!(all.len() as u64, head.seq, "every event once");
    assert!(all.windows(2).all(|w| w[0].seq > w[1].seq), "newest first");
    let text = serde_json::to_string(&all).unwrap();
    // No receipt, no hash of a token, code or ballot, no password hash.
    for r in &receipts {
        assert!(!text.contains(r.as_str()), "receipt {r} in the audit log");
    }
    assert!(!text.contains("$argon2"), "password hash");
    let db = s.conn();
    let mut st = db.prepare("SELECT token_hash FROM sessions").unwrap();
    let hashes: Vec<String> = st
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(|r| r.unwrap())
        .collect();
    assert!(!hashes.is_empty());
    for h in hashes {
        assert!(!text.contains(&h), "token hash in the audit log");
    }
    // Participation in the secret vote: one line per delegate, no position.
    let part: Vec<&AuditEntry> = all
        .iter()
        .filter(|e| e.kind == "vote_participated")
        .collect();
    assert_eq!(part.len(), 3);
    for e in &part {
        for w in ["For", "Against", "Abstain", "for", "against", "abstain"] {
            assert!(!e.text.contains(w), "{}", e.text);
        }
        assert!(e.actor.starts_with("device:"));
    }
    // The open vote names who voted (that is public) but the log shows no choice either.
    assert_eq!(all.iter().filter(|e| e.kind == "ballot_cast").count(), 3);
    assert!(
        all.iter()
            .any(|e| e.text == format!("{VIET_NAME} (D1): present")
                || e.text.starts_with(&format!("{VIET_NAME} (D1): present")))
    );
    // Filters: by actor and by kind.
    let page: AuditPage = s
        .observer
        .get("/api/audit?kind=vote_opened,vote_closed&lang=vi")
        .await
        .unwrap();
    assert_eq!(page.entries.len(), 4);
    assert!(
        page.entries
            .iter()
            .all(|e| e.kind == "vote_opened" || e.kind == "vote_closed")
    );
    assert!(
        page.entries
            .iter()
            .any(|e| e.text.starts_with("Kết thúc biểu quyết số 2"))
    );
    let page: AuditPage = s
        .secretariat
        .get("/api/audit?actor=operator:thuky")
        .await
        .unwrap();
    assert!(!page.entries.is_empty());
    assert!(page.entries.iter().all(|e| e.actor == "operator:thuky"));
}

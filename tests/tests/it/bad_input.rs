//! Bad input over REST: every malformed body gets 400 `invalid_json`, an oversized one 413
//! `too_large`, and none of them changes the journal.

use congress_proto::*;
use reqwest::Method;

use crate::util::*;

const LIMIT: usize = 4096;

fn code(text: &str) -> String {
    serde_json::from_str::<ApiError>(text)
        .map(|e| e.error)
        .unwrap_or_else(|_| format!("not an ApiError: {text}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_bodies_are_400_and_change_nothing() {
    let s = TestServer::start_with(Options {
        max_body_bytes: LIMIT,
        ..Options::default()
    })
    .await;
    let head = s.head().await;
    let good = r#"{"client_id":"c","delegate_id":"D1","status":"present","reason":"r"}"#;
    let cases: &[(&str, &str, &str)] = &[
        ("/api/attendance", "malformed", r#"{"client_id":"c","#),
        ("/api/attendance", "empty", ""),
        ("/api/attendance", "not an object", "[1,2,3]"),
        (
            "/api/attendance",
            "wrong type",
            r#"{"client_id":1,"delegate_id":"D1","status":"present","reason":"r"}"#,
        ),
        (
            "/api/attendance",
            "unknown status",
            r#"{"client_id":"c","delegate_id":"D1","status":"asleep","reason":"r"}"#,
        ),
        (
            "/api/attendance",
            "unknown field",
            r#"{"client_id":"c","delegate_id":"D1","status":"present","reason":"r","admin":true}"#,
        ),
        (
            "/api/attendance",
            "missing field",
            r#"{"client_id":"c","delegate_id":"D1","status":"present"}"#,
        ),
        (
            "/api/attendance",
            "bad UTF-8",
            "{\"client_id\":\"c\",\"delegate_id\":\"D1\",\"status\":\"present\",\"reason\":\"\u{fffd}\"}",
        ),
        (
            "/api/agenda/current",
            "wrong type",
            r#"{"client_id":"c","item_id":7}"#,
        ),
        (
            "/api/devices/pairing-codes",
            "unknown kind",
            r#"{"kind":"toaster","delegate_id":null,"label":null,"direction":null}"#,
        ),
        (
            "/api/login",
            "unknown field",
            r#"{"username":"admin","password":"x","otp":1}"#,
        ),
        (
            "/api/devices/pair",
            "wrong type",
            r#"{"code":12345678,"recipient":null}"#,
        ),
    ];
    let mut failures = Vec::new();
    for (path, what, body) in cases {
        let method = if *path == "/api/agenda/current" {
            Method::PUT
        } else {
            Method::POST
        };
        let mut bytes = body.as_bytes().to_vec();
        if *what == "bad UTF-8" {
            // Replace the U+FFFD by a lone continuation byte.
            let at = body.find('\u{fffd}').unwrap();
            bytes.splice(at..at + 3, [0x80u8]);
        }
        let (status, text) = s
            .admin
            .raw(method, path, "application/json", bytes)
            .await
            .unwrap();
        if status != 400 || code(&text) != "invalid_json" {
            failures.push(format!("{path} {what}: {status} {text}"));
        }
    }
    // The right body, the wrong content type; and no content type at all.
    let (status, text) = s
        .credentials
        .raw(Method::POST, "/api/attendance", "text/plain", good.into())
        .await
        .unwrap();
    if status != 400 || code(&text) != "invalid_json" {
        failures.push(format!("text/plain: {status} {text}"));
    }
    let resp = reqwest::Client::new()
        .post(format!("{}/api/attendance", s.base))
        .bearer_auth(s.credentials.token().unwrap())
        .body(good)
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    let text = resp.text().await.unwrap();
    if status != 400 || code(&text) != "invalid_json" {
        failures.push(format!("no content type: {status} {text}"));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(s.head().await, head, "no bad request changed the journal");
    let list: AttendanceList = s.admin.get("/api/attendance").await.unwrap();
    assert!(list.records.is_empty());
    // The same body, well formed, works (so the refusals above were about the form).
    let (status, _) = s
        .credentials
        .raw(
            Method::POST,
            "/api/attendance",
            "application/json",
            good.into(),
        )
        .await
        .unwrap();
    assert_eq!(status, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_oversized_body_is_413_and_changes_nothing() {
    let s = TestServer::start_with(Options {
        max_body_bytes: LIMIT,
        ..Options::default()
    })
    .await;
    let head = s.head().await;
    let body = serde_json::to_vec(&SetAttendanceRequest {
        client_id: "big".into(),
        delegate_id: VIET.into(),
        status: AttendanceStatus::Present,
        reason: "x".repeat(LIMIT * 2),
    })
    .unwrap();
    let (status, text) = s
        .credentials
        .raw(Method::POST, "/api/attendance", "application/json", body)
        .await
        .unwrap();
    assert_eq!((status, code(&text)), (413, "too_large".into()), "{text}");
    // Without a content length (chunked), too.
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> = vec![
        Ok(b"{\"client_id\":\"big2\",\"reason\":\"".to_vec()),
        Ok(vec![b'y'; LIMIT * 2]),
    ];
    let resp = reqwest::Client::new()
        .post(format!("{}/api/login", s.base))
        .header("content-type", "application/json")
        .body(reqwest::Body::wrap_stream(futures_util::stream::iter(
            chunks,
        )))
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    let text = resp.text().await.unwrap();
    assert_eq!((status, code(&text)), (413, "too_large".into()), "{text}");
    assert_eq!(s.head().await, head);
    // Just under the limit is read (and refused for what it says, not for its size).
    let body = serde_json::to_vec(&SetAttendanceRequest {
        client_id: "almost".into(),
        delegate_id: VIET.into(),
        status: AttendanceStatus::Present,
        reason: "x".repeat(LIMIT - 200),
    })
    .unwrap();
    assert!(body.len() < LIMIT);
    let (status, text) = s
        .credentials
        .raw(Method::POST, "/api/attendance", "application/json", body)
        .await
        .unwrap();
    assert_eq!(
        (status, code(&text)),
        (422, "invalid".into()),
        "reason too long"
    );
    assert_eq!(s.head().await, head);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_things_are_404() {
    let s = TestServer::start().await;
    let head = s.head().await;
    let r = s
        .secretariat
        .put::<_, AgendaAck>(
            "/api/agenda/current",
            &SetCurrentItem {
                client_id: cid("x"),
                item_id: Some("A99".into()),
            },
        )
        .await;
    assert_eq!(status_of(r), (404, "not_found".into()));
    let r = s.admin.get::<Delegate>("/api/delegates/D999").await;
    assert_eq!(status_of(r), (404, "not_found".into()));
    let r = s
        .admin
        .post::<_, PairingCode>(
            "/api/devices/pairing-codes",
            &CreatePairingCode {
                kind: DeviceKind::Tablet,
                delegate_id: Some("D999".into()),
                label: None,
                direction: None,
            },
        )
        .await;
    assert_eq!(status_of(r), (404, "not_found".into()));
    let r = s.admin.get::<serde_json::Value>("/api/nothing/here").await;
    assert_eq!(status_of(r), (404, "not_found".into()));
    assert_eq!(s.head().await, head);
    // Clearing the current item is allowed (null).
    let ack = s.set_current(None).await;
    assert_eq!(ack.agenda.current, None);
}

/// Every refusal carries an `ApiError` body (docs/protocol.md, "Errors").
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_refusal_has_an_api_error_body() {
    let s = TestServer::start().await;
    let mut failures = Vec::new();
    for (method, path) in [
        (Method::DELETE, "/api/agenda"),
        (Method::POST, "/api/health"),
        (Method::GET, "/api/devices/pair"),
        (Method::GET, "/api/delegates/%FF%FE"),
    ] {
        let (status, text) = s
            .admin
            .raw(method.clone(), path, "application/json", Vec::new())
            .await
            .unwrap();
        if serde_json::from_str::<ApiError>(&text).is_err() {
            failures.push(format!("{method} {path}: {status} {text:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Found by checking the OpenAPI description against the server: a path id of the wrong type
/// (`/api/votes/abc`, `/api/documents/1.5`) was axum's plain-text 400; it is a JSON `ApiError`
/// like every other refusal (404: such a resource cannot exist).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_path_ids_are_api_errors() {
    let s = TestServer::start().await;
    let (tablet, _) = s.pair_for(DeviceKind::Tablet, Some(VIET)).await;
    let cases: &[(&congress_client::Api, Method, &str)] = &[
        (&s.admin, Method::GET, "/api/votes/abc"),
        (&s.admin, Method::GET, "/api/votes/-1/result.json"),
        (
            &s.admin,
            Method::POST,
            "/api/votes/99999999999999999999999/open",
        ),
        (&s.admin, Method::GET, "/api/documents/1.5"),
        (&s.admin, Method::PUT, "/api/documents/x"),
        (&tablet, Method::GET, "/api/documents/1/versions/v1/content"),
    ];
    for (api, method, path) in cases {
        let body = if *method == Method::GET {
            Vec::new()
        } else {
            br#"{"client_id":"c"}"#.to_vec()
        };
        let (status, text) = api
            .raw(method.clone(), path, "application/json", body)
            .await
            .unwrap();
        assert_eq!(
            (status, code(&text).as_str()),
            (404, "not_found"),
            "{method} {path}: {text}"
        );
    }
}

//! Operator login and logout, session expiry, forged and revoked tokens.

use congress_proto::*;

use crate::util::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_with_the_right_password_gives_a_working_token() {
    let s = TestServer::start().await;
    let r: LoginResponse = s
        .anon
        .post(
            "/api/login",
            &LoginRequest {
                username: "thuky".into(),
                password: PASSWORD.into(),
            },
        )
        .await
        .unwrap();
    assert_eq!(r.operator.username, "thuky");
    assert_eq!(r.operator.display_name, "Thư ký Đoàn");
    assert_eq!(r.operator.roles, vec![OperatorRole::Secretariat]);
    assert_eq!(r.expires_at, s.clock.now_ms() + 12 * 3_600_000);
    let me: Me = s.anon.with_token(r.token).get("/api/me").await.unwrap();
    match me {
        Me::Operator { operator } => assert_eq!(operator.username, "thuky"),
        other => panic!("{other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_password_and_an_unknown_user_get_the_same_401() {
    let s = TestServer::start().await;
    let head = s.head().await;
    let wrong = s.anon.login("admin", "not-the-password").await;
    let unknown = s.anon.login("nobody-here", PASSWORD).await;
    let (a, b) = match (wrong, unknown) {
        (
            Err(congress_client::ClientError::Api {
                status: sa,
                body: a,
            }),
            Err(congress_client::ClientError::Api {
                status: sb,
                body: b,
            }),
        ) => {
            assert_eq!((sa, sb), (401, 401));
            (a, b)
        }
        other => panic!("{:?}", other.0.is_ok()),
    };
    assert_eq!(a.error, "unauthorized");
    assert_eq!(a, b, "the answer must not tell which usernames exist");
    assert_eq!(s.head().await, head, "a failed login journals nothing");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logout_invalidates_the_token_and_only_that_token() {
    let s = TestServer::start().await;
    let other = s.session_for(Who::Admin).await;
    let r: Option<serde_json::Value> = s.admin.post("/api/logout", &()).await.unwrap();
    assert!(r.is_none(), "204 without a body");
    assert_eq!(status_of(s.admin.get::<Me>("/api/me").await).0, 401);
    assert_eq!(
        status_of(s.admin.get::<JournalHead>("/api/journal/head").await),
        (401, "unauthorized".into())
    );
    // The websocket refuses it too.
    let mut ws = RawWs::connect(&s.admin, "console").await;
    ws.hello(s.admin.token().unwrap(), None).await;
    ws.expect_fatal("unauthorized").await;
    // Another session of the same operator still works.
    let _: Me = other.get("/api/me").await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_session_is_refused() {
    let s = TestServer::start().await;
    let _: Me = s.observer.get("/api/me").await.unwrap();
    // One millisecond before the end: still valid.
    s.clock.advance(12 * 3_600_000 - 1);
    let _: Me = s.observer.get("/api/me").await.unwrap();
    s.clock.advance(1);
    assert_eq!(
        status_of(s.observer.get::<Me>("/api/me").await),
        (401, "unauthorized".into())
    );
    let mut ws = RawWs::connect(&s.observer, "console").await;
    ws.hello(s.observer.token().unwrap(), None).await;
    ws.expect_fatal("unauthorized").await;
    // Logging in again works.
    let again = s.anon.login("quansat", PASSWORD).await.unwrap();
    let _: Me = again.get("/api/me").await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forged_and_malformed_tokens_are_refused() {
    let s = TestServer::start().await;
    let real = s.admin.token().unwrap().to_string();
    // Same shape, one character changed.
    let mut forged: Vec<char> = real.chars().collect();
    forged[10] = if forged[10] == 'a' { 'b' } else { 'a' };
    let forged: String = forged.into_iter().collect();
    for token in [
        forged.as_str(),
        "",
        "x",
        &"f".repeat(64),
        &"a".repeat(5000),
        "<script>",
    ] {
        let api = s.anon.with_token(token);
        assert_eq!(
            status_of(api.get::<Vec<Delegate>>("/api/delegates").await),
            (401, "unauthorized".into()),
            "token {token:?}"
        );
    }
    // Not a bearer header at all.
    let resp = reqwest::Client::new()
        .get(format!("{}/api/delegates", s.base))
        .header("authorization", format!("Basic {real}"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 401);
    // Websocket with a forged token.
    let mut ws = RawWs::connect(&s.anon, "console").await;
    ws.hello(&forged, None).await;
    ws.expect_fatal("unauthorized").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revoked_device_token_is_refused_on_rest_and_websocket() {
    let s = TestServer::start().await;
    let (tablet, device) = s.pair(DeviceKind::Tablet).await;
    let me: Me = tablet.get("/api/me").await.unwrap();
    match me {
        Me::Device {
            device: d,
            delegate,
        } => {
            assert_eq!(d.id, device.id);
            assert_eq!(delegate.unwrap().full_name, VIET_NAME);
        }
        other => panic!("{other:?}"),
    }
    let revoked: Device = s
        .secretariat
        .delete(&format!("/api/devices/{}", device.id))
        .await
        .unwrap();
    assert!(revoked.revoked);
    assert_eq!(
        status_of(tablet.get::<Me>("/api/me").await),
        (401, "unauthorized".into())
    );
    assert_eq!(status_of(tablet.get::<Agenda>("/api/agenda").await).0, 401);
    let mut ws = RawWs::connect(&tablet, "tablet").await;
    ws.hello(tablet.token().unwrap(), None).await;
    ws.expect_fatal("unauthorized").await;
    // Revoking twice is a conflict; an unknown device is 404.
    assert_eq!(
        status_of(
            s.admin
                .delete::<Device>(&format!("/api/devices/{}", device.id))
                .await
        ),
        (409, "conflict".into())
    );
    assert_eq!(
        status_of(s.admin.delete::<Device>("/api/devices/T-00000000").await),
        (404, "not_found".into())
    );
    // The device list still shows it, revoked.
    let list: Vec<Device> = s.observer.get("/api/devices").await.unwrap();
    assert!(list.iter().any(|d| d.id == device.id && d.revoked));
}

/// A live connection is closed when its token is revoked or its session expires. The server
/// re-checks every 15 s, so this test takes that long.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn live_sockets_close_when_the_token_dies() {
    let s = TestServer::start().await;
    let (tablet, device) = s.pair(DeviceKind::Tablet).await;
    let mut tab = RawWs::connect(&tablet, "tablet").await;
    tab.hello(tablet.token().unwrap(), None).await;
    let console_api = s.session_for(Who::Observer).await;
    let mut console = RawWs::connect(&console_api, "console").await;
    console.hello(console_api.token().unwrap(), None).await;
    for ws in [&mut tab, &mut console] {
        assert!(matches!(ws.next_msg().await, ServerMsg::Welcome { .. }));
        assert!(matches!(ws.next_msg().await, ServerMsg::Snapshot { .. }));
    }
    let _: Device = s
        .admin
        .delete(&format!("/api/devices/{}", device.id))
        .await
        .unwrap();
    s.clock.advance(12 * 3_600_000);
    for ws in [&mut tab, &mut console] {
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(20);
        loop {
            let m = tokio::time::timeout_at(deadline, ws.next_unbounded())
                .await
                .expect("closed within 20 s");
            match m {
                Seen::Msg(ServerMsg::Error { error, fatal, .. }) => {
                    assert_eq!(error, "unauthorized");
                    assert!(fatal);
                }
                Seen::Msg(_) => {}
                Seen::Closed(_) => break,
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pairing_codes_are_single_use_and_expire() {
    let s = TestServer::start().await;
    let code: PairingCode = s
        .credentials
        .post(
            "/api/devices/pairing-codes",
            &CreatePairingCode {
                kind: DeviceKind::Tablet,
                delegate_id: Some(ARAB.into()),
                label: None,
                direction: None,
            },
        )
        .await
        .unwrap();
    assert_eq!(code.code.len(), 8);
    let req = PairRequest {
        code: code.code.clone(),
        recipient: None,
        credential: None,
    };
    let paired: PairResponse = s.anon.post("/api/devices/pair", &req).await.unwrap();
    assert_eq!(paired.device.delegate_id.as_deref(), Some(ARAB));
    assert_eq!(paired.device.label, ARAB_NAME);
    assert_eq!(
        status_of(
            s.anon
                .post::<_, PairResponse>("/api/devices/pair", &req)
                .await
        ),
        (409, "conflict".into()),
        "a used code"
    );
    let code: PairingCode = s
        .admin
        .post(
            "/api/devices/pairing-codes",
            &CreatePairingCode {
                kind: DeviceKind::Kiosk,
                delegate_id: None,
                label: Some("Kiosk cổng A".into()),
                direction: None,
            },
        )
        .await
        .unwrap();
    s.clock.advance(15 * 60_000);
    let late = PairRequest {
        code: code.code,
        recipient: None,
        credential: None,
    };
    assert_eq!(
        status_of(
            s.anon
                .post::<_, PairResponse>("/api/devices/pair", &late)
                .await
        ),
        (409, "conflict".into()),
        "an expired code"
    );
    for bad in ["", "1234567", "abcdefgh", "00000000"] {
        let r = PairRequest {
            code: bad.into(),
            recipient: None,
            credential: None,
        };
        assert_eq!(
            status_of(
                s.anon
                    .post::<_, PairResponse>("/api/devices/pair", &r)
                    .await
            ),
            (409, "conflict".into()),
            "code {bad:?}"
        );
    }
    // A tablet without a delegate cannot be paired.
    let r = s
        .admin
        .post::<_, PairingCode>(
            "/api/devices/pairing-codes",
            &CreatePairingCode {
                kind: DeviceKind::Tablet,
                delegate_id: None,
                label: None,
                direction: None,
            },
        )
        .await;
    assert_eq!(status_of(r), (422, "invalid".into()));
}

/// Issue 13, finding 6: a password reset must end every session of that operator at once (the
/// old token posted a notice after the reset), on REST and on a live websocket, and leave other
/// operators' sessions alone.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_password_reset_ends_every_session_of_that_operator() {
    let s = TestServer::start().await;
    let second = s.session_for(Who::Secretariat).await;
    let mut console = RawWs::connect(&s.secretariat, "console").await;
    console.hello(s.secretariat.token().unwrap(), None).await;
    assert!(matches!(
        console.next_msg().await,
        ServerMsg::Welcome { .. }
    ));
    assert!(matches!(
        console.next_msg().await,
        ServerMsg::Snapshot { .. }
    ));

    congress_server::setup::save_operator(
        s.engine(),
        "thuky",
        "Thư ký Đoàn",
        vec![OperatorRole::Secretariat],
        "một-mật-khẩu-mới",
        "cli",
    )
    .await
    .expect("password reset");

    for old in [&s.secretariat, &second] {
        assert_eq!(status_of(old.get::<Me>("/api/me").await).0, 401);
        let posted = old
            .post::<_, NoticeAck>(
                "/api/notices",
                &SendNotice {
                    client_id: cid("notice"),
                    text: "sent with a token from before the reset".into(),
                    audience: NoticeAudience::All,
                },
            )
            .await;
        assert_eq!(status_of(posted), (401, "unauthorized".into()));
    }
    // The live console is told at once (not at the next 15 s re-check).
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(5);
    loop {
        let m = tokio::time::timeout_at(deadline, console.next_unbounded())
            .await
            .expect("the old session's socket is closed within 5 s");
        match m {
            Seen::Msg(ServerMsg::Error { error, fatal, .. }) => {
                assert_eq!(error, "unauthorized");
                assert!(fatal);
            }
            Seen::Msg(_) => {}
            Seen::Closed(_) => break,
        }
    }
    // Other operators keep their sessions; the new password logs in.
    let _: Me = s.admin.get("/api/me").await.unwrap();
    let _: Me = s.credentials.get("/api/me").await.unwrap();
    let fresh = s.anon.login("thuky", "một-mật-khẩu-mới").await.unwrap();
    let _: Me = fresh.get("/api/me").await.unwrap();
}

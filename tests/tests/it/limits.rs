//! Abusive clients are cut off while well-behaved ones on other connections are served
//! promptly: login and pairing floods (429 with Retry-After, per address), too many
//! connections (503 at once), slow headers and bodies (slowloris), websocket floods on every
//! kind, and a websocket client that stops answering.

use std::net::IpAddr;
use std::time::{Duration, Instant};

use congress_client::Api;
use congress_proto::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::util::*;

fn limits(f: impl FnOnce(&mut congress_server::limits::LimitsConfig)) -> Options {
    let mut o = Options::default();
    f(&mut o.limits);
    o
}

fn addr(server: &TestServer) -> String {
    server.base.trim_start_matches("http://").to_string()
}

/// A client whose requests come from another loopback address (127.0.0.2), i.e. another
/// machine as far as per-address limits go.
fn from(ip: &str, server: &TestServer) -> Api {
    let ip: IpAddr = ip.parse().expect("ip");
    let http = reqwest::Client::builder()
        .local_address(ip)
        .build()
        .expect("client");
    Api::with_http(server.base.clone(), http)
}

async fn login_status(api: &Api, password: &str) -> (u16, Option<String>, String) {
    match api.login("admin", password).await {
        Ok(_) => (200, None, String::new()),
        Err(congress_client::ClientError::Api { status, body }) => {
            (status, Some(body.error), body.message)
        }
        Err(e) => panic!("transport error: {e}"),
    }
}

#[tokio::test]
async fn a_login_flood_gets_429_with_retry_after_and_other_addresses_are_served() {
    let server = TestServer::start_with(limits(|l| {
        l.login_per_minute = 6;
        l.failure_cost = 3;
    }))
    .await;
    let attacker = server.anon.clone();
    // Two failures cost 6 attempts: the third try is refused before the password is checked.
    for _ in 0..2 {
        assert_eq!(login_status(&attacker, "wrong").await.0, 401);
    }
    let (status, code, message) = login_status(&attacker, PASSWORD).await;
    assert_eq!(
        (status, code.as_deref()),
        (429, Some("rate_limited")),
        "{message}"
    );
    assert!(message.contains("wait"), "{message}");
    // The raw answer has Retry-After in whole seconds.
    let res = reqwest::Client::new()
        .post(format!("{}/api/login", server.base))
        .json(&LoginRequest {
            username: "admin".into(),
            password: PASSWORD.into(),
        })
        .send()
        .await
        .expect("post");
    assert_eq!(res.status(), 429);
    let retry: u64 = res.headers()["retry-after"]
        .to_str()
        .expect("ascii")
        .parse()
        .expect("seconds");
    assert!((1..=60).contains(&retry), "{retry}");
    // Another address logs in at once; a logged-in operator is not limited at all.
    let t = Instant::now();
    let other = from("127.0.0.2", &server);
    other
        .login("admin", PASSWORD)
        .await
        .expect("another address logs in");
    let me: Me = server.admin.get("/api/me").await.expect("me");
    assert!(matches!(me, Me::Operator { .. }));
    assert!(t.elapsed() < Duration::from_secs(2), "{:?}", t.elapsed());
}

#[tokio::test]
async fn a_pairing_code_guesser_gets_429() {
    let server = TestServer::start_with(limits(|l| {
        l.pair_per_minute = 5;
        l.failure_cost = 3;
    }))
    .await;
    let mut codes = vec![];
    for _ in 0..12 {
        let res = reqwest::Client::new()
            .post(format!("{}/api/devices/pair", server.base))
            .json(&PairRequest {
                code: "00000000".into(),
                recipient: None,
                credential: None,
            })
            .send()
            .await
            .expect("post");
        codes.push(res.status().as_u16());
    }
    assert!(
        codes.contains(&429),
        "guessing codes must be limited: {codes:?}"
    );
    let first_429 = codes.iter().position(|c| *c == 429).expect("429");
    assert!(first_429 <= 3, "failures cost more: {codes:?}");
    // A tablet on another address pairs normally.
    let admin_elsewhere =
        from("127.0.0.2", &server).with_token(server.admin.token().expect("token"));
    let (api, _) = admin_elsewhere
        .pair_device(DeviceKind::Tablet, Some(VIET))
        .await
        .expect("pairs from another address");
    let _: Me = api.get("/api/me").await.expect("paired tablet");
}

/// Issue 13, finding 5: pairing-code guesses were limited per address only, so 4 addresses had
/// 4 times the guesses. With the production defaults, wrong codes from many addresses together
/// hit a global ceiling (429 for everyone while it lasts) and the consoles get an alarm.
#[tokio::test]
async fn pairing_guesses_from_many_addresses_hit_a_global_ceiling_and_raise_an_alarm() {
    let server = TestServer::start_with(Options {
        limits: congress_server::limits::LimitsConfig {
            login_per_minute: 0,
            ..Default::default()
        },
        ..Default::default()
    })
    .await;
    let mut console = RawWs::connect(&server.observer, "console").await;
    console
        .hello(server.observer.token().expect("token"), None)
        .await;
    // 12 addresses, each within its own budget (30 a minute, a wrong code costs 3: 10 each).
    let mut answered_wrong = 0;
    let mut refused = 0;
    for n in 2..14 {
        let ip: IpAddr = format!("127.0.0.{n}").parse().expect("ip");
        let http = reqwest::Client::builder()
            .local_address(ip)
            .build()
            .expect("client");
        for i in 0..9 {
            let res = http
                .post(format!("{}/api/devices/pair", server.base))
                .json(&PairRequest {
                    code: format!("{:08}", n * 100 + i),
                    recipient: None,
                    credential: None,
                })
                .send()
                .await
                .expect("post");
            match res.status().as_u16() {
                409 => answered_wrong += 1,
                429 => refused += 1,
                other => panic!("unexpected {other}"),
            }
        }
    }
    assert!(
        answered_wrong <= 40,
        "{answered_wrong} wrong codes were checked from 12 addresses ({refused} refused): \
         guesses need a global ceiling"
    );
    // The consoles were told.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    loop {
        let next =
            tokio::time::timeout_at(deadline, futures_util::StreamExt::next(&mut console.socket))
                .await
                .expect("an alarm reaches the console within 5 s");
        match next {
            Some(Ok(tokio_tungstenite::tungstenite::Message::Text(t)))
                if t.contains("\"security_alarm\"") =>
            {
                assert!(t.contains("pairing"), "{t}");
                break;
            }
            Some(Ok(_)) => {}
            other => panic!("the console socket ended: {other:?}"),
        }
    }
}

#[tokio::test]
async fn over_max_connections_is_503_at_once_and_live_clients_keep_their_pushes() {
    let server = TestServer::start_with(Options {
        max_connections: 6,
        ..Default::default()
    })
    .await;
    let (mut live_console, _) = live(&server.admin, "console", None).await;
    // Hog every slot with idle keep-alive connections.
    let mut hogs = vec![];
    let mut refused = None;
    for _ in 0..20 {
        let mut s = TcpStream::connect(addr(&server)).await.expect("connect");
        s.write_all(b"GET /api/health HTTP/1.1\r\nHost: x\r\n\r\n")
            .await
            .expect("write");
        let mut buf = vec![0u8; 4096];
        let t = Instant::now();
        let n = within(s.read(&mut buf)).await.expect("read");
        let head = String::from_utf8_lossy(&buf[..n]).to_string();
        if head.starts_with("HTTP/1.1 503") {
            refused = Some((head, t.elapsed()));
            break;
        }
        assert!(head.starts_with("HTTP/1.1 200"), "{head}");
        hogs.push(s);
    }
    let (head, took) = refused.expect("a connection over the cap is refused");
    assert!(
        took < Duration::from_secs(1),
        "503 at once, not after {took:?}"
    );
    assert!(head.to_lowercase().contains("retry-after: 5"), "{head}");
    assert!(head.contains("unavailable"), "{head}");
    // The live console still gets its pushes promptly.
    let t = Instant::now();
    server
        .engine()
        .run(
            congress_domain::AttendanceCommand::SetAttendance {
                delegate_id: VIET.into(),
                status: AttendanceStatus::Present,
                source: AttendanceSource::Operator {
                    username: "thamtra".into(),
                },
                kiosk: None,
                reason: Some("Kiểm tra CCCD".into()),
            },
            "test",
        )
        .await
        .expect("check-in");
    loop {
        match within(live_console.next_raw()).await.expect("push") {
            ServerMsg::Push {
                push: Push::Attendance { .. },
                ..
            } => break,
            _ => continue,
        }
    }
    assert!(t.elapsed() < Duration::from_secs(1), "{:?}", t.elapsed());
    // Freeing the slots lets new connections in.
    drop(hogs);
    let mut ok = false;
    for _ in 0..50 {
        if let Ok(r) = reqwest::get(format!("{}/api/health", server.base)).await
            && r.status() == 200
        {
            ok = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(ok, "connections are served again once slots are free");
}

/// Issue 13, finding 4: one address could hold every connection slot (`/api/health` answered
/// 503 to everyone for 25 s). With the production defaults, one address gets at most
/// `max_connections_per_address` slots; the others stay for everyone else.
#[tokio::test]
async fn one_address_cannot_hold_every_connection_slot() {
    let server = TestServer::start_with(Options {
        max_connections: 400,
        limits: congress_server::limits::LimitsConfig {
            login_per_minute: 0,
            pair_per_minute: 0,
            ..Default::default()
        },
        ..Default::default()
    })
    .await;
    // One address opens 400 idle keep-alive connections (as many as the server has slots).
    let mut hogs = vec![];
    let mut refused = 0;
    for _ in 0..400 {
        let mut s = TcpStream::connect(addr(&server)).await.expect("connect");
        s.write_all(b"GET /api/health HTTP/1.1\r\nHost: x\r\n\r\n")
            .await
            .expect("write");
        let mut buf = vec![0u8; 4096];
        let n = within(s.read(&mut buf)).await.expect("read");
        let head = String::from_utf8_lossy(&buf[..n]).to_string();
        if head.starts_with("HTTP/1.1 503") {
            refused += 1;
        } else {
            assert!(head.starts_with("HTTP/1.1 200"), "{head}");
            hogs.push(s);
        }
    }
    // Another address is served at once.
    let other = from("127.0.0.2", &server);
    let t = Instant::now();
    let health: serde_json::Value = other.get("/api/health").await.unwrap_or_else(|e| {
        panic!(
            "another address was refused while one held {} slots ({refused} refused): {e}",
            hogs.len()
        )
    });
    assert!(health.is_object());
    assert!(t.elapsed() < Duration::from_secs(1), "{:?}", t.elapsed());
    assert!(refused > 0, "the hogging address was never refused");
}

/// Opens a socket with `api`'s token on `endpoint`: `Ok` once its snapshot arrives, `Err` with
/// the fatal error's code when the hello is refused.
async fn open_socket(api: &congress_client::Api, endpoint: &str) -> Result<RawWs, String> {
    let mut ws = RawWs::connect(api, endpoint).await;
    ws.hello(api.token().expect("token"), None).await;
    loop {
        match ws.next().await {
            Seen::Msg(ServerMsg::Snapshot { .. }) => return Ok(ws),
            Seen::Msg(ServerMsg::Error { error, fatal, .. }) if fatal => return Err(error),
            Seen::Msg(_) => {}
            Seen::Closed(c) => return Err(format!("closed {c:?}")),
        }
    }
}

/// Issue 13, findings 9 and 8: one kiosk token opened 16 sockets and starved the other kiosks,
/// and one tablet multiplied its per-socket message budget (and its journal writes) over
/// several sockets. With the production defaults a device token holds at most 2 sockets; a
/// socket that closes gives its place back; other tokens are not affected.
#[tokio::test]
async fn a_device_token_holds_a_bounded_number_of_sockets() {
    let server = TestServer::start_with(Options {
        limits: congress_server::limits::LimitsConfig {
            login_per_minute: 0,
            pair_per_minute: 0,
            ..Default::default()
        },
        ..Default::default()
    })
    .await;
    let (kiosk, _) = server.pair(DeviceKind::Kiosk).await;
    let (tablet, _) = server.pair(DeviceKind::Tablet).await;
    for (api, endpoint) in [(&kiosk, "kiosk"), (&tablet, "tablet")] {
        let mut open = vec![];
        let mut refused = vec![];
        for _ in 0..16 {
            match open_socket(api, endpoint).await {
                Ok(ws) => open.push(ws),
                Err(code) => refused.push(code),
            }
        }
        assert_eq!(
            open.len(),
            2,
            "one {endpoint} token held {} sockets at once",
            open.len()
        );
        assert!(
            refused.iter().all(|c| c == "too_many_connections"),
            "{refused:?}"
        );
        // Closing one gives its place back.
        let mut first = open.remove(0);
        first.socket.close(None).await.expect("close");
        drop(first);
        let mut back = None;
        for _ in 0..50 {
            if let Ok(ws) = open_socket(api, endpoint).await {
                back = Some(ws);
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert!(
            back.is_some(),
            "a closed {endpoint} socket gives its place back"
        );
    }
    // Another kiosk connects as usual.
    let (other, _) = server.pair(DeviceKind::Kiosk).await;
    open_socket(&other, "kiosk")
        .await
        .expect("another kiosk connects");
}

#[tokio::test]
async fn slow_headers_and_slow_bodies_are_cut_while_others_are_served() {
    let server = TestServer::start_with(limits(|l| {
        l.header_timeout_secs = 1;
        l.idle_timeout_secs = 2;
    }))
    .await;
    // Slow headers: one byte every 300 ms never finishes a request.
    let mut slow_head = TcpStream::connect(addr(&server)).await.expect("connect");
    slow_head
        .write_all(b"GET /api/health HTTP/1.1\r\n")
        .await
        .expect("write");
    // Slow body: headers promise 100 bytes, none come.
    let mut slow_body = TcpStream::connect(addr(&server)).await.expect("connect");
    slow_body
        .write_all(
            b"POST /api/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{",
        )
        .await
        .expect("write");
    let started = Instant::now();
    let dribble = tokio::spawn(async move {
        for _ in 0..30 {
            if slow_head.write_all(b"X").await.is_err() {
                return (true, started.elapsed());
            }
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
        (false, started.elapsed())
    });
    // Meanwhile a normal client is served at once, again and again.
    for _ in 0..5 {
        let t = Instant::now();
        let _: JournalHead = server.admin.get("/api/journal/head").await.expect("head");
        assert!(
            t.elapsed() < Duration::from_millis(500),
            "{:?}",
            t.elapsed()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let (cut, after) = dribble.await.expect("join");
    assert!(cut, "the slow-header client must be cut off");
    assert!(after < Duration::from_secs(4), "cut after {after:?}");
    let mut buf = vec![0u8; 1024];
    let n = within(slow_body.read(&mut buf)).await.unwrap_or(0);
    let said = String::from_utf8_lossy(&buf[..n]).to_string();
    assert!(
        n == 0 || !said.starts_with("HTTP/1.1 200"),
        "the slow body is cut, never answered: {said}"
    );
    assert!(started.elapsed() < Duration::from_secs(6));
}

/// Floods `endpoint` with `n` messages of `msg` and expects it cut off with a fatal
/// `rate_limited`; meanwhile another connection of the same kind answers a ping promptly.
async fn flood_is_cut(server: &TestServer, api: &Api, endpoint: &str, binary: bool) {
    let mut flooder = RawWs::connect(api, endpoint).await;
    flooder.hello(api.token().expect("token"), None).await;
    assert!(matches!(
        flooder.next_msg().await,
        ServerMsg::Welcome { .. }
    ));
    let (mut good, _) = live(api, endpoint, None).await;
    let _ = server;
    let ping = serde_json::to_string(&ClientMsg::Ping { nonce: 1 }).expect("json");
    let mut sent = 0;
    for _ in 0..2_000 {
        let r = if binary {
            futures_util::SinkExt::send(
                &mut flooder.socket,
                tokio_tungstenite::tungstenite::Message::Binary(vec![0u8; 16].into()),
            )
            .await
        } else {
            futures_util::SinkExt::send(
                &mut flooder.socket,
                tokio_tungstenite::tungstenite::Message::Text(ping.clone().into()),
            )
            .await
        };
        if r.is_err() {
            break;
        }
        sent += 1;
    }
    let t = Instant::now();
    ping_live(&mut good, 7).await;
    assert!(
        t.elapsed() < Duration::from_secs(1),
        "{endpoint}: good client waited {:?}",
        t.elapsed()
    );
    // The flooder is told `rate_limited` (non-fatal, then fatal) and cut off; a client still
    // sending when the server closes may see the reset before the last messages.
    let mut refused = 0;
    loop {
        match flooder.next().await {
            Seen::Msg(ServerMsg::Error { error, .. }) if error == "rate_limited" => refused += 1,
            Seen::Msg(_) => {}
            Seen::Closed(_) => break,
        }
    }
    assert!(
        sent < 2_000 || refused > 0,
        "{endpoint}: the flooder ({sent} messages sent) must be refused and cut off"
    );
}

async fn ping_live(live: &mut congress_client::Live, nonce: u32) {
    ping(live, nonce).await;
}

#[tokio::test]
async fn websocket_floods_are_cut_on_every_kind() {
    let server = TestServer::start().await;
    flood_is_cut(&server, &server.admin, "console", false).await;
    flood_is_cut(&server, &server.admin, "projector", false).await;
    let (tablet, _) = server.pair(DeviceKind::Tablet).await;
    flood_is_cut(&server, &tablet, "tablet", true).await;
    let (kiosk, _) = server.pair(DeviceKind::Kiosk).await;
    flood_is_cut(&server, &kiosk, "kiosk", false).await;
    flood_is_cut(&server, &kiosk, "kiosk", true).await;
}

#[tokio::test]
async fn a_websocket_client_that_stops_answering_is_dropped_others_live_on() {
    let server = TestServer::start_with(limits(|l| l.idle_timeout_secs = 2)).await;
    let mut mute = RawWs::connect(&server.admin, "console").await;
    mute.hello(server.admin.token().expect("token"), None).await;
    assert!(matches!(mute.next_msg().await, ServerMsg::Welcome { .. }));
    let (mut good, _) = live(&server.admin, "console", None).await;
    // The mute client reads nothing (so answers no ping) for longer than the idle timeout.
    for i in 0..8 {
        tokio::time::sleep(Duration::from_millis(500)).await;
        ping(&mut good, i).await;
    }
    // The server sent `error: timeout` (fatal) and closed; the test client, answering the
    // queued pings only now, may see the reset before that message: either way it is gone.
    loop {
        match mute.next().await {
            Seen::Msg(ServerMsg::Error {
                error, fatal: true, ..
            }) => assert_eq!(error, "timeout"),
            Seen::Msg(_) => {}
            Seen::Closed(_) => break,
        }
    }
    ping(&mut good, 99).await;
}

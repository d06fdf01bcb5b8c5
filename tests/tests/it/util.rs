//! The testkit: starts the real server in-process on `127.0.0.1:0` over a fresh temporary data
//! folder (a real SQLite file), sets up a small congress through the engine, and hands back
//! clients for every kind of caller.
//!
//! The congress: 4 delegates listed, 3 convened, quorum 2/3 (so 2 present make the quorum, and a
//! server that counted the list instead of the convened would need 3); an agenda of 3 items.
//!
//! (Over 600 lines on purpose: the one testkit every integration test shares.)

use congress_domain::{AccessCommand, CongressCommand, MeetingCommand};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use congress_client::{Api, ClientError, Live};
use congress_domain::Command;
use congress_proto::*;
use congress_server::{AppState, Config, OpenError};
use futures_util::{SinkExt, StreamExt};
use tempfile::TempDir;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::Message;

/// Delegate ids of the test congress.
pub const VIET: &str = "D1";
pub const ARAB: &str = "D2";
pub const PLAIN: &str = "D3";
pub const EXTRA: &str = "D4";

/// Precomposed (NFC) Vietnamese.
pub const VIET_NAME: &str = "Nguyễn Thị Ngọc Ánh";
/// Arabic with a diacritic (fatha) and a zero-width non-joiner: must come back byte for byte.
pub const ARAB_NAME: &str = "عَبد\u{200c}الله بن محمد";
/// Decomposed (NFD) Vietnamese: the server must not normalise it.
pub const NFD_NAME: &str = "Tra\u{302}\u{300}n Va\u{306}n Ba\u{301}ch";

pub const PASSWORD: &str = "mật-khẩu-thử-nghiệm";

/// The passphrase that unlocks every test data folder.
pub const PASSPHRASE: &str = "cụm-mật-khẩu thử nghiệm";

/// `config` with encryption at rest unlocked by [`PASSPHRASE`] (argon2id at its cheapest:
/// a thousand servers start in the suite).
pub fn unlocked(mut config: Config) -> Config {
    config.unlock = Some(congress_server::keys::Unlock::Passphrase(
        congress_server::keys::Passphrase::new(PASSPHRASE),
    ));
    config.at_rest.kdf = congress_server::keys::KdfParams::insecure_for_tests();
    config
}

/// Every caller the tests use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Who {
    Nobody,
    Admin,
    Secretariat,
    Credentials,
    Observer,
    Tablet,
    Kiosk,
    Projector,
}

impl Who {
    pub const ALL: [Who; 8] = [
        Who::Nobody,
        Who::Admin,
        Who::Secretariat,
        Who::Credentials,
        Who::Observer,
        Who::Tablet,
        Who::Kiosk,
        Who::Projector,
    ];

    pub fn username(self) -> Option<&'static str> {
        match self {
            Who::Admin => Some("admin"),
            Who::Secretariat => Some("thuky"),
            Who::Credentials => Some("thamtra"),
            Who::Observer => Some("quansat"),
            _ => None,
        }
    }
}

/// A clock the tests move by hand (both the wall clock and the monotonic one).
pub type TestClock = congress_server::clock::ManualClock;

/// Options for [`TestServer::start_with`].
#[derive(Clone)]
pub struct Options {
    pub max_body_bytes: usize,
    pub resume_window: usize,
    pub upload_max_bytes: u64,
    /// Face check-in with the models in this folder (off when `None`).
    pub face_models: Option<PathBuf>,
    /// Liveness (PAD) at the kiosks when face check-in is on (default on; off only to measure
    /// what PAD costs a live delegate).
    pub pad: bool,
    /// HTTPS with the congress CA (`tls.rs`); the rest of the suite runs on plain HTTP.
    pub tls: bool,
    /// Rate limits and timeouts. The suite's default turns the login and pairing rate limits,
    /// the global ceiling on wrong pairing codes, the per-address connection cap and the
    /// sockets-per-token caps off (every test pairs and logs in from 127.0.0.1 and reconnects
    /// at will); `limits.rs` tests them.
    pub limits: congress_server::limits::LimitsConfig,
    pub max_connections: usize,
    /// Where the server's clock starts (ms since the epoch); the system time when `None`.
    /// Tests that depend on where "now" falls in the congress's dates pin it.
    pub clock_ms: Option<i64>,
}

impl Default for Options {
    fn default() -> Self {
        let d = Config::default();
        Options {
            max_body_bytes: d.max_body_bytes,
            resume_window: d.resume_window,
            upload_max_bytes: d.upload_max_bytes,
            face_models: None,
            pad: true,
            tls: false,
            limits: congress_server::limits::LimitsConfig {
                login_per_minute: 0,
                pair_per_minute: 0,
                pair_failures_per_minute: 0,
                max_connections_per_address: 0,
                sockets_per_device: 0,
                sockets_per_session: 0,
                ..Default::default()
            },
            max_connections: d.max_connections,
            clock_ms: None,
        }
    }
}

/// One argon2 hash for every operator of every test server (hashing is the slow part).
fn password_hash() -> String {
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| congress_server::auth::hash_password(PASSWORD).expect("hash"))
        .clone()
}

/// A unique id for client ids.
pub fn cid(prefix: &str) -> String {
    static N: AtomicU64 = AtomicU64::new(0);
    format!("{prefix}-{}", N.fetch_add(1, Ordering::SeqCst))
}

/// A running server.
pub struct TestServer {
    pub base: String,
    pub anon: Api,
    pub admin: Api,
    pub secretariat: Api,
    pub credentials: Api,
    pub observer: Api,
    pub clock: Arc<TestClock>,
    pub state: Option<AppState>,
    pub config: Config,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<std::io::Result<()>>>,
    // Last: removed when the server is gone.
    dir: Arc<TempDir>,
}

impl TestServer {
    pub async fn start() -> TestServer {
        Self::start_with(Options::default()).await
    }

    pub async fn start_with(opts: Options) -> TestServer {
        let dir = Arc::new(tempfile::tempdir().expect("tempdir"));
        let mut config = unlocked(Config {
            data_dir: dir.path().join("data"),
            listen: "127.0.0.1:0".parse().expect("addr"),
            web_root: dir.path().to_path_buf(),
            max_body_bytes: opts.max_body_bytes,
            resume_window: opts.resume_window,
            upload_max_bytes: opts.upload_max_bytes,
            face_check_in: congress_server::face::FaceMode::Off,
            tls: if opts.tls {
                congress_server::tls::TlsMode::On
            } else {
                congress_server::tls::TlsMode::Off
            },
            http_redirect_listen: congress_server::config::RedirectListen(None),
            limits: opts.limits.clone(),
            max_connections: opts.max_connections,
            ..Default::default()
        });
        if let Some(models) = &opts.face_models {
            config.face_check_in = congress_server::face::FaceMode::On;
            config.face.models_dir = models.clone();
            config.face.pad.enabled = opts.pad;
        }
        let clock = Arc::new(match opts.clock_ms {
            Some(ms) => TestClock::starting_at(ms),
            None => TestClock::from_system(),
        });
        let state = congress_server::open_with_clock(config.clone(), clock.clone()).expect("open");
        setup_congress(&state).await;
        let mut server = Self::serve(state, config, clock, dir, None).await;
        server.admin = server
            .anon
            .login("admin", PASSWORD)
            .await
            .expect("admin logs in");
        for who in [Who::Secretariat, Who::Credentials, Who::Observer] {
            let api = server.session_for(who).await;
            match who {
                Who::Secretariat => server.secretariat = api,
                Who::Credentials => server.credentials = api,
                _ => server.observer = api,
            }
        }
        server
    }

    /// Binds, spawns `serve`, and returns at once: the listener is bound, so no readiness wait.
    async fn serve(
        state: AppState,
        config: Config,
        clock: Arc<TestClock>,
        dir: Arc<TempDir>,
        tokens: Option<[Option<String>; 4]>,
    ) -> TestServer {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let scheme = if state.tls.is_some() { "https" } else { "http" };
        let base = format!("{scheme}://{}", listener.local_addr().expect("addr"));
        let (tx, rx) = oneshot::channel::<()>();
        let task = tokio::spawn(congress_server::serve(
            listener,
            state.clone(),
            async move {
                let _ = rx.await;
            },
        ));
        let anon = match &state.tls {
            Some(tls) => Api::with_http(base.clone(), https_client(&tls.ca.cert_pem)),
            None => Api::new(base.clone()),
        };
        let with = |t: &Option<String>| match t {
            Some(t) => anon.with_token(t.clone()),
            None => anon.clone(),
        };
        let t = tokens.unwrap_or_default();
        TestServer {
            base,
            admin: with(&t[0]),
            secretariat: with(&t[1]),
            credentials: with(&t[2]),
            observer: with(&t[3]),
            anon,
            clock,
            state: Some(state),
            config,
            shutdown: Some(tx),
            task: Some(task),
            dir,
        }
    }

    pub fn engine(&self) -> &congress_server::engine::Engine {
        &self.state.as_ref().expect("running").engine
    }

    /// The server's database, with its key (encryption at rest is on in every test server).
    pub fn db(&self) -> congress_store::Db {
        congress_server::keys::unlock_existing(&self.config.data_dir, &self.config)
            .expect("unlock the test data folder")
            .db
    }

    /// A read-write connection to the server's database, keyed.
    pub fn conn(&self) -> rusqlite::Connection {
        self.db()
            .connect(congress_store::Access::ReadWrite)
            .expect("open the test database")
    }

    /// The client of an operator kind (the anonymous client for devices and nobody).
    pub fn op(&self, who: Who) -> &Api {
        match who {
            Who::Admin => &self.admin,
            Who::Secretariat => &self.secretariat,
            Who::Credentials => &self.credentials,
            Who::Observer => &self.observer,
            _ => &self.anon,
        }
    }

    /// A fresh session for an operator, opened through the engine (no argon2 on the way).
    pub async fn session_for(&self, who: Who) -> Api {
        let username = who.username().expect("an operator");
        let token = congress_server::auth::new_token();
        self.engine()
            .run(
                Command::Access(AccessCommand::OpenSession {
                    token_hash: congress_server::auth::sha256_hex(&token),
                    username: username.into(),
                    expires_at: self.clock.now_ms() + 12 * 3_600_000,
                }),
                "test",
            )
            .await
            .expect("session");
        self.anon.with_token(token)
    }

    /// Pairs a device (as admin). A tablet belongs to `VIET` unless said otherwise.
    pub async fn pair(&self, kind: DeviceKind) -> (Api, Device) {
        let delegate = (kind == DeviceKind::Tablet).then_some(VIET);
        self.pair_for(kind, delegate).await
    }

    pub async fn pair_for(&self, kind: DeviceKind, delegate: Option<&str>) -> (Api, Device) {
        let (api, resp) = self
            .admin
            .pair_device(kind, delegate)
            .await
            .expect("pairing");
        (api, resp.device)
    }

    /// A client for any caller (pairs a device when a device is asked for).
    pub async fn caller(&self, who: Who) -> Api {
        match who {
            Who::Tablet => self.pair(DeviceKind::Tablet).await.0,
            Who::Kiosk => self.pair(DeviceKind::Kiosk).await.0,
            Who::Projector => self.pair(DeviceKind::Projector).await.0,
            other => self.op(other).clone(),
        }
    }

    pub async fn head(&self) -> JournalHead {
        self.admin.get("/api/journal/head").await.expect("head")
    }

    pub async fn check_in(&self, delegate: &str) -> AttendanceAck {
        self.credentials
            .set_attendance(
                &cid("in"),
                delegate,
                AttendanceStatus::Present,
                "Kiểm tra CCCD",
            )
            .await
            .expect("check-in")
    }

    pub async fn set_current(&self, item: Option<&str>) -> AgendaAck {
        self.secretariat
            .put(
                "/api/agenda/current",
                &SetCurrentItem {
                    client_id: cid("agenda"),
                    item_id: item.map(str::to_string),
                },
            )
            .await
            .expect("set current item")
    }

    /// Stops the server and waits until its data folder is free (websocket tasks that outlive
    /// the HTTP server hold it until their client goes away).
    pub async fn stop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            within(task).await.expect("join").expect("serve");
        }
        self.state = None;
    }

    /// Opens the data folder again, retrying while a closing connection still holds the lock.
    pub async fn reopen(config: &Config, clock: Arc<TestClock>) -> AppState {
        let mut waited = Duration::ZERO;
        loop {
            match congress_server::open_with_clock(config.clone(), clock.clone()) {
                Ok(s) => return s,
                Err(OpenError::Locked { .. }) if waited < Duration::from_secs(5) => {
                    tokio::time::sleep(Duration::from_millis(20)).await;
                    waited += Duration::from_millis(20);
                }
                Err(e) => panic!("reopen: {e}"),
            }
        }
    }

    /// Stops, opens the same data folder again, and serves it on a new port. The operator
    /// clients keep their tokens (sessions are stored).
    pub async fn restart(mut self) -> TestServer {
        self.stop().await;
        let state = Self::reopen(&self.config, self.clock.clone()).await;
        let tokens = [
            self.admin.token().map(str::to_string),
            self.secretariat.token().map(str::to_string),
            self.credentials.token().map(str::to_string),
            self.observer.token().map(str::to_string),
        ];
        Self::serve(
            state,
            self.config.clone(),
            self.clock.clone(),
            self.dir.clone(),
            Some(tokens),
        )
        .await
    }

    /// The same client (token) against this server.
    pub fn rebase(&self, api: &Api) -> Api {
        match api.token() {
            Some(t) => self.anon.with_token(t.to_string()),
            None => self.anon.clone(),
        }
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

async fn setup_congress(state: &AppState) {
    let engine = &state.engine;
    engine
        .run(
            Command::Congress(CongressCommand::DefineCongress(Congress {
                name: "Đại hội thử nghiệm".into(),
                venue: "Hội trường A".into(),
                starts_on: "2026-12-01".into(),
                ends_on: "2026-12-03".into(),
                convened: 3,
                quorum: QuorumRule {
                    numerator: 2,
                    denominator: 3,
                },
            })),
            "test",
        )
        .await
        .expect("congress");
    let item = |id: &str, title: &str| AgendaItem {
        id: id.into(),
        title: title.into(),
        planned_start: None,
        planned_minutes: Some(30),
    };
    engine
        .run(
            Command::Meeting(MeetingCommand::DefineAgenda(vec![
                item("A1", "Khai mạc"),
                item("A2", "Báo cáo chính trị"),
                item("A3", "Bế mạc"),
            ])),
            "test",
        )
        .await
        .expect("agenda");
    let d = |id: &str, name: &str, roles: Vec<Role>| Delegate {
        id: id.into(),
        full_name: name.into(),
        unit: "Đảng bộ huyện Đức Phổ".into(),
        seat: format!("A-01-{id}"),
        group: "Tổ 1".into(),
        roles,
    };
    engine
        .run(
            Command::Congress(CongressCommand::ImportDelegates(vec![
                d(VIET, VIET_NAME, vec![Role::Delegate, Role::Presidium]),
                d(ARAB, ARAB_NAME, vec![Role::Delegate]),
                d(PLAIN, NFD_NAME, vec![Role::Delegate, Role::Credentials]),
                d(EXTRA, "Lê Văn Dự Khuyết", vec![Role::Delegate]),
            ])),
            "test",
        )
        .await
        .expect("delegates");
    for (who, roles, name) in [
        (Who::Admin, vec![OperatorRole::Admin], "Quản trị viên"),
        (
            Who::Secretariat,
            vec![OperatorRole::Secretariat],
            "Thư ký Đoàn",
        ),
        (
            Who::Credentials,
            vec![OperatorRole::Credentials],
            "Ban Thẩm tra",
        ),
        (Who::Observer, vec![OperatorRole::Observer], "Quan sát viên"),
    ] {
        engine
            .run(
                Command::Access(AccessCommand::SaveOperator {
                    username: who.username().expect("operator").into(),
                    display_name: name.into(),
                    roles,
                    password_hash: password_hash(),
                }),
                "test",
            )
            .await
            .expect("operator");
    }
}

/// An HTTPS client whose only root is the congress CA (`pem`).
pub fn https_client(pem: &str) -> reqwest::Client {
    reqwest::Client::builder()
        .tls_built_in_root_certs(false)
        .add_root_certificate(reqwest::Certificate::from_pem(pem.as_bytes()).expect("CA pem"))
        .https_only(true)
        .build()
        .expect("https client")
}

/// Fails a test that would hang.
pub async fn within<F: std::future::IntoFuture>(f: F) -> F::Output {
    tokio::time::timeout(Duration::from_secs(10), f)
        .await
        .expect("timed out after 10 s")
}

/// The status and error code of a failed call.
pub fn status_of<T: std::fmt::Debug>(r: Result<T, ClientError>) -> (u16, String) {
    match r {
        Err(ClientError::Api { status, body }) => (status, body.error),
        other => panic!("expected an API error, got {other:?}"),
    }
}

/// A websocket that has not said hello (for protocol-level tests).
pub struct RawWs {
    pub(crate) socket: tokio_tungstenite::WebSocketStream<
        tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>,
    >,
}

/// What a raw socket saw next.
#[derive(Debug)]
pub enum Seen {
    Msg(ServerMsg),
    /// A close frame (with its code), the end of the stream, or a transport error.
    Closed(Option<u16>),
}

impl RawWs {
    pub async fn connect(api: &Api, endpoint: &str) -> RawWs {
        let (socket, _) = within(tokio_tungstenite::connect_async(api.ws_url(endpoint)))
            .await
            .expect("ws connect");
        RawWs { socket }
    }

    pub async fn send(&mut self, text: impl Into<String>) {
        self.socket
            .send(Message::Text(text.into().into()))
            .await
            .expect("ws send");
    }

    pub async fn hello(&mut self, token: &str, resume_from: Option<u64>) {
        let hello = ClientMsg::Hello {
            token: token.into(),
            resume_from,
            protocol: PROTOCOL_VERSION,
        };
        self.send(serde_json::to_string(&hello).expect("json"))
            .await;
    }

    pub async fn next(&mut self) -> Seen {
        within(self.next_unbounded()).await
    }

    /// Like `next`, with no time limit of its own.
    pub async fn next_unbounded(&mut self) -> Seen {
        loop {
            match self.socket.next().await {
                None | Some(Err(_)) => return Seen::Closed(None),
                Some(Ok(Message::Close(f))) => return Seen::Closed(f.map(|f| u16::from(f.code))),
                Some(Ok(Message::Text(t))) => {
                    return Seen::Msg(serde_json::from_str(&t).expect("server message parses"));
                }
                Some(Ok(_)) => {}
            }
        }
    }

    pub async fn next_msg(&mut self) -> ServerMsg {
        match self.next().await {
            Seen::Msg(m) => m,
            Seen::Closed(c) => panic!("closed ({c:?}) where a message was expected"),
        }
    }

    /// Expects a fatal error with `code`, then the connection's end.
    pub async fn expect_fatal(&mut self, code: &str) {
        match self.next_msg().await {
            ServerMsg::Error { error, fatal, .. } => {
                assert_eq!(error, code);
                assert!(fatal, "{code} must be fatal");
            }
            other => panic!("expected a fatal {code}, got {other:?}"),
        }
        match self.next().await {
            Seen::Closed(_) => {}
            Seen::Msg(m) => panic!("expected the socket to close after a fatal error, got {m:?}"),
        }
    }
}

/// Connects a live client, failing the test on a timeout.
pub async fn live(
    api: &Api,
    endpoint: &str,
    resume_from: Option<u64>,
) -> (Live, congress_client::Start) {
    within(Live::connect(api, endpoint, resume_from))
        .await
        .expect("live connect")
}

/// A ping/pong round trip on a live connection.
pub async fn ping(live: &mut Live, nonce: u32) {
    live.send(&ClientMsg::Ping { nonce }).await.expect("ping");
    loop {
        match within(live.next_raw()).await.expect("pong") {
            ServerMsg::Pong { nonce: n } => {
                assert_eq!(n, nonce);
                return;
            }
            ServerMsg::Error { fatal: true, .. } => panic!("fatal error instead of pong"),
            _ => {}
        }
    }
}

/// Whether an external tool runs; a test that needs it skips without it (fails when
/// `CONGRESS_REQUIRE_TOOLS` is set, as in CI).
pub fn have(tool: &str) -> bool {
    let ok = std::process::Command::new(tool)
        .arg("--version")
        .output()
        .is_ok();
    if !ok {
        assert!(
            std::env::var_os("CONGRESS_REQUIRE_TOOLS").is_none(),
            "{tool} is required"
        );
        eprintln!("SKIPPED: {tool} is not installed");
    }
    ok
}

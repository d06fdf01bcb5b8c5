//! Websocket endpoints, one handler per client kind: [`tablet`] (ballots, requests to speak,
//! notices read, opinions and summaries), [`kiosk`] (camera frames), [`screen`] (the console
//! and the projector, which only listen). This module owns what they share: the upgrade, the
//! `hello` handshake and who may use which endpoint, then one loop per connection that
//! delivers pushes in journal order (what was missed, or a snapshot, first), pings, cuts
//! flooders, re-checks the token and stops with the server. Each connection runs in its own
//! task and writes to its own socket, so a slow client delays nobody else.

mod kiosk;
mod screen;
mod tablet;

use std::future::Future;
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket, WebSocketUpgrade};
use axum::response::Response;
use axum::routing::get;
use congress_app::AppState;
use congress_app::auth::{Caller, authenticate};
use congress_app::hub::Subscription;
use congress_proto::*;
use tokio::sync::broadcast::error::RecvError;
use tokio::time::Instant;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/ws/console",
            get(|s, u| upgrade(s, u, ClientKind::Console)),
        )
        .route(
            "/ws/projector",
            get(|s, u| upgrade(s, u, ClientKind::Projector)),
        )
        .route("/ws/tablet", get(|s, u| upgrade(s, u, ClientKind::Tablet)))
        .route("/ws/kiosk", get(|s, u| upgrade(s, u, ClientKind::Kiosk)))
}

async fn upgrade(State(app): State<AppState>, ws: WebSocketUpgrade, kind: ClientKind) -> Response {
    // kiosks send camera frames; bigger ones than MAX_KIOSK_FRAME_BYTES get a per-frame error
    let limit = match kind {
        ClientKind::Kiosk => 4 * MAX_KIOSK_FRAME_BYTES,
        _ => MAX_CLIENT_MESSAGE_BYTES,
    };
    ws.max_message_size(limit)
        .max_frame_size(limit)
        .on_upgrade(move |socket| async move {
            if let Err(e) = connection(app, socket, kind).await {
                tracing::debug!(error = %e, ?kind, "websocket closed");
            }
        })
}

/// What one kind of client may do once connected. The shared loop ([`serve`]) handles hello,
/// ping, pushes, floods and the token; a handler answers everything else.
trait Handler: Send {
    /// Work the handler started off the connection's task (a kiosk's frame analysis), delivered
    /// back through the channel [`serve`] is given.
    type Work: Send + 'static;

    /// A text message other than `hello` and `ping`: the answer, if any.
    fn on_message(
        &mut self,
        app: &AppState,
        caller: &Caller,
        msg: ClientMsg,
    ) -> impl Future<Output = Option<ServerMsg>> + Send;

    /// A binary message (after the flood check): the answer, if any.
    fn on_binary(&mut self, _bytes: Vec<u8>) -> Option<ServerMsg> {
        Some(error_msg(
            "invalid",
            "binary messages are not accepted here",
            false,
        ))
    }

    /// Work started by the handler finished: the answer.
    fn on_work(
        &mut self,
        _app: &AppState,
        _work: Self::Work,
    ) -> impl Future<Output = Option<ServerMsg>> + Send {
        async { None }
    }

    /// Binary messages a second this client may send before they are dropped unseen, or `None`
    /// when binary messages count as ordinary messages.
    fn binary_budget(&self) -> Option<u32> {
        None
    }
}

/// How long a client has to say hello.
const HELLO_TIMEOUT: Duration = Duration::from_secs(10);
/// How often a live connection re-checks that its token is still valid.
const RECHECK: Duration = Duration::from_secs(15);
/// Messages a client may send per second before being told to slow down.
const FLOOD_PER_SECOND: u32 = 20;
/// Refused messages before the connection is closed.
const FLOOD_STRIKES: u32 = 200;

fn text(msg: &ServerMsg) -> Message {
    Message::Text(serde_json::to_string(msg).unwrap_or_default().into())
}

fn error_msg(code: &str, message: impl Into<String>, fatal: bool) -> ServerMsg {
    ServerMsg::Error {
        error: code.into(),
        message: message.into(),
        fatal,
    }
}

async fn refuse(mut socket: WebSocket, code: &str, message: &str) -> Result<(), axum::Error> {
    socket.send(text(&error_msg(code, message, true))).await?;
    socket
        .send(Message::Close(Some(CloseFrame {
            code: 4000,
            reason: Utf8Bytes::from(code.to_string()),
        })))
        .await?;
    Ok(())
}

/// Which callers may use which endpoint.
fn allowed(kind: ClientKind, caller: &Caller) -> bool {
    match (kind, caller) {
        (ClientKind::Console | ClientKind::Projector, Caller::Operator { .. }) => true,
        (ClientKind::Projector, Caller::Device(d)) => d.kind == DeviceKind::Projector,
        (ClientKind::Tablet, Caller::Device(d)) => d.kind == DeviceKind::Tablet,
        (ClientKind::Kiosk, Caller::Device(d)) => d.kind == DeviceKind::Kiosk,
        _ => false,
    }
}

/// A command message sent to an endpoint that does not take it: refused with its own refusal
/// (carrying its `client_id`), so the client can tell which request was refused.
fn not_here(msg: ClientMsg) -> ServerMsg {
    let (code, message) = ("forbidden", "this endpoint does not take this message");
    match msg {
        ClientMsg::CastBallot {
            client_id, vote_id, ..
        }
        | ClientMsg::CastSecretBallot {
            client_id, vote_id, ..
        } => ServerMsg::BallotRefused {
            client_id,
            vote_id,
            error: code.into(),
            message: "only a delegate's tablet may vote".into(),
        },
        ClientMsg::ReadNotice { client_id, .. }
        | ClientMsg::SendOpinion { client_id, .. }
        | ClientMsg::SaveSummary { client_id, .. }
        | ClientMsg::BoardDeal { client_id, .. }
        | ClientMsg::BoardCheck { client_id, .. }
        | ClientMsg::SubmitPartial { client_id, .. }
        | ClientMsg::Nominate { client_id, .. }
        | ClientMsg::AnswerNomination { client_id, .. }
        | ClientMsg::AskWithdrawal { client_id, .. }
        | ClientMsg::SignTallyReport { client_id, .. } => ServerMsg::Refused {
            client_id,
            error: code.into(),
            message: message.into(),
        },
        ClientMsg::RequestSpeak { client_id, .. } | ClientMsg::WithdrawSpeak { client_id, .. } => {
            ServerMsg::SpeakRefused {
                client_id,
                error: code.into(),
                message: message.into(),
            }
        }
        ClientMsg::Hello { .. } => error_msg("invalid", "already said hello", false),
        ClientMsg::Ping { nonce } => ServerMsg::Pong { nonce },
    }
}

/// Reads `hello`, checks the token and the endpoint, then hands the connection to its kind's
/// handler.
async fn connection(
    app: AppState,
    mut socket: WebSocket,
    kind: ClientKind,
) -> Result<(), axum::Error> {
    let hello = match tokio::time::timeout(HELLO_TIMEOUT, socket.recv()).await {
        Err(_) => return refuse(socket, "timeout", "send hello first").await,
        Ok(None) | Ok(Some(Err(_))) => return Ok(()),
        Ok(Some(Ok(Message::Text(t)))) => congress_proto::decode_client_message(&t),
        Ok(Some(Ok(_))) => {
            return refuse(socket, "invalid_json", "expected a hello text message").await;
        }
    };
    let (token, resume_from) = match hello {
        Ok(ClientMsg::Hello {
            token,
            resume_from,
            protocol,
        }) => {
            if protocol != PROTOCOL_VERSION {
                let m = format!(
                    "this server speaks protocol {PROTOCOL_VERSION}, not {protocol}; reload the app"
                );
                return refuse(socket, "protocol", &m).await;
            }
            (token, resume_from)
        }
        Ok(_) => return refuse(socket, "invalid_json", "the first message must be hello").await,
        Err(e) => return refuse(socket, "invalid_json", &e.to_string()).await,
    };
    let caller = match authenticate(&app, &token) {
        Ok(c) => c,
        Err(_) => return refuse(socket, "unauthorized", "unknown, expired or revoked token").await,
    };
    if !allowed(kind, &caller) {
        return refuse(socket, "forbidden", "this token may not use this endpoint").await;
    }
    // A bounded number of sockets per token (issue 13, findings 8 and 9): per-socket limits
    // must not multiply with the sockets one token opens.
    let device = matches!(caller, Caller::Device(_));
    let Some(socket_slot) = app
        .limits
        .open_socket(&congress_app::auth::sha256_hex(&token), device)
    else {
        return refuse(
            socket,
            "too_many_connections",
            "this token already has as many connections open as it may: close one, or wait \
             for a lost one to time out",
        )
        .await;
    };
    let conn = Connection {
        app,
        caller,
        token,
        kind,
        _socket_slot: socket_slot,
    };
    match kind {
        ClientKind::Tablet => conn.serve(socket, resume_from, tablet::Tablet, None).await,
        ClientKind::Kiosk => {
            let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
            let handler = kiosk::Kiosk::new(&conn.app, &conn.caller, tx);
            conn.serve(socket, resume_from, handler, Some(rx)).await
        }
        ClientKind::Console | ClientKind::Projector => {
            conn.serve(socket, resume_from, screen::Screen, None).await
        }
    }
}

/// An authenticated connection.
struct Connection {
    app: AppState,
    caller: Caller,
    token: String,
    kind: ClientKind,
    /// Counts this socket against its token's maximum until the connection ends.
    _socket_slot: congress_transport::limits::SocketSlot,
}

impl Connection {
    fn still_valid(&self) -> bool {
        authenticate(&self.app, &self.token).is_ok()
    }

    /// Whether the token now acts for another delegate (a substitute took the seat and the
    /// tablet): the connection must start again as that delegate.
    fn reassigned(&self) -> bool {
        match (&self.caller, authenticate(&self.app, &self.token)) {
            (Caller::Device(was), Ok(Caller::Device(now))) => was.delegate_id != now.delegate_id,
            _ => false,
        }
    }

    /// Welcome, then what was missed or a snapshot; returns the last seq the client has.
    async fn start(
        &self,
        socket: &mut WebSocket,
        sub: &mut Subscription,
        resume_from: Option<u64>,
    ) -> Result<u64, axum::Error> {
        socket
            .send(text(&ServerMsg::Welcome {
                kind: self.kind,
                head_seq: sub.published,
                protocol: PROTOCOL_VERSION,
            }))
            .await?;
        Ok(match (sub.missed.take(), resume_from) {
            (Some(missed), Some(from)) => {
                let mut last = from;
                for f in missed {
                    if f.audience.admits(&self.caller) {
                        socket
                            .send(Message::Text(f.encoded(|t: &str| Utf8Bytes::from(t))))
                            .await?;
                    }
                    last = f.seq;
                }
                let to = last.max(sub.published);
                socket.send(text(&ServerMsg::Resumed { from, to })).await?;
                last
            }
            _ => self.send_snapshot(socket).await?,
        })
    }

    async fn send_snapshot(&self, socket: &mut WebSocket) -> Result<u64, axum::Error> {
        let snap = congress_app::snapshot::of(&self.app, &self.caller);
        let seq = match &snap {
            ServerMsg::Snapshot { seq, .. } => *seq,
            _ => 0,
        };
        socket.send(text(&snap)).await?;
        Ok(seq)
    }

    /// The connection's life: pushes out, messages in, until either side stops.
    async fn serve<H: Handler>(
        self,
        mut socket: WebSocket,
        resume_from: Option<u64>,
        mut handler: H,
        mut work: Option<tokio::sync::mpsc::UnboundedReceiver<H::Work>>,
    ) -> Result<(), axum::Error> {
        let app = self.app.clone();
        let mut sub = app.engine.hub.subscribe(resume_from);
        let mut covered = self.start(&mut socket, &mut sub, resume_from).await?;
        let mut shutdown = app.shutdown.subscribe();
        if *shutdown.borrow() {
            return refuse(socket, "unavailable", "the server is stopping").await;
        }
        let mut recheck = tokio::time::interval(RECHECK);
        recheck.tick().await;
        let mut flood = Flood::with_limit(FLOOD_PER_SECOND);
        let mut frame_flood = handler.binary_budget().map(Flood::with_limit);
        // Ping every third of the idle timeout; a client silent for the whole timeout is gone.
        let idle = app.config.limits.idle_timeout();
        let mut ping = tokio::time::interval(idle / 3);
        ping.tick().await;
        let mut heard = Instant::now();
        loop {
            tokio::select! {
                Some(done) = async { match work.as_mut() { Some(rx) => rx.recv().await, None => None } } => {
                    if let Some(answer) = handler.on_work(&app, done).await {
                        socket.send(text(&answer)).await?;
                    }
                },
                frame = sub.rx.recv() => match frame {
                    Ok(f) if f.live => {
                        if f.audience.admits(&self.caller) {
                            socket.send(Message::Text(f.encoded(|t: &str| Utf8Bytes::from(t)))).await?;
                        }
                    }
                    Ok(f) => {
                        if f.revokes && !self.still_valid() {
                            return refuse(socket, "unauthorized", "this device was unpaired or the session ended").await;
                        }
                        if f.revokes && self.reassigned() {
                            return refuse(socket, "reassigned", "this tablet now belongs to another delegate: reconnect").await;
                        }
                        // `covered` is what the start (or a fresh snapshot) covered; the frames
                        // of one event share its seq (a whole record for operators, a shorter
                        // one for devices), so each is compared with that, not with the previous.
                        if f.seq > covered && f.audience.admits(&self.caller) {
                            socket.send(Message::Text(f.encoded(|t: &str| Utf8Bytes::from(t)))).await?;
                        }
                    }
                    Err(RecvError::Lagged(n)) => {
                        tracing::warn!(missed = n, kind = ?self.kind, "client fell behind; sending a snapshot");
                        covered = self.send_snapshot(&mut socket).await?;
                    }
                    Err(RecvError::Closed) => {
                        socket.send(text(&error_msg("unavailable", "the server is stopping", true))).await?;
                        return Ok(());
                    }
                },
                _ = ping.tick() => {
                    if heard.elapsed() >= idle {
                        return refuse(socket, "timeout", "no answer to pings; reconnect").await;
                    }
                    socket.send(Message::Ping(Default::default())).await?;
                }
                msg = socket.recv() => {
                    heard = Instant::now();
                    let msg = match msg {
                        None | Some(Err(_)) | Some(Ok(Message::Close(_))) => return Ok(()),
                        Some(Ok(m)) => m,
                    };
                    // Camera frames have their own, higher budget (the kiosk session drops the
                    // excess frame by frame); this one only cuts a kiosk that floods far beyond
                    // any camera.
                    if let (Message::Binary(_), Some(ff)) = (&msg, frame_flood.as_mut()) {
                        if ff.too_many(Instant::now()) && ff.strikes > FLOOD_STRIKES {
                            return refuse(socket, "rate_limited", "too many frames").await;
                        }
                        if ff.over {
                            continue;
                        }
                    } else if matches!(msg, Message::Text(_) | Message::Ping(_) | Message::Binary(_))
                        && flood.too_many(Instant::now())
                    {
                        if flood.strikes > FLOOD_STRIKES {
                            return refuse(socket, "rate_limited", "too many messages").await;
                        }
                        socket.send(text(&error_msg("rate_limited", "too many messages; slow down", false))).await?;
                        continue;
                    }
                    let answer = match msg {
                        Message::Text(t) => match congress_proto::decode_client_message(&t) {
                            Ok(ClientMsg::Ping { nonce }) => Some(ServerMsg::Pong { nonce }),
                            Ok(ClientMsg::Hello { .. }) => Some(error_msg("invalid", "already said hello", false)),
                            Ok(m) => handler.on_message(&app, &self.caller, m).await,
                            Err(e) => Some(error_msg("invalid_json", e.to_string(), false)),
                        },
                        Message::Binary(b) => handler.on_binary(b.to_vec()),
                        _ => None,
                    };
                    if let Some(a) = answer {
                        socket.send(text(&a)).await?;
                    }
                }
                _ = shutdown.changed() => {
                    socket.send(text(&error_msg("unavailable", "the server is stopping; reconnect shortly", true))).await?;
                    let _ = socket.send(Message::Close(None)).await;
                    return Ok(());
                }
                _ = recheck.tick() => {
                    if !self.still_valid() {
                        return refuse(socket, "unauthorized", "the token was revoked or expired").await;
                    }
                }
            }
        }
    }
}

/// A per-connection message budget over one-second windows (tokio's clock, so tests can
/// advance it).
struct Flood {
    window: Instant,
    count: u32,
    strikes: u32,
    limit: u32,
    /// The last message was over the budget.
    over: bool,
}

impl Flood {
    fn with_limit(limit: u32) -> Flood {
        Flood {
            window: Instant::now(),
            count: 0,
            strikes: 0,
            limit,
            over: false,
        }
    }

    fn too_many(&mut self, now: Instant) -> bool {
        if now.duration_since(self.window) >= Duration::from_secs(1) {
            self.window = now;
            self.count = 0;
        }
        self.count += 1;
        self.over = self.count > self.limit;
        if self.over {
            self.strikes += 1;
        }
        self.over
    }
}

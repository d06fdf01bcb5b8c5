//! Websocket endpoints, one per client kind. After `hello`, a connection gets what it missed (or
//! a snapshot) and then live pushes in journal order. Each connection runs in its own task and
//! writes to its own socket, so a slow client delays nobody else.

use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket, WebSocketUpgrade};
use axum::response::Response;
use axum::routing::get;
use congress_proto::*;
use tokio::sync::broadcast::error::RecvError;

use crate::AppState;
use crate::auth::{Caller, authenticate};
use crate::hub::{Audience, Frame};

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

/// How long a client has to say hello.
const HELLO_TIMEOUT: Duration = Duration::from_secs(10);
/// How often a live connection re-checks that its token is still valid.
const RECHECK: Duration = Duration::from_secs(15);

fn text(msg: &ServerMsg) -> Message {
    Message::Text(serde_json::to_string(msg).unwrap_or_default().into())
}

fn error(code: &str, message: impl Into<String>, fatal: bool) -> Message {
    text(&ServerMsg::Error {
        error: code.into(),
        message: message.into(),
        fatal,
    })
}

async fn refuse(mut socket: WebSocket, code: &str, message: &str) -> anyhow::Result<()> {
    socket.send(error(code, message, true)).await?;
    socket
        .send(Message::Close(Some(CloseFrame {
            code: 4000,
            reason: Utf8Bytes::from(code.to_string()),
        })))
        .await?;
    Ok(())
}

fn allowed(kind: ClientKind, caller: &Caller) -> bool {
    match (kind, caller) {
        (ClientKind::Console | ClientKind::Projector, Caller::Operator { .. }) => true,
        (ClientKind::Projector, Caller::Device(d)) => d.kind == DeviceKind::Projector,
        (ClientKind::Tablet, Caller::Device(d)) => d.kind == DeviceKind::Tablet,
        (ClientKind::Kiosk, Caller::Device(d)) => d.kind == DeviceKind::Kiosk,
        _ => false,
    }
}

fn visible(frame: &Frame, caller: &Caller) -> bool {
    match (&frame.audience, caller) {
        (Audience::Everyone, _) => true,
        (Audience::Nobody, _) => false,
        (Audience::Members(ids), Caller::Device(d)) => {
            d.kind == DeviceKind::Tablet && d.delegate_id.as_ref().is_some_and(|i| ids.contains(i))
        }
        (Audience::Members(_), Caller::Operator { .. }) => false,
        (_, Caller::Operator { .. }) => true,
        (Audience::Operators, Caller::Device(d)) => d.kind == DeviceKind::Projector,
        (Audience::Delegate(id), Caller::Device(d)) => d.delegate_id.as_deref() == Some(id),
        (Audience::Delegates(ids), Caller::Device(d)) => {
            d.kind == DeviceKind::Tablet && d.delegate_id.as_ref().is_some_and(|i| ids.contains(i))
        }
        (Audience::Tablets, Caller::Device(d)) => d.kind == DeviceKind::Tablet,
    }
}

fn snapshot(app: &AppState, caller: &Caller) -> ServerMsg {
    app.engine.read(|s| {
        let (notices, notices_read) = crate::groups::snapshot_notices(s, caller);
        let me = match caller {
            Caller::Device(d) => d
                .delegate_id
                .as_ref()
                .and_then(|id| s.delegates.get(id).cloned()),
            _ => None,
        };
        let my_attendance = me.as_ref().and_then(|d| s.attendance.get(&d.id).cloned());
        ServerMsg::Snapshot {
            seq: s.head.seq,
            snapshot: Box::new(Snapshot {
                congress: s.congress.clone().unwrap_or(Congress {
                    name: String::new(),
                    venue: String::new(),
                    starts_on: String::new(),
                    ends_on: String::new(),
                    convened: 0,
                    quorum: QuorumRule::default(),
                }),
                agenda: s.agenda.clone(),
                attendance: s.summary(),
                me,
                my_attendance,
                journal: s.head.clone(),
                votes: crate::votes::visible_votes(
                    s,
                    match caller {
                        Caller::Device(d) => d.delegate_id.as_deref(),
                        _ => None,
                    },
                    matches!(caller, Caller::Operator { .. }),
                ),
                notices,
                notices_read,
                meeting: congress_domain::meeting::view(s, app.engine.now()),
            }),
        }
    })
}

fn still_valid(app: &AppState, token: &str) -> bool {
    authenticate(app, token).is_ok()
}

async fn connection(app: AppState, mut socket: WebSocket, kind: ClientKind) -> anyhow::Result<()> {
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
    let mut sub = app.engine.hub.subscribe(resume_from);
    socket
        .send(text(&ServerMsg::Welcome {
            kind,
            head_seq: sub.published,
            protocol: PROTOCOL_VERSION,
        }))
        .await?;
    let mut last = match (sub.missed.take(), resume_from) {
        (Some(missed), Some(from)) => {
            let mut last = from;
            for f in missed {
                if visible(&f, &caller) {
                    socket.send(Message::Text(f.text.clone())).await?;
                }
                last = f.seq;
            }
            let to = last.max(sub.published);
            socket.send(text(&ServerMsg::Resumed { from, to })).await?;
            last
        }
        _ => {
            let snap = snapshot(&app, &caller);
            let seq = match &snap {
                ServerMsg::Snapshot { seq, .. } => *seq,
                _ => 0,
            };
            socket.send(text(&snap)).await?;
            seq
        }
    };
    let mut shutdown = app.shutdown.subscribe();
    if *shutdown.borrow() {
        return refuse(socket, "unavailable", "the server is stopping").await;
    }
    let mut recheck = tokio::time::interval(RECHECK);
    recheck.tick().await;
    let (done_tx, mut done_rx) = tokio::sync::mpsc::unbounded_channel();
    let mut kiosk = match (&caller, &app.face) {
        (Caller::Device(d), Some(face)) if kind == ClientKind::Kiosk => Some(
            crate::face::kiosk::KioskSession::new(face.clone(), d, done_tx.clone()),
        ),
        _ => None,
    };
    let mut flood = Flood::default();
    // Kiosk camera frames have their own, higher budget (the kiosk session drops the excess
    // frame by frame); this one only cuts a kiosk that floods far beyond any camera.
    let mut frame_flood = Flood::with_limit(FRAME_FLOOD_PER_SECOND);
    // Ping every third of the idle timeout; a client silent for the whole timeout is gone.
    let idle = app.config.limits.idle_timeout();
    let mut ping = tokio::time::interval(idle / 3);
    ping.tick().await;
    let mut heard = tokio::time::Instant::now();
    loop {
        tokio::select! {
            Some(done) = done_rx.recv() => {
                if let Some(k) = kiosk.as_mut() {
                    let answer = k.on_done(&app, done).await;
                    socket.send(text(&answer)).await?;
                }
            },
            frame = sub.rx.recv() => match frame {
                Ok(f) if f.live => {
                    if visible(&f, &caller) {
                        socket.send(Message::Text(f.text.clone())).await?;
                    }
                }
                Ok(f) => {
                    if f.revokes && !still_valid(&app, &token) {
                        return refuse(socket, "unauthorized", "this device was unpaired or the session ended").await;
                    }
                    if f.seq > last {
                        last = f.seq;
                        if visible(&f, &caller) {
                            socket.send(Message::Text(f.text.clone())).await?;
                        }
                    }
                }
                Err(RecvError::Lagged(n)) => {
                    tracing::warn!(missed = n, ?kind, "client fell behind; sending a snapshot");
                    let snap = snapshot(&app, &caller);
                    if let ServerMsg::Snapshot { seq, .. } = &snap {
                        last = *seq;
                    }
                    socket.send(text(&snap)).await?;
                }
                Err(RecvError::Closed) => {
                    socket.send(error("unavailable", "the server is stopping", true)).await?;
                    return Ok(());
                }
            },
            _ = ping.tick() => {
                if heard.elapsed() >= idle {
                    return refuse(socket, "timeout", "no answer to pings; reconnect").await;
                }
                socket.send(Message::Ping(Default::default())).await?;
            }
            msg = socket.recv() => { heard = tokio::time::Instant::now(); match msg {
                None | Some(Err(_)) | Some(Ok(Message::Close(_))) => return Ok(()),
                Some(Ok(Message::Binary(_))) if kind == ClientKind::Kiosk && frame_flood.too_many() => {
                    if frame_flood.strikes > FLOOD_STRIKES {
                        return refuse(socket, "rate_limited", "too many frames").await;
                    }
                }
                Some(Ok(m))
                    if (matches!(m, Message::Text(_) | Message::Ping(_))
                        || (kind != ClientKind::Kiosk && matches!(m, Message::Binary(_))))
                        && flood.too_many() =>
                {
                    if flood.strikes > FLOOD_STRIKES {
                        return refuse(socket, "rate_limited", "too many messages").await;
                    }
                    socket.send(error("rate_limited", "too many messages; slow down", false)).await?
                }
                Some(Ok(Message::Text(t))) => match congress_proto::decode_client_message(&t) {
                    Ok(ClientMsg::Ping { nonce }) => socket.send(text(&ServerMsg::Pong { nonce })).await?,
                    Ok(ClientMsg::Hello { .. }) => {
                        socket.send(error("invalid", "already said hello", false)).await?
                    }
                    Ok(ClientMsg::CastBallot { client_id, vote_id, choice }) => {
                        let reply = ballot(&app, &caller, client_id, vote_id, choice).await;
                        socket.send(text(&reply)).await?
                    }
                    Ok(msg @ (ClientMsg::ReadNotice { .. } | ClientMsg::SendOpinion { .. } | ClientMsg::SaveSummary { .. })) => {
                        if let Some(reply) = crate::groups::on_message(&app.engine, &caller, &msg).await {
                            socket.send(text(&reply)).await?
                        }
                    }
                    Ok(ClientMsg::RequestSpeak { client_id, item_id, kind }) => {
                        let ask = crate::meeting::TabletAsk::Request { item_id, kind };
                        let reply = crate::meeting::from_tablet(&app, &caller, client_id, ask).await;
                        socket.send(text(&reply)).await?
                    }
                    Ok(ClientMsg::WithdrawSpeak { client_id, request_id }) => {
                        let ask = crate::meeting::TabletAsk::Withdraw { request_id };
                        let reply = crate::meeting::from_tablet(&app, &caller, client_id, ask).await;
                        socket.send(text(&reply)).await?
                    }
                    Err(e) => socket.send(error("invalid_json", e.to_string(), false)).await?,
                },
                Some(Ok(Message::Binary(b))) => match kiosk.as_mut() {
                    Some(k) => {
                        if let Some(answer) = k.on_frame(b.to_vec()) {
                            socket.send(text(&answer)).await?;
                        }
                    }
                    None if kind == ClientKind::Kiosk => {
                        let answer = ServerMsg::FaceResult {
                            frame: 0,
                            width: 0,
                            height: 0,
                            boxes: vec![],
                            result: FaceStatus::Unavailable,
                            ms: 0,
                        };
                        socket.send(text(&answer)).await?
                    }
                    None => {
                        socket.send(error("invalid", "binary messages are not accepted here", false)).await?
                    }
                },
                Some(Ok(_)) => {}
            }},
            _ = shutdown.changed() => {
                socket.send(error("unavailable", "the server is stopping; reconnect shortly", true)).await?;
                let _ = socket.send(Message::Close(None)).await;
                return Ok(());
            }
            _ = recheck.tick() => {
                if !still_valid(&app, &token) {
                    return refuse(socket, "unauthorized", "the token was revoked or expired").await;
                }
            }
        }
    }
}

/// Messages a client may send per second before being told to slow down.
const FLOOD_PER_SECOND: u32 = 20;
/// Refused messages before the connection is closed.
const FLOOD_STRIKES: u32 = 200;
/// Binary messages (camera frames) a kiosk may send per second before they are dropped unseen
/// (the kiosk session itself analyses at most `MAX_KIOSK_FPS`).
const FRAME_FLOOD_PER_SECOND: u32 = 100;

/// A per-connection message budget.
struct Flood {
    window: std::time::Instant,
    count: u32,
    strikes: u32,
    limit: u32,
}

impl Default for Flood {
    fn default() -> Self {
        Flood::with_limit(FLOOD_PER_SECOND)
    }
}

impl Flood {
    fn with_limit(limit: u32) -> Flood {
        Flood {
            window: std::time::Instant::now(),
            count: 0,
            strikes: 0,
            limit,
        }
    }

    fn too_many(&mut self) -> bool {
        if self.window.elapsed() >= Duration::from_secs(1) {
            self.window = std::time::Instant::now();
            self.count = 0;
        }
        self.count += 1;
        let over = self.count > self.limit;
        if over {
            self.strikes += 1;
        }
        over
    }
}

async fn ballot(
    app: &AppState,
    caller: &Caller,
    client_id: String,
    vote_id: u64,
    choice: BallotChoice,
) -> ServerMsg {
    let delegate = match caller {
        Caller::Device(d) if d.kind == DeviceKind::Tablet => d.delegate_id.clone(),
        _ => None,
    };
    let Some(delegate) = delegate else {
        return ServerMsg::BallotRefused {
            client_id,
            vote_id,
            error: "forbidden".into(),
            message: "only a delegate's tablet may vote".into(),
        };
    };
    match crate::votes::cast(
        &app.engine,
        caller.actor(),
        &delegate,
        client_id.clone(),
        vote_id,
        choice,
    )
    .await
    {
        Ok(ack) => ServerMsg::BallotAck { ack },
        Err(e) => {
            let (error, message) = crate::votes::refusal(&e);
            ServerMsg::BallotRefused {
                client_id,
                vote_id,
                error,
                message,
            }
        }
    }
}

//! A client of the congress server: typed REST calls ([`Api`]) and a websocket connection that
//! speaks the protocol and tracks the last sequence number for resume ([`Live`]). Used by the
//! integration tests, the simulator and the benchmarks.

use std::time::Duration;

use congress_proto::*;
use futures_util::{SinkExt, StreamExt};
use serde::Serialize;
use serde::de::DeserializeOwned;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error("HTTP transport: {0}")]
    Http(#[from] reqwest::Error),
    #[error("server said {status}: {body:?}")]
    Api { status: u16, body: ApiError },
    #[error("websocket: {0}")]
    Ws(#[from] Box<tokio_tungstenite::tungstenite::Error>),
    #[error("unexpected message: {0}")]
    Protocol(String),
    #[error("JSON: {0}")]
    Json(#[from] serde_json::Error),
    #[error("timed out")]
    Timeout,
    #[error("connection closed")]
    Closed,
}

impl From<tokio_tungstenite::tungstenite::Error> for ClientError {
    fn from(e: tokio_tungstenite::tungstenite::Error) -> Self {
        ClientError::Ws(Box::new(e))
    }
}

impl ClientError {
    /// The HTTP status of an API error.
    pub fn status(&self) -> Option<u16> {
        match self {
            ClientError::Api { status, .. } => Some(*status),
            _ => None,
        }
    }
}

/// REST calls against one server, with an optional bearer token.
#[derive(Clone)]
pub struct Api {
    base: String,
    http: reqwest::Client,
    token: Option<String>,
    /// For an `https://` base: the TLS client the websockets use (the congress CA its only root).
    tls: Option<std::sync::Arc<rustls::ClientConfig>>,
}

impl Api {
    /// `base` like `http://127.0.0.1:8080`.
    pub fn new(base: impl Into<String>) -> Api {
        Api {
            base: base.into().trim_end_matches('/').to_string(),
            http: reqwest::Client::builder()
                .pool_max_idle_per_host(4)
                .build()
                .unwrap_or_default(),
            token: None,
            tls: None,
        }
    }

    /// An `https://` base whose only trusted root is the congress CA (`ca_pem`, the PEM of the
    /// data folder's `tls/ca.pem`), for REST and websockets alike.
    pub fn with_ca(base: impl Into<String>, ca_pem: &str) -> Result<Api, ClientError> {
        use rustls::pki_types::CertificateDer;
        use rustls::pki_types::pem::PemObject;
        let bad = |e: String| ClientError::Protocol(format!("the congress CA: {e}"));
        let mut roots = rustls::RootCertStore::empty();
        for cert in CertificateDer::pem_slice_iter(ca_pem.as_bytes()) {
            roots
                .add(cert.map_err(|e| bad(e.to_string()))?)
                .map_err(|e| bad(e.to_string()))?;
        }
        let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
        let tls = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| bad(e.to_string()))?
            .with_root_certificates(roots)
            .with_no_client_auth();
        let http = reqwest::Client::builder()
            .pool_max_idle_per_host(4)
            .tls_built_in_root_certs(false)
            .add_root_certificate(
                reqwest::Certificate::from_pem(ca_pem.as_bytes())
                    .map_err(|e| bad(e.to_string()))?,
            )
            .build()
            .map_err(|e| bad(e.to_string()))?;
        Ok(Api {
            base: base.into().trim_end_matches('/').to_string(),
            http,
            token: None,
            tls: Some(std::sync::Arc::new(tls)),
        })
    }

    /// Like [`Api::new`] with a client of your own (e.g. one that trusts the congress CA for an
    /// `https://` base).
    pub fn with_http(base: impl Into<String>, http: reqwest::Client) -> Api {
        Api {
            base: base.into().trim_end_matches('/').to_string(),
            http,
            token: None,
            tls: None,
        }
    }

    pub fn with_token(&self, token: impl Into<String>) -> Api {
        Api {
            token: Some(token.into()),
            ..self.clone()
        }
    }

    pub fn token(&self) -> Option<&str> {
        self.token.as_deref()
    }

    pub fn base(&self) -> &str {
        &self.base
    }

    /// The websocket URL of an endpoint, e.g. `ws_url("tablet")`.
    pub fn ws_url(&self, endpoint: &str) -> String {
        let b = self
            .base
            .replacen("http://", "ws://", 1)
            .replacen("https://", "wss://", 1);
        format!("{b}/ws/{endpoint}")
    }

    fn req(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        let r = self.http.request(method, format!("{}{path}", self.base));
        match &self.token {
            Some(t) => r.bearer_auth(t),
            None => r,
        }
    }

    async fn finish<T: DeserializeOwned>(r: reqwest::RequestBuilder) -> Result<T, ClientError> {
        let resp = r.send().await?;
        let status = resp.status().as_u16();
        let bytes = resp.bytes().await?;
        if (200..300).contains(&status) {
            if bytes.is_empty() {
                return Ok(serde_json::from_str("null")?);
            }
            Ok(serde_json::from_slice(&bytes)?)
        } else {
            let body = serde_json::from_slice(&bytes).unwrap_or(ApiError {
                error: "unparsed".into(),
                message: String::from_utf8_lossy(&bytes).into_owned(),
            });
            Err(ClientError::Api { status, body })
        }
    }

    pub async fn get<T: DeserializeOwned>(&self, path: &str) -> Result<T, ClientError> {
        Self::finish(self.req(reqwest::Method::GET, path)).await
    }

    pub async fn post<B: Serialize, T: DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
    ) -> Result<T, ClientError> {
        Self::finish(self.req(reqwest::Method::POST, path).json(body)).await
    }

    pub async fn put<B: Serialize, T: DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
    ) -> Result<T, ClientError> {
        Self::finish(self.req(reqwest::Method::PUT, path).json(body)).await
    }

    pub async fn delete<T: DeserializeOwned>(&self, path: &str) -> Result<T, ClientError> {
        Self::finish(self.req(reqwest::Method::DELETE, path)).await
    }

    /// Sends raw bytes as a body with a content type (for bad-input tests).
    pub async fn raw(
        &self,
        method: reqwest::Method,
        path: &str,
        content_type: &str,
        body: Vec<u8>,
    ) -> Result<(u16, String), ClientError> {
        let resp = self
            .req(method, path)
            .header("content-type", content_type)
            .body(body)
            .send()
            .await?;
        let status = resp.status().as_u16();
        Ok((status, resp.text().await?))
    }

    pub async fn login(&self, username: &str, password: &str) -> Result<Api, ClientError> {
        let r: LoginResponse = self
            .post(
                "/api/login",
                &LoginRequest {
                    username: username.into(),
                    password: password.into(),
                },
            )
            .await?;
        Ok(self.with_token(r.token))
    }

    /// Creates a pairing code (as an operator) and pairs a device with it.
    pub async fn pair_device(
        &self,
        kind: DeviceKind,
        delegate_id: Option<&str>,
    ) -> Result<(Api, PairResponse), ClientError> {
        self.pair_device_with(kind, delegate_id, None, None).await
    }

    /// [`Api::pair_device`] for a tablet that brings its age recipient and voting credential.
    pub async fn pair_device_with(
        &self,
        kind: DeviceKind,
        delegate_id: Option<&str>,
        recipient: Option<String>,
        credential: Option<String>,
    ) -> Result<(Api, PairResponse), ClientError> {
        let code: PairingCode = self
            .post(
                "/api/devices/pairing-codes",
                &CreatePairingCode {
                    kind,
                    delegate_id: delegate_id.map(str::to_string),
                    label: None,
                    direction: None,
                },
            )
            .await?;
        let anon = Api {
            token: None,
            ..self.clone()
        };
        let paired: PairResponse = anon
            .post(
                "/api/devices/pair",
                &PairRequest {
                    code: code.code,
                    recipient,
                    credential,
                },
            )
            .await?;
        Ok((anon.with_token(paired.device_token.clone()), paired))
    }

    pub async fn set_attendance(
        &self,
        client_id: &str,
        delegate_id: &str,
        status: AttendanceStatus,
        reason: &str,
    ) -> Result<AttendanceAck, ClientError> {
        self.post(
            "/api/attendance",
            &SetAttendanceRequest {
                client_id: client_id.into(),
                delegate_id: delegate_id.into(),
                status,
                reason: reason.into(),
            },
        )
        .await
    }
}

type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// A live websocket connection that has said hello.
pub struct Live {
    socket: Socket,
    /// Highest push `seq` applied (or the snapshot's seq).
    pub last_seq: u64,
    pub welcome_head: u64,
}

/// What the server sent right after `welcome`.
#[derive(Debug)]
pub enum Start {
    Snapshot(Box<Snapshot>),
    /// The pushes missed since `resume_from`.
    Resumed(Vec<(u64, Push)>),
}

impl Live {
    /// Connects to `/ws/{endpoint}`, says hello and reads up to the snapshot or `resumed`.
    pub async fn connect(
        api: &Api,
        endpoint: &str,
        resume_from: Option<u64>,
    ) -> Result<(Live, Start), ClientError> {
        let connector = api.tls.clone().map(tokio_tungstenite::Connector::Rustls);
        let (socket, _) = tokio_tungstenite::connect_async_tls_with_config(
            api.ws_url(endpoint),
            None,
            false,
            connector,
        )
        .await?;
        let mut live = Live {
            socket,
            last_seq: resume_from.unwrap_or(0),
            welcome_head: 0,
        };
        live.send(&ClientMsg::Hello {
            token: api.token().unwrap_or_default().to_string(),
            resume_from,
            protocol: PROTOCOL_VERSION,
        })
        .await?;
        match live.next_raw().await? {
            ServerMsg::Welcome { head_seq, .. } => live.welcome_head = head_seq,
            ServerMsg::Error { error, message, .. } => {
                return Err(ClientError::Protocol(format!("{error}: {message}")));
            }
            other => return Err(ClientError::Protocol(format!("{other:?}"))),
        }
        let mut missed = Vec::new();
        loop {
            match live.next_raw().await? {
                ServerMsg::Snapshot { seq, snapshot } => {
                    live.last_seq = seq;
                    return Ok((live, Start::Snapshot(snapshot)));
                }
                ServerMsg::Push { seq, push } => {
                    live.last_seq = seq;
                    missed.push((seq, push));
                }
                ServerMsg::Resumed { .. } => return Ok((live, Start::Resumed(missed))),
                other => return Err(ClientError::Protocol(format!("{other:?}"))),
            }
        }
    }

    pub async fn send(&mut self, msg: &ClientMsg) -> Result<(), ClientError> {
        self.send_text(serde_json::to_string(msg)?).await
    }

    /// Sends any text (for bad-input tests).
    pub async fn send_text(&mut self, text: String) -> Result<(), ClientError> {
        self.socket.send(Message::Text(text.into())).await?;
        Ok(())
    }

    /// The next server message, whatever it is.
    pub async fn next_raw(&mut self) -> Result<ServerMsg, ClientError> {
        loop {
            match self.socket.next().await {
                None => return Err(ClientError::Closed),
                Some(Err(e)) => return Err(e.into()),
                Some(Ok(Message::Text(t))) => return Ok(serde_json::from_str(&t)?),
                Some(Ok(Message::Close(_))) => return Err(ClientError::Closed),
                Some(Ok(_)) => continue,
            }
        }
    }

    /// The next push, skipping other messages; updates `last_seq`.
    pub async fn next_push(&mut self) -> Result<(u64, Push), ClientError> {
        loop {
            match self.next_raw().await? {
                ServerMsg::Push { seq, push } => {
                    self.last_seq = seq;
                    return Ok((seq, push));
                }
                ServerMsg::Snapshot { seq, .. } => self.last_seq = seq,
                ServerMsg::Error {
                    fatal: true,
                    error,
                    message,
                } => return Err(ClientError::Protocol(format!("{error}: {message}"))),
                _ => {}
            }
        }
    }

    /// Like `next_push` with a time limit.
    pub async fn next_push_within(&mut self, d: Duration) -> Result<(u64, Push), ClientError> {
        tokio::time::timeout(d, self.next_push())
            .await
            .map_err(|_| ClientError::Timeout)?
    }

    pub async fn close(mut self) {
        let _ = self.socket.close(None).await;
    }

    /// Drops the connection without a close handshake, as when the Wi-Fi goes away.
    pub fn abort(self) {
        drop(self.socket);
    }
}

/// Votes: operator calls and a tablet's ballot.
impl Api {
    pub async fn create_vote(&self, req: &CreateVote) -> Result<VoteInfo, ClientError> {
        self.post("/api/votes", req).await
    }

    /// `action` is `open`, `close` or `runoff`.
    pub async fn vote_action(
        &self,
        vote_id: impl Into<u64>,
        action: &str,
        client_id: &str,
    ) -> Result<VoteInfo, ClientError> {
        let vote_id: u64 = vote_id.into();
        self.post(
            &format!("/api/votes/{vote_id}/{action}"),
            &VoteAction {
                client_id: client_id.into(),
            },
        )
        .await
    }
}

impl Live {
    /// Sends a ballot (the answer comes with [`Live::next_ballot_reply`]).
    pub async fn cast_ballot(
        &mut self,
        client_id: &str,
        vote_id: impl Into<u64>,
        choice: BallotChoice,
    ) -> Result<(), ClientError> {
        self.send(&ClientMsg::CastBallot {
            client_id: client_id.into(),
            vote_id: vote_id.into(),
            choice,
        })
        .await
    }

    /// Sends an encrypted ballot (its bytes) in a secret vote.
    pub async fn cast_secret_ballot(
        &mut self,
        client_id: &str,
        vote_id: impl Into<u64>,
        ballot: &[u8],
    ) -> Result<(), ClientError> {
        use base64::Engine as _;
        self.send(&ClientMsg::CastSecretBallot {
            client_id: client_id.into(),
            vote_id: vote_id.into(),
            ballot: base64::engine::general_purpose::STANDARD.encode(ballot),
        })
        .await
    }

    /// The answer to a message answered `acked` or `refused` with `client_id`, skipping others.
    pub async fn next_answer(
        &mut self,
        client_id: &str,
    ) -> Result<Result<u64, (String, String)>, ClientError> {
        loop {
            match self.next_raw().await? {
                ServerMsg::Acked { client_id: c, seq } if c == client_id => return Ok(Ok(seq)),
                ServerMsg::Refused {
                    client_id: c,
                    error,
                    message,
                } if c == client_id => return Ok(Err((error, message))),
                ServerMsg::Push { seq, .. } => self.last_seq = seq,
                ServerMsg::Error {
                    fatal: true,
                    error,
                    message,
                } => return Err(ClientError::Protocol(format!("{error}: {message}"))),
                _ => {}
            }
        }
    }

    /// The next ballot ack (`Ok(Ok)`) or refusal (`Ok(Err((code, message)))`), skipping other
    /// messages (pushes update `last_seq`).
    pub async fn next_ballot_reply(
        &mut self,
    ) -> Result<Result<BallotAck, (String, String)>, ClientError> {
        loop {
            match self.next_raw().await? {
                ServerMsg::BallotAck { ack } => return Ok(Ok(ack)),
                ServerMsg::BallotRefused { error, message, .. } => {
                    return Ok(Err((error, message)));
                }
                ServerMsg::Push { seq, .. } => self.last_seq = seq,
                ServerMsg::Snapshot { seq, .. } => self.last_seq = seq,
                ServerMsg::Error {
                    fatal: true,
                    error,
                    message,
                } => return Err(ClientError::Protocol(format!("{error}: {message}"))),
                _ => {}
            }
        }
    }
}

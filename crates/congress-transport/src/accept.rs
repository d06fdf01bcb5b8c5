//! The transport under the routes: accepts TCP connections, caps how many are served at once,
//! in all and per client address (the next ones get a 503 at once), does the TLS handshake (with a deadline), and serves
//! HTTP/1.1 with websocket upgrades through hyper with a header-read deadline. Every connection
//! (TLS or not, HTTP or websocket) is wrapped in [`Guarded`], which closes it when no byte moves
//! either way for `idle_timeout` or when a write to a peer that does not read stays blocked that
//! long. The plain-HTTP redirect listener ([`redirect_router`]) runs on the same machinery.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::Router;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::{Instant, Sleep};
use tokio_util::task::TaskTracker;

use crate::limits::LimitsConfig;

/// Connections being answered 503 at once; beyond that, excess connections are just closed.
const REJECTING: usize = 64;

/// How the transport serves one listener.
#[derive(Clone)]
pub struct Transport {
    pub tls: Option<tokio_rustls::TlsAcceptor>,
    pub limits: LimitsConfig,
    pub max_connections: usize,
}

/// A stream that fails with `TimedOut` when nothing moves for `idle`, and that holds its
/// connection slot until it is dropped (so upgraded websockets count too).
pub struct Guarded<S> {
    inner: S,
    idle: Duration,
    last: Instant,
    read_timer: Pin<Box<Sleep>>,
    write_timer: Pin<Box<Sleep>>,
    write_blocked_since: Option<Instant>,
    /// Requests being handled on this connection: while one is, a silent peer is normal (it
    /// waits for the answer), so the read side does not time out. Request bodies have their
    /// own idle timeout (the router's `RequestBodyTimeoutLayer`).
    busy: Arc<AtomicUsize>,
    _slot: Option<OwnedSemaphorePermit>,
    _address_slot: Option<AddressSlot>,
}

/// Connections held per client address, against `max_connections_per_address` (issue 13,
/// finding 4: one address held every slot).
struct PerAddress {
    max: usize,
    held: std::sync::Mutex<std::collections::HashMap<std::net::IpAddr, usize>>,
}

/// One connection of an address, given back when the stream is dropped.
struct AddressSlot {
    of: Arc<PerAddress>,
    ip: std::net::IpAddr,
}

impl PerAddress {
    /// A slot for `ip`, or `None` when it holds its maximum (always one when `max` is 0).
    fn take(self: &Arc<Self>, ip: std::net::IpAddr) -> Option<Option<AddressSlot>> {
        if self.max == 0 {
            return Some(None);
        }
        let mut held = match self.held.lock() {
            Ok(h) => h,
            Err(poisoned) => poisoned.into_inner(),
        };
        let n = held.entry(ip).or_insert(0);
        if *n >= self.max {
            return None;
        }
        *n += 1;
        Some(Some(AddressSlot {
            of: self.clone(),
            ip,
        }))
    }
}

impl Drop for AddressSlot {
    fn drop(&mut self) {
        let mut held = match self.of.held.lock() {
            Ok(h) => h,
            Err(poisoned) => poisoned.into_inner(),
        };
        if let Some(n) = held.get_mut(&self.ip) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                held.remove(&self.ip);
            }
        }
    }
}

impl<S> Guarded<S> {
    pub fn new(inner: S, idle: Duration, slot: Option<OwnedSemaphorePermit>) -> Guarded<S> {
        let now = Instant::now();
        Guarded {
            inner,
            idle,
            last: now,
            read_timer: Box::pin(tokio::time::sleep_until(now + idle)),
            write_timer: Box::pin(tokio::time::sleep_until(now + idle)),
            write_blocked_since: None,
            busy: Arc::default(),
            _slot: slot,
            _address_slot: None,
        }
    }

    /// Also holds the connection's slot of its client address until dropped.
    fn holding(mut self, address_slot: Option<AddressSlot>) -> Guarded<S> {
        self._address_slot = address_slot;
        self
    }

    /// The counter of requests in progress on this connection.
    pub fn busy(&self) -> Arc<AtomicUsize> {
        self.busy.clone()
    }
}

/// Counts one request in progress for as long as it lives.
struct Busy(Arc<AtomicUsize>);

impl Busy {
    fn new(n: Arc<AtomicUsize>) -> Busy {
        n.fetch_add(1, Ordering::SeqCst);
        Busy(n)
    }
}

impl Drop for Busy {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

fn timed_out(what: &str) -> io::Error {
    io::Error::new(io::ErrorKind::TimedOut, what.to_string())
}

impl<S: AsyncRead + Unpin> AsyncRead for Guarded<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let me = &mut *self;
        let before = buf.filled().len();
        match Pin::new(&mut me.inner).poll_read(cx, buf) {
            Poll::Ready(Ok(())) => {
                if buf.filled().len() > before {
                    me.last = Instant::now();
                }
                Poll::Ready(Ok(()))
            }
            Poll::Ready(Err(e)) => Poll::Ready(Err(e)),
            Poll::Pending => {
                if me.busy.load(Ordering::SeqCst) > 0 {
                    me.last = Instant::now();
                    return Poll::Pending;
                }
                let deadline = me.last + me.idle;
                if Instant::now() >= deadline {
                    return Poll::Ready(Err(timed_out("idle connection")));
                }
                me.read_timer.as_mut().reset(deadline);
                if me.read_timer.as_mut().poll(cx).is_ready() {
                    return Poll::Ready(Err(timed_out("idle connection")));
                }
                Poll::Pending
            }
        }
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Guarded<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let me = &mut *self;
        match Pin::new(&mut me.inner).poll_write(cx, buf) {
            Poll::Ready(Ok(n)) => {
                me.last = Instant::now();
                me.write_blocked_since = None;
                Poll::Ready(Ok(n))
            }
            Poll::Ready(Err(e)) => Poll::Ready(Err(e)),
            Poll::Pending => {
                let now = Instant::now();
                let deadline = *me.write_blocked_since.get_or_insert(now) + me.idle;
                if now >= deadline {
                    return Poll::Ready(Err(timed_out("the peer does not read")));
                }
                me.write_timer.as_mut().reset(deadline);
                if me.write_timer.as_mut().poll(cx).is_ready() {
                    return Poll::Ready(Err(timed_out("the peer does not read")));
                }
                Poll::Pending
            }
        }
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// Serves `router` on `listener` until `shutdown` resolves; then stops accepting, asks every
/// HTTP connection to finish its request, and waits for them (at most 10 s). Upgraded
/// websockets are closed by their own tasks (the app's shutdown flag).
pub async fn run(
    listener: TcpListener,
    router: Router,
    transport: Transport,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    let slots = Arc::new(Semaphore::new(transport.max_connections.max(1)));
    let per_address = Arc::new(PerAddress {
        max: transport.limits.max_connections_per_address,
        held: Default::default(),
    });
    let rejecting = Arc::new(Semaphore::new(REJECTING));
    let tracker = TaskTracker::new();
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let transport = Arc::new(transport);
    tokio::pin!(shutdown);
    loop {
        let (tcp, peer) = tokio::select! {
            r = listener.accept() => match r {
                Ok(x) => x,
                Err(e) => {
                    // Out of file descriptors and the like: wait a little rather than spin.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = &mut shutdown => break,
        };
        let _ = tcp.set_nodelay(true);
        let address_slot = per_address.take(peer.ip());
        if address_slot.is_none() {
            tracing::warn!(%peer, max = per_address.max, "too many connections from this address");
        }
        match address_slot.map(|a| (a, slots.clone().try_acquire_owned())) {
            Some((address_slot, Ok(slot))) => {
                let router = router.clone();
                let t = transport.clone();
                let stop = stop_rx.clone();
                tracker.spawn(async move {
                    if let Err(e) =
                        connection(tcp, peer, (slot, address_slot), router, &t, stop).await
                    {
                        tracing::debug!(error = %e, %peer, "connection ended");
                    }
                });
            }
            refused => {
                if matches!(refused, Some((_, Err(_)))) {
                    tracing::warn!(%peer, max = transport.max_connections, "too many connections; answering 503");
                }
                if let Ok(p) = rejecting.clone().try_acquire_owned() {
                    let t = transport.clone();
                    tokio::spawn(async move {
                        let _ = tokio::time::timeout(Duration::from_secs(5), reject(tcp, &t)).await;
                        drop(p);
                    });
                }
            }
        }
    }
    drop(listener);
    let _ = stop_tx.send(true);
    tracker.close();
    let _ = tokio::time::timeout(Duration::from_secs(10), tracker.wait()).await;
    Ok(())
}

async fn connection(
    tcp: TcpStream,
    peer: SocketAddr,
    (slot, address_slot): (OwnedSemaphorePermit, Option<AddressSlot>),
    router: Router,
    t: &Transport,
    stop: tokio::sync::watch::Receiver<bool>,
) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let io = Guarded::new(tcp, t.limits.idle_timeout(), Some(slot)).holding(address_slot);
    let busy = io.busy();
    match &t.tls {
        Some(acceptor) => {
            let tls =
                tokio::time::timeout(t.limits.handshake_timeout(), acceptor.accept(io)).await??;
            serve_http(TokioIo::new(tls), peer, busy, router, t, stop).await
        }
        None => serve_http(TokioIo::new(io), peer, busy, router, t, stop).await,
    }
}

async fn serve_http<I>(
    io: TokioIo<I>,
    peer: SocketAddr,
    busy: Arc<AtomicUsize>,
    router: Router,
    t: &Transport,
    stop: tokio::sync::watch::Receiver<bool>,
) -> Result<(), Box<dyn std::error::Error + Send + Sync>>
where
    I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let service = hyper::service::service_fn(move |mut req: hyper::Request<Incoming>| {
        req.extensions_mut().insert(ConnectInfo(peer));
        let busy = Busy::new(busy.clone());
        let answer = tower::ServiceExt::oneshot(router.clone(), req);
        async move {
            let res = answer.await;
            drop(busy);
            res
        }
    });
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(t.limits.header_timeout())
        .keep_alive(true);
    let conn = builder.serve_connection(io, service).with_upgrades();
    tokio::pin!(conn);
    let mut stop = stop;
    let stopped = async move {
        let _ = stop.wait_for(|s| *s).await;
    };
    tokio::select! {
        r = conn.as_mut() => r?,
        _ = stopped => {
            conn.as_mut().graceful_shutdown();
            conn.await?;
        }
    }
    Ok(())
}

/// The answer to a connection over the cap: read what the client sent (briefly, so closing does
/// not reset the connection under the answer), then a 503 with `Retry-After` and close.
async fn reject(tcp: TcpStream, t: &Transport) -> io::Result<()> {
    let body = serde_json::to_string(&congress_proto::ApiError {
        error: "unavailable".into(),
        message: "the server has too many connections; try again in a few seconds".into(),
    })
    .unwrap_or_default();
    let answer = format!(
        "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\nretry-after: 5\r\n\
         cache-control: no-store\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
    async fn answer_on<S: AsyncRead + AsyncWrite + Unpin>(
        mut s: S,
        answer: &str,
    ) -> io::Result<()> {
        let mut buf = [0u8; 4096];
        let _ = tokio::time::timeout(Duration::from_millis(500), s.read(&mut buf)).await;
        s.write_all(answer.as_bytes()).await?;
        s.shutdown().await
    }
    match &t.tls {
        Some(acceptor) => {
            let tls =
                tokio::time::timeout(t.limits.handshake_timeout(), acceptor.accept(tcp)).await??;
            answer_on(tls, &answer).await
        }
        None => answer_on(tcp, &answer).await,
    }
}

/// Says whether a host (from a request's `Host` header, without its port) is one of the
/// server's own names.
pub type KnownHost = Arc<dyn Fn(&str) -> bool + Send + Sync>;

/// What the plain-HTTP redirect listener needs.
#[derive(Clone)]
struct RedirectState {
    https_port: u16,
    ca_pem: Arc<str>,
    known: KnownHost,
}

/// The plain-HTTP listener's routes: `/ca.pem` (the public CA certificate, so a tablet can
/// fetch it before it trusts the server) and a 308 to the same host and path over HTTPS for
/// everything else, when that host is one of the server's names (`known`); any other `Host`
/// is refused with 400, so a forged header never turns the hall server into a redirector.
pub fn redirect_router(https_port: u16, ca_pem: Arc<str>, known: KnownHost) -> Router {
    Router::new()
        .route(
            "/ca.pem",
            get(|State(s): State<RedirectState>| async move { ca_pem_response(&s.ca_pem) }),
        )
        .fallback(redirect)
        .with_state(RedirectState {
            https_port,
            ca_pem,
            known,
        })
}

/// The CA certificate as a download.
pub fn ca_pem_response(pem: &str) -> Response {
    (
        [
            (header::CONTENT_TYPE, "application/x-pem-file"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"congress-ca.pem\"",
            ),
        ],
        pem.to_string(),
    )
        .into_response()
}

/// The host of a `Host` header without its port, if it is a plausible host name or address.
fn host_only(host: &str) -> Option<&str> {
    let h = if host.starts_with('[') {
        &host[..=host.find(']')?]
    } else {
        host.rsplit_once(':').map_or(host, |(h, _)| h)
    };
    let ok = !h.is_empty()
        && h.len() <= 255
        && h.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'));
    ok.then_some(h)
}

async fn redirect(State(s): State<RedirectState>, headers: HeaderMap, uri: Uri) -> Response {
    let Some(host) = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .and_then(host_only)
    else {
        return crate::api_error(
            StatusCode::BAD_REQUEST,
            "invalid_json",
            "a Host header is needed",
        );
    };
    if !(s.known)(host) {
        return crate::api_error(
            StatusCode::BAD_REQUEST,
            "unknown_host",
            "this server does not answer to that name: use its address as shown in the hall",
        );
    }
    let host = host.to_ascii_lowercase();
    let port = if s.https_port == 443 {
        String::new()
    } else {
        format!(":{}", s.https_port)
    };
    let path = uri.path_and_query().map_or("/", |p| p.as_str());
    let location = format!("https://{host}{port}{path}");
    (
        StatusCode::PERMANENT_REDIRECT,
        [(header::LOCATION, location)],
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::host_only;

    #[test]
    fn host_without_port() {
        assert_eq!(host_only("192.168.1.5:8080"), Some("192.168.1.5"));
        assert_eq!(host_only("congress.local"), Some("congress.local"));
        assert_eq!(host_only("[::1]:8080"), Some("[::1]"));
        assert_eq!(host_only("evil/x:80"), None);
        assert_eq!(host_only(""), None);
    }
}

//! Limits against abusive or broken clients: per-IP token buckets on the login and pairing
//! routes (a failed attempt costs more than a good one), a global ceiling on wrong pairing codes
//! from all addresses together (with an alarm), the timeouts the transport applies (`[limits]`
//! in the configuration), and the security headers every response carries.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;
use serde::Deserialize;

/// `[limits]` in the configuration. Every key is optional.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LimitsConfig {
    /// `POST /api/login` attempts per minute and client address (also the burst); 0 = no limit.
    /// A refused password costs [`LimitsConfig::failure_cost`] attempts. `CONGRESS_LOGIN_PER_MINUTE`.
    pub login_per_minute: u32,
    /// `POST /api/devices/pair` attempts per minute and client address; 0 = no limit.
    /// `CONGRESS_PAIR_PER_MINUTE`.
    pub pair_per_minute: u32,
    /// What a failed login or pairing costs, in attempts.
    pub failure_cost: u32,
    /// Wrong pairing codes per minute from all addresses together (also the burst); 0 = no
    /// ceiling. Past it every pairing is refused (429) until the bucket refills, and the
    /// consoles get an alarm: guessers on many addresses get no more guesses than this.
    /// `CONGRESS_PAIR_FAILURES_PER_MINUTE`.
    pub pair_failures_per_minute: u32,
    /// Connections one client address may hold at once (websockets included); 0 = no limit.
    /// Over it a new connection gets the same `503` as over `max_connections`, so one address
    /// cannot take every slot. `CONGRESS_MAX_CONNECTIONS_PER_ADDRESS`.
    pub max_connections_per_address: usize,
    /// Websockets one device token (tablet, kiosk, projector) may hold open at once; 0 = no
    /// limit. Past it a new socket is refused (`too_many_connections`): one stolen kiosk token
    /// cannot starve the other kiosks, one tablet cannot multiply its per-socket message budget.
    /// `CONGRESS_SOCKETS_PER_DEVICE`.
    pub sockets_per_device: usize,
    /// Websockets one operator session may hold open at once (console tabs, a projector opened
    /// from the console); 0 = no limit. `CONGRESS_SOCKETS_PER_SESSION`.
    pub sockets_per_session: usize,
    /// Seconds a client has to send a request's headers (slow-header attacks).
    pub header_timeout_secs: u64,
    /// Seconds a connection may go without a byte read or written (slow bodies, dead peers,
    /// idle keep-alive); also how long a websocket may stay silent (the server pings it every
    /// third of this) and how long a write to a client that does not read may wait.
    pub idle_timeout_secs: u64,
    /// Seconds for a TLS handshake.
    pub handshake_timeout_secs: u64,
}

impl Default for LimitsConfig {
    fn default() -> Self {
        LimitsConfig {
            login_per_minute: 10,
            pair_per_minute: 30,
            failure_cost: 3,
            pair_failures_per_minute: 30,
            max_connections_per_address: 256,
            sockets_per_device: 2,
            sockets_per_session: 8,
            header_timeout_secs: 10,
            idle_timeout_secs: 60,
            handshake_timeout_secs: 10,
        }
    }
}

impl LimitsConfig {
    pub fn header_timeout(&self) -> Duration {
        Duration::from_secs(self.header_timeout_secs.max(1))
    }

    pub fn idle_timeout(&self) -> Duration {
        Duration::from_secs(self.idle_timeout_secs.max(1))
    }

    pub fn handshake_timeout(&self) -> Duration {
        Duration::from_secs(self.handshake_timeout_secs.max(1))
    }
}

struct Bucket {
    tokens: f64,
    at: Instant,
}

/// A token bucket per client address: `per_minute` tokens, refilled continuously.
pub struct RateLimiter {
    per_minute: u32,
    buckets: Mutex<HashMap<IpAddr, Bucket>>,
}

/// Buckets kept before full ones are forgotten.
const MAX_BUCKETS: usize = 10_000;

impl RateLimiter {
    pub fn new(per_minute: u32) -> RateLimiter {
        RateLimiter {
            per_minute,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    fn capacity(&self) -> f64 {
        f64::from(self.per_minute)
    }

    fn refill(&self, b: &mut Bucket, now: Instant) {
        let per_sec = self.capacity() / 60.0;
        b.tokens =
            (b.tokens + now.duration_since(b.at).as_secs_f64() * per_sec).min(self.capacity());
        b.at = now;
    }

    /// Takes `cost` tokens for `ip` at `now`, or says how long to wait.
    pub fn take(&self, ip: IpAddr, cost: f64, now: Instant) -> Result<(), Duration> {
        if self.per_minute == 0 {
            return Ok(());
        }
        let Ok(mut map) = self.buckets.lock() else {
            return Ok(());
        };
        if map.len() >= MAX_BUCKETS {
            let cap = self.capacity();
            let per_sec = cap / 60.0;
            map.retain(|_, b| b.tokens + now.duration_since(b.at).as_secs_f64() * per_sec < cap);
        }
        let cap = self.capacity();
        let b = map.entry(ip).or_insert(Bucket {
            tokens: cap,
            at: now,
        });
        self.refill(b, now);
        if b.tokens >= cost.min(cap) {
            b.tokens -= cost;
            Ok(())
        } else {
            let per_sec = cap / 60.0;
            let wait = (cost.min(cap) - b.tokens) / per_sec;
            Err(Duration::from_secs_f64(wait.max(1.0)))
        }
    }

    /// Charges `cost` more after the fact (a failed attempt); the bucket may go below zero, down
    /// to one full bucket of debt.
    pub fn charge(&self, ip: IpAddr, cost: f64, now: Instant) {
        if self.per_minute == 0 {
            return;
        }
        if let Ok(mut map) = self.buckets.lock()
            && let Some(b) = map.get_mut(&ip)
        {
            self.refill(b, now);
            b.tokens = (b.tokens - cost).max(-self.capacity());
        }
    }
}

/// The one bucket of [`Limits::pair_failures`] (all addresses together).
const EVERYONE: IpAddr = IpAddr::V4(Ipv4Addr::UNSPECIFIED);

/// How often the same alarm is raised again while an attack lasts.
const ALARM_EVERY: Duration = Duration::from_secs(60);

/// An attack the limits are holding off, for the operators.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LimitAlarm {
    /// Wrong pairing codes from all addresses together reached the ceiling: pairing is paused
    /// for everyone for `paused`.
    PairingGuesses { per_minute: u32, paused: Duration },
}

impl LimitAlarm {
    /// A stable key.
    pub fn kind(&self) -> &'static str {
        match self {
            LimitAlarm::PairingGuesses { .. } => "pairing_guesses",
        }
    }
}

impl std::fmt::Display for LimitAlarm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LimitAlarm::PairingGuesses { per_minute, paused } => write!(
                f,
                "more than {per_minute} wrong pairing codes a minute from the network: someone \
                 may be guessing codes; pairing is paused for everyone for {} s",
                paused.as_secs().max(1)
            ),
        }
    }
}

/// Open websockets per token: a token's key (the caller passes a hash, never the token) → how
/// many (issue 13, findings 8 and 9).
type SocketCounts = Arc<Mutex<HashMap<String, usize>>>;

/// One open websocket of a token, counted until dropped.
pub struct SocketSlot {
    of: Option<(SocketCounts, String)>,
}

impl Drop for SocketSlot {
    fn drop(&mut self) {
        let Some((of, key)) = &self.of else { return };
        let mut held = match of.lock() {
            Ok(h) => h,
            Err(poisoned) => poisoned.into_inner(),
        };
        if let Some(n) = held.get_mut(key) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                held.remove(key);
            }
        }
    }
}

/// Who hears about alarms (the application pushes them to the consoles).
type AlarmSink = Box<dyn Fn(&LimitAlarm) + Send + Sync>;

/// The rate limiters of one server.
pub struct Limits {
    pub login: RateLimiter,
    pub pair: RateLimiter,
    pub failure_cost: f64,
    /// Wrong pairing codes from every address, in one bucket (issue 13, finding 5).
    pub pair_failures: RateLimiter,
    pair_failures_per_minute: u32,
    alarm_sink: OnceLock<AlarmSink>,
    last_alarm: Mutex<Option<Instant>>,
    sockets: SocketCounts,
    sockets_per_device: usize,
    sockets_per_session: usize,
}

impl Limits {
    pub fn new(cfg: &LimitsConfig) -> Limits {
        Limits {
            login: RateLimiter::new(cfg.login_per_minute),
            pair: RateLimiter::new(cfg.pair_per_minute),
            failure_cost: f64::from(cfg.failure_cost),
            pair_failures: RateLimiter::new(cfg.pair_failures_per_minute),
            pair_failures_per_minute: cfg.pair_failures_per_minute,
            alarm_sink: OnceLock::new(),
            last_alarm: Mutex::new(None),
            sockets: Arc::default(),
            sockets_per_device: cfg.sockets_per_device,
            sockets_per_session: cfg.sockets_per_session,
        }
    }

    /// Sets who hears about alarms (once; later calls are ignored).
    pub fn on_alarm(&self, sink: impl Fn(&LimitAlarm) + Send + Sync + 'static) {
        let _ = self.alarm_sink.set(Box::new(sink));
    }

    /// Whether pairing is open (the global ceiling on wrong codes is not reached), or how long
    /// it stays paused.
    pub fn pairing_open(&self, now: Instant) -> Result<(), Duration> {
        self.pair_failures.take(EVERYONE, 0.0, now)
    }

    /// Counts one wrong pairing code against the global ceiling; raises the alarm when it is
    /// reached.
    pub fn pairing_failed(&self, now: Instant) {
        // `take` of nothing makes the bucket if needed, so `charge` has one to charge.
        let _ = self.pair_failures.take(EVERYONE, 0.0, now);
        self.pair_failures.charge(EVERYONE, 1.0, now);
        if let Err(paused) = self.pairing_open(now) {
            self.alarm(
                LimitAlarm::PairingGuesses {
                    per_minute: self.pair_failures_per_minute,
                    paused,
                },
                now,
            );
        }
    }

    /// Logs the alarm and tells the sink, at most once per [`ALARM_EVERY`].
    pub fn alarm(&self, alarm: LimitAlarm, now: Instant) {
        let Ok(mut last) = self.last_alarm.lock() else {
            return;
        };
        if last.is_some_and(|t| now.duration_since(t) < ALARM_EVERY) {
            return;
        }
        *last = Some(now);
        drop(last);
        tracing::warn!(kind = alarm.kind(), "{alarm}");
        if let Some(sink) = self.alarm_sink.get() {
            sink(&alarm);
        }
    }

    /// Counts one more open websocket for the token whose key is `key` (a device's when
    /// `device`, else an operator session's), or `None` when it already holds its maximum.
    pub fn open_socket(&self, key: &str, device: bool) -> Option<SocketSlot> {
        let max = if device {
            self.sockets_per_device
        } else {
            self.sockets_per_session
        };
        if max == 0 {
            return Some(SocketSlot { of: None });
        }
        let mut held = match self.sockets.lock() {
            Ok(h) => h,
            Err(poisoned) => poisoned.into_inner(),
        };
        let n = held.entry(key.to_string()).or_insert(0);
        if *n >= max {
            return None;
        }
        *n += 1;
        Some(SocketSlot {
            of: Some((self.sockets.clone(), key.to_string())),
        })
    }
}

/// Middleware: rate-limits `POST /api/login` and `POST /api/devices/pair` per client address,
/// and pairing as a whole once wrong codes from all addresses reach the global ceiling.
pub async fn rate_limit(
    State(limits): State<std::sync::Arc<Limits>>,
    req: Request,
    next: Next,
) -> Response {
    let (limiter, pairing) = match req.uri().path() {
        "/api/login" => (&limits.login, false),
        "/api/devices/pair" => (&limits.pair, true),
        _ => return next.run(req).await,
    };
    let Some(ip) = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip())
    else {
        return next.run(req).await;
    };
    // tokio's clock, so tests can advance it instead of waiting.
    let now = tokio::time::Instant::now().into_std();
    if let Err(wait) = limiter.take(ip, 1.0, now) {
        tracing::warn!(%ip, path = req.uri().path(), "rate limited");
        return rate_limited(wait.as_secs().max(1));
    }
    if pairing && let Err(paused) = limits.pairing_open(now) {
        tracing::warn!(%ip, "pairing paused: too many wrong codes from the network");
        limits.alarm(
            LimitAlarm::PairingGuesses {
                per_minute: limits.pair_failures_per_minute,
                paused,
            },
            now,
        );
        return pairing_paused(paused.as_secs().max(1));
    }
    let res = next.run(req).await;
    if matches!(
        res.status(),
        StatusCode::UNAUTHORIZED | StatusCode::CONFLICT | StatusCode::NOT_FOUND
    ) {
        limiter.charge(ip, limits.failure_cost - 1.0, now);
        if pairing {
            limits.pairing_failed(now);
        }
    }
    res
}

/// `429 rate_limited` for every address: too many wrong pairing codes from the network.
fn pairing_paused(secs: u64) -> Response {
    let mut res = crate::api_error(
        StatusCode::TOO_MANY_REQUESTS,
        "rate_limited",
        format!(
            "too many wrong pairing codes from the network: pairing is paused; wait {secs} s \
             and try again (the operators have been told)"
        ),
    );
    res.headers_mut().insert(header::RETRY_AFTER, secs.into());
    res
}

/// `429 rate_limited` with `Retry-After`, saying how long to wait.
pub fn rate_limited(secs: u64) -> Response {
    let mut res = crate::api_error(
        StatusCode::TOO_MANY_REQUESTS,
        "rate_limited",
        format!("too many attempts from this address; wait {secs} s and try again"),
    );
    res.headers_mut().insert(header::RETRY_AFTER, secs.into());
    res
}

/// The Content-Security-Policy of every page. pdf.js (tablet) needs its worker from 'self' (and
/// blob: for fallbacks) and compiles PostScript functions to WebAssembly ('wasm-unsafe-eval',
/// which allows WebAssembly compilation and nothing else); the apps set a few `style`
/// attributes (bar widths), hence `style-src-attr 'unsafe-inline'` while `<style>` elements and
/// inline scripts stay forbidden. `connect-src 'self'` covers wss:// to the same host.
pub const CSP: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; \
worker-src 'self' blob:; style-src 'self'; style-src-attr 'unsafe-inline'; \
img-src 'self' data: blob:; font-src 'self' data:; media-src 'self' blob:; \
connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; \
frame-ancestors 'none'";

/// Middleware: the security headers of every response. HSTS only when `tls` (it is ignored
/// over plain HTTP and would break a server switched back to `tls = "off"`).
pub async fn security_headers(tls: bool, req: Request, next: Next) -> Response {
    let api = req.uri().path().starts_with("/api/") || req.uri().path() == "/ca.pem";
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    let set = |h: &mut axum::http::HeaderMap, k: HeaderName, v: &'static str| {
        h.insert(k, HeaderValue::from_static(v));
    };
    if tls {
        set(h, header::STRICT_TRANSPORT_SECURITY, "max-age=31536000");
    }
    set(h, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(h, header::X_FRAME_OPTIONS, "DENY");
    set(h, header::REFERRER_POLICY, "no-referrer");
    set(h, header::CONTENT_SECURITY_POLICY, CSP);
    set(
        h,
        HeaderName::from_static("cross-origin-opener-policy"),
        "same-origin",
    );
    if api && !h.contains_key(header::CACHE_CONTROL) {
        set(h, header::CACHE_CONTROL, "no-store");
    }
    res
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    /// Any instant will do: buckets only compare instants with each other.
    fn congress_test_time() -> Instant {
        tokio::time::Instant::now().into_std()
    }

    #[test]
    fn a_bucket_refills_with_the_time_given() {
        let l = RateLimiter::new(60);
        let ip: IpAddr = "10.0.0.3".parse().unwrap();
        let t0 = congress_test_time();
        for _ in 0..60 {
            assert!(l.take(ip, 1.0, t0).is_ok());
        }
        assert!(l.take(ip, 1.0, t0).is_err());
        assert!(
            l.take(ip, 1.0, t0 + Duration::from_secs(2)).is_ok(),
            "one token a second"
        );
    }

    #[test]
    fn a_bucket_refuses_past_its_size_and_failures_cost_more() {
        let l = RateLimiter::new(5);
        let now = congress_test_time();
        let ip: IpAddr = "10.0.0.1".parse().unwrap();
        let other: IpAddr = "10.0.0.2".parse().unwrap();
        for _ in 0..5 {
            assert!(l.take(ip, 1.0, now).is_ok());
        }
        let wait = l.take(ip, 1.0, now).unwrap_err();
        assert!(
            wait >= Duration::from_secs(1) && wait <= Duration::from_secs(13),
            "{wait:?}"
        );
        assert!(
            l.take(other, 1.0, now).is_ok(),
            "another address has its own bucket"
        );
        l.charge(other, 4.0, now);
        assert!(l.take(other, 1.0, now).is_err(), "a failure costs more");
    }

    #[test]
    fn zero_means_no_limit() {
        let l = RateLimiter::new(0);
        let now = congress_test_time();
        let ip: IpAddr = "10.0.0.1".parse().unwrap();
        for _ in 0..1000 {
            assert!(l.take(ip, 1.0, now).is_ok());
        }
    }
}

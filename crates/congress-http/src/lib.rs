//! The congress over HTTP and websockets. [`router`] builds every route (one module per feature
//! in [`routes`], one websocket handler per client kind in [`ws`]) with the security headers,
//! rate limits and body limits; [`serve`] runs it on a listener through the transport
//! (`congress-transport`) until a shutdown signal; [`serve_redirect`] runs the plain-HTTP port.
//! Handlers check the caller's role, then ask the application (`congress-app`); errors become
//! responses in one place ([`error`]).

pub mod error;
pub mod extract;
pub mod openapi;
pub mod range;
pub mod routes;
pub mod ws;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::extract::MatchedPath;
use axum::http::Request;
use congress_app::AppState;
use congress_transport::limits;
use tokio::net::TcpListener;
use tower_http::trace::TraceLayer;

/// Every route of the server.
pub fn router(state: AppState) -> Router {
    let trace = TraceLayer::new_for_http().make_span_with(|req: &Request<_>| {
        let route = req
            .extensions()
            .get::<MatchedPath>()
            .map(|p| p.as_str().to_string())
            .unwrap_or_else(|| "unmatched".into());
        tracing::info_span!("request", method = %req.method(), route)
    });
    Router::new()
        .merge(routes::votes::router())
        .merge(routes::board::router())
        .merge(routes::groups::router())
        .merge(routes::meeting::router())
        .merge(routes::reports::router())
        .merge(routes::api::router())
        .merge(routes::documents::router())
        .merge(ws::router())
        .merge(routes::face::router())
        .route(
            "/api/openapi.json",
            axum::routing::get(openapi::openapi_json),
        )
        .merge(routes::web::router(&state.config.web_root))
        .merge(routes::trust::router())
        .layer(DefaultBodyLimit::max(state.config.max_body_bytes))
        // A request body that stops arriving (slow-body attack) fails after the idle timeout.
        .layer(tower_http::timeout::RequestBodyTimeoutLayer::new(
            state.config.limits.idle_timeout(),
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.limits.clone(),
            limits::rate_limit,
        ))
        .layer(axum::middleware::from_fn(security_headers(
            state.tls.is_some(),
        )))
        .layer(trace)
        .with_state(state)
}

type HeaderFuture =
    std::pin::Pin<Box<dyn std::future::Future<Output = axum::response::Response> + Send>>;

fn security_headers(
    tls: bool,
) -> impl Fn(axum::extract::Request, axum::middleware::Next) -> HeaderFuture
+ Clone
+ Send
+ Sync
+ 'static {
    move |req, next| Box::pin(limits::security_headers(tls, req, next))
}

fn transport_of(state: &AppState) -> congress_transport::Transport {
    congress_transport::Transport {
        tls: state.tls.as_ref().map(|t| t.acceptor.clone()),
        limits: state.config.limits.clone(),
        max_connections: state.config.max_connections,
    }
}

/// Serves until `shutdown` resolves.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let stopping = state.shutdown.clone();
    if let Some(tls) = &state.tls {
        tls.start_refresh();
    }
    let t = transport_of(&state);
    congress_transport::run(listener, router(state), t, async move {
        shutdown.await;
        stopping.send_replace(true);
    })
    .await
}

/// Serves the plain-HTTP redirect listener (TLS on): a 308 to HTTPS on `https_port` for every
/// request whose `Host` is one of the server certificate's names (400 for any other), except
/// `/ca.pem`. Stops when the server's shutdown flag is raised.
pub async fn serve_redirect(
    listener: TcpListener,
    state: &AppState,
    https_port: u16,
) -> std::io::Result<()> {
    let Some(tls) = &state.tls else {
        return Ok(());
    };
    let names = tls.clone();
    let router = congress_transport::redirect_router(
        https_port,
        tls.ca.cert_pem.as_str().into(),
        std::sync::Arc::new(move |host: &str| names.serves(host)),
    )
    .layer(axum::middleware::from_fn(security_headers(false)));
    if let Ok(a) = listener.local_addr() {
        let _ = state.redirect_port.set(a.port());
    }
    let mut stopping = state.shutdown.subscribe();
    let mut t = transport_of(state);
    t.tls = None;
    congress_transport::run(listener, router, t, async move {
        let _ = stopping.wait_for(|s| *s).await;
    })
    .await
}

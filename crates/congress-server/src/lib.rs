//! The congress server as a library: [`open`] loads a congress from its data folder and starts
//! the engine; [`router`] builds the HTTP and websocket routes; [`serve`] runs them on a
//! listener until a shutdown signal. The `congress` binary (`main.rs`) is a thin CLI over this,
//! and the integration tests start the very same server in-process on `127.0.0.1:0`.

pub mod auth;
pub mod backup;
pub mod config;
pub mod documents;
pub mod engine;
pub mod error;
pub mod face;
pub mod groups;
pub mod hub;
pub mod import;
pub mod limits;
pub mod meeting;
pub mod minutes;
pub mod openapi;
pub mod retention;
pub mod routes;
pub mod setup;
pub mod tls;
pub mod transport;
pub mod votes;

use std::fs::File;
use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::extract::MatchedPath;
use axum::http::Request;
use congress_store::SqliteStore;
use tokio::net::TcpListener;
use tower_http::trace::TraceLayer;

pub use config::Config;
use engine::{Clock, Engine, SystemClock};
pub use error::AppError;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub engine: Engine,
    pub config: Arc<Config>,
    /// Flips to `true` when the server is stopping: live connections say so and close.
    pub shutdown: Arc<tokio::sync::watch::Sender<bool>>,
    pub docs: Arc<documents::DocService>,
    /// Face check-in, when enabled (`face_check_in`).
    pub face: Option<Arc<face::FaceService>>,
    /// The congress CA and server certificate, when `tls = "on"`.
    pub tls: Option<Arc<tls::Tls>>,
    /// Per-address rate limits (login, pairing).
    pub limits: Arc<limits::Limits>,
    /// The port of the plain-HTTP redirect listener, once it is bound.
    pub redirect_port: Arc<std::sync::OnceLock<u16>>,
    /// Held while the server runs, so a second server or an import cannot write the same data.
    _lock: Arc<File>,
}

#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error("cannot create the data folder {path}: {source}")]
    DataDir {
        path: String,
        source: std::io::Error,
    },
    #[error("{path} is in use by another congress process; stop it first")]
    Locked { path: String },
    #[error(transparent)]
    Store(#[from] congress_store::StoreError),
    #[error(transparent)]
    App(#[from] AppError),
    #[error("face check-in cannot start: {0}")]
    Face(congress_face::FaceError),
    #[error("HTTPS cannot start: {0}")]
    Tls(#[from] tls::TlsError),
}

/// Opens the congress in `config.data_dir` (creating it if needed) with the system clock.
pub fn open(config: Config) -> Result<AppState, OpenError> {
    open_with_clock(config, Arc::new(SystemClock))
}

pub fn open_with_clock(config: Config, clock: Arc<dyn Clock>) -> Result<AppState, OpenError> {
    let dir = &config.data_dir;
    std::fs::create_dir_all(dir).map_err(|source| OpenError::DataDir {
        path: dir.display().to_string(),
        source,
    })?;
    let lock_path = dir.join("congress.lock");
    let lock = File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .map_err(|source| OpenError::DataDir {
            path: lock_path.display().to_string(),
            source,
        })?;
    if lock.try_lock().is_err() {
        return Err(OpenError::Locked {
            path: dir.display().to_string(),
        });
    }
    let store = SqliteStore::open(&config.database_path())?;
    let face = if face::wanted(config.face_check_in, &config.face) {
        let enrolments = store.face_enrolments()?;
        let service =
            face::FaceService::start(&config.face, enrolments).map_err(OpenError::Face)?;
        Some(Arc::new(service))
    } else {
        None
    };
    let engine = Engine::start(Box::new(store), clock, config.resume_window)?;
    let docs = Arc::new(
        engine
            .read(|s| documents::DocService::open(&config.data_dir, &config.database_path(), s))?,
    );
    documents::start_worker(docs.clone(), engine.clone())?;
    votes::start_live(engine.clone());
    let tls = match config.tls {
        tls::TlsMode::On => Some(Arc::new(tls::Tls::open(&config.data_dir, config.listen)?)),
        tls::TlsMode::Off => None,
    };
    let app = AppState {
        tls,
        limits: Arc::new(limits::Limits::new(&config.limits)),
        redirect_port: Arc::default(),
        docs,
        engine,
        face,
        config: Arc::new(config),
        shutdown: Arc::new(tokio::sync::watch::channel(false).0),
        _lock: Arc::new(lock),
    };
    retention::start(
        retention::Retention::from_app(&app),
        app.shutdown.subscribe(),
    );
    Ok(app)
}

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
        .merge(routes::groups::router())
        .merge(routes::meeting::router())
        .merge(routes::reports::router())
        .merge(routes::api::router())
        .merge(routes::documents::router())
        .merge(routes::ws::router())
        .merge(face::routes::router())
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
            state.clone(),
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

fn transport_of(state: &AppState) -> transport::Transport {
    transport::Transport {
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
    backup::start_schedule(
        state.config.data_dir.clone(),
        state.config.backup.clone(),
        stopping.subscribe(),
    );
    if let Some(tls) = &state.tls {
        tls.start_refresh();
    }
    let t = transport_of(&state);
    transport::run(listener, router(state), t, async move {
        shutdown.await;
        stopping.send_replace(true);
    })
    .await
}

/// Serves the plain-HTTP redirect listener (TLS on): a 308 to HTTPS on `https_port` for every
/// request, except `/ca.pem`. Stops when the server's shutdown flag is raised.
pub async fn serve_redirect(
    listener: TcpListener,
    state: &AppState,
    https_port: u16,
) -> std::io::Result<()> {
    let Some(tls) = &state.tls else {
        return Ok(());
    };
    let router = transport::redirect_router(https_port, tls.ca.cert_pem.as_str().into())
        .layer(axum::middleware::from_fn(security_headers(false)));
    if let Ok(a) = listener.local_addr() {
        let _ = state.redirect_port.set(a.port());
    }
    let mut stopping = state.shutdown.subscribe();
    let mut t = transport_of(state);
    t.tls = None;
    transport::run(listener, router, t, async move {
        let _ = stopping.wait_for(|s| *s).await;
    })
    .await
}

//! The congress server, composed: the application core (`congress-app`), served over HTTP and
//! websockets (`congress-http`) through the transport (`congress-transport`), with the
//! operations that run beside it (`congress-ops`). [`open`] loads a congress and starts the
//! engine, the workers and the retention job; [`serve`] runs the routes on a listener, with
//! the scheduled backups, until a shutdown signal. The `congress` binary (`main.rs`) is a thin
//! CLI over this, and the integration tests start the very same server in-process on
//! `127.0.0.1:0`.
//!
//! The modules of the crates below are re-exported here, so a caller needs one dependency;
//! [`logging`] is the log filter that keeps message payloads out of the logs.

use std::sync::Arc;

pub mod logging;

pub use congress_app::{
    AppError, AppState, Config, OpenError, auth, clock, config, documents, engine, face, hub, keys,
    minutes, snapshot, votes,
};
pub use congress_http::{openapi, range, router, routes, serve_redirect};
pub use congress_ops::{backup, import, photo_import, retention, setup};
pub use congress_transport::{limits, tls};
use tokio::net::TcpListener;

/// Opens the congress in `config.data_dir` with the system clock (see [`open_with_clock`]).
pub fn open(config: Config) -> Result<AppState, OpenError> {
    open_with_clock(config, Arc::new(clock::SystemClock))
}

/// Opens the congress and starts the retention job (personal data purged when due).
pub fn open_with_clock(
    config: Config,
    clock: Arc<dyn clock::Clock>,
) -> Result<AppState, OpenError> {
    let app = congress_app::open_with_clock(config, clock)?;
    retention::start(
        retention::Retention::from_app(&app),
        app.shutdown.subscribe(),
    );
    Ok(app)
}

/// Serves until `shutdown` resolves, with the scheduled backups.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    backup::start_schedule(
        state.config.data_dir.clone(),
        state.keys.db.clone(),
        state.config.backup.clone(),
        state.shutdown.subscribe(),
    );
    congress_http::serve(listener, state, shutdown).await
}

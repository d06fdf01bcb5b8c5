//! The congress application core, without HTTP: the single-writer [`engine`] with its group
//! commit, the [`hub`] that pushes committed changes to clients, who is calling ([`auth`]),
//! the configuration, and one module per feature with its services and its push rule
//! ([`attendance`], [`access`], [`documents`], [`votes`], [`board`], [`meeting`], [`notices`],
//! [`groups`], [`credentials`], [`bodies`], [`elections`], [`face`], [`minutes`]). [`pushes`]
//! hands each committed event to its feature's rule;
//! [`snapshot`] is what a (re)connecting client gets.
//!
//! [`open`] loads a congress from its data folder and starts the engine and the workers. The
//! HTTP and websocket layer (`congress-http`) and the operations (`congress-ops`) sit on top.

pub mod access;
pub mod attendance;
pub mod auth;
pub mod background;
pub mod board;
pub mod bodies;
pub mod clock;
pub mod config;
pub mod credentials;
pub mod documents;
pub mod elections;
pub mod engine;
pub mod error;
pub mod face;
pub mod groups;
pub mod hub;
pub mod keys;
pub mod meeting;
pub mod minutes;
pub mod notices;
pub mod pushes;
pub mod snapshot;
pub mod tablet;
pub mod votes;
pub mod witness;

use std::fs::File;
use std::sync::Arc;

use congress_store::SqliteStore;
use congress_transport::{limits, tls};

pub use clock::{Clock, SystemClock};
pub use config::Config;
use engine::Engine;
pub use error::AppError;

/// What every handler and service can reach.
#[derive(Clone)]
pub struct AppState {
    pub engine: Engine,
    pub config: Arc<Config>,
    /// Flips to `true` when the server is stopping: live connections say so and close.
    pub shutdown: Arc<tokio::sync::watch::Sender<bool>>,
    pub docs: Arc<documents::DocService>,
    /// The unlocked data folder: its database and the key of its secret files.
    pub keys: Arc<keys::Keys>,
    /// Face check-in, when enabled (`face_check_in`).
    pub face: Option<Arc<face::FaceService>>,
    /// The congress CA and server certificate, when `tls = "on"`.
    pub tls: Option<Arc<tls::Tls>>,
    /// Per-address rate limits (login, pairing).
    pub limits: Arc<limits::Limits>,
    /// Verifies encrypted ballots' proofs before or just after their acks.
    pub proofs: Arc<votes::proofs::ProofChecker>,
    /// The port of the plain-HTTP redirect listener, once it is bound.
    pub redirect_port: Arc<std::sync::OnceLock<u16>>,
    /// At most one `journal_rewritten` alarm per caller a minute (`witness`).
    pub witness_alarms: Arc<witness::AlarmThrottle>,
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
    #[error("cannot unlock the data folder: {0}")]
    Unlock(#[from] keys::UnlockError),
}

/// Opens the congress in `config.data_dir` (creating it if needed) with the system clock.
pub fn open(config: Config) -> Result<AppState, OpenError> {
    open_with_clock(config, Arc::new(SystemClock))
}

/// Opens the congress with `clock` as the source of time for the engine and every service.
pub fn open_with_clock(mut config: Config, clock: Arc<dyn Clock>) -> Result<AppState, OpenError> {
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
    let keys = Arc::new(keys::unlock_or_create(&config)?);
    // The passphrase is not kept once the key is unlocked.
    config.unlock = None;
    let store = SqliteStore::open(&keys.db)?;
    let face = if face::wanted(config.face_check_in, &config.face) {
        let enrolments = store.face_enrolments()?;
        let service = face::FaceService::start(&config.face, enrolments, clock.clone())
            .map_err(OpenError::Face)?;
        Some(Arc::new(service))
    } else {
        None
    };
    let engine = Engine::start(
        Box::new(store),
        clock,
        config.resume_window,
        pushes::push_for,
    )?;
    let docs = Arc::new(engine.read(|s| documents::DocService::open(&config.data_dir, &keys, s))?);
    documents::start_worker(docs.clone(), engine.clone())?;
    votes::start_live(engine.clone());
    votes::encrypted::start_tally_worker(engine.clone(), keys.db.clone())?;
    let proofs = votes::proofs::ProofChecker::start(engine.clone())?;
    let tls = match config.tls {
        tls::TlsMode::On => Some(Arc::new(tls::Tls::open(
            &config.data_dir,
            config.listen,
            &keys.files,
            &tls::CaOptions {
                days: config.tls_ca_days,
                names: config.tls_names.clone(),
            },
        )?)),
        tls::TlsMode::Off => None,
    };
    let limits = Arc::new(limits::Limits::new(&config.limits));
    {
        // Alarms of the limits (wrong pairing codes from the network) go to the consoles.
        let engine = engine.clone();
        limits.on_alarm(move |alarm| {
            let msg = congress_proto::ServerMsg::SecurityAlarm {
                alarm: congress_proto::SecurityAlarm {
                    kind: alarm.kind().into(),
                    message: alarm.to_string(),
                    at: engine.now(),
                },
            };
            engine
                .hub
                .publish_live(vec![hub::Frame::live_msg(hub::Audience::Consoles, &msg)]);
        });
    }
    Ok(AppState {
        tls,
        limits,
        redirect_port: Arc::default(),
        witness_alarms: Arc::default(),
        proofs,
        docs,
        keys,
        engine,
        face,
        config: Arc::new(config),
        shutdown: Arc::new(tokio::sync::watch::channel(false).0),
        _lock: Arc::new(lock),
    })
}

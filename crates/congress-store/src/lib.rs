//! Storage behind a narrow interface ([`JournalStore`]): the journal of events, hash-chained,
//! and the tables that project it, written in one SQLite transaction per batch. SQLite runs in
//! WAL mode with `synchronous=FULL`, so a batch is on disk when [`JournalStore::commit`] returns:
//! callers acknowledge only after that.
//!
//! A deployment that outgrows one machine puts another implementation of [`JournalStore`]
//! (PostgreSQL) behind the same trait.

mod biometrics;
mod chain;
mod copy;
mod db;
mod migrations;
mod projection;
mod reader;
mod search;
mod sqlite;
mod verify;
pub mod witness;

pub use biometrics::FaceEnrolment;
pub use chain::{GENESIS_HASH, event_hash};
pub use copy::{copy_database, head_of};
pub use db::{Access, Db};
pub use reader::{JournalReader, PageFilter};
pub use search::SearchIndex;
pub use sqlite::SqliteStore;
pub use verify::{VerifyReport, verify};
pub use witness::{WitnessReport, verify_witness};

use congress_domain::{CongressState, Event};
use congress_proto::JournalHead;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("stored data is not valid JSON: {0}")]
    Json(#[from] serde_json::Error),
    #[error(
        "the database was written by a newer version (schema {found}, this build knows {known})"
    )]
    TooNew { found: i64, known: i64 },
    #[error("journal is broken at seq {seq}: {reason}")]
    Corrupt { seq: u64, reason: String },
    #[error("cannot open {path}: {reason}")]
    Open { path: String, reason: String },
    #[error(
        "{path} does not open with this data folder's key (another congress's database, or altered)"
    )]
    WrongKey { path: String },
    #[error("{path} is not encrypted (a data folder from before encryption at rest)")]
    NotEncrypted { path: String },
    #[error("{path} is encrypted, but encryption at rest is off in the configuration")]
    Encrypted { path: String },
}

/// One thing to write in a batch.
#[derive(Debug, Clone)]
pub enum Write {
    /// Append an event to the journal (and apply it to the tables).
    Event {
        at: i64,
        /// Who caused it: `operator:NAME`, `device:ID`, `system`, `cli`.
        actor: String,
        event: Event,
    },
    /// Remember a command's answer under its client id, for idempotent retries.
    Remember(Remembered),
    /// Replace a delegate's face enrolment (biometric data, outside the journal).
    FaceEnrolment(FaceEnrolment),
    /// Delete every face enrolment.
    PurgeBiometrics,
    /// Apply an event to the tables WITHOUT journalling it: a secret ballot going into the sealed
    /// ballot box (journalled as a whole, sorted by receipt, when the vote closes).
    Sealed(Event),
}

/// A command's answer, kept so that a retry returns it again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Remembered {
    pub client_id: String,
    pub actor: String,
    /// SHA-256 of the request, to refuse the same id with another request.
    pub request_hash: String,
    /// The answer, as JSON.
    pub response: String,
}

/// An event as stored in the journal.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredEvent {
    pub seq: u64,
    pub at: i64,
    pub actor: String,
    pub event: Event,
    pub prev_hash: String,
    pub hash: String,
}

/// The narrow interface the server uses.
pub trait JournalStore: Send {
    /// The last committed event.
    fn head(&self) -> &JournalHead;
    /// The state, read from the projection tables.
    fn load_state(&self) -> Result<CongressState, StoreError>;
    /// Writes a batch in one transaction; durable when this returns.
    fn commit(&mut self, writes: &[Write]) -> Result<JournalHead, StoreError>;
    /// A remembered answer for `client_id`.
    fn remembered(&self, client_id: &str) -> Result<Option<Remembered>, StoreError>;
    /// Journal events with `seq > after`, at most `limit`.
    fn events_after(&self, after: u64, limit: usize) -> Result<Vec<StoredEvent>, StoreError>;
}

//! Documents for the paperless congress: encryption at rest and to tablets, PDF
//! validation and text extraction, full-text search, and HTTP range helpers.
//!
//! This crate is a plain library with no HTTP or async dependency; the server calls it
//! from blocking tasks (`tokio::task::spawn_blocking`) and the storage crate calls the
//! [`search`] helpers inside its own SQLite transactions.
//!
//! Modules:
//! - [`keys`]: the server's own age storage identity and tablet recipients.
//! - [`crypto`]: streaming age encryption/decryption and atomic encrypted files.
//! - [`pdf`]: upload validation, page text extraction (Poppler), display-name sanitising.
//! - [`search`]: Vietnamese-aware folding and the SQLite FTS5 index.
//! - [`range`]: HTTP `Range`, `If-None-Match` and `If-Range` helpers.

pub mod crypto;
mod fsutil;
pub mod keys;
pub mod pdf;

pub mod search;

pub use age::x25519::{Identity, Recipient};

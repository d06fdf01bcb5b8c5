//! Reports derived from the journal: the audit log (`GET /api/audit`). The minutes themselves
//! are documents (HTML, CSV, PDF), not JSON.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// One journal event in plain words: who did what, when. Never the contents of a secret ballot,
/// never a token, code or password hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditEntry {
    pub seq: u64,
    pub at: i64,
    /// `operator:NAME`, `device:ID`, `system`, `cli`.
    pub actor: String,
    /// The event's kind (the journal's `kind` column), e.g. `attendance_changed`.
    pub kind: String,
    /// What happened, in the requested language.
    pub text: String,
}

/// A page of the audit log, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditPage {
    pub entries: Vec<AuditEntry>,
    /// Pass as `before` for the next (older) page; `None` when this was the last.
    pub next_before: Option<u64>,
}

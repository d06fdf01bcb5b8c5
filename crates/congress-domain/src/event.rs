//! Journal events: every state change of the congress, in the form it is journalled and replayed.
//! Secrets never appear here: tokens and pairing codes only as SHA-256 hashes, passwords only as
//! argon2 hashes.

use congress_proto::{
    AgendaItem, AttendanceRecord, Congress, Delegate, Device, DeviceKind, KioskDirection,
    OperatorRole,
};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case", deny_unknown_fields)]
pub enum Event {
    /// The congress is set up (or its details corrected).
    CongressDefined {
        congress: Congress,
    },
    /// Delegates added or updated by an import; ids not listed are kept.
    DelegatesImported {
        delegates: Vec<Delegate>,
    },
    /// The agenda's items are (re)defined.
    AgendaDefined {
        items: Vec<AgendaItem>,
    },
    CurrentItemSet {
        item_id: Option<String>,
    },
    AttendanceChanged {
        record: AttendanceRecord,
    },
    OperatorSaved {
        username: String,
        display_name: String,
        roles: Vec<OperatorRole>,
        /// PHC-format argon2 hash.
        password_hash: String,
    },
    SessionOpened {
        token_hash: String,
        username: String,
        expires_at: i64,
    },
    SessionClosed {
        token_hash: String,
    },
    PairingCodeCreated {
        code_hash: String,
        kind: DeviceKind,
        delegate_id: Option<String>,
        label: String,
        direction: Option<KioskDirection>,
        expires_at: i64,
        created_by: String,
    },
    DevicePaired {
        device: Device,
        token_hash: String,
        code_hash: String,
    },
    DeviceRevoked {
        device_id: String,
        by: String,
    },
    /// A document's new version (the first one creates the document).
    DocumentVersionAdded {
        document_id: i64,
        title: String,
        agenda_item_id: Option<String>,
        audience: congress_proto::DocAudience,
        version: congress_proto::DocVersion,
    },
    DocumentUpdated {
        document_id: i64,
        title: String,
        agenda_item_id: Option<String>,
        audience: congress_proto::DocAudience,
    },
    /// A version's delivery copy was (re)encrypted.
    DocumentDelivered {
        document_id: i64,
        version: u32,
        delivery: congress_proto::DocDelivery,
    },
    DocumentFetched {
        fetch: congress_proto::DocFetch,
    },
    /// A delegate's face was (re-)enrolled. The embeddings and photo are biometric data and are
    /// kept out of the journal (table `face_enrolments`, written in the same transaction);
    /// the event records who enrolled whom, how, and a SHA-256 of the embeddings.
    FaceEnrolled {
        delegate_id: String,
        /// `import` or `desk:<operator>`.
        source: String,
        embeddings: u32,
        embedding_sha256: String,
    },
    /// All enrolment embeddings and photos were deleted (`congress purge-biometrics`).
    BiometricsPurged {
        enrolments: u32,
    },
    /// A vote is prepared (draft).
    VoteCreated {
        spec: crate::vote::VoteSpec,
        duration_s: Option<u32>,
    },
    VoteOpened {
        vote_id: u64,
        at: i64,
        closes_at: Option<i64>,
    },
    VoteClosed {
        vote_id: u64,
        at: i64,
        result: crate::vote::VoteResult,
        /// Secret votes: the sealed ballot box, (receipt, marks) sorted by receipt. Secret
        /// ballots are journalled only here, so journal order and time say nothing of them.
        #[serde(default)]
        sealed: Vec<(String, crate::vote::BallotChoice)>,
    },
    /// A ballot in an open (non-secret) vote: names the delegate.
    BallotCast {
        vote_id: u64,
        delegate_id: String,
        receipt: String,
        choice: crate::vote::BallotChoice,
    },
    /// A delegate took part in a secret vote; says nothing of the ballot.
    VoteParticipated {
        vote_id: u64,
        delegate_id: String,
        id_hash: String,
        check_hash: String,
    },
    /// A ballot in a secret vote: says nothing of the voter. Never journalled on its own: it goes
    /// to the sealed ballot box, and the journal gets the box at the close (`vote::lifecycle`).
    SecretBallotCast {
        vote_id: u64,
        receipt: String,
        choice: crate::vote::BallotChoice,
    },
    /// The stored content (encrypted files, delivery copies, search text) of these document
    /// versions was deleted under the retention rules; titles, metadata and the journal stay.
    DocumentsPurged {
        /// (document id, version), sorted.
        versions: Vec<(i64, u32)>,
        at: i64,
        /// `retention` (the periodic task) or `cli`.
        reason: String,
    },
}

impl Event {
    /// A secret ballot, which the engine seals instead of journalling.
    pub fn is_secret_ballot(&self) -> bool {
        matches!(self, Event::SecretBallotCast { .. })
    }

    /// A short name for logs and the journal's `kind` column.
    pub fn kind(&self) -> &'static str {
        match self {
            Event::CongressDefined { .. } => "congress_defined",
            Event::DelegatesImported { .. } => "delegates_imported",
            Event::AgendaDefined { .. } => "agenda_defined",
            Event::CurrentItemSet { .. } => "current_item_set",
            Event::AttendanceChanged { .. } => "attendance_changed",
            Event::OperatorSaved { .. } => "operator_saved",
            Event::SessionOpened { .. } => "session_opened",
            Event::SessionClosed { .. } => "session_closed",
            Event::PairingCodeCreated { .. } => "pairing_code_created",
            Event::DevicePaired { .. } => "device_paired",
            Event::DeviceRevoked { .. } => "device_revoked",
            Event::DocumentVersionAdded { .. } => "document_version_added",
            Event::DocumentUpdated { .. } => "document_updated",
            Event::DocumentDelivered { .. } => "document_delivered",
            Event::DocumentFetched { .. } => "document_fetched",
            Event::FaceEnrolled { .. } => "face_enrolled",
            Event::BiometricsPurged { .. } => "biometrics_purged",
            Event::VoteCreated { .. } => "vote_created",
            Event::VoteOpened { .. } => "vote_opened",
            Event::VoteClosed { .. } => "vote_closed",
            Event::BallotCast { .. } => "ballot_cast",
            Event::VoteParticipated { .. } => "vote_participated",
            Event::SecretBallotCast { .. } => "secret_ballot_cast",
            Event::DocumentsPurged { .. } => "documents_purged",
        }
    }
}

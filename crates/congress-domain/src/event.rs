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
    /// A notice was sent (its text verbatim).
    NoticeSent {
        notice: congress_proto::Notice,
    },
    /// A delegate read a notice (the first time).
    NoticeRead {
        receipt: congress_proto::NoticeReceipt,
    },
    /// A discussion group's secretary was designated (`None`: removed).
    GroupSecretarySet {
        group: String,
        delegate_id: Option<String>,
    },
    /// A member's opinion on an item (replaces their earlier one).
    OpinionSaved {
        opinion: congress_proto::Opinion,
    },
    /// A group summary's draft was saved.
    GroupSummarySaved {
        summary: congress_proto::GroupSummary,
    },
    /// A group summary was submitted to the secretariat (final).
    GroupSummarySubmitted {
        summary: congress_proto::GroupSummary,
    },
    // ---- The meeting (`crate::meeting`): agenda control, speakers, projector. ----
    /// The chair started (or returned to, or reopened) an agenda item.
    ItemStarted {
        item_id: String,
        at: i64,
    },
    /// The chair closed an agenda item: it is done.
    ItemClosed {
        item_id: String,
        at: i64,
    },
    /// An item's time plan and default speaking time were edited.
    ItemPlanned {
        item_id: String,
        planned_start: Option<String>,
        planned_minutes: Option<u32>,
        speaker_limit_s: Option<u32>,
        at: i64,
    },
    /// A vote was linked to an agenda item (or unlinked: `None`).
    VoteLinked {
        vote_id: u64,
        item_id: Option<String>,
        at: i64,
    },
    /// A delegate asked to speak (from the tablet, or an operator on their behalf).
    SpeakerRequested {
        request: congress_proto::SpeakerRequest,
    },
    /// A delegate withdrew their waiting request.
    SpeakerWithdrawn {
        request_id: u64,
        item_id: String,
        delegate_id: String,
        at: i64,
    },
    /// A waiting request was removed (`by` an operator, or `item_closed`).
    SpeakerRemoved {
        request_id: u64,
        item_id: String,
        delegate_id: String,
        by: String,
        at: i64,
    },
    /// An item's queue has a new order (request ids).
    SpeakersReordered {
        item_id: String,
        order: Vec<u64>,
        at: i64,
    },
    /// A delegate was given the floor (`speaking.started_at`, `speaking.limit_s`).
    SpeakerGranted {
        speaking: congress_proto::Speaking,
    },
    /// The speaker's time was extended to `limit_s` in total.
    SpeakerExtended {
        request_id: u64,
        limit_s: u32,
        at: i64,
    },
    /// A speech ended: everything the minutes list about it.
    SpeakerFinished {
        request_id: u64,
        item_id: String,
        delegate_id: String,
        kind: congress_proto::SpeakerKind,
        started_at: i64,
        ended_at: i64,
        /// The time allowed at the end, extensions included.
        limit_s: u32,
        reason: crate::meeting::FinishReason,
    },
    /// The projector shows another scene.
    ProjectorSceneSet {
        scene: congress_proto::ProjectorScene,
        at: i64,
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
            Event::NoticeSent { .. } => "notice_sent",
            Event::NoticeRead { .. } => "notice_read",
            Event::GroupSecretarySet { .. } => "group_secretary_set",
            Event::OpinionSaved { .. } => "opinion_saved",
            Event::GroupSummarySaved { .. } => "group_summary_saved",
            Event::GroupSummarySubmitted { .. } => "group_summary_submitted",
            Event::ItemStarted { .. } => "item_started",
            Event::ItemClosed { .. } => "item_closed",
            Event::ItemPlanned { .. } => "item_planned",
            Event::VoteLinked { .. } => "vote_linked",
            Event::SpeakerRequested { .. } => "speaker_requested",
            Event::SpeakerWithdrawn { .. } => "speaker_withdrawn",
            Event::SpeakerRemoved { .. } => "speaker_removed",
            Event::SpeakersReordered { .. } => "speakers_reordered",
            Event::SpeakerGranted { .. } => "speaker_granted",
            Event::SpeakerExtended { .. } => "speaker_extended",
            Event::SpeakerFinished { .. } => "speaker_finished",
            Event::ProjectorSceneSet { .. } => "projector_scene_set",
            Event::DocumentsPurged { .. } => "documents_purged",
        }
    }
}

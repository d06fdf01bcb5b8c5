//! Websocket messages. Endpoints: `/ws/console`, `/ws/projector`, `/ws/tablet`, `/ws/kiosk`.
//! The client's first message is `hello`; the server answers `welcome`, then either the pushes
//! the client missed since `resume_from` (then `resumed`) or a `snapshot`, then live pushes.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::model::*;

/// Which endpoint a connection came in on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ClientKind {
    Console,
    Projector,
    Tablet,
    Kiosk,
}

/// Client → server.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum ClientMsg {
    /// First message on every connection.
    Hello {
        /// Operator session token or device token.
        token: String,
        /// The last `seq` this client saw, to resume without loss or duplication.
        resume_from: Option<u64>,
        /// Must equal the server's `PROTOCOL_VERSION`.
        protocol: u32,
    },
    /// Keep-alive; answered with `pong`.
    Ping { nonce: u32 },
    /// A tablet's ballot; answered with `ballot_ack` once on disk, or `ballot_refused`.
    CastBallot {
        /// Random, 16 to 100 characters, chosen by the tablet once per ballot; a retry reuses it.
        client_id: String,
        vote_id: u64,
        choice: crate::vote::BallotChoice,
    },
    /// A tablet's read receipt for a notice; answered `acked` once on disk (idempotent).
    ReadNotice { client_id: String, notice_id: u64 },
    /// A group member's written opinion on an agenda item (replaces their earlier one);
    /// answered `acked` or `refused`.
    SendOpinion {
        client_id: String,
        item_id: String,
        text: String,
    },
    /// The group secretary's summary of an item: saved as a draft, or submitted to the
    /// secretariat (`submit`); answered `acked` or `refused`.
    SaveSummary {
        client_id: String,
        item_id: String,
        text: String,
        submit: bool,
    },
    /// A tablet asks to speak on `item_id` (the current item); answered with `speak_ack` once on
    /// disk, or `speak_refused`.
    RequestSpeak {
        client_id: String,
        item_id: String,
        kind: crate::meeting::SpeakerKind,
    },
    /// A tablet withdraws its waiting request; answered like `request_speak`.
    WithdrawSpeak { client_id: String, request_id: u64 },
    /// A tablet's encrypted ballot in a secret vote (`ballot`: base64 of the ballot's bytes,
    /// `docs/ballot-crypto.md`); answered with `ballot_ack` (its receipt is the ballot's tracker)
    /// once on disk, or `ballot_refused`.
    CastSecretBallot {
        /// Random, 16 to 100 characters, chosen by the tablet once per ballot; a retry reuses it.
        client_id: String,
        vote_id: u64,
        ballot: String,
    },
    /// A counting board member's tablet deals in the key ceremony: its signed commitments
    /// (`congress_ballot::DealerMessage` JSON) and one age-encrypted share per member; answered
    /// `acked` or `refused`.
    BoardDeal {
        client_id: String,
        dealer: String,
        shares: Vec<crate::board::SealedShare>,
    },
    /// A member checked the shares dealt to it: no complaint, or the complaints
    /// (`congress_ballot::Complaint` JSON) about shares that do not match their commitments;
    /// answered `acked` or `refused`.
    BoardCheck {
        client_id: String,
        complaints: Vec<String>,
    },
    /// A member's partial decryption of a closed secret vote's tally
    /// (`congress_ballot::PartialDecryption` JSON); answered `acked` or `refused`.
    SubmitPartial {
        client_id: String,
        vote_id: u64,
        partial: String,
    },
    /// A checked-in delegate nominates another delegate (`delegate_id`) or themselves (`null`)
    /// while the election's nomination round is open; answered `acked` or `refused`.
    Nominate {
        client_id: String,
        election_id: u64,
        delegate_id: Option<String>,
    },
    /// The nominee's answer to a nomination from the floor; answered `acked` or `refused`.
    AnswerNomination {
        client_id: String,
        election_id: u64,
        candidate_id: u32,
        consent: bool,
    },
    /// A nominee asks to withdraw (the congress decides by an open vote); answered `acked` or
    /// `refused`.
    AskWithdrawal {
        client_id: String,
        election_id: u64,
        candidate_id: u32,
        reason: String,
    },
    /// A counting-board member confirms a closed secret vote's report by its SHA-256;
    /// answered `acked` or `refused` (`stale_report` when the report changed since it was read).
    SignTallyReport {
        client_id: String,
        vote_id: u64,
        report_sha256: String,
    },
}

/// A security alarm for the operators' consoles.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SecurityAlarm {
    /// Stable key: `pairing_guesses` (pairing is paused for everyone while it lasts),
    /// `journal_rewritten` (a device's witnessed journal head does not match the journal).
    pub kind: String,
    /// English explanation with the figures.
    pub message: String,
    /// Server time (ms since the epoch).
    pub at: i64,
}

/// Server → client.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerMsg {
    Welcome {
        kind: ClientKind,
        /// Journal head when the connection was accepted.
        head_seq: u64,
        protocol: u32,
    },
    /// The whole state this client may see, as of `seq`.
    Snapshot {
        seq: u64,
        snapshot: Box<Snapshot>,
    },
    /// One change, in journal order.
    Push {
        seq: u64,
        push: Push,
    },
    /// Sent after the missed pushes of a resume: the client is now live.
    Resumed {
        from: u64,
        to: u64,
    },
    Pong {
        nonce: u32,
    },
    /// A refused message; `error` is a stable code. Fatal errors close the connection.
    Error {
        error: String,
        message: String,
        fatal: bool,
    },
    /// Kiosks: the answer to camera frame number `frame` (see `face`).
    FaceResult {
        frame: u64,
        width: u32,
        height: u32,
        boxes: Vec<crate::face::FaceBoxMsg>,
        result: crate::face::FaceStatus,
        /// Server time spent on the frame, in milliseconds.
        ms: u32,
    },
    /// Consoles: a kiosk refused a presentation (liveness check); not journalled, no `seq`.
    KioskRefusal {
        refusal: crate::face::KioskRefusal,
    },
    /// Consoles: the server saw an attack it is holding off (wrong pairing codes from many
    /// addresses hit the global ceiling); not journalled, no `seq`.
    SecurityAlarm {
        alarm: SecurityAlarm,
    },
    /// The ballot is recorded (on disk).
    BallotAck {
        ack: crate::vote::BallotAck,
    },
    /// The ballot was refused and changed nothing.
    BallotRefused {
        client_id: String,
        vote_id: u64,
        error: String,
        message: String,
    },
    /// Live turnout of an open vote; not journalled, no `seq` (the next one replaces it).
    VoteLive {
        live: Box<crate::vote::VoteLive>,
    },
    /// The message with this `client_id` (`read_notice`, `send_opinion`, `save_summary`) is on
    /// disk; `seq` is the journal head after it (a retry gets the first answer).
    Acked {
        client_id: String,
        seq: u64,
    },
    /// The message with this `client_id` was refused and changed nothing; `error` is a stable
    /// code (`too_long`, `empty`, `not_member`, `not_present`, `not_secretary`, `submitted`,
    /// `not_found`, `conflict`, `invalid`, `forbidden`).
    Refused {
        client_id: String,
        error: String,
        message: String,
    },
    /// A request to speak (or its withdrawal) is recorded (on disk).
    SpeakAck {
        ack: crate::meeting::SpeakAck,
    },
    /// A request to speak (or its withdrawal) was refused and changed nothing.
    SpeakRefused {
        client_id: String,
        error: String,
        message: String,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Snapshot {
    pub congress: Congress,
    pub agenda: Agenda,
    pub attendance: AttendanceSummary,
    /// On a tablet: its delegate.
    pub me: Option<Delegate>,
    /// On a tablet: its delegate's own attendance.
    pub my_attendance: Option<AttendanceRecord>,
    pub journal: JournalHead,
    /// Votes this client may see (tablets: not drafts).
    pub votes: Vec<crate::vote::VoteInfo>,
    /// On a tablet: the notices addressed to its delegate, oldest first.
    pub notices: Vec<crate::groups::Notice>,
    /// On a tablet: the ids of those its delegate has read.
    pub notices_read: Vec<u64>,
    /// Agenda control, speakers and the projector's scene.
    pub meeting: crate::meeting::MeetingView,
    /// Bodies, elections, report sign-offs.
    #[serde(default)]
    pub procedures: crate::elections::ProceduresView,
}

/// A change pushed to connected clients.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Push {
    Attendance {
        record: AttendanceRecord,
        summary: AttendanceSummary,
    },
    Agenda {
        agenda: Agenda,
    },
    /// The delegate list changed (import): refetch it.
    Delegates {
        listed: u32,
    },
    /// A device was paired or unpaired (console only).
    Device {
        device: Device,
    },
    /// A document the receiver may read was added, updated or re-encrypted: refetch the list.
    Document {
        document: crate::docs::Document,
    },
    /// A vote was created, opened or closed.
    Vote {
        vote: Box<crate::vote::VoteInfo>,
    },
    /// A notice for the receiver (operators see every notice).
    Notice {
        notice: crate::groups::Notice,
    },
    /// A delegate read a notice (operators and that delegate's tablets).
    NoticeRead {
        receipt: crate::groups::NoticeReceipt,
    },
    /// A member's opinion was saved (the member's and the group secretary's tablets only).
    Opinion {
        opinion: crate::groups::Opinion,
    },
    /// A group summary was saved as a draft (the secretary's tablets only) or submitted (the
    /// group's tablets and operators).
    GroupSummary {
        summary: crate::groups::GroupSummary,
    },
    /// A group's secretary changed (the group's tablets and operators): refetch the group.
    GroupSecretary {
        group: String,
        secretary: Option<String>,
    },
    /// The counting board and its key ceremony.
    Board {
        board: Box<crate::board::BoardView>,
    },
    /// A delegate's secret ballot failed its proofs after it was acknowledged (only a tampered
    /// tablet can send one): it is not counted and the delegate may vote again.
    BallotRejected {
        vote_id: u64,
        tracker: String,
        reason: String,
    },
    /// Agenda control, speakers or the projector's scene changed (the whole meeting view).
    Meeting {
        meeting: Box<crate::meeting::MeetingView>,
    },
    /// A body, an election or a report's sign-offs changed (the whole procedures view).
    Procedures {
        procedures: Box<crate::elections::ProceduresView>,
    },
    /// Delegates' credentials changed (the convened count and the quorum may have too).
    Credentials {
        records: Vec<crate::credentials::CredentialInfo>,
        summary: AttendanceSummary,
    },
}

//! The wire protocol between the server and its clients (console, projector, tablets, kiosks),
//! defined once. Every REST body and websocket message is a type here; the TypeScript web apps
//! use declarations generated from these types (`web-common/src/protocol.ts`, checked by the
//! `bindings_are_current` test so the two cannot drift). No I/O.
//!
//! Conventions:
//! - Times are Unix epoch milliseconds (`Millis`), chosen by the server.
//! - Every state-changing request carries a `client_id` chosen by the client: a retry with the
//!   same id returns the same answer, the same id with another request is refused.
//! - Every push carries `seq`, the journal sequence number of the event that caused it; a client
//!   that reconnects sends the last `seq` it saw and gets what it missed, or a fresh snapshot.

pub mod api;
#[cfg(feature = "openapi")]
pub mod asyncapi;
pub mod board;
pub mod credentials;
pub mod docs;
pub mod elections;
pub mod face;
pub mod groups;
pub mod meeting;
pub mod model;
pub mod report;
pub mod transport;
pub mod vote;
pub mod ws;

pub use api::*;
pub use board::*;
pub use credentials::*;
pub use docs::*;
pub use elections::*;
pub use face::*;
pub use groups::*;
pub use meeting::*;
pub use model::*;
pub use report::*;
pub use transport::*;
pub use vote::*;
pub use ws::*;

/// The protocol version; a client that speaks another one is told so at `Hello`.
pub const PROTOCOL_VERSION: u32 = 1;

/// Largest websocket text message a client may send, in bytes.
pub const MAX_CLIENT_MESSAGE_BYTES: usize = 64 * 1024;

/// Decodes one websocket text message from a client. The server decodes every client message
/// with this function (and only this one), so the fuzzer (`fuzz/fuzz_targets/wire.rs`) tests
/// the real path: unknown types and fields, wrong types and trailing garbage are errors.
pub fn decode_client_message(text: &str) -> Result<ClientMsg, serde_json::Error> {
    serde_json::from_str(text)
}

/// Decodes a JSON request body as the REST handlers do (`ApiJson` uses serde_json on the raw
/// bytes). Used by the fuzzers for every request body type.
pub fn decode_json_body<T: serde::de::DeserializeOwned>(
    bytes: &[u8],
) -> Result<T, serde_json::Error> {
    serde_json::from_slice(bytes)
}

/// Renders every protocol type as one TypeScript module.
pub fn typescript_bindings() -> String {
    use ts_rs::{Config, TS};
    let cfg = Config::new().with_large_int("number");
    let mut out = String::from(
        "// Generated from crates/congress-proto by `cargo test -p congress-proto` \
         (UPDATE_BINDINGS=1 rewrites it). Do not edit.\n\n",
    );
    macro_rules! decl {
        ($($t:ty),* $(,)?) => {$(
            out.push_str("export ");
            out.push_str(&<$t as TS>::decl(&cfg));
            out.push_str("\n\n");
        )*};
    }
    decl!(
        model::Millis,
        model::Role,
        model::OperatorRole,
        model::QuorumRule,
        model::QuorumState,
        model::Congress,
        model::Delegate,
        model::AttendanceStatus,
        model::AttendanceSource,
        model::AttendanceRecord,
        model::AttendanceSummary,
        model::AgendaItem,
        model::Agenda,
        model::DeviceKind,
        model::KioskDirection,
        model::Device,
        model::OperatorInfo,
        model::JournalHead,
        model::WitnessRequest,
        model::WitnessedHead,
        model::WitnessAnswer,
        api::ApiError,
        api::LoginRequest,
        api::LoginResponse,
        api::SetAttendanceRequest,
        api::AttendanceAck,
        api::AttendanceList,
        api::CreatePairingCode,
        api::PairingCode,
        api::PairRequest,
        api::PairResponse,
        api::SetCurrentItem,
        api::AgendaAck,
        api::Me,
        ws::ClientKind,
        ws::ClientMsg,
        ws::ServerMsg,
        ws::SecurityAlarm,
        ws::Snapshot,
        ws::Push,
        docs::DocAudience,
        docs::DocDelivery,
        docs::DocVersion,
        docs::Document,
        docs::DocFetch,
        docs::DocumentAdmin,
        docs::UploadAck,
        docs::UpdateDocument,
        docs::SnippetPart,
        docs::SearchHit,
        docs::SearchResults,
        face::FaceBoxMsg,
        face::FaceStatus,
        face::EnrolRequest,
        face::CaptureOutcome,
        face::EnrolResponse,
        face::KioskInfo,
        face::RecentCheckIn,
        face::KioskRefusal,
        face::FaceOverview,
        vote::VoteId,
        vote::OptionId,
        vote::VoteOption,
        vote::VoteKind,
        vote::KindName,
        vote::Secrecy,
        vote::Threshold,
        vote::Basis,
        vote::MajorityRule,
        vote::TurnoutRule,
        vote::TurnoutCheck,
        vote::VoteSpec,
        vote::MotionPosition,
        vote::BallotChoice,
        vote::BallotCounts,
        vote::MotionCounts,
        vote::OptionCount,
        vote::VoteCounts,
        vote::SeatTie,
        vote::ElectionOutcome,
        vote::Outcome,
        vote::VoteResult,
        vote::VotePhase,
        vote::VoteInfo,
        vote::VoteLive,
        vote::CreateVote,
        vote::VoteAction,
        vote::PublishedBallot,
        vote::VoteExport,
        vote::BallotAck,
        board::BoardPhase,
        board::BoardMember,
        board::BoardView,
        board::DefineBoard,
        board::SealedShare,
        board::BoardTranscript,
        board::VoteEncryption,
        groups::NoticeAudience,
        groups::Notice,
        groups::SendNotice,
        groups::NoticeAck,
        groups::NoticeReceipt,
        groups::NoticeStatus,
        groups::Opinion,
        groups::GroupSummary,
        groups::GroupInfo,
        groups::SetSecretary,
        groups::GroupMember,
        groups::MyGroup,
        groups::GroupsOverview,
        meeting::ItemStatus,
        meeting::SpeakerKind,
        meeting::SpeakerRequest,
        meeting::Speaking,
        meeting::ProjectorScene,
        meeting::ItemRun,
        meeting::Person,
        meeting::MeetingView,
        meeting::MeetingAction,
        meeting::PlanItem,
        meeting::LinkVote,
        meeting::AddSpeaker,
        meeting::GrantFloor,
        meeting::MoveSpeaker,
        meeting::ExtendSpeaker,
        meeting::SetScene,
        meeting::MeetingAck,
        meeting::SpeakAck,
        meeting::AddAgendaItem,
        meeting::MoveAgendaItem,
        meeting::RenameAgendaItem,
        credentials::CredentialStatus,
        credentials::Composition,
        credentials::DelegateComposition,
        credentials::CredentialInfo,
        credentials::DecideCredentials,
        credentials::NewSubstitute,
        credentials::SeatSubstitute,
        credentials::CompositionRow,
        credentials::CompositionTable,
        credentials::CredentialsReport,
        credentials::PutReportToVote,
        credentials::CredentialsOverview,
        credentials::Body,
        credentials::BodyRole,
        credentials::BodyMember,
        credentials::BodyStatus,
        credentials::BodyInfo,
        credentials::ProposeBody,
        elections::CandidateSource,
        elections::Consent,
        elections::Withdrawal,
        elections::CandidateInfo,
        elections::NominationPhase,
        elections::ListStatus,
        elections::RoundOutcome,
        elections::RoundInfo,
        elections::ElectionInfo,
        elections::NextRound,
        elections::TallySignature,
        elections::TallySignoffs,
        elections::ProceduresView,
        elections::NewCandidate,
        elections::CreateElection,
        elections::AddCandidate,
        elections::SetNominations,
        elections::RecordConsent,
        elections::RequestWithdrawal,
        elections::PutToVote,
        elections::SetElectionRule,
        elections::CreateRound,
        elections::ElectionAck,
        elections::ProcedureAck,
        elections::TallyRow,
        elections::ReportSigner,
        elections::TallyReport,
        report::AuditEntry,
        report::AuditPage,
        transport::TlsInfo,
    );
    out.truncate(out.trim_end().len());
    out.push('\n');
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn bindings_path() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../web-common/src/protocol.ts")
    }

    /// The committed TypeScript must equal what the Rust types generate.
    #[test]
    fn bindings_are_current() {
        let fresh = typescript_bindings();
        let path = bindings_path();
        if std::env::var_os("UPDATE_BINDINGS").is_some() {
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, &fresh).unwrap();
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == fresh,
            "{} is out of date: run `UPDATE_BINDINGS=1 cargo test -p congress-proto` and commit it",
            path.display()
        );
    }

    /// Fields added since the benches' older builds are left out when absent: those servers
    /// refuse unknown fields, and a client of today must still talk to them.
    #[test]
    fn requests_leave_out_fields_older_servers_do_not_know() {
        let pair = PairRequest {
            code: "12345678".into(),
            recipient: None,
            credential: None,
        };
        let json = serde_json::to_value(&pair).unwrap();
        assert!(json.get("credential").is_none(), "{json}");
        let vote = CreateVote {
            client_id: "c".into(),
            title: "t".into(),
            kind: VoteKind::Motion,
            secrecy: Secrecy::Open,
            rule: None,
            allow_change: false,
            show_running_tally: false,
            duration_s: None,
            turnout: None,
        };
        let json = serde_json::to_value(&vote).unwrap();
        assert!(json.get("turnout").is_none(), "{json}");
        // And both still read back without them.
        assert_eq!(serde_json::from_value::<CreateVote>(json).unwrap(), vote);
    }

    #[test]
    fn client_messages_round_trip_and_reject_unknown_fields() {
        let hello = ClientMsg::Hello {
            token: "t".into(),
            resume_from: Some(41),
            protocol: PROTOCOL_VERSION,
        };
        let text = serde_json::to_string(&hello).unwrap();
        assert_eq!(serde_json::from_str::<ClientMsg>(&text).unwrap(), hello);
        assert!(serde_json::from_str::<ClientMsg>(r#"{"type":"hello","token":1}"#).is_err());
        assert!(
            serde_json::from_str::<ClientMsg>(r#"{"type":"ping","nonce":1,"extra":true}"#).is_err()
        );
        assert!(serde_json::from_str::<ClientMsg>(r#"{"type":"launch_missiles"}"#).is_err());
    }

    #[test]
    fn names_round_trip_exactly() {
        let d = Delegate {
            id: "D0001".into(),
            full_name: "Nguyễn Thị Ngọc Ánh".into(),
            unit: "Đảng bộ huyện Đức Phổ".into(),
            seat: "A-01-01".into(),
            group: "Tổ 1".into(),
            roles: vec![Role::Delegate, Role::Presidium],
        };
        let back: Delegate = serde_json::from_str(&serde_json::to_string(&d).unwrap()).unwrap();
        assert_eq!(back, d);
        let arabic = Delegate {
            full_name: "عبد الله بن محمد".into(),
            ..d
        };
        let back: Delegate =
            serde_json::from_str(&serde_json::to_string(&arabic).unwrap()).unwrap();
        assert_eq!(back.full_name, "عبد الله بن محمد");
    }
}

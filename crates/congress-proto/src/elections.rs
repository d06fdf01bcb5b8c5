//! The congress's own procedures, second part: an election as the congress runs it. A nomination
//! round (the presidium's list, nominations from the floor and self-nominations from tablets,
//! consent, withdrawal requests each decided by an open vote), the final list approved by an
//! open vote, then secret rounds made in one step from the list or the last result, and the
//! counting board's report signed off from its members' tablets.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::credentials::{BodyInfo, BodyRole};
use crate::vote::{BallotCounts, MajorityRule, SeatTie, TurnoutCheck, TurnoutRule};

/// Who put a candidate forward.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum CandidateSource {
    /// The presidium's proposed list.
    Presidium,
    /// A delegate nominated someone else from the floor.
    Floor { by: String },
    /// A delegate nominated themselves.
    SelfNominated,
}

/// Whether the nominee agrees to stand.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Consent {
    Pending,
    Given,
    Declined,
}

/// A nominee's request to withdraw, decided by an open vote of the congress.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Withdrawal {
    pub reason: String,
    pub requested_at: i64,
    /// `tablet` or `operator:NAME`.
    pub by: String,
    /// The vote on the request, once put to the congress.
    pub vote_id: Option<u64>,
    /// `Some(true)`: the congress let the nominee withdraw.
    pub granted: Option<bool>,
}

/// One nominee.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CandidateInfo {
    /// The candidate's id in this election; also the ballot line's id in every round.
    pub id: u32,
    pub name: String,
    /// When the nominee is a delegate of this congress.
    pub delegate_id: Option<String>,
    /// A short profile (born, position, unit), shown on the tablets.
    pub profile: String,
    /// SHA-256 of the photo (`GET /api/elections/{id}/candidates/{cid}/photo`).
    pub photo: Option<String>,
    pub source: CandidateSource,
    pub consent: Consent,
    pub withdrawal: Option<Withdrawal>,
    pub nominated_at: i64,
    /// Standing: consent given and no withdrawal granted.
    pub standing: bool,
}

/// The nomination round.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum NominationPhase {
    /// Only the presidium's list (from the console) so far.
    NotOpen,
    /// Delegates may nominate from their tablets until `closes_at`.
    Open {
        opened_at: i64,
        closes_at: i64,
    },
    Closed {
        closed_at: i64,
    },
}

/// Where the final list stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum ListStatus {
    /// Not put to the vote yet.
    Draft,
    Voting {
        vote_id: u64,
    },
    Approved {
        vote_id: u64,
    },
    /// Not approved: the list may be changed and put to the vote again.
    Rejected {
        vote_id: u64,
    },
}

/// One round's outcome, as recorded when its vote closed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RoundOutcome {
    /// Elected in this round, most votes first.
    pub elected: Vec<u32>,
    pub tie: Option<SeatTie>,
    pub unfilled_seats: u32,
    /// The turnout rule was not met: no result, the round is held again.
    pub no_result: bool,
}

/// One secret round of the election.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RoundInfo {
    /// 1, 2, …
    pub round: u32,
    pub vote_id: u64,
    pub seats: u32,
    /// The candidates on this round's ballot.
    pub candidates: Vec<u32>,
    pub outcome: Option<RoundOutcome>,
}

/// An election as clients see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ElectionInfo {
    pub id: u64,
    pub title: String,
    pub seats: u32,
    /// The majority each candidate needs, as the congress adopted it.
    pub rule: MajorityRule,
    /// The fewest ballots for a round's result to be declared.
    pub turnout: TurnoutRule,
    pub item_id: Option<String>,
    pub nominations: NominationPhase,
    pub candidates: Vec<CandidateInfo>,
    pub list: ListStatus,
    /// The list as approved (candidate ids, ballot order).
    pub approved_list: Vec<u32>,
    pub rounds: Vec<RoundInfo>,
    /// Elected over all rounds.
    pub elected: Vec<u32>,
    /// Seats still to fill.
    pub seats_left: u32,
    /// What the next round would be (`None`: none is allowed now).
    pub next_round: Option<NextRound>,
}

/// The round the rule allows next.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NextRound {
    pub seats: u32,
    pub candidates: Vec<u32>,
    /// `list` (first round), `tie`, `unfilled` or `no_result`.
    pub reason: String,
}

/// A counting-board member's sign-off on a report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TallySignature {
    pub delegate_id: String,
    pub device_id: String,
    pub at: i64,
    /// The report's SHA-256 the member confirmed.
    pub report_sha256: String,
}

/// The sign-offs of one vote's report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TallySignoffs {
    pub vote_id: u64,
    pub signatures: Vec<TallySignature>,
}

/// Everything about the procedures a client needs, pushed whole on every change (small: a few
/// bodies and elections) and in the snapshot. A tablet finds its delegate's roles in `bodies`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProceduresView {
    pub bodies: Vec<BodyInfo>,
    pub elections: Vec<ElectionInfo>,
    /// Sign-offs of closed secret votes' reports.
    pub signoffs: Vec<TallySignoffs>,
    /// The vote on the credentials report, and whether it was adopted.
    pub credentials_vote: Option<u64>,
    pub credentials_adopted: Option<bool>,
}

/// A nominee on the presidium's list or from the floor, as the console types it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewCandidate {
    pub name: String,
    #[serde(default)]
    pub delegate_id: Option<String>,
    #[serde(default)]
    pub profile: String,
}

/// `POST /api/elections`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreateElection {
    pub client_id: String,
    pub title: String,
    pub seats: u32,
    /// Defaults to more than half of the valid ballots.
    #[serde(default)]
    pub rule: Option<MajorityRule>,
    /// Defaults to more than half of the delegates present.
    #[serde(default)]
    pub turnout: Option<TurnoutRule>,
    #[serde(default)]
    pub item_id: Option<String>,
    /// The presidium's proposed list.
    #[serde(default)]
    pub candidates: Vec<NewCandidate>,
}

/// `POST /api/elections/{id}/candidates`: a nominee added from the console: to the presidium's
/// list, or a nomination from the floor recorded for `nominated_by`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AddCandidate {
    pub client_id: String,
    pub candidate: NewCandidate,
    /// `None`: the presidium's list; a delegate id: nominated from the floor by that delegate.
    #[serde(default)]
    pub nominated_by: Option<String>,
}

/// `POST /api/elections/{id}/nominations`: open (for `minutes`) or close the nomination round.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SetNominations {
    pub client_id: String,
    pub open: bool,
    /// How long the round stays open (1 to 240 minutes); required to open.
    #[serde(default)]
    pub minutes: Option<u32>,
}

/// `POST /api/elections/{id}/consent`: a nominee's answer recorded at the console.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RecordConsent {
    pub client_id: String,
    pub candidate_id: u32,
    pub consent: bool,
}

/// `POST /api/elections/{id}/withdrawals`: a nominee's request to withdraw, recorded at the
/// console.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RequestWithdrawal {
    pub client_id: String,
    pub candidate_id: u32,
    pub reason: String,
}

/// `POST /api/elections/{id}/withdrawals/vote` (a request) or `…/list/vote` (the list, no
/// `candidate_id`): put it to an open vote of the congress in one step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PutToVote {
    pub client_id: String,
    #[serde(default)]
    pub candidate_id: Option<u32>,
    /// The motion's title as delegates read it.
    pub title: String,
}

/// `PUT /api/elections/{id}/rule`: seats, threshold and basis, turnout (before the first round;
/// the rule also between rounds).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SetElectionRule {
    pub client_id: String,
    pub seats: u32,
    pub rule: MajorityRule,
    pub turnout: TurnoutRule,
}

/// `POST /api/elections/{id}/rounds`: the next round the rule allows, in one step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreateRound {
    pub client_id: String,
    /// The ballot's title (e.g. "Bầu Ban Chấp hành — vòng 2").
    pub title: String,
    #[serde(default)]
    pub duration_s: Option<u32>,
}

/// Answer to the election routes: the election after the change, and the vote made, if any.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ElectionAck {
    pub client_id: String,
    pub seq: u64,
    pub election: ElectionInfo,
    pub vote_id: Option<u64>,
}

/// Answer to the bodies and credentials routes that make a vote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProcedureAck {
    pub client_id: String,
    pub seq: u64,
    pub vote_id: Option<u64>,
}

/// One line of the counting board's report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TallyRow {
    pub option: u32,
    pub name: String,
    pub votes: u64,
    /// Of the valid ballots, in hundredths of a percent (5,025 = 50.25 %), rounded down.
    pub percent_of_valid_bp: u64,
    pub elected: bool,
}

/// A counting-board member as the report lists them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReportSigner {
    pub delegate_id: String,
    pub name: String,
    pub role: BodyRole,
    pub signed_at: Option<i64>,
}

/// The counting board's report (biên bản kiểm phiếu) of a closed secret vote, generated from
/// its result, the attendance at the close and the ballot counts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TallyReport {
    pub vote_id: u64,
    pub title: String,
    pub congress: String,
    /// The election and round, when the vote is a round.
    pub election_id: Option<u64>,
    pub round: Option<u32>,
    pub seats: u32,
    pub opened_at: i64,
    pub closed_at: i64,
    /// Ballots issued: the delegates present at the close (when the result recorded it).
    pub issued: Option<u64>,
    pub ballots: BallotCounts,
    pub rows: Vec<TallyRow>,
    pub rule: MajorityRule,
    pub basis_value: u64,
    pub votes_needed: Option<u64>,
    pub turnout: Option<TurnoutCheck>,
    /// Outcome code: `elected`, `insufficient_turnout`, `adopted`, `rejected`, …
    pub outcome: String,
    pub elected: Vec<String>,
    pub tie: Option<SeatTie>,
    pub unfilled_seats: u32,
    /// SHA-256 of the report's content (everything above), which members sign.
    pub report_sha256: String,
    pub board: Vec<ReportSigner>,
    /// Every member of the approved board signed.
    pub signed_off: bool,
}

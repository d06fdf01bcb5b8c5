//! Votes on the wire. These types mirror, field for field and with the same serde form, the
//! vote rules of `congress_domain::vote` (which converts to and from them; a test there checks
//! that both serialise alike).

use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VoteOption {
    pub id: u32,
    pub label: String,
}

/// Motion (for / against / abstain), choice of one option, or election of `seats`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum VoteKind {
    Motion,
    Choice {
        options: Vec<VoteOption>,
    },
    Election {
        seats: u32,
        candidates: Vec<VoteOption>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum KindName {
    Motion,
    Choice,
    Election,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Secrecy {
    Open,
    Secret,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Threshold {
    MoreThanHalf,
    AtLeastTwoThirds,
    AtLeastFraction { num: u32, den: u32 },
    Plurality,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Basis {
    ValidBallotsCast,
    DelegatesPresent,
    DelegatesConvened,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MajorityRule {
    pub threshold: Threshold,
    pub basis: Basis,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VoteSpec {
    pub id: u64,
    pub title: String,
    pub kind: VoteKind,
    pub secrecy: Secrecy,
    pub rule: MajorityRule,
    pub allow_change: bool,
    pub show_running_tally: bool,
    pub runoff_of: Option<u64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum MotionPosition {
    For,
    Against,
    Abstain,
}

/// What the delegate marked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum BallotChoice {
    Motion {
        position: MotionPosition,
    },
    Choice {
        option: u32,
    },
    /// The names kept; every other name is struck.
    Election {
        kept: Vec<u32>,
    },
    Blank,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BallotCounts {
    pub cast: u64,
    pub valid: u64,
    pub invalid: u64,
    pub blank: u64,
    pub struck_all: u64,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MotionCounts {
    #[serde(rename = "for")]
    pub for_: u64,
    pub against: u64,
    pub abstain: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OptionCount {
    pub option: u32,
    pub votes: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum VoteCounts {
    Motion {
        #[serde(rename = "for")]
        for_: u64,
        against: u64,
        abstain: u64,
    },
    Options {
        options: Vec<OptionCount>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SeatTie {
    pub tied: Vec<u32>,
    pub seats_left: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Outcome {
    Adopted,
    Rejected,
    Winner {
        option: u32,
    },
    TieForFirst {
        tied: Vec<u32>,
    },
    NoMajority,
    Election {
        elected: Vec<u32>,
        tie_for_last_seat: Option<SeatTie>,
        outranked: Vec<u32>,
        failed_threshold: Vec<u32>,
        unfilled_seats: u32,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VoteResult {
    pub vote: u64,
    pub kind: KindName,
    pub rule: MajorityRule,
    pub ballots: BallotCounts,
    pub counts: VoteCounts,
    pub basis_value: u64,
    pub votes_needed: Option<u64>,
    pub outcome: Outcome,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum VotePhase {
    Draft,
    Open {
        opened_at: i64,
        closes_at: Option<i64>,
    },
    Closed {
        opened_at: i64,
        closed_at: i64,
    },
}

/// A vote as clients see it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VoteInfo {
    pub spec: VoteSpec,
    pub phase: VotePhase,
    pub duration_s: Option<u32>,
    /// Ballots cast so far.
    pub cast: u64,
    /// The result, once closed.
    pub result: Option<VoteResult>,
    /// On a tablet: whether its delegate has voted.
    pub voted: Option<bool>,
    /// On a tablet, open votes only: its delegate's receipt (a secret vote's receipt is known
    /// only to the tablet that cast it).
    pub my_receipt: Option<String>,
}

/// Live turnout (and tally where allowed), coalesced by the server to a few a second.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VoteLive {
    pub vote_id: u64,
    pub cast: u64,
    pub present: u32,
    /// When the vote shows its running tally.
    pub counts: Option<VoteCounts>,
    /// Operators only, open (non-secret) votes only: delegates present who have not voted.
    pub not_voted: Option<Vec<String>>,
}

/// `POST /api/votes`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreateVote {
    pub client_id: String,
    pub title: String,
    pub kind: VoteKind,
    pub secrecy: Secrecy,
    /// Defaults to more than half of the valid ballots cast.
    #[serde(default)]
    pub rule: Option<MajorityRule>,
    #[serde(default)]
    pub allow_change: bool,
    #[serde(default)]
    pub show_running_tally: bool,
    #[serde(default)]
    pub duration_s: Option<u32>,
}

/// `POST /api/votes/{id}/open|close|runoff`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct VoteAction {
    pub client_id: String,
}

/// One ballot as published after the close. `delegate_id` only in open votes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PublishedBallot {
    pub receipt: String,
    pub choice: BallotChoice,
    pub status: String,
    pub delegate_id: Option<String>,
}

/// `GET /api/votes/{id}/result.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VoteExport {
    pub vote: VoteInfo,
    pub ballots: Vec<PublishedBallot>,
    /// Delegates who voted (sorted by id; in a secret vote this list is not linked to ballots).
    pub voters: Vec<String>,
}

/// Ack of a ballot: sent only once it is on disk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BallotAck {
    pub client_id: String,
    pub vote_id: u64,
    pub receipt: String,
}

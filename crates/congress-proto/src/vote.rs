//! Votes: what a vote is (kind, secrecy, majority rule), what a ballot says, and what a result
//! decided. One set of types for the rules (`congress_domain::vote`, which adds the behaviour:
//! validation, thresholds, tallies), the server, the store and the web apps (TypeScript
//! generated from here).

use std::fmt;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Identifies a vote. Chosen by the caller (the server numbers votes); runoffs get a new one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(transparent)]
pub struct VoteId(pub u64);

/// Identifies an option of a choice or a candidate of an election, within one vote.
///
/// A runoff keeps the ids of the options and candidates it carries over, so results of the two
/// rounds can be read side by side.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(transparent)]
pub struct OptionId(pub u32);

/// One line of a ballot: an option of a choice or a candidate of an election.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub struct VoteOption {
    /// What ballots refer to; unique within the vote.
    pub id: OptionId,
    /// What the tablet and the projector print, in the congress's language. Not used by the rules.
    pub label: String,
}

/// What is being decided, and so what a ballot may say.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum VoteKind {
    /// Approve or not: the agenda, the presidium list, a resolution. Ballots say for, against or
    /// abstain.
    Motion,
    /// Pick one of several options; a ballot names exactly one.
    Choice {
        /// The options in ballot order (the order the tablet shows them). At least two.
        options: Vec<VoteOption>,
    },
    /// Elect `seats` people from a list: the ballot keeps or strikes each name, as on paper.
    Election {
        /// How many are to be elected; a ballot keeping more names than this is invalid.
        seats: u32,
        /// The candidates in ballot order (usually alphabetical). May be fewer than `seats`:
        /// the seats that cannot be filled are reported as unfilled.
        candidates: Vec<VoteOption>,
    },
}

/// The name of a kind of vote or ballot, used in error messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum KindName {
    /// A motion: for / against / abstain.
    Motion,
    /// A choice of one option.
    Choice,
    /// An election from a candidate list.
    Election,
}

/// Whether the congress may see who voted what.
///
/// This module only uses it to say what may be shown; keeping a secret ballot unlinkable from
/// its voter is storage's job.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Secrecy {
    /// Who voted what is recorded and may be shown (and who has not yet voted, live).
    Open,
    /// Ballots are stored with no link to the delegate; only participation is kept, separately.
    Secret,
}

/// How many votes in favour are needed, as a share of a [`Basis`].
///
/// All comparisons are exact integer arithmetic. Whatever the threshold, zero votes never carry
/// anything.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Threshold {
    /// Strictly more than half of the basis (`2 * votes > basis`): exactly half fails.
    MoreThanHalf,
    /// At least two thirds of the basis (`3 * votes >= 2 * basis`): exactly two thirds passes.
    AtLeastTwoThirds,
    /// At least `num / den` of the basis (`votes * den >= basis * num`), for rules the congress
    /// adopts that are neither of the above (for example three quarters). Needs
    /// `0 < num <= den`.
    AtLeastFraction {
        /// Numerator of the share.
        num: u32,
        /// Denominator of the share; not zero.
        den: u32,
    },
    /// No minimum share: the most votes win. A motion passes with more for than against; a
    /// choice goes to the option with the most votes; an election elects the N highest. The
    /// basis is not used.
    Plurality,
}

/// What the threshold is a share of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Basis {
    /// The valid ballots cast: every ballot cast except invalid ones. Blank ballots, abstentions
    /// and election ballots striking every name are valid and count here.
    ValidBallotsCast,
    /// The delegates present (checked in), as counted by the caller, normally at the close. A
    /// delegate present who does not vote weighs like a vote against.
    DelegatesPresent,
    /// All delegates convened to the congress, present or not.
    DelegatesConvened,
}

/// The majority a vote needs: a threshold over a basis, chosen per vote.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub struct MajorityRule {
    /// How large a share is needed.
    pub threshold: Threshold,
    /// What it is a share of.
    pub basis: Basis,
}

/// A vote as the secretariat prepared it: everything the rules need to accept ballots and
/// compute the result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub struct VoteSpec {
    /// Which vote; ballots name it, so a ballot for another vote is never counted here.
    pub id: VoteId,
    /// The question as shown on the tablets and the projector. Not used by the rules.
    pub title: String,
    /// What is being decided and what a ballot may say.
    pub kind: VoteKind,
    /// Whether who voted what may be shown.
    pub secrecy: Secrecy,
    /// The majority needed, adopted by the congress for this vote.
    pub rule: MajorityRule,
    /// Whether a delegate may replace their ballot before the close (the operator decides per
    /// vote). When false a second ballot is refused.
    pub allow_change: bool,
    /// Whether the tally may be shown while the vote is open. Off by default, because a growing
    /// tally can sway those who have not voted yet; turnout is always shown.
    #[serde(default)]
    pub show_running_tally: bool,
    /// The vote whose tie or missing majority this one settles, so screens can say "runoff".
    #[serde(default)]
    pub runoff_of: Option<VoteId>,
    /// A secret vote whose ballots are encrypted on the tablets to the counting board's key
    /// (`docs/ballot-crypto.md`). Every secret vote created once the board's key exists is.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    #[ts(as = "Option<bool>", optional)]
    pub encrypted: bool,
    /// How many ballots must be cast for a result to be declared at all. Votes created before
    /// this existed have none (and keep their stored results).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub turnout: Option<TurnoutRule>,
}

/// The fewest ballots that must be cast for a vote's result to be declared, as a share of the
/// delegates present (at the close) or convened. Below it the outcome is
/// [`Outcome::InsufficientTurnout`]: nothing is adopted and nobody is elected.
///
/// [`Threshold::Plurality`] means "no minimum": one ballot is enough.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub struct TurnoutRule {
    /// How large a share of the basis must cast a ballot.
    pub threshold: Threshold,
    /// `delegates_present` or `delegates_convened` (`valid_ballots_cast` is refused).
    pub basis: Basis,
}

impl TurnoutRule {
    /// The rule every new vote gets unless the operator picks another: more than half of the
    /// delegates present cast a ballot.
    pub const MORE_THAN_HALF_OF_PRESENT: TurnoutRule = TurnoutRule {
        threshold: Threshold::MoreThanHalf,
        basis: Basis::DelegatesPresent,
    };
}

/// The turnout of a closed vote against its [`TurnoutRule`], as the result records it: the
/// attendance at the close, the ballots cast, and whether the result could be declared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub struct TurnoutCheck {
    /// The rule applied.
    pub rule: TurnoutRule,
    /// Ballots cast (valid and invalid).
    pub cast: u64,
    /// Delegates present at the close (the ballots issued).
    pub present: u64,
    /// Delegates convened at the close.
    pub convened: u64,
    /// The fewest ballots the rule needed.
    pub needed: u64,
    /// Whether `cast` met the rule.
    pub met: bool,
}

/// A position on a motion.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum MotionPosition {
    /// In favour: the only position that counts towards adoption.
    For,
    /// Against.
    Against,
    /// Abstains: a valid ballot that supports neither side (it counts in the basis).
    Abstain,
}

/// What the delegate marked, as the tablet sends it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum BallotChoice {
    /// A ballot on a motion.
    Motion {
        /// For, against or abstain.
        position: MotionPosition,
    },
    /// A ballot on a choice: exactly one option.
    Choice {
        /// The option chosen.
        option: OptionId,
    },
    /// An election ballot: the names kept; every other name on the list is struck. An empty
    /// list strikes everyone, which is a valid ballot supporting no one.
    Election {
        /// The candidates kept, each at most once, in any order.
        kept: Vec<OptionId>,
    },
    /// A blank ballot, allowed in every kind of vote: cast and valid, supporting nothing.
    Blank,
}

/// How many ballots there are of each status, as the minutes report them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub struct BallotCounts {
    /// Every ballot recorded: `valid + invalid`.
    pub cast: u64,
    /// Ballots that count in the basis "valid ballots cast"; includes blank ones and election
    /// ballots striking everyone.
    pub valid: u64,
    /// Spoiled ballots (election ballots keeping too many names): cast, but never counted.
    pub invalid: u64,
    /// Blank ballots (part of `valid`).
    pub blank: u64,
    /// Election ballots that strike every name (part of `valid`, not blank: the delegate marked
    /// the list).
    pub struck_all: u64,
}

/// The ballots on a motion by position (valid ballots only).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub struct MotionCounts {
    /// Ballots for; only these count towards adoption.
    #[serde(rename = "for")]
    pub for_: u64,
    /// Ballots against.
    pub against: u64,
    /// Abstentions (blank ballots are counted apart, in [`BallotCounts::blank`]).
    pub abstain: u64,
}

/// Votes for one option or candidate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub struct OptionCount {
    /// The option or candidate.
    pub option: OptionId,
    /// Valid ballots choosing the option, or keeping the candidate's name.
    pub votes: u64,
}

/// The counts by position or by option.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum VoteCounts {
    /// For a motion.
    Motion(MotionCounts),
    /// For a choice or an election, one entry per option in ballot order (zeros included, so
    /// the projector can draw every bar).
    Options {
        /// Votes per option, in ballot order.
        options: Vec<OptionCount>,
    },
}

/// A tie at the last seats of an election: more candidates have the same number of votes than
/// there are seats left for them. The system does not choose; a runoff does.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub struct SeatTie {
    /// The candidates with equal votes competing for the last seats, in ballot order.
    pub tied: Vec<OptionId>,
    /// How many seats they compete for (fewer than `tied.len()`).
    pub seats_left: u32,
}

/// What an election decided.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub struct ElectionOutcome {
    /// Elected, most votes first (equal votes in ballot order).
    pub elected: Vec<OptionId>,
    /// A tie for the last seat(s), if any; those seats are neither filled nor unfilled yet.
    pub tie_for_last_seat: Option<SeatTie>,
    /// Met the threshold but had fewer votes than those elected or tied, most votes first.
    pub outranked: Vec<OptionId>,
    /// Did not meet the threshold (or, under plurality, had no vote at all), in ballot order.
    pub failed_threshold: Vec<OptionId>,
    /// Seats no candidate could fill because too few met the threshold (or too few stood).
    pub unfilled_seats: u32,
}

/// What the vote decided.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Outcome {
    /// The motion is adopted.
    Adopted,
    /// The motion is not adopted.
    Rejected,
    /// The choice is decided.
    Winner {
        /// The option chosen.
        option: OptionId,
    },
    /// Two or more options that meet the threshold have the same, highest, number of votes.
    TieForFirst {
        /// The options tied, in ballot order.
        tied: Vec<OptionId>,
    },
    /// No option met the threshold (under plurality: no valid ballot chose any option).
    NoMajority,
    /// What the election decided.
    Election(ElectionOutcome),
    /// Too few ballots were cast for the vote's turnout rule: no result is declared (nothing
    /// adopted, nobody elected); the counts are kept for the record.
    InsufficientTurnout,
}

/// The result of a vote by its rule: the numbers the minutes record and what they decide.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub struct VoteResult {
    /// The vote counted.
    pub vote: VoteId,
    /// Its kind.
    pub kind: KindName,
    /// The rule applied.
    pub rule: MajorityRule,
    /// Ballots by status.
    pub ballots: BallotCounts,
    /// Votes by position or option.
    pub counts: VoteCounts,
    /// The size of the basis the threshold was applied to.
    pub basis_value: u64,
    /// The fewest votes that met the threshold; `None` under plurality.
    pub votes_needed: Option<u64>,
    /// What was decided.
    pub outcome: Outcome,
    /// The turnout against the vote's turnout rule, with the attendance at the close (votes
    /// without a turnout rule have none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub turnout: Option<TurnoutCheck>,
}

/// Where a vote is in its life.
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

impl fmt::Display for VoteId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "vote {}", self.0)
    }
}

impl From<VoteId> for u64 {
    fn from(id: VoteId) -> u64 {
        id.0
    }
}

impl fmt::Display for OptionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "option {}", self.0)
    }
}

impl VoteOption {
    /// An option with this id and label.
    pub fn new(id: u32, label: impl Into<String>) -> Self {
        Self {
            id: OptionId(id),
            label: label.into(),
        }
    }
}

impl VoteKind {
    /// The kind without its options, for messages.
    pub fn name(&self) -> KindName {
        match self {
            VoteKind::Motion => KindName::Motion,
            VoteKind::Choice { .. } => KindName::Choice,
            VoteKind::Election { .. } => KindName::Election,
        }
    }

    /// The options of a choice or the candidates of an election (none for a motion).
    pub fn options(&self) -> &[VoteOption] {
        match self {
            VoteKind::Motion => &[],
            VoteKind::Choice { options } => options,
            VoteKind::Election { candidates, .. } => candidates,
        }
    }
}

impl fmt::Display for KindName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            KindName::Motion => "motion",
            KindName::Choice => "choice",
            KindName::Election => "election",
        })
    }
}

impl MajorityRule {
    /// More than half of the valid ballots cast: the rule a new vote gets unless the operator
    /// picks another (`congress_domain::vote::default_rule`).
    pub const MORE_THAN_HALF_OF_VALID: MajorityRule = MajorityRule {
        threshold: Threshold::MoreThanHalf,
        basis: Basis::ValidBallotsCast,
    };
}

impl VoteSpec {
    /// A vote of this kind with the default rule (more than half of the valid ballots cast), no
    /// change of vote, and no running tally shown.
    pub fn new(id: VoteId, title: impl Into<String>, kind: VoteKind, secrecy: Secrecy) -> Self {
        Self {
            id,
            title: title.into(),
            kind,
            secrecy,
            rule: MajorityRule::MORE_THAN_HALF_OF_VALID,
            allow_change: false,
            show_running_tally: false,
            runoff_of: None,
            encrypted: false,
            turnout: None,
        }
    }
}

impl BallotChoice {
    /// The kind of vote this ballot is for, or `None` for a blank ballot, which fits any.
    pub fn kind(&self) -> Option<KindName> {
        match self {
            BallotChoice::Motion { .. } => Some(KindName::Motion),
            BallotChoice::Choice { .. } => Some(KindName::Choice),
            BallotChoice::Election { .. } => Some(KindName::Election),
            BallotChoice::Blank => None,
        }
    }
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
    /// An encrypted secret vote: what a tablet encrypts to, and the decryption's progress.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub encryption: Option<crate::board::VoteEncryption>,
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
    /// The fewest ballots for a result to be declared; defaults to more than half of the
    /// delegates present ([`TurnoutRule::MORE_THAN_HALF_OF_PRESENT`]).
    /// Left out when absent (a server from before turnout rules refuses the field).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub turnout: Option<TurnoutRule>,
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
    /// `valid`, `blank`, `struck_all` (an election ballot keeping no name: valid, counted apart)
    /// or `invalid`.
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
    /// An encrypted ballot's tracker (SHA-256 of its bytes, hex): find it on the bulletin board.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub tracker: Option<String>,
}

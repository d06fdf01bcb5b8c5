//! Votes and elections: kinds, ballots, validation, tally rules and results. Pure.
//!
//! Everything here is a function of its arguments: no clock, no I/O, no randomness. Ids (of the
//! vote, of a runoff) and attendance counts are passed in by the caller.
//!
//! # The decisions this module takes
//!
//! * **Three kinds of vote** ([`VoteKind`]): a motion (for / against / abstain), a choice of one
//!   option among several, and an election of `seats` from a candidate list where the ballot keeps
//!   or strikes each name.
//! * **Rejected versus invalid.** A ballot that does not fit the vote at all (wrong kind, unknown
//!   option or candidate, the same name twice) is *rejected* by [`validate`] with a
//!   [`BallotError`]: it is never stored and the delegate may try again. An election ballot that
//!   keeps more names than there are seats is *invalid but cast*, exactly like a spoiled paper
//!   ballot: it is recorded, counted in "ballots cast" and in "invalid ballots", and supports
//!   no one. Tablets warn before confirming such a ballot, so one that arrives was meant.
//! * **Blank ballots** ([`BallotChoice::Blank`]) are allowed in every kind of vote. A blank ballot
//!   is *valid*: it counts in the basis "valid ballots cast" and supports nothing, so it weighs
//!   like an abstention. An election ballot that strikes every name is also valid and supports no
//!   one; it is counted separately from blank ballots (as `struck_all`) but weighs the same.
//!   Invalid ballots never count in the basis "valid ballots cast" (Vietnamese practice: *phiếu
//!   không hợp lệ* are counted separately and excluded from the valid ballots).
//! * **Thresholds are exact.** A [`Threshold`] over a [`Basis`] is compared in integer arithmetic
//!   (`votes * den > basis * num`), never with floats. Nothing is ever carried by zero votes: a
//!   motion, option or candidate needs at least one vote in favour even when the threshold would
//!   be met by zero (for example "at least two thirds" of a basis of zero).
//! * **Defaults** ([`default_rule`]): more than half of the valid ballots cast, for every kind.
//!   For an election this is per candidate, and then the highest are elected up to the number of
//!   seats (the usual rule of a Vietnamese party congress).
//! * **Ties** are never broken by the system: a tie for the last seat or for first place is
//!   reported, and [`runoff`] makes the vote that settles it.

pub(crate) mod apply;
mod ballot;
pub mod encrypted;
pub mod lifecycle;
mod spec;
mod tally;

pub use ballot::{BallotError, BallotStatus, CastBallot, InvalidReason, validate};
/// The vote types are the wire's (`congress_proto::vote`): one definition for the rules, the
/// store, the server and the web apps. This module adds their behaviour.
pub use congress_proto::vote::{
    BallotChoice, BallotCounts, Basis, ElectionOutcome, KindName, MajorityRule, MotionCounts,
    MotionPosition, OptionCount, OptionId, Outcome, SeatTie, Secrecy, Threshold, TurnoutCheck,
    TurnoutRule, VoteCounts, VoteId, VoteKind, VoteOption, VoteResult, VoteSpec,
};
pub use spec::{SpecError, SpecRules, ThresholdRules, check_rule, default_rule};
pub use tally::{
    BasisCounts, RunningTally, TallyError, Turnout, from_slot_counts, runoff, tally, turnout_check,
};

/// What the secretariat and the tablets ask of votes.
#[derive(Debug, Clone, PartialEq)]
pub enum VoteCommand {
    /// Prepare a vote; its id is chosen by the domain (the next number).
    CreateVote {
        spec: VoteSpec,
        duration_s: Option<u32>,
    },
    OpenVote {
        vote_id: u64,
    },
    CloseVote {
        vote_id: u64,
    },
    CastBallot(lifecycle::BallotRequest),
    /// Prepare the runoff a closed vote's result calls for.
    CreateRunoff {
        from: u64,
    },
    /// A tablet's encrypted ballot in a secret vote (its credential is the tablet's own). The
    /// ballot's structure and signature were checked off the engine's thread (`SignedBallot`).
    CastEncrypted {
        vote_id: u64,
        delegate_id: String,
        credential: [u8; 32],
        ballot: Box<congress_ballot::SignedBallot>,
    },
    /// The server found an accepted encrypted ballot's proofs false: it does not count.
    RejectEncrypted {
        vote_id: u64,
        tracker: String,
        reason: String,
    },
    /// The server verified every ballot of a closed encrypted vote and summed them.
    RecordTally {
        vote_id: u64,
        tally: Vec<congress_ballot::WireCiphertext>,
        rejected: Vec<encrypted::Rejected>,
    },
    /// A counting board member's partial decryption of the tally.
    SubmitPartial {
        vote_id: u64,
        delegate_id: String,
        partial: congress_ballot::PartialDecryption,
    },
}

/// The votes' events. Secret ballots are never journalled one by one (see
/// [`VoteEvent::SecretBallotCast`] and `lifecycle`).
#[derive(
    Debug,
    Clone,
    PartialEq,
    serde::Serialize,
    serde::Deserialize,
    strum::IntoStaticStr,
    strum::VariantNames,
)]
#[serde(tag = "event", rename_all = "snake_case", deny_unknown_fields)]
#[strum(serialize_all = "snake_case")]
// `VoteClosed` carries the whole result (with its turnout check): one per vote, moved once;
// boxing it would only add an allocation per ballot event.
#[allow(clippy::large_enum_variant)]
pub enum VoteEvent {
    /// An encrypted ballot (base64 of its bytes) accepted from a delegate's tablet. The choice
    /// is encrypted to the counting board's key: nothing here reveals it.
    EncryptedBallotCast {
        vote_id: u64,
        delegate_id: String,
        tracker: String,
        ballot: congress_ballot::B64,
    },
    /// An accepted encrypted ballot's proofs failed: it is not counted, its delegate may vote again.
    EncryptedBallotRejected {
        vote_id: u64,
        tracker: String,
        reason: String,
    },
    /// An encrypted vote closed: no more ballots; the attendance its result is counted against.
    EncryptedVoteClosed {
        vote_id: u64,
        at: i64,
        present: u64,
        convened: u64,
    },
    /// The homomorphic tally of the verified ballots, per slot.
    EncryptedTallyRecorded {
        vote_id: u64,
        tally: Vec<congress_ballot::WireCiphertext>,
        counted: u64,
        rejected: Vec<encrypted::Rejected>,
    },
    /// A board member's partial decryption, its proof checked.
    PartialDecryptionAccepted {
        vote_id: u64,
        partial: congress_ballot::PartialDecryption,
    },
    /// Enough members decrypted: the counts per slot and the result by the vote's rule.
    EncryptedResultDeclared {
        vote_id: u64,
        at: i64,
        counts: Vec<u64>,
        result: VoteResult,
    },
    /// A vote is prepared (draft).
    VoteCreated {
        spec: VoteSpec,
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
        result: VoteResult,
        /// Secret votes: the sealed ballot box, (receipt, marks) sorted by receipt. Secret
        /// ballots are journalled only here, so journal order and time say nothing of them.
        #[serde(default)]
        sealed: Vec<(String, BallotChoice)>,
    },
    /// A ballot in an open (non-secret) vote: names the delegate.
    BallotCast {
        vote_id: u64,
        delegate_id: String,
        receipt: String,
        choice: BallotChoice,
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
        choice: BallotChoice,
    },
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod proptests;

/// Attendance counts for a result's basis, from the congress state.
pub fn apply_basis(state: &crate::CongressState) -> BasisCounts {
    apply::basis(state)
}

#[cfg(test)]
mod encrypted_tests;

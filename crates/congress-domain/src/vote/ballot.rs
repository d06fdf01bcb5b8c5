//! What a delegate marks, and the check that decides whether it is refused, recorded as valid,
//! or recorded as invalid.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use congress_proto::vote::{BallotChoice, KindName, OptionId, VoteId, VoteKind, VoteSpec};

/// Why a recorded ballot does not count, like a spoiled paper ballot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum InvalidReason {
    /// The election ballot keeps more names than there are seats.
    TooManyKept {
        /// Names kept.
        kept: u32,
        /// Seats to fill.
        seats: u32,
    },
}

/// How a recorded ballot counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum BallotStatus {
    /// A valid ballot with a mark (for, against, abstain, an option, or the names kept; an
    /// election ballot striking everyone is valid too).
    Valid,
    /// A blank ballot: valid, counted in the basis, supports nothing.
    Blank,
    /// Cast but invalid: counted as cast and as invalid, never in the basis, supports no one.
    Invalid {
        /// Why it does not count.
        #[serde(flatten)]
        reason: InvalidReason,
    },
}

/// A ballot accepted for recording in one vote: valid, blank, or invalid-but-cast.
///
/// Made by [`validate`]. The tally checks each ballot against the vote again, so one read back
/// from storage that does not fit the vote is refused rather than miscounted.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub struct CastBallot {
    /// The vote it was cast in.
    vote: VoteId,
    /// The marks, normalised: the names kept of an election ballot are sorted.
    choice: BallotChoice,
    /// How it counts.
    status: BallotStatus,
}

impl CastBallot {
    /// The vote this ballot was cast in.
    pub fn vote(&self) -> VoteId {
        self.vote
    }

    /// What the delegate marked (election names sorted by id).
    pub fn choice(&self) -> &BallotChoice {
        &self.choice
    }

    /// Whether it is valid, blank or invalid.
    pub fn status(&self) -> BallotStatus {
        self.status
    }
}

/// Why a ballot is refused at submission. A refused ballot is not stored and changes nothing;
/// the tablet says why and the delegate may vote again.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum BallotError {
    /// The ballot is for another kind of vote.
    #[error("this is a {got} ballot, but the vote is a {expected}")]
    WrongKind {
        /// The kind of the vote.
        expected: KindName,
        /// The kind of the ballot.
        got: KindName,
    },
    /// The option is not on this ballot.
    #[error("{option} is not one of the options of this vote")]
    UnknownOption {
        /// The option named.
        option: OptionId,
    },
    /// The candidate is not on this list.
    #[error("{candidate} is not on the candidate list of this vote")]
    UnknownCandidate {
        /// The candidate named.
        candidate: OptionId,
    },
    /// A name kept twice: the ballot is malformed, not a way to give two votes.
    #[error("{candidate} is kept more than once on the ballot")]
    DuplicateCandidate {
        /// The candidate named twice.
        candidate: OptionId,
    },
    /// A tablet's election ballot keeping more names than there are seats: refused so the
    /// delegate can correct it (on paper it would be spoiled; a tablet can say so first).
    #[error("the ballot keeps {kept} names but there are {seats} seats: strike some names")]
    TooManyKept {
        /// Names kept.
        kept: u32,
        /// Seats.
        seats: u32,
    },
}

/// Decides what becomes of a ballot: refused (`Err`), or recorded as valid, blank or invalid.
///
/// Refused: a ballot of the wrong kind, an unknown option or candidate, a candidate kept twice.
/// Recorded as invalid: an election ballot keeping more names than there are seats.
pub fn validate(spec: &VoteSpec, choice: &BallotChoice) -> Result<CastBallot, BallotError> {
    let (choice, status) = classify(&spec.kind, choice, |id| {
        spec.kind.options().iter().any(|o| o.id == id)
    })?;
    Ok(CastBallot {
        vote: spec.id,
        choice,
        status,
    })
}

/// The checks behind [`validate`], with the option lookup passed in so the tally can use an
/// index. Returns the normalised choice and its status.
pub(super) fn classify(
    kind: &VoteKind,
    choice: &BallotChoice,
    known: impl Fn(OptionId) -> bool,
) -> Result<(BallotChoice, BallotStatus), BallotError> {
    let wrong_kind = |got| BallotError::WrongKind {
        expected: kind.name(),
        got,
    };
    match (kind, choice) {
        (_, BallotChoice::Blank) => Ok((BallotChoice::Blank, BallotStatus::Blank)),
        (VoteKind::Motion, BallotChoice::Motion { .. }) => {
            Ok((choice.clone(), BallotStatus::Valid))
        }
        (VoteKind::Choice { .. }, BallotChoice::Choice { option }) => {
            if known(*option) {
                Ok((choice.clone(), BallotStatus::Valid))
            } else {
                Err(BallotError::UnknownOption { option: *option })
            }
        }
        (VoteKind::Election { seats, .. }, BallotChoice::Election { kept }) => {
            let mut set = BTreeSet::new();
            for &candidate in kept {
                if !known(candidate) {
                    return Err(BallotError::UnknownCandidate { candidate });
                }
                if !set.insert(candidate) {
                    return Err(BallotError::DuplicateCandidate { candidate });
                }
            }
            let count = u32::try_from(set.len()).unwrap_or(u32::MAX);
            let status = if count > *seats {
                BallotStatus::Invalid {
                    reason: InvalidReason::TooManyKept {
                        kept: count,
                        seats: *seats,
                    },
                }
            } else {
                BallotStatus::Valid
            };
            let kept = set.into_iter().collect();
            Ok((BallotChoice::Election { kept }, status))
        }
        (_, BallotChoice::Motion { .. }) => Err(wrong_kind(KindName::Motion)),
        (_, BallotChoice::Choice { .. }) => Err(wrong_kind(KindName::Choice)),
        (_, BallotChoice::Election { .. }) => Err(wrong_kind(KindName::Election)),
    }
}

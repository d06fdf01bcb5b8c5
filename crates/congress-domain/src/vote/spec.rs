//! What a vote is: its kind, secrecy and majority rule, and the checks a vote must pass before it
//! can be opened.

use std::collections::BTreeSet;

use congress_proto::vote::{
    Basis, MajorityRule, OptionId, Secrecy, Threshold, TurnoutRule, VoteKind, VoteOption, VoteSpec,
};
use serde::{Deserialize, Serialize};

/// The threshold's arithmetic (on the wire type [`Threshold`]).
pub trait ThresholdRules: Copy {
    /// Whether `votes` in favour meet this threshold over a basis of `basis`.
    fn is_met(self, votes: u64, basis: u64) -> bool;
    /// The fewest votes in favour that meet this threshold over `basis`.
    fn votes_needed(self, basis: u64) -> Option<u64>;
}

impl ThresholdRules for Threshold {
    /// Whether `votes` in favour meet this threshold over a basis of `basis`.
    ///
    /// For [`Threshold::Plurality`] this only says whether there is at least one vote; who has
    /// the most is decided by the tally.
    fn is_met(self, votes: u64, basis: u64) -> bool {
        if votes == 0 {
            return false;
        }
        let (v, b) = (u128::from(votes), u128::from(basis));
        match self {
            Threshold::MoreThanHalf => 2 * v > b,
            Threshold::AtLeastTwoThirds => 3 * v >= 2 * b,
            Threshold::AtLeastFraction { num, den } => v * u128::from(den) >= b * u128::from(num),
            Threshold::Plurality => true,
        }
    }

    /// The fewest votes in favour that meet this threshold over `basis`, for the projector
    /// ("needed: 226"). Always at least 1. `None` for [`Threshold::Plurality`], which has no
    /// fixed number, or for a fraction with a zero denominator (which [`VoteSpec::check`]
    /// refuses).
    fn votes_needed(self, basis: u64) -> Option<u64> {
        let b = u128::from(basis);
        let needed = match self {
            Threshold::MoreThanHalf => b / 2 + 1,
            Threshold::AtLeastTwoThirds => (2 * b).div_ceil(3),
            Threshold::AtLeastFraction { num, den } => {
                if den == 0 {
                    return None;
                }
                (b * u128::from(num)).div_ceil(u128::from(den))
            }
            Threshold::Plurality => return None,
        };
        // basis * num / den <= basis when num <= den; saturate for specs that were not checked.
        Some(u64::try_from(needed.max(1)).unwrap_or(u64::MAX))
    }
}

/// The rule a new vote gets unless the operator picks another.
///
/// More than half of the valid ballots cast for every kind:
/// * a motion is adopted when more than half of the valid ballots are "for" (abstentions and
///   blank ballots therefore weigh against, which is the cautious reading of "adopted by a
///   majority");
/// * a choice is decided when one option has more than half of the valid ballots; otherwise
///   [`runoff`](super::runoff) offers the two leaders;
/// * in an election each candidate needs more than half of the valid ballots, and then the
///   highest are elected up to the number of seats (the usual rule of a Vietnamese party
///   congress).
///
/// A congress whose regulation counts against the delegates convened or present picks that
/// basis per vote.
pub fn default_rule(kind: &VoteKind) -> MajorityRule {
    match kind {
        VoteKind::Motion | VoteKind::Choice { .. } | VoteKind::Election { .. } => {
            MajorityRule::MORE_THAN_HALF_OF_VALID
        }
    }
}

/// What a vote's secrecy allows to be shown, and the checks before it opens (on the wire type
/// [`VoteSpec`]).
pub trait SpecRules {
    /// Whether individual ballots may be shown with their voters' names (open votes only).
    fn shows_who_voted_what(&self) -> bool;
    /// Whether the console may list who has not voted yet (open votes only).
    fn shows_who_has_not_voted(&self) -> bool;
    /// Whether the tally may be shown while the vote is open.
    fn shows_running_tally(&self) -> bool;
    /// Checks that the vote can be opened: the options make sense and the rule is well formed.
    fn check(&self) -> Result<(), SpecError>;
}

impl SpecRules for VoteSpec {
    /// Whether individual ballots may be shown with their voters' names (open votes only).
    fn shows_who_voted_what(&self) -> bool {
        self.secrecy == Secrecy::Open
    }

    /// Whether the console may list who has not voted yet (open votes only: in a secret vote
    /// the list, watched over time, would reveal when each delegate voted).
    fn shows_who_has_not_voted(&self) -> bool {
        self.secrecy == Secrecy::Open
    }

    /// Whether the tally may be shown while the vote is open.
    fn shows_running_tally(&self) -> bool {
        self.show_running_tally
    }

    /// Checks that the vote can be opened: the options make sense and the rule is well formed.
    fn check(&self) -> Result<(), SpecError> {
        check_rule(self.rule, self.turnout)?;
        match &self.kind {
            VoteKind::Motion => Ok(()),
            VoteKind::Choice { options } => {
                if options.len() < 2 {
                    return Err(SpecError::TooFewOptions {
                        count: options.len(),
                    });
                }
                check_unique(options)
            }
            VoteKind::Election { seats, candidates } => {
                if *seats == 0 {
                    return Err(SpecError::NoSeats);
                }
                if candidates.is_empty() {
                    return Err(SpecError::NoCandidates);
                }
                check_unique(candidates)
            }
        }
    }
}

/// Checks a majority rule and a turnout rule: fractions between 0 and 1, a turnout counted over
/// delegates (present or convened), not ballots.
pub fn check_rule(rule: MajorityRule, turnout: Option<TurnoutRule>) -> Result<(), SpecError> {
    let fraction = |t: Threshold| match t {
        Threshold::AtLeastFraction { num, den } if den == 0 || num == 0 || num > den => {
            Err(SpecError::BadFraction { num, den })
        }
        _ => Ok(()),
    };
    fraction(rule.threshold)?;
    if let Some(t) = turnout {
        if t.basis == Basis::ValidBallotsCast {
            return Err(SpecError::TurnoutBasis);
        }
        fraction(t.threshold)?;
    }
    Ok(())
}

fn check_unique(options: &[VoteOption]) -> Result<(), SpecError> {
    let mut seen = BTreeSet::new();
    for option in options {
        if !seen.insert(option.id) {
            return Err(SpecError::DuplicateOption { option: option.id });
        }
    }
    Ok(())
}

/// Why a vote cannot be opened as prepared.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum SpecError {
    /// A choice needs something to choose between.
    #[error("a choice needs at least two options, this one has {count}")]
    TooFewOptions {
        /// How many options there are.
        count: usize,
    },
    /// Two lines of the ballot have the same id, so ballots could not tell them apart.
    #[error("{option} appears twice on the ballot")]
    DuplicateOption {
        /// The repeated id.
        option: OptionId,
    },
    /// An election must elect someone.
    #[error("an election needs at least one seat")]
    NoSeats,
    /// An election needs a candidate list.
    #[error("an election needs at least one candidate")]
    NoCandidates,
    /// A turnout rule counts delegates (present or convened), not ballots.
    #[error("a turnout rule is a share of the delegates present or convened, not of the ballots")]
    TurnoutBasis,
    /// A fraction threshold must be a share between 0 (excluded) and 1 (included).
    #[error("the threshold {num}/{den} is not a share between 0 and 1 (need 0 < num <= den)")]
    BadFraction {
        /// Numerator as given.
        num: u32,
        /// Denominator as given.
        den: u32,
    },
}

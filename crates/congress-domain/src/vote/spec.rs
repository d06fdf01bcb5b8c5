//! What a vote is: its kind, secrecy and majority rule, and the checks a vote must pass before it
//! can be opened.

use std::collections::BTreeSet;
use std::fmt;

use serde::{Deserialize, Serialize};

use super::VoteId;

/// Identifies an option of a choice or a candidate of an election, within one vote.
///
/// A runoff keeps the ids of the options and candidates it carries over, so results of the two
/// rounds can be read side by side.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct OptionId(pub u32);

impl fmt::Display for OptionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "option {}", self.0)
    }
}

/// One line of a ballot: an option of a choice or a candidate of an election.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub struct VoteOption {
    /// What ballots refer to; unique within the vote.
    pub id: OptionId,
    /// What the tablet and the projector print, in the congress's language. Not used by the rules.
    pub label: String,
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

/// What is being decided, and so what a ballot may say.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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

impl VoteKind {
    /// The kind without its options, for messages.
    pub fn name(&self) -> KindName {
        match self {
            VoteKind::Motion => KindName::Motion,
            VoteKind::Choice { .. } => KindName::Choice,
            VoteKind::Election { .. } => KindName::Election,
        }
    }

    /// The options of a choice or the candidates of an election; empty for a motion.
    pub fn options(&self) -> &[VoteOption] {
        match self {
            VoteKind::Motion => &[],
            VoteKind::Choice { options } => options,
            VoteKind::Election { candidates, .. } => candidates,
        }
    }
}

/// The name of a kind of vote or ballot, used in error messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KindName {
    /// A motion: for / against / abstain.
    Motion,
    /// A choice of one option.
    Choice,
    /// An election from a candidate list.
    Election,
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

/// Whether the congress may see who voted what.
///
/// This module only uses it to say what may be shown; keeping a secret ballot unlinkable from
/// its voter is storage's job.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
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

impl Threshold {
    /// Whether `votes` in favour meet this threshold over a basis of `basis`.
    ///
    /// For [`Threshold::Plurality`] this only says whether there is at least one vote; who has
    /// the most is decided by the tally.
    pub fn is_met(self, votes: u64, basis: u64) -> bool {
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
    pub fn votes_needed(self, basis: u64) -> Option<u64> {
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

/// What the threshold is a share of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub struct MajorityRule {
    /// How large a share is needed.
    pub threshold: Threshold,
    /// What it is a share of.
    pub basis: Basis,
}

impl MajorityRule {
    /// More than half of the valid ballots cast.
    pub const MORE_THAN_HALF_OF_VALID: MajorityRule = MajorityRule {
        threshold: Threshold::MoreThanHalf,
        basis: Basis::ValidBallotsCast,
    };
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

/// A vote as the secretariat prepared it: everything the rules need to accept ballots and
/// compute the result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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
}

impl VoteSpec {
    /// A vote of this kind with [`default_rule`], no change of vote, and no running tally shown.
    pub fn new(id: VoteId, title: impl Into<String>, kind: VoteKind, secrecy: Secrecy) -> Self {
        let rule = default_rule(&kind);
        Self {
            id,
            title: title.into(),
            kind,
            secrecy,
            rule,
            allow_change: false,
            show_running_tally: false,
            runoff_of: None,
        }
    }

    /// Whether individual ballots may be shown with their voters' names (open votes only).
    pub fn shows_who_voted_what(&self) -> bool {
        self.secrecy == Secrecy::Open
    }

    /// Whether the console may list who has not voted yet (open votes only: in a secret vote
    /// the list, watched over time, would reveal when each delegate voted).
    pub fn shows_who_has_not_voted(&self) -> bool {
        self.secrecy == Secrecy::Open
    }

    /// Whether the tally may be shown while the vote is open.
    pub fn shows_running_tally(&self) -> bool {
        self.show_running_tally
    }

    /// Checks that the vote can be opened: the options make sense and the rule is well formed.
    pub fn check(&self) -> Result<(), SpecError> {
        if let Threshold::AtLeastFraction { num, den } = self.rule.threshold
            && (den == 0 || num == 0 || num > den)
        {
            return Err(SpecError::BadFraction { num, den });
        }
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
    /// A fraction threshold must be a share between 0 (excluded) and 1 (included).
    #[error("the threshold {num}/{den} is not a share between 0 and 1 (need 0 < num <= den)")]
    BadFraction {
        /// Numerator as given.
        num: u32,
        /// Denominator as given.
        den: u32,
    },
}

//! Counting: the running tally, the result by the vote's rule, and the runoff a result calls for.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use congress_proto::vote::{
    BallotChoice, BallotCounts, Basis, ElectionOutcome, MotionCounts, MotionPosition, OptionCount,
    OptionId, Outcome, SeatTie, Threshold, TurnoutCheck, TurnoutRule, VoteCounts, VoteId, VoteKind,
    VoteResult, VoteSpec,
};

use super::ballot::{BallotError, BallotStatus, CastBallot, classify};
use super::spec::{SpecError, SpecRules, ThresholdRules};

/// Attendance as the caller counted it, for the bases that are not the ballots themselves.
///
/// Taken by the caller (normally at the close); the module does not know the time.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub struct BasisCounts {
    /// Delegates checked in, for [`Basis::DelegatesPresent`].
    pub present: u64,
    /// Delegates convened to the congress, for [`Basis::DelegatesConvened`].
    pub convened: u64,
}

/// Participation so far, always shown on the console and projector, secret vote or not.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub struct Turnout {
    /// Ballots cast (a changed ballot is still one).
    pub cast: u64,
    /// Delegates present, as given by the caller.
    pub present: u64,
    /// Delegates convened, as given by the caller.
    pub convened: u64,
}

impl Turnout {
    /// Delegates present who have not cast a ballot yet (0 if more were cast than are present
    /// now, as when someone voted and then left).
    pub fn not_yet_voted(&self) -> u64 {
        self.present.saturating_sub(self.cast)
    }
}

/// Why ballots cannot be counted. Each means a bug or tampering upstream, never a delegate's
/// mistake (those are refused by [`validate`](super::validate)).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum TallyError {
    /// The vote itself is malformed.
    #[error("the vote cannot be counted: {0}")]
    Spec(#[from] SpecError),
    /// The ballot was cast in another vote.
    #[error("a ballot of {found} cannot be counted in {expected}")]
    WrongVote {
        /// The vote being counted.
        expected: VoteId,
        /// The vote the ballot names.
        found: VoteId,
    },
    /// The recorded ballot does not fit the vote.
    #[error("a recorded ballot does not fit the vote: {0}")]
    Ballot(#[from] BallotError),
    /// The vote does not allow a delegate to change their ballot.
    #[error("{vote} does not allow a delegate to change their ballot")]
    ChangeNotAllowed {
        /// The vote.
        vote: VoteId,
    },
    /// The ballot to be replaced is not in this tally.
    #[error("the ballot being replaced was never counted in this tally")]
    NotCounted,
}

/// The raw counts, kept apart so that a replacement can be tried on a copy and then committed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Counts {
    ballots: BallotCounts,
    motion: MotionCounts,
    votes: Vec<u64>,
}

/// A tally that grows ballot by ballot while the vote is open, for live turnout and (where
/// allowed) the live tally. Its result always equals [`tally`] over the same ballots.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunningTally {
    spec: VoteSpec,
    index: BTreeMap<OptionId, usize>,
    counts: Counts,
}

impl RunningTally {
    /// An empty tally for a vote; refuses a vote that [`VoteSpec::check`] refuses.
    pub fn new(spec: &VoteSpec) -> Result<Self, SpecError> {
        spec.check()?;
        let options = spec.kind.options();
        let index = options.iter().enumerate().map(|(i, o)| (o.id, i)).collect();
        Ok(Self {
            spec: spec.clone(),
            index,
            counts: Counts {
                votes: vec![0; options.len()],
                ..Counts::default()
            },
        })
    }

    /// The vote being counted.
    pub fn spec(&self) -> &VoteSpec {
        &self.spec
    }

    /// Ballots so far by status.
    pub fn ballots(&self) -> BallotCounts {
        self.counts.ballots
    }

    /// Participation so far against the caller's attendance counts.
    pub fn turnout(&self, attendance: BasisCounts) -> Turnout {
        Turnout {
            cast: self.counts.ballots.cast,
            present: attendance.present,
            convened: attendance.convened,
        }
    }

    /// Counts one more ballot. On error nothing changes.
    pub fn add(&mut self, ballot: &CastBallot) -> Result<(), TallyError> {
        let (choice, status) = self.recheck(ballot)?;
        apply(&mut self.counts, &self.index, &choice, status, Sign::Add)
            .ok_or(TallyError::NotCounted)
    }

    /// Replaces a delegate's earlier ballot by a new one (a change of vote before the close).
    /// The number of ballots cast does not change. Refused when the vote does not allow
    /// changes, or when `old` was not counted here; on error nothing changes.
    pub fn replace(&mut self, old: &CastBallot, new: &CastBallot) -> Result<(), TallyError> {
        if !self.spec.allow_change {
            return Err(TallyError::ChangeNotAllowed { vote: self.spec.id });
        }
        let (old_choice, old_status) = self.recheck(old)?;
        let (new_choice, new_status) = self.recheck(new)?;
        let mut next = self.counts.clone();
        apply(
            &mut next,
            &self.index,
            &old_choice,
            old_status,
            Sign::Remove,
        )
        .ok_or(TallyError::NotCounted)?;
        apply(&mut next, &self.index, &new_choice, new_status, Sign::Add)
            .ok_or(TallyError::NotCounted)?;
        self.counts = next;
        Ok(())
    }

    /// The result if the vote closed now, by the vote's rule.
    pub fn result(&self, attendance: BasisCounts) -> VoteResult {
        decide(&self.spec, &self.counts, attendance)
    }

    /// Checks a recorded ballot against this vote again and returns its normalised choice and
    /// status as the rules see them (a stored status is not trusted).
    fn recheck(&self, ballot: &CastBallot) -> Result<(BallotChoice, BallotStatus), TallyError> {
        if ballot.vote() != self.spec.id {
            return Err(TallyError::WrongVote {
                expected: self.spec.id,
                found: ballot.vote(),
            });
        }
        Ok(classify(&self.spec.kind, ballot.choice(), |id| {
            self.index.contains_key(&id)
        })?)
    }
}

/// Counts the ballots of a vote and applies its rule.
///
/// `ballots` are the ballots recorded (one per delegate, the last one where a change was
/// allowed); `attendance` gives the bases other than the ballots. Fails only if the vote is
/// malformed or a ballot does not belong to it.
pub fn tally<'a>(
    spec: &VoteSpec,
    ballots: impl IntoIterator<Item = &'a CastBallot>,
    attendance: BasisCounts,
) -> Result<VoteResult, TallyError> {
    let mut running = RunningTally::new(spec)?;
    for ballot in ballots {
        running.add(ballot)?;
    }
    Ok(running.result(attendance))
}

/// The result of a vote whose ballots were counted elsewhere (an encrypted vote decrypted by
/// its counting board): `slots` holds the count per option in ballot order (a motion's: for,
/// against, abstain), then the blank ballots; `cast` the ballots counted, every one valid (the
/// proofs made sure of it). An election ballot striking every name is valid but cannot be told
/// apart in the encrypted sums, so `struck_all` stays 0.
pub fn from_slot_counts(
    spec: &VoteSpec,
    slots: &[u64],
    cast: u64,
    attendance: BasisCounts,
) -> Result<VoteResult, TallyError> {
    spec.check()?;
    let options = spec.kind.options().len();
    let (marks, blank) = match &spec.kind {
        VoteKind::Motion => (3, slots.get(3).copied().unwrap_or(0)),
        _ => (options, slots.get(options).copied().unwrap_or(0)),
    };
    if slots.len() < marks {
        return Err(TallyError::NotCounted);
    }
    let mut counts = Counts {
        ballots: BallotCounts {
            cast,
            valid: cast,
            invalid: 0,
            blank,
            struck_all: 0,
        },
        votes: vec![0; options],
        ..Counts::default()
    };
    match &spec.kind {
        VoteKind::Motion => {
            counts.motion = MotionCounts {
                for_: slots[0],
                against: slots[1],
                abstain: slots[2],
            };
        }
        _ => counts.votes.copy_from_slice(&slots[..options]),
    }
    Ok(decide(spec, &counts, attendance))
}

#[derive(Clone, Copy)]
enum Sign {
    Add,
    Remove,
}

/// Adds or removes one ballot's marks. `None` when a count would go below zero (removing a
/// ballot that was not there) or overflow; the counts may then be half updated, so callers
/// apply to a copy or to a fresh ballot only.
fn apply(
    counts: &mut Counts,
    index: &BTreeMap<OptionId, usize>,
    choice: &BallotChoice,
    status: BallotStatus,
    sign: Sign,
) -> Option<()> {
    // Check first that every count can move, then move them, so `add` never half-applies.
    let mut cells: Vec<&mut u64> = Vec::new();
    let b = &mut counts.ballots;
    cells.push(&mut b.cast);
    match status {
        BallotStatus::Invalid { .. } => cells.push(&mut b.invalid),
        BallotStatus::Blank => {
            cells.push(&mut b.valid);
            cells.push(&mut b.blank);
        }
        BallotStatus::Valid => {
            cells.push(&mut b.valid);
            match choice {
                BallotChoice::Motion { position } => cells.push(match position {
                    MotionPosition::For => &mut counts.motion.for_,
                    MotionPosition::Against => &mut counts.motion.against,
                    MotionPosition::Abstain => &mut counts.motion.abstain,
                }),
                BallotChoice::Choice { option } => {
                    let i = *index.get(option)?;
                    cells.push(counts.votes.get_mut(i)?);
                }
                BallotChoice::Election { kept } => {
                    if kept.is_empty() {
                        cells.push(&mut b.struck_all);
                    }
                    // `kept` is normalised (sorted, no duplicates), so each cell appears once.
                    let mut wanted = kept
                        .iter()
                        .filter_map(|id| index.get(id).copied())
                        .collect::<Vec<_>>();
                    if wanted.len() != kept.len() {
                        return None;
                    }
                    wanted.sort_unstable();
                    let mut it = wanted.into_iter().peekable();
                    for (i, cell) in counts.votes.iter_mut().enumerate() {
                        if it.peek() == Some(&i) {
                            it.next();
                            cells.push(cell);
                        }
                    }
                }
                BallotChoice::Blank => {}
            }
        }
    }
    let step = |v: u64| match sign {
        Sign::Add => v.checked_add(1),
        Sign::Remove => v.checked_sub(1),
    };
    if cells.iter().any(|c| step(**c).is_none()) {
        return None;
    }
    for cell in cells {
        *cell = step(*cell)?;
    }
    Some(())
}

fn decide(spec: &VoteSpec, counts: &Counts, attendance: BasisCounts) -> VoteResult {
    let rule = spec.rule;
    let basis_value = match rule.basis {
        Basis::ValidBallotsCast => counts.ballots.valid,
        Basis::DelegatesPresent => attendance.present,
        Basis::DelegatesConvened => attendance.convened,
    };
    let threshold = rule.threshold;
    let meets = |votes: u64| threshold.is_met(votes, basis_value);
    let options: Vec<OptionCount> = spec
        .kind
        .options()
        .iter()
        .zip(&counts.votes)
        .map(|(o, &votes)| OptionCount {
            option: o.id,
            votes,
        })
        .collect();

    let (vote_counts, outcome) = match &spec.kind {
        VoteKind::Motion => {
            let m = counts.motion;
            let adopted = match threshold {
                Threshold::Plurality => m.for_ > m.against,
                _ => meets(m.for_),
            };
            let outcome = if adopted {
                Outcome::Adopted
            } else {
                Outcome::Rejected
            };
            (VoteCounts::Motion(m), outcome)
        }
        VoteKind::Choice { .. } => {
            let passing: Vec<&OptionCount> = options.iter().filter(|o| meets(o.votes)).collect();
            let top = passing.iter().map(|o| o.votes).max();
            let leaders: Vec<OptionId> = passing
                .iter()
                .filter(|o| Some(o.votes) == top)
                .map(|o| o.option)
                .collect();
            let outcome = match leaders.as_slice() {
                [] => Outcome::NoMajority,
                [one] => Outcome::Winner { option: *one },
                _ => Outcome::TieForFirst { tied: leaders },
            };
            (VoteCounts::Options { options }, outcome)
        }
        VoteKind::Election { seats, .. } => {
            let outcome = Outcome::Election(elect(*seats, &options, meets));
            (VoteCounts::Options { options }, outcome)
        }
    };

    let turnout = spec
        .turnout
        .map(|t| turnout_check(t, counts.ballots.cast, attendance));
    let outcome = match turnout {
        Some(check) if !check.met => Outcome::InsufficientTurnout,
        _ => outcome,
    };
    VoteResult {
        vote: spec.id,
        kind: spec.kind.name(),
        rule,
        ballots: counts.ballots,
        counts: vote_counts,
        basis_value,
        votes_needed: threshold.votes_needed(basis_value),
        outcome,
        turnout,
    }
}

/// The turnout of `cast` ballots against `rule`, with the attendance at the close. Under
/// [`Threshold::Plurality`] one ballot is enough.
pub fn turnout_check(rule: TurnoutRule, cast: u64, attendance: BasisCounts) -> TurnoutCheck {
    let basis = match rule.basis {
        Basis::DelegatesConvened => attendance.convened,
        Basis::DelegatesPresent | Basis::ValidBallotsCast => attendance.present,
    };
    let needed = rule.threshold.votes_needed(basis).unwrap_or(1).max(1);
    TurnoutCheck {
        rule,
        cast,
        present: attendance.present,
        convened: attendance.convened,
        needed,
        met: cast >= needed,
    }
}

fn elect(seats: u32, options: &[OptionCount], meets: impl Fn(u64) -> bool) -> ElectionOutcome {
    let seats_usize = usize::try_from(seats).unwrap_or(usize::MAX);
    let (mut passing, failing): (Vec<&OptionCount>, Vec<&OptionCount>) =
        options.iter().partition(|o| meets(o.votes));
    // Stable: equal votes stay in ballot order.
    passing.sort_by_key(|o| std::cmp::Reverse(o.votes));

    let mut elected = Vec::new();
    let mut tie = None;
    let mut outranked = Vec::new();
    if passing.len() <= seats_usize {
        elected.extend(passing.iter().map(|o| o.option));
    } else {
        // The votes of the last seat's holder, and whether the first one left out has as many.
        let last = passing.get(seats_usize.saturating_sub(1)).map(|o| o.votes);
        let next = passing.get(seats_usize).map(|o| o.votes);
        match (last, next) {
            (Some(last), Some(next)) if last == next => {
                let mut tied = Vec::new();
                for o in &passing {
                    if o.votes > last {
                        elected.push(o.option);
                    } else if o.votes == last {
                        tied.push(o.option);
                    } else {
                        outranked.push(o.option);
                    }
                }
                // Ballot order for the tied, as documented on `SeatTie`.
                tied.sort_by_key(|id| options.iter().position(|o| o.option == *id));
                let seats_left =
                    seats.saturating_sub(u32::try_from(elected.len()).unwrap_or(u32::MAX));
                tie = Some(SeatTie { tied, seats_left });
            }
            _ => {
                for (i, o) in passing.iter().enumerate() {
                    if i < seats_usize {
                        elected.push(o.option);
                    } else {
                        outranked.push(o.option);
                    }
                }
            }
        }
    }
    let taken = elected.len() + tie.as_ref().map_or(0, |t: &SeatTie| t.seats_left as usize);
    let unfilled_seats = seats.saturating_sub(u32::try_from(taken).unwrap_or(u32::MAX));
    ElectionOutcome {
        elected,
        tie_for_last_seat: tie,
        outranked,
        failed_threshold: failing.iter().map(|o| o.option).collect(),
        unfilled_seats,
    }
}

/// The vote that settles a result, made in one step, or `None` when the result needs none.
///
/// * An election with a tie for the last seat(s): an election among the tied candidates only,
///   for the seats left.
/// * A choice tied for first place: a choice among the tied options.
/// * A choice where no option met the threshold: a choice between the two options with the
///   most votes, plus any option tied with the second (so nothing is decided by ballot order).
/// * Otherwise (a motion; an election without a tie, even with unfilled seats, since whether to
///   hold another round and with which candidates is for the congress to decide): `None`; also
///   when `result` is not a result of `spec`.
///
/// The runoff keeps the title, secrecy, rule, change policy and running-tally setting of the
/// original and records it in `runoff_of`; the operator may still adjust it before opening.
pub fn runoff(spec: &VoteSpec, result: &VoteResult, new_id: VoteId) -> Option<VoteSpec> {
    if result.vote != spec.id || result.kind != spec.kind.name() {
        return None;
    }
    let keep = |ids: &[OptionId]| -> Vec<_> {
        spec.kind
            .options()
            .iter()
            .filter(|o| ids.contains(&o.id))
            .cloned()
            .collect()
    };
    let kind = match (&spec.kind, &result.outcome) {
        (
            VoteKind::Election { .. },
            Outcome::Election(ElectionOutcome {
                tie_for_last_seat: Some(tie),
                ..
            }),
        ) => VoteKind::Election {
            seats: tie.seats_left,
            candidates: keep(&tie.tied),
        },
        (VoteKind::Choice { .. }, Outcome::TieForFirst { tied }) => VoteKind::Choice {
            options: keep(tied),
        },
        (VoteKind::Choice { .. }, Outcome::NoMajority) => {
            let VoteCounts::Options { options } = &result.counts else {
                return None;
            };
            let mut votes: Vec<u64> = options.iter().map(|o| o.votes).collect();
            votes.sort_unstable_by_key(|v| std::cmp::Reverse(*v));
            let second = *votes.get(1)?;
            let leaders: Vec<OptionId> = options
                .iter()
                .filter(|o| o.votes >= second)
                .map(|o| o.option)
                .collect();
            VoteKind::Choice {
                options: keep(&leaders),
            }
        }
        _ => return None,
    };
    let next = VoteSpec {
        encrypted: spec.encrypted,
        id: new_id,
        title: spec.title.clone(),
        kind,
        secrecy: spec.secrecy,
        rule: spec.rule,
        allow_change: spec.allow_change,
        show_running_tally: spec.show_running_tally,
        runoff_of: Some(spec.id),
        turnout: spec.turnout,
    };
    next.check().ok().map(|()| next)
}

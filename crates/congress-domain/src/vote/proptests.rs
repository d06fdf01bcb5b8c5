//! Property tests: the tally against a deliberately naive reference count written here from the
//! rules in prose, the running tally against the full tally, and the threshold arithmetic.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use proptest::prelude::*;

use super::*;

// ------------------------------------------------------------------ generators

fn threshold() -> impl Strategy<Value = Threshold> {
    prop_oneof![
        Just(Threshold::MoreThanHalf),
        Just(Threshold::AtLeastTwoThirds),
        Just(Threshold::Plurality),
        (1u32..=6)
            .prop_flat_map(|den| (1..=den, Just(den)))
            .prop_map(|(num, den)| Threshold::AtLeastFraction { num, den }),
    ]
}

fn basis() -> impl Strategy<Value = Basis> {
    prop_oneof![
        Just(Basis::ValidBallotsCast),
        Just(Basis::DelegatesPresent),
        Just(Basis::DelegatesConvened),
    ]
}

/// Distinct, non-contiguous ids in a shuffled ballot order, so that neither "id = index" nor
/// "ballot order = id order" can hide a bug.
fn option_list(min: usize, max: usize) -> impl Strategy<Value = Vec<VoteOption>> {
    proptest::collection::btree_set(0u32..40, min..=max)
        .prop_map(|set| set.into_iter().collect::<Vec<_>>())
        .prop_shuffle()
        .prop_map(|ids| {
            ids.into_iter()
                .map(|i| VoteOption::new(i, format!("#{i}")))
                .collect()
        })
}

fn kind() -> impl Strategy<Value = VoteKind> {
    prop_oneof![
        Just(VoteKind::Motion),
        option_list(2, 5).prop_map(|options| VoteKind::Choice { options }),
        (1u32..=4, option_list(1, 6))
            .prop_map(|(seats, candidates)| VoteKind::Election { seats, candidates }),
    ]
}

fn turnout() -> impl Strategy<Value = Option<TurnoutRule>> {
    prop_oneof![
        Just(None),
        (threshold(), any::<bool>()).prop_map(|(threshold, convened)| Some(TurnoutRule {
            threshold,
            basis: if convened {
                Basis::DelegatesConvened
            } else {
                Basis::DelegatesPresent
            },
        })),
    ]
}

fn spec() -> impl Strategy<Value = VoteSpec> {
    (
        kind(),
        threshold(),
        basis(),
        any::<bool>(),
        any::<bool>(),
        turnout(),
    )
        .prop_map(|(kind, threshold, basis, allow_change, secret, turnout)| {
            let secrecy = if secret {
                Secrecy::Secret
            } else {
                Secrecy::Open
            };
            let mut s = VoteSpec::new(VoteId(1), "q", kind, secrecy);
            s.rule = MajorityRule { threshold, basis };
            s.allow_change = allow_change;
            s.turnout = turnout;
            s
        })
}

/// A raw ballot of any shape, including ones for the wrong kind, unknown ids and duplicates.
fn any_choice() -> impl Strategy<Value = BallotChoice> {
    let id = || (0u32..42).prop_map(OptionId);
    prop_oneof![
        1 => Just(BallotChoice::Blank),
        3 => prop_oneof![
            Just(MotionPosition::For),
            Just(MotionPosition::Against),
            Just(MotionPosition::Abstain)
        ]
        .prop_map(|position| BallotChoice::Motion { position }),
        3 => id().prop_map(|option| BallotChoice::Choice { option }),
        3 => proptest::collection::vec(id(), 0..7).prop_map(|kept| BallotChoice::Election { kept }),
    ]
}

/// Mostly well-formed ballots for this spec, with some arbitrary ones mixed in.
fn choice_for(spec: &VoteSpec) -> BoxedStrategy<BallotChoice> {
    let ids: Vec<OptionId> = spec.kind.options().iter().map(|o| o.id).collect();
    let fitting = match &spec.kind {
        VoteKind::Motion => prop_oneof![
            Just(MotionPosition::For),
            Just(MotionPosition::Against),
            Just(MotionPosition::Abstain)
        ]
        .prop_map(|position| BallotChoice::Motion { position })
        .boxed(),
        VoteKind::Choice { .. } => proptest::sample::select(ids)
            .prop_map(|option| BallotChoice::Choice { option })
            .boxed(),
        VoteKind::Election { .. } => proptest::sample::subsequence(ids.clone(), 0..=ids.len())
            .prop_shuffle()
            .prop_map(|kept| BallotChoice::Election { kept })
            .boxed(),
    };
    prop_oneof![8 => fitting, 1 => Just(BallotChoice::Blank), 1 => any_choice()].boxed()
}

fn case() -> impl Strategy<Value = (VoteSpec, Vec<BallotChoice>, u64, u64)> {
    spec().prop_flat_map(|spec| {
        let ballots = proptest::collection::vec(choice_for(&spec), 0..40);
        (Just(spec), ballots, 0u64..50, 0u64..30)
            .prop_map(|(s, b, present, extra)| (s, b, present, present + extra))
    })
}

// ------------------------------------------------------------------ the reference count

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RefStatus {
    Refused,
    Valid,
    Blank,
    Invalid,
}

/// The rules in prose: blank fits anything; a ballot must be of the vote's kind; a choice names
/// an option of the vote; an election ballot names candidates of the list, each at most once,
/// and is invalid if it keeps more than `seats`.
fn ref_status(spec: &VoteSpec, choice: &BallotChoice) -> RefStatus {
    let on_list = |id: &OptionId| spec.kind.options().iter().any(|o| o.id == *id);
    match (&spec.kind, choice) {
        (_, BallotChoice::Blank) => RefStatus::Blank,
        (VoteKind::Motion, BallotChoice::Motion { .. }) => RefStatus::Valid,
        (VoteKind::Choice { .. }, BallotChoice::Choice { option }) => {
            if on_list(option) {
                RefStatus::Valid
            } else {
                RefStatus::Refused
            }
        }
        (VoteKind::Election { seats, .. }, BallotChoice::Election { kept }) => {
            for (i, a) in kept.iter().enumerate() {
                if !on_list(a) {
                    return RefStatus::Refused;
                }
                for b in &kept[..i] {
                    if a == b {
                        return RefStatus::Refused;
                    }
                }
            }
            if kept.len() > *seats as usize {
                RefStatus::Invalid
            } else {
                RefStatus::Valid
            }
        }
        _ => RefStatus::Refused,
    }
}

/// `votes` meet the threshold over `basis`: at least one vote, and `votes / basis` compared to
/// the fraction by cross-multiplication.
fn ref_meets(t: Threshold, votes: u64, basis: u64) -> bool {
    if votes == 0 {
        return false;
    }
    let (num, den, strict) = match t {
        Threshold::MoreThanHalf => (1u128, 2u128, true),
        Threshold::AtLeastTwoThirds => (2, 3, false),
        Threshold::AtLeastFraction { num, den } => (num as u128, den as u128, false),
        Threshold::Plurality => return true,
    };
    let lhs = votes as u128 * den;
    let rhs = basis as u128 * num;
    if strict { lhs > rhs } else { lhs >= rhs }
}

fn ref_result(
    spec: &VoteSpec,
    choices: &[BallotChoice],
    present: u64,
    convened: u64,
) -> VoteResult {
    let counted: Vec<(&BallotChoice, RefStatus)> = choices
        .iter()
        .map(|c| (c, ref_status(spec, c)))
        .filter(|(_, s)| *s != RefStatus::Refused)
        .collect();
    let mut ballots = BallotCounts::default();
    let mut motion = MotionCounts::default();
    for (c, s) in &counted {
        ballots.cast += 1;
        match s {
            RefStatus::Invalid => ballots.invalid += 1,
            RefStatus::Blank => {
                ballots.valid += 1;
                ballots.blank += 1;
            }
            RefStatus::Valid => {
                ballots.valid += 1;
                match c {
                    BallotChoice::Motion {
                        position: MotionPosition::For,
                    } => motion.for_ += 1,
                    BallotChoice::Motion {
                        position: MotionPosition::Against,
                    } => motion.against += 1,
                    BallotChoice::Motion {
                        position: MotionPosition::Abstain,
                    } => motion.abstain += 1,
                    BallotChoice::Election { kept } if kept.is_empty() => ballots.struck_all += 1,
                    _ => {}
                }
            }
            RefStatus::Refused => unreachable!(),
        }
    }
    let mut per_option = Vec::new();
    for o in spec.kind.options() {
        let mut n = 0;
        for (c, s) in &counted {
            if *s != RefStatus::Valid {
                continue;
            }
            match c {
                BallotChoice::Choice { option } if *option == o.id => n += 1,
                BallotChoice::Election { kept } if kept.contains(&o.id) => n += 1,
                _ => {}
            }
        }
        per_option.push(OptionCount {
            option: o.id,
            votes: n,
        });
    }
    let basis_value = match spec.rule.basis {
        Basis::ValidBallotsCast => ballots.valid,
        Basis::DelegatesPresent => present,
        Basis::DelegatesConvened => convened,
    };
    let t = spec.rule.threshold;
    let meets = |v: u64| ref_meets(t, v, basis_value);
    let votes_needed = match t {
        Threshold::Plurality => None,
        _ => (1..=basis_value + 1).find(|&v| meets(v)),
    };
    let position = |id: OptionId| spec.kind.options().iter().position(|o| o.id == id).unwrap();
    let by_rank = |list: &mut Vec<OptionCount>| {
        list.sort_by(|a, b| {
            b.votes
                .cmp(&a.votes)
                .then(position(a.option).cmp(&position(b.option)))
        })
    };

    let (counts, outcome) = match &spec.kind {
        VoteKind::Motion => {
            let adopted = if t == Threshold::Plurality {
                motion.for_ > motion.against
            } else {
                meets(motion.for_)
            };
            let o = if adopted {
                Outcome::Adopted
            } else {
                Outcome::Rejected
            };
            (VoteCounts::Motion(motion), o)
        }
        VoteKind::Choice { .. } => {
            let passing: Vec<&OptionCount> = per_option.iter().filter(|o| meets(o.votes)).collect();
            let mut best = 0;
            for p in &passing {
                best = best.max(p.votes);
            }
            let leaders: Vec<OptionId> = passing
                .iter()
                .filter(|p| p.votes == best)
                .map(|p| p.option)
                .collect();
            let o = if leaders.is_empty() {
                Outcome::NoMajority
            } else if leaders.len() == 1 {
                Outcome::Winner { option: leaders[0] }
            } else {
                Outcome::TieForFirst { tied: leaders }
            };
            (
                VoteCounts::Options {
                    options: per_option.clone(),
                },
                o,
            )
        }
        VoteKind::Election { seats, .. } => {
            let seats = *seats as usize;
            let passing: Vec<OptionCount> = per_option
                .iter()
                .copied()
                .filter(|o| meets(o.votes))
                .collect();
            let mut elected = Vec::new();
            let mut tied = Vec::new();
            let mut outranked = Vec::new();
            let mut failed = Vec::new();
            for o in &per_option {
                if !meets(o.votes) {
                    failed.push(o.option);
                    continue;
                }
                let above = passing.iter().filter(|p| p.votes > o.votes).count();
                let equal = passing.iter().filter(|p| p.votes == o.votes).count();
                if above + equal <= seats {
                    elected.push(*o);
                } else if above < seats {
                    tied.push(o.option);
                } else {
                    outranked.push(*o);
                }
            }
            by_rank(&mut elected);
            by_rank(&mut outranked);
            let seats_left = seats - elected.len();
            let tie = if tied.is_empty() {
                None
            } else {
                Some(SeatTie {
                    tied,
                    seats_left: seats_left as u32,
                })
            };
            let unfilled = if tie.is_some() { 0 } else { seats_left };
            let o = Outcome::Election(ElectionOutcome {
                elected: elected.iter().map(|o| o.option).collect(),
                tie_for_last_seat: tie,
                outranked: outranked.iter().map(|o| o.option).collect(),
                failed_threshold: failed,
                unfilled_seats: unfilled as u32,
            });
            (
                VoteCounts::Options {
                    options: per_option.clone(),
                },
                o,
            )
        }
    };
    // The turnout rule, counted the slow way: the fewest ballots whose share of the basis meets
    // the threshold (one ballot under plurality).
    let turnout = spec.turnout.map(|rule| {
        let base = match rule.basis {
            Basis::DelegatesConvened => convened,
            _ => present,
        };
        let needed = match rule.threshold {
            Threshold::Plurality => 1,
            t => (1..=base + 1).find(|&v| ref_meets(t, v, base)).unwrap_or(1),
        };
        TurnoutCheck {
            rule,
            cast: ballots.cast,
            present,
            convened,
            needed,
            met: ballots.cast >= needed,
        }
    });
    let outcome = if turnout.is_some_and(|t| !t.met) {
        Outcome::InsufficientTurnout
    } else {
        outcome
    };
    VoteResult {
        vote: spec.id,
        kind: spec.kind.name(),
        rule: spec.rule,
        ballots,
        counts,
        basis_value,
        votes_needed,
        outcome,
        turnout,
    }
}

fn status_of(b: &CastBallot) -> RefStatus {
    match b.status() {
        BallotStatus::Valid => RefStatus::Valid,
        BallotStatus::Blank => RefStatus::Blank,
        BallotStatus::Invalid { .. } => RefStatus::Invalid,
    }
}

// ------------------------------------------------------------------ properties

proptest! {
    // Shrinking is bounded so that a broken rule fails in seconds, not minutes.
    #![proptest_config(ProptestConfig {
        cases: 2000,
        max_shrink_time: 10_000,
        ..ProptestConfig::default()
    })]

    /// `validate` refuses exactly what the reference refuses, and classifies the rest the same.
    #[test]
    fn validate_matches_reference(spec in spec(), choice in any_choice()) {
        let expected = ref_status(&spec, &choice);
        match validate(&spec, &choice) {
            Err(_) => prop_assert_eq!(expected, RefStatus::Refused),
            Ok(b) => {
                prop_assert_eq!(status_of(&b), expected);
                prop_assert_eq!(b.vote(), spec.id);
            }
        }
    }

    /// The tally equals the naive reference count, for random votes and ballot sets.
    #[test]
    fn tally_matches_reference((spec, choices, present, convened) in case()) {
        let cast: Vec<CastBallot> = choices.iter().filter_map(|c| validate(&spec, c).ok()).collect();
        let got = tally(&spec, &cast, BasisCounts { present, convened }).unwrap();
        let want = ref_result(&spec, &choices, present, convened);
        prop_assert_eq!(&got, &want);
        // And the invariants the minutes rely on.
        prop_assert_eq!(got.ballots.cast, got.ballots.valid + got.ballots.invalid);
        prop_assert!(got.ballots.blank + got.ballots.struck_all <= got.ballots.valid);
        if let Outcome::Election(e) = &got.outcome {
            let VoteKind::Election { seats, candidates } = &spec.kind else { unreachable!() };
            let tie_seats = e.tie_for_last_seat.as_ref().map_or(0, |t| t.seats_left);
            prop_assert_eq!(e.elected.len() as u32 + tie_seats + e.unfilled_seats, *seats);
            let tied = e.tie_for_last_seat.as_ref().map_or(0, |t| t.tied.len());
            prop_assert_eq!(
                e.elected.len() + tied + e.outranked.len() + e.failed_threshold.len(),
                candidates.len()
            );
        }
        // The wire form round-trips.
        let json = serde_json::to_string(&got).unwrap();
        prop_assert_eq!(serde_json::from_str::<VoteResult>(&json).unwrap(), got);
    }

    /// A running tally fed ballots one by one, with changes of vote, equals the tally of the
    /// final ballots; a change is refused (and changes nothing) when the vote does not allow it.
    #[test]
    fn running_tally_equals_full_tally(
        (spec, ops, present, convened) in spec().prop_flat_map(|spec| {
            let ops = proptest::collection::vec((0usize..12, choice_for(&spec)), 0..60);
            (Just(spec), ops, 0u64..50, 0u64..80)
        })
    ) {
        let counts = BasisCounts { present, convened };
        let mut running = RunningTally::new(&spec).unwrap();
        let mut held: Vec<Option<(CastBallot, BallotChoice)>> = vec![None; 12];
        for (voter, choice) in &ops {
            let Ok(ballot) = validate(&spec, choice) else { continue };
            match &held[*voter] {
                None => {
                    running.add(&ballot).unwrap();
                    held[*voter] = Some((ballot, choice.clone()));
                }
                Some((old, _)) => {
                    let before = running.clone();
                    let r = running.replace(old, &ballot);
                    if spec.allow_change {
                        r.unwrap();
                        held[*voter] = Some((ballot, choice.clone()));
                    } else {
                        prop_assert_eq!(r, Err(TallyError::ChangeNotAllowed { vote: spec.id }));
                        prop_assert_eq!(&running, &before);
                    }
                }
            }
            let voters = held.iter().filter(|h| h.is_some()).count() as u64;
            prop_assert_eq!(running.turnout(counts).cast, voters);
        }
        let final_ballots: Vec<CastBallot> = held.iter().flatten().map(|(b, _)| b.clone()).collect();
        let final_choices: Vec<BallotChoice> = held.iter().flatten().map(|(_, c)| c.clone()).collect();
        let full = tally(&spec, &final_ballots, counts).unwrap();
        prop_assert_eq!(&running.result(counts), &full);
        prop_assert_eq!(&full, &ref_result(&spec, &final_choices, present, convened));
    }

    /// `votes_needed` is exactly the smallest number of votes that `is_met` accepts, at any size.
    #[test]
    fn votes_needed_is_the_least_passing_count(
        t in threshold(),
        basis in prop_oneof![0u64..2000, any::<u64>()],
        delta in 0u64..3,
    ) {
        match t.votes_needed(basis) {
            None => prop_assert_eq!(t, Threshold::Plurality),
            Some(n) => {
                prop_assert!(n >= 1);
                prop_assert!(t.is_met(n, basis));
                prop_assert!(!t.is_met(n - 1, basis));
                prop_assert!(t.is_met(n.saturating_add(delta), basis));
                prop_assert!(n - 1 < delta + 1 || !t.is_met(n - 1 - delta, basis));
                prop_assert_eq!(t.is_met(n, basis), ref_meets(t, n, basis));
                prop_assert_eq!(t.is_met(n - 1, basis), ref_meets(t, n - 1, basis));
            }
        }
    }

    /// A runoff is offered exactly for a seat tie, a tie for first, or a choice without
    /// majority; it is a well-formed vote over the contenders only, for the seats left.
    #[test]
    fn runoff_is_well_formed((spec, choices, present, convened) in case()) {
        let cast: Vec<CastBallot> = choices.iter().filter_map(|c| validate(&spec, c).ok()).collect();
        let result = tally(&spec, &cast, BasisCounts { present, convened }).unwrap();
        let next = runoff(&spec, &result, VoteId(2));
        let expected = matches!(
            &result.outcome,
            Outcome::TieForFirst { .. }
                | Outcome::NoMajority
                | Outcome::Election(ElectionOutcome { tie_for_last_seat: Some(_), .. })
        );
        prop_assert_eq!(next.is_some(), expected);
        if let Some(next) = next {
            prop_assert_eq!(next.check(), Ok(()));
            prop_assert_eq!(next.runoff_of, Some(spec.id));
            prop_assert_eq!(next.id, VoteId(2));
            prop_assert_eq!(next.rule, spec.rule);
            prop_assert_eq!(next.secrecy, spec.secrecy);
            for o in next.kind.options() {
                prop_assert!(spec.kind.options().contains(o));
            }
            match (&result.outcome, &next.kind) {
                (Outcome::Election(e), VoteKind::Election { seats, candidates }) => {
                    let tie = e.tie_for_last_seat.clone().unwrap();
                    prop_assert_eq!(*seats, tie.seats_left);
                    prop_assert!((*seats as usize) < candidates.len());
                    let ids: Vec<OptionId> = candidates.iter().map(|c| c.id).collect();
                    prop_assert_eq!(ids, tie.tied);
                }
                (Outcome::TieForFirst { tied }, VoteKind::Choice { options }) => {
                    let ids: Vec<OptionId> = options.iter().map(|c| c.id).collect();
                    prop_assert_eq!(&ids, tied);
                }
                (Outcome::NoMajority, VoteKind::Choice { options }) => {
                    prop_assert!(options.len() >= 2);
                    // Every option left out has fewer votes than every option kept.
                    let VoteCounts::Options { options: counts } = &result.counts else { unreachable!() };
                    let votes = |id: OptionId| counts.iter().find(|c| c.option == id).unwrap().votes;
                    let kept_min = options.iter().map(|o| votes(o.id)).min().unwrap();
                    for c in counts {
                        if !options.iter().any(|o| o.id == c.option) {
                            prop_assert!(c.votes < kept_min);
                        }
                    }
                    // At most two, unless there is a tie at the second place.
                    let mut sorted: Vec<u64> = counts.iter().map(|c| c.votes).collect();
                    sorted.sort_unstable_by(|a, b| b.cmp(a));
                    if options.len() > 2 {
                        prop_assert_eq!(kept_min, sorted[1]);
                    }
                }
                (o, k) => prop_assert!(false, "unexpected runoff {:?} for {:?}", k, o),
            }
        }
        prop_assert_eq!(runoff(&spec, &result, VoteId(2)).is_some(), expected);
        let mut other = spec.clone();
        other.id = VoteId(99);
        prop_assert_eq!(runoff(&other, &result, VoteId(2)), None);
    }

    /// Spec and ballot wire forms round-trip.
    #[test]
    fn serde_round_trips(spec in spec(), choice in any_choice()) {
        let json = serde_json::to_string(&spec).unwrap();
        prop_assert_eq!(serde_json::from_str::<VoteSpec>(&json).unwrap(), spec.clone());
        let json = serde_json::to_string(&choice).unwrap();
        prop_assert_eq!(serde_json::from_str::<BallotChoice>(&json).unwrap(), choice.clone());
        if let Ok(b) = validate(&spec, &choice) {
            let json = serde_json::to_string(&b).unwrap();
            prop_assert_eq!(serde_json::from_str::<CastBallot>(&json).unwrap(), b);
        }
    }
}

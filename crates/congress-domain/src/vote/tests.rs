//! Edge cases of the rules, one by one.
//!
//! (Over 600 lines on purpose: one test per rule of the tally, with its worked example.)
#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;

const ID: VoteId = VoteId(7);

fn motion(rule: MajorityRule) -> VoteSpec {
    let mut s = VoteSpec::new(ID, "Approve the agenda", VoteKind::Motion, Secrecy::Open);
    s.rule = rule;
    s
}

fn choice(n: u32, rule: MajorityRule) -> VoteSpec {
    let options = (1..=n)
        .map(|i| VoteOption::new(i, format!("Option {i}")))
        .collect();
    let mut s = VoteSpec::new(ID, "Venue", VoteKind::Choice { options }, Secrecy::Secret);
    s.rule = rule;
    s
}

fn election(seats: u32, candidates: u32, rule: MajorityRule) -> VoteSpec {
    let candidates = (1..=candidates)
        .map(|i| VoteOption::new(i, format!("Candidate {i}")))
        .collect();
    let mut s = VoteSpec::new(
        ID,
        "Provincial committee",
        VoteKind::Election { seats, candidates },
        Secrecy::Secret,
    );
    s.rule = rule;
    s
}

fn rule(threshold: Threshold, basis: Basis) -> MajorityRule {
    MajorityRule { threshold, basis }
}

fn m(position: MotionPosition) -> BallotChoice {
    BallotChoice::Motion { position }
}

fn c(option: u32) -> BallotChoice {
    BallotChoice::Choice {
        option: OptionId(option),
    }
}

fn e(kept: &[u32]) -> BallotChoice {
    BallotChoice::Election {
        kept: kept.iter().map(|&i| OptionId(i)).collect(),
    }
}

fn ids(v: &[u32]) -> Vec<OptionId> {
    v.iter().map(|&i| OptionId(i)).collect()
}

fn cast(spec: &VoteSpec, choices: &[(BallotChoice, usize)]) -> Vec<CastBallot> {
    let mut out = Vec::new();
    for (choice, n) in choices {
        for _ in 0..*n {
            out.push(validate(spec, choice).unwrap());
        }
    }
    out
}

fn run(
    spec: &VoteSpec,
    choices: &[(BallotChoice, usize)],
    present: u64,
    convened: u64,
) -> VoteResult {
    let ballots = cast(spec, choices);
    tally(spec, &ballots, BasisCounts { present, convened }).unwrap()
}

fn motion_outcome(r: MajorityRule, f: usize, a: usize, ab: usize, blank: usize) -> Outcome {
    use MotionPosition::*;
    let spec = motion(r);
    run(
        &spec,
        &[
            (m(For), f),
            (m(Against), a),
            (m(Abstain), ab),
            (BallotChoice::Blank, blank),
        ],
        1000,
        1000,
    )
    .outcome
}

fn election_outcome(r: &VoteResult) -> &ElectionOutcome {
    match &r.outcome {
        Outcome::Election(e) => e,
        other => panic!("not an election outcome: {other:?}"),
    }
}

// ---------------------------------------------------------------- thresholds

#[test]
fn more_than_half_exactly_half_fails_half_plus_one_passes() {
    let t = Threshold::MoreThanHalf;
    assert!(!t.is_met(50, 100));
    assert!(t.is_met(51, 100));
    assert!(!t.is_met(49, 99));
    assert!(t.is_met(50, 99));
    assert_eq!(t.votes_needed(100), Some(51));
    assert_eq!(t.votes_needed(99), Some(50));
    assert_eq!(t.votes_needed(1), Some(1));
    assert_eq!(t.votes_needed(2), Some(2));
}

#[test]
fn two_thirds_divisible_and_not() {
    let t = Threshold::AtLeastTwoThirds;
    // Divisible: exactly two thirds passes, one less fails.
    assert!(t.is_met(300, 450));
    assert!(!t.is_met(299, 450));
    assert_eq!(t.votes_needed(450), Some(300));
    // 451 * 2 / 3 = 300.67: 300 fails, 301 passes.
    assert!(!t.is_met(300, 451));
    assert!(t.is_met(301, 451));
    assert_eq!(t.votes_needed(451), Some(301));
    // 452 * 2 / 3 = 301.33: 301 fails, 302 passes.
    assert!(!t.is_met(301, 452));
    assert!(t.is_met(302, 452));
    assert_eq!(t.votes_needed(452), Some(302));
    // A national congress.
    assert_eq!(t.votes_needed(1600), Some(1067));
    assert!(!t.is_met(1066, 1600));
    assert!(t.is_met(1067, 1600));
}

#[test]
fn fraction_threshold_is_inclusive_and_exact() {
    let t = Threshold::AtLeastFraction { num: 3, den: 4 };
    assert!(t.is_met(75, 100));
    assert!(!t.is_met(74, 100));
    assert!(t.is_met(76, 101)); // 75.75
    assert!(!t.is_met(75, 101));
    assert_eq!(t.votes_needed(101), Some(76));
    let half = Threshold::AtLeastFraction { num: 1, den: 2 };
    assert!(half.is_met(50, 100)); // at least half: exactly half passes
    let all = Threshold::AtLeastFraction { num: 1, den: 1 };
    assert!(all.is_met(10, 10));
    assert!(!all.is_met(9, 10));
}

#[test]
fn huge_counts_do_not_overflow() {
    let t = Threshold::AtLeastFraction {
        num: u32::MAX - 1,
        den: u32::MAX,
    };
    assert!(t.is_met(u64::MAX, u64::MAX));
    assert!(Threshold::MoreThanHalf.is_met(u64::MAX / 2 + 1, u64::MAX));
    assert!(!Threshold::MoreThanHalf.is_met(u64::MAX / 2, u64::MAX));
    assert_eq!(
        Threshold::AtLeastTwoThirds.votes_needed(u64::MAX),
        Some(u64::MAX / 3 * 2)
    );
    assert!(Threshold::AtLeastTwoThirds.is_met(u64::MAX / 3 * 2, u64::MAX));
    assert!(!Threshold::AtLeastTwoThirds.is_met(u64::MAX / 3 * 2 - 1, u64::MAX));
}

#[test]
fn zero_votes_never_carry_even_over_a_zero_basis() {
    for t in [
        Threshold::MoreThanHalf,
        Threshold::AtLeastTwoThirds,
        Threshold::AtLeastFraction { num: 1, den: 3 },
        Threshold::Plurality,
    ] {
        assert!(!t.is_met(0, 0), "{t:?}");
        assert!(!t.is_met(0, 10), "{t:?}");
    }
    assert_eq!(Threshold::AtLeastTwoThirds.votes_needed(0), Some(1));
    assert_eq!(Threshold::MoreThanHalf.votes_needed(0), Some(1));
    assert_eq!(Threshold::Plurality.votes_needed(10), None);
}

// ---------------------------------------------------------------- motions

#[test]
fn motion_exactly_half_is_rejected_half_plus_one_adopted() {
    let r = MajorityRule::MORE_THAN_HALF_OF_VALID;
    assert_eq!(motion_outcome(r, 50, 50, 0, 0), Outcome::Rejected);
    assert_eq!(motion_outcome(r, 51, 49, 0, 0), Outcome::Adopted);
    // Abstentions and blank ballots are valid and count in the basis.
    assert_eq!(motion_outcome(r, 50, 10, 30, 10), Outcome::Rejected);
    assert_eq!(motion_outcome(r, 51, 10, 29, 10), Outcome::Adopted);
    assert_eq!(motion_outcome(r, 50, 10, 40, 0), Outcome::Rejected);
}

#[test]
fn motion_with_no_ballots_is_rejected_under_every_rule() {
    for threshold in [
        Threshold::MoreThanHalf,
        Threshold::AtLeastTwoThirds,
        Threshold::AtLeastFraction { num: 1, den: 4 },
        Threshold::Plurality,
    ] {
        for basis in [
            Basis::ValidBallotsCast,
            Basis::DelegatesPresent,
            Basis::DelegatesConvened,
        ] {
            let spec = motion(rule(threshold, basis));
            let r = tally(&spec, &[], BasisCounts::default()).unwrap();
            assert_eq!(r.outcome, Outcome::Rejected, "{threshold:?} {basis:?}");
            assert_eq!(r.ballots, BallotCounts::default());
        }
    }
}

#[test]
fn motion_two_thirds_of_valid() {
    let r = rule(Threshold::AtLeastTwoThirds, Basis::ValidBallotsCast);
    assert_eq!(motion_outcome(r, 300, 150, 0, 0), Outcome::Adopted);
    assert_eq!(motion_outcome(r, 299, 151, 0, 0), Outcome::Rejected);
    assert_eq!(motion_outcome(r, 300, 150, 1, 0), Outcome::Rejected); // 451 valid
    assert_eq!(motion_outcome(r, 301, 150, 1, 0), Outcome::Rejected); // 301 of 452 < 2/3
    assert_eq!(motion_outcome(r, 302, 149, 1, 0), Outcome::Adopted); // 302 of 452 > 2/3
}

#[test]
fn motion_basis_present_versus_convened() {
    use MotionPosition::*;
    // 450 convened, 400 present, 300 voted: 210 for.
    let choices = [(m(For), 210), (m(Against), 90)];
    let present = motion(rule(Threshold::MoreThanHalf, Basis::DelegatesPresent));
    let r = run(&present, &choices, 400, 450);
    assert_eq!(r.basis_value, 400);
    assert_eq!(r.votes_needed, Some(201));
    assert_eq!(r.outcome, Outcome::Adopted);

    let convened = motion(rule(Threshold::MoreThanHalf, Basis::DelegatesConvened));
    let r = run(&convened, &choices, 400, 450);
    assert_eq!(r.basis_value, 450);
    assert_eq!(r.votes_needed, Some(226));
    assert_eq!(r.outcome, Outcome::Rejected);

    let valid = motion(MajorityRule::MORE_THAN_HALF_OF_VALID);
    let r = run(&valid, &choices, 400, 450);
    assert_eq!(r.basis_value, 300);
    assert_eq!(r.outcome, Outcome::Adopted);

    // Exactly half of those present.
    let r = run(&present, &[(m(For), 200), (m(Against), 10)], 400, 450);
    assert_eq!(r.outcome, Outcome::Rejected);
}

#[test]
fn motion_plurality_is_more_for_than_against() {
    let r = rule(Threshold::Plurality, Basis::DelegatesConvened);
    assert_eq!(motion_outcome(r, 10, 9, 100, 5), Outcome::Adopted);
    assert_eq!(motion_outcome(r, 10, 10, 0, 0), Outcome::Rejected);
    assert_eq!(motion_outcome(r, 0, 0, 10, 0), Outcome::Rejected);
}

// ---------------------------------------------------------------- choices

#[test]
fn choice_majority_winner_and_no_majority() {
    let spec = choice(3, MajorityRule::MORE_THAN_HALF_OF_VALID);
    let r = run(&spec, &[(c(1), 51), (c(2), 30), (c(3), 19)], 0, 0);
    assert_eq!(
        r.outcome,
        Outcome::Winner {
            option: OptionId(1)
        }
    );

    let r = run(&spec, &[(c(1), 50), (c(2), 30), (c(3), 20)], 0, 0);
    assert_eq!(r.outcome, Outcome::NoMajority);
    let next = runoff(&spec, &r, VoteId(8)).unwrap();
    assert_eq!(next.runoff_of, Some(ID));
    assert_eq!(next.id, VoteId(8));
    let VoteKind::Choice { options } = &next.kind else {
        panic!("not a choice")
    };
    assert_eq!(
        options.iter().map(|o| o.id).collect::<Vec<_>>(),
        ids(&[1, 2])
    );
}

#[test]
fn choice_runoff_takes_everyone_tied_for_second() {
    let spec = choice(4, MajorityRule::MORE_THAN_HALF_OF_VALID);
    let r = run(
        &spec,
        &[(c(1), 40), (c(2), 20), (c(3), 20), (c(4), 20)],
        0,
        0,
    );
    assert_eq!(r.outcome, Outcome::NoMajority);
    let next = runoff(&spec, &r, VoteId(8)).unwrap();
    assert_eq!(next.kind.options().len(), 4);
    let r = run(
        &spec,
        &[(c(1), 40), (c(2), 30), (c(3), 20), (c(4), 10)],
        0,
        0,
    );
    let next = runoff(&spec, &r, VoteId(8)).unwrap();
    assert_eq!(
        next.kind.options().iter().map(|o| o.id).collect::<Vec<_>>(),
        ids(&[1, 2])
    );
}

#[test]
fn choice_plurality_tie_for_first() {
    let spec = choice(3, rule(Threshold::Plurality, Basis::ValidBallotsCast));
    let r = run(&spec, &[(c(1), 10), (c(2), 10), (c(3), 9)], 0, 0);
    assert_eq!(r.outcome, Outcome::TieForFirst { tied: ids(&[1, 2]) });
    let next = runoff(&spec, &r, VoteId(9)).unwrap();
    assert_eq!(
        next.kind.options().iter().map(|o| o.id).collect::<Vec<_>>(),
        ids(&[1, 2])
    );
    let r = run(&spec, &[(c(3), 1)], 0, 0);
    assert_eq!(
        r.outcome,
        Outcome::Winner {
            option: OptionId(3)
        }
    );
    let r = run(&spec, &[(BallotChoice::Blank, 5)], 0, 0);
    assert_eq!(r.outcome, Outcome::NoMajority);
}

#[test]
fn choice_low_threshold_ties_between_passing_options() {
    let spec = choice(
        3,
        rule(
            Threshold::AtLeastFraction { num: 1, den: 3 },
            Basis::ValidBallotsCast,
        ),
    );
    let r = run(&spec, &[(c(1), 40), (c(2), 40), (c(3), 20)], 0, 0);
    assert_eq!(r.outcome, Outcome::TieForFirst { tied: ids(&[1, 2]) });
    let r = run(&spec, &[(c(1), 41), (c(2), 40), (c(3), 19)], 0, 0);
    assert_eq!(
        r.outcome,
        Outcome::Winner {
            option: OptionId(1)
        }
    );
}

#[test]
fn blank_ballots_count_in_the_valid_basis() {
    let spec = choice(2, MajorityRule::MORE_THAN_HALF_OF_VALID);
    let r = run(
        &spec,
        &[(c(1), 10), (c(2), 5), (BallotChoice::Blank, 5)],
        0,
        0,
    );
    assert_eq!(r.ballots.valid, 20);
    assert_eq!(r.ballots.blank, 5);
    assert_eq!(r.ballots.cast, 20);
    assert_eq!(r.outcome, Outcome::NoMajority);
}

// ---------------------------------------------------------------- elections

#[test]
fn election_elects_the_highest_over_the_threshold() {
    let spec = election(2, 4, MajorityRule::MORE_THAN_HALF_OF_VALID);
    // 10 ballots. 1: 9, 2: 7, 3: 6, 4: 3.
    let r = run(
        &spec,
        &[
            (e(&[1, 2]), 3),
            (e(&[1, 3]), 3),
            (e(&[2, 3]), 1),
            (e(&[1, 4]), 3),
        ],
        0,
        0,
    );
    // Candidate 1: 9, 2: 4, 3: 4, 4: 3; six votes needed.
    let o = election_outcome(&r);
    assert_eq!(r.ballots.valid, 10);
    assert_eq!(r.votes_needed, Some(6));
    assert_eq!(o.elected, ids(&[1]));
    assert_eq!(o.failed_threshold, ids(&[2, 3, 4]));
    assert_eq!(o.unfilled_seats, 1);
    assert_eq!(o.tie_for_last_seat, None);
    assert_eq!(
        runoff(&spec, &r, VoteId(8)),
        None,
        "unfilled seats are for the congress to decide"
    );
}

#[test]
fn election_ranks_and_outranks() {
    let spec = election(2, 4, MajorityRule::MORE_THAN_HALF_OF_VALID);
    // 1: 10, 2: 9, 3: 8, 4: 0 out of 10.
    let r = run(
        &spec,
        &[
            (e(&[1, 2]), 8),
            (e(&[1, 3]), 1),
            (e(&[2, 3]), 1),
            (e(&[3, 1]), 0),
        ],
        0,
        0,
    );
    let o = election_outcome(&r);
    assert_eq!(o.elected, ids(&[1, 2]));
    let r = run(
        &spec,
        &[(e(&[1, 3]), 6), (e(&[2, 3]), 2), (e(&[1, 2]), 2)],
        0,
        0,
    );
    // 1: 8, 2: 4, 3: 8.
    let o = election_outcome(&r);
    assert_eq!(o.elected, ids(&[1, 3]));
    assert_eq!(o.failed_threshold, ids(&[2, 4]));
    let r = run(
        &spec,
        &[(e(&[1, 3]), 5), (e(&[2, 3]), 3), (e(&[1, 2]), 2)],
        0,
        0,
    );
    // 1: 7, 2: 5, 3: 8 → 3 then 1 elected.
    let o = election_outcome(&r);
    assert_eq!(o.elected, ids(&[3, 1]));
    assert_eq!(o.outranked, Vec::<OptionId>::new());
    let spec3 = election(1, 3, MajorityRule::MORE_THAN_HALF_OF_VALID);
    let r = run(
        &spec3,
        &[(e(&[1]), 0), (e(&[]), 0), (e(&[2]), 6), (e(&[]), 4)],
        0,
        0,
    );
    assert_eq!(election_outcome(&r).elected, ids(&[2]));
    let spec_lo = election(
        1,
        3,
        rule(
            Threshold::AtLeastFraction { num: 1, den: 3 },
            Basis::ValidBallotsCast,
        ),
    );
    let r = run(&spec_lo, &[(e(&[1]), 5), (e(&[2]), 4), (e(&[3]), 1)], 0, 0);
    let o = election_outcome(&r);
    assert_eq!(o.elected, ids(&[1]));
    assert_eq!(o.outranked, ids(&[2]));
    assert_eq!(o.failed_threshold, ids(&[3]));
}

#[test]
fn election_tie_for_the_last_seat() {
    let spec = election(3, 5, rule(Threshold::Plurality, Basis::ValidBallotsCast));
    let r = run(
        &spec,
        &[
            (e(&[1, 2, 3]), 2),
            (e(&[1, 3, 4]), 2),
            (e(&[1, 2, 4]), 4),
            (e(&[1, 2, 3]), 0),
            (e(&[3, 4, 5]), 2),
            (e(&[2, 3]), 2),
        ],
        0,
        0,
    );
    let counts: Vec<u64> = match &r.counts {
        VoteCounts::Options { options } => options.iter().map(|o| o.votes).collect(),
        VoteCounts::Motion(_) => panic!(),
    };
    assert_eq!(counts, vec![8, 8, 8, 8, 2]);
    // All four at 8 for three seats: nobody is elected yet, four tied for three seats.
    let o = election_outcome(&r);
    assert_eq!(o.elected, Vec::<OptionId>::new());
    assert_eq!(
        o.tie_for_last_seat,
        Some(SeatTie {
            tied: ids(&[1, 2, 3, 4]),
            seats_left: 3
        })
    );
    assert_eq!(o.outranked, ids(&[5]));
    assert_eq!(o.unfilled_seats, 0);

    let r = run(
        &spec,
        &[(e(&[1, 2, 3]), 3), (e(&[1, 4, 5]), 2), (e(&[1]), 1)],
        0,
        0,
    );
    // 1: 6, 2: 3, 3: 3, 4: 2, 5: 2 → 1, 2, 3 elected; no tie (the tie 4 = 5 is below the line).
    let o = election_outcome(&r);
    assert_eq!(o.elected, ids(&[1, 2, 3]));
    assert_eq!(o.tie_for_last_seat, None);
    assert_eq!(o.outranked, ids(&[4, 5]));

    let r = run(
        &spec,
        &[(e(&[1, 2, 3]), 3), (e(&[1, 2, 4]), 2), (e(&[1, 2]), 1)],
        0,
        0,
    );
    // 1: 6, 2: 6, 3: 3, 4: 2, 5: 0 → 1, 2, 3; 5 has no vote.
    let o = election_outcome(&r);
    assert_eq!(o.elected, ids(&[1, 2, 3]));
    assert_eq!(o.failed_threshold, ids(&[5]));

    let r = run(&spec, &[(e(&[1, 2, 3]), 3), (e(&[1, 2, 4]), 3)], 0, 0);
    // 1: 6, 2: 6, 3: 3, 4: 3 → 1, 2 elected; 3 and 4 tied for the last seat.
    let o = election_outcome(&r);
    assert_eq!(o.elected, ids(&[1, 2]));
    let tie = o.tie_for_last_seat.clone().unwrap();
    assert_eq!(
        tie,
        SeatTie {
            tied: ids(&[3, 4]),
            seats_left: 1
        }
    );
    let next = runoff(&spec, &r, VoteId(8)).unwrap();
    assert_eq!(
        next.kind,
        VoteKind::Election {
            seats: 1,
            candidates: vec![
                VoteOption::new(3, "Candidate 3"),
                VoteOption::new(4, "Candidate 4")
            ]
        }
    );
    assert_eq!(next.secrecy, Secrecy::Secret);
    assert_eq!(next.rule, spec.rule);
}

#[test]
fn election_tie_among_candidates_that_failed_the_threshold_is_not_a_tie() {
    let spec = election(1, 3, MajorityRule::MORE_THAN_HALF_OF_VALID);
    let r = run(&spec, &[(e(&[1]), 5), (e(&[2]), 5)], 0, 0);
    let o = election_outcome(&r);
    assert_eq!(o.elected, Vec::<OptionId>::new());
    assert_eq!(o.tie_for_last_seat, None);
    assert_eq!(o.failed_threshold, ids(&[1, 2, 3]));
    assert_eq!(o.unfilled_seats, 1);
}

#[test]
fn election_more_kept_than_seats_is_invalid_but_cast() {
    let spec = election(2, 4, MajorityRule::MORE_THAN_HALF_OF_VALID);
    let b = validate(&spec, &e(&[3, 1, 2])).unwrap();
    assert_eq!(
        b.status(),
        BallotStatus::Invalid {
            reason: InvalidReason::TooManyKept { kept: 3, seats: 2 }
        }
    );
    let exactly = validate(&spec, &e(&[1, 2])).unwrap();
    assert_eq!(exactly.status(), BallotStatus::Valid);

    let r = run(&spec, &[(e(&[1, 2, 3]), 4), (e(&[1]), 3)], 0, 0);
    assert_eq!(r.ballots.cast, 7);
    assert_eq!(r.ballots.invalid, 4);
    assert_eq!(r.ballots.valid, 3);
    assert_eq!(r.basis_value, 3);
    let VoteCounts::Options { options } = &r.counts else {
        panic!()
    };
    assert_eq!(options[0].votes, 3, "invalid ballots support no one");
    assert_eq!(options[1].votes, 0);
    assert_eq!(election_outcome(&r).elected, ids(&[1]));
}

#[test]
fn election_invalid_ballots_do_not_count_in_present_basis_support() {
    let spec = election(1, 2, rule(Threshold::MoreThanHalf, Basis::DelegatesPresent));
    let r = run(&spec, &[(e(&[1, 2]), 5), (e(&[1]), 5)], 10, 12);
    assert_eq!(r.basis_value, 10);
    assert_eq!(election_outcome(&r).elected, Vec::<OptionId>::new()); // 5 of 10 is not more than half
}

#[test]
fn election_blank_and_everyone_struck() {
    let spec = election(2, 3, MajorityRule::MORE_THAN_HALF_OF_VALID);
    let r = run(
        &spec,
        &[(BallotChoice::Blank, 2), (e(&[]), 3), (e(&[1]), 5)],
        0,
        0,
    );
    assert_eq!(r.ballots.cast, 10);
    assert_eq!(r.ballots.valid, 10);
    assert_eq!(r.ballots.blank, 2);
    assert_eq!(r.ballots.struck_all, 3);
    assert_eq!(r.ballots.invalid, 0);
    let o = election_outcome(&r);
    assert_eq!(
        o.elected,
        Vec::<OptionId>::new(),
        "5 of 10 is not more than half"
    );
    assert_eq!(o.unfilled_seats, 2);
    let r = run(
        &spec,
        &[(BallotChoice::Blank, 2), (e(&[]), 2), (e(&[1]), 5)],
        0,
        0,
    );
    assert_eq!(election_outcome(&r).elected, ids(&[1]));

    // Everyone strikes everyone: nobody elected, even by plurality.
    let plural = election(2, 3, rule(Threshold::Plurality, Basis::ValidBallotsCast));
    let r = run(&plural, &[(e(&[]), 10)], 0, 0);
    let o = election_outcome(&r);
    assert_eq!(o.elected, Vec::<OptionId>::new());
    assert_eq!(o.tie_for_last_seat, None);
    assert_eq!(o.failed_threshold, ids(&[1, 2, 3]));
    assert_eq!(o.unfilled_seats, 2);
}

#[test]
fn election_fewer_candidates_than_seats() {
    let spec = election(5, 3, MajorityRule::MORE_THAN_HALF_OF_VALID);
    spec.check().unwrap();
    let r = run(&spec, &[(e(&[1, 2, 3]), 6), (e(&[1]), 4)], 0, 0);
    let o = election_outcome(&r);
    assert_eq!(o.elected, ids(&[1, 2, 3]));
    assert_eq!(o.unfilled_seats, 2);
    assert_eq!(o.tie_for_last_seat, None);
    // Keeping all three names is within five seats.
    assert_eq!(
        validate(&spec, &e(&[1, 2, 3])).unwrap().status(),
        BallotStatus::Valid
    );
}

#[test]
fn election_with_no_ballots() {
    let spec = election(3, 5, MajorityRule::MORE_THAN_HALF_OF_VALID);
    let r = tally(
        &spec,
        &[],
        BasisCounts {
            present: 450,
            convened: 450,
        },
    )
    .unwrap();
    let o = election_outcome(&r);
    assert_eq!(o.elected, Vec::<OptionId>::new());
    assert_eq!(o.unfilled_seats, 3);
    assert_eq!(r.votes_needed, Some(1));
}

// ---------------------------------------------------------------- validation

#[test]
fn rejected_ballots_say_why() {
    let mo = motion(MajorityRule::MORE_THAN_HALF_OF_VALID);
    let ch = choice(3, MajorityRule::MORE_THAN_HALF_OF_VALID);
    let el = election(2, 3, MajorityRule::MORE_THAN_HALF_OF_VALID);
    assert_eq!(
        validate(&mo, &c(1)),
        Err(BallotError::WrongKind {
            expected: KindName::Motion,
            got: KindName::Choice
        })
    );
    assert_eq!(
        validate(&ch, &e(&[1])),
        Err(BallotError::WrongKind {
            expected: KindName::Choice,
            got: KindName::Election
        })
    );
    assert_eq!(
        validate(&el, &m(MotionPosition::For)),
        Err(BallotError::WrongKind {
            expected: KindName::Election,
            got: KindName::Motion
        })
    );
    assert_eq!(
        validate(&ch, &c(4)),
        Err(BallotError::UnknownOption {
            option: OptionId(4)
        })
    );
    assert_eq!(
        validate(&el, &e(&[1, 9])),
        Err(BallotError::UnknownCandidate {
            candidate: OptionId(9)
        })
    );
    assert_eq!(
        validate(&el, &e(&[2, 2])),
        Err(BallotError::DuplicateCandidate {
            candidate: OptionId(2)
        })
    );
    // Malformed beats too-many: a ballot with an unknown name is refused, not recorded.
    assert_eq!(
        validate(&el, &e(&[1, 2, 3, 9])),
        Err(BallotError::UnknownCandidate {
            candidate: OptionId(9)
        })
    );
    let msg = validate(&mo, &c(1)).unwrap_err().to_string();
    assert_eq!(msg, "this is a choice ballot, but the vote is a motion");
    let msg = validate(&el, &e(&[2, 2])).unwrap_err().to_string();
    assert_eq!(msg, "option 2 is kept more than once on the ballot");
    for spec in [&mo, &ch, &el] {
        assert_eq!(
            validate(spec, &BallotChoice::Blank).unwrap().status(),
            BallotStatus::Blank
        );
    }
}

#[test]
fn election_ballot_is_normalised() {
    let el = election(3, 3, MajorityRule::MORE_THAN_HALF_OF_VALID);
    let a = validate(&el, &e(&[3, 1])).unwrap();
    let b = validate(&el, &e(&[1, 3])).unwrap();
    assert_eq!(a, b);
    assert_eq!(a.choice(), &e(&[1, 3]));
}

#[test]
fn spec_checks() {
    let good = MajorityRule::MORE_THAN_HALF_OF_VALID;
    assert_eq!(
        choice(1, good).check(),
        Err(SpecError::TooFewOptions { count: 1 })
    );
    assert_eq!(election(0, 3, good).check(), Err(SpecError::NoSeats));
    assert_eq!(election(1, 0, good).check(), Err(SpecError::NoCandidates));
    let mut dup = choice(2, good);
    if let VoteKind::Choice { options } = &mut dup.kind {
        options.push(VoteOption::new(1, "again"));
    }
    assert_eq!(
        dup.check(),
        Err(SpecError::DuplicateOption {
            option: OptionId(1)
        })
    );
    for (num, den) in [(1, 0), (0, 3), (4, 3)] {
        let s = motion(rule(
            Threshold::AtLeastFraction { num, den },
            Basis::ValidBallotsCast,
        ));
        assert_eq!(s.check(), Err(SpecError::BadFraction { num, den }));
        assert!(tally(&s, &[], BasisCounts::default()).is_err());
        assert!(RunningTally::new(&s).is_err());
    }
    let s = motion(rule(
        Threshold::AtLeastFraction { num: 3, den: 3 },
        Basis::ValidBallotsCast,
    ));
    assert_eq!(s.check(), Ok(()));
    assert_eq!(
        Threshold::AtLeastFraction { num: 1, den: 0 }.votes_needed(5),
        None
    );
}

#[test]
fn defaults() {
    for kind in [
        VoteKind::Motion,
        VoteKind::Choice { options: vec![] },
        VoteKind::Election {
            seats: 1,
            candidates: vec![],
        },
    ] {
        assert_eq!(default_rule(&kind), MajorityRule::MORE_THAN_HALF_OF_VALID);
    }
    let s = motion(MajorityRule::MORE_THAN_HALF_OF_VALID);
    assert!(!s.allow_change);
    assert!(!s.shows_running_tally());
    assert!(s.shows_who_voted_what());
    let secret = choice(2, MajorityRule::MORE_THAN_HALF_OF_VALID);
    assert!(!secret.shows_who_voted_what());
    assert!(!secret.shows_who_has_not_voted());
}

// ---------------------------------------------------------------- running tally

#[test]
fn running_tally_refuses_foreign_and_uncounted_ballots() {
    let spec = choice(2, MajorityRule::MORE_THAN_HALF_OF_VALID);
    let mut other = spec.clone();
    other.id = VoteId(99);
    let foreign = validate(&other, &c(1)).unwrap();
    let mut t = RunningTally::new(&spec).unwrap();
    assert_eq!(
        t.add(&foreign),
        Err(TallyError::WrongVote {
            expected: ID,
            found: VoteId(99)
        })
    );
    let one = validate(&spec, &c(1)).unwrap();
    let two = validate(&spec, &c(2)).unwrap();
    t.add(&one).unwrap();
    assert_eq!(
        t.replace(&one, &two),
        Err(TallyError::ChangeNotAllowed { vote: ID })
    );

    let mut changeable = spec.clone();
    changeable.allow_change = true;
    let mut t = RunningTally::new(&changeable).unwrap();
    t.add(&one).unwrap();
    let before = t.clone();
    assert_eq!(t.replace(&two, &one), Err(TallyError::NotCounted));
    assert_eq!(t, before, "a refused replacement changes nothing");
    t.replace(&one, &two).unwrap();
    assert_eq!(t.ballots().cast, 1);
    let r = t.result(BasisCounts::default());
    assert_eq!(
        r.outcome,
        Outcome::Winner {
            option: OptionId(2)
        }
    );
    assert_eq!(
        t.turnout(BasisCounts {
            present: 3,
            convened: 5
        })
        .not_yet_voted(),
        2
    );
}

#[test]
fn tampered_stored_ballot_is_refused_by_the_tally() {
    let spec = election(1, 2, MajorityRule::MORE_THAN_HALF_OF_VALID);
    // A ballot read back from storage claiming to be valid while keeping too many names, and one
    // naming a candidate who is not on the list.
    let json =
        r#"{"vote":7,"choice":{"kind":"election","kept":[1,2]},"status":{"status":"valid"}}"#;
    let b: CastBallot = serde_json::from_str(json).unwrap();
    let r = tally(&spec, [&b], BasisCounts::default()).unwrap();
    assert_eq!(
        r.ballots.invalid, 1,
        "the status is recomputed, not trusted"
    );
    let json = r#"{"vote":7,"choice":{"kind":"election","kept":[5]},"status":{"status":"valid"}}"#;
    let b: CastBallot = serde_json::from_str(json).unwrap();
    assert_eq!(
        tally(&spec, [&b], BasisCounts::default()),
        Err(TallyError::Ballot(BallotError::UnknownCandidate {
            candidate: OptionId(5)
        }))
    );
}

// ---------------------------------------------------------------- serde

#[test]
fn wire_forms_are_snake_case() {
    let spec = election(2, 2, MajorityRule::MORE_THAN_HALF_OF_VALID);
    let v = serde_json::to_value(&spec).unwrap();
    assert_eq!(v["kind"]["kind"], "election");
    assert_eq!(v["rule"]["threshold"]["type"], "more_than_half");
    assert_eq!(v["rule"]["basis"], "valid_ballots_cast");
    assert_eq!(v["secrecy"], "secret");
    let back: VoteSpec = serde_json::from_value(v).unwrap();
    assert_eq!(back, spec);

    let b = validate(&spec, &e(&[1, 2])).unwrap();
    assert_eq!(
        serde_json::to_string(&b).unwrap(),
        r#"{"vote":7,"choice":{"kind":"election","kept":[1,2]},"status":{"status":"valid"}}"#
    );
    let bad = election(1, 2, MajorityRule::MORE_THAN_HALF_OF_VALID);
    let inv = validate(&bad, &e(&[1, 2])).unwrap();
    let s = serde_json::to_string(&inv).unwrap();
    assert_eq!(
        s,
        r#"{"vote":7,"choice":{"kind":"election","kept":[1,2]},"status":{"status":"invalid","reason":"too_many_kept","kept":2,"seats":1}}"#
    );
    assert_eq!(serde_json::from_str::<CastBallot>(&s).unwrap(), inv);

    let choice_json = serde_json::to_string(&m(MotionPosition::Abstain)).unwrap();
    assert_eq!(choice_json, r#"{"kind":"motion","position":"abstain"}"#);
    assert_eq!(
        serde_json::to_string(&BallotChoice::Blank).unwrap(),
        r#"{"kind":"blank"}"#
    );

    let r = run(&spec, &[(e(&[1]), 3)], 0, 0);
    let s = serde_json::to_string(&r).unwrap();
    assert_eq!(serde_json::from_str::<VoteResult>(&s).unwrap(), r);
    let mo = motion(MajorityRule::MORE_THAN_HALF_OF_VALID);
    let r = run(&mo, &[(m(MotionPosition::For), 3)], 0, 0);
    let v = serde_json::to_value(&r).unwrap();
    assert_eq!(v["counts"]["for"], 3);
    assert_eq!(v["outcome"]["outcome"], "adopted");
    assert_eq!(serde_json::from_value::<VoteResult>(v).unwrap(), r);

    let err = serde_json::to_value(BallotError::UnknownOption {
        option: OptionId(4),
    })
    .unwrap();
    assert_eq!(err["reason"], "unknown_option");
}

#[test]
fn election_tie_straddling_the_line_with_some_elected_above_it() {
    let spec = election(3, 5, MajorityRule::MORE_THAN_HALF_OF_VALID);
    // 12 ballots. 1: 12, 2: 7, 3: 7, 4: 7, 5: 2 → 1 elected; 2, 3, 4 tied for 2 seats.
    let r = run(
        &spec,
        &[
            (e(&[1, 2, 3]), 5),
            (e(&[1, 4]), 5),
            (e(&[1, 2, 4]), 1),
            (e(&[1, 3, 5]), 1),
            (e(&[1, 2, 4]), 0),
        ],
        0,
        0,
    );
    let VoteCounts::Options { options } = &r.counts else {
        panic!()
    };
    let votes: Vec<u64> = options.iter().map(|o| o.votes).collect();
    assert_eq!(votes, vec![12, 6, 6, 6, 1]);
    let o = election_outcome(&r);
    assert_eq!(r.votes_needed, Some(7));
    // 6 of 12 is not more than half: only candidate 1 is elected, two seats stay unfilled.
    assert_eq!(o.elected, ids(&[1]));
    assert_eq!(o.tie_for_last_seat, None);
    assert_eq!(o.unfilled_seats, 2);

    // The same ballots under plurality: 2, 3, 4 tie for the two remaining seats.
    let mut plural = spec.clone();
    plural.rule.threshold = Threshold::Plurality;
    let r = run(
        &plural,
        &[
            (e(&[1, 2, 3]), 5),
            (e(&[1, 4]), 5),
            (e(&[1, 2, 4]), 1),
            (e(&[1, 3, 5]), 1),
        ],
        0,
        0,
    );
    let o = election_outcome(&r);
    assert_eq!(o.elected, ids(&[1]));
    assert_eq!(
        o.tie_for_last_seat,
        Some(SeatTie {
            tied: ids(&[2, 3, 4]),
            seats_left: 2
        })
    );
    assert_eq!(o.outranked, ids(&[5]));
    assert_eq!(o.unfilled_seats, 0);
    let next = runoff(&plural, &r, VoteId(8)).unwrap();
    assert_eq!(
        next.kind,
        VoteKind::Election {
            seats: 2,
            candidates: vec![
                VoteOption::new(2, "Candidate 2"),
                VoteOption::new(3, "Candidate 3"),
                VoteOption::new(4, "Candidate 4")
            ]
        }
    );
}

/// The safeguard: no result is declared when fewer ballots were cast than the turnout rule
/// needs (one ballot of 301 present used to elect three), and exactly at the edge it is.
#[test]
fn no_result_below_the_turnout_rule() {
    let mut spec = election(3, 5, MajorityRule::MORE_THAN_HALF_OF_VALID);
    spec.turnout = Some(TurnoutRule::MORE_THAN_HALF_OF_PRESENT);
    let r = run(&spec, &[(e(&[1, 2, 3]), 1)], 301, 450);
    assert_eq!(r.outcome, Outcome::InsufficientTurnout);
    let tc = r.turnout.unwrap();
    assert_eq!((tc.cast, tc.needed, tc.met), (1, 151, false));
    // The counts stay for the record.
    assert_eq!(r.ballots.cast, 1);
    // 150 of 301 is not more than half; 151 is.
    let r = run(&spec, &[(e(&[1, 2, 3]), 150)], 301, 450);
    assert_eq!(r.outcome, Outcome::InsufficientTurnout);
    let r = run(&spec, &[(e(&[1, 2, 3]), 151)], 301, 450);
    assert_eq!(election_outcome(&r).elected, ids(&[1, 2, 3]));
    // Two thirds of the convened.
    spec.turnout = Some(TurnoutRule {
        threshold: Threshold::AtLeastTwoThirds,
        basis: Basis::DelegatesConvened,
    });
    let r = run(&spec, &[(e(&[1]), 299)], 301, 450);
    assert_eq!(r.outcome, Outcome::InsufficientTurnout);
    assert_eq!(r.turnout.unwrap().needed, 300);
    // A turnout rule counts delegates, not ballots.
    spec.turnout = Some(TurnoutRule {
        threshold: Threshold::MoreThanHalf,
        basis: Basis::ValidBallotsCast,
    });
    assert_eq!(spec.check(), Err(SpecError::TurnoutBasis));
}

//! The election's rules, one by one: nominations in time, consent, withdrawals decided by the
//! congress's vote (granted and refused), the list, a tie at the last seat and its round, a
//! round for unfilled seats, no result under the turnout rule, the counting board's sign-off.
#![allow(clippy::unwrap_used)]

use congress_proto::vote::{BallotChoice, MajorityRule, OptionId, TurnoutRule};
use congress_proto::{Body, BodyMember, BodyRole, CandidateSource, Consent, ListStatus};

use super::*;
use crate::testkit::{CTX, cast, check_in, close, congress_with, motion_vote, open, run};
use crate::{BodiesCommand, Command, CongressState, DomainError, Event};

fn ctx(now: i64) -> crate::Context {
    crate::Context { now }
}

fn run_at(s: &mut CongressState, cmd: Command, now: i64) -> Result<Vec<Event>, DomainError> {
    let evs = crate::decide(s, &cmd, ctx(now))?;
    for e in &evs {
        s.apply(e);
    }
    Ok(evs)
}

fn cand(name: &str) -> congress_proto::NewCandidate {
    congress_proto::NewCandidate {
        name: name.into(),
        delegate_id: None,
        profile: format!("Hồ sơ của {name}"),
    }
}

/// A congress of `n` delegates, all present, with an election of `seats` from the presidium's
/// list of `names`.
fn setup(n: u32, seats: u32, names: &[&str]) -> CongressState {
    let mut s = congress_with(n);
    check_in(&mut s, n);
    run(
        &mut s,
        &ElectionCommand::Create {
            title: "Bầu Ban Chấp hành".into(),
            seats,
            rule: MajorityRule::MORE_THAN_HALF_OF_VALID,
            turnout: TurnoutRule::MORE_THAN_HALF_OF_PRESENT,
            item_id: None,
            candidates: names.iter().map(|x| cand(x)).collect(),
        }
        .into(),
    )
    .unwrap();
    s
}

fn el(s: &CongressState) -> &Election {
    &s.elections.elections[&1]
}

fn nominate(
    s: &mut CongressState,
    by: &str,
    nominee: Option<&str>,
    now: i64,
) -> Result<Vec<Event>, DomainError> {
    run_at(
        s,
        ElectionCommand::Nominate {
            election_id: 1,
            candidate: congress_proto::NewCandidate {
                name: String::new(),
                delegate_id: nominee.map(str::to_string),
                profile: String::new(),
            },
            by: Actor::Delegate(by.into()),
            nominated_by: None,
        }
        .into(),
        now,
    )
}

fn open_nominations(s: &mut CongressState, minutes: u32) {
    run(
        s,
        &ElectionCommand::OpenNominations {
            election_id: 1,
            minutes,
        }
        .into(),
    )
    .unwrap();
}

fn close_nominations(s: &mut CongressState) {
    run(
        s,
        &ElectionCommand::CloseNominations { election_id: 1 }.into(),
    )
    .unwrap();
}

/// Puts the list to the vote and carries it with every delegate present.
fn approve_list(s: &mut CongressState, n: u32) {
    run(
        s,
        &ElectionCommand::PutListToVote {
            election_id: 1,
            title: "Thông qua danh sách bầu cử".into(),
        }
        .into(),
    )
    .unwrap();
    let ListStatus::Voting { vote_id } = el(s).list else {
        panic!("voting")
    };
    motion_vote(s, vote_id, n, true);
    assert!(matches!(el(s).list, ListStatus::Approved { .. }));
}

fn create_round(s: &mut CongressState) -> u64 {
    run(
        s,
        &ElectionCommand::CreateRound {
            election_id: 1,
            title: "Bầu cử".into(),
            duration_s: None,
        }
        .into(),
    )
    .unwrap();
    el(s).rounds.last().unwrap().vote_id
}

/// Every delegate `D0001…` casts the ballot `ballots[i]` (kept candidate ids).
fn round_vote(s: &mut CongressState, vote: u64, ballots: &[&[u32]]) {
    open(s, vote);
    for (i, kept) in ballots.iter().enumerate() {
        cast(
            s,
            vote,
            &format!("D{:04}", i + 1),
            BallotChoice::Election {
                kept: kept.iter().map(|k| OptionId(*k)).collect(),
            },
        );
    }
    close(s, vote);
}

#[test]
fn nominations_from_tablets_only_while_open_and_from_present_delegates() {
    let mut s = setup(4, 2, &["Ứng viên A"]);
    // Not open yet.
    assert_eq!(
        nominate(&mut s, "D0001", Some("D0002"), 2_000),
        Err(ElectionError::NominationsClosed.into())
    );
    open_nominations(&mut s, 10); // at CTX.now = 1000, closes at 601_000
    // A floor nomination waits for the nominee's consent; a self-nomination does not.
    nominate(&mut s, "D0001", Some("D0002"), 2_000).unwrap();
    nominate(&mut s, "D0003", None, 3_000).unwrap();
    let c2 = el(&s).candidates[1].clone();
    assert_eq!(c2.source, CandidateSource::Floor { by: "D0001".into() });
    assert_eq!((c2.consent, c2.standing), (Consent::Pending, false));
    let c3 = &el(&s).candidates[2];
    assert_eq!(
        (c3.source.clone(), c3.consent),
        (CandidateSource::SelfNominated, Consent::Given)
    );
    // The same nominee twice is refused; after the round's time, too.
    assert!(matches!(
        nominate(&mut s, "D0004", Some("D0002"), 4_000),
        Err(DomainError::Elections(ElectionError::AlreadyCandidate(_)))
    ));
    assert_eq!(
        nominate(&mut s, "D0004", None, 601_000),
        Err(ElectionError::NominationsClosed.into())
    );
    // Only the nominee answers, once.
    let answer = |by: &str, consent: bool| -> Command {
        ElectionCommand::AnswerNomination {
            election_id: 1,
            candidate_id: c2.id,
            consent,
            by: Actor::Delegate(by.into()),
        }
        .into()
    };
    assert_eq!(
        run(&mut s, &answer("D0001", true)),
        Err(ElectionError::NotNominee.into())
    );
    run(&mut s, &answer("D0002", true)).unwrap();
    assert!(el(&s).candidates[1].standing);
    assert_eq!(
        run(&mut s, &answer("D0002", false)),
        Err(ElectionError::AlreadyAnswered.into())
    );
    // A delegate not checked in may not nominate.
    let mut absent = congress_with(3);
    run(
        &mut absent,
        &ElectionCommand::Create {
            title: "x".into(),
            seats: 1,
            rule: MajorityRule::MORE_THAN_HALF_OF_VALID,
            turnout: TurnoutRule::MORE_THAN_HALF_OF_PRESENT,
            item_id: None,
            candidates: vec![],
        }
        .into(),
    )
    .unwrap();
    open_nominations(&mut absent, 10);
    assert_eq!(
        nominate(&mut absent, "D0001", None, 2_000),
        Err(ElectionError::NotPresent.into())
    );
}

#[test]
fn withdrawals_are_decided_by_the_congress_granted_or_refused() {
    let mut s = setup(5, 2, &["A", "B", "C", "D"]);
    let ask = |id: u32| -> Command {
        ElectionCommand::RequestWithdrawal {
            election_id: 1,
            candidate_id: id,
            reason: "Lý do sức khỏe".into(),
            by: Actor::Operator("operator:thuky".into()),
        }
        .into()
    };
    let to_vote = |id: u32| -> Command {
        ElectionCommand::PutWithdrawalToVote {
            election_id: 1,
            candidate_id: id,
            title: "Đồng ý cho rút".into(),
        }
        .into()
    };
    // No request yet: nothing to put to the vote.
    assert_eq!(
        run(&mut s, &to_vote(2)),
        Err(ElectionError::NoWithdrawal.into())
    );
    run(&mut s, &ask(2)).unwrap();
    run(&mut s, &ask(3)).unwrap();
    assert_eq!(
        run(&mut s, &ask(2)),
        Err(ElectionError::WithdrawalPending.into())
    );
    // The list cannot be voted while requests are undecided.
    close_nominations(&mut s);
    assert!(matches!(
        run(
            &mut s,
            &ElectionCommand::PutListToVote {
                election_id: 1,
                title: "x".into()
            }
            .into()
        ),
        Err(DomainError::Elections(ElectionError::ListNotReady(_)))
    ));
    // Granted: B leaves the list.
    run(&mut s, &to_vote(2)).unwrap();
    let v2 = el(&s).candidates[1]
        .withdrawal
        .as_ref()
        .unwrap()
        .vote_id
        .unwrap();
    assert_eq!(
        run(&mut s, &to_vote(2)),
        Err(ElectionError::WithdrawalPending.into())
    );
    let evs = motion_vote(&mut s, v2, 5, true);
    assert!(evs.iter().any(|e| matches!(
        e,
        Event::Elections(ElectionEvent::WithdrawalDecided {
            granted: true,
            candidate_id: 2,
            ..
        })
    )));
    assert!(!el(&s).candidates[1].standing);
    // Refused by the vote: C stays on the list.
    run(&mut s, &to_vote(3)).unwrap();
    let v3 = el(&s).candidates[2]
        .withdrawal
        .as_ref()
        .unwrap()
        .vote_id
        .unwrap();
    motion_vote(&mut s, v3, 5, false);
    let c = &el(&s).candidates[2];
    assert_eq!(c.withdrawal.as_ref().unwrap().granted, Some(false));
    assert!(c.standing);
    approve_list(&mut s, 5);
    assert_eq!(el(&s).approved_list, vec![1, 3, 4]);
    // Frozen now.
    assert_eq!(run(&mut s, &ask(1)), Err(ElectionError::ListFrozen.into()));
}

#[test]
fn a_tie_at_the_last_seat_makes_a_round_of_the_tied_for_the_seats_left() {
    let mut s = setup(7, 2, &["A", "B", "C", "D"]);
    close_nominations(&mut s);
    approve_list(&mut s, 7);
    let r1 = create_round(&mut s);
    let spec = &s.votes[&r1].spec;
    assert_eq!(spec.secrecy, congress_proto::vote::Secrecy::Secret);
    assert_eq!(spec.turnout, Some(TurnoutRule::MORE_THAN_HALF_OF_PRESENT));
    // A: 5, B: 4, C: 4 of 7 valid (4 needed) → A elected, B and C tied for the last seat.
    round_vote(
        &mut s,
        r1,
        &[&[1, 2], &[1, 2], &[1, 3], &[1, 3], &[2, 3], &[2, 3], &[1]],
    );
    let o = el(&s).rounds[0].outcome.clone().unwrap();
    assert_eq!(o.elected, vec![1]);
    let tie = o.tie.unwrap();
    assert_eq!(
        (tie.tied, tie.seats_left),
        (vec![OptionId(2), OptionId(3)], 1)
    );
    let next = next_round(&s, el(&s)).unwrap();
    assert_eq!(
        (next.seats, next.candidates.clone(), next.reason.as_str()),
        (1, vec![2, 3], "tie")
    );
    // The second round: exactly B and C, one seat.
    let r2 = create_round(&mut s);
    match &s.votes[&r2].spec.kind {
        congress_proto::vote::VoteKind::Election { seats, candidates } => {
            assert_eq!(*seats, 1);
            assert_eq!(
                candidates.iter().map(|c| c.id.0).collect::<Vec<_>>(),
                vec![2, 3]
            );
        }
        k => panic!("{k:?}"),
    }
    round_vote(&mut s, r2, &[&[2], &[2], &[2], &[2], &[3], &[3], &[3]]);
    assert_eq!(elected(el(&s)), vec![1, 2]);
    assert_eq!(
        next_round(&s, el(&s)),
        Err("every seat is filled".to_string())
    );
    assert!(
        run(
            &mut s,
            &ElectionCommand::CreateRound {
                election_id: 1,
                title: "x".into(),
                duration_s: None
            }
            .into()
        )
        .is_err()
    );
}

#[test]
fn unfilled_seats_make_a_round_of_those_not_elected_and_low_turnout_repeats_the_round() {
    let mut s = setup(6, 3, &["A", "B", "C", "D"]);
    close_nominations(&mut s);
    // Seats may still change before the first round; a turnout over ballots is refused.
    assert!(matches!(
        run(
            &mut s,
            &ElectionCommand::SetRule {
                election_id: 1,
                seats: 3,
                rule: MajorityRule::MORE_THAN_HALF_OF_VALID,
                turnout: TurnoutRule {
                    threshold: congress_proto::vote::Threshold::MoreThanHalf,
                    basis: congress_proto::vote::Basis::ValidBallotsCast,
                },
            }
            .into()
        ),
        Err(DomainError::Elections(ElectionError::Invalid(_)))
    ));
    approve_list(&mut s, 6);
    let r1 = create_round(&mut s);
    // Two ballots of six present: no result, the same round again.
    open(&mut s, r1);
    cast(
        &mut s,
        r1,
        "D0001",
        BallotChoice::Election {
            kept: vec![OptionId(1)],
        },
    );
    cast(
        &mut s,
        r1,
        "D0002",
        BallotChoice::Election {
            kept: vec![OptionId(1)],
        },
    );
    close(&mut s, r1);
    let o = el(&s).rounds[0].outcome.clone().unwrap();
    assert!(o.no_result && o.elected.is_empty());
    let next = next_round(&s, el(&s)).unwrap();
    assert_eq!(
        (next.seats, next.candidates.clone(), next.reason.as_str()),
        (3, vec![1, 2, 3, 4], "no_result")
    );
    // Round 2: only A passes more than half: 2 seats unfilled.
    let r2 = create_round(&mut s);
    round_vote(
        &mut s,
        r2,
        &[&[1, 2], &[1, 3], &[1, 4], &[1, 2], &[1, 3], &[1, 4]],
    );
    let o = el(&s).rounds[1].outcome.clone().unwrap();
    assert_eq!((o.elected.clone(), o.unfilled_seats), (vec![1], 2));
    // Round 3: the others, for the 2 seats left. Seats are fixed now.
    let next = next_round(&s, el(&s)).unwrap();
    assert_eq!(
        (next.seats, next.candidates.clone(), next.reason.as_str()),
        (2, vec![2, 3, 4], "unfilled")
    );
    assert_eq!(
        run(
            &mut s,
            &ElectionCommand::SetRule {
                election_id: 1,
                seats: 4,
                rule: MajorityRule::MORE_THAN_HALF_OF_VALID,
                turnout: TurnoutRule::MORE_THAN_HALF_OF_PRESENT,
            }
            .into()
        ),
        Err(ElectionError::SeatsFixed.into())
    );
    let info = view(&s, el(&s));
    assert_eq!((info.elected.clone(), info.seats_left), (vec![1], 2));
}

#[test]
fn the_counting_board_signs_the_report_it_read() {
    let mut s = setup(6, 1, &["A", "B"]);
    // The board: D0005 and D0006, approved by the congress.
    run(
        &mut s,
        &BodiesCommand::Propose {
            body: Body::CountingBoard,
            members: vec![
                BodyMember {
                    delegate_id: "D0005".into(),
                    role: BodyRole::Head,
                },
                BodyMember {
                    delegate_id: "D0006".into(),
                    role: BodyRole::Member,
                },
            ],
            title: "Ban kiểm phiếu".into(),
            item_id: None,
        }
        .into(),
    )
    .unwrap();
    let board_vote = s.bodies.bodies[&Body::CountingBoard].vote_id;
    motion_vote(&mut s, board_vote, 6, true);
    close_nominations(&mut s);
    approve_list(&mut s, 6);
    let r1 = create_round(&mut s);
    round_vote(&mut s, r1, &[&[1], &[1], &[1], &[1], &[2], &[]]);
    let report = tally_report(&s, r1).unwrap();
    assert_eq!(report.issued, Some(6));
    assert_eq!((report.ballots.cast, report.ballots.valid), (6, 6));
    assert_eq!(report.rows[0].votes, 4);
    assert_eq!(report.rows[0].percent_of_valid_bp, 6_666);
    assert_eq!(report.elected, vec!["A".to_string()]);
    assert_eq!(report.round, Some(1));
    assert!(!report.signed_off);
    let sign = |who: &str, sha: &str| -> Command {
        ElectionCommand::SignReport {
            vote_id: r1,
            delegate_id: who.into(),
            device_id: format!("T-{who}"),
            report_sha256: sha.into(),
        }
        .into()
    };
    let sha = report.report_sha256.clone();
    assert_eq!(
        run(&mut s, &sign("D0001", &sha)),
        Err(ElectionError::NotBoardMember.into())
    );
    assert_eq!(
        run(&mut s, &sign("D0005", &"0".repeat(64))),
        Err(ElectionError::StaleReport.into())
    );
    run(&mut s, &sign("D0005", &sha)).unwrap();
    assert_eq!(
        run(&mut s, &sign("D0005", &sha)),
        Err(ElectionError::AlreadySigned.into())
    );
    run(&mut s, &sign("D0006", &sha)).unwrap();
    let report = tally_report(&s, r1).unwrap();
    assert!(report.signed_off);
    assert_eq!(
        report.report_sha256, sha,
        "signing does not change what was signed"
    );
    // An open vote (the list's) has no counting board report.
    let ListStatus::Approved { vote_id } = el(&s).list else {
        panic!()
    };
    assert!(tally_report(&s, vote_id).is_none());
    let _ = CTX;
}

//! Rounds: what a round's result decided, who is elected over all rounds, and the round the rule
//! allows next (exactly those candidates, for those seats).

use congress_proto::vote::{Outcome, VoteResult};
use congress_proto::{
    ElectionInfo, ListStatus, NextRound, ProceduresView, RoundOutcome, TallySignoffs,
};

use super::Election;
use crate::state::CongressState;

/// What a round's result decided, from the [`VoteResult`] alone.
pub fn round_outcome(result: &VoteResult) -> RoundOutcome {
    match &result.outcome {
        Outcome::Election(e) => RoundOutcome {
            elected: e.elected.iter().map(|o| o.0).collect(),
            tie: e.tie_for_last_seat.clone(),
            unfilled_seats: e.unfilled_seats,
            no_result: false,
        },
        _ => RoundOutcome {
            elected: Vec::new(),
            tie: None,
            unfilled_seats: 0,
            no_result: true,
        },
    }
}

/// Everyone elected over all closed rounds, in the order they were elected.
pub fn elected(e: &Election) -> Vec<u32> {
    e.rounds
        .iter()
        .filter_map(|r| r.outcome.as_ref())
        .flat_map(|o| o.elected.iter().copied())
        .collect()
}

/// The round the rule allows now, or why there is none.
///
/// * First round: the approved list, for every seat.
/// * After a round without a result (turnout not met): the same round again.
/// * After a tie at the last seat(s): the tied candidates, for the seats left to them.
/// * After a round with unfilled seats: that round's candidates not elected, for the seats left.
pub fn next_round(state: &CongressState, e: &Election) -> Result<NextRound, String> {
    if let Some(open) = e.rounds.iter().find(|r| r.outcome.is_none()) {
        let closed = state
            .votes
            .get(&open.vote_id)
            .is_some_and(|v| v.result.is_some());
        return Err(if closed {
            format!("round {} has no recorded outcome", open.round)
        } else {
            format!("round {} is not closed yet", open.round)
        });
    }
    let Some(last) = e.rounds.last() else {
        return match e.list {
            ListStatus::Approved { .. } if !e.approved_list.is_empty() => Ok(NextRound {
                seats: e.seats,
                candidates: e.approved_list.clone(),
                reason: "list".into(),
            }),
            _ => Err("the congress has not approved the list yet".into()),
        };
    };
    let Some(o) = &last.outcome else {
        return Err("the last round is not closed yet".into());
    };
    if o.no_result {
        return Ok(NextRound {
            seats: last.seats,
            candidates: last.candidates.clone(),
            reason: "no_result".into(),
        });
    }
    if let Some(tie) = &o.tie {
        return Ok(NextRound {
            seats: tie.seats_left,
            candidates: tie.tied.iter().map(|o| o.0).collect(),
            reason: "tie".into(),
        });
    }
    let done = elected(e);
    let seats_left = e
        .seats
        .saturating_sub(u32::try_from(done.len()).unwrap_or(u32::MAX));
    if seats_left == 0 {
        return Err("every seat is filled".into());
    }
    let remaining: Vec<u32> = last
        .candidates
        .iter()
        .copied()
        .filter(|c| !done.contains(c))
        .collect();
    if remaining.is_empty() {
        return Err("no candidate is left for the unfilled seats".into());
    }
    Ok(NextRound {
        seats: seats_left,
        candidates: remaining,
        reason: "unfilled".into(),
    })
}

/// An election as clients see it.
pub fn view(state: &CongressState, e: &Election) -> ElectionInfo {
    let done = elected(e);
    ElectionInfo {
        id: e.id,
        title: e.title.clone(),
        seats: e.seats,
        rule: e.rule,
        turnout: e.turnout,
        item_id: e.item_id.clone(),
        nominations: e.nominations,
        candidates: e.candidates.clone(),
        list: e.list,
        approved_list: e.approved_list.clone(),
        rounds: e.rounds.clone(),
        seats_left: e
            .seats
            .saturating_sub(u32::try_from(done.len()).unwrap_or(u32::MAX)),
        elected: done,
        next_round: next_round(state, e).ok(),
    }
}

/// Everything clients see of the procedures: the bodies, the elections, the report sign-offs
/// and the credentials report's vote (pushed whole, and in the snapshot).
pub fn procedures(state: &CongressState) -> ProceduresView {
    ProceduresView {
        bodies: state.bodies.bodies.values().cloned().collect(),
        elections: state
            .elections
            .elections
            .values()
            .map(|e| view(state, e))
            .collect(),
        signoffs: state
            .elections
            .signoffs
            .iter()
            .map(|(vote_id, signatures)| TallySignoffs {
                vote_id: *vote_id,
                signatures: signatures.clone(),
            })
            .collect(),
        credentials_vote: state.credentials.report_vote,
        credentials_adopted: state.credentials.report_adopted,
    }
}

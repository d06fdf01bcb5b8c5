//! Vote commands decided against the congress state, and vote events applied to it.

use congress_proto::AttendanceStatus;

use super::lifecycle::{
    BallotDecision, Participation, VoteError, VotePhase, VoteRecord, check_new, decide_ballot,
    next_vote_id, runoff_of,
};
use super::{BasisCounts, VoteCommand, VoteEvent, VoteId};
use crate::command::Context;
use crate::error::DomainError;
use crate::event::Event;
use crate::state::CongressState;

fn vote(state: &CongressState, id: u64) -> Result<&VoteRecord, VoteError> {
    state.votes.get(&id).ok_or(VoteError::UnknownVote(id))
}

/// Attendance for the bases of a result.
pub fn basis(state: &CongressState) -> BasisCounts {
    let s = state.summary();
    BasisCounts {
        present: u64::from(s.present),
        convened: u64::from(state.convened()),
    }
}

pub(crate) fn decide(
    state: &CongressState,
    cmd: &VoteCommand,
    ctx: Context,
) -> Result<Vec<Event>, DomainError> {
    Ok(decide_vote(state, cmd, ctx)?
        .into_iter()
        .map(Event::from)
        .collect())
}

fn decide_vote(
    state: &CongressState,
    cmd: &VoteCommand,
    ctx: Context,
) -> Result<Vec<VoteEvent>, VoteError> {
    match cmd {
        VoteCommand::CreateVote { spec, duration_s } => {
            let mut spec = spec.clone();
            spec.id = VoteId(next_vote_id(&state.votes));
            check_new(&spec)?;
            Ok(vec![VoteEvent::VoteCreated {
                spec,
                duration_s: *duration_s,
            }])
        }
        VoteCommand::CreateRunoff { from } => {
            let v = vote(state, *from)?;
            let mut spec = runoff_of(v, next_vote_id(&state.votes))?;
            spec.title = format!("{} (runoff)", v.spec.title);
            Ok(vec![VoteEvent::VoteCreated {
                spec,
                duration_s: v.duration_s,
            }])
        }
        VoteCommand::OpenVote { vote_id } => {
            let v = vote(state, *vote_id)?;
            if v.phase != VotePhase::Draft {
                return Err(VoteError::AlreadyOpened);
            }
            let q = state.summary().quorum;
            if !q.reached {
                return Err(VoteError::NoQuorum {
                    present: q.present,
                    required: q.required,
                });
            }
            Ok(vec![VoteEvent::VoteOpened {
                vote_id: *vote_id,
                at: ctx.now,
                closes_at: v.duration_s.map(|d| ctx.now + i64::from(d) * 1000),
            }])
        }
        VoteCommand::CloseVote { vote_id } => {
            let v = vote(state, *vote_id)?;
            if !v.is_open() {
                return Err(VoteError::NotOpen);
            }
            Ok(vec![VoteEvent::VoteClosed {
                vote_id: *vote_id,
                at: ctx.now,
                result: v.count(basis(state)),
                sealed: v
                    .secret_ballots
                    .iter()
                    .map(|(r, b)| (r.clone(), b.choice().clone()))
                    .collect(),
            }])
        }
        VoteCommand::CastBallot(req) => {
            let v = vote(state, req.vote_id)?;
            let present = state.status_of(&req.delegate_id) == AttendanceStatus::Present;
            match decide_ballot(v, req, present)? {
                BallotDecision::Retry => Ok(vec![]),
                BallotDecision::Open => Ok(vec![VoteEvent::BallotCast {
                    vote_id: req.vote_id,
                    delegate_id: req.delegate_id.clone(),
                    receipt: req.receipt.clone(),
                    choice: req.choice.clone(),
                }]),
                BallotDecision::Secret => Ok(vec![
                    VoteEvent::VoteParticipated {
                        vote_id: req.vote_id,
                        delegate_id: req.delegate_id.clone(),
                        id_hash: req.id_hash.clone(),
                        check_hash: req.check_hash.clone(),
                    },
                    VoteEvent::SecretBallotCast {
                        vote_id: req.vote_id,
                        receipt: req.receipt.clone(),
                        // As the sealed box at the close will hold it (names kept sorted), so
                        // the row written now equals the one the journal rebuilds.
                        choice: super::validate(&v.spec, &req.choice)
                            .map(|b| b.choice().clone())
                            .unwrap_or_else(|_| req.choice.clone()),
                    },
                ]),
            }
        }
    }
}

pub(crate) fn apply(state: &mut CongressState, event: &VoteEvent) {
    match event {
        VoteEvent::VoteCreated { spec, duration_s } => {
            if let Ok(rec) = VoteRecord::new(spec.clone(), *duration_s) {
                state.votes.insert(spec.id.0, rec);
            }
        }
        VoteEvent::VoteOpened {
            vote_id,
            at,
            closes_at,
        } => {
            if let Some(v) = state.votes.get_mut(vote_id) {
                v.phase = VotePhase::Open {
                    opened_at: *at,
                    closes_at: *closes_at,
                };
            }
        }
        VoteEvent::VoteClosed {
            vote_id,
            at,
            result,
            sealed,
        } => {
            if let Some(v) = state.votes.get_mut(vote_id) {
                for (receipt, choice) in sealed {
                    v.record_secret(receipt, choice);
                }
                let opened_at = match v.phase {
                    VotePhase::Open { opened_at, .. } | VotePhase::Closed { opened_at, .. } => {
                        opened_at
                    }
                    VotePhase::Draft => *at,
                };
                v.phase = VotePhase::Closed {
                    opened_at,
                    closed_at: *at,
                };
                v.result = Some(result.clone());
            }
        }
        VoteEvent::BallotCast {
            vote_id,
            delegate_id,
            receipt,
            choice,
        } => {
            if let Some(v) = state.votes.get_mut(vote_id) {
                v.record_open(delegate_id, receipt, choice);
            }
        }
        VoteEvent::VoteParticipated {
            vote_id,
            delegate_id,
            id_hash,
            check_hash,
        } => {
            if let Some(v) = state.votes.get_mut(vote_id) {
                v.participation.insert(
                    delegate_id.clone(),
                    Participation {
                        id_hash: id_hash.clone(),
                        check_hash: check_hash.clone(),
                    },
                );
            }
        }
        VoteEvent::SecretBallotCast {
            vote_id,
            receipt,
            choice,
        } => {
            if let Some(v) = state.votes.get_mut(vote_id) {
                v.record_secret(receipt, choice);
            }
        }
    }
}

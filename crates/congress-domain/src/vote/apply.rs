//! Vote commands decided against the congress state, and vote events applied to it.

use congress_proto::AttendanceStatus;

use super::lifecycle::{
    BallotDecision, Participation, VoteError, VotePhase, VoteRecord, check_new, decide_ballot,
    next_vote_id, runoff_of,
};
use super::{BasisCounts, VoteCommand, VoteEvent, VoteId, encrypted};
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
            secret_rules(state, &mut spec)?;
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
            secret_rules(state, &mut spec)?;
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
            if v.encrypted.is_some() {
                let b = basis(state);
                return Ok(vec![VoteEvent::EncryptedVoteClosed {
                    vote_id: *vote_id,
                    at: ctx.now,
                    present: b.present,
                    convened: b.convened,
                }]);
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
            if v.encrypted.is_some() {
                return Err(VoteError::EncryptedOnly);
            }
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
        VoteCommand::CastEncrypted {
            vote_id,
            delegate_id,
            credential,
            ballot,
        } => {
            let v = vote(state, *vote_id)?;
            let e = v.encrypted.as_ref().ok_or(VoteError::NotEncrypted)?;
            if !v.is_open() {
                return Err(VoteError::NotOpen);
            }
            if state.status_of(delegate_id) != AttendanceStatus::Present {
                return Err(VoteError::NotPresent);
            }
            if e.has_voted(delegate_id) {
                return Err(VoteError::AlreadyVoted);
            }
            let tracker = encrypted::accept(e, credential, ballot)?;
            Ok(vec![VoteEvent::EncryptedBallotCast {
                vote_id: *vote_id,
                delegate_id: delegate_id.clone(),
                tracker,
                ballot: encrypted::encode(ballot.ballot().to_bytes()),
            }])
        }
        VoteCommand::RejectEncrypted {
            vote_id,
            tracker,
            reason,
        } => {
            let e = encrypted_vote(state, *vote_id)?;
            if !e.ballots.contains_key(tracker) || e.tally.is_some() {
                return Ok(vec![]);
            }
            Ok(vec![VoteEvent::EncryptedBallotRejected {
                vote_id: *vote_id,
                tracker: tracker.clone(),
                reason: reason.clone(),
            }])
        }
        VoteCommand::RecordTally {
            vote_id,
            tally,
            rejected,
        } => {
            let v = vote(state, *vote_id)?;
            let e = v.encrypted.as_ref().ok_or(VoteError::NotEncrypted)?;
            if e.closed_with.is_none() {
                return Err(VoteError::NotClosed);
            }
            if e.tally.is_some() {
                return Ok(vec![]);
            }
            if tally.len() != e.question.slots()
                || rejected.iter().any(|r| !e.ballots.contains_key(&r.tracker))
            {
                return Err(VoteError::Encryption(
                    "the tally does not fit this vote".into(),
                ));
            }
            let counted = e.ballots.len().saturating_sub(rejected.len()) as u64;
            Ok(vec![VoteEvent::EncryptedTallyRecorded {
                vote_id: *vote_id,
                tally: tally.clone(),
                counted,
                rejected: rejected.clone(),
            }])
        }
        VoteCommand::SubmitPartial {
            vote_id,
            delegate_id,
            partial,
        } => {
            let v = vote(state, *vote_id)?;
            let e = v.encrypted.as_ref().ok_or(VoteError::NotEncrypted)?;
            if e.counts.is_some() {
                return Ok(vec![]);
            }
            let member = state
                .board
                .index_of(delegate_id)
                .filter(|_| state.board.setup.as_ref() == Some(&e.setup));
            if member != Some(partial.member) {
                return Err(VoteError::Encryption(
                    "only a counting board member decrypts, in its own name".into(),
                ));
            }
            if let Some(earlier) = e.partials.get(&partial.member) {
                return if earlier == partial {
                    Ok(vec![])
                } else {
                    Err(VoteError::Encryption(
                        "this member has already decrypted".into(),
                    ))
                };
            }
            encrypted::check_partial(e, &state.board, partial)?;
            let mut events = vec![VoteEvent::PartialDecryptionAccepted {
                vote_id: *vote_id,
                partial: partial.clone(),
            }];
            let mut after = e.clone();
            after.partials.insert(partial.member, partial.clone());
            if let Some(counts) = encrypted::try_decrypt(&after, &state.board)? {
                let attendance = e.closed_with.unwrap_or_default();
                let result = encrypted::result(&v.spec, &counts, e.counted, attendance)?;
                events.push(VoteEvent::EncryptedResultDeclared {
                    vote_id: *vote_id,
                    at: ctx.now,
                    counts,
                    result,
                });
            }
            Ok(events)
        }
    }
}

fn encrypted_vote(state: &CongressState, id: u64) -> Result<&encrypted::EncryptedVote, VoteError> {
    vote(state, id)?
        .encrypted
        .as_ref()
        .ok_or(VoteError::NotEncrypted)
}

/// A secret vote is encrypted to the counting board's key when it exists, and never shows a
/// running tally (its changes, watched against who voted, would link ballots to voters).
fn secret_rules(state: &CongressState, spec: &mut super::VoteSpec) -> Result<(), VoteError> {
    if spec.secrecy == super::Secrecy::Secret {
        spec.show_running_tally = false;
        spec.allow_change = false;
        spec.encrypted = state.board.key.is_some();
    } else {
        spec.encrypted = false;
    }
    Ok(())
}

pub(crate) fn apply(state: &mut CongressState, event: &VoteEvent) {
    match event {
        VoteEvent::VoteCreated { spec, duration_s } => {
            if let Ok(mut rec) = VoteRecord::new(spec.clone(), *duration_s) {
                if spec.encrypted {
                    rec.encrypted = encrypted::EncryptedVote::new(&state.board, spec).ok();
                }
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
        VoteEvent::EncryptedBallotCast {
            vote_id,
            delegate_id,
            tracker,
            ..
        } => {
            if let Some(e) = encrypted_mut(state, *vote_id) {
                e.ballots.insert(
                    tracker.clone(),
                    encrypted::EncryptedBallot {
                        delegate_id: delegate_id.clone(),
                    },
                );
            }
        }
        VoteEvent::EncryptedBallotRejected {
            vote_id,
            tracker,
            reason,
        } => {
            if let Some(e) = encrypted_mut(state, *vote_id) {
                e.reject(tracker, reason);
            }
        }
        VoteEvent::EncryptedVoteClosed {
            vote_id,
            at,
            present,
            convened,
        } => {
            if let Some(v) = state.votes.get_mut(vote_id) {
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
                if let Some(e) = v.encrypted.as_mut() {
                    e.closed_with = Some(BasisCounts {
                        present: *present,
                        convened: *convened,
                    });
                }
            }
        }
        VoteEvent::EncryptedTallyRecorded {
            vote_id,
            tally,
            counted,
            rejected,
        } => {
            if let Some(e) = encrypted_mut(state, *vote_id) {
                for r in rejected {
                    e.reject(&r.tracker, &r.reason);
                }
                e.tally = Some(tally.clone());
                e.counted = *counted;
            }
        }
        VoteEvent::PartialDecryptionAccepted { vote_id, partial } => {
            if let Some(e) = encrypted_mut(state, *vote_id) {
                e.partials.insert(partial.member, partial.clone());
            }
        }
        VoteEvent::EncryptedResultDeclared {
            vote_id,
            counts,
            result,
            ..
        } => {
            if let Some(v) = state.votes.get_mut(vote_id) {
                v.result = Some(result.clone());
                if let Some(e) = v.encrypted.as_mut() {
                    e.counts = Some(counts.clone());
                }
            }
        }
    }
}

fn encrypted_mut(state: &mut CongressState, id: u64) -> Option<&mut encrypted::EncryptedVote> {
    state.votes.get_mut(&id)?.encrypted.as_mut()
}

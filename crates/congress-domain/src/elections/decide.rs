//! `decide` for elections, and what a closed vote's result decides for them.

use congress_proto::vote::{MajorityRule, Secrecy, TurnoutRule, VoteKind, VoteOption};
use congress_proto::{
    AttendanceStatus, Body, CandidateSource, Consent, ListStatus, NewCandidate, NominationPhase,
};

use super::rounds::{next_round, round_outcome};
use super::{
    Actor, Election, ElectionCommand, ElectionError, ElectionEvent, MAX_CANDIDATES,
    MAX_PROFILE_CHARS, MAX_ROUND_MINUTES, new_candidate,
};
use crate::command::Context;
use crate::error::DomainError;
use crate::event::Event;
use crate::motions::{self, NewVote};
use crate::state::CongressState;
use crate::text::{check_required, check_text};
use crate::vote::VoteResult;
use crate::vote::check_rule;

fn election(state: &CongressState, id: u64) -> Result<&Election, ElectionError> {
    state
        .elections
        .elections
        .get(&id)
        .ok_or(ElectionError::UnknownElection(id))
}

fn check_candidate(state: &CongressState, c: &NewCandidate) -> Result<(), DomainError> {
    check_required("name", &c.name)?;
    if c.profile.chars().count() > MAX_PROFILE_CHARS {
        return Err(DomainError::TooLong {
            field: "profile",
            max: MAX_PROFILE_CHARS,
        });
    }
    if c.profile.chars().any(|ch| ch.is_control() && ch != '\n') {
        return Err(DomainError::Invalid(
            "profile contains control characters".into(),
        ));
    }
    if let Some(d) = &c.delegate_id
        && !state.delegates.contains_key(d)
    {
        return Err(DomainError::UnknownDelegate(d.clone()));
    }
    Ok(())
}

fn check_rules(seats: u32, rule: MajorityRule, turnout: TurnoutRule) -> Result<(), DomainError> {
    if seats == 0 || seats > 1_000 {
        return Err(ElectionError::Invalid("seats must be 1 to 1000".into()).into());
    }
    check_rule(rule, Some(turnout)).map_err(|e| ElectionError::Invalid(e.to_string()))?;
    Ok(())
}

/// Whether the list can no longer change (being voted on or approved).
fn list_frozen(e: &Election) -> bool {
    matches!(
        e.list,
        ListStatus::Voting { .. } | ListStatus::Approved { .. }
    )
}

fn already(e: &Election, c: &NewCandidate) -> Result<(), ElectionError> {
    let same = |x: &congress_proto::CandidateInfo| match (&c.delegate_id, &x.delegate_id) {
        (Some(a), Some(b)) => a == b,
        (None, None) => x.name.trim() == c.name.trim(),
        _ => false,
    };
    match e
        .candidates
        .iter()
        .find(|x| same(x) && x.consent != Consent::Declined)
    {
        Some(x) => Err(ElectionError::AlreadyCandidate(x.name.clone())),
        None => Ok(()),
    }
}

fn next_candidate_id(e: &Election) -> u32 {
    e.candidates.iter().map(|c| c.id).max().unwrap_or(0) + 1
}

pub(crate) fn decide(
    state: &CongressState,
    cmd: &ElectionCommand,
    ctx: Context,
) -> Result<Vec<Event>, DomainError> {
    let now = ctx.now;
    let one = |e: ElectionEvent| Ok(vec![Event::from(e)]);
    match cmd {
        ElectionCommand::Create {
            title,
            seats,
            rule,
            turnout,
            item_id,
            candidates,
        } => {
            check_required("title", title)?;
            check_rules(*seats, *rule, *turnout)?;
            if candidates.len() > MAX_CANDIDATES {
                return Err(ElectionError::Invalid("too many candidates".into()).into());
            }
            if let Some(i) = item_id
                && !state.agenda.items.iter().any(|x| &x.id == i)
            {
                return Err(DomainError::UnknownAgendaItem(i.clone()));
            }
            let election_id = state
                .elections
                .elections
                .keys()
                .next_back()
                .map_or(1, |k| k + 1);
            let mut events: Vec<Event> = vec![
                ElectionEvent::ElectionCreated {
                    election_id,
                    title: title.trim().to_string(),
                    seats: *seats,
                    rule: *rule,
                    turnout: *turnout,
                    item_id: item_id.clone(),
                    at: now,
                }
                .into(),
            ];
            let mut seen = Vec::new();
            for (i, c) in candidates.iter().enumerate() {
                check_candidate(state, c)?;
                let key = (c.delegate_id.clone(), c.name.trim().to_string());
                if seen.contains(&key) {
                    return Err(ElectionError::AlreadyCandidate(c.name.clone()).into());
                }
                seen.push(key);
                events.push(
                    ElectionEvent::CandidateNominated {
                        election_id,
                        candidate: new_candidate(
                            u32::try_from(i + 1).unwrap_or(u32::MAX),
                            c,
                            CandidateSource::Presidium,
                            Consent::Given,
                            now,
                        ),
                    }
                    .into(),
                );
            }
            Ok(events)
        }
        ElectionCommand::Nominate {
            election_id,
            candidate,
            by,
            nominated_by,
        } => {
            let e = election(state, *election_id)?;
            if list_frozen(e) {
                return Err(ElectionError::ListFrozen.into());
            }
            if e.candidates.len() >= MAX_CANDIDATES {
                return Err(ElectionError::Invalid("too many candidates".into()).into());
            }
            let (candidate, source, consent) = match by {
                Actor::Delegate(me) => {
                    match e.nominations {
                        NominationPhase::Open { closes_at, .. } if now < closes_at => {}
                        _ => return Err(ElectionError::NominationsClosed.into()),
                    }
                    if state.status_of(me) != AttendanceStatus::Present {
                        return Err(ElectionError::NotPresent.into());
                    }
                    let nominee = candidate.delegate_id.clone().unwrap_or_else(|| me.clone());
                    let d = state
                        .delegates
                        .get(&nominee)
                        .ok_or_else(|| DomainError::UnknownDelegate(nominee.clone()))?;
                    if !state.credentials.may_sit(&nominee) {
                        return Err(ElectionError::NotStanding.into());
                    }
                    let c = NewCandidate {
                        name: d.full_name.clone(),
                        delegate_id: Some(nominee.clone()),
                        profile: d.unit.clone(),
                    };
                    if &nominee == me {
                        (c, CandidateSource::SelfNominated, Consent::Given)
                    } else {
                        let source = CandidateSource::Floor { by: me.clone() };
                        (c, source, Consent::Pending)
                    }
                }
                Actor::Operator(_) => {
                    if matches!(e.nominations, NominationPhase::Closed { .. })
                        && nominated_by.is_some()
                    {
                        return Err(ElectionError::NominationsClosed.into());
                    }
                    match nominated_by {
                        None => (
                            candidate.clone(),
                            CandidateSource::Presidium,
                            Consent::Given,
                        ),
                        Some(d) => {
                            if !state.delegates.contains_key(d) {
                                return Err(DomainError::UnknownDelegate(d.clone()));
                            }
                            let source = if candidate.delegate_id.as_ref() == Some(d) {
                                CandidateSource::SelfNominated
                            } else {
                                CandidateSource::Floor { by: d.clone() }
                            };
                            let consent = if source == CandidateSource::SelfNominated {
                                Consent::Given
                            } else {
                                Consent::Pending
                            };
                            (candidate.clone(), source, consent)
                        }
                    }
                }
            };
            check_candidate(state, &candidate)?;
            already(e, &candidate)?;
            one(ElectionEvent::CandidateNominated {
                election_id: *election_id,
                candidate: new_candidate(next_candidate_id(e), &candidate, source, consent, now),
            })
        }
        ElectionCommand::SetPhoto {
            election_id,
            candidate_id,
            sha256,
        } => {
            let e = election(state, *election_id)?;
            e.candidate(*candidate_id)
                .ok_or(ElectionError::UnknownCandidate(*candidate_id))?;
            if sha256.len() != 64 || !sha256.chars().all(|c| c.is_ascii_hexdigit()) {
                return Err(ElectionError::Invalid("not a SHA-256".into()).into());
            }
            one(ElectionEvent::CandidatePhotoSet {
                election_id: *election_id,
                candidate_id: *candidate_id,
                sha256: sha256.to_ascii_lowercase(),
            })
        }
        ElectionCommand::OpenNominations {
            election_id,
            minutes,
        } => {
            let e = election(state, *election_id)?;
            if list_frozen(e) {
                return Err(ElectionError::ListFrozen.into());
            }
            if *minutes == 0 || *minutes > MAX_ROUND_MINUTES {
                return Err(ElectionError::Invalid(format!(
                    "a nomination round lasts 1 to {MAX_ROUND_MINUTES} minutes"
                ))
                .into());
            }
            one(ElectionEvent::NominationsOpened {
                election_id: *election_id,
                at: now,
                closes_at: now + i64::from(*minutes) * 60_000,
            })
        }
        ElectionCommand::CloseNominations { election_id } => {
            let e = election(state, *election_id)?;
            if matches!(e.nominations, NominationPhase::Closed { .. }) {
                return Ok(vec![]);
            }
            one(ElectionEvent::NominationsClosed {
                election_id: *election_id,
                at: now,
            })
        }
        ElectionCommand::AnswerNomination {
            election_id,
            candidate_id,
            consent,
            by,
        } => {
            let e = election(state, *election_id)?;
            let c = e
                .candidate(*candidate_id)
                .ok_or(ElectionError::UnknownCandidate(*candidate_id))?;
            if let Actor::Delegate(me) = by
                && c.delegate_id.as_ref() != Some(me)
            {
                return Err(ElectionError::NotNominee.into());
            }
            if c.consent != Consent::Pending {
                return Err(ElectionError::AlreadyAnswered.into());
            }
            if list_frozen(e) {
                return Err(ElectionError::ListFrozen.into());
            }
            one(ElectionEvent::ConsentRecorded {
                election_id: *election_id,
                candidate_id: *candidate_id,
                consent: *consent,
                by: by.name(),
                at: now,
            })
        }
        ElectionCommand::RequestWithdrawal {
            election_id,
            candidate_id,
            reason,
            by,
        } => {
            let e = election(state, *election_id)?;
            let c = e
                .candidate(*candidate_id)
                .ok_or(ElectionError::UnknownCandidate(*candidate_id))?;
            if let Actor::Delegate(me) = by
                && c.delegate_id.as_ref() != Some(me)
            {
                return Err(ElectionError::NotNominee.into());
            }
            check_required("reason", reason)?;
            if list_frozen(e) {
                return Err(ElectionError::ListFrozen.into());
            }
            if !c.standing {
                return Err(ElectionError::NotStanding.into());
            }
            if c.withdrawal.as_ref().is_some_and(|w| w.granted.is_none()) {
                return Err(ElectionError::WithdrawalPending.into());
            }
            one(ElectionEvent::WithdrawalRequested {
                election_id: *election_id,
                candidate_id: *candidate_id,
                reason: reason.trim().to_string(),
                by: by.name(),
                at: now,
            })
        }
        ElectionCommand::PutWithdrawalToVote {
            election_id,
            candidate_id,
            title,
        } => {
            let e = election(state, *election_id)?;
            let c = e
                .candidate(*candidate_id)
                .ok_or(ElectionError::UnknownCandidate(*candidate_id))?;
            match &c.withdrawal {
                Some(w) if w.granted.is_none() && w.vote_id.is_none() => {}
                Some(w) if w.granted.is_none() => {
                    return Err(ElectionError::WithdrawalPending.into());
                }
                _ => return Err(ElectionError::NoWithdrawal.into()),
            }
            let (vote_id, mut events) = motions::create(
                state,
                NewVote::open_motion(title, e.item_id.as_deref()),
                ctx,
            )?;
            events.push(
                ElectionEvent::WithdrawalPutToVote {
                    election_id: *election_id,
                    candidate_id: *candidate_id,
                    vote_id,
                    at: now,
                }
                .into(),
            );
            Ok(events)
        }
        ElectionCommand::PutListToVote { election_id, title } => {
            let e = election(state, *election_id)?;
            if list_frozen(e) {
                return Err(ElectionError::ListFrozen.into());
            }
            let not_ready = |why: &str| Err(ElectionError::ListNotReady(why.into()).into());
            if !matches!(e.nominations, NominationPhase::Closed { .. }) {
                return not_ready("close the nominations first");
            }
            if e.candidates.iter().any(|c| c.consent == Consent::Pending) {
                return not_ready("a nominee has not answered yet");
            }
            if e.candidates
                .iter()
                .any(|c| c.withdrawal.as_ref().is_some_and(|w| w.granted.is_none()))
            {
                return not_ready("a request to withdraw is not decided yet");
            }
            let list = e.standing();
            if list.is_empty() {
                return not_ready("nobody stands");
            }
            let (vote_id, mut events) = motions::create(
                state,
                NewVote::open_motion(title, e.item_id.as_deref()),
                ctx,
            )?;
            events.push(
                ElectionEvent::ListPutToVote {
                    election_id: *election_id,
                    vote_id,
                    candidates: list,
                    at: now,
                }
                .into(),
            );
            Ok(events)
        }
        ElectionCommand::SetRule {
            election_id,
            seats,
            rule,
            turnout,
        } => {
            let e = election(state, *election_id)?;
            check_rules(*seats, *rule, *turnout)?;
            if !e.rounds.is_empty() && *seats != e.seats {
                return Err(ElectionError::SeatsFixed.into());
            }
            if e.rounds.iter().any(|r| {
                state
                    .votes
                    .get(&r.vote_id)
                    .is_some_and(|v| v.result.is_none())
            }) {
                return Err(ElectionError::RoundOpen.into());
            }
            one(ElectionEvent::ElectionRuleSet {
                election_id: *election_id,
                seats: *seats,
                rule: *rule,
                turnout: *turnout,
                at: now,
            })
        }
        ElectionCommand::CreateRound {
            election_id,
            title,
            duration_s,
        } => {
            let e = election(state, *election_id)?;
            let next = next_round(state, e).map_err(ElectionError::NoRound)?;
            let candidates: Vec<VoteOption> = next
                .candidates
                .iter()
                .filter_map(|id| e.candidate(*id))
                .map(|c| VoteOption::new(c.id, c.name.clone()))
                .collect();
            let (vote_id, mut events) = motions::create(
                state,
                NewVote {
                    title,
                    kind: VoteKind::Election {
                        seats: next.seats,
                        candidates,
                    },
                    secrecy: Secrecy::Secret,
                    rule: e.rule,
                    turnout: e.turnout,
                    duration_s: *duration_s,
                    item_id: e.item_id.as_deref(),
                },
                ctx,
            )?;
            let round = u32::try_from(e.rounds.len() + 1).unwrap_or(u32::MAX);
            events.push(
                ElectionEvent::RoundCreated {
                    election_id: *election_id,
                    round,
                    vote_id,
                    seats: next.seats,
                    candidates: next.candidates,
                    at: now,
                }
                .into(),
            );
            Ok(events)
        }
        ElectionCommand::SignReport {
            vote_id,
            delegate_id,
            device_id,
            report_sha256,
        } => {
            if !crate::bodies::is_member(state, Body::CountingBoard, delegate_id) {
                return Err(ElectionError::NotBoardMember.into());
            }
            let want = super::report::report_content_sha256(state, *vote_id)
                .ok_or(ElectionError::NoReport)?;
            if &want != report_sha256 {
                return Err(ElectionError::StaleReport.into());
            }
            if state
                .elections
                .signoffs
                .get(vote_id)
                .is_some_and(|s| s.iter().any(|x| &x.delegate_id == delegate_id))
            {
                return Err(ElectionError::AlreadySigned.into());
            }
            check_text("device", device_id)?;
            one(ElectionEvent::TallyReportSigned {
                vote_id: *vote_id,
                delegate_id: delegate_id.clone(),
                device_id: device_id.clone(),
                report_sha256: report_sha256.clone(),
                at: now,
            })
        }
    }
}

/// What a closed vote decides for the elections: a withdrawal, the list, or a round.
pub(crate) fn after_close(
    state: &CongressState,
    vote_id: u64,
    result: &VoteResult,
    ctx: Context,
) -> Vec<Event> {
    let mut out = Vec::new();
    for e in state.elections.elections.values() {
        for c in &e.candidates {
            if let Some(w) = &c.withdrawal
                && w.vote_id == Some(vote_id)
                && w.granted.is_none()
            {
                out.push(
                    ElectionEvent::WithdrawalDecided {
                        election_id: e.id,
                        candidate_id: c.id,
                        vote_id,
                        granted: motions::adopted(result),
                        at: ctx.now,
                    }
                    .into(),
                );
            }
        }
        if e.list == (ListStatus::Voting { vote_id }) {
            out.push(
                ElectionEvent::ListDecided {
                    election_id: e.id,
                    vote_id,
                    approved: motions::adopted(result),
                    at: ctx.now,
                }
                .into(),
            );
        }
        if let Some(r) = e
            .rounds
            .iter()
            .find(|r| r.vote_id == vote_id && r.outcome.is_none())
        {
            out.push(
                ElectionEvent::RoundClosed {
                    election_id: e.id,
                    round: r.round,
                    vote_id,
                    outcome: round_outcome(result),
                    at: ctx.now,
                }
                .into(),
            );
        }
    }
    out
}

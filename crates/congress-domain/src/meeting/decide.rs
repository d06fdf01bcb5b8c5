//! `decide` for meeting commands: the checks, and the events an accepted command causes.

use congress_proto::{AttendanceStatus, ProjectorScene, SpeakerRequest, Speaking};

use super::MeetingEvent;
use super::{
    DEFAULT_LIMIT_S, FinishReason, MAX_LIMIT_S, MAX_NOTICE_CHARS, MIN_LIMIT_S, MeetingCommand,
    MeetingError,
};
use crate::command::Context;
use crate::error::DomainError;
use crate::event::Event;
use crate::state::CongressState;
use crate::text::check_required;

fn name_of(state: &CongressState, delegate_id: &str) -> String {
    state
        .delegates
        .get(delegate_id)
        .map(|d| d.full_name.clone())
        .unwrap_or_else(|| delegate_id.to_string())
}

fn known_item(state: &CongressState, item_id: &str) -> Result<(), DomainError> {
    if state.agenda.items.iter().any(|i| i.id == item_id) {
        Ok(())
    } else {
        Err(DomainError::UnknownAgendaItem(item_id.to_string()))
    }
}

fn check_limit(limit: u32) -> Result<(), MeetingError> {
    if (MIN_LIMIT_S..=MAX_LIMIT_S).contains(&limit) {
        Ok(())
    } else {
        Err(MeetingError::Invalid(format!(
            "a speaking time must be {MIN_LIMIT_S} to {MAX_LIMIT_S} seconds, not {limit}"
        )))
    }
}

/// Refuses to leave `item_id` while one of its votes is open.
pub fn check_can_leave(state: &CongressState, item_id: &str) -> Result<(), DomainError> {
    for (vote_id, item) in &state.meeting.vote_items {
        if item != item_id {
            continue;
        }
        if let Some(v) = state.votes.get(vote_id).filter(|v| v.is_open()) {
            return Err(MeetingError::VoteOpen {
                vote_id: *vote_id,
                title: v.spec.title.clone(),
                item_id: item_id.to_string(),
            }
            .into());
        }
    }
    Ok(())
}

/// Finishes the current speech, if there is one.
fn finish(state: &CongressState, reason: FinishReason, now: i64) -> Option<MeetingEvent> {
    state
        .meeting
        .speaking
        .as_ref()
        .map(|s| MeetingEvent::SpeakerFinished {
            request_id: s.request_id,
            item_id: s.item_id.clone(),
            delegate_id: s.delegate_id.clone(),
            kind: s.kind,
            started_at: s.started_at,
            ended_at: now,
            limit_s: s.limit_s,
            reason,
        })
}

/// Decides a meeting command.
pub(crate) fn decide(
    state: &CongressState,
    cmd: &MeetingCommand,
    ctx: Context,
) -> Result<Vec<Event>, DomainError> {
    Ok(decide_meeting(state, cmd, ctx)?
        .into_iter()
        .map(Event::from)
        .collect())
}

fn decide_meeting(
    state: &CongressState,
    cmd: &MeetingCommand,
    ctx: Context,
) -> Result<Vec<MeetingEvent>, DomainError> {
    let now = ctx.now;
    let m = &state.meeting;
    match cmd {
        MeetingCommand::AddItem { .. }
        | MeetingCommand::MoveItem { .. }
        | MeetingCommand::RenameItem { .. } => super::agenda::decide(state, cmd, now),
        MeetingCommand::DefineAgenda(items) => {
            let mut seen = std::collections::HashSet::new();
            for i in items {
                check_required("agenda id", &i.id)?;
                check_required("agenda title", &i.title)?;
                if !seen.insert(i.id.as_str()) {
                    return Err(DomainError::Invalid(format!(
                        "duplicate agenda item {}",
                        i.id
                    )));
                }
            }
            Ok(vec![MeetingEvent::AgendaDefined {
                items: items.clone(),
            }])
        }
        MeetingCommand::SetCurrentItem(item) => {
            if let Some(id) = item
                && !state.agenda.items.iter().any(|i| &i.id == id)
            {
                return Err(DomainError::UnknownAgendaItem(id.clone()));
            }
            if state.agenda.current == *item {
                return Ok(vec![]);
            }
            if let Some(cur) = &state.agenda.current {
                check_can_leave(state, cur)?;
            }
            Ok(vec![MeetingEvent::CurrentItemSet {
                item_id: item.clone(),
            }])
        }
        MeetingCommand::StartItem { item_id } => {
            known_item(state, item_id)?;
            let current = state.agenda.current.as_deref();
            if current == Some(item_id.as_str()) && !m.is_done(item_id) {
                return Ok(vec![]);
            }
            let mut events = Vec::new();
            if let Some(cur) = current {
                check_can_leave(state, cur)?;
            }
            if current != Some(item_id.as_str())
                && let Some(e) = finish(state, FinishReason::ItemLeft, now)
            {
                events.push(e);
            }
            // The current item first, so the meeting push of `ItemStarted` shows it.
            if current != Some(item_id.as_str()) {
                events.push(MeetingEvent::CurrentItemSet {
                    item_id: Some(item_id.clone()),
                });
            }
            events.push(MeetingEvent::ItemStarted {
                item_id: item_id.clone(),
                at: now,
            });
            Ok(events)
        }
        MeetingCommand::CloseItem { item_id } => {
            known_item(state, item_id)?;
            if m.is_done(item_id) {
                return Ok(vec![]);
            }
            check_can_leave(state, item_id)?;
            let mut events = Vec::new();
            if m.speaking.as_ref().is_some_and(|s| &s.item_id == item_id)
                && let Some(e) = finish(state, FinishReason::ItemClosed, now)
            {
                events.push(e);
            }
            for r in m.queues.get(item_id).into_iter().flatten() {
                events.push(MeetingEvent::SpeakerRemoved {
                    request_id: r.request_id,
                    item_id: item_id.clone(),
                    delegate_id: r.delegate_id.clone(),
                    by: "item_closed".into(),
                    at: now,
                });
            }
            if state.agenda.current.as_deref() == Some(item_id.as_str()) {
                events.push(MeetingEvent::CurrentItemSet { item_id: None });
            }
            events.push(MeetingEvent::ItemClosed {
                item_id: item_id.clone(),
                at: now,
            });
            Ok(events)
        }
        MeetingCommand::PlanItem {
            item_id,
            planned_start,
            planned_minutes,
            speaker_limit_s,
        } => {
            known_item(state, item_id)?;
            let planned_start = planned_start
                .as_ref()
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty());
            if let Some(s) = &planned_start {
                let ok =
                    s.len() <= 40 && s.chars().all(|c| c.is_ascii_digit() || "-:T ".contains(c));
                if !ok {
                    return Err(MeetingError::Invalid(format!(
                        "planned_start {s:?} is not a local time like 2026-12-01T08:00"
                    ))
                    .into());
                }
            }
            if planned_minutes.is_some_and(|m| m == 0 || m > 24 * 60) {
                return Err(
                    MeetingError::Invalid("planned_minutes must be 1 to 1440".into()).into(),
                );
            }
            if let Some(l) = speaker_limit_s {
                check_limit(*l)?;
            }
            Ok(vec![MeetingEvent::ItemPlanned {
                item_id: item_id.clone(),
                planned_start,
                planned_minutes: *planned_minutes,
                speaker_limit_s: *speaker_limit_s,
                at: now,
            }])
        }
        MeetingCommand::LinkVote { vote_id, item_id } => {
            if !state.votes.contains_key(vote_id) {
                return Err(MeetingError::UnknownVote(*vote_id).into());
            }
            if let Some(i) = item_id {
                known_item(state, i)?;
            }
            if m.vote_items.get(vote_id) == item_id.as_ref() {
                return Ok(vec![]);
            }
            Ok(vec![MeetingEvent::VoteLinked {
                vote_id: *vote_id,
                item_id: item_id.clone(),
                at: now,
            }])
        }
        MeetingCommand::RequestSpeak {
            delegate_id,
            item_id,
            kind,
            by,
        } => {
            if !state.delegates.contains_key(delegate_id) {
                return Err(DomainError::UnknownDelegate(delegate_id.clone()));
            }
            known_item(state, item_id)?;
            let name = name_of(state, delegate_id);
            if state.status_of(delegate_id) != AttendanceStatus::Present {
                return Err(MeetingError::NotPresent { name }.into());
            }
            if state.agenda.current.as_deref() != Some(item_id.as_str()) {
                return Err(MeetingError::NotCurrent {
                    item_id: item_id.clone(),
                    current: state.agenda.current.clone(),
                }
                .into());
            }
            if m.is_done(item_id) {
                return Err(MeetingError::ItemDone(item_id.clone()).into());
            }
            if m.speaking
                .as_ref()
                .is_some_and(|s| &s.delegate_id == delegate_id && s.kind == *kind)
            {
                return Err(MeetingError::AlreadySpeaking { name }.into());
            }
            if let Some(i) = m.queues.get(item_id).and_then(|q| {
                q.iter()
                    .position(|r| &r.delegate_id == delegate_id && r.kind == *kind)
            }) {
                return Err(MeetingError::AlreadyQueued {
                    name,
                    position: i as u32 + 1,
                }
                .into());
            }
            Ok(vec![MeetingEvent::SpeakerRequested {
                request: SpeakerRequest {
                    request_id: m.last_request + 1,
                    item_id: item_id.clone(),
                    delegate_id: delegate_id.clone(),
                    kind: *kind,
                    requested_at: now,
                    by: by.clone(),
                },
            }])
        }
        MeetingCommand::WithdrawSpeak {
            delegate_id,
            request_id,
        } => {
            let (r, _) = m
                .find_request(*request_id)
                .ok_or(MeetingError::UnknownRequest(*request_id))?;
            if &r.delegate_id != delegate_id {
                return Err(MeetingError::NotYours.into());
            }
            Ok(vec![MeetingEvent::SpeakerWithdrawn {
                request_id: *request_id,
                item_id: r.item_id.clone(),
                delegate_id: r.delegate_id.clone(),
                at: now,
            }])
        }
        MeetingCommand::RemoveSpeaker { request_id, by } => {
            let (r, _) = m
                .find_request(*request_id)
                .ok_or(MeetingError::UnknownRequest(*request_id))?;
            Ok(vec![MeetingEvent::SpeakerRemoved {
                request_id: *request_id,
                item_id: r.item_id.clone(),
                delegate_id: r.delegate_id.clone(),
                by: by.clone(),
                at: now,
            }])
        }
        MeetingCommand::MoveSpeaker {
            request_id,
            position,
        } => {
            let (r, from) = m
                .find_request(*request_id)
                .ok_or(MeetingError::UnknownRequest(*request_id))?;
            let q = m.queues.get(&r.item_id).cloned().unwrap_or_default();
            let to = (*position as usize).min(q.len().saturating_sub(1));
            if to == from {
                return Ok(vec![]);
            }
            let mut order: Vec<u64> = q.iter().map(|r| r.request_id).collect();
            let id = order.remove(from);
            order.insert(to, id);
            Ok(vec![MeetingEvent::SpeakersReordered {
                item_id: r.item_id.clone(),
                order,
                at: now,
            }])
        }
        MeetingCommand::Grant {
            request_id,
            limit_s,
        } => {
            let (r, _) = m
                .find_request(*request_id)
                .ok_or(MeetingError::UnknownRequest(*request_id))?;
            if state.agenda.current.as_deref() != Some(r.item_id.as_str()) {
                return Err(MeetingError::NotCurrent {
                    item_id: r.item_id.clone(),
                    current: state.agenda.current.clone(),
                }
                .into());
            }
            if let Some(s) = &m.speaking {
                return Err(MeetingError::FloorTaken {
                    name: name_of(state, &s.delegate_id),
                }
                .into());
            }
            let limit = match limit_s {
                Some(l) => {
                    check_limit(*l)?;
                    *l
                }
                None => m
                    .progress
                    .get(&r.item_id)
                    .and_then(|p| p.speaker_limit_s)
                    .unwrap_or(DEFAULT_LIMIT_S),
            };
            Ok(vec![MeetingEvent::SpeakerGranted {
                speaking: Speaking {
                    request_id: r.request_id,
                    item_id: r.item_id.clone(),
                    delegate_id: r.delegate_id.clone(),
                    kind: r.kind,
                    started_at: now,
                    limit_s: limit,
                },
            }])
        }
        MeetingCommand::Extend { seconds } => {
            let s = m.speaking.as_ref().ok_or(MeetingError::NobodySpeaking)?;
            if *seconds == 0 || *seconds > MAX_LIMIT_S {
                return Err(MeetingError::Invalid(format!(
                    "an extension must be 1 to {MAX_LIMIT_S} seconds"
                ))
                .into());
            }
            let limit_s = s.limit_s.saturating_add(*seconds).min(4 * MAX_LIMIT_S);
            Ok(vec![MeetingEvent::SpeakerExtended {
                request_id: s.request_id,
                limit_s,
                at: now,
            }])
        }
        MeetingCommand::Stop => {
            let e =
                finish(state, FinishReason::Stopped, now).ok_or(MeetingError::NobodySpeaking)?;
            Ok(vec![e])
        }
        MeetingCommand::SetScene(scene) => {
            let scene = match scene {
                ProjectorScene::Notice { text } => {
                    let text = text.trim().to_string();
                    if text.is_empty() {
                        return Err(MeetingError::Invalid("the notice is empty".into()).into());
                    }
                    if text.chars().count() > MAX_NOTICE_CHARS {
                        return Err(DomainError::TooLong {
                            field: "notice",
                            max: MAX_NOTICE_CHARS,
                        });
                    }
                    if text.chars().any(|c| c.is_control() && c != '\n') {
                        return Err(MeetingError::Invalid(
                            "the notice contains control characters".into(),
                        )
                        .into());
                    }
                    ProjectorScene::Notice { text }
                }
                other => other.clone(),
            };
            if m.scene == scene {
                return Ok(vec![]);
            }
            Ok(vec![MeetingEvent::ProjectorSceneSet { scene, at: now }])
        }
    }
}

//! The meeting itself: agenda control, requests to speak, the speaker on the floor and the
//! projector's scene. Pure, like the rest of the domain.
//!
//! # Decisions
//!
//! * **Item status** is derived, never stored twice: an item with a close time is `done`, the
//!   current item is `in_progress`, every other item `pending`. Starting a done item reopens it.
//! * **Leaving or closing an item** is refused while one of its linked votes is open (the error
//!   names the vote). A speaker who has the floor when the item is left or closed is finished
//!   (`SpeakerFinished` with reason `item_left` / `item_closed`); closing also removes the item's
//!   waiting requests (`SpeakerRemoved` by `item_closed`).
//! * **The queue** is per agenda item. A delegate may ask only on the current item and only when
//!   checked in (present). One waiting request per delegate, item and kind. A point of order goes
//!   behind the other points of order at the front; a reply behind points of order and replies;
//!   ordinary requests at the end. The secretariat may move any request anywhere.
//! * **The floor**: one speaker at a time. Granting while someone speaks is refused (stop first).
//!   The limit is the grant's, else the item's default, else [`DEFAULT_LIMIT_S`]. Time is never
//!   pushed per second: clients count down from `started_at + limit_s`.
//! * **History for the minutes** is the journal itself: `SpeakerRequested`, `SpeakerWithdrawn`,
//!   `SpeakerRemoved`, `SpeakerGranted`, `SpeakerExtended`, `SpeakerFinished` (the last carries
//!   item, delegate, start, end and limit, so one event is enough to list a speech).

mod agenda;
mod decide;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;

use congress_proto::{
    AgendaItem, DocAudience, ItemRun, ItemStatus, MeetingView, Person, ProjectorScene, SpeakerKind,
    SpeakerRequest, Speaking,
};
use serde::{Deserialize, Serialize};

use crate::state::CongressState;

pub use agenda::edit as edit_agenda;
pub use decide::check_can_leave;
pub(crate) use decide::decide;

/// Speaking time when nothing else is set, in seconds.
pub const DEFAULT_LIMIT_S: u32 = 180;
/// Shortest and longest speaking time one grant or item default may set, in seconds.
pub const MIN_LIMIT_S: u32 = 10;
pub const MAX_LIMIT_S: u32 = 3600;
/// Longest projector notice, in characters.
pub const MAX_NOTICE_CHARS: usize = 500;

/// What operators and tablets ask of the meeting.
#[derive(Debug, Clone, PartialEq)]
pub enum MeetingCommand {
    /// Define (or redefine) the agenda's items.
    DefineAgenda(Vec<AgendaItem>),
    /// Make an item the current one (`None`: none), without starting it.
    SetCurrentItem(Option<String>),
    StartItem {
        item_id: String,
    },
    CloseItem {
        item_id: String,
    },
    PlanItem {
        item_id: String,
        planned_start: Option<String>,
        planned_minutes: Option<u32>,
        speaker_limit_s: Option<u32>,
    },
    LinkVote {
        vote_id: u64,
        item_id: Option<String>,
    },
    RequestSpeak {
        delegate_id: String,
        item_id: String,
        kind: SpeakerKind,
        /// `tablet` or `operator:NAME`.
        by: String,
    },
    /// A delegate withdraws their own request.
    WithdrawSpeak {
        delegate_id: String,
        request_id: u64,
    },
    /// The secretariat removes a waiting request.
    RemoveSpeaker {
        request_id: u64,
        by: String,
    },
    MoveSpeaker {
        request_id: u64,
        position: u32,
    },
    Grant {
        request_id: u64,
        limit_s: Option<u32>,
    },
    Extend {
        seconds: u32,
    },
    Stop,
    SetScene(ProjectorScene),
    /// Add an item during the congress at `position` (the end when `None`).
    AddItem {
        item: AgendaItem,
        position: Option<u32>,
        reason: String,
        by: String,
    },
    /// Move an item to `position` (0 = first).
    MoveItem {
        item_id: String,
        position: u32,
        reason: String,
        by: String,
    },
    /// Give an item a new title.
    RenameItem {
        item_id: String,
        title: String,
        reason: String,
        by: String,
    },
}

/// The meeting's events. `AgendaDefined` and `CurrentItemSet` change the agenda itself; the
/// others are the meeting's log (the store keeps them in journal order, see
/// [`MeetingEvent::is_agenda`]).
#[derive(
    Debug, Clone, PartialEq, Serialize, Deserialize, strum::IntoStaticStr, strum::VariantNames,
)]
#[serde(tag = "event", rename_all = "snake_case", deny_unknown_fields)]
#[strum(serialize_all = "snake_case")]
pub enum MeetingEvent {
    /// The agenda's items are (re)defined.
    AgendaDefined { items: Vec<AgendaItem> },
    /// The item under discussion changed (`None`: none).
    CurrentItemSet { item_id: Option<String> },
    /// The chair started (or returned to, or reopened) an agenda item.
    ItemStarted { item_id: String, at: i64 },
    /// The chair closed an agenda item: it is done.
    ItemClosed { item_id: String, at: i64 },
    /// An item's time plan and default speaking time were edited.
    ItemPlanned {
        item_id: String,
        planned_start: Option<String>,
        planned_minutes: Option<u32>,
        speaker_limit_s: Option<u32>,
        at: i64,
    },
    /// A vote was linked to an agenda item (or unlinked: `None`).
    VoteLinked {
        vote_id: u64,
        item_id: Option<String>,
        at: i64,
    },
    /// A delegate asked to speak (from the tablet, or an operator on their behalf).
    SpeakerRequested { request: SpeakerRequest },
    /// A delegate withdrew their waiting request.
    SpeakerWithdrawn {
        request_id: u64,
        item_id: String,
        delegate_id: String,
        at: i64,
    },
    /// A waiting request was removed (`by` an operator, or `item_closed`).
    SpeakerRemoved {
        request_id: u64,
        item_id: String,
        delegate_id: String,
        by: String,
        at: i64,
    },
    /// An item's queue has a new order (request ids).
    SpeakersReordered {
        item_id: String,
        order: Vec<u64>,
        at: i64,
    },
    /// A delegate was given the floor (`speaking.started_at`, `speaking.limit_s`).
    SpeakerGranted { speaking: Speaking },
    /// The speaker's time was extended to `limit_s` in total.
    SpeakerExtended {
        request_id: u64,
        limit_s: u32,
        at: i64,
    },
    /// A speech ended: everything the minutes list about it.
    SpeakerFinished {
        request_id: u64,
        item_id: String,
        delegate_id: String,
        kind: SpeakerKind,
        started_at: i64,
        ended_at: i64,
        /// The time allowed at the end, extensions included.
        limit_s: u32,
        reason: FinishReason,
    },
    /// The projector shows another scene.
    ProjectorSceneSet { scene: ProjectorScene, at: i64 },
    /// An item was added during the congress, at `position`.
    AgendaItemAdded {
        item: AgendaItem,
        position: u32,
        reason: String,
        by: String,
        at: i64,
    },
    /// An item was moved from `from` to `to` (0 = first).
    AgendaItemMoved {
        item_id: String,
        from: u32,
        to: u32,
        reason: String,
        by: String,
        at: i64,
    },
    /// An item was renamed (`from` is the old title).
    AgendaItemRenamed {
        item_id: String,
        from: String,
        title: String,
        reason: String,
        by: String,
        at: i64,
    },
}

impl MeetingEvent {
    /// The agenda's definition, its current item or an edit of its items (kept as the agenda,
    /// not in the meeting log).
    pub fn is_agenda(&self) -> bool {
        matches!(
            self,
            MeetingEvent::AgendaDefined { .. }
                | MeetingEvent::CurrentItemSet { .. }
                | MeetingEvent::AgendaItemAdded { .. }
                | MeetingEvent::AgendaItemMoved { .. }
                | MeetingEvent::AgendaItemRenamed { .. }
        )
    }
}

/// Why a meeting command is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MeetingError {
    #[error("{name} is not checked in: only delegates present in the hall may ask to speak")]
    NotPresent { name: String },
    #[error("item {item_id} is not the item under discussion{}", current.as_ref().map(|c| format!(" (now: {c})")).unwrap_or_default())]
    NotCurrent {
        item_id: String,
        current: Option<String>,
    },
    #[error("item {0} is closed")]
    ItemDone(String),
    #[error("{name} already waits to speak on this item (place {position})")]
    AlreadyQueued { name: String, position: u32 },
    #[error("{name} has the floor now")]
    AlreadySpeaking { name: String },
    #[error("vote {vote_id} \"{title}\" is still open on item {item_id}: close the vote first")]
    VoteOpen {
        vote_id: u64,
        title: String,
        item_id: String,
    },
    #[error("{name} has the floor: stop them first")]
    FloorTaken { name: String },
    #[error("nobody has the floor")]
    NobodySpeaking,
    #[error("unknown request to speak {0} (granted, withdrawn or removed?)")]
    UnknownRequest(u64),
    #[error("unknown vote {0}")]
    UnknownVote(u64),
    #[error("this request belongs to another delegate")]
    NotYours,
    #[error("{0}")]
    Invalid(String),
}

impl MeetingError {
    /// A stable code for clients (`ApiError.error`, `speak_refused.error`).
    pub fn code(&self) -> &'static str {
        match self {
            MeetingError::NotPresent { .. } => "not_present",
            MeetingError::NotCurrent { .. } => "not_current",
            MeetingError::ItemDone(_) => "item_done",
            MeetingError::AlreadyQueued { .. } => "already_queued",
            MeetingError::AlreadySpeaking { .. } => "already_speaking",
            MeetingError::VoteOpen { .. } => "vote_open",
            MeetingError::FloorTaken { .. } => "floor_taken",
            MeetingError::NobodySpeaking => "no_speaker",
            MeetingError::UnknownRequest(_) | MeetingError::UnknownVote(_) => "not_found",
            MeetingError::NotYours => "forbidden",
            MeetingError::Invalid(_) => "invalid",
        }
    }

    /// The HTTP status: 404 unknown, 403 not yours, 422 malformed, 409 out of order.
    pub fn status(&self) -> u16 {
        match self {
            MeetingError::UnknownRequest(_) | MeetingError::UnknownVote(_) => 404,
            MeetingError::NotYours => 403,
            MeetingError::Invalid(_) => 422,
            _ => 409,
        }
    }
}

/// An item's progress in the meeting.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ItemProgress {
    pub started_at: Option<i64>,
    pub closed_at: Option<i64>,
    pub speaker_limit_s: Option<u32>,
}

/// Why a speech ended (`SpeakerFinished.reason`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FinishReason {
    /// The secretariat stopped the speaker.
    Stopped,
    /// The chair moved to another item.
    ItemLeft,
    /// The item was closed.
    ItemClosed,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeetingState {
    pub progress: BTreeMap<String, ItemProgress>,
    /// Waiting requests per item, in speaking order.
    pub queues: BTreeMap<String, Vec<SpeakerRequest>>,
    pub speaking: Option<Speaking>,
    pub scene: ProjectorScene,
    /// Vote id → agenda item.
    pub vote_items: BTreeMap<u64, String>,
    /// The last request id given.
    pub last_request: u64,
}

impl Default for MeetingState {
    fn default() -> Self {
        MeetingState {
            progress: BTreeMap::new(),
            queues: BTreeMap::new(),
            speaking: None,
            scene: ProjectorScene::Agenda,
            vote_items: BTreeMap::new(),
            last_request: 0,
        }
    }
}

/// The time a meeting event happened.
pub fn event_at(e: &MeetingEvent) -> Option<i64> {
    Some(match e {
        MeetingEvent::ItemStarted { at, .. }
        | MeetingEvent::ItemClosed { at, .. }
        | MeetingEvent::ItemPlanned { at, .. }
        | MeetingEvent::VoteLinked { at, .. }
        | MeetingEvent::SpeakerWithdrawn { at, .. }
        | MeetingEvent::SpeakerRemoved { at, .. }
        | MeetingEvent::SpeakersReordered { at, .. }
        | MeetingEvent::SpeakerExtended { at, .. }
        | MeetingEvent::ProjectorSceneSet { at, .. } => *at,
        MeetingEvent::SpeakerRequested { request } => request.requested_at,
        MeetingEvent::SpeakerGranted { speaking } => speaking.started_at,
        MeetingEvent::SpeakerFinished { ended_at, .. } => *ended_at,
        _ => return None,
    })
}

/// Applies a meeting event to the state: the agenda's fields, then the meeting's log.
pub(crate) fn apply(state: &mut CongressState, event: &MeetingEvent) {
    match event {
        MeetingEvent::AgendaDefined { items } => {
            state.agenda.items = items.clone();
            if let Some(cur) = &state.agenda.current
                && !items.iter().any(|i| &i.id == cur)
            {
                state.agenda.current = None;
            }
        }
        MeetingEvent::CurrentItemSet { item_id } => state.agenda.current = item_id.clone(),
        MeetingEvent::AgendaItemAdded { .. }
        | MeetingEvent::AgendaItemMoved { .. }
        | MeetingEvent::AgendaItemRenamed { .. } => agenda::edit(&mut state.agenda.items, event),
        MeetingEvent::ItemPlanned {
            item_id,
            planned_start,
            planned_minutes,
            ..
        } => {
            if let Some(i) = state.agenda.items.iter_mut().find(|i| &i.id == item_id) {
                i.planned_start = planned_start.clone();
                i.planned_minutes = *planned_minutes;
            }
        }
        _ => {}
    }
    state.meeting.apply(event);
}

impl MeetingState {
    /// Applies one event of the meeting's log (agenda events are ignored: they change
    /// `CongressState::agenda`, see [`apply`]).
    pub fn apply(&mut self, event: &MeetingEvent) {
        match event {
            MeetingEvent::ItemStarted { item_id, at } => {
                let p = self.progress.entry(item_id.clone()).or_default();
                p.started_at.get_or_insert(*at);
                p.closed_at = None;
            }
            MeetingEvent::ItemClosed { item_id, at } => {
                let p = self.progress.entry(item_id.clone()).or_default();
                p.started_at.get_or_insert(*at);
                p.closed_at = Some(*at);
            }
            MeetingEvent::ItemPlanned {
                item_id,
                speaker_limit_s,
                ..
            } => {
                self.progress
                    .entry(item_id.clone())
                    .or_default()
                    .speaker_limit_s = *speaker_limit_s;
            }
            MeetingEvent::VoteLinked {
                vote_id, item_id, ..
            } => match item_id {
                Some(i) => {
                    self.vote_items.insert(*vote_id, i.clone());
                }
                None => {
                    self.vote_items.remove(vote_id);
                }
            },
            MeetingEvent::SpeakerRequested { request } => {
                self.last_request = self.last_request.max(request.request_id);
                let q = self.queues.entry(request.item_id.clone()).or_default();
                let at = insert_position(q, request.kind);
                q.insert(at, request.clone());
            }
            MeetingEvent::SpeakerWithdrawn {
                request_id,
                item_id,
                ..
            }
            | MeetingEvent::SpeakerRemoved {
                request_id,
                item_id,
                ..
            } => {
                self.take(item_id, *request_id);
            }
            MeetingEvent::SpeakersReordered { item_id, order, .. } => {
                if let Some(q) = self.queues.get_mut(item_id) {
                    let mut old = std::mem::take(q);
                    for id in order {
                        if let Some(i) = old.iter().position(|r| r.request_id == *id) {
                            q.push(old.remove(i));
                        }
                    }
                    q.extend(old);
                }
            }
            MeetingEvent::SpeakerGranted { speaking } => {
                self.take(&speaking.item_id, speaking.request_id);
                self.speaking = Some(speaking.clone());
            }
            MeetingEvent::SpeakerExtended {
                request_id,
                limit_s,
                ..
            } => {
                if let Some(s) = self
                    .speaking
                    .as_mut()
                    .filter(|s| s.request_id == *request_id)
                {
                    s.limit_s = *limit_s;
                }
            }
            MeetingEvent::SpeakerFinished { request_id, .. }
                if self
                    .speaking
                    .as_ref()
                    .is_some_and(|s| s.request_id == *request_id) =>
            {
                self.speaking = None;
            }
            MeetingEvent::ProjectorSceneSet { scene, .. } => self.scene = scene.clone(),
            _ => {}
        }
    }

    fn take(&mut self, item_id: &str, request_id: u64) -> Option<SpeakerRequest> {
        let q = self.queues.get_mut(item_id)?;
        let i = q.iter().position(|r| r.request_id == request_id)?;
        let r = q.remove(i);
        if q.is_empty() {
            self.queues.remove(item_id);
        }
        Some(r)
    }

    /// A waiting request by id, with its item's queue and its index there.
    pub fn find_request(&self, request_id: u64) -> Option<(&SpeakerRequest, usize)> {
        self.queues.values().find_map(|q| {
            q.iter()
                .position(|r| r.request_id == request_id)
                .map(|i| (&q[i], i))
        })
    }

    /// Is the item done (closed and not reopened)?
    pub fn is_done(&self, item_id: &str) -> bool {
        self.progress
            .get(item_id)
            .is_some_and(|p| p.closed_at.is_some())
    }
}

/// Where a new request of `kind` goes: behind every request of the same or a higher priority.
fn insert_position(q: &[SpeakerRequest], kind: SpeakerKind) -> usize {
    q.iter()
        .position(|r| r.kind.rank() > kind.rank())
        .unwrap_or(q.len())
}

/// The meeting as clients see it, at `server_now`.
pub fn view(state: &CongressState, server_now: i64) -> MeetingView {
    let m = &state.meeting;
    let items = state
        .agenda
        .items
        .iter()
        .map(|i| {
            let p = m.progress.get(&i.id).cloned().unwrap_or_default();
            let status = if p.closed_at.is_some() {
                ItemStatus::Done
            } else if state.agenda.current.as_deref() == Some(i.id.as_str()) {
                ItemStatus::InProgress
            } else {
                ItemStatus::Pending
            };
            ItemRun {
                item_id: i.id.clone(),
                status,
                started_at: p.started_at,
                closed_at: p.closed_at,
                speaker_limit_s: p.speaker_limit_s,
                votes: m
                    .vote_items
                    .iter()
                    .filter(|(_, item)| **item == i.id)
                    .map(|(v, _)| *v)
                    .collect(),
                documents: state
                    .docs
                    .documents
                    .values()
                    .filter(|d| {
                        d.agenda_item_id.as_deref() == Some(i.id.as_str())
                            && d.audience == DocAudience::AllDelegates
                    })
                    .map(|d| d.id)
                    .collect(),
            }
        })
        .collect();
    let current = state.agenda.current.clone();
    // The current item's queue first, then the others, each in speaking order.
    let mut queues: Vec<SpeakerRequest> = current
        .as_ref()
        .and_then(|c| m.queues.get(c))
        .cloned()
        .unwrap_or_default();
    for (item, q) in &m.queues {
        if Some(item) != current.as_ref() {
            queues.extend(q.iter().cloned());
        }
    }
    let people = queues
        .iter()
        .map(|r| &r.delegate_id)
        .chain(m.speaking.iter().map(|s| &s.delegate_id))
        .filter_map(|id| {
            state.delegates.get(id).map(|d| {
                (
                    id.clone(),
                    Person {
                        full_name: d.full_name.clone(),
                        unit: d.unit.clone(),
                    },
                )
            })
        })
        .collect();
    MeetingView {
        people,
        items,
        current,
        queues,
        speaking: m.speaking.clone(),
        scene: m.scene.clone(),
        default_limit_s: DEFAULT_LIMIT_S,
        server_now,
    }
}

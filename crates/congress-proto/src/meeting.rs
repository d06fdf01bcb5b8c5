//! The meeting itself: agenda control (item status, time plan, linked votes), the queue of
//! requests to speak per agenda item, the speaker on the floor, and the projector's scene.
//!
//! The whole meeting state is small (tens of items, a few dozen requests), so every change is
//! pushed as one [`Push::Meeting`](crate::Push) carrying the whole [`MeetingView`], and the
//! snapshot carries it too: a client that reconnects shows the current scene and speaker.
//! Timers are never pushed per second: a speaker's `started_at` and `limit_s` are pushed once and
//! clients count down locally (`server_now` lets them correct for their clock's offset).

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Where an agenda item is in the meeting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ItemStatus {
    Pending,
    InProgress,
    Done,
}

/// What a request to speak is for. A point of order goes to the front of the queue, a reply
/// after the points of order and before ordinary requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SpeakerKind {
    Normal,
    Reply,
    PointOfOrder,
}

impl SpeakerKind {
    /// Lower goes first.
    pub fn rank(self) -> u8 {
        match self {
            SpeakerKind::PointOfOrder => 0,
            SpeakerKind::Reply => 1,
            SpeakerKind::Normal => 2,
        }
    }
}

/// One waiting request to speak.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SpeakerRequest {
    /// Numbered by the server, never reused.
    pub request_id: u64,
    pub item_id: String,
    pub delegate_id: String,
    pub kind: SpeakerKind,
    pub requested_at: i64,
    /// Who asked: `tablet` or `operator:NAME` (on the delegate's behalf).
    pub by: String,
}

/// The speaker who has the floor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Speaking {
    pub request_id: u64,
    pub item_id: String,
    pub delegate_id: String,
    pub kind: SpeakerKind,
    pub started_at: i64,
    /// Speaking time allowed, in seconds (extensions included).
    pub limit_s: u32,
}

/// What the hall projector shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "scene", rename_all = "snake_case", deny_unknown_fields)]
pub enum ProjectorScene {
    /// The current item and the time plan.
    Agenda,
    /// Who speaks now, a big countdown, the next speakers.
    Speaker,
    /// Live turnout of the open vote (or the newest vote).
    Vote,
    /// The result of the newest closed vote.
    Result,
    /// Present / convened / quorum.
    Quorum,
    /// A text typed by the operator, shown as text (never HTML).
    Notice { text: String },
    /// An election's candidates with their profiles and photos.
    Candidates { election_id: u64 },
    /// The counting board's report of a closed secret vote.
    TallyReport { vote_id: u64 },
    /// The credentials committee's report.
    CredentialsReport,
}

/// An agenda item as the meeting runs it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ItemRun {
    pub item_id: String,
    pub status: ItemStatus,
    /// When the item was first started.
    pub started_at: Option<i64>,
    /// When the item was closed (if it is done).
    pub closed_at: Option<i64>,
    /// The default speaking time on this item, in seconds (else the meeting's default).
    pub speaker_limit_s: Option<u32>,
    /// Votes linked to this item.
    pub votes: Vec<u64>,
    /// Documents on this item.
    pub documents: Vec<i64>,
}

/// The whole meeting state a client needs (pushed whole on every change).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MeetingView {
    /// One per agenda item, in agenda order.
    pub items: Vec<ItemRun>,
    /// The current item when this view was made. `Push::Agenda` (for example from
    /// `PUT /api/agenda/current`) may change it later: clients take the agenda's `current`
    /// as the truth and use it to pick the queue and the item in progress.
    pub current: Option<String>,
    /// Every waiting request, per item in speaking order (the current item's first); a
    /// client shows those whose `item_id` is the current item.
    pub queues: Vec<SpeakerRequest>,
    pub speaking: Option<Speaking>,
    /// Name and unit of every delegate in `queues` and `speaking` (projectors and tablets may not
    /// read the delegate list).
    pub people: std::collections::BTreeMap<String, Person>,
    pub scene: ProjectorScene,
    /// Speaking time when neither the item nor the grant says otherwise, in seconds.
    pub default_limit_s: u32,
    /// Server time when this view was made: clients use it to correct their clock for the
    /// countdown.
    pub server_now: i64,
}

/// How a speaker is shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Person {
    pub full_name: String,
    pub unit: String,
}

/// A bare operator action (start an item, close it, stop the speaker, remove a request).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct MeetingAction {
    pub client_id: String,
}

/// Edit an item's time plan and its default speaking time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PlanItem {
    pub client_id: String,
    /// Local time, e.g. `2026-12-01T08:00`.
    pub planned_start: Option<String>,
    pub planned_minutes: Option<u32>,
    pub speaker_limit_s: Option<u32>,
}

/// Link a vote to an agenda item (or unlink it with `null`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct LinkVote {
    pub client_id: String,
    pub item_id: Option<String>,
}

/// An operator puts a delegate in the queue (a delegate without a tablet raises a hand).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AddSpeaker {
    pub client_id: String,
    pub delegate_id: String,
    pub item_id: String,
    pub kind: SpeakerKind,
}

/// Give the floor to a waiting request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct GrantFloor {
    pub client_id: String,
    /// This speaker's time in seconds; else the item's or the meeting's default.
    pub limit_s: Option<u32>,
}

/// Move a waiting request to `position` (0 = first) in its item's queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct MoveSpeaker {
    pub client_id: String,
    pub position: u32,
}

/// Give the speaker more time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ExtendSpeaker {
    pub client_id: String,
    pub seconds: u32,
}

/// Switch the projector's scene.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SetScene {
    pub client_id: String,
    pub scene: ProjectorScene,
}

/// Answer to every meeting action, sent after the commit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MeetingAck {
    pub client_id: String,
    pub seq: u64,
    pub meeting: MeetingView,
}

/// Answer to a tablet's `request_speak` / `withdraw_speak`, sent after the commit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SpeakAck {
    pub client_id: String,
    pub request_id: u64,
    pub item_id: String,
    /// Place in the queue (1 = next), or `null` after a withdrawal.
    pub position: Option<u32>,
}

/// `POST /api/agenda/items`: add an item during the congress (journalled with its reason).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AddAgendaItem {
    pub client_id: String,
    /// A new item id; the server makes one (`N1`, `N2`, …) when `null`.
    #[serde(default)]
    pub id: Option<String>,
    pub title: String,
    /// Where it goes (0 = first); at the end when `null`.
    #[serde(default)]
    pub position: Option<u32>,
    #[serde(default)]
    pub planned_minutes: Option<u32>,
    pub reason: String,
}

/// `POST /api/agenda/items/{id}/move`: move an item to `position` (0 = first).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct MoveAgendaItem {
    pub client_id: String,
    pub position: u32,
    pub reason: String,
}

/// `POST /api/agenda/items/{id}/rename`: give an item a new title.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RenameAgendaItem {
    pub client_id: String,
    pub title: String,
    pub reason: String,
}

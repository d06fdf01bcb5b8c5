//! Notices (secretariat → tablets) and discussion groups: secretaries, written opinions on an
//! agenda item, and each group's summary for the secretariat.
//!
//! Limits (characters): a notice [`MAX_NOTICE_CHARS`], an opinion [`MAX_OPINION_CHARS`], a
//! summary [`MAX_SUMMARY_CHARS`]. Every text is stored and sent verbatim; clients show it as
//! text (never as HTML).

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Longest notice, in characters.
pub const MAX_NOTICE_CHARS: usize = 1_000;
/// Longest written opinion, in characters.
pub const MAX_OPINION_CHARS: usize = 4_000;
/// Longest group summary, in characters (even at 4 bytes a character it fits in one websocket
/// message of `MAX_CLIENT_MESSAGE_BYTES`).
pub const MAX_SUMMARY_CHARS: usize = 10_000;

// The longest summary, 4 bytes a character, with its message around it, is one websocket message.
const _: () = assert!(MAX_SUMMARY_CHARS * 4 + 1024 <= crate::MAX_CLIENT_MESSAGE_BYTES);

/// Who a notice is for.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum NoticeAudience {
    /// Every delegate's tablet.
    All,
    /// The tablets of one discussion group's members.
    Group { group: String },
    /// One delegate's tablet(s).
    Delegate { delegate_id: String },
}

/// A notice as sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Notice {
    pub id: u64,
    /// Verbatim; shown as text.
    pub text: String,
    pub audience: NoticeAudience,
    pub at: i64,
    /// The operator who sent it.
    pub by: String,
}

/// `POST /api/notices`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SendNotice {
    pub client_id: String,
    pub text: String,
    pub audience: NoticeAudience,
}

/// The answer to `POST /api/notices`, once on disk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NoticeAck {
    pub seq: u64,
    pub notice: Notice,
}

/// A delegate's read receipt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NoticeReceipt {
    pub notice_id: u64,
    pub delegate_id: String,
    pub at: i64,
}

/// A notice with its receipts (`GET /api/notices`, operators).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NoticeStatus {
    pub notice: Notice,
    /// Delegates the notice is addressed to (group membership as of now).
    pub recipients: u32,
    pub read: u32,
    /// Addressed delegates who have not read it yet (ids).
    pub unread: Vec<String>,
}

/// One member's written opinion on an agenda item (one per member and item; a new one replaces
/// it until the group's summary for the item is submitted).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Opinion {
    pub group: String,
    pub item_id: String,
    pub delegate_id: String,
    pub text: String,
    pub at: i64,
}

/// A group's summary of its opinions on an item: a draft, then submitted to the secretariat.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GroupSummary {
    pub group: String,
    pub item_id: String,
    pub text: String,
    /// The secretary (delegate id) who wrote it last.
    pub by: String,
    pub at: i64,
    /// When it was submitted; after that neither it nor the opinions change.
    pub submitted_at: Option<i64>,
}

/// A discussion group (`GET /api/groups`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GroupInfo {
    pub group: String,
    pub members: u32,
    pub present: u32,
    /// The secretary's delegate id.
    pub secretary: Option<String>,
}

/// `PUT /api/groups/secretary`: designates (or, with `null`, removes) a group's secretary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SetSecretary {
    pub client_id: String,
    pub group: String,
    pub delegate_id: Option<String>,
}

/// A member as the group's secretary sees them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GroupMember {
    pub id: String,
    pub full_name: String,
    pub present: bool,
}

/// A tablet's view of its delegate's group (`GET /api/groups/mine`): its own opinions, or, for
/// the secretary, every member's opinions and the drafts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MyGroup {
    pub group: String,
    pub secretary: Option<GroupMember>,
    pub is_secretary: bool,
    /// The members (secretary only; empty for the others).
    pub members: Vec<GroupMember>,
    pub opinions: Vec<Opinion>,
    /// Submitted summaries, and for the secretary the drafts too.
    pub summaries: Vec<GroupSummary>,
}

/// The secretariat's view of the groups (`GET /api/groups`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GroupsOverview {
    pub groups: Vec<GroupInfo>,
    /// Submitted summaries of every group, every item.
    pub summaries: Vec<GroupSummary>,
}

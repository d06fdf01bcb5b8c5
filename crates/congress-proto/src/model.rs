//! The nouns shared by every client: congress, delegates, roles, attendance, quorum, agenda,
//! devices and operators.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Unix epoch milliseconds.
#[derive(TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Millis(pub i64);

/// A delegate's roles in the congress (a delegate can hold several).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Delegate,
    Presidium,
    Secretariat,
    Credentials,
}

impl Role {
    pub const ALL: [Role; 4] = [
        Role::Delegate,
        Role::Presidium,
        Role::Secretariat,
        Role::Credentials,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Delegate => "delegate",
            Role::Presidium => "presidium",
            Role::Secretariat => "secretariat",
            Role::Credentials => "credentials",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

/// What an operator of the console may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum OperatorRole {
    /// Everything, including operators and devices.
    Admin,
    /// Runs the meeting: agenda, votes, documents, notices, devices.
    Secretariat,
    /// The credentials desk: attendance by hand, enrolment, tablet pairing.
    Credentials,
    /// Sees everything, changes nothing (presidium members, observers).
    Observer,
}

impl OperatorRole {
    pub fn as_str(self) -> &'static str {
        match self {
            OperatorRole::Admin => "admin",
            OperatorRole::Secretariat => "secretariat",
            OperatorRole::Credentials => "credentials",
            OperatorRole::Observer => "observer",
        }
    }

    pub fn parse(s: &str) -> Option<OperatorRole> {
        [
            OperatorRole::Admin,
            OperatorRole::Secretariat,
            OperatorRole::Credentials,
            OperatorRole::Observer,
        ]
        .into_iter()
        .find(|r| r.as_str() == s)
    }
}

/// Quorum: at least `numerator / denominator` of the convened delegates present.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct QuorumRule {
    pub numerator: u32,
    pub denominator: u32,
}

impl Default for QuorumRule {
    fn default() -> Self {
        QuorumRule {
            numerator: 2,
            denominator: 3,
        }
    }
}

/// The live state of the quorum.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct QuorumState {
    pub rule: QuorumRule,
    pub present: u32,
    pub convened: u32,
    /// The smallest number present that makes the quorum.
    pub required: u32,
    pub reached: bool,
}

/// The congress itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Congress {
    pub name: String,
    pub venue: String,
    /// ISO date, e.g. `2026-12-01`.
    pub starts_on: String,
    pub ends_on: String,
    /// Delegates convened: the basis of the quorum (may differ from the number on the list).
    pub convened: u32,
    pub quorum: QuorumRule,
}

/// A delegate. `id` is stable for the whole congress.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Delegate {
    pub id: String,
    /// Exactly as written on the credentials, diacritics and script preserved.
    pub full_name: String,
    /// Unit or delegation the delegate represents.
    pub unit: String,
    pub seat: String,
    /// Discussion group.
    pub group: String,
    pub roles: Vec<Role>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AttendanceStatus {
    Absent,
    Present,
    Left,
}

impl AttendanceStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            AttendanceStatus::Absent => "absent",
            AttendanceStatus::Present => "present",
            AttendanceStatus::Left => "left",
        }
    }
}

/// Who or what changed a delegate's attendance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum AttendanceSource {
    /// An operator at the credentials desk.
    Operator { username: String },
    /// A face-recognition kiosk, with the match distance and the margin over the next delegate.
    Kiosk {
        device_id: String,
        distance: f32,
        margin: f32,
    },
}

/// One attendance change, as recorded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AttendanceRecord {
    pub delegate_id: String,
    pub status: AttendanceStatus,
    pub at: i64,
    pub source: AttendanceSource,
    /// Required for manual changes.
    pub reason: Option<String>,
}

/// Counts of attendance and the quorum they give.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AttendanceSummary {
    pub present: u32,
    pub left: u32,
    pub absent: u32,
    /// Delegates on the list.
    pub listed: u32,
    pub quorum: QuorumState,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AgendaItem {
    pub id: String,
    pub title: String,
    /// Local time, e.g. `2026-12-01T08:00`.
    pub planned_start: Option<String>,
    pub planned_minutes: Option<u32>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Agenda {
    pub items: Vec<AgendaItem>,
    /// The item under discussion now.
    pub current: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DeviceKind {
    Tablet,
    Kiosk,
    Projector,
}

impl DeviceKind {
    pub fn as_str(self) -> &'static str {
        match self {
            DeviceKind::Tablet => "tablet",
            DeviceKind::Kiosk => "kiosk",
            DeviceKind::Projector => "projector",
        }
    }
}

/// Whether a kiosk checks delegates in or out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum KioskDirection {
    Entrance,
    Exit,
}

/// A paired device.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Device {
    pub id: String,
    pub kind: DeviceKind,
    pub label: String,
    /// The delegate a tablet belongs to.
    pub delegate_id: Option<String>,
    /// A kiosk's direction.
    pub direction: Option<KioskDirection>,
    /// A tablet's age X25519 recipient (`age1…`): documents are encrypted to it.
    pub recipient: Option<String>,
    /// A tablet's Ed25519 voting credential (hex public key): it signs the tablet's secret
    /// ballots and, for a counting board member, its key-ceremony messages.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub credential: Option<String>,
    /// The operator who made the pairing code (pairings since issue 13, finding 7): marking
    /// present at the desk and pairing a tablet for one delegate take two operators.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub code_by: Option<String>,
    pub paired_at: i64,
    /// Unpaired devices keep their record but their token no longer works.
    pub revoked: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OperatorInfo {
    pub username: String,
    pub display_name: String,
    pub roles: Vec<OperatorRole>,
}

/// The head of the hash-chained journal: anyone can check the record against it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct JournalHead {
    pub seq: u64,
    /// Hex SHA-256 of the last event.
    pub hash: String,
}

/// `POST /api/journal/witness`: journal heads a device saw (at most 64), to check against the
/// journal (issue 13, finding 16).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WitnessRequest {
    pub heads: Vec<JournalHead>,
}

/// One witnessed head beside the journal's hash at its seq.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WitnessedHead {
    pub seq: u64,
    /// The hash the device saw.
    pub hash: String,
    /// The journal's hash at `seq`; `null` when the journal ends before `seq` (truncated).
    pub server_hash: Option<String>,
    /// Whether both are the same. A device compares `hash` and `server_hash` itself too.
    pub matches: bool,
}

/// The answer to `POST /api/journal/witness`. On any mismatch the consoles get a
/// `security_alarm` of kind `journal_rewritten`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WitnessAnswer {
    /// In the order asked.
    pub heads: Vec<WitnessedHead>,
    /// Every head matches.
    pub ok: bool,
}

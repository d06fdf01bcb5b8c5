//! REST bodies: requests (all reject unknown fields) and responses.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::model::*;

/// Every error answer: a stable machine code and a human message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApiError {
    /// Stable code, e.g. `unauthorized`, `forbidden`, `not_found`, `invalid`, `conflict`.
    pub error: String,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    pub username: String,
    pub password: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LoginResponse {
    /// Bearer token for `Authorization: Bearer …` and the websocket `hello`.
    pub token: String,
    pub operator: OperatorInfo,
    pub expires_at: i64,
}

/// Set a delegate's attendance by hand (credentials desk).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SetAttendanceRequest {
    pub client_id: String,
    pub delegate_id: String,
    pub status: AttendanceStatus,
    /// Why the change was made by hand (required, e.g. "face not recognised, ID checked").
    pub reason: String,
}

/// Sent only after the change is committed to disk.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AttendanceAck {
    pub client_id: String,
    /// Journal sequence number of the change.
    pub seq: u64,
    pub record: AttendanceRecord,
    pub summary: AttendanceSummary,
    /// False when the delegate already had this status (nothing changed, nothing journalled).
    pub changed: bool,
}

/// Current attendance of every delegate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AttendanceList {
    pub summary: AttendanceSummary,
    /// Latest record per delegate who has one; delegates without one are absent.
    pub records: Vec<AttendanceRecord>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreatePairingCode {
    pub kind: DeviceKind,
    /// Required for a tablet: whose tablet it is.
    pub delegate_id: Option<String>,
    /// Shown in the console's device list, e.g. "Kiosk cổng A".
    pub label: Option<String>,
    /// For a kiosk; entrance by default.
    pub direction: Option<KioskDirection>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PairingCode {
    /// Eight digits, single use.
    pub code: String,
    pub kind: DeviceKind,
    pub delegate_id: Option<String>,
    pub expires_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PairRequest {
    pub code: String,
    /// A tablet's age X25519 recipient (`age1…`), generated on the tablet.
    pub recipient: Option<String>,
    /// A tablet's Ed25519 voting credential (64 hex characters), generated on the tablet; only
    /// the public key leaves it. Left out when absent, so a client of today still pairs with a
    /// server from before credentials (the benches' older builds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub credential: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PairResponse {
    /// The device's long-lived token; keep it on the device.
    pub device_token: String,
    pub device: Device,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SetCurrentItem {
    pub client_id: String,
    /// `null` clears the current item.
    pub item_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AgendaAck {
    pub client_id: String,
    pub seq: u64,
    pub agenda: Agenda,
}

/// Who the caller is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Me {
    Operator {
        operator: OperatorInfo,
    },
    Device {
        device: Box<Device>,
        delegate: Option<Delegate>,
    },
}

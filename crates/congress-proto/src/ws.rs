//! Websocket messages. Endpoints: `/ws/console`, `/ws/projector`, `/ws/tablet`, `/ws/kiosk`.
//! The client's first message is `hello`; the server answers `welcome`, then either the pushes
//! the client missed since `resume_from` (then `resumed`) or a `snapshot`, then live pushes.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::model::*;

/// Which endpoint a connection came in on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ClientKind {
    Console,
    Projector,
    Tablet,
    Kiosk,
}

/// Client → server.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum ClientMsg {
    /// First message on every connection.
    Hello {
        /// Operator session token or device token.
        token: String,
        /// The last `seq` this client saw, to resume without loss or duplication.
        resume_from: Option<u64>,
        /// Must equal the server's `PROTOCOL_VERSION`.
        protocol: u32,
    },
    /// Keep-alive; answered with `pong`.
    Ping { nonce: u32 },
    /// A tablet's ballot; answered with `ballot_ack` once on disk, or `ballot_refused`.
    CastBallot {
        /// Random, 16 to 100 characters, chosen by the tablet once per ballot; a retry reuses it.
        client_id: String,
        vote_id: u64,
        choice: crate::vote::BallotChoice,
    },
}

/// Server → client.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerMsg {
    Welcome {
        kind: ClientKind,
        /// Journal head when the connection was accepted.
        head_seq: u64,
        protocol: u32,
    },
    /// The whole state this client may see, as of `seq`.
    Snapshot {
        seq: u64,
        snapshot: Box<Snapshot>,
    },
    /// One change, in journal order.
    Push {
        seq: u64,
        push: Push,
    },
    /// Sent after the missed pushes of a resume: the client is now live.
    Resumed {
        from: u64,
        to: u64,
    },
    Pong {
        nonce: u32,
    },
    /// A refused message; `error` is a stable code. Fatal errors close the connection.
    Error {
        error: String,
        message: String,
        fatal: bool,
    },
    /// Kiosks: the answer to camera frame number `frame` (see `face`).
    FaceResult {
        frame: u64,
        width: u32,
        height: u32,
        boxes: Vec<crate::face::FaceBoxMsg>,
        result: crate::face::FaceStatus,
        /// Server time spent on the frame, in milliseconds.
        ms: u32,
    },
    /// The ballot is recorded (on disk).
    BallotAck {
        ack: crate::vote::BallotAck,
    },
    /// The ballot was refused and changed nothing.
    BallotRefused {
        client_id: String,
        vote_id: u64,
        error: String,
        message: String,
    },
    /// Live turnout of an open vote; not journalled, no `seq` (the next one replaces it).
    VoteLive {
        live: Box<crate::vote::VoteLive>,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Snapshot {
    pub congress: Congress,
    pub agenda: Agenda,
    pub attendance: AttendanceSummary,
    /// On a tablet: its delegate.
    pub me: Option<Delegate>,
    /// On a tablet: its delegate's own attendance.
    pub my_attendance: Option<AttendanceRecord>,
    pub journal: JournalHead,
    /// Votes this client may see (tablets: not drafts).
    pub votes: Vec<crate::vote::VoteInfo>,
}

/// A change pushed to connected clients.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Push {
    Attendance {
        record: AttendanceRecord,
        summary: AttendanceSummary,
    },
    Agenda {
        agenda: Agenda,
    },
    /// The delegate list changed (import): refetch it.
    Delegates {
        listed: u32,
    },
    /// A device was paired or unpaired (console only).
    Device {
        device: Device,
    },
    /// A document the receiver may read was added, updated or re-encrypted: refetch the list.
    Document {
        document: crate::docs::Document,
    },
    /// A vote was created, opened or closed.
    Vote {
        vote: Box<crate::vote::VoteInfo>,
    },
}

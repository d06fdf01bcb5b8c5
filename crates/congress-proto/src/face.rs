//! Face check-in: what a kiosk is told about each camera frame it sends, and the REST bodies of
//! enrolment and the console's kiosk panel.
//!
//! A kiosk sends each camera frame as a **binary** websocket message (a JPEG or PNG of at most
//! [`MAX_KIOSK_FRAME_BYTES`]) after `hello`; the server answers every frame with one
//! `ServerMsg::FaceResult`, numbering frames per connection from 1.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::model::KioskDirection;

/// Largest camera frame a kiosk may send, in bytes.
pub const MAX_KIOSK_FRAME_BYTES: usize = 1024 * 1024;

/// Frames per second a kiosk may send; frames beyond are answered `rate_limited`.
pub const MAX_KIOSK_FPS: u32 = 8;

/// A detected face, in fractions (0–1) of the frame's width and height.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FaceBoxMsg {
    pub x: f32,
    pub y: f32,
    pub w: f32,
    pub h: f32,
    /// The face the decision is about (largest, most central).
    pub chosen: bool,
}

/// What the server made of one frame.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum FaceStatus {
    /// No face in the frame.
    NoFace,
    /// More than one face close to the camera: one person at a time.
    SeveralFaces { count: u32 },
    /// A face, but not good enough to decide (`reason` is a stable message key).
    LowQuality { reason: String, message: String },
    /// A good face; waiting for several frames to agree.
    Looking,
    /// Checked in (or out at an exit kiosk); durable before this is sent. `already` when the
    /// delegate was checked in before: `at` is then the time of the first check-in.
    Recognized {
        delegate_id: String,
        full_name: String,
        seat: String,
        group: String,
        at: i64,
        already: bool,
        direction: KioskDirection,
    },
    /// Several good frames of a face that matches no enrolled delegate: go to the desk.
    Unknown,
    /// The server's face workers are full; this frame was dropped.
    Busy,
    /// This kiosk sends more than `MAX_KIOSK_FPS` frames a second; this frame was dropped.
    RateLimited,
    /// The frame is not a usable image (`error` is a stable message key).
    BadFrame { error: String, message: String },
    /// Face recognition is not enabled on this server.
    Unavailable,
    /// Liveness check: the person is asked to turn their head (`prompt` is a stable message
    /// key, `side` the person's `left` or `right`, for an arrow); answer by turning before
    /// `remaining_ms` has passed. Nobody is checked in until the answer is seen.
    Challenge {
        prompt: String,
        side: String,
        remaining_ms: u32,
    },
    /// Presentation attack refused (a still image, a picture moved in front of the camera, a
    /// challenge not answered): nobody is checked in; the person is sent to the desk, which
    /// sees the same refusal (`kiosk_refusal`). `reason` is a stable message key.
    Refused { reason: String, message: String },
}

/// A kiosk refused a presentation (liveness check): pushed live to the consoles
/// (`ServerMsg::KioskRefusal`) and listed in `FaceOverview::refused`, so the desk can check the
/// person by hand.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct KioskRefusal {
    pub device_id: String,
    pub label: String,
    pub at: i64,
    /// Stable message key (`face.pad.spoof.*`).
    pub reason: String,
    /// English explanation with the measured values.
    pub message: String,
    /// The enrolled delegate the face matched, if it matched one (the photo's subject).
    pub delegate_id: Option<String>,
    pub full_name: Option<String>,
}

/// `POST /api/delegates/{id}/enrol`: one or more captures (JPEG or PNG, base64, a `data:` URL
/// prefix is allowed). Every capture with a good face is enrolled; the others are reported.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct EnrolRequest {
    pub client_id: String,
    pub captures: Vec<String>,
}

/// The outcome of one enrolment capture.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CaptureOutcome {
    /// `ok`, `no_face`, `several_faces`, `low_quality`, `bad_image`.
    pub outcome: String,
    /// Stable message key (for translation).
    pub key: String,
    /// English explanation.
    pub message: String,
}

/// Answer of `POST /api/delegates/{id}/enrol`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EnrolResponse {
    pub delegate_id: String,
    /// Whether the delegate is now enrolled with these captures (a previous enrolment is
    /// replaced only when at least one capture was good).
    pub enrolled: bool,
    pub used: u32,
    pub captures: Vec<CaptureOutcome>,
}

/// One kiosk in the console's panel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct KioskInfo {
    pub device_id: String,
    pub label: String,
    pub direction: KioskDirection,
    pub connected: bool,
    /// Frames received per second over the last few seconds.
    pub fps: f32,
    /// `status` of the last answer.
    pub last_result: Option<String>,
    pub last_at: Option<i64>,
}

/// A recent kiosk check-in, for the console.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RecentCheckIn {
    pub delegate_id: String,
    pub full_name: String,
    pub device_id: String,
    pub at: i64,
    pub distance: f32,
    pub margin: f32,
    pub already: bool,
    /// Whether `GET /api/delegates/{id}/photo` has a thumbnail.
    pub has_photo: bool,
}

/// `GET /api/face/status`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FaceOverview {
    pub enabled: bool,
    pub enrolled: u32,
    pub enrolled_ids: Vec<String>,
    pub threshold: f32,
    pub margin: f32,
    pub kiosks: Vec<KioskInfo>,
    pub recent: Vec<RecentCheckIn>,
    /// Recent presentations refused by the liveness check, newest first.
    #[serde(default)]
    pub refused: Vec<KioskRefusal>,
}

//! Presentation-attack detection (PAD): is the face in front of the kiosk a living person, or
//! a photo, a print or a screen held up to the camera?
//!
//! Layers, cheapest first (details and measured thresholds in `docs/face-pad.md`):
//!
//! 1. **Frames must change** ([`features`]): a still image (one frame repeated, byte-identical
//!    or re-encoded) never confirms. Measured on area-averaged thumbnails of the face and the
//!    scene, robust to re-encoding noise and exposure changes, plus landmark jitter.
//! 2. **Passive model** ([`passive`], optional): a small CNN's live probability on the face
//!    crop, averaged over the window. Off by default: no model available here separates
//!    genuine photos from synthetic attacks (see the docs for the numbers).
//! 3. **Motion consistency** ([`geometry`]): a flat picture moved in front of the camera moves
//!    its landmarks by a homography (no parallax); a real head that turns shows parallax.
//! 4. **Active challenge**: when the passive evidence is not enough, the session asks the
//!    person to turn their head a little to one side (chosen from a seed) and checks the
//!    answer (yaw change in the asked direction *with* parallax) before a deadline.
//!
//! The server keeps one [`PadSession`] per kiosk connection and feeds it every analysed frame
//! with the time (passed in, never read from a clock); the session answers a [`PadVerdict`].

pub mod features;
pub mod geometry;
pub mod passive;
pub mod session;

use serde::{Deserialize, Serialize};

pub use features::{PadFeatures, Thumb};
pub use passive::{PassiveKind, PassiveModel};
pub use session::{Evidence, FrameStats, PadSession, PadVerdict, Prompt, SpoofReason};

/// Tunables of the PAD session. Defaults come from the `face-pad` benchmark's measured
/// distributions (see `docs/face-pad.md`, "Thresholds").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PadConfig {
    /// Run PAD at all. Off only for demos on recorded stills; a kiosk must keep it on.
    pub enabled: bool,
    /// Passive model on the face crop (`none` = layer off).
    pub passive: PassiveKind,
    /// Mean live probability of the passive model below which the face is a spoof.
    pub passive_min_live: f32,
    /// Face-thumbnail change (grey levels) above which two frames differ.
    pub min_face_change: f32,
    /// Scene-thumbnail change (grey levels) above which two frames differ.
    pub min_scene_change: f32,
    /// Landmark movement (eye distances) above which two frames differ.
    pub min_landmark_shift: f32,
    /// Scene change above which the camera saw a cut (another picture, not motion): the
    /// evidence collected so far is dropped.
    pub cut_scene_change: f32,
    /// Frames without any change after which the session answers `still_image`.
    pub still_frames: usize,
    /// Parallax (eye distances) that counts as 3-D evidence in one frame pair.
    pub min_parallax: f32,
    /// Frame pairs that must show parallax before the session calls the face live.
    pub parallax_frames: usize,
    /// Parallax below which clear motion is that of a flat picture.
    pub planar_max_parallax: f32,
    /// Motion that counts as "clearly moved": shift in eye distances …
    pub moved_shift: f32,
    /// … or in-plane rotation in degrees …
    pub moved_rotation_deg: f32,
    /// … or relative size change (|ln scale|).
    pub moved_scale: f32,
    /// Frames with clear motion and no parallax after which the session stops waiting for
    /// natural parallax and asks the challenge at once; if the challenge then fails, the
    /// reason is `planar_motion`.
    pub planar_frames: usize,
    /// Frames with a face after which, without a decision, the challenge is shown.
    pub challenge_after_frames: usize,
    /// Yaw change (eye distances) in the asked direction that answers the challenge …
    pub challenge_min_yaw: f32,
    /// … with parallax (eye distances) in the same direction …
    pub challenge_min_parallax: f32,
    /// … in this many consecutive frames …
    pub challenge_frames: usize,
    /// … in which the face rolled less than this (degrees) …
    pub challenge_max_roll_deg: f32,
    /// … and changed size less than this (|ln scale|) against the frame before the prompt.
    pub challenge_max_scale: f32,
    /// Time the person has to answer the challenge, in milliseconds.
    pub challenge_timeout_ms: u64,
    /// Always challenge (e.g. a 1:1 check before a secret ballot), even with natural parallax.
    pub always_challenge: bool,
    /// The frames are mirrored (selfie view): swaps the meaning of left and right.
    pub frames_mirrored: bool,
    /// A gap without a face longer than this starts a new presentation (milliseconds).
    pub reset_gap_ms: u64,
    /// How long a spoof verdict is kept for a presentation before it starts again (ms).
    pub spoof_hold_ms: u64,
    /// Frames kept in the session's history.
    pub history: usize,
}

impl Default for PadConfig {
    fn default() -> Self {
        PadConfig {
            enabled: true,
            passive: PassiveKind::None,
            passive_min_live: 0.5,
            min_face_change: 6.0,
            min_scene_change: 1.0,
            min_landmark_shift: 0.02,
            cut_scene_change: 30.0,
            still_frames: 4,
            min_parallax: 0.07,
            parallax_frames: 2,
            planar_max_parallax: 0.045,
            moved_shift: 0.25,
            moved_rotation_deg: 4.0,
            moved_scale: 0.06,
            planar_frames: 3,
            challenge_after_frames: 6,
            challenge_min_yaw: 0.05,
            challenge_min_parallax: 0.045,
            challenge_frames: 3,
            challenge_max_roll_deg: 6.0,
            challenge_max_scale: 0.15,
            challenge_timeout_ms: 6000,
            always_challenge: false,
            frames_mirrored: false,
            reset_gap_ms: 1500,
            spoof_hold_ms: 8000,
            history: 12,
        }
    }
}

impl PadConfig {
    /// Check internal consistency.
    pub fn validate(&self) -> Result<(), String> {
        if self.still_frames < 2 {
            return Err("pad.still_frames must be at least 2".into());
        }
        if self.history < self.still_frames.max(self.challenge_after_frames) {
            return Err("pad.history must hold still_frames and challenge_after_frames".into());
        }
        if self.parallax_frames == 0 || self.planar_frames == 0 || self.challenge_frames == 0 {
            return Err(
                "pad.parallax_frames, planar_frames and challenge_frames must be at least 1".into(),
            );
        }
        if self.planar_max_parallax > self.min_parallax {
            return Err("pad.planar_max_parallax must not exceed pad.min_parallax".into());
        }
        Ok(())
    }
}

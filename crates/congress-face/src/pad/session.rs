//! `PadSession`: the per-kiosk state machine that turns analysed frames into a liveness
//! verdict. Pure logic: the time of each frame and the seed for the challenge direction are
//! parameters, so tests and benchmarks replay sequences exactly.

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};

use super::PadConfig;
use super::features::{PadFeatures, Thumb, change};
use super::geometry::{eye_distance, motion, parallax, parallax_signed, yaw};
use crate::align::Landmarks;
use crate::engine::Analysis;

/// Between two frames, a face that moves more than this (eye distances) …
const MAX_TRACK_SHIFT: f32 = 1.5;
/// … or changes size more than this (|ln scale|) is another face: a new presentation.
const MAX_TRACK_SCALE: f32 = 0.4;

/// What the kiosk asks the person to do when passive evidence is not enough.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Prompt {
    /// "Turn your head a little to your left" (the person's left).
    TurnLeft,
    /// "Turn your head a little to your right".
    TurnRight,
}

impl Prompt {
    /// Stable key of the translated prompt the kiosk shows.
    pub fn message_key(self) -> &'static str {
        match self {
            Prompt::TurnLeft => "face.pad.turn_left",
            Prompt::TurnRight => "face.pad.turn_right",
        }
    }
}

/// Why the session believes the face is live.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Evidence {
    /// Natural head movement showed parallax in enough frames.
    Parallax {
        /// Largest parallax seen (eye distances).
        parallax: f32,
    },
    /// The person answered the challenge.
    Challenge {
        /// The prompt answered.
        prompt: Prompt,
        /// Yaw change in the asked direction (eye distances).
        yaw_change: f32,
        /// Parallax of the answer (eye distances).
        parallax: f32,
    },
}

/// Why a presentation was refused: shown to the desk operator (`Display`) and keyed for
/// translation (`message_key`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum SpoofReason {
    /// The frames did not change: a still picture sent as video.
    #[error("still image: {frames} frames without any change (largest change {max_change:.2})")]
    StillImage {
        /// Frames seen.
        frames: usize,
        /// Largest face/scene change seen (grey levels).
        max_change: f32,
    },
    /// The face moved like a flat picture (no parallax between nose and face plane).
    #[error(
        "flat picture: the face moved in {frames} frames without depth (parallax {max_parallax:.3} eye distances)"
    )]
    PlanarMotion {
        /// Frames with clear motion and no parallax.
        frames: usize,
        /// Largest parallax seen.
        max_parallax: f32,
    },
    /// The passive model scored the face crop as a print or a screen.
    #[error("texture check: live probability {live:.2} (print or screen)")]
    PassiveModel {
        /// Mean live probability.
        live: f32,
    },
    /// The person did not turn their head as asked before the deadline.
    #[error("did not {} within {waited_ms} ms (best turn {best_yaw_change:.2})", prompt_text(*prompt))]
    ChallengeNotAnswered {
        /// The prompt.
        prompt: Prompt,
        /// Time waited.
        waited_ms: u64,
        /// Largest yaw change in the asked direction.
        best_yaw_change: f32,
    },
    /// The face turned as asked, but without depth: a picture being tilted.
    #[error("turned as asked but without depth (parallax {parallax:.3}): a tilted picture")]
    ChallengeFlat {
        /// The prompt.
        prompt: Prompt,
        /// Yaw change reached.
        yaw_change: f32,
        /// Parallax at that moment.
        parallax: f32,
    },
}

fn prompt_text(p: Prompt) -> &'static str {
    match p {
        Prompt::TurnLeft => "turn the head to the left",
        Prompt::TurnRight => "turn the head to the right",
    }
}

impl SpoofReason {
    /// Stable key for the translated message on the desk console.
    pub fn message_key(&self) -> &'static str {
        match self {
            SpoofReason::StillImage { .. } => "face.pad.spoof.still_image",
            SpoofReason::PlanarMotion { .. } => "face.pad.spoof.planar_motion",
            SpoofReason::PassiveModel { .. } => "face.pad.spoof.passive_model",
            SpoofReason::ChallengeNotAnswered { .. } => "face.pad.spoof.challenge_not_answered",
            SpoofReason::ChallengeFlat { .. } => "face.pad.spoof.challenge_flat",
        }
    }
}

/// The session's answer after a frame.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "pad", rename_all = "snake_case")]
pub enum PadVerdict {
    /// Not enough evidence yet: keep sending frames (the kiosk shows its normal "looking").
    Collecting {
        /// Frames of this presentation so far.
        frames: usize,
    },
    /// Unsure: show this prompt until the deadline (the time base of `observe`).
    Challenge {
        /// What to ask.
        prompt: Prompt,
        /// Answer before this time (ms, same clock as the frames).
        deadline_ms: u64,
    },
    /// A living person: a recognised delegate may be checked in.
    Live {
        /// Why.
        evidence: Evidence,
    },
    /// A presentation attack (or a failed challenge): never check in; send to the desk.
    Spoof {
        /// Why, for the operator.
        reason: SpoofReason,
    },
}

impl PadVerdict {
    /// Live?
    pub fn is_live(&self) -> bool {
        matches!(self, PadVerdict::Live { .. })
    }
    /// Spoof?
    pub fn is_spoof(&self) -> bool {
        matches!(self, PadVerdict::Spoof { .. })
    }
}

/// What the session measured on the last frame with a face (for logs and calibration).
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct FrameStats {
    /// Largest face-thumbnail change against the previous and the oldest frame (grey levels).
    pub face_change: f32,
    /// Largest scene-thumbnail change (grey levels).
    pub scene_change: f32,
    /// Largest landmark movement (eye distances).
    pub landmark_shift: f32,
    /// Largest parallax against the frames of the window (eye distances).
    pub parallax: f32,
    /// Largest motion magnitude against the frames of the window (1.0 = clearly moved).
    pub motion: f32,
    /// The frame counted as changed.
    pub changed: bool,
}

struct Obs {
    lm: Landmarks,
    face: Thumb,
    scene: Thumb,
}

struct ChallengeState {
    prompt: Prompt,
    issued: u64,
    deadline: u64,
    base_yaw: f32,
    base_lm: Landmarks,
    best_yaw: f32,
    flat_at_best: f32,
    answered: usize,
}

/// One kiosk's liveness state. Feed every analysed frame (with or without a face) in time order.
pub struct PadSession {
    cfg: PadConfig,
    rng: u64,
    frames: VecDeque<Obs>,
    last_face_t: Option<u64>,
    seen: usize,
    any_change: bool,
    max_change: f32,
    max_parallax: f32,
    parallax_hits: usize,
    planar_hits: usize,
    passive: Vec<f32>,
    challenge: Option<ChallengeState>,
    decided: Option<(PadVerdict, u64)>,
    last: Option<FrameStats>,
}

impl PadSession {
    /// A session; `seed` drives the challenge direction (pass a random value per connection).
    pub fn new(cfg: PadConfig, seed: u64) -> Self {
        PadSession {
            cfg,
            rng: seed | 1,
            frames: VecDeque::new(),
            last_face_t: None,
            seen: 0,
            any_change: false,
            max_change: 0.0,
            max_parallax: 0.0,
            parallax_hits: 0,
            planar_hits: 0,
            passive: Vec::new(),
            challenge: None,
            decided: None,
            last: None,
        }
    }

    /// Measurements of the last frame with a face that was analysed (not while a decision is held).
    pub fn last_stats(&self) -> Option<FrameStats> {
        self.last
    }

    /// The configuration.
    pub fn config(&self) -> &PadConfig {
        &self.cfg
    }

    /// Forget the current presentation (a new person; after a check-in).
    pub fn reset(&mut self) {
        self.frames.clear();
        self.last_face_t = None;
        self.seen = 0;
        self.any_change = false;
        self.max_change = 0.0;
        self.max_parallax = 0.0;
        self.parallax_hits = 0;
        self.planar_hits = 0;
        self.passive.clear();
        self.challenge = None;
        self.decided = None;
    }

    /// Ask the challenge now instead of after `challenge_after_frames`, when the session is
    /// still collecting and has a face (the server calls this once the person is recognised,
    /// so a live delegate does not wait for frames that cannot decide). A decision already
    /// made, or a challenge already asked, is kept; the still-image rule keeps running during
    /// the challenge. Returns the verdict as of `t`.
    pub fn challenge_now(&mut self, t: u64) -> PadVerdict {
        if !self.cfg.enabled {
            return PadVerdict::Live {
                evidence: Evidence::Parallax { parallax: 0.0 },
            };
        }
        if let Some((v, _)) = self.decided {
            return v;
        }
        if self.challenge.is_none()
            && let Some(lm) = self.frames.back().map(|o| o.lm)
        {
            self.issue_challenge(t, &lm);
        }
        self.pending(t)
    }

    /// Feed one analysed frame at time `t_ms` (any monotonic clock, milliseconds).
    pub fn observe_analysis(&mut self, t_ms: u64, a: &Analysis) -> PadVerdict {
        let face = a.chosen.and_then(|i| a.faces.get(i));
        match (face, &a.pad) {
            (Some(f), Some(p)) => self.observe(t_ms, Some((&f.landmarks, p))),
            _ => self.observe(t_ms, None),
        }
    }

    /// Feed one frame: the chosen face's landmarks and PAD features, or `None` without a face.
    pub fn observe(&mut self, t: u64, face: Option<(&Landmarks, &PadFeatures)>) -> PadVerdict {
        if !self.cfg.enabled {
            return PadVerdict::Live {
                evidence: Evidence::Parallax { parallax: 0.0 },
            };
        }
        if let Some((v, at)) = self.decided {
            let expired = v.is_spoof() && t.saturating_sub(at) >= self.cfg.spoof_hold_ms;
            let gone = self
                .last_face_t
                .is_some_and(|l| t.saturating_sub(l) > self.cfg.reset_gap_ms);
            // a verdict belongs to one face: a face that appears somewhere else or at another
            // size (someone else stepping in) starts a new presentation
            let jumped = match (face, self.frames.back()) {
                (Some((lm, _)), Some(prev)) => motion(&prev.lm, lm)
                    .is_none_or(|m| m.shift > MAX_TRACK_SHIFT || m.scale > MAX_TRACK_SCALE),
                _ => false,
            };
            if !expired && !gone && !jumped {
                if let Some((lm, feat)) = face
                    && let Some(last) = self.frames.back_mut()
                {
                    // follow the face so that slow movement is not taken for a jump
                    last.lm = *lm;
                    last.face = feat.face.clone();
                    last.scene = feat.scene.clone();
                    self.last_face_t = Some(t);
                }
                return v;
            }
            self.reset();
        }
        let Some((lm, feat)) = face else {
            if self
                .last_face_t
                .is_some_and(|l| t.saturating_sub(l) > self.cfg.reset_gap_ms)
            {
                self.reset();
            }
            return self.pending(t);
        };
        if self
            .last_face_t
            .is_some_and(|l| t.saturating_sub(l) > self.cfg.reset_gap_ms)
        {
            self.reset();
        }
        self.last_face_t = Some(t);
        if let Some(v) = self.ingest(t, lm, feat) {
            self.decided = Some((v, t));
            return v;
        }
        self.pending(t)
    }

    fn pending(&self, t: u64) -> PadVerdict {
        match &self.challenge {
            Some(c) if t < c.deadline => PadVerdict::Challenge {
                prompt: c.prompt,
                deadline_ms: c.deadline,
            },
            _ => PadVerdict::Collecting { frames: self.seen },
        }
    }

    /// Add a frame; a decision when one is reached.
    fn ingest(&mut self, t: u64, lm: &Landmarks, feat: &PadFeatures) -> Option<PadVerdict> {
        let cfg = self.cfg.clone();
        if let Some(prev) = self.frames.back()
            && change(&prev.scene, &feat.scene).is_some_and(|c| c > cfg.cut_scene_change)
        {
            // another picture, not motion: evidence from before the cut does not carry over
            let keep_challenge = self.challenge.take();
            self.reset();
            self.challenge = keep_challenge;
        }
        let iod = eye_distance(lm).max(1.0);
        let mut changed = false;
        let mut st = FrameStats::default();
        // compare with the previous frame and with the oldest one kept (slow drift counts too)
        let refs = [self.frames.back(), self.frames.front()];
        for o in refs.into_iter().flatten() {
            let fc = change(&o.face, &feat.face).unwrap_or(0.0);
            let sc = change(&o.scene, &feat.scene).unwrap_or(0.0);
            let shift =
                o.lm.iter()
                    .zip(lm)
                    .map(|(a, b)| a.dist(*b))
                    .fold(0f32, f32::max)
                    / iod;
            self.max_change = self.max_change.max(fc).max(sc);
            st.face_change = st.face_change.max(fc);
            st.scene_change = st.scene_change.max(sc);
            st.landmark_shift = st.landmark_shift.max(shift);
            if fc > cfg.min_face_change
                || sc > cfg.min_scene_change
                || shift > cfg.min_landmark_shift
            {
                changed = true;
            }
        }
        self.any_change |= changed;
        // geometry against every earlier frame of the window
        let (mut pmax, mut mmax) = (0f32, 0f32);
        for o in &self.frames {
            if let Some(p) = parallax(&o.lm, lm) {
                pmax = pmax.max(p);
            }
            if let Some(m) = motion(&o.lm, lm) {
                mmax =
                    mmax.max(m.magnitude(cfg.moved_shift, cfg.moved_rotation_deg, cfg.moved_scale));
            }
        }
        self.max_parallax = self.max_parallax.max(pmax);
        st.parallax = pmax;
        st.motion = mmax;
        st.changed = changed;
        self.last = Some(st);
        // a face that jumps between two frames (a picture waved about) has noisy landmarks:
        // such frames never count as evidence of depth
        let steady_step = self.frames.back().is_none_or(|prev| {
            motion(&prev.lm, lm).is_some_and(|m| {
                m.magnitude(cfg.moved_shift, cfg.moved_rotation_deg, cfg.moved_scale) < 1.0
            })
        });
        if changed && steady_step && pmax >= cfg.min_parallax {
            self.parallax_hits += 1;
        }
        if mmax >= 1.0 && pmax < cfg.planar_max_parallax {
            self.planar_hits += 1;
        }
        self.seen += 1;
        self.frames.push_back(Obs {
            lm: *lm,
            face: feat.face.clone(),
            scene: feat.scene.clone(),
        });
        while self.frames.len() > cfg.history {
            self.frames.pop_front();
        }
        if let Some(p) = feat.passive {
            self.passive.push(p);
        }

        // 1. frames must change
        if !self.any_change && self.seen >= cfg.still_frames {
            return Some(PadVerdict::Spoof {
                reason: SpoofReason::StillImage {
                    frames: self.seen,
                    max_change: self.max_change,
                },
            });
        }
        // 2. passive model
        if self.passive.len() >= 3 {
            let live = self.passive.iter().sum::<f32>() / self.passive.len() as f32;
            if live < cfg.passive_min_live {
                return Some(PadVerdict::Spoof {
                    reason: SpoofReason::PassiveModel { live },
                });
            }
        }
        // 3. motion consistency: natural parallax is enough (unless always challenging) …
        if let Some(v) = self.check_challenge(t, lm, steady_step) {
            return Some(v);
        }
        if self.challenge.is_some() {
            return None;
        }
        if self.any_change && self.parallax_hits >= cfg.parallax_frames && !cfg.always_challenge {
            return Some(PadVerdict::Live {
                evidence: Evidence::Parallax {
                    parallax: self.max_parallax,
                },
            });
        }
        // 4. … otherwise, or when the face moves like a flat picture, the active challenge
        if self.seen >= cfg.challenge_after_frames
            || self.planar_hits >= cfg.planar_frames
            || (cfg.always_challenge && self.seen >= 2)
        {
            self.issue_challenge(t, lm);
        }
        None
    }

    fn issue_challenge(&mut self, t: u64, lm: &Landmarks) {
        // xorshift64: the direction cannot be guessed by someone who replays a video
        self.rng ^= self.rng << 13;
        self.rng ^= self.rng >> 7;
        self.rng ^= self.rng << 17;
        let prompt = if self.rng & 1 == 0 {
            Prompt::TurnLeft
        } else {
            Prompt::TurnRight
        };
        let mut yaws: Vec<f32> = self.frames.iter().map(|o| yaw(&o.lm)).collect();
        yaws.sort_by(f32::total_cmp);
        let base_yaw = yaws.get(yaws.len() / 2).copied().unwrap_or_else(|| yaw(lm));
        self.challenge = Some(ChallengeState {
            prompt,
            issued: t,
            deadline: t + self.cfg.challenge_timeout_ms,
            base_yaw,
            base_lm: *lm,
            best_yaw: 0.0,
            flat_at_best: 0.0,
            answered: 0,
        });
    }

    fn check_challenge(&mut self, t: u64, lm: &Landmarks, steady_step: bool) -> Option<PadVerdict> {
        let cfg = &self.cfg;
        let c = self.challenge.as_mut()?;
        // person's left = image right in an unmirrored frame = yaw increases
        let sign = match (c.prompt, cfg.frames_mirrored) {
            (Prompt::TurnLeft, false) | (Prompt::TurnRight, true) => 1.0,
            _ => -1.0,
        };
        let turned = (yaw(lm) - c.base_yaw) * sign;
        let par = parallax_signed(&c.base_lm, lm).unwrap_or(0.0) * sign;
        // turning the head shifts the face and narrows it a little (the eye distance shrinks
        // with the cosine of the turn) but hardly rolls it; a picture waved about makes noisy
        // landmarks, so frames whose face rolled or changed size more than a turn explains do
        // not count as an answer
        let steady = steady_step
            && motion(&c.base_lm, lm).is_some_and(|m| {
                m.rotation_deg < cfg.challenge_max_roll_deg && m.scale < cfg.challenge_max_scale
            });
        if !(steady && turned >= cfg.challenge_min_yaw && par >= cfg.challenge_min_parallax) {
            c.answered = 0;
        } else {
            c.answered += 1;
            if c.answered >= cfg.challenge_frames {
                return Some(PadVerdict::Live {
                    evidence: Evidence::Challenge {
                        prompt: c.prompt,
                        yaw_change: turned,
                        parallax: par,
                    },
                });
            }
        }
        if turned > c.best_yaw {
            c.best_yaw = turned;
            c.flat_at_best = par;
        }
        if t >= c.deadline {
            let reason = if self.planar_hits >= cfg.planar_frames && self.parallax_hits == 0 {
                SpoofReason::PlanarMotion {
                    frames: self.planar_hits,
                    max_parallax: self.max_parallax,
                }
            } else if c.best_yaw >= cfg.challenge_min_yaw {
                SpoofReason::ChallengeFlat {
                    prompt: c.prompt,
                    yaw_change: c.best_yaw,
                    parallax: c.flat_at_best,
                }
            } else {
                SpoofReason::ChallengeNotAnswered {
                    prompt: c.prompt,
                    waited_ms: t - c.issued,
                    best_yaw_change: c.best_yaw,
                }
            };
            return Some(PadVerdict::Spoof { reason });
        }
        None
    }
}

#[cfg(test)]
#[path = "session_tests.rs"]
mod tests;

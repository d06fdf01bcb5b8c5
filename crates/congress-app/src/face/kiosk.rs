//! One kiosk connection's face check-in: rate limit, frames in flight, multi-frame agreement,
//! liveness (PAD), and the check-in itself (an attendance command, durable before the kiosk is
//! told).
//!
//! A check-in needs **both** the agreement (who: `k` of `n` frames matched one delegate) and a
//! `Live` verdict of the connection's [`PadSession`] (alive: see `docs/face-pad.md`). Every
//! analysed frame goes to the PAD session; while it asks a challenge the kiosk is told
//! `challenge` (the prompt, the side, the time left); a `Spoof` verdict is answered `refused`
//! with its reason, and reported once per presentation to the consoles (the desk). A delegate
//! confirmed by the agreement before the PAD session decided is kept as pending and checked in
//! on the first frame that is both live and matched to them.
//!
//! Frames are analysed on the face workers (never on the async threads). A kiosk may have at
//! most [`MAX_IN_FLIGHT`] frames being analysed and may send at most `MAX_KIOSK_FPS` frames a
//! second; beyond that its frames are answered at once (`busy` / `rate_limited`), so a
//! flooding kiosk holds at most two worker slots and cannot slow the other kiosks down.

use congress_domain::AttendanceCommand;
use std::sync::Arc;
use std::time::{Duration, Instant};

use congress_face::{
    Analysis, FaceError, FrameAgreement, MatchOutcome, PadSession, PadVerdict, Prompt, Rejection,
};
use congress_proto::*;
use tokio::sync::mpsc;

use super::FaceService;
use crate::AppState;

/// Frames of one kiosk being analysed at once.
pub const MAX_IN_FLIGHT: usize = 2;
/// Consecutive good frames matching nobody before the kiosk says "go to the desk".
const UNKNOWN_AFTER: u32 = 3;
/// A recognised delegate still in front of the camera keeps their greeting this long.
const GREETING_HOLD: Duration = Duration::from_secs(8);

/// The result of analysing one frame, sent back to the connection loop.
pub struct Done {
    pub frame: u64,
    pub started: Instant,
    pub result: Result<Analysis, FaceError>,
}

/// What a kiosk check-in did, as the engine answers it.
#[derive(serde::Serialize, serde::Deserialize)]
struct CheckedIn {
    /// False when the delegate was already checked in (nothing journalled).
    changed: bool,
    /// When the delegate's current status was recorded.
    at: Option<i64>,
    full_name: String,
    seat: String,
    group: String,
}

pub struct KioskSession {
    face: Arc<FaceService>,
    device_id: String,
    direction: KioskDirection,
    agreement: FrameAgreement,
    frame: u64,
    in_flight: usize,
    tokens: f64,
    refilled: Instant,
    unknown_streak: u32,
    started: Instant,
    last: Option<(String, Instant, FaceStatus)>,
    done: mpsc::UnboundedSender<Done>,
    /// Liveness of the current presentation.
    pad: PadSession,
    /// The delegate the current presentation's face matched last (for the desk's refusal).
    candidate: Option<String>,
    /// Confirmed by the agreement, waiting for the PAD session to say live: (who, distance,
    /// margin).
    pending: Option<(String, f32, f32)>,
    /// The current `Spoof` verdict was reported to the desk.
    refusal_reported: bool,
}

fn answer(frame: u64, result: FaceStatus) -> ServerMsg {
    ServerMsg::FaceResult {
        frame,
        width: 0,
        height: 0,
        boxes: vec![],
        result,
        ms: 0,
    }
}

pub fn status_name(s: &FaceStatus) -> &'static str {
    match s {
        FaceStatus::NoFace => "no_face",
        FaceStatus::SeveralFaces { .. } => "several_faces",
        FaceStatus::LowQuality { .. } => "low_quality",
        FaceStatus::Looking => "looking",
        FaceStatus::Recognized { .. } => "recognized",
        FaceStatus::Unknown => "unknown",
        FaceStatus::Busy => "busy",
        FaceStatus::RateLimited => "rate_limited",
        FaceStatus::BadFrame { .. } => "bad_frame",
        FaceStatus::Unavailable => "unavailable",
        FaceStatus::Challenge { .. } => "challenge",
        FaceStatus::Refused { .. } => "refused",
    }
}

/// What the kiosk shows while a challenge runs.
fn challenge_status(prompt: Prompt, deadline_ms: u64, t: u64) -> FaceStatus {
    FaceStatus::Challenge {
        prompt: prompt.message_key().into(),
        side: match prompt {
            Prompt::TurnLeft => "left".into(),
            Prompt::TurnRight => "right".into(),
        },
        remaining_ms: deadline_ms.saturating_sub(t).min(u64::from(u32::MAX)) as u32,
    }
}

impl KioskSession {
    pub fn new(face: Arc<FaceService>, device: &Device, done: mpsc::UnboundedSender<Done>) -> Self {
        let c = &face.config;
        let agreement = FrameAgreement::new(c.agreement_k, c.agreement_n, c.agreement_window_ms);
        face.kiosk_connected(&device.id, true);
        KioskSession {
            device_id: device.id.clone(),
            direction: device.direction.unwrap_or(KioskDirection::Entrance),
            agreement,
            frame: 0,
            in_flight: 0,
            tokens: MAX_KIOSK_FPS as f64,
            refilled: face.clock.instant(),
            unknown_streak: 0,
            started: face.clock.instant(),
            last: None,
            done,
            pad: PadSession::new(c.pad.clone(), rand::random::<u64>()),
            candidate: None,
            pending: None,
            refusal_reported: false,
            face,
        }
    }

    /// A binary message arrived: answer at once (refused) or start its analysis.
    pub fn on_frame(&mut self, bytes: Vec<u8>) -> Option<ServerMsg> {
        self.frame += 1;
        let frame = self.frame;
        self.face.kiosk_frame(&self.device_id);
        let now = self.face.clock.instant();
        let rate = MAX_KIOSK_FPS as f64;
        self.tokens =
            (self.tokens + now.duration_since(self.refilled).as_secs_f64() * rate).min(rate);
        self.refilled = now;
        if self.tokens < 1.0 {
            return Some(answer(frame, FaceStatus::RateLimited));
        }
        self.tokens -= 1.0;
        if bytes.len() > MAX_KIOSK_FRAME_BYTES {
            return Some(answer(
                frame,
                FaceStatus::BadFrame {
                    error: "face.error.frame_too_large".into(),
                    message: format!(
                        "frame of {} bytes; send at most {MAX_KIOSK_FRAME_BYTES} bytes (a ~640 px JPEG)",
                        bytes.len()
                    ),
                },
            ));
        }
        if self.in_flight >= MAX_IN_FLIGHT {
            return Some(answer(frame, FaceStatus::Busy));
        }
        self.in_flight += 1;
        let face = self.face.clone();
        let done = self.done.clone();
        tokio::spawn(async move {
            let started = face.clock.instant();
            let result = face.workers.analyze(bytes).await;
            let _ = done.send(Done {
                frame,
                started,
                result,
            });
        });
        None
    }

    /// An analysis finished: decide, maybe check in, and build the answer.
    pub async fn on_done(&mut self, app: &AppState, d: Done) -> ServerMsg {
        self.in_flight = self.in_flight.saturating_sub(1);
        let (width, height, boxes, result) = match d.result {
            Err(FaceError::Overloaded { .. }) => (0, 0, vec![], FaceStatus::Busy),
            Err(e) => (
                0,
                0,
                vec![],
                FaceStatus::BadFrame {
                    error: e.message_key().into(),
                    message: e.to_string(),
                },
            ),
            Ok(a) => {
                let (w, h) = (a.width.max(1) as f32, a.height.max(1) as f32);
                let boxes = a
                    .faces
                    .iter()
                    .enumerate()
                    .map(|(i, f)| FaceBoxMsg {
                        x: f.x1 / w,
                        y: f.y1 / h,
                        w: f.width() / w,
                        h: f.height() / h,
                        chosen: a.chosen == Some(i),
                    })
                    .collect();
                let status = self.decide(app, &a).await;
                (a.width, a.height, boxes, status)
            }
        };
        self.face
            .kiosk_result(&self.device_id, status_name(&result), app.engine.now());
        ServerMsg::FaceResult {
            frame: d.frame,
            width,
            height,
            boxes,
            result,
            ms: self
                .face
                .clock
                .instant()
                .saturating_duration_since(d.started)
                .as_millis() as u32,
        }
    }

    async fn decide(&mut self, app: &AppState, a: &Analysis) -> FaceStatus {
        let t = self
            .face
            .clock
            .instant()
            .saturating_duration_since(self.started)
            .as_millis() as u64;
        // every analysed frame, with or without a face, in order
        let verdict = self.pad.observe_analysis(t, a);
        if let PadVerdict::Spoof { reason } = verdict {
            self.agreement.reset();
            self.pending = None;
            self.unknown_streak = 0;
            if let Some(e) = &a.embedding
                && let Some(d) = self.face.find(e).delegate()
            {
                self.candidate = Some(d.to_string());
            }
            if !self.refusal_reported {
                self.refusal_reported = true;
                self.face
                    .report_refusal(app, &self.device_id, &reason, self.candidate.clone());
            }
            return FaceStatus::Refused {
                reason: reason.message_key().into(),
                message: reason.to_string(),
            };
        }
        self.refusal_reported = false;
        let challenge = match verdict {
            PadVerdict::Challenge {
                prompt,
                deadline_ms,
            } => Some(challenge_status(prompt, deadline_ms, t)),
            _ => None,
        };
        let looking = || challenge.clone().unwrap_or(FaceStatus::Looking);
        match (&a.quality, &a.embedding) {
            (Err(Rejection::NoFace), _) => {
                self.agreement.observe(t, None);
                self.unknown_streak = 0;
                self.pending = None;
                self.candidate = None;
                FaceStatus::NoFace
            }
            (Err(Rejection::SeveralFaces { count }), _) => {
                self.agreement.observe(t, None);
                self.pending = None;
                FaceStatus::SeveralFaces {
                    count: *count as u32,
                }
            }
            // turning the head as asked may cross the pose gate: the prompt stays on screen
            (Err(Rejection::Pose { .. }), _) if challenge.is_some() => looking(),
            (Err(r), _) => FaceStatus::LowQuality {
                reason: r.message_key().into(),
                message: r.to_string(),
            },
            (Ok(()), None) => FaceStatus::NoFace,
            (Ok(()), Some(e)) => {
                let m = self.face.find(e);
                let who = m.delegate().map(str::to_string);
                let (distance, margin) = match &m {
                    MatchOutcome::Match {
                        distance, margin, ..
                    } => (*distance, *margin),
                    _ => (0.0, 0.0),
                };
                if let Some(w) = &who
                    && self.candidate.as_ref().is_some_and(|c| c != w)
                {
                    // a verdict belongs to one person: someone else is at the kiosk
                    self.pad.reset();
                    self.pending = None;
                }
                if who.is_some() {
                    self.candidate = who.clone();
                }
                let live = verdict.is_live();
                match self.agreement.observe(t, who.as_deref()) {
                    Some(confirmed) => {
                        self.unknown_streak = 0;
                        if live || self.greeting_held(&confirmed) {
                            self.check_in(app, &confirmed, distance, margin).await
                        } else {
                            self.pending = Some((confirmed, distance, margin));
                            // recognised: ask the challenge now rather than after more
                            // frames that cannot decide (a still is refused all the same)
                            match self.pad.challenge_now(t) {
                                PadVerdict::Challenge {
                                    prompt,
                                    deadline_ms,
                                } => challenge_status(prompt, deadline_ms, t),
                                _ => looking(),
                            }
                        }
                    }
                    // confirmed in this presentation, now live: a head still turned from
                    // the answer may match nobody, which does not contradict the agreement
                    None if who.is_none() && live && self.pending.is_some() => {
                        let (p, d, m) = self.pending.take().unwrap_or_default();
                        self.check_in(app, &p, d, m).await
                    }
                    // a head turned to answer the challenge matches less well: not "unknown"
                    None if who.is_none() && challenge.is_some() => looking(),
                    None if who.is_none() => {
                        self.unknown_streak += 1;
                        if self.unknown_streak >= UNKNOWN_AFTER {
                            FaceStatus::Unknown
                        } else {
                            looking()
                        }
                    }
                    None => {
                        self.unknown_streak = 0;
                        match self.pending.take() {
                            Some((p, ..)) if live && who.as_deref() == Some(p.as_str()) => {
                                self.check_in(app, &p, distance, margin).await
                            }
                            other => {
                                self.pending = other;
                                looking()
                            }
                        }
                    }
                }
            }
        }
    }

    /// The delegate was greeted here moments ago (still in front of the camera).
    fn greeting_held(&self, delegate_id: &str) -> bool {
        self.last.as_ref().is_some_and(|(who, at, _)| {
            who == delegate_id
                && self.face.clock.instant().saturating_duration_since(*at) < GREETING_HOLD
        })
    }

    async fn check_in(
        &mut self,
        app: &AppState,
        delegate_id: &str,
        distance: f32,
        margin: f32,
    ) -> FaceStatus {
        if self.greeting_held(delegate_id)
            && let Some((_, _, status)) = &self.last
        {
            return status.clone();
        }
        // finite values only: the margin is infinite when one delegate is enrolled
        let margin = if margin.is_finite() { margin } else { 99.0 };
        let direction = self.direction;
        let cmd = AttendanceCommand::SetAttendance {
            delegate_id: delegate_id.into(),
            status: match direction {
                KioskDirection::Entrance => AttendanceStatus::Present,
                KioskDirection::Exit => AttendanceStatus::Left,
            },
            source: AttendanceSource::Kiosk {
                device_id: self.device_id.clone(),
                distance,
                margin,
            },
            kiosk: Some(direction),
            reason: None,
        };
        let id = delegate_id.to_string();
        let r = app
            .engine
            .execute(cmd, format!("device:{}", self.device_id), None, move |a| {
                let d = a.state.delegates.get(&id);
                CheckedIn {
                    changed: !a.events.is_empty(),
                    at: a.state.attendance.get(&id).map(|r| r.at),
                    full_name: d.map(|d| d.full_name.clone()).unwrap_or_default(),
                    seat: d.map(|d| d.seat.clone()).unwrap_or_default(),
                    group: d.map(|d| d.group.clone()).unwrap_or_default(),
                }
            })
            .await;
        let v = match r {
            Ok(v) => v,
            Err(e) => {
                tracing::warn!(error = %e, delegate = delegate_id, "kiosk check-in refused");
                return FaceStatus::BadFrame {
                    error: "face.error.check_in_refused".into(),
                    message: e.to_string(),
                };
            }
        };
        let already = !v.changed;
        self.face.record_check_in(RecentCheckIn {
            delegate_id: delegate_id.into(),
            full_name: v.full_name.clone(),
            device_id: self.device_id.clone(),
            at: app.engine.now(),
            distance,
            margin,
            already,
            has_photo: self.face.thumb(delegate_id).is_some(),
        });
        let status = FaceStatus::Recognized {
            delegate_id: delegate_id.into(),
            full_name: v.full_name,
            seat: v.seat,
            group: v.group,
            at: v.at.unwrap_or_else(|| app.engine.now()),
            already,
            direction,
        };
        self.last = Some((
            delegate_id.into(),
            self.face.clock.instant(),
            status.clone(),
        ));
        self.agreement.reset();
        self.pad.reset();
        self.pending = None;
        status
    }
}

impl Drop for KioskSession {
    fn drop(&mut self) {
        self.face.kiosk_connected(&self.device_id, false);
    }
}

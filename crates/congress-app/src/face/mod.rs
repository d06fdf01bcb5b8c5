//! Face check-in on the server: the [`FaceService`] owns the face workers (`congress-face`),
//! the in-memory gallery of enrolled delegates and their photo thumbnails, and the live status
//! of the kiosks for the console.
//!
//! * Startup: `open` builds the service when `face_check_in` is `on`, or `auto` and the model
//!   files are present; the gallery is loaded from the `face_enrolments` table.
//! * Enrolment ([`FaceService::enrol`]): each capture is analysed on a worker; the good ones
//!   are committed (journal event `FaceEnrolled` + the biometric rows, one transaction) and then
//!   put in the gallery. Biometric data never enters the journal (see `congress_store`).
//! * Kiosk frames: [`kiosk::KioskSession`], driven by the `/ws/kiosk` connection.

pub mod kiosk;

use congress_domain::AttendanceCommand;
use std::collections::{HashMap, VecDeque};
use std::path::Path;
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use congress_face::engine::enrol_outcome;
use congress_face::{
    Analysis, EmbedderKind, Embedding, EnrolOutcome, FaceConfig, FaceError, FaceWorkers, Gallery,
    MatchOutcome,
};
use congress_proto::{
    CaptureOutcome, EnrolResponse, FaceOverview, KioskDirection, KioskInfo, KioskRefusal,
    RecentCheckIn, ServerMsg,
};
use congress_store::{FaceEnrolment, Write};
use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::engine::{Engine, Idempotency};
use crate::error::AppError;

/// Whether the server runs face check-in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum FaceMode {
    /// On when the model files are present (the default).
    #[default]
    Auto,
    /// On; a missing or corrupt model is a startup error.
    On,
    /// Off: kiosks are told face recognition is unavailable.
    Off,
}

impl std::str::FromStr for FaceMode {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "auto" => Ok(FaceMode::Auto),
            "on" | "true" | "1" => Ok(FaceMode::On),
            "off" | "false" | "0" => Ok(FaceMode::Off),
            _ => Err("expected auto, on or off".into()),
        }
    }
}

/// The model files the configuration needs.
pub fn model_files(cfg: &FaceConfig) -> Vec<std::path::PathBuf> {
    let emb = match cfg.embedder {
        EmbedderKind::DlibResnet => "dlib_resnet128.onnx",
        EmbedderKind::MobileFaceNet => "mobilefacenet.onnx",
    };
    vec![
        cfg.models_dir.join("centerface.onnx"),
        cfg.models_dir.join(emb),
    ]
}

/// Whether to start face check-in: `Auto` needs every model file to exist.
pub fn wanted(mode: FaceMode, cfg: &FaceConfig) -> bool {
    match mode {
        FaceMode::On => true,
        FaceMode::Off => false,
        FaceMode::Auto => {
            let missing: Vec<_> = model_files(cfg)
                .into_iter()
                .filter(|p| !Path::new(p).exists())
                .collect();
            if !missing.is_empty() {
                tracing::warn!(
                    ?missing,
                    "face check-in is off: model files missing; {}",
                    congress_face::error::MODELS_FIX
                );
            }
            missing.is_empty()
        }
    }
}

/// `congress purge-biometrics`: deletes every enrolment (embeddings and photos) and journals
/// the purge (`BiometricsPurged`), in one transaction. Returns the number of delegates whose
/// enrolment was deleted.
pub async fn purge_biometrics(app: &crate::AppState) -> Result<u32, AppError> {
    let n = congress_store::SqliteStore::open(&app.keys.db)?.face_enrolment_count()?;
    purge_biometrics_with(&app.engine, app.face.as_deref(), n, "cli").await?;
    Ok(n)
}

/// The biometric purge: `BiometricsPurged` and the deletion of the rows in one transaction,
/// then the in-memory gallery is emptied.
pub async fn purge_biometrics_with(
    engine: &Engine,
    face: Option<&FaceService>,
    enrolments: u32,
    actor: &str,
) -> Result<(), AppError> {
    engine
        .execute_with(
            AttendanceCommand::PurgeBiometrics { enrolments },
            actor.to_string(),
            None,
            vec![Write::PurgeBiometrics],
            |a| a.seq,
        )
        .await?;
    if let Some(f) = face {
        f.forget_all();
    }
    Ok(())
}

/// Live status of one kiosk (for the console).
#[derive(Debug, Default)]
struct KioskLive {
    connections: u32,
    frames: VecDeque<Instant>,
    last_result: Option<String>,
    last_at: Option<i64>,
}

const RECENT: usize = 30;

pub struct FaceService {
    pub workers: FaceWorkers,
    gallery: RwLock<Gallery>,
    /// Enrolled delegates and their thumbnails.
    thumbs: RwLock<HashMap<String, Option<Arc<Vec<u8>>>>>,
    kiosks: Mutex<HashMap<String, KioskLive>>,
    recent: Mutex<VecDeque<RecentCheckIn>>,
    /// Presentations the kiosks refused (liveness), newest first.
    refused: Mutex<VecDeque<KioskRefusal>>,
    pub config: FaceConfig,
    /// The time source for rates and the kiosk sessions' windows.
    pub clock: Arc<dyn crate::clock::Clock>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl FaceService {
    /// Loads the models (verified against `SHA256SUMS`), starts the workers and fills the gallery.
    pub fn start(
        cfg: &FaceConfig,
        enrolments: Vec<FaceEnrolment>,
        clock: Arc<dyn crate::clock::Clock>,
    ) -> Result<Self, FaceError> {
        let workers = FaceWorkers::start(cfg, 0, 0)?;
        let metric = match cfg.embedder {
            EmbedderKind::DlibResnet => congress_face::Metric::Euclidean,
            EmbedderKind::MobileFaceNet => congress_face::Metric::Cosine,
        };
        let mut gallery = Gallery::new(metric, cfg.threshold(), cfg.margin());
        let mut thumbs = HashMap::new();
        let mut skipped = 0;
        for f in enrolments {
            for e in &f.embeddings {
                match Embedding::from_bytes(e).and_then(|e| gallery.add(f.delegate_id.clone(), e)) {
                    Ok(()) => {}
                    Err(err) => {
                        skipped += 1;
                        tracing::warn!(delegate = %f.delegate_id, error = %err, "enrolment skipped (re-enrol this delegate)");
                    }
                }
            }
            thumbs.insert(f.delegate_id.clone(), f.photo_thumb.map(Arc::new));
        }
        tracing::info!(
            enrolled = gallery.len(),
            skipped,
            threshold = cfg.threshold(),
            margin = cfg.margin(),
            "face check-in ready"
        );
        Ok(FaceService {
            clock,
            workers,
            gallery: RwLock::new(gallery),
            thumbs: RwLock::new(thumbs),
            kiosks: Mutex::new(HashMap::new()),
            recent: Mutex::new(VecDeque::new()),
            refused: Mutex::new(VecDeque::new()),
            config: cfg.clone(),
        })
    }

    /// 1:N search.
    pub fn find(&self, e: &Embedding) -> MatchOutcome {
        match self.gallery.read() {
            Ok(g) => g.find(e),
            Err(p) => p.into_inner().find(e),
        }
    }

    pub fn enrolled(&self) -> Vec<String> {
        let mut ids: Vec<String> = self
            .thumbs
            .read()
            .map(|t| t.keys().cloned().collect())
            .unwrap_or_default();
        ids.sort();
        ids
    }

    pub fn enrolled_count(&self) -> usize {
        self.gallery.read().map(|g| g.len()).unwrap_or(0)
    }

    pub fn thumb(&self, delegate_id: &str) -> Option<Arc<Vec<u8>>> {
        self.thumbs.read().ok()?.get(delegate_id).cloned().flatten()
    }

    /// Analyses bytes, waiting (briefly, repeatedly) when the workers are full: for enrolment,
    /// which must not be refused because kiosks are busy.
    pub async fn analyze_patiently(&self, bytes: Vec<u8>) -> Result<Analysis, FaceError> {
        for _ in 0..200 {
            match self.workers.analyze(bytes.clone()).await {
                Err(FaceError::Overloaded { .. }) => {
                    tokio::time::sleep(Duration::from_millis(25)).await
                }
                other => return other,
            }
        }
        self.workers.analyze(bytes).await
    }

    /// Enrols (or re-enrols) a delegate from one or more captures. The enrolment is replaced only
    /// when at least one capture is good.
    pub async fn enrol(
        &self,
        engine: &Engine,
        delegate_id: &str,
        captures: Vec<Vec<u8>>,
        source: &str,
        actor: String,
        idem: Option<Idempotency>,
    ) -> Result<EnrolResponse, AppError> {
        if !engine.read(|s| s.delegates.contains_key(delegate_id)) {
            return Err(AppError::NotFound(format!("no delegate {delegate_id}")));
        }
        let mut outcomes = Vec::new();
        let mut good: Vec<Embedding> = Vec::new();
        let mut thumb: Option<Vec<u8>> = None;
        for bytes in captures {
            let analysis = match self.analyze_patiently(bytes.clone()).await {
                Ok(a) => a,
                Err(e) => {
                    outcomes.push(CaptureOutcome {
                        outcome: "bad_image".into(),
                        key: e.message_key().into(),
                        message: e.to_string(),
                    });
                    continue;
                }
            };
            let (outcome, key, message) = match enrol_outcome(analysis) {
                EnrolOutcome::Ok { embedding, face } => {
                    if thumb.is_none() {
                        let cfg = self.config.clone();
                        thumb =
                            tokio::task::spawn_blocking(move || make_thumb(&bytes, &face, &cfg))
                                .await
                                .ok()
                                .flatten();
                    }
                    good.push(embedding);
                    ("ok", "face.enrol.ok", "good photo".to_string())
                }
                EnrolOutcome::NoFace => ("no_face", "face.quality.no_face", "no face found".into()),
                EnrolOutcome::SeveralFaces { count } => (
                    "several_faces",
                    "face.quality.several_faces",
                    format!("{count} faces found; the photo must show exactly one person"),
                ),
                EnrolOutcome::LowQuality { reason } => {
                    ("low_quality", reason.message_key(), reason.to_string())
                }
            };
            outcomes.push(CaptureOutcome {
                outcome: outcome.into(),
                key: key.into(),
                message,
            });
        }
        if good.is_empty() {
            return Ok(EnrolResponse {
                delegate_id: delegate_id.into(),
                enrolled: false,
                used: 0,
                captures: outcomes,
            });
        }
        let bytes: Vec<Vec<u8>> = good.iter().map(|e| e.to_bytes()).collect();
        let mut h = Sha256::new();
        for b in &bytes {
            h.update(b);
        }
        let write = Write::FaceEnrolment(FaceEnrolment {
            delegate_id: delegate_id.into(),
            embeddings: bytes,
            photo_thumb: thumb.clone(),
            source: source.into(),
            at: engine.now(),
        });
        let cmd = AttendanceCommand::EnrolFace {
            delegate_id: delegate_id.into(),
            source: source.into(),
            embeddings: good.len() as u32,
            embedding_sha256: hex::encode(h.finalize()),
        };
        engine
            .execute_with(cmd, actor, idem, vec![write], |a| a.seq)
            .await?;
        {
            let mut g = self.gallery.write().unwrap_or_else(|p| p.into_inner());
            g.remove(delegate_id);
            for e in &good {
                g.add(delegate_id, e.clone())
                    .map_err(|e| AppError::Internal(e.to_string()))?;
            }
        }
        if let Ok(mut th) = self.thumbs.write() {
            th.insert(delegate_id.into(), thumb.map(Arc::new));
        }
        Ok(EnrolResponse {
            delegate_id: delegate_id.into(),
            enrolled: true,
            used: good.len() as u32,
            captures: outcomes,
        })
    }

    /// Forgets every enrolment in memory (after `purge-biometrics` committed).
    pub fn forget_all(&self) {
        if let Ok(mut g) = self.gallery.write() {
            let ids: Vec<String> = self
                .thumbs
                .read()
                .map(|t| t.keys().cloned().collect())
                .unwrap_or_default();
            for id in ids {
                g.remove(&id);
            }
        }
        if let Ok(mut t) = self.thumbs.write() {
            t.clear();
        }
    }

    pub(crate) fn kiosk_connected(&self, device_id: &str, up: bool) {
        let mut k = lock(&self.kiosks);
        let e = k.entry(device_id.to_string()).or_default();
        if up {
            e.connections += 1;
        } else {
            e.connections = e.connections.saturating_sub(1);
        }
    }

    pub(crate) fn kiosk_frame(&self, device_id: &str) {
        let mut k = lock(&self.kiosks);
        let e = k.entry(device_id.to_string()).or_default();
        let now = self.clock.instant();
        e.frames.push_back(now);
        while e
            .frames
            .front()
            .is_some_and(|t| now.duration_since(*t) > Duration::from_secs(3))
        {
            e.frames.pop_front();
        }
    }

    pub(crate) fn kiosk_result(&self, device_id: &str, status: &str, at: i64) {
        let mut k = lock(&self.kiosks);
        let e = k.entry(device_id.to_string()).or_default();
        e.last_result = Some(status.to_string());
        e.last_at = Some(at);
    }

    pub(crate) fn record_check_in(&self, c: RecentCheckIn) {
        let mut r = lock(&self.recent);
        r.push_front(c);
        r.truncate(RECENT);
    }

    /// A kiosk refused a presentation (liveness): logged, kept for the console's kiosk panel
    /// and pushed at once to the consoles, so the desk expects the person.
    pub(crate) fn report_refusal(
        &self,
        app: &crate::AppState,
        device_id: &str,
        reason: &congress_face::SpoofReason,
        delegate_id: Option<String>,
    ) {
        let (label, full_name) = app.engine.read(|s| {
            (
                s.devices
                    .get(device_id)
                    .map(|d| d.device.label.clone())
                    .unwrap_or_default(),
                delegate_id
                    .as_ref()
                    .and_then(|id| s.delegates.get(id))
                    .map(|d| d.full_name.clone()),
            )
        });
        tracing::warn!(
            device = device_id,
            delegate = ?delegate_id,
            reason = %reason,
            "kiosk refused a presentation (liveness)"
        );
        let refusal = KioskRefusal {
            device_id: device_id.into(),
            label,
            at: app.engine.now(),
            reason: reason.message_key().into(),
            message: reason.to_string(),
            delegate_id,
            full_name,
        };
        {
            let mut r = lock(&self.refused);
            r.push_front(refusal.clone());
            r.truncate(RECENT);
        }
        app.engine
            .hub
            .publish_live(vec![crate::hub::Frame::live_msg(
                crate::hub::Audience::Consoles,
                &ServerMsg::KioskRefusal { refusal },
            )]);
    }

    /// The console's kiosk panel.
    pub fn overview(&self, engine: &Engine) -> FaceOverview {
        let devices: Vec<(String, String, KioskDirection)> = engine.read(|s| {
            s.devices
                .values()
                .filter(|d| d.device.kind == congress_proto::DeviceKind::Kiosk && !d.device.revoked)
                .map(|d| {
                    (
                        d.device.id.clone(),
                        d.device.label.clone(),
                        d.device.direction.unwrap_or(KioskDirection::Entrance),
                    )
                })
                .collect()
        });
        let live = lock(&self.kiosks);
        let now = self.clock.instant();
        let mut kiosks: Vec<KioskInfo> = devices
            .into_iter()
            .map(|(id, label, direction)| {
                let l = live.get(&id);
                let fps = l
                    .map(|l| {
                        l.frames
                            .iter()
                            .filter(|t| now.duration_since(**t) <= Duration::from_secs(3))
                            .count() as f32
                            / 3.0
                    })
                    .unwrap_or(0.0);
                KioskInfo {
                    connected: l.is_some_and(|l| l.connections > 0),
                    fps,
                    last_result: l.and_then(|l| l.last_result.clone()),
                    last_at: l.and_then(|l| l.last_at),
                    device_id: id,
                    label,
                    direction,
                }
            })
            .collect();
        kiosks.sort_by(|a, b| a.device_id.cmp(&b.device_id));
        let enrolled_ids = self.enrolled();
        FaceOverview {
            enabled: true,
            enrolled: self.enrolled_count() as u32,
            enrolled_ids,
            threshold: self.config.threshold(),
            margin: self.config.margin(),
            kiosks,
            recent: lock(&self.recent).iter().cloned().collect(),
            refused: lock(&self.refused).iter().cloned().collect(),
        }
    }
}

/// A small JPEG of the face (with some context) for the console.
fn make_thumb(bytes: &[u8], face: &congress_face::FaceBox, cfg: &FaceConfig) -> Option<Vec<u8>> {
    let img = congress_face::decode_image(bytes, cfg.max_pixels, cfg.min_image_side).ok()?;
    let (w, h) = (img.width() as f32, img.height() as f32);
    let side = face.width().max(face.height()) * 1.6;
    let c = face.center();
    let x0 = (c.x - side / 2.0).clamp(0.0, w - 1.0);
    let y0 = (c.y - side / 2.0).clamp(0.0, h - 1.0);
    let cw = side.min(w - x0).max(1.0);
    let ch = side.min(h - y0).max(1.0);
    let crop =
        image::imageops::crop_imm(&img, x0 as u32, y0 as u32, cw as u32, ch as u32).to_image();
    let small = image::imageops::thumbnail(&crop, 128, 128);
    let mut out = Vec::new();
    let enc = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 80);
    image::DynamicImage::ImageRgb8(small)
        .write_with_encoder(enc)
        .ok()?;
    Some(out)
}

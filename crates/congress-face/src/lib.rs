//! # congress-face
//!
//! Face recognition for the entrance kiosks: the server receives camera frames, and this crate
//! detects, aligns, checks, embeds and matches the faces in them. Models are ONNX files made by
//! `python3 models/setup.py` (see `models/README.md`) and run with ONNX Runtime through `ort`
//! (library loaded dynamically, once per process).
//!
//! ## What the server calls
//!
//! ```no_run
//! # async fn demo(jpeg: Vec<u8>, photo: Vec<u8>) -> Result<(), congress_face::FaceError> {
//! use congress_face::*;
//!
//! let config = FaceConfig::default();              // serde: part of the server's config file
//! let workers = FaceWorkers::start(&config, 0, 0)?; // threads & queue from config
//!
//! // enrolment (credentials desk): one photo → embedding, or a reason to retake it
//! let mut gallery = Gallery::new(Metric::Euclidean, config.threshold(), config.margin());
//! match workers.enrol(photo).await? {
//!     EnrolOutcome::Ok { embedding, .. } => gallery.add("delegate-17", embedding)?,
//!     other => println!("retake the photo: {other:?}"),
//! }
//!
//! // kiosk frame → analysis → 1:N match → multi-frame agreement
//! let mut agree = FrameAgreement::new(config.agreement_k, config.agreement_n, config.agreement_window_ms);
//! match workers.analyze(jpeg).await {
//!     Ok(a) => {
//!         let who = a.embedding.as_ref().map(|e| gallery.find(e));
//!         let delegate = who.as_ref().and_then(|m| m.delegate());
//!         if let Some(confirmed) = agree.observe(1_000, delegate) {
//!             println!("check in {confirmed}");
//!         }
//!     }
//!     Err(FaceError::Overloaded { .. }) => { /* drop the frame; the kiosk sends another */ }
//!     Err(e) => println!("{e} ({})", e.message_key()),
//! }
//! # Ok(()) }
//! ```
//!
//! ## Liveness (presentation-attack detection) — per kiosk session
//!
//! ```
//! # use congress_face::*;
//! # fn demo(analysis: &Analysis, now_ms: u64, seed: u64) {
//! let config = FaceConfig::default();
//! let mut pad = PadSession::new(config.pad.clone(), seed); // one per kiosk connection; seed random
//! // for every analysed frame (with or without a face), in order, time from any monotonic clock:
//! match pad.observe_analysis(now_ms, analysis) {
//!     PadVerdict::Collecting { .. } => { /* keep looking; check in nobody yet */ }
//!     PadVerdict::Challenge { prompt, deadline_ms } => {
//!         /* show prompt.message_key() ("face.pad.turn_left" / "face.pad.turn_right") */
//!     }
//!     PadVerdict::Live { .. } => { /* a FrameAgreement-confirmed delegate may be checked in */ }
//!     PadVerdict::Spoof { reason } => {
//!         /* never check in; to the desk with reason.to_string() / reason.message_key() */
//!     }
//! }
//! // after a check-in, or when the kiosk is told a new person stands there:
//! pad.reset();
//! # }
//! ```
//!
//! A frame whose chosen face has other faces of comparable size answers
//! `quality: Err(Rejection::SeveralFaces { count })` (no embedding); see `docs/face-pad.md`.
//!
//! * [`FaceConfig`] — all settings (serde, `deny_unknown_fields`), with working defaults.
//! * [`FaceEngine::load`] — verify the model files against `models/SHA256SUMS`, initialise ONNX
//!   Runtime (`ORT_DYLIB_PATH` or `<models_dir>/lib/libonnxruntime.so`), build the sessions.
//!   `engine.analyze(&bytes)` runs the whole pipeline synchronously on the calling thread.
//! * [`FaceWorkers::start`] — N threads each owning an engine, bounded queue;
//!   `workers.analyze(bytes).await` → [`Analysis`] or [`FaceError::Overloaded`] at once.
//! * [`Analysis`] — `{ width, height, faces, chosen, metrics, quality, embedding, pad, timings }`.
//! * [`PadSession`] / [`PadVerdict`] / [`SpoofReason`] / [`Prompt`] — liveness per kiosk session.
//! * [`Gallery`] / [`MatchOutcome`] — 1:N with a threshold and a margin over the runner-up.
//! * [`FrameAgreement`] — k of the last n frames within a window agree on a delegate.
//! * [`enrol_photo`] / [`EnrolOutcome`] — enrolment check.
//! * [`Embedding::to_bytes`] / [`Embedding::from_bytes`] — little-endian `f32` for storage.
//!
//! Swapping models: [`Detector`] and [`Embedder`] are traits; [`FaceConfig::detector`] and
//! [`FaceConfig::embedder`] choose the implementation ([`EmbedderKind::MobileFaceNet`] needs
//! `python3 models/setup.py --with-mobilefacenet`), and [`FaceEngine::from_parts`] takes any.

//!
//! ## Operating point (measured by the `face-accuracy` and `face-speed` binaries)
//!
//! * Detection: CenterFace on the frame scaled to a longer side of 320 px
//!   ([`FaceConfig::detect_max_side`]); the face is aligned from the full-resolution image.
//! * dlib ResNet, Euclidean, with the test-time flip ([`FaceConfig::embed_flip`]): threshold
//!   0.52, margin 0.04. On the 74 labelled photos, 1:N with a third of the identities as
//!   impostors: 0 false matches, 6 of 112 genuine probes missed (14 without the flip at 0.50).
//!   Multi-frame agreement absorbs single-frame misses. See `docs/face-pad.md`.
//! * MobileFaceNet (opt-in), cosine distance: threshold 0.40, margin 0.05.
//! * Cost per 640×480 frame on one core: ≈ 30–40 ms (detect ≈ 20, embed ≈ 8 (×2 with the
//!   flip), PAD features ≈ 0.7, decode ≈ 1,
//!   1:N over 2 000 delegates ≈ 0.3 ms). Under overload, frames are shed
//!   ([`FaceError::Overloaded`]) rather than queued, keeping latency bounded.

pub mod agreement;
pub mod align;
pub mod config;
pub mod decode;
pub mod detect;
pub mod embed;
pub mod engine;
pub mod error;
pub mod gallery;
pub mod pad;
pub mod paths;
pub mod quality;
pub mod runtime;
pub mod workers;

pub use agreement::FrameAgreement;
pub use align::{Landmarks, Point, Similarity};
pub use config::{DetectorKind, EmbedderKind, FaceConfig, QualityConfig};
pub use decode::decode_image;
pub use detect::{CenterFace, Detector, FaceBox};
pub use embed::{DlibResnet, Embedder, Embedding, Metric, MobileFaceNet};
pub use engine::{Analysis, EnrolOutcome, FaceEngine, Timings, comparable_faces, enrol_photo};
pub use error::FaceError;
pub use gallery::{Gallery, MatchOutcome};
pub use pad::{
    Evidence, PadConfig, PadFeatures, PadSession, PadVerdict, PassiveKind, Prompt, SpoofReason,
};
pub use quality::{QualityMetrics, Rejection};
pub use workers::FaceWorkers;

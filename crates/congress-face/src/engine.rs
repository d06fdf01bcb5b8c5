//! `FaceEngine`: one detector + one embedder (each owning its ONNX Runtime session) and the
//! full per-image pipeline: decode → detect → choose (or `several_faces`) → align → quality →
//! PAD features → embed. Also the enrolment helper. An engine is used from one thread;
//! `FaceWorkers` runs several.

use std::time::Instant;

use image::RgbImage;
use serde::{Deserialize, Serialize};

use crate::config::{DetectorKind, EmbedderKind, FaceConfig};
use crate::decode::decode_image;
use crate::detect::{CenterFace, Detector, FaceBox};
use crate::embed::{DlibResnet, Embedder, Embedding, Metric, MobileFaceNet};
use crate::error::FaceError;
use crate::gallery::Gallery;
use crate::pad::{PadFeatures, PassiveModel, features};
use crate::quality::{QualityMetrics, Rejection, choose_face, measure, verdict};

/// Time spent per step, in milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct Timings {
    /// Decoding.
    pub decode_ms: f32,
    /// Detection.
    pub detect_ms: f32,
    /// Alignment and quality measures.
    pub align_ms: f32,
    /// Embedding.
    pub embed_ms: f32,
    /// PAD features (thumbnails, passive model).
    pub pad_ms: f32,
}

/// Everything the server needs from one image.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Analysis {
    /// Upright image width.
    pub width: u32,
    /// Upright image height.
    pub height: u32,
    /// All detected faces, best score first (for drawing boxes).
    pub faces: Vec<FaceBox>,
    /// Index into `faces` of the face used.
    pub chosen: Option<usize>,
    /// Quality measurements of the chosen face.
    pub metrics: Option<QualityMetrics>,
    /// Verdict of the quality gates (`Err(NoFace)` when there is no face).
    pub quality: Result<(), Rejection>,
    /// Embedding of the chosen face, present when the quality gates passed
    /// (or when asked to embed regardless).
    pub embedding: Option<Embedding>,
    /// What the PAD session needs from this frame (present when a face was chosen and PAD
    /// is enabled); feed it to [`crate::PadSession::observe_analysis`].
    pub pad: Option<PadFeatures>,
    /// Step timings.
    pub timings: Timings,
}

/// Result of checking an enrolment photo.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum EnrolOutcome {
    /// No face found.
    NoFace,
    /// More than one face of comparable size.
    SeveralFaces {
        /// How many.
        count: usize,
    },
    /// The face fails a quality gate.
    LowQuality {
        /// Why.
        reason: Rejection,
    },
    /// Usable: store this embedding.
    Ok {
        /// The embedding.
        embedding: Embedding,
        /// The face used.
        face: FaceBox,
    },
}

/// Detector + embedder with the configuration they were built from.
pub struct FaceEngine {
    config: FaceConfig,
    detector: Box<dyn Detector>,
    embedder: Box<dyn Embedder>,
    passive: Option<PassiveModel>,
}

impl FaceEngine {
    /// Verify and load the configured models (initialising ONNX Runtime on first use).
    pub fn load(config: &FaceConfig) -> Result<FaceEngine, FaceError> {
        config.validate()?;
        let detector: Box<dyn Detector> = match config.detector {
            DetectorKind::CenterFace => Box::new(CenterFace::load(config)?),
        };
        let embedder: Box<dyn Embedder> = match config.embedder {
            EmbedderKind::DlibResnet => Box::new(DlibResnet::load(config)?),
            EmbedderKind::MobileFaceNet => Box::new(MobileFaceNet::load(config)?),
        };
        let passive = PassiveModel::load(config)?;
        tracing::info!(
            detector = detector.name(),
            embedder = embedder.name(),
            passive = ?config.pad.passive,
            "face engine loaded"
        );
        Ok(FaceEngine {
            config: config.clone(),
            detector,
            embedder,
            passive,
        })
    }

    /// Build from custom parts (another detector or embedder).
    pub fn from_parts(
        config: &FaceConfig,
        detector: Box<dyn Detector>,
        embedder: Box<dyn Embedder>,
    ) -> Result<Self, FaceError> {
        config.validate()?;
        Ok(FaceEngine {
            config: config.clone(),
            detector,
            embedder,
            passive: None,
        })
    }

    /// The configuration.
    pub fn config(&self) -> &FaceConfig {
        &self.config
    }

    /// Metric of the embedder.
    pub fn metric(&self) -> Metric {
        self.embedder.metric()
    }

    /// An empty gallery with this engine's metric, threshold and margin.
    pub fn new_gallery(&self) -> Gallery {
        Gallery::new(self.metric(), self.config.threshold(), self.config.margin())
    }

    /// Decode with the configured limits.
    pub fn decode(&self, bytes: &[u8]) -> Result<RgbImage, FaceError> {
        decode_image(bytes, self.config.max_pixels, self.config.min_image_side)
    }

    /// Detect faces in a decoded image.
    pub fn detect(&mut self, img: &RgbImage) -> Result<Vec<FaceBox>, FaceError> {
        self.detector.detect(img)
    }

    /// Full analysis of image bytes (embedding only if the quality gates pass).
    pub fn analyze(&mut self, bytes: &[u8]) -> Result<Analysis, FaceError> {
        self.analyze_opts(bytes, false)
    }

    /// Full analysis; with `embed_rejected` the chosen face is embedded even if it fails a gate.
    pub fn analyze_opts(
        &mut self,
        bytes: &[u8],
        embed_rejected: bool,
    ) -> Result<Analysis, FaceError> {
        let t0 = stage_start();
        let img = self.decode(bytes)?;
        let decode_ms = ms(t0);
        let mut a = self.analyze_image(&img, embed_rejected)?;
        a.timings.decode_ms = decode_ms;
        Ok(a)
    }

    /// Analysis of a decoded image.
    pub fn analyze_image(
        &mut self,
        img: &RgbImage,
        embed_rejected: bool,
    ) -> Result<Analysis, FaceError> {
        let (width, height) = img.dimensions();
        let mut timings = Timings::default();
        let t = stage_start();
        let faces = self.detector.detect(img)?;
        timings.detect_ms = ms(t);
        let chosen = choose_face(&faces, width, height);
        let mut out = Analysis {
            width,
            height,
            faces,
            chosen,
            metrics: None,
            quality: Err(Rejection::NoFace),
            embedding: None,
            pad: None,
            timings,
        };
        let Some(ci) = chosen else {
            return Ok(out);
        };
        let face = &out.faces[ci];
        let several = comparable_faces(&out.faces, ci, self.config.several_faces_area_ratio);
        if self.config.pad.enabled {
            let t = stage_start();
            let passive = match self.passive.as_mut() {
                Some(m) => Some(m.score(img, face)?),
                None => None,
            };
            out.pad = Some(features::extract(img, face, passive));
            out.timings.pad_ms = ms(t);
        }
        let t = stage_start();
        let Some((chip, to_chip)) = self.embedder.align(img, &face.landmarks) else {
            out.quality = Err(Rejection::Pose {
                roll_deg: 0.0,
                yaw: f32::NAN,
                pitch: f32::NAN,
            });
            return Ok(out);
        };
        let (template, _) = self.embedder.template();
        let metrics = measure(face, &chip, &to_chip, template);
        out.timings.align_ms = ms(t);
        out.quality = if several > 1 {
            Err(Rejection::SeveralFaces { count: several })
        } else {
            verdict(&metrics, &self.config.quality)
        };
        out.metrics = Some(metrics);
        if out.quality.is_ok() || embed_rejected {
            let t = stage_start();
            let mut e = self.embedder.embed_chip(&chip)?;
            if self.config.embed_flip {
                // the templates are left-right symmetric: the mirrored chip is aligned too
                let flipped = self
                    .embedder
                    .embed_chip(&image::imageops::flip_horizontal(&chip))?;
                e = average(&e, &flipped, self.embedder.metric());
            }
            out.embedding = Some(e);
            out.timings.embed_ms = ms(t);
        }
        tracing::debug!(faces = out.faces.len(), quality = ?out.quality, "analysed image");
        Ok(out)
    }

    /// Check an enrolment photo: exactly one prominent face, passing the quality gates.
    pub fn enrol_photo(&mut self, bytes: &[u8]) -> Result<EnrolOutcome, FaceError> {
        let a = self.analyze(bytes)?;
        Ok(enrol_outcome(a))
    }
}

/// Number of faces (the chosen one included) whose area is at least `ratio` × the chosen
/// face's: more than one means the frame shows several comparable faces; small faces in the
/// background (people further away) are tolerated.
pub fn comparable_faces(faces: &[FaceBox], chosen: usize, ratio: f32) -> usize {
    let Some(main) = faces.get(chosen) else {
        return 0;
    };
    let main_area = main.area();
    faces
        .iter()
        .enumerate()
        .filter(|(i, f)| *i == chosen || f.area() >= ratio * main_area)
        .count()
}

/// Turn an analysis into an enrolment verdict. Other faces at least half as large (in area)
/// as the chosen one make the photo ambiguous; small background faces are tolerated.
pub fn enrol_outcome(a: Analysis) -> EnrolOutcome {
    let Some(main) = a.chosen.and_then(|ci| a.faces.get(ci)).cloned() else {
        return EnrolOutcome::NoFace;
    };
    if let Err(Rejection::SeveralFaces { count }) = a.quality {
        return EnrolOutcome::SeveralFaces { count };
    }
    match (a.quality, a.embedding) {
        (Err(reason), _) => EnrolOutcome::LowQuality { reason },
        (Ok(()), Some(embedding)) => EnrolOutcome::Ok {
            embedding,
            face: main,
        },
        (Ok(()), None) => EnrolOutcome::NoFace,
    }
}

/// Convenience for the server: check an enrolment photo with an engine.
pub fn enrol_photo(engine: &mut FaceEngine, bytes: &[u8]) -> Result<EnrolOutcome, FaceError> {
    engine.enrol_photo(bytes)
}

/// Mean of two embeddings (re-normalised for cosine embedders).
fn average(a: &Embedding, b: &Embedding, metric: Metric) -> Embedding {
    let mut v: Vec<f32> = a.0.iter().zip(&b.0).map(|(x, y)| (x + y) / 2.0).collect();
    if metric == Metric::Cosine {
        let n = v.iter().map(|x| x * x).sum::<f32>().sqrt();
        if n > 0.0 {
            v.iter_mut().for_each(|x| *x /= n);
        }
    }
    Embedding(v)
}

/// The start of a pipeline stage. Stage timings are measured on the real clock on purpose:
/// they report how long the work took (to logs and the kiosk's `ms`), and no decision is made
/// on them (the PAD and the frame agreement take the frame's time as a parameter).
#[allow(clippy::disallowed_methods)]
fn stage_start() -> Instant {
    Instant::now()
}

/// Milliseconds since a stage started.
#[allow(clippy::disallowed_methods)]
fn ms(t: Instant) -> f32 {
    t.elapsed().as_secs_f32() * 1000.0
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::align::Point;

    fn fb(x: f32, side: f32) -> FaceBox {
        FaceBox {
            x1: x,
            y1: 0.0,
            x2: x + side,
            y2: side,
            score: 0.9,
            landmarks: [Point::default(); 5],
        }
    }

    #[test]
    fn several_comparable_faces_and_one_much_larger_face() {
        // two faces of similar size: several
        let faces = vec![fb(0.0, 100.0), fb(300.0, 90.0)];
        assert_eq!(comparable_faces(&faces, 0, 0.5), 2);
        // one face much larger than the people queueing behind: taken alone
        let faces = vec![fb(0.0, 200.0), fb(300.0, 100.0), fb(500.0, 80.0)];
        assert_eq!(comparable_faces(&faces, 0, 0.5), 1);
        assert_eq!(comparable_faces(&faces, 7, 0.5), 0);
        // the embedding average of a cosine embedder stays unit length
        let a = Embedding(vec![1.0, 0.0]);
        let b = Embedding(vec![0.0, 1.0]);
        let m = average(&a, &b, Metric::Cosine);
        assert!((m.0.iter().map(|x| x * x).sum::<f32>() - 1.0).abs() < 1e-6);
        assert_eq!(average(&a, &b, Metric::Euclidean).0, vec![0.5, 0.5]);
    }
}

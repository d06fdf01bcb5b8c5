//! Face embeddings: the `Embedding` value (with a little-endian `f32` byte format for
//! storage), distance metrics, the `Embedder` trait, and the dlib ResNet (128-d, Euclidean)
//! and MobileFaceNet (192-d, cosine) implementations.

use image::RgbImage;
use ort::session::Session;
use ort::value::Tensor;
use serde::{Deserialize, Serialize};

use crate::align::{
    ARCFACE_SIZE, ARCFACE_TEMPLATE, DLIB_SIZE, DLIB_TEMPLATE, Landmarks, Similarity, align_face,
};
use crate::config::FaceConfig;
use crate::error::FaceError;
use crate::runtime;

/// How two embeddings are compared. Smaller distance = more similar for both.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Metric {
    /// Euclidean distance (dlib: < 0.6 is the same person).
    Euclidean,
    /// 1 − cosine similarity.
    Cosine,
}

/// A face embedding vector.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Embedding(pub Vec<f32>);

impl Embedding {
    /// Number of values.
    pub fn dim(&self) -> usize {
        self.0.len()
    }

    /// Little-endian `f32` bytes, 4 × `dim` long.
    pub fn to_bytes(&self) -> Vec<u8> {
        self.0.iter().flat_map(|v| v.to_le_bytes()).collect()
    }

    /// Parse bytes written by [`Embedding::to_bytes`].
    pub fn from_bytes(bytes: &[u8]) -> Result<Embedding, FaceError> {
        if bytes.is_empty() || !bytes.len().is_multiple_of(4) {
            return Err(FaceError::BadEmbedding(format!(
                "length {} is not a positive multiple of 4",
                bytes.len()
            )));
        }
        let v: Vec<f32> = bytes
            .chunks_exact(4)
            .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect();
        if v.iter().any(|x| !x.is_finite()) {
            return Err(FaceError::BadEmbedding("contains NaN or infinity".into()));
        }
        Ok(Embedding(v))
    }

    /// Distance under `metric` (lengths must match; extra values are ignored).
    pub fn distance(&self, other: &Embedding, metric: Metric) -> f32 {
        match metric {
            Metric::Euclidean => self
                .0
                .iter()
                .zip(&other.0)
                .map(|(a, b)| (a - b) * (a - b))
                .sum::<f32>()
                .sqrt(),
            Metric::Cosine => {
                let (mut dot, mut na, mut nb) = (0f32, 0f32, 0f32);
                for (a, b) in self.0.iter().zip(&other.0) {
                    dot += a * b;
                    na += a * a;
                    nb += b * b;
                }
                let d = (na * nb).sqrt();
                if d <= 0.0 { 1.0 } else { 1.0 - dot / d }
            }
        }
    }
}

/// A face embedder: aligns a face by its landmarks and computes its embedding.
pub trait Embedder: Send {
    /// Short model name.
    fn name(&self) -> &'static str;
    /// Metric for comparing this embedder's outputs.
    fn metric(&self) -> Metric;
    /// Alignment template and chip side.
    fn template(&self) -> (&'static Landmarks, u32);
    /// Embed an aligned chip (`template().1` square).
    fn embed_chip(&mut self, chip: &RgbImage) -> Result<Embedding, FaceError>;

    /// Align the face at `landmarks` in `img`, returning the chip and transform.
    fn align(&self, img: &RgbImage, landmarks: &Landmarks) -> Option<(RgbImage, Similarity)> {
        let (t, size) = self.template();
        align_face(img, landmarks, t, size)
    }
}

fn to_nchw(chip: &RgbImage, mean: [f32; 3], div: f32) -> Vec<f32> {
    let (w, h) = chip.dimensions();
    let plane = (w * h) as usize;
    let mut data = vec![0f32; 3 * plane];
    for (i, p) in chip.pixels().enumerate() {
        for c in 0..3 {
            data[c * plane + i] = (f32::from(p.0[c]) - mean[c]) / div;
        }
    }
    data
}

fn run_single(
    session: &mut Session,
    model: &'static str,
    size: u32,
    data: Vec<f32>,
) -> Result<Vec<f32>, FaceError> {
    let input =
        Tensor::from_array(([1usize, 3, size as usize, size as usize], data)).map_err(|e| {
            FaceError::Inference {
                model,
                message: e.to_string(),
            }
        })?;
    let out = session
        .run(ort::inputs![input])
        .map_err(|e| FaceError::Inference {
            model,
            message: e.to_string(),
        })?;
    if out.len() == 0 {
        return Err(FaceError::BadModelOutput {
            model,
            message: "no output".into(),
        });
    }
    let (_, v) = out[0]
        .try_extract_tensor::<f32>()
        .map_err(|e| FaceError::BadModelOutput {
            model,
            message: e.to_string(),
        })?;
    if v.iter().any(|x| !x.is_finite()) {
        return Err(FaceError::BadModelOutput {
            model,
            message: "non-finite values".into(),
        });
    }
    Ok(v.to_vec())
}

/// dlib `dlib_face_recognition_resnet_model_v1`, 150×150 chip, 128-d, Euclidean.
pub struct DlibResnet {
    session: Session,
}

impl DlibResnet {
    /// Model file name.
    pub const FILE: &'static str = "dlib_resnet128.onnx";
    /// Load and verify.
    pub fn load(config: &FaceConfig) -> Result<Self, FaceError> {
        Ok(DlibResnet {
            session: runtime::load_session(config, Self::FILE, "dlib_resnet128")?,
        })
    }
}

impl Embedder for DlibResnet {
    fn name(&self) -> &'static str {
        "dlib_resnet128"
    }
    fn metric(&self) -> Metric {
        Metric::Euclidean
    }
    fn template(&self) -> (&'static Landmarks, u32) {
        (&DLIB_TEMPLATE, DLIB_SIZE)
    }
    fn embed_chip(&mut self, chip: &RgbImage) -> Result<Embedding, FaceError> {
        let data = to_nchw(chip, [122.782, 117.001, 104.298], 256.0);
        let v = run_single(&mut self.session, "dlib_resnet128", DLIB_SIZE, data)?;
        if v.len() != 128 {
            return Err(FaceError::BadModelOutput {
                model: "dlib_resnet128",
                message: format!("{} values", v.len()),
            });
        }
        Ok(Embedding(v))
    }
}

/// MobileFaceNet (opt-in), 112×112 ArcFace chip, 192-d, L2-normalised, cosine.
pub struct MobileFaceNet {
    session: Session,
}

impl MobileFaceNet {
    /// Model file name.
    pub const FILE: &'static str = "mobilefacenet.onnx";
    /// Load and verify.
    pub fn load(config: &FaceConfig) -> Result<Self, FaceError> {
        Ok(MobileFaceNet {
            session: runtime::load_session(config, Self::FILE, "mobilefacenet")?,
        })
    }
}

impl Embedder for MobileFaceNet {
    fn name(&self) -> &'static str {
        "mobilefacenet"
    }
    fn metric(&self) -> Metric {
        Metric::Cosine
    }
    fn template(&self) -> (&'static Landmarks, u32) {
        (&ARCFACE_TEMPLATE, ARCFACE_SIZE)
    }
    fn embed_chip(&mut self, chip: &RgbImage) -> Result<Embedding, FaceError> {
        let data = to_nchw(chip, [127.5; 3], 128.0);
        let mut v = run_single(&mut self.session, "mobilefacenet", ARCFACE_SIZE, data)?;
        let n = v.iter().map(|x| x * x).sum::<f32>().sqrt();
        if n > 0.0 {
            v.iter_mut().for_each(|x| *x /= n);
        }
        Ok(Embedding(v))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn bytes_roundtrip_and_errors() {
        let e = Embedding(vec![0.5, -1.25, 3.0e-7]);
        let b = e.to_bytes();
        assert_eq!(b.len(), 12);
        assert_eq!(&b[0..4], &0.5f32.to_le_bytes());
        assert_eq!(Embedding::from_bytes(&b).unwrap(), e);
        assert!(Embedding::from_bytes(&b[..5]).is_err());
        assert!(Embedding::from_bytes(&[]).is_err());
        assert!(Embedding::from_bytes(&f32::NAN.to_le_bytes()).is_err());
    }

    #[test]
    fn distances() {
        let a = Embedding(vec![1.0, 0.0]);
        let b = Embedding(vec![0.0, 1.0]);
        assert!((a.distance(&b, Metric::Euclidean) - 2f32.sqrt()).abs() < 1e-6);
        assert!((a.distance(&b, Metric::Cosine) - 1.0).abs() < 1e-6);
        assert!(a.distance(&a, Metric::Cosine).abs() < 1e-6);
    }
}

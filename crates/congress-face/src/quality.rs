//! Choosing the face to use in a frame (largest, most central) and the quality gates it must
//! pass before it is embedded: detector score, size, pose (from the landmarks), blur
//! (variance of the Laplacian) and exposure. Every rejection is a `Rejection` with a stable
//! message key for the kiosk's translated prompt.

use image::RgbImage;
use serde::{Deserialize, Serialize};

use crate::align::{Landmarks, Similarity};
use crate::config::QualityConfig;
use crate::detect::FaceBox;

/// Why a face is not good enough to be used.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum Rejection {
    /// No face in the image.
    #[error("no face found")]
    NoFace,
    /// Several faces of comparable size: one person at a time.
    #[error("{count} faces found; the photo must show exactly one person")]
    SeveralFaces {
        /// Number of comparable faces.
        count: usize,
    },
    /// The detector is not confident enough.
    #[error("face detection too uncertain (score {score:.2})")]
    LowConfidence {
        /// Detector score.
        score: f32,
    },
    /// The face is too small (too far from the camera / low resolution).
    #[error("face too small ({size_px:.0} px, need {min_px:.0} px): come closer")]
    TooSmall {
        /// Face box side.
        size_px: f32,
        /// Required side.
        min_px: f32,
    },
    /// Head turned or tilted too much.
    #[error(
        "head turned or tilted (roll {roll_deg:.0}°, yaw {yaw:.2}, pitch {pitch:.2}): look at the camera"
    )]
    Pose {
        /// Roll in degrees.
        roll_deg: f32,
        /// Yaw proxy.
        yaw: f32,
        /// Pitch proxy.
        pitch: f32,
    },
    /// The image is blurred.
    #[error("image blurred (sharpness {sharpness:.1}, need {min:.1}): hold still")]
    Blurry {
        /// Variance of the Laplacian.
        sharpness: f32,
        /// Required.
        min: f32,
    },
    /// Too dark.
    #[error("face too dark (brightness {brightness:.0})")]
    TooDark {
        /// Mean brightness 0..255.
        brightness: f32,
    },
    /// Too bright.
    #[error("face overexposed (brightness {brightness:.0})")]
    TooBright {
        /// Mean brightness 0..255.
        brightness: f32,
    },
}

impl Rejection {
    /// Stable key for the translated message shown to the delegate or operator.
    pub fn message_key(&self) -> &'static str {
        match self {
            Rejection::NoFace => "face.quality.no_face",
            Rejection::SeveralFaces { .. } => "face.quality.several_faces",
            Rejection::LowConfidence { .. } => "face.quality.low_confidence",
            Rejection::TooSmall { .. } => "face.quality.too_small",
            Rejection::Pose { .. } => "face.quality.pose",
            Rejection::Blurry { .. } => "face.quality.blurry",
            Rejection::TooDark { .. } => "face.quality.too_dark",
            Rejection::TooBright { .. } => "face.quality.too_bright",
        }
    }
}

/// Measurements behind the verdict (for logs and calibration).
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct QualityMetrics {
    /// Detector score.
    pub score: f32,
    /// Face side in pixels (min of box width and height).
    pub size_px: f32,
    /// Roll in degrees.
    pub roll_deg: f32,
    /// Yaw proxy (nose offset in eye distances, in the aligned chip).
    pub yaw: f32,
    /// Pitch proxy (nose offset in eye–mouth distances, in the aligned chip).
    pub pitch: f32,
    /// Variance of the Laplacian on the grey chip.
    pub sharpness: f32,
    /// Mean brightness of the chip centre.
    pub brightness: f32,
}

/// Index of the face to use: the largest, weighted towards the image centre.
pub fn choose_face(faces: &[FaceBox], width: u32, height: u32) -> Option<usize> {
    let (cx, cy) = (width as f32 / 2.0, height as f32 / 2.0);
    let diag = ((width as f32).powi(2) + (height as f32).powi(2))
        .sqrt()
        .max(1.0);
    faces
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let c = f.center();
            let off = ((c.x - cx).powi(2) + (c.y - cy).powi(2)).sqrt() / (diag / 2.0);
            (i, f.area() * (1.0 - 0.5 * off.min(1.0)))
        })
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(i, _)| i)
}

/// Measure the chosen face; `to_chip` maps image to chip coordinates, `template` is the chip's template.
pub fn measure(
    face: &FaceBox,
    chip: &RgbImage,
    to_chip: &Similarity,
    template: &Landmarks,
) -> QualityMetrics {
    let lm: Vec<_> = face.landmarks.iter().map(|p| to_chip.apply(*p)).collect();
    let eye_d = (template[1].x - template[0].x).max(1.0);
    let eye_y = (template[0].y + template[1].y) / 2.0;
    let mouth_y = (template[3].y + template[4].y) / 2.0;
    let yaw = (lm[2].x - template[2].x) / eye_d;
    let pitch = (lm[2].y - template[2].y) / (mouth_y - eye_y).max(1.0);
    let (sharpness, brightness) = sharpness_and_brightness(chip);
    QualityMetrics {
        score: face.score,
        size_px: face.width().min(face.height()),
        roll_deg: to_chip.rotation_deg().abs() as f32,
        yaw,
        pitch,
        sharpness,
        brightness,
    }
}

/// Variance of the 4-neighbour Laplacian and mean grey level over the central half of the chip.
pub fn sharpness_and_brightness(chip: &RgbImage) -> (f32, f32) {
    let (w, h) = chip.dimensions();
    let grey: Vec<f32> = chip
        .pixels()
        .map(|p| 0.299 * f32::from(p.0[0]) + 0.587 * f32::from(p.0[1]) + 0.114 * f32::from(p.0[2]))
        .collect();
    let (x0, x1, y0, y1) = (w / 4, w - w / 4, h / 4, h - h / 4);
    let at = |x: u32, y: u32| grey[(y * w + x) as usize];
    let (mut n, mut sum, mut sum2, mut bright) = (0f64, 0f64, 0f64, 0f64);
    for y in y0.max(1)..y1.min(h - 1) {
        for x in x0.max(1)..x1.min(w - 1) {
            let l = f64::from(
                at(x - 1, y) + at(x + 1, y) + at(x, y - 1) + at(x, y + 1) - 4.0 * at(x, y),
            );
            sum += l;
            sum2 += l * l;
            bright += f64::from(at(x, y));
            n += 1.0;
        }
    }
    if n == 0.0 {
        return (0.0, 0.0);
    }
    let mean = sum / n;
    (((sum2 / n) - mean * mean) as f32, (bright / n) as f32)
}

/// Apply the gates in order of what the person can fix first.
pub fn verdict(m: &QualityMetrics, q: &QualityConfig) -> Result<(), Rejection> {
    if m.score < q.min_score {
        return Err(Rejection::LowConfidence { score: m.score });
    }
    if m.size_px < q.min_face_px {
        return Err(Rejection::TooSmall {
            size_px: m.size_px,
            min_px: q.min_face_px,
        });
    }
    if m.roll_deg > q.max_roll_deg || m.yaw.abs() > q.max_yaw || m.pitch.abs() > q.max_pitch {
        return Err(Rejection::Pose {
            roll_deg: m.roll_deg,
            yaw: m.yaw,
            pitch: m.pitch,
        });
    }
    if m.brightness < q.min_brightness {
        return Err(Rejection::TooDark {
            brightness: m.brightness,
        });
    }
    if m.brightness > q.max_brightness {
        return Err(Rejection::TooBright {
            brightness: m.brightness,
        });
    }
    if m.sharpness < q.min_sharpness {
        return Err(Rejection::Blurry {
            sharpness: m.sharpness,
            min: q.min_sharpness,
        });
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::align::Point;

    fn fb(x1: f32, y1: f32, s: f32) -> FaceBox {
        FaceBox {
            x1,
            y1,
            x2: x1 + s,
            y2: y1 + s,
            score: 0.9,
            landmarks: [Point::default(); 5],
        }
    }

    #[test]
    fn chooses_largest_then_central() {
        let faces = vec![
            fb(0.0, 0.0, 50.0),
            fb(300.0, 200.0, 120.0),
            fb(600.0, 0.0, 125.0),
        ];
        // the 125 px face is in the corner, the 120 px one central: central wins
        assert_eq!(choose_face(&faces, 800, 600), Some(1));
        assert_eq!(choose_face(&[], 800, 600), None);
    }

    #[test]
    fn blur_measure_separates_sharp_and_flat() {
        let mut sharp = RgbImage::new(100, 100);
        for (x, y, p) in sharp.enumerate_pixels_mut() {
            let v = if (x / 2 + y / 2) % 2 == 0 { 200 } else { 50 };
            *p = image::Rgb([v, v, v]);
        }
        let flat = RgbImage::from_pixel(100, 100, image::Rgb([128, 128, 128]));
        let (s1, b1) = sharpness_and_brightness(&sharp);
        let (s2, b2) = sharpness_and_brightness(&flat);
        assert!(s1 > 1000.0 && s2 < 1e-3, "{s1} {s2}");
        assert!((b2 - 128.0).abs() < 1.0 && b1 > 100.0);
        let q = QualityConfig::default();
        let m = QualityMetrics {
            score: 0.9,
            size_px: 100.0,
            sharpness: s2,
            brightness: b2,
            ..Default::default()
        };
        assert!(matches!(verdict(&m, &q), Err(Rejection::Blurry { .. })));
        let m = QualityMetrics { sharpness: s1, ..m };
        assert_eq!(verdict(&m, &q), Ok(()));
        let m2 = QualityMetrics { yaw: 0.6, ..m };
        assert_eq!(
            verdict(&m2, &q).map_err(|r| r.message_key()),
            Err("face.quality.pose")
        );
        let m3 = QualityMetrics { size_px: 10.0, ..m };
        assert!(matches!(verdict(&m3, &q), Err(Rejection::TooSmall { .. })));
    }
}

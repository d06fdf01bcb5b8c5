//! Per-frame PAD features, computed on the face worker from the decoded frame (so the server's
//! per-kiosk session never needs the pixels): small grey thumbnails of the face region and of
//! the whole scene, and the robust difference statistic used to decide whether two frames
//! differ at all.
//!
//! Thumbnails are area averages (each thumbnail pixel is the mean of a cell of the frame), so
//! JPEG re-encoding noise, which is high-frequency and zero-mean, averages out, while any real
//! movement of the face or the scene moves edges across cells and shows.

use image::RgbImage;
use serde::{Deserialize, Serialize};

use crate::detect::FaceBox;

/// Side of the square face thumbnail.
pub const FACE_THUMB: u32 = 32;
/// Width and height of the scene thumbnail.
pub const SCENE_THUMB: (u32, u32) = (40, 30);
/// The face thumbnail covers the detector box enlarged by this factor.
const FACE_ENLARGE: f32 = 1.2;

/// A small grey image.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Thumb {
    /// Width.
    pub w: u32,
    /// Height.
    pub h: u32,
    /// Grey values, row-major, `w × h`.
    pub px: Vec<u8>,
}

/// What the PAD session needs from one frame besides the detector's landmarks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PadFeatures {
    /// The chosen face's region (box enlarged 1.2×, square), `FACE_THUMB`².
    pub face: Thumb,
    /// The whole frame, `SCENE_THUMB`.
    pub scene: Thumb,
    /// Live probability of the passive model on the face crop (if one is configured).
    pub passive: Option<f32>,
}

/// Grey thumbnail of the rectangle `(x0, y0)..(x1, y1)` of `img` (outside is black).
pub fn thumb(img: &RgbImage, rect: (f32, f32, f32, f32), w: u32, h: u32) -> Thumb {
    let (iw, ih) = img.dimensions();
    let (x0, y0, x1, y1) = rect;
    let raw = img.as_raw();
    let mut px = Vec::with_capacity((w * h) as usize);
    let cw = ((x1 - x0) / w as f32).max(1e-3);
    let ch = ((y1 - y0) / h as f32).max(1e-3);
    // sample at most 4×4 points a cell: enough to average noise, bounded cost for big frames
    let step_x = (cw / 4.0).max(1.0);
    let step_y = (ch / 4.0).max(1.0);
    for ty in 0..h {
        for tx in 0..w {
            let (cx0, cy0) = (x0 + tx as f32 * cw, y0 + ty as f32 * ch);
            let (mut sum, mut n) = (0u32, 0u32);
            let mut y = cy0;
            while y < cy0 + ch {
                let mut x = cx0;
                while x < cx0 + cw {
                    n += 1;
                    let (xi, yi) = (x as i64, y as i64);
                    if xi >= 0 && yi >= 0 && (xi as u32) < iw && (yi as u32) < ih {
                        let i = ((yi as usize) * iw as usize + xi as usize) * 3;
                        sum += (77 * u32::from(raw[i])
                            + 150 * u32::from(raw[i + 1])
                            + 29 * u32::from(raw[i + 2]))
                            >> 8;
                    }
                    x += step_x;
                }
                y += step_y;
            }
            px.push(sum.checked_div(n).unwrap_or(0) as u8);
        }
    }
    Thumb { w, h, px }
}

/// Thumbnails of the face (box enlarged, made square) and of the whole frame.
pub fn extract(img: &RgbImage, face: &FaceBox, passive: Option<f32>) -> PadFeatures {
    let c = face.center();
    let half = face.width().max(face.height()) * FACE_ENLARGE / 2.0;
    let (w, h) = img.dimensions();
    PadFeatures {
        face: thumb(
            img,
            (c.x - half, c.y - half, c.x + half, c.y + half),
            FACE_THUMB,
            FACE_THUMB,
        ),
        scene: thumb(
            img,
            (0.0, 0.0, w as f32, h as f32),
            SCENE_THUMB.0,
            SCENE_THUMB.1,
        ),
        passive,
    }
}

/// Robust difference of two thumbnails, in grey levels: the mean absolute deviation of the
/// per-pixel difference from its median. A global brightness change (auto-exposure) moves the
/// median and is ignored; re-encoding noise averages out in the thumbnails; movement shows.
/// `None` when the sizes differ.
pub fn change(a: &Thumb, b: &Thumb) -> Option<f32> {
    if a.w != b.w || a.h != b.h || a.px.len() != b.px.len() || a.px.is_empty() {
        return None;
    }
    let mut d: Vec<i16> =
        a.px.iter()
            .zip(&b.px)
            .map(|(&x, &y)| i16::from(x) - i16::from(y))
            .collect();
    let mid = d.len() / 2;
    let med = *d.select_nth_unstable(mid).1;
    let sum: u32 = d.iter().map(|&v| u32::from((v - med).unsigned_abs())).sum();
    Some(sum as f32 / d.len() as f32)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn scene(shift: u32, gain: i32) -> RgbImage {
        RgbImage::from_fn(320, 240, |x, y| {
            let v = ((((x + shift) / 12) + (y / 12)) % 2 * 120 + 60) as i32 + gain;
            let v = v.clamp(0, 255) as u8;
            image::Rgb([v, v, v])
        })
    }

    #[test]
    fn identical_and_brightness_shift_do_not_count_movement_does() {
        let r = (0.0, 0.0, 320.0, 240.0);
        let a = thumb(&scene(0, 0), r, 40, 30);
        assert_eq!(change(&a, &a), Some(0.0));
        let brighter = thumb(&scene(0, 15), r, 40, 30);
        assert!(change(&a, &brighter).unwrap() < 0.5);
        let moved = thumb(&scene(4, 0), r, 40, 30);
        assert!(
            change(&a, &moved).unwrap() > 5.0,
            "{:?}",
            change(&a, &moved)
        );
        assert_eq!(change(&a, &thumb(&scene(0, 0), r, 20, 30)), None);
    }
}

//! Geometry: points, the 5-point similarity transform (Umeyama least squares, closed form in
//! 2-D), the alignment templates of the embedders and a bilinear warp to an aligned chip.

use image::RgbImage;
use serde::{Deserialize, Serialize};

/// A point in image pixel coordinates.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct Point {
    /// Horizontal, to the right.
    pub x: f32,
    /// Vertical, downwards.
    pub y: f32,
}

impl Point {
    /// New point.
    pub const fn new(x: f32, y: f32) -> Self {
        Point { x, y }
    }
    /// Euclidean distance.
    pub fn dist(self, o: Point) -> f32 {
        ((self.x - o.x).powi(2) + (self.y - o.y).powi(2)).sqrt()
    }
}

/// Five landmarks in the order image-left eye, image-right eye, nose tip, image-left mouth
/// corner, image-right mouth corner.
pub type Landmarks = [Point; 5];

/// dlib chip template (150×150, padding 0.25).
pub const DLIB_TEMPLATE: Landmarks = [
    Point::new(47.55, 46.60),
    Point::new(100.48, 46.60),
    Point::new(74.01, 76.56),
    Point::new(50.41, 103.02),
    Point::new(97.61, 103.02),
];
/// Chip side of the dlib template.
pub const DLIB_SIZE: u32 = 150;

/// ArcFace template (112×112) used by MobileFaceNet.
pub const ARCFACE_TEMPLATE: Landmarks = [
    Point::new(38.2946, 51.6963),
    Point::new(73.5318, 51.5014),
    Point::new(56.0252, 71.7366),
    Point::new(41.5493, 92.3655),
    Point::new(70.7299, 92.2041),
];
/// Chip side of the ArcFace template.
pub const ARCFACE_SIZE: u32 = 112;

/// A similarity transform `p' = [a -b; b a] p + t` (rotation, uniform scale, translation).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Similarity {
    /// scale·cos θ
    pub a: f64,
    /// scale·sin θ
    pub b: f64,
    /// Translation x.
    pub tx: f64,
    /// Translation y.
    pub ty: f64,
}

impl Similarity {
    /// Least-squares similarity mapping `src` onto `dst` (Umeyama 1991, no reflection).
    /// Returns `None` when the source points are degenerate (all equal).
    pub fn estimate(src: &[Point], dst: &[Point]) -> Option<Similarity> {
        let n = src.len().min(dst.len());
        if n < 2 {
            return None;
        }
        let nf = n as f64;
        let (mut sx, mut sy, mut dx, mut dy) = (0.0, 0.0, 0.0, 0.0);
        for i in 0..n {
            sx += f64::from(src[i].x);
            sy += f64::from(src[i].y);
            dx += f64::from(dst[i].x);
            dy += f64::from(dst[i].y);
        }
        let (sx, sy, dx, dy) = (sx / nf, sy / nf, dx / nf, dy / nf);
        // In complex numbers: d = c·s + t with c = a + ib; c = Σ d̃·conj(s̃) / Σ |s̃|².
        let (mut num_re, mut num_im, mut den) = (0.0, 0.0, 0.0);
        for i in 0..n {
            let (px, py) = (f64::from(src[i].x) - sx, f64::from(src[i].y) - sy);
            let (qx, qy) = (f64::from(dst[i].x) - dx, f64::from(dst[i].y) - dy);
            num_re += qx * px + qy * py;
            num_im += qy * px - qx * py;
            den += px * px + py * py;
        }
        if den < 1e-12 {
            return None;
        }
        let a = num_re / den;
        let b = num_im / den;
        Some(Similarity {
            a,
            b,
            tx: dx - (a * sx - b * sy),
            ty: dy - (b * sx + a * sy),
        })
    }

    /// Apply to a point.
    pub fn apply(&self, p: Point) -> Point {
        let (x, y) = (f64::from(p.x), f64::from(p.y));
        Point::new(
            (self.a * x - self.b * y + self.tx) as f32,
            (self.b * x + self.a * y + self.ty) as f32,
        )
    }

    /// Inverse transform (`None` if the scale is zero).
    pub fn inverse(&self) -> Option<Similarity> {
        let d = self.a * self.a + self.b * self.b;
        if d < 1e-18 {
            return None;
        }
        let (ia, ib) = (self.a / d, -self.b / d);
        Some(Similarity {
            a: ia,
            b: ib,
            tx: -(ia * self.tx - ib * self.ty),
            ty: -(ib * self.tx + ia * self.ty),
        })
    }

    /// Uniform scale factor.
    pub fn scale(&self) -> f64 {
        (self.a * self.a + self.b * self.b).sqrt()
    }

    /// Rotation in degrees.
    pub fn rotation_deg(&self) -> f64 {
        self.b.atan2(self.a).to_degrees()
    }
}

/// Warp `img` into a `size`×`size` chip so that `landmarks` land on `template`
/// (bilinear sampling; outside the image is black). Returns the chip and the transform
/// from image to chip coordinates.
pub fn align_face(
    img: &RgbImage,
    landmarks: &Landmarks,
    template: &Landmarks,
    size: u32,
) -> Option<(RgbImage, Similarity)> {
    let t = Similarity::estimate(landmarks, template)?;
    let inv = t.inverse()?;
    Some((warp(img, &inv, size), t))
}

/// Sample `img` at `inv(p)` for each chip pixel `p`.
pub fn warp(img: &RgbImage, inv: &Similarity, size: u32) -> RgbImage {
    let (w, h) = img.dimensions();
    let (wi, hi) = (w as i64, h as i64);
    let raw = img.as_raw();
    let mut out = RgbImage::new(size, size);
    let buf: &mut [u8] = &mut out;
    for v in 0..size {
        for u in 0..size {
            let (uf, vf) = (f64::from(u), f64::from(v));
            let x = inv.a * uf - inv.b * vf + inv.tx;
            let y = inv.b * uf + inv.a * vf + inv.ty;
            let x0 = x.floor();
            let y0 = y.floor();
            let fx = x - x0;
            let fy = y - y0;
            let (x0, y0) = (x0 as i64, y0 as i64);
            let mut acc = [0.0f64; 3];
            for (dy, wy) in [(0i64, 1.0 - fy), (1, fy)] {
                for (dx, wx) in [(0i64, 1.0 - fx), (1, fx)] {
                    let (sx, sy) = (x0 + dx, y0 + dy);
                    if sx < 0 || sy < 0 || sx >= wi || sy >= hi {
                        continue;
                    }
                    let wgt = wx * wy;
                    let idx = ((sy * wi + sx) * 3) as usize;
                    for c in 0..3 {
                        acc[c] += wgt * f64::from(raw[idx + c]);
                    }
                }
            }
            let o = ((v * size + u) * 3) as usize;
            for c in 0..3 {
                buf[o + c] = acc[c].round().clamp(0.0, 255.0) as u8;
            }
        }
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn close(a: Point, b: Point, tol: f32) -> bool {
        a.dist(b) < tol
    }

    #[test]
    fn identity_when_points_equal() {
        let t = Similarity::estimate(&DLIB_TEMPLATE, &DLIB_TEMPLATE).unwrap();
        assert!(
            (t.a - 1.0).abs() < 1e-9 && t.b.abs() < 1e-9 && t.tx.abs() < 1e-6 && t.ty.abs() < 1e-6
        );
    }

    #[test]
    fn recovers_known_similarity() {
        let truth = Similarity {
            a: 0.5 * 30f64.to_radians().cos(),
            b: 0.5 * 30f64.to_radians().sin(),
            tx: 12.0,
            ty: -7.0,
        };
        let src: Vec<Point> = [
            (100.0, 120.0),
            (160.0, 118.0),
            (131.0, 160.0),
            (108.0, 200.0),
            (152.0, 199.0),
        ]
        .iter()
        .map(|&(x, y)| Point::new(x, y))
        .collect();
        let dst: Vec<Point> = src.iter().map(|&p| truth.apply(p)).collect();
        let t = Similarity::estimate(&src, &dst).unwrap();
        assert!((t.scale() - 0.5).abs() < 1e-6, "scale {}", t.scale());
        assert!(
            (t.rotation_deg() - 30.0).abs() < 1e-4,
            "rot {}",
            t.rotation_deg()
        );
        for (s, d) in src.iter().zip(&dst) {
            assert!(close(t.apply(*s), *d, 1e-3));
        }
        let inv = t.inverse().unwrap();
        for (s, d) in src.iter().zip(&dst) {
            assert!(close(inv.apply(*d), *s, 1e-3));
        }
    }

    #[test]
    fn least_squares_with_noise_is_close() {
        // Template scaled ×2, shifted; one point perturbed: the fit must still be near.
        let mut src: Vec<Point> = DLIB_TEMPLATE
            .iter()
            .map(|p| Point::new(p.x * 2.0 + 40.0, p.y * 2.0 + 10.0))
            .collect();
        src[2].x += 3.0;
        let t = Similarity::estimate(&src, &DLIB_TEMPLATE).unwrap();
        assert!((t.scale() - 0.5).abs() < 0.01);
        assert!(t.rotation_deg().abs() < 1.0);
        // residual of the unperturbed eyes below a pixel
        assert!(close(t.apply(src[0]), DLIB_TEMPLATE[0], 1.0));
    }

    #[test]
    fn degenerate_points_rejected() {
        let p = [Point::new(5.0, 5.0); 5];
        assert!(Similarity::estimate(&p, &DLIB_TEMPLATE).is_none());
    }

    #[test]
    fn warp_moves_marked_pixel_to_template_position() {
        // A white dot at the detected left eye must end up at the template's left eye.
        let mut img = RgbImage::new(400, 300);
        let lm: Landmarks = [
            Point::new(150.0, 100.0),
            Point::new(250.0, 110.0),
            Point::new(200.0, 160.0),
            Point::new(160.0, 210.0),
            Point::new(240.0, 215.0),
        ];
        for dy in -1..=1 {
            for dx in -1..=1 {
                img.put_pixel(
                    (150 + dx) as u32,
                    (100 + dy) as u32,
                    image::Rgb([255, 255, 255]),
                );
            }
        }
        let (chip, t) = align_face(&img, &lm, &DLIB_TEMPLATE, DLIB_SIZE).unwrap();
        let p = t.apply(lm[0]);
        assert!(close(p, DLIB_TEMPLATE[0], 4.0), "eye maps to {p:?}");
        let (x, y) = (p.x.round() as u32, p.y.round() as u32);
        assert!(
            chip.get_pixel(x, y).0[0] > 100,
            "dot not found at eye position in chip"
        );
        // and far from it, the chip is black
        assert_eq!(chip.get_pixel(140, 140).0[0], 0);
    }
}

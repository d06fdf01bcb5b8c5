//! Landmark geometry for presentation-attack detection: the plane-plus-parallax test and a
//! yaw estimate from the five detector points.
//!
//! Eyes and mouth corners lie close to one plane on a real face; the nose tip stands out of it
//! by about half an eye distance. Between two frames, the four "planar" points of a flat
//! picture (a print, a phone screen) are related exactly by a homography, whatever the picture
//! does (translation, rotation, scale, tilt), and the nose follows the same homography. On a
//! real head that turns or nods, the nose leaves the homography's prediction: that residual,
//! in eye distances, is the *parallax*.

use serde::{Deserialize, Serialize};

use crate::align::{Landmarks, Point, Similarity};

/// A plane-to-plane projective transform (row-major 3×3, `h[8] = 1`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Homography(pub [f64; 9]);

impl Homography {
    /// The homography mapping four source points exactly onto four destination points
    /// (direct linear transform on normalised coordinates). `None` if three points are
    /// collinear or the system is otherwise singular.
    pub fn from_4(src: &[Point; 4], dst: &[Point; 4]) -> Option<Homography> {
        let (ns, ts) = normaliser(src)?;
        let (nd, td) = normaliser(dst)?;
        let mut a = [[0f64; 9]; 8];
        for i in 0..4 {
            let (x, y) = apply_norm((ns, ts), src[i]);
            let (u, v) = apply_norm((nd, td), dst[i]);
            a[2 * i] = [x, y, 1.0, 0.0, 0.0, 0.0, -u * x, -u * y, u];
            a[2 * i + 1] = [0.0, 0.0, 0.0, x, y, 1.0, -v * x, -v * y, v];
        }
        let h = solve8(a)?;
        let hn = [h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7], 1.0];
        // denormalise: H = Td^-1 · Hn · Ts
        let ts_m = [ns, 0.0, -ns * ts.0, 0.0, ns, -ns * ts.1, 0.0, 0.0, 1.0];
        let td_inv = [1.0 / nd, 0.0, td.0, 0.0, 1.0 / nd, td.1, 0.0, 0.0, 1.0];
        let m = mul3(&td_inv, &mul3(&hn, &ts_m));
        if m[8].abs() < 1e-12 || m.iter().any(|v| !v.is_finite()) {
            return None;
        }
        let mut out = [0f64; 9];
        for (o, v) in out.iter_mut().zip(m) {
            *o = v / m[8];
        }
        Some(Homography(out))
    }

    /// Apply to a point (`None` at the line at infinity).
    pub fn apply(&self, p: Point) -> Option<Point> {
        let h = &self.0;
        let (x, y) = (f64::from(p.x), f64::from(p.y));
        let w = h[6] * x + h[7] * y + h[8];
        if w.abs() < 1e-9 {
            return None;
        }
        Some(Point::new(
            ((h[0] * x + h[1] * y + h[2]) / w) as f32,
            ((h[3] * x + h[4] * y + h[5]) / w) as f32,
        ))
    }
}

fn normaliser(p: &[Point; 4]) -> Option<(f64, (f64, f64))> {
    let cx = p.iter().map(|q| f64::from(q.x)).sum::<f64>() / 4.0;
    let cy = p.iter().map(|q| f64::from(q.y)).sum::<f64>() / 4.0;
    let d = p
        .iter()
        .map(|q| ((f64::from(q.x) - cx).powi(2) + (f64::from(q.y) - cy).powi(2)).sqrt())
        .sum::<f64>()
        / 4.0;
    if d < 1e-9 {
        return None;
    }
    Some((std::f64::consts::SQRT_2 / d, (cx, cy)))
}

fn apply_norm(t: (f64, (f64, f64)), p: Point) -> (f64, f64) {
    let (s, (cx, cy)) = t;
    ((f64::from(p.x) - cx) * s, (f64::from(p.y) - cy) * s)
}

fn mul3(a: &[f64; 9], b: &[f64; 9]) -> [f64; 9] {
    let mut m = [0f64; 9];
    for r in 0..3 {
        for c in 0..3 {
            m[r * 3 + c] = (0..3).map(|k| a[r * 3 + k] * b[k * 3 + c]).sum();
        }
    }
    m
}

/// Gaussian elimination with partial pivoting on an 8×8 system given as `[A | b]` rows.
fn solve8(mut a: [[f64; 9]; 8]) -> Option<[f64; 8]> {
    for col in 0..8 {
        let piv = (col..8).max_by(|&i, &j| a[i][col].abs().total_cmp(&a[j][col].abs()))?;
        if a[piv][col].abs() < 1e-10 {
            return None;
        }
        a.swap(col, piv);
        let pivot_row = a[col];
        for (r, row) in a.iter_mut().enumerate() {
            if r != col {
                let f = row[col] / pivot_row[col];
                if f != 0.0 {
                    for (x, p) in row.iter_mut().zip(pivot_row.iter()).skip(col) {
                        *x -= f * p;
                    }
                }
            }
        }
    }
    let mut x = [0f64; 8];
    for (i, xi) in x.iter_mut().enumerate() {
        *xi = a[i][8] / a[i][i];
    }
    Some(x)
}

/// Eye distance (image-left eye to image-right eye), in pixels.
pub fn eye_distance(l: &Landmarks) -> f32 {
    l[0].dist(l[1])
}

/// The four near-planar points: eyes and mouth corners.
fn planar(l: &Landmarks) -> [Point; 4] {
    [l[0], l[1], l[3], l[4]]
}

/// Parallax of `to` relative to `from`: how far (in eye distances of `to`) the nose lies from
/// where the homography of the eyes and mouth corners puts it, measured along the eye line
/// (the direction a turning head moves the nose; detector noise has no preferred direction,
/// so half of it is discarded). Near 0 for a flat picture in any motion; grows when a real
/// head turns. `None` when the geometry is degenerate.
pub fn parallax(from: &Landmarks, to: &Landmarks) -> Option<f32> {
    parallax_signed(from, to).map(f32::abs)
}

/// [`parallax`] with its sign: positive when the nose left the face plane towards the
/// image-right eye (the way [`yaw`] grows).
pub fn parallax_signed(from: &Landmarks, to: &Landmarks) -> Option<f32> {
    let h = Homography::from_4(&planar(from), &planar(to))?;
    let predicted = h.apply(from[2])?;
    let iod = eye_distance(to);
    if iod < 1.0 {
        return None;
    }
    let (ex, ey) = ((to[1].x - to[0].x) / iod, (to[1].y - to[0].y) / iod);
    let (rx, ry) = (to[2].x - predicted.x, to[2].y - predicted.y);
    Some((rx * ex + ry * ey) / iod)
}

/// Yaw estimate: the nose's offset from the eye midpoint along the eye line, in eye
/// distances, after removing the in-plane rotation. 0 for a frontal face; positive when the
/// nose is towards the image's right (in an unmirrored camera frame: the person has turned
/// to *their* left). A flat picture moved or tilted keeps its value.
pub fn yaw(l: &Landmarks) -> f32 {
    let (le, re) = (l[0], l[1]);
    let (dx, dy) = (re.x - le.x, re.y - le.y);
    let iod = (dx * dx + dy * dy).sqrt();
    if iod < 1e-3 {
        return 0.0;
    }
    let mid = Point::new((le.x + re.x) / 2.0, (le.y + re.y) / 2.0);
    // also use the mouth midpoint: the nose sits on the eye-mouth midline of a frontal face
    let mm = Point::new((l[3].x + l[4].x) / 2.0, (l[3].y + l[4].y) / 2.0);
    let axis = Point::new((mid.x + mm.x) / 2.0, (mid.y + mm.y) / 2.0);
    ((l[2].x - axis.x) * dx + (l[2].y - axis.y) * dy) / (iod * iod)
}

/// How far a face moved in the image between two frames, summarised for the planar test.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct Motion {
    /// Translation of the landmarks' centroid, in eye distances.
    pub shift: f32,
    /// In-plane rotation, degrees (absolute).
    pub rotation_deg: f32,
    /// Relative change of size (|ln scale|).
    pub scale: f32,
    /// Out-of-plane part: largest distance (eye distances) between the homography's and the
    /// best similarity's prediction of the four planar points (a picture tilted towards the camera).
    pub tilt: f32,
}

impl Motion {
    /// One number: the largest of the components, each scaled so that 1.0 is "clearly moved"
    /// for the given thresholds.
    pub fn magnitude(&self, shift: f32, rotation_deg: f32, scale: f32) -> f32 {
        (self.shift / shift)
            .max(self.rotation_deg / rotation_deg)
            .max(self.scale / scale)
    }
}

/// Motion of the face from `from` to `to`.
pub fn motion(from: &Landmarks, to: &Landmarks) -> Option<Motion> {
    let s = Similarity::estimate(from, to)?;
    let iod = eye_distance(from).max(1.0);
    let c = |l: &Landmarks| {
        Point::new(
            l.iter().map(|p| p.x).sum::<f32>() / 5.0,
            l.iter().map(|p| p.y).sum::<f32>() / 5.0,
        )
    };
    let shift = c(from).dist(c(to)) / iod;
    let tilt = Homography::from_4(&planar(from), &planar(to))
        .map(|h| {
            planar(from)
                .iter()
                .filter_map(|&p| Some(h.apply(p)?.dist(s.apply(p))))
                .fold(0f32, f32::max)
                / eye_distance(to).max(1.0)
        })
        .unwrap_or(0.0);
    Some(Motion {
        shift,
        rotation_deg: s.rotation_deg().abs() as f32,
        scale: s.scale().ln().abs() as f32,
        tilt,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    /// A frontal face: eyes and mouth at depth 0, nose tip 0.55 eye distances in front.
    fn head(yaw_deg: f64, pitch_deg: f64, tx: f64, ty: f64, scale: f64) -> Landmarks {
        let pts3 = [
            (-0.5, -0.45, 0.0),
            (0.5, -0.45, 0.0),
            (0.0, 0.1, -0.55),
            (-0.42, 0.55, -0.05),
            (0.42, 0.55, -0.05),
        ];
        let (cy, sy) = (yaw_deg.to_radians().cos(), yaw_deg.to_radians().sin());
        let (cp, sp) = (pitch_deg.to_radians().cos(), pitch_deg.to_radians().sin());
        let f = 8.0; // camera distance in eye distances (perspective)
        pts3.map(|(x, y, z)| {
            // yaw about the vertical axis, then pitch about the horizontal one
            let (x1, z1) = (cy * x + sy * z, -sy * x + cy * z);
            let (y2, z2) = (cp * y - sp * z1, sp * y + cp * z1);
            let w = f / (f + z2);
            Point::new(
                (200.0 + tx + 60.0 * scale * x1 * w) as f32,
                (200.0 + ty + 60.0 * scale * y2 * w) as f32,
            )
        })
    }

    /// The same landmarks printed on a flat card, then the card moved with a homography.
    fn card(l: &Landmarks, h: &Homography) -> Landmarks {
        l.map(|p| h.apply(p).unwrap())
    }

    #[test]
    fn homography_exact_on_four_points() {
        let src = [
            Point::new(10.0, 10.0),
            Point::new(90.0, 12.0),
            Point::new(15.0, 80.0),
            Point::new(85.0, 95.0),
        ];
        let dst = [
            Point::new(30.0, 20.0),
            Point::new(120.0, 25.0),
            Point::new(28.0, 110.0),
            Point::new(130.0, 120.0),
        ];
        let h = Homography::from_4(&src, &dst).unwrap();
        for (s, d) in src.iter().zip(&dst) {
            assert!(h.apply(*s).unwrap().dist(*d) < 1e-3);
        }
        let collinear = [
            Point::new(0.0, 0.0),
            Point::new(1.0, 1.0),
            Point::new(2.0, 2.0),
            Point::new(3.0, 3.0),
        ];
        assert!(Homography::from_4(&collinear, &dst).is_none());
    }

    #[test]
    fn flat_picture_has_no_parallax_in_any_motion() {
        let face = head(0.0, 0.0, 0.0, 0.0, 1.0);
        // translation + rotation + scale + perspective tilt of the card
        let h = Homography([0.95, -0.12, 30.0, 0.1, 1.02, -12.0, 0.0004, -0.0002, 1.0]);
        let moved = card(&face, &h);
        assert!(parallax(&face, &moved).unwrap() < 1e-3);
        let m = motion(&face, &moved).unwrap();
        assert!(m.shift > 0.1 && m.tilt > 0.0);
        // and the yaw estimate of a tilted card barely moves
        assert!(
            (yaw(&face) - yaw(&moved)).abs() < 0.03,
            "{} {}",
            yaw(&face),
            yaw(&moved)
        );
    }

    #[test]
    fn turning_head_shows_parallax_and_yaw() {
        let a = head(0.0, 0.0, 0.0, 0.0, 1.0);
        let b = head(12.0, 0.0, 5.0, 0.0, 1.0);
        let p = parallax(&a, &b).unwrap();
        assert!(p > 0.08, "parallax {p}");
        assert!(
            (yaw(&b) - yaw(&a)).abs() > 0.08,
            "yaw {} -> {}",
            yaw(&a),
            yaw(&b)
        );
        // pure translation and scale of a real head: no parallax (nothing 3-D happened)
        let c = head(0.0, 0.0, 20.0, 8.0, 1.1);
        assert!(parallax(&a, &c).unwrap() < 0.01);
    }
}

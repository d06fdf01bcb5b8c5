//! Synthetic kiosk frames for the PAD benchmark: a genuine person (a labelled photo whose
//! head is moved by a depth-dome warp, the background static, fresh camera noise each frame)
//! and attacks (the same photo as a still, or as a print or a screen held in front of a
//! synthetic room and moved by a homography). Deterministic: all randomness comes from `Rng`.

use congress_face::align::Point;
use congress_face::pad::geometry::Homography;
use image::{Rgb, RgbImage};

/// Frame size sent by the simulated kiosk.
pub const W: u32 = 480;
/// Frame height.
pub const H: u32 = 360;

/// xorshift64* with a crude normal.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    /// Uniform in [0, 1).
    pub fn uniform(&mut self) -> f32 {
        (self.next() >> 40) as f32 / (1u64 << 24) as f32
    }
    /// Uniform in [a, b).
    pub fn range(&mut self, a: f32, b: f32) -> f32 {
        a + (b - a) * self.uniform()
    }
    /// Approximately standard normal (sum of four uniforms).
    pub fn normal(&mut self) -> f32 {
        (self.uniform() + self.uniform() + self.uniform() + self.uniform() - 2.0) * 1.732
    }
}

/// A photo cropped to the kiosk's 4:3 view around its face, at `W`×`H`, with the face's
/// geometry in frame coordinates.
pub struct Portrait {
    pub img: RgbImage,
    /// Face centre.
    pub center: Point,
    /// Eye distance in pixels.
    pub iod: f32,
    /// Nose tip.
    pub nose: Point,
}

/// Crop `photo` so the face (box `b`, landmarks `lm`) is about a third of the frame's width.
pub fn portrait(photo: &RgbImage, b: (f32, f32, f32, f32), lm: &[Point; 5]) -> Portrait {
    let (x1, y1, x2, y2) = b;
    let side = (x2 - x1).max(y2 - y1);
    let cw = side * 3.0;
    let ch = cw * H as f32 / W as f32;
    let (cx, cy) = ((x1 + x2) / 2.0, (y1 + y2) / 2.0 + 0.1 * side);
    let (ox, oy) = (cx - cw / 2.0, cy - ch / 2.0);
    let s = cw / W as f32;
    let img = RgbImage::from_fn(W, H, |u, v| {
        sample(
            photo,
            ox + (u as f32 + 0.5) * s - 0.5,
            oy + (v as f32 + 0.5) * s - 0.5,
        )
        .unwrap_or(Rgb([90, 90, 95]))
    });
    let map = |p: Point| Point::new((p.x - ox) / s, (p.y - oy) / s);
    Portrait {
        img,
        center: map(Point::new((x1 + x2) / 2.0, (y1 + y2) / 2.0)),
        iod: lm[0].dist(lm[1]) / s,
        nose: map(lm[2]),
    }
}

/// Bilinear sample; `None` outside the image.
pub fn sample(img: &RgbImage, x: f32, y: f32) -> Option<Rgb<u8>> {
    let (w, h) = img.dimensions();
    if x < 0.0 || y < 0.0 || x > (w - 1) as f32 || y > (h - 1) as f32 {
        return None;
    }
    let (x0, y0) = (x.floor() as u32, y.floor() as u32);
    let (x1, y1) = ((x0 + 1).min(w - 1), (y0 + 1).min(h - 1));
    let (fx, fy) = (x - x0 as f32, y - y0 as f32);
    let p = |x, y| img.get_pixel(x, y).0;
    let (a, b, c, d) = (p(x0, y0), p(x1, y0), p(x0, y1), p(x1, y1));
    let mut o = [0u8; 3];
    for i in 0..3 {
        let v = f32::from(a[i]) * (1.0 - fx) * (1.0 - fy)
            + f32::from(b[i]) * fx * (1.0 - fy)
            + f32::from(c[i]) * (1.0 - fx) * fy
            + f32::from(d[i]) * fx * fy;
        o[i] = v.round().clamp(0.0, 255.0) as u8;
    }
    Some(Rgb(o))
}

/// A genuine frame: the head turned by `yaw_deg` (positive = nose towards the image's right)
/// and shifted by `(dx, dy)`, the background static. The head is a depth dome (an ellipsoid
/// over the face plus a nose bump); each pixel moves sideways by its depth × sin(yaw). This
/// imitates the parallax of a turning head; it is not a 3-D rendering.
pub fn genuine(p: &Portrait, yaw_deg: f32, dx: f32, dy: f32) -> RgbImage {
    let s = yaw_deg.to_radians().sin();
    let (rx, ry) = (1.3 * p.iod, 1.8 * p.iod); // head half-width and half-height
    let depth = |x: f32, y: f32| -> (f32, f32) {
        let u = (x - p.center.x) / rx;
        let v = (y - p.center.y) / ry;
        let r2 = u * u + v * v;
        // mask: 1 on the head, fading to 0 a little outside (the neck/hair move along)
        let mask = ((1.35 - r2.sqrt()) / 0.35).clamp(0.0, 1.0);
        let dome = (1.0 - r2).max(0.0).sqrt() * 0.9 * p.iod;
        let nd = ((x - p.nose.x).powi(2) + (y - p.nose.y).powi(2)) / (0.28 * p.iod).powi(2);
        let nose = 0.45 * p.iod * (-nd).exp();
        (mask, dome + nose)
    };
    RgbImage::from_fn(W, H, |x, y| {
        let (xf, yf) = (x as f32, y as f32);
        // backward map: approximate the displacement at the output position
        let (m, z) = depth(xf - dx, yf - dy);
        let sx = xf - m * (dx + s * z);
        let sy = yf - m * dy;
        sample(&p.img, sx, sy).unwrap_or(Rgb([0, 0, 0]))
    })
}

/// How an attack's medium looks.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Medium {
    /// Paper: lower contrast, warm white, paper grain, white border.
    Print,
    /// Phone/tablet: black bezel, moiré, blue tint, glare, slight blur.
    Screen,
}

/// The portrait rendered as a print or a screen (with its border/bezel), once per attack.
pub fn medium(p: &Portrait, m: Medium, rng: &mut Rng) -> RgbImage {
    let border = 24;
    let (w, h) = (W + 2 * border, H + 2 * border);
    let glare = (
        rng.range(0.2, 0.8) * W as f32,
        rng.range(0.1, 0.5) * H as f32,
    );
    let phase = rng.range(0.0, std::f32::consts::TAU);
    let grain: Vec<f32> = (0..(w * h)).map(|_| rng.normal()).collect();
    RgbImage::from_fn(w, h, |x, y| {
        let inside = x >= border && y >= border && x < w - border && y < h - border;
        if !inside {
            return match m {
                Medium::Print => Rgb([238, 234, 222]),
                Medium::Screen => Rgb([12, 12, 14]),
            };
        }
        let (u, v) = (x - border, y - border);
        let src = match m {
            // a slight blur for the screen (pixel grid, focus)
            Medium::Screen => blur3(&p.img, u, v),
            Medium::Print => p.img.get_pixel(u, v).0.map(f32::from),
        };
        let g = grain[(y * w + x) as usize];
        let out = match m {
            Medium::Print => {
                let paper = [240.0, 232.0, 214.0];
                let mut o = [0f32; 3];
                for i in 0..3 {
                    o[i] = 0.72 * src[i] + 0.28 * paper[i] * 0.8 + 5.0 * g;
                }
                o
            }
            Medium::Screen => {
                let moire = 9.0 * ((u as f32 * 0.9 + v as f32 * 0.23 + phase).sin());
                let d2 = (u as f32 - glare.0).powi(2) + (v as f32 - glare.1).powi(2);
                let gl = 70.0 * (-d2 / (2.0 * (0.18 * W as f32).powi(2))).exp();
                let tint = [-6.0, 2.0, 16.0];
                let mut o = [0f32; 3];
                for i in 0..3 {
                    o[i] = 0.88 * src[i] + tint[i] + moire + gl + 2.0 * g;
                }
                o
            }
        };
        Rgb(out.map(|c| c.round().clamp(0.0, 255.0) as u8))
    })
}

fn blur3(img: &RgbImage, x: u32, y: u32) -> [f32; 3] {
    let (w, h) = img.dimensions();
    let mut acc = [0f32; 3];
    let mut n = 0.0;
    for yy in y.saturating_sub(1)..=(y + 1).min(h - 1) {
        for xx in x.saturating_sub(1)..=(x + 1).min(w - 1) {
            let p = img.get_pixel(xx, yy).0;
            for i in 0..3 {
                acc[i] += f32::from(p[i]);
            }
            n += 1.0;
        }
    }
    acc.map(|a| a / n)
}

/// A synthetic room behind a held-up attack (static per sequence).
pub fn room(rng: &mut Rng) -> RgbImage {
    let base = [
        rng.range(90.0, 170.0),
        rng.range(90.0, 170.0),
        rng.range(90.0, 170.0),
    ];
    let rects: Vec<(u32, u32, u32, u32, [f32; 3])> = (0..6)
        .map(|_| {
            let x = (rng.uniform() * W as f32) as u32;
            let y = (rng.uniform() * H as f32) as u32;
            let c = [
                rng.range(30.0, 230.0),
                rng.range(30.0, 230.0),
                rng.range(30.0, 230.0),
            ];
            (
                x,
                y,
                x + 40 + (rng.uniform() * 120.0) as u32,
                y + 30 + (rng.uniform() * 90.0) as u32,
                c,
            )
        })
        .collect();
    RgbImage::from_fn(W, H, |x, y| {
        let mut c = base.map(|b| b + 30.0 * (y as f32 / H as f32));
        for &(x0, y0, x1, y1, rc) in &rects {
            if x >= x0 && x < x1 && y >= y0 && y < y1 {
                c = rc;
            }
        }
        Rgb(c.map(|v| v.clamp(0.0, 255.0) as u8))
    })
}

/// The held card's pose: a homography from card pixels to frame pixels.
/// `shift` in pixels, `rot_deg` in-plane, `scale` of the card, `yaw` an out-of-plane turn
/// (perspective, −1..1 ~ ±35°) about the card's vertical axis.
pub fn card_pose(
    card: &RgbImage,
    shift: (f32, f32),
    rot_deg: f32,
    scale: f32,
    yaw: f32,
) -> Homography {
    let (cw, ch) = (card.width() as f32, card.height() as f32);
    // the card fills about 85 % of the frame at scale 1
    let k = 0.85 * (W as f32 / cw).min(H as f32 / ch) * scale;
    let (c, s) = (
        rot_deg.to_radians().cos() * k,
        rot_deg.to_radians().sin() * k,
    );
    let (cx, cy) = (cw / 2.0, ch / 2.0);
    let (fx, fy) = (W as f32 / 2.0 + shift.0, H as f32 / 2.0 + shift.1);
    // out-of-plane: x squeezed by cos, perspective term along x
    let sq = (yaw * 0.6).cos();
    let persp = yaw * 0.0009 / k.max(1e-3);
    let h = [
        f64::from(c * sq),
        f64::from(-s),
        0.0,
        f64::from(s * sq),
        f64::from(c),
        0.0,
        f64::from(persp),
        0.0,
        1.0,
    ];
    // translate the card centre to the origin first, then to the frame position
    let t = [
        1.0,
        0.0,
        -f64::from(cx),
        0.0,
        1.0,
        -f64::from(cy),
        0.0,
        0.0,
        1.0,
    ];
    let m = mul(&h, &t);
    let back = [
        1.0,
        0.0,
        f64::from(fx),
        0.0,
        1.0,
        f64::from(fy),
        0.0,
        0.0,
        1.0,
    ];
    Homography(normalise(mul(&back, &m)))
}

fn mul(a: &[f64; 9], b: &[f64; 9]) -> [f64; 9] {
    let mut m = [0f64; 9];
    for r in 0..3 {
        for c in 0..3 {
            m[r * 3 + c] = (0..3).map(|k| a[r * 3 + k] * b[k * 3 + c]).sum();
        }
    }
    m
}

fn normalise(m: [f64; 9]) -> [f64; 9] {
    m.map(|v| v / m[8])
}

fn invert(m: &[f64; 9]) -> Option<[f64; 9]> {
    let [a, b, c, d, e, f, g, h, i] = *m;
    let det = a * (e * i - f * h) - b * (d * i - f * g) + c * (d * h - e * g);
    if det.abs() < 1e-12 {
        return None;
    }
    Some(normalise([
        (e * i - f * h) / det,
        (c * h - b * i) / det,
        (b * f - c * e) / det,
        (f * g - d * i) / det,
        (a * i - c * g) / det,
        (c * d - a * f) / det,
        (d * h - e * g) / det,
        (b * g - a * h) / det,
        (a * e - b * d) / det,
    ]))
}

/// The card placed in the room by `pose`.
pub fn held(room: &RgbImage, card: &RgbImage, pose: &Homography) -> RgbImage {
    let Some(inv) = invert(&pose.0).map(Homography) else {
        return room.clone();
    };
    RgbImage::from_fn(W, H, |x, y| {
        inv.apply(Point::new(x as f32, y as f32))
            .and_then(|p| sample(card, p.x, p.y))
            .unwrap_or(*room.get_pixel(x, y))
    })
}

/// Camera noise (σ in grey levels) added in place.
pub fn noise(img: &mut RgbImage, sigma: f32, rng: &mut Rng) {
    for p in img.pixels_mut() {
        let n = sigma * rng.normal();
        for c in p.0.iter_mut() {
            *c = (f32::from(*c) + n).round().clamp(0.0, 255.0) as u8;
        }
    }
}

/// JPEG bytes at `quality`.
pub fn jpeg(img: &RgbImage, quality: u8) -> Vec<u8> {
    let mut out = Vec::new();
    let mut enc = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, quality);
    if enc.encode_image(img).is_err() {
        out.clear();
    }
    out
}

//! `face-pad`: presentation-attack detection benchmark (`cargo xtask bench face-pad`).
//!
//! From every labelled photo in `CONGRESS_FACES_DIR` it builds kiosk frame sequences (5 fps):
//! a genuine presentation (the head moved by a synthetic depth warp, with an answer to the
//! challenge if one is asked) and attacks: the photo as a still (identical bytes; re-encoded,
//! with or without noise), as a print and as a screen, each moved in front of the camera and
//! held almost still (answering a challenge by tilting the card). Every frame goes through the
//! real pipeline (`FaceEngine::analyze`) and a `PadSession`. Baseline in the same run: how many
//! attacks the pipeline *without* PAD would have recognised (3 frames matching the person).
//! Ends with one JSON line.

// A benchmark: it measures real time, so it reads the clock.
#![allow(clippy::disallowed_methods)]

mod synth;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Instant;

use congress_face::pad::{FrameStats, geometry};
use congress_face::{FaceConfig, FaceEngine, Gallery, PadSession, PadVerdict, Prompt};
use image::RgbImage;
use synth::{Medium, Portrait, Rng};

const FRAME_MS: u64 = 200;
const MAX_FRAMES: usize = 40;

fn main() {
    if let Err(e) = run() {
        eprintln!("face-pad failed: {e}");
        std::process::exit(1);
    }
}

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
enum Kind {
    Genuine,
    Still,
    StillReencoded,
    PrintMoved,
    ScreenMoved,
    PrintHeld,
    ScreenHeld,
}

impl Kind {
    const ALL: [Kind; 7] = [
        Kind::Genuine,
        Kind::Still,
        Kind::StillReencoded,
        Kind::PrintMoved,
        Kind::ScreenMoved,
        Kind::PrintHeld,
        Kind::ScreenHeld,
    ];
    fn name(self) -> &'static str {
        match self {
            Kind::Genuine => "genuine",
            Kind::Still => "still",
            Kind::StillReencoded => "still_reencoded",
            Kind::PrintMoved => "print_moved",
            Kind::ScreenMoved => "screen_moved",
            Kind::PrintHeld => "print_held",
            Kind::ScreenHeld => "screen_held",
        }
    }
}

/// One sequence's frame source: given the frame index and the prompt on screen (if any, with
/// the frame index at which it appeared), the JPEG to send.
struct Scene<'a> {
    kind: Kind,
    portrait: &'a Portrait,
    room: RgbImage,
    card: Option<RgbImage>,
    still: Vec<u8>,
    rng: Rng,
    yaw_amp: f32,
    sway: f32,
    phase: f32,
    noisy_still: bool,
}

impl Scene<'_> {
    fn frame(&mut self, i: usize, prompt: Option<(Prompt, usize)>) -> Vec<u8> {
        let t = i as f32 * FRAME_MS as f32 / 1000.0;
        // the answer to a prompt: person's left = the image's right in an unmirrored frame
        let answer = prompt.map(|(p, at)| {
            let dir = if p == Prompt::TurnLeft { 1.0 } else { -1.0 };
            let since = (i as f32 - at as f32) * FRAME_MS as f32 / 1000.0 - 0.6; // reaction
            dir * (since / 0.6).clamp(0.0, 1.0)
        });
        match self.kind {
            Kind::Genuine => {
                let w = 2.0 * std::f32::consts::PI * t / 1.6 + self.phase;
                let yaw = self.yaw_amp * w.sin() + 20.0 * answer.unwrap_or(0.0);
                let (dx, dy) = (
                    self.sway * (0.7 * w).sin(),
                    0.5 * self.sway * (0.9 * w).cos(),
                );
                let mut img = synth::genuine(self.portrait, yaw, dx, dy);
                synth::noise(&mut img, 2.0, &mut self.rng);
                synth::jpeg(&img, 85)
            }
            Kind::Still => self.still.clone(),
            Kind::StillReencoded => {
                let Ok(img) = image::load_from_memory(&self.still) else {
                    return self.still.clone();
                };
                let mut img = img.to_rgb8();
                if self.noisy_still {
                    synth::noise(&mut img, 1.5, &mut self.rng);
                }
                synth::jpeg(&img, 70 + (self.rng.next() % 26) as u8)
            }
            Kind::PrintMoved | Kind::ScreenMoved | Kind::PrintHeld | Kind::ScreenHeld => {
                let Some(card) = self.card.as_ref() else {
                    return self.still.clone();
                };
                let moved = matches!(self.kind, Kind::PrintMoved | Kind::ScreenMoved);
                let w = 2.0 * std::f32::consts::PI * t / 2.0 + self.phase;
                let (shift, rot, scale, mut yaw) = if moved {
                    (
                        (40.0 * w.sin(), 18.0 * (0.8 * w).cos()),
                        6.0 * (1.3 * w).sin(),
                        1.0 + 0.1 * (0.7 * w).sin(),
                        0.35 * (0.9 * w).sin(),
                    )
                } else {
                    let tremor = (self.rng.normal() * 1.2, self.rng.normal() * 1.2);
                    (tremor, 0.3 * self.rng.normal(), 1.0, 0.0)
                };
                // the attacker answers a prompt by turning the card that way
                let a = answer.unwrap_or(0.0);
                yaw += 0.7 * a;
                let shift = (shift.0 + 25.0 * a, shift.1);
                let pose = synth::card_pose(card, shift, rot, scale, yaw);
                let mut img = synth::held(&self.room, card, &pose);
                synth::noise(&mut img, 2.0, &mut self.rng);
                synth::jpeg(&img, 85)
            }
        }
    }
}

#[derive(Default)]
struct Tally {
    sequences: usize,
    live: usize,
    spoof: usize,
    undecided: usize,
    challenged: usize,
    recognised_without_pad: usize,
    reasons: BTreeMap<String, usize>,
    decision_ms: Vec<u64>,
    stats: Vec<FrameStats>,
    passive: Vec<f32>,
}

struct Outcome {
    verdict: PadVerdict,
    at_frame: usize,
    challenged: bool,
    recognised_frames: usize,
}

fn run_sequence(
    engine: &mut FaceEngine,
    scene: &mut Scene,
    gallery: &Gallery,
    identity: &str,
    seed: u64,
    tally: &mut Tally,
    cost: &mut Cost,
) -> Outcome {
    let mut pad = PadSession::new(engine.config().pad.clone(), seed);
    let mut prompt: Option<(Prompt, usize)> = None;
    let mut recognised = 0;
    let mut last = PadVerdict::Collecting { frames: 0 };
    let debug = std::env::var_os("FACE_PAD_DEBUG").is_some();
    let mut base = None;
    for i in 0..MAX_FRAMES {
        let bytes = scene.frame(i, prompt);
        let Ok(a) = engine.analyze(&bytes) else {
            continue;
        };
        if let Some(e) = &a.embedding
            && gallery.find(e).delegate() == Some(identity)
        {
            recognised += 1;
        }
        let t0 = Instant::now();
        let v = pad.observe_analysis(i as u64 * FRAME_MS, &a);
        cost.observe_ms.push(t0.elapsed().as_secs_f32() * 1000.0);
        cost.features_ms.push(a.timings.pad_ms);
        if let Some(p) = a.pad.as_ref().and_then(|p| p.passive) {
            tally.passive.push(p);
        }
        cost.detect_embed_ms
            .push(a.timings.detect_ms + a.timings.align_ms + a.timings.embed_ms);
        if let Some(s) = pad.last_stats()
            && !matches!(last, PadVerdict::Live { .. } | PadVerdict::Spoof { .. })
        {
            tally.stats.push(s);
        }
        if debug && scene.kind == Kind::Genuine {
            let f = a.chosen.map(|c| a.faces[c].landmarks);
            if let (Some(l), Some(b)) = (f, base.or(f)) {
                let m = geometry::motion(&b, &l).unwrap_or_default();
                println!(
                    "    {i:2} {v:?} yaw {:.3} par {:.3} roll {:.1} scale {:.3} prompt {:?}",
                    geometry::yaw(&l) - geometry::yaw(&b),
                    geometry::parallax_signed(&b, &l).unwrap_or(0.0),
                    m.rotation_deg,
                    m.scale,
                    prompt
                );
                if prompt.is_none() {
                    base = Some(l);
                }
            }
        }
        last = v;
        match v {
            PadVerdict::Challenge { prompt: p, .. } => {
                if prompt.is_none() {
                    prompt = Some((p, i));
                }
            }
            PadVerdict::Live { .. } | PadVerdict::Spoof { .. } => {
                return Outcome {
                    verdict: v,
                    at_frame: i,
                    challenged: prompt.is_some(),
                    recognised_frames: recognised,
                };
            }
            PadVerdict::Collecting { .. } => {}
        }
    }
    Outcome {
        verdict: last,
        at_frame: MAX_FRAMES,
        challenged: prompt.is_some(),
        recognised_frames: recognised,
    }
}

#[derive(Default)]
struct Cost {
    features_ms: Vec<f32>,
    observe_ms: Vec<f32>,
    detect_embed_ms: Vec<f32>,
}

/// Probability that a genuine frame scores higher (more live) than an attack frame.
fn auc(genuine: &[f32], attack: &[f32]) -> f64 {
    if genuine.is_empty() || attack.is_empty() {
        return f64::NAN;
    }
    let mut wins = 0f64;
    for g in genuine {
        for a in attack {
            wins += if g > a {
                1.0
            } else if g == a {
                0.5
            } else {
                0.0
            };
        }
    }
    wins / (genuine.len() as f64 * attack.len() as f64)
}

fn pct(v: &mut [f32], p: f32) -> f32 {
    if v.is_empty() {
        return f32::NAN;
    }
    v.sort_by(f32::total_cmp);
    v[((v.len() - 1) as f32 * p).round() as usize]
}

fn photos(dir: &std::path::Path) -> Vec<(String, PathBuf)> {
    let mut out = Vec::new();
    for set in ["deepface", "fr"] {
        let Ok(rd) = std::fs::read_dir(dir.join(set)) else {
            continue;
        };
        let mut ids: Vec<PathBuf> = rd.filter_map(|e| e.ok().map(|e| e.path())).collect();
        ids.sort();
        for id in ids.into_iter().filter(|p| p.is_dir()) {
            let name = id
                .file_name()
                .map(|n| n.to_string_lossy().to_string())
                .unwrap_or_default();
            let Ok(rd) = std::fs::read_dir(&id) else {
                continue;
            };
            let mut files: Vec<PathBuf> = rd.filter_map(|e| e.ok().map(|e| e.path())).collect();
            files.sort();
            for f in files {
                let ext = f.extension().map(|x| x.to_string_lossy().to_lowercase());
                if matches!(ext.as_deref(), Some("jpg" | "jpeg" | "png")) {
                    out.push((format!("{set}/{name}"), f));
                }
            }
        }
    }
    out
}

fn run() -> Result<(), String> {
    let Ok(faces) = congress_face::paths::faces_dir() else {
        println!("face photos not found (set CONGRESS_FACES_DIR); nothing measured");
        println!("{{\"skipped\":true}}");
        return Ok(());
    };
    let limit: usize = std::env::var("FACE_PAD_PHOTOS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(usize::MAX);
    let mut config = FaceConfig {
        models_dir: congress_face::paths::models_dir(),
        ..FaceConfig::default()
    };
    // the passive model, when converted, is scored on every frame but never decides here:
    // its separation is reported (AUC) next to the other layers' figures
    if config.models_dir.join("pad_liveness.onnx").exists() {
        config.pad.passive = congress_face::PassiveKind::HumanLiveness;
        config.pad.passive_min_live = 0.0;
    }
    let passive_on = config.pad.passive != congress_face::PassiveKind::None;
    let mut engine = FaceEngine::load(&config).map_err(|e| e.to_string())?;
    let started = Instant::now();
    // gallery for the no-PAD baseline: every photo of every identity
    let list = photos(&faces);
    let mut gallery = engine.new_gallery();
    let mut portraits: Vec<(String, Portrait)> = Vec::new();
    for (id, path) in list.iter().take(limit) {
        let Ok(bytes) = std::fs::read(path) else {
            continue;
        };
        let Ok(img) = engine.decode(&bytes) else {
            continue;
        };
        let Ok(a) = engine.analyze_image(&img, true) else {
            continue;
        };
        let Some(f) = a.chosen.map(|i| a.faces[i].clone()) else {
            continue;
        };
        if let Some(e) = a.embedding {
            gallery.add(id.clone(), e).map_err(|e| e.to_string())?;
        }
        portraits.push((
            id.clone(),
            synth::portrait(&img, (f.x1, f.y1, f.x2, f.y2), &f.landmarks),
        ));
    }
    let mut tallies: BTreeMap<Kind, Tally> = BTreeMap::new();
    let mut cost = Cost::default();
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    for (n, (id, p)) in portraits.iter().enumerate() {
        for kind in Kind::ALL {
            let mut srng = Rng(rng.next() | 1);
            let card = match kind {
                Kind::PrintMoved | Kind::PrintHeld => {
                    Some(synth::medium(p, Medium::Print, &mut srng))
                }
                Kind::ScreenMoved | Kind::ScreenHeld => {
                    Some(synth::medium(p, Medium::Screen, &mut srng))
                }
                _ => None,
            };
            let mut scene = Scene {
                kind,
                portrait: p,
                room: synth::room(&mut srng),
                card,
                still: synth::jpeg(&p.img, 85),
                yaw_amp: srng.range(0.0, 9.0),
                sway: srng.range(1.0, 8.0),
                phase: srng.range(0.0, std::f32::consts::TAU),
                noisy_still: n % 2 == 1,
                rng: Rng(srng.next() | 1),
            };
            let tally = tallies.entry(kind).or_default();
            let o = run_sequence(
                &mut engine,
                &mut scene,
                &gallery,
                id,
                rng.next(),
                tally,
                &mut cost,
            );
            tally.sequences += 1;
            tally.challenged += usize::from(o.challenged);
            tally.recognised_without_pad += usize::from(o.recognised_frames >= 3);
            match o.verdict {
                PadVerdict::Live { evidence } => {
                    if kind != Kind::Genuine {
                        println!("  {} accepted ({id}): {evidence:?}", kind.name());
                    }
                    tally.live += 1;
                    tally.decision_ms.push(o.at_frame as u64 * FRAME_MS);
                }
                PadVerdict::Spoof { reason } => {
                    if kind == Kind::Genuine {
                        println!("  genuine refused: {} ({id}): {reason}", p.iod);
                    }
                    tally.spoof += 1;
                    *tally
                        .reasons
                        .entry(reason.message_key().to_string())
                        .or_default() += 1;
                }
                _ => tally.undecided += 1,
            }
        }
    }
    let mut json: Vec<(String, String)> = Vec::new();
    let (mut att_total, mut att_live, mut att_base) = (0usize, 0usize, 0usize);
    for (kind, t) in &mut tallies {
        let k = kind.name();
        let rate = |x: usize| x as f64 / t.sequences.max(1) as f64;
        let mut fc: Vec<f32> = t.stats.iter().map(|s| s.face_change).collect();
        let mut sc: Vec<f32> = t.stats.iter().map(|s| s.scene_change).collect();
        let mut ls: Vec<f32> = t.stats.iter().map(|s| s.landmark_shift).collect();
        let mut px: Vec<f32> = t.stats.iter().map(|s| s.parallax).collect();
        let mut mo: Vec<f32> = t.stats.iter().map(|s| s.motion).collect();
        println!(
            "{k}: {} sequences, live {}, spoof {}, undecided {}, challenged {}, recognised without PAD {}; reasons {:?}",
            t.sequences,
            t.live,
            t.spoof,
            t.undecided,
            t.challenged,
            t.recognised_without_pad,
            t.reasons
        );
        println!(
            "  per-frame p10/p50/p90: face_change {:.2}/{:.2}/{:.2} scene_change {:.2}/{:.2}/{:.2} landmark_shift {:.3}/{:.3}/{:.3} parallax {:.3}/{:.3}/{:.3} motion {:.2}/{:.2}/{:.2}",
            pct(&mut fc, 0.1),
            pct(&mut fc, 0.5),
            pct(&mut fc, 0.9),
            pct(&mut sc, 0.1),
            pct(&mut sc, 0.5),
            pct(&mut sc, 0.9),
            pct(&mut ls, 0.1),
            pct(&mut ls, 0.5),
            pct(&mut ls, 0.9),
            pct(&mut px, 0.1),
            pct(&mut px, 0.5),
            pct(&mut px, 0.9),
            pct(&mut mo, 0.1),
            pct(&mut mo, 0.5),
            pct(&mut mo, 0.9),
        );
        if *kind == Kind::Genuine {
            let mut d: Vec<f32> = t.decision_ms.iter().map(|&v| v as f32 / 1000.0).collect();
            json.push(("genuine_sequences".into(), t.sequences.to_string()));
            json.push((
                "genuine_reject_rate".into(),
                format!("{:.4}", rate(t.spoof)),
            ));
            json.push((
                "genuine_undecided_rate".into(),
                format!("{:.4}", rate(t.undecided)),
            ));
            json.push((
                "genuine_challenged_rate".into(),
                format!("{:.4}", rate(t.challenged)),
            ));
            json.push((
                "genuine_live_after_p50_s".into(),
                format!("{:.2}", pct(&mut d, 0.5)),
            ));
            json.push((
                "genuine_live_after_p90_s".into(),
                format!("{:.2}", pct(&mut d, 0.9)),
            ));
        } else {
            att_total += t.sequences;
            att_live += t.live;
            att_base += t.recognised_without_pad;
            json.push((format!("{k}_sequences"), t.sequences.to_string()));
            json.push((
                format!("{k}_attack_accept_rate"),
                format!("{:.4}", rate(t.live)),
            ));
            json.push((
                format!("{k}_attack_accept_rate_no_pad"),
                format!("{:.4}", rate(t.recognised_without_pad)),
            ));
        }
    }
    if passive_on {
        let genuine = tallies
            .get(&Kind::Genuine)
            .map(|t| t.passive.clone())
            .unwrap_or_default();
        for (kind, t) in &tallies {
            if *kind == Kind::Genuine || t.passive.is_empty() {
                continue;
            }
            let a = auc(&genuine, &t.passive);
            // the threshold that refuses 3 % of genuine frames, and the attack frames it lets by
            let mut g = genuine.clone();
            let thr = pct(&mut g, 0.03);
            let pass =
                t.passive.iter().filter(|&&p| p >= thr).count() as f64 / t.passive.len() as f64;
            println!(
                "passive liveness model vs {}: AUC {a:.3}; at the threshold refusing 3 % of genuine frames ({thr:.3}) {:.1} % of attack frames pass",
                kind.name(),
                100.0 * pass
            );
            json.push((
                format!("passive_pass_rate_at_3pct_frr_{}", kind.name()),
                format!("{pass:.4}"),
            ));
            json.push((format!("passive_auc_vs_{}", kind.name()), format!("{a:.4}")));
        }
    }
    let r = |a: usize| a as f64 / att_total.max(1) as f64;
    json.push(("attack_accept_rate".into(), format!("{:.4}", r(att_live))));
    json.push((
        "attack_accept_rate_no_pad".into(),
        format!("{:.4}", r(att_base)),
    ));
    let mut per_frame: Vec<f32> = cost
        .features_ms
        .iter()
        .zip(&cost.observe_ms)
        .map(|(a, b)| a + b)
        .collect();
    let pad_ms = pct(&mut per_frame, 0.5);
    let de = pct(&mut cost.detect_embed_ms, 0.5);
    json.push(("frames".into(), per_frame.len().to_string()));
    json.push(("pad_ms_per_frame".into(), format!("{pad_ms:.3}")));
    json.push((
        "pad_ms_per_frame_p99".into(),
        format!("{:.3}", pct(&mut per_frame, 0.99)),
    ));
    json.push(("detect_embed_ms_per_frame".into(), format!("{de:.2}")));
    json.push((
        "pad_ratio_vs_detect_embed".into(),
        format!("{:.4}", pad_ms / de.max(1e-3)),
    ));
    json.push((
        "elapsed_s".into(),
        format!("{:.1}", started.elapsed().as_secs_f64()),
    ));
    let body: Vec<String> = json.iter().map(|(k, v)| format!("\"{k}\":{v}")).collect();
    println!("{{{}}}", body.join(","));
    Ok(())
}

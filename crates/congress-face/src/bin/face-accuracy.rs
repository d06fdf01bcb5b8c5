//! Accuracy benchmark on the labelled photos (`CONGRESS_FACES_DIR`, default `../shared/faces`):
//! verification ROC over all pairs, accuracy at the operating threshold, and a 1:N test with
//! impostors (a third of the identities left out of the gallery, in three folds). Runs for
//! dlib ResNet and, if `mobilefacenet.onnx` exists, MobileFaceNet. Ends with one JSON line.

// A benchmark: it measures real time, so it reads the clock.
#![allow(clippy::disallowed_methods)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use congress_face::{EmbedderKind, Embedding, FaceConfig, FaceEngine, Gallery, MatchOutcome};

fn main() {
    if let Err(e) = run() {
        eprintln!("face-accuracy failed: {e}");
        std::process::exit(1);
    }
}

struct Photo {
    identity: String,
    path: PathBuf,
}

fn photos(faces: &Path) -> Result<Vec<Photo>, String> {
    let mut out = Vec::new();
    for set in ["deepface", "fr"] {
        let dir = faces.join(set);
        let Ok(rd) = std::fs::read_dir(&dir) else {
            continue;
        };
        let mut ids: Vec<PathBuf> = rd
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.is_dir())
            .collect();
        ids.sort();
        for id in ids {
            let name = format!(
                "{set}/{}",
                id.file_name()
                    .map(|n| n.to_string_lossy().to_string())
                    .unwrap_or_default()
            );
            let mut files: Vec<PathBuf> = std::fs::read_dir(&id)
                .map_err(|e| e.to_string())?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| {
                    p.extension().is_some_and(|x| {
                        matches!(
                            x.to_string_lossy().to_lowercase().as_str(),
                            "jpg" | "jpeg" | "png"
                        )
                    })
                })
                .collect();
            files.sort();
            for f in files {
                out.push(Photo {
                    identity: name.clone(),
                    path: f,
                });
            }
        }
    }
    if out.is_empty() {
        return Err(format!("no labelled photos under {}", faces.display()));
    }
    Ok(out)
}

struct Result1 {
    json: Vec<(String, String)>,
}

fn evaluate(
    kind: EmbedderKind,
    prefix: &str,
    base: &FaceConfig,
    photos: &[Photo],
) -> Result<Result1, String> {
    let cfg = FaceConfig {
        embedder: kind,
        ..base.clone()
    };
    let mut engine = FaceEngine::load(&cfg).map_err(|e| e.to_string())?;
    let metric = engine.metric();
    let mut embs: Vec<(String, Embedding)> = Vec::new();
    let mut metrics: Vec<congress_face::QualityMetrics> = Vec::new();
    let (mut dark_rej, mut blur_rej, mut degraded) = (0usize, 0usize, 0usize);
    let (mut no_face, mut rejected, mut unreadable) = (0usize, 0usize, 0usize);
    let mut reasons: BTreeMap<&'static str, usize> = BTreeMap::new();
    for p in photos {
        let bytes = std::fs::read(&p.path).map_err(|e| format!("{}: {e}", p.path.display()))?;
        let a = match engine.analyze_opts(&bytes, true) {
            Ok(a) => a,
            Err(e) => {
                println!("  skipped {}: {e}", p.path.display());
                unreadable += 1;
                continue;
            }
        };
        if let Some(m) = a.metrics {
            metrics.push(m);
        }
        if let Ok(img) = engine.decode(&bytes) {
            // the same photo made dark (×0.25) and blurred (¼ size and back): the gates must fire
            let dark = image::RgbImage::from_fn(img.width(), img.height(), |x, y| {
                image::Rgb(img.get_pixel(x, y).0.map(|c| c / 4))
            });
            let (w, h) = img.dimensions();
            let small = image::imageops::resize(
                &img,
                (w / 8).max(8),
                (h / 8).max(8),
                image::imageops::FilterType::Triangle,
            );
            let blurred =
                image::imageops::resize(&small, w, h, image::imageops::FilterType::Triangle);
            if let (Ok(d), Ok(b)) = (
                engine.analyze_image(&dark, false),
                engine.analyze_image(&blurred, false),
            ) {
                degraded += 1;
                dark_rej += usize::from(d.quality.is_err());
                blur_rej += usize::from(b.quality.is_err());
            }
        }
        if let Err(r) = &a.quality {
            *reasons.entry(r.message_key()).or_default() += 1;
            if a.embedding.is_none() {
                no_face += 1;
                continue;
            }
            rejected += 1;
        }
        if let Some(e) = a.embedding {
            embs.push((p.identity.clone(), e));
        }
    }
    println!(
        "== {prefix}: {} photos, {unreadable} unreadable, {} embedded, {} without face, {} below quality gates (embedded anyway) {:?}",
        photos.len(),
        embs.len(),
        no_face,
        rejected,
        reasons
    );

    let q = |f: fn(&congress_face::QualityMetrics) -> f32| {
        let mut v: Vec<f32> = metrics.iter().map(f).collect();
        v.sort_by(f32::total_cmp);
        let at = |p: f32| {
            v.get(((v.len().max(1) - 1) as f32 * p).round() as usize)
                .copied()
                .unwrap_or(f32::NAN)
        };
        format!(
            "min {:.2} p5 {:.2} p50 {:.2} p95 {:.2} max {:.2}",
            at(0.0),
            at(0.05),
            at(0.5),
            at(0.95),
            at(1.0)
        )
    };
    println!(
        "{prefix} quality of the labelled photos: size_px {}",
        q(|m| m.size_px)
    );
    println!(
        "  |yaw| {}; |pitch| {}; roll {}",
        q(|m| m.yaw.abs()),
        q(|m| m.pitch.abs()),
        q(|m| m.roll_deg)
    );
    println!(
        "  sharpness {}; brightness {}; score {}",
        q(|m| m.sharpness),
        q(|m| m.brightness),
        q(|m| m.score)
    );
    println!(
        "{prefix}: degraded copies rejected by the gates: dark {dark_rej}/{degraded}, blurred {blur_rej}/{degraded}"
    );
    let degraded_json = vec![
        (
            format!("{prefix}_dark_rejected_rate"),
            format!("{:.4}", dark_rej as f64 / degraded.max(1) as f64),
        ),
        (
            format!("{prefix}_blurred_rejected_rate"),
            format!("{:.4}", blur_rej as f64 / degraded.max(1) as f64),
        ),
    ];

    // verification: all pairs
    let mut genuine = Vec::new();
    let mut impostor = Vec::new();
    for i in 0..embs.len() {
        for j in i + 1..embs.len() {
            let d = embs[i].1.distance(&embs[j].1, metric);
            if embs[i].0 == embs[j].0 {
                genuine.push(d)
            } else {
                impostor.push(d)
            }
        }
    }
    let acc_at = |t: f32| {
        let tp = genuine.iter().filter(|&&d| d <= t).count();
        let tn = impostor.iter().filter(|&&d| d > t).count();
        (tp + tn) as f64 / (genuine.len() + impostor.len()).max(1) as f64
    };
    let rate =
        |v: &[f32], t: f32| v.iter().filter(|&&d| d <= t).count() as f64 / v.len().max(1) as f64;
    println!(
        "{prefix}: {} genuine pairs, {} impostor pairs",
        genuine.len(),
        impostor.len()
    );
    let grid: Vec<f32> = (5..=16).map(|i| i as f32 * 0.05).collect();
    for &t in &grid {
        println!(
            "  threshold {t:.2}: TPR {:.4}  FPR {:.4}  accuracy {:.4}",
            rate(&genuine, t),
            rate(&impostor, t),
            acc_at(t)
        );
    }
    let (mut best_t, mut best_acc) = (0.0f32, 0.0f64);
    for i in 0..=400 {
        let t = i as f32 * 0.0025;
        let a = acc_at(t);
        if a > best_acc {
            best_acc = a;
            best_t = t;
        }
    }
    let min_impostor = impostor.iter().cloned().fold(f32::INFINITY, f32::min);
    let max_genuine = genuine.iter().cloned().fold(0.0f32, f32::max);
    let threshold = cfg.threshold();
    let margin = cfg.margin();
    let accuracy = acc_at(threshold);
    println!(
        "{prefix}: best pair accuracy {best_acc:.4} at {best_t:.3}; closest impostor pair {min_impostor:.3}, farthest genuine pair {max_genuine:.3}"
    );
    println!(
        "{prefix}: operating threshold {threshold:.3} (margin {margin:.3}): pair accuracy {accuracy:.4}, TPR {:.4}, FPR {:.4}",
        rate(&genuine, threshold),
        rate(&impostor, threshold)
    );

    let sweep: Vec<f32> = (-6..=6).map(|i| threshold + i as f32 * 0.01).collect();
    for t in sweep {
        let r = one_to_n(&embs, metric, t, margin)?;
        println!(
            "  1:N sweep threshold {t:.3}: correct {} misses {} false matches {} (of {} genuine + {} impostor probes)",
            r.correct, r.misses, r.false_matches, r.genuine_probes, r.impostor_probes
        );
    }
    // operating point from the data: the largest threshold with no false match (1:N, margin kept)
    let (mut t0, mut misses0) = (f32::NAN, usize::MAX);
    for i in 0..=160 {
        let t = 0.30 + i as f32 * 0.0025;
        let r = one_to_n(&embs, metric, t, margin)?;
        if r.false_matches == 0 {
            t0 = t;
            misses0 = r.misses;
        } else {
            break;
        }
    }
    println!("{prefix}: 0-false-match operating point: threshold {t0:.4}, misses {misses0}");
    let OneToN {
        false_matches,
        misses,
        correct,
        genuine_probes,
        impostor_probes,
        ambiguous,
        impostor_rejected: _,
    } = one_to_n(&embs, metric, threshold, margin)?;
    let rank1 = correct as f64 / genuine_probes.max(1) as f64;
    let p = prefix;
    let mut json = degraded_json;
    json.extend(vec![
        (format!("{p}_photos"), embs.len().to_string()),
        (format!("{p}_accuracy"), format!("{accuracy:.4}")),
        (format!("{p}_threshold"), format!("{threshold:.3}")),
        (format!("{p}_margin"), format!("{margin:.3}")),
        (
            format!("{p}_tpr"),
            format!("{:.4}", rate(&genuine, threshold)),
        ),
        (
            format!("{p}_fpr"),
            format!("{:.4}", rate(&impostor, threshold)),
        ),
        (format!("{p}_best_accuracy"), format!("{best_acc:.4}")),
        (format!("{p}_best_threshold"), format!("{best_t:.3}")),
        (format!("{p}_false_matches"), false_matches.to_string()),
        (format!("{p}_misses"), misses.to_string()),
        (format!("{p}_ambiguous"), ambiguous.to_string()),
        (format!("{p}_genuine_probes"), genuine_probes.to_string()),
        (format!("{p}_impostor_probes"), impostor_probes.to_string()),
        (format!("{p}_rank1_rate"), format!("{rank1:.4}")),
        (format!("{p}_threshold_at_0fm"), format!("{t0:.4}")),
        (format!("{p}_misses_at_0fm"), misses0.to_string()),
        (format!("{p}_no_face"), no_face.to_string()),
        (format!("{p}_quality_rejected"), rejected.to_string()),
    ]);
    Ok(Result1 { json })
}

struct OneToN {
    false_matches: usize,
    misses: usize,
    correct: usize,
    genuine_probes: usize,
    impostor_probes: usize,
    ambiguous: usize,
    impostor_rejected: usize,
}

/// 1:N with impostors, 3 folds: identities with index % 3 == fold are left out of the
/// gallery; every enrolled identity is enrolled with its first photo; all other photos probe.
fn one_to_n(
    embs: &[(String, Embedding)],
    metric: congress_face::Metric,
    threshold: f32,
    margin: f32,
) -> Result<OneToN, String> {
    let mut ids: Vec<&str> = embs.iter().map(|(i, _)| i.as_str()).collect();
    ids.sort();
    ids.dedup();
    let mut r = OneToN {
        false_matches: 0,
        misses: 0,
        correct: 0,
        genuine_probes: 0,
        impostor_probes: 0,
        ambiguous: 0,
        impostor_rejected: 0,
    };
    for fold in 0..3 {
        let mut g = Gallery::new(metric, threshold, margin);
        let mut enrolled_idx = Vec::new();
        for (k, id) in ids.iter().enumerate() {
            if k % 3 == fold {
                continue;
            }
            if let Some(pos) = embs.iter().position(|(i, _)| i == id) {
                g.add(*id, embs[pos].1.clone()).map_err(|e| e.to_string())?;
                enrolled_idx.push(pos);
            }
        }
        for (pos, (id, e)) in embs.iter().enumerate() {
            if enrolled_idx.contains(&pos) {
                continue;
            }
            let is_enrolled = ids
                .iter()
                .position(|x| x == id)
                .is_some_and(|k| k % 3 != fold);
            let outcome = g.find(e);
            if matches!(outcome, MatchOutcome::Ambiguous { .. }) {
                r.ambiguous += 1;
            }
            if is_enrolled {
                r.genuine_probes += 1;
                match outcome.delegate() {
                    Some(d) if d == id => r.correct += 1,
                    Some(_) => r.false_matches += 1,
                    None => r.misses += 1,
                }
            } else {
                r.impostor_probes += 1;
                match outcome.delegate() {
                    Some(_) => r.false_matches += 1,
                    None => r.impostor_rejected += 1,
                }
            }
        }
    }
    Ok(r)
}

fn run() -> Result<(), String> {
    let models = congress_face::paths::models_dir();
    let faces = match congress_face::paths::faces_dir() {
        Ok(dir) => dir,
        Err(dir) => {
            println!(
                "face photos not found at {} (set CONGRESS_FACES_DIR); nothing measured",
                dir.display()
            );
            println!("{{\"skipped\":true}}");
            return Ok(());
        }
    };
    // the baseline is the pipeline as it was (no test-time flip); `dlib_flip` is the default now
    let mut base = FaceConfig {
        models_dir: models.clone(),
        embed_flip: false,
        ..FaceConfig::default()
    };
    // experiment knob: FACE_DETECT_MAX_SIDE overrides the detector's input size
    if let Some(side) = std::env::var("FACE_DETECT_MAX_SIDE")
        .ok()
        .and_then(|v| v.parse().ok())
    {
        base.detect_max_side = side;
    }
    let photos = photos(&faces)?;
    let t0 = std::time::Instant::now();
    let mut json = evaluate(EmbedderKind::DlibResnet, "dlib", &base, &photos)?.json;
    let flip = FaceConfig {
        embed_flip: true,
        ..base.clone()
    };
    json.extend(evaluate(EmbedderKind::DlibResnet, "dlib_flip", &flip, &photos)?.json);
    if models.join("mobilefacenet.onnx").exists() {
        json.extend(evaluate(EmbedderKind::MobileFaceNet, "mfn", &base, &photos)?.json);
    } else {
        println!(
            "mobilefacenet.onnx absent (python3 models/setup.py --with-mobilefacenet): MobileFaceNet skipped"
        );
    }
    let get = |k: &str| {
        json.iter()
            .find(|(n, _)| n == k)
            .and_then(|(_, v)| v.parse::<f64>().ok())
    };
    let mut ratios = Vec::new();
    for other in ["dlib_flip", "mfn"] {
        if let (Some(d), Some(m)) = (
            get("dlib_misses_at_0fm"),
            get(&format!("{other}_misses_at_0fm")),
        ) {
            let r = m / d.max(1.0);
            ratios.push((
                format!("{other}_misses_at_0fm_ratio_vs_dlib"),
                format!("{r:.3}"),
            ));
        }
    }
    json.extend(ratios);
    json.push((
        "elapsed_s".into(),
        format!("{:.1}", t0.elapsed().as_secs_f64()),
    ));
    let body: Vec<String> = json.iter().map(|(k, v)| format!("\"{k}\":{v}")).collect();
    println!("{{{}}}", body.join(","));
    Ok(())
}

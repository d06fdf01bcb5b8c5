//! Speed benchmark: per-frame detect + align + embed + match time (one thread, then all
//! cores), a load run of simulated kiosks through `FaceWorkers` (decision latency, frame
//! latency, queue depth, frames shed), and the same pipeline in Python
//! (`models/bench_python.py` in the models venv) for `speedup_vs_python`.
//! Ends with one JSON line. Env: `CONGRESS_FACES_DIR`, `CONGRESS_MODELS_DIR`,
//! `FACE_SPEED_LOAD_SECS` (default 20), `FACE_SPEED_KIOSKS` (10), `FACE_SPEED_FPS` (5).

// A benchmark: it measures real time, so it reads the clock.
#![allow(clippy::disallowed_methods)]

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use congress_face::{
    Embedding, FaceConfig, FaceEngine, FaceError, FaceWorkers, FrameAgreement, Gallery,
};
use image::{DynamicImage, ImageFormat, RgbImage};

fn env_num(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn pct(v: &mut [f64], p: f64) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(|a, b| a.total_cmp(b));
    let i = ((p / 100.0) * (v.len() - 1) as f64).round() as usize;
    v[i.min(v.len() - 1)]
}

fn main() {
    if let Err(e) = run() {
        eprintln!("face-speed failed: {e}");
        std::process::exit(1);
    }
}

/// A kiosk-like 640×480 frame: the photo scaled to cover and centre-cropped.
fn kiosk_frame(img: &DynamicImage) -> RgbImage {
    let (w, h) = (640u32, 480u32);
    let s = (w as f32 / img.width() as f32).max(h as f32 / img.height() as f32);
    let (nw, nh) = (
        ((img.width() as f32 * s).ceil() as u32).max(w),
        ((img.height() as f32 * s).ceil() as u32).max(h),
    );
    let r = img
        .resize_exact(nw, nh, image::imageops::FilterType::Triangle)
        .to_rgb8();
    image::imageops::crop_imm(&r, (nw - w) / 2, (nh - h) / 2, w, h).to_image()
}

struct Person {
    id: String,
    frames: Vec<Vec<u8>>,
}

fn load_people(faces: &Path) -> Result<(Vec<Person>, Vec<RgbImage>), String> {
    let mut people = Vec::new();
    let mut raw = Vec::new();
    for set in ["fr", "deepface"] {
        let Ok(rd) = std::fs::read_dir(faces.join(set)) else {
            continue;
        };
        let mut ids: Vec<PathBuf> = rd
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.is_dir())
            .collect();
        ids.sort();
        for id in ids {
            let mut files: Vec<PathBuf> = std::fs::read_dir(&id)
                .map_err(|e| e.to_string())?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .collect();
            files.sort();
            let mut frames = Vec::new();
            for f in files {
                let Ok(bytes) = std::fs::read(&f) else {
                    continue;
                };
                let Ok(img) = image::load_from_memory(&bytes) else {
                    continue;
                };
                let fr = kiosk_frame(&img);
                let mut jpeg = std::io::Cursor::new(Vec::new());
                DynamicImage::ImageRgb8(fr.clone())
                    .write_to(&mut jpeg, ImageFormat::Jpeg)
                    .map_err(|e| e.to_string())?;
                frames.push(jpeg.into_inner());
                raw.push(fr);
            }
            if frames.len() >= 2 {
                people.push(Person {
                    id: format!(
                        "{set}/{}",
                        id.file_name()
                            .map(|n| n.to_string_lossy().to_string())
                            .unwrap_or_default()
                    ),
                    frames,
                });
            }
        }
    }
    if people.is_empty() {
        return Err("no usable photos".into());
    }
    Ok((people, raw))
}

/// Deterministic pseudo-random filler delegates so matching searches a realistic gallery.
fn filler(n: usize, dim: usize) -> Vec<Embedding> {
    let mut s: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = || {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        (s >> 11) as f64 / (1u64 << 53) as f64
    };
    (0..n)
        .map(|_| {
            Embedding(
                (0..dim)
                    .map(|_| {
                        // Box-Muller, σ = 0.09 (norm ≈ 1, like real dlib embeddings)
                        let (u1, u2) = (next().max(1e-12), next());
                        ((-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos() * 0.09)
                            as f32
                    })
                    .collect(),
            )
        })
        .collect()
}

fn run() -> Result<(), String> {
    let root = congress_face::paths::workspace_root();
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
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    let mut cfg = FaceConfig {
        models_dir: models.clone(),
        intra_op_threads: 1,
        ..FaceConfig::default()
    };
    // experiment knob: FACE_DETECT_MAX_SIDE overrides the detector's input size
    if let Some(side) = std::env::var("FACE_DETECT_MAX_SIDE")
        .ok()
        .and_then(|v| v.parse().ok())
    {
        cfg.detect_max_side = side;
    }
    let (people, raw_frames) = load_people(&faces)?;
    let all_frames: Vec<&Vec<u8>> = people.iter().flat_map(|p| p.frames.iter()).collect();
    println!(
        "{} people, {} kiosk frames 640x480; detection at max side {}; {} cores",
        people.len(),
        all_frames.len(),
        cfg.detect_max_side,
        cores
    );

    // gallery: first frame of each person + filler up to 2000 delegates
    let mut engine = FaceEngine::load(&cfg).map_err(|e| e.to_string())?;
    let mut gallery = engine.new_gallery();
    let mut enrolled = Vec::new();
    for p in &people {
        if let Ok(a) = engine.analyze_opts(&p.frames[0], true)
            && let Some(e) = a.embedding
        {
            gallery
                .add(p.id.clone(), e.clone())
                .map_err(|e| e.to_string())?;
            enrolled.push(e);
        }
    }
    for (i, e) in filler(2000 - gallery.len(), 128).into_iter().enumerate() {
        enrolled.push(e.clone());
        gallery
            .add(format!("filler-{i}"), e)
            .map_err(|e| e.to_string())?;
    }
    let gallery = Arc::new(gallery);

    // 1. one thread
    let iterations = 120usize;
    let mut lat = Vec::new();
    let (mut det, mut emb, mut dec) = (Vec::new(), Vec::new(), Vec::new());
    for f in all_frames.iter().take(3) {
        let _ = engine.analyze(f);
    }
    for i in 0..iterations {
        let f = all_frames[i % all_frames.len()];
        let t = Instant::now();
        let a = engine.analyze(f).map_err(|e| e.to_string())?;
        if let Some(e) = &a.embedding {
            let _ = gallery.find(e);
        }
        lat.push(t.elapsed().as_secs_f64() * 1000.0);
        det.push(f64::from(a.timings.detect_ms));
        dec.push(f64::from(a.timings.decode_ms));
        if a.embedding.is_some() {
            emb.push(f64::from(a.timings.embed_ms));
        }
    }
    let (p50_1, p99_1) = (pct(&mut lat, 50.0), pct(&mut lat, 99.0));
    let (det50, emb50, dec50) = (
        pct(&mut det, 50.0),
        pct(&mut emb, 50.0),
        pct(&mut dec, 50.0),
    );
    // matching alone
    let probe = enrolled[0].clone();
    let t = Instant::now();
    for _ in 0..200 {
        let _ = gallery.find(&probe);
    }
    let match_ms = t.elapsed().as_secs_f64() * 1000.0 / 200.0;
    println!(
        "one thread: per frame p50 {p50_1:.1} ms, p99 {p99_1:.1} ms (decode {dec50:.1}, detect {det50:.1}, embed {emb50:.1}, match 2000 delegates {match_ms:.2} ms)"
    );

    // 2. all cores: one engine per thread
    let per_thread = 60usize;
    let t_all = Instant::now();
    let mut handles = Vec::new();
    for k in 0..cores {
        let cfg = cfg.clone();
        let frames: Vec<Vec<u8>> = all_frames.iter().map(|f| (*f).clone()).collect();
        let gallery = Arc::clone(&gallery);
        handles.push(std::thread::spawn(move || -> Result<Vec<f64>, String> {
            let mut eng = FaceEngine::load(&cfg).map_err(|e| e.to_string())?;
            let mut v = Vec::new();
            for i in 0..per_thread {
                let f = &frames[(i * 7 + k * 3) % frames.len()];
                let t = Instant::now();
                let a = eng.analyze(f).map_err(|e| e.to_string())?;
                if let Some(e) = &a.embedding {
                    let _ = gallery.find(e);
                }
                v.push(t.elapsed().as_secs_f64() * 1000.0);
            }
            Ok(v)
        }));
    }
    let mut lat_all = Vec::new();
    for h in handles {
        lat_all.extend(h.join().map_err(|_| "thread panicked".to_string())??);
    }
    let fps_all = lat_all.len() as f64 / t_all.elapsed().as_secs_f64();
    let (p50_n, p99_n) = (pct(&mut lat_all, 50.0), pct(&mut lat_all, 99.0));
    println!(
        "{cores} threads: per frame p50 {p50_n:.1} ms, p99 {p99_n:.1} ms, throughput {fps_all:.1} frames/s"
    );

    // 3. load: kiosks × fps through FaceWorkers
    let kiosks = env_num("FACE_SPEED_KIOSKS", 10) as usize;
    let fps = env_num("FACE_SPEED_FPS", 5).max(1);
    let secs = env_num("FACE_SPEED_LOAD_SECS", 20);
    let workers = Arc::new(FaceWorkers::start(&cfg, 0, 0).map_err(|e| e.to_string())?);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let people = Arc::new(people);
    let load = rt.block_on(async {
        let start = tokio::time::Instant::now();
        let mut tasks = Vec::new();
        for k in 0..kiosks {
            let workers = Arc::clone(&workers);
            let gallery = Arc::clone(&gallery);
            let people = Arc::clone(&people);
            let cfg = cfg.clone();
            tasks.push(tokio::spawn(async move {
                kiosk(k, workers, gallery, people, cfg, fps, secs, start).await
            }));
        }
        // sample queue depth
        let mut max_seen = 0usize;
        while start.elapsed() < Duration::from_secs(secs) + Duration::from_millis(500) {
            max_seen = max_seen.max(workers.queue_depth());
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let mut total = KioskStats::default();
        for t in tasks {
            if let Ok(s) = t.await {
                total.merge(s);
            }
        }
        (total, max_seen)
    });
    let (mut ks, _sampled) = load;
    let sent = ks.sent;
    let decision_p50 = pct(&mut ks.decisions, 50.0);
    let decision_p99 = pct(&mut ks.decisions, 99.0);
    let frame_p50 = pct(&mut ks.frame_lat, 50.0);
    let frame_p99 = pct(&mut ks.frame_lat, 99.0);
    let max_depth = workers.max_queue_depth();
    let capacity = workers.capacity();
    println!(
        "load: {kiosks} kiosks x {fps} frames/s for {secs} s = {sent} frames, {} processed ({} matched a delegate), {} shed (Overloaded), {} errors",
        ks.processed, ks.matched, ks.overloaded, ks.errors
    );
    println!(
        "load: frame latency p50 {frame_p50:.0} ms p99 {frame_p99:.0} ms; decisions {} of {} walk-ups, decision latency p50 {decision_p50:.0} ms p99 {decision_p99:.0} ms; wrong decisions {}",
        ks.decisions.len(),
        ks.walkups,
        ks.wrong
    );
    println!("load: max queue depth {max_depth} (bounded at {capacity})");

    // 4. Python comparison
    let py = root.join(".cache/models-venv/bin/python");
    let script = models.join("bench_python.py");
    let mut python_p50 = f64::NAN;
    if py.exists() && script.exists() {
        let dir = std::env::temp_dir().join(format!("face-speed-{}", std::process::id()));
        std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
        let mut frames_json = Vec::new();
        for (i, f) in raw_frames.iter().enumerate() {
            let name = format!("f{i}.rgb");
            std::fs::write(dir.join(&name), f.as_raw()).map_err(|e| e.to_string())?;
            frames_json.push(format!(
                "{{\"file\":\"{name}\",\"width\":{},\"height\":{}}}",
                f.width(),
                f.height()
            ));
        }
        let gbytes: Vec<u8> = enrolled.iter().flat_map(|e| e.to_bytes()).collect();
        std::fs::write(dir.join("gallery.f32"), gbytes).map_err(|e| e.to_string())?;
        let index = format!(
            "{{\"frames\":[{}],\"detect_max_side\":{},\"gallery\":\"gallery.f32\",\"gallery_size\":{},\"iterations\":{iterations}}}",
            frames_json.join(","),
            cfg.detect_max_side,
            enrolled.len()
        );
        std::fs::write(dir.join("index.json"), index).map_err(|e| e.to_string())?;
        // Rust on the same pre-decoded frames, for a like-for-like comparison
        let mut rust_nodecode = Vec::new();
        for i in 0..iterations {
            let f = &raw_frames[i % raw_frames.len()];
            let t = Instant::now();
            let a = engine.analyze_image(f, false).map_err(|e| e.to_string())?;
            if let Some(e) = &a.embedding {
                let _ = gallery.find(e);
            }
            rust_nodecode.push(t.elapsed().as_secs_f64() * 1000.0);
        }
        let rust_p50_nd = pct(&mut rust_nodecode, 50.0);
        let out = std::process::Command::new(&py)
            .arg(&script)
            .arg(&dir)
            .output()
            .map_err(|e| e.to_string())?;
        let _ = std::fs::remove_dir_all(&dir);
        let stdout = String::from_utf8_lossy(&out.stdout);
        match stdout
            .lines()
            .last()
            .and_then(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        {
            Some(v) if out.status.success() => {
                python_p50 = v["python_p50_ms"].as_f64().unwrap_or(f64::NAN);
                println!(
                    "python (onnxruntime {}, numpy): per frame p50 {python_p50:.1} ms p99 {:.1} ms (detect {:.1}, embed {:.1}); rust same frames p50 {rust_p50_nd:.1} ms",
                    v["onnxruntime"].as_str().unwrap_or("?"),
                    v["python_p99_ms"].as_f64().unwrap_or(f64::NAN),
                    v["python_detect_ms"].as_f64().unwrap_or(f64::NAN),
                    v["python_embed_ms"].as_f64().unwrap_or(f64::NAN)
                );
                python_p50 /= rust_p50_nd;
            }
            _ => println!(
                "python benchmark failed: {}",
                String::from_utf8_lossy(&out.stderr)
                    .lines()
                    .last()
                    .unwrap_or("")
            ),
        }
    } else {
        println!(
            "python venv or bench_python.py missing (run python3 models/setup.py): no Python comparison"
        );
    }
    let speedup = python_p50;

    let j = |v: f64| {
        if v.is_finite() {
            format!("{v:.2}")
        } else {
            "null".into()
        }
    };
    println!(
        "{{\"frame_p50_ms_1thread\":{},\"frame_p99_ms_1thread\":{},\"frame_p50_ms_all_cores\":{},\"frame_p99_ms_all_cores\":{},\"throughput_fps_all_cores\":{},\"detect_ms_p50\":{},\"embed_ms_p50\":{},\"decode_ms_p50\":{},\"match_ms_2000_delegates\":{},\"cores\":{cores},\"load_kiosks\":{kiosks},\"load_fps_per_kiosk\":{fps},\"load_seconds\":{secs},\"load_frames_sent\":{sent},\"load_frames_processed\":{},\"load_frames_shed\":{},\"load_frame_latency_p50_ms\":{},\"load_frame_latency_p99_ms\":{},\"decision_latency_p50_ms\":{},\"decision_latency_p99_ms\":{},\"decisions\":{},\"walkups\":{},\"wrong_decisions\":{},\"max_queue_depth\":{max_depth},\"queue_capacity\":{capacity},\"queue_bounded\":{},\"speedup_vs_python\":{}}}",
        j(p50_1),
        j(p99_1),
        j(p50_n),
        j(p99_n),
        j(fps_all),
        j(det50),
        j(emb50),
        j(dec50),
        j(match_ms),
        ks.processed,
        ks.overloaded,
        j(frame_p50),
        j(frame_p99),
        j(decision_p50),
        j(decision_p99),
        ks.decisions.len(),
        ks.walkups,
        ks.wrong,
        max_depth <= capacity,
        j(speedup)
    );
    Ok(())
}

#[derive(Default)]
struct KioskStats {
    sent: usize,
    processed: usize,
    overloaded: usize,
    errors: usize,
    frame_lat: Vec<f64>,
    decisions: Vec<f64>,
    walkups: usize,
    wrong: usize,
    matched: usize,
}

impl KioskStats {
    fn merge(&mut self, o: KioskStats) {
        self.sent += o.sent;
        self.processed += o.processed;
        self.overloaded += o.overloaded;
        self.errors += o.errors;
        self.frame_lat.extend(o.frame_lat);
        self.decisions.extend(o.decisions);
        self.walkups += o.walkups;
        self.wrong += o.wrong;
        self.matched += o.matched;
    }
}

/// One kiosk: a new enrolled person walks up every 3 s; frames at `fps`; a frame's result is
/// fed to the agreement tracker when it arrives; decision latency = confirmation time − the
/// person's first frame. Frames are sent without waiting for earlier results (like a camera).
#[allow(clippy::too_many_arguments)]
async fn kiosk(
    k: usize,
    workers: Arc<FaceWorkers>,
    gallery: Arc<Gallery>,
    people: Arc<Vec<Person>>,
    cfg: FaceConfig,
    fps: u64,
    secs: u64,
    start: tokio::time::Instant,
) -> KioskStats {
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<(
        usize,
        u64,
        Instant,
        Result<Option<String>, FaceError>,
    )>();
    let period = Duration::from_millis(1000 / fps);
    let walk_ms = 3000u64;
    let sender = {
        let workers = Arc::clone(&workers);
        let gallery = Arc::clone(&gallery);
        let people = Arc::clone(&people);
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(period);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            let mut n = 0usize;
            // stagger kiosks
            tokio::time::sleep(Duration::from_millis((k as u64 * 37) % 200)).await;
            while start.elapsed() < Duration::from_secs(secs) {
                tick.tick().await;
                let ts = start.elapsed().as_millis() as u64;
                let walk = (ts / walk_ms) as usize;
                let person = (walk * 7 + k * 3) % people.len();
                let p = &people[person];
                let frame = p.frames[1 + n % (p.frames.len() - 1)].clone();
                n += 1;
                let workers = Arc::clone(&workers);
                let gallery = Arc::clone(&gallery);
                let tx = tx.clone();
                tokio::spawn(async move {
                    let t = Instant::now();
                    let res = workers.analyze(frame).await.map(|a| {
                        a.embedding
                            .and_then(|e| gallery.find(&e).delegate().map(str::to_string))
                    });
                    let _ = tx.send((person, ts, t, res));
                });
            }
        })
    };
    let mut stats = KioskStats::default();
    let mut agree = FrameAgreement::new(cfg.agreement_k, cfg.agreement_n, cfg.agreement_window_ms);
    let mut decided_walk: Option<u64> = None;
    let mut seen_walks = std::collections::BTreeSet::new();
    // `sender` keeps sending until the deadline; results arrive below
    drop(sender);
    while let Ok(Some((person, ts, t, res))) = tokio::time::timeout(
        Duration::from_secs(secs + 5).saturating_sub(start.elapsed()),
        rx.recv(),
    )
    .await
    {
        stats.sent += 1;
        let walk = ts / walk_ms;
        let walk_start = walk * walk_ms;
        seen_walks.insert(walk);
        match res {
            Ok(who) => {
                stats.processed += 1;
                if who.is_some() {
                    stats.matched += 1;
                }
                stats.frame_lat.push(t.elapsed().as_secs_f64() * 1000.0);
                let now = start.elapsed().as_millis() as u64;
                if let Some(d) = agree.observe(ts, who.as_deref())
                    && decided_walk != Some(walk)
                {
                    decided_walk = Some(walk);
                    stats.decisions.push(now.saturating_sub(walk_start) as f64);
                    if d != people[person].id {
                        stats.wrong += 1;
                    }
                }
            }
            Err(FaceError::Overloaded { .. }) => {
                // a shed frame was never analysed: it says nothing about who is there
                stats.overloaded += 1;
            }
            Err(_) => stats.errors += 1,
        }
    }
    stats.walkups = seen_walks.len();
    stats
}

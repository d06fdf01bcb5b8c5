//! The real models on real photos: landmark order, same/different person distances, group
//! photos, enrolment verdicts, grey/alpha input, no face, model-file checks, queue overflow.
//! Skips (with a message) when the photos or models are absent, unless
//! `CONGRESS_REQUIRE_MODELS=1` makes missing models a failure.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::{Arc, Mutex, OnceLock};

use congress_face::{
    DlibResnet, Embedder, EnrolOutcome, FaceConfig, FaceEngine, FaceError, FaceWorkers,
    MatchOutcome, Metric, Rejection,
};
use image::{DynamicImage, ImageFormat};

/// One engine shared by the tests of this binary (loading takes a moment).
fn engine() -> Option<&'static Mutex<FaceEngine>> {
    static ENGINE: OnceLock<Option<Mutex<FaceEngine>>> = OnceLock::new();
    ENGINE
        .get_or_init(|| {
            let cfg = common::model_config()?;
            Some(Mutex::new(
                FaceEngine::load(&cfg).unwrap_or_else(|e| panic!("engine failed to load: {e}")),
            ))
        })
        .as_ref()
}

macro_rules! setup {
    () => {{
        let Some(faces) = common::faces_dir() else {
            return;
        };
        let Some(engine) = engine() else {
            eprintln!("SKIPPED: models not available (see above)");
            return;
        };
        (faces, engine)
    }};
}

fn analyze(engine: &Mutex<FaceEngine>, bytes: &[u8]) -> congress_face::Analysis {
    engine.lock().unwrap().analyze_opts(bytes, true).unwrap()
}

#[test]
fn landmark_order_on_real_photo() {
    let (faces, engine) = setup!();
    for p in [
        "fr/obama/obama.jpg",
        "fr/biden/biden.jpg",
        "deepface/id01/img1.jpg",
    ] {
        let a = analyze(engine, &common::read(&faces.join(p)));
        let f = &a.faces[a.chosen.unwrap_or_else(|| panic!("no face in {p}"))];
        let [le, re, nose, lm, rm] = f.landmarks;
        assert!(
            le.x < re.x && lm.x < rm.x,
            "{p}: left/right swapped {:?}",
            f.landmarks
        );
        assert!(
            le.y < nose.y && re.y < nose.y,
            "{p}: eyes must be above the nose"
        );
        assert!(
            nose.y < lm.y && nose.y < rm.y,
            "{p}: nose must be above the mouth"
        );
        assert!(nose.x > le.x && nose.x < re.x, "{p}: nose between the eyes");
        for l in f.landmarks {
            assert!(
                l.x >= f.x1 && l.x <= f.x2 && l.y >= f.y1 && l.y <= f.y2,
                "{p}: landmark outside box"
            );
        }
        assert!(f.score > 0.8, "{p}: score {}", f.score);
        assert!(
            a.quality.is_ok(),
            "{p}: frontal photo rejected: {:?} {:?}",
            a.quality,
            a.metrics
        );
    }
}

#[test]
fn same_person_close_different_far() {
    let (faces, engine) = setup!();
    let emb = |p: &str| {
        analyze(engine, &common::read(&faces.join(p)))
            .embedding
            .unwrap_or_else(|| panic!("no embedding for {p}"))
    };
    let obama1 = emb("fr/obama/obama.jpg");
    let obama2 = emb("fr/obama/obama2.jpg");
    let biden1 = emb("fr/biden/biden.jpg");
    let biden2 = emb("fr/biden/biden2.jpg");
    assert_eq!(obama1.dim(), 128);
    let d = |a: &congress_face::Embedding, b: &congress_face::Embedding| {
        a.distance(b, Metric::Euclidean)
    };
    assert!(
        d(&obama1, &obama2) < 0.5,
        "same person {}",
        d(&obama1, &obama2)
    );
    assert!(
        d(&biden1, &biden2) < 0.5,
        "same person {}",
        d(&biden1, &biden2)
    );
    assert!(
        d(&obama1, &biden1) > 0.6,
        "different people {}",
        d(&obama1, &biden1)
    );
    assert!(
        d(&obama2, &biden2) > 0.6,
        "different people {}",
        d(&obama2, &biden2)
    );

    let mut g = engine.lock().unwrap().new_gallery();
    g.add("obama", obama1).unwrap();
    g.add("biden", biden1).unwrap();
    assert_eq!(g.find(&obama2).delegate(), Some("obama"));
    assert_eq!(g.find(&biden2).delegate(), Some("biden"));
    let stranger = emb("fr/kit_harington/john1.jpeg");
    assert!(
        matches!(g.find(&stranger), MatchOutcome::Unknown { .. }),
        "{:?}",
        g.find(&stranger)
    );
    // storage round trip keeps matching identical
    let bytes = obama2.to_bytes();
    assert_eq!(bytes.len(), 512);
    assert_eq!(
        congress_face::Embedding::from_bytes(&bytes).unwrap(),
        obama2
    );
}

#[test]
fn group_photos_have_many_faces_and_fail_enrolment() {
    let (faces, engine) = setup!();
    let a = analyze(
        engine,
        &common::read(&faces.join("multi/obama_and_biden.jpg")),
    );
    assert!(a.faces.len() >= 2, "found {} faces", a.faces.len());
    let mut total = 0;
    for entry in std::fs::read_dir(faces.join("multi")).unwrap() {
        let p = entry.unwrap().path();
        let a = analyze(engine, &common::read(&p));
        total += a.faces.len();
        assert!(
            a.faces.len() >= 2,
            "{}: only {} faces",
            p.display(),
            a.faces.len()
        );
    }
    assert!(total >= 40, "only {total} faces in the group photos");
    let out = engine
        .lock()
        .unwrap()
        .enrol_photo(&common::read(&faces.join("multi/two_people.jpg")))
        .unwrap();
    assert!(
        matches!(out, EnrolOutcome::SeveralFaces { count } if count >= 2),
        "{out:?}"
    );
}

#[test]
fn enrolment_ok_for_portrait() {
    let (faces, engine) = setup!();
    let out = engine
        .lock()
        .unwrap()
        .enrol_photo(&common::read(&faces.join("fr/obama/obama.jpg")))
        .unwrap();
    assert!(
        matches!(out, EnrolOutcome::Ok { ref embedding, .. } if embedding.dim() == 128),
        "{out:?}"
    );
}

#[test]
fn no_face_and_low_quality() {
    let (faces, engine) = setup!();
    let blank = DynamicImage::ImageRgb8(image::RgbImage::from_fn(320, 240, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, 90])
    }));
    let a = analyze(engine, &common::encode(&blank, ImageFormat::Png));
    assert!(a.faces.is_empty() && a.chosen.is_none() && a.embedding.is_none());
    assert_eq!(a.quality, Err(Rejection::NoFace));
    let out = engine
        .lock()
        .unwrap()
        .enrol_photo(&common::encode(&blank, ImageFormat::Jpeg))
        .unwrap();
    assert_eq!(out, EnrolOutcome::NoFace);

    // A heavily blurred portrait is refused as blurry (not embedded by `analyze`).
    let img = image::load_from_memory(&common::read(&faces.join("fr/obama/obama.jpg"))).unwrap();
    let blurred = img.blur(6.0);
    let a = engine
        .lock()
        .unwrap()
        .analyze(&common::encode(&blurred, ImageFormat::Png))
        .unwrap();
    eprintln!("blurred: {:?} {:?}", a.quality, a.metrics);
    assert!(a.chosen.is_some(), "blurred face not even detected");
    assert!(
        matches!(a.quality, Err(Rejection::Blurry { .. })),
        "{:?} {:?}",
        a.quality,
        a.metrics
    );
    assert!(a.embedding.is_none());
    // A very dark version is refused for exposure (or not detected at all).
    let dark = DynamicImage::ImageRgb8(image::imageops::brighten(&img.to_rgb8(), -200));
    let a = engine
        .lock()
        .unwrap()
        .analyze(&common::encode(&dark, ImageFormat::Png))
        .unwrap();
    eprintln!("dark: {:?} {:?}", a.quality, a.metrics);
    assert!(a.quality.is_err(), "dark image accepted: {:?}", a.metrics);
}

#[test]
fn grey_and_alpha_photos_still_work() {
    let (faces, engine) = setup!();
    let img = image::load_from_memory(&common::read(&faces.join("fr/biden/biden.jpg"))).unwrap();
    let colour = analyze(engine, &common::encode(&img, ImageFormat::Png))
        .embedding
        .unwrap();
    let grey = DynamicImage::ImageLuma8(img.to_luma8());
    let a = analyze(engine, &common::encode(&grey, ImageFormat::Png));
    assert!(a.chosen.is_some(), "no face in grey PNG");
    let d = a.embedding.unwrap().distance(&colour, Metric::Euclidean);
    assert!(d < 0.45, "grey vs colour distance {d}");
    let rgba = DynamicImage::ImageRgba8(img.to_rgba8());
    let a = analyze(engine, &common::encode(&rgba, ImageFormat::Png));
    let d = a.embedding.unwrap().distance(&colour, Metric::Euclidean);
    assert!(d < 0.05, "opaque RGBA vs RGB distance {d}");
}

#[test]
fn missing_and_corrupt_models_are_named() {
    let Some(cfg) = common::model_config() else {
        return;
    };
    let empty = tempfile::tempdir().unwrap();
    let c = FaceConfig {
        models_dir: empty.path().to_path_buf(),
        ..cfg.clone()
    };
    let e = FaceEngine::load(&c).err().expect("must fail");
    assert!(matches!(e, FaceError::ModelMissing { .. }), "{e:?}");
    let msg = e.to_string();
    assert!(
        msg.contains("centerface.onnx") && msg.contains("models/setup.py"),
        "{msg}"
    );

    // a file with the right name but wrong content
    std::fs::copy(
        cfg.models_dir.join("SHA256SUMS"),
        empty.path().join("SHA256SUMS"),
    )
    .unwrap();
    std::fs::write(empty.path().join("centerface.onnx"), b"not really a model").unwrap();
    let e = FaceEngine::load(&c).err().expect("must fail");
    assert!(matches!(e, FaceError::ModelCorrupt { .. }), "{e:?}");
    assert!(e.to_string().contains("centerface.onnx") && e.to_string().contains("corrupted"));

    // and a manifest that does not list the file
    std::fs::write(empty.path().join("SHA256SUMS"), "").unwrap();
    let e = FaceEngine::load(&c).err().expect("must fail");
    assert!(matches!(e, FaceError::ModelUnverified { .. }), "{e:?}");
}

#[test]
fn embedder_rejects_nothing_on_plain_chip() {
    // The embedder trait works on a raw chip too (used by custom pipelines).
    let Some(cfg) = common::model_config() else {
        return;
    };
    let mut emb = DlibResnet::load(&cfg).unwrap();
    let chip = image::RgbImage::from_pixel(150, 150, image::Rgb([120, 110, 100]));
    assert_eq!(emb.embed_chip(&chip).unwrap().dim(), 128);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn queue_overflow_fails_fast() {
    let Some(faces) = common::faces_dir() else {
        return;
    };
    let Some(cfg) = common::model_config() else {
        return;
    };
    let workers = Arc::new(FaceWorkers::start(&cfg, 1, 2).unwrap());
    let bytes = common::read(&faces.join("multi/bbt1.jpg"));
    let mut handles = Vec::new();
    for _ in 0..20 {
        let w = Arc::clone(&workers);
        let b = bytes.clone();
        handles.push(tokio::spawn(async move { w.analyze(b).await }));
    }
    let (mut ok, mut overloaded) = (0, 0);
    for h in handles {
        match h.await.unwrap() {
            Ok(a) => {
                assert!(!a.faces.is_empty());
                ok += 1
            }
            Err(FaceError::Overloaded { capacity }) => {
                assert_eq!(capacity, 2);
                overloaded += 1
            }
            Err(e) => panic!("unexpected error {e}"),
        }
    }
    assert!(ok >= 1, "nothing processed");
    assert!(
        overloaded >= 10,
        "only {overloaded} of 20 refused with a queue of 2 and one worker"
    );
    assert!(
        workers.max_queue_depth() <= 2,
        "queue grew to {}",
        workers.max_queue_depth()
    );
    assert_eq!(workers.rejected(), overloaded);
    // and the pool still works afterwards
    let a = workers.analyze(bytes).await.unwrap();
    assert!(!a.faces.is_empty());
    // a bad image is a typed error through the pool too
    assert!(matches!(
        workers.analyze(b"nope".to_vec()).await,
        Err(FaceError::NotAnImage)
    ));
}

/// MobileFaceNet (optional): only when `mobilefacenet.onnx` has been built.
#[test]
fn mobilefacenet_separates_people_when_present() {
    let Some(faces) = common::faces_dir() else {
        return;
    };
    let Some(cfg) = common::model_config() else {
        return;
    };
    if !cfg.models_dir.join("mobilefacenet.onnx").exists() {
        eprintln!(
            "SKIPPED: mobilefacenet.onnx absent (python3 models/setup.py --with-mobilefacenet)"
        );
        return;
    }
    let cfg = FaceConfig {
        embedder: congress_face::EmbedderKind::MobileFaceNet,
        ..cfg
    };
    let mut engine = FaceEngine::load(&cfg).unwrap();
    assert_eq!(engine.metric(), Metric::Cosine);
    let mut emb = |p: &str| {
        engine
            .analyze_opts(&common::read(&faces.join(p)), true)
            .unwrap()
            .embedding
            .unwrap()
    };
    let o1 = emb("fr/obama/obama.jpg");
    let o2 = emb("fr/obama/obama2.jpg");
    let b1 = emb("fr/biden/biden.jpg");
    assert_eq!(o1.dim(), 192);
    let norm: f32 = o1.0.iter().map(|x| x * x).sum::<f32>().sqrt();
    assert!((norm - 1.0).abs() < 1e-3, "not L2-normalised: {norm}");
    let same = o1.distance(&o2, Metric::Cosine);
    let diff = o1.distance(&b1, Metric::Cosine);
    assert!(same < cfg.threshold(), "same person cosine distance {same}");
    assert!(
        diff > cfg.threshold(),
        "different people cosine distance {diff}"
    );
}

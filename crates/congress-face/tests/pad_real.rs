//! PAD and several-faces handling with the real models on real photos: a still sent as video
//! (identical bytes, or re-encoded) never confirms; a group photo answers `several_faces`;
//! the passive model, when converted, gives a probability. Skips (with a message) when the
//! photos or models are absent, unless `CONGRESS_REQUIRE_MODELS=1`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::{Mutex, OnceLock};

use congress_face::{
    FaceConfig, FaceEngine, PadConfig, PadSession, PadVerdict, PassiveKind, Rejection, SpoofReason,
};
use image::{DynamicImage, ImageFormat};

fn engine() -> Option<&'static Mutex<FaceEngine>> {
    static ENGINE: OnceLock<Option<Mutex<FaceEngine>>> = OnceLock::new();
    ENGINE
        .get_or_init(|| {
            let cfg = common::model_config()?;
            Some(Mutex::new(FaceEngine::load(&cfg).expect("engine loads")))
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

#[test]
fn a_still_photo_sent_as_video_is_refused() {
    let (faces, engine) = setup!();
    let bytes = common::read(&faces.join("fr/obama/obama.jpg"));
    let img = image::load_from_memory(&bytes).unwrap().to_rgb8();
    let small = DynamicImage::ImageRgb8(image::imageops::resize(
        &img,
        480,
        600,
        image::imageops::FilterType::Triangle,
    ));
    let identical = common::encode(&small, ImageFormat::Jpeg);
    for reencode in [false, true] {
        let mut pad = PadSession::new(PadConfig::default(), 3);
        let mut last = PadVerdict::Collecting { frames: 0 };
        for i in 0..12u64 {
            let frame = if reencode {
                // each frame re-encoded at another JPEG quality
                let mut out = Vec::new();
                let q = 70 + (i * 7 % 25) as u8;
                image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, q)
                    .encode_image(&small)
                    .unwrap();
                out
            } else {
                identical.clone()
            };
            let a = engine.lock().unwrap().analyze(&frame).unwrap();
            assert!(
                a.pad.is_some(),
                "PAD features present when a face is chosen"
            );
            last = pad.observe_analysis(i * 200, &a);
            assert!(
                !last.is_live(),
                "a still confirmed at frame {i} (reencode {reencode})"
            );
        }
        assert!(
            matches!(
                last,
                PadVerdict::Spoof {
                    reason: SpoofReason::StillImage { .. }
                }
            ),
            "reencode {reencode}: {last:?}"
        );
    }
}

#[test]
fn a_group_photo_answers_several_faces_and_one_large_face_is_taken() {
    let (faces, engine) = setup!();
    let a = engine
        .lock()
        .unwrap()
        .analyze(&common::read(&faces.join("multi/two_people.jpg")))
        .unwrap();
    assert!(a.faces.len() >= 2);
    assert!(
        matches!(a.quality, Err(Rejection::SeveralFaces { count }) if count >= 2),
        "{:?}",
        a.quality
    );
    assert!(a.embedding.is_none(), "several faces: nobody is embedded");
    // the same photo cropped around the larger face, the other face made small: taken
    let img = image::load_from_memory(&common::read(&faces.join("fr/obama/obama.jpg")))
        .unwrap()
        .to_rgb8();
    let mut canvas = image::RgbImage::from_pixel(1600, 1000, image::Rgb([120, 120, 120]));
    image::imageops::overlay(&mut canvas, &img, 0, 0);
    let small = image::imageops::resize(&img, 480, 600, image::imageops::FilterType::Triangle);
    image::imageops::overlay(&mut canvas, &small, 1100, 380);
    let bytes = common::encode(&DynamicImage::ImageRgb8(canvas), ImageFormat::Jpeg);
    let a = engine.lock().unwrap().analyze(&bytes).unwrap();
    assert!(a.faces.len() >= 2, "both faces detected: {}", a.faces.len());
    assert!(a.quality.is_ok(), "{:?}", a.quality);
    assert!(a.embedding.is_some());
}

#[test]
fn passive_model_scores_when_converted() {
    let Some(cfg) = common::model_config() else {
        return;
    };
    if !cfg.models_dir.join("pad_liveness.onnx").exists() {
        eprintln!("SKIPPED: pad_liveness.onnx absent (python3 models/setup.py --with-pad-models)");
        return;
    }
    let Some(faces) = common::faces_dir() else {
        return;
    };
    let mut cfg = FaceConfig { ..cfg };
    cfg.pad.passive = PassiveKind::HumanLiveness;
    let mut engine = FaceEngine::load(&cfg).unwrap();
    let a = engine
        .analyze(&common::read(&faces.join("fr/biden/biden.jpg")))
        .unwrap();
    let p = a.pad.and_then(|p| p.passive).expect("passive score");
    assert!((0.0..=1.0).contains(&p), "{p}");
}

#[test]
fn the_quality_gates_fire_on_a_dark_or_blurred_face() {
    let (faces, engine) = setup!();
    let img = image::load_from_memory(&common::read(&faces.join("fr/obama/obama.jpg")))
        .unwrap()
        .to_rgb8();
    let ok = engine
        .lock()
        .unwrap()
        .analyze(&common::encode(
            &DynamicImage::ImageRgb8(img.clone()),
            ImageFormat::Png,
        ))
        .unwrap();
    assert!(ok.quality.is_ok(), "{:?}", ok.quality);
    let dark = image::RgbImage::from_fn(img.width(), img.height(), |x, y| {
        image::Rgb(img.get_pixel(x, y).0.map(|c| c / 4))
    });
    let a = engine
        .lock()
        .unwrap()
        .analyze(&common::encode(
            &DynamicImage::ImageRgb8(dark),
            ImageFormat::Png,
        ))
        .unwrap();
    assert!(
        matches!(a.quality, Err(Rejection::TooDark { .. })),
        "{:?} {:?}",
        a.quality,
        a.metrics
    );
    let (w, h) = img.dimensions();
    let small =
        image::imageops::resize(&img, w / 10, h / 10, image::imageops::FilterType::Triangle);
    let blurred = image::imageops::resize(&small, w, h, image::imageops::FilterType::Triangle);
    let a = engine
        .lock()
        .unwrap()
        .analyze(&common::encode(
            &DynamicImage::ImageRgb8(blurred),
            ImageFormat::Png,
        ))
        .unwrap();
    assert!(
        matches!(a.quality, Err(Rejection::Blurry { .. })),
        "{:?} {:?}",
        a.quality,
        a.metrics
    );
}

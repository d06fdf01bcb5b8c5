//! Face check-in at the kiosks, with the real models on real photos: an enrolled delegate is
//! recognised and checked in (and a console sees it), an impostor never is, bad frames get a
//! clear answer, and a flooding kiosk does not slow another one down.
//!
//! Needs the models (`cargo xtask models`; `CONGRESS_MODELS_DIR`, default `<repo>/models`) and
//! the labelled photos (`CONGRESS_FACES_DIR`, default `<repo>/../shared/faces`). Skipped with a
//! message when either is absent, except that `CONGRESS_REQUIRE_MODELS=1` makes missing models
//! a failure.

use std::io::Cursor;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use base64::Engine as _;
use congress_client::Api;
use congress_proto::*;
use futures_util::SinkExt;
use tokio_tungstenite::tungstenite::Message;

use crate::util::*;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Models and photos, or `None` (with a message) when the test must be skipped.
pub(crate) fn inputs() -> Option<(PathBuf, PathBuf)> {
    let models = std::env::var_os("CONGRESS_MODELS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo().join("models"));
    let have_models =
        models.join("centerface.onnx").exists() && models.join("dlib_resnet128.onnx").exists();
    if !have_models {
        if std::env::var("CONGRESS_REQUIRE_MODELS").as_deref() == Ok("1") {
            panic!(
                "CONGRESS_REQUIRE_MODELS=1 but the models are missing in {}: run `cargo xtask models`",
                models.display()
            );
        }
        eprintln!(
            "SKIPPED: face models missing in {} (run `cargo xtask models`)",
            models.display()
        );
        return None;
    }
    let faces = std::env::var_os("CONGRESS_FACES_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo().join("../shared/faces"));
    if !faces.join("deepface/id01").is_dir() {
        eprintln!(
            "SKIPPED: labelled face photos not found at {} (set CONGRESS_FACES_DIR)",
            faces.display()
        );
        return None;
    }
    Some((models, faces))
}

/// A photo as a kiosk would send it: scaled to a longer side of 640 px, JPEG.
pub(crate) fn frame(path: &PathBuf) -> Vec<u8> {
    let img = image::ImageReader::open(path)
        .expect("photo")
        .with_guessed_format()
        .expect("format")
        .decode()
        .expect("decode");
    let img = img.resize(640, 640, image::imageops::FilterType::Triangle);
    let mut out = Cursor::new(Vec::new());
    img.to_rgb8()
        .write_to(&mut out, image::ImageFormat::Jpeg)
        .expect("encode");
    out.into_inner()
}

pub(crate) fn photos(faces: &std::path::Path, who: &str) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(faces.join(who))
        .expect("identity folder")
        .filter_map(|e| e.ok().map(|e| e.path()))
        // a few files of the set are WebP despite their name: keep what a camera could send
        .filter(|p| {
            image::ImageReader::open(p)
                .ok()
                .and_then(|r| r.with_guessed_format().ok())
                .and_then(|r| r.decode().ok())
                .is_some()
        })
        .collect();
    v.sort();
    v
}

pub(crate) async fn enrol(api: &Api, delegate: &str, photo: &PathBuf) -> EnrolResponse {
    let b64 = base64::engine::general_purpose::STANDARD.encode(frame(photo));
    api.post(
        &format!("/api/delegates/{delegate}/enrol"),
        &EnrolRequest {
            client_id: cid("enrol"),
            captures: vec![b64],
        },
    )
    .await
    .expect("enrol")
}

pub(crate) async fn kiosk_socket(s: &TestServer) -> (RawWs, Device) {
    let (api, device) = s.pair(DeviceKind::Kiosk).await;
    let mut ws = RawWs::connect(&api, "kiosk").await;
    ws.hello(api.token().expect("token"), None).await;
    loop {
        if let ServerMsg::Snapshot { .. } = ws.next_msg().await {
            break;
        }
    }
    (ws, device)
}

impl RawWs {
    pub(crate) async fn send_frame(&mut self, bytes: Vec<u8>) {
        self.socket
            .send(Message::Binary(bytes.into()))
            .await
            .expect("send frame");
    }

    /// The next face answer (pushes in between are skipped).
    pub(crate) async fn face(&mut self) -> (u64, FaceStatus, Vec<FaceBoxMsg>) {
        loop {
            if let ServerMsg::FaceResult {
                frame,
                result,
                boxes,
                ..
            } = self.next_msg().await
            {
                return (frame, result, boxes);
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn enrolled_delegate_is_checked_in_impostor_never_bad_frames_answered_flood_contained() {
    let Some((models, faces)) = inputs() else {
        return;
    };
    let s = TestServer::start_with(Options {
        face_models: Some(models),
        ..Options::default()
    })
    .await;
    let deep = faces.join("deepface");
    let id01 = photos(&deep, "id01");
    let id02 = photos(&deep, "id02");
    let id03 = photos(&deep, "id03");

    // enrolment from the desk: one photo each for two delegates
    let r = enrol(&s.credentials, VIET, &id01[0]).await;
    assert!(r.enrolled, "{r:?}");
    let r = enrol(&s.credentials, ARAB, &id02[0]).await;
    assert!(r.enrolled, "{r:?}");
    // a photo with no face is refused with the reason, and a tablet may not enrol
    let blank = {
        let img = image::RgbImage::from_pixel(320, 240, image::Rgb([120, 120, 120]));
        let mut out = Cursor::new(Vec::new());
        img.write_to(&mut out, image::ImageFormat::Jpeg)
            .expect("jpeg");
        base64::engine::general_purpose::STANDARD.encode(out.into_inner())
    };
    let r: EnrolResponse = s
        .credentials
        .post(
            &format!("/api/delegates/{PLAIN}/enrol"),
            &EnrolRequest {
                client_id: cid("enrol"),
                captures: vec![blank],
            },
        )
        .await
        .expect("enrol answer");
    assert!(!r.enrolled);
    assert_eq!(r.captures[0].outcome, "no_face");
    let overview: FaceOverview = s.admin.get("/api/face/status").await.expect("status");
    assert!(overview.enabled);
    assert_eq!(overview.enrolled, 2);

    // a console watches attendance
    let (mut console, _) = live(&s.admin, "console", None).await;

    // the enrolled delegate walks up to the kiosk: another photo than the enrolled one, the
    // head moving (and turning when asked: the kiosk checks liveness, see `kiosk_pad.rs`)
    let (mut k1, kiosk1) = kiosk_socket(&s).await;
    let mut person = crate::kiosk_pad::Genuine::new(&s, &id01[1]).await;
    let started = Instant::now();
    let mut recognized = None;
    let mut answers = Vec::new();
    for _ in 0..60 {
        k1.send_frame(person.next_frame()).await;
        let (_, status, _) = k1.face().await;
        person.heard(&status);
        answers.push(format!("{status:?}"));
        if let FaceStatus::Recognized { .. } = status {
            recognized = Some(status);
            break;
        }
        // the kiosk's frame budget refills with the server's clock: move it, do not wait
        s.clock.advance(130);
    }
    let Some(FaceStatus::Recognized {
        delegate_id,
        full_name,
        already,
        ..
    }) = recognized
    else {
        panic!("never recognised; answers: {answers:#?}");
    };
    assert_eq!(delegate_id, VIET);
    assert_eq!(full_name, VIET_NAME);
    assert!(!already);
    eprintln!(
        "recognised after {} frames in {:?}",
        answers.len(),
        started.elapsed()
    );
    // durable and pushed: the console sees the kiosk check-in
    loop {
        let (_, push) = console
            .next_push_within(Duration::from_secs(5))
            .await
            .expect("attendance push");
        if let Push::Attendance { record, summary } = push {
            assert_eq!(record.delegate_id, VIET);
            assert_eq!(record.status, AttendanceStatus::Present);
            match record.source {
                AttendanceSource::Kiosk {
                    device_id,
                    distance,
                    margin,
                } => {
                    assert_eq!(device_id, kiosk1.id);
                    assert!(distance < 0.5 && margin > 0.0, "{distance} {margin}");
                }
                other => panic!("source {other:?}"),
            }
            assert_eq!(summary.present, 1);
            break;
        }
    }

    // an impostor (not enrolled) at a second kiosk: never checked in
    let (mut k2, _) = kiosk_socket(&s).await;
    let mut statuses = Vec::new();
    for i in 0..12 {
        k2.send_frame(frame(&id03[i % id03.len()])).await;
        let (_, status, _) = k2.face().await;
        assert!(
            !matches!(status, FaceStatus::Recognized { .. }),
            "impostor recognised: {status:?}"
        );
        statuses.push(status);
        // the kiosk's frame budget refills with the server's clock: move it, do not wait
        s.clock.advance(130);
    }
    assert!(
        statuses.contains(&FaceStatus::Unknown),
        "the impostor is sent to the desk: {statuses:?}"
    );
    let present = s.engine().read(|st| st.attendance.len());
    assert_eq!(present, 1, "only the enrolled delegate is checked in");

    // bad frames: each gets a clear per-frame answer, the connection stays up
    let png = |img: image::DynamicImage| {
        let mut out = Cursor::new(Vec::new());
        img.write_to(&mut out, image::ImageFormat::Png)
            .expect("png");
        out.into_inner()
    };
    let jpeg = frame(&id02[1]);
    let bad: Vec<(&str, Vec<u8>)> = vec![
        ("not an image", b"hello, this is not a picture".to_vec()),
        ("truncated jpeg", jpeg[..jpeg.len() / 3].to_vec()),
        (
            "1x1",
            png(image::DynamicImage::ImageRgb8(image::RgbImage::new(1, 1))),
        ),
        (
            "huge",
            png(image::DynamicImage::ImageLuma8(image::GrayImage::new(
                9000, 6000,
            ))),
        ),
        ("empty", vec![]),
    ];
    for (what, bytes) in bad {
        k2.send_frame(bytes).await;
        let (_, status, _) = k2.face().await;
        match status {
            FaceStatus::BadFrame { error, message } => {
                assert!(error.starts_with("face.error."), "{what}: {error}");
                assert!(!message.is_empty());
            }
            other => panic!("{what}: expected bad_frame, got {other:?}"),
        }
        // the kiosk's frame budget refills with the server's clock: move it, do not wait
        s.clock.advance(130);
    }
    // grayscale and alpha PNGs of a real face are analysed like any frame
    let face = image::load_from_memory(&frame(&id02[1])).expect("decode");
    for (what, img) in [
        ("grey", image::DynamicImage::ImageLuma8(face.to_luma8())),
        ("alpha", image::DynamicImage::ImageRgba8(face.to_rgba8())),
    ] {
        k2.send_frame(png(img)).await;
        let (_, status, _) = k2.face().await;
        assert!(
            !matches!(status, FaceStatus::BadFrame { .. }),
            "{what}: {status:?}"
        );
        // the kiosk's frame budget refills with the server's clock: move it, do not wait
        s.clock.advance(130);
    }

    // flood: kiosk 2 sends 60 frames at once; kiosk 1 keeps being served at 5 frames/s
    let flood = frame(&id03[0]);
    for _ in 0..60 {
        k2.send_frame(flood.clone()).await;
    }
    let mut refused = 0;
    let mut k1_latency = Vec::new();
    for i in 0..8 {
        let t = Instant::now();
        k1.send_frame(frame(&id02[1 + i % (id02.len() - 1)])).await;
        let (_, status, _) = k1.face().await;
        k1_latency.push(t.elapsed());
        assert!(
            !matches!(status, FaceStatus::Busy | FaceStatus::RateLimited),
            "kiosk 1 starved by kiosk 2's flood: {status:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    for _ in 0..60 {
        let (_, status, _) = k2.face().await;
        if matches!(status, FaceStatus::Busy | FaceStatus::RateLimited) {
            refused += 1;
        }
    }
    assert!(
        refused >= 40,
        "the flood was refused frame by frame ({refused} of 60)"
    );
    let worst = k1_latency.iter().max().copied().unwrap_or_default();
    eprintln!("flood: {refused}/60 refused; kiosk 1 worst answer {worst:?}");
    assert!(
        worst < Duration::from_secs(1),
        "kiosk 1 slowed: {k1_latency:?}"
    );

    // the console shows the check-in with the enrolment thumbnail
    let overview: FaceOverview = s.admin.get("/api/face/status").await.expect("status");
    // (kiosk 1 also recognised the second enrolled delegate during the flood)
    let viet = overview
        .recent
        .iter()
        .find(|c| c.delegate_id == VIET)
        .expect("VIET in the recent check-ins");
    assert!(viet.has_photo && !viet.already);
    assert!(
        overview
            .recent
            .iter()
            .all(|c| c.delegate_id == VIET || c.delegate_id == ARAB),
        "only enrolled delegates: {:?}",
        overview.recent
    );
    assert_eq!(overview.kiosks.len(), 2);
    let photo = reqwest::Client::new()
        .get(format!("{}/api/delegates/{VIET}/photo", s.base))
        .bearer_auth(s.admin.token().expect("token"))
        .send()
        .await
        .expect("photo");
    assert_eq!(photo.status(), 200);
    assert!(photo.bytes().await.expect("bytes").len() > 100, "thumbnail");

    // a restart rebuilds the gallery from the store
    let mut s = s.restart().await;
    let overview: FaceOverview = s.admin.get("/api/face/status").await.expect("status");
    assert_eq!(overview.enrolled, 2, "gallery reloaded at startup");

    // purge-biometrics: rows deleted, purge journalled, gallery emptied
    let n = congress_server::face::purge_biometrics(s.state.as_ref().expect("running"))
        .await
        .expect("purge");
    assert_eq!(n, 2);
    let overview: FaceOverview = s.admin.get("/api/face/status").await.expect("status");
    assert_eq!(overview.enrolled, 0);
    s.stop().await;
    let db = s.conn();
    let rows: i64 = db
        .query_row("SELECT COUNT(*) FROM face_enrolments", [], |r| r.get(0))
        .expect("count");
    assert_eq!(rows, 0);
    let kinds: Vec<String> = db
        .prepare("SELECT kind FROM journal WHERE kind IN ('face_enrolled', 'biometrics_purged') ORDER BY seq")
        .expect("prepare")
        .query_map([], |r| r.get(0))
        .expect("query")
        .map(|r| r.expect("row"))
        .collect();
    assert_eq!(
        kinds,
        ["face_enrolled", "face_enrolled", "biometrics_purged"]
    );
    // the journal holds no biometric data: the enrolment events are small
    let biggest: i64 = db
        .query_row(
            "SELECT MAX(LENGTH(body)) FROM journal WHERE kind = 'face_enrolled'",
            [],
            |r| r.get(0),
        )
        .expect("size");
    assert!(biggest < 400, "face_enrolled event of {biggest} bytes");
    let report = congress_store::verify(&s.db()).expect("verify");
    assert!(report.ok(), "{:?}", report.problems);
}

/// With face check-in on, a missing or corrupt model stops the server with a message naming the
/// file and the fix.
#[tokio::test]
async fn missing_or_corrupt_model_is_a_clear_startup_error() {
    let Some((models, _)) = inputs() else {
        return;
    };
    let dir = tempfile::tempdir().expect("tmp");
    let open = |models_dir: PathBuf| {
        let mut config = unlocked(congress_server::Config {
            data_dir: dir.path().join("data"),
            face_check_in: congress_server::face::FaceMode::On,
            ..Default::default()
        });
        config.face.models_dir = models_dir;
        config.face.ort_library = Some(models.join("lib/libonnxruntime.so"));
        match congress_server::open(config) {
            Ok(_) => panic!("opened without usable models"),
            Err(e) => e.to_string(),
        }
    };
    let empty = dir.path().join("empty");
    std::fs::create_dir_all(&empty).expect("mkdir");
    let msg = open(empty.clone());
    assert!(
        msg.contains("centerface.onnx") || msg.contains("SHA256SUMS"),
        "{msg}"
    );
    assert!(msg.contains("cargo xtask models"), "{msg}");

    let bad = dir.path().join("bad");
    std::fs::create_dir_all(&bad).expect("mkdir");
    std::fs::copy(models.join("SHA256SUMS"), bad.join("SHA256SUMS")).expect("sums");
    std::fs::write(bad.join("centerface.onnx"), b"not a model").expect("write");
    std::fs::copy(
        models.join("dlib_resnet128.onnx"),
        bad.join("dlib_resnet128.onnx"),
    )
    .expect("copy");
    let msg = open(bad);
    assert!(
        msg.contains("centerface.onnx") && msg.contains("corrupt"),
        "{msg}"
    );
    assert!(msg.contains("cargo xtask models"), "{msg}");
}

/// Load: 10 kiosks at 5 frames/s each for 6 s, each showing one enrolled delegate. Reports the
/// answer latency, the frames answered `busy`, and the time from each kiosk's first frame to its
/// check-in. Run with `cargo test -p congress-tests --test it -- --ignored ten_kiosks --nocapture`
/// (release: `--release`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "load measurement; run on purpose"]
async fn ten_kiosks_at_five_fps() {
    let Some((models, faces)) = inputs() else {
        return;
    };
    let s = TestServer::start_with(Options {
        face_models: Some(models),
        ..Options::default()
    })
    .await;
    let deep = faces.join("deepface");
    let people = [
        (VIET, "id01"),
        (ARAB, "id02"),
        (PLAIN, "id04"),
        (EXTRA, "id05"),
    ];
    let mut frames_of = Vec::new();
    for (id, who) in people {
        let ph = photos(&deep, who);
        let r = enrol(&s.credentials, id, &ph[0]).await;
        assert!(r.enrolled, "{id}: {r:?}");
        frames_of.push((id, ph[1..].iter().map(frame).collect::<Vec<_>>()));
    }
    let mut tasks = Vec::new();
    for k in 0..10 {
        let (ws, _) = kiosk_socket(&s).await;
        let (id, frames) = frames_of[k % frames_of.len()].clone();
        tasks.push(tokio::spawn(async move {
            let (mut tx, mut rx) = futures_util::StreamExt::split(ws.socket);
            let start = Instant::now();
            let sender = tokio::spawn(async move {
                let mut sent = Vec::new();
                for i in 0..30 {
                    let at = start + Duration::from_millis(200 * i as u64);
                    tokio::time::sleep_until(at.into()).await;
                    sent.push(Instant::now());
                    let _ = tx
                        .send(Message::Binary(frames[i % frames.len()].clone().into()))
                        .await;
                }
                sent
            });
            let mut answers = Vec::new();
            while answers.len() < 30 {
                let Some(Ok(Message::Text(t))) = futures_util::StreamExt::next(&mut rx).await
                else {
                    break;
                };
                if let Ok(ServerMsg::FaceResult { frame, result, .. }) =
                    serde_json::from_str::<ServerMsg>(&t)
                {
                    answers.push((frame, Instant::now(), result));
                }
            }
            let sent = sender.await.expect("sender");
            (id, start, sent, answers)
        }));
    }
    let mut lat = Vec::new();
    let mut busy = 0;
    let mut total = 0;
    let mut decisions = Vec::new();
    for t in tasks {
        let (id, start, sent, answers) = t.await.expect("kiosk");
        for (frame, at, result) in &answers {
            total += 1;
            if let Some(s) = sent.get(*frame as usize - 1) {
                lat.push(at.duration_since(*s));
            }
            match result {
                FaceStatus::Busy | FaceStatus::RateLimited => busy += 1,
                FaceStatus::Recognized { delegate_id, .. } => {
                    assert_eq!(delegate_id, id, "wrong delegate");
                }
                _ => {}
            }
        }
        let first = answers
            .iter()
            .find(|a| matches!(a.2, FaceStatus::Recognized { .. }))
            .map(|a| a.1.duration_since(start));
        decisions.push(first);
    }
    lat.sort();
    let p = |q: f64| lat[((lat.len() as f64 - 1.0) * q) as usize];
    let decided: Vec<Duration> = decisions.iter().flatten().copied().collect();
    eprintln!(
        "10 kiosks x 5 fps: {total} answers, {busy} busy/rate-limited; answer latency p50 {:?} p99 {:?}; \
         decisions {}/10, slowest {:?}",
        p(0.5),
        p(0.99),
        decided.len(),
        decided.iter().max()
    );
    eprintln!("time to check-in per kiosk: {decisions:?}");
    // a measurement: no wrong delegate is asserted above; the figures depend on the machine
}

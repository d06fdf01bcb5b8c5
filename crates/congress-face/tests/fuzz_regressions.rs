//! Inputs the fuzzers (`cargo xtask fuzz`) found to fail, kept as regression tests: each must
//! give an image or an error, never a panic.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use congress_face::FaceConfig;

fn decode_never_panics(bytes: &[u8]) {
    let cfg = FaceConfig::default();
    if let Ok(img) = congress_face::decode_image(bytes, cfg.max_pixels, cfg.min_image_side) {
        assert!(u64::from(img.width()) * u64::from(img.height()) <= cfg.max_pixels);
    }
    let _ = congress_face::decode::header_dimensions(bytes);
}

#[test]
fn a_jpeg_that_overflows_the_jpeg_decoder_is_refused_not_a_panic() {
    decode_never_panics(include_bytes!("regressions/face_decode-8501a277.jpg"));
}

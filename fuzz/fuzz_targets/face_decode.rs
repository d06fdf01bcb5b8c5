//! Kiosk frames and enrolment photos: `congress_face::decode_image` with the server's limits
//! (`FaceConfig::default()`: 40 Mpx, 32 px sides). Any bytes must give an image or an error,
//! never a panic, and memory stays bounded (libFuzzer's `-rss_limit_mb`, set by the xtask).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let cfg = congress_face::FaceConfig::default();
    if let Ok(img) = congress_face::decode_image(data, cfg.max_pixels, cfg.min_image_side) {
        let pixels = u64::from(img.width()) * u64::from(img.height());
        assert!(pixels <= cfg.max_pixels);
        assert!(img.width() >= cfg.min_image_side && img.height() >= cfg.min_image_side);
    }
    let _ = congress_face::decode::header_dimensions(data);
});

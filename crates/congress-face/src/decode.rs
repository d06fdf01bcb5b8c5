//! Image decoding with the checks a kiosk-facing server needs: format sniffing (JPEG/PNG
//! only), a pixel limit read from the header *before* any pixel is decoded, a decoder memory
//! limit, EXIF orientation, grey and alpha images flattened to RGB (alpha over white).

use std::io::Cursor;

use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits, RgbImage};

use crate::error::FaceError;

/// Decode JPEG or PNG bytes into an upright RGB image.
///
/// * `max_pixels`: the header's width × height must not exceed it (checked before decoding).
/// * `min_side`: both sides must be at least this.
pub fn decode_image(bytes: &[u8], max_pixels: u64, min_side: u32) -> Result<RgbImage, FaceError> {
    let reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| FaceError::CorruptImage(e.to_string()))?;
    match reader.format() {
        Some(ImageFormat::Jpeg) | Some(ImageFormat::Png) => {}
        Some(other) => return Err(FaceError::UnsupportedFormat(format!("{other:?}"))),
        None => return Err(FaceError::NotAnImage),
    }
    let format = reader.format();
    // Cheap header parse first: refuse oversized images before the decoder allocates anything.
    if let Some((width, height)) = header_dimensions(bytes) {
        check_size(width, height, max_pixels, min_side)?;
    }
    if format == Some(ImageFormat::Jpeg) && !jpeg_complete(bytes) {
        return Err(FaceError::CorruptImage(
            "JPEG data ends before its end-of-image marker (truncated upload?)".into(),
        ));
    }
    let mut reader = reader;
    let mut limits = Limits::default();
    // RGBA8 of the largest allowed image, plus slack for the decoder's own buffers.
    limits.max_alloc = Some(max_pixels.saturating_mul(4).saturating_add(64 << 20));
    reader.limits(limits);
    // The decoders are third-party code fed with bytes from the network: a panic in one (e.g.
    // zune-jpeg 0.5.15's integer overflow in bitstream.rs, found by `cargo xtask fuzz`, which
    // panics where overflow checks are on) is a corrupt image, never a dead worker thread.
    let decoded = std::panic::catch_unwind(std::panic::AssertUnwindSafe(
        || -> Result<RgbImage, FaceError> {
            let mut decoder = reader.into_decoder().map_err(map_image_error)?;
            let (width, height) = decoder.dimensions();
            check_size(width, height, max_pixels, min_side)?;
            let orientation = decoder
                .orientation()
                .unwrap_or(image::metadata::Orientation::NoTransforms);
            let mut img = DynamicImage::from_decoder(decoder).map_err(map_image_error)?;
            img.apply_orientation(orientation);
            Ok(flatten_to_rgb(img))
        },
    ));
    decoded.unwrap_or_else(|_| {
        Err(FaceError::CorruptImage(
            "the image decoder failed on this data".into(),
        ))
    })
}

fn check_size(width: u32, height: u32, max_pixels: u64, min_side: u32) -> Result<(), FaceError> {
    let pixels = u64::from(width) * u64::from(height);
    if pixels > max_pixels {
        return Err(FaceError::ImageTooLarge {
            width,
            height,
            pixels,
            max_pixels,
        });
    }
    if width < min_side || height < min_side {
        return Err(FaceError::ImageTooSmall {
            width,
            height,
            min_side,
        });
    }
    Ok(())
}

/// Width and height from a PNG IHDR or a JPEG SOF segment, without decoding.
pub fn header_dimensions(b: &[u8]) -> Option<(u32, u32)> {
    if b.len() >= 24 && b.starts_with(b"\x89PNG\r\n\x1a\n") && &b[12..16] == b"IHDR" {
        let w = u32::from_be_bytes([b[16], b[17], b[18], b[19]]);
        let h = u32::from_be_bytes([b[20], b[21], b[22], b[23]]);
        return Some((w, h));
    }
    if b.len() < 4 || b[0] != 0xFF || b[1] != 0xD8 {
        return None;
    }
    let mut i = 2;
    while i + 4 <= b.len() {
        if b[i] != 0xFF {
            return None;
        }
        let marker = b[i + 1];
        if marker == 0xFF {
            i += 1; // fill byte
            continue;
        }
        if marker == 0xD8 || (0xD0..=0xD7).contains(&marker) || marker == 0x01 {
            i += 2;
            continue;
        }
        let len = usize::from(u16::from_be_bytes([b[i + 2], b[i + 3]]));
        let is_sof =
            (0xC0..=0xCF).contains(&marker) && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
        if is_sof && i + 9 <= b.len() {
            let h = u32::from(u16::from_be_bytes([b[i + 5], b[i + 6]]));
            let w = u32::from(u16::from_be_bytes([b[i + 7], b[i + 8]]));
            return Some((w, h));
        }
        if marker == 0xDA || len < 2 {
            return None;
        }
        i += 2 + len;
    }
    None
}

/// A complete JPEG has an end-of-image marker after its last start-of-scan. (The JPEG
/// decoder fills a truncated scan with grey instead of failing, so check explicitly.)
fn jpeg_complete(b: &[u8]) -> bool {
    let last = |pat: [u8; 2]| b.windows(2).rposition(|w| w == pat);
    match (last([0xFF, 0xDA]), last([0xFF, 0xD9])) {
        (Some(sos), Some(eoi)) => eoi > sos,
        _ => false,
    }
}

/// Convert any colour type to RGB8; transparent pixels are composited over white.
fn flatten_to_rgb(img: DynamicImage) -> RgbImage {
    if !img.color().has_alpha() {
        return img.into_rgb8();
    }
    let rgba = img.into_rgba8();
    let (w, h) = rgba.dimensions();
    let mut out = RgbImage::new(w, h);
    for (dst, src) in out.pixels_mut().zip(rgba.pixels()) {
        let a = u32::from(src.0[3]);
        for c in 0..3 {
            let v = (u32::from(src.0[c]) * a + 255 * (255 - a) + 127) / 255;
            dst.0[c] = v.min(255) as u8;
        }
    }
    out
}

fn map_image_error(e: image::ImageError) -> FaceError {
    match e {
        image::ImageError::Limits(l) => {
            FaceError::CorruptImage(format!("decoder memory limit exceeded: {l}"))
        }
        image::ImageError::Unsupported(u) => {
            FaceError::CorruptImage(format!("unsupported image variant: {u}"))
        }
        other => FaceError::CorruptImage(other.to_string()),
    }
}

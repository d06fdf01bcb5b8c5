//! Bad and unusual image inputs (no models needed).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use congress_face::{FaceError, decode_image};
use image::{DynamicImage, ImageEncoder, ImageFormat, RgbImage};

const MAX: u64 = 40_000_000;

fn rgb_test_image(w: u32, h: u32) -> RgbImage {
    RgbImage::from_fn(w, h, |x, y| {
        image::Rgb([(x * 255 / w) as u8, (y * 255 / h) as u8, 128])
    })
}

#[test]
fn not_an_image_is_rejected() {
    let e = decode_image(b"hello, I am certainly not a picture", MAX, 32).unwrap_err();
    assert!(matches!(e, FaceError::NotAnImage), "{e:?}");
    assert!(e.to_string().contains("not an image"));
    // WebP / GIF magic: a recognised but unsupported format, said so
    let e = decode_image(b"RIFF\x24\0\0\0WEBPVP8 ", MAX, 32).unwrap_err();
    assert!(matches!(e, FaceError::UnsupportedFormat(_)), "{e:?}");
    let e = decode_image(b"GIF89a\x01\0\x01\0", MAX, 32).unwrap_err();
    assert!(e.to_string().contains("JPEG or PNG"), "{e}");
    let e = decode_image(&[], MAX, 32).unwrap_err();
    assert!(matches!(e, FaceError::NotAnImage), "{e:?}");
}

#[test]
fn truncated_jpeg_is_rejected() {
    let jpeg = common::encode(
        &DynamicImage::ImageRgb8(rgb_test_image(200, 150)),
        ImageFormat::Jpeg,
    );
    assert!(decode_image(&jpeg, MAX, 32).is_ok());
    let cut = &jpeg[..jpeg.len() / 3];
    let e = decode_image(cut, MAX, 32).unwrap_err();
    assert!(matches!(e, FaceError::CorruptImage(_)), "{e:?}");
    assert!(e.to_string().contains("truncated or corrupt"));
    // only the first bytes of the header
    assert!(decode_image(&jpeg[..20], MAX, 32).is_err());
    // truncated PNG
    let png = common::encode(
        &DynamicImage::ImageRgb8(rgb_test_image(200, 150)),
        ImageFormat::Png,
    );
    let e = decode_image(&png[..png.len() / 2], MAX, 32).unwrap_err();
    assert!(matches!(e, FaceError::CorruptImage(_)), "{e:?}");
}

/// A PNG whose header claims 100000 × 100000 pixels: refused from the header alone.
#[test]
fn huge_dimensions_rejected_before_decoding() {
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(b"IHDR");
    ihdr.extend_from_slice(&100_000u32.to_be_bytes());
    ihdr.extend_from_slice(&100_000u32.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
    png.extend_from_slice(&13u32.to_be_bytes());
    png.extend_from_slice(&ihdr);
    png.extend_from_slice(&crc32(&ihdr).to_be_bytes());
    let e = decode_image(&png, MAX, 32).unwrap_err();
    match e {
        FaceError::ImageTooLarge {
            width,
            height,
            pixels,
            max_pixels,
        } => {
            assert_eq!((width, height), (100_000, 100_000));
            assert_eq!(pixels, 10_000_000_000);
            assert_eq!(max_pixels, MAX);
        }
        other => panic!("expected ImageTooLarge, got {other:?}"),
    }
    // and a real image above a small configured limit
    let jpeg = common::encode(
        &DynamicImage::ImageRgb8(rgb_test_image(400, 300)),
        ImageFormat::Jpeg,
    );
    assert!(matches!(
        decode_image(&jpeg, 100_000, 32),
        Err(FaceError::ImageTooLarge { .. })
    ));
}

#[test]
fn one_pixel_image_rejected() {
    let png = common::encode(
        &DynamicImage::ImageRgb8(RgbImage::new(1, 1)),
        ImageFormat::Png,
    );
    let e = decode_image(&png, MAX, 32).unwrap_err();
    assert!(
        matches!(
            e,
            FaceError::ImageTooSmall {
                width: 1,
                height: 1,
                ..
            }
        ),
        "{e:?}"
    );
}

#[test]
fn grey_and_alpha_pngs_become_rgb() {
    let grey = DynamicImage::ImageLuma8(image::GrayImage::from_fn(64, 48, |x, _| {
        image::Luma([(x * 4) as u8])
    }));
    let out = decode_image(&common::encode(&grey, ImageFormat::Png), MAX, 32).unwrap();
    assert_eq!(out.dimensions(), (64, 48));
    let p = out.get_pixel(10, 10).0;
    assert_eq!(p, [40, 40, 40]);
    // fully transparent pixels become white, opaque ones keep their colour
    let rgba = DynamicImage::ImageRgba8(image::RgbaImage::from_fn(64, 48, |x, _| {
        if x < 32 {
            image::Rgba([10, 20, 30, 0])
        } else {
            image::Rgba([10, 20, 30, 255])
        }
    }));
    let out = decode_image(&common::encode(&rgba, ImageFormat::Png), MAX, 32).unwrap();
    assert_eq!(out.get_pixel(5, 5).0, [255, 255, 255]);
    assert_eq!(out.get_pixel(40, 5).0, [10, 20, 30]);
}

/// A JPEG stored sideways with EXIF orientation 6 ("rotate 90° clockwise to display") must
/// come out upright.
#[test]
fn exif_orientation_applied() {
    let upright = rgb_test_image(120, 80);
    let stored = image::imageops::rotate270(&upright); // 80 × 120, sideways
    // TIFF, big-endian, one IFD entry: Orientation (0x0112) SHORT = 6
    let exif: Vec<u8> = vec![
        b'M', b'M', 0, 42, 0, 0, 0, 8, // header
        0, 1, // one entry
        0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 6, 0, 0, // orientation = 6
        0, 0, 0, 0, // no next IFD
    ];
    let mut buf = Vec::new();
    let mut enc = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut buf, 95);
    enc.set_exif_metadata(exif).unwrap();
    enc.write_image(stored.as_raw(), 80, 120, image::ExtendedColorType::Rgb8)
        .unwrap();
    let out = decode_image(&buf, MAX, 32).unwrap();
    assert_eq!(out.dimensions(), (120, 80), "orientation not applied");
    let diff: f64 = out
        .pixels()
        .zip(upright.pixels())
        .map(|(a, b)| {
            (0..3)
                .map(|c| (f64::from(a.0[c]) - f64::from(b.0[c])).abs())
                .sum::<f64>()
        })
        .sum::<f64>()
        / (120.0 * 80.0 * 3.0);
    assert!(diff < 6.0, "mean abs diff {diff}");
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xffff_ffffu32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xedb8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

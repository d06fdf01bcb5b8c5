//! Document upload and delivery: the checks that run in Rust before Poppler sees a file, and
//! the headers of a download. The input is lines:
//! `range header \n body length \n If-None-Match \n upload query string \n file head bytes…`.
//! Checked: the PDF sniff, the upload's query (`serde_urlencoded` as axum's `Query`, then the
//! audience and the display name), `parse_range` (a range it serves lies inside the body) and
//! the ETag matchers. Nothing may panic.
#![no_main]

use std::collections::HashMap;

use congress_server::range::{RangeRequest, if_none_match, if_range_matches, parse_range};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut parts = data.splitn(5, |&b| b == b'\n');
    let range = parts.next().map(String::from_utf8_lossy);
    let len: u64 = parts
        .next()
        .and_then(|l| std::str::from_utf8(l).ok())
        .and_then(|l| l.trim().parse().ok())
        .unwrap_or(1000);
    let etag_header = String::from_utf8_lossy(parts.next().unwrap_or_default());
    let query = parts.next().unwrap_or_default();
    let head = parts.next().unwrap_or_default();

    match parse_range(range.as_deref(), len) {
        Ok(RangeRequest::Partial(r)) => {
            assert!(
                r.start <= r.end && r.end < len,
                "{r:?} outside a body of {len}"
            );
            let _ = r.content_range(len);
            assert_eq!(r.len(), r.end - r.start + 1);
        }
        Ok(RangeRequest::Full) => {}
        Err(e) => {
            let _ = e.content_range();
        }
    }
    let etag = congress_docs::crypto::etag_from_sha256(&[7; 32]);
    let _ = if_none_match(&etag_header, &etag);
    let _ = if_range_matches(&etag_header, &etag);

    if let Ok(q) = serde_urlencoded::from_bytes::<HashMap<String, String>>(query) {
        if let Some(a) = q.get("audience") {
            let _ = congress_server::routes::documents::parse_audience(a);
        }
        if let Some(name) = q.get("file_name")
            && let Ok(clean) = congress_docs::pdf::sanitize_display_name(name)
        {
            assert!(!clean.is_empty());
            assert!(clean.chars().count() <= congress_docs::pdf::MAX_DISPLAY_NAME_CHARS);
            assert!(!clean.contains('/') && !clean.contains('\\') && !clean.starts_with('.'));
        }
    }
    let _ = congress_docs::pdf::sniff(head);
});

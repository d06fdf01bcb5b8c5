//! HTTP `Range`, `If-None-Match` and `If-Range` helpers (RFC 9110), pure functions with
//! no HTTP-framework dependency.
//!
//! Only single byte ranges are served. As RFC 9110 allows, a `Range` header that is
//! syntactically invalid, uses another unit or asks for several ranges is ignored and
//! the whole body is sent (`200`). A well-formed single range that lies beyond the end
//! is [`RangeError::Unsatisfiable`], which the server answers with `416` and
//! `Content-Range: bytes */<len>` ([`RangeError::content_range`]).

/// An inclusive byte range `start..=end` within a body of known length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ByteRange {
    /// First byte offset.
    pub start: u64,
    /// Last byte offset (inclusive).
    pub end: u64,
}

impl ByteRange {
    /// Number of bytes in the range (the `Content-Length` of the 206 response).
    pub fn len(&self) -> u64 {
        self.end - self.start + 1
    }

    /// Never true: a satisfiable range holds at least one byte.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// The `Content-Range` header value for a 206 response, e.g. `bytes 0-99/1000`.
    pub fn content_range(&self, total_len: u64) -> String {
        format!("bytes {}-{}/{}", self.start, self.end, total_len)
    }
}

/// What to send in answer to a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RangeRequest {
    /// No (usable) range: send the whole body with 200.
    Full,
    /// Send this range with 206 and `Content-Range`.
    Partial(ByteRange),
}

/// The requested range cannot be served.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RangeError {
    /// The range starts at or beyond the end of the body (or asks for the last 0 bytes):
    /// answer `416 Range Not Satisfiable`.
    #[error("requested range not satisfiable (body is {len} bytes)")]
    Unsatisfiable {
        /// Length of the body.
        len: u64,
    },
}

impl RangeError {
    /// The `Content-Range` header value for the 416 response (`bytes */<len>`).
    pub fn content_range(&self) -> String {
        match self {
            RangeError::Unsatisfiable { len } => format!("bytes */{len}"),
        }
    }
}

fn parse_u64(s: &str) -> Option<u64> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// Interprets a `Range` header value against a body of `len` bytes.
///
/// Accepts `bytes=a-b`, `bytes=a-` and `bytes=-n` (the unit is case-insensitive,
/// whitespace around the spec is tolerated). `b` beyond the end is clamped; `bytes=-n`
/// with `n` larger than the body means the whole body (still a 206).
pub fn parse_range(header: Option<&str>, len: u64) -> Result<RangeRequest, RangeError> {
    let Some(header) = header else {
        return Ok(RangeRequest::Full);
    };
    let header = header.trim();
    let Some((unit, spec)) = header.split_once('=') else {
        return Ok(RangeRequest::Full);
    };
    if !unit.trim().eq_ignore_ascii_case("bytes") {
        return Ok(RangeRequest::Full);
    }
    let spec = spec.trim();
    if spec.contains(',') {
        // Multiple ranges (multipart/byteranges) are not supported: ignore.
        return Ok(RangeRequest::Full);
    }
    let Some((first, last)) = spec.split_once('-') else {
        return Ok(RangeRequest::Full);
    };
    let (first, last) = (first.trim(), last.trim());
    let unsatisfiable = Err(RangeError::Unsatisfiable { len });
    if first.is_empty() {
        // suffix range: the last n bytes
        let Some(n) = parse_u64(last) else {
            return Ok(RangeRequest::Full);
        };
        if n == 0 || len == 0 {
            return unsatisfiable;
        }
        let start = len.saturating_sub(n);
        return Ok(RangeRequest::Partial(ByteRange {
            start,
            end: len - 1,
        }));
    }
    let Some(start) = parse_u64(first) else {
        return Ok(RangeRequest::Full);
    };
    let end = if last.is_empty() {
        None
    } else {
        match parse_u64(last) {
            Some(e) if e >= start => Some(e),
            // a-b with b < a, or garbage: invalid, so ignored
            _ => return Ok(RangeRequest::Full),
        }
    };
    if start >= len {
        return unsatisfiable;
    }
    let end = end.map_or(len - 1, |e| e.min(len - 1));
    Ok(RangeRequest::Partial(ByteRange { start, end }))
}

/// Splits a list of entity tags (`"a", W/"b"`) into `(weak, opaque-tag-with-quotes)`.
/// Returns `None` for malformed input.
fn entity_tags(list: &str) -> Option<Vec<(bool, &str)>> {
    let mut out = Vec::new();
    let mut rest = list.trim();
    while !rest.is_empty() {
        let (weak, r) = match rest.strip_prefix("W/") {
            Some(r) => (true, r),
            None => (false, rest),
        };
        if !r.starts_with('"') {
            return None;
        }
        let close = r[1..].find('"')? + 1;
        out.push((weak, &r[..=close]));
        rest = r[close + 1..].trim_start();
        if let Some(r) = rest.strip_prefix(',') {
            rest = r.trim_start();
        } else if !rest.is_empty() {
            return None;
        }
    }
    Some(out)
}

/// Strips an optional `W/` prefix.
fn opaque(etag: &str) -> &str {
    etag.trim().strip_prefix("W/").unwrap_or(etag.trim())
}

/// `true` if an `If-None-Match` header matches `etag`, i.e. the server should answer
/// `304 Not Modified` (for GET/HEAD). Uses weak comparison, handles `*` and lists.
/// A malformed header never matches.
pub fn if_none_match(header: &str, etag: &str) -> bool {
    if header.trim() == "*" {
        return true;
    }
    let ours = opaque(etag);
    entity_tags(header).is_some_and(|tags| tags.iter().any(|(_, t)| *t == ours))
}

/// `true` if an `If-Range` header allows honouring the `Range` header: it must be a
/// strong ETag equal to `etag`. A date or a weak tag never matches (we have no
/// last-modified dates), so the server then sends the whole body with 200.
pub fn if_range_matches(header: &str, etag: &str) -> bool {
    let h = header.trim();
    if etag.trim().starts_with("W/") {
        return false;
    }
    match entity_tags(h).as_deref() {
        Some([(false, t)]) => *t == etag.trim(),
        _ => false,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn p(h: &str, len: u64) -> Result<RangeRequest, RangeError> {
        parse_range(Some(h), len)
    }
    fn part(start: u64, end: u64) -> Result<RangeRequest, RangeError> {
        Ok(RangeRequest::Partial(ByteRange { start, end }))
    }

    #[test]
    fn ranges() {
        assert_eq!(parse_range(None, 10), Ok(RangeRequest::Full));
        assert_eq!(p("bytes=0-0", 10), part(0, 0));
        assert_eq!(p("bytes=0-9", 10), part(0, 9));
        assert_eq!(p("bytes=2-100", 10), part(2, 9));
        assert_eq!(p("bytes=9-", 10), part(9, 9));
        assert_eq!(p("bytes=-3", 10), part(7, 9));
        assert_eq!(p("bytes=-30", 10), part(0, 9));
        assert_eq!(p(" Bytes = 1-2 ", 10), part(1, 2));
        let unsat = Err(RangeError::Unsatisfiable { len: 10 });
        assert_eq!(p("bytes=10-", 10), unsat);
        assert_eq!(p("bytes=10-20", 10), unsat);
        assert_eq!(p("bytes=-0", 10), unsat);
        assert_eq!(p("bytes=0-", 0), Err(RangeError::Unsatisfiable { len: 0 }));
        assert_eq!(p("bytes=-5", 0), Err(RangeError::Unsatisfiable { len: 0 }));
        assert_eq!(
            RangeError::Unsatisfiable { len: 10 }.content_range(),
            "bytes */10"
        );
        // ignored (whole body)
        for h in [
            "bytes=5-2",
            "bytes=a-b",
            "bytes=0-1,3-4",
            "items=0-1",
            "bytes",
            "bytes=",
            "bytes=-",
            "bytes=+1-2",
            "bytes=0x1-2",
            "bytes=99999999999999999999999-",
        ] {
            assert_eq!(p(h, 10), Ok(RangeRequest::Full), "{h}");
        }
        let r = ByteRange { start: 5, end: 9 };
        assert_eq!(r.len(), 5);
        assert_eq!(r.content_range(10), "bytes 5-9/10");
    }

    #[test]
    fn etags() {
        let tag = congress_docs::crypto::etag_from_sha256(&[0xab; 32]);
        assert_eq!(tag.len(), 66);
        assert!(if_none_match(&tag, &tag));
        assert!(if_none_match("*", &tag));
        assert!(if_none_match(&format!("\"x\", W/{tag}"), &tag));
        assert!(!if_none_match("\"x\"", &tag));
        assert!(!if_none_match("garbage", &tag));
        assert!(!if_none_match("", &tag));
        assert!(if_range_matches(&tag, &tag));
        assert!(!if_range_matches(&format!("W/{tag}"), &tag));
        assert!(!if_range_matches("Wed, 21 Oct 2015 07:28:00 GMT", &tag));
        assert!(!if_range_matches("\"other\"", &tag));
    }
}

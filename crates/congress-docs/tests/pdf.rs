//! Upload validation and text extraction with Poppler (Debian package `poppler-utils`).
//! Tests needing the tools are skipped with a message if they are missing, unless
//! `CONGRESS_REQUIRE_TOOLS=1`.
#![allow(clippy::unwrap_used, clippy::expect_used)]
// These tests measure real time (a subprocess or socket deadline, a random seed), on purpose.
#![allow(clippy::disallowed_methods)]

mod common;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use congress_docs::pdf::{PdfError, PdfTools};
use congress_docs::search;

fn poppler() -> bool {
    common::have_tool("pdfinfo", "poppler-utils") && common::have_tool("pdftotext", "poppler-utils")
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

const VI_LINE: &str = "Báo cáo chính trị của Ban Chấp hành Đảng bộ tỉnh";

fn good_pdf() -> Vec<u8> {
    common::make_pdf(
        &[
            &["Political report", VI_LINE],
            &["Page two: draft resolution (Nghị quyết)"],
            &[],
        ],
        false,
    )
}

#[test]
fn valid_pdf_pages_and_vietnamese_text() {
    if !poppler() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "ok.pdf", &good_pdf());
    let tools = PdfTools::default();
    tools.check_available().unwrap();
    let text = tools.inspect(&path).unwrap();
    assert_eq!(text.page_count, 3);
    assert_eq!(text.pages.len(), 3);
    assert!(
        text.pages[0].contains("Political report"),
        "{:?}",
        text.pages
    );
    assert!(text.pages[0].contains(VI_LINE), "{:?}", text.pages[0]);
    assert!(text.pages[1].contains("Nghị quyết"), "{:?}", text.pages[1]);
    assert_eq!(text.pages[2], "");
    // the same through a reader (copied to a temp file)
    let again = tools.inspect_reader(&good_pdf()[..]).unwrap();
    assert_eq!(again, text);
    // a relative path that starts with '-' is not taken for an option
    let dash = write(dir.path(), "-layout.pdf", &good_pdf());
    let _ = dash;
    let cwd = std::env::current_dir().unwrap();
    std::env::set_current_dir(dir.path()).unwrap();
    let res = tools.page_count(Path::new("-layout.pdf"));
    std::env::set_current_dir(cwd).unwrap();
    assert_eq!(res.unwrap(), 3);
}

#[test]
fn extracted_text_is_searchable_without_diacritics() {
    if !poppler() {
        return;
    }
    let text = PdfTools::default().inspect_reader(&good_pdf()[..]).unwrap();
    // What the index stores and matches (congress_store::SearchIndex runs the same query
    // through FTS5; its tests cover the SQL).
    let matching = |q: &str| -> Vec<(usize, search::Snippet)> {
        let query = search::Query::parse(q);
        text.pages
            .iter()
            .enumerate()
            .map(|(i, p)| (i + 1, search::make_snippet(p, &query)))
            .filter(|(_, s)| s.parts.iter().any(|p| p.highlight))
            .collect()
    };
    let hits = matching("ban chap hanh dang bo");
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].0, 1);
    assert!(
        hits[0]
            .1
            .marked("[", "]")
            .contains("[Ban] [Chấp] [hành] [Đảng] [bộ]"),
        "{:?}",
        hits[0].1
    );
    let hits = matching("NGHI QUYET");
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].0, 2);
}

#[test]
fn zero_bytes_and_fake_pdf_are_refused_before_poppler() {
    // no Poppler needed: sniffing happens first
    let dir = tempfile::tempdir().unwrap();
    let tools = PdfTools {
        pdfinfo: "/nonexistent/pdfinfo".into(),
        ..PdfTools::default()
    };
    let empty = write(dir.path(), "empty.pdf", b"");
    assert!(matches!(tools.inspect(&empty), Err(PdfError::Empty)));
    let fake = write(
        dir.path(),
        "fake.pdf",
        b"Just some text pretending to be a PDF\n",
    );
    let err = tools.inspect(&fake).unwrap_err();
    assert!(matches!(err, PdfError::NotPdf { detected: None }), "{err}");
    assert_eq!(err.to_string(), "the file is not a PDF");
    let docx = write(dir.path(), "report.pdf", b"PK\x03\x04\x14\x00\x06\x00");
    let err = tools.inspect(&docx).unwrap_err();
    assert!(err.to_string().contains("Office document"), "{err}");
    // a real PDF with a missing tool: a clear ToolMissing error
    let ok = write(dir.path(), "ok.pdf", &good_pdf());
    let err = tools.inspect(&ok).unwrap_err();
    assert!(matches!(err, PdfError::ToolMissing { .. }), "{err}");
    assert!(err.to_string().contains("poppler-utils"), "{err}");
}

#[test]
fn encrypted_pdf_is_refused() {
    if !poppler() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let enc = write(
        dir.path(),
        "enc.pdf",
        &common::make_pdf(&[&["secret"]], true),
    );
    let err = PdfTools::default().inspect(&enc).unwrap_err();
    assert!(
        matches!(
            err,
            PdfError::Encrypted {
                password_required: true
            }
        ),
        "{err}"
    );
    assert!(err.to_string().contains("password"), "{err}");
}

#[test]
fn restricted_pdf_from_qpdf_is_refused_unless_allowed() {
    if !poppler() || !common::have_tool("qpdf", "qpdf") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let plain = write(dir.path(), "plain.pdf", &good_pdf());
    let restricted = dir.path().join("restricted.pdf");
    let locked = dir.path().join("locked.pdf");
    for (user, out) in [("", &restricted), ("pw", &locked)] {
        let st = std::process::Command::new("qpdf")
            .args(["--encrypt", user, "owner", "256", "--"])
            .arg(&plain)
            .arg(out)
            .status()
            .unwrap();
        assert!(st.success());
    }
    let tools = PdfTools::default();
    assert!(matches!(
        tools.inspect(&restricted),
        Err(PdfError::Encrypted {
            password_required: false
        })
    ));
    assert!(matches!(
        tools.inspect(&locked),
        Err(PdfError::Encrypted {
            password_required: true
        })
    ));
    let lenient = PdfTools {
        allow_restricted: true,
        ..PdfTools::default()
    };
    let text = lenient.inspect(&restricted).unwrap();
    assert!(text.pages[0].contains(VI_LINE));
    assert!(matches!(
        lenient.inspect(&locked),
        Err(PdfError::Encrypted {
            password_required: true
        })
    ));
}

#[test]
fn corrupt_pdfs_are_refused() {
    if !poppler() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let tools = PdfTools::default();
    let mut garbage = b"%PDF-1.4\n".to_vec();
    garbage.extend((0..5000u32).map(|i| (i * 97 % 256) as u8));
    let truncated = good_pdf()[..400].to_vec();
    for (name, bytes) in [
        ("garbage.pdf", garbage),
        ("truncated.pdf", truncated),
        ("header-only.pdf", b"%PDF-1.7\n".to_vec()),
    ] {
        let p = write(dir.path(), name, &bytes);
        let err = tools.inspect(&p).unwrap_err();
        assert!(matches!(err, PdfError::Corrupt { .. }), "{name}: {err}");
        assert!(err.to_string().starts_with("the PDF is damaged"), "{err}");
    }
}

#[test]
fn hanging_tool_is_killed_after_timeout() {
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("slow-pdfinfo");
    std::fs::write(&script, "#!/bin/sh\nsleep 30\n").unwrap();
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    let tools = PdfTools {
        pdfinfo: script,
        timeout: Duration::from_millis(300),
        ..PdfTools::default()
    };
    let ok = write(dir.path(), "ok.pdf", &good_pdf());
    let t = Instant::now();
    let err = tools.inspect(&ok).unwrap_err();
    assert!(matches!(err, PdfError::Timeout { .. }), "{err}");
    assert!(
        t.elapsed() < Duration::from_secs(5),
        "took {:?}",
        t.elapsed()
    );
}

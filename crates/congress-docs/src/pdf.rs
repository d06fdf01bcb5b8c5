//! Upload validation and text extraction for PDF documents.
//!
//! An upload is first sniffed for the `%PDF-` signature ([`sniff`]), then inspected
//! with Poppler's `pdfinfo` (page count, encryption, structural damage) and its text is
//! extracted per page with `pdftotext` (pages are separated by form feeds). Both tools
//! run as subprocesses with a timeout on a file on disk; [`PdfTools::inspect_reader`]
//! first copies a stream to a temporary file. The tools come from the Debian package
//! `poppler-utils`.
//!
//! [`sanitize_display_name`] turns a user-supplied document name into a safe display
//! name (no path separators or control characters, bounded length).

use std::ffi::OsStr;
use std::fs::File;
use std::io::{self, Read, Write};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use unicode_normalization::UnicodeNormalization;

/// How far into the file the `%PDF-` signature may start (Acrobat's tolerance).
const HEADER_SEARCH_BYTES: usize = 1024;

/// Longest display name kept, in characters.
pub const MAX_DISPLAY_NAME_CHARS: usize = 120;

/// Why an upload was refused or could not be processed. The messages are meant to be
/// shown (translated by the client from the variant) to a secretariat operator.
#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    /// The file is empty.
    #[error("the file is empty (0 bytes)")]
    Empty,
    /// The file does not start with the PDF signature.
    #[error("the file is not a PDF{}", .detected.map(|d| format!(" (it looks like {d})")).unwrap_or_default())]
    NotPdf {
        /// What the file looks like, if recognised.
        detected: Option<&'static str>,
    },
    /// The PDF is encrypted.
    #[error("{}", if *.password_required {
        "the PDF is protected by a password; remove the protection and upload it again"
    } else {
        "the PDF is encrypted (usage restrictions); save an unprotected copy and upload it again"
    })]
    Encrypted {
        /// `true` if it cannot be opened without a password at all.
        password_required: bool,
    },
    /// The PDF is damaged and cannot be read.
    #[error("the PDF is damaged and cannot be read: {detail}")]
    Corrupt {
        /// The tool's diagnostics (first lines).
        detail: String,
    },
    /// A Poppler tool is not installed.
    #[error("{tool} is not installed (Debian package poppler-utils): {source}")]
    ToolMissing {
        /// Tool name or path.
        tool: String,
        /// Spawn error.
        source: io::Error,
    },
    /// A Poppler tool did not finish in time (killed).
    #[error("{tool} did not finish within {} s; the PDF may be too complex", .timeout.as_secs())]
    Timeout {
        /// Tool name.
        tool: String,
        /// The limit that was exceeded.
        timeout: Duration,
    },
    /// A Poppler tool failed in an unexpected way.
    #[error("{tool} failed (exit status {status}): {detail}")]
    ToolFailed {
        /// Tool name.
        tool: String,
        /// Exit status as text.
        status: String,
        /// Its diagnostics.
        detail: String,
    },
    /// Reading the upload or a temporary file failed.
    #[error("I/O error while {during}: {source}")]
    Io {
        /// What was going on.
        during: &'static str,
        /// Underlying error.
        source: io::Error,
    },
}

fn io_err(during: &'static str) -> impl FnOnce(io::Error) -> PdfError {
    move |source| PdfError::Io { during, source }
}

/// The result of inspecting a valid PDF.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PdfText {
    /// Number of pages reported by `pdfinfo`.
    pub page_count: u32,
    /// Text of each page (index 0 is page 1); always `page_count` entries, empty for
    /// pages without text (scans).
    pub pages: Vec<String>,
}

/// Checks the first bytes of an upload: [`PdfError::Empty`] for no bytes,
/// [`PdfError::NotPdf`] if `%PDF-` does not occur in the first 1024 bytes.
pub fn sniff(head: &[u8]) -> Result<(), PdfError> {
    if head.is_empty() {
        return Err(PdfError::Empty);
    }
    let window = &head[..head.len().min(HEADER_SEARCH_BYTES)];
    if window.windows(5).any(|w| w == b"%PDF-") {
        return Ok(());
    }
    let detected = if head.starts_with(b"PK\x03\x04") {
        Some("a ZIP or Office document (DOCX, XLSX, ODT)")
    } else if head.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        Some("an old Office document (DOC, XLS)")
    } else if head.starts_with(b"\x89PNG") {
        Some("a PNG image")
    } else if head.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("a JPEG image")
    } else if head.starts_with(b"{\\rtf") {
        Some("an RTF document")
    } else if head.starts_with(b"age-encryption.org/") {
        Some("an age-encrypted file")
    } else {
        None
    };
    Err(PdfError::NotPdf { detected })
}

/// Reads the start of a file and applies [`sniff`].
pub fn sniff_file(path: &Path) -> Result<(), PdfError> {
    let mut file = File::open(path).map_err(io_err("opening the upload"))?;
    let mut head = Vec::with_capacity(HEADER_SEARCH_BYTES);
    Read::by_ref(&mut file)
        .take(HEADER_SEARCH_BYTES as u64)
        .read_to_end(&mut head)
        .map_err(io_err("reading the upload"))?;
    sniff(&head)
}

/// Locations and limits for the Poppler tools.
#[derive(Debug, Clone)]
pub struct PdfTools {
    /// `pdfinfo` executable (looked up in `PATH` if bare).
    pub pdfinfo: PathBuf,
    /// `pdftotext` executable.
    pub pdftotext: PathBuf,
    /// Wall-clock limit for each tool run.
    pub timeout: Duration,
    /// Extracted text beyond this many bytes is dropped (the rest of the document is
    /// then not searchable, but the upload is accepted).
    pub max_text_bytes: usize,
    /// Accept PDFs that are encrypted with an empty user password (they open without a
    /// password but carry usage restrictions). Password-protected PDFs are always refused.
    pub allow_restricted: bool,
}

impl Default for PdfTools {
    fn default() -> Self {
        Self {
            pdfinfo: PathBuf::from("pdfinfo"),
            pdftotext: PathBuf::from("pdftotext"),
            timeout: Duration::from_secs(60),
            max_text_bytes: 64 * 1024 * 1024,
            allow_restricted: false,
        }
    }
}

/// Output of a finished tool run.
struct ToolOutput {
    success: bool,
    status: String,
    stdout: Vec<u8>,
    stderr: String,
}

/// Makes a path safe to pass as a positional argument (never starts with `-`).
fn arg_path(path: &Path) -> PathBuf {
    if path.is_absolute() {
        path.to_path_buf()
    } else {
        Path::new(".").join(path)
    }
}

fn drain_limited<R: Read + Send + 'static>(mut r: R, limit: usize) -> JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        let mut out = Vec::new();
        let _ = r.by_ref().take(limit as u64).read_to_end(&mut out);
        // keep draining so the child never blocks on a full pipe
        let _ = io::copy(&mut r, &mut io::sink());
        out
    })
}

/// Kills the tool and everything it started (it runs in its own process group), then
/// reaps it.
fn kill_and_reap(child: &mut Child) {
    let pid = rustix::process::Pid::from_child(child);
    let _ = rustix::process::kill_process_group(pid, rustix::process::Signal::KILL);
    let _ = child.kill();
    let _ = child.wait();
}

impl PdfTools {
    fn run(
        &self,
        exe: &Path,
        args: &[&OsStr],
        stdout_limit: usize,
    ) -> Result<ToolOutput, PdfError> {
        let tool = exe.display().to_string();
        let mut child = Command::new(exe)
            .args(args)
            .env("LC_ALL", "C")
            .process_group(0)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|source| {
                if source.kind() == io::ErrorKind::NotFound {
                    PdfError::ToolMissing {
                        tool: tool.clone(),
                        source,
                    }
                } else {
                    PdfError::Io {
                        during: "starting a Poppler tool",
                        source,
                    }
                }
            })?;
        let (Some(out), Some(err)) = (child.stdout.take(), child.stderr.take()) else {
            kill_and_reap(&mut child);
            return Err(PdfError::Io {
                during: "starting a Poppler tool",
                source: io::Error::other("missing pipes"),
            });
        };
        let out = drain_limited(out, stdout_limit);
        let err = drain_limited(err, 16 * 1024);
        // A child process's deadline is real time by nature: a stuck Poppler is killed after
        // `timeout`, whatever clock the congress runs on.
        #[allow(clippy::disallowed_methods)]
        let now = Instant::now;
        let deadline = now() + self.timeout;
        let status = loop {
            match child.try_wait() {
                Ok(Some(status)) => break status,
                Ok(None) if now() >= deadline => {
                    kill_and_reap(&mut child);
                    // The drain threads end when the pipes close; do not wait for them.
                    drop((out, err));
                    return Err(PdfError::Timeout {
                        tool,
                        timeout: self.timeout,
                    });
                }
                Ok(None) => std::thread::sleep(Duration::from_millis(10)),
                Err(source) => {
                    kill_and_reap(&mut child);
                    return Err(PdfError::Io {
                        during: "waiting for a Poppler tool",
                        source,
                    });
                }
            }
        };
        let stdout = out.join().unwrap_or_default();
        let stderr = String::from_utf8_lossy(&err.join().unwrap_or_default()).into_owned();
        Ok(ToolOutput {
            success: status.success(),
            status: status.to_string(),
            stdout,
            stderr,
        })
    }

    /// Checks that both tools can be run (for a readiness check at server start).
    pub fn check_available(&self) -> Result<(), PdfError> {
        for exe in [&self.pdfinfo, &self.pdftotext] {
            self.run(exe, &[OsStr::new("-v")], 4096)?;
        }
        Ok(())
    }

    /// Validates the PDF at `path` with `pdfinfo` and returns its page count.
    pub fn page_count(&self, path: &Path) -> Result<u32, PdfError> {
        sniff_file(path)?;
        let p = arg_path(path);
        let out = self.run(&self.pdfinfo, &[p.as_os_str()], 1024 * 1024)?;
        if !out.success {
            if out.stderr.contains("Incorrect password") {
                return Err(PdfError::Encrypted {
                    password_required: true,
                });
            }
            return Err(PdfError::Corrupt {
                detail: first_lines(&out.stderr, &out.status),
            });
        }
        let text = String::from_utf8_lossy(&out.stdout);
        let field = |name: &str| {
            text.lines()
                .find_map(|l| l.strip_prefix(name))
                .map(|v| v.trim().to_string())
        };
        if !self.allow_restricted && field("Encrypted:").is_some_and(|v| v.starts_with("yes")) {
            return Err(PdfError::Encrypted {
                password_required: false,
            });
        }
        match field("Pages:").and_then(|v| v.parse::<u32>().ok()) {
            Some(n) if n > 0 => Ok(n),
            _ => Err(PdfError::Corrupt {
                detail: format!(
                    "no pages found{}",
                    if out.stderr.trim().is_empty() {
                        String::new()
                    } else {
                        format!(": {}", first_lines(&out.stderr, &out.status))
                    }
                ),
            }),
        }
    }

    /// Extracts the text of each page with `pdftotext` (UTF-8). Returns exactly
    /// `page_count` entries.
    pub fn extract_pages(&self, path: &Path, page_count: u32) -> Result<Vec<String>, PdfError> {
        let p = arg_path(path);
        let args = [
            OsStr::new("-enc"),
            OsStr::new("UTF-8"),
            p.as_os_str(),
            OsStr::new("-"),
        ];
        let out = self.run(&self.pdftotext, &args, self.max_text_bytes)?;
        if !out.success {
            if out.stderr.contains("Incorrect password") {
                return Err(PdfError::Encrypted {
                    password_required: true,
                });
            }
            return Err(PdfError::ToolFailed {
                tool: self.pdftotext.display().to_string(),
                status: out.status,
                detail: first_lines(&out.stderr, ""),
            });
        }
        let text = String::from_utf8_lossy(&out.stdout);
        let n = page_count as usize;
        let mut pages: Vec<String> = text
            .split('\u{c}')
            .take(n)
            .map(|p| p.trim_end().to_string())
            .collect();
        pages.resize(n, String::new());
        Ok(pages)
    }

    /// Validates the PDF at `path` and extracts its text: the whole upload check.
    pub fn inspect(&self, path: &Path) -> Result<PdfText, PdfError> {
        let page_count = self.page_count(path)?;
        let pages = self.extract_pages(path, page_count)?;
        Ok(PdfText { page_count, pages })
    }

    /// Copies `input` to a temporary file (removed afterwards) and [`inspect`](Self::inspect)s it.
    pub fn inspect_reader(&self, mut input: impl Read) -> Result<PdfText, PdfError> {
        let mut tmp = tempfile::Builder::new()
            .prefix("congress-upload-")
            .suffix(".pdf")
            .tempfile()
            .map_err(io_err("creating a temporary file"))?;
        io::copy(&mut input, tmp.as_file_mut()).map_err(io_err("copying the upload"))?;
        tmp.as_file_mut()
            .flush()
            .map_err(io_err("writing a temporary file"))?;
        self.inspect(tmp.path())
    }
}

fn first_lines(stderr: &str, fallback: &str) -> String {
    let lines: Vec<&str> = stderr
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .take(3)
        .collect();
    if lines.is_empty() {
        fallback.to_string()
    } else {
        lines.join("; ")
    }
}

/// Why a display name was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NameError {
    /// Nothing printable is left after sanitising.
    #[error("the document name is empty")]
    Empty,
}

fn is_invisible_control(c: char) -> bool {
    matches!(c,
        '\u{200B}'..='\u{200D}'   // zero-width space / joiners
        | '\u{202A}'..='\u{202E}' // bidi embeddings and overrides (spoofing)
        | '\u{2066}'..='\u{2069}' // bidi isolates
        | '\u{FEFF}'              // BOM
    )
}

/// Turns a user-supplied name into a safe display name: Unicode NFC; `/` and `\` and
/// all whitespace and control characters become single spaces; bidi overrides and
/// zero-width characters are removed; leading dots are dropped (no `..`, no hidden
/// names); at most [`MAX_DISPLAY_NAME_CHARS`] characters. The right-to-left and
/// left-to-right marks (U+200F, U+200E) are kept for Arabic names.
pub fn sanitize_display_name(name: &str) -> Result<String, NameError> {
    let mut out = String::with_capacity(name.len());
    let mut pending_space = false;
    for c in name.nfc() {
        if is_invisible_control(c) {
            continue;
        }
        if c == '/' || c == '\\' || c.is_whitespace() || c.is_control() {
            pending_space = !out.is_empty();
            continue;
        }
        if out.is_empty() && c == '.' {
            continue;
        }
        if pending_space {
            out.push(' ');
            pending_space = false;
        }
        out.push(c);
    }
    if let Some((idx, _)) = out.char_indices().nth(MAX_DISPLAY_NAME_CHARS) {
        out.truncate(idx);
    }
    let trimmed = out.trim_end();
    if trimmed.is_empty() || trimmed.chars().all(|c| c == '.' || c == ' ') {
        return Err(NameError::Empty);
    }
    Ok(trimmed.to_string())
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn sniffing() {
        assert!(matches!(sniff(b""), Err(PdfError::Empty)));
        assert!(sniff(b"%PDF-1.7\n").is_ok());
        assert!(sniff(b"\xef\xbb\xbf  %PDF-1.4").is_ok());
        assert!(matches!(
            sniff(b"PK\x03\x04rest"),
            Err(PdfError::NotPdf { detected: Some(_) })
        ));
        assert!(matches!(
            sniff(b"hello"),
            Err(PdfError::NotPdf { detected: None })
        ));
        let mut late = vec![b' '; 2000];
        late.extend_from_slice(b"%PDF-1.4");
        assert!(matches!(sniff(&late), Err(PdfError::NotPdf { .. })));
    }

    #[test]
    fn display_names() {
        let s = |n: &str| sanitize_display_name(n);
        assert_eq!(s("../../etc/passwd").unwrap(), "etc passwd");
        assert_eq!(s("..\\..\\boot.ini").unwrap(), "boot.ini");
        assert_eq!(s("a/../b").unwrap(), "a .. b");
        assert_eq!(
            s("  Báo cáo\tchính\n trị.pdf  ").unwrap(),
            "Báo cáo chính trị.pdf"
        );
        // NFD input becomes NFC
        assert_eq!(s("Nghi quye\u{302}\u{301}t").unwrap(), "Nghi quyết");
        assert_eq!(s("a\u{0}b\u{7}c\u{1b}[31m").unwrap(), "a b c [31m");
        assert_eq!(s("report\u{202E}fdp.exe").unwrap(), "reportfdp.exe");
        assert_eq!(s("تقرير\u{200F} سياسي").unwrap(), "تقرير\u{200F} سياسي");
        assert_eq!(s(".hidden").unwrap(), "hidden");
        for bad in ["", "   ", "..", "../..", "/", "\u{202E}", ". . ."] {
            assert_eq!(s(bad), Err(NameError::Empty), "{bad:?}");
        }
        let long = "Đ".repeat(500);
        assert_eq!(s(&long).unwrap().chars().count(), MAX_DISPLAY_NAME_CHARS);
    }
}

//! The minutes on the server: reads the journal read-only (its own connection, so it works beside
//! a running server and on a stopped server's data), builds them with `congress_minutes`, and
//! prints the HTML to PDF with headless Chromium in a fresh profile, with a time limit.

use std::path::PathBuf;
use std::sync::OnceLock;
use std::time::Duration;

use congress_minutes::{Lang, Minutes, Options, Record};
use congress_store::{JournalReader, StoreError};

use crate::config::MinutesConfig;
use crate::error::AppError;

/// What to render.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Html,
    Csv,
    Pdf,
}

impl Format {
    pub fn parse(s: &str) -> Option<Format> {
        match s {
            "html" => Some(Format::Html),
            "csv" => Some(Format::Csv),
            "pdf" => Some(Format::Pdf),
            _ => None,
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Format::Html => "text/html; charset=utf-8",
            Format::Csv => "text/csv; charset=utf-8",
            Format::Pdf => "application/pdf",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Format::Html => "html",
            Format::Csv => "csv",
            Format::Pdf => "pdf",
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    #[error(
        "Chromium is not installed at {0} (needed to print the minutes to PDF): install it \
         (apt-get install chromium) or set minutes.chromium / CONGRESS_CHROMIUM; the HTML and CSV \
         minutes work without it"
    )]
    Missing(String),
    #[error("Chromium did not print the minutes: {0}")]
    Failed(String),
    #[error("Chromium did not finish printing the minutes within {0} s")]
    Timeout(u64),
}

impl From<PdfError> for AppError {
    fn from(e: PdfError) -> Self {
        match e {
            PdfError::Missing(_) | PdfError::Timeout(_) | PdfError::Failed(_) => {
                AppError::ToolUnavailable(e.to_string())
            }
        }
    }
}

/// Every journal record of the database at `db`, read in one read transaction.
pub fn records(db: &congress_store::Db) -> Result<Vec<Record>, StoreError> {
    Ok(JournalReader::open(db)?
        .all()?
        .into_iter()
        .map(|e| Record {
            seq: e.seq,
            at: e.at,
            actor: e.actor,
            event: e.event,
            hash: e.hash,
        })
        .collect())
}

/// Builds the minutes from the database at `db` (blocking: call from a blocking thread).
pub fn build(db: &congress_store::Db, lang: Lang) -> Result<Minutes, StoreError> {
    Ok(congress_minutes::build(&records(db)?, lang))
}

/// Renders HTML or CSV (PDF goes through [`pdf`]).
pub fn render_text(m: &Minutes, format: Format, cfg: &MinutesConfig) -> Vec<u8> {
    let opts = Options {
        lang: m.lang,
        utc_offset_minutes: cfg.utc_offset_minutes,
    };
    match format {
        Format::Csv => congress_minutes::csv::render(m, &opts),
        Format::Html | Format::Pdf => congress_minutes::html::render(m, &opts).into_bytes(),
    }
}

/// One PDF at a time: Chromium is heavy on a small server.
fn pdf_slot() -> &'static tokio::sync::Semaphore {
    static SLOT: OnceLock<tokio::sync::Semaphore> = OnceLock::new();
    SLOT.get_or_init(|| tokio::sync::Semaphore::new(1))
}

/// Prints `html` to PDF with headless Chromium.
pub async fn pdf(html: &[u8], cfg: &MinutesConfig) -> Result<Vec<u8>, PdfError> {
    let chromium: PathBuf = cfg.chromium.clone();
    if !chromium.is_file() {
        return Err(PdfError::Missing(chromium.display().to_string()));
    }
    let _slot = pdf_slot()
        .acquire()
        .await
        .map_err(|e| PdfError::Failed(e.to_string()))?;
    let dir = tempfile::tempdir().map_err(|e| PdfError::Failed(e.to_string()))?;
    let page = dir.path().join("minutes.html");
    let out = dir.path().join("minutes.pdf");
    tokio::fs::write(&page, html)
        .await
        .map_err(|e| PdfError::Failed(format!("cannot write the page: {e}")))?;
    let mut cmd = tokio::process::Command::new(&chromium);
    cmd.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-extensions",
        "--no-pdf-header-footer",
        "--print-to-pdf-no-header",
        "--run-all-compositor-stages-before-draw",
    ])
    .arg(format!(
        "--user-data-dir={}",
        dir.path().join("profile").display()
    ))
    .arg(format!("--print-to-pdf={}", out.display()))
    .arg(format!("file://{}", page.display()))
    .stdin(std::process::Stdio::null())
    .stdout(std::process::Stdio::null())
    .stderr(std::process::Stdio::piped())
    .kill_on_drop(true);
    let child = cmd.spawn().map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => PdfError::Missing(chromium.display().to_string()),
        _ => PdfError::Failed(format!("cannot start {}: {e}", chromium.display())),
    })?;
    let limit = cfg.pdf_timeout_seconds.max(1);
    let output = tokio::time::timeout(Duration::from_secs(limit), child.wait_with_output())
        .await
        .map_err(|_| PdfError::Timeout(limit))?
        .map_err(|e| PdfError::Failed(e.to_string()))?;
    let bytes = tokio::fs::read(&out).await.unwrap_or_default();
    if !bytes.starts_with(b"%PDF") {
        let err = String::from_utf8_lossy(&output.stderr);
        let tail: String = err.lines().rev().take(5).collect::<Vec<_>>().join(" | ");
        return Err(PdfError::Failed(format!(
            "Chromium ended ({}) without writing a PDF ({tail})",
            output.status
        )));
    }
    Ok(bytes)
}

/// Renders the minutes in `format` from the database at `db`.
pub async fn render(
    db: congress_store::Db,
    format: Format,
    lang: Lang,
    cfg: &MinutesConfig,
) -> Result<Vec<u8>, AppError> {
    let c = cfg.clone();
    let text =
        tokio::task::spawn_blocking(move || build(&db, lang).map(|m| render_text(&m, format, &c)))
            .await
            .map_err(|e| AppError::Internal(e.to_string()))??;
    match format {
        Format::Pdf => Ok(pdf(&text, cfg).await?),
        _ => Ok(text),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_missing_chromium_is_a_clear_error() {
        let cfg = MinutesConfig {
            chromium: "/nonexistent/chromium".into(),
            ..Default::default()
        };
        let e = pdf(b"<p>x</p>", &cfg).await.unwrap_err();
        assert!(matches!(e, PdfError::Missing(_)));
        let app: AppError = e.into();
        assert_eq!(app.status_and_code().0, 503);
        assert!(app.to_string().contains("CONGRESS_CHROMIUM"));
    }
}

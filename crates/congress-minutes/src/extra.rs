//! Extra sections of the minutes, added by other parts of the system without touching the
//! renderers: a section is a title and a table, and both the HTML and the CSV show it.
//!
//! **To add one** (the speakers' list, the notices): write a [`SectionFn`] that reads the
//! records it knows (e.g. `Event::SpeakerGranted`) and returns `None` when it has nothing, add
//! its labels to [`crate::labels`], and append it to [`SECTIONS`]. That is all.

use congress_domain::CongressState;

use crate::Record;
use crate::labels::Lang;

/// A table in the minutes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    /// Stable name, used as the CSV `section` value (e.g. `speakers`).
    pub key: &'static str,
    /// Heading, in the minutes' language.
    pub title: String,
    /// Column headings, in the minutes' language.
    pub columns: Vec<String>,
    pub rows: Vec<SectionRow>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SectionRow {
    /// The journal seq the row comes from (CSV `ref`).
    pub seq: u64,
    /// When (CSV `time`), if the row has a time.
    pub at: Option<i64>,
    /// One cell per column.
    pub cells: Vec<String>,
}

/// Builds one section from the journal (`records`, in order) and the final state.
pub type SectionFn = fn(&[Record], &CongressState, Lang) -> Option<Section>;

/// Every extra section, in the order they appear after the documents.
pub const SECTIONS: &[SectionFn] = &[];

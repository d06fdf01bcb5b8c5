//! The minutes of the congress and its audit log, derived from the journal alone. Pure: the
//! caller reads the journal (`congress_store::JournalReader`) and hands the records in; this
//! crate does no I/O, reads no clock and renders:
//!
//! - [`Minutes`]: the model ([`build`]): congress, attendance and quorum over time, agenda items
//!   and when they were taken up, every vote with its rule and result (secret votes as totals
//!   only), documents issued with their versions, extra sections ([`extra`]), and the journal
//!   head that authenticates the record;
//! - [`html::render`]: one self-contained HTML document with print CSS and an inline SVG chart,
//!   ready for a browser or for headless Chromium's `--print-to-pdf`;
//! - [`csv::render`]: one CSV file (UTF-8 with BOM, RFC 4180, a `section` column, formula
//!   injection guarded);
//! - [`audit`]: who did what and when, one line per journal event in plain words, never the
//!   contents of a secret ballot.
//!
//! Every text is in the congress language chosen by [`Lang`] (Vietnamese by default, English,
//! Arabic right-to-left) from the label table in [`labels`].

pub mod audit;
pub mod chart;
pub mod csv;
pub mod extra;
pub mod html;
pub mod labels;
pub mod model;
pub mod time;

pub use labels::Lang;
pub use model::{Minutes, build};

use congress_domain::Event;

/// One journal entry as stored (`congress_store::StoredEvent` without the previous hash).
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    pub seq: u64,
    /// Unix epoch milliseconds.
    pub at: i64,
    /// `operator:NAME`, `device:ID`, `system`, `cli`.
    pub actor: String,
    pub event: Event,
    /// Hex SHA-256 of this entry in the chain.
    pub hash: String,
}

/// How to render: language and the hall's time zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    pub lang: Lang,
    /// Minutes east of UTC for clock times (Vietnam: 420).
    pub utc_offset_minutes: i32,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            lang: Lang::Vi,
            utc_offset_minutes: 420,
        }
    }
}

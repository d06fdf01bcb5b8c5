//! The minutes as one CSV file, for spreadsheets: UTF-8 with a byte-order mark (so Excel shows
//! diacritics), CRLF line ends, RFC 4180 quoting, and every cell that a spreadsheet would take
//! for a formula (starting with `=`, `+`, `-`, `@`, tab or carriage return) prefixed with `'`.
//!
//! One file, one table: `section,ref,time,label,value,detail`. `section` says what a row is
//! (`congress`, `quorum`, `presence`, `agenda`, `vote`, `vote_count`, `open_ballot`, `document`,
//! an extra section's key, `journal`); `ref` is the journal seq, item, vote or document it
//! refers to; `time` is `YYYY-MM-DD HH:MM:SS` at the hall's offset. Values are in the minutes'
//! language; the header and `section` names are fixed, for scripts.

use congress_domain::vote::Secrecy;

use crate::Options;
use crate::html::{count_rows, kind_text, outcome_text, rule_text};
use crate::labels::t;
use crate::model::Minutes;
use crate::time;

/// The header row.
pub const HEADER: [&str; 6] = ["section", "ref", "time", "label", "value", "detail"];

/// `raw` with a `'` in front when a spreadsheet would read it as a formula (it starts with
/// `=`, `+`, `-`, `@`, tab or carriage return). Every CSV export of the server uses it.
pub fn guard(raw: &str) -> String {
    match raw.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{raw}"),
        _ => raw.to_string(),
    }
}

/// One cell, quoted if needed and guarded against formula injection.
pub fn cell(raw: &str) -> String {
    let guarded = guard(raw);
    if guarded.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", guarded.replace('"', "\"\""))
    } else {
        guarded
    }
}

struct Out(String);

impl Out {
    fn row(&mut self, cells: [&str; 6]) {
        let line: Vec<String> = cells.iter().map(|c| cell(c)).collect();
        self.0.push_str(&line.join(","));
        self.0.push_str("\r\n");
    }
}

/// Renders the minutes as CSV bytes (with BOM).
pub fn render(m: &Minutes, opts: &Options) -> Vec<u8> {
    let lang = m.lang;
    let off = opts.utc_offset_minutes;
    let when = |ms: i64| time::date_time_seconds(ms, off);
    let mut o = Out(String::from("\u{feff}"));
    o.row(HEADER);
    if let Some(c) = &m.congress {
        o.row(["congress", "", "", t(lang, "title"), &c.name, ""]);
        o.row(["congress", "", "", t(lang, "venue"), &c.venue, ""]);
        o.row([
            "congress",
            "",
            "",
            t(lang, "dates"),
            &c.starts_on,
            &c.ends_on,
        ]);
        o.row([
            "congress",
            "",
            "",
            t(lang, "convened"),
            &c.convened.to_string(),
            "",
        ]);
        o.row([
            "congress",
            "",
            "",
            t(lang, "listed"),
            &m.attendance.listed.to_string(),
            "",
        ]);
        o.row([
            "congress",
            "",
            "",
            t(lang, "col_required"),
            &m.attendance.quorum.required.to_string(),
            &format!("{}/{}", c.quorum.numerator, c.quorum.denominator),
        ]);
    }
    for q in &m.quorum_changes {
        o.row([
            "quorum",
            &q.seq.to_string(),
            &when(q.at),
            t(
                lang,
                if q.reached {
                    "quorum_reached"
                } else {
                    "quorum_not_reached"
                },
            ),
            &q.present.to_string(),
            &q.required.to_string(),
        ]);
    }
    for p in &m.presence {
        o.row([
            "presence",
            &p.seq.to_string(),
            &when(p.at),
            t(lang, "col_present"),
            &p.present.to_string(),
            "",
        ]);
    }
    for a in &m.agenda {
        let taken: Vec<String> = a.taken_up.iter().map(|at| when(*at)).collect();
        o.row([
            "agenda",
            &a.id,
            taken.first().map_or("", String::as_str),
            &a.title,
            a.planned_start.as_deref().unwrap_or(""),
            &taken.join("; "),
        ]);
    }
    for v in &m.votes {
        let id = v.spec.id.0.to_string();
        let outcome = v
            .result
            .as_ref()
            .map(|r| outcome_text(v, &r.outcome, lang))
            .unwrap_or_else(|| t(lang, "not_closed").to_string());
        o.row([
            "vote",
            &id,
            &v.closed_at.map(when).unwrap_or_default(),
            &v.spec.title,
            &outcome,
            &format!("{}; {}", kind_text(v, lang), rule_text(&v.spec.rule, lang)),
        ]);
        if let Some(r) = &v.result {
            for (label, count) in count_rows(v, lang) {
                o.row(["vote_count", &id, "", &label, &count.to_string(), ""]);
            }
            if let Some(n) = r.votes_needed {
                o.row([
                    "vote_count",
                    &id,
                    "",
                    t(lang, "col_required"),
                    &n.to_string(),
                    "",
                ]);
            }
        }
        if v.spec.secrecy == Secrecy::Secret {
            o.row(["vote_count", &id, "", t(lang, "secret_note"), "", ""]);
        }
    }
    for b in &m.open_ballots {
        o.row([
            "open_ballot",
            &b.vote_id.to_string(),
            "",
            &b.name,
            &b.choice,
            &b.delegate_id,
        ]);
    }
    for d in &m.documents {
        for v in &d.document.versions {
            let note = v
                .purged_at
                .map(|at| crate::labels::tf(lang, "doc_purged", &[("t", &when(at))]))
                .unwrap_or_default();
            o.row([
                "document",
                &format!("{}/v{}", d.document.id, v.version),
                &when(v.uploaded_at),
                &d.document.title,
                &v.file_name,
                &format!(
                    "{} p.; {}{}{note}",
                    v.pages,
                    v.uploaded_by,
                    if note.is_empty() { "" } else { "; " }
                ),
            ]);
        }
    }
    for s in &m.sections {
        for r in &s.rows {
            let rest = r.cells.get(2..).map(|c| c.join(" · ")).unwrap_or_default();
            o.row([
                s.key,
                &r.seq.to_string(),
                &r.at.map(when).unwrap_or_default(),
                r.cells.first().map_or("", String::as_str),
                r.cells.get(1).map_or("", String::as_str),
                &rest,
            ]);
        }
    }
    o.row([
        "journal",
        &m.head.seq.to_string(),
        &m.last_at.map(when).unwrap_or_default(),
        "head_sha256",
        &m.head.hash,
        &m.events.to_string(),
    ]);
    o.0.into_bytes()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::Lang;
    use crate::model::build;
    use crate::model::tests::session;

    #[test]
    fn quoting_and_formula_guard() {
        assert_eq!(cell("plain"), "plain");
        assert_eq!(cell("a,b"), "\"a,b\"");
        assert_eq!(cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(cell("two\nlines"), "\"two\nlines\"");
        assert_eq!(cell("=1+1"), "'=1+1");
        assert_eq!(cell("+33"), "'+33");
        assert_eq!(cell("-2"), "'-2");
        assert_eq!(cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(cell("=HYPERLINK(\"x\",1)"), "\"'=HYPERLINK(\"\"x\"\",1)\"");
    }

    #[test]
    fn one_table_with_a_section_column() {
        let rec = session();
        let m = build(&rec, Lang::Vi);
        let bytes = render(&m, &Options::default());
        assert_eq!(&bytes[..3], b"\xEF\xBB\xBF");
        let text = String::from_utf8(bytes).unwrap();
        let mut lines = text.trim_start_matches('\u{feff}').split("\r\n");
        assert_eq!(lines.next(), Some("section,ref,time,label,value,detail"));
        assert!(text.contains("quorum,"));
        assert!(text.contains(&format!("journal,{},", m.head.seq)));
        assert!(text.contains(&m.head.hash));
        // open vote: names; secret vote: none.
        assert_eq!(text.matches("open_ballot,1,").count(), 3);
        assert!(!text.contains("open_ballot,2,"));
        assert!(text.contains("Nguyễn Thị Ngọc Ánh"));
    }
}

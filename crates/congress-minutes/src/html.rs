//! The minutes as one self-contained HTML document (inline CSS and SVG, no script, no external
//! resource): laid out as an official record for A4 print, and printed to PDF by headless
//! Chromium on the server.
//!
//! (Over 600 lines on purpose: one renderer, section after section, with its print CSS.)

use std::fmt::Write as _;

use congress_domain::vote::{
    Basis, KindName, MajorityRule, Outcome, Secrecy, Threshold, VoteCounts, VoteKind,
};

use crate::Options;
use crate::labels::{Lang, t, tf};
use crate::model::{Minutes, VoteRow};
use crate::time;

/// Escapes text for HTML content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Wraps left-to-right text (dates, times, numbers with dashes) in a bidi isolate when the
/// document runs right to left, so `2026-12-01 08:00` is never reordered.
fn ltr(lang: Lang, s: &str) -> String {
    if lang.rtl() {
        format!("\u{2066}{s}\u{2069}")
    } else {
        s.to_string()
    }
}

const CSS: &str = r#"
@page { size: A4; margin: 18mm 16mm 20mm 16mm;
  @bottom-center { content: counter(page) " / " counter(pages); font: 9pt "Noto Serif", "DejaVu Serif", serif; direction: ltr; unicode-bidi: isolate; } }
* { box-sizing: border-box; }
body { font: 11.5pt/1.45 "Noto Serif", "DejaVu Serif", "Times New Roman", serif; color: #000;
  margin: 0 auto; max-width: 180mm; padding: 8mm 0; }
header.top { display: flex; justify-content: space-between; gap: 12mm; align-items: flex-start; }
header.top .org { text-transform: uppercase; font-weight: bold; max-width: 60%; text-align: center; }
header.top .org .rule, header.top .place .rule { display: block; width: 40%; margin: 3px auto 0; border-top: 1px solid #000; }
header.top .place { font-style: italic; text-align: center; }
h1 { text-align: center; font-size: 17pt; margin: 9mm 0 1mm; letter-spacing: .04em; }
p.subtitle { text-align: center; font-style: italic; margin: 0 0 6mm; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 1mm 5mm; margin: 0 0 4mm; }
dl.facts dt { font-weight: bold; }
dl.facts dd { margin: 0; }
h2 { font-size: 13pt; margin: 7mm 0 2mm; text-transform: uppercase; break-after: avoid; }
h3 { font-size: 11.5pt; margin: 5mm 0 1.5mm; break-after: avoid; }
table { border-collapse: collapse; width: 100%; margin: 1.5mm 0 3mm; font-size: 10.5pt; }
th, td { border: 0.6pt solid #000; padding: 1.2mm 2mm; text-align: start; vertical-align: top; }
th { background: #eee; font-weight: bold; }
td.num, th.num { text-align: end; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr { break-inside: avoid; }
.vote { break-inside: avoid; border-inline-start: 2pt solid #123a6b; padding-inline-start: 3mm; margin: 3mm 0; }
.vote p { margin: .8mm 0; }
.roll { font-size: 9.5pt; margin: 0 0 3mm; padding-inline-start: 3mm; }
.roll p { margin: .6mm 0; }
.outcome { font-weight: bold; }
.note { font-style: italic; }
.chart { width: 100%; height: auto; margin: 2mm 0; }
figure { margin: 2mm 0; break-inside: avoid; }
figcaption { font-style: italic; font-size: 10pt; text-align: center; }
.closing { break-inside: avoid; margin-top: 8mm; border: 0.8pt solid #000; padding: 3mm 4mm; }
.hash { font-family: "DejaVu Sans Mono", "Noto Sans Mono", monospace; font-size: 10pt; word-break: break-all;
  direction: ltr; unicode-bidi: isolate; display: block; margin: 1.5mm 0; font-weight: bold; }
code { font-family: "DejaVu Sans Mono", monospace; direction: ltr; unicode-bidi: isolate; }
.signatures { display: flex; justify-content: space-between; margin-top: 10mm; break-inside: avoid; text-align: center; }
.signatures div { width: 45%; }
.signatures .who { font-weight: bold; }
.signatures .space { height: 24mm; }
.signatures .line { border-top: 0.6pt dotted #000; width: 80%; margin: 0 auto; }
.empty { font-style: italic; }
@media screen { body { padding: 12mm; } }
"#;

fn roman(n: usize) -> &'static str {
    const R: [&str; 12] = [
        "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII",
    ];
    R.get(n.saturating_sub(1)).copied().unwrap_or("")
}

/// `at least 2/3 of the valid ballots cast`.
pub fn rule_text(rule: &MajorityRule, lang: Lang) -> String {
    let th = match rule.threshold {
        Threshold::MoreThanHalf => t(lang, "th_more_than_half").to_string(),
        Threshold::AtLeastTwoThirds => t(lang, "th_two_thirds").to_string(),
        Threshold::AtLeastFraction { num, den } => tf(
            lang,
            "th_fraction",
            &[("n", &num.to_string()), ("d", &den.to_string())],
        ),
        Threshold::Plurality => return t(lang, "th_plurality").to_string(),
    };
    format!("{th} {}", basis_text(rule.basis, lang))
}

fn basis_text(b: Basis, lang: Lang) -> &'static str {
    t(
        lang,
        match b {
            Basis::ValidBallotsCast => "basis_valid",
            Basis::DelegatesPresent => "basis_present",
            Basis::DelegatesConvened => "basis_convened",
        },
    )
}

/// The turnout against the vote's turnout rule, in words: cast of present (convened), the
/// fewest needed and whether it was met.
pub fn turnout_text(tc: &congress_domain::vote::TurnoutCheck, lang: Lang) -> String {
    let rule = congress_domain::vote::MajorityRule {
        threshold: tc.rule.threshold,
        basis: tc.rule.basis,
    };
    let basis = rule_text(&rule, lang);
    tf(
        lang,
        if tc.met {
            "turnout_met"
        } else {
            "turnout_not_met"
        },
        &[
            ("cast", &tc.cast.to_string()),
            ("present", &tc.present.to_string()),
            ("convened", &tc.convened.to_string()),
            ("needed", &tc.needed.to_string()),
            ("basis", &basis),
        ],
    )
}

/// What the vote decided, in words.
pub fn outcome_text(row: &VoteRow, outcome: &Outcome, lang: Lang) -> String {
    let names = |ids: &[congress_domain::vote::OptionId]| {
        if ids.is_empty() {
            t(lang, "out_nobody").to_string()
        } else {
            ids.iter()
                .map(|i| row.label(*i))
                .collect::<Vec<_>>()
                .join("; ")
        }
    };
    match outcome {
        Outcome::Adopted => t(lang, "out_adopted").into(),
        Outcome::Rejected => t(lang, "out_rejected").into(),
        Outcome::Winner { option } => tf(lang, "out_winner", &[("x", &row.label(*option))]),
        Outcome::TieForFirst { tied } => tf(lang, "out_tie", &[("x", &names(tied))]),
        Outcome::NoMajority => t(lang, "out_no_majority").into(),
        Outcome::Election(e) => {
            let mut parts = vec![tf(lang, "out_elected", &[("x", &names(&e.elected))])];
            if let Some(tie) = &e.tie_for_last_seat {
                parts.push(tf(
                    lang,
                    "out_seat_tie",
                    &[("n", &tie.seats_left.to_string()), ("x", &names(&tie.tied))],
                ));
            }
            if e.unfilled_seats > 0 {
                parts.push(tf(
                    lang,
                    "out_unfilled",
                    &[("n", &e.unfilled_seats.to_string())],
                ));
            }
            parts.join(". ")
        }
        Outcome::InsufficientTurnout => t(lang, "out_insufficient_turnout").into(),
    }
}

/// The kind and secrecy of a vote, in words.
pub fn kind_text(row: &VoteRow, lang: Lang) -> String {
    let kind = match &row.spec.kind {
        VoteKind::Motion => t(lang, "kind_motion").to_string(),
        VoteKind::Choice { .. } => t(lang, "kind_choice").to_string(),
        VoteKind::Election { seats, .. } => {
            tf(lang, "kind_election", &[("seats", &seats.to_string())])
        }
    };
    let secrecy = t(
        lang,
        if row.spec.secrecy == Secrecy::Secret {
            "secret"
        } else {
            "open_vote"
        },
    );
    format!("{kind} — {secrecy}")
}

/// (label, count) rows of a result: ballots by status, then by position or option.
pub fn count_rows(row: &VoteRow, lang: Lang) -> Vec<(String, u64)> {
    let Some(r) = &row.result else {
        return Vec::new();
    };
    let mut out = vec![
        (t(lang, "ballots_cast").to_string(), r.ballots.cast),
        (t(lang, "ballots_valid").to_string(), r.ballots.valid),
        (t(lang, "ballots_invalid").to_string(), r.ballots.invalid),
        (t(lang, "ballots_blank").to_string(), r.ballots.blank),
    ];
    match &r.counts {
        VoteCounts::Motion(m) => {
            out.push((t(lang, "pos_for").into(), m.for_));
            out.push((t(lang, "pos_against").into(), m.against));
            out.push((t(lang, "pos_abstain").into(), m.abstain));
        }
        VoteCounts::Options { options } => {
            for o in options {
                out.push((row.label(o.option), o.votes));
            }
        }
    }
    out
}

/// Who voted what in an open vote, grouped by choice (secret votes have no rows).
fn roll_call(h: &mut String, m: &Minutes, vote_id: u64) {
    let rows: Vec<_> = m
        .open_ballots
        .iter()
        .filter(|b| b.vote_id == vote_id)
        .collect();
    if rows.is_empty() {
        return;
    }
    let mut groups: Vec<(&str, Vec<&str>)> = Vec::new();
    for b in rows {
        match groups.iter_mut().find(|(c, _)| *c == b.choice) {
            Some((_, names)) => names.push(&b.name),
            None => groups.push((&b.choice, vec![&b.name])),
        }
    }
    let _ = write!(
        h,
        "<div class=\"roll\"><p><b>{}</b></p>",
        escape(t(m.lang, "roll_call"))
    );
    for (choice, names) in groups {
        let _ = write!(
            h,
            "<p><b>{} ({}):</b> {}</p>",
            escape(choice),
            names.len(),
            escape(&names.join(", "))
        );
    }
    h.push_str("</div>");
}

/// Renders the minutes as HTML.
pub fn render(m: &Minutes, opts: &Options) -> String {
    let lang = m.lang;
    let off = opts.utc_offset_minutes;
    let when = |ms: i64| ltr(lang, &time::date_time(ms, off));
    let mut h = String::with_capacity(64 * 1024);
    let dir = if lang.rtl() { "rtl" } else { "ltr" };
    let title = match &m.congress {
        Some(c) => format!("{} — {}", t(lang, "title"), c.name),
        None => t(lang, "title").to_string(),
    };
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"{}\" dir=\"{dir}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width\"><title>{}</title><style>{CSS}</style></head><body>",
        lang.code(),
        escape(&title)
    );
    // Header: the congress on one side, place and date on the other.
    let (org, place_date) = match &m.congress {
        Some(c) => {
            let place = c.venue.split(',').next_back().unwrap_or(&c.venue).trim();
            let date = m.last_at.map(|at| time::civil(at, off));
            let pd = match date {
                Some(d) => {
                    let (dd, mm, yy) = (
                        format!("{:02}", d.day),
                        format!("{:02}", d.month),
                        d.year.to_string(),
                    );
                    let filled = tf(
                        lang,
                        "place_date",
                        &[("place", place), ("d", &dd), ("m", &mm), ("y", &yy)],
                    );
                    // keep a numeric date in one left-to-right run in Arabic
                    let iso = format!("{yy}-{mm}-{dd}");
                    filled.replacen(&iso, &ltr(lang, &iso), 1)
                }
                None => place.to_string(),
            };
            (c.name.clone(), pd)
        }
        None => (t(lang, "no_congress").to_string(), String::new()),
    };
    let _ = write!(
        h,
        "<header class=\"top\"><div class=\"org\">{}<span class=\"rule\"></span></div>\
         <div class=\"place\">{}</div></header>",
        escape(&org),
        escape(&place_date)
    );
    let _ = write!(
        h,
        "<h1>{}</h1><p class=\"subtitle\">{}</p>",
        escape(t(lang, "title")),
        escape(t(lang, "subtitle"))
    );
    h.push_str("<dl class=\"facts\">");
    let mut fact = |k: &str, v: &str| {
        let _ = write!(h, "<dt>{}</dt><dd>{}</dd>", escape(t(lang, k)), escape(v));
    };
    if let Some(c) = &m.congress {
        fact("venue", &c.venue);
        fact(
            "dates",
            &tf(
                lang,
                "from_to",
                &[
                    ("from", &ltr(lang, &c.starts_on)),
                    ("to", &ltr(lang, &c.ends_on)),
                ],
            ),
        );
        fact("convened", &c.convened.to_string());
        fact("listed", &m.attendance.listed.to_string());
        fact(
            "quorum_rule",
            &tf(
                lang,
                "quorum_rule_text",
                &[
                    ("n", &c.quorum.numerator.to_string()),
                    ("d", &c.quorum.denominator.to_string()),
                    ("req", &m.attendance.quorum.required.to_string()),
                ],
            ),
        );
    }
    h.push_str("</dl>");
    let _ = write!(
        h,
        "<p class=\"note\">{}</p>",
        escape(&tf(lang, "times_in", &[("tz", &time::offset_label(off))]))
    );

    let mut n = 0;
    let mut section = |h: &mut String, key: &str| {
        n += 1;
        let _ = write!(h, "<h2>{}. {}</h2>", roman(n), escape(t(lang, key)));
    };

    // Attendance and quorum.
    section(&mut h, "sec_attendance");
    if m.presence.is_empty() {
        let _ = write!(
            h,
            "<p class=\"empty\">{}</p>",
            escape(t(lang, "no_attendance"))
        );
    } else {
        let a = &m.attendance;
        let _ = write!(
            h,
            "<p>{}</p>",
            escape(&tf(
                lang,
                "attendance_final",
                &[
                    ("present", &a.present.to_string()),
                    ("left", &a.left.to_string()),
                    ("absent", &a.absent.to_string()),
                ],
            ))
        );
        if let Some(p) = m.peak() {
            let _ = write!(
                h,
                "<p>{}</p>",
                escape(&tf(
                    lang,
                    "attendance_peak",
                    &[("max", &p.present.to_string()), ("t", &when(p.at))],
                ))
            );
        }
        let required = a.quorum.required;
        let day = |ms: i64| {
            let c = time::civil(ms, off);
            (c.year, c.month, c.day)
        };
        let same_day = m.presence.first().map(|p| day(p.at)) == m.last_at.map(day);
        let svg = crate::chart::presence_svg(
            &m.presence,
            m.last_at.unwrap_or(0),
            required,
            a.quorum.convened,
            &|ms| {
                if same_day {
                    time::clock(ms, off)
                } else {
                    time::date_time(ms, off)
                }
            },
            (
                t(lang, "chart_title"),
                &tf(lang, "chart_quorum", &[("req", &required.to_string())]),
            ),
        );
        let _ = write!(
            h,
            "<figure>{svg}<figcaption>{}</figcaption></figure>",
            escape(t(lang, "chart_title"))
        );
    }
    if !m.quorum_changes.is_empty() {
        let _ = write!(
            h,
            "<h3>{}</h3><table><thead><tr><th>{}</th><th class=\"num\">{}</th><th class=\"num\">{}</th><th>{}</th></tr></thead><tbody>",
            escape(t(lang, "quorum_changes")),
            escape(t(lang, "col_time")),
            escape(t(lang, "col_present")),
            escape(t(lang, "col_required")),
            escape(t(lang, "col_quorum"))
        );
        for c in &m.quorum_changes {
            let _ = write!(
                h,
                "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td>{}</td></tr>",
                escape(&when(c.at)),
                c.present,
                c.required,
                escape(t(
                    lang,
                    if c.reached {
                        "quorum_reached"
                    } else {
                        "quorum_not_reached"
                    }
                ))
            );
        }
        h.push_str("</tbody></table>");
    }

    // Agenda.
    section(&mut h, "sec_agenda");
    if m.agenda.is_empty() {
        let _ = write!(h, "<p class=\"empty\">{}</p>", escape(t(lang, "no_agenda")));
    } else {
        let _ = write!(
            h,
            "<table><thead><tr><th class=\"num\">{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>",
            escape(t(lang, "col_no")),
            escape(t(lang, "col_item")),
            escape(t(lang, "col_planned")),
            escape(t(lang, "col_taken_up"))
        );
        for (i, a) in m.agenda.iter().enumerate() {
            let taken = if a.taken_up.is_empty() {
                t(lang, "not_taken_up").to_string()
            } else {
                a.taken_up
                    .iter()
                    .map(|at| when(*at))
                    .collect::<Vec<_>>()
                    .join("; ")
            };
            let _ = write!(
                h,
                "<tr><td class=\"num\">{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                i + 1,
                escape(&a.title),
                escape(&ltr(
                    lang,
                    &a.planned_start
                        .clone()
                        .unwrap_or_default()
                        .replace('T', " ")
                )),
                escape(&taken)
            );
        }
        h.push_str("</tbody></table>");
    }

    // Votes.
    section(&mut h, "sec_votes");
    if m.votes.is_empty() {
        let _ = write!(h, "<p class=\"empty\">{}</p>", escape(t(lang, "no_votes")));
    }
    for v in &m.votes {
        let _ = write!(
            h,
            "<div class=\"vote\"><h3>{}</h3>",
            escape(&tf(
                lang,
                "vote_heading",
                &[("id", &v.spec.id.0.to_string()), ("title", &v.spec.title)],
            ))
        );
        let mut kind = kind_text(v, lang);
        if let Some(of) = v.spec.runoff_of {
            kind.push_str(" — ");
            kind.push_str(&tf(lang, "runoff_of", &[("id", &of.0.to_string())]));
        }
        let _ = write!(h, "<p>{}</p>", escape(&kind));
        let _ = write!(
            h,
            "<p><b>{}:</b> {}</p>",
            escape(t(lang, "rule")),
            escape(&rule_text(&v.spec.rule, lang))
        );
        let _ = write!(
            h,
            "<p><b>{}:</b> {} &nbsp; <b>{}:</b> {}</p>",
            escape(t(lang, "opened_at")),
            escape(
                &v.opened_at
                    .map_or_else(|| t(lang, "not_opened").to_string(), when)
            ),
            escape(t(lang, "closed_at")),
            escape(
                &v.closed_at
                    .map_or_else(|| t(lang, "not_closed").to_string(), when)
            ),
        );
        if let Some(r) = &v.result {
            let _ = write!(
                h,
                "<table><thead><tr><th>{}</th><th class=\"num\">{}</th></tr></thead><tbody>",
                escape(t(
                    lang,
                    if r.kind == KindName::Motion {
                        "col_item"
                    } else {
                        "col_option"
                    }
                )),
                escape(t(lang, "col_votes"))
            );
            for (label, count) in count_rows(v, lang) {
                let _ = write!(
                    h,
                    "<tr><td>{}</td><td class=\"num\">{count}</td></tr>",
                    escape(&label)
                );
            }
            h.push_str("</tbody></table>");
            let mut basis = tf(
                lang,
                "basis_value",
                &[
                    ("basis", basis_text(r.rule.basis, lang)),
                    ("value", &r.basis_value.to_string()),
                ],
            );
            if let Some(needed) = r.votes_needed {
                basis.push_str(" — ");
                basis.push_str(&tf(lang, "votes_needed", &[("n", &needed.to_string())]));
            }
            let _ = write!(h, "<p>{}</p>", escape(&basis));
            if let Some(tc) = &r.turnout {
                let _ = write!(h, "<p>{}</p>", escape(&turnout_text(tc, lang)));
            }
            let _ = write!(
                h,
                "<p class=\"outcome\">{}: {}</p>",
                escape(t(lang, "outcome")),
                escape(&outcome_text(v, &r.outcome, lang))
            );
        }
        if v.spec.secrecy == Secrecy::Secret {
            let _ = write!(
                h,
                "<p class=\"note\">{}</p>",
                escape(t(lang, "secret_note"))
            );
        }
        if let Some(lost) = m.quorum_lost_during(v) {
            let _ = write!(
                h,
                "<p class=\"note\">{}</p>",
                escape(&tf(
                    lang,
                    "quorum_lost_during_vote",
                    &[
                        ("time", &when(lost.at)),
                        ("present", &lost.present.to_string()),
                        ("required", &lost.required.to_string()),
                    ]
                ))
            );
        }
        roll_call(&mut h, m, v.spec.id.0);
        h.push_str("</div>");
    }

    // Documents.
    section(&mut h, "sec_documents");
    if m.documents.is_empty() {
        let _ = write!(
            h,
            "<p class=\"empty\">{}</p>",
            escape(t(lang, "no_documents"))
        );
    } else {
        let _ = write!(h, "<table><thead><tr>");
        for k in [
            "col_document",
            "col_version",
            "col_file",
            "col_pages",
            "col_issued",
            "col_by",
            "col_note",
        ] {
            let _ = write!(h, "<th>{}</th>", escape(t(lang, k)));
        }
        h.push_str("</tr></thead><tbody>");
        for d in &m.documents {
            for v in &d.document.versions {
                let mut title = d.document.title.clone();
                if let Some(a) = &d.agenda_title {
                    title = format!("{title} ({a})");
                }
                let note = v
                    .purged_at
                    .map(|at| tf(lang, "doc_purged", &[("t", &when(at))]))
                    .unwrap_or_default();
                let _ = write!(
                    h,
                    "<tr><td>{}</td><td class=\"num\">{}</td><td>{}</td><td class=\"num\">{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                    escape(&title),
                    v.version,
                    escape(&v.file_name),
                    v.pages,
                    escape(&when(v.uploaded_at)),
                    escape(&v.uploaded_by),
                    escape(&note)
                );
            }
        }
        h.push_str("</tbody></table>");
    }

    // Extra sections (speakers, notices...).
    for s in &m.sections {
        n += 1;
        let _ = write!(
            h,
            "<h2>{}. {}</h2><table><thead><tr>",
            roman(n),
            escape(&s.title)
        );
        for c in &s.columns {
            let _ = write!(h, "<th>{}</th>", escape(c));
        }
        h.push_str("</tr></thead><tbody>");
        for r in &s.rows {
            h.push_str("<tr>");
            for c in &r.cells {
                let _ = write!(h, "<td>{}</td>", escape(c));
            }
            h.push_str("</tr>");
        }
        h.push_str("</tbody></table>");
    }

    // Closing: the journal head and how to check it.
    let _ = write!(
        h,
        "<section class=\"closing\"><h2>{}</h2><p>{}</p><span class=\"hash\">{}</span><p>{}</p><p class=\"note\">{}</p></section>",
        escape(t(lang, "sec_closing")),
        escape(&tf(
            lang,
            "closing_text",
            &[
                ("events", &m.events.to_string()),
                ("seq", &m.head.seq.to_string())
            ],
        )),
        escape(&m.head.hash),
        escape(&tf(lang, "verify_text", &[("cmd", "\u{1}")]))
            .replace('\u{1}', "<code>congress verify --data DIR</code>"),
        escape(&tf(
            lang,
            "generated",
            &[(
                "t",
                &ltr(
                    lang,
                    &m.last_at
                        .map(|at| time::date_time_seconds(at, off))
                        .unwrap_or_default(),
                ),
            )],
        )),
    );
    let _ = write!(
        h,
        "<div class=\"signatures\"><div><p class=\"who\">{}</p><p class=\"note\">{}</p><div class=\"space\"></div><div class=\"line\"></div></div>\
         <div><p class=\"who\">{}</p><p class=\"note\">{}</p><div class=\"space\"></div><div class=\"line\"></div></div></div>",
        escape(t(lang, "sign_secretariat")),
        escape(t(lang, "sign_hint")),
        escape(t(lang, "sign_chair")),
        escape(t(lang, "sign_hint")),
    );
    h.push_str("</body></html>\n");
    h
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::model::build;
    use crate::model::tests::session;

    #[test]
    fn the_record_has_every_part_in_each_language() {
        let rec = session();
        for lang in [Lang::Vi, Lang::En, Lang::Ar] {
            let m = build(&rec, lang);
            let html = render(
                &m,
                &Options {
                    lang,
                    utc_offset_minutes: 420,
                },
            );
            assert!(html.starts_with("<!DOCTYPE html>"));
            assert!(html.contains(&m.head.hash), "head hash");
            assert!(html.contains("congress verify"));
            assert!(html.contains("<svg"), "chart");
            assert!(html.contains("Đại hội đại biểu lần thứ XVI"));
            assert!(html.contains("Thông qua quy chế bầu cử"));
            assert!(html.contains(t(lang, "sign_chair")));
            assert!(html.contains(t(lang, "out_adopted")));
            assert_eq!(html.contains("dir=\"rtl\""), lang == Lang::Ar);
            // Names appear only in the open vote's roll call (3 ballots), never for the secret one.
            assert_eq!(html.matches("Nguyễn Thị Ngọc Ánh").count(), 1);
            assert_eq!(html.matches("class=\"roll\"").count(), 1);
            assert!(!html.contains("<script"));
        }
        let vi = render(&build(&rec, Lang::Vi), &Options::default());
        assert!(vi.contains("BIÊN BẢN ĐẠI HỘI") && vi.contains("Tán thành"));
        assert!(vi.contains("08:0"), "times at UTC+7: {}", &vi[..0]);
    }

    #[test]
    fn text_is_escaped() {
        assert_eq!(
            escape("<b>\"x\" & 'y'</b>"),
            "&lt;b&gt;&quot;x&quot; &amp; &#39;y&#39;&lt;/b&gt;"
        );
    }
}

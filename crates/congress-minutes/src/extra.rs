//! Extra sections of the minutes, added by other parts of the system without touching the
//! renderers: a section is a title and a table, and both the HTML and the CSV show it.
//!
//! **To add one** (the speakers' list, the notices): write a [`SectionFn`] that reads the
//! records it knows (e.g. `Event::Meeting(MeetingEvent::SpeakerGranted)`) and returns `None` when it has nothing, add
//! its labels to [`crate::labels`], and append it to [`SECTIONS`]. That is all.

use congress_domain::CongressState;
use congress_domain::{GroupEvent, MeetingEvent, NoticeEvent};

use congress_domain::Event;
use congress_proto::{NoticeAudience, SpeakerKind};

use crate::Record;
use crate::labels::{Lang, t, tf};

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
pub const SECTIONS: &[SectionFn] = &[speakers, group_summaries, notices];

fn item_title(state: &CongressState, item_id: &str) -> String {
    state
        .agenda
        .items
        .iter()
        .find(|i| i.id == item_id)
        .map_or_else(|| item_id.to_string(), |i| i.title.clone())
}

fn person(state: &CongressState, delegate_id: &str) -> String {
    state
        .delegates
        .get(delegate_id)
        .map_or_else(|| delegate_id.to_string(), |d| d.full_name.clone())
}

fn mm_ss(seconds: i64) -> String {
    let s = seconds.max(0);
    format!("{}:{:02}", s / 60, s % 60)
}

fn columns(lang: Lang, keys: &[&str]) -> Vec<String> {
    keys.iter().map(|k| t(lang, k).to_string()).collect()
}

/// Every speech that ended (`speaker_finished`): item, speaker, kind, how long, time allowed.
fn speakers(records: &[Record], state: &CongressState, lang: Lang) -> Option<Section> {
    let rows: Vec<SectionRow> = records
        .iter()
        .filter_map(|r| match &r.event {
            Event::Meeting(MeetingEvent::SpeakerFinished {
                item_id,
                delegate_id,
                kind,
                started_at,
                ended_at,
                limit_s,
                ..
            }) => {
                let kind = match kind {
                    SpeakerKind::Normal => "sp_normal",
                    SpeakerKind::Reply => "sp_reply",
                    SpeakerKind::PointOfOrder => "sp_point_of_order",
                };
                Some(SectionRow {
                    seq: r.seq,
                    at: Some(*started_at),
                    cells: vec![
                        item_title(state, item_id),
                        person(state, delegate_id),
                        t(lang, kind).to_string(),
                        mm_ss((ended_at - started_at) / 1000),
                        mm_ss(i64::from(*limit_s)),
                    ],
                })
            }
            _ => None,
        })
        .collect();
    (!rows.is_empty()).then(|| Section {
        key: "speakers",
        title: t(lang, "sp_title").to_string(),
        columns: columns(
            lang,
            &[
                "sp_item",
                "sp_speaker",
                "sp_kind",
                "sp_duration",
                "sp_limit",
            ],
        ),
        rows,
    })
}

/// Every submitted discussion-group summary, as submitted.
fn group_summaries(records: &[Record], state: &CongressState, lang: Lang) -> Option<Section> {
    let rows: Vec<SectionRow> = records
        .iter()
        .filter_map(|r| match &r.event {
            Event::Groups(GroupEvent::GroupSummarySubmitted { summary }) => Some(SectionRow {
                seq: r.seq,
                at: Some(summary.submitted_at.unwrap_or(summary.at)),
                cells: vec![
                    summary.group.clone(),
                    item_title(state, &summary.item_id),
                    summary.text.clone(),
                ],
            }),
            _ => None,
        })
        .collect();
    (!rows.is_empty()).then(|| Section {
        key: "group_summaries",
        title: t(lang, "gs_title").to_string(),
        columns: columns(lang, &["gs_group", "gs_item", "gs_text"]),
        rows,
    })
}

/// Every notice sent, with its audience and how many of its addressees read it.
fn notices(records: &[Record], state: &CongressState, lang: Lang) -> Option<Section> {
    let mut read: std::collections::HashMap<u64, usize> = std::collections::HashMap::new();
    for r in records {
        if let Event::Notices(NoticeEvent::NoticeRead { receipt }) = &r.event {
            *read.entry(receipt.notice_id).or_default() += 1;
        }
    }
    let rows: Vec<SectionRow> = records
        .iter()
        .filter_map(|r| match &r.event {
            Event::Notices(NoticeEvent::NoticeSent { notice }) => {
                let to = match &notice.audience {
                    NoticeAudience::All => t(lang, "nt_all").to_string(),
                    NoticeAudience::Group { group } => tf(lang, "nt_group", &[("group", group)]),
                    NoticeAudience::Delegate { delegate_id } => person(state, delegate_id),
                };
                Some(SectionRow {
                    seq: r.seq,
                    at: Some(notice.at),
                    cells: vec![
                        to,
                        notice.text.clone(),
                        notice.by.clone(),
                        read.get(&notice.id).copied().unwrap_or(0).to_string(),
                    ],
                })
            }
            _ => None,
        })
        .collect();
    (!rows.is_empty()).then(|| Section {
        key: "notices",
        title: t(lang, "nt_title").to_string(),
        columns: columns(lang, &["nt_audience", "nt_text", "nt_by", "nt_read"]),
        rows,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use congress_domain::CongressEvent;
    use congress_domain::meeting::FinishReason;
    use congress_proto::Notice;

    use crate::labels::Lang;
    use crate::model::tests::session;
    use crate::{Record, build};

    use super::*;

    fn push(records: &mut Vec<Record>, event: Event) {
        let seq = records.len() as u64 + 1;
        let at = records.last().map_or(0, |r| r.at) + 1_000;
        records.push(Record {
            seq,
            at,
            actor: "operator:admin".into(),
            event,
            hash: format!("{seq:064x}"),
        });
    }

    #[test]
    fn speeches_notices_and_summaries_become_sections_in_html_and_csv() {
        let mut records = session();
        let delegate = match records.iter().find_map(|r| match &r.event {
            Event::Congress(CongressEvent::DelegatesImported { delegates }) => {
                delegates.first().cloned()
            }
            _ => None,
        }) {
            Some(d) => d,
            None => panic!("the session imports delegates"),
        };
        let t0 = records.last().unwrap().at;
        push(
            &mut records,
            Event::Meeting(MeetingEvent::SpeakerFinished {
                request_id: 1,
                item_id: "missing-item".into(),
                delegate_id: delegate.id.clone(),
                kind: SpeakerKind::PointOfOrder,
                started_at: t0,
                ended_at: t0 + 95_000,
                limit_s: 180,
                reason: FinishReason::Stopped,
            }),
        );
        push(
            &mut records,
            Event::Notices(NoticeEvent::NoticeSent {
                notice: Notice {
                    id: 1,
                    text: "=cmd <b>Giải lao</b> 15 phút".into(),
                    audience: NoticeAudience::All,
                    at: t0,
                    by: "admin".into(),
                },
            }),
        );
        let minutes = build(&records, Lang::Vi);
        let keys: Vec<_> = minutes.sections.iter().map(|s| s.key).collect();
        assert_eq!(keys, ["speakers", "notices"]);
        let speech = &minutes.sections[0].rows[0].cells;
        assert_eq!(speech[1], delegate.full_name);
        assert_eq!(speech[2], "Kiến nghị về thủ tục");
        assert_eq!(speech[3], "1:35");
        assert_eq!(speech[4], "3:00");
        let html = crate::html::render(&minutes, &crate::Options::default());
        assert!(html.contains("Danh sách phát biểu"));
        assert!(
            html.contains("&lt;b&gt;Giải lao&lt;/b&gt;"),
            "notice text escaped"
        );
        let csv =
            String::from_utf8(crate::csv::render(&minutes, &crate::Options::default())).unwrap();
        assert!(
            csv.contains("'=cmd"),
            "formula injection guarded in the CSV"
        );
    }
}

//! The minutes as data: everything the HTML and CSV show, built by replaying the journal
//! records into a fresh `CongressState` and noting, on the way, what only the history knows
//! (when the quorum changed, when each item was taken up).

use congress_domain::vote::SpecRules;
use congress_domain::vote::lifecycle::VotePhase;
use congress_domain::vote::{BallotChoice, MotionPosition, VoteResult, VoteSpec};
use congress_domain::{AttendanceEvent, MeetingEvent};
use congress_domain::{CongressState, Event};
use congress_proto::{AttendanceSummary, Congress, Document, JournalHead};

use crate::Record;
use crate::extra::Section;
use crate::labels::{Lang, t};

/// The number present right after an attendance change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PresencePoint {
    pub seq: u64,
    pub at: i64,
    pub present: u32,
}

/// The quorum became reached or was lost (the first row is the state at the start).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuorumChange {
    pub seq: u64,
    pub at: i64,
    pub present: u32,
    pub required: u32,
    pub reached: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgendaRow {
    pub id: String,
    pub title: String,
    pub planned_start: Option<String>,
    /// Every time the item was made the current one.
    pub taken_up: Vec<i64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct VoteRow {
    pub spec: VoteSpec,
    pub opened_at: Option<i64>,
    pub closed_at: Option<i64>,
    pub result: Option<VoteResult>,
}

impl VoteRow {
    /// The label of an option or candidate id.
    pub fn label(&self, id: congress_domain::vote::OptionId) -> String {
        self.spec
            .kind
            .options()
            .iter()
            .find(|o| o.id == id)
            .map_or_else(|| id.0.to_string(), |o| o.label.clone())
    }
}

/// One ballot of an open vote (who voted what is public there). Never built for secret votes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenBallotRow {
    pub vote_id: u64,
    pub delegate_id: String,
    pub name: String,
    pub choice: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DocRow {
    pub document: Document,
    pub agenda_title: Option<String>,
}

/// The minutes.
#[derive(Debug, Clone, PartialEq)]
pub struct Minutes {
    pub lang: Lang,
    pub congress: Option<Congress>,
    pub attendance: AttendanceSummary,
    pub presence: Vec<PresencePoint>,
    pub quorum_changes: Vec<QuorumChange>,
    pub agenda: Vec<AgendaRow>,
    pub votes: Vec<VoteRow>,
    pub open_ballots: Vec<OpenBallotRow>,
    pub documents: Vec<DocRow>,
    /// Extra sections (speakers, notices...), see [`crate::extra`].
    pub sections: Vec<Section>,
    /// The last record: anyone can check the minutes against it with `congress verify`.
    pub head: JournalHead,
    pub events: u64,
    pub first_at: Option<i64>,
    pub last_at: Option<i64>,
}

impl Minutes {
    /// The first time the quorum was lost while `v` was open (the result still records the
    /// attendance at its close).
    pub fn quorum_lost_during(&self, v: &VoteRow) -> Option<QuorumChange> {
        let opened = v.opened_at?;
        self.quorum_changes
            .iter()
            .find(|c| !c.reached && c.at >= opened && v.closed_at.is_none_or(|end| c.at <= end))
            .copied()
    }

    /// The most delegates present at once, and the first time it happened.
    pub fn peak(&self) -> Option<PresencePoint> {
        self.presence
            .iter()
            .copied()
            .reduce(|best, p| if p.present > best.present { p } else { best })
    }
}

/// Builds the minutes from the whole journal, in order.
pub fn build(records: &[Record], lang: Lang) -> Minutes {
    let mut state = CongressState::default();
    let mut presence = Vec::new();
    let mut quorum_changes: Vec<QuorumChange> = Vec::new();
    let mut taken_up: Vec<(String, i64)> = Vec::new();
    for rec in records {
        state.apply(&rec.event);
        if let Event::Attendance(AttendanceEvent::AttendanceChanged { .. }) = &rec.event {
            presence.push(PresencePoint {
                seq: rec.seq,
                at: rec.at,
                present: state.summary().present,
            });
        }
        // Any event may move the quorum: attendance, the congress's definition, and credentials
        // (a seat withdrawn lowers the convened count).
        let q = state.summary().quorum;
        let changed = quorum_changes
            .last()
            .is_none_or(|last| last.reached != q.reached);
        if state.congress.is_some() && changed {
            quorum_changes.push(QuorumChange {
                seq: rec.seq,
                at: rec.at,
                present: q.present,
                required: q.required,
                reached: q.reached,
            });
        }
        if let Event::Meeting(MeetingEvent::CurrentItemSet { item_id: Some(id) }) = &rec.event {
            taken_up.push((id.clone(), rec.at));
        }
    }
    let agenda = state
        .agenda
        .items
        .iter()
        .map(|i| AgendaRow {
            id: i.id.clone(),
            title: i.title.clone(),
            planned_start: i.planned_start.clone(),
            taken_up: taken_up
                .iter()
                .filter(|(id, _)| id == &i.id)
                .map(|(_, at)| *at)
                .collect(),
        })
        .collect();
    let votes: Vec<VoteRow> = state
        .votes
        .values()
        .map(|v| {
            let (opened_at, closed_at) = match v.phase {
                VotePhase::Draft => (None, None),
                VotePhase::Open { opened_at, .. } => (Some(opened_at), None),
                VotePhase::Closed {
                    opened_at,
                    closed_at,
                } => (Some(opened_at), Some(closed_at)),
            };
            VoteRow {
                spec: v.spec.clone(),
                opened_at,
                closed_at,
                result: v.result.clone(),
            }
        })
        .collect();
    let mut open_ballots = Vec::new();
    for (row, rec) in votes.iter().zip(state.votes.values()) {
        if !row.spec.shows_who_voted_what() || row.closed_at.is_none() {
            continue;
        }
        for (delegate_id, (_, ballot)) in &rec.open_ballots {
            open_ballots.push(OpenBallotRow {
                vote_id: row.spec.id.0,
                delegate_id: delegate_id.clone(),
                name: state
                    .delegates
                    .get(delegate_id)
                    .map_or_else(|| delegate_id.clone(), |d| d.full_name.clone()),
                choice: choice_text(row, ballot.choice(), lang),
            });
        }
    }
    let documents = state
        .docs
        .documents
        .values()
        .map(|d| DocRow {
            agenda_title: d.agenda_item_id.as_ref().and_then(|id| {
                state
                    .agenda
                    .items
                    .iter()
                    .find(|i| &i.id == id)
                    .map(|i| i.title.clone())
            }),
            document: d.clone(),
        })
        .collect();
    let sections = crate::extra::SECTIONS
        .iter()
        .filter_map(|f| f(records, &state, lang))
        .collect();
    let head = records.last().map_or_else(
        || JournalHead {
            seq: 0,
            hash: congress_genesis(),
        },
        |r| JournalHead {
            seq: r.seq,
            hash: r.hash.clone(),
        },
    );
    Minutes {
        lang,
        congress: state.congress.clone(),
        attendance: state.summary(),
        presence,
        quorum_changes,
        agenda,
        votes,
        open_ballots,
        documents,
        sections,
        head,
        events: records.len() as u64,
        first_at: records.first().map(|r| r.at),
        last_at: records.last().map(|r| r.at),
    }
}

/// The hash of an empty journal (`congress_store::GENESIS_HASH`: 64 zeros).
fn congress_genesis() -> String {
    "0".repeat(64)
}

/// What a ballot says, in words.
pub fn choice_text(row: &VoteRow, choice: &BallotChoice, lang: Lang) -> String {
    match choice {
        BallotChoice::Motion { position } => t(
            lang,
            match position {
                MotionPosition::For => "pos_for",
                MotionPosition::Against => "pos_against",
                MotionPosition::Abstain => "pos_abstain",
            },
        )
        .to_string(),
        BallotChoice::Choice { option } => row.label(*option),
        BallotChoice::Election { kept } => kept
            .iter()
            .map(|k| row.label(*k))
            .collect::<Vec<_>>()
            .join("; "),
        BallotChoice::Blank => t(lang, "ballots_blank").to_string(),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
pub(crate) mod tests {
    use super::*;
    use congress_domain::vote::lifecycle::BallotRequest;
    use congress_domain::vote::{Secrecy, VoteId, VoteKind};
    use congress_domain::{
        AttendanceCommand, Command, CongressCommand, Context, MeetingCommand, VoteCommand, decide,
    };
    use congress_proto::{
        AgendaItem, AttendanceSource, AttendanceStatus, Delegate, QuorumRule, Role,
    };

    /// A small congress run through the real rules: 4 delegates convened 3 (quorum 2), check-ins,
    /// an open vote and a secret vote, two items taken up. Returns records with a fake chain.
    pub fn session() -> Vec<Record> {
        let mut state = CongressState::default();
        let mut out = Vec::new();
        let mut now = 1_764_550_800_000; // 2025-12-01 01:00 UTC
        let mut run = |cmd: Command, state: &mut CongressState, out: &mut Vec<Record>| {
            now += 60_000;
            for e in decide(state, &cmd, Context { now }).expect("accepted") {
                state.apply(&e);
                if e.is_secret_ballot() {
                    continue; // sealed, as the engine does
                }
                let seq = out.len() as u64 + 1;
                out.push(Record {
                    seq,
                    at: now,
                    actor: "operator:admin".into(),
                    event: e,
                    hash: format!("{seq:064x}"),
                });
            }
        };
        run(
            Command::Congress(CongressCommand::DefineCongress(Congress {
                name: "Đại hội đại biểu lần thứ XVI".into(),
                venue: "Hội trường Thống Nhất".into(),
                starts_on: "2025-12-01".into(),
                ends_on: "2025-12-03".into(),
                convened: 3,
                quorum: QuorumRule::default(),
            })),
            &mut state,
            &mut out,
        );
        let names = [
            "Nguyễn Thị Ngọc Ánh",
            "عبد الله بن محمد",
            "Trần Văn Bách",
            "Lê Hoà",
        ];
        run(
            Command::Congress(CongressCommand::ImportDelegates(
                names
                    .iter()
                    .enumerate()
                    .map(|(i, n)| Delegate {
                        id: format!("D{}", i + 1),
                        full_name: (*n).into(),
                        unit: "Đảng bộ".into(),
                        seat: "A".into(),
                        group: "Tổ 1".into(),
                        roles: vec![Role::Delegate],
                    })
                    .collect(),
            )),
            &mut state,
            &mut out,
        );
        run(
            Command::Meeting(MeetingCommand::DefineAgenda(vec![
                AgendaItem {
                    id: "A1".into(),
                    title: "Khai mạc".into(),
                    planned_start: Some("2025-12-01T08:00".into()),
                    planned_minutes: Some(30),
                },
                AgendaItem {
                    id: "A2".into(),
                    title: "Bầu Đoàn Chủ tịch".into(),
                    planned_start: None,
                    planned_minutes: None,
                },
                AgendaItem {
                    id: "A3".into(),
                    title: "Bế mạc".into(),
                    planned_start: None,
                    planned_minutes: None,
                },
            ])),
            &mut state,
            &mut out,
        );
        let att = |id: &str, status| {
            Command::Attendance(AttendanceCommand::SetAttendance {
                delegate_id: id.into(),
                status,
                source: AttendanceSource::Operator {
                    username: "thamtra".into(),
                },
                kiosk: None,
                reason: Some("Kiểm tra CCCD".into()),
            })
        };
        run(att("D1", AttendanceStatus::Present), &mut state, &mut out);
        run(att("D2", AttendanceStatus::Present), &mut state, &mut out); // quorum reached
        run(att("D3", AttendanceStatus::Present), &mut state, &mut out);
        run(
            Command::Meeting(MeetingCommand::SetCurrentItem(Some("A1".into()))),
            &mut state,
            &mut out,
        );
        run(
            Command::Meeting(MeetingCommand::SetCurrentItem(Some("A2".into()))),
            &mut state,
            &mut out,
        );
        for (secrecy, title) in [
            (Secrecy::Open, "Thông qua chương trình"),
            (Secrecy::Secret, "Thông qua quy chế bầu cử"),
        ] {
            let id = congress_domain::vote::lifecycle::next_vote_id(&state.votes);
            run(
                Command::Votes(VoteCommand::CreateVote {
                    spec: VoteSpec::new(VoteId(id), title, VoteKind::Motion, secrecy),
                    duration_s: None,
                }),
                &mut state,
                &mut out,
            );
            run(
                Command::Votes(VoteCommand::OpenVote { vote_id: id }),
                &mut state,
                &mut out,
            );
            for (d, pos) in [
                ("D1", MotionPosition::For),
                ("D2", MotionPosition::Against),
                ("D3", MotionPosition::For),
            ] {
                run(
                    Command::Votes(VoteCommand::CastBallot(BallotRequest {
                        vote_id: id,
                        delegate_id: d.into(),
                        receipt: format!("R{id}{d}"),
                        id_hash: format!("idh-{id}-{d}"),
                        check_hash: format!("chk-{id}-{d}"),
                        choice: BallotChoice::Motion { position: pos },
                    })),
                    &mut state,
                    &mut out,
                );
            }
            run(
                Command::Votes(VoteCommand::CloseVote { vote_id: id }),
                &mut state,
                &mut out,
            );
        }
        run(att("D2", AttendanceStatus::Left), &mut state, &mut out);
        run(att("D3", AttendanceStatus::Left), &mut state, &mut out); // quorum lost
        out
    }

    #[test]
    fn quorum_timeline_agenda_and_vote_rows() {
        let rec = session();
        let m = build(&rec, Lang::Vi);
        assert_eq!(
            m.presence.iter().map(|p| p.present).collect::<Vec<_>>(),
            [1, 2, 3, 2, 1]
        );
        let q: Vec<(bool, u32)> = m
            .quorum_changes
            .iter()
            .map(|c| (c.reached, c.present))
            .collect();
        assert_eq!(q, [(false, 0), (true, 2), (false, 1)]);
        assert!(m.quorum_changes.iter().all(|c| c.required == 2));
        assert_eq!(m.agenda[0].taken_up.len(), 1);
        assert_eq!(m.agenda[2].taken_up.len(), 0);
        assert_eq!(m.votes.len(), 2);
        for v in &m.votes {
            let r = v.result.as_ref().expect("closed");
            assert_eq!(r.ballots.cast, 3);
            assert!(v.closed_at.is_some());
        }
        // Open vote: who voted what; secret vote: nothing per delegate.
        assert_eq!(m.open_ballots.len(), 3);
        assert!(
            m.open_ballots
                .iter()
                .all(|b| b.vote_id == m.votes[0].spec.id.0)
        );
        assert_eq!(m.open_ballots[1].choice, "Không tán thành");
        assert_eq!(m.head.seq, rec.len() as u64);
        assert_eq!(m.head.hash, rec.last().unwrap().hash);
        assert_eq!(m.attendance.present, 1);
        assert_eq!(m.peak().unwrap().present, 3);
    }

    #[test]
    fn an_empty_journal_gives_empty_minutes() {
        let m = build(&[], Lang::En);
        assert!(m.congress.is_none() && m.votes.is_empty() && m.presence.is_empty());
        assert_eq!(m.head.seq, 0);
    }
}

//! Discussion groups. Membership is the delegate list's `group` column; each group may have a
//! secretary (a member, designated by an operator). During the group session a member who is
//! checked in writes an opinion on an agenda item (one per member and item, replaced by a new
//! one); the secretary compiles a summary (drafts, then submitted to the secretariat). Once a
//! group's summary for an item is submitted, neither it nor the group's opinions on that item
//! change.

use std::collections::BTreeMap;

use congress_proto::{
    AttendanceStatus, GroupSummary, MAX_OPINION_CHARS, MAX_SUMMARY_CHARS, Opinion,
};

use serde::{Deserialize, Serialize};

use crate::command::Context;
use crate::error::DomainError;
use crate::event::Event;
use crate::state::CongressState;

#[derive(Debug, Clone, PartialEq)]
pub enum GroupCommand {
    /// Designate (or with `None` remove) a discussion group's secretary.
    SetSecretary {
        group: String,
        delegate_id: Option<String>,
    },
    /// A group member's opinion on an agenda item.
    SaveOpinion {
        delegate_id: String,
        item_id: String,
        text: String,
    },
    /// The group secretary's summary on an item: a draft, or submitted.
    SaveSummary {
        delegate_id: String,
        item_id: String,
        text: String,
        submit: bool,
    },
}

#[derive(
    Debug, Clone, PartialEq, Serialize, Deserialize, strum::IntoStaticStr, strum::VariantNames,
)]
#[serde(tag = "event", rename_all = "snake_case", deny_unknown_fields)]
#[strum(serialize_all = "snake_case")]
pub enum GroupEvent {
    /// A discussion group's secretary was designated (`None`: removed).
    GroupSecretarySet {
        group: String,
        delegate_id: Option<String>,
    },
    /// A member's opinion on an item (replaces their earlier one).
    OpinionSaved { opinion: Opinion },
    /// A group summary's draft was saved.
    GroupSummarySaved { summary: GroupSummary },
    /// A group summary was submitted to the secretariat (final).
    GroupSummarySubmitted { summary: GroupSummary },
}

pub(crate) fn decide(
    state: &CongressState,
    cmd: &GroupCommand,
    ctx: Context,
) -> Result<Vec<Event>, DomainError> {
    let events = match cmd {
        GroupCommand::SetSecretary { group, delegate_id } => {
            decide_secretary(state, group, delegate_id.as_deref())?
        }
        GroupCommand::SaveOpinion {
            delegate_id,
            item_id,
            text,
        } => decide_opinion(state, delegate_id, item_id, text, ctx.now)?,
        GroupCommand::SaveSummary {
            delegate_id,
            item_id,
            text,
            submit,
        } => decide_summary(state, delegate_id, item_id, text, *submit, ctx.now)?,
    };
    Ok(events.into_iter().map(Event::from).collect())
}

/// Why a notice, opinion or summary was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GroupError {
    #[error("the {field} is too long: {len} characters (at most {max})")]
    TooLong {
        field: &'static str,
        len: usize,
        max: usize,
    },
    #[error("the {0} is empty")]
    Empty(&'static str),
    #[error("the {0} contains control characters")]
    ControlCharacters(&'static str),
    #[error("unknown discussion group {0}")]
    UnknownGroup(String),
    #[error("unknown delegate {0}")]
    UnknownDelegate(String),
    #[error("unknown agenda item {0}")]
    UnknownItem(String),
    #[error("unknown notice {0}")]
    UnknownNotice(u64),
    #[error("delegate {delegate} is not a member of {group}")]
    NotMember { delegate: String, group: String },
    #[error("only delegates who are checked in may send an opinion")]
    NotPresent,
    #[error("only the group's secretary may write its summary")]
    NotSecretary,
    #[error("{group} has already submitted its summary on this item; nothing can be changed")]
    Submitted { group: String },
}

impl GroupError {
    /// The HTTP status: 404 unknown, 403 not the secretary, 409 already submitted, else 422.
    pub fn status(&self) -> u16 {
        match self {
            GroupError::UnknownGroup(_)
            | GroupError::UnknownDelegate(_)
            | GroupError::UnknownItem(_)
            | GroupError::UnknownNotice(_) => 404,
            GroupError::NotSecretary => 403,
            GroupError::Submitted { .. } => 409,
            _ => 422,
        }
    }

    /// A stable code for clients (websocket `refused`, REST `error`).
    pub fn code(&self) -> &'static str {
        match self {
            GroupError::TooLong { .. } => "too_long",
            GroupError::Empty(_) => "empty",
            GroupError::ControlCharacters(_) => "invalid",
            GroupError::UnknownGroup(_)
            | GroupError::UnknownDelegate(_)
            | GroupError::UnknownItem(_)
            | GroupError::UnknownNotice(_) => "not_found",
            GroupError::NotMember { .. } => "not_member",
            GroupError::NotPresent => "not_present",
            GroupError::NotSecretary => "not_secretary",
            GroupError::Submitted { .. } => "submitted",
        }
    }
}

/// Checks a free text: not blank, at most `max` characters, no control characters other than
/// line breaks and tabs. The text itself is kept as it is.
pub fn check_body(field: &'static str, text: &str, max: usize) -> Result<(), GroupError> {
    if text.trim().is_empty() {
        return Err(GroupError::Empty(field));
    }
    let len = text.chars().count();
    if len > max {
        return Err(GroupError::TooLong { field, len, max });
    }
    if text
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        return Err(GroupError::ControlCharacters(field));
    }
    Ok(())
}

/// Secretaries, opinions and summaries.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GroupsState {
    /// Group → secretary's delegate id.
    pub secretaries: BTreeMap<String, String>,
    /// (item, delegate) → the delegate's opinion on the item.
    pub opinions: BTreeMap<(String, String), Opinion>,
    /// (group, item) → the group's summary on the item.
    pub summaries: BTreeMap<(String, String), GroupSummary>,
}

impl GroupsState {
    pub fn secretary_of(&self, group: &str) -> Option<&str> {
        self.secretaries.get(group).map(String::as_str)
    }

    pub fn summary(&self, group: &str, item_id: &str) -> Option<&GroupSummary> {
        self.summaries
            .get(&(group.to_string(), item_id.to_string()))
    }

    pub fn is_submitted(&self, group: &str, item_id: &str) -> bool {
        self.summary(group, item_id)
            .is_some_and(|s| s.submitted_at.is_some())
    }

    /// A group's opinions (every item), by item then delegate.
    pub fn opinions_of_group<'a>(&'a self, group: &'a str) -> impl Iterator<Item = &'a Opinion> {
        self.opinions.values().filter(move |o| o.group == group)
    }

    pub fn apply(&mut self, event: &GroupEvent) {
        match event {
            GroupEvent::GroupSecretarySet { group, delegate_id } => match delegate_id {
                Some(d) => {
                    self.secretaries.insert(group.clone(), d.clone());
                }
                None => {
                    self.secretaries.remove(group);
                }
            },
            GroupEvent::OpinionSaved { opinion } => {
                self.opinions.insert(
                    (opinion.item_id.clone(), opinion.delegate_id.clone()),
                    opinion.clone(),
                );
            }
            GroupEvent::GroupSummarySaved { summary }
            | GroupEvent::GroupSummarySubmitted { summary } => {
                self.summaries.insert(
                    (summary.group.clone(), summary.item_id.clone()),
                    summary.clone(),
                );
            }
        }
    }
}

/// The members of `group`, sorted by id (empty for an unknown or empty group name).
pub fn members<'a>(state: &'a CongressState, group: &str) -> Vec<&'a str> {
    if group.trim().is_empty() {
        return Vec::new();
    }
    state
        .delegates
        .values()
        .filter(|d| d.group == group)
        .map(|d| d.id.as_str())
        .collect()
}

/// Every group name on the delegate list, sorted (blank names are no group).
pub fn group_names(state: &CongressState) -> Vec<String> {
    let set: std::collections::BTreeSet<&str> = state
        .delegates
        .values()
        .map(|d| d.group.as_str())
        .filter(|g| !g.trim().is_empty())
        .collect();
    set.into_iter().map(str::to_string).collect()
}

/// The group a delegate belongs to (refused when unknown or in none).
fn group_of<'a>(state: &'a CongressState, delegate_id: &str) -> Result<&'a str, GroupError> {
    let d = state
        .delegates
        .get(delegate_id)
        .ok_or_else(|| GroupError::UnknownDelegate(delegate_id.to_string()))?;
    if d.group.trim().is_empty() {
        return Err(GroupError::NotMember {
            delegate: delegate_id.to_string(),
            group: String::new(),
        });
    }
    Ok(&d.group)
}

fn check_item(state: &CongressState, item_id: &str) -> Result<(), GroupError> {
    if state.agenda.items.iter().any(|i| i.id == item_id) {
        Ok(())
    } else {
        Err(GroupError::UnknownItem(item_id.to_string()))
    }
}

fn decide_secretary(
    state: &CongressState,
    group: &str,
    delegate_id: Option<&str>,
) -> Result<Vec<GroupEvent>, GroupError> {
    if members(state, group).is_empty() {
        return Err(GroupError::UnknownGroup(group.to_string()));
    }
    if let Some(id) = delegate_id {
        let g = group_of(state, id)?;
        if g != group {
            return Err(GroupError::NotMember {
                delegate: id.to_string(),
                group: group.to_string(),
            });
        }
    }
    if state.groups.secretary_of(group) == delegate_id {
        return Ok(vec![]);
    }
    Ok(vec![GroupEvent::GroupSecretarySet {
        group: group.to_string(),
        delegate_id: delegate_id.map(str::to_string),
    }])
}

fn decide_opinion(
    state: &CongressState,
    delegate_id: &str,
    item_id: &str,
    text: &str,
    now: i64,
) -> Result<Vec<GroupEvent>, GroupError> {
    let group = group_of(state, delegate_id)?;
    check_item(state, item_id)?;
    if state.status_of(delegate_id) != AttendanceStatus::Present {
        return Err(GroupError::NotPresent);
    }
    check_body("opinion", text, MAX_OPINION_CHARS)?;
    if state.groups.is_submitted(group, item_id) {
        return Err(GroupError::Submitted {
            group: group.to_string(),
        });
    }
    let unchanged = state
        .groups
        .opinions
        .get(&(item_id.to_string(), delegate_id.to_string()))
        .is_some_and(|o| o.text == text && o.group == group);
    if unchanged {
        return Ok(vec![]);
    }
    Ok(vec![GroupEvent::OpinionSaved {
        opinion: Opinion {
            group: group.to_string(),
            item_id: item_id.to_string(),
            delegate_id: delegate_id.to_string(),
            text: text.to_string(),
            at: now,
        },
    }])
}

fn decide_summary(
    state: &CongressState,
    delegate_id: &str,
    item_id: &str,
    text: &str,
    submit: bool,
    now: i64,
) -> Result<Vec<GroupEvent>, GroupError> {
    let group = group_of(state, delegate_id)?;
    if state.groups.secretary_of(group) != Some(delegate_id) {
        return Err(GroupError::NotSecretary);
    }
    check_item(state, item_id)?;
    if state.groups.is_submitted(group, item_id) {
        return Err(GroupError::Submitted {
            group: group.to_string(),
        });
    }
    if submit || !text.is_empty() {
        check_body("summary", text, MAX_SUMMARY_CHARS)?;
    }
    let summary = GroupSummary {
        group: group.to_string(),
        item_id: item_id.to_string(),
        text: text.to_string(),
        by: delegate_id.to_string(),
        at: now,
        submitted_at: submit.then_some(now),
    };
    if submit {
        return Ok(vec![GroupEvent::GroupSummarySubmitted { summary }]);
    }
    if state
        .groups
        .summary(group, item_id)
        .is_some_and(|s| s.text == text)
    {
        return Ok(vec![]);
    }
    Ok(vec![GroupEvent::GroupSummarySaved { summary }])
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::command::{Command, decide};
    use crate::{AttendanceCommand, CongressCommand, MeetingCommand, NoticeCommand};
    use congress_proto::{
        AgendaItem, AttendanceSource, Congress, Delegate, NoticeAudience, QuorumRule, Role,
    };

    const CTX: Context = Context { now: 5_000 };

    /// D1..D3 in Tổ 1, D4..D5 in Tổ 2; items A1, A2; D1, D2, D4 present.
    fn setup() -> CongressState {
        let mut s = CongressState::default();
        let mut cmds = vec![
            Command::Congress(CongressCommand::DefineCongress(Congress {
                name: "Đại hội".into(),
                venue: "Hội trường".into(),
                starts_on: "2026-12-01".into(),
                ends_on: "2026-12-03".into(),
                convened: 5,
                quorum: QuorumRule::default(),
            })),
            Command::Meeting(MeetingCommand::DefineAgenda(
                ["A1", "A2"]
                    .iter()
                    .map(|id| AgendaItem {
                        id: (*id).into(),
                        title: format!("Mục {id}"),
                        planned_start: None,
                        planned_minutes: None,
                    })
                    .collect(),
            )),
            Command::Congress(CongressCommand::ImportDelegates(
                (1..=5)
                    .map(|i| Delegate {
                        id: format!("D{i}"),
                        full_name: format!("Đại biểu {i}"),
                        unit: "Đảng bộ".into(),
                        seat: format!("A-{i}"),
                        group: if i <= 3 { "Tổ 1" } else { "Tổ 2" }.into(),
                        roles: vec![Role::Delegate],
                    })
                    .collect(),
            )),
        ];
        for id in ["D1", "D2", "D4"] {
            cmds.push(Command::Attendance(AttendanceCommand::SetAttendance {
                delegate_id: id.into(),
                status: AttendanceStatus::Present,
                source: AttendanceSource::Operator {
                    username: "op".into(),
                },
                kiosk: None,
                reason: Some("CCCD".into()),
            }));
        }
        for c in cmds {
            run(&mut s, &c).unwrap();
        }
        s
    }

    fn run(s: &mut CongressState, cmd: &Command) -> Result<usize, DomainError> {
        let evs = decide(s, cmd, CTX)?;
        for e in &evs {
            s.apply(e);
        }
        Ok(evs.len())
    }

    fn group_err(r: Result<usize, DomainError>) -> GroupError {
        match r {
            Err(DomainError::Groups(g)) => g,
            other => panic!("expected a group error, got {other:?}"),
        }
    }

    fn opinion(d: &str, item: &str, text: &str) -> Command {
        Command::Groups(GroupCommand::SaveOpinion {
            delegate_id: d.into(),
            item_id: item.into(),
            text: text.into(),
        })
    }

    fn summary(d: &str, item: &str, text: &str, submit: bool) -> Command {
        Command::Groups(GroupCommand::SaveSummary {
            delegate_id: d.into(),
            item_id: item.into(),
            text: text.into(),
            submit,
        })
    }

    fn secretary(group: &str, d: Option<&str>) -> Command {
        Command::Groups(GroupCommand::SetSecretary {
            group: group.into(),
            delegate_id: d.map(str::to_string),
        })
    }

    #[test]
    fn only_present_members_send_opinions_within_the_limit() {
        let mut s = setup();
        assert_eq!(
            run(&mut s, &opinion("D1", "A1", "Tán thành dự thảo.")),
            Ok(1)
        );
        // Same text again: accepted, nothing new.
        assert_eq!(
            run(&mut s, &opinion("D1", "A1", "Tán thành dự thảo.")),
            Ok(0)
        );
        assert_eq!(
            group_err(run(&mut s, &opinion("D3", "A1", "x"))),
            GroupError::NotPresent
        );
        assert_eq!(
            group_err(run(&mut s, &opinion("D1", "A9", "x"))),
            GroupError::UnknownItem("A9".into())
        );
        assert_eq!(
            group_err(run(&mut s, &opinion("D1", "A1", "  \n "))),
            GroupError::Empty("opinion")
        );
        let long = "ý".repeat(MAX_OPINION_CHARS + 1);
        let e = group_err(run(&mut s, &opinion("D1", "A1", &long)));
        assert_eq!(e.code(), "too_long");
        assert!(e.to_string().contains("4001"), "{e}");
        // Exactly at the limit is fine.
        assert_eq!(
            run(&mut s, &opinion("D2", "A1", &"ý".repeat(MAX_OPINION_CHARS))),
            Ok(1)
        );
        assert_eq!(
            group_err(run(&mut s, &opinion("D1", "A1", "a\u{7}b"))).code(),
            "invalid"
        );
        assert_eq!(
            group_err(run(&mut s, &opinion("D9", "A1", "x"))),
            GroupError::UnknownDelegate("D9".into())
        );
        let o = &s.groups.opinions[&("A1".to_string(), "D1".to_string())];
        assert_eq!(
            (o.group.as_str(), o.text.as_str()),
            ("Tổ 1", "Tán thành dự thảo.")
        );
    }

    #[test]
    fn the_secretary_is_a_member_designated_by_an_operator() {
        let mut s = setup();
        assert_eq!(
            group_err(run(&mut s, &secretary("Tổ 1", Some("D4")))),
            GroupError::NotMember {
                delegate: "D4".into(),
                group: "Tổ 1".into()
            }
        );
        assert_eq!(
            group_err(run(&mut s, &secretary("Tổ 9", Some("D1")))),
            GroupError::UnknownGroup("Tổ 9".into())
        );
        assert_eq!(run(&mut s, &secretary("Tổ 1", Some("D2"))), Ok(1));
        assert_eq!(run(&mut s, &secretary("Tổ 1", Some("D2"))), Ok(0));
        assert_eq!(s.groups.secretary_of("Tổ 1"), Some("D2"));
        assert_eq!(
            group_err(run(&mut s, &summary("D1", "A1", "tóm tắt", false))),
            GroupError::NotSecretary
        );
        assert_eq!(run(&mut s, &secretary("Tổ 1", None)), Ok(1));
        assert_eq!(s.groups.secretary_of("Tổ 1"), None);
    }

    #[test]
    fn a_submitted_summary_freezes_the_groups_opinions_on_that_item_only() {
        let mut s = setup();
        run(&mut s, &secretary("Tổ 1", Some("D2"))).unwrap();
        run(&mut s, &opinion("D1", "A1", "Ý kiến 1")).unwrap();
        run(&mut s, &opinion("D4", "A1", "Ý kiến tổ 2")).unwrap();
        // A draft may be empty and edited; submitting needs text.
        assert_eq!(run(&mut s, &summary("D2", "A1", "", false)), Ok(1));
        assert_eq!(run(&mut s, &summary("D2", "A1", "Nháp", false)), Ok(1));
        assert_eq!(
            group_err(run(&mut s, &summary("D2", "A1", " ", true))),
            GroupError::Empty("summary")
        );
        assert_eq!(run(&mut s, &opinion("D1", "A1", "Ý kiến 1, sửa")), Ok(1));
        assert_eq!(run(&mut s, &summary("D2", "A1", "Tổng hợp", true)), Ok(1));
        let sum = s.groups.summary("Tổ 1", "A1").unwrap();
        assert_eq!(
            (sum.text.as_str(), sum.submitted_at),
            ("Tổng hợp", Some(5_000))
        );
        let frozen = GroupError::Submitted {
            group: "Tổ 1".into(),
        };
        assert_eq!(group_err(run(&mut s, &opinion("D1", "A1", "muộn"))), frozen);
        assert_eq!(
            group_err(run(&mut s, &summary("D2", "A1", "lại", false))),
            frozen
        );
        assert_eq!(
            group_err(run(&mut s, &summary("D2", "A1", "lại", true))),
            frozen
        );
        // Another item, and another group on the same item, are still open.
        assert_eq!(run(&mut s, &opinion("D1", "A2", "Mục 2")), Ok(1));
        assert_eq!(run(&mut s, &opinion("D4", "A1", "Ý kiến tổ 2, sửa")), Ok(1));
        assert_eq!(s.groups.opinions_of_group("Tổ 1").count(), 2);
    }

    #[test]
    fn notices_are_kept_verbatim_and_read_once_by_their_addressees() {
        let mut s = setup();
        let text = "<img src=x onerror=alert(1)> Họp tổ ở phòng 201";
        let send = |audience| {
            Command::Notices(NoticeCommand::SendNotice {
                text: text.into(),
                audience,
                by: "thuky".into(),
            })
        };
        assert_eq!(run(&mut s, &send(NoticeAudience::All)), Ok(1));
        assert_eq!(
            run(
                &mut s,
                &send(NoticeAudience::Group {
                    group: "Tổ 2".into()
                })
            ),
            Ok(1)
        );
        assert_eq!(
            run(
                &mut s,
                &send(NoticeAudience::Delegate {
                    delegate_id: "D3".into()
                })
            ),
            Ok(1)
        );
        assert_eq!(
            group_err(run(
                &mut s,
                &send(NoticeAudience::Group {
                    group: "Tổ 7".into()
                })
            )),
            GroupError::UnknownGroup("Tổ 7".into())
        );
        assert_eq!(s.notices.notices[&1].text, text);
        let ids = |d: &str| -> Vec<u64> {
            crate::notices::notices_for(&s, d)
                .iter()
                .map(|n| n.id)
                .collect()
        };
        assert_eq!(ids("D1"), vec![1]);
        assert_eq!(ids("D3"), vec![1, 3]);
        assert_eq!(ids("D4"), vec![1, 2]);
        let read = |n: u64, d: &str| {
            Command::Notices(NoticeCommand::ReadNotice {
                notice_id: n,
                delegate_id: d.into(),
            })
        };
        assert_eq!(run(&mut s, &read(2, "D4")), Ok(1));
        assert_eq!(run(&mut s, &read(2, "D4")), Ok(0));
        // Not addressed to D1: as if it did not exist.
        assert_eq!(
            group_err(run(&mut s, &read(2, "D1"))),
            GroupError::UnknownNotice(2)
        );
        assert_eq!(
            group_err(run(&mut s, &read(9, "D1"))),
            GroupError::UnknownNotice(9)
        );
        let too_long = Command::Notices(NoticeCommand::SendNotice {
            text: "a".repeat(congress_proto::MAX_NOTICE_CHARS + 1),
            audience: NoticeAudience::All,
            by: "thuky".into(),
        });
        assert_eq!(group_err(run(&mut s, &too_long)).code(), "too_long");
        assert_eq!(
            crate::notices::recipients(
                &s,
                &NoticeAudience::Group {
                    group: "Tổ 1".into()
                }
            ),
            vec!["D1", "D2", "D3"]
        );
    }

    #[test]
    fn replay_rebuilds_notices_and_groups() {
        let mut s = setup();
        let mut log = Vec::new();
        for c in [
            secretary("Tổ 1", Some("D1")),
            opinion("D2", "A1", "Một"),
            summary("D1", "A1", "Tổng", true),
            Command::Notices(NoticeCommand::SendNotice {
                text: "Giải lao 15 phút".into(),
                audience: NoticeAudience::All,
                by: "op".into(),
            }),
            Command::Notices(NoticeCommand::ReadNotice {
                notice_id: 1,
                delegate_id: "D5".into(),
            }),
        ] {
            for e in decide(&s, &c, CTX).unwrap() {
                s.apply(&e);
                log.push(e);
            }
        }
        let mut again = setup();
        for e in &log {
            again.apply(e);
        }
        assert_eq!(again, s);
        // Events survive their JSON form (the journal's body).
        for e in &log {
            let back: Event = serde_json::from_str(&serde_json::to_string(e).unwrap()).unwrap();
            assert_eq!(&back, e);
        }
    }
}

//! Unit tests of the groups' and notices' rules.
#![allow(clippy::unwrap_used)]

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

//! Unit tests of the meeting rules: the queue's order, refusals, the floor, items and votes.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use congress_proto::{
    AgendaItem, AttendanceSource, AttendanceStatus, Congress, Delegate, ItemStatus, ProjectorScene,
    QuorumRule, Role, SpeakerKind,
};

use super::*;
use crate::command::{Command, Context, decide as decide_any};
use crate::error::DomainError;
use crate::event::Event;
use crate::vote::{Secrecy, VoteId, VoteKind, VoteSpec};
use crate::{AttendanceCommand, CongressCommand, VoteCommand};

const CTX: Context = Context { now: 10_000 };

fn run(s: &mut CongressState, cmd: MeetingCommand) -> Result<Vec<Event>, DomainError> {
    run_cmd(s, Command::Meeting(cmd))
}

fn run_cmd(s: &mut CongressState, cmd: Command) -> Result<Vec<Event>, DomainError> {
    let evs = decide_any(s, &cmd, CTX)?;
    for e in &evs {
        s.apply(e);
    }
    Ok(evs)
}

fn meeting_err<T: std::fmt::Debug>(r: Result<T, DomainError>) -> MeetingError {
    match r {
        Err(DomainError::Meeting(e)) => e,
        other => panic!("expected a meeting error, got {other:?}"),
    }
}

/// A congress of 5 delegates, D0001..D0004 present, three agenda items, item A1 current.
fn hall() -> CongressState {
    let mut s = CongressState::default();
    run_cmd(
        &mut s,
        Command::Congress(CongressCommand::DefineCongress(Congress {
            name: "Đại hội".into(),
            venue: "Hội trường".into(),
            starts_on: "2026-12-01".into(),
            ends_on: "2026-12-02".into(),
            convened: 5,
            quorum: QuorumRule::default(),
        })),
    )
    .unwrap();
    let ds = (1..=5)
        .map(|i| Delegate {
            id: format!("D000{i}"),
            full_name: format!("Đại biểu {i}"),
            unit: String::new(),
            seat: String::new(),
            group: String::new(),
            roles: vec![Role::Delegate],
        })
        .collect();
    run_cmd(
        &mut s,
        Command::Congress(CongressCommand::ImportDelegates(ds)),
    )
    .unwrap();
    let items = ["A1", "A2", "A3"]
        .iter()
        .map(|id| AgendaItem {
            id: (*id).into(),
            title: format!("Mục {id}"),
            planned_start: None,
            planned_minutes: None,
        })
        .collect();
    run_cmd(
        &mut s,
        Command::Meeting(MeetingCommand::DefineAgenda(items)),
    )
    .unwrap();
    for i in 1..=4 {
        run_cmd(
            &mut s,
            Command::Attendance(AttendanceCommand::SetAttendance {
                delegate_id: format!("D000{i}"),
                status: AttendanceStatus::Present,
                source: AttendanceSource::Operator {
                    username: "op".into(),
                },
                kiosk: None,
                reason: Some("ID".into()),
            }),
        )
        .unwrap();
    }
    run(
        &mut s,
        MeetingCommand::StartItem {
            item_id: "A1".into(),
        },
    )
    .unwrap();
    s
}

fn ask(s: &mut CongressState, d: &str, kind: SpeakerKind) -> Result<u64, DomainError> {
    let evs = run(
        s,
        MeetingCommand::RequestSpeak {
            delegate_id: d.into(),
            item_id: "A1".into(),
            kind,
            by: "tablet".into(),
        },
    )?;
    match &evs[..] {
        [Event::Meeting(MeetingEvent::SpeakerRequested { request })] => Ok(request.request_id),
        other => panic!("unexpected {other:?}"),
    }
}

fn order(s: &CongressState) -> Vec<String> {
    let v = view(s, 0);
    v.queues
        .iter()
        .filter(|r| v.current.as_ref() == Some(&r.item_id))
        .map(|r| r.delegate_id.clone())
        .collect()
}

#[test]
fn queue_is_first_come_with_point_of_order_first_and_replies_next() {
    let mut s = hall();
    ask(&mut s, "D0001", SpeakerKind::Normal).unwrap();
    ask(&mut s, "D0002", SpeakerKind::Normal).unwrap();
    ask(&mut s, "D0003", SpeakerKind::Reply).unwrap();
    ask(&mut s, "D0004", SpeakerKind::PointOfOrder).unwrap();
    // a second point of order queues behind the first, ahead of the reply
    ask(&mut s, "D0002", SpeakerKind::PointOfOrder).unwrap();
    assert_eq!(
        order(&s),
        ["D0004", "D0002", "D0003", "D0001", "D0002"].map(String::from)
    );
    let ids: Vec<u64> = view(&s, 0).queues.iter().map(|r| r.request_id).collect();
    let mut sorted = ids.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted.len(), 5, "request ids are unique: {ids:?}");
}

#[test]
fn absent_or_left_delegates_are_refused_and_nothing_changes() {
    let mut s = hall();
    let e = meeting_err(ask(&mut s, "D0005", SpeakerKind::Normal));
    assert_eq!(e.code(), "not_present");
    assert!(e.to_string().contains("Đại biểu 5"), "{e}");
    run_cmd(
        &mut s,
        Command::Attendance(AttendanceCommand::SetAttendance {
            delegate_id: "D0001".into(),
            status: AttendanceStatus::Left,
            source: AttendanceSource::Operator {
                username: "op".into(),
            },
            kiosk: None,
            reason: Some("left".into()),
        }),
    )
    .unwrap();
    assert_eq!(
        meeting_err(ask(&mut s, "D0001", SpeakerKind::PointOfOrder)).code(),
        "not_present"
    );
    assert!(order(&s).is_empty());
    assert!(matches!(
        ask(&mut s, "D9999", SpeakerKind::Normal),
        Err(DomainError::UnknownDelegate(_))
    ));
}

#[test]
fn duplicates_and_other_items_are_refused() {
    let mut s = hall();
    ask(&mut s, "D0001", SpeakerKind::Normal).unwrap();
    ask(&mut s, "D0002", SpeakerKind::Normal).unwrap();
    let e = meeting_err(ask(&mut s, "D0002", SpeakerKind::Normal));
    assert_eq!(
        e,
        MeetingError::AlreadyQueued {
            name: "Đại biểu 2".into(),
            position: 2
        }
    );
    let e = meeting_err(run(
        &mut s,
        MeetingCommand::RequestSpeak {
            delegate_id: "D0003".into(),
            item_id: "A2".into(),
            kind: SpeakerKind::Normal,
            by: "tablet".into(),
        },
    ));
    assert_eq!(e.code(), "not_current");
    assert!(matches!(
        run(
            &mut s,
            MeetingCommand::RequestSpeak {
                delegate_id: "D0003".into(),
                item_id: "ZZ".into(),
                kind: SpeakerKind::Normal,
                by: "tablet".into(),
            },
        ),
        Err(DomainError::UnknownAgendaItem(_))
    ));
}

#[test]
fn withdraw_only_own_request() {
    let mut s = hall();
    let r1 = ask(&mut s, "D0001", SpeakerKind::Normal).unwrap();
    let e = meeting_err(run(
        &mut s,
        MeetingCommand::WithdrawSpeak {
            delegate_id: "D0002".into(),
            request_id: r1,
        },
    ));
    assert_eq!(e, MeetingError::NotYours);
    run(
        &mut s,
        MeetingCommand::WithdrawSpeak {
            delegate_id: "D0001".into(),
            request_id: r1,
        },
    )
    .unwrap();
    assert!(order(&s).is_empty());
    assert_eq!(
        meeting_err(run(
            &mut s,
            MeetingCommand::WithdrawSpeak {
                delegate_id: "D0001".into(),
                request_id: r1,
            },
        )),
        MeetingError::UnknownRequest(r1)
    );
    // after withdrawing, the delegate may ask again
    ask(&mut s, "D0001", SpeakerKind::Normal).unwrap();
}

#[test]
fn grant_extend_stop_and_the_history_event() {
    let mut s = hall();
    run(
        &mut s,
        MeetingCommand::PlanItem {
            item_id: "A1".into(),
            planned_start: Some("2026-12-01T08:00".into()),
            planned_minutes: Some(30),
            speaker_limit_s: Some(120),
        },
    )
    .unwrap();
    let r1 = ask(&mut s, "D0001", SpeakerKind::Normal).unwrap();
    let r2 = ask(&mut s, "D0002", SpeakerKind::Normal).unwrap();
    assert_eq!(
        meeting_err(run(&mut s, MeetingCommand::Stop)),
        MeetingError::NobodySpeaking
    );
    run(
        &mut s,
        MeetingCommand::Grant {
            request_id: r1,
            limit_s: None,
        },
    )
    .unwrap();
    let sp = s.meeting.speaking.clone().unwrap();
    assert_eq!(
        (sp.delegate_id.as_str(), sp.limit_s, sp.started_at),
        ("D0001", 120, 10_000)
    );
    assert_eq!(order(&s), ["D0002"]);
    // one speaker at a time
    let e = meeting_err(run(
        &mut s,
        MeetingCommand::Grant {
            request_id: r2,
            limit_s: Some(60),
        },
    ));
    assert_eq!(e.code(), "floor_taken");
    assert!(e.to_string().contains("Đại biểu 1"));
    run(&mut s, MeetingCommand::Extend { seconds: 60 }).unwrap();
    assert_eq!(s.meeting.speaking.as_ref().unwrap().limit_s, 180);
    let evs = run(&mut s, MeetingCommand::Stop).unwrap();
    match &evs[..] {
        [
            Event::Meeting(MeetingEvent::SpeakerFinished {
                request_id,
                item_id,
                delegate_id,
                started_at,
                ended_at,
                limit_s,
                reason,
                ..
            }),
        ] => {
            assert_eq!(*request_id, r1);
            assert_eq!((item_id.as_str(), delegate_id.as_str()), ("A1", "D0001"));
            assert_eq!((*started_at, *ended_at, *limit_s), (10_000, 10_000, 180));
            assert_eq!(*reason, FinishReason::Stopped);
        }
        other => panic!("{other:?}"),
    }
    assert!(s.meeting.speaking.is_none());
    // a per-speaker override, checked for range
    assert_eq!(
        meeting_err(run(
            &mut s,
            MeetingCommand::Grant {
                request_id: r2,
                limit_s: Some(5),
            },
        ))
        .code(),
        "invalid"
    );
    run(
        &mut s,
        MeetingCommand::Grant {
            request_id: r2,
            limit_s: Some(45),
        },
    )
    .unwrap();
    assert_eq!(s.meeting.speaking.as_ref().unwrap().limit_s, 45);
}

#[test]
fn move_and_remove() {
    let mut s = hall();
    let _r1 = ask(&mut s, "D0001", SpeakerKind::Normal).unwrap();
    let _r2 = ask(&mut s, "D0002", SpeakerKind::Normal).unwrap();
    let r3 = ask(&mut s, "D0003", SpeakerKind::Normal).unwrap();
    run(
        &mut s,
        MeetingCommand::MoveSpeaker {
            request_id: r3,
            position: 0,
        },
    )
    .unwrap();
    assert_eq!(order(&s), ["D0003", "D0001", "D0002"]);
    // a position past the end means last
    run(
        &mut s,
        MeetingCommand::MoveSpeaker {
            request_id: r3,
            position: 99,
        },
    )
    .unwrap();
    assert_eq!(order(&s), ["D0001", "D0002", "D0003"]);
    run(
        &mut s,
        MeetingCommand::RemoveSpeaker {
            request_id: r3,
            by: "operator:sec".into(),
        },
    )
    .unwrap();
    assert_eq!(order(&s), ["D0001", "D0002"]);
    assert_eq!(
        meeting_err(run(
            &mut s,
            MeetingCommand::RemoveSpeaker {
                request_id: r3,
                by: "operator:sec".into(),
            },
        ))
        .code(),
        "not_found"
    );
}

fn open_vote_on_a1(s: &mut CongressState) -> u64 {
    let spec = VoteSpec::new(
        VoteId(0),
        "Thông qua chương trình",
        VoteKind::Motion,
        Secrecy::Open,
    );
    run_cmd(
        s,
        Command::Votes(VoteCommand::CreateVote {
            spec,
            duration_s: None,
        }),
    )
    .unwrap();
    let id = *s.votes.keys().next_back().unwrap();
    run(
        s,
        MeetingCommand::LinkVote {
            vote_id: id,
            item_id: Some("A1".into()),
        },
    )
    .unwrap();
    run_cmd(s, Command::Votes(VoteCommand::OpenVote { vote_id: id })).unwrap();
    id
}

#[test]
fn closing_or_leaving_an_item_with_an_open_vote_is_refused() {
    let mut s = hall();
    let id = open_vote_on_a1(&mut s);
    let e = meeting_err(run(
        &mut s,
        MeetingCommand::CloseItem {
            item_id: "A1".into(),
        },
    ));
    assert_eq!(e.code(), "vote_open");
    assert_eq!(e.status(), 409);
    assert!(e.to_string().contains(&format!("vote {id}")), "{e}");
    assert!(e.to_string().contains("Thông qua chương trình"), "{e}");
    assert_eq!(
        meeting_err(run(
            &mut s,
            MeetingCommand::StartItem {
                item_id: "A2".into(),
            },
        ))
        .code(),
        "vote_open"
    );
    // the old route too
    assert!(matches!(
        run_cmd(
            &mut s,
            Command::Meeting(MeetingCommand::SetCurrentItem(Some("A2".into())))
        ),
        Err(DomainError::Meeting(MeetingError::VoteOpen { .. }))
    ));
    assert_eq!(s.agenda.current.as_deref(), Some("A1"));
    run_cmd(
        &mut s,
        Command::Votes(VoteCommand::CloseVote { vote_id: id }),
    )
    .unwrap();
    run(
        &mut s,
        MeetingCommand::CloseItem {
            item_id: "A1".into(),
        },
    )
    .unwrap();
    let v = view(&s, 0);
    assert_eq!(v.items[0].status, ItemStatus::Done);
    assert_eq!(v.items[0].votes, vec![id]);
    assert_eq!(s.agenda.current, None);
}

#[test]
fn closing_finishes_the_speaker_and_clears_the_queue_and_advancing_keeps_it() {
    let mut s = hall();
    let r1 = ask(&mut s, "D0001", SpeakerKind::Normal).unwrap();
    ask(&mut s, "D0002", SpeakerKind::Normal).unwrap();
    run(
        &mut s,
        MeetingCommand::Grant {
            request_id: r1,
            limit_s: None,
        },
    )
    .unwrap();
    // moving to A2 finishes the speech; A1's queue waits
    let evs = run(
        &mut s,
        MeetingCommand::StartItem {
            item_id: "A2".into(),
        },
    )
    .unwrap();
    assert!(matches!(
        evs[0],
        Event::Meeting(MeetingEvent::SpeakerFinished {
            reason: FinishReason::ItemLeft,
            ..
        })
    ));
    let v = view(&s, 0);
    assert_eq!(
        v.items.iter().map(|i| i.status).collect::<Vec<_>>(),
        [
            ItemStatus::Pending,
            ItemStatus::InProgress,
            ItemStatus::Pending
        ]
    );
    assert_eq!(v.current.as_deref(), Some("A2"));
    assert_eq!(v.queues.len(), 1);
    assert!(order(&s).is_empty());
    // back to A1, close it: the waiting request is removed
    run(
        &mut s,
        MeetingCommand::StartItem {
            item_id: "A1".into(),
        },
    )
    .unwrap();
    let evs = run(
        &mut s,
        MeetingCommand::CloseItem {
            item_id: "A1".into(),
        },
    )
    .unwrap();
    assert!(
        evs.iter()
            .any(|e| matches!(e, Event::Meeting(MeetingEvent::SpeakerRemoved { by, .. }) if by == "item_closed"))
    );
    assert!(view(&s, 0).queues.is_empty());
    // nobody may ask on a closed item; a second close changes nothing
    assert_eq!(
        meeting_err(ask(&mut s, "D0003", SpeakerKind::Normal)).code(),
        "not_current"
    );
    assert_eq!(
        run(
            &mut s,
            MeetingCommand::CloseItem {
                item_id: "A1".into()
            }
        )
        .unwrap(),
        vec![]
    );
}

#[test]
fn scenes_and_notices() {
    let mut s = hall();
    run(&mut s, MeetingCommand::SetScene(ProjectorScene::Speaker)).unwrap();
    assert_eq!(view(&s, 0).scene, ProjectorScene::Speaker);
    let bad = |t: &str| MeetingCommand::SetScene(ProjectorScene::Notice { text: t.into() });
    assert!(run(&mut s, bad("   ")).is_err());
    assert!(run(&mut s, bad(&"x".repeat(MAX_NOTICE_CHARS + 1))).is_err());
    assert!(run(&mut s, bad("a\u{7}b")).is_err());
    run(&mut s, bad("  <b>Giải lao</b> 15 phút  ")).unwrap();
    assert_eq!(
        s.meeting.scene,
        ProjectorScene::Notice {
            text: "<b>Giải lao</b> 15 phút".into()
        }
    );
}

#[test]
fn events_round_trip_and_replay_gives_the_same_state() {
    let mut s = hall();
    let mut log = Vec::new();
    let mut push = |s: &mut CongressState, cmd: MeetingCommand| {
        log.extend(run(s, cmd).unwrap());
    };
    push(&mut s, MeetingCommand::SetScene(ProjectorScene::Quorum));
    let r1 = ask(&mut s, "D0001", SpeakerKind::Normal).unwrap();
    push(
        &mut s,
        MeetingCommand::Grant {
            request_id: r1,
            limit_s: Some(60),
        },
    );
    push(&mut s, MeetingCommand::Extend { seconds: 30 });
    for e in &log {
        let text = serde_json::to_string(e).unwrap();
        assert_eq!(&serde_json::from_str::<Event>(&text).unwrap(), e);
        let Event::Meeting(m) = e else {
            panic!("{e:?} is not a meeting event")
        };
        assert!(event_at(m).is_some());
    }
    assert_eq!(s.meeting.speaking.as_ref().unwrap().limit_s, 90);
}

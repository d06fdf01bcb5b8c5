//! Helpers for the domain's unit tests: a congress of `n` delegates, and running commands.

#![allow(clippy::unwrap_used)]

use congress_proto::{Congress, Delegate, QuorumRule, Role};

use crate::command::{Command, Context, decide};
use crate::congress::CongressCommand;
use crate::error::DomainError;
use crate::state::CongressState;

pub const CTX: Context = Context { now: 1_000 };

pub fn congress_with(n: u32) -> CongressState {
    let mut s = CongressState::default();
    let c = Congress {
        name: "Đại hội".into(),
        venue: "Hội trường".into(),
        starts_on: "2026-12-01".into(),
        ends_on: "2026-12-03".into(),
        convened: n,
        quorum: QuorumRule::default(),
    };
    for e in decide(&s, &CongressCommand::DefineCongress(c).into(), CTX).unwrap() {
        s.apply(&e);
    }
    let ds = (1..=n)
        .map(|i| Delegate {
            id: format!("D{i:04}"),
            full_name: format!("Nguyễn Văn {i}"),
            unit: "Đảng bộ".into(),
            seat: "A".into(),
            group: "Tổ 1".into(),
            roles: vec![Role::Delegate],
        })
        .collect();
    for e in decide(&s, &CongressCommand::ImportDelegates(ds).into(), CTX).unwrap() {
        s.apply(&e);
    }
    s
}

pub fn run(s: &mut CongressState, cmd: &Command) -> Result<usize, DomainError> {
    let evs = decide(s, cmd, CTX)?;
    for e in &evs {
        s.apply(e);
    }
    Ok(evs.len())
}

/// Checks in `D0001`…`D{n}` at the desk.
pub fn check_in(s: &mut CongressState, n: u32) {
    for i in 1..=n {
        run(
            s,
            &crate::AttendanceCommand::SetAttendance {
                delegate_id: format!("D{i:04}"),
                status: congress_proto::AttendanceStatus::Present,
                source: congress_proto::AttendanceSource::Operator {
                    username: "op".into(),
                },
                kiosk: None,
                reason: Some("checked".into()),
            }
            .into(),
        )
        .unwrap();
    }
}

/// Casts `choice` for `delegate` in `vote` (secret or open), with a unique receipt.
pub fn cast(s: &mut CongressState, vote: u64, delegate: &str, choice: crate::vote::BallotChoice) {
    run(
        s,
        &crate::VoteCommand::CastBallot(crate::vote::lifecycle::BallotRequest {
            vote_id: vote,
            delegate_id: delegate.into(),
            choice,
            receipt: format!("R{vote}-{delegate}"),
            id_hash: format!("i{vote}-{delegate}"),
            check_hash: format!("c{vote}-{delegate}"),
        })
        .into(),
    )
    .unwrap();
}

/// Opens `vote`.
pub fn open(s: &mut CongressState, vote: u64) {
    run(s, &crate::VoteCommand::OpenVote { vote_id: vote }.into()).unwrap();
}

/// Closes `vote` and returns the events the close caused (the follow-ups included).
pub fn close(s: &mut CongressState, vote: u64) -> Vec<crate::Event> {
    let evs = decide(
        s,
        &crate::VoteCommand::CloseVote { vote_id: vote }.into(),
        CTX,
    )
    .unwrap();
    for e in &evs {
        s.apply(e);
    }
    evs
}

/// An open motion carried (`for`) or not by `n` delegates `D0001`…
pub fn motion_vote(s: &mut CongressState, vote: u64, n: u32, for_: bool) -> Vec<crate::Event> {
    open(s, vote);
    let position = if for_ {
        crate::vote::MotionPosition::For
    } else {
        crate::vote::MotionPosition::Against
    };
    for i in 1..=n {
        cast(
            s,
            vote,
            &format!("D{i:04}"),
            crate::vote::BallotChoice::Motion { position },
        );
    }
    close(s, vote)
}

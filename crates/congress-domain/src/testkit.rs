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

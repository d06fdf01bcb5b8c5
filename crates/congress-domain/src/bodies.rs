//! The bodies the congress elects by approving a list: the presidium, the secretariat, the
//! credentials committee and the counting board. A list is proposed and put to an open vote in
//! one step; the vote's result approves it or not (`body_decided`, a follow-up of the close).
//! Members of an approved body get its roles: [`members`] and [`roles_of`] are the plain queries
//! the rest of the system uses (a counting-board member's tablet signs the board's report and,
//! with encrypted ballots, takes part in the key ceremony; an approved presidium reads the
//! presidium's documents).

use std::collections::{BTreeMap, BTreeSet};

use congress_proto::{Body, BodyInfo, BodyMember, BodyRole, BodyStatus};
use serde::{Deserialize, Serialize};

use crate::command::Context;
use crate::error::DomainError;
use crate::event::Event;
use crate::motions::{self, NewVote};
use crate::state::CongressState;
use crate::vote::VoteResult;

/// Most members one body may have.
pub const MAX_MEMBERS: usize = 100;

#[derive(Debug, Clone, PartialEq)]
pub enum BodiesCommand {
    /// Propose `body`'s list and put it to an open vote in one step.
    Propose {
        body: Body,
        members: Vec<BodyMember>,
        title: String,
        item_id: Option<String>,
    },
}

#[derive(
    Debug, Clone, PartialEq, Serialize, Deserialize, strum::IntoStaticStr, strum::VariantNames,
)]
#[serde(tag = "event", rename_all = "snake_case", deny_unknown_fields)]
#[strum(serialize_all = "snake_case")]
pub enum BodiesEvent {
    /// A list for `body` was put to the vote `vote_id`.
    BodyProposed {
        body: Body,
        members: Vec<BodyMember>,
        vote_id: u64,
        at: i64,
    },
    /// The vote on the list closed: approved or not.
    BodyDecided {
        body: Body,
        vote_id: u64,
        approved: bool,
        at: i64,
    },
}

/// Why a bodies command is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BodiesError {
    #[error("a body has 1 to {MAX_MEMBERS} members, each once")]
    BadMembers,
    #[error("{0} does not hold a seat (credentials not recognised or replaced)")]
    NotSeated(String),
    #[error("the list for this body is being voted on (vote {0}): close that vote first")]
    VotePending(u64),
}

impl BodiesError {
    pub fn status(&self) -> u16 {
        match self {
            BodiesError::VotePending(_) => 409,
            _ => 422,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            BodiesError::VotePending(_) => "conflict",
            _ => "invalid",
        }
    }
}

/// The latest list of every body that has one.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BodiesState {
    pub bodies: BTreeMap<Body, BodyInfo>,
}

/// The delegate ids of `body`'s members, if the congress approved its list (else none).
pub fn members(state: &CongressState, body: Body) -> Vec<String> {
    state
        .bodies
        .bodies
        .get(&body)
        .filter(|b| b.status == BodyStatus::Approved)
        .map(|b| b.members.iter().map(|m| m.delegate_id.clone()).collect())
        .unwrap_or_default()
}

/// Whether `delegate_id` is a member of `body` as approved.
pub fn is_member(state: &CongressState, body: Body, delegate_id: &str) -> bool {
    roles_of(state, delegate_id).iter().any(|(b, _)| *b == body)
}

/// The approved bodies `delegate_id` belongs to, with the role in each.
pub fn roles_of(state: &CongressState, delegate_id: &str) -> Vec<(Body, BodyRole)> {
    state
        .bodies
        .bodies
        .values()
        .filter(|b| b.status == BodyStatus::Approved)
        .filter_map(|b| {
            b.members
                .iter()
                .find(|m| m.delegate_id == delegate_id)
                .map(|m| (b.body, m.role))
        })
        .collect()
}

pub(crate) fn decide(
    state: &CongressState,
    cmd: &BodiesCommand,
    ctx: Context,
) -> Result<Vec<Event>, DomainError> {
    match cmd {
        BodiesCommand::Propose {
            body,
            members,
            title,
            item_id,
        } => {
            let unique: BTreeSet<&str> = members.iter().map(|m| m.delegate_id.as_str()).collect();
            if members.is_empty() || members.len() > MAX_MEMBERS || unique.len() != members.len() {
                return Err(BodiesError::BadMembers.into());
            }
            for m in members {
                if !state.delegates.contains_key(&m.delegate_id) {
                    return Err(DomainError::UnknownDelegate(m.delegate_id.clone()));
                }
                if !state.credentials.may_sit(&m.delegate_id) {
                    return Err(BodiesError::NotSeated(m.delegate_id.clone()).into());
                }
            }
            if let Some(b) = state.bodies.bodies.get(body)
                && b.status == BodyStatus::Proposed
                && state
                    .votes
                    .get(&b.vote_id)
                    .is_some_and(|v| v.result.is_none())
            {
                return Err(BodiesError::VotePending(b.vote_id).into());
            }
            let (vote_id, mut events) =
                motions::create(state, NewVote::open_motion(title, item_id.as_deref()), ctx)?;
            events.push(
                BodiesEvent::BodyProposed {
                    body: *body,
                    members: members.clone(),
                    vote_id,
                    at: ctx.now,
                }
                .into(),
            );
            Ok(events)
        }
    }
}

/// What a closed vote decides for the bodies: the list whose vote it was, approved or not.
pub(crate) fn after_close(
    state: &CongressState,
    vote_id: u64,
    result: &VoteResult,
    ctx: Context,
) -> Option<Event> {
    let b = state
        .bodies
        .bodies
        .values()
        .find(|b| b.vote_id == vote_id && b.status == BodyStatus::Proposed)?;
    Some(
        BodiesEvent::BodyDecided {
            body: b.body,
            vote_id,
            approved: motions::adopted(result),
            at: ctx.now,
        }
        .into(),
    )
}

pub(crate) fn apply(state: &mut CongressState, event: &BodiesEvent) {
    match event {
        BodiesEvent::BodyProposed {
            body,
            members,
            vote_id,
            ..
        } => {
            state.bodies.bodies.insert(
                *body,
                BodyInfo {
                    body: *body,
                    members: members.clone(),
                    status: BodyStatus::Proposed,
                    vote_id: *vote_id,
                    decided_at: None,
                },
            );
        }
        BodiesEvent::BodyDecided {
            body,
            vote_id,
            approved,
            at,
        } => {
            if let Some(b) = state
                .bodies
                .bodies
                .get_mut(body)
                .filter(|b| b.vote_id == *vote_id)
            {
                b.status = if *approved {
                    BodyStatus::Approved
                } else {
                    BodyStatus::Rejected
                };
                b.decided_at = Some(*at);
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::Command;
    use crate::testkit::{CTX, check_in, congress_with, motion_vote, run};

    fn propose(s: &mut CongressState, ids: &[&str]) -> Result<usize, DomainError> {
        run(
            s,
            &BodiesCommand::Propose {
                body: Body::CountingBoard,
                members: ids
                    .iter()
                    .enumerate()
                    .map(|(i, id)| BodyMember {
                        delegate_id: (*id).into(),
                        role: if i == 0 {
                            BodyRole::Head
                        } else {
                            BodyRole::Member
                        },
                    })
                    .collect(),
                title: "Bầu Ban kiểm phiếu".into(),
                item_id: None,
            }
            .into(),
        )
    }

    #[test]
    fn a_list_counts_only_once_the_congress_approves_it() {
        let mut s = congress_with(6);
        check_in(&mut s, 6);
        propose(&mut s, &["D0001", "D0002", "D0003"]).unwrap();
        let vote = s.bodies.bodies[&Body::CountingBoard].vote_id;
        assert!(
            members(&s, Body::CountingBoard).is_empty(),
            "proposed is not approved"
        );
        // A second list while the first is being voted on is refused.
        assert_eq!(
            propose(&mut s, &["D0004"]),
            Err(BodiesError::VotePending(vote).into())
        );
        let events = motion_vote(&mut s, vote, 6, true);
        assert!(events.iter().any(|e| matches!(
            e,
            Event::Bodies(BodiesEvent::BodyDecided { approved: true, .. })
        )));
        assert_eq!(
            members(&s, Body::CountingBoard),
            vec!["D0001", "D0002", "D0003"]
        );
        assert_eq!(
            roles_of(&s, "D0001"),
            vec![(Body::CountingBoard, BodyRole::Head)]
        );
        assert!(is_member(&s, Body::CountingBoard, "D0002"));
        assert!(!is_member(&s, Body::Presidium, "D0002"));
    }

    #[test]
    fn a_rejected_list_gives_no_roles_and_a_new_list_may_follow() {
        let mut s = congress_with(6);
        check_in(&mut s, 6);
        propose(&mut s, &["D0001", "D0002"]).unwrap();
        let vote = s.bodies.bodies[&Body::CountingBoard].vote_id;
        motion_vote(&mut s, vote, 6, false);
        assert_eq!(
            s.bodies.bodies[&Body::CountingBoard].status,
            BodyStatus::Rejected
        );
        assert!(members(&s, Body::CountingBoard).is_empty());
        propose(&mut s, &["D0003"]).unwrap();
    }

    #[test]
    fn bad_lists_are_refused() {
        let mut s = congress_with(3);
        assert_eq!(propose(&mut s, &[]), Err(BodiesError::BadMembers.into()));
        assert_eq!(
            propose(&mut s, &["D0001", "D0001"]),
            Err(BodiesError::BadMembers.into())
        );
        assert_eq!(
            propose(&mut s, &["D9999"]),
            Err(DomainError::UnknownDelegate("D9999".into()))
        );
        let cmd: Command = BodiesCommand::Propose {
            body: Body::Presidium,
            members: vec![BodyMember {
                delegate_id: "D0001".into(),
                role: BodyRole::Head,
            }],
            title: "x".into(),
            item_id: Some("nope".into()),
        }
        .into();
        assert_eq!(
            crate::decide(&s, &cmd, CTX),
            Err(DomainError::UnknownAgendaItem("nope".into()))
        );
    }
}

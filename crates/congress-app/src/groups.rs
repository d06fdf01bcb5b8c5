//! Discussion groups in the server: who receives which push, the tablet's opinions and
//! summaries, and the views the REST routes answer with.
//!
//! Audiences: an opinion goes only to its author's and the group secretary's tablets (not
//! operators: the secretariat receives the summary); a draft only to the secretary's tablets;
//! a submitted summary and a new secretary to the group's tablets and operators. Group
//! membership is taken when the event is committed.

use std::collections::BTreeSet;
use std::sync::Arc;

use congress_domain::groups::{group_names, members};
use congress_domain::{CongressState, GroupCommand, GroupEvent};
use congress_proto::{
    AttendanceStatus, GroupInfo, GroupMember, GroupSummary, GroupsOverview, MyGroup, Push,
    ServerMsg,
};

use crate::auth::Caller;
use crate::engine::Engine;
use crate::error::AppError;
use crate::hub::Audience;
use crate::tablet;

fn set(ids: impl IntoIterator<Item = String>) -> Arc<BTreeSet<String>> {
    Arc::new(ids.into_iter().collect())
}

/// The members of `group`, as an audience.
pub fn group_set(state: &CongressState, group: &str) -> Arc<BTreeSet<String>> {
    set(members(state, group).into_iter().map(str::to_string))
}

pub fn push_for(state: &CongressState, event: &GroupEvent) -> Option<(Audience, Push)> {
    match event {
        GroupEvent::GroupSecretarySet { group, delegate_id } => Some((
            Audience::Delegates(group_set(state, group)),
            Push::GroupSecretary {
                group: group.clone(),
                secretary: delegate_id.clone(),
            },
        )),
        GroupEvent::OpinionSaved { opinion } => {
            let mut to = vec![opinion.delegate_id.clone()];
            to.extend(
                state
                    .groups
                    .secretary_of(&opinion.group)
                    .map(str::to_string),
            );
            Some((
                Audience::Members(set(to)),
                Push::Opinion {
                    opinion: opinion.clone(),
                },
            ))
        }
        GroupEvent::GroupSummarySaved { summary } => Some((
            Audience::Members(set([summary.by.clone()])),
            Push::GroupSummary {
                summary: summary.clone(),
            },
        )),
        GroupEvent::GroupSummarySubmitted { summary } => Some((
            Audience::Delegates(group_set(state, &summary.group)),
            Push::GroupSummary {
                summary: summary.clone(),
            },
        )),
    }
}

fn member(state: &CongressState, id: &str) -> Option<GroupMember> {
    state.delegates.get(id).map(|d| GroupMember {
        id: d.id.clone(),
        full_name: d.full_name.clone(),
        present: state.status_of(id) == AttendanceStatus::Present,
    })
}

/// The groups, their secretaries and every submitted summary.
pub fn overview(state: &CongressState) -> GroupsOverview {
    let groups = group_names(state)
        .into_iter()
        .map(|g| {
            let ms = members(state, &g);
            GroupInfo {
                members: ms.len() as u32,
                present: ms
                    .iter()
                    .filter(|m| state.status_of(m) == AttendanceStatus::Present)
                    .count() as u32,
                secretary: state.groups.secretary_of(&g).map(str::to_string),
                group: g,
            }
        })
        .collect();
    let summaries = state
        .groups
        .summaries
        .values()
        .filter(|s| s.submitted_at.is_some())
        .cloned()
        .collect();
    GroupsOverview { groups, summaries }
}

/// What a delegate's tablet may see of their group.
pub fn my_group(state: &CongressState, delegate_id: &str) -> Result<MyGroup, AppError> {
    let d = state
        .delegates
        .get(delegate_id)
        .ok_or_else(|| AppError::NotFound(format!("unknown delegate {delegate_id}")))?;
    let group = d.group.clone();
    let secretary_id = state.groups.secretary_of(&group);
    let is_secretary = secretary_id == Some(delegate_id);
    let members_list = if is_secretary {
        members(state, &group)
            .into_iter()
            .filter_map(|m| member(state, m))
            .collect()
    } else {
        Vec::new()
    };
    let opinions = state
        .groups
        .opinions_of_group(&group)
        .filter(|o| is_secretary || o.delegate_id == delegate_id)
        .cloned()
        .collect();
    let summaries: Vec<GroupSummary> = state
        .groups
        .summaries
        .values()
        .filter(|s| s.group == group && (is_secretary || s.submitted_at.is_some()))
        .cloned()
        .collect();
    Ok(MyGroup {
        secretary: secretary_id.and_then(|s| member(state, s)),
        is_secretary,
        members: members_list,
        opinions,
        summaries,
        group,
    })
}

/// A tablet's `send_opinion`: acked after the commit.
pub async fn opinion_from_tablet(
    engine: &Engine,
    caller: &Caller,
    client_id: &str,
    item_id: String,
    text: String,
    request: &impl serde::Serialize,
) -> ServerMsg {
    tablet::acked(engine, caller, client_id, request, |delegate_id| {
        GroupCommand::SaveOpinion {
            delegate_id,
            item_id,
            text,
        }
    })
    .await
}

/// A secretary's tablet's `save_summary` (a draft, or submitted): acked after the commit.
pub async fn summary_from_tablet(
    engine: &Engine,
    caller: &Caller,
    client_id: &str,
    item_id: String,
    text: String,
    submit: bool,
    request: &impl serde::Serialize,
) -> ServerMsg {
    tablet::acked(engine, caller, client_id, request, |delegate_id| {
        GroupCommand::SaveSummary {
            delegate_id,
            item_id,
            text,
            submit,
        }
    })
    .await
}

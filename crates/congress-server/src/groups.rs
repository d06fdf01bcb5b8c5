//! Notices and discussion groups in the server: who sees which push, what a tablet's snapshot
//! holds, the tablet's websocket messages (read receipts, opinions, summaries), and the views
//! the REST routes answer with.
//!
//! Audiences: a notice goes to its addressees' tablets (and operators); a receipt to operators
//! and the reader's own tablets; an opinion only to its author's and the group secretary's
//! tablets (not operators: the secretariat receives the summary); a draft only to the
//! secretary's tablets; a submitted summary and a new secretary to the group's tablets and
//! operators. Group membership is taken when the event is committed.

use congress_domain::{GroupCommand, GroupEvent, NoticeCommand, NoticeEvent};
use std::collections::BTreeSet;
use std::sync::Arc;

use congress_domain::groups::{GroupError, group_names, members};
use congress_domain::notices::{notices_for, recipients};
use congress_domain::{Command, CongressState, DomainError, Event};
use congress_proto::{
    AttendanceStatus, ClientMsg, GroupInfo, GroupMember, GroupSummary, GroupsOverview, MyGroup,
    Notice, NoticeAudience, NoticeStatus, Push, ServerMsg,
};

use crate::auth::Caller;
use crate::engine::Engine;
use crate::error::AppError;
use crate::hub::Audience;

fn set(ids: impl IntoIterator<Item = String>) -> Arc<BTreeSet<String>> {
    Arc::new(ids.into_iter().collect())
}

fn group_set(state: &CongressState, group: &str) -> Arc<BTreeSet<String>> {
    set(members(state, group).into_iter().map(str::to_string))
}

/// The push a notice or group event causes, computed from the state just after it.
pub fn push_for(state: &CongressState, event: &Event) -> Option<(Audience, Push)> {
    match event {
        Event::Notices(NoticeEvent::NoticeSent { notice }) => {
            let audience = match &notice.audience {
                // Tablets and operators; not kiosks or projector devices.
                NoticeAudience::All => Audience::Delegates(set(state.delegates.keys().cloned())),
                NoticeAudience::Group { group } => Audience::Delegates(group_set(state, group)),
                NoticeAudience::Delegate { delegate_id } => Audience::Delegate(delegate_id.clone()),
            };
            Some((
                audience,
                Push::Notice {
                    notice: notice.clone(),
                },
            ))
        }
        Event::Notices(NoticeEvent::NoticeRead { receipt }) => Some((
            Audience::Delegate(receipt.delegate_id.clone()),
            Push::NoticeRead {
                receipt: receipt.clone(),
            },
        )),
        Event::Groups(GroupEvent::GroupSecretarySet { group, delegate_id }) => Some((
            Audience::Delegates(group_set(state, group)),
            Push::GroupSecretary {
                group: group.clone(),
                secretary: delegate_id.clone(),
            },
        )),
        Event::Groups(GroupEvent::OpinionSaved { opinion }) => {
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
        Event::Groups(GroupEvent::GroupSummarySaved { summary }) => Some((
            Audience::Members(set([summary.by.clone()])),
            Push::GroupSummary {
                summary: summary.clone(),
            },
        )),
        Event::Groups(GroupEvent::GroupSummarySubmitted { summary }) => Some((
            Audience::Delegates(group_set(state, &summary.group)),
            Push::GroupSummary {
                summary: summary.clone(),
            },
        )),
        _ => None,
    }
}

/// A tablet's notices and the ids of those it has read (operators get none: the console asks
/// `GET /api/notices`).
pub fn snapshot_notices(state: &CongressState, caller: &Caller) -> (Vec<Notice>, Vec<u64>) {
    let Caller::Device(d) = caller else {
        return (Vec::new(), Vec::new());
    };
    let Some(delegate) = d.delegate_id.as_deref() else {
        return (Vec::new(), Vec::new());
    };
    let notices: Vec<Notice> = notices_for(state, delegate).into_iter().cloned().collect();
    let read = notices
        .iter()
        .filter(|n| state.notices.has_read(n.id, delegate))
        .map(|n| n.id)
        .collect();
    (notices, read)
}

/// Every notice with its receipts, newest first.
pub fn notice_statuses(state: &CongressState) -> Vec<NoticeStatus> {
    state
        .notices
        .notices
        .values()
        .rev()
        .map(|n| {
            let to = recipients(state, &n.audience);
            let unread: Vec<String> = to
                .iter()
                .filter(|d| !state.notices.has_read(n.id, d))
                .map(|d| d.to_string())
                .collect();
            NoticeStatus {
                notice: n.clone(),
                recipients: to.len() as u32,
                read: (to.len() - unread.len()) as u32,
                unread,
            }
        })
        .collect()
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

/// A stable code for a refused command.
pub fn refusal_code(e: &AppError) -> &'static str {
    match e {
        AppError::Domain(DomainError::Groups(g)) => g.code(),
        other => other.status_and_code().1,
    }
}

/// Handles a tablet's `read_notice`, `send_opinion` or `save_summary`; `None` for any other
/// message.
pub async fn on_message(engine: &Engine, caller: &Caller, msg: &ClientMsg) -> Option<ServerMsg> {
    let (client_id, kind) = match msg {
        ClientMsg::ReadNotice { client_id, .. } => (client_id, "read_notice"),
        ClientMsg::SendOpinion { client_id, .. } => (client_id, "send_opinion"),
        ClientMsg::SaveSummary { client_id, .. } => (client_id, "save_summary"),
        _ => return None,
    };
    let refused = |e: AppError| ServerMsg::Refused {
        client_id: client_id.clone(),
        error: refusal_code(&e).to_string(),
        message: e.to_string(),
    };
    let delegate = match caller {
        Caller::Device(d) if d.kind == congress_proto::DeviceKind::Tablet => d.delegate_id.clone(),
        _ => None,
    };
    let Some(delegate_id) = delegate else {
        return Some(refused(AppError::Forbidden));
    };
    let cmd = match msg.clone() {
        ClientMsg::ReadNotice { notice_id, .. } => Command::Notices(NoticeCommand::ReadNotice {
            notice_id,
            delegate_id,
        }),
        ClientMsg::SendOpinion { item_id, text, .. } => {
            Command::Groups(GroupCommand::SaveOpinion {
                delegate_id,
                item_id,
                text,
            })
        }
        ClientMsg::SaveSummary {
            item_id,
            text,
            submit,
            ..
        } => Command::Groups(GroupCommand::SaveSummary {
            delegate_id,
            item_id,
            text,
            submit,
        }),
        _ => return None,
    };
    let idem = match crate::routes::idempotency(client_id, &caller.actor(), &(kind, msg)) {
        Ok(i) => i,
        Err(e) => return Some(refused(e)),
    };
    let cid = client_id.clone();
    let answer = engine
        .execute(cmd, caller.actor(), Some(idem), move |a| {
            serde_json::to_value(ServerMsg::Acked {
                client_id: cid,
                seq: a.seq,
            })
            .unwrap_or_default()
        })
        .await;
    Some(match answer {
        Ok(v) => {
            serde_json::from_value(v).unwrap_or_else(|e| refused(AppError::Internal(e.to_string())))
        }
        Err(e) => refused(e),
    })
}

/// Maps a group error to its HTTP status and code (see `AppError::status_and_code`).
pub fn status_of(e: &GroupError) -> (axum::http::StatusCode, &'static str) {
    use axum::http::StatusCode as S;
    let status = match e {
        GroupError::UnknownGroup(_)
        | GroupError::UnknownDelegate(_)
        | GroupError::UnknownItem(_)
        | GroupError::UnknownNotice(_) => S::NOT_FOUND,
        GroupError::NotSecretary => S::FORBIDDEN,
        GroupError::Submitted { .. } => S::CONFLICT,
        _ => S::UNPROCESSABLE_ENTITY,
    };
    (status, e.code())
}

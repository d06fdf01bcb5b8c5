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
mod tests;

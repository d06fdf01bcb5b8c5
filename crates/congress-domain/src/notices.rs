//! Notices: short texts the secretariat pushes to every tablet, to one discussion group or to
//! one delegate, and the delegates' read receipts. A notice's text is kept verbatim (markup
//! included: clients show it as text); a receipt is recorded once per delegate and notice.

use std::collections::BTreeMap;

use congress_proto::{MAX_NOTICE_CHARS, Notice, NoticeAudience, NoticeReceipt};
use serde::{Deserialize, Serialize};

use crate::command::Context;
use crate::error::DomainError;
use crate::event::Event;
use crate::groups::{GroupError, check_body};
use crate::state::CongressState;

#[derive(Debug, Clone, PartialEq)]
pub enum NoticeCommand {
    /// Send a notice (the domain numbers it); `by` is the operator.
    SendNotice {
        text: String,
        audience: NoticeAudience,
        by: String,
    },
    /// A delegate read a notice (a second receipt changes nothing).
    ReadNotice { notice_id: u64, delegate_id: String },
}

#[derive(
    Debug, Clone, PartialEq, Serialize, Deserialize, strum::IntoStaticStr, strum::VariantNames,
)]
#[serde(tag = "event", rename_all = "snake_case", deny_unknown_fields)]
#[strum(serialize_all = "snake_case")]
pub enum NoticeEvent {
    /// A notice was sent (its text verbatim).
    NoticeSent { notice: Notice },
    /// A delegate read a notice (the first time).
    NoticeRead { receipt: NoticeReceipt },
}

pub(crate) fn decide(
    state: &CongressState,
    cmd: &NoticeCommand,
    ctx: Context,
) -> Result<Vec<Event>, DomainError> {
    let events = match cmd {
        NoticeCommand::SendNotice { text, audience, by } => {
            decide_send(state, text, audience, by, ctx.now)?
        }
        NoticeCommand::ReadNotice {
            notice_id,
            delegate_id,
        } => decide_read(state, *notice_id, delegate_id, ctx.now)?,
    };
    Ok(events.into_iter().map(Event::from).collect())
}

/// Notices and who read them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NoticesState {
    pub notices: BTreeMap<u64, Notice>,
    /// (notice, delegate) → when first read.
    pub reads: BTreeMap<(u64, String), i64>,
}

impl NoticesState {
    pub fn next_id(&self) -> u64 {
        self.notices.keys().next_back().map_or(1, |k| k + 1)
    }

    pub fn has_read(&self, notice_id: u64, delegate_id: &str) -> bool {
        self.reads
            .contains_key(&(notice_id, delegate_id.to_string()))
    }

    /// The receipts of one notice, by delegate.
    pub fn receipts(&self, notice_id: u64) -> impl Iterator<Item = (&str, i64)> {
        self.reads
            .range((notice_id, String::new())..(notice_id + 1, String::new()))
            .map(|((_, d), at)| (d.as_str(), *at))
    }

    pub fn apply(&mut self, event: &NoticeEvent) {
        match event {
            NoticeEvent::NoticeSent { notice } => {
                self.notices.insert(notice.id, notice.clone());
            }
            NoticeEvent::NoticeRead { receipt } => {
                self.reads
                    .entry((receipt.notice_id, receipt.delegate_id.clone()))
                    .or_insert(receipt.at);
            }
        }
    }
}

/// Whether `audience` includes the delegate `delegate_id` (group membership as of now).
pub fn addressed_to(state: &CongressState, audience: &NoticeAudience, delegate_id: &str) -> bool {
    match audience {
        NoticeAudience::All => state.delegates.contains_key(delegate_id),
        NoticeAudience::Group { group } => state
            .delegates
            .get(delegate_id)
            .is_some_and(|d| &d.group == group),
        NoticeAudience::Delegate { delegate_id: id } => id == delegate_id,
    }
}

/// The delegates `audience` addresses, sorted by id.
pub fn recipients<'a>(state: &'a CongressState, audience: &'a NoticeAudience) -> Vec<&'a str> {
    state
        .delegates
        .keys()
        .filter(|id| addressed_to(state, audience, id))
        .map(String::as_str)
        .collect()
}

/// The notices addressed to a delegate, oldest first.
pub fn notices_for<'a>(state: &'a CongressState, delegate_id: &str) -> Vec<&'a Notice> {
    state
        .notices
        .notices
        .values()
        .filter(|n| addressed_to(state, &n.audience, delegate_id))
        .collect()
}

fn decide_send(
    state: &CongressState,
    text: &str,
    audience: &NoticeAudience,
    by: &str,
    now: i64,
) -> Result<Vec<NoticeEvent>, GroupError> {
    check_body("notice", text, MAX_NOTICE_CHARS)?;
    match audience {
        NoticeAudience::All => {}
        NoticeAudience::Group { group } => {
            if crate::groups::members(state, group).is_empty() {
                return Err(GroupError::UnknownGroup(group.clone()));
            }
        }
        NoticeAudience::Delegate { delegate_id } => {
            if !state.delegates.contains_key(delegate_id) {
                return Err(GroupError::UnknownDelegate(delegate_id.clone()));
            }
        }
    }
    Ok(vec![NoticeEvent::NoticeSent {
        notice: Notice {
            id: state.notices.next_id(),
            text: text.to_string(),
            audience: audience.clone(),
            at: now,
            by: by.to_string(),
        },
    }])
}

fn decide_read(
    state: &CongressState,
    notice_id: u64,
    delegate_id: &str,
    now: i64,
) -> Result<Vec<NoticeEvent>, GroupError> {
    let notice = state
        .notices
        .notices
        .get(&notice_id)
        .filter(|n| addressed_to(state, &n.audience, delegate_id))
        .ok_or(GroupError::UnknownNotice(notice_id))?;
    if state.notices.has_read(notice.id, delegate_id) {
        return Ok(vec![]);
    }
    Ok(vec![NoticeEvent::NoticeRead {
        receipt: NoticeReceipt {
            notice_id,
            delegate_id: delegate_id.to_string(),
            at: now,
        },
    }])
}

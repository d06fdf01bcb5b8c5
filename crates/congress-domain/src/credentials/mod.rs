//! Credentials: each delegate's status as the credentials committee decides it (recognised,
//! contested, not recognised, replaced by a substitute), with the reason and who decided; the
//! composition fields the delegate list carries; the committee's report, generated from the
//! data and put to the congress as an open motion.
//!
//! # Decisions
//!
//! * **No record means pending.** A delegate not yet examined sits and votes; so does a contested
//!   one until the congress decides.
//! * **Not recognised withdraws the seat**: the convened count (and so the quorum) goes down by
//!   one, the delegate is checked out if present and can no longer check in or vote.
//! * **A substitute takes the seat.** The substitute becomes a delegate with the replaced one's
//!   seat, group and roles (so the same documents' audience), the replaced one's tablets are
//!   handed over (`device_reassigned`: the tablet reconnects as the substitute), the replaced one
//!   is checked out and can no longer check in (a kiosk that recognises their face is refused);
//!   the convened count is unchanged. The substitute's face is enrolled at the desk like anyone's.
//! * **The report's numbers are frozen when it is put to the vote** (in the event), so the
//!   minutes record what the congress approved.

mod report;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;

use congress_proto::{
    AttendanceRecord, AttendanceSource, AttendanceStatus, Composition, CredentialInfo,
    CredentialStatus, CredentialsReport, Delegate, DelegateComposition, DeviceKind,
};
use serde::{Deserialize, Serialize};

use crate::access::AccessEvent;
use crate::attendance::AttendanceEvent;
use crate::command::Context;
use crate::congress::{CongressEvent, check_delegate};
use crate::error::DomainError;
use crate::event::Event;
use crate::motions::{self, NewVote};
use crate::state::CongressState;
use crate::text::check_required;
use crate::vote::VoteResult;

pub use report::report;

/// Most delegates one decision may name.
pub const MAX_BATCH: usize = 2_000;

#[derive(Debug, Clone, PartialEq)]
pub enum CredentialsCommand {
    /// One decision for one or more delegates.
    Decide {
        delegate_ids: Vec<String>,
        status: CredentialStatus,
        reason: String,
        /// `operator:NAME`.
        by: String,
    },
    /// A substitute takes `replaced`'s seat.
    SeatSubstitute {
        replaced: String,
        id: String,
        full_name: String,
        unit: String,
        composition: Composition,
        reason: String,
        by: String,
    },
    /// The composition fields of an imported delegate list.
    RecordComposition(Vec<DelegateComposition>),
    /// Put the report, as it stands now, to an open vote linked to `item_id`.
    PutReportToVote {
        title: String,
        item_id: Option<String>,
    },
}

#[derive(
    Debug, Clone, PartialEq, Serialize, Deserialize, strum::IntoStaticStr, strum::VariantNames,
)]
#[serde(tag = "event", rename_all = "snake_case", deny_unknown_fields)]
#[strum(serialize_all = "snake_case")]
pub enum CredentialsEvent {
    /// The committee's decision on these delegates' credentials.
    CredentialsDecided {
        delegate_ids: Vec<String>,
        status: CredentialStatus,
        reason: String,
        by: String,
        at: i64,
    },
    /// `substitute` (already added to the list by `delegates_imported`) took `replaced`'s seat.
    SubstituteSeated {
        replaced: String,
        substitute: String,
        reason: String,
        by: String,
        at: i64,
    },
    /// Composition fields from the delegate list (replacing earlier ones of these delegates).
    CompositionRecorded { entries: Vec<DelegateComposition> },
    /// The report, with its numbers as they stood, was put to the vote.
    ReportPutToVote {
        vote_id: u64,
        report: Box<CredentialsReport>,
        at: i64,
    },
    /// The vote on the report closed.
    ReportDecided {
        vote_id: u64,
        adopted: bool,
        at: i64,
    },
}

/// Why a credentials command is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CredentialsError {
    #[error("a decision names 1 to {MAX_BATCH} delegates, each once")]
    BadBatch,
    #[error("a substitute is seated with its own request, not by setting the status")]
    UseSubstitute,
    #[error("{0} was already replaced by a substitute")]
    AlreadyReplaced(String),
    #[error("the id {0} is already on the delegate list")]
    IdTaken(String),
    #[error("the report is already being voted on (vote {0})")]
    VotePending(u64),
}

impl CredentialsError {
    pub fn status(&self) -> u16 {
        match self {
            CredentialsError::BadBatch | CredentialsError::UseSubstitute => 422,
            _ => 409,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            CredentialsError::BadBatch | CredentialsError::UseSubstitute => "invalid",
            _ => "conflict",
        }
    }
}

/// One delegate's credentials.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credential {
    pub status: CredentialStatus,
    pub reason: Option<String>,
    pub decided_by: Option<String>,
    pub decided_at: Option<i64>,
    pub replaced_by: Option<String>,
    pub substitute_for: Option<String>,
}

impl Default for Credential {
    fn default() -> Self {
        Credential {
            status: CredentialStatus::Pending,
            reason: None,
            decided_by: None,
            decided_at: None,
            replaced_by: None,
            substitute_for: None,
        }
    }
}

/// Every delegate's credentials and composition.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CredentialsState {
    /// Delegates with a decision (the others are pending).
    pub records: BTreeMap<String, Credential>,
    pub composition: BTreeMap<String, Composition>,
    /// The vote on the report, and its outcome once closed.
    pub report_vote: Option<u64>,
    pub report_adopted: Option<bool>,
}

impl CredentialsState {
    pub fn status(&self, delegate_id: &str) -> CredentialStatus {
        self.records
            .get(delegate_id)
            .map_or(CredentialStatus::Pending, |c| c.status)
    }

    /// Whether the delegate may be checked in and vote.
    pub fn may_sit(&self, delegate_id: &str) -> bool {
        self.status(delegate_id).may_sit()
    }

    /// Seats withdrawn (credentials not recognised): convened goes down by this many.
    pub fn withdrawn(&self) -> u32 {
        self.count(CredentialStatus::NotRecognised)
    }

    /// Delegates on the list who hold no seat (withdrawn or replaced).
    pub fn unseated(&self) -> u32 {
        self.withdrawn() + self.count(CredentialStatus::Replaced)
    }

    pub fn count(&self, status: CredentialStatus) -> u32 {
        let n = self.records.values().filter(|c| c.status == status).count();
        u32::try_from(n).unwrap_or(u32::MAX)
    }

    /// A delegate's credentials as clients see them.
    pub fn info(&self, delegate_id: &str) -> CredentialInfo {
        let c = self.records.get(delegate_id).cloned().unwrap_or_default();
        CredentialInfo {
            delegate_id: delegate_id.to_string(),
            status: c.status,
            reason: c.reason,
            decided_by: c.decided_by,
            decided_at: c.decided_at,
            replaced_by: c.replaced_by,
            substitute_for: c.substitute_for,
            composition: self
                .composition
                .get(delegate_id)
                .cloned()
                .unwrap_or_default(),
        }
    }
}

/// The events that check `delegate_id` out (if present) because of a credentials decision.
fn check_out(
    state: &CongressState,
    delegate_id: &str,
    reason: &str,
    by: &str,
    now: i64,
) -> Option<Event> {
    (state.status_of(delegate_id) == AttendanceStatus::Present).then(|| {
        AttendanceEvent::AttendanceChanged {
            record: AttendanceRecord {
                delegate_id: delegate_id.to_string(),
                status: AttendanceStatus::Absent,
                at: now,
                source: AttendanceSource::Operator {
                    username: by.strip_prefix("operator:").unwrap_or(by).to_string(),
                },
                reason: Some(reason.to_string()),
            },
        }
        .into()
    })
}

fn known(state: &CongressState, id: &str) -> Result<(), DomainError> {
    if state.delegates.contains_key(id) {
        Ok(())
    } else {
        Err(DomainError::UnknownDelegate(id.to_string()))
    }
}

pub(crate) fn decide(
    state: &CongressState,
    cmd: &CredentialsCommand,
    ctx: Context,
) -> Result<Vec<Event>, DomainError> {
    let now = ctx.now;
    let creds = &state.credentials;
    match cmd {
        CredentialsCommand::Decide {
            delegate_ids,
            status,
            reason,
            by,
        } => {
            let unique: std::collections::BTreeSet<&String> = delegate_ids.iter().collect();
            if delegate_ids.is_empty()
                || delegate_ids.len() > MAX_BATCH
                || unique.len() != delegate_ids.len()
            {
                return Err(CredentialsError::BadBatch.into());
            }
            if matches!(
                status,
                CredentialStatus::Replaced | CredentialStatus::Pending
            ) {
                return Err(CredentialsError::UseSubstitute.into());
            }
            check_required("reason", reason)?;
            for id in delegate_ids {
                known(state, id)?;
                if creds.status(id) == CredentialStatus::Replaced {
                    return Err(CredentialsError::AlreadyReplaced(id.clone()).into());
                }
            }
            let reason = reason.trim().to_string();
            let mut events: Vec<Event> = Vec::new();
            if *status == CredentialStatus::NotRecognised {
                events.extend(
                    delegate_ids
                        .iter()
                        .filter_map(|id| check_out(state, id, &reason, by, now)),
                );
            }
            events.push(
                CredentialsEvent::CredentialsDecided {
                    delegate_ids: delegate_ids.clone(),
                    status: *status,
                    reason,
                    by: by.clone(),
                    at: now,
                }
                .into(),
            );
            Ok(events)
        }
        CredentialsCommand::SeatSubstitute {
            replaced,
            id,
            full_name,
            unit,
            composition,
            reason,
            by,
        } => {
            known(state, replaced)?;
            if creds.status(replaced) == CredentialStatus::Replaced {
                return Err(CredentialsError::AlreadyReplaced(replaced.clone()).into());
            }
            if state.delegates.contains_key(id) {
                return Err(CredentialsError::IdTaken(id.clone()).into());
            }
            check_required("reason", reason)?;
            let old = state
                .delegates
                .get(replaced)
                .ok_or_else(|| DomainError::UnknownDelegate(replaced.clone()))?;
            let sub = Delegate {
                id: id.trim().to_string(),
                full_name: full_name.trim().to_string(),
                unit: unit.trim().to_string(),
                seat: old.seat.clone(),
                group: old.group.clone(),
                roles: old.roles.clone(),
            };
            check_delegate(&sub)?;
            let reason = reason.trim().to_string();
            let mut events: Vec<Event> = vec![
                CongressEvent::DelegatesImported {
                    delegates: vec![sub.clone()],
                }
                .into(),
            ];
            if !composition.is_empty() {
                events.push(
                    CredentialsEvent::CompositionRecorded {
                        entries: vec![DelegateComposition {
                            delegate_id: sub.id.clone(),
                            composition: composition.clone(),
                        }],
                    }
                    .into(),
                );
            }
            events.extend(check_out(state, replaced, &reason, by, now));
            events.extend(
                state
                    .devices
                    .values()
                    .filter(|d| {
                        !d.device.revoked
                            && d.device.kind == DeviceKind::Tablet
                            && d.device.delegate_id.as_deref() == Some(replaced.as_str())
                    })
                    .map(|d| {
                        AccessEvent::DeviceReassigned {
                            device_id: d.device.id.clone(),
                            delegate_id: sub.id.clone(),
                            by: by.clone(),
                        }
                        .into()
                    }),
            );
            events.push(
                CredentialsEvent::SubstituteSeated {
                    replaced: replaced.clone(),
                    substitute: sub.id,
                    reason,
                    by: by.clone(),
                    at: now,
                }
                .into(),
            );
            Ok(events)
        }
        CredentialsCommand::RecordComposition(entries) => {
            for e in entries {
                known(state, &e.delegate_id)?;
                for f in Composition::FIELDS {
                    if let Some(v) = e.composition.get(f) {
                        crate::text::check_text("composition", v)?;
                    }
                }
            }
            if entries.is_empty() {
                return Ok(vec![]);
            }
            Ok(vec![
                CredentialsEvent::CompositionRecorded {
                    entries: entries.clone(),
                }
                .into(),
            ])
        }
        CredentialsCommand::PutReportToVote { title, item_id } => {
            if state.congress.is_none() {
                return Err(DomainError::NoCongress);
            }
            if let Some(v) = creds.report_vote
                && creds.report_adopted.is_none()
                && state.votes.get(&v).is_some_and(|r| r.result.is_none())
            {
                return Err(CredentialsError::VotePending(v).into());
            }
            let (vote_id, mut events) =
                motions::create(state, NewVote::open_motion(title, item_id.as_deref()), ctx)?;
            let mut numbers = report(state, now);
            numbers.vote_id = Some(vote_id);
            numbers.adopted = None;
            events.push(
                CredentialsEvent::ReportPutToVote {
                    vote_id,
                    report: Box::new(numbers),
                    at: now,
                }
                .into(),
            );
            Ok(events)
        }
    }
}

/// What a closed vote decides for the credentials: the report adopted or not.
pub(crate) fn after_close(
    state: &CongressState,
    vote_id: u64,
    result: &VoteResult,
    ctx: Context,
) -> Option<Event> {
    (state.credentials.report_vote == Some(vote_id)).then(|| {
        CredentialsEvent::ReportDecided {
            vote_id,
            adopted: motions::adopted(result),
            at: ctx.now,
        }
        .into()
    })
}

pub(crate) fn apply(state: &mut CongressState, event: &CredentialsEvent) {
    let creds = &mut state.credentials;
    match event {
        CredentialsEvent::CredentialsDecided {
            delegate_ids,
            status,
            reason,
            by,
            at,
        } => {
            for id in delegate_ids {
                let c = creds.records.entry(id.clone()).or_default();
                c.status = *status;
                c.reason = Some(reason.clone());
                c.decided_by = Some(by.clone());
                c.decided_at = Some(*at);
            }
        }
        CredentialsEvent::SubstituteSeated {
            replaced,
            substitute,
            reason,
            by,
            at,
        } => {
            let c = creds.records.entry(replaced.clone()).or_default();
            c.status = CredentialStatus::Replaced;
            c.reason = Some(reason.clone());
            c.decided_by = Some(by.clone());
            c.decided_at = Some(*at);
            c.replaced_by = Some(substitute.clone());
            let s = creds.records.entry(substitute.clone()).or_default();
            s.status = CredentialStatus::Recognised;
            s.reason = Some(reason.clone());
            s.decided_by = Some(by.clone());
            s.decided_at = Some(*at);
            s.substitute_for = Some(replaced.clone());
        }
        CredentialsEvent::CompositionRecorded { entries } => {
            for e in entries {
                creds
                    .composition
                    .insert(e.delegate_id.clone(), e.composition.clone());
            }
        }
        CredentialsEvent::ReportPutToVote { vote_id, .. } => {
            creds.report_vote = Some(*vote_id);
            creds.report_adopted = None;
        }
        CredentialsEvent::ReportDecided {
            vote_id, adopted, ..
        } => {
            if creds.report_vote == Some(*vote_id) {
                creds.report_adopted = Some(*adopted);
            }
        }
    }
}

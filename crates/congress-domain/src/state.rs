//! The whole state of a congress in memory, and how each event changes it.

use std::collections::{BTreeMap, HashMap};

use congress_proto::{
    Agenda, AttendanceRecord, AttendanceStatus, AttendanceSummary, Congress, Delegate, Device,
    DeviceKind, JournalHead, KioskDirection, OperatorInfo, OperatorRole, QuorumRule,
};

use crate::event::Event;
use crate::quorum;

/// An operator account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Operator {
    pub username: String,
    pub display_name: String,
    pub roles: Vec<OperatorRole>,
    pub password_hash: String,
}

impl Operator {
    pub fn info(&self) -> OperatorInfo {
        OperatorInfo {
            username: self.username.clone(),
            display_name: self.display_name.clone(),
            roles: self.roles.clone(),
        }
    }

    pub fn has_any(&self, roles: &[OperatorRole]) -> bool {
        self.roles
            .iter()
            .any(|r| *r == OperatorRole::Admin || roles.contains(r))
    }
}

/// A logged-in operator session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub username: String,
    pub expires_at: i64,
}

/// An unused one-time pairing code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingPairing {
    pub kind: DeviceKind,
    pub delegate_id: Option<String>,
    pub label: String,
    pub direction: Option<KioskDirection>,
    pub expires_at: i64,
}

/// A paired device and the hash of its token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PairedDevice {
    pub device: Device,
    pub token_hash: String,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct CongressState {
    pub congress: Option<Congress>,
    pub delegates: BTreeMap<String, Delegate>,
    /// Latest attendance record per delegate; a delegate without one is absent.
    pub attendance: HashMap<String, AttendanceRecord>,
    pub agenda: Agenda,
    pub operators: BTreeMap<String, Operator>,
    /// By SHA-256 of the token.
    pub sessions: HashMap<String, Session>,
    /// By SHA-256 of the code.
    pub pairing_codes: HashMap<String, PendingPairing>,
    pub devices: BTreeMap<String, PairedDevice>,
    /// Device id by SHA-256 of its token.
    pub device_tokens: HashMap<String, String>,
    /// The journal head this state reflects.
    pub head: JournalHead,
    /// Documents and their versions.
    pub docs: crate::documents::DocsState,
    /// Votes by id.
    pub votes: BTreeMap<u64, crate::vote::lifecycle::VoteRecord>,
    /// Notices and their read receipts.
    pub notices: crate::notices::NoticesState,
    /// Discussion groups: secretaries, opinions, summaries.
    pub groups: crate::groups::GroupsState,
    /// Agenda control, speakers and the projector (`crate::meeting`).
    pub meeting: crate::meeting::MeetingState,
    /// Counts kept up to date by `apply`, so a summary costs nothing.
    present: u32,
    left: u32,
}

impl CongressState {
    /// Applies one committed event. Total: every event the domain produced applies cleanly.
    pub fn apply(&mut self, event: &Event) {
        match event {
            Event::CongressDefined { congress } => self.congress = Some(congress.clone()),
            Event::DelegatesImported { delegates } => {
                for d in delegates {
                    self.delegates.insert(d.id.clone(), d.clone());
                }
            }
            Event::AgendaDefined { items } => {
                self.agenda.items = items.clone();
                if let Some(cur) = &self.agenda.current
                    && !items.iter().any(|i| &i.id == cur)
                {
                    self.agenda.current = None;
                }
            }
            Event::CurrentItemSet { item_id } => self.agenda.current = item_id.clone(),
            Event::AttendanceChanged { record } => {
                let old = self
                    .attendance
                    .insert(record.delegate_id.clone(), record.clone())
                    .map(|r| r.status)
                    .unwrap_or(AttendanceStatus::Absent);
                self.count(old, -1);
                self.count(record.status, 1);
            }
            Event::OperatorSaved {
                username,
                display_name,
                roles,
                password_hash,
            } => {
                self.operators.insert(
                    username.clone(),
                    Operator {
                        username: username.clone(),
                        display_name: display_name.clone(),
                        roles: roles.clone(),
                        password_hash: password_hash.clone(),
                    },
                );
            }
            Event::SessionOpened {
                token_hash,
                username,
                expires_at,
            } => {
                self.sessions.insert(
                    token_hash.clone(),
                    Session {
                        username: username.clone(),
                        expires_at: *expires_at,
                    },
                );
            }
            Event::SessionClosed { token_hash } => {
                self.sessions.remove(token_hash);
            }
            Event::PairingCodeCreated {
                code_hash,
                kind,
                delegate_id,
                label,
                direction,
                expires_at,
                created_by: _,
            } => {
                self.pairing_codes.insert(
                    code_hash.clone(),
                    PendingPairing {
                        kind: *kind,
                        delegate_id: delegate_id.clone(),
                        label: label.clone(),
                        direction: *direction,
                        expires_at: *expires_at,
                    },
                );
            }
            Event::DevicePaired {
                device,
                token_hash,
                code_hash,
            } => {
                self.pairing_codes.remove(code_hash);
                self.device_tokens
                    .insert(token_hash.clone(), device.id.clone());
                self.devices.insert(
                    device.id.clone(),
                    PairedDevice {
                        device: device.clone(),
                        token_hash: token_hash.clone(),
                    },
                );
            }
            Event::DeviceRevoked { device_id, by: _ } => {
                if let Some(d) = self.devices.get_mut(device_id) {
                    d.device.revoked = true;
                    self.device_tokens.remove(&d.token_hash);
                }
            }
            Event::DocumentVersionAdded { .. }
            | Event::DocumentUpdated { .. }
            | Event::DocumentDelivered { .. }
            | Event::DocumentFetched { .. }
            | Event::DocumentsPurged { .. } => self.docs.apply(event),
            // Biometric data lives outside the state (see `Event::FaceEnrolled`).
            Event::FaceEnrolled { .. } | Event::BiometricsPurged { .. } => {}
            Event::VoteCreated { .. }
            | Event::VoteOpened { .. }
            | Event::VoteClosed { .. }
            | Event::BallotCast { .. }
            | Event::VoteParticipated { .. }
            | Event::SecretBallotCast { .. } => crate::vote::apply::apply(self, event),
            Event::NoticeSent { .. } | Event::NoticeRead { .. } => self.notices.apply(event),
            Event::GroupSecretarySet { .. }
            | Event::OpinionSaved { .. }
            | Event::GroupSummarySaved { .. }
            | Event::GroupSummarySubmitted { .. } => self.groups.apply(event),
            Event::ItemPlanned {
                item_id,
                planned_start,
                planned_minutes,
                ..
            } => {
                if let Some(i) = self.agenda.items.iter_mut().find(|i| &i.id == item_id) {
                    i.planned_start = planned_start.clone();
                    i.planned_minutes = *planned_minutes;
                }
                self.meeting.apply(event);
            }
            Event::ItemStarted { .. }
            | Event::ItemClosed { .. }
            | Event::VoteLinked { .. }
            | Event::SpeakerRequested { .. }
            | Event::SpeakerWithdrawn { .. }
            | Event::SpeakerRemoved { .. }
            | Event::SpeakersReordered { .. }
            | Event::SpeakerGranted { .. }
            | Event::SpeakerExtended { .. }
            | Event::SpeakerFinished { .. }
            | Event::ProjectorSceneSet { .. } => self.meeting.apply(event),
        }
    }

    fn count(&mut self, status: AttendanceStatus, delta: i32) {
        let slot = match status {
            AttendanceStatus::Present => &mut self.present,
            AttendanceStatus::Left => &mut self.left,
            AttendanceStatus::Absent => return,
        };
        *slot = slot.saturating_add_signed(delta);
    }

    pub fn status_of(&self, delegate_id: &str) -> AttendanceStatus {
        self.attendance
            .get(delegate_id)
            .map(|r| r.status)
            .unwrap_or(AttendanceStatus::Absent)
    }

    pub fn quorum_rule(&self) -> QuorumRule {
        self.congress.as_ref().map(|c| c.quorum).unwrap_or_default()
    }

    pub fn convened(&self) -> u32 {
        self.congress.as_ref().map(|c| c.convened).unwrap_or(0)
    }

    /// Attendance counts and the quorum they give.
    pub fn summary(&self) -> AttendanceSummary {
        let listed = u32::try_from(self.delegates.len()).unwrap_or(u32::MAX);
        AttendanceSummary {
            present: self.present,
            left: self.left,
            absent: listed.saturating_sub(self.present + self.left),
            listed,
            quorum: quorum::state(self.quorum_rule(), self.present, self.convened()),
        }
    }

    /// The operator behind a session token hash, if the session is live at `now`.
    pub fn operator_for_session(&self, token_hash: &str, now: i64) -> Option<&Operator> {
        let s = self.sessions.get(token_hash)?;
        if s.expires_at <= now {
            return None;
        }
        self.operators.get(&s.username)
    }

    /// The paired, unrevoked device behind a device token hash.
    pub fn device_for_token(&self, token_hash: &str) -> Option<&Device> {
        let id = self.device_tokens.get(token_hash)?;
        self.devices
            .get(id)
            .map(|d| &d.device)
            .filter(|d| !d.revoked)
    }

    /// Replays events from nothing.
    pub fn replay<'a>(events: impl IntoIterator<Item = &'a Event>) -> Self {
        let mut s = CongressState::default();
        for e in events {
            s.apply(e);
        }
        s
    }
}

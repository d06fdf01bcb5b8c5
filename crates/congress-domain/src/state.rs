//! The whole state of a congress in memory. Each feature's `apply` changes its part; this
//! module only dispatches an event to its feature, and answers the questions every feature asks
//! (who is present, the quorum, who is behind a token).

use std::collections::{BTreeMap, HashMap};

use congress_proto::{
    Agenda, AttendanceRecord, AttendanceStatus, AttendanceSummary, Congress, Delegate, Device,
    JournalHead, QuorumRule,
};

pub use crate::access::{Operator, PairedDevice, PendingPairing, Session};
use crate::attendance::quorum;
use crate::event::Event;

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
    /// The counting board and its key ceremony (`crate::board`).
    pub board: crate::board::BoardState,
    /// Agenda control, speakers and the projector (`crate::meeting`).
    pub meeting: crate::meeting::MeetingState,
    /// Credentials, substitutes, composition (`crate::credentials`).
    pub credentials: crate::credentials::CredentialsState,
    /// The bodies the congress elected (`crate::bodies`).
    pub bodies: crate::bodies::BodiesState,
    /// Elections (`crate::elections`).
    pub elections: crate::elections::ElectionsState,
    /// Counts kept up to date by `apply`, so a summary costs nothing.
    present: u32,
    left: u32,
}

impl CongressState {
    /// Applies one committed event. Total: every event the domain produced applies cleanly.
    pub fn apply(&mut self, event: &Event) {
        match event {
            Event::Congress(e) => crate::congress::apply(self, e),
            Event::Attendance(e) => crate::attendance::apply(self, e),
            Event::Access(e) => crate::access::apply(self, e),
            Event::Documents(e) => self.docs.apply(e),
            Event::Votes(e) => crate::vote::apply::apply(self, e),
            Event::Meeting(e) => crate::meeting::apply(self, e),
            Event::Notices(e) => self.notices.apply(e),
            Event::Groups(e) => self.groups.apply(e),
            Event::Board(e) => self.board.apply(e),
            Event::Credentials(e) => crate::credentials::apply(self, e),
            Event::Bodies(e) => crate::bodies::apply(self, e),
            Event::Elections(e) => crate::elections::apply(self, e),
        }
    }

    /// Keeps the present/left counts (attendance's `apply`).
    pub(crate) fn count(&mut self, status: AttendanceStatus, delta: i32) {
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

    /// Delegates convened: as the congress was defined, less the seats withdrawn because their
    /// credentials were not recognised (a substitute keeps the seat, so the count).
    pub fn convened(&self) -> u32 {
        self.congress
            .as_ref()
            .map(|c| c.convened)
            .unwrap_or(0)
            .saturating_sub(self.credentials.withdrawn())
    }

    /// Attendance counts and the quorum they give. `listed` counts the delegates who hold a
    /// seat (a replaced delegate or a withdrawn seat is not counted).
    pub fn summary(&self) -> AttendanceSummary {
        let listed = u32::try_from(self.delegates.len())
            .unwrap_or(u32::MAX)
            .saturating_sub(self.credentials.unseated());
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

//! The journal's event: one variant per feature, each holding that feature's own event enum
//! (`crate::congress::CongressEvent`, `crate::vote::VoteEvent`, …). A new event is added in its
//! feature's module only.
//!
//! The journal's encoding is the one every version wrote: a flat JSON object tagged by
//! `"event"` (`{"event":"attendance_changed","record":{…}}`), never the feature's name. Each
//! feature enum is internally tagged the same way, so [`Event`] serialises as its inner enum
//! does, and deserialising reads the tag first and hands the object to the feature that owns
//! that kind. `tests/fixtures/journal-v1.sql` (recorded before this split) proves old journals
//! still replay.

use serde::de::{DeserializeOwned, Error as _};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use strum::VariantNames;

use crate::access::AccessEvent;
use crate::attendance::AttendanceEvent;
use crate::board::BoardEvent;
use crate::bodies::BodiesEvent;
use crate::congress::CongressEvent;
use crate::credentials::CredentialsEvent;
use crate::documents::DocumentEvent;
use crate::elections::ElectionEvent;
use crate::groups::GroupEvent;
use crate::meeting::MeetingEvent;
use crate::notices::NoticeEvent;
use crate::vote::VoteEvent;

/// Every state change of the congress, in the form it is journalled and replayed. Secrets never
/// appear here: tokens and pairing codes only as SHA-256 hashes, passwords only as argon2
/// hashes.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// The congress's definition and its delegate list.
    Congress(CongressEvent),
    /// Who is present, and face enrolments.
    Attendance(AttendanceEvent),
    /// Operators, their sessions, pairing codes and devices.
    Access(AccessEvent),
    /// Documents, versions, deliveries, fetches, purges.
    Documents(DocumentEvent),
    /// Votes and ballots.
    Votes(VoteEvent),
    /// The agenda, requests to speak, the floor and the projector.
    Meeting(MeetingEvent),
    /// Notices and read receipts.
    Notices(NoticeEvent),
    /// Discussion groups: secretaries, opinions, summaries.
    Groups(GroupEvent),
    /// The counting board and its key ceremony.
    Board(BoardEvent),
    /// Delegates' credentials, substitutes, composition, the committee's report.
    Credentials(CredentialsEvent),
    /// The bodies the congress elects by approving a list.
    Bodies(BodiesEvent),
    /// Elections: nominations, withdrawals, the list, rounds, the counting board's report.
    Elections(ElectionEvent),
}

impl Event {
    /// The journal's `kind` column: the `"event"` tag, e.g. `attendance_changed`.
    pub fn kind(&self) -> &'static str {
        match self {
            Event::Congress(e) => e.into(),
            Event::Attendance(e) => e.into(),
            Event::Access(e) => e.into(),
            Event::Documents(e) => e.into(),
            Event::Votes(e) => e.into(),
            Event::Meeting(e) => e.into(),
            Event::Notices(e) => e.into(),
            Event::Groups(e) => e.into(),
            Event::Board(e) => e.into(),
            Event::Credentials(e) => e.into(),
            Event::Bodies(e) => e.into(),
            Event::Elections(e) => e.into(),
        }
    }

    /// A secret ballot, which the engine seals instead of journalling.
    pub fn is_secret_ballot(&self) -> bool {
        matches!(self, Event::Votes(VoteEvent::SecretBallotCast { .. }))
    }
}

impl Serialize for Event {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Event::Congress(e) => e.serialize(s),
            Event::Attendance(e) => e.serialize(s),
            Event::Access(e) => e.serialize(s),
            Event::Documents(e) => e.serialize(s),
            Event::Votes(e) => e.serialize(s),
            Event::Meeting(e) => e.serialize(s),
            Event::Notices(e) => e.serialize(s),
            Event::Groups(e) => e.serialize(s),
            Event::Board(e) => e.serialize(s),
            Event::Credentials(e) => e.serialize(s),
            Event::Bodies(e) => e.serialize(s),
            Event::Elections(e) => e.serialize(s),
        }
    }
}

fn feature<T: DeserializeOwned, E: serde::de::Error>(v: serde_json::Value) -> Result<T, E> {
    T::deserialize(v).map_err(E::custom)
}

impl<'de> Deserialize<'de> for Event {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = serde_json::Value::deserialize(d)?;
        let kind = v
            .get("event")
            .and_then(serde_json::Value::as_str)
            .ok_or_else(|| D::Error::custom("an event needs its \"event\" tag"))?;
        let owns = |kinds: &[&str]| kinds.contains(&kind);
        if owns(CongressEvent::VARIANTS) {
            feature(v).map(Event::Congress)
        } else if owns(AttendanceEvent::VARIANTS) {
            feature(v).map(Event::Attendance)
        } else if owns(AccessEvent::VARIANTS) {
            feature(v).map(Event::Access)
        } else if owns(DocumentEvent::VARIANTS) {
            feature(v).map(Event::Documents)
        } else if owns(VoteEvent::VARIANTS) {
            feature(v).map(Event::Votes)
        } else if owns(MeetingEvent::VARIANTS) {
            feature(v).map(Event::Meeting)
        } else if owns(NoticeEvent::VARIANTS) {
            feature(v).map(Event::Notices)
        } else if owns(GroupEvent::VARIANTS) {
            feature(v).map(Event::Groups)
        } else if owns(BoardEvent::VARIANTS) {
            feature(v).map(Event::Board)
        } else if owns(CredentialsEvent::VARIANTS) {
            feature(v).map(Event::Credentials)
        } else if owns(BodiesEvent::VARIANTS) {
            feature(v).map(Event::Bodies)
        } else if owns(ElectionEvent::VARIANTS) {
            feature(v).map(Event::Elections)
        } else {
            Err(D::Error::custom(format!("unknown event {kind:?}")))
        }
    }
}

impl From<CongressEvent> for Event {
    fn from(e: CongressEvent) -> Self {
        Event::Congress(e)
    }
}
impl From<AttendanceEvent> for Event {
    fn from(e: AttendanceEvent) -> Self {
        Event::Attendance(e)
    }
}
impl From<AccessEvent> for Event {
    fn from(e: AccessEvent) -> Self {
        Event::Access(e)
    }
}
impl From<DocumentEvent> for Event {
    fn from(e: DocumentEvent) -> Self {
        Event::Documents(e)
    }
}
impl From<VoteEvent> for Event {
    fn from(e: VoteEvent) -> Self {
        Event::Votes(e)
    }
}
impl From<MeetingEvent> for Event {
    fn from(e: MeetingEvent) -> Self {
        Event::Meeting(e)
    }
}
impl From<NoticeEvent> for Event {
    fn from(e: NoticeEvent) -> Self {
        Event::Notices(e)
    }
}
impl From<BoardEvent> for Event {
    fn from(e: BoardEvent) -> Self {
        Event::Board(e)
    }
}
impl From<GroupEvent> for Event {
    fn from(e: GroupEvent) -> Self {
        Event::Groups(e)
    }
}
impl From<CredentialsEvent> for Event {
    fn from(e: CredentialsEvent) -> Self {
        Event::Credentials(e)
    }
}
impl From<BodiesEvent> for Event {
    fn from(e: BodiesEvent) -> Self {
        Event::Bodies(e)
    }
}
impl From<ElectionEvent> for Event {
    fn from(e: ElectionEvent) -> Self {
        Event::Elections(e)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    /// No kind belongs to two features, and each name is the serde tag.
    #[test]
    fn kinds_are_unique_across_features() {
        let all: Vec<&str> = [
            CongressEvent::VARIANTS,
            AttendanceEvent::VARIANTS,
            AccessEvent::VARIANTS,
            DocumentEvent::VARIANTS,
            VoteEvent::VARIANTS,
            MeetingEvent::VARIANTS,
            NoticeEvent::VARIANTS,
            GroupEvent::VARIANTS,
            BoardEvent::VARIANTS,
            CredentialsEvent::VARIANTS,
            BodiesEvent::VARIANTS,
            ElectionEvent::VARIANTS,
        ]
        .concat();
        let unique: BTreeSet<&str> = all.iter().copied().collect();
        assert_eq!(unique.len(), all.len());
        assert!(unique.contains("attendance_changed"));
        assert!(unique.contains("speakers_reordered"));
    }

    #[test]
    fn the_flat_encoding_round_trips_and_names_its_kind() {
        let e: Event = CongressEvent::DelegatesImported { delegates: vec![] }.into();
        let text = serde_json::to_string(&e).unwrap();
        assert_eq!(text, r#"{"event":"delegates_imported","delegates":[]}"#);
        assert_eq!(serde_json::from_str::<Event>(&text).unwrap(), e);
        assert_eq!(e.kind(), "delegates_imported");
        let bad = serde_json::from_str::<Event>(r#"{"event":"no_such_thing"}"#);
        assert!(bad.unwrap_err().to_string().contains("no_such_thing"));
        let extra =
            serde_json::from_str::<Event>(r#"{"event":"delegates_imported","delegates":[],"x":1}"#);
        assert!(extra.is_err(), "unknown fields are refused");
    }
}

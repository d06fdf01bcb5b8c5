//! Commands: what callers ask for, and `decide`, the rules that turn a command into events.
//! Secrets (tokens, codes, password hashes) and ids are made by the caller and passed in hashed.

use congress_proto::{
    AgendaItem, AttendanceRecord, AttendanceSource, AttendanceStatus, Congress, Delegate, Device,
    DeviceKind, KioskDirection, OperatorRole, Role,
};

use crate::attendance::{self, Origin, Transition, TransitionError};
use crate::event::Event;
use crate::quorum;
use crate::state::CongressState;

/// Facts about the moment a command is decided.
#[derive(Debug, Clone, Copy)]
pub struct Context {
    /// Unix epoch milliseconds.
    pub now: i64,
}

/// Largest accepted free text (reasons, labels, names), in characters.
pub const MAX_TEXT_CHARS: usize = 500;

#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    DefineCongress(Congress),
    ImportDelegates(Vec<Delegate>),
    DefineAgenda(Vec<AgendaItem>),
    SetCurrentItem(Option<String>),
    SetAttendance {
        delegate_id: String,
        status: AttendanceStatus,
        source: AttendanceSource,
        /// A kiosk's direction; `None` for the credentials desk.
        kiosk: Option<KioskDirection>,
        reason: Option<String>,
    },
    SaveOperator {
        username: String,
        display_name: String,
        roles: Vec<OperatorRole>,
        password_hash: String,
    },
    OpenSession {
        token_hash: String,
        username: String,
        expires_at: i64,
    },
    CloseSession {
        token_hash: String,
    },
    CreatePairingCode {
        code_hash: String,
        kind: DeviceKind,
        delegate_id: Option<String>,
        label: Option<String>,
        direction: Option<KioskDirection>,
        expires_at: i64,
        created_by: String,
    },
    Pair {
        code_hash: String,
        device_id: String,
        token_hash: String,
        recipient: Option<String>,
    },
    RevokeDevice {
        device_id: String,
        by: String,
    },
    AddDocumentVersion {
        document_id: i64,
        new_document: bool,
        title: String,
        agenda_item_id: Option<String>,
        audience: congress_proto::DocAudience,
        version: congress_proto::DocVersion,
    },
    UpdateDocument {
        document_id: i64,
        title: String,
        agenda_item_id: Option<String>,
        audience: congress_proto::DocAudience,
    },
    RecordDelivery {
        document_id: i64,
        version: u32,
        delivery: congress_proto::DocDelivery,
    },
    RecordFetch(congress_proto::DocFetch),
    /// Record a face enrolment (the embeddings travel beside the command, not in it).
    EnrolFace {
        delegate_id: String,
        source: String,
        embeddings: u32,
        embedding_sha256: String,
    },
    /// Record the deletion of every enrolment.
    PurgeBiometrics {
        enrolments: u32,
    },
    /// Prepare a vote; its id is chosen by the domain (the next number).
    CreateVote {
        spec: crate::vote::VoteSpec,
        duration_s: Option<u32>,
    },
    OpenVote {
        vote_id: u64,
    },
    CloseVote {
        vote_id: u64,
    },
    CastBallot(crate::vote::lifecycle::BallotRequest),
    /// Prepare the runoff a closed vote's result calls for.
    CreateRunoff {
        from: u64,
    },
    /// Send a notice (the domain numbers it); `by` is the operator.
    SendNotice {
        text: String,
        audience: congress_proto::NoticeAudience,
        by: String,
    },
    /// A delegate read a notice (a second receipt changes nothing).
    ReadNotice {
        notice_id: u64,
        delegate_id: String,
    },
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
    /// Agenda control, speakers, projector (`crate::meeting`).
    Meeting(crate::meeting::MeetingCommand),
    /// Record that the content of these document versions is deleted (retention); versions
    /// already purged are skipped, and nothing is journalled if none is left.
    PurgeDocuments {
        versions: Vec<(i64, u32)>,
        reason: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DomainError {
    #[error("there is no congress yet")]
    NoCongress,
    #[error("unknown delegate {0}")]
    UnknownDelegate(String),
    #[error("unknown agenda item {0}")]
    UnknownAgendaItem(String),
    #[error("unknown device {0}")]
    UnknownDevice(String),
    #[error("unknown operator {0}")]
    UnknownOperator(String),
    #[error("{0}")]
    Transition(#[from] TransitionError),
    #[error("a reason is required for a change made by hand")]
    ReasonRequired,
    #[error("{field} is too long (at most {max} characters)")]
    TooLong { field: &'static str, max: usize },
    #[error("{0}")]
    Invalid(String),
    #[error("this pairing code is unknown, used or expired")]
    BadPairingCode,
    #[error("the device is already unpaired")]
    AlreadyRevoked,
    #[error("{0}")]
    Vote(#[from] crate::vote::lifecycle::VoteError),
    #[error("{0}")]
    Groups(#[from] crate::groups::GroupError),
    #[error("{0}")]
    Meeting(#[from] crate::meeting::MeetingError),
}

fn check_text(field: &'static str, s: &str) -> Result<(), DomainError> {
    if s.chars().count() > MAX_TEXT_CHARS {
        return Err(DomainError::TooLong {
            field,
            max: MAX_TEXT_CHARS,
        });
    }
    if s.chars().any(|c| c.is_control() && c != '\n') {
        return Err(DomainError::Invalid(format!(
            "{field} contains control characters"
        )));
    }
    Ok(())
}

fn check_required(field: &'static str, s: &str) -> Result<(), DomainError> {
    if s.trim().is_empty() {
        return Err(DomainError::Invalid(format!("{field} is empty")));
    }
    check_text(field, s)
}

/// Validates one delegate record (used by imports).
pub fn check_delegate(d: &Delegate) -> Result<(), DomainError> {
    check_required("id", &d.id)?;
    if !d
        .id
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err(DomainError::Invalid(format!(
            "id {:?} may hold only letters, digits, '-' and '_'",
            d.id
        )));
    }
    check_required("full_name", &d.full_name)?;
    check_text("unit", &d.unit)?;
    check_text("seat", &d.seat)?;
    check_text("group", &d.group)?;
    if !d.roles.contains(&Role::Delegate) {
        return Err(DomainError::Invalid(format!(
            "{} must have the role 'delegate'",
            d.id
        )));
    }
    Ok(())
}

/// Decides what `cmd` does to `state`: the events to journal, or why it is refused. An empty list
/// means the command is accepted and changes nothing (for example a second check-in).
pub fn decide(
    state: &CongressState,
    cmd: &Command,
    ctx: Context,
) -> Result<Vec<Event>, DomainError> {
    match cmd {
        Command::DefineCongress(c) => {
            check_required("name", &c.name)?;
            check_text("venue", &c.venue)?;
            if !quorum::rule_is_valid(c.quorum) {
                return Err(DomainError::Invalid(format!(
                    "the quorum rule {}/{} is not a fraction between 0 and 1",
                    c.quorum.numerator, c.quorum.denominator
                )));
            }
            if c.convened == 0 {
                return Err(DomainError::Invalid("convened must be at least 1".into()));
            }
            Ok(vec![Event::CongressDefined {
                congress: c.clone(),
            }])
        }
        Command::ImportDelegates(ds) => {
            let mut seen = std::collections::HashSet::new();
            for d in ds {
                check_delegate(d)?;
                if !seen.insert(d.id.as_str()) {
                    return Err(DomainError::Invalid(format!("duplicate id {}", d.id)));
                }
            }
            Ok(vec![Event::DelegatesImported {
                delegates: ds.clone(),
            }])
        }
        Command::DefineAgenda(items) => {
            let mut seen = std::collections::HashSet::new();
            for i in items {
                check_required("agenda id", &i.id)?;
                check_required("agenda title", &i.title)?;
                if !seen.insert(i.id.as_str()) {
                    return Err(DomainError::Invalid(format!(
                        "duplicate agenda item {}",
                        i.id
                    )));
                }
            }
            Ok(vec![Event::AgendaDefined {
                items: items.clone(),
            }])
        }
        Command::SetCurrentItem(item) => {
            if let Some(id) = item
                && !state.agenda.items.iter().any(|i| &i.id == id)
            {
                return Err(DomainError::UnknownAgendaItem(id.clone()));
            }
            if state.agenda.current == *item {
                return Ok(vec![]);
            }
            if let Some(cur) = &state.agenda.current {
                crate::meeting::check_can_leave(state, cur)?;
            }
            Ok(vec![Event::CurrentItemSet {
                item_id: item.clone(),
            }])
        }
        Command::SetAttendance {
            delegate_id,
            status,
            source,
            kiosk,
            reason,
        } => {
            if state.congress.is_none() {
                return Err(DomainError::NoCongress);
            }
            if !state.delegates.contains_key(delegate_id) {
                return Err(DomainError::UnknownDelegate(delegate_id.clone()));
            }
            let origin = match kiosk {
                Some(dir) => Origin::Kiosk(*dir),
                None => Origin::Operator,
            };
            let reason = reason.as_ref().map(|r| r.trim().to_string());
            if origin == Origin::Operator {
                match &reason {
                    Some(r) if !r.is_empty() => check_text("reason", r)?,
                    _ => return Err(DomainError::ReasonRequired),
                }
            }
            match attendance::transition(state.status_of(delegate_id), *status, origin)? {
                Transition::Unchanged => Ok(vec![]),
                Transition::Change => Ok(vec![Event::AttendanceChanged {
                    record: AttendanceRecord {
                        delegate_id: delegate_id.clone(),
                        status: *status,
                        at: ctx.now,
                        source: source.clone(),
                        reason,
                    },
                }]),
            }
        }
        Command::SaveOperator {
            username,
            display_name,
            roles,
            password_hash,
        } => {
            check_required("username", username)?;
            if !username
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
            {
                return Err(DomainError::Invalid(
                    "a username may hold only letters, digits, '.', '_' and '-'".into(),
                ));
            }
            check_text("display name", display_name)?;
            if roles.is_empty() {
                return Err(DomainError::Invalid("an operator needs a role".into()));
            }
            Ok(vec![Event::OperatorSaved {
                username: username.clone(),
                display_name: display_name.clone(),
                roles: roles.clone(),
                password_hash: password_hash.clone(),
            }])
        }
        Command::OpenSession {
            token_hash,
            username,
            expires_at,
        } => {
            if !state.operators.contains_key(username) {
                return Err(DomainError::UnknownOperator(username.clone()));
            }
            Ok(vec![Event::SessionOpened {
                token_hash: token_hash.clone(),
                username: username.clone(),
                expires_at: *expires_at,
            }])
        }
        Command::CloseSession { token_hash } => {
            if !state.sessions.contains_key(token_hash) {
                return Ok(vec![]);
            }
            Ok(vec![Event::SessionClosed {
                token_hash: token_hash.clone(),
            }])
        }
        Command::CreatePairingCode {
            code_hash,
            kind,
            delegate_id,
            label,
            direction,
            expires_at,
            created_by,
        } => {
            let delegate_id = match (kind, delegate_id) {
                (DeviceKind::Tablet, None) => {
                    return Err(DomainError::Invalid(
                        "a tablet must be paired for a delegate".into(),
                    ));
                }
                (DeviceKind::Tablet, Some(id)) => {
                    if !state.delegates.contains_key(id) {
                        return Err(DomainError::UnknownDelegate(id.clone()));
                    }
                    Some(id.clone())
                }
                (_, Some(_)) => {
                    return Err(DomainError::Invalid(
                        "only a tablet belongs to a delegate".into(),
                    ));
                }
                (_, None) => None,
            };
            let direction = match kind {
                DeviceKind::Kiosk => Some(direction.unwrap_or(KioskDirection::Entrance)),
                _ if direction.is_some() => {
                    return Err(DomainError::Invalid("only a kiosk has a direction".into()));
                }
                _ => None,
            };
            let label = match label {
                Some(l) if !l.trim().is_empty() => {
                    check_text("label", l)?;
                    l.trim().to_string()
                }
                _ => match (&delegate_id, kind) {
                    (Some(id), _) => state
                        .delegates
                        .get(id)
                        .map(|d| d.full_name.clone())
                        .unwrap_or_else(|| id.clone()),
                    (None, k) => k.as_str().to_string(),
                },
            };
            Ok(vec![Event::PairingCodeCreated {
                code_hash: code_hash.clone(),
                kind: *kind,
                delegate_id,
                label,
                direction,
                expires_at: *expires_at,
                created_by: created_by.clone(),
            }])
        }
        Command::Pair {
            code_hash,
            device_id,
            token_hash,
            recipient,
        } => {
            let p = state
                .pairing_codes
                .get(code_hash)
                .filter(|p| p.expires_at > ctx.now)
                .ok_or(DomainError::BadPairingCode)?;
            if let Some(r) = recipient {
                let ok = r.starts_with("age1")
                    && r.len() < 100
                    && r.chars().all(|c| c.is_ascii_alphanumeric());
                if !ok {
                    return Err(DomainError::Invalid(
                        "the recipient is not an age X25519 recipient (age1…)".into(),
                    ));
                }
                if p.kind != DeviceKind::Tablet {
                    return Err(DomainError::Invalid("only a tablet has a recipient".into()));
                }
            }
            Ok(vec![Event::DevicePaired {
                device: Device {
                    id: device_id.clone(),
                    kind: p.kind,
                    label: p.label.clone(),
                    delegate_id: p.delegate_id.clone(),
                    direction: p.direction,
                    recipient: recipient.clone(),
                    paired_at: ctx.now,
                    revoked: false,
                },
                token_hash: token_hash.clone(),
                code_hash: code_hash.clone(),
            }])
        }
        Command::RevokeDevice { device_id, by } => {
            let d = state
                .devices
                .get(device_id)
                .ok_or_else(|| DomainError::UnknownDevice(device_id.clone()))?;
            if d.device.revoked {
                return Err(DomainError::AlreadyRevoked);
            }
            Ok(vec![Event::DeviceRevoked {
                device_id: device_id.clone(),
                by: by.clone(),
            }])
        }
        Command::AddDocumentVersion {
            document_id,
            new_document,
            title,
            agenda_item_id,
            audience,
            version,
        } => crate::documents::decide_add_version(
            state,
            *document_id,
            *new_document,
            title,
            agenda_item_id,
            audience,
            version,
        ),
        Command::UpdateDocument {
            document_id,
            title,
            agenda_item_id,
            audience,
        } => crate::documents::decide_update(state, *document_id, title, agenda_item_id, audience),
        Command::RecordDelivery {
            document_id,
            version,
            delivery,
        } => crate::documents::decide_delivered(state, *document_id, *version, delivery),
        Command::RecordFetch(fetch) => crate::documents::decide_fetched(state, fetch),
        Command::EnrolFace {
            delegate_id,
            source,
            embeddings,
            embedding_sha256,
        } => {
            if !state.delegates.contains_key(delegate_id) {
                return Err(DomainError::UnknownDelegate(delegate_id.clone()));
            }
            if *embeddings == 0 {
                return Err(DomainError::Invalid(
                    "an enrolment needs an embedding".into(),
                ));
            }
            check_text("source", source)?;
            Ok(vec![Event::FaceEnrolled {
                delegate_id: delegate_id.clone(),
                source: source.clone(),
                embeddings: *embeddings,
                embedding_sha256: embedding_sha256.clone(),
            }])
        }
        Command::PurgeBiometrics { enrolments } => Ok(vec![Event::BiometricsPurged {
            enrolments: *enrolments,
        }]),
        Command::CreateVote { .. }
        | Command::OpenVote { .. }
        | Command::CloseVote { .. }
        | Command::CastBallot(_)
        | Command::CreateRunoff { .. } => crate::vote::apply::decide(state, cmd, ctx),
        Command::SendNotice { text, audience, by } => Ok(crate::notices::decide_send(
            state, text, audience, by, ctx.now,
        )?),
        Command::ReadNotice {
            notice_id,
            delegate_id,
        } => Ok(crate::notices::decide_read(
            state,
            *notice_id,
            delegate_id,
            ctx.now,
        )?),
        Command::SetSecretary { group, delegate_id } => Ok(crate::groups::decide_secretary(
            state,
            group,
            delegate_id.as_deref(),
        )?),
        Command::SaveOpinion {
            delegate_id,
            item_id,
            text,
        } => Ok(crate::groups::decide_opinion(
            state,
            delegate_id,
            item_id,
            text,
            ctx.now,
        )?),
        Command::SaveSummary {
            delegate_id,
            item_id,
            text,
            submit,
        } => Ok(crate::groups::decide_summary(
            state,
            delegate_id,
            item_id,
            text,
            *submit,
            ctx.now,
        )?),
        Command::Meeting(m) => crate::meeting::decide(state, m, ctx),
        Command::PurgeDocuments { versions, reason } => {
            check_text("reason", reason)?;
            crate::documents::decide_purge(state, versions, reason, ctx.now)
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use congress_proto::QuorumRule;

    const CTX: Context = Context { now: 1_000 };

    fn congress_with(n: u32) -> CongressState {
        let mut s = CongressState::default();
        let c = Congress {
            name: "Đại hội".into(),
            venue: "Hội trường".into(),
            starts_on: "2026-12-01".into(),
            ends_on: "2026-12-03".into(),
            convened: n,
            quorum: QuorumRule::default(),
        };
        for e in decide(&s, &Command::DefineCongress(c), CTX).unwrap() {
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
        for e in decide(&s, &Command::ImportDelegates(ds), CTX).unwrap() {
            s.apply(&e);
        }
        s
    }

    fn desk(id: &str, status: AttendanceStatus, reason: Option<&str>) -> Command {
        Command::SetAttendance {
            delegate_id: id.into(),
            status,
            source: AttendanceSource::Operator {
                username: "op".into(),
            },
            kiosk: None,
            reason: reason.map(str::to_string),
        }
    }

    fn run(s: &mut CongressState, cmd: &Command) -> Result<usize, DomainError> {
        let evs = decide(s, cmd, CTX)?;
        for e in &evs {
            s.apply(e);
        }
        Ok(evs.len())
    }

    #[test]
    fn quorum_follows_check_ins_exactly_at_the_edge() {
        let mut s = congress_with(3);
        assert!(!s.summary().quorum.reached);
        run(
            &mut s,
            &desk("D0001", AttendanceStatus::Present, Some("ID checked")),
        )
        .unwrap();
        assert!(!s.summary().quorum.reached);
        run(
            &mut s,
            &desk("D0002", AttendanceStatus::Present, Some("ID checked")),
        )
        .unwrap();
        let sum = s.summary();
        assert_eq!((sum.present, sum.absent, sum.quorum.required), (2, 1, 2));
        assert!(sum.quorum.reached);
        run(
            &mut s,
            &desk("D0002", AttendanceStatus::Left, Some("left early")),
        )
        .unwrap();
        let sum = s.summary();
        assert_eq!((sum.present, sum.left, sum.absent), (1, 1, 1));
        assert!(!sum.quorum.reached);
    }

    #[test]
    fn manual_change_needs_a_reason_and_a_known_delegate() {
        let mut s = congress_with(2);
        assert_eq!(
            run(&mut s, &desk("D0001", AttendanceStatus::Present, None)),
            Err(DomainError::ReasonRequired)
        );
        assert_eq!(
            run(
                &mut s,
                &desk("D0001", AttendanceStatus::Present, Some("   "))
            ),
            Err(DomainError::ReasonRequired)
        );
        assert_eq!(
            run(&mut s, &desk("D9999", AttendanceStatus::Present, Some("x"))),
            Err(DomainError::UnknownDelegate("D9999".into()))
        );
        let long = "x".repeat(MAX_TEXT_CHARS + 1);
        assert!(matches!(
            run(
                &mut s,
                &desk("D0001", AttendanceStatus::Present, Some(&long))
            ),
            Err(DomainError::TooLong { .. })
        ));
        assert_eq!(s.summary().present, 0);
    }

    #[test]
    fn second_check_in_changes_nothing() {
        let mut s = congress_with(2);
        let kiosk = Command::SetAttendance {
            delegate_id: "D0001".into(),
            status: AttendanceStatus::Present,
            source: AttendanceSource::Kiosk {
                device_id: "K1".into(),
                distance: 0.3,
                margin: 0.2,
            },
            kiosk: Some(KioskDirection::Entrance),
            reason: None,
        };
        assert_eq!(run(&mut s, &kiosk), Ok(1));
        assert_eq!(run(&mut s, &kiosk), Ok(0));
        assert_eq!(s.summary().present, 1);
    }

    #[test]
    fn replay_rebuilds_the_same_state() {
        let mut s = congress_with(5);
        let mut log = Vec::new();
        for (id, st) in [
            ("D0001", AttendanceStatus::Present),
            ("D0002", AttendanceStatus::Present),
            ("D0001", AttendanceStatus::Left),
            ("D0001", AttendanceStatus::Present),
            ("D0003", AttendanceStatus::Present),
            ("D0003", AttendanceStatus::Absent),
        ] {
            for e in decide(&s, &desk(id, st, Some("r")), CTX).unwrap() {
                s.apply(&e);
                log.push(e);
            }
        }
        let mut base = congress_with(5);
        for e in &log {
            base.apply(e);
        }
        assert_eq!(base, s);
        assert_eq!(s.summary().present, 2);
    }

    #[test]
    fn pairing_codes_are_single_use_and_expire() {
        let mut s = congress_with(1);
        let code = Command::CreatePairingCode {
            code_hash: "h".into(),
            kind: DeviceKind::Tablet,
            delegate_id: Some("D0001".into()),
            label: None,
            direction: None,
            expires_at: 2_000,
            created_by: "op".into(),
        };
        run(&mut s, &code).unwrap();
        let pair = Command::Pair {
            code_hash: "h".into(),
            device_id: "T1".into(),
            token_hash: "t".into(),
            recipient: None,
        };
        let late = decide(&s, &pair, Context { now: 2_000 });
        assert_eq!(late, Err(DomainError::BadPairingCode));
        run(&mut s, &pair).unwrap();
        assert_eq!(run(&mut s, &pair), Err(DomainError::BadPairingCode));
        assert_eq!(s.device_for_token("t").unwrap().label, "Nguyễn Văn 1");
        run(
            &mut s,
            &Command::RevokeDevice {
                device_id: "T1".into(),
                by: "op".into(),
            },
        )
        .unwrap();
        assert!(s.device_for_token("t").is_none());
    }

    #[test]
    fn tablet_codes_need_a_known_delegate() {
        let s = congress_with(1);
        let mk = |kind, delegate_id: Option<&str>| Command::CreatePairingCode {
            code_hash: "h".into(),
            kind,
            delegate_id: delegate_id.map(str::to_string),
            label: None,
            direction: None,
            expires_at: 2_000,
            created_by: "op".into(),
        };
        assert!(decide(&s, &mk(DeviceKind::Tablet, None), CTX).is_err());
        assert!(decide(&s, &mk(DeviceKind::Tablet, Some("D7")), CTX).is_err());
        assert!(decide(&s, &mk(DeviceKind::Kiosk, Some("D0001")), CTX).is_err());
        assert!(decide(&s, &mk(DeviceKind::Kiosk, None), CTX).is_ok());
    }
}

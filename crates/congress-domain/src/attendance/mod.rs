//! Attendance: who is present (from the credentials desk or a kiosk), the quorum that follows,
//! and the record of face enrolments (the biometric data itself never enters the journal).

pub mod quorum;
pub mod transition;

use congress_proto::{AttendanceRecord, AttendanceSource, AttendanceStatus, KioskDirection};
use serde::{Deserialize, Serialize};

use crate::command::Context;
use crate::error::DomainError;
use crate::event::Event;
use crate::state::CongressState;
use crate::text::check_text;
use transition::{Origin, Transition, TransitionError};

/// What the desk and the kiosks ask.
#[derive(Debug, Clone, PartialEq)]
pub enum AttendanceCommand {
    SetAttendance {
        delegate_id: String,
        status: AttendanceStatus,
        source: AttendanceSource,
        /// A kiosk's direction; `None` for the credentials desk.
        kiosk: Option<KioskDirection>,
        reason: Option<String>,
    },
    /// Record a face enrolment (the embeddings travel beside the command, not in it).
    EnrolFace {
        delegate_id: String,
        source: String,
        embeddings: u32,
        embedding_sha256: String,
    },
    /// Record the deletion of every enrolment.
    PurgeBiometrics { enrolments: u32 },
}

#[derive(
    Debug, Clone, PartialEq, Serialize, Deserialize, strum::IntoStaticStr, strum::VariantNames,
)]
#[serde(tag = "event", rename_all = "snake_case", deny_unknown_fields)]
#[strum(serialize_all = "snake_case")]
pub enum AttendanceEvent {
    AttendanceChanged {
        record: AttendanceRecord,
    },
    /// A delegate's face was (re-)enrolled. The embeddings and photo are biometric data and are
    /// kept out of the journal (table `face_enrolments`, written in the same transaction);
    /// the event records who enrolled whom, how, and a SHA-256 of the embeddings.
    FaceEnrolled {
        delegate_id: String,
        /// `import` or `desk:<operator>`.
        source: String,
        embeddings: u32,
        embedding_sha256: String,
    },
    /// All enrolment embeddings and photos were deleted (`congress purge-biometrics`).
    BiometricsPurged {
        enrolments: u32,
    },
}

/// Why an attendance change is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AttendanceError {
    #[error("a reason is required for a change made by hand")]
    ReasonRequired,
    #[error(
        "this delegate holds no seat (credentials not recognised, or replaced by a substitute)"
    )]
    NotSeated,
    #[error("{0}")]
    Transition(#[from] TransitionError),
}

pub(crate) fn decide(
    state: &CongressState,
    cmd: &AttendanceCommand,
    ctx: Context,
) -> Result<Vec<Event>, DomainError> {
    match cmd {
        AttendanceCommand::SetAttendance {
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
                    _ => return Err(AttendanceError::ReasonRequired.into()),
                }
            }
            if *status == AttendanceStatus::Present && !state.credentials.may_sit(delegate_id) {
                return Err(AttendanceError::NotSeated.into());
            }
            let change = transition::transition(state.status_of(delegate_id), *status, origin)
                .map_err(AttendanceError::from)?;
            if let (Transition::Change, AttendanceStatus::Present, Origin::Operator) =
                (&change, status, origin)
                && let AttendanceSource::Operator { username } = source
            {
                // Two operators for marking present and pairing (issue 13, finding 7).
                crate::duties::check_present(state, delegate_id, username, ctx.now)?;
            }
            match change {
                Transition::Unchanged => Ok(vec![]),
                Transition::Change => Ok(vec![
                    AttendanceEvent::AttendanceChanged {
                        record: AttendanceRecord {
                            delegate_id: delegate_id.clone(),
                            status: *status,
                            at: ctx.now,
                            source: source.clone(),
                            reason,
                        },
                    }
                    .into(),
                ]),
            }
        }
        AttendanceCommand::EnrolFace {
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
            Ok(vec![
                AttendanceEvent::FaceEnrolled {
                    delegate_id: delegate_id.clone(),
                    source: source.clone(),
                    embeddings: *embeddings,
                    embedding_sha256: embedding_sha256.clone(),
                }
                .into(),
            ])
        }
        AttendanceCommand::PurgeBiometrics { enrolments } => Ok(vec![
            AttendanceEvent::BiometricsPurged {
                enrolments: *enrolments,
            }
            .into(),
        ]),
    }
}

pub(crate) fn apply(state: &mut CongressState, event: &AttendanceEvent) {
    match event {
        AttendanceEvent::AttendanceChanged { record } => {
            let old = state
                .attendance
                .insert(record.delegate_id.clone(), record.clone())
                .map(|r| r.status)
                .unwrap_or(AttendanceStatus::Absent);
            state.count(old, -1);
            state.count(record.status, 1);
        }
        // Biometric data lives outside the state (see `AttendanceEvent::FaceEnrolled`).
        AttendanceEvent::FaceEnrolled { .. } | AttendanceEvent::BiometricsPurged { .. } => {}
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::command::{Command, decide};
    use crate::testkit::{CTX, congress_with, run};
    use crate::text::MAX_TEXT_CHARS;

    fn desk(id: &str, status: AttendanceStatus, reason: Option<&str>) -> Command {
        AttendanceCommand::SetAttendance {
            delegate_id: id.into(),
            status,
            source: AttendanceSource::Operator {
                username: "op".into(),
            },
            kiosk: None,
            reason: reason.map(str::to_string),
        }
        .into()
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
            Err(AttendanceError::ReasonRequired.into())
        );
        assert_eq!(
            run(
                &mut s,
                &desk("D0001", AttendanceStatus::Present, Some("   "))
            ),
            Err(AttendanceError::ReasonRequired.into())
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
        let kiosk: Command = AttendanceCommand::SetAttendance {
            delegate_id: "D0001".into(),
            status: AttendanceStatus::Present,
            source: AttendanceSource::Kiosk {
                device_id: "K1".into(),
                distance: 0.3,
                margin: 0.2,
            },
            kiosk: Some(KioskDirection::Entrance),
            reason: None,
        }
        .into();
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
}

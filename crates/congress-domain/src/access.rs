//! Access: operator accounts and their sessions, one-time pairing codes, and paired devices
//! (tablets, kiosks, projectors). Secrets arrive hashed: the caller makes tokens and codes and
//! passes only their SHA-256, and passwords only as argon2 hashes.

use congress_proto::{Device, DeviceKind, KioskDirection, OperatorInfo, OperatorRole};
use serde::{Deserialize, Serialize};

use crate::command::Context;
use crate::duties::{self, Step};
use crate::error::DomainError;
use crate::event::Event;
use crate::state::CongressState;
use crate::text::{check_required, check_text};

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
    /// The operator who made the code.
    pub created_by: String,
}

/// A paired device and the hash of its token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PairedDevice {
    pub device: Device,
    pub token_hash: String,
}

#[derive(Debug, Clone, PartialEq)]
pub enum AccessCommand {
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
        /// A tablet's Ed25519 voting credential (hex public key).
        credential: Option<String>,
    },
    RevokeDevice {
        device_id: String,
        by: String,
    },
    /// Records a refusal of the two-operator rule ([`crate::duties`]) in the journal, so the
    /// audit log shows the attempt.
    RecordSameOperator {
        username: String,
        delegate_id: String,
        step: Step,
    },
}

#[derive(
    Debug, Clone, PartialEq, Serialize, Deserialize, strum::IntoStaticStr, strum::VariantNames,
)]
#[serde(tag = "event", rename_all = "snake_case", deny_unknown_fields)]
#[strum(serialize_all = "snake_case")]
pub enum AccessEvent {
    OperatorSaved {
        username: String,
        display_name: String,
        roles: Vec<OperatorRole>,
        /// PHC-format argon2 hash.
        password_hash: String,
    },
    SessionOpened {
        token_hash: String,
        username: String,
        expires_at: i64,
    },
    SessionClosed {
        token_hash: String,
    },
    PairingCodeCreated {
        code_hash: String,
        kind: DeviceKind,
        delegate_id: Option<String>,
        label: String,
        direction: Option<KioskDirection>,
        expires_at: i64,
        created_by: String,
    },
    DevicePaired {
        device: Device,
        token_hash: String,
        code_hash: String,
        /// The operator who had marked the tablet's delegate present at the desk when it was
        /// paired (issue 13, finding 7): the audit log shows both names.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        desk_present_by: Option<String>,
    },
    DeviceRevoked {
        device_id: String,
        by: String,
    },
    /// A tablet was handed to another delegate (a substitute took the seat): its token stays,
    /// it now acts for `delegate_id`, and its connections start again as that delegate.
    DeviceReassigned {
        device_id: String,
        delegate_id: String,
        by: String,
    },
    /// An operator was refused a second step of the two-operator rule ([`crate::duties`]):
    /// `step` is `pairing_code`, `mark_present` or `pair`.
    SameOperatorRefused {
        username: String,
        delegate_id: String,
        step: String,
    },
}

impl AccessEvent {
    /// Whether the event ends a token or changes whom it acts for (a device unpaired or handed to
    /// a substitute, a session closed): live connections re-check theirs at once.
    pub fn revokes(&self) -> bool {
        matches!(
            self,
            AccessEvent::DeviceRevoked { .. }
                | AccessEvent::SessionClosed { .. }
                | AccessEvent::DeviceReassigned { .. }
        )
    }
}

/// Why an access command is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AccessError {
    #[error("unknown device {0}")]
    UnknownDevice(String),
    #[error("unknown operator {0}")]
    UnknownOperator(String),
    #[error("this pairing code is unknown, used or expired")]
    BadPairingCode,
    #[error("the device is already unpaired")]
    AlreadyRevoked,
    #[error("{}", same_operator_message(username, delegate_id, *step))]
    SameOperator {
        username: String,
        delegate_id: String,
        step: Step,
    },
}

fn same_operator_message(username: &str, delegate_id: &str, step: Step) -> String {
    match step {
        Step::PairingCode => format!(
            "{username} marked delegate {delegate_id} present at the desk: a second operator must make the tablet's pairing code (or the delegate checks in at a kiosk)"
        ),
        Step::MarkPresent => format!(
            "{username} made the tablet pairing code for delegate {delegate_id}: a second operator must mark them present (or the delegate checks in at a kiosk)"
        ),
        Step::Pair => format!(
            "this pairing code was made by {username}, who marked delegate {delegate_id} present at the desk: a second operator must make a new code"
        ),
    }
}

impl AccessError {
    pub fn status(&self) -> u16 {
        match self {
            AccessError::UnknownDevice(_) | AccessError::UnknownOperator(_) => 404,
            AccessError::BadPairingCode
            | AccessError::AlreadyRevoked
            | AccessError::SameOperator { .. } => 409,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            AccessError::UnknownDevice(_) | AccessError::UnknownOperator(_) => "not_found",
            AccessError::BadPairingCode | AccessError::AlreadyRevoked => "conflict",
            AccessError::SameOperator { .. } => "same_operator",
        }
    }
}

pub(crate) fn decide(
    state: &CongressState,
    cmd: &AccessCommand,
    ctx: Context,
) -> Result<Vec<Event>, DomainError> {
    let event = match cmd {
        AccessCommand::SaveOperator {
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
            let saved = AccessEvent::OperatorSaved {
                username: username.clone(),
                display_name: display_name.clone(),
                roles: roles.clone(),
                password_hash: password_hash.clone(),
            };
            // A new password (a change or a reset) ends every session opened with the old one
            // (issue 13, finding 6): whoever held a token before the reset holds nothing after.
            let new_password = state
                .operators
                .get(username)
                .is_some_and(|o| o.password_hash != *password_hash);
            let mut ended: Vec<&String> = if new_password {
                state
                    .sessions
                    .iter()
                    .filter(|(_, s)| s.username == *username)
                    .map(|(token_hash, _)| token_hash)
                    .collect()
            } else {
                Vec::new()
            };
            ended.sort();
            let mut events = vec![saved.into()];
            events.extend(ended.into_iter().map(|token_hash| {
                Event::from(AccessEvent::SessionClosed {
                    token_hash: token_hash.clone(),
                })
            }));
            return Ok(events);
        }
        AccessCommand::OpenSession {
            token_hash,
            username,
            expires_at,
        } => {
            if !state.operators.contains_key(username) {
                return Err(AccessError::UnknownOperator(username.clone()).into());
            }
            AccessEvent::SessionOpened {
                token_hash: token_hash.clone(),
                username: username.clone(),
                expires_at: *expires_at,
            }
        }
        AccessCommand::CloseSession { token_hash } => {
            if !state.sessions.contains_key(token_hash) {
                return Ok(vec![]);
            }
            AccessEvent::SessionClosed {
                token_hash: token_hash.clone(),
            }
        }
        AccessCommand::CreatePairingCode {
            code_hash,
            kind,
            delegate_id,
            label,
            direction,
            expires_at,
            created_by,
        } => decide_code(
            state,
            code_hash,
            *kind,
            delegate_id,
            label,
            *direction,
            *expires_at,
            created_by,
        )?,
        AccessCommand::Pair {
            code_hash,
            device_id,
            token_hash,
            recipient,
            credential,
        } => {
            let p = state
                .pairing_codes
                .get(code_hash)
                .filter(|p| p.expires_at > ctx.now)
                .ok_or(AccessError::BadPairingCode)?;
            let desk_present_by = match (&p.kind, &p.delegate_id) {
                (DeviceKind::Tablet, Some(d)) => {
                    duties::check_pair(state, d, &p.created_by)?;
                    duties::desk_present_by(state, d).map(str::to_string)
                }
                _ => None,
            };
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
            if let Some(c) = credential {
                if p.kind != DeviceKind::Tablet {
                    return Err(DomainError::Invalid(
                        "only a tablet has a credential".into(),
                    ));
                }
                check_credential(c)?;
                let taken = state.devices.values().any(|d| {
                    !d.device.revoked && d.device.credential.as_deref() == Some(c.as_str())
                });
                if taken {
                    return Err(DomainError::Invalid(
                        "this credential belongs to another tablet".into(),
                    ));
                }
            }
            AccessEvent::DevicePaired {
                device: Device {
                    id: device_id.clone(),
                    kind: p.kind,
                    label: p.label.clone(),
                    delegate_id: p.delegate_id.clone(),
                    direction: p.direction,
                    recipient: recipient.clone(),
                    credential: credential.clone(),
                    code_by: (!p.created_by.is_empty()).then(|| p.created_by.clone()),
                    paired_at: ctx.now,
                    revoked: false,
                },
                token_hash: token_hash.clone(),
                code_hash: code_hash.clone(),
                desk_present_by,
            }
        }
        AccessCommand::RevokeDevice { device_id, by } => {
            let d = state
                .devices
                .get(device_id)
                .ok_or_else(|| AccessError::UnknownDevice(device_id.clone()))?;
            if d.device.revoked {
                return Err(AccessError::AlreadyRevoked.into());
            }
            AccessEvent::DeviceRevoked {
                device_id: device_id.clone(),
                by: by.clone(),
            }
        }
        AccessCommand::RecordSameOperator {
            username,
            delegate_id,
            step,
        } => AccessEvent::SameOperatorRefused {
            username: username.clone(),
            delegate_id: delegate_id.clone(),
            step: step.as_str().to_string(),
        },
    };
    Ok(vec![event.into()])
}

/// A voting credential: a strict Ed25519 public key in 64 lower-case hex characters.
fn check_credential(c: &str) -> Result<(), DomainError> {
    let bad =
        || DomainError::Invalid("the credential is not an Ed25519 public key (64 hex)".into());
    if c.len() != 64
        || !c
            .chars()
            .all(|x| x.is_ascii_hexdigit() && !x.is_ascii_uppercase())
    {
        return Err(bad());
    }
    let mut key = [0u8; 32];
    for (i, k) in key.iter_mut().enumerate() {
        *k = u8::from_str_radix(&c[2 * i..2 * i + 2], 16).map_err(|_| bad())?;
    }
    congress_ballot::check_public_key(&key).map_err(|_| bad())
}

#[allow(clippy::too_many_arguments)]
fn decide_code(
    state: &CongressState,
    code_hash: &str,
    kind: DeviceKind,
    delegate_id: &Option<String>,
    label: &Option<String>,
    direction: Option<KioskDirection>,
    expires_at: i64,
    created_by: &str,
) -> Result<AccessEvent, DomainError> {
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
            duties::check_code(state, id, created_by)?;
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
        _ => match &delegate_id {
            Some(id) => state
                .delegates
                .get(id)
                .map(|d| d.full_name.clone())
                .unwrap_or_else(|| id.clone()),
            None => kind.as_str().to_string(),
        },
    };
    Ok(AccessEvent::PairingCodeCreated {
        code_hash: code_hash.to_string(),
        kind,
        delegate_id,
        label,
        direction,
        expires_at,
        created_by: created_by.to_string(),
    })
}

pub(crate) fn apply(state: &mut CongressState, event: &AccessEvent) {
    match event {
        AccessEvent::OperatorSaved {
            username,
            display_name,
            roles,
            password_hash,
        } => {
            state.operators.insert(
                username.clone(),
                Operator {
                    username: username.clone(),
                    display_name: display_name.clone(),
                    roles: roles.clone(),
                    password_hash: password_hash.clone(),
                },
            );
        }
        AccessEvent::SessionOpened {
            token_hash,
            username,
            expires_at,
        } => {
            state.sessions.insert(
                token_hash.clone(),
                Session {
                    username: username.clone(),
                    expires_at: *expires_at,
                },
            );
        }
        AccessEvent::SessionClosed { token_hash } => {
            state.sessions.remove(token_hash);
        }
        AccessEvent::PairingCodeCreated {
            code_hash,
            kind,
            delegate_id,
            label,
            direction,
            expires_at,
            created_by,
        } => {
            state.pairing_codes.insert(
                code_hash.clone(),
                PendingPairing {
                    kind: *kind,
                    delegate_id: delegate_id.clone(),
                    label: label.clone(),
                    direction: *direction,
                    expires_at: *expires_at,
                    created_by: created_by.clone(),
                },
            );
        }
        AccessEvent::DevicePaired {
            device,
            token_hash,
            code_hash,
            ..
        } => {
            state.pairing_codes.remove(code_hash);
            state
                .device_tokens
                .insert(token_hash.clone(), device.id.clone());
            state.devices.insert(
                device.id.clone(),
                PairedDevice {
                    device: device.clone(),
                    token_hash: token_hash.clone(),
                },
            );
        }
        AccessEvent::DeviceRevoked { device_id, by: _ } => {
            if let Some(d) = state.devices.get_mut(device_id) {
                d.device.revoked = true;
                state.device_tokens.remove(&d.token_hash);
            }
        }
        AccessEvent::DeviceReassigned {
            device_id,
            delegate_id,
            ..
        } => {
            if let Some(d) = state.devices.get_mut(device_id) {
                d.device.delegate_id = Some(delegate_id.clone());
            }
        }
        // Only the journal keeps it, for the audit log.
        AccessEvent::SameOperatorRefused { .. } => {}
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::command::{Command, decide};
    use crate::testkit::{CTX, congress_with, run};

    #[test]
    fn pairing_codes_are_single_use_and_expire() {
        let mut s = congress_with(1);
        let code: Command = AccessCommand::CreatePairingCode {
            code_hash: "h".into(),
            kind: DeviceKind::Tablet,
            delegate_id: Some("D0001".into()),
            label: None,
            direction: None,
            expires_at: 2_000,
            created_by: "op".into(),
        }
        .into();
        run(&mut s, &code).unwrap();
        let pair: Command = AccessCommand::Pair {
            code_hash: "h".into(),
            device_id: "T1".into(),
            token_hash: "t".into(),
            recipient: None,
            credential: None,
        }
        .into();
        let late = decide(&s, &pair, Context { now: 2_000 });
        assert_eq!(late, Err(crate::access::AccessError::BadPairingCode.into()));
        run(&mut s, &pair).unwrap();
        assert_eq!(
            run(&mut s, &pair),
            Err(crate::access::AccessError::BadPairingCode.into())
        );
        assert_eq!(s.device_for_token("t").unwrap().label, "Nguyễn Văn 1");
        run(
            &mut s,
            &AccessCommand::RevokeDevice {
                device_id: "T1".into(),
                by: "op".into(),
            }
            .into(),
        )
        .unwrap();
        assert!(s.device_for_token("t").is_none());
    }

    #[test]
    fn tablet_codes_need_a_known_delegate() {
        let s = congress_with(1);
        let mk = |kind, delegate_id: Option<&str>| -> Command {
            AccessCommand::CreatePairingCode {
                code_hash: "h".into(),
                kind,
                delegate_id: delegate_id.map(str::to_string),
                label: None,
                direction: None,
                expires_at: 2_000,
                created_by: "op".into(),
            }
            .into()
        };
        assert!(decide(&s, &mk(DeviceKind::Tablet, None), CTX).is_err());
        assert!(decide(&s, &mk(DeviceKind::Tablet, Some("D7")), CTX).is_err());
        assert!(decide(&s, &mk(DeviceKind::Kiosk, Some("D0001")), CTX).is_err());
        assert!(decide(&s, &mk(DeviceKind::Kiosk, None), CTX).is_ok());
    }
}

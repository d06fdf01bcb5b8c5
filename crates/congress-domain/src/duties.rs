//! Separation of duties at the credentials desk (issue 13, finding 7): marking a delegate present
//! by hand and pairing a tablet for that delegate take two different operators, in either order.
//! One operator alone could otherwise mark an absent delegate present, make a pairing code,
//! pair their own device and vote in the delegate's name.
//!
//! What counts, all read from the state (no event of its own):
//! - the delegate's current attendance record is *present* and made by hand at the desk
//!   (a kiosk's face check does not count: it saw the delegate's face);
//! - a tablet for the delegate was paired with a code that operator made (`Device::code_by`,
//!   recorded since this rule), or an unused, unexpired tablet code for the delegate is theirs.
//!
//! An operator with the `admin` role is not bound: an admin can make operator accounts and
//! so could always act through a second name; an admin's pairings are flagged in the audit log
//! like everyone's (`DevicePaired::desk_present_by`).

use congress_proto::{AttendanceSource, AttendanceStatus, DeviceKind, OperatorRole};

use crate::access::AccessError;
use crate::state::CongressState;

/// Which second step was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Making a tablet pairing code for a delegate the operator marked present.
    PairingCode,
    /// Marking present a delegate whose tablet code the operator made.
    MarkPresent,
    /// Pairing a tablet with a code made by the operator who marked the delegate present.
    Pair,
}

impl Step {
    pub fn as_str(self) -> &'static str {
        match self {
            Step::PairingCode => "pairing_code",
            Step::MarkPresent => "mark_present",
            Step::Pair => "pair",
        }
    }

    pub fn parse(s: &str) -> Option<Step> {
        [Step::PairingCode, Step::MarkPresent, Step::Pair]
            .into_iter()
            .find(|k| k.as_str() == s)
    }
}

/// The operator who marked `delegate_id` present by hand at the desk, if that is how the
/// delegate is present now.
pub fn desk_present_by<'a>(state: &'a CongressState, delegate_id: &str) -> Option<&'a str> {
    let record = state.attendance.get(delegate_id)?;
    match (&record.status, &record.source) {
        (AttendanceStatus::Present, AttendanceSource::Operator { username }) => Some(username),
        _ => None,
    }
}

/// Whether the rule binds `username` (every operator but an admin).
fn bound(state: &CongressState, username: &str) -> bool {
    state
        .operators
        .get(username)
        .is_none_or(|o| !o.roles.contains(&OperatorRole::Admin))
}

fn refused(username: &str, delegate_id: &str, step: Step) -> AccessError {
    AccessError::SameOperator {
        username: username.to_string(),
        delegate_id: delegate_id.to_string(),
        step,
    }
}

/// `created_by` makes a tablet pairing code for `delegate_id`.
pub(crate) fn check_code(
    state: &CongressState,
    delegate_id: &str,
    created_by: &str,
) -> Result<(), AccessError> {
    if bound(state, created_by) && desk_present_by(state, delegate_id) == Some(created_by) {
        return Err(refused(created_by, delegate_id, Step::PairingCode));
    }
    Ok(())
}

/// `username` marks `delegate_id` present by hand at the desk, at `now`.
pub(crate) fn check_present(
    state: &CongressState,
    delegate_id: &str,
    username: &str,
    now: i64,
) -> Result<(), AccessError> {
    if !bound(state, username) {
        return Ok(());
    }
    let paired = state.devices.values().any(|d| {
        !d.device.revoked
            && d.device.kind == DeviceKind::Tablet
            && d.device.delegate_id.as_deref() == Some(delegate_id)
            && d.device.code_by.as_deref() == Some(username)
    });
    let pending = state.pairing_codes.values().any(|p| {
        p.kind == DeviceKind::Tablet
            && p.delegate_id.as_deref() == Some(delegate_id)
            && p.expires_at > now
            && p.created_by == username
    });
    if paired || pending {
        return Err(refused(username, delegate_id, Step::MarkPresent));
    }
    Ok(())
}

/// A tablet for `delegate_id` pairs with a code `code_by` made (the operator may have lost the
/// admin role, or marked the delegate present, since).
pub(crate) fn check_pair(
    state: &CongressState,
    delegate_id: &str,
    code_by: &str,
) -> Result<(), AccessError> {
    if !code_by.is_empty()
        && bound(state, code_by)
        && desk_present_by(state, delegate_id) == Some(code_by)
    {
        return Err(refused(code_by, delegate_id, Step::Pair));
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use congress_proto::{AttendanceSource, AttendanceStatus, DeviceKind, OperatorRole};

    use super::Step;
    use crate::access::{AccessCommand, AccessError};
    use crate::command::Command;
    use crate::error::DomainError;
    use crate::testkit::{congress_with, run};
    use crate::{AttendanceCommand, CongressState};

    fn desk(by: &str, id: &str) -> Command {
        AttendanceCommand::SetAttendance {
            delegate_id: id.into(),
            status: AttendanceStatus::Present,
            source: AttendanceSource::Operator {
                username: by.into(),
            },
            kiosk: None,
            reason: Some("ID".into()),
        }
        .into()
    }

    fn code(by: &str, id: &str, hash: &str) -> Command {
        AccessCommand::CreatePairingCode {
            code_hash: hash.into(),
            kind: DeviceKind::Tablet,
            delegate_id: Some(id.into()),
            label: None,
            direction: None,
            expires_at: 9_000,
            created_by: by.into(),
        }
        .into()
    }

    fn pair(hash: &str, device: &str) -> Command {
        AccessCommand::Pair {
            code_hash: hash.into(),
            device_id: device.into(),
            token_hash: format!("t-{device}"),
            recipient: None,
            credential: None,
        }
        .into()
    }

    fn same(by: &str, id: &str, step: Step) -> Result<usize, DomainError> {
        Err(AccessError::SameOperator {
            username: by.into(),
            delegate_id: id.into(),
            step,
        }
        .into())
    }

    fn with_admin(n: u32) -> CongressState {
        let mut s = congress_with(n);
        run(
            &mut s,
            &AccessCommand::SaveOperator {
                username: "boss".into(),
                display_name: "Boss".into(),
                roles: vec![OperatorRole::Admin],
                password_hash: "x".into(),
            }
            .into(),
        )
        .unwrap();
        s
    }

    #[test]
    fn one_operator_cannot_do_both_steps_in_either_order() {
        let mut s = with_admin(2);
        run(&mut s, &desk("an", "D0001")).unwrap();
        assert_eq!(
            run(&mut s, &code("an", "D0001", "h1")),
            same("an", "D0001", Step::PairingCode)
        );
        run(&mut s, &code("binh", "D0001", "h1")).unwrap();
        run(&mut s, &pair("h1", "T1")).unwrap();
        let d = &s.devices["T1"].device;
        assert_eq!(d.code_by.as_deref(), Some("binh"));

        run(&mut s, &code("an", "D0002", "h2")).unwrap();
        assert_eq!(
            run(&mut s, &desk("an", "D0002")),
            same("an", "D0002", Step::MarkPresent)
        );
        run(&mut s, &pair("h2", "T2")).unwrap();
        assert_eq!(
            run(&mut s, &desk("an", "D0002")),
            same("an", "D0002", Step::MarkPresent)
        );
        run(&mut s, &desk("binh", "D0002")).unwrap();
    }

    #[test]
    fn a_kiosk_check_in_or_an_admin_is_not_bound() {
        let mut s = with_admin(2);
        let kiosk: Command = AttendanceCommand::SetAttendance {
            delegate_id: "D0001".into(),
            status: AttendanceStatus::Present,
            source: AttendanceSource::Kiosk {
                device_id: "K1".into(),
                distance: 0.3,
                margin: 0.2,
            },
            kiosk: Some(congress_proto::KioskDirection::Entrance),
            reason: None,
        }
        .into();
        run(&mut s, &kiosk).unwrap();
        run(&mut s, &code("an", "D0001", "h1")).unwrap();
        run(&mut s, &desk("boss", "D0002")).unwrap();
        run(&mut s, &code("boss", "D0002", "h2")).unwrap();
        run(&mut s, &pair("h2", "T2")).unwrap();
    }

    #[test]
    fn a_code_made_before_its_maker_marked_present_does_not_pair() {
        let mut s = with_admin(1);
        // Made by an admin who then loses the role and marks the delegate present.
        run(&mut s, &code("boss", "D0001", "h1")).unwrap();
        run(&mut s, &desk("boss", "D0001")).unwrap();
        run(
            &mut s,
            &AccessCommand::SaveOperator {
                username: "boss".into(),
                display_name: "Boss".into(),
                roles: vec![OperatorRole::Credentials],
                password_hash: "x".into(),
            }
            .into(),
        )
        .unwrap();
        assert_eq!(
            run(&mut s, &pair("h1", "T1")),
            same("boss", "D0001", Step::Pair)
        );
    }
}

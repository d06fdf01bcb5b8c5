//! Attendance transitions: which status changes are allowed, and from which source.

use congress_proto::{AttendanceStatus, KioskDirection};

/// Where an attendance change request comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// The credentials desk may set any status (corrections included), with a reason.
    Operator,
    /// A kiosk at an entrance or exit.
    Kiosk(KioskDirection),
}

/// What a requested change amounts to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transition {
    /// A real change: journal it.
    Change,
    /// Already in that status: acknowledge, journal nothing.
    Unchanged,
}

/// Why a transition is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    #[error("a kiosk cannot mark a delegate absent; only the credentials desk can")]
    KioskCannotMarkAbsent,
    #[error("an entrance kiosk only checks delegates in")]
    EntranceOnlyChecksIn,
    #[error("an exit kiosk only checks delegates out")]
    ExitOnlyChecksOut,
    #[error("a delegate who has not arrived cannot leave")]
    CannotLeaveBeforeArriving,
}

/// Checks a change from `from` to `to` requested by `origin`.
pub fn transition(
    from: AttendanceStatus,
    to: AttendanceStatus,
    origin: Origin,
) -> Result<Transition, TransitionError> {
    use AttendanceStatus::*;
    match origin {
        Origin::Kiosk(KioskDirection::Entrance) if to != Present => {
            return Err(if to == Absent {
                TransitionError::KioskCannotMarkAbsent
            } else {
                TransitionError::EntranceOnlyChecksIn
            });
        }
        Origin::Kiosk(KioskDirection::Exit) if to != Left => {
            return Err(if to == Absent {
                TransitionError::KioskCannotMarkAbsent
            } else {
                TransitionError::ExitOnlyChecksOut
            });
        }
        _ => {}
    }
    if from == to {
        return Ok(Transition::Unchanged);
    }
    match (from, to) {
        (Absent, Left) => Err(TransitionError::CannotLeaveBeforeArriving),
        _ => Ok(Transition::Change),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use AttendanceStatus::*;

    const ALL: [AttendanceStatus; 3] = [Absent, Present, Left];

    #[test]
    fn operator_may_make_every_change_but_leaving_before_arriving() {
        for from in ALL {
            for to in ALL {
                let got = transition(from, to, Origin::Operator);
                let want = if from == to {
                    Ok(Transition::Unchanged)
                } else if from == Absent && to == Left {
                    Err(TransitionError::CannotLeaveBeforeArriving)
                } else {
                    Ok(Transition::Change)
                };
                assert_eq!(got, want, "{from:?} → {to:?}");
            }
        }
    }

    #[test]
    fn entrance_kiosk_only_checks_in_and_is_idempotent() {
        let k = Origin::Kiosk(KioskDirection::Entrance);
        assert_eq!(transition(Absent, Present, k), Ok(Transition::Change));
        assert_eq!(transition(Left, Present, k), Ok(Transition::Change));
        assert_eq!(transition(Present, Present, k), Ok(Transition::Unchanged));
        assert_eq!(
            transition(Present, Left, k),
            Err(TransitionError::EntranceOnlyChecksIn)
        );
        assert_eq!(
            transition(Present, Absent, k),
            Err(TransitionError::KioskCannotMarkAbsent)
        );
    }

    #[test]
    fn exit_kiosk_only_checks_out() {
        let k = Origin::Kiosk(KioskDirection::Exit);
        assert_eq!(transition(Present, Left, k), Ok(Transition::Change));
        assert_eq!(transition(Left, Left, k), Ok(Transition::Unchanged));
        assert_eq!(
            transition(Absent, Left, k),
            Err(TransitionError::CannotLeaveBeforeArriving)
        );
        assert_eq!(
            transition(Absent, Present, k),
            Err(TransitionError::ExitOnlyChecksOut)
        );
    }
}

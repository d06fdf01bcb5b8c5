//! Attendance in the server: the push a check-in causes (the record and the new quorum, to
//! everyone), and the delegate list's own push (how many are listed).

use congress_domain::{AttendanceEvent, CongressEvent, CongressState};
use congress_proto::Push;

use crate::hub::Audience;

pub fn push_for(state: &CongressState, event: &AttendanceEvent) -> Option<(Audience, Push)> {
    match event {
        AttendanceEvent::AttendanceChanged { record } => Some((
            Audience::Everyone,
            Push::Attendance {
                record: record.clone(),
                summary: state.summary(),
            },
        )),
        // Biometric records are for the audit log, not for screens.
        AttendanceEvent::FaceEnrolled { .. } | AttendanceEvent::BiometricsPurged { .. } => None,
    }
}

/// A new delegate list changes the counts every screen shows.
pub fn push_for_congress(state: &CongressState, event: &CongressEvent) -> Option<(Audience, Push)> {
    match event {
        CongressEvent::DelegatesImported { .. } => Some((
            Audience::Everyone,
            Push::Delegates {
                listed: state.delegates.len() as u32,
            },
        )),
        CongressEvent::CongressDefined { .. } => None,
    }
}

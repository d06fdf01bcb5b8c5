//! Attendance in the server: the pushes a check-in causes (the record and the new quorum: whole
//! to operators, without the desk's reason to devices), and the delegate list's own push (how
//! many are listed).
//!
//! The reason a desk gives for a manual change is free text about a person ("reported ill, at
//! hospital X"): it is for operators only, never pushed to tablets, kiosks or the projector nor
//! in their snapshot (issue 13, finding 11).

use congress_domain::{AttendanceEvent, CongressEvent, CongressState};
use congress_proto::{AttendanceRecord, Push};

use crate::hub::Audience;

pub fn push_for(state: &CongressState, event: &AttendanceEvent) -> Vec<(Audience, Push)> {
    match event {
        AttendanceEvent::AttendanceChanged { record } => {
            let summary = state.summary();
            vec![
                (
                    Audience::Consoles,
                    Push::Attendance {
                        record: record.clone(),
                        summary,
                    },
                ),
                (
                    Audience::Devices,
                    Push::Attendance {
                        record: public_record(record),
                        summary,
                    },
                ),
            ]
        }
        // Biometric records are for the audit log, not for screens.
        AttendanceEvent::FaceEnrolled { .. } | AttendanceEvent::BiometricsPurged { .. } => vec![],
    }
}

/// A record as screens and devices see it: without the desk's free-text reason.
pub fn public_record(record: &AttendanceRecord) -> AttendanceRecord {
    AttendanceRecord {
        reason: None,
        ..record.clone()
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

//! What a client gets when it connects, or when it is too far behind to resume: the whole state
//! it may see, as of one seq. Each feature's part comes from that feature.

use congress_proto::{Congress, QuorumRule, ServerMsg, Snapshot};

use crate::AppState;
use crate::auth::Caller;

/// The snapshot for `caller`, as of the committed state's head.
pub fn of(app: &AppState, caller: &Caller) -> ServerMsg {
    app.engine.read(|s| {
        let (notices, notices_read) = crate::notices::snapshot_notices(s, caller);
        let me = match caller {
            Caller::Device(d) => d
                .delegate_id
                .as_ref()
                .and_then(|id| s.delegates.get(id).cloned()),
            _ => None,
        };
        let my_attendance = me
            .as_ref()
            .and_then(|d| s.attendance.get(&d.id))
            .map(crate::attendance::public_record);
        ServerMsg::Snapshot {
            seq: s.head.seq,
            snapshot: Box::new(Snapshot {
                congress: s.congress.clone().unwrap_or(Congress {
                    name: String::new(),
                    venue: String::new(),
                    starts_on: String::new(),
                    ends_on: String::new(),
                    convened: 0,
                    quorum: QuorumRule::default(),
                }),
                agenda: s.agenda.clone(),
                attendance: s.summary(),
                me,
                my_attendance,
                journal: s.head.clone(),
                votes: crate::votes::visible_votes(
                    s,
                    match caller {
                        Caller::Device(d) => d.delegate_id.as_deref(),
                        _ => None,
                    },
                    matches!(caller, Caller::Operator { .. }),
                ),
                notices,
                notices_read,
                meeting: congress_domain::meeting::view(s, app.engine.now()),
                procedures: congress_domain::elections::procedures(s),
            }),
        }
    })
}

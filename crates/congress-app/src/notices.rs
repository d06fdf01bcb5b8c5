//! Notices in the server: who receives which push (a notice to its addressees' tablets and
//! operators; a receipt to operators and the reader's own tablets), what a tablet's snapshot
//! holds, a tablet's read receipt, and the console's list with who has not read.

use std::collections::BTreeSet;
use std::sync::Arc;

use congress_domain::notices::{notices_for, recipients};
use congress_domain::{CongressState, NoticeCommand, NoticeEvent};
use congress_proto::{Notice, NoticeAudience, NoticeStatus, Push, ServerMsg};

use crate::auth::Caller;
use crate::engine::Engine;
use crate::hub::Audience;
use crate::tablet;

pub fn push_for(state: &CongressState, event: &NoticeEvent) -> Option<(Audience, Push)> {
    match event {
        NoticeEvent::NoticeSent { notice } => {
            let audience = match &notice.audience {
                // Tablets and operators; not kiosks or projector devices.
                NoticeAudience::All => Audience::Delegates(Arc::new(
                    state.delegates.keys().cloned().collect::<BTreeSet<_>>(),
                )),
                NoticeAudience::Group { group } => {
                    Audience::Delegates(crate::groups::group_set(state, group))
                }
                NoticeAudience::Delegate { delegate_id } => Audience::Delegate(delegate_id.clone()),
            };
            Some((
                audience,
                Push::Notice {
                    notice: notice.clone(),
                },
            ))
        }
        NoticeEvent::NoticeRead { receipt } => Some((
            Audience::Delegate(receipt.delegate_id.clone()),
            Push::NoticeRead {
                receipt: receipt.clone(),
            },
        )),
    }
}

/// A tablet's notices and the ids of those it has read (operators get none: the console asks
/// `GET /api/notices`).
pub fn snapshot_notices(state: &CongressState, caller: &Caller) -> (Vec<Notice>, Vec<u64>) {
    let Caller::Device(d) = caller else {
        return (Vec::new(), Vec::new());
    };
    let Some(delegate) = d.delegate_id.as_deref() else {
        return (Vec::new(), Vec::new());
    };
    let notices: Vec<Notice> = notices_for(state, delegate).into_iter().cloned().collect();
    let read = notices
        .iter()
        .filter(|n| state.notices.has_read(n.id, delegate))
        .map(|n| n.id)
        .collect();
    (notices, read)
}

/// Every notice with its receipts, newest first.
pub fn notice_statuses(state: &CongressState) -> Vec<NoticeStatus> {
    state
        .notices
        .notices
        .values()
        .rev()
        .map(|n| {
            let to = recipients(state, &n.audience);
            let unread: Vec<String> = to
                .iter()
                .filter(|d| !state.notices.has_read(n.id, d))
                .map(|d| d.to_string())
                .collect();
            NoticeStatus {
                notice: n.clone(),
                recipients: to.len() as u32,
                read: (to.len() - unread.len()) as u32,
                unread,
            }
        })
        .collect()
}

/// A tablet's `read_notice`: acked after the commit (a second receipt changes nothing).
pub async fn read_from_tablet(
    engine: &Engine,
    caller: &Caller,
    client_id: &str,
    notice_id: u64,
    request: &impl serde::Serialize,
) -> ServerMsg {
    tablet::acked(engine, caller, client_id, request, |delegate_id| {
        NoticeCommand::ReadNotice {
            notice_id,
            delegate_id,
        }
    })
    .await
}

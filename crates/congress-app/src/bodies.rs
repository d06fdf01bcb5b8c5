//! The bodies in the server: every bodies event pushes the whole procedures view, so tablets
//! learn their delegate's roles (a counting-board member's tablet offers to sign the board's
//! report) the moment the congress approves a list.

use congress_domain::{BodiesEvent, CongressState};
use congress_proto::Push;

use crate::hub::Audience;

/// The push a bodies event causes: the procedures view, to everyone.
pub fn push_for(state: &CongressState, _event: &BodiesEvent) -> Option<(Audience, Push)> {
    Some((
        Audience::Everyone,
        Push::Procedures {
            procedures: Box::new(congress_domain::elections::procedures(state)),
        },
    ))
}

//! What clients see of each committed event: the engine calls [`push_for`], which hands the
//! event to its feature's own rule. Adding an event to a feature changes that feature's rule
//! only; this dispatch changes when a feature is added.

use congress_domain::{CongressState, Event};
use congress_proto::Push;

use crate::hub::Audience;

/// The pushes an event causes, computed from the state just after it: one for most events;
/// an attendance change has one for operators and one, without the desk's reason, for devices.
pub fn push_for(state: &CongressState, event: &Event) -> Vec<(Audience, Push)> {
    let one = match event {
        Event::Attendance(e) => return crate::attendance::push_for(state, e),
        Event::Congress(e) => crate::attendance::push_for_congress(state, e),
        Event::Access(e) => crate::access::push_for(state, e),
        Event::Documents(e) => crate::documents::push_for(state, e),
        Event::Votes(e) => crate::votes::push_for(state, e),
        Event::Meeting(e) => crate::meeting::push_for(state, e),
        Event::Notices(e) => crate::notices::push_for(state, e),
        Event::Groups(e) => crate::groups::push_for(state, e),
        Event::Board(e) => crate::board::push_for(state, e),
        Event::Credentials(e) => crate::credentials::push_for(state, e),
        Event::Bodies(e) => crate::bodies::push_for(state, e),
        Event::Elections(e) => crate::elections::push_for(state, e),
    };
    one.into_iter().collect()
}

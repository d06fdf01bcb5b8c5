//! The congress's rules: delegates, roles, attendance, quorum, agenda, devices, operators, votes,
//! documents, notices, groups and the meeting, and the journal events that change them. Pure: no
//! I/O, no clock, no randomness (time, ids and secrets are parameters), so every rule can be
//! tested exactly.
//!
//! The flow is *decide, then apply*: [`decide`] checks a [`Command`] against the
//! [`CongressState`] and returns the [`Event`]s it causes (or a [`DomainError`]); the caller makes
//! them durable and then calls [`CongressState::apply`] for each. Replaying the journal's events
//! through `apply` rebuilds the state.
//!
//! Each feature is one module that owns its commands, its events (a variant of [`Event`]), its
//! rules (`decide`), how its events change the state (`apply`) and its errors: [`congress`],
//! [`attendance`], [`access`], [`board`], [`documents`], [`vote`], [`meeting`], [`notices`], [`groups`],
//! and the congress's own procedures: [`credentials`], [`bodies`], [`elections`] (what they share
//! about the votes they create and the results they read is [`motions`]). [`duties`] is the
//! rule between attendance and access: two operators for marking present and pairing.
//! [`command`], [`event`] and [`state`] only dispatch to them.

pub mod access;
pub mod attendance;
pub mod board;
pub mod bodies;
pub mod command;
pub mod congress;
pub mod credentials;
pub mod documents;
pub mod duties;
pub mod elections;
pub mod error;
pub mod event;
pub mod groups;
pub mod meeting;
pub mod motions;
pub mod notices;
pub mod state;
pub mod text;
pub mod vote;

#[cfg(test)]
mod testkit;

pub use access::{AccessCommand, AccessEvent};
pub use attendance::{AttendanceCommand, AttendanceEvent, quorum};
pub use board::{BoardCommand, BoardEvent};
pub use bodies::{BodiesCommand, BodiesEvent};
pub use command::{Command, Context, decide};
pub use congress::{CongressCommand, CongressEvent};
pub use credentials::{CredentialsCommand, CredentialsEvent};
pub use documents::{DocumentCommand, DocumentEvent};
pub use elections::{ElectionCommand, ElectionEvent};
pub use error::DomainError;
pub use event::Event;
pub use groups::{GroupCommand, GroupEvent};
pub use meeting::{MeetingCommand, MeetingEvent};
pub use notices::{NoticeCommand, NoticeEvent};
pub use state::CongressState;
pub use vote::{VoteCommand, VoteEvent};

//! The congress's rules: delegates, roles, attendance, quorum, agenda, devices, operators, votes,
//! and the journal events that change them. Pure: no I/O, no clock, no randomness (time, ids and
//! secrets are parameters), so every rule can be tested exactly.
//!
//! The flow is *decide, then apply*: [`decide`] checks a [`Command`] against the
//! [`CongressState`] and returns the [`Event`]s it causes (or a [`DomainError`]); the caller makes
//! them durable and then calls [`CongressState::apply`] for each. Replaying the journal's events
//! through `apply` rebuilds the state.

pub mod attendance;
pub mod command;
pub mod documents;
pub mod event;
pub mod groups;
pub mod meeting;
pub mod notices;
pub mod quorum;
pub mod state;
pub mod vote;

pub use command::{Command, Context, DomainError, decide};
pub use event::Event;
pub use state::CongressState;

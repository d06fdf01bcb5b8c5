//! The congress's rules: delegates, roles, attendance, quorum, agenda, votes, and the journal
//! events that change them. Pure: no I/O, no clock, no randomness (time and ids are parameters).

pub mod vote;

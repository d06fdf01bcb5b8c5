//! HTTP routes. Each handler checks the caller's role first, then reads the committed state or
//! sends a command to the engine.

pub mod api;
pub mod board;
pub mod documents;
pub mod face;
pub mod groups;
pub mod meeting;
pub mod reports;
pub mod trust;
pub mod votes;
pub mod web;

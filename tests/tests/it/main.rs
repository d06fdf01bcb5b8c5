//! The integration tests: one binary, one module per area. Each test starts the real server
//! in-process on `127.0.0.1:0` over a fresh temporary SQLite file (see `util`).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod at_rest;
mod attendance;
mod auth;
mod backup;
mod bad_input;
mod documents;
mod elections;
mod groups;
mod import;
mod journal;
mod journal_fixture;
// Real-time latency and socket-deadline measurements, on purpose.
#[allow(clippy::disallowed_methods)]
mod kiosk;
mod kiosk_pad;
#[allow(clippy::disallowed_methods)]
mod limits;
mod meeting;
mod minutes;
mod notices;
mod restart;
mod retention;
mod roles;
mod secret_ballot;
mod tls;
mod util;
mod votes;
mod websocket;
mod witness;

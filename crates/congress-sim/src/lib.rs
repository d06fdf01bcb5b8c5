//! Tools for driving a real congress server from outside: start the `congress` binary as a
//! separate process on a generated congress, pair many simulated tablets, and measure. Used by
//! `congress-bench` (benchmarks) and the simulator.

// A simulator and benchmark harness: it measures real latencies, so it reads the clock.
#![allow(clippy::disallowed_methods)]

pub mod board;
pub mod crash;
pub mod docs_serve;
pub mod minimal;
pub mod reconnect;
pub mod secret_storm;
pub mod server;
pub mod stats;
pub mod vote;

pub use server::ServerProcess;

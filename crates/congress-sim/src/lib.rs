//! Tools for driving a real congress server from outside: start the `congress` binary as a
//! separate process on a generated congress, pair many simulated tablets, and measure. Used by
//! `congress-bench` (benchmarks) and the simulator.

pub mod crash;
pub mod docs_serve;
pub mod reconnect;
pub mod server;
pub mod stats;
pub mod vote;

pub use server::ServerProcess;

//! congress-sim

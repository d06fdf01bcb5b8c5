//! congress-proto

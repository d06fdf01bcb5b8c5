//! congress-client

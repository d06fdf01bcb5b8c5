//! congress-server

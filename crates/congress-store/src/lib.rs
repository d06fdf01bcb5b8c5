//! congress-store

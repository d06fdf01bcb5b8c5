//! congress-docs

//! congress-face

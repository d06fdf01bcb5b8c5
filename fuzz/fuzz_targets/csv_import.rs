//! The delegates CSV of `congress import` (`congress_server::import::parse_delegates`). Any
//! bytes give delegates or a list of bad rows, never a panic; every delegate it accepts has a
//! unique, non-empty id.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut rows = 0usize;
    if let Ok(delegates) = congress_server::import::parse_delegates(data, |n| rows = n) {
        let mut ids = std::collections::HashSet::new();
        for d in &delegates {
            assert!(!d.id.trim().is_empty(), "accepted an empty id");
            assert!(ids.insert(d.id.clone()), "accepted a duplicate id {}", d.id);
        }
        assert!(delegates.len() <= rows);
    }
});

//! The hash chain: each event's hash covers the previous hash and the event exactly as stored.

use sha2::{Digest, Sha256};

/// The `prev_hash` of the first event.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// SHA-256 over the previous hash, the sequence number, the time, the actor and the event's JSON.
pub fn event_hash(prev_hash: &str, seq: u64, at: i64, actor: &str, body: &str) -> String {
    let mut h = Sha256::new();
    for part in [prev_hash, &seq.to_string(), &at.to_string(), actor, body] {
        h.update((part.len() as u64).to_le_bytes());
        h.update(part.as_bytes());
    }
    hex::encode(h.finalize())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_field_is_covered_and_fields_cannot_be_shifted() {
        let base = event_hash(GENESIS_HASH, 1, 5, "cli", "{}");
        assert_ne!(base, event_hash(GENESIS_HASH, 2, 5, "cli", "{}"));
        assert_ne!(base, event_hash(GENESIS_HASH, 1, 6, "cli", "{}"));
        assert_ne!(base, event_hash(GENESIS_HASH, 1, 5, "cl", "{}"));
        assert_ne!(base, event_hash(GENESIS_HASH, 1, 5, "cli", "{ }"));
        assert_ne!(
            event_hash("a", 1, 5, "bc", ""),
            event_hash("a", 1, 5, "b", "c")
        );
        assert_eq!(base.len(), 64);
    }
}

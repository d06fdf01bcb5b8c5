//! Witness heads (issue 13, finding 16): the journal heads that devices saw, checked against the
//! journal. The hash chain alone is unkeyed (whoever can write the database can rewrite an event
//! and recompute every later hash); a head a device kept from before the rewrite no longer
//! matches. Owns the heads file format of `congress verify --witness`, the comparison, and the
//! query of the journal's hashes at given seqs.

use congress_proto::{JournalHead, WitnessedHead};
use rusqlite::{Connection, OptionalExtension};

use crate::StoreError;
use crate::db::{Access, Db};

/// At most this many heads in one `POST /api/journal/witness`.
pub const MAX_WITNESS_HEADS: usize = 64;

/// A heads file or request that cannot be read.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum WitnessError {
    #[error(
        "line {line}: not a journal head {{\"seq\": N, \"hash\": \"64 hex digits\"}}: {reason}"
    )]
    Line { line: usize, reason: String },
    #[error("not a JSON array of journal heads: {0}")]
    Array(String),
    #[error("head at seq {seq}: the hash is not 64 hexadecimal digits")]
    BadHash { seq: u64 },
    #[error("head at seq 0: seq 0 is before the first event")]
    SeqZero,
}

/// Whether `hash` is a hex SHA-256 as the journal writes it (64 lowercase hex digits).
pub fn is_hash(hash: &str) -> bool {
    hash.len() == 64
        && hash
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// Checks each head's form: seq ≥ 1 and a hash of 64 lowercase hex digits.
pub fn check_heads(heads: &[JournalHead]) -> Result<(), WitnessError> {
    for h in heads {
        if h.seq == 0 {
            return Err(WitnessError::SeqZero);
        }
        if !is_hash(&h.hash) {
            return Err(WitnessError::BadHash { seq: h.seq });
        }
    }
    Ok(())
}

/// Reads a heads file: a JSON array of `{"seq": N, "hash": "…"}`, or one such object per line
/// (JSON lines; blank lines skipped).
pub fn parse_heads(text: &str) -> Result<Vec<JournalHead>, WitnessError> {
    let heads = if text.trim_start().starts_with('[') {
        serde_json::from_str::<Vec<JournalHead>>(text)
            .map_err(|e| WitnessError::Array(e.to_string()))?
    } else {
        let mut heads = Vec::new();
        for (i, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            heads.push(serde_json::from_str::<JournalHead>(line).map_err(|e| {
                WitnessError::Line {
                    line: i + 1,
                    reason: e.to_string(),
                }
            })?);
        }
        heads
    };
    check_heads(&heads)?;
    Ok(heads)
}

/// The journal's hash at each of `seqs` (`None`: beyond the journal's end), in one read.
pub fn hashes_at(conn: &Connection, seqs: &[u64]) -> Result<Vec<Option<String>>, StoreError> {
    let mut st = conn.prepare_cached("SELECT hash FROM journal WHERE seq = ?1")?;
    let mut out = Vec::with_capacity(seqs.len());
    for &seq in seqs {
        let seq = i64::try_from(seq).unwrap_or(i64::MAX);
        out.push(st.query_row([seq], |r| r.get(0)).optional()?);
    }
    Ok(out)
}

/// Each head beside the journal's hash at its seq.
pub fn compare(heads: &[JournalHead], server: &[Option<String>]) -> Vec<WitnessedHead> {
    heads
        .iter()
        .zip(server)
        .map(|(h, s)| WitnessedHead {
            seq: h.seq,
            hash: h.hash.clone(),
            server_hash: s.clone(),
            matches: s.as_deref() == Some(h.hash.as_str()),
        })
        .collect()
}

/// What a mismatch means, in English, naming the seq.
pub fn problem(h: &WitnessedHead, journal_end: u64) -> Option<String> {
    match &h.server_hash {
        _ if h.matches => None,
        Some(server) => Some(format!(
            "seq {}: a device saw hash {} but the journal has {server}: the record was rewritten after that device saw it",
            h.seq, h.hash
        )),
        None => Some(format!(
            "seq {}: a device saw this event but the journal ends at seq {journal_end}: the journal was truncated",
            h.seq
        )),
    }
}

/// What `verify_witness` found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WitnessReport {
    pub heads: Vec<WitnessedHead>,
    /// The journal's last seq.
    pub journal_end: u64,
    /// Empty when every head matches.
    pub problems: Vec<String>,
}

impl WitnessReport {
    pub fn ok(&self) -> bool {
        self.problems.is_empty()
    }
}

/// Checks the heads devices saw against the journal (read-only; safe while the server runs).
pub fn check(conn: &Connection, heads: &[JournalHead]) -> Result<WitnessReport, StoreError> {
    let seqs: Vec<u64> = heads.iter().map(|h| h.seq).collect();
    let server = hashes_at(conn, &seqs)?;
    let journal_end = crate::sqlite::read_head(conn)?.seq;
    let heads = compare(heads, &server);
    let problems = heads
        .iter()
        .filter_map(|h| problem(h, journal_end))
        .collect();
    Ok(WitnessReport {
        heads,
        journal_end,
        problems,
    })
}

/// `congress verify --witness`: [`check`] on the database `db`.
pub fn verify_witness(db: &Db, heads: &[JournalHead]) -> Result<WitnessReport, StoreError> {
    let conn = db.connect(Access::ReadOnly)?;
    conn.execute_batch("BEGIN")?;
    let report = check(&conn, heads)?;
    conn.execute_batch("COMMIT")?;
    Ok(report)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn head(seq: u64, c: char) -> JournalHead {
        JournalHead {
            seq,
            hash: c.to_string().repeat(64),
        }
    }

    #[test]
    fn both_file_forms_are_read_and_bad_heads_are_named() {
        let heads = vec![head(3, 'a'), head(9, 'b')];
        let array = serde_json::to_string(&heads).unwrap();
        assert_eq!(parse_heads(&array).unwrap(), heads);
        let lines = format!(
            "{}\n\n{}\n",
            serde_json::to_string(&heads[0]).unwrap(),
            serde_json::to_string(&heads[1]).unwrap()
        );
        assert_eq!(parse_heads(&lines).unwrap(), heads);
        assert!(matches!(
            parse_heads("{\"seq\":1}\n"),
            Err(WitnessError::Line { line: 1, .. })
        ));
        assert_eq!(
            parse_heads(r#"[{"seq":4,"hash":"ABC"}]"#),
            Err(WitnessError::BadHash { seq: 4 })
        );
        assert_eq!(
            parse_heads(&serde_json::to_string(&[head(0, 'a')]).unwrap()),
            Err(WitnessError::SeqZero)
        );
    }

    #[test]
    fn a_changed_hash_and_a_missing_event_are_problems() {
        let heads = vec![head(1, 'a'), head(2, 'b'), head(7, 'c')];
        let server = vec![Some("a".repeat(64)), Some("d".repeat(64)), None];
        let cmp = compare(&heads, &server);
        assert_eq!(
            cmp.iter().map(|h| h.matches).collect::<Vec<_>>(),
            [true, false, false]
        );
        assert!(problem(&cmp[0], 5).is_none());
        assert!(problem(&cmp[1], 5).unwrap().contains("seq 2"));
        assert!(problem(&cmp[2], 5).unwrap().contains("truncated"));
    }
}

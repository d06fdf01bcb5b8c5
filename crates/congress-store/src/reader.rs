//! Read-only access to the journal for reports (minutes, audit log) and the `congress minutes`
//! command: its own read-only connection, safe beside a running server (WAL readers never block
//! the writer) and on a stopped server's data.

use rusqlite::{Connection, params};

use crate::db::{Access, Db};
use crate::{StoreError, StoredEvent};

/// A read-only connection to a congress database.
pub struct JournalReader {
    conn: Connection,
}

/// Which journal entries a page holds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PageFilter {
    /// Only entries with `seq < before` (newest first); `None` = from the head.
    pub before: Option<u64>,
    /// At most this many entries.
    pub limit: usize,
    /// Only this actor (exact), e.g. `operator:admin`.
    pub actor: Option<String>,
    /// Only these kinds (the journal's `kind` column); empty = every kind.
    pub kinds: Vec<String>,
}

impl JournalReader {
    /// Opens `db` read-only; fails if there is no database there.
    pub fn open(db: &Db) -> Result<Self, StoreError> {
        let conn = db.connect(Access::ReadOnly)?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        Ok(JournalReader { conn })
    }

    /// Every event, in order, read in one transaction (one consistent moment).
    pub fn all(&self) -> Result<Vec<StoredEvent>, StoreError> {
        self.conn.execute_batch("BEGIN")?;
        let out = self.query(
            "SELECT seq, at, actor, body, prev_hash, hash FROM journal ORDER BY seq",
            params![],
        );
        self.conn.execute_batch("COMMIT")?;
        out
    }

    /// A page of entries, newest first.
    pub fn page(&self, f: &PageFilter) -> Result<Vec<StoredEvent>, StoreError> {
        let kinds = if f.kinds.is_empty() {
            None
        } else {
            Some(format!(",{},", f.kinds.join(",")))
        };
        self.query(
            "SELECT seq, at, actor, body, prev_hash, hash FROM journal
             WHERE (?1 IS NULL OR seq < ?1)
               AND (?2 IS NULL OR actor = ?2)
               AND (?3 IS NULL OR instr(?3, ',' || kind || ',') > 0)
             ORDER BY seq DESC LIMIT ?4",
            params![f.before.map(|b| b as i64), f.actor, kinds, f.limit as i64],
        )
    }

    /// The ballots of an encrypted vote that still count: (tracker, bytes), by tracker.
    pub fn encrypted_ballots(&self, vote_id: u64) -> Result<Vec<(String, Vec<u8>)>, StoreError> {
        crate::projection::votes::encrypted_ballots(&self.conn, vote_id)
    }

    fn query(
        &self,
        sql: &str,
        params: impl rusqlite::Params,
    ) -> Result<Vec<StoredEvent>, StoreError> {
        crate::sqlite::query_events(&self.conn, sql, params)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::{JournalStore, SqliteStore, Write};
    use congress_domain::{AttendanceEvent, Event, MeetingEvent};

    #[test]
    fn reads_pages_filtered_by_actor_and_kind_from_a_real_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.sqlite");
        let mut s = SqliteStore::open(&Db::plain(&path)).unwrap();
        let ev = |actor: &str, item: Option<&str>| Write::Event {
            at: 1,
            actor: actor.into(),
            event: Event::Meeting(MeetingEvent::CurrentItemSet {
                item_id: item.map(String::from),
            }),
        };
        s.commit(&[ev("operator:a", Some("A1")), ev("cli", None)])
            .unwrap();
        s.commit(&[
            ev("operator:a", None),
            Write::Event {
                at: 2,
                actor: "cli".into(),
                event: Event::Attendance(AttendanceEvent::BiometricsPurged { enrolments: 0 }),
            },
        ])
        .unwrap();
        let r = JournalReader::open(&Db::plain(&path)).unwrap();
        let all = r.all().unwrap();
        assert_eq!(all.len(), 4);
        assert_eq!(all.last().unwrap().hash, s.head().hash);
        let page = r
            .page(&PageFilter {
                limit: 10,
                actor: Some("operator:a".into()),
                ..Default::default()
            })
            .unwrap();
        assert_eq!(page.iter().map(|e| e.seq).collect::<Vec<_>>(), [3, 1]);
        let page = r
            .page(&PageFilter {
                limit: 10,
                kinds: vec!["biometrics_purged".into()],
                ..Default::default()
            })
            .unwrap();
        assert_eq!(page.len(), 1);
        let page = r
            .page(&PageFilter {
                limit: 2,
                before: Some(4),
                ..Default::default()
            })
            .unwrap();
        assert_eq!(page.iter().map(|e| e.seq).collect::<Vec<_>>(), [3, 2]);
        assert!(JournalReader::open(&Db::plain(dir.path().join("none.sqlite"))).is_err());
    }
}

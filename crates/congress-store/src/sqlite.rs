//! The SQLite implementation of [`JournalStore`].

use congress_domain::CongressState;
use congress_proto::JournalHead;
use rusqlite::{Connection, OptionalExtension, params};

use crate::chain::{GENESIS_HASH, event_hash};
use crate::db::{Access, Db};
use crate::{JournalStore, Remembered, StoreError, StoredEvent, Write, migrations, projection};

/// One SQLite database file holding one congress.
pub struct SqliteStore {
    conn: Connection,
    head: JournalHead,
}

impl SqliteStore {
    /// Opens (creating if needed) the database `db`, in WAL mode with full sync, and brings
    /// its schema up to date.
    pub fn open(db: &Db) -> Result<Self, StoreError> {
        let mut conn = db.connect(Access::ReadWrite)?;
        Self::configure(&conn)?;
        migrations::migrate(&mut conn)?;
        let head = read_head(&conn)?;
        Ok(SqliteStore { conn, head })
    }

    /// An in-memory database (for `verify`'s replay and for tests).
    pub fn open_in_memory() -> Result<Self, StoreError> {
        let mut conn = Connection::open_in_memory()?;
        migrations::migrate(&mut conn)?;
        let head = read_head(&conn)?;
        Ok(SqliteStore { conn, head })
    }

    fn configure(conn: &Connection) -> Result<(), StoreError> {
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        // 32 MiB of page cache (the default is 2 MiB): a group commit of election ballots
        // (tens of kilobytes each) outgrew the default and spilled to the WAL mid-transaction,
        // and every page read again is decrypted again.
        conn.pragma_update(None, "cache_size", -32_768)?;
        Ok(())
    }

    pub fn connection(&self) -> &Connection {
        &self.conn
    }
}

/// Journal rows selected as `seq, at, actor, body, prev_hash, hash`, decoded.
pub(crate) fn query_events(
    conn: &Connection,
    sql: &str,
    params: impl rusqlite::Params,
) -> Result<Vec<StoredEvent>, StoreError> {
    let mut st = conn.prepare_cached(sql)?;
    let mut rows = st.query(params)?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let seq = r.get::<_, i64>(0)? as u64;
        let body: String = r.get(3)?;
        let event = serde_json::from_str(&body).map_err(|e| StoreError::Corrupt {
            seq,
            reason: format!("event does not parse: {e}"),
        })?;
        out.push(StoredEvent {
            seq,
            at: r.get(1)?,
            actor: r.get(2)?,
            event,
            prev_hash: r.get(4)?,
            hash: r.get(5)?,
        });
    }
    Ok(out)
}

pub(crate) fn read_head(conn: &Connection) -> Result<JournalHead, StoreError> {
    Ok(conn
        .query_row(
            "SELECT seq, hash FROM journal ORDER BY seq DESC LIMIT 1",
            [],
            |r| {
                Ok(JournalHead {
                    seq: r.get::<_, i64>(0)? as u64,
                    hash: r.get(1)?,
                })
            },
        )
        .optional()?
        .unwrap_or_else(|| JournalHead {
            seq: 0,
            hash: GENESIS_HASH.to_string(),
        }))
}

impl JournalStore for SqliteStore {
    fn head(&self) -> &JournalHead {
        &self.head
    }

    fn load_state(&self) -> Result<CongressState, StoreError> {
        let mut s = projection::load(&self.conn)?;
        s.head = self.head.clone();
        Ok(s)
    }

    fn commit(&mut self, writes: &[Write]) -> Result<JournalHead, StoreError> {
        let tx = self.conn.transaction()?;
        let mut head = self.head.clone();
        for w in writes {
            match w {
                Write::Event { at, actor, event } => {
                    let seq = head.seq + 1;
                    let body = serde_json::to_string(event)?;
                    let hash = event_hash(&head.hash, seq, *at, actor, &body);
                    tx.prepare_cached(
                        "INSERT INTO journal (seq, at, actor, kind, body, prev_hash, hash)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                    )?
                    .execute(params![
                        seq as i64,
                        at,
                        actor,
                        event.kind(),
                        body,
                        head.hash,
                        hash
                    ])?;
                    projection::apply(&tx, seq, event)?;
                    head = JournalHead { seq, hash };
                }
                Write::Sealed(event) => projection::apply(&tx, head.seq, event)?,
                Write::Remember(r) => {
                    tx.prepare_cached(
                        "INSERT INTO idempotency (client_id, actor, request_hash, response)
                         VALUES (?1, ?2, ?3, ?4)",
                    )?
                    .execute(params![
                        r.client_id,
                        r.actor,
                        r.request_hash,
                        r.response
                    ])?;
                }
                Write::FaceEnrolment(f) => crate::biometrics::replace(&tx, f)?,
                Write::PurgeBiometrics => crate::biometrics::purge(&tx)?,
            }
        }
        tx.commit()?;
        self.head = head.clone();
        Ok(head)
    }

    fn remembered(&self, client_id: &str) -> Result<Option<Remembered>, StoreError> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT client_id, actor, request_hash, response FROM idempotency
                 WHERE client_id = ?1",
            )?
            .query_row([client_id], |r| {
                Ok(Remembered {
                    client_id: r.get(0)?,
                    actor: r.get(1)?,
                    request_hash: r.get(2)?,
                    response: r.get(3)?,
                })
            })
            .optional()?)
    }

    fn events_after(&self, after: u64, limit: usize) -> Result<Vec<StoredEvent>, StoreError> {
        query_events(
            &self.conn,
            "SELECT seq, at, actor, body, prev_hash, hash FROM journal
             WHERE seq > ?1 ORDER BY seq LIMIT ?2",
            params![after as i64, limit as i64],
        )
    }
}

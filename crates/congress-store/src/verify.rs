//! `verify`: checks the hash chain, then replays the journal into a fresh database and into a
//! fresh in-memory state, and compares both with what is stored.

use congress_domain::CongressState;
use rusqlite::Connection;

use crate::chain::{GENESIS_HASH, event_hash};
use crate::db::{Access, Db};
use crate::migrations::STATE_TABLES;
use crate::{SqliteStore, StoreError, projection};

/// What `verify` found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyReport {
    pub events: u64,
    pub head_hash: String,
    /// Empty when everything matches.
    pub problems: Vec<String>,
}

impl VerifyReport {
    pub fn ok(&self) -> bool {
        self.problems.is_empty()
    }
}

fn dump(conn: &Connection, table: &str) -> Result<Vec<Vec<String>>, StoreError> {
    // A database written before a later migration lacks that migration's tables: as empty.
    if !crate::projection::table_exists(conn, table)? {
        return Ok(Vec::new());
    }
    let mut st = conn.prepare(&format!("SELECT * FROM {table} ORDER BY 1"))?;
    let n = st.column_count();
    let mut rows = st.query([])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let mut row = Vec::with_capacity(n);
        for i in 0..n {
            let v: rusqlite::types::Value = r.get(i)?;
            row.push(format!("{v:?}"));
        }
        out.push(row);
    }
    Ok(out)
}

/// Rows as `verify` compares them. A sealed ballot's marks are compared by meaning: servers
/// before 2026-12 stored an election ballot's kept names in the order the tablet sent them while
/// the journal's sealed box holds them sorted, and both say the same.
fn comparable(table: &str, mut rows: Vec<Vec<String>>) -> Vec<Vec<String>> {
    if table == "vote_ballots_secret" {
        for row in &mut rows {
            if let Some(choice) = row.get_mut(2) {
                *choice = sorted_marks(choice);
            }
        }
        rows.sort();
    }
    if table == "vote_ballots_encrypted" {
        rows.sort();
    }
    rows
}

/// A stored ballot choice (`Text("{json}")` as `dump` prints it) with election names sorted.
fn sorted_marks(cell: &str) -> String {
    let json = cell
        .strip_prefix("Text(")
        .and_then(|c| c.strip_suffix(')'))
        .and_then(|c| serde_json::from_str::<String>(c).ok());
    let Some(mut choice) = json
        .as_deref()
        .and_then(|j| serde_json::from_str::<congress_domain::vote::BallotChoice>(j).ok())
    else {
        return cell.to_string();
    };
    if let congress_domain::vote::BallotChoice::Election { kept } = &mut choice {
        kept.sort();
    }
    serde_json::to_string(&choice).unwrap_or_else(|_| cell.to_string())
}

/// Verifies the database `db` (read-only; safe while the server runs).
pub fn verify(db: &Db) -> Result<VerifyReport, StoreError> {
    let conn = db.connect(Access::ReadOnly)?;
    // One read transaction so the journal and the tables are seen at the same moment.
    conn.execute_batch("BEGIN")?;
    let mut problems = Vec::new();
    let replay_db = SqliteStore::open_in_memory()?;
    let mut state = CongressState::default();
    let mut prev = GENESIS_HASH.to_string();
    let mut count = 0u64;
    {
        let mut st =
            conn.prepare("SELECT seq, at, actor, body, prev_hash, hash FROM journal ORDER BY seq")?;
        let mut rows = st.query([])?;
        let tx = replay_db.connection();
        while let Some(r) = rows.next()? {
            let seq = r.get::<_, i64>(0)? as u64;
            let at: i64 = r.get(1)?;
            let actor: String = r.get(2)?;
            let body: String = r.get(3)?;
            let prev_hash: String = r.get(4)?;
            let hash: String = r.get(5)?;
            count += 1;
            if seq != count {
                problems.push(format!("seq {seq} where {count} was expected (a gap)"));
            }
            if prev_hash != prev {
                problems.push(format!(
                    "seq {seq}: prev_hash does not match the event before"
                ));
            }
            let want = event_hash(&prev_hash, seq, at, &actor, &body);
            if want != hash {
                problems.push(format!(
                    "seq {seq}: hash does not match its content (tampered?)"
                ));
            }
            prev = hash;
            match serde_json::from_str(&body) {
                Ok(event) => {
                    projection::apply(tx, seq, &event)?;
                    state.apply(&event);
                }
                Err(e) => problems.push(format!("seq {seq}: event does not parse: {e}")),
            }
            if problems.len() > 50 {
                problems.push("too many problems; stopping".into());
                break;
            }
        }
    }
    // Sealed ballot boxes of open secret votes are not journalled yet (see `votes`).
    for e in crate::projection::votes::sealed_open(&conn)? {
        projection::apply(replay_db.connection(), 0, &e)?;
        state.apply(&e);
    }
    for table in STATE_TABLES {
        if comparable(table, dump(&conn, table)?)
            != comparable(table, dump(replay_db.connection(), table)?)
        {
            problems.push(format!(
                "table {table} differs from what replaying the journal gives"
            ));
        }
    }
    let stored = projection::load(&conn)?;
    state.head = stored.head.clone();
    if stored != state {
        problems.push("the stored state differs from the state the events rebuild".into());
    }
    conn.execute_batch("COMMIT")?;
    Ok(VerifyReport {
        events: count,
        head_hash: prev,
        problems,
    })
}

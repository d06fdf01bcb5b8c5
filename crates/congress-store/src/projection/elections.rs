//! Projection of elections (`congress_domain::elections`): nominations, withdrawals, the list, rounds, sign-offs: the feature's events in journal order (`elections_events`), replayed
//! into the state at load. Their other effects (a substitute added to the list, a tablet handed
//! over, a vote created) are other features' events with their own projections.

use congress_domain::{CongressState, ElectionEvent, Event};
use rusqlite::{Connection, params};

use crate::StoreError;

pub fn apply(conn: &Connection, seq: u64, event: &ElectionEvent) -> Result<(), StoreError> {
    conn.prepare_cached("INSERT INTO elections_events (seq, body) VALUES (?1, ?2)")?
        .execute(params![seq as i64, serde_json::to_string(event)?])?;
    Ok(())
}

/// Replays the feature's events into `s`.
pub fn load(conn: &Connection, s: &mut CongressState) -> Result<(), StoreError> {
    if !super::table_exists(conn, "elections_events")? {
        return Ok(()); // a database from before migration 7, read without migrating
    }
    let mut st = conn.prepare("SELECT body FROM elections_events ORDER BY seq")?;
    for body in st.query_map([], |r| r.get::<_, String>(0))? {
        let event: ElectionEvent = serde_json::from_str(&body?)?;
        s.apply(&Event::Elections(event));
    }
    Ok(())
}

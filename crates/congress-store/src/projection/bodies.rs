//! Projection of the bodies the congress elects (`congress_domain::bodies`): the feature's events in journal order (`bodies_events`), replayed
//! into the state at load. Their other effects (a substitute added to the list, a tablet handed
//! over, a vote created) are other features' events with their own projections.

use congress_domain::{BodiesEvent, CongressState, Event};
use rusqlite::{Connection, params};

use crate::StoreError;

pub fn apply(conn: &Connection, seq: u64, event: &BodiesEvent) -> Result<(), StoreError> {
    conn.prepare_cached("INSERT INTO bodies_events (seq, body) VALUES (?1, ?2)")?
        .execute(params![seq as i64, serde_json::to_string(event)?])?;
    Ok(())
}

/// Replays the feature's events into `s`.
pub fn load(conn: &Connection, s: &mut CongressState) -> Result<(), StoreError> {
    if !super::table_exists(conn, "bodies_events")? {
        return Ok(()); // a database from before migration 7, read without migrating
    }
    let mut st = conn.prepare("SELECT body FROM bodies_events ORDER BY seq")?;
    for body in st.query_map([], |r| r.get::<_, String>(0))? {
        let event: BodiesEvent = serde_json::from_str(&body?)?;
        s.apply(&Event::Bodies(event));
    }
    Ok(())
}

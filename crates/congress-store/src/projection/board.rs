//! Projection of the counting board's key ceremony (`congress_domain::board`): the events
//! themselves, in journal order (`board_events`), replayed into the board's state at load.

use congress_domain::{BoardEvent, CongressState, Event};
use rusqlite::{Connection, params};

use crate::StoreError;

pub fn apply(conn: &Connection, seq: u64, event: &BoardEvent) -> Result<(), StoreError> {
    conn.prepare_cached("INSERT INTO board_events (seq, body) VALUES (?1, ?2)")?
        .execute(params![seq as i64, serde_json::to_string(event)?])?;
    Ok(())
}

pub fn load(conn: &Connection, s: &mut CongressState) -> Result<(), StoreError> {
    if !super::table_exists(conn, "board_events")? {
        return Ok(()); // a database from before migration 7, read without migrating
    }
    let mut st = conn.prepare("SELECT body FROM board_events ORDER BY seq")?;
    for body in st.query_map([], |r| r.get::<_, String>(0))? {
        let event: BoardEvent = serde_json::from_str(&body?)?;
        s.apply(&Event::Board(event));
    }
    Ok(())
}

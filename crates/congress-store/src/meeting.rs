//! Projection of the meeting's events (`congress_domain::meeting`): the events themselves, in
//! journal order, replayed into the meeting state at load; a time plan edit also rewrites its
//! agenda item's row.

use congress_domain::{CongressState, Event};
use congress_proto::AgendaItem;
use rusqlite::{Connection, OptionalExtension, params};

use crate::StoreError;

pub fn apply(conn: &Connection, seq: u64, event: &Event) -> Result<(), StoreError> {
    conn.prepare_cached("INSERT INTO meeting_events (seq, body) VALUES (?1, ?2)")?
        .execute(params![seq as i64, serde_json::to_string(event)?])?;
    if let Event::ItemPlanned {
        item_id,
        planned_start,
        planned_minutes,
        ..
    } = event
    {
        let body: Option<String> = conn
            .query_row(
                "SELECT body FROM agenda_items WHERE id = ?1",
                [item_id],
                |r| r.get(0),
            )
            .optional()?;
        if let Some(body) = body {
            let mut item: AgendaItem = serde_json::from_str(&body)?;
            item.planned_start = planned_start.clone();
            item.planned_minutes = *planned_minutes;
            conn.execute(
                "UPDATE agenda_items SET body = ?2 WHERE id = ?1",
                params![item_id, serde_json::to_string(&item)?],
            )?;
        }
    }
    Ok(())
}

/// Replays the meeting's events into `s.meeting` (the agenda rows already hold the time plan).
pub fn load(conn: &Connection, s: &mut CongressState) -> Result<(), StoreError> {
    let mut st = conn.prepare("SELECT body FROM meeting_events ORDER BY seq")?;
    for body in st.query_map([], |r| r.get::<_, String>(0))? {
        let event: Event = serde_json::from_str(&body?)?;
        s.meeting.apply(&event);
    }
    Ok(())
}

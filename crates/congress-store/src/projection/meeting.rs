//! Projection of the meeting (`congress_domain::meeting`): the agenda (`agenda_items`,
//! `agenda_current`), and the meeting's log (`meeting_events`: every other meeting event, in
//! journal order, replayed into the meeting state at load). A time plan edit also rewrites its
//! agenda item's row; an item added, moved or renamed rewrites the agenda's rows.

use congress_domain::{CongressState, MeetingEvent};
use congress_proto::AgendaItem;
use rusqlite::{Connection, OptionalExtension, params};

use crate::StoreError;

pub fn apply(conn: &Connection, seq: u64, event: &MeetingEvent) -> Result<(), StoreError> {
    match event {
        MeetingEvent::AgendaDefined { items } => {
            conn.execute("DELETE FROM agenda_items", [])?;
            let mut st = conn
                .prepare_cached("INSERT INTO agenda_items (pos, id, body) VALUES (?1, ?2, ?3)")?;
            for (pos, item) in items.iter().enumerate() {
                st.execute(params![pos as i64, item.id, serde_json::to_string(item)?])?;
            }
            conn.execute(
                "UPDATE agenda_current SET item_id = NULL
                 WHERE item_id IS NOT NULL AND item_id NOT IN (SELECT id FROM agenda_items)",
                [],
            )?;
        }
        MeetingEvent::CurrentItemSet { item_id } => {
            conn.execute(
                "INSERT INTO agenda_current (id, item_id) VALUES (1, ?1)
                 ON CONFLICT (id) DO UPDATE SET item_id = excluded.item_id",
                [item_id],
            )?;
        }
        MeetingEvent::AgendaItemAdded { .. }
        | MeetingEvent::AgendaItemMoved { .. }
        | MeetingEvent::AgendaItemRenamed { .. } => {
            // Read the items, edit them as the domain does, and write them back in order.
            let mut items = read_items(conn)?;
            congress_domain::meeting::edit_agenda(&mut items, event);
            conn.execute("DELETE FROM agenda_items", [])?;
            let mut st = conn
                .prepare_cached("INSERT INTO agenda_items (pos, id, body) VALUES (?1, ?2, ?3)")?;
            for (pos, item) in items.iter().enumerate() {
                st.execute(params![pos as i64, item.id, serde_json::to_string(item)?])?;
            }
        }
        _ => log(conn, seq, event)?,
    }
    Ok(())
}

fn read_items(conn: &Connection) -> Result<Vec<AgendaItem>, StoreError> {
    let mut st = conn.prepare_cached("SELECT body FROM agenda_items ORDER BY pos")?;
    let mut items: Vec<AgendaItem> = Vec::new();
    for b in st.query_map([], |r| r.get::<_, String>(0))? {
        items.push(serde_json::from_str(&b?)?);
    }
    Ok(items)
}

fn log(conn: &Connection, seq: u64, event: &MeetingEvent) -> Result<(), StoreError> {
    conn.prepare_cached("INSERT INTO meeting_events (seq, body) VALUES (?1, ?2)")?
        .execute(params![seq as i64, serde_json::to_string(event)?])?;
    if let MeetingEvent::ItemPlanned {
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

/// Reads the agenda into `s`.
pub fn load_agenda(conn: &Connection, s: &mut CongressState) -> Result<(), StoreError> {
    {
        s.agenda.items = read_items(conn)?;
        s.agenda.current = conn
            .query_row("SELECT item_id FROM agenda_current WHERE id = 1", [], |r| {
                r.get(0)
            })
            .optional()?
            .flatten();
    }
    Ok(())
}

/// Replays the meeting's log into `s.meeting` (the agenda rows already hold the time plan).
pub fn load(conn: &Connection, s: &mut CongressState) -> Result<(), StoreError> {
    let mut st = conn.prepare("SELECT body FROM meeting_events ORDER BY seq")?;
    for body in st.query_map([], |r| r.get::<_, String>(0))? {
        let event: MeetingEvent = serde_json::from_str(&body?)?;
        s.meeting.apply(&event);
    }
    Ok(())
}

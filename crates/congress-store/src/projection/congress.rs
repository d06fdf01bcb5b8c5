//! Projection of the congress's definition (`congress`) and its delegate list (`delegates`).

use congress_domain::{CongressEvent, CongressState};
use congress_proto::{Delegate, Role};
use rusqlite::{Connection, OptionalExtension, params};

use crate::StoreError;

fn roles_text(roles: &[Role]) -> String {
    roles
        .iter()
        .map(|r| r.as_str())
        .collect::<Vec<_>>()
        .join(";")
}

fn roles_parse(s: &str) -> Vec<Role> {
    s.split(';').filter_map(Role::parse).collect()
}

pub fn apply(conn: &Connection, event: &CongressEvent) -> Result<(), StoreError> {
    match event {
        CongressEvent::CongressDefined { congress } => {
            conn.execute(
                "INSERT INTO congress (id, body) VALUES (1, ?1)
                 ON CONFLICT (id) DO UPDATE SET body = excluded.body",
                [serde_json::to_string(congress)?],
            )?;
        }
        CongressEvent::DelegatesImported { delegates } => {
            let mut st = conn.prepare_cached(
                "INSERT INTO delegates (id, full_name, unit, seat, grp, roles)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT (id) DO UPDATE SET full_name = excluded.full_name,
                   unit = excluded.unit, seat = excluded.seat, grp = excluded.grp,
                   roles = excluded.roles",
            )?;
            for d in delegates {
                st.execute(params![
                    d.id,
                    d.full_name,
                    d.unit,
                    d.seat,
                    d.group,
                    roles_text(&d.roles)
                ])?;
            }
        }
    }
    Ok(())
}

pub fn load(conn: &Connection, s: &mut CongressState) -> Result<(), StoreError> {
    if let Some(body) = conn
        .query_row("SELECT body FROM congress WHERE id = 1", [], |r| {
            r.get::<_, String>(0)
        })
        .optional()?
    {
        s.congress = Some(serde_json::from_str(&body)?);
    }
    let mut delegates = Vec::new();
    {
        let mut st = conn.prepare("SELECT id, full_name, unit, seat, grp, roles FROM delegates")?;
        let rows = st.query_map([], |r| {
            Ok(Delegate {
                id: r.get(0)?,
                full_name: r.get(1)?,
                unit: r.get(2)?,
                seat: r.get(3)?,
                group: r.get(4)?,
                roles: roles_parse(&r.get::<_, String>(5)?),
            })
        })?;
        for d in rows {
            delegates.push(d?);
        }
    }
    s.apply(&CongressEvent::DelegatesImported { delegates }.into());
    Ok(())
}

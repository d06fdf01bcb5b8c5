//! Projection of discussion groups: secretaries, opinions and summaries (bodies as JSON beside
//! their keys).

use congress_domain::{CongressState, GroupEvent};
use congress_proto::{GroupSummary, Opinion};
use rusqlite::{Connection, params};

use crate::StoreError;

pub fn apply(conn: &Connection, event: &GroupEvent) -> Result<(), StoreError> {
    match event {
        GroupEvent::GroupSecretarySet { group, delegate_id } => match delegate_id {
            Some(d) => {
                conn.execute(
                    "INSERT INTO group_secretaries (grp, delegate_id) VALUES (?1, ?2)
                     ON CONFLICT (grp) DO UPDATE SET delegate_id = excluded.delegate_id",
                    params![group, d],
                )?;
            }
            None => {
                conn.execute("DELETE FROM group_secretaries WHERE grp = ?1", [group])?;
            }
        },
        GroupEvent::OpinionSaved { opinion } => {
            conn.prepare_cached(
                "INSERT INTO group_opinions (item_id, delegate_id, body) VALUES (?1, ?2, ?3)
                 ON CONFLICT (item_id, delegate_id) DO UPDATE SET body = excluded.body",
            )?
            .execute(params![
                opinion.item_id,
                opinion.delegate_id,
                serde_json::to_string(opinion)?
            ])?;
        }
        GroupEvent::GroupSummarySaved { summary }
        | GroupEvent::GroupSummarySubmitted { summary } => {
            conn.prepare_cached(
                "INSERT INTO group_summaries (grp, item_id, body) VALUES (?1, ?2, ?3)
                 ON CONFLICT (grp, item_id) DO UPDATE SET body = excluded.body",
            )?
            .execute(params![
                summary.group,
                summary.item_id,
                serde_json::to_string(summary)?
            ])?;
        }
    }
    Ok(())
}

/// Reads the groups into `s`.
pub fn load(conn: &Connection, s: &mut CongressState) -> Result<(), StoreError> {
    let mut st = conn.prepare("SELECT grp, delegate_id FROM group_secretaries")?;
    let mut rows = st.query([])?;
    while let Some(r) = rows.next()? {
        s.apply(
            &GroupEvent::GroupSecretarySet {
                group: r.get(0)?,
                delegate_id: Some(r.get(1)?),
            }
            .into(),
        );
    }
    let mut st = conn.prepare("SELECT body FROM group_opinions")?;
    let mut rows = st.query([])?;
    while let Some(r) = rows.next()? {
        let opinion: Opinion = serde_json::from_str(&r.get::<_, String>(0)?)?;
        s.apply(&GroupEvent::OpinionSaved { opinion }.into());
    }
    let mut st = conn.prepare("SELECT body FROM group_summaries")?;
    let mut rows = st.query([])?;
    while let Some(r) = rows.next()? {
        let summary: GroupSummary = serde_json::from_str(&r.get::<_, String>(0)?)?;
        s.apply(&GroupEvent::GroupSummarySaved { summary }.into());
    }
    Ok(())
}

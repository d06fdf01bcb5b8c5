//! Projection of notices (with read receipts) and discussion groups (secretaries, opinions,
//! summaries). Bodies are stored as JSON beside their keys.

use congress_domain::{CongressState, Event};
use congress_proto::{GroupSummary, Notice, NoticeReceipt, Opinion};
use rusqlite::{Connection, params};

use crate::StoreError;

pub fn apply(conn: &Connection, event: &Event) -> Result<(), StoreError> {
    match event {
        Event::NoticeSent { notice } => {
            conn.execute(
                "INSERT INTO notices (id, body) VALUES (?1, ?2)",
                params![notice.id as i64, serde_json::to_string(notice)?],
            )?;
        }
        Event::NoticeRead { receipt } => {
            conn.prepare_cached(
                "INSERT OR IGNORE INTO notice_reads (notice_id, delegate_id, at) VALUES (?1, ?2, ?3)",
            )?
            .execute(params![
                receipt.notice_id as i64,
                receipt.delegate_id,
                receipt.at
            ])?;
        }
        Event::GroupSecretarySet { group, delegate_id } => match delegate_id {
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
        Event::OpinionSaved { opinion } => {
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
        Event::GroupSummarySaved { summary } | Event::GroupSummarySubmitted { summary } => {
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
        _ => {}
    }
    Ok(())
}

/// Reads notices and groups into `s`.
pub fn load(conn: &Connection, s: &mut CongressState) -> Result<(), StoreError> {
    let mut st = conn.prepare("SELECT body FROM notices ORDER BY id")?;
    let mut rows = st.query([])?;
    while let Some(r) = rows.next()? {
        let notice: Notice = serde_json::from_str(&r.get::<_, String>(0)?)?;
        s.apply(&Event::NoticeSent { notice });
    }
    let mut st = conn.prepare("SELECT notice_id, delegate_id, at FROM notice_reads")?;
    let mut rows = st.query([])?;
    while let Some(r) = rows.next()? {
        s.apply(&Event::NoticeRead {
            receipt: NoticeReceipt {
                notice_id: r.get::<_, i64>(0)? as u64,
                delegate_id: r.get(1)?,
                at: r.get(2)?,
            },
        });
    }
    let mut st = conn.prepare("SELECT grp, delegate_id FROM group_secretaries")?;
    let mut rows = st.query([])?;
    while let Some(r) = rows.next()? {
        s.apply(&Event::GroupSecretarySet {
            group: r.get(0)?,
            delegate_id: Some(r.get(1)?),
        });
    }
    let mut st = conn.prepare("SELECT body FROM group_opinions")?;
    let mut rows = st.query([])?;
    while let Some(r) = rows.next()? {
        let opinion: Opinion = serde_json::from_str(&r.get::<_, String>(0)?)?;
        s.apply(&Event::OpinionSaved { opinion });
    }
    let mut st = conn.prepare("SELECT body FROM group_summaries")?;
    let mut rows = st.query([])?;
    while let Some(r) = rows.next()? {
        let summary: GroupSummary = serde_json::from_str(&r.get::<_, String>(0)?)?;
        s.apply(&Event::GroupSummarySaved { summary });
    }
    Ok(())
}

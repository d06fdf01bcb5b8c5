//! Projection of notices (`notices`, bodies as JSON) and their read receipts (`notice_reads`).

use congress_domain::{CongressState, NoticeEvent};
use congress_proto::{Notice, NoticeReceipt};
use rusqlite::{Connection, params};

use crate::StoreError;

pub fn apply(conn: &Connection, event: &NoticeEvent) -> Result<(), StoreError> {
    match event {
        NoticeEvent::NoticeSent { notice } => {
            conn.execute(
                "INSERT INTO notices (id, body) VALUES (?1, ?2)",
                params![notice.id as i64, serde_json::to_string(notice)?],
            )?;
        }
        NoticeEvent::NoticeRead { receipt } => {
            conn.prepare_cached(
                "INSERT OR IGNORE INTO notice_reads (notice_id, delegate_id, at) VALUES (?1, ?2, ?3)",
            )?
            .execute(params![
                receipt.notice_id as i64,
                receipt.delegate_id,
                receipt.at
            ])?;
        }
    }
    Ok(())
}

/// Reads the notices and receipts into `s`.
pub fn load(conn: &Connection, s: &mut CongressState) -> Result<(), StoreError> {
    let mut st = conn.prepare("SELECT body FROM notices ORDER BY id")?;
    let mut rows = st.query([])?;
    while let Some(r) = rows.next()? {
        let notice: Notice = serde_json::from_str(&r.get::<_, String>(0)?)?;
        s.apply(&NoticeEvent::NoticeSent { notice }.into());
    }
    let mut st = conn.prepare("SELECT notice_id, delegate_id, at FROM notice_reads")?;
    let mut rows = st.query([])?;
    while let Some(r) = rows.next()? {
        s.apply(
            &NoticeEvent::NoticeRead {
                receipt: NoticeReceipt {
                    notice_id: r.get::<_, i64>(0)? as u64,
                    delegate_id: r.get(1)?,
                    at: r.get(2)?,
                },
            }
            .into(),
        );
    }
    Ok(())
}

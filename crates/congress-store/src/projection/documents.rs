//! Projection of the document events: `documents` (one JSON body per document, versions
//! included) and `document_fetches`. The search index (`doc_search_*`) is not a projection
//! of the journal: the server's documents writer fills it from the uploaded files.

use congress_domain::DocumentEvent;
use congress_domain::documents::DocsState;
use congress_proto::Document;
use rusqlite::{Connection, OptionalExtension, params};

use crate::StoreError;

pub fn apply(conn: &Connection, event: &DocumentEvent) -> Result<(), StoreError> {
    if let DocumentEvent::DocumentFetched { fetch } = event {
        conn.prepare_cached(
            "INSERT OR IGNORE INTO document_fetches (document_id, version, device_id, at)
             VALUES (?1, ?2, ?3, ?4)",
        )?
        .execute(params![
            fetch.document_id,
            fetch.version,
            fetch.device_id,
            fetch.at
        ])?;
        return Ok(());
    }
    if let DocumentEvent::DocumentsPurged { versions, .. } = event {
        let mut ids: Vec<i64> = versions.iter().map(|(d, _)| *d).collect();
        ids.dedup();
        for id in ids {
            apply_to(conn, id, event)?;
        }
        return Ok(());
    }
    let Some(id) = event.document_id() else {
        return Ok(());
    };
    apply_to(conn, id, event)
}

/// Applies `event` to the stored body of document `id`.
fn apply_to(conn: &Connection, id: i64, event: &DocumentEvent) -> Result<(), StoreError> {
    let mut docs = DocsState::default();
    if let Some(body) = conn
        .query_row("SELECT body FROM documents WHERE id = ?1", [id], |r| {
            r.get::<_, String>(0)
        })
        .optional()?
    {
        docs.documents.insert(id, serde_json::from_str(&body)?);
    }
    docs.apply(event);
    if let Some(doc) = docs.documents.get(&id) {
        conn.execute(
            "INSERT INTO documents (id, body) VALUES (?1, ?2)
             ON CONFLICT (id) DO UPDATE SET body = excluded.body",
            params![id, serde_json::to_string(doc)?],
        )?;
    }
    Ok(())
}

pub fn load(conn: &Connection, docs: &mut DocsState) -> Result<(), StoreError> {
    let mut st = conn.prepare("SELECT body FROM documents ORDER BY id")?;
    let rows = st.query_map([], |r| r.get::<_, String>(0))?;
    for body in rows {
        let d: Document = serde_json::from_str(&body?)?;
        docs.documents.insert(d.id, d);
    }
    let mut st =
        conn.prepare("SELECT document_id, version, device_id, at FROM document_fetches")?;
    let rows = st.query_map([], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, u32>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, i64>(3)?,
        ))
    })?;
    for row in rows {
        let (d, v, dev, at) = row?;
        docs.fetches.insert((d, v, dev), at);
    }
    Ok(())
}

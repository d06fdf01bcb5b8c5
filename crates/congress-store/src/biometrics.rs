//! Face enrolments: embeddings and photo thumbnails. Biometric data is deliberately kept out of
//! the hash-chained journal (which can never be edited) so that `purge-biometrics` can really
//! delete it; the journal records each enrolment (`FaceEnrolled`, with a SHA-256 of the
//! embeddings) and the purge (`BiometricsPurged`). The rows are written in the same transaction
//! as those events.

use rusqlite::{Connection, params};

use crate::StoreError;
use crate::sqlite::SqliteStore;

/// One delegate's enrolment: one or more embeddings (little-endian `f32`) and a thumbnail.
#[derive(Debug, Clone, PartialEq)]
pub struct FaceEnrolment {
    pub delegate_id: String,
    pub embeddings: Vec<Vec<u8>>,
    /// Small JPEG for the console.
    pub photo_thumb: Option<Vec<u8>>,
    /// `import` or `desk:<operator>`.
    pub source: String,
    pub at: i64,
}

pub(crate) fn replace(conn: &Connection, f: &FaceEnrolment) -> Result<(), StoreError> {
    conn.execute(
        "DELETE FROM face_enrolments WHERE delegate_id = ?1",
        [&f.delegate_id],
    )?;
    let mut st = conn.prepare_cached(
        "INSERT INTO face_enrolments (delegate_id, embedding, photo_thumb, source, at)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    for (i, e) in f.embeddings.iter().enumerate() {
        // the thumbnail is stored once, with the first embedding
        let thumb = if i == 0 {
            f.photo_thumb.as_deref()
        } else {
            None
        };
        st.execute(params![f.delegate_id, e, thumb, f.source, f.at])?;
    }
    Ok(())
}

pub(crate) fn purge(conn: &Connection) -> Result<(), StoreError> {
    conn.execute("DELETE FROM face_enrolments", [])?;
    Ok(())
}

impl SqliteStore {
    /// Every enrolment, grouped by delegate (for the gallery at startup).
    pub fn face_enrolments(&self) -> Result<Vec<FaceEnrolment>, StoreError> {
        let mut st = self.connection().prepare(
            "SELECT delegate_id, embedding, photo_thumb, source, at FROM face_enrolments
             ORDER BY delegate_id, id",
        )?;
        let rows = st.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, Vec<u8>>(1)?,
                r.get::<_, Option<Vec<u8>>>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, i64>(4)?,
            ))
        })?;
        let mut out: Vec<FaceEnrolment> = Vec::new();
        for row in rows {
            let (delegate_id, emb, thumb, source, at) = row?;
            match out.last_mut() {
                Some(last) if last.delegate_id == delegate_id => {
                    last.embeddings.push(emb);
                    if last.photo_thumb.is_none() {
                        last.photo_thumb = thumb;
                    }
                }
                _ => out.push(FaceEnrolment {
                    delegate_id,
                    embeddings: vec![emb],
                    photo_thumb: thumb,
                    source,
                    at,
                }),
            }
        }
        Ok(out)
    }

    /// Number of enrolment rows (for purge reports).
    pub fn face_enrolment_count(&self) -> Result<u32, StoreError> {
        Ok(self.connection().query_row(
            "SELECT COUNT(DISTINCT delegate_id) FROM face_enrolments",
            [],
            |r| r.get::<_, i64>(0),
        )? as u32)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::{JournalStore, Write};

    #[test]
    fn enrol_replace_and_purge() {
        let mut s = SqliteStore::open_in_memory().unwrap();
        let f = |id: &str, n: usize| FaceEnrolment {
            delegate_id: id.into(),
            embeddings: vec![vec![1, 2, 3, 4]; n],
            photo_thumb: Some(vec![9]),
            source: "import".into(),
            at: 5,
        };
        s.commit(&[
            Write::FaceEnrolment(f("D1", 2)),
            Write::FaceEnrolment(f("D2", 1)),
        ])
        .unwrap();
        s.commit(&[Write::FaceEnrolment(f("D1", 3))]).unwrap();
        let all = s.face_enrolments().unwrap();
        assert_eq!(all.len(), 2);
        assert_eq!(all[0].embeddings.len(), 3);
        assert_eq!(all[0].photo_thumb, Some(vec![9]));
        assert_eq!(s.face_enrolment_count().unwrap(), 2);
        s.commit(&[Write::PurgeBiometrics]).unwrap();
        assert!(s.face_enrolments().unwrap().is_empty());
    }
}

//! Projection of attendance (`attendance`: each delegate's latest record, in journal order).
//! Face enrolments change no table here: their rows are written by `Write::FaceEnrolment` and
//! `Write::PurgeBiometrics` in the same transaction (see `crate::biometrics`).

use congress_domain::{AttendanceEvent, CongressState};
use congress_proto::AttendanceRecord;
use rusqlite::{Connection, params};

use crate::StoreError;

pub fn apply(conn: &Connection, seq: u64, event: &AttendanceEvent) -> Result<(), StoreError> {
    match event {
        AttendanceEvent::AttendanceChanged { record } => {
            conn.prepare_cached(
                "INSERT INTO attendance (delegate_id, status, at, source, reason, seq)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT (delegate_id) DO UPDATE SET status = excluded.status,
                   at = excluded.at, source = excluded.source, reason = excluded.reason,
                   seq = excluded.seq",
            )?
            .execute(params![
                record.delegate_id,
                record.status.as_str(),
                record.at,
                serde_json::to_string(&record.source)?,
                record.reason,
                seq as i64
            ])?;
        }
        AttendanceEvent::FaceEnrolled { .. } | AttendanceEvent::BiometricsPurged { .. } => {}
    }
    Ok(())
}

pub fn load(conn: &Connection, s: &mut CongressState) -> Result<(), StoreError> {
    {
        let mut st = conn.prepare(
            "SELECT delegate_id, status, at, source, reason FROM attendance ORDER BY seq",
        )?;
        let mut rows = st.query([])?;
        while let Some(r) = rows.next()? {
            let status: String = r.get(1)?;
            let record = AttendanceRecord {
                delegate_id: r.get(0)?,
                status: serde_json::from_value(serde_json::Value::String(status))?,
                at: r.get(2)?,
                source: serde_json::from_str(&r.get::<_, String>(3)?)?,
                reason: r.get(4)?,
            };
            s.apply(&AttendanceEvent::AttendanceChanged { record }.into());
        }
    }
    Ok(())
}

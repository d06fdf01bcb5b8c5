//! Devices' witness heads (issue 13, finding 16): `POST /api/journal/witness` checks the journal
//! heads a device saw against the journal, and on any mismatch warns in the log and raises a
//! `security_alarm` (`journal_rewritten`) on the consoles. The comparison and the query are the
//! store's (`congress_store::witness`); this module owns the request's limits and the alarm
//! (at most one per caller a minute, so a device posting made-up hashes cannot flood the
//! consoles or the log; every answer still says which heads do not match).

use std::collections::HashMap;
use std::sync::Mutex;

use congress_proto::{JournalHead, ServerMsg, WitnessAnswer};
use congress_store::witness::{self, MAX_WITNESS_HEADS};

use crate::error::AppError;
use crate::{AppState, hub};

/// Alarms are repeated for one caller at most this often.
const ALARM_EVERY_MS: i64 = 60_000;

/// When each caller last raised a `journal_rewritten` alarm.
#[derive(Debug, Default)]
pub struct AlarmThrottle {
    last: Mutex<HashMap<String, i64>>,
}

impl AlarmThrottle {
    /// Whether `actor` may raise an alarm at `now` (and if so, records it).
    pub fn allow(&self, actor: &str, now: i64) -> bool {
        let mut last = self.last.lock().unwrap_or_else(|e| e.into_inner());
        if last.len() > 4096 {
            last.retain(|_, at| now - *at < ALARM_EVERY_MS);
        }
        match last.get(actor) {
            Some(at) if now - *at < ALARM_EVERY_MS => false,
            _ => {
                last.insert(actor.to_string(), now);
                true
            }
        }
    }
}

/// Checks `heads` (seen by `actor`) against the journal.
pub async fn check(
    app: &AppState,
    actor: &str,
    heads: Vec<JournalHead>,
) -> Result<WitnessAnswer, AppError> {
    if heads.len() > MAX_WITNESS_HEADS {
        return Err(AppError::BadRequest(format!(
            "at most {MAX_WITNESS_HEADS} heads at a time ({} sent)",
            heads.len()
        )));
    }
    witness::check_heads(&heads).map_err(|e| AppError::BadRequest(e.to_string()))?;
    let db = app.keys.db.clone();
    let report = tokio::task::spawn_blocking(move || witness::verify_witness(&db, &heads))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))??;
    if !report.ok() && app.witness_alarms.allow(actor, app.engine.now()) {
        let message = format!(
            "{actor} holds journal heads the journal no longer has: {}",
            report.problems.join("; ")
        );
        tracing::warn!(actor, problems = ?report.problems, "journal_rewritten: a witness head does not match");
        let msg = ServerMsg::SecurityAlarm {
            alarm: congress_proto::SecurityAlarm {
                kind: "journal_rewritten".into(),
                message,
                at: app.engine.now(),
            },
        };
        app.engine
            .hub
            .publish_live(vec![hub::Frame::live_msg(hub::Audience::Consoles, &msg)]);
    }
    Ok(WitnessAnswer {
        ok: report.ok(),
        heads: report.heads,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_alarm_per_caller_a_minute() {
        let t = AlarmThrottle::default();
        assert!(t.allow("device:a", 0));
        assert!(!t.allow("device:a", 59_999));
        assert!(t.allow("device:b", 1));
        assert!(t.allow("device:a", 60_000));
    }
}

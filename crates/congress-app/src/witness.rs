//! Devices' witness heads (issue 13, finding 16): `POST /api/journal/witness` checks the journal
//! heads a device saw against the journal, and on any mismatch warns in the log and raises a
//! `security_alarm` (`journal_rewritten`) on the consoles. The comparison and the query are the
//! store's (`congress_store::witness`); this module owns the request's limits and the alarm.

use congress_proto::{JournalHead, ServerMsg, WitnessAnswer};
use congress_store::witness::{self, MAX_WITNESS_HEADS};

use crate::error::AppError;
use crate::{AppState, hub};

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
    if !report.ok() {
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

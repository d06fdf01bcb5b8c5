//! Projection of the vote events (see `congress_domain::vote::lifecycle` for secrecy).

use congress_domain::vote::VoteSpec;
use congress_domain::vote::lifecycle::VotePhase;
use congress_domain::{CongressState, Event, VoteEvent};
use rusqlite::{Connection, params};

use crate::StoreError;

pub fn apply(conn: &Connection, seq: u64, event: &VoteEvent) -> Result<(), StoreError> {
    match event {
        VoteEvent::VoteCreated { spec, duration_s } => {
            conn.execute(
                "INSERT INTO votes (id, spec, duration_s, phase, result) VALUES (?1, ?2, ?3, ?4, NULL)",
                params![
                    spec.id.0 as i64,
                    serde_json::to_string(spec)?,
                    duration_s,
                    serde_json::to_string(&VotePhase::Draft)?
                ],
            )?;
        }
        VoteEvent::VoteOpened {
            vote_id,
            at,
            closes_at,
        } => {
            let phase = VotePhase::Open {
                opened_at: *at,
                closes_at: *closes_at,
            };
            conn.execute(
                "UPDATE votes SET phase = ?2 WHERE id = ?1",
                params![*vote_id as i64, serde_json::to_string(&phase)?],
            )?;
        }
        VoteEvent::VoteClosed {
            vote_id,
            at,
            result,
            sealed,
        } => {
            let mut st = conn.prepare_cached(
                "INSERT OR IGNORE INTO vote_ballots_secret (vote_id, receipt, choice)
                 VALUES (?1, ?2, ?3)",
            )?;
            for (receipt, choice) in sealed {
                st.execute(params![
                    *vote_id as i64,
                    receipt,
                    serde_json::to_string(choice)?
                ])?;
            }
            let phase = closed_phase(conn, *vote_id, *at)?;
            conn.execute(
                "UPDATE votes SET phase = ?2, result = ?3 WHERE id = ?1",
                params![
                    *vote_id as i64,
                    serde_json::to_string(&phase)?,
                    serde_json::to_string(result)?
                ],
            )?;
        }
        VoteEvent::BallotCast {
            vote_id,
            delegate_id,
            receipt,
            choice,
        } => {
            conn.prepare_cached(
                "INSERT INTO vote_ballots_open (vote_id, delegate_id, receipt, choice)
                 VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (vote_id, delegate_id) DO UPDATE SET receipt = excluded.receipt,
                   choice = excluded.choice",
            )?
            .execute(params![
                *vote_id as i64,
                delegate_id,
                receipt,
                serde_json::to_string(choice)?
            ])?;
        }
        VoteEvent::VoteParticipated {
            vote_id,
            delegate_id,
            id_hash,
            check_hash,
        } => {
            conn.prepare_cached(
                "INSERT INTO vote_participation (vote_id, delegate_id, id_hash, check_hash)
                 VALUES (?1, ?2, ?3, ?4)",
            )?
            .execute(params![*vote_id as i64, delegate_id, id_hash, check_hash])?;
        }
        VoteEvent::SecretBallotCast {
            vote_id,
            receipt,
            choice,
        } => {
            conn.prepare_cached(
                "INSERT INTO vote_ballots_secret (vote_id, receipt, choice) VALUES (?1, ?2, ?3)",
            )?
            .execute(params![
                *vote_id as i64,
                receipt,
                serde_json::to_string(choice)?
            ])?;
        }
        VoteEvent::EncryptedBallotCast {
            vote_id,
            delegate_id,
            tracker,
            ballot,
        } => {
            conn.prepare_cached(
                "INSERT INTO vote_ballots_encrypted (vote_id, tracker, delegate_id, ballot, rejected)
                 VALUES (?1, ?2, ?3, ?4, NULL)",
            )?
            .execute(params![
                *vote_id as i64,
                tracker,
                delegate_id,
                serde_json::to_value(ballot)?.as_str().unwrap_or_default()
            ])?;
        }
        VoteEvent::EncryptedBallotRejected {
            vote_id,
            tracker,
            reason,
        } => reject(conn, *vote_id, tracker, reason)?,
        VoteEvent::EncryptedVoteClosed { vote_id, at, .. } => {
            let phase = closed_phase(conn, *vote_id, *at)?;
            conn.execute(
                "UPDATE votes SET phase = ?2 WHERE id = ?1",
                params![*vote_id as i64, serde_json::to_string(&phase)?],
            )?;
            log(conn, seq, *vote_id, event)?;
        }
        VoteEvent::EncryptedTallyRecorded {
            vote_id, rejected, ..
        } => {
            for r in rejected {
                reject(conn, *vote_id, &r.tracker, &r.reason)?;
            }
            log(conn, seq, *vote_id, event)?;
        }
        VoteEvent::PartialDecryptionAccepted { vote_id, .. } => log(conn, seq, *vote_id, event)?,
        VoteEvent::EncryptedResultDeclared {
            vote_id, result, ..
        } => {
            conn.execute(
                "UPDATE votes SET result = ?2 WHERE id = ?1",
                params![*vote_id as i64, serde_json::to_string(result)?],
            )?;
            log(conn, seq, *vote_id, event)?;
        }
    }
    Ok(())
}

/// The closed phase of a vote at `at`, keeping when it opened.
fn closed_phase(conn: &Connection, vote_id: u64, at: i64) -> Result<VotePhase, StoreError> {
    let phase: String = conn.query_row(
        "SELECT phase FROM votes WHERE id = ?1",
        [vote_id as i64],
        |r| r.get(0),
    )?;
    let opened_at = match serde_json::from_str::<VotePhase>(&phase)? {
        VotePhase::Open { opened_at, .. } | VotePhase::Closed { opened_at, .. } => opened_at,
        VotePhase::Draft => at,
    };
    Ok(VotePhase::Closed {
        opened_at,
        closed_at: at,
    })
}

fn reject(conn: &Connection, vote_id: u64, tracker: &str, reason: &str) -> Result<(), StoreError> {
    conn.prepare_cached(
        "UPDATE vote_ballots_encrypted SET rejected = ?3 WHERE vote_id = ?1 AND tracker = ?2",
    )?
    .execute(params![vote_id as i64, tracker, reason])?;
    Ok(())
}

/// An encrypted vote's close, tally, partial decryptions and result, in journal order.
fn log(conn: &Connection, seq: u64, vote_id: u64, event: &VoteEvent) -> Result<(), StoreError> {
    conn.prepare_cached(
        "INSERT INTO vote_encrypted_events (seq, vote_id, body) VALUES (?1, ?2, ?3)",
    )?
    .execute(params![
        seq as i64,
        vote_id as i64,
        serde_json::to_string(event)?
    ])?;
    Ok(())
}

/// The ballots of an encrypted vote that were not rejected: (tracker, bytes), by tracker.
pub fn encrypted_ballots(
    conn: &Connection,
    vote_id: u64,
) -> Result<Vec<(String, Vec<u8>)>, StoreError> {
    let mut st = conn.prepare_cached(
        "SELECT tracker, ballot FROM vote_ballots_encrypted
         WHERE vote_id = ?1 AND rejected IS NULL ORDER BY tracker",
    )?;
    let rows = st.query_map([vote_id as i64], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (tracker, b64) = row?;
        let ballot: congress_ballot::B64 = serde_json::from_value(serde_json::Value::String(b64))?;
        out.push((tracker, ballot.0));
    }
    Ok(out)
}

/// Reads the votes into `s` (after attendance, delegates etc.).
pub fn load(conn: &Connection, s: &mut CongressState) -> Result<(), StoreError> {
    let mut st =
        conn.prepare("SELECT id, spec, duration_s, phase, result FROM votes ORDER BY id")?;
    let mut rows = st.query([])?;
    while let Some(r) = rows.next()? {
        let id: i64 = r.get(0)?;
        let spec: VoteSpec = serde_json::from_str(&r.get::<_, String>(1)?)?;
        let duration_s: Option<u32> = r.get(2)?;
        s.apply(&VoteEvent::VoteCreated { spec, duration_s }.into());
        let phase: VotePhase = serde_json::from_str(&r.get::<_, String>(3)?)?;
        let result: Option<String> = r.get(4)?;
        if let Some(v) = s.votes.get_mut(&(id as u64)) {
            v.phase = phase;
            if let Some(res) = result {
                v.result = Some(serde_json::from_str(&res)?);
            }
        }
    }
    let mut st = conn.prepare(
        "SELECT vote_id, delegate_id, receipt, choice FROM vote_ballots_open ORDER BY vote_id",
    )?;
    let mut rows = st.query([])?;
    while let Some(r) = rows.next()? {
        s.apply(
            &VoteEvent::BallotCast {
                vote_id: r.get::<_, i64>(0)? as u64,
                delegate_id: r.get(1)?,
                receipt: r.get(2)?,
                choice: serde_json::from_str(&r.get::<_, String>(3)?)?,
            }
            .into(),
        );
    }
    let mut st = conn.prepare("SELECT vote_id, receipt, choice FROM vote_ballots_secret")?;
    let mut rows = st.query([])?;
    while let Some(r) = rows.next()? {
        s.apply(
            &VoteEvent::SecretBallotCast {
                vote_id: r.get::<_, i64>(0)? as u64,
                receipt: r.get(1)?,
                choice: serde_json::from_str(&r.get::<_, String>(2)?)?,
            }
            .into(),
        );
    }
    let mut st =
        conn.prepare("SELECT vote_id, delegate_id, id_hash, check_hash FROM vote_participation")?;
    let mut rows = st.query([])?;
    while let Some(r) = rows.next()? {
        s.apply(
            &VoteEvent::VoteParticipated {
                vote_id: r.get::<_, i64>(0)? as u64,
                delegate_id: r.get(1)?,
                id_hash: r.get(2)?,
                check_hash: r.get(3)?,
            }
            .into(),
        );
    }
    Ok(())
}

/// Reads the encrypted votes' ballots and events into `s` (after the votes).
pub fn load_encrypted(conn: &Connection, s: &mut CongressState) -> Result<(), StoreError> {
    if !super::table_exists(conn, "vote_ballots_encrypted")? {
        return Ok(()); // a database from before migration 7, read without migrating
    }
    let mut st =
        conn.prepare("SELECT vote_id, tracker, delegate_id, rejected FROM vote_ballots_encrypted")?;
    let mut rows = st.query([])?;
    while let Some(r) = rows.next()? {
        let vote_id = r.get::<_, i64>(0)? as u64;
        let tracker: String = r.get(1)?;
        let delegate_id: String = r.get(2)?;
        let rejected: Option<String> = r.get(3)?;
        if let Some(e) = s.votes.get_mut(&vote_id).and_then(|v| v.encrypted.as_mut()) {
            match rejected {
                Some(reason) => {
                    e.rejected_from.insert(tracker.clone(), delegate_id);
                    e.rejected.insert(tracker, reason);
                }
                None => {
                    e.ballots.insert(
                        tracker,
                        congress_domain::vote::encrypted::EncryptedBallot { delegate_id },
                    );
                }
            }
        }
    }
    let mut st = conn.prepare("SELECT body FROM vote_encrypted_events ORDER BY seq")?;
    for body in st.query_map([], |r| r.get::<_, String>(0))? {
        let event: VoteEvent = serde_json::from_str(&body?)?;
        s.apply(&Event::Votes(event));
    }
    Ok(())
}

/// The sealed ballots of secret votes that are not closed yet: in the tables (committed with
/// their participation) but not in the journal until the close. `verify` adds them to the
/// replay before comparing.
pub fn sealed_open(conn: &Connection) -> Result<Vec<Event>, StoreError> {
    let mut st = conn.prepare(
        "SELECT b.vote_id, b.receipt, b.choice FROM vote_ballots_secret b
         JOIN votes v ON v.id = b.vote_id WHERE v.result IS NULL ORDER BY b.vote_id, b.receipt",
    )?;
    let mut rows = st.query([])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        out.push(
            VoteEvent::SecretBallotCast {
                vote_id: r.get::<_, i64>(0)? as u64,
                receipt: r.get(1)?,
                choice: serde_json::from_str(&r.get::<_, String>(2)?)?,
            }
            .into(),
        );
    }
    Ok(out)
}

//! Projection of the vote events (see `congress_domain::vote::lifecycle` for secrecy).

use congress_domain::vote::VoteSpec;
use congress_domain::vote::lifecycle::VotePhase;
use congress_domain::{CongressState, Event, VoteEvent};
use rusqlite::{Connection, params};

use crate::StoreError;

pub fn apply(conn: &Connection, event: &VoteEvent) -> Result<(), StoreError> {
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
            let phase: String = conn.query_row(
                "SELECT phase FROM votes WHERE id = ?1",
                [*vote_id as i64],
                |r| r.get(0),
            )?;
            let opened_at = match serde_json::from_str::<VotePhase>(&phase)? {
                VotePhase::Open { opened_at, .. } | VotePhase::Closed { opened_at, .. } => {
                    opened_at
                }
                VotePhase::Draft => *at,
            };
            let phase = VotePhase::Closed {
                opened_at,
                closed_at: *at,
            };
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
    }
    Ok(())
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

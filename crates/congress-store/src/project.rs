//! Projections: how each event changes the state tables, and how the state is read back from
//! them. `apply` here and `CongressState::apply` must agree; `verify` checks that they do.

use congress_domain::state::{Operator, PairedDevice, PendingPairing, Session};
use congress_domain::{CongressState, Event};
use congress_proto::{AgendaItem, AttendanceRecord, Delegate, Device, Role};
use rusqlite::{Connection, OptionalExtension, params};
use serde_json::json;

use crate::StoreError;

fn roles_text(roles: &[Role]) -> String {
    roles
        .iter()
        .map(|r| r.as_str())
        .collect::<Vec<_>>()
        .join(";")
}

fn roles_parse(s: &str) -> Vec<Role> {
    s.split(';').filter_map(Role::parse).collect()
}

/// Applies `event` (journalled as `seq`) to the state tables.
pub fn apply(conn: &Connection, seq: u64, event: &Event) -> Result<(), StoreError> {
    match event {
        Event::CongressDefined { congress } => {
            conn.execute(
                "INSERT INTO congress (id, body) VALUES (1, ?1)
                 ON CONFLICT (id) DO UPDATE SET body = excluded.body",
                [serde_json::to_string(congress)?],
            )?;
        }
        Event::DelegatesImported { delegates } => {
            let mut st = conn.prepare_cached(
                "INSERT INTO delegates (id, full_name, unit, seat, grp, roles)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT (id) DO UPDATE SET full_name = excluded.full_name,
                   unit = excluded.unit, seat = excluded.seat, grp = excluded.grp,
                   roles = excluded.roles",
            )?;
            for d in delegates {
                st.execute(params![
                    d.id,
                    d.full_name,
                    d.unit,
                    d.seat,
                    d.group,
                    roles_text(&d.roles)
                ])?;
            }
        }
        Event::AgendaDefined { items } => {
            conn.execute("DELETE FROM agenda_items", [])?;
            let mut st = conn
                .prepare_cached("INSERT INTO agenda_items (pos, id, body) VALUES (?1, ?2, ?3)")?;
            for (pos, item) in items.iter().enumerate() {
                st.execute(params![pos as i64, item.id, serde_json::to_string(item)?])?;
            }
            conn.execute(
                "UPDATE agenda_current SET item_id = NULL
                 WHERE item_id IS NOT NULL AND item_id NOT IN (SELECT id FROM agenda_items)",
                [],
            )?;
        }
        Event::CurrentItemSet { item_id } => {
            conn.execute(
                "INSERT INTO agenda_current (id, item_id) VALUES (1, ?1)
                 ON CONFLICT (id) DO UPDATE SET item_id = excluded.item_id",
                [item_id],
            )?;
        }
        Event::AttendanceChanged { record } => {
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
        Event::OperatorSaved {
            username,
            display_name,
            roles,
            password_hash,
        } => {
            let roles: Vec<&str> = roles.iter().map(|r| r.as_str()).collect();
            conn.execute(
                "INSERT INTO operators (username, display_name, roles, password_hash)
                 VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (username) DO UPDATE SET display_name = excluded.display_name,
                   roles = excluded.roles, password_hash = excluded.password_hash",
                params![username, display_name, roles.join(";"), password_hash],
            )?;
        }
        Event::SessionOpened {
            token_hash,
            username,
            expires_at,
        } => {
            conn.execute(
                "INSERT INTO sessions (token_hash, username, expires_at) VALUES (?1, ?2, ?3)",
                params![token_hash, username, expires_at],
            )?;
        }
        Event::SessionClosed { token_hash } => {
            conn.execute("DELETE FROM sessions WHERE token_hash = ?1", [token_hash])?;
        }
        Event::PairingCodeCreated {
            code_hash,
            kind,
            delegate_id,
            label,
            direction,
            expires_at,
            created_by: _,
        } => {
            let body = json!({
                "kind": kind, "delegate_id": delegate_id, "label": label,
                "direction": direction, "expires_at": expires_at,
            });
            conn.execute(
                "INSERT INTO pairing_codes (code_hash, body) VALUES (?1, ?2)",
                params![code_hash, body.to_string()],
            )?;
        }
        Event::DevicePaired {
            device,
            token_hash,
            code_hash,
        } => {
            conn.execute(
                "DELETE FROM pairing_codes WHERE code_hash = ?1",
                [code_hash],
            )?;
            conn.execute(
                "INSERT INTO devices (id, token_hash, body) VALUES (?1, ?2, ?3)",
                params![device.id, token_hash, serde_json::to_string(device)?],
            )?;
        }
        Event::DeviceRevoked { device_id, by: _ } => {
            let body: Option<String> = conn
                .query_row("SELECT body FROM devices WHERE id = ?1", [device_id], |r| {
                    r.get(0)
                })
                .optional()?;
            if let Some(body) = body {
                let mut d: Device = serde_json::from_str(&body)?;
                d.revoked = true;
                conn.execute(
                    "UPDATE devices SET body = ?2 WHERE id = ?1",
                    params![device_id, serde_json::to_string(&d)?],
                )?;
            }
        }
        Event::DocumentVersionAdded { .. }
        | Event::DocumentUpdated { .. }
        | Event::DocumentDelivered { .. }
        | Event::DocumentFetched { .. }
        | Event::DocumentsPurged { .. } => crate::documents::apply(conn, event)?,
        // Biometric rows are written by `Write::FaceEnrolment` / `Write::PurgeBiometrics`.
        Event::FaceEnrolled { .. } | Event::BiometricsPurged { .. } => {}
        Event::VoteCreated { .. }
        | Event::VoteOpened { .. }
        | Event::VoteClosed { .. }
        | Event::BallotCast { .. }
        | Event::VoteParticipated { .. }
        | Event::SecretBallotCast { .. } => crate::votes::apply(conn, event)?,
        Event::NoticeSent { .. }
        | Event::NoticeRead { .. }
        | Event::GroupSecretarySet { .. }
        | Event::OpinionSaved { .. }
        | Event::GroupSummarySaved { .. }
        | Event::GroupSummarySubmitted { .. } => crate::groups::apply(conn, event)?,
        Event::ItemStarted { .. }
        | Event::ItemClosed { .. }
        | Event::ItemPlanned { .. }
        | Event::VoteLinked { .. }
        | Event::SpeakerRequested { .. }
        | Event::SpeakerWithdrawn { .. }
        | Event::SpeakerRemoved { .. }
        | Event::SpeakersReordered { .. }
        | Event::SpeakerGranted { .. }
        | Event::SpeakerExtended { .. }
        | Event::SpeakerFinished { .. }
        | Event::ProjectorSceneSet { .. } => crate::meeting::apply(conn, seq, event)?,
    }
    Ok(())
}

#[derive(serde::Deserialize)]
struct PairingBody {
    kind: congress_proto::DeviceKind,
    delegate_id: Option<String>,
    label: String,
    direction: Option<congress_proto::KioskDirection>,
    expires_at: i64,
}

/// Reads the whole state from the tables (the journal head is set by the caller).
pub fn load(conn: &Connection) -> Result<CongressState, StoreError> {
    let mut s = CongressState::default();
    if let Some(body) = conn
        .query_row("SELECT body FROM congress WHERE id = 1", [], |r| {
            r.get::<_, String>(0)
        })
        .optional()?
    {
        s.congress = Some(serde_json::from_str(&body)?);
    }
    let mut delegates = Vec::new();
    {
        let mut st = conn.prepare("SELECT id, full_name, unit, seat, grp, roles FROM delegates")?;
        let rows = st.query_map([], |r| {
            Ok(Delegate {
                id: r.get(0)?,
                full_name: r.get(1)?,
                unit: r.get(2)?,
                seat: r.get(3)?,
                group: r.get(4)?,
                roles: roles_parse(&r.get::<_, String>(5)?),
            })
        })?;
        for d in rows {
            delegates.push(d?);
        }
    }
    s.apply(&Event::DelegatesImported { delegates });
    {
        let mut st = conn.prepare("SELECT body FROM agenda_items ORDER BY pos")?;
        let mut items: Vec<AgendaItem> = Vec::new();
        for b in st.query_map([], |r| r.get::<_, String>(0))? {
            items.push(serde_json::from_str(&b?)?);
        }
        s.agenda.items = items;
        s.agenda.current = conn
            .query_row("SELECT item_id FROM agenda_current WHERE id = 1", [], |r| {
                r.get(0)
            })
            .optional()?
            .flatten();
    }
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
            s.apply(&Event::AttendanceChanged { record });
        }
    }
    {
        let mut st =
            conn.prepare("SELECT username, display_name, roles, password_hash FROM operators")?;
        let mut rows = st.query([])?;
        while let Some(r) = rows.next()? {
            let username: String = r.get(0)?;
            let roles: String = r.get(2)?;
            s.operators.insert(
                username.clone(),
                Operator {
                    username,
                    display_name: r.get(1)?,
                    roles: roles
                        .split(';')
                        .filter_map(congress_proto::OperatorRole::parse)
                        .collect(),
                    password_hash: r.get(3)?,
                },
            );
        }
    }
    {
        let mut st = conn.prepare("SELECT token_hash, username, expires_at FROM sessions")?;
        let mut rows = st.query([])?;
        while let Some(r) = rows.next()? {
            s.sessions.insert(
                r.get(0)?,
                Session {
                    username: r.get(1)?,
                    expires_at: r.get(2)?,
                },
            );
        }
    }
    {
        let mut st = conn.prepare("SELECT code_hash, body FROM pairing_codes")?;
        let mut rows = st.query([])?;
        while let Some(r) = rows.next()? {
            let b: PairingBody = serde_json::from_str(&r.get::<_, String>(1)?)?;
            s.pairing_codes.insert(
                r.get(0)?,
                PendingPairing {
                    kind: b.kind,
                    delegate_id: b.delegate_id,
                    label: b.label,
                    direction: b.direction,
                    expires_at: b.expires_at,
                },
            );
        }
    }
    {
        let mut st = conn.prepare("SELECT token_hash, body FROM devices")?;
        let mut rows = st.query([])?;
        while let Some(r) = rows.next()? {
            let token_hash: String = r.get(0)?;
            let device: Device = serde_json::from_str(&r.get::<_, String>(1)?)?;
            if !device.revoked {
                s.device_tokens
                    .insert(token_hash.clone(), device.id.clone());
            }
            s.devices
                .insert(device.id.clone(), PairedDevice { device, token_hash });
        }
    }
    crate::documents::load(conn, &mut s.docs)?;
    crate::votes::load(conn, &mut s)?;
    crate::groups::load(conn, &mut s)?;
    crate::meeting::load(conn, &mut s)?;
    Ok(s)
}

//! Projection of access: `operators`, `sessions`, `pairing_codes` and `devices`.

use congress_domain::state::{Operator, PairedDevice, PendingPairing, Session};
use congress_domain::{AccessEvent, CongressState};
use congress_proto::Device;
use rusqlite::{Connection, OptionalExtension, params};
use serde_json::json;

use crate::StoreError;

pub fn apply(conn: &Connection, event: &AccessEvent) -> Result<(), StoreError> {
    match event {
        AccessEvent::OperatorSaved {
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
        AccessEvent::SessionOpened {
            token_hash,
            username,
            expires_at,
        } => {
            conn.execute(
                "INSERT INTO sessions (token_hash, username, expires_at) VALUES (?1, ?2, ?3)",
                params![token_hash, username, expires_at],
            )?;
        }
        AccessEvent::SessionClosed { token_hash } => {
            conn.execute("DELETE FROM sessions WHERE token_hash = ?1", [token_hash])?;
        }
        AccessEvent::PairingCodeCreated {
            code_hash,
            kind,
            delegate_id,
            label,
            direction,
            expires_at,
            created_by,
        } => {
            let body = json!({
                "kind": kind, "delegate_id": delegate_id, "label": label,
                "direction": direction, "expires_at": expires_at, "created_by": created_by,
            });
            conn.execute(
                "INSERT INTO pairing_codes (code_hash, body) VALUES (?1, ?2)",
                params![code_hash, body.to_string()],
            )?;
        }
        AccessEvent::DevicePaired {
            device,
            token_hash,
            code_hash,
            ..
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
        AccessEvent::DeviceRevoked { device_id, by: _ } => {
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
        AccessEvent::DeviceReassigned {
            device_id,
            delegate_id,
            ..
        } => {
            let body: Option<String> = conn
                .query_row("SELECT body FROM devices WHERE id = ?1", [device_id], |r| {
                    r.get(0)
                })
                .optional()?;
            if let Some(body) = body {
                let mut d: Device = serde_json::from_str(&body)?;
                d.delegate_id = Some(delegate_id.clone());
                conn.execute(
                    "UPDATE devices SET body = ?2 WHERE id = ?1",
                    params![device_id, serde_json::to_string(&d)?],
                )?;
            }
        }
        // Journal only: the audit log reads it from there.
        AccessEvent::SameOperatorRefused { .. } => {}
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
    /// Written since issue 13, finding 7 (migration 14 fills it in for older rows).
    #[serde(default)]
    created_by: String,
}

pub fn load(conn: &Connection, s: &mut CongressState) -> Result<(), StoreError> {
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
                    created_by: b.created_by,
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
    Ok(())
}

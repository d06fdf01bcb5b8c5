//! What a delegate's tablet asks over its websocket, the part every feature shares: the
//! delegate behind the tablet, the idempotency key of the message, and the answer (`acked`
//! after the commit, or `refused` with a stable code and the message).

use congress_domain::{Command, DomainError};
use congress_proto::{DeviceKind, ServerMsg};

use crate::auth::Caller;
use crate::engine::{Engine, Idempotency};
use crate::error::AppError;

/// The delegate whose tablet is calling.
pub fn delegate_of(caller: &Caller) -> Option<&str> {
    match caller {
        Caller::Device(d) if d.kind == DeviceKind::Tablet => d.delegate_id.as_deref(),
        _ => None,
    }
}

/// A stable code for a refused tablet message: the feature's own code where it has one.
pub fn refusal_code(e: &AppError) -> &'static str {
    match e {
        AppError::Domain(DomainError::Groups(g)) => g.code(),
        AppError::Domain(DomainError::Vote(v)) => v.code(),
        AppError::Domain(DomainError::Board(b)) => b.code(),
        other => other.code(),
    }
}

/// Runs the command `make` builds for the tablet's delegate, keyed by `client_id` and the
/// message, and answers `acked` once it is on disk or `refused`.
pub async fn acked<C: Into<Command>>(
    engine: &Engine,
    caller: &Caller,
    client_id: &str,
    request: &impl serde::Serialize,
    make: impl FnOnce(String) -> C,
) -> ServerMsg {
    let refused = |e: AppError| ServerMsg::Refused {
        client_id: client_id.to_string(),
        error: refusal_code(&e).to_string(),
        message: e.to_string(),
    };
    let Some(delegate_id) = delegate_of(caller) else {
        return refused(AppError::Forbidden);
    };
    let idem = match Idempotency::of(client_id, &caller.actor(), request) {
        Ok(i) => i,
        Err(e) => return refused(e),
    };
    let cid = client_id.to_string();
    let answer = engine
        .execute(
            make(delegate_id.to_string()),
            caller.actor(),
            Some(idem),
            move |a| ServerMsg::Acked {
                client_id: cid,
                seq: a.seq,
            },
        )
        .await;
    answer.unwrap_or_else(refused)
}

//! The counting board in the server: defining it from the delegates the congress elected (each
//! member's key is the voting credential its tablet registered at pairing), relaying the key
//! ceremony's messages from the members' tablets, the transcript a member needs, and the push
//! every client gets when the ceremony moves (`docs/ballot-crypto.md`).

use congress_ballot::{Complaint, DealerMessage};
use congress_domain::board::BoardEvent;
use congress_domain::{BoardCommand, CongressState, DomainError};
use congress_proto::{BoardTranscript, BoardView, DefineBoard, Push, SealedShare, ServerMsg};

use crate::auth::Caller;
use crate::engine::{Engine, Idempotency};
use crate::error::AppError;
use crate::hub::Audience;

/// The push a board event causes: the whole board, to everyone (nothing in it is secret).
pub fn push_for(state: &CongressState, _event: &BoardEvent) -> Option<(Audience, Push)> {
    let board = congress_domain::board::view(state)?;
    Some((
        Audience::Everyone,
        Push::Board {
            board: Box::new(board),
        },
    ))
}

/// The credential of the delegate's paired tablet (the newest, if several).
fn credential_of(state: &CongressState, delegate_id: &str) -> Option<String> {
    state
        .devices
        .values()
        .map(|d| &d.device)
        .filter(|d| !d.revoked && d.delegate_id.as_deref() == Some(delegate_id))
        .filter_map(|d| d.credential.clone().map(|c| (d.paired_at, c)))
        .max()
        .map(|(_, c)| c)
}

/// `POST /api/board`: a new counting board and a new run of its key ceremony.
pub async fn define(
    engine: &Engine,
    actor: String,
    req: DefineBoard,
) -> Result<BoardView, AppError> {
    let members = engine.read(|s| {
        req.members
            .iter()
            .map(|d| match credential_of(s, d) {
                Some(c) => Ok((d.clone(), c)),
                None if !s.delegates.contains_key(d) => {
                    Err(AppError::Domain(DomainError::UnknownDelegate(d.clone())))
                }
                None => Err(AppError::Conflict(format!(
                    "{d} has no paired tablet with a voting credential: pair the member's tablet first"
                ))),
            })
            .collect::<Result<Vec<_>, _>>()
    })?;
    let idem = Idempotency::of(&req.client_id, &actor, &req)?;
    engine
        .execute(
            BoardCommand::DefineBoard {
                threshold: req.threshold,
                members,
            },
            actor,
            Some(idem),
            |a| congress_domain::board::view(a.state),
        )
        .await?
        .ok_or_else(|| AppError::Internal("the board vanished".into()))
}

/// `POST /api/board/finish`: ends the ceremony with the members who took part.
pub async fn finish(engine: &Engine, actor: String) -> Result<Option<BoardView>, AppError> {
    engine
        .execute(BoardCommand::Finish, actor, None, |a| {
            congress_domain::board::view(a.state)
        })
        .await
}

/// What a client reads of the ceremony; a member's tablet also gets the shares dealt to it.
pub fn transcript(state: &CongressState, delegate: Option<&str>) -> Option<BoardTranscript> {
    let b = &state.board;
    let board = congress_domain::board::view(state)?;
    let my_index = delegate.and_then(|d| b.index_of(d));
    let my_shares = my_index
        .map(|me| {
            b.shares
                .iter()
                .filter(|((_, to), _)| *to == me)
                .map(|((from, _), age)| SealedShare {
                    member: *from,
                    age: age.clone(),
                })
                .collect()
        })
        .unwrap_or_default();
    Some(BoardTranscript {
        board,
        setup: serde_json::to_string(b.setup.as_ref()?).ok()?,
        transcript: serde_json::to_string(&b.transcript()).ok()?,
        my_index,
        my_shares,
    })
}

/// A member's tablet deals (`board_deal`).
pub async fn deal_from_tablet(
    engine: &Engine,
    caller: &Caller,
    client_id: &str,
    dealer: &str,
    shares: Vec<SealedShare>,
) -> ServerMsg {
    let parsed: Result<DealerMessage, _> = serde_json::from_str(dealer);
    let request = ("board_deal", dealer, shares.clone());
    match parsed {
        Ok(dealer) => {
            crate::tablet::acked(engine, caller, client_id, &request, |delegate_id| {
                BoardCommand::Deal {
                    delegate_id,
                    dealer,
                    shares,
                }
            })
            .await
        }
        Err(e) => bad_json(client_id, "dealer", e),
    }
}

/// A member's tablet checked its shares (`board_check`).
pub async fn check_from_tablet(
    engine: &Engine,
    caller: &Caller,
    client_id: &str,
    complaints: &[String],
) -> ServerMsg {
    let parsed: Result<Vec<Complaint>, _> =
        complaints.iter().map(|c| serde_json::from_str(c)).collect();
    let request = ("board_check", complaints);
    match parsed {
        Ok(complaints) => {
            crate::tablet::acked(engine, caller, client_id, &request, |delegate_id| {
                BoardCommand::Check {
                    delegate_id,
                    complaints,
                }
            })
            .await
        }
        Err(e) => bad_json(client_id, "complaint", e),
    }
}

pub(crate) fn bad_json(client_id: &str, what: &str, e: serde_json::Error) -> ServerMsg {
    ServerMsg::Refused {
        client_id: client_id.to_string(),
        error: "bad_json".into(),
        message: format!("the {what} is not valid: {e}"),
    }
}

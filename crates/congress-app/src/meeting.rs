//! The meeting in the server: the push every meeting event causes (the whole meeting view, to
//! everyone), and a tablet's request to speak from its websocket (acked after the commit).

use congress_domain::MeetingEvent;
use congress_domain::meeting::{MeetingCommand, event_at, view};
use congress_domain::{CongressState, DomainError, Event};
use congress_proto::{Push, ServerMsg, SpeakAck, SpeakerKind};

use crate::AppState;
use crate::auth::Caller;
use crate::engine::Idempotency;
use crate::error::AppError;
use crate::hub::Audience;

/// The push a meeting event causes: a new agenda or current item pushes the agenda; every other
/// event the whole meeting view, to everyone (a hall's queue of speakers is public), stamped
/// with the event's time.
pub fn push_for(state: &CongressState, event: &MeetingEvent) -> Option<(Audience, Push)> {
    if event.is_agenda() {
        return Some((
            Audience::Everyone,
            Push::Agenda {
                agenda: state.agenda.clone(),
            },
        ));
    }
    let at = event_at(event)?;
    Some((
        Audience::Everyone,
        Push::Meeting {
            meeting: Box::new(view(state, at)),
        },
    ))
}

/// A stable code and a message for a refusal sent over a websocket.
pub fn refusal(e: &AppError) -> (String, String) {
    let (_, code) = e.status_and_code();
    (code.to_string(), e.body().message)
}

/// What a tablet asks over its websocket.
pub enum TabletAsk {
    Request { item_id: String, kind: SpeakerKind },
    Withdraw { request_id: u64 },
}

/// Runs a tablet's request to speak or withdrawal; the answer is sent after the commit.
pub async fn from_tablet(
    app: &AppState,
    caller: &Caller,
    client_id: String,
    ask: TabletAsk,
) -> ServerMsg {
    match run_tablet(app, caller, &client_id, ask).await {
        Ok(ack) => ServerMsg::SpeakAck { ack },
        Err(e) => {
            let (error, message) = refusal(&e);
            ServerMsg::SpeakRefused {
                client_id,
                error,
                message,
            }
        }
    }
}

async fn run_tablet(
    app: &AppState,
    caller: &Caller,
    client_id: &str,
    ask: TabletAsk,
) -> Result<SpeakAck, AppError> {
    let delegate = crate::tablet::delegate_of(caller)
        .ok_or(AppError::Forbidden)?
        .to_string();
    let (cmd, key) = match ask {
        TabletAsk::Request { item_id, kind } => (
            MeetingCommand::RequestSpeak {
                delegate_id: delegate.clone(),
                item_id: item_id.clone(),
                kind,
                by: "tablet".into(),
            },
            serde_json::json!({ "request_speak": item_id, "kind": kind }),
        ),
        TabletAsk::Withdraw { request_id } => (
            MeetingCommand::WithdrawSpeak {
                delegate_id: delegate.clone(),
                request_id,
            },
            serde_json::json!({ "withdraw_speak": request_id }),
        ),
    };
    let idem = Idempotency::of(client_id, &caller.actor(), &key)?;
    let cid = client_id.to_string();
    app.engine
        .execute(cmd, caller.actor(), Some(idem), move |a| {
            a.events.iter().find_map(|(_, e)| match e {
                Event::Meeting(MeetingEvent::SpeakerRequested { request }) => {
                    let position = a
                        .state
                        .meeting
                        .queues
                        .get(&request.item_id)
                        .and_then(|q| q.iter().position(|r| r.request_id == request.request_id))
                        .map(|i| i as u32 + 1);
                    Some(SpeakAck {
                        client_id: cid.clone(),
                        request_id: request.request_id,
                        item_id: request.item_id.clone(),
                        position,
                    })
                }
                Event::Meeting(MeetingEvent::SpeakerWithdrawn {
                    request_id,
                    item_id,
                    ..
                }) => Some(SpeakAck {
                    client_id: cid.clone(),
                    request_id: *request_id,
                    item_id: item_id.clone(),
                    position: None,
                }),
                _ => None,
            })
        })
        .await?
        .ok_or_else(|| {
            AppError::Domain(DomainError::Invalid("this request changed nothing".into()))
        })
}

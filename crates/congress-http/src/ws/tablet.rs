//! A delegate's tablet on its websocket: ballots (open, sealed and encrypted), the counting
//! board's key ceremony and partial decryptions from its members' tablets, requests to speak
//! and withdrawals, notices read, opinions and group summaries, nominations, answers, requests
//! to withdraw and the counting board's sign-off. Each is answered only after it is committed
//! (or refused
//! with a stable code and its `client_id`).

use congress_app::AppState;
use congress_app::auth::Caller;
use congress_app::meeting::TabletAsk;
use congress_app::tablet::delegate_of;
use congress_proto::{BallotChoice, ClientMsg, ServerMsg};

use super::Handler;

pub(super) struct Tablet;

impl Handler for Tablet {
    type Work = ();

    async fn on_message(
        &mut self,
        app: &AppState,
        caller: &Caller,
        msg: ClientMsg,
    ) -> Option<ServerMsg> {
        let engine = &app.engine;
        Some(match msg {
            ClientMsg::CastBallot {
                client_id,
                vote_id,
                choice,
            } => ballot(app, caller, client_id, vote_id, choice).await,
            ClientMsg::ReadNotice {
                ref client_id,
                notice_id,
            } => {
                let request = ("read_notice", &msg);
                congress_app::notices::read_from_tablet(
                    engine, caller, client_id, notice_id, &request,
                )
                .await
            }
            ClientMsg::SendOpinion {
                ref client_id,
                ref item_id,
                ref text,
            } => {
                let request = ("send_opinion", &msg);
                congress_app::groups::opinion_from_tablet(
                    engine,
                    caller,
                    client_id,
                    item_id.clone(),
                    text.clone(),
                    &request,
                )
                .await
            }
            ClientMsg::SaveSummary {
                ref client_id,
                ref item_id,
                ref text,
                submit,
            } => {
                let request = ("save_summary", &msg);
                congress_app::groups::summary_from_tablet(
                    engine,
                    caller,
                    client_id,
                    item_id.clone(),
                    text.clone(),
                    submit,
                    &request,
                )
                .await
            }
            ClientMsg::RequestSpeak {
                client_id,
                item_id,
                kind,
            } => {
                let ask = TabletAsk::Request { item_id, kind };
                congress_app::meeting::from_tablet(app, caller, client_id, ask).await
            }
            ClientMsg::WithdrawSpeak {
                client_id,
                request_id,
            } => {
                let ask = TabletAsk::Withdraw { request_id };
                congress_app::meeting::from_tablet(app, caller, client_id, ask).await
            }
            ClientMsg::CastSecretBallot {
                client_id,
                vote_id,
                ballot,
            } => secret_ballot(app, caller, client_id, vote_id, &ballot).await,
            ClientMsg::BoardDeal {
                ref client_id,
                ref dealer,
                ref shares,
            } => {
                congress_app::board::deal_from_tablet(
                    engine,
                    caller,
                    client_id,
                    dealer,
                    shares.clone(),
                )
                .await
            }
            ClientMsg::BoardCheck {
                ref client_id,
                ref complaints,
            } => {
                congress_app::board::check_from_tablet(engine, caller, client_id, complaints).await
            }
            ClientMsg::SubmitPartial {
                ref client_id,
                vote_id,
                ref partial,
            } => {
                congress_app::votes::encrypted::partial_from_tablet(
                    engine, caller, client_id, vote_id, partial,
                )
                .await
            }
            ClientMsg::Nominate { .. }
            | ClientMsg::AnswerNomination { .. }
            | ClientMsg::AskWithdrawal { .. }
            | ClientMsg::SignTallyReport { .. } => {
                congress_app::elections::from_tablet(engine, caller, msg).await
            }
            ClientMsg::Hello { .. } | ClientMsg::Ping { .. } => super::not_here(msg),
        })
    }
}

async fn secret_ballot(
    app: &AppState,
    caller: &Caller,
    client_id: String,
    vote_id: u64,
    ballot: &str,
) -> ServerMsg {
    let Some(delegate) = delegate_of(caller) else {
        return super::not_here(ClientMsg::CastSecretBallot {
            client_id,
            vote_id,
            ballot: String::new(),
        });
    };
    let cast = congress_app::votes::encrypted::cast(
        &app.engine,
        &app.proofs,
        caller,
        delegate,
        client_id.clone(),
        vote_id,
        ballot,
    );
    refused_or(cast.await, client_id, vote_id)
}

/// A ballot's ack, or its refusal with a stable code.
fn refused_or(
    answer: Result<congress_proto::BallotAck, congress_app::AppError>,
    client_id: String,
    vote_id: u64,
) -> ServerMsg {
    match answer {
        Ok(ack) => ServerMsg::BallotAck { ack },
        Err(e) => {
            let (error, message) = congress_app::votes::refusal(&e);
            ServerMsg::BallotRefused {
                client_id,
                vote_id,
                error,
                message,
            }
        }
    }
}

async fn ballot(
    app: &AppState,
    caller: &Caller,
    client_id: String,
    vote_id: u64,
    choice: BallotChoice,
) -> ServerMsg {
    let Some(delegate) = delegate_of(caller) else {
        return super::not_here(ClientMsg::CastBallot {
            client_id,
            vote_id,
            choice,
        });
    };
    let cast = congress_app::votes::cast(
        &app.engine,
        caller.actor(),
        delegate,
        client_id.clone(),
        vote_id,
        choice,
    );
    refused_or(cast.await, client_id, vote_id)
}

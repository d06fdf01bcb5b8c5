//! REST for the meeting: agenda control (start, close, time plan, linked votes), the speakers'
//! queue and the floor, and the projector's scene. Changes are for the secretariat (and
//! admins); any operator or device may read the meeting view. Delegates ask to speak over
//! `/ws/tablet` (`request_speak`).

use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use congress_domain::Command;
use congress_domain::meeting::{MeetingCommand, view};
use congress_proto::*;
use serde::Serialize;

use crate::extract::Auth;
use crate::extract::{ApiJson, ApiPath};
use congress_app::AppState;
use congress_app::auth::Caller;
use congress_app::engine::Idempotency;

use crate::error::HttpError;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/meeting", get(meeting))
        .route("/api/meeting/items/{id}/start", post(start_item))
        .route("/api/meeting/items/{id}/close", post(close_item))
        .route("/api/meeting/items/{id}/plan", put(plan_item))
        .route("/api/meeting/votes/{id}/item", put(link_vote))
        .route("/api/meeting/speakers", post(add_speaker))
        .route("/api/meeting/speakers/{id}/grant", post(grant))
        .route("/api/meeting/speakers/{id}/move", post(move_speaker))
        .route("/api/meeting/speakers/{id}/remove", post(remove_speaker))
        .route("/api/meeting/floor/stop", post(stop))
        .route("/api/meeting/floor/extend", post(extend))
        .route("/api/meeting/projector", put(set_scene))
}

const MANAGE: &[OperatorRole] = &[OperatorRole::Secretariat];

#[utoipa::path(get, path = "/api/meeting", tag = "meeting", responses((status = 200, body = MeetingView)))]
async fn meeting(State(app): State<AppState>, Auth(_caller): Auth) -> Json<MeetingView> {
    let now = app.engine.now();
    Json(app.engine.read(|s| view(s, now)))
}

/// Runs a meeting command for an operator and answers with the meeting after it.
async fn run<T: Serialize>(
    app: &AppState,
    caller: &Caller,
    client_id: &str,
    request: &T,
    cmd: MeetingCommand,
) -> Result<Response, HttpError> {
    caller.operator_with(MANAGE)?;
    let idem = Idempotency::of(client_id, &caller.actor(), request)?;
    let client_id = client_id.to_string();
    let now = app.engine.now();
    let v = app
        .engine
        .execute(
            Command::Meeting(cmd),
            caller.actor(),
            Some(idem),
            move |a| {
                serde_json::to_value(MeetingAck {
                    client_id,
                    seq: a.seq,
                    meeting: view(a.state, now),
                })
                .unwrap_or_default()
            },
        )
        .await?;
    Ok(Json(v).into_response())
}

#[utoipa::path(post, path = "/api/meeting/items/{id}/start", tag = "meeting", params(("id" = String, Path)), request_body = MeetingAction, responses((status = 200, body = MeetingAck), crate::openapi::Refused))]
async fn start_item(
    State(app): State<AppState>,
    Auth(caller): Auth,
    ApiPath(id): ApiPath<String>,
    ApiJson(req): ApiJson<MeetingAction>,
) -> Result<Response, HttpError> {
    let key = ("start", &id, &req);
    run(
        &app,
        &caller,
        &req.client_id,
        &key,
        MeetingCommand::StartItem {
            item_id: id.clone(),
        },
    )
    .await
}

#[utoipa::path(post, path = "/api/meeting/items/{id}/close", tag = "meeting", params(("id" = String, Path)), request_body = MeetingAction, responses((status = 200, body = MeetingAck), crate::openapi::Refused))]
async fn close_item(
    State(app): State<AppState>,
    Auth(caller): Auth,
    ApiPath(id): ApiPath<String>,
    ApiJson(req): ApiJson<MeetingAction>,
) -> Result<Response, HttpError> {
    let key = ("close", &id, &req);
    run(
        &app,
        &caller,
        &req.client_id,
        &key,
        MeetingCommand::CloseItem {
            item_id: id.clone(),
        },
    )
    .await
}

#[utoipa::path(put, path = "/api/meeting/items/{id}/plan", tag = "meeting", params(("id" = String, Path)), request_body = PlanItem, responses((status = 200, body = MeetingAck), crate::openapi::Refused))]
async fn plan_item(
    State(app): State<AppState>,
    Auth(caller): Auth,
    ApiPath(id): ApiPath<String>,
    ApiJson(req): ApiJson<PlanItem>,
) -> Result<Response, HttpError> {
    let key = ("plan", &id, &req);
    let cmd = MeetingCommand::PlanItem {
        item_id: id.clone(),
        planned_start: req.planned_start.clone(),
        planned_minutes: req.planned_minutes,
        speaker_limit_s: req.speaker_limit_s,
    };
    run(&app, &caller, &req.client_id, &key, cmd).await
}

#[utoipa::path(put, path = "/api/meeting/votes/{id}/item", tag = "meeting", params(("id" = u64, Path)), request_body = LinkVote, responses((status = 200, body = MeetingAck), crate::openapi::Refused))]
async fn link_vote(
    State(app): State<AppState>,
    Auth(caller): Auth,
    ApiPath(id): ApiPath<u64>,
    ApiJson(req): ApiJson<LinkVote>,
) -> Result<Response, HttpError> {
    let key = ("link", id, &req);
    let cmd = MeetingCommand::LinkVote {
        vote_id: id,
        item_id: req.item_id.clone(),
    };
    run(&app, &caller, &req.client_id, &key, cmd).await
}

#[utoipa::path(post, path = "/api/meeting/speakers", tag = "meeting", request_body = AddSpeaker, responses((status = 200, body = MeetingAck), crate::openapi::Refused))]
async fn add_speaker(
    State(app): State<AppState>,
    Auth(caller): Auth,
    ApiJson(req): ApiJson<AddSpeaker>,
) -> Result<Response, HttpError> {
    let cmd = MeetingCommand::RequestSpeak {
        delegate_id: req.delegate_id.clone(),
        item_id: req.item_id.clone(),
        kind: req.kind,
        by: caller.actor(),
    };
    run(&app, &caller, &req.client_id, &req, cmd).await
}

#[utoipa::path(post, path = "/api/meeting/speakers/{id}/grant", tag = "meeting", params(("id" = u64, Path)), request_body = GrantFloor, responses((status = 200, body = MeetingAck), crate::openapi::Refused))]
async fn grant(
    State(app): State<AppState>,
    Auth(caller): Auth,
    ApiPath(id): ApiPath<u64>,
    ApiJson(req): ApiJson<GrantFloor>,
) -> Result<Response, HttpError> {
    let key = ("grant", id, &req);
    let cmd = MeetingCommand::Grant {
        request_id: id,
        limit_s: req.limit_s,
    };
    run(&app, &caller, &req.client_id, &key, cmd).await
}

#[utoipa::path(post, path = "/api/meeting/speakers/{id}/move", tag = "meeting", params(("id" = u64, Path)), request_body = MoveSpeaker, responses((status = 200, body = MeetingAck), crate::openapi::Refused))]
async fn move_speaker(
    State(app): State<AppState>,
    Auth(caller): Auth,
    ApiPath(id): ApiPath<u64>,
    ApiJson(req): ApiJson<MoveSpeaker>,
) -> Result<Response, HttpError> {
    let key = ("move", id, &req);
    let cmd = MeetingCommand::MoveSpeaker {
        request_id: id,
        position: req.position,
    };
    run(&app, &caller, &req.client_id, &key, cmd).await
}

#[utoipa::path(post, path = "/api/meeting/speakers/{id}/remove", tag = "meeting", params(("id" = u64, Path)), request_body = MeetingAction, responses((status = 200, body = MeetingAck), crate::openapi::Refused))]
async fn remove_speaker(
    State(app): State<AppState>,
    Auth(caller): Auth,
    ApiPath(id): ApiPath<u64>,
    ApiJson(req): ApiJson<MeetingAction>,
) -> Result<Response, HttpError> {
    let key = ("remove", id, &req);
    let cmd = MeetingCommand::RemoveSpeaker {
        request_id: id,
        by: caller.actor(),
    };
    run(&app, &caller, &req.client_id, &key, cmd).await
}

#[utoipa::path(post, path = "/api/meeting/floor/stop", tag = "meeting", request_body = MeetingAction, responses((status = 200, body = MeetingAck), crate::openapi::Refused))]
async fn stop(
    State(app): State<AppState>,
    Auth(caller): Auth,
    ApiJson(req): ApiJson<MeetingAction>,
) -> Result<Response, HttpError> {
    let key = ("stop", &req);
    run(&app, &caller, &req.client_id, &key, MeetingCommand::Stop).await
}

#[utoipa::path(post, path = "/api/meeting/floor/extend", tag = "meeting", request_body = ExtendSpeaker, responses((status = 200, body = MeetingAck), crate::openapi::Refused))]
async fn extend(
    State(app): State<AppState>,
    Auth(caller): Auth,
    ApiJson(req): ApiJson<ExtendSpeaker>,
) -> Result<Response, HttpError> {
    let cmd = MeetingCommand::Extend {
        seconds: req.seconds,
    };
    run(&app, &caller, &req.client_id, &req, cmd).await
}

#[utoipa::path(put, path = "/api/meeting/projector", tag = "meeting", request_body = SetScene, responses((status = 200, body = MeetingAck), crate::openapi::Refused))]
async fn set_scene(
    State(app): State<AppState>,
    Auth(caller): Auth,
    ApiJson(req): ApiJson<SetScene>,
) -> Result<Response, HttpError> {
    let cmd = MeetingCommand::SetScene(req.scene.clone());
    run(&app, &caller, &req.client_id, &req, cmd).await
}

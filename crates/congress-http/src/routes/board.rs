//! REST for the counting board: the secretariat defines the board the congress elected and ends
//! its key ceremony; everyone reads the board and its public transcript (a member's tablet also
//! gets the shares dealt to it); everyone, tablets included, fetches a decrypted secret vote's
//! bulletin board to check the count (`docs/ballot-crypto.md`). Members deal, check and decrypt
//! over `/ws/tablet`.

use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::routing::{get, post};
use congress_app::AppError;
use congress_app::AppState;
use congress_app::tablet::delegate_of;
use congress_proto::{BoardTranscript, BoardView, DefineBoard, OperatorRole};

use crate::error::HttpError;
use crate::extract::{ApiJson, ApiPath, Auth};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/board", get(board).post(define))
        .route("/api/board/finish", post(finish))
        .route("/api/board/transcript", get(transcript))
        .route("/api/votes/{id}/board.json", get(bulletin_board))
}

const MANAGE: &[OperatorRole] = &[OperatorRole::Secretariat];

fn none_yet() -> AppError {
    AppError::NotFound("there is no counting board yet".into())
}

/// The counting board and where its key ceremony is.
#[utoipa::path(get, path = "/api/board", tag = "board", responses((status = 200, body = BoardView), crate::openapi::Refused))]
pub(crate) async fn board(
    State(app): State<AppState>,
    Auth(_caller): Auth,
) -> Result<Json<BoardView>, HttpError> {
    let view = app.engine.read(congress_domain::board::view);
    Ok(Json(view.ok_or_else(none_yet)?))
}

/// Defines the counting board (a new key ceremony): each member needs a paired tablet.
#[utoipa::path(post, path = "/api/board", tag = "board", request_body = DefineBoard, responses((status = 200, body = BoardView), crate::openapi::Refused))]
pub(crate) async fn define(
    State(app): State<AppState>,
    Auth(caller): Auth,
    ApiJson(req): ApiJson<DefineBoard>,
) -> Result<Json<BoardView>, HttpError> {
    caller.operator_with(MANAGE)?;
    Ok(Json(
        congress_app::board::define(&app.engine, caller.actor(), req).await?,
    ))
}

/// Ends the key ceremony with the members who dealt (a member's tablet was lost).
#[utoipa::path(post, path = "/api/board/finish", tag = "board", responses((status = 200, body = BoardView), crate::openapi::Refused))]
pub(crate) async fn finish(
    State(app): State<AppState>,
    Auth(caller): Auth,
) -> Result<Json<BoardView>, HttpError> {
    caller.operator_with(MANAGE)?;
    let view = congress_app::board::finish(&app.engine, caller.actor()).await?;
    Ok(Json(view.ok_or_else(none_yet)?))
}

/// The ceremony's public transcript; a member's tablet also gets the shares dealt to it.
#[utoipa::path(get, path = "/api/board/transcript", tag = "board", responses((status = 200, body = BoardTranscript), crate::openapi::Refused))]
pub(crate) async fn transcript(
    State(app): State<AppState>,
    Auth(caller): Auth,
) -> Result<Json<BoardTranscript>, HttpError> {
    let delegate = delegate_of(&caller).map(str::to_string);
    let t = app
        .engine
        .read(|s| congress_app::board::transcript(s, delegate.as_deref()));
    Ok(Json(t.ok_or_else(none_yet)?))
}

/// A decrypted secret vote's bulletin board (`congress_ballot::Board` JSON): check it with
/// `congress verify-election`.
#[utoipa::path(get, path = "/api/votes/{id}/board.json", tag = "board", params(("id" = u64, Path)), responses((status = 200, description = "the bulletin board (docs/ballot-crypto.md)", content_type = "application/json", body = String), crate::openapi::Refused))]
pub(crate) async fn bulletin_board(
    State(app): State<AppState>,
    Auth(_caller): Auth,
    ApiPath(id): ApiPath<u64>,
) -> Result<Json<congress_ballot::Board>, HttpError> {
    let db = app.keys.db.clone();
    let engine = app.engine.clone();
    let board = tokio::task::spawn_blocking(move || {
        congress_app::votes::encrypted::bulletin_board(&engine, &db, id)
    })
    .await
    .map_err(|e| AppError::Internal(e.to_string()))??;
    Ok(Json(board))
}

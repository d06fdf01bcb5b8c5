//! REST routes of face check-in (see `docs/protocol.md`):
//!
//! * `POST /api/delegates/{id}/enrol` — credentials, secretariat, admin. JSON
//!   [`EnrolRequest`]: `captures` are base64 JPEG/PNG (a `data:image/...;base64,` prefix is
//!   allowed), at most [`MAX_CAPTURES`], body at most [`MAX_ENROL_BODY`] bytes.
//! * `GET /api/delegates/{id}/photo` — admin, secretariat, credentials (not observers): the
//!   enrolment thumbnail (JPEG).
//! * `GET /api/face/status` — any operator: [`FaceOverview`] (kiosks, recent check-ins).

use axum::Json;
use axum::Router;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use base64::Engine as _;
use congress_proto::*;

use crate::extract::Auth;
use congress_app::AppError;
use congress_app::AppState;

use crate::error::HttpError;
use crate::extract::{ApiJson, ApiPath};
use congress_app::engine::Idempotency;

/// Largest enrolment request.
pub const MAX_ENROL_BODY: usize = 16 * 1024 * 1024;
/// Most captures in one enrolment.
pub const MAX_CAPTURES: usize = 8;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/api/delegates/{id}/enrol",
            post(enrol).layer(DefaultBodyLimit::max(MAX_ENROL_BODY)),
        )
        .route("/api/delegates/{id}/photo", get(photo))
        .route("/api/face/status", get(status))
}

fn unavailable() -> AppError {
    AppError::Conflict(
        "face recognition is not enabled on this server (models missing or face_check_in = off)"
            .into(),
    )
}

/// Decodes base64 (standard alphabet, optional `data:` URL prefix).
pub fn decode_capture(s: &str) -> Result<Vec<u8>, String> {
    let s = s.trim();
    let b64 = match s.strip_prefix("data:") {
        Some(rest) => rest
            .split_once(',')
            .map(|(_, b)| b)
            .ok_or("a data: URL without a comma")?,
        None => s,
    };
    base64::engine::general_purpose::STANDARD
        .decode(b64)
        .map_err(|e| format!("capture is not valid base64: {e}"))
}

#[utoipa::path(post, path = "/api/delegates/{id}/enrol", tag = "face", params(("id" = String, Path)), request_body = EnrolRequest, responses((status = 200, body = EnrolResponse), crate::openapi::Refused))]
async fn enrol(
    State(app): State<AppState>,
    Auth(caller): Auth,
    ApiPath(id): ApiPath<String>,
    ApiJson(req): ApiJson<EnrolRequest>,
) -> Result<Json<EnrolResponse>, HttpError> {
    let op = caller.operator_with(&[
        OperatorRole::Credentials,
        OperatorRole::Secretariat,
        OperatorRole::Admin,
    ])?;
    let face = app.face.clone().ok_or_else(unavailable)?;
    if req.captures.is_empty() || req.captures.len() > MAX_CAPTURES {
        return Err(AppError::BadJson(format!("send 1 to {MAX_CAPTURES} captures")).into());
    }
    let captures = req
        .captures
        .iter()
        .map(|c| decode_capture(c))
        .collect::<Result<Vec<_>, _>>()
        .map_err(AppError::BadJson)?;
    // the request is identified by its captures' digest (a retry must carry the same photos)
    let digest = congress_app::auth::sha256_hex(&req.captures.concat());
    let idem = Idempotency::of(&req.client_id, &caller.actor(), &(&id, digest))?;
    let source = format!("desk:{}", op.username);
    let r = face
        .enrol(
            &app.engine,
            &id,
            captures,
            &source,
            caller.actor(),
            Some(idem),
        )
        .await?;
    Ok(Json(r))
}

#[utoipa::path(get, path = "/api/delegates/{id}/photo", tag = "face", params(("id" = String, Path)), responses((status = 200, description = "the enrolment thumbnail", content_type = "image/jpeg", body = crate::openapi::Binary), crate::openapi::Refused))]
async fn photo(
    State(app): State<AppState>,
    Auth(caller): Auth,
    ApiPath(id): ApiPath<String>,
) -> Result<Response, HttpError> {
    // A face is biometric data: the roles that enrol see it, observers do not (issue 13,
    // finding 13).
    caller.operator_with(&[
        OperatorRole::Credentials,
        OperatorRole::Secretariat,
        OperatorRole::Admin,
    ])?;
    let face = app.face.clone().ok_or_else(unavailable)?;
    let thumb = face
        .thumb(&id)
        .ok_or_else(|| AppError::NotFound(format!("no enrolment photo for {id}")))?;
    Ok((
        [
            (header::CONTENT_TYPE, "image/jpeg"),
            (header::CACHE_CONTROL, "private, no-store"),
        ],
        thumb.as_ref().clone(),
    )
        .into_response())
}

#[utoipa::path(get, path = "/api/face/status", tag = "face", responses((status = 200, body = FaceOverview)))]
async fn status(
    State(app): State<AppState>,
    Auth(caller): Auth,
) -> Result<Json<FaceOverview>, HttpError> {
    caller.any_operator()?;
    Ok(Json(match &app.face {
        Some(f) => f.overview(&app.engine),
        None => FaceOverview {
            enabled: false,
            enrolled: 0,
            enrolled_ids: vec![],
            threshold: 0.0,
            margin: 0.0,
            kiosks: vec![],
            recent: vec![],
            refused: vec![],
        },
    }))
}

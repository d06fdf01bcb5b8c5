//! HTTP routes. Each handler checks the caller's role first, then reads the committed state or
//! sends a command to the engine.

pub mod api;
pub mod documents;
pub mod groups;
pub mod meeting;
pub mod reports;
pub mod trust;
pub mod votes;
pub mod web;
pub mod ws;

use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::AppState;
use crate::auth::sha256_hex;
use crate::engine::Idempotency;
use crate::error::AppError;

/// A JSON body whose every rejection is an [`AppError`] with our error format.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned> FromRequest<AppState> for ApiJson<T> {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, AppError> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(ApiJson(v)),
            Err(JsonRejection::BytesRejection(r))
                if r.status() == StatusCode::PAYLOAD_TOO_LARGE =>
            {
                Err(AppError::TooLarge(state.config.max_body_bytes))
            }
            Err(r) if r.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                Err(AppError::TooLarge(state.config.max_body_bytes))
            }
            Err(JsonRejection::MissingJsonContentType(_)) => Err(AppError::BadJson(
                "expected a JSON body with Content-Type: application/json".into(),
            )),
            Err(r) => Err(AppError::BadJson(r.body_text())),
        }
    }
}

/// A path parameter whose rejection is an [`AppError`] (a bad percent-encoding is a 404, as the
/// resource cannot exist).
pub struct ApiPath<T>(pub T);

impl<T> axum::extract::FromRequestParts<AppState> for ApiPath<T>
where
    T: DeserializeOwned + Send,
{
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &AppState,
    ) -> Result<Self, AppError> {
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(v)) => Ok(ApiPath(v)),
            Err(e) => Err(AppError::NotFound(format!(
                "no such resource: {}",
                e.body_text()
            ))),
        }
    }
}

/// The idempotency key of a request: its client id and a hash of who sent what.
pub fn idempotency<T: Serialize>(
    client_id: &str,
    actor: &str,
    request: &T,
) -> Result<Idempotency, AppError> {
    let client_id = client_id.trim();
    if client_id.is_empty() || client_id.len() > 100 {
        return Err(AppError::BadJson(
            "client_id must be 1 to 100 characters".into(),
        ));
    }
    let body = serde_json::to_string(request).map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(Idempotency {
        client_id: client_id.to_string(),
        request_hash: sha256_hex(&format!("{actor}\n{body}")),
    })
}

//! Extractors shared by every route: the caller behind the bearer token ([`Auth`]), a JSON
//! body ([`ApiJson`]) and a path parameter ([`ApiPath`]) whose rejections are answered in the
//! protocol's error format.

use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use congress_app::auth::{Caller, authenticate};
use congress_app::{AppError, AppState};
use serde::de::DeserializeOwned;

use crate::error::HttpError;

/// The caller behind `Authorization: Bearer <token>` (an operator's session or a device).
pub struct Auth(pub Caller);

impl FromRequestParts<AppState> for Auth {
    type Rejection = HttpError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, HttpError> {
        let header = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .ok_or(AppError::Unauthorized)?;
        let token = header
            .strip_prefix("Bearer ")
            .ok_or(AppError::Unauthorized)?
            .trim();
        Ok(Auth(authenticate(state, token)?))
    }
}

/// A JSON body whose every rejection is an [`AppError`] with our error format.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned> FromRequest<AppState> for ApiJson<T> {
    type Rejection = HttpError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, HttpError> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(ApiJson(v)),
            Err(JsonRejection::BytesRejection(r))
                if r.status() == StatusCode::PAYLOAD_TOO_LARGE =>
            {
                Err(AppError::TooLarge(state.config.max_body_bytes).into())
            }
            Err(r) if r.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                Err(AppError::TooLarge(state.config.max_body_bytes).into())
            }
            Err(JsonRejection::MissingJsonContentType(_)) => Err(AppError::BadJson(
                "expected a JSON body with Content-Type: application/json".into(),
            )
            .into()),
            Err(r) => Err(AppError::BadJson(r.body_text()).into()),
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
    type Rejection = HttpError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &AppState,
    ) -> Result<Self, HttpError> {
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(v)) => Ok(ApiPath(v)),
            Err(e) => {
                Err(AppError::NotFound(format!("no such resource: {}", e.body_text())).into())
            }
        }
    }
}

//! The one place where errors become HTTP responses: [`HttpError`] wraps the application's
//! error and answers with its status and the protocol's error body.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use congress_app::AppError;

/// An [`AppError`] on its way to the client.
#[derive(Debug)]
pub struct HttpError(pub AppError);

impl From<AppError> for HttpError {
    fn from(e: AppError) -> Self {
        HttpError(e)
    }
}

impl From<congress_domain::DomainError> for HttpError {
    fn from(e: congress_domain::DomainError) -> Self {
        HttpError(e.into())
    }
}

impl From<congress_store::StoreError> for HttpError {
    fn from(e: congress_store::StoreError) -> Self {
        HttpError(e.into())
    }
}

impl std::fmt::Display for HttpError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl IntoResponse for HttpError {
    fn into_response(self) -> Response {
        let e = self.0;
        let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        if status.is_server_error() {
            tracing::error!(error = %e, "request failed");
        } else {
            tracing::debug!(error = %e, "request refused");
        }
        let mut res = (status, axum::Json(e.body())).into_response();
        if let AppError::RateLimited(secs) = e {
            res.headers_mut()
                .insert(axum::http::header::RETRY_AFTER, secs.into());
        }
        res
    }
}

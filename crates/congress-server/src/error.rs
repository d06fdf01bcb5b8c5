//! The server's error type and the one place where errors become HTTP responses.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use congress_domain::DomainError;
use congress_proto::ApiError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("{0}")]
    BadJson(String),
    #[error("sign in first")]
    Unauthorized,
    #[error("{0}")]
    BadCredentials(&'static str),
    #[error("your role may not do this")]
    Forbidden,
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    #[error("this method is not allowed on this route")]
    MethodNotAllowed,
    #[error("the request body is larger than {0} bytes")]
    TooLarge(usize),
    #[error(transparent)]
    Domain(#[from] DomainError),
    #[error("the server is busy or stopping; try again")]
    Unavailable,
    #[error("internal error: {0}")]
    Internal(String),
    /// An upload refused for its content (not a PDF, encrypted, damaged, bad name...).
    #[error("{0}")]
    BadDocument(String),
    #[error("the file is larger than the upload limit of {} MB (upload_max_bytes in the configuration)", .0 / (1024 * 1024))]
    UploadTooLarge(u64),
    #[error("the document is still being prepared for this tablet; try again in a few seconds")]
    NotReady,
    /// A request that is well-formed JSON (or has none) but asks for something invalid.
    #[error("{0}")]
    BadRequest(String),
    /// The resource existed and was deliberately deleted (retention).
    #[error("{0}")]
    Gone(String),
    /// A tool the server needs for this request is missing or failed (e.g. Chromium for PDF).
    #[error("{0}")]
    ToolUnavailable(String),
    /// Too many attempts from this address (login, pairing); the seconds to wait.
    #[error("too many attempts from this address; wait {0} s and try again")]
    RateLimited(u64),
}

impl AppError {
    pub fn status_and_code(&self) -> (StatusCode, &'static str) {
        match self {
            AppError::BadJson(_) => (StatusCode::BAD_REQUEST, "invalid_json"),
            AppError::Unauthorized | AppError::BadCredentials(_) => {
                (StatusCode::UNAUTHORIZED, "unauthorized")
            }
            AppError::Forbidden => (StatusCode::FORBIDDEN, "forbidden"),
            AppError::NotFound(_) => (StatusCode::NOT_FOUND, "not_found"),
            AppError::Conflict(_) => (StatusCode::CONFLICT, "conflict"),
            AppError::MethodNotAllowed => (StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed"),
            AppError::TooLarge(_) => (StatusCode::PAYLOAD_TOO_LARGE, "too_large"),
            AppError::Domain(e) => (
                StatusCode::from_u16(e.status()).unwrap_or(StatusCode::UNPROCESSABLE_ENTITY),
                e.code(),
            ),
            AppError::Unavailable => (StatusCode::SERVICE_UNAVAILABLE, "unavailable"),
            AppError::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
            AppError::BadDocument(_) => (StatusCode::UNPROCESSABLE_ENTITY, "bad_document"),
            AppError::UploadTooLarge(_) => (StatusCode::PAYLOAD_TOO_LARGE, "too_large"),
            AppError::NotReady => (StatusCode::SERVICE_UNAVAILABLE, "not_ready"),
            AppError::BadRequest(_) => (StatusCode::BAD_REQUEST, "bad_request"),
            AppError::Gone(_) => (StatusCode::GONE, "gone"),
            AppError::ToolUnavailable(_) => (StatusCode::SERVICE_UNAVAILABLE, "tool_unavailable"),
            AppError::RateLimited(_) => (StatusCode::TOO_MANY_REQUESTS, "rate_limited"),
        }
    }

    pub fn body(&self) -> ApiError {
        let (_, code) = self.status_and_code();
        let message = match self {
            // Never leak internals to a client; they are logged.
            AppError::Internal(_) => "internal error; the operators have the details".into(),
            other => other.to_string(),
        };
        ApiError {
            error: code.into(),
            message,
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let (status, _) = self.status_and_code();
        if status.is_server_error() {
            tracing::error!(error = %self, "request failed");
        } else {
            tracing::debug!(error = %self, "request refused");
        }
        let mut res = (status, axum::Json(self.body())).into_response();
        if let AppError::RateLimited(secs) = self {
            res.headers_mut()
                .insert(axum::http::header::RETRY_AFTER, secs.into());
        }
        res
    }
}

impl From<congress_store::StoreError> for AppError {
    fn from(e: congress_store::StoreError) -> Self {
        AppError::Internal(e.to_string())
    }
}

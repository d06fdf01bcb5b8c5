//! The application's error type: why a request or command failed, with the status and the
//! stable code clients see (the HTTP layer turns it into a response in one place).

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
    /// The HTTP status and the stable code (`ApiError.error`) of this error.
    pub fn status_and_code(&self) -> (u16, &'static str) {
        match self {
            AppError::BadJson(_) => (400, "invalid_json"),
            AppError::Unauthorized | AppError::BadCredentials(_) => (401, "unauthorized"),
            AppError::Forbidden => (403, "forbidden"),
            AppError::NotFound(_) => (404, "not_found"),
            AppError::Conflict(_) => (409, "conflict"),
            AppError::MethodNotAllowed => (405, "method_not_allowed"),
            AppError::TooLarge(_) => (413, "too_large"),
            AppError::Domain(e) => (e.status(), e.code()),
            AppError::Unavailable => (503, "unavailable"),
            AppError::Internal(_) => (500, "internal"),
            AppError::BadDocument(_) => (422, "bad_document"),
            AppError::UploadTooLarge(_) => (413, "too_large"),
            AppError::NotReady => (503, "not_ready"),
            AppError::BadRequest(_) => (400, "bad_request"),
            AppError::Gone(_) => (410, "gone"),
            AppError::ToolUnavailable(_) => (503, "tool_unavailable"),
            AppError::RateLimited(_) => (429, "rate_limited"),
        }
    }

    pub fn status(&self) -> u16 {
        self.status_and_code().0
    }

    pub fn code(&self) -> &'static str {
        self.status_and_code().1
    }

    /// The error as clients see it; internal errors without their detail (it is logged).
    pub fn body(&self) -> ApiError {
        let message = match self {
            AppError::Internal(_) => "internal error; the operators have the details".into(),
            other => other.to_string(),
        };
        ApiError {
            error: self.code().into(),
            message,
        }
    }
}

impl From<congress_store::StoreError> for AppError {
    fn from(e: congress_store::StoreError) -> Self {
        AppError::Internal(e.to_string())
    }
}

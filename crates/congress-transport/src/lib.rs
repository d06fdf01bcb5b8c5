//! How bytes reach the routes, and nothing about the congress:
//!
//! - [`tls`]: the congress's certificate authority and the server certificate for every address
//!   of the machine (made at first start, renewed live);
//! - [`accept`]: the accept loop under the router: a cap on connections, TLS handshake and
//!   header deadlines, idle and stalled-write timeouts, and the plain-HTTP redirect listener;
//! - [`limits`]: per-address rate limits (login, pairing) and the security headers of every
//!   response.
//!
//! Refusals are answered in the protocol's error format (`congress_proto::ApiError`) by
//! [`api_error`], so clients see one shape whatever layer refused them.

pub mod accept;
pub mod limits;
pub mod tls;

pub use accept::{Guarded, Transport, ca_pem_response, redirect_router, run};

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

/// A refusal in the protocol's error format.
pub fn api_error(status: StatusCode, code: &str, message: impl Into<String>) -> Response {
    (
        status,
        axum::Json(congress_proto::ApiError {
            error: code.into(),
            message: message.into(),
        }),
    )
        .into_response()
}

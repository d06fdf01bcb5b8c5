//! What a device must trust: `/ca.pem` (the congress CA certificate, public) and `GET /api/tls`
//! (its fingerprint for the console). The CA's key is never served.

use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use congress_proto::TlsInfo;

use crate::extract::Auth;
use congress_app::AppError;
use congress_app::AppState;
use congress_app::auth::Caller;

use crate::error::HttpError;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/ca.pem", get(ca_pem))
        .route("/api/tls", get(info))
}

async fn ca_pem(State(app): State<AppState>) -> Response {
    match &app.tls {
        Some(tls) => congress_transport::accept::ca_pem_response(&tls.ca.cert_pem),
        None => HttpError::from(AppError::NotFound(
            "this server runs without TLS (tls = \"off\")".into(),
        ))
        .into_response(),
    }
}

#[utoipa::path(get, path = "/api/tls", tag = "transport", responses((status = 200, body = TlsInfo)))]
pub(crate) async fn info(
    State(app): State<AppState>,
    Auth(caller): Auth,
) -> Result<Json<TlsInfo>, HttpError> {
    if !matches!(caller, Caller::Operator { .. }) {
        return Err(AppError::Forbidden.into());
    }
    Ok(Json(match &app.tls {
        Some(tls) => TlsInfo {
            enabled: true,
            ca_sha256: Some(tls.ca.sha256()),
            ca_url: Some("/ca.pem".into()),
            http_port: app.redirect_port.get().copied(),
        },
        None => TlsInfo {
            enabled: false,
            ca_sha256: None,
            ca_url: None,
            http_port: None,
        },
    }))
}

//! The REST API (see `docs/protocol.md` for the table of routes and roles).

use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post, put};
use congress_domain::Command;
use congress_domain::{AccessCommand, AttendanceCommand, MeetingCommand};
use congress_proto::*;
use serde_json::json;

use crate::extract::Auth;
use crate::extract::{ApiJson, ApiPath};
use congress_app::AppError;
use congress_app::AppState;
use congress_app::access::record_same_operator;
use congress_app::auth::{self, Caller};
use congress_app::engine::Idempotency;

use crate::error::HttpError;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/health", get(health))
        .route("/api/login", post(login))
        .route("/api/logout", post(logout))
        .route("/api/me", get(me))
        .route("/api/congress", get(congress))
        .route("/api/delegates", get(delegates))
        .route("/api/delegates/{id}", get(delegate))
        .route("/api/agenda", get(agenda))
        .route("/api/agenda/current", put(set_current_item))
        .route("/api/attendance", get(attendance).post(set_attendance))
        .route("/api/attendance/summary", get(attendance_summary))
        .route("/api/devices", get(devices))
        .route("/api/devices/pairing-codes", post(create_pairing_code))
        .route("/api/devices/pair", post(pair))
        .route("/api/devices/{id}", delete(revoke_device))
        .route("/api/journal/head", get(journal_head))
        .route("/api/journal/witness", post(journal_witness))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
}

async fn method_not_allowed() -> HttpError {
    AppError::MethodNotAllowed.into()
}

async fn not_found() -> HttpError {
    AppError::NotFound("no such route".into()).into()
}

/// An engine answer is JSON already: send it as it is.
fn json_answer(v: serde_json::Value) -> Response {
    Json(v).into_response()
}

fn to_value<T: serde::Serialize>(v: &T) -> serde_json::Value {
    serde_json::to_value(v).unwrap_or(serde_json::Value::Null)
}

/// Whether the server is up. Nothing else: the journal head (which ticks with every ballot) is
/// for logged-in operators (`/api/journal/head`).
#[utoipa::path(get, path = "/api/health", tag = "meta", security(()), responses((status = 200, description = "the server is up", body = crate::openapi::Health)))]
async fn health() -> Json<serde_json::Value> {
    Json(json!({ "ok": true }))
}

/// A hash to verify against when the user does not exist, so that the time taken does not tell
/// which usernames exist.
static DUMMY_HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();

#[utoipa::path(post, path = "/api/login", tag = "auth", security(()), request_body = LoginRequest, responses((status = 200, body = LoginResponse)))]
async fn login(
    State(app): State<AppState>,
    ApiJson(req): ApiJson<LoginRequest>,
) -> Result<Json<LoginResponse>, HttpError> {
    let found = app
        .engine
        .read(|s| s.operators.get(req.username.trim()).cloned());
    let hash = match &found {
        Some(op) => op.password_hash.clone(),
        None => DUMMY_HASH
            .get_or_init(|| auth::hash_password("dummy").unwrap_or_default())
            .clone(),
    };
    let password = req.password.clone();
    let ok = tokio::task::spawn_blocking(move || auth::verify_password(&password, &hash))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let operator = match (ok, found) {
        (true, Some(op)) => op,
        _ => return Err(AppError::BadCredentials("wrong username or password").into()),
    };
    let token = auth::new_token();
    let expires_at = app.engine.now() + i64::from(app.config.session_hours) * 3_600_000;
    app.engine
        .run(
            Command::Access(AccessCommand::OpenSession {
                token_hash: auth::sha256_hex(&token),
                username: operator.username.clone(),
                expires_at,
            }),
            &format!("operator:{}", operator.username),
        )
        .await?;
    Ok(Json(LoginResponse {
        token,
        operator: operator.info(),
        expires_at,
    }))
}

#[utoipa::path(post, path = "/api/logout", tag = "auth", responses((status = 204, description = "the session is closed")))]
async fn logout(State(app): State<AppState>, Auth(caller): Auth) -> Result<StatusCode, HttpError> {
    let Caller::Operator { token_hash, .. } = &caller else {
        return Err(AppError::Forbidden.into());
    };
    app.engine
        .run(
            Command::Access(AccessCommand::CloseSession {
                token_hash: token_hash.clone(),
            }),
            &caller.actor(),
        )
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/api/me", tag = "auth", responses((status = 200, body = Me)))]
async fn me(State(app): State<AppState>, Auth(caller): Auth) -> Json<Me> {
    Json(match caller {
        Caller::Operator { operator, .. } => Me::Operator {
            operator: operator.info(),
        },
        Caller::Device(device) => {
            let delegate = device
                .delegate_id
                .as_ref()
                .and_then(|id| app.engine.read(|s| s.delegates.get(id).cloned()));
            Me::Device {
                device: Box::new(device),
                delegate,
            }
        }
    })
}

#[utoipa::path(get, path = "/api/congress", tag = "congress", responses((status = 200, body = Congress), crate::openapi::NotFound))]
async fn congress(
    State(app): State<AppState>,
    Auth(_caller): Auth,
) -> Result<Json<Congress>, HttpError> {
    Ok(app
        .engine
        .read(|s| s.congress.clone())
        .map(Json)
        .ok_or_else(|| AppError::NotFound("there is no congress yet".into()))?)
}

#[utoipa::path(get, path = "/api/delegates", tag = "congress", responses((status = 200, body = Vec<Delegate>)))]
async fn delegates(
    State(app): State<AppState>,
    Auth(caller): Auth,
) -> Result<Json<Vec<Delegate>>, HttpError> {
    caller.any_operator()?;
    Ok(Json(
        app.engine.read(|s| s.delegates.values().cloned().collect()),
    ))
}

#[utoipa::path(get, path = "/api/delegates/{id}", tag = "congress", params(("id" = String, Path)), responses((status = 200, body = Delegate)))]
async fn delegate(
    State(app): State<AppState>,
    Auth(caller): Auth,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<Delegate>, HttpError> {
    match &caller {
        Caller::Operator { .. } => {}
        Caller::Device(d) if d.delegate_id.as_deref() == Some(id.as_str()) => {}
        Caller::Device(_) => return Err(AppError::Forbidden.into()),
    }
    Ok(app
        .engine
        .read(|s| s.delegates.get(&id).cloned())
        .map(Json)
        .ok_or(AppError::NotFound(format!("unknown delegate {id}")))?)
}

#[utoipa::path(get, path = "/api/agenda", tag = "congress", responses((status = 200, body = Agenda)))]
async fn agenda(State(app): State<AppState>, Auth(_caller): Auth) -> Json<Agenda> {
    Json(app.engine.read(|s| s.agenda.clone()))
}

#[utoipa::path(put, path = "/api/agenda/current", tag = "congress", request_body = SetCurrentItem, responses((status = 200, body = AgendaAck), crate::openapi::Refused))]
async fn set_current_item(
    State(app): State<AppState>,
    Auth(caller): Auth,
    ApiJson(req): ApiJson<SetCurrentItem>,
) -> Result<Response, HttpError> {
    caller.operator_with(&[OperatorRole::Secretariat])?;
    let idem = Idempotency::of(&req.client_id, &caller.actor(), &req)?;
    let client_id = req.client_id.clone();
    let v = app
        .engine
        .execute(
            Command::Meeting(MeetingCommand::SetCurrentItem(req.item_id)),
            caller.actor(),
            Some(idem),
            move |a| {
                to_value(&AgendaAck {
                    client_id,
                    seq: a.seq,
                    agenda: a.state.agenda.clone(),
                })
            },
        )
        .await?;
    Ok(json_answer(v))
}

#[utoipa::path(get, path = "/api/attendance", tag = "attendance", responses((status = 200, body = AttendanceList)))]
async fn attendance(
    State(app): State<AppState>,
    Auth(caller): Auth,
) -> Result<Json<AttendanceList>, HttpError> {
    caller.any_operator()?;
    Ok(Json(app.engine.read(|s| {
        let mut records: Vec<AttendanceRecord> = s.attendance.values().cloned().collect();
        records.sort_by(|a, b| a.delegate_id.cmp(&b.delegate_id));
        AttendanceList {
            summary: s.summary(),
            records,
        }
    })))
}

#[utoipa::path(get, path = "/api/attendance/summary", tag = "attendance", responses((status = 200, body = AttendanceSummary)))]
async fn attendance_summary(
    State(app): State<AppState>,
    Auth(_caller): Auth,
) -> Json<AttendanceSummary> {
    Json(app.engine.read(|s| s.summary()))
}

#[utoipa::path(post, path = "/api/attendance", tag = "attendance", request_body = SetAttendanceRequest, responses((status = 200, body = AttendanceAck), crate::openapi::Refused))]
async fn set_attendance(
    State(app): State<AppState>,
    Auth(caller): Auth,
    ApiJson(req): ApiJson<SetAttendanceRequest>,
) -> Result<Response, HttpError> {
    let op = caller.operator_with(&[OperatorRole::Credentials])?;
    let idem = Idempotency::of(&req.client_id, &caller.actor(), &req)?;
    let client_id = req.client_id.clone();
    let delegate_id = req.delegate_id.clone();
    let cmd = Command::Attendance(AttendanceCommand::SetAttendance {
        delegate_id: req.delegate_id,
        status: req.status,
        source: AttendanceSource::Operator {
            username: op.username.clone(),
        },
        kiosk: None,
        reason: Some(req.reason),
    });
    let answer = app
        .engine
        .execute(cmd, caller.actor(), Some(idem), move |a| {
            let record = a.state.attendance.get(&delegate_id).cloned();
            let changed = !a.events.is_empty();
            match record {
                Some(record) => to_value(&AttendanceAck {
                    client_id,
                    seq: a.seq,
                    record,
                    summary: a.state.summary(),
                    changed,
                }),
                None => json!(null),
            }
        })
        .await;
    // Two operators for marking present and pairing (issue 13, finding 7): a refusal is journalled.
    let v = record_same_operator(&app.engine, &caller.actor(), answer).await?;
    if v.is_null() {
        // Marking absent someone who never arrived: nothing to record.
        return Err(AppError::Domain(congress_domain::DomainError::Invalid(
            "the delegate is already absent".into(),
        ))
        .into());
    }
    Ok(json_answer(v))
}

#[utoipa::path(get, path = "/api/devices", tag = "devices", responses((status = 200, body = Vec<Device>)))]
async fn devices(
    State(app): State<AppState>,
    Auth(caller): Auth,
) -> Result<Json<Vec<Device>>, HttpError> {
    caller.any_operator()?;
    Ok(Json(app.engine.read(|s| {
        s.devices.values().map(|d| d.device.clone()).collect()
    })))
}

#[utoipa::path(post, path = "/api/devices/pairing-codes", tag = "devices", request_body = CreatePairingCode, responses((status = 200, body = PairingCode), crate::openapi::Refused))]
async fn create_pairing_code(
    State(app): State<AppState>,
    Auth(caller): Auth,
    ApiJson(req): ApiJson<CreatePairingCode>,
) -> Result<Json<PairingCode>, HttpError> {
    let op = caller.operator_with(&[OperatorRole::Secretariat, OperatorRole::Credentials])?;
    let code = auth::new_pairing_code();
    let expires_at = app.engine.now() + i64::from(app.config.pairing_code_minutes) * 60_000;
    let made = app
        .engine
        .run(
            Command::Access(AccessCommand::CreatePairingCode {
                code_hash: auth::sha256_hex(&code),
                kind: req.kind,
                delegate_id: req.delegate_id.clone(),
                label: req.label,
                direction: req.direction,
                expires_at,
                created_by: op.username.clone(),
            }),
            &caller.actor(),
        )
        .await;
    record_same_operator(&app.engine, &caller.actor(), made).await?;
    Ok(Json(PairingCode {
        code,
        kind: req.kind,
        delegate_id: req.delegate_id,
        expires_at,
    }))
}

#[utoipa::path(post, path = "/api/devices/pair", tag = "devices", security(()), request_body = PairRequest, responses((status = 200, body = PairResponse), crate::openapi::Refused))]
async fn pair(
    State(app): State<AppState>,
    ApiJson(req): ApiJson<PairRequest>,
) -> Result<Json<PairResponse>, HttpError> {
    let code = req.code.trim();
    if code.len() != 8 || !code.chars().all(|c| c.is_ascii_digit()) {
        return Err(
            AppError::Domain(congress_domain::access::AccessError::BadPairingCode.into()).into(),
        );
    }
    let token = auth::new_token();
    let code_hash = auth::sha256_hex(code);
    let kind = app
        .engine
        .read(|s| s.pairing_codes.get(&code_hash).map(|p| p.kind))
        .ok_or(AppError::Domain(
            congress_domain::access::AccessError::BadPairingCode.into(),
        ))?;
    let prefix = match kind {
        DeviceKind::Tablet => "T",
        DeviceKind::Kiosk => "K",
        DeviceKind::Projector => "P",
    };
    let device_id = auth::new_id(prefix);
    let id = device_id.clone();
    let paired = app
        .engine
        .execute(
            Command::Access(AccessCommand::Pair {
                code_hash,
                device_id,
                token_hash: auth::sha256_hex(&token),
                recipient: req.recipient,
                credential: req.credential,
            }),
            "pairing".into(),
            None,
            move |a| to_value(&a.state.devices.get(&id).map(|d| d.device.clone())),
        )
        .await;
    let v = record_same_operator(&app.engine, "pairing", paired).await?;
    let device: Device =
        serde_json::from_value(v).map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(Json(PairResponse {
        device_token: token,
        device,
    }))
}

#[utoipa::path(delete, path = "/api/devices/{id}", tag = "devices", params(("id" = String, Path)), responses((status = 200, body = Device), crate::openapi::Refused))]
async fn revoke_device(
    State(app): State<AppState>,
    Auth(caller): Auth,
    ApiPath(id): ApiPath<String>,
) -> Result<Response, HttpError> {
    let op = caller.operator_with(&[OperatorRole::Secretariat])?;
    let device_id = id.clone();
    let v = app
        .engine
        .execute(
            Command::Access(AccessCommand::RevokeDevice {
                device_id,
                by: op.username.clone(),
            }),
            caller.actor(),
            None,
            move |a| to_value(&a.state.devices.get(&id).map(|d| d.device.clone())),
        )
        .await?;
    Ok(json_answer(v))
}

#[utoipa::path(get, path = "/api/journal/head", tag = "meta", responses((status = 200, body = JournalHead)))]
async fn journal_head(
    State(app): State<AppState>,
    Auth(caller): Auth,
) -> Result<Json<JournalHead>, HttpError> {
    caller.any_operator()?;
    Ok(Json(app.engine.read(|s| s.head.clone())))
}

/// A device or operator checks the journal heads it saw (at most 64) against the journal; any
/// mismatch raises a `journal_rewritten` security alarm on the consoles (issue 13, finding 16).
#[utoipa::path(post, path = "/api/journal/witness", tag = "meta", request_body = WitnessRequest, responses((status = 200, body = WitnessAnswer), crate::openapi::Refused))]
async fn journal_witness(
    State(app): State<AppState>,
    Auth(caller): Auth,
    ApiJson(req): ApiJson<WitnessRequest>,
) -> Result<Json<WitnessAnswer>, HttpError> {
    Ok(Json(
        congress_app::witness::check(&app, &caller.actor(), req.heads).await?,
    ))
}

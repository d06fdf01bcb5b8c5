//! REST for notices and discussion groups. The secretariat (and admins) send notices and
//! designate group secretaries; any operator reads notices with their receipts and the groups
//! with their submitted summaries; a tablet reads its own group. Read receipts, opinions and
//! summaries come from tablets over `/ws/tablet` (see `crate::groups`).

use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::routing::{get, put};
use congress_domain::Command;
use congress_domain::{GroupCommand, NoticeCommand, NoticeEvent};
use congress_proto::*;

use crate::extract::ApiJson;
use crate::extract::Auth;
use congress_app::AppError;
use congress_app::AppState;
use congress_app::engine::Idempotency;

use crate::error::HttpError;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/notices", get(list_notices).post(send_notice))
        .route("/api/groups", get(groups))
        .route("/api/groups/secretary", put(set_secretary))
        .route("/api/groups/mine", get(my_group))
}

const MANAGE: &[OperatorRole] = &[OperatorRole::Secretariat];

#[utoipa::path(get, path = "/api/notices", tag = "groups", responses((status = 200, body = Vec<NoticeStatus>)))]
async fn list_notices(
    State(app): State<AppState>,
    Auth(caller): Auth,
) -> Result<Json<Vec<NoticeStatus>>, HttpError> {
    caller.any_operator()?;
    Ok(Json(
        app.engine.read(congress_app::notices::notice_statuses),
    ))
}

#[utoipa::path(post, path = "/api/notices", tag = "groups", request_body = SendNotice, responses((status = 200, body = NoticeAck), crate::openapi::Refused))]
async fn send_notice(
    State(app): State<AppState>,
    Auth(caller): Auth,
    ApiJson(req): ApiJson<SendNotice>,
) -> Result<Json<serde_json::Value>, HttpError> {
    let op = caller.operator_with(MANAGE)?;
    let idem = Idempotency::of(&req.client_id, &caller.actor(), &req)?;
    let cmd = Command::Notices(NoticeCommand::SendNotice {
        text: req.text,
        audience: req.audience,
        by: op.username.clone(),
    });
    let v = app
        .engine
        .execute(cmd, caller.actor(), Some(idem), |a| {
            let notice = a.events.iter().find_map(|(_, e)| match e {
                congress_domain::Event::Notices(NoticeEvent::NoticeSent { notice }) => {
                    Some(notice.clone())
                }
                _ => None,
            });
            match notice {
                Some(notice) => {
                    serde_json::to_value(NoticeAck { seq: a.seq, notice }).unwrap_or_default()
                }
                None => serde_json::Value::Null,
            }
        })
        .await?;
    Ok(Json(v))
}

#[utoipa::path(get, path = "/api/groups", tag = "groups", responses((status = 200, body = GroupsOverview)))]
async fn groups(
    State(app): State<AppState>,
    Auth(caller): Auth,
) -> Result<Json<GroupsOverview>, HttpError> {
    caller.any_operator()?;
    Ok(Json(app.engine.read(congress_app::groups::overview)))
}

#[utoipa::path(put, path = "/api/groups/secretary", tag = "groups", request_body = SetSecretary, responses((status = 200, body = GroupInfo), crate::openapi::Refused))]
async fn set_secretary(
    State(app): State<AppState>,
    Auth(caller): Auth,
    ApiJson(req): ApiJson<SetSecretary>,
) -> Result<Json<serde_json::Value>, HttpError> {
    caller.operator_with(MANAGE)?;
    let idem = Idempotency::of(&req.client_id, &caller.actor(), &req)?;
    let group = req.group.clone();
    let cmd = Command::Groups(GroupCommand::SetSecretary {
        group: req.group,
        delegate_id: req.delegate_id,
    });
    let v = app
        .engine
        .execute(cmd, caller.actor(), Some(idem), move |a| {
            let info = congress_app::groups::overview(a.state)
                .groups
                .into_iter()
                .find(|g| g.group == group);
            serde_json::to_value(info).unwrap_or_default()
        })
        .await?;
    Ok(Json(v))
}

#[utoipa::path(get, path = "/api/groups/mine", tag = "groups", responses((status = 200, body = MyGroup), crate::openapi::Refused))]
async fn my_group(
    State(app): State<AppState>,
    Auth(caller): Auth,
) -> Result<Json<MyGroup>, HttpError> {
    let device = caller.device_of(DeviceKind::Tablet)?;
    let delegate = device.delegate_id.clone().ok_or(AppError::Forbidden)?;
    Ok(Json(
        app.engine
            .read(|s| congress_app::groups::my_group(s, &delegate))?,
    ))
}

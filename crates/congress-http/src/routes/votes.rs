//! REST for votes: the secretariat (and admins) create, open and close votes and make runoffs;
//! any operator lists them and exports results. Delegates vote over `/ws/tablet` only.

use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use congress_domain::Command;
use congress_domain::vote::default_rule;
use congress_domain::{Event, VoteCommand, VoteEvent};
use congress_proto::*;

use crate::extract::Auth;
use crate::extract::{ApiJson, ApiPath};
use congress_app::AppError;
use congress_app::AppState;
use congress_app::auth::Caller;
use congress_app::engine::Idempotency;

use crate::error::HttpError;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/votes", get(list).post(create))
        .route("/api/votes/{id}", get(one))
        .route("/api/votes/{id}/open", post(open))
        .route("/api/votes/{id}/close", post(close))
        .route("/api/votes/{id}/runoff", post(runoff))
        .route("/api/votes/{id}/result.json", get(export_json))
        .route("/api/votes/{id}/result.csv", get(export_csv))
}

const MANAGE: &[OperatorRole] = &[OperatorRole::Secretariat];

#[utoipa::path(get, path = "/api/votes", tag = "votes", responses((status = 200, body = Vec<VoteInfo>)))]
async fn list(
    State(app): State<AppState>,
    Auth(caller): Auth,
) -> Result<Json<Vec<VoteInfo>>, HttpError> {
    caller.any_operator()?;
    Ok(Json(app.engine.read(|s| {
        congress_app::votes::visible_votes(s, None, true)
    })))
}

fn find(app: &AppState, id: u64) -> Result<VoteInfo, AppError> {
    app.engine
        .read(|s| s.votes.get(&id).map(|v| congress_app::votes::info(v, None)))
        .ok_or_else(|| AppError::NotFound(format!("unknown vote {id}")))
}

#[utoipa::path(get, path = "/api/votes/{id}", tag = "votes", params(("id" = u64, Path)), responses((status = 200, body = VoteInfo)))]
async fn one(
    State(app): State<AppState>,
    Auth(caller): Auth,
    ApiPath(id): ApiPath<u64>,
) -> Result<Json<VoteInfo>, HttpError> {
    caller.any_operator()?;
    Ok(Json(find(&app, id)?))
}

/// Runs a vote command and answers with the vote it concerns.
async fn run<T: serde::Serialize>(
    app: &AppState,
    caller: &Caller,
    client_id: &str,
    req: &T,
    cmd: Command,
) -> Result<Response, HttpError> {
    caller.operator_with(MANAGE)?;
    let idem = Idempotency::of(client_id, &caller.actor(), req)?;
    let v = app
        .engine
        .execute(cmd, caller.actor(), Some(idem), |a| {
            let id = a.events.iter().find_map(|(_, e)| match e {
                Event::Votes(VoteEvent::VoteCreated { spec, .. }) => Some(spec.id.0),
                Event::Votes(
                    VoteEvent::VoteOpened { vote_id, .. }
                    | VoteEvent::VoteClosed { vote_id, .. }
                    | VoteEvent::EncryptedVoteClosed { vote_id, .. },
                ) => Some(*vote_id),
                _ => None,
            });
            id.and_then(|id| a.state.votes.get(&id))
                .map(|v| {
                    serde_json::to_value(congress_app::votes::info(v, None)).unwrap_or_default()
                })
                .unwrap_or_default()
        })
        .await?;
    Ok(Json(v).into_response())
}

#[utoipa::path(post, path = "/api/votes", tag = "votes", request_body = CreateVote, responses((status = 200, body = VoteInfo), crate::openapi::Refused))]
async fn create(
    State(app): State<AppState>,
    Auth(caller): Auth,
    ApiJson(req): ApiJson<CreateVote>,
) -> Result<Response, HttpError> {
    caller.operator_with(MANAGE)?;
    congress_app::votes::encrypted::may_create(
        &app.engine,
        app.config.secret_needs_board,
        req.secrecy,
    )?;
    let mut spec = VoteSpec::new(VoteId(0), req.title.trim(), req.kind.clone(), req.secrecy);
    spec.rule = req.rule.unwrap_or_else(|| default_rule(&spec.kind));
    spec.allow_change = req.allow_change;
    spec.show_running_tally = req.show_running_tally;
    spec.turnout = Some(
        req.turnout
            .unwrap_or(TurnoutRule::MORE_THAN_HALF_OF_PRESENT),
    );
    if req.duration_s.is_some_and(|d| d == 0 || d > 24 * 3600) {
        return Err(AppError::BadJson("duration_s must be 1 to 86400".into()).into());
    }
    let cmd = Command::Votes(VoteCommand::CreateVote {
        spec,
        duration_s: req.duration_s,
    });
    run(&app, &caller, &req.client_id, &req, cmd).await
}

#[utoipa::path(post, path = "/api/votes/{id}/open", tag = "votes", params(("id" = u64, Path)), request_body = VoteAction, responses((status = 200, body = VoteInfo), crate::openapi::Refused))]
async fn open(
    State(app): State<AppState>,
    Auth(caller): Auth,
    ApiPath(id): ApiPath<u64>,
    ApiJson(req): ApiJson<VoteAction>,
) -> Result<Response, HttpError> {
    let body = (id, "open", &req);
    run(
        &app,
        &caller,
        &req.client_id,
        &body,
        Command::Votes(VoteCommand::OpenVote { vote_id: id }),
    )
    .await
}

#[utoipa::path(post, path = "/api/votes/{id}/close", tag = "votes", params(("id" = u64, Path)), request_body = VoteAction, responses((status = 200, body = VoteInfo), crate::openapi::Refused))]
async fn close(
    State(app): State<AppState>,
    Auth(caller): Auth,
    ApiPath(id): ApiPath<u64>,
    ApiJson(req): ApiJson<VoteAction>,
) -> Result<Response, HttpError> {
    let body = (id, "close", &req);
    run(
        &app,
        &caller,
        &req.client_id,
        &body,
        Command::Votes(VoteCommand::CloseVote { vote_id: id }),
    )
    .await
}

#[utoipa::path(post, path = "/api/votes/{id}/runoff", tag = "votes", params(("id" = u64, Path)), request_body = VoteAction, responses((status = 200, body = VoteInfo), crate::openapi::Refused))]
async fn runoff(
    State(app): State<AppState>,
    Auth(caller): Auth,
    ApiPath(id): ApiPath<u64>,
    ApiJson(req): ApiJson<VoteAction>,
) -> Result<Response, HttpError> {
    let body = (id, "runoff", &req);
    run(
        &app,
        &caller,
        &req.client_id,
        &body,
        Command::Votes(VoteCommand::CreateRunoff { from: id }),
    )
    .await
}

fn export(app: &AppState, id: u64) -> Result<VoteExport, HttpError> {
    app.engine.read(|s| {
        let v = s
            .votes
            .get(&id)
            .ok_or_else(|| AppError::NotFound(format!("unknown vote {id}")))?;
        if v.result.is_none() {
            return Err(AppError::Domain(congress_domain::DomainError::Vote(
                congress_domain::vote::lifecycle::VoteError::NotClosed,
            ))
            .into());
        }
        let by_receipt: std::collections::HashMap<&String, &String> =
            v.open_ballots.iter().map(|(d, (r, _))| (r, d)).collect();
        let ballots = v
            .published_ballots()
            .into_iter()
            .map(|(r, b)| PublishedBallot {
                receipt: r.clone(),
                choice: b.choice().clone(),
                status: match b.status() {
                    // Valid, but counted apart (as `struck_all`): say so.
                    congress_domain::vote::BallotStatus::Valid
                        if matches!(b.choice(), BallotChoice::Election { kept } if kept.is_empty()) =>
                    {
                        "struck_all".into()
                    }
                    congress_domain::vote::BallotStatus::Valid => "valid".into(),
                    congress_domain::vote::BallotStatus::Blank => "blank".into(),
                    congress_domain::vote::BallotStatus::Invalid { .. } => "invalid".into(),
                },
                delegate_id: by_receipt.get(r).map(|d| (*d).clone()),
            })
            .collect();
        let mut voters: Vec<String> = v.voters().cloned().collect();
        voters.sort();
        Ok(VoteExport {
            vote: congress_app::votes::info(v, None),
            ballots,
            voters,
        })
    })
}

#[utoipa::path(get, path = "/api/votes/{id}/result.json", tag = "votes", params(("id" = u64, Path)), responses((status = 200, body = VoteExport), crate::openapi::Refused))]
async fn export_json(
    State(app): State<AppState>,
    Auth(caller): Auth,
    ApiPath(id): ApiPath<u64>,
) -> Result<Json<VoteExport>, HttpError> {
    caller.any_operator()?;
    Ok(Json(export(&app, id)?))
}

fn choice_text(c: &BallotChoice) -> String {
    match c {
        BallotChoice::Motion { position } => format!("{position:?}").to_lowercase(),
        BallotChoice::Choice { option } => option.to_string(),
        BallotChoice::Election { kept } => kept
            .iter()
            .map(|k| k.to_string())
            .collect::<Vec<_>>()
            .join(" "),
        BallotChoice::Blank => "blank".into(),
    }
}

#[utoipa::path(get, path = "/api/votes/{id}/result.csv", tag = "votes", params(("id" = u64, Path)), responses((status = 200, description = "the published ballots as CSV", content_type = "text/csv", body = String), crate::openapi::Refused))]
async fn export_csv(
    State(app): State<AppState>,
    Auth(caller): Auth,
    ApiPath(id): ApiPath<u64>,
) -> Result<Response, HttpError> {
    caller.any_operator()?;
    let e = export(&app, id)?;
    let mut w = Guarded(csv::Writer::from_writer(Vec::new()));
    let io = |e: csv::Error| AppError::Internal(e.to_string());
    w.write_record(["vote", "title", "outcome"]).map_err(io)?;
    let outcome = e
        .vote
        .result
        .as_ref()
        .map(|r| serde_json::to_string(&r.outcome).unwrap_or_default())
        .unwrap_or_default();
    w.write_record([&id.to_string(), &e.vote.spec.title, &outcome])
        .map_err(io)?;
    if let Some(r) = &e.vote.result {
        w.write_record(["option", "votes", ""]).map_err(io)?;
        match &r.counts {
            VoteCounts::Motion(MotionCounts {
                for_,
                against,
                abstain,
            }) => {
                for (k, n) in [("for", for_), ("against", against), ("abstain", abstain)] {
                    w.write_record([k, &n.to_string(), ""]).map_err(io)?;
                }
            }
            VoteCounts::Options { options } => {
                for o in options {
                    let label = e.vote.spec.kind.clone();
                    let label = match label {
                        VoteKind::Choice { options }
                        | VoteKind::Election {
                            candidates: options,
                            ..
                        } => options
                            .into_iter()
                            .find(|x| x.id == o.option)
                            .map(|x| x.label)
                            .unwrap_or_default(),
                        VoteKind::Motion => String::new(),
                    };
                    w.write_record([&label, &o.votes.to_string(), &o.option.to_string()])
                        .map_err(io)?;
                }
            }
        }
        let b = r.ballots;
        for (k, n) in [
            ("cast", b.cast),
            ("valid", b.valid),
            ("invalid", b.invalid),
            ("blank", b.blank),
        ] {
            w.write_record([k, &n.to_string(), ""]).map_err(io)?;
        }
    }
    w.write_record(["receipt", "choice", "status"])
        .map_err(io)?;
    for b in &e.ballots {
        w.write_record([&b.receipt, &choice_text(&b.choice), &b.status])
            .map_err(io)?;
    }
    let bytes =
        w.0.into_inner()
            .map_err(|e| AppError::Internal(e.to_string()))?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"vote-result.csv\"",
            ),
        ],
        bytes,
    )
        .into_response())
}

/// A CSV writer whose every cell is guarded against formula injection (issue 13, finding 10):
/// titles, option labels and choices are typed by people.
struct Guarded(csv::Writer<Vec<u8>>);

impl Guarded {
    fn write_record<const N: usize, S: AsRef<str>>(&mut self, cells: [S; N]) -> csv::Result<()> {
        self.0.write_record(
            cells
                .iter()
                .map(|c| congress_minutes::csv::guard(c.as_ref())),
        )
    }
}

//! Reports derived from the journal: the minutes (`/api/minutes.html|.csv|.pdf`) and the audit
//! log (`/api/audit`). Read-only: the journal is read on its own read-only connection, off the
//! async runtime. Admin, secretariat and observers only.

use std::collections::HashMap;

use axum::Json;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use congress_minutes::{Lang, Record};
use congress_proto::{AuditPage, OperatorRole};
use congress_store::{JournalReader, PageFilter};

use crate::extract::Auth;
use congress_app::AppError;
use congress_app::AppState;
use congress_app::auth::Caller;

use crate::error::HttpError;
use congress_app::minutes::{self, Format};

/// Who may read reports (admins always may).
const READERS: &[OperatorRole] = &[OperatorRole::Secretariat, OperatorRole::Observer];

/// Largest audit page.
pub const MAX_AUDIT_PAGE: usize = 500;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/minutes.html", get(minutes_html))
        .route("/api/minutes.csv", get(minutes_csv))
        .route("/api/minutes.pdf", get(minutes_pdf))
        .route("/api/audit", get(audit))
}

fn lang_of(q: &HashMap<String, String>) -> Result<Lang, AppError> {
    match q.get("lang") {
        None => Ok(Lang::Vi),
        Some(l) => Lang::parse(l).ok_or_else(|| {
            AppError::BadRequest(format!(
                "unknown language {:?}: use vi, en or ar",
                l.chars().take(20).collect::<String>()
            ))
        }),
    }
}

async fn minutes_in(
    app: AppState,
    caller: Caller,
    q: HashMap<String, String>,
    format: Format,
) -> Result<Response, HttpError> {
    caller.operator_with(READERS)?;
    let lang = lang_of(&q)?;
    let body = minutes::render(app.keys.db.clone(), format, lang, &app.config.minutes).await?;
    let disposition = match format {
        Format::Html => "inline".to_string(),
        _ => format!(
            "attachment; filename=\"minutes-{}.{}\"",
            lang.code(),
            format.extension()
        ),
    };
    let mut resp = body.into_response();
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(format.content_type()),
    );
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(resp)
}

#[utoipa::path(get, path = "/api/minutes.html", tag = "reports", params(("lang" = Option<String>, Query, description = "vi (default), en or ar")), responses((status = 200, description = "the minutes as a self-contained HTML page", content_type = "text/html", body = String), crate::openapi::Refused))]
async fn minutes_html(
    State(app): State<AppState>,
    Auth(caller): Auth,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, HttpError> {
    minutes_in(app, caller, q, Format::Html).await
}

#[utoipa::path(get, path = "/api/minutes.csv", tag = "reports", params(("lang" = Option<String>, Query, description = "vi (default), en or ar")), responses((status = 200, description = "the minutes as CSV (UTF-8 with BOM)", content_type = "text/csv", body = String), crate::openapi::Refused))]
async fn minutes_csv(
    State(app): State<AppState>,
    Auth(caller): Auth,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, HttpError> {
    minutes_in(app, caller, q, Format::Csv).await
}

#[utoipa::path(get, path = "/api/minutes.pdf", tag = "reports", params(("lang" = Option<String>, Query, description = "vi (default), en or ar")), responses((status = 200, description = "the minutes as PDF", content_type = "application/pdf", body = crate::openapi::Binary), crate::openapi::Refused))]
async fn minutes_pdf(
    State(app): State<AppState>,
    Auth(caller): Auth,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, HttpError> {
    minutes_in(app, caller, q, Format::Pdf).await
}

/// Parses the audit query: `before`, `limit` (1..=500, default 100), `actor`, `kind`
/// (comma-separated), `lang`.
fn audit_filter(q: &HashMap<String, String>) -> Result<PageFilter, HttpError> {
    let num = |name: &str| -> Result<Option<u64>, AppError> {
        q.get(name)
            .map(|v| {
                v.parse::<u64>().map_err(|_| {
                    AppError::BadRequest(format!("{name} must be a whole number, not {v:?}"))
                })
            })
            .transpose()
    };
    let limit = num("limit")?.unwrap_or(100);
    if limit == 0 || limit > MAX_AUDIT_PAGE as u64 {
        return Err(
            AppError::BadRequest(format!("limit must be between 1 and {MAX_AUDIT_PAGE}")).into(),
        );
    }
    let actor = q.get("actor").filter(|a| !a.is_empty()).cloned();
    if actor.as_ref().is_some_and(|a| a.len() > 200) {
        return Err(AppError::BadRequest("actor is too long".into()).into());
    }
    let kinds: Vec<String> = q
        .get("kind")
        .map(|k| {
            k.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(String::from)
                .collect()
        })
        .unwrap_or_default();
    if kinds
        .iter()
        .any(|k| k.len() > 64 || !k.chars().all(|c| c.is_ascii_lowercase() || c == '_'))
    {
        return Err(AppError::BadRequest(
            "kind must be event kinds like attendance_changed, separated by commas".into(),
        )
        .into());
    }
    Ok(PageFilter {
        before: num("before")?,
        limit: limit as usize,
        actor,
        kinds,
    })
}

#[utoipa::path(get, path = "/api/audit", tag = "reports", params(("before" = Option<u64>, Query, description = "entries before this seq"), ("limit" = Option<u32>, Query, description = "at most 500"), ("actor" = Option<String>, Query), ("kind" = Option<String>, Query), ("lang" = Option<String>, Query)), responses((status = 200, body = AuditPage), crate::openapi::Refused))]
async fn audit(
    State(app): State<AppState>,
    Auth(caller): Auth,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Json<AuditPage>, HttpError> {
    caller.operator_with(READERS)?;
    let lang = lang_of(&q)?;
    let filter = audit_filter(&q)?;
    let db = app.keys.db.clone();
    let limit = filter.limit;
    let rows = tokio::task::spawn_blocking(move || JournalReader::open(&db)?.page(&filter))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))??;
    let next_before = (rows.len() == limit)
        .then(|| rows.last().map(|r| r.seq))
        .flatten();
    let entries = app.engine.read(|s| {
        rows.into_iter()
            .map(|e| {
                congress_minutes::audit::entry(
                    &Record {
                        seq: e.seq,
                        at: e.at,
                        actor: e.actor,
                        event: e.event,
                        hash: e.hash,
                    },
                    s,
                    lang,
                )
            })
            .collect()
    });
    Ok(Json(AuditPage {
        entries,
        next_before,
    }))
}

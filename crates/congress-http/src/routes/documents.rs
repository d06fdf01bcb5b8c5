//! Document routes: upload (secretariat), listing, metadata, delivery of the encrypted copy to
//! tablets (Range, ETag, If-None-Match), and search. A tablet asking for a document it may not
//! read gets the same 404 as for a document that does not exist.

use congress_domain::DocumentCommand;
use std::collections::HashMap;
use std::io::SeekFrom;

use crate::range::{RangeRequest, if_none_match, if_range_matches, parse_range};
use axum::Json;
use axum::Router;
use axum::body::Body;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use congress_domain::Command;
use congress_proto::*;
use futures_util::StreamExt;
use tokio::io::{AsyncReadExt, AsyncSeekExt, AsyncWriteExt};

use crate::extract::Auth;
use crate::extract::{ApiJson, ApiPath};
use congress_app::AppError;
use congress_app::AppState;
use congress_app::auth::Caller;
use congress_app::documents::{changed_pages, for_tablet, tablet_may_read};

use crate::error::HttpError;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/documents", get(list).post(upload_new))
        .route("/api/documents/{id}", get(one).put(update))
        .route("/api/documents/{id}/versions", post(upload_version))
        .route("/api/documents/{id}/versions/{v}/content", get(content))
        .route("/api/search", get(search))
}

fn no_such_document() -> AppError {
    AppError::NotFound("no such document".into())
}

pub fn parse_audience(s: &str) -> Result<DocAudience, HttpError> {
    match s.trim() {
        "all" | "all_delegates" => Ok(DocAudience::AllDelegates),
        "presidium" => Ok(DocAudience::Presidium),
        other => match other.strip_prefix("group:") {
            Some(g) if !g.trim().is_empty() => Ok(DocAudience::Group {
                group: g.trim().to_string(),
            }),
            _ => Err(
                AppError::BadJson("audience must be all, presidium or group:NAME".into()).into(),
            ),
        },
    }
}

fn pdf_error(e: congress_docs::pdf::PdfError) -> AppError {
    use congress_docs::pdf::PdfError as P;
    match e {
        P::Empty | P::NotPdf { .. } | P::Encrypted { .. } | P::Corrupt { .. } => {
            AppError::BadDocument(e.to_string())
        }
        P::Timeout { .. } => AppError::BadDocument(e.to_string()),
        other => AppError::Internal(other.to_string()),
    }
}

#[utoipa::path(post, path = "/api/documents", tag = "documents", params(crate::openapi::UploadQuery), request_body(content = crate::openapi::Binary, content_type = "application/octet-stream", description = "the PDF file"), responses((status = 200, body = UploadAck), crate::openapi::Refused))]
async fn upload_new(
    State(app): State<AppState>,
    Auth(caller): Auth,
    Query(q): Query<HashMap<String, String>>,
    body: Body,
) -> Result<Json<UploadAck>, HttpError> {
    caller.operator_with(&[OperatorRole::Secretariat])?;
    let title = q
        .get("title")
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty())
        .ok_or_else(|| AppError::BadJson("title is required".into()))?;
    let audience = parse_audience(q.get("audience").map_or("all", String::as_str))?;
    let agenda_item_id = q.get("agenda_item_id").filter(|s| !s.is_empty()).cloned();
    if let Some(item) = &agenda_item_id
        && !app
            .engine
            .read(|s| s.agenda.items.iter().any(|i| &i.id == item))
    {
        return Err(AppError::NotFound(format!("unknown agenda item {item}")).into());
    }
    let id = app.docs.allocate_id();
    receive(
        app,
        caller,
        id,
        true,
        Some((title, agenda_item_id, audience)),
        q,
        body,
    )
    .await
}

#[utoipa::path(post, path = "/api/documents/{id}/versions", tag = "documents", params(("id" = i64, Path), crate::openapi::VersionQuery), request_body(content = crate::openapi::Binary, content_type = "application/octet-stream", description = "the PDF file"), responses((status = 200, body = UploadAck), crate::openapi::Refused))]
async fn upload_version(
    State(app): State<AppState>,
    Auth(caller): Auth,
    ApiPath(id): ApiPath<i64>,
    Query(q): Query<HashMap<String, String>>,
    body: Body,
) -> Result<Json<UploadAck>, HttpError> {
    caller.operator_with(&[OperatorRole::Secretariat])?;
    if !app.engine.read(|s| s.docs.documents.contains_key(&id)) {
        return Err(no_such_document().into());
    }
    receive(app, caller, id, false, None, q, body).await
}

/// Streams the upload to a temporary file, validates it, stores it encrypted, records the
/// version, and indexes its text. Nothing is kept when any step fails.
async fn receive(
    app: AppState,
    caller: Caller,
    id: i64,
    new_document: bool,
    meta: Option<(String, Option<String>, DocAudience)>,
    q: HashMap<String, String>,
    body: Body,
) -> Result<Json<UploadAck>, HttpError> {
    let file_name = congress_docs::pdf::sanitize_display_name(
        q.get("file_name").map_or("document.pdf", String::as_str),
    )
    .map_err(|e| AppError::BadDocument(e.to_string()))?;
    let _guard = app.docs.begin_upload(id).ok_or_else(|| {
        AppError::Conflict("another version of this document is being uploaded".into())
    })?;
    let limit = app.config.upload_max_bytes;
    let tmp = tempfile::Builder::new()
        .prefix("upload-")
        .tempfile_in(app.docs.tmp_dir())
        .map_err(|e| AppError::Internal(format!("temporary file: {e}")))?;
    let mut out = tokio::fs::File::from_std(
        tmp.reopen()
            .map_err(|e| AppError::Internal(format!("temporary file: {e}")))?,
    );
    let mut size: u64 = 0;
    let mut stream = body.into_data_stream();
    while let Some(chunk) = stream.next().await {
        let chunk =
            chunk.map_err(|e| AppError::BadJson(format!("the upload was interrupted: {e}")))?;
        size += chunk.len() as u64;
        if size > limit {
            return Err(AppError::UploadTooLarge(limit).into());
        }
        out.write_all(&chunk)
            .await
            .map_err(|e| AppError::Internal(format!("writing the upload: {e}")))?;
    }
    out.flush()
        .await
        .map_err(|e| AppError::Internal(format!("writing the upload: {e}")))?;
    drop(out);

    let (version, prev) = app.engine.read(|s| {
        let prev = s.docs.documents.get(&id).and_then(|d| d.latest().cloned());
        (prev.as_ref().map_or(1, |v| v.version + 1), prev)
    });
    let docs = app.docs.clone();
    let now = app.engine.now();
    let uploaded_by = caller.actor();
    let stored = docs.stored_path(id, version);
    let processed = tokio::task::spawn_blocking(move || -> Result<_, HttpError> {
        congress_docs::pdf::sniff_file(tmp.path()).map_err(pdf_error)?;
        let text = docs.tools.inspect(tmp.path()).map_err(pdf_error)?;
        let changed = match &prev {
            Some(p) => Some(changed_pages(
                &docs.indexed_pages(id)?,
                p.pages,
                &text.pages,
            )),
            None => None,
        };
        std::fs::create_dir_all(docs.doc_dir(id))
            .map_err(|e| AppError::Internal(format!("documents folder: {e}")))?;
        let file = std::fs::File::open(tmp.path())
            .map_err(|e| AppError::Internal(format!("reading the upload: {e}")))?;
        congress_docs::crypto::encrypt_to_file(&[docs.key.recipient().clone()], file, &stored)
            .map_err(|e| AppError::Internal(format!("encrypting the upload: {e}")))?;
        Ok((text, changed))
    })
    .await
    .map_err(|e| AppError::Internal(e.to_string()))??;
    let (text, changed) = processed;
    let (title, agenda_item_id, audience) = meta.unwrap_or_else(|| {
        app.engine.read(|s| {
            s.docs
                .documents
                .get(&id)
                .map(|d| {
                    (
                        d.title.clone(),
                        d.agenda_item_id.clone(),
                        d.audience.clone(),
                    )
                })
                .unwrap_or((String::new(), None, DocAudience::AllDelegates))
        })
    });
    let cmd = Command::Documents(DocumentCommand::AddDocumentVersion {
        document_id: id,
        new_document,
        title,
        agenda_item_id,
        audience,
        version: DocVersion {
            version,
            file_name,
            size,
            pages: text.page_count,
            changed_pages: changed,
            uploaded_at: now,
            uploaded_by,
            delivery: None,
            purged_at: None,
        },
    });
    let result = app
        .engine
        .execute(cmd, caller.actor(), None, move |a| {
            serde_json::to_value(UploadAck {
                seq: a.seq,
                document: a
                    .state
                    .docs
                    .documents
                    .get(&id)
                    .cloned()
                    .unwrap_or(Document {
                        id,
                        title: String::new(),
                        agenda_item_id: None,
                        audience: DocAudience::AllDelegates,
                        versions: vec![],
                    }),
            })
            .unwrap_or_default()
        })
        .await;
    let v = match result {
        Ok(v) => v,
        Err(e) => {
            let _ = std::fs::remove_file(app.docs.doc_dir(id).join(format!("v{version}.age")));
            return Err(e.into());
        }
    };
    let docs = app.docs.clone();
    let pages = text.pages;
    tokio::task::spawn_blocking(move || docs.index(id, version, &pages))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))??;
    app.docs.wake();
    let ack: UploadAck =
        serde_json::from_value(v).map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(Json(ack))
}

#[utoipa::path(get, path = "/api/documents", tag = "documents", responses((status = 200, description = "operators: every document with its fetches; tablets: the documents they may read", body = crate::openapi::DocumentList)))]
async fn list(State(app): State<AppState>, Auth(caller): Auth) -> Result<Response, HttpError> {
    match &caller {
        Caller::Operator { .. } => Ok(Json(app.engine.read(|s| {
            s.docs
                .documents
                .values()
                .map(|d| DocumentAdmin {
                    document: d.clone(),
                    fetches: s.docs.fetches_of(d.id),
                })
                .collect::<Vec<_>>()
        }))
        .into_response()),
        Caller::Device(d) if d.kind == DeviceKind::Tablet => Ok(Json(app.engine.read(|s| {
            s.docs
                .documents
                .values()
                .filter(|doc| tablet_may_read(s, d.delegate_id.as_deref(), doc))
                .map(|doc| for_tablet(doc, &d.id))
                .collect::<Vec<_>>()
        }))
        .into_response()),
        Caller::Device(_) => Err(AppError::Forbidden.into()),
    }
}

#[utoipa::path(get, path = "/api/documents/{id}", tag = "documents", params(("id" = i64, Path)), responses((status = 200, description = "operators: DocumentAdmin; tablets: Document", body = crate::openapi::DocumentOne)))]
async fn one(
    State(app): State<AppState>,
    Auth(caller): Auth,
    ApiPath(id): ApiPath<i64>,
) -> Result<Response, HttpError> {
    match &caller {
        Caller::Operator { .. } => app
            .engine
            .read(|s| {
                s.docs.documents.get(&id).map(|d| DocumentAdmin {
                    document: d.clone(),
                    fetches: s.docs.fetches_of(id),
                })
            })
            .map(|d| Json(d).into_response())
            .ok_or_else(|| no_such_document().into()),
        Caller::Device(d) if d.kind == DeviceKind::Tablet => app
            .engine
            .read(|s| {
                s.docs
                    .documents
                    .get(&id)
                    .filter(|doc| tablet_may_read(s, d.delegate_id.as_deref(), doc))
                    .map(|doc| for_tablet(doc, &d.id))
            })
            .map(|d| Json(d).into_response())
            .ok_or_else(|| no_such_document().into()),
        Caller::Device(_) => Err(AppError::Forbidden.into()),
    }
}

#[utoipa::path(put, path = "/api/documents/{id}", tag = "documents", params(("id" = i64, Path)), request_body = UpdateDocument, responses((status = 200, body = Document), crate::openapi::Refused))]
async fn update(
    State(app): State<AppState>,
    Auth(caller): Auth,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<UpdateDocument>,
) -> Result<Json<Document>, HttpError> {
    caller.operator_with(&[OperatorRole::Secretariat])?;
    if !app.engine.read(|s| s.docs.documents.contains_key(&id)) {
        return Err(no_such_document().into());
    }
    let v = app
        .engine
        .execute(
            Command::Documents(DocumentCommand::UpdateDocument {
                document_id: id,
                title: req.title,
                agenda_item_id: req.agenda_item_id,
                audience: req.audience,
            }),
            caller.actor(),
            None,
            move |a| serde_json::to_value(a.state.docs.documents.get(&id)).unwrap_or_default(),
        )
        .await?;
    app.docs.wake();
    Ok(serde_json::from_value(v)
        .map(Json)
        .map_err(|e| AppError::Internal(e.to_string()))?)
}

fn header_str(headers: &HeaderMap, name: header::HeaderName) -> Option<&str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

#[utoipa::path(get, path = "/api/documents/{id}/versions/{v}/content", tag = "documents", params(("id" = i64, Path), ("v" = u32, Path), ("Range" = Option<String>, Header), ("If-None-Match" = Option<String>, Header), ("If-Range" = Option<String>, Header)), responses((status = 200, description = "the age-encrypted document", content_type = "application/octet-stream", body = crate::openapi::Binary), (status = 206, description = "a byte range of it", content_type = "application/octet-stream", body = crate::openapi::Binary), (status = 304, description = "not modified (If-None-Match)"), (status = 416, description = "range not satisfiable"), crate::openapi::NotReady))]
async fn content(
    State(app): State<AppState>,
    Auth(caller): Auth,
    ApiPath((id, version)): ApiPath<(i64, u32)>,
    headers: HeaderMap,
) -> Result<Response, HttpError> {
    let Caller::Device(device) = &caller else {
        return Err(AppError::Forbidden.into());
    };
    if device.kind != DeviceKind::Tablet {
        return Err(AppError::Forbidden.into());
    }
    let (delivery, fetched) = app.engine.read(|s| {
        let doc = s
            .docs
            .documents
            .get(&id)
            .filter(|doc| tablet_may_read(s, device.delegate_id.as_deref(), doc))
            .ok_or_else(no_such_document)?;
        let v = doc
            .versions
            .iter()
            .find(|v| v.version == version)
            .ok_or_else(no_such_document)?;
        if v.purged_at.is_some() {
            return Err(AppError::Gone(
                "this document's content was deleted under the retention rules; its title and \
                 history remain in the minutes"
                    .into(),
            ));
        }
        let delivery = v
            .delivery
            .as_ref()
            .filter(|d| d.devices.iter().any(|x| x == &device.id))
            .ok_or(AppError::NotReady)?;
        let fetched = s
            .docs
            .fetches
            .contains_key(&(id, version, device.id.clone()));
        Ok::<_, AppError>((delivery.clone(), fetched))
    })?;
    let etag = delivery.etag.clone();
    let etag_value = HeaderValue::from_str(&etag).map_err(|e| AppError::Internal(e.to_string()))?;
    if header_str(&headers, header::IF_NONE_MATCH).is_some_and(|h| if_none_match(h, &etag)) {
        return Ok((StatusCode::NOT_MODIFIED, [(header::ETAG, etag_value)]).into_response());
    }
    let size = delivery.size;
    let range_header = match header_str(&headers, header::IF_RANGE) {
        Some(ir) if !if_range_matches(ir, &etag) => None,
        _ => header_str(&headers, header::RANGE),
    };
    let range = match parse_range(range_header, size) {
        Ok(r) => r,
        Err(e) => {
            return Ok((
                StatusCode::RANGE_NOT_SATISFIABLE,
                [
                    (header::CONTENT_RANGE, e.content_range()),
                    (header::ETAG, etag.clone()),
                ],
            )
                .into_response());
        }
    };
    let path = app.docs.delivery_path(id, version, &etag);
    let mut file = tokio::fs::File::open(&path)
        .await
        .map_err(|e| AppError::Internal(format!("opening {}: {e}", path.display())))?;
    if !fetched {
        let engine = app.engine.clone();
        let fetch = DocFetch {
            document_id: id,
            version,
            device_id: device.id.clone(),
            at: engine.now(),
        };
        let actor = caller.actor();
        tokio::spawn(async move {
            if let Err(e) = engine
                .run(
                    Command::Documents(DocumentCommand::RecordFetch(fetch)),
                    &actor,
                )
                .await
            {
                tracing::warn!(error = %e, "cannot record a document fetch");
            }
        });
    }
    let (status, start, len, content_range) = match range {
        RangeRequest::Full => (StatusCode::OK, 0, size, None),
        RangeRequest::Partial(r) => (
            StatusCode::PARTIAL_CONTENT,
            r.start,
            r.len(),
            Some(r.content_range(size)),
        ),
    };
    if start > 0 {
        file.seek(SeekFrom::Start(start))
            .await
            .map_err(|e| AppError::Internal(e.to_string()))?;
    }
    let stream = tokio_util::io::ReaderStream::with_capacity(file.take(len), 64 * 1024);
    let mut resp = Response::new(Body::from_stream(stream));
    *resp.status_mut() = status;
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/octet-stream"),
    );
    h.insert(header::CONTENT_LENGTH, HeaderValue::from(len));
    h.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    h.insert(header::ETAG, etag_value);
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-transform"),
    );
    if let Some(cr) = content_range
        && let Ok(v) = HeaderValue::from_str(&cr)
    {
        h.insert(header::CONTENT_RANGE, v);
    }
    Ok(resp)
}

#[utoipa::path(get, path = "/api/search", tag = "documents", params(("q" = Option<String>, Query, description = "up to 200 characters")), responses((status = 200, body = SearchResults)))]
async fn search(
    State(app): State<AppState>,
    Auth(caller): Auth,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Json<SearchResults>, HttpError> {
    let query = q.get("q").cloned().unwrap_or_default();
    if query.chars().count() > 200 {
        return Err(
            AppError::BadJson("the search is too long (at most 200 characters)".into()).into(),
        );
    }
    let (allowed, titles): (Vec<i64>, HashMap<i64, String>) = app.engine.read(|s| {
        let docs: Vec<&Document> = match &caller {
            // The operators who manage documents search all of them; the others (credentials
            // desk, observers) only those for every delegate: a snippet of a presidium-only or
            // a group's document is its content (issue 13, finding 13).
            Caller::Operator { operator, .. }
                if operator.has_any(&[OperatorRole::Secretariat, OperatorRole::Admin]) =>
            {
                s.docs.documents.values().collect()
            }
            Caller::Operator { .. } => s
                .docs
                .documents
                .values()
                .filter(|doc| doc.audience == DocAudience::AllDelegates)
                .collect(),
            Caller::Device(d) if d.kind == DeviceKind::Tablet => s
                .docs
                .documents
                .values()
                .filter(|doc| tablet_may_read(s, d.delegate_id.as_deref(), doc))
                .collect(),
            Caller::Device(_) => vec![],
        };
        (
            docs.iter().map(|d| d.id).collect(),
            docs.iter().map(|d| (d.id, d.title.clone())).collect(),
        )
    });
    if let Caller::Device(d) = &caller
        && d.kind != DeviceKind::Tablet
    {
        return Err(AppError::Forbidden.into());
    }
    let docs = app.docs.clone();
    let q2 = query.clone();
    let hits = tokio::task::spawn_blocking(move || docs.search(&q2, &allowed, 50))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))??;
    Ok(Json(SearchResults {
        query,
        hits: hits
            .into_iter()
            .map(|h| SearchHit {
                document_id: h.doc_id,
                title: titles.get(&h.doc_id).cloned().unwrap_or_default(),
                version: h.version as u32,
                page: h.page,
                snippet: h
                    .snippet
                    .parts
                    .into_iter()
                    .map(|p| SnippetPart {
                        text: p.text,
                        highlight: p.highlight,
                    })
                    .collect(),
            })
            .collect(),
    }))
}

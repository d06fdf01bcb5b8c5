//! The OpenAPI 3.1 description of the REST API, generated from the code: every handler carries
//! a `#[utoipa::path]` (method, path, body, success answer, its specific refusals) and the
//! bodies are the protocol types (`congress-proto` feature `openapi`). [`Common`] adds what is
//! true of every route: bearer security, `401`/`403` on authenticated routes, `400` where input
//! is parsed, `413` where there is a body, `404` where the path names a resource, `429`/`503`.
//!
//! Served at `GET /api/openapi.json`, printed by `congress openapi`, committed as
//! `docs/openapi.json` (a test fails when it is stale). The test `routes_are_described` fails
//! when a `.route("/api/…")` in the sources has no description here; the integration suite's
//! authorization matrix (`tests/tests/it/roles.rs`) takes its list of routes from this document.

use axum::Json;
use axum::response::IntoResponse;
use congress_proto::*;
use serde::Serialize;
use utoipa::openapi::path::{Operation, PathItem};
use utoipa::openapi::schema::{AnyOfBuilder, ArrayBuilder, Ref, Schema};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme};
use utoipa::openapi::{ContentBuilder, RefOr, ResponseBuilder};
use utoipa::{IntoParams, IntoResponses, Modify, OpenApi, ToSchema};

/// The document. New handlers go into `paths(...)`.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Paperless congress",
        description = "REST API of the congress server. Websockets (`/ws/*`) are described in \
                       docs/protocol.md. Errors are an HTTP status with an `ApiError` body.",
        license(name = "MIT")
    ),
    paths(
        openapi_json,
        crate::routes::api::health,
        crate::routes::api::login,
        crate::routes::api::logout,
        crate::routes::api::me,
        crate::routes::api::congress,
        crate::routes::api::delegates,
        crate::routes::api::delegate,
        crate::routes::api::agenda,
        crate::routes::api::set_current_item,
        crate::routes::api::attendance,
        crate::routes::api::attendance_summary,
        crate::routes::api::set_attendance,
        crate::routes::api::devices,
        crate::routes::api::create_pairing_code,
        crate::routes::api::pair,
        crate::routes::api::revoke_device,
        crate::routes::api::journal_head,
        crate::routes::api::journal_witness,
        crate::routes::votes::list,
        crate::routes::votes::create,
        crate::routes::votes::one,
        crate::routes::votes::open,
        crate::routes::votes::close,
        crate::routes::votes::runoff,
        crate::routes::votes::export_json,
        crate::routes::votes::export_csv,
        crate::routes::board::board,
        crate::routes::board::define,
        crate::routes::board::finish,
        crate::routes::board::transcript,
        crate::routes::board::bulletin_board,
        crate::routes::documents::list,
        crate::routes::documents::upload_new,
        crate::routes::documents::one,
        crate::routes::documents::update,
        crate::routes::documents::upload_version,
        crate::routes::documents::content,
        crate::routes::documents::search,
        crate::routes::face::enrol,
        crate::routes::face::photo,
        crate::routes::face::status,
        crate::routes::meeting::meeting,
        crate::routes::meeting::start_item,
        crate::routes::meeting::close_item,
        crate::routes::meeting::plan_item,
        crate::routes::meeting::link_vote,
        crate::routes::meeting::add_speaker,
        crate::routes::meeting::grant,
        crate::routes::meeting::move_speaker,
        crate::routes::meeting::remove_speaker,
        crate::routes::meeting::stop,
        crate::routes::meeting::extend,
        crate::routes::meeting::set_scene,
        crate::routes::groups::list_notices,
        crate::routes::groups::send_notice,
        crate::routes::groups::groups,
        crate::routes::groups::set_secretary,
        crate::routes::groups::my_group,
        crate::routes::reports::minutes_html,
        crate::routes::reports::minutes_csv,
        crate::routes::reports::minutes_pdf,
        crate::routes::reports::audit,
        crate::routes::trust::info,
    ),
    components(schemas(ApiError, Document, DocumentAdmin, ClientMsg)),
    modifiers(&Common),
)]
pub struct ApiDoc;

/// The whole description.
pub fn openapi() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}

/// The description as pretty JSON with a final newline (the form of `docs/openapi.json`).
pub fn openapi_json_text() -> String {
    let mut s = openapi().to_pretty_json().unwrap_or_default();
    s.push('\n');
    s
}

/// Every operation of the description as (METHOD, path template), e.g. `("GET", "/api/me")`.
pub fn operations() -> Vec<(String, String)> {
    let v = serde_json::to_value(openapi()).unwrap_or_default();
    let mut out = Vec::new();
    if let Some(paths) = v["paths"].as_object() {
        for (path, item) in paths {
            for method in item.as_object().into_iter().flat_map(|o| o.keys()) {
                out.push((method.to_uppercase(), path.clone()));
            }
        }
    }
    out.sort();
    out
}

/// The `type` of every websocket client message (`ClientMsg` variant), from its schema.
pub fn client_message_types() -> Vec<String> {
    let v = serde_json::to_value(openapi()).unwrap_or_default();
    let mut out: Vec<String> = v["components"]["schemas"]["ClientMsg"]["oneOf"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|variant| variant["properties"]["type"]["enum"][0].as_str())
        .map(str::to_string)
        .collect();
    out.sort();
    out
}

/// This document.
#[utoipa::path(get, path = "/api/openapi.json", tag = "meta", security(()),
    responses((status = 200, description = "the OpenAPI 3.1 description of this API", body = Object)))]
pub async fn openapi_json() -> impl IntoResponse {
    Json(openapi())
}

/// `GET /api/health`.
#[derive(Serialize, ToSchema)]
pub struct Health {
    pub ok: bool,
}

/// Raw bytes (a PDF upload, an encrypted download, a JPEG).
pub struct Binary;

impl utoipa::PartialSchema for Binary {
    fn schema() -> RefOr<Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(
                utoipa::openapi::KnownFormat::Binary,
            )))
            .into()
    }
}
impl ToSchema for Binary {}

/// `GET /api/documents`: operators get [`DocumentAdmin`]s, tablets the [`Document`]s they may
/// read.
pub struct DocumentList;

impl utoipa::PartialSchema for DocumentList {
    fn schema() -> RefOr<Schema> {
        AnyOfBuilder::new()
            .item(ArrayBuilder::new().items(Ref::from_schema_name("DocumentAdmin")))
            .item(ArrayBuilder::new().items(Ref::from_schema_name("Document")))
            .into()
    }
}
impl ToSchema for DocumentList {}

/// `GET /api/documents/{id}`: a [`DocumentAdmin`] for operators, a [`Document`] for tablets.
pub struct DocumentOne;

impl utoipa::PartialSchema for DocumentOne {
    fn schema() -> RefOr<Schema> {
        AnyOfBuilder::new()
            .item(Ref::from_schema_name("DocumentAdmin"))
            .item(Ref::from_schema_name("Document"))
            .into()
    }
}
impl ToSchema for DocumentOne {}

/// The query of `POST /api/documents` (the body is the PDF itself).
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct UploadQuery {
    /// Required, not blank.
    title: String,
    /// `all` (default), `presidium` or `group:NAME`.
    audience: Option<String>,
    agenda_item_id: Option<String>,
    /// Display name; sanitised (no path, no bidi overrides), at most 120 characters.
    file_name: Option<String>,
}

/// The query of `POST /api/documents/{id}/versions`.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct VersionQuery {
    file_name: Option<String>,
}

/// Refusals of a state-changing route, besides the common ones.
#[derive(IntoResponses)]
#[allow(dead_code)]
pub enum Refused {
    /// Unknown delegate, item, device, vote or document.
    #[response(status = 404)]
    NotFound(ApiError),
    /// A `client_id` reused for another request; an expired or used code; busy.
    #[response(status = 409)]
    Conflict(ApiError),
    /// Well-formed but against a rule (`invalid`, `bad_document`).
    #[response(status = 422)]
    Invalid(ApiError),
}

/// A missing resource.
#[derive(IntoResponses)]
#[allow(dead_code)]
pub enum NotFound {
    /// Nothing there (or nothing this caller may see).
    #[response(status = 404)]
    NotFound(ApiError),
}

/// Document delivery: not there, or not yet encrypted for this tablet.
#[derive(IntoResponses)]
#[allow(dead_code)]
pub enum NotReady {
    /// No such document or version (or not for this tablet).
    #[response(status = 404)]
    NotFound(ApiError),
    /// `not_ready`: still being encrypted for this tablet; retry.
    #[response(status = 503)]
    NotReady(ApiError),
}

/// What every route shares; see the module documentation.
pub struct Common;

fn error_response(description: &str) -> RefOr<utoipa::openapi::Response> {
    ResponseBuilder::new()
        .description(description)
        .content(
            "application/json",
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("ApiError")))
                .build(),
        )
        .into()
}

fn operations_of(item: &mut PathItem) -> impl Iterator<Item = &mut Operation> {
    [
        &mut item.get,
        &mut item.put,
        &mut item.post,
        &mut item.delete,
        &mut item.patch,
    ]
    .into_iter()
    .filter_map(Option::as_mut)
}

impl Modify for Common {
    fn modify(&self, api: &mut utoipa::openapi::OpenApi) {
        let components = api.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "An operator session token (POST /api/login) or a device token \
                         (POST /api/devices/pair).",
                    ))
                    .build(),
            ),
        );
        for (path, item) in api.paths.paths.iter_mut() {
            let has_path_param = path.contains('{');
            for op in operations_of(item) {
                let r = &mut op.responses.responses;
                let mut add = |status: &str, description: &str| {
                    r.entry(status.to_string())
                        .or_insert_with(|| error_response(description));
                };
                // Routes marked `security(())` are public; every other needs a bearer token.
                if op.security.is_none() {
                    op.security = Some(vec![SecurityRequirement::new::<_, _, &str>("bearer", [])]);
                    add(
                        "401",
                        "`unauthorized`: no token, or an unknown, expired or revoked one",
                    );
                    add(
                        "403",
                        "`forbidden`: this caller's role or device may not do this",
                    );
                }
                let has_query = op.parameters.as_ref().is_some_and(|ps| {
                    ps.iter().any(|p| {
                        matches!(p.parameter_in, utoipa::openapi::path::ParameterIn::Query)
                    })
                });
                if op.request_body.is_some() || has_query {
                    add("400", "`invalid_json`: malformed body or parameters");
                }
                if op.request_body.is_some() {
                    add("413", "`too_large`: the body is over the limit");
                }
                if has_path_param {
                    add("404", "`not_found`: no such resource");
                }
                add("429", "`rate_limited`: too many requests; retry later");
                add(
                    "503",
                    "`unavailable`: the server is overloaded or stopping; retry",
                );
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;
    use std::path::{Path, PathBuf};

    fn root() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
    }

    /// The committed `docs/openapi.json` must equal what the code generates
    /// (`UPDATE_BINDINGS=1 cargo test -p congress-http openapi` rewrites it).
    #[test]
    fn committed_openapi_is_current() {
        let fresh = openapi_json_text();
        let path = root().join("docs/openapi.json");
        if std::env::var_os("UPDATE_BINDINGS").is_some() {
            std::fs::write(&path, &fresh).unwrap();
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == fresh,
            "{} is out of date: run `UPDATE_BINDINGS=1 cargo test -p congress-http openapi` \
             and commit it",
            path.display()
        );
    }

    fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                rust_files(&p, out);
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push(p);
            }
        }
    }

    /// The `.route("/api/…", get(..).post(..))` calls in one source text (comments skipped).
    fn routes_in(text: &str, out: &mut BTreeSet<(String, String)>) {
        let text: String = text
            .lines()
            .filter(|l| !l.trim_start().starts_with("//"))
            .collect::<Vec<_>>()
            .join("\n");
        let mut rest = text.as_str();
        while let Some(i) = rest.find(".route(") {
            rest = &rest[i + ".route(".len()..];
            // The arguments of this call: up to its closing parenthesis.
            let mut depth = 0i32;
            let end = rest
                .char_indices()
                .find(|&(_, c)| {
                    depth += match c {
                        '(' => 1,
                        ')' => -1,
                        _ => 0,
                    };
                    depth < 0
                })
                .map_or(rest.len(), |(i, _)| i);
            let call = &rest[..end];
            let Some(path) = call.trim_start().strip_prefix('"') else {
                continue;
            };
            let Some(end) = path.find('"') else { continue };
            let path = &path[..end];
            if !path.starts_with("/api/") {
                continue;
            }
            for m in ["get", "post", "put", "delete", "patch"] {
                let pat = format!("{m}(");
                let found = call.match_indices(&pat).any(|(at, _)| {
                    !call[..at]
                        .chars()
                        .next_back()
                        .is_some_and(|c| c.is_alphanumeric() || c == '_')
                });
                if found {
                    out.insert((m.to_uppercase(), path.to_string()));
                }
            }
        }
    }

    #[test]
    fn the_route_scan_reads_router_calls() {
        let mut out = BTreeSet::new();
        routes_in(
            "Router::new()\n    // .route(\"/api/commented\", get(x))\n    \
             .route(\"/api/a/{id}\", get(a).post(budget(b)))\n    .route(\n        \
             \"/api/b\",\n        delete(c),\n    )\n    .route(\"/ws/x\", get(w))",
            &mut out,
        );
        let want: BTreeSet<(String, String)> = [
            ("GET", "/api/a/{id}"),
            ("POST", "/api/a/{id}"),
            ("DELETE", "/api/b"),
        ]
        .into_iter()
        .map(|(m, p)| (m.to_string(), p.to_string()))
        .collect();
        assert_eq!(out, want);
    }

    /// Every `.route("/api/…", get(..).post(..))` in the server's sources, as (METHOD, path).
    fn routes_in_sources() -> BTreeSet<(String, String)> {
        let mut files = Vec::new();
        rust_files(
            &PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src"),
            &mut files,
        );
        let mut out = BTreeSet::new();
        for f in files {
            routes_in(&std::fs::read_to_string(&f).unwrap(), &mut out);
        }
        out
    }

    /// A route in the router without a `#[utoipa::path]` listed in [`ApiDoc`] fails here,
    /// named; so does a description of a route that does not exist.
    #[test]
    fn routes_are_described() {
        let routes = routes_in_sources();
        assert!(routes.len() > 30, "found only {routes:?}");
        let described: BTreeSet<_> = operations().into_iter().collect();
        let missing: Vec<_> = routes.difference(&described).collect();
        let extra: Vec<_> = described.difference(&routes).collect();
        assert!(
            missing.is_empty(),
            "routes without an OpenAPI description (add #[utoipa::path] and list them in \
             openapi::ApiDoc): {missing:?}"
        );
        assert!(
            extra.is_empty(),
            "described routes that do not exist: {extra:?}"
        );
    }

    #[test]
    fn client_messages_are_listed() {
        assert_eq!(
            client_message_types(),
            [
                "answer_nomination",
                "ask_withdrawal",
                "board_check",
                "board_deal",
                "cast_ballot",
                "cast_secret_ballot",
                "hello",
                "nominate",
                "ping",
                "read_notice",
                "request_speak",
                "save_summary",
                "send_opinion",
                "sign_tally_report",
                "submit_partial",
                "withdraw_speak",
            ]
        );
    }

    #[test]
    fn every_operation_documents_its_errors() {
        let v = serde_json::to_value(openapi()).unwrap();
        assert!(v["openapi"].as_str().unwrap().starts_with("3.1"));
        for (path, item) in v["paths"].as_object().unwrap() {
            for (method, op) in item.as_object().unwrap() {
                let responses = op["responses"].as_object().unwrap();
                assert!(responses.contains_key("503"), "{method} {path}");
                let public = op["security"] == serde_json::json!([{}]);
                if !public {
                    assert!(responses.contains_key("401"), "{method} {path}");
                    assert!(responses.contains_key("403"), "{method} {path}");
                }
                if op.get("requestBody").is_some() {
                    assert!(responses.contains_key("400"), "{method} {path}");
                    assert!(responses.contains_key("413"), "{method} {path}");
                }
            }
        }
    }
}

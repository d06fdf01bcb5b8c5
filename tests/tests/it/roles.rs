//! Every REST route × every kind of caller: allowed (2xx) or the exact refusal; every websocket
//! client message × every endpoint and kind of client. A new route is one line in `ROUTES`, a
//! new message one line in `WS_MESSAGES`; a new caller one entry in `Who::ALL`. The lists of
//! routes and messages to cover come from the code (the generated OpenAPI description), so a
//! route or message without a row fails `matrix_covers_every_route` /
//! `matrix_covers_every_client_message`, naming it.
//!
//! (Over 600 lines on purpose: the matrix is one table row per route and message.)

use congress_proto::*;

use crate::util::*;

use Who::*;

const OPERATORS: &[Who] = &[Admin, Secretariat, Credentials, Observer];
const SIGNED_IN: &[Who] = &[
    Admin,
    Secretariat,
    Credentials,
    Observer,
    Tablet,
    Kiosk,
    Projector,
];
const EVERYONE: &[Who] = &Who::ALL;

/// Who may call, and what the others get.
enum Allow {
    /// These callers get 2xx; nobody gets 401; every other caller gets 403.
    Only(&'static [Who]),
    /// Every caller gets exactly this status.
    All(u16),
    /// These callers pass the role check: any answer but 401/403 (and never a 5xx); what they
    /// get depends on the state (e.g. 404 for a missing document, 422 for a closed vote).
    /// Every other caller gets 403 (401 without a token).
    Role(&'static [Who]),
}

const MEETING: &[Who] = &[Admin, Secretariat];

struct Route {
    method: &'static str,
    /// `{own}`: the tablet's delegate; `{other}`: another delegate; `{device}`: a freshly paired
    /// device (so each call has its own victim); `{vote}`: a draft vote; `{doc}`: a document id; `{a2}`, `{a3}`: agenda items.
    path: &'static str,
    /// JSON with `{cid}` (a fresh client id), `{code}` (a fresh pairing code).
    body: Option<&'static str>,
    allow: Allow,
    /// Operators call with a fresh session of their own (for routes that end the session).
    fresh_session: bool,
}

const fn r(method: &'static str, path: &'static str, allow: Allow) -> Route {
    Route {
        method,
        path,
        body: None,
        allow,
        fresh_session: false,
    }
}

const fn rb(method: &'static str, path: &'static str, body: &'static str, allow: Allow) -> Route {
    Route {
        method,
        path,
        body: Some(body),
        allow,
        fresh_session: false,
    }
}

const ROUTES: &[Route] = &[
    r("GET", "/api/health", Allow::Only(EVERYONE)),
    rb(
        "POST",
        "/api/login",
        r#"{"username":"quansat","password":"mật-khẩu-thử-nghiệm"}"#,
        Allow::Only(EVERYONE),
    ),
    Route {
        fresh_session: true,
        ..r("POST", "/api/logout", Allow::Only(OPERATORS))
    },
    r("GET", "/api/me", Allow::Only(SIGNED_IN)),
    r("GET", "/api/congress", Allow::Only(SIGNED_IN)),
    r("GET", "/api/delegates", Allow::Only(OPERATORS)),
    r(
        "GET",
        "/api/delegates/{own}",
        Allow::Only(&[Admin, Secretariat, Credentials, Observer, Tablet]),
    ),
    r("GET", "/api/delegates/{other}", Allow::Only(OPERATORS)),
    r("GET", "/api/agenda", Allow::Only(SIGNED_IN)),
    rb(
        "PUT",
        "/api/agenda/current",
        r#"{"client_id":"{cid}","item_id":"A2"}"#,
        Allow::Only(&[Admin, Secretariat]),
    ),
    r("GET", "/api/attendance", Allow::Only(OPERATORS)),
    r("GET", "/api/attendance/summary", Allow::Only(SIGNED_IN)),
    rb(
        "POST",
        "/api/attendance",
        r#"{"client_id":"{cid}","delegate_id":"D3","status":"present","reason":"Kiểm tra CCCD"}"#,
        Allow::Only(&[Admin, Credentials]),
    ),
    r("GET", "/api/devices", Allow::Only(OPERATORS)),
    rb(
        "POST",
        "/api/devices/pairing-codes",
        r#"{"kind":"kiosk","delegate_id":null,"label":"Cổng B","direction":"exit"}"#,
        Allow::Only(&[Admin, Secretariat, Credentials]),
    ),
    rb(
        "POST",
        "/api/devices/pair",
        r#"{"code":"{code}","recipient":null}"#,
        Allow::Only(EVERYONE),
    ),
    r(
        "DELETE",
        "/api/devices/{device}",
        Allow::Only(&[Admin, Secretariat]),
    ),
    r("GET", "/api/journal/head", Allow::Only(OPERATORS)),
    rb(
        "POST",
        "/api/journal/witness",
        r#"{"heads":[]}"#,
        Allow::Only(SIGNED_IN),
    ),
    r("GET", "/api/notices", Allow::Only(OPERATORS)),
    rb(
        "POST",
        "/api/notices",
        r#"{"client_id":"{cid}","text":"Giải lao 15 phút","audience":{"kind":"all"}}"#,
        Allow::Only(&[Admin, Secretariat]),
    ),
    r("GET", "/api/groups", Allow::Only(OPERATORS)),
    rb(
        "PUT",
        "/api/groups/secretary",
        r#"{"client_id":"{cid}","group":"Tổ 1","delegate_id":"D1"}"#,
        Allow::Only(&[Admin, Secretariat]),
    ),
    r("GET", "/api/groups/mine", Allow::Only(&[Tablet])),
    r(
        "GET",
        "/api/minutes.html",
        Allow::Only(&[Admin, Secretariat, Observer]),
    ),
    r(
        "GET",
        "/api/minutes.csv",
        Allow::Only(&[Admin, Secretariat, Observer]),
    ),
    r(
        "GET",
        "/api/minutes.pdf",
        Allow::Only(&[Admin, Secretariat, Observer]),
    ),
    r(
        "GET",
        "/api/audit",
        Allow::Only(&[Admin, Secretariat, Observer]),
    ),
    r("GET", "/api/tls", Allow::Only(OPERATORS)),
    r("GET", "/api/no-such-route", Allow::All(404)),
    // The meeting (routes/meeting.rs).
    r("GET", "/api/meeting", Allow::Only(SIGNED_IN)),
    rb(
        "POST",
        "/api/meeting/items/{a2}/start",
        r#"{"client_id":"{cid}"}"#,
        Allow::Only(MEETING),
    ),
    rb(
        "PUT",
        "/api/meeting/items/{a3}/plan",
        r#"{"client_id":"{cid}","planned_start":"2026-12-01T10:00","planned_minutes":20,"speaker_limit_s":120}"#,
        Allow::Only(MEETING),
    ),
    rb(
        "POST",
        "/api/meeting/items/{a3}/close",
        r#"{"client_id":"{cid}"}"#,
        Allow::Only(MEETING),
    ),
    rb(
        "PUT",
        "/api/meeting/projector",
        r#"{"client_id":"{cid}","scene":{"scene":"quorum"}}"#,
        Allow::Only(MEETING),
    ),
    rb(
        "PUT",
        "/api/meeting/votes/1/item",
        r#"{"client_id":"{cid}","item_id":"A2"}"#,
        Allow::Role(MEETING),
    ),
    rb(
        "POST",
        "/api/meeting/speakers",
        r#"{"client_id":"{cid}","delegate_id":"D3","item_id":"A2","kind":"normal"}"#,
        Allow::Role(MEETING),
    ),
    rb(
        "POST",
        "/api/meeting/speakers/1/grant",
        r#"{"client_id":"{cid}","limit_s":60}"#,
        Allow::Role(MEETING),
    ),
    rb(
        "POST",
        "/api/meeting/speakers/1/move",
        r#"{"client_id":"{cid}","position":0}"#,
        Allow::Role(MEETING),
    ),
    rb(
        "POST",
        "/api/meeting/speakers/1/remove",
        r#"{"client_id":"{cid}"}"#,
        Allow::Role(MEETING),
    ),
    rb(
        "POST",
        "/api/meeting/floor/stop",
        r#"{"client_id":"{cid}"}"#,
        Allow::Role(MEETING),
    ),
    rb(
        "POST",
        "/api/meeting/floor/extend",
        r#"{"client_id":"{cid}","seconds":30}"#,
        Allow::Role(MEETING),
    ),
    r("GET", "/api/openapi.json", Allow::Only(EVERYONE)),
    // Votes.
    r("GET", "/api/votes", Allow::Only(OPERATORS)),
    rb(
        "POST",
        "/api/votes",
        r#"{"client_id":"{cid}","title":"Biểu quyết","kind":{"kind":"motion"},"secrecy":"open","rule":null,"allow_change":false,"show_running_tally":true,"duration_s":60}"#,
        Allow::Only(MANAGE),
    ),
    r("GET", "/api/votes/{vote}", Allow::Only(OPERATORS)),
    rb(
        "POST",
        "/api/votes/{vote}/open",
        r#"{"client_id":"{cid}"}"#,
        Allow::Role(MANAGE),
    ),
    rb(
        "POST",
        "/api/votes/{vote}/close",
        r#"{"client_id":"{cid}"}"#,
        Allow::Role(MANAGE),
    ),
    rb(
        "POST",
        "/api/votes/{vote}/runoff",
        r#"{"client_id":"{cid}"}"#,
        Allow::Role(MANAGE),
    ),
    r(
        "GET",
        "/api/votes/{vote}/result.json",
        Allow::Role(OPERATORS),
    ),
    r(
        "GET",
        "/api/votes/{vote}/result.csv",
        Allow::Role(OPERATORS),
    ),
    // The counting board: everyone signed in reads it (a 404 before there is one); only the
    // secretariat defines it (409: no member has a credential) and ends the ceremony.
    r("GET", "/api/board", Allow::Role(SIGNED_IN)),
    r("GET", "/api/board/transcript", Allow::Role(SIGNED_IN)),
    rb(
        "POST",
        "/api/board",
        r#"{"client_id":"{cid}","members":["D1"],"threshold":1}"#,
        Allow::Role(&[Admin, Secretariat]),
    ),
    r(
        "POST",
        "/api/board/finish",
        Allow::Role(&[Admin, Secretariat]),
    ),
    r(
        "GET",
        "/api/votes/{vote}/board.json",
        Allow::Role(SIGNED_IN),
    ),
    // Documents (the body is not a PDF: allowed callers get 422, the others 401/403 first).
    r("GET", "/api/documents", Allow::Only(READERS)),
    rb(
        "POST",
        "/api/documents?title=T",
        "not a pdf",
        Allow::Role(MANAGE),
    ),
    r("GET", "/api/documents/{doc}", Allow::Role(READERS)),
    rb(
        "PUT",
        "/api/documents/{doc}",
        r#"{"title":"T","agenda_item_id":null,"audience":{"kind":"presidium"}}"#,
        Allow::Role(MANAGE),
    ),
    rb(
        "POST",
        "/api/documents/{doc}/versions",
        "not a pdf",
        Allow::Role(MANAGE),
    ),
    r(
        "GET",
        "/api/documents/{doc}/versions/1/content",
        Allow::Role(&[Tablet]),
    ),
    r("GET", "/api/search?q=nghị+quyết", Allow::Only(READERS)),
    // Face check-in (off in this server: allowed callers get 409 or 404).
    rb(
        "POST",
        "/api/delegates/{own}/enrol",
        r#"{"client_id":"{cid}","captures":["AAAA"]}"#,
        Allow::Role(&[Admin, Secretariat, Credentials]),
    ),
    // Enrolment photos: the roles that enrol, not observers (issue 13, finding 13).
    r(
        "GET",
        "/api/delegates/{own}/photo",
        Allow::Role(&[Admin, Secretariat, Credentials]),
    ),
    r("GET", "/api/face/status", Allow::Only(OPERATORS)),
];

/// Create, open, close votes; upload documents.
const MANAGE: &[Who] = &[Admin, Secretariat];
/// Operators and delegates' tablets.
const READERS: &[Who] = &[Admin, Secretariat, Credentials, Observer, Tablet];

/// `/api/delegates/{own}` → `/api/delegates/{}`: a row's path as a template.
fn template(path: &str) -> String {
    let path = path.split('?').next().unwrap_or(path);
    let mut out = String::new();
    let mut in_param = false;
    for c in path.chars() {
        match c {
            '{' => {
                in_param = true;
                out.push('{');
            }
            '}' => {
                in_param = false;
                out.push('}');
            }
            _ if in_param => {}
            _ => out.push(c),
        }
    }
    // A literal segment in a row (`/versions/1/`) stands for a parameter of the route.
    out.split('/')
        .map(|seg| {
            if !seg.is_empty() && seg.chars().all(|c| c.is_ascii_digit()) {
                "{}"
            } else {
                seg
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// Every operation of the OpenAPI description (generated from the handlers) has a row.
#[test]
fn matrix_covers_every_route() {
    let missing = without_row(&congress_server::openapi::operations());
    assert!(
        missing.is_empty(),
        "routes without a row in roles.rs ROUTES (add one line each): {missing:#?}"
    );
    // The check itself can fail: a route nobody wrote a row for is named.
    let new = [("PATCH".to_string(), "/api/votes/{id}".to_string())];
    assert_eq!(without_row(&new), ["PATCH /api/votes/{id}"]);
}

/// The operations that have no row in `ROUTES`, as `METHOD path`.
fn without_row(operations: &[(String, String)]) -> Vec<String> {
    let rows: std::collections::BTreeSet<(String, String)> = ROUTES
        .iter()
        .map(|r| (r.method.to_string(), template(r.path)))
        .collect();
    operations
        .iter()
        .filter(|(m, p)| !rows.contains(&(m.clone(), template(p))))
        .map(|(m, p)| format!("{m} {p}"))
        .collect()
}

fn expected(allow: &Allow, who: Who) -> Option<u16> {
    match allow {
        Allow::All(s) => Some(*s),
        Allow::Only(list) | Allow::Role(list) if list.contains(&who) => None,
        Allow::Only(_) | Allow::Role(_) if who == Nobody => Some(401),
        Allow::Only(_) | Allow::Role(_) => Some(403),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_checks_the_callers_role() {
    let s = TestServer::start().await;
    let mut callers = Vec::new();
    for who in Who::ALL {
        callers.push((who, s.caller(who).await));
    }
    let vote: VoteInfo = s
        .admin
        .post(
            "/api/votes",
            &serde_json::json!({"client_id": cid("v"), "title": "Biểu quyết",
            "kind": {"kind": "motion"}, "secrecy": "open", "rule": null, "allow_change": false,
            "show_running_tally": true, "duration_s": 60}),
        )
        .await
        .unwrap();
    let mut failures = Vec::new();
    for route in ROUTES {
        for (who, api) in &callers {
            let api = if route.fresh_session && who.username().is_some() {
                s.session_for(*who).await
            } else {
                api.clone()
            };
            let mut path = route
                .path
                .replace("{own}", VIET)
                .replace("{other}", ARAB)
                .replace("{vote}", &vote.spec.id.0.to_string())
                .replace("{doc}", "424242")
                .replace("{a2}", "A2")
                .replace("{a3}", "A3");
            if path.contains("{device}") {
                let (_, d) = s.pair(congress_proto::DeviceKind::Projector).await;
                path = path.replace("{device}", &d.id);
            }
            let body = match route.body {
                None => Vec::new(),
                Some(b) => {
                    let mut b = b.replace("{cid}", &cid("matrix"));
                    if b.contains("{code}") {
                        let c: PairingCode = s
                            .admin
                            .post(
                                "/api/devices/pairing-codes",
                                &CreatePairingCode {
                                    kind: DeviceKind::Kiosk,
                                    delegate_id: None,
                                    label: None,
                                    direction: None,
                                },
                            )
                            .await
                            .unwrap();
                        b = b.replace("{code}", &c.code);
                    }
                    b.into_bytes()
                }
            };
            let method = reqwest::Method::from_bytes(route.method.as_bytes()).unwrap();
            let (status, text) = api
                .raw(method, &path, "application/json", body)
                .await
                .unwrap();
            let ok = match expected(&route.allow, *who) {
                None if matches!(route.allow, Allow::Role(_)) => {
                    !matches!(status, 401 | 403) && status < 500
                }
                None => (200..300).contains(&status),
                Some(want) => {
                    let code = serde_json::from_str::<ApiError>(&text)
                        .map(|e| e.error)
                        .unwrap_or_default();
                    let want_code = match want {
                        401 => "unauthorized",
                        403 => "forbidden",
                        404 => "not_found",
                        _ => "",
                    };
                    status == want && code == want_code
                }
            };
            if !ok {
                failures.push(format!(
                    "{} {} as {who:?}: got {status} {text}, expected {}",
                    route.method,
                    route.path,
                    match expected(&route.allow, *who) {
                        None if matches!(route.allow, Allow::Role(_)) =>
                            "not 401/403/5xx".to_string(),
                        None => "2xx".to_string(),
                        Some(s) => s.to_string(),
                    }
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Websocket endpoints × callers: a `welcome`, or a fatal `forbidden` / `unauthorized`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_websocket_endpoint_checks_the_caller() {
    let s = TestServer::start().await;
    let table: &[(&str, &[Who])] = &[
        ("console", OPERATORS),
        (
            "projector",
            &[Admin, Secretariat, Credentials, Observer, Projector],
        ),
        ("tablet", &[Tablet]),
        ("kiosk", &[Kiosk]),
    ];
    let mut callers = Vec::new();
    for who in Who::ALL {
        callers.push((who, s.caller(who).await));
    }
    let mut failures = Vec::new();
    for (endpoint, allowed) in table {
        for (who, api) in &callers {
            let mut ws = RawWs::connect(api, endpoint).await;
            ws.hello(api.token().unwrap_or_default(), None).await;
            let first = ws.next_msg().await;
            let want = if allowed.contains(who) {
                "welcome"
            } else if *who == Nobody {
                "unauthorized"
            } else {
                "forbidden"
            };
            let got = match &first {
                ServerMsg::Welcome { .. } => "welcome".to_string(),
                ServerMsg::Error {
                    error, fatal: true, ..
                } => error.clone(),
                other => format!("{other:?}"),
            };
            if got != want {
                failures.push(format!(
                    "/ws/{endpoint} as {who:?}: got {got}, expected {want}"
                ));
            } else if want != "welcome" && !matches!(ws.next().await, Seen::Closed(_)) {
                failures.push(format!(
                    "/ws/{endpoint} as {who:?}: not closed after {want}"
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// A websocket client message and where it is accepted.
struct WsRow {
    /// The message's `type`.
    kind: &'static str,
    json: &'static str,
    /// Endpoints on which every caller allowed there gets it past authorization.
    accepted_on: &'static [&'static str],
    /// The error code it gets on every other endpoint.
    refused_with: &'static str,
}

const ALL_ENDPOINTS: &[&str] = &["console", "projector", "tablet", "kiosk"];

const WS_MESSAGES: &[WsRow] = &[
    // A second hello is refused everywhere.
    WsRow {
        kind: "hello",
        json: r#"{"type":"hello","token":"x","resume_from":null,"protocol":1}"#,
        accepted_on: &[],
        refused_with: "invalid",
    },
    WsRow {
        kind: "ping",
        json: r#"{"type":"ping","nonce":7}"#,
        accepted_on: ALL_ENDPOINTS,
        refused_with: "",
    },
    WsRow {
        kind: "cast_ballot",
        json: r#"{"type":"cast_ballot","client_id":"matrix-ballot-0000000001","vote_id":424242,"choice":{"kind":"blank"}}"#,
        accepted_on: &["tablet"],
        refused_with: "forbidden",
    },
    WsRow {
        kind: "cast_secret_ballot",
        json: r#"{"type":"cast_secret_ballot","client_id":"matrix-ballot-0000000002","vote_id":424242,"ballot":"AA=="}"#,
        accepted_on: &["tablet"],
        refused_with: "forbidden",
    },
    WsRow {
        kind: "board_deal",
        json: r#"{"type":"board_deal","client_id":"matrix-deal-0000000001","dealer":"{}","shares":[]}"#,
        accepted_on: &["tablet"],
        refused_with: "forbidden",
    },
    WsRow {
        kind: "board_check",
        json: r#"{"type":"board_check","client_id":"matrix-check-0000000001","complaints":[]}"#,
        accepted_on: &["tablet"],
        refused_with: "forbidden",
    },
    WsRow {
        kind: "submit_partial",
        json: r#"{"type":"submit_partial","client_id":"matrix-partial-000000001","vote_id":424242,"partial":"{}"}"#,
        accepted_on: &["tablet"],
        refused_with: "forbidden",
    },
    WsRow {
        kind: "nominate",
        json: r#"{"type":"nominate","client_id":"matrix-nominate-00000001","election_id":424242,"delegate_id":null}"#,
        accepted_on: &["tablet"],
        refused_with: "forbidden",
    },
    WsRow {
        kind: "answer_nomination",
        json: r#"{"type":"answer_nomination","client_id":"matrix-answer-000000001","election_id":424242,"candidate_id":1,"consent":true}"#,
        accepted_on: &["tablet"],
        refused_with: "forbidden",
    },
    WsRow {
        kind: "ask_withdrawal",
        json: r#"{"type":"ask_withdrawal","client_id":"matrix-withdraw-00000001","election_id":424242,"candidate_id":1,"reason":"sức khoẻ"}"#,
        accepted_on: &["tablet"],
        refused_with: "forbidden",
    },
    WsRow {
        kind: "sign_tally_report",
        json: r#"{"type":"sign_tally_report","client_id":"matrix-sign-00000000001","vote_id":424242,"report_sha256":"00"}"#,
        accepted_on: &["tablet"],
        refused_with: "forbidden",
    },
    WsRow {
        kind: "read_notice",
        json: r#"{"type":"read_notice","client_id":"matrix-notice-0000000001","notice_id":424242}"#,
        accepted_on: &["tablet"],
        refused_with: "forbidden",
    },
    WsRow {
        kind: "send_opinion",
        json: r#"{"type":"send_opinion","client_id":"matrix-opinion-000000001","item_id":"A2","text":"Ý kiến"}"#,
        accepted_on: &["tablet"],
        refused_with: "forbidden",
    },
    WsRow {
        kind: "save_summary",
        json: r#"{"type":"save_summary","client_id":"matrix-summary-000000001","item_id":"A2","text":"Tổng hợp","submit":false}"#,
        accepted_on: &["tablet"],
        refused_with: "forbidden",
    },
    WsRow {
        kind: "request_speak",
        json: r#"{"type":"request_speak","client_id":"matrix-speak-00000000001","item_id":"A2","kind":"normal"}"#,
        accepted_on: &["tablet"],
        refused_with: "forbidden",
    },
    WsRow {
        kind: "withdraw_speak",
        json: r#"{"type":"withdraw_speak","client_id":"matrix-withdraw-00000001","request_id":424242}"#,
        accepted_on: &["tablet"],
        refused_with: "forbidden",
    },
];

/// Every `ClientMsg` variant (from its generated schema) has a row in `WS_MESSAGES`.
#[test]
fn matrix_covers_every_client_message() {
    let missing: Vec<String> = congress_server::openapi::client_message_types()
        .into_iter()
        .filter(|t| !WS_MESSAGES.iter().any(|r| r.kind == t))
        .collect();
    assert!(
        missing.is_empty(),
        "client messages without a row in roles.rs WS_MESSAGES: {missing:?}"
    );
}

/// Every client message × every endpoint × every caller allowed on it: accepted (past
/// authorization) or refused with the row's code, and the connection stays usable.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_client_message_on_every_endpoint() {
    let s = TestServer::start().await;
    let endpoints: &[(&str, &[Who])] = &[
        ("console", OPERATORS),
        (
            "projector",
            &[Admin, Secretariat, Credentials, Observer, Projector],
        ),
        ("tablet", &[Tablet]),
        ("kiosk", &[Kiosk]),
    ];
    let mut failures = Vec::new();
    for (endpoint, callers) in endpoints {
        for who in *callers {
            let api = s.caller(*who).await;
            let mut ws = RawWs::connect(&api, endpoint).await;
            ws.hello(api.token().unwrap_or_default(), None).await;
            for row in WS_MESSAGES {
                ws.send(row.json).await;
                // The answer: the first reply that is not a snapshot, push or live update.
                let reply = loop {
                    match ws.next_msg().await {
                        ServerMsg::Welcome { .. }
                        | ServerMsg::Snapshot { .. }
                        | ServerMsg::Push { .. }
                        | ServerMsg::Resumed { .. }
                        | ServerMsg::VoteLive { .. } => continue,
                        other => break other,
                    }
                };
                let refusal = match &reply {
                    ServerMsg::Error { error, fatal, .. } => Some((error.clone(), *fatal)),
                    ServerMsg::BallotRefused { error, .. }
                    | ServerMsg::Refused { error, .. }
                    | ServerMsg::SpeakRefused { error, .. }
                        if error == "forbidden" =>
                    {
                        Some((error.clone(), false))
                    }
                    _ => None,
                };
                let accepted = row.accepted_on.contains(endpoint);
                let ok = match &refusal {
                    None => accepted,
                    Some((code, fatal)) => !accepted && code == row.refused_with && !fatal,
                };
                if !ok {
                    failures.push(format!(
                        "{} on /ws/{endpoint} as {who:?}: got {reply:?}, expected {}",
                        row.kind,
                        if accepted {
                            "accepted".to_string()
                        } else {
                            format!("refused with {}", row.refused_with)
                        }
                    ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

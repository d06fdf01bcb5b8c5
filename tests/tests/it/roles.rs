//! Every REST route of docs/protocol.md × every kind of caller: allowed (2xx) or the exact
//! refusal. A new route is one line in `ROUTES`; a new caller one entry in `Who::ALL`.

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
}

struct Route {
    method: &'static str,
    /// `{own}`: the tablet's delegate; `{other}`: another delegate; `{device}`: a freshly paired
    /// device (so each call has its own victim).
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
    r("GET", "/api/tls", Allow::Only(OPERATORS)),
    r("GET", "/api/no-such-route", Allow::All(404)),
];

fn expected(allow: &Allow, who: Who) -> Option<u16> {
    match allow {
        Allow::All(s) => Some(*s),
        Allow::Only(list) if list.contains(&who) => None,
        Allow::Only(_) if who == Nobody => Some(401),
        Allow::Only(_) => Some(403),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_checks_the_callers_role() {
    let s = TestServer::start().await;
    let mut callers = Vec::new();
    for who in Who::ALL {
        callers.push((who, s.caller(who).await));
    }
    let mut failures = Vec::new();
    for route in ROUTES {
        for (who, api) in &callers {
            let api = if route.fresh_session && who.username().is_some() {
                s.session_for(*who).await
            } else {
                api.clone()
            };
            let mut path = route.path.replace("{own}", VIET).replace("{other}", ARAB);
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

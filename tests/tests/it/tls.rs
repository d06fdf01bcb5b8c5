//! HTTPS and WSS with the congress CA: clients whose ONLY root is the congress CA complete the
//! handshake (so the server certificate is signed by it and names 127.0.0.1), websockets work
//! over wss, the plain-HTTP port only redirects (308) and serves the public CA certificate,
//! every answer carries the security headers, the CA key is 0600 and never served, and a
//! restart keeps the CA (tablets trust it once).

use std::sync::Arc;
use std::time::Duration;

use congress_proto::*;
use futures_util::{SinkExt, StreamExt};
use tokio_tungstenite::tungstenite::Message;

use crate::util::*;

async fn tls_server() -> TestServer {
    TestServer::start_with(Options {
        tls: true,
        ..Default::default()
    })
    .await
}

fn ca_pem(server: &TestServer) -> String {
    std::fs::read_to_string(server.config.data_dir.join("tls/ca.pem")).expect("ca.pem")
}

/// A rustls client config whose only root is the congress CA.
fn rustls_client(pem: &str) -> Arc<rustls::ClientConfig> {
    use rustls::pki_types::CertificateDer;
    use rustls::pki_types::pem::PemObject;
    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_slice_iter(pem.as_bytes()) {
        roots.add(cert.expect("pem")).expect("root");
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    Arc::new(
        rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .expect("versions")
            .with_root_certificates(roots)
            .with_no_client_auth(),
    )
}

#[tokio::test]
async fn https_with_only_the_congress_ca_as_root_and_wss_live() {
    let server = tls_server().await;
    assert!(
        server.base.starts_with("https://127.0.0.1:"),
        "{}",
        server.base
    );
    // start_with logged the operators in over HTTPS; an API call proves it once more.
    let me: Me = server.admin.get("/api/me").await.expect("me over https");
    assert!(matches!(me, Me::Operator { .. }), "{me:?}");

    // A client that does not trust the congress CA is refused at the handshake.
    let stranger = reqwest::Client::builder()
        .tls_built_in_root_certs(false)
        .build()
        .expect("client");
    let err = stranger
        .get(format!("{}/api/health", server.base))
        .send()
        .await
        .expect_err("an untrusted certificate must fail");
    let chain = format!("{err:?}");
    assert!(
        chain.contains("UnknownIssuer") || chain.to_lowercase().contains("certificate"),
        "{chain}"
    );

    // wss:// with the CA as the only root: welcome, snapshot, then a live push.
    let wss = server.base.replacen("https://", "wss://", 1) + "/ws/console";
    let (mut ws, _) = within(tokio_tungstenite::connect_async_tls_with_config(
        wss.as_str(),
        None,
        false,
        Some(tokio_tungstenite::Connector::Rustls(rustls_client(
            &ca_pem(&server),
        ))),
    ))
    .await
    .expect("wss connect");
    let hello = ClientMsg::Hello {
        token: server.admin.token().expect("token").into(),
        resume_from: None,
        protocol: PROTOCOL_VERSION,
    };
    ws.send(Message::Text(
        serde_json::to_string(&hello).expect("json").into(),
    ))
    .await
    .expect("hello");
    let mut next = async || loop {
        match within(ws.next()).await.expect("open").expect("frame") {
            Message::Text(t) => return serde_json::from_str::<ServerMsg>(&t).expect("json"),
            _ => continue,
        }
    };
    assert!(matches!(next().await, ServerMsg::Welcome { .. }));
    assert!(matches!(next().await, ServerMsg::Snapshot { .. }));
    server.check_in(VIET).await;
    loop {
        if let ServerMsg::Push {
            push: Push::Attendance { .. },
            ..
        } = next().await
        {
            break;
        }
    }
}

#[tokio::test]
async fn the_ca_and_server_certificate_on_disk() {
    let server = tls_server().await;
    let dir = server.config.data_dir.join("tls");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        for f in ["ca.key", "server.key"] {
            let mode = std::fs::metadata(dir.join(f))
                .expect(f)
                .permissions()
                .mode();
            assert_eq!(
                mode & 0o777,
                0o600,
                "{f} must be readable by the server's user only"
            );
        }
    }
    // The server certificate names 127.0.0.1, ::1 and localhost, is not a CA, and is issued by
    // the congress CA.
    let pem = std::fs::read(dir.join("server.pem")).expect("server.pem");
    let (_, pem) = x509_parser::pem::parse_x509_pem(&pem).expect("pem");
    let cert = pem.parse_x509().expect("x509");
    let sans = cert
        .subject_alternative_name()
        .expect("san ext")
        .expect("has SANs");
    let names: Vec<String> = sans
        .value
        .general_names
        .iter()
        .map(|n| match n {
            x509_parser::extensions::GeneralName::IPAddress(b) => match b.len() {
                4 => std::net::IpAddr::from(<[u8; 4]>::try_from(*b).expect("v4")).to_string(),
                16 => std::net::IpAddr::from(<[u8; 16]>::try_from(*b).expect("v6")).to_string(),
                _ => format!("{b:?}"),
            },
            x509_parser::extensions::GeneralName::DNSName(d) => d.to_string(),
            other => format!("{other:?}"),
        })
        .collect();
    for want in ["127.0.0.1", "::1", "localhost"] {
        assert!(
            names.iter().any(|n| n == want),
            "{want} missing from {names:?}"
        );
    }
    assert!(!cert.is_ca());
    let ca = ca_pem(&server);
    let (_, ca_der) = x509_parser::pem::parse_x509_pem(ca.as_bytes()).expect("ca pem");
    let ca_cert = ca_der.parse_x509().expect("ca x509");
    assert!(ca_cert.is_ca());
    assert_eq!(cert.issuer(), ca_cert.subject());
    cert.verify_signature(Some(ca_cert.public_key()))
        .expect("signed by the congress CA");

    // /ca.pem serves exactly the public certificate; nothing serves the key.
    let http = https_client(&ca);
    let res = http
        .get(format!("{}/ca.pem", server.base))
        .send()
        .await
        .expect("ca.pem");
    assert_eq!(res.status(), 200);
    let body = res.text().await.expect("body");
    assert_eq!(body, ca);
    assert!(!body.contains("PRIVATE KEY"));
    for path in ["/ca.key", "/tls/ca.key", "/console/../data/tls/ca.key"] {
        let res = http
            .get(format!("{}{path}", server.base))
            .send()
            .await
            .expect("get");
        let text = res.text().await.unwrap_or_default();
        assert!(!text.contains("PRIVATE KEY"), "{path} leaked a key");
    }

    // The fingerprint the console shows is the SHA-256 of the CA certificate.
    let info: TlsInfo = server.observer.get("/api/tls").await.expect("tls info");
    assert!(info.enabled);
    let fp = info.ca_sha256.expect("fingerprint");
    assert_eq!(fp.len(), 32 * 3 - 1);
    let ca_before = ca.clone();

    // A restart keeps the CA: a client made before the restart still connects.
    let old_client = https_client(&ca_before);
    let server2 = server.restart().await;
    assert_eq!(ca_pem(&server2), ca_before, "the CA must survive a restart");
    let res = old_client
        .get(format!("{}/api/health", server2.base))
        .send()
        .await
        .expect("the old trust still works");
    assert_eq!(res.status(), 200);
    let info2: TlsInfo = server2.observer.get("/api/tls").await.expect("tls info");
    assert_eq!(info2.ca_sha256.as_deref(), Some(fp.as_str()));
}

#[tokio::test]
async fn every_answer_has_the_security_headers() {
    let server = tls_server().await;
    let http = https_client(&ca_pem(&server));
    for path in ["/api/health", "/console/", "/api/delegates", "/ca.pem"] {
        let res = http
            .get(format!("{}{path}", server.base))
            .send()
            .await
            .expect("get");
        let h = res.headers();
        let get = |k: &str| {
            h.get(k)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_string()
        };
        assert!(
            get("strict-transport-security").contains("max-age="),
            "{path}: HSTS"
        );
        assert_eq!(get("x-content-type-options"), "nosniff", "{path}");
        assert_eq!(get("x-frame-options"), "DENY", "{path}");
        assert_eq!(get("referrer-policy"), "no-referrer", "{path}");
        let csp = get("content-security-policy");
        assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        assert!(csp.contains("default-src 'self'"), "{path}: {csp}");
        assert!(!csp.contains("'unsafe-eval'"), "{path}: {csp}");
        if path.starts_with("/api/") {
            assert_eq!(get("cache-control"), "no-store", "{path}");
        }
        assert!(
            h.get("set-cookie").is_none(),
            "{path}: the server sets no cookies"
        );
    }
}

#[tokio::test]
async fn the_plain_http_port_only_redirects_and_serves_the_ca() {
    let server = tls_server().await;
    let https_port: u16 = server
        .base
        .rsplit(':')
        .next()
        .expect("port")
        .parse()
        .expect("port");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let plain = format!("http://{}", listener.local_addr().expect("addr"));
    let state = server.state.clone().expect("running");
    tokio::spawn(async move {
        let _ = congress_server::serve_redirect(listener, &state, https_port).await;
    });
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    for (method, path) in [
        ("GET", "/console/?lang=vi"),
        ("GET", "/api/health"),
        ("POST", "/api/login"),
        ("GET", "/"),
    ] {
        let res = http
            .request(method.parse().expect("method"), format!("{plain}{path}"))
            .body("{}")
            .send()
            .await
            .expect("plain request");
        assert_eq!(res.status(), 308, "{method} {path}");
        let loc = res.headers()["location"].to_str().expect("location");
        assert_eq!(
            loc,
            format!("https://127.0.0.1:{https_port}{path}"),
            "{method} {path}"
        );
        assert!(res.headers().get("strict-transport-security").is_none());
        assert_eq!(res.headers()["x-content-type-options"], "nosniff");
        let body = res.text().await.expect("body");
        assert!(
            !body.contains("\"head\""),
            "no API answer over plain HTTP: {body}"
        );
    }
    // The public CA certificate, so a tablet can fetch it before it trusts the server.
    let res = http
        .get(format!("{plain}/ca.pem"))
        .send()
        .await
        .expect("ca");
    assert_eq!(res.status(), 200);
    assert_eq!(res.text().await.expect("pem"), ca_pem(&server));
    // Following the redirect with the CA as root lands on the HTTPS answer.
    let follow = reqwest::Client::builder()
        .tls_built_in_root_certs(false)
        .add_root_certificate(
            reqwest::Certificate::from_pem(ca_pem(&server).as_bytes()).expect("pem"),
        )
        .build()
        .expect("client");
    let res = follow
        .get(format!("{plain}/api/health"))
        .send()
        .await
        .expect("followed");
    assert_eq!(res.status(), 200);
    assert!(res.url().as_str().starts_with("https://"));
}

#[tokio::test]
async fn with_tls_off_there_is_no_ca_and_no_hsts() {
    let server = TestServer::start().await;
    let res = reqwest::get(format!("{}/ca.pem", server.base))
        .await
        .expect("get");
    assert_eq!(res.status(), 404);
    assert!(res.headers().get("strict-transport-security").is_none());
    assert_eq!(res.headers()["x-content-type-options"], "nosniff");
    let info: TlsInfo = server.admin.get("/api/tls").await.expect("info");
    assert!(!info.enabled && info.ca_sha256.is_none());
    assert!(
        !server.config.data_dir.join("tls").exists(),
        "no CA is made with TLS off"
    );
    tokio::time::sleep(Duration::from_millis(1)).await;
}

/// One raw HTTP/1.1 request with this `Host` header; the answer's head, lower-cased.
async fn raw_head(addr: &str, host: &str) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut tcp = tokio::net::TcpStream::connect(addr).await.expect("connect");
    let req = format!("GET /console/?x=1 HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n");
    tcp.write_all(req.as_bytes()).await.expect("write");
    let mut buf = Vec::new();
    let _ = within(tcp.read_to_end(&mut buf)).await;
    let text = String::from_utf8_lossy(&buf).to_lowercase();
    text.split("\r\n\r\n")
        .next()
        .unwrap_or_default()
        .to_string()
}

/// Issue 13, finding 14: the plain-HTTP port reflected any `Host` header into its redirect, so a
/// link to the hall server's address with a forged host sent a tablet to another site. It
/// redirects only to the names the server is configured for (those of its certificate).
#[tokio::test]
async fn the_redirect_port_redirects_only_to_the_servers_own_names() {
    let server = tls_server().await;
    let https_port: u16 = server
        .base
        .rsplit(':')
        .next()
        .expect("port")
        .parse()
        .expect("port");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr").to_string();
    let state = server.state.clone().expect("running");
    tokio::spawn(async move {
        let _ = congress_server::serve_redirect(listener, &state, https_port).await;
    });
    for host in [
        "evil.example",
        "evil.example:80",
        "127.0.0.1.evil.example",
        "localhost.evil.example",
        "[::2]",
    ] {
        let head = raw_head(&addr, host).await;
        assert!(
            !head.starts_with("http/1.1 308") && !head.contains("location:"),
            "Host {host} was redirected: {head}"
        );
        assert!(head.starts_with("http/1.1 400"), "Host {host}: {head}");
    }
    // The server's own names still are, in any case.
    for (host, to) in [
        ("127.0.0.1:8080", "127.0.0.1"),
        ("LOCALHOST", "localhost"),
        ("[::1]", "[::1]"),
    ] {
        let head = raw_head(&addr, host).await;
        assert!(head.starts_with("http/1.1 308"), "Host {host}: {head}");
        assert!(
            head.contains(&format!("location: https://{to}:{https_port}/console/?x=1")),
            "Host {host}: {head}"
        );
    }
}

//! The vote-storm's floor: a minimal server that only stores each ballot durably and acks it,
//! and the same storm against it. It takes the congress server's `cast_secret_ballot` message
//! over a websocket, writes the ballot to SQLite (WAL, `synchronous=FULL`, one transaction per
//! batch of what arrived meanwhile, like the real server's group commit) and answers
//! `ballot_ack` once committed. No TLS, no login, no domain, no proof checked: what is left of
//! an ack's latency is the socket, the JSON and the disk, so the real server's figure divided
//! by this one is the cost of the protocol (`ratio_vs_minimal_p99`).
//!
//! It runs as its own process (`congress-bench minimal-server --data DIR`), like the server.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use base64::Engine as _;
use futures_util::{SinkExt, StreamExt};
use serde::Deserialize;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::net::TcpListener;
use tokio::process::{Child, Command};
use tokio::sync::{mpsc, oneshot};
use tokio_tungstenite::tungstenite::Message;

/// What the minimal server reads of a tablet's message.
#[derive(Deserialize)]
struct Cast {
    client_id: String,
    vote_id: u64,
    ballot: String,
}

type Pending = (Cast, Vec<u8>, oneshot::Sender<()>);

/// The database file in `data`.
pub fn database(data: &Path) -> PathBuf {
    data.join("minimal.db")
}

/// The writer: commits every batch of ballots that arrived while the previous one was written.
fn writer(path: PathBuf, mut rx: mpsc::Receiver<Pending>) -> anyhow::Result<()> {
    let mut conn = rusqlite::Connection::open(path)?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS ballots (client_id TEXT PRIMARY KEY, vote_id INTEGER NOT NULL, ballot BLOB NOT NULL)",
    )?;
    while let Some(first) = rx.blocking_recv() {
        let mut batch = vec![first];
        while batch.len() < 1024 {
            match rx.try_recv() {
                Ok(p) => batch.push(p),
                Err(_) => break,
            }
        }
        let tx = conn.transaction()?;
        {
            let mut st = tx.prepare_cached(
                "INSERT OR IGNORE INTO ballots (client_id, vote_id, ballot) VALUES (?1, ?2, ?3)",
            )?;
            for (cast, bytes, _) in &batch {
                st.execute(rusqlite::params![
                    cast.client_id,
                    cast.vote_id as i64,
                    bytes
                ])?;
            }
        }
        tx.commit()?;
        for (_, _, done) in batch {
            let _ = done.send(());
        }
    }
    Ok(())
}

/// Serves on a free loopback port until killed; prints `ready: {"url": …}` when listening.
pub async fn serve(data: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(data)?;
    let (tx, rx) = mpsc::channel::<Pending>(8192);
    let path = database(data);
    std::thread::spawn(move || {
        if let Err(e) = writer(path, rx) {
            eprintln!("minimal server writer: {e:#}");
            std::process::exit(1);
        }
    });
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    println!(
        "ready: {}",
        serde_json::json!({ "url": format!("ws://{}", listener.local_addr()?) })
    );
    loop {
        let (stream, _) = listener.accept().await?;
        let tx = tx.clone();
        tokio::spawn(async move {
            let Ok(ws) = tokio_tungstenite::accept_async(stream).await else {
                return;
            };
            let (mut sink, mut source) = ws.split();
            while let Some(Ok(Message::Text(text))) = source.next().await {
                let Ok(cast) = serde_json::from_str::<Cast>(&text) else {
                    break;
                };
                let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(&cast.ballot)
                else {
                    break;
                };
                let client_id = cast.client_id.clone();
                let (done, stored) = oneshot::channel();
                if tx.send((cast, bytes, done)).await.is_err() || stored.await.is_err() {
                    break;
                }
                let ack = serde_json::json!({ "type": "ballot_ack", "client_id": client_id });
                if sink.send(Message::text(ack.to_string())).await.is_err() {
                    break;
                }
            }
        });
    }
}

/// The minimal server as a child process (this executable's `minimal-server`).
pub struct MinimalServer {
    _child: Child,
    pub url: String,
}

impl MinimalServer {
    /// Starts `exe minimal-server --data data`.
    pub async fn start(exe: &Path, data: &Path) -> anyhow::Result<MinimalServer> {
        let mut child = Command::new(exe)
            .args(["minimal-server", "--data"])
            .arg(data)
            .stdout(Stdio::piped())
            .kill_on_drop(true)
            .spawn()?;
        let stdout = child.stdout.take().context("no stdout")?;
        let mut lines = BufReader::new(stdout).lines();
        let url = crate::server::ready_url(&mut lines, Duration::from_secs(30)).await?;
        Ok(MinimalServer { _child: child, url })
    }
}

/// What the storm against the minimal server measured.
#[derive(Debug, Default)]
pub struct MinimalReport {
    pub ack_ms: Vec<f64>,
    pub acked: u64,
    pub failed: Vec<String>,
}

/// Every ballot from its own socket, at a random moment within `window_ms` of a common start,
/// as in the real storm; returns each ack's latency.
pub async fn storm(
    url: &str,
    ballots: &[Vec<u8>],
    window_ms: u64,
    seed: u64,
) -> anyhow::Result<MinimalReport> {
    let mut sockets = Vec::with_capacity(ballots.len());
    for _ in ballots {
        sockets.push(tokio_tungstenite::connect_async(url).await?.0);
    }
    let start = Arc::new(tokio::sync::Barrier::new(ballots.len() + 1));
    let mut tasks = Vec::with_capacity(ballots.len());
    for (i, (mut ws, ballot)) in sockets.into_iter().zip(ballots).enumerate() {
        let msg = serde_json::json!({
            "type": "cast_secret_ballot",
            "client_id": format!("minimal-{seed}-{i}"),
            "vote_id": seed,
            "ballot": base64::engine::general_purpose::STANDARD.encode(ballot),
        })
        .to_string();
        let delay = crate::vote::mix(seed ^ (i as u64) << 12) % window_ms.max(1);
        let start = start.clone();
        tasks.push(tokio::spawn(async move {
            start.wait().await;
            tokio::time::sleep(Duration::from_millis(delay)).await;
            let sent = Instant::now();
            ws.send(Message::text(msg)).await?;
            match tokio::time::timeout(Duration::from_secs(30), ws.next()).await {
                Ok(Some(Ok(Message::Text(_)))) => {}
                other => anyhow::bail!("tablet {i}: no ack ({other:?})"),
            }
            let ms = sent.elapsed().as_secs_f64() * 1e3;
            let _ = ws.close(None).await;
            Ok(ms)
        }));
    }
    start.wait().await;
    let mut report = MinimalReport::default();
    for t in tasks {
        match t.await? {
            Ok(ms) => {
                report.ack_ms.push(ms);
                report.acked += 1;
            }
            Err(e) => report.failed.push(format!("{e:#}")),
        }
    }
    Ok(report)
}

/// Ballots stored in the minimal server's database.
pub fn stored(data: &Path) -> anyhow::Result<u64> {
    let conn = rusqlite::Connection::open_with_flags(
        database(data),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )?;
    Ok(conn.query_row("SELECT count(*) FROM ballots", [], |r| r.get::<_, i64>(0))? as u64)
}

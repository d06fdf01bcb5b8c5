//! The `congress` server as a child process, on a generated congress in a temporary folder.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use congress_client::Api;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

/// A running server process.
pub struct ServerProcess {
    child: Child,
    pub url: String,
    /// The data folder (its `tls/ca.pem` is the CA of an `https://` url).
    pub data: PathBuf,
    pub pid: u32,
    /// From spawn to the `ready:` line.
    pub ready_after: Duration,
}

/// Finds the `congress` binary: `$CONGRESS_BIN`, else next to this executable.
pub fn congress_bin() -> anyhow::Result<PathBuf> {
    if let Some(p) = std::env::var_os("CONGRESS_BIN") {
        return Ok(PathBuf::from(p));
    }
    let me = std::env::current_exe()?;
    let dir = me.parent().context("no parent dir")?;
    let p = dir.join("congress");
    if p.exists() {
        Ok(p)
    } else {
        bail!(
            "{} not found: build it with `cargo build --release -p congress-server` or set CONGRESS_BIN",
            p.display()
        )
    }
}

/// Writes a congress of `n` delegates (`congress.toml`, `delegates.csv`) into `dir`.
pub fn write_congress(dir: &Path, n: usize) -> anyhow::Result<()> {
    let mut t = std::fs::File::create(dir.join("congress.toml"))?;
    writeln!(
        t,
        "name = \"Đại hội đại biểu toàn quốc (mô phỏng)\"\nvenue = \"Hội trường\"\n\
         starts_on = \"2026-12-01\"\nends_on = \"2026-12-03\"\nconvened = {n}\n\
         [[agenda]]\nid = \"A1\"\ntitle = \"Khai mạc\"\n[[agenda]]\nid = \"A2\"\ntitle = \"Bầu cử\""
    )?;
    let mut c = std::io::BufWriter::new(std::fs::File::create(dir.join("delegates.csv"))?);
    writeln!(c, "id,full_name,unit,seat,group,roles")?;
    const FAMILY: [&str; 8] = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi"];
    const GIVEN: [&str; 8] = ["An", "Bình", "Cường", "Dũng", "Hà", "Hương", "Minh", "Thảo"];
    for i in 1..=n {
        writeln!(
            c,
            "{},{} Văn {},Đoàn {},A-{:02}-{:02},Tổ {},delegate",
            delegate_id(i),
            FAMILY[i % 8],
            GIVEN[(i / 8) % 8],
            i % 60 + 1,
            i / 40 + 1,
            i % 40 + 1,
            i % 12 + 1
        )?;
    }
    c.flush()?;
    Ok(())
}

/// The id of the `i`-th generated delegate (1-based).
pub fn delegate_id(i: usize) -> String {
    format!("D{i:05}")
}

/// Runs a `congress` subcommand to completion.
pub async fn run_cli(data: &Path, args: &[&str], stdin: Option<&str>) -> anyhow::Result<String> {
    run_cli_bin(&congress_bin()?, data, args, stdin).await
}

/// [`run_cli`] with a given `congress` binary.
/// The passphrase of the benches' data folders (encryption at rest): `CONGRESS_PASSPHRASE` or
/// a fixed one (a build from before encryption ignores it).
pub fn passphrase() -> String {
    std::env::var("CONGRESS_PASSPHRASE").unwrap_or_else(|_| "bench".into())
}

/// A read-only connection to the database of a data folder a server wrote (encrypted at rest
/// with [`passphrase`], or plain).
pub fn open_database(data: &Path) -> anyhow::Result<rusqlite::Connection> {
    let cfg = congress_app::Config {
        data_dir: data.to_path_buf(),
        unlock: Some(congress_keys::Unlock::Passphrase(
            congress_keys::Passphrase::new(passphrase()),
        )),
        ..Default::default()
    };
    let keys = congress_app::keys::unlock_existing(data, &cfg)?;
    let conn = keys.db.connect(congress_store::Access::ReadOnly)?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    Ok(conn)
}

pub async fn run_cli_bin(
    bin: &Path,
    data: &Path,
    args: &[&str],
    stdin: Option<&str>,
) -> anyhow::Result<String> {
    let mut cmd = Command::new(bin);
    cmd.arg("--data").arg(data).args(args);
    cmd.env("CONGRESS_PASSPHRASE", passphrase());
    cmd.stdin(if stdin.is_some() {
        Stdio::piped()
    } else {
        Stdio::null()
    })
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    let mut child = cmd.spawn()?;
    if let (Some(s), Some(mut pipe)) = (stdin, child.stdin.take()) {
        use tokio::io::AsyncWriteExt;
        pipe.write_all(s.as_bytes()).await?;
    }
    let out = child.wait_with_output().await?;
    if !out.status.success() {
        bail!(
            "congress {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Reads a child's stdout up to its `ready: {"url": …}` line, within `limit`; returns the url.
pub async fn ready_url(
    lines: &mut tokio::io::Lines<BufReader<tokio::process::ChildStdout>>,
    limit: Duration,
) -> anyhow::Result<String> {
    loop {
        let line = tokio::time::timeout(limit, lines.next_line())
            .await
            .with_context(|| format!("not ready within {limit:?}"))??
            .context("exited before it was ready")?;
        if let Some(json) = line.strip_prefix("ready: ") {
            let v: serde_json::Value = serde_json::from_str(json)?;
            return Ok(v["url"].as_str().context("no url")?.to_string());
        }
    }
}

impl ServerProcess {
    /// Starts `congress serve` on `data` listening on a free loopback port.
    pub async fn start(data: &Path) -> anyhow::Result<ServerProcess> {
        Self::start_bin(&congress_bin()?, data).await
    }

    /// [`ServerProcess::start`] with a given `congress` binary.
    pub async fn start_bin(bin: &Path, data: &Path) -> anyhow::Result<ServerProcess> {
        Self::start_on(bin, data, "127.0.0.1:0").await
    }

    /// [`ServerProcess::start_bin`] on a given address (to restart on the same port).
    pub async fn start_on(bin: &Path, data: &Path, listen: &str) -> anyhow::Result<ServerProcess> {
        Self::start_with(bin, data, listen, false).await
    }

    /// [`ServerProcess::start_bin`] over TLS (the congress CA made in the data folder) with
    /// every limit on but those per address: thousands of simulated tablets share one address
    /// here, where a hall gives each its own.
    pub async fn start_tls(bin: &Path, data: &Path) -> anyhow::Result<ServerProcess> {
        Self::start_with(bin, data, "127.0.0.1:0", true).await
    }

    async fn start_with(
        bin: &Path,
        data: &Path,
        listen: &str,
        tls: bool,
    ) -> anyhow::Result<ServerProcess> {
        let started = Instant::now();
        let mut cmd = Command::new(bin);
        cmd.arg("--data")
            .arg(data)
            .args(["serve", "--listen", listen])
            .env("CONGRESS_PASSPHRASE", passphrase())
            .env("CONGRESS_LOG", "warn")
            // Pairing and logging in thousands of simulated tablets from one address: no
            // per-address limits.
            .env("CONGRESS_LOGIN_PER_MINUTE", "0")
            .env("CONGRESS_PAIR_PER_MINUTE", "0")
            .env("CONGRESS_MAX_CONNECTIONS_PER_ADDRESS", "0");
        if !tls {
            // The other benchmarks measure the server over plain loopback, and without the
            // per-device socket cap (some reconnect faster than a dropped socket times out).
            cmd.env("CONGRESS_TLS", "off")
                .env("CONGRESS_SOCKETS_PER_DEVICE", "0");
        }
        let mut child = cmd
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()?;
        let pid = child.id().context("no pid")?;
        let stdout = child.stdout.take().context("no stdout")?;
        let mut lines = BufReader::new(stdout).lines();
        let url = ready_url(&mut lines, Duration::from_secs(60)).await?;
        let ready_after = started.elapsed();
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        Ok(ServerProcess {
            child,
            url,
            data: data.to_path_buf(),
            pid,
            ready_after,
        })
    }

    /// A client of this server: over TLS with the data folder's CA as its only root when the
    /// url is `https://`.
    pub fn api(&self) -> anyhow::Result<Api> {
        if self.url.starts_with("https://") {
            let ca = std::fs::read_to_string(self.data.join("tls/ca.pem"))?;
            Ok(Api::with_ca(&self.url, &ca)?)
        } else {
            Ok(Api::new(&self.url))
        }
    }

    /// Peak and current resident memory of the server, in MiB (from /proc).
    pub fn memory_mib(&self) -> (f64, f64) {
        let status =
            std::fs::read_to_string(format!("/proc/{}/status", self.pid)).unwrap_or_default();
        let field = |name: &str| {
            status
                .lines()
                .find(|l| l.starts_with(name))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse::<f64>().ok())
                .map(|kb| kb / 1024.0)
                .unwrap_or(0.0)
        };
        (field("VmHWM:"), field("VmRSS:"))
    }

    /// Kills the server with SIGKILL (no chance to flush or clean up) and waits for it.
    pub async fn kill(mut self) -> anyhow::Result<()> {
        self.kill_in_place().await
    }

    /// [`ServerProcess::kill`] without giving up the handle.
    pub async fn kill_in_place(&mut self) -> anyhow::Result<()> {
        self.child.kill().await?;
        Ok(())
    }

    /// Stops the server with SIGTERM-like kill and waits.
    pub async fn stop(mut self) -> anyhow::Result<()> {
        self.child.kill().await?;
        Ok(())
    }
}

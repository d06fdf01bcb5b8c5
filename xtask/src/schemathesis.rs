//! `cargo xtask schemathesis [--max-examples N]`: property-based testing of the REST API from
//! its OpenAPI description. Creates a venv with a pinned schemathesis under `.cache/`
//! (idempotent), builds the debug `congress` binary, starts `congress demo` on 127.0.0.1 over
//! HTTPS (Python trusts the congress CA) with a fresh data folder, and runs `tests/schemathesis/run.py` (as the admin, then as a paired
//! tablet). Prints one JSON line `{"operations":..,"requests":..,"server_errors":..,"failures":..}`
//! and fails when there is any server error or failed check.

use std::ffi::OsString;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, ExitCode, Stdio};

use anyhow::{Context, Result, bail};

use crate::util::{Ctx, output, run, step};

/// The pinned schemathesis release (PyPI).
const VERSION: &str = "4.32.5";

/// Kills the server when the run ends, however it ends.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn venv(ctx: &Ctx) -> Result<std::path::PathBuf> {
    let dir = ctx
        .root
        .join(".cache")
        .join(format!("schemathesis-{VERSION}"));
    let exe = dir.join("bin").join("schemathesis");
    step("schemathesis/venv", || {
        if exe.is_file()
            && output(Command::new(&exe).arg("--version")).is_ok_and(|v| v.contains(VERSION))
        {
            return Ok(((), format!("schemathesis {VERSION} already installed")));
        }
        run(Command::new("python3").arg("-m").arg("venv").arg(&dir))?;
        run(Command::new(dir.join("bin").join("pip"))
            .args(["install", "--quiet"])
            .arg(format!("schemathesis=={VERSION}")))?;
        Ok((
            (),
            format!("schemathesis {VERSION} installed in {}", dir.display()),
        ))
    })?;
    Ok(dir.join("bin").join("python"))
}

/// Starts `congress demo` and waits for its `ready: {json}` line: (url, admin password, path of
/// the congress CA certificate).
fn start_server(ctx: &Ctx, bin: &std::path::Path) -> Result<(Server, String, String, String)> {
    let data = ctx.root.join(".cache").join("schemathesis-data");
    if data.exists() {
        std::fs::remove_dir_all(&data).with_context(|| format!("removing {}", data.display()))?;
    }
    let mut child = Command::new(bin)
        .current_dir(&ctx.root)
        .args([
            "demo",
            "--fixtures",
            "fixtures/demo",
            "--listen",
            "127.0.0.1:0",
            "--data",
        ])
        .arg(&data)
        .envs(ctx.project_env(false))
        .env("CONGRESS_LOG", "warn")
        // HTTPS as deployed (the congress CA is handed to Python below); one client address
        // logs in and pairs many times, so the per-address rate limits are off.
        .env("CONGRESS_TLS", "on")
        .env("CONGRESS_HTTP_REDIRECT_LISTEN", "off")
        .env("CONGRESS_LOGIN_PER_MINUTE", "0")
        .env("CONGRESS_PAIR_PER_MINUTE", "0")
        .env("CONGRESS_PAIR_FAILURES_PER_MINUTE", "0")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .with_context(|| format!("starting {}", bin.display()))?;
    let stdout = child.stdout.take().context("no stdout")?;
    let server = Server(child);
    let mut lines = BufReader::new(stdout).lines();
    let ready = loop {
        match lines.next() {
            Some(Ok(line)) => {
                if let Some(json) = line.strip_prefix("ready: ") {
                    break json.to_string();
                }
            }
            _ => bail!("the demo server ended before it was ready"),
        }
    };
    // Keep reading the server's stdout so it never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    let field = |name: &str| -> Result<String> {
        let key = format!("\"{name}\":\"");
        let start = ready.find(&key).context("ready line")? + key.len();
        let end = ready[start..].find('"').context("ready line")?;
        Ok(ready[start..start + end].to_string())
    };
    Ok((
        server,
        field("url")?,
        field("admin_password")?,
        field("ca_path")?,
    ))
}

pub fn schemathesis(ctx: &Ctx, args: &[OsString]) -> Result<ExitCode> {
    let mut max_examples = "50".to_string();
    let mut it = args.iter().map(|a| a.to_string_lossy().into_owned());
    while let Some(a) = it.next() {
        match a.as_str() {
            "--max-examples" => max_examples = it.next().context("--max-examples needs N")?,
            other => bail!("unknown schemathesis argument `{other}`"),
        }
    }
    let python = venv(ctx)?;
    run(&mut ctx.cargo(["build", "-p", "congress-server", "--bin", "congress"]))?;
    let bin = ctx.target_dir.join("debug").join("congress");
    let (server, url, password, ca) = start_server(ctx, &bin)?;
    crate::log!("demo server at {url}");
    let out = ctx.root.join(".cache").join("schemathesis-report");
    let status = Command::new(python)
        .current_dir(&ctx.root)
        .arg("tests/schemathesis/run.py")
        // requests (under schemathesis) trusts the congress CA and nothing else.
        .env("REQUESTS_CA_BUNDLE", &ca)
        .env("SSL_CERT_FILE", &ca)
        .args([
            "--url",
            &url,
            "--password",
            &password,
            "--max-examples",
            &max_examples,
        ])
        .arg("--out")
        .arg(&out)
        .status()
        .context("running tests/schemathesis/run.py")?;
    drop(server);
    Ok(if status.success() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

//! What the benches share: a fresh congress served by a given `congress` build, its admin, and
//! many tablets paired and checked in through the API.

use std::path::Path;

use congress_client::Api;
use congress_proto::{AttendanceStatus, DeviceKind};
use congress_sim::ServerProcess;
use congress_sim::server::{delegate_id, run_cli_bin, write_congress};
use futures_util::StreamExt;

/// The admin's password on a bench congress.
const PASSWORD: &str = "bench-password-1";

/// Imports a fresh congress of `n` delegates with `bin` and serves it with `bin`; returns the
/// server, the admin's API and the folder (the data is in `data/` below it).
pub async fn fresh_server(
    bin: &Path,
    n: usize,
) -> anyhow::Result<(ServerProcess, Api, tempfile::TempDir)> {
    fresh_server_with(bin, n, false).await
}

/// [`fresh_server`], over TLS with the server's limits on when `tls`
/// (`ServerProcess::start_tls`).
pub async fn fresh_server_with(
    bin: &Path,
    n: usize,
    tls: bool,
) -> anyhow::Result<(ServerProcess, Api, tempfile::TempDir)> {
    let dir = tempfile::tempdir()?;
    let data = dir.path().join("data");
    write_congress(dir.path(), n)?;
    let congress = dir.path().join("congress.toml");
    let delegates = dir.path().join("delegates.csv");
    run_cli_bin(
        bin,
        &data,
        &[
            "import",
            "--congress",
            &congress.to_string_lossy(),
            "--delegates",
            &delegates.to_string_lossy(),
        ],
        None,
    )
    .await?;
    run_cli_bin(
        bin,
        &data,
        &[
            "operator",
            "add",
            "admin",
            "--role",
            "admin",
            "--password-stdin",
        ],
        Some(PASSWORD),
    )
    .await?;
    let server = if tls {
        ServerProcess::start_tls(bin, &data).await?
    } else {
        ServerProcess::start_bin(bin, &data).await?
    };
    let admin = server.api()?.login("admin", PASSWORD).await?;
    Ok((server, admin, dir))
}

/// Pairs one tablet per delegate `1..=n`, `parallel` at a time.
pub async fn pair_tablets(admin: &Api, n: usize, parallel: usize) -> anyhow::Result<Vec<Api>> {
    let results: Vec<anyhow::Result<Api>> = futures_util::stream::iter(1..=n)
        .map(|i| {
            let admin = admin.clone();
            async move {
                let (api, _) = admin
                    .pair_device(DeviceKind::Tablet, Some(&delegate_id(i)))
                    .await?;
                Ok(api)
            }
        })
        .buffered(parallel)
        .collect()
        .await;
    results.into_iter().collect()
}

/// Checks in delegates `1..=n` by hand, `parallel` at a time.
pub async fn check_in(admin: &Api, n: usize, parallel: usize) -> anyhow::Result<()> {
    let results: Vec<anyhow::Result<()>> = futures_util::stream::iter(1..=n)
        .map(|i| {
            let admin = admin.clone();
            async move {
                admin
                    .set_attendance(
                        &format!("checkin-{i}"),
                        &delegate_id(i),
                        AttendanceStatus::Present,
                        "benchmark",
                    )
                    .await?;
                Ok(())
            }
        })
        .buffered(parallel)
        .collect()
        .await;
    results.into_iter().collect()
}

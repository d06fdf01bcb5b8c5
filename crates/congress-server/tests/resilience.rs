//! The crash harness, short: the debug `congress` binary of this package killed with SIGKILL
//! in the middle of check-ins and a vote storm (one round at a random moment or in a big group
//! commit, per the seed), restarted, and checked (nothing acknowledged lost, nothing counted
//! twice, retries answered identically, `congress verify` passes). The long run is
//! `cargo xtask bench crash`. Also: `congress backup` and `congress restore` from the command
//! line, while the server serves.

// These tests measure real time (a subprocess or socket deadline, a random seed), on purpose.
#![allow(clippy::disallowed_methods)]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;

use congress_sim::crash::{CrashOptions, Fixture, run};
use congress_sim::server::run_cli_bin;

fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_congress"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_at_random_moments_it_loses_and_doubles_nothing() {
    // A fixed seed per day of the year: varied over time, reproducible from the output.
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        / 86_400;
    eprintln!("crash harness seed {seed}");
    let r = run(&CrashOptions {
        bin: bin(),
        rounds: 3,
        seed,
        delegates: 24,
        window_ms: 300,
        verbose: true,
    })
    .await
    .unwrap();
    assert_eq!(r.rounds, 3);
    assert_eq!(r.kills, 3);
    assert!(r.problems.is_empty(), "seed {seed}: {:#?}", r.problems);
    assert_eq!((r.lost, r.double_counted, r.verify_failures), (0, 0, 0));
    assert_eq!(r.retry_mismatches, 0);
    assert!(r.acked_ballots + r.unacked_ballots == 3 * 18);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backup_and_restore_from_the_command_line_while_serving() {
    let f = Fixture::new(&bin(), 6, 6).await.unwrap();
    let root = f.dir.path().join("backups");
    let out = run_cli_bin(
        &bin(),
        &f.data,
        &["backup", "--to", &root.to_string_lossy(), "--keep", "2"],
        None,
    )
    .await
    .unwrap();
    assert!(out.starts_with("backup "), "{out}");
    // Restoring over the live data folder is refused.
    let refused = run_cli_bin(
        &bin(),
        &f.data,
        &["restore", "--from", &root.to_string_lossy()],
        None,
    )
    .await
    .unwrap_err()
    .to_string();
    assert!(refused.contains("not empty"), "{refused}");
    let spare = f.dir.path().join("spare");
    let out = run_cli_bin(
        &bin(),
        &spare,
        &["restore", "--from", &root.to_string_lossy()],
        None,
    )
    .await
    .unwrap();
    assert!(out.contains("ok:"), "{out}");
    let out = run_cli_bin(&bin(), &spare, &["verify"], None)
        .await
        .unwrap();
    assert!(out.contains("ok:"), "{out}");
    f.server.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_connection_dropped_at_once_resumes_without_gap_or_duplicate() {
    use congress_sim::reconnect::{ReconnectOptions, run};
    let r = run(&ReconnectOptions {
        bin: bin(),
        clients: 200,
        seed: 11,
        jitter_ms: (200, 1200),
        changes_per_s: 25,
        server_restart: false,
        verbose: true,
    })
    .await
    .unwrap();
    assert!(r.problems.is_empty(), "{:#?}", r.problems);
    assert_eq!((r.lost, r.duplicated, r.unexpected), (0, 0, 0));
    assert_eq!(r.resumed + r.snapshots, 200);
    assert_eq!(r.resumed, 200, "everyone is within the resume window");
    assert!(r.pushes_during_run > 20);
    assert_eq!(r.ballots_acked, 150);
    assert_eq!(r.ballots_counted, 150);
    assert!(r.ballots_retried_after_drop > 0);
}

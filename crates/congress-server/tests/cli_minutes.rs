//! `congress minutes` as a user runs it: on a data folder that a running server holds (the CLI
//! reads read-only, so the server's lock does not stop it), with every format, and with bad
//! arguments (a clear message and a non-zero exit).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::process::Command;

/// The data folder's passphrase (encryption at rest).
const PASSPHRASE: &str = "minutes-test";

fn congress(data: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_congress"))
        .arg("--data")
        .arg(data)
        .args(args)
        .env("CONGRESS_FACE", "off")
        .env("CONGRESS_PASSPHRASE", PASSPHRASE)
        .env_remove("CONGRESS_CONFIG")
        .output()
        .expect("run congress")
}

#[test]
fn minutes_cli_reads_a_running_servers_data_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/demo");
    let out = congress(
        &data,
        &[
            "import",
            "--congress",
            fixtures.join("congress.toml").to_str().unwrap(),
            "--delegates",
            fixtures.join("delegates.csv").to_str().unwrap(),
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // A "running server": the library holds the data folder's lock.
    let config = congress_server::Config {
        data_dir: data.clone(),
        face_check_in: congress_server::face::FaceMode::Off,
        unlock: Some(congress_keys::Unlock::Passphrase(
            congress_keys::Passphrase::new(PASSPHRASE.to_string()),
        )),
        ..Default::default()
    };
    let app = congress_server::open(config).unwrap();
    let head = app.engine.read(|s| s.head.clone());

    let csv = dir.path().join("m.csv");
    let out = congress(
        &data,
        &[
            "minutes",
            "--format",
            "csv",
            "--lang",
            "en",
            "--out",
            csv.to_str().unwrap(),
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(&csv).unwrap();
    assert!(text.starts_with("\u{feff}section,ref,time,label,value,detail\r\n"));
    assert!(text.contains(&head.hash), "head hash");
    assert!(text.contains("Sơn Hà"), "diacritics");

    let html = dir.path().join("m.html");
    let out = congress(
        &data,
        &[
            "minutes",
            "--format",
            "html",
            "--out",
            html.to_str().unwrap(),
        ],
    );
    assert!(out.status.success());
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.contains("BIÊN BẢN ĐẠI HỘI") && page.contains(&head.hash));

    for (args, want) in [
        (
            vec!["minutes", "--format", "docx", "--out", "x"],
            "unknown format",
        ),
        (
            vec!["minutes", "--lang", "fr", "--out", "x"],
            "unknown language",
        ),
    ] {
        let out = congress(&data, &args);
        assert!(!out.status.success());
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(want), "{err}");
    }
    let out = congress(
        &dir.path().join("none"),
        &["minutes", "--format", "html", "--out", "x"],
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no database"));
    drop(app);
}

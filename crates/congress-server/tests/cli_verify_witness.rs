//! `congress verify --witness FILE` as a user runs it (issue 13, finding 16): heads collected
//! from devices that match the journal pass; a changed hash, a head beyond the journal's end
//! (truncated) and a malformed file fail with a message naming the seq or the line. The attack
//! itself (a rewritten, re-hashed journal that `verify` alone accepts) is in
//! `tests/tests/it/witness.rs`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::process::Command;

const PASSPHRASE: &str = "witness-test";

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

fn text(out: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
fn verify_witness_passes_matching_heads_and_names_the_seq_of_a_mismatch() {
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
    assert!(out.status.success(), "{}", text(&out));
    let head = {
        let config = congress_server::Config {
            data_dir: data.clone(),
            face_check_in: congress_server::face::FaceMode::Off,
            unlock: Some(congress_keys::Unlock::Passphrase(
                congress_keys::Passphrase::new(PASSPHRASE.to_string()),
            )),
            ..Default::default()
        };
        let app = congress_server::open(config).unwrap();
        app.engine.read(|s| s.head.clone())
    };
    assert!(head.seq >= 2);
    let file = dir.path().join("witness-heads.json");
    let run = |content: String| {
        std::fs::write(&file, content).unwrap();
        congress(&data, &["verify", "--witness", file.to_str().unwrap()])
    };

    // Matching heads (an array), and the same as JSON lines.
    let ok = serde_json::json!([{ "seq": head.seq, "hash": head.hash }]).to_string();
    let out = run(ok);
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("witness heads match"), "{}", text(&out));
    let out = run(format!(
        "{}\n",
        serde_json::json!({ "seq": head.seq, "hash": head.hash })
    ));
    assert!(out.status.success(), "{}", text(&out));

    // A hash the journal does not have at that seq.
    let out = run(serde_json::json!([{ "seq": head.seq, "hash": "ab".repeat(32) }]).to_string());
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        text(&out).contains(&format!("problem: seq {}", head.seq))
            && text(&out).contains("rewritten"),
        "{}",
        text(&out)
    );
    // A head beyond the journal's end: truncated.
    let out =
        run(serde_json::json!([{ "seq": head.seq + 3, "hash": "ab".repeat(32) }]).to_string());
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("truncated"), "{}", text(&out));
    // A malformed file: refused with the line, before anything is checked.
    let out = run("{\"seq\": 1}\n".into());
    assert!(!out.status.success());
    assert!(text(&out).contains("line 1"), "{}", text(&out));
}

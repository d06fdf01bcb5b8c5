//! Interoperability with the reference `age` command-line tool (Debian package `age`).
//! Skipped with a message if `age` is missing, unless `CONGRESS_REQUIRE_TOOLS=1`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::Path;
use std::process::Command;

use age::secrecy::ExposeSecret;
use congress_docs::crypto;
use congress_docs::keys::{StorageKey, parse_recipient};
use congress_docs::{Identity, Recipient};

fn sample(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 7 % 253) as u8).collect()
}

fn run(cmd: &mut Command) -> Vec<u8> {
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

fn write_identity(dir: &Path, name: &str, id: &Identity) -> std::path::PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, format!("{}\n", id.to_string().expose_secret())).unwrap();
    p
}

#[test]
fn our_ciphertext_decrypts_with_age_cli() {
    if !common::have_tool("age", "age") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let ids: Vec<Identity> = (0..3).map(|_| Identity::generate()).collect();
    let recips: Vec<Recipient> = ids.iter().map(Identity::to_public).collect();
    let data = sample(300_000);
    let ct_path = dir.path().join("doc.age");
    crypto::encrypt_to_file(&recips, &data[..], &ct_path).unwrap();
    for (i, id) in ids.iter().enumerate() {
        let id_path = write_identity(dir.path(), &format!("id{i}.txt"), id);
        let plain = run(Command::new("age")
            .arg("-d")
            .arg("-i")
            .arg(&id_path)
            .arg(&ct_path));
        assert_eq!(plain, data, "recipient {i}");
    }
    // a stranger's key is refused by the CLI too
    let other = write_identity(dir.path(), "other.txt", &Identity::generate());
    let out = Command::new("age")
        .arg("-d")
        .arg("-i")
        .arg(&other)
        .arg(&ct_path)
        .output()
        .unwrap();
    assert!(!out.status.success());
}

#[test]
fn age_cli_ciphertext_decrypts_with_our_code() {
    if !common::have_tool("age", "age") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    // the tablet side: a key made by age-keygen, only the public part reaches us
    let key_path = dir.path().join("tablet.txt");
    run(Command::new("age-keygen").arg("-o").arg(&key_path));
    let public =
        String::from_utf8(run(Command::new("age-keygen").arg("-y").arg(&key_path))).unwrap();
    let tablet = parse_recipient(&public).unwrap();
    let ours = Identity::generate();
    let data = sample(150_000);
    let plain_path = dir.path().join("plain.bin");
    std::fs::write(&plain_path, &data).unwrap();
    for armor in [false, true] {
        let ct_path = dir.path().join(format!("cli-{armor}.age"));
        let mut cmd = Command::new("age");
        cmd.arg("-e")
            .arg("-r")
            .arg(ours.to_public().to_string())
            .arg("-r")
            .arg(tablet.to_string());
        if armor {
            cmd.arg("-a");
        }
        run(cmd.arg("-o").arg(&ct_path).arg(&plain_path));
        let mut out = Vec::new();
        let file = std::fs::File::open(&ct_path).unwrap();
        crypto::decrypt_stream(&ours, file, &mut out).unwrap();
        assert_eq!(out, data, "armor={armor}");
    }
}

#[test]
fn storage_key_file_is_an_age_identity_file() {
    if !common::have_tool("age", "age") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let key =
        StorageKey::load_or_create(&dir.path().join("data"), &congress_keys::FileKey::plain())
            .unwrap();
    let data = sample(10_000);
    let ct_path = dir.path().join("stored.age");
    crypto::encrypt_to_file(&[key.recipient().clone()], &data[..], &ct_path).unwrap();
    // an operator can recover a stored document with the plain age tool
    let plain = run(Command::new("age")
        .arg("-d")
        .arg("-i")
        .arg(key.path())
        .arg(&ct_path));
    assert_eq!(plain, data);
    // and age-keygen agrees on the public key
    let public =
        String::from_utf8(run(Command::new("age-keygen").arg("-y").arg(key.path()))).unwrap();
    assert_eq!(public.trim(), key.recipient().to_string());
}

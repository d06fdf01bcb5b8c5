//! Round trips, wrong keys, tampering and atomic files for the crypto module.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{self, Read};

use congress_docs::crypto::{self, CryptoError};
use congress_docs::keys::StorageKey;
use congress_docs::{Identity, Recipient};

fn sample(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 31 % 251) as u8).collect()
}

fn encrypt(recipients: &[Recipient], data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let n = crypto::encrypt_stream(recipients, data, &mut out).unwrap();
    assert_eq!(n, data.len() as u64);
    out
}

fn decrypt(id: &Identity, ct: &[u8]) -> Result<Vec<u8>, CryptoError> {
    let mut out = Vec::new();
    crypto::decrypt_stream(id, ct, &mut out)?;
    Ok(out)
}

#[test]
fn round_trip_one_recipient_various_sizes() {
    let id = Identity::generate();
    // around the 64 KiB STREAM chunk boundary, and empty
    for len in [0, 1, 65535, 65536, 65537, 200_000] {
        let data = sample(len);
        let ct = encrypt(&[id.to_public()], &data);
        assert!(ct.starts_with(b"age-encryption.org/v1\n"));
        if len > 0 {
            assert_ne!(&ct[ct.len() - len..], &data[..], "not encrypted");
        }
        assert_eq!(decrypt(&id, &ct).unwrap(), data, "len {len}");
    }
}

#[test]
fn round_trip_many_recipients_and_wrong_identity() {
    let ids: Vec<Identity> = (0..50).map(|_| Identity::generate()).collect();
    let recipients: Vec<Recipient> = ids.iter().map(Identity::to_public).collect();
    let data = sample(300_000);
    let ct = encrypt(&recipients, &data);
    for id in &ids {
        assert_eq!(decrypt(id, &ct).unwrap(), data);
    }
    let stranger = Identity::generate();
    assert!(matches!(
        decrypt(&stranger, &ct),
        Err(CryptoError::WrongKey)
    ));
}

#[test]
fn no_recipients_is_an_error() {
    let mut out = Vec::new();
    let err = crypto::encrypt_stream(&[], &b"x"[..], &mut out).unwrap_err();
    assert!(matches!(err, CryptoError::NoRecipients), "{err}");
}

#[test]
fn tampered_and_truncated_ciphertext_fail() {
    let id = Identity::generate();
    let data = sample(200_000);
    let ct = encrypt(&[id.to_public()], &data);
    let mut flipped = ct.clone();
    let at = flipped.len() - 1000;
    flipped[at] ^= 1;
    assert!(matches!(
        decrypt(&id, &flipped),
        Err(CryptoError::Corrupt(_))
    ));
    // cut at a chunk boundary: must still be detected (final-chunk flag)
    let header_len = ct.len() - (data.len() + 16 * 4) - 16;
    let truncated = &ct[..header_len + 16 + 2 * (65536 + 16)];
    assert!(matches!(
        decrypt(&id, truncated),
        Err(CryptoError::Corrupt(_))
    ));
    let truncated = &ct[..ct.len() - 7];
    assert!(matches!(
        decrypt(&id, truncated),
        Err(CryptoError::Corrupt(_))
    ));
    let err = decrypt(&id, b"not an age file at all").unwrap_err();
    assert!(matches!(err, CryptoError::BadFormat(_)), "{err:?}");
}

#[test]
fn encrypt_to_file_reports_size_and_hash_and_reencrypts() {
    let dir = tempfile::tempdir().unwrap();
    let storage =
        StorageKey::load_or_create(&dir.path().join("keys"), &congress_keys::FileKey::plain())
            .unwrap();
    let data = sample(1_000_000);
    let stored_path = dir.path().join("doc-1-v1.age");
    let stored =
        crypto::encrypt_to_file(&[storage.recipient().clone()], &data[..], &stored_path).unwrap();
    let bytes = std::fs::read(&stored_path).unwrap();
    assert_eq!(stored.size, bytes.len() as u64);
    assert_eq!(stored.plaintext_size, data.len() as u64);
    assert_eq!(crypto::sha256_file(&stored_path).unwrap(), stored.sha256);
    assert_eq!(stored.etag(), format!("\"{}\"", stored.sha256_hex()));
    assert_eq!(decrypt(storage.identity(), &bytes).unwrap(), data);

    let tablets: Vec<Identity> = (0..3).map(|_| Identity::generate()).collect();
    let recips: Vec<Recipient> = tablets.iter().map(Identity::to_public).collect();
    let out_path = dir.path().join("doc-1-v1.tablets.age");
    let out = crypto::reencrypt_file(storage.identity(), &stored_path, &recips, &out_path).unwrap();
    let bytes2 = std::fs::read(&out_path).unwrap();
    assert_eq!(out.size, bytes2.len() as u64);
    assert_ne!(out.sha256, stored.sha256);
    for t in &tablets {
        assert_eq!(decrypt(t, &bytes2).unwrap(), data);
    }
    // the storage key is not a recipient of the tablet copy
    assert!(matches!(
        decrypt(storage.identity(), &bytes2),
        Err(CryptoError::WrongKey)
    ));
    // only the two final files remain: no temporaries
    let mut names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert_eq!(names, ["doc-1-v1.age", "doc-1-v1.tablets.age", "keys"]);
}

/// A reader that fails after some bytes.
struct FailingReader {
    left: usize,
}
impl Read for FailingReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.left == 0 {
            return Err(io::Error::other("upload connection lost"));
        }
        let n = buf.len().min(self.left);
        buf[..n].fill(7);
        self.left -= n;
        Ok(n)
    }
}

#[test]
fn failed_encrypt_to_file_keeps_old_file_and_leaves_no_temp() {
    let dir = tempfile::tempdir().unwrap();
    let id = Identity::generate();
    let dest = dir.path().join("doc.age");
    let first = crypto::encrypt_to_file(&[id.to_public()], &b"version one"[..], &dest).unwrap();
    let err = crypto::encrypt_to_file(&[id.to_public()], FailingReader { left: 300_000 }, &dest)
        .unwrap_err();
    assert!(err.to_string().contains("upload connection lost"), "{err}");
    assert_eq!(crypto::sha256_file(&dest).unwrap(), first.sha256);
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);

    // a corrupt stored file: re-encryption fails with Corrupt and writes nothing
    let mut bytes = std::fs::read(&dest).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 0x55;
    std::fs::write(&dest, &bytes).unwrap();
    let out = dir.path().join("out.age");
    let err = crypto::reencrypt_file(&id, &dest, &[id.to_public()], &out).unwrap_err();
    assert!(matches!(err, CryptoError::Corrupt(_)), "{err}");
    assert!(!out.exists());
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}

#[test]
fn decrypting_reader_seeks() {
    use std::io::{Seek, SeekFrom};
    let id = Identity::generate();
    let data = sample(500_000);
    let ct = encrypt(&[id.to_public()], &data);
    let mut r = crypto::decrypting_reader(&id, io::Cursor::new(ct)).unwrap();
    r.seek(SeekFrom::Start(400_000)).unwrap();
    let mut buf = vec![0u8; 1000];
    r.read_exact(&mut buf).unwrap();
    assert_eq!(buf, data[400_000..401_000]);
}

//! A 64 MiB document goes through encryption to a file and decryption without ever
//! being held in memory: the plaintext is generated on the fly, the decrypted output is
//! only hashed, and the process's peak resident memory must not grow by anywhere near
//! the document size. (Its own test binary, so no other test shares the process.)
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{self, Read, Write};

use congress_docs::crypto;
use congress_docs::{Identity, Recipient};
use sha2::{Digest, Sha256};

const SIZE: u64 = 64 * 1024 * 1024;

/// Deterministic pseudo-random bytes, generated as they are read.
struct Generated {
    left: u64,
    state: u64,
    hasher: Sha256,
}
impl Read for Generated {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = buf.len().min(self.left as usize);
        for b in &mut buf[..n] {
            self.state ^= self.state << 13;
            self.state ^= self.state >> 7;
            self.state ^= self.state << 17;
            *b = self.state as u8;
        }
        self.hasher.update(&buf[..n]);
        self.left -= n as u64;
        Ok(n)
    }
}

struct HashSink(Sha256, u64);
impl Write for HashSink {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.update(buf);
        self.1 += buf.len() as u64;
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Peak resident set size of this process in KiB (Linux).
fn vm_hwm_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap()
}

#[test]
fn sixty_four_mib_streams_in_constant_memory() {
    let ids: Vec<Identity> = (0..3).map(|_| Identity::generate()).collect();
    let recips: Vec<Recipient> = ids.iter().map(Identity::to_public).collect();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.age");
    let before = vm_hwm_kib();

    let mut input = Generated {
        left: SIZE,
        state: 0x9E37_79B9_7F4A_7C15,
        hasher: Sha256::new(),
    };
    let enc = crypto::encrypt_to_file(&recips, &mut input, &path).unwrap();
    assert_eq!(enc.plaintext_size, SIZE);
    assert!(enc.size > SIZE);
    let want = input.hasher.finalize();

    let file = std::fs::File::open(&path).unwrap();
    let mut sink = HashSink(Sha256::new(), 0);
    let n = crypto::decrypt_stream(&ids[2], file, &mut sink).unwrap();
    assert_eq!(n, SIZE);
    assert_eq!(sink.1, SIZE);
    assert_eq!(sink.0.finalize(), want);

    let grown_mib = (vm_hwm_kib().saturating_sub(before)) / 1024;
    eprintln!(
        "peak RSS grew by {grown_mib} MiB for a {} MiB stream",
        SIZE >> 20
    );
    assert!(
        grown_mib < 16,
        "peak memory grew by {grown_mib} MiB: the stream is being buffered"
    );
}

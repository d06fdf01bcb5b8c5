//! Benchmark of the document crypto path.
//!
//! Run in release: `cargo run --release -p congress-docs --bin docs-bench [-- --size-mib 100
//! --recipients 3 --dir /tmp]`. Prints human-readable lines, then ONE final JSON line with
//! `encrypt_mib_s` and `decrypt_mib_s` (100 MiB to 3 recipients by default) and more.
//!
//! The "100 MB to 500 concurrent clients" measurement needs the server; see
//! [`bench_concurrent_download`], the place where the server team plugs it in.

// A benchmark: it measures real time, so it reads the clock.
#![allow(clippy::disallowed_methods)]

use std::error::Error;
use std::io::{self, Read, Write};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use congress_docs::crypto;
use congress_docs::{Identity, Recipient};

const MIB: u64 = 1024 * 1024;

/// Repeats a 1 MiB pseudo-random block (so generating input costs only a memcpy).
struct Repeat {
    block: Vec<u8>,
    pos: usize,
    left: u64,
}

impl Repeat {
    fn new(len: u64) -> Self {
        let mut state = 0x2545_F491_4F6C_DD1D_u64;
        let block = (0..MIB)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                (state >> 24) as u8
            })
            .collect();
        Self {
            block,
            pos: 0,
            left: len,
        }
    }
}

impl Read for Repeat {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let avail = (self.block.len() - self.pos).min(buf.len());
        let n = usize::try_from(self.left.min(avail as u64)).unwrap_or(avail);
        buf[..n].copy_from_slice(&self.block[self.pos..self.pos + n]);
        self.pos = (self.pos + n) % self.block.len();
        self.left -= n as u64;
        Ok(n)
    }
}

struct Args {
    size_mib: u64,
    recipients: usize,
    dir: Option<PathBuf>,
}

fn parse_args() -> Result<Args, Box<dyn Error>> {
    let mut args = Args {
        size_mib: 100,
        recipients: 3,
        dir: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        let mut value = || it.next().ok_or_else(|| format!("{a} needs a value"));
        match a.as_str() {
            "--size-mib" => args.size_mib = value()?.parse()?,
            "--recipients" => args.recipients = value()?.parse()?,
            "--dir" => args.dir = Some(PathBuf::from(value()?)),
            "-h" | "--help" => {
                println!("docs-bench [--size-mib N] [--recipients N] [--dir DIR]");
                std::process::exit(0);
            }
            other => return Err(format!("unknown argument {other}").into()),
        }
    }
    Ok(args)
}

fn mib_s(bytes: u64, d: Duration) -> f64 {
    (bytes as f64 / MIB as f64) / d.as_secs_f64().max(1e-9)
}

/// Rounded to one decimal, for the JSON line.
fn r1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

/// The "100 MB document to 500 concurrent tablets" part: runs `congress-bench docs-serve`
/// (crates/congress-sim, next to this executable; it starts the real `congress` server as a child
/// process) and returns its figures (the JSON object after `"figures":` in its last line).
/// `DOCS_BENCH_SERVER=0` skips it; `DOCS_BENCH_CLIENTS` / `DOCS_BENCH_SERVE_MIB` change the size.
fn bench_concurrent_download(_encrypted: &std::path::Path) -> Option<String> {
    if std::env::var("DOCS_BENCH_SERVER").as_deref() == Ok("0") {
        return None;
    }
    let exe = std::env::current_exe().ok()?;
    let bench = exe.parent()?.join("congress-bench");
    if !bench.exists() {
        eprintln!(
            "docs-bench: {} not built; run `cargo build --release -p congress-sim -p congress-server`",
            bench.display()
        );
        return None;
    }
    let clients = std::env::var("DOCS_BENCH_CLIENTS").unwrap_or_else(|_| "500".into());
    let mib = std::env::var("DOCS_BENCH_SERVE_MIB").unwrap_or_else(|_| "100".into());
    let out = std::process::Command::new(&bench)
        .args(["docs-serve", "--clients", &clients, "--size-mib", &mib])
        .stderr(std::process::Stdio::inherit())
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    let last = text.lines().rev().find(|l| l.starts_with('{'))?;
    let start = last.find("\"figures\":")? + "\"figures\":".len();
    Some(last[start..last.len() - 1].to_string())
}

fn main() -> Result<(), Box<dyn Error>> {
    let args = parse_args()?;
    let size = args.size_mib * MIB;
    let ids: Vec<Identity> = (0..args.recipients.max(1))
        .map(|_| Identity::generate())
        .collect();
    let recips: Vec<Recipient> = ids.iter().map(Identity::to_public).collect();
    let dir = match &args.dir {
        Some(d) => tempfile::tempdir_in(d)?,
        None => tempfile::tempdir()?,
    };
    println!(
        "docs-bench: {} MiB to {} recipients (debug build: {})",
        args.size_mib,
        recips.len(),
        cfg!(debug_assertions)
    );

    // 1. pure encryption (to a sink)
    let t = Instant::now();
    crypto::encrypt_stream(&recips, Repeat::new(size), io::sink())?;
    let enc = mib_s(size, t.elapsed());
    println!("encrypt (memory → sink):            {enc:8.1} MiB/s");

    // 2. encryption to a file, atomically, with SHA-256 (what an upload does)
    let path = dir.path().join("bench.age");
    let t = Instant::now();
    let file = crypto::encrypt_to_file(&recips, Repeat::new(size), &path)?;
    let enc_file = mib_s(size, t.elapsed());
    println!(
        "encrypt to file (+sha256, fsync):   {enc_file:8.1} MiB/s  ({} bytes, ETag {})",
        file.size,
        file.etag()
    );

    // 3. decryption from the file (to a sink)
    let t = Instant::now();
    let n = crypto::decrypt_stream(&ids[ids.len() - 1], std::fs::File::open(&path)?, io::sink())?;
    let dec = mib_s(n, t.elapsed());
    if n != size {
        return Err(format!("decrypted {n} bytes, expected {size}").into());
    }
    println!("decrypt (file → sink):              {dec:8.1} MiB/s");

    // 4. re-encryption storage copy → tablets copy (new version / new tablet)
    let out = dir.path().join("bench.tablets.age");
    let t = Instant::now();
    crypto::reencrypt_file(&ids[0], &path, &recips, &out)?;
    let reenc = mib_s(size, t.elapsed());
    println!("re-encrypt file → file:             {reenc:8.1} MiB/s");

    // 5. header cost for a whole hall of tablets
    let many: Vec<Recipient> = (0..2000)
        .map(|_| Identity::generate().to_public())
        .collect();
    let t = Instant::now();
    let mut small = Vec::new();
    crypto::encrypt_stream(&many, &b"x"[..], &mut small)?;
    let header_ms = t.elapsed().as_secs_f64() * 1000.0;
    println!(
        "header for 2000 recipients:         {header_ms:8.1} ms, {} bytes",
        small.len()
    );

    let concurrent_json = match bench_concurrent_download(&out) {
        Some(c) => {
            println!("concurrent download: {c}");
            c
        }
        None => {
            println!("concurrent download: not measured (needs congress-bench and the server)");
            "null".to_string()
        }
    };
    let mut stdout = io::stdout().lock();
    writeln!(
        stdout,
        "{{\"bench\":\"docs\",\"size_mib\":{},\"recipients\":{},\"debug_build\":{},\
         \"encrypt_mib_s\":{},\"encrypt_to_file_mib_s\":{},\"decrypt_mib_s\":{},\
         \"reencrypt_mib_s\":{},\"header_2000_recipients_ms\":{},\"header_2000_recipients_bytes\":{},\
         \"concurrent_download\":{}}}",
        args.size_mib,
        recips.len(),
        cfg!(debug_assertions),
        r1(enc),
        r1(enc_file),
        r1(dec),
        r1(reenc),
        r1(header_ms),
        small.len(),
        concurrent_json
    )?;
    Ok(())
}

//! Streaming age encryption and decryption.
//!
//! Everything here works on `Read`/`Write` streams with a fixed 64 KiB buffer, so memory
//! use does not depend on the document size. Output is the binary age format (what
//! `age -e` writes without `-a`); decryption accepts binary or ASCII-armored input.
//!
//! [`encrypt_to_file`] and [`reencrypt_file`] write atomically (temporary file in the
//! destination directory, fsync, rename, fsync of the directory) and return the
//! ciphertext size and SHA-256, which the server uses as the strong ETag.

use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use age::armor::ArmoredReader;
use age::stream::StreamReader;
use age::x25519::{Identity, Recipient};
use sha2::{Digest, Sha256};

use crate::fsutil::{fsync_dir, parent_dir};

/// Copy buffer size; matches age's 64 KiB STREAM chunk.
const BUF_SIZE: usize = 64 * 1024;

/// Errors from encryption or decryption.
#[derive(Debug, thiserror::Error)]
pub enum CryptoError {
    /// No recipient was given: the document would be unreadable.
    #[error("no recipients: a document must be encrypted to at least one key")]
    NoRecipients,
    /// Reading the input or writing the output failed.
    #[error("I/O error during {during}: {source}")]
    Io {
        /// What was going on.
        during: &'static str,
        /// Underlying error.
        source: io::Error,
    },
    /// age refused to set up encryption.
    #[error("cannot encrypt: {0}")]
    Encrypt(#[from] age::EncryptError),
    /// The identity is not one of the recipients of this file.
    #[error("this key cannot decrypt the file (it was not encrypted to it)")]
    WrongKey,
    /// The input is not an age file, or its header is damaged.
    #[error("not a valid age file: {0}")]
    BadFormat(age::DecryptError),
    /// The payload failed authentication: the file is truncated or was tampered with.
    #[error("encrypted data is corrupt or truncated: {0}")]
    Corrupt(io::Error),
}

impl CryptoError {
    fn io(during: &'static str) -> impl FnOnce(io::Error) -> CryptoError {
        move |source| CryptoError::Io { during, source }
    }
}

fn map_decrypt_error(e: age::DecryptError) -> CryptoError {
    match e {
        age::DecryptError::NoMatchingKeys => CryptoError::WrongKey,
        // A short or garbled header surfaces as an I/O error from the parser.
        age::DecryptError::Io(source)
            if matches!(
                source.kind(),
                io::ErrorKind::UnexpectedEof | io::ErrorKind::InvalidData
            ) =>
        {
            CryptoError::BadFormat(age::DecryptError::Io(source))
        }
        age::DecryptError::Io(source) => CryptoError::Io {
            during: "reading the age header",
            source,
        },
        other => CryptoError::BadFormat(other),
    }
}

/// Counts bytes and hashes them on their way to the inner writer.
struct HashingWriter<W> {
    inner: W,
    hasher: Sha256,
    len: u64,
}

impl<W: Write> Write for HashingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.len += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// Copies `input` to `output` with a 64 KiB buffer. Returns the number of bytes copied.
/// Read errors and write errors are reported separately.
fn copy(
    mut input: impl Read,
    mut output: impl Write,
    read_during: &'static str,
    write_during: &'static str,
) -> Result<u64, CryptoError> {
    let mut buf = vec![0u8; BUF_SIZE];
    let mut total = 0u64;
    loop {
        let n = match input.read(&mut buf) {
            Ok(0) => return Ok(total),
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(CryptoError::io(read_during)(e)),
        };
        output
            .write_all(&buf[..n])
            .map_err(CryptoError::io(write_during))?;
        total += n as u64;
    }
}

/// Encrypts everything from `input` to `output` for all `recipients` (binary age
/// format). Returns the number of plaintext bytes. Duplicate recipients are encrypted to
/// once. `output` is flushed but not closed or synced.
pub fn encrypt_stream<R: Read, W: Write>(
    recipients: &[Recipient],
    input: R,
    output: W,
) -> Result<u64, CryptoError> {
    if recipients.is_empty() {
        return Err(CryptoError::NoRecipients);
    }
    let mut unique: Vec<&Recipient> = Vec::with_capacity(recipients.len());
    for r in recipients {
        if !unique.contains(&r) {
            unique.push(r);
        }
    }
    let encryptor =
        age::Encryptor::with_recipients(unique.iter().map(|r| *r as &dyn age::Recipient))?;
    let mut writer = encryptor
        .wrap_output(output)
        .map_err(CryptoError::io("writing the age header"))?;
    let n = copy(
        input,
        &mut writer,
        "reading the plaintext",
        "writing the ciphertext",
    )?;
    // finish() writes the last (authenticated) chunk; without it the file is truncated.
    let mut output = writer
        .finish()
        .map_err(CryptoError::io("writing the final chunk"))?;
    output
        .flush()
        .map_err(CryptoError::io("flushing the ciphertext"))?;
    Ok(n)
}

/// A streaming decrypting reader over an age file (binary or armored). It is also
/// `Seek` (over plaintext offsets) when `R` is `Seek`.
pub type DecryptingReader<R> = StreamReader<ArmoredReader<BufReader<R>>>;

/// Opens an age stream for reading with `identity`. Reading from the returned reader
/// yields plaintext; a truncated or tampered payload produces an `io::Error` (of kind
/// `InvalidData`) from `read`, never silently wrong data.
pub fn decrypting_reader<R: Read>(
    identity: &Identity,
    input: R,
) -> Result<DecryptingReader<R>, CryptoError> {
    let armored = ArmoredReader::new(input);
    let decryptor = age::Decryptor::new_buffered(armored).map_err(map_decrypt_error)?;
    decryptor
        .decrypt(std::iter::once(identity as &dyn age::Identity))
        .map_err(map_decrypt_error)
}

/// Decrypts everything from `input` to `output` with `identity`. Returns the number of
/// plaintext bytes. On error, `output` may already hold a prefix of the plaintext that
/// the caller must discard.
pub fn decrypt_stream<R: Read, W: Write>(
    identity: &Identity,
    input: R,
    mut output: W,
) -> Result<u64, CryptoError> {
    let mut reader = decrypting_reader(identity, input)?;
    let mut buf = vec![0u8; BUF_SIZE];
    let mut total = 0u64;
    loop {
        let n = match reader.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) if e.kind() == io::ErrorKind::InvalidData => {
                return Err(CryptoError::Corrupt(e));
            }
            // A truncated ciphertext surfaces as UnexpectedEof from the STREAM layer.
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => {
                return Err(CryptoError::Corrupt(e));
            }
            Err(e) => return Err(CryptoError::io("reading the ciphertext")(e)),
        };
        output
            .write_all(&buf[..n])
            .map_err(CryptoError::io("writing the plaintext"))?;
        total += n as u64;
    }
    output
        .flush()
        .map_err(CryptoError::io("flushing the plaintext"))?;
    Ok(total)
}

/// An encrypted file written by [`encrypt_to_file`] or [`reencrypt_file`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncryptedFile {
    /// Final path of the ciphertext.
    pub path: PathBuf,
    /// Size of the ciphertext in bytes (the HTTP `Content-Length` when serving it).
    pub size: u64,
    /// Size of the plaintext in bytes.
    pub plaintext_size: u64,
    /// SHA-256 of the ciphertext.
    pub sha256: [u8; 32],
}

impl EncryptedFile {
    /// SHA-256 of the ciphertext in lowercase hex.
    pub fn sha256_hex(&self) -> String {
        hex::encode(self.sha256)
    }

    /// The strong HTTP ETag for the ciphertext, quotes included (`"<sha256 hex>"`).
    pub fn etag(&self) -> String {
        etag_from_sha256(&self.sha256)
    }
}

/// Encrypts `input` to `recipients` into `dest` atomically: the data goes to a
/// temporary file in the same directory, which is fsynced and renamed over `dest`, and
/// the directory is fsynced. On error nothing is left at `dest` (an older file there is
/// kept) and the temporary file is removed. The destination directory must exist.
pub fn encrypt_to_file<R: Read>(
    recipients: &[Recipient],
    input: R,
    dest: &Path,
) -> Result<EncryptedFile, CryptoError> {
    let dir = parent_dir(dest);
    let tmp = tempfile::Builder::new()
        .prefix(".enc-")
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(CryptoError::io("creating the temporary file"))?;
    let (plaintext_size, hasher, len) = {
        let mut hashing = HashingWriter {
            inner: BufWriter::with_capacity(BUF_SIZE, tmp.as_file()),
            hasher: Sha256::new(),
            len: 0,
        };
        let plaintext_size = encrypt_stream(recipients, input, &mut hashing)?;
        let HashingWriter { inner, hasher, len } = hashing;
        inner
            .into_inner()
            .map_err(|e| CryptoError::io("writing the temporary file")(e.into_error()))?;
        (plaintext_size, hasher, len)
    };
    tmp.as_file()
        .sync_all()
        .map_err(CryptoError::io("syncing the temporary file"))?;
    tmp.persist(dest).map_err(|e| CryptoError::Io {
        during: "renaming the temporary file into place",
        source: e.error,
    })?;
    fsync_dir(dir).map_err(CryptoError::io("syncing the directory"))?;
    Ok(EncryptedFile {
        path: dest.to_path_buf(),
        size: len,
        plaintext_size,
        sha256: hasher.finalize().into(),
    })
}

/// Decrypts `src` with `identity` (normally the [`StorageKey`](crate::keys::StorageKey)
/// identity) and encrypts it to `recipients` into `dest` atomically, streaming: this is
/// the "new version / newly paired tablet" re-encryption. `src` and `dest` must differ.
///
/// A corrupt `src` fails with [`CryptoError::Corrupt`] and leaves `dest` untouched.
pub fn reencrypt_file(
    identity: &Identity,
    src: &Path,
    recipients: &[Recipient],
    dest: &Path,
) -> Result<EncryptedFile, CryptoError> {
    let file = File::open(src).map_err(CryptoError::io("opening the stored file"))?;
    let mut reader = decrypting_reader(identity, file)?;
    // Decrypt on a second thread so decryption and encryption use both cores; the
    // bounded channel keeps memory at a few chunks.
    let result = std::thread::scope(|scope| {
        let (tx, rx) = std::sync::mpsc::sync_channel::<io::Result<Vec<u8>>>(PIPELINE_DEPTH);
        scope.spawn(move || {
            loop {
                let mut buf = vec![0u8; BUF_SIZE];
                let msg = match read_full(&mut reader, &mut buf) {
                    Ok(0) => {
                        // explicit end marker: a vanished sender is an error, not EOF
                        let _ = tx.send(Ok(Vec::new()));
                        break;
                    }
                    Ok(n) => {
                        buf.truncate(n);
                        Ok(buf)
                    }
                    Err(e) => Err(e),
                };
                let stop = msg.is_err();
                // A send error means the encrypting side gave up: stop quietly.
                if tx.send(msg).is_err() || stop {
                    break;
                }
            }
        });
        encrypt_to_file(
            recipients,
            ChannelReader {
                rx,
                current: Vec::new(),
                pos: 0,
                done: false,
            },
            dest,
        )
    });
    result.map_err(|e| match e {
        CryptoError::Io {
            during: "reading the plaintext",
            source,
        } if matches!(
            source.kind(),
            io::ErrorKind::InvalidData | io::ErrorKind::UnexpectedEof
        ) =>
        {
            CryptoError::Corrupt(source)
        }
        other => other,
    })
}

/// Chunks buffered between the decrypting and the encrypting thread.
const PIPELINE_DEPTH: usize = 8;

/// Reads until `buf` is full or the end of the input.
fn read_full(r: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match r.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

/// The receiving end of the decryption pipeline as a `Read`.
struct ChannelReader {
    rx: std::sync::mpsc::Receiver<io::Result<Vec<u8>>>,
    current: Vec<u8>,
    pos: usize,
    done: bool,
}

impl Read for ChannelReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.pos == self.current.len() {
            if self.done {
                return Ok(0);
            }
            match self.rx.recv() {
                Ok(Ok(chunk)) if chunk.is_empty() => self.done = true,
                Ok(Ok(chunk)) => {
                    self.current = chunk;
                    self.pos = 0;
                }
                Ok(Err(e)) => return Err(e),
                Err(_) => {
                    return Err(io::Error::other(
                        "the decrypting thread stopped before the end of the file",
                    ));
                }
            }
        }
        let n = buf.len().min(self.current.len() - self.pos);
        buf[..n].copy_from_slice(&self.current[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

/// Hashes a file's contents with SHA-256, streaming (for checking a stored file against
/// its recorded ETag, e.g. at startup).
pub fn sha256_file(path: &Path) -> io::Result<[u8; 32]> {
    let mut file = BufReader::with_capacity(BUF_SIZE, File::open(path)?);
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; BUF_SIZE];
    loop {
        let n = match file.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        hasher.update(&buf[..n]);
    }
    Ok(hasher.finalize().into())
}

/// The strong ETag (quotes included) for a SHA-256 digest.
pub fn etag_from_sha256(sha256: &[u8; 32]) -> String {
    format!("\"{}\"", hex::encode(sha256))
}

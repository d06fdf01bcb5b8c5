//! Documents on the server: files encrypted at rest to the server's storage key, one delivery
//! copy per version encrypted to every tablet allowed to read it, and the search index.
//!
//! Who writes what:
//! - Metadata (documents, versions, deliveries, fetches) goes through the engine as journal
//!   events, like every other state change.
//! - The search index (`doc_search_*` tables, FTS5, in the same SQLite file) is written by
//!   this module on its own connection, after the version's event is committed. It is derived
//!   data: it is not part of the journal or of `verify`, and [`DocService::reindex_missing`]
//!   rebuilds what is missing at start-up from the encrypted files.
//! - The delivery worker (one thread) compares, for the newest version of every document, the
//!   tablets allowed to read it with the tablets its delivery copy is encrypted to; when they
//!   differ (a new version, a newly paired tablet, a changed audience) it re-encrypts, records
//!   a `DocumentDelivered` event, and the engine pushes `Push::Document` to those tablets.
//!   Pairings are batched: the worker waits [`DEBOUNCE`] after being woken.

use congress_domain::{DocumentCommand, DocumentEvent};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use congress_docs::keys::StorageKey;
use congress_docs::pdf::PdfTools;
use congress_domain::documents::{delegate_may_read, readers};
use congress_domain::{Command, CongressState};
use congress_proto::{DocDelivery, Document, Push};

use crate::engine::Engine;
use crate::error::AppError;
use crate::hub::Audience;

/// Time the delivery worker waits after a wake-up, so that pairings arriving together are
/// re-encrypted once.
pub const DEBOUNCE: Duration = Duration::from_millis(300);
/// The worker also checks this often without being woken (a pairing wakes it through this).
const POLL: Duration = Duration::from_millis(700);

pub struct DocService {
    pub root: PathBuf,
    pub key: StorageKey,
    pub tools: PdfTools,
    index: congress_store::SearchIndex,
    next_id: AtomicI64,
    busy: Mutex<std::collections::HashSet<i64>>,
    wake: (Mutex<bool>, Condvar),
}

impl DocService {
    pub fn open(
        data_dir: &Path,
        keys: &crate::keys::Keys,
        state: &CongressState,
    ) -> Result<Self, AppError> {
        let root = data_dir.join("documents");
        std::fs::create_dir_all(root.join("tmp"))
            .map_err(|e| AppError::Internal(format!("cannot create {}: {e}", root.display())))?;
        let key = StorageKey::load_or_create(data_dir, &keys.files)
            .map_err(|e| AppError::Internal(format!("storage key: {e}")))?;
        let index = congress_store::SearchIndex::open(&keys.db)?;
        Ok(DocService {
            root,
            key,
            tools: PdfTools::default(),
            index,
            next_id: AtomicI64::new(state.docs.next_id()),
            busy: Mutex::new(Default::default()),
            wake: (Mutex::new(false), Condvar::new()),
        })
    }

    pub fn allocate_id(&self) -> i64 {
        self.next_id.fetch_add(1, Ordering::SeqCst)
    }

    pub fn tmp_dir(&self) -> PathBuf {
        self.root.join("tmp")
    }

    pub fn doc_dir(&self, id: i64) -> PathBuf {
        self.root.join(id.to_string())
    }

    /// The original, encrypted to the storage key.
    pub fn stored_path(&self, id: i64, version: u32) -> PathBuf {
        self.doc_dir(id).join(format!("v{version}.age"))
    }

    /// The copy served to tablets, named after its ETag so that a re-encryption never changes
    /// the bytes behind an ETag a client already has.
    pub fn delivery_path(&self, id: i64, version: u32, etag: &str) -> PathBuf {
        let tag: String = etag.trim_matches('"').chars().take(16).collect();
        self.doc_dir(id)
            .join(format!("v{version}.delivery.{tag}.age"))
    }

    /// Marks a document as being uploaded to; `None` if another upload to it is running.
    pub fn begin_upload(self: &Arc<Self>, id: i64) -> Option<UploadGuard> {
        let mut busy = self.busy.lock().ok()?;
        busy.insert(id).then(|| UploadGuard {
            docs: self.clone(),
            id,
        })
    }

    /// Wakes the delivery worker.
    pub fn wake(&self) {
        if let Ok(mut w) = self.wake.0.lock() {
            *w = true;
            self.wake.1.notify_all();
        }
    }

    /// Indexes the text of a version (replacing the document's previous one).
    pub fn index(&self, id: i64, version: u32, pages: &[String]) -> Result<(), AppError> {
        Ok(self.index.index_version(id, version, pages)?)
    }

    /// The indexed text of a document's pages (page number → text).
    pub fn indexed_pages(&self, id: i64) -> Result<Vec<(u32, String)>, AppError> {
        Ok(self.index.pages(id)?)
    }

    /// Removes a document's text from the search index (its content was purged).
    pub fn remove_from_index(&self, id: i64) -> Result<(), AppError> {
        Ok(self.index.remove(id)?)
    }

    pub fn search(
        &self,
        q: &str,
        allowed: &[i64],
        limit: usize,
    ) -> Result<Vec<congress_docs::search::Hit>, AppError> {
        Ok(self.index.search(q, allowed, limit)?)
    }

    /// Re-extracts the text of newest versions the index lacks (a crash between the commit of
    /// a version and its indexing).
    pub fn reindex_missing(&self, state: &CongressState) {
        for doc in state.docs.documents.values() {
            let Some(latest) = doc.latest() else { continue };
            if latest.pages == 0 || latest.purged_at.is_some() {
                continue;
            }
            match self.index.indexed_version(doc.id) {
                Ok(Some(v)) if v >= latest.version => continue,
                Ok(_) => {}
                Err(e) => {
                    tracing::warn!(error = %e, "cannot read the search index");
                    return;
                }
            }
            if let Err(e) = self.reindex(doc.id, latest.version) {
                tracing::warn!(document = doc.id, error = %e, "re-indexing failed");
            }
        }
    }

    fn reindex(&self, id: i64, version: u32) -> Result<(), AppError> {
        let file = std::fs::File::open(self.stored_path(id, version))
            .map_err(|e| AppError::Internal(e.to_string()))?;
        let reader = congress_docs::crypto::decrypting_reader(self.key.identity(), file)
            .map_err(|e| AppError::Internal(e.to_string()))?;
        let text = self
            .tools
            .inspect_reader(reader)
            .map_err(|e| AppError::Internal(e.to_string()))?;
        self.index(id, version, &text.pages)
    }
}

/// Held while an upload to a document runs.
pub struct UploadGuard {
    docs: Arc<DocService>,
    id: i64,
}

impl Drop for UploadGuard {
    fn drop(&mut self) {
        if let Ok(mut busy) = self.docs.busy.lock() {
            busy.remove(&self.id);
        }
    }
}

/// Whether the tablet of `delegate_id` may read document `doc`.
pub fn tablet_may_read(state: &CongressState, delegate_id: Option<&str>, doc: &Document) -> bool {
    delegate_id.is_some_and(|d| delegate_may_read(state, d, &doc.audience))
}

/// A document as a tablet sees it: deliveries not encrypted to `device_id` are hidden, and
/// the list of other tablets is never shown.
pub fn for_tablet(doc: &Document, device_id: &str) -> Document {
    let mut d = doc.clone();
    for v in &mut d.versions {
        v.delivery = v.delivery.take().and_then(|mut del| {
            if del.devices.iter().any(|x| x == device_id) {
                del.devices = vec![device_id.to_string()];
                Some(del)
            } else {
                None
            }
        });
    }
    d
}

/// The push for a document event (a new version, new metadata, a new delivery copy): to
/// operators and the tablets that may read it. Fetches push nothing; nor do purges (operators
/// see purged versions on their next list; tablets keep their offline copy).
pub fn push_for(state: &CongressState, event: &DocumentEvent) -> Option<(Audience, Push)> {
    let id = match event {
        DocumentEvent::DocumentVersionAdded { document_id, .. }
        | DocumentEvent::DocumentUpdated { document_id, .. }
        | DocumentEvent::DocumentDelivered { document_id, .. } => *document_id,
        DocumentEvent::DocumentFetched { .. } | DocumentEvent::DocumentsPurged { .. } => {
            return None;
        }
    };
    let doc = state.docs.documents.get(&id)?;
    let delegates: BTreeSet<String> = state
        .delegates
        .keys()
        .filter(|d| delegate_may_read(state, d, &doc.audience))
        .cloned()
        .collect();
    let mut shown = doc.clone();
    for v in &mut shown.versions {
        if let Some(d) = &mut v.delivery {
            d.devices.clear();
        }
    }
    Some((
        Audience::Delegates(Arc::new(delegates)),
        Push::Document { document: shown },
    ))
}

/// Counts the pages whose text changed between two versions (`old` holds the indexed pages
/// with text of the previous version, which had `old_pages` pages).
pub fn changed_pages(old: &[(u32, String)], old_pages: u32, new: &[String]) -> u32 {
    let n = (old_pages as usize).max(new.len());
    (1..=n)
        .filter(|&p| {
            let before = old
                .iter()
                .find(|(x, _)| *x as usize == p)
                .map_or("", |(_, t)| t.trim());
            match new.get(p - 1) {
                None => true,
                Some(after) => p > old_pages as usize || after.trim() != before,
            }
        })
        .count() as u32
}

/// One pending re-encryption.
struct Job {
    document_id: i64,
    version: u32,
    devices: Vec<(String, String)>,
}

fn plan(state: &CongressState) -> Vec<Job> {
    let mut jobs = Vec::new();
    for doc in state.docs.documents.values() {
        let Some(v) = doc.latest() else { continue };
        if v.purged_at.is_some() {
            continue;
        }
        let wanted = readers(state, &doc.audience);
        if wanted.is_empty() {
            continue;
        }
        let have: Vec<&str> = v
            .delivery
            .as_ref()
            .map(|d| d.devices.iter().map(String::as_str).collect())
            .unwrap_or_default();
        let want: Vec<&str> = wanted.iter().map(|(d, _)| d.as_str()).collect();
        if have != want {
            jobs.push(Job {
                document_id: doc.id,
                version: v.version,
                devices: wanted,
            });
        }
    }
    jobs
}

/// Starts the delivery worker thread.
pub fn start_worker(docs: Arc<DocService>, engine: Engine) -> Result<(), AppError> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| AppError::Internal(e.to_string()))?;
    std::thread::Builder::new()
        .name("congress-docs".into())
        .spawn(move || {
            let state = engine.read(|s| s.clone());
            docs.reindex_missing(&state);
            drop(state);
            loop {
                {
                    let Ok(mut woken) = docs.wake.0.lock() else { return };
                    if !*woken {
                        woken = match docs.wake.1.wait_timeout(woken, POLL) {
                            Ok((w, _)) => w,
                            Err(_) => return,
                        };
                    }
                    let was = *woken;
                    *woken = false;
                    drop(woken);
                    if was {
                        std::thread::sleep(DEBOUNCE);
                    }
                }
                let jobs = engine.read(plan);
                for job in jobs {
                    if let Err(e) = deliver(&docs, &engine, &rt, &job) {
                        tracing::error!(document = job.document_id, version = job.version, error = %e, "delivery failed");
                        std::thread::sleep(Duration::from_secs(2));
                    }
                }
            }
        })
        .map_err(|e| AppError::Internal(format!("cannot start the documents worker: {e}")))?;
    Ok(())
}

fn deliver(
    docs: &DocService,
    engine: &Engine,
    rt: &tokio::runtime::Runtime,
    job: &Job,
) -> Result<(), AppError> {
    let recipients =
        congress_docs::keys::parse_recipients(job.devices.iter().map(|(_, r)| r.as_str()))
            .map_err(|e| AppError::Internal(format!("bad tablet recipient: {e}")))?;
    let dir = docs.doc_dir(job.document_id);
    let tmp = dir.join(format!("v{}.delivery.tmp", job.version));
    let out = congress_docs::crypto::reencrypt_file(
        docs.key.identity(),
        &docs.stored_path(job.document_id, job.version),
        &recipients,
        &tmp,
    )
    .map_err(|e| AppError::Internal(e.to_string()))?;
    let fin = docs.delivery_path(job.document_id, job.version, &out.etag());
    std::fs::rename(&tmp, &fin)
        .and_then(|()| std::fs::File::open(&dir)?.sync_all())
        .map_err(|e| AppError::Internal(format!("cannot place the delivery copy: {e}")))?;
    let delivery = DocDelivery {
        size: out.size,
        etag: out.etag(),
        devices: job.devices.iter().map(|(d, _)| d.clone()).collect(),
        at: engine.now(),
    };
    tracing::info!(
        document = job.document_id,
        version = job.version,
        tablets = delivery.devices.len(),
        bytes = out.size,
        "delivery copy encrypted"
    );
    rt.block_on(engine.run(
        Command::Documents(DocumentCommand::RecordDelivery {
            document_id: job.document_id,
            version: job.version,
            delivery,
        }),
        "system",
    ))?;
    // Older copies of this version: downloads in progress keep their open file.
    let prefix = format!("v{}.delivery.", job.version);
    if let Ok(entries) = std::fs::read_dir(&dir) {
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().to_string();
            if name.starts_with(&prefix) && name.ends_with(".age") && e.path() != fin {
                let _ = std::fs::remove_file(e.path());
            }
        }
    }
    Ok(())
}

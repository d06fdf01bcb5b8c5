//! `FaceWorkers`: a fixed pool of std threads, each owning its own `FaceEngine` (ORT
//! sessions are not shared), fed by a bounded queue. `analyze` is async and never blocks the
//! tokio runtime: when the queue is full it fails at once with `FaceError::Overloaded`, so a
//! flood of frames cannot grow memory or delay other work.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, TrySendError, sync_channel};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use tokio::sync::oneshot;

use crate::config::FaceConfig;
use crate::engine::{Analysis, EnrolOutcome, FaceEngine, enrol_outcome};
use crate::error::FaceError;

enum Job {
    Analyze {
        bytes: Vec<u8>,
        embed_rejected: bool,
        reply: oneshot::Sender<Result<Analysis, FaceError>>,
    },
}

#[derive(Default)]
struct Stats {
    depth: AtomicUsize,
    max_depth: AtomicUsize,
    processed: AtomicUsize,
    rejected: AtomicUsize,
}

/// The worker pool.
pub struct FaceWorkers {
    tx: Option<SyncSender<Job>>,
    threads: Vec<JoinHandle<()>>,
    capacity: usize,
    stats: Arc<Stats>,
    config: FaceConfig,
}

impl FaceWorkers {
    /// Start `threads` workers (0 = config / number of cores) with a queue of `queue` frames
    /// (0 = `config.queue_capacity`). Models are loaded here, so errors surface immediately.
    pub fn start(
        config: &FaceConfig,
        threads: usize,
        queue: usize,
    ) -> Result<FaceWorkers, FaceError> {
        config.validate()?;
        let n = if threads == 0 {
            config.effective_worker_threads()
        } else {
            threads
        };
        let capacity = if queue == 0 {
            config.queue_capacity
        } else {
            queue
        };
        let engines = (0..n)
            .map(|_| FaceEngine::load(config))
            .collect::<Result<Vec<_>, _>>()?;
        // The channel itself holds nothing: the queue bound is enforced by `depth`, so
        // "queued" counts exactly the frames accepted but not yet picked up by a worker.
        let (tx, rx) = sync_channel::<Job>(capacity);
        let rx = Arc::new(Mutex::new(rx));
        let stats = Arc::new(Stats::default());
        let mut handles = Vec::with_capacity(n);
        for (i, engine) in engines.into_iter().enumerate() {
            let rx = Arc::clone(&rx);
            let stats = Arc::clone(&stats);
            let h = std::thread::Builder::new()
                .name(format!("face-worker-{i}"))
                .spawn(move || worker(engine, rx, stats))
                .map_err(|e| FaceError::Config(format!("cannot spawn worker thread: {e}")))?;
            handles.push(h);
        }
        tracing::info!(threads = n, queue = capacity, "face workers started");
        Ok(FaceWorkers {
            tx: Some(tx),
            threads: handles,
            capacity,
            stats,
            config: config.clone(),
        })
    }

    /// Analyse image bytes on a worker. Fails fast with `Overloaded` if the queue is full.
    pub async fn analyze(&self, bytes: Vec<u8>) -> Result<Analysis, FaceError> {
        self.submit(bytes, false).await
    }

    /// Like `analyze`, but the chosen face is embedded even if it fails a quality gate.
    pub async fn analyze_unchecked(&self, bytes: Vec<u8>) -> Result<Analysis, FaceError> {
        self.submit(bytes, true).await
    }

    /// Check an enrolment photo on a worker.
    pub async fn enrol(&self, bytes: Vec<u8>) -> Result<EnrolOutcome, FaceError> {
        Ok(enrol_outcome(self.analyze(bytes).await?))
    }

    async fn submit(&self, bytes: Vec<u8>, embed_rejected: bool) -> Result<Analysis, FaceError> {
        let rx = self.try_submit(bytes, embed_rejected)?;
        rx.await.map_err(|_| FaceError::WorkersStopped)?
    }

    fn try_submit(
        &self,
        bytes: Vec<u8>,
        embed_rejected: bool,
    ) -> Result<oneshot::Receiver<Result<Analysis, FaceError>>, FaceError> {
        let tx = self.tx.as_ref().ok_or(FaceError::WorkersStopped)?;
        // reserve a queue slot
        let prev = self.stats.depth.fetch_add(1, Ordering::SeqCst);
        if prev >= self.capacity {
            self.stats.depth.fetch_sub(1, Ordering::SeqCst);
            self.stats.rejected.fetch_add(1, Ordering::Relaxed);
            return Err(FaceError::Overloaded {
                capacity: self.capacity,
            });
        }
        self.stats.max_depth.fetch_max(prev + 1, Ordering::Relaxed);
        let (reply, rx) = oneshot::channel();
        match tx.try_send(Job::Analyze {
            bytes,
            embed_rejected,
            reply,
        }) {
            Ok(()) => Ok(rx),
            Err(TrySendError::Full(_)) => {
                self.stats.depth.fetch_sub(1, Ordering::SeqCst);
                self.stats.rejected.fetch_add(1, Ordering::Relaxed);
                Err(FaceError::Overloaded {
                    capacity: self.capacity,
                })
            }
            Err(TrySendError::Disconnected(_)) => {
                self.stats.depth.fetch_sub(1, Ordering::SeqCst);
                Err(FaceError::WorkersStopped)
            }
        }
    }

    /// Frames waiting for a worker now.
    pub fn queue_depth(&self) -> usize {
        self.stats.depth.load(Ordering::SeqCst)
    }
    /// Highest queue depth seen.
    pub fn max_queue_depth(&self) -> usize {
        self.stats.max_depth.load(Ordering::Relaxed)
    }
    /// Frames refused with `Overloaded`.
    pub fn rejected(&self) -> usize {
        self.stats.rejected.load(Ordering::Relaxed)
    }
    /// Frames processed.
    pub fn processed(&self) -> usize {
        self.stats.processed.load(Ordering::Relaxed)
    }
    /// Queue capacity.
    pub fn capacity(&self) -> usize {
        self.capacity
    }
    /// Number of worker threads.
    pub fn threads(&self) -> usize {
        self.threads.len()
    }
    /// Configuration the workers were started with.
    pub fn config(&self) -> &FaceConfig {
        &self.config
    }

    /// Stop accepting work, let the workers finish what is queued, and join them.
    pub fn shutdown(mut self) {
        self.stop();
    }

    fn stop(&mut self) {
        self.tx = None;
        for h in self.threads.drain(..) {
            if h.join().is_err() {
                tracing::error!("a face worker thread panicked");
            }
        }
    }
}

impl Drop for FaceWorkers {
    fn drop(&mut self) {
        self.stop();
    }
}

fn worker(mut engine: FaceEngine, rx: Arc<Mutex<Receiver<Job>>>, stats: Arc<Stats>) {
    loop {
        let job = {
            let Ok(guard) = rx.lock() else { return };
            match guard.recv() {
                Ok(j) => j,
                Err(_) => return,
            }
        };
        stats.depth.fetch_sub(1, Ordering::SeqCst);
        match job {
            Job::Analyze {
                bytes,
                embed_rejected,
                reply,
            } => {
                // a panic in one frame must not take the worker (and its sessions) down
                let res = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    engine.analyze_opts(&bytes, embed_rejected)
                }))
                .unwrap_or_else(|_| {
                    tracing::error!("face analysis panicked; frame dropped");
                    Err(FaceError::Inference {
                        model: "pipeline",
                        message: "analysis panicked".into(),
                    })
                });
                stats.processed.fetch_add(1, Ordering::Relaxed);
                // the caller may have gone away (request cancelled): nothing to do then
                let _ = reply.send(res);
            }
        }
    }
}

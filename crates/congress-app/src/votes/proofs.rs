//! When an encrypted ballot's zero-knowledge proofs are verified (`docs/ballot-crypto.md`,
//! "Integration"). While a core is free and nothing waits, before the ack: a bad ballot is
//! refused at once and the tablet can send a good one. In a storm (every core busy or ballots
//! already waiting), just after the ack, which then waits only for the cheap checks the domain
//! makes (structure, binding to the vote, the credential's signature, one ballot per delegate)
//! and the disk: a worker thread verifies the waiting ballots one at a time, leaving the other
//! cores to the acks, and rejects a ballot whose proofs fail (`RejectEncrypted`: it does not
//! count, its tablet is told with `ballot_rejected` and the delegate may vote again). Only a
//! broken or forged tablet makes such a ballot. The tally at the close verifies every ballot
//! again, whichever way it came.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, mpsc};

use congress_ballot::{Ballot, VoteContext};
use congress_domain::VoteCommand;
use congress_domain::vote::lifecycle::VoteError;

use crate::engine::Engine;
use crate::error::AppError;

/// A ballot acked before its proofs were verified.
struct Later {
    ctx: Arc<VoteContext>,
    bytes: Vec<u8>,
    vote_id: u64,
    tracker: String,
}

/// Decides, per ballot, whether its proofs are verified before or after its ack, and verifies
/// the latter.
pub struct ProofChecker {
    /// Verifications under way before their acks.
    now: AtomicUsize,
    /// Ballots acked and not yet verified.
    waiting: Arc<AtomicUsize>,
    /// How many may be verified before their acks at once: the cores but one (at least one).
    budget: AtomicUsize,
    later: mpsc::Sender<Later>,
    /// Each vote's ballot context by fingerprint, made once (its checks of the board's keys
    /// cost about a millisecond: not for every ballot, and never under the engine's lock).
    contexts: Mutex<HashMap<[u8; 32], Arc<VoteContext>>>,
}

/// Verifies one ballot's proofs (and everything else about it) against its vote.
fn verify(ctx: &VoteContext, bytes: &[u8]) -> Result<(), String> {
    let ballot = Ballot::from_bytes(bytes).map_err(|e| format!("the ballot: {e}"))?;
    congress_ballot::verify_ballot(ctx, &ballot)
        .map_err(|e| format!("the ballot does not verify: {e}"))
}

impl ProofChecker {
    /// Starts the worker that verifies acked ballots and rejects those that fail.
    pub fn start(engine: Engine) -> Result<Arc<ProofChecker>, AppError> {
        let (tx, rx) = mpsc::channel::<Later>();
        let waiting = Arc::new(AtomicUsize::new(0));
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| AppError::Internal(e.to_string()))?;
        let count = waiting.clone();
        std::thread::Builder::new()
            .name("congress-proofs".into())
            .spawn(move || {
                crate::background::lower_this_thread();
                while let Ok(job) = rx.recv() {
                    if let Err(reason) = verify(&job.ctx, &job.bytes) {
                        tracing::warn!(
                            vote_id = job.vote_id,
                            tracker = %job.tracker,
                            "an acknowledged encrypted ballot does not verify: rejected"
                        );
                        let rejected = rt.block_on(engine.execute(
                            VoteCommand::RejectEncrypted {
                                vote_id: job.vote_id,
                                tracker: job.tracker,
                                reason,
                            },
                            "server".to_string(),
                            None,
                            |_| (),
                        ));
                        if let Err(e) = rejected {
                            tracing::error!(error = %e, "rejecting a ballot failed");
                        }
                    }
                    count.fetch_sub(1, Ordering::SeqCst);
                }
            })
            .map_err(|e| AppError::Internal(format!("cannot start the proof worker: {e}")))?;
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        Ok(Arc::new(ProofChecker {
            now: AtomicUsize::new(0),
            waiting,
            budget: AtomicUsize::new(cores.saturating_sub(1).max(1)),
            later: tx,
            contexts: Mutex::new(HashMap::new()),
        }))
    }

    /// The context of the vote with this fingerprint, made by `make` the first time.
    pub fn context(
        &self,
        fingerprint: [u8; 32],
        make: impl FnOnce() -> Result<VoteContext, VoteError>,
    ) -> Result<Arc<VoteContext>, VoteError> {
        if let Some(ctx) = self
            .contexts
            .lock()
            .ok()
            .and_then(|m| m.get(&fingerprint).cloned())
        {
            return Ok(ctx);
        }
        let ctx = Arc::new(make()?);
        if let Ok(mut m) = self.contexts.lock() {
            m.insert(fingerprint, ctx.clone());
        }
        Ok(ctx)
    }

    /// Verifies the ballot now when a core is free and no acked ballot waits: `Ok(true)`
    /// (verified) or the refusal. `Ok(false)`: not verified; once it is stored, hand it to
    /// [`ProofChecker::verify_later`].
    pub async fn verify_now(&self, ctx: &Arc<VoteContext>, bytes: &[u8]) -> Result<bool, String> {
        if self.waiting.load(Ordering::SeqCst) > 0 {
            return Ok(false);
        }
        if self.now.fetch_add(1, Ordering::SeqCst) >= self.budget.load(Ordering::SeqCst) {
            self.now.fetch_sub(1, Ordering::SeqCst);
            return Ok(false);
        }
        let (ctx, bytes) = (ctx.clone(), bytes.to_vec());
        let res = tokio::task::spawn_blocking(move || verify(&ctx, &bytes)).await;
        self.now.fetch_sub(1, Ordering::SeqCst);
        res.map_err(|e| format!("the ballot's check stopped: {e}"))??;
        Ok(true)
    }

    /// Queues a stored, acked ballot for verification.
    pub fn verify_later(
        &self,
        ctx: Arc<VoteContext>,
        bytes: Vec<u8>,
        vote_id: u64,
        tracker: String,
    ) {
        self.waiting.fetch_add(1, Ordering::SeqCst);
        let job = Later {
            ctx,
            bytes,
            vote_id,
            tracker,
        };
        if self.later.send(job).is_err() {
            // The worker is gone (the server is stopping): the tally at the close verifies it.
            self.waiting.fetch_sub(1, Ordering::SeqCst);
        }
    }

    /// Sets how many ballots may be verified before their acks at once (0: every ballot after
    /// its ack, as in a storm; the tests use it to take either path on purpose).
    pub fn set_budget(&self, n: usize) {
        self.budget.store(n, Ordering::SeqCst);
    }

    /// Acked ballots whose proofs are not verified yet.
    pub fn waiting(&self) -> usize {
        self.waiting.load(Ordering::SeqCst)
    }
}

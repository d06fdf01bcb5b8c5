//! The engine: one thread that owns the store and the working state, and runs every command in
//! order. Commands that arrive together are decided one after another and committed in one
//! transaction (group commit), then acknowledged, then pushed. Readers see only committed state
//! (`Engine::read`), never a half-applied batch.
//!
//! Idempotency: a command may carry a client id and a hash of its request. The first answer is
//! stored in the same transaction as the command's events; a retry gets the same answer, and the
//! same id with another request is refused.

//! Typed answers: [`Engine::execute`] resolves with the caller's own answer type, built from
//! what the command did. The answer travels back as the value itself; only an answer that must
//! be remembered for retries is also serialised, to be stored beside the events.
//!
//! The engine knows no feature: what clients see of a committed event is decided by the push
//! rule it is started with (`crate::pushes::push_for`).

use std::any::Any;
use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use congress_domain::{Command, CongressState, Context, Event, decide};
use congress_proto::Push;
use congress_store::{JournalStore, Remembered, Write};
use serde::Serialize;
use serde::de::DeserializeOwned;
use tokio::sync::{mpsc, oneshot};

pub use crate::clock::{Clock, SystemClock};
use crate::error::AppError;
use crate::hub::{Audience, Frame, Hub};

/// What clients see of one committed event: its pushes, each with its audience (none, one, or
/// several for disjoint audiences, e.g. a record for operators and a shorter one for devices;
/// they share the event's seq).
pub type PushRule = fn(&CongressState, &Event) -> Vec<(Audience, Push)>;

/// What a command did, handed to the caller's answer builder before the commit.
pub struct Applied<'a> {
    /// The events with the seq each will have.
    pub events: &'a [(u64, Event)],
    /// The working state after the events.
    pub state: &'a CongressState,
    /// The journal seq after this command.
    pub seq: u64,
}

/// An answer as it leaves the engine: the typed value, or the stored text of an earlier one.
enum Reply {
    Fresh(Box<dyn Any + Send>),
    Remembered(String),
}

/// Builds the caller's answer; `Some(json)` too when the answer is to be remembered.
type Answer =
    Box<dyn FnOnce(&Applied<'_>) -> Result<(Box<dyn Any + Send>, Option<String>), AppError> + Send>;

/// Idempotency key of a command.
pub struct Idempotency {
    pub client_id: String,
    pub request_hash: String,
}

impl Idempotency {
    /// The key of a request: its client id and a hash of who sent what.
    pub fn of<T: Serialize>(client_id: &str, actor: &str, request: &T) -> Result<Self, AppError> {
        let client_id = client_id.trim();
        if client_id.is_empty() || client_id.len() > 100 {
            return Err(AppError::BadJson(
                "client_id must be 1 to 100 characters".into(),
            ));
        }
        let body = serde_json::to_string(request).map_err(|e| AppError::Internal(e.to_string()))?;
        Ok(Idempotency {
            client_id: client_id.to_string(),
            request_hash: crate::auth::sha256_hex(&format!("{actor}\n{body}")),
        })
    }
}

struct Job {
    cmd: Command,
    actor: String,
    idem: Option<Idempotency>,
    answer: Answer,
    reply: oneshot::Sender<Result<Reply, AppError>>,
    /// Written in the same transaction after the command's events, if it is accepted.
    extra: Vec<Write>,
}

/// Handle to the engine thread; cheap to clone.
#[derive(Clone)]
pub struct Engine {
    tx: mpsc::Sender<Job>,
    state: Arc<RwLock<CongressState>>,
    pub hub: Arc<Hub>,
    pub clock: Arc<dyn Clock>,
}

/// Largest number of commands committed in one transaction.
const MAX_BATCH: usize = 1024;

impl Engine {
    /// Loads the state from `store` and starts the engine thread.
    pub fn start(
        store: Box<dyn JournalStore>,
        clock: Arc<dyn Clock>,
        resume_window: usize,
        push: PushRule,
    ) -> Result<Engine, AppError> {
        let state = store.load_state()?;
        let hub = Arc::new(Hub::new(state.head.seq, resume_window));
        let committed = Arc::new(RwLock::new(state.clone()));
        let (tx, rx) = mpsc::channel(4096);
        let worker = Worker {
            store,
            work: state,
            committed: committed.clone(),
            hub: hub.clone(),
            clock: clock.clone(),
            remembered: HashMap::new(),
            push,
        };
        std::thread::Builder::new()
            .name("congress-engine".into())
            .spawn(move || worker.run(rx))
            .map_err(|e| AppError::Internal(format!("cannot start the engine thread: {e}")))?;
        Ok(Engine {
            tx,
            state: committed,
            hub,
            clock,
        })
    }

    /// Reads the committed state. Keep `f` short; never hold it across an await.
    pub fn read<T>(&self, f: impl FnOnce(&CongressState) -> T) -> T {
        match self.state.read() {
            Ok(s) => f(&s),
            Err(poisoned) => f(&poisoned.into_inner()),
        }
    }

    pub fn now(&self) -> i64 {
        self.clock.now_ms()
    }

    /// Runs `cmd`; resolves with the answer built from what it did, once it is on disk.
    pub async fn execute<A>(
        &self,
        cmd: impl Into<Command>,
        actor: String,
        idem: Option<Idempotency>,
        answer: impl FnOnce(&Applied<'_>) -> A + Send + 'static,
    ) -> Result<A, AppError>
    where
        A: Serialize + DeserializeOwned + Send + 'static,
    {
        self.execute_with(cmd, actor, idem, Vec::new(), answer)
            .await
    }

    /// Like [`Engine::execute`], with `extra` store writes committed in the same transaction
    /// when the command is accepted (biometric rows beside their journal event).
    pub async fn execute_with<A>(
        &self,
        cmd: impl Into<Command>,
        actor: String,
        idem: Option<Idempotency>,
        extra: Vec<Write>,
        answer: impl FnOnce(&Applied<'_>) -> A + Send + 'static,
    ) -> Result<A, AppError>
    where
        A: Serialize + DeserializeOwned + Send + 'static,
    {
        let remember = idem.is_some();
        let answer: Answer = Box::new(move |applied: &Applied<'_>| {
            let a = answer(applied);
            let json = if remember {
                Some(serde_json::to_string(&a).map_err(|e| AppError::Internal(e.to_string()))?)
            } else {
                None
            };
            Ok((Box::new(a) as Box<dyn Any + Send>, json))
        });
        let (reply, rx) = oneshot::channel();
        self.tx
            .send(Job {
                cmd: cmd.into(),
                actor,
                idem,
                answer,
                reply,
                extra,
            })
            .await
            .map_err(|_| AppError::Unavailable)?;
        match rx.await.map_err(|_| AppError::Unavailable)?? {
            Reply::Fresh(b) => b
                .downcast::<A>()
                .map(|a| *a)
                .map_err(|_| AppError::Internal("an answer of another type".into())),
            Reply::Remembered(text) => {
                serde_json::from_str(&text).map_err(|e| AppError::Internal(e.to_string()))
            }
        }
    }

    /// Runs a command whose answer is not needed (CLI set-up); resolves with the seq after it.
    pub async fn run(&self, cmd: impl Into<Command>, actor: &str) -> Result<u64, AppError> {
        self.execute(cmd, actor.to_string(), None, |a| a.seq).await
    }
}

struct Worker {
    store: Box<dyn JournalStore>,
    work: CongressState,
    committed: Arc<RwLock<CongressState>>,
    hub: Arc<Hub>,
    clock: Arc<dyn Clock>,
    /// Answers remembered in this process (a cache in front of the store): client id →
    /// (request hash, answer as stored).
    remembered: HashMap<String, (String, String)>,
    /// What clients see of each committed event.
    push: PushRule,
}

type ReplyTo = oneshot::Sender<Result<Reply, AppError>>;

impl Worker {
    fn run(mut self, mut rx: mpsc::Receiver<Job>) {
        while let Some(first) = rx.blocking_recv() {
            let mut jobs = vec![first];
            while jobs.len() < MAX_BATCH {
                match rx.try_recv() {
                    Ok(j) => jobs.push(j),
                    Err(_) => break,
                }
            }
            self.batch(jobs);
        }
        tracing::info!("engine stopped");
    }

    fn lookup(&self, client_id: &str) -> Result<Option<(String, String)>, AppError> {
        if let Some(hit) = self.remembered.get(client_id) {
            return Ok(Some(hit.clone()));
        }
        Ok(self
            .store
            .remembered(client_id)?
            .map(|r| (r.request_hash, r.response)))
    }

    fn batch(&mut self, jobs: Vec<Job>) {
        let now = self.clock.now_ms();
        let ctx = Context { now };
        let mut writes = Vec::new();
        let mut all_events: Vec<(u64, Event)> = Vec::new();
        // Replies to send after the commit: (reply, answer, wrote something).
        let mut replies: Vec<(ReplyTo, Result<Reply, AppError>, bool)> = Vec::new();
        let mut new_remembered: Vec<(String, String, String)> = Vec::new();
        let mut seq = self.work.head.seq;
        // Secret ballots go into the sealed ballot box (tables, same transaction, not the
        // journal); the journal gets them all at the close, sorted by receipt.
        let mut secret: Vec<Event> = Vec::new();
        for job in jobs {
            if let Some(idem) = &job.idem {
                let earlier = new_remembered
                    .iter()
                    .find(|(id, _, _)| id == &idem.client_id)
                    .map(|(_, h, v)| (h.clone(), v.clone()));
                let earlier = match earlier {
                    Some(e) => Some(e),
                    None => match self.lookup(&idem.client_id) {
                        Ok(e) => e,
                        Err(e) => {
                            replies.push((job.reply, Err(e), false));
                            continue;
                        }
                    },
                };
                if let Some((hash, answer)) = earlier {
                    let r = if hash == idem.request_hash {
                        Ok(Reply::Remembered(answer))
                    } else {
                        Err(AppError::Conflict(format!(
                            "client id {} was already used for a different request",
                            idem.client_id
                        )))
                    };
                    replies.push((job.reply, r, false));
                    continue;
                }
            }
            let events = match decide(&self.work, &job.cmd, ctx) {
                Ok(events) => events,
                Err(e) => {
                    replies.push((job.reply, Err(e.into()), false));
                    continue;
                }
            };
            let start = all_events.len();
            for e in events {
                if e.is_secret_ballot() {
                    self.work.apply(&e);
                    secret.push(e);
                    continue;
                }
                seq += 1;
                self.work.apply(&e);
                writes.push(Write::Event {
                    at: now,
                    actor: job.actor.clone(),
                    event: e.clone(),
                });
                all_events.push((seq, e));
            }
            writes.extend(job.extra);
            let answer = (job.answer)(&Applied {
                events: &all_events[start..],
                state: &self.work,
                seq,
            });
            let (value, json) = match answer {
                Ok(a) => a,
                Err(e) => {
                    replies.push((job.reply, Err(e), true));
                    continue;
                }
            };
            if let (Some(idem), Some(json)) = (job.idem, json) {
                writes.push(Write::Remember(Remembered {
                    client_id: idem.client_id.clone(),
                    actor: job.actor.clone(),
                    request_hash: idem.request_hash.clone(),
                    response: json.clone(),
                }));
                new_remembered.push((idem.client_id, idem.request_hash, json));
            }
            replies.push((job.reply, Ok(Reply::Fresh(value)), true));
        }
        secret.sort_by_cached_key(|e| serde_json::to_string(e).unwrap_or_default());
        for e in secret {
            writes.push(Write::Sealed(e.clone()));
            // No seq: not journalled (pushes nothing either).
            all_events.push((0, e));
        }
        if !writes.is_empty() {
            match self.store.commit(&writes) {
                Ok(head) => {
                    self.work.head = head.clone();
                    for (id, hash, v) in new_remembered {
                        self.remembered.insert(id, (hash, v));
                    }
                    let frames = self.publish_state(&all_events, head);
                    self.hub.publish(frames, self.work.head.seq);
                }
                Err(e) => {
                    tracing::error!(error = %e, "commit failed; reloading state from disk");
                    match self.store.load_state() {
                        Ok(s) => self.work = s,
                        Err(e) => tracing::error!(error = %e, "reload failed"),
                    }
                    for r in replies.iter_mut().filter(|r| r.2) {
                        r.1 = Err(AppError::Internal(format!("commit failed: {e}")));
                    }
                }
            }
        }
        for (reply, result, _) in replies {
            let _ = reply.send(result);
        }
    }

    /// Applies committed events to the readers' state and makes the push frames.
    fn publish_state(
        &self,
        events: &[(u64, Event)],
        head: congress_proto::JournalHead,
    ) -> Vec<Frame> {
        let mut frames = Vec::new();
        let mut st = match self.committed.write() {
            Ok(s) => s,
            Err(poisoned) => poisoned.into_inner(),
        };
        for (seq, e) in events {
            st.apply(e);
            let revokes = matches!(e, Event::Access(a) if a.revokes());
            let pushes = (self.push)(&st, e);
            if pushes.is_empty() && revokes {
                // Nobody sees it, but connections must re-check their tokens.
                let mut f = Frame::new(*seq, Audience::Nobody, Push::Delegates { listed: 0 });
                f.revokes = true;
                frames.push(f);
            }
            for (audience, push) in pushes {
                let mut f = Frame::new(*seq, audience, push);
                f.revokes = revokes;
                frames.push(f);
            }
        }
        st.head = head;
        frames
    }
}

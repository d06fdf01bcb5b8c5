//! The engine: one thread that owns the store and the working state, and runs every command in
//! order. Commands that arrive together are decided one after another and committed in one
//! transaction (group commit), then acknowledged, then pushed. Readers see only committed state
//! (`Engine::read`), never a half-applied batch.
//!
//! Idempotency: a command may carry a client id and a hash of its request. The first answer is
//! stored in the same transaction as the command's events; a retry gets the same answer, and the
//! same id with another request is refused.

use congress_domain::{AccessEvent, AttendanceEvent, CongressEvent};
use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use congress_domain::{Command, CongressState, Context, Event, decide};
use congress_proto::Push;
use congress_store::{JournalStore, Remembered, Write};
use tokio::sync::{mpsc, oneshot};

use crate::error::AppError;
use crate::hub::{Audience, Frame, Hub};

/// A source of the current time, so tests can fix it.
pub trait Clock: Send + Sync + 'static {
    /// Unix epoch milliseconds.
    fn now_ms(&self) -> i64;
}

pub struct SystemClock;

impl Clock for SystemClock {
    fn now_ms(&self) -> i64 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis() as i64)
            .unwrap_or(0)
    }
}

/// What a command did, handed to the caller's answer builder before the commit.
pub struct Applied<'a> {
    /// The events with the seq each will have.
    pub events: &'a [(u64, Event)],
    /// The working state after the events.
    pub state: &'a CongressState,
    /// The journal seq after this command.
    pub seq: u64,
}

type Answer = Box<dyn FnOnce(&Applied<'_>) -> serde_json::Value + Send>;

/// Idempotency key of a command.
pub struct Idempotency {
    pub client_id: String,
    pub request_hash: String,
}

struct Job {
    cmd: Command,
    actor: String,
    idem: Option<Idempotency>,
    answer: Answer,
    reply: oneshot::Sender<Result<serde_json::Value, AppError>>,
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

    /// Runs `cmd`; resolves with the JSON `answer` built from what it did, once it is on disk.
    pub async fn execute(
        &self,
        cmd: Command,
        actor: String,
        idem: Option<Idempotency>,
        answer: impl FnOnce(&Applied<'_>) -> serde_json::Value + Send + 'static,
    ) -> Result<serde_json::Value, AppError> {
        self.execute_with(cmd, actor, idem, Vec::new(), answer)
            .await
    }

    /// Like [`Engine::execute`], with `extra` store writes committed in the same transaction
    /// when the command is accepted (biometric rows beside their journal event).
    pub async fn execute_with(
        &self,
        cmd: Command,
        actor: String,
        idem: Option<Idempotency>,
        extra: Vec<Write>,
        answer: impl FnOnce(&Applied<'_>) -> serde_json::Value + Send + 'static,
    ) -> Result<serde_json::Value, AppError> {
        let (reply, rx) = oneshot::channel();
        self.tx
            .send(Job {
                cmd,
                actor,
                idem,
                answer: Box::new(answer),
                reply,
                extra,
            })
            .await
            .map_err(|_| AppError::Unavailable)?;
        rx.await.map_err(|_| AppError::Unavailable)?
    }

    /// Runs a command whose answer is not needed (CLI set-up).
    pub async fn run(&self, cmd: Command, actor: &str) -> Result<u64, AppError> {
        let v = self
            .execute(cmd, actor.to_string(), None, |a| serde_json::json!(a.seq))
            .await?;
        Ok(v.as_u64().unwrap_or(0))
    }
}

struct Worker {
    store: Box<dyn JournalStore>,
    work: CongressState,
    committed: Arc<RwLock<CongressState>>,
    hub: Arc<Hub>,
    clock: Arc<dyn Clock>,
    /// Answers remembered in this process (a cache in front of the store).
    remembered: HashMap<String, (String, serde_json::Value)>,
}

type Reply = oneshot::Sender<Result<serde_json::Value, AppError>>;

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

    fn lookup(&self, client_id: &str) -> Result<Option<(String, serde_json::Value)>, AppError> {
        if let Some(hit) = self.remembered.get(client_id) {
            return Ok(Some(hit.clone()));
        }
        match self.store.remembered(client_id)? {
            Some(r) => Ok(Some((
                r.request_hash,
                serde_json::from_str(&r.response).map_err(|e| AppError::Internal(e.to_string()))?,
            ))),
            None => Ok(None),
        }
    }

    fn batch(&mut self, jobs: Vec<Job>) {
        let now = self.clock.now_ms();
        let ctx = Context { now };
        let mut writes = Vec::new();
        let mut all_events: Vec<(u64, Event)> = Vec::new();
        // Replies to send after the commit: (reply, answer, wrote something).
        let mut replies: Vec<(Reply, Result<serde_json::Value, AppError>, bool)> = Vec::new();
        let mut new_remembered: Vec<(String, String, serde_json::Value)> = Vec::new();
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
                        Ok(answer)
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
            if let Some(idem) = job.idem {
                writes.push(Write::Remember(Remembered {
                    client_id: idem.client_id.clone(),
                    actor: job.actor.clone(),
                    request_hash: idem.request_hash.clone(),
                    response: answer.to_string(),
                }));
                new_remembered.push((idem.client_id, idem.request_hash, answer.clone()));
            }
            replies.push((job.reply, Ok(answer), true));
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
            match push_for(&st, e) {
                Some((audience, push)) => {
                    let mut f = Frame::new(*seq, audience, push);
                    f.revokes = revokes;
                    frames.push(f);
                }
                None if revokes => {
                    // Nobody sees it, but connections must re-check their tokens.
                    let mut f = Frame::new(*seq, Audience::Nobody, Push::Delegates { listed: 0 });
                    f.revokes = true;
                    frames.push(f);
                }
                None => {}
            }
        }
        st.head = head;
        frames
    }
}

/// The push an event causes, computed from the state just after it: each feature's own rule.
fn push_for(state: &CongressState, event: &Event) -> Option<(Audience, Push)> {
    match event {
        Event::Attendance(AttendanceEvent::AttendanceChanged { record }) => Some((
            Audience::Everyone,
            Push::Attendance {
                record: record.clone(),
                summary: state.summary(),
            },
        )),
        Event::Attendance(_) => None,
        Event::Meeting(e) if e.is_agenda() => Some((
            Audience::Everyone,
            Push::Agenda {
                agenda: state.agenda.clone(),
            },
        )),
        Event::Meeting(e) => crate::meeting::push_for(state, e),
        Event::Congress(CongressEvent::DelegatesImported { .. }) => Some((
            Audience::Everyone,
            Push::Delegates {
                listed: state.delegates.len() as u32,
            },
        )),
        Event::Congress(_) => None,
        Event::Access(AccessEvent::DevicePaired { device, .. }) => Some((
            Audience::Operators,
            Push::Device {
                device: device.clone(),
            },
        )),
        Event::Access(AccessEvent::DeviceRevoked { device_id, .. }) => {
            state.devices.get(device_id).map(|d| {
                (
                    Audience::Operators,
                    Push::Device {
                        device: d.device.clone(),
                    },
                )
            })
        }
        Event::Access(_) => None,
        Event::Votes(e) => crate::votes::push_for(state, e),
        Event::Documents(e) => crate::documents::push_for(state, e),
        Event::Notices(_) | Event::Groups(_) => crate::groups::push_for(state, event),
    }
}

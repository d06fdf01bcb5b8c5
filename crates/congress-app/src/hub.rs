//! Pushes to connected clients: each committed event that clients should see becomes one frame,
//! serialised once, broadcast to every connection, and kept in a ring so a client that
//! reconnects gets exactly what it missed. A slow client never slows the others: the broadcast
//! never waits; a client that falls behind the channel gets a fresh snapshot instead.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use congress_proto::{DeviceKind, Push, ServerMsg};

use crate::auth::Caller;
use tokio::sync::broadcast;

/// Who may see a frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Audience {
    Everyone,
    /// Operators' sessions only, never a projector device (drafts, pairings, who has not voted,
    /// a kiosk's refusals for the desk): the hall projector gets only what it shows (issue 13,
    /// finding 12). A projector opened with an operator's session is that operator.
    Consoles,
    /// The tablet(s) of one delegate (and operators).
    Delegate(String),
    /// A marker frame no client sees (token revocations).
    Nobody,
    /// The tablets of these delegates (and operators).
    Delegates(Arc<std::collections::BTreeSet<String>>),
    /// Every tablet and projector device: what the hall may see (not operators: they get
    /// their own, fuller frame).
    Screens,
    /// The tablets of these delegates only: no operators, no projector (a group's opinions
    /// and drafts).
    Members(Arc<std::collections::BTreeSet<String>>),
    /// Every paired device (tablets, kiosks, projectors), no operator: the shorter twin of a
    /// `Consoles` frame with the same seq (an attendance record without the desk's reason).
    Devices,
}

impl Audience {
    /// Whether `caller` may see a frame for this audience.
    pub fn admits(&self, caller: &Caller) -> bool {
        match (self, caller) {
            (Audience::Everyone, _) => true,
            (Audience::Nobody, _) => false,
            (Audience::Consoles, Caller::Operator { .. }) => true,
            (Audience::Consoles, Caller::Device(_)) => false,
            (Audience::Members(ids), Caller::Device(d)) => {
                d.kind == DeviceKind::Tablet
                    && d.delegate_id.as_ref().is_some_and(|i| ids.contains(i))
            }
            (
                Audience::Members(_) | Audience::Screens | Audience::Devices,
                Caller::Operator { .. },
            ) => false,
            (Audience::Devices, Caller::Device(_)) => true,
            (_, Caller::Operator { .. }) => true,
            (Audience::Delegate(id), Caller::Device(d)) => d.delegate_id.as_deref() == Some(id),
            (Audience::Delegates(ids), Caller::Device(d)) => {
                d.kind == DeviceKind::Tablet
                    && d.delegate_id.as_ref().is_some_and(|i| ids.contains(i))
            }
            (Audience::Screens, Caller::Device(d)) => {
                matches!(d.kind, DeviceKind::Tablet | DeviceKind::Projector)
            }
        }
    }
}

/// One push, serialised once.
#[derive(Debug)]
pub struct Frame {
    pub seq: u64,
    pub audience: Audience,
    /// The message as JSON text.
    pub text: Arc<str>,
    /// The text as the transport sends it, made once for every connection (see
    /// [`Frame::encoded`]).
    encoded: std::sync::OnceLock<Box<dyn std::any::Any + Send + Sync>>,
    /// Set when the event revoked a token (device unpaired, session closed): every connection
    /// re-checks its own token at once.
    pub revokes: bool,
    /// Not journalled, not kept for resume, sent whatever the client's last seq (live turnout).
    pub live: bool,
}

impl Frame {
    pub fn new(seq: u64, audience: Audience, push: Push) -> Frame {
        let msg = ServerMsg::Push { seq, push };
        let text = serde_json::to_string(&msg).unwrap_or_default();
        Frame {
            seq,
            audience,
            text: text.into(),
            encoded: std::sync::OnceLock::new(),
            revokes: false,
            live: false,
        }
    }

    /// A live turnout frame (no seq).
    pub fn live(audience: Audience, live: congress_proto::VoteLive) -> Frame {
        Frame::live_msg(
            audience,
            &ServerMsg::VoteLive {
                live: Box::new(live),
            },
        )
    }

    /// Any message sent live (not journalled, no seq, not kept for resume).
    pub fn live_msg(audience: Audience, msg: &ServerMsg) -> Frame {
        let text = serde_json::to_string(msg).unwrap_or_default();
        Frame {
            seq: 0,
            audience,
            text: text.into(),
            encoded: std::sync::OnceLock::new(),
            live: true,
            revokes: false,
        }
    }
}

impl Frame {
    /// The text in the transport's own type (`T`, e.g. the websocket library's text message),
    /// made by `make` for the first connection that sends this frame and shared by all others:
    /// 2,000 tablets cost one conversion.
    pub fn encoded<T: Clone + Send + Sync + 'static>(&self, make: impl Fn(&str) -> T) -> T {
        let cached = self.encoded.get_or_init(|| Box::new(make(&self.text)));
        match cached.downcast_ref::<T>() {
            Some(t) => t.clone(),
            // Another transport's type cached first (never with one transport per process).
            None => make(&self.text),
        }
    }
}

struct Ring {
    frames: VecDeque<Arc<Frame>>,
    /// Every event with `seq > floor` that produced a frame is in `frames`.
    floor: u64,
    /// The last event seq published (frames or not).
    published: u64,
    /// How many events (distinct seqs) the ring keeps; the frames of one event (disjoint
    /// audiences, one seq) are kept or dropped together.
    capacity: usize,
    /// Distinct seqs in `frames`.
    events: usize,
}

pub struct Hub {
    ring: Mutex<Ring>,
    tx: broadcast::Sender<Arc<Frame>>,
}

/// What a (re)connecting client gets.
pub struct Subscription {
    pub rx: broadcast::Receiver<Arc<Frame>>,
    /// The frames missed since `resume_from`, or `None` when a snapshot is needed.
    pub missed: Option<Vec<Arc<Frame>>>,
    /// The last event seq published when subscribing.
    pub published: u64,
}

impl Hub {
    pub fn new(head: u64, capacity: usize) -> Hub {
        let (tx, _) = broadcast::channel(4096);
        Hub {
            ring: Mutex::new(Ring {
                frames: VecDeque::new(),
                floor: head,
                published: head,
                capacity: capacity.max(1),
                events: 0,
            }),
            tx,
        }
    }

    /// Publishes the frames of one committed batch, whose last event is `head`.
    pub fn publish(&self, frames: Vec<Frame>, head: u64) {
        let Ok(mut ring) = self.ring.lock() else {
            return;
        };
        for f in frames {
            let f = Arc::new(f);
            let new_event = ring.frames.back().is_none_or(|b| b.seq != f.seq);
            if new_event && ring.events == ring.capacity {
                // Drop the oldest event: every frame with its seq.
                if let Some(oldest) = ring.frames.front().map(|o| o.seq) {
                    while ring.frames.front().is_some_and(|o| o.seq == oldest) {
                        ring.frames.pop_front();
                    }
                    ring.floor = oldest;
                    ring.events -= 1;
                }
            }
            if new_event {
                ring.events += 1;
            }
            ring.frames.push_back(f.clone());
            // No receivers is fine.
            let _ = self.tx.send(f);
        }
        ring.published = ring.published.max(head);
    }

    /// Sends live frames to the connected clients, without keeping them.
    pub fn publish_live(&self, frames: Vec<Frame>) {
        for f in frames {
            let _ = self.tx.send(Arc::new(f));
        }
    }

    /// Subscribes; with `resume_from`, also returns the frames missed since then if the ring
    /// still holds all of them.
    pub fn subscribe(&self, resume_from: Option<u64>) -> Subscription {
        let ring = match self.ring.lock() {
            Ok(r) => r,
            Err(poisoned) => poisoned.into_inner(),
        };
        let rx = self.tx.subscribe();
        let missed = resume_from
            .filter(|&r| r >= ring.floor && r <= ring.published)
            .map(|r| {
                ring.frames
                    .iter()
                    .filter(|f| f.seq > r)
                    .cloned()
                    .collect::<Vec<_>>()
            });
        Subscription {
            rx,
            missed,
            published: ring.published,
        }
    }

    pub fn connections(&self) -> usize {
        self.tx.receiver_count()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn frame(seq: u64) -> Frame {
        Frame::new(
            seq,
            Audience::Everyone,
            Push::Delegates { listed: seq as u32 },
        )
    }

    #[test]
    fn resume_returns_exactly_the_missed_frames() {
        let hub = Hub::new(10, 100);
        hub.publish(vec![frame(11), frame(13)], 13);
        hub.publish(vec![], 14);
        let s = hub.subscribe(Some(11));
        let seqs: Vec<u64> = s.missed.unwrap().iter().map(|f| f.seq).collect();
        assert_eq!(seqs, vec![13]);
        assert_eq!(hub.subscribe(Some(14)).missed.unwrap().len(), 0);
        assert_eq!(hub.subscribe(Some(10)).missed.unwrap().len(), 2);
    }

    /// The frames of one event (disjoint audiences, one seq) count once against the window
    /// and leave it together.
    #[test]
    fn frames_sharing_a_seq_are_one_event_of_the_window() {
        let hub = Hub::new(10, 2);
        let twin = |seq: u64| {
            Frame::new(
                seq,
                Audience::Devices,
                Push::Delegates { listed: seq as u32 },
            )
        };
        hub.publish(vec![frame(11), twin(11), frame(12), twin(12)], 12);
        assert_eq!(hub.subscribe(Some(10)).missed.unwrap().len(), 4);
        hub.publish(vec![frame(13), twin(13)], 13);
        assert!(hub.subscribe(Some(10)).missed.is_none());
        let seqs: Vec<u64> = hub
            .subscribe(Some(11))
            .missed
            .unwrap()
            .iter()
            .map(|f| f.seq)
            .collect();
        assert_eq!(seqs, vec![12, 12, 13, 13]);
    }

    #[test]
    fn too_old_or_from_the_future_needs_a_snapshot() {
        let hub = Hub::new(10, 2);
        hub.publish(vec![frame(11), frame(12), frame(13)], 13);
        assert!(hub.subscribe(Some(10)).missed.is_none());
        assert_eq!(hub.subscribe(Some(11)).missed.unwrap().len(), 2);
        assert!(hub.subscribe(Some(99)).missed.is_none());
        assert!(hub.subscribe(None).missed.is_none());
    }

    #[tokio::test]
    async fn live_frames_reach_subscribers() {
        let hub = Hub::new(0, 10);
        let mut s = hub.subscribe(None);
        hub.publish(vec![frame(1)], 1);
        assert_eq!(s.rx.recv().await.unwrap().seq, 1);
    }
}

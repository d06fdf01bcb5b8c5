//! The counting board and its key ceremony (`docs/ballot-crypto.md`). The congress's counting
//! board — delegates whose tablets hold the shares of one key — runs a Pedersen DKG through the
//! server: each member deals (signed commitments and one share per member, age-encrypted to
//! that member's tablet so the server cannot read it), then each checks what it received and
//! complains about a bad share. From the public transcript alone the joint key and every
//! member's verification key follow; nobody ever holds the whole secret.
//!
//! The domain checks everything that is public and cheap (signatures, commitments, proofs of
//! knowledge, complaints) with `congress-ballot`, a pure library like this crate.

use std::collections::{BTreeMap, BTreeSet};

use congress_ballot::{
    BoardSetup, Complaint, DealerMessage, DkgTranscript, Hex32, Member, Qualified, check_dealer,
    qualify,
};
use congress_proto::{BoardMember, BoardPhase, BoardView, SealedShare};
use serde::{Deserialize, Serialize};

use crate::error::DomainError;
use crate::event::Event;
use crate::state::CongressState;

/// Largest age-encrypted share accepted (a share envelope is 165 bytes; age adds a header).
pub const MAX_SEALED_SHARE_CHARS: usize = 2_048;

#[derive(Debug, Clone, PartialEq)]
pub enum BoardCommand {
    /// The counting board the congress elected: delegates (in index order) with their tablets'
    /// credential keys (hex), and how many must act together.
    DefineBoard {
        threshold: u16,
        members: Vec<(String, String)>,
    },
    /// A member's tablet deals.
    Deal {
        delegate_id: String,
        dealer: DealerMessage,
        shares: Vec<SealedShare>,
    },
    /// A member's tablet checked the shares dealt to it (complaints about bad ones, if any).
    Check {
        delegate_id: String,
        complaints: Vec<Complaint>,
    },
    /// The secretariat ends the ceremony with the members who took part (a member's tablet was
    /// lost): the key is made from the dealers so far, if at least `threshold` qualify.
    Finish,
}

#[derive(
    Debug, Clone, PartialEq, Serialize, Deserialize, strum::IntoStaticStr, strum::VariantNames,
)]
#[serde(tag = "event", rename_all = "snake_case", deny_unknown_fields)]
#[strum(serialize_all = "snake_case")]
pub enum BoardEvent {
    /// A counting board and a new run of its key ceremony.
    BoardDefined {
        setup: BoardSetup,
        /// The members' delegate ids, by index (1..=n).
        delegates: Vec<String>,
    },
    /// A member dealt: its signed commitments and one sealed share per member.
    BoardDealt {
        dealer: DealerMessage,
        shares: Vec<SealedShare>,
    },
    /// A member checked its shares (with its complaints, if any).
    BoardChecked {
        member: u16,
        complaints: Vec<Complaint>,
    },
    /// The ceremony ended: the joint key (hex), the dealers in it and those excluded.
    BoardKeyReady {
        joint_key: Hex32,
        qualified: Vec<u16>,
        excluded: Vec<u16>,
    },
    /// The ceremony ended without enough qualified dealers.
    BoardFailed { reason: String },
}

/// Why a board command is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BoardError {
    #[error("there is no counting board yet")]
    NoBoard,
    #[error("{0} is not a member of the counting board")]
    NotMember(String),
    #[error("the key ceremony is not in that step (it is {0})")]
    WrongPhase(&'static str),
    #[error("an encrypted vote still needs this board's key: finish counting it first")]
    KeyInUse,
    #[error("{0}")]
    Invalid(String),
}

impl BoardError {
    pub fn status(&self) -> u16 {
        match self {
            BoardError::NoBoard => 404,
            BoardError::NotMember(_) => 403,
            BoardError::WrongPhase(_) | BoardError::KeyInUse => 409,
            BoardError::Invalid(_) => 422,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            BoardError::NoBoard => "not_found",
            BoardError::NotMember(_) => "not_member",
            BoardError::WrongPhase(_) => "wrong_phase",
            BoardError::KeyInUse => "key_in_use",
            BoardError::Invalid(_) => "invalid",
        }
    }
}

/// The joint key and what a vote needs of the ceremony.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BoardKey {
    pub joint_key: [u8; 32],
    pub qualified: Vec<u16>,
    pub excluded: Vec<u16>,
}

/// The counting board in the state.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BoardState {
    pub setup: Option<BoardSetup>,
    /// Delegate id by member index.
    pub delegates: BTreeMap<u16, String>,
    /// Runs of the ceremony so far (names the next board id).
    pub runs: u32,
    pub dealers: BTreeMap<u16, DealerMessage>,
    /// (dealer, recipient) → the sealed share.
    pub shares: BTreeMap<(u16, u16), String>,
    pub checked: BTreeMap<u16, Vec<Complaint>>,
    pub key: Option<BoardKey>,
    pub failed: Option<String>,
}

impl BoardState {
    /// The member index of a delegate on the current board.
    pub fn index_of(&self, delegate_id: &str) -> Option<u16> {
        self.delegates
            .iter()
            .find(|(_, d)| d.as_str() == delegate_id)
            .map(|(i, _)| *i)
    }

    /// The public transcript so far.
    pub fn transcript(&self) -> DkgTranscript {
        DkgTranscript {
            dealers: self.dealers.values().cloned().collect(),
            complaints: self.checked.values().flatten().cloned().collect(),
        }
    }

    /// QUAL and the verification keys, from the transcript alone.
    pub fn qualified(&self) -> Option<Qualified> {
        qualify(self.setup.as_ref()?, &self.transcript()).ok()
    }

    fn n(&self) -> usize {
        self.delegates.len()
    }

    pub fn phase(&self) -> BoardPhase {
        if let Some(reason) = &self.failed {
            return BoardPhase::Failed {
                reason: reason.clone(),
            };
        }
        if self.key.is_some() {
            BoardPhase::Ready
        } else if self.dealers.len() < self.n() {
            BoardPhase::Dealing
        } else {
            BoardPhase::Checking
        }
    }

    pub fn apply(&mut self, event: &BoardEvent) {
        match event {
            BoardEvent::BoardDefined { setup, delegates } => {
                *self = BoardState {
                    setup: Some(setup.clone()),
                    delegates: (1u16..).zip(delegates.iter().cloned()).collect(),
                    runs: self.runs + 1,
                    ..BoardState::default()
                };
            }
            BoardEvent::BoardDealt { dealer, shares } => {
                for s in shares {
                    self.shares.insert((dealer.dealer, s.member), s.age.clone());
                }
                self.dealers.insert(dealer.dealer, dealer.clone());
            }
            BoardEvent::BoardChecked { member, complaints } => {
                self.checked.insert(*member, complaints.clone());
            }
            BoardEvent::BoardKeyReady {
                joint_key,
                qualified,
                excluded,
            } => {
                self.key = Some(BoardKey {
                    joint_key: joint_key.0,
                    qualified: qualified.clone(),
                    excluded: excluded.clone(),
                });
            }
            BoardEvent::BoardFailed { reason } => self.failed = Some(reason.clone()),
        }
    }
}

/// What every client sees of the board.
pub fn view(state: &CongressState) -> Option<BoardView> {
    let b = &state.board;
    let setup = b.setup.as_ref()?;
    let members = setup
        .members
        .iter()
        .map(|m| {
            let delegate_id = b.delegates.get(&m.index).cloned().unwrap_or_default();
            let key = hex(&m.key.0);
            // The tablet that registered the member's key: the dealers seal its shares to it.
            let recipient = state
                .devices
                .values()
                .map(|d| &d.device)
                .find(|d| !d.revoked && d.credential.as_deref() == Some(key.as_str()))
                .and_then(|d| d.recipient.clone());
            BoardMember {
                index: m.index,
                full_name: state
                    .delegates
                    .get(&delegate_id)
                    .map(|d| d.full_name.clone())
                    .unwrap_or_default(),
                delegate_id,
                key,
                recipient,
                dealt: b.dealers.contains_key(&m.index),
                checked: b.checked.contains_key(&m.index),
            }
        })
        .collect();
    Some(BoardView {
        board_id: setup.board_id.clone(),
        threshold: setup.threshold,
        members,
        phase: b.phase(),
        joint_key: b.key.as_ref().map(|k| hex(&k.joint_key)),
        excluded: b
            .key
            .as_ref()
            .map(|k| k.excluded.clone())
            .unwrap_or_default(),
    })
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn parse_key(s: &str) -> Result<[u8; 32], BoardError> {
    let s = s.trim();
    if s.len() != 64 {
        return Err(BoardError::Invalid(
            "a credential key is 64 hex characters".into(),
        ));
    }
    let mut out = [0u8; 32];
    for (i, o) in out.iter_mut().enumerate() {
        *o = u8::from_str_radix(&s[2 * i..2 * i + 2], 16)
            .map_err(|_| BoardError::Invalid("a credential key is hex".into()))?;
    }
    Ok(out)
}

/// Whether an encrypted vote still needs the current key (not yet decrypted).
fn key_in_use(state: &CongressState) -> bool {
    state
        .votes
        .values()
        .any(|v| v.encrypted.as_ref().is_some_and(|e| e.counts.is_none()))
}

pub(crate) fn decide(state: &CongressState, cmd: &BoardCommand) -> Result<Vec<Event>, DomainError> {
    let b = &state.board;
    let events: Vec<BoardEvent> = match cmd {
        BoardCommand::DefineBoard { threshold, members } => {
            if key_in_use(state) {
                return Err(BoardError::KeyInUse.into());
            }
            let mut seen = BTreeSet::new();
            let mut keyed = Vec::with_capacity(members.len());
            for (i, (delegate, key)) in members.iter().enumerate() {
                if !state.delegates.contains_key(delegate) {
                    return Err(DomainError::UnknownDelegate(delegate.clone()));
                }
                if !seen.insert(delegate.as_str()) {
                    return Err(BoardError::Invalid(format!("{delegate} is listed twice")).into());
                }
                keyed.push(Member {
                    index: u16::try_from(i + 1)
                        .map_err(|_| BoardError::Invalid("too many members".into()))?,
                    key: Hex32(parse_key(key)?),
                });
            }
            let setup = BoardSetup {
                board_id: format!("board-{}", b.runs + 1),
                threshold: *threshold,
                members: keyed,
            };
            setup
                .check()
                .map_err(|e| BoardError::Invalid(format!("the board: {e}")))?;
            vec![BoardEvent::BoardDefined {
                setup,
                delegates: members.iter().map(|(d, _)| d.clone()).collect(),
            }]
        }
        BoardCommand::Deal {
            delegate_id,
            dealer,
            shares,
        } => {
            let setup = b.setup.as_ref().ok_or(BoardError::NoBoard)?;
            let index = b
                .index_of(delegate_id)
                .ok_or_else(|| BoardError::NotMember(delegate_id.clone()))?;
            if b.phase() != BoardPhase::Dealing {
                return Err(BoardError::WrongPhase("past dealing").into());
            }
            if dealer.dealer != index {
                return Err(BoardError::Invalid(format!(
                    "a message of dealer {} from member {index}",
                    dealer.dealer
                ))
                .into());
            }
            if let Some(earlier) = b.dealers.get(&index) {
                return if earlier == dealer {
                    Ok(vec![])
                } else {
                    Err(BoardError::Invalid("this member has already dealt".into()).into())
                };
            }
            check_dealer(setup, dealer)
                .map_err(|e| BoardError::Invalid(format!("the dealer's message: {e}")))?;
            let wanted: BTreeSet<u16> = setup.members.iter().map(|m| m.index).collect();
            let got: BTreeSet<u16> = shares.iter().map(|s| s.member).collect();
            if got != wanted || shares.len() != wanted.len() {
                return Err(
                    BoardError::Invalid("one sealed share per member is needed".into()).into(),
                );
            }
            if shares
                .iter()
                .any(|s| s.age.is_empty() || s.age.len() > MAX_SEALED_SHARE_CHARS)
            {
                return Err(
                    BoardError::Invalid("a sealed share is empty or too large".into()).into(),
                );
            }
            vec![BoardEvent::BoardDealt {
                dealer: dealer.clone(),
                shares: shares.clone(),
            }]
        }
        BoardCommand::Check {
            delegate_id,
            complaints,
        } => {
            b.setup.as_ref().ok_or(BoardError::NoBoard)?;
            let index = b
                .index_of(delegate_id)
                .ok_or_else(|| BoardError::NotMember(delegate_id.clone()))?;
            if b.phase() != BoardPhase::Checking {
                return Err(BoardError::WrongPhase("not checking").into());
            }
            if let Some(earlier) = b.checked.get(&index) {
                return if earlier == complaints {
                    Ok(vec![])
                } else {
                    Err(BoardError::Invalid("this member has already checked".into()).into())
                };
            }
            if complaints.iter().any(|c| c.accuser != index) || complaints.len() > b.n() {
                return Err(BoardError::Invalid(
                    "a member complains in its own name, once per dealer".into(),
                )
                .into());
            }
            let mut events = vec![BoardEvent::BoardChecked {
                member: index,
                complaints: complaints.clone(),
            }];
            if b.checked.len() + 1 == b.n() {
                let mut after = b.clone();
                after.apply(&events[0]);
                events.push(conclude(&after));
            }
            events
        }
        BoardCommand::Finish => {
            b.setup.as_ref().ok_or(BoardError::NoBoard)?;
            if b.key.is_some() || b.failed.is_some() {
                return Err(BoardError::WrongPhase("already ended").into());
            }
            vec![conclude(b)]
        }
    };
    Ok(events.into_iter().map(Event::from).collect())
}

/// The ceremony's end from the transcript as it stands.
fn conclude(b: &BoardState) -> BoardEvent {
    match b.qualified() {
        Some(q) => {
            let dealt: BTreeSet<u16> = b.dealers.keys().copied().collect();
            let mut excluded: Vec<u16> = q.excluded.iter().map(|(i, _)| *i).collect();
            excluded.extend(b.delegates.keys().filter(|i| !dealt.contains(i)).copied());
            excluded.sort_unstable();
            excluded.dedup();
            BoardEvent::BoardKeyReady {
                joint_key: Hex32(q.joint_key().compress().to_bytes()),
                qualified: q.dealers.clone(),
                excluded,
            }
        }
        None => BoardEvent::BoardFailed {
            reason: match b.setup.as_ref() {
                Some(setup) => match qualify(setup, &b.transcript()) {
                    Err(e) => e.to_string(),
                    Ok(_) => "the ceremony could not end".into(),
                },
                None => "no board".into(),
            },
        },
    }
}
